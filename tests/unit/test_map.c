// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mapping of map.h (csa_map_columns, csa_map_locate) against a plain
 * reference, over thousands of random layouts and ranges.
 *
 * The layouts and the reference come from layout_gen.h, which shares no
 * code with map.c: for a volume byte x it computes row = x / (su * C),
 * column = (x / su) % C, column offset = row * su + x % su, and walks the
 * copy's extents, as generated (not as read back from the layout), to the
 * LUN and LBA.
 *
 * Ranges of up to 2 KiB are checked byte by byte; longer ones at the first
 * and last byte of every block piece and of every segment and at one
 * random byte inside each block (both the implementation's and the
 * reference's mappings advance one column byte per volume byte inside
 * those pieces, so agreeing at one byte of each piece is agreeing on all).
 *
 * Seed: CSA_TEST_SEED (default below), printed; CSA_TEST_ITERS overrides
 * the number of layouts. A failure prints the iteration, which with the
 * seed reproduces it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "striper/layout.h"
#include "striper/map.h"
#include "layout_gen.h"

#define DEFAULT_SEED	0x6373616d6170ull	/* "csamap" */
#define DEFAULT_ITERS	1500
#define RANGES_PER_LAYOUT 8
#define BYTEWISE_MAX	2048
#define BLOCKWISE_MAX	(1u << 20)

/* ---- random numbers ---- */

static uint64_t rng;

/* Uniform in [0, n), n > 0. */
static uint64_t below(uint64_t n)
{
	return gen_below(&rng, n);
}

/* ---- checks ---- */

enum prop {
	P_VALIDATE,
	P_NR_RUNS,
	P_RUN_ORDER,
	P_RUNS_COVER,
	P_RUN_SEGS,
	P_SEGS_TILE,
	P_SEG_ORDER,
	P_MAX_SEGS,
	P_RUN_COLUMN,
	P_SEG_COLOFF,
	P_SEG_LUN,
	P_LOCATE,
	P_ERANGE,
	P_NR
};

static const char *const prop_name[P_NR] = {
	[P_VALIDATE] = "csa_layout_validate accepts every generated layout",
	[P_NR_RUNS] = "csa_map_columns returns 1..nr_columns runs, no run past them written",
	[P_RUN_ORDER] = "runs are ordered by column, each column once",
	[P_RUNS_COVER] = "runs cover the range exactly once (lengths add up, column ranges match)",
	[P_RUN_SEGS] = "each run's segments add up to its length and lie inside the segment table",
	[P_SEGS_TILE] = "segments tile the buffer exactly once",
	[P_SEG_ORDER] = "a run's segments are in buffer order and never buffer-contiguous",
	[P_MAX_SEGS] = "segments used <= csa_map_max_segs, nothing written past it",
	[P_RUN_COLUMN] = "every byte of a run is in the run's column (reference)",
	[P_SEG_COLOFF] = "every segment byte has the reference column offset",
	[P_SEG_LUN] = "every segment byte lands at the reference LUN, LBA and byte on every copy",
	[P_LOCATE] = "csa_map_locate agrees with the reference (extent, array, LUN, LBA, byte, avail)",
	[P_ERANGE] = "csa_map_locate returns -ERANGE past the end of a copy",
};

static unsigned long checks[P_NR], fails[P_NR];
static uint64_t seed;
static unsigned iter;
static char ctx[512];		/* the layout and range being checked */

static bool check(enum prop p, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool check(enum prop p, bool ok, const char *fmt, ...)
{
	va_list ap;

	checks[p]++;
	if (ok)
		return true;
	if (fails[p]++ < 3) {
		printf("# FAIL [%s] CSA_TEST_SEED=%" PRIu64 " iteration %u: ",
		       prop_name[p], seed, iter);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n#   %s\n", ctx);
	}
	return false;
}

/* ---- one range ---- */

struct flat {
	uint64_t buf_off;
	uint64_t len;
	unsigned run;
	unsigned column;
	uint64_t col_off;	/* of buf_off */
};

static int cmp_flat(const void *a, const void *b)
{
	const struct flat *x = a, *y = b;

	return x->buf_off < y->buf_off ? -1 : x->buf_off > y->buf_off;
}

/* The segment holding buffer byte @b, by bisection; NULL if none. */
static const struct flat *flat_find(const struct flat *f, unsigned n,
				    uint64_t b)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (b < f[mid].buf_off)
			hi = mid;
		else if (b >= f[mid].buf_off + f[mid].len)
			lo = mid + 1;
		else
			return &f[mid];
	}
	return NULL;
}

