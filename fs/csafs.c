// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csafs: every volume this host may use, as a file (see csafs --help).
 *
 * Start-up order matters: the link to the primary first (it tells us who
 * we are, and a mount without the primary's list of volumes would show
 * nothing), then the iSCSI engine, the volume table, and only then the
 * mount, so that once mount(8) returns the file system works.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fs/fs.h"
#include "iscsi/pr.h"

#define PRIMARY_TIMEOUT_MS	10000

void csafs_log(enum fuse_log_level level, const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fuse_log(level, "csafs: %s\n", line);
}

/* ---- what the primary pushes, and what we report to it --------------- */

static void on_event(void *arg, const char *event, struct json_object *data)
{
	struct csafs *fs = arg;
	const char *name = json_object_get_string(
				json_object_object_get(data, "name"));
	struct csafs_notes notes = { 0 };
	struct csafs_pseudo *p;
	char err[1024];

	pthread_mutex_lock(&fs->lock);
	p = fs->pseudo;
	pthread_mutex_unlock(&fs->lock);
	if (p)
		csafs_pseudo_event(p, event, data);

	if (!strncmp(event, "region.", 7)) {
		csafs_mig_event(fs, event, data);
	} else if (!strcmp(event, "host.reconnected")) {
		/* Anything may have changed while we were away. */
		if (csafs_vols_load(fs, err, sizeof(err)))
			csafs_log(FUSE_LOG_WARNING, "back with the primary, but the volumes could not be read again: %s",
				  err);
	} else if (!name) {
		return;
	} else if (!strcmp(event, "volume.created") ||
		   !strcmp(event, "volume.changed")) {
		csafs_vols_refresh(fs, name);
	} else if (!strcmp(event, "volume.deleted")) {
		pthread_mutex_lock(&fs->refresh_lock);
		csafs_vols_remove(fs, name, &notes);
		pthread_mutex_unlock(&fs->refresh_lock);
		csafs_notes_send(fs, &notes);
	}
}

static void fill_report(void *arg, struct json_object *report)
{
	struct csafs *fs = arg;
	struct json_object *luns = json_object_new_array();
	struct json_object *open = json_object_new_array();
	struct json_object *vols = json_object_new_array();
	struct csafs_luns *t;

	pthread_mutex_lock(&fs->lock);
	t = fs->luns;
	pthread_mutex_unlock(&fs->lock);
	if (t)
		csafs_luns_report(t, luns, true);
	csafs_vols_open_names(fs, open);
	csafs_vols_counters(fs, vols);
	json_object_object_add(report, "luns", luns);
	json_object_object_add(report, "open", open);
	json_object_object_add(report, "volumes", vols);
}

static int on_lease(void *arg, bool held)
{
	return csafs_mig_lease(arg, held);
}

static void local_state(void *arg, struct json_object *out)
{
	csafs_vols_local_state(arg, out);
}

/* ---- going to the background ----------------------------------------- */

/*
 * Fork now, before any thread exists (threads do not survive fork, which
 * is why fuse_daemonize, which forks after the mount, cannot be used: the
 * link to the primary and the engine must run before the mount). The
 * parent waits for the child's word and exits with it: mount(8) returns
 * once the file system works, or fails with the child's reason.
 */
static int background(int *status_fd)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1) {
			fprintf(stderr, "csafs: the daemon ended before the mount was made\n");
			c = 1;
		}
		_exit(c);
	}
	close(fds[0]);
	setsid();
	*status_fd = fds[1];
	return 0;
}

static void log_syslog(enum fuse_log_level level, const char *fmt, va_list ap)
{
	vsyslog((int)level, fmt, ap);	/* the levels are syslog's */
}

/* Tell the waiting parent, and let go of the terminal. */
static void detach(int status_fd, char status)
{
	int null;

	if (status_fd < 0)
		return;
	if (!status) {
		openlog("csafs", LOG_PID, LOG_DAEMON);
		fuse_set_log_func(log_syslog);
		/* Hold no directory busy; "/" is always there. */
		(void)!chdir("/");
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
	}
	/* If the parent is gone there is nobody to tell. */
	(void)!write(status_fd, &status, 1);
	close(status_fd);
}

/* ---- start and stop ------------------------------------------------------ */

/* Our IQN from our name: one initiator per host, as the arrays see it. */
static void initiator_name(const char *host, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "iqn.2026-11.org.csafs:");
	char c;

	for (; *host && n + 1 < len; host++) {
		c = *host;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '.' || c == '-'))
			c = '-';
		buf[n++] = c;
	}
	buf[n] = 0;
}

static int start_link(struct csafs *fs)
{
	struct csafs_host_opts ho = {
		.primary = fs->o->primary, .cert = fs->o->cert,
		.key = fs->o->key, .ca = fs->o->ca,
		.timeout_ms = PRIMARY_TIMEOUT_MS, .on_event = on_event,
		.fill_report = fill_report, .on_lease = on_lease, .arg = fs };
	char err[1024] = "";
	int ret;

	ret = csafs_host_start(&ho, &fs->host, err, sizeof(err));
	if (ret)
		fprintf(stderr, "csafs: cannot mount %s: %s (this host's certificate: %s)\n",
			fs->o->mountpoint, err, fs->o->cert);
	return ret;
}

