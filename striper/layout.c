// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A volume's layout (layout.h): allocation, comparison, and the checks a
 * layout must pass before anything maps I/O through it. As in dm-stripe's
 * constructor, every argument is checked up front and each refusal is
 * -EINVAL with one sentence naming the fault and the numbers involved.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "striper/layout.h"

#define MIN_BLOCK_SIZE	512u
#define MAX_BLOCK_SIZE	65536u
#define MAX_STRIPE_UNIT	(64u << 20)

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int oom(char *err, size_t errlen, const char *doing)
{
	if (err && errlen)
		snprintf(err, errlen, "out of memory %s", doing);
	return -ENOMEM;
}

/* ---- allocation ----------------------------------------------------- */

struct csa_layout *csa_layout_alloc(unsigned nr_arrays, unsigned nr_columns,
				    unsigned nr_copies)
{
	struct csa_layout *l;
	size_t n = (size_t)nr_columns * nr_copies;

	/* Other code indexes copies with an unsigned column * copies + k. */
	if (nr_copies && n / nr_copies != nr_columns)
		return NULL;
	if (n > (unsigned)-1)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->nr_arrays = nr_arrays;
	l->nr_columns = nr_columns;
	l->nr_copies = nr_copies;
	/* calloc(0) may give NULL: always ask for one entry at least. */
	l->arrays = calloc(nr_arrays ? nr_arrays : 1, sizeof(*l->arrays));
	l->copies = calloc(n ? n : 1, sizeof(*l->copies));
	if (!l->arrays || !l->copies) {
		csa_layout_free(l);
		return NULL;
	}
	return l;
}

/* Entries already there are kept (up to @n); new ones are zeroed. */
int csa_layout_set_extents(struct csa_layout *l, unsigned column,
			   unsigned copy, unsigned n)
{
	struct csa_copy *cp;
	struct csa_extent *e = NULL;
	unsigned keep;

	if (column >= l->nr_columns || copy >= l->nr_copies)
		return -EINVAL;
	cp = csa_layout_copy(l, column, copy);
	if (n) {
		e = calloc(n, sizeof(*e));
		if (!e)
			return -ENOMEM;
		keep = n < cp->nr_extents ? n : cp->nr_extents;
		if (keep)
			memcpy(e, cp->extents, keep * sizeof(*e));
	}
	free(cp->extents);
	cp->extents = e;
	cp->nr_extents = n;
	return 0;
}

/* Number of regions, or -EINVAL if the geometry is unset or overflows. */
static int region_count(const struct csa_layout *l, uint64_t *count)
{
	uint64_t rb;

	if (!l->size || !l->stripe_unit || !l->nr_columns || !l->region_rows)
		return -EINVAL;
	if (__builtin_mul_overflow((uint64_t)l->stripe_unit, l->nr_columns,
				   &rb) ||
	    __builtin_mul_overflow(rb, l->region_rows, &rb))
		return -EINVAL;
	*count = l->size / rb + (l->size % rb != 0);
	return 0;
}

int csa_layout_init_regions(struct csa_layout *l)
{
	uint64_t n;
	uint8_t *t;
	int ret;

	ret = region_count(l, &n);
	if (ret)
		return ret;
	if (n > SIZE_MAX)
		return -ENOMEM;
	t = calloc((size_t)n, 1);
	if (!t)
		return -ENOMEM;
	free(l->region_state);
	l->region_state = t;
	l->nr_regions = n;
	return 0;
}

void csa_layout_free(struct csa_layout *l)
{
	size_t i, n;

	if (!l)
		return;
	n = (size_t)l->nr_columns * l->nr_copies;
	for (i = 0; l->copies && i < n; i++)
		free(l->copies[i].extents);
	free(l->copies);
	free(l->arrays);
	free(l->region_state);
	free(l);
}

