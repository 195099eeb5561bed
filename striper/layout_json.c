// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON form of a layout (layout.h): the table `csa volume show` prints
 * and a host is handed. Printing it and parsing it back gives the same
 * layout, as dm-stripe's status line is the table its constructor takes.
 *
 * Parsing is strict, in three steps: json-c checks the syntax and a pass
 * over the raw text refuses what json-c lets through (json_strict.h); a
 * walk over the objects refuses unknown, missing and mistyped fields.
 * csa_layout_validate then has the last word.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "striper/json_strict.h"
#include "striper/json_walk.h"
#include "striper/layout.h"
#include "striper/region.h"

#define MAX_FILE_BYTES	(256u << 20)	/* 64 x 4 x 1024 extents print as ~33 MB */

static int vreport(int ret, char *err, size_t errlen, const char *fmt,
		   va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return ret;
}

/* Returns @ret, with the sentence in @err. */
__attribute__((format(printf, 4, 5)))
static int report(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = vreport(ret, err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vreport(-EINVAL, err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int oom(char *err, size_t errlen, const char *what)
{
	return report(-ENOMEM, err, errlen, "out of memory %s", what);
}

/* ---- fields --------------------------------------------------------- */

static const char *const layout_fields[] = {
	"size", "block_size", "stripe_unit", "region_rows", "arrays",
	"columns", "regions", NULL };
static const char *const array_fields[] = { "name", "portal", "target", NULL };
static const char *const column_fields[] = { "copies", NULL };
static const char *const extent_fields[] = {
	"array", "lun", "start_lba", "blocks", NULL };
static const char *const run_fields[] = { "first", "count", "state", NULL };

static const char *noun_of(json_object *v)
{
	return csa_json_noun(json_object_get_type(v));
}

/* ---- from JSON ------------------------------------------------------ */

static int read_scalars(json_object *root, struct csa_layout *g, char *err,
			size_t errlen)
{
	int ret;

	ret = csa_json_get_u64(root, "size", "the layout", UINT64_MAX, &g->size,
		       err, errlen);
	if (!ret)
		ret = csa_json_get_u32(root, "block_size", "the layout", &g->block_size,
			      err, errlen);
	if (!ret)
		ret = csa_json_get_u32(root, "stripe_unit", "the layout",
			      &g->stripe_unit, err, errlen);
	if (!ret)
		ret = csa_json_get_u32(root, "region_rows", "the layout",
			      &g->region_rows, err, errlen);
	return ret;
}

/* Every column an object with a list of copies, all of one length. */
static int count_copies(json_object *jc, unsigned *nr_copies, char *err,
			size_t errlen)
{
	size_t c, n, first = 0;
	json_object *col, *copies;
	char where[32];
	int ret;

	for (c = 0; c < json_object_array_length(jc); c++) {
		col = json_object_array_get_idx(jc, c);
		snprintf(where, sizeof(where), "column %zu", c);
		ret = csa_json_want_object(col, where, column_fields, err, errlen);
		if (!ret)
			ret = csa_json_member(col, "copies", where, json_type_array,
				     &copies, err, errlen);
		if (ret)
			return ret;
		n = json_object_array_length(copies);
		if (!c)
			first = n;
		else if (n != first)
			return fail(err, errlen, "column %zu has %zu cop%s; column 0 has %zu",
				    c, n, n == 1 ? "y" : "ies", first);
	}
	*nr_copies = (unsigned)first;
	return 0;
}

static int read_arrays(json_object *ja, struct csa_layout *l, char *err,
		       size_t errlen)
{
	struct csa_array_ref *a;
	json_object *o;
	char where[32];
	unsigned i;
	int ret = 0;

	for (i = 0; i < l->nr_arrays && !ret; i++) {
		o = json_object_array_get_idx(ja, i);
		a = &l->arrays[i];
		snprintf(where, sizeof(where), "array %u", i);
		ret = csa_json_want_object(o, where, array_fields, err, errlen);
		if (!ret)
			ret = csa_json_get_string(o, "name", where, a->name,
					 sizeof(a->name), err, errlen);
		if (!ret)
			ret = csa_json_get_string(o, "portal", where, a->portal,
					 sizeof(a->portal), err, errlen);
		if (!ret)
			ret = csa_json_get_string(o, "target", where, a->target,
					 sizeof(a->target), err, errlen);
	}
	return ret;
}

/* Array names sorted, to resolve the names extents give. */
struct name_index {
	const struct csa_layout *l;
	const struct csa_array_ref **by_name;
};

static int ref_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct csa_array_ref *const *)a)->name,
		      (*(const struct csa_array_ref *const *)b)->name);
}

