// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Placement (primary/placement.h), unit tests. This file holds the pool
 * fixture, the checker every plan goes through, main, and the checks of
 * new placements:
 *
 * - every column and copy on its own array; headroom respected, also when
 *   volumes are added until the pool refuses;
 * - the number of columns follows MB/s and IOPS, not only the size (one
 *   array with all the space but not the bandwidth gives several columns);
 * - first fit and best fit choose differently on crafted pools, for the
 *   arrays and for the extents;
 * - stripe unit and region defaults.
 *
 * test_placement_refusal.c checks each refusal's sentence and fields,
 * test_placement_replan.c the re-plan and the random pools x requests.
 *
 * Every plan is checked by plan_faults: csa_layout_validate accepts it,
 * all C x K copies are on distinct arrays, each extent lies inside the
 * LUN, past its reserved area, and overlaps no used extent, each array has
 * the headroom for the column's share, and the share is ceil(x / C).
 *
 * One line per check, "ok - ..." or "not ok - ...". Seed: CSA_TEST_SEED
 * (default below), printed. Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement.h"
#include "striper/layout.h"

#define TP_ARRAYS	80
#define TP_LUNS		4
#define GiB		(1ull << 30)
#define MiB		(1ull << 20)

/* ---- checks ------------------------------------------------------------- */

static unsigned nr_checks, nr_failed;

__attribute__((format(printf, 2, 3)))
int check(int ok, const char *fmt, ...)
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

/* ---- the pool fixture ----------------------------------------------------- */

struct tpool {
	unsigned nr;
	struct csa_pool_array a[TP_ARRAYS];
	struct csa_pool_lun l[TP_ARRAYS][TP_LUNS];
	struct csa_pool_extent *used[TP_ARRAYS][TP_LUNS];
	unsigned cap[TP_ARRAYS][TP_LUNS];
	struct csa_pool pool;
};

struct tpool *tp_new(void)
{
	struct tpool *tp = calloc(1, sizeof(*tp));

	if (!tp) {
		perror("calloc");
		exit(1);
	}
	tp->pool.arrays = tp->a;
	return tp;
}

void tp_free(struct tpool *tp)
{
	unsigned i, j;

	for (i = 0; i < TP_ARRAYS; i++)
		for (j = 0; j < TP_LUNS; j++)
			free(tp->used[i][j]);
	free(tp);
}

/* A new array with 512-byte blocks and no LUNs; its index. */
unsigned tp_array(struct tpool *tp, const char *name, uint64_t mbps,
		  uint64_t iops)
{
	struct csa_pool_array *a = &tp->a[tp->nr];

	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->portal, sizeof(a->portal), "127.0.0.1:%u", 3300 + tp->nr);
	snprintf(a->target, sizeof(a->target), "iqn.2024-01.org.csafs:%s", name);
	a->block_size = 512;
	a->rated_mbps = mbps;
	a->rated_iops = iops;
	a->luns = tp->l[tp->nr];
	tp->pool.nr_arrays = ++tp->nr;
	return tp->nr - 1;
}

struct csa_pool_array *tp_arr(struct tpool *tp, unsigned a)
{
	return &tp->a[a];
}

/* A LUN of @blocks with @reserved at the start; its index in the array. */
unsigned tp_lun(struct tpool *tp, unsigned a, uint32_t lun, uint64_t blocks,
		uint64_t reserved)
{
	unsigned li = tp->a[a].nr_luns++;

	tp->l[a][li] = (struct csa_pool_lun){ .lun = lun, .blocks = blocks,
		.reserved_blocks = reserved };
	return li;
}

void tp_use(struct tpool *tp, unsigned a, unsigned li, uint64_t start,
	    uint64_t blocks)
{
	struct csa_pool_extent **u = &tp->used[a][li];
	unsigned *cap = &tp->cap[a][li];
	struct csa_pool_lun *l = &tp->l[a][li];

	if (l->nr_used == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*u = realloc(*u, *cap * sizeof(**u));
		if (!*u) {
			perror("realloc");
			exit(1);
		}
	}
	(*u)[l->nr_used++] = (struct csa_pool_extent){ start, blocks };
	l->used = *u;
}

