/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csa-primaryd's migrator, shared by its files; not an interface.
 *
 *   pd_migrate.c     the migrator thread: one region at a time, the
 *                    steps of DESIGN.md "Monitoring and migration"
 *   pd_mig_lock.c    the host half of a region lock: the lock event,
 *                    the acknowledgements, hosts that do not answer;
 *                    the watch of a region copied before it is locked
 *   pd_fence.c       the array half: a host's registrations removed
 *   pd_mig_pace.c    how fast the copy may go
 *   pd_mig_copy.c    copying and checking one region
 *   pd_mig_plan.c    re-planning a volume for a migration, starting it
 *   pd_ops_migrate.c volume.migrate, migration.list/pause/resume,
 *                    region.ack
 *
 * A migration's durable state is in the catalog (catalog.h struct
 * csa_cat_migration: the target layout and which regions are there); a
 * primary that starts finds it there and goes on. What lives only here is
 * the present: the region locked now, who acknowledged it, the copy rate.
 * Lock order: p->lock, then p->hosts_lock; the migrator holds p->lock for
 * its catalog changes and the lock event, never while it copies.
 */
#ifndef CSA_PD_MIG_H
#define CSA_PD_MIG_H

#include <stdbool.h>
#include <stdint.h>

#include "primary/primaryd.h"

#define PD_MIG_ACK_MS		2000	/* hosts have this long to answer a lock */
#define PD_MIG_WATCH_MS		500	/* and this long to answer a watch */
/* Copies of a region made while the hosts go on, before one is made
 * under the lock: a region written meanwhile is copied again. */
#define PD_MIG_AHEAD_TRIES	3
#define PD_MIG_RATE_WINDOW	8	/* regions the copy rate is measured over */
#define PD_MIG_LOCKS_KEPT	4096	/* lock times kept for percentiles */
#define PD_MIG_GUESS_MBPS	100	/* for the expected time when nothing is known */
/* A region of a migration, by default (--region-size): what the hosts
 * hold while it is copied. Small, so that a pause is short; each costs a
 * catalog write. */
#define PD_MIG_REGION_BYTES	(1u << 20)

/* The present of one migrating volume (under p->lock). */
struct pd_mig {
	char volume[CSA_VOLUME_NAME_MAX];
	int64_t locked;			/* the region locked now; -1 none */
	uint64_t lock_id;		/* of that lock, for region.ack */
	unsigned nr_expect;		/* hosts asked to acknowledge */
	char (*expect)[CSA_HOST_NAME_MAX];
	bool *acked;
	bool *clean;			/* its ack: no write since the watch */
	bool *must;			/* it has the volume open: an answer,
					 * or its lease runs out and it is
					 * fenced; the others (watchers) only
					 * make the region dirty */
	uint64_t watch_id;		/* the watch of region `watched` */
	int64_t watched;		/* -1 none */
	bool watch_taking;		/* acks still count (no copy yet) */
	unsigned nr_watchers;		/* hosts that acknowledged it */
	char (*watchers)[CSA_HOST_NAME_MAX];
	uint64_t bytes_done;		/* copied since this primary started */
	double rate_mbps;		/* copy rate over the last regions */
	double t_win[PD_MIG_RATE_WINDOW];	/* time and bytes of them */
	uint64_t b_win[PD_MIG_RATE_WINDOW];
	unsigned win_n, win_at;
	unsigned failures;		/* regions that failed in a row */
	unsigned moved;			/* regions moved by this primary */
	unsigned ahead;			/* of them, those whose copy made
					 * before the lock stood */
	double lock_t0;			/* when the region was locked */
	uint32_t lock_ms[PD_MIG_LOCKS_KEPT];	/* how long the last were */
	unsigned nr_locks;		/* locks taken and released */
	double last_progress;		/* when the last event went out */
	struct pd_mig *next;
};

/* ---- pd_mig_copy.c -------------------------------------------------------- */

/* A column copy of the target to write, and the copy of the source to
 * read it from. */
struct pd_copy_job {
	unsigned column;
	unsigned copy;
	unsigned src_copy;
};

/* The target has other columns or another stripe unit: every copy is
 * written from the volume's bytes. */
bool pd_mig_restriped(const struct csa_layout *from,
		      const struct csa_layout *to);
/* The copies of @to that change, into @jobs (may be NULL: count only). */
unsigned pd_mig_jobs(const struct csa_layout *from,
		     const struct csa_layout *to, struct pd_copy_job *jobs);
/* Bytes the whole migration writes. */
uint64_t pd_mig_bytes(const struct csa_layout *from,
		      const struct csa_layout *to);
/* Copy region @region and read it back; *@bytes written. 0 or -errno
 * with @err. No lock held. */
int pd_mig_copy_region(struct csa_primary *p, const struct csa_layout *from,
		       const struct csa_layout *to, uint64_t region,
		       uint64_t *bytes, char *err, size_t errlen);

/* ---- pd_migrate.c ---------------------------------------------------------- */

int pd_migrator_start(struct csa_primary *p);
void pd_migrator_stop(struct csa_primary *p);
/* Wake the migrator: a migration started, resumed, or a host answered. */
void pd_migrator_kick(struct csa_primary *p);
/* The present of volume @name's migration, made if need be; NULL only
 * when memory is short. Lock held. */
