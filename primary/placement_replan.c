// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Re-plan of an existing volume with the fewest changed column copies
 * (placement.h, "Re-plan"): take the volume's reservations back, keep
 * every old column copy that can stay (growing it in place if the volume
 * grows), place only the copies that must move or are new, and re-stripe
 * only when the old columns cannot be kept at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement_int.h"

/* What became of each new column copy while planning. */
struct slot {
	enum csa_copy_change change;
	unsigned arr;		/* index into ctx->a */
	int old_copy, from_copy;
	unsigned nr;		/* extents */
	struct csa_extent *ext;	/* array field: ctx index until built */
};

struct rp {
	struct pl_ctx *ctx;
	const struct csa_layout *old;
	int *oa;		/* per old copy: ctx index of its one array, or -1 */
	unsigned C, K, Kold;
	uint64_t blocks, mbps, iops;	/* one new column copy */
	struct slot *slot;		/* C * K */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* ctx index of the array named @name, or -1. */
static int find(const struct pl_ctx *ctx, const char *name)
{
	unsigned i;

	for (i = 0; i < ctx->nr; i++)
		if (!strcmp(ctx->a[i].pa->name, name))
			return (int)i;
	return -1;
}

/* The ctx index of the one array old copy @cp is on, or -1 (gone from
 * the pool, another block size, or spread over several arrays). @omap
 * maps the old layout's arrays to ctx indices. */
static int copy_array(const int *omap, const struct csa_copy *cp)
{
	unsigned e, a = cp->extents[0].array;

	for (e = 1; e < cp->nr_extents; e++)
		if (cp->extents[e].array != a)
			return -1;
	return omap[a];
}

/*
 * Old copy (c, k) extended to the new column size on its own array: its
 * last extent first grows into free space right after it, then the rest
 * comes from the array's free extents by the fit. 0 with s->ext, -ENOSPC
 * if the array cannot give it, -ENOMEM.
 */
static int grow(struct rp *rp, const struct csa_copy *cp, struct slot *s)
{
	const struct pl_array *a = &rp->ctx->a[s->arr];
	uint64_t have = 0, g, t = 0;
	struct pl_free *f = NULL;
	unsigned e, i, n0 = cp->nr_extents, nf = 0, n = 0;
	const struct csa_extent *last = &cp->extents[n0 - 1];
	int ret;

	for (e = 0; e < n0; e++)
		have += cp->extents[e].blocks;
	g = rp->blocks > have ? rp->blocks - have : 0;
	if (g) {
		f = malloc((a->nr_free ? a->nr_free : 1) * sizeof(*f));
		if (!f)
			return -ENOMEM;
		for (i = 0; i < a->nr_free; i++) {
			f[nf] = a->free[i];
			if (!t && f[nf].lun == last->lun &&
			    f[nf].start == last->start_lba + last->blocks) {
				t = f[nf].blocks < g ? f[nf].blocks : g;
				f[nf].start += t;
				f[nf].blocks -= t;
			}
			nf += f[nf].blocks != 0;
		}
		if (g > t) {
			ret = pl_alloc(f, nf, g - t, rp->ctx->fit,
				       CSA_MAX_EXTENTS - n0, rp->ctx->scratch, &n);
			if (ret) {
				free(f);
				return ret;
			}
		}
		free(f);
	}
	s->ext = calloc(n0 + n, sizeof(*s->ext));
	if (!s->ext)
		return -ENOMEM;
	memcpy(s->ext, cp->extents, n0 * sizeof(*s->ext));
	s->ext[n0 - 1].blocks += t;
	memcpy(s->ext + n0, rp->ctx->scratch, n * sizeof(*s->ext));
	s->nr = n0 + n;
	for (e = 0; e < s->nr; e++)
		s->ext[e].array = s->arr;
	s->change = g ? CSA_COPY_GROWN : CSA_COPY_KEPT;
	return 0;
}

/* Old copy @k of column @c stays if its array can hold the new share. */
static int try_keep(struct rp *rp, unsigned c, unsigned k, struct slot *s)
{
	int ai = rp->oa[c * rp->Kold + k], ret;
	struct pl_array *a;

	if (ai < 0)
		return -ENOSPC;
	a = &rp->ctx->a[ai];
	if (a->taken || a->head_mbps < rp->mbps || a->head_iops < rp->iops)
		return -ENOSPC;
	s->arr = (unsigned)ai;
	s->old_copy = (int)k;
	s->from_copy = -1;
	ret = grow(rp, csa_layout_copy(rp->old, c, k), s);
	if (!ret)
		a->taken = 1;
	return ret;
}

/* Where a moved or added copy of column @c reads from: a kept copy, else
 * @prefer, else any old copy still in the pool; -1 if none. */
static int source(const struct rp *rp, unsigned c, unsigned kept, int prefer)
{
	unsigned k;

	if (kept)
		return rp->slot[c * rp->K].old_copy;
	if (prefer >= 0 && rp->oa[c * rp->Kold + (unsigned)prefer] >= 0)
		return prefer;
	for (k = 0; k < rp->Kold; k++)
		if (rp->oa[c * rp->Kold + k] >= 0)
			return (int)k;
	return -1;
}

/* A whole new column copy on the slot's array. */
static int place_new(struct rp *rp, struct slot *s, struct csa_plan *plan)
{
	const struct pl_array *a = &rp->ctx->a[s->arr];
	unsigned e;
	int ret;

	ret = pl_alloc(a->free, a->nr_free, rp->blocks, rp->ctx->fit,
		       CSA_MAX_EXTENTS, rp->ctx->scratch, &s->nr);
	if (ret == -ENOSPC)	/* cap_blocks promised it */
		return pl_refuse(&plan->refusal, CSA_PLAN_BAD_POOL, "pool",
				 "array %s shows %" PRIu64
				 " blocks free but cannot give %" PRIu64,
				 a->pa->name, a->cap_blocks, rp->blocks);
	if (ret)
		return ret;
	s->ext = malloc(s->nr * sizeof(*s->ext));
	if (!s->ext)
		return -ENOMEM;
	memcpy(s->ext, rp->ctx->scratch, s->nr * sizeof(*s->ext));
	for (e = 0; e < s->nr; e++)
		s->ext[e].array = s->arr;
	return 0;
}

/* Keep, then fill the other slots of every column. -ENOSPC: cannot. */
static int keep_columns(struct rp *rp, struct csa_plan *plan)
{
	struct pl_ctx *ctx = rp->ctx;
	unsigned c, k, j, kept, moved, need = 0, got, next = 0, *pick = NULL;
	unsigned *nkept;
	char *stays;
	struct slot *s;
	int ret = -ENOMEM;

	nkept = calloc(rp->C, sizeof(*nkept));
	stays = calloc((size_t)rp->C * rp->Kold, 1);
	if (!nkept || !stays)
		goto out;
	for (c = 0; c < rp->C; c++) {
		for (k = 0; k < rp->Kold && nkept[c] < rp->K; k++) {
			s = &rp->slot[c * rp->K + nkept[c]];
			ret = try_keep(rp, c, k, s);
			if (ret == -ENOSPC)
				continue;
			if (ret)
				goto out;
			stays[c * rp->Kold + k] = 1;
			nkept[c]++;
		}
		need += rp->K - nkept[c];
	}
	pick = calloc(need ? need : 1, sizeof(*pick));
	if (!pick) {
		ret = -ENOMEM;
		goto out;
	}
	got = need ? pl_pick(ctx, rp->blocks, rp->mbps, rp->iops, need, pick) : 0;
	if (got < need) {
		ret = -ENOSPC;
		goto out;
	}
	for (c = 0; c < rp->C; c++) {
		kept = nkept[c];
		moved = 0;
		/* first replace old copies that could not stay, then add */
		for (k = 0, j = kept; j < rp->K; j++) {
			s = &rp->slot[c * rp->K + j];
			while (k < rp->Kold && stays[c * rp->Kold + k])
				k++;
			s->arr = pick[next++];
			ctx->a[s->arr].taken = 1;
			if (k < rp->Kold) {
				s->change = CSA_COPY_MOVED;
				s->old_copy = (int)k;
				s->from_copy = source(rp, c, kept, (int)k);
				k++;
				moved++;
			} else {
				s->change = CSA_COPY_ADDED;
				s->old_copy = -1;
				s->from_copy = source(rp, c, kept, -1);
			}
			ret = place_new(rp, s, plan);
			if (ret)
				goto out;
		}
		plan->nr_dropped += rp->Kold - kept - moved;
	}
	ret = 0;
out:
	free(pick);
	free(stays);
	free(nkept);
	return ret;
}

/* ---- the new layout ------------------------------------------------------ */

/*
 * Its arrays: the old layout's that are still used, in the old order, then
 * the new ones, so that a volume where nothing changes gets back an equal
 * layout.
 */
static int build_layout(struct rp *rp, const int *omap,
			struct csa_plan *plan)
{
	const struct pl_ctx *ctx = rp->ctx;
	unsigned m = rp->C * rp->K, j, e, n = 0, *order = NULL;
	int *lay, ret = -ENOMEM;
	struct csa_layout *l = NULL;
	struct csa_copy_plan *cp = NULL;
	const struct csa_pool_array *pa;
	struct slot *s;
	char err[256];

