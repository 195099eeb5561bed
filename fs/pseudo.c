// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MOUNT/.csa/ (pseudo.h): inodes, directories and the FUSE handlers.
 *
 * Every file is opened with direct_io: its content is made at open (or,
 * for events and control, as it comes), so the page cache must not serve
 * an older one, and the size the kernel knows does not bound the reads.
 * getattr on an open file gives the size of that file's content, so that
 * `tail status` and `wc -c` find it; without a file it is 0, as for
 * /proc files, except for events, whose size is the bytes logged so far
 * (tail -f compares it with where it is).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/pseudo_priv.h"

#define DIR_TIMEOUT	3600.0	/* fixed entries never change */
#define VOLUME_TIMEOUT	1.0	/* volumes come and go */
#define MAX_WRITE	(64u << 10)	/* a control write: command lines */
#define MAX_ANSWER	(1u << 20)	/* answers kept while nobody reads */

struct node {
	fuse_ino_t ino;
	const char *name;
	fuse_ino_t parent;
	mode_t mode;
};

static const struct node nodes[] = {
	{ CSAFS_INO_CSA, ".csa", CSAFS_INO_ROOT, S_IFDIR | 0555 },
	{ INO_STATUS, "status", CSAFS_INO_CSA, S_IFREG | 0444 },
	{ INO_ARRAYS, "arrays", CSAFS_INO_CSA, S_IFREG | 0444 },
	{ INO_VOLUMES, "volumes", CSAFS_INO_CSA, S_IFDIR | 0555 },
	{ INO_EVENTS, "events", CSAFS_INO_CSA, S_IFREG | 0444 },
	{ INO_CONTROL, "control", CSAFS_INO_CSA, S_IFREG | 0644 },
	{ INO_METRICS, "metrics", CSAFS_INO_CSA, S_IFREG | 0444 },
};
#define NR_NODES	(sizeof(nodes) / sizeof(nodes[0]))

static const struct node *node_of(fuse_ino_t ino)
{
	unsigned i;

	for (i = 0; i < NR_NODES; i++)
		if (nodes[i].ino == ino)
			return &nodes[i];
	return NULL;
}

static struct pfile *pfile_of(struct fuse_file_info *fi)
{
	return fi ? (struct pfile *)(uintptr_t)fi->fh : NULL;
}

/* ---- volumes/<v> inodes ------------------------------------------------ */

/* The inode of volumes/@name, given one the first time; 0 on ENOMEM. */
static fuse_ino_t volume_ino(struct csafs_pseudo *p, const char *name)
{
	fuse_ino_t ino = 0;
	char **names;
	size_t i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nr_names; i++)
		if (!strcmp(p->names[i], name))
			goto found;
	if (INO_VOLUME_FIRST + i >= CSAFS_INO_VOLUME_BASE)
		goto out;
	if (p->nr_names == p->cap_names) {
		names = realloc(p->names, (p->cap_names * 2 + 16) * sizeof(*names));
		if (!names)
			goto out;
		p->names = names;
		p->cap_names = p->cap_names * 2 + 16;
	}
	p->names[i] = strdup(name);
	if (!p->names[i])
		goto out;
	p->nr_names++;
found:
	ino = INO_VOLUME_FIRST + i;
out:
	pthread_mutex_unlock(&p->lock);
	return ino;
}

/* The name of volume inode @ino (a copy to free), or NULL. */
static char *volume_name(struct csafs_pseudo *p, fuse_ino_t ino)
{
	char *name = NULL;

	pthread_mutex_lock(&p->lock);
	if (ino >= INO_VOLUME_FIRST && ino - INO_VOLUME_FIRST < p->nr_names)
		name = strdup(p->names[ino - INO_VOLUME_FIRST]);
	pthread_mutex_unlock(&p->lock);
	return name;
}

