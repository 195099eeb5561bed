// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The data path of volume.h (csa_volume_open/submit/close) over the fake
 * transport: every byte read back against an in-memory shadow of the volume
 * and found at the LUN and LBA a plain reference mapping says, on every
 * copy; every per-LUN I/O in the fake's log placed, counted and checked;
 * failures injected; each request completed exactly once.
 *
 * The reference shares no code with map.c: volume byte x is in column
 * (x / su) % C at column offset (x / (su * C)) * su + x % su, found by
 * walking the copy's extents as this test generated them.
 *
 * What is checked, section by section:
 *   run_random          random reads and writes, alone and in concurrent
 *                       batches, against the shadow; written bytes at the
 *                       reference LUN/LBA of every copy; every logged LUN
 *                       I/O inside one copy's extents and <= max_io; reads
 *                       once per block from one copy per column; done once,
 *                       after every LUN I/O, never inside submit; whole LUN
 *                       images (nothing written outside the extents)
 *   test_read_faults    least loaded copy first; reads (and the edge reads
 *                       of unaligned writes) served by another copy when
 *                       one fails; -EIO / -ETIMEDOUT once when none can
 *   test_write_faults   a write with a failing copy completes once with its
 *                       error, only after every LUN I/O completed
 *   test_concurrent_writers  8 threads writing 1-7 bytes into 4 shared
 *                       blocks: no write lost
 *   test_flush          SYNC exactly to the LUNs written since the last
 *                       flush, again after a failed SYNC and after a write
 *                       that completed after the previous flush's SYNC
 *   test_einval         submit refuses bad requests, done never called
 *   test_open, test_degraded  open refusing LUNs that do not fit, failing
 *                       or opening degraded when arrays do not answer
 *
 * Seed: CSA_TEST_SEED (default below), printed. Every wait is bounded; a
 * watchdog ends the program with a failure if anything hangs.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "striper/layout.h"
#include "striper/volume.h"
#include "fake_transport.h"

#define DEFAULT_SEED	0x637361766f6cull	/* "csavol" */
#define WAIT_MS		10000
#define WATCHDOG_S	100
#define MAX_ARRAYS	5
#define LUNS_PER_ARRAY	2
#define MAX_GEN_EXT	6

/* ---- output ---- */

static int status;
static uint64_t seed;

static bool ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool ok(bool cond, const char *fmt, ...)
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

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Many checks, one line: the first few failures are printed as they
 * happen. */
struct acc {
	const char *what;
	unsigned long n, bad;
};

static bool acc(struct acc *a, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool acc(struct acc *a, bool cond, const char *fmt, ...)
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

static void acc_report(const char *prefix, struct acc *a)
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

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- random numbers (main thread; threads have their own) ---- */

static uint64_t rng;

static uint64_t rnd_r(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd_r(&rng) % n;
}

static void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd_r(&rng);
}

/* ---- the generated layout and the reference ---- */

struct gext {
	unsigned array;
	uint32_t lun;
	uint64_t start;
	uint64_t blocks;
};

struct gen {
	uint64_t size;
	uint32_t bs, su;
	unsigned C, K, nr_arrays;
	unsigned nr_ext[CSA_MAX_COLUMNS * CSA_MAX_COPIES];
	struct gext ext[CSA_MAX_COLUMNS * CSA_MAX_COPIES][MAX_GEN_EXT];
};

static void ref_column(const struct gen *g, uint64_t x, unsigned *column,
		       uint64_t *col_off)
{
	uint64_t su = g->su, C = g->C;

	*column = (unsigned)((x / su) % C);
	*col_off = (x / (su * C)) * su + x % su;
}

/* The extent and the LBA/byte holding column byte @co of (column, copy);
 * NULL past the end. */
static const struct gext *ref_locate(const struct gen *g, unsigned column,
				     unsigned copy, uint64_t co, uint64_t *lba,
				     uint64_t *byte)
{
	const struct gext *x = g->ext[column * g->K + copy];
	unsigned e;

	for (e = 0; e < g->nr_ext[column * g->K + copy]; e++) {
		if (co < x[e].blocks * g->bs) {
			*lba = x[e].start + co / g->bs;
			*byte = co % g->bs;
			return &x[e];
		}
		co -= x[e].blocks * g->bs;
	}
	return NULL;
}

/*
 * C columns, K copies over nr_arrays arrays (>= K) of LUNS_PER_ARRAY LUNs;
 * each copy cut into up to max_ext extents at random LBAs.
 */
static void gen_make(struct gen *g, unsigned C, unsigned K,
		     unsigned nr_arrays, uint32_t bs, uint32_t su,
		     uint64_t size, unsigned max_ext)
{
	uint64_t cursor[MAX_ARRAYS][LUNS_PER_ARRAY] = { { 0 } };
	uint64_t row = (uint64_t)su * C, need;
	unsigned c, k, e;

	memset(g, 0, sizeof(*g));
	g->C = C;
	g->K = K;
	g->nr_arrays = nr_arrays;
	g->bs = bs;
	g->su = su;
	g->size = size;
	need = (size + row - 1) / row * su;	/* whole rows: see test_map.c */
	for (c = 0; c < C; c++) {
		unsigned first = (unsigned)below(nr_arrays);

		for (k = 0; k < K; k++) {
			unsigned i = c * K + k, n;
			uint64_t total = need / bs + below(3), left = total;

			n = 1 + (unsigned)below(max_ext < total ? max_ext :
								  total);
			for (e = 0; e < n; e++) {
				struct gext *x = &g->ext[i][e];

				x->array = (first + k) % nr_arrays;
				x->lun = (uint32_t)below(LUNS_PER_ARRAY);
				x->blocks = e == n - 1 ? left :
					1 + below(left - (n - 1 - e));
				left -= x->blocks;
				cursor[x->array][x->lun] += below(8);
				x->start = cursor[x->array][x->lun];
				cursor[x->array][x->lun] += x->blocks;
			}
			g->nr_ext[i] = n;
		}
	}
}

static struct csa_layout *gen_build(const struct gen *g)
{
	struct csa_layout *l = csa_layout_alloc(g->nr_arrays, g->C, g->K);
	unsigned a, i, e;

	if (!l)
		return NULL;
	l->size = g->size;
	l->block_size = g->bs;
	l->stripe_unit = g->su;
	l->nr_columns = g->C;
	l->nr_copies = g->K;
	l->region_rows = 2;
	l->nr_arrays = g->nr_arrays;
	for (a = 0; a < g->nr_arrays; a++) {
		snprintf(l->arrays[a].name, sizeof(l->arrays[a].name), "a%u",
			 a);
		snprintf(l->arrays[a].portal, sizeof(l->arrays[a].portal),
			 "127.0.0.1:%u", 3260 + a);
		snprintf(l->arrays[a].target, sizeof(l->arrays[a].target),
			 "iqn.2024-01.org.csafs.test:a%u", a);
	}
	for (i = 0; i < g->C * g->K; i++) {
		struct csa_copy *cp;

		if (csa_layout_set_extents(l, i / g->K, i % g->K,
					   g->nr_ext[i]))
			goto fail;
		cp = csa_layout_copy(l, i / g->K, i % g->K);
		cp->nr_extents = g->nr_ext[i];
		for (e = 0; e < g->nr_ext[i]; e++)
			cp->extents[e] = (struct csa_extent){
				.array = g->ext[i][e].array,
				.lun = g->ext[i][e].lun,
				.start_lba = g->ext[i][e].start,
				.blocks = g->ext[i][e].blocks,
			};
	}
	if (csa_layout_init_regions(l))
		goto fail;
	return l;
fail:
	csa_layout_free(l);
	return NULL;
}

/* Blocks LUN (array, lun) needs for the extents on it. */
static uint64_t gen_lun_end(const struct gen *g, unsigned array, uint32_t lun)
{
	uint64_t end = 0;
	unsigned i, e;

	for (i = 0; i < g->C * g->K; i++)
		for (e = 0; e < g->nr_ext[i]; e++)
			if (g->ext[i][e].array == array &&
			    g->ext[i][e].lun == lun &&
			    g->ext[i][e].start + g->ext[i][e].blocks > end)
				end = g->ext[i][e].start + g->ext[i][e].blocks;
	return end;
}

