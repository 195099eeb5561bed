// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON form of the catalog (catalog.h):
 *
 *   { "format": 1, "cluster": "<uuid>", "generation": 12,
 *     "arrays": [ { "name", "portal", "target", "rated_mbps", "rated_iops",
 *                   "calibrated": bool,
 *                   "luns": [ { "number", "uuid", "blocks", "block_size",
 *                               "reserved_blocks" } ] } ],
 *     "hosts": [ { "name", "registered": <seconds since 1970> } ],
 *     "volumes": [ { "name", "state": "online",
 *                    "requirements": { "size", "mbps", "iops", "copies",
 *                                      "stripe_unit", "fit": "best",
 *                                      "hosts": [ "h1" ] },
 *                    "layout": { as csa_layout_to_json prints it },
 *                    "migration": null | { "to": { a layout }, "reason",
 *                                  "started", "max_rate",
 *                                  "paused": bool } } ] }
 *
 * Every field is required but "migration" (absent: null), which catalogs
 * written before migrations existed do not have. Parsing is strict as the layout's is: json-c
 * checks the syntax (strict mode, UTF-8) and a pass over the raw text
 * refuses what json-c lets through, field names with escapes too
 * (striper/json_strict.h); a walk refuses unknown, missing and mistyped
 * fields; csa_catalog_validate has the last word. Faults are located by
 * JSON path ("volumes[2].requirements") or line and column.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "primary/catalog.h"
#include "primary/catalog_int.h"
#include "striper/json_strict.h"
#include "striper/json_walk.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int oom(char *err, size_t errlen)
{
	return csa_cat_report(-ENOMEM, err, errlen,
			      "out of memory reading the catalog");
}

/* ---- fields ------------------------------------------------------------------ */

static const char *const root_fields[] = {
	"format", "cluster", "generation", "arrays", "hosts", "volumes", NULL };
static const char *const array_fields[] = {
	"name", "portal", "target", "rated_mbps", "rated_iops", "calibrated",
	"luns", NULL };
static const char *const lun_fields[] = {
	"number", "uuid", "blocks", "block_size", "reserved_blocks", NULL };
static const char *const host_fields[] = { "name", "registered", NULL };
static const char *const volume_fields[] = {
	"name", "state", "requirements", "layout", "migration", NULL };
static const char *const mig_fields[] = {
	"to", "reason", "started", "max_rate", "paused", NULL };
static const char *const req_fields[] = {
	"size", "mbps", "iops", "copies", "stripe_unit", "fit", "hosts", NULL };

static int get_uuid(json_object *o, const char *key, const char *where,
		    struct csa_uuid *u, char *err, size_t errlen)
{
	char s[CSA_UUID_STR_LEN + 8];
	int ret;

	ret = csa_json_get_string(o, key, where, s, sizeof(s), err, errlen);
	if (!ret && csa_uuid_parse(s, u))
		ret = fail(err, errlen, "field \"%s\" in %s is \"%s\", not a UUID (8-4-4-4-12 hex digits)",
			   key, where, s);
	return ret;
}

/* ---- from JSON ----------------------------------------------------------------- */

static int read_lun(json_object *o, const char *where, struct csa_cat_lun *l,
		    char *err, size_t errlen)
{
	int ret = csa_json_want_object(o, where, lun_fields, err, errlen);

	if (!ret)
		ret = csa_json_get_u32(o, "number", where, &l->number, err, errlen);
	if (!ret)
		ret = get_uuid(o, "uuid", where, &l->uuid, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "blocks", where, UINT64_MAX, &l->blocks,
			      err, errlen);
	if (!ret)
		ret = csa_json_get_u32(o, "block_size", where, &l->block_size, err,
			      errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "reserved_blocks", where, UINT64_MAX,
			      &l->reserved_blocks, err, errlen);
	return ret;
}

static int read_luns(json_object *o, const char *where,
		     struct csa_cat_array *a, char *err, size_t errlen)
{
	json_object *jl;
	char w[64];
	size_t i, n;
	int ret;

	ret = csa_json_member(o, "luns", where, json_type_array, &jl, err, errlen);
	if (ret)
		return ret;
	n = json_object_array_length(jl);
	if (n > CSA_CAT_MAX_LUNS)
		return fail(err, errlen, "%s has %zu LUNs; at most %u are taken",
			    where, n, CSA_CAT_MAX_LUNS);
	a->luns = calloc(n ? n : 1, sizeof(*a->luns));
	if (!a->luns)
		return oom(err, errlen);
	a->nr_luns = (unsigned)n;
	for (i = 0; i < n && !ret; i++) {
		snprintf(w, sizeof(w), "%s.luns[%zu]", where, i);
		ret = read_lun(json_object_array_get_idx(jl, i), w,
			       &a->luns[i], err, errlen);
	}
	return ret;
}

