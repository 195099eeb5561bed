// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/ without FUSE (fs/pseudo_int.h): the renderings of status, arrays,
 * volumes/<v> and metrics from views made of what the primary and the
 * host would answer, to the byte; the metrics read back by a strict
 * parser of the Prometheus text format; control's command lines to the
 * exact requests, and their answers; event lines and the event log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pseudo_int.h"

static int failed;

__attribute__((format(printf, 2, 3)))
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed |= !ok;
}

static void text_is(const char *what, const char *got, const char *want)
{
	bool ok = got && !strcmp(got, want);

	check(ok, "%s", what);
	if (!ok)
		printf("--- want\n%s--- got\n%s---\n", want, got ? got : "(null)");
}

static struct json_object *parse(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	if (!o) {
		printf("not ok - fixture is not JSON: %.60s\n", json);
		exit(1);
	}
	return o;
}

/* ---- fixtures: what the primary and the host would answer ------------- */

#define ARRAY_A1 \
"\"name\": \"a1\", \"portal\": \"127.0.0.1:3261\"," \
" \"target\": \"iqn.2026-11.org.csafs.lab:a1\", \"state\": \"up\", \"luns\": 2," \
" \"capacity_bytes\": 214748364800, \"free_bytes\": 193273528320," \
" \"rated_mbps\": 400, \"rated_iops\": 25000, \"calibrated\": true," \
" \"reserved_mbps\": 200, \"reserved_iops\": 10000, \"volumes\": 2"

#define LUN_LIST \
"[{\"number\": 1, \"uuid\": \"0e6b5a3c-1f2d-4e4f-8a9b-0c1d2e3f4a5b\"," \
"  \"state\": \"up\", \"block_size\": 512, \"blocks\": 209715200," \
"  \"reserved_blocks\": 8192, \"capacity_bytes\": 107374182400," \
"  \"free_bytes\": 96636764160}," \
" {\"number\": 2, \"uuid\": \"7c8d9e0f-a1b2-4c3d-9e4f-5a6b7c8d9e0f\"," \
"  \"state\": \"up\", \"block_size\": 512, \"blocks\": 209715200," \
"  \"reserved_blocks\": 8192, \"capacity_bytes\": 107374182400," \
"  \"free_bytes\": 96636764160}]"

#define ARRAY_A2 \
"\"name\": \"a2\", \"portal\": \"127.0.0.1:3262\"," \
" \"target\": \"iqn.2026-11.org.csafs.lab:a2\", \"state\": \"down\"," \
" \"luns\": 1, \"capacity_bytes\": 107374182400, \"free_bytes\": 102005473280," \
" \"rated_mbps\": 0, \"rated_iops\": 0, \"calibrated\": false," \
" \"reserved_mbps\": 100, \"reserved_iops\": 5000, \"volumes\": 1"

#define LOCAL \
"{\"host\": \"h1\", \"primary\": \"127.0.0.1:7320\", \"connected\": true," \
" \"volumes\": [{\"name\": \"db1\", \"size\": 10737418240, \"open\": 1, \"map_generation\": 7}]," \
" \"luns\": [{\"array\": \"a1\", \"portal\": \"127.0.0.1:3261\"," \
"   \"target\": \"iqn.2026-11.org.csafs.lab:a1\", \"lun\": 1, \"open\": 1," \
"   \"reads\": 1200, \"writes\": 300, \"read_bytes\": 78643200," \
"   \"write_bytes\": 19660800, \"errors\": 0, \"in_flight\": 2," \
"   \"p50_us\": 400, \"p99_us\": 1200}," \
"  {\"array\": \"a2\", \"portal\": \"127.0.0.1:3262\"," \
"   \"target\": \"iqn.2026-11.org.csafs.lab:a2\", \"lun\": 1, \"open\": 1," \
"   \"reads\": 10, \"writes\": 0, \"read_bytes\": 40960, \"write_bytes\": 0," \
"   \"errors\": 3, \"in_flight\": 0, \"p50_us\": 0, \"p99_us\": 0}]}"

#define STATUS "{" STATUS_BODY "}"
#define STATUS_BODY \
"\"cluster\": \"5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e\", \"name\": \"lab\"," \
" \"generation\": 12, \"sequence\": 40, \"primary\": \"primary\"," \
" \"started\": 1793700000, \"arrays\": 2, \"arrays_up\": 1, \"luns\": 3," \
" \"hosts\": 2, \"volumes\": 2, \"capacity_bytes\": 322122547200," \
" \"used_bytes\": 26843545600, \"free_bytes\": 295279001600," \
" \"rated_mbps\": 400, \"reserved_mbps\": 300, \"rated_iops\": 25000," \
" \"reserved_iops\": 15000"

#define VOLUMES \
"[{\"name\": \"db1\", \"state\": \"online\", \"size\": 10737418240," \
"  \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"columns\": 1," \
"  \"stripe_unit\": 1048576, \"hosts\": [\"h1\", \"h2\"]," \
"  \"arrays\": [\"a1\", \"a2\"], \"open_on\": [\"h2\"]}," \
" {\"name\": \"logs\", \"state\": \"online\", \"size\": 1099511627776," \
"  \"mbps\": 0, \"iops\": 0, \"copies\": 1, \"columns\": 1," \
"  \"stripe_unit\": 262144, \"hosts\": [], \"arrays\": [\"a1\"]}]"

static const char view_full[] =
"{\"local\": " LOCAL ","
" \"measured\": {\"ms\": 2000, \"arrays\": {\"a1\": {\"mbps\": 12, \"iops\": 300}}},"
" \"status\": " STATUS ","
" \"arrays\": [{" ARRAY_A1 ", \"lun_list\": " LUN_LIST ","
"   \"volume_names\": [\"db1\", \"logs\"]}, {" ARRAY_A2 "}],"
" \"volumes\": " VOLUMES "}";

/* The primary down: what the host knows, and no earlier sample. */
static const char view_down[] =
"{\"local\": {\"host\": \"h1\", \"primary\": \"127.0.0.1:7320\", \"connected\": false,"
"  \"volumes\": [{\"name\": \"db1\", \"size\": 10737418240, \"open\": 2, \"map_generation\": 7},"
"   {\"name\": \"scratch\", \"size\": 0, \"open\": 0, \"map_generation\": 1}],"
"  \"luns\": [{\"array\": \"a1\", \"portal\": \"127.0.0.1:3261\","
"   \"target\": \"iqn.2026-11.org.csafs.lab:a1\", \"lun\": 1, \"open\": 1,"
"   \"reads\": 5, \"writes\": 6, \"read_bytes\": 20480, \"write_bytes\": 24576,"
"   \"errors\": 0, \"in_flight\": 0, \"p50_us\": 250, \"p99_us\": 15000}]},"
" \"measured\": {\"arrays\": {}},"
" \"error\": {\"code\": \"unreachable\","
"  \"message\": \"the primary at 127.0.0.1:7320 cannot be reached: Connection refused\"}}";

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
" \"regions\": [{\"first\": 3, \"count\": 2, \"state\": \"locked\"}," \
"  {\"first\": 9, \"count\": 1, \"state\": \"migrated\"}]}"

static const char view_volume[] =
"{\"local\": " LOCAL ","
" \"volume\": {\"name\": \"db1\", \"state\": \"migrating\", \"size\": 10737418240,"
"  \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"columns\": 2,"
"  \"stripe_unit\": 1048576, \"hosts\": [\"h1\", \"h2\"],"
"  \"arrays\": [\"a1\", \"a2\", \"a3\", \"a4\"], \"fit\": \"best\","
"  \"requested_size\": 10737418000, \"requested_copies\": 2,"
"  \"requested_stripe_unit\": 0, \"column_mbps\": 200, \"column_iops\": 10000,"
"  \"open_on\": [\"h1\", \"h2\"], \"layout\": " LAYOUT "}}";

static const char view_empty_volume[] =
"{\"local\": {\"host\": \"h1\", \"connected\": true, \"volumes\": [], \"luns\": []},"
" \"volume\": {\"name\": \"new\", \"state\": \"empty\", \"size\": 0, \"mbps\": 100,"
"  \"iops\": 0, \"copies\": 1, \"columns\": 0, \"stripe_unit\": 0, \"hosts\": [],"
"  \"arrays\": [], \"fit\": \"first\", \"requested_size\": 0,"
"  \"requested_copies\": 1, \"requested_stripe_unit\": 0, \"column_mbps\": 0,"
"  \"column_iops\": 0, \"open_on\": [], \"layout\": null}}";

/* The monitor's figures and two migrations, as a primary with them answers. */
#define LOAD_A1 \
"\"load\": {\"state\": \"saturated\", \"util\": 93, \"mbps\": 372," \
" \"iops\": 23250, \"p99_us\": 4200}"

#define MIGRATION_DB1 \
"\"volume\": \"db1\", \"state\": \"locked\", \"reason\": \"monitor: a1 at 93 %\"," \
" \"started\": 1793786400, \"regions\": 80, \"regions_done\": 12," \
" \"region_bytes\": 134217728, \"bytes\": 5368709120, \"bytes_done\": 805306368," \
" \"rate_mbps\": 95, \"max_rate\": 0, \"eta_seconds\": 48, \"locked_region\": 12," \
" \"locks\": 13, \"lock_ms_p50\": 3, \"lock_ms_p99\": 12, \"lock_ms_max\": 20," \
" \"from\": [\"a1\", \"a2\", \"a3\", \"a4\"], \"to\": [\"a1\", \"a2\", \"a5\", \"a4\"]"

