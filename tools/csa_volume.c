// SPDX-License-Identifier: GPL-2.0-or-later
/* csa volume create, ls, show, set, rm (ops.h: volume.*); migrate is in
 * csa_migration.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "striper/layout.h"
#include "striper/region.h"
#include "tools/csa_migration.h"
#include "tools/csa_out.h"

static const struct csa_col kv_cols[] = { { NULL, false }, { NULL, false } };

/* ---- requirements: --size 10G on create, size=10G or --size on set ---- */

enum kind { SIZE, COUNT, COPIES, NAMES, FIT };

struct field {
	const char *opt;	/* without "--"; also the key of set's KEY=VALUE */
	const char *key;	/* in the request */
	enum kind kind;
};

#define NR_SET_FIELDS	5	/* the first five: what volume.set takes */
static const struct field fields[] = {
	{ "size", "size", SIZE }, { "mbps", "mbps", COUNT },
	{ "iops", "iops", COUNT }, { "copies", "copies", COPIES },
	{ "hosts", "hosts", NAMES }, { "stripe-unit", "stripe_unit", SIZE },
	{ "fit", "fit", FIT },
};
#define NR_FIELDS	(sizeof(fields) / sizeof(fields[0]))
#define OPT_FIELD	256	/* getopt's val of fields[i] is OPT_FIELD + i */

/* Parse @v as @f asks and put it in @req; 0 or CSA_EXIT_USAGE. */
static int add_field(struct json_object *req, const struct field *f,
		     const char *v)
{
	struct json_object *list;
	char opt[32];
	uint64_t n;
	int ret = 0;

	snprintf(opt, sizeof(opt), "--%s", f->opt);
	switch (f->kind) {
	case SIZE:
		ret = csa_opt_size(opt, v, &n);
		break;
	case COUNT:
		ret = csa_opt_count(opt, v, &n);
		break;
	case COPIES:
		ret = csa_opt_uint(opt, v, 1, CSA_MAX_COPIES, &n);
		break;
	case NAMES:
		ret = csa_opt_names(opt, v, &list);
		if (!ret)
			json_object_object_add(req, f->key, list);
		return ret;
	case FIT:
		if (strcmp(v, "best") && strcmp(v, "first"))
			return csa_usage("--fit: '%s' is neither best nor first", v);
		csa_req_str(req, f->key, v);
		return 0;
	}
	if (!ret)
		csa_req_u64(req, f->key, n);
	return ret;
}

/* getopt's table for the first @nr fields. */
static void field_options(struct option *lo, unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++)
		lo[i] = (struct option){ fields[i].opt, 1, 0, OPT_FIELD + (int)i };
	lo[nr] = (struct option){ 0, 0, 0, 0 };
}

/* ---- printing a volume ------------------------------------------------ */

/* The "layout" member, read as the striper reads it. */
static int layout_of(struct json_object *r, struct csa_layout **l)
{
	struct json_object *lj = json_object_object_get(r, "layout");
	char err[512];

	if (!lj)
		return csa_fail("volume %s is empty: it has no layout until it is sized",
				csa_str(r, "name"));
	if (csa_layout_from_json(json_object_to_json_string_ext(lj,
					JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE),
				 l, err, sizeof(err)))
		return csa_fail("the layout of %s cannot be read: %s",
				csa_str(r, "name"), err);
	return 0;
}

static const char *regions_text(const struct csa_layout *l, char *buf,
				size_t len)
{
	uint64_t locked = csa_region_count(l, CSA_REGION_LOCKED);
	uint64_t moved = csa_region_count(l, CSA_REGION_MIGRATED);

	if (!locked && !moved)
		snprintf(buf, len, "%llu, all normal",
			 (unsigned long long)l->nr_regions);
	else
		snprintf(buf, len, "%llu: %llu locked, %llu migrated",
			 (unsigned long long)l->nr_regions,
			 (unsigned long long)locked, (unsigned long long)moved);
	return buf;
}

/* Where every column copy lives, extent by extent. */
static int print_extents(const struct csa_layout *l)
{
	static const struct csa_col cols[] = {
		{ "COLUMN", true }, { "COPY", true }, { "ARRAY", false },
		{ "LUN", true }, { "START-LBA", true }, { "BLOCKS", true },
		{ "SIZE", true } };
	struct csa_table *t = csa_table_new(cols, 7);
	char size[CSA_FMT_LEN];
	const struct csa_copy *cp;
	unsigned c, k, i;

	for (c = 0; c < l->nr_columns; c++)
		for (k = 0; k < l->nr_copies; k++) {
			cp = csa_layout_copy(l, c, k);
			for (i = 0; i < cp->nr_extents; i++) {
				const struct csa_extent *x = &cp->extents[i];

				csa_table_add(t, "%u", c);
				csa_table_add(t, "%u", k);
				csa_table_add(t, "%s", l->arrays[x->array].name);
				csa_table_add(t, "%u", x->lun);
				csa_table_add(t, "%llu", (unsigned long long)x->start_lba);
				csa_table_add(t, "%llu", (unsigned long long)x->blocks);
				csa_table_add(t, "%s", csa_fmt_size(x->blocks *
						l->block_size, size));
			}
		}
	return csa_table_print(t);
}

