// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Free space for the planner (placement.h, placement_int.h): the free
 * extents of each array derived from its LUNs' used extents, and carving
 * one column copy out of them by best or first fit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement_int.h"

/* A used extent clipped to the LUN: blocks [s, e). */
struct span {
	uint64_t s, e;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return (x->e > y->e) - (x->e < y->e);
}

static int push_free(struct pl_array *a, unsigned *cap, unsigned lun_idx,
		     uint32_t lun, uint64_t s, uint64_t e)
{
	struct pl_free *f;

	if (a->nr_free == *cap) {
		unsigned n = *cap ? *cap * 2 : 16;

		f = realloc(a->free, n * sizeof(*f));
		if (!f)
			return -ENOMEM;
		a->free = f;
		*cap = n;
	}
	a->free[a->nr_free++] = (struct pl_free){ .lun_idx = lun_idx,
		.lun = lun, .start = s, .blocks = e - s };
	a->free_blocks += e - s;
	return 0;
}

/*
 * Free extents of one LUN: [reserved, blocks) minus the used extents,
 * which may come in any order, overlap, or reach past the end. @buf is
 * scratch of *@bufcap spans, grown as needed.
 */
static int lun_free(struct pl_array *a, unsigned *cap, unsigned li,
		    struct span **buf, size_t *bufcap)
{
	const struct csa_pool_lun *l = &a->pa->luns[li];
	uint64_t lo = l->reserved_blocks, hi = l->blocks, pos, s, e;
	size_t n = 0, i;
	int sorted = 1, ret;

	if (lo >= hi)
		return 0;
	a->usable_blocks += hi - lo;
	if (l->nr_used > *bufcap) {
		struct span *b = realloc(*buf, l->nr_used * sizeof(**buf));

		if (!b)
			return -ENOMEM;
		*buf = b;
		*bufcap = l->nr_used;
	}
	for (i = 0; i < l->nr_used; i++) {
		s = l->used[i].start_lba;
		if (__builtin_add_overflow(s, l->used[i].blocks, &e))
			e = UINT64_MAX;
		if (s < lo)
			s = lo;
		if (e > hi)
			e = hi;
		if (s >= e)
			continue;
		if (n && s < (*buf)[n - 1].s)
			sorted = 0;
		(*buf)[n++] = (struct span){ s, e };
	}
	if (!sorted)
		qsort(*buf, n, sizeof(**buf), span_cmp);
	pos = lo;
	for (i = 0; i < n; i++) {
		if ((*buf)[i].s > pos) {
			ret = push_free(a, cap, li, l->lun, pos, (*buf)[i].s);
			if (ret)
				return ret;
		}
		if ((*buf)[i].e > pos)
			pos = (*buf)[i].e;
	}
	if (pos < hi)
		return push_free(a, cap, li, l->lun, pos, hi);
	return 0;
}

static int u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

int pl_array_cap(struct pl_array *a)
{
	uint64_t *sz;
	unsigned i;

	if (a->nr_free <= CSA_MAX_EXTENTS) {
		a->cap_blocks = a->free_blocks;
		return 0;
	}
	sz = malloc(a->nr_free * sizeof(*sz));
	if (!sz)
		return -ENOMEM;
	for (i = 0; i < a->nr_free; i++)
		sz[i] = a->free[i].blocks;
	qsort(sz, a->nr_free, sizeof(*sz), u64_desc);
	a->cap_blocks = 0;
	for (i = 0; i < CSA_MAX_EXTENTS; i++)
		a->cap_blocks += sz[i];
	free(sz);
	return 0;
}

void pl_array_headroom(struct pl_array *a)
{
	const struct csa_pool_array *p = a->pa;
	uint64_t rm = p->reserved_mbps > a->back_mbps ?
		      p->reserved_mbps - a->back_mbps : 0;
	uint64_t ri = p->reserved_iops > a->back_iops ?
		      p->reserved_iops - a->back_iops : 0;

	a->head_mbps = p->rated_mbps > rm ? p->rated_mbps - rm : 0;
	a->head_iops = p->rated_iops > ri ? p->rated_iops - ri : 0;
}

