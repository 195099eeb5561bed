// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Random layouts and the reference mapping of the unit tests
 * (layout_gen.h). Nothing here calls striper/map.c.
 */
#include <inttypes.h>
#include <stdio.h>

#include "layout_gen.h"

/* ---- random numbers ---- */

uint64_t gen_rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t gen_below(uint64_t *state, uint64_t n)
{
	return gen_rnd(state) % n;
}

/* ---- generation ---- */

void gen_make(struct gen *g, const struct gen_shape *s, uint64_t *rng)
{
	uint64_t cursor[GEN_MAX_ARRAYS][GEN_MAX_LUNS] = { { 0 } };
	uint64_t row = (uint64_t)s->su * s->C, need;
	unsigned nluns[GEN_MAX_ARRAYS], a, c, k, e;

	*g = (struct gen){ .size = s->size, .bs = s->bs, .su = s->su,
			   .C = s->C, .K = s->K, .nr_arrays = s->nr_arrays,
			   .region_rows = s->region_rows };

	/*
	 * Bytes a copy must hold: whole rows (csa_layout_validate wants
	 * csa_layout_column_bytes, which rounds the size up to a row, though
	 * the mapping itself never reaches past column 0's last byte).
	 */
	need = (s->size + row - 1) / row * s->su;

	for (a = 0; a < s->nr_arrays; a++)
		nluns[a] = 1 + (unsigned)gen_below(rng, s->max_luns);
	for (c = 0; c < s->C; c++) {
		unsigned perm[GEN_MAX_ARRAYS];

		/* The copies of a column on distinct arrays. */
		for (a = 0; a < s->nr_arrays; a++)
			perm[a] = a;
		for (a = s->nr_arrays - 1; a > 0; a--) {
			unsigned j = (unsigned)gen_below(rng, a + 1), t = perm[a];

			perm[a] = perm[j];
			perm[j] = t;
		}
		for (k = 0; k < s->K; k++) {
			unsigned i = c * s->K + k, n;
			uint64_t total = need / s->bs, left;

			if (gen_below(rng, 2))
				total += 1 + gen_below(rng, 4);
			n = 1 + (unsigned)gen_below(rng, total < s->max_ext ?
							     total : s->max_ext);
			left = total;
			for (e = 0; e < n; e++) {
				struct gext *x = &g->ext[i][e];
				uint64_t *cur;

				x->array = perm[k];
				x->lun = (uint32_t)gen_below(rng,
							     nluns[x->array]);
				x->blocks = e == n - 1 ? left :
					1 + gen_below(rng, left - (n - 1 - e));
				left -= x->blocks;
				cur = &cursor[x->array][x->lun];
				*cur += gen_below(rng, 4) ? gen_below(rng, 8) :
					gen_below(rng, s->far_gap);
				x->start = *cur;
				*cur += x->blocks;
			}
			g->nr_ext[i] = n;
			g->copy_bytes[i] = total * s->bs;
		}
	}
}

void gen_random(struct gen *g, uint64_t *rng)
{
	struct gen_shape s = { .max_luns = GEN_MAX_LUNS,
			       .max_ext = GEN_MAX_EXT,
			       .far_gap = 1u << 20 };
	uint64_t row, full_rows, rem;
	unsigned shift;

	s.C = 1 + (unsigned)gen_below(rng, 8);
	s.K = 1 + (unsigned)gen_below(rng, 3);
	s.nr_arrays = s.K + (unsigned)gen_below(rng, GEN_MAX_ARRAYS - s.K + 1);
	s.bs = gen_below(rng, 3) ? 512 : 4096;
	/* su: bs .. 1 MiB, small ones more often */
	shift = (unsigned)__builtin_ctz(s.bs);
	shift += (unsigned)gen_below(rng, 20 - shift + 1);
	if (gen_below(rng, 2) && shift > 14)
		shift = 9 + (unsigned)gen_below(rng, 6);
	if ((1u << shift) < s.bs)
		shift = (unsigned)__builtin_ctz(s.bs);
	s.su = 1u << shift;
	s.region_rows = 1 + (unsigned)gen_below(rng, 8);
	row = (uint64_t)s.su * s.C;
	/* Rows: fewer when they are big. */
	full_rows = gen_below(rng, row >= (4u << 20) ? 3 :
				   row >= (256u << 10) ? 6 : 40);
	rem = gen_below(rng, row / s.bs) * s.bs;
	if (!gen_below(rng, 8))
		rem = 0;		/* whole rows, sometimes */
	s.size = full_rows * row + rem;
	if (!s.size)
		s.size = s.bs * (1 + gen_below(rng, row / s.bs));
	gen_make(g, &s, rng);
}

