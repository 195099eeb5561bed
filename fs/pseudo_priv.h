/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the FUSE side of .csa/ shares between its files: the module, the
 * open files, the calls to the primary (pseudo_fetch.c) and the reads
 * that wait for events (pseudo_wait.c).
 */
#ifndef CSAFS_PSEUDO_PRIV_H
#define CSAFS_PSEUDO_PRIV_H

#include <pthread.h>

#include "fs/pseudo.h"
#include "fs/pseudo_int.h"

/* Inodes (pseudo.h: from CSAFS_INO_CSA up to CSAFS_INO_VOLUME_BASE). */
enum {
	INO_STATUS = 3,
	INO_ARRAYS,
	INO_VOLUMES,		/* the directory volumes/ */
	INO_EVENTS,
	INO_CONTROL,
	INO_METRICS,
	INO_VOLUME_FIRST = 16,	/* volumes/<v>, one per name ever seen */
};

enum pfile_kind { PF_TEXT, PF_EVENTS, PF_CONTROL };

/* One open file (fi->fh). */
struct pfile {
	enum pfile_kind kind;

	/* PF_TEXT: made at open, never changed, freed at release. */
	struct pbuf text;

	/* PF_CONTROL: the answers to the writes since the last read. */
	pthread_mutex_t lock;
	struct pbuf answer;	/* protected by lock */
	size_t rpos;		/* read from here on; lock */
	bool written;		/* any command yet; lock */
	bool read;		/* read since the last write; lock */

	/* PF_EVENTS, all protected by the module's lock. */
	uint64_t pos;			/* where its last read ended */
	struct fuse_pollhandle *ph;	/* to notify when an event comes */
	struct pfile *next_reader;
};

/* A read of events at the end, answered when the next event comes. */
struct waiter {
	fuse_req_t req;
	struct pfile *f;
	uint64_t off;
	size_t size;
	bool registering;	/* its interrupt callback is being set */
	bool interrupted;	/* ... and the request was interrupted then */
	struct waiter *next;
};

#define RATE_SAMPLES	8

/* This host's totals per LUN at one time, for measured rates. */
struct rate_sample {
	uint64_t ms;			/* CLOCK_MONOTONIC */
	struct json_object *luns;	/* a copy of local_state's "luns" */
};

struct csafs_pseudo {
	struct csafs_host *host;	/* NULL: no primary at all */
	void (*local_state)(void *arg, struct json_object *out);
	void *arg;
	uid_t uid;
	gid_t gid;
	struct timespec started;

	pthread_mutex_t lock;
	/* Names of volumes/<v> files: inode INO_VOLUME_FIRST + index. */
	char **names;			/* protected by lock */
	size_t nr_names, cap_names;	/* protected by lock */

	struct csafs_evlog *log;	/* protected by lock */
	struct timespec last_event;	/* protected by lock */
	struct waiter *waiters;		/* protected by lock */
	struct pfile *readers;		/* open events files; lock */
	bool closing;			/* protected by lock */

	struct rate_sample samples[RATE_SAMPLES];	/* protected by lock */
	unsigned nr_samples;				/* protected by lock */
};

/* ---- the primary (pseudo_fetch.c) ---------------------------------------- */

#define VIEW_STATUS		(1u << 0)
#define VIEW_ARRAYS		(1u << 1)	/* array.list */
#define VIEW_ARRAY_DETAIL	(1u << 2)	/* ... and array.show of each */
#define VIEW_VOLUMES		(1u << 3)	/* volume.list */
#define VIEW_VOLUME_DETAIL	(1u << 4)	/* ... and volume.show of each */
#define VIEW_MIGRATIONS		(1u << 5)	/* migration.list */

/*
 * A view (pseudo_int.h) with what @what asks of the primary, the local
 * state and this host's measured rates; with @volume, volume.show of it
 * as "volume". NULL on ENOMEM. Blocks for the primary's answers (each
 * bounded by the link's timeout; at once when it is down).
 */
struct json_object *pseudo_view(struct csafs_pseudo *p, unsigned what,
				const char *volume);

/*
 * Does volume @name exist for this host? 1 yes, 0 no, from the primary
 * or, when it cannot be reached, from the volumes this host has.
 */
int pseudo_volume_exists(struct csafs_pseudo *p, const char *name);

/* The names to list in volumes/: a JSON array of strings, NULL on ENOMEM. */
struct json_object *pseudo_volume_names(struct csafs_pseudo *p);

/* Run the command lines in @buf (@len bytes); their answers into @out. */
void pseudo_control_run(struct csafs_pseudo *p, const char *buf, size_t len,
			struct pbuf *out);

/* ---- events (pseudo_wait.c) ------------------------------------------- */

void pseudo_events_read(struct csafs_pseudo *p, fuse_req_t req,
			struct pfile *f, size_t size, off_t off, int flags);
void pseudo_events_poll(struct csafs_pseudo *p, fuse_req_t req,
			struct pfile *f, struct fuse_pollhandle *ph);
/* An events file opened (listed for poll) or released. */
void pseudo_events_opened(struct csafs_pseudo *p, struct pfile *f);
void pseudo_events_released(struct csafs_pseudo *p, struct pfile *f);
/* Answer every waiting read with end of file (the module is closing). */
void pseudo_events_close(struct csafs_pseudo *p);

#endif
