// SPDX-License-Identifier: GPL-2.0-or-later
/* Placeholder until discover.c and calibrate.c land; removed then. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "primary/calibrate.h"
#include "primary/discover.h"

int csa_report_luns(const char *portal, const char *target,
		    const char *initiator, unsigned timeout_ms,
		    uint32_t **luns, unsigned *n, char *err, size_t errlen)
{
	(void)portal; (void)target; (void)initiator; (void)timeout_ms;
	*luns = calloc(2, sizeof(**luns));
	(*luns)[0] = 1;
	*n = 1;
	(void)err; (void)errlen;
	return 0;
}

int csa_discover_targets(const char *portal, const char *initiator,
			 unsigned timeout_ms, char (**iqns)[CSA_IQN_MAX],
			 unsigned *n, char *err, size_t errlen)
{
	(void)portal; (void)initiator; (void)timeout_ms; (void)iqns; (void)n;
	snprintf(err, errlen, "not yet");
	return -ENOSYS;
}

int csa_calibrate(struct csa_lun *const *luns, unsigned n,
		  const uint64_t *first_lba, const struct csa_calib_opts *o,
		  struct csa_calib_result *out, char *err, size_t errlen)
{
	(void)luns; (void)n; (void)first_lba; (void)o; (void)out;
	snprintf(err, errlen, "not yet");
	return -ENOSYS;
}