static bool is_volume_ino(struct csafs_pseudo *p, fuse_ino_t ino)
{
	bool ret;

	pthread_mutex_lock(&p->lock);
	ret = ino >= INO_VOLUME_FIRST && ino - INO_VOLUME_FIRST < p->nr_names;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* ---- attributes -------------------------------------------------------- */

static int fill_stat(struct csafs_pseudo *p, fuse_ino_t ino,
		     struct pfile *f, struct stat *st)
{
	const struct node *n = node_of(ino);
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = p->uid;
	st->st_gid = p->gid;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = now;
	if (n) {
		st->st_mode = n->mode;
	} else if (is_volume_ino(p, ino)) {
		st->st_mode = S_IFREG | 0444;
	} else {
		return -ENOENT;
	}
	if (S_ISDIR(st->st_mode)) {
		st->st_nlink = ino == CSAFS_INO_CSA ? 3 : 2;
		st->st_mtim = st->st_ctim = p->started;
		return 0;
	}
	st->st_nlink = 1;
	if (ino == INO_EVENTS) {
		pthread_mutex_lock(&p->lock);
		st->st_size = (off_t)csafs_evlog_size(p->log);
		st->st_mtim = st->st_ctim = p->last_event;
		pthread_mutex_unlock(&p->lock);
	} else if (f && f->kind == PF_TEXT) {
		st->st_size = (off_t)f->text.len;
	}
	return 0;
}

/* Attributes may be cached only where they cannot change. */
static double attr_timeout(fuse_ino_t ino)
{
	return ino == CSAFS_INO_CSA || ino == INO_VOLUMES ? DIR_TIMEOUT : 0.0;
}

static void reply_entry(struct csafs_pseudo *p, fuse_req_t req,
			fuse_ino_t ino, double entry_timeout)
{
	struct fuse_entry_param e = { .ino = ino,
				      .attr_timeout = attr_timeout(ino),
				      .entry_timeout = entry_timeout };

	if (fill_stat(p, ino, NULL, &e.attr)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fuse_reply_entry(req, &e);
}

void csafs_pseudo_lookup(struct csafs_pseudo *p, fuse_req_t req,
			 fuse_ino_t parent, const char *name)
{
	fuse_ino_t ino;
	unsigned i;

	for (i = 0; i < NR_NODES; i++)
		if (nodes[i].parent == parent && !strcmp(nodes[i].name, name)) {
			reply_entry(p, req, nodes[i].ino, DIR_TIMEOUT);
			return;
		}
	if (parent != INO_VOLUMES) {
		fuse_reply_err(req, parent == CSAFS_INO_CSA ||
				    parent == CSAFS_INO_ROOT ? ENOENT : ENOTDIR);
		return;
	}
	if (!pseudo_volume_exists(p, name)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	ino = volume_ino(p, name);
	if (!ino)
		fuse_reply_err(req, ENOMEM);
	else
		reply_entry(p, req, ino, VOLUME_TIMEOUT);
}

void csafs_pseudo_getattr(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (fill_stat(p, ino, pfile_of(fi), &st))
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &st, attr_timeout(ino));
}

/*
 * Only control may be truncated (`echo cmd > control` opens it with
 * O_TRUNC) or touched; there is nothing to truncate, so both do nothing.
 */
void csafs_pseudo_setattr(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	const int allowed = FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME |
			    FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
			    FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME;

	if (ino != INO_CONTROL || (to_set & ~allowed) ||
	    ((to_set & FUSE_SET_ATTR_SIZE) && attr->st_size)) {
		fuse_reply_err(req, node_of(ino) || is_volume_ino(p, ino) ?
				    EACCES : ENOENT);
		return;
	}
	csafs_pseudo_getattr(p, req, ino, fi);
}

/* ---- directories ------------------------------------------------------- */

/* A directory's entries as [[name, ino, mode]...], kept open in fi->fh. */
static struct json_object *dir_entry(const char *name, fuse_ino_t ino,
				     mode_t mode)
{
	struct json_object *e = json_object_new_array();

	json_object_array_add(e, json_object_new_string(name));
	json_object_array_add(e, json_object_new_int64((int64_t)ino));
	json_object_array_add(e, json_object_new_int64(mode));
	return e;
}

static struct json_object *list_dir(struct csafs_pseudo *p, fuse_ino_t ino)
{
	struct json_object *list = json_object_new_array(), *names;
	fuse_ino_t parent = ino == INO_VOLUMES ? CSAFS_INO_CSA : CSAFS_INO_ROOT;
	unsigned i;
	size_t k;

	json_object_array_add(list, dir_entry(".", ino, S_IFDIR));
	json_object_array_add(list, dir_entry("..", parent, S_IFDIR));
	for (i = 0; i < NR_NODES; i++)
		if (nodes[i].parent == ino)
			json_object_array_add(list, dir_entry(nodes[i].name,
					      nodes[i].ino, nodes[i].mode));
	if (ino != INO_VOLUMES)
		return list;
	names = pseudo_volume_names(p);
	for (k = 0; k < pj_len(names); k++) {
		const char *name = json_object_get_string(
			json_object_array_get_idx(names, k));
		fuse_ino_t vino = volume_ino(p, name);

		if (vino)
			json_object_array_add(list, dir_entry(name, vino,
							      S_IFREG));
	}
	json_object_put(names);
	return list;
}

void csafs_pseudo_opendir(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct json_object *list;

	if (ino != CSAFS_INO_CSA && ino != INO_VOLUMES) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	list = list_dir(p, ino);
	if (!list) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi->fh = (uintptr_t)list;
	if (fuse_reply_open(req, fi) == -ENOENT)
		json_object_put(list);	/* interrupted: no releasedir comes */
}

void csafs_pseudo_readdir(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	struct json_object *list = (struct json_object *)(uintptr_t)fi->fh;
	char *buf = malloc(size ? size : 1);
	size_t used = 0, n, i;
	struct stat st;

	(void)p;
	(void)ino;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = off > 0 ? (size_t)off : 0; i < pj_len(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *name = json_object_get_string(
			json_object_array_get_idx(e, 0));

		memset(&st, 0, sizeof(st));
		st.st_ino = (ino_t)json_object_get_int64(
			json_object_array_get_idx(e, 1));
		st.st_mode = (mode_t)json_object_get_int64(
			json_object_array_get_idx(e, 2));
		n = fuse_add_direntry(req, buf + used, size - used, name, &st,
				      (off_t)i + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

void csafs_pseudo_releasedir(struct csafs_pseudo *p, fuse_req_t req,
			     fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)p;
	(void)ino;
	json_object_put((struct json_object *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* ---- files ------------------------------------------------------------- */

/* The text of @ino made now; -ENOENT for a volume the primary denies. */
static int make_text(struct csafs_pseudo *p, fuse_ino_t ino,
		     struct pbuf *out)
{
	struct json_object *view;
	char *name = NULL;
	int ret;

	switch (ino) {
	case INO_STATUS:
		view = pseudo_view(p, VIEW_STATUS | VIEW_ARRAYS | VIEW_VOLUMES |
				   VIEW_VOLUME_DETAIL, NULL);
		break;
	case INO_ARRAYS:
		view = pseudo_view(p, VIEW_ARRAYS | VIEW_ARRAY_DETAIL, NULL);
		break;
	case INO_METRICS:
		view = pseudo_view(p, VIEW_ARRAYS | VIEW_VOLUMES |
				   VIEW_MIGRATIONS, NULL);
		break;
	default:
		name = volume_name(p, ino);
		if (!name)
			return -ENOENT;
		view = pseudo_view(p, 0, name);
		break;
	}
	if (!view) {
		free(name);
		return -ENOMEM;
	}
	if (ino == INO_STATUS)
		ret = csafs_render_status(view, out);
	else if (ino == INO_ARRAYS)
		ret = csafs_render_arrays(view, out);
	else if (ino == INO_METRICS)
		ret = csafs_render_metrics(view, out);
	else if (!json_object_object_get_ex(view, "volume", NULL) &&
		 !json_object_object_get_ex(view, "error", NULL))
		ret = -ENOENT;	/* the primary answered: no such volume */
	else
		ret = csafs_render_volume(view, name, out);
	json_object_put(view);
	free(name);
	return ret;
}

static void pfile_free(struct pfile *f)
{
	if (!f)
		return;
	pbuf_free(&f->text);
	pbuf_free(&f->answer);
	if (f->kind == PF_CONTROL)
		pthread_mutex_destroy(&f->lock);
	free(f);
}

static int open_file(struct csafs_pseudo *p, fuse_ino_t ino, int flags,
		     struct pfile **out)
{
	struct pfile *f;
	int ret = 0;

	if (ino == CSAFS_INO_CSA || ino == INO_VOLUMES)
		return -EISDIR;
	if (!node_of(ino) && !is_volume_ino(p, ino))
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY && ino != INO_CONTROL)
		return -EACCES;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (ino == INO_EVENTS) {
		f->kind = PF_EVENTS;
	} else if (ino == INO_CONTROL) {
		f->kind = PF_CONTROL;
		pthread_mutex_init(&f->lock, NULL);
	} else {
		f->kind = PF_TEXT;
		ret = make_text(p, ino, &f->text);
	}
	if (ret) {
		pfile_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

void csafs_pseudo_open(struct csafs_pseudo *p, fuse_req_t req,
		       fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pfile *f;
	int ret = open_file(p, ino, fi->flags, &f);

	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	fi->fh = (uintptr_t)f;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (f->kind == PF_EVENTS)
		pseudo_events_opened(p, f);
	if (fuse_reply_open(req, fi) == -ENOENT) {
		/* Interrupted before it was opened: no release will come. */
		if (f->kind == PF_EVENTS)
			pseudo_events_released(p, f);
		pfile_free(f);
	}
}

/*
 * Answer with @n bytes of @src, copied first: the reader may close the
 * file, and its release free @src, as soon as the reply is in the kernel,
 * while this thread (and a sanitizer checking the reply's memory) still
 * looks at it.
 */
static void reply_copy(fuse_req_t req, const char *src, size_t n)
{
	char *buf = malloc(n ? n : 1);

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (n)
		memcpy(buf, src, n);
	fuse_reply_buf(req, buf, n);
	free(buf);
}

/*
 * Control reads ignore the offset: the one fd a script writes a command
 * on and reads the answer from has its offset past what it wrote. The
 * answers are read once from their start, then end of file until the
 * next write.
 *
 * The slice is copied out under the lock and answered after it: once the
 * reply is sent the reader may close the file, and its release free @f.
 */
static void control_read(fuse_req_t req, struct pfile *f, size_t size)
{
	struct pbuf slice = { 0 };
	const char *src;
	size_t len, n;

	pthread_mutex_lock(&f->lock);
	src = f->written ? f->answer.s : csafs_control_none;
	len = f->written ? f->answer.len : strlen(csafs_control_none);
	n = f->rpos < len ? len - f->rpos : 0;
	if (n > size)
		n = size;
	pbuf_add(&slice, n ? src + f->rpos : "", n);
	if (!slice.nomem) {
		f->rpos += n;
		f->read = true;
	}
	pthread_mutex_unlock(&f->lock);
	if (slice.nomem)
		fuse_reply_err(req, ENOMEM);
	else
		fuse_reply_buf(req, slice.s, n);
	pbuf_free(&slice);
}

void csafs_pseudo_read(struct csafs_pseudo *p, fuse_req_t req,
		       fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct pfile *f = pfile_of(fi);

	(void)ino;
	if (!f || off < 0) {
		fuse_reply_err(req, f ? EINVAL : EBADF);
		return;
	}
	switch (f->kind) {
	case PF_TEXT:
		if ((uint64_t)off >= f->text.len)
			fuse_reply_buf(req, NULL, 0);
		else
			reply_copy(req, f->text.s + off,
				   f->text.len - (size_t)off < size ?
				   f->text.len - (size_t)off : size);
		break;
	case PF_CONTROL:
		control_read(req, f, size);
		break;
	case PF_EVENTS:
		pseudo_events_read(p, req, f, size, off, fi->flags);
		break;
	}
}

/*
 * A write is one or more command lines, run now; the write succeeds
 * whatever they answer. Answers add up until the file is read: a shell's
 * printf writes one line at a time, and all of them must be answered.
 * The first write after a read starts a new answer.
 */
void csafs_pseudo_write(struct csafs_pseudo *p, fuse_req_t req,
			fuse_ino_t ino, const char *buf, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	struct pfile *f = pfile_of(fi);
	struct pbuf answer = { 0 };

	(void)ino;
	(void)off;
	if (!f || f->kind != PF_CONTROL) {
		fuse_reply_err(req, EBADF);
		return;
	}
	if (size > MAX_WRITE || memchr(buf, '\0', size)) {
		fuse_reply_err(req, EINVAL);	/* not command lines */
		return;
	}
	pthread_mutex_lock(&f->lock);
	pseudo_control_run(p, buf, size, &answer);
	if (answer.nomem) {
		pthread_mutex_unlock(&f->lock);
		pbuf_free(&answer);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (f->read || f->answer.len > MAX_ANSWER) {
		pbuf_free(&f->answer);
		f->rpos = 0;
		f->read = false;
	}
	pbuf_add(&f->answer, answer.s, answer.len);
	f->written = true;
	pbuf_free(&answer);
	pthread_mutex_unlock(&f->lock);
	fuse_reply_write(req, size);
}

void csafs_pseudo_release(struct csafs_pseudo *p, fuse_req_t req,
			  fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pfile *f = pfile_of(fi);

	(void)ino;
	if (f && f->kind == PF_EVENTS)
		pseudo_events_released(p, f);
	pfile_free(f);
	fuse_reply_err(req, 0);
}

void csafs_pseudo_poll(struct csafs_pseudo *p, fuse_req_t req,
		       fuse_ino_t ino, struct fuse_file_info *fi,
		       struct fuse_pollhandle *ph)
{
	struct pfile *f = pfile_of(fi);

	(void)ino;
	if (f && f->kind == PF_EVENTS) {
		pseudo_events_poll(p, req, f, ph);
		return;
	}
	/* Made at open, or answered at once: always ready, as files are. */
	if (ph)
		fuse_pollhandle_destroy(ph);
	fuse_reply_poll(req, POLLIN | POLLRDNORM |
			(f && f->kind == PF_CONTROL ? POLLOUT | POLLWRNORM : 0));
}

/* ---- life -------------------------------------------------------------- */

struct csafs_pseudo *csafs_pseudo_new(const struct csafs_pseudo_opts *o)
{
	struct csafs_pseudo *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->log = csafs_evlog_new(CSAFS_EVENTS_KEPT);
	if (!p->log) {
		free(p);
		return NULL;
	}
	p->host = o->host;
	p->local_state = o->local_state;
	p->arg = o->arg;
	p->uid = getuid();
	p->gid = getgid();
	clock_gettime(CLOCK_REALTIME, &p->started);
	p->last_event = p->started;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void csafs_pseudo_free(struct csafs_pseudo *p)
{
	size_t i;

	if (!p)
		return;
	pseudo_events_close(p);
	for (i = 0; i < p->nr_names; i++)
		free(p->names[i]);
	free(p->names);
	for (i = 0; i < p->nr_samples; i++)
		json_object_put(p->samples[i].luns);
	csafs_evlog_free(p->log);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
