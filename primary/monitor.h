/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's decisions (DESIGN.md "Monitoring and migration"): when an
 * array is nearing saturation, which volume on it to move, and what to
 * tell a person when no placement relieves it.
 *
 * Pure functions: no threads, no I/O, no clock reads (time is passed in),
 * no state between calls but what the caller keeps and passes (struct
 * csa_mon_array). Any thread may call them at once on its own data.
 *
 * Units: MB/s is 10^6 bytes a second, IOPS operations a second, time in
 * seconds (any origin, never decreasing for one array), utilisation a
 * fraction (1.0 = the array's rating).
 *
 * ---- Saturation ----------------------------------------------------------
 *
 * An array's utilisation is the larger of measured MB/s / rated MB/s and
 * measured IOPS / rated IOPS; a dimension rated 0 (unknown) is not counted,
 * and an array with neither rated has utilisation 0 (it is never saturated:
 * there is nothing to compare with). "Above" means util > high, "below"
 * util < low (low <= high); in between is neither.
 *
 *   OK         above: RISING, the streak begins at this sample's time.
 *   RISING     above and t - since >= window_s: SATURATED (+1).
 *              not above (a dip to high or under): OK, the streak is lost.
 *   SATURATED  below: FALLING, the streak begins at this sample's time.
 *   FALLING    below and t - since >= window_s: OK (-1).
 *              not below (low or over): SATURATED, the streak is lost.
 * With window_s <= 0 the first sample above (below) is enough.
 *
 * The window is measured between samples: from the first sample of the
 * streak to the current one. With one sample a second and window_s 10,
 * samples above high at t = 0 .. 9 do not saturate; one more at t = 10
 * does (11 samples, 10 s apart end to end). Missing samples do not break a
 * streak; only a sample on the wrong side does.
 *
 * No flapping: a series oscillating around high never holds above for a
 * window, so it never saturates; once saturated, a series oscillating
 * around low, or anywhere between the marks, never holds below for a
 * window, so it stays saturated. Entering and leaving SATURATED are at
 * least one window apart, and between them a full window on the far side
 * of the other mark.
 *
 * ---- Fit ("load_fit" in `csa volume show`) -------------------------------
 *
 * For a volume with a column copy on an array, in the array's rating:
 *   overuse = the larger, over MB/s and IOPS, of (load - need) / rated,
 *             where need is what its requirements reserve on the array
 *             (its column shares there) and load what it measured there;
 *             0 where load <= need.
 *   share   = the larger, over MB/s and IOPS, of need / rated.
 *   score   = overuse / max(share, 1%).
 * In words, as users read it:
 *
 *   "fit score: how far the volume's load on this array goes past what its
 *    requirements reserve there (as a share of the array's rating, the
 *    larger of MB/s and IOPS), divided by the share it reserved (at least
 *    1%). 0: within its requirements; 2: past them by twice what it
 *    asked."
 *
 * A volume at 3x its need scores 2. Dimensions rated 0 are not counted.
 */
#ifndef CSA_MONITOR_H
#define CSA_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primary/placement.h"	/* struct csa_refusal */

/* ---- saturation ----------------------------------------------------------- */

struct csa_mon_cfg {
	double high;		/* fraction of rated: nearing saturation above it */
	double low;		/* clears only below it; low <= high */
	double window_s;	/* must stay above high (below low) this long */
};

/* high 0.85, low 0.75, window 10 s */
#define CSA_MON_CFG_DEFAULT	{ .high = 0.85, .low = 0.75, .window_s = 10 }

enum csa_mon_state {
	CSA_MON_OK = 0,		/* what a zeroed struct csa_mon_array is in */
	CSA_MON_RISING,		/* above high, window not over */
	CSA_MON_SATURATED,
	CSA_MON_FALLING,	/* saturated, below low, window not over */
};

/* One per array, kept by the caller; start it zeroed (state OK). */
struct csa_mon_array {
	enum csa_mon_state state;
	double since;		/* when the current above-high (RISING) or
				 * below-low (FALLING) streak began */
	double util;		/* last: max(mbps/rated_mbps, iops/rated_iops) */
	double mbps, iops;	/* last sample */
	uint32_t p99_us;	/* last sample's */
};

/*
 * Feed array @a one sample taken at time @t (seconds, never decreasing):
 * its measured @mbps and @iops (added up over the hosts; negative or NaN
 * counts as 0) and @p99_us, against @rated_mbps and @rated_iops (0:
 * unknown, that dimension is not counted). Updates @a as "Saturation"
 * above says. Returns the transition: +1 it became SATURATED, -1 it became
 * OK from SATURATED or FALLING, 0 none (RISING <-> OK and SATURATED <->
 * FALLING are not transitions).
 */
int csa_mon_sample(struct csa_mon_array *a, const struct csa_mon_cfg *cfg,
		   double t, double mbps, double iops, uint32_t p99_us,
		   uint64_t rated_mbps, uint64_t rated_iops);

/* "ok", "rising", "saturated", "falling"; "?" for another value. */
const char *csa_mon_state_name(enum csa_mon_state s);

/* ---- rates from the hosts' counters ------------------------------------- */

/* Cumulative counters of one (host, array), as the host reports them:
 * reads + writes, read_bytes + write_bytes, since its mount. */
struct csa_mon_counters {
	uint64_t ops, bytes;
};

/*
 * The rates between two reports @dt seconds apart: *@mbps (10^6 B/s) and
 * *@iops. Returns 0; or -1, with both set to 0, when there is no rate: a
 * counter went backwards (the host remounted and started again from 0) or
 * @dt is not > 0. The caller adds up the rates of one array over its hosts
 * (and takes the largest of their p99s).
 */
int csa_mon_rate(const struct csa_mon_counters *prev,
		 const struct csa_mon_counters *cur, double dt,
		 double *mbps, double *iops);

/*
 * A rate is taken over at least this long. Hosts also report at once
 * when a file is opened or closed, so two reports can come milliseconds
 * apart: a rate over that gap is 0 or a spike many times the real one.
 */
#define CSA_MON_RATE_MIN_DT	0.8	/* seconds */

/* The rates of one source (a host on an array, or on a volume). */
struct csa_mon_meter {
	struct csa_mon_counters prev, prev_w;	/* at the last point */
	double t_prev;			/* when; 0 before the first report */
	double t_rate;			/* when the rates were last set */
	double mbps, iops, w_mbps;	/* w_mbps: of mbps, the writes */
};

/*
 * Feed @m the counters of a report at @t seconds (a monotonic clock):
 * all I/O in @cur, the writes in @cur_w. Returns 1 when the rates were
 * set from the last point; 0 when the report came less than
 * CSA_MON_RATE_MIN_DT after it (the rates stay, the point stays, the next
 * report measures the whole span); -1 when there is no rate (the first
 * report, or a counter that went back: the report is the new point).
 */
int csa_mon_meter_feed(struct csa_mon_meter *m, double t,
		       struct csa_mon_counters cur,
		       struct csa_mon_counters cur_w);

/* ---- what to move ----------------------------------------------------------- */

/* A volume with a column copy on the array. */
struct csa_mon_vol {
	const char *name;
	double need_mbps, need_iops;	/* what the volume's requirements
					 * reserve on this array (its column
					 * shares there) */
	double load_mbps, load_iops;	/* its measured load on this array */
	bool migrating;			/* not a candidate */
};

/*
 * The fit score of @v on an array rated @rated_mbps and @rated_iops (0:
 * unknown), as "Fit" above says; 0 when within its need or when neither
 * dimension is rated. Negative or NaN figures count as 0.
 */
double csa_mon_fit_score(const struct csa_mon_vol *v, double rated_mbps,
			 double rated_iops);

/*
 * Which of the @n volumes @v on a saturated array to move: the index of
 * the one with the highest fit score (ties: the larger load share of the
 * array, the larger of load / rated over MB/s and IOPS; then the name
 * first in strcmp order), skipping those migrating. If none goes past its
 * need (the array is over-committed by the requirements alone), the one
 * with the largest load share (ties: name). *@score (may be NULL) gets the
 * chosen one's score (0 in the fallback). Returns -1, *@score untouched,
 * when no candidate has any load on a rated dimension: moving none of
 * them relieves the array.
 */
int csa_mon_worst_fit(const struct csa_mon_vol *v, unsigned n,
		      double rated_mbps, double rated_iops, double *score);

/* ---- the alert ----------------------------------------------------------- */

/*
 * The sentence for a person when re-planning @volume off saturated @array
 * was refused with @r (csa_replan's), into @buf of @len bytes:
 *
 *   a2 at 97 % of 400 MB/s; no array has 120 MB/s free for a column of
 *   db1; add an array with >= 120 MB/s and 2.0 GiB free
 *
 * "97 %" is @util in percent, rounded; "of 400 MB/s" is @rated_mbps ("of
 * its rating" when 0). The figures are the refusal's column_mbps,
 * column_iops and column_bytes, the space in binary units with one decimal,
 * rounded up (it is a need). By code:
 *   no_bandwidth  "no array has M MB/s free for a column of V"
 *   no_iops       "no array has I IOPS free for a column of V"
 *   no_space      "no array has S free for a column of V"
 *   no_fit        "no array has M MB/s, I IOPS and S free at once for a
 *                 column of V"
 * (figures of 0 are left out of the list), where "no array has" is "only
 * N of the K arrays needed has/have" when some do (arrays_ok); then "; add
 * an array with >= M MB/s, I IOPS and S free" with every figure a column
 * copy needs (again leaving out 0s: the array added must take the whole
 * column), "add N arrays" when N more are needed. Any other code: "no
 * placement of V relieves it: " and the refusal's own message.
 *
 * Returns 0; -ERANGE when the sentence did not fit (@buf holds what did,
 * NUL-terminated); -EINVAL when an argument is NULL, @len is 0 or @r is
 * not a refusal (code ok).
 */
int csa_mon_alert(char *buf, size_t len, const char *array, double util,
		  uint64_t rated_mbps, const char *volume,
		  const struct csa_refusal *r);

#endif
