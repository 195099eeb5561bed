// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_volume, failures and retries: reads served by another copy when one
 * fails, least loaded copy first; -EIO / -ETIMEDOUT once when no copy can
 * serve; a write with a failing copy completes once with its error, only
 * after every LUN I/O completed; submit refuses bad requests and done
 * never runs for them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "volume_fixture.h"

/* ---- reads served by another copy ---- */

void test_read_faults(const char *name, unsigned C, unsigned K)
{
	struct acc a_ok = { "reads with failing copies complete once with 0 and the right bytes", 0, 0 };
	struct acc a_wok = { "writes (unaligned: edge reads) with failing read copies complete once with 0", 0, 0 };
	struct acc a_err = { "reads with every copy failing complete once with -EIO", 0, 0 };
	struct acc a_nth = { "a read whose first LUN read fails is served from another copy", 0, 0 };
	uint8_t *buf;
	struct fix x;
	unsigned i, a, failed_reads = 0;

	if (!fix_open(&x, name, C, K, 512, 2048, 96 * 1024 + 1536, 0, 2, 50)) {
		fix_close(&x);
		return;
	}
	buf = malloc(x.g.size);

	if (K > 1) {
		/*
		 * Least loaded: K reads of one block submitted while nothing
		 * completes go to K different copies, each finding the
		 * copies asked before it loaded.
		 */
		struct req q[CSA_MAX_COPIES], *qp[CSA_MAX_COPIES];
		uint8_t *b[CSA_MAX_COPIES];
		unsigned used = 0, reads = 0, ret_bad = 0;
		struct fake_rec *log;
		size_t n, j;

		fake_log_clear(x.f);
		fake_hold(x.f, true);
		for (i = 0; i < K; i++) {
			b[i] = malloc(512);
			qp[i] = &q[i];
			ret_bad += req_submit(x.v, &q[i], CSA_VREQ_READ,
					      512 * 3, 512, b[i]) != 0;
		}
		log = fake_log(x.f, &n);
		for (j = 0; j < n; j++) {
			int li = fix_lun_index(&x, log[j].array, log[j].lun);

			if (log[j].op != CSA_IO_READ || li < 0)
				continue;
			reads++;
			used |= 1u << x.luns[li].owner[log[j].lba].copy;
		}
		free(log);
		fake_hold(x.f, false);
		if (ret_bad || !req_wait(qp, K)) {
			ok(false, "%s: %u held reads completed once released",
			   name, K);
			exit(1);
		}
		fake_wait_idle(x.f, WAIT_MS);
		ok(reads == K && used == (1u << K) - 1,
		   "%s: %u reads of one block in flight at once go to the %u copies, least loaded first (%u LUN reads, copy mask 0x%x)",
		   name, K, K, reads, used);
		for (i = 0; i < K; i++) {
			ok(q[i].err == 0 && req_calls(&q[i]) == 1 &&
			   !memcmp(b[i], x.shadow + 512 * 3, 512),
			   "%s: ... read %u completes once with the right bytes",
			   name, i);
			free(b[i]);
		}

		/*
		 * The arrays of column 0's first K - 1 copies fail every read:
		 * each column keeps a copy (its K copies are on K distinct
		 * arrays), and column 0 surely meets a failing one.
		 */
		for (a = 0; a + 1 < K; a++)
			fake_fail_lun(x.f, x.l->arrays[csa_layout_copy(x.l, 0, a)
					->extents[0].array].name, UINT32_MAX,
				      FAKE_READ, -EIO);
		for (i = 0; i < 150; i++) {
			uint64_t off, len;
			struct fake_rec *log;
			struct req q;
			size_t n, j;
			int ret;

			pick_range(&x, &off, &len);
			fake_log_clear(x.f);
			if (i % 3 == 2) {
				fill_random(buf, len);
				ret = do_rw(x.v, &q, CSA_VREQ_WRITE, off, len,
					    buf);
				acc(&a_wok, ret == 0 && q.calls == 1,
				    "write off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
				    off, len, ret, q.calls);
				if (!ret)
					memcpy(x.shadow + off, buf, len);
			} else {
				memset(buf, 0xcc, len);
				ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len,
					    buf);
				acc(&a_ok, ret == 0 && q.calls == 1 &&
				    !memcmp(buf, x.shadow + off, len),
				    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls, data %s",
				    off, len, ret, q.calls,
				    memcmp(buf, x.shadow + off, len) ?
				    "wrong" : "right");
			}
			log = fake_log(x.f, &n);
			for (j = 0; j < n; j++)
				failed_reads += log[j].op == CSA_IO_READ &&
						log[j].err;
			free(log);
		}
		acc_report(name, &a_ok);
		acc_report(name, &a_wok);
		ok(failed_reads > 0, "%s: the failing copies were tried (%u LUN reads failed and were served elsewhere)",
		   name, failed_reads);
		fix_check_images(&x, "after writes with failing reads");

		/* The first LUN read of a request fails, once. */
		fake_clear_faults(x.f);
		for (i = 0; i < 40; i++) {
			uint64_t off, len;
			struct req q;
			int ret;

			pick_range(&x, &off, &len);
			memset(buf, 0xcc, len);
			fake_fail_nth(x.f, 1, FAKE_READ, -EIO);
			ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len, buf);
			acc(&a_nth, ret == 0 && q.calls == 1 &&
			    !memcmp(buf, x.shadow + off, len),
			    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
			    off, len, ret, q.calls);
		}
		acc_report(name, &a_nth);
	}

	/* Every copy fails: the caller sees the error, once. */
	fake_clear_faults(x.f);
	for (a = 0; a < x.g.nr_arrays; a++)
		fake_fail_lun(x.f, x.l->arrays[a].name, UINT32_MAX, FAKE_READ,
			      -EIO);
	for (i = 0; i < 30; i++) {
		uint64_t off, len;
		struct req q;
		int ret;

		pick_range(&x, &off, &len);
		ret = do_rw(x.v, &q, CSA_VREQ_READ, off, len, buf);
		acc(&a_err, ret == -EIO && q.calls == 1,
		    "read off %" PRIu64 " len %" PRIu64 ": status %d, %d calls",
		    off, len, ret, q.calls);
	}
	acc_report(name, &a_err);

	/* -ETIMEDOUT everywhere comes back as -ETIMEDOUT. */
	fake_clear_faults(x.f);
	for (a = 0; a < x.g.nr_arrays; a++)
		fake_fail_lun(x.f, x.l->arrays[a].name, UINT32_MAX, FAKE_READ,
			      -ETIMEDOUT);
	{
		struct req q;
		int ret = do_rw(x.v, &q, CSA_VREQ_READ, 100, 5000, buf);

		ok(ret == -ETIMEDOUT && q.calls == 1,
		   "%s: a read timing out on every copy completes once with -ETIMEDOUT (got %d, %d calls)",
		   name, ret, q.calls);
	}

	/* An unaligned write whose edge block cannot be read fails, once. */
	{
		struct req q;
		int ret;

		fill_random(buf, 10);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 3, 10, buf);
		ok(ret == -ETIMEDOUT && q.calls == 1,
		   "%s: an unaligned write whose edge block no copy can read completes once with its error (got %d, %d calls)",
		   name, ret, q.calls);
		/* The write may or may not have landed: make it known. */
		fake_clear_faults(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 3, 10, buf);
		memcpy(x.shadow + 3, buf, 10);
		ok(ret == 0, "%s: the same write succeeds once the faults are gone",
		   name);
	}

	/* Reads that avoid the failing LUN succeed, those that touch it do
	 * not (K == 1 only: otherwise another copy serves them). */
	if (K == 1) {
		const struct gext *ge = &x.g.ext[0][0];
		unsigned good = 0, bad = 0;
		uint64_t vb;

		fake_clear_faults(x.f);
		fake_fail_lun(x.f, x.l->arrays[ge->array].name, ge->lun,
			      FAKE_READ, -EIO);
		for (vb = 0; vb < x.nvb; vb++) {
			const struct vloc *p = &x.loc[vb];
			const struct flun *fl = &x.luns[p->lun];
			bool on_bad = fl->array == ge->array &&
				      fl->lun == ge->lun;
			struct req q;
			int ret;

			ret = do_rw(x.v, &q, CSA_VREQ_READ, vb * 512 + 7, 500,
				    buf);
			if (on_bad)
				bad += ret == -EIO && q.calls == 1;
			else
				good += ret == 0 && q.calls == 1 &&
					!memcmp(buf, x.shadow + vb * 512 + 7,
						500);
			if (!(on_bad ? ret == -EIO : ret == 0))
				diag("block %" PRIu64 " (%s): status %d",
				     vb, on_bad ? "failing LUN" : "good LUN",
				     ret);
		}
		ok(good + bad == x.nvb, "%s: with one copy, reads of blocks on a LUN failing reads get -EIO, the others succeed (%u + %u of %" PRIu64 ")",
		   name, good, bad, x.nvb);
	}

	fake_clear_faults(x.f);
	fix_check_images(&x, "after the read faults");
	free(buf);
	fix_close(&x);
}

