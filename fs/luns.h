/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LUNs a host has open, and what it did on them: a transport
 * (striper/transport.h) wrapping the iSCSI engine's, which remembers every
 * LUN a volume opens so that csafs can report per-LUN counters to the
 * primary (host.report, primary/ops.h) and show them in .csa/metrics.
 *
 * Counters are per (array, LUN): two volumes on one LUN add up, and a
 * LUN closed and opened again (a new map) keeps counting from where it
 * was. Thread-safe: volumes open and close from any thread while a
 * report is made.
 */
#ifndef CSAFS_LUNS_H
#define CSAFS_LUNS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "iscsi/engine.h"
#include "striper/transport.h"

struct csafs_luns;

/* A table over engine @e (which must outlive it). NULL on ENOMEM. */
struct csafs_luns *csafs_luns_new(struct csa_engine *e);
void csafs_luns_free(struct csafs_luns *t);

/* The transport to open volumes through (csa_volume_open). */
struct csa_transport csafs_luns_transport(struct csafs_luns *t);

/*
 * Append one object per LUN ever opened to the JSON array @out:
 *   {array, portal, target, lun, open (handles open now), reads, writes,
 *    read_bytes, write_bytes, errors, in_flight, p50_us, p99_us}
 * Counts are totals since the table was made; p50_us and p99_us are the
 * latency over the current interval (0 with no I/O). With @advance, a new
 * interval starts after this call: the host's report to the primary does
 * that every second; readers of .csa/ only look.
 */
void csafs_luns_report(struct csafs_luns *t, struct json_object *out,
		       bool advance);

#endif
