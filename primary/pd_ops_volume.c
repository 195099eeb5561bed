// SPDX-License-Identifier: GPL-2.0-or-later
/* csa-primaryd: volume.create, list, show, set, delete (ops.h). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "primary/placement.h"
#include "primary/pool.h"
#include "primary/primaryd.h"

#define MAX_UNIT	(64u << 20)

typedef char host_name[CSA_HOST_NAME_MAX];

/* A request's volume fields: what create sets and set may change. */
struct vol_args {
	char name[CSA_VOLUME_NAME_MAX];
	struct csa_cat_req req;
	host_name hosts[CSA_CAT_MAX_VOL_HOSTS];
	size_t nr_hosts;
	bool has_hosts;
};

static int parse_fit(struct json_object *req, enum csa_fit *fit,
		     struct csa_api_err *e)
{
	char s[8] = "";

	if (csa_api_string(req, "fit", false, s, sizeof(s), e))
		return -1;
	if (!*s)
		return 0;
	if (!strcmp(s, "best") || !strcmp(s, "first")) {
		*fit = strcmp(s, "best") ? CSA_FIT_FIRST : CSA_FIT_BEST;
		return 0;
	}
	return csa_api_fail(e, "bad_request", "field \"fit\" is \"best\" or \"first\"");
}

/* The fields both create and set take; absent ones keep @a's values. */
static int parse_common(struct json_object *req, struct vol_args *a,
			struct csa_api_err *e)
{
	uint64_t copies = a->req.copies;

	if (csa_api_string(req, "name", true, a->name, sizeof(a->name), e) ||
	    csa_api_u64(req, "size", false, PD_MAX_SIZE, &a->req.size, e) ||
	    csa_api_u64(req, "mbps", false, PD_MAX_RATE, &a->req.mbps, e) ||
	    csa_api_u64(req, "iops", false, PD_MAX_RATE, &a->req.iops, e) ||
	    csa_api_u64(req, "copies", false, CSA_MAX_COPIES, &copies, e) ||
	    csa_api_strings(req, "hosts", CSA_CAT_MAX_VOL_HOSTS, a->hosts[0],
			    CSA_HOST_NAME_MAX, &a->nr_hosts, e))
		return -1;
	a->has_hosts = json_object_object_get(req, "hosts") != NULL;
	if (!copies)
		return csa_api_fail(e, "bad_request", "field \"copies\" must be 1 to %u",
				    CSA_MAX_COPIES);
	a->req.copies = (uint32_t)copies;
	return 0;
}

static int parse_create(struct json_object *req, struct vol_args *a,
			struct csa_api_err *e)
{
	static const char *const fields[] = { "name", "size", "mbps", "iops",
		"copies", "hosts", "stripe_unit", "fit", NULL };
	uint64_t unit = 0;

	a->req.copies = 1;
	if (csa_api_fields(req, fields, e) || parse_common(req, a, e) ||
	    csa_api_u64(req, "stripe_unit", false, MAX_UNIT, &unit, e) ||
	    parse_fit(req, &a->req.fit, e))
		return -1;
	if (!json_object_object_get(req, "size"))
		return csa_api_fail(e, "bad_request", "missing field \"size\"");
	a->req.stripe_unit = (uint32_t)unit;
	return 0;
}

/* A host may create a volume it will see: naming it, or no host at all. */
static int host_may_create(const struct csa_api_peer *peer,
			   const struct vol_args *a, struct csa_api_err *e)
{
	size_t i;

	if (strcmp(peer->role, "host"))
		return pd_need_admin(peer, e);
	if (!a->nr_hosts)
		return 0;
	for (i = 0; i < a->nr_hosts; i++)
		if (!strcmp(a->hosts[i], peer->cn))
			return 0;
	return csa_api_fail(e, "forbidden",
			    "host %s may only create volumes it can use itself (name it in hosts, or no host)",
			    peer->cn);
}

/* Every host named must be registered: a volume grants access by name. */
static int check_hosts(const struct csa_catalog *c, const struct vol_args *a,
		       struct csa_api_err *e)
{
	size_t i;

	for (i = 0; i < a->nr_hosts; i++)
		if (csa_catalog_find_host(c, a->hosts[i]) < 0)
			return csa_api_fail(e, "not_found",
					    "host \"%s\" is not registered: mount csafs on it, or register it with csa host add %s",
					    a->hosts[i], a->hosts[i]);
	return 0;
}

