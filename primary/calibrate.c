// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calibration: a fixed number of reads kept in flight on every LUN of an
 * array for a fixed time, counted as they complete.
 *
 * Each slot is one buffer and one csa_io that goes round and round: its
 * completion (on a reactor thread) counts it and submits it again at the
 * next offset, until the phase is told to stop. A slot that sees the stop
 * retires; the calling thread waits, on a condition variable, for the last
 * slot to retire before it frees anything, so no completion can touch
 * freed memory. The engine fails a command that gets no answer within its
 * I/O timeout, so that wait is bounded.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "primary/calibrate.h"

#define SEQ_BYTES	(1u << 20)
#define SEQ_QD		8
#define RAND_BYTES	4096u
#define RAND_QD		32
#define TICK_MS		100	/* how often cancel and errors are looked at */
#define PROGRESS_MS	1000

struct phase;

/* Where one LUN is read in a phase: units of @nblocks from @first. */
struct span {
	uint64_t first, end;		/* blocks: [first, end) */
	uint64_t step;			/* blocks between unit starts */
	uint64_t units;			/* unit starts in the span */
	uint32_t nblocks;		/* blocks a read asks for (at most) */
	_Atomic uint64_t next;		/* seq: the next unit to read */
};

struct slot {
	struct phase *ph;
	unsigned lun;			/* index into the phase's LUNs */
	uint64_t rng;
	uint64_t t0_ns;
	uint8_t *buf;
	struct iovec iov;
	struct csa_io io;
};

struct phase {
	const char *name;		/* "seq" or "rand" */
	bool random;
	struct csa_lun *const *luns;
	struct span *spans;
	unsigned n;
	struct slot *slots;
	unsigned nr_slots;

	atomic_bool stop;
	atomic_int err;			/* the first I/O error, 0 if none */
	unsigned err_lun;		/* set once, by whoever set err */
	struct csa_sense err_sense;
	_Atomic uint64_t ops, bytes;	/* completed before the stop */
	struct csa_histo lat;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned active;		/* slots not retired; under lock */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: cheap, and good enough to spread reads over a LUN. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* ---- geometry ------------------------------------------------------- */

/*
 * seq: 1 MiB reads back to back from @first; the last one is cut short at
 * the end of the LUN rather than left out, so every block gets read.
 */
static void span_seq(struct span *s, uint32_t bs)
{
	uint64_t len = s->end - s->first;

	s->nblocks = SEQ_BYTES / bs ? SEQ_BYTES / bs : 1;
	s->step = s->nblocks;
	s->units = (len + s->step - 1) / s->step;
}

/*
 * rand: 4 KiB reads at offsets that are multiples of both 4 KiB and the
 * block size, the whole read inside [first, end). Block sizes above 4 KiB
 * read one block. Returns false when not even one such read fits.
 */
static bool span_rand(struct span *s, uint32_t bs)
{
	uint64_t align = RAND_BYTES / gcd64(RAND_BYTES, bs);	/* lcm / bs */
	uint64_t start = (s->first + align - 1) / align * align;

	s->nblocks = (uint32_t)((RAND_BYTES + bs - 1) / bs);
	s->step = align;
	if (start + s->nblocks > s->end)
		return false;
	s->units = (s->end - s->nblocks - start) / align + 1;
	s->first = start;
	return true;
}

/* The span LUN @l is read in, or -EINVAL with a sentence naming it. */
static int span_init(struct span *s, struct csa_lun *l, uint64_t first,
		     bool random, char *err, size_t errlen)
{
	const struct csa_lun_info *info = csa_lun_info(l);

	s->first = first;
	s->end = info->blocks;
	atomic_init(&s->next, 0);
	if (!info->block_size || s->first >= s->end) {
		snprintf(err, errlen,
			 "%s: no blocks to read past block %" PRIu64
			 " (the LUN has %" PRIu64 ")", csa_lun_name(l),
			 s->first, s->end);
		return -EINVAL;
	}
	if (!random) {
		span_seq(s, info->block_size);
	} else if (!span_rand(s, info->block_size)) {
		snprintf(err, errlen,
			 "%s: too few blocks past block %" PRIu64
			 " for an aligned 4 KiB read", csa_lun_name(l),
			 s->first);
		return -EINVAL;
	}
	return 0;
}

/* Both phases' spans, checked before any I/O is sent. */
static int check_luns(struct csa_lun *const *luns, unsigned n,
		      const uint64_t *first_lba, char *err, size_t errlen)
{
	struct span s;
	unsigned i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++) {
		ret = span_init(&s, luns[i], first_lba[i], false, err, errlen);
		if (!ret)
			ret = span_init(&s, luns[i], first_lba[i], true, err,
					errlen);
	}
	return ret;
}

