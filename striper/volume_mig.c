// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A volume being migrated (volume.h, csa_volume_open_migrating): two
 * ordinary volumes, `from` and `to`, and the region table of `to` saying
 * which of them serves each region.
 *
 * A request is cut at region boundaries into pieces. A run of regions
 * served by one side makes one piece, so that a large request during a
 * region-by-region migration does not become one inner request (and one
 * set of LUN I/Os) per region. A piece of a locked region waits on the
 * volume's held FIFO until the region is unlocked. The request counts its
 * pieces and completes once, with the first error, like a fan-out.
 *
 * Drain: each region counts the pieces sent to a side and not yet ended.
 * A submit reads a region's state and counts its piece under mig->lock,
 * and a lock sets LOCKED and reads the count under it too, so every piece
 * is either counted before the lock (and drained) or held after it: none
 * slips past. Nothing is called with mig->lock held (inner submits,
 * drained callbacks, done), so each of them may call into the volume.
 *
 * Watch: writes are also counted apart, so that a region copied while
 * unlocked can be known untouched (csa_volume_watch_region): a write in
 * flight when the watch begins, or one counted after, makes it dirty.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "striper/volume_int.h"

enum side { SIDE_FROM, SIDE_TO, SIDE_NONE /* held */ };

struct mreq;

struct piece {
	struct csa_vreq vr;	/* first: the side's volume hands back &vr */
	struct mreq *m;
	uint64_t first;		/* regions [first, last] */
	uint64_t last;
	uint8_t side;		/* enum side; protected by mig->lock while held */
	bool counted;		/* in the in-flight counts of its regions */
	uint64_t held_since;	/* ns, CLOCK_MONOTONIC */
	struct piece *next;	/* in the held FIFO, or in a list to send */
};

/* One caller's request and its pieces, one allocation. */
struct mreq {
	struct csa_vreq *r;
	struct vmig *mg;
	atomic_uint remaining;	/* pieces not ended */
	atomic_int err;		/* the first error */
	unsigned nheld;		/* pieces held; protected by mg->lock */
	unsigned n;
	struct piece p[];
};

/* A drained callback, due when its locked region's count reaches 0. */
struct drain {
	struct drain *next;
	uint64_t region;
	csa_drained_fn fn;
	void *arg;
};

struct vmig {
	struct csa_volume *side[2];	/* [SIDE_FROM], [SIDE_TO] */
	uint64_t size;
	uint64_t region_bytes;
	uint64_t nr_regions;
	pthread_mutex_t lock;
	/* Everything below: protected by lock. */
	uint8_t *state;		/* per region, enum csa_region_state */
	uint32_t *inflight;	/* per region: counted pieces not ended */
	uint32_t *inflight_w;	/* per region: of those, the writes */
	int64_t watch_region;	/* the region watched; -1 none */
	uint64_t watch_id;
	bool watch_dirty;	/* a write touched it since the watch began */
	struct piece *held;	/* FIFO, in arrival order (oldest first) */
	struct piece **held_tail;
	unsigned held_reqs;	/* requests with a piece held */
	uint64_t max_hold_ns;	/* of the holds that ended */
	struct drain *drains;	/* pending drained callbacks */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static enum side side_of(unsigned state)
{
	return state == CSA_REGION_MIGRATED ? SIDE_TO : SIDE_FROM;
}

/* ---- ending pieces and requests ------------------------------------- */

/* Under mg->lock: unlink and return the drain waiting on @region. */
static struct drain *take_drain(struct vmig *mg, uint64_t region)
{
	struct drain **pp, *d;

