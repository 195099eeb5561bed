/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by catalog.c, catalog_check.c and catalog_json.c; not part
 * of the interface.
 */
#ifndef CSA_CATALOG_INT_H
#define CSA_CATALOG_INT_H

#include "primary/catalog.h"

/* Returns @ret with the sentence in @err (if not NULL). */
__attribute__((format(printf, 4, 5)))
int csa_cat_report(int ret, char *err, size_t errlen, const char *fmt, ...);

/* A deep copy of @l, NULL on allocation failure. */
struct csa_layout *csa_cat_layout_dup(const struct csa_layout *l);

/* Deep copies into *@dst (zeroed on failure); -ENOMEM. */
int csa_cat_array_copy(struct csa_cat_array *dst,
		       const struct csa_cat_array *src);
int csa_cat_volume_copy(struct csa_cat_volume *dst,
			const struct csa_cat_volume *src);

/* Free what the element owns, not the element. */
void csa_cat_array_clear(struct csa_cat_array *a);
void csa_cat_volume_clear(struct csa_cat_volume *v);
void csa_cat_mig_free(struct csa_cat_migration *m);

/* 1 if @s is a well-formed name of at most @max - 1 bytes (catalog.h). */
int csa_cat_name_ok(const char *s, size_t max);

#endif
