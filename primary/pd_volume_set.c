// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: volume.set (ops.h). The volume is re-planned for what it
 * now asks with the fewest changed column copies (placement.h csa_replan).
 * When every copy keeps its place, growing in place at most, the change is
 * made here. When data must move, the new requirements are recorded and a
 * migration starts (pd_mig_plan.c). A migration keeps the volume's size:
 * one that must also grow does so in place when the migration ends
 * (pd_volume_grow).
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "primary/placement.h"
#include "primary/pool.h"
#include "primary/pd_mig.h"
#include "primary/primaryd.h"


struct set_args {
	char name[CSA_VOLUME_NAME_MAX];
	uint64_t size, mbps, iops, copies, stripe_unit;
	enum csa_fit fit;
	char (*hosts)[CSA_HOST_NAME_MAX];
	size_t nr_hosts;
	bool has_hosts;
};

static int parse_set(struct json_object *req, struct set_args *a,
		     struct csa_api_err *e)
{
	static const char *const fields[] = { "name", "size", "mbps", "iops",
		"copies", "hosts", "stripe_unit", "fit", NULL };
	char fit[8] = "";

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, a->name, sizeof(a->name), e) ||
	    csa_api_u64(req, "size", false, PD_MAX_SIZE, &a->size, e) ||
	    csa_api_u64(req, "mbps", false, PD_MAX_RATE, &a->mbps, e) ||
	    csa_api_u64(req, "iops", false, PD_MAX_RATE, &a->iops, e) ||
	    csa_api_u64(req, "copies", false, CSA_MAX_COPIES, &a->copies, e) ||
	    csa_api_strings(req, "hosts", CSA_CAT_MAX_VOL_HOSTS, a->hosts[0],
			    CSA_HOST_NAME_MAX, &a->nr_hosts, e) ||
	    csa_api_u64(req, "stripe_unit", false, 64u << 20, &a->stripe_unit, e) ||
	    csa_api_string(req, "fit", false, fit, sizeof(fit), e))
		return -1;
	if (*fit && strcmp(fit, "best") && strcmp(fit, "first"))
		return csa_api_fail(e, "bad_request", "field \"fit\" is \"best\" or \"first\"");
	a->fit = strcmp(fit, "first") ? CSA_FIT_BEST : CSA_FIT_FIRST;
	a->has_hosts = json_object_object_get(req, "hosts") != NULL;
	if (json_object_object_get(req, "copies") && !a->copies)
		return csa_api_fail(e, "bad_request", "field \"copies\" must be 1 to %u",
				    CSA_MAX_COPIES);
	if (json_object_object_get(req, "size") && !a->size)
		return csa_api_fail(e, "bad_request", "field \"size\" must be above 0");
	return 0;
}

/* The volume's requirements with the fields @req gives replaced. */
static struct csa_cat_req merged(const struct csa_cat_req *old,
				 struct json_object *req,
				 const struct set_args *a)
{
	struct csa_cat_req r = *old;

	if (json_object_object_get(req, "size"))
		r.size = a->size;
	if (json_object_object_get(req, "mbps"))
		r.mbps = a->mbps;
	if (json_object_object_get(req, "iops"))
		r.iops = a->iops;
	if (json_object_object_get(req, "copies"))
		r.copies = (uint32_t)a->copies;
	if (json_object_object_get(req, "stripe_unit"))
		r.stripe_unit = (uint32_t)a->stripe_unit;
	if (json_object_object_get(req, "fit"))
		r.fit = a->fit;
	if (a->has_hosts) {
		r.hosts = a->hosts;
		r.nr_hosts = (unsigned)a->nr_hosts;
	}
	return r;
}

static bool host_keeps_itself(const struct csa_cat_req *r, const char *cn)
{
	unsigned i;

	for (i = 0; i < r->nr_hosts; i++)
		if (!strcmp(r->hosts[i], cn))
			return true;
	return !r->nr_hosts;
}

/* Re-plan: 0 with the plan when nothing has to move, 1 when copies must
 * move (a migration), else -1 with a refusal. */