int pl_ctx_init(struct pl_ctx *ctx, const struct csa_pool *pool, uint32_t bs)
{
	struct span *buf = NULL;
	size_t bufcap = 0;
	unsigned i, li, n = 0, cap;
	struct pl_array *a;
	int ret = -ENOMEM;

	memset(ctx, 0, sizeof(*ctx));
	ctx->bs = bs;
	for (i = 0; i < pool->nr_arrays; i++)
		n += pool->arrays[i].block_size == bs;
	ctx->mixed = n != pool->nr_arrays;
	ctx->a = calloc(n ? n : 1, sizeof(*ctx->a));
	ctx->scratch = calloc(CSA_MAX_EXTENTS, sizeof(*ctx->scratch));
	ctx->cand = calloc(n ? n : 1, sizeof(*ctx->cand));
	if (!ctx->a || !ctx->scratch || !ctx->cand)
		goto out;
	for (i = 0; i < pool->nr_arrays; i++) {
		if (pool->arrays[i].block_size != bs)
			continue;
		a = &ctx->a[ctx->nr++];
		a->index = i;
		a->pa = &pool->arrays[i];
		pl_array_headroom(a);
		cap = 0;
		for (li = 0; li < a->pa->nr_luns; li++) {
			ret = lun_free(a, &cap, li, &buf, &bufcap);
			if (ret)
				goto out;
		}
		ret = pl_array_cap(a);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	free(buf);
	if (ret)
		pl_ctx_free(ctx);
	return ret;
}

void pl_ctx_free(struct pl_ctx *ctx)
{
	unsigned i;

	for (i = 0; ctx->a && i < ctx->nr; i++)
		free(ctx->a[i].free);
	free(ctx->a);
	free(ctx->scratch);
	free(ctx->cand);
	ctx->a = NULL;
	ctx->scratch = NULL;
	ctx->cand = NULL;
	ctx->nr = 0;
}

/* ---- carving a copy --------------------------------------------------- */

/* A piece taken: from free extent fi, blocks [start, start + blocks). */
struct piece {
	unsigned fi;
	uint64_t start, blocks;
};

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return (x->fi > y->fi) - (x->fi < y->fi);
}

/* A free extent by size, for the largest-first order. */
struct key {
	uint64_t blocks;
	unsigned fi;
};

/* Largest first; equal sizes in address order. */
static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->blocks != y->blocks)
		return x->blocks > y->blocks ? -1 : 1;
	return (x->fi > y->fi) - (x->fi < y->fi);
}

/*
 * Largest first, then the smallest extent that holds what is left (the
 * lowest address among equals): fewest extents. @k is in key_cmp order;
 * the smallest extent >= r in k[pos..n) is found by bisection.
 */
static int greedy(const struct pl_free *f, const struct key *k, unsigned n,
		  uint64_t need, unsigned max_ext, struct piece *p,
		  unsigned *np)
{
	unsigned pos = 0, lo, hi, mid, m = 0;
	uint64_t r = need, s;

	while (r) {
		/* one past the last index in [pos, n) with blocks >= r */
		lo = pos;
		hi = n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (k[mid].blocks >= r)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > pos) {
			/* the first of that size: the lowest address */
			s = k[lo - 1].blocks;
			hi = lo - 1;
			lo = pos;
			while (lo < hi) {
				mid = lo + (hi - lo) / 2;
				if (k[mid].blocks > s)
					lo = mid + 1;
				else
					hi = mid;
			}
			p[m++] = (struct piece){ k[lo].fi, f[k[lo].fi].start, r };
			break;
		}
		if (pos == n || m + 1 >= max_ext)
			return -ENOSPC;
		p[m++] = (struct piece){ k[pos].fi, f[k[pos].fi].start,
					 k[pos].blocks };
		r -= k[pos].blocks;
		pos++;
	}
	*np = m;
	return 0;
}

/* Address order: the first extent that holds it all, else in order. */
static int first(const struct pl_free *f, unsigned n, uint64_t need,
		 unsigned max_ext, struct piece *p, unsigned *np)
{
	unsigned i, k = 0;
	uint64_t r = need, t;

	for (i = 0; i < n; i++)
		if (f[i].blocks >= need) {
			p[0] = (struct piece){ i, f[i].start, need };
			*np = 1;
			return 0;
		}
	for (i = 0; i < n && r; i++) {
		if (k == max_ext)
			return -ENOSPC;
		t = f[i].blocks < r ? f[i].blocks : r;
		p[k++] = (struct piece){ i, f[i].start, t };
		r -= t;
	}
	if (r)
		return -ENOSPC;
	*np = k;
	return 0;
}

int pl_alloc(const struct pl_free *f, unsigned n, uint64_t need,
	     enum csa_fit fit, unsigned max_ext, struct csa_extent *out,
	     unsigned *nr_out)
{
	struct piece *p;
	struct key *k = NULL;
	unsigned i, np = 0, best = n;
	int ret = -ENOMEM;

	if (!need || !max_ext)
		return -ENOSPC;
	p = calloc(max_ext < n ? max_ext : (n ? n : 1), sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (fit == CSA_FIT_FIRST) {
		ret = first(f, n, need, max_ext, p, &np);
		if (ret != -ENOSPC)
			goto done;
	} else {
		/* One extent holds it all: the smallest that does. */
		for (i = 0; i < n; i++)
			if (f[i].blocks >= need &&
			    (best == n || f[i].blocks < f[best].blocks))
				best = i;
		if (best < n) {
			p[0] = (struct piece){ best, f[best].start, need };
			np = 1;
			ret = 0;
			goto done;
		}
	}
	k = malloc((n ? n : 1) * sizeof(*k));
	if (!k) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		k[i] = (struct key){ f[i].blocks, i };
	qsort(k, n, sizeof(*k), key_cmp);
	ret = greedy(f, k, n, need, max_ext, p, &np);
done:
	if (!ret) {
		qsort(p, np, sizeof(*p), piece_cmp);
		for (i = 0; i < np; i++)
			out[i] = (struct csa_extent){ .array = 0,
				.lun = f[p[i].fi].lun,
				.start_lba = p[i].start, .blocks = p[i].blocks };
		*nr_out = np;
	}
out:
	free(k);
	free(p);
	return ret;
}
