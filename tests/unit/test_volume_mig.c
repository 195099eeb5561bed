// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A volume being migrated (volume.h: csa_volume_open_migrating, region
 * locks) over the fake transport.
 *
 * Layouts are written out by hand here, one extent per column copy, and a
 * reference of a few lines (loc) says where volume byte x lives on each
 * side: column (x / su) % C, LUN byte start * bs + row * su + x % su. The
 * test keeps the region states it expects, the bytes the volume must hold
 * (shadow) and every LUN as it must be (expect), and checks:
 *
 *   test_open_errors  sizes that differ, an invalid `to`, a side that
 *                     cannot be opened (err names it, nothing left open),
 *                     the region calls on an ordinary volume
 *   test_data         `to` with one column moved, and `to` with another
 *                     column count: the layouts and states reported; reads
 *                     from the side each region's state names; writes
 *                     (aligned, unaligned, across regions in both states)
 *                     land there and nowhere else; flush reaches both
 *   test_locks        lock with I/O in flight (also inside a piece that
 *                     spans regions) returns 0 and the drained callback
 *                     runs once, after that I/O; held requests wait for
 *                     their unlock (per region), go to the side of the new
 *                     state in arrival order; the unheld part of a request
 *                     goes at once; other regions are served meanwhile;
 *                     a copied and migrated region reads from `to`; hold
 *                     statistics; -EINVAL, -EALREADY; an unlock cancels a
 *                     pending drain; close fails a held request
 *   test_degraded     a `from` opened degraded: writes to it refused
 *                     (-ENOTCONN, at submit or through done, never both),
 *                     the other side written, a held write unlocked onto
 *                     the degraded side failed
 *   test_stress       4 threads of reads and writes while a migrator locks,
 *                     copies and unlocks every region, there and back,
 *                     again and again: no byte lost, every read right
 *
 * Every request is checked to complete once and never inside submit.
 * Seed: CSA_TEST_SEED (default below), printed. Every wait is bounded and
 * a watchdog ends a hung program with a failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_transport.h"
#include "striper/layout.h"
#include "striper/volume.h"

#define DEFAULT_SEED	0x6d696772617465ull	/* "migrate" */
#define WAIT_MS		10000
#define WATCHDOG_S	120
#define BS		512u
#define SU		1024u
#define SIZE		(48u * 1024)	/* 24 rows of 2 columns, 16 of 3 */
#define LUN_BLOCKS	256u
#define NLUNS		6
#define NARRAYS		4
#define MAX_REGIONS	64

/* ---- output and random numbers -------------------------------------- */

static int status;
static uint64_t seed, rng;

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

static void watchdog(int sig)
{
	static const char msg[] = "not ok - watchdog: the test hung\n";

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

/* splitmix64 on a state of the caller's. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

static void fill(uint64_t *s, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(s);
}

/* ---- requests ------------------------------------------------------- */

struct req {
	struct csa_vreq r;	/* first */
	/* Protected by wlock. */
	int calls;
	int err;
	bool inside_submit;
	unsigned long seq;	/* completion order */
};

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond;
static _Thread_local bool in_submit;
static unsigned long done_seq;	/* protected by wlock */

static void req_done(struct csa_vreq *r, int err)
{
	struct req *q = (struct req *)r;

	pthread_mutex_lock(&wlock);
	q->calls++;
	q->err = err;
	q->seq = ++done_seq;
	q->inside_submit |= in_submit;
	pthread_cond_broadcast(&wcond);
	pthread_mutex_unlock(&wlock);
}

static int submit(struct csa_volume *v, struct req *q, int op, uint64_t off,
		  uint64_t len, void *buf)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->r = (struct csa_vreq){ .op = (uint8_t)op, .off = off, .len = len,
				  .buf = buf, .done = req_done };
	in_submit = true;
	ret = csa_volume_submit(v, &q->r);
	in_submit = false;
	return ret;
}

/* Wait until *@counter (under wlock) reaches @want; false after WAIT_MS. */
static bool wait_count(const int *counter, int want)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&wlock);
	while (*counter < want)
		if (pthread_cond_timedwait(&wcond, &wlock, &ts) == ETIMEDOUT)
			break;
	done = *counter >= want;
	pthread_mutex_unlock(&wlock);
	return done;
}

static int calls(const struct req *q)
{
	int n;

	pthread_mutex_lock(&wlock);
	n = q->calls;
	pthread_mutex_unlock(&wlock);
	return n;
}

/* A request that never completes leaves the volume owning it: stop. */
static void must_complete(struct req *q, const char *what)
{
	if (!wait_count(&q->calls, 1)) {
		ok(false, "%s completed within %u ms", what, WAIT_MS);
		exit(1);
	}
}

/* Submit, wait; the status, or the submit's error. */
static int do_rw(struct csa_volume *v, int op, uint64_t off, uint64_t len,
		 void *buf)
{
	struct req q;
	int ret = submit(v, &q, op, off, len, buf);

	if (ret)
		return ret;
	must_complete(&q, "a request");
	return q.err;
}

/* Done exactly once and never inside submit, for every request checked. */
static unsigned long once_checks, once_bad;

static void check_once(const struct req *q, const char *what)
{
	pthread_mutex_lock(&wlock);
	once_checks++;
	if (q->calls != 1 || q->inside_submit) {
		if (!once_bad++)
			printf("# %s: done ran %d times%s\n", what, q->calls,
			       q->inside_submit ? ", inside submit" : "");
	}
	pthread_mutex_unlock(&wlock);
}

/* ---- drained callbacks ---------------------------------------------- */

struct drained {
	struct fake *f;
	/* Protected by wlock. */
	int calls;
	uint64_t region;
	bool all_io_done;	/* every LUN I/O logged had completed */
};

static void on_drained(void *arg, uint64_t region)
{
	struct drained *d = arg;
	struct fake_rec *log;
	bool all = true;
	size_t n, i;

	log = fake_log(d->f, &n);
	for (i = 0; i < n; i++)
		all = all && log[i].completed;
	free(log);
	pthread_mutex_lock(&wlock);
	d->calls++;
	d->region = region;
	d->all_io_done = all;
	pthread_cond_broadcast(&wcond);
	pthread_mutex_unlock(&wlock);
}

