// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa volume migrate, csa migration ls, pause, resume (ops.h:
 * volume.migrate, migration.*), and the text of plans and migrations
 * that csa volume set and show print (csa_migration.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "primary/client.h"
#include "tools/csa_migration.h"

#define GO_ON		-1	/* not an exit status: wait on */
#define WAIT_MS		60000	/* one wait for an event, then another */

static const struct csa_col kv_cols[] = { { NULL, false }, { NULL, false } };

static const char fit_statement[] =
	"fit score: how far past its own reserved share the volume pushes "
	"the array (measured - reserved, over the array's rating), relative "
	"to that share; the highest on a saturated array is moved first";

/* ---- text --------------------------------------------------------------- */

/* "a1,a2,a3,a4 -> a1,a2,a5,a4": where a PLAN or a MIGRATION moves from, to. */
static const char *from_to(struct json_object *o, char *buf, size_t len)
{
	char from[1024], to[1024];

	snprintf(buf, len, "%s -> %s",
		 csa_list(o, "from", "-", from, sizeof(from)),
		 csa_list(o, "to", "-", to, sizeof(to)));
	return buf;
}

/* "no rate cap", or "at most 200 MB/s". */
static const char *cap_text(struct json_object *m, char *buf, size_t len)
{
	if (!csa_u64(m, "max_rate"))
		return "no rate cap";
	snprintf(buf, len, "at most %llu MB/s", csa_u64(m, "max_rate"));
	return buf;
}

/* "12/80 regions, 768.0M/5.0G, 95 MB/s, ETA 48s" */
static const char *progress_text(struct json_object *m, char *buf, size_t len)
{
	char done[CSA_FMT_LEN], all[CSA_FMT_LEN], eta[CSA_FMT_LEN];

	snprintf(buf, len, "%llu/%llu regions, %s/%s, %llu MB/s, ETA %s",
		 csa_u64(m, "regions_done"), csa_u64(m, "regions"),
		 csa_fmt_size(csa_u64(m, "bytes_done"), done),
		 csa_fmt_size(csa_u64(m, "bytes"), all),
		 csa_u64(m, "rate_mbps"),
		 csa_fmt_duration(csa_i64(m, "eta_seconds"), eta));
	return buf;
}

/* "12, held p50 3 ms, p99 12 ms, max 20 ms; 10 of 12 regions copied
 * ahead": the region locks taken so far, how long hosts held I/O for
 * them, and the regions whose copy made before the lock stood. */
static const char *locks_text(struct json_object *m, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%llu, held p50 %llu ms, p99 %llu ms, max %llu ms",
			 csa_u64(m, "locks"), csa_u64(m, "lock_ms_p50"),
			 csa_u64(m, "lock_ms_p99"), csa_u64(m, "lock_ms_max"));

	if (n > 0 && (size_t)n < len && json_object_object_get_ex(m, "regions_ahead", NULL))
		snprintf(buf + n, len - (size_t)n, "; %llu of %llu regions copied ahead",
			 csa_u64(m, "regions_ahead"), csa_u64(m, "regions_moved"));
	return buf;
}

void csa_migration_started(struct json_object *m)
{
	char size[CSA_FMT_LEN], bytes[CSA_FMT_LEN], arrays[2100], cap[64];

	printf("migration of %s started (%s): %llu regions of %s, %s to copy, %s, %s\n",
	       csa_str(m, "volume"), csa_str(m, "reason"),
	       csa_u64(m, "regions"),
	       csa_fmt_size(csa_u64(m, "region_bytes"), size),
	       csa_fmt_size(csa_u64(m, "bytes"), bytes),
	       from_to(m, arrays, sizeof(arrays)), cap_text(m, cap, sizeof(cap)));
}

void csa_migration_rows(struct csa_table *t, struct json_object *m)
{
	char when[CSA_FMT_LEN], line[256], arrays[2100], cap[64];

	if (!m) {
		csa_table_kv(t, "migration", "none");
		return;
	}
	csa_table_kv(t, "migration", "%s (%s), since %s", csa_str(m, "state"),
		     csa_str(m, "reason"),
		     csa_fmt_time(csa_u64(m, "started"), when));
	csa_table_kv(t, "progress", "%s", progress_text(m, line, sizeof(line)));
	if (csa_i64(m, "locked_region") >= 0)
		csa_table_kv(t, "locked", "region %lld",
			     csa_i64(m, "locked_region"));
	else
		csa_table_kv(t, "locked", "none");
	if (json_object_object_get(m, "locks"))
		csa_table_kv(t, "locks", "%s", locks_text(m, line, sizeof(line)));
	csa_table_kv(t, "moving", "%s, %s", from_to(m, arrays, sizeof(arrays)),
		     cap_text(m, cap, sizeof(cap)));
}

