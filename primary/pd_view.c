// SPDX-License-Identifier: GPL-2.0-or-later
/* csa-primaryd: the catalog as the API shows it (ops.h, primaryd.h). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "primary/placement.h"
#include "primary/pool.h"
#include "primary/pd_mig.h"
#include "primary/primaryd.h"

#define ADD(o, k, v)	json_object_object_add((o), (k), (v))
#define U64(v)		json_object_new_int64((int64_t)(v))

/* What the catalog says of one array's use, for every array at once. */
struct usage {
	uint64_t capacity, free;		/* bytes past reserved areas */
	uint64_t reserved_mbps, reserved_iops;
	unsigned volumes;
	uint64_t *lun_free;			/* bytes, per LUN */
};

static bool volume_uses(const struct csa_layout *l, const char *array)
{
	unsigned i;

	for (i = 0; l && i < l->nr_arrays; i++)
		if (!strcmp(l->arrays[i].name, array))
			return true;
	return false;
}

static void usage_free(struct usage *u, unsigned n)
{
	unsigned i;

	for (i = 0; u && i < n; i++)
		free(u[i].lun_free);
	free(u);
}

static void add_free_space(const struct csa_catalog *c, struct usage *u)
{
	struct csa_free_extent *fe = NULL;
	char err[256];
	size_t n = 0, i;

	if (csa_catalog_free_extents(c, &fe, &n, err, sizeof(err)))
		return;		/* a valid catalog cannot fail this */
	for (i = 0; i < n; i++) {
		uint64_t b = fe[i].blocks *
			c->arrays[fe[i].array].luns[fe[i].lun].block_size;

		u[fe[i].array].free += b;
		u[fe[i].array].lun_free[fe[i].lun] += b;
	}
	free(fe);
}

static struct usage *usage_of(const struct csa_catalog *c)
{
	struct usage *u = calloc(c->nr_arrays + 1, sizeof(*u));
	struct csa_cat_pool pool;
	unsigned i, j;

	if (!u || csa_pool_from_catalog(c, &pool)) {
		free(u);
		return NULL;
	}
	for (i = 0; i < c->nr_arrays; i++) {
		const struct csa_cat_array *a = &c->arrays[i];

		u[i].lun_free = calloc(a->nr_luns + 1, sizeof(uint64_t));
		u[i].reserved_mbps = pool.arrays[i].reserved_mbps;
		u[i].reserved_iops = pool.arrays[i].reserved_iops;
		for (j = 0; j < a->nr_luns; j++)
			u[i].capacity += (a->luns[j].blocks -
					  a->luns[j].reserved_blocks) *
					 a->luns[j].block_size;
		for (j = 0; j < c->nr_volumes; j++)
			u[i].volumes += volume_uses(c->volumes[j].layout, a->name);
		if (!u[i].lun_free) {
			csa_cat_pool_release(&pool);
			usage_free(u, i + 1);
			return NULL;
		}
	}
	csa_cat_pool_release(&pool);
	add_free_space(c, u);
	return u;
}

/* "up", "degraded" (some LUNs not open) or "down" (none). */
static const char *array_state(struct csa_primary *p, const char *name)
{
	struct pd_array *a = pd_array_find(p, name);
	unsigned i, open = 0;

	for (i = 0; a && i < a->nr_luns; i++)
		open += a->luns[i].lun != NULL;
	if (!a || !open)
		return "down";
	return open == a->nr_luns ? "up" : "degraded";
}

static const char *lun_state(struct csa_primary *p, const char *array,
			     uint32_t number)
{
	struct pd_array *a = pd_array_find(p, array);
	unsigned i;

	for (i = 0; a && i < a->nr_luns; i++)
		if (a->luns[i].number == number)
			return a->luns[i].lun ? "up" : "down";
	return "down";
}

