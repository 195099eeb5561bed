// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writing the catalog to the LUNs (catalog_store.h): one new sequence
 * number, the next slot of every LUN of every listed array, a flush per
 * LUN, then the count of arrays that hold it against the majority.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/catalog_store.h"
#include "primary/catalog_store_int.h"

__attribute__((format(printf, 4, 5)))
static int report(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* One slot image per slot index, encoded when first needed. */
struct images {
	const struct csa_uuid *cluster;
	const char *json;
	size_t len;
	uint64_t seq;
	uint8_t *buf[2];
	size_t buflen[2];
	struct csa_slot_info info[2];	/* the image decoded back */
};

static int image(struct images *im, unsigned k, uint64_t slot_bytes,
		 char *err, size_t errlen)
{
	int ret;

	if (im->buf[k])
		return 0;
	ret = csa_slot_encode(im->cluster, k, im->seq, im->json, im->len,
			      slot_bytes, &im->buf[k], &im->buflen[k], err,
			      errlen);
	if (ret)
		return ret;
	/* Decoding it back checks the encoder and gives the JSON's SHA. */
	ret = csa_slot_decode(im->buf[k], im->buflen[k], im->cluster, k,
			      slot_bytes, &im->info[k], NULL);
	return ret ? report(-EIO, err, errlen, "a slot image does not decode: %s",
			    im->info[k].reason) : 0;
}

/* The LUNs the catalog is for: usable, of an array @c lists. */
static bool target(const struct sdev *d, const struct csa_catalog *c)
{
	return d->usable && csa_catalog_find_array(c, d->label.array) >= 0;
}

/* -EFBIG before anything is written if a LUN's next slot is too small. */
static int check_fit(const struct csa_store *s, const struct csa_catalog *c,
		     size_t len, char *err, size_t errlen)
{
	unsigned i;

	for (i = 0; i < s->nr_devs; i++) {
		const struct sdev *d = &s->devs[i];
		uint64_t bytes = d->label.slot_bytes[d->next];

		if (target(d, c) && len > CSA_SLOT_JSON_MAX(bytes))
			return report(-EFBIG, err, errlen, "the catalog is %zu bytes of JSON; a catalog slot of %s holds at most %" PRIu64 ": nothing was written",
				      len, d->name, CSA_SLOT_JSON_MAX(bytes));
	}
	return 0;
}

/* Write the image to slot @k of @d and flush; d->werr says how it went. */
static void write_dev(struct sdev *d, const struct images *im, unsigned k)
{
	int ret;

	d->wstep = "write";
	ret = d->ops->write(d->dev, d->label.slot_offset[k], im->buflen[k],
			    im->buf[k]);
	if (!ret) {
		d->wstep = "flush";
		ret = d->ops->flush(d->dev);
	}
	d->werr = ret > 0 ? -EIO : ret;
}

/* After the write: what slot @k of @d holds now. */
static void written(struct csa_store *s, struct sdev *d,
		    const struct images *im, unsigned k)
{
	if (d->werr) {
		/* What the slot holds now is unknown; it stays the next one. */
		d->slot[k].status = CSA_SLOT_CORRUPT;
		d->slot[k].header_ok = false;
		snprintf(d->slot[k].reason, sizeof(d->slot[k].reason),
			 "a write of sequence %" PRIu64 " failed there", im->seq);
		csa_store_logf(s, CSA_LOG_WARN, "%s: catalog sequence %" PRIu64 " to slot %u: %s failed: %s",
			       d->name, im->seq, k, d->wstep, strerror(-d->werr));
		return;
	}
	d->slot[k] = im->info[k];
	d->has_valid = true;
	d->newest = k;
	d->next = 1 - k;
}

/* One LUN's write, on a thread of its own: the LUNs are written at once,
 * so that a commit takes as long as the slowest LUN, not their sum. */
struct wjob {
	struct sdev *d;
	const struct images *im;
	unsigned k;
	pthread_t thread;
	bool threaded;
};

static void *write_main(void *arg)
{
	struct wjob *j = arg;

	write_dev(j->d, j->im, j->k);
	return NULL;
}

/* The LUNs to write, each with its slot image ready; their count. */
static int jobs_of(struct csa_store *s, const struct csa_catalog *c,
		   struct images *im, struct wjob *jobs, unsigned *n,
		   char *err, size_t errlen)
{
	unsigned i;
	int ret;

	*n = 0;
	for (i = 0; i < s->nr_devs; i++) {
		struct sdev *d = &s->devs[i];

		d->werr = -ENODEV;
		d->wstep = NULL;
		if (d->usable && !target(d, c))
			csa_store_logf(s, CSA_LOG_WARN, "%s not written: its array \"%s\" is not in the catalog",
				       d->name, d->label.array);
		if (!target(d, c))
			continue;
		ret = image(im, d->next, d->label.slot_bytes[d->next], err,
			    errlen);
		if (ret)
			return ret;
		jobs[(*n)++] = (struct wjob){ .d = d, .im = im, .k = d->next };
	}
	return 0;
}

static int write_all(struct csa_store *s, const struct csa_catalog *c,
		     struct images *im, char *err, size_t errlen)
{
	struct wjob *jobs = calloc(s->nr_devs + 1, sizeof(*jobs));
	unsigned i, n;
	int ret;

	if (!jobs)
		return report(-ENOMEM, err, errlen, "out of memory");
	ret = jobs_of(s, c, im, jobs, &n, err, errlen);
	for (i = 0; !ret && n > 1 && i < n; i++)
		jobs[i].threaded = !pthread_create(&jobs[i].thread, NULL,
						   write_main, &jobs[i]);
	for (i = 0; !ret && i < n; i++) {
		if (jobs[i].threaded)
			pthread_join(jobs[i].thread, NULL);
		else
			write_dev(jobs[i].d, im, jobs[i].k);
	}
	for (i = 0; !ret && i < n; i++)
		written(s, jobs[i].d, im, jobs[i].k);
	free(jobs);
	return ret;
}

/* 1 if some LUN of array @name completed the write and the flush. */
static bool durable(const struct csa_store *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->nr_devs; i++)
		if (s->devs[i].wstep && !s->devs[i].werr &&
		    !strcmp(s->devs[i].label.array, name))
			return true;
	return false;
}

