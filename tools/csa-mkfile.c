// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-mkfile: make volumes the way mkfile(8) makes files. Each FILE is a
 * volume-to-be inside a csafs mount; the mount's .csa/control file asks
 * the primary to create it from the requirements given, then the volume is
 * written with zeros end to end (unless -n), so every extent on every
 * array has been touched before anyone relies on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "striper/layout.h"	/* CSA_MAX_COPIES */
#include "tools/units.h"

#define EXIT_USAGE	2
#define NAME_MAX_LEN	63		/* a volume name (catalog.h) */
#define HOST_MAX_LEN	64		/* a host name: an X.509 CN */
#define BLOCK		(1u << 20)	/* one zero-fill write */
#define ALIGN		4096u		/* O_DIRECT: buffer and lengths */
#define ANSWER_MAX	65536		/* what we read of the control's answer */
#define PROGRESS_S	0.25		/* at most 4 progress lines a second */
#define APPEAR_S	5.0		/* wait this long for a new volume's file */
#define NOT_GIVEN	UINT64_MAX

static const char help[] =
"Usage: csa-mkfile [-nv] [--mbps MBPS] [--iops IOPS] [--copies N]\n"
"                  [--hosts HOST,...] [--stripe-unit SIZE] [--fit best|first]\n"
"                  SIZE[k|m|g|t] FILE...\n"
"\n"
"Makes each FILE a new csafs volume of SIZE bytes, as mkfile(8) makes a\n"
"file, and writes zeros over all of it. FILE is a path in a csafs mount:\n"
"its name is the volume's name, and it must be at the top of the mount\n"
"(volumes are the files of the mount's root directory).\n"
"\n"
"For each FILE, csa-mkfile finds the mount (the nearest directory above\n"
"FILE that holds .csa/control), writes a request to MOUNT/.csa/control\n"
"  volume create NAME size=BYTES [mbps=N] [iops=N] [copies=N]\n"
"                [hosts=HOST,...] [stripe_unit=BYTES] [fit=best|first]\n"
"and reads the primary's answer back from the same open file. The primary\n"
"places the volume from these requirements (see csa volume --help); a\n"
"refusal is printed as it came, with its figures, and nothing is made.\n"
"Then csa-mkfile opens FILE with O_DIRECT, writes zeros over its SIZE\n"
"bytes in 1 MiB blocks and flushes it (fsync), so that the volume reads\n"
"as zeros and every extent has been written once.\n"
"\n"
"Options:\n"
"  -n                      create the volume but do not write it (quick;\n"
"                          until written, it reads as whatever its extents\n"
"                          held)\n"
"  -v                      say what was done, one line per FILE on stdout:\n"
"                          db1: created 10.0G (mbps 400, 2 copies),\n"
"                          zero-filled in 12.3 s at 870 MB/s\n"
"      --mbps MBPS         bandwidth to reserve, MB/s (default: none)\n"
"      --iops IOPS         operations a second to reserve (default: none)\n"
"      --copies N          copies of every byte, each on another array,\n"
"                          1 to 4 (default 1)\n"
"      --hosts HOST,...    the hosts that may use the volume, by\n"
"                          certificate name; the host csa-mkfile runs on\n"
"                          must be one of them (default: any host)\n"
"      --stripe-unit SIZE  bytes on one column before the next, a power\n"
"                          of two (default: chosen by the primary from\n"
"                          the I/O size MBPS and IOPS imply, 64k to 1M)\n"
"      --fit best|first    best: the least loaded arrays, and the smallest\n"
"                          free extents that hold a column; first: the\n"
"                          first arrays and extents that will do\n"
"                          (default best)\n"
"  -h, --help              this text\n"
"\n"
"Units:\n"
"  SIZE  bytes, or with a binary multiple k, m, g, t in either case\n"
"        (1g = 2^30 bytes). SIZE must be above 0.\n"
"  MBPS  megabytes a second (10^6 bytes a second); IOPS: operations a\n"
"        second. Both take a decimal multiple k, M, G (20k = 20000).\n"
"\n"
"Names:\n"
"  A volume name is 1 to 63 characters of A-Z a-z 0-9 . _ - and does not\n"
"  start with '.' or '-'; host names the same, up to 64 characters.\n"
"\n"
"Output:\n"
"  While a volume is written, and stderr is a terminal, a progress line\n"
"  on stderr is rewritten in place (at most 4 times a second): percent\n"
"  done, MB/s, time left. When the writing ends, one final line on stderr,\n"
"  terminal or not: NAME: 100% of SIZE in SECONDS s, MB/s. Errors go to\n"
"  stderr as \"csa-mkfile: FILE: MESSAGE\".\n"
"\n"
"Exit status:\n"
"  0  every FILE was made (and written, unless -n)\n"
"  1  a FILE failed: not inside a csafs mount, refused by the primary, or\n"
"     an I/O error while writing (the volume then exists, partly written);\n"
"     the other FILEs are still made\n"
"  2  bad usage (SIZE, an option, a name): nothing was made\n"
"\n"
"Files:\n"
"  MOUNT/.csa/control   where requests to the primary are written\n"
"\n"
"Examples:\n"
"  csa-mkfile 10g /mnt/csa/db1\n"
"  csa-mkfile -v --mbps 400 --iops 20k --copies 2 100g /mnt/csa/db2\n"
"  csa-mkfile -n --hosts db-host-1,db-host-2 1t /mnt/csa/scratch\n"
"\n"
"See also: csa(8), csafs(8), mkfile(8).\n";

