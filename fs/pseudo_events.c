// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/events (pseudo_int.h): the line each event becomes, and the log
 * that keeps the last lines in one byte stream. The stream's offsets
 * never move, so every reader's file offset stays valid however many
 * lines were dropped in between: tail -f compares the size with where it
 * is, and cat goes on from where it stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pseudo_int.h"

/* ---- one line ----------------------------------------------------------- */

/* Does @s need quotes to read back as one value? */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '=' ||
		    *s == '\\' || *s == 0x7f)
			return true;
	return false;
}

static void quoted(struct pbuf *out, const char *s)
{
	pbuf_puts(out, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			pbuf_printf(out, "\\%c", c);
		else if (c == '\n')
			pbuf_puts(out, "\\n");
		else if (c == '\t')
			pbuf_puts(out, "\\t");
		else if (c < ' ' || c == 0x7f)
			pbuf_printf(out, "\\x%02x", c);
		else
			pbuf_add(out, s, 1);
	}
	pbuf_puts(out, "\"");
}

static void scalar(struct pbuf *out, struct json_object *v)
{
	const char *s = v ? json_object_get_string(v) : "null";

	if (json_object_is_type(v, json_type_string) && needs_quotes(s))
		quoted(out, s);
	else
		pbuf_puts(out, s);
}

/* A key: what a shell word and a grep pattern take, the rest as '_'. */
static void key_part(struct pbuf *out, const char *k)
{
	for (; *k; k++) {
		char c = *k;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			c = '_';
		pbuf_add(out, &c, 1);
	}
}

static bool all_scalars(struct json_object *a)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++) {
		json_type t = json_object_get_type(json_object_array_get_idx(a, i));

		if (t == json_type_object || t == json_type_array)
			return false;
	}
	return true;
}

static void flatten(struct pbuf *out, struct pbuf *key,
		    struct json_object *v);

/* " key=v" for @v under @key + @sub (key is left as it was found). */
static void member(struct pbuf *out, struct pbuf *key, const char *sub,
		   struct json_object *v)
{
	size_t len = key->len;

	if (len)
		pbuf_puts(key, ".");
	key_part(key, sub);
	flatten(out, key, v);
	key->len = len;
	if (key->s)
		key->s[len] = '\0';
}

static void flatten(struct pbuf *out, struct pbuf *key, struct json_object *v)
{
	char idx[24];
	size_t i;

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, sub)
			member(out, key, k, sub);
		return;
	}
	if (json_object_is_type(v, json_type_array) && !all_scalars(v)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			snprintf(idx, sizeof(idx), "%zu", i);
			member(out, key, idx, json_object_array_get_idx(v, i));
		}
		return;
	}
	pbuf_printf(out, " %s=", key->len ? key->s : "value");
	if (!json_object_is_type(v, json_type_array)) {
		scalar(out, v);
		return;
	}
	if (!json_object_array_length(v))
		pbuf_puts(out, "\"\"");
	for (i = 0; i < json_object_array_length(v); i++) {
		struct pbuf one = { 0 };

		/* A list reads back as one value: quote it whole if need be. */
		scalar(&one, json_object_array_get_idx(v, i));
		if (i)
			pbuf_puts(out, ",");
		pbuf_add(out, one.s ? one.s : "", one.len);
		out->nomem |= one.nomem;
		pbuf_free(&one);
	}
}

int csafs_event_line(time_t when, const char *event, struct json_object *data,
		     struct pbuf *out)
{
	struct pbuf key = { 0 };
	size_t start = out->len;
	char stamp[32];
	struct tm tm;

	if (!gmtime_r(&when, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(stamp, "1970-01-01T00:00:00Z");
	pbuf_printf(out, "%s ", stamp);
	key_part(out, event);
	if (data && !csafs_event_text(event, data, out))
		flatten(out, &key, data);
	out->nomem |= key.nomem;
	pbuf_free(&key);
	if (!out->nomem && out->len - start > CSAFS_EVENT_LINE_MAX - 1) {
		out->len = start + CSAFS_EVENT_LINE_MAX - 5;
		out->s[out->len] = '\0';
		pbuf_puts(out, " ...");
	}
	pbuf_puts(out, "\n");
	return out->nomem ? -ENOMEM : 0;
}

/* ---- the log ------------------------------------------------------------ */

struct line {
	uint64_t off;		/* of its first byte in the stream */
	size_t len;
	char *text;
};

struct csafs_evlog {
	struct line *lines;	/* a ring of @max */
	unsigned max, first, nr;
	uint64_t size;		/* bytes ever logged */
};

struct csafs_evlog *csafs_evlog_new(unsigned max)
{
	struct csafs_evlog *l = calloc(1, sizeof(*l));

	if (!l || !max)
		goto fail;
	l->lines = calloc(max, sizeof(*l->lines));
	if (!l->lines)
		goto fail;
	l->max = max;
	return l;
fail:
	free(l);
	return NULL;
}

void csafs_evlog_free(struct csafs_evlog *l)
{
	unsigned i;

	if (!l)
		return;
	for (i = 0; i < l->max; i++)
		free(l->lines[i].text);
	free(l->lines);
	free(l);
}

int csafs_evlog_append(struct csafs_evlog *l, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	struct line *slot;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	if (l->nr == l->max) {
		slot = &l->lines[l->first];
		free(slot->text);
		l->first = (l->first + 1) % l->max;
	} else {
		slot = &l->lines[(l->first + l->nr++) % l->max];
	}
	*slot = (struct line){ .off = l->size, .len = len, .text = copy };
	l->size += len;
	return 0;
}

uint64_t csafs_evlog_size(const struct csafs_evlog *l)
{
	return l->size;
}

static const struct line *nth(const struct csafs_evlog *l, unsigned i)
{
	return &l->lines[(l->first + i) % l->max];
}

/* Bytes of the stream before the oldest kept line. */
static uint64_t dropped(const struct csafs_evlog *l)
{
	return l->nr ? nth(l, 0)->off : l->size;
}

/*
 * Byte @i of the @n dropped bytes: one line of spaces ending in '\n',
 * starting with a note when it fits. It changes as more is dropped, but
 * a reader that far behind has lost those lines anyway.
 */
static char hole_byte(uint64_t i, uint64_t n)
{
	static const char note[] = "# older events are no longer kept";

	if (i == n - 1)
		return '\n';
	if (n > sizeof(note) && i < sizeof(note) - 1)
		return note[i];
	return ' ';
}

/* The first kept line that ends after @off (binary search). */
static unsigned line_at(const struct csafs_evlog *l, uint64_t off)
{
	unsigned lo = 0, hi = l->nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct line *m = nth(l, mid);

		if (m->off + m->len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t csafs_evlog_read(const struct csafs_evlog *l, uint64_t off, char *buf,
			size_t size)
{
	uint64_t hole = dropped(l);
	size_t done = 0;
	unsigned i;

	while (done < size && off < hole)
		buf[done++] = hole_byte(off++, hole);
	for (i = line_at(l, off); done < size && i < l->nr; i++) {
		const struct line *ln = nth(l, i);
		size_t skip = (size_t)(off - ln->off);
		size_t n = ln->len - skip;

		if (n > size - done)
			n = size - done;
		memcpy(buf + done, ln->text + skip, n);
		done += n;
		off += n;
	}
	return done;
}
