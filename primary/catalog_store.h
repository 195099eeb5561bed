/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalog on the LUNs: labelling a LUN for the cluster, reading the
 * newest catalog back from a set of LUNs, and writing a new one so that it
 * survives the loss of any minority of the arrays.
 *
 * The store reaches each LUN through a tiny synchronous ops table, so the
 * same code runs over the iSCSI engine, a file, or the in-memory device
 * of the unit tests. Every offset and length it passes is a multiple of
 * CSA_IO_ALIGN (4096), so a block-device implementation needs no
 * read-modify-write.
 *
 * Durability rule (csa_store_write). The catalog is written to the next
 * slot (label.h: never the one holding that LUN's newest valid catalog) of
 * every open LUN whose array the catalog lists, then that LUN is flushed.
 * An ARRAY counts as holding the catalog when at least one of its LUNs has
 * completed both the write and the flush. The write succeeds when more
 * than half of the arrays the catalog lists hold it; otherwise it fails
 * with -EIO and a sentence naming every array that does not, and why.
 * One LUN per array is enough because every reader reads every LUN of an
 * array and takes the highest valid sequence: an array's vote needs one
 * good copy, and a failed LUN must not hold the whole array's vote back.
 * A LUN whose write failed keeps its next slot, so its older valid
 * catalog stays intact; it catches up on the next write. Every write uses
 * a new sequence number, higher than any seen on the LUNs (even in torn
 * slots), so two different catalogs never share one.
 *
 * Reading (csa_store_open, csa_store_load). Every LUN's label is read;
 * LUNs without a csafs label, with a damaged one, or belonging to another
 * cluster are refused and logged. Both slots of each remaining LUN are
 * decoded; every slot skipped is logged with why (older, empty, torn,
 * corrupt). The valid slot with the highest sequence across all LUNs is
 * the catalog. Two different catalogs with the same sequence, or none
 * valid at all, is an error, never a guess. Unless the caller says
 * otherwise, the LUNs read must cover a majority of the catalog's arrays:
 * a write acknowledged by a majority then always has a copy among them.
 *
 * Logging goes to the caller's callback, one sentence per call; never to
 * stderr.
 *
 * Thread-safety: a struct csa_store is used by one thread at a time; the
 * ops and the log callback are called from that thread, inside the call.
 * Nothing here guards against two writers on the same LUNs (two primaries):
 * that is the fencing's job.
 */
#ifndef CSA_CATALOG_STORE_H
#define CSA_CATALOG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "primary/catalog.h"
#include "primary/label.h"

struct csa_dev_ops {
	/* Read @len bytes at byte @off into @buf: 0 or -errno. May block. */
	int (*read)(void *dev, uint64_t off, size_t len, void *buf);
	/* Write @len bytes at @off: 0 once the device has taken them (not
	 * necessarily durable), or -errno. A failed write may have written
	 * any part of the range. */
	int (*write)(void *dev, uint64_t off, size_t len, const void *buf);
	/* Make every completed write durable (SYNCHRONIZE CACHE): 0/-errno. */
	int (*flush)(void *dev);
};

struct csa_store_dev {
	const struct csa_dev_ops *ops;
	void *dev;		/* passed to the ops */
	const char *name;	/* for messages ("a1 LUN 1"); copied; may be NULL */
	uint64_t size;		/* bytes; 0 if unknown (label_lun checks it) */
};

enum csa_log_level {
	CSA_LOG_INFO = 0,	/* what was read, older or empty slots */
	CSA_LOG_WARN = 1,	/* refused LUNs, torn or corrupt slots, failures */
};

/* One sentence, without a newline; @msg is valid during the call only. */
typedef void (*csa_store_log_fn)(void *arg, enum csa_log_level level,
				 const char *msg);

/*
 * Label a new LUN for array @array of @cluster: a new random LUN UUID, the
 * default geometry (label.h), both slots emptied. Written in the order
 * slots, flush, label, flush, so a LUN is never labelled over stale slots.
 * Returns 0 and the label written into *@out (if not NULL), or:
 *   -EEXIST   the LUN already carries a label of this cluster (which array);
 *             that label is in *@out (if not NULL), so a caller can take
 *             back a LUN it labelled before it was interrupted
 *   -EBUSY    it carries another cluster's label (whose: UUID and array)
 *   -ENOTSUP, -EBADMSG  it carries a csafs label that cannot be read: it
 *             is left alone (wipe it by hand if it is really unused)
 *   -ENOSPC   @d->size is known and no larger than the reserved area
 *   -EINVAL   a bad array name; -errno of a failed read, write or flush
 * with a sentence naming the LUN in @err.
 */
int csa_store_label_lun(const struct csa_store_dev *d,
			const struct csa_uuid *cluster, const char *array,
			struct csa_label *out, char *err, size_t errlen);

struct csa_store;

/*
 * Read the labels and slots of the @n LUNs at @devs (the array is copied;
 * the devices must stay usable until csa_store_close). With @cluster NULL
 * the cluster is the one the labels name, and LUNs naming two clusters
 * are -ENOTUNIQ (both named, nothing guessed). @log may be NULL.
 * Returns 0 and *@out, or -ENODEV when no LUN carries a usable label of
 * the cluster, -ENOMEM; with a sentence in @err.
 */
int csa_store_open(const struct csa_store_dev *devs, unsigned n,
		   const struct csa_uuid *cluster, csa_store_log_fn log,
		   void *arg, struct csa_store **out, char *err, size_t errlen);

/* The cluster the store serves. */
const struct csa_uuid *csa_store_cluster(const struct csa_store *s);

/* Take the catalog even when the LUNs read cover no majority of its arrays. */
#define CSA_STORE_NO_QUORUM	1u

/*
 * The newest catalog: the one open found, or the last one written with
 * success since. Returns 0, *@out (caller frees) and its sequence number
 * in *@seq (if not NULL), or with a sentence in @err:
 *   -ENOENT   every slot of every LUN is empty: a new cluster
 *   -EIO      no valid slot on any LUN ("X: no valid catalog slot: slot
 *             0 torn: ..., slot 1 corrupt: ..."), or two different
 *             catalogs with the same sequence
 *   -EBADMSG  the newest valid slot holds JSON that is not a catalog of
 *             this cluster (the older ones are not used instead)
 *   -ENOLINK  the LUNs read cover no majority of the catalog's arrays
 *             (unless CSA_STORE_NO_QUORUM): which arrays are missing
 *   -ENOMEM
 */
int csa_store_load(struct csa_store *s, unsigned flags,
		   struct csa_catalog **out, uint64_t *seq,
		   char *err, size_t errlen);

/*
 * Write @c (its cluster must be the store's) under a new sequence number
 * to every open LUN of every array it lists, by the durability rule above.
 * Returns 0 and the sequence in *@seq (if not NULL) when a majority of the
 * arrays hold it (failures of the others are logged), or:
 *   -EIO     no majority: "the catalog (sequence 7) is durable on 1 of 3
 *            arrays (a1); a majority is 2: a2: ...; a3: ..."
 *   -EFBIG   the JSON does not fit a slot (nothing was written)
 *   -EINVAL  another cluster's catalog, or one listing no arrays
 *   -ENOMEM
 */
int csa_store_write(struct csa_store *s, const struct csa_catalog *c,
		    uint64_t *seq, char *err, size_t errlen);

/*
 * The sequence the next write will use, and a floor for it: a store opened
 * again over fewer LUNs must not go back below what was already used (a
 * write that reached only the LUNs missing now would outrank later ones).
 */
uint64_t csa_store_next_seq(const struct csa_store *s);
void csa_store_raise_seq(struct csa_store *s, uint64_t next);

/* How many of the devices are usable: labelled for the cluster and read. */
unsigned csa_store_usable(const struct csa_store *s);

/* Frees the store (not the devices); NULL is fine. */
void csa_store_close(struct csa_store *s);

#endif
