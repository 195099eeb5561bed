/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The insides of struct csa_store, shared by catalog_store.c (labelling,
 * opening, loading) and catalog_store_write.c; not part of the interface.
 */
#ifndef CSA_CATALOG_STORE_INT_H
#define CSA_CATALOG_STORE_INT_H

#include <stdbool.h>

#include "primary/catalog_store.h"

/* One LUN as the store sees it. */
struct sdev {
	const struct csa_dev_ops *ops;
	void *dev;
	char *name;			/* owned */
	bool labelled;			/* label read and decoded */
	bool usable;			/* of this cluster, both slots read */
	struct csa_label label;
	struct csa_slot_info slot[2];
	bool has_valid;			/* slot[newest] is valid */
	unsigned newest;
	unsigned next;			/* the slot the next write goes to */
	/* The last write: 0, or the errno and the step that failed. */
	int werr;
	const char *wstep;		/* "write", "flush" */
};

struct csa_store {
	struct csa_uuid cluster;
	unsigned nr_devs;
	struct sdev *devs;
	csa_store_log_fn log;
	void *log_arg;
	uint64_t next_seq;		/* above every sequence seen or used */

	/* The newest valid catalog seen (or written). */
	char *best;			/* NULL if none */
	size_t best_len;
	uint64_t best_seq;
	uint8_t best_sha[32];
	unsigned best_dev, best_slot;

	/* Another catalog with best_seq and other bytes, if one was seen. */
	bool conflict;
	unsigned conflict_dev, conflict_slot;
};

/* Log one sentence through the store's callback, if it has one. */
__attribute__((format(printf, 3, 4)))
void csa_store_logf(const struct csa_store *s, enum csa_log_level level,
		    const char *fmt, ...);

/* A sentence under construction, in a fixed buffer that truncates. */
struct csa_msg {
	char buf[2048];
	size_t at;
};

__attribute__((format(printf, 2, 3)))
void csa_msg_add(struct csa_msg *m, const char *fmt, ...);

/* Make @json (@len bytes, sequence @seq, from @dev's slot @k) the best. */
int csa_store_take_best(struct csa_store *s, const char *json, size_t len,
			uint64_t seq, const uint8_t sha[32], unsigned dev,
			unsigned k);

#endif
