// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for csa-primaryd, for the tests of csa alone: the API server
 * (api_server.h) with a table of every op of ops.h answering canned
 * results, each request written to a log for the test to check.
 *
 *   fake_primary DIR PORTFILE LOG   serve on 127.0.0.1 (a free port, written
 *                                   to PORTFILE) with DIR/primary.crt, .key
 *                                   and DIR/ca/ca.crt, until SIGTERM
 *   fake_primary --canned OP [NAME] print OP's canned result (for a request
 *                                   naming NAME) and exit
 *   fake_primary --refusal          print the volume.create refusal's error
 *
 * Refusals: volume.create of a volume named "huge" (no_bandwidth, with the
 * planner's detail), volume.show of "nope" (not_found, no detail),
 * volume.migrate of "still" (nothing_to_move) and of "moving" (busy),
 * migration.pause/resume of "nope" (not_found), and a field the op does
 * not take (bad_request), as the contract has it. After array.calibrate
 * the calibration's events follow: for "bad", one progress event and
 * calibrate.failed; for any other array, progress of both phases and
 * calibrate.done; events about another array come in between. After a
 * volume.migrate that starts one, the migration's events follow: for
 * "bad", one progress and migration.failed; for any other volume,
 * progress, paused, resumed, progress, done; events of another volume and
 * kind come in between; for "slow", none.
 *
 * The monitor's figures: arrays a1 and array-three have a "load", a2 (and
 * array.show of "old") none; volume.show of db1 has a migration and
 * load_fit, of "old" neither (an older primary); volume.set of "db2"
 * starts a migration; migration.pause of "idle" changes none.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "primary/api_server.h"

struct fake {
	pthread_mutex_t lock;	/* serialises the log, guards publishers */
	pthread_cond_t idle;	/* signalled when a publisher ends */
	unsigned publishers;	/* threads still publishing events */
	FILE *log;
	struct csa_api_server *srv;
};

/* ---- canned results ------------------------------------------------------ */

static const char status_json[] =
"{\"cluster\": \"5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e\", \"generation\": 12,"
" \"sequence\": 40, \"primary\": \"primary\", \"started\": 1793700000,"
" \"arrays\": 4, \"arrays_up\": 3, \"luns\": 6, \"hosts\": 2, \"volumes\": 2,"
" \"capacity_bytes\": 429496729600, \"used_bytes\": 32212254720,"
" \"free_bytes\": 397284474880, \"rated_mbps\": 1600, \"reserved_mbps\": 600,"
" \"rated_iops\": 100000, \"reserved_iops\": 30000, \"migrations\": 1,"
" \"alerts\": [{\"array\": \"a2\", \"volume\": \"db1\", \"since\": 1793786400,"
"  \"message\": \"a2 is at 97 % and no placement relieves it: add an array with 300 MB/s free\"},"
" {\"array\": \"array-three\", \"volume\": \"\", \"since\": 1793786460,"
"  \"message\": \"array-three has 512B free\"}]}";

#define ARRAY_A1 \
"\"name\": \"a1\", \"portal\": \"127.0.0.1:3261\"," \
" \"target\": \"iqn.2026-11.org.csafs.lab:a1\", \"state\": \"up\", \"luns\": 2," \
" \"capacity_bytes\": 214748364800, \"free_bytes\": 193273528320," \
" \"rated_mbps\": 400, \"rated_iops\": 25000, \"calibrated\": true," \
" \"reserved_mbps\": 200, \"reserved_iops\": 10000, \"volumes\": 2"

#define LOAD_A1 \
"\"load\": {\"state\": \"saturated\", \"util\": 93, \"mbps\": 372, \"iops\": 23250," \
" \"p99_us\": 4200}"