const struct csa_pool *tp_pool(struct tpool *tp)
{
	return &tp->pool;
}

int tp_find(const struct tpool *tp, const char *name)
{
	unsigned i;

	for (i = 0; i < tp->nr; i++)
		if (!strcmp(tp->a[i].name, name))
			return (int)i;
	return -1;
}

static int lun_index(const struct tpool *tp, unsigned a, uint32_t lun)
{
	unsigned i;

	for (i = 0; i < tp->a[a].nr_luns; i++)
		if (tp->l[a][i].lun == lun)
			return (int)i;
	return -1;
}

/* Record a layout's extents as used, and @mbps/@iops reserved on the
 * array of every column copy. */
void tp_take(struct tpool *tp, const struct csa_layout *l, uint64_t mbps,
	     uint64_t iops)
{
	const struct csa_copy *cp;
	unsigned i, e, n = l->nr_columns * l->nr_copies;
	int a, li;

	for (i = 0; i < n; i++) {
		cp = &l->copies[i];
		for (e = 0; e < cp->nr_extents; e++) {
			a = tp_find(tp, l->arrays[cp->extents[e].array].name);
			li = a < 0 ? -1 : lun_index(tp, (unsigned)a, cp->extents[e].lun);
			if (li < 0) {
				fprintf(stderr, "tp_take: unknown array or LUN\n");
				exit(1);
			}
			tp_use(tp, (unsigned)a, (unsigned)li,
			       cp->extents[e].start_lba, cp->extents[e].blocks);
		}
		a = tp_find(tp, l->arrays[cp->extents[0].array].name);
		tp->a[a].reserved_mbps += mbps;
		tp->a[a].reserved_iops += iops;
	}
}

void tp_apply(struct tpool *tp, const struct csa_plan *plan)
{
	tp_take(tp, plan->layout, plan->column_mbps, plan->column_iops);
}

/* Used blocks of LUN (a, li) that overlap [s, e), or 0. */
static int overlaps_used(const struct tpool *tp, unsigned a, unsigned li,
			 uint64_t s, uint64_t e, const struct csa_layout *skip)
{
	const struct csa_pool_lun *l = &tp->l[a][li];
	uint64_t us, ue;
	unsigned i, c, x;
	int own;

	for (i = 0; i < l->nr_used; i++) {
		us = l->used[i].start_lba;
		ue = us + l->used[i].blocks;
		if (ue < us)
			ue = UINT64_MAX;
		if (us >= e || ue <= s)
			continue;
		/* an extent of @skip (the volume being re-planned) is its own */
		own = 0;
		for (c = 0; skip && !own &&
		     c < skip->nr_columns * skip->nr_copies; c++)
			for (x = 0; x < skip->copies[c].nr_extents; x++) {
				const struct csa_extent *o = &skip->copies[c].extents[x];

				if (!strcmp(skip->arrays[o->array].name, tp->a[a].name) &&
				    o->lun == l->lun && o->start_lba == us &&
				    o->blocks == l->used[i].blocks)
					own = 1;
			}
		if (!own)
			return 1;
	}
	return 0;
}

