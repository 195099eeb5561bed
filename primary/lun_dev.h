/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A LUN of the iSCSI engine as a catalog store device (catalog_store.h):
 * synchronous byte-addressed reads, writes and flushes for the reserved
 * area. Offsets and lengths must be multiples of the LUN's block size (the
 * store only uses multiples of 4096).
 */
#ifndef CSA_LUN_DEV_H
#define CSA_LUN_DEV_H

#include "iscsi/engine.h"
#include "primary/catalog_store.h"

/* Ops whose device pointer is a struct csa_lun *. Not for reactor threads. */
extern const struct csa_dev_ops csa_lun_dev_ops;

/* A store device for @l, named @name ("a1 LUN 1"), sized from the LUN. */
struct csa_store_dev csa_lun_dev(struct csa_lun *l, const char *name);

#endif