/*
 * Every column is asked for ceil(size / row bytes) whole stripe units. The
 * last row may be partial and reach only some columns, so this can ask a
 * column for one unit more than it will ever hold; that is the simple, safe
 * rule (it cannot be short, and no column is a special case). Saturates at
 * UINT64_MAX, which is never a multiple of a stripe unit and which
 * csa_layout_validate refuses.
 */
uint64_t csa_layout_column_bytes(const struct csa_layout *l)
{
	uint64_t row = csa_layout_row_bytes(l), rows, bytes;

	if (!row)
		return 0;
	rows = l->size / row + (l->size % row != 0);
	if (__builtin_mul_overflow(rows, (uint64_t)l->stripe_unit, &bytes))
		return UINT64_MAX;
	return bytes;
}

/* ---- validation ----------------------------------------------------- */

static int check_block_and_unit(const struct csa_layout *l, char *err,
				size_t errlen)
{
	uint32_t bs = l->block_size, su = l->stripe_unit;

	if (!is_pow2(bs))
		return fail(err, errlen, "block size %" PRIu32
			    " is not a power of two", bs);
	if (bs < MIN_BLOCK_SIZE || bs > MAX_BLOCK_SIZE)
		return fail(err, errlen, "block size %" PRIu32
			    " is out of range; it must be %u to %u",
			    bs, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE);
	if (!is_pow2(su))
		return fail(err, errlen, "stripe unit %" PRIu32
			    " is not a power of two", su);
	/* Both powers of two: at least the block size means a multiple. */
	if (su < bs)
		return fail(err, errlen, "stripe unit %" PRIu32
			    " is smaller than the block size %" PRIu32, su, bs);
	if (su > MAX_STRIPE_UNIT)
		return fail(err, errlen, "stripe unit %" PRIu32
			    " is larger than 64 MiB (%u)", su, MAX_STRIPE_UNIT);
	return 0;
}

static int check_geometry(const struct csa_layout *l, char *err,
			  size_t errlen)
{
	uint64_t n;
	int ret;

	ret = check_block_and_unit(l, err, errlen);
	if (ret)
		return ret;
	if (!l->size)
		return fail(err, errlen, "the volume size is 0");
	if (l->size % l->block_size)
		return fail(err, errlen, "volume size %" PRIu64
			    " is not a multiple of the block size %" PRIu32,
			    l->size, l->block_size);
	if (!l->region_rows)
		return fail(err, errlen,
			    "region_rows is 0; a region needs at least one stripe row");
	if (l->nr_columns < 1 || l->nr_columns > CSA_MAX_COLUMNS)
		return fail(err, errlen,
			    "the layout has %u columns; it must have 1 to %u",
			    l->nr_columns, CSA_MAX_COLUMNS);
	if (l->nr_copies < 1 || l->nr_copies > CSA_MAX_COPIES)
		return fail(err, errlen,
			    "the layout has %u copies; it must have 1 to %u",
			    l->nr_copies, CSA_MAX_COPIES);
	if (csa_layout_column_bytes(l) == UINT64_MAX)
		return fail(err, errlen, "volume size %" PRIu64
			    " in whole rows of %" PRIu64
			    " bytes needs more than 2^64 bytes per column",
			    l->size, csa_layout_row_bytes(l));
	/* Cannot fail within the limits above; kept for the record. */
	if (region_count(l, &n))
		return fail(err, errlen, "a region of %" PRIu32
			    " rows is more than 2^64 bytes", l->region_rows);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	const struct csa_array_ref *x = *(const struct csa_array_ref *const *)a;
	const struct csa_array_ref *y = *(const struct csa_array_ref *const *)b;

	return strcmp(x->name, y->name);
}

