// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: the migrator. One thread moves the migrating volumes of
 * the catalog, one region at a time, taking them in turn:
 *
 *   1. lock the region at every host that has the volume open, and wait
 *      for each to acknowledge (pd_mig_lock.c);
 *   2. copy it to where the target has it and read it back (pd_mig_copy.c);
 *   3. record it as migrated in the catalog, on a majority of the arrays;
 *   4. tell the hosts where it is now, which unlocks it.
 *
 * Step 2 is done ahead when it can: the hosts watch the region for
 * writes while it is copied, and if none wrote it by the time it is
 * locked the copy stands; if one did, it is copied again, up to
 * PD_MIG_AHEAD_TRIES times, the last under the lock. A region locked
 * only for its catalog write holds I/O for milliseconds, not for the
 * copy.
 *
 * A region that fails at 2 or 3 is unlocked where it was and tried again
 * later: the target is written, never the source, until step 3 says so,
 * so a failure anywhere leaves every region readable where the catalog
 * says it is. When every region is there, the target becomes the layout
 * and the old extents are free: the hosts already take every region from
 * the target by then.
 *
 * Pacing: after each region the migrator waits as long as it takes to
 * keep the copy at the rate the arrays it reads and writes have left over
 * from the hosts' load (pd_monitor.c), and under the migration's cap.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "primary/catalog_int.h"
#include "primary/pd_mig.h"
#include "striper/region.h"

#define PD_MIG_RETRY_MS		2000
#define PD_MIG_MAX_FAILURES	5	/* in a row: the migration pauses */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void pd_migrator_kick(struct csa_primary *p)
{
	pthread_cond_broadcast(&p->mig_cond);
}

/* ---- the present of each migration ------------------------------------------ */

struct pd_mig *pd_mig_get(struct csa_primary *p, const char *name)
{
	struct pd_mig *m;

	for (m = p->migs; m; m = m->next)
		if (!strcmp(m->volume, name))
			return m;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	snprintf(m->volume, sizeof(m->volume), "%s", name);
	m->locked = -1;
	m->watched = -1;
	m->next = p->migs;
	p->migs = m;
	return m;
}

void pd_mig_forget(struct csa_primary *p, const char *name)
{
	struct pd_mig **pp, *m;

	for (pp = &p->migs; (m = *pp); pp = &m->next)
		if (!strcmp(m->volume, name)) {
			*pp = m->next;
			free(m->expect);
			free(m->acked);
			free(m->clean);
			free(m->must);
			free(m->watchers);
			free(m);
			return;
		}
}

/* The copy rate over the last regions, MB/s. */
static void account(struct pd_mig *m, double t0, uint64_t bytes)
{
	unsigned i, oldest;
	uint64_t sum = 0;

	m->bytes_done += bytes;
	m->t_win[m->win_at] = t0;
	m->b_win[m->win_at] = bytes;
	m->win_at = (m->win_at + 1) % PD_MIG_RATE_WINDOW;
	if (m->win_n < PD_MIG_RATE_WINDOW)
		m->win_n++;
	oldest = (m->win_at + PD_MIG_RATE_WINDOW - m->win_n) % PD_MIG_RATE_WINDOW;
	for (i = 0; i < m->win_n; i++)
		sum += m->b_win[i];
	m->rate_mbps = sum / 1e6 / (now_s() - m->t_win[oldest] + 1e-9);
}

/* ---- choosing the next region ---------------------------------------------- */

/* The next migrating volume after the last one served, not paused. */
static int next_volume(struct csa_primary *p)
{
	const struct csa_catalog *c = p->cat;
	unsigned i, start = 0, k;

	for (i = 0; i < c->nr_volumes; i++)
		if (!strcmp(c->volumes[i].name, p->mig_last))
			start = i + 1;
	for (k = 0; k < c->nr_volumes; k++) {
		i = (start + k) % c->nr_volumes;
		if (c->volumes[i].mig && !c->volumes[i].mig->paused)
			return (int)i;
	}
	return -1;
}

static int64_t next_region(const struct csa_layout *to)
{
	uint64_t r;

	for (r = 0; r < to->nr_regions; r++)
		if (to->region_state[r] != CSA_REGION_MIGRATED)
			return (int64_t)r;
	return -1;
}

/* ---- committing ---------------------------------------------------------------- */

/* Record region @r of volume @name as migrated. Lock held. */
static int commit_region(struct csa_primary *p, const char *name, uint64_t r,
			 char *err, size_t errlen)
{
	struct csa_catalog *next;
	int i;

	if (csa_catalog_dup(p->cat, &next))
		return -ENOMEM;
	i = csa_catalog_find_volume(next, name);
	if (i < 0 || !next->volumes[i].mig) {
		csa_catalog_free(next);
		snprintf(err, errlen, "volume \"%s\" is no longer migrating", name);
		return -ENOENT;
	}
	next->volumes[i].mig->to->region_state[r] = CSA_REGION_MIGRATED;
	next->generation++;
	return pd_commit(p, next, err, errlen);
}

