// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iSCSI sessions on a reactor: login, reconnect, LUN probing, command issue
 * and completion. Runs on the owning reactor thread only.
 *
 * libiscsi's own reconnect is turned off (iscsi_set_noautoreconnect): when
 * a session drops we destroy its context, which completes every command
 * with SCSI_STATUS_CANCELLED, put those commands back at the head of their
 * LUN's queue and log in again with a fresh context. That keeps the
 * decision of what to re-send, and when to give up, here, and it means
 * libiscsi never holds a caller's buffer once we have completed the I/O.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "iscsi/engine_int.h"

#define IO_EXPIRED	0x1	/* deadline passed while on the wire */
#define MAX_UA_RETRIES	8
#define MAX_BUSY_RETRIES 32
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	2000
#define TICK_SERVICE_NS	1000000000ULL

static struct reactor *sess_reactor(struct session *s)
{
	return s->r;
}

struct session *session_get(struct reactor *r, const char *portal,
			    const char *target)
{
	struct session *s;

	for (s = r->sessions; s; s = s->next)
		if (!s->dead && !strcmp(s->portal, portal) &&
		    !strcmp(s->target, target))
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->r = r;
	snprintf(s->portal, sizeof(s->portal), "%s", portal);
	snprintf(s->target, sizeof(s->target), "%s", target);
	s->state = SESS_DOWN;
	s->armed_fd = -1;
	s->next = r->sessions;
	r->sessions = s;
	return s;
}

/* ---- login ---------------------------------------------------------- */

static void login_cb(struct iscsi_context *ctx, int status, void *data,
		     void *priv);

static void connect_cb(struct iscsi_context *ctx, int status, void *data,
		       void *priv)
{
	struct session *s = priv;

	(void)data;
	if (status != SCSI_STATUS_GOOD) {
		session_fail(s, iscsi_get_error(ctx));
		return;
	}
	if (iscsi_login_async(ctx, login_cb, s) != 0)
		session_fail(s, iscsi_get_error(ctx));
}

static void lun_probe(struct csa_lun *l);

static void login_cb(struct iscsi_context *ctx, int status, void *data,
		     void *priv)
{
	struct session *s = priv;
	struct csa_lun *l;

	(void)data;
	if (status != SCSI_STATUS_GOOD) {
		session_fail(s, iscsi_get_error(ctx));
		return;
	}
	s->state = SESS_UP;
	s->backoff_ms = 0;
	s->last_tick_ns = sess_reactor(s)->now_ns;
	s->error[0] = '\0';
	for (l = s->luns; l; l = l->next) {
		if (s->ever_up && l->open)
			atomic_fetch_add_explicit(&l->stats.reconnects, 1,
						  memory_order_relaxed);
		if (!l->open && l->open_cmd)
			lun_probe(l);
		pr_login(l);	/* a new nexus: register before anything else */
	}
	s->ever_up = true;
}

void session_connect(struct session *s)
{
	struct csa_engine *e = s->r->e;
	struct iscsi_context *ctx;

	/* A context still waiting for session_teardown is not replaced: the
	 * next tick connects once it is gone. */
	if (s->ctx || s->fail_pending)
		return;
	ctx = iscsi_create_context(e->initiator);
	if (!ctx) {
		session_fail(s, "cannot create an iSCSI context");
		return;
	}
	iscsi_set_targetname(ctx, s->target);
	iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE);
	iscsi_set_noautoreconnect(ctx, 1);
	s->ctx = ctx;
	s->state = SESS_CONNECTING;
	s->login_deadline_ns = s->r->now_ns +
			       (uint64_t)e->o.login_timeout_ms * 1000000ULL;
	if (iscsi_connect_async(ctx, s->portal, connect_cb, s) != 0)
		session_fail(s, iscsi_get_error(ctx));
}

/* ---- failure and reconnect ------------------------------------------ */

static int login_errno(const char *why)
{
	if (strstr(why, "refused"))
		return -ECONNREFUSED;
	if (strstr(why, "timed out"))
		return -ETIMEDOUT;
	if (strstr(why, "ogin") || strstr(why, "authoriz"))
		return -EACCES;
	return -EHOSTUNREACH;
}

/*
 * End an open. A LUN that failed stays linked until no probe command of
 * its own is in flight (session_reap frees it): the opener never frees it.
 */
