// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/status and .csa/arrays as text for people (pseudo_int.h). Blocks
 * of "key:  value" lines aligned on their values, as /proc/meminfo has
 * them, and tables with a header line; numbers are aligned on the right.
 *
 * What the primary did not answer is shown from what this host knows
 * (the "local" view) and said to be so at the top, never left out
 * silently: a person reading the file during an outage must see that it
 * is partial.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/pseudo_int.h"

/* A block of "key:  value" lines. */
static struct ptab *kv_new(void)
{
	return ptab_new(2, NULL, "ll");
}

#define kv_add(t, key, ...)			\
	do {					\
		ptab_add((t), "%s:", (key));	\
		ptab_add((t), __VA_ARGS__);	\
	} while (0)

/* ---- shared ------------------------------------------------------------- */

static struct json_object *find_named(struct json_object *list,
				      const char *name)
{
	size_t i;

	for (i = 0; i < pj_len(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		if (!strcmp(pj_str(o, "name"), name))
			return o;
	}
	return NULL;
}

const char *csafs_array_state(struct json_object *view, const char *array)
{
	struct json_object *a = find_named(pj_arr(view, "arrays"), array);

	return a ? pj_str(a, "state") : "";
}

/*
 * "12" from the primary's figure for all hosts (the monitor's "load" of
 * the array), else this host's, else "-".
 */
static const char *measured(struct json_object *view, struct json_object *a,
			    const char *what, char *buf, size_t len)
{
	struct json_object *m = json_object_object_get(view, "measured");
	struct json_object *load = pj_obj(a, "load"), *one;

	if (load) {
		snprintf(buf, len, "%llu", (unsigned long long)pj_u64(load, what));
		return buf;
	}
	if (!pj_has(m, "ms"))
		return "-";
	one = json_object_object_get(json_object_object_get(m, "arrays"),
				     pj_str(a, "name"));
	snprintf(buf, len, "%llu", (unsigned long long)pj_u64(one, what));
	return buf;
}

/* Where the measured figures come from, under a table that shows them. */
static void measured_note(struct json_object *view, struct pbuf *out)
{
	struct json_object *arrays = pj_arr(view, "arrays");
	struct json_object *m = json_object_object_get(view, "measured");
	uint64_t ms = pj_u64(m, "ms");
	size_t i, loads = 0;

	for (i = 0; i < pj_len(arrays); i++)
		loads += pj_obj(json_object_array_get_idx(arrays, i), "load") != NULL;
	if (loads == pj_len(arrays))
		return;		/* the primary's figures throughout */
	pbuf_puts(out, loads ? "  measured: all hosts' I/O (the primary's); where it gives none, this host's" :
		  "  measured: this host's I/O");
	if (ms)
		pbuf_printf(out, " over the last %llu.%llu s\n",
			    (unsigned long long)ms / 1000,
			    (unsigned long long)ms % 1000 / 100);
	else
		pbuf_puts(out, "; \"-\" until a second sample (read again in a second)\n");
}

/* ---- alerts ------------------------------------------------------------- */

/*
 * A volume whose copies sit on arrays that are not up: degraded while
 * every column keeps a copy on an array that is up, else unavailable.
 * VOLUME_SUMMARY's "arrays" lists column copies, copy 0 first.
 */
static void volume_alert(struct json_object *view, struct json_object *v,
			 struct pbuf *out)
{
	struct json_object *arrays = pj_arr(v, "arrays");
	uint64_t copies = pj_u64(v, "copies"), cols = pj_u64(v, "columns");
	const char *first = NULL, *state = NULL;
	unsigned bad = 0, c, k, fc = 0, fk = 0;
	bool lost = false;

	if (!copies || pj_len(arrays) != copies * cols)
		return;
	for (c = 0; c < cols; c++) {
		unsigned up = 0;

		for (k = 0; k < copies; k++) {
			const char *a = json_object_get_string(
				json_object_array_get_idx(arrays, c * copies + k));
			const char *st = csafs_array_state(view, a);

			if (!strcmp(st, "up")) {
				up++;
				continue;
			}
			if (!bad++) {
				first = a;
				state = *st ? st : "unknown";
				fc = c;
				fk = k;
			}
		}
		lost |= !up;
	}
	if (!bad)
		return;
	pbuf_printf(out, "  volume %s is %s: column %u copy %u is on %s, which is %s",
		    pj_str(v, "name"), lost ? "unavailable" : "degraded",
		    fc, fk, first, state);
	if (bad > 1)
		pbuf_printf(out, " (and %u more column copies)", bad - 1);
	pbuf_puts(out, "\n");
}

static void lun_alerts(struct json_object *view, struct pbuf *out)
{
	struct json_object *luns = pj_arr(json_object_object_get(view, "local"),
					  "luns");
	size_t i;

	for (i = 0; i < pj_len(luns); i++) {
		struct json_object *l = json_object_array_get_idx(luns, i);

		if (pj_u64(l, "errors"))
			pbuf_printf(out, "  array %s LUN %llu: %llu I/O errors on this host\n",
				    pj_str(l, "array"),
				    (unsigned long long)pj_u64(l, "lun"),
				    (unsigned long long)pj_u64(l, "errors"));
	}
}

/* The monitor's: a saturated array that no placement relieves. */
static void monitor_alerts(struct json_object *view, struct pbuf *out)
{
	struct json_object *alerts = pj_arr(json_object_object_get(view, "status"),
					    "alerts");
	char when[CSA_FMT_LEN];
	size_t i;

	for (i = 0; i < pj_len(alerts); i++) {
		struct json_object *a = json_object_array_get_idx(alerts, i);

		pbuf_printf(out, "  array %s", pj_str(a, "array"));
		if (*pj_str(a, "volume"))
			pbuf_printf(out, ", volume %s", pj_str(a, "volume"));
		pbuf_printf(out, ": %s (since %s)\n", pj_str(a, "message"),
			    csa_fmt_time(pj_u64(a, "since"), when));
	}
}

void csafs_alerts(struct json_object *view, struct pbuf *out)
{
	struct json_object *arrays = pj_arr(view, "arrays");
	struct json_object *vols = pj_arr(view, "volumes");
	struct json_object *err = json_object_object_get(view, "error");
	size_t i;

	if (err)
		pbuf_printf(out, "  primary %s: %s\n",
			    pj_bool(err, "refused") ? "refused" : "unreachable",
			    pj_str(err, "message"));
	monitor_alerts(view, out);
	for (i = 0; i < pj_len(arrays); i++) {
		struct json_object *a = json_object_array_get_idx(arrays, i);
		const char *st = pj_str(a, "state");

		if (!strcmp(st, "down"))
			pbuf_printf(out, "  array %s is down\n", pj_str(a, "name"));
		else if (strcmp(st, "up"))
			pbuf_printf(out, "  array %s is %s: some of its LUNs are down\n",
				    pj_str(a, "name"), st);
	}
	for (i = 0; i < pj_len(vols); i++)
		volume_alert(view, json_object_array_get_idx(vols, i), out);
	lun_alerts(view, out);
}

/* ---- status: the parts -------------------------------------------------- */

void csafs_banner(struct json_object *view, struct pbuf *out)
{
	struct json_object *err = json_object_object_get(view, "error");

	if (!err)
		return;
	pbuf_printf(out, "PRIMARY %s", pj_bool(err, "refused") ?
		    "REFUSED" : "UNREACHABLE");
	if (strcmp(pj_str(err, "code"), "unreachable"))
		pbuf_printf(out, " (%s)", pj_str(err, "code"));
	pbuf_printf(out, ": %s\n", pj_str(err, "message"));
	pbuf_puts(out, "What follows is what this host knows; it may be out of date.\n\n");
}

/* "1 (db1)": the count from status, the names from the volumes shown. */
static const char *migrating(struct json_object *view, struct json_object *s,
			     char *buf, size_t len)
{
	struct json_object *vols = pj_arr(view, "volumes");
	unsigned long long n = (unsigned long long)pj_u64(s, "migrations");
	char names[1024] = "";
	size_t i, used = 0;

	for (i = 0; i < pj_len(vols) && used < sizeof(names); i++) {
		struct json_object *v = json_object_array_get_idx(vols, i);

		if (pj_obj(v, "migration"))
			used += (size_t)snprintf(names + used, sizeof(names) - used,
						 "%s%s", used ? "," : "",
						 pj_str(v, "name"));
	}
	if (*names)
		snprintf(buf, len, "%llu (%s)", n, names);
	else
		snprintf(buf, len, "%llu", n);
	return buf;
}

static void cluster_block(struct json_object *view, struct pbuf *out)
{
	struct json_object *s = json_object_object_get(view, "status");
	struct json_object *local = json_object_object_get(view, "local");
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN], c[CSA_FMT_LEN], list[1024];
	struct ptab *t = kv_new();

	if (s) {
		kv_add(t, "cluster", "%s%s%s%s, catalog generation %llu",
		       pj_str(s, "name"), *pj_str(s, "name") ? " (" : "",
		       pj_str(s, "cluster"), *pj_str(s, "name") ? ")" : "",
		       (unsigned long long)pj_u64(s, "generation"));
		kv_add(t, "primary", "%s, up since %s", pj_str(s, "primary"),
		       csa_fmt_time(pj_u64(s, "started"), a));
	}
	kv_add(t, "host", "%s, %s %s", pj_str(local, "host"),
	       pj_bool(local, "connected") ? "connected to" : "not connected to",
	       pj_str(local, "primary"));
	if (s) {
		kv_add(t, "arrays", "%llu (%llu up), %llu LUNs",
		       (unsigned long long)pj_u64(s, "arrays"),
		       (unsigned long long)pj_u64(s, "arrays_up"),
		       (unsigned long long)pj_u64(s, "luns"));
		kv_add(t, "capacity", "%s, %s used, %s free",
		       csa_fmt_size(pj_u64(s, "capacity_bytes"), a),
		       csa_fmt_size(pj_u64(s, "used_bytes"), b),
		       csa_fmt_size(pj_u64(s, "free_bytes"), c));
		kv_add(t, "bandwidth", "%llu MB/s rated, %llu MB/s reserved",
		       (unsigned long long)pj_u64(s, "rated_mbps"),
		       (unsigned long long)pj_u64(s, "reserved_mbps"));
		kv_add(t, "iops", "%llu rated, %llu reserved",
		       (unsigned long long)pj_u64(s, "rated_iops"),
		       (unsigned long long)pj_u64(s, "reserved_iops"));
		kv_add(t, "volumes", "%llu",
		       (unsigned long long)pj_u64(s, "volumes"));
		kv_add(t, "hosts", "%llu registered",
		       (unsigned long long)pj_u64(s, "hosts"));
	}
	if (pj_has(s, "migrations"))
		kv_add(t, "migrations", "%s", migrating(view, s, list, sizeof(list)));
	ptab_print(t, out, 0);
}

