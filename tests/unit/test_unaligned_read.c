// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unaligned reads (striper/volume_rmw.c) over the fake transport, seen
 * through a transport that sits in front of the fake and sorts every byte
 * each LUN read lands in: into the caller's buffer, or elsewhere (a bounce
 * buffer). Only the partial blocks at the two ends may go elsewhere: one
 * block each, one in all when the request is inside one block; every whole
 * block in between goes straight to the caller's buffer. The bytes read
 * are the volume's (the fixture's shadow), the bytes around the caller's
 * buffer are never touched, and a read that fails on one copy is served by
 * another the same way.
 *
 * Seed: CSA_TEST_SEED (default below), printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "volume_fixture.h"

#define DEFAULT_SEED	0x756e616c69676eull	/* "unalign" */
#define GUARD		64

/* ---- the transport in front of the fake ---- */

struct spy {
	struct csa_transport inner;
	pthread_mutex_t lock;
	const uint8_t *lo, *hi;	/* the caller's buffer */
	uint64_t direct;	/* read bytes landing in [lo, hi) */
	uint64_t other;		/* read bytes landing anywhere else */
};

static int spy_open(void *tp, const struct csa_array_ref *array,
		    uint32_t lun, void **handle, uint32_t *block_size,
		    uint64_t *blocks, char *err, size_t errlen)
{
	struct spy *s = tp;

	return s->inner.ops->open(s->inner.priv, array, lun, handle,
				  block_size, blocks, err, errlen);
}

static void spy_close(void *tp, void *handle)
{
	struct spy *s = tp;

	s->inner.ops->close(s->inner.priv, handle);
}

/* Any thread: the striper submits re-reads from completion threads. */
static void spy_submit(void *tp, void *handle, struct csa_io *io)
{
	struct spy *s = tp;
	int i;

	if (io->op == CSA_IO_READ) {
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < io->iovcnt; i++) {
			const uint8_t *p = io->iov[i].iov_base;

			if (p >= s->lo && p + io->iov[i].iov_len <= s->hi)
				s->direct += io->iov[i].iov_len;
			else
				s->other += io->iov[i].iov_len;
		}
		pthread_mutex_unlock(&s->lock);
	}
	s->inner.ops->submit(s->inner.priv, handle, io);
}

static unsigned spy_load(void *tp, void *handle)
{
	struct spy *s = tp;

	return s->inner.ops->load(s->inner.priv, handle);
}

static const struct csa_transport_ops spy_ops = {
	.open = spy_open,
	.close = spy_close,
	.submit = spy_submit,
	.load = spy_load,
};

static struct spy spy = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Reopen the fixture's volume through the spy. */
static bool spy_reopen(struct fix *x)
{
	struct csa_volume_opts o = { .max_io_bytes = x->max_io };
	struct csa_transport tp = { .ops = &spy_ops, .priv = &spy };
	char err[256] = "";

	csa_volume_close(x->v);
	x->v = NULL;
	spy.inner = fake_transport(x->f);
	return ok(csa_volume_open(x->l, &tp, &o, &x->v, err, sizeof(err)) == 0,
		  "%s: reopened through the counting transport%s%s", x->name,
		  *err ? ": " : "", err);
}

/* ---- one read ---- */

struct want {
	uint64_t direct;	/* whole blocks strictly inside the request */
	uint64_t other;		/* its partial end blocks */
};

static struct want expected(uint64_t bs, uint64_t off, uint64_t len)
{
	uint64_t end = off + len, a0 = off / bs * bs;
	uint64_t a1 = (end + bs - 1) / bs * bs;
	bool head = off != a0, tail = end != a1;
	struct want w;

	if (a1 - a0 == bs) {
		w.direct = 0;
		w.other = bs;
		return w;
	}
	w.other = (head + tail) * bs;
	w.direct = a1 - a0 - w.other;
	return w;
}

/*
 * Read [off, off + len) into a guarded buffer; check the bytes, the guard
 * and where the LUN reads landed. One line per failure, counted in @a.
 * With @retries, a LUN read may have failed and been sent again to another
 * copy (only one LUN fails, so at most twice): the bytes are counted once
 * per LUN read.
 */
