/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csa-primaryd's monitor, shared by pd_monitor.c (rates from the hosts'
 * reports, the views, the thread) and pd_monitor_act.c (what to move,
 * alerts, pacing the copy); not an interface.
 */
#ifndef CSA_PD_MON_H
#define CSA_PD_MON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "primary/monitor.h"
#include "primary/primaryd.h"

#define RATE_FRESH_S	3.0	/* a host's rate counts this long */

/* Rates of one source (a host on an array, or a host on a volume). */
struct src {
	char host[CSA_HOST_NAME_MAX];
	char name[CSA_NAME_MAX];	/* array or volume */
	struct csa_mon_meter m;
	uint32_t p99_us;
	struct src *next;
};

struct alert {
	char array[CSA_NAME_MAX];
	char volume[CSA_VOLUME_NAME_MAX];
	char message[512];
	uint64_t since;
	struct alert *next;
};

struct arr {
	char name[CSA_NAME_MAX];
	struct csa_mon_array st;
	double w_mbps;			/* of st.mbps, the writes */
	struct arr *next;
};

struct pd_monitor {
	struct csa_mon_cfg cfg;
	bool act;			/* migrate by itself (else watch only) */
	pthread_mutex_t lock;
	pthread_t thread;
	bool running;
	struct src *arrays, *volumes;	/* per host */
	struct arr *states;
	struct alert *alerts;
	double quiet_until;		/* no action before this */
};

double pd_mon_now(void);
/* The sum over hosts of the fresh rates of @name in @list; @w_mbps (the
 * writes) and @p99 (the largest) may be NULL. */
void pd_mon_total(const struct src *list, const char *name, double t,
		  double *mbps, double *iops, double *w_mbps, uint32_t *p99);
/* Saturated catalog array @ai: move its worst fit, or raise an alert.
 * p->lock held, m->lock not. */
void pd_mon_act(struct csa_primary *p, struct pd_monitor *m, unsigned ai);
/* Drop the alerts of @array (it is no longer saturated). m->lock held. */
void pd_mon_clear(struct csa_primary *p, struct pd_monitor *m,
		  const char *array);

#endif
