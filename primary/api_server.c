// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The API server (api_server.h). Sockets are non-blocking so that a
 * connection's thread can wait on its socket and on its eventfd (queued
 * events) at once, and never hang on a peer for more than IO_WAIT_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "primary/api_server.h"
#include "primary/tls.h"
#include "primary/wire.h"

#define IO_WAIT_MS	10000		/* a peer that stalls this long is dropped */
#define EVQ_MAX_BYTES	(16u << 20)	/* events queued for one slow client */
#define READ_CHUNK	16384

struct evq {
	struct evq *next;
	size_t len;
	uint8_t frame[];
};

struct conn {
	struct csa_api_server *s;
	int fd;
	int efd;
	SSL *ssl;
	pthread_t thread;
	atomic_bool done;
	atomic_bool subscribed;
	struct csa_api_peer peer;
	struct csa_framebuf in;
	char addr[64];
	pthread_mutex_t qlock;
	struct evq *qhead, *qtail;	/* protected by qlock */
	size_t qbytes;			/* protected by qlock */
	bool qoverflow;			/* protected by qlock */
	struct conn *next;		/* protected by s->lock */
};

struct csa_api_server {
	struct csa_api_server_opts o;
	SSL_CTX *ctx;
	int lfd;
	int port;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	struct conn *conns;		/* protected by lock */
	unsigned nr_conns;		/* protected by lock */
};

static void logf_(struct csa_api_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct csa_api_server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!s->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->o.log(s->o.ctx, line);
}

/* ---- TLS I/O on a non-blocking socket ------------------------------- */

/* Wait for what OpenSSL asked for after @ret; -EIO if it asked nothing. */
static int tls_wait(struct conn *c, int ret, int ms)
{
	int e = SSL_get_error(c->ssl, ret);
	struct pollfd p = { .fd = c->fd };

	if (e == SSL_ERROR_WANT_READ)
		p.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		p.events = POLLOUT;
	else
		return -EIO;
	return poll(&p, 1, ms) > 0 ? 0 : -ETIMEDOUT;
}

static int conn_write(struct conn *c, const uint8_t *b, size_t n)
{
	while (n) {
		int r = SSL_write(c->ssl, b, (int)n);

		if (r > 0) {
			b += r;
			n -= (size_t)r;
		} else if (tls_wait(c, r, IO_WAIT_MS)) {
			return -EIO;
		}
	}
	return 0;
}

/*
 * A reply too big for one frame cannot go out, but the caller must hear
 * why, and the stream is still whole: answer the same id with an error.
 */
static struct json_object *too_large(struct conn *c, struct json_object *big)
{
	struct json_object *id = json_object_object_get(big, "id");

	logf_(c->s, "%s (%s): reply to request %s over %u bytes, refused",
	      c->addr, c->peer.cn, json_object_to_json_string(id),
	      CSA_FRAME_MAX);
	return csa_reply_error(id, "reply_too_large",
		"the reply is over %u bytes, more than one frame holds; ask for less at a time",
		CSA_FRAME_MAX);
}

/* Send @reply (taken). 0, or -errno when the connection must end. */
static int conn_send(struct conn *c, struct json_object *reply)
{
	struct json_object *err;
	uint8_t *frame;
	size_t len;
	int ret;

	if (!reply)
		return -ENOMEM;
	ret = csa_frame_encode(reply, &frame, &len);
	if (ret == -EMSGSIZE) {
		err = too_large(c, reply);
		json_object_put(reply);
		reply = err;
		ret = reply ? csa_frame_encode(reply, &frame, &len) : -ENOMEM;
	}
	json_object_put(reply);
	if (ret)
		return ret;
	ret = conn_write(c, frame, len);
	free(frame);
	return ret;
}

/* Read what has arrived. 0, or -1 when the peer closed or failed. */
static int conn_read(struct conn *c)
{
	while (c->in.len - c->in.pos < 2 * (size_t)CSA_FRAME_MAX) {
		int r;

		if (csa_framebuf_reserve(&c->in, READ_CHUNK))
			return -1;
		r = SSL_read(c->ssl, c->in.buf + c->in.len,
			     (int)(c->in.cap - c->in.len));
		if (r > 0) {
			c->in.len += (size_t)r;
			continue;
		}
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
			return 0;
		if (tls_wait(c, r, IO_WAIT_MS))
			return -1;
	}
	return 0;
}

