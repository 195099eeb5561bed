// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One aligned read or write fanned out to per-LUN I/Os.
 *
 * A fan-out is one allocation: the parent, its children (one per LUN I/O)
 * and their iovecs, which point into the caller's buffer. The parent counts
 * its children and completes once, with the first error. A read child that
 * fails is read again from another copy; the caller sees an error only when
 * no copy could serve it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "striper/map.h"
#include "striper/volume_int.h"

#define STACK_SEGS	64	/* segments a request may map without malloc */

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Take @n bytes from @c as iovecs into @out (or only count them). */
static unsigned cursor_take(struct iov_cursor *c, uint64_t n,
			    struct iovec *out)
{
	unsigned k = 0;

	while (n) {
		const struct iovec *s = &c->iov[c->i];
		size_t t = s->iov_len - c->in < n ? s->iov_len - c->in : n;

		if (out) {
			out[k].iov_base = (char *)s->iov_base + c->in;
			out[k].iov_len = t;
		}
		k++;
		n -= t;
		c->in += t;
		if (c->in == s->iov_len) {
			c->i++;
			c->in = 0;
		}
	}
	return k;
}

/*
 * Cut column bytes [co, co + len) of (column, copy) into LUN I/Os at extent
 * boundaries and at max_io, taking their buffer from @src.
 */
static void cut_range(const struct csa_volume *v, uint8_t op, unsigned column,
		      unsigned copy, uint64_t co, uint64_t len,
		      struct iov_cursor *src, unsigned tried, struct cut *st)
{
	const struct csa_layout *l = v->l;
	struct csa_loc loc;

	while (len) {
		uint64_t n;
		unsigned niov;

		/* Cannot fail: every copy was checked long enough at open. */
		csa_map_locate(l, column, copy, co, &loc);
		n = min3(len, loc.avail, v->max_io);
		niov = cursor_take(src, n, st->ch ? st->iov + st->niov : NULL);
		if (st->ch) {
			struct child *c = &st->ch[st->nch];

			memset(c, 0, sizeof(*c));
			c->io.op = op;
			c->io.lba = loc.lba;
			c->io.nblocks = (uint32_t)(n >> v->bs_shift);
			c->io.iov = st->iov + st->niov;
			c->io.iovcnt = (int)niov;
			c->column = column;
			c->copy = copy;
			c->tried = tried | 1u << copy;
			c->col_off = co;
			c->vlun = v->ext_lun[column * l->nr_copies + copy]
					    [loc.extent];
		}
		st->nch++;
		st->niov += niov;
		co += n;
		len -= n;
	}
}

static unsigned lun_load(const struct csa_volume *v, unsigned column,
			 unsigned copy, uint64_t co)
{
	struct csa_loc loc;
	unsigned vl;

	csa_map_locate(v->l, column, copy, co, &loc);
	vl = v->ext_lun[column * v->l->nr_copies + copy][loc.extent];
	return v->tp.ops->load(v->tp.priv, v->luns[vl].handle);
}

/*
 * The least loaded copy not in @tried, starting the search at @start so
 * that ties spread over the copies; -1 when every copy was tried.
 */
static int pick_copy(const struct csa_volume *v, unsigned column, uint64_t co,
		     unsigned tried, unsigned start)
{
	unsigned n = v->l->nr_copies, i, best_load = ~0u;
	int best = -1;

	tried |= v->copy_down[column];
	for (i = 0; i < n; i++) {
		unsigned k = (start + i) % n, load;

		if (tried & 1u << k)
			continue;
		load = n == 1 ? 0 : lun_load(v, column, k, co);
		if (best < 0 || load < best_load) {
			best = (int)k;
			best_load = load;
		}
	}
	return best;
}

/*
 * Cut every run: on every copy for a write, on the chosen copy for a read.
 * Run i's bytes are the iovecs from siov[run_iov[i]] on.
 */
static void cut_runs(const struct csa_volume *v, uint8_t op,
		     const struct csa_run *runs, unsigned nr_runs,
		     const struct iovec *siov, const unsigned *run_iov,
		     const int *copy_of, struct cut *st)
{
	unsigned i, k;

	for (i = 0; i < nr_runs; i++) {
		const struct csa_run *r = &runs[i];

		for (k = 0; k < v->l->nr_copies; k++) {
			struct iov_cursor src = { siov + run_iov[i], 0, 0 };

			if (op == CSA_IO_READ && (int)k != copy_of[i])
				continue;
			cut_range(v, op, r->column, k, r->col_off, r->len, &src,
				  0, st);
		}
	}
}

static void fanout_free(struct fanout *f)
{
	struct retry *r = atomic_load(&f->retries), *next;

	for (; r; r = next) {
		next = r->next;
		free(r);
	}
	free(f);
}

/*
 * Bytes [boff, boff + len) of the request's buffer, which is the @nsrc
 * iovecs of @src end to end, as iovecs in @out: one per iovec of @src it
 * touches. Returns how many. @nsrc is small (a bounced read has 3), so a
 * plain walk finds the first.
 */
static unsigned src_map(const struct iovec *src, unsigned nsrc, uint64_t boff,
			uint64_t len, struct iovec *out)
{
	unsigned i = 0, n = 0;

	while (i < nsrc && boff >= src[i].iov_len)
		boff -= src[i++].iov_len;
	for (; len && i < nsrc; i++, boff = 0) {
		uint64_t t = src[i].iov_len - boff;

		if (t > len)
			t = len;
		if (!t)
			continue;
		out[n++] = (struct iovec){ (uint8_t *)src[i].iov_base + boff,
					   t };
		len -= t;
	}
	return n;
}

