// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fake transport of the unit tests (fake_transport.h).
 *
 * Submit checks the I/O, logs it and queues it with a due time; the
 * completion threads take due I/Os (a random one when several are due),
 * move the data to or from the LUN's memory and run the done callback
 * without holding any lock of the fake, so done may submit again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_transport.h"

struct fake_lun {
	struct fake_lun *next;
	char array[CSA_NAME_MAX];
	uint32_t lun;
	uint32_t block_size;
	uint64_t blocks;
	uint8_t *data;
	pthread_mutex_t data_lock;	/* the bytes of data */

	/* Protected by fake->lock. */
	unsigned long open_calls;
	long open_handles;
	unsigned queued;
	unsigned fail_ops;
	int fail_err;
	unsigned delay_us;
};

struct item {
	struct item *next;
	struct csa_io *io;
	struct fake_lun *lun;
	uint64_t due_ns;
	unsigned long seq;
	int err;		/* decided at submit: a fault or a violation */
	bool violation;
};

struct fake {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* queue changed, hold lifted, stopping */
	pthread_cond_t idle;	/* active went down */
	unsigned nr_threads;
	pthread_t *threads;

	/* Everything below: protected by lock. */
	uint64_t rng;
	bool stop;
	bool hold;
	unsigned max_delay_us;
	struct fake_lun *luns;
	struct item *queue;
	unsigned nr_queued;
	unsigned nr_active;
	unsigned long seq;

	unsigned long nth_left;	/* 0: no Nth fault armed */
	unsigned nth_ops;
	int nth_err;

	struct {
		char array[CSA_NAME_MAX];
		int err;
	} open_faults[16];

	struct fake_rec *log;
	size_t log_n, log_cap;
	unsigned long log_base;	/* seq of log[0] */

