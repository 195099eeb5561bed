// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The catalog on the LUNs: the label and slot formats (primary/label.h)
 * and the store (primary/catalog_store.h) over in-memory LUNs with faults
 * (memdev.h).
 *
 * - Label: UUIDs, round trip, each decode error with its sentence, and the
 *   refusal of another cluster's LUN naming that cluster and array.
 * - Slots: round trip, too large, empty, torn (cut mid-way), a flipped byte
 *   in the JSON or the header, misdirected, another cluster's; the choice
 *   between two slots and the exact error when neither is valid.
 * - Store: labelling; a new cluster; write and read back equal; slots
 *   alternate across writes (and across a reopen); a torn write and a
 *   flipped byte fall back to the older slot; both slots bad is the clear
 *   error; the highest sequence wins across LUNs with different histories;
 *   the majority is of arrays (one failing: success; two: the error says
 *   which and why); a failed sequence is never reused; foreign LUNs are
 *   refused; two catalogs with one sequence are not guessed between.
 *
 * One line per check, "ok - ..." or "not ok - ...". Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "primary/catalog.h"
#include "primary/catalog_store.h"
#include "primary/label.h"
#include "tests/unit/memdev.h"

#define ERRLEN		2048
#define LUN_BYTES	(8ull << 20)	/* 4 MiB reserved + 4 MiB of data */
#define BLK		4096u
#define MAX_LUNS	8

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

/* Checks @got equals @want; prints both when not. */
static int check_msg(const char *got, const char *want, const char *what)
{
	int ok = check(!strcmp(got, want), "%s", what);

	if (ok)
		printf("#   %s\n", got);
	else
		printf("#   got:  %s\n#   want: %s\n", got, want);
	return ok;
}

static struct csa_uuid uuid_of(const char *s)
{
	struct csa_uuid u = { { 0 } };

	if (csa_uuid_parse(s, &u))
		abort();
	return u;
}

static const char *fmt_uuid(const struct csa_uuid *u, char *buf)
{
	csa_uuid_format(u, buf);
	return buf;
}

/* ---- UUIDs and labels --------------------------------------------------------- */

static void test_uuid(void)
{
	struct csa_uuid a, b, c;
	char s[CSA_UUID_STR_LEN];

	check(!csa_uuid_generate(&a) && !csa_uuid_generate(&b) &&
	      !csa_uuid_equal(&a, &b), "two random UUIDs differ");
	check((a.b[6] >> 4) == 4 && (a.b[8] >> 6) == 2,
	      "a random UUID is version 4, RFC 4122 variant");
	csa_uuid_format(&a, s);
	check(!csa_uuid_parse(s, &c) && csa_uuid_equal(&a, &c) &&
	      strlen(s) == 36 && s[8] == '-' && s[23] == '-',
	      "canonical form round trips (%s)", s);
	check(!csa_uuid_parse("0A1B2C3D-4E5F-4061-8273-8495A6B7C8D9", &c) &&
	      c.b[0] == 0x0a && c.b[15] == 0xd9, "upper case parses");
	check(csa_uuid_parse("0a1b2c3d4e5f-4061-8273-8495a6b7c8d9-", &c) == -EINVAL &&
	      csa_uuid_parse("0a1b2c3d-4e5f-4061-8273-8495a6b7c8d", &c) == -EINVAL &&
	      csa_uuid_parse("0a1b2c3d-4e5f-4061-8273-8495a6b7c8dg", &c) == -EINVAL,
	      "misplaced dashes, short forms and non-hex digits are refused");
}

static void reseal(uint8_t *label)
{
	unsigned len;

	EVP_Digest(label, 480, label + 480, &len, EVP_sha256(), NULL);
}