static int start_engine(struct csafs *fs)
{
	struct csa_engine_opts eo;
	struct csafs_luns *t;
	char iqn[224];
	int ret;

	csa_engine_opts_default(&eo);
	initiator_name(csafs_host_name(fs->host), iqn, sizeof(iqn));
	eo.initiator = iqn;
	ret = csa_engine_start(&eo, &fs->engine);
	if (ret) {
		fprintf(stderr, "csafs: cannot start the iSCSI engine: %s\n",
			strerror(-ret));
		return ret;
	}
	/* Before any LUN opens: every login registers (iscsi/pr.h). */
	csa_engine_pr_key(fs->engine, csa_pr_host_key(csafs_host_name(fs->host)));
	t = csafs_luns_new(fs->engine);
	if (!t)
		return -ENOMEM;
	pthread_mutex_lock(&fs->lock);
	fs->luns = t;
	fs->tp = csafs_luns_transport(t);
	pthread_mutex_unlock(&fs->lock);
	return csafs_maps_start(fs);
}

static int start_pseudo(struct csafs *fs)
{
	struct csafs_pseudo_opts po = { .host = fs->host,
					.local_state = local_state, .arg = fs };
	struct csafs_pseudo *p = csafs_pseudo_new(&po);

	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&fs->lock);
	fs->pseudo = p;
	pthread_mutex_unlock(&fs->lock);
	return 0;
}

static int start_fuse(struct csafs *fs, struct csafs_opts *o)
{
	fs->se = fuse_session_new(&o->fuse, &csafs_ops, sizeof(csafs_ops), fs);
	if (!fs->se) {
		fprintf(stderr, "csafs: FUSE refused the options (see above)\n");
		return -EINVAL;
	}
	if (fuse_set_signal_handlers(fs->se))
		return -EIO;
	if (fuse_session_mount(fs->se, o->mountpoint)) {
		fprintf(stderr, "csafs: cannot mount on %s (see above)\n",
			o->mountpoint);
		return -EIO;
	}
	pthread_mutex_lock(&fs->lock);
	fs->mounted = true;
	pthread_mutex_unlock(&fs->lock);
	return 0;
}

static int start(struct csafs *fs, struct csafs_opts *o)
{
	char err[1024] = "";
	int ret;

	fs->o = o;
	fs->uid = getuid();
	fs->gid = getgid();
	clock_gettime(CLOCK_REALTIME, &fs->mount_time);
	csafs_vols_init(fs);
	csafs_io_init(fs);
	ret = start_link(fs);
	if (!ret)
		ret = start_engine(fs);
	if (!ret)
		ret = start_pseudo(fs);
	if (!ret) {
		ret = csafs_vols_load(fs, err, sizeof(err));
		if (ret)
			fprintf(stderr, "csafs: cannot read this host's volumes from the primary at %s: %s\n",
				o->primary, err);
	}
	if (!ret)
		ret = start_fuse(fs, o);
	return ret;
}

/* In the reverse order, each part once nothing above it can call it. */
static void stop(struct csafs *fs)
{
	pthread_mutex_lock(&fs->lock);
	fs->mounted = false;
	pthread_mutex_unlock(&fs->lock);
	csafs_host_stop(fs->host);
	if (fs->pseudo)
		csafs_pseudo_free(fs->pseudo);
	csafs_maps_stop(fs);	/* requests in flight are answered first */
	if (fs->se) {
		fuse_session_unmount(fs->se);
		fuse_remove_signal_handlers(fs->se);
		fuse_session_destroy(fs->se);
	}
	if (fs->luns)
		csafs_luns_free(fs->luns);
	if (fs->engine)
		csa_engine_stop(fs->engine);
	csafs_io_fini(fs);
	csafs_vols_fini(fs);
}

static int serve(struct csafs *fs, const struct csafs_opts *o)
{
	return csafs_loop_run(fs, o->max_idle_threads);
}

int main(int argc, char **argv)
{
	struct csafs fs = { 0 };
	struct csafs_opts o;
	int status_fd = -1, ret;

	ret = csafs_opts_parse(argc, argv, &o);
	if (ret) {
		csafs_opts_free(&o);
		return ret > 0 ? 0 : 2;
	}
	/* A primary gone mid-call must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (!o.foreground && background(&status_fd)) {
		perror("csafs: cannot go to the background");
		return 1;
	}
	ret = start(&fs, &o);
	detach(status_fd, ret ? 1 : 0);
	if (!ret)
		ret = serve(&fs, &o);
	stop(&fs);
	csafs_opts_free(&o);
	return ret ? 1 : 0;
}
