// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/events (pseudo_int.h): the events of migrations and of the monitor
 * as a person reads them, rather than flattened to KEY=VALUE:
 *
 *   migration.progress db1 12/80 regions 768.0M/5.0G 95 MB/s ETA 48s
 *   array.load a1 saturated, 93% utilised, 372 MB/s, 23250 IOPS
 *
 * Each writes the rest of its line (from a space after the event's name,
 * no newline). What the primary sent as text is kept on the one line.
 */
#include <stdio.h>
#include <string.h>

#include "fs/pseudo_int.h"

/* @s with control characters as spaces: one line whatever it holds. */
static void text(struct pbuf *out, const char *s)
{
	size_t start = out->len;

	pbuf_puts(out, s);
	for (; !out->nomem && start < out->len; start++)
		if ((unsigned char)out->s[start] < ' ' || out->s[start] == 0x7f)
			out->s[start] = ' ';
}

/* " VOLUME" */
static void volume(struct pbuf *out, struct json_object *d)
{
	pbuf_puts(out, " ");
	text(out, pj_str(d, "volume"));
}

/* " a1,a2 -> a1,a3" */
static void from_to(struct pbuf *out, struct json_object *o)
{
	char list[1024];

	pbuf_puts(out, " ");
	text(out, pj_list(o, "from", "-", list, sizeof(list)));
	pbuf_puts(out, " -> ");
	text(out, pj_list(o, "to", "-", list, sizeof(list)));
}

/* db1 (manual): 1 moved, 0 added, 0 restriped, 3 kept; a1,.. -> a1,..;
 * 80 regions of 128.0M, 5.0G to copy */
static void started(struct pbuf *out, struct json_object *d)
{
	struct json_object *plan = pj_obj(d, "plan");
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN];

	volume(out, d);
	pbuf_puts(out, " (");
	text(out, pj_str(d, "reason"));
	pbuf_puts(out, "):");
	if (plan)
		pbuf_printf(out, " %llu moved, %llu added, %llu restriped, %llu kept;",
			    (unsigned long long)pj_u64(plan, "moved"),
			    (unsigned long long)pj_u64(plan, "added"),
			    (unsigned long long)pj_u64(plan, "restriped"),
			    (unsigned long long)pj_u64(plan, "kept"));
	from_to(out, d);
	pbuf_printf(out, "; %llu regions of %s, %s to copy",
		    (unsigned long long)pj_u64(d, "regions"),
		    csa_fmt_size(pj_u64(d, "region_bytes"), a),
		    csa_fmt_size(pj_u64(d, "bytes"), b));
}

/* db1 12/80 regions 768.0M/5.0G 95 MB/s ETA 48s[ (region 12 locked)] */
static void progress(struct pbuf *out, struct json_object *d)
{
	volume(out, d);
	pbuf_puts(out, " ");
	pfmt_progress(out, d);
	if (pj_has(d, "locked_region") && pj_i64(d, "locked_region") >= 0)
		pbuf_printf(out, " (region %lld locked)",
			    (long long)pj_i64(d, "locked_region"));
	else if (!strcmp(pj_str(d, "state"), "paused"))
		pbuf_puts(out, " (paused)");
}

/* db1[ (80 regions, 5.0G copied; locks 80, held p50 3 ms, p99 12 ms,
 * max 20 ms)] (the figures when the primary sends them) */
static void done(struct pbuf *out, struct json_object *d)
{
	char a[CSA_FMT_LEN];

	volume(out, d);
	if (!pj_has(d, "regions"))
		return;
	pbuf_printf(out, " (%llu regions, %s copied",
		    (unsigned long long)pj_u64(d, "regions"),
		    csa_fmt_size(pj_u64(d, "bytes"), a));
	if (pj_has(d, "locks")) {
		pbuf_puts(out, "; locks ");
		pfmt_locks(out, d);
	}
	pbuf_puts(out, ")");
}

/* db1 io: MESSAGE */
static void failed(struct pbuf *out, struct json_object *d)
{
	volume(out, d);
	pbuf_puts(out, " ");
	text(out, pj_str(d, "code"));
	pbuf_puts(out, ": ");
	text(out, pj_str(d, "message"));
}

/* db1 region 12 lock 7 (@key "lock"), db1 region 12 watch 40 */
static void region_num(struct pbuf *out, struct json_object *d,
		       const char *key)
{
	volume(out, d);
	pbuf_printf(out, " region %llu %s %llu",
		    (unsigned long long)pj_u64(d, "region"), key,
		    (unsigned long long)pj_u64(d, key));
}

static void region_lock(struct pbuf *out, struct json_object *d)
{
	region_num(out, d, "lock");
}

static void region_watch(struct pbuf *out, struct json_object *d)
{
	region_num(out, d, "watch");
}

/* db1 region 12 migrated */
static void region_unlock(struct pbuf *out, struct json_object *d)
{
	volume(out, d);
	pbuf_printf(out, " region %llu ", (unsigned long long)pj_u64(d, "region"));
	text(out, pj_str(d, "state"));
}

/* a1 saturated, 93% utilised, 372 MB/s, 23250 IOPS */
static void array_load(struct pbuf *out, struct json_object *d)
{
	pbuf_puts(out, " ");
	text(out, pj_str(d, "array"));
	pbuf_puts(out, " ");
	text(out, pj_str(d, "state"));
	pbuf_printf(out, ", %llu%% utilised, %llu MB/s, %llu IOPS",
		    (unsigned long long)pj_u64(d, "util"),
		    (unsigned long long)pj_u64(d, "mbps"),
		    (unsigned long long)pj_u64(d, "iops"));
}

/* a2 (volume db1): MESSAGE */
static void alert(struct pbuf *out, struct json_object *d)
{
	pbuf_puts(out, " ");
	text(out, pj_str(d, "array"));
	if (*pj_str(d, "volume")) {
		pbuf_puts(out, " (volume ");
		text(out, pj_str(d, "volume"));
		pbuf_puts(out, ")");
	}
	pbuf_puts(out, ": ");
	text(out, pj_str(d, "message"));
}

/* a2 */
static void array_only(struct pbuf *out, struct json_object *d)
{
	pbuf_puts(out, " ");
	text(out, pj_str(d, "array"));
}

static const struct {
	const char *event;
	void (*fn)(struct pbuf *out, struct json_object *d);
} readable[] = {
	{ "migration.started", started }, { "migration.progress", progress },
	{ "migration.paused", volume }, { "migration.resumed", volume },
	{ "migration.done", done }, { "migration.failed", failed },
	{ "region.lock", region_lock }, { "region.unlock", region_unlock },
	{ "region.watch", region_watch },
	{ "array.load", array_load }, { "alert", alert },
	{ "alert.cleared", array_only },
};

bool csafs_event_text(const char *event, struct json_object *data,
		      struct pbuf *out)
{
	size_t i;

	if (!json_object_is_type(data, json_type_object))
		return false;
	for (i = 0; i < sizeof(readable) / sizeof(readable[0]); i++)
		if (!strcmp(event, readable[i].event)) {
			readable[i].fn(out, data);
			return true;
		}
	return false;
}
