// SPDX-License-Identifier: GPL-2.0-or-later
/* csa-primaryd: array.add, array.list, array.show (ops.h). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "primary/discover.h"
#include "primary/lun_dev.h"
#include "primary/primaryd.h"


struct add_req {
	struct csa_cat_array a;		/* luns not yet */
	uint64_t numbers[CSA_CAT_MAX_LUNS];
	size_t nr_numbers;
};

static int parse_add(struct json_object *req, struct add_req *r,
		     struct csa_api_err *e)
{
	static const char *const fields[] = { "name", "portal", "target",
		"luns", "rated_mbps", "rated_iops", NULL };

	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, r->a.name, sizeof(r->a.name), e) ||
	    csa_api_string(req, "portal", true, r->a.portal,
			   sizeof(r->a.portal), e) ||
	    csa_api_string(req, "target", true, r->a.target,
			   sizeof(r->a.target), e) ||
	    csa_api_u64s(req, "luns", CSA_CAT_MAX_LUNS, 16383, r->numbers,
			 &r->nr_numbers, e) ||
	    csa_api_u64(req, "rated_mbps", false, PD_MAX_RATE, &r->a.rated_mbps, e) ||
	    csa_api_u64(req, "rated_iops", false, PD_MAX_RATE, &r->a.rated_iops, e))
		return -1;
	if (json_object_object_get(req, "luns") && !r->nr_numbers)
		return csa_api_fail(e, "bad_request", "\"luns\" lists no LUN");
	return 0;
}

/* Refuse a name or a place the cluster already has, before touching LUNs. */
static int check_new(const struct csa_catalog *c, const struct csa_cat_array *a,
		     struct csa_api_err *e)
{
	unsigned i;

	if (csa_catalog_find_array(c, a->name) >= 0)
		return csa_api_fail(e, "exists", "the cluster already has an array \"%s\"",
				    a->name);
	for (i = 0; i < c->nr_arrays; i++)
		if (!strcmp(c->arrays[i].portal, a->portal) &&
		    !strcmp(c->arrays[i].target, a->target))
			return csa_api_fail(e, "exists", "%s at %s is already array \"%s\"",
					    a->target, a->portal, c->arrays[i].name);
	return 0;
}

/* The LUN numbers asked, or every LUN the target reports. */
static int lun_numbers(struct csa_primary *p, struct add_req *r,
		       uint32_t *out, struct csa_api_err *e)
{
	char err[512];
	uint32_t *luns;
	unsigned i, n;

	if (r->nr_numbers) {
		for (i = 0; i < r->nr_numbers; i++)
			out[i] = (uint32_t)r->numbers[i];
		return (int)r->nr_numbers;
	}
	if (csa_report_luns(r->a.portal, r->a.target, NULL, p->timeout_ms,
			    &luns, &n, err, sizeof(err)))
		return csa_api_fail(e, "unreachable", "%s", err);
	if (!n || n > CSA_CAT_MAX_LUNS) {
		free(luns);
		return csa_api_fail(e, "bad_request", "%s at %s reports %u disk LUNs",
				    r->a.target, r->a.portal, n);
	}
	memcpy(out, luns, n * sizeof(*out));
	free(luns);
	return (int)n;
}

static bool uuid_in_catalog(const struct csa_catalog *c,
			    const struct csa_uuid *u)
{
	unsigned i, j;

	for (i = 0; i < c->nr_arrays; i++)
		for (j = 0; j < c->arrays[i].nr_luns; j++)
			if (csa_uuid_equal(&c->arrays[i].luns[j].uuid, u))
				return true;
	return false;
}

/* Label one LUN (or take back our own label from an interrupted add). */
static int label_lun(struct csa_primary *p, const char *array,
		     struct pd_lun *l, struct csa_cat_lun *out,
		     struct csa_api_err *e)
{
	struct csa_store_dev dev = csa_lun_dev(l->lun, l->name);
	const struct csa_lun_info *info = csa_lun_info(l->lun);
	struct csa_label lb;
	char err[512];
	int ret;

	ret = csa_store_label_lun(&dev, &p->id.uuid, array, &lb, err, sizeof(err));
	if (ret == -EEXIST && !strcmp(lb.array, array) &&
	    !uuid_in_catalog(p->cat, &lb.lun))
		ret = 0;
	if (ret)
		return csa_api_fail(e, ret == -EBUSY ? "foreign_lun" :
				    ret == -EEXIST ? "lun_in_use" : "io", "%s", err);
	*out = (struct csa_cat_lun){
		.number = l->number, .uuid = lb.lun, .blocks = info->blocks,
		.block_size = info->block_size,
		.reserved_blocks = lb.reserved_bytes / info->block_size };
	return 0;
}