static void test_label(void)
{
	struct csa_uuid cl = uuid_of("11111111-1111-4111-8111-111111111111");
	struct csa_uuid lu = uuid_of("22222222-2222-4222-8222-222222222222");
	struct csa_uuid other = uuid_of("33333333-3333-4333-8333-333333333333");
	uint8_t buf[CSA_LABEL_BYTES], bad[CSA_LABEL_BYTES];
	struct csa_label l, d;
	char err[ERRLEN] = "";
	int ret;

	ret = csa_label_init(&l, &cl, &lu, "array-1", err, sizeof(err));
	ret = ret ? ret : csa_label_encode(&l, buf, err, sizeof(err));
	ret = ret ? ret : csa_label_decode(buf, sizeof(buf), &d, err, sizeof(err));
	check(!ret && csa_uuid_equal(&d.cluster, &cl) &&
	      csa_uuid_equal(&d.lun, &lu) && !strcmp(d.array, "array-1") &&
	      d.version == 1 && d.reserved_bytes == 4u << 20 &&
	      d.slot_offset[0] == 64u << 10 && d.slot_bytes[0] == 2016u << 10 &&
	      d.slot_offset[1] == 2080u << 10 && d.slot_bytes[1] == 2016u << 10,
	      "label round trip: every field, default geometry");
	check(!memcmp(buf, "CSAFSLBL\x01\0\0\0\0\x02\0\0\x11\x11", 18) &&
	      buf[112 + 2] == 0x40 && buf[48] == 'a',
	      "label bytes: magic, version 1, length 512 LE, cluster UUID, 4 MiB at 112, name at 48");

	memset(bad, 0, sizeof(bad));
	ret = csa_label_decode(bad, sizeof(bad), &d, err, sizeof(err));
	check(ret == -ENODATA, "blank: -ENODATA");
	check_msg(err, "no csafs label (the label block is blank)", "blank: the sentence");
	memcpy(bad, "XFS", 3);
	ret = csa_label_decode(bad, sizeof(bad), &d, err, sizeof(err));
	check(ret == -ENODATA, "someone else's data: -ENODATA");
	check_msg(err, "no csafs label (the first 8 bytes are not \"CSAFSLBL\")",
		  "someone else's data: the sentence");
	memcpy(bad, buf, sizeof(buf));
	bad[8] = 2;
	ret = csa_label_decode(bad, sizeof(bad), &d, err, sizeof(err));
	check(ret == -ENOTSUP, "version 2: -ENOTSUP");
	check_msg(err, "csafs label format version 2; this csafs reads version 1",
		  "version 2: the sentence");
	memcpy(bad, buf, sizeof(buf));
	bad[50] ^= 0x20;
	ret = csa_label_decode(bad, sizeof(bad), &d, err, sizeof(err));
	check(ret == -EBADMSG, "a flipped byte in the name: -EBADMSG");
	check_msg(err, "csafs label checksum mismatch (the label is damaged)",
		  "a flipped byte: the sentence");
	memcpy(bad, buf, sizeof(buf));
	bad[136 + 1] = 0x00;	/* slot 1 at 64 KiB: on top of slot 0 */
	bad[136 + 2] = 0x01;
	reseal(bad);
	ret = csa_label_decode(bad, sizeof(bad), &d, err, sizeof(err));
	check(ret == -EBADMSG, "slots overlapping behind a good checksum: -EBADMSG");
	check_msg(err, "csafs label: slots 0 and 1 overlap", "overlapping slots: the sentence");

	ret = csa_label_check_cluster(&l, &other, err, sizeof(err));
	check(ret == -EBUSY, "another cluster's LUN: -EBUSY");
	check_msg(err, "the LUN belongs to another cluster: 11111111-1111-4111-8111-111111111111 (array \"array-1\"); this cluster is 33333333-3333-4333-8333-333333333333",
		  "another cluster's LUN: the sentence names its cluster and array");
	check(!csa_label_check_cluster(&l, &cl, err, sizeof(err)),
	      "our own LUN passes the check");
}

/* ---- slots -------------------------------------------------------------------- */

static const struct csa_uuid *test_cluster(void)
{
	static struct csa_uuid u;

	u = uuid_of("44444444-4444-4444-8444-444444444444");
	return &u;
}

/* A JSON text of about @n bytes. */
static char *json_of(size_t n, char fill)
{
	char *s = malloc(n + 1);

	memset(s, fill, n);
	s[0] = '"';
	s[n - 1] = '"';
	s[n] = 0;
	return s;
}

static void test_slot_codec(void)
{
	const struct csa_uuid *cl = test_cluster();
	struct csa_uuid other = uuid_of("55555555-5555-4555-8555-555555555555");
	char *j = json_of(6000, 'x'), *big = json_of(3u << 20, 'y');
	struct csa_slot_info info;
	char err[ERRLEN] = "", want[256];
	const char *json = NULL;
	uint8_t *buf = NULL, *b2 = NULL, *zero = calloc(1, 16384);
	size_t len = 0, len2 = 0;
	int ret;

	ret = csa_slot_encode(cl, 1, 5, j, 6000, CSA_SLOT_BYTES, &buf, &len,
			      err, sizeof(err));
	check(!ret && len == 8192 && len == csa_slot_span(6000),
	      "slot encode: header + 6000 + end marker rounds to 8192 bytes");
	ret = csa_slot_decode(buf, len, cl, 1, CSA_SLOT_BYTES, &info, &json);
	check(!ret && info.status == CSA_SLOT_VALID && info.seq == 5 &&
	      info.json_len == 6000 && json && !memcmp(json, j, 6000),
	      "slot round trip: valid, sequence 5, the same JSON");

	ret = csa_slot_encode(cl, 0, 1, big, 3u << 20, CSA_SLOT_BYTES, &b2,
			      &len2, err, sizeof(err));
	check(ret == -EFBIG && !b2, "3 MiB of JSON: -EFBIG");
	check_msg(err, "the catalog is 3145728 bytes of JSON; a catalog slot holds at most 2064240",
		  "too large: the sentence");

	ret = csa_slot_decode(zero, 16384, cl, 0, CSA_SLOT_BYTES, &info, NULL);
	check(ret == -ENODATA && info.status == CSA_SLOT_EMPTY &&
	      !strcmp(info.reason, "never written"), "all zeros: empty, never written");

	memcpy(zero, buf, 2000);	/* the write cut after 2000 bytes */
	ret = csa_slot_decode(zero, 16384, cl, 1, CSA_SLOT_BYTES, &info, NULL);
	check(ret == -EBADMSG && info.status == CSA_SLOT_TORN && info.header_ok &&
	      info.seq == 5, "cut after 2000 bytes: torn, the header still says sequence 5");
	check_msg(info.reason, "the write of sequence 5 stopped before its end marker at slot byte 6128",
		  "torn: the reason");

	buf[128 + 3000] ^= 1;
	ret = csa_slot_decode(buf, len, cl, 1, CSA_SLOT_BYTES, &info, NULL);
	check(ret == -EBADMSG && info.status == CSA_SLOT_CORRUPT,
	      "a flipped JSON byte: corrupt");
	check_msg(info.reason, "JSON checksum mismatch (sequence 5, 6000 bytes)",
		  "a flipped JSON byte: the reason");
	buf[128 + 3000] ^= 1;
	buf[17] ^= 1;
	ret = csa_slot_decode(buf, len, cl, 1, CSA_SLOT_BYTES, &info, NULL);
	check(ret == -EBADMSG && info.status == CSA_SLOT_CORRUPT && !info.header_ok,
	      "a flipped header byte: corrupt");
	check_msg(info.reason, "header checksum mismatch", "a flipped header byte: the reason");
	buf[17] ^= 1;

	ret = csa_slot_decode(buf, len, cl, 0, CSA_SLOT_BYTES, &info, NULL);
	check(ret == -EBADMSG && !strcmp(info.reason, "the header was written for slot 1 (a misdirected write)"),
	      "slot 1's image read as slot 0: misdirected (%s)", info.reason);
	ret = csa_slot_decode(buf, len, &other, 1, CSA_SLOT_BYTES, &info, NULL);
	snprintf(want, sizeof(want), "the slot belongs to cluster 44444444-4444-4444-8444-444444444444");
	check(ret == -EBADMSG && !strcmp(info.reason, want),
	      "another cluster's slot is refused (%s)", info.reason);
	free(j);
	free(big);
	free(buf);
	free(zero);
}