/* ---- requests ---- */

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond;
static _Thread_local bool in_submit;
static unsigned long done_seq;	/* protected by wlock */
static struct fake *cur_fake;	/* for the snapshots taken in done */
static bool fix_refuse;		/* fix_open: the array of column 0 copy 0
				   refuses logins */

struct req {
	struct csa_vreq r;	/* first */
	/* Protected by wlock. */
	int calls;
	int err;
	bool inside_submit;	/* done ran inside csa_volume_submit */
	/* Taken in done. */
	unsigned long done_seq;	/* order of completion among requests */
	unsigned queued_at_done;
	bool snap_log;
	bool all_completed_at_done;
};

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

/* @snap: have done check that every LUN I/O in the fake's log completed. */
static int req_submit_snap(struct csa_volume *v, struct req *q, int op,
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

static int req_submit(struct csa_volume *v, struct req *q, int op,
		      uint64_t off, uint64_t len, void *buf)
{
	return req_submit_snap(v, q, op, off, len, buf, false);
}

/* Wait until each of @n requests has completed; false after WAIT_MS. */
static bool req_wait(struct req *const *qs, unsigned n)
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

static int req_calls(struct req *q)
{
	int n;

	pthread_mutex_lock(&wlock);
	n = q->calls;
	pthread_mutex_unlock(&wlock);
	return n;
}

/*
 * Submit and wait, then wait for the fake to go idle, so that q->calls is
 * final. Returns the request's status or the submit's error. A request
 * that does not complete within WAIT_MS ends the test (the volume still
 * owns it: nothing else is safe).
 */
static int do_rw(struct csa_volume *v, struct req *q, int op, uint64_t off,
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

struct flun {
	unsigned array;
	uint32_t lun;
	uint8_t *data;		/* the fake's memory */
	uint64_t bytes;
	uint8_t *expect;	/* what it must hold */
	struct owner {
		int column;	/* -1: no extent here */
		unsigned copy;
		uint64_t col_block;
	} *owner;		/* per LUN block */
};

struct fix {
	const char *name;
	struct gen g;
	struct csa_layout *l;
	struct fake *f;
	struct csa_volume *v;
	uint32_t max_io;
	uint64_t nvb;		/* volume blocks */
	uint8_t *shadow;
	unsigned nluns;
	struct flun luns[MAX_ARRAYS * LUNS_PER_ARRAY];
	struct vloc {
		unsigned lun;	/* index in luns */
		uint64_t byte;	/* of the volume block's first byte */
	} *loc;			/* [vb * K + k] */
	unsigned *count[3];	/* per op: I/O blocks per [vb * K + k] */
};

static int fix_lun_index(const struct fix *x, const char *array, uint32_t lun)
{
	unsigned i;

	for (i = 0; i < x->nluns; i++)
		if (x->luns[i].lun == lun &&
		    !strcmp(x->l->arrays[x->luns[i].array].name, array))
			return (int)i;
	return -1;
}

/* Volume byte @vbyte of copy @k: the LUN byte that holds it. */
static uint8_t *fix_at(const struct fix *x, uint64_t vbyte, unsigned k,
		       uint8_t *const *images)
{
	const struct vloc *p = &x->loc[(vbyte / x->g.bs) * x->g.K + k];

	return images[p->lun] + p->byte + vbyte % x->g.bs;
}

/*
 * Build the layout and the fake's LUNs (random bytes everywhere), store a
 * random volume on every copy, open the volume. NULL-safe on failure
 * paths: returns false after reporting.
 */
static bool fix_open(struct fix *x, const char *name, unsigned C, unsigned K,
		     uint32_t bs, uint32_t su, uint64_t size, uint32_t max_io,
		     unsigned fake_threads, unsigned max_delay_us)
{
	struct csa_volume_opts o = { .max_io_bytes = max_io };
	struct csa_transport tp;
	uint8_t *images[MAX_ARRAYS * LUNS_PER_ARRAY];
	char err[256] = "";
	unsigned i, e, a, k;
	uint64_t vb, b;
	int ret;

	memset(x, 0, sizeof(*x));
	x->name = name;
	x->max_io = max_io;
	gen_make(&x->g, C, K, K + 1 < MAX_ARRAYS ? K + 1 : K, bs, su, size,
		 MAX_GEN_EXT);
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
			uint64_t end = gen_lun_end(&x->g, a, i);
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
			unsigned col;
			uint64_t co, lba = 0, byte = 0;
			const struct gext *ge;

			ref_column(&x->g, vb * bs, &col, &co);
			ge = ref_locate(&x->g, col, k, co, &lba, &byte);
			if (!ge) {
				ok(false, "%s: the generated copies hold volume block %" PRIu64,
				   name, vb);
				exit(1);
			}
			x->loc[vb * K + k] = (struct vloc){
				(unsigned)fix_lun_index(x,
					x->l->arrays[ge->array].name, ge->lun),
				lba * bs };
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

/* Every LUN byte: the shadow where the volume maps, untouched elsewhere. */
static void fix_check_images(struct fix *x, const char *when)
{
	uint8_t *images[MAX_ARRAYS * LUNS_PER_ARRAY];
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

static void fix_close(struct fix *x)
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

/* ---- log inspection ---- */

/* Volume block of column block @cb of @column; UINT64_MAX past the end. */
static uint64_t vb_of(const struct fix *x, unsigned column, uint64_t cb)
{
	uint64_t co = cb * x->g.bs, row = co / x->g.su;
	uint64_t vbyte = row * x->g.su * x->g.C + (uint64_t)column * x->g.su +
			 co % x->g.su;

	return vbyte < x->g.size ? vbyte / x->g.bs : UINT64_MAX;
}

/*
 * Place every logged I/O (successful ones counted per op in x->count) and
 * check it against the layout: on a LUN of the layout, inside one copy's
 * extents in column order, inside the volume, no larger than max_io.
 * Returns false with @why filled at the first misplaced one.
 */
static bool inspect(struct fix *x, const struct fake_rec *log, size_t n,
		    char *why, size_t whylen)
{
	unsigned K = x->g.K, op;
	size_t i;

	for (op = 0; op < 3; op++)
		memset(x->count[op], 0, x->nvb * K * sizeof(unsigned));
	for (i = 0; i < n; i++) {
		const struct fake_rec *r = &log[i];
		int li = fix_lun_index(x, r->array, r->lun);
		const struct owner *o0;
		uint64_t b;

		if (li < 0) {
			snprintf(why, whylen, "I/O to %s LUN %u, which the layout does not use",
				 r->array, r->lun);
			return false;
		}
		if (r->op == CSA_IO_SYNC)
			continue;
		if (x->max_io && (uint64_t)r->nblocks * x->g.bs > x->max_io) {
			snprintf(why, whylen, "I/O of %u blocks to %s LUN %u: more than max_io_bytes %u",
				 r->nblocks, r->array, r->lun, x->max_io);
			return false;
		}
		o0 = &x->luns[li].owner[r->lba];
		for (b = 0; b < r->nblocks; b++) {
			const struct owner *o = &x->luns[li].owner[r->lba + b];
			uint64_t vb;

			if (o->column < 0 || o->column != o0->column ||
			    o->copy != o0->copy ||
			    o->col_block != o0->col_block + b) {
				snprintf(why, whylen, "op %u to %s LUN %u lba %" PRIu64 "+%u: block %" PRIu64 " is not the next block of one copy's extents",
					 r->op, r->array, r->lun, r->lba,
					 r->nblocks, b);
				return false;
			}
			vb = vb_of(x, (unsigned)o->column, o->col_block);
			if (vb == UINT64_MAX) {
				snprintf(why, whylen, "op %u to %s LUN %u lba %" PRIu64 ": column %d block %" PRIu64 " is past the end of the volume",
					 r->op, r->array, r->lun,
					 r->lba + b, o->column, o->col_block);
				return false;
			}
			if (r->completed && !r->err)
				x->count[r->op][vb * K + o->copy]++;
		}
	}
	return true;
}

/*
 * After one request alone, with no fault: the blocks read and written are
 * exactly those the request needs.
 */
static bool expect_io(struct fix *x, int op, uint64_t off, uint64_t len,
		      char *why, size_t whylen)
{
	unsigned K = x->g.K, k;
	uint64_t bs = x->g.bs, a0 = off / bs, a1 = (off + len + bs - 1) / bs;
	bool unaligned = (off | len) % bs != 0;
	uint64_t vb;

	for (vb = 0; vb < x->nvb; vb++) {
		unsigned reads = 0;
		bool in = vb >= a0 && vb < a1;

		for (k = 0; k < K; k++) {
			unsigned w = x->count[CSA_IO_WRITE][vb * K + k];
			unsigned r = x->count[CSA_IO_READ][vb * K + k];

			reads += r;
			if (op == CSA_VREQ_WRITE && w != (in ? 1u : 0u)) {
				snprintf(why, whylen, "volume block %" PRIu64 " written %u times on copy %u (want %u)",
					 vb, w, k, in ? 1 : 0);
				return false;
			}
			if (op == CSA_VREQ_READ && w) {
				snprintf(why, whylen, "a read wrote volume block %" PRIu64,
					 vb);
				return false;
			}
		}
		if (op == CSA_VREQ_READ && reads != (in ? 1u : 0u)) {
			snprintf(why, whylen, "volume block %" PRIu64 " read %u times (want %u)",
				 vb, reads, in ? 1 : 0);
			return false;
		}
		if (op == CSA_VREQ_WRITE && reads) {
			bool edge = in && unaligned &&
				    ((vb == a0 && off % bs) ||
				     (vb == a1 - 1 && (off + len) % bs));

			if (!edge || reads > 1) {
				snprintf(why, whylen, "a write read volume block %" PRIu64 " %u times (only partial edge blocks, once)",
					 vb, reads);
				return false;
			}
		}
	}
	if (op == CSA_VREQ_READ) {
		/* One copy per column. */
		unsigned c;

		for (c = 0; c < x->g.C; c++) {
			unsigned used = 0;

			for (k = 0; k < K; k++) {
				bool any = false;

				for (vb = a0; vb < a1 && !any; vb++) {
					unsigned col;
					uint64_t co;

					ref_column(&x->g, vb * bs, &col, &co);
					any = col == c &&
					      x->count[CSA_IO_READ][vb * K + k];
				}
				used += any;
			}
			if (used > 1) {
				snprintf(why, whylen, "column %u read from %u copies",
					 c, used);
				return false;
			}
		}
	}
	return true;
}

/* The bytes of the range on every copy equal @buf. */
static bool range_on_luns(struct fix *x, uint64_t off, uint64_t len,
			  const uint8_t *buf, char *why, size_t whylen)
{
	uint8_t *images[MAX_ARRAYS * LUNS_PER_ARRAY];
	unsigned i, k;
	uint64_t b;

	for (i = 0; i < x->nluns; i++)
		images[i] = x->luns[i].data;
	for (b = 0; b < len; b++)
		for (k = 0; k < x->g.K; k++)
			if (*fix_at(x, off + b, k, images) != buf[b]) {
				snprintf(why, whylen, "volume byte %" PRIu64 " copy %u holds 0x%02x, wrote 0x%02x",
					 off + b, k,
					 *fix_at(x, off + b, k, images),
					 buf[b]);
				return false;
			}
	return true;
}

/* ---- (a), (b), (e): random requests against the shadow ---- */

static void pick_range(struct fix *x, uint64_t *off, uint64_t *len)
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

static void test_random(struct fix *x, unsigned nops)
{
	struct acc a_status = { "each request completes once with 0", 0, 0 };
	struct acc a_data = { "reads return the shadow's bytes", 0, 0 };
	struct acc a_lun = { "written bytes are at the reference LUN/LBA on every copy", 0, 0 };
	struct acc a_place = { "every LUN I/O lies in one copy's extents, in the volume, <= max_io", 0, 0 };
	struct acc a_io = { "requests read/write exactly their blocks (writes: every copy once; reads: once, one copy per column)", 0, 0 };
	struct acc a_early = { "done runs after every LUN I/O completed, never inside submit", 0, 0 };
	uint8_t *buf = malloc(x->g.size);
	char why[256];
	unsigned i;

	for (i = 0; i < nops; i++) {
		int op = below(5) < 3 ? CSA_VREQ_WRITE : CSA_VREQ_READ, ret;
		struct fake_rec *log;
		uint64_t off, len;
		struct req q;
		size_t n;

		pick_range(x, &off, &len);
		if (op == CSA_VREQ_WRITE)
			fill_random(buf, len);
		else
			memset(buf, 0xcc, len);
		fake_log_clear(x->f);
		ret = do_rw(x->v, &q, op, off, len, buf);
		acc(&a_status, ret == 0 && q.calls == 1,
		    "op %d off %" PRIu64 " len %" PRIu64 ": status %d, done ran %d times",
		    op, off, len, ret, q.calls);
		acc(&a_early, q.queued_at_done == 0 && !q.inside_submit,
		    "op %d off %" PRIu64 " len %" PRIu64 ": %u LUN I/Os still queued at done%s",
		    op, off, len, q.queued_at_done,
		    q.inside_submit ? ", done ran inside submit" : "");
		if (op == CSA_VREQ_WRITE) {
			memcpy(x->shadow + off, buf, len);
			acc(&a_lun, range_on_luns(x, off, len, buf, why,
						  sizeof(why)),
			    "write off %" PRIu64 " len %" PRIu64 ": %s", off,
			    len, why);
		} else {
			acc(&a_data, !memcmp(buf, x->shadow + off, len),
			    "read off %" PRIu64 " len %" PRIu64 " differs from the shadow",
			    off, len);
		}
		log = fake_log(x->f, &n);
		if (acc(&a_place, inspect(x, log, n, why, sizeof(why)),
			"op %d off %" PRIu64 " len %" PRIu64 ": %s", op, off,
			len, why))
			acc(&a_io, expect_io(x, op, off, len, why, sizeof(why)),
			    "op %d off %" PRIu64 " len %" PRIu64 ": %s", op,
			    off, len, why);
		free(log);
	}
	acc_report(x->name, &a_status);
	acc_report(x->name, &a_early);
	acc_report(x->name, &a_data);
	acc_report(x->name, &a_lun);
	acc_report(x->name, &a_place);
	acc_report(x->name, &a_io);
	free(buf);
}

/* Batches of concurrent requests on byte-disjoint ranges. */
static void test_batches(struct fix *x, unsigned nbatches)
{
	enum { MAXQ = 16 };
	struct acc a_status = { "concurrent requests complete once with 0", 0, 0 };
	struct acc a_data = { "concurrent reads return the shadow's bytes", 0, 0 };
	unsigned bi;

	for (bi = 0; bi < nbatches; bi++) {
		struct req q[MAXQ], *qp[MAXQ];
		uint64_t off[MAXQ], len[MAXQ];
		uint8_t *buf[MAXQ];
		int op[MAXQ];
		unsigned n = 0, tries, i, j;

		for (tries = 0; tries < 64 && n < MAXQ; tries++) {
			uint64_t o, l;
			bool clash = false;

			pick_range(x, &o, &l);
			if (l > x->g.size / 4)
				continue;
			for (j = 0; j < n && !clash; j++)
				clash = o < off[j] + len[j] && off[j] < o + l;
			if (clash)
				continue;
			off[n] = o;
			len[n] = l;
			op[n] = below(2) ? CSA_VREQ_WRITE : CSA_VREQ_READ;
			buf[n] = malloc(l);
			if (op[n] == CSA_VREQ_WRITE)
				fill_random(buf[n], l);
			else
				memset(buf[n], 0xcc, l);
			n++;
		}
		for (i = 0; i < n; i++) {
			int ret = req_submit(x->v, &q[i], op[i], off[i],
					     len[i], buf[i]);

			qp[i] = &q[i];
			if (ret) {
				/* Counted as a failure, waited for no more. */
				acc(&a_status, false, "submit returned %d", ret);
				q[i].calls = 1;
				q[i].err = ret;
			}
		}
		if (!req_wait(qp, n)) {
			ok(false, "%s: a batch of %u concurrent requests completed within %u ms",
			   x->name, n, WAIT_MS);
			exit(1);
		}
		if (!fake_wait_idle(x->f, WAIT_MS)) {
			ok(false, "%s: the fake went idle after a batch", x->name);
			exit(1);
		}
		for (i = 0; i < n; i++) {
				acc(&a_status, q[i].err == 0 && req_calls(&q[i]) == 1,
			    "op %d off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
			    op[i], off[i], len[i], q[i].err, q[i].calls);
			if (op[i] == CSA_VREQ_READ)
				acc(&a_data, !memcmp(buf[i], x->shadow + off[i],
						     len[i]),
				    "read off %" PRIu64 " len %" PRIu64 " differs from the shadow",
				    off[i], len[i]);
			else
				memcpy(x->shadow + off[i], buf[i], len[i]);
			free(buf[i]);
		}
	}
	acc_report(x->name, &a_status);
	acc_report(x->name, &a_data);
}

/* (a) (b) (e) on one fixture. */
static void run_random(const char *name, unsigned C, unsigned K, uint32_t bs,
		       uint32_t su, uint64_t size, uint32_t max_io,
		       unsigned nops)
{
	struct fix x;
	uint8_t *buf;

	if (fix_open(&x, name, C, K, bs, su, size, max_io, 1, 30)) {
		test_random(&x, nops);
		fix_check_images(&x, "after sequential requests");
		fake_set_delay(x.f, 300);
		test_batches(&x, nops / 10);
		fix_check_images(&x, "after concurrent requests");
		/* And csa_volume_rw, the blocking helper, reads it all. */
		buf = malloc(size);
		alarm(WATCHDOG_S);
		ok(csa_volume_rw(x.v, CSA_VREQ_READ, 0, size, buf) == 0 &&
		   !memcmp(buf, x.shadow, size),
		   "%s: csa_volume_rw reads the whole volume back as the shadow",
		   name);
		free(buf);
	}
	fix_close(&x);
}

/* ---- (c) reads served by another copy ---- */

static void test_read_faults(const char *name, unsigned C, unsigned K)
{
	struct acc a_ok = { "reads with failing copies complete once with 0 and the right bytes", 0, 0 };
	struct acc a_wok = { "writes (unaligned: edge reads) with failing read copies complete once with 0", 0, 0 };
	struct acc a_err = { "reads with every copy failing complete once with -EIO", 0, 0 };
	struct acc a_nth = { "a read whose first LUN read fails is served from another copy", 0, 0 };
	uint8_t *buf;
	struct fix x;
	unsigned i, a, failed_reads = 0;

	if (!fix_open(&x, name, C, K, 512, 2048, 96 * 1024 + 1536, 0, 2, 50)) {
		fix_close(&x);
		return;
	}
	buf = malloc(x.g.size);

	if (K > 1) {
		/*
		 * Least loaded: K reads of one block submitted while nothing
		 * completes go to K different copies, each finding the
		 * copies asked before it loaded.
		 */
		struct req q[CSA_MAX_COPIES], *qp[CSA_MAX_COPIES];
		uint8_t *b[CSA_MAX_COPIES];
		unsigned used = 0, reads = 0, ret_bad = 0;
		struct fake_rec *log;
		size_t n, j;

		fake_log_clear(x.f);
		fake_hold(x.f, true);
		for (i = 0; i < K; i++) {
			b[i] = malloc(512);
			qp[i] = &q[i];
			ret_bad += req_submit(x.v, &q[i], CSA_VREQ_READ,
					      512 * 3, 512, b[i]) != 0;
		}
		log = fake_log(x.f, &n);
		for (j = 0; j < n; j++) {
			int li = fix_lun_index(&x, log[j].array, log[j].lun);

			if (log[j].op != CSA_IO_READ || li < 0)
				continue;
			reads++;
			used |= 1u << x.luns[li].owner[log[j].lba].copy;
		}
		free(log);
		fake_hold(x.f, false);
		if (ret_bad || !req_wait(qp, K)) {
			ok(false, "%s: %u held reads completed once released",
			   name, K);
			exit(1);
		}
		fake_wait_idle(x.f, WAIT_MS);
		ok(reads == K && used == (1u << K) - 1,
		   "%s: %u reads of one block in flight at once go to the %u copies, least loaded first (%u LUN reads, copy mask 0x%x)",
		   name, K, K, reads, used);
		for (i = 0; i < K; i++) {
			ok(q[i].err == 0 && req_calls(&q[i]) == 1 &&
			   !memcmp(b[i], x.shadow + 512 * 3, 512),
			   "%s: ... read %u completes once with the right bytes",
			   name, i);
			free(b[i]);
		}

		/* K - 1 arrays fail every read: each column keeps a copy. */
		for (a = 0; a < K - 1; a++)
			fake_fail_lun(x.f, x.l->arrays[a].name, UINT32_MAX,
				      FAKE_READ, -EIO);
		for (i = 0; i < 150; i++) {
			uint64_t off, len;
			struct fake_rec *log;
			struct req q;
			size_t n, j;
			int ret;

			pick_range(&x, &off, &len);
			fake_log_clear(x.f);
			if (i % 3 == 2) {
				fill_random(buf, len);
				ret = do_rw(x.v, &q, CSA_VREQ_WRITE, off, len,
					    buf);
				acc(&a_wok, ret == 0 && q.calls == 1,
				    "write off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
				    off, len, ret, q.calls);
				if (!ret)
					memcpy(x.shadow + off, buf, len);
			} else {
				memset(buf, 0xcc, len);
				ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len,
					    buf);
				acc(&a_ok, ret == 0 && q.calls == 1 &&
				    !memcmp(buf, x.shadow + off, len),
				    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls, data %s",
				    off, len, ret, q.calls,
				    memcmp(buf, x.shadow + off, len) ?
				    "wrong" : "right");
			}
			log = fake_log(x.f, &n);
			for (j = 0; j < n; j++)
				failed_reads += log[j].op == CSA_IO_READ &&
						log[j].err;
			free(log);
		}
		acc_report(name, &a_ok);
		acc_report(name, &a_wok);
		ok(failed_reads > 0, "%s: the failing copies were tried (%u LUN reads failed and were served elsewhere)",
		   name, failed_reads);
		fix_check_images(&x, "after writes with failing reads");

		/* The first LUN read of a request fails, once. */
		fake_clear_faults(x.f);
		for (i = 0; i < 40; i++) {
			uint64_t off, len;
			struct req q;
			int ret;

			pick_range(&x, &off, &len);
			memset(buf, 0xcc, len);
			fake_fail_nth(x.f, 1, FAKE_READ, -EIO);
			ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len, buf);
			acc(&a_nth, ret == 0 && q.calls == 1 &&
			    !memcmp(buf, x.shadow + off, len),
			    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
			    off, len, ret, q.calls);
		}
		acc_report(name, &a_nth);
	}

	/* Every copy fails: the caller sees the error, once. */
	fake_clear_faults(x.f);
	for (a = 0; a < x.g.nr_arrays; a++)
		fake_fail_lun(x.f, x.l->arrays[a].name, UINT32_MAX, FAKE_READ,
			      -EIO);
	for (i = 0; i < 30; i++) {
		uint64_t off, len;
		struct req q;
		int ret;

		pick_range(&x, &off, &len);
		ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len, buf);
		acc(&a_err, ret == -EIO && q.calls == 1,
		    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
		    off, len, ret, q.calls);
	}
	acc_report(name, &a_err);

	/* -ETIMEDOUT everywhere comes back as -ETIMEDOUT. */
	fake_clear_faults(x.f);
	for (a = 0; a < x.g.nr_arrays; a++)
		fake_fail_lun(x.f, x.l->arrays[a].name, UINT32_MAX, FAKE_READ,
			      -ETIMEDOUT);
	{
		struct req q;
		int ret = do_rw(x.v, &q, CSA_VREQ_READ, 100, 5000, buf);

		ok(ret == -ETIMEDOUT && q.calls == 1,
		   "%s: a read timing out on every copy completes once with -ETIMEDOUT (got %d, %d calls)",
		   name, ret, q.calls);
	}

	/* An unaligned write whose edge block cannot be read fails, once. */
	{
		struct req q;
		int ret;

		fill_random(buf, 10);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 3, 10, buf);
		ok(ret == -ETIMEDOUT && q.calls == 1,
		   "%s: an unaligned write whose edge block no copy can read completes once with its error (got %d, %d calls)",
		   name, ret, q.calls);
		/* The write may or may not have landed: make it known. */
		fake_clear_faults(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 3, 10, buf);
		memcpy(x.shadow + 3, buf, 10);
		ok(ret == 0, "%s: the same write succeeds once the faults are gone",
		   name);
	}

	/* Reads that avoid the failing LUN succeed, those that touch it do
	 * not (K == 1 only: otherwise another copy serves them). */
	if (K == 1) {
		const struct gext *ge = &x.g.ext[0][0];
		unsigned good = 0, bad = 0;
		uint64_t vb;

		fake_clear_faults(x.f);
		fake_fail_lun(x.f, x.l->arrays[ge->array].name, ge->lun,
			      FAKE_READ, -EIO);
		for (vb = 0; vb < x.nvb; vb++) {
			const struct vloc *p = &x.loc[vb];
			const struct flun *fl = &x.luns[p->lun];
			bool on_bad = fl->array == ge->array &&
				      fl->lun == ge->lun;
			struct req q;
			int ret;

			ret = do_rw(x.v, &q, CSA_VREQ_READ, vb * 512 + 7, 500,
				    buf);
			if (on_bad)
				bad += ret == -EIO && q.calls == 1;
			else
				good += ret == 0 && q.calls == 1 &&
					!memcmp(buf, x.shadow + vb * 512 + 7,
						500);
			if (!(on_bad ? ret == -EIO : ret == 0))
				diag("block %" PRIu64 " (%s): status %d",
				     vb, on_bad ? "failing LUN" : "good LUN",
				     ret);
		}
		ok(good + bad == x.nvb, "%s: with one copy, reads of blocks on a LUN failing reads get -EIO, the others succeed (%u + %u of %" PRIu64 ")",
		   name, good, bad, x.nvb);
	}

	fake_clear_faults(x.f);
	fix_check_images(&x, "after the read faults");
	free(buf);
	fix_close(&x);
}

