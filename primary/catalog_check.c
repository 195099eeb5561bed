// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules of a catalog (catalog.h) and the free extents, which come out
 * of the same walk: every extent of every layout is resolved to a catalog
 * LUN, checked against the LUN's bounds, and the extents of each LUN are
 * sorted; overlaps show up between neighbours, free space as the gaps.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/catalog.h"
#include "primary/catalog_int.h"

#define MIN_BLOCK	512u
#define MAX_BLOCK	65536u
#define MAX_UNIT	(64u << 20)

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
			      "out of memory checking the catalog");
}

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* ---- duplicates: sort keys, compare neighbours ----------------------------- */

struct dkey {
	const char *s1, *s2;	/* compared as strings, NULL as "" */
	const void *bin;	/* then @binlen bytes, if not NULL */
	size_t binlen;
	unsigned a, b;		/* where it came from, for the message */
};

static int dkey_cmp(const void *x, const void *y)
{
	const struct dkey *p = x, *q = y;
	int r;

	r = strcmp(p->s1 ? p->s1 : "", q->s1 ? q->s1 : "");
	if (!r)
		r = strcmp(p->s2 ? p->s2 : "", q->s2 ? q->s2 : "");
	if (!r && p->bin)
		r = memcmp(p->bin, q->bin, p->binlen);
	return r;
}

/* The first pair of equal keys into *@x, *@y (@k is sorted); 1 if any. */
static int find_dup(struct dkey *k, size_t n, struct dkey *x, struct dkey *y)
{
	size_t i;

	qsort(k, n, sizeof(*k), dkey_cmp);
	for (i = 1; i < n; i++) {
		if (dkey_cmp(&k[i - 1], &k[i]))
			continue;
		*x = k[i - 1];
		*y = k[i];
		return 1;
	}
	return 0;
}

static struct dkey *keys(size_t n)
{
	return calloc(n ? n : 1, sizeof(struct dkey));
}

/* ---- arrays ------------------------------------------------------------------ */

static int check_lun(const struct csa_cat_array *a, const struct csa_cat_lun *l,
		     char *err, size_t errlen)
{
	if (csa_uuid_is_nil(&l->uuid))
		return fail(err, errlen, "array \"%s\" LUN %" PRIu32 " has a nil UUID",
			    a->name, l->number);
	if (!is_pow2(l->block_size) || l->block_size < MIN_BLOCK ||
	    l->block_size > MAX_BLOCK)
		return fail(err, errlen, "array \"%s\" LUN %" PRIu32 " has blocks of %" PRIu32
			    " bytes; a block size is a power of two from %u to %u",
			    a->name, l->number, l->block_size, MIN_BLOCK, MAX_BLOCK);
	if (!l->reserved_blocks || l->reserved_blocks >= l->blocks)
		return fail(err, errlen, "array \"%s\" LUN %" PRIu32 " has %" PRIu64
			    " reserved blocks of %" PRIu64 "; at least one and fewer than all are reserved",
			    a->name, l->number, l->reserved_blocks, l->blocks);
	return 0;
}

static int check_lun_numbers(const struct csa_cat_array *a, char *err,
			     size_t errlen)
{
	struct dkey *k = keys(a->nr_luns), x, y;
	unsigned i;
	int dup;

	if (!k)
		return oom(err, errlen);
	for (i = 0; i < a->nr_luns; i++)
		k[i] = (struct dkey){ .bin = &a->luns[i].number,
				      .binlen = sizeof(uint32_t), .a = i };
	dup = find_dup(k, a->nr_luns, &x, &y);
	free(k);
	if (dup)
		return fail(err, errlen, "array \"%s\" lists LUN %" PRIu32 " twice",
			    a->name, a->luns[x.a].number);
	return 0;
}

static int check_array(const struct csa_cat_array *a, char *err, size_t errlen)
{
	unsigned i;
	int ret;

	if (!csa_cat_name_ok(a->name, sizeof(a->name)))
		return fail(err, errlen, "array name \"%.*s\": a name is 1 to %zu letters, digits, '.', '_' or '-', not starting with '.' or '-'",
			    (int)sizeof(a->name), a->name, sizeof(a->name) - 1);
	if (!a->portal[0] || strnlen(a->portal, sizeof(a->portal)) == sizeof(a->portal))
		return fail(err, errlen, "array \"%s\" has no portal, or one longer than %zu bytes",
			    a->name, sizeof(a->portal) - 1);
	if (!a->target[0] || strnlen(a->target, sizeof(a->target)) == sizeof(a->target))
		return fail(err, errlen, "array \"%s\" has no target, or one longer than %zu bytes",
			    a->name, sizeof(a->target) - 1);
	if (a->nr_luns > CSA_CAT_MAX_LUNS || (a->nr_luns && !a->luns))
		return fail(err, errlen, "array \"%s\" has %u LUNs; at most %u are taken",
			    a->name, a->nr_luns, CSA_CAT_MAX_LUNS);
	for (i = 0; i < a->nr_luns; i++) {
		ret = check_lun(a, &a->luns[i], err, errlen);
		if (ret)
			return ret;
	}
	return check_lun_numbers(a, err, errlen);
}

