// SPDX-License-Identifier: GPL-2.0-or-later
/* csa status, csa host add, csa host ls (ops.h: status, host.*). */
#include <stdio.h>

#include "tools/csa_out.h"

static const struct csa_col kv_cols[] = { { NULL, false }, { NULL, false } };

/* The monitor's alerts: what hardware no placement can do without. */
static int print_alerts(struct json_object *alerts)
{
	static const struct csa_col cols[] = {
		{ "ARRAY", false }, { "VOLUME", false }, { "SINCE", false },
		{ "MESSAGE", false } };
	struct csa_table *t = csa_table_new(cols, 4);
	char when[CSA_FMT_LEN];
	struct json_object *a;
	size_t i;

	for (i = 0; i < json_object_array_length(alerts); i++) {
		a = json_object_array_get_idx(alerts, i);
		csa_table_add(t, "%s", csa_str(a, "array"));
		csa_table_add(t, "%s", *csa_str(a, "volume") ?
			      csa_str(a, "volume") : "-");
		csa_table_add(t, "%s", csa_fmt_time(csa_u64(a, "since"), when));
		csa_table_add(t, "%s", csa_str(a, "message"));
	}
	return csa_table_print(t);
}

/* Migrations and alerts: rows when the primary has a monitor (older ones
 * say nothing of them). */
static void monitor_rows(struct csa_table *t, struct json_object *r)
{
	struct json_object *alerts = json_object_object_get(r, "alerts");

	if (json_object_object_get(r, "migrations"))
		csa_table_kv(t, "migrations", "%llu", csa_u64(r, "migrations"));
	if (json_object_is_type(alerts, json_type_array))
		csa_table_kv(t, "alerts", "%zu",
			     json_object_array_length(alerts));
}

static int print_status(struct json_object *r)
{
	struct json_object *alerts = json_object_object_get(r, "alerts");

	struct csa_table *t = csa_table_new(kv_cols, 2);
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN], c[CSA_FMT_LEN];

	csa_table_kv(t, "cluster", "%s", csa_str(r, "cluster"));
	csa_table_kv(t, "primary", "%s, up since %s", csa_str(r, "primary"),
		     csa_fmt_time(csa_u64(r, "started"), a));
	csa_table_kv(t, "catalog", "generation %llu, sequence %llu",
		     csa_u64(r, "generation"),
		     csa_u64(r, "sequence"));
	csa_table_kv(t, "arrays", "%llu (%llu up), %llu LUNs",
		     csa_u64(r, "arrays"),
		     csa_u64(r, "arrays_up"),
		     csa_u64(r, "luns"));
	csa_table_kv(t, "hosts", "%llu",
		     csa_u64(r, "hosts"));
	csa_table_kv(t, "volumes", "%llu",
		     csa_u64(r, "volumes"));
	csa_table_kv(t, "capacity", "%s, %s used, %s free",
		     csa_fmt_size(csa_u64(r, "capacity_bytes"), a),
		     csa_fmt_size(csa_u64(r, "used_bytes"), b),
		     csa_fmt_size(csa_u64(r, "free_bytes"), c));
	csa_table_kv(t, "bandwidth", "%llu MB/s rated, %llu MB/s reserved",
		     csa_u64(r, "rated_mbps"),
		     csa_u64(r, "reserved_mbps"));
	csa_table_kv(t, "iops", "%llu rated, %llu reserved",
		     csa_u64(r, "rated_iops"),
		     csa_u64(r, "reserved_iops"));
	monitor_rows(t, r);
	if (csa_table_print(t))
		return CSA_EXIT_FAIL;
	if (!json_object_is_type(alerts, json_type_array) ||
	    !json_object_array_length(alerts))
		return CSA_EXIT_OK;
	putchar('\n');
	return print_alerts(alerts);
}

int csa_cmd_status(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };

	if (csa_getopt(argc, argv, "status", lo) != -1 ||
	    csa_no_operand(argc, argv, "status"))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("status", NULL), print_status);
}

static int print_registered(struct json_object *r)
{
	char when[CSA_FMT_LEN];

	printf("host %s registered %s\n", csa_str(r, "name"),
	       csa_fmt_time(csa_u64(r, "registered"), when));
	return CSA_EXIT_OK;
}

static int host_add(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };
	const char *name;

	if (csa_getopt(argc, argv, "host add", lo) != -1 ||
	    csa_one_name(argc, argv, "host add", &name))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("host.register", name),
		       print_registered);
}

static int print_hosts(struct json_object *r)
{
	static const struct csa_col cols[] = {
		{ "NAME", false }, { "REGISTERED", false },
		{ "VOLUMES", true }, { "LAST-REPORT", false }, { "OPEN", false } };
	struct json_object *hosts = json_object_object_get(r, "hosts"), *h;
	struct csa_table *t = csa_table_new(cols, 5);
	char when[CSA_FMT_LEN], list[1024];
	size_t i;

	for (i = 0; i < json_object_array_length(hosts); i++) {
		h = json_object_array_get_idx(hosts, i);
		csa_table_add(t, "%s", csa_str(h, "name"));
		csa_table_add(t, "%s", csa_fmt_time(csa_u64(h, "registered"),
						    when));
		csa_table_add(t, "%llu",
			      csa_u64(h, "volumes"));
		csa_table_add(t, "%s", csa_u64(h, "last_report") ?
			      csa_fmt_time(csa_u64(h, "last_report"), when) : "never");
		csa_table_add(t, "%s", csa_list(h, "open", "-", list, sizeof(list)));
	}
	return csa_table_print(t);
}

static int host_ls(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };

	if (csa_getopt(argc, argv, "host ls", lo) != -1 ||
	    csa_no_operand(argc, argv, "host ls"))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("host.list", NULL), print_hosts);
}

int csa_cmd_host(struct csa_cli *cli, int argc, char **argv)
{
	static const struct csa_cmd cmds[] = {
		{ "add", host_add }, { "ls", host_ls } };

	return csa_dispatch(cli, "host", cmds, 2, argc, argv);
}
