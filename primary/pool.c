// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "primary/pool.h"

void csa_requirements_of(const struct csa_cat_req *r,
			 struct csa_requirements *out)
{
	*out = (struct csa_requirements){
		.size = r->size, .mbps = r->mbps, .iops = r->iops,
		.copies = r->copies, .stripe_unit = r->stripe_unit,
		.fit = r->fit };
}

static int find_lun(const struct csa_cat_array *a, uint32_t number)
{
	unsigned i;

	for (i = 0; i < a->nr_luns; i++)
		if (a->luns[i].number == number)
			return (int)i;
	return -1;
}

/*
 * Visit every extent of every volume on array @ai: count them per LUN
 * (@used NULL) or append them (@used[lun] sized by the count).
 */
static void walk_extents(const struct csa_catalog *c, unsigned ai,
			 unsigned *count, struct csa_pool_extent **used)
{
	const struct csa_cat_array *a = &c->arrays[ai];
	unsigned v, i, e;

	for (v = 0; v < c->nr_volumes * 2; v++) {
		const struct csa_cat_volume *vol = &c->volumes[v / 2];
		/* Both layouts of a migrating volume: the shared extents
		 * twice, which the planner's free-space walk allows. */
		const struct csa_layout *l = v % 2 ?
			(vol->mig ? vol->mig->to : NULL) : vol->layout;

		for (i = 0; l && i < l->nr_columns * l->nr_copies; i++)
			for (e = 0; e < l->copies[i].nr_extents; e++) {
				const struct csa_extent *x =
					&l->copies[i].extents[e];
				int lun;

				if (strcmp(l->arrays[x->array].name, a->name))
					continue;
				lun = find_lun(a, x->lun);
				if (lun < 0)
					continue;	/* validate forbids it */
				if (used)
					used[lun][count[lun]] = (struct csa_pool_extent){
						x->start_lba, x->blocks };
				count[lun]++;
			}
	}
}

/* A copy's array, by name; it holds the column's share once. */
static bool copy_on(const struct csa_layout *l, const struct csa_copy *cp,
		    const char *name)
{
	unsigned e;

	for (e = 0; e < cp->nr_extents; e++)
		if (!strcmp(l->arrays[cp->extents[e].array].name, name))
			return true;
	return false;
}

static void reserve(const struct csa_catalog *c, struct csa_pool_array *pa)
{
	unsigned v, i;

	for (v = 0; v < c->nr_volumes; v++) {
		const struct csa_cat_volume *vol = &c->volumes[v];
		/* A migrating volume reserves where it is going. */
		const struct csa_layout *l = vol->mig ? vol->mig->to :
							vol->layout;
		uint64_t mbps, iops;

		if (!l)
			continue;	/* empty: reserves nothing yet */
		csa_column_share(vol->req.mbps, vol->req.iops, l->nr_columns,
				 &mbps, &iops);
		for (i = 0; i < l->nr_columns * l->nr_copies; i++)
			if (copy_on(l, &l->copies[i], pa->name)) {
				pa->reserved_mbps += mbps;
				pa->reserved_iops += iops;
			}
	}
}

static int fill_array(const struct csa_catalog *c, unsigned ai,
		      struct csa_pool_array *pa)
{
	const struct csa_cat_array *a = &c->arrays[ai];
	struct csa_pool_extent **used;
	struct csa_pool_lun *luns;
	unsigned *count, i;
	int ret = -ENOMEM;

	luns = calloc(a->nr_luns ? a->nr_luns : 1, sizeof(*luns));
	count = calloc(a->nr_luns ? a->nr_luns : 1, sizeof(*count));
	used = calloc(a->nr_luns ? a->nr_luns : 1, sizeof(*used));
	pa->luns = luns;
	if (!luns || !count || !used)
		goto out;
	memcpy(pa->name, a->name, sizeof(pa->name));
	memcpy(pa->portal, a->portal, sizeof(pa->portal));
	memcpy(pa->target, a->target, sizeof(pa->target));
	pa->block_size = a->nr_luns ? a->luns[0].block_size : 512;
	pa->rated_mbps = a->rated_mbps;
	pa->rated_iops = a->rated_iops;
	pa->nr_luns = a->nr_luns;
	reserve(c, pa);
	walk_extents(c, ai, count, NULL);
	for (i = 0; i < a->nr_luns; i++) {
		luns[i] = (struct csa_pool_lun){
			.lun = a->luns[i].number, .blocks = a->luns[i].blocks,
			.reserved_blocks = a->luns[i].reserved_blocks };
		used[i] = calloc(count[i] ? count[i] : 1, sizeof(**used));
		if (!used[i])
			goto out;
		luns[i].used = used[i];
		luns[i].nr_used = count[i];
		count[i] = 0;
	}
	walk_extents(c, ai, count, used);
	ret = 0;
out:
	free(count);
	free(used);	/* the LUNs keep the extent arrays */
	return ret;
}

void csa_cat_pool_release(struct csa_cat_pool *p)
{
	unsigned i, l;

	for (i = 0; p->arrays && i < p->pool.nr_arrays; i++) {
		for (l = 0; p->arrays[i].luns && l < p->arrays[i].nr_luns; l++)
			free((void *)p->arrays[i].luns[l].used);
		free((void *)p->arrays[i].luns);
	}
	free(p->arrays);
	memset(p, 0, sizeof(*p));
}

int csa_pool_from_catalog(const struct csa_catalog *c,
			  struct csa_cat_pool *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->arrays = calloc(c->nr_arrays ? c->nr_arrays : 1,
			     sizeof(*out->arrays));
	if (!out->arrays)
		return -ENOMEM;
	out->pool.arrays = out->arrays;
	for (i = 0; i < c->nr_arrays; i++) {
		out->pool.nr_arrays = i + 1;
		if (fill_array(c, i, &out->arrays[i])) {
			csa_cat_pool_release(out);
			return -ENOMEM;
		}
	}
	return 0;
}