#define LUN_LIST_A1 \
"\"lun_list\": [" \
" {\"number\": 1, \"uuid\": \"0e6b5a3c-1f2d-4e4f-8a9b-0c1d2e3f4a5b\"," \
"  \"state\": \"up\", \"block_size\": 512, \"blocks\": 209715200," \
"  \"reserved_blocks\": 8192, \"capacity_bytes\": 107374182400," \
"  \"free_bytes\": 96636764160}," \
" {\"number\": 2, \"uuid\": \"7c8d9e0f-a1b2-4c3d-9e4f-5a6b7c8d9e0f\"," \
"  \"state\": \"up\", \"block_size\": 512, \"blocks\": 209715200," \
"  \"reserved_blocks\": 8192, \"capacity_bytes\": 107374182400," \
"  \"free_bytes\": 96636764160}]," \
" \"volume_names\": [\"db1\", \"logs\"]"

static const char array_json[] =
"{" ARRAY_A1 ", " LOAD_A1 ", " LUN_LIST_A1 "}";

/* As an older primary shows an array: no "load". */
static const char array_old_json[] =
"{" ARRAY_A1 ", " LUN_LIST_A1 "}";

static const char array_list_json[] =
"{\"arrays\": [{" ARRAY_A1 ", " LOAD_A1 "},"
" {\"name\": \"a2\", \"portal\": \"127.0.0.1:3262\","
"  \"target\": \"iqn.2026-11.org.csafs.lab:a2\", \"state\": \"down\","
"  \"luns\": 1, \"capacity_bytes\": 107374182400, \"free_bytes\": 102005473280,"
"  \"rated_mbps\": 0, \"rated_iops\": 0, \"calibrated\": false,"
"  \"reserved_mbps\": 100, \"reserved_iops\": 5000, \"volumes\": 1},"
" {\"name\": \"array-three\", \"portal\": \"127.0.0.1:3263\","
"  \"target\": \"iqn.2026-11.org.csafs.lab:a3\", \"state\": \"up\","
"  \"luns\": 12, \"capacity_bytes\": 1319413953331, \"free_bytes\": 512,"
"  \"rated_mbps\": 1200, \"rated_iops\": 75000, \"calibrated\": true,"
"  \"reserved_mbps\": 300, \"reserved_iops\": 15000, \"volumes\": 11,"
"  \"load\": {\"state\": \"ok\", \"util\": 12, \"mbps\": 144, \"iops\": 9000,"
"   \"p99_us\": 800}}]}";

#define LAYOUT \
"{\"size\": 10737418240, \"block_size\": 512, \"stripe_unit\": 1048576," \
" \"region_rows\": 64, \"arrays\": [" \
" {\"name\": \"a1\", \"portal\": \"127.0.0.1:3261\", \"target\": \"iqn.2026-11.org.csafs.lab:a1\"}," \
" {\"name\": \"a2\", \"portal\": \"127.0.0.1:3262\", \"target\": \"iqn.2026-11.org.csafs.lab:a2\"}," \
" {\"name\": \"a3\", \"portal\": \"127.0.0.1:3263\", \"target\": \"iqn.2026-11.org.csafs.lab:a3\"}," \
" {\"name\": \"a4\", \"portal\": \"127.0.0.1:3264\", \"target\": \"iqn.2026-11.org.csafs.lab:a4\"}]," \
" \"columns\": [" \
" {\"copies\": [[{\"array\": \"a1\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]," \
"              [{\"array\": \"a2\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]]}," \
" {\"copies\": [[{\"array\": \"a3\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 6291456}," \
"               {\"array\": \"a3\", \"lun\": 2, \"start_lba\": 8192, \"blocks\": 4194304}]," \
"              [{\"array\": \"a4\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]]}]," \
" \"regions\": [{\"first\": 3, \"count\": 2, \"state\": \"locked\"}]}"

#define VOLUME_DB1 \
"\"name\": \"db1\", \"state\": \"ok\", \"size\": 10737418240, \"mbps\": 400," \
" \"iops\": 20000, \"copies\": 2, \"columns\": 2, \"stripe_unit\": 1048576," \
" \"hosts\": [\"h1\", \"h2\"], \"arrays\": [\"a1\", \"a2\", \"a3\", \"a4\"]"

