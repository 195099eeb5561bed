// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The primary's API over loopback: mutual TLS against the cluster CA,
 * framing, every kind of bad input, events. A server with a small table
 * of test ops; clients with certificates of this CA, of another CA, and
 * none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "primary/api_server.h"
#include "primary/ca.h"
#include "primary/client.h"
#include "primary/wire.h"

static int failed;
static char dir[] = "/tmp/csa-test-api.XXXXXX";
static char addr[64];
static struct csa_api_server *srv;

static void ok(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	failed |= !cond;
}

static int op_echo(void *ctx, const struct csa_api_peer *peer,
		   struct json_object *req, struct json_object **result,
		   struct csa_api_err *e)
{
	static const char *const fields[] = { "text", NULL };
	char text[64] = "";

	(void)ctx;
	if (csa_api_fields(req, fields, e) ||
	    csa_api_string(req, "text", true, text, sizeof(text), e))
		return -1;
	*result = json_object_new_object();
	json_object_object_add(*result, "text", json_object_new_string(text));
	json_object_object_add(*result, "peer", json_object_new_string(peer->cn));
	json_object_object_add(*result, "role",
			       json_object_new_string(peer->role));
	return 0;
}

static int op_size(void *ctx, const struct csa_api_peer *peer,
		   struct json_object *req, struct json_object **result,
		   struct csa_api_err *e)
{
	static const char *const fields[] = { "size", "dry", NULL };
	uint64_t size;
	bool dry = false;

	(void)ctx;
	(void)peer;
	if (csa_api_fields(req, fields, e) ||
	    csa_api_u64(req, "size", true, 1ULL << 50, &size, e) ||
	    csa_api_bool(req, "dry", false, &dry, e))
		return -1;
	*result = json_object_new_object();
	return 0;
}

static const struct csa_api_op ops[] = {
	{ "echo", op_echo },
	{ "size", op_size },
};

static char *path(const char *name)
{
	static char buf[8][300];
	static int n;
	char *p = buf[n++ % 8];

	snprintf(p, 300, "%s/%s", dir, name);
	return p;
}

static int connect_as(const char *who, const char *ca, struct csa_client **c,
		      struct csa_client_err *e)
{
	char crt[300], key[300];
	struct csa_client_opts o = { .addr = addr, .cert = crt, .key = key,
				     .ca = ca, .timeout_ms = 5000 };

	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", dir, who);
	return csa_client_connect(&o, c, e);
}

static struct json_object *req_echo(const char *text)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "op", json_object_new_string("echo"));
	json_object_object_add(r, "text", json_object_new_string(text));
	return r;
}

static int echo_works(struct csa_client *c, const char *text)
{
	struct json_object *res = NULL;
	struct csa_client_err e;
	int good;

	if (csa_client_call(c, req_echo(text), &res, &e))
		return 0;
	good = !strcmp(json_object_get_string(
			json_object_object_get(res, "text")), text);
	json_object_put(res);
	return good;
}

/* Send raw payload bytes as one frame and read the reply's error code. */
static const char *raw_error(struct csa_client *c, const char *payload,
			     char *code, size_t len)
{
	size_t n = strlen(payload);
	uint8_t hdr[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
			   (uint8_t)(n >> 8), (uint8_t)n };
	struct json_object *f = NULL, *err;

	snprintf(code, len, "(none)");
	if (csa_client_send_raw(c, hdr, 4) ||
	    csa_client_send_raw(c, payload, n) ||
	    csa_client_recv(c, 5000, &f))
		return code;
	err = json_object_object_get(f, "error");
	if (err)
		snprintf(code, len, "%s", json_object_get_string(
				 json_object_object_get(err, "code")));
	json_object_put(f);
	return code;
}

static void make_certs(void)
{
	char err[256];
	char ca2[300];

	snprintf(ca2, sizeof(ca2), "%s/other", dir);
	if (csa_ca_create(path("ca"), "test", err, sizeof(err)) ||
	    csa_ca_issue(path("ca"), "primary1", CSA_CERT_PRIMARY,
			 path("primary"), err, sizeof(err)) ||
	    csa_ca_issue(path("ca"), "h1", CSA_CERT_HOST, path("h1"), err,
			 sizeof(err)) ||
	    csa_ca_issue(path("ca"), "h2", CSA_CERT_HOST, path("h2"), err,
			 sizeof(err)) ||
	    csa_ca_create(ca2, "other", err, sizeof(err)) ||
	    csa_ca_issue(ca2, "h1", CSA_CERT_HOST, path("foreign"), err,
			 sizeof(err))) {
		printf("not ok - making test certificates: %s\n", err);
		exit(1);
	}
}

