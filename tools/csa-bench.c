// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa-bench: load through the striper (a layout file) or straight to LUNs
 * through the engine (no striper), with MB/s, IOPS and latency
 * percentiles, and a --verify mode whose data is a function of (byte
 * offset, generation) so that any run can check what another wrote.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iscsi/engine.h"
#include "iscsi/pr.h"
#include "iscsi/engine_transport.h"
#include "striper/volume.h"
#include "tools/units.h"

#define MAX_LUNS 64

struct opts {
	const char *layout;
	const char *register_as;	/* --register: a host name */
	const char *lun_url[MAX_LUNS];
	unsigned nr_luns;
	bool write, random, verify, json, keep_going, stats;
	uint64_t bs, qd, time_ms, bytes, span, offset, gen, seed;
	struct csa_engine_opts eng;
};

struct slot;

struct job {
	const struct opts *o;
	const char *pass;
	bool write;
	struct csa_volume *v;
	struct csa_lun *luns[MAX_LUNS];
	unsigned nr_luns;
	uint64_t span;		/* bytes used of the volume / of each LUN */
	uint64_t limit;		/* bytes to issue per stream, 0 = until stopped */
	_Atomic uint64_t issued[MAX_LUNS];	/* per stream: the volume, or
						   each LUN with --lun */
	_Atomic uint64_t seq[MAX_LUNS];
	atomic_bool stop;
	atomic_uint inflight;
	_Atomic uint64_t ops, bytes, errors, verify_errors;
	atomic_int first_err;
	_Atomic uint64_t first_err_off;
	struct csa_histo lat;
	pthread_mutex_t lock;
	pthread_cond_t idle;
};

struct slot {
	struct job *j;
	unsigned lun;		/* raw mode */
	uint64_t off;
	uint64_t t0;
	uint64_t rng;
	uint8_t *buf;
	struct csa_vreq r;
	struct csa_io io;
	struct iovec iov;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The verify pattern: each 8-byte word is a hash of its offset and gen. */
static uint64_t pattern_word(uint64_t off, uint64_t gen)
{
	return mix64(off ^ mix64(gen));
}

static void pattern_fill(uint8_t *buf, uint64_t off, uint64_t len,
			 uint64_t gen)
{
	uint64_t i, w;

	for (i = 0; i < len; i += 8) {
		w = pattern_word(off + i, gen);
		memcpy(buf + i, &w, 8);
	}
}

/* Offset of the first wrong byte's word, or UINT64_MAX if all are right. */
static uint64_t pattern_check(const uint8_t *buf, uint64_t off, uint64_t len,
			      uint64_t gen)
{
	uint64_t i, w;

	for (i = 0; i < len; i += 8) {
		w = pattern_word(off + i, gen);
		if (memcmp(buf + i, &w, 8))
			return off + i;
	}
	return UINT64_MAX;
}

/* ---- the load loop -------------------------------------------------- */

static void slot_done(struct slot *s, int err);

static void vreq_done(struct csa_vreq *r, int err)
{
	slot_done(r->priv, err);
}

static void io_done(struct csa_io *io, int err)
{
	slot_done(io->priv, err);
}

static bool next_offset(struct slot *s)
{
	struct job *j = s->j;
	const struct opts *o = j->o;
	uint64_t n;

	if (atomic_load(&j->stop))
		return false;
	if (j->limit && atomic_fetch_add(&j->issued[s->lun], o->bs) >= j->limit)
		return false;
	if (o->random) {
		s->rng = mix64(s->rng);
		n = s->rng % (j->span / o->bs);
	} else {
		n = atomic_fetch_add(&j->seq[s->lun], 1) % (j->span / o->bs);
	}
	s->off = o->offset + n * o->bs;
	return true;
}

static int slot_submit(struct slot *s)
{
	struct job *j = s->j;

	if (j->write && j->o->verify)
		pattern_fill(s->buf, s->off, j->o->bs, j->o->gen);
	s->t0 = now_ns();
	if (j->v) {
		s->r = (struct csa_vreq){
			.op = j->write ? CSA_VREQ_WRITE : CSA_VREQ_READ,
			.off = s->off, .len = j->o->bs, .buf = s->buf,
			.done = vreq_done, .priv = s };
		return csa_volume_submit(j->v, &s->r);
	}
	s->iov = (struct iovec){ s->buf, j->o->bs };
	s->io = (struct csa_io){
		.op = j->write ? CSA_IO_WRITE : CSA_IO_READ,
		.lba = s->off / csa_lun_info(j->luns[s->lun])->block_size,
		.nblocks = (uint32_t)(j->o->bs /
			csa_lun_info(j->luns[s->lun])->block_size),
		.iov = &s->iov, .iovcnt = 1, .done = io_done, .priv = s };
	csa_lun_submit(j->luns[s->lun], &s->io);
	return 0;
}

static void record_error(struct job *j, uint64_t off, int err)
{
	int none = 0;

	atomic_fetch_add(&j->errors, 1);
	if (atomic_compare_exchange_strong(&j->first_err, &none, err))
		atomic_store(&j->first_err_off, off);
	if (!j->o->keep_going)
		atomic_store(&j->stop, true);
}

/*
 * Issue the slot's next request; false when the slot is done. A request
 * refused at submit (a write to a degraded volume, memory short) is
 * counted as an error and ends this slot: the next would most likely be
 * refused at once too, and with --keep-going the slot would spin on the
 * thread that submits, where no completion ever lets the time limit in.
 */
static bool slot_next(struct slot *s)
{
	int ret;

	if (!next_offset(s))
		return false;
	ret = slot_submit(s);
	if (!ret)
		return true;
	record_error(s->j, s->off, ret);
	return false;
}

static void slot_finish(struct job *j)
{
	if (atomic_fetch_sub(&j->inflight, 1) != 1)
		return;
	pthread_mutex_lock(&j->lock);
	pthread_cond_signal(&j->idle);
	pthread_mutex_unlock(&j->lock);
}

static void slot_done(struct slot *s, int err)
{
	struct job *j = s->j;
	uint64_t bad;

	csa_histo_add(&j->lat, (now_ns() - s->t0) / 1000);
	if (err) {
		record_error(j, s->off, err);
	} else {
		atomic_fetch_add(&j->ops, 1);
		atomic_fetch_add(&j->bytes, j->o->bs);
		if (!j->write && j->o->verify &&
		    (bad = pattern_check(s->buf, s->off, j->o->bs,
					 j->o->gen)) != UINT64_MAX) {
			if (atomic_fetch_add(&j->verify_errors, 1) == 0)
				fprintf(stderr,
					"csa-bench: verify: wrong data at byte %" PRIu64 " (generation %" PRIu64 ")\n",
					bad, j->o->gen);
			if (!j->o->keep_going)
				atomic_store(&j->stop, true);
		}
	}
	if (!slot_next(s))
		slot_finish(j);
}

/* ---- a pass --------------------------------------------------------- */

static void progress(struct job *j, uint64_t t0)
{
	double s = (double)(now_ns() - t0) / 1e9;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s: %.0f s, %.1f MB/s   ", j->pass, s,
		(double)atomic_load(&j->bytes) / 1e6 / (s > 0 ? s : 1));
}

