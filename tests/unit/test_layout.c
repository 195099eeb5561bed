// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The layout (layout.h, region.h): its checks and its JSON form.
 *
 * - Random valid layouts (1..8 columns, 1..3 copies on disjoint sets of
 *   arrays, extents cut into random pieces on several LUNs, random region
 *   states, array names with quotes, backslashes, slashes, control and
 *   non-ASCII bytes) pass csa_layout_validate, survive to_json/from_json
 *   equal, and print the same bytes the second time. Some of them are also
 *   truncated (always refused) and corrupted byte by byte (refused, or
 *   parsed into a layout that validates and round-trips).
 * - Every refusal, from hand-written JSON or a hand-built struct, is
 *   -EINVAL with a sentence that says what is wrong (checked by the words
 *   it must contain, whole sentences for the examples of the brief).
 * - The overlap check on 64 x 4 x 1024 extents, timed, and a layout of
 *   64 x 4 x 256 extents through JSON.
 *
 * One line per check, "ok - ..." or "not ok - ...", the error sentence
 * shown for every refusal. Seed: CSA_TEST_SEED (default below), printed;
 * CSA_TEST_ITERS overrides the number of random layouts.
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "striper/layout.h"
#include "striper/region.h"

#define DEFAULT_SEED	0x6373616c61796full	/* "csalayo" */
#define DEFAULT_ITERS	300
#define ERRLEN		512

static unsigned nr_checks, nr_failed;