static struct csa_api_server *start(const char *cert, const char *key)
{
	struct csa_api_server_opts o = {
		.listen = "127.0.0.1:0", .cert = cert, .key = key,
		.ca = path("ca/ca.crt"), .ops = ops,
		.nr_ops = sizeof(ops) / sizeof(ops[0]) };
	struct csa_api_server *s;
	char err[300];

	if (csa_api_server_start(&o, &s, err, sizeof(err))) {
		printf("not ok - server start: %s\n", err);
		exit(1);
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", csa_api_server_port(s));
	return s;
}

/* A TLS client that shows no certificate at all: does it get an answer? */
static int no_cert_gets_answer(void)
{
	static const char frame[] = "\0\0\0\x1e{\"id\":1,\"op\":\"echo\",\"text\":\"\"}";
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)csa_api_server_port(srv)),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 5 };
	char buf[256];
	int fd, got = 0;
	SSL *ssl;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	SSL_CTX_load_verify_locations(ctx, path("ca/ca.crt"), NULL);
	ssl = SSL_new(ctx);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    SSL_set_fd(ssl, fd) && SSL_connect(ssl) == 1 &&
	    SSL_write(ssl, frame, sizeof(frame) - 1) > 0)
		got = SSL_read(ssl, buf, sizeof(buf)) > 0;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return got;
}

static int echo_works_fresh(void)
{
	struct csa_client *c;
	struct csa_client_err e;
	int good;

	if (connect_as("h2", path("ca/ca.crt"), &c, &e))
		return 0;
	good = echo_works(c, "fresh");
	csa_client_close(c);
	return good;
}

static void test_refusals(void)
{
	struct csa_client *c = NULL;
	struct csa_client_err e;
	int ret;

	ret = connect_as("foreign", path("ca/ca.crt"), &c, &e);
	ok(ret != 0 || !echo_works(c, "x"),
	   "a client certificate of another CA gets no answer");
	if (!ret)
		csa_client_close(c);
	ok(!no_cert_gets_answer(), "a client without a certificate gets no answer");
}

static void test_bad_frames(void)
{
	struct csa_client *c, *other;
	struct csa_client_err e;
	struct json_object *res, *r;
	char code[64];
	uint8_t big[4] = { 0, 0x20, 0, 0 };	/* 2 MiB */
	int ret;

	if (connect_as("h1", path("ca/ca.crt"), &c, &e) ||
	    connect_as("h2", path("ca/ca.crt"), &other, &e)) {
		printf("not ok - connect: %s\n", e.msg);
		failed = 1;
		return;
	}
	ok(!strcmp(raw_error(c, "{not json", code, sizeof(code)), "bad_json"),
	   "malformed JSON gets bad_json");
	ok(!strcmp(raw_error(c, "[1,2]", code, sizeof(code)), "bad_json"),
	   "a JSON array gets bad_json");
	ok(!strcmp(raw_error(c, "{\"op\":\"echo\",\"text\":\"a\"}", code,
			     sizeof(code)), "bad_request"),
	   "a request without id gets bad_request");
	ok(!strcmp(raw_error(c, "{\"id\":1,\"op\":7}", code, sizeof(code)),
		   "bad_request"), "a non-string op gets bad_request");
	ok(echo_works(c, "still here"), "the connection goes on after bad frames");

	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("nope"));
	ret = csa_client_call(c, r, &res, &e);
	ok(ret == -EREMOTEIO && !strcmp(e.code, "unknown_op"),
	   "an unknown op gets unknown_op");
	r = req_echo("a");
	json_object_object_add(r, "color", json_object_new_string("red"));
	ret = csa_client_call(c, r, &res, &e);
	ok(ret == -EREMOTEIO && strstr(e.msg, "unknown field \"color\""),
	   "an unknown field is named in the refusal");
	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("echo"));
	ret = csa_client_call(c, r, &res, &e);
	ok(ret == -EREMOTEIO && strstr(e.msg, "missing field \"text\""),
	   "a missing field is named");
	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("size"));
	json_object_object_add(r, "size", json_object_new_int64(-5));
	ret = csa_client_call(c, r, &res, &e);
	ok(ret == -EREMOTEIO && strstr(e.msg, "between 0 and"),
	   "a negative size is refused");
	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("size"));
	json_object_object_add(r, "size", json_object_new_string("10G"));
	ret = csa_client_call(c, r, &res, &e);
	ok(ret == -EREMOTEIO && strstr(e.msg, "whole number"),
	   "a size of the wrong type is refused");
	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("size"));
	json_object_object_add(r, "size", json_object_new_int64(5));
	json_object_object_add(r, "dry", json_object_new_string("yes"));
	ret = csa_client_call(c, r, &res, &e);
	ok(ret == -EREMOTEIO && strstr(e.msg, "field \"dry\" must be true or false"),
	   "a flag that is not true or false is refused");
	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("size"));
	json_object_object_add(r, "size", json_object_new_int64(5));
	json_object_object_add(r, "dry", json_object_new_boolean(true));
	ret = csa_client_call(c, r, &res, &e);
	ok(!ret, "a flag that is true is taken");
	json_object_put(res);
	res = NULL;

	csa_client_send_raw(c, big, 4);
	r = NULL;
	ret = csa_client_recv(c, 5000, &r);
	ok(!ret && strstr(json_object_to_json_string(r), "frame_too_large"),
	   "a frame over 1 MiB gets frame_too_large");
	json_object_put(r);
	ok(csa_client_recv(c, 5000, &r) == -ECONNRESET,
	   "... and its connection is closed");
	ok(echo_works(other, "unharmed"), "another client is served all along");
	csa_client_close(c);
	csa_client_close(other);
}

