// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csa: the administrator's command. Global options, then a command from
 * the table below; each command parses its own arguments and returns the
 * exit status (0 done, 1 refused or failed, 2 bad usage).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/client.h"
#include "primary/ops.h"
#include "tools/csa_out.h"
#include "tools/units.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

#define DEFAULT_DIR	"/etc/csafs"
#define DEFAULT_PRIMARY	"127.0.0.1:" STR(CSA_PRIMARY_PORT)

static const struct command {
	const char *name;
	int (*fn)(struct csa_cli *cli, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "init", csa_cmd_init, csa_help_init },
	{ "cert", csa_cmd_cert, csa_help_cert },
	{ "status", csa_cmd_status, csa_help_status },
	{ "array", csa_cmd_array, csa_help_array },
	{ "volume", csa_cmd_volume, csa_help_volume },
	{ "migration", csa_cmd_migration, csa_help_migration },
	{ "host", csa_cmd_host, csa_help_host },
};

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

/* Global options, up to the command. Returns -1 to go on, else the status. */
static int global_options(struct csa_cli *cli, int argc, char **argv)
{
	enum { CERT = 256, KEY, CA, JSON, TIMEOUT };
	static const struct option lo[] = {
		{ "dir", 1, 0, 'd' }, { "primary", 1, 0, 'p' },
		{ "cert", 1, 0, CERT }, { "key", 1, 0, KEY }, { "ca", 1, 0, CA },
		{ "json", 0, 0, JSON }, { "timeout", 1, 0, TIMEOUT },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	uint64_t ms;
	int c;

	opterr = 0;
	/* "+": stop at the command, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+:d:p:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': cli->dir = optarg; break;
		case 'p': cli->primary = optarg; break;
		case CERT: cli->cert = optarg; break;
		case KEY: cli->key = optarg; break;
		case CA: cli->ca = optarg; break;
		case JSON: cli->json = true; break;
		case 'h': fputs(csa_help_main, stdout); return CSA_EXIT_OK;
		case TIMEOUT:
			if (csa_parse_duration_ms(optarg, &ms) || !ms ||
			    ms > 24 * 3600 * 1000)
				return csa_usage("--timeout: '%s' is not a number of seconds (1 to 86400)",
						 optarg);
			cli->timeout_ms = (unsigned)ms;
			break;
		case ':':
			return csa_usage("%s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return csa_usage("unknown option -%c", optopt);
			return csa_usage("unknown option %s", argv[optind - 1]);
		}
	}
	return -1;
}

/* "-h" or "--help" among a command's arguments (before any "--"). */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

/*
 * "--json" among a command's arguments is taken as the global option
 * (`csa status --json` reads naturally); it is removed from them.
 */
static int take_json(struct csa_cli *cli, int argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--json"))
			cli->json = true;
		else
			argv[n++] = argv[i];
	}
	for (; i < argc; i++)
		argv[n++] = argv[i];
	argv[n] = NULL;
	return n;
}

static int run(struct csa_cli *cli, int argc, char **argv)
{
	unsigned i;

	argc = take_json(cli, argc, argv);

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		if (wants_help(argc, argv)) {
			fputs(commands[i].help, stdout);
			return CSA_EXIT_OK;
		}
		optind = 0;	/* the command's getopt starts afresh */
		return commands[i].fn(cli, argc, argv);
	}
	return csa_usage("unknown command '%s'", argv[0]);
}

int main(int argc, char **argv)
{
	struct csa_cli cli = {
		.dir = env_or("CSA_DIR", DEFAULT_DIR),
		.primary = env_or("CSA_PRIMARY", DEFAULT_PRIMARY),
	};
	int ret;

	/* A primary that goes away mid-write must be an error, not a kill. */
	signal(SIGPIPE, SIG_IGN);

	ret = global_options(&cli, argc, argv);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return csa_usage("no command given");
	ret = run(&cli, argc - optind, argv + optind);
	if (cli.client)
		csa_client_close(cli.client);
	return ret;
}
