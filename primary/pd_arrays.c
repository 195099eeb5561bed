// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: the arrays' LUNs, the catalog store over them, and
 * committing a new catalog (primaryd.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iscsi/pr.h"
#include "primary/lun_dev.h"
#include "primary/primaryd.h"

void pd_log(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "csa-primaryd: %s\n", line);
}

static void store_log(void *arg, enum csa_log_level level, const char *msg)
{
	(void)arg;
	pd_log("catalog: %s%s", level == CSA_LOG_WARN ? "warning: " : "", msg);
}

/* ---- open arrays ------------------------------------------------------- */

struct pd_array *pd_array_open(struct csa_primary *p, const char *name,
			       const char *portal, const char *target,
			       const uint32_t *numbers, unsigned n)
{
	struct pd_array *a = calloc(1, sizeof(*a));
	char err[512];
	unsigned i;

	if (!a || !(a->luns = calloc(n ? n : 1, sizeof(*a->luns)))) {
		free(a);
		return NULL;
	}
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->portal, sizeof(a->portal), "%s", portal);
	snprintf(a->target, sizeof(a->target), "%s", target);
	a->nr_luns = n;
	for (i = 0; i < n; i++) {
		struct pd_lun *l = &a->luns[i];

		l->number = numbers[i];
		snprintf(l->name, sizeof(l->name), "%s LUN %u",
			 *name ? name : portal, numbers[i]);
		if (csa_lun_open(p->engine, portal, target, numbers[i],
				 &l->lun, err, sizeof(err))) {
			l->lun = NULL;
			pd_log("%s is not available: %s", l->name, err);
			if (!*a->why)
				snprintf(a->why, sizeof(a->why), "%.255s", err);
		}
	}
	return a;
}

void pd_array_close(struct pd_array *a)
{
	unsigned i;

	if (!a)
		return;
	for (i = 0; i < a->nr_luns; i++)
		if (a->luns[i].lun)
			csa_lun_close(a->luns[i].lun);
	free(a->luns);
	free(a);
}

struct pd_array *pd_array_find(struct csa_primary *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nr_arrays; i++)
		if (!strcmp(p->arrays[i]->name, name))
			return p->arrays[i];
	return NULL;
}

void pd_arrays_close(struct csa_primary *p)
{
	unsigned i;

	csa_store_close(p->store);
	p->store = NULL;
	for (i = 0; i < p->nr_arrays; i++)
		pd_array_close(p->arrays[i]);
	free(p->arrays);
	p->arrays = NULL;
	p->nr_arrays = 0;
}

/* ---- the store --------------------------------------------------------- */

int pd_store_reopen(struct csa_primary *p, char *err, size_t errlen)
{
	struct csa_store_dev *devs;
	struct csa_store *s;
	unsigned i, j, n = 0, max = 0;
	int ret;

	for (i = 0; i < p->nr_arrays; i++)
		max += p->arrays[i]->nr_luns;
	devs = calloc(max ? max : 1, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	for (i = 0; i < p->nr_arrays; i++)
		for (j = 0; j < p->arrays[i]->nr_luns; j++) {
			struct pd_lun *l = &p->arrays[i]->luns[j];

			if (l->lun)
				devs[n++] = csa_lun_dev(l->lun, l->name);
		}
	ret = n ? csa_store_open(devs, n, csa_uuid_is_nil(&p->id.uuid) ?
				 NULL : &p->id.uuid, store_log, p, &s, err,
				 errlen) : -ENODEV;
	free(devs);
	if (!n)
		snprintf(err, errlen, "no LUN of any array can be reached");
	if (ret)
		return ret;
	/* Sequences already used stay used, whatever LUNs answer now. */
	if (p->store)
		csa_store_raise_seq(s, csa_store_next_seq(p->store));
	csa_store_raise_seq(s, p->seq_floor);
	csa_store_close(p->store);
	p->store = s;
	p->id.uuid = *csa_store_cluster(s);
	pd_pr_hold(p);
	return 0;
}

/*
 * DIR/primary.seq: the sequences below this number were used. Written
 * before every catalog write, so that after a restart that sees fewer
 * LUNs a new write never takes a sequence an unacknowledged one took.
 */
static int save_floor(struct csa_primary *p, uint64_t floor)
{
	char path[4096], tmp[4200];
	bool bad;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, PD_SEQ_FILE);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%llu\n", (unsigned long long)floor);
	bad = fflush(f) || fsync(fileno(f));
	if (fclose(f) || bad || rename(tmp, path))
		return -errno;
	p->seq_floor = floor;
	return 0;
}