/* 1 if [s, e) on (array name, lun) overlaps an extent of @l. */
static int overlaps_layout(const struct csa_layout *l, const char *name,
			   uint32_t lun, uint64_t s, uint64_t e)
{
	unsigned c, x;

	for (c = 0; c < l->nr_columns * l->nr_copies; c++)
		for (x = 0; x < l->copies[c].nr_extents; x++) {
			const struct csa_extent *o = &l->copies[c].extents[x];

			if (!strcmp(l->arrays[o->array].name, name) && o->lun == lun &&
			    o->start_lba < e && o->start_lba + o->blocks > s)
				return 1;
		}
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int fault(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return 1;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/*
 * 0 if @plan is a correct placement of @req on @tp, else 1 with the fault
 * in @why. With @old (a re-plan), the pool holds @old's extents and
 * reservations: @old's share is taken back on its arrays; its extents may
 * be kept by KEPT/GROWN copies only, and no moved, added or new space may
 * overlap them.
 */
int plan_faults(const struct tpool *tp, const struct csa_requirements *req,
		const struct csa_plan *plan, const struct csa_layout *old,
		const struct csa_requirements *old_req, char *why, size_t len)
{
	const struct csa_layout *l = plan->layout;
	char err[256];
	unsigned C, K, i, j, e, n;
	int arr[CSA_MAX_COLUMNS * CSA_MAX_COPIES], a, li, grown;
	uint64_t bm, bi, hm, hi, om = 0, oi = 0, s, end;
	const struct csa_copy *cp;

	if (!l)
		return fault(why, len, "no layout");
	if (csa_layout_validate(l, err, sizeof(err)))
		return fault(why, len, "csa_layout_validate: %s", err);
	C = l->nr_columns;
	K = l->nr_copies;
	if (K != req->copies)
		return fault(why, len, "%u copies, asked %u", K, req->copies);
	if (l->size != ceil_div(req->size, l->block_size) * l->block_size)
		return fault(why, len, "size %" PRIu64 " for %" PRIu64, l->size,
			     req->size);
	if (req->stripe_unit && l->stripe_unit != req->stripe_unit)
		return fault(why, len, "stripe unit %" PRIu32 ", asked %" PRIu32,
			     l->stripe_unit, req->stripe_unit);
	bm = ceil_div(req->mbps, C);
	bi = ceil_div(req->iops, C);
	if (plan->column_mbps != bm || plan->column_iops != bi)
		return fault(why, len, "share %" PRIu64 "/%" PRIu64 ", expected %"
			     PRIu64 "/%" PRIu64, plan->column_mbps,
			     plan->column_iops, bm, bi);
	if (old)
		csa_column_share(old_req->mbps, old_req->iops, old->nr_columns,
				 &om, &oi);
	n = C * K;
	for (i = 0; i < n; i++) {
		cp = &l->copies[i];
		a = tp_find(tp, l->arrays[cp->extents[0].array].name);
		if (a < 0)
			return fault(why, len, "copy %u on an unknown array", i);
		if (plan->copies[i].array != (unsigned)a)
			return fault(why, len, "copy %u: plan says array %u, layout %d",
				     i, plan->copies[i].array, a);
		arr[i] = a;
		for (j = 0; j < i; j++)
			if (arr[j] == a)
				return fault(why, len, "copies %u and %u both on %s",
					     j, i, tp->a[a].name);
		if (tp->a[a].block_size != l->block_size)
			return fault(why, len, "copy %u on %s of another block size",
				     i, tp->a[a].name);
		/* what others reserve: with @old, its share here taken back */
		hm = tp->a[a].reserved_mbps;
		hi = tp->a[a].reserved_iops;
		if (old) {
			unsigned c2;

			for (c2 = 0; c2 < old->nr_columns * old->nr_copies; c2++)
				if (!strcmp(old->arrays[old->copies[c2].extents[0].array].name,
					    tp->a[a].name)) {
					hm = hm > om ? hm - om : 0;
					hi = hi > oi ? hi - oi : 0;
				}
		}
		hm = tp->a[a].rated_mbps > hm ? tp->a[a].rated_mbps - hm : 0;
		hi = tp->a[a].rated_iops > hi ? tp->a[a].rated_iops - hi : 0;
		if (hm < bm || hi < bi)
			return fault(why, len, "copy %u on %s: headroom %" PRIu64
				     " MB/s %" PRIu64 " IOPS < share %" PRIu64 "/%" PRIu64,
				     i, tp->a[a].name, hm, hi, bm, bi);
		grown = plan->copies[i].change == CSA_COPY_KEPT ||
			plan->copies[i].change == CSA_COPY_GROWN;
		for (e = 0; e < cp->nr_extents; e++) {
			const struct csa_extent *x = &cp->extents[e];

			if (x->array != cp->extents[0].array)
				return fault(why, len, "copy %u spans arrays", i);
			li = lun_index(tp, (unsigned)a, x->lun);
			if (li < 0)
				return fault(why, len, "copy %u: %s has no LUN %" PRIu32,
					     i, tp->a[a].name, x->lun);
			s = x->start_lba;
			end = s + x->blocks;
			if (s < tp->l[a][li].reserved_blocks ||
			    end > tp->l[a][li].blocks)
				return fault(why, len, "copy %u extent %u (%" PRIu64 "+%"
					     PRIu64 ") outside LUN %" PRIu32 " of %s",
					     i, e, s, x->blocks, x->lun, tp->a[a].name);
			if (overlaps_used(tp, (unsigned)a, (unsigned)li, s, end,
					  grown ? old : NULL))
				return fault(why, len, "copy %u extent %u (%" PRIu64 "+%"
					     PRIu64 ") on %s LUN %" PRIu32
					     " overlaps used space", i, e, s,
					     x->blocks, tp->a[a].name, x->lun);
			if (old && !grown &&
			    overlaps_layout(old, tp->a[a].name, x->lun, s, end))
				return fault(why, len, "copy %u extent %u overwrites the old volume",
					     i, e);
		}
	}
	return 0;
}

/* Put a placement through plan_faults as one check. */
int check_plan(const struct tpool *tp, const struct csa_requirements *req,
	       const struct csa_plan *plan, const char *what)
{
	char why[512] = "";
	int bad = plan_faults(tp, req, plan, NULL, NULL, why, sizeof(why));

	return check(!bad, "%s: the plan is valid%s%s", what, bad ? ": " : "",
		     why);
}

struct csa_requirements req_of(uint64_t size, uint64_t mbps, uint64_t iops,
			       unsigned copies)
{
	return (struct csa_requirements){ .size = size, .mbps = mbps,
		.iops = iops, .copies = copies, .fit = CSA_FIT_BEST };
}

/* An array of one LUN with @free bytes free past a 4 MiB reserved area. */
unsigned tp_simple(struct tpool *tp, const char *name, uint64_t free_bytes,
		   uint64_t mbps, uint64_t iops)
{
	unsigned a = tp_array(tp, name, mbps, iops);

	tp_lun(tp, a, 1, 8192 + free_bytes / 512, 8192);
	return a;
}

/* ---- new placements ------------------------------------------------------- */

static void test_distinct(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(60 * GiB, 1500, 0, 2);
	struct csa_plan plan;
	char name[16];
	unsigned i, j, n, same = 0;
	int ret;

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "a%u", i + 1);
		tp_simple(tp, name, 100 * GiB, 600, 50000);
	}
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(ret == 0, "1500 MB/s x 2 copies on 8 arrays of 600 MB/s is placed (%d: %s)",
	      ret, plan.refusal.message);
	if (!ret) {
		n = plan.layout->nr_columns * plan.layout->nr_copies;
		check(plan.layout->nr_columns == 3 && plan.layout->nr_copies == 2,
		      "it has 3 columns x 2 copies (%u x %u): 500 MB/s a column",
		      plan.layout->nr_columns, plan.layout->nr_copies);
		for (i = 0; i < n; i++)
			for (j = 0; j < i; j++)
				same += plan.copies[i].array == plan.copies[j].array;
		check(!same && plan.layout->nr_arrays == n,
		      "its %u column copies are on %u distinct arrays", n,
		      plan.layout->nr_arrays);
		check_plan(tp, &req, &plan, "3 x 2");
	}
	csa_plan_release(&plan);
	tp_free(tp);
}