static int drained_calls(struct drained *d)
{
	int n;

	pthread_mutex_lock(&wlock);
	n = d->calls;
	pthread_mutex_unlock(&wlock);
	return n;
}

/* ---- layouts and the reference -------------------------------------- */

static const struct {
	const char *array;
	uint32_t lun;
} lun_names[NLUNS] = {
	{ "a1", 0 }, { "a1", 1 }, { "a2", 0 }, { "a3", 0 }, { "a3", 1 },
	{ "a4", 0 },
};

struct col {
	unsigned lun;		/* index in lun_names */
	uint64_t start;		/* LBA */
};

struct shape {
	const char *name;
	unsigned C, K;
	struct col col[3][2];	/* [column][copy] */
};

/* 2 columns on a1, a2 */
static const struct shape from2 = { "2 columns on a1 a2", 2, 1,
	{ { { 0, 8 } }, { { 2, 16 } } } };
/* the same with the column on a2 moved to a3 */
static const struct shape to_moved = { "column of a2 moved to a3", 2, 1,
	{ { { 0, 8 } }, { { 3, 4 } } } };
/* 3 columns elsewhere */
static const struct shape to3 = { "3 columns on a3 a4 a1", 3, 1,
	{ { { 4, 0 } }, { { 5, 10 } }, { { 1, 2 } } } };
/* 2 columns of 2 copies: column 0 on a1 and a2, column 1 on a2 and a3 */
static const struct shape from2x2 = { "2 columns 2 copies", 2, 2,
	{ { { 0, 8 }, { 2, 120 } }, { { 2, 16 }, { 4, 8 } } } };
/* 2 columns on a3, a4 */
static const struct shape to_a3a4 = { "2 columns on a3 a4", 2, 1,
	{ { { 3, 4 } }, { { 5, 0 } } } };

static unsigned array_index(const char *name)
{
	return (unsigned)(name[1] - '1');
}

/* Bytes of copy (c, k) and the layout's region bytes (1 row). */
static uint64_t col_bytes(const struct shape *s)
{
	uint64_t row = (uint64_t)SU * s->C;

	return (SIZE + row - 1) / row * SU;
}

static struct csa_layout *build(const struct shape *s, const uint8_t *states)
{
	struct csa_layout *l = csa_layout_alloc(NARRAYS, s->C, s->K);
	unsigned a, c, k;

	if (!l)
		return NULL;
	for (a = 0; a < NARRAYS; a++) {
		struct csa_array_ref *r = &l->arrays[a];

		snprintf(r->name, sizeof(r->name), "a%u", a + 1);
		snprintf(r->portal, sizeof(r->portal), "127.0.0.1:%u",
			 3260 + a);
		snprintf(r->target, sizeof(r->target),
			 "iqn.2026-01.test:a%u", a + 1);
	}
	l->size = SIZE;
	l->block_size = BS;
	l->stripe_unit = SU;
	l->region_rows = 1;
	for (c = 0; c < s->C; c++)
		for (k = 0; k < s->K; k++) {
			const struct col *x = &s->col[c][k];

			if (csa_layout_set_extents(l, c, k, 1))
				goto fail;
			csa_layout_copy(l, c, k)->extents[0] =
				(struct csa_extent){
					array_index(lun_names[x->lun].array),
					lun_names[x->lun].lun, x->start,
					col_bytes(s) / BS };
		}
	if (csa_layout_init_regions(l))
		goto fail;
	if (states)
		memcpy(l->region_state, states, l->nr_regions);
	return l;
fail:
	csa_layout_free(l);
	return NULL;
}

/* Where volume byte @x of copy @k is: LUN *@lun, byte returned. */
static uint64_t loc(const struct shape *s, unsigned k, uint64_t x,
		    unsigned *lun)
{
	unsigned c = (unsigned)((x / SU) % s->C);
	uint64_t row = x / ((uint64_t)SU * s->C);
	const struct col *p = &s->col[c][k];

	*lun = p->lun;
	return p->start * BS + row * SU + x % SU;
}

/* ---- the fixture ---------------------------------------------------- */

struct mfix {
	const char *name;
	struct fake *f;
	const struct shape *from, *to;
	struct csa_layout *lf, *lt;
	struct csa_volume *v;
	uint64_t rbytes, nregions;	/* `to`'s */
	uint8_t state[MAX_REGIONS];	/* what the test expects */
	uint8_t *data[NLUNS];		/* the fake's memory */
	uint8_t *expect[NLUNS];		/* what it must hold */
	uint8_t shadow[SIZE];		/* what the volume must hold */
};

static const struct shape *side_of(const struct mfix *x, uint64_t vbyte)
{
	return x->state[vbyte / x->rbytes] == CSA_REGION_MIGRATED ? x->to :
								    x->from;
}

/* The byte of @img that holds volume byte @vbyte on @s, copy @k. */
static uint8_t *at(uint8_t *const *img, const struct shape *s, unsigned k,
		   uint64_t vbyte)
{
	unsigned lun;
	uint64_t b = loc(s, k, vbyte, &lun);

	return img[lun] + b;
}

/* The volume now holds @buf at @off (on the side the state names). */
static void landed(struct mfix *x, uint64_t off, uint64_t len,
		   const uint8_t *buf)
{
	uint64_t i;
	unsigned k;

	for (i = 0; i < len; i++) {
		const struct shape *s = side_of(x, off + i);

		x->shadow[off + i] = buf[i];
		for (k = 0; k < s->K; k++)
			*at(x->expect, s, k, off + i) = buf[i];
	}
}

/* The test copies region @r from one side to the other (the migrator's
 * job), into the LUNs and their expected images alike. */
static void copy_region(struct mfix *x, uint64_t r, const struct shape *src,
			const struct shape *dst)
{
	uint64_t b, end = (r + 1) * x->rbytes < SIZE ? (r + 1) * x->rbytes :
						       SIZE;
	unsigned k;

	for (b = r * x->rbytes; b < end; b++)
		for (k = 0; k < dst->K; k++) {
			*at(x->data, dst, k, b) = *at(x->data, src, 0, b);
			*at(x->expect, dst, k, b) = *at(x->data, src, 0, b);
		}
}

