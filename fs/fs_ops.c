// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FUSE operations on the root directory and on volume files (the
 * data path is in fs_io.c, xattrs in fs_xattr.c). Requests for .csa/ and
 * what is under it go to the pseudo-files (pseudo.h).
 *
 * The root holds one regular file per volume and .csa. Creating a file
 * makes an empty volume, truncate sizes or grows it, rm deletes it; names
 * are fixed (rename is refused) and there are no other directories.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/fs.h"

#define ATTR_TIMEOUT	1.0	/* seconds; changes are also pushed */

int csafs_call_errno(int ret, const struct csa_client_err *e,
		     const char *what)
{
	static const struct { const char *code; int err; } map[] = {
		{ "not_found", ENOENT }, { "exists", EEXIST },
		{ "busy", EBUSY }, { "forbidden", EACCES },
		{ "bad_request", EINVAL }, { "needs_migration", EPERM },
		{ "no_space", ENOSPC }, { "no_bandwidth", ENOSPC },
		{ "no_iops", ENOSPC }, { "no_fit", ENOSPC },
		{ "too_few_arrays", ENOSPC }, { "no_arrays", ENOSPC },
		{ "unreachable", EHOSTDOWN }, { "io", EIO },
	};
	size_t i;

	csafs_log(FUSE_LOG_ERR, "%s: %s", what, e->msg[0] ? e->msg :
		  strerror(-ret));
	if (ret != -EREMOTEIO)
		return EHOSTDOWN;	/* the primary went while we asked */
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(e->code, map[i].code))
			return map[i].err;
	return EIO;
}

int csafs_call(struct csafs *fs, struct json_object *req,
	       struct json_object **result, struct csa_client_err *e)
{
	/* Never sent twice: a create whose answer was lost must not come
	 * back as "exists". The host drops a dead connection itself. */
	return csafs_host_call(fs->host, req, result, e);
}

static void root_stat(struct csafs *fs, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = CSAFS_INO_ROOT;
	st->st_mode = S_IFDIR | 0755;
	st->st_nlink = 3;		/* ., .., .csa */
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
}

static void vol_entry(struct csafs *fs, struct csafs_vol *v,
		      struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = v->ino;
	e->generation = 1;
	e->attr_timeout = ATTR_TIMEOUT;
	e->entry_timeout = ATTR_TIMEOUT;
	csafs_vol_stat(fs, v, &e->attr);
}

static struct csafs_handle *handle_of(struct fuse_file_info *fi)
{
	return fi ? (void *)(uintptr_t)fi->fh : NULL;
}

/*
 * The volume of @ino, with a reference: from the table, or from the open
 * file (a deleted volume still has its handles).
 */
static struct csafs_vol *vol_of(struct csafs *fs, fuse_ino_t ino,
				struct fuse_file_info *fi)
{
	struct csafs_handle *h = handle_of(fi);
	struct csafs_vol *v = csafs_vol_by_ino(fs, ino);

	if (!v && h && h->vol->ino == ino) {
		v = h->vol;
		pthread_mutex_lock(&fs->lock);
		v->refs++;
		pthread_mutex_unlock(&fs->lock);
	}
	return v;
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* Large requests: the striper spreads each over the columns. */
	conn->max_write = CSAFS_IO_MAX;
	conn->max_read = CSAFS_IO_MAX;
	conn->max_readahead = CSAFS_IO_MAX;
	conn->max_background = 64;
	conn->congestion_threshold = 48;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_ASYNC_DIO)
		conn->want |= FUSE_CAP_ASYNC_DIO;
	conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			FUSE_CAP_SPLICE_MOVE);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct csafs *fs = csafs_of(req);
	struct fuse_entry_param e;
	struct csafs_vol *v;

	if (csafs_pseudo_owns(parent) ||
	    (parent == CSAFS_INO_ROOT && !strcmp(name, ".csa"))) {
		csafs_pseudo_lookup(fs->pseudo, req, parent, name);
		return;
	}
	if (parent != CSAFS_INO_ROOT) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	v = csafs_vol_by_name(fs, name);
	if (!v) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	vol_entry(fs, v, &e);
	csafs_vol_put(fs, v);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_vol *v;
	struct stat st;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_getattr(fs->pseudo, req, ino, fi);
		return;
	}
	if (ino == CSAFS_INO_ROOT) {
		root_stat(fs, &st);
		fuse_reply_attr(req, &st, ATTR_TIMEOUT);
		return;
	}
	v = vol_of(fs, ino, fi);
	if (!v) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	csafs_vol_stat(fs, v, &st);
	csafs_vol_put(fs, v);
	fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

