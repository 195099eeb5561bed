// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/wire.h"

void csa_framebuf_free(struct csa_framebuf *fb)
{
	free(fb->buf);
	*fb = (struct csa_framebuf){ 0 };
}

int csa_framebuf_reserve(struct csa_framebuf *fb, size_t want)
{
	size_t cap;
	uint8_t *nb;

	if (fb->pos) {	/* drop what was taken */
		memmove(fb->buf, fb->buf + fb->pos, fb->len - fb->pos);
		fb->len -= fb->pos;
		fb->pos = 0;
	}
	if (fb->cap - fb->len >= want)
		return 0;
	cap = fb->cap ? fb->cap : 4096;
	while (cap - fb->len < want)
		cap *= 2;
	nb = realloc(fb->buf, cap);
	if (!nb)
		return -ENOMEM;
	fb->buf = nb;
	fb->cap = cap;
	return 0;
}

int csa_frame_next(struct csa_framebuf *fb, const char **payload,
		   size_t *len)
{
	const uint8_t *p = fb->buf + fb->pos;
	size_t have = fb->len - fb->pos;
	uint32_t n;

	if (have < 4)
		return 0;
	n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (n > CSA_FRAME_MAX)
		return -EMSGSIZE;
	if (have - 4 < n)
		return 0;
	*payload = (const char *)p + 4;
	*len = n;
	fb->pos += 4 + (size_t)n;
	return 1;
}

int csa_frame_parse(const char *payload, size_t len,
		    struct json_object **out, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error jerr;

	if (!tok)
		return -ENOMEM;
	obj = json_tokener_parse_ex(tok, payload, (int)len);
	jerr = json_tokener_get_error(tok);
	if (obj && jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errlen, "the frame has bytes after its JSON object");
		goto bad;
	}
	if (!obj || jerr != json_tokener_success) {
		snprintf(err, errlen, "the frame is not JSON: %s at byte %zu",
			 json_tokener_error_desc(jerr == json_tokener_success ?
						 json_tokener_continue : jerr),
			 json_tokener_get_parse_end(tok));
		goto bad;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "the frame is JSON but not an object");
		goto bad;
	}
	json_tokener_free(tok);
	*out = obj;
	return 0;
bad:
	json_object_put(obj);
	json_tokener_free(tok);
	return -EBADMSG;
}

int csa_frame_encode(struct json_object *obj, uint8_t **out, size_t *len)
{
	size_t n;
	const char *s = json_object_to_json_string_length(obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	uint8_t *b;

	if (!s)
		return -ENOMEM;
	if (n > CSA_FRAME_MAX)
		return -EMSGSIZE;
	b = malloc(4 + n);
	if (!b)
		return -ENOMEM;
	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	memcpy(b + 4, s, n);
	*out = b;
	*len = 4 + n;
	return 0;
}

struct json_object *csa_reply_error(struct json_object *id, const char *code,
				    const char *fmt, ...)
{
	struct json_object *r = json_object_new_object(), *e;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = json_object_new_object();
	if (!r || !e) {
		json_object_put(r);
		json_object_put(e);
		return NULL;
	}
	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(r, "id", json_object_get(id));
	json_object_object_add(r, "error", e);
	return r;
}

struct json_object *csa_reply_result(struct json_object *id,
				     struct json_object *result)
{
	struct json_object *r = json_object_new_object();

	if (!r) {
		json_object_put(result);
		return NULL;
	}
	json_object_object_add(r, "id", json_object_get(id));
	json_object_object_add(r, "result", result);
	return r;
}
