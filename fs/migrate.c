// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csafs: the host half of a migration (DESIGN.md "Monitoring and
 * migration", steps 1 and 4).
 *
 * While a volume migrates, its map is the striper's migrating volume: the
 * layout it had and the target, with a region table saying where each
 * region is (striper/volume.h). The primary's events move it along:
 *
 *   region.lock {volume, region, lock}: hold new I/O to the region, wait
 *     for what is in flight on it (in the current map and in maps being
 *     retired, which still send to the old place), then answer region.ack;
 *   region.unlock {volume, region, state}: the region is now there;
 *     release what was held, to that place;
 *   region.watch: mig_watch.c; the lock's ack says what it saw.
 *
 * The answer comes from the event thread once the region has drained:
 * events wait behind it for at most the drain (the I/O timeout). Held
 * requests are never failed here: they go on when the primary unlocks, or
 * when a refresh (after the primary came back) says where the region is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/fs.h"
#include "iscsi/pr.h"
#include "striper/region.h"

#define DRAIN_WAIT_MS	10000	/* beyond the I/O timeout: a stuck LUN */

struct drain {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void drained(void *arg, uint64_t region)
{
	struct drain *d = arg;

	(void)region;
	pthread_mutex_lock(&d->lock);
	d->done = true;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Lock @r in @cv and wait for it to drain; false if it did not in time. */
static bool lock_and_drain(struct csa_volume *cv, uint64_t r)
{
	struct drain d = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			   false };
	struct timespec ts;
	int ret = csa_volume_lock_region(cv, r, drained, &d);

	if (ret != 0)		/* drained now, or locked already */
		return ret == 1 || ret == -EALREADY;
	deadline_in(&ts, DRAIN_WAIT_MS);
	pthread_mutex_lock(&d.lock);
	while (!d.done && pthread_cond_timedwait(&d.cond, &d.lock, &ts) != ETIMEDOUT)
		;
	ret = d.done;
	pthread_mutex_unlock(&d.lock);
	/* Not drained: unlocking cancels the callback, which must not run
	 * once @d is gone; the region goes on where it was. */
	if (!ret)
		csa_volume_unlock_region(cv, r, CSA_REGION_NORMAL);
	return ret;
}

/* Maps being retired still send to where regions were: wait them out. */
static bool retired_drain(struct csafs *fs, struct csafs_vol *v)
{
	struct timespec ts;
	bool clear;

	deadline_in(&ts, DRAIN_WAIT_MS);
	pthread_mutex_lock(&fs->lock);
	while ((v->retired || v->reaping) &&
	       pthread_cond_timedwait(&fs->reaped, &fs->lock, &ts) != ETIMEDOUT)
		;
	clear = !v->retired;
	pthread_mutex_unlock(&fs->lock);
	return clear;
}

/* The region, as the primary last said, locked; our current map. */
static struct csafs_map *mark_locked(struct csafs *fs, struct csafs_vol *v,
				     uint64_t r, bool *migrating)
{
	struct csafs_map *m;

	pthread_mutex_lock(&fs->lock);
	*migrating = v->mig_to && r < v->mig_to->nr_regions;
	if (*migrating)
		v->mig_to->region_state[r] = CSA_REGION_LOCKED;
	m = v->map;
	if (m)
		m->refs++;
	pthread_mutex_unlock(&fs->lock);
	return m;
}

/* Lock @r of @v: 0 when held and drained, -ESTALE when our map does not
 * know the migration yet, -ETIMEDOUT when it would not drain. */
static int lock_region(struct csafs *fs, struct csafs_vol *v, uint64_t r)
{
	struct csafs_map *m;
	bool migrating, ok = true;

	pthread_mutex_lock(&v->map_lock);
	m = mark_locked(fs, v, r, &migrating);
	if (m && (!migrating || !csa_volume_from_layout(m->cv))) {
		pthread_mutex_unlock(&v->map_lock);
		csafs_map_put(fs, m);
		return -ESTALE;
	}
	if (m)
		ok = lock_and_drain(m->cv, r);
	pthread_mutex_unlock(&v->map_lock);
	csafs_map_put(fs, m);
	return ok && retired_drain(fs, v) ? 0 : -ETIMEDOUT;
}

static void ack(struct csafs *fs, const char *name, uint64_t r, uint64_t lock,
		bool clean)
{
	struct json_object *req = json_object_new_object(), *res = NULL;
	struct csa_client_err e;
	int ret;

	json_object_object_add(req, "op", json_object_new_string("region.ack"));
	json_object_object_add(req, "volume", json_object_new_string(name));
	json_object_object_add(req, "region", json_object_new_int64((int64_t)r));
	json_object_object_add(req, "lock", json_object_new_int64((int64_t)lock));
	json_object_object_add(req, "clean", json_object_new_boolean(clean));
	ret = csafs_call(fs, req, &res, &e);
	if (ret)
		csafs_log(FUSE_LOG_WARNING, "volume %s region %llu: the lock could not be acknowledged: %s",
			  name, (unsigned long long)r, e.msg);
	json_object_put(res);
	csa_client_err_clear(&e);
}

static void on_lock(struct csafs *fs, const char *name, uint64_t r,
		    uint64_t lock, uint64_t watch)
{
	struct csafs_vol *v = csafs_vol_by_name(fs, name);
	int ret = 0;

	if (v) {
		ret = lock_region(fs, v, r);
		if (ret == -ESTALE) {	/* learn of the migration, then lock */
			csafs_vols_refresh(fs, name);
			ret = lock_region(fs, v, r);
		}
		csafs_vol_put(fs, v);
	}
	if (ret) {
		csafs_log(FUSE_LOG_WARNING, "volume %s region %llu: not drained (%s); the primary waits for this host's lease",
			  name, (unsigned long long)r, strerror(-ret));
		return;
	}
	/* Drained: no write can touch the region any more. */
	ack(fs, name, r, lock, csafs_watch_clean(fs, name, watch));
}

static void on_unlock(struct csafs *fs, const char *name, uint64_t r,
		      unsigned state)
{
	struct csafs_vol *v = csafs_vol_by_name(fs, name);
	struct csafs_map *maps[CSAFS_VOL_MAPS];
	unsigned n, i;

	if (!v)
		return;
	pthread_mutex_lock(&v->map_lock);
	pthread_mutex_lock(&fs->lock);
	if (v->mig_to && r < v->mig_to->nr_regions)
		v->mig_to->region_state[r] = (uint8_t)state;
	n = csafs_vol_maps(v, maps);
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < n; i++) {
		if (csa_volume_from_layout(maps[i]->cv))
			csa_volume_unlock_region(maps[i]->cv, r, state);
		csafs_map_put(fs, maps[i]);
	}
	pthread_mutex_unlock(&v->map_lock);
	csafs_vol_put(fs, v);
}

