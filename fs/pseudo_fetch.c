// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What .csa/ asks of the primary (pseudo_priv.h): the views its files are
 * made from, the volumes/ listing, and control's commands.
 *
 * Once one call of a view fails for want of the primary (not a refusal),
 * the rest are not tried: it is down or unreachable, and each call would
 * cost a timeout. The view then says why, and the files show what this
 * host knows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/pseudo_priv.h"

#define MAX_DETAIL	256	/* show calls for one view; past that, summaries */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_error(struct json_object *view, const char *code,
		      const char *msg, bool refused)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	if (refused)
		json_object_object_add(e, "refused", json_object_new_boolean(1));
	json_object_object_add(view, "error", e);
}

/*
 * @op (with "name": @name if not NULL) to the primary. 0 with *@result,
 * -EREMOTEIO when it refused (its code and message in @e), or another
 * -errno when it could not be asked: then the view's "error" says why
 * and every later call of this view fails at once.
 */
static int view_call(struct csafs_pseudo *p, struct json_object *view,
		     const char *op, const char *name,
		     struct json_object **result, struct csa_client_err *e)
{
	struct json_object *req;
	int ret;

	*e = (struct csa_client_err){ 0 };
	if (json_object_object_get_ex(view, "error", NULL))
		return -EHOSTDOWN;
	if (!p->host) {
		set_error(view, "unreachable",
			  "this host has no link to the primary", false);
		return -EHOSTDOWN;
	}
	req = json_object_new_object();
	if (!req)
		return -ENOMEM;
	json_object_object_add(req, "op", json_object_new_string(op));
	if (name)
		json_object_object_add(req, "name", json_object_new_string(name));
	ret = csafs_host_call(p->host, req, result, e);
	if (ret && ret != -EREMOTEIO)
		set_error(view, *e->code ? e->code : "unreachable",
			  *e->msg ? e->msg : strerror(-ret), false);
	csa_client_err_clear(e);
	return ret;
}

/* A list op's array member into the view; a refusal is said as an error. */
static void fetch_list(struct csafs_pseudo *p, struct json_object *view,
		       const char *op, const char *member)
{
	struct json_object *r = NULL, *list;
	struct csa_client_err e;
	char msg[sizeof(e.msg) + 64];

	if (view_call(p, view, op, NULL, &r, &e)) {
		if (*e.code && !json_object_object_get_ex(view, "error", NULL)) {
			snprintf(msg, sizeof(msg), "%s: %s", op, e.msg);
			set_error(view, e.code, msg, true);
		}
		return;
	}
	list = json_object_object_get(r, member);
	if (json_object_is_type(list, json_type_array))
		json_object_object_add(view, member, json_object_get(list));
	json_object_put(r);
}

/* Replace each summary of @member by its show (name to @op), if it answers. */
static void fetch_details(struct csafs_pseudo *p, struct json_object *view,
			  const char *member, const char *op)
{
	struct json_object *list = pj_arr(view, member), *r;
	struct csa_client_err e;
	size_t i;

	for (i = 0; i < pj_len(list) && i < MAX_DETAIL; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		if (view_call(p, view, op, pj_str(o, "name"), &r, &e))
			continue;	/* gone meanwhile, or refused: the summary stays */
		json_object_array_put_idx(list, i, r);
	}
}

/*
 * migration.list's list as "migrations". A primary without migrations
 * refuses the op: then there is no list, and that is no error of the view.
 */
static void fetch_migrations(struct csafs_pseudo *p, struct json_object *view)
{
	struct json_object *r = NULL, *list;
	struct csa_client_err e;

	if (view_call(p, view, "migration.list", NULL, &r, &e))
		return;
	list = json_object_object_get(r, "migrations");
	if (json_object_is_type(list, json_type_array))
		json_object_object_add(view, "migrations", json_object_get(list));
	json_object_put(r);
}

static struct json_object *local_of(struct csafs_pseudo *p)
{
	struct json_object *local = json_object_new_object();

	if (local && p->local_state)
		p->local_state(p->arg, local);
	return local;
}