struct range_ctx {
	const struct gen *g;
	const struct csa_layout *l;
	uint64_t off, len;
	const struct flat *flat;
	unsigned nflat;
	unsigned long bad;	/* failures in this range, to stop early */
};

/* Buffer byte @b of the range: the implementation against the reference. */
static void check_byte(struct range_ctx *rc, uint64_t b)
{
	const struct gen *g = rc->g;
	const struct flat *s = flat_find(rc->flat, rc->nflat, b);
	unsigned col, k;
	uint64_t co, ico;

	if (rc->bad > 4)
		return;
	if (!s) {
		/* Reported by the tiling check already. */
		rc->bad++;
		return;
	}
	ref_column(g, rc->off + b, &col, &co);
	ico = s->col_off + (b - s->buf_off);
	if (!check(P_RUN_COLUMN, s->column == col,
		   "volume byte %" PRIu64 " (buffer %" PRIu64 ") is in run %u of column %u; reference column %u",
		   rc->off + b, b, s->run, s->column, col) ||
	    !check(P_SEG_COLOFF, ico == co,
		   "volume byte %" PRIu64 " (buffer %" PRIu64 ") at column offset %" PRIu64 "; reference %" PRIu64,
		   rc->off + b, b, ico, co)) {
		rc->bad++;
		return;
	}
	for (k = 0; k < g->K; k++) {
		struct csa_loc loc;
		struct rloc r = { 0 };
		int ret, rret;

		memset(&loc, 0xa5, sizeof(loc));
		ret = csa_map_locate(rc->l, s->column, k, ico, &loc);
		rret = ref_locate(g, col, k, co, &r);
		if (!check(P_SEG_LUN, !ret && !rret && loc.array == r.array &&
			   loc.lun == r.lun && loc.lba == r.lba &&
			   loc.byte_in_block == r.byte,
			   "volume byte %" PRIu64 " copy %u: got ret %d a%u LUN %u lba %" PRIu64 " byte %" PRIu64 "; reference ret %d a%u LUN %u lba %" PRIu64 " byte %" PRIu64,
			   rc->off + b, k, ret, loc.array, loc.lun, loc.lba,
			   loc.byte_in_block, rret, r.array, r.lun, r.lba,
			   r.byte))
			rc->bad++;
	}
}

