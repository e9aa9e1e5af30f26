// SPDX-License-Identifier: GPL-2.0
/*
 * The "lzo-rle" backend: LZO1X-1 with run-length encoding of zero runs,
 * from lib/lzo.  The stream carries a version byte that the one LZO
 * decompressor understands, so only compression differs from "lzo".
 *
 * Parameters as for "lzo": a level is ignored, a dictionary refused.
 */

#include <linux/errno.h>
#include <linux/lzo.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend_lzorle.h"

/*
 * The shortest lzo-rle stream: a 2-byte version header, then the 3-byte
 * end marker.  lzorle1x_1_compress_safe() writes the header before it
 * looks at the room, and once past the end its later checks pass too:
 * less room than this is refused here, before the library can overrun.
 */
#define LZORLE_MIN_OUTPUT	5

static int lzorle_setup_params(struct zcomp_params *params)
{
	return params->dict_sz ? -EINVAL : 0;
}

static void lzorle_release_params(struct zcomp_params *params)
{
}

static int lzorle_create_ctx(struct zcomp_params *params,
			     struct zcomp_ctx *ctx)
{
	ctx->context = kvmalloc(LZO1X_1_MEM_COMPRESS, GFP_KERNEL);
	return ctx->context ? 0 : -ENOMEM;
}

static void lzorle_destroy_ctx(struct zcomp_ctx *ctx)
{
	kvfree(ctx->context);
	ctx->context = NULL;
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
	if (ret == LZO_E_OUTPUT_OVERRUN)
		return -ENOSPC;
	if (ret != LZO_E_OK)
		return -EINVAL;
	req->dst_len = out;
	return 0;
}

static int lzorle_decompress(struct zcomp_params *params,
			     struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	size_t out = req->dst_len;

	if (lzo1x_decompress_safe(req->src, req->src_len, req->dst, &out))
		return -EINVAL;
	return out == req->dst_len ? 0 : -EINVAL;
}

const struct zcomp_ops lzorle_zcomp_ops = {
	.name		= "lzo-rle",
	.setup_params	= lzorle_setup_params,
	.release_params	= lzorle_release_params,
	.create_ctx	= lzorle_create_ctx,
	.destroy_ctx	= lzorle_destroy_ctx,
	.compress	= lzorle_compress,
	.decompress	= lzorle_decompress,
};
