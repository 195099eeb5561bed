// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: copying one region of a migrating volume from where its
 * layout has it to where its migration's target has it, and checking the
 * copy by reading it back.
 *
 * What is copied: when the target keeps the columns and the stripe unit,
 * only the column copies that change (moved to another array, or added);
 * the copies that stay, or grow in place, already hold their data. When
 * the target re-stripes the volume, every copy of the target is written
 * from the volume's bytes. Either way a region is the same volume bytes
 * on both sides: rows [r * region_rows, (r + 1) * region_rows) of the
 * target, the unit the hosts lock.
 *
 * The copy reads and writes the LUNs the primary has open, synchronously,
 * a chunk at a time; the migrator calls it without the catalog lock (the
 * region is locked at every host, so nothing else writes it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/lun_dev.h"
#include "primary/pd_mig.h"
#include "striper/map.h"

#define COPY_CHUNK	(256u << 10)

/* Copy (c, k) of @to is where copy @from_k of @from has it, grown at most. */
static bool copy_stays(const struct csa_layout *from, unsigned c,
		       unsigned from_k, const struct csa_layout *to,
		       unsigned k)
{
	const struct csa_copy *a = csa_layout_copy(from, c, from_k);
	const struct csa_copy *b = csa_layout_copy(to, c, k);
	unsigned e;

	if (a->nr_extents > b->nr_extents)
		return false;
	for (e = 0; e < a->nr_extents; e++) {
		const struct csa_extent *x = &a->extents[e], *y = &b->extents[e];

		if (strcmp(from->arrays[x->array].name, to->arrays[y->array].name) ||
		    x->lun != y->lun || x->start_lba != y->start_lba ||
		    y->blocks < x->blocks ||
		    (e + 1 < a->nr_extents && y->blocks != x->blocks))
			return false;
	}
	return true;
}

bool pd_mig_restriped(const struct csa_layout *from,
		      const struct csa_layout *to)
{
	return from->nr_columns != to->nr_columns ||
	       from->stripe_unit != to->stripe_unit;
}

/* -1 if copy (c, k) of @to stays; else the copy of @from to read it from,
 * a copy that stays if there is one. */
static int copy_source(const struct csa_layout *from,
		       const struct csa_layout *to, unsigned c, unsigned k)
{
	unsigned j, kk;

	for (j = 0; j < from->nr_copies; j++)
		if (copy_stays(from, c, j, to, k))
			return -1;
	for (j = 0; j < from->nr_copies; j++)
		for (kk = 0; kk < to->nr_copies; kk++)
			if (copy_stays(from, c, j, to, kk))
				return (int)j;
	return 0;
}

unsigned pd_mig_jobs(const struct csa_layout *from,
		     const struct csa_layout *to, struct pd_copy_job *jobs)
{
	unsigned c, k, n = 0;
	int src;

	for (c = 0; c < to->nr_columns; c++)
		for (k = 0; k < to->nr_copies; k++) {
			src = pd_mig_restriped(from, to) ? 0 :
			      copy_source(from, to, c, k);
			if (src < 0)
				continue;
			if (jobs)
				jobs[n] = (struct pd_copy_job){ c, k,
							       (unsigned)src };
			n++;
		}
	return n;
}

uint64_t pd_mig_bytes(const struct csa_layout *from,
		      const struct csa_layout *to)
{
	unsigned n = pd_mig_jobs(from, to, NULL);

	if (pd_mig_restriped(from, to))
		return to->size * to->nr_copies;
	return (uint64_t)n * csa_layout_column_bytes(to);
}

/* ---- moving bytes -------------------------------------------------------- */

/*
 * A region is cut into units of at most COPY_CHUNK: a run of column bytes
 * of one job, or (re-striped) a run of volume bytes inside one stripe
 * unit of each layout. Up to COPY_THREADS workers take units in turn,
 * each reading, writing and reading back its own, so that every array the
 * copy touches has several commands in flight: one at a time, the copy
 * ran at a third of a link's speed (a read, a write and a read back, each
 * waiting for the one before).
 */
#define COPY_THREADS	8

struct unit {
	int job;			/* index in jobs; -1: re-striped */
	uint64_t start, len;		/* column bytes, or volume bytes */
};

struct copier {
	struct csa_primary *p;
	const struct csa_layout *from, *to;
	const struct pd_copy_job *jobs;
	const struct unit *units;
	unsigned nr_units;
	atomic_uint next;
	atomic_int failed;
	pthread_mutex_t err_lock;
	char *err;
	size_t errlen;
};

/* One worker's buffers, and where it writes its error. */
struct worker {
	struct copier *cp;
	uint8_t *buf, *check;
	char err[512];
	pthread_t thread;
};

/*
 * Read or write @len bytes at column byte @off of copy (c, k) of @l,
 * through as many extents as it spans. @op: 0 read, 1 write.
 */
static int column_io(struct worker *w, const struct csa_layout *l,
		     unsigned c, unsigned k, uint64_t off, uint64_t len,
		     uint8_t *buf, int op)
{
	struct csa_loc loc;
	struct csa_lun *lun;
	uint64_t n;
	int ret;

	while (len) {
		ret = csa_map_locate(l, c, k, off, &loc);
		if (ret)
			return ret;
		lun = pd_lun_of(w->cp->p, l->arrays[loc.array].name, loc.lun);
		if (!lun) {
			snprintf(w->err, sizeof(w->err), "array %s LUN %u is not reachable",
				 l->arrays[loc.array].name, loc.lun);
			return -ENODEV;
		}
		n = len < loc.avail ? len : loc.avail;
		ret = op ? csa_lun_dev_ops.write(lun, loc.lba * l->block_size, n, buf) :
			   csa_lun_dev_ops.read(lun, loc.lba * l->block_size, n, buf);
		if (ret) {
			snprintf(w->err, sizeof(w->err), "%s %s LUN %u block %llu: %s",
				 op ? "writing" : "reading",
				 l->arrays[loc.array].name, loc.lun,
				 (unsigned long long)loc.lba, strerror(-ret));
			return ret;
		}
		off += n;
		len -= n;
		buf += n;
	}
	return 0;
}

/* Write, read back, compare: the copy is checked before it counts. */
static int put_checked(struct worker *w, unsigned c, unsigned k,
		       uint64_t off, uint64_t len)
{
	int ret = column_io(w, w->cp->to, c, k, off, len, w->buf, 1);

	if (!ret)
		ret = column_io(w, w->cp->to, c, k, off, len, w->check, 0);
	if (!ret && memcmp(w->buf, w->check, len)) {
		snprintf(w->err, sizeof(w->err), "column %u copy %u: the copy at column byte %llu does not read back as written",
			 c, k, (unsigned long long)off);
		return -EIO;
	}
	return ret;
}

/* Where volume byte @x is in @l: column and column offset; bytes left in
 * its stripe unit. */
static uint64_t locate_byte(const struct csa_layout *l, uint64_t x,
			    unsigned *col, uint64_t *col_off)
{
	uint64_t su = l->stripe_unit, unit = x / su;

	*col = (unsigned)(unit % l->nr_columns);
	*col_off = unit / l->nr_columns * su + x % su;
	return su - x % su;
}

static int copy_unit(struct worker *w, const struct unit *u)
{
	const struct copier *cp = w->cp;
	unsigned fc, tc, k;
	uint64_t fo, to;
	int ret;

	if (u->job >= 0) {
		const struct pd_copy_job *j = &cp->jobs[u->job];

		ret = column_io(w, cp->from, j->column, j->src_copy, u->start,
				u->len, w->buf, 0);
		return ret ? ret : put_checked(w, j->column, j->copy, u->start,
					       u->len);
	}
	locate_byte(cp->from, u->start, &fc, &fo);
	locate_byte(cp->to, u->start, &tc, &to);
	ret = column_io(w, cp->from, fc, 0, fo, u->len, w->buf, 0);
	for (k = 0; !ret && k < cp->to->nr_copies; k++)
		ret = put_checked(w, tc, k, to, u->len);
	return ret;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct copier *cp = w->cp;
	unsigned i;
	int ret;

	while (!atomic_load(&cp->failed) &&
	       (i = atomic_fetch_add(&cp->next, 1)) < cp->nr_units) {
		ret = copy_unit(w, &cp->units[i]);
		if (ret && !atomic_exchange(&cp->failed, ret)) {
			pthread_mutex_lock(&cp->err_lock);
			snprintf(cp->err, cp->errlen, "%s",
				 w->err[0] ? w->err : strerror(-ret));
			pthread_mutex_unlock(&cp->err_lock);
		}
	}
	return NULL;
}

struct units {
	struct unit *v;
	unsigned n, cap;
	bool oom;
};

static void push(struct units *us, struct unit u)
{
	struct unit *t;

	if (us->n == us->cap) {
		us->cap = us->cap ? us->cap * 2 : 16;
		t = realloc(us->v, us->cap * sizeof(*t));
		if (!t) {
			us->oom = true;
			return;
		}
		us->v = t;
	}
	us->v[us->n++] = u;
}

/* The units of region @r, and the bytes they write. */
static void cut(const struct csa_layout *from, const struct csa_layout *to,
		unsigned nr_jobs, uint64_t r, struct units *us,
		uint64_t *bytes)
{
	bool re = pd_mig_restriped(from, to);
	uint64_t start, end, at, n, lf, lt, unused;
	unsigned c, i;

	if (re) {	/* volume bytes of the region */
		start = r * csa_layout_region_bytes(to);
		end = start + csa_layout_region_bytes(to);
		end = end < to->size ? end : to->size;
	} else {	/* rows [r * rr, (r + 1) * rr) of every column */
		start = r * (uint64_t)to->stripe_unit * to->region_rows;
		end = start + (uint64_t)to->stripe_unit * to->region_rows;
		if (end > csa_layout_column_bytes(to))
			end = csa_layout_column_bytes(to);
	}
	*bytes = 0;
	for (i = 0; !us->oom && i < (re ? 1 : nr_jobs); i++)
		for (at = start; !us->oom && at < end; at += n) {
			n = end - at < COPY_CHUNK ? end - at : COPY_CHUNK;
			if (re) {
				lf = locate_byte(from, at, &c, &unused);
				lt = locate_byte(to, at, &c, &unused);
				n = n < lf ? n : lf;
				n = n < lt ? n : lt;
			}
			push(us, (struct unit){ re ? -1 : (int)i, at, n });
			*bytes += n * (re ? to->nr_copies : 1);
		}
}

/* SYNCHRONIZE CACHE on the LUNs the copy wrote: the region is recorded
 * as migrated next, and must not be lost with an array's cache. */
static int flush_targets(struct copier *cp, unsigned nr_jobs)
{
	const struct csa_layout *to = cp->to;
	bool re = pd_mig_restriped(cp->from, to);
	unsigned i, e, n = re ? to->nr_columns * to->nr_copies : nr_jobs;
	const struct csa_copy *c;
	struct csa_lun *lun;
	int ret;

	for (i = 0; i < n; i++) {
		c = re ? &to->copies[i] :
			 csa_layout_copy(to, cp->jobs[i].column, cp->jobs[i].copy);
		for (e = 0; e < c->nr_extents; e++) {
			lun = pd_lun_of(cp->p, to->arrays[c->extents[e].array].name,
				     c->extents[e].lun);
			ret = lun ? csa_lun_dev_ops.flush(lun) : -ENODEV;
			if (ret) {
				snprintf(cp->err, cp->errlen, "flushing %s LUN %u: %s",
					 to->arrays[c->extents[e].array].name,
					 c->extents[e].lun, strerror(-ret));
				return ret;
			}
		}
	}
	return 0;
}

int pd_mig_copy_region(struct csa_primary *p, const struct csa_layout *from,
		       const struct csa_layout *to, uint64_t region,
		       uint64_t *bytes, char *err, size_t errlen)
{
	struct pd_copy_job jobs[CSA_MAX_COLUMNS * CSA_MAX_COPIES];
	struct copier cp = { .p = p, .from = from, .to = to, .jobs = jobs,
			     .err = err, .errlen = errlen };
	struct worker w[COPY_THREADS] = { 0 };
	struct units us = { 0 };
	unsigned i, started = 0;
	int ret = 0;

	unsigned nr_jobs = pd_mig_jobs(from, to, jobs);

	cut(from, to, nr_jobs, region, &us, bytes);
	cp.units = us.v;
	cp.nr_units = us.oom ? 0 : us.n;
	pthread_mutex_init(&cp.err_lock, NULL);
	for (i = 0; i < COPY_THREADS && i < cp.nr_units; i++) {
		w[i].cp = &cp;
		if (posix_memalign((void **)&w[i].buf, 4096, COPY_CHUNK) ||
		    posix_memalign((void **)&w[i].check, 4096, COPY_CHUNK) ||
		    pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			break;
		started++;
	}
	if (us.oom || (!started && cp.nr_units))
		ret = -ENOMEM;
	for (i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	for (i = 0; i < COPY_THREADS; i++) {
		free(w[i].buf);
		free(w[i].check);
	}
	if (!ret)
		ret = atomic_load(&cp.failed);
	if (!ret)
		ret = flush_targets(&cp, nr_jobs);
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	pthread_mutex_destroy(&cp.err_lock);
	free(us.v);
	return ret;
}
