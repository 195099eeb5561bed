/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Random layouts for the unit tests, and a reference mapping to check the
 * striper against.
 *
 * A generated layout (struct gen) is kept apart from struct csa_layout:
 * gen_build turns it into one, but the tests check the striper against the
 * struct gen, never against what the layout reads back. It holds C columns
 * of K copies each over nr_arrays arrays of 1 .. max_luns LUNs; the copies
 * of one column are on distinct arrays (a random permutation per column);
 * each copy holds whole stripe rows, as csa_layout_validate requires
 * (csa_layout_column_bytes rounds the size up to a row), and now and then
 * 1-4 blocks more; it is cut at random into 1 .. max_ext extents, each on a
 * random LUN of the copy's array at a random LBA past the previous extent
 * on that LUN, so no two extents overlap. csa_layout_validate accepts
 * every layout gen_make and gen_random make.
 *
 * The reference (ref_*) shares no code with striper/map.c: volume byte x
 * is in column (x / su) % C at column offset (x / (su * C)) * su + x % su,
 * and a column offset is found by walking the copy's extents as generated.
 *
 * Random numbers come from a splitmix64 state the caller owns and passes
 * in; the same state gives the same layouts. Nothing here keeps state of
 * its own, so any thread may call any function on its own struct gen and
 * state.
 */
#ifndef CSA_TEST_LAYOUT_GEN_H
#define CSA_TEST_LAYOUT_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "striper/layout.h"

#define GEN_MAX_ARRAYS	5
#define GEN_MAX_LUNS	3	/* per array */
#define GEN_MAX_EXT	8	/* per copy */

/* ---- random numbers ---- */

/* The next number of the splitmix64 sequence in *@state. */
uint64_t gen_rnd(uint64_t *state);
/* Uniform in [0, n), n > 0. */
uint64_t gen_below(uint64_t *state, uint64_t n);

/* ---- the generated layout ---- */

struct gext {
	unsigned array;
	uint32_t lun;
	uint64_t start;		/* LBA */
	uint64_t blocks;
};

/* Copy (c, k) is index c * K + k of nr_ext, ext and copy_bytes. */
struct gen {
	uint64_t size;
	uint32_t bs;
	uint32_t su;
	unsigned C, K, nr_arrays;
	uint32_t region_rows;
	unsigned nr_ext[CSA_MAX_COLUMNS * CSA_MAX_COPIES];
	struct gext ext[CSA_MAX_COLUMNS * CSA_MAX_COPIES][GEN_MAX_EXT];
	uint64_t copy_bytes[CSA_MAX_COLUMNS * CSA_MAX_COPIES];
};

/* What gen_make is asked for; every field is required. */
struct gen_shape {
	uint64_t size;		/* bytes, > 0, a multiple of bs */
	uint32_t bs;		/* 512 or 4096 */
	uint32_t su;		/* a power of two, a multiple of bs */
	unsigned C;		/* 1 .. CSA_MAX_COLUMNS */
	unsigned K;		/* 1 .. CSA_MAX_COPIES */
	unsigned nr_arrays;	/* K .. GEN_MAX_ARRAYS */
	uint32_t region_rows;	/* >= 1 */
	unsigned max_luns;	/* 1 .. GEN_MAX_LUNS LUNs per array */
	unsigned max_ext;	/* 1 .. GEN_MAX_EXT extents per copy */
	/*
	 * The gap before an extent on its LUN: 0-7 blocks three times in
	 * four, otherwise 0 .. far_gap - 1 blocks (far_gap >= 1). Keep it
	 * small where the LUNs are held in memory.
	 */
	uint64_t far_gap;
};

/* A layout of shape @s, extents placed at random from *@rng. */
void gen_make(struct gen *g, const struct gen_shape *s, uint64_t *rng);

/*
 * A layout of random shape: 1-8 columns, 1-3 copies over K .. 5 arrays of
 * 1-3 LUNs, blocks of 512 (mostly) or 4096 bytes, stripe units of a block
 * to 1 MiB (small ones more often), any size from one block to a few dozen
 * rows, now and then whole rows only, gaps of up to 2^20 blocks.
 */
void gen_random(struct gen *g, uint64_t *rng);

/*
 * The struct csa_layout of @g, with arrays a0, a1, ... (portals
 * 127.0.0.1:3260, :3261, ...), regions initialised; NULL when an
 * allocation fails. The caller frees it with csa_layout_free.
 */
struct csa_layout *gen_build(const struct gen *g);

/* Blocks LUN (@array, @lun) needs for the extents on it; 0 if unused. */
uint64_t gen_lun_blocks(const struct gen *g, unsigned array, uint32_t lun);

/* "size .. bs .. su .. columns .. copies: [c0 k0 a1/0@7+12 ...] ..." into
 * @buf, cut at @len. */
void gen_describe(const struct gen *g, char *buf, size_t len);

/* ---- the reference ---- */

/* The column of volume byte @x, and its offset in that column. */
void ref_column(const struct gen *g, uint64_t x, unsigned *column,
		uint64_t *col_off);

struct rloc {
	unsigned extent;	/* index in the copy's extents */
	unsigned array;
	uint32_t lun;
	uint64_t lba;
	uint64_t byte;		/* in the block */
	uint64_t avail;		/* bytes from here to the extent's end */
};

/* Where column offset @col_off of copy (@column, @copy) is: 0 and *@r, or
 * -1 past the end of the copy (*@r untouched). */
int ref_locate(const struct gen *g, unsigned column, unsigned copy,
	       uint64_t col_off, struct rloc *r);

#endif