/* ---- the I/O loop (reactor threads) ---------------------------------- */

static void slot_done(struct csa_io *io, int err);

static void slot_submit(struct slot *sl)
{
	struct phase *ph = sl->ph;
	struct span *s = &ph->spans[sl->lun];
	struct csa_lun *l = ph->luns[sl->lun];
	uint32_t bs = csa_lun_info(l)->block_size;
	uint64_t unit, lba, nb;

	if (ph->random)
		unit = rng_next(&sl->rng) % s->units;
	else
		unit = atomic_fetch_add(&s->next, 1) % s->units;
	lba = s->first + unit * s->step;
	nb = s->end - lba < s->nblocks ? s->end - lba : s->nblocks;
	sl->iov = (struct iovec){ .iov_base = sl->buf, .iov_len = nb * bs };
	sl->io = (struct csa_io){ .op = CSA_IO_READ, .lba = lba,
				  .nblocks = (uint32_t)nb, .iov = &sl->iov,
				  .iovcnt = 1, .done = slot_done, .priv = sl };
	sl->t0_ns = now_ns();
	csa_lun_submit(l, &sl->io);
}

/* The first error stops the phase and is the one reported. */
static void phase_fail(struct phase *ph, const struct slot *sl, int err)
{
	int none = 0;

	if (atomic_compare_exchange_strong(&ph->err, &none, err)) {
		ph->err_lun = sl->lun;
		ph->err_sense = sl->io.sense;
	}
	atomic_store(&ph->stop, true);
	pthread_mutex_lock(&ph->lock);
	pthread_cond_broadcast(&ph->cond);
	pthread_mutex_unlock(&ph->lock);
}

/*
 * The last thing a slot does. Done under the lock so that the waiter, who
 * frees the phase once it sees no active slot, cannot do so while this
 * thread still uses the condition variable.
 */
static void slot_retire(struct phase *ph)
{
	pthread_mutex_lock(&ph->lock);
	if (--ph->active == 0)
		pthread_cond_broadcast(&ph->cond);
	pthread_mutex_unlock(&ph->lock);
}

static void slot_done(struct csa_io *io, int err)
{
	struct slot *sl = io->priv;
	struct phase *ph = sl->ph;

	if (err) {
		phase_fail(ph, sl, err);
	} else if (!atomic_load(&ph->stop)) {
		/* Reads that end after the stop are not in the phase's time. */
		csa_histo_add(&ph->lat, (now_ns() - sl->t0_ns) / 1000);
		atomic_fetch_add(&ph->ops, 1);
		atomic_fetch_add(&ph->bytes, sl->iov.iov_len);
	}
	if (atomic_load(&ph->stop))
		slot_retire(ph);
	else
		slot_submit(sl);
}

/* ---- a phase (calling thread) ---------------------------------------- */

static void phase_free(struct phase *ph)
{
	unsigned i;

	for (i = 0; ph->slots && i < ph->nr_slots; i++)
		free(ph->slots[i].buf);
	free(ph->slots);
	free(ph->spans);
	pthread_cond_destroy(&ph->cond);
	pthread_mutex_destroy(&ph->lock);
}

