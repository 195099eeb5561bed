// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: what the hosts report (host.report, ops.h): their LUN
 * counters and the volumes they have open. Kept in memory only: it is
 * the present, not the catalog. A host's opens count while its last
 * report is fresh (PD_OPEN_LEASE_S), so a host that died stops holding
 * its volumes without anyone cleaning up after it.
 *
 * Its own lock (p->hosts_lock), taken after p->lock when both are held:
 * reports come every second from every host and must not wait for a
 * catalog write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "primary/primaryd.h"

#define PD_MAX_REPORT_OPEN	4096

struct pd_host_state {
	char name[CSA_HOST_NAME_MAX];
	uint64_t last;			/* seconds, monotonic */
	uint64_t last_wall;		/* seconds since 1970 */
	char (*open)[CSA_VOLUME_NAME_MAX];
	unsigned nr_open;
	struct json_object *luns;	/* the last report's */
	struct pd_host_state *next;
};

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static struct pd_host_state *state_get(struct csa_primary *p, const char *name)
{
	struct pd_host_state *h;

	for (h = p->host_states; h; h = h->next)
		if (!strcmp(h->name, name))
			return h;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->next = p->host_states;
	p->host_states = h;
	return h;
}

static bool fresh(const struct pd_host_state *h)
{
	return h->last && mono_s() - h->last <= PD_OPEN_LEASE_S;
}

/* Keep the names of volumes @peer may see: a host holds only its own. */
static size_t keep_visible(struct csa_primary *p,
			   const struct csa_api_peer *peer,
			   char (*open)[CSA_VOLUME_NAME_MAX], size_t n)
{
	size_t i, kept = 0;
	int v;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < n; i++) {
		v = csa_catalog_find_volume(p->cat, open[i]);
		if (v >= 0 && pd_volume_visible(&p->cat->volumes[v], peer))
			memmove(open[kept++], open[i], sizeof(open[i]));
	}
	pthread_mutex_unlock(&p->lock);
	return kept;
}

int pd_op_host_report(void *ctx, const struct csa_api_peer *peer,
		      struct json_object *req, struct json_object **result,
		      struct csa_api_err *e)
{
	static const char *const fields[] = { "luns", "open", "volumes", NULL };
	char (*open)[CSA_VOLUME_NAME_MAX];
	struct json_object *luns = json_object_object_get(req, "luns");
	struct json_object *vols = json_object_object_get(req, "volumes");
	struct csa_primary *p = ctx;
	struct pd_host_state *h;
	size_t n = 0;

	if (strcmp(peer->role, "host"))
		return csa_api_fail(e, "forbidden", "only hosts report");
	if (csa_api_fields(req, fields, e))
		return -1;
	if (luns && !json_object_is_type(luns, json_type_array))
		return csa_api_fail(e, "bad_request", "field \"luns\" must be a list");
	n = json_object_is_type(json_object_object_get(req, "open"),
				json_type_array) ?
	    json_object_array_length(json_object_object_get(req, "open")) : 0;
	open = calloc(n ? n : 1, sizeof(*open));
	if (!open)
		return csa_api_fail(e, "internal", "out of memory");
	if (csa_api_strings(req, "open", PD_MAX_REPORT_OPEN, open[0],
			    CSA_VOLUME_NAME_MAX, &n, e)) {
		free(open);
		return -1;
	}
	n = keep_visible(p, peer, open, n);
	pthread_mutex_lock(&p->hosts_lock);
	h = state_get(p, peer->cn);
	if (h) {
		free(h->open);
		h->open = open;
		h->nr_open = (unsigned)n;
		json_object_put(h->luns);
		h->luns = json_object_get(luns);
		h->last = mono_s();
		h->last_wall = (uint64_t)time(NULL);
		open = NULL;
	}
	pthread_mutex_unlock(&p->hosts_lock);
	free(open);
	if (vols && !json_object_is_type(vols, json_type_array))
		return csa_api_fail(e, "bad_request", "field \"volumes\" must be a list");
	pd_monitor_report(p, peer->cn, luns, vols);
	*result = json_object_new_object();
	return h ? 0 : csa_api_fail(e, "internal", "out of memory");
}