/* ---- (d) writes with a failing copy ---- */

static void test_write_faults(void)
{
	const char *name = "write faults";
	uint8_t *buf;
	struct fix x;
	unsigned a, i, col, bad;
	uint64_t size = 64 * 1024 + 512, co;
	struct {
		uint64_t off, len;
		int err;
		bool fail_last;
	} cases[] = {
		{ 0, 16384, -EIO, false },	/* aligned, all columns */
		{ 1000, 9000, -EIO, false },	/* unaligned */
		{ 512, 1024, -ETIMEDOUT, false },
		{ 4096, 8192, -EIO, true },	/* the failing copy last */
		{ 7, 5, -EIO, true },
	};

	if (!fix_open(&x, name, 3, 2, 512, 1024, size, 0, 2, 0)) {
		fix_close(&x);
		return;
	}
	buf = malloc(size);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req q;
		int ret;

		/*
		 * The array of copy 0 of the first byte's column fails
		 * writes; the others answer slowly (or it does).
		 */
		ref_column(&x.g, cases[i].off, &col, &co);
		bad = x.g.ext[col * x.g.K][0].array;
		for (a = 0; a < x.g.nr_arrays; a++)
			fake_set_lun_delay(x.f, x.l->arrays[a].name,
					   UINT32_MAX,
					   (a == bad) == cases[i].fail_last ?
					   30000 : 0);
		fake_fail_lun(x.f, x.l->arrays[bad].name, UINT32_MAX,
			      FAKE_WRITE, cases[i].err);
		fake_log_clear(x.f);
		fill_random(buf, cases[i].len);
		ret = req_submit_snap(x.v, &q, CSA_VREQ_WRITE, cases[i].off,
				      cases[i].len, buf, true);
		if (ret == 0) {
			struct req *one = &q;

			if (!req_wait(&one, 1)) {
				ok(false, "%s: write completed within %u ms",
				   name, WAIT_MS);
				exit(1);
			}
			fake_wait_idle(x.f, WAIT_MS);
			sleep_ms(20);
		}
		ok(ret == 0 && q.err == cases[i].err && req_calls(&q) == 1,
		   "%s: write off %" PRIu64 " len %" PRIu64 " with its copy on %s failing (%s) completes once with %d (got submit %d, status %d, %d calls)",
		   name, cases[i].off, cases[i].len, x.l->arrays[bad].name,
		   cases[i].fail_last ? "last" : "first", cases[i].err, ret,
		   q.err, req_calls(&q));
		ok(ret == 0 && q.queued_at_done == 0 && q.all_completed_at_done,
		   "%s: ... and only after all its LUN I/Os completed (%u still queued at done)",
		   name, q.queued_at_done);
		/* Put the range back in a known state. */
		fake_clear_faults(x.f);
		for (a = 0; a < x.g.nr_arrays; a++)
			fake_set_lun_delay(x.f, x.l->arrays[a].name,
					   UINT32_MAX, 0);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, cases[i].off,
			    cases[i].len, buf);
		if (!ret)
			memcpy(x.shadow + cases[i].off, buf, cases[i].len);
		ok(ret == 0, "%s: the write succeeds again without the fault",
		   name);
	}

	/* Held: nothing completes, so neither may the request. */
	{
		struct req q, *one = &q;
		int ret;

		fake_hold(x.f, true);
		fill_random(buf, 20000);
		ret = req_submit(x.v, &q, CSA_VREQ_WRITE, 512, 20000, buf);
		sleep_ms(50);
		ok(ret == 0 && req_calls(&q) == 0 && fake_queued(x.f) > 0,
		   "%s: a write whose LUN I/Os are all held has not completed (%d calls, %u I/Os queued)",
		   name, req_calls(&q), fake_queued(x.f));
		fake_hold(x.f, false);
		if (ret == 0 && !req_wait(&one, 1)) {
			ok(false, "%s: the held write completed once released",
			   name);
			exit(1);
		}
		fake_wait_idle(x.f, WAIT_MS);
		ok(ret == 0 && q.err == 0 && req_calls(&q) == 1,
		   "%s: ... and completes once with 0 when released", name);
		if (!ret)
			memcpy(x.shadow + 512, buf, 20000);
	}

	/* The Nth write I/O fails. */
	for (i = 1; i <= 6; i++) {
		struct req q;
		int ret;

		fill_random(buf, 12000);
		fake_fail_nth(x.f, i, FAKE_WRITE, -EIO);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 300, 12000, buf);
		ok(ret == -EIO && q.calls == 1,
		   "%s: a write whose write I/O #%u fails completes once with -EIO (got %d, %d calls)",
		   name, i, ret, q.calls);
		fake_clear_faults(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 300, 12000, buf);
		if (!ret)
			memcpy(x.shadow + 300, buf, 12000);
	}
	fix_check_images(&x, "after the write faults and rewrites");
	free(buf);
	fix_close(&x);
}

