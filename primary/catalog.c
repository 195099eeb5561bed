// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The catalog model (catalog.h): life, copies, comparison, lookups and
 * changes. The rules are checked in catalog_check.c, the JSON form is in
 * catalog_json.c.
 *
 * Every change works the same way: make the change, check the whole
 * catalog, undo the change if the check fails. One check for every path
 * means a change cannot get in what a parse would refuse.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/catalog.h"
#include "primary/catalog_int.h"

int csa_cat_report(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

const char *csa_fit_name(enum csa_fit f)
{
	switch (f) {
	case CSA_FIT_BEST:
		return "best";
	case CSA_FIT_FIRST:
		return "first";
	}
	return NULL;
}

const char *csa_vol_state_name(enum csa_vol_state s)
{
	switch (s) {
	case CSA_VOL_CREATING:
		return "creating";
	case CSA_VOL_ONLINE:
		return "online";
	case CSA_VOL_MIGRATING:
		return "migrating";
	case CSA_VOL_DELETING:
		return "deleting";
	case CSA_VOL_EMPTY:
		return "empty";
	}
	return NULL;
}

int csa_cat_name_ok(const char *s, size_t max)
{
	size_t i, n = strnlen(s, max);

	if (!n || n == max || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return 0;
	return 1;
}

/* ---- copies ---------------------------------------------------------------- */

static void *memdup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

static int copy_extents(struct csa_layout *d, const struct csa_layout *l)
{
	size_t i, n = (size_t)l->nr_columns * l->nr_copies;
	const struct csa_copy *s;

	for (i = 0; i < n; i++) {
		s = &l->copies[i];
		if (csa_layout_set_extents(d, (unsigned)(i / l->nr_copies),
					   (unsigned)(i % l->nr_copies),
					   s->nr_extents))
			return -ENOMEM;
		if (s->nr_extents)
			memcpy(d->copies[i].extents, s->extents,
			       s->nr_extents * sizeof(*s->extents));
	}
	return 0;
}

struct csa_layout *csa_cat_layout_dup(const struct csa_layout *l)
{
	struct csa_layout *d;

	d = csa_layout_alloc(l->nr_arrays, l->nr_columns, l->nr_copies);
	if (!d)
		return NULL;
	d->size = l->size;
	d->block_size = l->block_size;
	d->stripe_unit = l->stripe_unit;
	d->region_rows = l->region_rows;
	if (l->nr_arrays)
		memcpy(d->arrays, l->arrays, l->nr_arrays * sizeof(*l->arrays));
	if (copy_extents(d, l))
		goto fail;
	if (l->region_state && l->nr_regions) {
		d->region_state = memdup(l->region_state, l->nr_regions);
		if (!d->region_state)
			goto fail;
		d->nr_regions = l->nr_regions;
	}
	return d;
fail:
	csa_layout_free(d);
	return NULL;
}

int csa_cat_array_copy(struct csa_cat_array *dst,
		       const struct csa_cat_array *src)
{
	*dst = *src;
	dst->luns = memdup(src->luns, src->nr_luns * sizeof(*src->luns));
	if (!dst->luns) {
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	return 0;
}

static struct csa_cat_migration *mig_dup(const struct csa_cat_migration *m)
{
	struct csa_cat_migration *d = memdup(m, sizeof(*m));

	if (!d)
		return NULL;
	d->to = csa_cat_layout_dup(m->to);
	if (!d->to) {
		free(d);
		return NULL;
	}
	return d;
}

void csa_cat_mig_free(struct csa_cat_migration *m)
{
	if (m)
		csa_layout_free(m->to);
	free(m);
}

int csa_cat_volume_copy(struct csa_cat_volume *dst,
			const struct csa_cat_volume *src)
{
	*dst = *src;
	dst->req.hosts = memdup(src->req.hosts,
				src->req.nr_hosts * sizeof(*src->req.hosts));
	dst->layout = src->layout ? csa_cat_layout_dup(src->layout) : NULL;
	dst->mig = src->mig ? mig_dup(src->mig) : NULL;
	if (!dst->req.hosts || (src->layout && !dst->layout) ||
	    (src->mig && !dst->mig)) {
		csa_cat_volume_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

void csa_cat_array_clear(struct csa_cat_array *a)
{
	free(a->luns);
	memset(a, 0, sizeof(*a));
}

void csa_cat_volume_clear(struct csa_cat_volume *v)
{
	free(v->req.hosts);
	csa_layout_free(v->layout);
	csa_cat_mig_free(v->mig);
	memset(v, 0, sizeof(*v));
}

/* ---- life ------------------------------------------------------------------ */

struct csa_catalog *csa_catalog_new(const struct csa_uuid *cluster)
{
	struct csa_catalog *c = calloc(1, sizeof(*c));

	if (c)
		c->cluster = *cluster;
	return c;
}

void csa_catalog_free(struct csa_catalog *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->nr_arrays; i++)
		csa_cat_array_clear(&c->arrays[i]);
	for (i = 0; i < c->nr_volumes; i++)
		csa_cat_volume_clear(&c->volumes[i]);
	free(c->arrays);
	free(c->hosts);
	free(c->volumes);
	free(c);
}

int csa_catalog_dup(const struct csa_catalog *c, struct csa_catalog **out)
{
	struct csa_catalog *d = csa_catalog_new(&c->cluster);
	unsigned i;

	if (!d)
		return -ENOMEM;
	d->generation = c->generation;
	d->arrays = calloc(c->nr_arrays + 1, sizeof(*d->arrays));
	d->volumes = calloc(c->nr_volumes + 1, sizeof(*d->volumes));
	d->hosts = memdup(c->hosts, c->nr_hosts * sizeof(*c->hosts));
	if (!d->arrays || !d->volumes || !d->hosts)
		goto fail;
	d->nr_hosts = c->nr_hosts;
	/* Counted as copied, so that a failure frees exactly those. */
	for (i = 0; i < c->nr_arrays; i++, d->nr_arrays++)
		if (csa_cat_array_copy(&d->arrays[i], &c->arrays[i]))
			goto fail;
	for (i = 0; i < c->nr_volumes; i++, d->nr_volumes++)
		if (csa_cat_volume_copy(&d->volumes[i], &c->volumes[i]))
			goto fail;
	*out = d;
	return 0;
fail:
	csa_catalog_free(d);
	return -ENOMEM;
}

/* ---- comparison ------------------------------------------------------------ */

static int luns_equal(const struct csa_cat_lun *a, const struct csa_cat_lun *b)
{
	return a->number == b->number && csa_uuid_equal(&a->uuid, &b->uuid) &&
	       a->blocks == b->blocks && a->block_size == b->block_size &&
	       a->reserved_blocks == b->reserved_blocks;
}

static int arrays_equal(const struct csa_cat_array *a,
			const struct csa_cat_array *b)
{
	unsigned i;

	if (strncmp(a->name, b->name, sizeof(a->name)) ||
	    strncmp(a->portal, b->portal, sizeof(a->portal)) ||
	    strncmp(a->target, b->target, sizeof(a->target)) || a->rated_mbps != b->rated_mbps ||
	    a->rated_iops != b->rated_iops || a->calibrated != b->calibrated ||
	    a->nr_luns != b->nr_luns)
		return 0;
	for (i = 0; i < a->nr_luns; i++)
		if (!luns_equal(&a->luns[i], &b->luns[i]))
			return 0;
	return 1;
}

static int reqs_equal(const struct csa_cat_req *a, const struct csa_cat_req *b)
{
	unsigned i;

	if (a->size != b->size || a->mbps != b->mbps || a->iops != b->iops ||
	    a->copies != b->copies || a->stripe_unit != b->stripe_unit ||
	    a->fit != b->fit || a->nr_hosts != b->nr_hosts)
		return 0;
	for (i = 0; i < a->nr_hosts; i++)
		if (strncmp(a->hosts[i], b->hosts[i], sizeof(a->hosts[i])))
			return 0;
	return 1;
}

static int migs_equal(const struct csa_cat_migration *a,
		      const struct csa_cat_migration *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a->reason, b->reason) && a->started == b->started &&
	       a->max_rate == b->max_rate && a->paused == b->paused &&
	       csa_layout_equal(a->to, b->to);
}

static int volumes_equal(const struct csa_cat_volume *a,
			 const struct csa_cat_volume *b)
{
	if (strncmp(a->name, b->name, sizeof(a->name)) ||
	    a->state != b->state ||
	    !reqs_equal(&a->req, &b->req))
		return 0;
	if (!a->layout || !b->layout)
		return a->layout == b->layout;
	return csa_layout_equal(a->layout, b->layout) &&
	       migs_equal(a->mig, b->mig);
}

int csa_catalog_equal(const struct csa_catalog *a, const struct csa_catalog *b)
{
	unsigned i;

	if (!csa_uuid_equal(&a->cluster, &b->cluster) ||
	    a->generation != b->generation || a->nr_arrays != b->nr_arrays ||
	    a->nr_hosts != b->nr_hosts || a->nr_volumes != b->nr_volumes)
		return 0;
	for (i = 0; i < a->nr_arrays; i++)
		if (!arrays_equal(&a->arrays[i], &b->arrays[i]))
			return 0;
	for (i = 0; i < a->nr_hosts; i++)
		if (strncmp(a->hosts[i].name, b->hosts[i].name,
			    sizeof(a->hosts[i].name)) ||
		    a->hosts[i].registered != b->hosts[i].registered)
			return 0;
	for (i = 0; i < a->nr_volumes; i++)
		if (!volumes_equal(&a->volumes[i], &b->volumes[i]))
			return 0;
	return 1;
}

/* ---- lookups --------------------------------------------------------------- */

int csa_catalog_find_array(const struct csa_catalog *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nr_arrays; i++)
		if (!strcmp(c->arrays[i].name, name))
			return (int)i;
	return -ENOENT;
}

int csa_catalog_find_volume(const struct csa_catalog *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nr_volumes; i++)
		if (!strcmp(c->volumes[i].name, name))
			return (int)i;
	return -ENOENT;
}

int csa_catalog_find_host(const struct csa_catalog *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nr_hosts; i++)
		if (!strcmp(c->hosts[i].name, name))
			return (int)i;
	return -ENOENT;
}

