/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalog: everything the cluster knows about itself, written as JSON
 * into the catalog slots of every LUN (label.h, catalog_store.h) so that
 * any array can rebuild the picture.
 *
 * It holds the cluster UUID, a generation (bumped by every successful
 * change made through this interface), the arrays with their LUNs, the
 * registered hosts, and the volumes with what was asked of them (the
 * requirements) and where they are (a striper layout, layout.h). Free
 * extents are not stored: csa_catalog_free_extents derives them from the
 * LUN sizes, the reserved areas and the layouts, so they cannot disagree.
 *
 * Rules a catalog obeys (csa_catalog_validate; every change and every
 * parse checks them and refuses with -EINVAL and a sentence):
 * - names of arrays and volumes: 1..63 bytes, of hosts 1..64 bytes (the
 *   X.509 common name limit); letters, digits, '.', '_', '-', not starting
 *   with '.' or '-'; unique within their kind;
 * - an array has a portal and a target, no other array has both the same;
 *   its LUN numbers are unique; LUN UUIDs are unique in the catalog and
 *   not nil; a LUN's block size is a power of two in 512..65536, its
 *   reserved blocks (the csafs reserved area at its start) at least one
 *   and fewer than its blocks;
 * - an empty volume (CSA_VOL_EMPTY: made with size 0, as `touch` in a
 *   mount does, and not sized yet) has size 0 and no layout; every other
 *   volume has a layout;
 * - a volume's requirements: size > 0 (0 when empty), 1..CSA_MAX_COPIES copies, stripe
 *   unit 0 (the planner's choice) or a power of two in 512..64 MiB, every
 *   host named registered and named once;
 * - its layout passes csa_layout_validate, names only catalog arrays (same
 *   portal and target) and their LUNs, uses the LUNs' block size, stays
 *   out of the reserved areas and inside the LUNs, and no two extents of
 *   any volumes overlap.
 * - a migrating volume has a migration whose target layout passes the
 *   same checks, has the volume's size and block size and no region
 *   locked; its extents may overlap the volume's own layout, no other's.
 * The requirements and the layout need not agree on size or copies: the
 * requirements are what was asked, the layout is what is; the planner
 * brings them together (a grown volume is asked for before it is grown).
 *
 * Ownership: a catalog owns everything it points to; the add functions
 * copy what they are given. Thread-safety: none inside; a catalog may be
 * read by many threads at once, changed by one with no reader.
 */
#ifndef CSA_CATALOG_H
#define CSA_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primary/label.h"	/* struct csa_uuid */
#include "striper/layout.h"

#define CSA_CATALOG_FORMAT	1	/* the JSON "format" field */
#define CSA_VOLUME_NAME_MAX	64	/* with the NUL */
#define CSA_HOST_NAME_MAX	65	/* with the NUL: a CN is <= 64 */
#define CSA_CAT_MAX_LUNS	4096	/* per array */
#define CSA_CAT_MAX_VOL_HOSTS	1024	/* hosts named by one volume */

struct csa_cat_lun {
	uint32_t number;		/* the SCSI LUN on the target */
	struct csa_uuid uuid;		/* as in its label */
	uint64_t blocks;		/* size in blocks */
	uint32_t block_size;		/* bytes */
	uint64_t reserved_blocks;	/* the csafs reserved area at its start */
};

struct csa_cat_array {
	char name[CSA_NAME_MAX];
	char portal[CSA_PORTAL_MAX];
	char target[CSA_IQN_MAX];
	uint64_t rated_mbps;		/* MB/s it can do; 0: unknown */
	uint64_t rated_iops;
	bool calibrated;		/* rated_* measured, not configured */
	unsigned nr_luns;
	struct csa_cat_lun *luns;
};

enum csa_fit {
	CSA_FIT_BEST = 0,
	CSA_FIT_FIRST = 1,
};

struct csa_cat_req {
	uint64_t size;			/* bytes */
	uint64_t mbps;			/* MB/s; 0: no bandwidth asked */
	uint64_t iops;			/* 0: no IOPS asked */
	uint32_t copies;
	uint32_t stripe_unit;		/* bytes asked; 0: the planner chooses */
	enum csa_fit fit;
	unsigned nr_hosts;
	char (*hosts)[CSA_HOST_NAME_MAX];
};

enum csa_vol_state {
	CSA_VOL_CREATING = 0,		/* extents taken, not yet handed out */
	CSA_VOL_ONLINE = 1,
	CSA_VOL_MIGRATING = 2,		/* regions being moved (layout.h) */
	CSA_VOL_DELETING = 3,		/* being taken down; extents still used */
	CSA_VOL_EMPTY = 4,		/* asked for, size 0: no layout yet */
};

#define CSA_REASON_MAX	160	/* a migration's reason, with the NUL */

/*
 * A migration under way (state MIGRATING): the volume is moving from its
 * layout to @to. @to has the volume's size and block size; its region
 * table says which regions are already there (migrated) and which are
 * still where the layout says (normal); "locked" is never written, a lock
 * lives only while the primary that took it does. Both layouts' extents
 * are in use until the migration ends; they may share extents (the
 * column copies that stay).
 */
struct csa_cat_migration {
	struct csa_layout *to;
	char reason[CSA_REASON_MAX];	/* "manual", "set", "monitor: ..." */
	uint64_t started;		/* seconds since 1970 UTC */
	uint64_t max_rate;		/* MB/s; 0: paced, no cap */
	bool paused;
};

struct csa_cat_volume {
	char name[CSA_VOLUME_NAME_MAX];
	enum csa_vol_state state;
	struct csa_cat_req req;
	struct csa_layout *layout;	/* NULL exactly when state is EMPTY */
	struct csa_cat_migration *mig;	/* set exactly when MIGRATING */
};

struct csa_cat_host {
	char name[CSA_HOST_NAME_MAX];	/* its certificate's common name */
	uint64_t registered;		/* seconds since 1970-01-01 UTC */
};

struct csa_catalog {
	struct csa_uuid cluster;
	uint64_t generation;
	unsigned nr_arrays;
	struct csa_cat_array *arrays;
	unsigned nr_hosts;
	struct csa_cat_host *hosts;
	unsigned nr_volumes;
	struct csa_cat_volume *volumes;
};

/* "best", "first" / "creating", "online", ...; NULL if out of range. */
const char *csa_fit_name(enum csa_fit f);
const char *csa_vol_state_name(enum csa_vol_state s);

/* ---- life ------------------------------------------------------------- */

/* An empty catalog of @cluster, generation 0; NULL on allocation failure. */
struct csa_catalog *csa_catalog_new(const struct csa_uuid *cluster);

/* A deep copy: 0 and *@out, or -ENOMEM. */
int csa_catalog_dup(const struct csa_catalog *c, struct csa_catalog **out);

/* Frees @c and all it owns; NULL is fine. */
void csa_catalog_free(struct csa_catalog *c);

/* All the rules above; 0, or -EINVAL with the first fault in @err. */
int csa_catalog_validate(const struct csa_catalog *c, char *err,
			 size_t errlen);

/*
 * 1 if @a and @b are the same catalog: same cluster, generation, and the
 * same arrays, hosts and volumes with the same fields in the same order.
 */
int csa_catalog_equal(const struct csa_catalog *a,
		      const struct csa_catalog *b);

/* ---- lookups: index, or -ENOENT ---------------------------------------- */

int csa_catalog_find_array(const struct csa_catalog *c, const char *name);
int csa_catalog_find_volume(const struct csa_catalog *c, const char *name);
int csa_catalog_find_host(const struct csa_catalog *c, const char *name);

/* ---- changes ----------------------------------------------------------- */

/*
 * Each copies what it is given, checks the catalog that results against
 * every rule, and on success bumps the generation. On failure the catalog
 * is as it was: -EINVAL (or -EEXIST for a name already there, -ENOENT for
 * a name not there, -EBUSY for something still in use) with a sentence,
 * or -ENOMEM. Cost: a full check, O(extents log extents).
 */
int csa_catalog_add_array(struct csa_catalog *c,
			  const struct csa_cat_array *a,
			  char *err, size_t errlen);
/* -EBUSY "array \"a2\" holds volumes v1, v3" while a layout names it. */
int csa_catalog_remove_array(struct csa_catalog *c, const char *name,
			     char *err, size_t errlen);

int csa_catalog_add_host(struct csa_catalog *c, const char *name,
			 uint64_t registered, char *err, size_t errlen);
/* -EBUSY while a volume's requirements name the host. */
int csa_catalog_remove_host(struct csa_catalog *c, const char *name,
			    char *err, size_t errlen);

/* @v->layout is copied too (the caller keeps and frees its own). */
int csa_catalog_add_volume(struct csa_catalog *c,
			   const struct csa_cat_volume *v,
			   char *err, size_t errlen);
int csa_catalog_remove_volume(struct csa_catalog *c, const char *name,
			      char *err, size_t errlen);

/* ---- free space -------------------------------------------------------- */

struct csa_free_extent {
	unsigned array;		/* index into c->arrays */
	unsigned lun;		/* index into that array's luns */
	uint64_t start_lba;
	uint64_t blocks;
};

/*
 * The free extents of every LUN: each LUN's blocks past its reserved area
 * that no extent of any volume's layout uses, as maximal runs, sorted by
 * array, LUN (catalog order) and start. *@out is malloc'd (caller frees;
 * may be NULL when *@n is 0). -EINVAL with a sentence if the layouts
 * overlap, reach into a reserved area, past a LUN's end, or name an array
 * or LUN the catalog does not have; -ENOMEM.
 */
int csa_catalog_free_extents(const struct csa_catalog *c,
			     struct csa_free_extent **out, size_t *n,
			     char *err, size_t errlen);

/* ---- JSON -------------------------------------------------------------- */

#define CSA_CATALOG_JSON_PRETTY	1u	/* indented, with a final newline */

/*
 * The JSON form, NUL-terminated, malloc'd (caller frees); compact unless
 * CSA_CATALOG_JSON_PRETTY. Layouts are embedded in the form
 * csa_layout_to_json prints. NULL on allocation failure.
 */
char *csa_catalog_to_json(const struct csa_catalog *c, unsigned flags);

/*
 * Parse @len bytes of JSON at @text (no NUL needed; a NUL inside is
 * refused). Strict: syntax, a field given twice, field names with
 * escapes, integers past 64 bits, unknown, missing and mistyped fields,
 * a "format" other than CSA_CATALOG_FORMAT, then every rule above.
 * Returns 0 and *@out (caller frees), or -EINVAL with the first fault in
 * @err, or -ENOMEM.
 */
int csa_catalog_from_json(const char *text, size_t len,
			  struct csa_catalog **out, char *err, size_t errlen);

#endif