static void arrays_table(struct json_object *view, struct pbuf *out)
{
	static const char *const heads[] = {
		"NAME", "STATE", "LUNS", "CAPACITY", "USED", "FREE",
		"RATED-MB/S", "MEAS-MB/S", "RATED-IOPS", "MEAS-IOPS" };
	struct json_object *arrays = pj_arr(view, "arrays");
	char a[CSA_FMT_LEN], m[CSA_FMT_LEN];
	struct ptab *t;
	size_t i;

	pbuf_puts(out, "\narrays:\n");
	if (!pj_len(arrays)) {
		pbuf_puts(out, arrays ? "  none\n" :
			  "  unknown (the primary did not answer)\n");
		return;
	}
	t = ptab_new(10, heads, "llrrrrrrrr");
	for (i = 0; i < pj_len(arrays); i++) {
		struct json_object *o = json_object_array_get_idx(arrays, i);
		uint64_t cap = pj_u64(o, "capacity_bytes");
		uint64_t nfree = pj_u64(o, "free_bytes");

		ptab_add(t, "%s", pj_str(o, "name"));
		ptab_add(t, "%s", pj_str(o, "state"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(o, "luns"));
		ptab_add(t, "%s", csa_fmt_size(cap, a));
		ptab_add(t, "%s", csa_fmt_size(cap > nfree ? cap - nfree : 0, a));
		ptab_add(t, "%s", csa_fmt_size(nfree, a));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(o, "rated_mbps"));
		ptab_add(t, "%s", measured(view, o, "mbps", m, sizeof(m)));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(o, "rated_iops"));
		ptab_add(t, "%s", measured(view, o, "iops", m, sizeof(m)));
	}
	ptab_print(t, out, 2);
	measured_note(view, out);
}