/* ---- (f) concurrent writers of neighbouring bytes ---- */

#define CW_THREADS	8
#define CW_WRITES	500
#define CW_CHUNK	8

struct cw {
	struct fix *x;
	unsigned t;
	uint64_t base, span;
	uint64_t rng;
	uint8_t *mine;		/* [span]: last value this thread wrote */
	unsigned long bad_status, bad_readback, timeouts;
	struct req q;
};

static void *cw_thread(void *arg)
{
	struct cw *c = arg;
	unsigned nchunks = (unsigned)(c->span / CW_CHUNK), i;
	uint8_t data[CW_CHUNK];
	struct req *one = &c->q;

	for (i = 0; i < CW_WRITES; i++) {
		/* One of this thread's chunks: j % CW_THREADS == t. */
		unsigned j = (unsigned)(rnd_r(&c->rng) %
					(nchunks / CW_THREADS)) *
			     CW_THREADS + c->t;
		unsigned n = 1 + (unsigned)(rnd_r(&c->rng) % (CW_CHUNK - 1));
		unsigned at = (unsigned)(rnd_r(&c->rng) % (CW_CHUNK - n + 1));
		uint64_t off = (uint64_t)j * CW_CHUNK + at;
		unsigned b;

		for (b = 0; b < n; b++)
			data[b] = (uint8_t)(c->t << 5 | ((i + b) & 31));
		if (req_submit(c->x->v, &c->q, CSA_VREQ_WRITE, c->base + off,
			       n, data) ||
		    !req_wait(&one, 1)) {
			c->timeouts++;
			return NULL;
		}
		if (c->q.err || req_calls(&c->q) != 1)
			c->bad_status++;
		memcpy(c->mine + off, data, n);
		if (i % 10 == 9) {
			/* Read my whole chunk back: my bytes, last values. */
			uint8_t back[CW_CHUNK];

			off = (uint64_t)j * CW_CHUNK;
			if (req_submit(c->x->v, &c->q, CSA_VREQ_READ,
				       c->base + off, CW_CHUNK, back) ||
			    !req_wait(&one, 1)) {
				c->timeouts++;
				return NULL;
			}
			if (c->q.err || memcmp(back, c->mine + off, CW_CHUNK))
				c->bad_readback++;
		}
	}
	return NULL;
}

