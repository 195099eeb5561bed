// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: the host half of a region lock (DESIGN.md "Monitoring and
 * migration", step 1).
 *
 * The lock is an event, region.lock {volume, region, lock}, to every
 * subscribed host; each host that has the volume open holds new I/O to
 * the region, waits for what is in flight there, and answers region.ack.
 * The primary waits for the hosts that had the volume open when it locked
 * (the ones whose reports say so), and for a while for every other host
 * subscribed to the events (one may have opened it too lately for its
 * report to say so): a host that opens it later builds its map from what
 * the events said, the region locked, so it holds too.
 *
 * A host that does not answer within PD_MIG_ACK_MS is not trusted to
 * have stopped writing: the copy waits until its lease runs out (it has
 * not reported for PD_OPEN_LEASE_S, so it is dead or cut off and csafs
 * stops its own I/O to the volume then), and it is fenced: the arrays
 * refuse its writes from then on. A host that keeps reporting
 * but never answers holds the region back: the lock is dropped and the
 * region tried again later.
 *
 * Copying ahead: before the lock, region.watch {volume, region, watch}
 * asks every host to count writes to the region from then on; once every
 * host subscribed to the events and every host with the volume open
 * answered (region.ack with the watch), the region is copied while they
 * go on. The lock event then names the watch, and each host's ack says
 * whether the region stayed clean. If every host that could have written
 * it says so, the copy stands and the lock lasts only as long as the
 * catalog write. Hosts that answered the watch are asked for the lock
 * too, open or not: one may have written the region and closed its file
 * since. A host the watch did not reach (it subscribed, or reported the
 * volume open, only after it) may have written the region unseen: the
 * region is copied again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "primary/pd_mig.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void pd_mig_nap(struct csa_primary *p, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&p->mig_cond, &p->lock, &ts);
}

static bool is_in(char (*names)[CSA_HOST_NAME_MAX], unsigned n,
		  const char *host)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], host))
			return true;
	return false;
}

/*
 * The hosts subscribed to the events that report within their lease, into
 * *@subs (malloc'd or NULL); how many. One whose reports stopped (stopped,
 * cut off) holds its own I/O to what migrates: it is not waited for.
 */
static size_t live_subscribers(struct csa_primary *p,
			       char (**subs)[CSA_HOST_NAME_MAX])
{
	size_t n = csa_api_server_subscribers(p->api, "host", subs);

	return *subs ? pd_hosts_keep_fresh(p, *subs, n) : 0;
}

/* Hosts that have not answered: those that must, or all of them. */
static unsigned missing(const struct pd_mig *m, bool must_only)
{
	unsigned i, n = 0;

	for (i = 0; i < m->nr_expect; i++)
		n += !m->acked[i] && (m->must[i] || !must_only);
	return n;
}

static void publish(struct csa_primary *p, const struct pd_mig *m,
		    const char *event, int64_t region, const char *key,
		    uint64_t id)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "volume", json_object_new_string(m->volume));
	json_object_object_add(o, "region", json_object_new_int64(region));
	json_object_object_add(o, key, json_object_new_int64((int64_t)id));
	if (!strcmp(event, "region.lock") && m->watched == region)
		json_object_object_add(o, "watch",
				       json_object_new_int64((int64_t)m->watch_id));
	csa_api_server_publish(p->api, event, o);
}

/*
 * Their leases have run out: the hosts stopped their own I/O (if they
 * still run at all); now the arrays refuse it too (pd_fence.c). A LUN
 * that cannot be reached does not stop the copy: the host is past its
 * lease, and a copy to or from that LUN fails by itself.
 */
static int fence(struct csa_primary *p, struct pd_mig *m)
{
	unsigned i;

	for (i = 0; i < m->nr_expect; i++)
		if (!m->acked[i] && m->must[i])
			pd_fence_host(p, m->expect[i], m->volume);
	return 0;
}

