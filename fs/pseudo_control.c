// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .csa/control's commands (pseudo_int.h): a line to the request the
 * primary takes (primary/ops.h), and its reply to a one-line answer.
 *
 *   volume create NAME size=SIZE [mbps=N] [iops=N] [copies=N] [hosts=a,b]
 *                 [stripe_unit=S] [fit=best|first]
 *   volume set NAME KEY=VALUE...     (the keys of create)
 *   volume rm NAME
 *   migrate NAME [--to a3,a4] [--rebalance] [--max-rate N] [--dry-run]
 *   pause [NAME]
 *   resume [NAME]
 *   migrations
 *   status
 *   help
 *
 * migrate's options also take their value after '=' (--to=a3,a4).
 * Values are checked here, as csa checks its options, so that a typo is
 * answered with what was wrong in it; what only the primary can judge
 * (a name, room on the arrays) is left to it and its refusal passed on.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pseudo_int.h"
#include "striper/layout.h"
#include "tools/units.h"

#define MAX_WORDS	64

const char csafs_control_none[] =
	"error: no_command: no command yet on this open file; write one, then read the answer on the same file\n";

static const char help_text[] =
	"ok: commands, one a line; read the answer back on the same open file:\n"
	"  volume create NAME size=SIZE [mbps=N] [iops=N] [copies=N] [hosts=a,b] [stripe_unit=SIZE] [fit=best|first]\n"
	"  volume set NAME KEY=VALUE...   (KEY: any of create's)\n"
	"  volume rm NAME\n"
	"  migrate NAME [--to ARRAY,...] [--rebalance] [--max-rate N] [--dry-run]\n"
	"  pause [NAME]     (every migration without NAME)\n"
	"  resume [NAME]\n"
	"  migrations\n"
	"  status\n"
	"  help\n"
	"  SIZE: bytes, or with k, M, G, T (binary: 10G); N: a whole number, or with k, M, G (decimal: 20k);\n"
	"  --max-rate N: MB/s, 0 for no cap\n";

enum kind { SIZE, COUNT, COPIES, NAMES, FIT };

struct field {
	const char *key;	/* in the command and in the request */
	enum kind kind;
};

static const struct field fields[] = {
	{ "size", SIZE }, { "mbps", COUNT }, { "iops", COUNT },
	{ "copies", COPIES }, { "hosts", NAMES }, { "stripe_unit", SIZE },
	{ "fit", FIT },
};
#define NR_FIELDS	(sizeof(fields) / sizeof(fields[0]))
#define KEYS_TEXT	"size, mbps, iops, copies, hosts, stripe_unit, fit"

