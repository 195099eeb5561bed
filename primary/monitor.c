// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's decisions (monitor.h): saturation with hysteresis, rates
 * from cumulative counters, the worst fit on a saturated array, the alert.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "primary/monitor.h"

/* Negative and NaN figures count as 0 (NaN compares false). */
static double nonneg(double x)
{
	return x > 0 ? x : 0;
}

/* ---- saturation ------------------------------------------------------------- */

/* The larger of the rated dimensions' fractions; 0 when none is rated. */
static double util_of(double mbps, double iops, uint64_t rated_mbps,
		      uint64_t rated_iops)
{
	double u = 0, x;

	if (rated_mbps) {
		x = nonneg(mbps) / (double)rated_mbps;
		if (x > u)
			u = x;
	}
	if (rated_iops) {
		x = nonneg(iops) / (double)rated_iops;
		if (x > u)
			u = x;
	}
	return u;
}

int csa_mon_sample(struct csa_mon_array *a, const struct csa_mon_cfg *cfg,
		   double t, double mbps, double iops, uint32_t p99_us,
		   uint64_t rated_mbps, uint64_t rated_iops)
{
	double u = util_of(mbps, iops, rated_mbps, rated_iops);
	bool above = u > cfg->high, below = u < cfg->low;

	a->util = u;
	a->mbps = nonneg(mbps);
	a->iops = nonneg(iops);
	a->p99_us = p99_us;

	/*
	 * A streak starts at the sample that first lands on the far side of
	 * a mark and is judged at every later sample: it must still be there
	 * a whole window after its first sample. A sample on the near side
	 * ends it, so a series that keeps crossing a mark never completes a
	 * window and nothing changes: that is what keeps an array that
	 * hovers around 85% from flapping. The two marks are apart so that
	 * an array that has just been relieved (a migration takes its load
	 * away bit by bit) does not count as clear until it really is.
	 */
	switch (a->state) {
	case CSA_MON_OK:
	case CSA_MON_RISING:
		if (!above) {
			a->state = CSA_MON_OK;
			return 0;
		}
		if (a->state == CSA_MON_OK) {
			a->state = CSA_MON_RISING;
			a->since = t;
		}
		/* Judged at once, so a window of 0 saturates at once. */
		if (!(t - a->since >= cfg->window_s))
			return 0;
		a->state = CSA_MON_SATURATED;
		return 1;
	case CSA_MON_SATURATED:
	case CSA_MON_FALLING:
		if (!below) {
			a->state = CSA_MON_SATURATED;
			return 0;
		}
		if (a->state == CSA_MON_SATURATED) {
			a->state = CSA_MON_FALLING;
			a->since = t;
		}
		if (!(t - a->since >= cfg->window_s))
			return 0;
		a->state = CSA_MON_OK;
		return -1;
	}
	/* A state that is none of them: start again. */
	a->state = CSA_MON_OK;
	return 0;
}

const char *csa_mon_state_name(enum csa_mon_state s)
{
	switch (s) {
	case CSA_MON_OK:
		return "ok";
	case CSA_MON_RISING:
		return "rising";
	case CSA_MON_SATURATED:
		return "saturated";
	case CSA_MON_FALLING:
		return "falling";
	}
	return "?";
}

/* ---- rates ----------------------------------------------------------------- */

int csa_mon_rate(const struct csa_mon_counters *prev,
		 const struct csa_mon_counters *cur, double dt,
		 double *mbps, double *iops)
{
	*mbps = 0;
	*iops = 0;
	/* !(dt > 0) also refuses NaN. A counter that went back is a host
	 * that counts again from its new mount: the difference would be
	 * nonsense (or huge, unsigned), and the next report gives a rate. */
	if (!(dt > 0) || cur->ops < prev->ops || cur->bytes < prev->bytes)
		return -1;
	*mbps = (double)(cur->bytes - prev->bytes) / dt / 1e6;
	*iops = (double)(cur->ops - prev->ops) / dt;
	return 0;
}

static bool counters_back(const struct csa_mon_counters *prev,
			  const struct csa_mon_counters *cur)
{
	return cur->ops < prev->ops || cur->bytes < prev->bytes;
}

