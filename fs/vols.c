// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The volume table: what the primary says this host may use, one entry per
 * volume, kept fresh from volume.list / volume.show whenever the primary
 * pushes a change, and the inode number of each name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/fs.h"

/* What one VOLUME object says, parsed before any lock is taken. */
struct vol_info {
	const char *name;
	bool empty;
	uint64_t size, mbps, iops, copies, stripe_unit;
	char *hosts;
	bool only_us;
	struct csa_layout *layout;
	char *layout_text;
	struct csa_layout *mig_to;
};

void csafs_vols_init(struct csafs *fs)
{
	pthread_mutex_init(&fs->refresh_lock, NULL);
	pthread_mutex_init(&fs->lock, NULL);
	pthread_cond_init(&fs->reaped, NULL);
}

/* ---- inode numbers and references -------------------------------------- */

/* The number of @name, the same for the life of the daemon; lock held. */
static fuse_ino_t ino_for_name(struct csafs *fs, const char *name)
{
	struct csafs_ino *n;
	size_t i;

	for (i = 0; i < fs->nr_inos; i++)
		if (!strcmp(fs->inos[i].name, name))
			return fs->inos[i].ino;
	if (fs->nr_inos == fs->max_inos) {
		size_t max = fs->max_inos ? fs->max_inos * 2 : 64;

		n = realloc(fs->inos, max * sizeof(*n));
		if (!n)
			return 0;
		fs->inos = n;
		fs->max_inos = max;
	}
	n = &fs->inos[fs->nr_inos];
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->ino = CSAFS_INO_VOLUME_BASE + fs->nr_inos;
	fs->nr_inos++;
	return n->ino;
}

static void vol_free(struct csafs_vol *v)
{
	csa_layout_free(v->mig_to);
	csa_layout_free(v->layout);
	free(v->layout_text);
	free(v->hosts);
	pthread_mutex_destroy(&v->map_lock);
	free(v);
}

void csafs_vol_put(struct csafs *fs, struct csafs_vol *v)
{
	bool last;

	if (!v)
		return;
	pthread_mutex_lock(&fs->lock);
	last = --v->refs == 0;
	pthread_mutex_unlock(&fs->lock);
	if (last)
		vol_free(v);
}

/* lock held */
static struct csafs_vol *find_name(struct csafs *fs, const char *name)
{
	struct csafs_vol *v;

	for (v = fs->vols; v; v = v->next)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

struct csafs_vol *csafs_vol_by_name(struct csafs *fs, const char *name)
{
	struct csafs_vol *v;

	pthread_mutex_lock(&fs->lock);
	v = find_name(fs, name);
	if (v)
		v->refs++;
	pthread_mutex_unlock(&fs->lock);
	return v;
}

struct csafs_vol *csafs_vol_by_ino(struct csafs *fs, fuse_ino_t ino)
{
	struct csafs_vol *v;

