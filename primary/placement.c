// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Placement of a new volume (placement.h): check the request and the
 * pool, then for each number of columns from 1 up, pick C x K arrays that
 * can each take a column copy; the first C that has them wins. Best fit
 * does this first with arrays that stay within PL_WITHIN_PCT of their
 * ratings, then, if no C has them, with all. Sort and scan only: per block
 * size, at most 2 x CSA_MAX_COLUMNS passes over the arrays, then one carve
 * per chosen array.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement_int.h"

#define MIN_BLOCK_SIZE	512u
#define MAX_BLOCK_SIZE	65536u
#define MAX_STRIPE_UNIT	(64u << 20)
#define MAX_SIZE	(1ull << 62)
#define REGION_TARGET	(128ull << 20)

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* ---- small public helpers --------------------------------------------- */

const char *csa_plan_code_name(enum csa_plan_code code)
{
	static const char *const names[] = {
		[CSA_PLAN_OK] = "ok",
		[CSA_PLAN_BAD_REQUEST] = "bad_request",
		[CSA_PLAN_BAD_POOL] = "bad_pool",
		[CSA_PLAN_TOO_FEW_ARRAYS] = "too_few_arrays",
		[CSA_PLAN_NO_SPACE] = "no_space",
		[CSA_PLAN_NO_BANDWIDTH] = "no_bandwidth",
		[CSA_PLAN_NO_IOPS] = "no_iops",
		[CSA_PLAN_NO_FIT] = "no_fit",
	};

	if ((unsigned)code >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[code];
}

const char *csa_copy_change_name(enum csa_copy_change change)
{
	static const char *const names[] = {
		[CSA_COPY_NEW] = "new",
		[CSA_COPY_KEPT] = "kept",
		[CSA_COPY_GROWN] = "grown",
		[CSA_COPY_MOVED] = "moved",
		[CSA_COPY_ADDED] = "added",
		[CSA_COPY_RESTRIPED] = "restriped",
	};

	if ((unsigned)change >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[change];
}

uint32_t csa_default_stripe_unit(uint64_t mbps, uint64_t iops)
{
	uint64_t io;

	if (!mbps && !iops)
		return 256u << 10;
	if (!mbps)
		return 64u << 10;
	if (!iops)
		return 1u << 20;
	/* bytes per transaction the request implies */
	io = mbps > UINT64_MAX / 1000000 ? UINT64_MAX : mbps * 1000000 / iops;
	if (io < (64u << 10))
		return 64u << 10;
	if (io < (512u << 10))
		return 256u << 10;
	return 1u << 20;
}

uint32_t csa_default_region_rows(uint32_t stripe_unit, unsigned columns)
{
	uint64_t row = (uint64_t)stripe_unit * columns;

	if (!row || row >= REGION_TARGET)
		return 1;
	return (uint32_t)(REGION_TARGET / row);
}

void csa_column_share(uint64_t mbps, uint64_t iops, unsigned columns,
		      uint64_t *column_mbps, uint64_t *column_iops)
{
	if (!columns)
		columns = 1;
	*column_mbps = mbps / columns + (mbps % columns != 0);
	*column_iops = iops / columns + (iops % columns != 0);
}

uint64_t pl_column_bytes(uint64_t size, uint32_t su, unsigned columns)
{
	uint64_t row = (uint64_t)su * columns;

	return (size / row + (size % row != 0)) * su;
}

unsigned pl_max_columns(unsigned nr, unsigned copies)
{
	unsigned c = copies ? nr / copies : 0;

	return c < CSA_MAX_COLUMNS ? c : CSA_MAX_COLUMNS;
}

void csa_plan_release(struct csa_plan *plan)
{
	csa_layout_free(plan->layout);
	free(plan->copies);
	free(plan->refusal.arrays);
	memset(plan, 0, sizeof(*plan));
}

/* ---- checks ------------------------------------------------------------ */

int pl_check_request(const struct csa_requirements *req,
		     struct csa_refusal *r)
{
	uint32_t su = req->stripe_unit;

	if (!req->size)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "size",
				 "size is 0; a volume needs at least one block");
	if (req->size > MAX_SIZE)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "size",
				 "size %" PRIu64 " is more than 4 EiB", req->size);
	if (req->copies < 1 || req->copies > CSA_MAX_COPIES)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "copies",
				 "copies is %u; it must be 1 to %u",
				 req->copies, CSA_MAX_COPIES);
	if (su && !is_pow2(su))
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "stripe_unit",
				 "stripe unit %" PRIu32 " is not a power of two", su);
	if (su && su < MIN_BLOCK_SIZE)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "stripe_unit",
				 "stripe unit %" PRIu32 " is below 512 bytes", su);
	if (su > MAX_STRIPE_UNIT)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "stripe_unit",
				 "stripe unit %" PRIu32 " is above 64 MiB", su);
	if (req->fit != CSA_FIT_BEST && req->fit != CSA_FIT_FIRST)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "fit",
				 "fit %d is neither best (0) nor first (1)",
				 (int)req->fit);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	const struct csa_pool_array *x = *(const struct csa_pool_array *const *)a;
	const struct csa_pool_array *y = *(const struct csa_pool_array *const *)b;

	return strcmp(x->name, y->name);
}