static void test_headroom(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(10 * GiB, 300, 4000, 1);
	struct csa_plan plan;
	unsigned i, placed = 0, bad = 0, over = 0;
	int ret;

	tp_simple(tp, "busy", 1000 * GiB, 1000, 100000);
	tp_arr(tp, 0)->reserved_mbps = 800;	/* 200 free: not enough */
	tp_simple(tp, "a2", 1000 * GiB, 1000, 100000);
	tp_simple(tp, "a3", 1000 * GiB, 1000, 5000);
	tp_arr(tp, 2)->reserved_iops = 2000;	/* 3000 free: not enough */
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 1 &&
	      !strcmp(plan.layout->arrays[0].name, "a2"),
	      "300 MB/s + 4000 IOPS goes to a2, the one array with the headroom for both (%s)",
	      plan.layout ? plan.layout->arrays[0].name : plan.refusal.message);
	csa_plan_release(&plan);

	/* Fill until refused: no array ever goes past its rating. */
	for (i = 0; i < 40; i++) {
		req = req_of((1 + i % 7) * GiB, 50 + 37 * (i % 5), 500 + 300 * (i % 3), 1);
		ret = csa_place(tp_pool(tp), &req, &plan);
		if (!ret) {
			char why[256];

			placed++;
			bad += plan_faults(tp, &req, &plan, NULL, NULL, why, sizeof(why));
			tp_apply(tp, &plan);
		}
		csa_plan_release(&plan);
	}
	for (i = 0; i < tp->nr; i++)
		over += tp->a[i].reserved_mbps > tp->a[i].rated_mbps ||
			tp->a[i].reserved_iops > tp->a[i].rated_iops;
	check(placed > 3 && !bad && !over,
	      "40 requests in a row: %u placed, all valid, no array past its rating",
	      placed);
	tp_free(tp);
}