	pthread_mutex_lock(&fs->lock);
	for (v = fs->vols; v; v = v->next)
		if (v->ino == ino)
			break;
	if (v)
		v->refs++;
	pthread_mutex_unlock(&fs->lock);
	return v;
}

/* A new entry in the table, with the table's reference; lock held. */
static struct csafs_vol *vol_new(struct csafs *fs, const char *name)
{
	struct csafs_vol *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->ino = ino_for_name(fs, name);
	if (!v->ino) {
		free(v);
		return NULL;
	}
	v->refs = 1;
	v->empty = true;
	v->hosts = strdup("");
	v->layout_text = strdup("null");
	pthread_mutex_init(&v->map_lock, NULL);
	if (!v->hosts || !v->layout_text) {
		vol_free(v);
		return NULL;
	}
	v->next = fs->vols;
	fs->vols = v;
	return v;
}

void csafs_vol_stat(struct csafs *fs, struct csafs_vol *v, struct stat *st)
{
	uint64_t size;

	pthread_mutex_lock(&fs->lock);
	size = v->size;
	pthread_mutex_unlock(&fs->lock);
	memset(st, 0, sizeof(*st));
	st->st_ino = v->ino;
	st->st_mode = S_IFREG | 0660;
	st->st_nlink = 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_size = (off_t)size;
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
	st->st_blksize = CSAFS_IO_MAX;
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
}

/* ---- notifications --------------------------------------------------- */

static void note_add(struct csafs_notes *n, bool entry, fuse_ino_t ino,
		     const char *name)
{
	struct csafs_note *v;

	if (n->n == n->max) {
		size_t max = n->max ? n->max * 2 : 16;

		v = realloc(n->v, max * sizeof(*v));
		if (!v)
			return;	/* the attribute timeout will do it later */
		n->v = v;
		n->max = max;
	}
	v = &n->v[n->n++];
	v->entry = entry;
	v->ino = ino;
	snprintf(v->name, sizeof(v->name), "%s", name);
}

void csafs_notes_send(struct csafs *fs, struct csafs_notes *notes)
{
	bool mounted;
	size_t i;

	pthread_mutex_lock(&fs->lock);
	mounted = fs->mounted;
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; mounted && i < notes->n; i++) {
		struct csafs_note *n = &notes->v[i];

		/* -ENOENT: the kernel had nothing cached. Nothing to do. */
		if (n->entry)
			fuse_lowlevel_notify_inval_entry(fs->se, CSAFS_INO_ROOT,
							 n->name,
							 strlen(n->name));
		else
			fuse_lowlevel_notify_inval_inode(fs->se, n->ino, 0, 0);
	}
	csafs_notes_free(notes);
}

void csafs_notes_free(struct csafs_notes *notes)
{
	free(notes->v);
	memset(notes, 0, sizeof(*notes));
}

/* ---- taking in what the primary says -------------------------------- */

static uint64_t get_u64(struct json_object *o, const char *key)
{
	return json_object_get_uint64(json_object_object_get(o, key));
}

/* "h1,h2" from the hosts array, and whether it names only us. */
static int parse_hosts(struct csafs *fs, struct json_object *list,
		       struct vol_info *vi)
{
	size_t i, n, len = 1;
	char *s;

	/* json-c asserts on a list that is not one: never trust the wire. */
	if (!json_object_is_type(list, json_type_array))
		list = NULL;
	n = list ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++)
		len += strlen(json_object_get_string(
			json_object_array_get_idx(list, i)) ?: "") + 1;
	s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, json_object_get_string(
			json_object_array_get_idx(list, i)) ?: "");
	}
	vi->hosts = s;
	vi->only_us = n == 1 && !strcmp(s, csafs_host_name(fs->host));
	return 0;
}

static int parse_layout(struct json_object *o, struct vol_info *vi)
{
	char err[512];
	int ret;

	if (!o || json_object_get_type(o) != json_type_object) {
		vi->layout_text = strdup("null");
		return vi->layout_text ? 0 : -ENOMEM;
	}
	ret = csa_layout_from_json(json_object_to_json_string_ext(o,
					JSON_C_TO_STRING_PLAIN),
				   &vi->layout, err, sizeof(err));
	if (ret) {
		csafs_log(FUSE_LOG_ERR, "volume %s: the primary's layout is refused: %s",
			  vi->name, err);
		return ret;
	}
	vi->layout_text = csa_layout_to_json(vi->layout);
	return vi->layout_text ? 0 : -ENOMEM;
}

/* A migration's target layout, with its region states; none: NULL. */
static int parse_target(struct json_object *mig, struct vol_info *vi)
{
	struct json_object *o = json_object_object_get(mig, "layout");
	char err[512];
	int ret;

	if (!mig || !o || json_object_get_type(o) != json_type_object)
		return 0;
	ret = csa_layout_from_json(json_object_to_json_string_ext(o,
					JSON_C_TO_STRING_PLAIN),
				   &vi->mig_to, err, sizeof(err));
	if (ret)
		csafs_log(FUSE_LOG_ERR, "volume %s: the primary's migration target is refused: %s",
			  vi->name, err);
	return ret;
}