static int conn_handshake(struct conn *c)
{
	char why[300];
	int r;

	while ((r = SSL_accept(c->ssl)) != 1) {
		if (tls_wait(c, r, IO_WAIT_MS)) {
			csa_tls_error(why, sizeof(why), "handshake");
			logf_(c->s, "%s refused: %s", c->addr, why);
			return -1;
		}
	}
	if (csa_tls_peer(c->ssl, c->peer.cn, sizeof(c->peer.cn), c->peer.role,
			 sizeof(c->peer.role))) {
		logf_(c->s, "%s refused: no verified certificate", c->addr);
		return -1;
	}
	return 0;
}

/* ---- requests ------------------------------------------------------- */

static const struct csa_api_op *find_op(struct csa_api_server *s,
					const char *name)
{
	unsigned i;

	for (i = 0; i < s->o.nr_ops; i++)
		if (!strcmp(s->o.ops[i].op, name))
			return &s->o.ops[i];
	return NULL;
}

static struct json_object *dispatch(struct conn *c, struct json_object *req)
{
	struct json_object *id = json_object_object_get(req, "id");
	struct json_object *jop = json_object_object_get(req, "op");
	struct json_object *result = NULL;
	struct csa_api_err e = { 0 };
	const struct csa_api_op *op;
	const char *name;

	if (!id || !(json_object_is_type(id, json_type_int) ||
		     json_object_is_type(id, json_type_string)))
		return csa_reply_error(NULL, "bad_request",
			"a request needs an \"id\", a number or a string");
	if (!jop || !json_object_is_type(jop, json_type_string))
		return csa_reply_error(id, "bad_request",
			"a request needs an \"op\" string");
	name = json_object_get_string(jop);
	if (!strcmp(name, "subscribe")) {
		atomic_store(&c->subscribed, true);
		return csa_reply_result(id, json_object_new_object());
	}
	op = find_op(c->s, name);
	if (!op)
		return csa_reply_error(id, "unknown_op", "no op \"%.64s\"", name);
	if (op->fn(c->s->o.ctx, &c->peer, req, &result, &e)) {
		struct json_object *r = csa_reply_error(id, e.code ? e.code :
							"failed", "%s", e.msg);

		if (r && e.detail)
			json_object_object_add(json_object_object_get(r, "error"),
					       "detail", e.detail);
		else
			json_object_put(e.detail);
		return r;
	}
	json_object_put(e.detail);	/* a handler that set it and succeeded */
	return csa_reply_result(id, result ? result : json_object_new_object());
}

/* Answer every whole frame received. -1 when the connection must end. */
static int conn_frames(struct conn *c)
{
	struct json_object *req;
	const char *payload;
	char why[256];
	size_t len;
	int r;

	while ((r = csa_frame_next(&c->in, &payload, &len)) == 1) {
		if (csa_frame_parse(payload, len, &req, why, sizeof(why))) {
			if (conn_send(c, csa_reply_error(NULL, "bad_json",
							 "%s", why)))
				return -1;
			continue;
		}
		r = conn_send(c, dispatch(c, req));
		json_object_put(req);
		if (r)
			return -1;
	}
	if (r < 0) {
		logf_(c->s, "%s (%s): frame over %u bytes, closing", c->addr,
		      c->peer.cn, CSA_FRAME_MAX);
		conn_send(c, csa_reply_error(NULL, "frame_too_large",
			  "frames are at most %u bytes; closing the connection",
			  CSA_FRAME_MAX));
		return -1;
	}
	return 0;
}

/* ---- events --------------------------------------------------------- */