static int check_array_dups(const struct csa_catalog *c, char *err,
			    size_t errlen)
{
	struct dkey *k = keys(c->nr_arrays), x, y;
	unsigned i;
	int dup;

	if (!k)
		return oom(err, errlen);
	for (i = 0; i < c->nr_arrays; i++)
		k[i] = (struct dkey){ .s1 = c->arrays[i].name, .a = i };
	dup = find_dup(k, c->nr_arrays, &x, &y);
	for (i = 0; !dup && i < c->nr_arrays; i++)
		k[i] = (struct dkey){ .s1 = c->arrays[i].portal,
				      .s2 = c->arrays[i].target, .a = i };
	if (!dup && find_dup(k, c->nr_arrays, &x, &y))
		dup = 2;
	free(k);
	if (dup == 1)
		return fail(err, errlen, "two arrays are named \"%s\"", x.s1);
	if (dup == 2)
		return fail(err, errlen, "arrays \"%s\" and \"%s\" are both %s %s: one array cannot be taken twice",
			    c->arrays[x.a < y.a ? x.a : y.a].name,
			    c->arrays[x.a < y.a ? y.a : x.a].name, x.s1, x.s2);
	return 0;
}

static int check_lun_uuids(const struct csa_catalog *c, char *err,
			   size_t errlen)
{
	char u[CSA_UUID_STR_LEN];
	struct dkey *k, x, y;
	size_t n = 0;
	unsigned i, j;
	int dup;

	for (i = 0; i < c->nr_arrays; i++)
		n += c->arrays[i].nr_luns;
	k = keys(n);
	if (!k)
		return oom(err, errlen);
	n = 0;
	for (i = 0; i < c->nr_arrays; i++)
		for (j = 0; j < c->arrays[i].nr_luns; j++)
			k[n++] = (struct dkey){ .bin = c->arrays[i].luns[j].uuid.b,
						.binlen = 16, .a = i, .b = j };
	dup = find_dup(k, n, &x, &y);
	free(k);
	if (!dup)
		return 0;
	csa_uuid_format(&c->arrays[x.a].luns[x.b].uuid, u);
	return fail(err, errlen, "LUN UUID %s is given twice: array \"%s\" LUN %" PRIu32
		    " and array \"%s\" LUN %" PRIu32, u, c->arrays[x.a].name,
		    c->arrays[x.a].luns[x.b].number, c->arrays[y.a].name,
		    c->arrays[y.a].luns[y.b].number);
}

static int check_arrays(const struct csa_catalog *c, char *err, size_t errlen)
{
	unsigned i;
	int ret;

	if (c->nr_arrays && !c->arrays)
		return fail(err, errlen, "the catalog counts arrays it does not have");
	for (i = 0; i < c->nr_arrays; i++) {
		ret = check_array(&c->arrays[i], err, errlen);
		if (ret)
			return ret;
	}
	ret = check_array_dups(c, err, errlen);
	return ret ? ret : check_lun_uuids(c, err, errlen);
}

/* ---- hosts ------------------------------------------------------------------- */

/* Host names sorted (for lookups) into *@out; caller frees. */
static int check_hosts(const struct csa_catalog *c, struct dkey **out,
		       char *err, size_t errlen)
{
	struct dkey *k = keys(c->nr_hosts), x, y;
	unsigned i;

	if (!k)
		return oom(err, errlen);
	for (i = 0; i < c->nr_hosts; i++) {
		if (!csa_cat_name_ok(c->hosts[i].name, sizeof(c->hosts[i].name))) {
			free(k);
			return fail(err, errlen, "host name \"%.*s\": a name is 1 to %u letters, digits, '.', '_' or '-', not starting with '.' or '-'",
				    CSA_HOST_NAME_MAX, c->hosts[i].name,
				    CSA_HOST_NAME_MAX - 1);
		}
		k[i] = (struct dkey){ .s1 = c->hosts[i].name, .a = i };
	}
	if (find_dup(k, c->nr_hosts, &x, &y)) {
		free(k);
		return fail(err, errlen, "two hosts are named \"%s\"", x.s1);
	}
	*out = k;
	return 0;
}