__attribute__((format(printf, 3, 4)))
static void bad(struct csafs_cmd *cmd, const char *code, const char *fmt, ...)
{
	va_list ap;

	json_object_put(cmd->req);
	cmd->req = NULL;
	cmd->kind = CSAFS_CMD_BAD;
	snprintf(cmd->code, sizeof(cmd->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(cmd->msg, sizeof(cmd->msg), fmt, ap);
	va_end(ap);
}

/* Split @s in place on blanks; returns the number of words. */
static unsigned split(char *s, char **words)
{
	unsigned n = 0;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || n == MAX_WORDS)
			return n;
		words[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* "a,b" to ["a", "b"]; "" is the empty list. NULL for an empty name. */
static struct json_object *names(const char *s)
{
	struct json_object *list = json_object_new_array();
	const char *p = s, *end;

	while (list && *s) {
		end = strchrnul(p, ',');
		if (end == p) {
			json_object_put(list);
			return NULL;
		}
		json_object_array_add(list,
			json_object_new_string_len(p, (int)(end - p)));
		if (!*end)
			break;
		p = end + 1;
	}
	return list;
}

/* A whole number from 1 to CSA_MAX_COPIES, no multiple. */
static int parse_copies(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*end || errno || *out < 1 || *out > CSA_MAX_COPIES)
		return -EINVAL;
	return 0;
}

/* KEY=VALUE of @f into the request; false with cmd made BAD. */
static bool add_field(struct csafs_cmd *cmd, const char *what,
		      const struct field *f, const char *v)
{
	struct json_object *list;
	uint64_t n = 0;

	switch (f->kind) {
	case SIZE:
		if (!csa_parse_size(v, &n))
			break;
		bad(cmd, "bad_request", "%s: %s=%s is not a size (bytes, or with k, M, G, T: 10G)",
		    what, f->key, v);
		return false;
	case COUNT:
		if (!csa_parse_count(v, &n))
			break;
		bad(cmd, "bad_request", "%s: %s=%s is not a whole number (or with k, M, G: 20k)",
		    what, f->key, v);
		return false;
	case COPIES:
		if (!parse_copies(v, &n))
			break;
		bad(cmd, "bad_request", "%s: copies=%s is not a whole number from 1 to %d",
		    what, v, CSA_MAX_COPIES);
		return false;
	case NAMES:
		list = names(v);
		if (!list) {
			bad(cmd, "bad_request", "%s: hosts=%s has an empty name",
			    what, v);
			return false;
		}
		json_object_object_add(cmd->req, f->key, list);
		return true;
	case FIT:
		if (strcmp(v, "best") && strcmp(v, "first")) {
			bad(cmd, "bad_request", "%s: fit=%s is neither best nor first",
			    what, v);
			return false;
		}
		json_object_object_add(cmd->req, f->key,
				       json_object_new_string(v));
		return true;
	}
	json_object_object_add(cmd->req, f->key, json_object_new_uint64(n));
	return true;
}

/* One word of create or set: the NAME, or KEY=VALUE. */
static bool operand(struct csafs_cmd *cmd, const char *what, char *word,
		    bool *named)
{
	char *eq = strchr(word, '=');
	unsigned i;

	if (!eq) {
		if (*named) {
			bad(cmd, "bad_request", "%s: unexpected \"%s\" (one NAME, then KEY=VALUE)",
			    what, word);
			return false;
		}
		json_object_object_add(cmd->req, "name",
				       json_object_new_string(word));
		*named = true;
		return true;
	}
	*eq = '\0';
	for (i = 0; i < NR_FIELDS; i++) {
		if (strcmp(word, fields[i].key))
			continue;
		if (json_object_object_get_ex(cmd->req, word, NULL)) {
			bad(cmd, "bad_request", "%s: %s is given twice", what, word);
			return false;
		}
		return add_field(cmd, what, &fields[i], eq + 1);
	}
	bad(cmd, "bad_request", "%s: unknown key \"%s\" (" KEYS_TEXT ")", what,
	    word);
	return false;
}

/* volume create and volume set: NAME and KEY=VALUE in any order. */
static void volume_fields(struct csafs_cmd *cmd, const char *op,
			  const char *what, char **w, unsigned n)
{
	bool named = false;
	unsigned i;

	cmd->req = json_object_new_object();
	json_object_object_add(cmd->req, "op", json_object_new_string(op));
	for (i = 0; i < n; i++)
		if (!operand(cmd, what, w[i], &named))
			return;
	if (!named)
		bad(cmd, "bad_request", "%s: NAME is missing", what);
	else if (!strcmp(op, "volume.create") &&
		 !json_object_object_get_ex(cmd->req, "size", NULL))
		bad(cmd, "bad_request", "%s: size=SIZE is required", what);
	else if (json_object_object_length(cmd->req) == 2)
		bad(cmd, "bad_request", "%s: nothing to change (" KEYS_TEXT ")",
		    what);
	else
		cmd->kind = CSAFS_CMD_CALL;
}

static void volume_rm(struct csafs_cmd *cmd, char **w, unsigned n)
{
	if (!n) {
		bad(cmd, "bad_request", "volume rm: NAME is missing");
		return;
	}
	if (n > 1) {
		bad(cmd, "bad_request", "volume rm: unexpected \"%s\" after NAME",
		    w[1]);
		return;
	}
	cmd->req = json_object_new_object();
	json_object_object_add(cmd->req, "op",
			       json_object_new_string("volume.delete"));
	json_object_object_add(cmd->req, "name", json_object_new_string(w[0]));
	cmd->kind = CSAFS_CMD_CALL;
}

static void volume(struct csafs_cmd *cmd, char **w, unsigned n)
{
	if (!n)
		bad(cmd, "bad_command", "volume: which command? (create, set, rm); try help");
	else if (!strcmp(w[0], "create"))
		volume_fields(cmd, "volume.create", "volume create", w + 1, n - 1);
	else if (!strcmp(w[0], "set"))
		volume_fields(cmd, "volume.set", "volume set", w + 1, n - 1);
	else if (!strcmp(w[0], "rm"))
		volume_rm(cmd, w + 1, n - 1);
	else
		bad(cmd, "bad_command", "unknown command \"volume %s\"; try help",
		    w[0]);
}

/* ---- migrations --------------------------------------------------------- */

enum mkind { LIST, FLAG, RATE };

static const struct mopt {
	const char *opt;	/* in the command */
	const char *key;	/* in the request */
	enum mkind kind;
} mopts[] = {
	{ "--to", "to", LIST }, { "--rebalance", "rebalance", FLAG },
	{ "--max-rate", "max_rate", RATE }, { "--dry-run", "dry_run", FLAG },
};
#define MOPTS_TEXT	"--to, --rebalance, --max-rate, --dry-run"

/* Can @s be an array's name (A-Z a-z 0-9 . _ -, not first . or -)? */
static bool array_name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* The first name in @list that cannot be an array's, or NULL. */
static const char *bad_array_name(struct json_object *list)
{
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i);

		if (!array_name_ok(json_object_get_string(a),
				   (size_t)json_object_get_string_len(a)))
			return json_object_get_string(a);
	}
	return NULL;
}

