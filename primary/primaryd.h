/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csa-primaryd's insides, shared by its files; not an interface.
 *
 *   primaryd.c       options, start-up, signals
 *   pd_arrays.c      the arrays' LUNs, the store over them, start-up
 *                    loading (from the bootstrap file and --discover),
 *                    committing a new catalog
 *   pd_ops_array.c   array.add/list/show/calibrate
 *   pd_ops_volume.c  volume.create/list/show/set/delete
 *   pd_ops_misc.c    status, host.register/list, the op table
 *   pd_view.c        the catalog as the API shows it (ops.h)
 *   pd_calibrate.c   array.calibrate's job
 *   pd_volume_set.c  volume.set
 *   pd_watch.c       reopening LUNs that were down
 *   pd_hosts.c       what hosts report: counters, open volumes
 *   pd_mig*.c        migration (pd_mig.h)
 *   pd_monitor.c     the arrays' load, saturation, what to move
 *
 * Locking: one mutex, p->lock, guards the catalog, the store and the open
 * LUNs. A handler takes it for the whole of what it reads or changes,
 * including the synchronous catalog write, so changes are serialised and
 * every reply reflects a catalog that is on a majority of the arrays.
 * Calibration runs without the lock (it only reads the LUNs) and takes it
 * to store its result.
 *
 * The bootstrap file DIR/primary.arrays lists, one "PORTAL TARGET" a line,
 * where the arrays were last seen, so a restarted primary knows where to
 * read the catalog; it is a hint, rewritten after every change of arrays.
 * The catalog on the LUNs is the truth.
 */
#ifndef CSA_PRIMARYD_H
#define CSA_PRIMARYD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "iscsi/engine.h"
#include "primary/api_server.h"
#include "primary/catalog.h"
#include "primary/catalog_store.h"
#include "primary/cluster_file.h"
#include "primary/monitor.h"

#define PD_BOOTSTRAP_FILE	"primary.arrays"
#define PD_SEQ_FILE		"primary.seq"
#define PD_MAX_SIZE		(1ull << 62)	/* bytes: the planner's limit */
#define PD_MAX_RATE		(1ull << 40)	/* MB/s or IOPS: beyond any array */

struct pd_lun {
	uint32_t number;
	struct csa_lun *lun;		/* NULL: not open (array down) */
	struct csa_lun *held;		/* the reservation taken on (pr.h) */
	char name[CSA_NAME_MAX + 16];	/* "a1 LUN 1" */
};

/* The LUNs of one catalog array, as this primary has them open. */
struct pd_array {
	char name[CSA_NAME_MAX];
	char portal[CSA_PORTAL_MAX];
	char target[CSA_IQN_MAX];
	unsigned nr_luns;
	struct pd_lun *luns;
	char why[256];			/* why the first LUN not open is not */
	atomic_bool calibrating;
};

struct csa_primary {
	pthread_mutex_t lock;
	const char *dir;
	struct csa_cluster_id id;
	char cn[65];			/* our certificate's common name */
	uint64_t started;		/* seconds since 1970 */
	unsigned timeout_ms;		/* logins and discovery */

	struct csa_engine *engine;
	struct csa_catalog *cat;	/* what the LUNs say; never NULL */
	struct csa_store *store;	/* NULL until the first array */
	uint64_t seq;			/* of cat on the LUNs; 0 if none */
	uint64_t seq_floor;		/* DIR/primary.seq: used below this */
	unsigned nr_arrays;
	struct pd_array **arrays;	/* same names as cat->arrays */

	struct csa_api_server *api;
	atomic_bool stopping;		/* calibrations stop soon */
	atomic_uint calibrations;	/* running */
	pthread_t watcher;		/* pd_watch.c */
	bool has_watcher;

	pthread_mutex_t hosts_lock;	/* pd_hosts.c; after lock if both */
	struct pd_host_state *host_states;

	/* pd_mig.h: the migrator; under lock */
	pthread_t migrator;
	bool has_migrator;
	pthread_cond_t mig_cond;	/* with lock: acks, kicks */
	struct pd_mig *migs;		/* the present of each migration */
	uint64_t lock_seq;		/* region lock ids */
	char mig_last[CSA_VOLUME_NAME_MAX];	/* served last, for turns */

	/* pd_monitor.c */
	struct pd_monitor *mon;
	struct csa_mon_cfg mon_cfg;	/* --threshold, --low-mark, --window */
	uint64_t region_bytes;		/* --region-size: of a migration */
	bool auto_migrate;		/* not --no-auto */
};

