// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Maps: a volume's layout opened through the striper, shared by the
 * requests that use it and closed after the last of them. A request
 * completes on a transport thread, which may not close LUNs (that waits
 * for the transport), so a map whose last reference goes there is handed
 * to the reaper thread, which flushes it (its writes must reach stable
 * storage even though no fsync will find it any more) and closes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"

static void reap_one(struct csafs *fs, struct csafs_map *m)
{
	struct csafs_vol *v = m->vol;
	int ret;

	ret = csa_volume_rw(m->cv, CSA_VREQ_FLUSH, 0, 0, NULL);
	if (ret == -EACCES) {
		/*
		 * Fenced while away (iscsi/pr.h): the primary fences before it
		 * copies, and every region it moved since then, with what we
		 * had written there, it synchronised at its new place; what
		 * is still where it was, the current map flushes.
		 */
		csafs_log(FUSE_LOG_NOTICE, "volume %s: its previous map was fenced; the primary synchronised what it moved",
			  v->name);
		ret = 0;
	} else if (ret) {
		csafs_log(FUSE_LOG_ERR, "volume %s: flushing its previous map failed: %s",
			  v->name, strerror(-ret));
	}
	csa_volume_close(m->cv);
	free(m);
	pthread_mutex_lock(&fs->lock);
	/* Its writes may not be stable: the next fsync must say so. */
	if (ret && !v->flush_err)
		v->flush_err = ret;
	v->reaping--;
	fs->live_maps--;
	pthread_cond_broadcast(&fs->reaped);
	pthread_mutex_unlock(&fs->lock);
	csafs_vol_put(fs, v);
}

static void *reaper_main(void *arg)
{
	struct csafs *fs = arg;
	struct csafs_map *m;

	pthread_mutex_lock(&fs->reap_lock);
	for (;;) {
		while (!fs->reap && !fs->reap_stop)
			pthread_cond_wait(&fs->reap_cond, &fs->reap_lock);
		m = fs->reap;
		if (!m)
			break;
		fs->reap = m->next;
		pthread_mutex_unlock(&fs->reap_lock);
		reap_one(fs, m);
		pthread_mutex_lock(&fs->reap_lock);
	}
	pthread_mutex_unlock(&fs->reap_lock);
	return NULL;
}

int csafs_maps_start(struct csafs *fs)
{
	int ret;

	pthread_mutex_init(&fs->reap_lock, NULL);
	pthread_cond_init(&fs->reap_cond, NULL);
	ret = -pthread_create(&fs->reaper, NULL, reaper_main, fs);
	fs->has_reaper = !ret;
	return ret;
}

void csafs_maps_stop(struct csafs *fs)
{
	struct csafs_vol *v;

	if (!fs->has_reaper)
		return;
	for (v = fs->vols; v; v = v->next)
		csafs_map_drop(fs, v);
	/* Requests still in flight hold their maps: wait for them all. */
	pthread_mutex_lock(&fs->lock);
	while (fs->live_maps)
		pthread_cond_wait(&fs->reaped, &fs->lock);
	pthread_mutex_unlock(&fs->lock);
	pthread_mutex_lock(&fs->reap_lock);
	fs->reap_stop = true;
	pthread_cond_signal(&fs->reap_cond);
	pthread_mutex_unlock(&fs->reap_lock);
	pthread_join(fs->reaper, NULL);
	fs->has_reaper = false;
	pthread_cond_destroy(&fs->reap_cond);
	pthread_mutex_destroy(&fs->reap_lock);
}

void csafs_map_put(struct csafs *fs, struct csafs_map *m)
{
	struct csafs_map **pm;
	bool last;

	if (!m)
		return;
	pthread_mutex_lock(&fs->lock);
	last = --m->refs == 0;
	if (last && m->retired) {
		for (pm = &m->vol->retired; *pm != m; pm = &(*pm)->next)
			;
		*pm = m->next;
	}
	if (last) {
		m->vol->reaping++;
		csafs_watch_fold(m->vol, m->cv);
	}
	pthread_mutex_unlock(&fs->lock);
	if (!last)
		return;
	pthread_mutex_lock(&fs->reap_lock);
	m->next = fs->reap;
	fs->reap = m;
	pthread_cond_signal(&fs->reap_cond);
	pthread_mutex_unlock(&fs->reap_lock);
}

/* A map over @v's layout, one reference; v->map_lock held. */
static int map_build(struct csafs *fs, struct csafs_vol *v,
		     struct csafs_map **out)
{
	struct csafs_map *m = calloc(1, sizeof(*m));
	char err[512] = "";
	int ret;

