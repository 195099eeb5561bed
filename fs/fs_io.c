// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The data path of a volume file: each read, write and fsync is one
 * request to the striper, answered to the kernel from its completion, on
 * a transport thread; the FUSE thread is free as soon as it submitted.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"

#define IO_ALIGN	4096	/* O_DIRECT-friendly buffers */
#define ZERO_DEPTH	8	/* zero-filling writes in flight */
#define FLUSH_MAPS	64	/* maps of one volume an fsync flushes */

/*
 * One request: the header, then (at IO_ALIGN) its buffer, in one
 * allocation that travels as the request's priv.
 */
struct io {
	struct csa_vreq vr;
	struct csafs *fs;
	struct csafs_map *map;
	fuse_req_t req;
	struct flush_parent *parent;	/* fsync: the request it is part of */
	bool pooled;			/* a whole CSAFS_IO_MAX buffer, else
					 * room for IO_SMALL bytes */
};

/* An fsync: one flush per map, answered when the last is done. */
struct flush_parent {
	fuse_req_t req;
	atomic_uint left;
	atomic_int err;
};

#define IO_BYTES	(IO_ALIGN + CSAFS_IO_MAX)	/* a large io */
#define IO_SMALL	(64u << 10)	/* up to this, a small io */
#define IO_SMALL_BYTES	(IO_ALIGN + IO_SMALL)

void csafs_io_init(struct csafs *fs)
{
	pthread_mutex_init(&fs->pool_lock, NULL);
}

void csafs_io_fini(struct csafs *fs)
{
	while (fs->nr_pool)
		free(fs->pool[--fs->nr_pool]);
	while (fs->nr_small)
		free(fs->small[--fs->nr_small]);
	pthread_mutex_destroy(&fs->pool_lock);
}

/*
 * An io with room for @len bytes, from one of two pools: large ones hold
 * CSAFS_IO_MAX bytes (a fresh 1 MiB buffer costs its page faults on every
 * request), small ones IO_SMALL, so a 4 KiB read neither takes a 1 MiB
 * buffer nor goes through malloc. Only the pages a request touches are
 * faulted in.
 */
static struct io *io_alloc(struct csafs *fs, size_t len)
{
	bool pooled = len > IO_SMALL;
	struct io *io;
	void *p = NULL;

	pthread_mutex_lock(&fs->pool_lock);
	if (pooled && fs->nr_pool)
		p = fs->pool[--fs->nr_pool];
	else if (!pooled && fs->nr_small)
		p = fs->small[--fs->nr_small];
	pthread_mutex_unlock(&fs->pool_lock);
	if (!p && posix_memalign(&p, IO_ALIGN, pooled ? IO_BYTES :
				 IO_SMALL_BYTES))
		return NULL;
	io = p;
	memset(io, 0, sizeof(*io));
	io->pooled = pooled;
	return io;
}

static void *io_buf(struct io *io)
{
	return (char *)io + IO_ALIGN;
}

static void io_free(struct io *io)
{
	struct csafs *fs = io->fs;

	csafs_map_put(fs, io->map);
	pthread_mutex_lock(&fs->pool_lock);
	if (io->pooled && fs->nr_pool < CSAFS_POOL_MAX) {
		fs->pool[fs->nr_pool++] = io;
		io = NULL;
	} else if (!io->pooled && fs->nr_small < CSAFS_POOL_MAX) {
		fs->small[fs->nr_small++] = io;
		io = NULL;
	}
	pthread_mutex_unlock(&fs->pool_lock);
	free(io);
}

static void rw_done(struct csa_vreq *r, int err)
{
	struct io *io = r->priv;
	struct csafs_vol *v = io->map->vol;

	if (!err && r->op == CSA_VREQ_READ) {
		v->reads++;
		v->read_bytes += r->len;
	} else if (!err) {
		v->writes++;
		v->write_bytes += r->len;
	}
	if (err)
		fuse_reply_err(io->req, -err);
	else if (r->op == CSA_VREQ_READ)
		fuse_reply_buf(io->req, r->buf, r->len);
	else
		fuse_reply_write(io->req, r->len);
	io_free(io);
}

/*
 * The map for I/O of *@len bytes at @off, with *@len cut at the end of the
 * volume. 0 with *@out, or *@out NULL and *@len 0 at or past the end (or
 * for an empty volume); -ENOENT once the volume was deleted.
 */
