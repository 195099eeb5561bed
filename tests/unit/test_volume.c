// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The data path of volume.h (csa_volume_open/submit/close) over the fake
 * transport: every byte read back against an in-memory shadow of the volume
 * and found at the LUN and LBA a plain reference mapping says, on every
 * copy; every per-LUN I/O in the fake's log placed, counted and checked;
 * failures injected; each request completed exactly once.
 *
 * The layouts and the reference come from layout_gen.h, which shares no
 * code with map.c: volume byte x is in column (x / su) % C at column
 * offset (x / (su * C)) * su + x % su, found by walking the copy's extents
 * as generated. The fixture (a volume over the fake with its shadow, the
 * requests, the output) is volume_fixture.c.
 *
 * What is checked, section by section:
 *   volume_data.c
 *   run_random          random reads and writes, alone and in concurrent
 *                       batches, against the shadow; written bytes at the
 *                       reference LUN/LBA of every copy; every logged LUN
 *                       I/O inside one copy's extents and <= max_io; reads
 *                       once per block from one copy per column; done once,
 *                       after every LUN I/O, never inside submit; whole LUN
 *                       images (nothing written outside the extents)
 *   volume_faults.c
 *   test_read_faults    least loaded copy first; reads (and the edge reads
 *                       of unaligned writes) served by another copy when
 *                       one fails; -EIO / -ETIMEDOUT once when none can
 *   test_write_faults   a write with a failing copy completes once with its
 *                       error, only after every LUN I/O completed
 *   test_einval         submit refuses bad requests, done never called
 *   volume_flush_open.c
 *   test_concurrent_writers  8 threads writing 1-7 bytes into 4 shared
 *                       blocks: no write lost
 *   test_flush          SYNC exactly to the LUNs written since the last
 *                       flush, again after a failed SYNC and after a write
 *                       that completed after the previous flush's SYNC
 *   test_open, test_degraded  open refusing LUNs that do not fit, failing
 *                       or opening degraded when arrays do not answer
 *
 * Seed: CSA_TEST_SEED (default below), printed. Every wait is bounded; a
 * watchdog ends the program with a failure if anything hangs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "volume_fixture.h"

#define DEFAULT_SEED	0x637361766f6cull	/* "csavol" */

/* ---- main ---- */

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED");

	volume_test_init(s ? strtoull(s, NULL, 0) : DEFAULT_SEED);
	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change)\n", seed);

	/* Data and copies (volume_data.c). */
	run_random("1 column 1 copy", 1, 1, 512, 4096, 40 * 1024 + 1536, 0, 300);
	run_random("3 columns 2 copies", 3, 2, 512, 1024, 60 * 1024 + 2560, 0, 300);
	run_random("4 columns 3 copies max_io 1 KiB", 4, 3, 512, 512, 50 * 1024 + 512, 1024, 300);
	run_random("2 columns 2 copies 4 KiB blocks", 2, 2, 4096, 8192, 200 * 1024 + 4096, 0, 200);
	run_random("5 columns 1 copy max_io 4 KiB", 5, 1, 512, 2048, 90 * 1024 + 1024, 4096, 200);
	/* Failures and retries (volume_faults.c). */
	test_read_faults("read faults 2 copies", 3, 2);
	test_read_faults("read faults 3 copies", 2, 3);
	test_read_faults("read faults 1 copy", 2, 1);
	test_write_faults();
	/* Concurrency and flush (volume_flush_open.c). */
	test_concurrent_writers();
	test_flush();
	/* Bad requests (volume_faults.c). */
	test_einval();
	/* Open (volume_flush_open.c). */
	test_open();
	test_degraded();

	return volume_test_end();
}
