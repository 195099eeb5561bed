// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Asynchronous range lock. Holds and waiters live in one treap ordered by
 * (start, arrival), each node knowing the largest end in its subtree (an
 * interval tree), so that what overlaps a range is found without looking
 * at the rest: a volume with thousands of writes in flight on other rows
 * pays about log n per lock.
 *
 * The rules, the same whatever the order of the tree:
 *   - a request is granted at once if nothing in the tree conflicts with
 *     it: neither a hold nor an earlier waiter (no overtaking, so no
 *     starvation);
 *   - on an unlock, a waiter is granted once no hold and no earlier waiter
 *     conflicts with it. Only the waiters that overlapped the released
 *     range can be freed by it, so only those are looked at.
 */
#include "striper/rangelock.h"

void rl_init(struct rangelock *rl)
{
	pthread_mutex_init(&rl->lock, NULL);
	rl->root = NULL;
	rl->seq = 0;
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

/* ---- the tree ------------------------------------------------------- */

/* A well mixed priority from the arrival number keeps the treap shallow. */
static uint32_t prio_of(uint64_t seq)
{
	seq = (seq ^ (seq >> 33)) * 0xff51afd7ed558ccdULL;
	seq = (seq ^ (seq >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(seq ^ (seq >> 33));
}

static bool before(const struct rl_entry *a, const struct rl_entry *b)
{
	return a->start < b->start || (a->start == b->start && a->seq < b->seq);
}

static void fix(struct rl_entry *t)
{
	uint64_t m = t->end;

	if (t->left && t->left->max_end > m)
		m = t->left->max_end;
	if (t->right && t->right->max_end > m)
		m = t->right->max_end;
	t->max_end = m;
}

/* Split @t into the entries before @key (*@l) and the others (*@r). */
static void split(struct rl_entry *t, const struct rl_entry *key,
		  struct rl_entry **l, struct rl_entry **r)
{
	if (!t) {
		*l = *r = NULL;
		return;
	}
	if (before(t, key)) {
		split(t->right, key, &t->right, r);
		*l = t;
	} else {
		split(t->left, key, l, &t->left);
		*r = t;
	}
	fix(t);
}

/* Join @l and @r, every entry of @l before every entry of @r. */
static struct rl_entry *join(struct rl_entry *l, struct rl_entry *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio > r->prio) {
		l->right = join(l->right, r);
		fix(l);
		return l;
	}
	r->left = join(l, r->left);
	fix(r);
	return r;
}

static void tree_add(struct rangelock *rl, struct rl_entry *e)
{
	struct rl_entry *l, *r;

	e->left = e->right = NULL;
	e->max_end = e->end;
	split(rl->root, e, &l, &r);
	rl->root = join(join(l, e), r);
}

static struct rl_entry *tree_del(struct rl_entry *t, const struct rl_entry *e)
{
	if (t == e)
		return join(t->left, t->right);
	if (before(e, t))
		t->left = tree_del(t->left, e);
	else
		t->right = tree_del(t->right, e);
	fix(t);
	return t;
}

typedef bool (*visit_fn)(struct rl_entry *x, void *arg);

/*
 * Call @fn on the entries of @t that overlap [start, end), in tree order,
 * until it returns true; return that entry, or NULL. "Overlap" is the
 * test of conflict(): an empty range overlaps what strictly contains it.
 * Subtrees that end before @start, and everything that starts at or
 * after @end, are never entered.
 */
static struct rl_entry *overlapping(struct rl_entry *t, uint64_t start,
				    uint64_t end, visit_fn fn, void *arg)
{
	struct rl_entry *x;

	if (!t || t->max_end <= start)
		return NULL;
	x = overlapping(t->left, start, end, fn, arg);
	if (x)
		return x;
	if (t->start >= end)
		return NULL;	/* and so does all of t->right */
	if (t->end > start && fn(t, arg))
		return t;
	return overlapping(t->right, start, end, fn, arg);
}

/* ---- lock and unlock ------------------------------------------------ */

static bool conflicts_with(struct rl_entry *x, void *arg)
{
	return conflict(x, arg);
}

bool rl_lock(struct rangelock *rl, struct rl_entry *e)
{
	bool now;

	pthread_mutex_lock(&rl->lock);
	e->seq = rl->seq++;
	e->prio = prio_of(e->seq);
	/* Everything in the tree came first: a hold or a waiter that
	 * conflicts keeps @e waiting. */
	now = !overlapping(rl->root, e->start, e->end, conflicts_with, e);
	e->waiting = !now;
	tree_add(rl, e);
	pthread_mutex_unlock(&rl->lock);
	return now;
}

/* Does @x keep waiter @w waiting: a hold, or an earlier waiter? */
static bool blocks(struct rl_entry *x, void *arg)
{
	struct rl_entry *w = arg;

	return x != w && conflict(x, w) && (!x->waiting || x->seq < w->seq);
}

static bool collect_waiter(struct rl_entry *x, void *arg)
{
	struct rl_entry **list = arg;

	if (x->waiting) {
		x->grant_next = *list;
		*list = x;
	}
	return false;
}

void rl_unlock(struct rangelock *rl, struct rl_entry *e)
{
	struct rl_entry *cand = NULL, *go = NULL, *w, *next;

	pthread_mutex_lock(&rl->lock);
	rl->root = tree_del(rl->root, e);
	overlapping(rl->root, e->start, e->end, collect_waiter, &cand);
	/*
	 * The order does not matter: what blocks a waiter is a hold or an
	 * earlier waiter, and neither changes when another is granted here
	 * (an earlier waiter blocks it held or not; a later one is granted
	 * only if it does not conflict with it).
	 */
	for (w = cand; w; w = next) {
		next = w->grant_next;
		if (overlapping(rl->root, w->start, w->end, blocks, w))
			continue;
		w->waiting = false;
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
