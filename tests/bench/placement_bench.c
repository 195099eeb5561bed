// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The placement benchmark (run by tests/bench/placement, which builds it).
 *
 * Quality: random instances of 8 empty arrays (400-1600 MB/s, 20k-120k
 * IOPS, 1-4 TiB on 1 or 2 LUNs each) and 30-60 volume requests of three
 * kinds (bandwidth: 50-500 GiB at 100-600 MB/s; transactions: 20-200 GiB
 * at 5k-40k IOPS; capacity: 200-1500 GiB at little of either), 1, 2 or 3
 * copies, each resource's demand scaled to a random 0.8-1.2 x what the
 * arrays have (--load). The requests are placed online, in arrival order,
 * by csa_place (best fit), each kept if placed. Figures, in requested MB/s
 * admitted:
 *   - against the exact offline optimum (placement_opt.h): the subset worth
 *     the most that can be placed together. Its search starts from the best
 *     of online and two offline orders placed by the planner itself; where
 *     it stops short it gives a range [best found, upper bound] and the
 *     ratio is taken against the bound, so it never flatters;
 *   - against "ideal online": arrival order again, admitting whenever the
 *     whole admitted set can be packed at all, re-packing freely (which a
 *     running system could only do by migrating). It separates what the
 *     planner loses by its choices from what any arrival-order admission
 *     loses to an offline choice of requests; "ideal online vs optimal"
 *     is that second part. (The planner can come out above ideal online
 *     on an instance: a request it cannot fit, and ideal online can,
 *     leaves room for a later one worth more.)
 *   - first fit, and a shorter run at lighter and heavier loads (--sweep).
 *
 * Speed: 64 arrays of 4 LUNs; 1300 volumes created through csa_place and
 * 300 of them deleted at random, leaving 1000 and holes in the free
 * space; then 2000 random requests planned (not kept), 300 re-plans of
 * random volumes, and 500 more requests kept when placed until the pool
 * is full (mostly refusals at the end), each call timed alone.
 *
 * Prints the figures, then "bench: admitted_vs_optimal=R plan_ms_p99=T
 * ideal_online_vs_optimal=R"
 * (R: mean over instances against the optimum; T: p99 of every csa_place
 * timed). Exit 0, or 1 if something could not be measured.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "primary/placement.h"
#include "tests/bench/placement_opt.h"

#define GiB	(1ull << 30)
#define TiB	(1ull << 40)
#define LUNS	4

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint64_t uni(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + rnd(s) % (hi - lo + 1);
}

/* About log-uniform in [lo, hi] (2^x taken as linear between powers). */
static uint64_t logu(uint64_t *s, uint64_t lo, uint64_t hi)
{
	double r = (double)(rnd(s) >> 11) / 9007199254740992.0;
	double v = (double)lo, span = 0;

	for (; v * 2 <= (double)hi; v *= 2)
		span++;
	span += (double)hi / v - 1;	/* log2(hi / lo), roughly */
	r *= span;
	for (v = (double)lo; r >= 1; r -= 1)
		v *= 2;
	v *= 1 + r;
	return v > (double)hi ? hi : (uint64_t)v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- a pool that volumes come and go on ------------------------------------ */

struct bpool {
	unsigned nr;
	struct csa_pool_array *a;
	struct csa_pool_lun *l;			/* nr * LUNS */
	struct csa_pool_extent **used;		/* nr * LUNS, ours */
	unsigned *cap;				/* nr * LUNS */
	struct csa_pool pool;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "placement-bench: out of memory\n");
		exit(1);
	}
	return p;
}

static void bp_init(struct bpool *bp, unsigned nr)
{
	bp->nr = nr;
	bp->a = xcalloc(nr, sizeof(*bp->a));
	bp->l = xcalloc((size_t)nr * LUNS, sizeof(*bp->l));
	bp->used = xcalloc((size_t)nr * LUNS, sizeof(*bp->used));
	bp->cap = xcalloc((size_t)nr * LUNS, sizeof(*bp->cap));
	bp->pool.nr_arrays = nr;
	bp->pool.arrays = bp->a;
}

static void bp_free(struct bpool *bp)
{
	unsigned i;

	for (i = 0; i < bp->nr * LUNS; i++)
		free(bp->used[i]);
	free(bp->used);
	free(bp->cap);
	free(bp->l);
	free(bp->a);
}

