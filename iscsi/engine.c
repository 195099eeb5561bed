// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's reactors: one thread and one io_uring each. A reactor waits
 * on its ring for three kinds of completion:
 *   - a poll on a session's socket  -> iscsi_service(ctx, revents)
 *   - a read of its eventfd         -> I/O and commands from other threads
 *   - a 100 ms timeout              -> deadlines, reconnects, and the
 *                                      once-a-second iscsi_service(ctx, 0)
 * and after each batch lets every session issue and flush (session_after).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "iscsi/engine_int.h"

#define TAG_EVENTFD	1
#define TAG_TIMER	2
#define TAG_SESSION	3
#define TAG_MASK	7
#define RING_ENTRIES	1024
#define TICK_NS		100000000LL

uint64_t csa_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- intrusive lists ------------------------------------------------ */

void io_list_push(struct io_list *l, struct csa_io *io)
{
	io->t_next = NULL;
	io->t_prev = l->tail;
	if (l->tail)
		l->tail->t_next = io;
	else
		l->head = io;
	l->tail = io;
}

void io_list_push_front(struct io_list *l, struct csa_io *io)
{
	io->t_prev = NULL;
	io->t_next = l->head;
	if (l->head)
		l->head->t_prev = io;
	else
		l->tail = io;
	l->head = io;
}

void io_list_del(struct io_list *l, struct csa_io *io)
{
	if (io->t_prev)
		io->t_prev->t_next = io->t_next;
	else
		l->head = io->t_next;
	if (io->t_next)
		io->t_next->t_prev = io->t_prev;
	else
		l->tail = io->t_prev;
	io->t_next = io->t_prev = NULL;
}

struct csa_io *io_list_pop(struct io_list *l)
{
	struct csa_io *io = l->head;

	if (io)
		io_list_del(l, io);
	return io;
}

/* ---- completion ----------------------------------------------------- */

void io_complete(struct csa_lun *l, struct csa_io *io, int err)
{
	uint64_t us = (csa_now_ns() - io->t_start_ns) / 1000;
	uint64_t bytes = (uint64_t)io->nblocks * l->info.block_size;

	if (err != -EIO)
		memset(&io->sense, 0, sizeof(io->sense));
	csa_stats_complete(&l->stats, io->op, io->op == CSA_IO_SYNC ? 0 : bytes,
			   us, err);
	io->done(io, err);
}

void cmd_finish(struct reactor *r, struct cmd *c, int status)
{
	pthread_mutex_lock(&r->lock);
	c->status = status;
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&r->lock);
}

/* ---- the loop ------------------------------------------------------- */

static void arm_eventfd(struct reactor *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	io_uring_prep_read(sqe, r->efd, &r->efd_val, sizeof(r->efd_val), 0);
	io_uring_sqe_set_data64(sqe, TAG_EVENTFD);
}

static void arm_timer(struct reactor *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	io_uring_prep_timeout(sqe, &r->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_TIMER);
}

static void run_cmd(struct reactor *r, struct cmd *c)
{
	struct session *s;

	if (c->type == CMD_CLOSE) {
		lun_close_start(c->lun, c);
		return;
	}
	if (c->type == CMD_PR) {
		pr_run_cmd(r, c);
		return;
	}
	s = session_get(r, c->portal, c->target);
	if (!s) {
		/* A failed open's LUN is ours to free (csa_lun_open), and
		 * no session or libiscsi command knows of this one. */
		free(c->lun);
		snprintf(c->err, c->errlen, "out of memory");
		cmd_finish(r, c, -ENOMEM);
		return;
	}
	c->lun->s = s;
	lun_open_start(c->lun, c);
}

/* Take what other threads (and our own callbacks) handed in. */
static void drain_inbox(struct reactor *r)
{
	struct io_list in;
	struct cmd *cmds, *c;
	struct csa_io *io;
	struct csa_lun *l;

	pthread_mutex_lock(&r->lock);
	in = r->inbox;
	r->inbox.head = r->inbox.tail = NULL;
	cmds = r->cmds;
	r->cmds = NULL;
	r->signalled = false;
	r->stop_seen = r->stopping;
	pthread_mutex_unlock(&r->lock);

	for (;;) {
		io = io_list_pop(&in);
		if (!io)
			io = io_list_pop(&r->local);
		if (!io)
			break;
		l = io->t_owner;
		if (l->closing)
			io_complete(l, io, -ESHUTDOWN);
		else
			io_list_push(&l->wait, io);
	}
	while ((c = cmds)) {
		cmds = c->next;
		run_cmd(r, c);
	}
}