static void test_concurrent_writers(void)
{
	const char *name = "concurrent unaligned writers";
	struct cw c[CW_THREADS];
	pthread_t th[CW_THREADS];
	unsigned long bad_status = 0, bad_readback = 0, timeouts = 0;
	uint64_t base = 512, span = 4 * 512, b;
	uint8_t *final, *back;
	struct fix x;
	unsigned t;
	bool good = true;

	/* 4 blocks at 512: columns 0, 1, 1, 0 (su 1 KiB, 2 columns), 2 copies. */
	if (!fix_open(&x, name, 2, 2, 512, 1024, 32 * 1024, 0, 3, 200)) {
		fix_close(&x);
		return;
	}
	final = malloc(span);
	back = malloc(span);
	memcpy(final, x.shadow + base, span);
	for (t = 0; t < CW_THREADS; t++) {
		c[t] = (struct cw){ .x = &x, .t = t, .base = base,
				    .span = span,
				    .rng = seed + 1000 * (t + 1) };
		c[t].mine = malloc(span);
		memcpy(c[t].mine, x.shadow + base, span);
		pthread_create(&th[t], NULL, cw_thread, &c[t]);
	}
	for (t = 0; t < CW_THREADS; t++) {
		unsigned j;

		pthread_join(th[t], NULL);
		bad_status += c[t].bad_status;
		bad_readback += c[t].bad_readback;
		timeouts += c[t].timeouts;
		/* This thread's chunks hold its last values. */
		for (j = t; j < span / CW_CHUNK; j += CW_THREADS)
			memcpy(final + j * CW_CHUNK, c[t].mine + j * CW_CHUNK,
			       CW_CHUNK);
		free(c[t].mine);
	}
	if (timeouts) {
		ok(false, "%s: every request completed within %u ms (%lu did not)",
		   name, WAIT_MS, timeouts);
		exit(1);
	}
	ok(!bad_status, "%s: %u threads x %u writes of 1-7 bytes complete once with 0 (%lu did not)",
	   name, CW_THREADS, CW_WRITES, bad_status);
	ok(!bad_readback, "%s: each thread reads its own last bytes back while the others write (%lu reads wrong)",
	   name, bad_readback);
	fake_wait_idle(x.f, WAIT_MS);
	memcpy(x.shadow + base, final, span);
	{
		struct req q;
		int ret = do_rw(x.v, &q, CSA_VREQ_READ, base, span, back);

		for (b = 0; b < span && good; b++)
			if (ret || back[b] != final[b]) {
				good = false;
				diag("byte %" PRIu64 " (thread %u's) reads 0x%02x, its last write was 0x%02x (status %d)",
				     base + b, (unsigned)(b / CW_CHUNK) % CW_THREADS,
				     back[b], final[b], ret);
			}
	}
	ok(good, "%s: every byte holds its last writer's value (no write lost)",
	   name);
	fix_check_images(&x, "after the concurrent writers");
	free(final);
	free(back);
	fix_close(&x);
}

