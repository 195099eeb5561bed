// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Requests that are not block aligned. They work on the aligned span
 * [a0, a1) through a bounce buffer:
 *   read:  read the span, copy the asked bytes out;
 *   write: lock the span exclusively, read the partial blocks at its ends,
 *          copy the new bytes in, write the span, unlock.
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
	struct rl_entry lock;
	struct fanout *edge[2];	/* reads of the partial head and tail block */
	atomic_uint edges;	/* edge reads in flight */
	atomic_int err;
	uint8_t bounce[];
};

static void rmw_finish(struct rmw *m, int err)
{
	struct csa_vreq *r = m->r;

	if (r->op == CSA_VREQ_WRITE)
		rl_unlock(&m->v->rl, &m->lock);
	else if (!err)
		memcpy(r->buf, m->bounce + (r->off - m->a0), r->len);
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

static int rmw_read(struct rmw *m)
{
	struct fanout *f;

	f = rmw_build(m, CSA_IO_READ, m->a0, m->a1 - m->a0, rmw_io_done);
	if (!f)
		return -ENOMEM;
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
	struct rmw *m;
	int ret;

	m = calloc(1, sizeof(*m) + (a1 - a0));
	if (!m)
		return -ENOMEM;
	m->v = v;
	m->r = r;
	m->a0 = a0;
	m->a1 = a1;
	ret = r->op == CSA_VREQ_READ ? rmw_read(m) : rmw_lock_and_write(v, m);
	if (ret)
		free(m);
	return ret;
}