static int read_array(json_object *o, const char *where,
		      struct csa_cat_array *a, char *err, size_t errlen)
{
	json_object *v;
	int ret = csa_json_want_object(o, where, array_fields, err, errlen);

	if (!ret)
		ret = csa_json_get_string(o, "name", where, a->name, sizeof(a->name),
				 err, errlen);
	if (!ret)
		ret = csa_json_get_string(o, "portal", where, a->portal,
				 sizeof(a->portal), err, errlen);
	if (!ret)
		ret = csa_json_get_string(o, "target", where, a->target,
				 sizeof(a->target), err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "rated_mbps", where, UINT64_MAX,
			      &a->rated_mbps, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "rated_iops", where, UINT64_MAX,
			      &a->rated_iops, err, errlen);
	if (!ret)
		ret = csa_json_member(o, "calibrated", where, json_type_boolean, &v,
			     err, errlen);
	if (!ret)
		a->calibrated = json_object_get_boolean(v);
	if (!ret)
		ret = read_luns(o, where, a, err, errlen);
	return ret;
}

static int read_host(json_object *o, const char *where, struct csa_cat_host *h,
		     char *err, size_t errlen)
{
	int ret = csa_json_want_object(o, where, host_fields, err, errlen);

	if (!ret)
		ret = csa_json_get_string(o, "name", where, h->name, sizeof(h->name),
				 err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "registered", where, UINT64_MAX,
			      &h->registered, err, errlen);
	return ret;
}

/* @names[i] is "best"/"first" or a state name: the index of @key's value. */
static int get_enum(json_object *o, const char *key, const char *where,
		    const char *(*name)(int), int *out, char *err,
		    size_t errlen)
{
	char s[32];
	int i, ret;

	ret = csa_json_get_string(o, key, where, s, sizeof(s), err, errlen);
	for (i = 0; !ret && name(i); i++)
		if (!strcmp(s, name(i))) {
			*out = i;
			return 0;
		}
	return ret ? ret : fail(err, errlen, "field \"%s\" in %s is \"%s\", which is not a %s",
				key, where, s, key);
}

static const char *fit_name(int i)
{
	return csa_fit_name((enum csa_fit)i);
}

static const char *state_name(int i)
{
	return csa_vol_state_name((enum csa_vol_state)i);
}

static int read_req_hosts(json_object *o, const char *where,
			  struct csa_cat_req *r, char *err, size_t errlen)
{
	json_object *jh, *v;
	char what[32];
	size_t i, n;
	int ret;

	ret = csa_json_member(o, "hosts", where, json_type_array, &jh, err, errlen);
	if (ret)
		return ret;
	n = json_object_array_length(jh);
	if (n > CSA_CAT_MAX_VOL_HOSTS)
		return fail(err, errlen, "%s names %zu hosts; at most %u",
			    where, n, CSA_CAT_MAX_VOL_HOSTS);
	r->hosts = calloc(n ? n : 1, sizeof(*r->hosts));
	if (!r->hosts)
		return oom(err, errlen);
	r->nr_hosts = (unsigned)n;
	for (i = 0; i < n && !ret; i++) {
		v = json_object_array_get_idx(jh, i);
		snprintf(what, sizeof(what), "hosts[%zu]", i);
		if (!json_object_is_type(v, json_type_string))
			return fail(err, errlen, "%s in %s must be a string, not %s",
				    what, where, csa_json_noun(json_object_get_type(v)));
		ret = csa_json_get_str(v, what, where, r->hosts[i], sizeof(r->hosts[i]),
			      err, errlen);
	}
	return ret;
}

static int read_req(json_object *o, const char *where, struct csa_cat_req *r,
		    char *err, size_t errlen)
{
	int fit = 0, ret = csa_json_want_object(o, where, req_fields, err, errlen);

	if (!ret)
		ret = csa_json_get_u64(o, "size", where, UINT64_MAX, &r->size, err,
			      errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "mbps", where, UINT64_MAX, &r->mbps, err,
			      errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "iops", where, UINT64_MAX, &r->iops, err,
			      errlen);
	if (!ret)
		ret = csa_json_get_u32(o, "copies", where, &r->copies, err, errlen);
	if (!ret)
		ret = csa_json_get_u32(o, "stripe_unit", where, &r->stripe_unit, err,
			      errlen);
	if (!ret)
		ret = get_enum(o, "fit", where, fit_name, &fit, err, errlen);
	r->fit = (enum csa_fit)fit;
	if (!ret)
		ret = read_req_hosts(o, where, r, err, errlen);
	return ret;
}