static int name_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct csa_array_ref *const *)elem)->name);
}

static int index_names(struct name_index *x, const struct csa_layout *l,
		       char *err, size_t errlen)
{
	unsigned i, a, b;

	x->l = l;
	x->by_name = calloc(l->nr_arrays ? l->nr_arrays : 1,
			    sizeof(*x->by_name));
	if (!x->by_name)
		return oom(err, errlen, "for the array names");
	for (i = 0; i < l->nr_arrays; i++)
		x->by_name[i] = &l->arrays[i];
	qsort(x->by_name, l->nr_arrays, sizeof(*x->by_name), ref_cmp);
	for (i = 1; i < l->nr_arrays; i++) {
		if (strcmp(x->by_name[i - 1]->name, x->by_name[i]->name))
			continue;
		a = (unsigned)(x->by_name[i - 1] - l->arrays);
		b = (unsigned)(x->by_name[i] - l->arrays);
		return fail(err, errlen, "arrays %u and %u are both named \"%s\"",
			    a < b ? a : b, a < b ? b : a, x->by_name[i]->name);
	}
	return 0;
}

static int read_extent(json_object *o, const struct name_index *x,
		       struct csa_extent *e, const char *where, char *err,
		       size_t errlen)
{
	const struct csa_array_ref **found;
	char name[CSA_NAME_MAX];
	int ret;

	ret = csa_json_want_object(o, where, extent_fields, err, errlen);
	if (!ret)
		ret = csa_json_get_string(o, "array", where, name, sizeof(name), err,
				 errlen);
	if (!ret)
		ret = csa_json_get_u32(o, "lun", where, &e->lun, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "start_lba", where, UINT64_MAX,
			       &e->start_lba, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "blocks", where, UINT64_MAX, &e->blocks,
			       err, errlen);
	if (ret)
		return ret;
	found = bsearch(name, x->by_name, x->l->nr_arrays, sizeof(*found),
			name_cmp);
	if (!found)
		return fail(err, errlen, "%s names array \"%s\", which is not in \"arrays\"",
			    where, name);
	e->array = (unsigned)(*found - x->l->arrays);
	return 0;
}

static int read_copy(json_object *jcopy, struct csa_layout *l, unsigned c,
		     unsigned k, const struct name_index *x, char *err,
		     size_t errlen)
{
	struct csa_copy *cp = csa_layout_copy(l, c, k);
	char where[64];
	unsigned i;
	int ret;

	if (!json_object_is_type(jcopy, json_type_array))
		return fail(err, errlen, "column %u copy %u must be an array of extents, not %s",
			    c, k, noun_of(jcopy));
	ret = csa_layout_set_extents(l, c, k,
			(unsigned)json_object_array_length(jcopy));
	if (ret)
		return oom(err, errlen, "for the extents");
	for (i = 0; i < cp->nr_extents && !ret; i++) {
		snprintf(where, sizeof(where), "column %u copy %u extent %u",
			 c, k, i);
		ret = read_extent(json_object_array_get_idx(jcopy, i), x,
				  &cp->extents[i], where, err, errlen);
	}
	return ret;
}

/* count_copies has checked the shape of every column. */
static int read_columns(json_object *jc, struct csa_layout *l, char *err,
			size_t errlen)
{
	struct name_index x;
	json_object *copies = NULL;
	unsigned c, k;
	int ret;

	ret = index_names(&x, l, err, errlen);
	for (c = 0; c < l->nr_columns && !ret; c++) {
		json_object_object_get_ex(json_object_array_get_idx(jc, c),
					  "copies", &copies);
		for (k = 0; k < l->nr_copies && !ret; k++)
			ret = read_copy(json_object_array_get_idx(copies, k),
					l, c, k, &x, err, errlen);
	}
	free(x.by_name);
	return ret;
}