/* As an older primary shows a volume: no "migration", no "load_fit". */
static const char volume_json[] =
"{" VOLUME_DB1 ", \"fit\": \"best\", \"requested_size\": 10737418000,"
" \"requested_copies\": 2, \"column_mbps\": 200, \"column_iops\": 10000,"
" \"layout\": " LAYOUT "}";

/* The migration volume.show has: where the regions are in the `to` layout. */
#define TO_LAYOUT \
"{\"size\": 10737418240, \"block_size\": 512, \"stripe_unit\": 1048576," \
" \"region_rows\": 64, \"arrays\": [" \
" {\"name\": \"a1\", \"portal\": \"127.0.0.1:3261\", \"target\": \"iqn.2026-11.org.csafs.lab:a1\"}," \
" {\"name\": \"a2\", \"portal\": \"127.0.0.1:3262\", \"target\": \"iqn.2026-11.org.csafs.lab:a2\"}," \
" {\"name\": \"a5\", \"portal\": \"127.0.0.1:3265\", \"target\": \"iqn.2026-11.org.csafs.lab:a5\"}," \
" {\"name\": \"a4\", \"portal\": \"127.0.0.1:3264\", \"target\": \"iqn.2026-11.org.csafs.lab:a4\"}]," \
" \"columns\": [" \
" {\"copies\": [[{\"array\": \"a1\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]," \
"              [{\"array\": \"a2\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]]}," \
" {\"copies\": [[{\"array\": \"a5\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]," \
"              [{\"array\": \"a4\", \"lun\": 1, \"start_lba\": 8192, \"blocks\": 10485760}]]}]," \
" \"regions\": [{\"first\": 0, \"count\": 12, \"state\": \"migrated\"}," \
"  {\"first\": 12, \"count\": 1, \"state\": \"locked\"}]}"

static const char load_fit_json[] =
"[{\"array\": \"a1\", \"score\": 1.25, \"load_mbps\": 300, \"need_mbps\": 200,"
"  \"load_iops\": 12000, \"need_iops\": 10000},"
" {\"array\": \"a2\", \"score\": 0, \"load_mbps\": 0, \"need_mbps\": 200,"
"  \"load_iops\": 0, \"need_iops\": 10000},"
" {\"array\": \"a3\", \"score\": 0.333, \"load_mbps\": 240, \"need_mbps\": 200,"
"  \"load_iops\": 9000, \"need_iops\": 10000}]";

static const char plan_json[] =
"{\"columns\": 2, \"copies\": 2, \"moved\": 1, \"added\": 0, \"restriped\": 0,"
" \"kept\": 3, \"grown\": 0, \"from\": [\"a1\", \"a2\", \"a3\", \"a4\"],"
" \"to\": [\"a1\", \"a2\", \"a5\", \"a4\"], \"regions\": 80,"
" \"region_bytes\": 134217728, \"bytes\": 5368709120, \"expected_seconds\": 27}";

/* A MIGRATION (ops.h) of 80 regions of 128M, 64M of each to copy. */
struct mig {
	const char *state, *reason;
	unsigned done, rate, max_rate;
	int eta, locked;
};

static struct json_object *migration(const char *name, const struct mig *m)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"volume\": \"%s\", \"state\": \"%s\", \"reason\": \"%s\","
		 " \"started\": 1793786400, \"regions\": 80, \"regions_done\": %u,"
		 " \"region_bytes\": 134217728, \"bytes\": 5368709120,"
		 " \"bytes_done\": %llu, \"rate_mbps\": %u, \"max_rate\": %u,"
		 " \"eta_seconds\": %d, \"locked_region\": %d, \"locks\": %u,"
		 " \"lock_ms_p50\": %u, \"lock_ms_p99\": %u, \"lock_ms_max\": %u,"
		 " \"regions_moved\": %u, \"regions_ahead\": %u,"
		 " \"from\": [\"a1\", \"a2\", \"a3\", \"a4\"],"
		 " \"to\": [\"a1\", \"a2\", \"a5\", \"a4\"]}",
		 name, m->state, m->reason, m->done,
		 (unsigned long long)m->done * 67108864, m->rate, m->max_rate,
		 m->eta, m->locked, m->done, m->done ? 3 : 0, m->done ? 12 : 0,
		 m->done ? 20 : 0, m->done, m->done - m->done / 4);
	return json_tokener_parse(text);
}