static int read_layout(json_object *o, const char *key, const char *where,
		       struct csa_layout **l, char *err, size_t errlen)
{
	const char *text;
	char why[384];
	json_object *v;
	int ret;

	ret = csa_json_member(o, key, where, json_type_object, &v, err, errlen);
	if (ret)
		return ret;
	text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return oom(err, errlen);
	ret = csa_layout_from_json(text, l, why, sizeof(why));
	if (ret == -ENOMEM)
		return oom(err, errlen);
	if (ret)
		return fail(err, errlen, "%s.%s: %s", where, key, why);
	return 0;
}

static int read_mig_fields(json_object *o, const char *where,
			   struct csa_cat_migration *m, char *err,
			   size_t errlen)
{
	json_object *jb;
	int ret = read_layout(o, "to", where, &m->to, err, errlen);

	if (!ret)
		ret = csa_json_get_string(o, "reason", where, m->reason,
					  sizeof(m->reason), err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "started", where, UINT64_MAX,
				       &m->started, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "max_rate", where, UINT32_MAX,
				       &m->max_rate, err, errlen);
	if (!ret)
		ret = csa_json_member(o, "paused", where, json_type_boolean,
				      &jb, err, errlen);
	if (!ret)
		m->paused = json_object_get_boolean(jb);
	return ret;
}

/* "migration": absent or null when the volume is not migrating. */
static int read_mig(json_object *o, const char *where,
		    struct csa_cat_migration **out, char *err, size_t errlen)
{
	json_object *jm;
	char w[96];
	int ret;

	if (!json_object_object_get_ex(o, "migration", &jm) || !jm)
		return 0;
	snprintf(w, sizeof(w), "%s.migration", where);
	ret = csa_json_want_object(jm, w, mig_fields, err, errlen);
	if (ret)
		return ret;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return oom(err, errlen);
	return read_mig_fields(jm, w, *out, err, errlen);
}

static int read_volume(json_object *o, const char *where,
		       struct csa_cat_volume *v, char *err, size_t errlen)
{
	json_object *jr;
	char w[64];
	int state = 0, ret = csa_json_want_object(o, where, volume_fields, err, errlen);

	if (!ret)
		ret = csa_json_get_string(o, "name", where, v->name, sizeof(v->name),
				 err, errlen);
	if (!ret)
		ret = get_enum(o, "state", where, state_name, &state, err,
			       errlen);
	v->state = (enum csa_vol_state)state;
	if (!ret)
		ret = csa_json_member(o, "requirements", where, json_type_object, &jr,
			     err, errlen);
	snprintf(w, sizeof(w), "%s.requirements", where);
	if (!ret)
		ret = read_req(jr, w, &v->req, err, errlen);
	/* An empty volume's layout is null; no other's may be. */
	if (!ret && !(v->state == CSA_VOL_EMPTY &&
		      json_object_object_get_ex(o, "layout", &jr) && !jr))
		ret = read_layout(o, "layout", where, &v->layout, err, errlen);
	if (!ret)
		ret = read_mig(o, where, &v->mig, err, errlen);
	return ret;
}

/* The list @key of the root: its length, and room for it in *@v. */
static int list(json_object *root, const char *key, json_object **jl,
		void **v, size_t size, unsigned *n, char *err, size_t errlen)
{
	size_t len;
	int ret;

	ret = csa_json_member(root, key, "the catalog", json_type_array, jl, err, errlen);
	if (ret)
		return ret;
	len = json_object_array_length(*jl);
	if (len >= INT32_MAX)
		return fail(err, errlen, "the catalog has %zu %s", len, key);
	*v = calloc(len ? len : 1, size);
	if (!*v)
		return oom(err, errlen);
	*n = (unsigned)len;
	return 0;
}

