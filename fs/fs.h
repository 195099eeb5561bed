/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csafs, the daemon's own state: one struct for the whole process (no
 * other mutable globals), the volumes it shows, the maps it does I/O
 * through, and the FUSE operations over them.
 *
 * Locks, always taken in this order:
 *   refresh_lock   one change of the table from the primary at a time
 *                  (held across the call that fetched it, so an older
 *                  answer never overwrites a newer one)
 *   vol->map_lock  one map being built for a volume at a time (held
 *                  while LUNs log in)
 *   lock           the table, every field of every volume and map marked
 *                  so; never held across a call that can block
 * No lock is held while the kernel is notified (fuse_lowlevel_notify_*):
 * the kernel may wait there for a request that needs one of them.
 */
#ifndef CSAFS_FS_H
#define CSAFS_FS_H

#include "fs/pseudo.h"		/* first: it sets FUSE_USE_VERSION */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "fs/host.h"
#include "fs/luns.h"
#include "iscsi/engine.h"
#include "primary/catalog.h"	/* CSA_VOLUME_NAME_MAX */
#include "striper/volume.h"

#define CSAFS_MIB		(1u << 20)
#define CSAFS_IO_MAX		CSAFS_MIB	/* largest read or write */
#define CSAFS_POOL_MAX		64		/* 1 MiB request buffers kept:
						 * the deepest queue asked for */

/* ---- options (fs_opts.c) ------------------------------------------- */

struct csafs_opts {
	const char *primary;		/* "host:port" */
	const char *mountpoint;
	char cert[4096], key[4096], ca[4096];	/* absolute paths */
	bool cache;			/* page cache for volumes only we use */
	bool foreground, debug;
	unsigned max_idle_threads;
	struct fuse_args fuse;		/* for fuse_session_new */
};

/*
 * Parse the command line (mount.fuse3's form too). Returns 0 to go on,
 * 1 when --help or --version was printed, or -EINVAL after printing the
 * fault and a usage line. @o is freed with csafs_opts_free.
 */
int csafs_opts_parse(int argc, char **argv, struct csafs_opts *o);
void csafs_opts_free(struct csafs_opts *o);

/* ---- the daemon ------------------------------------------------------ */

struct csafs_map;
struct loop_job;

/* The request loop's workers (fs_loop.c); protected by lock. */
struct csafs_loop {
	struct fuse_session *se;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* a request queued, or stop */
	pthread_cond_t gone;		/* the last worker ended */
	struct loop_job *head, **tail;	/* requests for the workers */
	unsigned queued, idle, workers, max_idle;
	bool stop;
};
struct csafs_vol;

struct csafs_ino {
	char name[CSA_VOLUME_NAME_MAX];
	fuse_ino_t ino;
};

struct csafs {
	/* Set up before the mount, read-only afterwards. */
	const struct csafs_opts *o;
	struct csafs_host *host;
	struct csa_engine *engine;
	struct csafs_luns *luns;
	struct csa_transport tp;
	struct csafs_pseudo *pseudo;	/* NULL until made; under lock */
	struct fuse_session *se;
	uid_t uid;
	gid_t gid;
	struct timespec mount_time;
	bool mounted;			/* under lock: notify the kernel */

	pthread_mutex_t refresh_lock;
	pthread_mutex_t lock;
	pthread_cond_t reaped;		/* a map was closed; with lock */
	struct csafs_vol *vols;		/* the table; protected by lock */
	unsigned live_maps;		/* built and not yet closed; lock */
	struct csafs_ino *inos;		/* name -> inode, only grows; lock */
	size_t nr_inos, max_inos;

	/* Maps whose last request completed, closed by the reaper thread
	 * (a transport thread may not close LUNs). Protected by reap_lock. */
	pthread_mutex_t reap_lock;
	pthread_cond_t reap_cond;
	struct csafs_map *reap;
	bool reap_stop;
	pthread_t reaper;
	bool has_reaper;

	/* Request buffers kept for the next request: a fresh 1 MiB buffer
	 * costs 256 page faults, and small ones, allocated on one thread and
	 * freed on another, keep malloc growing and trimming its heap.
	 * Protected by pool_lock. */
	pthread_mutex_t pool_lock;
	void *pool[CSAFS_POOL_MAX];
	unsigned nr_pool;
	void *small[CSAFS_POOL_MAX];
	unsigned nr_small;

	struct csafs_loop loop;
};

/*
 * One opened csa_volume over one layout of a volume. Requests take the
 * volume's current map and hold a reference until they complete, so a new
 * map (the volume grew, got a copy, moved) is taken without failing what
 * is in flight: the old one is flushed and closed after its last request.
 */
struct csafs_map {
	unsigned refs;			/* protected by fs->lock */
	bool retired;			/* on vol->retired; fs->lock */
	uint64_t generation;		/* the volume's map_generation */
	struct csa_volume *cv;
	struct csafs_vol *vol;		/* holds a reference */
	struct csafs_map *next;		/* vol->retired, or fs->reap */
};

