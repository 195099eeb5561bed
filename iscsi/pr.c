// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Persistent reservations (pr.h): the commands, the registration each
 * login makes before anything else, and the blocking calls the primary
 * fences with. The commands are csa_io ops, so they share the queue, the
 * re-sends after a reconnect and the timeouts of every other command.
 */
#include <errno.h>
#include <string.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "iscsi/engine_int.h"
#include "iscsi/pr.h"

#define PR_TYPE		SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE_ALL_REGISTRANTS
#define PR_KEYS_LEN	65528	/* READ KEYS: room for 8190 keys */

uint64_t csa_pr_host_key(const char *host)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	const char *p;

	for (p = "csafs host "; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	for (p = host; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	/* Never 0 (no key) and never the primary's: the top byte says host. */
	return (h & 0x00ffffffffffffffULL) | 0x4800000000000000ULL;
}

bool csa_pr_has_key(const uint64_t *keys, unsigned n, uint64_t key)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (keys[i] == key)
			return true;
	return false;
}

/* ---- the commands ------------------------------------------------------ */

bool pr_op(const struct csa_io *io)
{
	return io->op >= CSA_IO_PR_REGISTER && io->op <= CSA_IO_PR_READ_KEYS;
}

int pr_check(const struct csa_io *io)
{
	if (io->op > CSA_IO_PR_READ_KEYS || io->nblocks || !io->pr_key)
		return -EINVAL;
	if (io->op == CSA_IO_PR_READ_KEYS &&
	    (io->iovcnt != 1 || io->iov[0].iov_len < sizeof(uint64_t)))
		return -EINVAL;
	if (io->op == CSA_IO_PR_PREEMPT && !io->pr_other)
		return -EINVAL;
	return 0;
}

struct scsi_task *pr_issue(struct csa_lun *l, struct csa_io *io,
			   pr_task_cb cb)
{
	struct scsi_persistent_reserve_out_basic b = {
		.reservation_key = io->pr_key,
	};
	struct iscsi_context *ctx = l->s->ctx;
	int sa;

	switch (io->op) {
	case CSA_IO_PR_REGISTER:
		b.reservation_key = 0;
		b.service_action_reservation_key = io->pr_key;
		sa = SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY;
		break;
	case CSA_IO_PR_RESERVE:
		sa = SCSI_PERSISTENT_RESERVE_RESERVE;
		break;
	case CSA_IO_PR_PREEMPT:
		b.service_action_reservation_key = io->pr_other;
		sa = SCSI_PERSISTENT_RESERVE_PREEMPT;
		break;
	default:
		return iscsi_persistent_reserve_in_task(ctx, (int)l->lun,
				SCSI_PERSISTENT_RESERVE_READ_KEYS, PR_KEYS_LEN,
				cb, io);
	}
	/* libiscsi copies @b into the command's data-out buffer. */
	return iscsi_persistent_reserve_out_task(ctx, (int)l->lun, sa, 0,
			io->op == CSA_IO_PR_REGISTER ? 0 : PR_TYPE, &b, cb, io);
}

void pr_keys_read(struct csa_io *io, struct scsi_task *t)
{
	struct scsi_persistent_reserve_in_read_keys *rk;
	uint64_t *out = io->iov[0].iov_base;
	size_t max = io->iov[0].iov_len / sizeof(uint64_t);
	int i;

	io->pr_other = 0;
	rk = scsi_datain_unmarshall(t);
	for (i = 0; rk && i < rk->num_keys && (size_t)i < max; i++)
		out[i] = rk->keys[i];
	io->pr_other = rk ? (uint64_t)i : 0;
}

/* ---- the registration of a login --------------------------------------- */

static void login_pr_done(struct csa_io *io, int err)
{
	struct csa_lun *l = io->priv;
	unsigned i = io == &l->pr_io[0] ? 0 : 1;

	l->pr_queued[i] = false;
	if (err || i == 1 || !l->pr_queued[1])
		atomic_store(&l->pr_status, err);
}