struct opts {
	bool no_fill, verbose;
	uint64_t size;
	uint64_t mbps, iops, copies, stripe_unit;	/* NOT_GIVEN if so */
	const char *hosts, *fit;			/* NULL if not given */
};

/* ---- messages ---------------------------------------------------------- */

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
	va_list ap;

	fputs("csa-mkfile: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'csa-mkfile --help'.\n", stderr);
	return EXIT_USAGE;
}

/* "csa-mkfile: FILE: REASON"; returns 1, the status of a failed FILE. */
static int fail(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "csa-mkfile: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* 10737418240 -> "10.0G", as csa prints sizes. */
static const char *fmt_size(uint64_t bytes, char buf[32])
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes / 1024;
	unsigned u = 0;

	if (bytes < 1024) {
		snprintf(buf, 32, "%lluB", (unsigned long long)bytes);
		return buf;
	}
	while (v >= 1023.95 && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.1f%c", v, units[u]);
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- arguments ----------------------------------------------------------- */

/* A volume or host name: the catalog's rule, checked here so that nothing
 * odd (a space, a newline) ever reaches the control file's command line. */
static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max || *s == '.' || *s == '-')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") == n;
}

static bool hosts_ok(const char *list)
{
	char buf[4096], *h, *save;

	if (strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	if (!*buf || *buf == ',' || buf[strlen(buf) - 1] == ',' ||
	    strstr(buf, ",,"))
		return false;
	for (h = strtok_r(buf, ",", &save); h; h = strtok_r(NULL, ",", &save))
		if (!name_ok(h, HOST_MAX_LEN))
			return false;
	return true;
}

static int opt_count(const char *opt, const char *v, uint64_t *out)
{
	if (csa_parse_count(v, out))
		return usage("%s: '%s' is not a whole number (or with k, M, G: 20k)",
			     opt, v);
	return 0;
}

/* getopt's values of the long options without a letter. */
enum { MBPS = 256, IOPS, COPIES, HOSTS, STRIPE, FIT };

static int opt_value(struct opts *o, int c, const char *v)
{
	switch (c) {
	case MBPS:
		return opt_count("--mbps", v, &o->mbps);
	case IOPS:
		return opt_count("--iops", v, &o->iops);
	case COPIES:
		if (csa_parse_count(v, &o->copies) || !o->copies ||
		    o->copies > CSA_MAX_COPIES)
			return usage("--copies: '%s' is not a whole number from 1 to %d",
				     v, CSA_MAX_COPIES);
		return 0;
	case HOSTS:
		if (!hosts_ok(v))
			return usage("--hosts: '%s' is not a list of host names (a,b)",
				     v);
		o->hosts = v;
		return 0;
	case STRIPE:
		if (csa_parse_size(v, &o->stripe_unit) || !o->stripe_unit ||
		    (o->stripe_unit & (o->stripe_unit - 1)))
			return usage("--stripe-unit: '%s' is not a power of two (64k, 1m)",
				     v);
		return 0;
	case FIT:
		if (strcmp(v, "best") && strcmp(v, "first"))
			return usage("--fit: '%s' is neither best nor first", v);
		o->fit = v;
		return 0;
	}
	return usage("unknown option %d", c);
}

/* Options; returns -1 to go on, else the exit status. */
static int parse_options(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mbps", 1, 0, MBPS }, { "iops", 1, 0, IOPS },
		{ "copies", 1, 0, COPIES }, { "hosts", 1, 0, HOSTS },
		{ "stripe-unit", 1, 0, STRIPE }, { "fit", 1, 0, FIT },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":nvh", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->no_fill = true; break;
		case 'v': o->verbose = true; break;
		case 'h': fputs(help, stdout); return 0;
		case ':':
			return usage("%s needs a value", argv[optind - 1]);
		case '?':
			if (optopt)
				return usage("unknown option -%c", optopt);
			return usage("unknown option %s", argv[optind - 1]);
		default:
			ret = opt_value(o, c, optarg);
			if (ret)
				return ret;
		}
	}
	return -1;
}