/* Every region is there: the target becomes the layout. Lock held. */
static int finish(struct csa_primary *p, unsigned idx)
{
	struct csa_catalog *next;
	struct csa_cat_volume *v;
	struct json_object *done;
	char err[768], name[CSA_VOLUME_NAME_MAX];
	int ret;

	snprintf(name, sizeof(name), "%s", p->cat->volumes[idx].name);
	if (csa_catalog_dup(p->cat, &next))
		return -ENOMEM;
	/* The last word on it, with its figures: after the commit it is gone. */
	done = pd_mig_view(p, idx, false);
	json_object_object_add(done, "state", json_object_new_string("done"));
	v = &next->volumes[idx];
	csa_layout_free(v->layout);
	v->layout = v->mig->to;
	v->mig->to = NULL;
	csa_cat_mig_free(v->mig);
	v->mig = NULL;
	v->state = CSA_VOL_ONLINE;
	ret = csa_layout_init_regions(v->layout);
	next->generation++;
	if (!ret)
		ret = csa_catalog_validate(next, err, sizeof(err));
	if (ret) {
		csa_catalog_free(next);
		pd_log("migration of %s cannot end: %s", name, err);
		json_object_put(done);
		return ret;
	}
	ret = pd_commit(p, next, err, sizeof(err));
	if (ret) {
		pd_log("migration of %s cannot end: %s", name, err);
		json_object_put(done);
		return ret;
	}
	pd_log("migration of %s done", name);
	csa_api_server_publish(p->api, "migration.done", done);
	pd_mig_forget(p, name);
	pd_volume_event(p, name, "volume.changed");
	pd_volume_grow(p, name);	/* asked for more than it moved with */
	return 0;
}

/* A region failed: unlock it where it was; pause after too many. */
static void failed(struct csa_primary *p, struct pd_mig *m, const char *why)
{
	struct json_object *o = json_object_new_object();

	pd_mig_unlock(p, m, CSA_REGION_NORMAL);
	m->failures++;
	pd_log("migration of %s: region failed (%u in a row): %s", m->volume,
	       m->failures, why);
	json_object_object_add(o, "volume", json_object_new_string(m->volume));
	json_object_object_add(o, "code", json_object_new_string("io"));
	json_object_object_add(o, "message", json_object_new_string(why));
	json_object_object_add(o, "failures", json_object_new_int64(m->failures));
	/* A region that failed is tried again; the migration fails (and
	 * waits, paused, for a person) only after a run of them. */
	if (m->failures < PD_MIG_MAX_FAILURES) {
		csa_api_server_publish(p->api, "migration.retry", o);
		return;
	}
	csa_api_server_publish(p->api, "migration.failed", o);
	pd_mig_set_paused(p, m->volume, true);
}

/* ---- one region ------------------------------------------------------------------ */

struct region_job {
	char name[CSA_VOLUME_NAME_MAX];
	struct csa_layout *from, *to;
	uint64_t r;
	uint64_t bytes;		/* a copy of the region writes */
	uint64_t copied;	/* all its copies wrote (ahead and again) */
};

/* Copy the layouts of volume @idx: the catalog may change while we copy. */
static int job_of(struct csa_primary *p, unsigned idx, struct region_job *j)
{
	const struct csa_cat_volume *v = &p->cat->volumes[idx];
	int64_t r = next_region(v->mig->to);

	snprintf(j->name, sizeof(j->name), "%s", v->name);
	if (r < 0)
		return 1;
	j->r = (uint64_t)r;
	j->from = csa_cat_layout_dup(v->layout);
	j->to = csa_cat_layout_dup(v->mig->to);
	return j->from && j->to ? 0 : -ENOMEM;
}

/* Is volume @name still moving to @to, with region @r not there yet? */
static bool still(struct csa_primary *p, const struct region_job *j)
{
	int i = csa_catalog_find_volume(p->cat, j->name);
	const struct csa_cat_migration *mg;

	if (i < 0 || !(mg = p->cat->volumes[i].mig))
		return false;
	return mg->to->nr_regions == j->to->nr_regions &&
	       mg->to->region_state[j->r] == CSA_REGION_NORMAL;
}

/*
 * For the crash tests: CSA_PD_CRASH=STEP:N kills this daemon with SIGKILL
 * at STEP ("lock": the hosts hold the region; "copy": it is copied, not
 * recorded; "commit": recorded, not unlocked) of the Nth region it moves.
 */
static void crash_point(const char *step)
{
	static unsigned seen[3];
	static const char *const steps[] = { "lock", "copy", "commit" };
	const char *env = getenv("CSA_PD_CRASH");
	unsigned i;

	for (i = 0; env && i < 3; i++)
		if (!strcmp(step, steps[i]) &&
		    !strncmp(env, step, strlen(step)) && env[strlen(step)] == ':' &&
		    ++seen[i] == (unsigned)atoi(env + strlen(step) + 1)) {
			pd_log("CSA_PD_CRASH=%s: killed at %s", env, step);
			raise(SIGKILL);
		}
}