void pd_floor_load(struct csa_primary *p)
{
	char path[4096];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, PD_SEQ_FILE);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%llu", &v) == 1)
		p->seq_floor = v;
	fclose(f);
}

/*
 * A write that missed its majority may still sit on the arrays that took
 * it, under the highest sequence there is: a later load would find the
 * change the caller was told had failed. Writing the current catalog again
 * under a newer sequence puts it above that write on the same arrays,
 * which are the ones answering now.
 */
static void supersede(struct csa_primary *p)
{
	char err[512];
	uint64_t seq;
	int ret;

	if (!p->cat->nr_arrays)
		return;		/* nothing was ever written */
	/* -EIO: no majority again, but written where the failed one was. */
	if (save_floor(p, csa_store_next_seq(p->store) + 1))
		pd_log("cannot record the catalog sequence in %s", p->dir);
	ret = csa_store_write(p->store, p->cat, &seq, err, sizeof(err));
	if (!ret)
		p->seq = seq;
	else if (ret != -EIO)
		pd_log("the failed change may remain on the arrays that took it: writing the catalog again failed too: %s",
		       err);
}

int pd_commit(struct csa_primary *p, struct csa_catalog *next, char *err,
	      size_t errlen)
{
	uint64_t seq;
	int ret;

	if (!p->store) {
		csa_catalog_free(next);
		snprintf(err, errlen, "the cluster has no array to keep its catalog on yet");
		return -ENODEV;
	}
	ret = save_floor(p, csa_store_next_seq(p->store) + 1);
	if (ret) {
		csa_catalog_free(next);
		snprintf(err, errlen, "cannot record the catalog sequence in %s/%s: %s",
			 p->dir, PD_SEQ_FILE, strerror(-ret));
		return ret;
	}
	ret = csa_store_write(p->store, next, &seq, err, errlen);
	if (ret) {
		csa_catalog_free(next);
		/* Anything but a refusal before the first write may have
		 * reached some LUNs. */
		if (ret != -EFBIG && ret != -EINVAL)
			supersede(p);
		return ret;
	}
	csa_catalog_free(p->cat);
	p->cat = next;
	p->seq = seq;
	pd_pr_hold(p);
	return 0;
}

/* ---- the bootstrap file ------------------------------------------------ */

void pd_bootstrap_save(struct csa_primary *p)
{
	char path[4096], tmp[4200];
	unsigned i;
	bool bad;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, PD_BOOTSTRAP_FILE);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f) {
		pd_log("cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	for (i = 0; i < p->cat->nr_arrays; i++)
		fprintf(f, "%s %s\n", p->cat->arrays[i].portal,
			p->cat->arrays[i].target);
	/* fclose always, and only then judge: a FILE must not leak. */
	bad = fflush(f) || fsync(fileno(f));
	if (fclose(f) || bad || rename(tmp, path))
		pd_log("cannot write %s: %s", path, strerror(errno));
}

void pd_pr_hold(struct csa_primary *p)
{
	struct pd_lun *l;
	unsigned i, j;

	for (i = 0; p->cat && i < p->nr_arrays; i++) {
		if (csa_catalog_find_array(p->cat, p->arrays[i]->name) < 0)
			continue;
		for (j = 0; j < p->arrays[i]->nr_luns; j++) {
			l = &p->arrays[i]->luns[j];
			if (l->lun && l->lun != l->held) {
				csa_lun_pr_hold(l->lun);
				l->held = l->lun;
			}
		}
	}
}

struct csa_lun *pd_lun_of(struct csa_primary *p, const char *array,
			  uint32_t number)
{
	struct pd_array *a = pd_array_find(p, array);
	unsigned i;

	for (i = 0; a && i < a->nr_luns; i++)
		if (a->luns[i].number == number)
			return a->luns[i].lun;
	return NULL;
}