static uint64_t u64_field(struct json_object *data, const char *key)
{
	struct json_object *o;

	if (!json_object_object_get_ex(data, key, &o) ||
	    json_object_get_int64(o) < 0)
		return 0;
	return (uint64_t)json_object_get_int64(o);
}

static bool region_of(struct json_object *data, const char **name,
		      uint64_t *r)
{
	struct json_object *o;

	*name = json_object_get_string(json_object_object_get(data, "volume"));
	if (!*name || !json_object_object_get_ex(data, "region", &o) ||
	    json_object_get_int64(o) < 0)
		return false;
	*r = (uint64_t)json_object_get_int64(o);
	return true;
}

void csafs_mig_event(struct csafs *fs, const char *event,
		     struct json_object *data)
{
	const char *name, *state;
	uint64_t r;

	if (!region_of(data, &name, &r))
		return;
	if (!strcmp(event, "region.lock")) {
		on_lock(fs, name, r, u64_field(data, "lock"),
			u64_field(data, "watch"));
	} else if (!strcmp(event, "region.watch")) {
		csafs_watch_event(fs, name, r, u64_field(data, "watch"));
	} else if (!strcmp(event, "region.unlock")) {
		state = json_object_get_string(json_object_object_get(data, "state"));
		on_unlock(fs, name, r, state && !strcmp(state, "migrated") ?
			  CSA_REGION_MIGRATED : CSA_REGION_NORMAL);
	}
}

