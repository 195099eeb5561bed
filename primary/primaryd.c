// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-primaryd: the cluster's primary. Reads the catalog from the arrays'
 * LUNs, serves the API (ops.h) until SIGTERM or SIGINT, and keeps every
 * change on a majority of the arrays before it answers.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "iscsi/pr.h"
#include "primary/ca.h"
#include "primary/ops.h"
#include "primary/pd_mig.h"
#include "primary/primaryd.h"
#include "tools/units.h"

#define DEFAULT_DIR	"/etc/csafs"
#define MAX_PORTALS	64
#define STOP_WAIT_S	60	/* for calibrations to notice the stop */

static const char usage_text[] =
"Usage: csa-primaryd [OPTIONS]\n"
"\n"
"The primary of a csafs cluster. It finds the cluster's catalog on the\n"
"arrays' LUNs, serves the API that csa, csafs and csa-mkfile use (TLS 1.3,\n"
"mutual authentication against the cluster CA), places volumes from their\n"
"requirements, and writes every change to a majority of the arrays before\n"
"it answers. It runs in the foreground and logs to stderr; SIGTERM or\n"
"SIGINT stop it.\n"
"\n"
"Options:\n"
"  -d, --dir DIR          the cluster directory made by csa init (default\n"
"                         $CSA_DIR, else " DEFAULT_DIR "). It holds\n"
"                         cluster.json, ca/ca.crt, primary.crt, primary.key,\n"
"                         and primary.arrays, where the arrays were last seen\n"
"  -l, --listen ADDR:PORT where the API listens (default 0.0.0.0:7320)\n"
"      --discover PORTAL  also look for the catalog on every target at\n"
"                         PORTAL (IP:PORT; repeat for more): how a primary\n"
"                         started on another array, with only portals,\n"
"                         rebuilds the whole catalog from the LUNs\n"
"      --timeout MS       login and discovery timeout (default 5000)\n"
"      --io-timeout MS    I/O timeout on the LUNs (default 5000): how long\n"
"                         a catalog write waits for an array that is down\n"
"      --threshold PCT    an array is nearing saturation when its measured\n"
"                         load stays above PCT % of its rating (MB/s or\n"
"                         IOPS) for the window (default 85)\n"
"      --low-mark PCT     and is clear again once below PCT % for the\n"
"                         window (default 75)\n"
"      --window S         seconds the load must stay past a mark (default 10)\n"
"      --no-auto          watch and report, but start no migration by itself\n"
"      --region-size SIZE what a migration locks and copies at a time\n"
"                         (default 1M, k/M suffixes, 64k to 64M; whole\n"
"                         stripe rows, at least one): a smaller region is\n"
"                         less often written while it is copied ahead,\n"
"                         at one catalog write per region\n"
"  -h, --help             this text\n"
"\n"
"At start the catalog is read from every LUN of the arrays in\n"
"DIR/primary.arrays and at the --discover portals; the newest valid copy\n"
"names every array of the cluster, and it must be on a majority of them.\n"
"With no array known yet the cluster starts empty: add arrays with\n"
"'csa array add'.\n"
"\n"
"The monitor adds up what the hosts report every second, per array. When\n"
"an array nears saturation it moves the volume that fits it worst (the\n"
"one furthest past its own reserved share there, relative to that share)\n"
"off it, with the fewest column copies changed, region by region while\n"
"the hosts keep working: each region is copied while the hosts watch it\n"
"for writes, then locked for as long as its catalog write if none wrote\n"
"it. When no placement can relieve an array, it raises an\n"
"alert saying what to add. Migrations started from the catalog go on\n"
"when a primary starts.\n"
"\n"
"Exit status: 0 stopped by a signal, 1 could not start (the reason on\n"
"stderr), 2 bad usage.\n"
"\n"
"Examples:\n"
"  csa-primaryd --dir /etc/csafs --listen 10.0.0.5:7320\n"
"  csa-primaryd --dir /etc/csafs --discover 10.0.1.11:3260 --discover 10.0.1.12:3260\n";

struct opts {
	const char *dir;
	const char *listen;
	char *portals[MAX_PORTALS];
	unsigned nr_portals;
	unsigned timeout_ms, io_timeout_ms;
	unsigned threshold, low_mark, window_s;
	uint64_t region_bytes;
	bool no_auto;
};

