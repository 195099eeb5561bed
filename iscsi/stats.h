/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-LUN counters and a log-scale latency histogram.
 *
 * Written by the one thread that completes a LUN's I/O, read at any time by
 * any thread: every field is a relaxed atomic, so a reader sees each counter
 * whole but a snapshot is not one instant (good enough for monitoring).
 */
#ifndef CSA_STATS_H
#define CSA_STATS_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Buckets of latency in microseconds: 4 per power of two (so a bucket is at
 * most 25 % wide) up to 2^32 us, one per microsecond below 4 us.
 */
#define CSA_HISTO_SUB		4
#define CSA_HISTO_POW		32
#define CSA_HISTO_BUCKETS	(CSA_HISTO_POW * CSA_HISTO_SUB)

struct csa_histo {
	_Atomic uint64_t bucket[CSA_HISTO_BUCKETS];
};

struct csa_lun_stats {
	_Atomic uint64_t reads;
	_Atomic uint64_t writes;
	_Atomic uint64_t syncs;
	_Atomic uint64_t read_bytes;
	_Atomic uint64_t write_bytes;
	_Atomic uint64_t errors;	/* I/O completed with an error */
	_Atomic uint64_t retries;	/* re-sent after a reconnect, UA, BUSY */
	_Atomic uint64_t reconnects;
	_Atomic uint32_t in_flight;	/* accepted and not yet completed */
	struct csa_histo latency;
};

/* A plain copy of struct csa_lun_stats, for printing and arithmetic. */
struct csa_lun_counters {
	uint64_t reads, writes, syncs, read_bytes, write_bytes;
	uint64_t errors, retries, reconnects;
	uint32_t in_flight;
	uint64_t bucket[CSA_HISTO_BUCKETS];
};

/* Bucket index of a latency of @us microseconds. */
unsigned csa_histo_bucket(uint64_t us);

/* Lower bound, in microseconds, of bucket @b. */
uint64_t csa_histo_bucket_floor(unsigned b);

void csa_histo_add(struct csa_histo *h, uint64_t us);

/*
 * The latency under which @pct percent (0 < pct <= 100) of the samples fall,
 * as the upper bound of its bucket, in microseconds; 0 with no samples.
 */
uint64_t csa_histo_percentile(const uint64_t bucket[CSA_HISTO_BUCKETS],
			      double pct);

/* Record one completion on @s: op is enum csa_io_op. */
void csa_stats_complete(struct csa_lun_stats *s, int op, uint64_t bytes,
			uint64_t us, int err);

void csa_stats_snapshot(const struct csa_lun_stats *s,
			struct csa_lun_counters *out);

/* @a -= @b, counter by counter (an interval from two snapshots). */
void csa_counters_sub(struct csa_lun_counters *a,
		      const struct csa_lun_counters *b);

#endif
