/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The API's framing: a 4-byte big-endian length, then that many bytes of
 * one JSON object. Frames over CSA_FRAME_MAX are refused.
 *
 * Requests carry "op" and "id"; replies carry the same "id" and either
 * "result" or "error": {"code": stable word, "message": sentence}; events
 * pushed by the primary carry "event" and "data" and no "id".
 */
#ifndef CSA_WIRE_H
#define CSA_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define CSA_FRAME_MAX	(1u << 20)

/* Bytes received and not yet taken as frames. */
struct csa_framebuf {
	uint8_t *buf;
	size_t len;	/* bytes held */
	size_t pos;	/* bytes already taken */
	size_t cap;
};

void csa_framebuf_free(struct csa_framebuf *fb);

/* Room for at least @want more bytes at buf + len; -ENOMEM. */
int csa_framebuf_reserve(struct csa_framebuf *fb, size_t want);

/*
 * Take the next whole frame. Returns 1 with its payload (valid until the
 * next call), 0 when more bytes are needed, -EMSGSIZE when the frame
 * announces more than CSA_FRAME_MAX bytes (the stream cannot be trusted
 * past it: close the connection).
 */
int csa_frame_next(struct csa_framebuf *fb, const char **payload,
		   size_t *len);

/* Parse a payload as one JSON object; -EBADMSG with a sentence. */
int csa_frame_parse(const char *payload, size_t len,
		    struct json_object **out, char *err, size_t errlen);

/* The frame of @obj, malloc'd; -ENOMEM, -EMSGSIZE. */
int csa_frame_encode(struct json_object *obj, uint8_t **out, size_t *len);

/* {"id": id, "error": {"code": code, "message": ...}}; NULL on ENOMEM. */
struct json_object *csa_reply_error(struct json_object *id, const char *code,
				    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* {"id": id, "result": result}; takes @result. */
struct json_object *csa_reply_result(struct json_object *id,
				     struct json_object *result);

#endif