static void test_columns_follow_rates(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(50 * GiB, 800, 0, 1);
	struct csa_plan plan;
	int ret;

	tp_simple(tp, "big", 10000 * GiB, 300, 20000);
	tp_simple(tp, "s2", 100 * GiB, 300, 20000);
	tp_simple(tp, "s3", 100 * GiB, 300, 20000);
	tp_simple(tp, "s4", 100 * GiB, 300, 20000);

	req.mbps = 0;
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 1,
	      "50 GiB with no rate asked: 1 column (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);

	req.mbps = 800;
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 3,
	      "50 GiB at 800 MB/s where 'big' alone has the space but 300 MB/s: 3 columns (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	if (!ret)
		check_plan(tp, &req, &plan, "800 MB/s");
	csa_plan_release(&plan);

	req.mbps = 0;
	req.iops = 50000;
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 3,
	      "50 GiB at 50000 IOPS on arrays of 20000: 3 columns (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);

	req = req_of(250 * GiB, 0, 0, 1);
	tp_arr(tp, 0)->nr_luns = 0;	/* 'big' gone: 100 GiB arrays only */
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 3,
	      "250 GiB on arrays of 100 GiB free: 3 columns for the space (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);
	tp_free(tp);
}

/* Best fit: the fewest columns that keep every array at or below 90% of
 * its space, MB/s and IOPS; the fewest at all when none does. */
static void test_columns_within(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(10 * GiB, 950, 0, 1);
	struct csa_plan plan;
	char name[16];
	unsigned i, a;
	int ret;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "a%u", i + 1);
		tp_simple(tp, name, 100 * GiB, 1000, 100000);
	}
	ret = csa_place(tp_pool(tp), &req, &plan);
	if (check(!ret && plan.layout->nr_columns == 2,
		  "950 MB/s on arrays of 1000: 2 columns of 475, not 1 at 95%% (%u)",
		  plan.layout ? plan.layout->nr_columns : 0))
		check_plan(tp, &req, &plan, "2 columns within 90%");
	csa_plan_release(&plan);

	req.fit = CSA_FIT_FIRST;
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 1,
	      "first fit keeps the fewest columns: 1 (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);

	req = req_of(10 * GiB, 900, 0, 1);
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 1,
	      "900 MB/s: exactly 90%% is within, 1 column (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);

	req = req_of(95 * GiB, 0, 0, 1);
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 2,
	      "95 GiB on arrays of 100 GiB: 2 columns, for the space (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);

	req = req_of(10 * GiB, 0, 95000, 2);
	ret = csa_place(tp_pool(tp), &req, &plan);
	check(!ret && plan.layout->nr_columns == 2 && plan.layout->nr_copies == 2,
	      "95000 IOPS x 2 copies on arrays of 100000: 2 columns x 2 copies (%u)",
	      plan.layout ? plan.layout->nr_columns : 0);
	csa_plan_release(&plan);

	/* 120 MB/s free of 1000 everywhere: no split stays within 90%. */
	for (i = 0; i < 4; i++)
		tp_arr(tp, i)->reserved_mbps = 880;
	req = req_of(10 * GiB, 100, 0, 1);
	ret = csa_place(tp_pool(tp), &req, &plan);
	if (check(!ret && plan.layout->nr_columns == 1,
		  "100 MB/s where every split goes past 90%%: the fewest, 1 column (%u)",
		  plan.layout ? plan.layout->nr_columns : 0))
		check_plan(tp, &req, &plan, "past 90%");
	csa_plan_release(&plan);
	tp_free(tp);

	/* Two block sizes: a plan within 90% wins over fewer columns. */
	tp = tp_new();
	tp_simple(tp, "s1", 100 * GiB, 1000, 100000);
	tp_arr(tp, 0)->reserved_mbps = 200;
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "b%u", i + 1);
		a = tp_simple(tp, name, 100 * GiB, 1000, 100000);
		tp_arr(tp, a)->block_size = 4096;
		tp_arr(tp, a)->reserved_mbps = 500;
	}
	req = req_of(10 * GiB, 750, 0, 1);
	ret = csa_place(tp_pool(tp), &req, &plan);
	if (check(!ret && plan.layout->nr_columns == 2 &&
		  plan.layout->block_size == 4096,
		  "750 MB/s: 2 columns on the 4096-byte arrays at 87.5%%, not 1 on s1 at 95%% (%u on %u)",
		  plan.layout ? plan.layout->nr_columns : 0,
		  plan.layout ? plan.layout->block_size : 0))
		check_plan(tp, &req, &plan, "block sizes");
	csa_plan_release(&plan);
	tp_free(tp);
}