static int conn_flush_events(struct conn *c)
{
	struct evq *q, *next;
	uint64_t v;
	bool overflow;
	int ret = 0;

	if (read(c->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -1;
	pthread_mutex_lock(&c->qlock);
	q = c->qhead;
	c->qhead = c->qtail = NULL;
	c->qbytes = 0;
	overflow = c->qoverflow;
	pthread_mutex_unlock(&c->qlock);
	for (; q; q = next) {
		next = q->next;
		if (!ret)
			ret = conn_write(c, q->frame, q->len);
		free(q);
	}
	if (overflow) {
		logf_(c->s, "%s (%s): too slow for its events, closing",
		      c->addr, c->peer.cn);
		return -1;
	}
	return ret;
}

static void conn_queue(struct conn *c, const uint8_t *frame, size_t len)
{
	struct evq *q = malloc(sizeof(*q) + len);
	uint64_t one = 1;

	pthread_mutex_lock(&c->qlock);
	if (!q || c->qbytes + len > EVQ_MAX_BYTES) {
		c->qoverflow = true;
		free(q);
	} else {
		q->next = NULL;
		q->len = len;
		memcpy(q->frame, frame, len);
		if (c->qtail)
			c->qtail->next = q;
		else
			c->qhead = q;
		c->qtail = q;
		c->qbytes += len;
	}
	pthread_mutex_unlock(&c->qlock);
	if (write(c->efd, &one, sizeof(one)) < 0)
		return;	/* the counter cannot overflow in practice */
}

void csa_api_server_publish(struct csa_api_server *s, const char *event,
			    struct json_object *data)
{
	struct json_object *ev = json_object_new_object();
	uint8_t *frame;
	size_t len;
	struct conn *c;

	if (!ev) {
		json_object_put(data);
		return;
	}
	json_object_object_add(ev, "event", json_object_new_string(event));
	json_object_object_add(ev, "data", data);
	if (csa_frame_encode(ev, &frame, &len) == 0) {
		pthread_mutex_lock(&s->lock);
		for (c = s->conns; c; c = c->next)
			if (atomic_load(&c->subscribed) &&
			    !atomic_load(&c->done))
				conn_queue(c, frame, len);
		pthread_mutex_unlock(&s->lock);
		free(frame);
	}
	json_object_put(ev);
}

size_t csa_api_server_subscribers(struct csa_api_server *s, const char *role,
				  char (**cns)[65])
{
	size_t n = 0, k = 0;
	struct conn *c;

	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c; c = c->next)
		n += atomic_load(&c->subscribed) && !atomic_load(&c->done) &&
		     !strcmp(c->peer.role, role);
	*cns = n ? calloc(n, sizeof(**cns)) : NULL;
	for (c = s->conns; *cns && c; c = c->next)
		if (atomic_load(&c->subscribed) && !atomic_load(&c->done) &&
		    !strcmp(c->peer.role, role))
			memcpy((*cns)[k++], c->peer.cn, sizeof(c->peer.cn));
	pthread_mutex_unlock(&s->lock);
	return k;
}

/* ---- connections ---------------------------------------------------- */

static void conn_loop(struct conn *c)
{
	struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN },
			       { .fd = c->efd, .events = POLLIN } };

	while (!atomic_load(&c->s->stop)) {
		if (poll(p, 2, 500) < 0 && errno != EINTR)
			return;
		if (p[1].revents && conn_flush_events(c))
			return;
		if (!p[0].revents)
			continue;
		if (conn_read(c) || conn_frames(c))
			return;
	}
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	sigset_t pipe;

	/*
	 * A write to a peer that has gone, or to a socket that stop has shut
	 * down, must fail with EPIPE and end this connection only, not raise
	 * SIGPIPE and end the process. The mask is this thread's own.
	 */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	if (!conn_handshake(c))
		conn_loop(c);
	SSL_shutdown(c->ssl);
	atomic_store(&c->done, true);
	return NULL;
}

static void conn_free(struct conn *c)
{
	struct evq *q, *next;

	for (q = c->qhead; q; q = next) {
		next = q->next;
		free(q);
	}
	SSL_free(c->ssl);
	close(c->fd);
	close(c->efd);
	csa_framebuf_free(&c->in);
	pthread_mutex_destroy(&c->qlock);
	free(c);
}

