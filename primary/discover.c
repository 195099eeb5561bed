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

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "primary/discover.h"

#define DEFAULT_INITIATOR	"iqn.2026-11.org.csafs:initiator"
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

static void step_finish(struct iscsi_context *ctx, struct step *st,
			int status)
{
	const char *why;

	st->status = status;
	st->done = true;
	if (status == SCSI_STATUS_GOOD)
		return;
	why = iscsi_get_error(ctx);
	snprintf(st->why, sizeof(st->why), "%s", why && *why ? why :
		 status == SCSI_STATUS_TIMEOUT ? "command timed out" :
		 "no reason given");
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

/* The errno that libiscsi's wording of a transport failure stands for. */
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
	return -EPROTO;
}

/*
 * Drive the context until the step in progress completes, at most
 * timeout_ms. 0 when it completed (st->status says how), or -ETIMEDOUT,
 * or the errno of a transport failure that completed nothing (with the
 * reason in st->why).
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
			ret = -errno;
			snprintf(st->why, sizeof(st->why), "poll: %s",
				 strerror(-ret));
			return ret;
		}
		/* revents 0 still lets libiscsi expire PDUs. */
		if (iscsi_service(p->ctx, ret > 0 ? pfd.revents : 0) < 0 &&
		    !st->done) {
			snprintf(st->why, sizeof(st->why), "%s",
				 iscsi_get_error(p->ctx));
			return transport_errno(st->why);
		}
	}
	return 0;
}

/*
 * Run the step just started (@started is the *_async call's return) and
 * turn any failure into -errno and a sentence about @what. A step that
 * completed with a SCSI status other than GOOD is 0 here: the caller reads
 * st->status (CHECK CONDITION is an answer, not a broken session).
 */
static int step_wait(struct probe *p, int started, const char *what)
{
	struct step *st = &p->st;
	int ret;

	if (started) {
		snprintf(st->why, sizeof(st->why), "%s",
			 iscsi_get_error(p->ctx));
		ret = transport_errno(st->why);
		if (ret == -EPROTO && strstr(st->why, "emory"))
			ret = -ENOMEM;
	} else {
		ret = run_step(p);
		if (!ret && (st->status == SCSI_STATUS_TIMEOUT))
			ret = -ETIMEDOUT;
		else if (!ret && (st->status == SCSI_STATUS_CANCELLED ||
				  st->status == SCSI_STATUS_ERROR))
			ret = transport_errno(st->why);
	}
	if (!ret)
		return 0;
	p->broken = true;
	if (ret == -ETIMEDOUT)
		snprintf(p->err, p->errlen,
			 "%s: %s: no answer within %u ms", p->portal, what,
			 p->timeout_ms);
	else
		snprintf(p->err, p->errlen, "%s: %s: %s", p->portal, what,
			 st->why);
	return ret;
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

	p->st = (struct step){ 0 };
	ret = step_wait(p, iscsi_login_async(p->ctx, plain_cb, &p->st),
			"login");
	if (ret)
		return ret;
	if (p->st.status == SCSI_STATUS_GOOD) {
		p->logged_in = true;
		return 0;
	}
	p->broken = true;
	code = login_status(p->st.why);
	if (p->target && (code == 0x0203 || code == 0x0204)) {
		snprintf(p->err, p->errlen, "%s has no target %s (%s)",
			 p->portal, p->target, p->st.why);
		return -ENOENT;
	}
	if (code < 0) {
		ret = transport_errno(p->st.why);
		snprintf(p->err, p->errlen, "%s: login failed: %s", p->portal,
			 p->st.why);
		return ret == -EPROTO ? -EACCES : ret;
	}
	snprintf(p->err, p->errlen, "%s refused the %s login%s%s: %s",
		 p->portal, p->target ? "" : "discovery",
		 p->target ? " to " : "", p->target ? p->target : "",
		 p->st.why);
	return -EACCES;
}