/* Index of the first of runs [0, @upto) holding region @r (read_run has
 * checked them all). */
static unsigned run_holding(json_object *jr, unsigned upto, uint64_t r)
{
	uint64_t first, count;
	json_object *o, *v;
	unsigned i;

	for (i = 0; i < upto; i++) {
		o = json_object_array_get_idx(jr, i);
		json_object_object_get_ex(o, "first", &v);
		first = json_object_get_uint64(v);
		json_object_object_get_ex(o, "count", &v);
		count = json_object_get_uint64(v);
		if (r >= first && r - first < count)
			break;
	}
	return i;
}

static int read_run(json_object *jr, unsigned i, struct csa_layout *l,
		    char *err, size_t errlen)
{
	json_object *o = json_object_array_get_idx(jr, i);
	uint64_t first, count, r, n = l->nr_regions;
	char where[32], state[16];
	int st, ret;

	snprintf(where, sizeof(where), "region run %u", i);
	ret = csa_json_want_object(o, where, run_fields, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "first", where, UINT64_MAX, &first, err, errlen);
	if (!ret)
		ret = csa_json_get_u64(o, "count", where, UINT64_MAX, &count, err, errlen);
	if (!ret)
		ret = csa_json_get_string(o, "state", where, state, sizeof(state), err,
				 errlen);
	if (ret)
		return ret;
	st = csa_region_state_parse(state);
	if (st < 0)
		return fail(err, errlen, "region run %u has state \"%s\"; a run is \"locked\" or \"migrated\"",
			    i, state);
	if (st == CSA_REGION_NORMAL)
		return fail(err, errlen, "region run %u has state \"normal\"; only locked and migrated runs are listed",
			    i);
	if (!count)
		return fail(err, errlen, "region run %u has count 0", i);
	if (first >= n || count > n - first)
		return fail(err, errlen, "region run %u (first %" PRIu64 ", count %" PRIu64
			    ") goes past the last region, %" PRIu64,
			    i, first, count, n - 1);
	for (r = first; r < first + count; r++) {
		if (l->region_state[r] != CSA_REGION_NORMAL)
			return fail(err, errlen, "region runs %u and %u overlap at region %" PRIu64,
				    run_holding(jr, i, r), i, r);
		l->region_state[r] = (uint8_t)st;
	}
	return 0;
}

/* "regions" is optional: without it, every region is normal. */
static int read_regions(json_object *root, struct csa_layout *l, char *err,
			size_t errlen)
{
	json_object *jr;
	unsigned i;
	int ret = 0;

	if (!json_object_object_get_ex(root, "regions", &jr))
		return 0;
	if (!json_object_is_type(jr, json_type_array))
		return fail(err, errlen, "field \"regions\" in the layout must be an array, not %s",
			    noun_of(jr));
	for (i = 0; i < json_object_array_length(jr) && !ret; i++)
		ret = read_run(jr, i, l, err, errlen);
	return ret;
}

static int init_regions(struct csa_layout *l, char *err, size_t errlen)
{
	int ret = csa_layout_init_regions(l);

	if (ret == -ENOMEM)
		return oom(err, errlen, "for the region table");
	/* Only a geometry validate refuses fails here: let it say why. */
	if (ret && !csa_layout_validate(l, err, errlen))
		return fail(err, errlen, "the region geometry is invalid");
	return ret;
}