	lay = malloc(ctx->nr * sizeof(*lay));
	order = malloc(ctx->nr * sizeof(*order));
	cp = calloc(m, sizeof(*cp));
	if (!lay || !order || !cp)
		goto bad;
	for (j = 0; j < ctx->nr; j++)
		lay[j] = -2;		/* not used */
	for (j = 0; j < m; j++)
		lay[rp->slot[j].arr] = -1;	/* used, no index yet */
	for (j = 0; j < rp->old->nr_arrays; j++)
		if (omap[j] >= 0 && lay[omap[j]] == -1) {
			lay[omap[j]] = (int)n;
			order[n++] = (unsigned)omap[j];
		}
	for (j = 0; j < m; j++)
		if (lay[rp->slot[j].arr] == -1) {
			lay[rp->slot[j].arr] = (int)n;
			order[n++] = rp->slot[j].arr;
		}
	l = csa_layout_alloc(n, rp->C, rp->K);
	if (!l)
		goto bad;
	l->size = ctx->size;
	l->block_size = ctx->bs;
	l->stripe_unit = ctx->su;
	l->region_rows = rp->old->region_rows;
	for (j = 0; j < n; j++) {
		pa = ctx->a[order[j]].pa;
		memcpy(l->arrays[j].name, pa->name, CSA_NAME_MAX);
		memcpy(l->arrays[j].portal, pa->portal, CSA_PORTAL_MAX);
		memcpy(l->arrays[j].target, pa->target, CSA_IQN_MAX);
	}
	for (j = 0; j < m; j++) {
		s = &rp->slot[j];
		ret = csa_layout_set_extents(l, j / rp->K, j % rp->K, s->nr);
		if (ret)
			goto bad;
		for (e = 0; e < s->nr; e++) {
			csa_layout_copy(l, j / rp->K, j % rp->K)->extents[e] = s->ext[e];
			csa_layout_copy(l, j / rp->K, j % rp->K)->extents[e].array =
				(unsigned)lay[s->arr];
		}
		cp[j] = (struct csa_copy_plan){ .change = s->change,
			.array = ctx->a[s->arr].index,
			.old_copy = s->old_copy, .from_copy = s->from_copy };
		plan->nr_kept += s->change == CSA_COPY_KEPT;
		plan->nr_grown += s->change == CSA_COPY_GROWN;
		plan->nr_moved += s->change == CSA_COPY_MOVED;
		plan->nr_added += s->change == CSA_COPY_ADDED;
	}
	ret = csa_layout_init_regions(l);
	if (ret)
		goto bad;
	if (csa_layout_validate(l, err, sizeof(err))) {
		ret = pl_refuse(&plan->refusal, CSA_PLAN_BAD_POOL, "pool",
				"the plan does not validate: %s", err);
		goto bad;
	}
	plan->layout = l;
	plan->copies = cp;
	plan->nr_changed = plan->nr_moved + plan->nr_added;
	plan->column_mbps = rp->mbps;
	plan->column_iops = rp->iops;
	free(order);
	free(lay);
	return 0;
bad:
	plan->nr_kept = plan->nr_grown = plan->nr_moved = plan->nr_added = 0;
	csa_layout_free(l);
	free(cp);
	free(order);
	free(lay);
	return ret;
}

/* ---- csa_replan ------------------------------------------------------------ */

static int check_old(const struct csa_layout *old,
		     const struct csa_requirements *old_req,
		     const struct csa_requirements *req, struct csa_refusal *r)
{
	uint32_t bs = old->block_size;
	uint64_t size;
	char err[256];

	if (csa_layout_validate(old, err, sizeof(err)))
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "old",
				 "the old layout is not valid: %s", err);
	if (old_req->copies != old->nr_copies)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "old",
				 "the old requirements have %u copies; the old layout has %u",
				 old_req->copies, old->nr_copies);
	size = (req->size + bs - 1) / bs * bs;
	if (size < old->size)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "size",
				 "size %" PRIu64 " is below the volume's %" PRIu64
				 " bytes; a volume cannot shrink", req->size, old->size);
	if (req->stripe_unit && req->stripe_unit < bs)
		return pl_refuse(r, CSA_PLAN_BAD_REQUEST, "stripe_unit",
				 "stripe unit %" PRIu32
				 " is smaller than the volume's block size %" PRIu32,
				 req->stripe_unit, bs);
	return 0;
}

