// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exact offline optimum of a placement instance (placement_opt.h):
 * branch and bound over subsets, each taken item placed at once, a full
 * re-pack when it does not fit where the items above it left room.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/bench/placement_opt.h"

typedef uint64_t res_t[OPT_ARRAYS][OPT_DIMS];

struct solver {
	const struct opt_problem *p;
	struct opt_result *r;
	unsigned n;			/* items considered, by value */
	unsigned item[OPT_ITEMS];	/* position -> index in p->item */
	uint64_t minc[OPT_ITEMS][OPT_DIMS];	/* least total use, by position */
	uint64_t total[OPT_DIMS];
	unsigned dord[OPT_DIMS][OPT_ITEMS];	/* positions by value / minc */
	unsigned taken[OPT_ITEMS], nt;	/* positions taken on the path */
	uint64_t best, unknown;
};

/* ---- placing one item ---------------------------------------------------- */

static int covers(const uint64_t *res, const uint64_t *need)
{
	return res[0] >= need[0] && res[1] >= need[1] && res[2] >= need[2];
}

static double util_after(const struct opt_problem *p, const res_t res,
			 unsigned a, const uint64_t *need)
{
	double u = 0, v;
	unsigned d;

	for (d = 0; d < OPT_DIMS; d++) {
		if (!p->cap[a][d])
			continue;
		v = (double)(p->cap[a][d] - res[a][d] + need[d]) / (double)p->cap[a][d];
		if (v > u)
			u = v;
	}
	return u;
}

/* The planner's rule: fewest columns, least loaded arrays. 1 if placed
 * (res updated), 0 if it fits nowhere. */
static int place_greedy(const struct opt_problem *p, const struct opt_item *it,
			res_t res)
{
	unsigned C, a, m, n, i, j, pick[OPT_ARRAYS], d;
	double u[OPT_ARRAYS], t;

	for (C = 1; C <= it->maxc; C++) {
		m = C * it->copies;
		n = 0;
		for (a = 0; a < p->nr_arrays; a++)
			if (covers(res[a], it->need[C])) {
				pick[n] = a;
				u[n++] = util_after(p, res, a, it->need[C]);
			}
		if (n < m)
			continue;
		for (i = 1; i < n; i++)	/* insertion sort by utilisation */
			for (j = i; j > 0 && u[j] < u[j - 1]; j--) {
				t = u[j]; u[j] = u[j - 1]; u[j - 1] = t;
				a = pick[j]; pick[j] = pick[j - 1]; pick[j - 1] = a;
			}
		for (i = 0; i < m; i++)
			for (d = 0; d < OPT_DIMS; d++)
				res[pick[i]][d] -= it->need[C][d];
		return 1;
	}
	return 0;
}

/* 1 if @it fits alone in @res with some column count. */
static int fits_alone(const struct opt_problem *p, const struct opt_item *it,
		      const res_t res)
{
	unsigned C, a, n;

	for (C = 1; C <= it->maxc; C++) {
		for (a = 0, n = 0; a < p->nr_arrays; a++)
			n += covers(res[a], it->need[C]);
		if (n >= C * it->copies)
			return 1;
	}
	return 0;
}

/* ---- re-packing a whole subset --------------------------------------------- */

struct packer {
	struct solver *s;
	unsigned n;
	unsigned item[OPT_ITEMS];	/* positions, hardest first */
	uint64_t limit, nodes;
	uint64_t (*out)[OPT_DIMS];	/* the residue once packed */
};

static int pack(struct packer *pk, unsigned idx, res_t res);

/* Choose @m of the @n arrays in @e (sorted so equal states are adjacent)
 * from @from on, then go on packing; equal states are tried once. */
static int choose(struct packer *pk, unsigned idx, const struct opt_item *it,
		  unsigned C, const unsigned *e, unsigned n, unsigned from,
		  unsigned m, res_t res)
{
	unsigned i, d, a;
	int ret;

	if (!m)
		return pack(pk, idx + 1, res);
	for (i = from; i + m <= n; i++) {
		a = e[i];
		/* an array in the same state as one just skipped: skip it too */
		if (i > from && !memcmp(res[e[i - 1]], res[a], sizeof(res[a])))
			continue;
		for (d = 0; d < OPT_DIMS; d++)
			res[a][d] -= it->need[C][d];
		ret = choose(pk, idx, it, C, e, n, i + 1, m - 1, res);
		for (d = 0; d < OPT_DIMS; d++)
			res[a][d] += it->need[C][d];
		if (ret)
			return ret;	/* 1 packed, -1 gave up */
	}
	return 0;
}

