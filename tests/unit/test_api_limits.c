// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The API's limits over loopback, server and client side:
 *   test_reply_too_large  a reply over the frame limit becomes an error
 *                         reply ("reply_too_large") to the same id, and
 *                         the connection goes on
 *   test_stop_slow_reader stopping the server does not wait for a client
 *                         that does not read its replies
 *   test_call_deadline    a call's timeout is one deadline for the whole
 *                         call: events arriving all along, or a reply
 *                         coming a byte at a time, do not stretch it
 * The last uses a stand-in primary made here (a TLS server with the
 * primary's certificate) that sends what the test wants, when it wants.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "primary/api_server.h"
#include "primary/ca.h"
#include "primary/client.h"
#include "primary/tls.h"
#include "primary/wire.h"

static int failed;
static char dir[] = "/tmp/csa-test-api-limits.XXXXXX";
static char addr[64];

static bool ok(bool cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	failed |= !cond;
	return cond;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *path(const char *name)
{
	static char buf[8][300];
	static int n;
	char *p = buf[n++ % 8];

	snprintf(p, 300, "%s/%s", dir, name);
	return p;
}

/* ---- the server's ops ---- */

/* {"op": "blob", "bytes": N}: a result holding a string of N bytes. */
static int op_blob(void *ctx, const struct csa_api_peer *peer,
		   struct json_object *req, struct json_object **result,
		   struct csa_api_err *e)
{
	static const char *const fields[] = { "bytes", NULL };
	uint64_t n;
	char *s;

	(void)ctx;
	(void)peer;
	if (csa_api_fields(req, fields, e) ||
	    csa_api_u64(req, "bytes", true, 8u << 20, &n, e))
		return -1;
	s = malloc(n + 1);
	if (!s)
		return csa_api_fail(e, "nomem", "out of memory");
	memset(s, 'x', n);
	s[n] = '\0';
	*result = json_object_new_object();
	json_object_object_add(*result, "blob", json_object_new_string(s));
	free(s);
	return 0;
}

static int op_ping(void *ctx, const struct csa_api_peer *peer,
		   struct json_object *req, struct json_object **result,
		   struct csa_api_err *e)
{
	(void)ctx;
	(void)peer;
	(void)req;
	(void)e;
	*result = json_object_new_object();
	return 0;
}

static const struct csa_api_op ops[] = {
	{ "blob", op_blob },
	{ "ping", op_ping },
};

static struct csa_api_server *start(void)
{
	struct csa_api_server_opts o = {
		.listen = "127.0.0.1:0", .cert = path("primary.crt"),
		.key = path("primary.key"), .ca = path("ca/ca.crt"),
		.ops = ops, .nr_ops = sizeof(ops) / sizeof(ops[0]) };
	struct csa_api_server *s;
	char err[300];

	if (csa_api_server_start(&o, &s, err, sizeof(err))) {
		printf("not ok - server start: %s\n", err);
		exit(1);
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", csa_api_server_port(s));
	return s;
}

static int connect_h1(unsigned timeout_ms, struct csa_client **c,
		      struct csa_client_err *e)
{
	struct csa_client_opts o = { .addr = addr, .cert = path("h1.crt"),
				     .key = path("h1.key"),
				     .ca = path("ca/ca.crt"),
				     .timeout_ms = timeout_ms };

	return csa_client_connect(&o, c, e);
}

static struct json_object *req_blob(uint64_t bytes)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "op", json_object_new_string("blob"));
	json_object_object_add(r, "bytes", json_object_new_int64((int64_t)bytes));
	return r;
}

static struct json_object *req_ping(void)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "op", json_object_new_string("ping"));
	return r;
}

/* ---- the tests ---- */

static void test_reply_too_large(void)
{
	struct csa_api_server *s = start();
	struct json_object *res = NULL;
	struct csa_client_err e;
	struct csa_client *c;
	int ret;

	if (!ok(!connect_h1(5000, &c, &e), "connect")) {
		printf("# %s\n", e.msg);
		csa_api_server_stop(s);
		return;
	}
	ret = csa_client_call(c, req_blob(1000), &res, &e);
	ok(!ret, "a small reply comes back");
	json_object_put(res);
	res = NULL;
	ret = csa_client_call(c, req_blob(CSA_FRAME_MAX + 10), &res, &e);
	ok(ret == -EREMOTEIO && !strcmp(e.code, "reply_too_large"),
	   "a reply over the frame limit comes back as the error reply_too_large");
	if (ret == -EREMOTEIO)
		printf("# %s: %s\n", e.code, e.msg);
	csa_client_err_clear(&e);
	json_object_put(res);
	res = NULL;
	ret = csa_client_call(c, req_ping(), &res, &e);
	ok(!ret, "and the connection goes on");
	json_object_put(res);
	csa_client_close(c);
	csa_api_server_stop(s);
}

