// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why a volume cannot be placed (placement.h, "Refusals"): which of MB/s,
 * IOPS and space is short, or their combination, with the figures as
 * fields and as one sentence a person can act on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement_int.h"

#define LIST_MAX	8	/* arrays named in a sentence */

int pl_refuse(struct csa_refusal *r, enum csa_plan_code code,
	      const char *field, const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	r->field = field;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return code == CSA_PLAN_BAD_REQUEST || code == CSA_PLAN_BAD_POOL ?
	       -EINVAL : -ENOSPC;
}

void pl_fmt_bytes(char *buf, size_t len, uint64_t bytes, int up)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	uint64_t unit = 1ull << 40, whole, rem, tenths;
	int u = 3;

	while (u >= 0 && bytes < unit) {
		unit >>= 10;
		u--;
	}
	if (u < 0) {
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
		return;
	}
	whole = bytes / unit;
	rem = bytes % unit;
	tenths = rem * 10 / unit;
	if (up && rem * 10 % unit)
		tenths++;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (tenths)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths,
			 units[u]);
	else
		snprintf(buf, len, "%" PRIu64 " %s", whole, units[u]);
}

/* ---- a sentence, appended to piece by piece ----------------------------- */

struct sb {
	char *buf;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void put(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->len >= s->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Names of arrays @idx[@n]: "a1", "a1 and a2", "a1, a2 and a3", or the
 * first LIST_MAX then "and N more". */
static void put_names(struct sb *s, const struct pl_ctx *ctx,
		      const unsigned *idx, unsigned n)
{
	unsigned i, shown = n > LIST_MAX ? LIST_MAX : n;

	for (i = 0; i < shown; i++) {
		if (i)
			put(s, "%s", i + 1 == shown && shown == n ? " and " : ", ");
		put(s, "%s", ctx->a[idx[i]].pa->name);
	}
	if (shown < n)
		put(s, " and %u more", n - shown);
}

/* ---- the figures per split ----------------------------------------------- */

struct split {
	unsigned m;			/* arrays needed: columns x copies */
	uint64_t blocks, mbps, iops;	/* one column copy */
	unsigned nb, ni, ns, nall;	/* arrays with each, and with all */
};

static void count_split(const struct pl_ctx *ctx, unsigned C, struct split *s)
{
	const struct pl_array *a;
	unsigned i, b, io, sp;

	s->m = C * ctx->copies;
	s->blocks = pl_column_bytes(ctx->size, ctx->su, C) / ctx->bs;
	csa_column_share(ctx->mbps, ctx->iops, C, &s->mbps, &s->iops);
	s->nb = s->ni = s->ns = s->nall = 0;
	for (i = 0; i < ctx->nr; i++) {
		a = &ctx->a[i];
		b = a->head_mbps >= s->mbps;
		io = a->head_iops >= s->iops;
		sp = a->cap_blocks >= s->blocks;
		s->nb += b;
		s->ni += io;
		s->ns += sp;
		s->nall += b && io && sp;
	}
}

/* The split with the fewest arrays missing for @have among C in
 * [@from, @to]; ties: more arrays that have it, then fewer columns. */
static unsigned nearest(const struct split *sp, unsigned from, unsigned to,
			unsigned (*have)(const struct split *))
{
	unsigned C, best = from;
	long d, bd = 0;

	for (C = from; C <= to; C++) {
		d = (long)sp[C].m - (long)have(&sp[C]);
		if (C == from || d < bd ||
		    (d == bd && have(&sp[C]) > have(&sp[best]))) {
			bd = d;
			best = C;
		}
	}
	return best;
}

static unsigned have_b(const struct split *s) { return s->nb; }
static unsigned have_i(const struct split *s) { return s->ni; }
static unsigned have_s(const struct split *s) { return s->ns; }
static unsigned have_all(const struct split *s) { return s->nall; }

/* ---- the sentences -------------------------------------------------------- */

static void put_split(struct sb *s, unsigned C, unsigned K)
{
	put(s, "%u %s x %u %s", C, plural(C, "column", "columns"), K,
	    plural(K, "copy", "copies"));
}

/* "needs 800 MB/s" or "needs 800 MB/s on each of 2 copies (1600 MB/s)" */
static void put_need(struct sb *s, uint64_t v, unsigned K, const char *unit)
{
	put(s, "needs %" PRIu64 " %s", v, unit);
	if (K > 1)
		put(s, " on each of %u copies (%" PRIu64 " %s)", K, v * K, unit);
}

/*
 * no_bandwidth, no_iops: the arrays with any headroom and theirs, those
 * without it "full"; and when they have enough in total, the nearest
 * split that still lacks arrays.
 */
static void put_rate(struct sb *s, const struct pl_ctx *ctx,
		     const struct split *sp, unsigned C, int iops,
		     unsigned *idx)
{
	const char *unit = iops ? "IOPS" : "MB/s";
	uint64_t need = iops ? ctx->iops : ctx->mbps, total = 0, h;
	unsigned K = ctx->copies, i, room = 0, full = 0, k;

	put_need(s, need, K, unit);
	for (i = 0; i < ctx->nr; i++) {
		h = iops ? ctx->a[i].head_iops : ctx->a[i].head_mbps;
		total += h;
		room += h > 0;
		if (!h)
			idx[full++] = i;
	}
	if (!room) {
		put(s, "; every array is full: ");
		put_names(s, ctx, idx, full);
		return;
	}
	put(s, "; arrays with room for a column have %" PRIu64 " %s free (",
	    total, unit);
	for (i = 0, k = 0; i < ctx->nr; i++) {
		h = iops ? ctx->a[i].head_iops : ctx->a[i].head_mbps;
		if (!h)
			continue;
		if (k == LIST_MAX) {
			put(s, " and %u more", room - k);
			break;
		}
		put(s, "%s%s %" PRIu64, k ? ", " : "", ctx->a[i].pa->name, h);
		k++;
	}
	put(s, ")");
	if (total >= need * K) {
		h = iops ? sp[C].iops : sp[C].mbps;
		k = iops ? sp[C].ni : sp[C].nb;
		put(s, ", but not on enough arrays at once: the nearest split, ");
		put_split(s, C, K);
		put(s, ", needs %u %s with %" PRIu64 " %s free%s; ",
		    sp[C].m, plural(sp[C].m, "array", "arrays"), h, unit,
		    plural(sp[C].m, "", " each"));
		if (k)
			put(s, "only %u %s", k, plural(k, "has", "have"));
		else
			put(s, "none has");
	}
	if (full) {
		put(s, "; ");
		put_names(s, ctx, idx, full);
		put(s, " %s full", plural(full, "is", "are"));
	}
}

static void put_space(struct sb *s, const struct pl_ctx *ctx,
		      const struct split *sp, unsigned C)
{
	uint64_t bytes = sp[C].blocks * ctx->bs, most = 0;
	unsigned i, k = 0, n = sp[C].ns, at = 0;
	char b[32];

	pl_fmt_bytes(b, sizeof(b), bytes, 1);
	put(s, "needs %u %s with %s free%s for ", sp[C].m,
	    plural(sp[C].m, "array", "arrays"), b, plural(sp[C].m, "", " each"));
	put_split(s, C, ctx->copies);
	if (!n) {
		for (i = 0; i < ctx->nr; i++)
			if (ctx->a[i].cap_blocks > most) {
				most = ctx->a[i].cap_blocks;
				at = i;
			}
		if (!most) {
			put(s, "; no array has free space");
			return;
		}
		pl_fmt_bytes(b, sizeof(b), most * ctx->bs, 0);
		put(s, "; none has (the most on one array: %s %s)",
		    ctx->a[at].pa->name, b);
		return;
	}
	put(s, "; only %u %s:", n, plural(n, "has", "have"));
	for (i = 0; i < ctx->nr; i++) {
		if (ctx->a[i].cap_blocks < sp[C].blocks)
			continue;
		if (k == LIST_MAX) {
			put(s, " and %u more", n - k);
			break;
		}
		pl_fmt_bytes(b, sizeof(b), ctx->a[i].cap_blocks * ctx->bs, 0);
		put(s, "%s %s %s", k ? "," : "", ctx->a[i].pa->name, b);
		k++;
	}
}

/* no_fit: what a column copy needs, who has it all, what the rest lack. */
static void put_fit(struct sb *s, const struct pl_ctx *ctx,
		    const struct split *sp, unsigned C)
{
	const struct split *x = &sp[C];
	unsigned i, k = 0, n = x->nall, shortn = ctx->nr - x->nall, d;
	const struct pl_array *a;
	char b[32];

	pl_fmt_bytes(b, sizeof(b), x->blocks * ctx->bs, 1);
	put(s, "needs %u %s with %s", x->m, plural(x->m, "array", "arrays"), b);
	if (ctx->mbps)
		put(s, "%s%" PRIu64 " MB/s", ctx->iops ? ", " : " and ", x->mbps);
	if (ctx->iops)
		put(s, " and %" PRIu64 " IOPS", x->iops);
	put(s, " free%s for ", plural(x->m, "", " each"));
	put_split(s, C, ctx->copies);
	if (n)
		put(s, "; only %u %s it all:", n, plural(n, "has", "have"));
	else
		put(s, "; none has it all");
	for (i = 0; i < ctx->nr && n; i++) {
		a = &ctx->a[i];
		if (!(a->head_mbps >= x->mbps && a->head_iops >= x->iops &&
		      a->cap_blocks >= x->blocks))
			continue;
		if (k == LIST_MAX) {
			put(s, " and %u more", n - k);
			break;
		}
		put(s, "%s %s", k ? "," : "", a->pa->name);
		k++;
	}
	if (!shortn)
		return;
	put(s, "; short:");
	for (i = 0, k = 0; i < ctx->nr; i++) {
		a = &ctx->a[i];
		if (a->head_mbps >= x->mbps && a->head_iops >= x->iops &&
		    a->cap_blocks >= x->blocks)
			continue;
		if (k == LIST_MAX) {
			put(s, " and %u more", shortn - k);
			break;
		}
		put(s, "%s %s has", k ? "," : "", a->pa->name);
		d = 0;
		if (a->cap_blocks < x->blocks) {
			pl_fmt_bytes(b, sizeof(b), a->cap_blocks * ctx->bs, 0);
			put(s, " %s", b);
			d++;
		}
		if (a->head_mbps < x->mbps)
			put(s, "%s %" PRIu64 " MB/s", d++ ? " and" : "", a->head_mbps);
		if (a->head_iops < x->iops)
			put(s, "%s %" PRIu64 " IOPS", d++ ? " and" : "", a->head_iops);
		k++;
	}
}

/* ---- the refusal ---------------------------------------------------------- */

static void fill_arrays(const struct pl_ctx *ctx, struct csa_refusal *r,
			const struct split *x, enum csa_plan_code code)
{
	const struct pl_array *a;
	struct csa_refusal_array *e;
	unsigned i;
	int ok;

	r->arrays_ok = 0;
	for (i = 0; i < ctx->nr; i++) {
		a = &ctx->a[i];
		e = &r->arrays[i];
		e->array = a->index;
		memcpy(e->name, a->pa->name, CSA_NAME_MAX);
		e->free_mbps = a->head_mbps;
		e->free_iops = a->head_iops;
		e->free_bytes = a->cap_blocks * ctx->bs;
		r->free_mbps += e->free_mbps;
		r->free_iops += e->free_iops;
		r->free_bytes += e->free_bytes;
		switch (code) {
		case CSA_PLAN_NO_BANDWIDTH:
			ok = a->head_mbps >= x->mbps;
			break;
		case CSA_PLAN_NO_IOPS:
			ok = a->head_iops >= x->iops;
			break;
		case CSA_PLAN_NO_SPACE:
			ok = a->cap_blocks >= x->blocks;
			break;
		case CSA_PLAN_NO_FIT:
			ok = a->head_mbps >= x->mbps && a->head_iops >= x->iops &&
			     a->cap_blocks >= x->blocks;
			break;
		default:
			ok = 1;
		}
		e->ok = ok;
		r->arrays_ok += ok;
	}
	r->nr_arrays = ctx->nr;
}

static int too_few(const struct pl_ctx *ctx, struct csa_refusal *r)
{
	struct sb s = { r->message, 0, sizeof(r->message) };
	unsigned K = ctx->copies, i;

	put(&s, "needs %u %s for %u %s; the pool has ", K,
	    plural(K, "array", "arrays"), K, plural(K, "copy", "copies"));
	if (!ctx->nr)
		put(&s, "none");
	else
		put(&s, "%u", ctx->nr);
	if (ctx->mixed)
		put(&s, " with %" PRIu32 "-byte blocks", ctx->bs);
	for (i = 0; i < ctx->nr && i < LIST_MAX; i++)
		put(&s, "%s%s", i ? ", " : ": ", ctx->a[i].pa->name);
	if (ctx->nr > LIST_MAX)
		put(&s, " and %u more", ctx->nr - LIST_MAX);
	r->code = CSA_PLAN_TOO_FEW_ARRAYS;
	r->columns = 1;
	r->arrays_needed = K;
	fill_arrays(ctx, r, NULL, r->code);
	return -ENOSPC;
}

int pl_refuse_capacity(struct pl_ctx *ctx, struct csa_refusal *r)
{
	struct sb s = { r->message, 0, sizeof(r->message) };
	struct split sp[CSA_MAX_COLUMNS + 1];
	unsigned K = ctx->copies, maxc, C, perf = 0, b = 0, io = 0, spc = 0;
	enum csa_plan_code code;
	unsigned *idx;

	r->field = NULL;
	r->size = ctx->size;
	r->mbps = ctx->mbps;
	r->iops = ctx->iops;
	r->copies = K;
	r->free_mbps = r->free_iops = r->free_bytes = 0;
	free(r->arrays);
	r->arrays = calloc(ctx->nr ? ctx->nr : 1, sizeof(*r->arrays));
	if (!r->arrays)
		return -ENOMEM;
	if (ctx->nr < K)
		return too_few(ctx, r);
	maxc = pl_max_columns(ctx->nr, K);
	for (C = 1; C <= maxc; C++) {
		count_split(ctx, C, &sp[C]);
		b |= sp[C].nb >= sp[C].m;
		io |= sp[C].ni >= sp[C].m;
		spc |= sp[C].ns >= sp[C].m;
		if (!perf && sp[C].nb >= sp[C].m && sp[C].ni >= sp[C].m)
			perf = C;
	}
	idx = malloc(ctx->nr * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	if (!b) {
		code = CSA_PLAN_NO_BANDWIDTH;
		C = nearest(sp, 1, maxc, have_b);
		put_rate(&s, ctx, sp, C, 0, idx);
	} else if (!io) {
		code = CSA_PLAN_NO_IOPS;
		C = nearest(sp, 1, maxc, have_i);
		put_rate(&s, ctx, sp, C, 1, idx);
	} else if (!spc) {
		code = CSA_PLAN_NO_SPACE;
		C = nearest(sp, perf ? perf : 1, maxc, have_s);
		put_space(&s, ctx, sp, C);
	} else {
		code = CSA_PLAN_NO_FIT;
		C = nearest(sp, 1, maxc, have_all);
		put_fit(&s, ctx, sp, C);
	}
	free(idx);
	r->code = code;
	r->columns = C;
	r->arrays_needed = sp[C].m;
	r->column_bytes = sp[C].blocks * ctx->bs;
	r->column_mbps = sp[C].mbps;
	r->column_iops = sp[C].iops;
	fill_arrays(ctx, r, &sp[C], code);
	return -ENOSPC;
}