void csafs_mig_sync(struct csafs *fs, struct csafs_vol *v)
{
	struct csafs_map *m;
	uint64_t r, n;
	uint8_t *want = NULL;
	int now;

	pthread_mutex_lock(&fs->lock);
	m = v->map;
	n = v->mig_to ? v->mig_to->nr_regions : 0;
	if (m && n && (want = malloc(n)))
		memcpy(want, v->mig_to->region_state, n);
	if (m)
		m->refs++;
	pthread_mutex_unlock(&fs->lock);
	for (r = 0; want && m && csa_volume_from_layout(m->cv) && r < n; r++) {
		now = csa_volume_region_state(m->cv, r);
		if (now == want[r])
			continue;
		if (want[r] == CSA_REGION_LOCKED)
			csa_volume_lock_region(m->cv, r, NULL, NULL);
		else
			csa_volume_unlock_region(m->cv, r, want[r]);
	}
	free(want);
	csafs_map_put(fs, m);
}

/* Every region still at its old place, in one migrating map: held. */
static void fence_map(struct csa_volume *cv)
{
	const struct csa_layout *to = csa_volume_layout(cv);
	uint64_t r;

	for (r = 0; r < to->nr_regions; r++)
		if (csa_volume_region_state(cv, r) == CSA_REGION_NORMAL)
			csa_volume_lock_region(cv, r, NULL, NULL);
}

int csafs_mig_lease(struct csafs *fs, bool held)
{
	struct csafs_map *maps[64];
	struct csafs_vol *v;
	char err[512];
	unsigned n = 0, i;

	if (held) {	/* the primary's word again: where each region is */
		if (csafs_vols_load(fs, err, sizeof(err))) {
			csafs_log(FUSE_LOG_WARNING, "reports go through again, but the volumes could not be read: %s",
				  err);
			return -EAGAIN;
		}
		/* Only now may the arrays take our writes again: the
		 * primary may have fenced us while we were away. */
		csa_engine_pr_key(fs->engine,
				  csa_pr_host_key(csafs_host_name(fs->host)));
		csafs_log(FUSE_LOG_NOTICE, "reports go through again: maps read, registered on the LUNs again");
		return 0;
	}
	csafs_log(FUSE_LOG_WARNING, "no report has reached the primary for %u s: I/O to regions not yet migrated is held until it does",
		  LEASE_GUARD_MS / 1000);
	/* Not registered again by a new login until then (iscsi/pr.h). */
	csa_engine_pr_key(fs->engine, 0);
	pthread_mutex_lock(&fs->lock);
	for (v = fs->vols; v && n < 64; v = v->next)
		if (v->map && v->mig_to) {
			v->map->refs++;
			maps[n++] = v->map;
		}
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < n; i++) {
		if (csa_volume_from_layout(maps[i]->cv))
			fence_map(maps[i]->cv);
		csafs_map_put(fs, maps[i]);
	}
	return 0;
}

bool csafs_same_place(struct csa_layout *mine, const struct csa_layout *other)
{
	uint8_t *keep;
	bool same;

	if (!mine || !other || mine->nr_regions != other->nr_regions)
		return mine == other;
	keep = mine->region_state;
	mine->region_state = other->region_state;
	same = csa_layout_equal(mine, other);
	mine->region_state = keep;
	return same;
}

/* Where region @r of an old map's target @old_to is now, by what the
 * primary last said of @v; -1 when that does not say. */
static int now_at(struct csafs_vol *v, const struct csa_layout *old_to,
		  uint64_t r)
{
	if (!v->mig_to && csafs_same_place(v->layout, old_to))
		return CSA_REGION_MIGRATED;	/* it ended: all there */
	if (v->mig_to && csafs_same_place(v->mig_to, old_to) &&
	    v->mig_to->region_state[r] != CSA_REGION_LOCKED)
		return v->mig_to->region_state[r];
	return -1;
}

void csafs_mig_release(struct csafs *fs, struct csafs_vol *v,
		       struct csa_volume *old)
{
	const struct csa_layout *to = csa_volume_layout(old);
	uint64_t r;
	int want;

	(void)fs;
	if (!csa_volume_from_layout(old))
		return;
	for (r = 0; r < to->nr_regions; r++) {
		if (csa_volume_region_state(old, r) != CSA_REGION_LOCKED)
			continue;
		want = now_at(v, to, r);
		if (want >= 0)
			csa_volume_unlock_region(old, r, (unsigned)want);
		else
			csafs_log(FUSE_LOG_WARNING, "volume %s region %llu: I/O held in a replaced map waits for the primary to say where the region is",
				  v->name, (unsigned long long)r);
	}
}
