// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fixture of test_volume (volume_fixture.h): output, random numbers,
 * requests and their done callback, a volume over the fake with its shadow.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "volume_fixture.h"

uint64_t seed;
bool fix_refuse;

/* ---- output ---- */

static int status;

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		status = 1;
	return cond;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

bool acc(struct acc *a, bool cond, const char *fmt, ...)
{
	va_list ap;

	a->n++;
	if (cond)
		return true;
	if (a->bad++ < 3) {
		printf("# FAIL [%s] ", a->what);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return false;
}

void acc_report(const char *prefix, struct acc *a)
{
	ok(!a->bad, "%s: %s (%lu checks, %lu failed)", prefix, a->what, a->n,
	   a->bad);
	a->n = a->bad = 0;
}

static void watchdog(int sig)
{
	static const char msg[] =
		"not ok - watchdog: the test hung (a request never completed?)\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- random numbers ---- */

static uint64_t rng;

uint64_t below(uint64_t n)
{
	return gen_below(&rng, n);
}

void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)gen_rnd(&rng);
}

/* ---- requests ---- */

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond;
static _Thread_local bool in_submit;
static unsigned long done_seq;	/* protected by wlock */
static struct fake *cur_fake;	/* for the snapshots taken in done */

static void req_done(struct csa_vreq *r, int err)
{
	struct req *q = (struct req *)r;
	unsigned queued = fake_queued(cur_fake);
	bool all = true;

	if (q->snap_log) {
		struct fake_rec *log;
		size_t n, i;

		log = fake_log(cur_fake, &n);
		for (i = 0; i < n; i++)
			all = all && log[i].completed;
		free(log);
	}
	pthread_mutex_lock(&wlock);
	q->done_seq = ++done_seq;
	q->queued_at_done = queued;
	q->all_completed_at_done = all;
	q->calls++;
	q->err = err;
	if (in_submit)
		q->inside_submit = true;
	pthread_cond_broadcast(&wcond);
	pthread_mutex_unlock(&wlock);
}

int req_submit_snap(struct csa_volume *v, struct req *q, int op,
		    uint64_t off, uint64_t len, void *buf, bool snap)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->r = (struct csa_vreq){ .op = (uint8_t)op, .off = off, .len = len,
				  .buf = buf, .done = req_done };
	q->snap_log = snap;
	in_submit = true;
	ret = csa_volume_submit(v, &q->r);
	in_submit = false;
	return ret;
}

int req_submit(struct csa_volume *v, struct req *q, int op, uint64_t off,
	       uint64_t len, void *buf)
{
	return req_submit_snap(v, q, op, off, len, buf, false);
}

