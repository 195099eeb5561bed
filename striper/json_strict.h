/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict JSON reading, shared by the layout (layout_json.c) and the catalog
 * (primary/catalog_json.c): json-c's parse plus a pass over the raw text
 * that refuses what json-c lets through. The caller then walks the objects
 * (unknown, missing, mistyped fields) and validates what it built.
 *
 * Refused, each with -EINVAL and one sentence in @err:
 *   - a NUL byte in the text                  "NUL byte"
 *   - a text of 2 GiB or more                 "the <noun> is N bytes; json-c takes less than 2 GiB"
 *   - what json-c's strict mode refuses       "JSON parse error: <json-c's words>"
 *     (a text that stops inside a value:      "JSON parse error: the text ends early")
 *   - anything but white space after the value "trailing characters after the <noun>"
 *   - a field given twice in one object, compared as json-c stores names
 *     (escapes decoded, "s\u0069ze" is "size"): "field \"size\" is given a second time"
 *   - with CSA_JSON_PLAIN_NAMES, any escape in a field name:
 *                                             "field name with an escape (<noun> field names are plain)"
 *   - a single quote outside a string         "single-quoted string (JSON strings take double quotes)"
 *   - an integer past 2^64 - 1, which json-c would saturate without a word:
 *                                             "integer does not fit in 64 bits", or with
 *     CSA_JSON_SHOW_INTEGER "integer 18446744073709551616 does not fit in 64 bits"
 * Every sentence but the size one ends in " at line L column C (byte B)",
 * lines and columns counted from 1, bytes from 0.
 *
 * Out of memory is -ENOMEM with "out of memory reading the <noun>".
 */
#ifndef CSA_STRIPER_JSON_STRICT_H
#define CSA_STRIPER_JSON_STRICT_H

#include <stddef.h>

struct json_object;

enum {
	/* json-c also checks that strings are valid UTF-8. */
	CSA_JSON_UTF8		= 1u << 0,
	/* Field names may not hold escapes. */
	CSA_JSON_PLAIN_NAMES	= 1u << 1,
	/* The integer too wide for 64 bits is quoted in the sentence. */
	CSA_JSON_SHOW_INTEGER	= 1u << 2,
	/*
	 * text[len] is a NUL that json-c is given as the end of the data, so
	 * that a top-level number ends and an empty or truncated text is
	 * json-c's "unexpected end of data"; without it they are "the text
	 * ends early".
	 */
	CSA_JSON_NUL_ENDS	= 1u << 3,
};

/*
 * Parses the @len bytes at @text. @noun ("layout", "catalog") names the text
 * in sentences; @flags are CSA_JSON_*.
 *
 * Returns 0 with the root in *@out, which the caller puts with
 * json_object_put (it is NULL for the text "null"); or -EINVAL or -ENOMEM
 * with *@out untouched and the sentence in @err (if not NULL; cut to
 * @errlen). Keeps no state: any thread may call it.
 */
int csa_json_strict_parse(const char *text, size_t len, const char *noun,
			  unsigned flags, struct json_object **out,
			  char *err, size_t errlen);

#endif
