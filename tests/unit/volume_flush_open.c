// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_volume, concurrency, flush and open: 8 threads writing 1-7 bytes
 * into 4 shared blocks lose no write; SYNC goes exactly to the LUNs
 * written since the last flush, again after a failed SYNC and after a
 * write that completed after the previous flush's SYNC; open refuses LUNs
 * that do not fit, and fails or opens degraded when arrays do not answer.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "volume_fixture.h"

/* ---- concurrent writers of neighbouring bytes ---- */

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
		unsigned j = (unsigned)(gen_rnd(&c->rng) %
					(nchunks / CW_THREADS)) *
			     CW_THREADS + c->t;
		unsigned n = 1 + (unsigned)(gen_rnd(&c->rng) % (CW_CHUNK - 1));
		unsigned at = (unsigned)(gen_rnd(&c->rng) % (CW_CHUNK - n + 1));
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

void test_concurrent_writers(void)
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

/* ---- flush ---- */

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

void test_flush(void)
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

/* ---- open refuses LUNs that do not fit ---- */

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

	fix_gen(&g, 3, t->K, 3, 512, 1024, 30 * 1024 + 512, 3);
	l = gen_build(&g);
	if (!l)
		return -ENOMEM;
	f = fake_new(1, seed);
	for (a = 0; a < g.nr_arrays; a++)
		for (i = 0; i < LUNS_PER_ARRAY; i++) {
			uint64_t end = gen_lun_blocks(&g, a, i);
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

void test_open(void)
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
void test_degraded(void)
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