static void handle_cqe(struct reactor *r, struct io_uring_cqe *cqe)
{
	uint64_t tag = io_uring_cqe_get_data64(cqe);
	struct session *s;

	switch (tag & TAG_MASK) {
	case TAG_EVENTFD:
		arm_eventfd(r);
		break;
	case TAG_TIMER:
		for (s = r->sessions; s; s = s->next)
			session_tick(s);
		arm_timer(r);
		break;
	case TAG_SESSION:
		s = (struct session *)(uintptr_t)(tag & ~(uint64_t)TAG_MASK);
		session_poll_done(s, cqe->res);
		break;
	default:
		break;	/* poll removals */
	}
}

static void reap_sessions(struct reactor *r)
{
	struct session *s, *next;

	for (s = r->sessions; s; s = s->next)
		session_after(s);
	for (s = r->sessions; s; s = next) {
		next = s->next;
		session_maybe_free(s);
	}
}

/*
 * libiscsi writes to a target's socket with plain send and writev: once
 * the target has gone (an array restarted), a write fails with EPIPE and
 * raises SIGPIPE, which would end the whole process. It is blocked on the
 * reactor threads alone, which the engine owns and where every libiscsi
 * call is made; the session sees the error and logs in again.
 */
static void block_sigpipe(void)
{
	sigset_t pipe;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
}

static void *reactor_main(void *arg)
{
	struct reactor *r = arg;
	struct io_uring_cqe *cqe;
	unsigned head, n;

	block_sigpipe();
	arm_eventfd(r);
	arm_timer(r);
	while (!r->stop_seen || r->sessions) {
		/* Work our own callbacks queued must not wait for a tick. */
		io_uring_submit_and_wait(&r->ring, r->local.head ? 0 : 1);
		r->now_ns = csa_now_ns();
		n = 0;
		io_uring_for_each_cqe(&r->ring, head, cqe) {
			handle_cqe(r, cqe);
			n++;
		}
		io_uring_cq_advance(&r->ring, n);
		drain_inbox(r);
		reap_sessions(r);
	}
	return NULL;
}

/* ---- handing work to a reactor -------------------------------------- */

static void reactor_wake(struct reactor *r)
{
	uint64_t one = 1;

	/* An eventfd write cannot fail short of overflow: ignore. */
	if (write(r->efd, &one, sizeof(one)) < 0)
		return;
}