/* Names unique: sort pointers by name, compare neighbours. */
static int check_names_unique(const struct csa_layout *l, char *err,
			      size_t errlen)
{
	const struct csa_array_ref **by_name;
	unsigned i, a, b;
	int ret = 0;

	by_name = calloc(l->nr_arrays, sizeof(*by_name));
	if (!by_name)
		return oom(err, errlen, "checking the array names");
	for (i = 0; i < l->nr_arrays; i++)
		by_name[i] = &l->arrays[i];
	qsort(by_name, l->nr_arrays, sizeof(*by_name), name_cmp);
	for (i = 1; i < l->nr_arrays && !ret; i++) {
		if (strcmp(by_name[i - 1]->name, by_name[i]->name))
			continue;
		a = (unsigned)(by_name[i - 1] - l->arrays);
		b = (unsigned)(by_name[i] - l->arrays);
		ret = fail(err, errlen, "arrays %u and %u are both named \"%s\"",
			   a < b ? a : b, a < b ? b : a, by_name[i]->name);
	}
	free(by_name);
	return ret;
}

static int check_arrays(const struct csa_layout *l, char *err, size_t errlen)
{
	const struct csa_array_ref *a;
	unsigned i;

	if (!l->nr_arrays || !l->arrays)
		return fail(err, errlen, "the layout has no arrays");
	for (i = 0; i < l->nr_arrays; i++) {
		a = &l->arrays[i];
		if (!memchr(a->name, 0, sizeof(a->name)))
			return fail(err, errlen, "array %u: the name is not NUL-terminated", i);
		if (!memchr(a->portal, 0, sizeof(a->portal)))
			return fail(err, errlen, "array %u: the portal is not NUL-terminated", i);
		if (!memchr(a->target, 0, sizeof(a->target)))
			return fail(err, errlen, "array %u: the target is not NUL-terminated", i);
		if (!a->name[0])
			return fail(err, errlen, "array %u has an empty name", i);
	}
	return check_names_unique(l, err, errlen);
}

static int check_extent(const struct csa_layout *l, unsigned c, unsigned k,
			unsigned i, char *err, size_t errlen)
{
	const struct csa_extent *e = &csa_layout_copy(l, c, k)->extents[i];
	uint64_t end, bytes;

	if (e->array >= l->nr_arrays)
		return fail(err, errlen, "column %u copy %u extent %u names array %u; the layout has %u arrays",
			    c, k, i, e->array, l->nr_arrays);
	if (!e->blocks)
		return fail(err, errlen, "column %u copy %u extent %u has 0 blocks",
			    c, k, i);
	if (__builtin_add_overflow(e->start_lba, e->blocks, &end))
		return fail(err, errlen, "column %u copy %u extent %u: start_lba %" PRIu64
			    " + %" PRIu64 " blocks overflows 64 bits",
			    c, k, i, e->start_lba, e->blocks);
	/* So that LUN byte offsets, too, can be computed without a care. */
	if (__builtin_mul_overflow(end, (uint64_t)l->block_size, &bytes))
		return fail(err, errlen, "column %u copy %u extent %u ends at block %" PRIu64
			    ", past byte 2^64 of its LUN with %" PRIu32 "-byte blocks",
			    c, k, i, end, l->block_size);
	return 0;
}

/* Extents in range, and the copy long enough for the column. */
static int check_copy(const struct csa_layout *l, unsigned c, unsigned k,
		      char *err, size_t errlen)
{
	const struct csa_copy *cp = csa_layout_copy(l, c, k);
	uint64_t need = csa_layout_column_bytes(l), blocks = 0, bytes;
	unsigned i;
	int ret;

	if (cp->nr_extents < 1 || cp->nr_extents > CSA_MAX_EXTENTS)
		return fail(err, errlen, "column %u copy %u has %u extents; it must have 1 to %u",
			    c, k, cp->nr_extents, CSA_MAX_EXTENTS);
	if (!cp->extents)
		return fail(err, errlen, "column %u copy %u has no extent table", c, k);
	for (i = 0; i < cp->nr_extents; i++) {
		ret = check_extent(l, c, k, i, err, errlen);
		if (ret)
			return ret;
		if (__builtin_add_overflow(blocks, cp->extents[i].blocks, &blocks))
			blocks = UINT64_MAX;
	}
	if (__builtin_mul_overflow(blocks, (uint64_t)l->block_size, &bytes))
		return fail(err, errlen, "column %u copy %u holds more than 2^64 bytes",
			    c, k);
	if (bytes < need)
		return fail(err, errlen, "column %u copy %u holds %" PRIu64
			    " bytes; the volume needs %" PRIu64 " per column",
			    c, k, bytes, need);
	return 0;
}