/* ---- changes --------------------------------------------------------------- */

/* Room for one more element at the end of *@v (@n elements of @size). */
static int grow(void **v, unsigned n, size_t size)
{
	void *p;

	if (n >= INT32_MAX - 1)
		return -ENOMEM;
	p = realloc(*v, (n + 1) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

/* Check after a change; bump the generation if it passed. */
static int settle(struct csa_catalog *c, char *err, size_t errlen)
{
	int ret = csa_catalog_validate(c, err, errlen);

	if (!ret)
		c->generation++;
	return ret;
}

int csa_catalog_add_array(struct csa_catalog *c,
			  const struct csa_cat_array *a,
			  char *err, size_t errlen)
{
	int ret;

	if (strnlen(a->name, sizeof(a->name)) < sizeof(a->name) &&
	    csa_catalog_find_array(c, a->name) >= 0)
		return csa_cat_report(-EEXIST, err, errlen,
				      "an array named \"%s\" is already in the catalog",
				      a->name);
	if (grow((void **)&c->arrays, c->nr_arrays, sizeof(*c->arrays)) ||
	    csa_cat_array_copy(&c->arrays[c->nr_arrays], a))
		return csa_cat_report(-ENOMEM, err, errlen,
				      "out of memory adding an array");
	c->nr_arrays++;
	ret = settle(c, err, errlen);
	if (ret)
		csa_cat_array_clear(&c->arrays[--c->nr_arrays]);
	return ret;
}

static bool layout_names_array(const struct csa_cat_volume *v,
			       const char *name)
{
	const struct csa_layout *l = v->layout;
	unsigned j;

	for (j = 0; l && j < l->nr_arrays; j++)
		if (!strcmp(l->arrays[j].name, name))
			return true;
	return false;
}

static bool req_names_host(const struct csa_cat_volume *v, const char *name)
{
	unsigned j;

	for (j = 0; j < v->req.nr_hosts; j++)
		if (!strcmp(v->req.hosts[j], name))
			return true;
	return false;
}

/* "v1, v3" into @buf: the volumes for which @uses(volume, @name) holds. */
static unsigned volumes_using(const struct csa_catalog *c, const char *name,
			      bool (*uses)(const struct csa_cat_volume *,
					   const char *),
			      char *buf, size_t len)
{
	size_t at = 0;
	unsigned i, n = 0;

	buf[0] = 0;
	for (i = 0; i < c->nr_volumes; i++) {
		if (!uses(&c->volumes[i], name))
			continue;
		if (at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
					       n ? ", " : "",
					       c->volumes[i].name);
		n++;
	}
	return n;
}

int csa_catalog_remove_array(struct csa_catalog *c, const char *name,
			     char *err, size_t errlen)
{
	int i = csa_catalog_find_array(c, name);
	char users[256];
	unsigned n;

	if (i < 0)
		return csa_cat_report(-ENOENT, err, errlen,
				      "no array named \"%s\" in the catalog", name);
	n = volumes_using(c, name, layout_names_array, users,
			  sizeof(users));
	if (n)
		return csa_cat_report(-EBUSY, err, errlen,
				      "array \"%s\" holds volume%s %s", name,
				      n == 1 ? "" : "s", users);
	csa_cat_array_clear(&c->arrays[i]);
	memmove(&c->arrays[i], &c->arrays[i + 1],
		(c->nr_arrays - (unsigned)i - 1) * sizeof(*c->arrays));
	c->nr_arrays--;
	c->generation++;
	return 0;
}

int csa_catalog_add_host(struct csa_catalog *c, const char *name,
			 uint64_t registered, char *err, size_t errlen)
{
	struct csa_cat_host *h;
	int ret;

	if (csa_catalog_find_host(c, name) >= 0)
		return csa_cat_report(-EEXIST, err, errlen,
				      "host \"%s\" is already registered", name);
	if (strlen(name) >= CSA_HOST_NAME_MAX)
		return csa_cat_report(-EINVAL, err, errlen,
				      "host name \"%.80s...\" is longer than %u bytes",
				      name, CSA_HOST_NAME_MAX - 1);
	if (grow((void **)&c->hosts, c->nr_hosts, sizeof(*c->hosts)))
		return csa_cat_report(-ENOMEM, err, errlen,
				      "out of memory adding a host");
	h = &c->hosts[c->nr_hosts++];
	memset(h, 0, sizeof(*h));
	memcpy(h->name, name, strlen(name));
	h->registered = registered;
	ret = settle(c, err, errlen);
	if (ret)
		c->nr_hosts--;
	return ret;
}

int csa_catalog_remove_host(struct csa_catalog *c, const char *name,
			    char *err, size_t errlen)
{
	int i = csa_catalog_find_host(c, name);
	char users[256];
	unsigned n;

	if (i < 0)
		return csa_cat_report(-ENOENT, err, errlen,
				      "no host named \"%s\" is registered", name);
	n = volumes_using(c, name, req_names_host, users,
			  sizeof(users));
	if (n)
		return csa_cat_report(-EBUSY, err, errlen,
				      "host \"%s\" is named by volume%s %s", name,
				      n == 1 ? "" : "s", users);
	memmove(&c->hosts[i], &c->hosts[i + 1],
		(c->nr_hosts - (unsigned)i - 1) * sizeof(*c->hosts));
	c->nr_hosts--;
	c->generation++;
	return 0;
}

int csa_catalog_add_volume(struct csa_catalog *c,
			   const struct csa_cat_volume *v,
			   char *err, size_t errlen)
{
	int ret;

	if (strnlen(v->name, sizeof(v->name)) < sizeof(v->name) &&
	    csa_catalog_find_volume(c, v->name) >= 0)
		return csa_cat_report(-EEXIST, err, errlen,
				      "a volume named \"%s\" is already in the catalog",
				      v->name);
	if (grow((void **)&c->volumes, c->nr_volumes, sizeof(*c->volumes)) ||
	    csa_cat_volume_copy(&c->volumes[c->nr_volumes], v))
		return csa_cat_report(-ENOMEM, err, errlen,
				      "out of memory adding a volume");
	c->nr_volumes++;
	ret = settle(c, err, errlen);
	if (ret)
		csa_cat_volume_clear(&c->volumes[--c->nr_volumes]);
	return ret;
}

int csa_catalog_remove_volume(struct csa_catalog *c, const char *name,
			      char *err, size_t errlen)
{
	int i = csa_catalog_find_volume(c, name);

	if (i < 0)
		return csa_cat_report(-ENOENT, err, errlen,
				      "no volume named \"%s\" in the catalog",
				      name);
	csa_cat_volume_clear(&c->volumes[i]);
	memmove(&c->volumes[i], &c->volumes[i + 1],
		(c->nr_volumes - (unsigned)i - 1) * sizeof(*c->volumes));
	c->nr_volumes--;
	c->generation++;
	return 0;
}
