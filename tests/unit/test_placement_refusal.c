// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Placement refusals (primary/placement.h, "Refusals"): for each code, a
 * crafted pool, the exact sentence, the return value and the fields; one
 * refusal through csa_refusal_to_json and back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "primary/placement.h"

#define GiB	(1ull << 30)

/* From test_placement.c */
struct tpool;
__attribute__((format(printf, 2, 3)))
int check(int ok, const char *fmt, ...);
struct tpool *tp_new(void);
void tp_free(struct tpool *tp);
unsigned tp_array(struct tpool *tp, const char *name, uint64_t mbps,
		  uint64_t iops);
struct csa_pool_array *tp_arr(struct tpool *tp, unsigned a);
unsigned tp_simple(struct tpool *tp, const char *name, uint64_t free_bytes,
		   uint64_t mbps, uint64_t iops);
const struct csa_pool *tp_pool(struct tpool *tp);
struct csa_requirements req_of(uint64_t size, uint64_t mbps, uint64_t iops,
			       unsigned copies);

/* Place @req on @tp and check the refusal's code, return and sentence. */
static int refused(struct tpool *tp, const struct csa_requirements *req,
		   struct csa_plan *plan, enum csa_plan_code code,
		   const char *msg, const char *what)
{
	int ret = csa_place(tp_pool(tp), req, plan);
	int want = code == CSA_PLAN_BAD_REQUEST || code == CSA_PLAN_BAD_POOL ?
		   -EINVAL : -ENOSPC;
	int ok;

	ok = check(ret == want && !plan->layout && plan->refusal.code == code,
		   "%s: refused with %s (%d, %s)", what, csa_plan_code_name(code),
		   ret, csa_plan_code_name(plan->refusal.code));
	ok &= check(!strcmp(plan->refusal.message, msg),
		    "%s: the sentence is \"%s\"%s%s", what, msg,
		    strcmp(plan->refusal.message, msg) ? "; got: " : "",
		    strcmp(plan->refusal.message, msg) ? plan->refusal.message : "");
	return ok;
}

/* Four arrays of 512 GiB free, rated 1000 MB/s, with @free MB/s left. */
static struct tpool *four(const uint64_t *free)
{
	struct tpool *tp = tp_new();
	char name[8];
	unsigned i, a;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "a%u", i + 1);
		a = tp_simple(tp, name, 512 * GiB, 1000, 100000);
		tp_arr(tp, a)->reserved_mbps = 1000 - free[i];
	}
	return tp;
}

static void bandwidth(void)
{
	static const uint64_t f1[] = { 180, 0, 240, 200 }, f2[] = { 790, 5, 5, 5 };
	struct csa_requirements req = req_of(10 * GiB, 800, 0, 1);
	struct csa_plan plan;
	const struct csa_refusal *r = &plan.refusal;
	struct tpool *tp = four(f1);
	char *js;

	refused(tp, &req, &plan, CSA_PLAN_NO_BANDWIDTH,
		"needs 800 MB/s; arrays with room for a column have 620 MB/s free (a1 180, a3 240, a4 200); a2 is full",
		"800 MB/s on 620 free");
	check(r->columns == 1 && r->arrays_needed == 1 && r->arrays_ok == 0 &&
	      r->column_mbps == 800 && r->free_mbps == 620 && r->mbps == 800 &&
	      r->copies == 1 && r->size == 10 * GiB && !r->field &&
	      r->nr_arrays == 4 && !strcmp(r->arrays[1].name, "a2") &&
	      r->arrays[1].free_mbps == 0 && r->arrays[2].free_mbps == 240 &&
	      r->arrays[0].free_bytes == 512 * GiB,
	      "800 MB/s on 620 free: the fields hold the same figures");
	js = csa_refusal_to_json(r);
	if (check(js != NULL, "the refusal turns into JSON")) {
		struct json_object *o = json_tokener_parse(js), *v, *arr, *a1;

		check(o && json_object_object_get_ex(o, "code", &v) &&
		      !strcmp(json_object_get_string(v), "no_bandwidth") &&
		      json_object_object_get_ex(o, "message", &v) &&
		      !strcmp(json_object_get_string(v), r->message) &&
		      json_object_object_get_ex(o, "field", &v) && !v &&
		      json_object_object_get_ex(o, "free_mbps", &v) &&
		      json_object_get_uint64(v) == 620 &&
		      json_object_object_get_ex(o, "arrays", &arr) &&
		      json_object_array_length(arr) == 4 &&
		      (a1 = json_object_array_get_idx(arr, 1)) &&
		      json_object_object_get_ex(a1, "name", &v) &&
		      !strcmp(json_object_get_string(v), "a2") &&
		      json_object_object_get_ex(a1, "ok", &v) &&
		      !json_object_get_boolean(v),
		      "the JSON has code, message, field null, free_mbps 620 and a2 among 4 arrays: %s",
		      js);
		json_object_put(o);
	}
	free(js);
	csa_plan_release(&plan);
	tp_free(tp);

	tp = four(f2);
	refused(tp, &req, &plan, CSA_PLAN_NO_BANDWIDTH,
		"needs 800 MB/s; arrays with room for a column have 805 MB/s free (a1 790, a2 5, a3 5, a4 5), but not on enough arrays at once: the nearest split, 2 columns x 1 copy, needs 2 arrays with 400 MB/s free each; only 1 has",
		"800 MB/s on 805 free, all but 15 on one array");
	check(r->columns == 2 && r->arrays_needed == 2 && r->arrays_ok == 1 &&
	      r->column_mbps == 400 && r->arrays[0].ok && !r->arrays[1].ok,
	      "uneven: the fields are for the nearest split, 2 columns, a1 ok");
	csa_plan_release(&plan);
	tp_free(tp);
}