/* The hosts that did not answer: wait for their leases to run out. */
static int wait_leases(struct csa_primary *p, struct pd_mig *m)
{
	uint64_t until = mono_ms() + PD_OPEN_LEASE_S * 1000 + 2000;
	unsigned i;
	bool held;

	for (i = 0; i < m->nr_expect; i++)
		if (!m->acked[i] && m->must[i])
			pd_log("lock of %s region %lld: host %s did not answer in %u ms; waiting for its lease to run out",
			       m->volume, (long long)m->locked, m->expect[i],
			       PD_MIG_ACK_MS);
	do {
		held = false;
		for (i = 0; i < m->nr_expect; i++)
			if (!m->acked[i] && m->must[i] &&
			    pd_hosts_holds(p, m->expect[i], m->volume))
				held = true;
		if (!held)
			return fence(p, m);
		pd_mig_nap(p, 200);
	} while (!p->stopping && mono_ms() < until);
	return p->stopping ? -ECANCELED : -ETIMEDOUT;
}

/* Add @n hosts of @names not in the list yet, as optional answerers. */
static void expect_more(struct pd_mig *m, char (*names)[CSA_HOST_NAME_MAX],
			size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (!is_in(m->expect, m->nr_expect, names[k]))
			memcpy(m->expect[m->nr_expect++], names[k], sizeof(names[k]));
}

/* Who is asked to answer the lock of @r: the hosts with the volume open
 * (they must), those that answered its watch and those subscribed to the
 * events (one may have opened the volume so lately that its report has
 * not come yet: it answers once it holds the region). */
static int expect_for(struct csa_primary *p, struct pd_mig *m, uint64_t r)
{
	char (*open)[CSA_HOST_NAME_MAX] = NULL, (*subs)[CSA_HOST_NAME_MAX] = NULL;
	unsigned n = pd_hosts_holding(p, m->volume, &open), i;
	unsigned w = m->watched == (int64_t)r ? m->nr_watchers : 0;
	size_t ns = live_subscribers(p, &subs);

	free(m->expect);
	free(m->acked);
	free(m->clean);
	free(m->must);
	m->nr_expect = 0;
	m->expect = calloc(n + w + ns + 1, sizeof(*m->expect));
	m->acked = calloc(n + w + ns + 1, sizeof(*m->acked));
	m->clean = calloc(n + w + ns + 1, sizeof(*m->clean));
	m->must = calloc(n + w + ns + 1, sizeof(*m->must));
	if (!open || !m->expect || !m->acked || !m->clean ||
	    !m->must) {
		free(open);
		free(subs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(m->expect[i], open[i], sizeof(open[i]));
		m->must[i] = true;
	}
	m->nr_expect = n;
	expect_more(m, m->watchers, w);
	expect_more(m, subs, ns);
	free(open);
	free(subs);
	return 0;
}

int pd_mig_lock(struct csa_primary *p, struct pd_mig *m, uint64_t r)
{
	uint64_t deadline = mono_ms() + PD_MIG_ACK_MS;

	if (expect_for(p, m, r))
		return -ENOMEM;
	m->locked = (int64_t)r;
	m->lock_id = ++p->lock_seq;
	m->lock_t0 = (double)mono_ms();
	publish(p, m, "region.lock", m->locked, "lock", m->lock_id);
	/* Watchers that do not answer only make the region dirty. */
	while (missing(m, false) && !p->stopping && mono_ms() < deadline)
		pd_mig_nap(p, deadline - mono_ms());
	if (p->stopping)
		return -ECANCELED;
	return missing(m, true) ? wait_leases(p, m) : 0;
}

void pd_mig_unlock(struct csa_primary *p, struct pd_mig *m, unsigned state)
{
	struct json_object *o;

	if (m->locked < 0)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "volume", json_object_new_string(m->volume));
	json_object_object_add(o, "region", json_object_new_int64(m->locked));
	json_object_object_add(o, "state", json_object_new_string(
		state == CSA_REGION_MIGRATED ? "migrated" : "normal"));
	csa_api_server_publish(p->api, "region.unlock", o);
	m->locked = -1;
	m->watched = -1;
	/* How long the hosts held the region: what any I/O to it waited,
	 * at most. */
	m->lock_ms[m->nr_locks++ % PD_MIG_LOCKS_KEPT] =
		(uint32_t)((double)mono_ms() - m->lock_t0);
}

