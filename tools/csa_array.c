// SPDX-License-Identifier: GPL-2.0-or-later
/* csa array add, ls, show, calibrate (ops.h: array.*). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "primary/client.h"
#include "tools/csa_out.h"

#define CALIBRATE_SECONDS	10	/* per phase, ops.h's default */
#define CALIBRATE_MAX_SECONDS	30	/* and its largest */
#define GO_ON			-1	/* not an exit status: wait on */

static const struct csa_col kv_cols[] = { { NULL, false }, { NULL, false } };

/* "ip:port", "[v6]:port", "host:port": something, a colon, a port. */
static int check_portal(const char *s)
{
	const char *colon = strrchr(s, ':');
	uint64_t port;

	if (!colon || colon == s || !colon[1])
		return csa_usage("--portal: '%s' is not IP:PORT", s);
	return csa_opt_uint("--portal's port", colon + 1, 1, 65535, &port);
}

/* "1,2,5" to [1, 2, 5]. */
static int parse_luns(const char *s, struct json_object *req)
{
	struct json_object *names, *luns;
	uint64_t n = 0;
	size_t i;
	int ret;

	ret = csa_opt_names("--luns", s, &names);
	if (ret)
		return ret;
	if (!json_object_array_length(names)) {
		json_object_put(names);
		return csa_usage("--luns: no LUN number given");
	}
	luns = json_object_new_array();
	for (i = 0; !ret && i < json_object_array_length(names); i++) {
		ret = csa_opt_uint("--luns", json_object_get_string(
				   json_object_array_get_idx(names, i)),
				   0, UINT32_MAX, &n);
		json_object_array_add(luns, json_object_new_uint64(n));
	}
	json_object_put(names);
	if (ret)
		json_object_put(luns);
	else
		json_object_object_add(req, "luns", luns);
	return ret;
}

/* One line per LUN of array.show's lun_list. */
static int print_luns(struct json_object *luns)
{
	static const struct csa_col cols[] = {
		{ "LUN", true }, { "STATE", false }, { "BLOCK", true },
		{ "BLOCKS", true }, { "RESERVED", true }, { "CAPACITY", true },
		{ "FREE", true }, { "UUID", false } };
	struct csa_table *t = csa_table_new(cols, 8);
	char buf[CSA_FMT_LEN];
	struct json_object *l;
	size_t i;

	for (i = 0; i < json_object_array_length(luns); i++) {
		l = json_object_array_get_idx(luns, i);
		csa_table_add(t, "%llu", csa_u64(l, "number"));
		csa_table_add(t, "%s", csa_str(l, "state"));
		csa_table_add(t, "%llu", csa_u64(l, "block_size"));
		csa_table_add(t, "%llu", csa_u64(l, "blocks"));
		csa_table_add(t, "%llu", csa_u64(l, "reserved_blocks"));
		csa_table_add(t, "%s", csa_fmt_size(csa_u64(l, "capacity_bytes"), buf));
		csa_table_add(t, "%s", csa_fmt_size(csa_u64(l, "free_bytes"), buf));
		csa_table_add(t, "%s", csa_str(l, "uuid"));
	}
	return csa_table_print(t);
}

/* The monitor's figures of an array ("load"), "-" each without them. */
struct load_text {
	char mbps[CSA_FMT_LEN], iops[CSA_FMT_LEN], p99[CSA_FMT_LEN];
	char util[CSA_FMT_LEN];
	const char *state;
};

static bool load_of(struct json_object *a, struct load_text *t)
{
	struct json_object *l = json_object_object_get(a, "load");

	if (!json_object_is_type(l, json_type_object)) {
		*t = (struct load_text){ "-", "-", "-", "-", "-" };
		return false;
	}
	snprintf(t->mbps, sizeof(t->mbps), "%llu", csa_u64(l, "mbps"));
	snprintf(t->iops, sizeof(t->iops), "%llu", csa_u64(l, "iops"));
	csa_fmt_ms(csa_u64(l, "p99_us"), t->p99);
	snprintf(t->util, sizeof(t->util), "%llu%%", csa_u64(l, "util"));
	t->state = csa_str(l, "state");
	return true;
}