/* A context for @target (NULL: discovery), connected and logged in. */
static int probe_open(struct probe *p, const char *initiator)
{
	enum iscsi_session_type type = p->target ? ISCSI_SESSION_NORMAL :
						   ISCSI_SESSION_DISCOVERY;
	int ret;

	if (!p->portal || !*p->portal || !p->timeout_ms) {
		snprintf(p->err, p->errlen, "no portal or no timeout given");
		return -EINVAL;
	}
	p->ctx = iscsi_create_context(initiator ? initiator :
				      DEFAULT_INITIATOR);
	if (!p->ctx) {
		snprintf(p->err, p->errlen, "%s: cannot make an iSCSI context",
			 p->portal);
		return -ENOMEM;
	}
	if (iscsi_set_session_type(p->ctx, type) ||
	    (p->target && iscsi_set_targetname(p->ctx, p->target)) ||
	    iscsi_set_header_digest(p->ctx, ISCSI_HEADER_DIGEST_NONE)) {
		snprintf(p->err, p->errlen, "%s: %s", p->portal,
			 iscsi_get_error(p->ctx));
		return -EINVAL;
	}
	/* One attempt only: a failed probe is reported, not retried. */
	iscsi_set_noautoreconnect(p->ctx, 1);
	iscsi_set_timeout(p->ctx, (int)((p->timeout_ms + 999) / 1000));
	p->st = (struct step){ 0 };
	ret = step_wait(p, iscsi_connect_async(p->ctx, p->portal, plain_cb,
					       &p->st), "cannot connect");
	if (ret)
		return ret;
	if (p->st.status != SCSI_STATUS_GOOD) {
		p->broken = true;
		ret = transport_errno(p->st.why);
		snprintf(p->err, p->errlen, "%s: cannot connect: %s",
			 p->portal, p->st.why);
		return ret == -EPROTO ? -EHOSTUNREACH : ret;
	}
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
	ret = step_wait(&p, iscsi_discovery_async(p.ctx, discovery_cb, &p.st),
			"SendTargets discovery");
	if (!ret && p.st.status != SCSI_STATUS_GOOD) {
		snprintf(err, errlen, "%s: SendTargets discovery failed: %s",
			 portal, p.st.why);
		p.broken = true;
		ret = -EPROTO;
	}
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
	struct scsi_task *t;
	int ret, tries;

	for (tries = 0; tries <= UA_RETRIES; tries++) {
		step_reset(&p->st);
		t = start(p, arg);
		ret = step_wait(p, t ? 0 : -1, what);
		if (ret)
			return ret;
		t = p->st.task;
		if (p->st.status == SCSI_STATUS_GOOD)
			return 0;
		if (!t || !unit_attention(t))
			break;
	}
	if (t && t->status == SCSI_STATUS_CHECK_CONDITION)
		snprintf(p->err, p->errlen, "%s %s: %s failed: %s (%02x/%02x/%02x)",
			 p->portal, p->target, what,
			 scsi_sense_key_str(t->sense.key), t->sense.key,
			 (t->sense.ascq >> 8) & 0xff, t->sense.ascq & 0xff);
	else
		snprintf(p->err, p->errlen, "%s %s: %s failed: %s", p->portal,
			 p->target, what, p->st.why);
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
	unsigned listed, i, k = 0;
	struct lun_entry *v;

	listed = (unsigned)(t->datain.size - 8) / 8;
	if (t->datain.size < 8 ||
	    scsi_get_uint32(t->datain.data) / 8 < listed)
		listed = t->datain.size < 8 ? 0 :
			 scsi_get_uint32(t->datain.data) / 8;
	v = calloc(listed ? listed : 1, sizeof(*v));
	if (!v) {
		snprintf(p->err, p->errlen, "out of memory for %u LUNs", listed);
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
	int alloc = REPORT_LUNS_ALLOC, ret;
	uint32_t need;

	for (;;) {
		ret = probe_command(p, "REPORT LUNS", start_report_luns, alloc);
		if (ret)
			return ret;
		if (p->st.task->datain.size < 8)
			break;
		need = scsi_get_uint32(p->st.task->datain.data) + 8;
		if (need <= (uint32_t)alloc || alloc >= REPORT_LUNS_MAX)
			break;
		alloc = need < REPORT_LUNS_MAX ? (int)need : REPORT_LUNS_MAX;
	}
	return parse_luns(p, out, n);
}

/*
 * Is the LUN a disk (SBC direct access, and there)? tgt's LUN 0 is its
 * controller (type 0x0c), which has no blocks to give.
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
		snprintf(p->err, p->errlen, "%s %s: %s returned no data",
			 p->portal, p->target, what);
		return -EPROTO;
	}
	*disk = (t->datain.data[0] >> 5) == 0 &&
		(t->datain.data[0] & 0x1f) == SCSI_TYPE_DISK;
	return 0;
}

int csa_report_luns(const char *portal, const char *target,
		    const char *initiator, unsigned timeout_ms,
		    uint32_t **luns, unsigned *n, char *err, size_t errlen)
{
	struct probe p = { .portal = portal, .target = target,
			   .timeout_ms = timeout_ms, .err = err,
			   .errlen = errlen };
	struct lun_entry *v = NULL;
	unsigned nv = 0, i, k = 0;
	bool disk;
	int ret;

	*luns = NULL;
	*n = 0;
	if (!target || !*target) {
		snprintf(err, errlen, "%s: no target name given",
			 portal ? portal : "?");
		return -EINVAL;
	}
	ret = probe_open(&p, initiator);
	if (!ret)
		ret = report_luns(&p, &v, &nv);
	*luns = ret ? NULL : malloc((nv ? nv : 1) * sizeof(**luns));
	if (!ret && !*luns) {
		snprintf(err, errlen, "out of memory for %u LUNs", nv);
		ret = -ENOMEM;
	}
	for (i = 0; !ret && i < nv; i++) {
		ret = lun_is_disk(&p, &v[i], &disk);
		if (!ret && (disk || v[i].number != 0))
			(*luns)[k++] = v[i].number;
	}
	if (ret) {
		free(*luns);
		*luns = NULL;
	} else {
		*n = k;
	}
	free(v);
	probe_close(&p);
	return ret;
}
