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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/lun_dev.h"
#include "primary/pd_mig.h"
#include "striper/map.h"

#define COPY_CHUNK	(1u << 20)

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

struct copier {
	struct csa_primary *p;
	const struct csa_layout *from, *to;
	uint8_t *buf, *check;
	char *err;
	size_t errlen;
};

static struct csa_lun *lun_of(struct csa_primary *p, const char *array,
			      uint32_t number)
{
	struct pd_array *a = pd_array_find(p, array);
	unsigned i;

	for (i = 0; a && i < a->nr_luns; i++)
		if (a->luns[i].number == number)
			return a->luns[i].lun;
	return NULL;
}

/*
 * Read or write @len bytes at column byte @off of copy (c, k) of @l,
 * through as many extents as it spans. @op: 0 read, 1 write.
 */
static int column_io(struct copier *cp, const struct csa_layout *l,
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
		lun = lun_of(cp->p, l->arrays[loc.array].name, loc.lun);
		if (!lun) {
			snprintf(cp->err, cp->errlen, "array %s LUN %u is not reachable",
				 l->arrays[loc.array].name, loc.lun);
			return -ENODEV;
		}
		n = len < loc.avail ? len : loc.avail;
		ret = op ? csa_lun_dev_ops.write(lun, loc.lba * l->block_size, n, buf) :
			   csa_lun_dev_ops.read(lun, loc.lba * l->block_size, n, buf);
		if (ret) {
			snprintf(cp->err, cp->errlen, "%s %s LUN %u block %llu: %s",
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
static int put_checked(struct copier *cp, unsigned c, unsigned k,
		       uint64_t off, uint64_t len)
{
	int ret = column_io(cp, cp->to, c, k, off, len, cp->buf, 1);

	if (!ret)
		ret = column_io(cp, cp->to, c, k, off, len, cp->check, 0);
	if (!ret && memcmp(cp->buf, cp->check, len)) {
		snprintf(cp->err, cp->errlen, "column %u copy %u: the copy at column byte %llu does not read back as written",
			 c, k, (unsigned long long)off);
		return -EIO;
	}
	return ret;
}

/* One job: column bytes of the region, from copy src_copy of @from. */
static int copy_job(struct copier *cp, const struct pd_copy_job *j,
		    uint64_t start, uint64_t end)
{
	uint64_t n;
	int ret;

	for (; start < end; start += n) {
		n = end - start < COPY_CHUNK ? end - start : COPY_CHUNK;
		ret = column_io(cp, cp->from, j->column, j->src_copy, start, n,
				cp->buf, 0);
		if (!ret)
			ret = put_checked(cp, j->column, j->copy, start, n);
		if (ret)
			return ret;
	}
	return 0;
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

/* A re-striped region: volume bytes [start, end) to every copy of @to. */
static int copy_restriped(struct copier *cp, uint64_t start, uint64_t end)
{
	uint64_t n, fo, to_off, left_f, left_t;
	unsigned fc, tc, k;
	int ret;

	for (; start < end; start += n) {
		left_f = locate_byte(cp->from, start, &fc, &fo);
		left_t = locate_byte(cp->to, start, &tc, &to_off);
		n = left_f < left_t ? left_f : left_t;
		if (n > end - start)
			n = end - start;
		ret = column_io(cp, cp->from, fc, 0, fo, n, cp->buf, 0);
		for (k = 0; !ret && k < cp->to->nr_copies; k++)
			ret = put_checked(cp, tc, k, to_off, n);
		if (ret)
			return ret;
	}
	return 0;
}

int pd_mig_copy_region(struct csa_primary *p, const struct csa_layout *from,
		       const struct csa_layout *to, uint64_t region,
		       uint64_t *bytes, char *err, size_t errlen)
{
	struct copier cp = { p, from, to, NULL, NULL, err, errlen };
	uint64_t rb = csa_layout_region_bytes(to), col_rb, start, end;
	struct pd_copy_job jobs[CSA_MAX_COLUMNS * CSA_MAX_COPIES];
	unsigned n, i;
	int ret = -ENOMEM;

	*bytes = 0;
	if (posix_memalign((void **)&cp.buf, 4096, COPY_CHUNK) ||
	    posix_memalign((void **)&cp.check, 4096, COPY_CHUNK))
		goto out;
	start = region * rb;
	end = start + rb < to->size ? start + rb : to->size;
	if (pd_mig_restriped(from, to)) {
		ret = copy_restriped(&cp, start, end);
		*bytes = (end - start) * to->nr_copies;
		goto out;
	}
	/* Same geometry: the region is rows [r * rr, ...) of every column. */
	col_rb = (uint64_t)to->stripe_unit * to->region_rows;
	start = region * col_rb;
	end = start + col_rb;
	if (end > csa_layout_column_bytes(to))
		end = csa_layout_column_bytes(to);
	n = pd_mig_jobs(from, to, jobs);
	for (i = 0, ret = 0; i < n && !ret; i++) {
		ret = copy_job(&cp, &jobs[i], start, end);
		*bytes += end - start;
	}
out:
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	free(cp.buf);
	free(cp.check);
	return ret;
}