	unsigned long violations;
	char violation_msg[256];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64; under f->lock. */
static uint64_t rnd(struct fake *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Under f->lock. */
static void violation(struct fake *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void violation(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->violations++) {
		va_start(ap, fmt);
		vsnprintf(f->violation_msg, sizeof(f->violation_msg), fmt, ap);
		va_end(ap);
	}
}

static struct fake_lun *find_lun(struct fake *f, const char *array,
				 uint32_t lun)
{
	struct fake_lun *l;

	for (l = f->luns; l; l = l->next)
		if (l->lun == lun && !strcmp(l->array, array))
			return l;
	return NULL;
}

static bool lun_known(struct fake *f, const struct fake_lun *x)
{
	const struct fake_lun *l;

	for (l = f->luns; l; l = l->next)
		if (l == x)
			return true;
	return false;
}

/* ---- the ops ---- */

static int fake_open(void *tp, const struct csa_array_ref *array,
		     uint32_t lun, void **handle, uint32_t *block_size,
		     uint64_t *blocks, char *err, size_t errlen)
{
	struct fake *f = tp;
	struct fake_lun *l;
	unsigned i;
	int ret = 0;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < sizeof(f->open_faults) / sizeof(f->open_faults[0]); i++)
		if (f->open_faults[i].err &&
		    !strcmp(f->open_faults[i].array, array->name)) {
			snprintf(err, errlen,
				 "fake: array %s refuses the login",
				 array->name);
			ret = f->open_faults[i].err;
			goto out;
		}
	l = find_lun(f, array->name, lun);
	if (!l) {
		snprintf(err, errlen, "fake: array %s has no LUN %u",
			 array->name, lun);
		ret = -ENOENT;
		goto out;
	}
	l->open_calls++;
	l->open_handles++;
	*handle = l;
	*block_size = l->block_size;
	*blocks = l->blocks;
out:
	pthread_mutex_unlock(&f->lock);
	return ret;
}

static void fake_close(void *tp, void *handle)
{
	struct fake *f = tp;
	struct fake_lun *l = handle;

	pthread_mutex_lock(&f->lock);
	if (!lun_known(f, l))
		violation(f, "close of an unknown handle %p", handle);
	else if (l->open_handles <= 0)
		violation(f, "close of %s LUN %u, which is not open",
			  l->array, l->lun);
	else if (l->queued)
		violation(f, "close of %s LUN %u with %u I/Os queued",
			  l->array, l->lun, l->queued);
	if (lun_known(f, l))
		l->open_handles--;
	pthread_mutex_unlock(&f->lock);
}

static unsigned fake_load(void *tp, void *handle)
{
	struct fake *f = tp;
	struct fake_lun *l = handle;
	unsigned n = 0;

	pthread_mutex_lock(&f->lock);
	if (lun_known(f, l))
		n = l->queued;
	else
		violation(f, "load of an unknown handle %p", handle);
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* Under f->lock: is @io fine for @l? */
static bool check_io(struct fake *f, const struct fake_lun *l,
		     const struct csa_io *io)
{
	uint64_t total = 0;
	int i;

	if (!io->done) {
		violation(f, "I/O to %s LUN %u without a done callback",
			  l->array, l->lun);
		return false;
	}
	if (io->op > CSA_IO_SYNC) {
		violation(f, "I/O to %s LUN %u with unknown op %u", l->array,
			  l->lun, io->op);
		return false;
	}
	if (io->lba > l->blocks || io->nblocks > l->blocks - io->lba) {
		violation(f, "%s LUN %u (%llu blocks): op %u at lba %llu + %u blocks is past the end",
			  l->array, l->lun, (unsigned long long)l->blocks,
			  io->op, (unsigned long long)io->lba, io->nblocks);
		return false;
	}
	if (io->op == CSA_IO_SYNC) {
		if (io->iovcnt) {
			violation(f, "SYNC to %s LUN %u with %d iovecs",
				  l->array, l->lun, io->iovcnt);
			return false;
		}
		return true;
	}
	if (!io->nblocks || io->iovcnt <= 0 || !io->iov) {
		violation(f, "op %u to %s LUN %u at lba %llu: %u blocks, %d iovecs",
			  io->op, l->array, l->lun,
			  (unsigned long long)io->lba, io->nblocks,
			  io->iovcnt);
		return false;
	}
	for (i = 0; i < io->iovcnt; i++) {
		if (!io->iov[i].iov_base && io->iov[i].iov_len) {
			violation(f, "op %u to %s LUN %u: iov[%d] is NULL",
				  io->op, l->array, l->lun, i);
			return false;
		}
		total += io->iov[i].iov_len;
	}
	if (total != (uint64_t)io->nblocks * l->block_size) {
		violation(f, "op %u to %s LUN %u at lba %llu: iovecs hold %llu bytes for %u blocks of %u",
			  io->op, l->array, l->lun,
			  (unsigned long long)io->lba,
			  (unsigned long long)total, io->nblocks,
			  l->block_size);
		return false;
	}
	return true;
}

static void fake_submit(void *tp, void *handle, struct csa_io *io)
{
	struct fake *f = tp;
	struct fake_lun *l = handle;
	struct item *it, *q;
	struct fake_rec *rec;

	it = calloc(1, sizeof(*it));
	if (!it) {
		fprintf(stderr, "fake: out of memory\n");
		abort();
	}
	it->io = io;
	it->lun = l;

	pthread_mutex_lock(&f->lock);
	it->seq = ++f->seq;
	for (q = f->queue; q; q = q->next)
		if (q->io == io) {
			violation(f, "I/O %p submitted again while queued",
				  (void *)io);
			break;
		}
	if (!lun_known(f, l)) {
		/* Completed with an error, on no LUN. */
		violation(f, "submit to an unknown handle %p", handle);
		it->lun = l = NULL;
		it->err = -EBADF;
		it->violation = true;
	} else if (l->open_handles <= 0) {
		violation(f, "submit to %s LUN %u, which is not open",
			  l->array, l->lun);
		it->err = -ESHUTDOWN;
		it->violation = true;
	} else if (!check_io(f, l, io)) {
		it->err = -EINVAL;
		it->violation = true;
	} else if (l->fail_err && io->op <= CSA_IO_SYNC &&
		   (l->fail_ops & 1u << io->op)) {
		it->err = l->fail_err;
	}
	if (f->nth_left && io->op <= CSA_IO_SYNC &&
	    (f->nth_ops & 1u << io->op) && !--f->nth_left && !it->err)
		it->err = f->nth_err;

	if (f->log_n == f->log_cap) {
		size_t cap = f->log_cap ? 2 * f->log_cap : 256;
		struct fake_rec *n = realloc(f->log, cap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "fake: out of memory\n");
			abort();
		}
		f->log = n;
		f->log_cap = cap;
	}
	rec = &f->log[f->log_n++];
	memset(rec, 0, sizeof(*rec));
	rec->seq = it->seq;
	snprintf(rec->array, sizeof(rec->array), "%s", l ? l->array : "?");
	rec->lun = l ? l->lun : UINT32_MAX;
	rec->op = io->op;
	rec->lba = io->lba;
	rec->nblocks = io->nblocks;
	rec->iovcnt = io->iovcnt;

	it->due_ns = now_ns() + (l ? 1000ull * l->delay_us : 0);
	if (f->max_delay_us)
		it->due_ns += 1000ull * (rnd(f) % (f->max_delay_us + 1ull));
	it->next = f->queue;
	f->queue = it;
	f->nr_queued++;
	f->nr_active++;
	if (l)
		l->queued++;
	pthread_cond_signal(&f->work);
	pthread_mutex_unlock(&f->lock);
}

static const struct csa_transport_ops fake_ops = {
	.open = fake_open,
	.close = fake_close,
	.submit = fake_submit,
	.load = fake_load,
};

/* ---- completion ---- */

static void move_data(struct item *it)
{
	struct csa_io *io = it->io;
	struct fake_lun *l = it->lun;
	uint8_t *p = l->data + io->lba * l->block_size;
	int i;

	if (io->op == CSA_IO_SYNC)
		return;
	pthread_mutex_lock(&l->data_lock);
	for (i = 0; i < io->iovcnt; i++) {
		if (io->op == CSA_IO_READ)
			memcpy(io->iov[i].iov_base, p, io->iov[i].iov_len);
		else
			memcpy(p, io->iov[i].iov_base, io->iov[i].iov_len);
		p += io->iov[i].iov_len;
	}
	pthread_mutex_unlock(&l->data_lock);
}

/* Under f->lock: unlink and return a due item, or set *@wait_ns. */
static struct item *take_due(struct fake *f, uint64_t *wait_ns)
{
	uint64_t now = now_ns(), first = UINT64_MAX;
	struct item **pp, *it;
	unsigned due = 0, pick;

