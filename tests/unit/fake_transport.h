/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake struct csa_transport for the unit tests: LUNs kept in memory,
 * every I/O completed asynchronously on the fake's own completion threads,
 * in an order its random delays decide, and recorded in a log the test can
 * read. It fails the I/O it is told to, and it checks the csa_io contract
 * (iov length, range inside the LUN, handle open, I/O not submitted twice)
 * and counts what breaks it.
 *
 * Every function may be called from any thread, including from inside a
 * done callback the fake runs (submit, load, the log and the counters);
 * fake_free and fake_wait_idle must not be.
 */
#ifndef CSA_FAKE_TRANSPORT_H
#define CSA_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iscsi/io.h"
#include "striper/layout.h"
#include "striper/transport.h"

struct fake;

/* Bits of an op mask: 1u << CSA_IO_READ, ... */
#define FAKE_READ	(1u << CSA_IO_READ)
#define FAKE_WRITE	(1u << CSA_IO_WRITE)
#define FAKE_SYNC	(1u << CSA_IO_SYNC)
#define FAKE_ALL	(FAKE_READ | FAKE_WRITE | FAKE_SYNC)

/*
 * A fake with @nr_threads completion threads (>= 1) and its random
 * generator seeded with @seed. NULL on allocation failure.
 */
struct fake *fake_new(unsigned nr_threads, uint64_t seed);

/* Stop the threads (completing what is still queued) and free the LUNs. */
void fake_free(struct fake *f);

/* The transport to hand to csa_volume_open; valid until fake_free. */
struct csa_transport fake_transport(struct fake *f);

/*
 * Add LUN @lun of array @array: @blocks blocks of @block_size bytes (512
 * when 0), zero-filled. -EEXIST, -ENOMEM.
 */
int fake_add_lun(struct fake *f, const char *array, uint32_t lun,
		 uint32_t block_size, uint64_t blocks);

/*
 * The memory of a LUN (blocks * block_size bytes, *@bytes if not NULL),
 * NULL if there is none. The test may read and write it while no I/O to
 * the LUN is in flight.
 */
uint8_t *fake_lun_data(struct fake *f, const char *array, uint32_t lun,
		       uint64_t *bytes);

/* Calls to open() of this LUN so far, and handles still open (all LUNs
 * when @array is NULL). */
unsigned long fake_open_calls(struct fake *f, const char *array, uint32_t lun);
long fake_open_handles(struct fake *f, const char *array, uint32_t lun);

/* ---- timing ---- */

/*
 * Each I/O completes a random 0 .. @max_us microseconds after it was
 * submitted, plus the LUN's own delay; with several I/Os due at once, one
 * is taken at random. So completions arrive out of order.
 */
void fake_set_delay(struct fake *f, unsigned max_us);
/* A fixed extra delay for every I/O to one LUN. */
void fake_set_lun_delay(struct fake *f, const char *array, uint32_t lun,
			unsigned us);
/* While held, nothing completes (I/O is still accepted and queued). */
void fake_hold(struct fake *f, bool hold);

/* ---- faults ---- */

/*
 * Fail every I/O whose op is in @ops to this LUN (or every LUN of @array
 * when @lun is UINT32_MAX) with @err; 0 stops failing. -EIO comes with sense
 * key 3 (MEDIUM ERROR).
 */
void fake_fail_lun(struct fake *f, const char *array, uint32_t lun,
		   unsigned ops, int err);
/* Fail the @n-th I/O (n >= 1) with an op in @ops submitted from now on,
 * once. */
void fake_fail_nth(struct fake *f, unsigned long n, unsigned ops, int err);
/* open() of any LUN of @array fails with @err (0: stops failing). */
void fake_fail_open(struct fake *f, const char *array, int err);
/* Forget every fault set above. */
void fake_clear_faults(struct fake *f);

/* ---- the log ---- */

struct fake_rec {
	unsigned long seq;		/* submission order, from 1 */
	char array[CSA_NAME_MAX];
	uint32_t lun;
	uint8_t op;
	uint64_t lba;
	uint32_t nblocks;
	int iovcnt;
	bool completed;
	int err;			/* once completed */
};

/* A malloc'd copy of the log in submission order (caller frees), its length
 * in *@n. NULL with *@n = 0 when empty. */
struct fake_rec *fake_log(struct fake *f, size_t *n);
void fake_log_clear(struct fake *f);

/* ---- counters ---- */

/* I/Os submitted and not yet taken by a completion thread. */
unsigned fake_queued(struct fake *f);
/* I/Os submitted whose done callback has not yet returned. */
unsigned fake_active(struct fake *f);
/* Wait until fake_active is 0; false after @timeout_ms. */
bool fake_wait_idle(struct fake *f, unsigned timeout_ms);

/*
 * Contract violations seen (bad iov length, range outside the LUN, unknown
 * op, NULL done, an unknown or closed handle, an I/O submitted again while
 * queued, close with I/O queued, close of a handle not open); the first
 * one's description in @msg. A violating I/O is completed with -EINVAL
 * (-ESHUTDOWN on a closed handle, -EBADF on an unknown one) without
 * touching the LUN.
 */
unsigned long fake_violations(struct fake *f, char *msg, size_t msglen);

#endif
