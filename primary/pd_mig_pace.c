// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: how fast a migration may copy (DESIGN.md "Monitoring and
 * migration": paced, slower when the volume is busy).
 *
 * Each byte the copy moves is read once where the old layout has its
 * column, and written and read back where the new layout has each copy
 * of it: an array's share of the copy is what of those lands on it, per
 * direction. Its headroom in a direction is what the hosts' reads (or
 * writes), measured by the monitor, leave under PD_MIG_CEIL of its
 * rating: an array's link and its calibration are per direction, so a
 * read back does not take from the writes. The copy goes as fast as the
 * array and direction with the least headroom for its share allows, and
 * never faster than the migration's cap.
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
	double read, write;	/* bytes of I/O on it per byte copied */
};

struct shares {
	struct share s[SHARES_MAX];
	unsigned n;
};

static void add(struct shares *sh, const char *array, double r, double w)
{
	unsigned i;

	for (i = 0; i < sh->n && strcmp(sh->s[i].array, array); i++)
		;
	if (i == sh->n && sh->n < SHARES_MAX)
		sh->s[sh->n++] = (struct share){ array, 0, 0 };
	if (i < sh->n) {
		sh->s[i].read += r;
		sh->s[i].write += w;
	}
}

/* @r read and @w written per byte on the arrays of copy @c's extents. */
static void add_copy(struct shares *sh, const struct csa_layout *l,
		     const struct csa_copy *c, double r, double w)
{
	unsigned e, n = c->nr_extents;

	for (e = 0; e < n; e++)
		add(sh, l->arrays[c->extents[e].array].name, r / n, w / n);
}

static void shares_of(struct shares *sh, const struct csa_layout *from,
		      const struct csa_layout *to)
{
	unsigned c, k;

	for (c = 0; c < from->nr_columns; c++)
		add_copy(sh, from, csa_layout_copy(from, c, 0),
			 1.0 / from->nr_columns, 0);
	for (c = 0; c < to->nr_columns; c++)
		for (k = 0; k < to->nr_copies; k++)	/* written, read back */
			add_copy(sh, to, csa_layout_copy(to, c, k),
				 1.0 / to->nr_columns, 1.0 / to->nr_columns);
}

static double left(double rated, double load)
{
	double l = rated * PD_MIG_CEIL - load;

	return l > rated * PD_MIG_FLOOR ? l : rated * PD_MIG_FLOOR;
}

/* The lower of @rate and what @s's array allows for its share; @rate 0:
 * no limit yet. An unrated array does not limit. */
static double lower(struct csa_primary *p, struct pd_monitor *m,
		    const struct share *s, double t, double rate)
{
	int a = csa_catalog_find_array(p->cat, s->array);
	double rated, mbps, iops, w, x;

	if (a < 0 || !p->cat->arrays[a].rated_mbps)
		return rate;
	rated = (double)p->cat->arrays[a].rated_mbps;
	pd_mon_total(m->arrays, s->array, t, &mbps, &iops, &w, NULL);
	if (s->read > 0) {
		x = left(rated, mbps - w) / s->read;
		rate = rate <= 0 || x < rate ? x : rate;
	}
	if (s->write > 0) {
		x = left(rated, w) / s->write;
		rate = rate <= 0 || x < rate ? x : rate;
	}
	return rate;
}

double pd_mig_allowed_mbps(struct csa_primary *p, const char *name,
			   const struct csa_layout *from,
			   const struct csa_layout *to)
{
	struct pd_monitor *m = p->mon;
	int v = csa_catalog_find_volume(p->cat, name);
	double rate = 0, cap = 0, t = pd_mon_now();
	struct shares sh = { .n = 0 };
	unsigned i;

	if (v >= 0 && p->cat->volumes[v].mig)
		cap = (double)p->cat->volumes[v].mig->max_rate;
	if (m) {
		shares_of(&sh, from, to);
		pthread_mutex_lock(&m->lock);
		for (i = 0; i < sh.n; i++)
			rate = lower(p, m, &sh.s[i], t, rate);
		pthread_mutex_unlock(&m->lock);
	}
	if (cap > 0 && (rate <= 0 || cap < rate))
		rate = cap;
	return rate;
}