	for (it = f->queue; it; it = it->next) {
		if (it->due_ns <= now)
			due++;
		else if (it->due_ns < first)
			first = it->due_ns;
	}
	if (!due) {
		*wait_ns = first == UINT64_MAX ? 0 : first - now;
		return NULL;
	}
	pick = (unsigned)(rnd(f) % due);
	for (pp = &f->queue; (it = *pp); pp = &it->next) {
		if (it->due_ns > now)
			continue;
		if (!pick--)
			break;
	}
	*pp = it->next;
	return it;
}

static void *completer(void *arg)
{
	struct fake *f = arg;
	struct item *it;
	uint64_t wait_ns;

	pthread_mutex_lock(&f->lock);
	for (;;) {
		struct csa_io *io;
		int err;

		if (f->stop && !f->queue)
			break;
		if (!f->queue || (f->hold && !f->stop)) {
			pthread_cond_wait(&f->work, &f->lock);
			continue;
		}
		it = take_due(f, &wait_ns);
		if (!it) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(wait_ns / 1000000000u);
			ts.tv_nsec += (long)(wait_ns % 1000000000u);
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&f->work, &f->lock, &ts);
			continue;
		}
		f->nr_queued--;
		if (it->lun)
			it->lun->queued--;
		pthread_mutex_unlock(&f->lock);

		io = it->io;
		err = it->err;
		if (!err)
			move_data(it);
		memset(&io->sense, 0, sizeof(io->sense));
		if (err == -EIO) {
			io->sense.key = 3;	/* MEDIUM ERROR */
			io->sense.asc = io->op == CSA_IO_READ ? 0x11 : 0x0c;
		}

		pthread_mutex_lock(&f->lock);
		if (it->seq >= f->log_base &&
		    it->seq - f->log_base < f->log_n) {
			f->log[it->seq - f->log_base].completed = true;
			f->log[it->seq - f->log_base].err = err;
		}
		pthread_mutex_unlock(&f->lock);

