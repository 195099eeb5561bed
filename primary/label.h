/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The csafs reserved area at the start of every LUN the cluster uses: a
 * label saying whose LUN it is, and two catalog slots written alternately
 * (as LUKS2 keeps two headers and LVM a metadata copy on every PV). This
 * file is pure encoding and decoding over byte buffers: no I/O, no global
 * state; every function may be called from any thread.
 *
 * ---- The reserved area (format version 1) --------------------------------
 *
 *   LUN byte offset      size      what
 *   0                    64 KiB    the label block: the label, then zeros
 *   64 KiB               2016 KiB  catalog slot 0
 *   2080 KiB             2016 KiB  catalog slot 1
 *   4 MiB                          end of the reserved area; data follows
 *
 * Offsets and sizes are multiples of CSA_IO_ALIGN (4096) so that a reader
 * or writer over a block device of 512- or 4096-byte blocks never needs a
 * read-modify-write. The label records the geometry it was written with,
 * and readers use the label's numbers, not these constants.
 *
 * ---- The label (the first 512 bytes of the LUN) ------------------------
 *
 * All integers are little-endian; UUIDs are the 16 bytes in RFC 4122 order
 * (printed canonical: 8-4-4-4-12 lowercase hex).
 *
 *   offset  size  field
 *        0     8  magic "CSAFSLBL" (no NUL)
 *        8     4  format version: 1
 *       12     4  label length in bytes: 512
 *       16    16  cluster UUID
 *       32    16  LUN UUID
 *       48    64  array name: 1..63 bytes, NUL-terminated, NUL-padded
 *      112     8  reserved area size in bytes (4 MiB)
 *      120     8  slot 0 offset in bytes from the start of the LUN
 *      128     8  slot 0 size in bytes
 *      136     8  slot 1 offset
 *      144     8  slot 1 size
 *      152   328  zero
 *      480    32  SHA-256 of bytes 0..479
 *
 * Decoding checks, in this order: the magic (else "no csafs label"), the
 * version and length, the checksum, then the name (well formed), the zero
 * bytes (zero), the geometry (slots aligned, past the label, inside the
 * reserved area, not overlapping) and the UUIDs (not nil).
 *
 * ---- A catalog slot ---------------------------------------------------
 *
 *   slot offset  size  field
 *        0          8  magic "CSAFSCAT"
 *        8          4  slot format version: 1
 *       12          4  slot index, 0 or 1: the slot it was written for
 *       16          8  sequence number, >= 1, bigger is newer
 *       24          8  JSON length in bytes (L)
 *       32         16  cluster UUID
 *       48         16  zero
 *       64         32  SHA-256 of the L JSON bytes
 *       96         32  SHA-256 of slot bytes 0..95 (the header checksum)
 *      128          L  the catalog, JSON text, no NUL
 *      128 + L      8  end marker "CSAFSEND"
 *      136 + L      8  the sequence number again
 *      144 + L         zeros up to the next multiple of 4096
 *
 * A slot is written with one write of csa_slot_span(L) bytes. A write cut
 * short leaves the new header without the end marker of its sequence: that
 * is reported as torn. A header whose checksum fails, or a JSON whose
 * SHA-256 fails behind an intact end marker, is reported as corrupt. A
 * header of all zeros is an empty slot (never written). Only a valid slot
 * is ever used; the diagnosis is for the log.
 *
 * Errors are 0 or a negative errno, with a sentence in @err (which may be
 * NULL) as in striper/layout.h.
 */
#ifndef CSA_LABEL_H
#define CSA_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "striper/layout.h"	/* CSA_NAME_MAX */

#define CSA_IO_ALIGN		4096u
#define CSA_RESERVED_BYTES	(4u << 20)
#define CSA_LABEL_BLOCK_BYTES	(64u << 10)
#define CSA_LABEL_BYTES		512u
#define CSA_LABEL_VERSION	1u
#define CSA_SLOT_BYTES		((CSA_RESERVED_BYTES - CSA_LABEL_BLOCK_BYTES) / 2)
#define CSA_SLOT0_OFFSET	CSA_LABEL_BLOCK_BYTES
#define CSA_SLOT1_OFFSET	(CSA_SLOT0_OFFSET + CSA_SLOT_BYTES)
#define CSA_SLOT_VERSION	1u
#define CSA_SLOT_HEADER_BYTES	128u
#define CSA_SLOT_TRAILER_BYTES	16u
/* The most JSON a slot of @bytes holds: 2064240 bytes in the default slot. */
#define CSA_SLOT_JSON_MAX(bytes) \
	((bytes) - CSA_SLOT_HEADER_BYTES - CSA_SLOT_TRAILER_BYTES)

#define CSA_UUID_STR_LEN	37	/* canonical form with its NUL */

struct csa_uuid {
	uint8_t b[16];
};

/* A random (version 4) UUID from OpenSSL's RAND_bytes; -EIO if it fails. */
int csa_uuid_generate(struct csa_uuid *u);

/* The canonical lowercase form, 36 characters and a NUL, into @out. */
void csa_uuid_format(const struct csa_uuid *u, char out[CSA_UUID_STR_LEN]);

/* Parse the canonical form (either case); -EINVAL for anything else. */
int csa_uuid_parse(const char *s, struct csa_uuid *u);

bool csa_uuid_equal(const struct csa_uuid *a, const struct csa_uuid *b);
bool csa_uuid_is_nil(const struct csa_uuid *u);

/* ---- label ------------------------------------------------------------ */

