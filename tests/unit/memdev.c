// SPDX-License-Identifier: GPL-2.0-or-later
/* An in-memory LUN with fault injection for the store's tests (memdev.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/memdev.h"

static int in_range(struct memdev *m, uint64_t off, size_t len)
{
	m->misaligned += off % CSA_IO_ALIGN || len % CSA_IO_ALIGN;
	if (off > m->size || len > m->size - off) {
		m->out_of_range++;
		return 0;
	}
	return 1;
}

static int md_read(void *dev, uint64_t off, size_t len, void *buf)
{
	struct memdev *m = dev;

	m->reads++;
	if (m->fail_reads)
		return m->fail_reads;
	if (!in_range(m, off, len))
		return -EINVAL;
	memcpy(buf, m->data + off, len);
	return 0;
}

static int md_write(void *dev, uint64_t off, size_t len, const void *buf)
{
	struct memdev *m = dev;
	size_t n = len;

	m->writes++;
	m->last_write_off = off;
	m->last_write_len = len;
	if (m->fail_writes)
		return m->fail_writes;
	if (!in_range(m, off, len))
		return -EINVAL;
	if (m->cut_after >= 0 && (unsigned long long)m->cut_after < len)
		n = (size_t)m->cut_after;
	memcpy(m->data + off, buf, n);
	if (m->cut_after < 0)
		return 0;
	m->cut_after = -1;
	return n < len ? -EIO : 0;
}

static int md_flush(void *dev)
{
	struct memdev *m = dev;

	m->flushes++;
	return m->fail_flush;
}

const struct csa_dev_ops memdev_ops = {
	.read = md_read,
	.write = md_write,
	.flush = md_flush,
};

struct memdev *memdev_new(uint64_t size)
{
	struct memdev *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->data = calloc(1, size ? size : 1);
	if (!m->data) {
		free(m);
		return NULL;
	}
	m->size = size;
	m->cut_after = -1;
	return m;
}

void memdev_free(struct memdev *m)
{
	if (!m)
		return;
	free(m->data);
	free(m);
}

void memdev_flip(struct memdev *m, uint64_t off, uint8_t mask)
{
	if (off < m->size)
		m->data[off] ^= mask ? mask : 0x01;
}

struct csa_store_dev memdev_dev(struct memdev *m, const char *name)
{
	return (struct csa_store_dev){ .ops = &memdev_ops, .dev = m,
				       .name = name, .size = m->size };
}