/* Join and free the connections whose thread has ended. */
static void reap(struct csa_api_server *s, bool all)
{
	struct conn **pp = &s->conns, *c;

	pthread_mutex_lock(&s->lock);
	while ((c = *pp)) {
		if (!all && !atomic_load(&c->done)) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		s->nr_conns--;
		pthread_mutex_unlock(&s->lock);
		pthread_join(c->thread, NULL);
		conn_free(c);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
}

static struct conn *conn_new(struct csa_api_server *s, int fd,
			     const struct sockaddr_storage *ss)
{
	struct conn *c = calloc(1, sizeof(*c));
	char host[48] = "?", port[8] = "?";

	if (!c)
		return NULL;
	c->s = s;
	c->fd = fd;
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->ssl = SSL_new(s->ctx);
	pthread_mutex_init(&c->qlock, NULL);
	getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host,
		    sizeof(host), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(c->addr, sizeof(c->addr), "%s:%s", host, port);
	if (c->efd < 0 || !c->ssl || !SSL_set_fd(c->ssl, fd)) {
		c->fd = -1;	/* the caller closes it */
		conn_free(c);
		return NULL;
	}
	return c;
}

static void accept_one(struct csa_api_server *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct conn *c;
	int fd;

	fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->nr_conns >= s->o.max_conns) {
		pthread_mutex_unlock(&s->lock);
		logf_(s, "connection refused: %u connections already", s->o.max_conns);
		close(fd);
		return;
	}
	pthread_mutex_unlock(&s->lock);
	c = conn_new(s, fd, &ss);
	if (!c || pthread_create(&c->thread, NULL, conn_main, c)) {
		if (c)
			conn_free(c);
		else
			close(fd);
		return;
	}
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	s->nr_conns++;
	pthread_mutex_unlock(&s->lock);
}

static void *accept_main(void *arg)
{
	struct csa_api_server *s = arg;
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };

	while (!atomic_load(&s->stop)) {
		if (poll(&p, 1, 500) > 0)
			accept_one(s);
		reap(s, false);
	}
	return NULL;
}

/* ---- start and stop ------------------------------------------------- */

static int listen_on(struct csa_api_server *s, const char *where, char *err,
		     size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addrinfo *ai;
	char host[256], *colon;
	int one = 1, ret;

	snprintf(host, sizeof(host), "%s", where);
	colon = strrchr(host, ':');
	if (!colon) {
		snprintf(err, errlen, "%s: give HOST:PORT to listen on", where);
		return -EINVAL;
	}
	*colon = '\0';
	ret = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
	if (ret) {
		snprintf(err, errlen, "%s: %s", where, gai_strerror(ret));
		return -EINVAL;
	}
	s->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 ||
	    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->lfd, ai->ai_addr, ai->ai_addrlen) ||
	    listen(s->lfd, 64) ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &sl)) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", where,
			 strerror(errno));
		freeaddrinfo(ai);
		return ret;
	}
	freeaddrinfo(ai);
	s->port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int csa_api_server_start(const struct csa_api_server_opts *o,
			 struct csa_api_server **out, char *err,
			 size_t errlen)
{
	struct csa_api_server *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	if (!s->o.max_conns)
		s->o.max_conns = 256;
	s->lfd = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->ctx = csa_tls_ctx(CSA_TLS_SERVER, o->cert, o->key, o->ca, err,
			     errlen);
	ret = s->ctx ? listen_on(s, o->listen, err, errlen) : -EINVAL;
	if (!ret && pthread_create(&s->thread, NULL, accept_main, s))
		ret = -EAGAIN;
	if (ret) {
		if (s->lfd >= 0)
			close(s->lfd);
		SSL_CTX_free(s->ctx);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

int csa_api_server_port(const struct csa_api_server *s)
{
	return s->port;
}

void csa_api_server_stop(struct csa_api_server *s)
{
	struct conn *c;

	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);	/* no new connection after this */
	/*
	 * A connection thread sees stop within 500 ms when it waits for its
	 * peer, but not while it writes to a peer that reads slowly: each wait
	 * for room is IO_WAIT_MS, and a peer that takes a little now and then
	 * makes them last for ever. Shutting the sockets down ends every wait
	 * at once with an error. The fds stay open until reap.
	 */
	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&s->lock);
	reap(s, true);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