int pd_refuse(const struct csa_plan *plan, struct csa_api_err *e)
{
	char *text = csa_refusal_to_json(&plan->refusal);

	csa_api_fail(e, csa_plan_code_name(plan->refusal.code), "%s",
		     plan->refusal.message);
	e->detail = text ? json_tokener_parse(text) : NULL;
	free(text);
	return -1;
}

int pd_place(struct csa_primary *p, const struct csa_cat_req *req,
	     struct csa_plan *plan, struct csa_api_err *e)
{
	struct csa_requirements r;
	struct csa_cat_pool pool;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (!p->cat->nr_arrays)
		return csa_api_fail(e, "no_arrays",
				    "the cluster has no arrays yet: add one with csa array add");
	if (csa_pool_from_catalog(p->cat, &pool))
		return csa_api_fail(e, "internal", "out of memory");
	csa_requirements_of(req, &r);
	ret = csa_place(&pool.pool, &r, plan);
	csa_cat_pool_release(&pool);
	if (ret == -ENOMEM)
		return csa_api_fail(e, "internal", "out of memory");
	return ret ? pd_refuse(plan, e) : 0;
}

/* Add volume @v to a copy of the catalog and commit it. */
static int add_volume(struct csa_primary *p, const struct csa_cat_volume *v,
		      struct csa_api_err *e)
{
	struct csa_catalog *next;
	char err[768];

	if (csa_catalog_dup(p->cat, &next))
		return csa_api_fail(e, "internal", "out of memory");
	if (csa_catalog_add_volume(next, v, err, sizeof(err))) {
		csa_catalog_free(next);
		return csa_api_fail(e, "bad_request", "%s", err);
	}
	if (pd_commit(p, next, err, sizeof(err)))
		return csa_api_fail(e, "io", "%s", err);
	return 0;
}

static int zero(struct csa_primary *p, const struct csa_layout *old,
		const struct csa_layout *new, struct csa_api_err *e)
{
	char err[512];

	if (pd_zero_new(p, old, new, err, sizeof(err)))
		return csa_api_fail(e, "io", "%s", err);
	return 0;
}

/* Placed from its requirements; or, at size 0, empty: it asks, and will be
 * placed when it is sized (`touch` in a mount). */
static int create(struct csa_primary *p, struct vol_args *a,
		  struct csa_api_err *e)
{
	struct csa_cat_volume v = { .state = CSA_VOL_EMPTY, .req = a->req };
	struct csa_plan plan = { 0 };
	int ret;

	if (csa_catalog_find_volume(p->cat, a->name) >= 0)
		return csa_api_fail(e, "exists", "the cluster already has a volume \"%s\"",
				    a->name);
	if (check_hosts(p->cat, a, e))
		return -1;
	snprintf(v.name, sizeof(v.name), "%s", a->name);
	v.req.hosts = a->hosts;
	v.req.nr_hosts = (unsigned)a->nr_hosts;
	ret = a->req.size ? pd_place(p, &a->req, &plan, e) : 0;
	if (!ret && plan.layout)
		ret = zero(p, NULL, plan.layout, e);
	if (!ret && plan.layout) {
		v.state = CSA_VOL_ONLINE;
		v.layout = plan.layout;
	}
	if (!ret)
		ret = add_volume(p, &v, e);
	csa_plan_release(&plan);
	return ret;
}

void pd_volume_event(struct csa_primary *p, const char *name,
		     const char *event)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "generation",
			       json_object_new_int64((int64_t)p->cat->generation));
	csa_api_server_publish(p->api, event, o);
	pd_log("%s %s (catalog generation %llu)", event, name,
	       (unsigned long long)p->cat->generation);
}

int pd_op_volume_create(void *ctx, const struct csa_api_peer *peer,
			struct json_object *req, struct json_object **result,
			struct csa_api_err *e)
{
	struct csa_primary *p = ctx;
	struct vol_args *a;
	int ret;

