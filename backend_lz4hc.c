// SPDX-License-Identifier: GPL-2.0
/*
 * The "lz4hc" backend: LZ4's high-compression encoder from lib/lz4; the
 * output is plain LZ4, read back by the LZ4 decoder.
 *
 * level: the HC level, 1..LZ4HC_MAX_CLEVEL (default LZ4HC_DEFAULT_CLEVEL);
 *        anything else is refused.
 * dict:  as for "lz4": at least LZ4_DICT_MIN bytes, of which the last
 *        LZ4_WINDOW count (backend_lz4_dict.h).
 *
 * With a dictionary, setup_params() loads it once into a stream state
 * shared by all streams, and each compression starts from a copy of it,
 * as the lz4 backend does.  The HC state is 256 KiB, but loading the
 * dictionary clears as much and hashes it besides, so copying still wins.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lz4.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "backend_lz4hc.h"
#include "backend_lz4_dict.h"

/* What setup_params() prepares from a dictionary */
struct lz4hc_dict {
	LZ4_streamHC_t loaded;	/* stream state right after loading it */
	struct lz4_dict_tail tail;
};

static int lz4hc_setup_params(struct zcomp_params *params)
{
	s32 level = params->level;
	struct lz4hc_dict *dict = NULL;

	if (level == ZCOMP_PARAM_NOT_SET)
		level = LZ4HC_DEFAULT_CLEVEL;
	if (level < 1 || level > LZ4HC_MAX_CLEVEL)
		return -EINVAL;

	if (params->dict_sz) {
		struct lz4_dict_tail tail;

		if (lz4_dict_tail(params, &tail))
			return -EINVAL;
		dict = kvzalloc(sizeof(*dict), GFP_KERNEL);
		if (!dict)
			return -ENOMEM;
		dict->tail = tail;
		/* the continue API takes its level from the stream */
		compat_lz4hc_reset_stream(&dict->loaded, level);
		LZ4_loadDictHC(&dict->loaded, dict->tail.data, dict->tail.len);
	}

	params->level = level;
	params->drv_data = dict;
	return 0;
}

static void lz4hc_release_params(struct zcomp_params *params)
{
	kvfree(params->drv_data);
	params->drv_data = NULL;
}

static int lz4hc_create_ctx(struct zcomp_params *params,
			    struct zcomp_ctx *ctx)
{
	/* LZ4HC_MEM_COMPRESS without a dictionary, a stream with one */
	ctx->context = kvmalloc(sizeof(LZ4_streamHC_t), GFP_KERNEL);
	return ctx->context ? 0 : -ENOMEM;
}

static void lz4hc_destroy_ctx(struct zcomp_ctx *ctx)
{
	kvfree(ctx->context);
	ctx->context = NULL;
}

static int lz4hc_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			  struct zcomp_req *req)
{
	const struct lz4hc_dict *dict = params->drv_data;
	LZ4_streamHC_t *stream = ctx->context;
	const char *src = (const char *)req->src;
	char *dst = (char *)req->dst;
	int room = min_t(size_t, req->dst_len, INT_MAX);
	int ret;

	if (req->src_len > LZ4_MAX_INPUT_SIZE)
		return -EINVAL;

	if (!dict) {
		ret = LZ4_compress_HC(src, dst, req->src_len, room,
				      params->level, stream);
	} else {
		memcpy(stream, &dict->loaded, sizeof(*stream));
		ret = LZ4_compress_HC_continue(stream, src, dst, req->src_len,
					       room);
	}
	/* Below LZ4_compressBound() both check the room and return 0 */
	if (ret <= 0)
		return -ENOSPC;
	req->dst_len = ret;
	return 0;
}

static int lz4hc_decompress(struct zcomp_params *params,
			    struct zcomp_ctx *ctx, struct zcomp_req *req)
{
	const struct lz4hc_dict *dict = params->drv_data;

	return lz4_decode(dict ? &dict->tail : NULL, req);
}

/* Its chain search costs several times LZ4's, at every level */
static bool lz4hc_costly(const struct zcomp_params *params)
{
	return true;
}

const struct zcomp_ops lz4hc_zcomp_ops = {
	.name		= "lz4hc",
	.setup_params	= lz4hc_setup_params,
	.release_params	= lz4hc_release_params,
	.create_ctx	= lz4hc_create_ctx,
	.destroy_ctx	= lz4hc_destroy_ctx,
	.costly		= lz4hc_costly,
	.compress	= lz4hc_compress,
	.decompress	= lz4hc_decompress,
};
