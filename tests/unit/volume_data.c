// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_volume, data and copies: random reads and writes, alone and in
 * concurrent batches, against the shadow; written bytes at the reference
 * LUN/LBA of every copy; every logged LUN I/O inside one copy's extents and
 * <= max_io; reads once per block from one copy per column; done once,
 * after every LUN I/O, never inside submit; whole LUN images (nothing
 * written outside the extents).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "volume_fixture.h"

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
	uint8_t *images[GEN_MAX_ARRAYS * LUNS_PER_ARRAY];
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

/* Everything above on one fixture. */
void run_random(const char *name, unsigned C, unsigned K, uint32_t bs,
		uint32_t su, uint64_t size, uint32_t max_io, unsigned nops)
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
