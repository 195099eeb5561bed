// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The label and UUIDs (label.h). Catalog slots are in label_slot.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "primary/label.h"
#include "primary/label_int.h"

/* ---- shared helpers (label_int.h) ---------------------------------------- */

int csa_lbl_report(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int csa_lbl_sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned len = 0;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	return 0;
}

bool csa_lbl_all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- UUIDs ------------------------------------------------------------- */

int csa_uuid_generate(struct csa_uuid *u)
{
	if (RAND_bytes(u->b, sizeof(u->b)) != 1)
		return -EIO;
	u->b[6] = (uint8_t)((u->b[6] & 0x0f) | 0x40);	/* version 4 */
	u->b[8] = (uint8_t)((u->b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	return 0;
}

static bool dash_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

void csa_uuid_format(const struct csa_uuid *u, char out[CSA_UUID_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (dash_at(o))
			out[o++] = '-';
		out[o++] = hex[u->b[i] >> 4];
		out[o++] = hex[u->b[i] & 15];
	}
	out[o] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int csa_uuid_parse(const char *s, struct csa_uuid *u)
{
	struct csa_uuid v;
	size_t i = 0, b = 0;
	int hi, lo;

	if (strlen(s) != CSA_UUID_STR_LEN - 1)
		return -EINVAL;
	while (i < CSA_UUID_STR_LEN - 1) {
		if (dash_at(i)) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		v.b[b++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*u = v;
	return 0;
}

bool csa_uuid_equal(const struct csa_uuid *a, const struct csa_uuid *b)
{
	return !memcmp(a->b, b->b, sizeof(a->b));
}

bool csa_uuid_is_nil(const struct csa_uuid *u)
{
	return csa_lbl_all_zero(u->b, sizeof(u->b));
}

/* ---- the label ---------------------------------------------------------- */

#define LBL_MAGIC	"CSAFSLBL"
#define OFF_VERSION	8
#define OFF_LENGTH	12
#define OFF_CLUSTER	16
#define OFF_LUN		32
#define OFF_ARRAY	48
#define OFF_RESERVED	112
#define OFF_SLOTS	120	/* offset, size of slot 0, then of slot 1 */
#define OFF_ZERO	152
#define OFF_SHA		480

static int check_name(const char *name, size_t max, char *err, size_t errlen)
{
	size_t n = strnlen(name, max);

	if (!n)
		return csa_lbl_report(-EINVAL, err, errlen,
				      "the array name is empty");
	if (n == max)
		return csa_lbl_report(-EINVAL, err, errlen,
				      "the array name is longer than %zu bytes",
				      max - 1);
	return 0;
}

int csa_label_init(struct csa_label *l, const struct csa_uuid *cluster,
		   const struct csa_uuid *lun, const char *array,
		   char *err, size_t errlen)
{
	int ret = check_name(array, CSA_NAME_MAX, err, errlen);

	if (ret)
		return ret;
	memset(l, 0, sizeof(*l));
	l->version = CSA_LABEL_VERSION;
	l->cluster = *cluster;
	l->lun = *lun;
	snprintf(l->array, sizeof(l->array), "%s", array);
	l->reserved_bytes = CSA_RESERVED_BYTES;
	l->slot_offset[0] = CSA_SLOT0_OFFSET;
	l->slot_offset[1] = CSA_SLOT1_OFFSET;
	l->slot_bytes[0] = l->slot_bytes[1] = CSA_SLOT_BYTES;
	return 0;
}

/* Both slots aligned, past the label, inside the area, apart. */
static int check_geometry(const struct csa_label *l, char *err, size_t errlen)
{
	uint64_t off, len, min = CSA_SLOT_HEADER_BYTES + CSA_SLOT_TRAILER_BYTES;
	unsigned k;

	if (!l->reserved_bytes || l->reserved_bytes % CSA_IO_ALIGN)
		return csa_lbl_report(-EBADMSG, err, errlen,
				      "reserved area size %" PRIu64 " is not a positive multiple of %u",
				      l->reserved_bytes, CSA_IO_ALIGN);
	for (k = 0; k < 2; k++) {
		off = l->slot_offset[k];
		len = l->slot_bytes[k];
		if (off % CSA_IO_ALIGN || len % CSA_IO_ALIGN || len < min)
			return csa_lbl_report(-EBADMSG, err, errlen,
					      "slot %u (offset %" PRIu64 ", %" PRIu64 " bytes) is not aligned to %u bytes or too small",
					      k, off, len, CSA_IO_ALIGN);
		if (off < CSA_IO_ALIGN || off > l->reserved_bytes ||
		    len > l->reserved_bytes - off)
			return csa_lbl_report(-EBADMSG, err, errlen,
					      "slot %u (offset %" PRIu64 ", %" PRIu64 " bytes) is not between the label and the end of the %" PRIu64 "-byte reserved area",
					      k, off, len, l->reserved_bytes);
	}
	if (l->slot_offset[0] < l->slot_offset[1] + l->slot_bytes[1] &&
	    l->slot_offset[1] < l->slot_offset[0] + l->slot_bytes[0])
		return csa_lbl_report(-EBADMSG, err, errlen,
				      "slots 0 and 1 overlap");
	return 0;
}

static int check_label(const struct csa_label *l, char *err, size_t errlen)
{
	if (l->version != CSA_LABEL_VERSION)
		return csa_lbl_report(-EINVAL, err, errlen,
				      "label version %" PRIu32 "; this csafs writes version %u",
				      l->version, CSA_LABEL_VERSION);
	if (csa_uuid_is_nil(&l->cluster) || csa_uuid_is_nil(&l->lun))
		return csa_lbl_report(-EINVAL, err, errlen,
				      "the cluster or LUN UUID is nil");
	if (check_name(l->array, sizeof(l->array), err, errlen))
		return -EINVAL;
	return check_geometry(l, err, errlen) ? -EINVAL : 0;
}

int csa_label_encode(const struct csa_label *l, uint8_t *buf,
		     char *err, size_t errlen)
{
	unsigned k;
	int ret;

	ret = check_label(l, err, errlen);
	if (ret)
		return ret;
	memset(buf, 0, CSA_LABEL_BYTES);
	memcpy(buf, LBL_MAGIC, 8);
	csa_put_le32(buf + OFF_VERSION, l->version);
	csa_put_le32(buf + OFF_LENGTH, CSA_LABEL_BYTES);
	memcpy(buf + OFF_CLUSTER, l->cluster.b, 16);
	memcpy(buf + OFF_LUN, l->lun.b, 16);
	memcpy(buf + OFF_ARRAY, l->array, strlen(l->array));
	csa_put_le64(buf + OFF_RESERVED, l->reserved_bytes);
	for (k = 0; k < 2; k++) {
		csa_put_le64(buf + OFF_SLOTS + 16 * k, l->slot_offset[k]);
		csa_put_le64(buf + OFF_SLOTS + 16 * k + 8, l->slot_bytes[k]);
	}
	ret = csa_lbl_sha256(buf, OFF_SHA, buf + OFF_SHA);
	return ret ? csa_lbl_report(ret, err, errlen, "SHA-256 failed") : 0;
}

/* Magic, version, length, checksum: the order label.h gives. */
static int check_envelope(const uint8_t *buf, char *err, size_t errlen)
{
	uint32_t version = csa_get_le32(buf + OFF_VERSION);
	uint32_t length = csa_get_le32(buf + OFF_LENGTH);
	uint8_t sha[32];

	if (memcmp(buf, LBL_MAGIC, 8))
		return csa_lbl_report(-ENODATA, err, errlen,
				      "no csafs label (%s)",
				      csa_lbl_all_zero(buf, CSA_LABEL_BYTES) ?
				      "the label block is blank" :
				      "the first 8 bytes are not \"" LBL_MAGIC "\"");
	if (version != CSA_LABEL_VERSION)
		return csa_lbl_report(-ENOTSUP, err, errlen,
				      "csafs label format version %" PRIu32 "; this csafs reads version %u",
				      version, CSA_LABEL_VERSION);
	if (length != CSA_LABEL_BYTES)
		return csa_lbl_report(-ENOTSUP, err, errlen,
				      "csafs label length %" PRIu32 "; version %u labels are %u bytes",
				      length, CSA_LABEL_VERSION, CSA_LABEL_BYTES);
	if (csa_lbl_sha256(buf, OFF_SHA, sha))
		return csa_lbl_report(-EIO, err, errlen, "SHA-256 failed");
	if (memcmp(sha, buf + OFF_SHA, 32))
		return csa_lbl_report(-EBADMSG, err, errlen,
				      "csafs label checksum mismatch (the label is damaged)");
	return 0;
}

/* The name field: 1..63 bytes, then only NULs. */
static int decode_name(const uint8_t *p, char *out, char *err, size_t errlen)
{
	size_t n = strnlen((const char *)p, CSA_NAME_MAX);

	if (!n || n == CSA_NAME_MAX ||
	    !csa_lbl_all_zero(p + n, CSA_NAME_MAX - n))
		return csa_lbl_report(-EBADMSG, err, errlen,
				      "csafs label: the array name field is not 1 to %u bytes padded with NULs",
				      CSA_NAME_MAX - 1);
	memcpy(out, p, n + 1);
	return 0;
}

int csa_label_decode(const uint8_t *buf, size_t len, struct csa_label *out,
		     char *err, size_t errlen)
{
	struct csa_label l = { 0 };
	char why[160];
	unsigned k;
	int ret;

	if (len < CSA_LABEL_BYTES)
		return csa_lbl_report(-EINVAL, err, errlen,
				      "%zu bytes given; a label is %u", len,
				      CSA_LABEL_BYTES);
	ret = check_envelope(buf, err, errlen);
	if (!ret)
		ret = decode_name(buf + OFF_ARRAY, l.array, err, errlen);
	if (ret)
		return ret;
	if (!csa_lbl_all_zero(buf + OFF_ZERO, OFF_SHA - OFF_ZERO))
		return csa_lbl_report(-EBADMSG, err, errlen,
				      "csafs label: bytes %u..%u are not zero",
				      OFF_ZERO, OFF_SHA - 1);
	l.version = CSA_LABEL_VERSION;
	memcpy(l.cluster.b, buf + OFF_CLUSTER, 16);
	memcpy(l.lun.b, buf + OFF_LUN, 16);
	l.reserved_bytes = csa_get_le64(buf + OFF_RESERVED);
	for (k = 0; k < 2; k++) {
		l.slot_offset[k] = csa_get_le64(buf + OFF_SLOTS + 16 * k);
		l.slot_bytes[k] = csa_get_le64(buf + OFF_SLOTS + 16 * k + 8);
	}
	if (check_geometry(&l, why, sizeof(why)))
		return csa_lbl_report(-EBADMSG, err, errlen, "csafs label: %s",
				      why);
	if (csa_uuid_is_nil(&l.cluster) || csa_uuid_is_nil(&l.lun))
		return csa_lbl_report(-EBADMSG, err, errlen,
				      "csafs label: the cluster or LUN UUID is nil");
	*out = l;
	return 0;
}

int csa_label_check_cluster(const struct csa_label *l,
			    const struct csa_uuid *cluster,
			    char *err, size_t errlen)
{
	char theirs[CSA_UUID_STR_LEN], ours[CSA_UUID_STR_LEN];

	if (csa_uuid_equal(&l->cluster, cluster))
		return 0;
	csa_uuid_format(&l->cluster, theirs);
	csa_uuid_format(cluster, ours);
	return csa_lbl_report(-EBUSY, err, errlen,
			      "the LUN belongs to another cluster: %s (array \"%s\"); this cluster is %s",
			      theirs, l->array, ours);
}