/*
 * volume.set {size}: the primary places or grows it, and zeroes the new
 * space before any map names it; then the new map.
 */
static int grow(struct csafs *fs, struct csafs_vol *v, uint64_t size)
{
	struct json_object *req = json_object_new_object(), *r = NULL;
	struct csafs_notes notes = { 0 };
	struct csa_client_err e;
	char what[128];
	int ret;

	json_object_object_add(req, "op", json_object_new_string("volume.set"));
	json_object_object_add(req, "name", json_object_new_string(v->name));
	json_object_object_add(req, "size", json_object_new_uint64(size));
	pthread_mutex_lock(&fs->refresh_lock);
	ret = csafs_call(fs, req, &r, &e);
	if (!ret)
		ret = csafs_vols_apply(fs, r, &notes);
	else {
		snprintf(what, sizeof(what), "truncate %s to %llu bytes",
			 v->name, (unsigned long long)size);
		ret = -csafs_call_errno(ret, &e, what);
	}
	pthread_mutex_unlock(&fs->refresh_lock);
	/* The reply to this request carries the new size to the kernel. */
	csafs_notes_free(&notes);
	json_object_put(r);
	csa_client_err_clear(&e);
	return ret;
}

static int set_size(struct csafs *fs, struct csafs_vol *v, uint64_t size)
{
	uint64_t cur;

	pthread_mutex_lock(&fs->lock);
	cur = v->size;
	pthread_mutex_unlock(&fs->lock);
	if (size == cur)
		return 0;	/* also truncate -s 0 of an empty volume */
	if (size > cur)
		return grow(fs, v, size);
	csafs_log(FUSE_LOG_ERR, "truncate %s to %llu bytes: a volume cannot shrink (it has %llu); delete it and make a new one",
		  v->name, (unsigned long long)size, (unsigned long long)cur);
	return -EPERM;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_vol *v;
	struct stat st;
	bool gone;
	int ret = 0;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_setattr(fs->pseudo, req, ino, attr, to_set, fi);
		return;
	}
	/* Owner and mode are fixed; times are accepted and not kept (touch). */
	if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
		      FUSE_SET_ATTR_GID)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	if (ino == CSAFS_INO_ROOT) {
		root_stat(fs, &st);
		fuse_reply_attr(req, &st, ATTR_TIMEOUT);
		return;
	}
	v = vol_of(fs, ino, fi);
	if (!v) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	gone = v->gone;
	pthread_mutex_unlock(&fs->lock);
	if (gone)
		ret = -ENOENT;
	else if (to_set & FUSE_SET_ATTR_SIZE)
		ret = set_size(fs, v, (uint64_t)attr->st_size);
	csafs_vol_stat(fs, v, &st);
	csafs_vol_put(fs, v);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

/* ---- the root directory -------------------------------------------- */

struct dir_entry {
	char name[CSA_VOLUME_NAME_MAX];
	fuse_ino_t ino;
	mode_t mode;
};

/* What opendir saw, so that readdir at any offset lists the same. */
struct dir_snap {
	size_t n;
	struct dir_entry e[];
};

