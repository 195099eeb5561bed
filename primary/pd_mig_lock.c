// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: the host half of a region lock (DESIGN.md "Monitoring and
 * migration", step 1).
 *
 * The lock is an event, region.lock {volume, region, lock}, to every
 * subscribed host; each host that has the volume open holds new I/O to
 * the region, waits for what is in flight there, and answers region.ack.
 * The primary waits for the hosts that had the volume open when it locked
 * (the ones whose reports say so): a host that opens it later builds its
 * map from volume.show, which shows the region locked, so it holds too.
 *
 * A host that does not answer within PD_MIG_ACK_MS is not trusted to
 * have stopped writing: the copy waits until its lease runs out (it has
 * not reported for PD_OPEN_LEASE_S, so it is dead or cut off and csafs
 * stops its own I/O to the volume then), and it is fenced: the arrays
 * refuse its writes from then on. A host that keeps reporting
 * but never answers holds the region back: the lock is dropped and the
 * region tried again later.
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

static void wait_ms(struct csa_primary *p, uint64_t ms)
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

static unsigned missing(const struct pd_mig *m)
{
	unsigned i, n = 0;

	for (i = 0; i < m->nr_expect; i++)
		n += !m->acked[i];
	return n;
}

static void publish_lock(struct csa_primary *p, const struct pd_mig *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "volume", json_object_new_string(m->volume));
	json_object_object_add(o, "region", json_object_new_int64(m->locked));
	json_object_object_add(o, "lock", json_object_new_int64((int64_t)m->lock_id));
	csa_api_server_publish(p->api, "region.lock", o);
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
		if (!m->acked[i])
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
		if (!m->acked[i])
			pd_log("lock of %s region %lld: host %s did not answer in %u ms; waiting for its lease to run out",
			       m->volume, (long long)m->locked, m->expect[i],
			       PD_MIG_ACK_MS);
	do {
		held = false;
		for (i = 0; i < m->nr_expect; i++)
			if (!m->acked[i] && pd_hosts_holds(p, m->expect[i], m->volume))
				held = true;
		if (!held)
			return fence(p, m);
		wait_ms(p, 200);
	} while (!p->stopping && mono_ms() < until);
	return p->stopping ? -ECANCELED : -ETIMEDOUT;
}

int pd_mig_lock(struct csa_primary *p, struct pd_mig *m, uint64_t r)
{
	uint64_t deadline = mono_ms() + PD_MIG_ACK_MS;

	free(m->expect);
	free(m->acked);
	m->nr_expect = pd_hosts_holding(p, m->volume, &m->expect);
	m->acked = calloc(m->nr_expect + 1, sizeof(*m->acked));
	if (!m->acked)
		return -ENOMEM;
	m->locked = (int64_t)r;
	m->lock_id = ++p->lock_seq;
	m->lock_t0 = (double)mono_ms();
	publish_lock(p, m);
	while (missing(m) && !p->stopping && mono_ms() < deadline)
		wait_ms(p, deadline - mono_ms());
	if (p->stopping)
		return -ECANCELED;
	return missing(m) ? wait_leases(p, m) : 0;
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
	/* How long the hosts held the region: what any I/O to it waited,
	 * at most. */
	m->lock_ms[m->nr_locks++ % PD_MIG_LOCKS_KEPT] =
		(uint32_t)((double)mono_ms() - m->lock_t0);
}

int pd_mig_ack(struct csa_primary *p, const char *host, const char *volume,
	       uint64_t region, uint64_t lock_id)
{
	struct pd_mig *m;
	unsigned i;

	for (m = p->migs; m; m = m->next)
		if (!strcmp(m->volume, volume))
			break;
	if (!m || m->locked != (int64_t)region || m->lock_id != lock_id)
		return -ENOENT;
	for (i = 0; i < m->nr_expect; i++)
		if (!strcmp(m->expect[i], host))
			m->acked[i] = true;
	pd_migrator_kick(p);
	return 0;
}
