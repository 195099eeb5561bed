// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: how fast a migration may copy (DESIGN.md "Monitoring and
 * migration": paced, slower when the volume is busy).
 *
 * Each byte the copy moves is read once where the old layout has its
 * column, and written and read back where the new layout has each copy
 * of it: an array's share of the copy is what of those lands on it. Its
 * headroom is what the hosts' load, measured by the monitor, leaves under
 * PD_MIG_CEIL of its rating. The copy goes as fast as the array with the
 * least headroom for its share allows, and never faster than the
 * migration's cap.
 *
 * The ceiling is above the monitor's threshold: the copy's own I/O is not
 * in the hosts' reports, so it cannot make an array saturated in the
 * monitor's eyes, and it stops short of the rating so that the hosts'
 * requests do not queue behind it.
 */
#include <string.h>

#include "primary/pd_mig.h"
#include "primary/pd_mon.h"

#define PD_MIG_CEIL	0.95	/* of an array's rated MB/s */
#define PD_MIG_FLOOR	0.02	/* a busy array still gets this trickle */
#define SHARES_MAX	64

struct share {
	const char *array;
	double per_byte;	/* bytes of I/O on it per byte copied */
};

struct shares {
	struct share s[SHARES_MAX];
	unsigned n;
};

static void add(struct shares *sh, const char *array, double x)
{
	unsigned i;

	for (i = 0; i < sh->n; i++)
		if (!strcmp(sh->s[i].array, array)) {
			sh->s[i].per_byte += x;
			return;
		}
	if (sh->n < SHARES_MAX)
		sh->s[sh->n++] = (struct share){ array, x };
}

/* @x per byte on every array that copy @c has an extent on. */
static void add_copy(struct shares *sh, const struct csa_layout *l,
		     const struct csa_copy *c, double x)
{
	unsigned e;

	for (e = 0; e < c->nr_extents; e++)
		add(sh, l->arrays[c->extents[e].array].name, x / c->nr_extents);
}

static void shares_of(struct shares *sh, const struct csa_layout *from,
		      const struct csa_layout *to)
{
	unsigned c, k;

	for (c = 0; c < from->nr_columns; c++)
		add_copy(sh, from, csa_layout_copy(from, c, 0),
			 1.0 / from->nr_columns);
	for (c = 0; c < to->nr_columns; c++)
		for (k = 0; k < to->nr_copies; k++)
			add_copy(sh, to, csa_layout_copy(to, c, k),
				 2.0 / to->nr_columns);
}

/* What the hosts leave of @array under the ceiling, MB/s; -1: unrated. */
static double headroom(struct csa_primary *p, struct pd_monitor *m,
		       const char *array, double t)
{
	int a = csa_catalog_find_array(p->cat, array);
	double rated, mbps, iops, left;

	if (a < 0 || !p->cat->arrays[a].rated_mbps)
		return -1;
	rated = (double)p->cat->arrays[a].rated_mbps;
	pd_mon_total(m->arrays, array, t, &mbps, &iops, NULL, NULL);
	left = rated * PD_MIG_CEIL - mbps;
	return left > rated * PD_MIG_FLOOR ? left : rated * PD_MIG_FLOOR;
}

double pd_mig_allowed_mbps(struct csa_primary *p, const char *name,
			   const struct csa_layout *from,
			   const struct csa_layout *to)
{
	struct pd_monitor *m = p->mon;
	int v = csa_catalog_find_volume(p->cat, name);
	double rate = 0, cap = 0, h, t = pd_mon_now();
	struct shares sh = { .n = 0 };
	unsigned i;

	if (v >= 0 && p->cat->volumes[v].mig)
		cap = (double)p->cat->volumes[v].mig->max_rate;
	if (m) {
		shares_of(&sh, from, to);
		pthread_mutex_lock(&m->lock);
		for (i = 0; i < sh.n; i++) {
			h = headroom(p, m, sh.s[i].array, t);
			if (h >= 0 && sh.s[i].per_byte > 0 &&
			    (rate <= 0 || h / sh.s[i].per_byte < rate))
				rate = h / sh.s[i].per_byte;
		}
		pthread_mutex_unlock(&m->lock);
	}
	if (cap > 0 && (rate <= 0 || cap < rate))
		rate = cap;
	return rate;
}