static void bp_array(struct bpool *bp, unsigned i, uint32_t bs, uint64_t mbps,
		     uint64_t iops, unsigned luns, const uint64_t *bytes)
{
	struct csa_pool_array *a = &bp->a[i];
	unsigned li;

	snprintf(a->name, sizeof(a->name), "a%u", i + 1);
	snprintf(a->portal, sizeof(a->portal), "10.0.%u.%u:3260", i / 250, i % 250 + 1);
	snprintf(a->target, sizeof(a->target), "iqn.2024-01.org.csafs:a%u", i + 1);
	a->block_size = bs;
	a->rated_mbps = mbps;
	a->rated_iops = iops;
	a->nr_luns = luns;
	a->luns = &bp->l[i * LUNS];
	for (li = 0; li < luns; li++)
		bp->l[i * LUNS + li] = (struct csa_pool_lun){ .lun = li + 1,
			.blocks = (4u << 20) / bs + bytes[li] / bs,
			.reserved_blocks = (4u << 20) / bs };
}

/* The array named "a<N>" is index N - 1 (bp_array names them so). */
static int bp_index(const char *name)
{
	return atoi(name + 1) - 1;
}

static void bp_use(struct bpool *bp, unsigned slot, uint64_t start,
		   uint64_t blocks)
{
	struct csa_pool_lun *l = &bp->l[slot];

	if (l->nr_used == bp->cap[slot]) {
		bp->cap[slot] = bp->cap[slot] ? bp->cap[slot] * 2 : 16;
		bp->used[slot] = realloc(bp->used[slot],
					 bp->cap[slot] * sizeof(*bp->used[slot]));
		if (!bp->used[slot]) {
			fprintf(stderr, "placement-bench: out of memory\n");
			exit(1);
		}
	}
	bp->used[slot][l->nr_used++] = (struct csa_pool_extent){ start, blocks };
	l->used = bp->used[slot];
}

/* Take (@sign 1) or give back (-1) a layout's extents and shares. */
static void bp_apply(struct bpool *bp, const struct csa_layout *l,
		     uint64_t mbps, uint64_t iops, int sign)
{
	unsigned i, e, n = l->nr_columns * l->nr_copies, slot, u;
	const struct csa_extent *x;
	struct csa_pool_lun *lun;
	int a;

	for (i = 0; i < n; i++) {
		for (e = 0; e < l->copies[i].nr_extents; e++) {
			x = &l->copies[i].extents[e];
			a = bp_index(l->arrays[x->array].name);
			slot = (unsigned)a * LUNS + x->lun - 1;
			if (sign > 0) {
				bp_use(bp, slot, x->start_lba, x->blocks);
				continue;
			}
			lun = &bp->l[slot];
			for (u = 0; u < lun->nr_used; u++)
				if (bp->used[slot][u].start_lba == x->start_lba &&
				    bp->used[slot][u].blocks == x->blocks) {
					bp->used[slot][u] = bp->used[slot][--lun->nr_used];
					break;
				}
		}
		a = bp_index(l->arrays[l->copies[i].extents[0].array].name);
		if (sign > 0) {
			bp->a[a].reserved_mbps += mbps;
			bp->a[a].reserved_iops += iops;
		} else {
			bp->a[a].reserved_mbps -= mbps;
			bp->a[a].reserved_iops -= iops;
		}
	}
}

/* ---- quality ------------------------------------------------------------------- */

struct inst {
	struct bpool bp;
	unsigned n;
	struct csa_requirements req[OPT_ITEMS];
};

static double load_lo = 0.8, load_hi = 1.2;	/* --load; main sets them */

