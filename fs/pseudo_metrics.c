// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/metrics (pseudo_int.h): the view in the Prometheus text exposition
 * format, version 0.0.4: for each family "# HELP", "# TYPE", then its
 * samples, every family once. Arrays, volumes and migrations are the
 * primary's view (absent while it cannot be reached); an array's measured
 * figures are its monitor's "load", and have no sample for an array
 * without one (an older primary); LUN counters are this host's own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/pseudo_int.h"

enum source { ARRAYS, ARRAY_LOADS, VOLUMES, LOCAL_VOLUMES, LUNS, MIGRATIONS };
enum value { RAW, UP, MICROSECONDS, PERCENT, SATURATED };

struct family {
	const char *name;
	const char *type;	/* "gauge" or "counter" */
	enum source src;
	const char *key;	/* member of each object */
	enum value val;
	const char *help;
};

static const struct family families[] = {
	{ "csafs_array_up", "gauge", ARRAYS, "state", UP,
	  "1 if the primary has every LUN of the array open, else 0." },
	{ "csafs_array_rated_mbps", "gauge", ARRAYS, "rated_mbps", RAW,
	  "What the array can move, MB/s (configured or calibrated)." },
	{ "csafs_array_rated_iops", "gauge", ARRAYS, "rated_iops", RAW,
	  "What the array can do, I/O per second (configured or calibrated)." },
	{ "csafs_array_reserved_mbps", "gauge", ARRAYS, "reserved_mbps", RAW,
	  "MB/s the volumes on the array ask of it." },
	{ "csafs_array_reserved_iops", "gauge", ARRAYS, "reserved_iops", RAW,
	  "I/O per second the volumes on the array ask of it." },
	{ "csafs_array_capacity_bytes", "gauge", ARRAYS, "capacity_bytes", RAW,
	  "Bytes of the array's LUNs the CSA may use." },
	{ "csafs_array_free_bytes", "gauge", ARRAYS, "free_bytes", RAW,
	  "Bytes of the array's LUNs in no volume." },
	{ "csafs_array_measured_mbps", "gauge", ARRAY_LOADS, "mbps", RAW,
	  "MB/s all hosts moved to the array over the last second (the primary's monitor)." },
	{ "csafs_array_measured_iops", "gauge", ARRAY_LOADS, "iops", RAW,
	  "I/O per second all hosts did on the array over the last second (the primary's monitor)." },
	{ "csafs_array_util_ratio", "gauge", ARRAY_LOADS, "util", PERCENT,
	  "How much of its rating the array is using (1: all of it)." },
	{ "csafs_array_p99_seconds", "gauge", ARRAY_LOADS, "p99_us", MICROSECONDS,
	  "99th percentile latency of all hosts' I/O to the array over the last second." },
	{ "csafs_array_saturated", "gauge", ARRAY_LOADS, "state", SATURATED,
	  "1 if the primary's monitor finds the array saturated, else 0." },
	{ "csafs_volume_size_bytes", "gauge", VOLUMES, "size", RAW,
	  "Size of the volume in bytes." },
	{ "csafs_volume_required_mbps", "gauge", VOLUMES, "mbps", RAW,
	  "MB/s the volume asks for." },
	{ "csafs_volume_required_iops", "gauge", VOLUMES, "iops", RAW,
	  "I/O per second the volume asks for." },
	{ "csafs_volume_copies", "gauge", VOLUMES, "copies", RAW,
	  "Copies (mirrors) of each column of the volume." },
	{ "csafs_volume_columns", "gauge", VOLUMES, "columns", RAW,
	  "Columns the volume is striped over." },
	{ "csafs_volume_open", "gauge", LOCAL_VOLUMES, "open", RAW,
	  "Handles this host has open on the volume." },
	{ "csafs_migration_regions_total", "gauge", MIGRATIONS, "regions", RAW,
	  "Regions the volume's migration moves." },
	{ "csafs_migration_regions_done", "gauge", MIGRATIONS, "regions_done", RAW,
	  "Regions the volume's migration has moved." },
	{ "csafs_migration_bytes_done", "gauge", MIGRATIONS, "bytes_done", RAW,
	  "Bytes the volume's migration has copied." },
	{ "csafs_migration_rate_mbps", "gauge", MIGRATIONS, "rate_mbps", RAW,
	  "MB/s the volume's migration copies at (the last 5 seconds)." },
	{ "csafs_lun_reads_total", "counter", LUNS, "reads", RAW,
	  "Reads this host sent to the LUN." },
	{ "csafs_lun_writes_total", "counter", LUNS, "writes", RAW,
	  "Writes this host sent to the LUN." },
	{ "csafs_lun_read_bytes_total", "counter", LUNS, "read_bytes", RAW,
	  "Bytes this host read from the LUN." },
	{ "csafs_lun_write_bytes_total", "counter", LUNS, "write_bytes", RAW,
	  "Bytes this host wrote to the LUN." },
	{ "csafs_lun_errors_total", "counter", LUNS, "errors", RAW,
	  "I/O to the LUN that failed on this host." },
	{ "csafs_lun_in_flight", "gauge", LUNS, "in_flight", RAW,
	  "I/O this host has outstanding on the LUN." },
	{ "csafs_lun_latency_p50_seconds", "gauge", LUNS, "p50_us", MICROSECONDS,
	  "Median latency of this host's I/O to the LUN since the last sample." },
	{ "csafs_lun_latency_p99_seconds", "gauge", LUNS, "p99_us", MICROSECONDS,
	  "99th percentile latency of this host's I/O to the LUN since the last sample." },
};