/* --to a3,a4: names of arrays, at least one. */
static bool add_to(struct csafs_cmd *cmd, const char *v)
{
	struct json_object *list = names(v);
	char name[128];

	if (!list || !json_object_array_length(list)) {
		json_object_put(list);
		bad(cmd, "bad_request", "migrate: --to \"%s\" is not a list of arrays (ARRAY,ARRAY...: a3,a4)",
		    v);
		return false;
	}
	if (bad_array_name(list)) {
		snprintf(name, sizeof(name), "%s", bad_array_name(list));
		json_object_put(list);
		bad(cmd, "bad_request", "migrate: --to \"%s\": \"%s\" is not an array name (A-Z a-z 0-9 . _ -)",
		    v, name);
		return false;
	}
	json_object_object_add(cmd->req, "to", list);
	return true;
}

static bool add_rate(struct csafs_cmd *cmd, const char *v)
{
	uint64_t n;

	if (csa_parse_count(v, &n)) {
		bad(cmd, "bad_request", "migrate: --max-rate %s is not a whole number of MB/s (or with k, M, G: 1k; 0: no cap)",
		    v);
		return false;
	}
	json_object_object_add(cmd->req, "max_rate", json_object_new_uint64(n));
	return true;
}

static const struct mopt *mopt_of(const char *word)
{
	unsigned k;

	for (k = 0; k < sizeof(mopts) / sizeof(mopts[0]); k++)
		if (!strcmp(word, mopts[k].opt))
			return &mopts[k];
	return NULL;
}

/* The option w[*i] (and its value, after '=' or as the next word). */
static bool migrate_option(struct csafs_cmd *cmd, char **w, unsigned n,
			   unsigned *i)
{
	char *word = w[*i], *eq = strchr(word, '=');
	const char *v = eq ? eq + 1 : NULL;
	const struct mopt *o;

	if (eq)
		*eq = '\0';
	o = mopt_of(word);
	if (!o) {
		bad(cmd, "bad_request", "migrate: unknown option \"%s\" (" MOPTS_TEXT ")",
		    word);
		return false;
	}
	if (json_object_object_get_ex(cmd->req, o->key, NULL)) {
		bad(cmd, "bad_request", "migrate: %s is given twice", word);
		return false;
	}
	if (o->kind == FLAG) {
		if (v) {
			bad(cmd, "bad_request", "migrate: %s takes no value", word);
			return false;
		}
		json_object_object_add(cmd->req, o->key,
				       json_object_new_boolean(1));
		return true;
	}
	if (!v && *i + 1 == n) {
		bad(cmd, "bad_request", "migrate: %s needs a value", word);
		return false;
	}
	if (!v)
		v = w[++*i];
	return o->kind == LIST ? add_to(cmd, v) : add_rate(cmd, v);
}

/* migrate NAME [options], in any order. */
static void migrate(struct csafs_cmd *cmd, char **w, unsigned n)
{
	bool named = false;
	unsigned i;

	cmd->req = json_object_new_object();
	json_object_object_add(cmd->req, "op",
			       json_object_new_string("volume.migrate"));
	for (i = 0; i < n; i++) {
		if (!strncmp(w[i], "--", 2)) {
			if (!migrate_option(cmd, w, n, &i))
				return;
			continue;
		}
		if (named) {
			bad(cmd, "bad_request", "migrate: unexpected \"%s\" (one NAME, then options)",
			    w[i]);
			return;
		}
		json_object_object_add(cmd->req, "name",
				       json_object_new_string(w[i]));
		named = true;
	}
	if (!named)
		bad(cmd, "bad_request", "migrate: NAME is missing");
	else
		cmd->kind = CSAFS_CMD_CALL;
}