static void make_instance(struct inst *in, uint64_t *s)
{
	static const unsigned copies[] = { 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3 };
	uint64_t bytes[2], total[3] = { 0 }, demand[3] = { 0 }, v;
	double f[3];
	unsigned i, luns, d;
	struct csa_requirements *q;

	bp_init(&in->bp, OPT_ARRAYS);
	for (i = 0; i < OPT_ARRAYS; i++) {
		luns = (unsigned)uni(s, 1, 2);
		bytes[0] = uni(s, 1024, 4096) * GiB / luns;
		bytes[1] = bytes[0];
		bp_array(&in->bp, i, 4096, uni(s, 400, 1600), uni(s, 20000, 120000),
			 luns, bytes);
		total[0] += bytes[0] * luns;
		total[1] += in->bp.a[i].rated_mbps;
		total[2] += in->bp.a[i].rated_iops;
	}
	in->n = (unsigned)uni(s, 30, 60);
	for (i = 0; i < in->n; i++) {
		q = &in->req[i];
		*q = (struct csa_requirements){ .copies = copies[uni(s, 0, 12)],
						.fit = CSA_FIT_BEST };
		switch (uni(s, 0, 2)) {
		case 0:		/* bandwidth */
			q->size = uni(s, 50, 500) * GiB;
			q->mbps = uni(s, 100, 600);
			q->iops = uni(s, 500, 5000);
			break;
		case 1:		/* transactions */
			q->size = uni(s, 20, 200) * GiB;
			q->mbps = uni(s, 10, 100);
			q->iops = uni(s, 5000, 40000);
			break;
		default:	/* capacity */
			q->size = uni(s, 200, 1500) * GiB;
			q->mbps = uni(s, 10, 100);
			q->iops = uni(s, 200, 2000);
		}
		demand[0] += q->size * q->copies;
		demand[1] += q->mbps * q->copies;
		demand[2] += q->iops * q->copies;
	}
	/* scale each resource's demand to load_lo .. load_hi x what there is */
	for (d = 0; d < 3; d++)
		f[d] = (load_lo + (load_hi - load_lo) * (double)uni(s, 0, 1000) / 1000.0) *
		       (double)total[d] / (double)demand[d];
	for (i = 0; i < in->n; i++) {
		q = &in->req[i];
		v = (uint64_t)((double)q->size * f[0]);
		q->size = v < GiB ? GiB : v / GiB * GiB;
		v = (uint64_t)((double)q->mbps * f[1] + 0.5);
		q->mbps = v ? v : 1;
		v = (uint64_t)((double)q->iops * f[2] + 0.5);
		q->iops = v ? v : 1;
	}
}

/* Fresh copy of the instance's empty pool. */
static void fresh_pool(const struct inst *in, struct bpool *bp)
{
	unsigned i, li;
	uint64_t bytes[LUNS];

	bp_init(bp, in->bp.nr);
	for (i = 0; i < in->bp.nr; i++) {
		for (li = 0; li < in->bp.a[i].nr_luns; li++)
			bytes[li] = (in->bp.l[i * LUNS + li].blocks -
				     in->bp.l[i * LUNS + li].reserved_blocks) *
				    in->bp.a[i].block_size;
		bp_array(bp, i, in->bp.a[i].block_size, in->bp.a[i].rated_mbps,
			 in->bp.a[i].rated_iops, in->bp.a[i].nr_luns, bytes);
	}
}

/* Place the requests in @order, keeping each one placed; MB/s admitted. */
static uint64_t run_order(const struct inst *in, const unsigned *order,
			  enum csa_fit fit, unsigned *placed, int *err)
{
	struct bpool bp;
	struct csa_plan plan;
	struct csa_requirements q;
	uint64_t mbps = 0;
	unsigned i;
	int ret;

	fresh_pool(in, &bp);
	*placed = 0;
	for (i = 0; i < in->n; i++) {
		q = in->req[order[i]];
		q.fit = fit;
		ret = csa_place(&bp.pool, &q, &plan);
		if (!ret) {
			bp_apply(&bp, plan.layout, plan.column_mbps, plan.column_iops, 1);
			mbps += q.mbps;
			++*placed;
		} else if (ret != -ENOSPC) {
			fprintf(stderr, "placement-bench: csa_place: %d %s\n", ret,
				plan.refusal.message);
			*err = 1;
		}
		csa_plan_release(&plan);
	}
	bp_free(&bp);
	return mbps;
}

