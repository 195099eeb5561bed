// SPDX-License-Identifier: GPL-2.0-or-later
/* Walking parsed JSON objects with one sentence per fault (json_walk.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "striper/json_walk.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

const char *csa_json_noun(json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or an exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "of an unknown type";
}

int csa_json_want_object(json_object *o, const char *where,
			 const char *const *known, char *err, size_t errlen)
{
	struct json_object_iterator it, end;
	const char *key;
	unsigned i;

	if (!json_object_is_type(o, json_type_object))
		return fail(err, errlen, "%s must be an object, not %s", where,
			    csa_json_noun(json_object_get_type(o)));
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		for (i = 0; known[i] && strcmp(key, known[i]); i++)
			;
		if (!known[i])
			return fail(err, errlen, "unknown field \"%.64s\" in %s",
				    key, where);
	}
	return 0;
}

int csa_json_member(json_object *o, const char *key, const char *where,
		    json_type type, json_object **v, char *err, size_t errlen)
{
	if (!json_object_object_get_ex(o, key, v))
		return fail(err, errlen, "missing field \"%s\" in %s", key, where);
	if (!json_object_is_type(*v, type))
		return fail(err, errlen, "field \"%s\" in %s must be %s, not %s",
			    key, where, csa_json_noun(type),
			    csa_json_noun(json_object_get_type(*v)));
	return 0;
}

int csa_json_get_u64(json_object *o, const char *key, const char *where,
		     uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	json_object *v;
	int ret;

	ret = csa_json_member(o, key, where, json_type_int, &v, err, errlen);
	if (ret)
		return ret;
	if (json_object_get_int64(v) < 0)
		return fail(err, errlen, "field \"%s\" in %s is negative", key,
			    where);
	*out = json_object_get_uint64(v);
	if (*out > max)
		return fail(err, errlen, "field \"%s\" in %s is %" PRIu64 "; at most %" PRIu64 " fits",
			    key, where, *out, max);
	return 0;
}

int csa_json_get_u32(json_object *o, const char *key, const char *where,
		     uint32_t *out, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = csa_json_get_u64(o, key, where, UINT32_MAX, &v, err, errlen);
	if (!ret)
		*out = (uint32_t)v;
	return ret;
}

int csa_json_get_str(json_object *v, const char *what, const char *where,
		     char *buf, size_t size, char *err, size_t errlen)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);

	if (strlen(s) != n)
		return fail(err, errlen, "%s in %s contains a NUL character",
			    what, where);
	if (n >= size)
		return fail(err, errlen, "%s in %s is %zu bytes long; at most %zu fit",
			    what, where, n, size - 1);
	memcpy(buf, s, n + 1);
	return 0;
}

int csa_json_get_string(json_object *o, const char *key, const char *where,
			char *buf, size_t size, char *err, size_t errlen)
{
	char what[80];
	json_object *v;
	int ret;

	ret = csa_json_member(o, key, where, json_type_string, &v, err, errlen);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "field \"%.64s\"", key);
	return csa_json_get_str(v, what, where, buf, size, err, errlen);
}

int csa_json_put(json_object *o, const char *key, json_object *v)
{
	if (!o || !v || (key ? json_object_object_add(o, key, v) :
			       json_object_array_add(o, v))) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

json_object *csa_json_built(json_object *o, int failed)
{
	if (failed) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