static bool name_in(struct json_object *list, const char *name)
{
	size_t i;

	for (i = 0; i < pj_len(list); i++)
		if (!strcmp(json_object_get_string(
				json_object_array_get_idx(list, i)), name))
			return true;
	return false;
}

/* The hosts that have @v open: the primary's list, and this host now. */
static const char *open_on(struct json_object *view, struct json_object *v,
			   char *buf, size_t len)
{
	struct json_object *local = json_object_object_get(view, "local");
	struct json_object *mine = find_named(pj_arr(local, "volumes"),
					      pj_str(v, "name"));
	struct json_object *list = pj_arr(v, "open_on");
	const char *host = pj_str(local, "host");
	const char *s = pj_list(v, "open_on", "", buf, len);
	size_t n = strlen(s);

	if (s != buf)
		buf[0] = '\0';
	if (pj_u64(mine, "open") && *host && !name_in(list, host))
		snprintf(buf + n, len - n, "%s%s", n ? "," : "", host);
	return *buf ? buf : "-";
}

static void volumes_table(struct json_object *view, struct pbuf *out)
{
	static const char *const heads[] = {
		"NAME", "STATE", "SIZE", "MB/S", "IOPS", "COPIES", "COLUMNS",
		"HOSTS", "OPEN-ON" };
	struct json_object *vols = pj_arr(view, "volumes");
	char a[CSA_FMT_LEN], list[1024];
	struct ptab *t;
	size_t i;

	pbuf_puts(out, "\nvolumes:\n");
	if (!pj_len(vols)) {
		pbuf_puts(out, vols ? "  none\n" :
			  "  unknown (the primary did not answer)\n");
		return;
	}
	t = ptab_new(9, heads, "llrrrrrll");
	for (i = 0; i < pj_len(vols); i++) {
		struct json_object *v = json_object_array_get_idx(vols, i);

		ptab_add(t, "%s", pj_str(v, "name"));
		ptab_add(t, "%s", pj_str(v, "state"));
		ptab_add(t, "%s", csa_fmt_size(pj_u64(v, "size"), a));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(v, "mbps"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(v, "iops"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(v, "copies"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(v, "columns"));
		ptab_add(t, "%s", pj_list(v, "hosts", "any", list, sizeof(list)));
		ptab_add(t, "%s", open_on(view, v, list, sizeof(list)));
	}
	ptab_print(t, out, 2);
}

/* The volumes this host has, when the primary cannot say. */
static void local_volumes(struct json_object *view, struct pbuf *out)
{
	static const char *const heads[] = { "NAME", "SIZE", "OPEN", "MAP" };
	struct json_object *vols = pj_arr(json_object_object_get(view, "local"),
					  "volumes");
	char a[CSA_FMT_LEN];
	struct ptab *t;
	size_t i;

	pbuf_puts(out, "\nvolumes this host knows:\n");
	if (!pj_len(vols)) {
		pbuf_puts(out, "  none\n");
		return;
	}
	t = ptab_new(4, heads, "lrrr");
	for (i = 0; i < pj_len(vols); i++) {
		struct json_object *v = json_object_array_get_idx(vols, i);

		ptab_add(t, "%s", pj_str(v, "name"));
		ptab_add(t, "%s", csa_fmt_size(pj_u64(v, "size"), a));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(v, "open"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(v, "map_generation"));
	}
	ptab_print(t, out, 2);
}

static void local_luns(struct json_object *view, struct pbuf *out)
{
	static const char *const heads[] = {
		"ARRAY", "LUN", "OPEN", "READS", "WRITES", "READ", "WRITTEN",
		"ERRORS", "IN-FLIGHT", "P99-MS" };
	struct json_object *luns = pj_arr(json_object_object_get(view, "local"),
					  "luns");
	struct ptab *t;
	char a[CSA_FMT_LEN];
	size_t i;

	if (!pj_len(luns))
		return;
	t = ptab_new(10, heads, "lrrrrrrrrr");
	pbuf_puts(out, "\nthis host's LUNs:\n");
	for (i = 0; i < pj_len(luns); i++) {
		struct json_object *l = json_object_array_get_idx(luns, i);

		ptab_add(t, "%s", pj_str(l, "array"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "lun"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "open"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "reads"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "writes"));
		ptab_add(t, "%s", csa_fmt_size(pj_u64(l, "read_bytes"), a));
		ptab_add(t, "%s", csa_fmt_size(pj_u64(l, "write_bytes"), a));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "errors"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "in_flight"));
		ptab_add(t, "%s", pfmt_ms(pj_u64(l, "p99_us"), a));
	}
	ptab_print(t, out, 2);
}