/* ---- the watch ---------------------------------------------------------------- */

static bool all_watching(const struct pd_mig *m,
			 char (*hosts)[CSA_HOST_NAME_MAX], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_in(m->watchers, m->nr_watchers, hosts[i]))
			return false;
	return true;
}

/* Every live host subscribed to the events answered the watch. */
static bool subscribers_watching(struct csa_primary *p, const struct pd_mig *m)
{
	char (*subs)[CSA_HOST_NAME_MAX] = NULL;
	size_t n = live_subscribers(p, &subs);
	bool all = all_watching(m, subs, n);

	free(subs);
	return all;
}

int pd_mig_watch(struct csa_primary *p, struct pd_mig *m, uint64_t r)
{
	uint64_t deadline = mono_ms() + PD_MIG_WATCH_MS;
	char (*open)[CSA_HOST_NAME_MAX] = NULL;
	unsigned n = pd_hosts_holding(p, m->volume, &open);
	bool all;

	if (!open)
		return -ENOMEM;
	m->nr_watchers = 0;
	m->watched = (int64_t)r;
	m->watch_id = ++p->lock_seq;
	m->watch_taking = true;
	publish(p, m, "region.watch", m->watched, "watch", m->watch_id);
	while (!(all = all_watching(m, open, n) && subscribers_watching(p, m)) &&
	       !p->stopping && mono_ms() < deadline)
		pd_mig_nap(p, deadline - mono_ms());
	free(open);
	if (!all)
		m->watched = -1;
	m->watch_taking = false;	/* the copy begins: later answers do not count */
	return p->stopping ? -ECANCELED : all ? 0 : -ETIMEDOUT;
}

bool pd_mig_clean(struct csa_primary *p, const struct pd_mig *m)
{
	unsigned i;

	if (m->watched < 0 || m->watched != m->locked ||
	    !subscribers_watching(p, m))
		return false;
	for (i = 0; i < m->nr_expect; i++)
		if (!m->acked[i] || !m->clean[i] ||
		    !is_in(m->watchers, m->nr_watchers, m->expect[i]))
			return false;
	return true;
}

static int watch_ack(struct pd_mig *m, const char *host, uint64_t region,
		     uint64_t id)
{
	char (*w)[CSA_HOST_NAME_MAX];

	if (!m->watch_taking || m->watched != (int64_t)region || m->watch_id != id)
		return -ENOENT;
	if (is_in(m->watchers, m->nr_watchers, host))
		return 0;
	w = realloc(m->watchers, (m->nr_watchers + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	m->watchers = w;
	snprintf(w[m->nr_watchers++], sizeof(*w), "%s", host);
	return 0;
}

int pd_mig_ack(struct csa_primary *p, const char *host, const char *volume,
	       uint64_t region, uint64_t lock_id, uint64_t watch_id,
	       bool clean)
{
	struct pd_mig *m;
	unsigned i;
	int ret = 0;

	for (m = p->migs; m; m = m->next)
		if (!strcmp(m->volume, volume))
			break;
	if (!m)
		return -ENOENT;
	if (!lock_id)
		ret = watch_ack(m, host, region, watch_id);
	else if (m->locked != (int64_t)region || m->lock_id != lock_id)
		ret = -ENOENT;
	for (i = 0; lock_id && !ret && i < m->nr_expect; i++)
		if (!strcmp(m->expect[i], host)) {
			m->acked[i] = true;
			m->clean[i] = clean;
		}
	if (!ret)
		pd_migrator_kick(p);
	return ret;
}
