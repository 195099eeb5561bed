// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The volume: open its LUNs, take requests (volume.h), flush.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "striper/volume_int.h"

/* ---- requests ------------------------------------------------------- */

static void aligned_read_done(struct fanout *f, int err)
{
	struct csa_vreq *r = f->ctx;

	r->done(r, err);
}

static void aligned_write_done(struct fanout *f, int err)
{
	struct csa_vreq *r = f->ctx;

	rl_unlock(&f->v->rl, &f->lock);
	r->done(r, err);
}

static void aligned_write_granted(struct rl_entry *e)
{
	fanout_submit((struct fanout *)((char *)e -
					offsetof(struct fanout, lock)));
}

static int submit_aligned(struct csa_volume *v, struct csa_vreq *r)
{
	struct fanout *f;

	f = fanout_build(v, r->op == CSA_VREQ_READ ? CSA_IO_READ : CSA_IO_WRITE,
			 r->off, r->len, r->buf);
	if (!f)
		return -ENOMEM;
	f->ctx = r;
	if (r->op == CSA_VREQ_READ) {
		f->done = aligned_read_done;
		fanout_submit(f);
		return 0;
	}
	f->done = aligned_write_done;
	/*
	 * Exclusive, like every write: two overlapping writes running at once
	 * could land in one order on one copy and the other order on another,
	 * leaving the mirrors different. Only overlapping writes wait.
	 */
	f->lock = (struct rl_entry){ .start = r->off >> v->bs_shift,
				     .end = (r->off + r->len) >> v->bs_shift,
				     .exclusive = true,
				     .grant = aligned_write_granted };
	if (rl_lock(&v->rl, &f->lock))
		fanout_submit(f);
	return 0;
}

/* ---- flush ---------------------------------------------------------- */

struct flush_io {
	struct csa_io io;	/* first */
	struct flush *fl;
	unsigned vlun;
};

struct flush {
	struct csa_vreq *r;
	struct csa_volume *v;
	atomic_uint remaining;
	atomic_int err;
	struct flush_io ios[];
};

static void flush_io_done(struct csa_io *io, int err)
{
	struct flush_io *fi = (struct flush_io *)io;
	struct flush *fl = fi->fl;
	int none = 0;

	if (err) {
		/* Not on stable storage: the next flush must try again. */
		atomic_store(&fl->v->luns[fi->vlun].dirty, true);
		atomic_compare_exchange_strong(&fl->err, &none, err);
	}
	if (atomic_fetch_sub(&fl->remaining, 1) != 1)
		return;
	fl->r->done(fl->r, atomic_load(&fl->err));
	free(fl);
}

/*
 * SYNCHRONIZE CACHE on each LUN written since the last flush. With none,
 * the first open LUN is synced anyway, so that the request still completes
 * through the transport like every other.
 */
static int submit_flush(struct csa_volume *v, struct csa_vreq *r)
{
	struct flush *fl;
	unsigned i, n = 0;

	fl = calloc(1, sizeof(*fl) + v->nr_luns * sizeof(struct flush_io));
	if (!fl)
		return -ENOMEM;
	fl->r = r;
	fl->v = v;
	for (i = 0; i < v->nr_luns; i++)
		if (atomic_exchange(&v->luns[i].dirty, false))
			fl->ios[n++].vlun = i;
	for (i = 0; !n && i < v->nr_luns; i++)
		if (v->luns[i].handle)
			fl->ios[n++].vlun = i;
	atomic_store(&fl->remaining, n);
	for (i = 0; i < n; i++) {
		struct flush_io *fi = &fl->ios[i];

		fi->fl = fl;
		fi->io.op = CSA_IO_SYNC;
		fi->io.done = flush_io_done;
		v->tp.ops->submit(v->tp.priv, v->luns[fi->vlun].handle, &fi->io);
	}
	return 0;
}

int csa_volume_submit(struct csa_volume *v, struct csa_vreq *r)
{
	uint64_t mask;

	if (v->mig)
		return mig_submit(v, r);
	mask = v->l->block_size - 1;
	if (r->op == CSA_VREQ_FLUSH)
		return submit_flush(v, r);
	if (r->op > CSA_VREQ_FLUSH || !r->len || r->len > v->l->size ||
	    r->off > v->l->size - r->len)
		return -EINVAL;
	if (r->op == CSA_VREQ_WRITE && v->degraded)
		return -ENOTCONN;
	if ((r->off | r->len) & mask)
		return submit_unaligned(v, r);
	return submit_aligned(v, r);
}

