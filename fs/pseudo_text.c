// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text for .csa/ (pseudo_int.h): growing strings, aligned tables, sizes
 * and times as people read them, and JSON read leniently (a missing
 * member shows as empty rather than failing the whole file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pseudo_int.h"

/* ---- growing strings ---------------------------------------------------- */

static bool pbuf_room(struct pbuf *b, size_t n)
{
	size_t cap;
	char *s;

	if (b->nomem)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		b->nomem = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void pbuf_add(struct pbuf *b, const char *s, size_t n)
{
	if (!pbuf_room(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void pbuf_puts(struct pbuf *b, const char *s)
{
	pbuf_add(b, s, strlen(s));
}

void pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0 && pbuf_room(b, (size_t)n)) {
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void pbuf_free(struct pbuf *b)
{
	free(b->s);
	*b = (struct pbuf){ 0 };
}

/* ---- tables ------------------------------------------------------------- */

#define PTAB_MAX_COLS	16

struct ptab {
	unsigned nr;
	const char *const *heads;
	const char *align;
	char **cells;		/* row after row */
	size_t nr_cells, cap;
	bool nomem;
};

struct ptab *ptab_new(unsigned nr, const char *const *heads,
		      const char *align)
{
	struct ptab *t;

	if (!nr || nr > PTAB_MAX_COLS || strlen(align) != nr)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t) {
		t->nr = nr;
		t->heads = heads;
		t->align = align;
	}
	return t;
}

void ptab_add(struct ptab *t, const char *fmt, ...)
{
	char **cells, *cell;
	va_list ap;
	int n;

	if (!t || t->nomem)
		return;
	if (t->nr_cells == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		cells = realloc(t->cells, t->cap * sizeof(*cells));
		if (!cells) {
			t->nomem = true;
			return;
		}
		t->cells = cells;
	}
	va_start(ap, fmt);
	n = vasprintf(&cell, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->nomem = true;
		return;
	}
	t->cells[t->nr_cells++] = cell;
}

/* One line; a last column aligned left is not padded (no trailing blanks). */
static void ptab_row(const struct ptab *t, const size_t *width,
		     const char *const *cells, unsigned indent,
		     struct pbuf *out)
{
	unsigned c;

	pbuf_printf(out, "%*s", (int)indent, "");
	for (c = 0; c < t->nr; c++) {
		const char *sep = c ? "  " : "";

		if (t->align[c] == 'r')
			pbuf_printf(out, "%s%*s", sep, (int)width[c], cells[c]);
		else if (c + 1 < t->nr)
			pbuf_printf(out, "%s%-*s", sep, (int)width[c], cells[c]);
		else
			pbuf_printf(out, "%s%s", sep, cells[c]);
	}
	pbuf_puts(out, "\n");
}

static void ptab_free(struct ptab *t)
{
	size_t i;

	for (i = 0; i < t->nr_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void ptab_print(struct ptab *t, struct pbuf *out, unsigned indent)
{
	size_t width[PTAB_MAX_COLS] = { 0 }, rows, i;
	unsigned c;

	if (!t || t->nomem) {
		out->nomem = true;
		if (t)
			ptab_free(t);
		return;
	}
	for (c = 0; t->heads && c < t->nr; c++)
		width[c] = strlen(t->heads[c]);
	rows = t->nr_cells / t->nr;	/* a partial row is dropped */
	for (i = 0; i < rows * t->nr; i++) {
		c = (unsigned)(i % t->nr);
		if (strlen(t->cells[i]) > width[c])
			width[c] = strlen(t->cells[i]);
	}
	if (t->heads)
		ptab_row(t, width, t->heads, indent, out);
	for (i = 0; i < rows; i++)
		ptab_row(t, width, (const char *const *)t->cells + i * t->nr,
			 indent, out);
	ptab_free(t);
}

/* ---- durations ---------------------------------------------------------- */

const char *pfmt_secs(int64_t s, char buf[PFMT_LEN])
{
	return csa_fmt_duration((long long)s, buf);
}

void pfmt_progress(struct pbuf *out, struct json_object *m)
{
	char done[CSA_FMT_LEN], all[CSA_FMT_LEN], eta[PFMT_LEN];

	pbuf_printf(out, "%llu/%llu regions %s/%s %llu MB/s ETA %s",
		    (unsigned long long)pj_u64(m, "regions_done"),
		    (unsigned long long)pj_u64(m, "regions"),
		    csa_fmt_size(pj_u64(m, "bytes_done"), done),
		    csa_fmt_size(pj_u64(m, "bytes"), all),
		    (unsigned long long)pj_u64(m, "rate_mbps"),
		    pfmt_secs(pj_i64(m, "eta_seconds"), eta));
}

void pfmt_locks(struct pbuf *out, struct json_object *m)
{
	pbuf_printf(out, "%llu, held p50 %llu ms, p99 %llu ms, max %llu ms",
		    (unsigned long long)pj_u64(m, "locks"),
		    (unsigned long long)pj_u64(m, "lock_ms_p50"),
		    (unsigned long long)pj_u64(m, "lock_ms_p99"),
		    (unsigned long long)pj_u64(m, "lock_ms_max"));
	if (pj_has(m, "regions_ahead"))
		pbuf_printf(out, "; %llu of %llu regions copied ahead",
			    (unsigned long long)pj_u64(m, "regions_ahead"),
			    (unsigned long long)pj_u64(m, "regions_moved"));
}

const char *pfmt_ms(uint64_t us, char buf[PFMT_LEN])
{
	return csa_fmt_ms((unsigned long long)us, buf);
}

/* ---- JSON --------------------------------------------------------------- */

const char *pj_str(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : "";
}

uint64_t pj_u64(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	if (!json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_uint64(v);
}

int64_t pj_i64(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return json_object_is_type(v, json_type_int) ?
	       json_object_get_int64(v) : 0;
}

double pj_double(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return 0;
	return json_object_get_double(v);
}

struct json_object *pj_obj(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return json_object_is_type(v, json_type_object) ? v : NULL;
}

bool pj_bool(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

bool pj_has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

struct json_object *pj_arr(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return json_object_is_type(v, json_type_array) ? v : NULL;
}

size_t pj_len(struct json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
	       json_object_array_length(a) : 0;
}

const char *pj_list(struct json_object *o, const char *key,
		    const char *none, char *buf, size_t len)
{
	struct json_object *a = pj_arr(o, key);
	size_t i, n = pj_len(a), used = 0;

	if (!n || !len)
		return none;
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
			i ? "," : "",
			json_object_get_string(json_object_array_get_idx(a, i)));
	return buf;
}