		free(it);
		if (io->done)		/* NULL: a violation, counted */
			io->done(io, err);	/* io is no longer ours */

		pthread_mutex_lock(&f->lock);
		f->nr_active--;
		pthread_cond_broadcast(&f->idle);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/* ---- set-up ---- */

struct fake *fake_new(unsigned nr_threads, uint64_t seed)
{
	pthread_condattr_t ca;
	struct fake *f;
	unsigned i;

	if (!nr_threads)
		nr_threads = 1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->threads = calloc(nr_threads, sizeof(*f->threads));
	if (!f->threads) {
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->work, &ca);
	pthread_cond_init(&f->idle, &ca);
	pthread_condattr_destroy(&ca);
	f->rng = seed;
	f->log_base = 1;
	for (i = 0; i < nr_threads; i++) {
		if (pthread_create(&f->threads[i], NULL, completer, f))
			break;
		f->nr_threads++;
	}
	if (!f->nr_threads) {
		fake_free(f);
		return NULL;
	}
	return f;
}

void fake_free(struct fake *f)
{
	struct fake_lun *l, *next;
	unsigned i;

	pthread_mutex_lock(&f->lock);
	f->stop = true;
	f->hold = false;
	pthread_cond_broadcast(&f->work);
	pthread_mutex_unlock(&f->lock);
	for (i = 0; i < f->nr_threads; i++)
		pthread_join(f->threads[i], NULL);
	for (l = f->luns; l; l = next) {
		next = l->next;
		pthread_mutex_destroy(&l->data_lock);
		free(l->data);
		free(l);
	}
	free(f->log);
	free(f->threads);
	pthread_cond_destroy(&f->work);
	pthread_cond_destroy(&f->idle);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

struct csa_transport fake_transport(struct fake *f)
{
	return (struct csa_transport){ .ops = &fake_ops, .priv = f };
}

int fake_add_lun(struct fake *f, const char *array, uint32_t lun,
		 uint32_t block_size, uint64_t blocks)
{
	struct fake_lun *l;
	int ret = 0;

	if (!block_size)
		block_size = 512;
	pthread_mutex_lock(&f->lock);
	if (find_lun(f, array, lun)) {
		ret = -EEXIST;
		goto out;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->data = calloc(blocks ? blocks : 1, block_size))) {
		free(l);
		ret = -ENOMEM;
		goto out;
	}
	snprintf(l->array, sizeof(l->array), "%s", array);
	l->lun = lun;
	l->block_size = block_size;
	l->blocks = blocks;
	pthread_mutex_init(&l->data_lock, NULL);
	l->next = f->luns;
	f->luns = l;
out:
	pthread_mutex_unlock(&f->lock);
	return ret;
}

uint8_t *fake_lun_data(struct fake *f, const char *array, uint32_t lun,
		       uint64_t *bytes)
{
	struct fake_lun *l;

	pthread_mutex_lock(&f->lock);
	l = find_lun(f, array, lun);
	pthread_mutex_unlock(&f->lock);
	if (!l)
		return NULL;
	if (bytes)
		*bytes = l->blocks * l->block_size;
	return l->data;
}

unsigned long fake_open_calls(struct fake *f, const char *array, uint32_t lun)
{
	struct fake_lun *l;
	unsigned long n = 0;

	pthread_mutex_lock(&f->lock);
	for (l = f->luns; l; l = l->next)
		if (!array || (l->lun == lun && !strcmp(l->array, array)))
			n += l->open_calls;
	pthread_mutex_unlock(&f->lock);
	return n;
}

long fake_open_handles(struct fake *f, const char *array, uint32_t lun)
{
	struct fake_lun *l;
	long n = 0;

	pthread_mutex_lock(&f->lock);
	for (l = f->luns; l; l = l->next)
		if (!array || (l->lun == lun && !strcmp(l->array, array)))
			n += l->open_handles;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* ---- timing and faults ---- */

void fake_set_delay(struct fake *f, unsigned max_us)
{
	pthread_mutex_lock(&f->lock);
	f->max_delay_us = max_us;
	pthread_mutex_unlock(&f->lock);
}

void fake_set_lun_delay(struct fake *f, const char *array, uint32_t lun,
			unsigned us)
{
	struct fake_lun *l;

	pthread_mutex_lock(&f->lock);
	for (l = f->luns; l; l = l->next)
		if (!strcmp(l->array, array) && (lun == UINT32_MAX ||
						 l->lun == lun))
			l->delay_us = us;
	pthread_mutex_unlock(&f->lock);
}

void fake_hold(struct fake *f, bool hold)
{
	pthread_mutex_lock(&f->lock);
	f->hold = hold;
	pthread_cond_broadcast(&f->work);
	pthread_mutex_unlock(&f->lock);
}

void fake_fail_lun(struct fake *f, const char *array, uint32_t lun,
		   unsigned ops, int err)
{
	struct fake_lun *l;

	pthread_mutex_lock(&f->lock);
	for (l = f->luns; l; l = l->next)
		if (!strcmp(l->array, array) && (lun == UINT32_MAX ||
						 l->lun == lun)) {
			l->fail_ops = err ? ops : 0;
			l->fail_err = err;
		}
	pthread_mutex_unlock(&f->lock);
}

void fake_fail_nth(struct fake *f, unsigned long n, unsigned ops, int err)
{
	pthread_mutex_lock(&f->lock);
	f->nth_left = err ? n : 0;
	f->nth_ops = ops;
	f->nth_err = err;
	pthread_mutex_unlock(&f->lock);
}

void fake_fail_open(struct fake *f, const char *array, int err)
{
	unsigned i, n = sizeof(f->open_faults) / sizeof(f->open_faults[0]);

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < n; i++)
		if (f->open_faults[i].err &&
		    !strcmp(f->open_faults[i].array, array))
			break;
	if (i == n)
		for (i = 0; i < n; i++)
			if (!f->open_faults[i].err)
				break;
	if (i < n) {
		snprintf(f->open_faults[i].array,
			 sizeof(f->open_faults[i].array), "%s", array);
		f->open_faults[i].err = err;
	}
	pthread_mutex_unlock(&f->lock);
}

void fake_clear_faults(struct fake *f)
{
	struct fake_lun *l;

	pthread_mutex_lock(&f->lock);
	for (l = f->luns; l; l = l->next) {
		l->fail_ops = 0;
		l->fail_err = 0;
	}
	f->nth_left = 0;
	memset(f->open_faults, 0, sizeof(f->open_faults));
	pthread_mutex_unlock(&f->lock);
}

/* ---- log and counters ---- */

struct fake_rec *fake_log(struct fake *f, size_t *n)
{
	struct fake_rec *out = NULL;

