// SPDX-License-Identifier: GPL-2.0-or-later
/* csa-primaryd: status, hosts, and the table of ops (ops.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "primary/pd_mig.h"
#include "primary/primaryd.h"

int pd_need_admin(const struct csa_api_peer *peer, struct csa_api_err *e)
{
	if (!strcmp(peer->role, "admin") || !strcmp(peer->role, "primary"))
		return 0;
	return csa_api_fail(e, "forbidden",
			    "%s (a %s) may not change the cluster; an admin certificate is needed",
			    peer->cn, peer->role);
}

int pd_answer_view(struct csa_primary *p, struct json_object *req,
		   struct json_object *(*view)(struct csa_primary *p),
		   struct json_object **result, struct csa_api_err *e)
{
	static const char *const fields[] = { NULL };

	if (csa_api_fields(req, fields, e))
		return -1;
	pthread_mutex_lock(&p->lock);
	*result = view(p);
	pthread_mutex_unlock(&p->lock);
	return *result ? 0 : csa_api_fail(e, "internal", "out of memory");
}

static int op_status(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e)
{
	(void)peer;
	return pd_answer_view(ctx, req, pd_view_status, result, e);
}

/* Register @name now; an already registered host keeps its first time. */
static int register_host(struct csa_primary *p, const char *name,
			 uint64_t *when, struct csa_api_err *e)
{
	struct csa_catalog *next;
	char err[512];
	int i;

	i = csa_catalog_find_host(p->cat, name);
	if (i >= 0) {
		*when = p->cat->hosts[i].registered;
		return 0;
	}
	*when = (uint64_t)time(NULL);
	if (csa_catalog_dup(p->cat, &next))
		return csa_api_fail(e, "internal", "out of memory");
	if (csa_catalog_add_host(next, name, *when, err, sizeof(err))) {
		csa_catalog_free(next);
		return csa_api_fail(e, "bad_request", "%s", err);
	}
	if (pd_commit(p, next, err, sizeof(err)))
		return csa_api_fail(e, "io", "%s", err);
	return 0;
}

static int op_host_register(void *ctx, const struct csa_api_peer *peer,
			    struct json_object *req,
			    struct json_object **result, struct csa_api_err *e)
{
	static const char *const fields[] = { "name", NULL };
	struct csa_primary *p = ctx;
	char name[CSA_HOST_NAME_MAX] = "";
	uint64_t when;
	int ret;

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", false, name, sizeof(name), e))
		return -1;
	if (!*name)
		snprintf(name, sizeof(name), "%s", peer->cn);
	if (strcmp(name, peer->cn) && pd_need_admin(peer, e))
		return -1;
	pthread_mutex_lock(&p->lock);
	ret = register_host(p, name, &when, e);
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return -1;
	*result = json_object_new_object();
	json_object_object_add(*result, "name", json_object_new_string(name));
	json_object_object_add(*result, "registered",
			       json_object_new_int64((int64_t)when));
	csa_api_server_publish(p->api, "host.registered",
			       json_object_get(*result));
	return 0;
}

static unsigned host_volumes(const struct csa_catalog *c, const char *host)
{
	unsigned v, h, n = 0;

	for (v = 0; v < c->nr_volumes; v++)
		for (h = 0; h < c->volumes[v].req.nr_hosts; h++)
			n += !strcmp(c->volumes[v].req.hosts[h], host);
	return n;
}

static int op_host_list(void *ctx, const struct csa_api_peer *peer,
			struct json_object *req, struct json_object **result,
			struct csa_api_err *e)
{
	static const char *const fields[] = { NULL };
	struct csa_primary *p = ctx;
	struct json_object *list;
	unsigned i;

	if (csa_api_fields(req, fields, e) || pd_need_admin(peer, e))
		return -1;
	list = json_object_new_array();
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->cat->nr_hosts; i++) {
		struct json_object *o = json_object_new_object();
		const struct csa_cat_host *h = &p->cat->hosts[i];

		json_object_object_add(o, "name", json_object_new_string(h->name));
		json_object_object_add(o, "registered",
				       json_object_new_int64((int64_t)h->registered));
		json_object_object_add(o, "volumes", json_object_new_int64(
			host_volumes(p->cat, h->name)));
		pd_hosts_describe(p, h->name, o);
		json_object_array_add(list, o);
	}
	pthread_mutex_unlock(&p->lock);
	*result = json_object_new_object();
	json_object_object_add(*result, "hosts", list);
	return 0;
}

const struct csa_api_op pd_ops[] = {
	{ "status", op_status },
	{ "array.add", pd_op_array_add },
	{ "array.list", pd_op_array_list },
	{ "array.show", pd_op_array_show },
	{ "array.calibrate", pd_op_array_calibrate },
	{ "volume.create", pd_op_volume_create },
	{ "volume.list", pd_op_volume_list },
	{ "volume.show", pd_op_volume_show },
	{ "volume.set", pd_op_volume_set },
	{ "volume.delete", pd_op_volume_delete },
	{ "host.register", op_host_register },
	{ "host.list", op_host_list },
	{ "host.report", pd_op_host_report },
	{ "volume.migrate", pd_op_volume_migrate },
	{ "migration.list", pd_op_migration_list },
	{ "migration.pause", pd_op_migration_pause },
	{ "migration.resume", pd_op_migration_resume },
	{ "region.ack", pd_op_region_ack },
};
const unsigned pd_nr_ops = sizeof(pd_ops) / sizeof(pd_ops[0]);
