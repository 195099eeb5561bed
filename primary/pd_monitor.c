// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: the monitor. Hosts report their cumulative counters every
 * second (host.report); here they become rates, per host and array and
 * per host and volume, and once a second the rates of every host are
 * added up per array and fed to the saturation state machine (monitor.h:
 * threshold, window, hysteresis).
 *
 * An array that is saturated, while no migration runs, has the volume
 * that fits it worst (monitor.h csa_mon_worst_fit) re-planned off it with
 * the fewest changed copies, seeing the arrays' measured load as reserved
 * (pd_mig_plan.c), and migrated. When no plan relieves it, an alert says
 * in numbers what to add. After a migration ends the monitor waits one
 * window before it acts again, so that the load has moved in what it
 * measures.
 *
 * Its own lock, taken after p->lock and p->hosts_lock when they are held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "primary/pd_mig.h"
#include "primary/pd_mon.h"
#include "primary/placement.h"
#include "primary/pool.h"

double pd_mon_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct src *src_get(struct src **list, const char *host, const char *name)
{
	struct src *s;

	for (s = *list; s; s = s->next)
		if (!strcmp(s->host, host) && !strcmp(s->name, name))
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->host, sizeof(s->host), "%s", host);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = *list;
	*list = s;
	return s;
}

static void src_feed(struct src *s, double t, struct csa_mon_counters cur,
		     struct csa_mon_counters cur_w, uint32_t p99)
{
	s->p99_us = p99;
	csa_mon_meter_feed(&s->m, t, cur, cur_w);
}

static uint64_t u64_of(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

/* Sum a host's LUN entries per array, then feed each array's source. */
static void feed_luns(struct pd_monitor *m, const char *host,
		      struct json_object *luns, double t)
{
	size_t i, j, n = luns ? json_object_array_length(luns) : 0;
	struct csa_mon_counters c, w;
	const char *name, *other;
	uint32_t p99;
	struct src *s;

	for (i = 0; i < n; i++) {
		name = json_object_get_string(json_object_object_get(
			json_object_array_get_idx(luns, i), "array"));
		for (j = 0; name && j < i; j++) {	/* done with it already? */
			other = json_object_get_string(json_object_object_get(
				json_object_array_get_idx(luns, j), "array"));
			if (other && !strcmp(other, name))
				break;
		}
		if (!name || j < i)
			continue;
		c = (struct csa_mon_counters){ 0, 0 };
		w = c;
		p99 = 0;
		for (j = i; j < n; j++) {
			struct json_object *l = json_object_array_get_idx(luns, j);

			other = json_object_get_string(json_object_object_get(l, "array"));
			if (!other || strcmp(other, name))
				continue;
			c.ops += u64_of(l, "reads") + u64_of(l, "writes");
			c.bytes += u64_of(l, "read_bytes") + u64_of(l, "write_bytes");
			w.ops += u64_of(l, "writes");
			w.bytes += u64_of(l, "write_bytes");
			if (u64_of(l, "p99_us") > p99)
				p99 = (uint32_t)u64_of(l, "p99_us");
		}
		s = src_get(&m->arrays, host, name);
		if (s)
			src_feed(s, t, c, w, p99);
	}
}

static void feed_volumes(struct pd_monitor *m, const char *host,
			 struct json_object *vols, double t)
{
	size_t i, n = vols ? json_object_array_length(vols) : 0;
	struct csa_mon_counters c, w;
	struct json_object *v;
	const char *name;
	struct src *s;

	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(vols, i);
		name = json_object_get_string(json_object_object_get(v, "name"));
		if (!name)
			continue;
		c.ops = u64_of(v, "reads") + u64_of(v, "writes");
		c.bytes = u64_of(v, "read_bytes") + u64_of(v, "write_bytes");
		w.ops = u64_of(v, "writes");
		w.bytes = u64_of(v, "write_bytes");
		s = src_get(&m->volumes, host, name);
		if (s)
			src_feed(s, t, c, w, 0);
	}
}

