// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: bring back the LUNs that could not be opened. A LUN that
 * was open survives its array's restarts by itself (the engine logs in
 * again), but one that was down when the primary started, or when its
 * array was added, is retried here every few seconds. The login happens
 * without the lock, so the API is never held up by an array that is down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "primary/primaryd.h"

#define WATCH_PERIOD_S	5

struct missing {
	char array[CSA_NAME_MAX];
	char portal[CSA_PORTAL_MAX];
	char target[CSA_IQN_MAX];
	uint32_t number;
	struct csa_lun *lun;
};

/* The LUNs not open, copied out under the lock. */
static unsigned list_missing(struct csa_primary *p, struct missing *m,
			     unsigned max)
{
	unsigned i, j, n = 0;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nr_arrays; i++) {
		struct pd_array *a = p->arrays[i];

		for (j = 0; j < a->nr_luns && n < max; j++) {
			if (a->luns[j].lun)
				continue;
			snprintf(m[n].array, CSA_NAME_MAX, "%s", a->name);
			snprintf(m[n].portal, CSA_PORTAL_MAX, "%s", a->portal);
			snprintf(m[n].target, CSA_IQN_MAX, "%s", a->target);
			m[n].number = a->luns[j].number;
			m[n].lun = NULL;
			n++;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Put an opened LUN in its place; false if the place is gone or taken. */
static bool install(struct csa_primary *p, struct missing *m)
{
	struct pd_array *a = pd_array_find(p, m->array);
	unsigned j;

	for (j = 0; a && j < a->nr_luns; j++)
		if (a->luns[j].number == m->number && !a->luns[j].lun &&
		    !strcmp(a->portal, m->portal)) {
			a->luns[j].lun = m->lun;
			pd_log("%s is back", a->luns[j].name);
			return true;
		}
	return false;
}

static void watch_once(struct csa_primary *p, struct missing *m, unsigned max)
{
	unsigned i, n = list_missing(p, m, max), back = 0;
	char err[512];

	for (i = 0; i < n && !atomic_load(&p->stopping); i++)
		if (csa_lun_open(p->engine, m[i].portal, m[i].target,
				 m[i].number, &m[i].lun, err, sizeof(err)))
			m[i].lun = NULL;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < n; i++) {
		if (!m[i].lun)
			continue;
		if (install(p, &m[i]))
			back++;
		else
			csa_lun_close(m[i].lun);
	}
	if (back && pd_store_reopen(p, err, sizeof(err)))
		pd_log("the catalog store cannot be opened again: %s", err);
	pthread_mutex_unlock(&p->lock);
}

static void *watch(void *arg)
{
	struct csa_primary *p = arg;
	struct missing *m = calloc(256, sizeof(*m));
	unsigned t;

	while (m && !atomic_load(&p->stopping)) {
		for (t = 0; t < WATCH_PERIOD_S * 10 && !atomic_load(&p->stopping); t++)
			usleep(100000);
		if (!atomic_load(&p->stopping))
			watch_once(p, m, 256);
	}
	free(m);
	return NULL;
}

int pd_watch_start(struct csa_primary *p)
{
	int ret = pthread_create(&p->watcher, NULL, watch, p);

	p->has_watcher = !ret;
	return -ret;
}

void pd_watch_stop(struct csa_primary *p)
{
	atomic_store(&p->stopping, true);
	if (p->has_watcher)
		pthread_join(p->watcher, NULL);
	p->has_watcher = false;
}
