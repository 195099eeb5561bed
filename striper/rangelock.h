/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An asynchronous range lock: shared and exclusive holds on [start, end),
 * granted in arrival order among conflicting requests. Nobody sleeps: a
 * request that conflicts waits in a queue and its grant callback runs, on
 * the thread that released the conflicting hold, when it can go.
 *
 * The striper takes the block range of every write exclusively (reads
 * take none): overlapping writes are serialised, so every copy of a
 * mirror applies them in the same order, and two read-modify-writes of
 * one block never lose each other's bytes.
 *
 * Cost: holds and waiters are kept in one tree ordered by start, so a
 * lock costs O(log n) for n live entries plus the entries it overlaps
 * without conflicting (shared with shared); an unlock, that again for
 * each waiter it overlapped.
 */
#ifndef CSA_RANGELOCK_H
#define CSA_RANGELOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct rl_entry;
typedef void (*rl_grant_fn)(struct rl_entry *e);

/* Embedded in the holder; filled by the caller before rl_lock. */
struct rl_entry {
	uint64_t start;
	uint64_t end;
	bool exclusive;
	rl_grant_fn grant;
	/* private, protected by the rangelock's lock */
	struct rl_entry *left;		/* the tree, by (start, seq) */
	struct rl_entry *right;
	uint64_t max_end;		/* largest end in this subtree */
	uint64_t seq;			/* arrival order */
	uint32_t prio;			/* heap order of the tree (a treap) */
	bool waiting;
	struct rl_entry *grant_next;
};

struct rangelock {
	pthread_mutex_t lock;
	struct rl_entry *root;		/* protected by lock: holds and waiters */
	uint64_t seq;			/* protected by lock */
};

void rl_init(struct rangelock *rl);
void rl_destroy(struct rangelock *rl);

/*
 * Returns true if @e is granted now (its grant callback is not called), or
 * false if it waits: @e->grant runs once it is granted.
 */
bool rl_lock(struct rangelock *rl, struct rl_entry *e);

/* Release @e and run the grant callbacks of what can now go. */
void rl_unlock(struct rangelock *rl, struct rl_entry *e);

#endif