static const struct mig mig_db1 = { "locked", "monitor: a1 at 93 %", 12, 95, 0, 48, 12 };
static const struct mig mig_logs = { "paused", "set", 3, 0, 100, -1, -1 };
static const struct mig mig_started = { "running", "manual", 0, 0, 0, 27, -1 };
static const struct mig mig_set = { "running", "set", 0, 0, 0, -1, -1 };
static const struct mig mig_paused = { "paused", "monitor: a1 at 93 %", 12, 0, 0, -1, -1 };
static const struct mig mig_resumed = { "running", "set", 3, 40, 100, 190, -1 };

/* {"migrations": [...]} of the @n named migrations. */
static struct json_object *migrations(const char *const *names,
				      const struct mig *const *m, unsigned n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	unsigned i;

	for (i = 0; i < n; i++)
		json_object_array_add(list, migration(names[i], m[i]));
	json_object_object_add(o, "migrations", list);
	return o;
}

static const char volume_list_json[] =
"{\"volumes\": [{" VOLUME_DB1 "},"
" {\"name\": \"logs\", \"state\": \"ok\", \"size\": 1099511627776, \"mbps\": 0,"
"  \"iops\": 0, \"copies\": 1, \"columns\": 1, \"stripe_unit\": 262144,"
"  \"hosts\": [], \"arrays\": [\"a1\"]}]}";

static const char host_json[] =
"{\"name\": \"db-host-1\", \"registered\": 1793700100}";

static const char host_list_json[] =
"{\"hosts\": [{\"name\": \"db-host-1\", \"registered\": 1793700100, \"volumes\": 1,"
" \"last_report\": 1793786510, \"open\": [\"db1\", \"db2\"]},"
" {\"name\": \"h2\", \"registered\": 1793786500, \"volumes\": 12,"
" \"last_report\": 0, \"open\": []}]}";

static const char refusal_message[] =
"needs 800 MB/s; arrays with room for a column have 620 MB/s free "
"(a1 180, a3 240, a4 200); a2 is full";

static const char refusal_detail[] =
"{\"code\": \"no_bandwidth\", \"message\": \"needs 800 MB/s; arrays with room"
" for a column have 620 MB/s free (a1 180, a3 240, a4 200); a2 is full\","
" \"field\": null, \"size\": 107374182400, \"mbps\": 800, \"iops\": 0,"
" \"copies\": 1, \"columns\": 4, \"arrays_needed\": 4, \"arrays_ok\": 0,"
" \"column_bytes\": 26843545600, \"column_mbps\": 200, \"column_iops\": 0,"
" \"free_mbps\": 620, \"free_iops\": 60000, \"free_bytes\": 397284474880,"
" \"arrays\": ["
" {\"name\": \"a1\", \"free_mbps\": 180, \"free_iops\": 15000, \"free_bytes\": 193273528320, \"ok\": false},"
" {\"name\": \"a2\", \"free_mbps\": 0, \"free_iops\": 0, \"free_bytes\": 102005473280, \"ok\": false},"
" {\"name\": \"a3\", \"free_mbps\": 240, \"free_iops\": 30000, \"free_bytes\": 51002736640, \"ok\": false},"
" {\"name\": \"a4\", \"free_mbps\": 200, \"free_iops\": 15000, \"free_bytes\": 51002736640, \"ok\": false}]}";

static const char *name_of(struct json_object *req)
{
	const char *name = json_object_get_string(json_object_object_get(req,
									 "name"));

	return name ? name : "";
}

