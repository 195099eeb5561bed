// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Volumes placed from requirements against the pool a catalog gives, and
 * booked back into the catalog: the next placement sees what the last one
 * took (space and reservations), and a request the arrays can no longer
 * serve is refused in numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/pool.h"

static int failed;

static void ok(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	failed |= !cond;
}

/* 4 arrays of 400 MB/s, 10000 IOPS, one 2 GiB LUN each. */
static struct csa_catalog *make_catalog(void)
{
	struct csa_uuid u;
	struct csa_catalog *c;
	char err[256];
	unsigned i;

	csa_uuid_generate(&u);
	c = csa_catalog_new(&u);
	for (i = 0; c && i < 4; i++) {
		struct csa_cat_lun lun = { .number = 1, .blocks = 4194304,
					   .block_size = 512,
					   .reserved_blocks = 8192 };
		struct csa_cat_array a = { .rated_mbps = 400,
					   .rated_iops = 10000, .nr_luns = 1,
					   .luns = &lun };

		csa_uuid_generate(&lun.uuid);
		snprintf(a.name, sizeof(a.name), "a%u", i + 1);
		snprintf(a.portal, sizeof(a.portal), "127.0.0.1:%u", 3261 + i);
		snprintf(a.target, sizeof(a.target), "iqn.2026-11.org.csafs.t:a%u",
			 i + 1);
		if (csa_catalog_add_array(c, &a, err, sizeof(err))) {
			printf("# %s\n", err);
			return NULL;
		}
	}
	return c;
}

/* Plan @name for @req on the catalog's pool; book it if placed. */
static int create(struct csa_catalog *c, const char *name, uint64_t size,
		  uint64_t mbps, struct csa_plan *plan)
{
	struct csa_cat_req req = { .size = size, .mbps = mbps, .copies = 1 };
	struct csa_requirements r;
	struct csa_cat_pool p;
	struct csa_cat_volume v = { .state = CSA_VOL_ONLINE };
	char err[256];
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (csa_pool_from_catalog(c, &p))
		return -1;
	csa_requirements_of(&req, &r);
	ret = csa_place(&p.pool, &r, plan);
	csa_cat_pool_release(&p);
	if (ret)
		return ret;
	snprintf(v.name, sizeof(v.name), "%s", name);
	v.req = req;
	v.layout = plan->layout;
	ret = csa_catalog_add_volume(c, &v, err, sizeof(err));
	if (ret)
		printf("# %s\n", err);
	return ret;
}

/* Bit per array ("aN" -> bit N-1) that the layout uses. */
static unsigned arrays_of(const struct csa_layout *l)
{
	unsigned i, mask = 0;

	for (i = 0; i < l->nr_arrays; i++)
		mask |= 1u << (l->arrays[i].name[1] - '1');
	return mask;
}

static void check_pool(const struct csa_catalog *c, unsigned used_mask)
{
	struct csa_cat_pool p;
	unsigned i, good = 1;

	if (csa_pool_from_catalog(c, &p)) {
		ok(0, "pool from catalog");
		return;
	}
	for (i = 0; i < p.pool.nr_arrays; i++) {
		const struct csa_pool_array *a = &p.pool.arrays[i];
		int in = used_mask >> i & 1;

		if (a->reserved_mbps != (in ? 300u : 0u) ||
		    a->luns[0].nr_used != (unsigned)in ||
		    a->luns[0].reserved_blocks != 8192)
			good = 0;
	}
	ok(good, "the pool shows 300 MB/s reserved and one extent used on each array of v1, nothing elsewhere");
	csa_cat_pool_release(&p);
}

int main(void)
{
	struct csa_catalog *c = make_catalog();
	struct csa_plan p1, p2, p3, p4;
	unsigned m1, m2;
	int ret;

	if (!c) {
		printf("not ok - catalog\n");
		return 1;
	}
	ret = create(c, "v1", 1ULL << 30, 600, &p1);
	ok(!ret && p1.layout->nr_columns == 2,
	   "v1, 1 GiB at 600 MB/s on arrays of 400: 2 columns, booked");
	m1 = ret ? 0 : arrays_of(p1.layout);
	check_pool(c, m1);
	ret = create(c, "v2", 1ULL << 30, 600, &p2);
	m2 = ret ? 0 : arrays_of(p2.layout);
	ok(!ret && p2.layout->nr_columns == 2 && !(m1 & m2),
	   "v2 likewise goes to the two arrays v1 left untouched");
	/* 4 x 100 MB/s left: 400 would fit as 4 columns, 500 cannot. */
	ret = create(c, "v3", 1ULL << 30, 500, &p3);
	ok(ret && p3.refusal.code == CSA_PLAN_NO_BANDWIDTH &&
	   strstr(p3.refusal.message, "needs 500 MB/s"),
	   "v3 at 500 MB/s is refused: the 4 arrays have 100 MB/s left each");
	printf("# %s\n", p3.refusal.message);
	ret = create(c, "v4", 512ULL << 20, 0, &p4);
	ok(!ret, "v4, 512 MiB with no rate asked, fits beside them (the catalog checked: no overlap)");
	ok(c->nr_volumes == 3, "the catalog holds v1, v2, v4");
	csa_plan_release(&p1);
	csa_plan_release(&p2);
	csa_plan_release(&p3);
	csa_plan_release(&p4);
	csa_catalog_free(c);
	return failed;
}