/* SIZE and the FILEs' names, all checked before anything is made. */
static int parse_operands(struct opts *o, int argc, char **argv)
{
	int i;

	if (optind >= argc)
		return usage("SIZE is missing");
	if (csa_parse_size(argv[optind], &o->size))
		return usage("'%s' is not a size (bytes, or with k, m, g, t: 10g)",
			     argv[optind]);
	if (!o->size)
		return usage("SIZE must be above 0 (touch makes an empty volume)");
	if (++optind >= argc)
		return usage("FILE is missing");
	for (i = optind; i < argc; i++) {
		char path[PATH_MAX];
		const char *name;

		if (strlen(argv[i]) >= sizeof(path))
			return usage("%.40s...: too long a path", argv[i]);
		strcpy(path, argv[i]);
		if (path[0] && path[strlen(path) - 1] == '/')
			return usage("%s: a FILE, not a directory", argv[i]);
		name = basename(path);
		if (!name_ok(name, NAME_MAX_LEN))
			return usage("%s: '%s' is not a volume name (1 to 63 of A-Z a-z 0-9 . _ -, not starting with . or -)",
				     argv[i], name);
	}
	return -1;
}

/* ---- the mount ---------------------------------------------------------- */

#define CONTROL_LEN	(PATH_MAX + 16)

/* @dir/.csa/control, without a double slash when @dir is "/". */
static char *control_path(const char *dir, char buf[CONTROL_LEN])
{
	snprintf(buf, CONTROL_LEN, "%s/.csa/control",
		 strcmp(dir, "/") ? dir : "");
	return buf;
}

static bool has_control(const char *dir)
{
	char p[CONTROL_LEN];
	struct stat st;

	return !stat(control_path(dir, p), &st);
}

/*
 * The mount that holds @file: the nearest directory at or above its own
 * that has .csa/control, into @root. Volumes are the files of the mount's
 * root, so a FILE deeper down is refused too. Returns 0 or 1 (said).
 */
static int find_root(const char *file, char root[PATH_MAX])
{
	char dir[PATH_MAX], cur[PATH_MAX], *parent;

	snprintf(dir, sizeof(dir), "%s", file);
	parent = dirname(dir);
	if (!realpath(parent, cur))
		return fail(file, "%s: %s", parent, strerror(errno));
	strcpy(dir, cur);
	for (;;) {
		if (has_control(cur))
			break;
		if (!strcmp(cur, "/")) {
			fprintf(stderr, "csa-mkfile: %s is not inside a csafs mount\n",
				file);
			return 1;
		}
		parent = dirname(cur);	/* may point into cur */
		memmove(cur, parent, strlen(parent) + 1);
	}
	if (strcmp(cur, dir))
		return fail(file, "not at the top of the csafs mount %s, where volumes are",
			    cur);
	strcpy(root, cur);
	return 0;
}

/* ---- the request -------------------------------------------------------- */

