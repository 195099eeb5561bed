// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: re-planning a volume for a migration, and starting one.
 *
 * The plan keeps the volume's size (a migration moves data; a volume
 * grows in place, before or after) and, unless a rebalance is asked, is
 * csa_replan's: the fewest column copies changed. Moving a volume off
 * arrays is asking the planner without them: the pool it sees lacks the
 * arrays not in `to`, and the array the monitor wants relieved, so the
 * copies there cannot be kept and move to the best array that fits. A
 * rebalance is a fresh best fit against the pool with this volume's
 * reservations taken back (its extents stay used until it has moved).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "primary/catalog_int.h"
#include "primary/pd_mig.h"
#include "primary/placement.h"
#include "primary/pool.h"

static bool allowed(const struct pd_mig_ask *ask, const char *array)
{
	unsigned i;

	if (ask->avoid && !strcmp(ask->avoid, array))
		return false;
	for (i = 0; i < ask->nr_to; i++)
		if (!strcmp(ask->to[i], array))
			return true;
	return !ask->nr_to;
}

/* Keep the arrays the ask allows at the front; the count of them. The
 * others stay behind, so that the pool is released whole. */
static unsigned keep_allowed(struct csa_cat_pool *pool,
			     const struct pd_mig_ask *ask)
{
	unsigned i, n = 0;
	struct csa_pool_array t;

	for (i = 0; i < pool->pool.nr_arrays; i++)
		if (allowed(ask, pool->arrays[i].name)) {
			t = pool->arrays[n];
			pool->arrays[n++] = pool->arrays[i];
			pool->arrays[i] = t;
		}
	return n;
}

/* Take back what volume @v reserves on each array (a rebalance). */
static void take_back(struct csa_cat_pool *pool, const struct csa_cat_volume *v)
{
	const struct csa_layout *l = v->layout;
	uint64_t mbps, iops;
	unsigned i, a, e;

	csa_column_share(v->req.mbps, v->req.iops, l->nr_columns, &mbps, &iops);
	for (a = 0; a < pool->pool.nr_arrays; a++) {
		struct csa_pool_array *pa = &pool->arrays[a];

		for (i = 0; i < l->nr_columns * l->nr_copies; i++) {
			for (e = 0; e < l->copies[i].nr_extents; e++)
				if (!strcmp(l->arrays[l->copies[i].extents[e].array].name,
					    pa->name))
					break;
			if (e == l->copies[i].nr_extents)
				continue;
			pa->reserved_mbps -= pa->reserved_mbps < mbps ? pa->reserved_mbps : mbps;
			pa->reserved_iops -= pa->reserved_iops < iops ? pa->reserved_iops : iops;
		}
	}
}

static int check_ask(struct csa_primary *p, const struct csa_cat_volume *v,
		     const struct pd_mig_ask *ask, struct csa_api_err *e)
{
	unsigned i;

	if (v->state == CSA_VOL_EMPTY)
		return csa_api_fail(e, "bad_request", "volume \"%s\" is empty: it has nothing to move",
				    v->name);
	if (v->mig)
		return csa_api_fail(e, "busy", "volume \"%s\" is migrating already", v->name);
	for (i = 0; i < ask->nr_to; i++)
		if (csa_catalog_find_array(p->cat, ask->to[i]) < 0)
			return csa_api_fail(e, "bad_request", "array \"%s\" is not in the cluster",
					    ask->to[i]);
	return 0;
}

static int ask_planner(struct csa_cat_pool *pool, const struct csa_cat_volume *v,
		       const struct pd_mig_ask *ask, struct csa_plan *plan)
{
	struct csa_requirements old_r, new_r;
	unsigned all = pool->pool.nr_arrays;
	int ret;

	csa_requirements_of(&v->req, &old_r);
	old_r.copies = v->layout->nr_copies;
	csa_requirements_of(ask->req ? ask->req : &v->req, &new_r);
	new_r.size = v->layout->size;		/* the same size: see above */
	if (ask->rebalance)
		take_back(pool, v);
	pool->pool.nr_arrays = keep_allowed(pool, ask);
	if (ask->rebalance) {
		new_r.fit = CSA_FIT_BEST;
		ret = csa_place(&pool->pool, &new_r, plan);
	} else {
		new_r.stripe_unit = 0;
		ret = csa_replan(&pool->pool, v->layout, &old_r, &new_r, plan);
	}
	pool->pool.nr_arrays = all;
	return ret;
}

/* Regions of about @bytes (--region-size), whole rows: the unit of a lock. */
static int set_regions(struct csa_layout *l, uint64_t bytes)
{
	uint64_t row = csa_layout_row_bytes(l);

	l->region_rows = row >= bytes ? 1 : (uint32_t)(bytes / row);
	return csa_layout_init_regions(l);
}