static void alerts_block(struct json_object *view, struct pbuf *out)
{
	size_t before;

	pbuf_puts(out, "\nalerts:\n");
	before = out->len;
	csafs_alerts(view, out);
	if (out->len == before)
		pbuf_puts(out, "  none\n");
}

int csafs_render_status(struct json_object *view, struct pbuf *out)
{
	bool reached = !json_object_object_get(view, "error");

	csafs_banner(view, out);
	cluster_block(view, out);
	if (reached) {
		arrays_table(view, out);
		volumes_table(view, out);
	} else {
		local_volumes(view, out);
	}
	local_luns(view, out);
	alerts_block(view, out);
	return out->nomem ? -ENOMEM : 0;
}

/* ---- arrays ------------------------------------------------------------- */

static void lun_table(struct json_object *a, struct pbuf *out)
{
	static const char *const heads[] = {
		"LUN", "STATE", "CAPACITY", "FREE", "BLOCK", "UUID" };
	struct json_object *luns = pj_arr(a, "lun_list");
	struct ptab *t = ptab_new(6, heads, "rlrrrl");
	char b[CSA_FMT_LEN];
	size_t i;

	for (i = 0; i < pj_len(luns); i++) {
		struct json_object *l = json_object_array_get_idx(luns, i);

		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "number"));
		ptab_add(t, "%s", pj_str(l, "state"));
		ptab_add(t, "%s", csa_fmt_size(pj_u64(l, "capacity_bytes"), b));
		ptab_add(t, "%s", csa_fmt_size(pj_u64(l, "free_bytes"), b));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "block_size"));
		ptab_add(t, "%s", pj_str(l, "uuid"));
	}
	ptab_print(t, out, 2);
}