/* "a2: a2 LUN 0 write failed: ..., a2 LUN 1 ..." for an array not durable. */
static void why_not(const struct csa_store *s, const char *name,
		    struct csa_msg *m)
{
	unsigned i, n = 0;

	csa_msg_add(m, "%s%s: ", m->at ? "; " : "", name);
	for (i = 0; i < s->nr_devs; i++) {
		const struct sdev *d = &s->devs[i];

		if (!d->wstep || strcmp(d->label.array, name))
			continue;
		csa_msg_add(m, "%s%s %s failed: %s", n++ ? ", " : "", d->name,
			    d->wstep, strerror(-d->werr));
	}
	if (!n)
		csa_msg_add(m, "none of its LUNs is open");
}

static int tally(const struct csa_store *s, const struct csa_catalog *c,
		 uint64_t seq, char *err, size_t errlen)
{
	struct csa_msg yes = { .at = 0 }, no = { .at = 0 };
	unsigned a, n = 0;

	for (a = 0; a < c->nr_arrays; a++) {
		const char *name = c->arrays[a].name;

		if (durable(s, name)) {
			csa_msg_add(&yes, "%s%s", n++ ? ", " : "", name);
			continue;
		}
		why_not(s, name, &no);
	}
	if (n * 2 > c->nr_arrays) {
		if (no.at)
			csa_store_logf(s, CSA_LOG_WARN, "the catalog (sequence %" PRIu64 ") is durable on %u of %u arrays (%s); not on %s",
				       seq, n, c->nr_arrays, yes.buf, no.buf);
		return 0;
	}
	return report(-EIO, err, errlen, "the catalog (sequence %" PRIu64 ") is durable on %u of %u arrays (%s); a majority is %u: %s",
		      seq, n, c->nr_arrays, n ? yes.buf : "none",
		      c->nr_arrays / 2 + 1, no.buf);
}

/* The catalog just written becomes what csa_store_load returns. */
static int remember(struct csa_store *s, const struct images *im)
{
	unsigned i;

	for (i = 0; i < s->nr_devs; i++) {
		const struct sdev *d = &s->devs[i];

		if (d->wstep && !d->werr)
			return csa_store_take_best(s, im->json, im->len,
						   im->seq,
						   im->info[d->newest].json_sha,
						   i, d->newest);
	}
	return 0;	/* tally found a majority: not reached */
}

static int check_catalog(const struct csa_store *s,
			 const struct csa_catalog *c, char *err,
			 size_t errlen)
{
	char a[CSA_UUID_STR_LEN], b[CSA_UUID_STR_LEN];

	if (!csa_uuid_equal(&c->cluster, &s->cluster)) {
		csa_uuid_format(&c->cluster, a);
		csa_uuid_format(&s->cluster, b);
		return report(-EINVAL, err, errlen, "the catalog is of cluster %s; these LUNs are of cluster %s",
			      a, b);
	}
	if (!c->nr_arrays)
		return report(-EINVAL, err, errlen, "the catalog lists no arrays: there is nowhere to keep it");
	return 0;
}

int csa_store_write(struct csa_store *s, const struct csa_catalog *c,
		    uint64_t *seq, char *err, size_t errlen)
{
	struct images im = { .cluster = &s->cluster };
	char *json;
	int ret;

	ret = check_catalog(s, c, err, errlen);
	if (ret)
		return ret;
	json = csa_catalog_to_json(c, 0);
	if (!json)
		return report(-ENOMEM, err, errlen, "out of memory for the catalog's JSON");
	im.json = json;
	im.len = strlen(json);
	ret = check_fit(s, c, im.len, err, errlen);
	if (ret)
		goto out;
	im.seq = s->next_seq++;	/* used once, whatever happens */
	ret = write_all(s, c, &im, err, errlen);
	if (!ret)
		ret = tally(s, c, im.seq, err, errlen);
	if (!ret)
		ret = remember(s, &im);
	if (ret == -ENOMEM)
		report(ret, err, errlen, "out of memory");
	if (!ret && seq)
		*seq = im.seq;
out:
	free(im.buf[0]);
	free(im.buf[1]);
	free(json);
	return ret;
}
