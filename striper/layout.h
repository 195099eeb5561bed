/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The layout of one logical volume: where every byte of it lives.
 *
 * A volume is striped RAID-0 style over nr_columns columns in units of
 * stripe_unit bytes: volume byte x is in row x / (su * C), column
 * (x / su) % C, at column offset row * su + x % su. Each column has
 * nr_copies copies (mirrors), each on a distinct array, and each copy is an
 * ordered list of extents on LUNs; a column offset is found by walking its
 * copy's extents in order, like a linear device-mapper table.
 *
 * The volume is divided into regions of region_rows whole stripe rows; each
 * region has a state that migration uses (region.h).
 *
 * The layout carries the arrays it names (portal and target IQN), so a host
 * given a layout needs nothing else to reach the data.
 */
#ifndef CSA_LAYOUT_H
#define CSA_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define CSA_NAME_MAX	64	/* array names, with the NUL */
#define CSA_PORTAL_MAX	64	/* "host:port", with the NUL */
#define CSA_IQN_MAX	224	/* RFC 3720 limit + NUL */
#define CSA_MAX_COLUMNS	64
#define CSA_MAX_COPIES	4
#define CSA_MAX_EXTENTS	1024	/* per copy of a column */

struct csa_array_ref {
	char name[CSA_NAME_MAX];
	char portal[CSA_PORTAL_MAX];
	char target[CSA_IQN_MAX];
};

struct csa_extent {
	unsigned array;		/* index into layout->arrays */
	uint32_t lun;
	uint64_t start_lba;
	uint64_t blocks;
};

struct csa_copy {
	unsigned nr_extents;
	struct csa_extent *extents;
};

enum csa_region_state {
	CSA_REGION_NORMAL = 0,
	CSA_REGION_LOCKED = 1,	/* being copied: I/O to it is held */
	CSA_REGION_MIGRATED = 2,/* lives at its new location */
};

struct csa_layout {
	uint64_t size;		/* bytes, a multiple of block_size */
	uint32_t block_size;	/* of every LUN used */
	uint32_t stripe_unit;	/* bytes: power of two, >= block_size */
	unsigned nr_columns;
	unsigned nr_copies;
	uint32_t region_rows;	/* stripe rows per region, >= 1 */

	unsigned nr_arrays;
	struct csa_array_ref *arrays;

	/* nr_columns * nr_copies copies: copy k of column c at [c * nr_copies + k] */
	struct csa_copy *copies;

	uint64_t nr_regions;	/* derived: ceil(size / region bytes) */
	uint8_t *region_state;	/* nr_regions entries of enum csa_region_state */
};

static inline struct csa_copy *csa_layout_copy(const struct csa_layout *l,
					       unsigned column, unsigned copy)
{
	return &l->copies[column * l->nr_copies + copy];
}

/* Bytes in one stripe row: stripe_unit * nr_columns. */
static inline uint64_t csa_layout_row_bytes(const struct csa_layout *l)
{
	return (uint64_t)l->stripe_unit * l->nr_columns;
}

static inline uint64_t csa_layout_region_bytes(const struct csa_layout *l)
{
	return csa_layout_row_bytes(l) * l->region_rows;
}

/* Bytes each column must hold for the volume's size. */
uint64_t csa_layout_column_bytes(const struct csa_layout *l);

/*
 * Check every rule; on the first fault return -EINVAL with a sentence naming
 * it in @err ("column 2 copy 1: extent 0 overlaps column 0 copy 0 extent 3 on
 * a2 LUN 1"). Rules: sizes and counts in range, stripe unit a power of two
 * and a multiple of the block size, size a multiple of the block size, each
 * copy long enough for the size, the copies of one column on distinct
 * arrays, no two extents overlapping on one LUN, every extent naming a known
 * array, array names unique, region state table sized to the regions.
 * "Long enough" means csa_layout_column_bytes: whole stripe rows, so a
 * column holds a full unit of the last row even when the volume ends
 * before it.
 */
int csa_layout_validate(const struct csa_layout *l, char *err, size_t errlen);

/*
 * Parse the JSON form (the one csa_layout_to_json prints) and validate it.
 * Returns 0 and *@out, or -EINVAL with the fault in @err (unknown or missing
 * fields, wrong types, and every csa_layout_validate rule).
 */
int csa_layout_from_json(const char *text, struct csa_layout **out,
			 char *err, size_t errlen);

/* As csa_layout_from_json, from a file; -errno if it cannot be read. */
int csa_layout_load(const char *path, struct csa_layout **out,
		    char *err, size_t errlen);

/*
 * The JSON form, pretty-printed, NUL-terminated, malloc'd (caller frees);
 * NULL on allocation failure. Parsing it gives back an equal layout.
 */
char *csa_layout_to_json(const struct csa_layout *l);

/* 1 if @a and @b describe the same layout (same fields, extents, states). */
int csa_layout_equal(const struct csa_layout *a, const struct csa_layout *b);

/*
 * Allocate a layout with nr_arrays, nr_columns and nr_copies set, zeroed
 * arrays and copies with no extents; the caller fills in the rest, then
 * calls csa_layout_init_regions. Returns NULL on allocation failure.
 */
struct csa_layout *csa_layout_alloc(unsigned nr_arrays, unsigned nr_columns,
				    unsigned nr_copies);

/* Give copy (c, k) @n extents (nr_extents = n; extents already there are
 * kept, new ones zeroed); -ENOMEM, -EINVAL for a column or copy out of
 * range. */
int csa_layout_set_extents(struct csa_layout *l, unsigned column,
			   unsigned copy, unsigned n);

/* (Re)size the region table from size/stripe_unit/columns/region_rows, all
 * regions normal; -ENOMEM, -EINVAL if those fields are not set. */
int csa_layout_init_regions(struct csa_layout *l);

void csa_layout_free(struct csa_layout *l);

#endif