/* A label value: backslash, double quote and newline escaped. */
static void label_value(struct pbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			pbuf_puts(out, "\\\\");
		else if (*s == '"')
			pbuf_puts(out, "\\\"");
		else if (*s == '\n')
			pbuf_puts(out, "\\n");
		else
			pbuf_add(out, s, 1);
	}
}

static void labels(struct pbuf *out, enum source src, struct json_object *o)
{
	if (src == LUNS) {
		pbuf_puts(out, "{array=\"");
		label_value(out, pj_str(o, "array"));
		pbuf_printf(out, "\",lun=\"%llu\"}",
			    (unsigned long long)pj_u64(o, "lun"));
		return;
	}
	pbuf_puts(out, src == ARRAYS || src == ARRAY_LOADS ? "{array=\"" :
		  "{volume=\"");
	label_value(out, pj_str(o, src == MIGRATIONS ? "volume" : "name"));
	pbuf_puts(out, "\"}");
}

/* The sample of @f for @item (labelled by it); its value is read from @o. */
static void sample(struct pbuf *out, const struct family *f,
		   struct json_object *item, struct json_object *o)
{
	pbuf_puts(out, f->name);
	labels(out, f->src, item);
	switch (f->val) {
	case RAW:
		pbuf_printf(out, " %llu\n", (unsigned long long)pj_u64(o, f->key));
		break;
	case UP:
		pbuf_printf(out, " %d\n", !strcmp(pj_str(o, f->key), "up"));
		break;
	case MICROSECONDS:
		pbuf_printf(out, " %.6f\n", (double)pj_u64(o, f->key) / 1e6);
		break;
	case PERCENT:
		pbuf_printf(out, " %.2f\n", (double)pj_u64(o, f->key) / 100);
		break;
	case SATURATED:
		pbuf_printf(out, " %d\n", !strcmp(pj_str(o, f->key), "saturated"));
		break;
	}
}

static struct json_object *objects(struct json_object *view, enum source src)
{
	struct json_object *local = json_object_object_get(view, "local");

	switch (src) {
	case ARRAYS:
	case ARRAY_LOADS:
		return pj_arr(view, "arrays");
	case MIGRATIONS:
		return pj_arr(view, "migrations");
	case VOLUMES:
		return pj_arr(view, "volumes");
	case LOCAL_VOLUMES:
		return pj_arr(local, "volumes");
	case LUNS:
		return pj_arr(local, "luns");
	}
	return NULL;
}

static void family(struct pbuf *out, const struct family *f,
		   struct json_object *view)
{
	struct json_object *list = objects(view, f->src);
	size_t i;

	pbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
		    f->name, f->type);
	for (i = 0; i < pj_len(list); i++) {
		struct json_object *item = json_object_array_get_idx(list, i);
		struct json_object *o = f->src == ARRAY_LOADS ?
					pj_obj(item, "load") : item;

		if (o)
			sample(out, f, item, o);
	}
}

int csafs_render_metrics(struct json_object *view, struct pbuf *out)
{
	struct json_object *local = json_object_object_get(view, "local");
	size_t i;

	pbuf_puts(out, "# HELP csafs_primary_connected 1 if this host's link to the primary is up, else 0.\n"
		  "# TYPE csafs_primary_connected gauge\n");
	pbuf_printf(out, "csafs_primary_connected %d\n",
		    pj_bool(local, "connected") &&
		    !json_object_object_get(view, "error"));
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		family(out, &families[i], view);
	return out->nomem ? -ENOMEM : 0;
}
