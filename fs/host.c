// SPDX-License-Identifier: GPL-2.0-or-later
/* A host's link to the primary (host.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/host.h"

#define BACKOFF_MIN_MS	500
#define BACKOFF_MAX_MS	5000
#define POLL_MS		100
#define REPORT_MS	1000

struct csafs_host {
	char primary[256], cert[4096], key[4096], ca[4096];
	struct csa_client_opts copts;
	csafs_event_fn on_event;
	csafs_report_fn fill_report;
	void *arg;
	char name[65];

	pthread_mutex_t call_lock;
	struct csa_client *req;		/* NULL: made again by the next call */
	struct csa_client *ev;		/* host thread only */
	struct csa_client *rep;		/* report thread only */
	atomic_bool rep_stale;		/* the primary came back: reconnect */
	atomic_bool connected;
	atomic_bool stop;
	atomic_bool report_now;
	uint64_t report_ok_ms;		/* report thread only */
	uint64_t lease_try_ms;		/* report thread only: report_ok_ms
					 * when the fs last failed to take
					 * the lease back */
	bool lease_lost;		/* report thread only */
	csafs_lease_fn on_lease;
	pthread_t thread, rthread;
	bool has_thread, has_rthread;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int simple_call(struct csa_client *c, const char *op,
		       struct json_object **result, struct csa_client_err *e)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "op", json_object_new_string(op));
	return csa_client_call(c, req, result, e);
}

/* The event connection: connect, register (learning our name), subscribe. */
static int connect_events(struct csafs_host *h, char *err, size_t errlen)
{
	struct csa_client_err e = { 0 };
	struct json_object *r = NULL;
	struct csa_client *c = NULL;
	int ret;

	ret = csa_client_connect(&h->copts, &c, &e);
	if (ret)
		c = NULL;
	if (!ret) {
		ret = simple_call(c, "host.register", &r, &e);
		if (!ret)
			snprintf(h->name, sizeof(h->name), "%s",
				 json_object_get_string(json_object_object_get(r, "name")));
		json_object_put(r);
		r = NULL;
	}
	if (!ret)
		ret = simple_call(c, "subscribe", &r, &e);
	json_object_put(r);
	csa_client_err_clear(&e);
	if (ret) {
		snprintf(err, errlen, "%s: %s", h->primary, e.msg);
		if (c)
			csa_client_close(c);
		return ret;
	}
	h->ev = c;
	/* The other connections went with the primary: before anyone is
	 * told it is back, make sure they are made anew. */
	pthread_mutex_lock(&h->call_lock);
	if (h->req)
		csa_client_close(h->req);
	h->req = NULL;
	pthread_mutex_unlock(&h->call_lock);
	atomic_store(&h->rep_stale, true);
	atomic_store(&h->connected, true);
	return 0;
}

int csafs_host_call(struct csafs_host *h, struct json_object *req,
		    struct json_object **result, struct csa_client_err *e)
{
	int ret;

	memset(e, 0, sizeof(*e));
	pthread_mutex_lock(&h->call_lock);
	ret = atomic_load(&h->connected) ? 0 : -EHOSTDOWN;
	if (!ret && !h->req)
		ret = csa_client_connect(&h->copts, &h->req, e);
	if (ret) {
		pthread_mutex_unlock(&h->call_lock);
		json_object_put(req);
		snprintf(e->code, sizeof(e->code), "unreachable");
		snprintf(e->msg, sizeof(e->msg), "the primary at %s cannot be reached",
			 h->primary);
		return -EHOSTDOWN;
	}
	ret = csa_client_call(h->req, req, result, e);
	if (ret && ret != -EREMOTEIO) {
		/* The connection is in an unknown state: make a new one. */
		csa_client_close(h->req);
		h->req = NULL;
	}
	pthread_mutex_unlock(&h->call_lock);
	return ret;
}

/*
 * The report has a thread and a connection of its own: the primary counts
 * a host's open volumes only while its reports are fresh, so they must
 * not wait behind event handling or behind slow requests.
 */
static void send_report(struct csafs_host *h)
{
	struct json_object *req = json_object_new_object(), *r = NULL;
	struct csa_client_err e = { 0 };
	int ret;

	if (atomic_exchange(&h->rep_stale, false) && h->rep) {
		csa_client_close(h->rep);
		h->rep = NULL;
	}
	if (!h->rep && csa_client_connect(&h->copts, &h->rep, &e)) {
		h->rep = NULL;
		json_object_put(req);
		csa_client_err_clear(&e);
		return;
	}
	json_object_object_add(req, "op", json_object_new_string("host.report"));
	h->fill_report(h->arg, req);
	ret = csa_client_call(h->rep, req, &r, &e);
	json_object_put(r);
	csa_client_err_clear(&e);
	if (!ret)
		h->report_ok_ms = now_ms();
	if (ret && ret != -EREMOTEIO) {
		csa_client_close(h->rep);
		h->rep = NULL;
	}
}

/*
 * The primary counts on a host that stopped reporting having stopped
 * touching what migrates once its lease ran out: tell the fs a little
 * before that (it holds that I/O), and again once a report goes through.
 */