static struct json_object *lun_list(struct csa_primary *p, unsigned idx,
				    const struct usage *u)
{
	const struct csa_cat_array *a = &p->cat->arrays[idx];
	struct json_object *list = json_object_new_array();
	char uuid[CSA_UUID_STR_LEN];
	unsigned j;

	for (j = 0; j < a->nr_luns; j++) {
		const struct csa_cat_lun *l = &a->luns[j];
		struct json_object *o = json_object_new_object();

		csa_uuid_format(&l->uuid, uuid);
		ADD(o, "number", U64(l->number));
		ADD(o, "uuid", json_object_new_string(uuid));
		ADD(o, "state", json_object_new_string(
			lun_state(p, a->name, l->number)));
		ADD(o, "block_size", U64(l->block_size));
		ADD(o, "blocks", U64(l->blocks));
		ADD(o, "reserved_blocks", U64(l->reserved_blocks));
		ADD(o, "capacity_bytes",
		    U64((l->blocks - l->reserved_blocks) * l->block_size));
		ADD(o, "free_bytes", U64(u->lun_free[j]));
		json_object_array_add(list, o);
	}
	return list;
}

static struct json_object *volume_names(const struct csa_catalog *c,
					const char *array)
{
	struct json_object *list = json_object_new_array();
	unsigned v;

	for (v = 0; v < c->nr_volumes; v++)
		if (volume_uses(c->volumes[v].layout, array))
			json_object_array_add(list,
				json_object_new_string(c->volumes[v].name));
	return list;
}

static struct json_object *array_object(struct csa_primary *p, unsigned idx,
					const struct usage *u, bool detail)
{
	const struct csa_cat_array *a = &p->cat->arrays[idx];
	struct json_object *o = json_object_new_object();

	ADD(o, "name", json_object_new_string(a->name));
	ADD(o, "portal", json_object_new_string(a->portal));
	ADD(o, "target", json_object_new_string(a->target));
	ADD(o, "state", json_object_new_string(array_state(p, a->name)));
	ADD(o, "luns", U64(a->nr_luns));
	ADD(o, "capacity_bytes", U64(u->capacity));
	ADD(o, "free_bytes", U64(u->free));
	ADD(o, "rated_mbps", U64(a->rated_mbps));
	ADD(o, "rated_iops", U64(a->rated_iops));
	ADD(o, "calibrated", json_object_new_boolean(a->calibrated));
	ADD(o, "reserved_mbps", U64(u->reserved_mbps));
	ADD(o, "reserved_iops", U64(u->reserved_iops));
	ADD(o, "volumes", U64(u->volumes));
	ADD(o, "load", pd_monitor_array_load(p, a->name));
	if (detail) {
		ADD(o, "lun_list", lun_list(p, idx, u));
		ADD(o, "volume_names", volume_names(p->cat, a->name));
	}
	return o;
}

struct json_object *pd_view_array(struct csa_primary *p, unsigned idx,
				  bool detail)
{
	struct usage *u = usage_of(p->cat);
	struct json_object *o;

	if (!u)
		return NULL;
	o = array_object(p, idx, &u[idx], detail);
	usage_free(u, p->cat->nr_arrays);
	return o;
}

struct json_object *pd_view_arrays(struct csa_primary *p)
{
	struct json_object *list = json_object_new_array(), *o;
	struct usage *u = usage_of(p->cat);
	unsigned i;

	if (!u) {
		json_object_put(list);
		return NULL;
	}
	for (i = 0; i < p->cat->nr_arrays; i++)
		json_object_array_add(list, array_object(p, i, &u[i], false));
	usage_free(u, p->cat->nr_arrays);
	o = json_object_new_object();
	ADD(o, "arrays", list);
	return o;
}

/* ---- volumes ------------------------------------------------------------ */

static struct json_object *host_list(const struct csa_cat_req *r)
{
	struct json_object *list = json_object_new_array();
	unsigned i;

	for (i = 0; i < r->nr_hosts; i++)
		json_object_array_add(list, json_object_new_string(r->hosts[i]));
	return list;
}

struct json_object *pd_layout_arrays(const struct csa_layout *l)
{
	struct json_object *list = json_object_new_array();
	unsigned i;

	for (i = 0; l && i < l->nr_columns * l->nr_copies; i++)
		json_object_array_add(list, json_object_new_string(
			l->arrays[l->copies[i].extents[0].array].name));
	return list;
}