/* ---- (g) flush ---- */

/* The set of fix LUN indexes holding volume bytes [off, off + len), all
 * copies, as a bit mask. */
static unsigned luns_of(const struct fix *x, uint64_t off, uint64_t len)
{
	unsigned mask = 0, k;
	uint64_t vb;

	for (vb = off / x->g.bs; vb < (off + len + x->g.bs - 1) / x->g.bs; vb++)
		for (k = 0; k < x->g.K; k++)
			mask |= 1u << x->loc[vb * x->g.K + k].lun;
	return mask;
}

/* SYNCs in the log as a LUN mask; false if one LUN got two or another op
 * was sent. */
static bool syncs_of(const struct fix *x, unsigned *mask, unsigned *count)
{
	struct fake_rec *log;
	size_t n, i;
	bool good = true;

	log = fake_log(x->f, &n);
	*mask = 0;
	*count = 0;
	for (i = 0; i < n; i++) {
		int li = fix_lun_index(x, log[i].array, log[i].lun);

		if (log[i].op != CSA_IO_SYNC || li < 0 ||
		    (*mask & 1u << li))
			good = false;
		else
			*mask |= 1u << li;
		(*count)++;
	}
	free(log);
	return good;
}

static void test_flush(void)
{
	const char *name = "flush";
	unsigned mask, count, want;
	uint8_t buf[8192];
	bool once;
	struct req q;
	struct fix x;
	int ret;

	if (!fix_open(&x, name, 3, 2, 512, 1024, 48 * 1024, 0, 1, 20)) {
		fix_close(&x);
		return;
	}
	/* Start clean. */
	ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
	ok(ret == 0 && q.calls == 1, "%s: a first flush completes once with 0 (got %d, %d calls)",
	   name, ret, q.calls);

	/* One aligned block: the LUNs of its copies. */
	fill_random(buf, 512);
	do_rw(x.v, &q, CSA_VREQ_WRITE, 2048, 512, buf);
	memcpy(x.shadow + 2048, buf, 512);
	fake_log_clear(x.f);
	ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
	want = luns_of(&x, 2048, 512);
	once = syncs_of(&x, &mask, &count);
	ok(ret == 0 && q.calls == 1 && once && mask == want,
	   "%s: after a one-block write, SYNC goes once to each LUN of its copies and nowhere else (LUN mask 0x%x, want 0x%x, %u SYNCs)",
	   name, mask, want, count);

	/* Unaligned, across columns. */
	fill_random(buf, 3000);
	do_rw(x.v, &q, CSA_VREQ_WRITE, 20000 + 3, 3000, buf);
	memcpy(x.shadow + 20003, buf, 3000);
	fake_log_clear(x.f);
	ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
	want = luns_of(&x, 20003, 3000);
	once = syncs_of(&x, &mask, &count);
	ok(ret == 0 && q.calls == 1 && once && mask == want,
	   "%s: after an unaligned write across columns, SYNC goes once to exactly the LUNs written (LUN mask 0x%x, want 0x%x, %u SYNCs)",
	   name, mask, want, count);

	/* Reads do not dirty. */
	do_rw(x.v, &q, CSA_VREQ_READ, 0, 8192, buf);
	fake_log_clear(x.f);
	ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
	syncs_of(&x, &mask, &count);
	ok(ret == 0 && q.calls == 1,
	   "%s: a flush with nothing written completes once with 0", name);
	ok(count <= 1, "%s: ... sending at most one SYNC (%u sent, LUN mask 0x%x)",
	   name, count, mask);
	if (count)
		diag("a flush with nothing written since the last one still sent %u SYNC (LUN mask 0x%x): volume.h says only LUNs written since the last flush",
		     count, mask);

	/* A failing SYNC: the error, once; the next flush tries again. */
	fill_random(buf, 512);
	do_rw(x.v, &q, CSA_VREQ_WRITE, 0, 512, buf);
	memcpy(x.shadow, buf, 512);
	want = luns_of(&x, 0, 512);
	{
		unsigned li = (unsigned)__builtin_ctz(want);

		fake_fail_lun(x.f, x.l->arrays[x.luns[li].array].name,
			      x.luns[li].lun, FAKE_SYNC, -EIO);
		fake_log_clear(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
		ok(ret == -EIO && q.calls == 1,
		   "%s: a flush whose SYNC fails on one LUN completes once with -EIO (got %d, %d calls)",
		   name, ret, q.calls);
		fake_clear_faults(x.f);
		fake_log_clear(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
		syncs_of(&x, &mask, &count);
		ok(ret == 0 && (mask & 1u << li),
		   "%s: the next flush syncs the LUN whose SYNC failed again (LUN mask 0x%x)",
		   name, mask);
	}
	/*
	 * A write still in flight when a flush is sent, completing after
	 * that flush's SYNC: the caller saw it complete before the next
	 * flush, so the next flush must sync its LUNs.
	 */
	{
		struct req w, *wp = &w, fq, *fp = &fq;
		unsigned i;
		bool both_ok;

		ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
		want = luns_of(&x, 4096, 512);
		for (i = 0; i < x.nluns; i++)
			if (want & 1u << i)
				fake_set_lun_delay(x.f,
					x.l->arrays[x.luns[i].array].name,
					x.luns[i].lun, 200000);
		fill_random(buf, 512);
		ret = req_submit(x.v, &w, CSA_VREQ_WRITE, 4096, 512, buf);
		for (i = 0; i < x.nluns; i++)
			fake_set_lun_delay(x.f,
				x.l->arrays[x.luns[i].array].name,
				x.luns[i].lun, 0);
		ret |= req_submit(x.v, &fq, CSA_VREQ_FLUSH, 0, 0, NULL);
		if (ret || !req_wait(&fp, 1) || !req_wait(&wp, 1)) {
			ok(false, "%s: a write and a flush in flight together complete",
			   name);
			exit(1);
		}
		fake_wait_idle(x.f, WAIT_MS);
		both_ok = req_calls(&w) == 1 && w.err == 0 &&
			  req_calls(&fq) == 1 && fq.err == 0;
		memcpy(x.shadow + 4096, buf, 512);
		fake_log_clear(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
		syncs_of(&x, &mask, &count);
		/* A flush that waited for the write may have covered it. */
		if (fq.done_seq > w.done_seq)
			want = 0;
		ok(both_ok && ret == 0 && (mask & want) == want,
		   "%s: a write that completes after a flush's SYNC is synced by the next flush (LUN mask 0x%x, want at least 0x%x)",
		   name, mask, want);
	}
	fix_check_images(&x, "after the flushes");
	fix_close(&x);
}

/* ---- (h) submit refuses bad requests ---- */

static void test_einval(void)
{
	const char *name = "bad requests";
	struct fix x;
	uint8_t buf[4096];
	uint64_t size = 16 * 1024 + 1024;
	struct {
		int op;
		uint64_t off, len;
		const char *what;
	} cases[] = {
		{ CSA_VREQ_READ, 0, 0, "a read of length 0" },
		{ CSA_VREQ_WRITE, 100, 0, "a write of length 0" },
		{ CSA_VREQ_READ, size - 1, 2, "a read one byte past the end" },
		{ CSA_VREQ_WRITE, size, 1, "a write starting at the end" },
		{ CSA_VREQ_READ, 0, size + 512, "a read longer than the volume" },
		{ CSA_VREQ_WRITE, size + 4096, 512, "an aligned write past the end" },
		{ CSA_VREQ_READ, UINT64_MAX - 10, 20, "a read whose end wraps around" },
		{ CSA_VREQ_WRITE, 512, UINT64_MAX - 100, "a write whose end wraps around" },
		{ 3, 0, 512, "an unknown op" },
		{ 200, 0, 512, "op 200" },
	};
	struct req q[sizeof(cases) / sizeof(cases[0])];
	unsigned i, n = sizeof(cases) / sizeof(cases[0]);
	size_t nlog;
	struct fake_rec *log;

	if (!fix_open(&x, name, 2, 2, 512, 1024, size, 0, 1, 0)) {
		fix_close(&x);
		return;
	}
	fake_log_clear(x.f);
	for (i = 0; i < n; i++) {
		int ret = req_submit(x.v, &q[i], cases[i].op, cases[i].off,
				     cases[i].len, buf);

		ok(ret == -EINVAL, "%s: submit refuses %s (off %" PRIu64 " len %" PRIu64 ") with -EINVAL (got %d)",
		   name, cases[i].what, cases[i].off, cases[i].len, ret);
	}
	fake_wait_idle(x.f, WAIT_MS);
	sleep_ms(50);
	for (i = 0; i < n && !req_calls(&q[i]); i++)
		;
	ok(i == n, "%s: done never runs for a refused request", name);
	log = fake_log(x.f, &nlog);
	free(log);
	ok(nlog == 0, "%s: a refused request sends no I/O (%zu sent)", name,
	   nlog);

	/* The edges themselves are fine. */
	{
		struct req r;
		int ret;

		ret = do_rw(x.v, &r, CSA_VREQ_READ, size - 1, 1, buf);
		ok(ret == 0 && r.calls == 1 && buf[0] == x.shadow[size - 1],
		   "%s: the last byte reads (got %d)", name, ret);
		ret = do_rw(x.v, &r, CSA_VREQ_FLUSH, 0, 0, NULL);
		ok(ret == 0 && r.calls == 1,
		   "%s: a flush with off and len 0 is accepted (got %d)", name,
		   ret);
	}
	fix_close(&x);
}

/* ---- (i) open refuses LUNs that do not fit ---- */

/*
 * A layout of C columns, K copies over 3 arrays, and a fake whose target
 * LUN (the one of the first extent of column 0 copy 0) has @bs_override-byte
 * blocks or @blocks_delta more blocks than its extents need, or is not
 * made at all when @missing; the arrays named in @refuse (NULL-terminated)
 * refuse logins. Returns csa_volume_open's result; *@expect_down is set
 * when some column has every copy on a refused array.
 */
struct open_try {
	unsigned K;
	uint32_t bs_override;
	int64_t blocks_delta;
	bool missing;
	const char *refuse[3];
	/* out */
	char err[256];
	long handles_left;
	unsigned long max_opens;
	bool degraded;
	bool column_lost;
};

static int try_open(struct open_try *t)
{
	struct csa_transport tp;
	struct csa_volume *v = NULL;
	struct csa_layout *l;
	struct fake *f;
	struct gen g;
	unsigned a, i, c, k;
	int ret;

	gen_make(&g, 3, t->K, 3, 512, 1024, 30 * 1024 + 512, 3);
	l = gen_build(&g);
	if (!l)
		return -ENOMEM;
	f = fake_new(1, seed);
	for (a = 0; a < g.nr_arrays; a++)
		for (i = 0; i < LUNS_PER_ARRAY; i++) {
			uint64_t end = gen_lun_end(&g, a, i);
			bool target = g.ext[0][0].array == a &&
				      g.ext[0][0].lun == i;
			uint32_t bs = 512;

			if (!end || (t->missing && target))
				continue;
			if (target) {
				end = (uint64_t)((int64_t)end + t->blocks_delta);
				if (t->bs_override)
					bs = t->bs_override;
			}
			fake_add_lun(f, l->arrays[a].name, i, bs, end);
		}
	t->column_lost = false;
	for (c = 0; c < g.C; c++) {
		unsigned down = 0;

		for (k = 0; k < g.K; k++) {
			bool refused = false;

			for (i = 0; i < 3 && t->refuse[i]; i++)
				refused = refused ||
					  !strcmp(t->refuse[i],
						  l->arrays[g.ext[c * g.K + k][0].array].name);
			down += refused;
		}
		t->column_lost = t->column_lost || down == g.K;
	}
	for (i = 0; i < 3 && t->refuse[i]; i++)
		fake_fail_open(f, t->refuse[i], -ECONNREFUSED);
	tp = fake_transport(f);
	t->err[0] = 0;
	ret = csa_volume_open(l, &tp, NULL, &v, t->err, sizeof(t->err));
	t->max_opens = 0;
	for (a = 0; a < g.nr_arrays; a++)
		for (i = 0; i < LUNS_PER_ARRAY; i++) {
			unsigned long n = fake_open_calls(f, l->arrays[a].name,
							  i);

			if (n > t->max_opens)
				t->max_opens = n;
		}
	t->degraded = false;
	if (!ret) {
		t->degraded = csa_volume_degraded(v);
		csa_volume_close(v);
	}
	t->handles_left = fake_open_handles(f, NULL, 0);
	fake_free(f);
	csa_layout_free(l);
	return ret;
}

static void test_open(void)
{
	struct open_try t;
	int ret;

	t = (struct open_try){ .K = 2 };
	ret = try_open(&t);
	ok(ret == 0 && t.handles_left == 0 && t.max_opens == 1 && !t.degraded,
	   "open: LUNs exactly as large as their extents open, each once, not degraded, and close (status %d, %ld handles left, at most %lu opens of one LUN)%s%s",
	   ret, t.handles_left, t.max_opens, ret ? ": " : "", t.err);

	t = (struct open_try){ .K = 2, .bs_override = 4096 };
	ret = try_open(&t);
	ok(ret < 0 && *t.err && t.handles_left == 0,
	   "open: a LUN with 4096-byte blocks under a 512-byte layout is refused with a sentence, nothing left open (status %d, %ld handles left): %s",
	   ret, t.handles_left, t.err);

	t = (struct open_try){ .K = 2, .blocks_delta = -1 };
	ret = try_open(&t);
	ok(ret < 0 && *t.err && t.handles_left == 0,
	   "open: a LUN one block too small for its extents is refused with a sentence, nothing left open (status %d, %ld handles left): %s",
	   ret, t.handles_left, t.err);

	t = (struct open_try){ .K = 1, .refuse = { "a0", "a1", "a2" } };
	ret = try_open(&t);
	ok(ret < 0 && *t.err && t.handles_left == 0,
	   "open: with one copy, a transport that cannot open the LUNs fails the open with a sentence, nothing left open (status %d, %ld handles left): %s",
	   ret, t.handles_left, t.err);

	t = (struct open_try){ .K = 1, .missing = true };
	ret = try_open(&t);
	ok(ret < 0 && *t.err && t.handles_left == 0,
	   "open: with one copy, a LUN the transport does not have fails the open with a sentence (status %d, %ld handles left): %s",
	   ret, t.handles_left, t.err);

	t = (struct open_try){ .K = 2, .refuse = { "a0", "a1", "a2" } };
	ret = try_open(&t);
	ok(ret < 0 && *t.err && t.handles_left == 0,
	   "open: with two copies and every array refusing, the open fails with a sentence, nothing left open (status %d, %ld handles left): %s",
	   ret, t.handles_left, t.err);

	t = (struct open_try){ .K = 2, .refuse = { "a0", "a1" } };
	ret = try_open(&t);
	ok(t.column_lost ? ret < 0 && *t.err && t.handles_left == 0 :
			   ret == 0 && t.degraded && *t.err,
	   "open: two copies, a0 and a1 refusing: %s (status %d, degraded %d, %ld handles left): %s",
	   t.column_lost ? "a column has no copy left, the open fails" :
			   "every column keeps a copy, the volume opens degraded",
	   ret, t.degraded, t.handles_left, t.err);

	t = (struct open_try){ .K = 2, .missing = true };
	ret = try_open(&t);
	ok(ret == 0 && t.degraded && *t.err && t.handles_left == 0,
	   "open: two copies, one LUN missing: the volume opens degraded and says which LUN (status %d, degraded %d): %s",
	   ret, t.degraded, t.err);
}

/* A volume opened with an array refusing logins: reads only. */
static void test_degraded(void)
{
	const char *name = "degraded";
	struct acc a_read = { "reads with an array down complete once with 0 and the right bytes", 0, 0 };
	struct acc a_where = { "no I/O goes to the array that is down", 0, 0 };
	struct fake_rec *log;
	const char *down;
	uint8_t *buf;
	struct fix x;
	size_t n, j;
	unsigned i;
	int ret;

	fix_refuse = true;
	if (!fix_open(&x, name, 3, 2, 512, 1024, 40 * 1024 + 512, 0, 2, 50)) {
		fix_refuse = false;
		fix_close(&x);
		return;
	}
	fix_refuse = false;
	down = x.l->arrays[x.g.ext[0][0].array].name;
	ok(csa_volume_degraded(x.v), "%s: csa_volume_degraded says so", name);
	buf = malloc(x.g.size);
	fake_log_clear(x.f);
	for (i = 0; i < 100; i++) {
		uint64_t off, len;
		struct req q;

		pick_range(&x, &off, &len);
		memset(buf, 0xcc, len);
		ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len, buf);
		acc(&a_read, ret == 0 && q.calls == 1 &&
		    !memcmp(buf, x.shadow + off, len),
		    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
		    off, len, ret, q.calls);
	}
	log = fake_log(x.f, &n);
	for (j = 0; j < n; j++)
		acc(&a_where, strcmp(log[j].array, down) != 0,
		    "op %u to %s LUN %u lba %" PRIu64, log[j].op, down,
		    log[j].lun, log[j].lba);
	free(log);
	acc_report(name, &a_read);
	acc_report(name, &a_where);
	{
		struct req q;

		ret = req_submit(x.v, &q, CSA_VREQ_WRITE, 512, 512, buf);
		fake_wait_idle(x.f, WAIT_MS);
		sleep_ms(20);
		ok(ret == -ENOTCONN && req_calls(&q) == 0,
		   "%s: a write is refused with -ENOTCONN and done never runs (got %d, %d calls)",
		   name, ret, req_calls(&q));
		ret = do_rw(x.v, &q, CSA_VREQ_FLUSH, 0, 0, NULL);
		ok(ret == 0 && q.calls == 1, "%s: a flush completes once with 0 (got %d)",
		   name, ret);
	}
	fix_check_images(&x, "degraded");
	free(buf);
	fix_close(&x);
}

/* ---- main ---- */

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED");
	pthread_condattr_t ca;

	seed = s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
	rng = seed;
	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change)\n", seed);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wcond, &ca);
	pthread_condattr_destroy(&ca);

	/* (a) (b) (e) */
	run_random("1 column 1 copy", 1, 1, 512, 4096, 40 * 1024 + 1536, 0, 300);
	run_random("3 columns 2 copies", 3, 2, 512, 1024, 60 * 1024 + 2560, 0, 300);
	run_random("4 columns 3 copies max_io 1 KiB", 4, 3, 512, 512, 50 * 1024 + 512, 1024, 300);
	run_random("2 columns 2 copies 4 KiB blocks", 2, 2, 4096, 8192, 200 * 1024 + 4096, 0, 200);
	run_random("5 columns 1 copy max_io 4 KiB", 5, 1, 512, 2048, 90 * 1024 + 1024, 4096, 200);
	/* (c) */
	test_read_faults("read faults 2 copies", 3, 2);
	test_read_faults("read faults 3 copies", 2, 3);
	test_read_faults("read faults 1 copy", 2, 1);
	/* (d) */
	test_write_faults();
	/* (f) */
	test_concurrent_writers();
	/* (g) */
	test_flush();
	/* (h) */
	test_einval();
	/* (i) */
	test_open();
	test_degraded();

	alarm(0);
	pthread_cond_destroy(&wcond);
	return status;
}