	pthread_mutex_lock(&f->lock);
	*n = f->log_n;
	if (f->log_n) {
		out = malloc(f->log_n * sizeof(*out));
		if (!out) {
			fprintf(stderr, "fake: out of memory\n");
			abort();
		}
		memcpy(out, f->log, f->log_n * sizeof(*out));
	}
	pthread_mutex_unlock(&f->lock);
	return out;
}

void fake_log_clear(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->log_n = 0;
	f->log_base = f->seq + 1;
	pthread_mutex_unlock(&f->lock);
}

unsigned fake_queued(struct fake *f)
{
	unsigned n;

	pthread_mutex_lock(&f->lock);
	n = f->nr_queued;
	pthread_mutex_unlock(&f->lock);
	return n;
}

unsigned fake_active(struct fake *f)
{
	unsigned n;

	pthread_mutex_lock(&f->lock);
	n = f->nr_active;
	pthread_mutex_unlock(&f->lock);
	return n;
}

bool fake_wait_idle(struct fake *f, unsigned timeout_ms)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->lock);
	while (f->nr_active)
		if (pthread_cond_timedwait(&f->idle, &f->lock, &ts) ==
		    ETIMEDOUT)
			break;
	ok = !f->nr_active;
	pthread_mutex_unlock(&f->lock);
	return ok;
}

unsigned long fake_violations(struct fake *f, char *msg, size_t msglen)
{
	unsigned long n;

	pthread_mutex_lock(&f->lock);
	n = f->violations;
	if (msg && msglen)
		snprintf(msg, msglen, "%s", n ? f->violation_msg : "none");
	pthread_mutex_unlock(&f->lock);
	return n;
}