struct csafs_vol {
	char name[CSA_VOLUME_NAME_MAX];
	fuse_ino_t ino;
	unsigned refs;			/* table, handles, maps; fs->lock */
	bool gone;			/* deleted: out of the table; fs->lock */

	/* What the primary says (volume.show); fs->lock. */
	bool empty;			/* state "empty": no extents yet */
	uint64_t size, mbps, iops, copies, stripe_unit;
	char *hosts;			/* "h1,h2", "" for every host */
	bool only_us;			/* hosts is exactly this host */
	struct csa_layout *layout;	/* NULL when empty */
	char *layout_text;		/* its JSON, "null" when empty */
	uint64_t map_generation;	/* bumped when the layout changes */
	struct csa_layout *mig_to;	/* migrating: the target, its region
					 * states as the primary last said */

	/* This host's use of it; fs->lock. */
	unsigned open;			/* handles */
	struct csafs_map *map;		/* current; NULL while not open */
	struct csafs_map *retired;	/* replaced, requests still in flight */
	unsigned reaping;		/* maps of it waiting for the reaper */
	int flush_err;			/* a closed map's flush failed: the
					 * next fsync returns it */
	/* The primary's watch of a region (mig_watch.c); map_lock and
	 * fs->lock to change, either to read. */
	uint64_t watch_id;		/* 0: none */
	uint64_t watch_region;
	bool watch_dirty;		/* a map that went away saw a write */

	/* What this host did with it, for host.report. */
	_Atomic uint64_t reads, writes, read_bytes, write_bytes;

	pthread_mutex_t map_lock;
	struct csafs_vol *next;
};

/* An open volume file (fi->fh). */
struct csafs_handle {
	struct csafs_vol *vol;		/* holds a reference */
	int flags;
};

