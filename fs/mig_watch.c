// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csafs: watching a region for writes while the primary copies it before
 * it is locked (DESIGN.md "Monitoring and migration", step 2, done ahead).
 *
 *   region.watch {volume, region, watch}: from now on count writes to the
 *     region, in every map of the volume this host has or builds; answer
 *     region.ack {volume, region, watch};
 *   region.lock {..., watch}: the ack says whether the region stayed clean
 *     (csafs_watch_clean): no write in flight when the watch began, none
 *     since. The primary then takes its early copy and need not copy again
 *     while the hosts hold the region.
 *
 * A map keeps its own count (striper/volume.h csa_volume_watch_region); a
 * map that goes away leaves its verdict in the volume (v->watch_dirty),
 * so that a file opened, written and closed between the watch and the
 * lock still counts. Anything this host cannot vouch for (a map that does
 * not know of the migration) is dirty: the primary only copies again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/fs.h"

static void watch_ack(struct csafs *fs, const char *name, uint64_t r,
		      uint64_t id)
{
	struct json_object *req = json_object_new_object(), *res = NULL;
	struct csa_client_err e;

	json_object_object_add(req, "op", json_object_new_string("region.ack"));
	json_object_object_add(req, "volume", json_object_new_string(name));
	json_object_object_add(req, "region", json_object_new_int64((int64_t)r));
	json_object_object_add(req, "watch", json_object_new_int64((int64_t)id));
	if (csafs_call(fs, req, &res, &e))
		csafs_log(FUSE_LOG_INFO, "volume %s region %llu: the watch could not be acknowledged: %s",
			  name, (unsigned long long)r, e.msg);
	json_object_put(res);
	csa_client_err_clear(&e);
}

static void start_watch(struct csafs *fs, struct csafs_vol *v, uint64_t r,
			uint64_t id)
{
	struct csafs_map *maps[CSAFS_VOL_MAPS];
	bool dirty = false;
	unsigned n, i;

	pthread_mutex_lock(&v->map_lock);	/* no map is built meanwhile */
	pthread_mutex_lock(&fs->lock);
	v->watch_id = id;
	v->watch_region = r;
	v->watch_dirty = false;
	n = csafs_vol_maps(v, maps);
	dirty = n == CSAFS_VOL_MAPS;	/* more than it can look at */
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < n; i++) {
		if (!csa_volume_from_layout(maps[i]->cv) ||
		    csa_volume_watch_region(maps[i]->cv, r, id) != 1)
			dirty = true;
	}
	pthread_mutex_lock(&fs->lock);
	v->watch_dirty |= dirty;
	pthread_mutex_unlock(&fs->lock);
	pthread_mutex_unlock(&v->map_lock);
	for (i = 0; i < n; i++)
		csafs_map_put(fs, maps[i]);
}

void csafs_watch_event(struct csafs *fs, const char *name, uint64_t r,
		       uint64_t id)
{
	struct csafs_vol *v = csafs_vol_by_name(fs, name);

	/* A volume this host does not see, it does not write. */
	if (v) {
		start_watch(fs, v, r, id);
		csafs_vol_put(fs, v);
	}
	watch_ack(fs, name, r, id);
}

bool csafs_watch_clean(struct csafs *fs, const char *name, uint64_t id)
{
	struct csafs_vol *v = csafs_vol_by_name(fs, name);
	struct csafs_map *maps[CSAFS_VOL_MAPS];
	unsigned n, i;
	bool clean;

	if (!v)
		return id != 0;
	pthread_mutex_lock(&fs->lock);
	clean = id && v->watch_id == id && !v->watch_dirty;
	n = clean ? csafs_vol_maps(v, maps) : 0;
	clean = clean && n < CSAFS_VOL_MAPS;
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < n; i++) {
		clean = clean && csa_volume_watch_clean(maps[i]->cv, id);
		csafs_map_put(fs, maps[i]);
	}
	csafs_vol_put(fs, v);
	return clean;
}

void csafs_watch_install(struct csafs_vol *v, struct csa_volume *cv)
{
	/* A new map has nothing in flight: it starts clean. */
	if (v->watch_id && csa_volume_from_layout(cv))
		csa_volume_watch_region(cv, v->watch_region, v->watch_id);
}

void csafs_watch_fold(struct csafs_vol *v, const struct csa_volume *cv)
{
	if (v->watch_id && !csa_volume_watch_clean(cv, v->watch_id))
		v->watch_dirty = true;
}
