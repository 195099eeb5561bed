/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The data path of one volume: byte-range requests fanned out to LUNs.
 *
 * A request is split (map.h) into per-LUN I/Os that are all submitted
 * before any completes; the request completes once, when the last one has,
 * with the first error seen. Writes go to every copy and complete with 0
 * only when every copy acknowledged. A read goes to the least loaded copy
 * and, if it fails there, is sent to the other copies in turn: the caller
 * sees an error only when no copy could serve it.
 *
 * Byte ranges need not be block aligned: the partial blocks at either end
 * are read, merged and written back. Writes that overlap (in blocks) are
 * serialised, so concurrent writers of neighbouring bytes in one block both
 * land, and every copy applies overlapping writes in the same order.
 */
#ifndef CSA_VOLUME_H
#define CSA_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "striper/layout.h"
#include "striper/transport.h"

struct csa_volume;

enum csa_vreq_op {
	CSA_VREQ_READ = 0,
	CSA_VREQ_WRITE = 1,
	CSA_VREQ_FLUSH = 2,	/* SYNCHRONIZE CACHE on every LUN with a write
				   completed since the last flush (one whose
				   SYNC failed counts again); with none, on
				   the first open LUN, so that the flush still
				   completes through the transport. off, len,
				   buf unused */
};

struct csa_vreq;
typedef void (*csa_vreq_done_fn)(struct csa_vreq *r, int err);

/*
 * Owned by the volume from an accepted submit until @done, which runs
 * exactly once, on a transport thread (never inside csa_volume_submit), with
 * 0 or the first error a LUN returned (-EIO, -ETIMEDOUT, ...). @buf holds
 * @len bytes and must stay valid until @done.
 */
struct csa_vreq {
	uint8_t op;		/* enum csa_vreq_op */
	uint64_t off;
	uint64_t len;
	void *buf;
	csa_vreq_done_fn done;
	void *priv;		/* the submitter's */
};

struct csa_volume_opts {
	uint32_t max_io_bytes;	/* largest single LUN I/O; default 1 MiB */
};

/*
 * Open every LUN @l names through @tp and check that each has the layout's
 * block size and room for its extents. @l is copied. Returns 0 and *@out or
 * -errno with a sentence in @err. May block (logins).
 *
 * A LUN that cannot be reached does not stop a volume with copies while
 * every column keeps a copy whose LUNs all opened: the volume is then
 * degraded, reads are served by the copies that remain and writes are
 * refused (-ENOTCONN), since they could not reach every copy; @err then
 * says which LUN is missing.
 */
int csa_volume_open(const struct csa_layout *l, const struct csa_transport *tp,
		    const struct csa_volume_opts *o, struct csa_volume **out,
		    char *err, size_t errlen);

/* Close the LUNs and free. No request may be in flight. */
void csa_volume_close(struct csa_volume *v);

/*
 * Start @r. Returns 0, and @done will run; or, with @done never called,
 * -EINVAL (len 0, a range past the end of the volume, an unknown op),
 * -ENOTCONN (a write to a degraded volume, see csa_volume_open) or -ENOMEM.
 */
int csa_volume_submit(struct csa_volume *v, struct csa_vreq *r);

const struct csa_layout *csa_volume_layout(const struct csa_volume *v);

/* True if the volume was opened with a copy missing (see csa_volume_open). */
bool csa_volume_degraded(const struct csa_volume *v);

/* ---- a volume being migrated ---------------------------------------- */