static void info_free(struct vol_info *vi)
{
	csa_layout_free(vi->mig_to);
	csa_layout_free(vi->layout);
	free(vi->layout_text);
	free(vi->hosts);
}

static int parse_volume(struct csafs *fs, struct json_object *o,
			struct vol_info *vi)
{
	struct json_object *hosts = json_object_object_get(o, "hosts");
	struct json_object *su = json_object_object_get(o,
						"requested_stripe_unit");
	int ret;

	memset(vi, 0, sizeof(*vi));
	vi->name = json_object_get_string(json_object_object_get(o, "name"));
	if (!vi->name || !*vi->name ||
	    strlen(vi->name) >= CSA_VOLUME_NAME_MAX)
		return -EINVAL;
	vi->empty = !strcmp(json_object_get_string(
			json_object_object_get(o, "state")) ?: "", "empty");
	vi->size = get_u64(o, "size");
	vi->mbps = get_u64(o, "mbps");
	vi->iops = get_u64(o, "iops");
	vi->copies = get_u64(o, "copies");
	/* An empty volume has no stripe unit yet, only the one it asks for. */
	vi->stripe_unit = vi->empty && su ? json_object_get_uint64(su) :
					    get_u64(o, "stripe_unit");
	ret = parse_hosts(fs, hosts, vi);
	if (!ret)
		ret = parse_layout(json_object_object_get(o, "layout"), vi);
	if (!ret)
		ret = parse_target(json_object_object_get(o, "migration"), vi);
	if (!ret && !vi->empty && (!vi->layout || vi->layout->size < vi->size)) {
		csafs_log(FUSE_LOG_ERR, "volume %s: sized %llu bytes but its layout holds %llu",
			  vi->name, (unsigned long long)vi->size,
			  (unsigned long long)(vi->layout ? vi->layout->size : 0));
		ret = -EINVAL;
	}
	if (ret)
		info_free(vi);
	return ret;
}

static bool same_layout(const struct csa_layout *a, const struct csa_layout *b)
{
	if (!a || !b)
		return a == b;
	return csa_layout_equal(a, b);
}

/* Fields into @v; lock held. True if the layout changed (a new map);
 * only the target's region states changing is not. */
static bool vol_take(struct csafs_vol *v, struct vol_info *vi,
		     struct csafs_notes *notes)
{
	bool changed = !same_layout(v->layout, vi->layout) ||
		       !csafs_same_place(v->mig_to, vi->mig_to);

	if (v->size != vi->size)
		note_add(notes, false, v->ino, v->name);
	v->empty = vi->empty;
	v->size = vi->size;
	v->mbps = vi->mbps;
	v->iops = vi->iops;
	v->copies = vi->copies;
	v->stripe_unit = vi->stripe_unit;
	v->only_us = vi->only_us;
	free(v->hosts);
	v->hosts = vi->hosts;
	vi->hosts = NULL;
	csa_layout_free(v->mig_to);
	v->mig_to = vi->mig_to;
	vi->mig_to = NULL;
	if (changed) {
		csa_layout_free(v->layout);
		free(v->layout_text);
		v->layout = vi->layout;
		v->layout_text = vi->layout_text;
		vi->layout = NULL;
		vi->layout_text = NULL;
		v->map_generation++;
	}
	return changed;
}

int csafs_vols_apply(struct csafs *fs, struct json_object *o,
		     struct csafs_notes *notes)
{
	struct csafs_vol *v;
	struct vol_info vi;
	bool changed;
	int ret;

	ret = parse_volume(fs, o, &vi);
	if (ret)
		return ret;
	pthread_mutex_lock(&fs->lock);
	v = find_name(fs, vi.name);
	if (!v)
		v = vol_new(fs, vi.name);
	if (v)
		v->refs++;
	pthread_mutex_unlock(&fs->lock);
	if (!v) {
		info_free(&vi);
		return -ENOMEM;
	}
	/* The layout changes under map_lock: a map being built reads it. */
	pthread_mutex_lock(&v->map_lock);
	pthread_mutex_lock(&fs->lock);
	changed = vol_take(v, &vi, notes);
	pthread_mutex_unlock(&fs->lock);
	if (changed)
		csafs_map_renew(fs, v);
	else
		csafs_mig_sync(fs, v);
	pthread_mutex_unlock(&v->map_lock);
	info_free(&vi);
	csafs_vol_put(fs, v);
	return 0;
}