int csa_load_fit_print(struct json_object *fit)
{
	static const struct csa_col cols[] = {
		{ "ARRAY", false }, { "SCORE", true }, { "LOAD-MB/S", true },
		{ "NEED-MB/S", true }, { "LOAD-IOPS", true },
		{ "NEED-IOPS", true } };
	struct csa_table *t;
	struct json_object *f;
	size_t i;

	if (!json_object_is_type(fit, json_type_array) ||
	    !json_object_array_length(fit))
		return CSA_EXIT_OK;
	t = csa_table_new(cols, 6);
	for (i = 0; i < json_object_array_length(fit); i++) {
		f = json_object_array_get_idx(fit, i);
		csa_table_add(t, "%s", csa_str(f, "array"));
		csa_table_add(t, "%.2f", json_object_get_double(
				json_object_object_get(f, "score")));
		csa_table_add(t, "%llu", csa_u64(f, "load_mbps"));
		csa_table_add(t, "%llu", csa_u64(f, "need_mbps"));
		csa_table_add(t, "%llu", csa_u64(f, "load_iops"));
		csa_table_add(t, "%llu", csa_u64(f, "need_iops"));
	}
	printf("\n%s\n", fit_statement);
	return csa_table_print(t);
}

/* ---- volume migrate ----------------------------------------------------- */

static int print_plan(struct json_object *p, const char *name)
{
	struct csa_table *t = csa_table_new(kv_cols, 2);
	char a[CSA_FMT_LEN], arrays[2100];

	csa_table_kv(t, "volume", "%s", name);
	csa_table_kv(t, "layout", "%llu columns x %llu copies",
		     csa_u64(p, "columns"), csa_u64(p, "copies"));
	csa_table_kv(t, "copies", "%llu moved, %llu added, %llu restriped, %llu kept, %llu grown",
		     csa_u64(p, "moved"), csa_u64(p, "added"),
		     csa_u64(p, "restriped"), csa_u64(p, "kept"),
		     csa_u64(p, "grown"));
	csa_table_kv(t, "arrays", "%s", from_to(p, arrays, sizeof(arrays)));
	csa_table_kv(t, "regions", "%llu of %s", csa_u64(p, "regions"),
		     csa_fmt_size(csa_u64(p, "region_bytes"), a));
	csa_table_kv(t, "to copy", "%s", csa_fmt_size(csa_u64(p, "bytes"), a));
	csa_table_kv(t, "expected", "%s at the pacing's rate",
		     csa_fmt_duration(csa_i64(p, "expected_seconds"), a));
	return csa_table_print(t);
}

/* What started (or, for a dry run, nothing), then the plan. */
static int print_migrate(struct json_object *r)
{
	struct json_object *m = json_object_object_get(r, "migration");
	const char *name = csa_str(r, "name");
	char cap[64];

	if (csa_bool(r, "dry_run"))
		printf("dry run: the plan to migrate %s; nothing was started\n\n",
		       name);
	else if (m)
		printf("migration of %s started (%s), %s\n\n", name,
		       csa_str(m, "reason"), cap_text(m, cap, sizeof(cap)));
	else
		printf("no migration of %s was started\n\n", name);
	return print_plan(json_object_object_get(r, "plan"), name);
}

/* Is this event about the migration of @name? */
static bool ours(const char *ev, struct json_object *d, const char *name)
{
	return !strncmp(ev, "migration.", 10) &&
	       !strcmp(csa_str(d, "volume"), name);
}

/* {"event": @ev, "data": @d}, as --json prints each event. */
static void print_event(const char *ev, struct json_object *d)
{
	struct json_object *o = json_object_new_object();

	csa_req_str(o, "event", ev);
	json_object_object_add(o, "data", json_object_get(d));
	csa_print_json(o);
	fflush(stdout);		/* as it comes, through a pipe too */
	json_object_put(o);
}

/* The last line: the primary's final figures, when it gives them. */
static void print_done(const char *name, struct json_object *d)
{
	char bytes[CSA_FMT_LEN], locks[192];

	if (!json_object_object_get(d, "regions")) {
		printf("%s: migration done\n", name);
		return;
	}
	printf("%s: migration done: %llu regions, %s copied; locks %s\n", name,
	       csa_u64(d, "regions"), csa_fmt_size(csa_u64(d, "bytes"), bytes),
	       locks_text(d, locks, sizeof(locks)));
}

