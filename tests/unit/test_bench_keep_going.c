// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-bench's load loop (tools/csa-bench.c, included here with its main
 * renamed) over a volume on the fake transport:
 *   - with --keep-going and a time limit, requests the volume refuses at
 *     submit (writes to a degraded volume) are counted as errors and end
 *     their slot: the pass ends at once instead of spinning;
 *   - with --keep-going, an I/O that fails on completion is counted and
 *     the load goes on until the time limit;
 *   - without it, the first error stops the pass.
 * A watchdog fails the program if a pass does not end.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define main csa_bench_main
#include "tools/csa-bench.c"
#undef main

#include "volume_fixture.h"

#define DEFAULT_SEED	0x62656e6368ull	/* "bench" */
#define PASS_S		10	/* a pass that lasts longer has hung */

static void job_init(struct job *j, struct opts *o, struct csa_volume *v,
		     uint64_t size, bool keep_going, uint64_t time_ms)
{
	*o = (struct opts){ .bs = 4096, .qd = 4, .gen = 1, .seed = 1,
			    .write = true, .keep_going = keep_going,
			    .time_ms = time_ms };
	memset(j, 0, sizeof(*j));
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->idle, NULL);
	j->o = o;
	j->v = v;
	j->span = size - size % o->bs;
}

static void job_fini(struct job *j)
{
	pthread_cond_destroy(&j->idle);
	pthread_mutex_destroy(&j->lock);
}

static void test_refused_at_submit(void)
{
	struct fix x;
	struct opts o;
	struct job j;
	uint64_t t0;
	double secs;
	int ret;

	fix_refuse = true;	/* an array is down: the volume is degraded */
	if (!fix_open(&x, "degraded", 3, 2, 512, 4096, 256 * 1024, 0, 2, 20)) {
		fix_refuse = false;
		fix_close(&x);
		return;
	}
	fix_refuse = false;
	ok(csa_volume_degraded(x.v), "the volume is degraded: writes are refused at submit");
	job_init(&j, &o, x.v, x.g.size, true, 500);
	alarm(PASS_S);
	t0 = now_ns();
	ret = run_pass(&j, "write", true, 0);
	secs = (double)(now_ns() - t0) / 1e9;
	alarm(WATCHDOG_S);
	ok(ret == -EIO, "--keep-going, writes refused at submit: the pass fails (%d)", ret);
	ok(atomic_load(&j.errors) == o.qd,
	   "one error per slot, then the slot stops (%" PRIu64 " errors, %" PRIu64 " slots)",
	   (uint64_t)atomic_load(&j.errors), o.qd);
	ok(secs < 2, "and the pass ends at once (%.2f s)", secs);
	ok(atomic_load(&j.first_err) == -ENOTCONN, "the error reported is the refusal");
	job_fini(&j);
	fix_close(&x);
}

static void test_completion_errors(void)
{
	struct fix x;
	struct opts o;
	struct job j;
	uint64_t t0;
	double secs;
	int ret;

	if (!fix_open(&x, "healthy", 3, 1, 512, 4096, 256 * 1024, 0, 2, 20)) {
		fix_close(&x);
		return;
	}
	/* --keep-going: one write fails on completion, the load goes on. */
	job_init(&j, &o, x.v, x.g.size, true, 400);
	fake_fail_nth(x.f, 5, FAKE_WRITE, -EIO);
	alarm(PASS_S);
	t0 = now_ns();
	ret = run_pass(&j, "write", true, 0);
	secs = (double)(now_ns() - t0) / 1e9;
	alarm(WATCHDOG_S);
	ok(ret == -EIO && atomic_load(&j.errors) == 1,
	   "--keep-going: one failed write is counted once (%d, %" PRIu64 ")",
	   ret, (uint64_t)atomic_load(&j.errors));
	ok(secs >= 0.35 && atomic_load(&j.ops) > 5,
	   "and the load goes on until the time limit (%.2f s, %" PRIu64 " ops)",
	   secs, (uint64_t)atomic_load(&j.ops));
	job_fini(&j);

	/* Without it the first error stops the pass. */
	fake_clear_faults(x.f);
	job_init(&j, &o, x.v, x.g.size, false, 5000);
	fake_fail_nth(x.f, 5, FAKE_WRITE, -EIO);
	alarm(PASS_S);
	t0 = now_ns();
	ret = run_pass(&j, "write", true, 0);
	secs = (double)(now_ns() - t0) / 1e9;
	alarm(WATCHDOG_S);
	ok(ret == -EIO && secs < 2,
	   "without --keep-going the first error stops the pass (%.2f s)", secs);
	job_fini(&j);
	fake_clear_faults(x.f);
	fix_close(&x);
}

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED");

	setvbuf(stdout, NULL, _IOLBF, 0);
	volume_test_init(s ? strtoull(s, NULL, 0) : DEFAULT_SEED);
	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change)\n", seed);
	test_refused_at_submit();
	test_completion_errors();
	return volume_test_end();
}