	for (pp = &mg->drains; (d = *pp); pp = &d->next)
		if (d->region == region) {
			*pp = d->next;
			return d;
		}
	return NULL;
}

/*
 * Take @p out of the in-flight counts of its regions, then run the drained
 * callbacks this makes due (a locked region whose count reached 0).
 */
static void uncount(struct vmig *mg, const struct piece *p)
{
	struct drain *due = NULL, *d;
	uint64_t x;

	pthread_mutex_lock(&mg->lock);
	for (x = p->first; x <= p->last; x++) {
		if (p->vr.op == CSA_VREQ_WRITE)
			mg->inflight_w[x]--;
		if (--mg->inflight[x] || mg->state[x] != CSA_REGION_LOCKED)
			continue;
		d = take_drain(mg, x);
		if (d) {
			d->next = due;
			due = d;
		}
	}
	pthread_mutex_unlock(&mg->lock);
	while ((d = due)) {
		due = d->next;
		d->fn(d->arg, d->region);
		free(d);
	}
}

/*
 * @p has ended with @err. True when it was its request's last piece: the
 * request is then the caller's to complete or give back.
 */
static bool piece_end(struct piece *p, int err)
{
	struct mreq *m = p->m;
	int none = 0;

	if (p->counted)
		uncount(m->mg, p);
	if (err)
		atomic_compare_exchange_strong(&m->err, &none, err);
	return atomic_fetch_sub(&m->remaining, 1) == 1;
}

static void req_complete(struct mreq *m)
{
	struct csa_vreq *r = m->r;
	int err = atomic_load(&m->err);

	free(m);
	r->done(r, err);
}

/* Every piece ended inside csa_volume_submit: done must not run there, so
 * the request goes back to the submitter with its first error. */
static int req_refuse(struct mreq *m)
{
	int err = atomic_load(&m->err);

	free(m);
	return err;
}

static void piece_done(struct csa_vreq *vr, int err)
{
	struct piece *p = (struct piece *)vr;
	struct mreq *m = p->m;

	if (piece_end(p, err))
		req_complete(m);
}

/*
 * Send @p to its side. A piece the side refuses at once ends here with
 * that error; *@last then says whether it was its request's last.
 */
static int piece_send(struct vmig *mg, struct piece *p, bool *last)
{
	int ret = csa_volume_submit(mg->side[p->side], &p->vr);

	*last = ret && piece_end(p, ret);
	return ret;
}

/*
 * Send the pieces of one request, in order. Once the last is sent, the
 * request may be gone: nothing of it is touched after that.
 */
static int send_pieces(struct vmig *mg, struct piece *p)
{
	struct piece *next;
	bool last;

	for (; p; p = next) {
		next = p->next;
		if (piece_send(mg, p, &last) && last)
			return req_refuse(p->m);
	}
	return 0;
}

/* ---- cutting a request ---------------------------------------------- */

/* Point @p at the bytes of its regions that the request covers. */
static void piece_range(const struct vmig *mg, struct piece *p)
{
	const struct csa_vreq *r = p->m->r;
	uint64_t start = p->first * mg->region_bytes;
	uint64_t end = (p->last + 1) * mg->region_bytes;

	if (start < r->off)
		start = r->off;
	if (end > r->off + r->len)
		end = r->off + r->len;
	p->vr.off = start;
	p->vr.len = end - start;
	p->vr.buf = (uint8_t *)r->buf + (start - r->off);
}

static struct piece *piece_new(struct vmig *mg, struct mreq *m, uint64_t x,
			       enum side side)
{
	struct piece *p = &m->p[m->n++];

	p->m = m;
	p->first = p->last = x;
	p->side = (uint8_t)side;
	p->vr.op = m->r->op;
	p->vr.done = piece_done;
	p->vr.priv = p;
	piece_range(mg, p);
	return p;
}

/* Under mg->lock: put @p at the end of the held FIFO. */
static void hold(struct vmig *mg, struct piece *p, uint64_t *now)
{
	if (!*now)
		*now = now_ns();
	p->held_since = *now;
	p->next = NULL;
	*mg->held_tail = p;
	mg->held_tail = &p->next;
	if (!p->m->nheld++)
		mg->held_reqs++;
}

/* Under mg->lock: count a piece of a request doing @op in flight on @x. */
static void count(struct vmig *mg, int op, uint64_t x)
{
	mg->inflight[x]++;
	if (op != CSA_VREQ_WRITE)
		return;
	mg->inflight_w[x]++;
	if ((int64_t)x == mg->watch_region)
		mg->watch_dirty = true;
}

/*
 * Under mg->lock: cut @m's request into pieces at region boundaries,
 * count the pieces to send in their regions and hold those of locked
 * regions. Returns the pieces to send, in order.
 */
static struct piece *cut(struct vmig *mg, struct mreq *m)
{
	const struct csa_vreq *r = m->r;
	uint64_t x = r->off / mg->region_bytes, now = 0;
	uint64_t last = (r->off + r->len - 1) / mg->region_bytes;
	struct piece *send = NULL, **tail = &send, *p = NULL;

