/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Engine internals shared by engine.c (reactor loop, queues, public API)
 * and session.c (libiscsi sessions, LUN probing, command issue).
 *
 * Everything in struct session and struct csa_lun below the "reactor only"
 * mark is touched by the owning reactor thread alone.
 */
#ifndef CSA_ENGINE_INT_H
#define CSA_ENGINE_INT_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "iscsi/engine.h"

struct iscsi_context;
struct reactor;
struct session;

/* Intrusive FIFO of struct csa_io through t_next/t_prev. */
struct io_list {
	struct csa_io *head;
	struct csa_io *tail;
};

enum sess_state {
	SESS_DOWN,		/* no context; reconnect at retry_ns */
	SESS_CONNECTING,	/* TCP connect + login in progress */
	SESS_UP,		/* logged in: commands may be issued */
};

enum poll_state {
	POLL_IDLE,		/* nothing armed */
	POLL_ARMED,		/* a POLL_ADD is in the ring */
	POLL_CANCELLING,	/* a POLL_REMOVE is; wait for both CQEs */
};

/* A blocking request from another thread to the reactor. */
enum cmd_type { CMD_OPEN, CMD_CLOSE, CMD_PR };

struct cmd {
	enum cmd_type type;
	struct csa_lun *lun;
	const char *portal;	/* CMD_OPEN */
	const char *target;
	int status;
	char *err;
	size_t errlen;
	bool done;		/* protected by reactor->lock */
	pthread_cond_t cond;
	struct cmd *next;
};

struct csa_lun {
	struct session *s;
	unsigned lun;
	char name[320];
	struct csa_lun_info info;
	struct csa_lun_stats stats;
	atomic_int pr_status;	/* csa_lun_pr_status */

	/* reactor only */
	struct csa_lun *next;
	struct cmd *open_cmd;	/* while probing */
	uint64_t open_deadline_ns;
	unsigned probe_uas;	/* unit attentions eaten while probing */
	bool open;		/* probed; I/O accepted */
	bool failed;		/* open failed: freed by session_reap */
	bool probe_busy;	/* a probe command is in flight */
	uint64_t probe_deadline_ns;	/* ... and must be answered by then */
	bool closing;
	struct cmd *close_cmd;
	unsigned on_wire;
	struct io_list wait;	/* accepted, not yet on the wire */
	struct io_list wire;	/* on the wire, oldest first */
	struct csa_io pr_io[2];	/* this login's REGISTER, RESERVE (pr.c) */
	bool pr_queued[2];	/* ... not completed yet */
	bool pr_hold;		/* reserve too, at every login */
};

struct session {
	struct reactor *r;
	char portal[64];
	char target[224];

	/* reactor only */
	struct session *next;
	struct iscsi_context *ctx;
	enum sess_state state;
	enum poll_state poll;
	int armed_fd;
	int armed_events;
	uint64_t retry_ns;	/* DOWN: when to connect again */
	uint64_t login_deadline_ns;
	uint64_t last_tick_ns;	/* last iscsi_service(ctx, 0) */
	unsigned backoff_ms;
	bool ever_up;
	bool dead;		/* freed once its poll has completed */
	bool fail_pending;	/* torn down by session_after */
	struct csa_lun *luns;	/* open and probing */
	char error[256];	/* why it last went down */
};

struct reactor {
	struct csa_engine *e;
	pthread_t thread;
	struct io_uring ring;
	int efd;
	uint64_t efd_val;

	pthread_mutex_t lock;
	struct io_list inbox;	/* protected by lock */
	struct cmd *cmds;	/* protected by lock */
	bool signalled;		/* protected by lock: efd written, not read */
	bool stopping;		/* protected by lock */

	/* reactor only */
	struct io_list local;	/* submitted from the reactor thread itself */
	struct session *sessions;
	bool stop_seen;		/* copy of stopping, taken with the inbox */
	uint64_t now_ns;
	struct __kernel_timespec tick;
};

struct csa_engine {
	struct csa_engine_opts o;
	_Atomic uint64_t pr_key;	/* registered at each login; 0: none */
	char initiator[224];
	unsigned nr_reactors;
	struct reactor reactors[];
};

/* engine.c */
uint64_t csa_now_ns(void);
void io_list_push(struct io_list *l, struct csa_io *io);
void io_list_push_front(struct io_list *l, struct csa_io *io);
void io_list_del(struct io_list *l, struct csa_io *io);
struct csa_io *io_list_pop(struct io_list *l);
void cmd_finish(struct reactor *r, struct cmd *c, int status);
int cmd_run(struct reactor *r, struct cmd *c);
void io_complete(struct csa_lun *l, struct csa_io *io, int err);

/* session.c */
struct session *session_get(struct reactor *r, const char *portal,
			    const char *target);
void session_connect(struct session *s);
void session_fail(struct session *s, const char *why);
void session_tick(struct session *s);
void session_arm(struct session *s);
void session_poll_done(struct session *s, int res);
void session_after(struct session *s);
void session_maybe_free(struct session *s);
void lun_open_start(struct csa_lun *l, struct cmd *c);
void lun_close_start(struct csa_lun *l, struct cmd *c);
void lun_kick(struct csa_lun *l);

/* pr.c */
typedef void (*pr_task_cb)(struct iscsi_context *ctx, int status, void *data,
			   void *priv);
void pr_login(struct csa_lun *l);
void pr_run_cmd(struct reactor *r, struct cmd *c);
bool pr_op(const struct csa_io *io);
int pr_check(const struct csa_io *io);
struct scsi_task *pr_issue(struct csa_lun *l, struct csa_io *io,
			   pr_task_cb cb);
void pr_keys_read(struct csa_io *io, struct scsi_task *t);

#endif
