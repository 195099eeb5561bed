// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The LUNs a host has open and their counters (luns.h). Each (array, LUN)
 * is one entry for the life of the table; the engine's handles come and
 * go with the maps, so an entry keeps what its closed handles counted and
 * adds what the open ones count now.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/luns.h"
#include "iscsi/engine_transport.h"


struct entry {
	struct csa_array_ref array;
	uint32_t lun;
	struct csa_lun **open;		/* handles open now */
	unsigned nr_open, max_open;
	struct csa_lun_counters closed;		/* sum over closed handles */
	uint64_t last_bucket[CSA_HISTO_BUCKETS];	/* at the last report */
	struct entry *next;
};

struct handle {
	struct csa_lun *lun;
	struct entry *e;
};

struct csafs_luns {
	struct csa_engine *engine;
	struct csa_transport inner;
	pthread_mutex_t lock;
	struct entry *entries;
};

static void counters_add(struct csa_lun_counters *a,
			 const struct csa_lun_counters *b)
{
	unsigned i;

	a->reads += b->reads;
	a->writes += b->writes;
	a->syncs += b->syncs;
	a->read_bytes += b->read_bytes;
	a->write_bytes += b->write_bytes;
	a->errors += b->errors;
	a->retries += b->retries;
	a->reconnects += b->reconnects;
	a->in_flight += b->in_flight;
	for (i = 0; i < CSA_HISTO_BUCKETS; i++)
		a->bucket[i] += b->bucket[i];
}

/* The entry for (@array, @lun), made if new; lock held. */
static struct entry *entry_get(struct csafs_luns *t,
			       const struct csa_array_ref *array, uint32_t lun)
{
	struct entry *e;

	for (e = t->entries; e; e = e->next)
		if (e->lun == lun && !strcmp(e->array.name, array->name) &&
		    !strcmp(e->array.portal, array->portal) &&
		    !strcmp(e->array.target, array->target))
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->array = *array;
	e->lun = lun;
	e->next = t->entries;
	t->entries = e;
	return e;
}

/* Count handle @l on entry @e from now on: 0, or -ENOMEM. */
static int entry_hold(struct entry *e, struct csa_lun *l)
{
	struct csa_lun **v;

	if (e->nr_open == e->max_open) {
		v = realloc(e->open, (e->max_open * 2 + 4) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		e->open = v;
		e->max_open = e->max_open * 2 + 4;
	}
	e->open[e->nr_open++] = l;
	return 0;
}

static int t_open(void *tp, const struct csa_array_ref *array, uint32_t lun,
		  void **out, uint32_t *block_size, uint64_t *blocks,
		  char *err, size_t errlen)
{
	struct csafs_luns *t = tp;
	struct handle *h = calloc(1, sizeof(*h));
	void *inner;
	int ret;

	if (!h)
		return -ENOMEM;
	ret = t->inner.ops->open(t->inner.priv, array, lun, &inner,
				 block_size, blocks, err, errlen);
	if (ret) {
		free(h);
		return ret;
	}
	h->lun = inner;
	pthread_mutex_lock(&t->lock);
	h->e = entry_get(t, array, lun);
	if (h->e && entry_hold(h->e, h->lun))
		h->e = NULL;	/* not counted: out of memory */
	pthread_mutex_unlock(&t->lock);
	*out = h;
	return 0;
}

static void t_close(void *tp, void *handle)
{
	struct csafs_luns *t = tp;
	struct handle *h = handle;
	struct csa_lun_counters c;
	struct entry *e = h->e;
	unsigned i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; e && i < e->nr_open; i++) {
		if (e->open[i] != h->lun)
			continue;
		csa_stats_snapshot(csa_lun_stats(h->lun), &c);
		c.in_flight = 0;
		counters_add(&e->closed, &c);
		e->open[i] = e->open[--e->nr_open];
		break;
	}
	pthread_mutex_unlock(&t->lock);
	t->inner.ops->close(t->inner.priv, h->lun);
	free(h);
}

static void t_submit(void *tp, void *handle, struct csa_io *io)
{
	struct csafs_luns *t = tp;
	struct handle *h = handle;

	t->inner.ops->submit(t->inner.priv, h->lun, io);
}

static unsigned t_load(void *tp, void *handle)
{
	struct csafs_luns *t = tp;
	struct handle *h = handle;

	return t->inner.ops->load(t->inner.priv, h->lun);
}

static const struct csa_transport_ops luns_ops = {
	.open = t_open, .close = t_close, .submit = t_submit, .load = t_load,
};

struct csafs_luns *csafs_luns_new(struct csa_engine *e)
{
	struct csafs_luns *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->engine = e;
	t->inner = csa_engine_transport(e);
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void csafs_luns_free(struct csafs_luns *t)
{
	struct entry *e, *next;

	if (!t)
		return;
	for (e = t->entries; e; e = next) {
		next = e->next;
		free(e->open);
		free(e);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

struct csa_transport csafs_luns_transport(struct csafs_luns *t)
{
	return (struct csa_transport){ .ops = &luns_ops, .priv = t };
}

/* Everything entry @e counted, closed and open handles together. */
static void entry_total(const struct entry *e, struct csa_lun_counters *out)
{
	struct csa_lun_counters c;
	unsigned i;

	*out = e->closed;
	for (i = 0; i < e->nr_open; i++) {
		csa_stats_snapshot(csa_lun_stats(e->open[i]), &c);
		counters_add(out, &c);
	}
}

#define ADD(o, k, v)	json_object_object_add((o), (k), json_object_new_int64((int64_t)(v)))

static struct json_object *entry_json(struct entry *e, bool advance)
{
	struct json_object *o = json_object_new_object();
	uint64_t interval[CSA_HISTO_BUCKETS];
	struct csa_lun_counters c;
	unsigned i;

	entry_total(e, &c);
	for (i = 0; i < CSA_HISTO_BUCKETS; i++) {
		interval[i] = c.bucket[i] - e->last_bucket[i];
		if (advance)
			e->last_bucket[i] = c.bucket[i];
	}
	json_object_object_add(o, "array", json_object_new_string(e->array.name));
	json_object_object_add(o, "portal", json_object_new_string(e->array.portal));
	json_object_object_add(o, "target", json_object_new_string(e->array.target));
	ADD(o, "lun", e->lun);
	ADD(o, "open", e->nr_open);
	ADD(o, "reads", c.reads);
	ADD(o, "writes", c.writes);
	ADD(o, "read_bytes", c.read_bytes);
	ADD(o, "write_bytes", c.write_bytes);
	ADD(o, "errors", c.errors);
	ADD(o, "in_flight", c.in_flight);
	ADD(o, "p50_us", csa_histo_percentile(interval, 50.0));
	ADD(o, "p99_us", csa_histo_percentile(interval, 99.0));
	return o;
}

void csafs_luns_report(struct csafs_luns *t, struct json_object *out,
		       bool advance)
{
	struct entry *e;

	pthread_mutex_lock(&t->lock);
	for (e = t->entries; e; e = e->next)
		json_object_array_add(out, entry_json(e, advance));
	pthread_mutex_unlock(&t->lock);
}