/* What the volume asked for when it got something else: " (asked N)",
 * or "; asked N" inside parentheses already; else "". */
static const char *asked(uint64_t got, uint64_t want, bool inside, char *buf,
			 size_t len)
{
	if (got == want)
		return "";
	snprintf(buf, len, inside ? "; asked %llu" : " (asked %llu)",
		 (unsigned long long)want);
	return buf;
}

static int print_volume(struct json_object *r)
{
	struct csa_table *t = csa_table_new(kv_cols, 2);
	char a[CSA_FMT_LEN], b[64], list[4096];
	struct csa_layout *l = NULL;
	struct json_object *m;
	int ret;

	csa_table_kv(t, "name", "%s", csa_str(r, "name"));
	csa_table_kv(t, "state", "%s", csa_str(r, "state"));
	csa_table_kv(t, "size", "%s (%llu bytes%s)",
		     csa_fmt_size(csa_u64(r, "size"), a),
		     csa_u64(r, "size"),
		     asked(csa_u64(r, "size"), csa_u64(r, "requested_size"),
			   true, b, sizeof(b)));
	csa_table_kv(t, "mbps", "%llu (%llu per column)",
		     csa_u64(r, "mbps"),
		     csa_u64(r, "column_mbps"));
	csa_table_kv(t, "iops", "%llu (%llu per column)",
		     csa_u64(r, "iops"),
		     csa_u64(r, "column_iops"));
	csa_table_kv(t, "copies", "%llu%s",
		     csa_u64(r, "copies"),
		     asked(csa_u64(r, "copies"), csa_u64(r, "requested_copies"),
			   false, b, sizeof(b)));
	csa_table_kv(t, "columns", "%llu, stripe unit %s",
		     csa_u64(r, "columns"),
		     csa_fmt_size(csa_u64(r, "stripe_unit"), a));
	csa_table_kv(t, "fit", "%s", csa_str(r, "fit"));
	csa_table_kv(t, "hosts", "%s",
		     csa_list(r, "hosts", "any", list, sizeof(list)));
	csa_table_kv(t, "arrays", "%s",
		     csa_list(r, "arrays", "none", list, sizeof(list)));
	/* An empty volume (`touch`) has no place yet, so no layout. */
	if (!json_object_object_get(r, "layout"))
		return csa_table_print(t) ? CSA_EXIT_FAIL : 0;
	ret = layout_of(r, &l);
	if (!ret)
		csa_table_kv(t, "regions", "%s", regions_text(l, list,
							      sizeof(list)));
	/* An older primary says nothing of migrations: no row then. */
	if (json_object_object_get_ex(r, "migration", &m))
		csa_migration_rows(t, m);
	if (csa_table_print(t) || ret) {
		csa_layout_free(l);
		return CSA_EXIT_FAIL;
	}
	putchar('\n');
	ret = print_extents(l);
	csa_layout_free(l);
	if (ret)
		return ret;
	return csa_load_fit_print(json_object_object_get(r, "load_fit"));
}

/* ---- the commands ----------------------------------------------------- */

static int print_created(struct json_object *r)
{
	printf("created volume %s\n\n", csa_str(r, "name"));
	return print_volume(r);
}

static int volume_create(struct csa_cli *cli, int argc, char **argv)
{
	struct json_object *req = json_object_new_object();
	struct option lo[NR_FIELDS + 1];
	const char *name;
	int c;

	field_options(lo, NR_FIELDS);
	while ((c = csa_getopt(argc, argv, "volume create", lo)) != -1)
		if (c < OPT_FIELD ||
		    add_field(req, &fields[c - OPT_FIELD], optarg))
			goto usage;
	if (csa_one_name(argc, argv, "volume create", &name))
		goto usage;
	if (!json_object_object_get(req, "size")) {
		csa_usage("volume create: --size SIZE is required");
		goto usage;
	}
	csa_req_str(req, "op", "volume.create");
	csa_req_str(req, "name", name);
	return csa_run(cli, req, print_created);
usage:
	json_object_put(req);
	return CSA_EXIT_USAGE;
}

static int print_volumes(struct json_object *r)
{
	static const struct csa_col cols[] = {
		{ "NAME", false }, { "STATE", false }, { "SIZE", true },
		{ "MB/S", true }, { "IOPS", true }, { "COPIES", true },
		{ "COLUMNS", true }, { "STRIPE", true }, { "HOSTS", false },
		{ "ARRAYS", false } };
	struct json_object *vols = json_object_object_get(r, "volumes"), *v;
	struct csa_table *t = csa_table_new(cols, 10);
	char buf[CSA_FMT_LEN], list[4096];
	size_t i;

	for (i = 0; i < json_object_array_length(vols); i++) {
		v = json_object_array_get_idx(vols, i);
		csa_table_add(t, "%s", csa_str(v, "name"));
		csa_table_add(t, "%s", csa_str(v, "state"));
		csa_table_add(t, "%s", csa_fmt_size(csa_u64(v, "size"), buf));
		csa_table_add(t, "%llu", csa_u64(v, "mbps"));
		csa_table_add(t, "%llu", csa_u64(v, "iops"));
		csa_table_add(t, "%llu", csa_u64(v, "copies"));
		csa_table_add(t, "%llu", csa_u64(v, "columns"));
		csa_table_add(t, "%s", csa_fmt_size(csa_u64(v, "stripe_unit"), buf));
		csa_table_add(t, "%s", csa_list(v, "hosts", "any", list, sizeof(list)));
		csa_table_add(t, "%s", csa_list(v, "arrays", "-", list, sizeof(list)));
	}
	return csa_table_print(t);
}

