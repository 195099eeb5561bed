/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The region table of a layout: a volume cut into regions of whole stripe
 * rows, each with a state. Migration moves a volume one region at a time;
 * I/O to a region in CSA_REGION_LOCKED is held until it is unlocked.
 */
#ifndef CSA_REGION_H
#define CSA_REGION_H

#include <stdint.h>

#include "striper/layout.h"

/* Region holding volume byte @off (off < size). */
static inline uint64_t csa_region_of(const struct csa_layout *l, uint64_t off)
{
	return off / csa_layout_region_bytes(l);
}

/* First and last region touched by [off, off + len), len > 0. */
static inline void csa_region_span(const struct csa_layout *l, uint64_t off,
				   uint64_t len, uint64_t *first,
				   uint64_t *last)
{
	*first = csa_region_of(l, off);
	*last = csa_region_of(l, off + len - 1);
}

/* "normal", "locked", "migrated"; NULL for an unknown state. */
const char *csa_region_state_name(unsigned state);

/* The state named @name, or -EINVAL. */
int csa_region_state_parse(const char *name);

/* Number of regions in @state. */
uint64_t csa_region_count(const struct csa_layout *l, unsigned state);

#endif
