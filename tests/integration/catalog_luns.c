// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Drives the catalog store on real LUNs for tests/integration/catalog.sh:
 *
 *   catalog_luns label URL...       new cluster: label LUN 1 of every
 *                                   array (a1, a2, ... in order), write a
 *                                   catalog listing them; print the UUID
 *   catalog_luns host NAME URL...   load, add host NAME, write it back
 *   catalog_luns load URL...        load and print the catalog's JSON
 *   catalog_luns foreign URL        label as a new cluster (must fail)
 *
 * URL is iscsi://HOST:PORT/TARGET/1. Exit 0 on success, 1 with the error
 * sentence on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/engine.h"
#include "primary/catalog_store.h"
#include "primary/lun_dev.h"

#define MAX 16

struct luns {
	struct csa_engine *e;
	struct csa_lun *lun[MAX];
	struct csa_store_dev dev[MAX];
	char name[MAX][32];
	char portal[MAX][64];
	char target[MAX][224];
	unsigned n;
};

static void log_line(void *arg, enum csa_log_level level, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s: %s\n", level == CSA_LOG_WARN ? "warn" : "info",
		msg);
}

static int open_luns(struct luns *L, int argc, char **argv)
{
	struct csa_engine_opts o;
	char err[512];
	int i;

	csa_engine_opts_default(&o);
	o.io_timeout_ms = 3000;
	o.login_timeout_ms = 3000;
	if (csa_engine_start(&o, &L->e))
		return -1;
	for (i = 0; i < argc && i < MAX; i++) {
		const char *p = argv[i] + strlen("iscsi://");
		const char *slash = strchr(p, '/'), *last = strrchr(p, '/');

		snprintf(L->portal[i], 64, "%.*s", (int)(slash - p), p);
		snprintf(L->target[i], 224, "%.*s", (int)(last - slash - 1),
			 slash + 1);
		snprintf(L->name[i], 32, "a%d", i + 1);
		/* An array that is down is simply not among the LUNs read. */
		if (csa_lun_open(L->e, L->portal[i], L->target[i], 1,
				 &L->lun[L->n], err, sizeof(err))) {
			fprintf(stderr, "info: %s\n", err);
			continue;
		}
		L->dev[L->n] = csa_lun_dev(L->lun[L->n], L->name[i]);
		L->n++;
	}
	return 0;
}

static void close_luns(struct luns *L)
{
	unsigned i;

	for (i = 0; i < L->n; i++)
		csa_lun_close(L->lun[i]);
	csa_engine_stop(L->e);
}

static int fail(const char *what, const char *err)
{
	fprintf(stderr, "%s: %s\n", what, err);
	return 1;
}

/* A catalog listing every array given, each with its LUN 1. */
static int build(struct luns *L, const struct csa_uuid *u,
		 const struct csa_label *labels, struct csa_catalog **out)
{
	struct csa_catalog *c = csa_catalog_new(u);
	char err[512];
	unsigned i;

	for (i = 0; c && i < L->n; i++) {
		const struct csa_lun_info *info = csa_lun_info(L->lun[i]);
		struct csa_cat_lun lun = {
			.number = 1, .uuid = labels[i].lun,
			.blocks = info->blocks, .block_size = info->block_size,
			.reserved_blocks = labels[i].reserved_bytes /
					   info->block_size };
		struct csa_cat_array a = { .rated_mbps = 100, .rated_iops = 1000,
					   .nr_luns = 1, .luns = &lun };

		snprintf(a.name, sizeof(a.name), "%s", L->name[i]);
		snprintf(a.portal, sizeof(a.portal), "%s", L->portal[i]);
		snprintf(a.target, sizeof(a.target), "%s", L->target[i]);
		if (csa_catalog_add_array(c, &a, err, sizeof(err)))
			return fail("add array", err);
	}
	*out = c;
	return c ? 0 : 1;
}

static int cmd_label(struct luns *L)
{
	struct csa_label labels[MAX];
	struct csa_catalog *c = NULL;
	struct csa_store *s = NULL;
	struct csa_uuid u;
	char err[512], text[CSA_UUID_STR_LEN];
	unsigned i;
	int ret = 1;

	csa_uuid_generate(&u);
	for (i = 0; i < L->n; i++)
		if (csa_store_label_lun(&L->dev[i], &u, L->name[i], &labels[i],
					err, sizeof(err)))
			return fail("label", err);
	if (build(L, &u, labels, &c))
		return 1;
	if (csa_store_open(L->dev, L->n, &u, log_line, NULL, &s, err,
			   sizeof(err)) ||
	    csa_store_write(s, c, NULL, err, sizeof(err)))
		fail("write", err);
	else
		ret = 0;
	csa_uuid_format(&u, text);
	if (!ret)
		printf("%s\n", text);
	csa_store_close(s);
	csa_catalog_free(c);
	return ret;
}

static int load(struct luns *L, struct csa_store **s, struct csa_catalog **c)
{
	char err[512];

	if (csa_store_open(L->dev, L->n, NULL, log_line, NULL, s, err,
			   sizeof(err)))
		return fail("open", err);
	if (csa_store_load(*s, 0, c, NULL, err, sizeof(err)))
		return fail("load", err);
	return 0;
}

static int cmd_load(struct luns *L)
{
	struct csa_catalog *c = NULL;
	struct csa_store *s = NULL;
	char *json;
	int ret;

	ret = load(L, &s, &c);
	if (!ret) {
		json = csa_catalog_to_json(c, 0);
		printf("%s\n", json);
		free(json);
	}
	csa_catalog_free(c);
	csa_store_close(s);
	return ret;
}

static int cmd_host(struct luns *L, const char *name)
{
	struct csa_catalog *c = NULL;
	struct csa_store *s = NULL;
	char err[512];
	int ret;

	ret = load(L, &s, &c);
	if (!ret && (csa_catalog_add_host(c, name, 1, err, sizeof(err)) ||
		     csa_store_write(s, c, NULL, err, sizeof(err))))
		ret = fail("host", err);
	csa_catalog_free(c);
	csa_store_close(s);
	return ret;
}

static int cmd_foreign(struct luns *L)
{
	struct csa_uuid u;
	char err[512];
	int ret;

	csa_uuid_generate(&u);
	ret = csa_store_label_lun(&L->dev[0], &u, "b1", NULL, err, sizeof(err));
	fprintf(stderr, "%s\n", ret ? err : "labelled");
	return ret == -EBUSY ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct luns L = { 0 };
	int first = argc > 2 && !strcmp(argv[1], "host") ? 3 : 2, ret;

	if (argc < first + 1) {
		fprintf(stderr, "usage: catalog_luns label|load|foreign URL... | host NAME URL...\n");
		return 2;
	}
	if (open_luns(&L, argc - first, argv + first))
		return 1;
	if (!strcmp(argv[1], "label"))
		ret = cmd_label(&L);
	else if (!strcmp(argv[1], "load"))
		ret = cmd_load(&L);
	else if (!strcmp(argv[1], "host"))
		ret = cmd_host(&L, argv[2]);
	else
		ret = cmd_foreign(&L);
	close_luns(&L);
	return ret;
}
