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
	/* Persistent reservations (iscsi/pr.h): no blocks, lba 0. */
	CSA_IO_PR_REGISTER = 3,	/* register @pr_key, whatever was before */
	CSA_IO_PR_RESERVE = 4,	/* as @pr_key: Write Exclusive, All Registrants */
	CSA_IO_PR_PREEMPT = 5,	/* as @pr_key: remove @pr_other's registrations */
	CSA_IO_PR_READ_KEYS = 6,/* the keys registered, into iov[0] as host
				 * order uint64_t; how many in @pr_other */
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
 * submit call), with 0 or one of these negative errnos (iscsi/session.c
 * makes them all):
 *   -EIO        the target answered with an error status: CHECK CONDITION
 *               (@sense says which; a UNIT ATTENTION is first re-sent up
 *               to 8 times), BUSY or TASK SET FULL still after 32 re-sends,
 *               or a status the engine does not know (@sense all zero)
 *   -EACCES     RESERVATION CONFLICT: this host is not registered in the
 *               LUN's persistent reservation (it has been fenced); never
 *               re-sent
 *   -ETIMEDOUT  no answer within the I/O timeout, counted from the submit
 *               call, re-sends after a reconnect included
 *   -ESHUTDOWN  the LUN was closed with the I/O still queued, or the
 *               session dropped during the close with the I/O on the wire
 *   -EINVAL     the I/O breaks the rules above: unknown op, a range past
 *               the end of the LUN, no blocks or no iovec, an iov that does
 *               not add up to nblocks blocks, 4 GiB or more in one I/O; a
 *               PR op with blocks, key 0, or (READ_KEYS) no room for a key
 *   -ENOMEM     libiscsi could not build the command
 * A dropped connection is not an error of the I/O: the engine logs in
 * again and re-sends it, and it ends as above, at the latest with
 * -ETIMEDOUT. So no completion carries -ECONNRESET (only csa_lun_open
 * returns it, for a session that dropped while the LUN was being opened).
 * A submitter treats any other value (a test's fake transport may pass
 * anything) as a failure of that I/O.
 *
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
	uint64_t pr_key;		/* CSA_IO_PR_*: ours */
	uint64_t pr_other;		/* PREEMPT: theirs; READ_KEYS: count */

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