#define MIGRATION_LOGS \
"\"volume\": \"logs\", \"state\": \"paused\", \"reason\": \"set\"," \
" \"started\": 1793786000, \"regions\": 16, \"regions_done\": 3," \
" \"region_bytes\": 67108864, \"bytes\": 1073741824, \"bytes_done\": 201326592," \
" \"rate_mbps\": 0, \"max_rate\": 100, \"eta_seconds\": -1, \"locked_region\": -1," \
" \"from\": [\"a1\"], \"to\": [\"a2\"]"

#define ALERTS \
"[{\"array\": \"a1\", \"volume\": \"db1\", \"since\": 1793786400," \
"  \"message\": \"a1 is at 93 % and no placement relieves it: add an array with 300 MB/s free\"}," \
" {\"array\": \"a2\", \"volume\": \"\", \"since\": 1793786460," \
"  \"message\": \"a2 has no free extent\"}]"

static const char view_monitor[] =
"{\"local\": " LOCAL ","
" \"measured\": {\"ms\": 2000, \"arrays\": {\"a1\": {\"mbps\": 12, \"iops\": 300}}},"
" \"status\": {" STATUS_BODY ", \"migrations\": 2, \"alerts\": " ALERTS "},"
" \"arrays\": [{" ARRAY_A1 ", " LOAD_A1 ", \"lun_list\": " LUN_LIST ","
"   \"volume_names\": [\"db1\", \"logs\"]}, {" ARRAY_A2 "}],"
" \"volumes\": [{\"name\": \"db1\", \"state\": \"online\", \"size\": 10737418240,"
"  \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"columns\": 1,"
"  \"stripe_unit\": 1048576, \"hosts\": [\"h1\", \"h2\"],"
"  \"arrays\": [\"a1\", \"a1\"], \"open_on\": [\"h2\"], \"migration\": {" MIGRATION_DB1 "}},"
" {\"name\": \"logs\", \"state\": \"online\", \"size\": 1099511627776,"
"  \"mbps\": 0, \"iops\": 0, \"copies\": 1, \"columns\": 1,"
"  \"stripe_unit\": 262144, \"hosts\": [], \"arrays\": [\"a1\"],"
"  \"migration\": {" MIGRATION_LOGS "}}],"
" \"migrations\": [{" MIGRATION_DB1 "}, {" MIGRATION_LOGS "}]}";

/* db1 under migration: the `to` layout's region table, and its load fit. */
static const char view_migrating[] =
"{\"local\": " LOCAL ","
" \"volume\": {\"name\": \"db1\", \"state\": \"migrating\", \"size\": 10737418240,"
"  \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"columns\": 2,"
"  \"stripe_unit\": 1048576, \"hosts\": [\"h1\", \"h2\"],"
"  \"arrays\": [\"a1\", \"a2\", \"a3\", \"a4\"], \"fit\": \"best\","
"  \"requested_size\": 10737418240, \"requested_copies\": 2,"
"  \"requested_stripe_unit\": 0, \"column_mbps\": 200, \"column_iops\": 10000,"
"  \"open_on\": [\"h1\"], \"layout\": " LAYOUT ","
"  \"migration\": {" MIGRATION_DB1 ", \"layout\": {\"size\": 10737418240,"
"   \"regions\": [{\"first\": 0, \"count\": 12, \"state\": \"migrated\"},"
"    {\"first\": 12, \"count\": 1, \"state\": \"locked\"}]}},"
"  \"load_fit\": [{\"array\": \"a1\", \"score\": 1.25, \"load_mbps\": 300,"
"    \"need_mbps\": 200, \"load_iops\": 12000, \"need_iops\": 10000},"
"   {\"array\": \"a3\", \"score\": 0, \"load_mbps\": 150, \"need_mbps\": 200,"
"    \"load_iops\": 4000, \"need_iops\": 10000}]}}";

/* ---- renderings, to the byte ------------------------------------------ */

static const char want_status_full[] =
"cluster:    lab (5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e), catalog generation 12\n"
"primary:    primary, up since 2026-11-03 10:00:00 UTC\n"
"host:       h1, connected to 127.0.0.1:7320\n"
"arrays:     2 (1 up), 3 LUNs\n"
"capacity:   300.0G, 25.0G used, 275.0G free\n"
"bandwidth:  400 MB/s rated, 300 MB/s reserved\n"
"iops:       25000 rated, 15000 reserved\n"
"volumes:    2\n"
"hosts:      2 registered\n"
"\n"
"arrays:\n"
"  NAME  STATE  LUNS  CAPACITY   USED    FREE  RATED-MB/S  MEAS-MB/S  RATED-IOPS  MEAS-IOPS\n"
"  a1    up        2    200.0G  20.0G  180.0G         400         12       25000        300\n"
"  a2    down      1    100.0G   5.0G   95.0G           0          0           0          0\n"
"  measured: this host's I/O over the last 2.0 s\n"
"\n"
"volumes:\n"
"  NAME  STATE    SIZE  MB/S   IOPS  COPIES  COLUMNS  HOSTS  OPEN-ON\n"
"  db1   online  10.0G   400  20000       2        1  h1,h2  h2,h1\n"
"  logs  online   1.0T     0      0       1        1  any    -\n"
"\n"
"this host's LUNs:\n"
"  ARRAY  LUN  OPEN  READS  WRITES   READ  WRITTEN  ERRORS  IN-FLIGHT  P99-MS\n"
"  a1       1     1   1200     300  75.0M    18.8M       0          2     1.2\n"
"  a2       1     1     10       0  40.0K       0B       3          0     0.0\n"
"\n"
"alerts:\n"
"  array a2 is down\n"
"  volume db1 is degraded: column 0 copy 1 is on a2, which is down\n"
"  array a2 LUN 1: 3 I/O errors on this host\n";

static const char want_status_down[] =
"PRIMARY UNREACHABLE: the primary at 127.0.0.1:7320 cannot be reached: Connection refused\n"
"What follows is what this host knows; it may be out of date.\n"
"\n"
"host:  h1, not connected to 127.0.0.1:7320\n"
"\n"
"volumes this host knows:\n"
"  NAME      SIZE  OPEN  MAP\n"
"  db1      10.0G     2    7\n"
"  scratch     0B     0    1\n"
"\n"
"this host's LUNs:\n"
"  ARRAY  LUN  OPEN  READS  WRITES   READ  WRITTEN  ERRORS  IN-FLIGHT  P99-MS\n"
"  a1       1     1      5       6  20.0K    24.0K       0          0    15.0\n"
"\n"
"alerts:\n"
"  primary unreachable: the primary at 127.0.0.1:7320 cannot be reached: Connection refused\n";

static const char want_arrays_full[] =
"arrays:\n"
"  NAME  STATE  RATED-MB/S  MEAS-MB/S  RATED-IOPS  MEAS-IOPS  P99-MS  UTIL  LOAD\n"
"  a1    up            400         12       25000        300     1.2     -  -\n"
"  a2    down            0          0           0          0     0.0     -  -\n"
"  measured: this host's I/O over the last 2.0 s\n"
"\n"
"array:     a1\n"
"state:     up\n"
"portal:    127.0.0.1:3261\n"
"target:    iqn.2026-11.org.csafs.lab:a1\n"
"capacity:  200.0G, 20.0G used, 180.0G free\n"
"rated:     400 MB/s, 25000 IOPS (calibrated)\n"
"reserved:  200 MB/s, 10000 IOPS\n"
"measured:  12 MB/s, 300 IOPS (this host)\n"
"latency:   p50 0.4 ms, p99 1.2 ms (this host)\n"
"load:      - (the primary gives no load figures)\n"
"volumes:   db1,logs\n"
"luns:      2\n"
"  LUN  STATE  CAPACITY   FREE  BLOCK  UUID\n"
"    1  up       100.0G  90.0G    512  0e6b5a3c-1f2d-4e4f-8a9b-0c1d2e3f4a5b\n"
"    2  up       100.0G  90.0G    512  7c8d9e0f-a1b2-4c3d-9e4f-5a6b7c8d9e0f\n"
"\n"
"array:     a2\n"
"state:     down\n"
"portal:    127.0.0.1:3262\n"
"target:    iqn.2026-11.org.csafs.lab:a2\n"
"capacity:  100.0G, 5.0G used, 95.0G free\n"
"rated:     0 MB/s, 0 IOPS (not calibrated)\n"
"reserved:  100 MB/s, 5000 IOPS\n"
"measured:  0 MB/s, 0 IOPS (this host)\n"
"latency:   p50 0.0 ms, p99 0.0 ms (this host)\n"
"load:      - (the primary gives no load figures)\n"
"volumes:   1\n"
"luns:      1 (no details: the primary did not show this array)\n";

static const char want_arrays_down[] =
"PRIMARY UNREACHABLE: the primary at 127.0.0.1:7320 cannot be reached: Connection refused\n"
"What follows is what this host knows; it may be out of date.\n"
"\n"
"LUNs this host has used:\n"
"  ARRAY  PORTAL          TARGET                        LUN  OPEN  ERRORS\n"
"  a1     127.0.0.1:3261  iqn.2026-11.org.csafs.lab:a1    1     1       0\n";