static void wait_job(struct job *j, uint64_t t0)
{
	uint64_t end = j->o->time_ms ? t0 + j->o->time_ms * 1000000ULL : 0;
	struct timespec ts;

	pthread_mutex_lock(&j->lock);
	while (atomic_load(&j->inflight)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&j->idle, &j->lock, &ts);
		if (end && now_ns() >= end)
			atomic_store(&j->stop, true);
		progress(j, t0);
	}
	pthread_mutex_unlock(&j->lock);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%60s\r", "");
}

static const char *err_name(int err)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s", strerror(-err));
	return buf;
}

static void report(struct job *j, double secs)
{
	uint64_t b[CSA_HISTO_BUCKETS], ops = atomic_load(&j->ops);
	double mbps = (double)atomic_load(&j->bytes) / 1e6 / secs;
	double iops = (double)ops / secs;
	unsigned i;

	for (i = 0; i < CSA_HISTO_BUCKETS; i++)
		b[i] = atomic_load(&j->lat.bucket[i]);
	if (j->o->json) {
		printf("{\"pass\":\"%s\",\"bytes\":%" PRIu64 ",\"seconds\":%.3f,"
		       "\"mbps\":%.1f,\"iops\":%.0f,\"p50_us\":%" PRIu64
		       ",\"p99_us\":%" PRIu64 ",\"errors\":%" PRIu64
		       ",\"verify_errors\":%" PRIu64 "}\n", j->pass,
		       atomic_load(&j->bytes), secs, mbps, iops,
		       csa_histo_percentile(b, 50), csa_histo_percentile(b, 99),
		       atomic_load(&j->errors), atomic_load(&j->verify_errors));
	} else {
		printf("%-9s %10.1f MB/s %9.0f IOPS  p50 %8.2f ms  p99 %8.2f ms  %" PRIu64 " MiB in %.2f s, errors %" PRIu64 ", verify errors %" PRIu64 "\n",
		       j->pass, mbps, iops, csa_histo_percentile(b, 50) / 1e3,
		       csa_histo_percentile(b, 99) / 1e3,
		       atomic_load(&j->bytes) >> 20, secs,
		       atomic_load(&j->errors), atomic_load(&j->verify_errors));
	}
	if (atomic_load(&j->errors))
		fprintf(stderr, "csa-bench: %s: I/O error at byte %" PRIu64 ": %s\n",
			j->pass, atomic_load(&j->first_err_off),
			err_name(atomic_load(&j->first_err)));
	fflush(stdout);
}

