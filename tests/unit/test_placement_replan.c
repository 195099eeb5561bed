// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Re-plan (primary/placement.h, "Re-plan") on crafted pools: nothing
 * changes when nothing must; growth in place, right after the last extent
 * or elsewhere on the same array; one saturated array moves one copy;
 * more bandwidth moves exactly the copies whose arrays lack it; copies
 * added and dropped; re-stripe only when the columns cannot stay; a
 * shrink is refused.
 *
 * Every re-plan goes through plan_faults with the old volume: headroom
 * with the old share taken back, kept copies on their old extents, moved
 * and added copies clear of every used extent and of the old volume.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/placement.h"

#define GiB	(1ull << 30)

/* From test_placement.c */
struct tpool;
__attribute__((format(printf, 2, 3)))
int check(int ok, const char *fmt, ...);
struct tpool *tp_new(void);
void tp_free(struct tpool *tp);
struct csa_pool_array *tp_arr(struct tpool *tp, unsigned a);
unsigned tp_simple(struct tpool *tp, const char *name, uint64_t free_bytes,
		   uint64_t mbps, uint64_t iops);
void tp_use(struct tpool *tp, unsigned a, unsigned li, uint64_t start,
	    uint64_t blocks);
const struct csa_pool *tp_pool(struct tpool *tp);
int tp_find(const struct tpool *tp, const char *name);
void tp_apply(struct tpool *tp, const struct csa_plan *plan);
int plan_faults(const struct tpool *tp, const struct csa_requirements *req,
		const struct csa_plan *plan, const struct csa_layout *old,
		const struct csa_requirements *old_req, char *why, size_t len);
struct csa_requirements req_of(uint64_t size, uint64_t mbps, uint64_t iops,
			       unsigned copies);

/* A volume placed and recorded in the pool. */
struct vol {
	struct csa_layout *l;
	struct csa_requirements req;
};

static int place(struct tpool *tp, const struct csa_requirements *req,
		 struct vol *v)
{
	struct csa_plan plan;
	int ret = csa_place(tp_pool(tp), req, &plan);

	if (!ret) {
		tp_apply(tp, &plan);
		v->l = plan.layout;
		v->req = *req;
		plan.layout = NULL;
	}
	csa_plan_release(&plan);
	return ret;
}

static int replan(struct tpool *tp, const struct vol *v,
		  const struct csa_requirements *req, struct csa_plan *plan,
		  const char *what)
{
	char why[512] = "";
	int ret = csa_replan(tp_pool(tp), v->l, &v->req, req, plan), bad;

	if (ret)
		return check(0, "%s: re-planned (%d: %s)", what, ret,
			     plan->refusal.message);
	bad = plan_faults(tp, req, plan, v->l, &v->req, why, sizeof(why));
	return check(!bad, "%s: re-planned, the plan is valid%s%s", what,
		     bad ? ": " : "", why);
}

/* Pool index of the array of old copy (c, k). */
static int old_array(const struct tpool *tp, const struct csa_layout *l,
		     unsigned c, unsigned k)
{
	const struct csa_copy *cp = csa_layout_copy(l, c, k);

	return tp_find(tp, l->arrays[cp->extents[0].array].name);
}

static struct tpool *six(void)
{
	struct tpool *tp = tp_new();
	char name[8];
	unsigned i;

	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "a%u", i + 1);
		tp_simple(tp, name, 200 * GiB, 600, 20000);
	}
	return tp;
}