static bool has_open(const struct pd_host_state *h, const char *volume)
{
	unsigned i;

	for (i = 0; i < h->nr_open; i++)
		if (!strcmp(h->open[i], volume))
			return true;
	return false;
}

struct json_object *pd_hosts_open_on(struct csa_primary *p, const char *volume)
{
	struct json_object *list = json_object_new_array();
	struct pd_host_state *h;

	pthread_mutex_lock(&p->hosts_lock);
	for (h = p->host_states; h; h = h->next)
		if (fresh(h) && has_open(h, volume))
			json_object_array_add(list, json_object_new_string(h->name));
	pthread_mutex_unlock(&p->hosts_lock);
	return list;
}

unsigned pd_hosts_holding(struct csa_primary *p, const char *volume,
			  char (**names)[CSA_HOST_NAME_MAX])
{
	struct pd_host_state *h;
	unsigned n = 0;

	pthread_mutex_lock(&p->hosts_lock);
	for (h = p->host_states; h; h = h->next)
		n += fresh(h) && has_open(h, volume);
	*names = calloc(n + 1, sizeof(**names));
	n = 0;
	for (h = p->host_states; *names && h; h = h->next)
		if (fresh(h) && has_open(h, volume))
			memcpy((*names)[n++], h->name, sizeof(h->name));
	pthread_mutex_unlock(&p->hosts_lock);
	return n;
}

bool pd_hosts_holds(struct csa_primary *p, const char *host,
		    const char *volume)
{
	struct pd_host_state *h;
	bool held = false;

	pthread_mutex_lock(&p->hosts_lock);
	for (h = p->host_states; h; h = h->next)
		if (!strcmp(h->name, host))
			held = fresh(h) && has_open(h, volume);
	pthread_mutex_unlock(&p->hosts_lock);
	return held;
}

size_t pd_hosts_keep_fresh(struct csa_primary *p,
			   char (*names)[CSA_HOST_NAME_MAX], size_t n)
{
	struct pd_host_state *h;
	size_t i, k = 0;
	bool keep;

	pthread_mutex_lock(&p->hosts_lock);
	for (i = 0; i < n; i++) {
		keep = false;
		for (h = p->host_states; h && !keep; h = h->next)
			keep = !strcmp(h->name, names[i]) && fresh(h);
		if (keep)
			memmove(names[k++], names[i], sizeof(names[i]));
	}
	pthread_mutex_unlock(&p->hosts_lock);
	return k;
}

int pd_hosts_busy(struct csa_primary *p, const char *volume,
		  const char *except, char *host, size_t len)
{
	struct pd_host_state *h;
	int busy = 0;

	pthread_mutex_lock(&p->hosts_lock);
	for (h = p->host_states; h && !busy; h = h->next)
		if (strcmp(h->name, except) && fresh(h) && has_open(h, volume)) {
			snprintf(host, len, "%s", h->name);
			busy = 1;
		}
	pthread_mutex_unlock(&p->hosts_lock);
	return busy;
}

void pd_hosts_describe(struct csa_primary *p, const char *name,
		       struct json_object *o)
{
	struct json_object *open = json_object_new_array();
	struct pd_host_state *h;
	unsigned i;

	pthread_mutex_lock(&p->hosts_lock);
	for (h = p->host_states; h && strcmp(h->name, name); h = h->next)
		;
	for (i = 0; h && fresh(h) && i < h->nr_open; i++)
		json_object_array_add(open, json_object_new_string(h->open[i]));
	json_object_object_add(o, "last_report",
			       json_object_new_int64(h ? (int64_t)h->last_wall : 0));
	pthread_mutex_unlock(&p->hosts_lock);
	json_object_object_add(o, "open", open);
}

void pd_hosts_free(struct csa_primary *p)
{
	struct pd_host_state *h, *next;

	for (h = p->host_states; h; h = next) {
		next = h->next;
		free(h->open);
		json_object_put(h->luns);
		free(h);
	}
	p->host_states = NULL;
}