/* volume.show of db1 as a primary with a monitor has it. */
static struct json_object *volume_show(const char *name)
{
	struct json_object *o = json_tokener_parse(volume_json), *m;

	if (!strcmp(name, "old"))
		return o;
	m = migration("db1", &mig_db1);
	json_object_object_add(m, "layout", json_tokener_parse(TO_LAYOUT));
	json_object_object_add(o, "migration", m);
	json_object_object_add(o, "load_fit", json_tokener_parse(load_fit_json));
	return o;
}

/* volume.create and volume.set: no migration, but for volume.set of db2. */
static struct json_object *volume_changed(const char *op, const char *name)
{
	struct json_object *o = json_tokener_parse(volume_json);

	json_object_object_add(o, "load_fit", json_object_new_array());
	json_object_object_add(o, "migration", NULL);
	if (strcmp(op, "volume.set"))
		return o;
	json_object_object_add(o, "kept", json_object_new_int(3));
	json_object_object_add(o, "grown", json_object_new_int(1));
	if (!strcmp(name, "db2")) {
		json_object_object_add(o, "name", json_object_new_string("db2"));
		json_object_object_add(o, "migration", migration("db2", &mig_set));
	}
	return o;
}

/* volume.migrate: the plan, and the migration unless it is a dry run. */
static struct json_object *volume_migrate(struct json_object *req)
{
	struct json_object *o = json_object_new_object();
	bool dry = json_object_get_boolean(json_object_object_get(req, "dry_run"));
	struct mig m = mig_started;

	m.max_rate = (unsigned)json_object_get_int(json_object_object_get(req,
								"max_rate"));
	json_object_object_add(o, "name", json_object_new_string(name_of(req)));
	json_object_object_add(o, "dry_run", json_object_new_boolean(dry));
	json_object_object_add(o, "plan", json_tokener_parse(plan_json));
	json_object_object_add(o, "migration",
			       dry ? NULL : migration(name_of(req), &m));
	return o;
}

static struct json_object *migration_op(const char *op, const char *name)
{
	static const char *const list_names[] = { "db1", "logs" };
	static const struct mig *const list[] = { &mig_db1, &mig_logs };
	static const char *const db1[] = { "db1" }, *const logs[] = { "logs" };
	static const struct mig *const paused[] = { &mig_paused };
	static const struct mig *const resumed[] = { &mig_resumed };

	if (!strcmp(op, "migration.list"))
		return migrations(list_names, list, 2);
	if (!strcmp(name, "idle"))
		return migrations(NULL, NULL, 0);
	if (!strcmp(op, "migration.pause"))
		return migrations(db1, paused, 1);
	return migrations(logs, resumed, 1);
}

/* What @op answers to @req; NULL for an unknown op. */
static struct json_object *canned(const char *op, struct json_object *req)
{
	const char *name = name_of(req);

	if (!strcmp(op, "status"))
		return json_tokener_parse(status_json);
	if (!strcmp(op, "array.show") && !strcmp(name, "old"))
		return json_tokener_parse(array_old_json);
	if (!strcmp(op, "array.add") || !strcmp(op, "array.show"))
		return json_tokener_parse(array_json);
	if (!strcmp(op, "array.list"))
		return json_tokener_parse(array_list_json);
	if (!strcmp(op, "array.calibrate"))
		return json_tokener_parse("{\"name\": \"a1\", \"seconds\": 1}");
	if (!strcmp(op, "volume.show"))
		return volume_show(name);
	if (!strcmp(op, "volume.create") || !strcmp(op, "volume.set"))
		return volume_changed(op, name);
	if (!strcmp(op, "volume.migrate"))
		return volume_migrate(req);
	if (!strncmp(op, "migration.", 10))
		return migration_op(op, name);
	if (!strcmp(op, "volume.list"))
		return json_tokener_parse(volume_list_json);
	if (!strcmp(op, "volume.delete"))
		return json_tokener_parse("{\"name\": \"db1\"}");
	if (!strcmp(op, "host.register"))
		return json_tokener_parse(host_json);
	if (!strcmp(op, "host.list"))
		return json_tokener_parse(host_list_json);
	return NULL;
}

