/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of the primary's API (wire.h): one TLS connection,
 * requests answered in order, events kept until asked for.
 *
 * A client is used by one thread at a time. Every wait is bounded by the
 * timeout given at connect.
 */
#ifndef CSA_CLIENT_H
#define CSA_CLIENT_H

#include <stddef.h>

#include <json-c/json.h>

struct csa_client;

struct csa_client_opts {
	const char *addr;		/* primary "host:port" */
	const char *cert, *key, *ca;	/* ours, and the cluster CA */
	unsigned timeout_ms;		/* 0: 30 s */
};

/* Why a call failed: the primary's code and sentence, or ours. */
struct csa_client_err {
	char code[32];
	char msg[800];
	/* The primary's "detail" object when its refusal had one, else NULL:
	 * the caller puts it (csa_client_err_clear). */
	struct json_object *detail;
};

/* Put e->detail and set it to NULL. */
void csa_client_err_clear(struct csa_client_err *e);

/*
 * Connect, handshake, and check that the peer holds a certificate of the
 * cluster CA for the role "primary". Returns 0 and *@out, or -errno with
 * a sentence in @e (code "connect" or "tls").
 */
int csa_client_connect(const struct csa_client_opts *o,
		       struct csa_client **out, struct csa_client_err *e);

/*
 * Send @req (taken; its "id" is set here) and wait for the reply. Returns
 * 0 with *@result (the caller puts it), or:
 *   -EREMOTEIO  the primary refused: its code and message in @e
 *   -ETIMEDOUT, -ECONNRESET, -EIO, -EPROTO  with a sentence in @e
 */
int csa_client_call(struct csa_client *c, struct json_object *req,
		    struct json_object **result, struct csa_client_err *e);

/*
 * The next event pushed by the primary (after a "subscribe" call), within
 * @timeout_ms. Returns 0 with its name in @event and *@data (caller puts),
 * or -ETIMEDOUT, -ECONNRESET.
 */
int csa_client_event(struct csa_client *c, int timeout_ms, char *event,
		     size_t len, struct json_object **data);

/* Tests only: write raw bytes, and read the next frame whatever it is. */
int csa_client_send_raw(struct csa_client *c, const void *buf, size_t len);
int csa_client_recv(struct csa_client *c, int timeout_ms,
		    struct json_object **frame);

/* The peer's common name (the primary's). */
const char *csa_client_peer(const struct csa_client *c);

void csa_client_close(struct csa_client *c);

#endif