/* ---- volumes ------------------------------------------------------------------ */

static int check_req_hosts(const struct csa_cat_volume *v,
			   const struct dkey *hosts, unsigned nr_hosts,
			   char *err, size_t errlen)
{
	const struct csa_cat_req *r = &v->req;
	struct dkey key = { 0 };
	unsigned i, j;

	if (r->nr_hosts > CSA_CAT_MAX_VOL_HOSTS || (r->nr_hosts && !r->hosts))
		return fail(err, errlen, "volume \"%s\" names %u hosts; at most %u",
			    v->name, r->nr_hosts, CSA_CAT_MAX_VOL_HOSTS);
	for (i = 0; i < r->nr_hosts; i++) {
		key.s1 = r->hosts[i];
		if (strnlen(r->hosts[i], CSA_HOST_NAME_MAX) == CSA_HOST_NAME_MAX ||
		    !bsearch(&key, hosts, nr_hosts, sizeof(*hosts), dkey_cmp))
			return fail(err, errlen, "volume \"%s\" names host \"%.*s\", which is not registered",
				    v->name, CSA_HOST_NAME_MAX, r->hosts[i]);
		for (j = 0; j < i; j++)
			if (!strcmp(r->hosts[j], r->hosts[i]))
				return fail(err, errlen, "volume \"%s\" names host \"%s\" twice",
					    v->name, r->hosts[i]);
	}
	return 0;
}

static int check_req(const struct csa_cat_volume *v, char *err, size_t errlen)
{
	const struct csa_cat_req *r = &v->req;

	if (!r->size != (v->state == CSA_VOL_EMPTY))
		return fail(err, errlen, v->state == CSA_VOL_EMPTY ?
			    "volume \"%s\" is empty but asks for a size" :
			    "volume \"%s\" asks for size 0 and is not empty",
			    v->name);
	if (!r->copies || r->copies > CSA_MAX_COPIES)
		return fail(err, errlen, "volume \"%s\" asks for %" PRIu32 " copies; 1 to %u can be kept",
			    v->name, r->copies, CSA_MAX_COPIES);
	if (r->stripe_unit && (!is_pow2(r->stripe_unit) ||
			       r->stripe_unit < MIN_BLOCK ||
			       r->stripe_unit > MAX_UNIT))
		return fail(err, errlen, "volume \"%s\" asks for a stripe unit of %" PRIu32
			    " bytes; a stripe unit is 0 (chosen) or a power of two from %u to %u",
			    v->name, r->stripe_unit, MIN_BLOCK, MAX_UNIT);
	if (!csa_fit_name(r->fit))
		return fail(err, errlen, "volume \"%s\" asks for fit %d; it is best or first",
			    v->name, (int)r->fit);
	return 0;
}

static int check_arrays_of(const struct csa_catalog *c,
			   const struct csa_cat_volume *v,
			   const struct csa_layout *l, const char *which,
			   char *err, size_t errlen);

/* The target of a migration: a layout of the same volume, nothing locked. */
static int check_mig(const struct csa_catalog *c,
		     const struct csa_cat_volume *v, char *err, size_t errlen)
{
	const struct csa_layout *to = v->mig->to, *l = v->layout;
	uint64_t r;

	if (!to)
		return fail(err, errlen, "volume \"%s\" is migrating to no layout",
			    v->name);
	if (to->size != l->size || to->block_size != l->block_size)
		return fail(err, errlen, "volume \"%s\" is migrating to a layout of %" PRIu64
			    " bytes in blocks of %" PRIu32 "; it has %" PRIu64 " in blocks of %" PRIu32,
			    v->name, to->size, to->block_size, l->size,
			    l->block_size);
	for (r = 0; to->region_state && r < to->nr_regions; r++)
		if (to->region_state[r] == CSA_REGION_LOCKED)
			return fail(err, errlen, "volume \"%s\": region %" PRIu64
				    " of its migration is recorded as locked",
				    v->name, r);
	return check_arrays_of(c, v, to, " (migration target)", err, errlen);
}