/* pause [NAME], resume [NAME]: the volume's migration, or every one. */
static void pause_resume(struct csafs_cmd *cmd, const char *op, char **w,
			 unsigned n)
{
	if (n > 2) {
		bad(cmd, "bad_request", "%s: unexpected \"%s\" after NAME", w[0],
		    w[2]);
		return;
	}
	cmd->req = json_object_new_object();
	json_object_object_add(cmd->req, "op", json_object_new_string(op));
	if (n == 2)
		json_object_object_add(cmd->req, "name",
				       json_object_new_string(w[1]));
	cmd->kind = CSAFS_CMD_CALL;
}

/* A command of one word. */
static void single(struct csafs_cmd *cmd, char **w, unsigned n)
{
	if (n > 1) {
		bad(cmd, "bad_request", "%s: unexpected \"%s\"", w[0], w[1]);
		return;
	}
	if (!strcmp(w[0], "help")) {
		cmd->kind = CSAFS_CMD_HELP;
		return;
	}
	cmd->req = json_object_new_object();
	json_object_object_add(cmd->req, "op", json_object_new_string(
		!strcmp(w[0], "status") ? "status" : "migration.list"));
	cmd->kind = CSAFS_CMD_CALL;
}

void csafs_control_parse(const char *line, struct csafs_cmd *cmd)
{
	char *copy = strdup(line), *w[MAX_WORDS];
	unsigned n;

	*cmd = (struct csafs_cmd){ .kind = CSAFS_CMD_BAD };
	if (!copy) {
		bad(cmd, "internal", "out of memory");
		return;
	}
	n = split(copy, w);
	if (n == MAX_WORDS)
		bad(cmd, "bad_request", "more than %d words", MAX_WORDS - 1);
	else if (!n)
		bad(cmd, "bad_command", "empty command; try help");
	else if (!strcmp(w[0], "volume"))
		volume(cmd, w + 1, n - 1);
	else if (!strcmp(w[0], "migrate"))
		migrate(cmd, w + 1, n - 1);
	else if (!strcmp(w[0], "pause"))
		pause_resume(cmd, "migration.pause", w, n);
	else if (!strcmp(w[0], "resume"))
		pause_resume(cmd, "migration.resume", w, n);
	else if (!strcmp(w[0], "status") || !strcmp(w[0], "help") ||
		 !strcmp(w[0], "migrations"))
		single(cmd, w, n);
	else
		bad(cmd, "bad_command", "unknown command \"%s\"; try help", w[0]);
	free(copy);
	if (cmd->kind == CSAFS_CMD_CALL && !cmd->req)
		bad(cmd, "internal", "out of memory");
}

void csafs_cmd_clear(struct csafs_cmd *cmd)
{
	json_object_put(cmd->req);
	cmd->req = NULL;
}

/* ---- answers ------------------------------------------------------------ */

/* "error: CODE: MESSAGE", the message kept on its one line. */
static void error_line(struct pbuf *out, const char *code, const char *msg)
{
	size_t start;

	pbuf_printf(out, "error: %s: ", *code ? code : "failed");
	start = out->len;
	pbuf_puts(out, msg);
	for (; !out->nomem && start < out->len; start++)
		if (out->s[start] == '\n' || out->s[start] == '\r')
			out->s[start] = ' ';
	pbuf_puts(out, "\n");
}

void csafs_control_answer_local(const struct csafs_cmd *cmd, struct pbuf *out)
{
	if (cmd->kind == CSAFS_CMD_HELP)
		pbuf_puts(out, help_text);
	else
		error_line(out, cmd->code, cmd->msg);
}

/* ---- migration answers -------------------------------------------------- */

/* "a1,a2,a3,a4 -> a1,a2,a5,a4" */
static void from_to(struct json_object *o, struct pbuf *out)
{
	char list[1024];

	pbuf_puts(out, pj_list(o, "from", "-", list, sizeof(list)));
	pbuf_puts(out, " -> ");
	pbuf_puts(out, pj_list(o, "to", "-", list, sizeof(list)));
}