static bool images_ok(struct mfix *x, const char *when)
{
	unsigned i;
	uint64_t b;

	for (i = 0; i < NLUNS; i++)
		for (b = 0; b < LUN_BLOCKS * BS; b++)
			if (x->data[i][b] != x->expect[i][b])
				return ok(false, "%s: %s: %s LUN %u byte %" PRIu64 " holds 0x%02x, want 0x%02x",
					  x->name, when, lun_names[i].array,
					  lun_names[i].lun, b, x->data[i][b],
					  x->expect[i][b]);
	return ok(true, "%s: %s: every LUN byte as expected", x->name, when);
}

/* A volume read of [off, off + len) equals the shadow. */
static bool read_ok(struct mfix *x, uint64_t off, uint64_t len)
{
	uint8_t *buf = malloc(len);
	int ret = do_rw(x->v, CSA_VREQ_READ, off, len, buf);
	bool good = !ret && !memcmp(buf, x->shadow + off, len);

	free(buf);
	return good;
}

/*
 * The fake with random bytes on every LUN, both layouts, and the volume
 * open over them with region states @states.
 */
static bool mfix_open(struct mfix *x, const char *name,
		      const struct shape *from, const struct shape *to,
		      const uint8_t *states, unsigned threads,
		      unsigned delay_us)
{
	struct csa_transport tp;
	char err[256] = "";
	uint64_t b;
	unsigned i, k;
	int ret;

	memset(x, 0, sizeof(*x));
	x->name = name;
	x->from = from;
	x->to = to;
	x->f = fake_new(threads, seed ^ 0x5a5a);
	fake_set_delay(x->f, delay_us);
	for (i = 0; i < NLUNS; i++) {
		fake_add_lun(x->f, lun_names[i].array, lun_names[i].lun, BS,
			     LUN_BLOCKS);
		x->data[i] = fake_lun_data(x->f, lun_names[i].array,
					   lun_names[i].lun, NULL);
		x->expect[i] = malloc(LUN_BLOCKS * BS);
		fill(&rng, x->data[i], LUN_BLOCKS * BS);
	}
	x->lf = build(from, NULL);
	x->lt = build(to, states);
	if (!ok(x->lf && x->lt, "%s: layouts built", name))
		return false;
	x->rbytes = csa_layout_region_bytes(x->lt);
	x->nregions = x->lt->nr_regions;
	memcpy(x->state, x->lt->region_state, x->nregions);
	/* Copies of a column start equal; the volume is what its side says. */
	for (b = 0; b < SIZE; b++) {
		const struct shape *s = side_of(x, b);

		for (k = 1; k < s->K; k++)
			*at(x->data, s, k, b) = *at(x->data, s, 0, b);
		x->shadow[b] = *at(x->data, s, 0, b);
	}
	for (i = 0; i < NLUNS; i++)
		memcpy(x->expect[i], x->data[i], LUN_BLOCKS * BS);
	tp = fake_transport(x->f);
	ret = csa_volume_open_migrating(x->lf, x->lt, &tp, NULL, &x->v, err,
					sizeof(err));
	if (ret)
		x->v = NULL;
	return ok(ret == 0, "%s: csa_volume_open_migrating (%s -> %s, %" PRIu64 " regions)%s%s",
		  name, from->name, to->name, x->nregions, *err ? ": " : "",
		  err);
}

static void mfix_close(struct mfix *x)
{
	char msg[256];
	unsigned long viol;
	unsigned i;

	if (x->v) {
		csa_volume_close(x->v);
		ok(fake_open_handles(x->f, NULL, 0) == 0,
		   "%s: close closes every LUN of both sides", x->name);
	}
	viol = fake_violations(x->f, msg, sizeof(msg));
	ok(viol == 0, "%s: no csa_io contract violation (%lu; first: %s)",
	   x->name, viol, msg);
	fake_free(x->f);
	for (i = 0; i < NLUNS; i++)
		free(x->expect[i]);
	csa_layout_free(x->lf);
	csa_layout_free(x->lt);
}

/* ---- open ----------------------------------------------------------- */

static void test_open_errors(void)
{
	struct fake *f = fake_new(1, seed);
	struct csa_transport tp = fake_transport(f);
	struct csa_layout *lf = build(&from2, NULL), *lt = build(&to3, NULL);
	struct csa_volume *v = NULL;
	char err[256] = "";
	unsigned held = 7;
	uint64_t max = 7;
	unsigned i;
	int ret;

	for (i = 0; i < NLUNS; i++)
		fake_add_lun(f, lun_names[i].array, lun_names[i].lun, BS,
			     LUN_BLOCKS);
	lt->size -= 3 * SU;	/* still whole rows: valid alone */
	csa_layout_init_regions(lt);
	ret = csa_volume_open_migrating(lf, lt, &tp, NULL, &v, err,
					sizeof(err));
	ok(ret == -EINVAL && strstr(err, "bytes"),
	   "open: sizes that differ refused (%d: %s)", ret, err);
	lt->size += 3 * SU;
	csa_layout_init_regions(lt);
	lt->region_state[3] = 9;
	ret = csa_volume_open_migrating(lf, lt, &tp, NULL, &v, err,
					sizeof(err));
	ok(ret == -EINVAL && !strncmp(err, "to: ", 4),
	   "open: an invalid `to` refused, named (%d: %s)", ret, err);
	lt->region_state[3] = CSA_REGION_NORMAL;
	fake_fail_open(f, "a2", -ECONNREFUSED);
	ret = csa_volume_open_migrating(lf, lt, &tp, NULL, &v, err,
					sizeof(err));
	ok(ret == -ECONNREFUSED && !strncmp(err, "from: ", 6) &&
	   fake_open_handles(f, NULL, 0) == 0,
	   "open: `from` unreachable refused, named, nothing left open (%d: %s)",
	   ret, err);
	fake_fail_open(f, "a2", 0);
	fake_fail_open(f, "a4", -ECONNREFUSED);
	ret = csa_volume_open_migrating(lf, lt, &tp, NULL, &v, err,
					sizeof(err));
	ok(ret == -ECONNREFUSED && !strncmp(err, "to: ", 4) &&
	   fake_open_handles(f, NULL, 0) == 0,
	   "open: `to` unreachable refused, named, nothing left open (%d: %s)",
	   ret, err);
	fake_clear_faults(f);

	ret = csa_volume_open(lf, &tp, NULL, &v, err, sizeof(err));
	if (ok(ret == 0, "an ordinary volume opens (%s)", err)) {
		csa_volume_hold_stats(v, &held, &max);
		ok(csa_volume_lock_region(v, 0, NULL, NULL) == -EINVAL &&
		   csa_volume_unlock_region(v, 0, CSA_REGION_MIGRATED) ==
			   -EINVAL &&
		   csa_volume_region_state(v, 0) == -EINVAL &&
		   !csa_volume_from_layout(v) && held == 0 && max == 0,
		   "ordinary volume: lock, unlock, region_state -EINVAL, no from layout, hold stats 0");
		csa_volume_close(v);
	}
	csa_layout_free(lf);
	csa_layout_free(lt);
	fake_free(f);
}

