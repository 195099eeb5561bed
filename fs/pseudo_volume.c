// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/volumes/<v> (pseudo_int.h): one volume's requirements, layout and
 * region states. The layout is read from volume.show's JSON leniently,
 * member by member, rather than through the striper's strict parser: a
 * field a newer primary adds must not blank the file a person reads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/pseudo_int.h"

#define kv_add(t, key, ...)			\
	do {					\
		ptab_add((t), "%s:", (key));	\
		ptab_add((t), __VA_ARGS__);	\
	} while (0)

/* "; asked N" when the volume got other than it asked for, else "". */
static const char *asked(uint64_t got, uint64_t want, char *buf, size_t len)
{
	if (got == want)
		return "";
	snprintf(buf, len, "; asked %llu", (unsigned long long)want);
	return buf;
}

/* Regions: how many, and how many in each state of the runs listed. */
struct region_counts {
	uint64_t total, bytes, locked, migrated;
};

static void count_regions(struct json_object *l, struct region_counts *rc)
{
	struct json_object *runs = pj_arr(l, "regions");
	uint64_t cols = pj_len(pj_arr(l, "columns"));
	size_t i;

	*rc = (struct region_counts){ 0 };
	rc->bytes = pj_u64(l, "stripe_unit") * cols * pj_u64(l, "region_rows");
	if (rc->bytes)
		rc->total = (pj_u64(l, "size") + rc->bytes - 1) / rc->bytes;
	for (i = 0; i < pj_len(runs); i++) {
		struct json_object *r = json_object_array_get_idx(runs, i);
		const char *st = pj_str(r, "state");

		if (!strcmp(st, "locked"))
			rc->locked += pj_u64(r, "count");
		else if (!strcmp(st, "migrated"))
			rc->migrated += pj_u64(r, "count");
	}
}

static void regions_line(struct ptab *t, struct json_object *l)
{
	struct region_counts rc;
	uint64_t normal;
	char b[CSA_FMT_LEN];

	count_regions(l, &rc);
	normal = rc.total - (rc.locked + rc.migrated <= rc.total ?
			     rc.locked + rc.migrated : rc.total);
	kv_add(t, "regions", "%llu of %s (%llu stripe rows): %llu normal, %llu locked, %llu migrated",
	       (unsigned long long)rc.total, csa_fmt_size(rc.bytes, b),
	       (unsigned long long)pj_u64(l, "region_rows"),
	       (unsigned long long)normal, (unsigned long long)rc.locked,
	       (unsigned long long)rc.migrated);
}

static void head_block(struct json_object *view, struct json_object *v,
		       const char *name, struct pbuf *out)
{
	struct json_object *local = json_object_object_get(view, "local");
	struct json_object *l = json_object_object_get(v, "layout");
	char a[CSA_FMT_LEN], b[64], list[1024];
	struct json_object *mine = NULL;
	struct ptab *t = ptab_new(2, NULL, "ll");
	size_t i;

	for (i = 0; i < pj_len(pj_arr(local, "volumes")); i++) {
		struct json_object *o = json_object_array_get_idx(
			pj_arr(local, "volumes"), i);

		if (!strcmp(pj_str(o, "name"), name))
			mine = o;
	}
	kv_add(t, "volume", "%s", name);
	if (v) {
		kv_add(t, "state", "%s", pj_str(v, "state"));
		kv_add(t, "size", "%s (%llu bytes%s)",
		       csa_fmt_size(pj_u64(v, "size"), a),
		       (unsigned long long)pj_u64(v, "size"),
		       pj_has(v, "requested_size") ?
		       asked(pj_u64(v, "size"), pj_u64(v, "requested_size"),
			     b, sizeof(b)) : "");
		kv_add(t, "requirements", "%llu MB/s, %llu IOPS, copies %llu, hosts %s, fit %s",
		       (unsigned long long)pj_u64(v, "mbps"),
		       (unsigned long long)pj_u64(v, "iops"),
		       (unsigned long long)pj_u64(v, "copies"),
		       pj_list(v, "hosts", "any", list, sizeof(list)),
		       *pj_str(v, "fit") ? pj_str(v, "fit") : "best");
		kv_add(t, "columns", "%llu, stripe unit %s; %llu MB/s and %llu IOPS per column",
		       (unsigned long long)pj_u64(v, "columns"),
		       csa_fmt_size(pj_u64(v, "stripe_unit"), a),
		       (unsigned long long)pj_u64(v, "column_mbps"),
		       (unsigned long long)pj_u64(v, "column_iops"));
		kv_add(t, "arrays", "%s",
		       pj_list(v, "arrays", "none", list, sizeof(list)));
		kv_add(t, "open on", "%s",
		       pj_list(v, "open_on", "no host", list, sizeof(list)));
	}
	if (mine)
		kv_add(t, "this host", "%s: open %llu, map generation %llu, %s",
		       pj_str(local, "host"),
		       (unsigned long long)pj_u64(mine, "open"),
		       (unsigned long long)pj_u64(mine, "map_generation"),
		       csa_fmt_size(pj_u64(mine, "size"), a));
	if (json_object_is_type(l, json_type_object))
		regions_line(t, l);
	kv_add(t, "migration", "none");
	ptab_print(t, out, 0);
}