static void check_range(const struct gen *g, const struct csa_layout *l,
			uint64_t off, uint64_t len)
{
	unsigned max = csa_map_max_segs(l, len), guard = 8, n, i, j, nflat;
	struct csa_run runs[CSA_MAX_COLUMNS + 4];
	struct csa_seg *segs;
	struct flat *flat;
	unsigned char *used;
	uint64_t total = 0, b;
	struct range_ctx rc;
	bool ok;

	gen_describe(g, ctx, sizeof(ctx));
	snprintf(ctx + strlen(ctx), sizeof(ctx) - strlen(ctx),
		 "; range off %" PRIu64 " len %" PRIu64, off, len);

	segs = malloc((max + guard) * sizeof(*segs));
	used = calloc(max + guard, 1);
	flat = malloc((max + guard) * sizeof(*flat));
	if (!segs || !used || !flat) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	memset(segs, 0xee, (max + guard) * sizeof(*segs));
	memset(runs, 0xee, sizeof(runs));

	n = csa_map_columns(l, off, len, runs, segs);

	/* Runs: count, nothing written past nr_columns. */
	ok = n >= 1 && n <= g->C;
	for (i = g->C; i < CSA_MAX_COLUMNS + 4; i++) {
		const unsigned char *p = (const unsigned char *)&runs[i];

		for (j = 0; j < sizeof(runs[i]); j++)
			ok = ok && p[j] == 0xee;
	}
	if (!check(P_NR_RUNS, ok, "%u runs for %u columns", n, g->C))
		goto out;

	/* Order, columns, lengths, segment bounds. */
	ok = true;
	for (i = 0; i < n; i++)
		ok = ok && runs[i].column < g->C && runs[i].len > 0 &&
		     (!i || runs[i].column > runs[i - 1].column);
	if (!check(P_RUN_ORDER, ok, "run columns not strictly increasing below %u",
		   g->C))
		goto out;
	nflat = 0;
	for (i = 0; i < n; i++) {
		const struct csa_run *r = &runs[i];
		uint64_t sum = 0, co = r->col_off;
		bool in = r->nr_segs >= 1 && r->first_seg < max + guard &&
			  r->nr_segs <= max + guard - r->first_seg;

		if (!check(P_RUN_SEGS, in,
			   "run %u (column %u): segments %u + %u outside the table of %u",
			   i, r->column, r->first_seg, r->nr_segs, max))
			goto out;
		for (j = 0; j < r->nr_segs; j++) {
			const struct csa_seg *s = &segs[r->first_seg + j];

			if (!check(P_RUN_SEGS, !used[r->first_seg + j] &&
				   s->len > 0 && s->len <= len &&
				   s->buf_off < len &&
				   s->len <= len - s->buf_off,
				   "run %u segment %u (buf_off %" PRIu64 " len %" PRIu64 ") shared, empty or outside the buffer",
				   i, r->first_seg + j, s->buf_off, s->len))
				goto out;
			used[r->first_seg + j] = 1;
			sum += s->len;
			flat[nflat++] = (struct flat){ s->buf_off, s->len, i,
						       r->column, co };
			co += s->len;
			if (j)
				check(P_SEG_ORDER,
				      s->buf_off > s[-1].buf_off + s[-1].len,
				      "run %u: segment %u at %" PRIu64 " follows one ending at %" PRIu64 " (out of order or not merged)",
				      i, j, s->buf_off,
				      s[-1].buf_off + s[-1].len);
		}
		if (!check(P_RUN_SEGS, sum == r->len,
			   "run %u: segments hold %" PRIu64 " bytes, run %" PRIu64,
			   i, sum, r->len))
			goto out;
		total += r->len;
	}
	if (!check(P_RUNS_COVER, total == len,
		   "runs hold %" PRIu64 " bytes of %" PRIu64, total, len))
		goto out;
	ok = true;
	for (i = 0; i < max + guard; i++)
		if (used[i] && i >= max)
			ok = false;
	for (i = max; i < max + guard; i++) {
		const unsigned char *p = (const unsigned char *)&segs[i];

		for (j = 0; j < sizeof(segs[i]); j++)
			ok = ok && p[j] == 0xee;
	}
	check(P_MAX_SEGS, ok && nflat <= max,
	      "%u segments used, csa_map_max_segs %u", nflat, max);

	/* Tiling. */
	qsort(flat, nflat, sizeof(*flat), cmp_flat);
	b = 0;
	ok = true;
	for (i = 0; i < nflat && ok; i++) {
		ok = flat[i].buf_off == b;
		b += flat[i].len;
	}
	if (!check(P_SEGS_TILE, ok && b == len,
		   "segments do not tile [0, %" PRIu64 "): hole or overlap at %" PRIu64,
		   len, i ? flat[i - 1].buf_off : 0))
		goto out;

	/* Runs cover exactly the reference column ranges. */
	for (i = 0; i < n; i++) {
		uint64_t lo = UINT64_MAX, hi = 0, x, co;
		unsigned col;

		/* Reference: the first and last byte of the range in the
		 * run's column, by walking stripe units. */
		for (x = off; x < off + len;) {
			uint64_t unit_end = (x / g->su + 1) * g->su;
			uint64_t last = (unit_end < off + len ? unit_end :
					 off + len) - 1;

			ref_column(g, x, &col, &co);
			if (col == runs[i].column) {
				if (co < lo)
					lo = co;
				ref_column(g, last, &col, &co);
				if (co > hi)
					hi = co;
			}
			x = last + 1;
		}
		check(P_RUNS_COVER, lo == runs[i].col_off &&
		      hi + 1 - lo == runs[i].len,
		      "run %u column %u: col_off %" PRIu64 " len %" PRIu64 "; reference %" PRIu64 " len %" PRIu64,
		      i, runs[i].column, runs[i].col_off, runs[i].len, lo,
		      hi + 1 - lo);
	}

	/* Byte mapping. */
	rc = (struct range_ctx){ g, l, off, len, flat, nflat, 0 };
	if (len <= BYTEWISE_MAX) {
		for (b = 0; b < len; b++)
			check_byte(&rc, b);
	} else {
		uint64_t wlo = 0, whi = len, x;

		if (len > BLOCKWISE_MAX) {
			/* Block by block inside a random window. */
			wlo = below(len - BLOCKWISE_MAX + 1);
			whi = wlo + BLOCKWISE_MAX;
			/* and at each stripe unit's first and last byte */
			for (x = off; x < off + len;
			     x = (x / g->su + 1) * g->su) {
				uint64_t e = (x / g->su + 1) * g->su;

				check_byte(&rc, x - off);
				check_byte(&rc, (e < off + len ? e :
						 off + len) - 1 - off);
			}
		}
		for (x = off + wlo; x < off + whi;) {
			uint64_t e = (x / g->bs + 1) * g->bs;

			if (e > off + whi)
				e = off + whi;
			check_byte(&rc, x - off);
			check_byte(&rc, x - off + below(e - x));
			check_byte(&rc, e - 1 - off);
			x = e;
		}
		for (i = 0; i < nflat; i++) {
			check_byte(&rc, flat[i].buf_off);
			check_byte(&rc, flat[i].buf_off + flat[i].len - 1);
		}
	}
out:
	free(flat);
	free(used);
	free(segs);
}