static struct csa_slot_info info_of(enum csa_slot_status st, uint64_t seq,
				    uint8_t sha0, const char *reason)
{
	struct csa_slot_info i = { .status = st, .seq = seq,
				   .header_ok = st == CSA_SLOT_VALID };

	i.json_sha[0] = sha0;
	snprintf(i.reason, sizeof(i.reason), "%s", reason);
	return i;
}

static void test_choose(void)
{
	struct csa_slot_info s[2];
	char why[256] = "", err[ERRLEN] = "";
	unsigned newest = 9, next = 9;
	int ret;

	s[0] = info_of(CSA_SLOT_VALID, 4, 1, "");
	s[1] = info_of(CSA_SLOT_VALID, 5, 2, "");
	ret = csa_slot_choose(s, &newest, &next, why, sizeof(why), err, sizeof(err));
	check(!ret && newest == 1 && next == 0 &&
	      !strcmp(why, "slot 0 is older: sequence 4 against 5"),
	      "both valid: the higher sequence, the other is next (%s)", why);
	s[1] = info_of(CSA_SLOT_TORN, 6, 2, "the write of sequence 6 stopped before its end marker at slot byte 900");
	ret = csa_slot_choose(s, &newest, &next, why, sizeof(why), err, sizeof(err));
	check(!ret && newest == 0 && next == 1,
	      "slot 1 torn: slot 0 is read, slot 1 written next");
	check_msg(why, "slot 1 skipped: torn: the write of sequence 6 stopped before its end marker at slot byte 900",
		  "slot 1 torn: why it was skipped");
	s[0] = info_of(CSA_SLOT_CORRUPT, 0, 0, "header checksum mismatch");
	newest = 9;
	ret = csa_slot_choose(s, &newest, &next, why, sizeof(why), err, sizeof(err));
	check(ret == -EIO && newest == 9 && next == 0, "both bad: -EIO, nothing chosen");
	check_msg(err, "no valid catalog slot: slot 0 corrupt: header checksum mismatch, slot 1 torn: the write of sequence 6 stopped before its end marker at slot byte 900",
		  "both bad: the sentence");
	s[0] = info_of(CSA_SLOT_VALID, 7, 1, "");
	s[1] = info_of(CSA_SLOT_VALID, 7, 2, "");
	ret = csa_slot_choose(s, &newest, &next, why, sizeof(why), err, sizeof(err));
	check(ret == -EIO && !strcmp(err, "slots 0 and 1 both carry sequence 7 with different catalogs"),
	      "one sequence, two catalogs: -EIO, no guess (%s)", err);
}

/* ---- store fixture ------------------------------------------------------------ */

struct logbuf {
	char text[1 << 16];
	size_t at;
	unsigned warns;
};

static void log_cb(void *arg, enum csa_log_level level, const char *msg)
{
	struct logbuf *l = arg;
	int n;

	l->warns += level == CSA_LOG_WARN;
	n = snprintf(l->text + l->at, sizeof(l->text) - l->at, "%s %s\n",
		     level == CSA_LOG_WARN ? "W" : "I", msg);
	if (n > 0 && (size_t)n < sizeof(l->text) - l->at)
		l->at += (size_t)n;
}

static void log_show(const struct logbuf *l)
{
	const char *p = l->text, *e;

	while (*p && (e = strchr(p, '\n'))) {
		printf("#   log: %.*s\n", (int)(e - p), p);
		p = e + 1;
	}
}

struct fix {
	struct csa_uuid cluster;
	unsigned n;
	struct memdev *md[MAX_LUNS];
	char name[MAX_LUNS][32];
	char array[MAX_LUNS][16];
	struct csa_label label[MAX_LUNS];
	struct csa_store_dev dev[MAX_LUNS];
	struct logbuf log;
};

/*
 * LUNs of the arrays @arrays (one entry per LUN), each labelled, named
 * "a1 LUN 0", "a1 LUN 1", ... by their number within their array.
 */