static void add(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* The command line for .csa/control, newline included. */
static void command(const struct opts *o, const char *name, char *buf,
		    size_t len)
{
	snprintf(buf, len, "volume create %s size=%llu", name,
		 (unsigned long long)o->size);
	if (o->mbps != NOT_GIVEN)
		add(buf, len, " mbps=%llu", (unsigned long long)o->mbps);
	if (o->iops != NOT_GIVEN)
		add(buf, len, " iops=%llu", (unsigned long long)o->iops);
	if (o->copies != NOT_GIVEN)
		add(buf, len, " copies=%llu", (unsigned long long)o->copies);
	if (o->hosts)
		add(buf, len, " hosts=%s", o->hosts);
	if (o->stripe_unit != NOT_GIVEN)
		add(buf, len, " stripe_unit=%llu",
		    (unsigned long long)o->stripe_unit);
	if (o->fit)
		add(buf, len, " fit=%s", o->fit);
	add(buf, len, "\n");
}

/* The whole answer, read from the start of the file, into @buf. */
static int read_answer(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while (n < len - 1) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		n += (size_t)r;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return 0;
}

/*
 * "ok: ..." is 0; "error: CODE: MESSAGE" prints MESSAGE, the primary's
 * own sentence with its figures, and is 1; anything else is 1 too.
 */
static int judge(const char *file, const char *ctl, const char *answer)
{
	const char *msg;

	if (!strncmp(answer, "ok", 2) && (!answer[2] || answer[2] == ':'))
		return 0;
	if (!strncmp(answer, "error: ", 7)) {
		msg = strstr(answer + 7, ": ");
		return fail(file, "%s", msg ? msg + 2 : answer + 7);
	}
	return fail(file, "%s answered '%.200s', neither ok nor error", ctl,
		    answer);
}

/* Ask the primary, through @root's control file, to create the volume. */
static int create(const struct opts *o, const char *file, const char *root,
		  const char *name)
{
	char ctl[CONTROL_LEN], cmd[8192], *answer;
	size_t len;
	ssize_t w;
	int fd, ret;

	control_path(root, ctl);
	command(o, name, cmd, sizeof(cmd));
	len = strlen(cmd);
	fd = open(ctl, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(file, "%s: %s", ctl, strerror(errno));
	/* The whole command in one write: the control file takes a write as
	 * one command. */
	w = write(fd, cmd, len);
	if (w != (ssize_t)len) {
		ret = fail(file, "%s: %s", ctl,
			   w < 0 ? strerror(errno) : "short write");
		goto out;
	}
	answer = malloc(ANSWER_MAX);
	if (!answer) {
		ret = fail(file, "%s", strerror(ENOMEM));
		goto out;
	}
	ret = read_answer(fd, answer, ANSWER_MAX);
	if (ret)
		ret = fail(file, "%s: reading the answer: %s", ctl,
			   strerror(-ret));
	else
		ret = judge(file, ctl, answer);
	free(answer);
out:
	close(fd);
	return ret;
}

/* ---- the zero fill ------------------------------------------------------ */

struct progress {
	const char *name;
	uint64_t total, done;
	double start, last;	/* now_s() at the start, at the last line */
	bool tty;
	int width;		/* of the last line, to blank what is left */
};

static double mbps(const struct progress *p, double t)
{
	return t > 0 ? (double)p->done / 1e6 / t : 0;
}

static int percent(const struct progress *p)
{
	return (int)((double)p->done * 100 / (double)p->total);
}

/* @line at the start of the terminal's line, over what was there. */
static void put_line(struct progress *p, const char *line)
{
	int n = (int)strlen(line);

	fprintf(stderr, "\r%s%*s", line, n < p->width ? p->width - n : 0, "");
	p->width = n;
}

static void show(struct progress *p, double now)
{
	double t = now - p->start, rate = mbps(p, t), left;
	char sz[32], eta[32] = "-", line[256];

	if (rate > 0) {
		left = (double)(p->total - p->done) / 1e6 / rate;
		snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60,
			 (int)left % 60);
	}
	snprintf(line, sizeof(line), "%s: %3d%% of %s, %.0f MB/s, %s left",
		 p->name, percent(p), fmt_size(p->total, sz), rate, eta);
	put_line(p, line);
	p->last = now;
}

static void tick(struct progress *p)
{
	double now;

	if (!p->tty)
		return;
	now = now_s();
	if (now - p->last >= PROGRESS_S)
		show(p, now);
}

/* The last line, terminal or not, done or stopped. */
static void finish(struct progress *p, double t)
{
	char sz[32], line[256];

	snprintf(line, sizeof(line), "%s: %d%% of %s in %.1f s, %.0f MB/s",
		 p->name, percent(p), fmt_size(p->total, sz), t, mbps(p, t));
	if (p->tty)
		put_line(p, line);
	else
		fputs(line, stderr);
	fputc('\n', stderr);
}

/*
 * FILE appears in the mount once the fs has taken in the new volume; the
 * answer on the control file may come a moment before that.
 */
static int open_volume(const char *file)
{
	double until = now_s() + APPEAR_S;
	int fd;

	for (;;) {
		fd = open(file, O_WRONLY | O_DIRECT | O_CLOEXEC);
		/* A file system without O_DIRECT: the fsync at the end still
		 * makes the zeros durable. */
		if (fd < 0 && errno == EINVAL)
			fd = open(file, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || now_s() > until)
			return fd;
		usleep(50 * 1000);
	}
}

/*
 * An O_DIRECT write must be a multiple of the block size: a tail that is
 * not goes through the page cache.
 */
static ssize_t write_block(int fd, const void *buf, size_t len, off_t off)
{
	int fl;

	if (len % ALIGN) {
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && (fl & O_DIRECT))
			fcntl(fd, F_SETFL, fl & ~O_DIRECT);
	}
	return pwrite(fd, buf, len, off);
}