__attribute__((format(printf, 2, 3)))
static int check(int ok, const char *fmt, ...)
{
	va_list ap;

	nr_checks++;
	nr_failed += !ok;
	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

/* ---- random numbers ------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 if n is 0. */
static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

/* ---- random valid layouts ------------------------------------------- */

/* Bytes a name may hold: mostly plain, some that JSON must escape. */
static void random_string(struct rng *r, char *buf, size_t size)
{
	static const char *const odd[] = {
		"\"", "\\", "/", "\t", "\n", "\x01", "\x7f", "\xc3\xa9",
		"\xe2\x82\xac", "\xff", " ", ":" };
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
	size_t len = 1 + below(r, size - 1), n = 0, k;
	const char *piece;
	char one[2] = "";

	while (n < len) {
		if (below(r, 8)) {
			one[0] = plain[below(r, sizeof(plain) - 1)];
			piece = one;
		} else {
			piece = odd[below(r, sizeof(odd) / sizeof(odd[0]))];
		}
		k = strlen(piece);
		if (n + k > size - 1)
			break;
		memcpy(buf + n, piece, k);
		n += k;
	}
	if (!n)
		buf[n++] = 'x';
	buf[n] = 0;
}

static void random_arrays(struct rng *r, struct csa_layout *l)
{
	unsigned i, j;

	for (i = 0; i < l->nr_arrays; i++) {
		struct csa_array_ref *a = &l->arrays[i];

		do {
			random_string(r, a->name, below(r, 4) ?
				      8 : sizeof(a->name));
			for (j = 0; j < i && strcmp(a->name, l->arrays[j].name); j++)
				;
		} while (j < i);
		random_string(r, a->portal, sizeof(a->portal));
		random_string(r, a->target, sizeof(a->target));
	}
}

static void random_geometry(struct rng *r, struct csa_layout *l)
{
	unsigned bs_shift = 9 + (unsigned)below(r, 8);
	unsigned su_shift = bs_shift + (unsigned)below(r, 27 - bs_shift);
	uint64_t rb, nreg;

	l->block_size = 1u << bs_shift;
	l->stripe_unit = 1u << su_shift;
	l->region_rows = below(r, 4) ? 1 + (uint32_t)below(r, 64) :
				       1 + (uint32_t)below(r, 1u << 20);
	rb = csa_layout_region_bytes(l);
	nreg = 1 + below(r, 200);
	l->size = (nreg - 1) * rb +
		  l->block_size * (1 + below(r, rb / l->block_size));
}

static void random_states(struct rng *r, struct csa_layout *l)
{
	uint64_t i = 0, n, end;
	unsigned st;

	if (!below(r, 4))
		return;		/* all normal: "regions" left out */
	while (i < l->nr_regions) {
		n = 1 + below(r, 10);
		st = below(r, 2) ? CSA_REGION_NORMAL : 1 + (unsigned)below(r, 2);
		for (end = i + n < l->nr_regions ? i + n : l->nr_regions;
		     i < end; i++)
			l->region_state[i] = (uint8_t)st;
	}
}

#define LUN_SLOTS 4
static const uint32_t lun_of_slot[LUN_SLOTS] = { 0, 1, 7, UINT32_MAX };

/* Where the next extent may start on each (array, LUN slot). */
struct cursors {
	uint64_t next[16][LUN_SLOTS];
};

/* Copy k of a column owns the arrays perm[j] with j % nr_copies == k. */
static unsigned pick_array(struct rng *r, const struct csa_layout *l,
			   const unsigned *perm, unsigned k)
{
	unsigned owned = (l->nr_arrays - k + l->nr_copies - 1) / l->nr_copies;

	return perm[k + l->nr_copies * (unsigned)below(r, owned)];
}

static int random_copy(struct rng *r, struct csa_layout *l, unsigned c,
		       unsigned k, const unsigned *perm, struct cursors *cur)
{
	static const uint64_t max_pieces[] = { 1, 3, 30, 300 };
	uint64_t need = csa_layout_column_bytes(l) / l->block_size, left, sz;
	unsigned n, i, slot;
	struct csa_copy *cp;

	need += below(r, 2) ? below(r, 1000) : 0;	/* a copy may be longer */
	n = 1 + (unsigned)below(r, max_pieces[below(r, 4)]);
	if (n > need)
		n = (unsigned)need;
	if (csa_layout_set_extents(l, c, k, n))
		return -ENOMEM;
	cp = csa_layout_copy(l, c, k);
	for (i = 0, left = need; i < n; i++, left -= sz) {
		struct csa_extent *e = &cp->extents[i];
		unsigned p = n - i;

		sz = p == 1 ? left : 1 + below(r, 2 * (left / p));
		if (sz > left - (p - 1))
			sz = left - (p - 1);
		e->array = pick_array(r, l, perm, k);
		slot = (unsigned)below(r, LUN_SLOTS);
		e->lun = lun_of_slot[slot];
		e->start_lba = cur->next[e->array][slot] +
			       (below(r, 4) ? below(r, 100) : 0) +
			       (below(r, 16) ? 0 : below(r, 1ull << 36));
		e->blocks = sz;
		cur->next[e->array][slot] = e->start_lba + sz;
	}
	return 0;
}

static struct csa_layout *random_layout(struct rng *r)
{
	unsigned copies = 1 + (unsigned)below(r, 3);
	unsigned columns = 1 + (unsigned)below(r, 8);
	unsigned arrays = copies + (unsigned)below(r, 6);
	unsigned perm[16], c, k, i, j, t;
	struct cursors cur;
	struct csa_layout *l;

	l = csa_layout_alloc(arrays, columns, copies);
	if (!l)
		return NULL;
	random_arrays(r, l);
	random_geometry(r, l);
	if (csa_layout_init_regions(l))
		goto bad;
	random_states(r, l);
	for (i = 0; i < arrays; i++)
		for (j = 0; j < LUN_SLOTS; j++)
			cur.next[i][j] = below(r, 2) ? 0 : below(r, 1u << 20);
	for (c = 0; c < columns; c++) {
		for (i = 0; i < arrays; i++)
			perm[i] = i;
		for (i = arrays - 1; i > 0; i--) {
			j = (unsigned)below(r, i + 1);
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		for (k = 0; k < copies; k++)
			if (random_copy(r, l, c, k, perm, &cur))
				goto bad;
	}
	return l;
bad:
	csa_layout_free(l);
	return NULL;
}

static unsigned total_extents(const struct csa_layout *l)
{
	unsigned i, n = 0;

	for (i = 0; i < l->nr_columns * l->nr_copies; i++)
		n += l->copies[i].nr_extents;
	return n;
}

/* ---- round trips ---------------------------------------------------- */

/* from_json(json) equal to @l, and printing it again gives @json. */
static int round_trip(const struct csa_layout *l, const char *json,
		      char *why, size_t whylen)
{
	struct csa_layout *back = NULL;
	char err[ERRLEN] = "", *again = NULL;
	int ret, ok = 0;

	ret = csa_layout_from_json(json, &back, err, sizeof(err));
	if (ret)
		snprintf(why, whylen, "from_json: %d %.400s", ret, err);
	else if (!csa_layout_equal(l, back))
		snprintf(why, whylen, "parsed layout differs");
	else if (!(again = csa_layout_to_json(back)))
		snprintf(why, whylen, "to_json failed");
	else if (strcmp(json, again))
		snprintf(why, whylen, "second to_json differs");
	else
		ok = 1;
	free(again);
	csa_layout_free(back);
	return ok;
}

/* Cut short anywhere before its last '}': always refused. */
static void truncations(struct rng *r, const char *json, unsigned round)
{
	size_t last = strrchr(json, '}') - json;
	char err[ERRLEN], *cut;
	struct csa_layout *l;
	unsigned i, refused = 0;

	for (i = 0; i < 10; i++) {
		size_t at = below(r, last);

		cut = strndup(json, at);
		l = NULL;
		refused += cut && csa_layout_from_json(cut, &l, err,
						       sizeof(err)) == -EINVAL;
		csa_layout_free(l);
		free(cut);
	}
	check(refused == 10, "layout %u: 10 truncated copies of its JSON refused (%u)",
	      round, refused);
}

/* A byte changed: refused with -EINVAL, or a layout that is valid. */
static void corruptions(struct rng *r, const char *json, unsigned round)
{
	static const char bytes[] = "{}[]\":,0123456789-.eE \\/atfnu\x01\x80";
	size_t len = strlen(json);
	char err[ERRLEN], why[ERRLEN], *bad, *again;
	unsigned i, refused = 0, accepted = 0, wrong = 0;
	struct csa_layout *l;
	int ret, ok;

	for (i = 0; i < 20; i++) {
		bad = strdup(json);
		if (!bad)
			break;
		bad[below(r, len)] = bytes[below(r, sizeof(bytes) - 1)];
		l = NULL;
		ret = csa_layout_from_json(bad, &l, err, sizeof(err));
		if (ret == -EINVAL && !l) {
			refused++;
		} else if (!ret && !csa_layout_validate(l, err, sizeof(err)) &&
			   (again = csa_layout_to_json(l))) {
			ok = round_trip(l, again, why, sizeof(why));
			accepted += ok;
			wrong += !ok;
			free(again);
		} else {
			wrong++;
		}
		csa_layout_free(l);
		free(bad);
	}
	check(!wrong && refused + accepted == 20,
	      "layout %u: 20 corrupted copies refused (%u) or valid (%u)",
	      round, refused, accepted);
}

static void random_round_trips(struct rng *r, unsigned iters)
{
	char why[ERRLEN], err[ERRLEN];
	struct csa_layout *l;
	unsigned i;
	char *json;
	int ok;

	for (i = 0; i < iters; i++) {
		l = random_layout(r);
		if (!l) {
			check(0, "layout %u: out of memory generating it", i);
			continue;
		}
		json = csa_layout_to_json(l);
		if (csa_layout_validate(l, err, sizeof(err)))
			ok = check(0, "layout %u: generated layout refused: %s",
				   i, err);
		else if (!json)
			ok = check(0, "layout %u: to_json failed", i);
		else
			ok = round_trip(l, json, why, sizeof(why));
		if (ok)
			check(1, "layout %u: %u columns x %u copies on %u arrays, %u extents, %"
			      PRIu64 " regions (%" PRIu64 " locked, %" PRIu64
			      " migrated), %zu bytes of JSON round-trip",
			      i, l->nr_columns, l->nr_copies, l->nr_arrays,
			      total_extents(l), l->nr_regions,
			      csa_region_count(l, CSA_REGION_LOCKED),
			      csa_region_count(l, CSA_REGION_MIGRATED),
			      strlen(json));
		else if (json)
			check(0, "layout %u: round trip: %s", i, why);
		if (ok && i % 10 == 0) {
			truncations(r, json, i);
			corruptions(r, json, i);
		}
		free(json);
		csa_layout_free(l);
	}
}

/* ---- hand-built layouts --------------------------------------------- */

/*
 * @cols columns of @copies copies, copy k of column c on array
 * (k + c) % @arrays ("a1".."aN"), LUN 10 + c, each copy cut into @extents
 * equal pieces from LBA 2048; block 512, unit 64 KiB, @rows rows.
 */
static struct csa_layout *grid(unsigned cols, unsigned copies,
			       unsigned arrays, unsigned extents,
			       uint64_t rows)
{
	struct csa_layout *l = csa_layout_alloc(arrays, cols, copies);
	uint64_t need, per;
	unsigned c, k, e, i;

	if (!l)
		return NULL;
	for (i = 0; i < arrays; i++) {
		snprintf(l->arrays[i].name, CSA_NAME_MAX, "a%u", i + 1);
		snprintf(l->arrays[i].portal, CSA_PORTAL_MAX, "127.0.0.1:%u",
			 3261 + i);
		snprintf(l->arrays[i].target, CSA_IQN_MAX,
			 "iqn.2026-11.org.csafs.lab:a%u", i + 1);
	}
	l->block_size = 512;
	l->stripe_unit = 65536;
	l->region_rows = 4;
	l->size = rows * cols * l->stripe_unit;
	if (csa_layout_init_regions(l))
		goto bad;
	need = csa_layout_column_bytes(l) / l->block_size;
	per = need / extents;
	for (c = 0; c < cols; c++)
		for (k = 0; k < copies; k++) {
			struct csa_copy *cp;

			if (csa_layout_set_extents(l, c, k, extents))
				goto bad;
			cp = csa_layout_copy(l, c, k);
			for (e = 0; e < extents; e++)
				cp->extents[e] = (struct csa_extent){
					.array = (k + c) % arrays,
					.lun = 10 + c,
					.start_lba = 2048 + e * per,
					.blocks = e + 1 < extents ? per :
						  need - per * (extents - 1) };
		}
	return l;
bad:
	csa_layout_free(l);
	return NULL;
}

static void refuse_struct(const char *what, struct csa_layout *l,
			  const char *expect)
{
	char err[ERRLEN] = "";
	int ret = l ? csa_layout_validate(l, err, sizeof(err)) : -ENOMEM;

	check(ret == -EINVAL && strstr(err, expect),
	      "validate refuses %s: \"%s\"%s%s%s", what, err,
	      ret == -EINVAL && strstr(err, expect) ? "" : " (wanted -EINVAL and \"",
	      ret == -EINVAL && strstr(err, expect) ? "" : expect,
	      ret == -EINVAL && strstr(err, expect) ? "" : "\")");
	csa_layout_free(l);
}

static struct csa_layout *with_extent(struct csa_layout *l, unsigned c,
				      unsigned k, unsigned e,
				      struct csa_extent x)
{
	if (l)
		csa_layout_copy(l, c, k)->extents[e] = x;
	return l;
}

static void struct_refusals(void)
{
	struct csa_layout *l;

	/* The sentences of the brief, whole. */
	l = grid(2, 2, 2, 1, 128);
	if (l && !csa_layout_set_extents(l, 1, 0, 1))
		csa_layout_copy(l, 1, 0)->extents[0].blocks = 8192;
	refuse_struct("a short copy", l,
		      "column 1 copy 0 holds 4194304 bytes; the volume needs 8388608 per column");
	l = grid(3, 2, 4, 1, 1);
	if (l)
		csa_layout_copy(l, 2, 1)->extents[0].array = 2;
	refuse_struct("two copies on one array", l,
		      "column 2: copies 0 and 1 are both on array a3");
	l = grid(4, 2, 4, 3, 1);
	l = with_extent(l, 0, 1, 2, (struct csa_extent){ 1, 1, 2048, 8192 });
	l = with_extent(l, 3, 0, 0, (struct csa_extent){ 1, 1, 8192, 8192 });
	refuse_struct("overlapping extents", l,
		      "column 0 copy 1 extent 2 overlaps column 3 copy 0 extent 0 on a2 LUN 1 (blocks 2048-10239 and 8192-16383)");
	l = grid(2, 2, 4, 2, 1);
	if (l)
		csa_layout_copy(l, 0, 0)->extents[1].array = 7;
	refuse_struct("an unknown array index", l,
		      "column 0 copy 0 extent 1 names array 7; the layout has 4 arrays");

	/* Counts out of range. */
	refuse_struct("65 columns", grid(65, 1, 1, 1, 1),
		      "the layout has 65 columns; it must have 1 to 64");
	refuse_struct("5 copies", grid(1, 5, 5, 1, 1),
		      "the layout has 5 copies; it must have 1 to 4");
	refuse_struct("1025 extents in a copy", grid(1, 1, 1, 1025, 16),
		      "column 0 copy 0 has 1025 extents; it must have 1 to 1024");
	l = grid(2, 1, 2, 1, 1);
	if (l)
		csa_layout_set_extents(l, 1, 0, 0);
	refuse_struct("a copy with no extents", l,
		      "column 1 copy 0 has 0 extents");
	l = grid(1, 1, 1, 1, 1);
	if (l)
		l->nr_arrays = 0;
	refuse_struct("no arrays", l, "the layout has no arrays");
	l = csa_layout_alloc(1, 0, 1);
	if (l) {
		strcpy(l->arrays[0].name, "a1");
		l->block_size = 512;
		l->stripe_unit = 65536;
		l->region_rows = 1;
		l->size = 65536;
	}
	refuse_struct("no columns", l, "the layout has 0 columns");

	/* Arrays. */
	l = grid(2, 1, 4, 1, 1);
	if (l)
		l->arrays[2].name[0] = 0;
	refuse_struct("an empty array name", l, "array 2 has an empty name");
	l = grid(2, 1, 4, 1, 1);
	if (l)
		memset(l->arrays[1].name, 'x', CSA_NAME_MAX);
	refuse_struct("an unterminated array name", l,
		      "array 1: the name is not NUL-terminated");
	l = grid(2, 1, 4, 1, 1);
	if (l)
		memset(l->arrays[3].target, 'x', CSA_IQN_MAX);
	refuse_struct("an unterminated target", l,
		      "array 3: the target is not NUL-terminated");
	l = grid(2, 1, 4, 1, 1);
	if (l)
		strcpy(l->arrays[3].name, "a2");
	refuse_struct("duplicate array names", l,
		      "arrays 1 and 3 are both named \"a2\"");

	/* Extents. */
	l = grid(1, 1, 1, 2, 1);
	if (l)
		csa_layout_copy(l, 0, 0)->extents[0].blocks = 0;
	refuse_struct("an empty extent", l, "column 0 copy 0 extent 0 has 0 blocks");
	l = with_extent(grid(1, 1, 1, 1, 1), 0, 0, 0,
			(struct csa_extent){ 0, 0, UINT64_MAX - 10, 128 });
	refuse_struct("start_lba + blocks past 2^64", l,
		      "start_lba 18446744073709551605 + 128 blocks overflows 64 bits");
	l = with_extent(grid(1, 1, 1, 1, 1), 0, 0, 0,
			(struct csa_extent){ 0, 0, 1ull << 55, 128 });
	refuse_struct("an extent ending past byte 2^64", l,
		      "ends at block 36028797018964096, past byte 2^64 of its LUN with 512-byte blocks");
	l = grid(1, 1, 1, 2, 1);
	l = with_extent(l, 0, 0, 0, (struct csa_extent){ 0, 0, 0, 1ull << 54 });
	l = with_extent(l, 0, 0, 1, (struct csa_extent){ 0, 1, 0, 1ull << 54 });
	refuse_struct("a copy of 2^64 bytes", l,
		      "column 0 copy 0 holds more than 2^64 bytes");
	l = grid(1, 1, 1, 1, 1);
	if (l) {
		free(l->copies[0].extents);
		l->copies[0].extents = NULL;
	}
	refuse_struct("a missing extent table", l,
		      "column 0 copy 0 has no extent table");

	/* Geometry. */
	l = grid(1, 1, 1, 1, 1);
	if (l) {
		l->stripe_unit = 64u << 20;
		l->size = UINT64_MAX - 511;
	}
	refuse_struct("a size past 2^64 in whole rows", l,
		      "needs more than 2^64 bytes per column");
	l = grid(1, 1, 1, 1, 1);
	if (l)
		l->region_rows = 0;
	refuse_struct("region_rows 0", l, "region_rows is 0");

	/* Region table. */
	l = grid(2, 1, 2, 1, 16);
	if (l)
		l->nr_regions--;
	refuse_struct("a region table of the wrong size", l,
		      "the region table has 3 entries; the volume has 4 regions");
	l = grid(2, 1, 2, 1, 16);
	if (l)
		l->region_state[1] = 9;
	refuse_struct("an unknown region state", l,
		      "region 1 has state 9, which is not a region state");
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	       (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A layout of many extents through JSON (a quarter of the largest, to
 * keep the sanitizer build quick). */
static void many_extents_json(void)
{
	struct csa_layout *l = grid(64, 4, 4, 256, 16);
	char why[ERRLEN] = "", *json = l ? csa_layout_to_json(l) : NULL;
	struct timespec t0;
	int ret;

	if (check(json != NULL, "printed 64 columns x 4 copies x 256 extents")) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = round_trip(l, json, why, sizeof(why));
		check(ret, "%zu bytes of JSON round-trip in %.0f ms %s",
		      strlen(json), ms_since(&t0), why);
	}
	free(json);
	csa_layout_free(l);
}

/* 64 x 4 x 1024 extents: the overlap check must be O(n log n). */
static void many_extents(void)
{
	struct csa_layout *l = grid(64, 4, 4, 1024, 16);
	char err[ERRLEN] = "";
	struct timespec t0;
	double ms;
	int ret;

	if (!check(l != NULL, "built 64 columns x 4 copies x 1024 extents"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = csa_layout_validate(l, err, sizeof(err));
	ms = ms_since(&t0);
	check(!ret && ms < 5000, "validate accepts %u extents in %.1f ms %s",
	      total_extents(l), ms, err);
	/* Column 0 copy 0's last extent moved onto column 1's LUN on a1. */
	csa_layout_copy(l, 0, 0)->extents[1023].lun = 11;
	csa_layout_copy(l, 0, 0)->extents[1023].start_lba = 2048 + 5 * 2 + 1;
	refuse_struct("one overlap among 262144 extents", l,
		      "column 1 copy 3 extent 5 overlaps column 0 copy 0 extent 1023 on a1 LUN 11 (blocks 2058-2059 and 2059-2060)");
}

/* ---- hand-written JSON ---------------------------------------------- */

/* 2 columns x 2 copies, 1 MiB in 8 rows of 128 KiB, 4 regions of 2 rows. */
static const char base_json[] =
	"{\n"
	"  \"size\": 1048576,\n"
	"  \"block_size\": 512,\n"
	"  \"stripe_unit\": 65536,\n"
	"  \"region_rows\": 2,\n"
	"  \"arrays\": [\n"
	"    {\"name\": \"a1\", \"portal\": \"127.0.0.1:3261\", \"target\": \"iqn.2026-11.org.csafs.lab:a1\"},\n"
	"    {\"name\": \"a2\", \"portal\": \"127.0.0.1:3262\", \"target\": \"iqn.2026-11.org.csafs.lab:a2\"},\n"
	"    {\"name\": \"a3\", \"portal\": \"127.0.0.1:3263\", \"target\": \"iqn.2026-11.org.csafs.lab:a3\"},\n"
	"    {\"name\": \"a4\", \"portal\": \"127.0.0.1:3264\", \"target\": \"iqn.2026-11.org.csafs.lab:a4\"}\n"
	"  ],\n"
	"  \"columns\": [\n"
	"    {\"copies\": [[{\"array\": \"a1\", \"lun\": 1, \"start_lba\": 2048, \"blocks\": 1024}],\n"
	"                [{\"array\": \"a2\", \"lun\": 1, \"start_lba\": 2048, \"blocks\": 1024}]]},\n"
	"    {\"copies\": [[{\"array\": \"a3\", \"lun\": 1, \"start_lba\": 2048, \"blocks\": 512},\n"
	"                 {\"array\": \"a3\", \"lun\": 2, \"start_lba\": 0, \"blocks\": 512}],\n"
	"                [{\"array\": \"a4\", \"lun\": 1, \"start_lba\": 4096, \"blocks\": 1024}]]}\n"
	"  ],\n"
	"  \"regions\": [{\"first\": 1, \"count\": 2, \"state\": \"locked\"}]\n"
	"}\n";

/* A small document without the base's arrays and columns. */
#define HEAD "{\"size\": 1048576, \"block_size\": 512, \"stripe_unit\": 65536, \"region_rows\": 2, "
#define ONE_ARRAY "\"arrays\": [{\"name\": \"a1\", \"portal\": \"p\", \"target\": \"t\"}]"

/* @base with its first @from replaced by @to (aborts if @from is absent:
 * a bug of this test). */
static char *edit(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t a, f = strlen(from), t = strlen(to), n = strlen(base);
	char *out;

	if (!at) {
		fprintf(stderr, "test bug: \"%s\" not in the base JSON\n", from);
		exit(1);
	}
	a = (size_t)(at - base);
	out = malloc(n - f + t + 1);
	if (!out)
		exit(1);
	memcpy(out, base, a);
	memcpy(out + a, to, t);
	memcpy(out + a + t, at + f, n - a - f + 1);
	return out;
}

static void refuse_text(const char *what, const char *text,
			const char *expect)
{
	struct csa_layout *l = NULL;
	char err[ERRLEN] = "";
	int ret, ok;

	ret = csa_layout_from_json(text, &l, err, sizeof(err));
	ok = ret == -EINVAL && !l && strstr(err, expect);
	check(ok, "from_json refuses %s: \"%s\"%s%s%s", what, err,
	      ok ? "" : " (wanted -EINVAL and \"", ok ? "" : expect,
	      ok ? "" : "\")");
	csa_layout_free(l);
}

/* The base with one edit, refused with a sentence holding @expect. */
static void refuse_edit(const char *what, const char *from, const char *to,
			const char *expect)
{
	char *text = edit(base_json, from, to);

	refuse_text(what, text, expect);
	free(text);
}

#define EXT_1_0_1 "{\"array\": \"a3\", \"lun\": 2, \"start_lba\": 0, \"blocks\": 512}"
#define COPY_1_1 "[{\"array\": \"a4\", \"lun\": 1, \"start_lba\": 4096, \"blocks\": 1024}]"
#define RUNS "\"regions\": [{\"first\": 1, \"count\": 2, \"state\": \"locked\"}]"

static void syntax_refusals(void)
{
	char *t;

	refuse_text("a trailing comma", "{\"size\": 1,}",
		    "JSON parse error: unexpected character at line 1 column 12 (byte 11)");
	refuse_text("an empty text", "", "JSON parse error: unexpected end of data");
	t = strndup(base_json, 100);
	refuse_text("a truncated text", t, "JSON parse error");
	free(t);
	t = malloc(sizeof(base_json) + 8);
	if (t) {
		snprintf(t, sizeof(base_json) + 8, "%s  x\n", base_json);
		refuse_text("trailing garbage", t,
			    "trailing characters after the layout at line 21 column 3");
		snprintf(t, sizeof(base_json) + 8, "%s{}", base_json);
		refuse_text("a second object", t, "trailing characters");
		free(t);
	}
	refuse_text("a top-level array", "[]",
		    "the layout must be an object, not an array");
	refuse_text("a top-level string", "\"layout\"",
		    "the layout must be an object, not a string");
	refuse_edit("a comment", "\"size\": 1048576,",
		    "\"size\": 1048576, /* bytes */", "JSON parse error");
	refuse_edit("a field given twice", "\"block_size\": 512,",
		    "\"block_size\": 512, \"block_size\": 4096,",
		    "field \"block_size\" is given a second time at line 3");
	refuse_edit("a field given twice, once escaped", "\"size\": 1048576,",
		    "\"size\": 1048576, \"\\u0073ize\": 2097152,",
		    "field \"size\" is given a second time");
	refuse_edit("a field given twice in an extent", "\"lun\": 2,",
		    "\"lun\": 2, \"lun\": 3,",
		    "field \"lun\" is given a second time at line 16 column 44");
	refuse_edit("a single-quoted value", "\"name\": \"a2\"",
		    "\"name\": 'a2'", "JSON parse error");
	refuse_edit("a single-quoted field name", "\"name\": \"a2\"",
		    "'name': \"a2\"",
		    "single-quoted string (JSON strings take double quotes) at line 8 column 6");
	refuse_edit("an integer past 2^64", "\"size\": 1048576",
		    "\"size\": 18446744073709551616",
		    "integer 18446744073709551616 does not fit in 64 bits at line 2");
	refuse_edit("a 30-digit integer", "\"start_lba\": 0",
		    "\"start_lba\": 123456789012345678901234567890",
		    "does not fit in 64 bits");
}

static void field_refusals(void)
{
	refuse_edit("an unknown field in the layout", "\"size\": 1048576,",
		    "\"size\": 1048576, \"foo\": 1,",
		    "unknown field \"foo\" in the layout");
	refuse_edit("an unknown field in an extent", "\"lun\": 2,",
		    "\"lun\": 2, \"foo\": 1,",
		    "unknown field \"foo\" in column 1 copy 0 extent 1");
	refuse_edit("an unknown field in an array", "\"name\": \"a2\",",
		    "\"name\": \"a2\", \"nmae\": \"x\",",
		    "unknown field \"nmae\" in array 1");
	refuse_edit("an unknown field in a column",
		    "{\"copies\": [[{\"array\": \"a3\"",
		    "{\"mirrors\": 2, \"copies\": [[{\"array\": \"a3\"",
		    "unknown field \"mirrors\" in column 1");
	refuse_edit("an unknown field in a region run", "\"state\": \"locked\"",
		    "\"state\": \"locked\", \"why\": \"x\"",
		    "unknown field \"why\" in region run 0");
	refuse_edit("a missing size", "\"size\": 1048576,\n", "",
		    "missing field \"size\" in the layout");
	refuse_edit("a missing region_rows", "\"region_rows\": 2,\n", "",
		    "missing field \"region_rows\" in the layout");
	refuse_edit("a missing portal", "\"portal\": \"127.0.0.1:3262\", ", "",
		    "missing field \"portal\" in array 1");
	refuse_edit("a missing blocks", "\"start_lba\": 2048, \"blocks\": 512}",
		    "\"start_lba\": 2048}",
		    "missing field \"blocks\" in column 1 copy 0 extent 0");
	refuse_edit("a missing run state", ", \"state\": \"locked\"", "",
		    "missing field \"state\" in region run 0");
	refuse_text("a missing columns", HEAD ONE_ARRAY "}",
		    "missing field \"columns\" in the layout");
	refuse_text("a missing copies", HEAD ONE_ARRAY ", \"columns\": [{}]}",
		    "missing field \"copies\" in column 0");
}

static void type_refusals(void)
{
	refuse_edit("a size as a string", "\"size\": 1048576",
		    "\"size\": \"1048576\"",
		    "field \"size\" in the layout must be an integer, not a string");
	refuse_edit("a block size of 512.0", "\"block_size\": 512",
		    "\"block_size\": 512.0",
		    "field \"block_size\" in the layout must be an integer, not a number with a fraction");
	refuse_edit("a stripe unit of 6.5536e4", "\"stripe_unit\": 65536",
		    "\"stripe_unit\": 6.5536e4", "must be an integer");
	refuse_edit("a size of NaN", "\"size\": 1048576", "\"size\": NaN",
		    "must be an integer");
	refuse_edit("a negative LUN", "\"lun\": 2", "\"lun\": -1",
		    "field \"lun\" in column 1 copy 0 extent 1 is negative");
	refuse_edit("a LUN past 32 bits", "\"lun\": 2", "\"lun\": 4294967296",
		    "field \"lun\" in column 1 copy 0 extent 1 is 4294967296; at most 4294967295 fits");
	refuse_edit("a block size past 32 bits", "\"block_size\": 512",
		    "\"block_size\": 4294967808", "at most 4294967295 fits");
	refuse_edit("a start_lba of true", "\"start_lba\": 0",
		    "\"start_lba\": true", "must be an integer, not a boolean");
	refuse_edit("blocks of null", "\"start_lba\": 0, \"blocks\": 512",
		    "\"start_lba\": 0, \"blocks\": null",
		    "field \"blocks\" in column 1 copy 0 extent 1 must be an integer, not null");
	refuse_edit("an array name as a number", "\"name\": \"a2\"",
		    "\"name\": 2", "field \"name\" in array 1 must be a string, not an integer");
	refuse_edit("a NUL in a portal", "\"portal\": \"127.0.0.1:3263\"",
		    "\"portal\": \"127.0.0.1\\u0000:3263\"",
		    "field \"portal\" in array 2 contains a NUL character");
	refuse_text("columns as an object", HEAD ONE_ARRAY ", \"columns\": {}}",
		    "field \"columns\" in the layout must be an array, not an object");
	refuse_text("a column as an array", HEAD ONE_ARRAY ", \"columns\": [[]]}",
		    "column 0 must be an object, not an array");
	refuse_edit("a copy as an object",
		    "[{\"array\": \"a2\", \"lun\": 1, \"start_lba\": 2048, \"blocks\": 1024}]",
		    "{\"array\": \"a2\"}",
		    "column 0 copy 1 must be an array of extents, not an object");
	refuse_edit("an extent as a number", COPY_1_1, "[42]",
		    "column 1 copy 1 extent 0 must be an object, not an integer");
	refuse_edit("regions as an object", RUNS,
		    "\"regions\": {\"first\": 1}",
		    "field \"regions\" in the layout must be an array, not an object");
	refuse_edit("a region run as a string", RUNS, "\"regions\": [\"1-2\"]",
		    "region run 0 must be an object, not a string");
	refuse_edit("a state as a number", "\"state\": \"locked\"",
		    "\"state\": 1",
		    "field \"state\" in region run 0 must be a string, not an integer");
}

/* A string field of @len bytes in the base: accepted if @len < @size. */
static void string_length(const char *field, const char *from, size_t len,
			  size_t size)
{
	char to[300], what[80], expect[120];
	struct csa_layout *l = NULL;
	char err[ERRLEN] = "", *text;
	int ret;

	snprintf(to, sizeof(to), "\"%s\": \"%0*d\"", field, (int)len, 0);
	text = edit(base_json, from, to);
	if (!strcmp(field, "name")) {	/* and the extent that names it */
		char *t = text;

		snprintf(to, sizeof(to), "\"array\": \"%0*d\"", (int)len, 0);
		text = edit(t, "\"array\": \"a2\"", to);
		free(t);
	}
	if (len < size) {
		ret = csa_layout_from_json(text, &l, err, sizeof(err));
		check(!ret, "from_json accepts a %zu-byte %s %s", len, field,
		      err);
		csa_layout_free(l);
	} else {
		snprintf(what, sizeof(what), "a %zu-byte %s", len, field);
		snprintf(expect, sizeof(expect),
			 "field \"%s\" in array 1 is %zu bytes long; at most %zu fit",
			 field, len, size - 1);
		refuse_text(what, text, expect);
	}
	free(text);
}

static void string_lengths(void)
{
	static const char *const from[] = { "\"name\": \"a2\"",
		"\"portal\": \"127.0.0.1:3262\"",
		"\"target\": \"iqn.2026-11.org.csafs.lab:a2\"" };
	static const char *const field[] = { "name", "portal", "target" };
	static const size_t size[] = { CSA_NAME_MAX, CSA_PORTAL_MAX,
				       CSA_IQN_MAX };
	unsigned i;

	for (i = 0; i < 3; i++) {
		string_length(field[i], from[i], size[i] - 1, size[i]);
		string_length(field[i], from[i], size[i], size[i]);
	}
}

static void name_and_region_refusals(void)
{
	refuse_edit("duplicate array names", "\"name\": \"a2\"",
		    "\"name\": \"a1\"", "arrays 0 and 1 are both named \"a1\"");
	refuse_edit("an unknown array name", "{\"array\": \"a4\"",
		    "{\"array\": \"a9\"",
		    "column 1 copy 1 extent 0 names array \"a9\", which is not in \"arrays\"");
	refuse_edit("columns with different numbers of copies",
		    ",\n                " COPY_1_1, "",
		    "column 1 has 1 copy; column 0 has 2");
	refuse_edit("a region run past the end", RUNS,
		    "\"regions\": [{\"first\": 3, \"count\": 2, \"state\": \"locked\"}]",
		    "region run 0 (first 3, count 2) goes past the last region, 3");
	refuse_edit("a region run at 2^64 - 1", RUNS,
		    "\"regions\": [{\"first\": 18446744073709551615, \"count\": 1, \"state\": \"locked\"}]",
		    "goes past the last region");
	refuse_edit("a region run of 2^64 - 1 regions", RUNS,
		    "\"regions\": [{\"first\": 1, \"count\": 18446744073709551615, \"state\": \"locked\"}]",
		    "goes past the last region");
	refuse_edit("overlapping region runs", RUNS,
		    "\"regions\": [{\"first\": 0, \"count\": 1, \"state\": \"migrated\"}, "
		    "{\"first\": 1, \"count\": 2, \"state\": \"locked\"}, "
		    "{\"first\": 2, \"count\": 2, \"state\": \"migrated\"}]",
		    "region runs 1 and 2 overlap at region 2");
	refuse_edit("a run of normal regions", "\"state\": \"locked\"",
		    "\"state\": \"normal\"",
		    "region run 0 has state \"normal\"; only locked and migrated runs are listed");
	refuse_edit("an unknown region state", "\"state\": \"locked\"",
		    "\"state\": \"frozen\"", "region run 0 has state \"frozen\"");
	refuse_edit("a run of 0 regions", "\"count\": 2", "\"count\": 0",
		    "region run 0 has count 0");
}

static void validate_refusals(void)
{
	refuse_edit("a block size of 1000", "\"block_size\": 512",
		    "\"block_size\": 1000", "block size 1000 is not a power of two");
	refuse_edit("a block size of 256", "\"block_size\": 512",
		    "\"block_size\": 256",
		    "block size 256 is out of range; it must be 512 to 65536");
	refuse_edit("a block size of 128 KiB", "\"block_size\": 512",
		    "\"block_size\": 131072", "block size 131072 is out of range");
	refuse_edit("a stripe unit of 3000", "\"stripe_unit\": 65536",
		    "\"stripe_unit\": 3000", "stripe unit 3000 is not a power of two");
	refuse_edit("a stripe unit below the block size", "\"stripe_unit\": 65536",
		    "\"stripe_unit\": 256",
		    "stripe unit 256 is smaller than the block size 512");
	refuse_edit("a stripe unit of 128 MiB", "\"stripe_unit\": 65536",
		    "\"stripe_unit\": 134217728",
		    "stripe unit 134217728 is larger than 64 MiB");
	refuse_edit("a stripe unit of 0", "\"stripe_unit\": 65536",
		    "\"stripe_unit\": 0", "stripe unit 0 is not a power of two");
	refuse_edit("a size of 0", "\"size\": 1048576", "\"size\": 0",
		    "the volume size is 0");
	refuse_edit("a size of 1000", "\"size\": 1048576", "\"size\": 1000",
		    "volume size 1000 is not a multiple of the block size 512");
	refuse_edit("region_rows 0", "\"region_rows\": 2", "\"region_rows\": 0",
		    "region_rows is 0");
	refuse_text("no columns", HEAD ONE_ARRAY ", \"columns\": []}",
		    "the layout has 0 columns; it must have 1 to 64");
	refuse_text("no copies", HEAD ONE_ARRAY ", \"columns\": [{\"copies\": []}]}",
		    "the layout has 0 copies; it must have 1 to 4");
	refuse_text("no arrays", HEAD "\"arrays\": [], \"columns\": [{\"copies\": [[]]}]}",
		    "the layout has no arrays");
	refuse_edit("a copy with no extents", COPY_1_1, "[]",
		    "column 1 copy 1 has 0 extents; it must have 1 to 1024");
	refuse_edit("an extent of 0 blocks", EXT_1_0_1,
		    "{\"array\": \"a3\", \"lun\": 2, \"start_lba\": 0, \"blocks\": 0}",
		    "column 1 copy 0 extent 1 has 0 blocks");
	refuse_edit("start_lba + blocks past 2^64", EXT_1_0_1,
		    "{\"array\": \"a3\", \"lun\": 2, \"start_lba\": 18446744073709551615, \"blocks\": 512}",
		    "column 1 copy 0 extent 1: start_lba 18446744073709551615 + 512 blocks overflows 64 bits");
	refuse_edit("an extent past byte 2^64 of its LUN", EXT_1_0_1,
		    "{\"array\": \"a3\", \"lun\": 2, \"start_lba\": 36028797018963968, \"blocks\": 512}",
		    "past byte 2^64 of its LUN");
	refuse_edit("a short copy", EXT_1_0_1,
		    "{\"array\": \"a3\", \"lun\": 2, \"start_lba\": 0, \"blocks\": 511}",
		    "column 1 copy 0 holds 523776 bytes; the volume needs 524288 per column");
	refuse_edit("two copies on one array", "{\"array\": \"a4\"",
		    "{\"array\": \"a3\"",
		    "column 1: copies 0 and 1 are both on array a3");
	refuse_edit("overlapping extents", "{\"array\": \"a4\", \"lun\": 1, \"start_lba\": 4096",
		    "{\"array\": \"a2\", \"lun\": 1, \"start_lba\": 2560",
		    "column 0 copy 1 extent 0 overlaps column 1 copy 1 extent 0 on a2 LUN 1 (blocks 2048-3071 and 2560-3583)");
	refuse_edit("an extent overlapping another of its copy", EXT_1_0_1,
		    "{\"array\": \"a3\", \"lun\": 1, \"start_lba\": 2559, \"blocks\": 512}",
		    "column 1 copy 0 extent 0 overlaps column 1 copy 0 extent 1 on a3 LUN 1 (blocks 2048-2559 and 2559-3070)");
}

/* ---- the rest of the API -------------------------------------------- */

static void accepted(void)
{
	struct csa_layout *l = NULL, *m = NULL;
	char err[ERRLEN] = "", *json, *t;
	int ret;

	ret = csa_layout_from_json(base_json, &l, err, sizeof(err));
	if (!check(!ret, "from_json accepts the base document %s", err))
		return;
	check(l->nr_columns == 2 && l->nr_copies == 2 && l->nr_arrays == 4 &&
	      l->nr_regions == 4 && l->region_state[0] == CSA_REGION_NORMAL &&
	      l->region_state[1] == CSA_REGION_LOCKED &&
	      l->region_state[2] == CSA_REGION_LOCKED &&
	      l->region_state[3] == CSA_REGION_NORMAL &&
	      csa_layout_copy(l, 1, 0)->extents[1].array == 2 &&
	      csa_layout_copy(l, 1, 0)->extents[1].blocks == 512,
	      "the base document reads as written");
	json = csa_layout_to_json(l);
	check(json && strstr(json, "\"regions\":[") &&
	      strstr(json, "\"state\":\"locked\""),
	      "to_json lists the locked run");
	free(json);
	memset(l->region_state, CSA_REGION_NORMAL, l->nr_regions);
	json = csa_layout_to_json(l);
	check(json && !strstr(json, "regions"),
	      "to_json leaves \"regions\" out when every region is normal");
	free(json);

	t = edit(base_json, RUNS, "\"regions\": []");
	ret = csa_layout_from_json(t, &m, err, sizeof(err));
	check(!ret && csa_layout_equal(l, m),
	      "an empty \"regions\" list means every region is normal %s", err);
	csa_layout_free(m);
	m = NULL;
	free(t);
	t = edit(base_json, ",\n  " RUNS, "");
	ret = csa_layout_from_json(t, &m, err, sizeof(err));
	check(!ret && csa_layout_equal(l, m),
	      "without \"regions\" every region is normal %s", err);
	free(t);
	if (m) {
		csa_layout_copy(m, 1, 0)->extents[1].lun = 3;
		check(!csa_layout_equal(l, m), "equal sees a changed LUN");
		csa_layout_copy(m, 1, 0)->extents[1].lun = 2;
		m->region_state[3] = CSA_REGION_MIGRATED;
		check(!csa_layout_equal(l, m), "equal sees a changed region state");
		m->region_state[3] = CSA_REGION_NORMAL;
		m->arrays[3].target[5] ^= 1;
		check(!csa_layout_equal(l, m), "equal sees a changed target");
	}
	csa_layout_free(m);
	csa_layout_free(l);
}

/* Values above INT64_MAX, the largest size there is, and 64 columns. */
static void big_values(void)
{
	struct csa_layout *l = csa_layout_alloc(1, 64, 1);
	char err[ERRLEN] = "", why[ERRLEN] = "", *json = NULL;
	uint64_t blocks;
	unsigned c;

	if (!check(l != NULL, "allocated a 64-column layout"))
		return;
	snprintf(l->arrays[0].name, CSA_NAME_MAX, "big");
	l->block_size = 4096;
	l->stripe_unit = 64u << 20;
	l->region_rows = 1u << 20;
	l->size = UINT64_MAX & ~4095ull;
	if (csa_layout_init_regions(l))
		goto out;
	blocks = csa_layout_column_bytes(l) / l->block_size;
	for (c = 0; c < 64; c++) {
		if (csa_layout_set_extents(l, c, 0, 1))
			goto out;
		csa_layout_copy(l, c, 0)->extents[0] = (struct csa_extent){
			.array = 0, .lun = c, .start_lba = 0, .blocks = blocks };
	}
	l->region_state[0] = CSA_REGION_LOCKED;
	l->region_state[l->nr_regions - 1] = CSA_REGION_MIGRATED;
	check(!csa_layout_validate(l, err, sizeof(err)) &&
	      l->nr_regions == 4096 && blocks == 1ull << 46,
	      "a volume of 2^64 - 4096 bytes in 4096 regions is valid %s", err);
	json = csa_layout_to_json(l);
	check(json && strstr(json, "\"size\":18446744073709547520") &&
	      round_trip(l, json, why, sizeof(why)),
	      "a size above INT64_MAX round-trips %s", why);
out:
	free(json);
	csa_layout_free(l);
}

static void api(void)
{
	struct csa_layout *l = csa_layout_alloc(0, 0, 0);
	int ret;

	check(l != NULL, "csa_layout_alloc(0, 0, 0) gives an empty layout");
	csa_layout_free(l);
	csa_layout_free(NULL);
	l = csa_layout_alloc(2, 4, 2);
	if (!check(l != NULL, "csa_layout_alloc(2, 4, 2)"))
		return;
	check(csa_layout_init_regions(l) == -EINVAL,
	      "init_regions refuses a layout with no geometry yet");
	check(csa_layout_set_extents(l, 4, 0, 1) == -EINVAL &&
	      csa_layout_set_extents(l, 0, 2, 1) == -EINVAL,
	      "set_extents refuses a column or copy out of range");
	check(!csa_layout_set_extents(l, 1, 1, 2), "set_extents gives room");
	csa_layout_copy(l, 1, 1)->extents[1].start_lba = 77;
	check(!csa_layout_set_extents(l, 1, 1, 5) &&
	      csa_layout_copy(l, 1, 1)->extents[1].start_lba == 77 &&
	      csa_layout_copy(l, 1, 1)->extents[4].start_lba == 0,
	      "set_extents keeps the extents already there and zeroes the new ones");
	l->block_size = 512;
	l->stripe_unit = 65536;
	l->region_rows = 3;
	l->size = 4 * 65536 + 512;	/* one row and a block */
	check(csa_layout_column_bytes(l) == 2 * 65536,
	      "a partial last row asks every column for a whole unit (%" PRIu64 ")",
	      csa_layout_column_bytes(l));
	l->size = 10 * 4 * 65536;
	ret = csa_layout_init_regions(l);
	check(!ret && l->nr_regions == 4,
	      "10 rows in regions of 3 rows are 4 regions (%" PRIu64 ")",
	      l->nr_regions);
	l->region_state[0] = CSA_REGION_LOCKED;
	l->region_state[2] = CSA_REGION_MIGRATED;
	l->region_state[3] = CSA_REGION_MIGRATED;
	check(csa_region_count(l, CSA_REGION_NORMAL) == 1 &&
	      csa_region_count(l, CSA_REGION_LOCKED) == 1 &&
	      csa_region_count(l, CSA_REGION_MIGRATED) == 2 &&
	      csa_region_count(l, 7) == 0, "csa_region_count counts by state");
	check(!csa_layout_init_regions(l) &&
	      csa_region_count(l, CSA_REGION_NORMAL) == 4,
	      "init_regions again makes every region normal");
	csa_layout_free(l);

	check(!strcmp(csa_region_state_name(CSA_REGION_NORMAL), "normal") &&
	      !strcmp(csa_region_state_name(CSA_REGION_LOCKED), "locked") &&
	      !strcmp(csa_region_state_name(CSA_REGION_MIGRATED), "migrated") &&
	      !csa_region_state_name(3),
	      "csa_region_state_name");
	check(csa_region_state_parse("normal") == CSA_REGION_NORMAL &&
	      csa_region_state_parse("locked") == CSA_REGION_LOCKED &&
	      csa_region_state_parse("migrated") == CSA_REGION_MIGRATED &&
	      csa_region_state_parse("Locked") == -EINVAL &&
	      csa_region_state_parse("") == -EINVAL &&
	      csa_region_state_parse(NULL) == -EINVAL,
	      "csa_region_state_parse");
}

static int write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return 0;
	ok = fwrite(data, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

static void load(void)
{
	char path[] = "/tmp/test_layout.XXXXXX", err[ERRLEN] = "";
	struct csa_layout *l = NULL, *m = NULL;
	int fd = mkstemp(path), ret;

	if (!check(fd >= 0, "made a temporary file"))
		return;
	close(fd);
	csa_layout_from_json(base_json, &m, err, sizeof(err));
	ret = write_file(path, base_json, strlen(base_json)) ?
	      csa_layout_load(path, &l, err, sizeof(err)) : -EIO;
	check(!ret && m && csa_layout_equal(l, m),
	      "csa_layout_load reads a file %s", err);
	csa_layout_free(l);
	l = NULL;
	ret = write_file(path, base_json, 40) ?
	      csa_layout_load(path, &l, err, sizeof(err)) : -EIO;
	check(ret == -EINVAL && !strncmp(err, path, strlen(path)) &&
	      strstr(err, "JSON parse error"),
	      "csa_layout_load names the file in its refusal: \"%s\"", err);
	ret = write_file(path, base_json, sizeof(base_json)) ?
	      csa_layout_load(path, &l, err, sizeof(err)) : -EIO;
	check(ret == -EINVAL && strstr(err, "has a NUL byte at byte"),
	      "csa_layout_load refuses a NUL byte: \"%s\"", err);
	unlink(path);
	ret = csa_layout_load(path, &l, err, sizeof(err));
	check(ret == -ENOENT && strstr(err, "cannot open"),
	      "csa_layout_load of a missing file is -ENOENT: \"%s\"", err);
	ret = csa_layout_load("/", &l, err, sizeof(err));
	check(ret == -EISDIR, "csa_layout_load of a directory is -EISDIR: \"%s\"",
	      err);
	csa_layout_free(l);
	csa_layout_free(m);
}

int main(void)
{
	const char *s = getenv("CSA_TEST_SEED"), *it = getenv("CSA_TEST_ITERS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
	unsigned iters = it ? (unsigned)strtoul(it, NULL, 0) : DEFAULT_ITERS;
	struct rng r = { seed };

	printf("# seed %" PRIu64 " (set CSA_TEST_SEED to change), %u layouts\n",
	       seed, iters);
	api();
	accepted();
	big_values();
	load();
	syntax_refusals();
	field_refusals();
	type_refusals();
	string_lengths();
	name_and_region_refusals();
	validate_refusals();
	struct_refusals();
	many_extents();
	many_extents_json();
	random_round_trips(&r, iters);
	printf("# %u checks, %u failed (seed %" PRIu64 ")\n", nr_checks,
	       nr_failed, seed);
	return nr_failed ? 1 : 0;
}
