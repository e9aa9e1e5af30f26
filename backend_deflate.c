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
 * Each stream keeps a deflate and an inflate state, each in a workspace
 * allocated with the stream.
 */

#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/zlib.h>

#include "backend_deflate.h"

#define DEFLATE_DEFAULT_WINBITS	(-MAX_WBITS)
#define DEFLATE_MIN_WINBITS	9

/* A stream's two zlib states */
struct deflate_pair {
	struct z_stream_s def;
	struct z_stream_s inf;
};

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

static void deflate_destroy_ctx(struct zcomp_ctx *ctx)
{
	struct deflate_pair *pair = ctx->context;

	if (!pair)
		return;
	/* zlib frees nothing itself: the workspaces are ours */
	if (pair->def.state)
		zlib_deflateEnd(&pair->def);
	if (pair->inf.state)
		zlib_inflateEnd(&pair->inf);
	vfree(pair->def.workspace);
	vfree(pair->inf.workspace);
	kfree(pair);
	ctx->context = NULL;
}

static int deflate_create_ctx(struct zcomp_params *params,
			      struct zcomp_ctx *ctx)
{
	s32 winbits = params->deflate.winbits;
	struct deflate_pair *pair;

	pair = kzalloc(sizeof(*pair), GFP_KERNEL);
	if (!pair)
		return -ENOMEM;
	/* From here on deflate_destroy_ctx() undoes whatever got done */
	ctx->context = pair;

	pair->def.workspace =
		vzalloc(zlib_deflate_workspacesize(winbits, MAX_MEM_LEVEL));
	pair->inf.workspace = vzalloc(zlib_inflate_workspacesize());
	if (!pair->def.workspace || !pair->inf.workspace)
		return -ENOMEM;

	if (zlib_deflateInit2(&pair->def, params->level, Z_DEFLATED, winbits,
			      MAX_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		return -EINVAL;
	if (zlib_inflateInit2(&pair->inf, winbits) != Z_OK)
		return -EINVAL;
	return 0;
}

static int deflate_compress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	struct deflate_pair *pair = ctx->context;
	struct z_stream_s *zs = &pair->def;
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
	struct deflate_pair *pair = ctx->context;
	struct z_stream_s *zs = &pair->inf;

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
	.compress	= deflate_compress,
	.decompress	= deflate_decompress,
};
