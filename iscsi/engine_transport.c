// SPDX-License-Identifier: GPL-2.0-or-later
/* The iSCSI engine behind the striper's transport ops. */
#include "iscsi/engine_transport.h"

static int et_open(void *tp, const struct csa_array_ref *array, uint32_t lun,
		   void **handle, uint32_t *block_size, uint64_t *blocks,
		   char *err, size_t errlen)
{
	const struct csa_lun_info *info;
	struct csa_lun *l;
	int ret;

	ret = csa_lun_open(tp, array->portal, array->target, lun, &l, err,
			   errlen);
	if (ret)
		return ret;
	info = csa_lun_info(l);
	*block_size = info->block_size;
	*blocks = info->blocks;
	*handle = l;
	return 0;
}

static void et_close(void *tp, void *handle)
{
	(void)tp;
	csa_lun_close(handle);
}

static void et_submit(void *tp, void *handle, struct csa_io *io)
{
	(void)tp;
	csa_lun_submit(handle, io);
}

static unsigned et_load(void *tp, void *handle)
{
	(void)tp;
	return csa_lun_load(handle);
}

static const struct csa_transport_ops engine_ops = {
	.open = et_open,
	.close = et_close,
	.submit = et_submit,
	.load = et_load,
};

struct csa_transport csa_engine_transport(struct csa_engine *e)
{
	return (struct csa_transport){ .ops = &engine_ops, .priv = e };
}