/* The layout's own rules, then its arrays against the catalog's. */
static int check_layout(const struct csa_catalog *c,
			const struct csa_cat_volume *v, char *err,
			size_t errlen)
{
	const struct csa_layout *l = v->layout;

	if (v->state == CSA_VOL_EMPTY)
		return l ? fail(err, errlen, "volume \"%s\" is empty but has a layout",
				v->name) : 0;
	if (!l)
		return fail(err, errlen, "volume \"%s\" has no layout", v->name);
	if ((v->state == CSA_VOL_MIGRATING) != (v->mig != NULL))
		return fail(err, errlen, v->mig ?
			    "volume \"%s\" has a migration but is not migrating" :
			    "volume \"%s\" is migrating without a migration",
			    v->name);
	if (v->mig) {
		int ret = check_mig(c, v, err, errlen);

		if (ret)
			return ret;
	}
	return check_arrays_of(c, v, l, "", err, errlen);
}

/* A layout's own rules, and its arrays against the catalog's. */
static int check_arrays_of(const struct csa_catalog *c,
			   const struct csa_cat_volume *v,
			   const struct csa_layout *l, const char *which,
			   char *err, size_t errlen)
{
	const struct csa_array_ref *r;
	char why[384];
	unsigned j;
	int a;

	if (csa_layout_validate(l, why, sizeof(why)))
		return fail(err, errlen, "volume \"%s\"%s: %s", v->name, which,
			    why);
	for (j = 0; j < l->nr_arrays; j++) {
		r = &l->arrays[j];
		a = csa_catalog_find_array(c, r->name);
		if (a < 0)
			return fail(err, errlen, "volume \"%s\" is laid out on array \"%s\", which is not in the catalog",
				    v->name, r->name);
		if (strncmp(r->portal, c->arrays[a].portal, sizeof(r->portal)) ||
		    strncmp(r->target, c->arrays[a].target, sizeof(r->target)))
			return fail(err, errlen, "volume \"%s\" reaches array \"%s\" at %s %s; the catalog has it at %s %s",
				    v->name, r->name, r->portal, r->target,
				    c->arrays[a].portal, c->arrays[a].target);
	}
	return 0;
}

static int check_volume(const struct csa_catalog *c,
			const struct csa_cat_volume *v,
			const struct dkey *hosts, char *err, size_t errlen)
{
	int ret;

	if (!csa_cat_name_ok(v->name, sizeof(v->name)))
		return fail(err, errlen, "volume name \"%.*s\": a name is 1 to %zu letters, digits, '.', '_' or '-', not starting with '.' or '-'",
			    (int)sizeof(v->name), v->name, sizeof(v->name) - 1);
	if (!csa_vol_state_name(v->state))
		return fail(err, errlen, "volume \"%s\" is in state %d, which does not exist",
			    v->name, (int)v->state);
	ret = check_req(v, err, errlen);
	if (!ret)
		ret = check_req_hosts(v, hosts, c->nr_hosts, err, errlen);
	if (!ret)
		ret = check_layout(c, v, err, errlen);
	return ret;
}

static int check_volumes(const struct csa_catalog *c, const struct dkey *hosts,
			 char *err, size_t errlen)
{
	struct dkey *k, x, y;
	unsigned i;
	int ret = 0;

	if (c->nr_volumes && !c->volumes)
		return fail(err, errlen, "the catalog counts volumes it does not have");
	for (i = 0; i < c->nr_volumes && !ret; i++)
		ret = check_volume(c, &c->volumes[i], hosts, err, errlen);
	if (ret)
		return ret;
	k = keys(c->nr_volumes);
	if (!k)
		return oom(err, errlen);
	for (i = 0; i < c->nr_volumes; i++)
		k[i] = (struct dkey){ .s1 = c->volumes[i].name, .a = i };
	ret = find_dup(k, c->nr_volumes, &x, &y);
	free(k);
	if (ret)
		return fail(err, errlen, "two volumes are named \"%s\"", x.s1);
	return 0;
}

/* ---- extents in use ---------------------------------------------------------- */

struct used {
	unsigned array, lun;	/* catalog indexes */
	uint64_t start, blocks;
	unsigned vol, col, copy, ext;
	bool to;		/* of the volume's migration target */
};

static int used_cmp(const void *x, const void *y)
{
	const struct used *p = x, *q = y;

	if (p->array != q->array)
		return p->array < q->array ? -1 : 1;
	if (p->lun != q->lun)
		return p->lun < q->lun ? -1 : 1;
	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	return 0;
}

