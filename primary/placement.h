/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Placement: from a volume's requirements and the state of the arrays, the
 * layout that gives it (striper/layout.h), or a refusal that says in
 * numbers what is missing. Also the re-plan of an existing volume with the
 * fewest changed column copies, which migration uses.
 *
 * Pure functions: no I/O, no threads, no state between calls. Any thread
 * may call them at once on its own pool and plan; the pool is only read.
 * Cost per call: deriving the free extents, O(E log E) for the pool's E
 * used extents (the sort is skipped for a LUN whose extents come in LBA
 * order), then at most 2 x CSA_MAX_COLUMNS passes over the arrays and a
 * sort of them; no search. 64 arrays x 1000 volumes: ~0.2 ms at p99
 * (tests/bench/placement).
 *
 * ---- The model --------------------------------------------------------
 *
 * Units: sizes in bytes, bandwidth in MB/s (10^6 bytes a second), IOPS in
 * operations a second, LUN space in blocks of the array's block size.
 *
 * Space. An array's free space is derived, never stored: per LUN, blocks
 * [reserved_blocks, blocks) minus the used extents (any order; overlaps
 * and parts past the LUN end are tolerated). One column copy of size
 * column_bytes (csa_layout_column_bytes: whole stripe rows) is carved out
 * of the free extents of ONE array, as one or several extents on one or
 * more of its LUNs, at most CSA_MAX_EXTENTS of them.
 *
 * Load. An array's headroom is rated minus reserved (0 if over), for MB/s
 * and for IOPS. A volume of C columns x K copies reserves on the array of
 * every column copy the column's share: ceil(mbps / C) MB/s and
 * ceil(iops / C) IOPS (csa_column_share). Every copy reserves the whole
 * share because writes go to every copy; that reads could be spread over
 * the copies is not counted as a discount. An array can take a column copy
 * when its headroom covers the share in both and it has the space.
 * Reservations, not measured load, decide: the monitor handles the rest.
 *
 * Columns. All C x K column copies of a volume are on distinct arrays (so
 * a volume uses exactly C x K arrays), all of one block size (the layout
 * has one). C is the smallest number, 1 .. min(CSA_MAX_COLUMNS, arrays /
 * K), for which C x K arrays can each take a column copy. So C follows the
 * MB/s and the IOPS, not only the size: an array with room for the whole
 * volume but not the bandwidth gets one column of several. Best fit first
 * asks more: C x K arrays that can each take a column copy and still be
 * at or below 90% of their space, of their MB/s and of their IOPS once it
 * is added (counted in whole units, exactly; a dimension rated 0 is no
 * limit); only when no C has that is it the smallest C as above. So a
 * volume gets more columns than the fewest when the fewest would push an
 * array past 90% and more would not: one array full in one dimension
 * strands what it has left in the others (MB/s with no IOPS left to go
 * with it), and an array run near its rating is slow for every volume on
 * it. Spreading further than that is not done: each column more is one
 * array more whose loss the volume shares. First fit keeps the smallest C.
 * A pool that mixes block sizes is planned once per block size; a plan
 * within 90% wins over one that is not, then the plan with the fewest
 * columns (ties: the smaller block size).
 *
 * Stripe unit (csa_default_stripe_unit) unless the request gives one: by
 * the I/O size the request implies, mbps * 10^6 / iops: none asked 256
 * KiB; IOPS only, or below 64 KiB a transaction: 64 KiB (a small I/O stays
 * in one unit, so transactions spread over the columns by address); 64 KiB
 * to 512 KiB: 256 KiB; MB/s only or larger: 1 MiB (a large transfer spans
 * the columns). Never below the block size.
 *
 * Regions (csa_default_region_rows): max(1, 128 MiB / row bytes) rows, so
 * a region is 64 MiB to 128 MiB whenever a row is 64 MiB or less, and one
 * row when a row is larger.
 *
 * Size: rounded up to the block size; the layout's size is that.
 *
 * ---- Fit and balance --------------------------------------------------
 *
 * CSA_FIT_BEST (the default):
 *   - arrays: among those that can take a column copy (and stay within
 *     90%, when C was found so: see "Columns"), the C x K with the
 *     lowest utilisation after placement, where utilisation is the largest
 *     of the fractions of space, MB/s and IOPS in use (reserved) once the
 *     column copy is added; ties by pool order. This balances the load:
 *     the least loaded arrays take the next volume.
 *   - extents within an array: the smallest free extent that holds the
 *     whole column copy (ties: lowest LUN, then lowest LBA); if none does,
 *     the largest extents first and the smallest one that holds the rest
 *     last, so a copy has as few extents as can be.
 * CSA_FIT_FIRST:
 *   - arrays: the first C x K that can take a column copy, in pool order;
 *   - extents: the first free extent (LUN order, then LBA) that holds the
 *     whole column copy; if none does, free extents in that order until
 *     the copy is full (largest first if that would need more than
 *     CSA_MAX_EXTENTS).
 * Column c copy k goes to the (c * K + k)-th array chosen. Space is taken
 * from the start of a free extent.
 *
 * ---- Re-plan ----------------------------------------------------------
 *
 * csa_replan(pool, old layout, old requirements, new requirements). The
 * pool is the catalog as it stands, this volume included: its extents are
 * among the used ones and its reservations among the reserved. The share
 * the old requirements reserved on the array of each old column copy is
 * taken back first (the volume's load moves; it is not added twice); its
 * old extents stay used (the data is there until migration is done).
 *
 * It keeps the number of columns and the stripe unit when it can (a change
 * to either re-stripes the whole volume), and keeps each old column copy
 * whose array is still in the pool (by name, same block size), holds the
 * copy on that one array, is not already kept for this volume, has the
 * headroom for the new share and the space for the new column size. A
 * kept copy grows in place: first by extending its last extent into free
 * space right after it on the same LUN, then anywhere on the same array
 * (by the fit). Keeping every copy that can be kept is the fewest changes:
 * a copy that must move or be added needs a whole column on an array this
 * volume does not use, and any array that can take it could take a kept
 * copy instead, so no choice of what to keep lets more be kept.
 *
 * "Changed" means data must be copied to a new place: a column copy that
 * MOVED to another array (it replaces an old copy that cannot stay), one
 * ADDED (more copies than before), or RESTRIPED (columns or stripe unit
 * changed, so every copy is new). KEPT and GROWN copies are unchanged: their
 * data stays where it is (a GROWN copy only gets new space after it).
 * Old copies beyond the new number of copies are dropped, the ones that
 * could not be kept first, then the last ones.
 *
 * Only when the old columns cannot be kept with moves (fewer than the
 * copies to move can find an array) does it re-stripe: a fresh placement
 * as csa_place gives, against the pool with this volume's reservations
 * taken back. The size may grow, never shrink (bad_request).
 *
 * ---- Refusals ---------------------------------------------------------
 *
 * A refusal has a stable code (csa_plan_code_name), a sentence for a
 * person, and the figures as fields (csa_refusal_to_json). The sentence
 * lists at most 8 arrays by name ("and N more"); the fields list all.
 *   bad_request     the requirements are wrong (field names which): size 0
 *                   or above 2^62, copies 0 or above CSA_MAX_COPIES, stripe
 *                   unit not a power of two, below 512, above 64 MiB or
 *                   below every array's block size, unknown fit, a re-plan
 *                   that shrinks the volume, old requirements whose copies
 *                   do not match the old layout.
 *   bad_pool        the pool is malformed (block size not a power of two
 *                   in 512..65536, empty or duplicate array names,
 *                   duplicate LUN numbers in an array).
 *   too_few_arrays  fewer arrays (of one block size) than copies.
 *   no_bandwidth    no split has enough arrays with the MB/s, whatever
 *                   the space and the IOPS.
 *   no_iops         likewise for IOPS.
 *   no_space        likewise for space.
 *   no_fit          each is there for some split, not all three on
 *                   enough arrays at once.
 * The first that applies, in that order. When the pool mixes block
 * sizes, the refusal is the one for the block size with the most arrays.
 * Examples:
 *   needs 800 MB/s; arrays with room for a column have 620 MB/s free
 *     (a1 180, a3 240, a4 200); a2 is full
 *   needs 3 arrays with 40 GiB free each for 3 columns x 1 copy; only 2
 *     have: a1 64 GiB, a4 41 GiB
 * "Room for a column" is any headroom at all; an array with none is
 * "full". When the arrays have enough in total but not on enough of them
 * at once, the sentence goes on with the nearest split ("but not on
 * enough arrays at once: the nearest split, 2 columns x 1 copy, needs 2
 * arrays with 400 MB/s free each; only 1 has"). Amounts needed are rounded
 * up, amounts free rounded down (one decimal in the binary unit).
 */
#ifndef CSA_PLACEMENT_H
#define CSA_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "primary/catalog.h"	/* enum csa_fit: CSA_FIT_BEST, CSA_FIT_FIRST */
#include "striper/layout.h"

/* ---- the pool ------------------------------------------------------- */

struct csa_pool_extent {
	uint64_t start_lba;
	uint64_t blocks;
};

struct csa_pool_lun {
	uint32_t lun;			/* LUN number, unique in its array */
	uint64_t blocks;		/* size of the LUN */
	uint64_t reserved_blocks;	/* label and catalog, at the start */
	unsigned nr_used;
	const struct csa_pool_extent *used;	/* extents of every volume */
};

struct csa_pool_array {
	char name[CSA_NAME_MAX];
	char portal[CSA_PORTAL_MAX];
	char target[CSA_IQN_MAX];
	uint32_t block_size;		/* of all its LUNs */
	uint64_t rated_mbps, rated_iops;	/* configured or calibrated */
	uint64_t reserved_mbps, reserved_iops;	/* sum of its volumes' shares */
	unsigned nr_luns;
	const struct csa_pool_lun *luns;
};

struct csa_pool {
	unsigned nr_arrays;
	const struct csa_pool_array *arrays;
};

/* ---- the request ---------------------------------------------------- */

struct csa_requirements {
	uint64_t size;		/* bytes, > 0 */
	uint64_t mbps;		/* MB/s the volume must sustain, 0 = none */
	uint64_t iops;		/* IOPS likewise */
	unsigned copies;	/* 1 .. CSA_MAX_COPIES */
	uint32_t stripe_unit;	/* bytes, 0 = choose (re-plan: keep) */
	enum csa_fit fit;
};

/* ---- the answer ----------------------------------------------------- */

enum csa_plan_code {
	CSA_PLAN_OK = 0,
	CSA_PLAN_BAD_REQUEST,
	CSA_PLAN_BAD_POOL,
	CSA_PLAN_TOO_FEW_ARRAYS,
	CSA_PLAN_NO_SPACE,
	CSA_PLAN_NO_BANDWIDTH,
	CSA_PLAN_NO_IOPS,
	CSA_PLAN_NO_FIT,
};

#define CSA_REFUSAL_MAX	1024	/* message, with the NUL */

/* One array of the pool as the refusal saw it. */
struct csa_refusal_array {
	unsigned array;			/* index in the pool */
	char name[CSA_NAME_MAX];
	uint64_t free_mbps, free_iops;	/* headroom */
	uint64_t free_bytes;		/* the most one column copy can get */
	int ok;	/* has what one column copy needs at `columns` in the
		 * dimension refused (no_fit: in all three; too_few_arrays:
		 * always 1) */
};

struct csa_refusal {
	enum csa_plan_code code;
	char message[CSA_REFUSAL_MAX];	/* "" when placed */
	const char *field;	/* bad_request/bad_pool: "size", "copies",
				 * "stripe_unit", "fit", "old", "pool";
				 * else NULL. Static string. */
	/* The request as planned (size rounded up to the block size). */
	uint64_t size, mbps, iops;
	unsigned copies;
	/* The split the figures are for (0 when none applies). */
	unsigned columns;
	unsigned arrays_needed;		/* columns x copies */
	unsigned arrays_ok;		/* arrays with .ok set */
	uint64_t column_bytes, column_mbps, column_iops;
	/* Over the arrays listed. */
	uint64_t free_mbps, free_iops, free_bytes;
	unsigned nr_arrays;
	struct csa_refusal_array *arrays;	/* malloc'd; the plan owns it */
};

enum csa_copy_change {
	CSA_COPY_NEW = 0,	/* csa_place: a new volume */
	CSA_COPY_KEPT,		/* same array, same extents */
	CSA_COPY_GROWN,		/* same array, old extents then new space */
	CSA_COPY_MOVED,		/* to another array, replacing old_copy */
	CSA_COPY_ADDED,		/* a copy more than before */
	CSA_COPY_RESTRIPED,	/* columns or stripe unit changed */
};

struct csa_copy_plan {
	enum csa_copy_change change;
	unsigned array;		/* index in the pool of the copy's array */
	int old_copy;		/* KEPT/GROWN: which old copy of the column it
				 * is; MOVED: which it replaces; else -1 */
	int from_copy;		/* MOVED/ADDED: an old copy of the column to
				 * read the data from (a kept one if any, on
				 * an array still in the pool); else -1 */
};

struct csa_plan {
	struct csa_layout *layout;	/* NULL when refused */
	uint64_t column_mbps, column_iops;	/* each column copy's array
						 * reserves this much */
	/* layout->nr_columns * nr_copies, indexed like layout->copies */
	struct csa_copy_plan *copies;
	unsigned nr_changed;	/* MOVED + ADDED + RESTRIPED */
	unsigned nr_kept, nr_grown, nr_moved, nr_added, nr_dropped;
	int restriped;
	struct csa_refusal refusal;	/* code CSA_PLAN_OK when placed */
};

/*
 * Place a new volume. Returns 0 with plan->layout (which
 * csa_layout_validate accepts) and plan->copies; -ENOSPC (too_few_arrays,
 * no_space, no_bandwidth, no_iops, no_fit) or -EINVAL (bad_request,
 * bad_pool) with plan->refusal filled in; -ENOMEM. In every case the plan
 * is initialised and must be released with csa_plan_release.
 */
int csa_place(const struct csa_pool *pool, const struct csa_requirements *req,
	      struct csa_plan *plan);

/*
 * Re-plan volume @old, placed for @old_req, for @req (see "Re-plan"
 * above). Returns as csa_place; plan->copies says, per new column copy,
 * what changed. With @req equal to @old_req and a pool that still has
 * room, nothing changes: the layout is csa_layout_equal to @old (region
 * states aside: the new layout's regions are all normal). @old_req->copies
 * must equal old->nr_copies (bad_request "old" otherwise); its fit and
 * stripe unit are not used.
 */
int csa_replan(const struct csa_pool *pool, const struct csa_layout *old,
	       const struct csa_requirements *old_req,
	       const struct csa_requirements *req, struct csa_plan *plan);

/* Free what the plan holds (not the plan itself); it can be reused. */
void csa_plan_release(struct csa_plan *plan);

/* "ok", "bad_request", "bad_pool", "too_few_arrays", "no_space",
 * "no_bandwidth", "no_iops", "no_fit"; NULL for another value. */
const char *csa_plan_code_name(enum csa_plan_code code);

/* "new", "kept", "grown", "moved", "added", "restriped"; NULL otherwise. */
const char *csa_copy_change_name(enum csa_copy_change change);

/*
 * The refusal as one JSON object, malloc'd, NUL-terminated (caller frees);
 * NULL on allocation failure. Keys: code, message, field (null when none),
 * size, mbps, iops, copies, columns, arrays_needed, arrays_ok,
 * column_bytes, column_mbps, column_iops, free_mbps, free_iops,
 * free_bytes, arrays: [{name, free_mbps, free_iops, free_bytes, ok}].
 */
char *csa_refusal_to_json(const struct csa_refusal *r);

/* The stripe unit chosen when none is asked (see "Stripe unit"), before
 * it is raised to the block size. */
uint32_t csa_default_stripe_unit(uint64_t mbps, uint64_t iops);

/* Rows per region for a stripe unit and a number of columns. */
uint32_t csa_default_region_rows(uint32_t stripe_unit, unsigned columns);

/* One column copy's share of @mbps and @iops over @columns columns:
 * rounded up. What the catalog reserves on each array of the volume. */
void csa_column_share(uint64_t mbps, uint64_t iops, unsigned columns,
		      uint64_t *column_mbps, uint64_t *column_iops);

#endif