struct fanout *fanout_build_iov(struct csa_volume *v, uint8_t op,
				uint64_t off, uint64_t len,
				const struct iovec *src, unsigned nsrc)
{
	const struct csa_layout *l = v->l;
	unsigned max = csa_map_max_segs(l, len), nr_runs, i, n = 0;
	struct csa_seg stack_segs[STACK_SEGS], *segs = stack_segs;
	struct iovec stack_iov[STACK_SEGS], *siov = stack_iov;
	struct csa_run runs[CSA_MAX_COLUMNS];
	unsigned run_iov[CSA_MAX_COLUMNS];
	int copy_of[CSA_MAX_COLUMNS];
	struct cut st = { 0 };
	struct fanout *f = NULL;

	/* A segment is cut once more at each boundary of @src inside it. */
	if (max + nsrc > STACK_SEGS) {
		segs = malloc(max * sizeof(*segs));
		siov = malloc((max + nsrc) * sizeof(*siov));
		if (!segs || !siov)
			goto out;
	}
	nr_runs = csa_map_columns(l, off, len, runs, segs);
	for (i = 0; i < nr_runs; i++) {
		const struct csa_run *r = &runs[i];
		unsigned j;

		run_iov[i] = n;
		for (j = 0; j < r->nr_segs; j++)
			n += src_map(src, nsrc, segs[r->first_seg + j].buf_off,
				     segs[r->first_seg + j].len, siov + n);
		if (op == CSA_IO_READ)
			copy_of[i] = pick_copy(v, r->column, r->col_off, 0,
				r->column + (unsigned)(off / csa_layout_row_bytes(l)));
	}
	cut_runs(v, op, runs, nr_runs, siov, run_iov, copy_of, &st);
	f = calloc(1, sizeof(*f) + st.nch * sizeof(struct child) +
			      st.niov * sizeof(struct iovec));
	if (!f)
		goto out;
	f->v = v;
	f->op = op;
	f->nr_children = st.nch;
	st = (struct cut){ .ch = f->ch,
			   .iov = (struct iovec *)(f->ch + f->nr_children) };
	cut_runs(v, op, runs, nr_runs, siov, run_iov, copy_of, &st);
out:
	if (segs != stack_segs)
		free(segs);
	if (siov != stack_iov)
		free(siov);
	return f;
}

struct fanout *fanout_build(struct csa_volume *v, uint8_t op, uint64_t off,
			    uint64_t len, uint8_t *buf)
{
	struct iovec one = { buf, len };

	return fanout_build_iov(v, op, off, len, &one, 1);
}

static void fanout_put(struct fanout *f)
{
	if (atomic_fetch_sub(&f->remaining, 1) != 1)
		return;
	f->done(f, atomic_load(&f->err));
	fanout_free(f);
}

static void child_done(struct csa_io *io, int err);

static void child_submit(struct fanout *f, struct child *c)
{
	struct csa_volume *v = f->v;

	c->f = f;
	c->io.done = child_done;
	v->tp.ops->submit(v->tp.priv, v->luns[c->vlun].handle, &c->io);
}

void fanout_submit(struct fanout *f)
{
	unsigned i, n = f->nr_children;

	/* All counted before the first is sent: none can finish the parent
	 * early, and f must not be touched once the last has been sent. */
	atomic_store(&f->remaining, n);
	for (i = 0; i < n; i++)
		child_submit(f, &f->ch[i]);
}

/*
 * A read child failed: read its bytes from another copy. Returns false when
 * no copy is left (or memory is short), and the error stands.
 */
static bool child_reread(struct fanout *f, struct child *c)
{
	struct csa_volume *v = f->v;
	uint64_t len = (uint64_t)c->io.nblocks << v->bs_shift;
	struct iov_cursor src = { c->io.iov, 0, 0 };
	struct cut st = { 0 };
	struct retry *r;
	unsigned i;
	int k;

	k = pick_copy(v, c->column, c->col_off, c->tried, 0);
	if (k < 0)
		return false;
	cut_range(v, CSA_IO_READ, c->column, (unsigned)k, c->col_off, len,
		  &src, c->tried, &st);
	r = malloc(sizeof(*r) + st.nch * sizeof(struct child) +
		   st.niov * sizeof(struct iovec));
	if (!r)
		return false;
	src = (struct iov_cursor){ c->io.iov, 0, 0 };
	st = (struct cut){ .ch = r->ch,
			   .iov = (struct iovec *)(r->ch + st.nch) };
	cut_range(v, CSA_IO_READ, c->column, (unsigned)k, c->col_off, len,
		  &src, c->tried, &st);
	r->next = atomic_load(&f->retries);
	while (!atomic_compare_exchange_weak(&f->retries, &r->next, r))
		;
	/* The failed child's share passes to the new ones. */
	atomic_fetch_add(&f->remaining, st.nch - 1);
	for (i = 0; i < st.nch; i++)
		child_submit(f, &r->ch[i]);
	return true;
}

static void child_done(struct csa_io *io, int err)
{
	struct child *c = (struct child *)io;
	struct fanout *f = c->f;
	int none = 0;

	if (err && c->io.op == CSA_IO_READ && child_reread(f, c))
		return;
	/*
	 * Dirty once the write is done, not when it is sent: a flush that
	 * ran in between did not cover it, and the next one must.
	 */
	if (!err && c->io.op == CSA_IO_WRITE)
		atomic_store(&f->v->luns[c->vlun].dirty, true);
	if (err)
		atomic_compare_exchange_strong(&f->err, &none, err);
	fanout_put(f);
}