static int replan(struct csa_primary *p, const struct csa_cat_volume *v,
		  const struct csa_cat_req *want, struct csa_plan *plan,
		  struct csa_api_err *e)
{
	struct csa_requirements old_r, new_r;
	struct csa_cat_pool pool;
	int ret;

	if (v->mig)
		return csa_api_fail(e, "busy", "volume \"%s\" is migrating; change it when the migration is done",
				    v->name);
	if (csa_pool_from_catalog(p->cat, &pool))
		return csa_api_fail(e, "internal", "out of memory");
	csa_requirements_of(&v->req, &old_r);
	old_r.copies = v->layout->nr_copies;
	csa_requirements_of(want, &new_r);
	new_r.stripe_unit = 0;		/* keep the volume's */
	ret = csa_replan(&pool.pool, v->layout, &old_r, &new_r, plan);
	csa_cat_pool_release(&pool);
	if (ret == -ENOMEM)
		return csa_api_fail(e, "internal", "out of memory");
	if (ret)
		return pd_refuse(plan, e);
	return plan->nr_changed ? 1 : 0;
}

/* Copies must move: start a migration to a plan at the volume's size. */
static int set_migrate(struct csa_primary *p, int i,
		       const struct csa_cat_req *want, struct csa_plan *plan,
		       struct csa_api_err *e)
{
	struct pd_mig_ask ask = { .req = want };

	csa_plan_release(plan);
	if (pd_mig_plan(p, (unsigned)i, &ask, plan, e))
		return -1;
	return pd_mig_begin(p, (unsigned)i, plan, want, "set", 0, e) ? -1 : 1;
}

/* Put @want and the plan's layout (taken) into volume @i of @next. */
static int apply(struct csa_catalog *next, int i, const struct csa_cat_req *want,
		 struct csa_plan *plan, char *err, size_t errlen)
{
	struct csa_cat_volume *v = &next->volumes[i];
	char (*hosts)[CSA_HOST_NAME_MAX];

	hosts = calloc(want->nr_hosts + 1, sizeof(*hosts));
	if (!hosts)
		return -ENOMEM;
	memcpy(hosts, want->hosts, want->nr_hosts * sizeof(*hosts));
	free(v->req.hosts);
	v->req = *want;
	v->req.hosts = hosts;
	if (plan->layout) {
		csa_layout_free(v->layout);
		v->layout = plan->layout;
		plan->layout = NULL;
		if (v->state == CSA_VOL_EMPTY)
			v->state = CSA_VOL_ONLINE;
	}
	next->generation++;
	return csa_catalog_validate(next, err, errlen);
}

/* An empty volume: new requirements, and placed if now sized. */
static int set_empty(struct csa_primary *p, const struct csa_cat_req *want,
		     struct csa_plan *plan, struct csa_api_err *e)
{
	if (!want->size) {
		memset(plan, 0, sizeof(*plan));
		return 0;
	}
	return pd_place(p, want, plan, e);
}

static int set_volume(struct csa_primary *p, const struct csa_api_peer *peer,
		      struct json_object *req, struct set_args *a,
		      struct csa_plan *plan, struct csa_api_err *e)
{
	int i = pd_find_changeable(p, peer, a->name, e);
	struct csa_catalog *next;
	struct csa_cat_req want;
	bool empty;
	char err[768];
	int ret;