	a = calloc(1, sizeof(*a));
	if (!a)
		return csa_api_fail(e, "internal", "out of memory");
	ret = parse_create(req, a, e);
	if (!ret)
		ret = host_may_create(peer, a, e);
	if (!ret) {
		pthread_mutex_lock(&p->lock);
		ret = create(p, a, e);
		if (!ret) {
			*result = pd_view_volume(p, p->cat->nr_volumes - 1,
						 true);
			pd_volume_event(p, a->name, "volume.created");
		}
		pthread_mutex_unlock(&p->lock);
	}
	free(a);
	return ret;
}

int pd_op_volume_list(void *ctx, const struct csa_api_peer *peer,
		      struct json_object *req, struct json_object **result,
		      struct csa_api_err *e)
{
	static const char *const fields[] = { NULL };
	struct csa_primary *p = ctx;
	struct json_object *list;
	unsigned i;

	if (csa_api_fields(req, fields, e))
		return -1;
	list = json_object_new_array();
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->cat->nr_volumes; i++)
		if (pd_volume_visible(&p->cat->volumes[i], peer))
			json_object_array_add(list, pd_view_volume(p, i, false));
	pthread_mutex_unlock(&p->lock);
	*result = json_object_new_object();
	json_object_object_add(*result, "volumes", list);
	return 0;
}

int pd_find_changeable(struct csa_primary *p, const struct csa_api_peer *peer,
		       const char *name, struct csa_api_err *e)
{
	int i = csa_catalog_find_volume(p->cat, name);

	if (i < 0 || !pd_volume_visible(&p->cat->volumes[i], peer))
		return csa_api_fail(e, "not_found", "no volume \"%s\"", name);
	if (strcmp(peer->role, "host") && pd_need_admin(peer, e))
		return -1;
	return i;
}

/* The index of the volume named in @req that @peer may see, or -1. */
static int find_visible(struct csa_primary *p, const struct csa_api_peer *peer,
			const char *name, struct csa_api_err *e)
{
	int i = csa_catalog_find_volume(p->cat, name);

	if (i < 0 || !pd_volume_visible(&p->cat->volumes[i], peer))
		return csa_api_fail(e, "not_found", "no volume \"%s\"", name);
	return i;
}

int pd_op_volume_show(void *ctx, const struct csa_api_peer *peer,
		      struct json_object *req, struct json_object **result,
		      struct csa_api_err *e)
{
	static const char *const fields[] = { "name", NULL };
	struct csa_primary *p = ctx;
	char name[CSA_VOLUME_NAME_MAX];
	int i;

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, name, sizeof(name), e))
		return -1;
	pthread_mutex_lock(&p->lock);
	i = find_visible(p, peer, name, e);
	if (i >= 0)
		*result = pd_view_volume(p, (unsigned)i, true);
	pthread_mutex_unlock(&p->lock);
	return i < 0 ? -1 : 0;
}

int pd_op_volume_delete(void *ctx, const struct csa_api_peer *peer,
			struct json_object *req, struct json_object **result,
			struct csa_api_err *e)
{
	static const char *const fields[] = { "name", NULL };
	struct csa_primary *p = ctx;
	char name[CSA_VOLUME_NAME_MAX], err[768];
	struct csa_catalog *next;
	int ret = -1, i;
	char host[CSA_HOST_NAME_MAX];

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, name, sizeof(name), e))
		return -1;
	pthread_mutex_lock(&p->lock);
	if ((i = pd_find_changeable(p, peer, name, e)) < 0)
		;
	else if (p->cat->volumes[i].mig)
		csa_api_fail(e, "busy", "volume \"%s\" is migrating; delete it when the migration is done",
			     name);
	else if (pd_hosts_busy(p, name, peer->cn, host, sizeof(host)))
		csa_api_fail(e, "busy", "volume \"%s\" is open on host %s", name, host);
	else if (csa_catalog_dup(p->cat, &next))
		csa_api_fail(e, "internal", "out of memory");
	else if (csa_catalog_remove_volume(next, name, err, sizeof(err))) {
		csa_catalog_free(next);
		csa_api_fail(e, "busy", "%s", err);
	} else if (pd_commit(p, next, err, sizeof(err)))
		csa_api_fail(e, "io", "%s", err);
	else
		ret = 0;
	if (!ret)
		pd_volume_event(p, name, "volume.deleted");
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return -1;
	*result = json_object_new_object();
	json_object_object_add(*result, "name", json_object_new_string(name));
	return 0;
}