void pd_monitor_report(struct csa_primary *p, const char *host,
		       struct json_object *luns, struct json_object *volumes)
{
	struct pd_monitor *m = p->mon;
	double t = pd_mon_now();

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	feed_luns(m, host, luns, t);
	feed_volumes(m, host, volumes, t);
	pthread_mutex_unlock(&m->lock);
}

/* The sum over hosts of fresh rates of @name in @list. */
void pd_mon_total(const struct src *list, const char *name, double t,
		  double *mbps, double *iops, double *w_mbps, uint32_t *p99)
{
	const struct src *s;

	*mbps = *iops = 0;
	if (w_mbps)
		*w_mbps = 0;
	if (p99)
		*p99 = 0;
	for (s = list; s; s = s->next) {
		if (strcmp(s->name, name) || t - s->m.t_rate > RATE_FRESH_S)
			continue;
		*mbps += s->m.mbps;
		*iops += s->m.iops;
		if (w_mbps)
			*w_mbps += s->m.w_mbps;
		if (p99 && s->p99_us > *p99)
			*p99 = s->p99_us;
	}
}

static struct arr *arr_get(struct pd_monitor *m, const char *name)
{
	struct arr *a;

	for (a = m->states; a; a = a->next)
		if (!strcmp(a->name, name))
			return a;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->next = m->states;
	m->states = a;
	return a;
}

/* ---- what the API shows --------------------------------------------------------- */

/* state, util (percent), mbps, iops: the `load` object and the event's. */
static struct json_object *load_json(const struct arr *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "state", json_object_new_string(
		csa_mon_state_name(a->st.state)));
	json_object_object_add(o, "util", json_object_new_int64(
		(int64_t)(a->st.util * 100 + 0.5)));
	json_object_object_add(o, "mbps", json_object_new_int64((int64_t)(a->st.mbps + 0.5)));
	json_object_object_add(o, "write_mbps", json_object_new_int64((int64_t)(a->w_mbps + 0.5)));
	json_object_object_add(o, "iops", json_object_new_int64((int64_t)(a->st.iops + 0.5)));
	return o;
}

struct json_object *pd_monitor_array_load(struct csa_primary *p,
					  const char *array)
{
	struct pd_monitor *m = p->mon;
	struct json_object *o;
	struct arr *a;

	if (!m)
		return NULL;
	pthread_mutex_lock(&m->lock);
	for (a = m->states; a && strcmp(a->name, array); a = a->next)
		;
	o = a ? load_json(a) : NULL;
	if (o)
		json_object_object_add(o, "p99_us", json_object_new_int64(a->st.p99_us));
	pthread_mutex_unlock(&m->lock);
	return o;
}

struct json_object *pd_monitor_alerts(struct csa_primary *p)
{
	struct json_object *list = json_object_new_array(), *o;
	struct pd_monitor *m = p->mon;
	struct alert *al;

	if (!m)
		return list;
	pthread_mutex_lock(&m->lock);
	for (al = m->alerts; al; al = al->next) {
		o = json_object_new_object();
		json_object_object_add(o, "array", json_object_new_string(al->array));
		json_object_object_add(o, "volume", json_object_new_string(al->volume));
		json_object_object_add(o, "message", json_object_new_string(al->message));
		json_object_object_add(o, "since", json_object_new_int64((int64_t)al->since));
		json_object_array_add(list, o);
	}
	pthread_mutex_unlock(&m->lock);
	return list;
}

double pd_monitor_mbps(struct csa_primary *p, const char *array)
{
	struct pd_monitor *m = p->mon;
	double mbps, iops;

	if (!m)
		return -1;
	pthread_mutex_lock(&m->lock);
	pd_mon_total(m->arrays, array, pd_mon_now(), &mbps, &iops, NULL, NULL);
	pthread_mutex_unlock(&m->lock);
	return mbps;
}

/* ---- the thread ------------------------------------------------------------------ */