/* ---- open and close ------------------------------------------------- */

#define DEFAULT_MAX_IO	(1u << 20)

static int find_or_add_lun(struct csa_volume *v, unsigned array, uint32_t lun)
{
	unsigned i;

	for (i = 0; i < v->nr_luns; i++)
		if (v->luns[i].array == array && v->luns[i].lun == lun)
			return (int)i;
	v->luns[v->nr_luns].array = array;
	v->luns[v->nr_luns].lun = lun;
	return (int)v->nr_luns++;
}

/* The distinct (array, LUN) pairs, and each extent's index among them. */
static int index_luns(struct csa_volume *v)
{
	const struct csa_layout *l = v->l;
	unsigned n = l->nr_columns * l->nr_copies, total = 0, i, e;

	for (i = 0; i < n; i++)
		total += l->copies[i].nr_extents;
	v->luns = calloc(total, sizeof(*v->luns));
	v->ext_lun = calloc(n, sizeof(*v->ext_lun));
	if (!v->luns || !v->ext_lun)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct csa_copy *cp = &l->copies[i];

		v->ext_lun[i] = calloc(cp->nr_extents, sizeof(unsigned));
		if (!v->ext_lun[i])
			return -ENOMEM;
		for (e = 0; e < cp->nr_extents; e++)
			v->ext_lun[i][e] = (unsigned)find_or_add_lun(v,
				cp->extents[e].array, cp->extents[e].lun);
	}
	return 0;
}

/* Every extent on LUN @vl must fit in its @blocks. */
static int check_fit(const struct csa_volume *v, unsigned vl, uint64_t blocks,
		     char *err, size_t errlen)
{
	const struct csa_layout *l = v->l;
	unsigned n = l->nr_columns * l->nr_copies, i, e;

	for (i = 0; i < n; i++)
		for (e = 0; e < l->copies[i].nr_extents; e++) {
			const struct csa_extent *x = &l->copies[i].extents[e];

			if (v->ext_lun[i][e] != vl ||
			    x->start_lba + x->blocks <= blocks)
				continue;
			snprintf(err, errlen,
				 "column %u copy %u extent %u ends at block %llu; %s LUN %u has %llu blocks",
				 i / l->nr_copies, i % l->nr_copies, e,
				 (unsigned long long)(x->start_lba + x->blocks),
				 l->arrays[x->array].name, x->lun,
				 (unsigned long long)blocks);
			return -ENOSPC;
		}
	return 0;
}

static int open_lun(struct csa_volume *v, unsigned vl, char *err,
		    size_t errlen)
{
	const struct csa_layout *l = v->l;
	struct vlun *x = &v->luns[vl];
	uint32_t bs;
	uint64_t blocks;
	int ret;

	ret = v->tp.ops->open(v->tp.priv, &l->arrays[x->array], x->lun,
			      &x->handle, &bs, &blocks, err, errlen);
	if (ret)
		return ret;
	if (bs != l->block_size) {
		snprintf(err, errlen,
			 "%s LUN %u has %u-byte blocks; the layout has %u",
			 l->arrays[x->array].name, x->lun, bs, l->block_size);
		ret = -EINVAL;
	} else {
		ret = check_fit(v, vl, blocks, err, errlen);
	}
	if (ret) {
		v->tp.ops->close(v->tp.priv, x->handle);
		x->handle = NULL;
	}
	return ret;
}

/*
 * Mark the copies that have a LUN we could not reach. The volume can go on
 * (read-only, degraded) while every column keeps a whole copy; returns
 * -ENOTCONN when one does not.
 */
static int mark_down(struct csa_volume *v)
{
	const struct csa_layout *l = v->l;
	unsigned c, k, e, all = (1u << l->nr_copies) - 1;

	for (c = 0; c < l->nr_columns; c++) {
		for (k = 0; k < l->nr_copies; k++) {
			unsigned i = c * l->nr_copies + k;

			for (e = 0; e < l->copies[i].nr_extents; e++)
				if (!v->luns[v->ext_lun[i][e]].handle)
					v->copy_down[c] |= (uint8_t)(1u << k);
		}
		if (v->copy_down[c] == all)
			return -ENOTCONN;
		v->degraded |= v->copy_down[c] != 0;
	}
	return 0;
}