static void snap_add(struct dir_snap *d, const char *name, fuse_ino_t ino,
		     mode_t mode)
{
	struct dir_entry *e = &d->e[d->n++];

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->ino = ino;
	e->mode = mode;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_vol *v;
	struct dir_snap *d;
	size_t n = 0;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_opendir(fs->pseudo, req, ino, fi);
		return;
	}
	if (ino != CSAFS_INO_ROOT) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	for (v = fs->vols; v; v = v->next)
		n++;
	d = malloc(sizeof(*d) + (n + 3) * sizeof(d->e[0]));
	if (d) {
		d->n = 0;
		snap_add(d, ".", CSAFS_INO_ROOT, S_IFDIR);
		snap_add(d, "..", CSAFS_INO_ROOT, S_IFDIR);
		snap_add(d, ".csa", CSAFS_INO_CSA, S_IFDIR);
		for (v = fs->vols; v; v = v->next)
			snap_add(d, v->name, v->ino, S_IFREG);
	}
	pthread_mutex_unlock(&fs->lock);
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi->fh = (uintptr_t)d;
	fuse_reply_open(req, fi);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct dir_snap *d = (void *)(uintptr_t)fi->fh;
	size_t used = 0, len;
	struct stat st = { 0 };
	char *buf;
	size_t i;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_readdir(fs->pseudo, req, ino, size, off, fi);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = off > 0 ? (size_t)off : 0; i < d->n; i++) {
		st.st_ino = d->e[i].ino;
		st.st_mode = d->e[i].mode;
		len = fuse_add_direntry(req, buf + used, size - used,
					d->e[i].name, &st, (off_t)i + 1);
		if (len > size - used)
			break;
		used += len;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_releasedir(fs->pseudo, req, ino, fi);
		return;
	}
	free((void *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* ---- open and release ------------------------------------------------- */

/*
 * A handle on @v (taking the caller's reference), its map built. By
 * default no page cache: a write on one host is read on another at once.
 * With -o cache, a volume only this host may use is cached.
 */
static int vol_open(struct csafs *fs, struct csafs_vol *v,
		    struct fuse_file_info *fi)
{
	struct csafs_handle *h = calloc(1, sizeof(*h));
	struct csafs_map *m;
	bool cached;
	int ret;

	if (!h)
		return -ENOMEM;
	pthread_mutex_lock(&fs->lock);
	v->open++;
	cached = fs->o->cache && v->only_us;
	pthread_mutex_unlock(&fs->lock);
	m = csafs_map_get(fs, v, true, &ret);
	csafs_map_put(fs, m);
	if (ret) {
		pthread_mutex_lock(&fs->lock);
		v->open--;
		pthread_mutex_unlock(&fs->lock);
		free(h);
		return -EIO;	/* why was logged */
	}
	h->vol = v;
	h->flags = fi->flags;
	fi->fh = (uintptr_t)h;
	/* O_TRUNC is ignored, as on a disk: only truncate(2) resizes. */
	if (cached && !(fi->flags & O_DIRECT))
		fi->keep_cache = 1;
	else
		fi->direct_io = 1;
	csafs_host_report_now(fs->host);
	return 0;
}

static void handle_close(struct csafs *fs, struct csafs_handle *h)
{
	struct csafs_vol *v = h->vol;
	bool last;

	pthread_mutex_lock(&fs->lock);
	last = --v->open == 0;
	pthread_mutex_unlock(&fs->lock);
	/* LUNs are logged out when no file of the volume is open. */
	if (last) {
		csafs_map_drop(fs, v);
		csafs_host_report_now(fs->host);
	}
	csafs_vol_put(fs, v);
	free(h);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct csafs_vol *v;
	int ret;

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_open(fs->pseudo, req, ino, fi);
		return;
	}
	if (ino == CSAFS_INO_ROOT) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	v = csafs_vol_by_ino(fs, ino);
	if (!v) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	ret = vol_open(fs, v, fi);
	if (ret) {
		csafs_vol_put(fs, v);
		fuse_reply_err(req, -ret);
		return;
	}
	/* An open the caller gave up on gets no release: undo it here. */
	if (fuse_reply_open(req, fi))
		handle_close(fs, handle_of(fi));
}

static void op_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_release(fs->pseudo, req, ino, fi);
		return;
	}
	handle_close(fs, handle_of(fi));
	fuse_reply_err(req, 0);
}

/* ---- create, delete --------------------------------------------------- */

/* volume.create {name, size 0}: an empty volume that asks for nothing yet. */
static int make_volume(struct csafs *fs, const char *name)
{
	struct json_object *req = json_object_new_object(), *r = NULL;
	struct csafs_notes notes = { 0 };
	struct csa_client_err e;
	char what[128];
	int ret;

	json_object_object_add(req, "op", json_object_new_string("volume.create"));
	json_object_object_add(req, "name", json_object_new_string(name));
	json_object_object_add(req, "size", json_object_new_uint64(0));
	pthread_mutex_lock(&fs->refresh_lock);
	ret = csafs_call(fs, req, &r, &e);
	if (!ret)
		ret = csafs_vols_apply(fs, r, &notes);
	else {
		snprintf(what, sizeof(what), "create %s", name);
		ret = -csafs_call_errno(ret, &e, what);
	}
	pthread_mutex_unlock(&fs->refresh_lock);
	csafs_notes_free(&notes);	/* the kernel knows nothing of it yet */
	json_object_put(r);
	csa_client_err_clear(&e);
	return ret;
}