/* Every extent of every column copy, in the order the layout has them. */
static void extents_table(struct json_object *l, struct pbuf *out)
{
	static const char *const heads[] = {
		"COLUMN", "COPY", "ARRAY", "LUN", "START-LBA", "BLOCKS", "SIZE" };
	struct json_object *cols = pj_arr(l, "columns");
	uint64_t bs = pj_u64(l, "block_size");
	struct ptab *t = ptab_new(7, heads, "rrlrrrr");
	char b[CSA_FMT_LEN];
	size_t c, k, i;

	for (c = 0; c < pj_len(cols); c++) {
		struct json_object *copies = pj_arr(
			json_object_array_get_idx(cols, c), "copies");

		for (k = 0; k < pj_len(copies); k++) {
			struct json_object *ext = json_object_array_get_idx(copies, k);

			for (i = 0; i < pj_len(ext); i++) {
				struct json_object *x = json_object_array_get_idx(ext, i);

				ptab_add(t, "%zu", c);
				ptab_add(t, "%zu", k);
				ptab_add(t, "%s", pj_str(x, "array"));
				ptab_add(t, "%llu", (unsigned long long)pj_u64(x, "lun"));
				ptab_add(t, "%llu", (unsigned long long)pj_u64(x, "start_lba"));
				ptab_add(t, "%llu", (unsigned long long)pj_u64(x, "blocks"));
				ptab_add(t, "%s", csa_fmt_size(pj_u64(x, "blocks") * bs, b));
			}
		}
	}
	pbuf_puts(out, "\nlayout:\n");
	ptab_print(t, out, 2);
}

/* The runs of regions that are not normal. */
static void runs_table(struct json_object *l, struct pbuf *out)
{
	static const char *const heads[] = { "FIRST", "COUNT", "STATE" };
	struct json_object *runs = pj_arr(l, "regions");
	struct ptab *t;
	size_t i;

	if (!pj_len(runs))
		return;
	t = ptab_new(3, heads, "rrl");
	for (i = 0; i < pj_len(runs); i++) {
		struct json_object *r = json_object_array_get_idx(runs, i);

		ptab_add(t, "%llu", (unsigned long long)pj_u64(r, "first"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(r, "count"));
		ptab_add(t, "%s", pj_str(r, "state"));
	}
	pbuf_puts(out, "\nregions not normal:\n");
	ptab_print(t, out, 2);
}

int csafs_render_volume(struct json_object *view, const char *name,
			struct pbuf *out)
{
	struct json_object *v = json_object_object_get(view, "volume");
	struct json_object *l = json_object_object_get(v, "layout");

	csafs_banner(view, out);
	head_block(view, v, name, out);
	if (json_object_is_type(l, json_type_object)) {
		extents_table(l, out);
		runs_table(l, out);
	} else if (v) {
		pbuf_puts(out, "\nlayout: none (an empty volume is placed when it is given a size)\n");
	}
	return out->nomem ? -ENOMEM : 0;
}
