// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: volume.migrate, migration.list/pause/resume and
 * region.ack (ops.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "primary/catalog_int.h"
#include "primary/pd_mig.h"
#include "primary/placement.h"

struct migrate_args {
	char name[CSA_VOLUME_NAME_MAX];
	char to[CSA_MAX_COLUMNS * CSA_MAX_COPIES][CSA_NAME_MAX];
	size_t nr_to;
	bool rebalance, dry_run;
	uint64_t max_rate;
};

static int parse_migrate(struct json_object *req, struct migrate_args *a,
			 struct csa_api_err *e)
{
	static const char *const fields[] = {
		"name", "to", "rebalance", "dry_run", "max_rate", NULL };

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, a->name, sizeof(a->name), e) ||
	    csa_api_strings(req, "to", CSA_MAX_COLUMNS * CSA_MAX_COPIES,
			    &a->to[0][0], sizeof(a->to[0]), &a->nr_to, e) ||
	    csa_api_bool(req, "rebalance", false, &a->rebalance, e) ||
	    csa_api_bool(req, "dry_run", false, &a->dry_run, e) ||
	    csa_api_u64(req, "max_rate", false, PD_MAX_RATE, &a->max_rate, e))
		return -1;
	if (a->rebalance && a->nr_to)
		return csa_api_fail(e, "bad_request",
				    "rebalance places the volume anew on the best arrays; it does not take \"to\"");
	return 0;
}

static int migrate(struct csa_primary *p, const struct csa_api_peer *peer,
		   const struct migrate_args *a, struct json_object **result,
		   struct csa_api_err *e)
{
	struct pd_mig_ask ask = { .rebalance = a->rebalance,
				  .nr_to = (unsigned)a->nr_to };
	struct csa_plan plan;
	struct json_object *pv;
	unsigned i;
	int idx = pd_find_changeable(p, peer, a->name, e), ret = -1;

	for (i = 0; i < ask.nr_to; i++)
		ask.to[i] = a->to[i];
	if (idx < 0 || pd_mig_plan(p, (unsigned)idx, &ask, &plan, e)) {
		csa_plan_release(&plan);
		return -1;
	}
	pv = pd_mig_plan_view(p, (unsigned)idx, &plan);
	if (a->dry_run ||
	    !(ret = pd_mig_begin(p, (unsigned)idx, &plan, NULL, "manual",
				 a->max_rate, e))) {
		*result = json_object_new_object();
		json_object_object_add(*result, "name", json_object_new_string(a->name));
		json_object_object_add(*result, "dry_run", json_object_new_boolean(a->dry_run));
		json_object_object_add(*result, "plan", json_object_get(pv));
		json_object_object_add(*result, "migration", a->dry_run ? NULL :
				       pd_mig_view(p, (unsigned)idx, false));
		ret = 0;
	}
	json_object_put(pv);
	csa_plan_release(&plan);
	return ret;
}

int pd_op_volume_migrate(void *ctx, const struct csa_api_peer *peer,
			 struct json_object *req, struct json_object **result,
			 struct csa_api_err *e)
{
	struct csa_primary *p = ctx;
	struct migrate_args *a = calloc(1, sizeof(*a));
	int ret;

	if (!a)
		return csa_api_fail(e, "internal", "out of memory");
	ret = parse_migrate(req, a, e);
	if (!ret) {
		pthread_mutex_lock(&p->lock);
		ret = migrate(p, peer, a, result, e);
		pthread_mutex_unlock(&p->lock);
	}
	free(a);
	return ret;
}

/* ---- list, pause, resume ------------------------------------------------------ */

int pd_mig_set_paused(struct csa_primary *p, const char *volume, bool paused)
{
	struct csa_catalog *next;
	char err[768], name[CSA_VOLUME_NAME_MAX];
	int i = csa_catalog_find_volume(p->cat, volume);

	/* @volume may be the catalog's own, which the commit frees. */
	snprintf(name, sizeof(name), "%s", volume);

	if (i < 0 || !p->cat->volumes[i].mig)
		return -ENOENT;
	if (p->cat->volumes[i].mig->paused == paused)
		return 0;
	if (csa_catalog_dup(p->cat, &next))
		return -ENOMEM;
	next->volumes[i].mig->paused = paused;
	next->generation++;
	if (pd_commit(p, next, err, sizeof(err))) {
		pd_log("migration of %s: cannot %s: %s", name,
		       paused ? "pause" : "resume", err);
		return -EIO;
	}
	if (!paused)
		pd_mig_get(p, name)->failures = 0;
	pd_mig_event(p, (unsigned)i, paused ? "migration.paused" : "migration.resumed");
	pd_migrator_kick(p);
	return 0;
}

