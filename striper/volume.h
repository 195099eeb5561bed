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

/* Blocking helper: submit and wait (bounded by the transport's own I/O
 * timeout). Returns the request's status. Not to be called from a
 * transport thread. */
int csa_volume_rw(struct csa_volume *v, int op, uint64_t off, uint64_t len,
		  void *buf);

#endif