/* The worst p50 and p99 of this host's LUNs on @array; false if none. */
static bool local_latency(struct json_object *view, const char *array,
			  uint64_t *p50, uint64_t *p99)
{
	struct json_object *luns = pj_arr(json_object_object_get(view, "local"),
					  "luns");
	bool any = false;
	size_t i;

	*p50 = *p99 = 0;
	for (i = 0; i < pj_len(luns); i++) {
		struct json_object *l = json_object_array_get_idx(luns, i);

		if (strcmp(pj_str(l, "array"), array))
			continue;
		any = true;
		if (pj_u64(l, "p50_us") > *p50)
			*p50 = pj_u64(l, "p50_us");
		if (pj_u64(l, "p99_us") > *p99)
			*p99 = pj_u64(l, "p99_us");
	}
	return any;
}

/* p99 of all hosts from the primary's load, and this host's own. */
static void latency_row(struct ptab *t, struct json_object *view,
			struct json_object *a)
{
	struct json_object *load = pj_obj(a, "load");
	char x[PFMT_LEN], y[PFMT_LEN], z[PFMT_LEN];
	uint64_t p50, p99;
	bool mine = local_latency(view, pj_str(a, "name"), &p50, &p99);

	if (load && mine)
		kv_add(t, "latency", "p99 %s ms (all hosts); this host p50 %s ms, p99 %s ms",
		       pfmt_ms(pj_u64(load, "p99_us"), z), pfmt_ms(p50, x),
		       pfmt_ms(p99, y));
	else if (load)
		kv_add(t, "latency", "p99 %s ms (all hosts)",
		       pfmt_ms(pj_u64(load, "p99_us"), z));
	else if (mine)
		kv_add(t, "latency", "p50 %s ms, p99 %s ms (this host)",
		       pfmt_ms(p50, x), pfmt_ms(p99, y));
}

