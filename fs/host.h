/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host's link to the primary (primary/ops.h), for csafs: who we are,
 * requests, pushed events, and the report of what this host does.
 *
 * Two TLS connections: one for requests (serialised by a mutex; any
 * thread may call), one that only receives events. A thread of its own
 * watches the event connection; when it breaks it reconnects with backoff
 * (0.5 s to 5 s), registers and subscribes again, and then hands the
 * fs the event "host.reconnected" (data NULL): maps may have changed while
 * it was away, so the fs refreshes everything it holds. Requests made while
 * the primary cannot be reached fail at once with -EHOSTDOWN; I/O never
 * waits for the primary.
 *
 * Every second a thread of its own, on a connection of its own (so that
 * reports never wait behind events or slow requests), asks the fs for its
 * report (the fill
 * callback), and sends it as {"op": "host.report", ...}. csafs_host_report_now
 * sends one at once (after an open or a release, so the primary knows
 * which volumes are open before anyone tries to delete them).
 */
#ifndef CSAFS_HOST_H
#define CSAFS_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "primary/client.h"

struct csafs_host;

/*
 * An event pushed by the primary: @event ("volume.created", ...,
 * "host.reconnected") and its data (may be NULL; the callback must not
 * keep it). Called on the host's own thread, one at a time; it may call
 * csafs_host_call.
 */
typedef void (*csafs_event_fn)(void *arg, const char *event,
			       struct json_object *data);

/* Fill @report (an empty object) with "luns" and "open" (ops.h host.report). */
typedef void (*csafs_report_fn)(void *arg, struct json_object *report);

/*
 * The host's reports have not gone through for LEASE_GUARD_MS (@held
 * false: the primary will soon stop counting on this host), or go
 * through again (@held true). On the report thread. Returns 0; any
 * other value for @held true: the fs is not ready, call it again.
 */
typedef int (*csafs_lease_fn)(void *arg, bool held);

/* 2 s inside the primary's lease on a host's opens (10 s). */
#define LEASE_GUARD_MS	8000

struct csafs_host_opts {
	const char *primary;		/* "host:port" */
	const char *cert, *key, *ca;	/* the host's, and the cluster CA */
	unsigned timeout_ms;		/* connects and calls; 0: 10 s */
	csafs_event_fn on_event;
	csafs_report_fn fill_report;	/* may be NULL: no reports */
	csafs_lease_fn on_lease;	/* may be NULL */
	void *arg;			/* for both callbacks */
};

/*
 * Connect both connections, register (host.register) and subscribe. The
 * primary must be reachable now: a mount needs its volumes. Returns 0 and
 * *@out, or -errno with a sentence in @err.
 */
int csafs_host_start(const struct csafs_host_opts *o, struct csafs_host **out,
		     char *err, size_t errlen);

/*
 * One request (taken; see csa_client_call). -EHOSTDOWN at once when the
 * primary is not connected (reconnecting), with e->code "unreachable";
 * otherwise as csa_client_call. A broken request connection is dropped and
 * remade by the next call.
 */
int csafs_host_call(struct csafs_host *h, struct json_object *req,
		    struct json_object **result, struct csa_client_err *e);

/* Our name: the common name of our certificate, as the primary sees it. */
const char *csafs_host_name(const struct csafs_host *h);

/* True while the event connection is up. */
bool csafs_host_connected(const struct csafs_host *h);

/* Send a report now (from the host thread, soon; never blocks). */
void csafs_host_report_now(struct csafs_host *h);

/* Stop the thread, close both connections, free. */
void csafs_host_stop(struct csafs_host *h);

#endif