/* ---- data ----------------------------------------------------------- */

/* Normal and migrated regions mixed, runs of each. */
static void mixed_states(uint8_t *st, unsigned n)
{
	unsigned r;

	for (r = 0; r < n; r++)
		st[r] = (r % 3 == 1 || (r >= 6 && r < 10)) ?
			CSA_REGION_MIGRATED : CSA_REGION_NORMAL;
}

static void check_open_state(struct mfix *x)
{
	uint64_t r;
	bool states = true;

	for (r = 0; r < x->nregions; r++)
		states = states && csa_volume_region_state(x->v, r) ==
					   x->state[r];
	ok(csa_layout_equal(csa_volume_layout(x->v), x->lt) &&
	   csa_volume_from_layout(x->v) &&
	   csa_layout_equal(csa_volume_from_layout(x->v), x->lf) &&
	   !csa_volume_degraded(x->v) && states &&
	   csa_volume_region_state(x->v, x->nregions) == -EINVAL,
	   "%s: layout is `to`, from_layout is `from`, states as opened, not degraded",
	   x->name);
}

/* The write of @len bytes at @off, random bytes. */
static bool write_ok(struct mfix *x, uint64_t off, uint64_t len)
{
	uint8_t *buf = malloc(len);
	struct req q;
	int ret;

	fill(&rng, buf, len);
	ret = submit(x->v, &q, CSA_VREQ_WRITE, off, len, buf);
	if (!ret) {
		must_complete(&q, "a write");
		check_once(&q, "a write");
		ret = q.err;
	}
	if (!ret)
		landed(x, off, len, buf);
	free(buf);
	return !ret;
}

static void random_rw(struct mfix *x, unsigned n)
{
	unsigned i, wbad = 0, rbad = 0;

	for (i = 0; i < n; i++) {
		uint64_t off = below(&rng, SIZE);
		uint64_t len = 1 + below(&rng, i % 2 ? 3 * x->rbytes : 700);

		if (len > SIZE - off)
			len = SIZE - off;
		if (i % 4 == 0) {	/* block aligned */
			off -= off % BS;
			len = (len + BS - 1) / BS * BS;
		}
		if (len > SIZE - off)
			len = SIZE - off;
		wbad += !write_ok(x, off, len);
		off = below(&rng, SIZE);
		len = 1 + below(&rng, SIZE - off);
		rbad += !read_ok(x, off, len);
	}
	ok(!wbad && !rbad, "%s: %u random writes and reads across regions (%u writes, %u reads failed)",
	   x->name, n, wbad, rbad);
}

/* SYNC reached a LUN only @from uses and one only @to uses. */
static void check_flush(struct mfix *x)
{
	struct fake_rec *log;
	bool seen[NLUNS] = { false };
	unsigned fl, tl, i;
	size_t n, j;
	int ret;

	loc(x->from, 0, SU, &fl);	/* column 1 of each */
	loc(x->to, 0, SU, &tl);
	fake_log_clear(x->f);
	ret = do_rw(x->v, CSA_VREQ_FLUSH, 0, 0, NULL);
	log = fake_log(x->f, &n);
	for (j = 0; j < n; j++)
		for (i = 0; i < NLUNS; i++)
			if (log[j].op == CSA_IO_SYNC &&
			    log[j].lun == lun_names[i].lun &&
			    !strcmp(log[j].array, lun_names[i].array))
				seen[i] = true;
	free(log);
	ok(ret == 0 && seen[fl] && seen[tl],
	   "%s: flush completes (%d) after SYNC on %s/%u (from) and %s/%u (to)",
	   x->name, ret, lun_names[fl].array, lun_names[fl].lun,
	   lun_names[tl].array, lun_names[tl].lun);
}

static void test_data(const char *name, const struct shape *to)
{
	uint8_t st[MAX_REGIONS];
	struct mfix x;

	mixed_states(st, MAX_REGIONS);
	if (!mfix_open(&x, name, &from2, to, st, 3, 100))
		goto out;
	check_open_state(&x);
	if (to == &to_moved)
		ok(fake_open_handles(x.f, "a1", 0) == 2,
		   "%s: a1 LUN 0, in both layouts, opened once per side",
		   name);
	ok(read_ok(&x, 0, SIZE),
	   "%s: the whole volume reads from the side each region names",
	   name);
	ok(write_ok(&x, 0, SIZE), "%s: a whole-volume write", name);
	images_ok(&x, "after a whole-volume write");
	ok(write_ok(&x, 2 * x.rbytes - 100, 300) &&
	   write_ok(&x, 6 * x.rbytes - 513, 5 * x.rbytes + 1000),
	   "%s: unaligned writes across normal/migrated boundaries", name);
	random_rw(&x, 60);
	images_ok(&x, "after random writes");
	ok(read_ok(&x, 0, SIZE), "%s: the whole volume reads back", name);
	check_flush(&x);
	ok(!once_bad, "%s: every request done once, never inside submit (%lu checked)",
	   name, once_checks);
out:
	mfix_close(&x);
}

/* ---- locks ---------------------------------------------------------- */