bool req_wait(struct req *const *qs, unsigned n)
{
	struct timespec ts;
	unsigned i;
	bool done = false;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&wlock);
	for (;;) {
		for (i = 0; i < n && qs[i]->calls; i++)
			;
		if (i == n) {
			done = true;
			break;
		}
		if (pthread_cond_timedwait(&wcond, &wlock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&wlock);
	return done;
}

int req_calls(struct req *q)
{
	int n;

	pthread_mutex_lock(&wlock);
	n = q->calls;
	pthread_mutex_unlock(&wlock);
	return n;
}

int do_rw(struct csa_volume *v, struct req *q, int op, uint64_t off,
	  uint64_t len, void *buf)
{
	struct req *one = q;
	int ret = req_submit(v, q, op, off, len, buf);

	if (ret)
		return ret;
	if (!req_wait(&one, 1)) {
		ok(false, "request op %d off %" PRIu64 " len %" PRIu64 " completed within %u ms",
		   op, off, len, WAIT_MS);
		exit(1);	/* the volume still owns q: nothing safe to do */
	}
	if (!fake_wait_idle(cur_fake, WAIT_MS)) {
		ok(false, "the fake transport went idle after a request");
		exit(1);
	}
	return q->err;
}

/* ---- a volume over the fake, with its shadow ---- */

void fix_gen(struct gen *g, unsigned C, unsigned K, unsigned nr_arrays,
	     uint32_t bs, uint32_t su, uint64_t size, unsigned max_ext)
{
	struct gen_shape s = {
		.size = size, .bs = bs, .su = su, .C = C, .K = K,
		.nr_arrays = nr_arrays, .region_rows = 2,
		.max_luns = LUNS_PER_ARRAY, .max_ext = max_ext,
		.far_gap = 8,	/* the fake holds the LUNs in memory */
	};

	gen_make(g, &s, &rng);
}

int fix_lun_index(const struct fix *x, const char *array, uint32_t lun)
{
	unsigned i;

	for (i = 0; i < x->nluns; i++)
		if (x->luns[i].lun == lun &&
		    !strcmp(x->l->arrays[x->luns[i].array].name, array))
			return (int)i;
	return -1;
}

uint8_t *fix_at(const struct fix *x, uint64_t vbyte, unsigned k,
		uint8_t *const *images)
{
	const struct vloc *p = &x->loc[(vbyte / x->g.bs) * x->g.K + k];

	return images[p->lun] + p->byte + vbyte % x->g.bs;
}

bool fix_open(struct fix *x, const char *name, unsigned C, unsigned K,
	      uint32_t bs, uint32_t su, uint64_t size, uint32_t max_io,
	      unsigned fake_threads, unsigned max_delay_us)
{
	struct csa_volume_opts o = { .max_io_bytes = max_io };
	struct csa_transport tp;
	uint8_t *images[GEN_MAX_ARRAYS * LUNS_PER_ARRAY];
	char err[256] = "";
	unsigned i, e, a, k;
	uint64_t vb, b;
	int ret;

	memset(x, 0, sizeof(*x));
	x->name = name;
	x->max_io = max_io;
	fix_gen(&x->g, C, K, K + 1 < GEN_MAX_ARRAYS ? K + 1 : K, bs, su, size,
		FIX_MAX_EXT);
	x->l = gen_build(&x->g);
	if (!ok(x->l != NULL, "%s: layout built", name))
		return false;
	if (!ok(csa_layout_validate(x->l, err, sizeof(err)) == 0,
		"%s: csa_layout_validate accepts the layout%s%s", name,
		*err ? ": " : "", err))
		return false;
	x->f = fake_new(fake_threads, seed ^ 0x5a5a);
	cur_fake = x->f;
	fake_set_delay(x->f, max_delay_us);
	for (a = 0; a < x->g.nr_arrays; a++)
		for (i = 0; i < LUNS_PER_ARRAY; i++) {
			uint64_t end = gen_lun_blocks(&x->g, a, i);
			struct flun *fl;

			if (!end)
				continue;
			fl = &x->luns[x->nluns++];
			fl->array = a;
			fl->lun = i;
			fake_add_lun(x->f, x->l->arrays[a].name, i, bs,
				     end + 4);
			fl->data = fake_lun_data(x->f, x->l->arrays[a].name, i,
						 &fl->bytes);
			fl->expect = malloc(fl->bytes);
			fl->owner = calloc(fl->bytes / bs, sizeof(*fl->owner));
			fill_random(fl->data, fl->bytes);
			for (b = 0; b < fl->bytes / bs; b++)
				fl->owner[b].column = -1;
		}
	for (i = 0; i < x->g.C * x->g.K; i++) {
		uint64_t cb = 0;

		for (e = 0; e < x->g.nr_ext[i]; e++) {
			const struct gext *ge = &x->g.ext[i][e];
			struct flun *fl = &x->luns[fix_lun_index(x,
				x->l->arrays[ge->array].name, ge->lun)];

			for (b = 0; b < ge->blocks; b++, cb++)
				fl->owner[ge->start + b] = (struct owner){
					(int)(i / x->g.K), i % x->g.K, cb };
		}
	}
	x->nvb = size / bs;
	x->loc = calloc(x->nvb * K, sizeof(*x->loc));
	x->shadow = malloc(size);
	for (i = 0; i < 3; i++)
		x->count[i] = calloc(x->nvb * K, sizeof(unsigned));
	for (vb = 0; vb < x->nvb; vb++)
		for (k = 0; k < K; k++) {
			struct rloc r;
			unsigned col;
			uint64_t co;

			ref_column(&x->g, vb * bs, &col, &co);
			if (ref_locate(&x->g, col, k, co, &r)) {
				ok(false, "%s: the generated copies hold volume block %" PRIu64,
				   name, vb);
				exit(1);
			}
			x->loc[vb * K + k] = (struct vloc){
				(unsigned)fix_lun_index(x,
					x->l->arrays[r.array].name, r.lun),
				r.lba * bs };
		}
	/* The volume starts as random bytes, the same on every copy. */
	fill_random(x->shadow, size);
	for (i = 0; i < x->nluns; i++)
		images[i] = x->luns[i].data;
	for (b = 0; b < size; b++)
		for (k = 0; k < K; k++)
			*fix_at(x, b, k, images) = x->shadow[b];
	for (i = 0; i < x->nluns; i++)
		memcpy(x->luns[i].expect, x->luns[i].data, x->luns[i].bytes);

	if (fix_refuse)
		fake_fail_open(x->f, x->l->arrays[x->g.ext[0][0].array].name,
			       -ECONNREFUSED);
	tp = fake_transport(x->f);
	ret = csa_volume_open(x->l, &tp, &o, &x->v, err, sizeof(err));
	if (ret)
		x->v = NULL;
	return ok(ret == 0, "%s: csa_volume_open (%u columns, %u copies, su %u, bs %u, size %" PRIu64 ")%s%s",
		  name, C, K, su, bs, size, *err ? ": " : "", err);
}

void fix_check_images(struct fix *x, const char *when)
{
	uint8_t *images[GEN_MAX_ARRAYS * LUNS_PER_ARRAY];
	unsigned i, k;
	uint64_t b;
	bool good = true;

	for (i = 0; i < x->nluns; i++)
		images[i] = x->luns[i].expect;
	for (b = 0; b < x->g.size; b++)
		for (k = 0; k < x->g.K; k++)
			*fix_at(x, b, k, images) = x->shadow[b];
	for (i = 0; i < x->nluns && good; i++) {
		const struct flun *fl = &x->luns[i];

		for (b = 0; b < fl->bytes; b++) {
			const struct owner *o = &fl->owner[b / x->g.bs];

			if (fl->data[b] == fl->expect[b])
				continue;
			good = false;
			diag("%s LUN %u byte %" PRIu64 " (lba %" PRIu64 ", %s column %d copy %u col block %" PRIu64 ") holds 0x%02x, want 0x%02x",
			     x->l->arrays[fl->array].name, fl->lun, b,
			     b / x->g.bs,
			     o->column < 0 ? "outside every extent," : "",
			     o->column, o->copy, o->col_block, fl->data[b],
			     fl->expect[b]);
			break;
		}
	}
	ok(good, "%s: %s, every copy holds the shadow at the reference LUN/LBA and nothing else changed",
	   x->name, when);
}

void fix_close(struct fix *x)
{
	char msg[256];
	unsigned long viol;
	unsigned i;

	if (x->v) {
		csa_volume_close(x->v);
		ok(fake_open_handles(x->f, NULL, 0) == 0,
		   "%s: csa_volume_close closes every LUN it opened", x->name);
	}
	if (x->f) {
		viol = fake_violations(x->f, msg, sizeof(msg));
		ok(viol == 0, "%s: no csa_io contract violation seen by the transport (%lu; first: %s)",
		   x->name, viol, msg);
		fake_free(x->f);
	}
	for (i = 0; i < x->nluns; i++) {
		free(x->luns[i].expect);
		free(x->luns[i].owner);
	}
	for (i = 0; i < 3; i++)
		free(x->count[i]);
	free(x->loc);
	free(x->shadow);
	csa_layout_free(x->l);
	cur_fake = NULL;
}

/* ---- ranges ---- */

void pick_range(struct fix *x, uint64_t *off, uint64_t *len)
{
	uint64_t size = x->g.size, bs = x->g.bs;
	uint64_t row = (uint64_t)x->g.su * x->g.C, o, n;

	switch (below(6)) {
	case 0:		/* aligned */
		o = below(size / bs) * bs;
		n = (1 + below(3 * row / bs)) * bs;
		break;
	case 1:		/* a few bytes */
		o = below(size);
		n = 1 + below(16);
		break;
	case 2:		/* inside one block */
		o = below(size / bs) * bs + below(bs);
		n = 1 + below(bs - o % bs);
		break;
	case 3:		/* the whole volume */
		o = 0;
		n = size;
		break;
	default:	/* anywhere */
		o = below(size);
		n = 1 + below(3 * row);
		break;
	}
	if (n > size - o)
		n = size - o;
	*off = o;
	*len = n;
}

/* ---- the program ---- */

void volume_test_init(uint64_t s)
{
	pthread_condattr_t ca;

	seed = s;
	rng = seed;
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wcond, &ca);
	pthread_condattr_destroy(&ca);
}

int volume_test_end(void)
{
	alarm(0);
	pthread_cond_destroy(&wcond);
	return status;
}