static const char want_volume[] =
"volume:        db1\n"
"state:         migrating\n"
"size:          10.0G (10737418240 bytes; asked 10737418000)\n"
"requirements:  400 MB/s, 20000 IOPS, copies 2, hosts h1,h2, fit best\n"
"columns:       2, stripe unit 1.0M; 200 MB/s and 10000 IOPS per column\n"
"arrays:        a1,a2,a3,a4\n"
"open on:       h1,h2\n"
"this host:     h1: open 1, map generation 7, 10.0G\n"
"regions:       80 of 128.0M (64 stripe rows): 77 normal, 2 locked, 1 migrated\n"
"migration:     none\n"
"\n"
"layout:\n"
"  COLUMN  COPY  ARRAY  LUN  START-LBA    BLOCKS  SIZE\n"
"       0     0  a1       1       8192  10485760  5.0G\n"
"       0     1  a2       1       8192  10485760  5.0G\n"
"       1     0  a3       1       8192   6291456  3.0G\n"
"       1     0  a3       2       8192   4194304  2.0G\n"
"       1     1  a4       1       8192  10485760  5.0G\n"
"\n"
"regions not normal:\n"
"  FIRST  COUNT  STATE\n"
"      3      2  locked\n"
"      9      1  migrated\n";

static const char want_volume_down[] =
"PRIMARY UNREACHABLE: the primary at 127.0.0.1:7320 cannot be reached: Connection refused\n"
"What follows is what this host knows; it may be out of date.\n"
"\n"
"volume:     db1\n"
"this host:  h1: open 2, map generation 7, 10.0G\n"
"migration:  unknown (the primary did not answer)\n";

static const char want_volume_empty[] =
"volume:        new\n"
"state:         empty\n"
"size:          0B (0 bytes)\n"
"requirements:  100 MB/s, 0 IOPS, copies 1, hosts any, fit first\n"
"columns:       0, stripe unit 0B; 0 MB/s and 0 IOPS per column\n"
"arrays:        none\n"
"open on:       no host\n"
"migration:     none\n"
"\n"
"layout: none (an empty volume is placed when it is given a size)\n";
static const char want_status_monitor[] =
"cluster:     lab (5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e), catalog generation 12\n"
"primary:     primary, up since 2026-11-03 10:00:00 UTC\n"
"host:        h1, connected to 127.0.0.1:7320\n"
"arrays:      2 (1 up), 3 LUNs\n"
"capacity:    300.0G, 25.0G used, 275.0G free\n"
"bandwidth:   400 MB/s rated, 300 MB/s reserved\n"
"iops:        25000 rated, 15000 reserved\n"
"volumes:     2\n"
"hosts:       2 registered\n"
"migrations:  2 (db1,logs)\n"
"\n"
"arrays:\n"
"  NAME  STATE  LUNS  CAPACITY   USED    FREE  RATED-MB/S  MEAS-MB/S  RATED-IOPS  MEAS-IOPS\n"
"  a1    up        2    200.0G  20.0G  180.0G         400        372       25000      23250\n"
"  a2    down      1    100.0G   5.0G   95.0G           0          0           0          0\n"
"  measured: all hosts' I/O (the primary's); where it gives none, this host's over the last 2.0 s\n"
"\n"
"volumes:\n"
"  NAME  STATE    SIZE  MB/S   IOPS  COPIES  COLUMNS  HOSTS  OPEN-ON\n"
"  db1   online  10.0G   400  20000       2        1  h1,h2  h2,h1\n"
"  logs  online   1.0T     0      0       1        1  any    -\n"
"\n"
"this host's LUNs:\n"
"  ARRAY  LUN  OPEN  READS  WRITES   READ  WRITTEN  ERRORS  IN-FLIGHT  P99-MS\n"
"  a1       1     1   1200     300  75.0M    18.8M       0          2     1.2\n"
"  a2       1     1     10       0  40.0K       0B       3          0     0.0\n"
"\n"
"alerts:\n"
"  array a1, volume db1: a1 is at 93 % and no placement relieves it: add an array with 300 MB/s free (since 2026-11-04 10:00:00 UTC)\n"
"  array a2: a2 has no free extent (since 2026-11-04 10:01:00 UTC)\n"
"  array a2 is down\n"
"  array a2 LUN 1: 3 I/O errors on this host\n";
static const char want_arrays_monitor[] =
"arrays:\n"
"  NAME  STATE  RATED-MB/S  MEAS-MB/S  RATED-IOPS  MEAS-IOPS  P99-MS  UTIL  LOAD\n"
"  a1    up            400        372       25000      23250     4.2   93%  saturated\n"
"  a2    down            0          0           0          0     0.0     -  -\n"
"  measured: all hosts' I/O (the primary's); where it gives none, this host's over the last 2.0 s\n"
"\n"
"array:     a1\n"
"state:     up\n"
"portal:    127.0.0.1:3261\n"
"target:    iqn.2026-11.org.csafs.lab:a1\n"
"capacity:  200.0G, 20.0G used, 180.0G free\n"
"rated:     400 MB/s, 25000 IOPS (calibrated)\n"
"reserved:  200 MB/s, 10000 IOPS\n"
"measured:  372 MB/s, 23250 IOPS (all hosts, last second)\n"
"latency:   p99 4.2 ms (all hosts); this host p50 0.4 ms, p99 1.2 ms\n"
"load:      saturated, 93% utilised\n"
"volumes:   db1,logs\n"
"luns:      2\n"
"  LUN  STATE  CAPACITY   FREE  BLOCK  UUID\n"
"    1  up       100.0G  90.0G    512  0e6b5a3c-1f2d-4e4f-8a9b-0c1d2e3f4a5b\n"
"    2  up       100.0G  90.0G    512  7c8d9e0f-a1b2-4c3d-9e4f-5a6b7c8d9e0f\n"
"\n"
"array:     a2\n"
"state:     down\n"
"portal:    127.0.0.1:3262\n"
"target:    iqn.2026-11.org.csafs.lab:a2\n"
"capacity:  100.0G, 5.0G used, 95.0G free\n"
"rated:     0 MB/s, 0 IOPS (not calibrated)\n"
"reserved:  100 MB/s, 5000 IOPS\n"
"measured:  0 MB/s, 0 IOPS (this host)\n"
"latency:   p50 0.0 ms, p99 0.0 ms (this host)\n"
"load:      - (the primary gives no load figures)\n"
"volumes:   1\n"
"luns:      1 (no details: the primary did not show this array)\n";
static const char want_volume_migrating[] =
"volume:        db1\n"
"state:         migrating\n"
"size:          10.0G (10737418240 bytes)\n"
"requirements:  400 MB/s, 20000 IOPS, copies 2, hosts h1,h2, fit best\n"
"columns:       2, stripe unit 1.0M; 200 MB/s and 10000 IOPS per column\n"
"arrays:        a1,a2,a3,a4\n"
"open on:       h1\n"
"this host:     h1: open 1, map generation 7, 10.0G\n"
"regions:       80 of 128.0M (64 stripe rows): 77 normal, 2 locked, 1 migrated\n"
"migration:     locked (monitor: a1 at 93 %), since 2026-11-04 10:00:00 UTC\n"
"progress:      12/80 regions of 128.0M, 768.0M/5.0G copied, 95 MB/s (no cap), ETA 48s\n"
"locked:        region 12\n"
"locks:         13, held p50 3 ms, p99 12 ms, max 20 ms\n"
"moving:        a1,a2,a3,a4 -> a1,a2,a5,a4\n"
"region map:    0-11 migrated, 12 locked, 13-79 normal\n"
"\n"
"load fit:\n"
"  fit score: how far past its own reserved share the volume pushes the array (measured - reserved, over the array's rating), relative to that share; the highest on a saturated array is moved first\n"
"  ARRAY  SCORE  LOAD-MB/S  NEED-MB/S  LOAD-IOPS  NEED-IOPS\n"
"  a1      1.25        300        200      12000      10000\n"
"  a3      0.00        150        200       4000      10000\n"
"\n"
"layout:\n"
"  COLUMN  COPY  ARRAY  LUN  START-LBA    BLOCKS  SIZE\n"
"       0     0  a1       1       8192  10485760  5.0G\n"
"       0     1  a2       1       8192  10485760  5.0G\n"
"       1     0  a3       1       8192   6291456  3.0G\n"
"       1     0  a3       2       8192   4194304  2.0G\n"
"       1     1  a4       1       8192  10485760  5.0G\n"
"\n"
"regions not normal:\n"
"  FIRST  COUNT  STATE\n"
"      3      2  locked\n"
"      9      1  migrated\n";

/* @kind: 's'tatus, 'a'rrays, 'v'olume (named @name). */
static void render_is(const char *what, const char *view_json, char kind,
		      const char *name, const char *want)
{
	struct json_object *view = parse(view_json);
	struct pbuf out = { 0 };
	int ret;

	if (kind == 's')
		ret = csafs_render_status(view, &out);
	else if (kind == 'a')
		ret = csafs_render_arrays(view, &out);
	else
		ret = csafs_render_volume(view, name, &out);
	check(!ret, "%s: rendered", what);
	text_is(what, out.s, want);
	pbuf_free(&out);
	json_object_put(view);
}

