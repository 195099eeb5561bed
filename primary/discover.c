// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SendTargets discovery and REPORT LUNS over short-lived libiscsi contexts.
 *
 * libiscsi's *_sync calls are not used: iscsi_connect_sync waits as long as
 * the kernel keeps retrying SYNs (over two minutes when a portal drops
 * them), since libiscsi's own timeout only covers PDUs, and by the time it
 * returns the reason ("Connection refused") has been overwritten with a
 * generic one. iscsi_discovery_sync also hands the targets back in reverse
 * order and cannot tell "no targets" from a failure. So each step here is
 * started with the matching *_async call and driven by run_step(), a
 * poll loop with a deadline of its own; the context's PDU timeout is set
 * as well, so that libiscsi never keeps a command longer than we wait.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "primary/discover.h"

#define REPORT_LUNS_ALLOC	(16 + 8 * 256)	/* grown if the target has more */
#define REPORT_LUNS_MAX		(16 + 8 * 16384)
#define INQUIRY_ALLOC		36		/* the standard data we read */
#define UA_RETRIES		3		/* UNIT ATTENTIONs after login */
#define SCSI_TYPE_DISK		0x00

/*
 * The one operation in progress on a probe's context. It lives in the
 * probe, not on a step's stack: a command that timed out is still queued,
 * and iscsi_destroy_context completes it (CANCELLED) into this struct.
 */
struct step {
	bool done;
	int status;			/* SCSI_STATUS_* of the completion */
	struct scsi_task *task;		/* SCSI commands: ours to free */
	char why[256];			/* libiscsi's reason, on failure */
	/* discovery: copied in the callback, whose data is then freed */
	char (*iqns)[CSA_IQN_MAX];
	unsigned nr_iqns;
	int copy_err;
};

