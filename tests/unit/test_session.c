// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's sessions (iscsi/session.c, iscsi/engine.c) against a fake
 * libiscsi: the two .c files are included here and every libiscsi call
 * they make is answered by the fake below, so that a test decides what the
 * "target" does and when, and the reactor's clock is the test's.
 *
 * No thread and no ring are used: the test plays the reactor, one pass at
 * a time (drain_inbox + reap_sessions, as reactor_main does after its
 * completions), and calls session_tick as the timer would.
 *
 * What is checked:
 *   test_cancelled_fails_session  a session dropped under libiscsi with
 *                       noautoreconnect (every command CANCELLED, service
 *                       returning 0) is failed at once: nothing more is
 *                       sent on that context, and the I/O goes out again on
 *                       the next login
 *   test_probe_deadline a probe command that gets no answer is bounded by
 *                       the I/O timeout: the session is failed, the LUN
 *                       freed, and the session too when it was its last
 *   test_deadline_order expired commands behind one that has not expired,
 *                       on the wire and in the queue, fail at once
 *   test_big_transfer   a transfer of 4 GiB or more fails with -EINVAL and
 *                       is never sent; 4 GiB - 1 block is sent whole
 *   test_open_nomem     an open that cannot get a session frees its LUN
 *   test_reactor_sigpipe  a real engine's reactor threads block SIGPIPE
 *                       (libiscsi's writes to a target that has gone), the
 *                       caller's thread does not
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

/* Allocation faults and frees seen, for the code under test only. */
static bool fail_next_calloc;
static const void *watched;
static bool watched_freed;

static void *test_calloc(size_t n, size_t size)
{
	if (fail_next_calloc) {
		fail_next_calloc = false;
		return NULL;
	}
	return calloc(n, size);
}

static void test_free(void *p)
{
	if (p && p == watched)
		watched_freed = true;
	free(p);
}

#define calloc test_calloc
#define free test_free
#include "iscsi/engine.c"
#include "iscsi/session.c"
#undef calloc
#undef free

static int failed;

static bool ok(bool cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	failed |= !cond;
	return cond;
}

/* ---- the fake libiscsi ---------------------------------------------- */

enum fkind { F_READ, F_WRITE, F_SYNC, F_CAPACITY, F_INQUIRY, F_SERIAL };

struct ftask {
	struct scsi_task t;	/* first: what the callback gets */
	struct iscsi_context *ctx;
	iscsi_command_cb cb;
	void *priv;
	enum fkind kind;
	uint64_t lba;
	uint32_t len;
	struct ftask *next;
	struct scsi_readcapacity16 rc;
	struct scsi_inquiry_standard inq;
};

struct iscsi_context {
	iscsi_command_cb connect_cb, login_cb;
	void *connect_priv, *login_priv;
	struct ftask *tasks;		/* sent, not answered, oldest first */
	bool dropped;			/* the session broke under libiscsi */
	bool drop_on_service;		/* the next iscsi_service breaks it */
	bool destroyed;
	unsigned issued;		/* commands sent on this context */
	unsigned issued_after_drop;
	struct iscsi_context *all;	/* every context made, for the end */
};

static struct iscsi_context *contexts;
static uint64_t lun_blocks = 1ULL << 40;

struct iscsi_context *iscsi_create_context(const char *initiator_name)
{
	struct iscsi_context *ctx = calloc(1, sizeof(*ctx));

	(void)initiator_name;
	if (ctx) {
		ctx->all = contexts;
		contexts = ctx;
	}
	return ctx;
}

int iscsi_set_targetname(struct iscsi_context *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0;
}

int iscsi_set_session_type(struct iscsi_context *ctx,
			   enum iscsi_session_type type)
{
	(void)ctx;
	(void)type;
	return 0;
}

int iscsi_set_header_digest(struct iscsi_context *ctx,
			    enum iscsi_header_digest d)
{
	(void)ctx;
	(void)d;
	return 0;
}

void iscsi_set_noautoreconnect(struct iscsi_context *ctx, int state)
{
	(void)ctx;
	(void)state;
}

const char *iscsi_get_error(struct iscsi_context *ctx)
{
	return ctx->dropped ? "fake: connection dropped" : "fake: no error";
}

int iscsi_connect_async(struct iscsi_context *ctx, const char *portal,
			iscsi_command_cb cb, void *priv)
{
	(void)portal;
	ctx->connect_cb = cb;
	ctx->connect_priv = priv;
	return 0;
}

int iscsi_login_async(struct iscsi_context *ctx, iscsi_command_cb cb,
		      void *priv)
{
	ctx->login_cb = cb;
	ctx->login_priv = priv;
	return 0;
}

int iscsi_get_fd(struct iscsi_context *ctx)
{
	(void)ctx;
	return -1;	/* so that session_arm never needs the ring */
}

int iscsi_which_events(struct iscsi_context *ctx)
{
	(void)ctx;
	return POLLIN;
}

int iscsi_out_queue_length(struct iscsi_context *ctx)
{
	(void)ctx;
	return 0;
}

static struct ftask *task_take(struct iscsi_context *ctx, struct ftask *ft)
{
	struct ftask **pp;

	for (pp = &ctx->tasks; *pp; pp = &(*pp)->next)
		if (*pp == ft) {
			*pp = ft->next;
			return ft;
		}
	return NULL;
}

/* Hand every command back CANCELLED, oldest first, as libiscsi does. */
static void cancel_all(struct iscsi_context *ctx)
{
	struct ftask *ft;

	while ((ft = ctx->tasks)) {
		ctx->tasks = ft->next;
		ft->cb(ctx, SCSI_STATUS_CANCELLED, &ft->t, ft->priv);
	}
}

/*
 * With noautoreconnect, a broken socket makes libiscsi cancel every
 * command and return 0 from iscsi_service (iscsi_defer_reconnect).
 */
int iscsi_service(struct iscsi_context *ctx, int revents)
{
	(void)revents;
	if (ctx->drop_on_service) {
		ctx->drop_on_service = false;
		ctx->dropped = true;
		cancel_all(ctx);
	}
	return 0;
}

int iscsi_destroy_context(struct iscsi_context *ctx)
{
	cancel_all(ctx);
	ctx->destroyed = true;	/* freed at the end, for inspection */
	return 0;
}

static struct scsi_task *task_new(struct iscsi_context *ctx,
				  enum fkind kind, uint64_t lba, uint32_t len,
				  iscsi_command_cb cb, void *priv)
{
	struct ftask *ft = calloc(1, sizeof(*ft)), **pp;

	if (!ft)
		return NULL;
	ft->ctx = ctx;
	ft->kind = kind;
	ft->lba = lba;
	ft->len = len;
	ft->cb = cb;
	ft->priv = priv;
	for (pp = &ctx->tasks; *pp; pp = &(*pp)->next)
		;
	*pp = ft;
	ctx->issued++;
	if (ctx->dropped)
		ctx->issued_after_drop++;
	return &ft->t;
}

struct scsi_task *iscsi_read16_iov_task(struct iscsi_context *ctx, int lun,
	uint64_t lba, uint32_t datalen, int blocksize, int rdprotect, int dpo,
	int fua, int fua_nv, int group_number, iscsi_command_cb cb,
	void *priv, struct scsi_iovec *iov, int niov)
{
	(void)lun; (void)blocksize; (void)rdprotect; (void)dpo; (void)fua;
	(void)fua_nv; (void)group_number; (void)iov; (void)niov;
	return task_new(ctx, F_READ, lba, datalen, cb, priv);
}

struct scsi_task *iscsi_write16_iov_task(struct iscsi_context *ctx, int lun,
	uint64_t lba, unsigned char *data, uint32_t datalen, int blocksize,
	int wrprotect, int dpo, int fua, int fua_nv, int group_number,
	iscsi_command_cb cb, void *priv, struct scsi_iovec *iov, int niov)
{
	(void)lun; (void)data; (void)blocksize; (void)wrprotect; (void)dpo;
	(void)fua; (void)fua_nv; (void)group_number; (void)iov; (void)niov;
	return task_new(ctx, F_WRITE, lba, datalen, cb, priv);
}

struct scsi_task *iscsi_synchronizecache16_task(struct iscsi_context *ctx,
	int lun, uint64_t lba, uint32_t num_blocks, int syncnv, int immed,
	iscsi_command_cb cb, void *priv)
{
	(void)lun; (void)syncnv; (void)immed;
	return task_new(ctx, F_SYNC, lba, num_blocks, cb, priv);
}

struct scsi_task *iscsi_readcapacity16_task(struct iscsi_context *ctx,
	int lun, iscsi_command_cb cb, void *priv)
{
	(void)lun;
	return task_new(ctx, F_CAPACITY, 0, 0, cb, priv);
}

struct scsi_task *iscsi_inquiry_task(struct iscsi_context *ctx, int lun,
	int evpd, int page_code, int maxsize, iscsi_command_cb cb,
	void *priv)
{
	(void)lun; (void)page_code; (void)maxsize;
	return task_new(ctx, evpd ? F_SERIAL : F_INQUIRY, 0, 0, cb, priv);
}

void scsi_free_scsi_task(struct scsi_task *t)
{
	free(t);	/* t is the first member of its struct ftask */
}

void *scsi_datain_unmarshall(struct scsi_task *t)
{
	struct ftask *ft = (struct ftask *)t;

	switch (ft->kind) {
	case F_CAPACITY:
		ft->rc.returned_lba = lun_blocks - 1;
		ft->rc.block_length = 512;
		return &ft->rc;
	case F_INQUIRY:
		snprintf(ft->inq.vendor_identification,
			 sizeof(ft->inq.vendor_identification), "FAKE");
		return &ft->inq;
	default:
		return NULL;	/* no serial number page */
	}
}

const char *scsi_sense_key_str(int key)
{
	(void)key;
	return "fake sense";
}

/* The target answers @ft with @status (sense key @key when not 0). */
static void answer(struct ftask *ft, int status, int key)
{
	struct iscsi_context *ctx = ft->ctx;

	task_take(ctx, ft);
	ft->t.status = status;
	ft->t.sense.key = key;
	ft->cb(ctx, status, &ft->t, ft->priv);
}

/* Answer every probe command (and those they lead to) with GOOD. */
static void answer_probes(struct iscsi_context *ctx)
{
	struct ftask *ft;
	bool again = true;

	while (again) {
		again = false;
		for (ft = ctx->tasks; ft; ft = ft->next)
			if (ft->kind >= F_CAPACITY) {
				answer(ft, SCSI_STATUS_GOOD, 0);
				again = true;
				break;
			}
	}
}

static unsigned nr_tasks(const struct iscsi_context *ctx, enum fkind kind)
{
	const struct ftask *ft;
	unsigned n = 0;

	for (ft = ctx->tasks; ft; ft = ft->next)
		n += ft->kind == kind;
	return n;
}

/* ---- the test reactor ------------------------------------------------ */

#define IO_TIMEOUT_MS		1000
#define LOGIN_TIMEOUT_MS	500
#define MS			1000000ULL

static struct csa_engine *engine_new(void)
{
	struct csa_engine *e = calloc(1, sizeof(*e) + sizeof(struct reactor));
	struct reactor *r;

	if (!e)
		exit(1);
	csa_engine_opts_default(&e->o);
	e->o.queue_depth = 8;
	e->o.io_timeout_ms = IO_TIMEOUT_MS;
	e->o.login_timeout_ms = LOGIN_TIMEOUT_MS;
	snprintf(e->initiator, sizeof(e->initiator), "iqn.test:init");
	e->o.initiator = e->initiator;
	e->nr_reactors = 1;
	r = &e->reactors[0];
	r->e = e;
	r->thread = pthread_self();	/* submits go to r->local */
	pthread_mutex_init(&r->lock, NULL);
	r->now_ns = csa_now_ns();
	return e;
}

/* One pass of the reactor loop, after its completions. */
static void pass(struct reactor *r)
{
	drain_inbox(r);
	reap_sessions(r);
}

/* The 100 ms timer, at @now. */
static void tick(struct reactor *r, uint64_t now)
{
	struct session *s;

	r->now_ns = now;
	for (s = r->sessions; s; s = s->next)
		session_tick(s);
	pass(r);
}

static void login(struct session *s)
{
	struct iscsi_context *ctx = s->ctx;

	ctx->connect_cb(ctx, SCSI_STATUS_GOOD, NULL, ctx->connect_priv);
	ctx->login_cb(ctx, SCSI_STATUS_GOOD, NULL, ctx->login_priv);
}

struct opener {
	struct cmd c;
	char err[256];
};

/* Post an open of LUN @lun (the reactor's part of csa_lun_open). */
static struct csa_lun *open_start(struct reactor *r, struct opener *o,
				  unsigned lun)
{
	struct csa_lun *l = calloc(1, sizeof(*l));

	if (!l)
		exit(1);
	l->lun = lun;
	snprintf(l->name, sizeof(l->name), "fake LUN %u", lun);
	memset(o, 0, sizeof(*o));
	o->c = (struct cmd){ .type = CMD_OPEN, .lun = l,
			     .portal = "127.0.0.1:3260", .target = "iqn.t",
			     .err = o->err, .errlen = sizeof(o->err) };
	pthread_cond_init(&o->c.cond, NULL);
	run_cmd(r, &o->c);
	return l;
}

/* A LUN opened on a session that is up. */
static struct csa_lun *open_up(struct reactor *r, unsigned lun)
{
	struct opener o;
	struct csa_lun *l = open_start(r, &o, lun);

	if (l->s->state != SESS_UP)
		login(l->s);
	answer_probes(l->s->ctx);
	pass(r);
	if (!o.c.done || o.c.status) {
		printf("not ok - opening fake LUN %u: %d %s\n", lun,
		       o.c.status, o.err);
		exit(1);
	}
	return l;
}

static void close_lun(struct reactor *r, struct csa_lun *l)
{
	struct cmd c = { .type = CMD_CLOSE, .lun = l };

	pthread_cond_init(&c.cond, NULL);
	run_cmd(r, &c);
	pass(r);
	if (!c.done) {
		printf("not ok - close of %s did not finish\n", l->name);
		exit(1);
	}
	free(l);
}

struct tio {
	struct csa_io io;
	struct iovec iov[2];
	int calls;
	int err;
};

static void tio_done(struct csa_io *io, int err)
{
	struct tio *t = (struct tio *)io;

	t->calls++;
	t->err = err;
}

static uint8_t block[4096];

static void tio_submit(struct csa_lun *l, struct tio *t, uint8_t op,
		       uint64_t lba)
{
	memset(t, 0, sizeof(*t));
	t->iov[0] = (struct iovec){ block, 512 };
	t->io = (struct csa_io){ .op = op, .lba = lba, .nblocks = 1,
				 .iov = t->iov, .iovcnt = 1,
				 .done = tio_done };
	csa_lun_submit(l, &t->io);
}

static struct ftask *wire_task(struct iscsi_context *ctx, uint64_t lba)
{
	struct ftask *ft;

	for (ft = ctx->tasks; ft; ft = ft->next)
		if (ft->kind <= F_SYNC && ft->lba == lba)
			return ft;
	return NULL;
}

/* The target answers the I/O at @lba with GOOD, if it has it. */
static void answer_io(struct iscsi_context *ctx, uint64_t lba)
{
	struct ftask *ft = wire_task(ctx, lba);

	if (ft)
		answer(ft, SCSI_STATUS_GOOD, 0);
}

static void engine_free(struct csa_engine *e)
{
	struct reactor *r = &e->reactors[0];
	struct iscsi_context *ctx, *next;
	unsigned i;

	/* Let dead sessions go: no poll is ever armed here. */
	for (i = 0; i < 4 && r->sessions; i++)
		pass(r);
	ok(!r->sessions, "no session is left once every LUN is closed");
	for (ctx = contexts; ctx; ctx = next) {
		next = ctx->all;
		while (ctx->tasks) {
			struct ftask *ft = ctx->tasks;

			ctx->tasks = ft->next;
			free(ft);
		}
		free(ctx);
	}
	contexts = NULL;
	pthread_mutex_destroy(&r->lock);
	free(e);
}

/* ---- the tests ------------------------------------------------------- */

static void test_cancelled_fails_session(void)
{
	struct csa_engine *e = engine_new();
	struct reactor *r = &e->reactors[0];
	struct csa_lun *l = open_up(r, 1);
	struct session *s = l->s;
	struct iscsi_context *old = s->ctx;
	struct tio a, b;

	tio_submit(l, &a, CSA_IO_WRITE, 10);
	tio_submit(l, &b, CSA_IO_READ, 11);
	pass(r);
	ok(wire_task(old, 10) && wire_task(old, 11), "two commands on the wire");

	/* The socket breaks: libiscsi cancels both and returns 0. */
	old->drop_on_service = true;
	session_poll_done(s, POLLIN);
	pass(r);
	ok(old->issued_after_drop == 0,
	   "nothing is sent on a context whose commands came back CANCELLED");
	ok(s->state != SESS_UP, "the session is down at once");
	ok(old->destroyed && s->ctx != old, "its context is torn down");
	ok(!a.calls && !b.calls, "the cancelled I/O is kept, not failed");

	/* Reconnect after the first backoff, well before the I/O timeout:
	 * the I/O goes out on the new context. */
	tick(r, r->now_ns + (BACKOFF_MIN_MS + 50) * MS);
	ok(s->ctx && s->ctx != old && s->state == SESS_CONNECTING,
	   "a new login is started after the backoff");
	if (s->ctx && s->ctx != old) {
		login(s);
		pass(r);
		ok(wire_task(s->ctx, 10) && wire_task(s->ctx, 11),
		   "both commands are sent again after the login");
		answer_io(s->ctx, 10);
		answer_io(s->ctx, 11);
	}
	ok(a.calls == 1 && !a.err && b.calls == 1 && !b.err,
	   "both complete once, without error");
	close_lun(r, l);
	engine_free(e);
}

/* A second LUN whose READ CAPACITY never gets an answer. */
static void test_probe_deadline_shared(void)
{
	struct csa_engine *e = engine_new();
	struct reactor *r = &e->reactors[0];
	struct csa_lun *a = open_up(r, 1), *b;
	struct session *s = a->s;
	struct iscsi_context *old = s->ctx;
	uint64_t t0 = r->now_ns;
	struct opener o;
	struct tio io;

	b = open_start(r, &o, 2);
	pass(r);
	ok(nr_tasks(old, F_CAPACITY) == 1, "the probe of a second LUN is sent");
	tick(r, t0 + (LOGIN_TIMEOUT_MS + 100) * MS);
	ok(o.c.done && o.c.status == -ETIMEDOUT,
	   "its open fails at the login timeout");
	watched = b;
	watched_freed = false;
	tick(r, t0 + (IO_TIMEOUT_MS - 100) * MS);
	ok(s->state == SESS_UP && s->ctx == old,
	   "before the I/O timeout the session is left alone");
	tick(r, t0 + (IO_TIMEOUT_MS + 200) * MS);
	ok(old->destroyed, "past the I/O timeout the unanswered probe fails the session");
	ok(watched_freed, "and the LUN whose open failed is freed");
	ok(s->luns == a && !a->next, "only the open LUN is left on the session");
	watched = NULL;

	/* The open LUN works on after the next login. */
	memset(&io, 0, sizeof(io));
	tick(r, r->now_ns + BACKOFF_MAX_MS * MS);
	if (s->ctx && s->ctx != old) {
		login(s);
		tio_submit(a, &io, CSA_IO_READ, 5);
		pass(r);
		answer_io(s->ctx, 5);
	}
	ok(io.calls == 1 && !io.err, "I/O to the open LUN goes on after the next login");
	close_lun(r, a);
	engine_free(e);
}

/* The only LUN of its session: the session itself must go. */
static void test_probe_deadline_alone(void)
{
	struct csa_engine *e = engine_new();
	struct reactor *r = &e->reactors[0];
	uint64_t t0 = r->now_ns;
	struct csa_lun *l;
	struct session *s;
	struct opener o;

	l = open_start(r, &o, 3);
	s = l->s;
	login(s);
	pass(r);
	ok(s->ctx && nr_tasks(s->ctx, F_CAPACITY) == 1, "a lone LUN's probe is sent");
	tick(r, t0 + (LOGIN_TIMEOUT_MS + 100) * MS);
	ok(o.c.done && o.c.status == -ETIMEDOUT, "its open fails at the login timeout");
	tick(r, t0 + (IO_TIMEOUT_MS + 200) * MS);
	pass(r);
	ok(!r->sessions, "past the I/O timeout the LUN and its session are gone");
	engine_free(e);
}

static void test_deadline_order(void)
{
	struct csa_engine *e = engine_new();
	struct reactor *r = &e->reactors[0];
	struct csa_lun *l = open_up(r, 1);
	struct session *s = l->s;
	struct iscsi_context *ctx = s->ctx;
	uint64_t t0 = r->now_ns + 10000 * MS;
	struct tio a, b, c, d;

	/* On the wire: b (deadline late), then a (early, re-sent after a
	 * unit attention). */
	tio_submit(l, &a, CSA_IO_READ, 20);
	tio_submit(l, &b, CSA_IO_READ, 21);
	pass(r);
	a.io.t_deadline_ns = t0 + 1000 * MS;
	b.io.t_deadline_ns = t0 + 3000 * MS;
	if (wire_task(ctx, 20))
		answer(wire_task(ctx, 20), SCSI_STATUS_CHECK_CONDITION,
		       SCSI_SENSE_UNIT_ATTENTION);
	pass(r);
	ok(l->wire.head == &b.io && l->wire.tail == &a.io,
	   "on the wire: the later deadline first");
	tick(r, t0 + 2000 * MS);
	ok(a.calls == 1 && a.err == -ETIMEDOUT,
	   "an expired command behind one that has not expired fails at once");
	ok(!b.calls, "the other is kept, to be sent again");

	/* Queued while the session is down: c (late) ahead of d (early). */
	tio_submit(l, &c, CSA_IO_READ, 30);
	tio_submit(l, &d, CSA_IO_READ, 31);
	drain_inbox(r);
	io_list_del(&l->wait, &c.io);
	io_list_push_front(&l->wait, &c.io);
	c.io.t_deadline_ns = t0 + 6000 * MS;
	d.io.t_deadline_ns = t0 + 4000 * MS;
	b.io.t_deadline_ns = t0 + 8000 * MS;
	tick(r, t0 + 5000 * MS);
	ok(d.calls == 1 && d.err == -ETIMEDOUT,
	   "a queued command past its deadline behind one that is not fails at once");
	ok(!c.calls && !b.calls, "the queued ones not past it wait");
	close_lun(r, l);
	ok(b.calls == 1 && b.err == -ESHUTDOWN && c.calls == 1 &&
	   c.err == -ESHUTDOWN, "and fail with -ESHUTDOWN at close");
	engine_free(e);
}

static void test_big_transfer(void)
{
	struct csa_engine *e = engine_new();
	struct reactor *r = &e->reactors[0];
	struct csa_lun *l = open_up(r, 1);
	struct iscsi_context *ctx = l->s->ctx;
	unsigned before = ctx->issued;
	struct ftask *ft;
	struct tio big, max;

	memset(&big, 0, sizeof(big));
	big.iov[0] = (struct iovec){ NULL, 1ULL << 31 };
	big.iov[1] = (struct iovec){ NULL, (1ULL << 31) + 512 };
	big.io = (struct csa_io){ .op = CSA_IO_READ, .lba = 0,
				  .nblocks = (1u << 23) + 1, .iov = big.iov,
				  .iovcnt = 2, .done = tio_done };
	csa_lun_submit(l, &big.io);
	pass(r);
	ok(big.calls == 1 && big.err == -EINVAL,
	   "a read of 4 GiB + 512 bytes fails with -EINVAL");
	ok(ctx->issued == before, "and nothing is sent for it");

	memset(&max, 0, sizeof(max));
	max.iov[0] = (struct iovec){ NULL, 1ULL << 31 };
	max.iov[1] = (struct iovec){ NULL, (1ULL << 31) - 512 };
	max.io = (struct csa_io){ .op = CSA_IO_WRITE, .lba = 100,
				  .nblocks = (1u << 23) - 1, .iov = max.iov,
				  .iovcnt = 2, .done = tio_done };
	csa_lun_submit(l, &max.io);
	pass(r);
	ft = wire_task(ctx, 100);
	ok(ft && ft->len == UINT32_MAX - 511,
	   "a write of 4 GiB - 512 bytes is sent with its whole length");
	if (ft)
		answer(ft, SCSI_STATUS_GOOD, 0);
	ok(max.calls == 1 && !max.err, "and completes");
	close_lun(r, l);
	engine_free(e);
}

static void test_open_nomem(void)
{
	struct csa_engine *e = engine_new();
	struct reactor *r = &e->reactors[0];
	struct csa_lun *l = calloc(1, sizeof(*l));
	struct opener o;

	memset(&o, 0, sizeof(o));
	o.c = (struct cmd){ .type = CMD_OPEN, .lun = l,
			    .portal = "127.0.0.1:3260", .target = "iqn.t",
			    .err = o.err, .errlen = sizeof(o.err) };
	pthread_cond_init(&o.c.cond, NULL);
	watched = l;
	watched_freed = false;
	fail_next_calloc = true;	/* the session */
	run_cmd(r, &o.c);
	ok(o.c.done && o.c.status == -ENOMEM,
	   "an open that cannot get a session fails with -ENOMEM");
	ok(watched_freed, "and its LUN is freed (csa_lun_open does not)");
	if (!watched_freed)
		free(l);
	watched = NULL;
	engine_free(e);
}

/* Is SIGPIPE blocked on every thread of this process but the caller? */
static bool others_block_sigpipe(unsigned *threads)
{
	char path[320], line[256];
	struct dirent *d;
	bool all = true;
	DIR *dir;
	FILE *f;

	*threads = 0;
	dir = opendir("/proc/self/task");
	if (!dir)
		return false;
	while ((d = readdir(dir))) {
		unsigned long long blk;

		if (d->d_name[0] == '.' || atoi(d->d_name) == (int)gettid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "SigBlk: %llx", &blk) == 1) {
				(*threads)++;
				all &= (blk >> (SIGPIPE - 1)) & 1;
			}
		fclose(f);
	}
	closedir(dir);
	return all;
}

/* A real engine: its reactor threads, not the caller's, block SIGPIPE. */
static void test_reactor_sigpipe(void)
{
	struct csa_engine_opts o;
	struct csa_engine *e;
	unsigned threads;
	sigset_t mine;

	csa_engine_opts_default(&o);
	o.nr_reactors = 2;
	if (!ok(csa_engine_start(&o, &e) == 0, "an engine with 2 reactors starts"))
		return;
	usleep(100 * 1000);	/* let the threads run their first lines */
	ok(others_block_sigpipe(&threads) && threads == 2,
	   "both reactor threads block SIGPIPE");
	pthread_sigmask(SIG_SETMASK, NULL, &mine);
	ok(!sigismember(&mine, SIGPIPE), "the caller's thread is left alone");
	csa_engine_stop(e);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_cancelled_fails_session();
	test_probe_deadline_shared();
	test_probe_deadline_alone();
	test_deadline_order();
	test_big_transfer();
	test_open_nomem();
	test_reactor_sigpipe();
	return failed;
}
