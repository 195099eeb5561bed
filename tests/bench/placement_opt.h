/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exact offline optimum for tests/bench/placement: of a set of volume
 * requests, the subset worth the most (its requested MB/s) that can be
 * placed together on a few empty arrays, under the planner's own model
 * (primary/placement.h): request j with C columns x K copies needs C x K
 * distinct arrays, each giving one column copy need[C] = (blocks,
 * ceil(mbps / C), ceil(iops / C)); any C from 1 to maxc. Space is a number
 * of blocks per array (fresh LUNs: a copy may take several extents, so
 * free space is fungible).
 *
 * Branch and bound over subsets, items by value, "take" first. Each taken
 * item is placed at once: into what the items above it left (the
 * planner's rule: fewest columns, least loaded arrays), or else by a
 * search that re-packs the whole subset (every column count and every set
 * of arrays, arrays in the same state tried once). A subset that cannot be
 * packed cuts its whole subtree (adding items cannot help). Bounds: the
 * value so far plus a fractional knapsack on what is left, per resource
 * and on their sum weighted by what is left, counting only items that
 * still fit somewhere alone.
 *
 * Proving that a subset cannot be packed is the hard part (column copies
 * of one volume are all the same size, so shares cannot be evened out).
 * A packing search that runs out of nodes leaves its subtree undecided;
 * the subsets under it are then searched on the aggregate resources
 * alone, as if they packed, and the best of them bounds the subtree. The
 * answer is a range [best, bound], exact when they meet. No global state.
 */
#ifndef CSA_BENCH_PLACEMENT_OPT_H
#define CSA_BENCH_PLACEMENT_OPT_H

#include <stdint.h>

#define OPT_ARRAYS	8
#define OPT_ITEMS	64
#define OPT_MAXC	8
#define OPT_DIMS	3	/* blocks, MB/s, IOPS */

struct opt_item {
	uint64_t value;
	unsigned copies;
	unsigned maxc;				/* columns 1 .. maxc */
	uint64_t need[OPT_MAXC + 1][OPT_DIMS];	/* one column copy at C */
};

struct opt_problem {
	unsigned nr_arrays;
	uint64_t cap[OPT_ARRAYS][OPT_DIMS];
	unsigned nr_items;
	struct opt_item item[OPT_ITEMS];
	uint64_t incumbent;	/* a value known to be reachable, or 0 */
	uint64_t pack_limit;	/* nodes per packing search */
	uint64_t pack_budget;	/* packing nodes in all */
	uint64_t node_limit;	/* subset nodes in all */
};

struct opt_result {
	uint64_t best;		/* the best subset packed */
	uint64_t bound;		/* nothing is worth more than this */
	int exact;		/* best == bound, and best >= incumbent */
	uint64_t nodes, pack_nodes;
	unsigned repacks, repack_failed, repack_unknown;
};

void opt_solve(const struct opt_problem *p, struct opt_result *r);

/* Can items @idx[@n] of @p all be placed together? 1 yes, 0 no, -1 not
 * decided within @limit nodes. */
int opt_packable(const struct opt_problem *p, const unsigned *idx,
		 unsigned n, uint64_t limit);

#endif