static void fix_init(struct fix *f, const char *cluster,
		     const char *const *arrays, unsigned n)
{
	char err[ERRLEN];
	unsigned i, k, num;

	memset(f, 0, sizeof(*f));
	f->cluster = uuid_of(cluster);
	f->n = n;
	for (i = 0; i < n; i++) {
		for (k = 0, num = 0; k < i; k++)
			num += !strcmp(arrays[k], arrays[i]);
		snprintf(f->array[i], sizeof(f->array[i]), "%s", arrays[i]);
		snprintf(f->name[i], sizeof(f->name[i]), "%s LUN %u",
			 arrays[i], num);
		f->md[i] = memdev_new(LUN_BYTES);
		if (!f->md[i])
			abort();
		f->dev[i] = memdev_dev(f->md[i], f->name[i]);
		if (csa_store_label_lun(&f->dev[i], &f->cluster, arrays[i],
					&f->label[i], err, sizeof(err))) {
			printf("# labelling failed: %s\n", err);
			abort();
		}
	}
}

static void fix_free(struct fix *f)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		memdev_free(f->md[i]);
}

static void fix_faults_clear(struct fix *f)
{
	unsigned i;

	for (i = 0; i < f->n; i++) {
		f->md[i]->fail_reads = f->md[i]->fail_writes = 0;
		f->md[i]->fail_flush = 0;
		f->md[i]->cut_after = -1;
	}
}

/* The catalog of the fixture's arrays and LUNs, with @generation. */
static struct csa_catalog *fix_catalog(const struct fix *f, uint64_t generation)
{
	struct csa_catalog *c = csa_catalog_new(&f->cluster);
	struct csa_cat_lun luns[MAX_LUNS];
	struct csa_cat_array a;
	char err[ERRLEN];
	unsigned i, k;

	for (i = 0; i < f->n; i++) {
		if (csa_catalog_find_array(c, f->array[i]) >= 0)
			continue;
		memset(&a, 0, sizeof(a));
		snprintf(a.name, sizeof(a.name), "%s", f->array[i]);
		snprintf(a.portal, sizeof(a.portal), "127.0.0.1:%u", 3260 + i);
		snprintf(a.target, sizeof(a.target), "iqn.2024-01.test:%s", a.name);
		a.luns = luns;
		for (k = i; k < f->n; k++) {
			if (strcmp(f->array[k], f->array[i]))
				continue;
			luns[a.nr_luns] = (struct csa_cat_lun){
				.number = a.nr_luns, .uuid = f->label[k].lun,
				.blocks = LUN_BYTES / BLK, .block_size = BLK,
				.reserved_blocks = CSA_RESERVED_BYTES / BLK };
			a.nr_luns++;
		}
		if (csa_catalog_add_array(c, &a, err, sizeof(err))) {
			printf("# fix_catalog: %s\n", err);
			abort();
		}
	}
	c->generation = generation;
	return c;
}

/* Open the fixture's LUNs @first..@first+@n-1 (all with n == 0). */
static int fix_open(struct fix *f, unsigned first, unsigned n,
		    struct csa_store **s, char *err)
{
	f->log.at = 0;
	f->log.text[0] = 0;
	f->log.warns = 0;
	return csa_store_open(f->dev + first, n ? n : f->n, &f->cluster,
			      log_cb, &f->log, s, err, ERRLEN);
}

/* Write a catalog of @generation through a new store of all the LUNs. */
static int fix_write(struct fix *f, uint64_t generation, uint64_t *seq,
		     char *err)
{
	struct csa_catalog *c = fix_catalog(f, generation);
	struct csa_store *s = NULL;
	int ret;

	ret = fix_open(f, 0, 0, &s, err);
	if (!ret)
		ret = csa_store_write(s, c, seq, err, ERRLEN);
	csa_store_close(s);
	csa_catalog_free(c);
	return ret;
}

/* Reopen (LUNs @first.., @n of them; 0: all) and load: the generation. */
static int fix_load(struct fix *f, unsigned first, unsigned n, unsigned flags,
		    uint64_t *generation, uint64_t *seq, char *err)
{
	struct csa_catalog *c = NULL;
	struct csa_store *s = NULL;
	int ret;

	ret = fix_open(f, first, n, &s, err);
	if (!ret)
		ret = csa_store_load(s, flags, &c, seq, err, ERRLEN);
	if (!ret)
		*generation = c->generation;
	csa_catalog_free(c);
	csa_store_close(s);
	return ret;
}

static int fix_healthy(const struct fix *f)
{
	unsigned i, bad = 0;

	for (i = 0; i < f->n; i++)
		bad += f->md[i]->out_of_range + f->md[i]->misaligned;
	return !bad;
}

static const char *const three[] = { "a1", "a1", "a2", "a3" };
#define CLUSTER	"66666666-6666-4666-8666-666666666666"
#define FOREIGN	"77777777-7777-4777-8777-777777777777"

/* ---- store tests ------------------------------------------------------------- */