static int pack(struct packer *pk, unsigned idx, res_t res)
{
	const struct opt_problem *p = pk->s->p;
	const struct opt_item *it;
	unsigned C, a, n, i, j, e[OPT_ARRAYS], t, d;
	uint64_t left[OPT_DIMS] = { 0 }, have[OPT_DIMS] = { 0 };
	double key[OPT_ARRAYS], k;
	int ret;

	if (idx == pk->n) {
		memcpy(pk->out, res, sizeof(res_t));
		return 1;
	}
	if (++pk->nodes > pk->limit)
		return -1;
	/* what is left must fit in total, and each item alone */
	for (i = idx; i < pk->n; i++) {
		for (d = 0; d < OPT_DIMS; d++)
			left[d] += pk->s->minc[pk->item[i]][d];
		if (!fits_alone(p, &p->item[pk->s->item[pk->item[i]]], res))
			return 0;
	}
	for (a = 0; a < p->nr_arrays; a++)
		for (d = 0; d < OPT_DIMS; d++)
			have[d] += res[a][d];
	for (d = 0; d < OPT_DIMS; d++)
		if (left[d] > have[d])
			return 0;
	it = &p->item[pk->s->item[pk->item[idx]]];
	for (C = 1; C <= it->maxc; C++) {
		n = 0;
		for (a = 0; a < p->nr_arrays; a++)
			if (covers(res[a], it->need[C])) {
				e[n] = a;
				key[n++] = util_after(p, res, a, it->need[C]);
			}
		if (n < C * it->copies)
			continue;
		/* least loaded first; equal states side by side */
		for (i = 1; i < n; i++)
			for (j = i; j > 0; j--) {
				int cmp = key[j] < key[j - 1] ? -1 : key[j] > key[j - 1];

				if (!cmp)
					cmp = memcmp(res[e[j]], res[e[j - 1]], sizeof(res[0]));
				if (cmp >= 0)
					break;
				k = key[j]; key[j] = key[j - 1]; key[j - 1] = k;
				t = e[j]; e[j] = e[j - 1]; e[j - 1] = t;
			}
		ret = choose(pk, idx, it, C, e, n, 0, C * it->copies, res);
		if (ret)
			return ret;
	}
	return 0;
}

/* Re-pack the taken items plus position @k from empty arrays: 1 with
 * @out, 0 cannot, -1 gave up. */
static int repack(struct solver *s, unsigned k, res_t out)
{
	const struct opt_problem *p = s->p;
	struct packer pk = { .s = s, .limit = p->pack_limit, .out = out };

	double hard[OPT_ITEMS], h, v;
	unsigned i, j, t, d;
	res_t work;
	int ret;

	if (s->r->pack_nodes >= p->pack_budget) {
		s->r->repack_unknown++;
		return -1;
	}
	if (pk.limit > p->pack_budget - s->r->pack_nodes)
		pk.limit = p->pack_budget - s->r->pack_nodes;

	memcpy(pk.item, s->taken, s->nt * sizeof(*pk.item));
	pk.item[s->nt] = k;
	pk.n = s->nt + 1;
	for (i = 0; i < pk.n; i++) {
		for (h = 0, d = 0; d < OPT_DIMS; d++) {
			v = s->total[d] ?
			    (double)s->minc[pk.item[i]][d] / (double)s->total[d] : 0;
			if (v > h)
				h = v;
		}
		hard[i] = h;
	}
	for (i = 1; i < pk.n; i++)	/* hardest first */
		for (j = i; j > 0 && hard[j] > hard[j - 1]; j--) {
			h = hard[j]; hard[j] = hard[j - 1]; hard[j - 1] = h;
			t = pk.item[j]; pk.item[j] = pk.item[j - 1]; pk.item[j - 1] = t;
		}
	memcpy(work, p->cap, sizeof(work));
	ret = pack(&pk, 0, work);
	s->r->pack_nodes += pk.nodes;
	s->r->repacks++;
	s->r->repack_failed += ret == 0;
	s->r->repack_unknown += ret < 0;
	return ret;
}

/* ---- bounds ---------------------------------------------------------------- */