static void iops(void)
{
	struct csa_requirements req = req_of(1 * GiB, 0, 20000, 2);
	struct csa_plan plan;
	const struct csa_refusal *r = &plan.refusal;
	struct tpool *tp = tp_new();
	unsigned a;

	a = tp_simple(tp, "a1", 100 * GiB, 1000, 10000);
	tp_arr(tp, a)->reserved_iops = 5000;
	a = tp_simple(tp, "a2", 100 * GiB, 1000, 10000);
	tp_arr(tp, a)->reserved_iops = 10000;
	a = tp_simple(tp, "a3", 100 * GiB, 1000, 10000);
	tp_arr(tp, a)->reserved_iops = 3000;
	refused(tp, &req, &plan, CSA_PLAN_NO_IOPS,
		"needs 20000 IOPS on each of 2 copies (40000 IOPS); arrays with room for a column have 12000 IOPS free (a1 5000, a3 7000); a2 is full",
		"20000 IOPS x 2 copies");
	check(r->columns == 1 && r->arrays_needed == 2 && r->arrays_ok == 0 &&
	      r->column_iops == 20000 && r->free_iops == 12000 && r->copies == 2,
	      "20000 IOPS x 2 copies: the fields hold the same figures");
	csa_plan_release(&plan);
	tp_free(tp);
}

static void space(void)
{
	struct csa_requirements req = req_of(120 * GiB, 750, 0, 1);
	struct csa_plan plan;
	const struct csa_refusal *r = &plan.refusal;
	struct tpool *tp = tp_new();

	tp_simple(tp, "a1", 64 * GiB, 300, 10000);
	tp_simple(tp, "a2", 10 * GiB, 300, 10000);
	tp_simple(tp, "a3", 20 * GiB, 300, 10000);
	tp_simple(tp, "a4", 41 * GiB, 300, 10000);
	refused(tp, &req, &plan, CSA_PLAN_NO_SPACE,
		"needs 3 arrays with 40 GiB free each for 3 columns x 1 copy; only 2 have: a1 64 GiB, a4 41 GiB",
		"120 GiB at 750 MB/s over arrays of 300");
	check(r->columns == 3 && r->arrays_needed == 3 && r->arrays_ok == 2 &&
	      r->column_bytes == 40 * GiB && r->column_mbps == 250 &&
	      r->arrays[0].ok && !r->arrays[1].ok && r->arrays[3].ok &&
	      r->arrays[3].free_bytes == 41 * GiB,
	      "120 GiB: the fields hold the same figures");
	csa_plan_release(&plan);
	tp_free(tp);

	tp = tp_new();
	tp_simple(tp, "a1", 5 * GiB + (300ull << 20), 300, 10000);
	req = req_of(10 * GiB, 0, 0, 1);
	refused(tp, &req, &plan, CSA_PLAN_NO_SPACE,
		"needs 1 array with 10 GiB free for 1 column x 1 copy; none has (the most on one array: a1 5.2 GiB)",
		"10 GiB on one array with 5.29 GiB");
	csa_plan_release(&plan);
	tp_free(tp);
}

static void fit(void)
{
	struct csa_requirements req = req_of(20 * GiB, 400, 0, 1);
	struct csa_plan plan;
	const struct csa_refusal *r = &plan.refusal;
	struct tpool *tp = tp_new();

	tp_simple(tp, "a1", 100 * GiB, 100, 10000);
	tp_simple(tp, "a2", 5 * GiB, 1000, 10000);
	refused(tp, &req, &plan, CSA_PLAN_NO_FIT,
		"needs 1 array with 20 GiB and 400 MB/s free for 1 column x 1 copy; none has it all; short: a1 has 100 MB/s, a2 has 5 GiB",
		"space on one array, bandwidth on the other");
	check(r->columns == 1 && r->arrays_ok == 0 && r->column_bytes == 20 * GiB,
	      "no_fit: the fields are for 1 column");
	csa_plan_release(&plan);
	tp_free(tp);
}

