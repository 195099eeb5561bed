// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/volumes/<v> (pseudo_int.h): one volume's requirements, layout and
 * region states, its migration and the monitor's measure of it. The layout is read from volume.show's JSON leniently,
 * member by member, rather than through the striper's strict parser: a
 * field a newer primary adds must not blank the file a person reads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/pseudo_int.h"

#define MAP_RUNS	16	/* runs the region map shows; then "..." */

static const char fit_statement[] =
	"fit score: how far past its own reserved share the volume pushes "
	"the array (measured - reserved, over the array's rating), relative "
	"to that share; the highest on a saturated array is moved first";

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

/* ---- the migration ------------------------------------------------------ */

/* A run of regions in one state, being added to the map. */
struct map_run {
	uint64_t first, last;
	const char *state;	/* NULL: none yet */
	unsigned shown;		/* runs written */
};

/* Add regions @first..@last in @state; the same state next to it extends it. */
static void map_add(struct pbuf *b, struct map_run *run, uint64_t first,
		    uint64_t last, const char *state)
{
	if (run->state && !strcmp(run->state, state) && run->last + 1 == first) {
		run->last = last;
		return;
	}
	if (run->state && run->shown++ < MAP_RUNS) {
		pbuf_printf(b, "%s%llu", run->shown > 1 ? ", " : "",
			    (unsigned long long)run->first);
		if (run->last > run->first)
			pbuf_printf(b, "-%llu", (unsigned long long)run->last);
		pbuf_printf(b, " %s", run->state);
	}
	*run = (struct map_run){ first, last, state, run->shown };
}

/*
 * "0-11 migrated, 12 locked, 13-79 normal": every one of @total regions,
 * from the runs of the `to` layout's region table (regions not listed are
 * normal). Past MAP_RUNS runs, "... (N more runs)".
 */
static void region_map(struct pbuf *b, struct json_object *runs,
		       uint64_t total)
{
	struct map_run run = { 0 };
	uint64_t next = 0;
	size_t i;

	for (i = 0; i < pj_len(runs); i++) {
		struct json_object *r = json_object_array_get_idx(runs, i);
		uint64_t first = pj_u64(r, "first"), n = pj_u64(r, "count");

		if (first < next || !n || first >= total)
			continue;	/* out of order or past the end: left out */
		if (n > total - first)
			n = total - first;
		if (first > next)
			map_add(b, &run, next, first - 1, "normal");
		map_add(b, &run, first, first + n - 1, pj_str(r, "state"));
		next = first + n;
	}
	if (next < total)
		map_add(b, &run, next, total - 1, "normal");
	map_add(b, &run, 0, 0, "");	/* the last one out */
	if (run.shown > MAP_RUNS)
		pbuf_printf(b, ", ... (%u more runs)", run.shown - MAP_RUNS);
}

/* "a1,a2,a3,a4 -> a1,a2,a5,a4" */
static const char *from_to(struct json_object *m, char *buf, size_t len)
{
	char from[1024], to[1024];

	snprintf(buf, len, "%s -> %s", pj_list(m, "from", "-", from, sizeof(from)),
		 pj_list(m, "to", "-", to, sizeof(to)));
	return buf;
}

/* "12/80 regions of 128.0M, 768.0M/5.0G copied, 95 MB/s (no cap), ETA 48s" */
static void progress_row(struct ptab *t, struct json_object *m)
{
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN], c[CSA_FMT_LEN], eta[PFMT_LEN];
	char cap[64];

	if (pj_u64(m, "max_rate"))
		snprintf(cap, sizeof(cap), "at most %llu",
			 (unsigned long long)pj_u64(m, "max_rate"));
	else
		snprintf(cap, sizeof(cap), "no cap");
	kv_add(t, "progress", "%llu/%llu regions of %s, %s/%s copied, %llu MB/s (%s), ETA %s",
	       (unsigned long long)pj_u64(m, "regions_done"),
	       (unsigned long long)pj_u64(m, "regions"),
	       csa_fmt_size(pj_u64(m, "region_bytes"), a),
	       csa_fmt_size(pj_u64(m, "bytes_done"), b),
	       csa_fmt_size(pj_u64(m, "bytes"), c),
	       (unsigned long long)pj_u64(m, "rate_mbps"), cap,
	       pfmt_secs(pj_i64(m, "eta_seconds"), eta));
}

/* The migration's rows; @v NULL: the primary did not answer. */
static void migration_rows(struct ptab *t, struct json_object *v,
			   struct pbuf *out)
{
	struct json_object *m = pj_obj(v, "migration");
	char when[CSA_FMT_LEN], list[2100];
	struct pbuf map = { 0 };

	if (!m) {
		kv_add(t, "migration", "%s", v ? "none" :
		       "unknown (the primary did not answer)");
		return;
	}
	kv_add(t, "migration", "%s (%s), since %s", pj_str(m, "state"),
	       pj_str(m, "reason"), csa_fmt_time(pj_u64(m, "started"), when));
	progress_row(t, m);
	if (pj_i64(m, "locked_region") >= 0)
		kv_add(t, "locked", "region %lld",
		       (long long)pj_i64(m, "locked_region"));
	else
		kv_add(t, "locked", "none");
	if (pj_has(m, "locks")) {
		struct pbuf l = { 0 };

		pfmt_locks(&l, m);
		kv_add(t, "locks", "%s", l.s ? l.s : "-");
		out->nomem |= l.nomem;
		pbuf_free(&l);
	}
	kv_add(t, "moving", "%s", from_to(m, list, sizeof(list)));
	region_map(&map, pj_arr(pj_obj(m, "layout"), "regions"),
		   pj_u64(m, "regions"));
	kv_add(t, "region map", "%s", map.s ? map.s : "-");
	out->nomem |= map.nomem;
	pbuf_free(&map);
}

/* The monitor's measure of the volume on each of its arrays. */
static void load_fit(struct json_object *v, struct pbuf *out)
{
	static const char *const heads[] = {
		"ARRAY", "SCORE", "LOAD-MB/S", "NEED-MB/S", "LOAD-IOPS",
		"NEED-IOPS" };
	struct json_object *fit = pj_arr(v, "load_fit");
	struct ptab *t;
	size_t i;

	if (!pj_len(fit))
		return;
	t = ptab_new(6, heads, "lrrrrr");
	for (i = 0; i < pj_len(fit); i++) {
		struct json_object *f = json_object_array_get_idx(fit, i);

		ptab_add(t, "%s", pj_str(f, "array"));
		ptab_add(t, "%.2f", pj_double(f, "score"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(f, "load_mbps"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(f, "need_mbps"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(f, "load_iops"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(f, "need_iops"));
	}
	pbuf_printf(out, "\nload fit:\n  %s\n", fit_statement);
	ptab_print(t, out, 2);
}

/* ---- the volume --------------------------------------------------------- */

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
	migration_rows(t, v, out);
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
	load_fit(v, out);
	if (json_object_is_type(l, json_type_object)) {
		extents_table(l, out);
		runs_table(l, out);
	} else if (v) {
		pbuf_puts(out, "\nlayout: none (an empty volume is placed when it is given a size)\n");
	}
	return out->nomem ? -ENOMEM : 0;
}