/* The planner's model of the instance, for the exact search. */
static void model(const struct inst *in, struct opt_problem *p)
{
	const struct csa_requirements *q;
	struct opt_item *it;
	uint32_t bs = in->bp.a[0].block_size, su;
	uint64_t size, row, rows, m, io;
	unsigned i, li, C;

	memset(p, 0, sizeof(*p));
	p->nr_arrays = in->bp.nr;
	for (i = 0; i < in->bp.nr; i++) {
		for (li = 0; li < in->bp.a[i].nr_luns; li++)
			p->cap[i][0] += in->bp.l[i * LUNS + li].blocks -
					in->bp.l[i * LUNS + li].reserved_blocks;
		p->cap[i][1] = in->bp.a[i].rated_mbps;
		p->cap[i][2] = in->bp.a[i].rated_iops;
	}
	p->nr_items = in->n;
	for (i = 0; i < in->n; i++) {
		q = &in->req[i];
		it = &p->item[i];
		it->value = q->mbps;
		it->copies = q->copies;
		it->maxc = OPT_ARRAYS / q->copies;
		su = csa_default_stripe_unit(q->mbps, q->iops);
		if (su < bs)
			su = bs;
		size = (q->size + bs - 1) / bs * bs;
		for (C = 1; C <= it->maxc; C++) {
			row = (uint64_t)su * C;
			rows = size / row + (size % row != 0);
			csa_column_share(q->mbps, q->iops, C, &m, &io);
			it->need[C][0] = rows * su / bs;
			it->need[C][1] = m;
			it->need[C][2] = io;
		}
	}
}

struct order_key {
	double key;
	unsigned i;
};