/* Post @c and wait for the reactor to finish it. */
int cmd_run(struct reactor *r, struct cmd *c)
{
	bool wake;

	pthread_cond_init(&c->cond, NULL);
	pthread_mutex_lock(&r->lock);
	c->next = r->cmds;
	r->cmds = c;
	wake = !r->signalled;
	r->signalled = true;
	pthread_mutex_unlock(&r->lock);
	if (wake)
		reactor_wake(r);
	pthread_mutex_lock(&r->lock);
	while (!c->done)
		pthread_cond_wait(&c->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	pthread_cond_destroy(&c->cond);
	return c->status;
}

void csa_lun_submit(struct csa_lun *l, struct csa_io *io)
{
	struct reactor *r = l->s->r;
	uint64_t now = csa_now_ns();
	bool wake;

	io->t_owner = l;
	io->t_start_ns = now;
	io->t_deadline_ns = now + (uint64_t)r->e->o.io_timeout_ms * 1000000ULL;
	io->t_retries = 0;
	io->t_flags = 0;
	io->t_task = NULL;
	atomic_fetch_add_explicit(&l->stats.in_flight, 1, memory_order_relaxed);
	if (pthread_equal(pthread_self(), r->thread)) {
		/* From a completion callback: no lock, no wake-up needed. */
		io_list_push(&r->local, io);
		return;
	}
	pthread_mutex_lock(&r->lock);
	io_list_push(&r->inbox, io);
	wake = !r->signalled;
	r->signalled = true;
	pthread_mutex_unlock(&r->lock);
	if (wake)
		reactor_wake(r);
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
};

static void wake(struct csa_io *io, int err)
{
	struct waiter *w = io->priv;

	pthread_mutex_lock(&w->lock);
	w->err = err;
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int csa_lun_run(struct csa_lun *l, struct csa_io *io)
{
	struct waiter w = { .lock = PTHREAD_MUTEX_INITIALIZER,
			    .cond = PTHREAD_COND_INITIALIZER };

	io->done = wake;
	io->priv = &w;
	csa_lun_submit(l, io);
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	return w.err;
}

/* ---- engine --------------------------------------------------------- */

void csa_engine_opts_default(struct csa_engine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->queue_depth = CSA_DEFAULT_QUEUE_DEPTH;
	o->io_timeout_ms = CSA_DEFAULT_IO_TIMEOUT_MS;
	o->login_timeout_ms = CSA_DEFAULT_LOGIN_TIMEOUT_MS;
	o->nr_reactors = 1;
}

static void default_initiator(char *buf, size_t n)
{
	char host[128] = "localhost";

	gethostname(host, sizeof(host) - 1);
	snprintf(buf, n, "iqn.2026-11.org.csafs:%s", host);
}

static int reactor_init(struct csa_engine *e, struct reactor *r)
{
	int ret;

	r->e = e;
	r->tick.tv_nsec = TICK_NS;
	pthread_mutex_init(&r->lock, NULL);
	r->efd = eventfd(0, EFD_CLOEXEC);
	if (r->efd < 0)
		return -errno;
	ret = io_uring_queue_init(RING_ENTRIES, &r->ring, 0);
	if (ret < 0)
		goto err_efd;
	ret = -pthread_create(&r->thread, NULL, reactor_main, r);
	if (ret)
		goto err_ring;
	return 0;
err_ring:
	io_uring_queue_exit(&r->ring);
err_efd:
	close(r->efd);
	return ret;
}

static void reactor_stop(struct reactor *r)
{
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	r->signalled = true;
	pthread_mutex_unlock(&r->lock);
	reactor_wake(r);
	pthread_join(r->thread, NULL);
	io_uring_queue_exit(&r->ring);
	close(r->efd);
	pthread_mutex_destroy(&r->lock);
}

int csa_engine_start(const struct csa_engine_opts *o, struct csa_engine **out)
{
	struct csa_engine *e;
	unsigned i;
	int ret;

	if (!o->queue_depth || !o->nr_reactors || o->nr_reactors > 64 ||
	    !o->io_timeout_ms || !o->login_timeout_ms)
		return -EINVAL;
	e = calloc(1, sizeof(*e) + o->nr_reactors * sizeof(struct reactor));
	if (!e)
		return -ENOMEM;
	e->o = *o;
	if (o->initiator)
		snprintf(e->initiator, sizeof(e->initiator), "%s", o->initiator);
	else
		default_initiator(e->initiator, sizeof(e->initiator));
	e->o.initiator = e->initiator;
	for (i = 0; i < o->nr_reactors; i++) {
		ret = reactor_init(e, &e->reactors[i]);
		if (ret)
			goto err;
		e->nr_reactors++;
	}
	*out = e;
	return 0;
err:
	csa_engine_stop(e);
	return ret;
}

void csa_engine_stop(struct csa_engine *e)
{
	unsigned i;

	for (i = 0; i < e->nr_reactors; i++)
		reactor_stop(&e->reactors[i]);
	free(e);
}

/* ---- LUNs ----------------------------------------------------------- */

/* A session lives on one reactor: spread (portal, target) pairs. */
static struct reactor *pick_reactor(struct csa_engine *e, const char *portal,
				    const char *target)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = portal; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (p = target; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return &e->reactors[h % e->nr_reactors];
}

int csa_lun_open(struct csa_engine *e, const char *portal, const char *target,
		 unsigned lun, struct csa_lun **out, char *err, size_t errlen)
{
	struct cmd c = { .type = CMD_OPEN, .portal = portal, .target = target,
			 .err = err, .errlen = errlen };
	struct csa_lun *l;
	int ret;

	if (strlen(portal) >= sizeof(((struct session *)0)->portal) ||
	    strlen(target) >= sizeof(((struct session *)0)->target) ||
	    lun > 16383) {
		snprintf(err, errlen, "portal, target name or LUN out of range");
		return -EINVAL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->lun = lun;
	snprintf(l->name, sizeof(l->name), "%s %s LUN %u", portal, target, lun);
	c.lun = l;
	/* On failure the reactor frees @l once libiscsi is done with it. */
	ret = cmd_run(pick_reactor(e, portal, target), &c);
	if (ret)
		return ret;
	*out = l;
	return 0;
}

void csa_lun_close(struct csa_lun *l)
{
	struct cmd c = { .type = CMD_CLOSE, .lun = l };

	cmd_run(l->s->r, &c);
	free(l);
}

const struct csa_lun_info *csa_lun_info(const struct csa_lun *l)
{
	return &l->info;
}

unsigned csa_lun_load(const struct csa_lun *l)
{
	return atomic_load_explicit(&l->stats.in_flight, memory_order_relaxed);
}

const struct csa_lun_stats *csa_lun_stats(const struct csa_lun *l)
{
	return &l->stats;
}

const char *csa_lun_name(const struct csa_lun *l)
{
	return l->name;
}