/* ---- writes with a failing copy ---- */

void test_write_faults(void)
{
	const char *name = "write faults";
	uint8_t *buf;
	struct fix x;
	unsigned a, i, col, bad;
	uint64_t size = 64 * 1024 + 512, co;
	struct {
		uint64_t off, len;
		int err;
		bool fail_last;
	} cases[] = {
		{ 0, 16384, -EIO, false },	/* aligned, all columns */
		{ 1000, 9000, -EIO, false },	/* unaligned */
		{ 512, 1024, -ETIMEDOUT, false },
		{ 4096, 8192, -EIO, true },	/* the failing copy last */
		{ 7, 5, -EIO, true },
	};

	if (!fix_open(&x, name, 3, 2, 512, 1024, size, 0, 2, 0)) {
		fix_close(&x);
		return;
	}
	buf = malloc(size);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req q;
		int ret;

		/*
		 * The array of copy 0 of the first byte's column fails
		 * writes; the others answer slowly (or it does).
		 */
		ref_column(&x.g, cases[i].off, &col, &co);
		bad = x.g.ext[col * x.g.K][0].array;
		for (a = 0; a < x.g.nr_arrays; a++)
			fake_set_lun_delay(x.f, x.l->arrays[a].name,
					   UINT32_MAX,
					   (a == bad) == cases[i].fail_last ?
					   30000 : 0);
		fake_fail_lun(x.f, x.l->arrays[bad].name, UINT32_MAX,
			      FAKE_WRITE, cases[i].err);
		fake_log_clear(x.f);
		fill_random(buf, cases[i].len);
		ret = req_submit_snap(x.v, &q, CSA_VREQ_WRITE, cases[i].off,
				      cases[i].len, buf, true);
		if (ret == 0) {
			struct req *one = &q;

			if (!req_wait(&one, 1)) {
				ok(false, "%s: write completed within %u ms",
				   name, WAIT_MS);
				exit(1);
			}
			fake_wait_idle(x.f, WAIT_MS);
			sleep_ms(20);
		}
		ok(ret == 0 && q.err == cases[i].err && req_calls(&q) == 1,
		   "%s: write off %" PRIu64 " len %" PRIu64 " with its copy on %s failing (%s) completes once with %d (got submit %d, status %d, %d calls)",
		   name, cases[i].off, cases[i].len, x.l->arrays[bad].name,
		   cases[i].fail_last ? "last" : "first", cases[i].err, ret,
		   q.err, req_calls(&q));
		ok(ret == 0 && q.queued_at_done == 0 && q.all_completed_at_done,
		   "%s: ... and only after all its LUN I/Os completed (%u still queued at done)",
		   name, q.queued_at_done);
		/* Put the range back in a known state. */
		fake_clear_faults(x.f);
		for (a = 0; a < x.g.nr_arrays; a++)
			fake_set_lun_delay(x.f, x.l->arrays[a].name,
					   UINT32_MAX, 0);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, cases[i].off,
			    cases[i].len, buf);
		if (!ret)
			memcpy(x.shadow + cases[i].off, buf, cases[i].len);
		ok(ret == 0, "%s: the write succeeds again without the fault",
		   name);
	}

	/* Held: nothing completes, so neither may the request. */
	{
		struct req q, *one = &q;
		int ret;

		fake_hold(x.f, true);
		fill_random(buf, 20000);
		ret = req_submit(x.v, &q, CSA_VREQ_WRITE, 512, 20000, buf);
		sleep_ms(50);
		ok(ret == 0 && req_calls(&q) == 0 && fake_queued(x.f) > 0,
		   "%s: a write whose LUN I/Os are all held has not completed (%d calls, %u I/Os queued)",
		   name, req_calls(&q), fake_queued(x.f));
		fake_hold(x.f, false);
		if (ret == 0 && !req_wait(&one, 1)) {
			ok(false, "%s: the held write completed once released",
			   name);
			exit(1);
		}
		fake_wait_idle(x.f, WAIT_MS);
		ok(ret == 0 && q.err == 0 && req_calls(&q) == 1,
		   "%s: ... and completes once with 0 when released", name);
		if (!ret)
			memcpy(x.shadow + 512, buf, 20000);
	}

	/* The Nth write I/O fails. */
	for (i = 1; i <= 6; i++) {
		struct req q;
		int ret;

		fill_random(buf, 12000);
		fake_fail_nth(x.f, i, FAKE_WRITE, -EIO);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 300, 12000, buf);
		ok(ret == -EIO && q.calls == 1,
		   "%s: a write whose write I/O #%u fails completes once with -EIO (got %d, %d calls)",
		   name, i, ret, q.calls);
		fake_clear_faults(x.f);
		ret = do_rw(x.v, &q, CSA_VREQ_WRITE, 300, 12000, buf);
		if (!ret)
			memcpy(x.shadow + 300, buf, 12000);
	}
	fix_check_images(&x, "after the write faults and rewrites");
	free(buf);
	fix_close(&x);
}