/* One event of our migration: GO_ON, or the exit status. */
static int migration_event(struct csa_cli *cli, struct csa_progress *p,
			   const char *name, const char *ev,
			   struct json_object *d)
{
	char line[256];

	if (cli->json)
		print_event(ev, d);
	if (!strcmp(ev, "migration.failed")) {
		csa_progress_end(p);
		return csa_fail("the migration of %s failed (%s): %s", name,
				csa_str(d, "code"), csa_str(d, "message"));
	}
	if (!strcmp(ev, "migration.done")) {
		csa_progress_end(p);
		if (!cli->json)
			print_done(name, d);
		return CSA_EXIT_OK;
	}
	if (cli->json)
		return GO_ON;
	if (!strcmp(ev, "migration.progress"))
		csa_progress_show(p, "%s: %s, %s", name, csa_str(d, "state"),
				  progress_text(d, line, sizeof(line)));
	else if (!strcmp(ev, "migration.paused") ||
		 !strcmp(ev, "migration.resumed"))
		csa_progress_show(p, "%s: migration %s", name, ev + 10);
	return GO_ON;
}

/*
 * Until the migration is done or has failed, however long that takes: a
 * wait that times out is followed by another. Ctrl-C ends csa alone; the
 * migration goes on at the primary.
 */
static int watch(struct csa_cli *cli, const char *name)
{
	struct csa_progress p = { .tty = isatty(STDOUT_FILENO) };
	struct json_object *d;
	int ret = GO_ON;
	char ev[64];

	while (ret == GO_ON) {
		ret = csa_client_event(cli->client, WAIT_MS, ev, sizeof(ev), &d);
		if (ret == -ETIMEDOUT) {
			ret = GO_ON;
			continue;
		}
		if (ret) {
			csa_progress_end(&p);
			return csa_fail("the connection to the primary broke while watching the migration of %s; it goes on there (csa migration ls)",
					name);
		}
		ret = ours(ev, d, name) ? migration_event(cli, &p, name, ev, d) :
		      GO_ON;
		json_object_put(d);
	}
	return ret;
}

static int migrate_and_wait(struct csa_cli *cli, struct json_object *req,
			    const char *name)
{
	struct json_object *res;
	bool started;
	int ret;

	/* Subscribe first, so that no event of this migration is missed. */
	ret = csa_call(cli, csa_request("subscribe", NULL), &res);
	if (ret) {
		json_object_put(req);
		return ret;
	}
	json_object_put(res);
	ret = csa_call(cli, req, &res);
	if (ret)
		return ret;
	if (cli->json)
		csa_print_json(res);
	else
		ret = print_migrate(res);
	started = json_object_object_get(res, "migration") != NULL;
	json_object_put(res);
	if (ret || !started)
		return ret;
	if (!cli->json)
		putchar('\n');
	fflush(stdout);		/* seen now, through a pipe too */
	return watch(cli, name);
}

/* One option of volume migrate, into @req: 0, or the exit status. */
static int migrate_option(struct json_object *req, int c, const char *v,
			  bool *wait)
{
	struct json_object *list;
	uint64_t n;

	switch (c) {
	case 't':
		if (csa_opt_names("--to", v, &list))
			return CSA_EXIT_USAGE;
		json_object_object_add(req, "to", list);
		if (!json_object_array_length(list))
			return csa_usage("volume migrate: --to: no array named");
		return 0;
	case 'r':
		json_object_object_add(req, "rebalance",
				       json_object_new_boolean(1));
		return 0;
	case 'm':
		if (csa_opt_count("--max-rate", v, &n))
			return CSA_EXIT_USAGE;
		csa_req_u64(req, "max_rate", n);
		return 0;
	case 'n':
		json_object_object_add(req, "dry_run",
				       json_object_new_boolean(1));
		return 0;
	case 'w':
		*wait = true;
		return 0;
	}
	return CSA_EXIT_USAGE;
}

