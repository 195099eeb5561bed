// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: zero the space a change gives a volume before the change
 * is committed. Extents carved from free space hold whatever a deleted
 * volume left there; once the catalog names them, any host may read them.
 * Zeroing first, under the catalog lock, means no host ever sees the old
 * bytes and no host's write can land in the new space before the zeros
 * do (the space is not in any map until the commit).
 *
 * The cost is a write of the new space, once, at the time it is given:
 * creating or growing a volume takes as long as writing it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/lun_dev.h"
#include "primary/primaryd.h"

#define ZERO_CHUNK	(1u << 20)

/* The blocks of [start, start + n) on (array, lun) that @old already has. */
static uint64_t covered_until(const struct csa_layout *old, const char *array,
			      uint32_t lun, uint64_t start)
{
	unsigned i, e;

	for (i = 0; old && i < old->nr_columns * old->nr_copies; i++)
		for (e = 0; e < old->copies[i].nr_extents; e++) {
			const struct csa_extent *x = &old->copies[i].extents[e];

			if (x->lun == lun && x->start_lba <= start &&
			    start < x->start_lba + x->blocks &&
			    !strcmp(old->arrays[x->array].name, array))
				return x->start_lba + x->blocks;
		}
	return start;
}

/* Write zeros over blocks [start, end) of @l. */
static int zero_range(struct csa_lun *l, uint64_t start, uint64_t end,
		      const void *zeros, char *err, size_t errlen)
{
	uint32_t bs = csa_lun_info(l)->block_size;
	uint64_t at = start, n;
	int ret = 0;

	while (at < end && !ret) {
		n = end - at;
		if (n * bs > ZERO_CHUNK)
			n = ZERO_CHUNK / bs;
		ret = csa_lun_dev_ops.write(l, at * bs, n * bs, zeros);
		at += n;
	}
	if (!ret)
		ret = csa_lun_dev_ops.flush(l);
	if (ret)
		snprintf(err, errlen, "%s: cannot zero the new space: %s",
			 csa_lun_name(l), strerror(-ret));
	return ret;
}

/* Zero the part of extent @x of @new that @old does not have. */
static int zero_extent(struct csa_primary *p, const struct csa_layout *old,
		       const struct csa_layout *new, const struct csa_extent *x,
		       const void *zeros, char *err, size_t errlen)
{
	const char *array = new->arrays[x->array].name;
	uint64_t at = x->start_lba, end = x->start_lba + x->blocks, next;
	struct csa_lun *l = pd_lun_of(p, array, x->lun);
	int ret;

	while (at < end) {
		next = covered_until(old, array, x->lun, at);
		if (next > at) {
			at = next;	/* the volume's own data: keep it */
			continue;
		}
		if (!l) {
			snprintf(err, errlen, "array %s LUN %u is not reachable: its new space cannot be zeroed",
				 array, x->lun);
			return -ENODEV;
		}
		ret = zero_range(l, at, end, zeros, err, errlen);
		if (ret)
			return ret;
		at = end;
	}
	return 0;
}

int pd_zero_new(struct csa_primary *p, const struct csa_layout *old,
		const struct csa_layout *new, char *err, size_t errlen)
{
	void *zeros = NULL;
	unsigned i, e;
	int ret = 0;

	if (posix_memalign(&zeros, 4096, ZERO_CHUNK))
		return -ENOMEM;
	memset(zeros, 0, ZERO_CHUNK);
	for (i = 0; !ret && i < new->nr_columns * new->nr_copies; i++)
		for (e = 0; !ret && e < new->copies[i].nr_extents; e++)
			ret = zero_extent(p, old, new, &new->copies[i].extents[e],
					  zeros, err, errlen);
	free(zeros);
	return ret;
}
