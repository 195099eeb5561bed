// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-LUN counters and the log-scale latency histogram. */
#include <string.h>

#include "iscsi/io.h"
#include "iscsi/stats.h"

#define RELAXED memory_order_relaxed

/*
 * Below 4 us a bucket per microsecond (buckets 0-3); from 4 us on, four
 * buckets per power of two, picked by the two bits under the leading one
 * (buckets 8 and up; 4-7 stay empty).
 */
unsigned csa_histo_bucket(uint64_t us)
{
	unsigned pow;

	if (us < 4)
		return (unsigned)us;
	pow = 63 - (unsigned)__builtin_clzll(us);
	if (pow >= CSA_HISTO_POW)
		return CSA_HISTO_BUCKETS - 1;
	return pow * CSA_HISTO_SUB + (unsigned)((us >> (pow - 2)) & 3);
}

uint64_t csa_histo_bucket_floor(unsigned b)
{
	unsigned pow = b / CSA_HISTO_SUB, sub = b % CSA_HISTO_SUB;

	if (b < 8)
		return b < 4 ? b : 4;
	return (1ULL << pow) + ((1ULL << pow) * sub) / CSA_HISTO_SUB;
}

void csa_histo_add(struct csa_histo *h, uint64_t us)
{
	atomic_fetch_add_explicit(&h->bucket[csa_histo_bucket(us)], 1, RELAXED);
}

uint64_t csa_histo_percentile(const uint64_t bucket[CSA_HISTO_BUCKETS],
			      double pct)
{
	uint64_t total = 0, want, seen = 0;
	unsigned b;

	for (b = 0; b < CSA_HISTO_BUCKETS; b++)
		total += bucket[b];
	if (total == 0)
		return 0;
	want = (uint64_t)((double)total * pct / 100.0 + 0.5);
	if (want == 0)
		want = 1;
	for (b = 0; b < CSA_HISTO_BUCKETS - 1; b++) {
		seen += bucket[b];
		if (seen >= want)
			break;
	}
	return b + 1 < CSA_HISTO_BUCKETS ? csa_histo_bucket_floor(b + 1) :
					   csa_histo_bucket_floor(b);
}

void csa_stats_complete(struct csa_lun_stats *s, int op, uint64_t bytes,
			uint64_t us, int err)
{
	if (op > CSA_IO_SYNC) {	/* persistent reservations: not I/O */
		atomic_fetch_sub_explicit(&s->in_flight, 1, RELAXED);
		return;
	}
	if (err) {
		atomic_fetch_add_explicit(&s->errors, 1, RELAXED);
	} else if (op == CSA_IO_READ) {
		atomic_fetch_add_explicit(&s->reads, 1, RELAXED);
		atomic_fetch_add_explicit(&s->read_bytes, bytes, RELAXED);
	} else if (op == CSA_IO_WRITE) {
		atomic_fetch_add_explicit(&s->writes, 1, RELAXED);
		atomic_fetch_add_explicit(&s->write_bytes, bytes, RELAXED);
	} else {
		atomic_fetch_add_explicit(&s->syncs, 1, RELAXED);
	}
	if (!err)
		csa_histo_add(&s->latency, us);
	atomic_fetch_sub_explicit(&s->in_flight, 1, RELAXED);
}

void csa_stats_snapshot(const struct csa_lun_stats *s,
			struct csa_lun_counters *o)
{
	unsigned b;

	o->reads = atomic_load_explicit(&s->reads, RELAXED);
	o->writes = atomic_load_explicit(&s->writes, RELAXED);
	o->syncs = atomic_load_explicit(&s->syncs, RELAXED);
	o->read_bytes = atomic_load_explicit(&s->read_bytes, RELAXED);
	o->write_bytes = atomic_load_explicit(&s->write_bytes, RELAXED);
	o->errors = atomic_load_explicit(&s->errors, RELAXED);
	o->retries = atomic_load_explicit(&s->retries, RELAXED);
	o->reconnects = atomic_load_explicit(&s->reconnects, RELAXED);
	o->in_flight = atomic_load_explicit(&s->in_flight, RELAXED);
	for (b = 0; b < CSA_HISTO_BUCKETS; b++)
		o->bucket[b] = atomic_load_explicit(&s->latency.bucket[b],
						    RELAXED);
}

void csa_counters_sub(struct csa_lun_counters *a,
		      const struct csa_lun_counters *b)
{
	unsigned i;

	a->reads -= b->reads;
	a->writes -= b->writes;
	a->syncs -= b->syncs;
	a->read_bytes -= b->read_bytes;
	a->write_bytes -= b->write_bytes;
	a->errors -= b->errors;
	a->retries -= b->retries;
	a->reconnects -= b->reconnects;
	for (i = 0; i < CSA_HISTO_BUCKETS; i++)
		a->bucket[i] -= b->bucket[i];
}