/* ---- submit refuses bad requests ---- */

void test_einval(void)
{
	const char *name = "bad requests";
	struct fix x;
	uint8_t buf[4096];
	uint64_t size = 16 * 1024 + 1024;
	struct {
		int op;
		uint64_t off, len;
		const char *what;
	} cases[] = {
		{ CSA_VREQ_READ, 0, 0, "a read of length 0" },
		{ CSA_VREQ_WRITE, 100, 0, "a write of length 0" },
		{ CSA_VREQ_READ, size - 1, 2, "a read one byte past the end" },
		{ CSA_VREQ_WRITE, size, 1, "a write starting at the end" },
		{ CSA_VREQ_READ, 0, size + 512, "a read longer than the volume" },
		{ CSA_VREQ_WRITE, size + 4096, 512, "an aligned write past the end" },
		{ CSA_VREQ_READ, UINT64_MAX - 10, 20, "a read whose end wraps around" },
		{ CSA_VREQ_WRITE, 512, UINT64_MAX - 100, "a write whose end wraps around" },
		{ 3, 0, 512, "an unknown op" },
		{ 200, 0, 512, "op 200" },
	};
	struct req q[sizeof(cases) / sizeof(cases[0])];
	unsigned i, n = sizeof(cases) / sizeof(cases[0]);
	size_t nlog;
	struct fake_rec *log;

	if (!fix_open(&x, name, 2, 2, 512, 1024, size, 0, 1, 0)) {
		fix_close(&x);
		return;
	}
	fake_log_clear(x.f);
	for (i = 0; i < n; i++) {
		int ret = req_submit(x.v, &q[i], cases[i].op, cases[i].off,
				     cases[i].len, buf);

		ok(ret == -EINVAL, "%s: submit refuses %s (off %" PRIu64 " len %" PRIu64 ") with -EINVAL (got %d)",
		   name, cases[i].what, cases[i].off, cases[i].len, ret);
	}
	fake_wait_idle(x.f, WAIT_MS);
	sleep_ms(50);
	for (i = 0; i < n && !req_calls(&q[i]); i++)
		;
	ok(i == n, "%s: done never runs for a refused request", name);
	log = fake_log(x.f, &nlog);
	free(log);
	ok(nlog == 0, "%s: a refused request sends no I/O (%zu sent)", name,
	   nlog);

	/* The edges themselves are fine. */
	{
		struct req r;
		int ret;

		ret = do_rw(x.v, &r, CSA_VREQ_READ, size - 1, 1, buf);
		ok(ret == 0 && r.calls == 1 && buf[0] == x.shadow[size - 1],
		   "%s: the last byte reads (got %d)", name, ret);
		ret = do_rw(x.v, &r, CSA_VREQ_FLUSH, 0, 0, NULL);
		ok(ret == 0 && r.calls == 1,
		   "%s: a flush with off and len 0 is accepted (got %d)", name,
		   ret);
	}
	fix_close(&x);
}
