// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "primary/lun_dev.h"

/* One command, waited for; the engine bounds it by its I/O timeout. */
static int lun_rw(struct csa_lun *l, uint8_t op, uint64_t off, size_t len,
		  void *buf)
{
	uint32_t bs = csa_lun_info(l)->block_size;
	struct iovec iov = { buf, len };
	struct csa_io io = { .op = op, .iov = &iov, .iovcnt = 1 };

	if (op != CSA_IO_SYNC) {
		if (off % bs || len % bs || !len)
			return -EINVAL;
		io.lba = off / bs;
		io.nblocks = (uint32_t)(len / bs);
	} else {
		io.iovcnt = 0;
	}
	return csa_lun_run(l, &io);
}

static int dev_read(void *dev, uint64_t off, size_t len, void *buf)
{
	return lun_rw(dev, CSA_IO_READ, off, len, buf);
}

static int dev_write(void *dev, uint64_t off, size_t len, const void *buf)
{
	/* The engine only reads a write's buffer. */
	return lun_rw(dev, CSA_IO_WRITE, off, len, (void *)buf);
}

static int dev_flush(void *dev)
{
	return lun_rw(dev, CSA_IO_SYNC, 0, 0, NULL);
}

const struct csa_dev_ops csa_lun_dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.flush = dev_flush,
};

struct csa_store_dev csa_lun_dev(struct csa_lun *l, const char *name)
{
	const struct csa_lun_info *info = csa_lun_info(l);

	return (struct csa_store_dev){
		.ops = &csa_lun_dev_ops, .dev = l, .name = name,
		.size = info->blocks * info->block_size };
}