static int check_new_name(fuse_ino_t parent, const char *name)
{
	if (parent != CSAFS_INO_ROOT)
		return csafs_pseudo_owns(parent) ? -EPERM : -ENOTDIR;
	if (!strcmp(name, ".csa"))
		return -EEXIST;
	return 0;
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	struct csafs *fs = csafs_of(req);
	struct fuse_entry_param e;
	struct csafs_vol *v;
	int ret;

	(void)rdev;
	ret = check_new_name(parent, name);
	if (!ret && !S_ISREG(mode))
		ret = -EPERM;	/* volumes are files, nothing else */
	if (!ret)
		ret = make_volume(fs, name);
	v = ret ? NULL : csafs_vol_by_name(fs, name);
	if (!v) {
		fuse_reply_err(req, ret ? -ret : ENOENT);
		return;
	}
	vol_entry(fs, v, &e);
	csafs_vol_put(fs, v);
	fuse_reply_entry(req, &e);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct csafs *fs = csafs_of(req);
	struct fuse_entry_param e;
	struct csafs_vol *v;
	int ret;

	(void)mode;
	ret = check_new_name(parent, name);
	if (!ret)
		ret = make_volume(fs, name);
	v = ret ? NULL : csafs_vol_by_name(fs, name);
	if (!v) {
		fuse_reply_err(req, ret ? -ret : ENOENT);
		return;
	}
	vol_entry(fs, v, &e);
	ret = vol_open(fs, v, fi);
	if (ret) {
		csafs_vol_put(fs, v);
		fuse_reply_err(req, -ret);
		return;
	}
	if (fuse_reply_create(req, &e, fi))
		handle_close(fs, handle_of(fi));
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct csafs *fs = csafs_of(req);
	struct json_object *r = NULL, *rq;
	struct csafs_notes notes = { 0 };
	struct csa_client_err e;
	char what[128];
	int ret;

	ret = check_new_name(parent, name);
	if (ret == -EEXIST)
		ret = -EPERM;
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	rq = json_object_new_object();
	json_object_object_add(rq, "op", json_object_new_string("volume.delete"));
	json_object_object_add(rq, "name", json_object_new_string(name));
	pthread_mutex_lock(&fs->refresh_lock);
	ret = csafs_call(fs, rq, &r, &e);
	if (!ret || (ret == -EREMOTEIO && !strcmp(e.code, "not_found")))
		csafs_vols_remove(fs, name, &notes);
	if (ret) {
		snprintf(what, sizeof(what), "rm %s", name);
		ret = -csafs_call_errno(ret, &e, what);
	}
	pthread_mutex_unlock(&fs->refresh_lock);
	/* The kernel drops the name itself once this is answered. */
	csafs_notes_free(&notes);
	json_object_put(r);
	csa_client_err_clear(&e);
	fuse_reply_err(req, -ret);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	/* A volume's name is how every host and the primary know it. */
	fuse_reply_err(req, EPERM);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EPERM);
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	struct csafs *fs = csafs_of(req);

	if (csafs_pseudo_owns(ino)) {
		csafs_pseudo_poll(fs->pseudo, req, ino, fi, ph);
		return;
	}
	fuse_pollhandle_destroy(ph);
	fuse_reply_err(req, ENOSYS);	/* always ready, as a disk is */
}

const struct fuse_lowlevel_ops csafs_ops = {
	.init		= op_init,
	.lookup		= op_lookup,
	.getattr	= op_getattr,
	.setattr	= op_setattr,
	.mknod		= op_mknod,
	.mkdir		= op_mkdir,
	.unlink		= op_unlink,
	.rename		= op_rename,
	.open		= op_open,
	.read		= csafs_read,
	.write		= csafs_write,
	.flush		= csafs_flush,
	.release	= op_release,
	.fsync		= csafs_fsync,
	.opendir	= op_opendir,
	.readdir	= op_readdir,
	.releasedir	= op_releasedir,
	.setxattr	= csafs_setxattr,
	.getxattr	= csafs_getxattr,
	.listxattr	= csafs_listxattr,
	.removexattr	= csafs_removexattr,
	.create		= op_create,
	.poll		= op_poll,
};