struct csa_label {
	uint32_t version;
	struct csa_uuid cluster;
	struct csa_uuid lun;
	char array[CSA_NAME_MAX];
	uint64_t reserved_bytes;
	uint64_t slot_offset[2];
	uint64_t slot_bytes[2];
};

/*
 * A version 1 label with the default geometry for @array of @cluster and
 * LUN @lun. -EINVAL with a sentence if @array is empty or too long.
 */
int csa_label_init(struct csa_label *l, const struct csa_uuid *cluster,
		   const struct csa_uuid *lun, const char *array,
		   char *err, size_t errlen);

/*
 * Encode @l into the CSA_LABEL_BYTES bytes at @buf. -EINVAL with a sentence
 * if @l would not decode (bad geometry, name, nil UUID).
 */
int csa_label_encode(const struct csa_label *l, uint8_t *buf,
		     char *err, size_t errlen);

/*
 * Decode the label from @buf (@len >= CSA_LABEL_BYTES, else -EINVAL).
 * Returns 0 and *@out, or:
 *   -ENODATA     "no csafs label" (the magic is not there: blank or not ours)
 *   -ENOTSUP     a format version or label length this code does not read
 *   -EBADMSG     checksum mismatch, or a field out of its rules (the
 *                sentence names it)
 */
int csa_label_decode(const uint8_t *buf, size_t len, struct csa_label *out,
		     char *err, size_t errlen);

/*
 * 0 if @l belongs to @cluster; else -EBUSY with "the LUN belongs to another
 * cluster: <uuid> (array "<name>"); this cluster is <uuid>".
 */
int csa_label_check_cluster(const struct csa_label *l,
			    const struct csa_uuid *cluster,
			    char *err, size_t errlen);

/* ---- catalog slots ---------------------------------------------------- */

enum csa_slot_status {
	CSA_SLOT_VALID = 0,
	CSA_SLOT_EMPTY,		/* header all zeros: never written */
	CSA_SLOT_TORN,		/* header intact, end marker missing */
	CSA_SLOT_CORRUPT,	/* anything else: the reason says what */
};

/* "valid", "empty", "torn", "corrupt". */
const char *csa_slot_status_name(enum csa_slot_status s);

struct csa_slot_info {
	enum csa_slot_status status;
	bool header_ok;		/* header checksum and fields good */
	uint64_t seq;		/* when header_ok */
	uint64_t json_len;	/* when header_ok */
	uint8_t json_sha[32];	/* when header_ok: as the header says */
	char reason[192];	/* "" when valid, else why not, for a person */
};

/* Bytes a slot write of @json_len JSON bytes takes: header, JSON, end
 * marker, rounded up to CSA_IO_ALIGN. */
uint64_t csa_slot_span(uint64_t json_len);

/*
 * Encode slot @index (0 or 1) of @cluster with sequence @seq (>= 1) and
 * the @json_len bytes at @json, for a slot of @slot_bytes. On success
 * *@out is a malloc'd buffer of *@outlen = csa_slot_span(json_len) bytes,
 * the caller frees it. -EFBIG with a sentence when the JSON does not fit,
 * -EINVAL for a bad index or sequence, -ENOMEM, -EIO if hashing fails.
 */
int csa_slot_encode(const struct csa_uuid *cluster, unsigned index,
		    uint64_t seq, const char *json, size_t json_len,
		    uint64_t slot_bytes, uint8_t **out, size_t *outlen,
		    char *err, size_t errlen);

/*
 * Decode only the header (@len >= CSA_SLOT_HEADER_BYTES) of slot @index of
 * a slot of @slot_bytes that should belong to @cluster. Fills @info; on a
 * good header, returns 0 and info->json_len tells how much to read
 * (csa_slot_span). Else -ENODATA (empty) or -EBADMSG (corrupt), with
 * info->reason. -EINVAL if @len is too short.
 */
int csa_slot_decode_header(const uint8_t *buf, size_t len,
			   const struct csa_uuid *cluster, unsigned index,
			   uint64_t slot_bytes, struct csa_slot_info *info);

/*
 * Decode a whole slot from @buf (@len bytes from the slot's start; at
 * least csa_slot_span of the header's JSON length for a verdict other
 * than empty or corrupt header). Returns 0 when valid, with *@json (if not
 * NULL) pointing into @buf at info->json_len bytes (not NUL-terminated).
 * Else -ENODATA (empty) or -EBADMSG (torn or corrupt), with @info saying
 * which and why; -EINVAL if @len is too short to tell.
 */
int csa_slot_decode(const uint8_t *buf, size_t len,
		    const struct csa_uuid *cluster, unsigned index,
		    uint64_t slot_bytes, struct csa_slot_info *info,
		    const char **json);

/*
 * Of the two slots of one LUN (decoded into @s[0] and @s[1]), pick the valid
 * one with the higher sequence into *@newest, and into *@next the slot the
 * next write must go to: the other one, so that the newest valid slot is
 * never overwritten. @why (may be NULL) gets why the other slot was not
 * chosen ("slot 1 skipped: torn: ..." or "slot 0 is older: sequence 4").
 * Returns 0, or:
 *   -EIO "no valid catalog slot: slot 0 <status>: <reason>, slot 1 ..."
 *        when neither is valid (*@newest untouched; *@next is 0 then);
 *   -EIO "slots 0 and 1 both carry sequence N with different catalogs"
 *        (never written by csafs; nothing is guessed).
 */
int csa_slot_choose(const struct csa_slot_info *s, unsigned *newest,
		    unsigned *next, char *why, size_t whylen,
		    char *err, size_t errlen);

#endif
