// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Persistent reservations on a real array, for tests/integration/fence.sh
 * and the h2 case of migration_crash.sh:
 *
 *   pr_tool hostkey NAME                 the key host NAME registers
 *   pr_tool keys PORTAL TARGET LUN       the keys registered, one a line
 *   pr_tool refused PORTAL TARGET LUN    an initiator with no key tries
 *       to write the LUN's last block: exit 0 when the array refuses it
 *       (RESERVATION CONFLICT), 1 when it takes it (the block is written)
 *   pr_tool fence PORTAL TARGET LUN      the fence, step by step: a
 *       primary, a host and an initiator with no key on one LUN; prints
 *       "ok - ..." or "not ok - ..." for each step
 *
 * Exit 0 when every step held, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iscsi/engine.h"
#include "iscsi/pr.h"

#define BLOCK_LBA	2048	/* 1 MiB in with 512-byte blocks */

static int failures;

static void step(bool ok, const char *what, int ret)
{
	printf("%s - %s (%d%s%s)\n", ok ? "ok" : "not ok", what, ret,
	       ret < 0 ? ": " : "", ret < 0 ? strerror(-ret) : "");
	failures += !ok;
}

struct one {
	struct csa_engine *e;
	struct csa_lun *l;
};

static int open_one(struct one *o, const char *iqn, uint64_t key, bool reserve,
		    const char *portal, const char *target, unsigned lun)
{
	struct csa_engine_opts eo;
	char err[256];
	int ret;

	csa_engine_opts_default(&eo);
	eo.initiator = iqn;
	eo.io_timeout_ms = 5000;
	ret = csa_engine_start(&eo, &o->e);
	if (ret)
		return ret;
	csa_engine_pr_key(o->e, key);
	ret = csa_lun_open(o->e, portal, target, lun, &o->l, err, sizeof(err));
	if (ret)
		fprintf(stderr, "pr_tool: %s: %s\n", iqn, err);
	else if (reserve)
		csa_lun_pr_hold(o->l);
	return ret;
}

static void close_one(struct one *o)
{
	if (o->l)
		csa_lun_close(o->l);
	if (o->e)
		csa_engine_stop(o->e);
}

/* The registration the open queued has ended: its outcome. */
static int registered(struct csa_lun *l)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, st = 1;

	for (i = 0; i < 500 && (st = csa_lun_pr_status(l)) == 1; i++)
		nanosleep(&ts, NULL);
	return st;
}

/* One block at BLOCK_LBA, read or written. */
static int rw(struct csa_lun *l, uint8_t op, void *buf)
{
	struct iovec v = { buf, csa_lun_info(l)->block_size };
	struct csa_io io = { .op = op, .lba = BLOCK_LBA, .nblocks = 1,
			     .iov = &v, .iovcnt = 1 };

	return csa_lun_run(l, &io);
}

static bool has(struct csa_lun *l, uint64_t key)
{
	uint64_t keys[256];
	unsigned n;

	return !csa_lun_pr_keys(l, keys, 256, &n) && csa_pr_has_key(keys, n, key);
}