/* ---- the ops ------------------------------------------------------------- */

/* The fields each op takes (ops.h); "op" and "id" always. */
static const char *const *fields_of(const char *op)
{
	static const char *const none[] = { NULL };
	static const char *const name[] = { "name", NULL };
	static const char *const array_add[] = {
		"name", "portal", "target", "luns", "rated_mbps", "rated_iops",
		NULL };
	static const char *const calibrate[] = { "name", "seconds", NULL };
	static const char *const create[] = {
		"name", "size", "mbps", "iops", "copies", "hosts",
		"stripe_unit", "fit", NULL };
	static const char *const set[] = {
		"name", "size", "mbps", "iops", "copies", "hosts", NULL };
	static const char *const migrate[] = {
		"name", "to", "rebalance", "dry_run", "max_rate", NULL };

	if (!strcmp(op, "array.add"))
		return array_add;
	if (!strcmp(op, "array.calibrate"))
		return calibrate;
	if (!strcmp(op, "volume.create"))
		return create;
	if (!strcmp(op, "volume.set"))
		return set;
	if (!strcmp(op, "volume.migrate"))
		return migrate;
	if (!strcmp(op, "status") || !strcmp(op, "array.list") ||
	    !strcmp(op, "volume.list") || !strcmp(op, "host.list") ||
	    !strcmp(op, "migration.list"))
		return none;
	return name;
}