/* ---- csa_map_locate on its own ---- */

static void check_locate_at(const struct gen *g, const struct csa_layout *l,
			    unsigned c, unsigned k, uint64_t co)
{
	struct csa_loc loc;
	struct rloc r = { 0 };
	int ret, rret;

	memset(&loc, 0xa5, sizeof(loc));
	ret = csa_map_locate(l, c, k, co, &loc);
	rret = ref_locate(g, c, k, co, &r);
	if (rret) {
		check(P_ERANGE, ret == -ERANGE,
		      "column %u copy %u col_off %" PRIu64 " (copy holds %" PRIu64 "): returned %d, want -ERANGE",
		      c, k, co, g->copy_bytes[c * g->K + k], ret);
		return;
	}
	check(P_LOCATE, !ret && loc.extent == r.extent &&
	      loc.array == r.array && loc.lun == r.lun && loc.lba == r.lba &&
	      loc.byte_in_block == r.byte && loc.avail == r.avail,
	      "column %u copy %u col_off %" PRIu64 ": got ret %d extent %u a%u LUN %u lba %" PRIu64 " byte %" PRIu64 " avail %" PRIu64 "; reference extent %u a%u LUN %u lba %" PRIu64 " byte %" PRIu64 " avail %" PRIu64,
	      c, k, co, ret, loc.extent, loc.array, loc.lun, loc.lba,
	      loc.byte_in_block, loc.avail, r.extent, r.array, r.lun, r.lba,
	      r.byte, r.avail);
}

static void check_locate(const struct gen *g, const struct csa_layout *l)
{
	unsigned c, k, e, i;

	gen_describe(g, ctx, sizeof(ctx));
	for (c = 0; c < g->C; c++)
		for (k = 0; k < g->K; k++) {
			unsigned ci = c * g->K + k;
			uint64_t end = g->copy_bytes[ci], at = 0;

			for (e = 0; e < g->nr_ext[ci]; e++) {
				uint64_t bytes = g->ext[ci][e].blocks * g->bs;

				check_locate_at(g, l, c, k, at);
				check_locate_at(g, l, c, k, at + 1);
				check_locate_at(g, l, c, k, at + g->bs - 1);
				check_locate_at(g, l, c, k, at + bytes - 1);
				if (at)
					check_locate_at(g, l, c, k, at - 1);
				at += bytes;
			}
			for (i = 0; i < 16; i++)
				check_locate_at(g, l, c, k, below(end));
			check_locate_at(g, l, c, k, end);
			check_locate_at(g, l, c, k, end + 1);
			check_locate_at(g, l, c, k, end + g->bs);
			check_locate_at(g, l, c, k, end + below(1ull << 40));
			check_locate_at(g, l, c, k, UINT64_MAX);
		}
}

/* ---- ranges ---- */

static void pick_range(const struct gen *g, uint64_t *off, uint64_t *len)
{
	uint64_t size = g->size, row = (uint64_t)g->su * g->C, o, n;

	switch (below(8)) {
	case 0:		/* the whole volume */
		o = 0;
		n = size;
		break;
	case 1:		/* block aligned */
		o = below(size / g->bs) * g->bs;
		n = (1 + below((size - o) / g->bs)) * g->bs;
		break;
	case 2:		/* stripe-unit aligned start, up to two rows */
		o = below((size + g->su - 1) / g->su) * g->su;
		if (o >= size)
			o = 0;
		n = 1 + below(2 * row);
		break;
	case 3:		/* to the very end */
		o = below(size);
		n = size - o;
		break;
	case 4:		/* a few bytes across a stripe unit boundary */
		o = below((size + g->su - 1) / g->su) * g->su;
		if (o >= size || !o)
			o = 0;
		else
			o -= 1 + below(o < 8 ? o : 8);
		n = 1 + below(16);
		break;
	case 5:		/* a few bytes into a stripe unit, any length */
		o = below((size + g->su - 1) / g->su) * g->su + below(9);
		if (o >= size)
			o = size - 1;
		n = 1 + below(below(2) ? 2 * row : 64);
		break;
	default:	/* anywhere, short */
		o = below(size);
		n = 1 + below(below(2) ? 3 * g->su : 2 * g->bs);
		break;
	}
	if (n > size - o)
		n = size - o;
	if (!n)
		n = 1;
	*off = o;
	*len = n;
}