/* ---- pd_arrays.c --------------------------------------------------------- */

/* Log a line to stderr with the daemon's prefix. */
void pd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start-up: read the catalog from the bootstrap file's arrays and the
 * targets at @portals. 0, or -errno with a sentence. */
int pd_load(struct csa_primary *p, char *const *portals, unsigned nr_portals,
	    char *err, size_t errlen);

/* Open the LUNs @numbers of @target at @portal as array @name (a LUN that
 * cannot be opened stays NULL). NULL on allocation failure. */
struct pd_array *pd_array_open(struct csa_primary *p, const char *name,
			       const char *portal, const char *target,
			       const uint32_t *numbers, unsigned n);
void pd_array_close(struct pd_array *a);

/* The open array named @name, or NULL. */
struct pd_array *pd_array_find(struct csa_primary *p, const char *name);

/* LUN @number of array @array as this primary has it open; NULL when it
 * is not (down, or no such LUN). */
/* Take the reservation (iscsi/pr.h) on every open LUN of the catalog's
 * arrays not held yet: after the catalog or the LUNs changed. Lock held. */
void pd_pr_hold(struct csa_primary *p);
struct csa_lun *pd_lun_of(struct csa_primary *p, const char *array,
			  uint32_t number);

/* (Re)open the store over every open LUN: 0 or -errno with @err. */
int pd_store_reopen(struct csa_primary *p, char *err, size_t errlen);

/* Write @next to the LUNs and, once a majority holds it, make it the
 * catalog (the old one is freed). On failure @next is freed and the
 * catalog stays as it was: -errno with a sentence. Lock held. */
int pd_commit(struct csa_primary *p, struct csa_catalog *next, char *err,
	      size_t errlen);

/* Read DIR/primary.seq into p->seq_floor (none: 0). */
void pd_floor_load(struct csa_primary *p);

/* Rewrite the bootstrap file from the catalog (a failure is logged). */
void pd_bootstrap_save(struct csa_primary *p);

void pd_arrays_close(struct csa_primary *p);

/* pd_watch.c: retry the LUNs not open every few seconds, until stop. */
int pd_watch_start(struct csa_primary *p);
void pd_watch_stop(struct csa_primary *p);

/* ---- the ops ------------------------------------------------------------- */

extern const struct csa_api_op pd_ops[];
extern const unsigned pd_nr_ops;

/* Answer a request without fields with @view of the catalog (lock held
 * while it is made). */
int pd_answer_view(struct csa_primary *p, struct json_object *req,
		   struct json_object *(*view)(struct csa_primary *p),
		   struct json_object **result, struct csa_api_err *e);

/* 0 if @peer may change the cluster (admin, primary); else forbidden. */
int pd_need_admin(const struct csa_api_peer *peer, struct csa_api_err *e);

int pd_op_array_add(void *ctx, const struct csa_api_peer *peer,
		    struct json_object *req, struct json_object **result,
		    struct csa_api_err *e);
int pd_op_array_list(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e);
int pd_op_array_show(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e);
int pd_op_array_calibrate(void *ctx, const struct csa_api_peer *peer,
			  struct json_object *req, struct json_object **result,
			  struct csa_api_err *e);
int pd_op_volume_create(void *ctx, const struct csa_api_peer *peer,
			struct json_object *req, struct json_object **result,
			struct csa_api_err *e);
int pd_op_volume_list(void *ctx, const struct csa_api_peer *peer,
		      struct json_object *req, struct json_object **result,
		      struct csa_api_err *e);
int pd_op_volume_show(void *ctx, const struct csa_api_peer *peer,
		      struct json_object *req, struct json_object **result,
		      struct csa_api_err *e);
int pd_op_volume_set(void *ctx, const struct csa_api_peer *peer,
		     struct json_object *req, struct json_object **result,
		     struct csa_api_err *e);
int pd_op_volume_delete(void *ctx, const struct csa_api_peer *peer,
			struct json_object *req, struct json_object **result,
			struct csa_api_err *e);

/* The index of volume @name if @peer may change it: an admin any, a host
 * those it may see; else -1 with not_found or forbidden in @e. */
int pd_find_changeable(struct csa_primary *p, const struct csa_api_peer *peer,
		       const char *name, struct csa_api_err *e);

struct csa_plan;
/* The planner's refusal in @plan as an API error with its figures. -1. */
int pd_refuse(const struct csa_plan *plan, struct csa_api_err *e);
/* Place a new volume asking @req: 0 and plan->layout, or -1 with @e
 * (no_arrays, a refusal, internal). The plan is initialised either way:
 * csa_plan_release it. Lock held. */
