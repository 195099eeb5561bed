// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Catalog slots (label.h): encoding, decoding with a diagnosis, and the
 * choice between the two slots of a LUN.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/label.h"
#include "primary/label_int.h"

#define SLOT_MAGIC	"CSAFSCAT"
#define END_MAGIC	"CSAFSEND"
#define OFF_VERSION	8
#define OFF_INDEX	12
#define OFF_SEQ		16
#define OFF_LEN		24
#define OFF_CLUSTER	32
#define OFF_ZERO	48
#define OFF_JSON_SHA	64
#define OFF_HDR_SHA	96

const char *csa_slot_status_name(enum csa_slot_status s)
{
	switch (s) {
	case CSA_SLOT_VALID:
		return "valid";
	case CSA_SLOT_EMPTY:
		return "empty";
	case CSA_SLOT_TORN:
		return "torn";
	case CSA_SLOT_CORRUPT:
		return "corrupt";
	}
	return "unknown";
}

uint64_t csa_slot_span(uint64_t json_len)
{
	uint64_t n = CSA_SLOT_HEADER_BYTES + json_len + CSA_SLOT_TRAILER_BYTES;

	return (n + CSA_IO_ALIGN - 1) / CSA_IO_ALIGN * CSA_IO_ALIGN;
}

/* ---- encoding ----------------------------------------------------------- */

static int encode_header(uint8_t *h, const struct csa_uuid *cluster,
			 unsigned index, uint64_t seq, const char *json,
			 size_t json_len)
{
	int ret;

	memcpy(h, SLOT_MAGIC, 8);
	csa_put_le32(h + OFF_VERSION, CSA_SLOT_VERSION);
	csa_put_le32(h + OFF_INDEX, index);
	csa_put_le64(h + OFF_SEQ, seq);
	csa_put_le64(h + OFF_LEN, json_len);
	memcpy(h + OFF_CLUSTER, cluster->b, 16);
	ret = csa_lbl_sha256(json, json_len, h + OFF_JSON_SHA);
	if (!ret)
		ret = csa_lbl_sha256(h, OFF_HDR_SHA, h + OFF_HDR_SHA);
	return ret;
}

int csa_slot_encode(const struct csa_uuid *cluster, unsigned index,
		    uint64_t seq, const char *json, size_t json_len,
		    uint64_t slot_bytes, uint8_t **out, size_t *outlen,
		    char *err, size_t errlen)
{
	uint64_t span;
	uint8_t *buf, *end;
	int ret;

	if (index > 1 || !seq)
		return csa_lbl_report(-EINVAL, err, errlen,
				      "slot %u, sequence %" PRIu64 ": the slot is 0 or 1 and the sequence at least 1",
				      index, seq);
	if (slot_bytes < CSA_SLOT_HEADER_BYTES + CSA_SLOT_TRAILER_BYTES ||
	    json_len > CSA_SLOT_JSON_MAX(slot_bytes))
		return csa_lbl_report(-EFBIG, err, errlen,
				      "the catalog is %zu bytes of JSON; a catalog slot holds at most %" PRIu64,
				      json_len, slot_bytes < CSA_SLOT_HEADER_BYTES + CSA_SLOT_TRAILER_BYTES ?
				      0 : CSA_SLOT_JSON_MAX(slot_bytes));
	span = csa_slot_span(json_len);
	buf = calloc(1, (size_t)span);
	if (!buf)
		return csa_lbl_report(-ENOMEM, err, errlen,
				      "out of memory for a %" PRIu64 "-byte slot", span);
	memcpy(buf + CSA_SLOT_HEADER_BYTES, json, json_len);
	end = buf + CSA_SLOT_HEADER_BYTES + json_len;
	memcpy(end, END_MAGIC, 8);
	csa_put_le64(end + 8, seq);
	ret = encode_header(buf, cluster, index, seq, json, json_len);
	if (ret) {
		free(buf);
		return csa_lbl_report(ret, err, errlen, "SHA-256 failed");
	}
	*out = buf;
	*outlen = (size_t)span;
	return 0;
}

/* ---- decoding ----------------------------------------------------------- */

/* Sets @info's verdict; returns the errno the verdict stands for. */
__attribute__((format(printf, 3, 4)))
static int verdict(struct csa_slot_info *info, enum csa_slot_status st,
		   const char *fmt, ...)
{
	va_list ap;

	info->status = st;
	va_start(ap, fmt);
	vsnprintf(info->reason, sizeof(info->reason), fmt, ap);
	va_end(ap);
	if (st == CSA_SLOT_VALID)
		return 0;
	return st == CSA_SLOT_EMPTY ? -ENODATA : -EBADMSG;
}

/* The fields of a header whose checksum is good. */
static int check_fields(const uint8_t *h, const struct csa_uuid *cluster,
			unsigned index, uint64_t slot_bytes,
			struct csa_slot_info *info)
{
	uint32_t idx = csa_get_le32(h + OFF_INDEX);
	char who[CSA_UUID_STR_LEN];
	struct csa_uuid c;

	memcpy(c.b, h + OFF_CLUSTER, 16);
	if (idx != index)
		return verdict(info, CSA_SLOT_CORRUPT,
			       "the header was written for slot %" PRIu32 " (a misdirected write)",
			       idx);
	if (!csa_uuid_equal(&c, cluster)) {
		csa_uuid_format(&c, who);
		return verdict(info, CSA_SLOT_CORRUPT,
			       "the slot belongs to cluster %s", who);
	}
	if (!info->seq)
		return verdict(info, CSA_SLOT_CORRUPT, "sequence number 0");
	if (info->json_len > CSA_SLOT_JSON_MAX(slot_bytes))
		return verdict(info, CSA_SLOT_CORRUPT,
			       "JSON length %" PRIu64 " does not fit a %" PRIu64 "-byte slot",
			       info->json_len, slot_bytes);
	if (!csa_lbl_all_zero(h + OFF_ZERO, OFF_JSON_SHA - OFF_ZERO))
		return verdict(info, CSA_SLOT_CORRUPT,
			       "header bytes %u..%u are not zero", OFF_ZERO,
			       OFF_JSON_SHA - 1);
	return 0;
}