/*
 * Value so far plus the most the items from position @k on could add,
 * fractionally, within what the taken items leave at the least (@used:
 * their least total use). Per resource, and on the three summed with
 * weights 1 / what is left: the smallest of the four.
 */
static uint64_t bound(const struct solver *s, unsigned k, uint64_t value,
		      const uint64_t *used)
{
	const struct opt_problem *p = s->p;
	double rem[OPT_DIMS], b, best = -1, cap, w[OPT_ITEMS], x, t;
	unsigned d, i, j, pos, ord[OPT_ITEMS], n = 0;

	for (d = 0; d < OPT_DIMS; d++)
		rem[d] = (double)(s->total[d] - used[d]);
	for (d = 0; d < OPT_DIMS; d++) {
		cap = rem[d];
		b = 0;
		for (i = 0; i < s->n; i++) {
			pos = s->dord[d][i];
			if (pos < k)
				continue;
			x = (double)s->minc[pos][d];
			if (x <= cap) {
				b += (double)p->item[s->item[pos]].value;
				cap -= x;
			} else {
				b += (double)p->item[s->item[pos]].value * cap / x;
				break;
			}
		}
		if (best < 0 || b < best)
			best = b;
	}
	/* the three together: weight = sum of shares of what is left */
	for (pos = k; pos < s->n; pos++) {
		for (x = 0, d = 0; d < OPT_DIMS; d++) {
			if (!s->minc[pos][d])
				continue;
			if (rem[d] <= 0) {
				x = -1;
				break;
			}
			x += (double)s->minc[pos][d] / rem[d];
		}
		if (x < 0)
			continue;
		w[n] = x;
		ord[n++] = pos;
	}
	for (i = 1; i < n; i++)	/* by value / weight, best first */
		for (j = i; j > 0; j--) {
			double a = (double)p->item[s->item[ord[j]]].value * w[j - 1];
			double c = (double)p->item[s->item[ord[j - 1]]].value * w[j];

			if (a <= c)
				break;
			t = w[j]; w[j] = w[j - 1]; w[j - 1] = t;
			pos = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = pos;
		}
	cap = OPT_DIMS;
	b = 0;
	for (i = 0; i < n; i++) {
		if (w[i] <= cap) {
			b += (double)p->item[s->item[ord[i]]].value;
			cap -= w[i];
		} else {
			b += (double)p->item[s->item[ord[i]]].value * cap / w[i];
			break;
		}
	}
	if (b < best)
		best = b;
	return value + (uint64_t)(best + 1e-6);
}

/* ---- the search --------------------------------------------------------------- */

/*
 * Optimistic search under a "take" whose packing was left undecided: the
 * subsets below count as if they packed, on the aggregate alone, so their
 * best value bounds what that subtree could hold.
 */
static void dfs_open(struct solver *s, unsigned k, uint64_t value,
		     const uint64_t *used)
{
	const struct opt_problem *p = s->p;
	uint64_t ub, nused[OPT_DIMS], top;
	unsigned d;

	s->r->nodes++;
	if (value > s->unknown)
		s->unknown = value;
	if (k == s->n)
		return;
	top = s->best > s->unknown ? s->best : s->unknown;
	ub = bound(s, k, value, used);
	if (ub <= top)
		return;
	if (s->r->nodes > p->node_limit) {
		s->unknown = ub;
		return;
	}
	for (d = 0; d < OPT_DIMS; d++)
		nused[d] = used[d] + s->minc[k][d];
	if (nused[0] <= s->total[0] && nused[1] <= s->total[1] &&
	    nused[2] <= s->total[2])
		dfs_open(s, k + 1, value + p->item[s->item[k]].value, nused);
	dfs_open(s, k + 1, value, used);
}

