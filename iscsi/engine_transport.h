/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The iSCSI engine as a striper transport (striper/transport.h). */
#ifndef CSA_ENGINE_TRANSPORT_H
#define CSA_ENGINE_TRANSPORT_H

#include "iscsi/engine.h"
#include "striper/transport.h"

/* A transport whose priv is @e; valid while @e is running. */
struct csa_transport csa_engine_transport(struct csa_engine *e);

#endif