static void publish_load(struct csa_primary *p, const struct arr *a)
{
	struct json_object *o = load_json(a);

	json_object_object_add(o, "array", json_object_new_string(a->name));
	csa_api_server_publish(p->api, "array.load", o);
	pd_log("array %s is %s: %.0f %% of its rating (%.0f MB/s, %.0f IOPS)",
	       a->name, csa_mon_state_name(a->st.state), a->st.util * 100,
	       a->st.mbps, a->st.iops);
}

static bool has_alert(const struct pd_monitor *m, const char *array)
{
	const struct alert *al;

	for (al = m->alerts; al; al = al->next)
		if (!strcmp(al->array, array))
			return true;
	return false;
}

/* Feed every array one sample; the saturated ones to act on into @act. */
static unsigned sample_all(struct csa_primary *p, struct pd_monitor *m,
			   double t, unsigned *act)
{
	const struct csa_catalog *c = p->cat;
	double mbps, iops;
	unsigned i, n = 0;
	uint32_t p99;
	struct arr *a;

	for (i = 0; i < c->nr_arrays; i++) {
		a = arr_get(m, c->arrays[i].name);
		if (!a)
			continue;
		pd_mon_total(m->arrays, a->name, t, &mbps, &iops, &a->w_mbps, &p99);
		switch (csa_mon_sample(&a->st, &m->cfg, t, mbps, iops, p99,
				       c->arrays[i].rated_mbps,
				       c->arrays[i].rated_iops)) {
		case 1:
			publish_load(p, a);
			break;
		case -1:
			publish_load(p, a);
			pd_mon_clear(p, m, a->name);
			break;
		}
		if (a->st.state == CSA_MON_SATURATED && !has_alert(m, a->name))
			act[n++] = i;
	}
	return n;
}

static bool any_migrating(const struct csa_catalog *c)
{
	unsigned i;

	for (i = 0; i < c->nr_volumes; i++)
		if (c->volumes[i].mig)
			return true;
	return false;
}

static void tick(struct csa_primary *p, struct pd_monitor *m, bool *was)
{
	unsigned *act, n, i;
	double t = pd_mon_now();
	bool migrating;

	pthread_mutex_lock(&p->lock);
	act = calloc(p->cat->nr_arrays + 1, sizeof(*act));
	migrating = any_migrating(p->cat);
	pthread_mutex_lock(&m->lock);
	if (*was && !migrating)		/* let the load move first */
		m->quiet_until = t + m->cfg.window_s;
	*was = migrating;
	n = act ? sample_all(p, m, t, act) : 0;
	if (migrating || !m->act || t < m->quiet_until)
		n = 0;
	pthread_mutex_unlock(&m->lock);
	for (i = 0; i < n && !any_migrating(p->cat); i++)
		pd_mon_act(p, m, act[i]);
	pthread_mutex_unlock(&p->lock);
	free(act);
}

static void *monitor_main(void *arg)
{
	struct csa_primary *p = arg;
	struct pd_monitor *m = p->mon;
	bool was = false;
	unsigned t;

	while (!p->stopping) {
		tick(p, m, &was);
		for (t = 0; t < 10 && !p->stopping; t++)
			usleep(100000);
	}
	return NULL;
}

int pd_monitor_start(struct csa_primary *p)
{
	struct pd_monitor *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	m->cfg = p->mon_cfg;
	m->act = p->auto_migrate;
	p->mon = m;
	ret = pthread_create(&m->thread, NULL, monitor_main, p);
	m->running = !ret;
	return -ret;
}

static void free_srcs(struct src *s)
{
	struct src *next;

	for (; s; s = next) {
		next = s->next;
		free(s);
	}
}

void pd_monitor_stop(struct csa_primary *p)
{
	struct pd_monitor *m = p->mon;
	struct alert *al;
	struct arr *a;

	if (!m)
		return;
	if (m->running)
		pthread_join(m->thread, NULL);
	p->mon = NULL;
	free_srcs(m->arrays);
	free_srcs(m->volumes);
	while ((a = m->states)) {
		m->states = a->next;
		free(a);
	}
	while ((al = m->alerts)) {
		m->alerts = al->next;
		free(al);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}