/* Every migration @peer may see (and, with @name, only that volume's)
 * into a list; with @set, paused or resumed first. */
static int each_migration(struct csa_primary *p, const struct csa_api_peer *peer,
			  const char *name, int set, struct json_object *list,
			  struct csa_api_err *e)
{
	const struct csa_cat_volume *v;
	unsigned i, n = 0;

	for (i = 0; i < p->cat->nr_volumes; i++) {
		v = &p->cat->volumes[i];
		if (!v->mig || !pd_volume_visible(v, peer) ||
		    (name[0] && strcmp(name, v->name)))
			continue;
		if (set >= 0 && pd_mig_set_paused(p, v->name, set))
			return csa_api_fail(e, "io", "the catalog could not be written; see the primary's log");
		v = NULL;	/* the commit made a new catalog */
		json_object_array_add(list, pd_mig_view(p, i, false));
		n++;
	}
	if (name[0] && !n)
		return csa_api_fail(e, "not_found", "volume \"%s\" is not migrating", name);
	return 0;
}

static int list_or_set(void *ctx, const struct csa_api_peer *peer,
		       struct json_object *req, struct json_object **result,
		       struct csa_api_err *e, int set)
{
	static const char *const fields[] = { "name", NULL };
	struct csa_primary *p = ctx;
	char name[CSA_VOLUME_NAME_MAX] = "";
	struct json_object *list;
	int ret;

	if (csa_api_fields(req, set < 0 ? fields + 1 : fields, e) ||
	    csa_api_string(req, "name", false, name, sizeof(name), e))
		return -1;
	list = json_object_new_array();
	pthread_mutex_lock(&p->lock);
	ret = each_migration(p, peer, name, set, list, e);
	pthread_mutex_unlock(&p->lock);
	if (ret) {
		json_object_put(list);
		return -1;
	}
	*result = json_object_new_object();
	json_object_object_add(*result, "migrations", list);
	return 0;
}

int pd_op_migration_list(void *ctx, const struct csa_api_peer *peer,
			 struct json_object *req, struct json_object **result,
			 struct csa_api_err *e)
{
	return list_or_set(ctx, peer, req, result, e, -1);
}

int pd_op_migration_pause(void *ctx, const struct csa_api_peer *peer,
			  struct json_object *req, struct json_object **result,
			  struct csa_api_err *e)
{
	return list_or_set(ctx, peer, req, result, e, 1);
}

int pd_op_migration_resume(void *ctx, const struct csa_api_peer *peer,
			   struct json_object *req, struct json_object **result,
			   struct csa_api_err *e)
{
	return list_or_set(ctx, peer, req, result, e, 0);
}

/* ---- region.ack ------------------------------------------------------------------ */

int pd_op_region_ack(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e)
{
	static const char *const fields[] = { "volume", "region", "lock",
					      "watch", "clean", NULL };
	struct csa_primary *p = ctx;
	char volume[CSA_VOLUME_NAME_MAX];
	uint64_t region, lock_id = 0, watch_id = 0;
	bool clean = false;
	int ret;

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "volume", true, volume, sizeof(volume), e) ||
	    csa_api_u64(req, "region", true, UINT64_MAX >> 1, &region, e) ||
	    csa_api_u64(req, "lock", false, UINT64_MAX >> 1, &lock_id, e) ||
	    csa_api_u64(req, "watch", false, UINT64_MAX >> 1, &watch_id, e) ||
	    csa_api_bool(req, "clean", false, &clean, e))
		return -1;
	if (!lock_id == !watch_id)
		return csa_api_fail(e, "bad_request", "region.ack answers a lock or a watch: one of \"lock\" and \"watch\", not 0");
	pthread_mutex_lock(&p->lock);
	ret = pd_mig_ack(p, peer->cn, volume, region, lock_id, watch_id, clean);
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return csa_api_fail(e, "not_found", "no %s %llu of region %llu of volume \"%s\" waits for an answer",
				    lock_id ? "lock" : "watch",
				    (unsigned long long)(lock_id ? lock_id : watch_id),
				    (unsigned long long)region, volume);
	*result = json_object_new_object();
	return 0;
}