/* "volume "v" column 1 copy 0 extent 2" into @buf. */
static const char *where(const struct csa_catalog *c, const struct used *u,
			 char *buf, size_t len)
{
	snprintf(buf, len, "volume \"%s\"%s column %u copy %u extent %u",
		 c->volumes[u->vol].name, u->to ? " (migration target)" : "",
		 u->col, u->copy, u->ext);
	return buf;
}

static int find_lun(const struct csa_cat_array *a, uint32_t number)
{
	unsigned i;

	for (i = 0; i < a->nr_luns; i++)
		if (a->luns[i].number == number)
			return (int)i;
	return -ENOENT;
}

/* Resolve @u's LUN (its array is set) and check the extent fits it. */
static int place(const struct csa_catalog *c, const struct csa_layout *l,
		 uint32_t number, struct used *u, char *err, size_t errlen)
{
	const struct csa_cat_array *a = &c->arrays[u->array];
	const struct csa_cat_lun *lun;
	char w[160];
	int i;

	where(c, u, w, sizeof(w));
	i = find_lun(a, number);
	if (i < 0)
		return fail(err, errlen, "%s is on array \"%s\" LUN %" PRIu32 ", which the catalog does not list",
			    w, a->name, number);
	u->lun = (unsigned)i;
	lun = &a->luns[i];
	if (l->block_size != lun->block_size)
		return fail(err, errlen, "volume \"%s\" has blocks of %" PRIu32 " bytes; array \"%s\" LUN %" PRIu32 " has blocks of %" PRIu32,
			    c->volumes[u->vol].name, l->block_size, a->name,
			    number, lun->block_size);
	if (u->start < lun->reserved_blocks)
		return fail(err, errlen, "%s (array \"%s\" LUN %" PRIu32 " from block %" PRIu64
			    ") reaches into the reserved area, blocks 0 to %" PRIu64,
			    w, a->name, number, u->start, lun->reserved_blocks - 1);
	if (u->start > lun->blocks || u->blocks > lun->blocks - u->start)
		return fail(err, errlen, "%s (array \"%s\" LUN %" PRIu32 " blocks %" PRIu64 " + %" PRIu64
			    ") goes past the end of the LUN, %" PRIu64 " blocks",
			    w, a->name, number, u->start, u->blocks, lun->blocks);
	return 0;
}

static const struct csa_layout *side(const struct csa_cat_volume *v, bool to)
{
	return to ? (v->mig ? v->mig->to : NULL) : v->layout;
}