static void test_labelling(void)
{
	struct csa_uuid cl = uuid_of(CLUSTER), fo = uuid_of(FOREIGN);
	struct memdev *m = memdev_new(LUN_BYTES), *tiny = memdev_new(4u << 20);
	struct csa_store_dev d = memdev_dev(m, "a1 LUN 0");
	struct csa_store_dev t = memdev_dev(tiny, "tiny");
	char err[ERRLEN] = "", want[ERRLEN], u[CSA_UUID_STR_LEN];
	struct csa_label l, l2;
	int ret;

	m->data[CSA_SLOT0_OFFSET] = 0x5a;	/* stale bytes in slot 0 */
	ret = csa_store_label_lun(&d, &cl, "a1", &l, err, sizeof(err));
	check(!ret && !csa_uuid_is_nil(&l.lun) && m->flushes == 2 &&
	      !m->data[CSA_SLOT0_OFFSET] &&
	      !csa_label_decode(m->data, CSA_LABEL_BYTES, &l2, err, sizeof(err)) &&
	      csa_uuid_equal(&l2.lun, &l.lun) && !strcmp(l2.array, "a1"),
	      "label a new LUN: label readable, slots emptied, two flushes");
	ret = csa_store_label_lun(&d, &cl, "a1", NULL, err, sizeof(err));
	snprintf(want, sizeof(want), "a1 LUN 0 is already labelled for this cluster, as a LUN of array \"a1\" (LUN UUID %s)",
		 fmt_uuid(&l.lun, u));
	check(ret == -EEXIST, "labelling it again: -EEXIST");
	check_msg(err, want, "labelling it again: the sentence");
	ret = csa_store_label_lun(&d, &fo, "b1", NULL, err, sizeof(err));
	check(ret == -EBUSY, "labelling it for another cluster: -EBUSY");
	check_msg(err, "a1 LUN 0: the LUN belongs to another cluster: 66666666-6666-4666-8666-666666666666 (array \"a1\"); this cluster is 77777777-7777-4777-8777-777777777777",
		  "labelling it for another cluster: names the owner and its array");
	m->data[40] ^= 1;
	ret = csa_store_label_lun(&d, &fo, "b1", NULL, err, sizeof(err));
	check(ret == -EBADMSG && strstr(err, "it is left alone"),
	      "a damaged csafs label is left alone (%s)", err);
	ret = csa_store_label_lun(&t, &cl, "a1", NULL, err, sizeof(err));
	check(ret == -ENOSPC && !strcmp(err, "tiny is 4194304 bytes; the csafs reserved area alone takes 4194304"),
	      "a LUN no larger than the reserved area: -ENOSPC (%s)", err);
	memdev_free(m);
	memdev_free(tiny);
}

static void test_new_and_round_trip(void)
{
	struct csa_catalog *c, *back = NULL;
	struct csa_store *s = NULL;
	char err[ERRLEN] = "";
	uint64_t seq = 0, seq2 = 0;
	struct fix f;
	int ret;

	fix_init(&f, CLUSTER, three, 4);
	ret = fix_open(&f, 0, 0, &s, err);
	ret = ret ? ret : csa_store_load(s, 0, &back, NULL, err, sizeof(err));
	check(ret == -ENOENT, "new cluster: -ENOENT");
	check_msg(err, "no catalog on the LUNs yet: every slot of the 4 LUNs is empty",
		  "new cluster: the sentence");
	c = fix_catalog(&f, 1);
	ret = csa_store_write(s, c, &seq, err, sizeof(err));
	check(!ret && seq == 1, "first write: sequence 1 (%s)", ret ? err : "");
	ret = csa_store_load(s, 0, &back, &seq2, err, sizeof(err));
	check(!ret && seq2 == 1 && csa_catalog_equal(c, back),
	      "the same store loads what it wrote");
	csa_catalog_free(back);
	back = NULL;
	csa_store_close(s);
	s = NULL;
	ret = fix_open(&f, 0, 0, &s, err);
	ret = ret ? ret : csa_store_load(s, 0, &back, &seq2, err, sizeof(err));
	check(!ret && seq2 == 1 && csa_catalog_equal(c, back),
	      "a new store over the LUNs reads back an equal catalog");
	log_show(&f.log);
	check(fix_healthy(&f), "every I/O 4 KiB aligned and inside the LUN");
	csa_catalog_free(back);
	csa_catalog_free(c);
	csa_store_close(s);
	fix_free(&f);
}

static void test_alternation(void)
{
	char err[ERRLEN] = "", seen[64] = "";
	uint64_t seq, gen = 0;
	struct fix f;
	unsigned w;
	int ok = 1;

	fix_init(&f, CLUSTER, three, 4);
	for (w = 1; w <= 5; w++) {
		ok &= !fix_write(&f, w, &seq, err) && seq == w;
		/* Each write through a new store: the choice survives a reopen. */
		strcat(seen, f.md[2]->last_write_off == CSA_SLOT0_OFFSET ? "0" :
			     f.md[2]->last_write_off == CSA_SLOT1_OFFSET ? "1" : "?");
		ok &= f.md[0]->last_write_off == f.md[2]->last_write_off;
	}
	check(ok && !strcmp(seen, "01010"),
	      "five writes land in slots 0 1 0 1 0 on every LUN (%s)", seen);
	ok = !fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(ok && gen == 5 && seq == 5,
	      "and the last one is read back (generation %" PRIu64 ")", gen);
	fix_free(&f);
}