/* The P99-MS cell: all hosts' from the load, else this host's, else "-". */
static const char *p99_cell(struct json_object *view, struct json_object *a,
			    char buf[PFMT_LEN])
{
	struct json_object *load = pj_obj(a, "load");
	uint64_t p50, p99;

	if (load)
		return pfmt_ms(pj_u64(load, "p99_us"), buf);
	if (local_latency(view, pj_str(a, "name"), &p50, &p99))
		return pfmt_ms(p99, buf);
	return "-";
}

/* One line per array: rated against measured, latency, the monitor's state. */
static void load_table(struct json_object *view, struct pbuf *out)
{
	static const char *const heads[] = {
		"NAME", "STATE", "RATED-MB/S", "MEAS-MB/S", "RATED-IOPS",
		"MEAS-IOPS", "P99-MS", "UTIL", "LOAD" };
	struct json_object *arrays = pj_arr(view, "arrays");
	struct ptab *t = ptab_new(9, heads, "llrrrrrrl");
	char m[PFMT_LEN];
	size_t i;

	for (i = 0; i < pj_len(arrays); i++) {
		struct json_object *a = json_object_array_get_idx(arrays, i);
		struct json_object *load = pj_obj(a, "load");

		ptab_add(t, "%s", pj_str(a, "name"));
		ptab_add(t, "%s", pj_str(a, "state"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(a, "rated_mbps"));
		ptab_add(t, "%s", measured(view, a, "mbps", m, sizeof(m)));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(a, "rated_iops"));
		ptab_add(t, "%s", measured(view, a, "iops", m, sizeof(m)));
		ptab_add(t, "%s", p99_cell(view, a, m));
		if (load)
			ptab_add(t, "%llu%%", (unsigned long long)pj_u64(load, "util"));
		else
			ptab_add(t, "-");
		ptab_add(t, "%s", load ? pj_str(load, "state") : "-");
	}
	pbuf_puts(out, "arrays:\n");
	ptab_print(t, out, 2);
	measured_note(view, out);
	pbuf_puts(out, "\n");
}

static void array_block(struct json_object *view, struct json_object *a,
			struct pbuf *out)
{
	char x[CSA_FMT_LEN], y[CSA_FMT_LEN], z[CSA_FMT_LEN], list[1024];
	const char *name = pj_str(a, "name");
	uint64_t cap = pj_u64(a, "capacity_bytes");
	uint64_t nfree = pj_u64(a, "free_bytes");
	struct json_object *load = pj_obj(a, "load");
	struct ptab *t = kv_new();