static int volume_ls(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };

	if (csa_getopt(argc, argv, "volume ls", lo) != -1 ||
	    csa_no_operand(argc, argv, "volume ls"))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("volume.list", NULL), print_volumes);
}

/* Only the layout, in the striper's own form: csa-bench --layout reads it. */
static int print_layout(struct csa_cli *cli, const char *name)
{
	struct json_object *r;
	struct csa_layout *l;
	char *text;
	int ret;

	ret = csa_call(cli, csa_request("volume.show", name), &r);
	if (ret)
		return ret;
	ret = layout_of(r, &l);
	json_object_put(r);
	if (ret)
		return ret;
	text = csa_layout_to_json(l);
	csa_layout_free(l);
	if (!text)
		return csa_fail("out of memory");
	fputs(text, stdout);
	free(text);
	return CSA_EXIT_OK;
}

static int volume_show(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "layout", 0, 0, 'l' }, { 0, 0, 0, 0 } };
	bool layout = false;
	const char *name;
	int c;

	while ((c = csa_getopt(argc, argv, "volume show", lo)) != -1) {
		if (c != 'l')
			return CSA_EXIT_USAGE;
		layout = true;
	}
	if (csa_one_name(argc, argv, "volume show", &name))
		return CSA_EXIT_USAGE;
	if (layout)
		return print_layout(cli, name);
	return csa_run(cli, csa_request("volume.show", name), print_volume);
}

static int print_changed(struct json_object *r)
{
	struct json_object *m = json_object_object_get(r, "migration");

	printf("changed volume %s: %llu column copies kept, %llu grown in place\n",
	       csa_str(r, "name"), csa_u64(r, "kept"),
	       csa_u64(r, "grown"));
	if (m)
		csa_migration_started(m);
	putchar('\n');
	return print_volume(r);
}

/* set's operands: NAME, and KEY=VALUE for any of the first five fields. */
static int set_operand(struct json_object *req, const char *arg,
		       const char **name)
{
	const char *eq = strchr(arg, '=');
	unsigned i;

	if (!eq) {
		if (*name)
			return csa_usage("volume set: unexpected '%s' (one NAME, then KEY=VALUE)",
					 arg);
		*name = arg;
		return 0;
	}
	for (i = 0; i < NR_SET_FIELDS; i++)
		if (strlen(fields[i].opt) == (size_t)(eq - arg) &&
		    !strncmp(arg, fields[i].opt, (size_t)(eq - arg)))
			return add_field(req, &fields[i], eq + 1);
	return csa_usage("volume set: unknown KEY in '%s' (size, mbps, iops, copies, hosts)",
			 arg);
}

static int volume_set(struct csa_cli *cli, int argc, char **argv)
{
	struct json_object *req = json_object_new_object();
	struct option lo[NR_SET_FIELDS + 1];
	const char *name = NULL;
	int c;

	field_options(lo, NR_SET_FIELDS);
	while ((c = csa_getopt(argc, argv, "volume set", lo)) != -1)
		if (c < OPT_FIELD ||
		    add_field(req, &fields[c - OPT_FIELD], optarg))
			goto usage;
	for (; optind < argc; optind++)
		if (set_operand(req, argv[optind], &name))
			goto usage;
	if (!name) {
		csa_usage("volume set: NAME is missing");
		goto usage;
	}
	if (!json_object_object_length(req)) {
		csa_usage("volume set: nothing to change (size=, mbps=, iops=, copies=, hosts=)");
		goto usage;
	}
	csa_req_str(req, "op", "volume.set");
	csa_req_str(req, "name", name);
	return csa_run(cli, req, print_changed);
usage:
	json_object_put(req);
	return CSA_EXIT_USAGE;
}

static int print_deleted(struct json_object *r)
{
	printf("deleted volume %s\n", csa_str(r, "name"));
	return CSA_EXIT_OK;
}

static int volume_rm(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };
	const char *name;

	if (csa_getopt(argc, argv, "volume rm", lo) != -1 ||
	    csa_one_name(argc, argv, "volume rm", &name))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("volume.delete", name), print_deleted);
}

int csa_cmd_volume(struct csa_cli *cli, int argc, char **argv)
{
	static const struct csa_cmd cmds[] = {
		{ "create", volume_create }, { "ls", volume_ls },
		{ "show", volume_show }, { "set", volume_set },
		{ "rm", volume_rm }, { "migrate", csa_volume_migrate } };

	return csa_dispatch(cli, "volume", cmds, 6, argc, argv);
}