static void record(struct fake *f, struct json_object *req)
{
	pthread_mutex_lock(&f->lock);
	fprintf(f->log, "%s\n", json_object_to_json_string_ext(req,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f->log);
	pthread_mutex_unlock(&f->lock);
}

/* A thread publishing the events of a calibration or a migration. */
struct job {
	struct fake *f;
	char name[64];		/* the array or the volume */
};

static void pause_a_little(void)
{
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
}

static void publish(struct fake *f, const char *event, const char *fmt,
		    const char *name)
{
	char text[512];

	snprintf(text, sizeof(text), fmt, name);
	csa_api_server_publish(f->srv, event, json_tokener_parse(text));
	pause_a_little();
}

static void publish_obj(struct fake *f, const char *event,
			struct json_object *data)
{
	csa_api_server_publish(f->srv, event, data);
	pause_a_little();
}

static void job_end(struct job *j)
{
	struct fake *f = j->f;

	free(j);
	pthread_mutex_lock(&f->lock);
	f->publishers--;
	pthread_cond_signal(&f->idle);
	pthread_mutex_unlock(&f->lock);
}

static void *calibrate_events(void *arg)
{
	struct job *c = arg;
	const char *a = c->name;

	publish(c->f, "calibrate.progress", "{\"array\": \"elsewhere\", \"phase\": "
		"\"seq\", \"elapsed_ms\": 1, \"total_ms\": 1000, \"mbps\": 1, \"iops\": 1}", a);
	publish(c->f, "calibrate.progress", "{\"array\": \"%s\", \"phase\": \"seq\", "
		"\"elapsed_ms\": 500, \"total_ms\": 1000, \"mbps\": 398, \"iops\": 380}", a);
	if (!strcmp(a, "bad")) {
		publish(c->f, "calibrate.failed", "{\"array\": \"%s\", \"code\": "
			"\"unreachable\", \"message\": \"bad stopped answering "
			"in the sequential phase\"}", a);
		job_end(c);
		return NULL;
	}
	publish(c->f, "volume.changed", "{\"name\": \"%s\", \"generation\": 13}", a);
	publish(c->f, "calibrate.progress", "{\"array\": \"%s\", \"phase\": \"seq\", "
		"\"elapsed_ms\": 1000, \"total_ms\": 1000, \"mbps\": 412, \"iops\": 393}", a);
	publish(c->f, "calibrate.progress", "{\"array\": \"%s\", \"phase\": \"rand\", "
		"\"elapsed_ms\": 1000, \"total_ms\": 1000, \"mbps\": 98, \"iops\": 25100}", a);
	publish(c->f, "calibrate.done", "{\"array\": \"elsewhere\", "
		"\"rated_mbps\": 1, \"rated_iops\": 1}", a);
	publish(c->f, "calibrate.done", "{\"array\": \"%s\", "
		"\"rated_mbps\": 412, \"rated_iops\": 25100}", a);
	job_end(c);
	return NULL;
}

static void *migrate_events(void *arg)
{
	static const struct mig half = { "locked", "manual", 40, 190, 0, 13, 40 };
	static const struct mig all = { "running", "manual", 80, 200, 0, 0, -1 };
	static const struct mig done = { "done", "manual", 80, 200, 0, 0, -1 };
	struct job *j = arg;
	const char *v = j->name;
	struct json_object *started;

	if (!strcmp(v, "slow")) {	/* never ends: for Ctrl-C */
		job_end(j);
		return NULL;
	}
	started = migration(v, &mig_started);
	json_object_object_add(started, "plan", json_tokener_parse(plan_json));
	publish_obj(j->f, "migration.started", started);
	publish_obj(j->f, "migration.progress", migration("elsewhere", &half));
	publish_obj(j->f, "migration.progress", migration(v, &half));
	if (!strcmp(v, "bad")) {
		publish(j->f, "migration.failed", "{\"volume\": \"%s\", \"code\": "
			"\"io\", \"message\": \"a5 did not take the copy of region 41\"}", v);
		job_end(j);
		return NULL;
	}
	publish(j->f, "migration.paused", "{\"volume\": \"%s\"}", v);
	publish(j->f, "volume.changed", "{\"name\": \"%s\", \"generation\": 14}", v);
	publish(j->f, "migration.resumed", "{\"volume\": \"%s\"}", v);
	publish_obj(j->f, "migration.progress", migration(v, &all));
	publish(j->f, "migration.done", "{\"volume\": \"elsewhere\"}", v);
	publish_obj(j->f, "migration.done", migration(v, &done));
	job_end(j);
	return NULL;
}

static void start_job(struct fake *f, struct json_object *req,
		      void *(*fn)(void *))
{
	struct job *j = calloc(1, sizeof(*j));
	pthread_t t;

	if (!j)
		return;
	j->f = f;
	snprintf(j->name, sizeof(j->name), "%s", name_of(req));
	pthread_mutex_lock(&f->lock);
	f->publishers++;
	pthread_mutex_unlock(&f->lock);
	if (pthread_create(&t, NULL, fn, j))
		job_end(j);
	else
		pthread_detach(t);
}

static int refuse(const char *op, struct json_object *req,
		  struct csa_api_err *e)
{
	const char *name = json_object_get_string(json_object_object_get(req,
									 "name"));

	if (!name)
		return 0;
	if (!strcmp(op, "volume.create") && !strcmp(name, "huge")) {
		csa_api_fail(e, "no_bandwidth", "%s", refusal_message);
		e->detail = json_tokener_parse(refusal_detail);
		return -1;
	}
	if (!strcmp(op, "volume.show") && !strcmp(name, "nope"))
		return csa_api_fail(e, "not_found", "no volume \"nope\"");
	if (!strcmp(op, "volume.migrate") && !strcmp(name, "still"))
		return csa_api_fail(e, "nothing_to_move",
				    "the plan keeps every column copy of \"still\" where it is");
	if (!strcmp(op, "volume.migrate") && !strcmp(name, "moving"))
		return csa_api_fail(e, "busy",
				    "volume \"moving\" is migrating already (12/80 regions)");
	if (!strncmp(op, "migration.", 10) && !strcmp(name, "nope"))
		return csa_api_fail(e, "not_found", "volume \"nope\" is not migrating");
	return 0;
}

static int op_any(void *ctx, const struct csa_api_peer *peer,
		  struct json_object *req, struct json_object **result,
		  struct csa_api_err *e)
{
	const char *op = json_object_get_string(json_object_object_get(req, "op"));
	struct fake *f = ctx;

	(void)peer;
	record(f, req);
	if (csa_api_fields(req, fields_of(op), e) || refuse(op, req, e))
		return -1;
	if (!strcmp(op, "array.calibrate"))
		start_job(f, req, calibrate_events);
	if (!strcmp(op, "volume.migrate") &&
	    !json_object_get_boolean(json_object_object_get(req, "dry_run")))
		start_job(f, req, migrate_events);
	*result = canned(op, req);
	return 0;
}

static const struct csa_api_op ops[] = {
	{ "status", op_any }, { "array.add", op_any },
	{ "array.list", op_any }, { "array.show", op_any },
	{ "array.calibrate", op_any }, { "volume.create", op_any },
	{ "volume.list", op_any }, { "volume.show", op_any },
	{ "volume.set", op_any }, { "volume.delete", op_any },
	{ "host.register", op_any }, { "host.list", op_any },
	{ "volume.migrate", op_any }, { "migration.list", op_any },
	{ "migration.pause", op_any }, { "migration.resume", op_any },
};

/* ---- main ---------------------------------------------------------------- */

static int print_pretty(struct json_object *o)
{
	if (!o)
		return 2;
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

static int print_refusal(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "code", json_object_new_string("no_bandwidth"));
	json_object_object_add(o, "message", json_object_new_string(refusal_message));
	json_object_object_add(o, "detail", json_tokener_parse(refusal_detail));
	return print_pretty(o);
}

/* What @op answers to a request naming @name. */
static int canned_for(const char *op, const char *name)
{
	struct json_object *req = json_object_new_object();
	int ret;

	json_object_object_add(req, "name", json_object_new_string(name));
	ret = print_pretty(canned(op, req));
	json_object_put(req);
	return ret;
}

/* The port, to a file that appears whole (renamed into place). */
static int write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) ||
	    rename(tmp, path))
		return -1;
	return 0;
}