/* "80 regions of 128.0M, 5.0G to copy" of a PLAN or a MIGRATION */
static void regions_bytes(struct json_object *o, struct pbuf *out)
{
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN];

	pbuf_printf(out, "%llu regions of %s, %s to copy",
		    (unsigned long long)pj_u64(o, "regions"),
		    csa_fmt_size(pj_u64(o, "region_bytes"), a),
		    csa_fmt_size(pj_u64(o, "bytes"), b));
}

/* "2 columns x 2 copies, 1 moved, 0 added, 0 restriped, 3 kept, 0 grown;
 * a1,.. -> a1,..; 80 regions of 128.0M, 5.0G to copy, about 27s" */
static void plan_summary(struct json_object *p, struct pbuf *out)
{
	char t[PFMT_LEN];

	pbuf_printf(out, "%llu columns x %llu copies, %llu moved, %llu added, %llu restriped, %llu kept, %llu grown; ",
		    (unsigned long long)pj_u64(p, "columns"),
		    (unsigned long long)pj_u64(p, "copies"),
		    (unsigned long long)pj_u64(p, "moved"),
		    (unsigned long long)pj_u64(p, "added"),
		    (unsigned long long)pj_u64(p, "restriped"),
		    (unsigned long long)pj_u64(p, "kept"),
		    (unsigned long long)pj_u64(p, "grown"));
	from_to(p, out);
	pbuf_puts(out, "; ");
	regions_bytes(p, out);
	pbuf_printf(out, ", about %s", pfmt_secs(pj_i64(p, "expected_seconds"), t));
}

static void answer_migrate(struct json_object *r, struct pbuf *out)
{
	struct json_object *m = pj_obj(r, "migration");
	const char *name = pj_str(r, "name");

	if (pj_bool(r, "dry_run"))
		pbuf_printf(out, "ok: dry run, nothing started; the plan for %s: ",
			    name);
	else if (m && pj_u64(m, "max_rate"))
		pbuf_printf(out, "ok: migration of %s started (%s, at most %llu MB/s): ",
			    name, pj_str(m, "reason"),
			    (unsigned long long)pj_u64(m, "max_rate"));
	else if (m)
		pbuf_printf(out, "ok: migration of %s started (%s, no rate cap): ",
			    name, pj_str(m, "reason"));
	else
		pbuf_printf(out, "ok: no migration of %s started; the plan: ", name);
	plan_summary(pj_obj(r, "plan"), out);
	pbuf_puts(out, "\n");
}

/* "db1 locked 12/80 regions 768.0M/5.0G 95 MB/s ETA 48s" */
static void migration_line(struct json_object *m, struct pbuf *out)
{
	pbuf_printf(out, "%s %s ", pj_str(m, "volume"), pj_str(m, "state"));
	pfmt_progress(out, m);
}

/* migrations: every one on the line, "; " between them. */
static void answer_list(struct json_object *r, struct pbuf *out)
{
	struct json_object *list = pj_arr(r, "migrations");
	size_t i;

	if (!pj_len(list)) {
		pbuf_puts(out, "ok: no migration\n");
		return;
	}
	pbuf_puts(out, "ok: migrations: ");
	for (i = 0; i < pj_len(list); i++) {
		struct json_object *m = json_object_array_get_idx(list, i);

		pbuf_puts(out, i ? "; " : "");
		migration_line(m, out);
		pbuf_printf(out, " (%s)", pj_str(m, "reason"));
	}
	pbuf_puts(out, "\n");
}

/* pause, resume: "ok: paused db1 (12/80 regions), logs (3/80 regions)" */
static void answer_changed(const char *op, struct json_object *r,
			   struct pbuf *out)
{
	const char *verb = strcmp(op, "migration.pause") ? "resumed" : "paused";
	struct json_object *list = pj_arr(r, "migrations");
	size_t i;

	if (!pj_len(list)) {
		pbuf_printf(out, "ok: no migration %s\n", verb);
		return;
	}
	pbuf_printf(out, "ok: %s ", verb);
	for (i = 0; i < pj_len(list); i++) {
		struct json_object *m = json_object_array_get_idx(list, i);

		pbuf_printf(out, "%s%s (%llu/%llu regions)", i ? ", " : "",
			    pj_str(m, "volume"),
			    (unsigned long long)pj_u64(m, "regions_done"),
			    (unsigned long long)pj_u64(m, "regions"));
	}
	pbuf_puts(out, "\n");
}