static int check_array(const struct csa_pool_array *a, unsigned i,
		       struct csa_refusal *r)
{
	unsigned x, y;

	if (!memchr(a->name, 0, sizeof(a->name)) || !a->name[0])
		return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
				 "array %u has no name or an unterminated one", i);
	if (!memchr(a->portal, 0, sizeof(a->portal)) ||
	    !memchr(a->target, 0, sizeof(a->target)))
		return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
				 "array %s: the portal or target is not terminated",
				 a->name);
	if (!is_pow2(a->block_size) || a->block_size < MIN_BLOCK_SIZE ||
	    a->block_size > MAX_BLOCK_SIZE)
		return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
				 "array %s: block size %" PRIu32
				 " is not a power of two from 512 to 65536",
				 a->name, a->block_size);
	if (a->nr_luns && !a->luns)
		return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
				 "array %s has %u LUNs and no LUN table",
				 a->name, a->nr_luns);
	/* LUNs are few per array: pairs are fine. */
	for (x = 0; x < a->nr_luns; x++) {
		if (a->luns[x].nr_used && !a->luns[x].used)
			return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
					 "array %s LUN %" PRIu32 " has no used-extent table",
					 a->name, a->luns[x].lun);
		for (y = x + 1; y < a->nr_luns; y++)
			if (a->luns[x].lun == a->luns[y].lun)
				return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
						 "array %s has LUN %" PRIu32 " twice",
						 a->name, a->luns[x].lun);
	}
	return 0;
}

int pl_check_pool(const struct csa_pool *pool, struct csa_refusal *r)
{
	const struct csa_pool_array **by;
	unsigned i;
	int ret = 0;

	if (pool->nr_arrays && !pool->arrays)
		return pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
				 "the pool has %u arrays and no array table",
				 pool->nr_arrays);
	for (i = 0; i < pool->nr_arrays; i++) {
		ret = check_array(&pool->arrays[i], i, r);
		if (ret)
			return ret;
	}
	by = malloc((pool->nr_arrays ? pool->nr_arrays : 1) * sizeof(*by));
	if (!by)
		return -ENOMEM;
	for (i = 0; i < pool->nr_arrays; i++)
		by[i] = &pool->arrays[i];
	qsort(by, pool->nr_arrays, sizeof(*by), name_cmp);
	for (i = 1; i < pool->nr_arrays && !ret; i++)
		if (!strcmp(by[i - 1]->name, by[i]->name))
			ret = pl_refuse(r, CSA_PLAN_BAD_POOL, "pool",
					"two arrays are named \"%s\"", by[i]->name);
	free(by);
	return ret;
}