static void open_finish(struct csa_lun *l, int err)
{
	struct cmd *c = l->open_cmd;

	l->open_cmd = NULL;
	if (err)
		l->failed = true;
	else
		l->open = true;
	cmd_finish(l->s->r, c, err);
}

static void fail_probing(struct session *s, int err, const char *why)
{
	struct csa_lun *l;

	for (l = s->luns; l; l = l->next) {
		if (!l->open_cmd)
			continue;
		snprintf(l->open_cmd->err, l->open_cmd->errlen,
			 "%s: cannot log in to %s: %s", s->portal, s->target,
			 why);
		open_finish(l, err);
	}
}

/*
 * The session is gone (socket error, login refused, command expired). This
 * is often called from inside a libiscsi callback, where the context must
 * not be destroyed: it only marks the session, and session_after tears it
 * down once iscsi_service has returned.
 */
void session_fail(struct session *s, const char *why)
{
	if (s->fail_pending)
		return;
	snprintf(s->error, sizeof(s->error), "%s", why ? why : "unknown");
	s->fail_pending = true;
	s->state = SESS_DOWN;
}

/*
 * Drop the context, which hands every command back through its callback
 * with SCSI_STATUS_CANCELLED (they are queued again), and plan the next
 * login. A LUN still being opened on a session that never came up fails at
 * once: the caller asked for this portal and should hear it does not answer.
 */
static void session_teardown(struct session *s)
{
	struct iscsi_context *ctx = s->ctx;
	bool has_open = false;
	struct csa_lun *l;

	s->fail_pending = false;
	s->ctx = NULL;
	if (ctx)
		iscsi_destroy_context(ctx);
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
	s->retry_ns = s->r->now_ns + (uint64_t)s->backoff_ms * 1000000ULL;
	for (l = s->luns; l; l = l->next)
		has_open |= l->open;
	if (!has_open)
		fail_probing(s, login_errno(s->error), s->error);
}

/* ---- poll ----------------------------------------------------------- */

static uint64_t sess_tag(struct session *s)
{
	return (uint64_t)(uintptr_t)s | 3;
}

/*
 * Keep exactly one poll armed on the context's socket for the events
 * libiscsi wants. A changed fd (new context) or event set means cancelling
 * the armed poll first; its completion re-enters here.
 */
void session_arm(struct session *s)
{
	struct io_uring_sqe *sqe;
	int fd, want;

	if (s->poll == POLL_CANCELLING)
		return;
	fd = s->ctx ? iscsi_get_fd(s->ctx) : -1;
	want = s->ctx && fd >= 0 ? iscsi_which_events(s->ctx) : 0;
	if (s->poll == POLL_ARMED) {
		if (fd == s->armed_fd && want == s->armed_events)
			return;
		sqe = io_uring_get_sqe(&s->r->ring);
		if (!sqe)
			return;	/* ring full: try again next pass */
		io_uring_prep_poll_remove(sqe, sess_tag(s));
		io_uring_sqe_set_data64(sqe, 0);
		s->poll = POLL_CANCELLING;
		return;
	}
	if (s->dead || !want)
		return;	/* want == 0: libiscsi waits for a timer */
	sqe = io_uring_get_sqe(&s->r->ring);
	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, fd, (unsigned)want);
	io_uring_sqe_set_data64(sqe, sess_tag(s));
	s->poll = POLL_ARMED;
	s->armed_fd = fd;
	s->armed_events = want;
}

void session_poll_done(struct session *s, int res)
{
	bool stale = s->poll == POLL_CANCELLING || res < 0 || s->fail_pending;

	s->poll = POLL_IDLE;
	s->armed_fd = -1;
	if (stale || !s->ctx)
		return;
	if (iscsi_service(s->ctx, res) < 0)
		session_fail(s, iscsi_get_error(s->ctx));
}