	kv_add(t, "array", "%s", name);
	kv_add(t, "state", "%s", pj_str(a, "state"));
	kv_add(t, "portal", "%s", pj_str(a, "portal"));
	kv_add(t, "target", "%s", pj_str(a, "target"));
	kv_add(t, "capacity", "%s, %s used, %s free", csa_fmt_size(cap, x),
	       csa_fmt_size(cap > nfree ? cap - nfree : 0, y),
	       csa_fmt_size(nfree, z));
	kv_add(t, "rated", "%llu MB/s, %llu IOPS (%s)",
	       (unsigned long long)pj_u64(a, "rated_mbps"),
	       (unsigned long long)pj_u64(a, "rated_iops"),
	       pj_bool(a, "calibrated") ? "calibrated" : "not calibrated");
	kv_add(t, "reserved", "%llu MB/s, %llu IOPS",
	       (unsigned long long)pj_u64(a, "reserved_mbps"),
	       (unsigned long long)pj_u64(a, "reserved_iops"));
	kv_add(t, "measured", "%s MB/s, %s IOPS (%s)",
	       measured(view, a, "mbps", x, sizeof(x)),
	       measured(view, a, "iops", y, sizeof(y)),
	       load ? "all hosts, last second" : "this host");
	latency_row(t, view, a);
	if (load)
		kv_add(t, "load", "%s, %llu%% utilised", pj_str(load, "state"),
		       (unsigned long long)pj_u64(load, "util"));
	else
		kv_add(t, "load", "- (the primary gives no load figures)");
	if (pj_has(a, "volume_names"))
		kv_add(t, "volumes", "%s",
		       pj_list(a, "volume_names", "none", list, sizeof(list)));
	else
		kv_add(t, "volumes", "%llu", (unsigned long long)pj_u64(a, "volumes"));
	if (pj_has(a, "lun_list"))
		kv_add(t, "luns", "%zu", pj_len(pj_arr(a, "lun_list")));
	else
		kv_add(t, "luns", "%llu (no details: the primary did not show this array)",
		       (unsigned long long)pj_u64(a, "luns"));
	ptab_print(t, out, 0);
	if (pj_has(a, "lun_list"))
		lun_table(a, out);
}

/* When the primary cannot say: the arrays this host has LUNs open on. */
static void local_arrays(struct json_object *view, struct pbuf *out)
{
	static const char *const heads[] = {
		"ARRAY", "PORTAL", "TARGET", "LUN", "OPEN", "ERRORS" };
	struct json_object *luns = pj_arr(json_object_object_get(view, "local"),
					  "luns");
	struct ptab *t;
	size_t i;

	pbuf_puts(out, "LUNs this host has used:\n");
	if (!pj_len(luns)) {
		pbuf_puts(out, "  none\n");
		return;
	}
	t = ptab_new(6, heads, "lllrrr");
	for (i = 0; i < pj_len(luns); i++) {
		struct json_object *l = json_object_array_get_idx(luns, i);

		ptab_add(t, "%s", pj_str(l, "array"));
		ptab_add(t, "%s", pj_str(l, "portal"));
		ptab_add(t, "%s", pj_str(l, "target"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "lun"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "open"));
		ptab_add(t, "%llu", (unsigned long long)pj_u64(l, "errors"));
	}
	ptab_print(t, out, 2);
}

int csafs_render_arrays(struct json_object *view, struct pbuf *out)
{
	struct json_object *arrays = pj_arr(view, "arrays");
	size_t i;

	csafs_banner(view, out);
	if (!arrays) {
		local_arrays(view, out);
		return out->nomem ? -ENOMEM : 0;
	}
	if (pj_len(arrays))
		load_table(view, out);
	for (i = 0; i < pj_len(arrays); i++) {
		if (i)
			pbuf_puts(out, "\n");
		array_block(view, json_object_array_get_idx(arrays, i), out);
	}
	if (!pj_len(arrays))
		pbuf_puts(out, "no arrays\n");
	return out->nomem ? -ENOMEM : 0;
}