/* Totals of @luns per array: reads + writes, and bytes. */
static void sum_array(struct json_object *luns, const char *array,
		      uint64_t *ops, uint64_t *bytes)
{
	size_t i;

	*ops = *bytes = 0;
	for (i = 0; i < pj_len(luns); i++) {
		struct json_object *l = json_object_array_get_idx(luns, i);

		if (strcmp(pj_str(l, "array"), array))
			continue;
		*ops += pj_u64(l, "reads") + pj_u64(l, "writes");
		*bytes += pj_u64(l, "read_bytes") + pj_u64(l, "write_bytes");
	}
}

/* The sample to measure against: the newest 1 s old, else the oldest
 * 100 ms old; lock held. */
static struct rate_sample *baseline(struct csafs_pseudo *p, uint64_t now)
{
	unsigned i;

	for (i = p->nr_samples; i-- > 0;)
		if (now - p->samples[i].ms >= 1000)
			return &p->samples[i];
	if (p->nr_samples && now - p->samples[0].ms >= 100)
		return &p->samples[0];
	return NULL;
}

/*
 * Keep a copy of @luns as a sample, at most one each 250 ms; lock held.
 * A copy, not a reference: json-c's reference counts are not atomic, and
 * the view that holds @luns is put on another thread.
 */
static void keep_sample(struct csafs_pseudo *p, struct json_object *luns,
			uint64_t now)
{
	struct json_object *copy = NULL;

	if (p->nr_samples &&
	    now - p->samples[p->nr_samples - 1].ms < 250)
		return;
	if (json_object_deep_copy(luns, &copy, NULL))
		return;
	if (p->nr_samples == RATE_SAMPLES) {
		json_object_put(p->samples[0].luns);
		memmove(p->samples, p->samples + 1,
			(RATE_SAMPLES - 1) * sizeof(p->samples[0]));
		p->nr_samples--;
	}
	p->samples[p->nr_samples++] = (struct rate_sample){
		.ms = now, .luns = copy };
}

/* "measured": what this host moved per array since the baseline. */
static struct json_object *measure(struct csafs_pseudo *p,
				   struct json_object *luns)
{
	struct json_object *m = json_object_new_object();
	struct json_object *arrays = json_object_new_object();
	uint64_t now = now_ms(), ops, bytes, ops0, bytes0, dt = 0;
	struct rate_sample *base;
	size_t i;

	pthread_mutex_lock(&p->lock);
	base = baseline(p, now);
	if (base)
		dt = now - base->ms;
	for (i = 0; dt && arrays && i < pj_len(luns); i++) {
		const char *a = pj_str(json_object_array_get_idx(luns, i), "array");
		struct json_object *one;

		if (json_object_object_get_ex(arrays, a, NULL))
			continue;
		sum_array(luns, a, &ops, &bytes);
		sum_array(base->luns, a, &ops0, &bytes0);
		one = json_object_new_object();
		json_object_object_add(one, "mbps", json_object_new_uint64(
			bytes > bytes0 ? (bytes - bytes0) * 1000 / dt / 1000000 : 0));
		json_object_object_add(one, "iops", json_object_new_uint64(
			ops > ops0 ? (ops - ops0) * 1000 / dt : 0));
		json_object_object_add(arrays, a, one);
	}
	if (luns)
		keep_sample(p, luns, now);
	pthread_mutex_unlock(&p->lock);
	if (dt)
		json_object_object_add(m, "ms", json_object_new_uint64(dt));
	json_object_object_add(m, "arrays", arrays);
	return m;
}

struct json_object *pseudo_view(struct csafs_pseudo *p, unsigned what,
				const char *volume)
{
	struct json_object *view = json_object_new_object(), *local, *r;
	struct csa_client_err e;

	if (!view)
		return NULL;
	local = local_of(p);
	json_object_object_add(view, "local", local);
	json_object_object_add(view, "measured",
			       measure(p, pj_arr(local, "luns")));
	if ((what & VIEW_STATUS) &&
	    !view_call(p, view, "status", NULL, &r, &e))
		json_object_object_add(view, "status", r);
	if (what & VIEW_ARRAYS)
		fetch_list(p, view, "array.list", "arrays");
	if (what & VIEW_ARRAY_DETAIL)
		fetch_details(p, view, "arrays", "array.show");
	if (what & VIEW_VOLUMES)
		fetch_list(p, view, "volume.list", "volumes");
	if (what & VIEW_VOLUME_DETAIL)
		fetch_details(p, view, "volumes", "volume.show");
	if (what & VIEW_MIGRATIONS)
		fetch_migrations(p, view);
	if (volume && !view_call(p, view, "volume.show", volume, &r, &e))
		json_object_object_add(view, "volume", r);
	return view;
}

