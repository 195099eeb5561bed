// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Random pools x random requests (primary/placement.h). Each pool has
 * 1-12 arrays (now and then of two block sizes), 1-3 LUNs each with
 * reserved areas and random used extents (overlapping, past the end),
 * random ratings and reservations (some past the rating). Requests, some
 * of them invalid, are placed one after another and the placed ones
 * recorded; then some volumes are re-planned with random new needs.
 *
 * A reference written apart from the planner derives each array's free
 * space and headroom and says, per request:
 *   - invalid or not (bad_request exactly when it is);
 *   - the number of columns, per block size: for best fit the smallest
 *     for which C x K arrays can take a column copy and stay at or below
 *     90% of their space, MB/s and IOPS, else (and for first fit) the
 *     smallest feasible; a placement must have exactly that many (a block
 *     size within 90% first, then the fewest, then the smaller block size);
 *     a refusal must come exactly when there is none, with the code the
 *     reference derives (too_few_arrays, then MB/s, IOPS, space alone,
 *     then no_fit);
 *   - for a re-plan, how many old copies can stay: a re-plan that keeps
 *     the columns must keep exactly that many (the fewest changes), and
 *     one that re-stripes must be one where the columns could not stay.
 * Every placement and re-plan also passes plan_faults. One summary check
 * per kind of fault, so a failure names the iteration, the seed and why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement.h"

#define ITERS		400
#define MAX_VOLS	16
#define MiB		(1ull << 20)

/* From test_placement.c */
struct tpool;
__attribute__((format(printf, 2, 3)))
int check(int ok, const char *fmt, ...);
struct tpool *tp_new(void);
void tp_free(struct tpool *tp);
unsigned tp_array(struct tpool *tp, const char *name, uint64_t mbps,
		  uint64_t iops);
struct csa_pool_array *tp_arr(struct tpool *tp, unsigned a);
unsigned tp_lun(struct tpool *tp, unsigned a, uint32_t lun, uint64_t blocks,
		uint64_t reserved);
void tp_use(struct tpool *tp, unsigned a, unsigned li, uint64_t start,
	    uint64_t blocks);
const struct csa_pool *tp_pool(struct tpool *tp);
int tp_find(const struct tpool *tp, const char *name);
void tp_apply(struct tpool *tp, const struct csa_plan *plan);
int plan_faults(const struct tpool *tp, const struct csa_requirements *req,
		const struct csa_plan *plan, const struct csa_layout *old,
		const struct csa_requirements *old_req, char *why, size_t len);

/* ---- random numbers --------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

/* Log-uniform in [lo, hi]. */
static uint64_t logu(uint64_t *s, uint64_t lo, uint64_t hi)
{
	unsigned bits = 64 - (unsigned)__builtin_clzll(hi / lo);
	uint64_t v = lo << below(s, bits);

	v += below(s, v);
	return v > hi ? hi : v;
}

/* ---- the reference ------------------------------------------------------ */

struct ref_array {
	uint64_t hm, hi;	/* headroom */
	uint64_t cap;		/* free blocks (top CSA_MAX_EXTENTS holes) */
	uint64_t free, usable;	/* all free blocks; LUN blocks past reserved */
	uint64_t um, ui;	/* MB/s and IOPS reserved, at most the rating */
};

struct iv {
	uint64_t s, e;
};

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return (x->s > y->s) - (x->s < y->s);
}

static int u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

/* Free blocks of one array, as the largest CSA_MAX_EXTENTS holes; all of
 * them in *@all, and the blocks past the reserved areas in *@usable. */
