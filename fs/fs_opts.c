// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csafs's command line, as a person types it and as mount(8) gives it
 * through mount.fuse3: "csafs SOURCE MOUNTPOINT -o OPTIONS", where
 * OPTIONS mixes ours, the kernel's and libfuse's, and words that only
 * mount and fstab care about.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs.h"
#include "primary/ops.h"

#ifndef CSAFS_VERSION
#define CSAFS_VERSION	"0.1.0"
#endif

#define DEFAULT_CERT	"/etc/csafs/host.crt"
#define DEFAULT_KEY	"/etc/csafs/host.key"
#define DEFAULT_CA	"/etc/csafs/ca/ca.crt"

static const char usage_text[] =
"usage: csafs PRIMARY[:PORT] MOUNTPOINT [-f] [-d] [-o OPTION[,OPTION...]]\n"
"       csafs -h | --help\n";

static const char help_text[] =
"NAME\n"
"    csafs - the volumes of a consolidated storage array, as files\n"
"\n"
"SYNOPSIS\n"
"    csafs PRIMARY[:PORT] MOUNTPOINT [-f] [-d] [-o OPTION[,OPTION...]]\n"
"    mount -t fuse.csafs PRIMARY[:PORT] MOUNTPOINT [-o OPTION[,OPTION...]]\n"
"    csafs -h | --help | -V | --version\n"
"\n"
"DESCRIPTION\n"
"    Mounts at MOUNTPOINT one regular file per volume that this host may\n"
"    use, as the primary at PRIMARY:PORT (port 7320 if not given) lists\n"
"    them: the volumes that name this host, and those that name no host.\n"
"    The host's name is the common name of its certificate. A file's size\n"
"    is its volume's. Reads and writes go from this host straight to the\n"
"    arrays' LUNs over iSCSI, striped and mirrored as the volume's map\n"
"    says; the primary is never on the data path, so I/O on open volumes\n"
"    goes on while it is away. Changes made anywhere (volumes created,\n"
"    grown, deleted, moved) are pushed by the primary and show without a\n"
"    remount; I/O in flight during a change completes on the old map.\n"
"\n"
"    What the usual commands do:\n"
"      touch FILE          makes an empty volume: size 0, no space yet,\n"
"                          default requirements (set them with setfattr)\n"
"      truncate -s SIZE    sizes an empty volume (the primary places it)\n"
"                          or grows one in place; the new space reads as\n"
"                          zeros, written by this host before truncate\n"
"                          returns (as long as writing that much takes).\n"
"                          A volume never shrinks: EPERM\n"
"      rm FILE             deletes the volume; EBUSY while it is open on\n"
"                          another host (which reports its open files\n"
"                          every second)\n"
"      mv                  refused (EPERM): a volume's name is fixed, every\n"
"                          host and the primary know it by that name\n"
"      open with O_TRUNC   the truncation is ignored, as on a disk\n"
"      write past the end  ENOSPC, as at the end of a disk\n"
"      fsync, fdatasync    SYNCHRONIZE CACHE on every LUN written since\n"
"                          the last one\n"
"    Creating, sizing, deleting and setting attributes need the primary:\n"
"    while it cannot be reached they fail with EHOSTDOWN.\n"
"\n"
"    MOUNTPOINT/.csa/ describes the whole array as files: status, arrays,\n"
"    volumes/NAME, events (tail -f works), control (write a command, read\n"
"    the answer) and metrics (Prometheus text).\n"
"\n"
"OPTIONS\n"
"    -f      Stay in the foreground and log to standard error. Without it,\n"
"            csafs goes to the background once the mount works (so that\n"
"            mount(8) returns only then) and logs to syslog.\n"
"    -d      Debug: as -f, and every FUSE request and every ignored\n"
"            option is logged.\n"
"    -h, --help     This text.\n"
"    -V, --version  The version of csafs and of the FUSE library.\n"
"    -o cert=FILE   This host's certificate (default " DEFAULT_CERT ").\n"
"    -o key=FILE    Its private key (default " DEFAULT_KEY ").\n"
"    -o ca=FILE     The cluster CA's certificate (default " DEFAULT_CA ").\n"
"    -o cache       Use the page cache for the volumes that name exactly\n"
"                   this host (no other host may write them). Without it,\n"
"                   and for every other volume, there is no page cache: a\n"
"                   write on one host is read on another at once. Files\n"
"                   opened with O_DIRECT are never cached.\n"
"    -o max_idle_threads=N  Threads kept waiting for requests other than\n"
"                   reads and writes of volumes (those never wait).\n"
"    These FUSE and mount options are passed on: allow_other, allow_root,\n"
"    auto_unmount, default_permissions (always on), ro, rw, dev, nodev,\n"
"    suid, nosuid, exec, noexec, atime, noatime, relatime, norelatime,\n"
"    strictatime, nostrictatime, diratime, nodiratime, lazytime,\n"
"    nolazytime, sync, async, dirsync, fsname=, subtype=, blksize=.\n"
"    Any other option (defaults, _netdev, nofail, noauto, user, x-*,\n"
"    ...: what mount and fstab use) is accepted and ignored.\n"
"\n"
"EXTENDED ATTRIBUTES\n"
"    user.csa.mbps, user.csa.iops, user.csa.copies, user.csa.stripe_unit\n"
"        the volume's requirements, in decimal (MB/s, IOPS, mirror\n"
"        count, bytes)\n"
"    user.csa.hosts\n"
"        the hosts that may use it, comma separated; empty: every host\n"
"    user.csa.layout\n"
"        read only: where every byte lives, as JSON (csa volume show\n"
"        --layout prints the same); null while the volume is empty\n"
"    All are readable. They can be set only on an empty volume, before\n"
"    its first truncate places it; afterwards use csa volume set (EPERM).\n"
"\n"
"FILES\n"
"    " DEFAULT_CERT ", " DEFAULT_KEY "\n"
"        this host's certificate and key (csa cert issue --host NAME)\n"
"    " DEFAULT_CA "\n"
"        the certificate of the cluster's CA (csa init makes it)\n"
"\n"
"EXIT STATUS\n"
"    0   unmounted cleanly; without -f, mounted and gone to the background\n"
"    1   the mount failed: the primary could not be reached or refused\n"
"        this host's certificate, a certificate file could not be read,\n"
"        or MOUNTPOINT could not be mounted on\n"
"    2   bad usage\n"
"\n"
"EXAMPLES\n"
"    csafs 10.0.0.5:7320 /mnt/csa\n"
"    csafs 10.0.0.5 /mnt/csa -f -o cert=h1.crt,key=h1.key,ca=ca.crt\n"
"    mount -t fuse.csafs 10.0.0.5:7320 /mnt/csa -o cache\n"
"    fusermount3 -u /mnt/csa                  unmount\n"
"    In /etc/fstab (mount(8) runs csafs through mount.fuse3 with a PATH\n"
"    of its own, the system's bin and sbin directories):\n"
"    10.0.0.5:7320  /mnt/csa  fuse.csafs  _netdev,cert=/etc/csafs/host.crt,key=/etc/csafs/host.key,ca=/etc/csafs/ca/ca.crt  0  0\n"
"    csafs installed elsewhere is named in the source, with type fuse:\n"
"    mount -t fuse '/opt/csa/bin/csafs#10.0.0.5:7320' /mnt/csa\n"
"\n"
"    cd /mnt/csa && touch db1 && setfattr -n user.csa.mbps -v 600 db1\n"
"    truncate -s 100G db1                     placed now, on enough arrays\n"
"    dd if=/dev/zero of=db1 bs=1M count=1024 oflag=direct conv=notrunc\n"
"    getfattr -d db1; cat .csa/volumes/db1\n";

