// SPDX-License-Identifier: GPL-2.0-or-later
/* Checking a request's fields, for handlers (api_server.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "primary/api_server.h"

int csa_api_fail(struct csa_api_err *e, const char *code, const char *fmt,
		 ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool allowed_field(const char *key, const char *const *allowed)
{
	if (!strcmp(key, "op") || !strcmp(key, "id"))
		return true;
	for (; *allowed; allowed++)
		if (!strcmp(key, *allowed))
			return true;
	return false;
}

int csa_api_fields(struct json_object *req, const char *const *allowed,
		   struct csa_api_err *e)
{
	json_object_object_foreach(req, key, val) {
		(void)val;
		if (!allowed_field(key, allowed))
			return csa_api_fail(e, "bad_request",
					    "unknown field \"%.64s\"", key);
	}
	return 0;
}

static struct json_object *field(struct json_object *req, const char *name,
				 bool required, struct csa_api_err *e,
				 int *ret)
{
	struct json_object *v = json_object_object_get(req, name);

	*ret = 0;
	if (!v && required)
		*ret = csa_api_fail(e, "bad_request",
				    "missing field \"%s\"", name);
	return v;
}

int csa_api_string(struct json_object *req, const char *name, bool required,
		   char *out, size_t len, struct csa_api_err *e)
{
	struct json_object *v;
	int ret;

	v = field(req, name, required, e, &ret);
	if (!v)
		return ret;
	if (!json_object_is_type(v, json_type_string))
		return csa_api_fail(e, "bad_request",
				    "field \"%s\" must be a string", name);
	if ((size_t)json_object_get_string_len(v) >= len)
		return csa_api_fail(e, "bad_request",
				    "field \"%s\" is longer than %zu characters",
				    name, len - 1);
	memcpy(out, json_object_get_string(v),
	       (size_t)json_object_get_string_len(v) + 1);
	return 0;
}

int csa_api_u64(struct json_object *req, const char *name, bool required,
		uint64_t max, uint64_t *out, struct csa_api_err *e)
{
	struct json_object *v;
	int64_t n;
	int ret;

	v = field(req, name, required, e, &ret);
	if (!v)
		return ret;
	if (!json_object_is_type(v, json_type_int))
		return csa_api_fail(e, "bad_request",
				    "field \"%s\" must be a whole number", name);
	errno = 0;
	n = json_object_get_int64(v);
	/* json-c saturates past INT64_MAX: anything that large is absurd. */
	if (n < 0 || (uint64_t)n > max || n == INT64_MAX)
		return csa_api_fail(e, "bad_request",
				    "field \"%s\" must be between 0 and %llu",
				    name, (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

int csa_api_bool(struct json_object *req, const char *name, bool required,
		 bool *out, struct csa_api_err *e)
{
	struct json_object *v;
	int ret;

	v = field(req, name, required, e, &ret);
	if (!v)
		return ret;
	if (!json_object_is_type(v, json_type_boolean))
		return csa_api_fail(e, "bad_request",
				    "field \"%s\" must be true or false", name);
	*out = json_object_get_boolean(v);
	return 0;
}

/* The list field @name, or NULL (absent, or refused: *@ret says). */
static struct json_object *list_field(struct json_object *req,
				      const char *name, size_t max,
				      struct csa_api_err *e, int *ret)
{
	struct json_object *v = field(req, name, false, e, ret);

	if (!v)
		return NULL;
	if (!json_object_is_type(v, json_type_array))
		*ret = csa_api_fail(e, "bad_request",
				    "field \"%s\" must be a list", name);
	else if (json_object_array_length(v) > max)
		*ret = csa_api_fail(e, "bad_request",
				    "field \"%s\" has more than %zu entries",
				    name, max);
	return *ret ? NULL : v;
}

int csa_api_strings(struct json_object *req, const char *name, size_t max,
		    char *out, size_t len, size_t *n, struct csa_api_err *e)
{
	struct json_object *v, *s;
	int ret;
	size_t i;

	v = list_field(req, name, max, e, &ret);
	if (!v)
		return ret;
	*n = json_object_array_length(v);
	for (i = 0; i < *n; i++) {
		s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string) ||
		    !json_object_get_string_len(s) ||
		    (size_t)json_object_get_string_len(s) >= len)
			return csa_api_fail(e, "bad_request",
					    "field \"%s\" must list strings of 1 to %zu characters",
					    name, len - 1);
		snprintf(out + i * len, len, "%s", json_object_get_string(s));
	}
	return 0;
}

int csa_api_u64s(struct json_object *req, const char *name, size_t max_n,
		 uint64_t max, uint64_t *out, size_t *n, struct csa_api_err *e)
{
	struct json_object *v, *x;
	int ret;
	size_t i;

	v = list_field(req, name, max_n, e, &ret);
	if (!v)
		return ret;
	*n = json_object_array_length(v);
	for (i = 0; i < *n; i++) {
		x = json_object_array_get_idx(v, i);
		if (!json_object_is_type(x, json_type_int) ||
		    json_object_get_int64(x) < 0 ||
		    (uint64_t)json_object_get_int64(x) > max)
			return csa_api_fail(e, "bad_request",
					    "field \"%s\" must list whole numbers from 0 to %llu",
					    name, (unsigned long long)max);
		out[i] = (uint64_t)json_object_get_int64(x);
	}
	return 0;
}
