// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: fencing a host, the array half of a region lock (iscsi/pr.h).
 *
 * A host that did not acknowledge a lock and whose lease has run out is
 * removed from the persistent reservation of every LUN the volume has
 * extents on, where it is and where it goes: from then on those arrays
 * refuse its writes, whatever state it is in. It registers again only
 * once it is back in touch with the primary and has read where every
 * region is (fs/migrate.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "iscsi/pr.h"
#include "primary/pd_mig.h"

#define KEYS_MAX	1024

struct fence {
	struct csa_primary *p;
	uint64_t key;
	const char *host;
	unsigned fenced, failed;
	struct json_object *luns;	/* "a1 LUN 1", ... done */
};

/* Preempt the host's key on one LUN, if it is registered there. */
static void fence_lun(struct fence *f, const char *array, uint32_t number)
{
	struct csa_lun *l = pd_lun_of(f->p, array, number);
	uint64_t *keys = calloc(KEYS_MAX, sizeof(*keys));
	char name[96];
	unsigned n = 0;
	int ret = -ENOMEM;

	snprintf(name, sizeof(name), "%s LUN %u", array, number);
	if (!l)
		ret = -ENODEV;
	else if (keys)
		ret = csa_lun_pr_keys(l, keys, KEYS_MAX, &n);
	if (!ret && csa_pr_has_key(keys, n, f->key))
		ret = csa_lun_pr_preempt(l, CSA_PR_PRIMARY_KEY, f->key);
	else if (!ret)
		ret = 1;	/* not registered there: nothing to remove */
	free(keys);
	if (ret < 0) {
		pd_log("fencing host %s on %s: %s", f->host, name, strerror(-ret));
		f->failed++;
	} else if (!ret) {
		json_object_array_add(f->luns, json_object_new_string(name));
		f->fenced++;
	}
}

/* Is (@array, @lun) among the extents of @l before extent @e of copy @i? */
static bool seen(const struct csa_layout *l, unsigned i, unsigned e,
		 unsigned array, uint32_t lun)
{
	unsigned c, k;

	for (c = 0; c <= i; c++)
		for (k = 0; k < (c < i ? l->copies[c].nr_extents : e); k++)
			if (l->copies[c].extents[k].array == array &&
			    l->copies[c].extents[k].lun == lun)
				return true;
	return false;
}

/* Every LUN of @l once. */
static void fence_layout(struct fence *f, const struct csa_layout *l)
{
	const struct csa_extent *x;
	unsigned i, e;

	for (i = 0; l && i < l->nr_columns * l->nr_copies; i++)
		for (e = 0; e < l->copies[i].nr_extents; e++) {
			x = &l->copies[i].extents[e];
			if (!seen(l, i, e, x->array, x->lun))
				fence_lun(f, l->arrays[x->array].name, x->lun);
		}
}

int pd_fence_host(struct csa_primary *p, const char *host, const char *volume)
{
	struct fence f = { .p = p, .key = csa_pr_host_key(host), .host = host,
			   .luns = json_object_new_array() };
	int v = csa_catalog_find_volume(p->cat, volume);
	struct json_object *o;

	if (v < 0 || !f.luns) {
		json_object_put(f.luns);
		return -ENOENT;
	}
	fence_layout(&f, p->cat->volumes[v].layout);
	if (p->cat->volumes[v].mig)
		fence_layout(&f, p->cat->volumes[v].mig->to);
	pd_log("host %s fenced for %s: its registration removed from %u LUNs%s",
	       host, volume, f.fenced, f.failed ? " (some could not be reached)" : "");
	o = json_object_new_object();
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "volume", json_object_new_string(volume));
	json_object_object_add(o, "luns", f.luns);
	json_object_object_add(o, "failed", json_object_new_int((int)f.failed));
	csa_api_server_publish(p->api, "host.fenced", o);
	return f.failed ? -EIO : 0;
}
