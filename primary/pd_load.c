// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd start-up: find the catalog on the LUNs (primaryd.h).
 *
 * The targets to look at are the bootstrap file's and those that the
 * --discover portals name. Every LUN they report is opened and the newest
 * catalog among them is read, even without a majority: it names every
 * array of the cluster. Then exactly the catalog's arrays are opened and
 * the catalog is read again, now with a majority required. Should that
 * catalog name other arrays (a newer one was on arrays the first pass did
 * not see), the second step repeats, a bounded number of times.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/discover.h"
#include "primary/primaryd.h"

#define MAX_ROUNDS	4

struct target {
	char portal[CSA_PORTAL_MAX];
	char iqn[CSA_IQN_MAX];
};

struct targets {
	unsigned n;
	struct target t[256];
};

static void targets_add(struct targets *T, const char *portal,
			const char *iqn)
{
	unsigned i;

	for (i = 0; i < T->n; i++)
		if (!strcmp(T->t[i].portal, portal) &&
		    !strcmp(T->t[i].iqn, iqn))
			return;
	if (T->n == sizeof(T->t) / sizeof(T->t[0])) {
		pd_log("more than %u targets: %s %s left out", T->n, portal, iqn);
		return;
	}
	snprintf(T->t[T->n].portal, CSA_PORTAL_MAX, "%s", portal);
	snprintf(T->t[T->n].iqn, CSA_IQN_MAX, "%s", iqn);
	T->n++;
}

static void read_bootstrap(struct csa_primary *p, struct targets *T)
{
	char path[4096], portal[CSA_PORTAL_MAX], iqn[CSA_IQN_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, PD_BOOTSTRAP_FILE);
	f = fopen(path, "r");
	if (!f)
		return;		/* a new cluster, or started with --discover */
	while (fscanf(f, "%63s %223s", portal, iqn) == 2)
		targets_add(T, portal, iqn);
	fclose(f);
}

static void discover(struct csa_primary *p, char *const *portals,
		     unsigned nr, struct targets *T)
{
	char (*iqns)[CSA_IQN_MAX], err[512];
	unsigned i, j, n;

	for (i = 0; i < nr; i++) {
		if (csa_discover_targets(portals[i], NULL, p->timeout_ms,
					 &iqns, &n, err, sizeof(err))) {
			pd_log("discovery at %s: %s", portals[i], err);
			continue;
		}
		pd_log("discovery at %s: %u target%s", portals[i], n,
		       n == 1 ? "" : "s");
		for (j = 0; j < n; j++)
			targets_add(T, portals[i], iqns[j]);
		free(iqns);
	}
}

static int arrays_push(struct csa_primary *p, struct pd_array *a)
{
	struct pd_array **v;

	v = realloc(p->arrays, (p->nr_arrays + 1) * sizeof(*v));
	if (!v) {
		pd_array_close(a);
		return -ENOMEM;
	}
	p->arrays = v;
	p->arrays[p->nr_arrays++] = a;
	return 0;
}

/* Open every LUN every target reports, as nameless arrays. */
static int open_targets(struct csa_primary *p, const struct targets *T)
{
	struct pd_array *a;
	char err[512];
	uint32_t *luns;
	unsigned i, n;

	for (i = 0; i < T->n; i++) {
		if (csa_report_luns(T->t[i].portal, T->t[i].iqn, NULL,
				    p->timeout_ms, &luns, &n, err,
				    sizeof(err))) {
			pd_log("%s %s: %s", T->t[i].portal, T->t[i].iqn, err);
			continue;
		}
		a = pd_array_open(p, "", T->t[i].portal, T->t[i].iqn, luns, n);
		free(luns);
		if (!a || arrays_push(p, a))
			return -ENOMEM;
	}
	return 0;
}

/* Does open array @a have exactly the LUNs of catalog array @ca? */
static bool same_luns(const struct pd_array *a, const struct csa_cat_array *ca)
{
	unsigned i;

	if (a->nr_luns != ca->nr_luns)
		return false;
	for (i = 0; i < a->nr_luns; i++)
		if (a->luns[i].number != ca->luns[i].number)
			return false;
	return true;
}

static struct pd_array *take_open(struct csa_primary *p,
				  const struct csa_cat_array *ca)
{
	struct pd_array *a;
	unsigned i, j;

	for (i = 0; i < p->nr_arrays; i++) {
		a = p->arrays[i];
		if (!a || strcmp(a->portal, ca->portal) ||
		    strcmp(a->target, ca->target) || !same_luns(a, ca))
			continue;
		p->arrays[i] = NULL;
		snprintf(a->name, sizeof(a->name), "%s", ca->name);
		for (j = 0; j < a->nr_luns; j++)
			snprintf(a->luns[j].name, sizeof(a->luns[j].name),
				 "%s LUN %u", ca->name, a->luns[j].number);
		return a;
	}
	return NULL;
}

