// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: a migration as the API shows it (MIGRATION in ops.h), and
 * its events. Progress is counted from the catalog (regions recorded as
 * migrated), so it survives a restart; the rate and the locked region are
 * this primary's present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "primary/pd_mig.h"
#include "striper/region.h"

#define ADD(o, k, v)	json_object_object_add((o), (k), (v))
#define I64(x)		json_object_new_int64((int64_t)(x))

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct pd_mig *present(struct csa_primary *p, const char *name)
{
	struct pd_mig *m;

	for (m = p->migs; m; m = m->next)
		if (!strcmp(m->volume, name))
			return m;
	return NULL;
}

/* Paused wins: the region a pause finds locked still ends (locked_region
 * says which), but nothing starts after it. */
static const char *state_of(const struct csa_cat_migration *mg,
			    const struct pd_mig *m)
{
	if (mg->paused)
		return "paused";
	return m && m->locked >= 0 ? "locked" : "running";
}

/* The target's region table as the hosts must see it: the lock too. */
static struct json_object *target_json(const struct csa_layout *to,
				       const struct pd_mig *m)
{
	struct json_object *o;
	char *text;
	uint8_t was = 0;

	if (m && m->locked >= 0) {
		was = to->region_state[m->locked];
		to->region_state[m->locked] = CSA_REGION_LOCKED;
	}
	text = csa_layout_to_json(to);
	if (m && m->locked >= 0)
		to->region_state[m->locked] = was;
	o = text ? json_tokener_parse(text) : NULL;
	free(text);
	return o;
}

static void add_progress(struct json_object *o, const struct csa_layout *from,
			 const struct csa_layout *to, const struct pd_mig *m)
{
	uint64_t done = csa_region_count(to, CSA_REGION_MIGRATED);
	uint64_t bytes = pd_mig_bytes(from, to);
	uint64_t bytes_done = to->nr_regions ? bytes / to->nr_regions * done : 0;
	double rate = m ? m->rate_mbps : 0;

	if (done == to->nr_regions)
		bytes_done = bytes;
	ADD(o, "regions", I64(to->nr_regions));
	ADD(o, "regions_done", I64(done));
	ADD(o, "region_bytes", I64(csa_layout_region_bytes(to)));
	ADD(o, "bytes", I64(bytes));
	ADD(o, "bytes_done", I64(bytes_done));
	ADD(o, "rate_mbps", I64(rate + 0.5));
	ADD(o, "eta_seconds", I64(rate > 0 ?
		(int64_t)((bytes - bytes_done) / 1e6 / rate + 0.999) : -1));
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* lock_ms_p50, _p99, _max over the locks kept: the pauses hosts saw. */
static void add_locks(struct json_object *o, const struct pd_mig *m)
{
	unsigned n = m ? (m->nr_locks < PD_MIG_LOCKS_KEPT ? m->nr_locks :
						       PD_MIG_LOCKS_KEPT) : 0;
	uint32_t *v = n ? malloc(n * sizeof(*v)) : NULL;

	if (v) {
		memcpy(v, m->lock_ms, n * sizeof(*v));
		qsort(v, n, sizeof(*v), u32_cmp);
	}
	ADD(o, "locks", I64(m ? m->nr_locks : 0));
	ADD(o, "regions_moved", I64(m ? m->moved : 0));
	ADD(o, "regions_ahead", I64(m ? m->ahead : 0));
	ADD(o, "lock_ms_p50", I64(v ? v[(n - 1) / 2] : 0));
	ADD(o, "lock_ms_p99", I64(v ? v[(n * 99 + 99) / 100 - 1] : 0));
	ADD(o, "lock_ms_max", I64(v ? v[n - 1] : 0));
	free(v);
}

struct json_object *pd_mig_view(struct csa_primary *p, unsigned idx,
				bool layout)
{
	const struct csa_cat_volume *v = &p->cat->volumes[idx];
	const struct csa_cat_migration *mg = v->mig;
	const struct pd_mig *m = present(p, v->name);
	struct json_object *o;

	if (!mg)
		return NULL;
	o = json_object_new_object();
	ADD(o, "volume", json_object_new_string(v->name));
	ADD(o, "state", json_object_new_string(state_of(mg, m)));
	ADD(o, "reason", json_object_new_string(mg->reason));
	ADD(o, "started", I64(mg->started));
	add_progress(o, v->layout, mg->to, m);
	ADD(o, "max_rate", I64(mg->max_rate));
	ADD(o, "locked_region", I64(m ? m->locked : -1));
	add_locks(o, m);
	ADD(o, "from", pd_layout_arrays(v->layout));
	ADD(o, "to", pd_layout_arrays(mg->to));
	if (layout)
		ADD(o, "layout", target_json(mg->to, m));
	return o;
}

void pd_mig_event(struct csa_primary *p, unsigned idx, const char *event)
{
	const char *name = p->cat->volumes[idx].name;
	struct json_object *o = pd_mig_view(p, idx, false);

	if (!o) {		/* ended: the event names the volume only */
		o = json_object_new_object();
		ADD(o, "volume", json_object_new_string(name));
	}
	csa_api_server_publish(p->api, event, o);
}

void pd_mig_progress(struct csa_primary *p, const char *name)
{
	struct pd_mig *m = present(p, name);
	int i = csa_catalog_find_volume(p->cat, name);
	double t = mono_s();

	if (!m || i < 0 || t - m->last_progress < 1.0)
		return;
	m->last_progress = t;
	pd_mig_event(p, (unsigned)i, "migration.progress");
}