/* Lock @r with I/O in flight: returns 0, drains after the I/O. */
static void lock_in_flight(struct mfix *x, uint64_t r, uint64_t off,
			   uint64_t len, const char *what)
{
	struct drained d = { .f = x->f };
	uint8_t *buf = malloc(len);
	struct req q;
	int ret, sub, early, c;

	fill(&rng, buf, len);
	fake_log_clear(x->f);
	fake_hold(x->f, true);
	sub = submit(x->v, &q, CSA_VREQ_WRITE, off, len, buf);
	ret = csa_volume_lock_region(x->v, r, on_drained, &d);
	sleep_ms(30);
	early = drained_calls(&d) + calls(&q);
	fake_hold(x->f, false);
	if (!sub)
		must_complete(&q, "the write in flight");
	ok(sub == 0 && ret == 0 && !early,
	   "%s: lock of region %" PRIu64 " with %s in flight returns 0 (%d), nothing done while the transport holds it",
	   x->name, r, what, ret);
	c = wait_count(&d.calls, 1) ? 1 : 0;
	sleep_ms(10);
	ok(c && drained_calls(&d) == 1 && d.region == r && d.all_io_done &&
	   q.err == 0,
	   "%s: drained callback once, for region %" PRIu64 " (%" PRIu64 "), after every LUN I/O had completed",
	   x->name, r, d.region);
	check_once(&q, "a write in flight at lock");
	landed(x, off, len, buf);
	x->state[r] = CSA_REGION_LOCKED;
	free(buf);
}

static void lock_errors(struct mfix *x)
{
	uint64_t n = x->nregions;

	ok(csa_volume_lock_region(x->v, n, NULL, NULL) == -EINVAL &&
	   csa_volume_unlock_region(x->v, n, CSA_REGION_NORMAL) == -EINVAL &&
	   csa_volume_unlock_region(x->v, 0, CSA_REGION_LOCKED) == -EINVAL &&
	   csa_volume_unlock_region(x->v, 0, 7) == -EINVAL &&
	   csa_volume_region_state(x->v, n) == -EINVAL,
	   "%s: region out of range, unlock to LOCKED or to 7: -EINVAL",
	   x->name);
	ok(csa_volume_lock_region(x->v, 0, NULL, NULL) == 1 &&
	   csa_volume_region_state(x->v, 0) == CSA_REGION_LOCKED &&
	   csa_volume_lock_region(x->v, 0, NULL, NULL) == -EALREADY &&
	   csa_volume_unlock_region(x->v, 0, CSA_REGION_NORMAL) == 0 &&
	   csa_volume_region_state(x->v, 0) == CSA_REGION_NORMAL,
	   "%s: idle lock returns 1, again -EALREADY, unlock to normal", x->name);
}

/* The bytes of volume range [off, off + len) on side @s equal @p. */
static bool side_holds(struct mfix *x, const struct shape *s, uint64_t off,
		       uint64_t len, const uint8_t *p)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (*at(x->data, s, 0, off + i) != p[i])
			return false;
	return true;
}

struct held {
	struct req wa, wb, w345, r6, r24;
	uint8_t a[1000], b[1000], c[3 * 3072], old4[3072], rd[100];
	uint8_t rd24[2 * 3072];
};

/* r24 reads [2R + 1600, 4R + 100): a piece held in 2, and one in 4. */
#define R24_OFF(R)	(2 * (R) + 1600)
#define R24_LEN(R)	(2 * (R) - 1500)

/*
 * Regions 2 and 4 locked (2 by lock_in_flight). Writes wa, wb to region 2
 * (overlapping), w345 across 3, 4, 5, then r24 across 2, 3, 4: held; a
 * read of region 6 served.
 */
static void hold_some(struct mfix *x, struct held *h)
{
	uint64_t R = x->rbytes, w345 = 3 * R + R / 2;
	unsigned held;
	uint64_t max;
	int s[4];

	fill(&rng, h->a, sizeof(h->a));
	fill(&rng, h->b, sizeof(h->b));
	fill(&rng, h->c, 2 * R);
	ok(csa_volume_lock_region(x->v, 4, NULL, NULL) == 1,
	   "%s: region 4 locked idle", x->name);
	x->state[4] = CSA_REGION_LOCKED;
	memcpy(h->old4, x->shadow + 4 * R, R);
	s[0] = submit(x->v, &h->wa, CSA_VREQ_WRITE, 2 * R + 10, 1000, h->a);
	s[1] = submit(x->v, &h->wb, CSA_VREQ_WRITE, 2 * R + 500, 1000, h->b);
	s[2] = submit(x->v, &h->w345, CSA_VREQ_WRITE, w345, 2 * R, h->c);
	s[3] = submit(x->v, &h->r6, CSA_VREQ_READ, 6 * R + 7, 100, h->rd);
	if (!s[3])
		must_complete(&h->r6, "a read of an unlocked region");
	sleep_ms(50);
	fake_wait_idle(x->f, WAIT_MS);
	ok(!s[0] && !s[1] && !s[2] && !s[3],
	   "%s: requests to locked regions accepted", x->name);
	ok(!h->r6.err && !memcmp(h->rd, x->shadow + 6 * R + 7, 100),
	   "%s: a read of region 6 completes while 2 and 4 are locked",
	   x->name);
	check_once(&h->r6, "a read beside a locked region");
	ok(!calls(&h->wa) && !calls(&h->wb) && !calls(&h->w345),
	   "%s: writes to locked regions not completed after 50 ms",
	   x->name);
	ok(side_holds(x, side_of(x, w345), w345, R / 2, h->c) &&
	   side_holds(x, side_of(x, 5 * R), 5 * R, R / 2, h->c + R + R / 2) &&
	   side_holds(x, x->from, 4 * R, R, h->old4),
	   "%s: the parts of w345 in regions 3 and 5 written at once, region 4 not",
	   x->name);
	ok(!submit(x->v, &h->r24, CSA_VREQ_READ, R24_OFF(R), R24_LEN(R),
		   h->rd24),
	   "%s: a read over regions 2 to 4 accepted", x->name);
	csa_volume_hold_stats(x->v, &held, &max);
	ok(held == 4 && max >= 40000000ull,
	   "%s: hold stats: %u requests held (want 4, one of them twice), longest %" PRIu64 " ns",
	   x->name, held, max);
}