struct pd_mig *pd_mig_get(struct csa_primary *p, const char *name);
/* Forget it (the migration ended). Lock held. */
void pd_mig_forget(struct csa_primary *p, const char *name);
/* MIGRATION (ops.h) of volume @idx; with its target layout if @layout. */
struct json_object *pd_mig_view(struct csa_primary *p, unsigned idx,
				bool layout);
/* Publish @event with MIGRATION of volume @idx. Lock held. */
void pd_mig_event(struct csa_primary *p, unsigned idx, const char *event);

/* Pause or resume volume @name's migration in the catalog. 0, -ENOENT
 * (not migrating) or -errno from the commit. Lock held. */
int pd_mig_set_paused(struct csa_primary *p, const char *name, bool paused);
/* migration.progress, at most once a second per volume. Lock held. */
void pd_mig_progress(struct csa_primary *p, const char *name);
/* MB/s the copy may take from the arrays @from is read from and @to
 * written to: what the hosts' load leaves them for their share of it
 * (pd_mig_pace.c), under the cap; 0: no limit known. Lock held. */
double pd_mig_allowed_mbps(struct csa_primary *p, const char *name,
			   const struct csa_layout *from,
			   const struct csa_layout *to);

/* ---- pd_mig_lock.c ---------------------------------------------------------- */

/* Lock region @r of @m's volume at every host that has it open and wait
 * for them, or for the leases of those that do not answer to run out.
 * Called and returns with p->lock held (dropped while waiting). 0, or
 * -ECANCELED when the daemon stops. */
int pd_mig_lock(struct csa_primary *p, struct pd_mig *m, uint64_t r);
/* Release it, the region now @state: the region.unlock event. Lock held. */
void pd_mig_unlock(struct csa_primary *p, struct pd_mig *m, unsigned state);
/*
 * Ask every host to watch region @r for writes (region.watch) and wait
 * until those that have the volume open, and those subscribed to the
 * events, answered: the region may then be copied while they go on. Called and returns with p->lock held. 0,
 * -ETIMEDOUT when one did not answer in PD_MIG_WATCH_MS (copy it under
 * the lock), -ECANCELED when the daemon stops.
 */
int pd_mig_watch(struct csa_primary *p, struct pd_mig *m, uint64_t r);
/* After pd_mig_lock of the watched region: true when every host that
 * answered says no write touched it since the watch, and each that has
 * the volume open, or is subscribed to the events, answered the watch in
 * time. Lock held. */
bool pd_mig_clean(struct csa_primary *p, const struct pd_mig *m);
/* Wait on the migrator's condition for at most @ms. Lock held. */
void pd_mig_nap(struct csa_primary *p, uint64_t ms);
/* ---- pd_fence.c -------------------------------------------------------------- */

/* Remove @host's registration from every LUN of @volume, where it is and
 * where it goes, and say so (log, host.fenced). p->lock held. 0, -ENOENT
 * for no such volume, -EIO when some LUN could not be fenced. */
int pd_fence_host(struct csa_primary *p, const char *host, const char *volume);

/* A host's region.ack of lock @lock_id (@clean: no write since the
 * watch), or of watch @watch_id when @lock_id is 0: 0, or -ENOENT when
 * no such lock or watch waits for it. Lock held. */
int pd_mig_ack(struct csa_primary *p, const char *host, const char *volume,
	       uint64_t region, uint64_t lock_id, uint64_t watch_id,
	       bool clean);

/* ---- pd_ops_migrate.c ------------------------------------------------------------ */

int pd_op_volume_migrate(void *ctx, const struct csa_api_peer *peer,
			 struct json_object *req, struct json_object **result,
			 struct csa_api_err *e);
int pd_op_migration_list(void *ctx, const struct csa_api_peer *peer,
			 struct json_object *req, struct json_object **result,
			 struct csa_api_err *e);
int pd_op_migration_pause(void *ctx, const struct csa_api_peer *peer,
			  struct json_object *req, struct json_object **result,
			  struct csa_api_err *e);
int pd_op_migration_resume(void *ctx, const struct csa_api_peer *peer,
			   struct json_object *req, struct json_object **result,
			   struct csa_api_err *e);
int pd_op_region_ack(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e);

/* ---- pd_mig_plan.c ----------------------------------------------------------- */

struct csa_plan;
struct pd_mig_ask {
	const char *to[CSA_MAX_COLUMNS * CSA_MAX_COPIES];	/* allowed arrays */
	unsigned nr_to;			/* 0: any */
	const char *avoid;		/* an array to move off (the monitor's) */
	bool rebalance;			/* a fresh best fit */
	const struct csa_cat_req *req;	/* NULL: the volume's own */
};
/* Re-plan volume @idx for a migration: 0 and @plan, or -1 with @e
 * (a refusal, nothing_to_move, bad_request). Lock held. */
int pd_mig_plan(struct csa_primary *p, unsigned idx,
		const struct pd_mig_ask *ask, struct csa_plan *plan,
		struct csa_api_err *e);
/* Start moving volume @idx to @plan's layout (taken), asking @req if not
 * NULL: commit the migration and announce it. 0 or -1 with @e. Lock
 * held. */
int pd_mig_begin(struct csa_primary *p, unsigned idx, struct csa_plan *plan,
		 const struct csa_cat_req *req, const char *reason,
		 uint64_t max_rate, struct csa_api_err *e);
/* PLAN (ops.h) for @plan of volume @idx. */
struct json_object *pd_mig_plan_view(struct csa_primary *p, unsigned idx,
				     const struct csa_plan *plan);

#endif