/*
 * Open a volume that is being migrated from @from to @to (same size and
 * block size; csa_layout_validate on each). Regions are @to's
 * (csa_layout_region_bytes(@to)); their states come from to->region_state:
 * a CSA_REGION_NORMAL region is served by @from, a CSA_REGION_MIGRATED one
 * by @to, and requests to a CSA_REGION_LOCKED one are held until it is
 * unlocked, then sent where its new state says (the caller never sees the
 * hold). Each side is an ordinary volume opened with csa_volume_open on the
 * same @tp and @o, so a LUN that both name is opened twice. Returns as
 * csa_volume_open; @err names the side ("from: ...", "to: ...").
 *
 * csa_volume_submit, csa_volume_rw and csa_volume_close work on it as on
 * any volume. csa_volume_layout() of it returns its copy of @to with the
 * region states as they were at open (csa_volume_region_state says what
 * they are now); csa_volume_degraded is true if either side is.
 *
 * A request is cut at region boundaries into pieces, each sent to one
 * side. A piece that its side refuses at once (a write to a degraded side:
 * -ENOTCONN; -ENOMEM) fails the request: csa_volume_submit returns that
 * error (done never called) when no other piece of the request is still
 * pending by then, which is always the case for a request wholly on that
 * side; otherwise done runs with it. Either way the request's other pieces
 * may have been carried out, as when one LUN of a plain write fails.
 *
 * csa_volume_close fails the requests still held with -ESHUTDOWN (their
 * done runs inside csa_volume_close) and drops a pending drained callback;
 * nothing may be in flight on the LUNs, as for any volume.
 */
int csa_volume_open_migrating(const struct csa_layout *from,
			      const struct csa_layout *to,
			      const struct csa_transport *tp,
			      const struct csa_volume_opts *o,
			      struct csa_volume **out, char *err, size_t errlen);

/* NULL for an ordinary volume; the `from` layout of a migrating one. */
const struct csa_layout *csa_volume_from_layout(const struct csa_volume *v);

typedef void (*csa_drained_fn)(void *arg, uint64_t region);

/*
 * Lock region @region: from now on new requests touching it are held.
 * Returns 1 if nothing was in flight on it (it is drained now and @fn is
 * not called), 0 if @fn will run once, when the last request in flight on
 * it has completed: on the thread that completed it (a transport thread;
 * or the caller of csa_volume_submit or csa_volume_unlock_region when the
 * last piece failed there synchronously); -EINVAL for an ordinary volume
 * or a region out of range, -EALREADY if it is locked already, -ENOMEM.
 * @fn may be NULL. Unlocking the region before @fn has run cancels it.
 * Any thread; @fn must not close the volume.
 */
int csa_volume_lock_region(struct csa_volume *v, uint64_t region,
			   csa_drained_fn fn, void *arg);

/*
 * Set region @region to @state (CSA_REGION_NORMAL or CSA_REGION_MIGRATED)
 * and resubmit the requests held on it, in arrival order, to that side.
 * Works on a locked or unlocked region (an unlocked one is not drained
 * first: what is in flight on its old side stays there). Returns 0, or
 * -EINVAL for an ordinary volume, a region out of range or another state.
 * A resubmitted piece that its side refuses at once (-ENOTCONN, -ENOMEM)
 * fails its request, whose done may then run inside this call. Any
 * thread.
 */
int csa_volume_unlock_region(struct csa_volume *v, uint64_t region,
			     unsigned state);

/*
 * Watch region @region for writes, as watch @id (a watch before it ends):
 * a region copied while it is not locked is what the volume holds if no
 * write touched it from before the copy began until it was locked. Any
 * write to the region counted from now on makes the watch dirty; so does
 * one in flight now (it may land after the copy read the region).
 * Returns 1 when the watch starts clean, 0 when a write is in flight,
 * -EINVAL for an ordinary volume or a region out of range. Any thread.
 */
int csa_volume_watch_region(struct csa_volume *v, uint64_t region,
			    uint64_t id);

/* True when @id is the volume's watch and no write touched its region
 * since it began. False for an ordinary volume. Any thread. */
bool csa_volume_watch_clean(const struct csa_volume *v, uint64_t id);

/* The region's state now (enum csa_region_state), or -EINVAL (an ordinary
 * volume, a region out of range). Any thread. */
int csa_volume_region_state(const struct csa_volume *v, uint64_t region);

/*
 * Requests held by locks right now, and the longest hold so far in ns
 * (those still held count with their age). Zeros for an ordinary volume.
 */
void csa_volume_hold_stats(const struct csa_volume *v, unsigned *held,
			   uint64_t *max_hold_ns);

/* Blocking helper: submit and wait (bounded by the transport's own I/O
 * timeout). Returns the request's status. Not to be called from a
 * transport thread. */
int csa_volume_rw(struct csa_volume *v, int op, uint64_t off, uint64_t len,
		  void *buf);

#endif