/* Keep open exactly the arrays and LUNs catalog @c names, in its order. */
static int adopt(struct csa_primary *p, const struct csa_catalog *c)
{
	struct pd_array **next = calloc(c->nr_arrays + 1, sizeof(*next));
	uint32_t numbers[CSA_CAT_MAX_LUNS];
	unsigned i, j;

	if (!next)
		return -ENOMEM;
	for (i = 0; i < c->nr_arrays; i++) {
		const struct csa_cat_array *ca = &c->arrays[i];

		next[i] = take_open(p, ca);
		if (next[i])
			continue;
		for (j = 0; j < ca->nr_luns; j++)
			numbers[j] = ca->luns[j].number;
		next[i] = pd_array_open(p, ca->name, ca->portal, ca->target,
					numbers, ca->nr_luns);
		if (!next[i])
			break;
	}
	for (j = 0; j < p->nr_arrays; j++)
		pd_array_close(p->arrays[j]);	/* NULL for those taken */
	free(p->arrays);
	p->arrays = next;
	p->nr_arrays = i;
	return i == c->nr_arrays ? 0 : -ENOMEM;
}

/* The same arrays (names, places, LUN numbers) in both catalogs? */
static bool same_arrays(const struct csa_catalog *a,
			const struct csa_catalog *b)
{
	unsigned i;

	if (a->nr_arrays != b->nr_arrays)
		return false;
	for (i = 0; i < a->nr_arrays; i++) {
		const struct csa_cat_array *x = &a->arrays[i], *y = &b->arrays[i];
		unsigned j;

		if (strcmp(x->name, y->name) || strcmp(x->portal, y->portal) ||
		    strcmp(x->target, y->target) || x->nr_luns != y->nr_luns)
			return false;
		for (j = 0; j < x->nr_luns; j++)
			if (x->luns[j].number != y->luns[j].number)
				return false;
	}
	return true;
}

/* Nothing on the LUNs yet: an empty catalog of the cluster. */
static int start_empty(struct csa_primary *p, char *err, size_t errlen)
{
	pd_arrays_close(p);
	if (csa_uuid_is_nil(&p->id.uuid)) {
		snprintf(err, errlen, "no cluster identity in %s and no catalog on the LUNs found: make the cluster with csa init",
			 p->dir);
		return -ENOENT;
	}
	p->cat = csa_catalog_new(&p->id.uuid);
	return p->cat ? 0 : -ENOMEM;
}

/* Open the catalog's arrays and read it again, with a majority. */
static int settle(struct csa_primary *p, struct csa_catalog *c, char *err,
		  size_t errlen)
{
	struct csa_catalog *next;
	unsigned round;
	int ret = 0;

	for (round = 0; round < MAX_ROUNDS; round++) {
		ret = adopt(p, c);
		if (!ret)
			ret = pd_store_reopen(p, err, errlen);
		if (!ret)
			ret = csa_store_load(p->store, 0, &next, &p->seq, err,
					     errlen);
		if (ret)
			break;
		if (same_arrays(c, next)) {
			csa_catalog_free(c);
			p->cat = next;
			return 0;
		}
		csa_catalog_free(c);
		c = next;
	}
	if (!ret) {
		snprintf(err, errlen, "the catalog's arrays changed %u times while it was read; is another primary running?",
			 MAX_ROUNDS);
		ret = -EAGAIN;
	}
	csa_catalog_free(c);
	return ret;
}

int pd_load(struct csa_primary *p, char *const *portals, unsigned nr_portals,
	    char *err, size_t errlen)
{
	struct targets *T = calloc(1, sizeof(*T));
	struct csa_catalog *c;
	unsigned nr_targets;
	int ret;

	if (!T)
		return -ENOMEM;
	read_bootstrap(p, T);
	discover(p, portals, nr_portals, T);
	nr_targets = T->n;
	ret = open_targets(p, T);
	free(T);
	if (ret)
		return ret;
	/* No array was ever added: a new cluster. */
	if (!nr_targets && !nr_portals)
		return start_empty(p, err, errlen);
	if (!p->nr_arrays) {
		snprintf(err, errlen, "none of the %u targets known or discovered reports its LUNs",
			 nr_targets);
		return -ENODEV;
	}
	ret = pd_store_reopen(p, err, errlen);
	if (!ret)
		ret = csa_store_load(p->store, CSA_STORE_NO_QUORUM, &c, NULL,
				     err, errlen);
	/* Labelled LUNs without a catalog, where arrays were known or asked
	 * for: the catalog is on LUNs that did not answer. Starting empty
	 * would let the next change overwrite it. */
	if (ret == -ENOENT)
		snprintf(err, errlen, "the LUNs that answered carry this cluster's labels but no catalog; the arrays that hold it did not answer (start again when they do)");
	return ret ? ret : settle(p, c, err, errlen);
}
