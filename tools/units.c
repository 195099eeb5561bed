// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/units.h"

static int parse_u64(const char *s, uint64_t *v, const char **rest)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	*rest = end;
	return 0;
}

int csa_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgt";
	const char *rest, *u;
	uint64_t v;
	unsigned shift = 0;

	if (parse_u64(s, &v, &rest))
		return -EINVAL;
	if (*rest) {
		u = strchr(units, tolower((unsigned char)*rest));
		if (!u || !*u || (rest[1] && strcasecmp(rest + 1, "b") &&
				  strcasecmp(rest + 1, "ib")))
			return -EINVAL;
		shift = 10 * (unsigned)(u - units + 1);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int csa_parse_count(const char *s, uint64_t *out)
{
	static const char units[] = "kmg";
	const char *rest, *u;
	uint64_t v, mul = 1;
	unsigned i;

	if (parse_u64(s, &v, &rest))
		return -EINVAL;
	if (*rest) {
		u = strchr(units, tolower((unsigned char)*rest));
		if (!u || !*u || rest[1])
			return -EINVAL;
		for (i = 0; i <= (unsigned)(u - units); i++)
			mul *= 1000;
	}
	if (v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

int csa_parse_duration_ms(const char *s, uint64_t *out)
{
	const char *rest;
	uint64_t v, mul;

	if (parse_u64(s, &v, &rest))
		return -EINVAL;
	if (!*rest || !strcmp(rest, "s"))
		mul = 1000;
	else if (!strcmp(rest, "ms"))
		mul = 1;
	else if (!strcmp(rest, "m"))
		mul = 60000;
	else
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}
