/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalog seen by the planner: a placement pool (placement.h) derived
 * from a catalog (catalog.h), never kept beside it, so the two cannot
 * disagree. Each array brings its rated MB/s and IOPS and what its volumes
 * reserve: for every column copy it holds, csa_column_share of that
 * volume's requirements, exactly what the planner assumed when it placed
 * the volume. Each LUN brings the extents the layouts use.
 */
#ifndef CSA_POOL_H
#define CSA_POOL_H

#include <stddef.h>

#include "primary/catalog.h"
#include "primary/placement.h"

struct csa_cat_pool {
	struct csa_pool pool;
	/* private: what pool points into */
	struct csa_pool_array *arrays;
};

/*
 * Fill @out from @c. Returns 0, or -ENOMEM. @c must stay as it is while
 * @out is used (names are copied, nothing else points into @c).
 */
int csa_pool_from_catalog(const struct csa_catalog *c,
			  struct csa_cat_pool *out);

void csa_cat_pool_release(struct csa_cat_pool *p);

/* The planner's requirements for a catalog volume's. */
void csa_requirements_of(const struct csa_cat_req *r,
			 struct csa_requirements *out);

#endif