static void volume_detail(struct csa_primary *p, struct json_object *o,
			  const struct csa_cat_volume *v)
{
	const struct csa_layout *l = v->layout;
	uint64_t mbps, iops;
	char *text;

	csa_column_share(v->req.mbps, v->req.iops, l ? l->nr_columns : 1,
			 &mbps, &iops);
	ADD(o, "fit", json_object_new_string(csa_fit_name(v->req.fit)));
	ADD(o, "requested_size", U64(v->req.size));
	ADD(o, "requested_copies", U64(v->req.copies));
	ADD(o, "requested_stripe_unit", U64(v->req.stripe_unit));
	ADD(o, "column_mbps", U64(mbps));
	ADD(o, "column_iops", U64(iops));
	ADD(o, "open_on", pd_hosts_open_on(p, v->name));
	text = l ? csa_layout_to_json(l) : NULL;
	ADD(o, "layout", text ? json_tokener_parse(text) : NULL);
	free(text);
	ADD(o, "migration", v->mig ? pd_mig_view(p, (unsigned)(v - p->cat->volumes), true) : NULL);
	ADD(o, "load_fit", pd_monitor_fit(p, v));
}

struct json_object *pd_view_volume(struct csa_primary *p, unsigned idx,
				   bool detail)
{
	const struct csa_cat_volume *v = &p->cat->volumes[idx];
	const struct csa_layout *l = v->layout;
	struct json_object *o = json_object_new_object();

	ADD(o, "name", json_object_new_string(v->name));
	ADD(o, "state", json_object_new_string(csa_vol_state_name(v->state)));
	ADD(o, "size", U64(l ? l->size : 0));
	ADD(o, "mbps", U64(v->req.mbps));
	ADD(o, "iops", U64(v->req.iops));
	ADD(o, "copies", U64(l ? l->nr_copies : v->req.copies));
	ADD(o, "columns", U64(l ? l->nr_columns : 0));
	ADD(o, "stripe_unit", U64(l ? l->stripe_unit : 0));
	ADD(o, "hosts", host_list(&v->req));
	ADD(o, "arrays", pd_layout_arrays(l));
	if (detail)
		volume_detail(p, o, v);
	return o;
}

bool pd_volume_visible(const struct csa_cat_volume *v,
		       const struct csa_api_peer *peer)
{
	unsigned i;

	if (strcmp(peer->role, "host") || !v->req.nr_hosts)
		return true;
	for (i = 0; i < v->req.nr_hosts; i++)
		if (!strcmp(v->req.hosts[i], peer->cn))
			return true;
	return false;
}

/* ---- status ------------------------------------------------------------- */

struct json_object *pd_view_status(struct csa_primary *p)
{
	const struct csa_catalog *c = p->cat;
	struct json_object *o = json_object_new_object();
	uint64_t cap = 0, nfree = 0, rm = 0, ri = 0, resm = 0, resi = 0;
	struct usage *u = usage_of(c);
	unsigned i, luns = 0, up = 0;
	char uuid[CSA_UUID_STR_LEN];

	for (i = 0; u && i < c->nr_arrays; i++) {
		cap += u[i].capacity;
		nfree += u[i].free;
		rm += c->arrays[i].rated_mbps;
		ri += c->arrays[i].rated_iops;
		resm += u[i].reserved_mbps;
		resi += u[i].reserved_iops;
		luns += c->arrays[i].nr_luns;
		up += !strcmp(array_state(p, c->arrays[i].name), "up");
	}
	usage_free(u, c->nr_arrays);
	csa_uuid_format(&c->cluster, uuid);
	ADD(o, "cluster", json_object_new_string(uuid));
	ADD(o, "name", json_object_new_string(p->id.name));
	ADD(o, "generation", U64(c->generation));
	ADD(o, "sequence", U64(p->seq));
	ADD(o, "primary", json_object_new_string(p->cn));
	ADD(o, "started", U64(p->started));
	ADD(o, "arrays", U64(c->nr_arrays));
	ADD(o, "arrays_up", U64(up));
	ADD(o, "luns", U64(luns));
	ADD(o, "hosts", U64(c->nr_hosts));
	ADD(o, "volumes", U64(c->nr_volumes));
	ADD(o, "capacity_bytes", U64(cap));
	ADD(o, "used_bytes", U64(cap - nfree));
	ADD(o, "free_bytes", U64(nfree));
	ADD(o, "rated_mbps", U64(rm));
	ADD(o, "reserved_mbps", U64(resm));
	ADD(o, "rated_iops", U64(ri));
	ADD(o, "reserved_iops", U64(resi));
	ADD(o, "alerts", pd_monitor_alerts(p));
	for (i = 0, luns = 0; i < c->nr_volumes; i++)
		luns += c->volumes[i].mig != NULL;
	ADD(o, "migrations", U64(luns));
	return o;
}
