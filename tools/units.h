/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes, counts and durations as people type them. */
#ifndef CSA_UNITS_H
#define CSA_UNITS_H

#include <stdint.h>

/*
 * "4096", "64k", "1M", "2g", "1T" (binary multiples, any case) to bytes.
 * Returns 0, or -EINVAL for anything else (empty, sign, junk, overflow).
 */
int csa_parse_size(const char *s, uint64_t *out);

/*
 * "400", "20k", "2M", "1G" (decimal multiples, any case: 20k = 20000) to a
 * count, as rates are quoted (MB/s, IOPS). No fractions: "1.5M" is
 * refused, "1500k" is not. Returns 0, or -EINVAL for anything else
 * (empty, sign, junk, overflow).
 */
int csa_parse_count(const char *s, uint64_t *out);

/* "10", "10s", "500ms", "2m" to milliseconds; 0 or -EINVAL. */
int csa_parse_duration_ms(const char *s, uint64_t *out);

/* Printing them: 10.0G (binary, one decimal), and a UTC time or "-". */
#define CSA_FMT_LEN	32

/* 10737418240 -> "10.0G", 512 -> "512B": binary units, one decimal. */
const char *csa_fmt_size(uint64_t bytes, char buf[CSA_FMT_LEN]);
/* Seconds since 1970 -> "2026-11-03 10:22:01 UTC" ("-" for 0). */
const char *csa_fmt_time(uint64_t t, char buf[CSA_FMT_LEN]);
/* A duration of @s seconds: "45s", "1m40s", "2h05m", "3d04h"; "-" when
 * negative (unknown). */
const char *csa_fmt_duration(long long s, char buf[CSA_FMT_LEN]);
/* Microseconds as milliseconds with one decimal: "12.3". */
const char *csa_fmt_ms(unsigned long long us, char buf[CSA_FMT_LEN]);

#endif
