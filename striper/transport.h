/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the striper needs from below: open LUNs named by a layout, submit
 * struct csa_io to them, and know how loaded each is. The iSCSI engine is
 * one implementation (iscsi/engine_transport.c); the unit tests have a fake
 * that keeps LUNs in memory, records every I/O and fails those it is told.
 */
#ifndef CSA_TRANSPORT_H
#define CSA_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "iscsi/io.h"
#include "striper/layout.h"

struct csa_transport_ops {
	/*
	 * Open LUN @lun of @array; the striper opens each (array, lun) of a
	 * layout once. Returns 0 and *@handle, its block size and size in
	 * blocks, or -errno with a sentence in @err. May block.
	 */
	int (*open)(void *tp, const struct csa_array_ref *array, uint32_t lun,
		    void **handle, uint32_t *block_size, uint64_t *blocks,
		    char *err, size_t errlen);
	void (*close)(void *tp, void *handle);
	/* As csa_lun_submit (engine.h): completion always asynchronous. */
	void (*submit)(void *tp, void *handle, struct csa_io *io);
	/* Commands in flight on the LUN: lower is less loaded. */
	unsigned (*load)(void *tp, void *handle);
};

struct csa_transport {
	const struct csa_transport_ops *ops;
	void *priv;
};

#endif