/* csafs_log(FUSE_LOG_ERR, "..."): one line, "csafs: " in front. */
void csafs_log(enum fuse_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * csafs_host_call, once more if the request connection turned out to be
 * broken (it may be, unnoticed, after the primary came back): the call
 * remade it. @req is taken.
 */
int csafs_call(struct csafs *fs, struct json_object *req,
	       struct json_object **result, struct csa_client_err *e);

/*
 * The positive errno for the kernel from a failed csafs_host_call (@ret,
 * and the primary's code in @e), logging the primary's sentence with
 * @what ("truncate db1") for the person who wonders why.
 */
int csafs_call_errno(int ret, const struct csa_client_err *e,
		     const char *what);

/* ---- the volume table (vols.c) --------------------------------------- */

/* Kernel notifications gathered under the locks, sent after them. */
struct csafs_note {
	bool entry;			/* the name went; else the size changed */
	fuse_ino_t ino;
	char name[CSA_VOLUME_NAME_MAX];
};

struct csafs_notes {
	struct csafs_note *v;
	size_t n, max;
};

void csafs_vols_init(struct csafs *fs);
void csafs_vols_fini(struct csafs *fs);

/*
 * Everything again: volume.list, then volume.show for each. Volumes no
 * longer listed go. Returns 0 or the -errno of the call that failed, with
 * a sentence in @err. Takes refresh_lock.
 */
int csafs_vols_load(struct csafs *fs, char *err, size_t errlen);

/* One volume again (volume.show); not_found removes it. */
void csafs_vols_refresh(struct csafs *fs, const char *name);

/*
 * @name was deleted: out of the table, and its handles get ENOENT. Caller
 * holds refresh_lock.
 */
void csafs_vols_remove(struct csafs *fs, const char *name,
		       struct csafs_notes *notes);

/*
 * Take a VOLUME object (volume.show, or the answer to create or set) into
 * the table: a new volume, new requirements, a new size, a new layout (a
 * new map, if the volume is open here). Caller holds refresh_lock; the
 * notes are sent with csafs_notes_send once it is released.
 */
int csafs_vols_apply(struct csafs *fs, struct json_object *vol,
		     struct csafs_notes *notes);
/*
 * Tell the kernel, then free; or only free: in a request for that name
 * the kernel would wait for the request itself, and its reply says it.
 */
void csafs_notes_send(struct csafs *fs, struct csafs_notes *notes);
void csafs_notes_free(struct csafs_notes *notes);

/* Look up (with a reference, put with csafs_vol_put), or NULL. */
struct csafs_vol *csafs_vol_by_name(struct csafs *fs, const char *name);
struct csafs_vol *csafs_vol_by_ino(struct csafs *fs, fuse_ino_t ino);
void csafs_vol_put(struct csafs *fs, struct csafs_vol *v);

/* Attributes of a volume file; takes fs->lock. */
void csafs_vol_stat(struct csafs *fs, struct csafs_vol *v, struct stat *st);

/* The names of volumes open here, and the host's state (pseudo.h). */
void csafs_vols_open_names(struct csafs *fs, struct json_object *out);
void csafs_vols_local_state(struct csafs *fs, struct json_object *out);
/* host.report's "volumes": what this host did with each (ops.h). */
void csafs_vols_counters(struct csafs *fs, struct json_object *out);

/* ---- maps (maps.c) ---------------------------------------------------- */

int csafs_maps_start(struct csafs *fs);
/* Drops every volume's map, waits until each is closed, stops the reaper. */
void csafs_maps_stop(struct csafs *fs);

/*
 * The volume's current map with a reference, built (LUNs logged in) if
 * the volume has none and @build: made current while the volume is open
 * here, else the caller's alone. NULL for an empty or deleted volume, or
 * with -errno in *@ret when it could not be built. May block (logins).
 */
struct csafs_map *csafs_map_get(struct csafs *fs, struct csafs_vol *v,
				bool build, int *ret);
void csafs_map_put(struct csafs *fs, struct csafs_map *m);

/*
 * The layout changed: if the volume has a map, build one over the new
 * layout and make it current (the old one retires). Caller holds
 * v->map_lock, not lock.
 */
void csafs_map_renew(struct csafs *fs, struct csafs_vol *v);

/* The last handle closed, or the volume went: drop the current map. */
void csafs_map_drop(struct csafs *fs, struct csafs_vol *v);

/*
 * Every map of @v with writes that an fsync must flush: the current one
 * and the retired ones, each with a reference, after waiting for those
 * being closed (their last flush). Returns how many, at most @max, and in
 * *@err what an fsync must report whatever these flushes do: the failed
 * flush of a map closed since the last fsync, or -EIO if the volume has
 * more maps than @max.
 */
unsigned csafs_maps_for_flush(struct csafs *fs, struct csafs_vol *v,
			      struct csafs_map **out, unsigned max, int *err);
/* The current map of @v and those retiring, at most CSAFS_VOL_MAPS, one
 * reference each (csafs_map_put them); how many. fs->lock held. */
#define CSAFS_VOL_MAPS	8
unsigned csafs_vol_maps(struct csafs_vol *v, struct csafs_map **out);

/* ---- migration (migrate.c) ------------------------------------------ */

/* region.lock and region.unlock; on the host's event thread. */
void csafs_mig_event(struct csafs *fs, const char *event,
		     struct json_object *data);
/* Bring the current map's region states to v->mig_to's (a refresh said
 * them). v->map_lock held. */
void csafs_mig_sync(struct csafs *fs, struct csafs_vol *v);
/*
 * The host's lease with the primary is about to run out (@held false):
 * hold I/O to every region of a migrating volume that is not migrated
 * yet, since the primary may copy it once the lease is gone; or it holds
 * again (@held true): reload, which puts each region where the primary
 * says, and register on the LUNs again (iscsi/pr.h). Returns 0, or
 * -EAGAIN when the reload failed: called again then.
 */
int csafs_mig_lease(struct csafs *fs, bool held);
/* region.watch {volume, region, watch}: start watching, answer. */
void csafs_watch_event(struct csafs *fs, const char *name, uint64_t r,
		       uint64_t id);
/* True when watch @id of volume @name saw no write on this host (and for
 * a volume it does not see); false for id 0. */
bool csafs_watch_clean(struct csafs *fs, const char *name, uint64_t id);
/* A map just built for @v watches what @v watches. v->map_lock held. */
void csafs_watch_install(struct csafs_vol *v, struct csa_volume *cv);
/* A map of @v going away leaves its verdict in @v. fs->lock held. */
void csafs_watch_fold(struct csafs_vol *v, const struct csa_volume *cv);
/* True if @mine and @other put every byte in the same place (region
 * states aside); NULL only equals NULL. */
bool csafs_same_place(struct csa_layout *mine, const struct csa_layout *other);
/*
 * @old, a map being replaced, holds I/O on locked regions: send it where
 * the new view of @v puts those regions (a migration that ended while we
 * were away: the target). v->map_lock held.
 */
void csafs_mig_release(struct csafs *fs, struct csafs_vol *v,
		       struct csa_volume *old);

/* ---- FUSE operations ------------------------------------------------- */

/*
 * Serve requests until the session ends (fs_loop.c): reads and writes of
 * volume files on this thread, the rest on up to 64 workers, @max_idle of
 * them kept waiting. 0 or -errno.
 */
int csafs_loop_run(struct csafs *fs, unsigned max_idle);

extern const struct fuse_lowlevel_ops csafs_ops;

/* fs_io.c */
void csafs_io_init(struct csafs *fs);
void csafs_io_fini(struct csafs *fs);	/* no request may be in flight */
void csafs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi);
void csafs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		 size_t size, off_t off, struct fuse_file_info *fi);
void csafs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		 struct fuse_file_info *fi);
void csafs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* Write zeros over [@from, @to) and wait; 0 or -errno. */
int csafs_zero(struct csafs *fs, struct csafs_vol *v, uint64_t from,
	       uint64_t to);

/* fs_xattr.c */
void csafs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    size_t size);
void csafs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void csafs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    const char *value, size_t size, int flags);
void csafs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

static inline struct csafs *csafs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static inline bool csafs_is_volume(fuse_ino_t ino)
{
	return ino >= CSAFS_INO_VOLUME_BASE;
}

#endif