/* Slots and buffers: @qd per LUN, each buffer as big as its LUN's reads. */
static int phase_init(struct phase *ph, unsigned qd, const uint64_t *first_lba,
		      char *err, size_t errlen)
{
	pthread_condattr_t ca;
	unsigned i, k;
	size_t len;
	int ret;

	pthread_mutex_init(&ph->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ph->cond, &ca);
	pthread_condattr_destroy(&ca);
	ph->spans = calloc(ph->n, sizeof(*ph->spans));
	ph->slots = calloc((size_t)ph->n * qd, sizeof(*ph->slots));
	if (!ph->spans || !ph->slots)
		goto nomem;
	for (i = 0; i < ph->n; i++) {
		ret = span_init(&ph->spans[i], ph->luns[i], first_lba[i],
				ph->random, err, errlen);
		if (ret)
			return ret;
	}
	ph->nr_slots = ph->n * qd;
	for (k = 0; k < ph->nr_slots; k++) {
		i = k % ph->n;	/* LUNs interleaved: all start at once */
		len = (size_t)ph->spans[i].nblocks *
		      csa_lun_info(ph->luns[i])->block_size;
		ph->slots[k] = (struct slot){ .ph = ph, .lun = i,
			.rng = (now_ns() ^ (0x9e3779b97f4a7c15ULL * (k + 1))) | 1 };
		if (posix_memalign((void **)&ph->slots[k].buf, 4096, len))
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for the %s phase's buffers",
		 ph->name);
	return -ENOMEM;
}

/* What has been done so far, per second of @elapsed_ns. */
static void phase_rates(struct phase *ph, uint64_t elapsed_ns, uint64_t *mbps,
			uint64_t *iops)
{
	uint64_t bytes = atomic_load(&ph->bytes), ops = atomic_load(&ph->ops);

	if (!elapsed_ns) {
		*mbps = *iops = 0;
		return;
	}
	/* bytes / 1e6 / (ns / 1e9) = bytes * 1000 / ns; rounded down */
	*mbps = bytes * 1000 / elapsed_ns;
	*iops = ops * 1000000000ULL / elapsed_ns;
}

static void phase_progress(struct phase *ph, const struct csa_calib_opts *o,
			   uint64_t elapsed_ns)
{
	struct csa_calib_progress p = {
		.phase = ph->name,
		.elapsed_ms = elapsed_ns / 1000000,
		.total_ms = (uint64_t)o->seconds * 1000,
	};

	if (!o->progress)
		return;
	/* The last report comes a hair after the end: say "all of it". */
	if (p.elapsed_ms > p.total_ms)
		p.elapsed_ms = p.total_ms;
	phase_rates(ph, elapsed_ns, &p.mbps, &p.iops);
	o->progress(o->arg, &p);
}

/* Sleep until @until_ns, an error or a broadcast, whichever comes first. */
static void phase_nap(struct phase *ph, uint64_t until_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(until_ns / 1000000000ULL),
			       .tv_nsec = (long)(until_ns % 1000000000ULL) };

	pthread_mutex_lock(&ph->lock);
	if (!atomic_load(&ph->err))
		pthread_cond_timedwait(&ph->cond, &ph->lock, &ts);
	pthread_mutex_unlock(&ph->lock);
}

/*
 * Keep the load up for o->seconds, reporting about once a second, then
 * stop and wait for every slot. Returns the time the load ran, and sets
 * *@cancelled if it was cut short by the cancel flag.
 */
static uint64_t phase_drive(struct phase *ph, const struct csa_calib_opts *o,
			    bool *cancelled)
{
	uint64_t t0, now, end, tick, wake, ran;
	unsigned k;

	ph->active = ph->nr_slots;
	t0 = now_ns();
	end = t0 + (uint64_t)o->seconds * 1000000000ULL;
	tick = t0 + PROGRESS_MS * 1000000ULL;
	for (k = 0; k < ph->nr_slots; k++)
		slot_submit(&ph->slots[k]);
	for (;;) {
		now = now_ns();
		if (o->cancel && atomic_load(o->cancel))
			*cancelled = true;
		if (now >= end || *cancelled || atomic_load(&ph->err))
			break;
		if (now >= tick) {
			phase_progress(ph, o, now - t0);
			tick += PROGRESS_MS * 1000000ULL;
		}
		wake = now + TICK_MS * 1000000ULL;
		wake = wake < tick ? wake : tick;
		phase_nap(ph, wake < end ? wake : end);
	}
	atomic_store(&ph->stop, true);
	ran = now_ns() - t0;
	if (!*cancelled && !atomic_load(&ph->err))
		phase_progress(ph, o, ran);
	pthread_mutex_lock(&ph->lock);
	while (ph->active)
		pthread_cond_wait(&ph->cond, &ph->lock);
	pthread_mutex_unlock(&ph->lock);
	return ran;
}