void pl_ctx_request(struct pl_ctx *ctx, const struct csa_requirements *req)
{
	uint32_t su = req->stripe_unit;

	ctx->size = (req->size + ctx->bs - 1) / ctx->bs * ctx->bs;
	ctx->mbps = req->mbps;
	ctx->iops = req->iops;
	ctx->copies = req->copies;
	ctx->fit = req->fit;
	if (!su)
		su = csa_default_stripe_unit(req->mbps, req->iops);
	ctx->su = su < ctx->bs ? ctx->bs : su;
}

/* ---- picking arrays ---------------------------------------------------- */

int pl_can_take(const struct pl_array *a, uint64_t blocks, uint64_t mbps,
		uint64_t iops)
{
	return !a->taken && a->head_mbps >= mbps && a->head_iops >= iops &&
	       a->cap_blocks >= blocks;
}

/* used + add <= PL_WITHIN_PCT % of total, in integers; a total of 0 is
 * not a limit (as in util_after). */
static int within_pct(uint64_t used, uint64_t add, uint64_t total)
{
	uint64_t lim = total / 100 * PL_WITHIN_PCT +
		       total % 100 * PL_WITHIN_PCT / 100;

	return !total || (used <= lim && add <= lim - used);
}

int pl_stays_within(const struct pl_array *a, uint64_t blocks, uint64_t mbps,
		    uint64_t iops)
{
	const struct csa_pool_array *p = a->pa;

	return within_pct(a->usable_blocks - a->free_blocks, blocks,
			  a->usable_blocks) &&
	       within_pct(p->rated_mbps - a->head_mbps, mbps, p->rated_mbps) &&
	       within_pct(p->rated_iops - a->head_iops, iops, p->rated_iops);
}

static double frac(uint64_t used, uint64_t total)
{
	return total ? (double)used / (double)total : 0.0;
}

/* Largest of the fractions of space, MB/s and IOPS in use once a column
 * copy of this much is added. */
static double util_after(const struct pl_array *a, uint64_t blocks,
			 uint64_t mbps, uint64_t iops)
{
	const struct csa_pool_array *p = a->pa;
	uint64_t rb = p->rated_mbps > a->head_mbps ? p->rated_mbps - a->head_mbps : 0;
	uint64_t ri = p->rated_iops > a->head_iops ? p->rated_iops - a->head_iops : 0;
	double u = frac(a->usable_blocks - a->free_blocks + blocks,
			a->usable_blocks), v;

	v = frac(rb + mbps, p->rated_mbps);
	if (v > u)
		u = v;
	v = frac(ri + iops, p->rated_iops);
	return v > u ? v : u;
}