static int io_map(struct csafs *fs, struct csafs_vol *v, uint64_t off,
		  size_t *len, struct csafs_map **out)
{
	struct csafs_map *m;
	uint64_t size, end;
	bool gone;
	int ret;

	*out = NULL;
	pthread_mutex_lock(&fs->lock);
	gone = v->gone;
	size = v->size;
	pthread_mutex_unlock(&fs->lock);
	if (gone)
		return -ENOENT;
	if (off >= size) {
		*len = 0;
		return 0;
	}
	m = csafs_map_get(fs, v, true, &ret);
	if (!m)
		return ret ? ret : -EIO;
	end = csa_volume_layout(m->cv)->size;
	if (end > size)
		end = size;
	if (off >= end) {
		csafs_map_put(fs, m);
		*len = 0;
		return 0;
	}
	if (*len > end - off)
		*len = end - off;
	*out = m;
	return 0;
}

/* Submit a read or a write of @len bytes at @off through @m (taken). */
static void rw_submit(fuse_req_t req, struct csafs_map *m, int op,
		      const char *buf, size_t len, off_t off)
{
	struct csafs *fs = csafs_of(req);
	struct io *io = io_alloc(fs, len);
	int ret;

	if (!io) {
		csafs_map_put(fs, m);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	io->fs = fs;
	io->map = m;
	io->req = req;
	io->vr = (struct csa_vreq){ .op = op, .off = off, .len = len,
				    .buf = io_buf(io), .done = rw_done,
				    .priv = io };
	/* The kernel's buffer is only valid during this call. */
	if (op == CSA_VREQ_WRITE)
		memcpy(io_buf(io), buf, len);
	ret = csa_volume_submit(m->cv, &io->vr);
	if (ret) {
		io_free(io);
		fuse_reply_err(req, -ret);
	}
}

void csafs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_handle *h = (void *)(uintptr_t)fi->fh;
	struct csafs_map *m;
	int ret;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_read(fs->pseudo, req, ino, size, off, fi);
		return;
	}
	if (size > CSAFS_IO_MAX)
		size = CSAFS_IO_MAX;
	ret = io_map(fs, h->vol, off, &size, &m);
	if (ret)
		fuse_reply_err(req, -ret);
	else if (!m)
		fuse_reply_buf(req, NULL, 0);	/* end of file */
	else
		rw_submit(req, m, CSA_VREQ_READ, NULL, size, off);
}

void csafs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		 size_t size, off_t off, struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_handle *h = (void *)(uintptr_t)fi->fh;
	struct csafs_map *m;
	int ret;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_write(fs->pseudo, req, ino, buf, size, off, fi);
		return;
	}
	if (size > CSAFS_IO_MAX)
		size = CSAFS_IO_MAX;	/* a short write; the caller goes on */
	ret = io_map(fs, h->vol, off, &size, &m);
	if (ret)
		fuse_reply_err(req, -ret);
	else if (!m)
		fuse_reply_err(req, ENOSPC);	/* as at the end of a disk */
	else
		rw_submit(req, m, CSA_VREQ_WRITE, buf, size, off);
}

/* ---- fsync ------------------------------------------------------------ */

static void flush_child_done(struct flush_parent *p, int err)
{
	int none = 0;

	if (err)
		atomic_compare_exchange_strong(&p->err, &none, err);
	if (atomic_fetch_sub(&p->left, 1) != 1)
		return;
	fuse_reply_err(p->req, -atomic_load(&p->err));
	free(p);
}

static void flush_done(struct csa_vreq *r, int err)
{
	struct io *io = r->priv;
	struct flush_parent *p = io->parent;

	/* Answer before the map goes: its last put may let unmount go on. */
	flush_child_done(p, err);
	io_free(io);
}

static void flush_one(struct csafs *fs, struct flush_parent *p,
		      struct csafs_map *m)
{
	struct io *io = io_alloc(fs, 0);
	int ret;

	if (!io) {
		csafs_map_put(fs, m);
		flush_child_done(p, -ENOMEM);
		return;
	}
	io->fs = fs;
	io->map = m;
	io->parent = p;
	io->vr = (struct csa_vreq){ .op = CSA_VREQ_FLUSH, .done = flush_done,
				    .priv = io };
	ret = csa_volume_submit(m->cv, &io->vr);
	if (ret) {
		io_free(io);
		flush_child_done(p, ret);
	}
}