struct csa_layout *gen_build(const struct gen *g)
{
	struct csa_layout *l = csa_layout_alloc(g->nr_arrays, g->C, g->K);
	unsigned a, i, e;

	if (!l)
		return NULL;
	l->size = g->size;
	l->block_size = g->bs;
	l->stripe_unit = g->su;
	l->nr_columns = g->C;
	l->nr_copies = g->K;
	l->region_rows = g->region_rows;
	l->nr_arrays = g->nr_arrays;
	for (a = 0; a < g->nr_arrays; a++) {
		snprintf(l->arrays[a].name, sizeof(l->arrays[a].name), "a%u",
			 a);
		snprintf(l->arrays[a].portal, sizeof(l->arrays[a].portal),
			 "127.0.0.1:%u", 3260 + a);
		snprintf(l->arrays[a].target, sizeof(l->arrays[a].target),
			 "iqn.2024-01.org.csafs.test:a%u", a);
	}
	for (i = 0; i < g->C * g->K; i++) {
		struct csa_copy *cp;

		if (csa_layout_set_extents(l, i / g->K, i % g->K,
					   g->nr_ext[i]))
			goto fail;
		cp = csa_layout_copy(l, i / g->K, i % g->K);
		cp->nr_extents = g->nr_ext[i];
		for (e = 0; e < g->nr_ext[i]; e++)
			cp->extents[e] = (struct csa_extent){
				.array = g->ext[i][e].array,
				.lun = g->ext[i][e].lun,
				.start_lba = g->ext[i][e].start,
				.blocks = g->ext[i][e].blocks,
			};
	}
	if (csa_layout_init_regions(l))
		goto fail;
	return l;
fail:
	csa_layout_free(l);
	return NULL;
}

uint64_t gen_lun_blocks(const struct gen *g, unsigned array, uint32_t lun)
{
	uint64_t end = 0;
	unsigned i, e;

	for (i = 0; i < g->C * g->K; i++)
		for (e = 0; e < g->nr_ext[i]; e++)
			if (g->ext[i][e].array == array &&
			    g->ext[i][e].lun == lun &&
			    g->ext[i][e].start + g->ext[i][e].blocks > end)
				end = g->ext[i][e].start + g->ext[i][e].blocks;
	return end;
}

void gen_describe(const struct gen *g, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "size %" PRIu64 " bs %u su %u columns %u copies %u:",
			 g->size, g->bs, g->su, g->C, g->K);
	unsigned i, e;

	for (i = 0; i < g->C * g->K && n > 0 && (size_t)n < len; i++) {
		n += snprintf(buf + n, len - (size_t)n, " [c%u k%u", i / g->K,
			      i % g->K);
		for (e = 0; e < g->nr_ext[i] && (size_t)n < len; e++)
			n += snprintf(buf + n, len - (size_t)n,
				      " a%u/%u@%" PRIu64 "+%" PRIu64,
				      g->ext[i][e].array, g->ext[i][e].lun,
				      g->ext[i][e].start, g->ext[i][e].blocks);
		if ((size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, "]");
	}
}

/* ---- the reference ---- */

void ref_column(const struct gen *g, uint64_t x, unsigned *column,
		uint64_t *col_off)
{
	uint64_t su = g->su, C = g->C;
	uint64_t row = x / (su * C);

	*column = (unsigned)((x / su) % C);
	*col_off = row * su + x % su;
}

int ref_locate(const struct gen *g, unsigned column, unsigned copy,
	       uint64_t col_off, struct rloc *r)
{
	const struct gext *x = g->ext[column * g->K + copy];
	uint64_t left = col_off;
	unsigned e;

	for (e = 0; e < g->nr_ext[column * g->K + copy]; e++) {
		uint64_t bytes = x[e].blocks * g->bs;

		if (left < bytes) {
			r->extent = e;
			r->array = x[e].array;
			r->lun = x[e].lun;
			r->lba = x[e].start + left / g->bs;
			r->byte = left % g->bs;
			r->avail = bytes - left;
			return 0;
		}
		left -= bytes;
	}
	return -1;
}