static void check_read(struct fix *x, struct acc *a, uint64_t off,
		       uint64_t len, bool retries)
{
	bool where;
	uint8_t *mem = malloc(len + 2 * GUARD), *buf = mem + GUARD;
	struct want w = expected(x->g.bs, off, len);
	struct req q;
	uint64_t i;
	int ret;

	memset(mem, 0xa5, len + 2 * GUARD);
	pthread_mutex_lock(&spy.lock);
	spy.lo = buf;
	spy.hi = buf + len;
	spy.direct = spy.other = 0;
	pthread_mutex_unlock(&spy.lock);
	ret = do_rw(x->v, &q, CSA_VREQ_READ, off, len, buf);
	acc(a, ret == 0 && q.calls == 1, "read %" PRIu64 "+%" PRIu64 ": %d, done %d times",
	    off, len, ret, q.calls);
	acc(a, !memcmp(buf, x->shadow + off, len),
	    "read %" PRIu64 "+%" PRIu64 ": the bytes are not the volume's", off, len);
	for (i = 0; i < GUARD; i++)
		if (mem[i] != 0xa5 || buf[len + i] != 0xa5)
			break;
	acc(a, i == GUARD, "read %" PRIu64 "+%" PRIu64 ": bytes around the buffer written",
	    off, len);
	if (retries)
		where = spy.direct >= w.direct && spy.direct <= 2 * w.direct &&
			spy.other >= w.other && spy.other <= 2 * w.other;
	else
		where = spy.direct == w.direct && spy.other == w.other;
	acc(a, where,
	    "read %" PRIu64 "+%" PRIu64 ": %" PRIu64 " bytes read straight into the buffer and %" PRIu64 " elsewhere; want %" PRIu64 " and %" PRIu64,
	    off, len, spy.direct, spy.other, w.direct, w.other);
	free(mem);
}

static void run(const char *name, unsigned C, unsigned K, uint32_t bs,
		uint32_t su, uint64_t size, uint32_t max_io)
{
	struct acc a = { "unaligned reads: right bytes, only the partial end blocks bounced", 0, 0 };
	struct acc f = { "unaligned reads with a failing copy: served by another, same rules", 0, 0 };
	uint64_t off, len;
	unsigned i;
	struct fix x;

	if (!fix_open(&x, name, C, K, bs, su, size, max_io, 2, 20) ||
	    !spy_reopen(&x)) {
		fix_close(&x);
		return;
	}
	/* The shapes: both ends, inside one block, one end only, big. */
	check_read(&x, &a, 100, 10 * bs, false);
	check_read(&x, &a, bs + 7, 20, false);
	check_read(&x, &a, 3 * bs, 5 * bs + 100, false);
	check_read(&x, &a, 2 * bs + 300, 6 * bs - 300, false);
	check_read(&x, &a, bs - 1, 2, false);
	check_read(&x, &a, 1, x.g.size - 2, false);
	for (i = 0; i < 300; i++) {
		pick_range(&x, &off, &len);
		if ((off | len) % bs == 0)
			len = len > 1 ? len - 1 : len;	/* unaligned end */
		if (!len || (off | len) % bs == 0)
			continue;
		check_read(&x, &a, off, len, false);
	}
	acc_report(name, &a);

	if (K > 1) {
		/* Every read of copy 0 of column 0 fails: another copy. */
		const struct csa_extent *e = &csa_layout_copy(x.l, 0, 0)->extents[0];

		fake_fail_lun(x.f, x.l->arrays[e->array].name, e->lun,
			      FAKE_READ, -EIO);
		for (i = 0; i < 100; i++) {
			pick_range(&x, &off, &len);
			if ((off | len) % bs == 0)
				len = len > 1 ? len - 1 : len;
			if (!len || (off | len) % bs == 0)
				continue;
			check_read(&x, &f, off, len, true);
		}
		fake_clear_faults(x.f);
		acc_report(name, &f);
	}
	fix_close(&x);
}

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED");

	setvbuf(stdout, NULL, _IOLBF, 0);
	volume_test_init(s ? strtoull(s, NULL, 0) : DEFAULT_SEED);
	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change)\n", seed);
	run("1 column 1 copy", 1, 1, 512, 4096, 40 * 1024 + 1536, 0);
	run("3 columns 2 copies max_io 1 KiB", 3, 2, 512, 1024,
	    60 * 1024 + 2560, 1024);
	run("2 columns 3 copies 4 KiB blocks", 2, 3, 4096, 8192,
	    200 * 1024 + 4096, 0);
	return volume_test_end();
}
