// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: what the monitor does about a saturated array, and what
 * its figures mean to the planner and to the copy's pacing.
 *
 * A volume's load on an array is estimated from what its hosts report of
 * it (per volume) and its layout: a write lands on every copy, so a
 * column copy takes writes / columns; a read is served by one copy, so
 * reads / (columns x copies). Its need there is its reserved share: the
 * column share of its requirements, once per column copy on the array.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "primary/pd_mig.h"
#include "primary/pd_mon.h"
#include "primary/placement.h"
#include "primary/pool.h"

/* Column copies of @l on @array. */
static unsigned copies_on(const struct csa_layout *l, const char *array)
{
	unsigned i, n = 0;

	for (i = 0; l && i < l->nr_columns * l->nr_copies; i++)
		if (l->copies[i].nr_extents &&
		    !strcmp(l->arrays[l->copies[i].extents[0].array].name, array))
			n++;
	return n;
}

/* Volume @v's need and measured load on @array. m->lock held. */
static void vol_on(const struct pd_monitor *m, const struct csa_cat_volume *v,
		   const char *array, double t, struct csa_mon_vol *out)
{
	const struct csa_layout *l = v->layout;
	unsigned n = copies_on(l, array), cols = l ? l->nr_columns : 1;
	unsigned all = l ? l->nr_columns * l->nr_copies : 1;
	uint64_t cm, ci;
	double mbps, iops, w;

	csa_column_share(v->req.mbps, v->req.iops, cols, &cm, &ci);
	pd_mon_total(m->volumes, v->name, t, &mbps, &iops, &w, NULL);
	*out = (struct csa_mon_vol){
		.name = v->name,
		.need_mbps = (double)cm * n, .need_iops = (double)ci * n,
		.load_mbps = w * n / cols + (mbps - w) * n / all,
		.load_iops = iops * n / all,
		.migrating = v->mig != NULL };
}

struct json_object *pd_monitor_fit(struct csa_primary *p,
				   const struct csa_cat_volume *v)
{
	struct json_object *list = json_object_new_array(), *o;
	const struct csa_layout *l = v->layout;
	struct pd_monitor *m = p->mon;
	struct csa_mon_vol mv;
	double score;
	unsigned i;
	int a;

	for (i = 0; m && l && i < l->nr_arrays; i++) {
		a = csa_catalog_find_array(p->cat, l->arrays[i].name);
		if (a < 0 || !copies_on(l, l->arrays[i].name))
			continue;
		pthread_mutex_lock(&m->lock);
		vol_on(m, v, l->arrays[i].name, pd_mon_now(), &mv);
		pthread_mutex_unlock(&m->lock);
		mv.migrating = false;
		score = csa_mon_fit_score(&mv, p->cat->arrays[a].rated_mbps,
					  p->cat->arrays[a].rated_iops);
		o = json_object_new_object();
		json_object_object_add(o, "array", json_object_new_string(l->arrays[i].name));
		json_object_object_add(o, "score", json_object_new_double(score));
		json_object_object_add(o, "load_mbps", json_object_new_int64((int64_t)(mv.load_mbps + 0.5)));
		json_object_object_add(o, "need_mbps", json_object_new_int64((int64_t)(mv.need_mbps + 0.5)));
		json_object_object_add(o, "load_iops", json_object_new_int64((int64_t)(mv.load_iops + 0.5)));
		json_object_object_add(o, "need_iops", json_object_new_int64((int64_t)(mv.need_iops + 0.5)));
		json_object_array_add(list, o);
	}
	return list;
}

/* The catalog volume that fits array @ai worst, or -1. */
static int worst(struct csa_primary *p, struct pd_monitor *m, unsigned ai,
		 double *score)
{
	const struct csa_catalog *c = p->cat;
	const char *array = c->arrays[ai].name;
	struct csa_mon_vol *vs = calloc(c->nr_volumes + 1, sizeof(*vs));
	unsigned *idx = calloc(c->nr_volumes + 1, sizeof(*idx));
	unsigned i, n = 0;
	int w = -1;

	if (vs && idx) {
		pthread_mutex_lock(&m->lock);
		for (i = 0; i < c->nr_volumes; i++)
			if (copies_on(c->volumes[i].layout, array)) {
				vol_on(m, &c->volumes[i], array, pd_mon_now(), &vs[n]);
				idx[n++] = i;
			}
		pthread_mutex_unlock(&m->lock);
		w = csa_mon_worst_fit(vs, n, (double)c->arrays[ai].rated_mbps,
				      (double)c->arrays[ai].rated_iops, score);
		if (w >= 0)
			w = (int)idx[w];
	}
	free(vs);
	free(idx);
	return w;
}