	if (i < 0)
		return -1;
	empty = p->cat->volumes[i].state == CSA_VOL_EMPTY;
	if (!empty && (json_object_object_get(req, "stripe_unit") ||
		       json_object_object_get(req, "fit")))
		return csa_api_fail(e, "bad_request",
				    "the stripe unit and the fit of volume \"%s\" were chosen when it was sized; they cannot change now",
				    a->name);
	want = merged(&p->cat->volumes[i].req, req, a);
	if (a->has_hosts && !strcmp(peer->role, "host") &&
	    !host_keeps_itself(&want, peer->cn))
		return csa_api_fail(e, "forbidden",
				    "host %s may only give a volume to hosts that include itself, or to every host",
				    peer->cn);
	for (size_t h = 0; h < want.nr_hosts; h++)
		if (csa_catalog_find_host(p->cat, want.hosts[h]) < 0)
			return csa_api_fail(e, "not_found", "host \"%s\" is not registered",
					    want.hosts[h]);
	ret = empty ? set_empty(p, &want, plan, e) :
		      replan(p, &p->cat->volumes[i], &want, plan, e);
	if (ret == 1)
		return set_migrate(p, i, &want, plan, e);
	if (ret)
		return -1;
	if (plan->layout && pd_zero_new(p, p->cat->volumes[i].layout,
					plan->layout, err, sizeof(err)))
		return csa_api_fail(e, "io", "%s", err);
	if (csa_catalog_dup(p->cat, &next))
		return csa_api_fail(e, "internal", "out of memory");
	if (apply(next, i, &want, plan, err, sizeof(err))) {
		csa_catalog_free(next);
		return csa_api_fail(e, "bad_request", "%s", err);
	}
	if (pd_commit(p, next, err, sizeof(err)))
		return csa_api_fail(e, "io", "%s", err);
	return 0;
}

int pd_volume_grow(struct csa_primary *p, const char *name)
{
	int i = csa_catalog_find_volume(p->cat, name), ret;
	struct csa_api_err e = { 0 };
	struct csa_plan plan = { 0 };
	struct csa_cat_req want;
	struct csa_catalog *next;
	char err[768] = "";

	if (i < 0 || !p->cat->volumes[i].layout ||
	    p->cat->volumes[i].req.size <= p->cat->volumes[i].layout->size)
		return 0;
	want = p->cat->volumes[i].req;
	ret = replan(p, &p->cat->volumes[i], &want, &plan, &e);
	if (ret == 1)		/* it must move again first: the next round */
		ret = set_migrate(p, i, &want, &plan, &e) < 0 ? -1 : 0;
	else if (!ret && pd_zero_new(p, p->cat->volumes[i].layout, plan.layout,
				     err, sizeof(err)))
		ret = -1;
	else if (!ret && csa_catalog_dup(p->cat, &next))
		ret = -1;
	else if (!ret && (apply(next, i, &want, &plan, err, sizeof(err)) ||
			  pd_commit(p, next, err, sizeof(err))))
		ret = -1;
	else if (!ret)
		pd_volume_event(p, name, "volume.changed");
	if (ret)
		pd_log("volume %s cannot grow to %llu bytes yet: %s", name,
		       (unsigned long long)want.size, err[0] ? err : e.msg);
	json_object_put(e.detail);
	csa_plan_release(&plan);
	return ret;
}

int pd_op_volume_set(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e)
{
	struct csa_primary *p = ctx;
	struct csa_plan plan = { 0 };
	struct set_args *a;
	int ret, i;

	a = calloc(1, sizeof(*a));
	if (a)
		a->hosts = calloc(CSA_CAT_MAX_VOL_HOSTS, sizeof(*a->hosts));
	if (!a || !a->hosts) {
		if (a)
			free(a);
		return csa_api_fail(e, "internal", "out of memory");
	}
	ret = parse_set(req, a, e);
	if (!ret) {
		pthread_mutex_lock(&p->lock);
		ret = set_volume(p, peer, req, a, &plan, e);
		if (ret >= 0) {
			i = csa_catalog_find_volume(p->cat, a->name);
			*result = pd_view_volume(p, (unsigned)i, true);
			json_object_object_add(*result, "kept", json_object_new_int64(plan.nr_kept));
			json_object_object_add(*result, "grown", json_object_new_int64(plan.nr_grown));
			if (ret == 0)
				pd_volume_event(p, a->name, "volume.changed");
			ret = 0;
		}
		pthread_mutex_unlock(&p->lock);
	}
	csa_plan_release(&plan);
	free(a->hosts);
	free(a);
	return ret;
}