static void test_fit(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(128 << 10, 0, 0, 1);
	struct csa_plan best, first;
	unsigned a;
	int r1, r2;

	/* Extents: a big hole first, a snug one later. */
	a = tp_array(tp, "x1", 1000, 10000);
	tp_lun(tp, a, 1, 4000, 100);
	tp_use(tp, a, 0, 1100, 900);	/* free: 100+1000, 2000+2000 */
	tp_use(tp, a, 0, 2300, 1700);	/* free: 2000+300 */
	req.stripe_unit = 64 << 10;	/* 128 KiB = 256 blocks */
	r1 = csa_place(tp_pool(tp), &req, &best);
	req.fit = CSA_FIT_FIRST;
	r2 = csa_place(tp_pool(tp), &req, &first);
	check(!r1 && !r2, "a 128 KiB volume fits both ways");
	if (!r1 && !r2) {
		check(best.layout->copies[0].extents[0].start_lba == 2000,
		      "best fit takes the snug 300-block hole at 2000 (%" PRIu64 ")",
		      best.layout->copies[0].extents[0].start_lba);
		check(first.layout->copies[0].extents[0].start_lba == 100,
		      "first fit takes the first hole at 100 (%" PRIu64 ")",
		      first.layout->copies[0].extents[0].start_lba);
		check_plan(tp, &req, &first, "first fit, extents");
	}
	csa_plan_release(&best);
	csa_plan_release(&first);
	tp_free(tp);

	/* Arrays: a loaded one first in pool order. */
	tp = tp_new();
	tp_simple(tp, "loaded", 100 * GiB, 1000, 10000);
	tp_arr(tp, 0)->reserved_mbps = 700;
	tp_simple(tp, "light", 100 * GiB, 1000, 10000);
	tp_arr(tp, 1)->reserved_mbps = 200;
	tp_simple(tp, "lighter", 200 * GiB, 1000, 10000);
	req = req_of(10 * GiB, 100, 0, 1);
	r1 = csa_place(tp_pool(tp), &req, &best);
	req.fit = CSA_FIT_FIRST;
	r2 = csa_place(tp_pool(tp), &req, &first);
	if (check(!r1 && !r2, "10 GiB at 100 MB/s fits both ways")) {
		check(!strcmp(best.layout->arrays[0].name, "lighter"),
		      "best fit picks the least utilised array after placement (%s)",
		      best.layout->arrays[0].name);
		check(!strcmp(first.layout->arrays[0].name, "loaded"),
		      "first fit picks the first array with room (%s)",
		      first.layout->arrays[0].name);
	}
	csa_plan_release(&best);
	csa_plan_release(&first);
	tp_free(tp);
}

