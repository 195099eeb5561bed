// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

const char *csa_fmt_size(uint64_t bytes, char buf[CSA_FMT_LEN])
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes / 1024;
	unsigned u = 0;

	if (bytes < 1024) {
		snprintf(buf, CSA_FMT_LEN, "%lluB", (unsigned long long)bytes);
		return buf;
	}
	/* 1023.96K prints as 1.0M, not 1024.0K. */
	while (v >= 1023.95 && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	snprintf(buf, CSA_FMT_LEN, "%.1f%c", v, units[u]);
	return buf;
}

const char *csa_fmt_time(uint64_t t, char buf[CSA_FMT_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, CSA_FMT_LEN, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, CSA_FMT_LEN, "-");
	return buf;
}

const char *csa_fmt_duration(long long s, char buf[CSA_FMT_LEN])
{
	if (s < 0)
		snprintf(buf, CSA_FMT_LEN, "-");
	else if (s < 60)
		snprintf(buf, CSA_FMT_LEN, "%llds", s);
	else if (s < 3600)
		snprintf(buf, CSA_FMT_LEN, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, CSA_FMT_LEN, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, CSA_FMT_LEN, "%lldd%02lldh", s / 86400,
			 s % 86400 / 3600);
	return buf;
}

const char *csa_fmt_ms(unsigned long long us, char buf[CSA_FMT_LEN])
{
	snprintf(buf, CSA_FMT_LEN, "%llu.%llu", us / 1000, us % 1000 / 100);
	return buf;
}
