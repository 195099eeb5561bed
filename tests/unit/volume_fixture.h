/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the checks of test_volume share (volume_fixture.c): the output, the
 * random numbers, requests with a done callback that records how it was
 * called, and a fixture: a generated layout (layout_gen.h), a fake
 * transport holding its LUNs, a volume opened over it and a shadow of what
 * the volume must hold.
 *
 * Everything here is for the main thread unless it says otherwise.
 */
#ifndef CSA_TEST_VOLUME_FIXTURE_H
#define CSA_TEST_VOLUME_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "striper/layout.h"
#include "striper/volume.h"
#include "fake_transport.h"
#include "layout_gen.h"

#define WAIT_MS		10000	/* the longest any wait may take */
#define WATCHDOG_S	100	/* the whole program, or a section after alarm() */
#define LUNS_PER_ARRAY	2	/* at most, in a fixture's layout */
#define FIX_MAX_EXT	6	/* extents per copy, in a fixture's layout */

/* Set by volume_test_init; the fakes and the threads seed from it. */
extern uint64_t seed;

/*
 * Seed, watchdog (ends the program with "not ok" after WATCHDOG_S) and the
 * condition variable requests are waited on. Call once, first.
 */
void volume_test_init(uint64_t s);
/* Stop the watchdog; 0 if every ok() so far passed, else 1. */
int volume_test_end(void);

/* ---- output ---- */

/* "ok - ..." or "not ok - ..." (which fails the program); returns @cond. */
bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# ..." */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Many checks, one line: the first few failures are printed as they
 * happen. */
struct acc {
	const char *what;
	unsigned long n, bad;
};

/* Count one check of @a; returns @cond. */
bool acc(struct acc *a, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* One ok() line for everything counted in @a since the last report. */
void acc_report(const char *prefix, struct acc *a);

void sleep_ms(unsigned ms);

/* ---- random numbers (main thread; threads use gen_rnd on their own) ---- */

/* Uniform in [0, n), n > 0. */
uint64_t below(uint64_t n);
void fill_random(uint8_t *p, size_t n);

/* ---- requests ---- */

struct req {
	struct csa_vreq r;	/* first */
	/* Protected by the lock req_wait and req_calls take. */
	int calls;
	int err;
	bool inside_submit;	/* done ran inside csa_volume_submit */
	/* Taken in done. */
	unsigned long done_seq;	/* order of completion among requests */
	unsigned queued_at_done;
	bool snap_log;
	bool all_completed_at_done;
};

/*
 * Fill in @q and submit it; csa_volume_submit's result. @snap: have done
 * check that every LUN I/O in the fake's log completed. Any thread.
 */
int req_submit_snap(struct csa_volume *v, struct req *q, int op,
		    uint64_t off, uint64_t len, void *buf, bool snap);
int req_submit(struct csa_volume *v, struct req *q, int op, uint64_t off,
	       uint64_t len, void *buf);
/* Wait until each of @n requests has completed; false after WAIT_MS. Any
 * thread. */
bool req_wait(struct req *const *qs, unsigned n);
/* How many times done ran for @q. Any thread. */
int req_calls(struct req *q);

/*
 * Submit and wait, then wait for the fake to go idle, so that q->calls is
 * final. Returns the request's status or the submit's error. A request
 * that does not complete within WAIT_MS ends the test (the volume still
 * owns it: nothing else is safe).
 */
int do_rw(struct csa_volume *v, struct req *q, int op, uint64_t off,
	  uint64_t len, void *buf);

/* ---- a volume over the fake, with its shadow ---- */

struct flun {
	unsigned array;
	uint32_t lun;
	uint8_t *data;		/* the fake's memory */
	uint64_t bytes;
	uint8_t *expect;	/* what it must hold */
	struct owner {
		int column;	/* -1: no extent here */
		unsigned copy;
		uint64_t col_block;
	} *owner;		/* per LUN block */
};

struct fix {
	const char *name;
	struct gen g;
	struct csa_layout *l;
	struct fake *f;
	struct csa_volume *v;
	uint32_t max_io;
	uint64_t nvb;		/* volume blocks */
	uint8_t *shadow;
	unsigned nluns;
	struct flun luns[GEN_MAX_ARRAYS * LUNS_PER_ARRAY];
	struct vloc {
		unsigned lun;	/* index in luns */
		uint64_t byte;	/* of the volume block's first byte */
	} *loc;			/* [vb * K + k] */
	unsigned *count[3];	/* per op: I/O blocks per [vb * K + k] */
};

/*
 * A layout as fix_open makes them: C columns, K copies over @nr_arrays
 * arrays of up to LUNS_PER_ARRAY LUNs, up to @max_ext extents per copy,
 * gaps of at most 7 blocks between them (the fake holds LUNs in memory),
 * 2 rows per region. Draws from the main thread's random numbers.
 */
void fix_gen(struct gen *g, unsigned C, unsigned K, unsigned nr_arrays,
	     uint32_t bs, uint32_t su, uint64_t size, unsigned max_ext);

/* When set, fix_open has the array of column 0 copy 0 refuse logins. */
extern bool fix_refuse;

/*
 * Build a layout of C columns and K copies over K + 1 arrays (K when K + 1
 * reaches GEN_MAX_ARRAYS) and the fake's LUNs (random bytes everywhere),
 * store a random volume on every copy and in the shadow, open the volume
 * (max_io_bytes @max_io). The fake has @fake_threads completion threads
 * and delays each I/O by up to @max_delay_us. Reports each step; false
 * after the first that fails. fix_close is due either way.
 */
bool fix_open(struct fix *x, const char *name, unsigned C, unsigned K,
	      uint32_t bs, uint32_t su, uint64_t size, uint32_t max_io,
	      unsigned fake_threads, unsigned max_delay_us);
/* Every LUN byte: the shadow where the volume maps, untouched elsewhere;
 * one ok() line. */
void fix_check_images(struct fix *x, const char *when);
/* Close the volume and free everything, checking that every LUN was
 * closed and the fake saw no contract violation. */
void fix_close(struct fix *x);

/* The index in x->luns of LUN @lun of @array; -1 if the layout has none. */
int fix_lun_index(const struct fix *x, const char *array, uint32_t lun);
/* Volume byte @vbyte of copy @k: the byte of @images (one per x->luns)
 * that holds it. */
uint8_t *fix_at(const struct fix *x, uint64_t vbyte, unsigned k,
		uint8_t *const *images);

/* A random range of the volume: aligned, a few bytes, inside a block, the
 * whole volume or anywhere. */
void pick_range(struct fix *x, uint64_t *off, uint64_t *len);

/* ---- the checks, called by main (test_volume.c) ---- */

/* volume_data.c: random reads and writes, alone and concurrent. */
void run_random(const char *name, unsigned C, unsigned K, uint32_t bs,
		uint32_t su, uint64_t size, uint32_t max_io, unsigned nops);

/* volume_faults.c: failing copies, bad requests. */
void test_read_faults(const char *name, unsigned C, unsigned K);
void test_write_faults(void);
void test_einval(void);

/* volume_flush_open.c: concurrent writers, flush, open. */
void test_concurrent_writers(void);
void test_flush(void);
void test_open(void);
void test_degraded(void);

#endif