/* A column copy bigger than every hole: several extents, fewest first. */
static void test_multi_extent(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(1 * MiB, 0, 0, 1);
	struct csa_plan plan;
	unsigned a;
	int ret;

	a = tp_array(tp, "frag", 1000, 10000);
	tp_lun(tp, a, 3, 10000, 100);
	tp_lun(tp, a, 7, 10000, 100);
	/* LUN 3 free: 100+1000, 3000+1500; LUN 7 free: 100+400, 9000+1000 */
	tp_use(tp, a, 0, 1100, 1900);
	tp_use(tp, a, 0, 4500, 5500);
	tp_use(tp, a, 1, 500, 8500);
	req.stripe_unit = 512 << 10;	/* 1 MiB = 2048 blocks */
	ret = csa_place(tp_pool(tp), &req, &plan);
	if (check(!ret, "1 MiB from holes of 1000, 1500, 400, 1000 blocks is placed")) {
		const struct csa_copy *cp = &plan.layout->copies[0];

		check(cp->nr_extents == 2 && cp->extents[0].lun == 3 &&
		      cp->extents[0].start_lba == 100 && cp->extents[0].blocks == 548 &&
		      cp->extents[1].start_lba == 3000 && cp->extents[1].blocks == 1500,
		      "best fit: the 1500-block hole whole, then the smallest that holds the other 548 (%u extents)",
		      cp->nr_extents);
		check_plan(tp, &req, &plan, "several extents");
	}
	csa_plan_release(&plan);
	tp_free(tp);
}

static void test_defaults(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(10 * GiB, 0, 0, 1);
	struct csa_plan plan;
	unsigned a;
	int ret;

	check(csa_default_stripe_unit(800, 0) == 1 << 20,
	      "stripe unit for MB/s only: 1 MiB");
	check(csa_default_stripe_unit(0, 20000) == 64 << 10,
	      "stripe unit for IOPS only: 64 KiB");
	check(csa_default_stripe_unit(100, 25000) == 64 << 10,
	      "stripe unit for 4 KB transactions: 64 KiB");
	check(csa_default_stripe_unit(400, 1000) == 256 << 10,
	      "stripe unit for 400 KB transactions: 256 KiB");
	check(csa_default_stripe_unit(0, 0) == 256 << 10,
	      "stripe unit when nothing is asked: 256 KiB");
	check(csa_default_region_rows(1 << 20, 3) == 42 &&
	      csa_default_region_rows(64 << 10, 1) == 2048 &&
	      csa_default_region_rows(64 << 20, 64) == 1,
	      "region rows: 126 MiB for 3 x 1 MiB, 128 MiB for 1 x 64 KiB, 1 row of 4 GiB");

	a = tp_array(tp, "big4k", 1000, 100000);
	tp_arr(tp, a)->block_size = 4096;
	tp_lun(tp, a, 1, 1 << 26, 1024);
	req.stripe_unit = 128 << 10;
	req.size = 10 * GiB + 1;
	ret = csa_place(tp_pool(tp), &req, &plan);
	if (check(!ret, "a 4096-byte-block array takes a 128 KiB stripe unit")) {
		check(plan.layout->stripe_unit == 128 << 10 &&
		      plan.layout->block_size == 4096 &&
		      plan.layout->size == 10 * GiB + 4096,
		      "the stripe unit is kept, the size rounded up to a block (%" PRIu64 ")",
		      plan.layout->size);
		check_plan(tp, &req, &plan, "4096-byte blocks");
	}
	csa_plan_release(&plan);
	tp_free(tp);
}

/* ---- main ------------------------------------------------------------------- */

void test_refusals(void);
void test_replan(void);
void test_random(uint64_t seed);

int main(void)
{
	const char *env = getenv("CSA_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x706c6163656d6e74ull;

	printf("# seed %#" PRIx64 " (CSA_TEST_SEED)\n", seed);
	test_distinct();
	test_headroom();
	test_columns_follow_rates();
	test_columns_within();
	test_fit();
	test_multi_extent();
	test_defaults();
	test_refusals();
	test_replan();
	test_random(seed);
	printf("# %u checks, %u failed\n", nr_checks, nr_failed);
	return nr_failed ? 1 : 0;
}