/* Take the old volume's share back on the array of each old copy. */
static int take_back(struct rp *rp, const int *omap,
		     const struct csa_requirements *old_req)
{
	const struct csa_layout *old = rp->old;
	unsigned i, n = old->nr_columns * old->nr_copies;
	uint64_t ob, oi;
	struct pl_array *a;
	int ai;

	rp->oa = malloc(n * sizeof(*rp->oa));
	if (!rp->oa)
		return -ENOMEM;
	csa_column_share(old_req->mbps, old_req->iops, old->nr_columns, &ob, &oi);
	for (i = 0; i < n; i++) {
		ai = copy_array(omap, &old->copies[i]);
		rp->oa[i] = ai;
		if (ai < 0)
			continue;
		a = &rp->ctx->a[ai];
		a->back_mbps = sat_add(a->back_mbps, ob);
		a->back_iops = sat_add(a->back_iops, oi);
		pl_array_headroom(a);
	}
	return 0;
}

static void free_slots(struct rp *rp)
{
	unsigned j;

	for (j = 0; rp->slot && j < rp->C * rp->K; j++)
		free(rp->slot[j].ext);
	free(rp->slot);
	rp->slot = NULL;
}

/* Keep the columns and the stripe unit: 0, -ENOSPC (re-stripe), -errno. */
static int keep(struct rp *rp, const int *omap, struct csa_plan *plan)
{
	int ret;

	if (rp->ctx->su != rp->old->stripe_unit || rp->C * rp->K > rp->ctx->nr)
		return -ENOSPC;
	rp->slot = calloc(rp->C * rp->K, sizeof(*rp->slot));
	if (!rp->slot)
		return -ENOMEM;
	ret = keep_columns(rp, plan);
	if (!ret)
		ret = build_layout(rp, omap, plan);
	free_slots(rp);
	return ret;
}