static uint64_t ref_cap(const struct csa_pool_array *a, uint64_t *all,
			uint64_t *usable)
{
	uint64_t holes[4096], sum = 0, pos, s, e;
	struct iv iv[2048];
	unsigned li, i, n, nh = 0;

	*all = *usable = 0;
	for (li = 0; li < a->nr_luns; li++) {
		const struct csa_pool_lun *l = &a->luns[li];

		if (l->blocks > l->reserved_blocks)
			*usable += l->blocks - l->reserved_blocks;

		for (i = 0, n = 0; i < l->nr_used && n < 2048; i++) {
			s = l->used[i].start_lba;
			e = s + l->used[i].blocks;
			if (e < s)
				e = UINT64_MAX;
			iv[n++] = (struct iv){ s, e };
		}
		qsort(iv, n, sizeof(*iv), iv_cmp);
		pos = l->reserved_blocks;
		for (i = 0; i <= n && pos < l->blocks; i++) {
			s = i < n ? iv[i].s : l->blocks;
			if (s > l->blocks)
				s = l->blocks;
			if (s > pos && nh < 4096)
				holes[nh++] = s - pos;
			if (i < n && iv[i].e > pos)
				pos = iv[i].e;
		}
	}
	qsort(holes, nh, sizeof(*holes), u64_desc);
	for (i = 0; i < nh; i++) {
		if (i < CSA_MAX_EXTENTS)
			sum += holes[i];
		*all += holes[i];
	}
	return sum;
}