/* Is @name among the volumes the local state lists? */
static int local_has(struct csafs_pseudo *p, const char *name)
{
	struct json_object *local = local_of(p);
	struct json_object *vols = pj_arr(local, "volumes");
	int found = 0;
	size_t i;

	for (i = 0; i < pj_len(vols) && !found; i++)
		found = !strcmp(pj_str(json_object_array_get_idx(vols, i),
				       "name"), name);
	json_object_put(local);
	return found;
}

int pseudo_volume_exists(struct csafs_pseudo *p, const char *name)
{
	struct json_object *view = json_object_new_object(), *r = NULL;
	struct csa_client_err e;
	int ret;

	if (!view)
		return 0;
	ret = view_call(p, view, "volume.show", name, &r, &e);
	json_object_put(r);
	json_object_put(view);
	if (!ret)
		return 1;
	if (ret == -EREMOTEIO)
		return 0;	/* not_found, or not visible to this host */
	return local_has(p, name);
}

/* The "name" members of @list, appended to @names. */
static void add_names(struct json_object *names, struct json_object *list)
{
	size_t i;

	for (i = 0; i < pj_len(list); i++)
		json_object_array_add(names, json_object_new_string(
			pj_str(json_object_array_get_idx(list, i), "name")));
}

struct json_object *pseudo_volume_names(struct csafs_pseudo *p)
{
	struct json_object *view = pseudo_view(p, VIEW_VOLUMES, NULL);
	struct json_object *names = json_object_new_array();
	struct json_object *vols = pj_arr(view, "volumes");

	if (!view || !names) {
		json_object_put(view);
		json_object_put(names);
		return NULL;
	}
	if (!vols)
		vols = pj_arr(json_object_object_get(view, "local"), "volumes");
	add_names(names, vols);
	json_object_put(view);
	return names;
}

/* ---- control ------------------------------------------------------------ */

static void run_line(struct csafs_pseudo *p, const char *line,
		     struct pbuf *out)
{
	struct csa_client_err e = { 0 };
	struct json_object *result = NULL;
	struct csafs_cmd cmd;
	int ret;

	csafs_control_parse(line, &cmd);
	if (cmd.kind != CSAFS_CMD_CALL) {
		csafs_control_answer_local(&cmd, out);
		csafs_cmd_clear(&cmd);
		return;
	}
	if (!p->host) {
		csafs_control_answer(&cmd, NULL, "unreachable",
				     "this host has no link to the primary", out);
		csafs_cmd_clear(&cmd);
		return;
	}
	ret = csafs_host_call(p->host, json_object_get(cmd.req), &result, &e);
	if (ret)
		csafs_control_answer(&cmd, NULL, *e.code ? e.code : "failed",
				     *e.msg ? e.msg : strerror(-ret), out);
	else
		csafs_control_answer(&cmd, result, NULL, NULL, out);
	json_object_put(result);
	csa_client_err_clear(&e);
	csafs_cmd_clear(&cmd);
}

void pseudo_control_run(struct csafs_pseudo *p, const char *buf, size_t len,
			struct pbuf *out)
{
	const char *end = buf + len, *nl;
	size_t before = out->len;
	char *line;

	while (buf < end) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		if (!nl)
			nl = end;
		line = strndup(buf, (size_t)(nl - buf));
		if (!line) {
			out->nomem = true;
			return;
		}
		/* Blank lines and "# ..." are nothing to answer. */
		if (line[strspn(line, " \t\r")] && line[strspn(line, " \t\r")] != '#')
			run_line(p, line, out);
		free(line);
		buf = nl + 1;
	}
	if (out->len == before)
		pbuf_puts(out, "error: bad_command: empty command; try help\n");
}
