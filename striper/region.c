// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Region states by name, and counting them (region.h). The names are the
 * ones the JSON form of a layout and the status files use.
 */
#include <errno.h>
#include <string.h>

#include "striper/region.h"

static const char *const state_names[] = {
	[CSA_REGION_NORMAL] = "normal",
	[CSA_REGION_LOCKED] = "locked",
	[CSA_REGION_MIGRATED] = "migrated",
};

#define NR_STATES (sizeof(state_names) / sizeof(state_names[0]))

const char *csa_region_state_name(unsigned state)
{
	return state < NR_STATES ? state_names[state] : NULL;
}

int csa_region_state_parse(const char *name)
{
	unsigned i;

	for (i = 0; name && i < NR_STATES; i++)
		if (!strcmp(name, state_names[i]))
			return (int)i;
	return -EINVAL;
}

uint64_t csa_region_count(const struct csa_layout *l, unsigned state)
{
	uint64_t r, n = 0;

	for (r = 0; l->region_state && r < l->nr_regions; r++)
		n += l->region_state[r] == state;
	return n;
}
