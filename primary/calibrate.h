/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calibration: what an array can do, measured with the engine's own load
 * (`csa array calibrate`). Two phases on all the array's LUNs at once:
 *   seq   1 MiB sequential reads, queue depth 8 per LUN  -> MB/s
 *   rand  4 KiB random reads, queue depth 32 per LUN      -> IOPS
 * Reads only, and only past each LUN's reserved area: volumes on the
 * array keep their data, and the load is what an array in use sees.
 * Each phase runs for the seconds asked (so a calibration is at most about
 * a minute); the result is the phase's average, rounded down.
 *
 * Blocking: runs in the caller's thread, the I/O on the engine's reactors.
 * Not to be called from a reactor thread.
 */
#ifndef CSA_CALIBRATE_H
#define CSA_CALIBRATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "iscsi/engine.h"

#define CSA_CALIB_MAX_SECONDS	30	/* per phase */

struct csa_calib_progress {
	const char *phase;		/* "seq" or "rand" */
	uint64_t elapsed_ms, total_ms;	/* of this phase */
	uint64_t mbps, iops;		/* so far in this phase */
};

struct csa_calib_opts {
	unsigned seconds;		/* per phase, 1..CSA_CALIB_MAX_SECONDS */
	/* Called about once a second from the calling thread; may be NULL. */
	void (*progress)(void *arg, const struct csa_calib_progress *p);
	void *arg;
	atomic_bool *cancel;		/* set: stop soon with -ECANCELED */
};

struct csa_calib_result {
	uint64_t mbps;			/* seq phase, MB/s (10^6 B/s) */
	uint64_t iops;			/* rand phase */
	uint64_t seq_p99_us, rand_p99_us;
};

/*
 * Calibrate over the @n LUNs at @luns (of one array), each read only from
 * block @first_lba[i] to its end. Returns 0 and *@out, or with a sentence
 * in @err: -EINVAL (bad options, a LUN with no blocks past first_lba),
 * -ECANCELED, or the -errno of the first I/O that failed (-ETIMEDOUT, -EIO,
 * ...): a calibration with errors measures nothing.
 */
int csa_calibrate(struct csa_lun *const *luns, unsigned n,
		  const uint64_t *first_lba, const struct csa_calib_opts *o,
		  struct csa_calib_result *out, char *err, size_t errlen);

#endif
