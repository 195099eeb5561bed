// SPDX-License-Identifier: GPL-2.0-or-later
/* DIR/cluster.json (cluster_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "primary/cluster_file.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int csa_cluster_file_create(const char *dir, const char *name,
			    struct csa_cluster_id *out, char *err,
			    size_t errlen)
{
	char path[4096], text[256], uuid[CSA_UUID_STR_LEN];
	int fd, ret, n;

	if (snprintf(out->name, sizeof(out->name), "%s", name) >=
	    (int)sizeof(out->name) || csa_uuid_generate(&out->uuid)) {
		snprintf(err, errlen, "cannot make a cluster identity for %s",
			 name);
		return -EINVAL;
	}
	csa_uuid_format(&out->uuid, uuid);
	n = snprintf(text, sizeof(text), "{\"name\": \"%s\", \"uuid\": \"%s\"}\n",
		     out->name, uuid);
	snprintf(path, sizeof(path), "%s/%s", dir, CSA_CLUSTER_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = write_all(fd, text, (size_t)n);
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret)
		ret = sync_dir(dir);
	if (ret) {
		unlink(path);
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(-ret));
	}
	return ret;
}

static int parse(const char *path, struct json_object *o,
		 struct csa_cluster_id *out, char *err, size_t errlen)
{
	struct json_object *name, *uuid;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "name", &name) ||
	    !json_object_object_get_ex(o, "uuid", &uuid) ||
	    !json_object_is_type(name, json_type_string) ||
	    !json_object_is_type(uuid, json_type_string) ||
	    snprintf(out->name, sizeof(out->name), "%s",
		     json_object_get_string(name)) >= (int)sizeof(out->name) ||
	    csa_uuid_parse(json_object_get_string(uuid), &out->uuid) ||
	    csa_uuid_is_nil(&out->uuid)) {
		snprintf(err, errlen,
			 "%s: not a cluster identity (want {\"name\": ..., \"uuid\": ...})",
			 path);
		return -EBADMSG;
	}
	return 0;
}

int csa_cluster_file_read(const char *dir, struct csa_cluster_id *out,
			  char *err, size_t errlen)
{
	struct json_object *o;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, CSA_CLUSTER_FILE);
	if (access(path, F_OK)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s%s", path, strerror(-ret),
			 ret == -ENOENT ? " (make the cluster with csa init)" : "");
		return ret;
	}
	o = json_object_from_file(path);
	if (!o) {
		snprintf(err, errlen, "%s: not readable JSON", path);
		return -EBADMSG;
	}
	ret = parse(path, o, out, err, errlen);
	json_object_put(o);
	return ret;
}