int csa_slot_decode_header(const uint8_t *h, size_t len,
			   const struct csa_uuid *cluster, unsigned index,
			   uint64_t slot_bytes, struct csa_slot_info *info)
{
	uint32_t version;
	uint8_t sha[32];

	memset(info, 0, sizeof(*info));
	info->status = CSA_SLOT_CORRUPT;	/* until a verdict is reached */
	snprintf(info->reason, sizeof(info->reason), "not decoded");
	if (len < CSA_SLOT_HEADER_BYTES || index > 1 ||
	    slot_bytes < CSA_SLOT_HEADER_BYTES + CSA_SLOT_TRAILER_BYTES)
		return -EINVAL;
	if (csa_lbl_all_zero(h, CSA_SLOT_HEADER_BYTES))
		return verdict(info, CSA_SLOT_EMPTY, "never written");
	if (memcmp(h, SLOT_MAGIC, 8))
		return verdict(info, CSA_SLOT_CORRUPT,
			       "no slot header (the first 8 bytes are not \"" SLOT_MAGIC "\")");
	version = csa_get_le32(h + OFF_VERSION);
	if (version != CSA_SLOT_VERSION)
		return verdict(info, CSA_SLOT_CORRUPT,
			       "slot format version %" PRIu32 "; this csafs reads version %u",
			       version, CSA_SLOT_VERSION);
	if (csa_lbl_sha256(h, OFF_HDR_SHA, sha))
		return -EIO;
	if (memcmp(sha, h + OFF_HDR_SHA, 32))
		return verdict(info, CSA_SLOT_CORRUPT,
			       "header checksum mismatch");
	info->seq = csa_get_le64(h + OFF_SEQ);
	info->json_len = csa_get_le64(h + OFF_LEN);
	memcpy(info->json_sha, h + OFF_JSON_SHA, 32);
	if (check_fields(h, cluster, index, slot_bytes, info)) {
		info->seq = info->json_len = 0;
		return -EBADMSG;
	}
	info->header_ok = true;
	return 0;
}

int csa_slot_decode(const uint8_t *buf, size_t len,
		    const struct csa_uuid *cluster, unsigned index,
		    uint64_t slot_bytes, struct csa_slot_info *info,
		    const char **json)
{
	const uint8_t *end;
	uint8_t sha[32];
	int ret;

	ret = csa_slot_decode_header(buf, len, cluster, index, slot_bytes,
				     info);
	if (ret)
		return ret;
	if (len < csa_slot_span(info->json_len))
		return -EINVAL;
	end = buf + CSA_SLOT_HEADER_BYTES + info->json_len;
	if (memcmp(end, END_MAGIC, 8) || csa_get_le64(end + 8) != info->seq)
		return verdict(info, CSA_SLOT_TORN,
			       "the write of sequence %" PRIu64 " stopped before its end marker at slot byte %" PRIu64,
			       info->seq, CSA_SLOT_HEADER_BYTES + info->json_len);
	if (csa_lbl_sha256(buf + CSA_SLOT_HEADER_BYTES, info->json_len, sha))
		return -EIO;
	if (memcmp(sha, info->json_sha, 32))
		return verdict(info, CSA_SLOT_CORRUPT,
			       "JSON checksum mismatch (sequence %" PRIu64 ", %" PRIu64 " bytes)",
			       info->seq, info->json_len);
	if (json)
		*json = (const char *)buf + CSA_SLOT_HEADER_BYTES;
	return verdict(info, CSA_SLOT_VALID, "%s", "");
}

/* ---- choosing ----------------------------------------------------------- */

static void say_skipped(const struct csa_slot_info *s, unsigned k,
			char *why, size_t whylen)
{
	csa_lbl_report(0, why, whylen, "slot %u skipped: %s: %s", k,
		       csa_slot_status_name(s->status), s->reason);
}

int csa_slot_choose(const struct csa_slot_info *s, unsigned *newest,
		    unsigned *next, char *why, size_t whylen,
		    char *err, size_t errlen)
{
	bool v0 = s[0].status == CSA_SLOT_VALID;
	bool v1 = s[1].status == CSA_SLOT_VALID;
	unsigned n;

	*next = 0;
	if (!v0 && !v1)
		return csa_lbl_report(-EIO, err, errlen,
				      "no valid catalog slot: slot 0 %s: %s, slot 1 %s: %s",
				      csa_slot_status_name(s[0].status), s[0].reason,
				      csa_slot_status_name(s[1].status), s[1].reason);
	if (v0 && v1 && s[0].seq == s[1].seq &&
	    memcmp(s[0].json_sha, s[1].json_sha, 32))
		return csa_lbl_report(-EIO, err, errlen,
				      "slots 0 and 1 both carry sequence %" PRIu64 " with different catalogs",
				      s[0].seq);
	if (v0 && v1) {
		n = s[1].seq > s[0].seq;
		csa_lbl_report(0, why, whylen,
			       "slot %u is older: sequence %" PRIu64 " against %" PRIu64,
			       1 - n, s[1 - n].seq, s[n].seq);
	} else {
		n = v1;
		say_skipped(&s[1 - n], 1 - n, why, whylen);
	}
	*newest = n;
	*next = 1 - n;
	return 0;
}
