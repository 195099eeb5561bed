// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Drives discovery and calibration on real arrays for
 * tests/integration/arrays.sh:
 *
 *   arrays_probe [-t MS] targets PORTAL       one discovered IQN a line
 *   arrays_probe [-t MS] luns PORTAL TARGET   the LUNs, on one line
 *   arrays_probe [-t MS] calibrate PORTAL TARGET SECONDS
 *       open every LUN the target reports, calibrate them past their
 *       first 4 MiB, print "progress ..." lines and one "result ..." line;
 *       SIGINT cancels
 *
 * -t is the timeout of each step (default 3000 ms). Exit 0 on success, 1
 * with the error sentence on stderr, 2 on a usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/engine.h"
#include "primary/calibrate.h"
#include "primary/discover.h"

#define RESERVED_BYTES	(4u << 20)

static atomic_bool cancel;

static void on_sigint(int sig)
{
	(void)sig;
	atomic_store(&cancel, true);
}

static int fail(int ret, const char *err)
{
	fprintf(stderr, "arrays_probe: %s [%s]\n", err, strerror(-ret));
	return 1;
}

static int cmd_targets(const char *portal, unsigned timeout_ms)
{
	char (*iqns)[CSA_IQN_MAX], err[512];
	unsigned i, n;
	int ret;

	ret = csa_discover_targets(portal, NULL, timeout_ms, &iqns, &n, err,
				   sizeof(err));
	if (ret)
		return fail(ret, err);
	for (i = 0; i < n; i++)
		printf("%s\n", iqns[i]);
	free(iqns);
	return 0;
}

static int cmd_luns(const char *portal, const char *target,
		    unsigned timeout_ms)
{
	char err[512];
	uint32_t *luns;
	unsigned i, n;
	int ret;

	ret = csa_report_luns(portal, target, NULL, timeout_ms, &luns, &n, err,
			      sizeof(err));
	if (ret)
		return fail(ret, err);
	for (i = 0; i < n; i++)
		printf("%s%" PRIu32, i ? " " : "", luns[i]);
	printf("\n");
	free(luns);
	return 0;
}

static void progress(void *arg, const struct csa_calib_progress *p)
{
	(void)arg;
	printf("progress %s %" PRIu64 "/%" PRIu64 " ms %" PRIu64 " MB/s %"
	       PRIu64 " IOPS\n", p->phase, p->elapsed_ms, p->total_ms, p->mbps,
	       p->iops);
	fflush(stdout);
}

struct opened {
	struct csa_engine *e;
	struct csa_lun **lun;
	uint64_t *first;
	unsigned n;
};

static void close_all(struct opened *o)
{
	unsigned i;

	for (i = 0; i < o->n; i++)
		csa_lun_close(o->lun[i]);
	if (o->e)
		csa_engine_stop(o->e);
	free(o->lun);
	free(o->first);
}

/* Every LUN @target reports, opened with the engine. */
static int open_all(struct opened *o, const char *portal, const char *target,
		    unsigned timeout_ms, char *err, size_t errlen)
{
	struct csa_engine_opts eo;
	uint32_t *luns;
	unsigned i, n;
	int ret;

	ret = csa_report_luns(portal, target, NULL, timeout_ms, &luns, &n, err,
			      errlen);
	if (ret)
		return ret;
	csa_engine_opts_default(&eo);
	eo.io_timeout_ms = 2 * timeout_ms;
	eo.login_timeout_ms = timeout_ms;
	o->lun = calloc(n ? n : 1, sizeof(*o->lun));
	o->first = calloc(n ? n : 1, sizeof(*o->first));
	ret = !o->lun || !o->first ? -ENOMEM : csa_engine_start(&eo, &o->e);
	if (ret)
		snprintf(err, errlen, "cannot start the engine");
	for (i = 0; !ret && i < n; i++) {
		ret = csa_lun_open(o->e, portal, target, luns[i], &o->lun[i],
				   err, errlen);
		if (ret)
			break;
		o->first[i] = RESERVED_BYTES /
			      csa_lun_info(o->lun[i])->block_size;
		o->n++;
	}
	free(luns);
	return ret;
}

static int cmd_calibrate(const char *portal, const char *target,
			 const char *seconds, unsigned timeout_ms)
{
	struct csa_calib_opts co = { .progress = progress, .cancel = &cancel };
	struct csa_calib_result r;
	struct opened o = { 0 };
	char err[768];
	int ret;

	co.seconds = (unsigned)strtoul(seconds, NULL, 10);
	signal(SIGINT, on_sigint);
	ret = open_all(&o, portal, target, timeout_ms, err, sizeof(err));
	if (!ret)
		ret = csa_calibrate(o.lun, o.n, o.first, &co, &r, err,
				    sizeof(err));
	close_all(&o);
	if (ret)
		return fail(ret, err);
	printf("result luns=%u mbps=%" PRIu64 " iops=%" PRIu64
	       " seq_p99_us=%" PRIu64 " rand_p99_us=%" PRIu64 "\n", o.n,
	       r.mbps, r.iops, r.seq_p99_us, r.rand_p99_us);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: arrays_probe [-t MS] targets PORTAL\n"
		"       arrays_probe [-t MS] luns PORTAL TARGET\n"
		"       arrays_probe [-t MS] calibrate PORTAL TARGET SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned timeout_ms = 3000;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		timeout_ms = (unsigned)strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc == 3 && !strcmp(argv[1], "targets"))
		return cmd_targets(argv[2], timeout_ms);
	if (argc == 4 && !strcmp(argv[1], "luns"))
		return cmd_luns(argv[2], argv[3], timeout_ms);
	if (argc == 5 && !strcmp(argv[1], "calibrate"))
		return cmd_calibrate(argv[2], argv[3], argv[4], timeout_ms);
	return usage();
}