static uint64_t cdiv(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

static void ref_arrays(const struct csa_pool *p, struct ref_array *r)
{
	const struct csa_pool_array *a;
	unsigned i;

	for (i = 0; i < p->nr_arrays; i++) {
		a = &p->arrays[i];
		r[i].hm = a->rated_mbps > a->reserved_mbps ?
			  a->rated_mbps - a->reserved_mbps : 0;
		r[i].hi = a->rated_iops > a->reserved_iops ?
			  a->rated_iops - a->reserved_iops : 0;
		r[i].cap = ref_cap(a, &r[i].free, &r[i].usable);
		r[i].um = a->reserved_mbps < a->rated_mbps ?
			  a->reserved_mbps : a->rated_mbps;
		r[i].ui = a->reserved_iops < a->rated_iops ?
			  a->reserved_iops : a->rated_iops;
	}
}

/* (used + add) / total <= 90%, in wide integers; no limit when total is 0. */
static int ref_within(uint64_t used, uint64_t add, uint64_t total)
{
	return !total || ((unsigned __int128)used + add) * 100 <=
			 (unsigned __int128)total * 90;
}

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int ref_invalid(const struct csa_requirements *q)
{
	return !q->size || q->size > (1ull << 62) || q->copies < 1 ||
	       q->copies > 4 || (q->stripe_unit && (!is_pow2(q->stripe_unit) ||
	       q->stripe_unit < 512 || q->stripe_unit > (64u << 20))) ||
	       (q->fit != CSA_FIT_BEST && q->fit != CSA_FIT_FIRST);
}

struct ref_geo {
	uint32_t su;
	uint64_t size;
};

static struct ref_geo ref_geo(const struct csa_requirements *q, uint32_t bs)
{
	struct ref_geo g;

	g.su = q->stripe_unit ? q->stripe_unit :
	       csa_default_stripe_unit(q->mbps, q->iops);
	if (g.su < bs)
		g.su = bs;
	g.size = cdiv(q->size, bs) * bs;
	return g;
}

/* Arrays of block size @bs (masked by @skip) able to take a column copy:
 * @which 0 in all three, 1 MB/s, 2 IOPS, 3 space, 4 all three and within
 * 90% of each rating once it is taken. */
static unsigned ref_count(const struct csa_pool *p, const struct ref_array *r,
			  uint32_t bs, const char *skip, uint64_t blocks,
			  uint64_t m, uint64_t i, unsigned which)
{
	unsigned a, n = 0;
	int okb, oki, oks, in;

	for (a = 0; a < p->nr_arrays; a++) {
		if (p->arrays[a].block_size != bs || (skip && skip[a]))
			continue;
		okb = r[a].hm >= m;
		oki = r[a].hi >= i;
		oks = r[a].cap >= blocks;
		in = ref_within(r[a].usable - r[a].free, blocks, r[a].usable) &&
		     ref_within(r[a].um, m, p->arrays[a].rated_mbps) &&
		     ref_within(r[a].ui, i, p->arrays[a].rated_iops);
		n += which == 0 ? okb && oki && oks :
		     which == 1 ? okb : which == 2 ? oki :
		     which == 3 ? oks : okb && oki && oks && in;
	}
	return n;
}

static unsigned n_bs(const struct csa_pool *p, uint32_t bs)
{
	unsigned a, n = 0;

	for (a = 0; a < p->nr_arrays; a++)
		n += p->arrays[a].block_size == bs;
	return n;
}

/* Column count on block size @bs, 0 if none fits: for best fit the
 * smallest within 90% (*@within set) if there is one, else the smallest
 * feasible; with @code, the refusal code the reference expects. */
static unsigned ref_columns(const struct csa_pool *p, const struct ref_array *r,
			    const struct csa_requirements *q, uint32_t bs,
			    enum csa_plan_code *code, int *within)
{
	struct ref_geo g = ref_geo(q, bs);
	unsigned n = n_bs(p, bs), K = q->copies, maxc, C, w, first = 0;
	int feas[4] = { 0 };
	uint64_t blocks, m, i;

	*within = 0;
	if (n < K) {
		if (code)
			*code = CSA_PLAN_TOO_FEW_ARRAYS;
		return 0;
	}
	maxc = n / K < CSA_MAX_COLUMNS ? n / K : CSA_MAX_COLUMNS;
	for (C = 1; C <= maxc; C++) {
		blocks = cdiv(g.size, (uint64_t)g.su * C) * g.su / bs;
		csa_column_share(q->mbps, q->iops, C, &m, &i);
		for (w = 0; w < 4; w++)
			feas[w] |= ref_count(p, r, bs, NULL, blocks, m, i, w) >= C * K;
		if (feas[0] && !first)
			first = C;
		if (q->fit == CSA_FIT_BEST &&
		    ref_count(p, r, bs, NULL, blocks, m, i, 4) >= C * K) {
			*within = 1;
			return C;
		}
	}
	if (first)
		return first;
	if (code)
		*code = !feas[1] ? CSA_PLAN_NO_BANDWIDTH : !feas[2] ? CSA_PLAN_NO_IOPS :
			!feas[3] ? CSA_PLAN_NO_SPACE : CSA_PLAN_NO_FIT;
	return 0;
}

/* ---- one random pool ------------------------------------------------------ */

struct counts {
	unsigned placed, refused, invalid, replans, kept, restriped;
	unsigned bad_plan, bad_columns, bad_refusal, bad_invalid, bad_keep;
	char first[600];
};

__attribute__((format(printf, 2, 3)))
static void note(struct counts *c, const char *fmt, ...)
{
	va_list ap;

	if (c->first[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->first, sizeof(c->first), fmt, ap);
	va_end(ap);
}

static void random_pool(struct tpool *tp, uint64_t *s)
{
	unsigned na = 1 + (unsigned)below(s, 12), a, li, nl, u, nu;
	int mixed = below(s, 5) == 0;
	uint64_t blocks, res;
	char name[16];

	for (a = 0; a < na; a++) {
		snprintf(name, sizeof(name), "r%u", a);
		tp_array(tp, name, below(s, 10) ? logu(s, 50, 4000) : 0,
			 below(s, 10) ? logu(s, 1000, 400000) : 0);
		if (mixed && below(s, 2))
			tp_arr(tp, a)->block_size = 4096;
		tp_arr(tp, a)->reserved_mbps = below(s, 3) ? 0 :
			below(s, tp_arr(tp, a)->rated_mbps * 6 / 5 + 1);
		tp_arr(tp, a)->reserved_iops = below(s, 3) ? 0 :
			below(s, tp_arr(tp, a)->rated_iops * 6 / 5 + 1);
		nl = (unsigned)below(s, 4);	/* 0 .. 3 LUNs */
		for (li = 0; li < nl; li++) {
			blocks = logu(s, 1 << 12, 1 << 23);
			res = below(s, 3) ? 2048 : below(s, blocks + 100);
			tp_lun(tp, a, 10 + li * 3, blocks, res);
			nu = (unsigned)below(s, 9);
			for (u = 0; u < nu; u++)
				tp_use(tp, a, li, below(s, blocks + 50),
				       below(s, 4) ? logu(s, 1, blocks / 4 + 1) :
				       UINT64_MAX - below(s, 10));
		}
	}
}

static struct csa_requirements random_req(uint64_t *s)
{
	struct csa_requirements q = { 0 };
	static const unsigned copies[] = { 1, 1, 1, 1, 2, 2, 3, 4 };

	q.size = logu(s, 512, 8ull << 30);
	q.mbps = below(s, 3) ? logu(s, 1, 6000) : 0;
	q.iops = below(s, 3) ? logu(s, 10, 600000) : 0;
	q.copies = copies[below(s, 8)];
	if (!below(s, 4))
		q.stripe_unit = 512u << below(s, 14);
	q.fit = below(s, 2) ? CSA_FIT_BEST : CSA_FIT_FIRST;
	switch (below(s, 40)) {	/* now and then, a bad request */
	case 0: q.size = 0; break;
	case 1: q.copies = below(s, 2) ? 0 : 5 + (unsigned)below(s, 5); break;
	case 2: q.stripe_unit = 3000; break;
	case 3: q.stripe_unit = 256; break;
	case 4: q.fit = (enum csa_fit)2; break;
	}
	return q;
}

/* Check one csa_place against the reference. */
static void one_place(struct tpool *tp, const struct csa_requirements *q,
		      struct csa_plan *plan, int ret, struct counts *c,
		      unsigned it)
{
	const struct csa_pool *p = tp_pool(tp);
	struct ref_array r[80];
	uint32_t bss[2] = { 512, 4096 };
	unsigned b, best = 0, most = 0, n, Cb;
	uint32_t best_bs = 0, big = 512;
	enum csa_plan_code code = CSA_PLAN_OK, cb;
	int usable = 0, in, best_in = 0;
	char why[512];

	ref_arrays(p, r);
	if (ref_invalid(q)) {
		c->invalid++;
		if (ret != -EINVAL || plan->refusal.code != CSA_PLAN_BAD_REQUEST) {
			c->bad_invalid++;
			note(c, "iteration %u: an invalid request got %d", it, ret);
		}
		return;
	}
	for (b = 0; b < 2; b++) {
		n = n_bs(p, bss[b]);
		if (!n || (q->stripe_unit && q->stripe_unit < bss[b]))
			continue;
		usable = 1;
		Cb = ref_columns(p, r, q, bss[b], &cb, &in);
		if (Cb && (!best || in > best_in || (in == best_in && Cb < best))) {
			best = Cb;
			best_bs = bss[b];
			best_in = in;
		}
		if (n > most) {
			most = n;
			big = bss[b];
			code = cb;
		}
	}
	if (!usable && p->nr_arrays) {
		c->invalid++;
		if (ret != -EINVAL || plan->refusal.code != CSA_PLAN_BAD_REQUEST) {
			c->bad_invalid++;
			note(c, "iteration %u: a stripe unit below every block size got %d",
			     it, ret);
		}
		return;
	}
	if (!usable)
		ref_columns(p, r, q, 512, &code, &in);
	if (!best) {
		c->refused++;
		if (ret != -ENOSPC || plan->refusal.code != code) {
			c->bad_refusal++;
			note(c, "iteration %u: expected a refusal %s (bs %u), got %d %s: %s",
			     it, csa_plan_code_name(code), big, ret,
			     csa_plan_code_name(plan->refusal.code),
			     plan->refusal.message);
		}
		return;
	}
	if (ret) {
		c->bad_columns++;
		note(c, "iteration %u: refused (%s) where %u columns fit: %s", it,
		     csa_plan_code_name(plan->refusal.code), best,
		     plan->refusal.message);
		return;
	}
	c->placed++;
	if (plan->layout->nr_columns != best ||
	    plan->layout->block_size != best_bs) {
		c->bad_columns++;
		note(c, "iteration %u: %u columns on %u-byte blocks; the reference says %u on %u",
		     it, plan->layout->nr_columns, plan->layout->block_size, best,
		     best_bs);
	}
	if (plan_faults(tp, q, plan, NULL, NULL, why, sizeof(why))) {
		c->bad_plan++;
		note(c, "iteration %u: %s", it, why);
	}
}

/* How many old copies the reference says can stay, and whether the
 * columns can be kept at all. */
static void ref_keep(struct tpool *tp, const struct csa_layout *old,
		     const struct csa_requirements *oq,
		     const struct csa_requirements *q, unsigned *kept,
		     int *possible)
{
	const struct csa_pool *p = tp_pool(tp);
	struct ref_array r[80];
	char taken[80] = { 0 };
	unsigned C = old->nr_columns, Ko = old->nr_copies, K = q->copies;
	unsigned c, k, e, need = 0, nk;
	uint64_t om, oi, m, i, blocks, have, size;
	uint32_t su = q->stripe_unit ? q->stripe_unit : old->stripe_unit;
	int a;

	uint64_t rm[80], ri[80];

	ref_arrays(p, r);
	for (c = 0; c < p->nr_arrays; c++) {
		rm[c] = p->arrays[c].reserved_mbps;
		ri[c] = p->arrays[c].reserved_iops;
	}
	csa_column_share(oq->mbps, oq->iops, C, &om, &oi);
	for (c = 0; c < C * Ko; c++) {
		const struct csa_copy *cp = &old->copies[c];

		a = tp_find(tp, old->arrays[cp->extents[0].array].name);
		if (a >= 0 && p->arrays[a].block_size == old->block_size) {
			rm[a] = rm[a] > om ? rm[a] - om : 0;
			ri[a] = ri[a] > oi ? ri[a] - oi : 0;
		}
	}
	for (c = 0; c < p->nr_arrays; c++) {
		r[c].hm = p->arrays[c].rated_mbps > rm[c] ?
			  p->arrays[c].rated_mbps - rm[c] : 0;
		r[c].hi = p->arrays[c].rated_iops > ri[c] ?
			  p->arrays[c].rated_iops - ri[c] : 0;
	}
	size = cdiv(q->size, old->block_size) * old->block_size;
	blocks = cdiv(size, (uint64_t)su * C) * su / old->block_size;
	csa_column_share(q->mbps, q->iops, C, &m, &i);
	*kept = 0;
	for (c = 0; c < C; c++) {
		nk = 0;
		for (k = 0; k < Ko && nk < K; k++) {
			const struct csa_copy *cp = csa_layout_copy(old, c, k);

			a = tp_find(tp, old->arrays[cp->extents[0].array].name);
			if (a < 0 || p->arrays[a].block_size != old->block_size ||
			    taken[a] || r[a].hm < m || r[a].hi < i)
				continue;
			for (e = 0, have = 0; e < cp->nr_extents; e++)
				have += cp->extents[e].blocks;
			if (blocks > have && r[a].cap < blocks - have)
				continue;
			taken[a] = 1;
			nk++;
		}
		*kept += nk;
		need += K - nk;
	}
	*possible = su == old->stripe_unit &&
		    C * K <= n_bs(p, old->block_size) &&
		    ref_count(p, r, old->block_size, taken, blocks, m, i, 0) >= need;
}

static void one_replan(struct tpool *tp, const struct csa_layout *old,
		       const struct csa_requirements *oq, uint64_t *s,
		       struct counts *c, unsigned it)
{
	struct csa_requirements q = *oq;
	struct csa_plan plan;
	unsigned kept;
	int possible, ret;
	char why[512];

	q.size = old->size + (below(s, 2) ? below(s, old->size + 1) : 0);
	q.mbps = below(s, 2) ? oq->mbps : logu(s, 1, 4000);
	q.iops = below(s, 2) ? oq->iops : logu(s, 10, 300000);
	q.copies = below(s, 3) ? oq->copies : 1 + (unsigned)below(s, 4);
	q.stripe_unit = 0;
	ref_keep(tp, old, oq, &q, &kept, &possible);
	ret = csa_replan(tp_pool(tp), old, oq, &q, &plan);
	c->replans++;
	if (ret && ret != -ENOSPC) {
		c->bad_keep++;
		note(c, "iteration %u: re-plan gave %d: %s", it, ret,
		     plan.refusal.message);
	} else if (ret == -ENOSPC && possible) {
		c->bad_keep++;
		note(c, "iteration %u: re-plan refused where the columns can stay: %s",
		     it, plan.refusal.message);
	} else if (!ret) {
		if (plan_faults(tp, &q, &plan, old, oq, why, sizeof(why))) {
			c->bad_plan++;
			note(c, "iteration %u: re-plan: %s", it, why);
		}
		if (plan.restriped) {
			c->restriped++;
			if (possible) {
				c->bad_keep++;
				note(c, "iteration %u: re-striped where the columns could stay",
				     it);
			}
		} else if (!possible || plan.nr_kept + plan.nr_grown != kept ||
			   plan.layout->nr_columns != old->nr_columns) {
			c->bad_keep++;
			note(c, "iteration %u: re-plan kept %u copies; the reference %u (%s)",
			     it, plan.nr_kept + plan.nr_grown, kept,
			     possible ? "columns can stay" : "columns cannot stay");
		} else {
			c->kept += kept;
		}
	}
	csa_plan_release(&plan);
}

void test_random(uint64_t seed)
{
	struct counts c = { 0 };
	struct csa_layout *vol[MAX_VOLS];
	struct csa_requirements vq[MAX_VOLS], q;
	struct csa_plan plan;
	unsigned it, j, nv, nreq;
	uint64_t s;
	int ret;

	for (it = 0; it < ITERS; it++) {
		struct tpool *tp = tp_new();

		s = seed + it * 0x1000193ull;
		random_pool(tp, &s);
		nv = 0;
		nreq = 1 + (unsigned)below(&s, 15);
		for (j = 0; j < nreq; j++) {
			q = random_req(&s);
			ret = csa_place(tp_pool(tp), &q, &plan);
			one_place(tp, &q, &plan, ret, &c, it);
			if (!ret && nv < MAX_VOLS) {
				tp_apply(tp, &plan);
				vol[nv] = plan.layout;
				vq[nv++] = q;
				plan.layout = NULL;
			}
			csa_plan_release(&plan);
		}
		for (j = 0; j < nv && j < 3; j++)
			one_replan(tp, vol[j], &vq[j], &s, &c, it);
		for (j = 0; j < nv; j++)
			csa_layout_free(vol[j]);
		tp_free(tp);
	}
	printf("# random: %u placed, %u refused, %u invalid; %u re-plans (%u re-striped, %u copies kept)\n",
	       c.placed, c.refused, c.invalid, c.replans, c.restriped, c.kept);
	if (c.first[0])
		printf("# first fault (seed %#" PRIx64 "): %s\n", seed, c.first);
	check(c.placed > 200 && c.refused > 50 && c.invalid > 20 && c.replans > 100,
	      "random: enough of each outcome to mean something");
	check(!c.bad_plan, "random: every placement and re-plan is valid (%u faults)",
	      c.bad_plan);
	check(!c.bad_columns, "random: every placement has the reference's columns (%u not)",
	      c.bad_columns);
	check(!c.bad_refusal, "random: refused exactly when nothing fits, with the reference's code (%u not)",
	      c.bad_refusal);
	check(!c.bad_invalid, "random: bad requests refused as bad_request (%u not)",
	      c.bad_invalid);
	check(!c.bad_keep, "random: re-plans keep exactly the copies that can stay (%u not)",
	      c.bad_keep);
}
