// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Volume bytes to column bytes to LUN blocks (see map.h). The stripe unit
 * is a power of two, so unit and offset-in-unit are a shift and a mask.
 */
#include <errno.h>

#include "striper/map.h"

struct piece {
	unsigned column;
	uint64_t col_off;
	uint64_t len;
};

/* The piece of the range that starts at volume byte @x, within one unit. */
static void piece_at(const struct csa_layout *l, unsigned shift, uint64_t x,
		     uint64_t end, struct piece *p)
{
	uint64_t su = l->stripe_unit, unit = x >> shift, in = x & (su - 1);

	p->column = (unsigned)(unit % l->nr_columns);
	p->col_off = (unit / l->nr_columns) * su + in;
	p->len = su - in < end - x ? su - in : end - x;
}

unsigned csa_map_columns(const struct csa_layout *l, uint64_t off,
			 uint64_t len, struct csa_run *runs,
			 struct csa_seg *segs)
{
	unsigned shift = (unsigned)__builtin_ctz(l->stripe_unit);
	unsigned run_of[CSA_MAX_COLUMNS], count[CSA_MAX_COLUMNS];
	uint64_t end = off + len, x, b;
	unsigned c, nr_runs = 0, next_seg = 0;
	struct csa_run *r;
	struct piece p;

	/* Pass 1: which columns, and how many pieces each. */
	for (c = 0; c < l->nr_columns; c++)
		count[c] = 0;
	for (x = off; x < end; x += p.len) {
		piece_at(l, shift, x, end, &p);
		count[p.column]++;
	}
	for (c = 0; c < l->nr_columns; c++) {
		if (!count[c])
			continue;
		run_of[c] = nr_runs;
		runs[nr_runs] = (struct csa_run){ .column = c,
						  .first_seg = next_seg };
		next_seg += count[c];
		nr_runs++;
	}
	/* Pass 2: fill, merging buffer-contiguous pieces (one column). */
	for (x = off, b = 0; x < end; x += p.len, b += p.len) {
		struct csa_seg *last;

		piece_at(l, shift, x, end, &p);
		r = &runs[run_of[p.column]];
		if (!r->nr_segs)
			r->col_off = p.col_off;
		r->len += p.len;
		last = r->nr_segs ? &segs[r->first_seg + r->nr_segs - 1] : NULL;
		if (last && last->buf_off + last->len == b)
			last->len += p.len;
		else
			segs[r->first_seg + r->nr_segs++] =
				(struct csa_seg){ .buf_off = b, .len = p.len };
	}
	return nr_runs;
}

int csa_map_locate(const struct csa_layout *l, unsigned column,
		   unsigned copy, uint64_t col_off, struct csa_loc *loc)
{
	const struct csa_copy *cp = csa_layout_copy(l, column, copy);
	uint64_t bs = l->block_size, blk = col_off / bs;
	unsigned i;

	for (i = 0; i < cp->nr_extents; i++) {
		const struct csa_extent *e = &cp->extents[i];

		if (blk < e->blocks) {
			loc->extent = i;
			loc->array = e->array;
			loc->lun = e->lun;
			loc->lba = e->start_lba + blk;
			loc->byte_in_block = col_off % bs;
			loc->avail = (e->blocks - blk) * bs - loc->byte_in_block;
			return 0;
		}
		blk -= e->blocks;
	}
	return -ERANGE;
}
