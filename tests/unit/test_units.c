// SPDX-License-Identifier: GPL-2.0-or-later
/* Size, count and duration parsing, including every refusal. */
#include <stdio.h>

#include "tools/units.h"

static int failed;

static void size_is(const char *s, int ret, uint64_t want)
{
	uint64_t v = 0;
	int r = csa_parse_size(s, &v);
	int ok = r == ret && (ret || v == want);

	printf("%s - size \"%s\"\n", ok ? "ok" : "not ok", s);
	failed |= !ok;
}

static void count_is(const char *s, int ret, uint64_t want)
{
	uint64_t v = 0;
	int r = csa_parse_count(s, &v);
	int ok = r == ret && (ret || v == want);

	printf("%s - count \"%s\"\n", ok ? "ok" : "not ok", s);
	failed |= !ok;
}

static void ms_is(const char *s, int ret, uint64_t want)
{
	uint64_t v = 0;
	int r = csa_parse_duration_ms(s, &v);
	int ok = r == ret && (ret || v == want);

	printf("%s - duration \"%s\"\n", ok ? "ok" : "not ok", s);
	failed |= !ok;
}

int main(void)
{
	size_is("4096", 0, 4096);
	size_is("64k", 0, 65536);
	size_is("1M", 0, 1 << 20);
	size_is("2g", 0, 2ULL << 30);
	size_is("1T", 0, 1ULL << 40);
	size_is("3GiB", 0, 3ULL << 30);
	size_is("5kb", 0, 5 << 10);
	size_is("", -22, 0);
	size_is("-1", -22, 0);
	size_is("1x", -22, 0);
	size_is("1kk", -22, 0);
	size_is(" 1", -22, 0);
	size_is("99999999999T", -22, 0);
	size_is("18446744073709551616", -22, 0);
	count_is("0", 0, 0);
	count_is("400", 0, 400);
	count_is("20k", 0, 20000);
	count_is("20K", 0, 20000);
	count_is("2M", 0, 2000000);
	count_is("3m", 0, 3000000);
	count_is("1G", 0, 1000000000);
	count_is("1500k", 0, 1500000);
	count_is("18446744073709551615", 0, UINT64_MAX);
	count_is("18446744073709551k", 0, 18446744073709551000ULL);
	count_is("18446744073709552k", -22, 0);
	count_is("18446744073709551616", -22, 0);
	count_is("", -22, 0);
	count_is("k", -22, 0);
	count_is("-1", -22, 0);
	count_is("+1", -22, 0);
	count_is(" 1", -22, 0);
	count_is("1.5M", -22, 0);
	count_is("20kb", -22, 0);
	count_is("20kk", -22, 0);
	count_is("1T", -22, 0);
	count_is("abc", -22, 0);
	ms_is("10", 0, 10000);
	ms_is("10s", 0, 10000);
	ms_is("500ms", 0, 500);
	ms_is("2m", 0, 120000);
	ms_is("2h", -22, 0);
	ms_is("s", -22, 0);
	return failed;
}