static void raise_alert(struct csa_primary *p, struct pd_monitor *m,
			unsigned ai, const char *volume, const char *message)
{
	struct alert *al = calloc(1, sizeof(*al));
	struct json_object *o = json_object_new_object();

	pd_log("alert: %s", message);
	json_object_object_add(o, "array", json_object_new_string(p->cat->arrays[ai].name));
	json_object_object_add(o, "volume", json_object_new_string(volume));
	json_object_object_add(o, "message", json_object_new_string(message));
	csa_api_server_publish(p->api, "alert", o);
	if (!al)
		return;
	snprintf(al->array, sizeof(al->array), "%s", p->cat->arrays[ai].name);
	snprintf(al->volume, sizeof(al->volume), "%s", volume);
	snprintf(al->message, sizeof(al->message), "%s", message);
	al->since = (uint64_t)time(NULL);
	pthread_mutex_lock(&m->lock);
	al->next = m->alerts;
	m->alerts = al;
	pthread_mutex_unlock(&m->lock);
}

void pd_mon_clear(struct csa_primary *p, struct pd_monitor *m,
		  const char *array)
{
	struct alert **pp = &m->alerts, *al;
	struct json_object *o;

	while ((al = *pp)) {
		if (strcmp(al->array, array)) {
			pp = &al->next;
			continue;
		}
		*pp = al->next;
		free(al);
		o = json_object_new_object();
		json_object_object_add(o, "array", json_object_new_string(array));
		csa_api_server_publish(p->api, "alert.cleared", o);
	}
}

void pd_mon_act(struct csa_primary *p, struct pd_monitor *m, unsigned ai)
{
	const struct csa_cat_array *a = &p->cat->arrays[ai];
	struct pd_mig_ask ask = { .avoid = a->name };
	struct csa_api_err e = { 0 };
	struct csa_plan plan;
	char why[CSA_REASON_MAX], msg[512];
	double score = 0, util;
	int v = worst(p, m, ai, &score);

	pthread_mutex_lock(&m->lock);
	util = 0;
	for (struct arr *s = m->states; s; s = s->next)
		if (!strcmp(s->name, a->name))
			util = s->st.util;
	pthread_mutex_unlock(&m->lock);
	if (v < 0) {
		snprintf(msg, sizeof(msg), "%s at %.0f %% of its rating, and no volume on it can move",
			 a->name, util * 100);
		raise_alert(p, m, ai, "", msg);
		return;
	}
	if (!pd_mig_plan(p, (unsigned)v, &ask, &plan, &e)) {
		/* A reason cut short is still a reason. */
		if (snprintf(why, sizeof(why), "monitor: %s at %.0f %% of %llu MB/s; %s fits it worst (score %.2f)",
			 a->name, util * 100, (unsigned long long)a->rated_mbps,
			 p->cat->volumes[v].name, score) >= (int)sizeof(why))
			why[sizeof(why) - 1] = '\0';
		if (pd_mig_begin(p, (unsigned)v, &plan, NULL, why, 0, &e))
			pd_log("monitor: cannot start moving %s: %s",
			       p->cat->volumes[v].name, e.msg);
	} else if (plan.refusal.code != CSA_PLAN_OK) {
		csa_mon_alert(msg, sizeof(msg), a->name, util, a->rated_mbps,
			      p->cat->volumes[v].name, &plan.refusal);
		raise_alert(p, m, ai, p->cat->volumes[v].name, msg);
	} else {
		if (snprintf(msg, sizeof(msg), "%s at %.0f %% of its rating; moving %s off it: %s",
			     a->name, util * 100, p->cat->volumes[v].name, e.msg) >= (int)sizeof(msg))
			msg[sizeof(msg) - 1] = '\0';
		raise_alert(p, m, ai, p->cat->volumes[v].name, msg);
	}
	json_object_put(e.detail);
	csa_plan_release(&plan);
}

/* ---- the planner's and the copy's view of the load --------------------------------- */

void pd_monitor_load_pool(struct csa_primary *p, struct csa_cat_pool *pool,
			  bool measured)
{
	struct pd_monitor *m = p->mon;
	double mbps, iops, t = pd_mon_now();
	unsigned i;

	if (!m || !measured)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < pool->pool.nr_arrays; i++) {
		struct csa_pool_array *a = &pool->arrays[i];

		pd_mon_total(m->arrays, a->name, t, &mbps, &iops, NULL, NULL);
		if (mbps > (double)a->reserved_mbps)
			a->reserved_mbps = (uint64_t)mbps;
		if (iops > (double)a->reserved_iops)
			a->reserved_iops = (uint64_t)iops;
	}
	pthread_mutex_unlock(&m->lock);
}
