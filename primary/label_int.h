/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by label.c and label_slot.c; not part of the interface.
 * All are pure and thread-safe.
 */
#ifndef CSA_LABEL_INT_H
#define CSA_LABEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns @ret, with the sentence in @err (if not NULL). */
__attribute__((format(printf, 4, 5)))
int csa_lbl_report(int ret, char *err, size_t errlen, const char *fmt, ...);

/* SHA-256 of @n bytes at @p; -EIO if OpenSSL fails. */
int csa_lbl_sha256(const void *p, size_t n, uint8_t out[32]);

bool csa_lbl_all_zero(const uint8_t *p, size_t n);

static inline void csa_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void csa_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t csa_get_le32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint64_t csa_get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#endif