/*
 * Open every LUN. A LUN that cannot be reached is left closed if it only
 * holds copies that others can stand in for; a LUN that answers but does
 * not fit the layout (-EINVAL, -ENOSPC from open_lun) is always an error.
 */
static int open_luns(struct csa_volume *v, char *err, size_t errlen)
{
	char why[256] = "";
	unsigned i;
	int ret;

	for (i = 0; i < v->nr_luns; i++) {
		ret = open_lun(v, i, why, sizeof(why));
		if (ret == -ENOSPC || ret == -EINVAL ||
		    (ret && v->l->nr_copies == 1)) {
			snprintf(err, errlen, "%s", why);
			return ret;
		}
		if (ret && !err[0])
			snprintf(err, errlen, "%s", why);
	}
	ret = mark_down(v);
	if (!ret && !v->degraded)
		err[0] = '\0';
	return ret;
}

static struct csa_layout *layout_dup(const struct csa_layout *l, char *err,
				     size_t errlen)
{
	struct csa_layout *copy = NULL;
	char *json = csa_layout_to_json(l);

	if (json)
		csa_layout_from_json(json, &copy, err, errlen);
	free(json);
	return copy;
}

void csa_volume_close(struct csa_volume *v)
{
	unsigned i;

	if (v->mig) {
		mig_close(v);
		return;
	}
	for (i = 0; v->luns && i < v->nr_luns; i++)
		if (v->luns[i].handle)
			v->tp.ops->close(v->tp.priv, v->luns[i].handle);
	for (i = 0; v->ext_lun && i < v->l->nr_columns * v->l->nr_copies; i++)
		free(v->ext_lun[i]);	/* ext_lun is only set with l */
	free(v->ext_lun);
	free(v->luns);
	rl_destroy(&v->rl);
	csa_layout_free(v->l);
	free(v);
}


int csa_volume_open(const struct csa_layout *l, const struct csa_transport *tp,
		    const struct csa_volume_opts *o, struct csa_volume **out,
		    char *err, size_t errlen)
{
	struct csa_volume *v;
	uint32_t max_io = o && o->max_io_bytes ? o->max_io_bytes :
						 DEFAULT_MAX_IO;
	int ret;

	ret = csa_layout_validate(l, err, errlen);
	if (ret)
		return ret;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	rl_init(&v->rl);
	v->tp = *tp;
	v->bs_shift = (unsigned)__builtin_ctz(l->block_size);
	v->max_io = max_io < l->block_size ? l->block_size :
					     max_io & ~(l->block_size - 1);
	v->l = layout_dup(l, err, errlen);
	ret = v->l ? index_luns(v) : -ENOMEM;
	if (!ret) {
		err[0] = '\0';
		ret = open_luns(v, err, errlen);
	}
	if (ret) {
		if (v->l) {
			csa_volume_close(v);
		} else {
			rl_destroy(&v->rl);
			free(v);
		}
		return ret;
	}
	*out = v;
	return 0;
}

const struct csa_layout *csa_volume_layout(const struct csa_volume *v)
{
	return v->mig ? mig_layout(v) : v->l;
}

bool csa_volume_degraded(const struct csa_volume *v)
{
	return v->mig ? mig_degraded(v) : v->degraded;
}

/* ---- blocking helper ------------------------------------------------ */

struct rw_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
};

static void rw_done(struct csa_vreq *r, int err)
{
	struct rw_wait *w = r->priv;

	pthread_mutex_lock(&w->lock);
	w->err = err;
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int csa_volume_rw(struct csa_volume *v, int op, uint64_t off, uint64_t len,
		  void *buf)
{
	struct rw_wait w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			     false, 0 };
	struct csa_vreq r = { .op = (uint8_t)op, .off = off, .len = len,
			      .buf = buf, .done = rw_done, .priv = &w };
	int ret;

	ret = csa_volume_submit(v, &r);
	if (ret)
		return ret;
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	return w.err;
}