/* Copy region j->r. Lock held; dropped to copy. */
static int copy(struct csa_primary *p, struct region_job *j, char *err,
		size_t errlen)
{
	uint64_t n = 0;
	int ret;

	pthread_mutex_unlock(&p->lock);
	ret = pd_mig_copy_region(p, j->from, j->to, j->r, &n, err, errlen);
	pthread_mutex_lock(&p->lock);
	j->bytes = n;
	j->copied += n;
	return ret;
}

/*
 * Copy region j->r while the hosts go on, watching it for writes, then
 * lock it. Returns 0 with the region locked, *@stands when no host wrote
 * it meanwhile (the copy is the region); 0 and not locked when the hosts
 * could not watch it or the copy failed (the caller copies under the
 * lock, and says why if it fails again); -errno from the lock.
 */
static int copy_ahead(struct csa_primary *p, struct pd_mig *m,
		      struct region_job *j, bool *stands)
{
	char err[768];
	unsigned t;
	int ret;

	*stands = false;
	for (t = 0; t < PD_MIG_AHEAD_TRIES; t++) {
		if (pd_mig_watch(p, m, j->r) || copy(p, j, err, sizeof(err)))
			return p->stopping ? -ECANCELED : 0;
		ret = pd_mig_lock(p, m, j->r);
		if (ret || (*stands = pd_mig_clean(p, m)))
			return ret;
		/* Written meanwhile: once more while the hosts go on, or
		 * the last time under this lock. */
		if (t + 1 < PD_MIG_AHEAD_TRIES)
			pd_mig_unlock(p, m, CSA_REGION_NORMAL);
	}
	return 0;
}

/* Copy (ahead, or under the lock), commit, unlock region j->r. Lock held. */
static int run_region(struct csa_primary *p, struct pd_mig *m,
		      struct region_job *j)
{
	char err[768] = "";
	bool stands;
	int ret;

	ret = copy_ahead(p, m, j, &stands);
	if (!ret && m->locked < 0)
		ret = pd_mig_lock(p, m, j->r);
	if (ret || !still(p, j)) {
		pd_mig_unlock(p, m, CSA_REGION_NORMAL);
		return ret ? ret : -ESTALE;
	}
	crash_point("lock");
	if (!stands)
		ret = copy(p, j, err, sizeof(err));
	if (!ret)
		crash_point("copy");
	if (!ret && !still(p, j)) {
		pd_mig_unlock(p, m, CSA_REGION_NORMAL);
		return -ESTALE;
	}
	if (!ret)
		ret = commit_region(p, j->name, j->r, err, sizeof(err));
	if (ret) {
		failed(p, m, err[0] ? err : strerror(-ret));
		return ret;
	}
	m->failures = 0;
	m->moved++;
	m->ahead += stands;
	crash_point("commit");
	pd_mig_unlock(p, m, CSA_REGION_MIGRATED);
	return 0;
}

/* Wait as long as the pacing asks after @bytes copied in @took s. */
static void pace(struct csa_primary *p, struct region_job *j, uint64_t bytes,
		 double took)
{
	double rate = pd_mig_allowed_mbps(p, j->name, j->from, j->to);
	double want = rate > 0 ? bytes / 1e6 / rate : 0;
	double until = now_s() + (want - took);

	while (!p->stopping && now_s() < until)
		pd_mig_nap(p, (unsigned)((until - now_s()) * 1000) + 1);
}

/* One step of the migration of volume @idx. Lock held. */
static int step(struct csa_primary *p, unsigned idx)
{
	struct region_job j = { 0 };
	struct pd_mig *m;
	double t0 = now_s();
	int ret;

	snprintf(p->mig_last, sizeof(p->mig_last), "%s", p->cat->volumes[idx].name);
	ret = job_of(p, idx, &j);
	m = pd_mig_get(p, j.name);
	if (ret == 1)
		ret = finish(p, idx);
	else if (!ret && m)
		ret = run_region(p, m, &j);
	if (!ret && m && j.bytes) {
		account(m, t0, j.bytes);
		pd_mig_progress(p, j.name);
		pace(p, &j, j.copied, now_s() - t0);
	}
	csa_layout_free(j.from);
	csa_layout_free(j.to);
	return ret;
}

static void *migrator_main(void *arg)
{
	struct csa_primary *p = arg;
	int idx;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		idx = next_volume(p);
		/* A host that had a volume open before we started is known
		 * only once it reports; until its lease could have run out,
		 * it may be writing regions we would move without it. */
		if (idx < 0 || time(NULL) < (time_t)(p->started + PD_OPEN_LEASE_S))
			pd_mig_nap(p, 1000);
		else if (step(p, (unsigned)idx) && !p->stopping)
			pd_mig_nap(p, PD_MIG_RETRY_MS);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pd_migrator_start(struct csa_primary *p)
{
	int ret = pthread_create(&p->migrator, NULL, migrator_main, p);

	p->has_migrator = !ret;
	return -ret;
}

void pd_migrator_stop(struct csa_primary *p)
{
	if (!p->has_migrator)
		return;
	pthread_mutex_lock(&p->lock);
	pd_migrator_kick(p);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->migrator, NULL);
	p->has_migrator = false;
	while (p->migs)
		pd_mig_forget(p, p->migs->volume);
}