int csa_mon_meter_feed(struct csa_mon_meter *m, double t,
		       struct csa_mon_counters cur,
		       struct csa_mon_counters cur_w)
{
	double mbps, iops, wm, wi;
	int ret = -1;

	if (m->t_prev && t - m->t_prev < CSA_MON_RATE_MIN_DT &&
	    !counters_back(&m->prev, &cur) && !counters_back(&m->prev_w, &cur_w))
		return 0;
	if (m->t_prev &&
	    !csa_mon_rate(&m->prev, &cur, t - m->t_prev, &mbps, &iops)) {
		m->mbps = mbps;
		m->iops = iops;
		m->w_mbps = csa_mon_rate(&m->prev_w, &cur_w, t - m->t_prev,
					 &wm, &wi) ? 0 : wm;
		m->t_rate = t;
		ret = 1;
	}
	m->prev = cur;
	m->prev_w = cur_w;
	m->t_prev = t;
	return ret;
}

/* ---- the worst fit ------------------------------------------------------------ */

/* A fraction of a rated dimension; 0 for one not rated. */
static double frac(double x, double rated)
{
	return rated > 0 ? nonneg(x) / rated : 0;
}

static double max2(double a, double b)
{
	return a > b ? a : b;
}

/* What the volume loads the array with, as a fraction of its rating. */
static double load_share(const struct csa_mon_vol *v, double rm, double ri)
{
	return max2(frac(v->load_mbps, rm), frac(v->load_iops, ri));
}

double csa_mon_fit_score(const struct csa_mon_vol *v, double rated_mbps,
			 double rated_iops)
{
	double over, share;

	/*
	 * Overuse is counted in the array's rating, so MB/s and IOPS compare
	 * and the volume that pushes this array hardest past its booking
	 * stands out. Dividing by what it booked makes it relative: 100 MB/s
	 * too many is a lot for a volume that asked for 20 and little for
	 * one that asked for 2000, and moving the former is both fairer (it
	 * broke its promise) and cheaper (it holds little here). The 1%
	 * floor keeps a volume that booked nothing (or next to nothing) from
	 * scoring infinity on its first byte: it is compared as if it had
	 * asked for 1% of the array.
	 */
	over = max2(frac(nonneg(v->load_mbps) - nonneg(v->need_mbps), rated_mbps),
		    frac(nonneg(v->load_iops) - nonneg(v->need_iops), rated_iops));
	share = max2(frac(v->need_mbps, rated_mbps),
		     frac(v->need_iops, rated_iops));
	return over / max2(share, 0.01);
}

static int name_cmp(const struct csa_mon_vol *a, const struct csa_mon_vol *b)
{
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

int csa_mon_worst_fit(const struct csa_mon_vol *v, unsigned n,
		      double rated_mbps, double rated_iops, double *score)
{
	double s, l, best_s = 0, best_l = 0;
	int best = -1, over = 0;
	unsigned i;

	/*
	 * First the volumes past their requirements: they cause the load the
	 * planner did not book, and re-planning one of them with its real
	 * needs is what fixes the array. Only when every volume is within
	 * its need is the array over-committed by the requirements alone;
	 * then the volume that takes most of it relieves it most.
	 */
	for (i = 0; i < n; i++) {
		if (v[i].migrating)
			continue;
		s = csa_mon_fit_score(&v[i], rated_mbps, rated_iops);
		l = load_share(&v[i], rated_mbps, rated_iops);
		if (!(s > 0))
			continue;
		if (!over || s > best_s ||
		    (s == best_s && (l > best_l ||
		     (l == best_l && name_cmp(&v[i], &v[best]) < 0)))) {
			best = (int)i;
			best_s = s;
			best_l = l;
			over = 1;
		}
	}
	if (over) {
		if (score)
			*score = best_s;
		return best;
	}
	for (i = 0; i < n; i++) {
		if (v[i].migrating)
			continue;
		l = load_share(&v[i], rated_mbps, rated_iops);
		if (!(l > 0))
			continue;
		if (best < 0 || l > best_l ||
		    (l == best_l && name_cmp(&v[i], &v[best]) < 0)) {
			best = (int)i;
			best_l = l;
		}
	}
	if (best >= 0 && score)
		*score = 0;
	return best;
}

/* ---- the alert ------------------------------------------------------------------ */

struct sb {
	char *buf;
	size_t len, cap;
	bool trunc;
};

__attribute__((format(printf, 2, 3)))
static void put(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->trunc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->cap - s->len) {
		s->trunc = true;
		s->len = s->cap - 1;
		return;
	}
	s->len += (size_t)n;
}

