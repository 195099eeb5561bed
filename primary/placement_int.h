/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the planner (placement.h): the arrays of one block size as a plan
 * sees them, with their free extents derived from the pool, and the
 * helpers the files of the planner share. Not for use outside primary/.
 */
#ifndef CSA_PLACEMENT_INT_H
#define CSA_PLACEMENT_INT_H

#include <stdint.h>

#include "primary/placement.h"

/* One free extent of an array. */
struct pl_free {
	unsigned lun_idx;	/* index in the array's luns[] */
	uint32_t lun;		/* LUN number */
	uint64_t start, blocks;
};

/* One array of the pool, as this plan sees it. */
struct pl_array {
	unsigned index;			/* in the pool */
	const struct csa_pool_array *pa;
	uint64_t back_mbps, back_iops;	/* re-plan: the volume's own share */
	uint64_t head_mbps, head_iops;	/* rated - (reserved - back), >= 0 */
	uint64_t usable_blocks;		/* LUN blocks past the reserved areas */
	uint64_t free_blocks;
	uint64_t cap_blocks;	/* the most a new copy can get in
				 * CSA_MAX_EXTENTS extents */
	unsigned nr_free;
	struct pl_free *free;		/* LUN order, then LBA */
	int taken;	/* holds (or is picked for) a copy of this volume */
};

/* Best fit plans first with arrays that stay at or below this percentage
 * of their space, MB/s and IOPS once they take a column copy (placement.h,
 * "Columns"). */
#define PL_WITHIN_PCT	90u

/* A candidate array when picking by best fit. */
struct pl_cand {
	double score;
	unsigned i;
};

/* A plan in the making: the request, checked, and the arrays of one block
 * size. */
struct pl_ctx {
	uint32_t bs;
	unsigned nr;
	struct pl_array *a;
	struct csa_extent *scratch;	/* CSA_MAX_EXTENTS */
	struct pl_cand *cand;		/* nr */
	uint64_t size;			/* rounded up to bs */
	uint64_t mbps, iops;
	unsigned copies;
	uint32_t su;
	enum csa_fit fit;
	int mixed;	/* the pool has arrays of other block sizes too */
	int within;	/* pl_pick takes only arrays that stay within
			 * PL_WITHIN_PCT; pl_plan_fresh leaves it set when
			 * its plan was made so */
};

/* ---- placement_free.c ---- */

/* The arrays of @pool with block size @bs, free extents derived; the
 * request fields are the caller's to fill. 0 or -ENOMEM. */
int pl_ctx_init(struct pl_ctx *ctx, const struct csa_pool *pool, uint32_t bs);
void pl_ctx_free(struct pl_ctx *ctx);

/* Recompute head_* of @a from the pool and back_*. */
void pl_array_headroom(struct pl_array *a);

/* Recompute cap_blocks of @a (after its free list changed). 0, -ENOMEM. */
int pl_array_cap(struct pl_array *a);

/*
 * Take @need blocks (> 0) from free list @f[@n] by @fit, in at most
 * @max_ext extents written to @out (lun and start_lba, blocks; array 0),
 * in LUN and LBA order. Sets *@nr_out. 0, -ENOSPC if it cannot be done
 * within @max_ext extents, -ENOMEM. @f is not changed.
 */
int pl_alloc(const struct pl_free *f, unsigned n, uint64_t need,
	     enum csa_fit fit, unsigned max_ext, struct csa_extent *out,
	     unsigned *nr_out);

/* ---- placement.c ---- */

/* Bytes per column copy: whole stripe rows (as csa_layout_column_bytes). */
uint64_t pl_column_bytes(uint64_t size, uint32_t su, unsigned columns);

/* Most columns a volume of @copies copies can have over @nr arrays. */
unsigned pl_max_columns(unsigned nr, unsigned copies);

/* 1 if @a can take one new column copy of this much. */
int pl_can_take(const struct pl_array *a, uint64_t blocks, uint64_t mbps,
		uint64_t iops);

/* 1 if @a, with one more column copy of this much, is at or below
 * PL_WITHIN_PCT of its space, MB/s and IOPS (a dimension rated 0 is). */
int pl_stays_within(const struct pl_array *a, uint64_t blocks, uint64_t mbps,
		    uint64_t iops);

/*
 * Pick up to @m arrays not yet taken that can take a column copy of
 * (@blocks, @mbps, @iops), and stay within PL_WITHIN_PCT if ctx->within,
 * by ctx->fit (placement.h: "Fit and balance"), into @pick (indices into
 * ctx->a). Returns how many were found; when fewer than @m, @pick holds
 * what was found.
 */
unsigned pl_pick(struct pl_ctx *ctx, uint64_t blocks, uint64_t mbps,
		 uint64_t iops, unsigned m, unsigned *pick);

/* Check a request as csa_place does: 0, or -EINVAL with @r filled. */
int pl_check_request(const struct csa_requirements *req,
		     struct csa_refusal *r);

/* Check the pool: 0, -EINVAL with @r filled (bad_pool), -ENOMEM. */
int pl_check_pool(const struct csa_pool *pool, struct csa_refusal *r);

/* Fill ctx's request fields from @req for block size ctx->bs. */
void pl_ctx_request(struct pl_ctx *ctx, const struct csa_requirements *req);

/*
 * A fresh placement on ctx's arrays (those not taken), every copy marked
 * @change, with the columns of placement.h "Columns". 0 with plan->layout
 * and plan->copies (ctx->within says whether its arrays stay within
 * PL_WITHIN_PCT), -ENOSPC when no split fits (plan untouched), -ENOMEM,
 * -EINVAL if the layout does not validate (refusal bad_pool).
 */
int pl_plan_fresh(struct pl_ctx *ctx, struct csa_plan *plan,
		  enum csa_copy_change change);

/* ---- placement_refusal.c ---- */

/* Fill @r with @code, @field and the sentence. Returns -EINVAL for
 * bad_request and bad_pool, -ENOSPC for the others. */
__attribute__((format(printf, 4, 5)))
int pl_refuse(struct csa_refusal *r, enum csa_plan_code code,
	      const char *field, const char *fmt, ...);

/* Why ctx's request fits no split of ctx's arrays (not taken): fill @r.
 * Returns -ENOSPC, or -ENOMEM. */
int pl_refuse_capacity(struct pl_ctx *ctx, struct csa_refusal *r);

/* "40 GiB", "41.5 GiB", "512 KiB", "100 bytes": one decimal, rounded up
 * if @up else down. */
void pl_fmt_bytes(char *buf, size_t len, uint64_t bytes, int up);

#endif
