/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walking a parsed JSON object field by field (after json_strict.h), as
 * the layout (layout_json.c) and the catalog (primary/catalog_json.c) do:
 * every failure is -EINVAL with one sentence in @err naming the field and
 * @where it is ("the layout", "array 2", "volumes[3]"...).
 */
#ifndef CSA_STRIPER_JSON_WALK_H
#define CSA_STRIPER_JSON_WALK_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* "an integer", "a string", "null", ... for messages. */
const char *csa_json_noun(json_type t);

/* @o is an object with no field outside @known (NULL-terminated). */
int csa_json_want_object(json_object *o, const char *where,
			 const char *const *known, char *err, size_t errlen);

/* Field @key of @o, present and of @type, into *@v. */
int csa_json_member(json_object *o, const char *key, const char *where,
		    json_type type, json_object **v, char *err, size_t errlen);

/* An integer field, 0..@max (json-c's saturation above INT64_MAX reads as
 * a large value, never a negative one). */
int csa_json_get_u64(json_object *o, const char *key, const char *where,
		     uint64_t max, uint64_t *out, char *err, size_t errlen);
int csa_json_get_u32(json_object *o, const char *key, const char *where,
		     uint32_t *out, char *err, size_t errlen);

/* String value @v, called @what in messages, into @buf of @size bytes
 * (with its NUL); refused if it holds a NUL or does not fit. */
int csa_json_get_str(json_object *v, const char *what, const char *where,
		     char *buf, size_t size, char *err, size_t errlen);

/* A string field, as csa_json_get_str. */
int csa_json_get_string(json_object *o, const char *key, const char *where,
			char *buf, size_t size, char *err, size_t errlen);

/* ---- building ------------------------------------------------------- */

/*
 * Add @v to @o under @key (at the end of an array if @key is NULL); takes
 * @v in every case. -ENOMEM if @o or @v is NULL (an allocation failed) or
 * the add fails, so that a builder checks once: a || b || c.
 */
int csa_json_put(json_object *o, const char *key, json_object *v);

/* @o, or NULL (and @o dropped) if building it @failed. */
json_object *csa_json_built(json_object *o, int failed);

#endif