int pd_place(struct csa_primary *p, const struct csa_cat_req *req,
	     struct csa_plan *plan, struct csa_api_err *e);

/*
 * pd_zero.c: write zeros over the blocks of @new that @old (NULL for a new
 * volume) does not have, on every copy, and flush: before a change that
 * gives a volume space is committed. 0, or -errno with a sentence. Lock
 * held.
 */
int pd_zero_new(struct csa_primary *p, const struct csa_layout *old,
		const struct csa_layout *new, char *err, size_t errlen);

/* Volume @name asks for more size than its layout has (a migration kept
 * its size): grow it in place now, or start the migration it needs
 * first. 0, or -1 (logged). Lock held. */
int pd_volume_grow(struct csa_primary *p, const char *name);

/* Publish @event ("volume.created", ...) for volume @name and log it. */
void pd_volume_event(struct csa_primary *p, const char *name,
		     const char *event);

/* ---- pd_hosts.c: what hosts report ---------------------------------------- */

int pd_op_host_report(void *ctx, const struct csa_api_peer *peer,
		      struct json_object *req, struct json_object **result,
		      struct csa_api_err *e);
/* The hosts that have @volume open now, as a JSON list of names. */
struct json_object *pd_hosts_open_on(struct csa_primary *p, const char *volume);
/* A host's opens count this long after its last report. */
#define PD_OPEN_LEASE_S		10
/* The hosts that have @volume open now: their count, and *@names
 * (malloc'd; NULL when memory is short). */
unsigned pd_hosts_holding(struct csa_primary *p, const char *volume,
			  char (**names)[CSA_HOST_NAME_MAX]);
/* Whether @host's lease on @volume still holds. */
bool pd_hosts_holds(struct csa_primary *p, const char *host,
		    const char *volume);
/* Keep those of the @n hosts @names that reported within their lease (a
 * host that did not holds its own I/O to what migrates); the new count. */
size_t pd_hosts_keep_fresh(struct csa_primary *p,
			   char (*names)[CSA_HOST_NAME_MAX], size_t n);
/* 1 (and the host's name) if a host other than @except has @volume open. */
int pd_hosts_busy(struct csa_primary *p, const char *volume,
		  const char *except, char *host, size_t len);
/* Add "last_report" and "open" of host @name to @o. */
void pd_hosts_describe(struct csa_primary *p, const char *name,
		       struct json_object *o);
void pd_hosts_free(struct csa_primary *p);

/* ---- pd_view.c ----------------------------------------------------------- */

struct json_object *pd_view_array(struct csa_primary *p, unsigned idx,
				  bool detail);
/* {arrays: [summaries]} */
struct json_object *pd_view_arrays(struct csa_primary *p);
struct json_object *pd_view_volume(struct csa_primary *p, unsigned idx,
				   bool detail);
struct json_object *pd_view_status(struct csa_primary *p);
/* The arrays of @l as VOLUME's "arrays" lists them. */
struct json_object *pd_layout_arrays(const struct csa_layout *l);
/* A host sees a volume that names it, or names no host. */
bool pd_volume_visible(const struct csa_cat_volume *v,
		       const struct csa_api_peer *peer);

/* ---- pd_monitor.c: the arrays' load --------------------------------------- */

struct csa_cat_pool;
int pd_monitor_start(struct csa_primary *p);
void pd_monitor_stop(struct csa_primary *p);
/* The array's `load` object (ops.h); null when nothing is measured. */
struct json_object *pd_monitor_array_load(struct csa_primary *p,
					  const char *array);
/* status's `alerts` list. */
struct json_object *pd_monitor_alerts(struct csa_primary *p);
/* volume.show's `load_fit` list for @v. */
struct json_object *pd_monitor_fit(struct csa_primary *p,
				   const struct csa_cat_volume *v);
/* MB/s the hosts put on @array now; -1 when not known. */
double pd_monitor_mbps(struct csa_primary *p, const char *array);
/* Count what the hosts put on each array as reserved, if more than the
 * volumes reserve (@measured), so a re-plan sees the real load. */
void pd_monitor_load_pool(struct csa_primary *p, struct csa_cat_pool *pool,
			  bool measured);
/* A host's report: its cumulative LUN and volume counters (host.report
 * "luns" and "volumes"). */
void pd_monitor_report(struct csa_primary *p, const char *host,
		       struct json_object *luns, struct json_object *volumes);

#endif