static int serve(const char *dir, const char *portfile, const char *log)
{
	char cert[4096], key[4096], ca[4096], err[512];
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER,
			  .idle = PTHREAD_COND_INITIALIZER };
	struct csa_api_server_opts o = {
		.listen = "127.0.0.1:0", .cert = cert, .key = key, .ca = ca,
		.ops = ops, .nr_ops = sizeof(ops) / sizeof(ops[0]), .ctx = &f,
	};
	sigset_t stop;
	int sig;

	snprintf(cert, sizeof(cert), "%s/primary.crt", dir);
	snprintf(key, sizeof(key), "%s/primary.key", dir);
	snprintf(ca, sizeof(ca), "%s/ca/ca.crt", dir);
	/* Blocked in every thread, taken by sigwait below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	f.log = fopen(log, "a");
	if (!f.log) {
		perror(log);
		return 1;
	}
	if (csa_api_server_start(&o, &f.srv, err, sizeof(err))) {
		fprintf(stderr, "fake_primary: %s\n", err);
		return 1;
	}
	if (write_port(portfile, csa_api_server_port(f.srv))) {
		perror(portfile);
		csa_api_server_stop(f.srv);
		return 1;
	}
	sigwait(&stop, &sig);
	/* A job still publishing needs the server. */
	pthread_mutex_lock(&f.lock);
	while (f.publishers)
		pthread_cond_wait(&f.idle, &f.lock);
	pthread_mutex_unlock(&f.lock);
	csa_api_server_stop(f.srv);
	fclose(f.log);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--canned"))
		return canned_for(argv[2], argc == 4 ? argv[3] : "db1");
	if (argc == 2 && !strcmp(argv[1], "--refusal"))
		return print_refusal();
	if (argc == 4)
		return serve(argv[1], argv[2], argv[3]);
	fprintf(stderr, "usage: fake_primary DIR PORTFILE LOG | --canned OP [NAME] | --refusal\n");
	return 2;
}