	if (!m)
		return -ENOMEM;
	/* v->mig_to is read under map_lock: region events take it too. */
	ret = v->mig_to ?
	      csa_volume_open_migrating(v->layout, v->mig_to, &fs->tp, NULL,
					&m->cv, err, sizeof(err)) :
	      csa_volume_open(v->layout, &fs->tp, NULL, &m->cv, err,
			      sizeof(err));
	if (ret) {
		csafs_log(FUSE_LOG_ERR, "volume %s: cannot reach its LUNs: %s",
			  v->name, err);
		free(m);
		return ret;
	}
	if (csa_volume_degraded(m->cv))
		csafs_log(FUSE_LOG_WARNING, "volume %s is degraded (reads only): %s",
			  v->name, err);
	csafs_watch_install(v, m->cv);
	m->refs = 1;
	m->vol = v;
	pthread_mutex_lock(&fs->lock);
	v->refs++;
	fs->live_maps++;
	m->generation = v->map_generation;
	pthread_mutex_unlock(&fs->lock);
	*out = m;
	return 0;
}

/* @m becomes current; the old map retires. Takes @m's reference. lock held. */
static struct csafs_map *install(struct csafs_vol *v, struct csafs_map *m)
{
	struct csafs_map *old = v->map;

	v->map = m;
	if (old) {
		old->retired = true;
		old->next = v->retired;
		v->retired = old;
	}
	return old;
}

struct csafs_map *csafs_map_get(struct csafs *fs, struct csafs_vol *v,
				bool build, int *ret)
{
	struct csafs_map *m, *old = NULL;

	*ret = 0;
	pthread_mutex_lock(&fs->lock);
	m = v->map;
	if (m)
		m->refs++;
	pthread_mutex_unlock(&fs->lock);
	if (m || !build)
		return m;

	pthread_mutex_lock(&v->map_lock);
	pthread_mutex_lock(&fs->lock);
	m = v->map;
	if (m)
		m->refs++;
	build = !m && !v->gone && v->layout;
	pthread_mutex_unlock(&fs->lock);
	if (build)
		*ret = map_build(fs, v, &m);
	if (build && !*ret) {
		pthread_mutex_lock(&fs->lock);
		/* Kept for the handles; or for this caller alone. */
		if (v->open && !v->gone) {
			m->refs++;
			old = install(v, m);
		}
		pthread_mutex_unlock(&fs->lock);
	}
	pthread_mutex_unlock(&v->map_lock);
	csafs_map_put(fs, old);
	return *ret ? NULL : m;
}

/* v->map_lock held (vols.c): builds are serialised with csafs_map_get. */
void csafs_map_renew(struct csafs *fs, struct csafs_vol *v)
{
	struct csafs_map *m = NULL, *old = NULL;
	bool has;

	pthread_mutex_lock(&fs->lock);
	has = v->map && !v->gone;
	pthread_mutex_unlock(&fs->lock);
	if (!has)
		return;		/* built from the new layout at the next use */
	if (!v->layout) {
		csafs_map_drop(fs, v);
		return;
	}
	if (map_build(fs, v, &m)) {
		/* Never go on with a layout the primary replaced: the next
		 * request builds the new one, or fails saying why. */
		csafs_log(FUSE_LOG_WARNING, "volume %s: its new map cannot be opened yet; the next request tries again",
			  v->name);
		pthread_mutex_lock(&fs->lock);
		m = v->map;
		if (m)
			m->refs++;
		pthread_mutex_unlock(&fs->lock);
		if (m)
			csafs_mig_release(fs, v, m->cv);
		csafs_map_put(fs, m);
		csafs_map_drop(fs, v);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	/* The last handle may have closed while the map was built. */
	if (v->map && v->open && !v->gone) {
		old = install(v, m);
		m = NULL;
	}
	pthread_mutex_unlock(&fs->lock);
	if (old)	/* what it held goes where the new view says */
		csafs_mig_release(fs, v, old->cv);
	csafs_map_put(fs, old);
	csafs_map_put(fs, m);
}

void csafs_map_drop(struct csafs *fs, struct csafs_vol *v)
{
	struct csafs_map *old;

	pthread_mutex_lock(&fs->lock);
	old = v->map;
	v->map = NULL;
	if (old) {
		old->retired = true;
		old->next = v->retired;
		v->retired = old;
	}
	pthread_mutex_unlock(&fs->lock);
	csafs_map_put(fs, old);
}

unsigned csafs_vol_maps(struct csafs_vol *v, struct csafs_map **out)
{
	struct csafs_map *m = v->map ? v->map : v->retired;
	unsigned n = 0;

	for (; m && n < CSAFS_VOL_MAPS; m = m == v->map ? v->retired : m->next) {
		m->refs++;
		out[n++] = m;
	}
	return n;
}

unsigned csafs_maps_for_flush(struct csafs *fs, struct csafs_vol *v,
			      struct csafs_map **out, unsigned max, int *err)
{
	struct csafs_map *m;
	unsigned n = 0;

	pthread_mutex_lock(&fs->lock);
	while (v->reaping)
		pthread_cond_wait(&fs->reaped, &fs->lock);
	*err = v->flush_err;
	v->flush_err = 0;
	if (v->map && n < max) {
		v->map->refs++;
		out[n++] = v->map;
	}
	for (m = v->retired; m && n < max; m = m->next) {
		m->refs++;
		out[n++] = m;
	}
	if (m && !*err)
		*err = -EIO;	/* more maps than one fsync takes: never a
				 * success it cannot vouch for */
	pthread_mutex_unlock(&fs->lock);
	return n;
}
