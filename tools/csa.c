// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa: the administrator's command. Subcommands are a table; each parses
 * its own options and returns the exit status (0 done, 1 refused or
 * failed, 2 bad usage).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "primary/ca.h"

#define DEFAULT_DIR "/etc/csafs"

struct cmd {
	const char *name;
	int (*fn)(const char *dir, int argc, char **argv);
	const char *summary;
};

static const char usage_text[] =
"Usage: csa [--dir DIR] COMMAND [ARGS]\n"
"\n"
"Administers a csafs cluster: several iSCSI arrays acting as one.\n"
"\n"
"Commands:\n"
"  init --name CLUSTER [--primary CN] [--admin CN]\n"
"        Make the cluster's certificate authority in DIR/ca and issue the\n"
"        primary's certificate (DIR/primary.crt, .key; CN default \"primary\")\n"
"        and a first admin's (DIR/admin.crt, .key; CN default \"admin\").\n"
"        Refused if DIR already holds a CA: a CA is never replaced.\n"
"  cert issue (--host CN | --admin CN | --primary CN) [--out PREFIX]\n"
"        Issue a certificate and key signed by the cluster CA, to\n"
"        PREFIX.crt and PREFIX.key (default DIR/CN). The common name is\n"
"        the identity: a host's CN is the name volumes grant access to.\n"
"\n"
"Options:\n"
"  -d, --dir DIR    where the cluster's CA and certificates live\n"
"                   (default $CSA_DIR, else " DEFAULT_DIR ")\n"
"  -h, --help       this text\n"
"\n"
"Names (CLUSTER, CN) are 1 to 64 characters of A-Z a-z 0-9 . _ -\n"
"(a cluster name at most 55). Private keys are written mode 0600 and never\n"
"over an existing file.\n"
"\n"
"Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 bad\n"
"usage.\n"
"\n"
"Examples:\n"
"  csa --dir /etc/csafs init --name lab\n"
"  csa --dir /etc/csafs cert issue --host db-host-1\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "csa: %s%s%s\nTry 'csa --help'.\n", what,
		arg ? " " : "", arg ? arg : "");
	return 2;
}

static void path_join(char *out, size_t len, const char *dir,
		      const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static int issue(const char *dir, const char *cn, enum csa_cert_role role,
		 const char *prefix)
{
	char ca[4096], err[512];
	int ret;

	path_join(ca, sizeof(ca), dir, "ca");
	ret = csa_ca_issue(ca, cn, role, prefix, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "csa: %s\n", err);
		return 1;
	}
	printf("issued %s certificate for %s: %s.crt, %s.key\n",
	       csa_cert_role_name(role), cn, prefix, prefix);
	return 0;
}

static int cmd_init(const char *dir, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "name", 1, 0, 'n' }, { "primary", 1, 0, 'p' },
		{ "admin", 1, 0, 'a' }, { 0, 0, 0, 0 } };
	const char *name = NULL, *primary = "primary", *admin = "admin";
	char ca[4096], prefix[4096], err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:p:a:", lo, NULL)) != -1) {
		if (c == 'n')
			name = optarg;
		else if (c == 'p')
			primary = optarg;
		else if (c == 'a')
			admin = optarg;
		else
			return usage_error("init: unknown option", NULL);
	}
	if (!name || optind < argc)
		return usage_error("init needs --name CLUSTER and nothing else",
				   NULL);
	/* DIR holds private keys: only root may look. */
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "csa: cannot make %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	path_join(ca, sizeof(ca), dir, "ca");
	if (csa_ca_create(ca, name, err, sizeof(err))) {
		fprintf(stderr, "csa: %s\n", err);
		return 1;
	}
	printf("cluster %s: certificate authority in %s\n", name, ca);
	path_join(prefix, sizeof(prefix), dir, "primary");
	if (issue(dir, primary, CSA_CERT_PRIMARY, prefix))
		return 1;
	path_join(prefix, sizeof(prefix), dir, "admin");
	return issue(dir, admin, CSA_CERT_ADMIN, prefix);
}

static int cmd_cert(const char *dir, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", 1, 0, 'H' }, { "admin", 1, 0, 'A' },
		{ "primary", 1, 0, 'P' }, { "out", 1, 0, 'o' },
		{ 0, 0, 0, 0 } };
	const char *cn = NULL, *out = NULL;
	enum csa_cert_role role = CSA_CERT_HOST;
	char prefix[4096];
	int c, roles = 0;

	if (argc < 2 || strcmp(argv[1], "issue"))
		return usage_error("cert: the only subcommand is 'issue'", NULL);
	optind = 2;
	while ((c = getopt_long(argc, argv, "H:A:P:o:", lo, NULL)) != -1) {
		switch (c) {
		case 'H': role = CSA_CERT_HOST; cn = optarg; roles++; break;
		case 'A': role = CSA_CERT_ADMIN; cn = optarg; roles++; break;
		case 'P': role = CSA_CERT_PRIMARY; cn = optarg; roles++; break;
		case 'o': out = optarg; break;
		default: return usage_error("cert issue: unknown option", NULL);
		}
	}
	if (roles != 1 || optind < argc)
		return usage_error("cert issue needs exactly one of --host, --admin, --primary",
				   NULL);
	if (!out) {
		path_join(prefix, sizeof(prefix), dir, cn);
		out = prefix;
	}
	return issue(dir, cn, role, out);
}

static const struct cmd cmds[] = {
	{ "init", cmd_init, "make the cluster's CA and first certificates" },
	{ "cert", cmd_cert, "issue certificates" },
};

int main(int argc, char **argv)
{
	const char *dir = getenv("CSA_DIR") ? getenv("CSA_DIR") : DEFAULT_DIR;
	int i = 1;
	unsigned k;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--dir")) &&
		    i + 1 < argc) {
			dir = argv[i + 1];
			i += 2;
			continue;
		}
		return usage_error("unknown option", argv[i]);
	}
	if (i >= argc)
		return usage_error("no command given", NULL);
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(argv[i], cmds[k].name))
			return cmds[k].fn(dir, argc - i, argv + i);
	return usage_error("unknown command", argv[i]);
}
