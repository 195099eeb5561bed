// SPDX-License-Identifier: GPL-2.0-or-later
/* The latency histogram: bucket bounds and percentiles. */
#include <stdio.h>
#include <string.h>

#include "iscsi/stats.h"

static int failed;

static void check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	failed |= !ok;
}

int main(void)
{
	uint64_t b[CSA_HISTO_BUCKETS];
	struct csa_histo h;
	unsigned i, ok = 1;
	uint64_t us;

	/* Every value falls in a bucket whose floor is <= it and < next. */
	for (us = 0; us < (1ULL << 31); us = us * 9 / 8 + 1) {
		unsigned k = csa_histo_bucket(us), n = k + 1;

		while (n < CSA_HISTO_BUCKETS && n >= 4 && n < 8)
			n++;	/* 4-7 are never used */
		if (csa_histo_bucket_floor(k) > us ||
		    (n < CSA_HISTO_BUCKETS && csa_histo_bucket_floor(n) <= us))
			ok = 0;
	}
	check(ok, "bucket floors bracket every latency");
	for (i = 1, ok = 1; i < CSA_HISTO_BUCKETS; i++)
		if (csa_histo_bucket_floor(i) < csa_histo_bucket_floor(i - 1))
			ok = 0;
	check(ok, "bucket floors never decrease");

	memset(&h, 0, sizeof(h));
	for (i = 0; i < 99; i++)
		csa_histo_add(&h, 100);
	csa_histo_add(&h, 100000);
	for (i = 0; i < CSA_HISTO_BUCKETS; i++)
		b[i] = h.bucket[i];
	us = csa_histo_percentile(b, 50);
	check(us >= 100 && us <= 125, "p50 of 99 x 100 us + 1 x 100 ms is ~100 us");
	us = csa_histo_percentile(b, 99);
	check(us >= 100 && us <= 125, "p99 is still the 100 us bucket");
	us = csa_histo_percentile(b, 100);
	check(us >= 100000 && us <= 125000, "p100 is the 100 ms bucket");
	memset(b, 0, sizeof(b));
	check(csa_histo_percentile(b, 99) == 0, "no samples give 0");
	return failed;
}
