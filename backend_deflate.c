// SPDX-License-Identifier: GPL-2.0
/*
 * The "deflate" backend: zlib's deflate from lib/zlib_deflate and
 * lib/zlib_inflate.
 *
 * level:           Z_DEFAULT_COMPRESSION (the default, which zlib takes
 *                  as 6) or 0..9.
 * deflate.winbits: the window, as zlib's windowBits: -15..-9 for a raw
 *                  deflate stream (the default is -15), 9..15 for one in
 *                  a zlib wrapper (header and Adler-32 trailer).
 * dict:            refused; the kernel's zlib exports no way to use one.
 *
 * Anything outside these ranges is refused by setup_params(), before
 * zlib (which BUG()s on some of them when sizing its workspace) sees it.
 * Every level but 0 gets zcomp's early abort.
 * A compression stream keeps a deflate state, a decompression stream an
 * inflate state, each in a workspace allocated with the stream.
 */

#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/zlib.h>

#include "backend_deflate.h"

#define DEFLATE_DEFAULT_WINBITS	(-MAX_WBITS)
#define DEFLATE_MIN_WINBITS	9

static bool deflate_winbits_valid(s32 winbits)
{
	s32 bits = winbits < 0 ? -winbits : winbits;

	return bits >= DEFLATE_MIN_WINBITS && bits <= MAX_WBITS;
}

static int deflate_setup_params(struct zcomp_params *params)
{
	s32 level = params->level;
	s32 winbits = params->deflate.winbits;

	if (level == ZCOMP_PARAM_NOT_SET)
		level = Z_DEFAULT_COMPRESSION;
	if (winbits == ZCOMP_PARAM_NOT_SET)
		winbits = DEFLATE_DEFAULT_WINBITS;

	if (level < Z_DEFAULT_COMPRESSION || level > Z_BEST_COMPRESSION)
		return -EINVAL;
	if (!deflate_winbits_valid(winbits))
		return -EINVAL;
	if (params->dict_sz)
		return -EINVAL;

	params->level = level;
	params->deflate.winbits = winbits;
	return 0;
}

static void deflate_release_params(struct zcomp_params *params)
{
}

/* Every level but 0 (stored blocks) searches for repeats */
static bool deflate_costly(const struct zcomp_params *params)
{
	return params->level != Z_NO_COMPRESSION;
}

/* A zlib state whose workspace is ours: zlib frees nothing itself */
static void deflate_free_zs(struct z_stream_s *zs)
{
	if (!zs)
		return;
	vfree(zs->workspace);
	kfree(zs);
}

static void deflate_destroy_ctx(struct zcomp_ctx *ctx)
{
	struct z_stream_s *zs = ctx->context;

	if (zs && zs->state)
		zlib_deflateEnd(zs);
	deflate_free_zs(zs);
	ctx->context = NULL;
}

static void deflate_destroy_dctx(struct zcomp_ctx *ctx)
{
	struct z_stream_s *zs = ctx->context;

	if (zs && zs->state)
		zlib_inflateEnd(zs);
	deflate_free_zs(zs);
	ctx->context = NULL;
}

static struct z_stream_s *deflate_alloc_zs(size_t workspace)
{
	struct z_stream_s *zs = kzalloc(sizeof(*zs), GFP_KERNEL);

	if (!zs)
		return NULL;
	zs->workspace = vzalloc(workspace);
	if (!zs->workspace) {
		kfree(zs);
		return NULL;
	}
	return zs;
}

static int deflate_create_ctx(struct zcomp_params *params,
			      struct zcomp_ctx *ctx)
{
	s32 winbits = params->deflate.winbits;
	struct z_stream_s *zs;

	zs = deflate_alloc_zs(zlib_deflate_workspacesize(winbits,
							 MAX_MEM_LEVEL));
	if (!zs)
		return -ENOMEM;
	ctx->context = zs;
	if (zlib_deflateInit2(zs, params->level, Z_DEFLATED, winbits,
			      MAX_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		return -EINVAL;
	return 0;
}

static int deflate_create_dctx(struct zcomp_params *params,
			       struct zcomp_ctx *ctx)
{
	struct z_stream_s *zs;

	zs = deflate_alloc_zs(zlib_inflate_workspacesize());
	if (!zs)
		return -ENOMEM;
	ctx->context = zs;
	if (zlib_inflateInit2(zs, params->deflate.winbits) != Z_OK)
		return -EINVAL;
	return 0;
}

static int deflate_compress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct z_stream_s *zs = ctx->context;
	int ret;

	if (zlib_deflateReset(zs) != Z_OK)
		return -EINVAL;
	zs->next_in = req->src;
	zs->avail_in = req->src_len;
	zs->next_out = req->dst;
	zs->avail_out = req->dst_len;

	ret = zlib_deflate(zs, Z_FINISH);
	if (ret == Z_STREAM_END) {
		req->dst_len = zs->total_out;
		return 0;
	}
	/* Anything short of the end of stream means the room ran out */
	return ret == Z_OK || ret == Z_BUF_ERROR ? -ENOSPC : -EINVAL;
}

static int deflate_decompress(struct zcomp_params *params,
			      struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct z_stream_s *zs = ctx->context;

	if (zlib_inflateReset(zs) != Z_OK)
		return -EINVAL;
	zs->next_in = req->src;
	zs->avail_in = req->src_len;
	zs->next_out = req->dst;
	zs->avail_out = req->dst_len;

	/* Done only at the end of the stream, with the page exactly full */
	if (zlib_inflate(zs, Z_FINISH) != Z_STREAM_END ||
	    zs->total_out != req->dst_len)
		return -EINVAL;
	return 0;
}

const struct zcomp_ops deflate_zcomp_ops = {
	.name		= "deflate",
	.setup_params	= deflate_setup_params,
	.release_params	= deflate_release_params,
	.create_ctx	= deflate_create_ctx,
	.destroy_ctx	= deflate_destroy_ctx,
	.create_dctx	= deflate_create_dctx,
	.destroy_dctx	= deflate_destroy_dctx,
	.costly		= deflate_costly,
	.compress	= deflate_compress,
	.decompress	= deflate_decompress,
};
