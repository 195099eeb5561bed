// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Asynchronous range lock. Few holds are ever live at once (the requests in
 * flight on one volume), so plain lists scanned in order are enough.
 */
#include "striper/rangelock.h"

void rl_init(struct rangelock *rl)
{
	pthread_mutex_init(&rl->lock, NULL);
	rl->held = NULL;
	rl->waiting = rl->waiting_tail = NULL;
}

void rl_destroy(struct rangelock *rl)
{
	pthread_mutex_destroy(&rl->lock);
}

static bool conflict(const struct rl_entry *a, const struct rl_entry *b)
{
	return (a->exclusive || b->exclusive) && a->start < b->end &&
	       b->start < a->end;
}

static bool conflicts_in(const struct rl_entry *list,
			 const struct rl_entry *stop, const struct rl_entry *e)
{
	for (; list && list != stop; list = list->next)
		if (conflict(list, e))
			return true;
	return false;
}

static void held_add(struct rangelock *rl, struct rl_entry *e)
{
	e->prev = NULL;
	e->next = rl->held;
	if (rl->held)
		rl->held->prev = e;
	rl->held = e;
}

static void held_del(struct rangelock *rl, struct rl_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		rl->held = e->next;
	if (e->next)
		e->next->prev = e->prev;
}

static void waiting_del(struct rangelock *rl, struct rl_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		rl->waiting = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		rl->waiting_tail = e->prev;
}

bool rl_lock(struct rangelock *rl, struct rl_entry *e)
{
	bool now;

	pthread_mutex_lock(&rl->lock);
	/* Behind a conflicting waiter too: no overtaking, no starvation. */
	now = !conflicts_in(rl->held, NULL, e) &&
	      !conflicts_in(rl->waiting, NULL, e);
	if (now) {
		held_add(rl, e);
	} else {
		e->next = NULL;
		e->prev = rl->waiting_tail;
		if (rl->waiting_tail)
			rl->waiting_tail->next = e;
		else
			rl->waiting = e;
		rl->waiting_tail = e;
	}
	pthread_mutex_unlock(&rl->lock);
	return now;
}

void rl_unlock(struct rangelock *rl, struct rl_entry *e)
{
	struct rl_entry *w, *next, *go = NULL;

	pthread_mutex_lock(&rl->lock);
	held_del(rl, e);
	for (w = rl->waiting; w; w = next) {
		next = w->next;
		if (conflicts_in(rl->held, NULL, w) ||
		    conflicts_in(rl->waiting, w, w))
			continue;
		waiting_del(rl, w);
		held_add(rl, w);
		/* Grants run after dropping the lock: they may lock again. */
		w->grant_next = go;
		go = w;
	}
	pthread_mutex_unlock(&rl->lock);
	while (go) {
		w = go;
		go = go->grant_next;
		w->grant(w);
	}
}
