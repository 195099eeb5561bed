// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The catalog on the LUNs (catalog_store.h): labelling a LUN, opening a
 * set of LUNs (labels and slots read once), and loading the newest catalog.
 * Writing is in catalog_store_write.c.
 */
#include <errno.h>
#include <inttypes.h>
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

void csa_store_logf(const struct csa_store *s, enum csa_log_level level,
		    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->log(s->log_arg, level, msg);
}

void csa_msg_add(struct csa_msg *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->at >= sizeof(m->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->at, sizeof(m->buf) - m->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->at += (size_t)n;
	if (m->at > sizeof(m->buf) - 1)
		m->at = sizeof(m->buf) - 1;
}

static const char *dev_name(const struct csa_store_dev *d)
{
	return d->name ? d->name : "the LUN";
}

/* CSA_IO_ALIGN bytes at @off into a new buffer. */
static int read_block(const struct csa_dev_ops *ops, void *dev, uint64_t off,
		      size_t len, uint8_t **out)
{
	uint8_t *buf = malloc(len);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = ops->read(dev, off, len, buf);
	if (ret) {
		free(buf);
		return ret < 0 ? ret : -EIO;
	}
	*out = buf;
	return 0;
}

/* ---- labelling -------------------------------------------------------------- */

/* 0 if the LUN carries no csafs label; else why it may not be labelled. */
static int check_unlabelled(const struct csa_store_dev *d,
			    const struct csa_uuid *cluster,
			    struct csa_label *found, char *err, size_t errlen)
{
	char why[256], u[CSA_UUID_STR_LEN];
	struct csa_label old;
	uint8_t *buf;
	int ret;

	ret = read_block(d->ops, d->dev, 0, CSA_IO_ALIGN, &buf);
	if (ret)
		return report(ret, err, errlen, "%s: cannot read the label: %s",
			      dev_name(d), strerror(-ret));
	ret = csa_label_decode(buf, CSA_IO_ALIGN, &old, why, sizeof(why));
	free(buf);
	if (ret == -ENODATA)
		return 0;
	if (ret)
		return report(ret, err, errlen, "%s carries a csafs label that cannot be read (%s); it is left alone: wipe it by hand if it is really unused",
			      dev_name(d), why);
	if (csa_label_check_cluster(&old, cluster, why, sizeof(why)))
		return report(-EBUSY, err, errlen, "%s: %s", dev_name(d), why);
	csa_uuid_format(&old.lun, u);
	if (found)
		*found = old;
	return report(-EEXIST, err, errlen, "%s is already labelled for this cluster, as a LUN of array \"%s\" (LUN UUID %s)",
		      dev_name(d), old.array, u);
}

/* Write @len bytes of @buf at @off and flush, naming @what on failure. */
static int put_block(const struct csa_store_dev *d, uint64_t off,
		     const uint8_t *buf, size_t len, const char *what,
		     char *err, size_t errlen)
{
	int ret = d->ops->write(d->dev, off, len, buf);

	if (!ret)
		ret = d->ops->flush(d->dev);
	if (ret > 0)
		ret = -EIO;
	return ret ? report(ret, err, errlen, "%s: writing %s failed: %s",
			    dev_name(d), what, strerror(-ret)) : 0;
}

static int write_label(const struct csa_store_dev *d,
		       const struct csa_label *l, char *err, size_t errlen)
{
	uint8_t *blk = calloc(1, CSA_IO_ALIGN);
	int ret;

	if (!blk)
		return report(-ENOMEM, err, errlen, "out of memory");
	/* Two separate writes: neither slot is touched by the other's. */
	ret = d->ops->write(d->dev, l->slot_offset[0], CSA_IO_ALIGN, blk);
	if (!ret)
		ret = put_block(d, l->slot_offset[1], blk, CSA_IO_ALIGN,
				"the empty catalog slots", err, errlen);
	else
		ret = report(ret < 0 ? ret : -EIO, err, errlen,
			     "%s: writing the empty catalog slots failed: %s",
			     dev_name(d), strerror(ret < 0 ? -ret : EIO));
	if (!ret)
		ret = csa_label_encode(l, blk, err, errlen);
	if (!ret)
		ret = put_block(d, 0, blk, CSA_IO_ALIGN, "the label", err,
				errlen);
	free(blk);
	return ret;
}

int csa_store_label_lun(const struct csa_store_dev *d,
			const struct csa_uuid *cluster, const char *array,
			struct csa_label *out, char *err, size_t errlen)
{
	struct csa_uuid lun;
	struct csa_label l;
	int ret;

	if (d->size && d->size <= CSA_RESERVED_BYTES)
		return report(-ENOSPC, err, errlen, "%s is %" PRIu64 " bytes; the csafs reserved area alone takes %u",
			      dev_name(d), d->size, CSA_RESERVED_BYTES);
	ret = check_unlabelled(d, cluster, out, err, errlen);
	if (ret)
		return ret;
	if (csa_uuid_generate(&lun))
		return report(-EIO, err, errlen, "no random bytes for a LUN UUID");
	ret = csa_label_init(&l, cluster, &lun, array, err, errlen);
	if (!ret)
		ret = write_label(d, &l, err, errlen);
	if (!ret && out)
		*out = l;
	return ret;
}

/* ---- opening ---------------------------------------------------------------- */

static void read_label(struct csa_store *s, struct sdev *d)
{
	char why[256];
	uint8_t *buf;
	int ret;

	ret = read_block(d->ops, d->dev, 0, CSA_IO_ALIGN, &buf);
	if (ret) {
		csa_store_logf(s, CSA_LOG_WARN, "%s skipped: cannot read the label: %s",
			       d->name, strerror(-ret));
		return;
	}
	ret = csa_label_decode(buf, CSA_IO_ALIGN, &d->label, why, sizeof(why));
	free(buf);
	if (ret)
		csa_store_logf(s, ret == -ENODATA ? CSA_LOG_INFO : CSA_LOG_WARN,
			       "%s skipped: %s", d->name, why);
	d->labelled = !ret;
}

/* With no cluster given: the one cluster the labels name. */
static int pick_cluster(struct csa_store *s, char *err, size_t errlen)
{
	char a[CSA_UUID_STR_LEN], b[CSA_UUID_STR_LEN];
	const struct sdev *first = NULL;
	unsigned i;

	for (i = 0; i < s->nr_devs; i++) {
		const struct sdev *d = &s->devs[i];

		if (!d->labelled)
			continue;
		if (!first) {
			first = d;
			continue;
		}
		if (csa_uuid_equal(&d->label.cluster, &first->label.cluster))
			continue;
		csa_uuid_format(&first->label.cluster, a);
		csa_uuid_format(&d->label.cluster, b);
		return report(-ENOTUNIQ, err, errlen, "the LUNs belong to two clusters: %s (%s, array \"%s\") and %s (%s, array \"%s\"); say which one to read",
			      a, first->name, first->label.array, b, d->name,
			      d->label.array);
	}
	if (!first)
		return report(-ENODEV, err, errlen, "none of the %u LUNs carries a csafs label",
			      s->nr_devs);
	s->cluster = first->label.cluster;
	return 0;
}

/* Read slot @k of @d and decode it; a valid one is offered as the best. */
static int read_slot(struct csa_store *s, struct sdev *d, unsigned k)
{
	struct csa_slot_info *info = &d->slot[k];
	uint64_t off = d->label.slot_offset[k], span;
	uint64_t bytes = d->label.slot_bytes[k];
	const char *json = NULL;
	uint8_t *buf;
	int ret;

	ret = read_block(d->ops, d->dev, off, CSA_IO_ALIGN, &buf);
	if (ret)
		return ret;
	ret = csa_slot_decode_header(buf, CSA_IO_ALIGN, &s->cluster, k, bytes,
				     info);
	span = info->header_ok ? csa_slot_span(info->json_len) : 0;
	if (!ret && span > CSA_IO_ALIGN) {
		free(buf);
		ret = read_block(d->ops, d->dev, off, (size_t)span, &buf);
		if (ret)
			return ret;
	}
	if (!ret)
		ret = csa_slot_decode(buf, span, &s->cluster, k, bytes, info,
				      &json);
	if (info->header_ok && info->seq >= s->next_seq)
		s->next_seq = info->seq + 1;
	ret = json ? csa_store_take_best(s, json, info->json_len, info->seq,
					 info->json_sha, (unsigned)(d - s->devs), k) : 0;
	free(buf);
	return ret;
}

/* The per-LUN choice, logged: which slot is newest, why the other is not. */
static void choose(struct csa_store *s, struct sdev *d)
{
	char why[320], err[512];
	int ret;

	ret = csa_slot_choose(d->slot, &d->newest, &d->next, why, sizeof(why),
			      err, sizeof(err));
	d->has_valid = !ret;
	if (ret) {
		bool empty = d->slot[0].status == CSA_SLOT_EMPTY &&
			     d->slot[1].status == CSA_SLOT_EMPTY;

		csa_store_logf(s, empty ? CSA_LOG_INFO : CSA_LOG_WARN, "%s: %s",
			       d->name, err);
		return;
	}
	csa_store_logf(s, d->slot[1 - d->newest].status == CSA_SLOT_TORN ||
			  d->slot[1 - d->newest].status == CSA_SLOT_CORRUPT ?
			  CSA_LOG_WARN : CSA_LOG_INFO,
		       "%s: slot %u holds sequence %" PRIu64 "; %s", d->name,
		       d->newest, d->slot[d->newest].seq, why);
}

static void open_dev(struct csa_store *s, struct sdev *d)
{
	char why[256];
	unsigned k;
	int ret = 0;

	if (csa_label_check_cluster(&d->label, &s->cluster, why, sizeof(why))) {
		csa_store_logf(s, CSA_LOG_WARN, "%s refused: %s", d->name, why);
		return;
	}
	for (k = 0; k < 2 && !ret; k++)
		ret = read_slot(s, d, k);
	if (ret) {
		csa_store_logf(s, CSA_LOG_WARN, "%s skipped: cannot read catalog slot %u: %s",
			       d->name, k - 1, strerror(-ret));
		return;
	}
	choose(s, d);
	d->usable = true;
}

static int copy_devs(struct csa_store *s, const struct csa_store_dev *devs,
		     unsigned n)
{
	char name[32];
	unsigned i;

	s->devs = calloc(n ? n : 1, sizeof(*s->devs));
	if (!s->devs)
		return -ENOMEM;
	s->nr_devs = n;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "device %u", i);
		s->devs[i].ops = devs[i].ops;
		s->devs[i].dev = devs[i].dev;
		s->devs[i].name = strdup(devs[i].name ? devs[i].name : name);
		if (!s->devs[i].name)
			return -ENOMEM;
	}
	return 0;
}

