// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The range lock (striper/rangelock.h):
 *   test_model   random locks and unlocks, shared and exclusive, empty
 *                ranges included, against a reference written the plain
 *                way (lists scanned in arrival order): the same requests
 *                are granted at the same moments, and what is held never
 *                conflicts
 *   test_scale   many live holds cost a lock about log n, not n: 100000
 *                disjoint writes held at once, then a queue on one block,
 *                each within a bound the plain scan cannot meet
 *
 * Seed: CSA_TEST_SEED (default below), printed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "striper/rangelock.h"

#define DEFAULT_SEED	0x726c6f636bull	/* "rlock" */

static int failed;
static uint64_t rng;

static bool ok(bool cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	failed |= !cond;
	return cond;
}

static uint64_t next_rnd(void)
{
	uint64_t x = (rng += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t below(uint64_t n)
{
	return next_rnd() % n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the model -------------------------------------------------------- */

#define LIVE_MAX	64
#define SPACE		48	/* blocks the ranges fall in */

struct req {
	struct rl_entry e;	/* first */
	int id;
	bool live;		/* locked and not yet unlocked */
	bool granted;		/* by the lock under test */
	bool ref_granted;	/* by the reference */
	unsigned long arrival;
};

static struct req reqs[LIVE_MAX];
static unsigned long arrivals;

static void granted(struct rl_entry *e)
{
	struct req *r = (struct req *)e;

	if (r->granted)
		ok(false, "a request is granted twice");
	r->granted = true;
}

static bool overlap(const struct req *a, const struct req *b)
{
	return (a->e.exclusive || b->e.exclusive) && a->e.start < b->e.end &&
	       b->e.start < a->e.end;
}

/* Is @r kept waiting by a hold, or by an earlier waiter it conflicts with? */
static bool ref_blocked(const struct req *r)
{
	unsigned i;

	for (i = 0; i < LIVE_MAX; i++) {
		const struct req *x = &reqs[i];

		if (x == r || !x->live || !overlap(x, r))
			continue;
		if (x->ref_granted || x->arrival < r->arrival)
			return true;
	}
	return false;
}

/* After an unlock: grant the waiters in arrival order, as the plain scan. */
static void ref_regrant(void)
{
	struct req *order[LIVE_MAX];
	unsigned i, j, n = 0;

	for (i = 0; i < LIVE_MAX; i++)
		if (reqs[i].live && !reqs[i].ref_granted)
			order[n++] = &reqs[i];
	for (i = 1; i < n; i++)
		for (j = i; j && order[j - 1]->arrival > order[j]->arrival; j--) {
			struct req *t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		if (!ref_blocked(order[i]))
			order[i]->ref_granted = true;
}

static bool same_grants(void)
{
	unsigned i;

	for (i = 0; i < LIVE_MAX; i++)
		if (reqs[i].live && reqs[i].granted != reqs[i].ref_granted)
			return false;
	return true;
}

static bool holds_conflict(void)
{
	unsigned i, j;

	for (i = 0; i < LIVE_MAX; i++)
		for (j = i + 1; j < LIVE_MAX; j++)
			if (reqs[i].live && reqs[j].live && reqs[i].granted &&
			    reqs[j].granted && overlap(&reqs[i], &reqs[j]))
				return true;
	return false;
}

static void model_lock(struct rangelock *rl, struct req *r)
{
	uint64_t start = below(SPACE), len = below(9);

	memset(&r->e, 0, sizeof(r->e));
	r->e.start = start;
	r->e.end = start + len;		/* len 0: an empty range */
	r->e.exclusive = below(3) != 0;
	r->e.grant = granted;
	r->live = true;
	r->granted = false;
	r->arrival = ++arrivals;
	r->ref_granted = !ref_blocked(r);
	r->granted = rl_lock(rl, &r->e);
}

static void model_unlock(struct rangelock *rl, struct req *r)
{
	r->live = false;
	rl_unlock(rl, &r->e);
	r->granted = r->ref_granted = false;
	ref_regrant();
}

static void test_model(void)
{
	unsigned long step, steps = 200000, bad = 0, conflicts = 0;
	struct rangelock rl;
	unsigned i;

	rl_init(&rl);
	for (i = 0; i < LIVE_MAX; i++)
		reqs[i].id = (int)i;
	for (step = 0; step < steps; step++) {
		struct req *r = &reqs[below(LIVE_MAX)];

		/* Only holds can be unlocked: a waiter is not the caller's
		 * to withdraw. */
		if (!r->live)
			model_lock(&rl, r);
		else if (r->granted)
			model_unlock(&rl, r);
		else
			continue;
		if (!same_grants() && bad++ < 5)
			printf("# step %lu: grants differ from the reference\n",
			       step);
		conflicts += holds_conflict();
	}
	ok(!bad, "random locks and unlocks: granted exactly when the reference grants");
	ok(!conflicts, "no two conflicting holds at once");
	/* Drain: release every hold until nothing is left. */
	for (step = 0; step < 10 * LIVE_MAX; step++)
		for (i = 0; i < LIVE_MAX; i++)
			if (reqs[i].live && reqs[i].granted)
				model_unlock(&rl, &reqs[i]);
	for (i = 0; i < LIVE_MAX; i++)
		if (reqs[i].live)
			bad++;
	ok(!bad, "every waiter is granted in the end");
	rl_destroy(&rl);
}

/* ---- scale ------------------------------------------------------------ */

#define MANY	100000
#define BOUND_S	2.0	/* the plain scan takes minutes at this size */

static unsigned long grants;

static void count_grant(struct rl_entry *e)
{
	(void)e;
	grants++;
}

static void test_scale(void)
{
	struct rl_entry *e = calloc(MANY, sizeof(*e));
	struct rangelock rl;
	unsigned long now = 0;
	double t0, t;
	unsigned i;

	if (!e) {
		ok(false, "memory for the scale test");
		return;
	}
	rl_init(&rl);
	/* Disjoint writes, in a scattered order (rows of a volume). */
	t0 = now_s();
	for (i = 0; i < MANY; i++) {
		uint64_t b = (uint64_t)((i * 7919ULL) % MANY) * 16;

		e[i] = (struct rl_entry){ .start = b, .end = b + 16,
					  .exclusive = true,
					  .grant = count_grant };
		now += rl_lock(&rl, &e[i]);
	}
	for (i = 0; i < MANY; i++)
		rl_unlock(&rl, &e[i]);
	t = now_s() - t0;
	printf("# %u disjoint holds locked and unlocked in %.3f s\n", MANY, t);
	ok(now == MANY && !grants, "disjoint writes are all granted at once");
	ok(t < BOUND_S, "100000 live holds: a lock does not scan them all");

	/* A queue on one block behind holds everywhere else. */
	grants = 0;
	t0 = now_s();
	for (i = 0; i < MANY / 2; i++) {
		uint64_t b = (uint64_t)(i + 1) * 16;

		e[i] = (struct rl_entry){ .start = b, .end = b + 16,
					  .exclusive = true,
					  .grant = count_grant };
		rl_lock(&rl, &e[i]);
	}
	for (i = MANY / 2; i < MANY / 2 + 2000; i++) {
		e[i] = (struct rl_entry){ .start = 0, .end = 1,
					  .exclusive = true,
					  .grant = count_grant };
		now = rl_lock(&rl, &e[i]);
		if (i == MANY / 2 && !now)
			ok(false, "the first lock of block 0 is granted");
	}
	for (i = MANY / 2; i < MANY / 2 + 2000; i++)
		rl_unlock(&rl, &e[i]);
	t = now_s() - t0;
	printf("# a queue of 2000 on one block beside %u holds: %.3f s\n",
	       MANY / 2, t);
	ok(grants == 1999, "the queue on one block is granted one by one");
	ok(t < BOUND_S, "and each unlock looks at that block only");
	for (i = 0; i < MANY / 2; i++)
		rl_unlock(&rl, &e[i]);
	rl_destroy(&rl);
	free(e);
}

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED");

	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change)\n", rng);
	test_model();
	test_scale();
	return failed;
}