int csa_replan(const struct csa_pool *pool, const struct csa_layout *old,
	       const struct csa_requirements *old_req,
	       const struct csa_requirements *req, struct csa_plan *plan)
{
	struct pl_ctx ctx;
	struct rp rp = { .ctx = &ctx, .old = old };
	int *omap = NULL, ret;
	unsigned i;

	memset(plan, 0, sizeof(*plan));
	ret = pl_check_request(req, &plan->refusal);
	if (!ret)
		ret = pl_check_pool(pool, &plan->refusal);
	if (!ret)
		ret = check_old(old, old_req, req, &plan->refusal);
	if (ret)
		return ret;
	ret = pl_ctx_init(&ctx, pool, old->block_size);
	if (ret)
		return ret;
	pl_ctx_request(&ctx, req);
	ctx.su = req->stripe_unit ? req->stripe_unit : old->stripe_unit;
	omap = malloc(old->nr_arrays * sizeof(*omap));
	if (!omap) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < old->nr_arrays; i++)
		omap[i] = find(&ctx, old->arrays[i].name);
	ret = take_back(&rp, omap, old_req);
	if (ret)
		goto out;
	rp.C = old->nr_columns;
	rp.K = req->copies;
	rp.Kold = old->nr_copies;
	rp.blocks = pl_column_bytes(ctx.size, ctx.su, rp.C) / ctx.bs;
	csa_column_share(ctx.mbps, ctx.iops, rp.C, &rp.mbps, &rp.iops);
	ret = keep(&rp, omap, plan);
	if (ret != -ENOSPC)
		goto out;
	/* re-stripe: every copy new, anywhere there is room */
	plan->nr_dropped = 0;
	for (i = 0; i < ctx.nr; i++)
		ctx.a[i].taken = 0;
	ret = pl_plan_fresh(&ctx, plan, CSA_COPY_RESTRIPED);
	if (ret == -ENOSPC)
		ret = pl_refuse_capacity(&ctx, &plan->refusal);
	if (!ret) {
		plan->restriped = 1;
		plan->nr_changed = plan->layout->nr_columns *
				   plan->layout->nr_copies;
	}
out:
	free(rp.oa);
	free(omap);
	pl_ctx_free(&ctx);
	return ret;
}