static int label_all(struct csa_primary *p, struct pd_array *pa,
		     struct csa_cat_array *a, struct csa_api_err *e)
{
	unsigned i;

	for (i = 0; i < pa->nr_luns; i++) {
		if (!pa->luns[i].lun)
			return csa_api_fail(e, "unreachable", "%s: %s",
					    pa->luns[i].name, pa->why);
		if (label_lun(p, pa->name, &pa->luns[i], &a->luns[i], e))
			return -1;
	}
	a->nr_luns = pa->nr_luns;
	return 0;
}

/* Put @pa among the open arrays and write @next with it; undo on failure. */
static int install(struct csa_primary *p, struct pd_array *pa,
		   struct csa_catalog *next, struct csa_api_err *e)
{
	struct pd_array **v = realloc(p->arrays, (p->nr_arrays + 1) * sizeof(*v));
	char err[512], again[256];
	int ret;

	if (!v) {
		csa_catalog_free(next);
		pd_array_close(pa);
		return csa_api_fail(e, "internal", "out of memory");
	}
	p->arrays = v;
	p->arrays[p->nr_arrays++] = pa;
	ret = pd_store_reopen(p, err, sizeof(err));
	if (ret)
		csa_catalog_free(next);
	else
		ret = pd_commit(p, next, err, sizeof(err));	/* takes next */
	if (!ret)
		return 0;
	/* The store lets go of the new LUNs before they are closed. */
	p->nr_arrays--;
	if (!p->nr_arrays)
		pd_arrays_close(p);
	else if (pd_store_reopen(p, again, sizeof(again)))
		pd_log("the catalog store cannot be opened again: %s", again);
	pd_array_close(pa);
	return csa_api_fail(e, "io", "%s", err);
}

static int add_array(struct csa_primary *p, struct add_req *r,
		     struct csa_api_err *e)
{
	uint32_t numbers[CSA_CAT_MAX_LUNS];
	struct csa_catalog *next = NULL;
	struct pd_array *pa;
	char err[512];
	int n;

	if (check_new(p->cat, &r->a, e))
		return -1;
	n = lun_numbers(p, r, numbers, e);
	if (n < 0)
		return -1;
	pa = pd_array_open(p, r->a.name, r->a.portal, r->a.target, numbers,
			   (unsigned)n);
	r->a.luns = calloc((size_t)n, sizeof(*r->a.luns));
	if (!pa || !r->a.luns || csa_catalog_dup(p->cat, &next)) {
		csa_api_fail(e, "internal", "out of memory");
		goto fail;
	}
	if (label_all(p, pa, &r->a, e))
		goto fail;
	if (csa_catalog_add_array(next, &r->a, err, sizeof(err))) {
		csa_api_fail(e, "bad_request", "%s", err);
		goto fail;
	}
	free(r->a.luns);
	r->a.luns = NULL;
	return install(p, pa, next, e);
fail:
	csa_catalog_free(next);
	pd_array_close(pa);
	free(r->a.luns);
	return -1;
}

int pd_op_array_add(void *ctx, const struct csa_api_peer *peer,
		    struct json_object *req, struct json_object **result,
		    struct csa_api_err *e)
{
	struct csa_primary *p = ctx;
	struct add_req *r;
	int ret;

	if (pd_need_admin(peer, e))
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return csa_api_fail(e, "internal", "out of memory");
	ret = parse_add(req, r, e);
	pthread_mutex_lock(&p->lock);
	if (!ret)
		ret = add_array(p, r, e);
	if (!ret) {
		*result = pd_view_array(p, p->cat->nr_arrays - 1, true);
		pd_bootstrap_save(p);
		pd_log("array %s added: %s at %s, %u LUNs", r->a.name,
		       r->a.target, r->a.portal, r->a.nr_luns);
	}
	pthread_mutex_unlock(&p->lock);
	if (!ret) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(r->a.name));
		csa_api_server_publish(p->api, "array.added", o);
	}
	free(r);
	return ret;
}

int pd_op_array_list(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e)
{
	(void)peer;
	return pd_answer_view(ctx, req, pd_view_arrays, result, e);
}

int pd_op_array_show(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e)
{
	static const char *const fields[] = { "name", NULL };
	struct csa_primary *p = ctx;
	char name[CSA_NAME_MAX];
	int i;

	/* It names every volume on the array, a host's or not. */
	if (pd_need_admin(peer, e) || csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, name, sizeof(name), e))
		return -1;
	pthread_mutex_lock(&p->lock);
	i = csa_catalog_find_array(p->cat, name);
	if (i >= 0)
		*result = pd_view_array(p, (unsigned)i, true);
	pthread_mutex_unlock(&p->lock);
	if (i < 0)
		return csa_api_fail(e, "not_found", "no array \"%s\"", name);
	return *result ? 0 : csa_api_fail(e, "internal", "out of memory");
}