/*
 * The copies of a column are mirrors: they must not share an array. A copy
 * may span several arrays; the copies' sets of arrays must be disjoint.
 * @owner has nr_arrays entries.
 */
static int check_distinct(const struct csa_layout *l, unsigned c,
			  unsigned *owner, char *err, size_t errlen)
{
	const struct csa_copy *cp;
	unsigned k, i, a;

	for (a = 0; a < l->nr_arrays; a++)
		owner[a] = (unsigned)-1;
	for (k = 0; k < l->nr_copies; k++) {
		cp = csa_layout_copy(l, c, k);
		for (i = 0; i < cp->nr_extents; i++) {
			a = cp->extents[i].array;
			if (owner[a] == (unsigned)-1)
				owner[a] = k;
			else if (owner[a] != k)
				return fail(err, errlen, "column %u: copies %u and %u are both on array %s",
					    c, owner[a], k, l->arrays[a].name);
		}
	}
	return 0;
}

static int check_copies(const struct csa_layout *l, char *err, size_t errlen)
{
	unsigned c, k, *owner;
	int ret = 0;

	if (!l->copies)
		return fail(err, errlen, "the layout has no copy table");
	for (c = 0; c < l->nr_columns; c++)
		for (k = 0; k < l->nr_copies; k++) {
			ret = check_copy(l, c, k, err, errlen);
			if (ret)
				return ret;
		}
	owner = calloc(l->nr_arrays, sizeof(*owner));
	if (!owner)
		return oom(err, errlen, "checking the copies");
	for (c = 0; c < l->nr_columns && !ret; c++)
		ret = check_distinct(l, c, owner, err, errlen);
	free(owner);
	return ret;
}

/* One extent as the overlap check sees it: blocks [start, end) of a LUN. */
struct span {
	unsigned array;
	uint32_t lun;
	uint64_t start, end;
	unsigned column, copy, extent;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->array != y->array)
		return x->array < y->array ? -1 : 1;
	if (x->lun != y->lun)
		return x->lun < y->lun ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	if (x->copy != y->copy)
		return x->copy < y->copy ? -1 : 1;
	return x->extent < y->extent ? -1 : x->extent > y->extent;
}

static int report_overlap(const struct csa_layout *l, const struct span *x,
			  const struct span *y, char *err, size_t errlen)
{
	return fail(err, errlen, "column %u copy %u extent %u overlaps column %u copy %u extent %u on %s LUN %" PRIu32
		    " (blocks %" PRIu64 "-%" PRIu64 " and %" PRIu64 "-%" PRIu64 ")",
		    x->column, x->copy, x->extent, y->column, y->copy, y->extent,
		    l->arrays[x->array].name, x->lun,
		    x->start, x->end - 1, y->start, y->end - 1);
}

/*
 * No two extents share a block of a LUN. Sorted by (array, LUN, start), if
 * any two extents overlap then some neighbours do: the extent right after
 * the earlier one of an overlapping pair starts inside it. O(n log n).
 */
