/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The primary's API server: TLS 1.3 with client certificates (tls.h),
 * frames (wire.h), a table of operations, and events pushed to the
 * connections that asked for them with {"op": "subscribe"}.
 *
 * Threads: one accepting thread and one thread per connection; each
 * connection's thread alone touches its TLS session. Handlers run on
 * connection threads, several at once: they lock what they share.
 *
 * Bad input costs one connection at most: a frame that is not a JSON
 * object, or a request without "op" or "id", or an unknown op, gets an
 * error reply and the connection goes on; a frame over CSA_FRAME_MAX gets
 * an error reply and the connection is closed (the stream cannot be
 * trusted past it). A reply that would not fit a frame is replaced by the
 * error "reply_too_large" and the connection goes on; an event that would
 * not fit is dropped. A client without a certificate of the cluster's CA
 * never gets past the handshake.
 */
#ifndef CSA_API_SERVER_H
#define CSA_API_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct csa_api_server;

struct csa_api_peer {
	char cn[65];		/* the certificate's common name */
	char role[32];		/* its OU: "primary", "host", "admin" */
};

/* A handler's refusal: a stable code and a sentence a person can act on. */
struct csa_api_err {
	const char *code;
	char msg[768];
	/* Optional figures for scripts, sent as the error's "detail";
	 * the server takes (puts) it. */
	struct json_object *detail;
};

/*
 * Handle @req (the whole request object, "op" and "id" included). Returns
 * 0 with a new object in *@result, or -1 with @e filled. Must not keep
 * @req.
 */
typedef int (*csa_api_fn)(void *ctx, const struct csa_api_peer *peer,
			  struct json_object *req, struct json_object **result,
			  struct csa_api_err *e);

struct csa_api_op {
	const char *op;
	csa_api_fn fn;
};

struct csa_api_server_opts {
	const char *listen;	/* "host:port"; port 0 picks a free one */
	const char *cert, *key, *ca;
	const struct csa_api_op *ops;
	unsigned nr_ops;
	void *ctx;		/* handed to every handler */
	unsigned max_conns;	/* 0: 256 */
	/* One line about each connection refused or dropped; may be NULL. */
	void (*log)(void *ctx, const char *line);
};

/* Listen and start serving. Returns 0 and *@out, or -errno with @err. */
int csa_api_server_start(const struct csa_api_server_opts *o,
			 struct csa_api_server **out, char *err,
			 size_t errlen);

/* The TCP port listened on. */
int csa_api_server_port(const struct csa_api_server *s);

/*
 * Push {"event": @event, "data": @data} to every subscribed connection.
 * Takes @data. Never blocks on a slow client: its events queue up.
 */
void csa_api_server_publish(struct csa_api_server *s, const char *event,
			    struct json_object *data);

/*
 * The common names of the connections of @role subscribed now, into
 * *@cns (malloc'd, one entry per connection; NULL when there are none or
 * memory is short). Returns how many.
 */
size_t csa_api_server_subscribers(struct csa_api_server *s, const char *role,
				  char (**cns)[65]);

/* Close every connection, stop the threads, free. */
void csa_api_server_stop(struct csa_api_server *s);

/*
 * Helpers for handlers. csa_api_fields refuses a field of @req not named
 * in @allowed (NULL-terminated; "op" and "id" are always allowed). The
 * getters fill @e and return -1 for a missing required field or a wrong
 * type; an absent optional field leaves *@out untouched.
 */
int csa_api_fields(struct json_object *req, const char *const *allowed,
		   struct csa_api_err *e);
int csa_api_string(struct json_object *req, const char *name, bool required,
		   char *out, size_t len, struct csa_api_err *e);
int csa_api_u64(struct json_object *req, const char *name, bool required,
		uint64_t max, uint64_t *out, struct csa_api_err *e);
int csa_api_bool(struct json_object *req, const char *name, bool required,
		 bool *out, struct csa_api_err *e);

/*
 * List fields: at most @max entries. csa_api_strings writes the i-th
 * string at @out + i * @len (each 1..@len-1 characters); csa_api_u64s
 * the i-th number (0..@max) at @out[i]. *@n is the count; an absent field
 * leaves *@n untouched.
 */
int csa_api_strings(struct json_object *req, const char *name, size_t max,
		    char *out, size_t len, size_t *n, struct csa_api_err *e);
int csa_api_u64s(struct json_object *req, const char *name, size_t max_n,
		 uint64_t max, uint64_t *out, size_t *n, struct csa_api_err *e);

/* Fill @e: code and a formatted sentence. Returns -1 for `return`. */
int csa_api_fail(struct csa_api_err *e, const char *code, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

#endif
