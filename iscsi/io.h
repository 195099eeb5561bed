/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One I/O to one LUN: the unit of work every transport takes.
 *
 * This header has no dependency on libiscsi so that the striper, and its
 * tests with a fake transport, can use it alone.
 */
#ifndef CSA_IO_H
#define CSA_IO_H

#include <stdint.h>
#include <sys/uio.h>

enum csa_io_op {
	CSA_IO_READ = 0,
	CSA_IO_WRITE = 1,
	CSA_IO_SYNC = 2,	/* SYNCHRONIZE CACHE over [lba, lba + nblocks) */
};

/* SCSI sense of a failed command; all zero when there was none. */
struct csa_sense {
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
};

struct csa_io;
typedef void (*csa_io_done_fn)(struct csa_io *io, int err);

/*
 * Filled in by the submitter, then owned by the transport until @done runs.
 * @iov must describe exactly nblocks * block_size bytes (none for SYNC) and,
 * like the memory it points to, stay valid until @done: it is the wire
 * buffer, the transport does not copy it.
 *
 * @done runs exactly once, on a thread of the transport (never inside the
 * submit call), with 0 or a negative errno:
 *   -EIO        the target answered with an error; @sense says which
 *   -ETIMEDOUT  no answer within the transport's I/O timeout
 *   -ESHUTDOWN  the LUN was closed with the I/O still queued
 * A write is completed with 0 only once the target has acknowledged it.
 */
struct csa_io {
	uint8_t op;			/* enum csa_io_op */
	uint64_t lba;
	uint32_t nblocks;
	const struct iovec *iov;
	int iovcnt;
	csa_io_done_fn done;
	void *priv;			/* the submitter's */

	struct csa_sense sense;		/* set before @done on -EIO */

	/* Transport private: not to be touched by the submitter. */
	void *t_owner;
	struct csa_io *t_next;
	struct csa_io *t_prev;
	uint64_t t_start_ns;
	uint64_t t_deadline_ns;
	void *t_task;
	uint8_t t_retries;
	uint8_t t_flags;
};

#endif
