// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A volume's requirements as extended attributes (user.csa.*), readable
 * on every volume, writable while it is empty (made by touch, not yet
 * sized): then they are what the primary places it by at its first
 * truncate. Once placed, a volume changes with `csa volume set`, which can
 * say what it costs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "fs/fs.h"

#define XATTR_PREFIX	"user.csa."

enum xattr_id { X_MBPS, X_IOPS, X_COPIES, X_HOSTS, X_STRIPE_UNIT, X_LAYOUT,
		X_COUNT };

/* The attribute's name after the prefix, and its volume.set field. */
static const char *const xattr_names[X_COUNT] = {
	"mbps", "iops", "copies", "hosts", "stripe_unit", "layout",
};

static int xattr_id(const char *name)
{
	int i;

	if (strncmp(name, XATTR_PREFIX, strlen(XATTR_PREFIX)))
		return -1;
	for (i = 0; i < X_COUNT; i++)
		if (!strcmp(name + strlen(XATTR_PREFIX), xattr_names[i]))
			return i;
	return -1;
}

/* The value as text (malloc'd), or NULL on ENOMEM. */
static char *xattr_value(struct csafs *fs, struct csafs_vol *v, int id)
{
	uint64_t n = 0;
	char *s = NULL;

	pthread_mutex_lock(&fs->lock);
	switch (id) {
	case X_MBPS:
		n = v->mbps;
		break;
	case X_IOPS:
		n = v->iops;
		break;
	case X_COPIES:
		n = v->copies;
		break;
	case X_STRIPE_UNIT:
		n = v->stripe_unit;
		break;
	case X_HOSTS:
		s = strdup(v->hosts);
		break;
	case X_LAYOUT:
		s = strdup(v->layout_text);
		break;
	}
	pthread_mutex_unlock(&fs->lock);
	if (id != X_HOSTS && id != X_LAYOUT &&
	    asprintf(&s, "%llu", (unsigned long long)n) < 0)
		s = NULL;
	return s;
}

/* The size protocol of getxattr and listxattr: 0 asks for the length. */
static void reply_value(fuse_req_t req, const char *buf, size_t len,
			size_t size)
{
	if (!size)
		fuse_reply_xattr(req, len);
	else if (len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, len);
}

void csafs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    size_t size)
{
	struct csafs *fs = csafs_of(req);
	int id = xattr_id(name);
	struct csafs_vol *v;
	char *s;

	if (!csafs_is_volume(ino) || id < 0) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	v = csafs_vol_by_ino(fs, ino);
	if (!v) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	s = xattr_value(fs, v, id);
	csafs_vol_put(fs, v);
	if (s)
		reply_value(req, s, strlen(s), size);
	else
		fuse_reply_err(req, ENOMEM);
	free(s);
}

void csafs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char list[256];
	size_t len = 0;
	int i;

	for (i = 0; csafs_is_volume(ino) && i < X_COUNT; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s%s", XATTR_PREFIX,
					xattr_names[i]) + 1;
	reply_value(req, list, len, size);
}

/* The decimal @text as a JSON number, or NULL. */
static struct json_object *parse_number(const char *text)
{
	unsigned long long n;
	char *end;

	if (*text < '0' || *text > '9')
		return NULL;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno || *end)
		return NULL;
	return json_object_new_uint64(n);
}

/* "h1, h2" as ["h1", "h2"]; "" for every host. */
static struct json_object *parse_hosts(char *text)
{
	struct json_object *list = json_object_new_array();
	char *save = NULL, *tok;

	for (tok = strtok_r(text, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save))
		json_object_array_add(list, json_object_new_string(tok));
	return list;
}

/* volume.set {name, field: value}; 0 or -errno for the kernel. */
static int set_field(struct csafs *fs, struct csafs_vol *v, int id,
		     struct json_object *value)
{
	struct json_object *req = json_object_new_object(), *r = NULL;
	struct csafs_notes notes = { 0 };
	struct csa_client_err e;
	char what[128];
	int ret;

	json_object_object_add(req, "op", json_object_new_string("volume.set"));
	json_object_object_add(req, "name", json_object_new_string(v->name));
	json_object_object_add(req, xattr_names[id], value);
	pthread_mutex_lock(&fs->refresh_lock);
	ret = csafs_call(fs, req, &r, &e);
	if (!ret)
		ret = csafs_vols_apply(fs, r, &notes);
	else {
		snprintf(what, sizeof(what), "setfattr %s%s on %s",
			 XATTR_PREFIX, xattr_names[id], v->name);
		ret = -csafs_call_errno(ret, &e, what);
	}
	pthread_mutex_unlock(&fs->refresh_lock);
	csafs_notes_free(&notes);
	json_object_put(r);
	csa_client_err_clear(&e);
	return ret;
}

static int setxattr_vol(struct csafs *fs, struct csafs_vol *v, int id,
			const char *value, size_t size, int flags)
{
	struct json_object *j;
	char text[4096];
	bool empty;

	if (flags & XATTR_CREATE)
		return -EEXIST;		/* every one of them always exists */
	if (id == X_LAYOUT) {
		csafs_log(FUSE_LOG_ERR, "setfattr %slayout on %s: the layout is the primary's to choose, and read only",
			  XATTR_PREFIX, v->name);
		return -EPERM;
	}
	pthread_mutex_lock(&fs->lock);
	empty = v->empty;
	pthread_mutex_unlock(&fs->lock);
	if (!empty) {
		csafs_log(FUSE_LOG_ERR, "setfattr %s%s on %s: the volume is placed already; change it with csa volume set",
			  XATTR_PREFIX, xattr_names[id], v->name);
		return -EPERM;
	}
	if (size >= sizeof(text))
		return -E2BIG;
	memcpy(text, value, size);
	text[size] = 0;
	if (size && text[size - 1] == '\n')
		text[size - 1] = 0;
	j = id == X_HOSTS ? parse_hosts(text) : parse_number(text);
	if (!j) {
		csafs_log(FUSE_LOG_ERR, "setfattr %s%s on %s: \"%s\" is not a decimal number",
			  XATTR_PREFIX, xattr_names[id], v->name, text);
		return -EINVAL;
	}
	return set_field(fs, v, id, j);
}

void csafs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    const char *value, size_t size, int flags)
{
	struct csafs *fs = csafs_of(req);
	int id = xattr_id(name), ret;
	struct csafs_vol *v;

	if (!csafs_is_volume(ino) || id < 0) {
		fuse_reply_err(req, ENOTSUP);	/* nothing else is kept */
		return;
	}
	v = csafs_vol_by_ino(fs, ino);
	if (!v) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	ret = setxattr_vol(fs, v, id, value, size, flags);
	csafs_vol_put(fs, v);
	fuse_reply_err(req, -ret);
}

void csafs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	fuse_reply_err(req, csafs_is_volume(ino) && xattr_id(name) >= 0 ?
			    EPERM : ENODATA);
}