static int build(json_object *root, struct csa_layout **out, char *err,
		 size_t errlen)
{
	struct csa_layout g = { 0 }, *l;
	json_object *ja = NULL, *jc = NULL;
	unsigned nr_copies = 0;
	int ret;

	ret = csa_json_want_object(root, "the layout", layout_fields, err, errlen);
	if (!ret)
		ret = read_scalars(root, &g, err, errlen);
	if (!ret)
		ret = csa_json_member(root, "arrays", "the layout", json_type_array, &ja,
			     err, errlen);
	if (!ret)
		ret = csa_json_member(root, "columns", "the layout", json_type_array,
			     &jc, err, errlen);
	if (!ret)
		ret = count_copies(jc, &nr_copies, err, errlen);
	if (ret)
		return ret;
	l = csa_layout_alloc((unsigned)json_object_array_length(ja),
			     (unsigned)json_object_array_length(jc), nr_copies);
	if (!l)
		return oom(err, errlen, "for the layout");
	l->size = g.size;
	l->block_size = g.block_size;
	l->stripe_unit = g.stripe_unit;
	l->region_rows = g.region_rows;
	ret = read_arrays(ja, l, err, errlen);
	if (!ret)
		ret = read_columns(jc, l, err, errlen);
	if (!ret)
		ret = init_regions(l, err, errlen);
	/* Validated with every region normal, so that the runs are read
	 * against a geometry known to be right. */
	if (!ret)
		ret = csa_layout_validate(l, err, errlen);
	if (!ret)
		ret = read_regions(root, l, err, errlen);
	if (ret) {
		csa_layout_free(l);
		return ret;
	}
	*out = l;
	return 0;
}

int csa_layout_from_json(const char *text, struct csa_layout **out,
			 char *err, size_t errlen)
{
	json_object *root = NULL;
	int ret;

	ret = csa_json_strict_parse(text, strlen(text), "layout",
				    CSA_JSON_SHOW_INTEGER | CSA_JSON_NUL_ENDS,
				    &root, err, errlen);
	if (ret)
		return ret;
	ret = build(root, out, err, errlen);
	json_object_put(root);
	return ret;
}

/* ---- files ---------------------------------------------------------- */

static int read_fd(int fd, const char *path, char **out, size_t *outlen,
		   char *err, size_t errlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *p;
	ssize_t n;

	for (;;) {
		if (cap - len < 2) {
			if (cap >= MAX_FILE_BYTES) {
				free(buf);
				return report(-EFBIG, err, errlen,
					      "%s is larger than %u MiB; no layout is",
					      path, MAX_FILE_BYTES >> 20);
			}
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap + 1);
			if (!p) {
				free(buf);
				return oom(err, errlen, "reading the layout");
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = errno;
			free(buf);
			return report((int)-n, err, errlen, "cannot read %s: %s",
				      path, strerror((int)n));
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	*out = buf;
	*outlen = len;
	return 0;
}

int csa_layout_load(const char *path, struct csa_layout **out, char *err,
		    size_t errlen)
{
	char msg[512] = "", *text = NULL;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		return report(-ret, err, errlen, "cannot open %s: %s", path,
			      strerror(ret));
	}
	ret = read_fd(fd, path, &text, &len, err, errlen);
	close(fd);
	if (ret)
		return ret;
	if (strlen(text) != len) {
		ret = fail(err, errlen, "%s has a NUL byte at byte %zu; a layout is text",
			   path, strlen(text));
	} else {
		ret = csa_layout_from_json(text, out, msg, sizeof(msg));
		if (ret)
			report(ret, err, errlen, "%s: %s", path, msg);
	}
	free(text);
	return ret;
}

/* ---- to JSON -------------------------------------------------------- */

/* An array with room for @n entries (json-c allocates @n, even 0). */
static json_object *new_array(unsigned n)
{
	return json_object_new_array_ext(n && n < INT32_MAX ? (int)n : 1);
}

static json_object *array_json(const struct csa_array_ref *a)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "name", json_object_new_string(a->name)) ||
			csa_json_put(o, "portal", json_object_new_string(a->portal)) ||
			csa_json_put(o, "target", json_object_new_string(a->target)));
}

static json_object *extent_json(const struct csa_layout *l,
				const struct csa_extent *e)
{
	const char *name = e->array < l->nr_arrays ?
			   l->arrays[e->array].name : "";
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "array", json_object_new_string(name)) ||
			csa_json_put(o, "lun", json_object_new_uint64(e->lun)) ||
			csa_json_put(o, "start_lba",
			    json_object_new_uint64(e->start_lba)) ||
			csa_json_put(o, "blocks", json_object_new_uint64(e->blocks)));
}