	for (; x <= last; x++) {
		unsigned st = mg->state[x];

		if (st == CSA_REGION_LOCKED) {
			p = piece_new(mg, m, x, SIDE_NONE);
			hold(mg, p, &now);
			continue;
		}
		count(mg, r->op, x);
		if (p && p->side == side_of(st)) {
			p->last = x;	/* the previous piece ends at x - 1 */
			piece_range(mg, p);
			continue;
		}
		p = piece_new(mg, m, x, side_of(st));
		p->counted = true;
		*tail = p;
		tail = &p->next;
	}
	*tail = NULL;
	return send;
}

static struct mreq *mreq_new(struct vmig *mg, struct csa_vreq *r, uint64_t n)
{
	struct mreq *m = calloc(1, sizeof(*m) + n * sizeof(struct piece));

	if (m) {
		m->r = r;
		m->mg = mg;
	}
	return m;
}

static int submit_rw(struct vmig *mg, struct csa_vreq *r)
{
	uint64_t n = (r->off + r->len - 1) / mg->region_bytes -
		     r->off / mg->region_bytes + 1;
	struct mreq *m = mreq_new(mg, r, n);
	struct piece *send;

	if (!m)
		return -ENOMEM;
	pthread_mutex_lock(&mg->lock);
	send = cut(mg, m);
	/* Before any piece can end: held ones may go at the next unlock. */
	atomic_store(&m->remaining, m->n);
	pthread_mutex_unlock(&mg->lock);
	return send_pieces(mg, send);
}

/* To both sides: a write completed on either must reach stable storage. */
static int submit_flush(struct vmig *mg, struct csa_vreq *r)
{
	struct mreq *m = mreq_new(mg, r, 2);
	unsigned i;

	if (!m)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		struct piece *p = &m->p[i];

		p->m = m;
		p->side = (uint8_t)i;
		p->vr = (struct csa_vreq){ .op = CSA_VREQ_FLUSH,
					   .done = piece_done, .priv = p };
		p->next = i ? NULL : &m->p[1];
	}
	m->n = 2;
	atomic_store(&m->remaining, 2);
	return send_pieces(mg, &m->p[0]);
}

int mig_submit(struct csa_volume *v, struct csa_vreq *r)
{
	struct vmig *mg = v->mig;

	if (r->op == CSA_VREQ_FLUSH)
		return submit_flush(mg, r);
	if (r->op > CSA_VREQ_FLUSH || !r->len || r->len > mg->size ||
	    r->off > mg->size - r->len)
		return -EINVAL;
	return submit_rw(mg, r);
}

/* ---- region locks --------------------------------------------------- */

int csa_volume_lock_region(struct csa_volume *v, uint64_t region,
			   csa_drained_fn fn, void *arg)
{
	struct vmig *mg = v->mig;
	struct drain *d;
	int ret = 1;

	if (!mg || region >= mg->nr_regions)
		return -EINVAL;
	d = malloc(sizeof(*d));	/* before the lock: it may be needed */
	if (!d)
		return -ENOMEM;
	*d = (struct drain){ .region = region, .fn = fn, .arg = arg };
	pthread_mutex_lock(&mg->lock);
	if (mg->state[region] == CSA_REGION_LOCKED) {
		ret = -EALREADY;
	} else {
		mg->state[region] = CSA_REGION_LOCKED;
		if (mg->inflight[region])
			ret = 0;
		if (mg->inflight[region] && fn) {
			d->next = mg->drains;
			mg->drains = d;
			d = NULL;
		}
	}
	pthread_mutex_unlock(&mg->lock);
	free(d);
	return ret;
}

/*
 * Under mg->lock: take the pieces held on @region out of the FIFO, in
 * order, and count them in flight to @side.
 */
static struct piece *release_held(struct vmig *mg, uint64_t region,
				  enum side side)
{
	struct piece **pp = &mg->held, *p, *out = NULL, **tail = &out;
	uint64_t now = now_ns();