/*
 * Bytes in binary units with one decimal, rounded up: "2.0 GiB",
 * "1.6 GiB"; under 1 KiB "512 bytes". The units placement_refusal.c
 * prints sizes in, but always with the decimal: the alert is a
 * specification to buy against, and "2.0 GiB" reads as one.
 */
static void fmt_need_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	uint64_t unit = 1024, whole, rem, tenths;
	unsigned u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
		return;
	}
	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes / unit >= 1024) {
		unit <<= 10;
		u++;
	}
	whole = bytes / unit;
	rem = bytes % unit;
	tenths = rem * 10 / unit + (rem * 10 % unit != 0);	/* < 2^64 */
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		whole = 1;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths,
		 units[u]);
}

/* "120 MB/s", "120 MB/s and 2.0 GiB", "120 MB/s, 5000 IOPS and 2.0 GiB":
 * the figures asked for that are not 0. */
static void put_figures(struct sb *s, const struct csa_refusal *r, bool mbps,
			bool iops, bool bytes)
{
	char parts[3][48];
	unsigned n = 0, i;

	if (mbps && r->column_mbps)
		snprintf(parts[n++], sizeof(parts[0]), "%" PRIu64 " MB/s",
			 r->column_mbps);
	if (iops && r->column_iops)
		snprintf(parts[n++], sizeof(parts[0]), "%" PRIu64 " IOPS",
			 r->column_iops);
	if (bytes && r->column_bytes)
		fmt_need_bytes(parts[n++], sizeof(parts[0]), r->column_bytes);
	for (i = 0; i < n; i++)
		put(s, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
		    parts[i]);
}

int csa_mon_alert(char *buf, size_t len, const char *array, double util,
		  uint64_t rated_mbps, const char *volume,
		  const struct csa_refusal *r)
{
	struct sb s = { buf, 0, len, false };
	bool m = false, io = false, sp = false;
	unsigned long long pct;
	unsigned missing;

	if (!buf || !len || !array || !volume || !r || r->code == CSA_PLAN_OK)
		return -EINVAL;
	buf[0] = '\0';
	/* Rounded to the nearest percent; nonsense (inf) is capped. */
	pct = nonneg(util) < 1e6 ? (unsigned long long)(nonneg(util) * 100 + 0.5) :
	      100000000ull;
	put(&s, "%s at %llu %% of ", array, pct);
	if (rated_mbps)
		put(&s, "%" PRIu64 " MB/s; ", rated_mbps);
	else
		put(&s, "its rating; ");

	/* What the refusal found short decides what is named as missing. */
	switch (r->code) {
	case CSA_PLAN_NO_BANDWIDTH:
		m = true;
		break;
	case CSA_PLAN_NO_IOPS:
		io = true;
		break;
	case CSA_PLAN_NO_SPACE:
		sp = true;
		break;
	case CSA_PLAN_NO_FIT:
		m = io = sp = true;
		break;
	default:
		put(&s, "no placement of %s relieves it: %s", volume, r->message);
		return s.trunc ? -ERANGE : 0;
	}
	if (r->arrays_ok && r->arrays_ok < r->arrays_needed)
		put(&s, "only %u of the %u arrays needed %s ", r->arrays_ok,
		    r->arrays_needed, r->arrays_ok == 1 ? "has" : "have");
	else
		put(&s, "no array has ");
	put_figures(&s, r, m, io, sp);
	put(&s, " free%s for a column of %s; ",
	    r->code == CSA_PLAN_NO_FIT ? " at once" : "", volume);

	/* The array to add must take a whole column copy: all of it. */
	missing = r->arrays_needed > r->arrays_ok ?
		  r->arrays_needed - r->arrays_ok : 1;
	if (missing == 1)
		put(&s, "add an array with >= ");
	else
		put(&s, "add %u arrays with >= ", missing);
	put_figures(&s, r, true, true, true);
	put(&s, " free");
	return s.trunc ? -ERANGE : 0;
}
