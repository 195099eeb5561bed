// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/events over FUSE (pseudo_priv.h): reads, the reads that wait at
 * the end for the next event, and poll.
 *
 * A read at or past the end is kept, unanswered, on p->waiters; the
 * thread that logs the next event answers it. It is interruptible: the
 * kernel sends FUSE_INTERRUPT when the reader gets a signal (timeout(1),
 * ^C), and waits for our answer even when the signal is fatal, so an
 * unanswered interrupt would leave the reader unkillable.
 *
 * libfuse calls the interrupt callback either at once, inside
 * fuse_req_interrupt_func (the request was interrupted before we got to
 * it; the request is then ours alone and must not be answered from the
 * callback), or later from the thread that read the FUSE_INTERRUPT,
 * holding its own reference to the request, where answering is safe. The
 * "registering" flag tells the two apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pseudo_priv.h"

/* Answer @w with what the log has from its offset; lock held. */
static void answer(struct csafs_pseudo *p, struct waiter *w)
{
	char *buf = malloc(w->size ? w->size : 1);
	size_t n;

	if (!buf) {
		fuse_reply_err(w->req, ENOMEM);
		return;
	}
	n = csafs_evlog_read(p->log, w->off, buf, w->size);
	w->f->pos = w->off + n;
	fuse_reply_buf(w->req, buf, n);
	free(buf);
}

/* Take @w off the list; lock held. */
static void unlink_waiter(struct csafs_pseudo *p, struct waiter *w)
{
	struct waiter **pp;

	for (pp = &p->waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static void interrupted(fuse_req_t req, void *data)
{
	struct csafs_pseudo *p = data;
	struct waiter *w;

	pthread_mutex_lock(&p->lock);
	for (w = p->waiters; w && w->req != req; w = w->next)
		;
	if (w && w->registering) {
		w->interrupted = true;
		w = NULL;
	} else if (w) {
		unlink_waiter(p, w);
	}
	pthread_mutex_unlock(&p->lock);
	if (w) {
		fuse_reply_err(req, EINTR);
		free(w);
	}
}

/* Park @req until the log grows past @off. */
static void wait_for_event(struct csafs_pseudo *p, fuse_req_t req,
			   struct pfile *f, size_t size, uint64_t off)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w) {
		pthread_mutex_unlock(&p->lock);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	*w = (struct waiter){ .req = req, .f = f, .off = off, .size = size,
			      .registering = true, .next = p->waiters };
	p->waiters = w;
	pthread_mutex_unlock(&p->lock);

	fuse_req_interrupt_func(req, interrupted, p);

	pthread_mutex_lock(&p->lock);
	w->registering = false;
	if (w->interrupted || p->closing ||
	    off < csafs_evlog_size(p->log)) {
		/* Interrupted, or an event came meanwhile: answer now. */
		unlink_waiter(p, w);
		if (w->interrupted)
			fuse_reply_err(req, EINTR);
		else
			answer(p, w);
		free(w);
	}
	pthread_mutex_unlock(&p->lock);
}

void pseudo_events_read(struct csafs_pseudo *p, fuse_req_t req,
			struct pfile *f, size_t size, off_t off, int flags)
{
	struct waiter now = { .req = req, .f = f, .off = (uint64_t)off,
			      .size = size };

	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if ((uint64_t)off < csafs_evlog_size(p->log) || !size || p->closing) {
		answer(p, &now);
	} else if (flags & O_NONBLOCK) {
		f->pos = (uint64_t)off;
		fuse_reply_err(req, EAGAIN);
	} else {
		wait_for_event(p, req, f, size, (uint64_t)off);
		return;		/* unlocked there */
	}
	pthread_mutex_unlock(&p->lock);
}

void pseudo_events_poll(struct csafs_pseudo *p, fuse_req_t req,
			struct pfile *f, struct fuse_pollhandle *ph)
{
	struct fuse_pollhandle *old = NULL;
	unsigned revents = 0;

	pthread_mutex_lock(&p->lock);
	if (csafs_evlog_size(p->log) > f->pos || p->closing)
		revents = POLLIN | POLLRDNORM;
	if (ph) {
		old = f->ph;
		f->ph = ph;
	}
	pthread_mutex_unlock(&p->lock);
	if (old)
		fuse_pollhandle_destroy(old);
	fuse_reply_poll(req, revents);
}

void pseudo_events_opened(struct csafs_pseudo *p, struct pfile *f)
{
	pthread_mutex_lock(&p->lock);
	f->next_reader = p->readers;
	p->readers = f;
	pthread_mutex_unlock(&p->lock);
}

void pseudo_events_released(struct csafs_pseudo *p, struct pfile *f)
{
	struct pfile **pp;
	struct waiter *w, *next, *mine = NULL;

	pthread_mutex_lock(&p->lock);
	for (pp = &p->readers; *pp; pp = &(*pp)->next_reader)
		if (*pp == f) {
			*pp = f->next_reader;
			break;
		}
	/* The kernel releases a file only when no read is left on it, but
	 * a waiter must never outlive the file it points to. */
	for (w = p->waiters; w; w = next) {
		next = w->next;
		if (w->f == f && !w->registering) {
			unlink_waiter(p, w);
			w->next = mine;
			mine = w;
		}
	}
	pthread_mutex_unlock(&p->lock);
	for (w = mine; w; w = next) {
		next = w->next;
		fuse_reply_err(w->req, EBADF);
		free(w);
	}
	if (f->ph)
		fuse_pollhandle_destroy(f->ph);
}

/* Wake every poller; their handles are used once. Lock held. */
static void notify_pollers(struct csafs_pseudo *p)
{
	struct pfile *f;

	for (f = p->readers; f; f = f->next_reader) {
		if (!f->ph)
			continue;
		fuse_lowlevel_notify_poll(f->ph);
		fuse_pollhandle_destroy(f->ph);
		f->ph = NULL;
	}
}

/* Answer every waiter the log now has data for, or all when closing. */
static void wake(struct csafs_pseudo *p)
{
	struct waiter **pp = &p->waiters, *w;

	while ((w = *pp)) {
		if (w->registering ||
		    (!p->closing && w->off >= csafs_evlog_size(p->log))) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		answer(p, w);
		free(w);
	}
	notify_pollers(p);
}

void csafs_pseudo_event(struct csafs_pseudo *p, const char *event,
			struct json_object *data)
{
	struct pbuf line = { 0 };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (csafs_event_line(now.tv_sec, event, data, &line)) {
		pbuf_free(&line);
		return;		/* out of memory: the event is lost */
	}
	pthread_mutex_lock(&p->lock);
	if (!csafs_evlog_append(p->log, line.s, line.len)) {
		p->last_event = now;
		wake(p);
	}
	pthread_mutex_unlock(&p->lock);
	pbuf_free(&line);
}

void pseudo_events_close(struct csafs_pseudo *p)
{
	pthread_mutex_lock(&p->lock);
	p->closing = true;
	wake(p);
	pthread_mutex_unlock(&p->lock);
}