static int add_copy(const struct csa_catalog *c, unsigned vol, bool to,
		    unsigned col, unsigned k, struct used *out, size_t *n,
		    char *err, size_t errlen)
{
	const struct csa_layout *l = side(&c->volumes[vol], to);
	const struct csa_copy *cp = csa_layout_copy(l, col, k);
	const struct csa_extent *e;
	struct used *u;
	unsigned i;
	int ret;

	for (i = 0; i < cp->nr_extents; i++) {
		e = &cp->extents[i];
		u = &out[(*n)++];
		*u = (struct used){ .start = e->start_lba, .blocks = e->blocks,
				    .vol = vol, .col = col, .copy = k, .ext = i,
				    .to = to };
		ret = e->array < l->nr_arrays ?
		      csa_catalog_find_array(c, l->arrays[e->array].name) :
		      -ENOENT;
		if (ret < 0)
			return fail(err, errlen, "volume \"%s\" column %u copy %u extent %u is on an array the catalog does not list",
				    c->volumes[vol].name, col, k, i);
		u->array = (unsigned)ret;
		ret = place(c, l, e->lun, u, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* Every extent of every volume, resolved and sorted; caller frees. */
static int collect_used(const struct csa_catalog *c, struct used **out,
			size_t *n, char *err, size_t errlen)
{
	const struct csa_layout *l;
	struct used *u;
	size_t total = 0, i;
	unsigned v, col, k, t;
	int ret = 0;

	for (v = 0; v < c->nr_volumes * 2; v++) {
		l = side(&c->volumes[v / 2], v % 2);
		if (!l)
			continue;	/* empty, or not migrating */
		for (i = 0; i < (size_t)l->nr_columns * l->nr_copies; i++)
			total += l->copies[i].nr_extents;
	}
	u = calloc(total ? total : 1, sizeof(*u));
	if (!u)
		return oom(err, errlen);
	*n = 0;
	for (v = 0; v < c->nr_volumes && !ret; v++)
		for (t = 0; t < 2 && !ret; t++) {
			l = side(&c->volumes[v], t);
			for (col = 0; l && col < l->nr_columns && !ret; col++)
				for (k = 0; k < l->nr_copies && !ret; k++)
					ret = add_copy(c, v, t, col, k, u, n,
						       err, errlen);
		}
	if (ret) {
		free(u);
		return ret;
	}
	qsort(u, *n, sizeof(*u), used_cmp);
	*out = u;
	return 0;
}

/* ---- the walk: overlaps and gaps --------------------------------------------- */

struct free_list {
	struct csa_free_extent *v;
	size_t n, cap;
};

static int emit(struct free_list *f, unsigned a, unsigned l, uint64_t start,
		uint64_t end)
{
	struct csa_free_extent *p;

	if (!f || start >= end)
		return 0;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		p = realloc(f->v, f->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		f->v = p;
	}
	f->v[f->n++] = (struct csa_free_extent){ .array = a, .lun = l,
		.start_lba = start, .blocks = end - start };
	return 0;
}

static int overlap(const struct csa_catalog *c, const struct used *x,
		   const struct used *y, char *err, size_t errlen)
{
	const struct csa_cat_array *a = &c->arrays[y->array];
	char wx[160], wy[160];

	return fail(err, errlen, "%s (array \"%s\" LUN %" PRIu32 " blocks %" PRIu64 " to %" PRIu64
		    ") overlaps %s (blocks %" PRIu64 " to %" PRIu64 ")",
		    where(c, y, wy, sizeof(wy)), a->name, a->luns[y->lun].number,
		    y->start, y->start + y->blocks - 1, where(c, x, wx, sizeof(wx)),
		    x->start, x->start + x->blocks - 1);
}

/*
 * One LUN: @u[*i..] are its extents (sorted). Emits its gaps to @f (if not
 * NULL); -EINVAL on an overlap.
 */
static int walk_lun(const struct csa_catalog *c, unsigned a, unsigned l,
		    const struct used *u, size_t n, size_t *i,
		    struct free_list *f, char *err, size_t errlen)
{
	const struct csa_cat_lun *lun = &c->arrays[a].luns[l];
	uint64_t end = lun->reserved_blocks;
	const struct used *last = NULL;

	for (; *i < n && u[*i].array == a && u[*i].lun == l; (*i)++) {
		const struct used *x = &u[*i];

		/* A migrating volume's two layouts share the copies that
		 * stay: its own extents may overlap across the two. */
		if (last && x->start < end &&
		    (x->vol != last->vol || x->to == last->to))
			return overlap(c, last, x, err, errlen);
		if (emit(f, a, l, end, x->start))
			return oom(err, errlen);
		if (x->start + x->blocks > end || !last) {
			end = x->start + x->blocks;
			last = x;
		}
	}
	if (emit(f, a, l, end, lun->blocks))
		return oom(err, errlen);
	return 0;
}

static int walk(const struct csa_catalog *c, struct free_list *f, char *err,
		size_t errlen)
{
	struct used *u = NULL;
	size_t n = 0, i = 0;
	unsigned a, l;
	int ret;

	ret = collect_used(c, &u, &n, err, errlen);
	for (a = 0; a < c->nr_arrays && !ret; a++)
		for (l = 0; l < c->arrays[a].nr_luns && !ret; l++)
			ret = walk_lun(c, a, l, u, n, &i, f, err, errlen);
	free(u);
	return ret;
}

/* ---- entry points ------------------------------------------------------------ */

int csa_catalog_validate(const struct csa_catalog *c, char *err, size_t errlen)
{
	struct dkey *hosts = NULL;
	int ret;

	if (csa_uuid_is_nil(&c->cluster))
		return fail(err, errlen, "the cluster UUID is nil");
	if (c->nr_hosts && !c->hosts)
		return fail(err, errlen, "the catalog counts hosts it does not have");
	ret = check_arrays(c, err, errlen);
	if (!ret)
		ret = check_hosts(c, &hosts, err, errlen);
	if (!ret)
		ret = check_volumes(c, hosts, err, errlen);
	if (!ret)
		ret = walk(c, NULL, err, errlen);
	free(hosts);
	return ret;
}

int csa_catalog_free_extents(const struct csa_catalog *c,
			     struct csa_free_extent **out, size_t *n,
			     char *err, size_t errlen)
{
	struct free_list f = { 0 };
	int ret;

	ret = walk(c, &f, err, errlen);
	if (ret) {
		free(f.v);
		return ret;
	}
	*out = f.v;
	*n = f.n;
	return 0;
}
