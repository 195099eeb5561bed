// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A refusal as JSON (placement.h: csa_refusal_to_json), for the API's
 * error replies and `csa ... --json`.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "primary/placement.h"

/* Add @v under @key (at the end if @key is NULL); takes @v in every case. */
static int add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || (key ? json_object_object_add(o, key, v) :
			 json_object_array_add(o, v))) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int add_u64(struct json_object *o, const char *key, uint64_t v)
{
	return add(o, key, json_object_new_uint64(v));
}

static struct json_object *array_json(const struct csa_refusal_array *a)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add(o, "name", json_object_new_string(a->name)) ||
	    add_u64(o, "free_mbps", a->free_mbps) ||
	    add_u64(o, "free_iops", a->free_iops) ||
	    add_u64(o, "free_bytes", a->free_bytes) ||
	    add(o, "ok", json_object_new_boolean(a->ok))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int fill(struct json_object *o, const struct csa_refusal *r)
{
	struct json_object *arr;
	const char *code = csa_plan_code_name(r->code);
	unsigned i;

	if (add(o, "code", json_object_new_string(code ? code : "unknown")) ||
	    add(o, "message", json_object_new_string(r->message)))
		return -1;
	if (json_object_object_add(o, "field", r->field ?
				   json_object_new_string(r->field) : NULL))
		return -1;
	if (add_u64(o, "size", r->size) || add_u64(o, "mbps", r->mbps) ||
	    add_u64(o, "iops", r->iops) || add_u64(o, "copies", r->copies) ||
	    add_u64(o, "columns", r->columns) ||
	    add_u64(o, "arrays_needed", r->arrays_needed) ||
	    add_u64(o, "arrays_ok", r->arrays_ok) ||
	    add_u64(o, "column_bytes", r->column_bytes) ||
	    add_u64(o, "column_mbps", r->column_mbps) ||
	    add_u64(o, "column_iops", r->column_iops) ||
	    add_u64(o, "free_mbps", r->free_mbps) ||
	    add_u64(o, "free_iops", r->free_iops) ||
	    add_u64(o, "free_bytes", r->free_bytes))
		return -1;
	arr = json_object_new_array();
	if (add(o, "arrays", arr))
		return -1;
	for (i = 0; i < r->nr_arrays && r->arrays; i++)
		if (add(arr, NULL, array_json(&r->arrays[i])))
			return -1;
	return 0;
}

char *csa_refusal_to_json(const struct csa_refusal *r)
{
	struct json_object *o = json_object_new_object();
	char *text = NULL;

	if (o && !fill(o, r))
		text = strdup(json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}