static json_object *copy_json(const struct csa_layout *l,
			      const struct csa_copy *cp)
{
	json_object *o = new_array(cp->nr_extents);
	unsigned i;
	int ret = 0;

	for (i = 0; i < cp->nr_extents && !ret; i++)
		ret = csa_json_put(o, NULL, extent_json(l, &cp->extents[i]));
	return csa_json_built(o, ret || !o);
}

static json_object *column_json(const struct csa_layout *l, unsigned c)
{
	json_object *o = json_object_new_object(), *copies;
	unsigned k;
	int ret = 0;

	copies = new_array(l->nr_copies);
	for (k = 0; k < l->nr_copies && !ret; k++)
		ret = csa_json_put(copies, NULL, copy_json(l, csa_layout_copy(l, c, k)));
	if (ret) {
		json_object_put(copies);
		copies = NULL;
	}
	return csa_json_built(o, csa_json_put(o, "copies", copies));
}

static json_object *run_json(uint64_t first, uint64_t count, unsigned state)
{
	json_object *o = json_object_new_object();

	return csa_json_built(o, csa_json_put(o, "first", json_object_new_uint64(first)) ||
			csa_json_put(o, "count", json_object_new_uint64(count)) ||
			csa_json_put(o, "state", json_object_new_string(
					csa_region_state_name(state))));
}

/* The runs of regions that are not normal, each as long as it goes. */
static json_object *regions_json(const struct csa_layout *l)
{
	json_object *o = json_object_new_array();
	uint64_t r = 0, end;
	unsigned st;
	int ret = 0;

	while (l->region_state && r < l->nr_regions && !ret) {
		st = l->region_state[r];
		for (end = r + 1; end < l->nr_regions &&
				  l->region_state[end] == st; end++)
			;
		if (st != CSA_REGION_NORMAL)
			ret = csa_json_put(o, NULL, run_json(r, end - r, st));
		r = end;
	}
	return csa_json_built(o, ret || !o);
}

static json_object *columns_json(const struct csa_layout *l)
{
	json_object *o = new_array(l->nr_columns);
	unsigned c;
	int ret = 0;

	for (c = 0; c < l->nr_columns && !ret; c++)
		ret = csa_json_put(o, NULL, column_json(l, c));
	return csa_json_built(o, ret || !o);
}

static json_object *arrays_json(const struct csa_layout *l)
{
	json_object *o = new_array(l->nr_arrays);
	unsigned i;
	int ret = 0;

	for (i = 0; i < l->nr_arrays && !ret; i++)
		ret = csa_json_put(o, NULL, array_json(&l->arrays[i]));
	return csa_json_built(o, ret || !o);
}

/* In the order of the brief's example; "regions" only if there are any. */
static json_object *layout_json(const struct csa_layout *l)
{
	json_object *o = json_object_new_object();
	int all_normal = csa_region_count(l, CSA_REGION_NORMAL) ==
			 l->nr_regions;

	return csa_json_built(o, csa_json_put(o, "size", json_object_new_uint64(l->size)) ||
			csa_json_put(o, "block_size",
			    json_object_new_uint64(l->block_size)) ||
			csa_json_put(o, "stripe_unit",
			    json_object_new_uint64(l->stripe_unit)) ||
			csa_json_put(o, "region_rows",
			    json_object_new_uint64(l->region_rows)) ||
			csa_json_put(o, "arrays", arrays_json(l)) ||
			csa_json_put(o, "columns", columns_json(l)) ||
			(!all_normal && csa_json_put(o, "regions", regions_json(l))));
}

char *csa_layout_to_json(const struct csa_layout *l)
{
	json_object *root = layout_json(l);
	const char *s;
	size_t n;
	char *out = NULL;

	if (!root)
		return NULL;
	s = json_object_to_json_string_length(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE,
			&n);
	/* With a final newline, as a text file has. */
	if (s)
		out = malloc(n + 2);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = 0;
	}
	json_object_put(root);
	return out;
}
