// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's decisions (primary/monitor.h) on synthetic series: the
 * saturation window and its hysteresis (ramps, oscillations, dips between
 * the marks, unknown ratings), rates from cumulative counters, the worst
 * fit on a saturated array (the overuser, ties, the fallback, migrating
 * volumes), and the alert's exact sentence, from refusals built by hand
 * and from csa_replan on a small pool.
 */
#include <errno.h>
#include <math.h>	/* NAN */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/monitor.h"

#define GiB	(1ull << 30)

static unsigned nr_checks, nr_failed;

__attribute__((format(printf, 2, 3)))
static int check(int ok, const char *fmt, ...)
{
	va_list ap;

	nr_checks++;
	nr_failed += !ok;
	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

/* |x| (no libm in the unit tests). */
static double near0(double x)
{
	return x < 0 ? -x : x;
}

static const struct csa_mon_cfg cfg = CSA_MON_CFG_DEFAULT;

/* ---- saturation ------------------------------------------------------------ */

/* What a series did: the transitions seen and when, the states passed. */
struct run {
	int ups, downs;			/* +1 and -1 returned */
	double first_up, first_down;	/* time of the first of each; -1 none */
	int was_saturated;		/* SATURATED at some sample */
	int bad_return;			/* a value other than -1, 0, +1 */
};

/* Feed util fractions @u[@n] of a 400 MB/s array at t0, t0 + 1, ...,
 * as MB/s. */
static void feed(struct csa_mon_array *a, const double *u, unsigned n,
		 double t0, struct run *r)
{
	unsigned i;
	int x;

	for (i = 0; i < n; i++) {
		x = csa_mon_sample(a, &cfg, t0 + i, u[i] * 400, 0, 1000, 400, 0);
		if (x == 1 && !r->ups++)
			r->first_up = t0 + i;
		if (x == -1 && !r->downs++)
			r->first_down = t0 + i;
		r->bad_return |= x < -1 || x > 1;
		r->was_saturated |= a->state == CSA_MON_SATURATED;
	}
}

static struct run run0(void)
{
	return (struct run){ .first_up = -1, .first_down = -1 };
}

/* @n copies of @v into @u from @at; the next index. */
static unsigned fill(double *u, unsigned at, unsigned n, double v)
{
	while (n--)
		u[at++] = v;
	return at;
}

/* A ramp up through high, @above samples over it, then down to 0.5. */
static void ramp(unsigned above, struct run *r, struct csa_mon_array *a)
{
	double u[64];
	unsigned n = 0;

	u[n++] = 0.60;
	u[n++] = 0.75;
	u[n++] = 0.84;
	n = fill(u, n, above, 0.90);	/* first above at t = 3 */
	u[n++] = 0.70;
	u[n++] = 0.50;
	memset(a, 0, sizeof(*a));
	*r = run0();
	feed(a, u, n, 0, r);
}

static void test_window(void)
{
	struct csa_mon_array a;
	struct run r;

	/* Above at t = 3 .. 12: 9 s from first to last. */
	ramp(10, &r, &a);
	check(!r.ups && !r.was_saturated && a.state == CSA_MON_OK,
	      "above high for 9 s (t 3..12): not saturated (%d up, state %s)",
	      r.ups, csa_mon_state_name(a.state));
	/* Above at t = 3 .. 13: 10 s. */
	ramp(11, &r, &a);
	check(r.ups == 1 && r.first_up == 13,
	      "above high for 10 s (t 3..13): saturated at t 13 (%d up, at %g)",
	      r.ups, r.first_up);
	check(a.state == CSA_MON_FALLING && a.since == 14 && !r.downs &&
	      !r.bad_return,
	      "then below low for 1 s: falling since t 14, no -1 (%s since %g)",
	      csa_mon_state_name(a.state), a.since);

	/* RISING is shown while the window runs, and a dip resets it. */
	memset(&a, 0, sizeof(a));
	csa_mon_sample(&a, &cfg, 0, 360, 0, 0, 400, 0);
	check(a.state == CSA_MON_RISING && a.since == 0,
	      "first sample above high: rising since t 0 (%s since %g)",
	      csa_mon_state_name(a.state), a.since);
	csa_mon_sample(&a, &cfg, 5, 360, 0, 0, 400, 0);
	csa_mon_sample(&a, &cfg, 6, 340, 0, 0, 400, 0);	/* 0.85: not above */
	check(a.state == CSA_MON_OK,
	      "util exactly high (0.85) during rising: back to ok (%s)",
	      csa_mon_state_name(a.state));
	csa_mon_sample(&a, &cfg, 7, 360, 0, 0, 400, 0);
	check(a.state == CSA_MON_RISING && a.since == 7,
	      "above again: the streak starts again at t 7 (since %g)", a.since);
	check(csa_mon_sample(&a, &cfg, 16, 360, 0, 0, 400, 0) == 0 &&
	      csa_mon_sample(&a, &cfg, 17, 360, 0, 0, 400, 0) == 1,
	      "saturated at t 17, not 16 (10 s after the new start)");
	/* Missing samples do not break a streak. */
	memset(&a, 0, sizeof(a));
	csa_mon_sample(&a, &cfg, 100, 360, 0, 0, 400, 0);
	check(csa_mon_sample(&a, &cfg, 110, 360, 0, 0, 400, 0) == 1,
	      "above at t 100 and t 110, nothing between: saturated");
}

static void test_oscillation(void)
{
	struct csa_mon_array a = { 0 };
	struct run r = run0();
	double u[200];
	unsigned i;

	for (i = 0; i < 200; i++)
		u[i] = i % 2 ? 0.86 : 0.84;
	feed(&a, u, 200, 0, &r);
	check(!r.ups && !r.was_saturated && !r.bad_return,
	      "0.84 / 0.86 every second for 200 s: never saturated (%d up)",
	      r.ups);
	/* Every other second is above: the state shows it, without flapping
	 * the transition. */
	check(a.state == CSA_MON_RISING && a.since == 199,
	      "last sample 0.86: rising since that sample (%s since %g)",
	      csa_mon_state_name(a.state), a.since);

	/* Two seconds above, one below: still never a window. */
	memset(&a, 0, sizeof(a));
	r = run0();
	for (i = 0; i < 200; i++)
		u[i] = i % 3 == 2 ? 0.84 : 0.95;
	feed(&a, u, 200, 0, &r);
	check(!r.ups && !r.was_saturated,
	      "0.95, 0.95, 0.84 repeated: never saturated (%d up)", r.ups);
}

/* An array saturated at t 10 (above high from t 0). */
static void saturated(struct csa_mon_array *a)
{
	double u[11];
	struct run r = run0();

	memset(a, 0, sizeof(*a));
	fill(u, 0, 11, 0.95);
	feed(a, u, 11, 0, &r);
	if (!check(r.ups == 1 && a->state == CSA_MON_SATURATED,
		   "setup: saturated after 10 s above (%d up)", r.ups))
		exit(1);
}

static void test_clearing(void)
{
	struct csa_mon_array a;
	struct run r;
	double u[64];
	unsigned n, i;

	/* A dip between the marks keeps it saturated. */
	saturated(&a);
	r = run0();
	fill(u, 0, 30, 0.80);
	feed(&a, u, 30, 11, &r);
	check(a.state == CSA_MON_SATURATED && !r.downs,
	      "after saturation, 30 s at 0.80 (between the marks): still "
	      "saturated (%s, %d down)", csa_mon_state_name(a.state), r.downs);

	/* Below low for 9 s, then back between the marks. */
	saturated(&a);
	r = run0();
	n = fill(u, 0, 10, 0.70);	/* t 11..20 */
	feed(&a, u, n, 11, &r);
	check(a.state == CSA_MON_FALLING && a.since == 11 && !r.downs,
	      "below low for 9 s: falling since t 11, not cleared (%s since %g)",
	      csa_mon_state_name(a.state), a.since);
	csa_mon_sample(&a, &cfg, 21, 0.80 * 400, 0, 0, 400, 0);
	check(a.state == CSA_MON_SATURATED,
	      "back to 0.80 while falling: saturated again (%s)",
	      csa_mon_state_name(a.state));

	/* Below low for 10 s: cleared, once. */
	r = run0();
	n = fill(u, 0, 11, 0.70);	/* t 22..32 */
	n = fill(u, n, 5, 0.50);
	feed(&a, u, n, 22, &r);
	check(r.downs == 1 && r.first_down == 32 && a.state == CSA_MON_OK,
	      "below low for 10 s (t 22..32): ok at t 32, once (%d down at %g, "
	      "%s)", r.downs, r.first_down, csa_mon_state_name(a.state));

	/* Exactly low is not below. */
	saturated(&a);
	r = run0();
	fill(u, 0, 30, 0.75);
	feed(&a, u, 30, 11, &r);
	check(a.state == CSA_MON_SATURATED && !r.downs,
	      "30 s at exactly low (0.75): still saturated (%s)",
	      csa_mon_state_name(a.state));

	/* Oscillating around low never clears. */
	saturated(&a);
	r = run0();
	for (i = 0; i < 64; i++)
		u[i] = i % 2 ? 0.76 : 0.74;
	feed(&a, u, 64, 11, &r);
	check(!r.downs && !r.ups && a.state == CSA_MON_SATURATED,
	      "0.74 / 0.76 for 64 s after saturation: never cleared (%d down, "
	      "%s)", r.downs, csa_mon_state_name(a.state));
}

static void test_ratings(void)
{
	struct csa_mon_array a = { 0 };
	struct csa_mon_cfg c0 = { .high = 0.85, .low = 0.75, .window_s = 0 };
	int x;

	/* MB/s unknown: 5000 MB/s counts for nothing; IOPS decide. */
	csa_mon_sample(&a, &cfg, 0, 5000, 100, 7, 0, 1000);
	check(near0(a.util - 0.1) < 1e-12 && a.state == CSA_MON_OK,
	      "MB/s rated 0 (unknown): util from IOPS only, 0.1 (%g)", a.util);
	check(a.mbps == 5000 && a.iops == 100 && a.p99_us == 7,
	      "the sample is kept (%g MB/s, %g IOPS, %u us)", a.mbps, a.iops,
	      a.p99_us);
	csa_mon_sample(&a, &cfg, 1, 5000, 900, 0, 0, 1000);
	check(near0(a.util - 0.9) < 1e-12 && a.state == CSA_MON_RISING,
	      "IOPS at 90%% with MB/s unknown: rising (%g, %s)", a.util,
	      csa_mon_state_name(a.state));
	/* IOPS unknown. */
	memset(&a, 0, sizeof(a));
	csa_mon_sample(&a, &cfg, 0, 200, 1e9, 0, 400, 0);
	check(near0(a.util - 0.5) < 1e-12,
	      "IOPS rated 0: util from MB/s only, 0.5 (%g)", a.util);
	/* Both known: the larger. */
	csa_mon_sample(&a, &cfg, 1, 200, 900, 0, 400, 1000);
	check(near0(a.util - 0.9) < 1e-12,
	      "200 of 400 MB/s and 900 of 1000 IOPS: util 0.9 (%g)", a.util);
	/* Neither: never saturated, however busy. */
	memset(&a, 0, sizeof(a));
	x = 0;
	for (unsigned i = 0; i < 30; i++)
		x |= csa_mon_sample(&a, &cfg, i, 1e6, 1e9, 0, 0, 0);
	check(!x && a.util == 0 && a.state == CSA_MON_OK,
	      "no rating at all: util 0, never saturated (%g, %s)", a.util,
	      csa_mon_state_name(a.state));
	/* Nonsense samples count as 0. */
	memset(&a, 0, sizeof(a));
	csa_mon_sample(&a, &cfg, 0, NAN, -5, 0, 400, 1000);
	check(a.util == 0 && a.mbps == 0 && a.iops == 0,
	      "NaN MB/s and negative IOPS count as 0 (%g)", a.util);
	/* A window of 0: at once, both ways. */
	memset(&a, 0, sizeof(a));
	check(csa_mon_sample(&a, &c0, 0, 360, 0, 0, 400, 0) == 1 &&
	      a.state == CSA_MON_SATURATED,
	      "window 0: the first sample above saturates");
	check(csa_mon_sample(&a, &c0, 1, 200, 0, 0, 400, 0) == -1 &&
	      a.state == CSA_MON_OK,
	      "window 0: the first sample below clears");
}

static void test_names(void)
{
	check(!strcmp(csa_mon_state_name(CSA_MON_OK), "ok") &&
	      !strcmp(csa_mon_state_name(CSA_MON_RISING), "rising") &&
	      !strcmp(csa_mon_state_name(CSA_MON_SATURATED), "saturated") &&
	      !strcmp(csa_mon_state_name(CSA_MON_FALLING), "falling") &&
	      !strcmp(csa_mon_state_name((enum csa_mon_state)9), "?"),
	      "state names: ok, rising, saturated, falling; ? otherwise");
}

/* ---- rates ------------------------------------------------------------------- */

static void test_rate(void)
{
	struct csa_mon_counters p = { .ops = 1000, .bytes = 5000000 },
		c = { .ops = 1100, .bytes = 6000000 }, back;
	double m = 7, i = 7;
	int ret;

	ret = csa_mon_rate(&p, &c, 2, &m, &i);
	check(!ret && m == 0.5 && i == 50,
	      "10^6 bytes and 100 ops over 2 s: 0.5 MB/s, 50 IOPS (%d: %g, %g)",
	      ret, m, i);
	ret = csa_mon_rate(&p, &p, 1, &m, &i);
	check(!ret && m == 0 && i == 0, "no change: 0 and 0 (%d)", ret);

	back = (struct csa_mon_counters){ .ops = 10, .bytes = 7000000 };
	m = i = 7;
	ret = csa_mon_rate(&p, &back, 1, &m, &i);
	check(ret == -1 && m == 0 && i == 0,
	      "ops went backwards (a remount): -1, rates 0 (%d: %g, %g)", ret,
	      m, i);
	back = (struct csa_mon_counters){ .ops = 2000, .bytes = 4096 };
	m = i = 7;
	ret = csa_mon_rate(&p, &back, 1, &m, &i);
	check(ret == -1 && m == 0 && i == 0,
	      "bytes went backwards: -1, rates 0 (%d)", ret);
	check(csa_mon_rate(&p, &c, 0, &m, &i) == -1 &&
	      csa_mon_rate(&p, &c, -1, &m, &i) == -1 &&
	      csa_mon_rate(&p, &c, NAN, &m, &i) == -1,
	      "dt 0, negative or NaN: -1");
}

static struct csa_mon_counters ctr(uint64_t ops, uint64_t bytes)
{
	return (struct csa_mon_counters){ .ops = ops, .bytes = bytes };
}

/* Reports 1 s apart, with two more in between (a file opened and closed). */
static void test_meter(void)
{
	struct csa_mon_meter m = { 0 };
	int r1, r2, r3, r4;

	r1 = csa_mon_meter_feed(&m, 10.0, ctr(0, 0), ctr(0, 0));
	r2 = csa_mon_meter_feed(&m, 11.0, ctr(100, 20000000), ctr(40, 8000000));
	check(r1 == -1 && r2 == 1 && m.mbps == 20 && m.iops == 100 &&
	      m.w_mbps == 8 && m.t_rate == 11.0,
	      "first report no rate, the next 1 s later: 20 MB/s, 100 IOPS, 8 written (%d %d: %g %g %g)",
	      r1, r2, m.mbps, m.iops, m.w_mbps);
	/* 2 MB in 50 ms, then nothing for 30 ms: a rate over either gap
	 * would be 40 MB/s or 0. */
	r1 = csa_mon_meter_feed(&m, 11.05, ctr(110, 22000000), ctr(40, 8000000));
	r2 = csa_mon_meter_feed(&m, 11.08, ctr(110, 22000000), ctr(40, 8000000));
	check(r1 == 0 && r2 == 0 && m.mbps == 20 && m.t_rate == 11.0,
	      "reports 50 and 80 ms later change nothing (%d %d: %g)", r1, r2,
	      m.mbps);
	r3 = csa_mon_meter_feed(&m, 12.0, ctr(200, 30000000), ctr(40, 8000000));
	check(r3 == 1 && m.mbps == 10 && m.iops == 100 && m.w_mbps == 0,
	      "the next, 1 s after the last point, measures the whole second: 10 MB/s (%d: %g %g)",
	      r3, m.mbps, m.iops);
	r4 = csa_mon_meter_feed(&m, 12.1, ctr(5, 4096), ctr(0, 0));
	check(r4 == -1 && m.t_prev == 12.1 && m.prev.ops == 5,
	      "a remount soon after is the new point at once (%d)", r4);
	r4 = csa_mon_meter_feed(&m, 13.1, ctr(105, 5004096), ctr(0, 0));
	check(r4 == 1 && m.mbps == 5 && m.iops == 100,
	      "and 1 s later a rate from there: 5 MB/s (%d: %g)", r4, m.mbps);
}

/* ---- the worst fit ------------------------------------------------------------- */

#define RM	400.0	/* MB/s */
#define RI	10000.0	/* IOPS */

static struct csa_mon_vol vol(const char *name, double need_mbps,
			      double load_mbps, double need_iops,
			      double load_iops)
{
	return (struct csa_mon_vol){ .name = name, .need_mbps = need_mbps,
		.load_mbps = load_mbps, .need_iops = need_iops,
		.load_iops = load_iops };
}

static void test_score(void)
{
	struct csa_mon_vol v;
	double s;

	v = vol("hog", 20, 60, 0, 0);
	s = csa_mon_fit_score(&v, RM, RI);
	check(near0(s - 2) < 1e-12,
	      "20 MB/s asked, 60 used (3x) on 400: score (40/400)/(20/400) = 2 "
	      "(%g)", s);
	v = vol("in", 200, 190, 0, 0);
	s = csa_mon_fit_score(&v, RM, RI);
	check(s == 0, "within its need: score 0 (%g)", s);
	v = vol("iops", 0, 0, 500, 2000);
	s = csa_mon_fit_score(&v, RM, RI);
	check(near0(s - 3) < 1e-12,
	      "500 IOPS asked, 2000 used on 10000: (1500/10000)/(500/10000) = 3 "
	      "(%g)", s);
	v = vol("free", 0, 4, 0, 0);
	s = csa_mon_fit_score(&v, RM, RI);
	check(near0(s - 1) < 1e-12,
	      "nothing asked, 4 MB/s used on 400: (1%%)/(1%% floor) = 1 (%g)", s);
	/* The share is the larger one: 200 MB/s asked (50%), 1000 IOPS over
	 * none asked (10%): 0.1 / 0.5. */
	v = vol("mixed", 200, 150, 0, 1000);
	s = csa_mon_fit_score(&v, RM, RI);
	check(near0(s - 0.2) < 1e-12,
	      "IOPS past a need of 0 with 50%% of MB/s asked: 0.1 / 0.5 = 0.2 (%g)",
	      s);
	/* An IOPS overuse on an array whose IOPS are not rated: nothing. */
	s = csa_mon_fit_score(&v, RM, 0);
	check(s == 0, "same with IOPS rated 0: score 0 (%g)", s);
}

static void test_worst_fit(void)
{
	struct csa_mon_vol v[4];
	double s = -1;
	int i;

	/* The overuser before a bigger volume within its need. */
	v[0] = vol("big", 200, 190, 0, 0);
	v[1] = vol("hog", 20, 60, 0, 0);
	v[2] = vol("mid", 100, 100, 0, 0);
	i = csa_mon_worst_fit(v, 3, RM, RI, &s);
	check(i == 1 && near0(s - 2) < 1e-12,
	      "a volume at 3x its need is picked over a bigger one within its "
	      "need (%d, score %g)", i, s);

	/* The higher score wins over the larger load. */
	v[0] = vol("bigover", 200, 300, 0, 0);	/* 0.25 / 0.5 = 0.5 */
	v[1] = vol("hog", 20, 60, 0, 0);	/* 2 */
	i = csa_mon_worst_fit(v, 2, RM, RI, &s);
	check(i == 1, "score 2 over score 0.5 with more load (%d)", i);

	/* Ties on score: the larger load. */
	v[0] = vol("x", 20, 60, 0, 0);		/* 2, load 15% */
	v[1] = vol("y", 40, 120, 0, 0);		/* 2, load 30% */
	check(csa_mon_fit_score(&v[0], RM, RI) ==
	      csa_mon_fit_score(&v[1], RM, RI),
	      "setup: x and y score the same");
	i = csa_mon_worst_fit(v, 2, RM, RI, &s);
	check(i == 1, "same score: the larger load (y) (%d)", i);
	v[0] = vol("y", 40, 120, 0, 0);
	v[1] = vol("x", 20, 60, 0, 0);
	i = csa_mon_worst_fit(v, 2, RM, RI, &s);
	check(i == 0, "same score, larger load first in the list: still y (%d)",
	      i);
	/* Then the name. */
	v[0] = vol("b", 20, 60, 0, 0);
	v[1] = vol("a", 20, 60, 0, 0);
	v[2] = vol("c", 20, 60, 0, 0);
	i = csa_mon_worst_fit(v, 3, RM, RI, &s);
	check(i == 1, "same score and load: the first name (a) (%d)", i);

	/* All within their need: the largest load share. */
	v[0] = vol("a", 200, 150, 0, 0);	/* 37.5% */
	v[1] = vol("b", 100, 90, 0, 0);		/* 22.5% */
	v[2] = vol("c", 0, 0, 5000, 4500);	/* 45% of IOPS */
	v[3] = vol("d", 10, 10, 0, 0);
	s = -1;
	i = csa_mon_worst_fit(v, 4, RM, RI, &s);
	check(i == 2 && s == 0,
	      "all within their need: the largest load share (c, 45%% of IOPS), "
	      "score 0 (%d, %g)", i, s);
	v[2].load_iops = 1000;			/* 10% */
	i = csa_mon_worst_fit(v, 4, RM, RI, NULL);
	check(i == 0, "then a (37.5%%) (%d)", i);
	v[1] = vol("0b", 200, 150, 0, 0);
	i = csa_mon_worst_fit(v, 4, RM, RI, NULL);
	check(i == 1, "same load share: the first name (0b before a) (%d)", i);

	/* Migrating volumes are not candidates. */
	v[0] = vol("big", 200, 190, 0, 0);
	v[1] = vol("hog", 20, 60, 0, 0);
	v[2] = vol("mid", 100, 110, 0, 0);	/* 0.025 / 0.25 = 0.1 */
	v[1].migrating = true;
	i = csa_mon_worst_fit(v, 3, RM, RI, &s);
	check(i == 2 && near0(s - 0.1) < 1e-12,
	      "the hog migrating: the next overuser (mid, 0.1) (%d, %g)", i, s);
	v[2].migrating = true;
	i = csa_mon_worst_fit(v, 3, RM, RI, &s);
	check(i == 0 && s == 0,
	      "both overusers migrating: the largest load left (big) (%d)", i);
	v[0].migrating = true;
	s = 42;
	i = csa_mon_worst_fit(v, 3, RM, RI, &s);
	check(i == -1 && s == 42, "all migrating: -1, score untouched (%d)", i);

	/* Nothing to move. */
	check(csa_mon_worst_fit(v, 0, RM, RI, &s) == -1, "no volumes: -1");
	v[0] = vol("idle", 100, 0, 0, 0);
	v[1] = vol("idle2", 0, 0, 100, 0);
	check(csa_mon_worst_fit(v, 2, RM, RI, &s) == -1,
	      "no volume has any load: -1");
	v[0] = vol("busy", 10, 300, 0, 0);
	check(csa_mon_worst_fit(v, 1, 0, 0, &s) == -1,
	      "the array is not rated: -1");
}

/* ---- the alert ---------------------------------------------------------------- */

static int same(const char *got, const char *want, const char *what)
{
	int ok = !strcmp(got, want);

	return check(ok, "%s: \"%s\"%s%s", what, want, ok ? "" : "; got: ",
		     ok ? "" : got);
}

static struct csa_refusal refusal(enum csa_plan_code code, uint64_t mbps,
				  uint64_t iops, uint64_t bytes)
{
	return (struct csa_refusal){ .code = code, .columns = 1,
		.arrays_needed = 1, .column_mbps = mbps, .column_iops = iops,
		.column_bytes = bytes };
}

static void test_alert_text(void)
{
	struct csa_refusal r;
	char buf[512], small[20];
	int ret;

	r = refusal(CSA_PLAN_NO_BANDWIDTH, 120, 0, 2 * GiB);
	ret = csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1", &r);
	check(ret == 0, "no_bandwidth: 0 (%d)", ret);
	same(buf, "a2 at 97 % of 400 MB/s; no array has 120 MB/s free for a "
	     "column of db1; add an array with >= 120 MB/s and 2.0 GiB free",
	     "no_bandwidth");

	r = refusal(CSA_PLAN_NO_IOPS, 0, 5000, 2 * GiB);
	ret = csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1", &r);
	check(ret == 0, "no_iops: 0 (%d)", ret);
	same(buf, "a2 at 97 % of 400 MB/s; no array has 5000 IOPS free for a "
	     "column of db1; add an array with >= 5000 IOPS and 2.0 GiB free",
	     "no_iops");

	/* The array to add needs every figure of the column. */
	r = refusal(CSA_PLAN_NO_IOPS, 60, 5000, 2 * GiB + 1);
	csa_mon_alert(buf, sizeof(buf), "a7", 0.884, 1000, "web", &r);
	same(buf, "a7 at 88 % of 1000 MB/s; no array has 5000 IOPS free for a "
	     "column of web; add an array with >= 60 MB/s, 5000 IOPS and "
	     "2.1 GiB free",
	     "no_iops with MB/s too; the space rounded up");

	r = refusal(CSA_PLAN_NO_SPACE, 0, 0, 1536ull << 20);
	csa_mon_alert(buf, sizeof(buf), "a2", 0.9, 0, "db1", &r);
	same(buf, "a2 at 90 % of its rating; no array has 1.5 GiB free for a "
	     "column of db1; add an array with >= 1.5 GiB free",
	     "no_space, MB/s not rated");

	r = refusal(CSA_PLAN_NO_FIT, 120, 3000, (1ull << 40) - 1);
	r.columns = 2;
	r.arrays_needed = 2;
	r.arrays_ok = 1;
	csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1", &r);
	same(buf, "a2 at 97 % of 400 MB/s; only 1 of the 2 arrays needed has "
	     "120 MB/s, 3000 IOPS and 1.0 TiB free at once for a column of "
	     "db1; add an array with >= 120 MB/s, 3000 IOPS and 1.0 TiB free",
	     "no_fit, one array of two has it, 1 TiB - 1 rounds to 1.0 TiB");

	r = refusal(CSA_PLAN_NO_BANDWIDTH, 40, 0, 512ull << 20);
	r.columns = 3;
	r.arrays_needed = 3;
	csa_mon_alert(buf, sizeof(buf), "a2", 0.855, 400, "db1", &r);
	same(buf, "a2 at 86 % of 400 MB/s; no array has 40 MB/s free for a "
	     "column of db1; add 3 arrays with >= 40 MB/s and 512.0 MiB free",
	     "no_bandwidth at 3 columns");

	r = refusal(CSA_PLAN_TOO_FEW_ARRAYS, 0, 0, 0);
	snprintf(r.message, sizeof(r.message),
		 "needs 2 arrays for 2 copies; the pool has 1: a1");
	csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1", &r);
	same(buf, "a2 at 97 % of 400 MB/s; no placement of db1 relieves it: "
	     "needs 2 arrays for 2 copies; the pool has 1: a1",
	     "another code: the refusal's own sentence");

	/* Bad arguments and a short buffer. */
	r = refusal(CSA_PLAN_OK, 0, 0, 0);
	check(csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1", &r) ==
	      -EINVAL, "a plan that was not refused: -EINVAL");
	r = refusal(CSA_PLAN_NO_BANDWIDTH, 120, 0, 2 * GiB);
	check(csa_mon_alert(buf, 0, "a2", 0.97, 400, "db1", &r) == -EINVAL &&
	      csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1", NULL) ==
	      -EINVAL, "no room at all or no refusal: -EINVAL");
	memset(small, 'x', sizeof(small));
	ret = csa_mon_alert(small, sizeof(small), "a2", 0.97, 400, "db1", &r);
	check(ret == -ERANGE && !strcmp(small, "a2 at 97 % of 400 M"),
	      "a 20-byte buffer: -ERANGE, the start, NUL-terminated (%d, \"%.20s\")",
	      ret, small);
}

/* The refusal of a real re-plan: db1 (2 GiB, 120 MB/s) on a2, which the
 * monitor wants relieved; the pool without a2 has a1 and a3 with 50 MB/s
 * free each. */
static void test_alert_replan(void)
{
	struct csa_pool_lun lun[3];
	struct csa_pool_array arr[3];
	struct csa_pool pool;
	struct csa_requirements req = { .size = 2 * GiB, .mbps = 120,
					.copies = 1, .fit = CSA_FIT_BEST };
	struct csa_plan plan;
	char buf[512];
	unsigned i;
	int ret;

	memset(arr, 0, sizeof(arr));
	for (i = 0; i < 3; i++) {
		lun[i] = (struct csa_pool_lun){ .lun = 1,
			.blocks = 8192 + (64 * GiB) / 512,
			.reserved_blocks = 8192 };
		snprintf(arr[i].name, sizeof(arr[i].name), "a%u", i + 1);
		snprintf(arr[i].portal, sizeof(arr[i].portal), "10.0.0.%u:3260",
			 i + 1);
		snprintf(arr[i].target, sizeof(arr[i].target),
			 "iqn.2026-11.org.csafs.t:a%u", i + 1);
		arr[i].block_size = 512;
		arr[i].rated_mbps = 400;
		arr[i].rated_iops = 10000;
		arr[i].reserved_mbps = 350;
		arr[i].nr_luns = 1;
		arr[i].luns = &lun[i];
	}
	arr[1].reserved_mbps = 0;
	pool = (struct csa_pool){ .nr_arrays = 1, .arrays = &arr[1] };
	ret = csa_place(&pool, &req, &plan);
	if (!check(ret == 0 && plan.layout, "setup: db1 placed on a2 (%d: %s)",
		   ret, plan.refusal.message)) {
		csa_plan_release(&plan);
		return;
	}
	struct csa_layout *old = plan.layout;

	plan.layout = NULL;
	csa_plan_release(&plan);

	/* The pool the migration asks: a2 left out. */
	arr[1] = arr[2];
	pool = (struct csa_pool){ .nr_arrays = 2, .arrays = arr };
	ret = csa_replan(&pool, old, &req, &req, &plan);
	check(ret == -ENOSPC && plan.refusal.code == CSA_PLAN_NO_BANDWIDTH,
	      "setup: re-planning db1 off a2 is refused no_bandwidth (%d, %s)",
	      ret, csa_plan_code_name(plan.refusal.code));
	ret = csa_mon_alert(buf, sizeof(buf), "a2", 0.97, 400, "db1",
			    &plan.refusal);
	check(ret == 0, "alert from csa_replan's refusal: 0 (%d)", ret);
	same(buf, "a2 at 97 % of 400 MB/s; no array has 120 MB/s free for a "
	     "column of db1; add an array with >= 120 MB/s and 2.0 GiB free",
	     "alert from csa_replan's refusal");
	csa_plan_release(&plan);
	csa_layout_free(old);
}

int main(void)
{
	test_window();
	test_oscillation();
	test_clearing();
	test_ratings();
	test_names();
	test_rate();
	test_meter();
	test_score();
	test_worst_fit();
	test_alert_text();
	test_alert_replan();
	printf("# %u checks, %u failed\n", nr_checks, nr_failed);
	return nr_failed ? 1 : 0;
}