/* Run one pass with o->qd requests in flight (per LUN in raw mode). */
static int run_pass(struct job *j, const char *pass, bool write,
		    uint64_t limit)
{
	const struct opts *o = j->o;
	unsigned n = (unsigned)o->qd * (j->v ? 1 : j->nr_luns), i;
	struct slot *slots = calloc(n, sizeof(*slots));
	uint64_t t0;
	int ret = 0;

	if (!slots)
		return -ENOMEM;
	j->pass = pass;
	j->write = write;
	j->limit = limit;
	atomic_store(&j->inflight, n);
	for (i = 0; i < n; i++) {
		slots[i] = (struct slot){ .j = j, .lun = i % (j->nr_luns ?: 1),
					  .rng = mix64(o->seed + i) };
		if (posix_memalign((void **)&slots[i].buf, 4096, o->bs))
			ret = -ENOMEM;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (ret || !slot_next(&slots[i]))
			slot_finish(j);
	wait_job(j, t0);
	report(j, (double)(now_ns() - t0) / 1e9);
	for (i = 0; i < n; i++)
		free(slots[i].buf);
	free(slots);
	if (!ret && (atomic_load(&j->errors) || atomic_load(&j->verify_errors)))
		ret = -EIO;
	return ret;
}

static void job_reset(struct job *j)
{
	unsigned i;

	atomic_store(&j->stop, false);
	atomic_store(&j->ops, 0);
	atomic_store(&j->bytes, 0);
	atomic_store(&j->errors, 0);
	atomic_store(&j->verify_errors, 0);
	atomic_store(&j->first_err, 0);
	for (i = 0; i < MAX_LUNS; i++) {
		atomic_store(&j->seq[i], 0);
		atomic_store(&j->issued[i], 0);
	}
	for (i = 0; i < CSA_HISTO_BUCKETS; i++)
		atomic_store(&j->lat.bucket[i], 0);
}

/* A pass in offset order, whatever --rw said. */
static int run_seq_pass(struct job *j, const char *pass, bool write,
			uint64_t limit)
{
	const struct opts *keep = j->o;
	struct opts seq = *keep;
	int ret;

	seq.random = false;
	j->o = &seq;
	ret = run_pass(j, pass, write, limit);
	j->o = keep;
	job_reset(j);
	return ret;
}

static int run(struct job *j)
{
	const struct opts *o = j->o;
	const char *name = o->random ? (o->write ? "randwrite" : "randread") :
				       (o->write ? "write" : "read");
	uint64_t whole = j->span;
	uint64_t limit = o->bytes || o->time_ms ? o->bytes : whole;
	int ret;

	if (!o->verify || !o->write)
		return run_pass(j, name, o->write, limit);
	/*
	 * Verified writes: random writes need the span written in order
	 * first (so that every block holds this generation); then the whole
	 * span is read back. The pattern encodes each word's offset, so a
	 * write that lands in the wrong place is found.
	 */
	if (o->random && (ret = run_seq_pass(j, "fill", true, whole)))
		return ret;
	ret = run_pass(j, name, true, limit);
	job_reset(j);
	if (ret)
		return ret;
	return run_seq_pass(j, "verify", false, whole);
}

/* ---- setup ---------------------------------------------------------- */

static int open_layout(struct job *j, struct csa_engine *e, char *err,
		       size_t errlen)
{
	struct csa_transport tp = csa_engine_transport(e);
	struct csa_layout *l;
	int ret;

	ret = csa_layout_load(j->o->layout, &l, err, errlen);
	if (ret)
		return ret;
	ret = csa_volume_open(l, &tp, NULL, &j->v, err, errlen);
	if (!ret)
		j->span = l->size;
	if (!ret && csa_volume_degraded(j->v)) {
		fprintf(stderr, "csa-bench: degraded, reads only: %s\n", err);
		err[0] = '\0';
	}
	csa_layout_free(l);
	return ret;
}

/* iscsi://HOST:PORT/TARGET/LUN */
static int parse_url(const char *url, char *portal, size_t pn, char *target,
		     size_t tn, unsigned *lun)
{
	const char *p = url + strlen("iscsi://"), *slash, *last;
	char *end;
	unsigned long v;

	if (strncmp(url, "iscsi://", 8) || !(slash = strchr(p, '/')) ||
	    !(last = strrchr(p, '/')) || last == slash ||
	    (size_t)(slash - p) >= pn || (size_t)(last - slash - 1) >= tn)
		return -EINVAL;
	errno = 0;
	v = strtoul(last + 1, &end, 10);
	if (errno || *end || end == last + 1 || v > 16383)
		return -EINVAL;
	snprintf(portal, pn, "%.*s", (int)(slash - p), p);
	snprintf(target, tn, "%.*s", (int)(last - slash - 1), slash + 1);
	*lun = (unsigned)v;
	return 0;
}

static int open_luns(struct job *j, struct csa_engine *e, char *err,
		     size_t errlen)
{
	const struct opts *o = j->o;
	char portal[64], target[224];
	unsigned i, lun;
	int ret;

	j->span = UINT64_MAX;
	for (i = 0; i < o->nr_luns; i++) {
		const struct csa_lun_info *info;

		if (parse_url(o->lun_url[i], portal, sizeof(portal), target,
			      sizeof(target), &lun)) {
			snprintf(err, errlen, "%s: not an iscsi://HOST:PORT/TARGET/LUN URL",
				 o->lun_url[i]);
			return -EINVAL;
		}
		ret = csa_lun_open(e, portal, target, lun, &j->luns[i], err,
				   errlen);
		if (ret)
			return ret;
		j->nr_luns++;
		info = csa_lun_info(j->luns[i]);
		if (o->bs % info->block_size || o->offset % info->block_size) {
			snprintf(err, errlen, "%s has %u-byte blocks: --bs and --offset must be multiples",
				 o->lun_url[i], info->block_size);
			return -EINVAL;
		}
		if (info->blocks * info->block_size < j->span)
			j->span = info->blocks * info->block_size;
	}
	return 0;
}

/* The bytes the job uses: --size, capped by what lies past --offset. */
static int set_span(struct job *j, char *err, size_t errlen)
{
	const struct opts *o = j->o;

	if (o->offset >= j->span) {
		snprintf(err, errlen, "--offset %" PRIu64 " is past the end (%" PRIu64 " bytes)",
			 o->offset, j->span);
		return -EINVAL;
	}
	j->span -= o->offset;
	if (o->span && o->span < j->span)
		j->span = o->span;
	j->span -= j->span % o->bs;
	if (!j->span) {
		snprintf(err, errlen, "the span is smaller than one block of --bs %" PRIu64,
			 o->bs);
		return -EINVAL;
	}
	return 0;
}

/* The engine's own counters of each LUN (--stats, with --lun). */
static void print_lun_stats(const struct job *j)
{
	struct csa_lun_counters c;
	unsigned i;

	printf("%-44s %9s %9s %9s %9s %6s %7s %6s %9s %9s\n", "LUN", "reads",
	       "writes", "MiB in", "MiB out", "errors", "retries", "reconn",
	       "p50 ms", "p99 ms");
	for (i = 0; i < j->nr_luns; i++) {
		csa_stats_snapshot(csa_lun_stats(j->luns[i]), &c);
		printf("%-44s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
		       " %6" PRIu64 " %7" PRIu64 " %6" PRIu64 " %9.2f %9.2f\n",
		       csa_lun_name(j->luns[i]), c.reads, c.writes,
		       c.read_bytes >> 20, c.write_bytes >> 20, c.errors,
		       c.retries, c.reconnects,
		       csa_histo_percentile(c.bucket, 50) / 1e3,
		       csa_histo_percentile(c.bucket, 99) / 1e3);
	}
}

static void close_all(struct job *j)
{
	unsigned i;

	if (j->v)
		csa_volume_close(j->v);
	for (i = 0; i < j->nr_luns; i++)
		csa_lun_close(j->luns[i]);
}

/* ---- options -------------------------------------------------------- */

static const char usage_text[] =
"Usage: csa-bench --layout FILE [options]\n"
"       csa-bench --lun iscsi://HOST:PORT/TARGET/LUN [--lun ...] [options]\n"
"\n"
"Puts a load on a striped volume (through the striper, no FUSE) or straight\n"
"on LUNs (through the iSCSI engine, no striper), and prints MB/s (10^6\n"
"bytes a second), IOPS and the 50th and 99th percentile of latency.\n"
"\n"
"Target:\n"
"  -l, --layout FILE     the volume's layout (JSON, as csa-lab layout prints)\n"
"  -L, --lun URL         a LUN; repeat for several (each gets --qd requests)\n"
"\n"
"Load:\n"
"  -w, --rw MODE         read, write, randread or randwrite (default read)\n"
"  -b, --bs SIZE         bytes per request, a multiple of the block size\n"
"                        (default 1M); SIZE takes k, M, G, T suffixes\n"
"  -q, --qd N            requests in flight (per LUN with --lun; default 32)\n"
"  -t, --time DURATION   stop after this long (e.g. 10s, 500ms, 2m)\n"
"  -n, --bytes SIZE      stop after this many bytes (per LUN with --lun)\n"
"                        (neither: one pass over the span)\n"
"  -s, --size SIZE       use only this many bytes of the volume or of each LUN\n"
"  -o, --offset SIZE     start at this byte (default 0)\n"
"      --seed N          seed of the random offsets (default 1)\n"
"\n"
"Checking:\n"
"  -V, --verify          writes carry a pattern made of each word's byte\n"
"                        offset and the generation; with a write mode the\n"
"                        span is read back and checked afterwards (random\n"
"                        writes first fill it in order); with a read mode\n"
"                        every read is checked\n"
"  -g, --gen N           generation of the pattern (default 1)\n"
"  -k, --keep-going      do not stop at the first I/O or verify error (a\n"
"                        request refused at submit still ends its slot)\n"
"\n"
"Engine:\n"
"      --reactors N      reactor threads (default 1)\n"
"      --lun-qd N        commands on the wire per LUN (default 32)\n"
"      --timeout DURATION  fail I/O with no answer after this (default 30s)\n"
"      --register HOST   register HOST's persistent reservation key on every\n"
"                        LUN first, as csafs on HOST does: the LUNs of a\n"
"                        running cluster take writes from registered hosts\n"
"                        only (without it a write there fails: RESERVATION\n"
"                        CONFLICT)\n"
"\n"
"Output:\n"
"  -j, --json            one JSON object per pass instead of a table line\n"
"      --stats           with --lun: the engine's counters of each LUN at the\n"
"                        end (commands, bytes, errors, re-sends, reconnects,\n"
"                        latency percentiles)\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 all I/O succeeded (and verified), 1 an I/O or verify error,\n"
"2 bad usage or the target could not be opened.\n"
"\n"
"Examples:\n"
"  csa-bench -l vol.json --rw write --verify --gen 7\n"
"  csa-bench -l vol.json --rw randread --bs 4k --qd 128 --time 10s\n"
"  csa-bench -L iscsi://127.0.0.1:3261/iqn.2026-11.org.csafs.lab:a1/1 -t 5s\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "csa-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'csa-bench --help'.\n");
	return 2;
}