/* Out of the table; refresh_lock held. */
static void vol_remove(struct csafs *fs, const char *name,
		       struct csafs_notes *notes)
{
	struct csafs_vol **pv, *v;

	pthread_mutex_lock(&fs->lock);
	for (pv = &fs->vols; *pv; pv = &(*pv)->next)
		if (!strcmp((*pv)->name, name))
			break;
	v = *pv;
	if (v) {
		*pv = v->next;
		v->next = NULL;
		v->gone = true;
	}
	pthread_mutex_unlock(&fs->lock);
	if (!v)
		return;
	note_add(notes, true, v->ino, v->name);
	csafs_map_drop(fs, v);
	csafs_vol_put(fs, v);		/* the table's */
}

void csafs_vols_remove(struct csafs *fs, const char *name,
		       struct csafs_notes *notes)
{
	vol_remove(fs, name, notes);
}

/* volume.show @name; 0 with *@out, or as csafs_host_call. */
static int show(struct csafs *fs, const char *name, struct json_object **out,
		struct csa_client_err *e)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "op", json_object_new_string("volume.show"));
	json_object_object_add(req, "name", json_object_new_string(name));
	return csafs_call(fs, req, out, e);
}

static bool not_found(int ret, const struct csa_client_err *e)
{
	return ret == -EREMOTEIO && !strcmp(e->code, "not_found");
}

void csafs_vols_refresh(struct csafs *fs, const char *name)
{
	struct csafs_notes notes = { 0 };
	struct json_object *r = NULL;
	struct csa_client_err e;
	int ret;

	pthread_mutex_lock(&fs->refresh_lock);
	ret = show(fs, name, &r, &e);
	if (!ret)
		csafs_vols_apply(fs, r, &notes);
	else if (not_found(ret, &e))
		vol_remove(fs, name, &notes);
	else
		csafs_log(FUSE_LOG_WARNING, "volume %s changed, but its new map could not be read: %s",
			  name, e.msg);
	pthread_mutex_unlock(&fs->refresh_lock);
	json_object_put(r);
	csa_client_err_clear(&e);
	csafs_notes_send(fs, &notes);
}

static bool listed(struct json_object *list, const char *name)
{
	size_t i, n = json_object_array_length(list);

	for (i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(json_object_object_get(
			json_object_array_get_idx(list, i), "name")) ?: "", name))
			return true;
	return false;
}

/* Every volume in the table that @list does not name goes. */
static void remove_unlisted(struct csafs *fs, struct json_object *list,
			    struct csafs_notes *notes)
{
	char name[CSA_VOLUME_NAME_MAX];
	struct csafs_vol *v;

	for (;;) {
		pthread_mutex_lock(&fs->lock);
		for (v = fs->vols; v; v = v->next)
			if (!listed(list, v->name))
				break;
		if (v)
			snprintf(name, sizeof(name), "%s", v->name);
		pthread_mutex_unlock(&fs->lock);
		if (!v)
			return;
		vol_remove(fs, name, notes);
	}
}