static void test_torn(void)
{
	char err[ERRLEN] = "";
	uint64_t seq, gen = 0;
	struct fix f;
	unsigned i;
	int ret;

	fix_init(&f, CLUSTER, three, 4);
	fix_write(&f, 1, &seq, err);
	fix_write(&f, 2, &seq, err);	/* slot 1 */
	for (i = 0; i < f.n; i++)
		f.md[i]->cut_after = 1000;	/* the next write: slot 0, cut */
	ret = fix_write(&f, 3, &seq, err);
	check(ret == -EIO, "a write torn on every LUN fails (%s)", err);
	fix_faults_clear(&f);
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 2 && seq == 2,
	      "torn slot 0: the catalog in slot 1 (generation 2) is read");
	check(strstr(f.log.text, "W a2 LUN 0: slot 1 holds sequence 2; slot 0 skipped: torn: the write of sequence 3 stopped before its end marker") != NULL,
	      "the log says slot 0 was skipped as torn, and why");
	log_show(&f.log);
	ret = fix_write(&f, 4, &seq, err);
	check(!ret && seq == 4 && f.md[0]->last_write_off == CSA_SLOT0_OFFSET,
	      "the next write reuses the torn slot, with a new sequence (%" PRIu64 ")", seq);
	fix_free(&f);
}

/* Flip a byte at slot @k offset @off on every LUN. */
static void flip_all(struct fix *f, unsigned k, uint64_t off)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		memdev_flip(f->md[i], f->label[i].slot_offset[k] + off, 0x04);
}

static void test_flipped(void)
{
	char err[ERRLEN] = "";
	uint64_t seq, gen = 0;
	struct fix f;
	int ret;

	fix_init(&f, CLUSTER, three, 4);
	fix_write(&f, 1, &seq, err);	/* slot 0 */
	fix_write(&f, 2, &seq, err);	/* slot 1 */
	flip_all(&f, 1, CSA_SLOT_HEADER_BYTES + 40);
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 1, "a flipped JSON byte in slot 1: slot 0 is read (generation %" PRIu64 ")", gen);
	check(strstr(f.log.text, "slot 1 skipped: corrupt: JSON checksum mismatch (sequence 2,") != NULL,
	      "the log says why slot 1 was skipped");
	log_show(&f.log);
	flip_all(&f, 1, CSA_SLOT_HEADER_BYTES + 40);	/* back */
	flip_all(&f, 1, 20);				/* its sequence number */
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 1 &&
	      strstr(f.log.text, "slot 1 skipped: corrupt: header checksum mismatch"),
	      "a flipped header byte in slot 1: slot 0 is read, and the log says so");
	fix_free(&f);
}

static void test_both_bad(void)
{
	static const char *const one[] = { "a1" };
	char err[ERRLEN] = "", want[ERRLEN], *json;
	struct csa_catalog *c;
	uint64_t seq, gen = 0;
	struct fix f;
	int ret;

	fix_init(&f, CLUSTER, one, 1);
	fix_write(&f, 1, &seq, err);
	fix_write(&f, 2, &seq, err);
	flip_all(&f, 0, 20);
	flip_all(&f, 1, CSA_SLOT_HEADER_BYTES + 7);
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(ret == -EIO, "both slots bad: -EIO, no catalog");
	c = fix_catalog(&f, 2);
	json = csa_catalog_to_json(c, 0);
	snprintf(want, sizeof(want), "no valid catalog on any LUN: a1 LUN 0: no valid catalog slot: slot 0 corrupt: header checksum mismatch, slot 1 corrupt: JSON checksum mismatch (sequence 2, %zu bytes)",
		 strlen(json));
	free(json);
	csa_catalog_free(c);
	check_msg(err, want, "both slots bad: the sentence");
	fix_free(&f);
}

static void test_histories(void)
{
	char err[ERRLEN] = "";
	uint64_t seq = 0, gen = 0;
	struct fix f;
	int ret;

	fix_init(&f, CLUSTER, three, 4);
	fix_write(&f, 1, &seq, err);
	f.md[3]->fail_writes = -EIO;		/* a3 misses two writes */
	ret = fix_write(&f, 2, &seq, err);
	ret |= fix_write(&f, 3, &seq, err);
	check(!ret && seq == 3, "a3 failing: writes 2 and 3 still succeed on a majority");
	check(strstr(f.log.text, "W the catalog (sequence 3) is durable on 2 of 3 arrays (a1, a2); not on a3: a3 LUN 0 write failed: Input/output error") != NULL,
	      "and the log says where it is not");
	f.md[1]->fail_writes = -EIO;		/* a1 LUN 1 misses one, a3 a third */
	ret = fix_write(&f, 4, &seq, err);
	fix_faults_clear(&f);
	check(!ret, "a1 LUN 1 failing: a1 still holds it through LUN 0 (%s)", ret ? err : "");
	/* Histories now: a1 LUN 0 and a2 at 4, a1 LUN 1 at 3, a3 at 1. */
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 4 && seq == 4, "all LUNs: the highest sequence, 4, wins");
	check(strstr(f.log.text, "I a1 LUN 1 is behind, at sequence 3") &&
	      strstr(f.log.text, "I a3 LUN 0 is behind, at sequence 1"),
	      "the LUNs behind are logged with where they are");
	log_show(&f.log);
	ret = fix_load(&f, 1, 1, 0, &gen, &seq, err);
	check(ret == -ENOLINK, "a1 LUN 1 alone: -ENOLINK, no majority");
	check_msg(err, "only 1 of the catalog's 3 arrays answered (missing: a2, a3); a majority, 2, is needed to be sure this is the newest catalog",
		  "no majority: the sentence");
	ret = fix_load(&f, 3, 1, CSA_STORE_NO_QUORUM, &gen, &seq, err);
	check(!ret && gen == 1 && seq == 1,
	      "a3 alone, asked to take what it has: its own older catalog, 1");
	ret = fix_load(&f, 1, 3, 0, &gen, &seq, err);
	check(!ret && gen == 4 && seq == 4,
	      "a1 LUN 1, a2, a3: the majority holds 4, and 4 is read");
	fix_free(&f);
}