static void test_stop_slow_reader(void)
{
	struct csa_api_server *s = start();
	struct csa_client_err e;
	struct csa_client *c;
	sigset_t pipe;
	double t0, t;
	int i, sent = 0;

	/*
	 * From here on this thread's clients write to servers that have
	 * gone: EPIPE, not SIGPIPE. Blocked only now, after the server has
	 * started its threads (which take the mask of the thread that makes
	 * them), so that the server is seen to cope on its own.
	 */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);

	if (!ok(!connect_h1(5000, &c, &e), "connect a client that will not read")) {
		csa_api_server_stop(s);
		return;
	}
	/* Far more than the socket buffers hold: the server ends up blocked
	 * writing a reply nobody reads. */
	for (i = 0; i < 40; i++) {
		struct json_object *r = req_blob(900 * 1024);
		uint8_t *frame;
		size_t len;

		json_object_object_add(r, "id", json_object_new_int(i + 1));
		if (!csa_frame_encode(r, &frame, &len)) {
			sent += !csa_client_send_raw(c, frame, len);
			free(frame);
		}
		json_object_put(r);
	}
	ok(sent == 40, "40 requests for 900 KB each sent, none read");
	usleep(500 * 1000);
	t0 = now_s();
	csa_api_server_stop(s);
	t = now_s() - t0;
	printf("# the server stopped in %.2f s\n", t);
	ok(t < 2.5, "the server stops without waiting for the slow reader");
	csa_client_close(c);
}

/* ---- a stand-in primary ---- */

enum plan {
	PLAN_EVENTS,		/* an event every 100 ms for 3 s, no reply */
	PLAN_TRICKLE,		/* the reply, one byte every 100 ms */
};

struct standin {
	int lfd;
	int port;
	enum plan plan;
	pthread_t thread;
};

static void standin_send(SSL *ssl, const char *json)
{
	size_t n = strlen(json);
	uint8_t hdr[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
			   (uint8_t)(n >> 8), (uint8_t)n };

	SSL_write(ssl, hdr, 4);
	SSL_write(ssl, json, (int)n);
}

static void *standin_main(void *arg)
{
	struct standin *p = arg;
	char err[300], buf[4096];
	SSL_CTX *ctx;
	SSL *ssl;
	int fd, i;

	ctx = csa_tls_ctx(CSA_TLS_SERVER, path("primary.crt"),
			  path("primary.key"), path("ca/ca.crt"), err,
			  sizeof(err));
	fd = accept(p->lfd, NULL, NULL);
	if (!ctx || fd < 0)
		goto out;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1 && SSL_read(ssl, buf, sizeof(buf)) > 0) {
		if (p->plan == PLAN_EVENTS) {
			for (i = 0; i < 30; i++) {
				usleep(100 * 1000);
				standin_send(ssl, "{\"event\":\"tick\",\"data\":1}");
			}
		} else {
			static const char reply[] = "{\"id\":1,\"result\":{}}";
			size_t n = sizeof(reply) - 1;
			uint8_t frame[64] = { 0, 0, 0, (uint8_t)n };

			memcpy(frame + 4, reply, n);
			for (i = 0; i < (int)(n + 4); i++) {
				usleep(100 * 1000);
				if (SSL_write(ssl, frame + i, 1) != 1)
					break;
			}
		}
		usleep(300 * 1000);
	}
	SSL_free(ssl);
	close(fd);
out:
	SSL_CTX_free(ctx);
	return NULL;
}

static bool standin_start(struct standin *p, enum plan plan)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);

	p->plan = plan;
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(p->lfd, 4) ||
	    getsockname(p->lfd, (struct sockaddr *)&sa, &sl))
		return false;
	p->port = ntohs(sa.sin_port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", p->port);
	return !pthread_create(&p->thread, NULL, standin_main, p);
}

static void standin_stop(struct standin *p)
{
	pthread_join(p->thread, NULL);
	close(p->lfd);
}

static void call_deadline(enum plan plan, const char *what)
{
	struct json_object *res = NULL;
	struct csa_client_err e;
	struct csa_client *c;
	struct standin p;
	double t0, t;
	int ret;

	if (!ok(standin_start(&p, plan), "a stand-in primary listens"))
		return;
	if (!ok(!connect_h1(500, &c, &e), "connect to it with a 500 ms timeout")) {
		printf("# %s\n", e.msg);
		standin_stop(&p);
		return;
	}
	t0 = now_s();
	ret = csa_client_call(c, req_ping(), &res, &e);
	t = now_s() - t0;
	printf("# the call returned %d after %.2f s\n", ret, t);
	ok(ret == -ETIMEDOUT && t < 1.5, what);
	json_object_put(res);
	csa_client_close(c);
	standin_stop(&p);
}

static void test_call_deadline(void)
{
	call_deadline(PLAN_EVENTS,
		      "events every 100 ms do not stretch a call's 500 ms timeout");
	call_deadline(PLAN_TRICKLE,
		      "a reply coming a byte every 100 ms does not stretch it either");
}

static void make_certs(void)
{
	char err[256];

	if (csa_ca_create(path("ca"), "test", err, sizeof(err)) ||
	    csa_ca_issue(path("ca"), "primary1", CSA_CERT_PRIMARY,
			 path("primary"), err, sizeof(err)) ||
	    csa_ca_issue(path("ca"), "h1", CSA_CERT_HOST, path("h1"), err,
			 sizeof(err))) {
		printf("not ok - making test certificates: %s\n", err);
		exit(1);
	}
}

int main(void)
{
	char cmd[400];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	make_certs();
	test_reply_too_large();
	test_stop_slow_reader();
	test_call_deadline();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return failed;
}