static int parse_mode(struct opts *o, const char *m)
{
	if (!strcmp(m, "read") || !strcmp(m, "write") ||
	    !strcmp(m, "randread") || !strcmp(m, "randwrite")) {
		o->random = !strncmp(m, "rand", 4);
		o->write = strstr(m, "write") != NULL;
		return 0;
	}
	return -EINVAL;
}

static int parse_num(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || end == s || *s == '-' ? -EINVAL : 0;
}

static int parse_opt(struct opts *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 'l': o->layout = arg; return 0;
	case 'L':
		if (o->nr_luns == MAX_LUNS)
			return bad_usage("at most 64 --lun", "");
		o->lun_url[o->nr_luns++] = arg;
		return 0;
	case 'w': return parse_mode(o, arg) ? bad_usage("unknown --rw mode '%s'", arg) : 0;
	case 'b': return csa_parse_size(arg, &o->bs) || !o->bs ? bad_usage("bad --bs '%s'", arg) : 0;
	case 'q': return parse_num(arg, &o->qd) || !o->qd || o->qd > 4096 ? bad_usage("bad --qd '%s' (1..4096)", arg) : 0;
	case 't': return csa_parse_duration_ms(arg, &o->time_ms) || !o->time_ms ? bad_usage("bad --time '%s'", arg) : 0;
	case 'n': return csa_parse_size(arg, &o->bytes) ? bad_usage("bad --bytes '%s'", arg) : 0;
	case 's': return csa_parse_size(arg, &o->span) ? bad_usage("bad --size '%s'", arg) : 0;
	case 'o': return csa_parse_size(arg, &o->offset) ? bad_usage("bad --offset '%s'", arg) : 0;
	case 'S': return parse_num(arg, &o->seed) ? bad_usage("bad --seed '%s'", arg) : 0;
	case 'V': o->verify = true; return 0;
	case 'g': return parse_num(arg, &o->gen) ? bad_usage("bad --gen '%s'", arg) : 0;
	case 'k': o->keep_going = true; return 0;
	case 'j': o->json = true; return 0;
	case 'A': o->stats = true; return 0;
	case 'r':
		if (!*arg)
			return bad_usage("%s", "--register needs a host name");
		o->register_as = arg;
		return 0;
	case 'R':
		if (parse_num(arg, &v) || !v || v > 64)
			return bad_usage("bad --reactors '%s' (1..64)", arg);
		o->eng.nr_reactors = (unsigned)v;
		return 0;
	case 'Q':
		if (parse_num(arg, &v) || !v || v > 1024)
			return bad_usage("bad --lun-qd '%s' (1..1024)", arg);
		o->eng.queue_depth = (unsigned)v;
		return 0;
	case 'T':
		if (csa_parse_duration_ms(arg, &v) || !v || v > 3600000)
			return bad_usage("bad --timeout '%s'", arg);
		o->eng.io_timeout_ms = (unsigned)v;
		return 0;
	case 'h': fputs(usage_text, stdout); exit(0);
	default: return bad_usage("%s", "unknown option");
	}
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "layout", 1, 0, 'l' }, { "lun", 1, 0, 'L' },
		{ "rw", 1, 0, 'w' }, { "bs", 1, 0, 'b' }, { "qd", 1, 0, 'q' },
		{ "time", 1, 0, 't' }, { "bytes", 1, 0, 'n' },
		{ "size", 1, 0, 's' }, { "offset", 1, 0, 'o' },
		{ "seed", 1, 0, 'S' }, { "verify", 0, 0, 'V' },
		{ "gen", 1, 0, 'g' }, { "keep-going", 0, 0, 'k' },
		{ "json", 0, 0, 'j' }, { "reactors", 1, 0, 'R' },
		{ "lun-qd", 1, 0, 'Q' }, { "timeout", 1, 0, 'T' },
		{ "stats", 0, 0, 'A' }, { "register", 1, 0, 'r' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	int c, ret;

	*o = (struct opts){ .bs = 1 << 20, .qd = 32, .gen = 1, .seed = 1 };
	csa_engine_opts_default(&o->eng);
	while ((c = getopt_long(argc, argv, "l:L:w:b:q:t:n:s:o:Vg:kjh", lo,
				NULL)) != -1)
		if ((ret = parse_opt(o, c, optarg)))
			return ret;
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (!o->layout == !o->nr_luns)
		return bad_usage("%s", "give either --layout or --lun");
	if (o->verify && o->bs % 8)
		return bad_usage("%s", "--verify needs --bs a multiple of 8");
	if (o->stats && !o->nr_luns)
		return bad_usage("%s", "--stats goes with --lun");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct job j = { .lock = PTHREAD_MUTEX_INITIALIZER,
			 .idle = PTHREAD_COND_INITIALIZER };
	struct csa_engine *e;
	char err[512] = "";
	int ret;

	ret = parse_args(&o, argc, argv);
	if (ret)
		return ret;
	j.o = &o;
	ret = csa_engine_start(&o.eng, &e);
	if (ret) {
		fprintf(stderr, "csa-bench: cannot start the engine: %s\n",
			strerror(-ret));
		return 2;
	}
	if (o.register_as)	/* before any LUN opens: each login registers */
		csa_engine_pr_key(e, csa_pr_host_key(o.register_as));
	ret = o.layout ? open_layout(&j, e, err, sizeof(err)) :
			 open_luns(&j, e, err, sizeof(err));
	if (!ret)
		ret = set_span(&j, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "csa-bench: %s\n", err[0] ? err : strerror(-ret));
		close_all(&j);
		csa_engine_stop(e);
		return 2;
	}
	ret = run(&j);
	if (o.stats)
		print_lun_stats(&j);
	close_all(&j);
	csa_engine_stop(e);
	return ret ? 1 : 0;
}