static void test_calls_and_events(void)
{
	struct csa_client *c;
	struct csa_client_err e;
	struct json_object *res = NULL, *r, *data = NULL;
	char ev[64];
	int ret;

	ret = connect_as("h1", path("ca/ca.crt"), &c, &e);
	ok(!ret, "a host certificate of the cluster CA connects");
	if (ret) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(!strcmp(csa_client_peer(c), "primary1"), "the client sees the primary's name");
	ret = csa_client_call(c, req_echo("hello"), &res, &e);
	ok(!ret && !strcmp(json_object_get_string(json_object_object_get(res, "peer")), "h1") &&
	   !strcmp(json_object_get_string(json_object_object_get(res, "role")), "host"),
	   "the server knows the caller by its certificate: h1, host");
	json_object_put(res);
	r = json_object_new_object();
	json_object_object_add(r, "op", json_object_new_string("subscribe"));
	ret = csa_client_call(c, r, &res, &e);
	json_object_put(res);
	ok(!ret, "subscribe");
	csa_api_server_publish(srv, "test.event",
			       json_object_new_string("payload"));
	ret = csa_client_event(c, 5000, ev, sizeof(ev), &data);
	ok(!ret && !strcmp(ev, "test.event") &&
	   !strcmp(json_object_get_string(data), "payload"),
	   "a published event reaches the subscriber");
	json_object_put(data);
	csa_client_close(c);
}

/* A server holding a host certificate is not taken for the primary. */
static void test_impostor(void)
{
	struct csa_api_server *fake = start(path("h2.crt"), path("h2.key"));
	struct csa_client *c;
	struct csa_client_err e;
	int ret;

	ret = connect_as("h1", path("ca/ca.crt"), &c, &e);
	/* Refused at the handshake (no serverAuth usage) or by role. */
	ok(ret == -EACCES,
	   "a server with a host certificate is refused as the primary");
	if (ret)
		printf("# %s\n", e.msg);
	if (!ret)
		csa_client_close(c);
	csa_api_server_stop(fake);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", csa_api_server_port(srv));
}

int main(void)
{
	char cmd[400];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	make_certs();
	srv = start(path("primary.crt"), path("primary.key"));
	test_calls_and_events();
	test_bad_frames();
	test_refusals();
	ok(echo_works_fresh(), "after all of it the server still serves a new client");
	test_impostor();
	csa_api_server_stop(srv);
	{
		struct csa_client *c;
		struct csa_client_err e;
		int ret;

		/* The stopped server's port: nothing listens there now. */
		ret = connect_as("h1", path("ca/ca.crt"), &c, &e);
		ok(ret == -ECONNREFUSED && !strcmp(e.code, "connect"),
		   "a primary that is not there: connection refused, said as such");
		if (!ret)
			csa_client_close(c);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return failed;
}