/*
 * SYNCHRONIZE CACHE on the LUNs written since the last flush: those of
 * the current map, and of the maps it replaced that still exist (a map
 * already closed was flushed by the reaper, which this waits for).
 */
void csafs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		 struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_handle *h = (void *)(uintptr_t)fi->fh;
	struct csafs_map *maps[FLUSH_MAPS];
	struct flush_parent *p;
	unsigned i, n;
	int err;

	(void)datasync;
	if (csafs_pseudo_owns(ino)) {
		fuse_reply_err(req, 0);
		return;
	}
	n = csafs_maps_for_flush(fs, h->vol, maps, FLUSH_MAPS, &err);
	if (!n) {
		fuse_reply_err(req, -err);	/* nothing more to flush */
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		for (i = 0; i < n; i++)
			csafs_map_put(fs, maps[i]);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	p->req = req;
	atomic_init(&p->left, n);
	atomic_init(&p->err, err);
	for (i = 0; i < n; i++)
		flush_one(fs, p, maps[i]);
}

/* close(2): writes are not cached here, so nothing is owed. */
void csafs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

/* ---- zeros over new space ------------------------------------------ */

struct zero_ctx {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned in_flight;
	int err;
};

struct zero_io {
	struct csa_vreq vr;
	struct zero_ctx *z;
};

static void zero_done(struct csa_vreq *r, int err)
{
	struct zero_io *zio = r->priv;
	struct zero_ctx *z = zio->z;

	pthread_mutex_lock(&z->lock);
	if (err && !z->err)
		z->err = err;
	z->in_flight--;
	pthread_cond_signal(&z->cond);
	pthread_mutex_unlock(&z->lock);
	free(zio);
}

static int zero_submit(struct csa_volume *cv, struct zero_ctx *z, void *zeros,
		       uint64_t off, uint64_t len)
{
	struct zero_io *zio = calloc(1, sizeof(*zio));
	int ret;

	if (!zio)
		return -ENOMEM;
	zio->z = z;
	zio->vr = (struct csa_vreq){ .op = CSA_VREQ_WRITE, .off = off,
				     .len = len, .buf = zeros,
				     .done = zero_done, .priv = zio };
	pthread_mutex_lock(&z->lock);
	z->in_flight++;
	pthread_mutex_unlock(&z->lock);
	ret = csa_volume_submit(cv, &zio->vr);
	if (ret) {
		pthread_mutex_lock(&z->lock);
		z->in_flight--;
		pthread_mutex_unlock(&z->lock);
		free(zio);
	}
	return ret;
}

/* Wait until at most @depth writes are in flight; the first error. */
static int zero_wait(struct zero_ctx *z, unsigned depth)
{
	int err;

	pthread_mutex_lock(&z->lock);
	while (z->in_flight > depth)
		pthread_cond_wait(&z->cond, &z->lock);
	err = z->err;
	pthread_mutex_unlock(&z->lock);
	return err;
}

/*
 * The primary hands out extents as they are on the LUNs, possibly with
 * what a deleted volume left there; a file that grows must read zeros.
 */
int csafs_zero(struct csafs *fs, struct csafs_vol *v, uint64_t from,
	       uint64_t to)
{
	struct zero_ctx z = { .lock = PTHREAD_MUTEX_INITIALIZER,
			      .cond = PTHREAD_COND_INITIALIZER };
	struct csafs_map *m;
	uint64_t end, off, len;
	void *zeros = NULL;
	int ret = 0;

	m = csafs_map_get(fs, v, true, &ret);
	if (!m)
		return ret;
	end = csa_volume_layout(m->cv)->size;
	if (to < end)
		end = to;
	if (from < end && posix_memalign(&zeros, IO_ALIGN, CSAFS_IO_MAX))
		ret = -ENOMEM;
	if (zeros)
		memset(zeros, 0, CSAFS_IO_MAX);
	for (off = from; !ret && off < end; off += len) {
		len = end - off < CSAFS_IO_MAX ? end - off : CSAFS_IO_MAX;
		ret = zero_wait(&z, ZERO_DEPTH - 1);
		if (!ret)
			ret = zero_submit(m->cv, &z, zeros, off, len);
	}
	if (zero_wait(&z, 0) && !ret)
		ret = z.err;
	free(zeros);
	csafs_map_put(fs, m);
	return ret;
}
