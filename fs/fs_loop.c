// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The request loop. One thread, the main one, reads /dev/fuse. Reads and
 * writes of volume files only submit to the striper and never wait (their
 * answer comes from the transport thread), so it runs them itself; every
 * other request may wait (the primary, a map being built, .csa/ waits) and
 * goes to a pool of worker threads.
 *
 * Why not libfuse's multi-threaded loop: each of its idle threads waits in
 * read(2) on /dev/fuse, and the kernel wakes one of them for each request
 * it queues, so a burst of small reads costs a thread switch per request.
 * A single reader is woken once and takes what has queued meanwhile.
 */
#include <errno.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"

#define LOOP_MAX_WORKERS	64	/* requests that wait, at once */

struct loop_job {
	struct loop_job *next;
	struct fuse_buf buf;
};

/* Runs each request it is given; ends after max_idle idle ones. */
static void *worker_main(void *arg)
{
	struct csafs_loop *l = arg;
	struct loop_job *j;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (!l->head && !l->stop && l->idle < l->max_idle) {
			l->idle++;
			pthread_cond_wait(&l->cond, &l->lock);
			l->idle--;
		}
		j = l->head;
		if (!j)
			break;
		l->head = j->next;
		if (!l->head)
			l->tail = &l->head;
		l->queued--;
		pthread_mutex_unlock(&l->lock);
		fuse_session_process_buf(l->se, &j->buf);
		free(j);
		pthread_mutex_lock(&l->lock);
	}
	/* Nothing of @l is touched once the lock is let go. */
	if (!--l->workers)
		pthread_cond_broadcast(&l->gone);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* A worker thread; signals stay with the main thread. lock held. */
static void worker_start(struct csafs_loop *l)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (!pthread_create(&t, &attr, worker_main, l))
		l->workers++;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Hand a request to the workers. Its bytes are copied: the reader's
 * buffer is the next request's. Runs it here when that fails.
 */
static void hand_off(struct csafs_loop *l, const struct fuse_buf *buf)
{
	struct loop_job *j = malloc(sizeof(*j) + buf->size);

	if (!j) {
		fuse_session_process_buf(l->se, buf);
		return;
	}
	j->next = NULL;
	j->buf = (struct fuse_buf){ .size = buf->size, .mem = j + 1 };
	memcpy(j + 1, buf->mem, buf->size);
	pthread_mutex_lock(&l->lock);
	*l->tail = j;
	l->tail = &j->next;
	l->queued++;
	if (l->queued > l->idle && l->workers < LOOP_MAX_WORKERS)
		worker_start(l);
	if (!l->workers) {
		/* No thread could be made: run it here. */
		l->head = NULL;
		l->tail = &l->head;
		l->queued = 0;
		pthread_mutex_unlock(&l->lock);
		fuse_session_process_buf(l->se, &j->buf);
		free(j);
		return;
	}
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

/* A read or a write of a volume file: it does not wait. */
static bool runs_inline(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	if (buf->flags & FUSE_BUF_IS_FD)
		return true;	/* spliced: cannot be copied; not asked for */
	if (buf->size < sizeof(*in))
		return true;	/* libfuse answers what is malformed */
	return (in->opcode == FUSE_READ || in->opcode == FUSE_WRITE) &&
	       csafs_is_volume(in->nodeid);
}

int csafs_loop_run(struct csafs *fs, unsigned max_idle)
{
	struct csafs_loop *l = &fs->loop;
	struct fuse_buf buf = { 0 };
	int res = 0;

	memset(l, 0, sizeof(*l));
	l->se = fs->se;
	l->max_idle = max_idle;
	l->tail = &l->head;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	pthread_cond_init(&l->gone, NULL);

	while (!fuse_session_exited(fs->se)) {
		res = fuse_session_receive_buf(fs->se, &buf);
		if (res == -EINTR)
			continue;
		if (res <= 0)
			break;
		if (runs_inline(&buf))
			fuse_session_process_buf(fs->se, &buf);
		else
			hand_off(l, &buf);
	}
	free(buf.mem);

	/* What the workers hold is answered first, as libfuse does. */
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	pthread_cond_broadcast(&l->cond);
	while (l->workers)
		pthread_cond_wait(&l->gone, &l->lock);
	pthread_mutex_unlock(&l->lock);
	/* The last worker may still be leaving pthread_mutex_unlock: @l's
	 * lock and conditions stay (fs outlives every thread). */
	fuse_session_reset(fs->se);
	return res < 0 ? res : 0;
}
