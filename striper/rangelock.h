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
	/* private */
	struct rl_entry *next;
	struct rl_entry *prev;
	struct rl_entry *grant_next;
};

struct rangelock {
	pthread_mutex_t lock;
	struct rl_entry *held;		/* protected by lock */
	struct rl_entry *waiting;	/* protected by lock, oldest first */
	struct rl_entry *waiting_tail;	/* protected by lock */
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
