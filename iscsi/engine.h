/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iSCSI engine: libiscsi sessions driven by io_uring reactor threads.
 *
 * Threads: a reactor thread owns its libiscsi contexts; no other thread ever
 * touches them. Every function here may be called from any thread, including
 * from a completion callback (which runs on a reactor thread), except where
 * a function says otherwise. Reactor threads block SIGPIPE (a write to a
 * target that has gone fails with EPIPE there instead); the caller's
 * threads and signal handlers are left alone.
 *
 * Sessions: one iSCSI session per (portal, target) and reactor; every LUN
 * opened on that target shares it. When a session drops, the engine logs in
 * again with backoff and re-sends the commands that had no answer, writes
 * included (the target never acknowledged them, so sending them again is the
 * only way to complete them; csa_io completion rules in io.h hold). Commands
 * that get no answer within the I/O timeout fail with -ETIMEDOUT.
 */
#ifndef CSA_ENGINE_H
#define CSA_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "iscsi/io.h"
#include "iscsi/stats.h"

struct csa_engine;
struct csa_lun;

struct csa_engine_opts {
	const char *initiator;		/* our IQN; copied */
	unsigned queue_depth;		/* per LUN, commands on the wire */
	unsigned io_timeout_ms;		/* answer or -ETIMEDOUT after this */
	unsigned login_timeout_ms;	/* csa_lun_open gives up after this */
	unsigned nr_reactors;		/* threads; sessions are spread */
};

#define CSA_DEFAULT_QUEUE_DEPTH		32
#define CSA_DEFAULT_IO_TIMEOUT_MS	30000
#define CSA_DEFAULT_LOGIN_TIMEOUT_MS	10000

/* Fill @o with the defaults above, one reactor and a generic initiator. */
void csa_engine_opts_default(struct csa_engine_opts *o);

/*
 * Start the reactor threads. Returns 0 and *@out, or -errno (-EINVAL for a
 * zero queue depth or reactor count).
 */
int csa_engine_start(const struct csa_engine_opts *o, struct csa_engine **out);

/*
 * Stop the reactors and free the engine. Every LUN must be closed first.
 * Not to be called from a completion callback.
 */
void csa_engine_stop(struct csa_engine *e);

struct csa_lun_info {
	uint64_t blocks;		/* READ CAPACITY(16): last LBA + 1 */
	uint32_t block_size;
	char vendor[9];			/* INQUIRY, spaces trimmed */
	char product[17];
	char revision[5];
	char serial[65];		/* unit serial number VPD, may be "" */
};

/*
 * Log in to @target at @portal ("host:port"; a session already open there
 * is shared), then READ CAPACITY(16) and INQUIRY LUN @lun. Blocks the
 * caller, so not to be called from a completion callback.
 * Returns 0 and *@out, or -errno with a sentence in @err:
 *   -ECONNREFUSED / -EHOSTUNREACH / -ETIMEDOUT  portal not reachable
 *   -EACCES   login refused      -ENODEV   no such LUN
 *   -ECONNRESET  the session dropped while the LUN was being probed
 *   -EIO      the LUN answered a probe with an error
 *   -ENOMEM
 */
int csa_lun_open(struct csa_engine *e, const char *portal, const char *target,
		 unsigned lun, struct csa_lun **out, char *err, size_t errlen);

/*
 * Close a LUN: I/O still queued completes with -ESHUTDOWN, I/O on the wire
 * is waited for. The session is logged out with its last LUN. Not to be
 * called from a completion callback.
 */
void csa_lun_close(struct csa_lun *l);

/* Capacity and identity read at open; valid until close. */
const struct csa_lun_info *csa_lun_info(const struct csa_lun *l);

/*
 * Queue @io (see io.h). Never blocks and never completes @io before
 * returning; -EINVAL-type faults (a range past the end, a length that is
 * not nblocks blocks, 4 GiB or more in one I/O) complete @io with that
 * error on the reactor.
 */
void csa_lun_submit(struct csa_lun *l, struct csa_io *io);

/*
 * Submit @io and wait for its completion: its status (io.h). The engine
 * bounds the wait by its I/O timeout. Sets @io->done and ->priv. Not to
 * be called from a completion callback.
 */
int csa_lun_run(struct csa_lun *l, struct csa_io *io);

/* Commands accepted and not completed: the load measure for copy choice. */
unsigned csa_lun_load(const struct csa_lun *l);

/* The LUN's live counters (see stats.h for the rules of reading them). */
const struct csa_lun_stats *csa_lun_stats(const struct csa_lun *l);

/* "portal target lun", for messages. */
const char *csa_lun_name(const struct csa_lun *l);

#endif
