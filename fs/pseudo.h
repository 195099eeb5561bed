/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MOUNT/.csa/: the CSA described as files (DESIGN.md, "What the host
 * shows"). Read-only unless said; the content of a file is made when it is
 * opened, so every open sees fresh state, and a read at any offset of one
 * open file sees the same bytes.
 *
 *   status       the whole CSA: arrays, LUNs, capacity used/free, rated vs
 *                measured MB/s and IOPS, volumes, alerts; aligned text
 *   arrays       one line per array: rated vs measured MB/s and IOPS,
 *                p99, utilisation and the monitor's state; then each array
 *                and its LUNs
 *   volumes/<v>  a volume: requirements, layout, region states, its
 *                migration (progress, region map) and load fit
 *   events       append-only log of what the primary pushed, one line
 *                each; a read at the end waits for the next event (tail -f
 *                works; poll says readable when there is one)
 *   control      writable: write a command ("volume set db1 mbps=600",
 *                "migrate db1 --to a3,a4", "pause"),
 *                read the answer back on the same open file
 *   metrics      Prometheus text exposition format
 *
 * Inodes: the root is CSAFS_INO_ROOT; this module owns every inode from
 * CSAFS_INO_CSA (the .csa directory) up to CSAFS_INO_VOLUME_BASE, which
 * is where volume files' inodes start. The fs hands the requests for
 * those inodes, and the lookup of ".csa" in the root, to the handlers
 * below, which have the signatures of struct fuse_lowlevel_ops plus the
 * module pointer, and reply to the request themselves (possibly later,
 * from another thread: events reads).
 */
#ifndef CSAFS_PSEUDO_H
#define CSAFS_PSEUDO_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "fs/host.h"

#define CSAFS_INO_ROOT		1ull
#define CSAFS_INO_CSA		2ull
#define CSAFS_INO_VOLUME_BASE	(1ull << 32)

struct csafs_pseudo;

struct csafs_pseudo_opts {
	struct csafs_host *host;	/* requests to the primary */
	/*
	 * The host's own state, filled into @out (an empty object):
	 *   {"host": NAME, "primary": "host:port", "connected": bool,
	 *    "volumes": [{name, size, open (count), map_generation}],
	 *    "luns": [as csafs_luns_report]}
	 */
	void (*local_state)(void *arg, struct json_object *out);
	void *arg;
};

struct csafs_pseudo *csafs_pseudo_new(const struct csafs_pseudo_opts *o);

/* Answers every request still waiting (events reads), then frees. */
void csafs_pseudo_free(struct csafs_pseudo *p);

/* Every event the fs gets from the primary, for .csa/events. */
void csafs_pseudo_event(struct csafs_pseudo *p, const char *event,
			struct json_object *data);

static inline bool csafs_pseudo_owns(fuse_ino_t ino)
{
	return ino >= CSAFS_INO_CSA && ino < CSAFS_INO_VOLUME_BASE;
}

void csafs_pseudo_lookup(struct csafs_pseudo *p, fuse_req_t req,
			 fuse_ino_t parent, const char *name);
void csafs_pseudo_getattr(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct fuse_file_info *fi);
void csafs_pseudo_setattr(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi);
void csafs_pseudo_opendir(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct fuse_file_info *fi);
void csafs_pseudo_readdir(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi);
void csafs_pseudo_releasedir(struct csafs_pseudo *p, fuse_req_t req,
			     fuse_ino_t ino, struct fuse_file_info *fi);
void csafs_pseudo_open(struct csafs_pseudo *p, fuse_req_t req,
		       fuse_ino_t ino, struct fuse_file_info *fi);
void csafs_pseudo_read(struct csafs_pseudo *p, fuse_req_t req,
		       fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi);
void csafs_pseudo_write(struct csafs_pseudo *p, fuse_req_t req,
			fuse_ino_t ino, const char *buf, size_t size,
			off_t off, struct fuse_file_info *fi);
void csafs_pseudo_release(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct fuse_file_info *fi);
void csafs_pseudo_poll(struct csafs_pseudo *p, fuse_req_t req,
		       fuse_ino_t ino, struct fuse_file_info *fi,
		       struct fuse_pollhandle *ph);

#endif