static int fence(const char *portal, const char *target, unsigned lun)
{
	uint64_t hk = csa_pr_host_key("pr-tool-host");
	struct one p = { 0 }, h = { 0 }, x = { 0 };
	uint8_t buf[4096] = { 0 }, back[4096];
	int ret;

	ret = open_one(&p, "iqn.2026-11.org.csafs:pr-tool-primary", CSA_PR_PRIMARY_KEY,
		       true, portal, target, lun);
	if (!ret)
		ret = registered(p.l);
	step(!ret, "the primary registers and reserves", ret);
	ret = open_one(&h, "iqn.2026-11.org.csafs:pr-tool-host", hk, false,
		       portal, target, lun);
	if (!ret)
		ret = registered(h.l);
	step(!ret, "the host registers", ret);
	ret = open_one(&x, "iqn.2026-11.org.csafs:pr-tool-other", 0, false,
		       portal, target, lun);
	step(!ret, "an initiator with no key logs in", ret);
	if (failures)
		goto out;
	memset(buf, 0xa5, sizeof(buf));
	ret = rw(h.l, CSA_IO_WRITE, buf);
	step(ret == 0, "the host writes", ret);
	ret = rw(x.l, CSA_IO_WRITE, buf);
	step(ret == -EACCES, "the initiator with no key may not write: RESERVATION CONFLICT", ret);
	ret = rw(x.l, CSA_IO_READ, back);
	step(ret == 0, "... but may read", ret);
	step(has(p.l, hk) && has(p.l, CSA_PR_PRIMARY_KEY),
	     "READ KEYS lists the primary's and the host's keys", 0);
	ret = csa_lun_pr_preempt(p.l, CSA_PR_PRIMARY_KEY, hk);
	step(ret == 0, "the primary preempts the host's key", ret);
	step(!has(p.l, hk), "READ KEYS no longer lists the host's key", 0);
	ret = rw(h.l, CSA_IO_WRITE, buf);
	step(ret == -EACCES, "the fenced host's write is refused: RESERVATION CONFLICT", ret);
	ret = rw(h.l, CSA_IO_READ, back);
	step(ret == 0 && !memcmp(buf, back, csa_lun_info(p.l)->block_size),
	     "the fenced host still reads what it wrote before", ret);
	ret = csa_lun_pr_preempt(p.l, CSA_PR_PRIMARY_KEY, hk);
	step(ret == -EACCES, "preempting a key no longer registered: RESERVATION CONFLICT", ret);
	csa_engine_pr_key(h.e, hk);
	ret = registered(h.l);
	step(ret == 0, "the host registers again", ret);
	memset(buf, 0x5a, sizeof(buf));
	ret = rw(h.l, CSA_IO_WRITE, buf);
	step(ret == 0, "... and writes again", ret);
	ret = rw(p.l, CSA_IO_READ, back);
	step(ret == 0 && !memcmp(buf, back, csa_lun_info(p.l)->block_size),
	     "the primary reads what the host wrote", ret);
out:
	close_one(&x);
	close_one(&h);
	close_one(&p);
	return failures ? 1 : 0;
}

static int refused(const char *portal, const char *target, unsigned lun)
{
	struct one o = { 0 };
	uint8_t buf[4096] = { 0 };
	int ret;

	ret = open_one(&o, "iqn.2026-11.org.csafs:pr-tool-stranger", 0, false,
		       portal, target, lun);
	if (!ret) {
		struct iovec v = { buf, csa_lun_info(o.l)->block_size };
		struct csa_io io = { .op = CSA_IO_WRITE, .nblocks = 1,
				     .lba = csa_lun_info(o.l)->blocks - 1,
				     .iov = &v, .iovcnt = 1 };

		ret = csa_lun_run(o.l, &io);
	}
	close_one(&o);
	printf("%d%s%s\n", ret, ret ? ": " : "", ret ? strerror(-ret) : "");
	return ret == -EACCES ? 0 : 1;
}

static int keys(const char *portal, const char *target, unsigned lun)
{
	struct one o = { 0 };
	uint64_t k[256];
	unsigned n = 0, i;
	int ret;

	ret = open_one(&o, "iqn.2026-11.org.csafs:pr-tool-reader", 0, false,
		       portal, target, lun);
	if (!ret)
		ret = csa_lun_pr_keys(o.l, k, 256, &n);
	for (i = 0; !ret && i < n; i++)
		printf("0x%016" PRIx64 "\n", k[i]);
	close_one(&o);
	if (ret)
		fprintf(stderr, "pr_tool: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hostkey")) {
		printf("0x%016" PRIx64 "\n", csa_pr_host_key(argv[2]));
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "keys"))
		return keys(argv[2], argv[3], (unsigned)atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "refused"))
		return refused(argv[2], argv[3], (unsigned)atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "fence"))
		return fence(argv[2], argv[3], (unsigned)atoi(argv[4]));
	fprintf(stderr, "usage: pr_tool hostkey NAME | keys|refused|fence PORTAL TARGET LUN\n");
	return 2;
}