	while ((p = *pp)) {
		if (p->first != region) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		if (!*pp)
			mg->held_tail = pp;
		if (now - p->held_since > mg->max_hold_ns)
			mg->max_hold_ns = now - p->held_since;
		if (!--p->m->nheld)
			mg->held_reqs--;
		p->side = (uint8_t)side;
		p->counted = true;
		count(mg, p->vr.op, region);
		*tail = p;
		tail = &p->next;
	}
	*tail = NULL;
	return out;
}

int csa_volume_unlock_region(struct csa_volume *v, uint64_t region,
			     unsigned state)
{
	struct vmig *mg = v->mig;
	struct piece *p, *next;
	struct drain *d;
	bool last;

	if (!mg || region >= mg->nr_regions ||
	    (state != CSA_REGION_NORMAL && state != CSA_REGION_MIGRATED))
		return -EINVAL;
	pthread_mutex_lock(&mg->lock);
	mg->state[region] = (uint8_t)state;
	d = take_drain(mg, region);	/* cancelled: nobody waits for it */
	p = release_held(mg, region, side_of(state));
	pthread_mutex_unlock(&mg->lock);
	free(d);
	/* Pieces of several requests: each may end (and go) once sent. */
	for (; p; p = next) {
		next = p->next;
		if (piece_send(mg, p, &last) && last)
			req_complete(p->m);
	}
	return 0;
}

int csa_volume_region_state(const struct csa_volume *v, uint64_t region)
{
	struct vmig *mg = v->mig;
	int st;

	if (!mg || region >= mg->nr_regions)
		return -EINVAL;
	pthread_mutex_lock(&mg->lock);
	st = mg->state[region];
	pthread_mutex_unlock(&mg->lock);
	return st;
}

void csa_volume_hold_stats(const struct csa_volume *v, unsigned *held,
			   uint64_t *max_hold_ns)
{
	struct vmig *mg = v->mig;
	uint64_t age;

	*held = 0;
	*max_hold_ns = 0;
	if (!mg)
		return;
	pthread_mutex_lock(&mg->lock);
	*held = mg->held_reqs;
	*max_hold_ns = mg->max_hold_ns;
	if (mg->held) {		/* the oldest hold still going */
		age = now_ns() - mg->held->held_since;
		if (age > *max_hold_ns)
			*max_hold_ns = age;
	}
	pthread_mutex_unlock(&mg->lock);
}

/* ---- watching a region for writes ----------------------------------- */

int csa_volume_watch_region(struct csa_volume *v, uint64_t region,
			    uint64_t id)
{
	struct vmig *mg = v->mig;
	bool dirty;

	if (!mg || region >= mg->nr_regions)
		return -EINVAL;
	pthread_mutex_lock(&mg->lock);
	dirty = mg->inflight_w[region] > 0;
	mg->watch_region = (int64_t)region;
	mg->watch_id = id;
	mg->watch_dirty = dirty;
	pthread_mutex_unlock(&mg->lock);
	return !dirty;
}

bool csa_volume_watch_clean(const struct csa_volume *v, uint64_t id)
{
	struct vmig *mg = v->mig;
	bool clean;

	if (!mg)
		return false;
	pthread_mutex_lock(&mg->lock);
	clean = mg->watch_region >= 0 && mg->watch_id == id && !mg->watch_dirty;
	pthread_mutex_unlock(&mg->lock);
	return clean;
}

/* ---- open and close ------------------------------------------------- */

static int check_pair(const struct csa_layout *from,
		      const struct csa_layout *to, char *err, size_t errlen)
{
	char why[256];
	int ret;

	ret = csa_layout_validate(from, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "from: %s", why);
		return ret;
	}
	ret = csa_layout_validate(to, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "to: %s", why);
		return ret;
	}
	if (from->size != to->size || from->block_size != to->block_size) {
		snprintf(err, errlen,
			 "from has %llu bytes in %u-byte blocks; to has %llu in %u-byte blocks",
			 (unsigned long long)from->size, from->block_size,
			 (unsigned long long)to->size, to->block_size);
		return -EINVAL;
	}
	return 0;
}

