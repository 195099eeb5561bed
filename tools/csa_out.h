/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every csa command shares: the global options, the call to the
 * primary, and the output (tables for people, JSON for scripts, errors).
 *
 * Commands return the exit status: CSA_EXIT_OK, CSA_EXIT_FAIL (refused or
 * failed, the reason on stderr) or CSA_EXIT_USAGE (bad usage).
 */
#ifndef CSA_OUT_H
#define CSA_OUT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "tools/units.h"

#define CSA_EXIT_OK	0
#define CSA_EXIT_FAIL	1
#define CSA_EXIT_USAGE	2

struct csa_client;

/* The global options, and the connection once a command has made it. */
struct csa_cli {
	const char *dir;		/* certificates and cluster.json */
	const char *primary;		/* "host:port" */
	const char *cert, *key, *ca;	/* NULL: DIR/admin.crt, ... */
	bool json;			/* results as JSON on stdout */
	unsigned timeout_ms;		/* 0: the client's own, 30 s */
	struct csa_client *client;	/* made by csa_call, closed by main */
};

/* A command of a group: "csa GROUP NAME ARGS". argv[0] is NAME. */
struct csa_cmd {
	const char *name;
	int (*fn)(struct csa_cli *cli, int argc, char **argv);
};

/* Run the command of @cmds named argv[1]; usage error if none is. */
int csa_dispatch(struct csa_cli *cli, const char *group,
		 const struct csa_cmd *cmds, unsigned nr, int argc,
		 char **argv);

/* ---- the commands (csa_admin.c, csa_host.c, csa_array.c, csa_volume.c) */

int csa_cmd_init(struct csa_cli *cli, int argc, char **argv);
int csa_cmd_cert(struct csa_cli *cli, int argc, char **argv);
int csa_cmd_status(struct csa_cli *cli, int argc, char **argv);
int csa_cmd_host(struct csa_cli *cli, int argc, char **argv);
int csa_cmd_array(struct csa_cli *cli, int argc, char **argv);
int csa_cmd_volume(struct csa_cli *cli, int argc, char **argv);
int csa_cmd_migration(struct csa_cli *cli, int argc, char **argv);

/* Their help, man-page style (csa_help.c); csa_help_main is csa --help. */
extern const char csa_help_main[], csa_help_init[], csa_help_cert[],
	csa_help_status[], csa_help_host[], csa_help_array[],
	csa_help_volume[], csa_help_migration[];

/* ---- errors ------------------------------------------------------------ */

/* "csa: REASON" and "Try 'csa --help'." on stderr; returns CSA_EXIT_USAGE. */
int csa_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "csa: REASON" on stderr; returns CSA_EXIT_FAIL. */
int csa_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A refusal or failure with a stable code: the sentence on stderr and,
 * with --json, {code, message[, detail]} on stdout. Takes @detail (may be
 * NULL). Returns CSA_EXIT_FAIL.
 */
int csa_fail_code(const struct csa_cli *cli, const char *code,
		  const char *msg, struct json_object *detail);

/*
 * getopt_long over a command's arguments (argv[0] is the command; main
 * resets getopt before each command), with csa's own messages: returns
 * the option's val, -1 at the end, or '?' after printing the usage error
 * (the caller returns CSA_EXIT_USAGE). Options and operands may come in
 * any order. @cmd is "volume create" and the like.
 */
int csa_getopt(int argc, char **argv, const char *cmd,
	       const struct option *lo);

/* After the options: exactly one operand, the NAME. 0 with *@name, or the
 * usage error printed and CSA_EXIT_USAGE. */
int csa_one_name(int argc, char **argv, const char *cmd, const char **name);

/* After the options: nothing left. 0, or the usage error and CSA_EXIT_USAGE. */
int csa_no_operand(int argc, char **argv, const char *cmd);

/* ---- option values: 0, or a usage error printed and CSA_EXIT_USAGE ---- */

int csa_opt_size(const char *opt, const char *s, uint64_t *out);
int csa_opt_count(const char *opt, const char *s, uint64_t *out);
/* A whole number in [min, max], no multiple. */
int csa_opt_uint(const char *opt, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out);
/* "a,b,c" to a JSON array of strings ("" is the empty list). */
int csa_opt_names(const char *opt, const char *s, struct json_object **out);

/* ---- the call ---------------------------------------------------------- */

/* {"op": @op} and, if @name is not NULL, "name": @name. */
struct json_object *csa_request(const char *op, const char *name);

/* Add a field to a request. */
void csa_req_u64(struct json_object *req, const char *key, uint64_t v);
void csa_req_str(struct json_object *req, const char *key, const char *v);

/*
 * Connect with the global options (once). Returns 0, or prints the
 * client's sentence and returns CSA_EXIT_FAIL.
 */
int csa_connect(struct csa_cli *cli);

/*
 * Connect if need be and send @req (taken). Returns 0 with *@result (the
 * caller puts it), or prints the refusal or failure and returns
 * CSA_EXIT_FAIL.
 */
int csa_call(struct csa_cli *cli, struct json_object *req,
	     struct json_object **result);

/*
 * csa_call, then the result: as JSON with --json, else through @print.
 * Returns the exit status.
 */
int csa_run(struct csa_cli *cli, struct json_object *req,
	    int (*print)(struct json_object *result));

/* @o as pretty JSON and a newline on stdout. */
void csa_print_json(struct json_object *o);

/* ---- reading results (a missing field reads as "", 0, false) ---------- */

const char *csa_str(struct json_object *o, const char *key);
/* As unsigned long long: what printf's %llu takes. */
unsigned long long csa_u64(struct json_object *o, const char *key);
/* Signed, for the figures where -1 means "unknown" or "none". */
long long csa_i64(struct json_object *o, const char *key);
bool csa_bool(struct json_object *o, const char *key);
/* The strings of the array @key joined with ",", or @none if empty. */
const char *csa_list(struct json_object *o, const char *key,
		     const char *none, char *buf, size_t len);

/* ---- formatting -------------------------------------------------------- */



/* ---- progress lines ---------------------------------------------------- */

/*
 * A long job's progress on stdout: rewritten in place on a terminal, one
 * line per update otherwise. csa_progress_end before anything else is
 * printed.
 */
struct csa_progress {
	bool tty;		/* rewrite one line rather than add lines */
	int last;		/* length of the line on screen */
};

void csa_progress_show(struct csa_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void csa_progress_end(struct csa_progress *p);

/* ---- tables ------------------------------------------------------------ */

struct csa_col {
	const char *head;	/* NULL in every column: no header line */
	bool right;		/* numbers and sizes: aligned on the right */
};

struct csa_table;

/* A table of @nr columns; NULL when out of memory. */
struct csa_table *csa_table_new(const struct csa_col *cols, unsigned nr);

/* The next cell, row after row. An allocation failure is kept for print. */
void csa_table_add(struct csa_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A two-cell row: @key, then the formatted value. */
void csa_table_kv(struct csa_table *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Print on stdout, columns as wide as their widest cell two spaces apart,
 * and free. Returns CSA_EXIT_OK, or CSA_EXIT_FAIL (said on stderr) when
 * memory ran out while it was filled (then nothing is printed).
 */
int csa_table_print(struct csa_table *t);

#endif
