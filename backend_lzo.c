// SPDX-License-Identifier: GPL-2.0
/*
 * The "lzo" and "lzo-rle" backends: LZO1X-1 from lib/lzo, plain or with
 * run-length encoding of zero runs.  An lzo-rle stream starts with a
 * version byte that the one LZO decompressor understands, so the two
 * differ only in how they compress; everything else is shared here.
 *
 * LZO has no compression levels and no dictionaries.  A level is ignored,
 * as every zram does; a dictionary is refused, so that a configuration
 * that asks for one does not silently get something else.
 */

#include <linux/errno.h>
#include <linux/lzo.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend_lzo.h"

/*
 * The shortest lzo-rle stream: a 2-byte version header, then the 3-byte
 * end marker.  lzorle1x_1_compress_safe() writes the header before it
 * looks at the room, and once past the end its later checks pass too:
 * less room than this is refused here, before the library can overrun.
 */
#define LZORLE_MIN_OUTPUT	5

static int lzo_setup_params(struct zcomp_params *params)
{
	return params->dict_sz ? -EINVAL : 0;
}

static void lzo_release_params(struct zcomp_params *params)
{
}

static int lzo_create_ctx(struct zcomp_params *params, struct zcomp_ctx *ctx)
{
	/* The compressor's hash table; decompression needs no state */
	ctx->context = kvmalloc(LZO1X_1_MEM_COMPRESS, GFP_KERNEL);
	return ctx->context ? 0 : -ENOMEM;
}

static void lzo_destroy_ctx(struct zcomp_ctx *ctx)
{
	kvfree(ctx->context);
	ctx->context = NULL;
}

/* lib/lzo's result as an errno: no room is -ENOSPC, as zcomp expects */
static int lzo_result(int ret, size_t out, struct zcomp_req *req)
{
	if (ret == LZO_E_OUTPUT_OVERRUN)
		return -ENOSPC;
	if (ret != LZO_E_OK)
		return -EINVAL;
	req->dst_len = out;
	return 0;
}

static int lzo_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			struct zcomp_req *req)
{
	/* The _safe variants take the room in @out and never write past it */
	size_t out = req->dst_len;
	int ret;

	ret = lzo1x_1_compress_safe(req->src, req->src_len, req->dst, &out,
				    ctx->context);
	return lzo_result(ret, out, req);
}

static int lzorle_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			   struct zcomp_req *req)
{
	size_t out = req->dst_len;
	int ret;

	if (out < LZORLE_MIN_OUTPUT)
		return -ENOSPC;
	ret = lzorle1x_1_compress_safe(req->src, req->src_len, req->dst, &out,
				       ctx->context);
	return lzo_result(ret, out, req);
}

/* Both formats; the page must come back whole */
static int lzo_decompress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			  struct zcomp_req *req)
{
	size_t out = req->dst_len;
	int ret;

	ret = lzo1x_decompress_safe(req->src, req->src_len, req->dst, &out);
	if (ret != LZO_E_OK || out != req->dst_len)
		return -EINVAL;
	return 0;
}

const struct zcomp_ops lzo_zcomp_ops = {
	.name		= "lzo",
	.setup_params	= lzo_setup_params,
	.release_params	= lzo_release_params,
	.create_ctx	= lzo_create_ctx,
	.destroy_ctx	= lzo_destroy_ctx,
	.compress	= lzo_compress,
	.decompress	= lzo_decompress,
};

const struct zcomp_ops lzorle_zcomp_ops = {
	.name		= "lzo-rle",
	.setup_params	= lzo_setup_params,
	.release_params	= lzo_release_params,
	.create_ctx	= lzo_create_ctx,
	.destroy_ctx	= lzo_destroy_ctx,
	.compress	= lzorle_compress,
	.decompress	= lzo_decompress,
};