static void watch_lease(struct csafs_host *h)
{
	bool lost = now_ms() - h->report_ok_ms > LEASE_GUARD_MS;

	if (lost == h->lease_lost || !h->on_lease)
		return;
	/* Back only once the fs has the primary's word; when it could not
	 * get it, tried again after the next report that goes through, not
	 * at every poll. */
	if (!lost && h->lease_try_ms == h->report_ok_ms)
		return;
	if (!h->on_lease(h->arg, !lost) || lost)
		h->lease_lost = lost;
	else
		h->lease_try_ms = h->report_ok_ms;
}

static void *report_thread(void *arg)
{
	struct csafs_host *h = arg;
	uint64_t next = now_ms() + REPORT_MS;
	struct timespec ts = { 0, POLL_MS * 1000000L };

	h->report_ok_ms = now_ms();
	while (!atomic_load(&h->stop)) {
		nanosleep(&ts, NULL);
		watch_lease(h);
		if (!atomic_load(&h->connected) ||
		    !(atomic_exchange(&h->report_now, false) || now_ms() >= next))
			continue;
		send_report(h);
		next = now_ms() + REPORT_MS;
	}
	if (h->rep)
		csa_client_close(h->rep);
	return NULL;
}

/* Take the events that came in, for up to POLL_MS. */
static void pump_events(struct csafs_host *h)
{
	struct json_object *data;
	char event[128];
	int ret;

	ret = csa_client_event(h->ev, POLL_MS, event, sizeof(event), &data);
	if (ret == -ETIMEDOUT)
		return;
	if (ret) {
		fprintf(stderr, "csafs: lost the primary at %s; reconnecting\n",
			h->primary);
		atomic_store(&h->connected, false);
		csa_client_close(h->ev);
		h->ev = NULL;
		return;
	}
	h->on_event(h->arg, event, data);
	json_object_put(data);
}

/* Reconnect with backoff; announce a success to the fs. */
static void reconnect(struct csafs_host *h, unsigned *backoff,
		      uint64_t *next_try)
{
	char err[1024];

	if (now_ms() < *next_try) {
		struct timespec ts = { 0, POLL_MS * 1000000L };

		nanosleep(&ts, NULL);
		return;
	}
	if (connect_events(h, err, sizeof(err))) {
		*next_try = now_ms() + *backoff;
		*backoff = *backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
							   *backoff * 2;
		return;
	}
	fprintf(stderr, "csafs: the primary at %s is back\n", h->primary);
	*backoff = BACKOFF_MIN_MS;
	h->on_event(h->arg, "host.reconnected", NULL);
	atomic_store(&h->report_now, true);
}

static void *host_thread(void *arg)
{
	struct csafs_host *h = arg;
	unsigned backoff = BACKOFF_MIN_MS;
	uint64_t next_try = 0;

	while (!atomic_load(&h->stop)) {
		if (!h->ev)
			reconnect(h, &backoff, &next_try);
		else
			pump_events(h);
	}
	return NULL;
}

static void copy_opts(struct csafs_host *h, const struct csafs_host_opts *o)
{
	snprintf(h->primary, sizeof(h->primary), "%s", o->primary);
	snprintf(h->cert, sizeof(h->cert), "%s", o->cert);
	snprintf(h->key, sizeof(h->key), "%s", o->key);
	snprintf(h->ca, sizeof(h->ca), "%s", o->ca);
	h->copts = (struct csa_client_opts){
		.addr = h->primary, .cert = h->cert, .key = h->key,
		.ca = h->ca, .timeout_ms = o->timeout_ms ? o->timeout_ms : 10000 };
	h->on_event = o->on_event;
	h->on_lease = o->on_lease;
	h->fill_report = o->fill_report;
	h->arg = o->arg;
}

int csafs_host_start(const struct csafs_host_opts *o, struct csafs_host **out,
		     char *err, size_t errlen)
{
	struct csafs_host *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return -ENOMEM;
	copy_opts(h, o);
	pthread_mutex_init(&h->call_lock, NULL);
	ret = connect_events(h, err, errlen);
	if (ret) {
		csafs_host_stop(h);
		return ret;
	}
	ret = -pthread_create(&h->thread, NULL, host_thread, h);
	h->has_thread = !ret;
	if (!ret && h->fill_report) {
		ret = -pthread_create(&h->rthread, NULL, report_thread, h);
		h->has_rthread = !ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(-ret));
		csafs_host_stop(h);
		return ret;
	}
	*out = h;
	return 0;
}

const char *csafs_host_name(const struct csafs_host *h)
{
	return h->name;
}

bool csafs_host_connected(const struct csafs_host *h)
{
	return atomic_load(&h->connected);
}

void csafs_host_report_now(struct csafs_host *h)
{
	atomic_store(&h->report_now, true);
}

void csafs_host_stop(struct csafs_host *h)
{
	if (!h)
		return;
	atomic_store(&h->stop, true);
	if (h->has_thread)
		pthread_join(h->thread, NULL);
	if (h->has_rthread)
		pthread_join(h->rthread, NULL);
	if (h->ev)
		csa_client_close(h->ev);
	if (h->req)
		csa_client_close(h->req);
	pthread_mutex_destroy(&h->call_lock);
	free(h);
}