static int open_all(struct csa_store *s, const struct csa_uuid *cluster,
		    char *err, size_t errlen)
{
	char u[CSA_UUID_STR_LEN];
	unsigned i, usable = 0;
	int ret;

	for (i = 0; i < s->nr_devs; i++)
		read_label(s, &s->devs[i]);
	if (cluster)
		s->cluster = *cluster;
	ret = cluster ? 0 : pick_cluster(s, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < s->nr_devs; i++) {
		if (s->devs[i].labelled)
			open_dev(s, &s->devs[i]);
		usable += s->devs[i].usable;
	}
	csa_uuid_format(&s->cluster, u);
	if (!usable)
		return report(-ENODEV, err, errlen, "none of the %u LUNs carries a readable label of cluster %s (see the log for each)",
			      s->nr_devs, u);
	return 0;
}

int csa_store_open(const struct csa_store_dev *devs, unsigned n,
		   const struct csa_uuid *cluster, csa_store_log_fn log,
		   void *arg, struct csa_store **out, char *err, size_t errlen)
{
	struct csa_store *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return report(-ENOMEM, err, errlen, "out of memory");
	s->log = log;
	s->log_arg = arg;
	s->next_seq = 1;
	ret = copy_devs(s, devs, n);
	if (ret)
		report(ret, err, errlen, "out of memory");
	else
		ret = open_all(s, cluster, err, errlen);
	if (ret) {
		csa_store_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

const struct csa_uuid *csa_store_cluster(const struct csa_store *s)
{
	return &s->cluster;
}

void csa_store_close(struct csa_store *s)
{
	unsigned i;

	if (!s)
		return;
	for (i = 0; s->devs && i < s->nr_devs; i++)
		free(s->devs[i].name);
	free(s->devs);
	free(s->best);
	free(s);
}

int csa_store_take_best(struct csa_store *s, const char *json, size_t len,
			uint64_t seq, const uint8_t sha[32], unsigned dev,
			unsigned k)
{
	char *copy;

	if (s->best && seq < s->best_seq)
		return 0;
	if (s->best && seq == s->best_seq) {
		if (memcmp(sha, s->best_sha, 32) && !s->conflict) {
			s->conflict = true;
			s->conflict_dev = dev;
			s->conflict_slot = k;
		}
		return 0;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, json, len);
	copy[len] = 0;
	free(s->best);
	s->best = copy;
	s->best_len = len;
	s->best_seq = seq;
	memcpy(s->best_sha, sha, 32);
	s->best_dev = dev;
	s->best_slot = k;
	s->conflict = false;
	return 0;
}

/* ---- loading ---------------------------------------------------------------- */

/* No valid slot anywhere: -ENOENT if all are empty, else -EIO with each. */
static int none_valid(const struct csa_store *s, char *err, size_t errlen)
{
	struct csa_msg m = { .at = 0 };
	char why[512];
	unsigned i, k, newest, next, n = 0, empty = 0;

	for (i = 0; i < s->nr_devs; i++) {
		const struct sdev *d = &s->devs[i];

		if (!d->usable)
			continue;
		n++;
		for (k = 0; k < 2; k++)
			empty += d->slot[k].status == CSA_SLOT_EMPTY;
		csa_slot_choose(d->slot, &newest, &next, NULL, 0, why,
				sizeof(why));
		csa_msg_add(&m, "%s%s: %s", m.at ? "; " : "", d->name, why);
	}
	if (empty == 2 * n)
		return report(-ENOENT, err, errlen, "no catalog on the LUNs yet: every slot of the %u LUN%s is empty",
			      n, n == 1 ? "" : "s");
	return report(-EIO, err, errlen, "no valid catalog on any LUN: %s", m.buf);
}

/* Which of the catalog's arrays have a usable LUN here; -ENOLINK if few. */
static int quorum(const struct csa_store *s, const struct csa_catalog *c,
		  unsigned flags, char *err, size_t errlen)
{
	struct csa_msg missing = { .at = 0 };
	unsigned a, i, seen = 0;

	for (a = 0; a < c->nr_arrays; a++) {
		for (i = 0; i < s->nr_devs; i++)
			if (s->devs[i].usable &&
			    !strcmp(s->devs[i].label.array, c->arrays[a].name))
				break;
		if (i < s->nr_devs)
			seen++;
		else
			csa_msg_add(&missing, "%s%s", missing.at ? ", " : "",
				    c->arrays[a].name);
	}
	if (seen * 2 > c->nr_arrays || !c->nr_arrays)
		return 0;
	if (flags & CSA_STORE_NO_QUORUM) {
		csa_store_logf(s, CSA_LOG_WARN, "only %u of the catalog's %u arrays answered (missing: %s); taken anyway, as asked",
			       seen, c->nr_arrays, missing.buf);
		return 0;
	}
	return report(-ENOLINK, err, errlen, "only %u of the catalog's %u arrays answered (missing: %s); a majority, %u, is needed to be sure this is the newest catalog",
		      seen, c->nr_arrays, missing.buf, c->nr_arrays / 2 + 1);
}

/* The LUNs that are behind, or that the catalog does not list: logged. */
static void log_stragglers(const struct csa_store *s,
			   const struct csa_catalog *c)
{
	unsigned i;

	for (i = 0; i < s->nr_devs; i++) {
		const struct sdev *d = &s->devs[i];

		if (!d->usable)
			continue;
		if (csa_catalog_find_array(c, d->label.array) < 0)
			csa_store_logf(s, CSA_LOG_WARN, "%s is labelled for array \"%s\", which the catalog does not list",
				       d->name, d->label.array);
		else if (!d->has_valid)
			csa_store_logf(s, CSA_LOG_INFO, "%s has no valid catalog; the next write brings it up to date",
				       d->name);
		else if (d->slot[d->newest].seq < s->best_seq)
			csa_store_logf(s, CSA_LOG_INFO, "%s is behind, at sequence %" PRIu64 "; the next write brings it up to date",
				       d->name, d->slot[d->newest].seq);
	}
}

static int parse_best(const struct csa_store *s, struct csa_catalog **out,
		      char *err, size_t errlen)
{
	const struct sdev *d = &s->devs[s->best_dev];
	char why[512], a[CSA_UUID_STR_LEN];
	int ret;

	ret = csa_catalog_from_json(s->best, s->best_len, out, why, sizeof(why));
	if (ret == -ENOMEM)
		return report(ret, err, errlen, "%s", why);
	if (ret)
		return report(-EBADMSG, err, errlen, "%s slot %u (sequence %" PRIu64 ") holds a catalog that does not parse: %s",
			      d->name, s->best_slot, s->best_seq, why);
	if (csa_uuid_equal(&(*out)->cluster, &s->cluster))
		return 0;
	csa_uuid_format(&(*out)->cluster, a);
	csa_catalog_free(*out);
	*out = NULL;
	return report(-EBADMSG, err, errlen, "%s slot %u (sequence %" PRIu64 ") holds the catalog of cluster %s",
		      d->name, s->best_slot, s->best_seq, a);
}

int csa_store_load(struct csa_store *s, unsigned flags,
		   struct csa_catalog **out, uint64_t *seq,
		   char *err, size_t errlen)
{
	struct csa_catalog *c = NULL;
	int ret;

	if (!s->best)
		return none_valid(s, err, errlen);
	if (s->conflict)
		return report(-EIO, err, errlen, "two different catalogs carry sequence %" PRIu64 ": %s slot %u and %s slot %u; nothing is guessed",
			      s->best_seq, s->devs[s->best_dev].name,
			      s->best_slot, s->devs[s->conflict_dev].name,
			      s->conflict_slot);
	ret = parse_best(s, &c, err, errlen);
	if (!ret)
		ret = quorum(s, c, flags, err, errlen);
	if (ret) {
		csa_catalog_free(c);
		return ret;
	}
	csa_store_logf(s, CSA_LOG_INFO, "catalog sequence %" PRIu64 " (generation %" PRIu64 ") read from %s slot %u",
		       s->best_seq, c->generation, s->devs[s->best_dev].name,
		       s->best_slot);
	log_stragglers(s, c);
	*out = c;
	if (seq)
		*seq = s->best_seq;
	return 0;
}

uint64_t csa_store_next_seq(const struct csa_store *s)
{
	return s->next_seq;
}

void csa_store_raise_seq(struct csa_store *s, uint64_t next)
{
	if (next > s->next_seq)
		s->next_seq = next;
}

unsigned csa_store_usable(const struct csa_store *s)
{
	unsigned i, n = 0;

	for (i = 0; i < s->nr_devs; i++)
		n += s->devs[i].usable;
	return n;
}