static int usage_error(const char *what)
{
	fprintf(stderr, "csa-primaryd: %s\nTry 'csa-primaryd --help'.\n", what);
	return 2;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_ms(const char *s, unsigned *out)
{
	return parse_uint(s, 100, 3600000, out);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dir", 1, 0, 'd' }, { "listen", 1, 0, 'l' },
		{ "discover", 1, 0, 'D' }, { "timeout", 1, 0, 't' },
		{ "io-timeout", 1, 0, 'T' }, { "help", 0, 0, 'h' },
		{ "threshold", 1, 0, 'H' }, { "low-mark", 1, 0, 'L' },
		{ "window", 1, 0, 'W' }, { "no-auto", 0, 0, 'N' },
		{ "region-size", 1, 0, 'R' },
		{ 0, 0, 0, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "d:l:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'D':
			if (o->nr_portals == MAX_PORTALS)
				return usage_error("too many --discover portals");
			o->portals[o->nr_portals++] = optarg;
			break;
		case 't':
			if (parse_ms(optarg, &o->timeout_ms))
				return usage_error("--timeout takes milliseconds, 100 to 3600000");
			break;
		case 'T':
			if (parse_ms(optarg, &o->io_timeout_ms))
				return usage_error("--io-timeout takes milliseconds, 100 to 3600000");
			break;
		case 'H':
			if (parse_uint(optarg, 1, 100, &o->threshold))
				return usage_error("--threshold takes a percentage, 1 to 100");
			break;
		case 'L':
			if (parse_uint(optarg, 1, 100, &o->low_mark))
				return usage_error("--low-mark takes a percentage, 1 to 100");
			break;
		case 'W':
			if (parse_uint(optarg, 1, 3600, &o->window_s))
				return usage_error("--window takes seconds, 1 to 3600");
			break;
		case 'N': o->no_auto = true; break;
		case 'R':
			if (csa_parse_size(optarg, &o->region_bytes) ||
			    o->region_bytes < (64u << 10) || o->region_bytes > (64u << 20))
				return usage_error("--region-size takes a size from 64k to 64M");
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return usage_error("unknown option");
		}
	}
	if (o->low_mark >= o->threshold)
		return usage_error("--low-mark must be below --threshold");
	return optind < argc ? usage_error("no arguments are taken besides options") : 0;
}

/* Our common name, from DIR/primary.crt. */
static int own_cn(const char *dir, char *cn, size_t len)
{
	enum csa_cert_role role;
	char path[4096];
	X509 *x;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/primary.crt", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x)
		return -EBADMSG;
	ret = csa_cert_identity(x, cn, len, &role);
	X509_free(x);
	return ret ? ret : role == CSA_CERT_PRIMARY ? 0 : -EPERM;
}

static void api_log(void *ctx, const char *line)
{
	(void)ctx;
	pd_log("api: %s", line);
}

static int start_api(struct csa_primary *p, const struct opts *o, char *err,
		     size_t errlen)
{
	char cert[4096], key[4096], ca[4096];
	struct csa_api_server_opts so = {
		.listen = o->listen, .cert = cert, .key = key, .ca = ca,
		.ops = pd_ops, .nr_ops = pd_nr_ops, .ctx = p, .log = api_log };

	snprintf(cert, sizeof(cert), "%s/primary.crt", o->dir);
	snprintf(key, sizeof(key), "%s/primary.key", o->dir);
	snprintf(ca, sizeof(ca), "%s/ca/ca.crt", o->dir);
	return csa_api_server_start(&so, &p->api, err, errlen);
}

static int start_engine(struct csa_primary *p, const struct opts *o)
{
	struct csa_engine_opts eo;
	int ret;

	csa_engine_opts_default(&eo);
	eo.login_timeout_ms = o->timeout_ms;
	eo.io_timeout_ms = o->io_timeout_ms;
	ret = csa_engine_start(&eo, &p->engine);
	if (!ret)	/* before any LUN opens: every login registers */
		csa_engine_pr_key(p->engine, CSA_PR_PRIMARY_KEY);
	return ret;
}