static void same_and_grow(void)
{
	struct tpool *tp = six();
	struct csa_requirements req = req_of(40 * GiB, 1000, 0, 2), big;
	struct csa_plan plan;
	struct vol v;
	const struct csa_copy *o, *n;
	unsigned i, same = 1, extended = 1;
	int a;

	if (!check(!place(tp, &req, &v) && v.l->nr_columns == 2,
		   "40 GiB at 1000 MB/s x 2 copies: 2 columns on 4 of 6 arrays"))
		goto out;
	if (replan(tp, &v, &req, &plan, "the same requirements")) {
		check(plan.nr_changed == 0 && plan.nr_kept == 4 && !plan.restriped &&
		      plan.layout && csa_layout_equal(v.l, plan.layout),
		      "the same requirements: nothing changes, the layout is equal (%u changed)",
		      plan.nr_changed);
	}
	csa_plan_release(&plan);

	big = req;
	big.size = 60 * GiB;
	if (replan(tp, &v, &big, &plan, "40 -> 60 GiB")) {
		for (i = 0; i < 4; i++) {
			o = &v.l->copies[i];
			n = &plan.layout->copies[i];
			extended &= n->nr_extents == o->nr_extents &&
				    n->extents[0].start_lba == o->extents[0].start_lba &&
				    n->extents[0].blocks > o->extents[0].blocks;
			same &= plan.copies[i].change == CSA_COPY_GROWN &&
				plan.copies[i].old_copy == (int)(i % 2);
		}
		check(plan.nr_changed == 0 && plan.nr_grown == 4 && same,
		      "40 -> 60 GiB: all 4 copies grown in place, none changed");
		check(extended, "40 -> 60 GiB: each copy's one extent extended into the space right after it");
	}
	csa_plan_release(&plan);

	/* Another volume right after copy (0, 0): it grows elsewhere. */
	o = &v.l->copies[0];
	a = old_array(tp, v.l, 0, 0);
	tp_use(tp, (unsigned)a, 0, o->extents[0].start_lba + o->extents[0].blocks,
	       1 << 20);
	if (replan(tp, &v, &big, &plan, "40 -> 60 GiB, a neighbour after copy 0")) {
		n = &plan.layout->copies[0];
		check(plan.copies[0].change == CSA_COPY_GROWN && n->nr_extents == 2 &&
		      n->extents[0].blocks == o->extents[0].blocks &&
		      plan.copies[0].array == (unsigned)a && plan.nr_changed == 0,
		      "with a neighbour: copy 0 grows by a second extent on the same array (%u extents)",
		      n->nr_extents);
	}
	csa_plan_release(&plan);

	big.size = 20 * GiB;
	check(csa_replan(tp_pool(tp), v.l, &v.req, &big, &plan) == -EINVAL &&
	      plan.refusal.code == CSA_PLAN_BAD_REQUEST &&
	      !strcmp(plan.refusal.field, "size") &&
	      !strcmp(plan.refusal.message,
		      "size 21474836480 is below the volume's 42949672960 bytes; a volume cannot shrink"),
	      "40 -> 20 GiB: refused, a volume cannot shrink (%s)",
	      plan.refusal.message);
	csa_plan_release(&plan);
	csa_layout_free(v.l);
out:
	tp_free(tp);
}

static void saturated(void)
{
	struct tpool *tp = six();
	struct csa_requirements req = req_of(40 * GiB, 1000, 0, 2);
	struct csa_plan plan;
	struct vol v;
	unsigned i, others = 1, old_arrays = 0;
	int a;

	if (place(tp, &req, &v))
		goto out;
	/* Column 1 copy 0's array: other volumes now reserve 600 of its 600
	 * MB/s on top of this one's 500. */
	a = old_array(tp, v.l, 1, 0);
	tp_arr(tp, (unsigned)a)->reserved_mbps = 1100;
	if (replan(tp, &v, &req, &plan, "one array saturated")) {
		for (i = 0; i < 3; i++)
			others &= plan.copies[i].change == CSA_COPY_KEPT;
		for (i = 0; i < v.l->nr_arrays; i++)
			old_arrays += tp_find(tp, v.l->arrays[i].name) ==
				      (int)plan.copies[3].array;
		/* column 1: the kept old copy 1 first, then the moved one */
		check(plan.nr_changed == 1 && plan.nr_moved == 1 && plan.nr_kept == 3 &&
		      plan.copies[3].change == CSA_COPY_MOVED &&
		      plan.copies[3].old_copy == 0 && plan.copies[3].from_copy == 1 &&
		      plan.copies[2].old_copy == 1 && others && !old_arrays,
		      "one array saturated: its one copy moves to an array the volume did not use, read from the other copy; 3 kept");
	}
	csa_plan_release(&plan);
	csa_layout_free(v.l);
out:
	tp_free(tp);
}