/* Entries are counted in as they are read, so that a failure frees them. */
static int read_lists(json_object *root, struct csa_catalog *c, char *err,
		      size_t errlen)
{
	json_object *jl;
	unsigned i, n = 0;
	char w[32];
	int ret;

	ret = list(root, "arrays", &jl, (void **)&c->arrays,
		   sizeof(*c->arrays), &n, err, errlen);
	for (i = 0; i < n && !ret; i++, c->nr_arrays++) {
		snprintf(w, sizeof(w), "arrays[%u]", i);
		ret = read_array(json_object_array_get_idx(jl, i), w,
				 &c->arrays[i], err, errlen);
	}
	if (!ret)
		ret = list(root, "hosts", &jl, (void **)&c->hosts,
			   sizeof(*c->hosts), &c->nr_hosts, err, errlen);
	for (i = 0; i < c->nr_hosts && !ret; i++) {
		snprintf(w, sizeof(w), "hosts[%u]", i);
		ret = read_host(json_object_array_get_idx(jl, i), w,
				&c->hosts[i], err, errlen);
	}
	n = 0;
	if (!ret)
		ret = list(root, "volumes", &jl, (void **)&c->volumes,
			   sizeof(*c->volumes), &n, err, errlen);
	for (i = 0; i < n && !ret; i++, c->nr_volumes++) {
		snprintf(w, sizeof(w), "volumes[%u]", i);
		ret = read_volume(json_object_array_get_idx(jl, i), w,
				  &c->volumes[i], err, errlen);
	}
	return ret;
}

static int read_root(json_object *root, struct csa_catalog *c, char *err,
		     size_t errlen)
{
	uint64_t format = 0;
	int ret = csa_json_want_object(root, "the catalog", root_fields, err, errlen);

	if (!ret)
		ret = csa_json_get_u64(root, "format", "the catalog", UINT64_MAX,
			      &format, err, errlen);
	if (!ret && format != CSA_CATALOG_FORMAT)
		ret = fail(err, errlen, "catalog format %" PRIu64 "; this csafs reads format %u",
			   format, CSA_CATALOG_FORMAT);
	if (!ret)
		ret = get_uuid(root, "cluster", "the catalog", &c->cluster,
			       err, errlen);
	if (!ret)
		ret = csa_json_get_u64(root, "generation", "the catalog", UINT64_MAX,
			      &c->generation, err, errlen);
	if (!ret)
		ret = read_lists(root, c, err, errlen);
	return ret;
}

int csa_catalog_from_json(const char *text, size_t len,
			  struct csa_catalog **out, char *err, size_t errlen)
{
	static const struct csa_uuid nil;
	struct csa_catalog *c;
	json_object *root = NULL;
	int ret;

	ret = csa_json_strict_parse(text, len, "catalog",
				    CSA_JSON_UTF8 | CSA_JSON_PLAIN_NAMES,
				    &root, err, errlen);
	if (ret)
		return ret;
	c = csa_catalog_new(&nil);
	ret = c ? read_root(root, c, err, errlen) : oom(err, errlen);
	json_object_put(root);
	if (!ret)
		ret = csa_catalog_validate(c, err, errlen);
	if (ret) {
		csa_catalog_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

/* ---- to JSON ------------------------------------------------------------------- */

static json_object *uuid_json(const struct csa_uuid *u)
{
	char s[CSA_UUID_STR_LEN];

	csa_uuid_format(u, s);
	return json_object_new_string(s);
}

/* An enum's name; one out of range prints as "?" (and will not parse). */
static json_object *name_json(const char *name)
{
	return json_object_new_string(name ? name : "?");
}

static json_object *lun_json(const struct csa_cat_lun *l)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "number", json_object_new_uint64(l->number)) ||
			csa_json_put(o, "uuid", uuid_json(&l->uuid)) ||
			csa_json_put(o, "blocks", json_object_new_uint64(l->blocks)) ||
			csa_json_put(o, "block_size",
			    json_object_new_uint64(l->block_size)) ||
			csa_json_put(o, "reserved_blocks",
			    json_object_new_uint64(l->reserved_blocks)));
}

static json_object *luns_json(const struct csa_cat_array *a)
{
	json_object *o = json_object_new_array();
	unsigned i;
	int ret = 0;

	for (i = 0; i < a->nr_luns && !ret; i++)
		ret = csa_json_put(o, NULL, lun_json(&a->luns[i]));
	return csa_json_built(o, ret || !o);
}

static json_object *array_json(const struct csa_cat_array *a)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "name", json_object_new_string(a->name)) ||
			csa_json_put(o, "portal", json_object_new_string(a->portal)) ||
			csa_json_put(o, "target", json_object_new_string(a->target)) ||
			csa_json_put(o, "rated_mbps",
			    json_object_new_uint64(a->rated_mbps)) ||
			csa_json_put(o, "rated_iops",
			    json_object_new_uint64(a->rated_iops)) ||
			csa_json_put(o, "calibrated",
			    json_object_new_boolean(a->calibrated)) ||
			csa_json_put(o, "luns", luns_json(a)));
}