static void test_majority(void)
{
	char err[ERRLEN] = "";
	uint64_t seq = 0, gen = 0;
	struct fix f;
	int ret;

	fix_init(&f, CLUSTER, three, 4);
	fix_write(&f, 1, &seq, err);
	f.md[2]->fail_writes = -EIO;	/* a2 */
	ret = fix_write(&f, 2, &seq, err);
	check(!ret && seq == 2, "one array of three failing: success");
	f.md[3]->fail_flush = -EIO;	/* a3 too, at the flush */
	ret = fix_write(&f, 3, &seq, err);
	check(ret == -EIO, "two arrays of three failing: -EIO");
	check_msg(err, "the catalog (sequence 3) is durable on 1 of 3 arrays (a1); a majority is 2: a2: a2 LUN 0 write failed: Input/output error; a3: a3 LUN 0 flush failed: Input/output error",
		  "two failing: the sentence says which and why");
	fix_faults_clear(&f);
	ret = fix_write(&f, 4, &seq, err);
	check(!ret && seq == 4, "after the failure the next write takes sequence 4, never 3 again");
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 4 && seq == 4, "and 4 is what is read");
	f.md[0]->fail_writes = f.md[1]->fail_writes = -ENOSPC;
	f.md[2]->fail_writes = -EIO;
	ret = fix_write(&f, 5, &seq, err);
	check(ret == -EIO && strstr(err, "durable on 1 of 3 arrays (a3); a majority is 2: a1: a1 LUN 0 write failed: No space left on device, a1 LUN 1 write failed: No space left on device; a2: a2 LUN 0 write failed"),
	      "an array with all its LUNs failing lists each (%s)", err);
	fix_free(&f);
}

/* One store, many writes: alternation and sequences within one open. */
static void test_one_store(void)
{
	char err[ERRLEN] = "", seen[16] = "";
	struct csa_catalog *c = NULL, *back = NULL;
	struct csa_store *s = NULL;
	uint64_t seq = 0, gen = 0, seqs[6] = { 0 };
	struct fix f;
	unsigned w;
	int ret, ok = 1;

	fix_init(&f, CLUSTER, three, 4);
	ok &= !fix_open(&f, 0, 0, &s, err);
	for (w = 0; w < 4 && ok; w++) {
		c = fix_catalog(&f, w + 1);
		ok &= !csa_store_write(s, c, &seqs[w], err, sizeof(err));
		csa_catalog_free(c);
		strcat(seen, f.md[3]->last_write_off == CSA_SLOT0_OFFSET ? "0" : "1");
	}
	check(ok && !strcmp(seen, "0101") && seqs[0] == 1 && seqs[3] == 4,
	      "one store, four writes: slots 0 1 0 1, sequences 1 to 4 (%s)", seen);
	f.md[2]->fail_writes = f.md[3]->fail_writes = -EIO;
	c = fix_catalog(&f, 5);
	ret = csa_store_write(s, c, &seq, err, sizeof(err));
	csa_catalog_free(c);
	check(ret == -EIO && strstr(err, "the catalog (sequence 5) is durable on 1 of 3 arrays"),
	      "a failed write in the same store takes sequence 5 (%s)", err);
	fix_faults_clear(&f);
	c = fix_catalog(&f, 6);
	ret = csa_store_write(s, c, &seqs[5], err, sizeof(err));
	check(!ret && seqs[5] == 6, "the next write takes 6: a sequence is used once (%" PRIu64 ")",
	      seqs[5]);
	ret = csa_store_load(s, 0, &back, &seq, err, sizeof(err));
	check(!ret && seq == 6 && csa_catalog_equal(back, c),
	      "the store loads what it last wrote");
	csa_catalog_free(back);
	csa_catalog_free(c);
	csa_store_close(s);
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 6 && seq == 6, "and so does a new store");
	fix_free(&f);
}

/* Half of the arrays is not a majority. */
static void test_half(void)
{
	static const char *const two[] = { "a1", "a2" };
	char err[ERRLEN] = "";
	uint64_t seq = 0;
	struct fix f;
	int ret;

	fix_init(&f, CLUSTER, two, 2);
	f.md[1]->fail_flush = -ETIMEDOUT;
	ret = fix_write(&f, 1, &seq, err);
	check(ret == -EIO, "two arrays, one failing: -EIO, half is not a majority");
	check_msg(err, "the catalog (sequence 1) is durable on 1 of 2 arrays (a1); a majority is 2: a2: a2 LUN 0 flush failed: Connection timed out",
		  "two arrays, one failing: the sentence");
	fix_free(&f);
}