/* The mutex first, so that mig_free may run whatever fails after it. */
static int mig_init(struct vmig *mg, const struct csa_layout *to)
{
	pthread_mutex_init(&mg->lock, NULL);
	mg->held_tail = &mg->held;
	mg->size = to->size;
	mg->region_bytes = csa_layout_region_bytes(to);
	mg->nr_regions = to->nr_regions;
	mg->state = malloc(to->nr_regions);
	mg->inflight = calloc(to->nr_regions, sizeof(*mg->inflight));
	mg->inflight_w = calloc(to->nr_regions, sizeof(*mg->inflight_w));
	mg->watch_region = -1;
	if (!mg->state || !mg->inflight || !mg->inflight_w)
		return -ENOMEM;
	memcpy(mg->state, to->region_state, to->nr_regions);
	return 0;
}

static void mig_free(struct vmig *mg)
{
	struct drain *d;
	unsigned i;

	for (i = 0; i < 2; i++)
		if (mg->side[i])
			csa_volume_close(mg->side[i]);
	while ((d = mg->drains)) {
		mg->drains = d->next;
		free(d);
	}
	free(mg->state);
	free(mg->inflight);
	free(mg->inflight_w);
	pthread_mutex_destroy(&mg->lock);
	free(mg);
}

/* Open both sides; on success @err says which is degraded, if one is. */
static int open_sides(struct vmig *mg, const struct csa_layout *from,
		      const struct csa_layout *to,
		      const struct csa_transport *tp,
		      const struct csa_volume_opts *o, char *err,
		      size_t errlen)
{
	static const char *const name[2] = { "from", "to" };
	const struct csa_layout *l[2] = { from, to };
	char why[2][256] = { "", "" };
	size_t n;
	unsigned i;
	int ret;

	for (i = 0; i < 2; i++) {
		ret = csa_volume_open(l[i], tp, o, &mg->side[i], why[i],
				      sizeof(why[i]));
		if (ret) {
			mg->side[i] = NULL;
			snprintf(err, errlen, "%s: %s", name[i], why[i]);
			return ret;
		}
	}
	err[0] = '\0';
	for (i = 0; i < 2; i++) {
		n = strlen(err);
		if (why[i][0] && n + 1 < errlen)
			snprintf(err + n, errlen - n, "%s%s: %s",
				 n ? "; " : "", name[i], why[i]);
	}
	return 0;
}

int csa_volume_open_migrating(const struct csa_layout *from,
			      const struct csa_layout *to,
			      const struct csa_transport *tp,
			      const struct csa_volume_opts *o,
			      struct csa_volume **out, char *err, size_t errlen)
{
	struct csa_volume *v;
	struct vmig *mg;
	int ret;

	ret = check_pair(from, to, err, errlen);
	if (ret)
		return ret;
	v = calloc(1, sizeof(*v));
	mg = calloc(1, sizeof(*mg));
	if (!v || !mg) {
		free(v);
		free(mg);
		return -ENOMEM;
	}
	ret = mig_init(mg, to);
	if (!ret)
		ret = open_sides(mg, from, to, tp, o, err, errlen);
	if (ret) {
		mig_free(mg);
		free(v);
		return ret;
	}
	v->mig = mg;
	*out = v;
	return 0;
}

/*
 * Held requests cannot go anywhere any more: they fail with -ESHUTDOWN
 * rather than leak or hang their callers. Pending drains are dropped.
 */
void mig_close(struct csa_volume *v)
{
	struct vmig *mg = v->mig;
	struct piece *p, *next;

	pthread_mutex_lock(&mg->lock);
	p = mg->held;
	mg->held = NULL;
	mg->held_tail = &mg->held;
	mg->held_reqs = 0;
	pthread_mutex_unlock(&mg->lock);
	for (; p; p = next) {
		next = p->next;
		if (piece_end(p, -ESHUTDOWN))
			req_complete(p->m);
	}
	mig_free(mg);
	free(v);
}

const struct csa_layout *mig_layout(const struct csa_volume *v)
{
	return csa_volume_layout(v->mig->side[SIDE_TO]);
}

bool mig_degraded(const struct csa_volume *v)
{
	return csa_volume_degraded(v->mig->side[SIDE_FROM]) ||
	       csa_volume_degraded(v->mig->side[SIDE_TO]);
}

const struct csa_layout *csa_volume_from_layout(const struct csa_volume *v)
{
	return v->mig ? csa_volume_layout(v->mig->side[SIDE_FROM]) : NULL;
}