/* ---- the reference itself, on numbers worked out by hand ---- */

static bool reference_sanity(void)
{
	struct gen g;
	unsigned col;
	uint64_t co;
	struct rloc r;
	bool ok = true;

	memset(&g, 0, sizeof(g));
	g.C = 3;
	g.K = 1;
	g.su = 4096;
	g.bs = 512;
	g.size = 100 * 4096;
	/* 10000: row 0, unit 2, column 2, offset 10000 - 8192 = 1808 */
	ref_column(&g, 10000, &col, &co);
	ok = ok && col == 2 && co == 1808;
	/* 12288 + 5000 = 17288: row 1, unit 4 -> column 1, 4096 + 904 */
	ref_column(&g, 17288, &col, &co);
	ok = ok && col == 1 && co == 5000;
	/* Column 1, copy 0: extents 3 blocks at 100, 5 blocks at 7. */
	g.nr_ext[1] = 2;
	g.ext[1][0] = (struct gext){ 1, 2, 100, 3 };
	g.ext[1][1] = (struct gext){ 1, 2, 7, 5 };
	/* col_off 3000 = block 5 byte 440: 3 in the first, lba 7 + 2;
	 * 2560 - (3000 - 1536) = 1096 bytes to the end of the extent */
	ok = ok && !ref_locate(&g, 1, 0, 3000, &r) && r.extent == 1 &&
	     r.lba == 9 && r.byte == 440 && r.avail == 1096;
	ok = ok && !ref_locate(&g, 1, 0, 1535, &r) && r.extent == 0 &&
	     r.lba == 102 && r.byte == 511 && r.avail == 1;
	ok = ok && ref_locate(&g, 1, 0, 8 * 512, &r) == -1;
	return ok;
}

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED"), *it = getenv("CSA_TEST_ITERS");
	unsigned iters = it ? (unsigned)strtoul(it, NULL, 0) : DEFAULT_ITERS;
	unsigned long bad_layouts = 0, ranges = 0;
	char err[256];
	int status = 0, p;

	seed = s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change), %u layouts\n",
	       seed, iters);

	if (reference_sanity()) {
		printf("ok - the reference mapping gives the hand-computed answers\n");
	} else {
		printf("not ok - the reference mapping gives the hand-computed answers\n");
		status = 1;
	}

	for (iter = 0; iter < iters; iter++) {
		struct csa_layout *l;
		struct gen g;
		unsigned r;

		/* Each iteration from its own stream: reproducible alone. */
		rng = seed ^ (0x9e3779b97f4a7c15ull * (iter + 1));
		gen_random(&g, &rng);
		gen_describe(&g, ctx, sizeof(ctx));
		l = gen_build(&g);
		if (!check(P_VALIDATE, l != NULL,
			   "csa_layout_alloc/set_extents/init_regions failed")) {
			bad_layouts++;
			continue;
		}
		err[0] = 0;
		if (!check(P_VALIDATE, csa_layout_validate(l, err, sizeof(err)) == 0,
			   "csa_layout_validate: %s", err)) {
			bad_layouts++;
			csa_layout_free(l);
			continue;
		}
		for (r = 0; r < RANGES_PER_LAYOUT; r++) {
			uint64_t off, len;

			pick_range(&g, &off, &len);
			check_range(&g, l, off, len);
			ranges++;
		}
		check_locate(&g, l);
		csa_layout_free(l);
	}

	printf("# %u layouts (%lu rejected), %lu ranges\n", iters, bad_layouts,
	       ranges);
	for (p = 0; p < P_NR; p++) {
		if (fails[p])
			status = 1;
		printf("%s - %s (%lu checks, %lu failed)\n",
		       fails[p] ? "not ok" : "ok", prop_name[p], checks[p],
		       fails[p]);
	}
	return status;
}