/* Passed on to libfuse, which knows them as mount or session options. */
static const char *const fuse_words[] = {
	"allow_other", "allow_root", "auto_unmount", "default_permissions",
	"ro", "rw", "dev", "nodev", "suid", "nosuid", "exec", "noexec",
	"atime", "noatime", "relatime", "norelatime", "strictatime",
	"nostrictatime", "diratime", "nodiratime", "lazytime", "nolazytime",
	"sync", "async", "dirsync",
};
static const char *const fuse_prefixes[] = { "fsname=", "subtype=", "blksize=" };

static bool fuse_option(const char *opt)
{
	size_t i;

	for (i = 0; i < sizeof(fuse_words) / sizeof(fuse_words[0]); i++)
		if (!strcmp(opt, fuse_words[i]))
			return true;
	for (i = 0; i < sizeof(fuse_prefixes) / sizeof(fuse_prefixes[0]); i++)
		if (!strncmp(opt, fuse_prefixes[i], strlen(fuse_prefixes[i])))
			return true;
	return false;
}

/* An absolute path, so that reconnecting after chdir("/") finds it. */
static int set_path(char *dst, size_t len, const char *src)
{
	char cwd[PATH_MAX];

	if (src[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return snprintf(dst, len, "%s", src) >= (int)len ? -EINVAL : 0;
	return snprintf(dst, len, "%s/%s", cwd, src) >= (int)len ? -EINVAL : 0;
}

static int add_fuse_option(struct csafs_opts *o, const char *opt)
{
	return fuse_opt_add_arg(&o->fuse, "-o") || fuse_opt_add_arg(&o->fuse, opt) ?
	       -ENOMEM : 0;
}

/* One word of an -o list. */
static int one_option(struct csafs_opts *o, const char *opt, bool *fsname)
{
	char *end;

	if (!strncmp(opt, "cert=", 5))
		return set_path(o->cert, sizeof(o->cert), opt + 5);
	if (!strncmp(opt, "key=", 4))
		return set_path(o->key, sizeof(o->key), opt + 4);
	if (!strncmp(opt, "ca=", 3))
		return set_path(o->ca, sizeof(o->ca), opt + 3);
	if (!strcmp(opt, "cache")) {
		o->cache = true;
		return 0;
	}
	if (!strncmp(opt, "max_idle_threads=", 17)) {
		o->max_idle_threads = (unsigned)strtoul(opt + 17, &end, 10);
		return *end || !o->max_idle_threads ? -EINVAL : 0;
	}
	if (!strcmp(opt, "debug")) {
		o->debug = o->foreground = true;
		return 0;
	}
	if (fuse_option(opt)) {
		if (!strncmp(opt, "fsname=", 7))
			*fsname = true;
		return add_fuse_option(o, opt);
	}
	if (o->debug)
		fprintf(stderr, "csafs: ignoring mount option \"%s\"\n", opt);
	return 0;
}

static int option_list(struct csafs_opts *o, const char *list, bool *fsname)
{
	char *copy = strdup(list), *save = NULL, *opt;
	int ret = copy ? 0 : -ENOMEM;

	for (opt = copy ? strtok_r(copy, ",", &save) : NULL; opt && !ret;
	     opt = strtok_r(NULL, ",", &save)) {
		ret = one_option(o, opt, fsname);
		if (ret)
			fprintf(stderr, "csafs: bad option \"%s\"\n", opt);
	}
	free(copy);
	return ret;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "csafs: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return -EINVAL;
}

/* "host" alone gets the API's default port. */
static int set_primary(struct csafs_opts *o, const char *arg, char *buf,
		       size_t len)
{
	if (strchr(arg, ':'))
		snprintf(buf, len, "%s", arg);
	else
		snprintf(buf, len, "%s:%d", arg, CSA_PRIMARY_PORT);
	o->primary = buf;
	return 0;
}

static int parse_args(int argc, char **argv, struct csafs_opts *o,
		      bool *fsname)
{
	static char primary[300];
	int i, ret = 0;

	for (i = 1; i < argc && !ret; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(help_text, stdout);
			return 1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("csafs %s (FUSE library %s)\n", CSAFS_VERSION,
			       fuse_pkgversion());
			return 1;
		} else if (!strcmp(a, "-f")) {
			o->foreground = true;
		} else if (!strcmp(a, "-d")) {
			o->debug = o->foreground = true;
		} else if (!strcmp(a, "-o")) {
			if (++i == argc)
				return usage_error("-o needs a list of options%s", "");
			ret = option_list(o, argv[i], fsname);
		} else if (!strncmp(a, "-o", 2)) {
			ret = option_list(o, a + 2, fsname);
		} else if (a[0] == '-') {
			return usage_error("unknown option %s", a);
		} else if (!o->primary) {
			ret = set_primary(o, a, primary, sizeof(primary));
		} else if (!o->mountpoint) {
			o->mountpoint = a;
		} else {
			return usage_error("one mount point only; \"%s\" is one too many", a);
		}
	}
	if (ret)
		return usage_error("%s", "bad options");
	if (!o->mountpoint)
		return usage_error("%s", "the primary and the mount point are both needed");
	return 0;
}

int csafs_opts_parse(int argc, char **argv, struct csafs_opts *o)
{
	char fsopt[400];
	bool fsname = false;
	int ret;

	memset(o, 0, sizeof(*o));
	o->fuse = (struct fuse_args)FUSE_ARGS_INIT(0, NULL);
	snprintf(o->cert, sizeof(o->cert), "%s", DEFAULT_CERT);
	snprintf(o->key, sizeof(o->key), "%s", DEFAULT_KEY);
	snprintf(o->ca, sizeof(o->ca), "%s", DEFAULT_CA);
	o->max_idle_threads = 10;
	if (fuse_opt_add_arg(&o->fuse, argv[0]))
		return -ENOMEM;
	ret = parse_args(argc, argv, o, &fsname);
	if (ret)
		return ret;
	/* mount(8) and df show where the volumes come from. */
	snprintf(fsopt, sizeof(fsopt), "%s%s,subtype=csafs,default_permissions,max_read=%u",
		 fsname ? "" : "fsname=", fsname ? "" : o->primary,
		 CSAFS_IO_MAX);
	if (fsopt[0] == ',')
		memmove(fsopt, fsopt + 1, strlen(fsopt));
	ret = add_fuse_option(o, fsopt);
	if (!ret && o->debug && fuse_opt_add_arg(&o->fuse, "-d"))
		ret = -ENOMEM;
	return ret;
}

void csafs_opts_free(struct csafs_opts *o)
{
	fuse_opt_free_args(&o->fuse);
}