static void test_renderings(void)
{
	render_is("status", view_full, 's', NULL, want_status_full);
	render_is("status, primary unreachable", view_down, 's', NULL,
		  want_status_down);
	render_is("arrays", view_full, 'a', NULL, want_arrays_full);
	render_is("arrays, primary unreachable", view_down, 'a', NULL,
		  want_arrays_down);
	render_is("volumes/db1 migrating", view_volume, 'v', "db1", want_volume);
	render_is("volumes/db1, primary unreachable", view_down, 'v', "db1",
		  want_volume_down);
	render_is("volumes/new, empty", view_empty_volume, 'v', "new",
		  want_volume_empty);
	render_is("status, the monitor's alerts and migrations", view_monitor,
		  's', NULL, want_status_monitor);
	render_is("arrays, the monitor's load", view_monitor, 'a', NULL,
		  want_arrays_monitor);
	render_is("volumes/db1, its migration and load fit", view_migrating,
		  'v', "db1", want_volume_migrating);
}

/* The "region map:" line of a migration of @total regions with @runs. */
static void region_map_is(const char *what, const char *runs, unsigned total,
			  const char *want)
{
	char json[4096];
	struct json_object *view;
	struct pbuf out = { 0 };
	const char *line = NULL, *end;
	char got[1024] = "(none)";

	snprintf(json, sizeof(json),
		 "{\"volume\": {\"name\": \"v\", \"migration\": {\"regions\": %u,"
		 " \"locked_region\": -1, \"layout\": {\"regions\": %s}}}}",
		 total, runs);
	view = parse(json);
	csafs_render_volume(view, "v", &out);
	if (out.s)
		line = strstr(out.s, "region map:");
	if (line) {
		line += strspn(line + 11, " ") + 11;
		end = strchr(line, '\n');
		snprintf(got, sizeof(got), "%.*s", (int)(end - line), line);
	}
	check(!strcmp(got, want), "region map, %s: \"%s\" (got \"%s\")", what,
	      want, got);
	pbuf_free(&out);
	json_object_put(view);
}

static void test_region_map(void)
{
	char runs[2048];
	size_t used = 0;
	unsigned i;

	region_map_is("adjacent runs of a state are one",
		      "[{\"first\": 0, \"count\": 4, \"state\": \"migrated\"},"
		      " {\"first\": 4, \"count\": 2, \"state\": \"migrated\"},"
		      " {\"first\": 6, \"count\": 1, \"state\": \"locked\"}]", 10,
		      "0-5 migrated, 6 locked, 7-9 normal");
	region_map_is("out of order and past the end: left out",
		      "[{\"first\": 5, \"count\": 2, \"state\": \"migrated\"},"
		      " {\"first\": 3, \"count\": 1, \"state\": \"locked\"},"
		      " {\"first\": 20, \"count\": 5, \"state\": \"migrated\"}]", 10,
		      "0-4 normal, 5-6 migrated, 7-9 normal");
	region_map_is("a run cut at the end",
		      "[{\"first\": 8, \"count\": 5, \"state\": \"migrated\"}]", 10,
		      "0-7 normal, 8-9 migrated");
	region_map_is("no run: all normal", "[]", 80, "0-79 normal");
	region_map_is("one region", "[{\"first\": 0, \"count\": 1, \"state\": \"locked\"}]",
		      1, "0 locked");
	region_map_is("no regions", "[]", 0, "-");
	used += (size_t)snprintf(runs, sizeof(runs), "[");
	for (i = 0; i < 40; i += 2)
		used += (size_t)snprintf(runs + used, sizeof(runs) - used,
			"%s{\"first\": %u, \"count\": 1, \"state\": \"migrated\"}",
			i ? ", " : "", i);
	snprintf(runs + used, sizeof(runs) - used, "]");
	region_map_is("40 runs: the first 16, then how many more", runs, 40,
		      "0 migrated, 1 normal, 2 migrated, 3 normal, 4 migrated, "
		      "5 normal, 6 migrated, 7 normal, 8 migrated, 9 normal, "
		      "10 migrated, 11 normal, 12 migrated, 13 normal, "
		      "14 migrated, 15 normal, ... (24 more runs)");
}

/* A volume on arrays all down is unavailable, not degraded. */
static void test_alerts(void)
{
	struct json_object *view = parse(
		"{\"arrays\": [{\"name\": \"a1\", \"state\": \"down\"},"
		"  {\"name\": \"a2\", \"state\": \"degraded\"},"
		"  {\"name\": \"a3\", \"state\": \"up\"}],"
		" \"volumes\": [{\"name\": \"v\", \"copies\": 1, \"columns\": 2,"
		"   \"arrays\": [\"a3\", \"a1\"]},"
		"  {\"name\": \"w\", \"copies\": 2, \"columns\": 2,"
		"   \"arrays\": [\"a1\", \"a3\", \"a2\", \"a3\"]},"
		"  {\"name\": \"ok\", \"copies\": 1, \"columns\": 1,"
		"   \"arrays\": [\"a3\"]}]}");
	struct pbuf out = { 0 };

	csafs_alerts(view, &out);
	text_is("alerts: down, degraded, unavailable", out.s,
		"  array a1 is down\n"
		"  array a2 is degraded: some of its LUNs are down\n"
		"  volume v is unavailable: column 1 copy 0 is on a1, which is down\n"
		"  volume w is degraded: column 0 copy 0 is on a1, which is down (and 1 more column copies)\n");
	pbuf_free(&out);
	json_object_put(view);
}

/* ---- metrics, read back by a strict parser ----------------------------- */

#define MAX_FAMILIES	64

struct prom {
	char families[MAX_FAMILIES][96];	/* in order, each once */
	char types[MAX_FAMILIES][16];
	bool helped[MAX_FAMILIES];
	unsigned nr;
	unsigned samples;
	struct json_object *values;	/* "name{labels}" -> value */
};