static int fill_loop(int fd, const void *zeros, struct progress *p)
{
	size_t len;
	ssize_t w;

	while (p->done < p->total) {
		len = p->total - p->done < BLOCK ? p->total - p->done : BLOCK;
		w = write_block(fd, zeros, len, (off_t)p->done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (!w)
			return -ENOSPC;
		p->done += (uint64_t)w;
		tick(p);
	}
	return fsync(fd) ? -errno : 0;
}

/* Zeros over the whole volume; the seconds it took into *@secs. */
static int fill(const char *file, const char *name, uint64_t size,
		double *secs)
{
	struct progress p = { .name = name, .total = size, .tty = isatty(2) };
	char done[32];
	void *zeros;
	int fd, ret;

	fd = open_volume(file);
	if (fd < 0)
		return fail(file, "created, but cannot be opened to write zeros: %s",
			    strerror(errno));
	if (posix_memalign(&zeros, ALIGN, BLOCK)) {
		close(fd);
		return fail(file, "%s", strerror(ENOMEM));
	}
	memset(zeros, 0, BLOCK);
	p.start = p.last = now_s();
	ret = fill_loop(fd, zeros, &p);
	*secs = now_s() - p.start;
	finish(&p, *secs);
	free(zeros);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		return fail(file, "created, but writing zeros failed after %s: %s",
			    fmt_size(p.done, done), strerror(-ret));
	return 0;
}

/* ---- one FILE ------------------------------------------------------------ */

/* "db1: created 10.0G (mbps 400, 2 copies), zero-filled in ..." */
static void say(const struct opts *o, const char *name, double secs)
{
	char sz[32], su[32], req[512] = "";

	if (o->mbps != NOT_GIVEN)
		add(req, sizeof(req), ", mbps %llu", (unsigned long long)o->mbps);
	if (o->iops != NOT_GIVEN)
		add(req, sizeof(req), ", iops %llu", (unsigned long long)o->iops);
	if (o->copies != NOT_GIVEN)
		add(req, sizeof(req), ", %llu cop%s",
		    (unsigned long long)o->copies, o->copies == 1 ? "y" : "ies");
	if (o->hosts)
		add(req, sizeof(req), ", hosts %.400s", o->hosts);
	if (o->stripe_unit != NOT_GIVEN)
		add(req, sizeof(req), ", stripe unit %s",
		    fmt_size(o->stripe_unit, su));
	if (o->fit)
		add(req, sizeof(req), ", fit %s", o->fit);
	printf("%s: created %s", name, fmt_size(o->size, sz));
	if (*req)
		printf(" (%s)", req + 2);
	if (o->no_fill)
		printf(", not written (-n)\n");
	else
		printf(", zero-filled in %.1f s at %.0f MB/s\n", secs,
		       secs > 0 ? (double)o->size / 1e6 / secs : 0);
	fflush(stdout);
}

static int mkfile(const struct opts *o, const char *file)
{
	char root[PATH_MAX], path[PATH_MAX];
	const char *name;
	double secs = 0;
	int ret;

	snprintf(path, sizeof(path), "%s", file);
	name = basename(path);
	ret = find_root(file, root);
	if (!ret)
		ret = create(o, file, root, name);
	if (!ret && !o->no_fill)
		ret = fill(file, name, o->size, &secs);
	if (!ret && o->verbose)
		say(o, name, secs);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.mbps = NOT_GIVEN, .iops = NOT_GIVEN, .copies = NOT_GIVEN,
		.stripe_unit = NOT_GIVEN,
	};
	int i, ret, status = 0;

	ret = parse_options(&o, argc, argv);
	if (ret >= 0)
		return ret;
	ret = parse_operands(&o, argc, argv);
	if (ret >= 0)
		return ret;
	for (i = optind; i < argc; i++)
		if (mkfile(&o, argv[i]))
			status = 1;
	return status;
}
