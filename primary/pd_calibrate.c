// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: array.calibrate (ops.h). The request only starts the job:
 * a calibration takes up to a minute, far longer than a request should
 * hold a connection. The job runs on a thread of its own without the
 * catalog lock (it only reads the LUNs, which stay open while the daemon
 * runs), reports progress as events, and takes the lock to store what it
 * measured.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "primary/calibrate.h"
#include "primary/primaryd.h"

struct job {
	struct csa_primary *p;
	struct pd_array *pa;
	unsigned seconds;
	unsigned n;
	struct csa_lun **luns;
	uint64_t *first_lba;
};

static void job_free(struct job *j)
{
	free(j->luns);
	free(j->first_lba);
	free(j);
}

static void progress(void *arg, const struct csa_calib_progress *pr)
{
	struct job *j = arg;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "array", json_object_new_string(j->pa->name));
	json_object_object_add(o, "phase", json_object_new_string(pr->phase));
	json_object_object_add(o, "elapsed_ms", json_object_new_int64((int64_t)pr->elapsed_ms));
	json_object_object_add(o, "total_ms", json_object_new_int64((int64_t)pr->total_ms));
	json_object_object_add(o, "mbps", json_object_new_int64((int64_t)pr->mbps));
	json_object_object_add(o, "iops", json_object_new_int64((int64_t)pr->iops));
	csa_api_server_publish(j->p->api, "calibrate.progress", o);
}

/* Store what was measured; 0 or -errno with @err. */
static int store_result(struct csa_primary *p, const char *name,
			const struct csa_calib_result *r, char *err,
			size_t errlen)
{
	struct csa_catalog *next = NULL;
	int i, ret;

	pthread_mutex_lock(&p->lock);
	ret = csa_catalog_dup(p->cat, &next);
	i = ret ? -1 : csa_catalog_find_array(next, name);
	if (i < 0) {
		csa_catalog_free(next);
		snprintf(err, errlen, "array \"%s\" is no longer in the catalog",
			 name);
		ret = -ENOENT;
	} else {
		next->arrays[i].rated_mbps = r->mbps;
		next->arrays[i].rated_iops = r->iops;
		next->arrays[i].calibrated = true;
		next->generation++;
		ret = pd_commit(p, next, err, errlen);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static void publish_end(struct job *j, int ret, const struct csa_calib_result *r,
			const char *err)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "array", json_object_new_string(j->pa->name));
	if (ret) {
		json_object_object_add(o, "code", json_object_new_string(
			ret == -ECANCELED ? "cancelled" : "io"));
		json_object_object_add(o, "message", json_object_new_string(err));
		pd_log("calibration of %s failed: %s", j->pa->name, err);
	} else {
		json_object_object_add(o, "rated_mbps", json_object_new_int64((int64_t)r->mbps));
		json_object_object_add(o, "rated_iops", json_object_new_int64((int64_t)r->iops));
		pd_log("calibration of %s: %llu MB/s, %llu IOPS", j->pa->name,
		       (unsigned long long)r->mbps, (unsigned long long)r->iops);
	}
	csa_api_server_publish(j->p->api, ret ? "calibrate.failed" :
			       "calibrate.done", o);
}

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct csa_calib_opts o = { .seconds = j->seconds, .progress = progress,
				    .arg = j, .cancel = &j->p->stopping };
	struct csa_calib_result r = { 0 };
	char err[768] = "";
	int ret;

	ret = csa_calibrate(j->luns, j->n, j->first_lba, &o, &r, err,
			    sizeof(err));
	if (!ret)
		ret = store_result(j->p, j->pa->name, &r, err, sizeof(err));
	publish_end(j, ret, &r, err);
	atomic_store(&j->pa->calibrating, false);
	atomic_fetch_sub(&j->p->calibrations, 1);
	job_free(j);
	return NULL;
}

/* The job for array @name, its LUNs all open; lock held. */
static struct job *job_make(struct csa_primary *p, const char *name,
			    struct csa_api_err *e)
{
	int idx = csa_catalog_find_array(p->cat, name);
	struct pd_array *pa = pd_array_find(p, name);
	const struct csa_cat_array *ca;
	struct job *j;
	unsigned i;

	if (idx < 0 || !pa)
		return csa_api_fail(e, "not_found", "no array \"%s\"", name), NULL;
	ca = &p->cat->arrays[idx];
	for (i = 0; i < pa->nr_luns; i++)
		if (!pa->luns[i].lun)
			return csa_api_fail(e, "unreachable", "%s is not open: %s",
					    pa->luns[i].name, pa->why), NULL;
	j = calloc(1, sizeof(*j));
	if (j) {
		j->luns = calloc(pa->nr_luns, sizeof(*j->luns));
		j->first_lba = calloc(pa->nr_luns, sizeof(*j->first_lba));
	}
	if (!j || !j->luns || !j->first_lba) {
		if (j)
			job_free(j);
		return csa_api_fail(e, "internal", "out of memory"), NULL;
	}
	j->p = p;
	j->pa = pa;
	j->n = pa->nr_luns;
	for (i = 0; i < pa->nr_luns; i++) {
		j->luns[i] = pa->luns[i].lun;
		j->first_lba[i] = ca->luns[i].reserved_blocks;
	}
	return j;
}

static int job_start(struct job *j, struct csa_api_err *e)
{
	pthread_attr_t attr;
	pthread_t t;
	int ret;

	if (atomic_exchange(&j->pa->calibrating, true)) {
		csa_api_fail(e, "busy", "array \"%s\" is being calibrated already",
			     j->pa->name);
		job_free(j);
		return -1;
	}
	atomic_fetch_add(&j->p->calibrations, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&t, &attr, job_run, j);
	pthread_attr_destroy(&attr);
	if (ret) {
		atomic_store(&j->pa->calibrating, false);
		atomic_fetch_sub(&j->p->calibrations, 1);
		job_free(j);
		return csa_api_fail(e, "internal", "cannot start a thread: %s",
				    strerror(ret));
	}
	return 0;
}

int pd_op_array_calibrate(void *ctx, const struct csa_api_peer *peer,
			  struct json_object *req, struct json_object **result,
			  struct csa_api_err *e)
{
	static const char *const fields[] = { "name", "seconds", NULL };
	struct csa_primary *p = ctx;
	char name[CSA_NAME_MAX];
	uint64_t seconds = 10;
	struct job *j;
	int ret;

	if (pd_need_admin(peer, e) || csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "name", true, name, sizeof(name), e) ||
	    csa_api_u64(req, "seconds", false, CSA_CALIB_MAX_SECONDS,
			&seconds, e))
		return -1;
	if (!seconds)
		return csa_api_fail(e, "bad_request", "field \"seconds\" must be 1 to %u",
				    CSA_CALIB_MAX_SECONDS);
	pthread_mutex_lock(&p->lock);
	j = job_make(p, name, e);
	if (j)
		j->seconds = (unsigned)seconds;
	ret = j ? job_start(j, e) : -1;
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return -1;
	*result = json_object_new_object();
	json_object_object_add(*result, "name", json_object_new_string(name));
	json_object_object_add(*result, "seconds", json_object_new_int64((int64_t)seconds));
	pd_log("calibrating %s, %llu s a phase", name, (unsigned long long)seconds);
	return 0;
}