static void more_bandwidth(void)
{
	struct tpool *tp = tp_new();
	struct csa_requirements req = req_of(30 * GiB, 900, 0, 1), more;
	struct csa_plan plan;
	struct vol v;
	unsigned i, keepable = 0;
	uint64_t head, share;
	int a;
	static const uint64_t rated[] = { 400, 500, 700, 800, 900, 1000, 1000, 1000 };
	char name[8];

	/* First fit: the fewest columns even where best fit would spread
	 * them to keep the busy arrays within 90% (placement.h, "Columns"). */
	req.fit = CSA_FIT_FIRST;
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "b%u", i + 1);
		tp_simple(tp, name, 200 * GiB, rated[i], 20000);
		/* the big ones are busy: the first placement lands on small ones */
		tp_arr(tp, i)->reserved_mbps = rated[i] > 600 ? rated[i] - 350 : 0;
	}
	v.l = NULL;
	place(tp, &req, &v);
	if (!check(v.l && v.l->nr_columns == 3, "900 MB/s: 3 columns of 300 (%u)",
		   v.l ? v.l->nr_columns : 0))
		goto out;
	more = req;
	more.mbps = 1350;	/* 450 a column */
	share = 450;
	for (i = 0; i < 3; i++) {
		a = old_array(tp, v.l, i, 0);
		head = tp_arr(tp, (unsigned)a)->rated_mbps -
		       tp_arr(tp, (unsigned)a)->reserved_mbps + 300;
		keepable += head >= share;
	}
	for (i = 0; i < 8; i++)	/* room for the copies that move */
		if (tp_arr(tp, i)->rated_mbps == 1000)
			tp_arr(tp, i)->reserved_mbps = 0;
	if (replan(tp, &v, &more, &plan, "900 -> 1350 MB/s")) {
		check(!plan.restriped && plan.layout->nr_columns == 3 &&
		      plan.nr_kept == keepable && plan.nr_moved == 3 - keepable &&
		      keepable > 0 && keepable < 3,
		      "900 -> 1350 MB/s: the %u copies whose arrays have 450 MB/s stay, %u move",
		      keepable, 3 - keepable);
	}
	csa_plan_release(&plan);
	csa_layout_free(v.l);
out:
	tp_free(tp);
}

static void copies_and_restripe(void)
{
	struct tpool *tp = six();
	struct csa_requirements req = req_of(40 * GiB, 500, 0, 1), r2;
	struct csa_plan plan;
	struct vol v;
	int a;

	if (place(tp, &req, &v))
		goto out;
	check(v.l->nr_columns == 1, "500 MB/s on arrays of 600: 1 column");
	r2 = req;
	r2.copies = 2;
	if (replan(tp, &v, &r2, &plan, "1 -> 2 copies")) {
		check(plan.nr_added == 1 && plan.nr_changed == 1 && plan.nr_kept == 1 &&
		      plan.copies[1].change == CSA_COPY_ADDED &&
		      plan.copies[1].from_copy == 0 && plan.copies[1].old_copy == -1,
		      "1 -> 2 copies: one copy added, read from copy 0; the old one kept");
		/* and back: 2 -> 1 drops one */
		{
			struct vol v2 = { plan.layout, r2 };
			struct csa_plan p2;
			struct tpool *tp2 = six();

			tp_apply(tp2, &plan);
			if (replan(tp2, &v2, &req, &p2, "2 -> 1 copies"))
				check(p2.nr_dropped == 1 && p2.nr_changed == 0 &&
				      p2.nr_kept == 1, "2 -> 1 copies: one dropped, nothing changed");
			csa_plan_release(&p2);
			tp_free(tp2);
		}
	}
	csa_plan_release(&plan);

	r2 = req;
	r2.mbps = 1100;	/* 1 column of 1100: no array has it */
	if (replan(tp, &v, &r2, &plan, "500 -> 1100 MB/s")) {
		check(plan.restriped && plan.layout->nr_columns == 3 &&
		      plan.nr_changed == 3 &&
		      plan.copies[0].change == CSA_COPY_RESTRIPED,
		      "500 -> 1100 MB/s: no array has 1100, and 2 columns of 550 would take arrays to 92%%, so it re-stripes over 3 (%u)",
		      plan.layout->nr_columns);
	}
	csa_plan_release(&plan);

	r2 = req;
	r2.mbps = 1100;
	r2.fit = CSA_FIT_FIRST;
	if (replan(tp, &v, &r2, &plan, "500 -> 1100 MB/s, first fit"))
		check(plan.restriped && plan.layout->nr_columns == 2,
		      "500 -> 1100 MB/s by first fit: the fewest columns, 2 (%u)",
		      plan.layout->nr_columns);
	csa_plan_release(&plan);

	r2 = req;
	r2.stripe_unit = 64 << 10;
	if (replan(tp, &v, &r2, &plan, "stripe unit 1 MiB -> 64 KiB"))
		check(plan.restriped && plan.nr_changed == 1,
		      "a new stripe unit re-stripes the volume");
	csa_plan_release(&plan);

	/* Its array leaves the pool: the copy moves, with nothing to read. */
	a = old_array(tp, v.l, 0, 0);
	snprintf(tp_arr(tp, (unsigned)a)->name, CSA_NAME_MAX, "gone");
	if (replan(tp, &v, &req, &plan, "its array left the pool"))
		check(plan.nr_moved == 1 && plan.copies[0].from_copy == -1 &&
		      plan.copies[0].old_copy == 0,
		      "its array left the pool: the copy moves; no old copy to read from");
	csa_plan_release(&plan);
	csa_layout_free(v.l);
out:
	tp_free(tp);
}

void test_replan(void)
{
	same_and_grow();
	saturated();
	more_bandwidth();
	copies_and_restripe();
}
