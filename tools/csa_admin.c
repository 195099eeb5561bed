// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa init and csa cert issue: the cluster's identity, its CA and the
 * certificates, made on this machine without the primary.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "primary/ca.h"
#include "primary/cluster_file.h"
#include "tools/csa_out.h"

static void path_join(char *out, size_t len, const char *dir,
		      const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static int issue(const char *dir, const char *cn, enum csa_cert_role role,
		 const char *prefix)
{
	char ca[4096], err[512];

	path_join(ca, sizeof(ca), dir, "ca");
	if (csa_ca_issue(ca, cn, role, prefix, err, sizeof(err)))
		return csa_fail("%s", err);
	printf("issued %s certificate for %s: %s.crt, %s.key\n",
	       csa_cert_role_name(role), cn, prefix, prefix);
	return 0;
}

/*
 * A cluster identity is never replaced: refuse before making anything, so
 * that a refused init leaves DIR as it was.
 */
static int no_identity_yet(const char *dir)
{
	struct csa_cluster_id id;
	char path[4096], err[512];
	int ret;

	path_join(path, sizeof(path), dir, CSA_CLUSTER_FILE);
	ret = csa_cluster_file_read(dir, &id, err, sizeof(err));
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return csa_fail("%s is already there; a cluster identity is never replaced",
				path);
	return csa_fail("%s already holds cluster %s (%s); a cluster identity is never replaced",
			dir, id.name, path);
}

static int write_identity(const char *dir, const char *name)
{
	char uuid[CSA_UUID_STR_LEN], err[512];
	struct csa_cluster_id id;

	if (csa_cluster_file_create(dir, name, &id, err, sizeof(err)))
		return csa_fail("%s", err);
	csa_uuid_format(&id.uuid, uuid);
	printf("cluster %s: uuid %s in %s/%s\n", name, uuid, dir,
	       CSA_CLUSTER_FILE);
	return 0;
}

int csa_cmd_init(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "name", 1, 0, 'n' }, { "primary", 1, 0, 'p' },
		{ "admin", 1, 0, 'a' }, { 0, 0, 0, 0 } };
	const char *name = NULL, *primary = "primary", *admin = "admin";
	const char *dir = cli->dir;
	char ca[4096], prefix[4096], err[512];
	int c;

	while ((c = csa_getopt(argc, argv, "init", lo)) != -1) {
		if (c == '?')
			return CSA_EXIT_USAGE;
		if (c == 'n')
			name = optarg;
		else if (c == 'p')
			primary = optarg;
		else
			admin = optarg;
	}
	if (!name)
		return csa_usage("init: --name CLUSTER is required");
	if (optind < argc)
		return csa_usage("init: unexpected '%s'", argv[optind]);
	/* DIR holds private keys: only root may look. */
	if (mkdir(dir, 0700) && errno != EEXIST)
		return csa_fail("cannot make %s: %s", dir, strerror(errno));
	if (no_identity_yet(dir))
		return CSA_EXIT_FAIL;
	path_join(ca, sizeof(ca), dir, "ca");
	if (csa_ca_create(ca, name, err, sizeof(err)))
		return csa_fail("%s", err);
	printf("cluster %s: certificate authority in %s\n", name, ca);
	path_join(prefix, sizeof(prefix), dir, "primary");
	if (issue(dir, primary, CSA_CERT_PRIMARY, prefix))
		return CSA_EXIT_FAIL;
	path_join(prefix, sizeof(prefix), dir, "admin");
	if (issue(dir, admin, CSA_CERT_ADMIN, prefix))
		return CSA_EXIT_FAIL;
	return write_identity(dir, name);
}

int csa_cmd_cert(struct csa_cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", 1, 0, 'H' }, { "admin", 1, 0, 'A' },
		{ "primary", 1, 0, 'P' }, { "out", 1, 0, 'o' },
		{ 0, 0, 0, 0 } };
	enum csa_cert_role role = CSA_CERT_HOST;
	const char *cn = NULL, *out = NULL;
	char prefix[4096];
	int c, roles = 0;

	if (argc < 2 || strcmp(argv[1], "issue"))
		return csa_usage("cert: the only command is 'cert issue'");
	argc--;
	argv++;
	while ((c = csa_getopt(argc, argv, "cert issue", lo)) != -1) {
		switch (c) {
		case 'H': role = CSA_CERT_HOST; cn = optarg; roles++; break;
		case 'A': role = CSA_CERT_ADMIN; cn = optarg; roles++; break;
		case 'P': role = CSA_CERT_PRIMARY; cn = optarg; roles++; break;
		case 'o': out = optarg; break;
		default: return CSA_EXIT_USAGE;
		}
	}
	if (roles != 1)
		return csa_usage("cert issue needs exactly one of --host, --admin, --primary");
	if (optind < argc)
		return csa_usage("cert issue: unexpected '%s'", argv[optind]);
	if (!out) {
		path_join(prefix, sizeof(prefix), cli->dir, cn);
		out = prefix;
	}
	return issue(cli->dir, cn, role, out);
}