void session_maybe_free(struct session *s)
{
	struct session **pp;

	if (!s->dead || s->poll != POLL_IDLE)
		return;
	for (pp = &s->r->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	free(s);
}

/* ---- commands ------------------------------------------------------- */

static struct csa_lun *io_lun(struct csa_io *io)
{
	return io->t_owner;
}

/* Back to the head of the queue, to go out again once the session is up. */
static void io_requeue(struct csa_lun *l, struct csa_io *io)
{
	if (l->closing) {	/* nothing may wait on a LUN being closed */
		io_complete(l, io, -ESHUTDOWN);
		return;
	}
	atomic_fetch_add_explicit(&l->stats.retries, 1, memory_order_relaxed);
	io->t_flags = 0;
	io_list_push_front(&l->wait, io);
}

/*
 * With noautoreconnect, libiscsi meets a broken connection by handing every
 * command back CANCELLED from inside iscsi_service, and then returns 0: the
 * context is dead and nothing else says so. Fail the session at once, or
 * the session_kick of this very pass would send the re-queued commands on
 * it. Commands cancelled by session_teardown come from a context that is no
 * longer s->ctx: they change nothing.
 */
static void note_cancelled(struct session *s, struct iscsi_context *ctx,
			   int status)
{
	if (status == SCSI_STATUS_CANCELLED && ctx == s->ctx)
		session_fail(s, iscsi_get_error(ctx));
}

static int status_errno(int status)
{
	switch (status) {
	case SCSI_STATUS_RESERVATION_CONFLICT:
		return -EACCES;
	case SCSI_STATUS_CHECK_CONDITION:
	default:
		return -EIO;
	}
}

static void io_task_cb(struct iscsi_context *ctx, int status, void *data,
		       void *priv)
{
	struct csa_io *io = priv;
	struct csa_lun *l = io_lun(io);
	struct scsi_task *task = data;
	bool ua = false;

	note_cancelled(l->s, ctx, status);
	io_list_del(&l->wire, io);
	l->on_wire--;
	io->t_task = NULL;
	if (task) {
		if (status == SCSI_STATUS_GOOD && io->op == CSA_IO_PR_READ_KEYS)
			pr_keys_read(io, task);
		ua = task->sense.key == SCSI_SENSE_UNIT_ATTENTION;
		io->sense.key = (uint8_t)task->sense.key;
		io->sense.asc = (uint8_t)(task->sense.ascq >> 8);
		io->sense.ascq = (uint8_t)task->sense.ascq;
		scsi_free_scsi_task(task);
	}
	switch (status) {
	case SCSI_STATUS_GOOD:
		io_complete(l, io, 0);
		return;
	case SCSI_STATUS_CANCELLED:
	case SCSI_STATUS_ERROR:
	case SCSI_STATUS_TIMEOUT:
		/* No answer from the target: it may not have done it. */
		if (io->t_flags & IO_EXPIRED || l->closing)
			io_complete(l, io, l->closing ? -ESHUTDOWN :
							-ETIMEDOUT);
		else
			io_requeue(l, io);
		return;
	case SCSI_STATUS_CHECK_CONDITION:
		if (ua && io->t_retries++ < MAX_UA_RETRIES) {
			io_requeue(l, io);
			return;
		}
		break;
	case SCSI_STATUS_BUSY:
	case SCSI_STATUS_TASK_SET_FULL:
		if (io->t_retries++ < MAX_BUSY_RETRIES) {
			io_requeue(l, io);
			return;
		}
		break;
	}
	io_complete(l, io, status_errno(status));
}

static struct scsi_task *io_issue(struct csa_lun *l, struct csa_io *io)
{
	struct iscsi_context *ctx = l->s->ctx;
	struct scsi_iovec *iov = (struct scsi_iovec *)io->iov;
	uint32_t bs = l->info.block_size;
	uint32_t len = io->nblocks * bs;	/* io_check: it fits */

	if (pr_op(io))
		return pr_issue(l, io, io_task_cb);
	switch (io->op) {
	case CSA_IO_READ:
		return iscsi_read16_iov_task(ctx, (int)l->lun, io->lba, len,
					     (int)bs, 0, 0, 0, 0, 0,
					     io_task_cb, io, iov, io->iovcnt);
	case CSA_IO_WRITE:
		return iscsi_write16_iov_task(ctx, (int)l->lun, io->lba, NULL,
					      len, (int)bs, 0, 0, 0, 0, 0,
					      io_task_cb, io, iov, io->iovcnt);
	default:
		return iscsi_synchronizecache16_task(ctx, (int)l->lun, io->lba,
						     io->nblocks, 0, 0,
						     io_task_cb, io);
	}
}

static int io_check(const struct csa_lun *l, const struct csa_io *io)
{
	uint64_t bytes = 0;
	int i;

	if (pr_op(io))
		return pr_check(io);
	if (io->op > CSA_IO_SYNC || io->lba > l->info.blocks ||
	    io->nblocks > l->info.blocks - io->lba)
		return -EINVAL;
	if (io->op == CSA_IO_SYNC)
		return 0;
	/* READ16/WRITE16 carry the byte count in 32 bits. */
	if (io->nblocks == 0 || io->iovcnt <= 0 ||
	    (uint64_t)io->nblocks * l->info.block_size > UINT32_MAX)
		return -EINVAL;
	for (i = 0; i < io->iovcnt; i++)
		bytes += io->iov[i].iov_len;
	return bytes == (uint64_t)io->nblocks * l->info.block_size ? 0 :
								      -EINVAL;
}

/* Put queued commands on the wire, up to the queue depth. */
static void lun_issue(struct csa_lun *l)
{
	unsigned qd = l->s->r->e->o.queue_depth;
	struct scsi_task *task;
	struct csa_io *io;
	int err;

	while (l->s->state == SESS_UP && l->on_wire < qd &&
	       (io = io_list_pop(&l->wait))) {
		err = io_check(l, io);
		if (err) {
			io_complete(l, io, err);
			continue;
		}
		task = io_issue(l, io);
		if (!task) {
			io_complete(l, io, -ENOMEM);
			continue;
		}
		io->t_task = task;
		io_list_push(&l->wire, io);
		l->on_wire++;
	}
}

/*
 * Issue what is queued on every open LUN, then push it onto the socket at
 * once rather than a poll round later.
 */
static void session_kick(struct session *s)
{
	struct csa_lun *l;

	if (s->state != SESS_UP)
		return;
	for (l = s->luns; l; l = l->next)
		if (l->open)
			lun_issue(l);
	if (iscsi_out_queue_length(s->ctx) > 0 &&
	    iscsi_service(s->ctx, POLLOUT) < 0)
		session_fail(s, iscsi_get_error(s->ctx));
}

void lun_kick(struct csa_lun *l)
{
	session_kick(l->s);
}

/* ---- timers --------------------------------------------------------- */

/*
 * The queue and the wire are not in deadline order: a command re-queued
 * after a unit attention, a BUSY or a reconnect goes back to the head of
 * the queue with its first deadline, and out again behind younger ones.
 * So both are scanned whole (the wire holds at most queue_depth).
 */
static void expire_queued(struct csa_lun *l, uint64_t now)
{
	struct csa_io *io, *next;

	for (io = l->wait.head; io; io = next) {
		next = io->t_next;
		if (io->t_deadline_ns > now)
			continue;
		io_list_del(&l->wait, io);
		io_complete(l, io, -ETIMEDOUT);
	}
}

/* True if a command on the wire is past its deadline. */
static bool expire_wire(struct csa_lun *l, uint64_t now)
{
	struct csa_io *io;
	bool any = false;

	for (io = l->wire.head; io; io = io->t_next) {
		if (io->t_deadline_ns > now)
			continue;
		io->t_flags |= IO_EXPIRED;
		any = true;
	}
	return any;
}

/*
 * True if a probe command is past the I/O timeout. The open it served may
 * have failed long ago (login timeout), but the LUN cannot be freed while
 * libiscsi holds a command of its: only the teardown takes it back.
 */
static bool probe_overdue(const struct csa_lun *l, uint64_t now)
{
	return l->probe_busy && l->probe_deadline_ns <= now;
}

static void probe_expire(struct csa_lun *l, uint64_t now)
{
	if (l->open || !l->open_cmd || l->open_deadline_ns > now)
		return;
	snprintf(l->open_cmd->err, l->open_cmd->errlen,
		 "%s: no answer from %s LUN %u within the login timeout%s%s",
		 l->s->portal, l->s->target, l->lun,
		 l->s->error[0] ? ": " : "", l->s->error);
	open_finish(l, -ETIMEDOUT);
}

/*
 * Every reactor tick: deadlines, the once-a-second iscsi_service(ctx, 0)
 * libiscsi wants, and reconnects. A command on the wire past its deadline
 * (an I/O or a probe) means the target or the path is sick: the session is
 * torn down (the only way to take the buffer back from libiscsi safely)
 * and the expired commands fail; the others go out again after the next
 * login.
 */
void session_tick(struct session *s)
{
	uint64_t now = s->r->now_ns;
	bool expired = false;
	struct csa_lun *l;

	for (l = s->luns; l; l = l->next) {
		expire_queued(l, now);
		expired |= expire_wire(l, now);
		expired |= probe_overdue(l, now);
		probe_expire(l, now);
	}
	if (expired) {
		session_fail(s, "a command got no answer within the I/O timeout");
		return;
	}
	if (s->state == SESS_CONNECTING && now >= s->login_deadline_ns) {
		session_fail(s, "login timed out");
		return;
	}
	if (s->state == SESS_DOWN && s->luns && now >= s->retry_ns) {
		session_connect(s);
		return;
	}
	if (s->ctx && !s->fail_pending && (now - s->last_tick_ns >= TICK_SERVICE_NS ||
		       iscsi_which_events(s->ctx) == 0)) {
		s->last_tick_ns = now;
		if (iscsi_service(s->ctx, 0) < 0)
			session_fail(s, iscsi_get_error(s->ctx));
	}
}

/* ---- opening a LUN -------------------------------------------------- */

static void probe_fail(struct csa_lun *l, int err, const char *what)
{
	snprintf(l->open_cmd->err, l->open_cmd->errlen, "%s %s LUN %u: %s",
		 l->s->portal, l->s->target, l->lun, what);
	open_finish(l, err);
}

static void copy_trimmed(char *dst, size_t n, const char *src)
{
	size_t len;

	while (src && *src == ' ')
		src++;
	snprintf(dst, n, "%s", src ? src : "");
	len = strlen(dst);
	while (len && dst[len - 1] == ' ')
		dst[--len] = '\0';
}

/* A probe command is on its way: it gets the I/O timeout, like any. */
static void probe_sent(struct csa_lun *l)
{
	struct reactor *r = l->s->r;

	l->probe_busy = true;
	l->probe_deadline_ns = r->now_ns +
			       (uint64_t)r->e->o.io_timeout_ms * 1000000ULL;
}

/* A probe command failed: retry a unit attention, else explain. */
static bool probe_retry(struct csa_lun *l, int status, struct scsi_task *t,
			const char *what)
{
	char msg[160];

	if (status == SCSI_STATUS_CHECK_CONDITION &&
	    t->sense.key == SCSI_SENSE_UNIT_ATTENTION &&
	    l->probe_uas++ < MAX_UA_RETRIES)
		return true;
	if (status == SCSI_STATUS_CHECK_CONDITION &&
	    t->sense.key == SCSI_SENSE_ILLEGAL_REQUEST &&
	    (t->sense.ascq >> 8) == 0x25) {
		probe_fail(l, -ENODEV, "no such LUN on this target");
		return false;
	}
	snprintf(msg, sizeof(msg), "%s failed: %s", what,
		 status == SCSI_STATUS_CHECK_CONDITION ?
		 scsi_sense_key_str(t->sense.key) : "no answer");
	probe_fail(l, status == SCSI_STATUS_CANCELLED ? -ECONNRESET : -EIO,
		   msg);
	return false;
}

static void serial_cb(struct iscsi_context *ctx, int status, void *data,
		      void *priv)
{
	struct csa_lun *l = priv;
	struct scsi_task *t = data;
	struct scsi_inquiry_unit_serial_number *usn;

	note_cancelled(l->s, ctx, status);
	l->probe_busy = false;
	/* The serial number is optional: a target without page 0x80 is fine. */
	if (status == SCSI_STATUS_GOOD && (usn = scsi_datain_unmarshall(t)))
		copy_trimmed(l->info.serial, sizeof(l->info.serial), usn->usn);
	scsi_free_scsi_task(t);
	if (!l->open_cmd)
		return;
	if (status == SCSI_STATUS_CANCELLED) {
		probe_fail(l, -ECONNRESET, "session dropped while opening");
		return;
	}
	open_finish(l, 0);
}

static void inquiry_cb(struct iscsi_context *ctx, int status, void *data,
		       void *priv)
{
	struct csa_lun *l = priv;
	struct scsi_task *t = data;
	struct scsi_inquiry_standard *inq;

	note_cancelled(l->s, ctx, status);
	l->probe_busy = false;
	if (!l->open_cmd)
		goto out;
	if (status != SCSI_STATUS_GOOD) {
		if (probe_retry(l, status, t, "INQUIRY"))
			lun_probe(l);
		goto out;
	}
	inq = scsi_datain_unmarshall(t);
	if (!inq) {
		probe_fail(l, -EIO, "INQUIRY data cannot be decoded");
		goto out;
	}
	copy_trimmed(l->info.vendor, sizeof(l->info.vendor),
		     inq->vendor_identification);
	copy_trimmed(l->info.product, sizeof(l->info.product),
		     inq->product_identification);
	copy_trimmed(l->info.revision, sizeof(l->info.revision),
		     inq->product_revision_level);
	if (iscsi_inquiry_task(ctx, (int)l->lun, 1,
			       SCSI_INQUIRY_PAGECODE_UNIT_SERIAL_NUMBER, 255,
			       serial_cb, l))
		probe_sent(l);
	else
		probe_fail(l, -ENOMEM, "cannot queue INQUIRY");
out:
	scsi_free_scsi_task(t);
}

static void capacity_cb(struct iscsi_context *ctx, int status, void *data,
			void *priv)
{
	struct csa_lun *l = priv;
	struct scsi_task *t = data;
	struct scsi_readcapacity16 *rc;

	note_cancelled(l->s, ctx, status);
	l->probe_busy = false;
	if (!l->open_cmd)
		goto out;
	if (status != SCSI_STATUS_GOOD) {
		if (probe_retry(l, status, t, "READ CAPACITY(16)"))
			lun_probe(l);
		goto out;
	}
	rc = scsi_datain_unmarshall(t);
	if (!rc || rc->block_length == 0) {
		probe_fail(l, -EIO, "READ CAPACITY(16) data cannot be decoded");
		goto out;
	}
	l->info.blocks = rc->returned_lba + 1;
	l->info.block_size = rc->block_length;
	if (iscsi_inquiry_task(ctx, (int)l->lun, 0, 0, 255, inquiry_cb, l))
		probe_sent(l);
	else
		probe_fail(l, -ENOMEM, "cannot queue INQUIRY");
out:
	scsi_free_scsi_task(t);
}

/* READ CAPACITY(16), then INQUIRY, then the serial number page. */
static void lun_probe(struct csa_lun *l)
{
	if (iscsi_readcapacity16_task(l->s->ctx, (int)l->lun, capacity_cb, l))
		probe_sent(l);
	else
		probe_fail(l, -ENOMEM, "cannot queue READ CAPACITY(16)");
}

void lun_open_start(struct csa_lun *l, struct cmd *c)
{
	struct session *s = l->s;

	l->open_cmd = c;
	l->open_deadline_ns = s->r->now_ns +
		(uint64_t)s->r->e->o.login_timeout_ms * 1000000ULL;
	l->next = s->luns;
	s->luns = l;
	if (s->state == SESS_UP) {
		lun_probe(l);
		pr_login(l);	/* the session's login did not see this LUN */
	} else if (s->state == SESS_DOWN)
		session_connect(s);
}

/* ---- closing a LUN -------------------------------------------------- */

static void lun_unlink(struct csa_lun *l)
{
	struct session *s = l->s;
	struct csa_lun **pp;

	for (pp = &s->luns; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	if (s->luns)
		return;
	/* Last LUN gone: drop the session. */
	s->dead = true;
	session_fail(s, "no LUN left open");
}

/*
 * Queued I/O fails with -ESHUTDOWN; I/O on the wire is given the time to
 * finish (lun_close_poll finishes the command when it has).
 */
void lun_close_start(struct csa_lun *l, struct cmd *c)
{
	struct csa_io *io;

	l->closing = true;
	l->close_cmd = c;
	while ((io = io_list_pop(&l->wait)))
		io_complete(l, io, -ESHUTDOWN);
}

/*
 * Finish the closes whose LUN has nothing left on the wire (the closer
 * frees it), and free the LUNs whose open failed once their last probe
 * command has come back.
 */
static void session_reap(struct session *s)
{
	struct csa_lun *l, *next;

	for (l = s->luns; l; l = next) {
		next = l->next;
		if (l->closing && !l->on_wire && !l->wait.head) {
			lun_unlink(l);
			cmd_finish(s->r, l->close_cmd, 0);
		} else if (l->failed && !l->probe_busy) {
			lun_unlink(l);
			free(l);
		}
	}
}

/*
 * End of every reactor pass, outside any libiscsi callback: the only place
 * where contexts are destroyed, closes complete and commands are issued.
 */
void session_after(struct session *s)
{
	if (s->fail_pending)
		session_teardown(s);
	session_reap(s);
	if (s->fail_pending)
		session_teardown(s);
	session_kick(s);
	session_arm(s);
}
