// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa's shared parts (csa_out.h): errors, options, the call to the primary,
 * and output for people and for scripts.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "primary/client.h"
#include "tools/csa_out.h"
#include "tools/units.h"

/* ---- errors ------------------------------------------------------------ */

int csa_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("csa: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'csa --help'.\n", stderr);
	return CSA_EXIT_USAGE;
}

int csa_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("csa: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CSA_EXIT_FAIL;
}

int csa_fail_code(const struct csa_cli *cli, const char *code,
		  const char *msg, struct json_object *detail)
{
	struct json_object *o;

	fprintf(stderr, "csa: %s\n", *msg ? msg : code);
	if (cli->json) {
		o = json_object_new_object();
		csa_req_str(o, "code", code);
		csa_req_str(o, "message", msg);
		if (detail)
			json_object_object_add(o, "detail",
					       json_object_get(detail));
		csa_print_json(o);
		json_object_put(o);
	}
	json_object_put(detail);
	return CSA_EXIT_FAIL;
}

/* "create, ls, show" for the messages. */
static const char *names_of(const struct csa_cmd *cmds, unsigned nr,
			    char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < nr && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", cmds[i].name);
	return buf;
}

int csa_dispatch(struct csa_cli *cli, const char *group,
		 const struct csa_cmd *cmds, unsigned nr, int argc,
		 char **argv)
{
	char names[256];
	unsigned i;

	if (argc < 2)
		return csa_usage("%s: which command? (%s)", group,
				 names_of(cmds, nr, names, sizeof(names)));
	for (i = 0; i < nr; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(cli, argc - 1, argv + 1);
	return csa_usage("%s: unknown command '%s' (%s)", group, argv[1],
			 names_of(cmds, nr, names, sizeof(names)));
}

int csa_getopt(int argc, char **argv, const char *cmd,
	       const struct option *lo)
{
	int c;

	opterr = 0;	/* the messages below name the command */
	c = getopt_long(argc, argv, ":", lo, NULL);
	if (c == ':') {
		csa_usage("%s: %s needs a value", cmd, argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		if (optopt)
			csa_usage("%s: unknown option -%c", cmd, optopt);
		else
			csa_usage("%s: unknown option %s", cmd,
				  argv[optind - 1]);
	}
	return c;
}

int csa_one_name(int argc, char **argv, const char *cmd, const char **name)
{
	if (optind >= argc)
		return csa_usage("%s: NAME is missing", cmd);
	if (optind + 1 < argc)
		return csa_usage("%s: unexpected '%s' after NAME", cmd,
				 argv[optind + 1]);
	*name = argv[optind];
	return 0;
}

int csa_no_operand(int argc, char **argv, const char *cmd)
{
	if (optind < argc)
		return csa_usage("%s: unexpected '%s'", cmd, argv[optind]);
	return 0;
}

/* ---- option values ----------------------------------------------------- */

int csa_opt_size(const char *opt, const char *s, uint64_t *out)
{
	if (csa_parse_size(s, out))
		return csa_usage("%s: '%s' is not a size (bytes, or with k, M, G, T: 10G)",
				 opt, s);
	return 0;
}

int csa_opt_count(const char *opt, const char *s, uint64_t *out)
{
	if (csa_parse_count(s, out))
		return csa_usage("%s: '%s' is not a whole number (or with k, M, G: 20k)",
				 opt, s);
	return 0;
}

int csa_opt_uint(const char *opt, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out)
{
	bool ok = isdigit((unsigned char)*s);
	uint64_t v = 0;
	char *end;

	if (ok) {
		errno = 0;
		v = strtoull(s, &end, 10);
		ok = !*end && !errno && v >= min && v <= max;
	}
	if (!ok)
		return csa_usage("%s: '%s' is not a whole number from %llu to %llu",
				 opt, s, (unsigned long long)min,
				 (unsigned long long)max);
	*out = v;
	return 0;
}

int csa_opt_names(const char *opt, const char *s, struct json_object **out)
{
	struct json_object *list = json_object_new_array();
	const char *p = s, *end;

	if (!list)
		return csa_fail("out of memory");
	while (*s) {
		end = strchrnul(p, ',');
		if (end == p) {
			json_object_put(list);
			return csa_usage("%s: an empty name in '%s'", opt, s);
		}
		json_object_array_add(list,
			json_object_new_string_len(p, (int)(end - p)));
		if (!*end)
			break;
		p = end + 1;
	}
	*out = list;
	return 0;
}

/* ---- the call ---------------------------------------------------------- */

struct json_object *csa_request(const char *op, const char *name)
{
	struct json_object *req = json_object_new_object();

	csa_req_str(req, "op", op);
	if (name)
		csa_req_str(req, "name", name);
	return req;
}

void csa_req_u64(struct json_object *req, const char *key, uint64_t v)
{
	json_object_object_add(req, key, json_object_new_uint64(v));
}

void csa_req_str(struct json_object *req, const char *key, const char *v)
{
	json_object_object_add(req, key, json_object_new_string(v));
}

/* @given, or DIR/@name. */
static const char *cred(const char *given, const char *dir, const char *name,
			char *buf, size_t len)
{
	if (given)
		return given;
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

int csa_connect(struct csa_cli *cli)
{
	char cert[4096], key[4096], ca[4096];
	struct csa_client_err e = { 0 };
	struct csa_client_opts o = {
		.addr = cli->primary,
		.cert = cred(cli->cert, cli->dir, "admin.crt", cert, sizeof(cert)),
		.key = cred(cli->key, cli->dir, "admin.key", key, sizeof(key)),
		.ca = cred(cli->ca, cli->dir, "ca/ca.crt", ca, sizeof(ca)),
		.timeout_ms = cli->timeout_ms,
	};

	if (cli->client)
		return 0;
	if (csa_client_connect(&o, &cli->client, &e)) {
		cli->client = NULL;
		return csa_fail_code(cli, e.code, e.msg, NULL);
	}
	return 0;
}

int csa_call(struct csa_cli *cli, struct json_object *req,
	     struct json_object **result)
{
	struct csa_client_err e = { 0 };
	int ret;

	if (!req)
		return csa_fail("out of memory");
	ret = csa_connect(cli);
	if (ret) {
		json_object_put(req);
		return ret;
	}
	if (csa_client_call(cli->client, req, result, &e)) {
		ret = csa_fail_code(cli, e.code, e.msg, e.detail);
		e.detail = NULL;	/* taken */
		csa_client_err_clear(&e);
		return ret;
	}
	return 0;
}

int csa_run(struct csa_cli *cli, struct json_object *req,
	    int (*print)(struct json_object *result))
{
	struct json_object *result;
	int ret;

	ret = csa_call(cli, req, &result);
	if (ret)
		return ret;
	if (cli->json)
		csa_print_json(result);
	else
		ret = print(result);
	json_object_put(result);
	return ret;
}

void csa_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ---- reading results --------------------------------------------------- */

const char *csa_str(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return v ? json_object_get_string(v) : "";
}

unsigned long long csa_u64(struct json_object *o, const char *key)
{
	return json_object_get_uint64(json_object_object_get(o, key));
}

long long csa_i64(struct json_object *o, const char *key)
{
	return json_object_get_int64(json_object_object_get(o, key));
}

bool csa_bool(struct json_object *o, const char *key)
{
	return json_object_get_boolean(json_object_object_get(o, key));
}

const char *csa_list(struct json_object *o, const char *key,
		     const char *none, char *buf, size_t len)
{
	struct json_object *a = json_object_object_get(o, key);
	size_t i, n = json_object_is_type(a, json_type_array) ?
		      json_object_array_length(a) : 0;
	size_t used = 0;

	if (!n)
		return none;
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
			i ? "," : "",
			json_object_get_string(json_object_array_get_idx(a, i)));
	return buf;
}

/* ---- formatting -------------------------------------------------------- */

/* ---- progress lines ---------------------------------------------------- */

void csa_progress_show(struct csa_progress *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	if (!p->tty) {
		puts(line);
		fflush(stdout);
		return;
	}
	/* Blank out what a longer line before left on screen. */
	printf("\r%s%*s", line, p->last > n ? p->last - n : 0, "");
	fflush(stdout);
	p->last = n;
}

void csa_progress_end(struct csa_progress *p)
{
	if (p->tty && p->last)
		putchar('\n');
	p->last = 0;
}


/* ---- tables ------------------------------------------------------------ */

#define MAX_COLS	24

struct csa_table {
	const struct csa_col *cols;
	unsigned nr_cols;
	size_t nr_cells, cap;
	char **cells;		/* row after row */
	bool nomem;
};

struct csa_table *csa_table_new(const struct csa_col *cols, unsigned nr)
{
	struct csa_table *t = calloc(1, sizeof(*t));

	if (t) {
		t->cols = cols;
		t->nr_cols = nr;
	}
	return t;
}

static void table_vadd(struct csa_table *t, const char *fmt, va_list ap)
{
	char **cells, *cell = NULL;

	if (!t || t->nomem)
		return;
	if (t->nr_cells == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		cells = realloc(t->cells, t->cap * sizeof(*cells));
		if (!cells) {
			t->nomem = true;
			return;
		}
		t->cells = cells;
	}
	if (vasprintf(&cell, fmt, ap) < 0) {
		t->nomem = true;
		return;
	}
	t->cells[t->nr_cells++] = cell;
}

void csa_table_add(struct csa_table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	table_vadd(t, fmt, ap);
	va_end(ap);
}

void csa_table_kv(struct csa_table *t, const char *key, const char *fmt, ...)
{
	va_list ap;

	csa_table_add(t, "%s", key);
	va_start(ap, fmt);
	table_vadd(t, fmt, ap);
	va_end(ap);
}

/* One line; the last column is not padded when it is aligned left. */
static void print_row(const struct csa_table *t, const size_t *width,
		      const char *const *cells)
{
	unsigned c;

	for (c = 0; c < t->nr_cols; c++) {
		const char *sep = c ? "  " : "";

		if (t->cols[c].right)
			printf("%s%*s", sep, (int)width[c], cells[c]);
		else if (c + 1 < t->nr_cols)
			printf("%s%-*s", sep, (int)width[c], cells[c]);
		else
			printf("%s%s", sep, cells[c]);
	}
	putchar('\n');
}

static void table_free(struct csa_table *t)
{
	size_t i;

	for (i = 0; i < t->nr_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int csa_table_print(struct csa_table *t)
{
	const char *heads[MAX_COLS] = { 0 };
	size_t width[MAX_COLS] = { 0 }, i, rows;
	unsigned c;
	bool header;

	if (!t || t->nomem || t->nr_cols > MAX_COLS) {
		if (t)
			table_free(t);
		return csa_fail("out of memory");
	}
	header = t->cols[0].head != NULL;
	for (c = 0; c < t->nr_cols; c++) {
		heads[c] = header ? t->cols[c].head : "";
		width[c] = strlen(heads[c]);
	}
	rows = t->nr_cells / t->nr_cols;	/* a partial row is dropped */
	for (i = 0; i < rows * t->nr_cols; i++) {
		c = (unsigned)(i % t->nr_cols);
		if (strlen(t->cells[i]) > width[c])
			width[c] = strlen(t->cells[i]);
	}
	if (header)
		print_row(t, width, heads);
	for (i = 0; i < rows; i++)
		print_row(t, width, (const char *const *)t->cells + i * t->nr_cols);
	table_free(t);
	return CSA_EXIT_OK;
}