static void dfs(struct solver *s, unsigned k, uint64_t value, res_t res,
		uint64_t *used)
{
	const struct opt_problem *p = s->p;
	const struct opt_item *it;
	uint64_t ub, nused[OPT_DIMS];
	res_t next;
	unsigned d;
	int ret;

	s->r->nodes++;
	if (value > s->best)
		s->best = value;	/* the taken items are packed in res */
	if (k == s->n)
		return;
	ub = bound(s, k, value, used);
	if (ub <= s->best)
		return;
	if (s->r->nodes > p->node_limit) {
		if (ub > s->unknown)
			s->unknown = ub;
		return;
	}
	it = &p->item[s->item[k]];
	for (d = 0; d < OPT_DIMS; d++)
		nused[d] = used[d] + s->minc[k][d];
	if (nused[0] <= s->total[0] && nused[1] <= s->total[1] &&
	    nused[2] <= s->total[2]) {
		memcpy(next, res, sizeof(next));
		ret = place_greedy(p, it, next) ? 1 : repack(s, k, next);
		if (ret == 1) {
			s->taken[s->nt++] = k;
			dfs(s, k + 1, value + it->value, next, nused);
			s->nt--;
		} else if (ret < 0) {
			dfs_open(s, k + 1, value + it->value, nused);
		}
	}
	dfs(s, k + 1, value, res, used);
}

/* Least total use of item @it over its column counts, per resource. */
static void least_use(const struct opt_item *it, uint64_t *out)
{
	unsigned C, d;
	uint64_t u;

	for (d = 0; d < OPT_DIMS; d++) {
		out[d] = UINT64_MAX;
		for (C = 1; C <= it->maxc; C++) {
			u = it->need[C][d] * C * it->copies;
			if (u < out[d])
				out[d] = u;
		}
	}
}

void opt_solve(const struct opt_problem *p, struct opt_result *r)
{
	struct solver *s = calloc(1, sizeof(*s));
	uint64_t used[OPT_DIMS] = { 0 };
	res_t res;
	unsigned i, j, t, a, d, x, y;
	double vx, vy;

	memset(r, 0, sizeof(*r));
	if (!s) {
		r->bound = UINT64_MAX;
		return;
	}
	s->p = p;
	s->r = r;
	memcpy(res, p->cap, sizeof(res));
	for (a = 0; a < p->nr_arrays; a++)
		for (d = 0; d < OPT_DIMS; d++)
			s->total[d] += p->cap[a][d];
	/* worth something and able to fit alone on the empty arrays */
	for (i = 0; i < p->nr_items; i++)
		if (p->item[i].value && fits_alone(p, &p->item[i], res))
			s->item[s->n++] = i;
	for (i = 1; i < s->n; i++)	/* by value, largest first */
		for (j = i; j > 0 && p->item[s->item[j]].value >
				      p->item[s->item[j - 1]].value; j--) {
			t = s->item[j]; s->item[j] = s->item[j - 1]; s->item[j - 1] = t;
		}
	for (i = 0; i < s->n; i++)
		least_use(&p->item[s->item[i]], s->minc[i]);
	for (d = 0; d < OPT_DIMS; d++) {
		for (i = 0; i < s->n; i++)
			s->dord[d][i] = i;
		for (i = 1; i < s->n; i++)	/* by value / use, best first */
			for (j = i; j > 0; j--) {
				x = s->dord[d][j];
				y = s->dord[d][j - 1];
				vx = (double)p->item[s->item[x]].value * (double)s->minc[y][d];
				vy = (double)p->item[s->item[y]].value * (double)s->minc[x][d];
				if (vx <= vy)
					break;
				s->dord[d][j] = y;
				s->dord[d][j - 1] = x;
			}
	}
	s->best = p->incumbent;
	dfs(s, 0, 0, res, used);
	r->best = s->best;
	r->bound = s->unknown > s->best ? s->unknown : s->best;
	r->exact = r->bound == r->best;
	free(s);
}

int opt_packable(const struct opt_problem *p, const unsigned *idx,
		 unsigned n, uint64_t limit)
{
	struct solver *s = calloc(1, sizeof(*s));
	struct opt_problem q = *p;
	struct opt_result r;
	res_t out;
	unsigned i, a, d;
	int ret;

	if (!s)
		return -1;
	q.pack_limit = limit;
	q.pack_budget = limit;
	memset(&r, 0, sizeof(r));
	s->p = &q;
	s->r = &r;
	for (a = 0; a < p->nr_arrays; a++)
		for (d = 0; d < OPT_DIMS; d++)
			s->total[d] += p->cap[a][d];
	for (i = 0; i < n; i++) {
		s->item[i] = idx[i];
		least_use(&p->item[idx[i]], s->minc[i]);
		s->taken[i] = i;
	}
	s->n = n;
	s->nt = n - 1;
	ret = n ? repack(s, n - 1, out) : 1;
	free(s);
	return ret;
}
