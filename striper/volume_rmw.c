// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Requests that are not block aligned. They work on the aligned span
 * [a0, a1):
 *   read:  read the span in one fan-out whose partial end blocks land in a
 *          bounce buffer (a block each, one block when the request is
 *          inside one) and whose whole blocks land in the caller's buffer;
 *          then copy the asked bytes of the end blocks out;
 *   write: through a bounce buffer of the whole span: lock the span
 *          exclusively, read the partial blocks at its ends, copy the new
 *          bytes in, write the span, unlock.
 * The exclusive lock is what keeps two writers of neighbouring bytes of one
 * block from each writing back the other's old bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "striper/volume_int.h"

struct rmw {
	struct csa_volume *v;
	struct csa_vreq *r;
	uint64_t a0, a1;
	bool head, tail;	/* read: the end blocks are partial */
	struct rl_entry lock;
	struct fanout *edge[2];	/* reads of the partial head and tail block */
	atomic_uint edges;	/* edge reads in flight */
	atomic_int err;
	uint8_t bounce[];
};

/*
 * Read: the size of the bounce buffer, which holds the partial end blocks,
 * the head block first; a request inside one block has just that one.
 */
static uint64_t bounce_bytes(uint64_t bs, uint64_t a0, uint64_t a1,
			     bool head, bool tail)
{
	return a1 - a0 == bs ? bs : (head + tail) * bs;
}

/* Read: the asked bytes of the end blocks, out of the bounce buffer. */
static void copy_ends(struct rmw *m)
{
	struct csa_vreq *r = m->r;
	uint64_t bs = m->v->l->block_size, end = r->off + r->len;
	uint8_t *buf = r->buf;

	if (m->a1 - m->a0 == bs) {
		memcpy(buf, m->bounce + (r->off - m->a0), r->len);
		return;
	}
	if (m->head)
		memcpy(buf, m->bounce + (r->off - m->a0), m->a0 + bs - r->off);
	if (m->tail)
		memcpy(buf + (m->a1 - bs - r->off),
		       m->bounce + (m->head ? bs : 0), end - (m->a1 - bs));
}

static void rmw_finish(struct rmw *m, int err)
{
	struct csa_vreq *r = m->r;

	if (r->op == CSA_VREQ_WRITE)
		rl_unlock(&m->v->rl, &m->lock);
	else if (!err)
		copy_ends(m);
	free(m);
	r->done(r, err);
}

static void rmw_io_done(struct fanout *f, int err)
{
	rmw_finish(f->ctx, err);
}

/* An aligned fan-out over bounce bytes [off, off + len) of @m. */
static struct fanout *rmw_build(struct rmw *m, uint8_t op, uint64_t off,
				uint64_t len, fanout_done_fn done)
{
	struct fanout *f;

	f = fanout_build(m->v, op, off, len, m->bounce + (off - m->a0));
	if (f) {
		f->ctx = m;
		f->done = done;
	}
	return f;
}

static void rmw_write(struct rmw *m)
{
	struct csa_vreq *r = m->r;
	int err = atomic_load(&m->err);

	struct fanout *f;

	if (err) {
		rmw_finish(m, err);
		return;
	}
	memcpy(m->bounce + (r->off - m->a0), r->buf, r->len);
	f = rmw_build(m, CSA_IO_WRITE, m->a0, m->a1 - m->a0, rmw_io_done);
	if (f)
		fanout_submit(f);
	else
		rmw_finish(m, -ENOMEM);
}

static void edge_done(struct fanout *f, int err)
{
	struct rmw *m = f->ctx;
	int none = 0;

	if (err)
		atomic_compare_exchange_strong(&m->err, &none, err);
	if (atomic_fetch_sub(&m->edges, 1) == 1)
		rmw_write(m);
}

/* Holding the span: read the partial blocks at its ends (one or two). */
static void rmw_granted(struct rl_entry *e)
{
	struct rmw *m = (struct rmw *)((char *)e - offsetof(struct rmw, lock));
	struct fanout *head = m->edge[0], *tail = m->edge[1];

	/* Once the last edge is sent, m may be gone: read it all before. */
	atomic_store(&m->edges, (head != NULL) + (tail != NULL));
	if (head)
		fanout_submit(head);
	if (tail)
		fanout_submit(tail);
}

/*
 * The span as the LUN reads see it: the head block in the bounce buffer,
 * the whole blocks in the caller's buffer, the tail block in the bounce
 * buffer again (after the head).
 */
static int rmw_read(struct rmw *m)
{
	struct csa_vreq *r = m->r;
	uint64_t bs = m->v->l->block_size;
	uint64_t mid0 = m->a0 + (m->head ? bs : 0);
	uint64_t mid1 = m->a1 - (m->tail ? bs : 0);
	struct iovec iov[3];
	struct fanout *f;
	unsigned n = 0;

	if (m->a1 - m->a0 == bs) {
		iov[n++] = (struct iovec){ m->bounce, bs };
	} else {
		if (m->head)
			iov[n++] = (struct iovec){ m->bounce, bs };
		if (mid1 > mid0)
			iov[n++] = (struct iovec){
				(uint8_t *)r->buf + (mid0 - r->off),
				mid1 - mid0 };
		if (m->tail)
			iov[n++] = (struct iovec){
				m->bounce + (m->head ? bs : 0), bs };
	}
	f = fanout_build_iov(m->v, CSA_IO_READ, m->a0, m->a1 - m->a0, iov, n);
	if (!f)
		return -ENOMEM;
	f->ctx = m;
	f->done = rmw_io_done;
	fanout_submit(f);
	return 0;
}

/*
 * Build the edge reads before locking, so that running out of memory is
 * an error of the submit call and never a completion inside it.
 */
static int rmw_lock_and_write(struct csa_volume *v, struct rmw *m)
{
	uint64_t bs = v->l->block_size, end = m->r->off + m->r->len;
	bool head = m->r->off != m->a0;
	bool tail = end != m->a1 && !(head && m->a1 - m->a0 == bs);

	if (head && !(m->edge[0] = rmw_build(m, CSA_IO_READ, m->a0, bs,
					      edge_done)))
		return -ENOMEM;
	if (tail && !(m->edge[1] = rmw_build(m, CSA_IO_READ, m->a1 - bs, bs,
					      edge_done))) {
		free(m->edge[0]);
		return -ENOMEM;
	}
	m->lock = (struct rl_entry){ .start = m->a0 >> v->bs_shift,
				     .end = m->a1 >> v->bs_shift,
				     .exclusive = true,
				     .grant = rmw_granted };
	if (rl_lock(&v->rl, &m->lock))
		rmw_granted(&m->lock);
	return 0;
}

int submit_unaligned(struct csa_volume *v, struct csa_vreq *r)
{
	uint64_t bs = v->l->block_size;
	uint64_t a0 = r->off & ~(bs - 1);
	uint64_t a1 = (r->off + r->len + bs - 1) & ~(bs - 1);
	bool head = r->off != a0, tail = r->off + r->len != a1;
	struct rmw *m;
	int ret;

	m = calloc(1, sizeof(*m) + (r->op == CSA_VREQ_READ ?
			bounce_bytes(bs, a0, a1, head, tail) : a1 - a0));
	if (!m)
		return -ENOMEM;
	m->v = v;
	m->r = r;
	m->a0 = a0;
	m->a1 = a1;
	m->head = head;
	m->tail = tail;
	ret = r->op == CSA_VREQ_READ ? rmw_read(m) : rmw_lock_and_write(v, m);
	if (ret)
		free(m);
	return ret;
}