int pd_mig_plan(struct csa_primary *p, unsigned idx,
		const struct pd_mig_ask *ask, struct csa_plan *plan,
		struct csa_api_err *e)
{
	const struct csa_cat_volume *v = &p->cat->volumes[idx];
	struct csa_cat_pool pool;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (check_ask(p, v, ask, e))
		return -1;
	if (csa_pool_from_catalog(p->cat, &pool))
		return csa_api_fail(e, "internal", "out of memory");
	pd_monitor_load_pool(p, &pool, ask->avoid != NULL);
	ret = ask_planner(&pool, v, ask, plan);
	csa_cat_pool_release(&pool);
	if (ret == -ENOMEM)
		return csa_api_fail(e, "internal", "out of memory");
	if (ret)
		return pd_refuse(plan, e);
	if (set_regions(plan->layout, p->region_bytes))
		return csa_api_fail(e, "internal", "out of memory");
	if (!pd_mig_jobs(v->layout, plan->layout, NULL))
		return csa_api_fail(e, "nothing_to_move",
				    "volume \"%s\" already is where the plan puts it: no column copy would move",
				    v->name);
	return 0;
}

/* Put the migration into volume @idx of @next. */
static int apply(struct csa_catalog *next, unsigned idx, struct csa_plan *plan,
		 const struct csa_cat_req *req, const char *reason,
		 uint64_t max_rate)
{
	struct csa_cat_volume *v = &next->volumes[idx];
	struct csa_cat_migration *m = calloc(1, sizeof(*m));
	char (*hosts)[CSA_HOST_NAME_MAX] = NULL;

	if (req) {
		hosts = calloc(req->nr_hosts + 1, sizeof(*hosts));
		if (!hosts) {
			free(m);
			return -ENOMEM;
		}
		memcpy(hosts, req->hosts, req->nr_hosts * sizeof(*hosts));
		free(v->req.hosts);
		v->req = *req;
		v->req.hosts = hosts;
	}
	if (!m)
		return -ENOMEM;
	m->to = plan->layout;
	plan->layout = NULL;
	snprintf(m->reason, sizeof(m->reason), "%s", reason);
	m->started = (uint64_t)time(NULL);
	m->max_rate = max_rate;
	v->mig = m;
	v->state = CSA_VOL_MIGRATING;
	next->generation++;
	return 0;
}

int pd_mig_begin(struct csa_primary *p, unsigned idx, struct csa_plan *plan,
		 const struct csa_cat_req *req, const char *reason,
		 uint64_t max_rate, struct csa_api_err *e)
{
	struct csa_catalog *next;
	char err[768];
	int ret;

	if (csa_catalog_dup(p->cat, &next))
		return csa_api_fail(e, "internal", "out of memory");
	ret = apply(next, idx, plan, req, reason, max_rate);
	if (!ret)
		ret = csa_catalog_validate(next, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "out of memory");
	if (ret) {
		csa_catalog_free(next);
		return csa_api_fail(e, ret == -ENOMEM ? "internal" : "bad_request",
				    "%s", err);
	}
	if (pd_commit(p, next, err, sizeof(err)))
		return csa_api_fail(e, "io", "%s", err);
	if (!pd_mig_get(p, p->cat->volumes[idx].name))
		return csa_api_fail(e, "internal", "out of memory");
	pd_log("migration of %s started (%s)", p->cat->volumes[idx].name, reason);
	pd_mig_event(p, idx, "migration.started");
	pd_volume_event(p, p->cat->volumes[idx].name, "volume.changed");
	pd_migrator_kick(p);
	return 0;
}

struct json_object *pd_mig_plan_view(struct csa_primary *p, unsigned idx,
				     const struct csa_plan *plan)
{
	const struct csa_layout *from = p->cat->volumes[idx].layout, *to = plan->layout;
	struct json_object *o = json_object_new_object();
	uint64_t bytes = pd_mig_bytes(from, to);
	double rate = pd_mig_allowed_mbps(p, p->cat->volumes[idx].name, from, to);

	json_object_object_add(o, "columns", json_object_new_int64(to->nr_columns));
	json_object_object_add(o, "copies", json_object_new_int64(to->nr_copies));
	json_object_object_add(o, "moved", json_object_new_int64(plan->nr_moved));
	json_object_object_add(o, "added", json_object_new_int64(plan->nr_added));
	json_object_object_add(o, "restriped", json_object_new_boolean(
		plan->restriped || pd_mig_restriped(from, to)));
	json_object_object_add(o, "kept", json_object_new_int64(plan->nr_kept));
	json_object_object_add(o, "grown", json_object_new_int64(plan->nr_grown));
	json_object_object_add(o, "from", pd_layout_arrays(from));
	json_object_object_add(o, "to", pd_layout_arrays(to));
	json_object_object_add(o, "regions", json_object_new_int64((int64_t)to->nr_regions));
	json_object_object_add(o, "region_bytes",
			       json_object_new_int64((int64_t)csa_layout_region_bytes(to)));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)bytes));
	json_object_object_add(o, "expected_seconds", json_object_new_int64(
		(int64_t)(bytes / 1e6 / (rate > 0 ? rate : PD_MIG_GUESS_MBPS) + 0.999)));
	return o;
}