static int check_overlaps(const struct csa_layout *l, char *err,
			  size_t errlen)
{
	size_t n = 0, i, nr_copies = (size_t)l->nr_columns * l->nr_copies;
	struct span *s;
	unsigned e;
	int ret = 0;

	for (i = 0; i < nr_copies; i++)
		n += l->copies[i].nr_extents;
	s = calloc(n, sizeof(*s));
	if (!s)
		return oom(err, errlen, "checking the extents for overlaps");
	n = 0;
	for (i = 0; i < nr_copies; i++)
		for (e = 0; e < l->copies[i].nr_extents; e++) {
			const struct csa_extent *x = &l->copies[i].extents[e];

			s[n++] = (struct span){
				.array = x->array, .lun = x->lun,
				.start = x->start_lba,
				.end = x->start_lba + x->blocks,
				.column = (unsigned)(i / l->nr_copies),
				.copy = (unsigned)(i % l->nr_copies),
				.extent = e };
		}
	qsort(s, n, sizeof(*s), span_cmp);
	for (i = 1; i < n && !ret; i++)
		if (s[i].array == s[i - 1].array && s[i].lun == s[i - 1].lun &&
		    s[i].start < s[i - 1].end)
			ret = report_overlap(l, &s[i - 1], &s[i], err, errlen);
	free(s);
	return ret;
}

static int check_regions(const struct csa_layout *l, char *err, size_t errlen)
{
	uint64_t n, r;

	if (region_count(l, &n))	/* checked by check_geometry */
		return fail(err, errlen, "the region geometry is invalid");
	if (l->nr_regions != n)
		return fail(err, errlen, "the region table has %" PRIu64
			    " entries; the volume has %" PRIu64 " regions",
			    l->nr_regions, n);
	if (!l->region_state)
		return fail(err, errlen, "the region table is missing");
	for (r = 0; r < n; r++)
		if (l->region_state[r] > CSA_REGION_MIGRATED)
			return fail(err, errlen, "region %" PRIu64
				    " has state %u, which is not a region state",
				    r, l->region_state[r]);
	return 0;
}

int csa_layout_validate(const struct csa_layout *l, char *err, size_t errlen)
{
	int ret;

	ret = check_geometry(l, err, errlen);
	if (!ret)
		ret = check_arrays(l, err, errlen);
	if (!ret)
		ret = check_copies(l, err, errlen);
	if (!ret)
		ret = check_overlaps(l, err, errlen);
	if (!ret)
		ret = check_regions(l, err, errlen);
	return ret;
}

/* ---- comparison ----------------------------------------------------- */

static int arrays_equal(const struct csa_array_ref *a,
			const struct csa_array_ref *b)
{
	return !strncmp(a->name, b->name, sizeof(a->name)) &&
	       !strncmp(a->portal, b->portal, sizeof(a->portal)) &&
	       !strncmp(a->target, b->target, sizeof(a->target));
}

static int copies_equal(const struct csa_copy *a, const struct csa_copy *b)
{
	unsigned i;

	if (a->nr_extents != b->nr_extents)
		return 0;
	for (i = 0; i < a->nr_extents; i++) {
		const struct csa_extent *x = &a->extents[i], *y = &b->extents[i];

		if (x->array != y->array || x->lun != y->lun ||
		    x->start_lba != y->start_lba || x->blocks != y->blocks)
			return 0;
	}
	return 1;
}

int csa_layout_equal(const struct csa_layout *a, const struct csa_layout *b)
{
	size_t i, n;

	if (a->size != b->size || a->block_size != b->block_size ||
	    a->stripe_unit != b->stripe_unit ||
	    a->nr_columns != b->nr_columns || a->nr_copies != b->nr_copies ||
	    a->region_rows != b->region_rows ||
	    a->nr_arrays != b->nr_arrays || a->nr_regions != b->nr_regions)
		return 0;
	for (i = 0; i < a->nr_arrays; i++)
		if (!arrays_equal(&a->arrays[i], &b->arrays[i]))
			return 0;
	n = (size_t)a->nr_columns * a->nr_copies;
	for (i = 0; i < n; i++)
		if (!copies_equal(&a->copies[i], &b->copies[i]))
			return 0;
	if (!a->nr_regions)
		return 1;
	if (!a->region_state || !b->region_state)
		return a->region_state == b->region_state;
	return !memcmp(a->region_state, b->region_state, a->nr_regions);
}
