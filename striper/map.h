/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure mapping of volume byte ranges to columns and LUN blocks.
 *
 * Two steps, so that each copy of a column can be resolved on its own (the
 * copies of one column need not be cut into extents the same way, and a
 * read that fails on one copy is resolved again on another):
 *
 *   csa_map_columns: volume range -> one run per column touched, each a
 *     contiguous range of column bytes and the pieces of the caller's
 *     buffer that hold it, in column order;
 *   csa_map_locate:  (column, copy, column offset) -> LUN and LBA, and how
 *     many bytes go on from there in the same extent.
 *
 * Nothing here allocates, locks or fails on a valid layout and range.
 */
#ifndef CSA_MAP_H
#define CSA_MAP_H

#include <stdint.h>

#include "striper/layout.h"

/* A piece of the caller's buffer: bytes [buf_off, buf_off + len). */
struct csa_seg {
	uint64_t buf_off;
	uint64_t len;
};

/* Column bytes [col_off, col_off + len), held by segs[first_seg ..]. */
struct csa_run {
	unsigned column;
	uint64_t col_off;
	uint64_t len;
	unsigned first_seg;
	unsigned nr_segs;
};

struct csa_loc {
	unsigned extent;	/* index in the copy's extent list */
	unsigned array;
	uint32_t lun;
	uint64_t lba;
	uint64_t byte_in_block;	/* col_off % block_size */
	uint64_t avail;		/* bytes from here to the end of the extent */
};

/*
 * Most segments csa_map_columns can produce for a range of @len bytes: one
 * per stripe unit touched. Runs are at most nr_columns.
 */
static inline unsigned csa_map_max_segs(const struct csa_layout *l,
					uint64_t len)
{
	return (unsigned)(len / l->stripe_unit) + 2;
}

/*
 * Split volume bytes [off, off + len) (inside the volume, len > 0) into runs
 * (at most nr_columns, written to @runs, ordered by column) and segments
 * (to @segs, which must hold csa_map_max_segs). A run's segments are in
 * column order; consecutive segments of a run are never buffer-contiguous
 * (they are merged). Returns the number of runs.
 */
unsigned csa_map_columns(const struct csa_layout *l, uint64_t off,
			 uint64_t len, struct csa_run *runs,
			 struct csa_seg *segs);

/*
 * Where column byte @col_off of copy @copy of @column lives. Returns 0, or
 * -ERANGE if @col_off is past the end of that copy's extents.
 */
int csa_map_locate(const struct csa_layout *l, unsigned column,
		   unsigned copy, uint64_t col_off, struct csa_loc *loc);

#endif