static int start(struct csa_primary *p, const struct opts *o, char *err,
		 size_t errlen)
{
	int ret;

	ret = csa_cluster_file_read(o->dir, &p->id, err, errlen);
	if (ret && !(ret == -ENOENT && o->nr_portals))
		return ret;
	if (own_cn(o->dir, p->cn, sizeof(p->cn))) {
		snprintf(err, errlen, "%s/primary.crt is missing or not a primary certificate of the cluster (make it with csa init)",
			 o->dir);
		return -ENOENT;
	}
	ret = start_engine(p, o);
	if (ret) {
		snprintf(err, errlen, "cannot start the iSCSI engine: %s",
			 strerror(-ret));
		return ret;
	}
	pd_floor_load(p);
	ret = pd_load(p, o->portals, o->nr_portals, err, errlen);
	if (ret)
		return ret;
	pd_pr_hold(p);	/* the cluster's LUNs, not the others discovered */
	pd_bootstrap_save(p);
	ret = pd_watch_start(p);
	if (ret) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(-ret));
		return ret;
	}
	ret = start_api(p, o, err, errlen);
	if (!ret)
		ret = pd_migrator_start(p);
	if (!ret)
		ret = pd_monitor_start(p);
	if (ret && !err[0])
		snprintf(err, errlen, "cannot start a thread: %s", strerror(-ret));
	return ret;
}

static void stop(struct csa_primary *p)
{
	unsigned waited;

	pd_watch_stop(p);	/* sets p->stopping */
	pd_monitor_stop(p);
	pd_migrator_stop(p);
	for (waited = 0; atomic_load(&p->calibrations) &&
	     waited < STOP_WAIT_S * 10; waited++)
		usleep(100000);
	if (p->api)
		csa_api_server_stop(p->api);
	pd_arrays_close(p);
	if (p->engine)
		csa_engine_stop(p->engine);
	csa_catalog_free(p->cat);
	pd_hosts_free(p);
}

static void announce(struct csa_primary *p, const char *listen)
{
	char uuid[CSA_UUID_STR_LEN];

	csa_uuid_format(&p->cat->cluster, uuid);
	pd_log("serving cluster %s%s%s on port %d as %s: %u arrays, %u volumes, %u hosts, catalog generation %llu, sequence %llu (listening on %s)",
	       uuid, *p->id.name ? " " : "", p->id.name,
	       csa_api_server_port(p->api), p->cn, p->cat->nr_arrays,
	       p->cat->nr_volumes, p->cat->nr_hosts,
	       (unsigned long long)p->cat->generation,
	       (unsigned long long)p->seq, listen);
}

int main(int argc, char **argv)
{
	/* A catalog write waits this long for an array that is down. */
	struct opts o = { .listen = "0.0.0.0:7320", .timeout_ms = 5000,
			  .io_timeout_ms = 5000, .threshold = 85, .low_mark = 75,
			  .window_s = 10, .region_bytes = PD_MIG_REGION_BYTES };
	struct csa_primary p = { .lock = PTHREAD_MUTEX_INITIALIZER,
				 .hosts_lock = PTHREAD_MUTEX_INITIALIZER,
				 .mig_cond = PTHREAD_COND_INITIALIZER };
	char err[1024] = "";
	sigset_t set;
	int sig, ret;

	o.dir = getenv("CSA_DIR") ? getenv("CSA_DIR") : DEFAULT_DIR;
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	/* Every thread inherits this mask: only sigwait sees the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	p.dir = o.dir;
	p.timeout_ms = o.timeout_ms;
	p.mon_cfg = (struct csa_mon_cfg){ .high = o.threshold / 100.0,
		.low = o.low_mark / 100.0, .window_s = o.window_s };
	p.auto_migrate = !o.no_auto;
	p.region_bytes = o.region_bytes;
	p.started = (uint64_t)time(NULL);
	if (start(&p, &o, err, sizeof(err))) {
		fprintf(stderr, "csa-primaryd: %s\n", err);
		stop(&p);
		return 1;
	}
	announce(&p, o.listen);
	sigwait(&set, &sig);
	pd_log("%s: stopping", strsignal(sig));
	stop(&p);
	return 0;
}
