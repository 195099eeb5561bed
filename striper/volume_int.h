/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Striper internals shared by volume.c (requests, open/close), fanout.c
 * (one aligned read or write fanned out to LUN I/Os), volume_rmw.c
 * (unaligned requests) and volume_mig.c (a volume being migrated).
 */
#ifndef CSA_VOLUME_INT_H
#define CSA_VOLUME_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "striper/rangelock.h"
#include "striper/volume.h"

/* One (array, LUN) that the layout uses. */
struct vlun {
	unsigned array;
	uint32_t lun;
	void *handle;
	atomic_bool dirty;	/* written since the last flush */
};

struct csa_volume {
	struct csa_layout *l;
	struct csa_transport tp;
	uint32_t max_io;	/* bytes, a multiple of the block size */
	unsigned bs_shift;
	struct rangelock rl;
	unsigned nr_luns;
	struct vlun *luns;
	unsigned **ext_lun;	/* [column * copies + copy][extent] -> luns[] */
	bool degraded;		/* some copy could not be opened */
	uint8_t copy_down[CSA_MAX_COLUMNS];	/* bit per copy not opened */
	struct vmig *mig;	/* set: a migrating volume (volume_mig.c), whose
				   other fields are unused */
};

struct fanout;

struct child {
	struct csa_io io;	/* first: the transport hands back &io */
	struct fanout *f;
	unsigned column;
	unsigned copy;
	unsigned tried;		/* bit per copy already asked */
	unsigned vlun;
	uint64_t col_off;
};

/* Children added to re-read on another copy, freed with their fan-out. */
struct retry {
	struct retry *next;
	struct child ch[];
};

typedef void (*fanout_done_fn)(struct fanout *f, int err);

struct fanout {
	struct csa_volume *v;
	uint8_t op;
	atomic_uint remaining;
	atomic_int err;
	fanout_done_fn done;
	void *ctx;
	struct rl_entry lock;	/* aligned writes */
	_Atomic(struct retry *) retries;
	unsigned nr_children;
	struct child ch[];	/* then the iovecs */
};

/* What the cut functions fill, or only count when ch is NULL. */
struct cut {
	struct child *ch;
	struct iovec *iov;
	unsigned nch;
	unsigned niov;
};

struct iov_cursor {
	const struct iovec *iov;
	unsigned i;
	size_t in;
};

/*
 * Build (not submit) the fan-out of an aligned read or write (CSA_IO_READ
 * or CSA_IO_WRITE) of @len bytes at @off from/to @buf; NULL when memory is
 * short. The caller sets done and ctx, then calls fanout_submit.
 */
struct fanout *fanout_build(struct csa_volume *v, uint8_t op, uint64_t off,
			    uint64_t len, uint8_t *buf);

/* The same, from/to a buffer made of the @nsrc iovecs of @src end to end
 * (@len bytes in all); @src need not outlive the call. */
struct fanout *fanout_build_iov(struct csa_volume *v, uint8_t op,
				uint64_t off, uint64_t len,
				const struct iovec *src, unsigned nsrc);

/*
 * Send every child. @f->done runs once, when the last has completed, and
 * @f is freed after it returns.
 */
void fanout_submit(struct fanout *f);

/* volume_rmw.c: a read or write that is not block aligned. */
int submit_unaligned(struct csa_volume *v, struct csa_vreq *r);

/* volume_mig.c: what csa_volume_submit, _close, _layout and _degraded do
 * for a migrating volume (v->mig set). */
int mig_submit(struct csa_volume *v, struct csa_vreq *r);
void mig_close(struct csa_volume *v);
const struct csa_layout *mig_layout(const struct csa_volume *v);
bool mig_degraded(const struct csa_volume *v);

#endif
