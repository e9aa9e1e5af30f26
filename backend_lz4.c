// SPDX-License-Identifier: GPL-2.0
/*
 * The "lz4" backend: LZ4 from lib/lz4.
 *
 * level: the acceleration, as in LZ4_compress_fast(): 1 (the default)
 *        compresses best, higher values trade ratio for speed.  Values
 *        below 1 mean the default, as they do for the library; values
 *        above LZ4_ACCEL_LIMIT are refused.
 * dict:  a dictionary of at least LZ4_DICT_MIN bytes; LZ4 can refer back
 *        only LZ4_WINDOW bytes, so only the dictionary's tail counts.
 *
 * With a dictionary, setup_params() loads it once into a stream state
 * shared by all streams (drv_data).  Each compression starts from a copy
 * of that state in the stream's own LZ4_stream_t: copying 16 KiB costs
 * less than hashing the dictionary again for every page.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lz4.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "backend_lz4.h"
#include "backend_lz4_dict.h"

/* Past this, the library's match-search step overflows (LZ4's own cap) */
#define LZ4_ACCEL_LIMIT		65537

/* What setup_params() prepares from a dictionary */
struct lz4_dict {
	LZ4_stream_t loaded;	/* stream state right after loading it */
	struct lz4_dict_tail tail;
};

static int lz4_setup_params(struct zcomp_params *params)
{
	s32 accel = params->level;
	struct lz4_dict *dict = NULL;

	if (accel < 1)		/* also ZCOMP_PARAM_NOT_SET */
		accel = LZ4_ACCELERATION_DEFAULT;
	if (accel > LZ4_ACCEL_LIMIT)
		return -EINVAL;

	if (params->dict_sz) {
		struct lz4_dict_tail tail;

		if (lz4_dict_tail(params, &tail))
			return -EINVAL;
		dict = kvzalloc(sizeof(*dict), GFP_KERNEL);
		if (!dict)
			return -ENOMEM;
		dict->tail = tail;
		/* A zeroed stream counts as reset; no LZ4_resetStream() */
		LZ4_loadDict(&dict->loaded, dict->tail.data, dict->tail.len);
	}

	params->level = accel;
	params->drv_data = dict;
	return 0;
}

static void lz4_release_params(struct zcomp_params *params)
{
	kvfree(params->drv_data);
	params->drv_data = NULL;
}

static int lz4_create_ctx(struct zcomp_params *params, struct zcomp_ctx *ctx)
{
	/* Work memory without a dictionary, the running stream with one */
	ctx->context = kvmalloc(sizeof(LZ4_stream_t), GFP_KERNEL);
	return ctx->context ? 0 : -ENOMEM;
}

static void lz4_destroy_ctx(struct zcomp_ctx *ctx)
{
	kvfree(ctx->context);
	ctx->context = NULL;
}

static int lz4_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			struct zcomp_req *req)
{
	const struct lz4_dict *dict = params->drv_data;
	LZ4_stream_t *stream = ctx->context;
	const char *src = (const char *)req->src;
	char *dst = (char *)req->dst;
	int room = min_t(size_t, req->dst_len, INT_MAX);
	int ret;

	if (req->src_len > LZ4_MAX_INPUT_SIZE)
		return -EINVAL;

	if (!dict) {
		ret = LZ4_compress_fast(src, dst, req->src_len, room,
					params->level, stream);
	} else {
		memcpy(stream, &dict->loaded, sizeof(*stream));
		ret = LZ4_compress_fast_continue(stream, src, dst,
						 req->src_len, room,
						 params->level);
	}
	/* Both stop and return 0 rather than pass @room */
	if (ret <= 0)
		return -ENOSPC;
	req->dst_len = ret;
	return 0;
}

static int lz4_decompress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			  struct zcomp_req *req)
{
	const struct lz4_dict *dict = params->drv_data;

	return lz4_decode(dict ? &dict->tail : NULL, req);
}

const struct zcomp_ops lz4_zcomp_ops = {
	.name		= "lz4",
	.setup_params	= lz4_setup_params,
	.release_params	= lz4_release_params,
	.create_ctx	= lz4_create_ctx,
	.destroy_ctx	= lz4_destroy_ctx,
	.compress	= lz4_compress,
	.decompress	= lz4_decompress,
};