static void load_rows(struct csa_table *t, struct json_object *r)
{
	struct load_text lt;

	if (!load_of(r, &lt)) {
		csa_table_kv(t, "measured", "-");
		csa_table_kv(t, "load", "-");
		return;
	}
	csa_table_kv(t, "measured", "%s MB/s, %s IOPS, p99 %s ms", lt.mbps,
		     lt.iops, lt.p99);
	csa_table_kv(t, "load", "%s, %s utilised", lt.state, lt.util);
}

static int print_array(struct json_object *r)
{
	struct csa_table *t = csa_table_new(kv_cols, 2);
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN], list[4096];

	csa_table_kv(t, "name", "%s", csa_str(r, "name"));
	csa_table_kv(t, "state", "%s", csa_str(r, "state"));
	csa_table_kv(t, "portal", "%s", csa_str(r, "portal"));
	csa_table_kv(t, "target", "%s", csa_str(r, "target"));
	csa_table_kv(t, "capacity", "%s, %s free, %llu LUNs",
		     csa_fmt_size(csa_u64(r, "capacity_bytes"), a),
		     csa_fmt_size(csa_u64(r, "free_bytes"), b),
		     csa_u64(r, "luns"));
	csa_table_kv(t, "rated", "%llu MB/s, %llu IOPS (%s)",
		     csa_u64(r, "rated_mbps"), csa_u64(r, "rated_iops"),
		     csa_bool(r, "calibrated") ? "measured by calibration" :
						 "as configured");
	csa_table_kv(t, "reserved", "%llu MB/s, %llu IOPS",
		     csa_u64(r, "reserved_mbps"), csa_u64(r, "reserved_iops"));
	load_rows(t, r);
	csa_table_kv(t, "volumes", "%s",
		     csa_list(r, "volume_names", "none", list, sizeof(list)));
	if (csa_table_print(t))
		return CSA_EXIT_FAIL;
	putchar('\n');
	return print_luns(json_object_object_get(r, "lun_list"));
}

static int print_added(struct json_object *r)
{
	printf("added array %s\n\n", csa_str(r, "name"));
	return print_array(r);
}

/* One option of array add, into @req: 0, or CSA_EXIT_USAGE. */
static int add_option(struct json_object *req, int c, const char *v)
{
	uint64_t n;

	switch (c) {
	case 'p':
		if (check_portal(v))
			return CSA_EXIT_USAGE;
		csa_req_str(req, "portal", v);
		return 0;
	case 't':
		csa_req_str(req, "target", v);
		return 0;
	case 'l':
		return parse_luns(v, req);
	case 'm':
		if (csa_opt_count("--rated-mbps", v, &n))
			return CSA_EXIT_USAGE;
		csa_req_u64(req, "rated_mbps", n);
		return 0;
	case 'i':
		if (csa_opt_count("--rated-iops", v, &n))
			return CSA_EXIT_USAGE;
		csa_req_u64(req, "rated_iops", n);
		return 0;
	}
	return CSA_EXIT_USAGE;
}

static int array_add(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "portal", 1, 0, 'p' }, { "target", 1, 0, 't' },
		{ "luns", 1, 0, 'l' }, { "rated-mbps", 1, 0, 'm' },
		{ "rated-iops", 1, 0, 'i' }, { 0, 0, 0, 0 } };
	struct json_object *req = json_object_new_object();
	const char *name;
	int c;

	while ((c = csa_getopt(argc, argv, "array add", lo)) != -1)
		if (add_option(req, c, optarg))
			goto usage;
	if (csa_one_name(argc, argv, "array add", &name))
		goto usage;
	if (!json_object_object_get(req, "portal") ||
	    !json_object_object_get(req, "target")) {
		csa_usage("array add: --portal IP:PORT and --target IQN are required");
		goto usage;
	}
	csa_req_str(req, "op", "array.add");
	csa_req_str(req, "name", name);
	return csa_run(cli, req, print_added);