struct probe {
	struct iscsi_context *ctx;
	const char *portal;
	const char *target;		/* NULL for discovery */
	char where[CSA_PORTAL_MAX + CSA_IQN_MAX];	/* for messages */
	unsigned timeout_ms;
	bool logged_in;
	bool broken;			/* a step failed: no more steps */
	struct step st;
	char *err;
	size_t errlen;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void step_reset(struct step *st)
{
	if (st->task)
		scsi_free_scsi_task(st->task);
	free(st->iqns);
	memset(st, 0, sizeof(*st));
}

/* libiscsi's reason, without the newline some of its messages end in. */
static void why_set(struct step *st, const char *why)
{
	size_t n;

	snprintf(st->why, sizeof(st->why), "%s", why ? why : "");
	n = strlen(st->why);
	while (n && (st->why[n - 1] == '\n' || st->why[n - 1] == ' '))
		st->why[--n] = '\0';
}

static void step_finish(struct iscsi_context *ctx, struct step *st,
			int status)
{
	const char *why;

	st->status = status;
	st->done = true;
	if (status == SCSI_STATUS_GOOD)
		return;
	why = iscsi_get_error(ctx);
	why_set(st, why && *why ? why : status == SCSI_STATUS_TIMEOUT ?
		"command timed out" : "no reason given");
}

/* connect, login and logout completions: no data. */
static void plain_cb(struct iscsi_context *ctx, int status, void *data,
		     void *priv)
{
	(void)data;
	step_finish(ctx, priv, status);
}

static void task_cb(struct iscsi_context *ctx, int status, void *data,
		    void *priv)
{
	struct step *st = priv;

	st->task = data;
	step_finish(ctx, st, status);
}

/* The list is only valid inside the callback: copy the names now. */
static void discovery_cb(struct iscsi_context *ctx, int status, void *data,
			 void *priv)
{
	struct iscsi_discovery_address *a;
	struct step *st = priv;
	unsigned n = 0, i = 0;

	if (status == SCSI_STATUS_GOOD) {
		for (a = data; a; a = a->next)
			n++;
		st->iqns = n ? calloc(n, sizeof(*st->iqns)) : NULL;
		if (n && !st->iqns)
			st->copy_err = -ENOMEM;
		for (a = data; a && st->iqns; a = a->next) {
			if (strlen(a->target_name) >= CSA_IQN_MAX)
				st->copy_err = -EPROTO;
			snprintf(st->iqns[i++], CSA_IQN_MAX, "%s",
				 a->target_name);
		}
		st->nr_iqns = st->iqns ? n : 0;
	}
	step_finish(ctx, st, status);
}

/*
 * The errno that libiscsi's wording of a transport failure stands for, or
 * 0 when the wording is not one of these.
 */
static int transport_errno(const char *why)
{
	if (strstr(why, "refused"))
		return -ECONNREFUSED;
	if (strstr(why, "timed out") || strstr(why, "Timed out"))
		return -ETIMEDOUT;
	if (strstr(why, "nreachable") || strstr(why, "No route") ||
	    strstr(why, "resolve") || strstr(why, "Invalid target") ||
	    strstr(why, "getaddrinfo"))
		return -EHOSTUNREACH;
	if (strstr(why, "emory"))
		return -ENOMEM;
	return 0;
}

/*
 * Drive the context until the step in progress completes, at most
 * timeout_ms. 0 when it completed (st->status says how), -ETIMEDOUT, or
 * -EPIPE when the connection failed without completing it (the reason in
 * st->why).
 */
static int run_step(struct probe *p)
{
	uint64_t end = now_ms() + p->timeout_ms, now;
	struct step *st = &p->st;
	struct pollfd pfd;
	int ret, left;

	while (!st->done) {
		now = now_ms();
		if (now >= end)
			return -ETIMEDOUT;
		left = (int)(end - now < 1000 ? end - now : 1000);
		pfd = (struct pollfd){ .fd = iscsi_get_fd(p->ctx),
				       .events = (short)iscsi_which_events(p->ctx) };
		ret = poll(&pfd, 1, left);
		if (ret < 0 && errno != EINTR) {
			why_set(st, strerror(errno));
			return -EPIPE;
		}
		/* revents 0 still lets libiscsi expire PDUs. */
		if (iscsi_service(p->ctx, ret > 0 ? pfd.revents : 0) < 0 &&
		    !st->done) {
			why_set(st, iscsi_get_error(p->ctx));
			return -EPIPE;
		}
	}
	return 0;
}

/*
 * A step that failed: -errno from libiscsi's reason in st->why (@fallback
 * when it names none) and a sentence about @what.
 */
static int step_failed(struct probe *p, const char *what, int fallback)
{
	int ret = transport_errno(p->st.why);
	const char *say = ret ? strerror(-ret) : p->st.why;

	if (strstr(p->st.why, "resolv"))
		say = "the host name does not resolve";
	p->broken = true;
	snprintf(p->err, p->errlen, "%s: %s failed: %s", p->where, what, say);
	return ret ? ret : fallback;
}

/*
 * Wait for the step just started (@queued: the *_async call succeeded).
 * 0 when it completed with any status, which the caller then reads: a
 * refused login or a CHECK CONDITION is an answer. -errno and a sentence
 * when it did not complete in time or the connection failed under it.
 */
static int step_wait(struct probe *p, bool queued, const char *what,
		     int fallback)
{
	struct step *st = &p->st;
	int ret;

	if (!queued) {
		why_set(st, iscsi_get_error(p->ctx));
		return step_failed(p, what, fallback);
	}
	ret = run_step(p);
	if (ret == -EPIPE) {
		/*
		 * libiscsi has by now replaced the cause with "cannot
		 * reconnect": what is left to say is that the other side
		 * dropped the connection, which an iSCSI target does not do
		 * in the middle of a step.
		 */
		ret = transport_errno(st->why);
		p->broken = true;
		snprintf(p->err, p->errlen,
			 "%s: the connection failed during %s%s%s", p->where,
			 what, ret ? ": " : "", ret ? strerror(-ret) : "");
		return ret ? ret : -EPROTO;
	}
	if (!ret && st->status != SCSI_STATUS_TIMEOUT)
		return 0;
	p->broken = true;
	snprintf(p->err, p->errlen, "%s: %s got no answer within %u ms",
		 p->where, what, p->timeout_ms);
	return -ETIMEDOUT;
}

/*
 * libiscsi words a refused login "... Status: <text>(<code>)", the code
 * being the iSCSI status class and detail (RFC 7143 11.13.5).
 */
static int login_status(const char *why)
{
	const char *s = strstr(why, "Status:");
	const char *paren = s ? strrchr(s, '(') : NULL;

	return paren ? (int)strtol(paren + 1, NULL, 10) : -1;
}

static int probe_login(struct probe *p)
{
	int ret, code;

	step_reset(&p->st);
	ret = step_wait(p, !iscsi_login_async(p->ctx, plain_cb, &p->st),
			"login", -EACCES);
	if (ret)
		return ret;
	if (p->st.status == SCSI_STATUS_GOOD) {
		p->logged_in = true;
		return 0;
	}
	code = login_status(p->st.why);
	if (code < 0)
		return step_failed(p, "login", -EACCES);
	p->broken = true;
	if (p->target && (code == 0x0203 || code == 0x0204)) {
		snprintf(p->err, p->errlen,
			 "%s has no target %s (the login was answered: %s)",
			 p->portal, p->target, strstr(p->st.why, "Status:") + 8);
		return -ENOENT;
	}
	snprintf(p->err, p->errlen, "%s: the %s login was refused: %s",
		 p->where, p->target ? "session" : "discovery",
		 strstr(p->st.why, "Status:") + 8);
	return -EACCES;
}

/* The engine's generic name too: one host, one initiator to the arrays. */
static void default_initiator(char *buf, size_t n)
{
	char host[128] = "localhost";

	gethostname(host, sizeof(host) - 1);
	snprintf(buf, n, "iqn.2026-11.org.csafs:%s", host);
}

/* A context for p->target (NULL: discovery), connected and logged in. */
static int probe_open(struct probe *p, const char *initiator)
{
	enum iscsi_session_type type = p->target ? ISCSI_SESSION_NORMAL :
						   ISCSI_SESSION_DISCOVERY;
	char name[160];
	int ret;

	if (!p->portal || !*p->portal || (p->target && !*p->target) ||
	    !p->timeout_ms) {
		snprintf(p->err, p->errlen,
			 "a portal, a target name and a timeout are needed");
		return -EINVAL;
	}
	snprintf(p->where, sizeof(p->where), "%s%s%s", p->portal,
		 p->target ? " " : "", p->target ? p->target : "");
	if (!initiator) {
		default_initiator(name, sizeof(name));
		initiator = name;
	}
	p->ctx = iscsi_create_context(initiator);
	if (!p->ctx) {
		snprintf(p->err, p->errlen, "%s: cannot make an iSCSI context",
			 p->where);
		return -ENOMEM;
	}
	if (iscsi_set_session_type(p->ctx, type) ||
	    (p->target && iscsi_set_targetname(p->ctx, p->target)) ||
	    iscsi_set_header_digest(p->ctx, ISCSI_HEADER_DIGEST_NONE)) {
		snprintf(p->err, p->errlen, "%s: %s", p->where,
			 iscsi_get_error(p->ctx));
		return -EINVAL;
	}
	/* One attempt only: a failed probe is reported, not retried. */
	iscsi_set_noautoreconnect(p->ctx, 1);
	iscsi_set_timeout(p->ctx, (int)((p->timeout_ms + 999) / 1000));
	step_reset(&p->st);
	ret = step_wait(p, !iscsi_connect_async(p->ctx, p->portal, plain_cb,
						&p->st), "connect",
			-EHOSTUNREACH);
	if (ret)
		return ret;
	if (p->st.status != SCSI_STATUS_GOOD)
		return step_failed(p, "connect", -EHOSTUNREACH);
	return probe_login(p);
}

/*
 * Log out while the session is sound (not after a step timed out: that
 * would wait another timeout for a target that does not answer), then
 * drop the context, which completes anything still queued into p->st.
 */
static void probe_close(struct probe *p)
{
	if (p->ctx && p->logged_in && !p->broken) {
		step_reset(&p->st);
		if (!iscsi_logout_async(p->ctx, plain_cb, &p->st))
			run_step(p);
	}
	if (p->ctx)
		iscsi_destroy_context(p->ctx);
	p->ctx = NULL;
	step_reset(&p->st);
}

int csa_discover_targets(const char *portal, const char *initiator,
			 unsigned timeout_ms, char (**iqns)[CSA_IQN_MAX],
			 unsigned *n, char *err, size_t errlen)
{
	struct probe p = { .portal = portal, .timeout_ms = timeout_ms,
			   .err = err, .errlen = errlen };
	int ret;

	*iqns = NULL;
	*n = 0;
	ret = probe_open(&p, initiator);
	if (ret)
		goto out;
	step_reset(&p.st);
	ret = step_wait(&p, !iscsi_discovery_async(p.ctx, discovery_cb, &p.st),
			"SendTargets discovery", -EPROTO);
	if (!ret && p.st.status != SCSI_STATUS_GOOD)
		ret = step_failed(&p, "SendTargets discovery", -EPROTO);
	if (!ret && p.st.copy_err) {
		snprintf(err, errlen, p.st.copy_err == -ENOMEM ?
			 "%s: out of memory for the discovered targets" :
			 "%s: a discovered target name is too long", portal);
		ret = p.st.copy_err;
	}
	if (!ret) {
		*iqns = p.st.iqns;
		*n = p.st.nr_iqns;
		p.st.iqns = NULL;
	}
out:
	probe_close(&p);
	return ret;
}

/* ---- REPORT LUNS ---------------------------------------------------- */

static bool unit_attention(const struct scsi_task *t)
{
	return t->status == SCSI_STATUS_CHECK_CONDITION &&
	       t->sense.key == SCSI_SENSE_UNIT_ATTENTION;
}

/*
 * Run one SCSI command (@start queues it with task_cb) and leave its task
 * in p->st.task. A UNIT ATTENTION, which a target reports once after a
 * login or a reset, is answered by sending the command again.
 */
static int probe_command(struct probe *p, const char *what,
			 struct scsi_task *(*start)(struct probe *p, int arg),
			 int arg)
{
	const struct scsi_task *t;
	int ret, tries;

	for (tries = 0; tries <= UA_RETRIES; tries++) {
		step_reset(&p->st);
		ret = step_wait(p, start(p, arg) != NULL, what, -EPROTO);
		if (ret)
			return ret;
		t = p->st.task;
		if (p->st.status == SCSI_STATUS_GOOD)
			return 0;
		if (p->st.status != SCSI_STATUS_CHECK_CONDITION)
			return step_failed(p, what, -EPROTO);
		if (!unit_attention(t))
			break;
	}
	p->broken = true;
	snprintf(p->err, p->errlen, "%s: %s failed: %s (sense %x/%02x/%02x)",
		 p->where, what, scsi_sense_key_str(t->sense.key),
		 t->sense.key, (t->sense.ascq >> 8) & 0xff,
		 t->sense.ascq & 0xff);
	return -EPROTO;
}

static struct scsi_task *start_report_luns(struct probe *p, int alloc)
{
	return iscsi_reportluns_task(p->ctx, 0, alloc, task_cb, &p->st);
}

static struct scsi_task *start_inquiry(struct probe *p, int lun)
{
	return iscsi_inquiry_task(p->ctx, lun, 0, 0, INQUIRY_ALLOC, task_cb,
				  &p->st);
}

struct lun_entry {
	uint32_t number;		/* as people and csa_lun_open know it */
	int address;			/* first level, as libiscsi sends it */
};

/*
 * The first level of a LUN entry (SAM-5 4.7): peripheral device addressing
 * with bus 0 (LUNs 0..255) or flat space addressing (up to 16383). Other
 * methods and multi-level LUNs are left out: nothing here can address them.
 */
static bool lun_decode(const unsigned char *e, struct lun_entry *out)
{
	unsigned method = e[0] >> 6, i;

	for (i = 2; i < 8; i++)
		if (e[i])
			return false;
	if (method == 0 && e[0] == 0)
		out->number = e[1];
	else if (method == 1)
		out->number = ((uint32_t)(e[0] & 0x3f) << 8) | e[1];
	else
		return false;
	out->address = (e[0] << 8) | e[1];
	return true;
}

static int cmp_lun(const void *a, const void *b)
{
	const struct lun_entry *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* The LUN list in p->st.task, decoded, sorted, without duplicates. */
static int parse_luns(struct probe *p, struct lun_entry **out, unsigned *n)
{
	const struct scsi_task *t = p->st.task;
	unsigned listed = 0, i, k = 0;
	struct lun_entry *v;

	/* Entries both announced in the header and actually received. */
	if (t->datain.size >= 8) {
		listed = (unsigned)(t->datain.size - 8) / 8;
		if (scsi_get_uint32(t->datain.data) / 8 < listed)
			listed = scsi_get_uint32(t->datain.data) / 8;
	}
	v = calloc(listed ? listed : 1, sizeof(*v));
	if (!v) {
		snprintf(p->err, p->errlen, "%s: out of memory for %u LUNs",
			 p->where, listed);
		return -ENOMEM;
	}
	for (i = 0; i < listed; i++)
		if (lun_decode(t->datain.data + 8 + 8 * i, &v[k]))
			k++;
	qsort(v, k, sizeof(*v), cmp_lun);
	for (i = 0, listed = k, k = 0; i < listed; i++)
		if (!k || v[k - 1].number != v[i].number)
			v[k++] = v[i];
	*out = v;
	*n = k;
	return 0;
}

/* REPORT LUNS, asked again with room for all if the first answer was cut. */
static int report_luns(struct probe *p, struct lun_entry **out, unsigned *n)
{
	uint32_t alloc = REPORT_LUNS_ALLOC, listed;
	int ret;

	for (;;) {
		ret = probe_command(p, "REPORT LUNS", start_report_luns,
				    (int)alloc);
		if (ret)
			return ret;
		if (p->st.task->datain.size < 8 || alloc >= REPORT_LUNS_MAX)
			break;
		listed = scsi_get_uint32(p->st.task->datain.data);
		if (listed <= alloc - 8)
			break;
		alloc = listed < REPORT_LUNS_MAX - 8 ? listed + 8 :
						      REPORT_LUNS_MAX;
	}
	return parse_luns(p, out, n);
}

/*
 * Is the LUN a disk (SBC direct access, and there)? tgt's LUN 0 is its
 * controller (type 0x0c), which has no blocks to give; a CD or tape LUN
 * has none either, so any LUN that is not a disk is left out.
 */
static int lun_is_disk(struct probe *p, const struct lun_entry *l,
		       bool *disk)
{
	const struct scsi_task *t;
	char what[48];
	int ret;

	snprintf(what, sizeof(what), "INQUIRY of LUN %u", l->number);
	ret = probe_command(p, what, start_inquiry, l->address);
	if (ret)
		return ret;
	t = p->st.task;
	if (t->datain.size < 1) {
		snprintf(p->err, p->errlen, "%s: %s returned no data",
			 p->where, what);
		return -EPROTO;
	}
	*disk = (t->datain.data[0] >> 5) == 0 &&
		(t->datain.data[0] & 0x1f) == SCSI_TYPE_DISK;
	return 0;
}

/* The numbers of the disks among @v, in order, into @out. */
static int keep_disks(struct probe *p, const struct lun_entry *v,
		      unsigned nv, uint32_t *out, unsigned *n)
{
	unsigned i, k = 0;
	bool disk;
	int ret;

	for (i = 0; i < nv; i++) {
		ret = lun_is_disk(p, &v[i], &disk);
		if (ret)
			return ret;
		if (disk)
			out[k++] = v[i].number;
	}
	*n = k;
	return 0;
}

int csa_report_luns(const char *portal, const char *target,
		    const char *initiator, unsigned timeout_ms,
		    uint32_t **luns, unsigned *n, char *err, size_t errlen)
{
	struct probe p = { .portal = portal, .timeout_ms = timeout_ms,
			   .target = target ? target : "", .err = err,
			   .errlen = errlen };
	struct lun_entry *v = NULL;
	uint32_t *out = NULL;
	unsigned nv = 0;
	int ret;

	*luns = NULL;
	*n = 0;
	ret = probe_open(&p, initiator);
	if (ret)
		goto out;
	ret = report_luns(&p, &v, &nv);
	if (ret)
		goto out;
	out = malloc((nv ? nv : 1) * sizeof(*out));
	if (!out) {
		snprintf(err, errlen, "%s: out of memory for %u LUNs", p.where,
			 nv);
		ret = -ENOMEM;
		goto out;
	}
	ret = keep_disks(&p, v, nv, out, n);
	if (ret)
		goto out;
	*luns = out;
	out = NULL;
out:
	free(out);
	free(v);
	probe_close(&p);
	return ret;
}
