/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fencing with SCSI-3 persistent reservations: the array half of a region
 * lock (DESIGN.md "Monitoring and migration").
 *
 * The primary registers its key on every LUN it opens and takes the Write
 * Exclusive - All Registrants reservation: from then on the array takes
 * writes only from registered initiators (reads stay open to all). A host
 * registers its key on every LUN at every login, before anything else goes
 * out on it: a registration belongs to the I_T nexus, and a new login is a
 * new nexus. To fence a host the primary preempts its key; the array then
 * refuses the host's writes with RESERVATION CONFLICT (-EACCES) until the
 * host registers again, which it does only once it has the primary's word
 * on where every region is (csafs, fs/migrate.c).
 *
 * Only the primary reserves, and only the cluster's LUNs: tgt keeps the
 * reservation with the registration that took it, so the one whose key
 * is never preempted must hold it.
 */
#ifndef CSA_PR_H
#define CSA_PR_H

#include <stdbool.h>
#include <stdint.h>

#include "iscsi/engine.h"

/* Every primary of every cluster: "CSA" and 1. */
#define CSA_PR_PRIMARY_KEY	0x4353410000000001ULL

/* The key of host @host: a hash of its name, never 0 nor the primary's. */
uint64_t csa_pr_host_key(const char *host);

/*
 * Register @key on every LUN of @e at each login from now on; on the LUNs
 * open now too, at once, ahead of the I/O queued there. Key 0 stops
 * registering at later logins; what is registered stays until preempted.
 * Not for reactor threads.
 */
void csa_engine_pr_key(struct csa_engine *e, uint64_t key);

/*
 * Take the reservation on @l now and after every login, behind the
 * registration: for the primary, on the LUNs that are the cluster's only
 * (a LUN it merely looked at, discovering, stays as it found it). Needs
 * the engine's key set. Not for reactor threads.
 */
void csa_lun_pr_hold(struct csa_lun *l);

/* The outcome of the last registration on @l: 0, 1 while none has ended,
 * or -errno (io.h). */
int csa_lun_pr_status(const struct csa_lun *l);

/* The keys registered on @l, at most @max of them, their number in *@nr
 * (duplicates included: tgt keeps one per nexus). Blocks. */
int csa_lun_pr_keys(struct csa_lun *l, uint64_t *keys, unsigned max,
		    unsigned *nr);

/* As @ours, remove every registration of @theirs on @l. Blocks; -EACCES
 * when @ours is not registered or @theirs is not. */
int csa_lun_pr_preempt(struct csa_lun *l, uint64_t ours, uint64_t theirs);

/* Whether @key is among the @n @keys. */
bool csa_pr_has_key(const uint64_t *keys, unsigned n, uint64_t key);

#endif
