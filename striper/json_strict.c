// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strict JSON reading (json_strict.h): json-c parses in strict mode, then a
 * pass over the raw text, which json-c has accepted, refuses what json-c
 * lets through: names given twice (json-c keeps the last), single quotes,
 * integers past 64 bits (json-c saturates them).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "striper/json_strict.h"

__attribute__((format(printf, 4, 5)))
static int report(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* "<what> at line L column C (byte B)", counting from 1 (bytes from 0). */
__attribute__((format(printf, 5, 6)))
static int fail_at(const char *text, size_t off, char *err, size_t errlen,
		   const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	char what[160];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (i = 0; i < off; i++) {
		col = text[i] == '\n' ? 1 : col + 1;
		line += text[i] == '\n';
	}
	return report(-EINVAL, err, errlen, "%s at line %u column %u (byte %zu)",
		      what, line, col, off);
}

/* ---- the raw text --------------------------------------------------- */

struct frame {
	int object;		/* else an array */
	int want_key;		/* the next string is a field name */
	size_t first_key;	/* this object's names: keys[first_key..] */
};

struct key {
	size_t off, len;	/* decoded, in names[] */
};

struct scan {
	const char *t;
	size_t len;
	const char *noun;
	unsigned flags;
	unsigned depth;
	struct frame frames[JSON_TOKENER_DEFAULT_DEPTH];
	struct key *keys;	/* the names of the open objects */
	size_t nr_keys, keys_cap;
	char *names;		/* their bytes, decoded */
	size_t names_len, names_cap;
	char *err;
	size_t errlen;
};

static int oom(const char *noun, char *err, size_t errlen)
{
	return report(-ENOMEM, err, errlen, "out of memory reading the %s",
		      noun);
}

static unsigned hex4(const char *p)
{
	unsigned v = 0, i, d;

	for (i = 0; i < 4; i++) {
		d = (unsigned char)p[i];
		d = d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10;
		v = v << 4 | d;
	}
	return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The body of a string json-c has accepted, decoded into @out (room for
 * @n bytes: decoding never lengthens) as json-c stores a field name: UTF-8,
 * a surrogate pair joined, a lone surrogate as U+FFFD, cut at a NUL (names
 * are C strings in json-c's objects). Returns the decoded length.
 */
static size_t decode_name(const char *raw, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned ch, lo;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)raw[i];
		if (ch == '\\' && raw[i + 1] == 'u') {
			ch = hex4(raw + i + 2);
			i += 5;
			if (ch >= 0xd800 && ch < 0xdc00 && i + 6 < n &&
			    raw[i + 1] == '\\' && raw[i + 2] == 'u' &&
			    (lo = hex4(raw + i + 3)) >= 0xdc00 && lo < 0xe000) {
				ch = 0x10000 + ((ch - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			} else if (ch >= 0xd800 && ch < 0xe000) {
				ch = 0xfffd;
			}
			if (!ch)
				break;
			o += put_utf8(out + o, ch);
			continue;
		}
		if (ch == '\\') {
			ch = (unsigned char)raw[++i];
			ch = ch == 'b' ? '\b' : ch == 'f' ? '\f' :
			     ch == 'n' ? '\n' : ch == 'r' ? '\r' :
			     ch == 't' ? '\t' : ch;
		}
		out[o++] = (char)ch;
	}
	return o;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* The field name of @len raw bytes at @off, in the innermost object @f. */
static int scan_key(struct scan *s, struct frame *f, size_t off, size_t len)
{
	const char *name;
	struct key *k;
	size_t i, n;

	if ((s->flags & CSA_JSON_PLAIN_NAMES) && memchr(s->t + off, '\\', len))
		return fail_at(s->t, off - 1, s->err, s->errlen,
			       "field name with an escape (%s field names are plain)",
			       s->noun);
	if (grow((void **)&s->names, &s->names_cap, s->names_len + len, 1) ||
	    grow((void **)&s->keys, &s->keys_cap, s->nr_keys + 1,
		 sizeof(*s->keys)))
		return oom(s->noun, s->err, s->errlen);
	name = s->names + s->names_len;
	n = decode_name(s->t + off, len, s->names + s->names_len);
	for (i = f->first_key; i < s->nr_keys; i++) {
		k = &s->keys[i];
		if (k->len == n && !memcmp(s->names + k->off, name, n))
			return fail_at(s->t, off - 1, s->err, s->errlen,
				       "field \"%.*s\" is given a second time",
				       (int)(n < 64 ? n : 64), name);
	}
	s->keys[s->nr_keys++] = (struct key){ s->names_len, n };
	s->names_len += n;
	return 0;
}

static int scan_string(struct scan *s, size_t *i)
{
	struct frame *f = s->depth ? &s->frames[s->depth - 1] : NULL;
	size_t start = *i + 1, j = start;

	while (j < s->len && s->t[j] != '"')
		j += s->t[j] == '\\' ? 2 : 1;
	*i = j;
	if (!f || !f->object || !f->want_key)
		return 0;
	f->want_key = 0;
	return scan_key(s, f, start, j - start);
}

/* Integers past 64 bits: json-c would saturate them without a word. */
static int scan_number(struct scan *s, size_t *i)
{
	const char *t = s->t;
	size_t j = *i, first, digits, n;
	int integer;

	j += t[j] == '-';
	first = j;
	while (j < s->len && t[j] >= '0' && t[j] <= '9')
		j++;
	digits = j - first;
	integer = j >= s->len || (t[j] != '.' && t[j] != 'e' && t[j] != 'E');
	while (j < s->len && t[j] && strchr("0123456789.eE+-", t[j]))
		j++;
	n = j - *i;
	if (integer && (digits > 20 ||
			(digits == 20 &&
			 memcmp(t + first, "18446744073709551615", 20) > 0))) {
		if (!(s->flags & CSA_JSON_SHOW_INTEGER))
			return fail_at(t, *i, s->err, s->errlen,
				       "integer does not fit in 64 bits");
		return fail_at(t, *i, s->err, s->errlen,
			       "integer %.*s%s does not fit in 64 bits",
			       (int)(n < 24 ? n : 24), t + *i,
			       n < 24 ? "" : "...");
	}
	*i = j - 1;
	return 0;
}

static int scan_push(struct scan *s, size_t i, int object)
{
	/* json-c refuses deeper nesting: it cannot happen. */
	if (s->depth == JSON_TOKENER_DEFAULT_DEPTH)
		return fail_at(s->t, i, s->err, s->errlen, "nesting too deep");
	s->frames[s->depth++] = (struct frame){ object, object, s->nr_keys };
	return 0;
}

static void scan_pop(struct scan *s)
{
	struct frame *f = &s->frames[--s->depth];

	if (s->nr_keys > f->first_key)
		s->names_len = s->keys[f->first_key].off;
	s->nr_keys = f->first_key;
}

static int scan_char(struct scan *s, size_t *i)
{
	char ch = s->t[*i];

	if (ch == '{' || ch == '[')
		return scan_push(s, *i, ch == '{');
	if ((ch == '}' || ch == ']') && s->depth)
		scan_pop(s);
	else if (ch == ',' && s->depth)
		s->frames[s->depth - 1].want_key = s->frames[s->depth - 1].object;
	else if (ch == '"')
		return scan_string(s, i);
	else if (ch == '\'')
		return fail_at(s->t, *i, s->err, s->errlen,
			       "single-quoted string (JSON strings take double quotes)");
	else if (ch == '-' || (ch >= '0' && ch <= '9'))
		return scan_number(s, i);
	return 0;
}

/* On text json-c has accepted, so only what it lets through is looked at. */
static int scan_text(const char *t, size_t len, const char *noun,
		     unsigned flags, char *err, size_t errlen)
{
	struct scan *s = calloc(1, sizeof(*s));
	size_t i;
	int ret = 0;

	if (!s)
		return oom(noun, err, errlen);
	*s = (struct scan){ .t = t, .len = len, .noun = noun, .flags = flags,
			    .err = err, .errlen = errlen };
	for (i = 0; i < len && !ret; i++)
		ret = scan_char(s, &i);
	free(s->names);
	free(s->keys);
	free(s);
	return ret;
}

/* ---- the parse ------------------------------------------------------ */

int csa_json_strict_parse(const char *text, size_t len, const char *noun,
			  unsigned flags, struct json_object **out,
			  char *err, size_t errlen)
{
	unsigned tflags = JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS;
	const char *nul = memchr(text, 0, len);
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *root;
	size_t end;
	int ret;

	if (nul)
		return fail_at(text, (size_t)(nul - text), err, errlen,
			       "NUL byte");
	if (len >= INT32_MAX)
		return report(-EINVAL, err, errlen,
			      "the %s is %zu bytes; json-c takes less than 2 GiB",
			      noun, len);
	tok = json_tokener_new();
	if (!tok)
		return oom(noun, err, errlen);
	/* Trailing characters are checked below, to say so plainly. */
	if (flags & CSA_JSON_UTF8)
		tflags |= JSON_TOKENER_VALIDATE_UTF8;
	json_tokener_set_flags(tok, (int)tflags);
	root = json_tokener_parse_ex(tok, text,
				     (int)len + !!(flags & CSA_JSON_NUL_ENDS));
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		json_object_put(root);
		return fail_at(text, end, err, errlen, "JSON parse error: %s",
			       jerr == json_tokener_continue ?
			       "the text ends early" :
			       json_tokener_error_desc(jerr));
	}
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	ret = end < len ? fail_at(text, end, err, errlen,
				  "trailing characters after the %s", noun) :
			  scan_text(text, len, noun, flags, err, errlen);
	if (ret) {
		json_object_put(root);
		return ret;
	}
	*out = root;
	return 0;
}