static int key_desc(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Offline orders placed by the planner (largest MB/s first; most MB/s
 * per share of the pool's resources first): the best is reachable. */
static uint64_t offline_orders(const struct inst *in, int *err)
{
	struct order_key k[OPT_ITEMS];
	unsigned order[OPT_ITEMS], i, a, li, placed, pass;
	double tot[3] = { 0 }, use;
	uint64_t best = 0, v;
	const struct csa_requirements *q;

	for (a = 0; a < in->bp.nr; a++) {
		for (li = 0; li < in->bp.a[a].nr_luns; li++)
			tot[0] += (double)(in->bp.l[a * LUNS + li].blocks *
					   in->bp.a[a].block_size);
		tot[1] += (double)in->bp.a[a].rated_mbps;
		tot[2] += (double)in->bp.a[a].rated_iops;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < in->n; i++) {
			q = &in->req[i];
			use = (double)q->copies * ((double)q->size / tot[0] +
						   (double)q->mbps / tot[1] +
						   (double)q->iops / tot[2]);
			k[i].i = i;
			k[i].key = pass == 0 ? (double)q->mbps : (double)q->mbps / use;
		}
		qsort(k, in->n, sizeof(*k), key_desc);
		for (i = 0; i < in->n; i++)
			order[i] = k[i].i;
		v = run_order(in, order, CSA_FIT_BEST, &placed, err);
		if (v > best)
			best = v;
	}
	return best;
}

struct quality {
	double ratio, ratio_best, ratio_ideal, ratio_min, first;
	double ideal_opt, ideal_best;	/* ideal online against the optimum */
	unsigned n, exact, full;
	double ms;
};

/* Arrival order again, admitting whenever everything admitted so far
 * plus the new request can be packed at all, re-packing freely (which a
 * running system cannot do without migrating): what any placement could
 * admit in this order. Requests left undecided are not admitted. */
static uint64_t ideal_online(const struct inst *in, const struct opt_problem *p)
{
	unsigned adm[OPT_ITEMS], na = 0, i;
	uint64_t v = 0;

	for (i = 0; i < in->n; i++) {
		adm[na] = i;
		if (opt_packable(p, adm, na + 1, 100000) == 1) {
			v += in->req[i].mbps;
			na++;
		}
	}
	return v;
}

static void quality(unsigned instances, uint64_t seed, int verbose,
		    struct quality *Q, int *err)
{
	struct inst in;
	struct opt_problem *p = xcalloc(1, sizeof(*p));
	struct opt_result r;
	unsigned order[OPT_ITEMS], i, j, placed, pf;
	uint64_t s, online, first, lower, demand, opt, ideal;
	double t0, ratio;

	memset(Q, 0, sizeof(*Q));
	Q->ratio_min = 1;
	if (verbose)
		printf("  %4s %4s %6s %6s %6s %6s %13s %6s %6s %7s %6s\n", "inst",
		       "reqs", "asked", "online", "first", "ideal",
		       "optimum", "ratio", "/ideal", "placed", "ms");
	for (j = 0; j < instances; j++) {
		s = seed + j * 0x9e3779b9ull;
		make_instance(&in, &s);
		for (i = 0; i < in.n; i++)
			order[i] = i;
		online = run_order(&in, order, CSA_FIT_BEST, &placed, err);
		first = run_order(&in, order, CSA_FIT_FIRST, &pf, err);
		lower = offline_orders(&in, err);
		if (online > lower)
			lower = online;
		for (i = 0, demand = 0; i < in.n; i++)
			demand += in.req[i].mbps;
		model(&in, p);
		p->incumbent = lower;
		p->pack_limit = 100000;
		p->pack_budget = 2000000;
		p->node_limit = 2000000;
		t0 = now_ms();
		opt_solve(p, &r);
		ideal = ideal_online(&in, p);
		t0 = now_ms() - t0;
		bp_free(&in.bp);
		/* against the bound when not exact: never flattering */
		opt = r.bound;
		ratio = opt ? (double)online / (double)opt : 1.0;
		Q->ratio += ratio;
		Q->ratio_best += r.best ? (double)online / (double)r.best : 1.0;
		Q->ratio_ideal += ideal ? (double)online / (double)ideal : 1.0;
		Q->ideal_opt += opt ? (double)ideal / (double)opt : 1.0;
		Q->ideal_best += r.best ? (double)ideal / (double)r.best : 1.0;
		Q->first += opt ? (double)first / (double)opt : 1.0;
		if (ratio < Q->ratio_min)
			Q->ratio_min = ratio;
		Q->exact += r.exact;
		Q->full += r.best == demand;
		Q->ms += t0;
		Q->n++;
		if (!verbose)
			continue;
		if (r.exact)
			printf("  %4u %4u %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
			       " %13" PRIu64, j, in.n, demand, online, first, ideal, opt);
		else
			printf("  %4u %4u %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
			       " %6" PRIu64 "..%-5" PRIu64, j, in.n, demand, online, first,
			       ideal, r.best, r.bound);
		printf(" %6.3f %6.3f %3u/%-3u %6.0f\n", ratio,
		       ideal ? (double)online / (double)ideal : 1.0, placed, in.n, t0);
	}
	free(p);
}

static void print_quality(const struct quality *Q)
{
	printf("  admitted vs optimal: mean %.3f (min %.3f; %.3f against the best subset found);"
	       " first fit %.3f\n", Q->ratio / Q->n, Q->ratio_min,
	       Q->ratio_best / Q->n, Q->first / Q->n);
	printf("  admitted vs ideal online: mean %.3f; ideal online vs optimal: mean %.3f (%.3f against the\n"
	       "  best subset found): what admitting in arrival order loses even with free re-packing\n",
	       Q->ratio_ideal / Q->n, Q->ideal_opt / Q->n, Q->ideal_best / Q->n);
	printf("  optimum exact on %u of %u instances (the others: ratio against the upper bound),"
	       " all requests admissible on %u; %.1f s of search\n",
	       Q->exact, Q->n, Q->full, Q->ms / 1000);
}

/* ---- speed ----------------------------------------------------------------------- */

static struct csa_requirements speed_req(uint64_t *s)
{
	static const unsigned copies[] = { 1, 1, 1, 1, 1, 1, 2, 2, 2, 3 };
	struct csa_requirements q = { .copies = copies[uni(s, 0, 9)],
				      .fit = uni(s, 0, 9) ? CSA_FIT_BEST : CSA_FIT_FIRST };

	q.size = logu(s, 1, 2048) * GiB;
	q.mbps = uni(s, 0, 9) < 3 ? 0 : logu(s, 10, 3000);
	q.iops = uni(s, 0, 9) < 3 ? 0 : logu(s, 100, 100000);
	return q;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(double *v, unsigned n, double q)
{
	unsigned i = (unsigned)(q * (n - 1) + 0.5);

	return n ? v[i] : 0;
}

struct vol {
	struct csa_layout *l;
	struct csa_requirements q;
	uint64_t cm, ci;
};

static void speed(uint64_t seed, unsigned requests, double *p99, int *err)
{
	struct bpool bp;
	struct vol *v = xcalloc(1300 + 500, sizeof(*v));
	double *t = xcalloc(requests + 500, sizeof(*t)), *tr = xcalloc(300, sizeof(*tr));
	double p99a;
	struct csa_requirements q;
	struct csa_plan plan;
	uint64_t s = seed ^ 0x5bd1e995ull, bytes[LUNS], extents = 0, res[6] = { 0 };
	unsigned i, j, nv = 0, tries = 0, placed = 0, refused = 0, li, gone;
	int ret;
	double t0;

	bp_init(&bp, 64);
	for (i = 0; i < 64; i++) {
		for (li = 0; li < LUNS; li++)
			bytes[li] = uni(&s, 1, 4) * TiB;
		bp_array(&bp, i, 512, uni(&s, 2000, 8000), uni(&s, 100000, 400000),
			 LUNS, bytes);
	}
	while (nv < 1300 && tries++ < 100000) {
		q = speed_req(&s);
		if (csa_place(&bp.pool, &q, &plan) == 0) {
			bp_apply(&bp, plan.layout, plan.column_mbps, plan.column_iops, 1);
			v[nv] = (struct vol){ plan.layout, q, plan.column_mbps,
					      plan.column_iops };
			plan.layout = NULL;
			nv++;
		}
		csa_plan_release(&plan);
	}
	if (nv < 1300) {
		fprintf(stderr, "placement-bench: only %u volumes could be created\n", nv);
		*err = 1;
	}
	for (gone = 0; gone < 300 && nv > 1000; gone++) {	/* delete 300 */
		j = (unsigned)uni(&s, 0, nv - 1);
		bp_apply(&bp, v[j].l, v[j].cm, v[j].ci, -1);
		csa_layout_free(v[j].l);
		v[j] = v[--nv];
	}
	for (i = 0; i < bp.nr * LUNS; i++)
		extents += bp.l[i].nr_used;
	for (i = 0; i < bp.nr; i++) {
		res[0] += bp.a[i].reserved_mbps;
		res[1] += bp.a[i].rated_mbps;
		res[2] += bp.a[i].reserved_iops;
		res[3] += bp.a[i].rated_iops;
	}
	for (i = 0; i < bp.nr * LUNS; i++) {
		res[5] += bp.l[i].blocks - bp.l[i].reserved_blocks;
		for (j = 0; j < bp.l[i].nr_used; j++)
			res[4] += bp.l[i].used[j].blocks;
	}
	printf("speed: 64 arrays x %u LUNs, %u volumes (1300 created in %u requests, %u deleted), %" PRIu64
	       " used extents;\n  reserved %.0f%% of MB/s, %.0f%% of IOPS, %.0f%% of space\n",
	       LUNS, nv, tries, gone, extents, 100.0 * (double)res[0] / (double)res[1],
	       100.0 * (double)res[2] / (double)res[3], 100.0 * (double)res[4] / (double)res[5]);
	for (i = 0; i < requests; i++) {
		q = speed_req(&s);
		t0 = now_ms();
		ret = csa_place(&bp.pool, &q, &plan);
		t[i] = now_ms() - t0;
		placed += ret == 0;
		refused += ret == -ENOSPC;
		if (ret && ret != -ENOSPC) {
			fprintf(stderr, "placement-bench: csa_place: %d %s\n", ret,
				plan.refusal.message);
			*err = 1;
		}
		csa_plan_release(&plan);
	}
	qsort(t, requests, sizeof(*t), dbl_cmp);
	p99a = pct(t, requests, 0.99);
	printf("  place:  %u requests on %u volumes (%u would be placed, %u refused; none kept):\n"
	       "          p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       requests, nv, placed, refused, pct(t, requests, 0.5), p99a,
	       t[requests - 1]);
	for (i = 0, placed = 0; i < 300 && nv; i++) {
		j = (unsigned)uni(&s, 0, nv - 1);
		q = v[j].q;
		q.size += uni(&s, 0, 2) ? 0 : q.size / 2;
		q.mbps = uni(&s, 0, 1) ? q.mbps : q.mbps * 2;
		t0 = now_ms();
		ret = csa_replan(&bp.pool, v[j].l, &v[j].q, &q, &plan);
		tr[i] = now_ms() - t0;
		placed += ret == 0;
		if (ret && ret != -ENOSPC) {
			fprintf(stderr, "placement-bench: csa_replan: %d %s\n", ret,
				plan.refusal.message);
			*err = 1;
		}
		csa_plan_release(&plan);
	}
	qsort(tr, i, sizeof(*tr), dbl_cmp);
	printf("  replan: %u re-plans (%u placed): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       i, placed, pct(tr, i, 0.5), pct(tr, i, 0.99), i ? tr[i - 1] : 0);
	/* then 500 more, kept when placed, until the pool is full */
	for (i = 0, placed = 0, refused = 0; i < 500; i++) {
		q = speed_req(&s);
		t0 = now_ms();
		ret = csa_place(&bp.pool, &q, &plan);
		t[requests + i] = now_ms() - t0;
		if (!ret) {
			bp_apply(&bp, plan.layout, plan.column_mbps, plan.column_iops, 1);
			v[nv++] = (struct vol){ plan.layout, q, plan.column_mbps,
						plan.column_iops };
			plan.layout = NULL;
			placed++;
		}
		refused += ret == -ENOSPC;
		csa_plan_release(&plan);
	}
	qsort(t + requests, 500, sizeof(*t), dbl_cmp);
	printf("  fill:   500 requests kept when placed (%u placed, %u refused, %u volumes at the end):\n"
	       "          p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", placed, refused, nv,
	       pct(t + requests, 500, 0.5), pct(t + requests, 500, 0.99),
	       t[requests + 499]);
	qsort(t, requests + 500, sizeof(*t), dbl_cmp);
	*p99 = pct(t, requests + 500, 0.99);
	printf("  every csa_place above: p99 %.3f ms (%.3f at 1000 volumes)\n", *p99, p99a);
	for (j = 0; j < nv; j++)
		csa_layout_free(v[j].l);
	free(v);
	free(t);
	free(tr);
	bp_free(&bp);
}

/* ---- main --------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	unsigned instances = 30, sweep = 8, requests = 2000, i;
	uint64_t seed = 0x706c6163656d6e74ull;
	double lo = 0.8, hi = 1.2, p99 = 0, head;
	static const double bands[][2] = { { 0.6, 0.9 }, { 1.2, 1.5 } };
	struct quality Q, W;
	int err = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < (unsigned)argc; i++) {
		if (!strcmp(argv[i], "--instances") && i + 1 < (unsigned)argc)
			instances = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sweep") && i + 1 < (unsigned)argc)
			sweep = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned)argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--requests") && i + 1 < (unsigned)argc)
			requests = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--load") && i + 1 < (unsigned)argc &&
			 sscanf(argv[++i], "%lf,%lf", &lo, &hi) == 2 && lo > 0 && hi >= lo)
			;
		else {
			fprintf(stderr, "usage: placement-bench [--instances N] [--sweep N] [--seed S] [--requests N] [--load LO,HI]\n");
			return 2;
		}
	}
	if (!instances || !requests) {
		fprintf(stderr, "placement-bench: nothing to measure\n");
		return 1;
	}
	printf("quality: %u instances of 8 arrays and 30-60 requests, each resource asked %.2f-%.2f x what the arrays have (seed %#" PRIx64 ")\n",
	       instances, lo, hi, seed);
	printf("  asked/online/first/ideal/optimum: requested MB/s; online = csa_place best fit in arrival order,\n"
	       "  first = first fit, ideal = arrival order with free re-packing, optimum = exact offline\n"
	       "  (a..b when the search left it between a and b); ratio = online / optimum (b if a range)\n");
	load_lo = lo;
	load_hi = hi;
	quality(instances, seed, 1, &Q, &err);
	print_quality(&Q);
	head = Q.ratio / Q.n;
	for (i = 0; i < sizeof(bands) / sizeof(bands[0]) && sweep; i++) {
		load_lo = bands[i][0];
		load_hi = bands[i][1];
		quality(sweep, seed ^ 0xabcdefull, 0, &W, &err);
		printf("load %.2f-%.2f x, %u instances: admitted vs optimal %.3f (min %.3f), vs ideal online %.3f, exact %u/%u\n",
		       load_lo, load_hi, sweep, W.ratio / W.n, W.ratio_min,
		       W.ratio_ideal / W.n, W.exact, W.n);
	}
	speed(seed, requests, &p99, &err);
	if (err) {
		fprintf(stderr, "placement-bench: could not measure\n");
		return 1;
	}
	/* The ceiling of any arrival-order policy goes with the headline. */
	printf("bench: admitted_vs_optimal=%.3f plan_ms_p99=%.3f ideal_online_vs_optimal=%.3f\n",
	       head, p99, Q.ideal_opt / Q.n);
	return 0;
}