usage:
	json_object_put(req);
	return CSA_EXIT_USAGE;
}

static void array_row(struct csa_table *t, struct json_object *a)
{
	char cap[CSA_FMT_LEN], nfree[CSA_FMT_LEN];
	struct load_text lt;

	load_of(a, &lt);
	csa_table_add(t, "%s", csa_str(a, "name"));
	csa_table_add(t, "%s", csa_str(a, "state"));
	csa_table_add(t, "%s", csa_str(a, "portal"));
	csa_table_add(t, "%llu", csa_u64(a, "luns"));
	csa_table_add(t, "%s", csa_fmt_size(csa_u64(a, "capacity_bytes"), cap));
	csa_table_add(t, "%s", csa_fmt_size(csa_u64(a, "free_bytes"), nfree));
	csa_table_add(t, "%llu", csa_u64(a, "rated_mbps"));
	csa_table_add(t, "%s", lt.mbps);
	csa_table_add(t, "%llu", csa_u64(a, "reserved_mbps"));
	csa_table_add(t, "%llu", csa_u64(a, "rated_iops"));
	csa_table_add(t, "%s", lt.iops);
	csa_table_add(t, "%llu", csa_u64(a, "reserved_iops"));
	csa_table_add(t, "%s", lt.p99);
	csa_table_add(t, "%s", lt.util);
	csa_table_add(t, "%s", lt.state);
	csa_table_add(t, "%s", csa_bool(a, "calibrated") ? "yes" : "no");
	csa_table_add(t, "%llu", csa_u64(a, "volumes"));
}

static int print_arrays(struct json_object *r)
{
	static const struct csa_col cols[] = {
		{ "NAME", false }, { "STATE", false }, { "PORTAL", false },
		{ "LUNS", true }, { "CAPACITY", true }, { "FREE", true },
		{ "MB/S", true }, { "MEAS-MB/S", true }, { "RSVD-MB/S", true },
		{ "IOPS", true }, { "MEAS-IOPS", true }, { "RSVD-IOPS", true },
		{ "P99-MS", true }, { "UTIL", true }, { "LOAD", false },
		{ "CALIBRATED", false }, { "VOLUMES", true } };
	struct json_object *arrays = json_object_object_get(r, "arrays");
	struct csa_table *t = csa_table_new(cols, 17);
	size_t i;

	for (i = 0; i < json_object_array_length(arrays); i++)
		array_row(t, json_object_array_get_idx(arrays, i));
	return csa_table_print(t);
}

static int array_ls(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };

	if (csa_getopt(argc, argv, "array ls", lo) != -1 ||
	    csa_no_operand(argc, argv, "array ls"))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("array.list", NULL), print_arrays);
}

static int array_show(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };
	const char *name;

	if (csa_getopt(argc, argv, "array show", lo) != -1 ||
	    csa_one_name(argc, argv, "array show", &name))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("array.show", name), print_array);
}

/* ---- calibrate ---------------------------------------------------------- */

struct progress {
	const char *name;
	struct csa_progress line;
};