int csa_volume_migrate(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "to", 1, 0, 't' }, { "rebalance", 0, 0, 'r' },
		{ "max-rate", 1, 0, 'm' }, { "dry-run", 0, 0, 'n' },
		{ "wait", 0, 0, 'w' }, { 0, 0, 0, 0 } };
	struct json_object *req = json_object_new_object();
	bool wait = false;
	const char *name;
	int c;

	while ((c = csa_getopt(argc, argv, "volume migrate", lo)) != -1)
		if (migrate_option(req, c, optarg, &wait))
			goto usage;
	if (csa_one_name(argc, argv, "volume migrate", &name))
		goto usage;
	if (wait && csa_bool(req, "dry_run")) {
		csa_usage("volume migrate: --wait with --dry-run: a dry run starts nothing to wait for");
		goto usage;
	}
	csa_req_str(req, "op", "volume.migrate");
	csa_req_str(req, "name", name);
	if (wait)
		return migrate_and_wait(cli, req, name);
	return csa_run(cli, req, print_migrate);
usage:
	json_object_put(req);
	return CSA_EXIT_USAGE;
}

/* ---- migration ls, pause, resume ---------------------------------------- */

static int print_migrations(struct json_object *r)
{
	static const struct csa_col cols[] = {
		{ "VOLUME", false }, { "STATE", false }, { "REGIONS", true },
		{ "DONE", true }, { "BYTES", true }, { "RATE", true },
		{ "ETA", true }, { "REASON", false } };
	struct json_object *list = json_object_object_get(r, "migrations"), *m;
	struct csa_table *t = csa_table_new(cols, 8);
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN];
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		m = json_object_array_get_idx(list, i);
		csa_table_add(t, "%s", csa_str(m, "volume"));
		csa_table_add(t, "%s", csa_str(m, "state"));
		csa_table_add(t, "%llu", csa_u64(m, "regions"));
		csa_table_add(t, "%llu", csa_u64(m, "regions_done"));
		csa_table_add(t, "%s/%s", csa_fmt_size(csa_u64(m, "bytes_done"), a),
			      csa_fmt_size(csa_u64(m, "bytes"), b));
		csa_table_add(t, "%llu MB/s", csa_u64(m, "rate_mbps"));
		csa_table_add(t, "%s", csa_fmt_duration(csa_i64(m, "eta_seconds"), a));
		csa_table_add(t, "%s", csa_str(m, "reason"));
	}
	return csa_table_print(t);
}

static int migration_ls(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };

	if (csa_getopt(argc, argv, "migration ls", lo) != -1 ||
	    csa_no_operand(argc, argv, "migration ls"))
		return CSA_EXIT_USAGE;
	return csa_run(cli, csa_request("migration.list", NULL),
		       print_migrations);
}

/* The migrations pause or resume changed, one line each; @none if none. */
static int print_changed(struct json_object *r, const char *none)
{
	struct json_object *list = json_object_object_get(r, "migrations"), *m;
	char line[256];
	size_t i;

	if (!json_object_array_length(list))
		puts(none);
	for (i = 0; i < json_object_array_length(list); i++) {
		m = json_object_array_get_idx(list, i);
		printf("%s: %s, %s\n", csa_str(m, "volume"), csa_str(m, "state"),
		       progress_text(m, line, sizeof(line)));
	}
	return CSA_EXIT_OK;
}

static int print_paused(struct json_object *r)
{
	return print_changed(r, "no migration to pause");
}

static int print_resumed(struct json_object *r)
{
	return print_changed(r, "no migration to resume");
}

/* pause and resume: [NAME], every migration without it. */
static int pause_resume(struct csa_cli *cli, int argc, char **argv,
			const char *cmd, const char *op,
			int (*print)(struct json_object *))
{
	static const struct option lo[] = { { 0, 0, 0, 0 } };
	const char *name = NULL;

	if (csa_getopt(argc, argv, cmd, lo) != -1)
		return CSA_EXIT_USAGE;
	if (optind + 1 < argc)
		return csa_usage("%s: unexpected '%s' after NAME", cmd,
				 argv[optind + 1]);
	if (optind < argc)
		name = argv[optind];
	return csa_run(cli, csa_request(op, name), print);
}

static int migration_pause(struct csa_cli *cli, int argc, char **argv)
{
	return pause_resume(cli, argc, argv, "migration pause",
			    "migration.pause", print_paused);
}

static int migration_resume(struct csa_cli *cli, int argc, char **argv)
{
	return pause_resume(cli, argc, argv, "migration resume",
			    "migration.resume", print_resumed);
}

int csa_cmd_migration(struct csa_cli *cli, int argc, char **argv)
{
	static const struct csa_cmd cmds[] = {
		{ "ls", migration_ls }, { "pause", migration_pause },
		{ "resume", migration_resume } };

	return csa_dispatch(cli, "migration", cmds, 3, argc, argv);
}