static void test_foreign_and_conflict(void)
{
	static const char *const a1[] = { "a1" }, *const a2[] = { "a2" };
	struct csa_store_dev devs[2];
	struct csa_catalog *c = NULL;
	struct csa_store *s = NULL;
	char err[ERRLEN] = "";
	uint64_t seq, gen = 0;
	static struct fix f, g, h, x;
	int ret;

	fix_init(&f, CLUSTER, three, 4);
	fix_init(&x, FOREIGN, a1, 1);
	fix_write(&f, 1, &seq, err);
	f.dev[f.n] = x.dev[0];	/* a foreign LUN among ours */
	snprintf(f.name[f.n], sizeof(f.name[f.n]), "b LUN 0");
	f.dev[f.n].name = f.name[f.n];
	f.n++;
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(!ret && gen == 1, "a foreign LUN in the set: the others are read");
	check(strstr(f.log.text, "W b LUN 0 refused: the LUN belongs to another cluster: 77777777-7777-4777-8777-777777777777 (array \"a1\"); this cluster is 66666666-6666-4666-8666-666666666666") != NULL,
	      "and the foreign LUN is refused in the log, naming its cluster and array");
	ret = csa_store_open(f.dev, f.n, NULL, NULL, NULL, &s, err, sizeof(err));
	check(ret == -ENOTUNIQ && strstr(err, "the LUNs belong to two clusters: 66666666-6666-4666-8666-666666666666 (a1 LUN 0, array \"a1\") and 77777777-7777-4777-8777-777777777777 (b LUN 0, array \"a1\")"),
	      "no cluster given and two on the LUNs: -ENOTUNIQ, nothing guessed (%s)", err);
	f.n--;
	ret = csa_store_open(f.dev, f.n, NULL, NULL, NULL, &s, err, sizeof(err));
	check(!ret && csa_uuid_equal(csa_store_cluster(s), &f.cluster),
	      "no cluster given, one on the LUNs: that one");
	csa_store_close(s);

	/* Two halves of one cluster, each written alone with sequence 1. */
	fix_init(&h, CLUSTER, a2, 1);
	fix_init(&g, CLUSTER, a1, 1);
	fix_write(&g, 10, &seq, err);
	fix_write(&h, 20, &seq, err);
	devs[0] = g.dev[0];
	devs[1] = h.dev[0];
	ret = csa_store_open(devs, 2, NULL, NULL, NULL, &s, err, sizeof(err));
	ret = ret ? ret : csa_store_load(s, 0, &c, NULL, err, sizeof(err));
	check(ret == -EIO, "two different catalogs with sequence 1: -EIO");
	check_msg(err, "two different catalogs carry sequence 1: a1 LUN 0 slot 0 and a2 LUN 0 slot 0; nothing is guessed",
		  "the sentence");
	csa_catalog_free(c);
	csa_store_close(s);
	fix_free(&f);
	fix_free(&g);
	fix_free(&h);
	fix_free(&x);
}

static void test_bad_content_and_size(void)
{
	struct csa_catalog *c;
	struct csa_store *s = NULL;
	char err[ERRLEN] = "";
	uint8_t *img = NULL;
	uint64_t seq, gen;
	unsigned writes;
	size_t len;
	struct fix f;
	int ret, i;

	fix_init(&f, CLUSTER, three, 4);
	fix_write(&f, 1, &seq, err);
	/* A valid slot 1, sequence 9, that holds no catalog. */
	csa_slot_encode(&f.cluster, 1, 9, "{}", 2, CSA_SLOT_BYTES, &img, &len,
			err, sizeof(err));
	memcpy(f.md[2]->data + CSA_SLOT1_OFFSET, img, len);
	free(img);
	ret = fix_load(&f, 0, 0, 0, &gen, &seq, err);
	check(ret == -EBADMSG, "the newest valid slot holds no catalog: -EBADMSG, no fallback");
	check_msg(err, "a2 LUN 0 slot 1 (sequence 9) holds a catalog that does not parse: missing field \"format\" in the catalog",
		  "the sentence");

	c = fix_catalog(&f, 2);
	c->hosts = calloc(40000, sizeof(*c->hosts));
	for (i = 0; i < 40000; i++)
		snprintf(c->hosts[i].name, sizeof(c->hosts[i].name),
			 "host-%05d.a-rather-long-domain-name.example.com", i);
	c->nr_hosts = 40000;
	ret = fix_open(&f, 0, 0, &s, err);
	writes = f.md[0]->writes;
	ret = ret ? ret : csa_store_write(s, c, &seq, err, sizeof(err));
	check(ret == -EFBIG && f.md[0]->writes == writes &&
	      strstr(err, "bytes of JSON; a catalog slot of a1 LUN 0 holds at most 2064240: nothing was written"),
	      "a catalog too large for a slot: -EFBIG, nothing written (%s)", err);
	csa_store_close(s);
	csa_catalog_free(c);
	check(fix_healthy(&f), "every I/O 4 KiB aligned and inside the LUN");
	fix_free(&f);
}

int main(void)
{
	test_uuid();
	test_label();
	test_slot_codec();
	test_choose();
	test_labelling();
	test_new_and_round_trip();
	test_alternation();
	test_torn();
	test_flipped();
	test_both_bad();
	test_histories();
	test_majority();
	test_one_store();
	test_half();
	test_foreign_and_conflict();
	test_bad_content_and_size();
	printf("# %u checks, %u failed\n", nr_checks, nr_failed);
	return nr_failed ? 1 : 0;
}