static void show_progress(struct progress *p, struct json_object *d)
{
	csa_progress_show(&p->line,
			  "%s: %s phase %.1f/%.1f s, %llu MB/s, %llu IOPS",
			  p->name, csa_str(d, "phase"),
			  csa_u64(d, "elapsed_ms") / 1000.0,
			  csa_u64(d, "total_ms") / 1000.0, csa_u64(d, "mbps"),
			  csa_u64(d, "iops"));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One event about our array: GO_ON, or the exit status. */
static int calibrate_event(struct csa_cli *cli, struct progress *p,
			   const char *ev, struct json_object *d)
{
	char msg[1024];

	if (!strcmp(ev, "calibrate.progress")) {
		if (!cli->json)
			show_progress(p, d);
		return GO_ON;
	}
	csa_progress_end(&p->line);
	if (!strcmp(ev, "calibrate.done")) {
		if (cli->json)
			csa_print_json(d);
		else
			printf("%s: calibrated: %llu MB/s, %llu IOPS, stored as its rated figures\n",
			       p->name, csa_u64(d, "rated_mbps"),
			       csa_u64(d, "rated_iops"));
		return CSA_EXIT_OK;
	}
	if (!strcmp(ev, "calibrate.failed")) {
		snprintf(msg, sizeof(msg), "calibration of %s failed: %s",
			 p->name, csa_str(d, "message"));
		return csa_fail_code(cli, csa_str(d, "code"), msg, NULL);
	}
	return GO_ON;	/* an event of another kind */
}

/* No end to the calibration: @err from csa_client_event, after @bound s. */
static int watch_failed(struct csa_cli *cli, struct progress *p, int err,
			unsigned bound)
{
	char msg[512];

	csa_progress_end(&p->line);
	if (err == -ETIMEDOUT)
		snprintf(msg, sizeof(msg),
			 "the calibration of %s has not ended after %u s",
			 p->name, bound);
	else
		snprintf(msg, sizeof(msg),
			 "the connection to the primary broke during the calibration of %s",
			 p->name);
	return csa_fail_code(cli, "connection", msg, NULL);
}

/*
 * Until done or failed, but no longer than both phases twice over and a
 * minute: a primary that lost track of the calibration must not keep
 * csa waiting for ever.
 */
static int calibrate_watch(struct csa_cli *cli, const char *name,
			   unsigned seconds)
{
	struct progress p = { .name = name,
			      .line = { .tty = isatty(STDOUT_FILENO) } };
	unsigned bound = 2 * seconds + 60;
	int64_t deadline = now_ms() + (int64_t)bound * 1000;
	struct json_object *d;
	int ret = GO_ON;
	char ev[64];

	while (ret == GO_ON) {
		int64_t left = deadline - now_ms();

		ret = left > 0 ? csa_client_event(cli->client, (int)left, ev,
						  sizeof(ev), &d) : -ETIMEDOUT;
		if (ret)
			return watch_failed(cli, &p, ret, bound);
		ret = strcmp(csa_str(d, "array"), name) ? GO_ON :
		      calibrate_event(cli, &p, ev, d);
		json_object_put(d);
	}
	return ret;
}

static int array_calibrate(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", 1, 0, 's' }, { 0, 0, 0, 0 } };
	uint64_t seconds = CALIBRATE_SECONDS;
	struct json_object *req, *res;
	bool has_seconds = false;
	const char *name;
	int c, ret;

	while ((c = csa_getopt(argc, argv, "array calibrate", lo)) != -1) {
		if (c != 's' || csa_opt_uint("--seconds", optarg, 1,
					     CALIBRATE_MAX_SECONDS,
					     &seconds))
			return CSA_EXIT_USAGE;
		has_seconds = true;
	}
	if (csa_one_name(argc, argv, "array calibrate", &name))
		return CSA_EXIT_USAGE;
	/* Subscribe first, so that no event of this calibration is missed. */
	ret = csa_call(cli, csa_request("subscribe", NULL), &res);
	if (ret)
		return ret;
	json_object_put(res);
	req = csa_request("array.calibrate", name);
	if (has_seconds)
		csa_req_u64(req, "seconds", seconds);
	ret = csa_call(cli, req, &res);
	if (ret)
		return ret;
	/* The primary says how long each phase will take. */
	if (csa_u64(res, "seconds") >= 1 &&
	    csa_u64(res, "seconds") <= CALIBRATE_MAX_SECONDS)
		seconds = csa_u64(res, "seconds");
	json_object_put(res);
	return calibrate_watch(cli, name, (unsigned)seconds);
}

int csa_cmd_array(struct csa_cli *cli, int argc, char **argv)
{
	static const struct csa_cmd cmds[] = {
		{ "add", array_add }, { "ls", array_ls },
		{ "show", array_show }, { "calibrate", array_calibrate } };

	return csa_dispatch(cli, "array", cmds, 4, argc, argv);
}