static json_object *host_json(const struct csa_cat_host *h)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "name", json_object_new_string(h->name)) ||
			csa_json_put(o, "registered",
			    json_object_new_uint64(h->registered)));
}

static json_object *req_hosts_json(const struct csa_cat_req *r)
{
	json_object *o = json_object_new_array();
	unsigned i;
	int ret = 0;

	for (i = 0; i < r->nr_hosts && !ret; i++)
		ret = csa_json_put(o, NULL, json_object_new_string(r->hosts[i]));
	return csa_json_built(o, ret || !o);
}

static json_object *req_json(const struct csa_cat_req *r)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "size", json_object_new_uint64(r->size)) ||
			csa_json_put(o, "mbps", json_object_new_uint64(r->mbps)) ||
			csa_json_put(o, "iops", json_object_new_uint64(r->iops)) ||
			csa_json_put(o, "copies", json_object_new_uint64(r->copies)) ||
			csa_json_put(o, "stripe_unit",
			    json_object_new_uint64(r->stripe_unit)) ||
			csa_json_put(o, "fit", name_json(csa_fit_name(r->fit))) ||
			csa_json_put(o, "hosts", req_hosts_json(r)));
}

/* The layout's own JSON form, as an object. */
static json_object *layout_json(const struct csa_layout *l)
{
	char *text = l ? csa_layout_to_json(l) : NULL;
	json_object *o = text ? json_tokener_parse(text) : NULL;

	free(text);
	return o;
}

static json_object *mig_json(const struct csa_cat_migration *m)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "to", layout_json(m->to)) ||
			csa_json_put(o, "reason", json_object_new_string(m->reason)) ||
			csa_json_put(o, "started", json_object_new_uint64(m->started)) ||
			csa_json_put(o, "max_rate", json_object_new_uint64(m->max_rate)) ||
			csa_json_put(o, "paused", json_object_new_boolean(m->paused)));
}

static json_object *volume_json(const struct csa_cat_volume *v)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "name", json_object_new_string(v->name)) ||
			csa_json_put(o, "state",
			    name_json(csa_vol_state_name(v->state))) ||
			csa_json_put(o, "requirements", req_json(&v->req)) ||
			(v->layout ? csa_json_put(o, "layout", layout_json(v->layout)) :
			 json_object_object_add(o, "layout", NULL)) ||
			(v->mig ? csa_json_put(o, "migration", mig_json(v->mig)) :
			 json_object_object_add(o, "migration", NULL)));
}

/* Each list is built, then added; @o is dropped on failure. */
static json_object *lists_json(const struct csa_catalog *c, json_object *o)
{
	json_object *ja = json_object_new_array();
	json_object *jh = json_object_new_array();
	json_object *jv = json_object_new_array();
	unsigned i;
	int ret = !ja || !jh || !jv;

	for (i = 0; i < c->nr_arrays && !ret; i++)
		ret = csa_json_put(ja, NULL, array_json(&c->arrays[i]));
	for (i = 0; i < c->nr_hosts && !ret; i++)
		ret = csa_json_put(jh, NULL, host_json(&c->hosts[i]));
	for (i = 0; i < c->nr_volumes && !ret; i++)
		ret = csa_json_put(jv, NULL, volume_json(&c->volumes[i]));
	/* put takes its value in every case: no list is left behind. */
	ret |= csa_json_put(o, "arrays", ja);
	ret |= csa_json_put(o, "hosts", jh);
	ret |= csa_json_put(o, "volumes", jv);
	return csa_json_built(o, ret);
}

char *csa_catalog_to_json(const struct csa_catalog *c, unsigned flags)
{
	json_object *o = json_object_new_object();
	int pretty = !!(flags & CSA_CATALOG_JSON_PRETTY);
	const char *s = NULL;
	char *out = NULL;
	size_t n = 0;

	o = csa_json_built(o, csa_json_put(o, "format",
			 json_object_new_uint64(CSA_CATALOG_FORMAT)) ||
		     csa_json_put(o, "cluster", uuid_json(&c->cluster)) ||
		     csa_json_put(o, "generation",
			 json_object_new_uint64(c->generation)));
	if (o)
		o = lists_json(c, o);
	if (o)
		s = json_object_to_json_string_length(o,
			(pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
			JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (s)
		out = malloc(n + 2);
	if (out) {
		memcpy(out, s, n);
		if (pretty)
			out[n++] = '\n';
		out[n] = 0;
	}
	json_object_put(o);
	return out;
}
