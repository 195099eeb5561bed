/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DIR/cluster.json: the cluster's name and UUID, written once by
 * `csa init`, read by csa-primaryd (the UUID it labels LUNs with).
 *
 *   {"name": "lab", "uuid": "6f1c...-..."}
 *
 * Written with O_EXCL, mode 0644, fsync'ed with its directory: a cluster
 * identity is never replaced.
 */
#ifndef CSA_CLUSTER_FILE_H
#define CSA_CLUSTER_FILE_H

#include <stddef.h>

#include "primary/label.h"

#define CSA_CLUSTER_FILE "cluster.json"

struct csa_cluster_id {
	char name[64];
	struct csa_uuid uuid;
};

/* Make a new identity named @name with a random UUID, in @dir. Returns 0,
 * or -EEXIST (already there), -errno, with a sentence in @err. */
int csa_cluster_file_create(const char *dir, const char *name,
			    struct csa_cluster_id *out, char *err,
			    size_t errlen);

/* Read it: 0, or -ENOENT (none), -EBADMSG (not one), -errno; @err. */
int csa_cluster_file_read(const char *dir, struct csa_cluster_id *out,
			  char *err, size_t errlen);

#endif