static int load_locked(struct csafs *fs, struct csafs_notes *notes,
		       char *err, size_t errlen)
{
	struct json_object *req = json_object_new_object(), *r = NULL, *one;
	struct json_object *list;
	struct csa_client_err e;
	const char *name;
	size_t i;
	int ret;

	json_object_object_add(req, "op", json_object_new_string("volume.list"));
	ret = csafs_call(fs, req, &r, &e);
	list = json_object_object_get(r, "volumes");
	if (!ret && !json_object_is_type(list, json_type_array)) {
		snprintf(e.msg, sizeof(e.msg), "the primary's volume list is not a list");
		ret = -EPROTO;
	}
	for (i = 0; !ret && i < json_object_array_length(list); i++) {
		name = json_object_get_string(json_object_object_get(
				json_object_array_get_idx(list, i), "name"));
		csa_client_err_clear(&e);
		one = NULL;
		ret = show(fs, name ?: "", &one, &e);
		if (!ret && csafs_vols_apply(fs, one, notes))
			/* One bad volume does not hide the others. */
			csafs_log(FUSE_LOG_ERR, "volume %s is left as it was: what the primary says of it cannot be used",
				  name);
		else if (not_found(ret, &e))
			ret = 0;	/* deleted since the list: gone below */
		json_object_put(one);
	}
	if (!ret)
		remove_unlisted(fs, list, notes);
	else
		snprintf(err, errlen, "%s", e.msg);
	json_object_put(r);
	csa_client_err_clear(&e);
	return ret;
}

int csafs_vols_load(struct csafs *fs, char *err, size_t errlen)
{
	struct csafs_notes notes = { 0 };
	int ret;

	pthread_mutex_lock(&fs->refresh_lock);
	ret = load_locked(fs, &notes, err, errlen);
	pthread_mutex_unlock(&fs->refresh_lock);
	csafs_notes_send(fs, &notes);
	return ret;
}

/* ---- what the host reports ------------------------------------------- */

void csafs_vols_open_names(struct csafs *fs, struct json_object *out)
{
	struct csafs_vol *v;

	pthread_mutex_lock(&fs->lock);
	for (v = fs->vols; v; v = v->next)
		if (v->open)
			json_object_array_add(out,
					      json_object_new_string(v->name));
	pthread_mutex_unlock(&fs->lock);
}

void csafs_vols_counters(struct csafs *fs, struct json_object *out)
{
	struct json_object *o;
	struct csafs_vol *v;

	pthread_mutex_lock(&fs->lock);
	for (v = fs->vols; v; v = v->next) {
		if (!v->reads && !v->writes)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(v->name));
		json_object_object_add(o, "reads", json_object_new_uint64(v->reads));
		json_object_object_add(o, "writes", json_object_new_uint64(v->writes));
		json_object_object_add(o, "read_bytes", json_object_new_uint64(v->read_bytes));
		json_object_object_add(o, "write_bytes", json_object_new_uint64(v->write_bytes));
		json_object_array_add(out, o);
	}
	pthread_mutex_unlock(&fs->lock);
}

void csafs_vols_local_state(struct csafs *fs, struct json_object *out)
{
	struct json_object *vols = json_object_new_array(), *o;
	struct json_object *luns = json_object_new_array();
	struct csafs_vol *v;

	pthread_mutex_lock(&fs->lock);
	for (v = fs->vols; v; v = v->next) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(v->name));
		json_object_object_add(o, "size", json_object_new_uint64(v->size));
		json_object_object_add(o, "open", json_object_new_uint64(v->open));
		json_object_object_add(o, "map_generation",
				       json_object_new_uint64(v->map_generation));
		json_object_array_add(vols, o);
	}
	pthread_mutex_unlock(&fs->lock);
	csafs_luns_report(fs->luns, luns, false);
	json_object_object_add(out, "host",
			       json_object_new_string(csafs_host_name(fs->host)));
	json_object_object_add(out, "primary",
			       json_object_new_string(fs->o->primary));
	json_object_object_add(out, "connected",
			       json_object_new_boolean(csafs_host_connected(fs->host)));
	json_object_object_add(out, "volumes", vols);
	json_object_object_add(out, "luns", luns);
}

void csafs_vols_fini(struct csafs *fs)
{
	struct csafs_vol *v;

	while (fs->vols) {
		v = fs->vols;
		fs->vols = v->next;
		csafs_vol_put(fs, v);
	}
	free(fs->inos);
	pthread_cond_destroy(&fs->reaped);
	pthread_mutex_destroy(&fs->lock);
	pthread_mutex_destroy(&fs->refresh_lock);
}
