/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-memory LUN behind struct csa_dev_ops (primary/catalog_store.h) for
 * the unit tests, with faults on demand: reads, writes or flushes that
 * fail with a given errno, a write cut after N bytes (a torn write: the
 * first N bytes land, the call fails with -EIO), and direct access to the
 * bytes to flip one. It records the last write so a test can see which
 * slot was written. Not thread-safe: one test thread uses it.
 */
#ifndef CSA_MEMDEV_H
#define CSA_MEMDEV_H

#include <stddef.h>
#include <stdint.h>

#include "primary/catalog_store.h"

struct memdev {
	uint8_t *data;
	uint64_t size;

	/* Faults: 0 for none, else the negative errno to return. */
	int fail_reads;
	int fail_writes;
	int fail_flush;
	/* >= 0: the next write stores only this many bytes and fails -EIO
	 * (then it is reset to -1). */
	long long cut_after;

	unsigned reads, writes, flushes;
	uint64_t last_write_off;	/* of the last write attempted */
	size_t last_write_len;
	unsigned out_of_range;		/* calls past the end: a store bug */
	unsigned misaligned;		/* off or len not a multiple of 4096 */
};

extern const struct csa_dev_ops memdev_ops;

/* A zero-filled device of @size bytes; NULL on allocation failure. */
struct memdev *memdev_new(uint64_t size);
void memdev_free(struct memdev *m);

/* XOR the byte at @off with @mask (0x01 if @mask is 0). */
void memdev_flip(struct memdev *m, uint64_t off, uint8_t mask);

/* The store's view of @m, named @name (not copied here; the store copies). */
struct csa_store_dev memdev_dev(struct memdev *m, const char *name);

#endif