static bool name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || !(s[0] == '_' || s[0] == ':' || (s[0] >= 'a' && s[0] <= 'z') ||
		    (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 1; i < n; i++)
		if (!(s[i] == '_' || s[i] == ':' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static int family_of(struct prom *p, const char *name, size_t n)
{
	unsigned i;

	for (i = 0; i < p->nr; i++)
		if (strlen(p->families[i]) == n && !strncmp(p->families[i], name, n))
			return (int)i;
	return -1;
}

/* "# HELP name text" or "# TYPE name type"; NULL or the fault. */
static const char *prom_comment(struct prom *p, const char *l)
{
	bool help = !strncmp(l, "# HELP ", 7), type = !strncmp(l, "# TYPE ", 7);
	const char *name = l + 7, *sp = strchr(name, ' ');
	int f;

	if (!help && !type)
		return "a comment that is neither HELP nor TYPE";
	if (!sp || !name_ok(name, (size_t)(sp - name)))
		return "a bad metric name in a comment";
	f = family_of(p, name, (size_t)(sp - name));
	if (f < 0) {
		if (p->nr == MAX_FAMILIES)
			return "too many families";
		f = (int)p->nr++;
		snprintf(p->families[f], sizeof(p->families[f]), "%.*s",
			 (int)(sp - name), name);
	} else if (f != (int)p->nr - 1) {
		return "a family's comments are not together";
	}
	if (help) {
		if (p->helped[f] || !sp[1])
			return "HELP twice, or empty";
		p->helped[f] = true;
		return NULL;
	}
	if (*p->types[f])
		return "TYPE twice";
	if (strcmp(sp + 1, "counter") && strcmp(sp + 1, "gauge") &&
	    strcmp(sp + 1, "histogram") && strcmp(sp + 1, "summary") &&
	    strcmp(sp + 1, "untyped"))
		return "an unknown TYPE";
	snprintf(p->types[f], sizeof(p->types[f]), "%s", sp + 1);
	return NULL;
}

/* {k="v",...}: returns the end, or NULL. */
static const char *prom_labels(const char *s)
{
	if (*s != '{')
		return s;
	s++;
	while (*s != '}') {
		const char *k = s;

		while (*s && *s != '=')
			s++;
		if (!*s || !name_ok(k, (size_t)(s - k)) || s[1] != '"')
			return NULL;
		for (s += 2; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return NULL;
			if (*s == '\\' && s[1] != '\\' && s[1] != '"' && s[1] != 'n')
				return NULL;
			if (*s == '\\')
				s++;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return NULL;
	}
	return s + 1;
}

static const char *prom_sample(struct prom *p, const char *l)
{
	const char *end = l, *lab;
	char *num_end, key[512];
	double v;
	int f;

	while (*end && *end != '{' && *end != ' ')
		end++;
	if (!name_ok(l, (size_t)(end - l)))
		return "a bad metric name";
	f = family_of(p, l, (size_t)(end - l));
	if (f < 0 || !*p->types[f])
		return "a sample before its TYPE";
	if (f != (int)p->nr - 1)
		return "a family's samples are not together";
	lab = prom_labels(end);
	if (!lab || *lab != ' ')
		return "bad labels";
	v = strtod(lab + 1, &num_end);
	if (num_end == lab + 1 || *num_end || v != v)
		return "a bad value";
	if (!strcmp(p->types[f], "counter") && v < 0)
		return "a negative counter";
	snprintf(key, sizeof(key), "%.*s", (int)(lab - l), l);
	if (json_object_object_get_ex(p->values, key, NULL))
		return "a sample twice";
	json_object_object_add(p->values, key, json_object_new_double(v));
	p->samples++;
	return NULL;
}

/* Parse @text; NULL, or the first fault with its line in @line. */
static const char *prom_parse(struct prom *p, const char *text, char *line,
			      size_t len)
{
	const char *s = text, *err = NULL, *nl;

	memset(p, 0, sizeof(*p));
	p->values = json_object_new_object();
	if (!*text || text[strlen(text) - 1] != '\n')
		return "does not end in a newline";
	for (; *s && !err; s = nl + 1) {
		nl = strchr(s, '\n');
		snprintf(line, len, "%.*s", (int)(nl - s), s);
		if (!*line)
			err = "an empty line";
		else if (line[0] == '#')
			err = prom_comment(p, line);
		else
			err = prom_sample(p, line);
	}
	return err;
}

static double prom_value(struct prom *p, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(p->values, key, &v))
		return -1;
	return json_object_get_double(v);
}

static void metrics_parse(const char *what, struct json_object *view,
			  struct prom *p)
{
	struct pbuf out = { 0 };
	const char *err;
	char line[1024] = "";
	unsigned i;

	check(!csafs_render_metrics(view, &out), "%s: rendered", what);
	err = prom_parse(p, out.s ? out.s : "", line, sizeof(line));
	check(!err, "%s: parses%s%s (line \"%s\")", what, err ? ": " : "",
	      err ? err : "", line);
	for (i = 0; i < p->nr; i++) {
		if (!p->helped[i] || !*p->types[i])
			check(false, "%s: %s has HELP and TYPE", what,
			      p->families[i]);
		if (!strcmp(p->types[i], "counter") &&
		    !strstr(p->families[i], "_total"))
			check(false, "%s: counter %s ends in _total", what,
			      p->families[i]);
	}
	pbuf_free(&out);
}

static void value_is(struct prom *p, const char *key, double want)
{
	double got = prom_value(p, key);

	check(got - want < 1e-9 && want - got < 1e-9, "metrics: %s is %g (got %g)", key,
	      want, got);
}

static void test_metrics(void)
{
	static const char *const families[] = {
		"csafs_primary_connected", "csafs_array_up",
		"csafs_array_rated_mbps", "csafs_array_rated_iops",
		"csafs_array_reserved_mbps", "csafs_array_capacity_bytes",
		"csafs_array_free_bytes", "csafs_volume_size_bytes",
		"csafs_volume_required_mbps", "csafs_volume_required_iops",
		"csafs_lun_reads_total", "csafs_lun_writes_total",
		"csafs_lun_read_bytes_total", "csafs_lun_write_bytes_total",
		"csafs_lun_errors_total", "csafs_lun_latency_p99_seconds" };
	struct json_object *view = parse(view_full);
	struct prom p;
	unsigned i;

	metrics_parse("metrics", view, &p);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		check(family_of(&p, families[i], strlen(families[i])) >= 0,
		      "metrics: family %s", families[i]);
	check(p.samples == 42, "metrics: 42 samples (got %u)", p.samples);
	value_is(&p, "csafs_primary_connected", 1);
	value_is(&p, "csafs_array_up{array=\"a1\"}", 1);
	value_is(&p, "csafs_array_up{array=\"a2\"}", 0);
	value_is(&p, "csafs_array_rated_mbps{array=\"a1\"}", 400);
	value_is(&p, "csafs_array_rated_iops{array=\"a1\"}", 25000);
	value_is(&p, "csafs_array_reserved_mbps{array=\"a2\"}", 100);
	value_is(&p, "csafs_array_capacity_bytes{array=\"a1\"}", 214748364800.0);
	value_is(&p, "csafs_array_free_bytes{array=\"a2\"}", 102005473280.0);
	value_is(&p, "csafs_volume_size_bytes{volume=\"logs\"}", 1099511627776.0);
	value_is(&p, "csafs_volume_required_mbps{volume=\"db1\"}", 400);
	value_is(&p, "csafs_volume_required_iops{volume=\"db1\"}", 20000);
	value_is(&p, "csafs_volume_open{volume=\"db1\"}", 1);
	value_is(&p, "csafs_lun_reads_total{array=\"a1\",lun=\"1\"}", 1200);
	value_is(&p, "csafs_lun_writes_total{array=\"a1\",lun=\"1\"}", 300);
	value_is(&p, "csafs_lun_read_bytes_total{array=\"a1\",lun=\"1\"}", 78643200);
	value_is(&p, "csafs_lun_write_bytes_total{array=\"a1\",lun=\"1\"}", 19660800);
	value_is(&p, "csafs_lun_errors_total{array=\"a2\",lun=\"1\"}", 3);
	value_is(&p, "csafs_lun_latency_p99_seconds{array=\"a1\",lun=\"1\"}", 0.0012);
	value_is(&p, "csafs_lun_latency_p50_seconds{array=\"a1\",lun=\"1\"}", 0.0004);
	json_object_put(p.values);
	json_object_put(view);

	/* Unreachable: the primary's families are there, empty. */
	view = parse(view_down);
	metrics_parse("metrics, primary unreachable", view, &p);
	check(p.samples == 11, "metrics, primary unreachable: 11 samples (got %u)",
	      p.samples);
	value_is(&p, "csafs_primary_connected", 0);
	value_is(&p, "csafs_lun_latency_p99_seconds{array=\"a1\",lun=\"1\"}", 0.015);
	json_object_put(p.values);
	json_object_put(view);

	/* The monitor's figures and the migrations. */
	view = parse(view_monitor);
	metrics_parse("metrics, monitor", view, &p);
	check(p.samples == 42 + 5 + 8, "metrics, monitor: 55 samples (got %u)",
	      p.samples);
	value_is(&p, "csafs_array_measured_mbps{array=\"a1\"}", 372);
	value_is(&p, "csafs_array_measured_iops{array=\"a1\"}", 23250);
	value_is(&p, "csafs_array_util_ratio{array=\"a1\"}", 0.93);
	value_is(&p, "csafs_array_p99_seconds{array=\"a1\"}", 0.0042);
	value_is(&p, "csafs_array_saturated{array=\"a1\"}", 1);
	check(prom_value(&p, "csafs_array_measured_mbps{array=\"a2\"}") < 0 &&
	      prom_value(&p, "csafs_array_saturated{array=\"a2\"}") < 0,
	      "metrics, monitor: no load sample for an array without a load");
	value_is(&p, "csafs_migration_regions_total{volume=\"db1\"}", 80);
	value_is(&p, "csafs_migration_regions_done{volume=\"db1\"}", 12);
	value_is(&p, "csafs_migration_bytes_done{volume=\"db1\"}", 805306368);
	value_is(&p, "csafs_migration_rate_mbps{volume=\"db1\"}", 95);
	value_is(&p, "csafs_migration_regions_total{volume=\"logs\"}", 16);
	value_is(&p, "csafs_migration_regions_done{volume=\"logs\"}", 3);
	value_is(&p, "csafs_migration_rate_mbps{volume=\"logs\"}", 0);
	json_object_put(p.values);
	json_object_put(view);
	view = parse("{\"local\": {\"connected\": true},"
		     " \"arrays\": [{\"name\": \"a3\", \"state\": \"up\","
		     "  \"load\": {\"state\": \"falling\", \"util\": 101}}]}");
	metrics_parse("metrics, an array past its rating", view, &p);
	value_is(&p, "csafs_array_util_ratio{array=\"a3\"}", 1.01);
	value_is(&p, "csafs_array_saturated{array=\"a3\"}", 0);
	json_object_put(p.values);
	json_object_put(view);

	/* Label values are escaped. */
	view = parse("{\"local\": {\"connected\": true},"
		     " \"arrays\": [{\"name\": \"we\\\"ird\\\\a\\nb\", \"state\": \"up\"}]}");
	metrics_parse("metrics, odd names", view, &p);
	value_is(&p, "csafs_array_up{array=\"we\\\"ird\\\\a\\nb\"}", 1);
	json_object_put(p.values);
	json_object_put(view);
}

/* ---- control ----------------------------------------------------------- */

/* @line parses into the request @want (JSON), members in that order. */
static void request_is(const char *line, const char *want)
{
	struct json_object *w = parse(want);
	struct csafs_cmd cmd;
	const char *got;

	csafs_control_parse(line, &cmd);
	got = cmd.req ? json_object_to_json_string_ext(cmd.req,
					JSON_C_TO_STRING_PLAIN) : "(none)";
	check(cmd.kind == CSAFS_CMD_CALL &&
	      !strcmp(got, json_object_to_json_string_ext(w,
					JSON_C_TO_STRING_PLAIN)),
	      "control \"%s\" -> %s (got %s%s%s)", line, want, got,
	      cmd.kind == CSAFS_CMD_BAD ? ": " : "",
	      cmd.kind == CSAFS_CMD_BAD ? cmd.msg : "");
	csafs_cmd_clear(&cmd);
	json_object_put(w);
}

/* @line is refused here, and its answer is @want. */
static void refused_is(const char *line, const char *want)
{
	struct pbuf out = { 0 };
	struct csafs_cmd cmd;

	csafs_control_parse(line, &cmd);
	check(cmd.kind == CSAFS_CMD_BAD && !cmd.req,
	      "control \"%s\" is refused", line);
	csafs_control_answer_local(&cmd, &out);
	text_is(line, out.s, want);
	csafs_cmd_clear(&cmd);
	pbuf_free(&out);
}

static void test_control_parse(void)
{
	struct csafs_cmd cmd;

	request_is("status", "{\"op\": \"status\"}");
	request_is("  status  \r", "{\"op\": \"status\"}");
	request_is("volume create db1 size=10G",
		   "{\"op\": \"volume.create\", \"name\": \"db1\", \"size\": 10737418240}");
	request_is("volume create db1 size=1T mbps=400 iops=20k copies=2 hosts=h1,h2 stripe_unit=1M fit=first",
		   "{\"op\": \"volume.create\", \"name\": \"db1\", \"size\": 1099511627776,"
		   " \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"hosts\": [\"h1\", \"h2\"],"
		   " \"stripe_unit\": 1048576, \"fit\": \"first\"}");
	request_is("volume create size=0 e", "{\"op\": \"volume.create\", \"size\": 0, \"name\": \"e\"}");
	request_is("volume create v size=64k hosts=",
		   "{\"op\": \"volume.create\", \"name\": \"v\", \"size\": 65536, \"hosts\": []}");
	request_is("volume set db1 mbps=100",
		   "{\"op\": \"volume.set\", \"name\": \"db1\", \"mbps\": 100}");
	request_is("volume\tset db1 size=20G iops=2M copies=4 hosts=h3 stripe_unit=4k fit=best",
		   "{\"op\": \"volume.set\", \"name\": \"db1\", \"size\": 21474836480,"
		   " \"iops\": 2000000, \"copies\": 4, \"hosts\": [\"h3\"],"
		   " \"stripe_unit\": 4096, \"fit\": \"best\"}");
	request_is("volume rm db1", "{\"op\": \"volume.delete\", \"name\": \"db1\"}");
	request_is("migrate db1", "{\"op\": \"volume.migrate\", \"name\": \"db1\"}");
	request_is("migrate db1 --to a3,a4 --rebalance --max-rate 200 --dry-run",
		   "{\"op\": \"volume.migrate\", \"name\": \"db1\", \"to\": [\"a3\", \"a4\"],"
		   " \"rebalance\": true, \"max_rate\": 200, \"dry_run\": true}");
	request_is("migrate --max-rate=1k --to=a_3.x db1",
		   "{\"op\": \"volume.migrate\", \"max_rate\": 1000, \"to\": [\"a_3.x\"],"
		   " \"name\": \"db1\"}");
	request_is("migrate db1 --max-rate 0",
		   "{\"op\": \"volume.migrate\", \"name\": \"db1\", \"max_rate\": 0}");
	request_is("pause", "{\"op\": \"migration.pause\"}");
	request_is("pause db1", "{\"op\": \"migration.pause\", \"name\": \"db1\"}");
	request_is("resume", "{\"op\": \"migration.resume\"}");
	request_is(" resume\tlogs ", "{\"op\": \"migration.resume\", \"name\": \"logs\"}");
	request_is("migrations", "{\"op\": \"migration.list\"}");

	csafs_control_parse("help", &cmd);
	check(cmd.kind == CSAFS_CMD_HELP && !cmd.req, "control \"help\" is answered here");
	csafs_cmd_clear(&cmd);

	refused_is("frob", "error: bad_command: unknown command \"frob\"; try help\n");
	refused_is("frob a b", "error: bad_command: unknown command \"frob\"; try help\n");
	refused_is("volume frob x", "error: bad_command: unknown command \"volume frob\"; try help\n");
	refused_is("volume", "error: bad_command: volume: which command? (create, set, rm); try help\n");
	refused_is("   ", "error: bad_command: empty command; try help\n");
	refused_is("status now", "error: bad_request: status: unexpected \"now\"\n");
	refused_is("help me", "error: bad_request: help: unexpected \"me\"\n");
	refused_is("volume create db1", "error: bad_request: volume create: size=SIZE is required\n");
	refused_is("volume create size=1G", "error: bad_request: volume create: NAME is missing\n");
	refused_is("volume create a b size=1G",
		   "error: bad_request: volume create: unexpected \"b\" (one NAME, then KEY=VALUE)\n");
	refused_is("volume create db1 size=10Q",
		   "error: bad_request: volume create: size=10Q is not a size (bytes, or with k, M, G, T: 10G)\n");
	refused_is("volume create db1 size=",
		   "error: bad_request: volume create: size= is not a size (bytes, or with k, M, G, T: 10G)\n");
	refused_is("volume create db1 size=-1",
		   "error: bad_request: volume create: size=-1 is not a size (bytes, or with k, M, G, T: 10G)\n");
	refused_is("volume create db1 size=99999999999T",
		   "error: bad_request: volume create: size=99999999999T is not a size (bytes, or with k, M, G, T: 10G)\n");
	refused_is("volume create db1 size=1G mbps=1.5k",
		   "error: bad_request: volume create: mbps=1.5k is not a whole number (or with k, M, G: 20k)\n");
	refused_is("volume create db1 size=1G iops=1T",
		   "error: bad_request: volume create: iops=1T is not a whole number (or with k, M, G: 20k)\n");
	refused_is("volume create db1 size=1G copies=5",
		   "error: bad_request: volume create: copies=5 is not a whole number from 1 to 4\n");
	refused_is("volume create db1 size=1G copies=0",
		   "error: bad_request: volume create: copies=0 is not a whole number from 1 to 4\n");
	refused_is("volume create db1 size=1G fit=worst",
		   "error: bad_request: volume create: fit=worst is neither best nor first\n");
	refused_is("volume create db1 size=1G hosts=a,,b",
		   "error: bad_request: volume create: hosts=a,,b has an empty name\n");
	refused_is("volume create db1 size=1G speed=9",
		   "error: bad_request: volume create: unknown key \"speed\" (size, mbps, iops, copies, hosts, stripe_unit, fit)\n");
	refused_is("volume create db1 size=1G size=2G",
		   "error: bad_request: volume create: size is given twice\n");
	refused_is("volume set db1",
		   "error: bad_request: volume set: nothing to change (size, mbps, iops, copies, hosts, stripe_unit, fit)\n");
	refused_is("volume set mbps=5", "error: bad_request: volume set: NAME is missing\n");
	refused_is("volume set db1 stripe-unit=4k",
		   "error: bad_request: volume set: unknown key \"stripe-unit\" (size, mbps, iops, copies, hosts, stripe_unit, fit)\n");
	refused_is("volume rm", "error: bad_request: volume rm: NAME is missing\n");
	refused_is("volume rm a b", "error: bad_request: volume rm: unexpected \"b\" after NAME\n");
	refused_is("migrate", "error: bad_request: migrate: NAME is missing\n");
	refused_is("migrate --dry-run", "error: bad_request: migrate: NAME is missing\n");
	refused_is("migrate a b", "error: bad_request: migrate: unexpected \"b\" (one NAME, then options)\n");
	refused_is("migrate db1 --to a3,,a4",
		   "error: bad_request: migrate: --to \"a3,,a4\" is not a list of arrays (ARRAY,ARRAY...: a3,a4)\n");
	refused_is("migrate db1 --to=",
		   "error: bad_request: migrate: --to \"\" is not a list of arrays (ARRAY,ARRAY...: a3,a4)\n");
	refused_is("migrate db1 --to a3;a4",
		   "error: bad_request: migrate: --to \"a3;a4\": \"a3;a4\" is not an array name (A-Z a-z 0-9 . _ -)\n");
	refused_is("migrate db1 --to a3,-a4",
		   "error: bad_request: migrate: --to \"a3,-a4\": \"-a4\" is not an array name (A-Z a-z 0-9 . _ -)\n");
	refused_is("migrate db1 --to",
		   "error: bad_request: migrate: --to needs a value\n");
	refused_is("migrate db1 --max-rate fast",
		   "error: bad_request: migrate: --max-rate fast is not a whole number of MB/s (or with k, M, G: 1k; 0: no cap)\n");
	refused_is("migrate db1 --max-rate=-5",
		   "error: bad_request: migrate: --max-rate -5 is not a whole number of MB/s (or with k, M, G: 1k; 0: no cap)\n");
	refused_is("migrate db1 --max-rate 1.5",
		   "error: bad_request: migrate: --max-rate 1.5 is not a whole number of MB/s (or with k, M, G: 1k; 0: no cap)\n");
	refused_is("migrate db1 --dry-run=yes", "error: bad_request: migrate: --dry-run takes no value\n");
	refused_is("migrate db1 --rebalance --rebalance",
		   "error: bad_request: migrate: --rebalance is given twice\n");
	refused_is("migrate db1 --to a1 --to=a2", "error: bad_request: migrate: --to is given twice\n");
	refused_is("migrate db1 --force",
		   "error: bad_request: migrate: unknown option \"--force\" (--to, --rebalance, --max-rate, --dry-run)\n");
	refused_is("pause a b", "error: bad_request: pause: unexpected \"b\" after NAME\n");
	refused_is("resume a b", "error: bad_request: resume: unexpected \"b\" after NAME\n");
	refused_is("migrations db1", "error: bad_request: migrations: unexpected \"db1\"\n");
}

/* The answer to @line given the primary's @result (JSON) or refusal. */
static void answer_is(const char *line, const char *result, const char *code,
		      const char *msg, const char *want)
{
	struct json_object *r = result ? parse(result) : NULL;
	struct pbuf out = { 0 };
	struct csafs_cmd cmd;

	csafs_control_parse(line, &cmd);
	csafs_control_answer(&cmd, r, code, msg, &out);
	text_is(line, out.s, want);
	csafs_cmd_clear(&cmd);
	json_object_put(r);
	pbuf_free(&out);
}

#define PLAN \
"{\"columns\": 2, \"copies\": 2, \"moved\": 1, \"added\": 0, \"restriped\": 0," \
" \"kept\": 3, \"grown\": 0, \"from\": [\"a1\", \"a2\", \"a3\", \"a4\"]," \
" \"to\": [\"a1\", \"a2\", \"a5\", \"a4\"], \"regions\": 80," \
" \"region_bytes\": 134217728, \"bytes\": 5368709120, \"expected_seconds\": 100}"

static void test_migration_answers(void)
{
	answer_is("migrate db1 --dry-run",
		  "{\"name\": \"db1\", \"dry_run\": true, \"plan\": " PLAN ", \"migration\": null}",
		  NULL, NULL,
		  "ok: dry run, nothing started; the plan for db1: 2 columns x 2 copies, 1 moved, 0 added, 0 restriped, 3 kept, 0 grown; a1,a2,a3,a4 -> a1,a2,a5,a4; 80 regions of 128.0M, 5.0G to copy, about 1m40s\n");
	answer_is("migrate db1",
		  "{\"name\": \"db1\", \"dry_run\": false, \"plan\": " PLAN ","
		  " \"migration\": {" MIGRATION_DB1 "}}", NULL, NULL,
		  "ok: migration of db1 started (monitor: a1 at 93 %, no rate cap): 2 columns x 2 copies, 1 moved, 0 added, 0 restriped, 3 kept, 0 grown; a1,a2,a3,a4 -> a1,a2,a5,a4; 80 regions of 128.0M, 5.0G to copy, about 1m40s\n");
	answer_is("migrate logs --max-rate 100",
		  "{\"name\": \"logs\", \"dry_run\": false, \"plan\": " PLAN ","
		  " \"migration\": {" MIGRATION_LOGS "}}", NULL, NULL,
		  "ok: migration of logs started (set, at most 100 MB/s): 2 columns x 2 copies, 1 moved, 0 added, 0 restriped, 3 kept, 0 grown; a1,a2,a3,a4 -> a1,a2,a5,a4; 80 regions of 128.0M, 5.0G to copy, about 1m40s\n");
	answer_is("migrate db1", NULL, "nothing_to_move",
		  "the plan keeps every column copy of \"db1\" where it is",
		  "error: nothing_to_move: the plan keeps every column copy of \"db1\" where it is\n");
	answer_is("migrate db1 --to a3,a9", NULL, "bad_request",
		  "unknown array \"a9\" in to",
		  "error: bad_request: unknown array \"a9\" in to\n");
	answer_is("migrate db1", NULL, "busy", "volume \"db1\" is migrating already",
		  "error: busy: volume \"db1\" is migrating already\n");
	answer_is("migrations",
		  "{\"migrations\": [{" MIGRATION_DB1 "}, {" MIGRATION_LOGS "}]}", NULL, NULL,
		  "ok: migrations: db1 locked 12/80 regions 768.0M/5.0G 95 MB/s ETA 48s (monitor: a1 at 93 %); logs paused 3/16 regions 192.0M/1.0G 0 MB/s ETA - (set)\n");
	answer_is("migrations", "{\"migrations\": []}", NULL, NULL, "ok: no migration\n");
	answer_is("pause", "{\"migrations\": [{" MIGRATION_DB1 "}, {" MIGRATION_LOGS "}]}",
		  NULL, NULL, "ok: paused db1 (12/80 regions), logs (3/16 regions)\n");
	answer_is("pause db1", "{\"migrations\": []}", NULL, NULL,
		  "ok: no migration paused\n");
	answer_is("resume logs", "{\"migrations\": [{" MIGRATION_LOGS "}]}", NULL, NULL,
		  "ok: resumed logs (3/16 regions)\n");
	answer_is("resume", "{\"migrations\": []}", NULL, NULL,
		  "ok: no migration resumed\n");
	answer_is("resume nope", NULL, "not_found", "volume \"nope\" is not migrating",
		  "error: not_found: volume \"nope\" is not migrating\n");
	answer_is("volume set db1 copies=2",
		  "{\"name\": \"db1\", \"state\": \"migrating\", \"size\": 10737418240,"
		  " \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"columns\": 2,"
		  " \"stripe_unit\": 1048576, \"arrays\": [\"a1\", \"a2\", \"a3\", \"a4\"],"
		  " \"kept\": 3, \"grown\": 0, \"migration\": {" MIGRATION_LOGS "}}",
		  NULL, NULL,
		  "ok: volume db1 changed: 10.0G, 400 MB/s, 20000 IOPS, 2 columns x 2 copies, stripe unit 1.0M, on a1,a2,a3,a4; 3 column copies kept, 0 grown in place; migration started (set): 16 regions of 64.0M, 1.0G to copy, a1 -> a2\n");
}

static void test_control_answers(void)
{
	struct csafs_cmd cmd;
	struct pbuf out = { 0 };

	answer_is("volume create db1 size=10G",
		  "{\"name\": \"db1\", \"state\": \"online\", \"size\": 10737418240,"
		  " \"mbps\": 400, \"iops\": 20000, \"copies\": 2, \"columns\": 2,"
		  " \"stripe_unit\": 1048576, \"arrays\": [\"a1\", \"a2\", \"a3\", \"a4\"]}",
		  NULL, NULL,
		  "ok: volume db1 created: 10.0G, 400 MB/s, 20000 IOPS, 2 columns x 2 copies, stripe unit 1.0M, on a1,a2,a3,a4\n");
	answer_is("volume create e size=0",
		  "{\"name\": \"e\", \"state\": \"empty\", \"size\": 0, \"arrays\": []}",
		  NULL, NULL,
		  "ok: volume e created: empty, placed when it is given a size\n");
	answer_is("volume set db1 size=20G",
		  "{\"name\": \"db1\", \"state\": \"online\", \"size\": 21474836480,"
		  " \"mbps\": 400, \"iops\": 20000, \"copies\": 1, \"columns\": 2,"
		  " \"stripe_unit\": 1048576, \"arrays\": [\"a1\", \"a3\"], \"kept\": 2, \"grown\": 2}",
		  NULL, NULL,
		  "ok: volume db1 changed: 20.0G, 400 MB/s, 20000 IOPS, 2 columns x 1 copies, stripe unit 1.0M, on a1,a3; 2 column copies kept, 2 grown in place\n");
	answer_is("volume rm db1", "{\"name\": \"db1\"}", NULL, NULL,
		  "ok: volume db1 deleted\n");
	answer_is("status", STATUS, NULL, NULL,
		  "ok: cluster lab (5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e), generation 12: 2 arrays (1 up), 3 LUNs, 2 volumes, 2 hosts; 300.0G, 275.0G free; 400 MB/s rated, 300 reserved\n");
	answer_is("volume create big size=100G mbps=800", NULL, "no_bandwidth",
		  "needs 800 MB/s; arrays with room for a column have 620 MB/s free (a1 180, a3 240, a4 200); a2 is full",
		  "error: no_bandwidth: needs 800 MB/s; arrays with room for a column have 620 MB/s free (a1 180, a3 240, a4 200); a2 is full\n");
	answer_is("volume rm db1", NULL, "busy", "volume \"db1\" is open on host h2",
		  "error: busy: volume \"db1\" is open on host h2\n");
	answer_is("status", NULL, "unreachable", "two\nlines",
		  "error: unreachable: two lines\n");
	answer_is("status", "{" STATUS_BODY ", \"migrations\": 2, \"alerts\": " ALERTS "}",
		  NULL, NULL,
		  "ok: cluster lab (5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e), generation 12: 2 arrays (1 up), 3 LUNs, 2 volumes, 2 hosts; 300.0G, 275.0G free; 400 MB/s rated, 300 reserved; 2 migrations, 2 alerts\n");
	test_migration_answers();

	csafs_control_parse("help", &cmd);
	csafs_control_answer_local(&cmd, &out);
	check(out.s && !strncmp(out.s, "ok: commands", 12) &&
	      strstr(out.s, "\n  volume create NAME size=SIZE [mbps=N] [iops=N] [copies=N] [hosts=a,b] [stripe_unit=SIZE] [fit=best|first]\n") &&
	      strstr(out.s, "\n  volume rm NAME\n") &&
	      strstr(out.s, "\n  migrate NAME [--to ARRAY,...] [--rebalance] [--max-rate N] [--dry-run]\n") &&
	      strstr(out.s, "\n  pause [NAME]") && strstr(out.s, "\n  resume [NAME]\n") &&
	      strstr(out.s, "\n  migrations\n"),
	      "control help lists the commands");
	pbuf_free(&out);
	check(!strncmp(csafs_control_none, "error: no_command: no command yet", 33) &&
	      csafs_control_none[strlen(csafs_control_none) - 1] == '\n',
	      "control read before a command says so");
}

/* ---- events -------------------------------------------------------------- */

#define T0	1795517010	/* 2026-11-24T10:43:30Z */

static void line_is(const char *event, const char *data, const char *want)
{
	struct json_object *d = data ? parse(data) : NULL;
	struct pbuf out = { 0 };

	check(!csafs_event_line(T0, event, d, &out), "event %s: formatted", event);
	text_is(event, out.s, want);
	pbuf_free(&out);
	json_object_put(d);
}

static void test_event_lines(void)
{
	struct json_object *d;
	struct pbuf out = { 0 };
	char big[3000];

	line_is("volume.created", "{\"name\": \"db1\", \"generation\": 7}",
		"2026-11-24T10:43:30Z volume.created name=db1 generation=7\n");
	line_is("host.reconnected", NULL, "2026-11-24T10:43:30Z host.reconnected\n");
	line_is("calibrate.failed",
		"{\"array\": \"a2\", \"code\": \"unreachable\", \"message\": \"login failed: \\\"no\\\" = x\\\\y\\n\"}",
		"2026-11-24T10:43:30Z calibrate.failed array=a2 code=unreachable message=\"login failed: \\\"no\\\" = x\\\\y\\n\"\n");
	line_is("volume.changed",
		"{\"name\": \"v\", \"hosts\": [\"h1\", \"h2\"], \"none\": [], \"empty\": \"\","
		" \"ok\": true, \"gone\": null, \"rate\": 1.5,"
		" \"detail\": {\"code\": \"no_fit\", \"arrays\": [{\"name\": \"a1\"}, {\"name\": \"a 2\"}]}}",
		"2026-11-24T10:43:30Z volume.changed name=v hosts=h1,h2 none=\"\" empty=\"\" ok=true gone=null rate=1.5 detail.code=no_fit detail.arrays.0.name=a1 detail.arrays.1.name=\"a 2\"\n");
	line_is("array.added", "\"a3\"", "2026-11-24T10:43:30Z array.added value=a3\n");
	line_is("odd event", "{\"k=y\": 1}", "2026-11-24T10:43:30Z odd_event k_y=1\n");

	/* Migrations and the monitor: a sentence each. */
	line_is("migration.started", "{" MIGRATION_DB1 ", \"plan\": " PLAN "}",
		"2026-11-24T10:43:30Z migration.started db1 (monitor: a1 at 93 %): 1 moved, 0 added, 0 restriped, 3 kept; a1,a2,a3,a4 -> a1,a2,a5,a4; 80 regions of 128.0M, 5.0G to copy\n");
	line_is("migration.progress", "{" MIGRATION_DB1 "}",
		"2026-11-24T10:43:30Z migration.progress db1 12/80 regions 768.0M/5.0G 95 MB/s ETA 48s (region 12 locked)\n");
	line_is("migration.progress", "{" MIGRATION_LOGS "}",
		"2026-11-24T10:43:30Z migration.progress logs 3/16 regions 192.0M/1.0G 0 MB/s ETA - (paused)\n");
	line_is("migration.progress",
		"{\"volume\": \"db1\", \"state\": \"running\", \"regions\": 64,"
		" \"regions_done\": 12, \"bytes\": 268435456, \"bytes_done\": 50331648,"
		" \"rate_mbps\": 95, \"eta_seconds\": 2, \"locked_region\": -1}",
		"2026-11-24T10:43:30Z migration.progress db1 12/64 regions 48.0M/256.0M 95 MB/s ETA 2s\n");
	line_is("migration.paused", "{\"volume\": \"db1\"}",
		"2026-11-24T10:43:30Z migration.paused db1\n");
	line_is("migration.resumed", "{\"volume\": \"db1\"}",
		"2026-11-24T10:43:30Z migration.resumed db1\n");
	line_is("migration.done", "{\"volume\": \"db1\"}",
		"2026-11-24T10:43:30Z migration.done db1\n");
	line_is("migration.done", "{" MIGRATION_DB1 "}",
		"2026-11-24T10:43:30Z migration.done db1 (80 regions, 5.0G copied; locks 13, held p50 3 ms, p99 12 ms, max 20 ms)\n");
	line_is("migration.done", "{" MIGRATION_DB1 ", \"regions_moved\": 12, \"regions_ahead\": 10}",
		"2026-11-24T10:43:30Z migration.done db1 (80 regions, 5.0G copied; locks 13, held p50 3 ms, p99 12 ms, max 20 ms; 10 of 12 regions copied ahead)\n");
	line_is("migration.done", "{" MIGRATION_LOGS "}",
		"2026-11-24T10:43:30Z migration.done logs (16 regions, 1.0G copied)\n");
	line_is("migration.failed",
		"{\"volume\": \"db1\", \"code\": \"io\", \"message\": \"a5 did not take\nregion 41\"}",
		"2026-11-24T10:43:30Z migration.failed db1 io: a5 did not take region 41\n");
	line_is("region.lock", "{\"volume\": \"db1\", \"region\": 12, \"lock\": 7}",
		"2026-11-24T10:43:30Z region.lock db1 region 12 lock 7\n");
	line_is("region.watch", "{\"volume\": \"db1\", \"region\": 12, \"watch\": 40}",
		"2026-11-24T10:43:30Z region.watch db1 region 12 watch 40\n");
	line_is("region.unlock", "{\"volume\": \"db1\", \"region\": 12, \"state\": \"migrated\"}",
		"2026-11-24T10:43:30Z region.unlock db1 region 12 migrated\n");
	line_is("array.load",
		"{\"array\": \"a1\", \"state\": \"saturated\", \"util\": 93, \"mbps\": 372, \"iops\": 23250}",
		"2026-11-24T10:43:30Z array.load a1 saturated, 93% utilised, 372 MB/s, 23250 IOPS\n");
	line_is("alert", "{\"array\": \"a1\", \"volume\": \"db1\", \"message\": \"add an array\"}",
		"2026-11-24T10:43:30Z alert a1 (volume db1): add an array\n");
	line_is("alert", "{\"array\": \"a2\", \"volume\": \"\", \"message\": \"a2 is full\"}",
		"2026-11-24T10:43:30Z alert a2: a2 is full\n");
	line_is("alert.cleared", "{\"array\": \"a2\"}",
		"2026-11-24T10:43:30Z alert.cleared a2\n");
	line_is("migration.done", "\"db1\"",
		"2026-11-24T10:43:30Z migration.done value=db1\n");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	d = json_object_new_object();
	json_object_object_add(d, "blob", json_object_new_string(big));
	csafs_event_line(T0, "big", d, &out);
	check(out.len == CSAFS_EVENT_LINE_MAX && !strcmp(out.s + out.len - 5, " ...\n"),
	      "a long event line is cut to %d bytes, ending \" ...\"",
	      CSAFS_EVENT_LINE_MAX);
	pbuf_free(&out);
	json_object_put(d);
}

/* Read the whole stream from @off in reads of @chunk bytes. */
static char *read_all(struct csafs_evlog *l, uint64_t off, size_t chunk)
{
	struct pbuf out = { 0 };
	char buf[256];
	size_t n;

	pbuf_puts(&out, "");
	while ((n = csafs_evlog_read(l, off, buf, chunk)) > 0) {
		pbuf_add(&out, buf, n);
		off += n;
	}
	return out.s;
}

static void test_evlog(void)
{
	struct csafs_evlog *l = csafs_evlog_new(3);
	char line[64], *all;
	unsigned i;

	check(l && csafs_evlog_size(l) == 0, "event log: empty");
	check(csafs_evlog_read(l, 0, line, sizeof(line)) == 0,
	      "event log: a read at the end gives nothing");
	csafs_evlog_append(l, "one\n", 4);
	csafs_evlog_append(l, "two\n", 4);
	all = read_all(l, 0, 3);
	text_is("event log: read in pieces", all, "one\ntwo\n");
	free(all);
	all = read_all(l, 5, 64);
	text_is("event log: read from inside a line", all, "wo\n");
	free(all);

	/* Five lines into three places: the first two are dropped. */
	csafs_evlog_append(l, "three\n", 6);
	csafs_evlog_append(l, "four\n", 5);
	csafs_evlog_append(l, "five\n", 5);
	check(csafs_evlog_size(l) == 24, "event log: size counts every byte logged");
	all = read_all(l, 8, 64);
	text_is("event log: offsets stay", all, "three\nfour\nfive\n");
	free(all);
	all = read_all(l, 0, 2);
	text_is("event log: dropped lines read as one blank line", all,
		"       \nthree\nfour\nfive\n");
	free(all);
	check(csafs_evlog_read(l, 30, line, sizeof(line)) == 0,
	      "event log: a read past the end gives nothing");

	/* Enough dropped for the note. */
	for (i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "event number %u\n", i);
		csafs_evlog_append(l, line, strlen(line));
	}
	all = read_all(l, 0, 7);
	check(all && !strncmp(all, "# older events are no longer kept", 33) &&
	      strstr(all, " \nevent number 7\nevent number 8\nevent number 9\n") &&
	      strlen(all) == csafs_evlog_size(l),
	      "event log: the dropped part has a note and keeps its length");
	free(all);
	csafs_evlog_free(l);
}

int main(void)
{
	test_renderings();
	test_region_map();
	test_alerts();
	test_metrics();
	test_control_parse();
	test_control_answers();
	test_event_lines();
	test_evlog();
	return failed;
}
