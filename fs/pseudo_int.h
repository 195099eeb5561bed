/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parts of MOUNT/.csa/ (pseudo.h) that need neither FUSE nor the
 * primary: text buffers and aligned tables, the renderings of the files,
 * the event log, the control commands and the metrics. They are pure
 * functions over JSON, so a test feeds them what the primary would answer.
 *
 * A view is what one open of a file is made from:
 *
 *   {"local":    the host's own state (pseudo.h, local_state),
 *    "error":    {code, message[, refused: true]}: why the primary did not
 *                answer (absent when it did); "refused" when it said no
 *                rather than could not be reached,
 *    "status":   the status op's result,
 *    "arrays":   [ARRAY or ARRAY_SUMMARY (primary/ops.h)...],
 *    "volumes":  [VOLUME or VOLUME_SUMMARY...],
 *    "volume":   VOLUME (for volumes/<v>),
 *    "migrations": [MIGRATION...] (migration.list's),
 *    "measured": {"ms", "arrays": {ARRAY: {"mbps", "iops"}}}: what this
 *                host moved to each array's LUNs over the last "ms"
 *                milliseconds ("ms" absent: no earlier sample yet; an
 *                array not listed had none of this host's I/O)}
 *
 * Any member may be missing; the renderings say what they cannot show.
 * None of these functions take a lock or keep a reference to what they
 * are given.
 */
#ifndef CSAFS_PSEUDO_INT_H
#define CSAFS_PSEUDO_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "tools/units.h"

/* ---- text --------------------------------------------------------------- */

/* A growing string. A failed allocation is remembered: check nomem once. */
struct pbuf {
	char *s;		/* NUL-terminated once anything was added */
	size_t len, cap;
	bool nomem;
};

void pbuf_add(struct pbuf *b, const char *s, size_t n);
void pbuf_puts(struct pbuf *b, const char *s);
void pbuf_printf(struct pbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap);
void pbuf_free(struct pbuf *b);

/* A table printed with columns as wide as their widest cell. */
struct ptab;

/*
 * @heads: @nr column heads (NULL: no header line); @right: a string of
 * @nr characters, 'r' for a column aligned on the right (numbers), 'l'
 * for the left. NULL on ENOMEM (ptab_add and ptab_print take NULL and
 * report it as nomem).
 */
struct ptab *ptab_new(unsigned nr, const char *const *heads,
		      const char *align);
void ptab_add(struct ptab *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Each line starts with @indent spaces; frees @t. */
void ptab_print(struct ptab *t, struct pbuf *out, unsigned indent);

/* Sizes and times: csa_fmt_size, csa_fmt_time (tools/units.h). */

#define PFMT_LEN	32

/* Seconds as "45s", "1m40s", "2h05m", "3d04h"; "-" when negative (unknown). */
const char *pfmt_secs(int64_t s, char buf[PFMT_LEN]);
/* A MIGRATION's progress (ops.h): "12/80 regions 768.0M/5.0G 95 MB/s
 * ETA 48s", appended to @out. */
void pfmt_progress(struct pbuf *out, struct json_object *m);
/* MIGRATION's locks: "13, held p50 3 ms, p99 12 ms, max 20 ms[; 10 of
 * 12 regions copied ahead]" (the last part when the primary says it). */
void pfmt_locks(struct pbuf *out, struct json_object *m);
/* Microseconds as milliseconds with one decimal: 4200 -> "4.2". */
const char *pfmt_ms(uint64_t us, char buf[PFMT_LEN]);

/* Reading JSON: a missing or mistyped member reads as "", 0, false. */
const char *pj_str(struct json_object *o, const char *key);
uint64_t pj_u64(struct json_object *o, const char *key);
/* Signed, for the figures where -1 means "unknown" or "none". */
int64_t pj_i64(struct json_object *o, const char *key);
/* An integer or a decimal as a double. */
double pj_double(struct json_object *o, const char *key);
/* The object @key of @o, or NULL (also for JSON null). */
struct json_object *pj_obj(struct json_object *o, const char *key);
bool pj_bool(struct json_object *o, const char *key);
bool pj_has(struct json_object *o, const char *key);
/* The array @key of @o, or NULL; and its length (0 for NULL). */
struct json_object *pj_arr(struct json_object *o, const char *key);
size_t pj_len(struct json_object *a);
/* The strings of array @key joined with ",", or @none when empty. */
const char *pj_list(struct json_object *o, const char *key,
		    const char *none, char *buf, size_t len);

/* ---- renderings (pseudo_render.c, pseudo_volume.c) ---------------------- */

/* Each fills @out from @view and returns 0, or -ENOMEM. */
int csafs_render_status(struct json_object *view, struct pbuf *out);
int csafs_render_arrays(struct json_object *view, struct pbuf *out);
/* volumes/<@name>: view's "volume" and "local". */
int csafs_render_volume(struct json_object *view, const char *name,
			struct pbuf *out);

/* Shared by the renderings. */
/* Says at the top that the primary did not answer, if it did not. */
void csafs_banner(struct json_object *view, struct pbuf *out);
const char *csafs_array_state(struct json_object *view, const char *array);
/*
 * The alerts of @view, one sentence per line (none: nothing added):
 * arrays not up, volumes with copies on them, LUN errors on this host.
 */
void csafs_alerts(struct json_object *view, struct pbuf *out);

/* ---- metrics (pseudo_metrics.c) ----------------------------------------- */

/* The Prometheus text exposition format (version 0.0.4) of @view. */
int csafs_render_metrics(struct json_object *view, struct pbuf *out);

/* ---- events (pseudo_events.c) ------------------------------------------- */

#define CSAFS_EVENTS_KEPT	10000	/* lines in memory */
#define CSAFS_EVENT_LINE_MAX	2048	/* longer lines are cut, ending " ..." */

/*
 * One line of .csa/events, newline included:
 *   "2026-11-24T10:43:30Z volume.created name=db1 generation=7"
 * Data is as csafs_event_text has it, or else flattened: nested objects give dotted keys (detail.code=x),
 * arrays of scalars join with "," (hosts=h1,h2), other arrays index
 * (arrays.0.name=a1); a value that is empty or holds a space, quote,
 * '=', backslash or control character is quoted C-style. Data that is
 * not an object is "value=...". Returns 0, or -ENOMEM.
 */
int csafs_event_line(time_t when, const char *event, struct json_object *data,
		     struct pbuf *out);

/*
 * The rest of the line for the events a person reads better as a
 * sentence (pseudo_evtext.c: migration.*, region.lock/unlock, array.load,
 * alert, alert.cleared):
 *   "2026-11-24T10:43:30Z migration.progress db1 12/80 regions 768.0M/5.0G 95 MB/s ETA 48s"
 * Appends to @out and returns true, or false (nothing added) for another
 * event or data that is not an object: those are flattened.
 */
bool csafs_event_text(const char *event, struct json_object *data,
		      struct pbuf *out);

/*
 * The log: lines with their offsets in one byte stream that only grows.
 * The last @max lines are kept; the bytes of older ones read as one
 * line of spaces (a note at its start if it fits), so that offsets stay
 * the same for every reader. Not locked: the caller serialises.
 */
struct csafs_evlog;

struct csafs_evlog *csafs_evlog_new(unsigned max);
void csafs_evlog_free(struct csafs_evlog *l);
/* Append @len bytes (one line, ending in '\n'). 0 or -ENOMEM. */
int csafs_evlog_append(struct csafs_evlog *l, const char *line, size_t len);
/* Bytes ever logged: the end of the stream. */
uint64_t csafs_evlog_size(const struct csafs_evlog *l);
/* Copy up to @size bytes from @off into @buf; returns how many (0 at the end). */
size_t csafs_evlog_read(const struct csafs_evlog *l, uint64_t off, char *buf,
			size_t size);

/* ---- control (pseudo_control.c) ----------------------------------------- */

enum csafs_cmd_kind {
	CSAFS_CMD_BAD,		/* refused here: code and msg say why */
	CSAFS_CMD_HELP,		/* answered here */
	CSAFS_CMD_CALL,		/* req goes to the primary */
};

struct csafs_cmd {
	enum csafs_cmd_kind kind;
	struct json_object *req;	/* CALL: {"op", ...} (owned) */
	char code[32];			/* BAD */
	char msg[512];			/* BAD */
};

/*
 * One command line (without its newline) to what to do. Never fails:
 * anything wrong is a CSAFS_CMD_BAD with the reason. csafs_cmd_clear puts
 * the request.
 */
void csafs_control_parse(const char *line, struct csafs_cmd *cmd);
void csafs_cmd_clear(struct csafs_cmd *cmd);

/* The answer to @cmd (parsed, not called), for HELP and BAD. */
void csafs_control_answer_local(const struct csafs_cmd *cmd, struct pbuf *out);
/*
 * The answer to a CALL: "ok: SUMMARY\n" from the primary's @result, or,
 * when @result is NULL, "error: CODE: MESSAGE\n" with its message as it
 * came.
 */
void csafs_control_answer(const struct csafs_cmd *cmd,
			  struct json_object *result, const char *code,
			  const char *msg, struct pbuf *out);

/* What a read answers before any command was written on that open file. */
extern const char csafs_control_none[];

#endif
