/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What csa volume and csa migration share about migrations (ops.h:
 * volume.migrate, PLAN, MIGRATION, migration.*): the command volume
 * migrate, and the text of a migration that volume set and volume show
 * print. Everything here prints on stdout, from the main thread.
 */
#ifndef CSA_MIGRATION_H
#define CSA_MIGRATION_H

#include "tools/csa_out.h"

/* csa volume migrate (argv[0] is "migrate"); returns the exit status. */
int csa_volume_migrate(struct csa_cli *cli, int argc, char **argv);

/*
 * One line for a MIGRATION that has just started:
 *   migration of db1 started (set): 80 regions of 128.0M, 5.0G to copy,
 *   a1,a2 -> a1,a3, no rate cap
 */
void csa_migration_started(struct json_object *m);

/* volume show's rows for its "migration" member @m; NULL (JSON null)
 * is the row "migration none". */
void csa_migration_rows(struct csa_table *t, struct json_object *m);

/*
 * volume show's load_fit (@fit, an array): a blank line, the statement of
 * the measure, one line per array. Nothing when @fit is missing or empty.
 * Returns the exit status.
 */
int csa_load_fit_print(struct json_object *fit);

#endif