static void phase_error(struct phase *ph, char *err, size_t errlen)
{
	int e = atomic_load(&ph->err);
	const struct csa_sense *s = &ph->err_sense;

	if (e == -EIO && (s->key || s->asc || s->ascq))
		snprintf(err, errlen,
			 "%s: a read failed during the %s phase of calibration: %s (sense %x/%02x/%02x)",
			 csa_lun_name(ph->luns[ph->err_lun]), ph->name,
			 strerror(-e), s->key, s->asc, s->ascq);
	else
		snprintf(err, errlen,
			 "%s: a read failed during the %s phase of calibration: %s",
			 csa_lun_name(ph->luns[ph->err_lun]), ph->name,
			 strerror(-e));
}

/*
 * One phase over all the LUNs. On success *@rate is MB/s (seq) or IOPS
 * (rand) and *@p99_us the 99th percentile of the reads' latency.
 */
static int phase_run(const char *name, bool random, unsigned qd,
		     struct csa_lun *const *luns, unsigned n,
		     const uint64_t *first_lba, const struct csa_calib_opts *o,
		     uint64_t *rate, uint64_t *p99_us, char *err, size_t errlen)
{
	struct phase ph = { .name = name, .random = random, .luns = luns,
			    .n = n };
	uint64_t bucket[CSA_HISTO_BUCKETS], ran, mbps, iops;
	bool cancelled = false;
	unsigned b;
	int ret;

	ret = phase_init(&ph, qd, first_lba, err, errlen);
	if (ret)
		goto out;
	ran = phase_drive(&ph, o, &cancelled);
	ret = atomic_load(&ph.err);
	if (ret) {
		phase_error(&ph, err, errlen);
		goto out;
	}
	if (cancelled) {
		snprintf(err, errlen, "calibration cancelled during the %s phase",
			 name);
		ret = -ECANCELED;
		goto out;
	}
	phase_rates(&ph, ran, &mbps, &iops);
	*rate = random ? iops : mbps;
	for (b = 0; b < CSA_HISTO_BUCKETS; b++)
		bucket[b] = atomic_load(&ph.lat.bucket[b]);
	*p99_us = csa_histo_percentile(bucket, 99);
out:
	phase_free(&ph);
	return ret;
}

int csa_calibrate(struct csa_lun *const *luns, unsigned n,
		  const uint64_t *first_lba, const struct csa_calib_opts *o,
		  struct csa_calib_result *out, char *err, size_t errlen)
{
	struct csa_calib_result r = { 0 };
	int ret;

	if (!o || !o->seconds || o->seconds > CSA_CALIB_MAX_SECONDS) {
		snprintf(err, errlen,
			 "a calibration phase lasts 1 to %u seconds",
			 CSA_CALIB_MAX_SECONDS);
		return -EINVAL;
	}
	if (!n || !luns || !first_lba) {
		snprintf(err, errlen, "no LUNs to calibrate");
		return -EINVAL;
	}
	ret = check_luns(luns, n, first_lba, err, errlen);
	if (ret)
		return ret;
	ret = phase_run("seq", false, SEQ_QD, luns, n, first_lba, o, &r.mbps,
			&r.seq_p99_us, err, errlen);
	if (ret)
		return ret;
	ret = phase_run("rand", true, RAND_QD, luns, n, first_lba, o, &r.iops,
			&r.rand_p99_us, err, errlen);
	if (ret)
		return ret;
	*out = r;
	return 0;
}
