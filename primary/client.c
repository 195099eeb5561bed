// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The API client (client.h). The handshake runs on a blocking socket
 * bounded by socket timeouts; after it the socket is non-blocking and
 * every wait is a poll bounded by the deadline of the whole call, so that
 * frames that keep coming (events, or a reply a few bytes at a time) can
 * never stretch it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "primary/client.h"
#include "primary/tls.h"
#include "primary/wire.h"

#define MAX_EVENTS	1024	/* kept while a caller does not read them */

struct event {
	struct event *next;
	struct json_object *frame;
};

struct csa_client {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	unsigned timeout_ms;
	int64_t next_id;
	struct csa_framebuf in;
	struct event *ev_head, *ev_tail;
	unsigned nr_events;
	char peer[65];
};

static int fail(struct csa_client_err *e, const char *code, int ret,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void csa_client_err_clear(struct csa_client_err *e)
{
	json_object_put(e->detail);
	e->detail = NULL;
}

static int fail(struct csa_client_err *e, const char *code, int ret,
		const char *fmt, ...)
{
	va_list ap;

	e->detail = NULL;
	snprintf(e->code, sizeof(e->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/* Non-blocking connect bounded by the timeout, then blocking again. */
static int tcp_connect(const char *addr, unsigned ms, int *out,
		       struct csa_client_err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	char host[256], *colon;
	struct addrinfo *ai;
	struct pollfd p;
	int fd, soerr = 0, ret;
	socklen_t sl = sizeof(soerr);
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	snprintf(host, sizeof(host), "%s", addr);
	colon = strrchr(host, ':');
	if (!colon)
		return fail(e, "connect", -EINVAL, "%s: not HOST:PORT", addr);
	*colon = '\0';
	ret = getaddrinfo(host, colon + 1, &hints, &ai);
	if (ret)
		return fail(e, "connect", -EHOSTUNREACH, "%s: %s", addr,
			    gai_strerror(ret));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		soerr = errno;
	} else if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		soerr = errno;	/* loopback refuses at once */
		if (soerr == EINPROGRESS) {
			p = (struct pollfd){ .fd = fd, .events = POLLOUT };
			soerr = 0;
			if (poll(&p, 1, (int)ms) != 1)
				soerr = ETIMEDOUT;
			else
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
					   &sl);
		}
	}
	freeaddrinfo(ai);
	if (soerr) {
		if (fd >= 0)
			close(fd);
		return fail(e, "connect", -soerr, "cannot reach the primary at %s: %s",
			    addr, strerror(soerr));
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*out = fd;
	return 0;
}

static int tls_connect(struct csa_client *c, const struct csa_client_opts *o,
		       struct csa_client_err *e)
{
	char why[400], role[32];

	c->ctx = csa_tls_ctx(CSA_TLS_CLIENT, o->cert, o->key, o->ca, why,
			     sizeof(why));
	if (!c->ctx)
		return fail(e, "tls", -EINVAL, "%s", why);
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd))
		return fail(e, "tls", -ENOMEM, "cannot make a TLS session");
	if (SSL_connect(c->ssl) != 1) {
		csa_tls_error(why, sizeof(why), "TLS handshake");
		return fail(e, "tls", -EACCES, "%s with %s failed: %s", "TLS",
			    o->addr, why);
	}
	if (csa_tls_peer(c->ssl, c->peer, sizeof(c->peer), role, sizeof(role)) ||
	    strcmp(role, "primary"))
		return fail(e, "tls", -EACCES,
			    "%s holds no certificate of this cluster for the role \"primary\"",
			    o->addr);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Wait, until @deadline (now_ms), for what OpenSSL asked for after @ret.
 * 0 to try again; -ETIMEDOUT; -ECONNRESET when it asked for nothing a
 * wait can give (the peer closed, or the connection failed).
 */
static int tls_wait(struct csa_client *c, int ret, uint64_t deadline)
{
	int e = SSL_get_error(c->ssl, ret);
	struct pollfd p = { .fd = c->fd };
	uint64_t now = now_ms(), left;
	int r;

	if (e == SSL_ERROR_WANT_READ)
		p.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		p.events = POLLOUT;
	else
		return -ECONNRESET;
	if (now >= deadline)
		return -ETIMEDOUT;
	left = deadline - now;
	r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
	if (r < 0)
		return errno == EINTR ? 0 : -ECONNRESET;
	return r ? 0 : -ETIMEDOUT;
}

int csa_client_connect(const struct csa_client_opts *o,
		       struct csa_client **out, struct csa_client_err *e)
{
	struct csa_client *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return fail(e, "connect", -ENOMEM, "out of memory");
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : 30000;
	c->next_id = 1;
	c->fd = -1;
	ret = tcp_connect(o->addr, c->timeout_ms, &c->fd, e);
	if (!ret)
		ret = tls_connect(c, o, e);
	if (!ret && fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK))
		ret = fail(e, "connect", -errno, "cannot make the socket non-blocking");
	if (ret) {
		csa_client_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

/* Write all of @buf by @deadline: 0, -ETIMEDOUT or -ECONNRESET. */
static int send_until(struct csa_client *c, const void *buf, size_t len,
		      uint64_t deadline)
{
	const uint8_t *b = buf;
	int r;

	while (len) {
		/* After a WANT_*, OpenSSL wants the same bytes again. */
		r = SSL_write(c->ssl, b, (int)len);
		if (r > 0) {
			b += r;
			len -= (size_t)r;
			continue;
		}
		r = tls_wait(c, r, deadline);
		if (r)
			return r;
	}
	return 0;
}

/*
 * The next frame by @deadline. SSL_read comes before any poll: bytes
 * OpenSSL has already decrypted are taken without waiting on the socket.
 */
static int recv_until(struct csa_client *c, uint64_t deadline,
		      struct json_object **frame)
{
	const char *payload;
	char why[256];
	size_t len;
	int r;

	for (;;) {
		r = csa_frame_next(&c->in, &payload, &len);
		if (r < 0)
			return -EPROTO;
		if (r == 1)
			return csa_frame_parse(payload, len, frame, why,
					       sizeof(why)) ? -EPROTO : 0;
		if (csa_framebuf_reserve(&c->in, 16384))
			return -ENOMEM;
		r = SSL_read(c->ssl, c->in.buf + c->in.len,
			     (int)(c->in.cap - c->in.len));
		if (r > 0) {
			c->in.len += (size_t)r;
			continue;
		}
		r = tls_wait(c, r, deadline);
		if (r)
			return r;
	}
}

int csa_client_send_raw(struct csa_client *c, const void *buf, size_t len)
{
	return send_until(c, buf, len, now_ms() + c->timeout_ms);
}

int csa_client_recv(struct csa_client *c, int timeout_ms,
		    struct json_object **frame)
{
	return recv_until(c, now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0),
			  frame);
}

static void keep_event(struct csa_client *c, struct json_object *frame)
{
	struct event *ev;

	if (c->nr_events >= MAX_EVENTS || !(ev = malloc(sizeof(*ev)))) {
		json_object_put(frame);	/* nobody reads them: drop */
		return;
	}
	ev->next = NULL;
	ev->frame = frame;
	if (c->ev_tail)
		c->ev_tail->next = ev;
	else
		c->ev_head = ev;
	c->ev_tail = ev;
	c->nr_events++;
}

static int take_reply(struct json_object *frame, struct json_object **result,
		      struct csa_client_err *e)
{
	struct json_object *err = json_object_object_get(frame, "error");
	struct json_object *res = json_object_object_get(frame, "result");

	if (err) {
		fail(e, json_object_get_string(json_object_object_get(err, "code")),
		     -EREMOTEIO, "%s",
		     json_object_get_string(json_object_object_get(err, "message")));
		e->detail = json_object_get(json_object_object_get(err, "detail"));
		json_object_put(frame);
		return -EREMOTEIO;
	}
	*result = json_object_get(res);
	json_object_put(frame);
	return *result ? 0 : fail(e, "protocol", -EPROTO,
				  "the primary's reply has no result");
}

/*
 * The timeout is one deadline for the whole call, sending included: the
 * events and stray frames read while waiting for the reply do not push
 * it back.
 */
int csa_client_call(struct csa_client *c, struct json_object *req,
		    struct json_object **result, struct csa_client_err *e)
{
	uint64_t deadline = now_ms() + c->timeout_ms;
	int64_t id = c->next_id++;
	struct json_object *frame, *jid;
	uint8_t *buf;
	size_t len;
	int ret;

	json_object_object_add(req, "id", json_object_new_int64(id));
	ret = csa_frame_encode(req, &buf, &len);
	json_object_put(req);
	if (ret)
		return fail(e, "request", ret, "the request cannot be encoded");
	ret = send_until(c, buf, len, deadline);
	free(buf);
	if (ret)
		return fail(e, "connection", ret, "%s",
			    ret == -ETIMEDOUT ? "the primary took no request in time" :
			    "the primary closed the connection");
	for (;;) {
		ret = recv_until(c, deadline, &frame);
		if (ret)
			return fail(e, "connection", ret, "%s",
				    ret == -ETIMEDOUT ? "no answer from the primary in time" :
				    "the connection to the primary broke");
		jid = json_object_object_get(frame, "id");
		if (jid && json_object_get_int64(jid) == id)
			return take_reply(frame, result, e);
		if (json_object_object_get(frame, "event"))
			keep_event(c, frame);
		else
			json_object_put(frame);	/* an answer to nobody */
	}
}

int csa_client_event(struct csa_client *c, int timeout_ms, char *event,
		     size_t len, struct json_object **data)
{
	uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct json_object *frame = NULL;
	struct event *ev = c->ev_head;
	int ret;

	if (ev) {
		c->ev_head = ev->next;
		if (!c->ev_head)
			c->ev_tail = NULL;
		c->nr_events--;
		frame = ev->frame;
		free(ev);
	}
	/* Stray frames do not push the deadline back either. */
	while (!frame || !json_object_object_get(frame, "event")) {
		json_object_put(frame);
		frame = NULL;
		ret = recv_until(c, deadline, &frame);
		if (ret)
			return ret;
	}
	snprintf(event, len, "%s",
		 json_object_get_string(json_object_object_get(frame, "event")));
	*data = json_object_get(json_object_object_get(frame, "data"));
	json_object_put(frame);
	return 0;
}

const char *csa_client_peer(const struct csa_client *c)
{
	return c->peer;
}

void csa_client_close(struct csa_client *c)
{
	struct event *ev, *next;

	if (c->ssl)
		SSL_shutdown(c->ssl);
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	for (ev = c->ev_head; ev; ev = next) {
		next = ev->next;
		json_object_put(ev->frame);
		free(ev);
	}
	csa_framebuf_free(&c->in);
	free(c);
}