static void few_and_bad(void)
{
	struct csa_requirements req = req_of(1 * GiB, 0, 0, 3);
	struct csa_plan plan;
	struct tpool *tp = tp_new();
	char name[8];
	unsigned i, a;

	refused(tp, &req, &plan, CSA_PLAN_TOO_FEW_ARRAYS,
		"needs 3 arrays for 3 copies; the pool has none", "empty pool");
	csa_plan_release(&plan);
	tp_simple(tp, "a1", 100 * GiB, 100, 10000);
	tp_simple(tp, "a2", 100 * GiB, 100, 10000);
	refused(tp, &req, &plan, CSA_PLAN_TOO_FEW_ARRAYS,
		"needs 3 arrays for 3 copies; the pool has 2: a1, a2",
		"3 copies on 2 arrays");
	check(plan.refusal.arrays_needed == 3 && plan.refusal.arrays_ok == 2 &&
	      plan.refusal.nr_arrays == 2, "3 copies on 2 arrays: the fields say 3 needed, 2 there");
	csa_plan_release(&plan);

	req = req_of(0, 0, 0, 1);
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"size is 0; a volume needs at least one block", "size 0");
	check(plan.refusal.field && !strcmp(plan.refusal.field, "size"),
	      "size 0: the field is \"size\"");
	csa_plan_release(&plan);
	req = req_of(GiB, 0, 0, 0);
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"copies is 0; it must be 1 to 4", "copies 0");
	csa_plan_release(&plan);
	req.copies = 5;
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"copies is 5; it must be 1 to 4", "copies 5");
	check(plan.refusal.field && !strcmp(plan.refusal.field, "copies"),
	      "copies 5: the field is \"copies\"");
	csa_plan_release(&plan);
	req.copies = 1;
	req.stripe_unit = 3000;
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"stripe unit 3000 is not a power of two", "stripe unit 3000");
	check(plan.refusal.field && !strcmp(plan.refusal.field, "stripe_unit"),
	      "stripe unit 3000: the field is \"stripe_unit\"");
	csa_plan_release(&plan);
	req.stripe_unit = 256;
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"stripe unit 256 is below 512 bytes", "stripe unit 256");
	csa_plan_release(&plan);
	req.stripe_unit = 0;
	req.fit = (enum csa_fit)7;
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"fit 7 is neither best (0) nor first (1)", "fit 7");
	csa_plan_release(&plan);
	req.fit = CSA_FIT_BEST;
	req.stripe_unit = 4096;
	for (i = 0; i < 2; i++)
		tp_arr(tp, i)->block_size = 8192;
	refused(tp, &req, &plan, CSA_PLAN_BAD_REQUEST,
		"stripe unit 4096 is smaller than the block size of every array (the smallest is 8192)",
		"stripe unit below the block size");
	csa_plan_release(&plan);
	tp_free(tp);

	tp = tp_new();
	tp_simple(tp, "a1", 100 * GiB, 100, 10000);
	tp_simple(tp, "a1", 100 * GiB, 100, 10000);
	req = req_of(GiB, 0, 0, 1);
	refused(tp, &req, &plan, CSA_PLAN_BAD_POOL,
		"two arrays are named \"a1\"", "a pool with a name twice");
	check(plan.refusal.field && !strcmp(plan.refusal.field, "pool"),
	      "a name twice: the field is \"pool\"");
	csa_plan_release(&plan);
	tp_free(tp);

	/* Twelve full arrays: the sentence names eight. */
	tp = tp_new();
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "a%u", i + 1);
		a = tp_simple(tp, name, 100 * GiB, 100, 10000);
		tp_arr(tp, a)->reserved_mbps = 100;
	}
	req = req_of(GiB, 10, 0, 1);
	refused(tp, &req, &plan, CSA_PLAN_NO_BANDWIDTH,
		"needs 10 MB/s; every array is full: a1, a2, a3, a4, a5, a6, a7, a8 and 4 more",
		"12 full arrays");
	check(plan.refusal.nr_arrays == 12, "12 full arrays: the fields list all 12");
	csa_plan_release(&plan);
	tp_free(tp);

	check(!strcmp(csa_plan_code_name(CSA_PLAN_NO_IOPS), "no_iops") &&
	      !strcmp(csa_plan_code_name(CSA_PLAN_TOO_FEW_ARRAYS), "too_few_arrays") &&
	      !csa_plan_code_name((enum csa_plan_code)99),
	      "code names are stable; an unknown code has none");
}

void test_refusals(void)
{
	bandwidth();
	iops();
	space();
	fit();
	few_and_bad();
}