static void release_some(struct mfix *x, struct held *h)
{
	uint64_t R = x->rbytes, w345 = 3 * R + R / 2;
	unsigned held;
	uint64_t max;

	ok(csa_volume_unlock_region(x->v, 4, CSA_REGION_NORMAL) == 0,
	   "%s: region 4 unlocked to normal", x->name);
	x->state[4] = CSA_REGION_NORMAL;
	must_complete(&h->w345, "w345 after its unlock");
	check_once(&h->w345, "w345");
	landed(x, w345, 2 * R, h->c);
	sleep_ms(30);
	ok(!h->w345.err && !calls(&h->wa) && !calls(&h->wb) &&
	   !calls(&h->r24),
	   "%s: w345 completes at region 4's unlock (%d); wa, wb, r24 (also in region 2) still held",
	   x->name, h->w345.err);
	csa_volume_hold_stats(x->v, &held, &max);
	ok(held == 3, "%s: 3 requests held now (%u)", x->name, held);

	copy_region(x, 2, x->from, x->to);
	ok(csa_volume_unlock_region(x->v, 2, CSA_REGION_MIGRATED) == 0,
	   "%s: region 2 copied and unlocked to migrated", x->name);
	x->state[2] = CSA_REGION_MIGRATED;
	must_complete(&h->wa, "wa after its unlock");
	must_complete(&h->wb, "wb after its unlock");
	must_complete(&h->r24, "r24 after its unlocks");
	check_once(&h->wa, "wa");
	check_once(&h->wb, "wb");
	check_once(&h->r24, "r24");
	/* Its bytes in 2 and 3 are nobody else's now (in 4, w345 races it). */
	ok(!h->r24.err && !memcmp(h->rd24, x->shadow + R24_OFF(R),
				  2 * R - 1600),
	   "%s: r24 completes after both unlocks with the volume's bytes",
	   x->name);
	landed(x, 2 * R + 10, 1000, h->a);
	landed(x, 2 * R + 500, 1000, h->b);
	fake_wait_idle(x->f, WAIT_MS);
	ok(!h->wa.err && !h->wb.err && h->wa.seq < h->wb.seq,
	   "%s: the held writes complete after the unlock, in arrival order",
	   x->name);
	images_ok(x, "held writes on `to` (the later one over the earlier), `from` untouched");
	csa_volume_hold_stats(x->v, &held, &max);
	ok(held == 0 && max >= 40000000ull,
	   "%s: nothing held now; longest hold %" PRIu64 " ns", x->name, max);
}

/* Copied, unlocked to migrated: served by `to` even when `from` changes. */
static void migrate_one(struct mfix *x, uint64_t r)
{
	uint64_t b, R = x->rbytes;

	ok(csa_volume_lock_region(x->v, r, NULL, NULL) == 1,
	   "%s: region %" PRIu64 " locked", x->name, r);
	copy_region(x, r, x->from, x->to);
	ok(csa_volume_unlock_region(x->v, r, CSA_REGION_MIGRATED) == 0 &&
	   csa_volume_region_state(x->v, r) == CSA_REGION_MIGRATED,
	   "%s: region %" PRIu64 " unlocked to migrated", x->name, r);
	x->state[r] = CSA_REGION_MIGRATED;
	for (b = r * R; b < (r + 1) * R; b++) {
		uint8_t *f = at(x->data, x->from, 0, b);

		if (f != at(x->data, x->to, 0, b)) {
			*f = (uint8_t)~*f;
			*at(x->expect, x->from, 0, b) = *f;
		}
	}
	ok(read_ok(x, r * R, R),
	   "%s: migrated region %" PRIu64 " reads back identical, from `to` (`from` scribbled)",
	   x->name, r);
}

/* An unlock before the drain cancels the callback. */
static void unlock_cancels(struct mfix *x, uint64_t r)
{
	struct drained d = { .f = x->f };
	uint8_t buf[BS];
	struct req q;
	int sub, ret;

	fill(&rng, buf, sizeof(buf));
	fake_hold(x->f, true);
	sub = submit(x->v, &q, CSA_VREQ_WRITE, r * x->rbytes, BS, buf);
	ret = csa_volume_lock_region(x->v, r, on_drained, &d);
	csa_volume_unlock_region(x->v, r, x->state[r]);
	fake_hold(x->f, false);
	if (!sub)
		must_complete(&q, "a write");
	landed(x, r * x->rbytes, BS, buf);
	fake_wait_idle(x->f, WAIT_MS);
	sleep_ms(10);
	ok(!sub && ret == 0 && drained_calls(&d) == 0,
	   "%s: an unlock before the drain cancels the drained callback (%d calls)",
	   x->name, drained_calls(&d));
	/* Locked again, drained without a callback: the old one stays gone. */
	fake_hold(x->f, true);
	sub = submit(x->v, &q, CSA_VREQ_WRITE, r * x->rbytes, BS, buf);
	ret = csa_volume_lock_region(x->v, r, NULL, NULL);
	fake_hold(x->f, false);
	if (!sub)
		must_complete(&q, "a write");
	fake_wait_idle(x->f, WAIT_MS);
	sleep_ms(10);
	ok(!sub && ret == 0 && drained_calls(&d) == 0 &&
	   csa_volume_unlock_region(x->v, r, x->state[r]) == 0,
	   "%s: nor does it run at the next drain of that region (%d calls)",
	   x->name, drained_calls(&d));
}

/* Close with a request held: it fails with -ESHUTDOWN, once. */
static void close_held(struct mfix *x, uint64_t r)
{
	uint8_t buf[100] = { 0 };
	struct req q;
	int sub;

	ok(csa_volume_lock_region(x->v, r, NULL, NULL) == 1,
	   "%s: region %" PRIu64 " locked", x->name, r);
	sub = submit(x->v, &q, CSA_VREQ_WRITE, r * x->rbytes, sizeof(buf),
		     buf);
	csa_volume_close(x->v);
	x->v = NULL;
	ok(!sub && calls(&q) == 1 && q.err == -ESHUTDOWN &&
	   fake_open_handles(x->f, NULL, 0) == 0,
	   "%s: close fails a held request with -ESHUTDOWN once (%d, %d) and closes every LUN",
	   x->name, calls(&q), q.err);
}