/* Put @io first in @l's queue, as csa_lun_submit would have at the end. */
static void push_first(struct csa_lun *l, unsigned i, uint8_t op, uint64_t key)
{
	struct csa_io *io = &l->pr_io[i];
	uint64_t now = csa_now_ns();

	if (l->pr_queued[i])	/* still queued from the last login */
		return;
	*io = (struct csa_io){
		.op = op, .pr_key = key, .done = login_pr_done, .priv = l,
		.t_owner = l, .t_start_ns = now,
		.t_deadline_ns = now + (uint64_t)l->s->r->e->o.io_timeout_ms * 1000000ULL,
	};
	l->pr_queued[i] = true;
	atomic_fetch_add_explicit(&l->stats.in_flight, 1, memory_order_relaxed);
	io_list_push_front(&l->wait, io);
}

void pr_login(struct csa_lun *l)
{
	struct csa_engine *e = l->s->r->e;
	uint64_t key = atomic_load(&e->pr_key);

	if (!key || l->closing)
		return;
	atomic_store(&l->pr_status, 1);
	/* A REGISTER still waiting (not on the wire) is taken out and put
	 * back first: a RESERVE pushed now must not go out before it. */
	if (l->pr_queued[0] && !l->pr_io[0].t_task) {
		io_list_del(&l->wait, &l->pr_io[0]);
		atomic_fetch_sub_explicit(&l->stats.in_flight, 1,
					  memory_order_relaxed);
		l->pr_queued[0] = false;
	}
	/* Pushed in reverse: REGISTER goes out first, RESERVE behind it. */
	if (l->pr_hold)
		push_first(l, 1, CSA_IO_PR_RESERVE, key);
	push_first(l, 0, CSA_IO_PR_REGISTER, key);
}

void pr_run_cmd(struct reactor *r, struct cmd *c)
{
	struct session *s;
	struct csa_lun *l;

	if (c->lun) {		/* csa_lun_pr_hold */
		c->lun->pr_hold = true;
		if (c->lun->open && c->lun->s->state == SESS_UP) {
			pr_login(c->lun);
			lun_kick(c->lun);
		}
		cmd_finish(r, c, 0);
		return;
	}
	for (s = r->sessions; s; s = s->next)
		for (l = s->luns; l; l = l->next)
			if (l->open && !s->dead) {
				pr_login(l);
				lun_kick(l);
			}
	cmd_finish(r, c, 0);
}

void csa_lun_pr_hold(struct csa_lun *l)
{
	struct cmd c = { .type = CMD_PR, .lun = l };

	cmd_run(l->s->r, &c);
}

void csa_engine_pr_key(struct csa_engine *e, uint64_t key)
{
	unsigned i;

	atomic_store(&e->pr_key, key);
	if (!key)
		return;
	for (i = 0; i < e->nr_reactors; i++) {
		struct cmd c = { .type = CMD_PR };

		cmd_run(&e->reactors[i], &c);
	}
}

int csa_lun_pr_status(const struct csa_lun *l)
{
	return atomic_load(&((struct csa_lun *)l)->pr_status);
}

/* ---- blocking calls ----------------------------------------------------- */

int csa_lun_pr_keys(struct csa_lun *l, uint64_t *keys, unsigned max,
		    unsigned *nr)
{
	struct iovec v = { keys, (size_t)max * sizeof(*keys) };
	struct csa_io io = { .op = CSA_IO_PR_READ_KEYS, .pr_key = 1,
			     .iov = &v, .iovcnt = 1 };
	int ret = csa_lun_run(l, &io);

	*nr = ret ? 0 : (unsigned)io.pr_other;
	return ret;
}

int csa_lun_pr_preempt(struct csa_lun *l, uint64_t ours, uint64_t theirs)
{
	struct csa_io io = { .op = CSA_IO_PR_PREEMPT, .pr_key = ours,
			     .pr_other = theirs };

	return csa_lun_run(l, &io);
}