/* volume set that started a migration: "; migration started: ..." */
static void set_migration(struct json_object *r, struct pbuf *out)
{
	struct json_object *m = pj_obj(r, "migration");

	if (!m)
		return;
	pbuf_printf(out, "; migration started (%s): ", pj_str(m, "reason"));
	regions_bytes(m, out);
	pbuf_puts(out, ", ");
	from_to(m, out);
}

/* ---- other answers ------------------------------------------------------ */

static void answer_status(struct json_object *r, struct pbuf *out)
{
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN];

	pbuf_printf(out, "ok: cluster %s%s%s%s, generation %llu: %llu arrays (%llu up), %llu LUNs, %llu volumes, %llu hosts; %s, %s free; %llu MB/s rated, %llu reserved",
		    pj_str(r, "name"), *pj_str(r, "name") ? " (" : "",
		    pj_str(r, "cluster"), *pj_str(r, "name") ? ")" : "",
		    (unsigned long long)pj_u64(r, "generation"),
		    (unsigned long long)pj_u64(r, "arrays"),
		    (unsigned long long)pj_u64(r, "arrays_up"),
		    (unsigned long long)pj_u64(r, "luns"),
		    (unsigned long long)pj_u64(r, "volumes"),
		    (unsigned long long)pj_u64(r, "hosts"),
		    csa_fmt_size(pj_u64(r, "capacity_bytes"), a),
		    csa_fmt_size(pj_u64(r, "free_bytes"), b),
		    (unsigned long long)pj_u64(r, "rated_mbps"),
		    (unsigned long long)pj_u64(r, "reserved_mbps"));
	/* A primary with the monitor: its migrations and alerts too. */
	if (pj_has(r, "migrations"))
		pbuf_printf(out, "; %llu migrations, %zu alerts",
			    (unsigned long long)pj_u64(r, "migrations"),
			    pj_len(pj_arr(r, "alerts")));
	pbuf_puts(out, "\n");
}

/* "10.0G, 400 MB/s, 20000 IOPS, 2 columns x 2 copies, stripe unit 1.0M on a1,a2" */
static void volume_summary(struct json_object *r, struct pbuf *out)
{
	char a[CSA_FMT_LEN], b[CSA_FMT_LEN], list[1024];

	if (!strcmp(pj_str(r, "state"), "empty")) {
		pbuf_puts(out, "empty, placed when it is given a size");
		return;
	}
	pbuf_printf(out, "%s, %llu MB/s, %llu IOPS, %llu columns x %llu copies, stripe unit %s, on %s",
		    csa_fmt_size(pj_u64(r, "size"), a),
		    (unsigned long long)pj_u64(r, "mbps"),
		    (unsigned long long)pj_u64(r, "iops"),
		    (unsigned long long)pj_u64(r, "columns"),
		    (unsigned long long)pj_u64(r, "copies"),
		    csa_fmt_size(pj_u64(r, "stripe_unit"), b),
		    pj_list(r, "arrays", "no array", list, sizeof(list)));
}

void csafs_control_answer(const struct csafs_cmd *cmd,
			  struct json_object *result, const char *code,
			  const char *msg, struct pbuf *out)
{
	const char *op = pj_str(cmd->req, "op");

	if (!result) {
		error_line(out, code, msg);
		return;
	}
	if (!strcmp(op, "status")) {
		answer_status(result, out);
		return;
	}
	if (!strcmp(op, "volume.delete")) {
		pbuf_printf(out, "ok: volume %s deleted\n",
			    pj_str(cmd->req, "name"));
		return;
	}
	if (!strcmp(op, "volume.migrate")) {
		answer_migrate(result, out);
		return;
	}
	if (!strcmp(op, "migration.list")) {
		answer_list(result, out);
		return;
	}
	if (!strncmp(op, "migration.", 10)) {
		answer_changed(op, result, out);
		return;
	}
	pbuf_printf(out, "ok: volume %s %s: ", pj_str(result, "name"),
		    strcmp(op, "volume.set") ? "created" : "changed");
	volume_summary(result, out);
	if (pj_has(result, "kept"))
		pbuf_printf(out, "; %llu column copies kept, %llu grown in place",
			    (unsigned long long)pj_u64(result, "kept"),
			    (unsigned long long)pj_u64(result, "grown"));
	set_migration(result, out);
	pbuf_puts(out, "\n");
}