static void test_locks(void)
{
	uint8_t st[MAX_REGIONS] = { 0 };
	struct mfix x;
	struct held *h = calloc(1, sizeof(*h));
	uint64_t R;

	if (!mfix_open(&x, "locks", &from2, &to_moved, st, 3, 200))
		goto out;
	R = x.rbytes;
	lock_errors(&x);
	lock_in_flight(&x, 2, 2 * R + 100, 700, "a write");
	ok(csa_volume_unlock_region(x.v, 2, CSA_REGION_NORMAL) == 0,
	   "locks: region 2 unlocked");
	x.state[2] = CSA_REGION_NORMAL;
	/* One piece over regions 8-11 (all normal): region 10 drains. */
	lock_in_flight(&x, 10, 8 * R + 5, 3 * R + 700, "a piece over 4 regions");
	csa_volume_unlock_region(x.v, 10, CSA_REGION_NORMAL);
	x.state[10] = CSA_REGION_NORMAL;
	lock_in_flight(&x, 2, 2 * R, R, "a write");
	hold_some(&x, h);
	release_some(&x, h);
	migrate_one(&x, 7);
	unlock_cancels(&x, 12);
	ok(read_ok(&x, 0, SIZE), "locks: the whole volume reads back");
	images_ok(&x, "after the locks");
	close_held(&x, 13);
out:
	free(h);
	mfix_close(&x);
}

/* ---- watching a region for writes ----------------------------------- */

static bool read_only(struct mfix *x, uint64_t off, uint64_t len)
{
	uint8_t *buf = malloc(len);
	bool good = buf && !do_rw(x->v, CSA_VREQ_READ, off, len, buf);

	free(buf);
	return good;
}

/* A write in flight when the watch begins: it starts dirty. */
static void watch_in_flight(struct mfix *x, uint64_t r)
{
	uint64_t R = x->rbytes;
	uint8_t *buf = malloc(300);
	struct req q;
	int sub, w;

	fill(&rng, buf, 300);
	fake_hold(x->f, true);
	sub = submit(x->v, &q, CSA_VREQ_WRITE, r * R + 10, 300, buf);
	w = csa_volume_watch_region(x->v, r, 2);
	fake_hold(x->f, false);
	if (!sub)
		must_complete(&q, "the write in flight");
	ok(sub == 0 && w == 0 && !csa_volume_watch_clean(x->v, 2),
	   "watch: with a write in flight on region %" PRIu64 " the watch starts dirty (%d)",
	   r, w);
	landed(x, r * R + 10, 300, buf);
	free(buf);
}

/* A write held by a lock and released by a cancelled lock: dirty. */
static void watch_held(struct mfix *x, uint64_t r)
{
	uint64_t R = x->rbytes;
	uint8_t *buf = malloc(200);
	struct req q;
	int w, sub;

	fill(&rng, buf, 200);
	w = csa_volume_watch_region(x->v, r, 3);
	csa_volume_lock_region(x->v, r, NULL, NULL);
	sub = submit(x->v, &q, CSA_VREQ_WRITE, r * R, 200, buf);
	ok(w == 1 && sub == 0 && csa_volume_watch_clean(x->v, 3),
	   "watch: a write held by the lock of region %" PRIu64 " leaves it clean while held",
	   r);
	csa_volume_unlock_region(x->v, r, CSA_REGION_NORMAL);
	if (!sub)
		must_complete(&q, "the held write");
	ok(!csa_volume_watch_clean(x->v, 3),
	   "watch: ... and dirty once the unlock sends it where the region still is");
	landed(x, r * R, 200, buf);
	free(buf);
}

static void test_watch(void)
{
	uint8_t st[MAX_REGIONS] = { 0 };
	struct mfix x;
	uint64_t R;
	int w;

	if (!mfix_open(&x, "watch", &from2, &to_moved, st, 3, 200))
		goto out;
	R = x.rbytes;
	ok(csa_volume_watch_region(x.v, x.nregions, 1) == -EINVAL &&
	   !csa_volume_watch_clean(x.v, 1),
	   "watch: a region out of range: -EINVAL, and no watch is clean");
	w = csa_volume_watch_region(x.v, 3, 1);
	ok(w == 1 && csa_volume_watch_clean(x.v, 1) &&
	   !csa_volume_watch_clean(x.v, 7),
	   "watch: region 3 idle, the watch starts clean (%d); another id is not clean", w);
	ok(read_only(&x, 3 * R, R) && write_ok(&x, 2 * R, R) &&
	   write_ok(&x, 4 * R + 1, 100) && csa_volume_watch_clean(x.v, 1),
	   "watch: a read of region 3 and writes to regions 2 and 4 leave it clean");
	ok(write_ok(&x, 2 * R + R / 2, R) && !csa_volume_watch_clean(x.v, 1),
	   "watch: a write reaching into region 3 makes it dirty");
	watch_in_flight(&x, 5);
	watch_held(&x, 6);
	ok(read_ok(&x, 0, SIZE), "watch: the whole volume reads back");
out:
	mfix_close(&x);
}

/* ---- degraded ------------------------------------------------------- */