/* Pick order for best fit: by utilisation after, then pool order. */
static int cand_cmp(const void *a, const void *b)
{
	const struct pl_cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

unsigned pl_pick(struct pl_ctx *ctx, uint64_t blocks, uint64_t mbps,
		 uint64_t iops, unsigned m, unsigned *pick)
{
	struct pl_cand *c = ctx->cand;
	unsigned i, n = 0;

	for (i = 0; i < ctx->nr; i++) {
		if (!pl_can_take(&ctx->a[i], blocks, mbps, iops) ||
		    (ctx->within &&
		     !pl_stays_within(&ctx->a[i], blocks, mbps, iops)))
			continue;
		if (ctx->fit == CSA_FIT_FIRST) {
			pick[n++] = i;
			if (n == m)
				return n;
			continue;
		}
		c[n].score = util_after(&ctx->a[i], blocks, mbps, iops);
		c[n++].i = i;
	}
	if (ctx->fit == CSA_FIT_FIRST)
		return n;
	if (n < m) {
		for (i = 0; i < n; i++)
			pick[i] = c[i].i;
		return n;
	}
	qsort(c, n, sizeof(*c), cand_cmp);
	for (i = 0; i < m; i++)
		pick[i] = c[i].i;
	return m;
}

/* ---- a fresh placement ------------------------------------------------- */

static int build(struct pl_ctx *ctx, unsigned columns, const unsigned *pick,
		 struct csa_plan *plan, enum csa_copy_change change)
{
	unsigned K = ctx->copies, m = columns * K, j, e, n;
	uint64_t blocks = pl_column_bytes(ctx->size, ctx->su, columns) / ctx->bs;
	struct csa_layout *l;
	struct csa_copy_plan *cp;
	const struct pl_array *a;
	char err[256];
	int ret = -ENOMEM;

	l = csa_layout_alloc(m, columns, K);
	cp = calloc(m, sizeof(*cp));
	if (!l || !cp)
		goto bad;
	l->size = ctx->size;
	l->block_size = ctx->bs;
	l->stripe_unit = ctx->su;
	l->region_rows = csa_default_region_rows(ctx->su, columns);
	for (j = 0; j < m; j++) {
		a = &ctx->a[pick[j]];
		memcpy(l->arrays[j].name, a->pa->name, CSA_NAME_MAX);
		memcpy(l->arrays[j].portal, a->pa->portal, CSA_PORTAL_MAX);
		memcpy(l->arrays[j].target, a->pa->target, CSA_IQN_MAX);
		ret = pl_alloc(a->free, a->nr_free, blocks, ctx->fit,
			       CSA_MAX_EXTENTS, ctx->scratch, &n);
		if (ret == -ENOSPC) {
			/* cap_blocks promised the space */
			ret = pl_refuse(&plan->refusal, CSA_PLAN_BAD_POOL, "pool",
					"array %s shows %" PRIu64
					" blocks free but cannot give %" PRIu64,
					a->pa->name, a->cap_blocks, blocks);
			goto bad;
		}
		if (!ret)
			ret = csa_layout_set_extents(l, j / K, j % K, n);
		if (ret)
			goto bad;
		for (e = 0; e < n; e++) {
			ctx->scratch[e].array = j;
			csa_layout_copy(l, j / K, j % K)->extents[e] = ctx->scratch[e];
		}
		cp[j] = (struct csa_copy_plan){ .change = change,
			.array = a->index, .old_copy = -1, .from_copy = -1 };
	}
	ret = csa_layout_init_regions(l);
	if (ret)
		goto bad;
	if (csa_layout_validate(l, err, sizeof(err))) {
		ret = pl_refuse(&plan->refusal, CSA_PLAN_BAD_POOL, "pool",
				"the plan does not validate: %s", err);
		goto bad;
	}
	plan->layout = l;
	plan->copies = cp;
	csa_column_share(ctx->mbps, ctx->iops, columns, &plan->column_mbps,
			 &plan->column_iops);
	return 0;
bad:
	free(cp);
	csa_layout_free(l);
	return ret;
}

/* The fewest columns for which pl_pick finds C x K arrays (as ctx->within
 * says), built; -ENOSPC if none. */
static int fewest(struct pl_ctx *ctx, struct csa_plan *plan,
		  enum csa_copy_change change)
{
	unsigned K = ctx->copies, maxc = pl_max_columns(ctx->nr, K), C;
	unsigned pick[CSA_MAX_COLUMNS * CSA_MAX_COPIES];
	uint64_t blocks, b, i;

	for (C = 1; C <= maxc; C++) {
		blocks = pl_column_bytes(ctx->size, ctx->su, C) / ctx->bs;
		csa_column_share(ctx->mbps, ctx->iops, C, &b, &i);
		if (pl_pick(ctx, blocks, b, i, C * K, pick) == C * K)
			return build(ctx, C, pick, plan, change);
	}
	return -ENOSPC;
}

int pl_plan_fresh(struct pl_ctx *ctx, struct csa_plan *plan,
		  enum csa_copy_change change)
{
	int ret;

	/* Best fit: first on arrays that stay within PL_WITHIN_PCT. */
	ctx->within = ctx->fit == CSA_FIT_BEST;
	if (ctx->within) {
		ret = fewest(ctx, plan, change);
		if (ret != -ENOSPC)
			return ret;
		ctx->within = 0;
	}
	return fewest(ctx, plan, change);
}

/* ---- csa_place --------------------------------------------------------- */

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Distinct block sizes of the pool, ascending, into @bs; returns count. */
static unsigned block_sizes(const struct csa_pool *pool, uint32_t *bs)
{
	unsigned i, n = 0, k = 0;

	for (i = 0; i < pool->nr_arrays; i++)
		bs[n++] = pool->arrays[i].block_size;
	qsort(bs, n, sizeof(*bs), u32_cmp);
	for (i = 0; i < n; i++)
		if (!k || bs[k - 1] != bs[i])
			bs[k++] = bs[i];
	return k;
}

static unsigned count_bs(const struct csa_pool *pool, uint32_t bs)
{
	unsigned i, n = 0;

	for (i = 0; i < pool->nr_arrays; i++)
		n += pool->arrays[i].block_size == bs;
	return n;
}

/* Plan on the arrays of block size @bs; 0 fills @plan (and *@within
 * unless NULL), -ENOSPC leaves it. */
static int try_block_size(const struct csa_pool *pool, uint32_t bs,
			  const struct csa_requirements *req,
			  struct csa_plan *plan, int refuse, int *within)
{
	struct pl_ctx ctx;
	int ret;

	ret = pl_ctx_init(&ctx, pool, bs);
	if (ret)
		return ret;
	pl_ctx_request(&ctx, req);
	ret = refuse ? pl_refuse_capacity(&ctx, &plan->refusal) :
		       pl_plan_fresh(&ctx, plan, CSA_COPY_NEW);
	if (within)
		*within = ctx.within;
	pl_ctx_free(&ctx);
	return ret;
}

int csa_place(const struct csa_pool *pool, const struct csa_requirements *req,
	      struct csa_plan *plan)
{
	uint32_t *bs = NULL, big = 0;
	struct csa_plan cand;
	unsigned n, i, most = 0, k;
	int ret, within = 0, cw = 0;

	memset(plan, 0, sizeof(*plan));
	ret = pl_check_request(req, &plan->refusal);
	if (!ret)
		ret = pl_check_pool(pool, &plan->refusal);
	if (ret)
		return ret;
	bs = malloc((pool->nr_arrays ? pool->nr_arrays : 1) * sizeof(*bs));
	if (!bs)
		return -ENOMEM;
	n = block_sizes(pool, bs);
	for (i = 0; i < n; i++) {
		if (req->stripe_unit && req->stripe_unit < bs[i])
			continue;
		k = count_bs(pool, bs[i]);
		if (k > most) {
			most = k;
			big = bs[i];
		}
		memset(&cand, 0, sizeof(cand));
		ret = try_block_size(pool, bs[i], req, &cand, 0, &cw);
		if (ret == -ENOSPC)
			continue;
		if (ret) {
			/* cand holds the refusal, if any, and no layout */
			csa_plan_release(plan);
			*plan = cand;
			goto out;
		}
		/* within PL_WITHIN_PCT first, then the fewest columns */
		if (!plan->layout || cw > within ||
		    (cw == within &&
		     cand.layout->nr_columns < plan->layout->nr_columns)) {
			csa_plan_release(plan);
			*plan = cand;
			within = cw;
		} else {
			csa_plan_release(&cand);
		}
	}
	ret = 0;
	if (plan->layout)
		goto out;
	if (n && !most) {
		ret = pl_refuse(&plan->refusal, CSA_PLAN_BAD_REQUEST, "stripe_unit",
				"stripe unit %" PRIu32
				" is smaller than the block size of every array (the smallest is %" PRIu32 ")",
				req->stripe_unit, bs[0]);
		goto out;
	}
	ret = try_block_size(pool, n ? big : 512, req, plan, 1, NULL);
out:
	free(bs);
	return ret;
}
