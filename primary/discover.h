/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an array offers, asked over short-lived synchronous iSCSI sessions
 * of libiscsi's own (not the engine's): the targets a portal names
 * (SendTargets discovery) and the LUNs a target reports (REPORT LUNS).
 * The primary uses them when an array is added and when it rebuilds the
 * catalog from portals alone (csa-primaryd --discover).
 *
 * Blocking; any thread; no state kept. Every call gives up after
 * @timeout_ms (connect, login and each command included) and logs out.
 */
#ifndef CSA_DISCOVER_H
#define CSA_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "striper/layout.h"	/* CSA_IQN_MAX */

/*
 * The targets portal @portal ("ip:port") names, in the order it gives
 * them. *@iqns is malloc'd (caller frees), *@n may be 0. Returns 0, or
 * -ECONNREFUSED / -EHOSTUNREACH / -ETIMEDOUT (not reachable), -EACCES
 * (discovery login refused), -EPROTO, -ENOMEM; with a sentence in @err.
 * @initiator is our IQN (NULL: a generic csafs one).
 */
int csa_discover_targets(const char *portal, const char *initiator,
			 unsigned timeout_ms, char (**iqns)[CSA_IQN_MAX],
			 unsigned *n, char *err, size_t errlen);

/*
 * The LUN numbers target @target at @portal reports, ascending, LUN 0
 * left out when it is not a disk (tgt's controller LUN is peripheral
 * type 0x0c). *@luns is malloc'd (caller frees). Returns as above, plus
 * -ENOENT when the target is not at that portal.
 */
int csa_report_luns(const char *portal, const char *target,
		    const char *initiator, unsigned timeout_ms,
		    uint32_t **luns, unsigned *n, char *err, size_t errlen);

#endif