static void test_degraded(void)
{
	uint8_t st[MAX_REGIONS] = { 0 }, buf[4 * 3072];
	struct csa_transport tp;
	struct mfix x;
	char err[256] = "";
	struct req q, h;
	uint64_t R;
	int ret, sub;

	memset(st + 12, CSA_REGION_MIGRATED, MAX_REGIONS - 12);
	/* The fixture opens every array; reopen with a1 refusing logins. */
	if (!mfix_open(&x, "degraded", &from2x2, &to_a3a4, st, 2, 50))
		goto out;
	R = x.rbytes;
	csa_volume_close(x.v);
	fake_fail_open(x.f, "a1", -ECONNREFUSED);
	tp = fake_transport(x.f);
	ret = csa_volume_open_migrating(x.lf, x.lt, &tp, NULL, &x.v, err,
					sizeof(err));
	if (!ok(ret == 0 && csa_volume_degraded(x.v) &&
		!strncmp(err, "from: ", 6),
		"degraded: opens with `from` degraded, says so (%d: %s)", ret,
		err)) {
		x.v = NULL;
		goto out;
	}
	fill(&rng, buf, sizeof(buf));
	ok(submit(x.v, &q, CSA_VREQ_WRITE, R, 100, buf) == -ENOTCONN &&
	   !calls(&q),
	   "degraded: a write to a normal region refused at submit, done never called");
	ok(do_rw(x.v, CSA_VREQ_WRITE, 13 * R, 100, buf) == 0 &&
	   do_rw(x.v, CSA_VREQ_READ, R, 100, buf) == 0,
	   "degraded: a write to a migrated region and a read of a normal one go");
	sub = submit(x.v, &q, CSA_VREQ_WRITE, 11 * R, 2 * R, buf);
	if (!sub)
		must_complete(&q, "a write across sides");
	sleep_ms(10);
	ok((sub == -ENOTCONN && !calls(&q)) ||
	   (sub == 0 && calls(&q) == 1 && q.err == -ENOTCONN &&
	    !q.inside_submit),
	   "degraded: a write across both sides fails -ENOTCONN once (submit %d, done %d times)",
	   sub, calls(&q));
	csa_volume_lock_region(x.v, 14, NULL, NULL);
	sub = submit(x.v, &h, CSA_VREQ_WRITE, 14 * R, 100, buf);
	csa_volume_unlock_region(x.v, 14, CSA_REGION_NORMAL);
	ok(!sub && calls(&h) == 1 && h.err == -ENOTCONN,
	   "degraded: a held write unlocked onto the degraded side fails -ENOTCONN (%d)",
	   h.err);
out:
	mfix_close(&x);
}

/* ---- stress --------------------------------------------------------- */

struct worker {
	pthread_t t;
	struct mfix *x;
	uint64_t lo, hi;	/* the slice of the volume it owns */
	uint64_t rng;
	atomic_bool *stop;
	unsigned ops, bad;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t *buf = malloc(4096);

	while (!atomic_load(w->stop) || w->ops < 50) {
		uint64_t off = w->lo + below(&w->rng, w->hi - w->lo);
		uint64_t len = 1 + below(&w->rng, 4096);
		bool rd = below(&w->rng, 3) == 0;

		if (len > w->hi - off)
			len = w->hi - off;
		if (!rd)
			fill(&w->rng, buf, len);
		if (csa_volume_rw(w->x->v, rd ? CSA_VREQ_READ : CSA_VREQ_WRITE,
				  off, len, buf))
			w->bad++;
		else if (rd)
			w->bad += memcmp(buf, w->x->shadow + off, len) != 0;
		else
			memcpy(w->x->shadow + off, buf, len);
		w->ops++;
	}
	free(buf);
	return NULL;
}

static pthread_mutex_t dlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dcond;

static void stress_drained(void *arg, uint64_t region)
{
	atomic_int *flag = arg;

	(void)region;
	pthread_mutex_lock(&dlock);
	atomic_store(flag, 1);
	pthread_cond_broadcast(&dcond);
	pthread_mutex_unlock(&dlock);
}

/* Move region @r to @state: lock, wait for the drain, copy, unlock. */
static bool move_region(struct mfix *x, uint64_t r, unsigned state)
{
	atomic_int flag = 0;
	struct timespec ts;
	int ret = csa_volume_lock_region(x->v, r, stress_drained, &flag);

	if (ret < 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&dlock);
	while (!ret && !atomic_load(&flag))
		if (pthread_cond_timedwait(&dcond, &dlock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&dlock);
	if (!ret && !atomic_load(&flag))
		return false;
	if (state == CSA_REGION_MIGRATED)
		copy_region(x, r, x->from, x->to);
	else
		copy_region(x, r, x->to, x->from);
	sleep_ms((unsigned)below(&rng, 3));
	x->state[r] = (uint8_t)state;
	return csa_volume_unlock_region(x->v, r, state) == 0;
}

static void test_stress(void)
{
	uint8_t st[MAX_REGIONS] = { 0 };
	struct worker w[4];
	atomic_bool stop = false;
	unsigned i, pass, bad = 0, ops = 0, moves = 0, held;
	uint64_t r, b, max;
	struct mfix x;

	if (!mfix_open(&x, "stress", &from2, &to3, st, 4, 300))
		goto out;
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .x = &x, .lo = i * (SIZE / 4),
					.hi = (i + 1) * (SIZE / 4),
					.rng = rnd(&rng), .stop = &stop };
		pthread_create(&w[i].t, NULL, worker_main, &w[i]);
	}
	for (pass = 0; pass < 4; pass++)
		for (r = 0; r < x.nregions; r++)
			moves += move_region(&x, r, pass % 2 ?
					     CSA_REGION_NORMAL :
					     CSA_REGION_MIGRATED);
	atomic_store(&stop, true);
	for (i = 0; i < 4; i++) {
		pthread_join(w[i].t, NULL);
		bad += w[i].bad;
		ops += w[i].ops;
	}
	ok(moves == 4 * x.nregions, "stress: %u of %" PRIu64 " region moves done",
	   moves, 4 * x.nregions);
	ok(!bad, "stress: %u reads and writes during the moves, %u failed or read wrong",
	   ops, bad);
	csa_volume_hold_stats(x.v, &held, &max);
	ok(held == 0 && max > 0, "stress: nothing held at the end; longest hold %" PRIu64 " ns",
	   max);
	ok(read_ok(&x, 0, SIZE), "stress: the whole volume reads back");
	for (b = 0; b < SIZE; b++)
		bad += *at(x.data, x.from, 0, b) != x.shadow[b];
	ok(!bad, "stress: `from` holds the volume after moving there and back (%u bytes wrong)",
	   bad);
out:
	mfix_close(&x);
}

/* ---- main ----------------------------------------------------------- */

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
	pthread_cond_init(&dcond, &ca);
	pthread_condattr_destroy(&ca);

	test_open_errors();
	test_data("one column moved", &to_moved);
	test_data("3 columns", &to3);
	test_locks();
	test_watch();
	test_degraded();
	test_stress();
	ok(!once_bad, "every request checked (%lu) done once, never inside submit",
	   once_checks);

	alarm(0);
	return status;
}
