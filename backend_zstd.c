// SPDX-License-Identifier: GPL-2.0
/*
 * The "zstd" backend: Zstandard from lib/zstd.
 *
 * level: zstd_min_clevel()..zstd_max_clevel(), negative levels included;
 *        the default is the library's, zstd_default_clevel() (3).  Level
 *        0 means that default too, as it does for zstd itself.
 * dict:  a raw-content or zstd-format dictionary (zstd --train), used in
 *        both directions.
 *
 * Without a dictionary a compression stream gets a compression context and
 * a decompression stream a decompression context, each placed in a
 * workspace that is allocated with the stream, sized for the level and
 * one page of input: nothing is allocated while compressing.  This is the
 * same on every supported kernel.
 *
 * With a dictionary, setup_params() digests it once into a CDict and a
 * DDict that every stream shares, and each stream's context is made by
 * the library with our allocator, which it also calls while compressing
 * when it needs room for the dictionary's tables.  A new compression
 * stream compresses one page right away, so that this room is there
 * before any write; from then on the allocator may not reclaim at all: it
 * runs with the stream held, and a writer waiting for the stream would
 * wait for the reclaim.  If it fails, compression reports -ENOMEM and
 * zram tries again with the stream put back.  Nothing it allocates may
 * start I/O: it can run for a write to this very device, e.g. swap-out.
 * Decompressing with a DDict allocates nothing; a decompression context
 * gets the same rule all the same.
 * This needs the allocator and dictionary API of 6.12 (compat/zstd.h);
 * the 6.1 library exports no dictionary entry point, so there a
 * dictionary is refused with -EOPNOTSUPP.
 *
 * From level 3 up, and without a dictionary, zstd gets zcomp's early
 * abort.
 */

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/zstd.h>

#include "backend_zstd.h"

struct zstd_dicts;

/* What setup_params() prepares (params->drv_data) */
struct zstd_setup {
	zstd_parameters zp;		/* the level's parameters for a page */
	struct zstd_dicts *dicts;	/* NULL without a dictionary */
};

/* A compression stream's context (ctx->context) */
struct zstd_cstream {
	zstd_cctx *cctx;
	void *work;		/* its workspace, when it lives in one */
	gfp_t gfp;		/* what the library's allocations may do */
};

/* A decompression stream's context (ctx->context) */
struct zstd_dstream {
	zstd_dctx *dctx;
	void *work;
	gfp_t gfp;
};

static int zstd_errno(size_t ret)
{
	switch (zstd_get_error_code(ret)) {
	case ZSTD_error_dstSize_tooSmall:
		return -ENOSPC;
	case ZSTD_error_memory_allocation:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

/* Compression result to a zcomp result */
static int zstd_compressed(struct zcomp_req *req, size_t ret)
{
	if (zstd_is_error(ret))
		return zstd_errno(ret);
	req->dst_len = ret;
	return 0;
}

/* Decompression result to a zcomp result: it must fill the page exactly */
static int zstd_decompressed(struct zcomp_req *req, size_t ret)
{
	if (zstd_is_error(ret))
		return zstd_errno(ret);
	return ret == req->dst_len ? 0 : -EINVAL;
}

#ifdef COMPAT_ZSTD_DICT_API

struct zstd_dicts {
	zstd_cdict *cdict;
	zstd_ddict *ddict;
};

/* @opaque: the stream's gfp, or NULL for the shared dictionaries */
static void *zstd_mem_alloc(void *opaque, size_t size)
{
	gfp_t gfp = opaque ? *(gfp_t *)opaque : GFP_KERNEL;

	return kvmalloc(size, gfp | __GFP_NOWARN);
}

static void zstd_mem_free(void *opaque, void *address)
{
	kvfree(address);
}

static const zstd_custom_mem zstd_mem = {
	.customAlloc	= zstd_mem_alloc,
	.customFree	= zstd_mem_free,
	.opaque		= NULL,
};

/* Whether zstd takes @dict for one of its own, not for raw content */
static bool zstd_dict_is_structured(const void *dict, size_t dict_sz)
{
	/* ZSTD_MAGIC_DICTIONARY, little-endian */
	static const u8 magic[4] = { 0x37, 0xa4, 0x30, 0xec };

	return dict_sz >= sizeof(magic) && !memcmp(dict, magic, sizeof(magic));
}

static void zstd_dicts_free(struct zstd_dicts *dicts)
{
	if (!dicts)
		return;
	zstd_free_cdict(dicts->cdict);
	zstd_free_ddict(dicts->ddict);
	kfree(dicts);
}

static int zstd_dicts_load(struct zstd_setup *setup, s32 level,
			   const void *dict, size_t dict_sz)
{
	zstd_compression_parameters cp;
	struct zstd_dicts *dicts;

	dicts = kzalloc(sizeof(*dicts), GFP_KERNEL);
	if (!dicts)
		return -ENOMEM;

	/* By reference: the dictionary stays until zcomp_destroy() */
	cp = zstd_get_cparams(level, PAGE_SIZE, dict_sz);
	dicts->cdict = zstd_create_cdict_byreference(dict, dict_sz, cp,
						     zstd_mem);
	dicts->ddict = zstd_create_ddict_byreference(dict, dict_sz, zstd_mem);
	if (!dicts->cdict || !dicts->ddict) {
		zstd_dicts_free(dicts);
		/* Raw content always loads: only a zstd-format one can be bad */
		return zstd_dict_is_structured(dict, dict_sz) ? -EINVAL :
								-ENOMEM;
	}
	setup->dicts = dicts;
	return 0;
}

static int zstd_dicts_create_ctx(const struct zstd_dicts *dicts,
				 struct zstd_cstream *zs)
{
	zstd_custom_mem mem = zstd_mem;
	void *buf;
	size_t ret;

	/* made, and given its room, where reclaim is fine */
	zs->gfp = GFP_KERNEL;
	mem.opaque = &zs->gfp;
	zs->cctx = zstd_create_cctx_advanced(mem);
	if (!zs->cctx)
		return -ENOMEM;
	buf = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = zstd_compress_using_cdict(zs->cctx, buf + PAGE_SIZE,
					2 * PAGE_SIZE, buf, PAGE_SIZE,
					dicts->cdict);
	kfree(buf);
	if (zstd_is_error(ret))
		return zstd_errno(ret);
	zs->gfp = GFP_NOWAIT;
	return 0;
}

static int zstd_dicts_create_dctx(struct zstd_dstream *zs)
{
	zstd_custom_mem mem = zstd_mem;

	zs->gfp = GFP_KERNEL;
	mem.opaque = &zs->gfp;
	zs->dctx = zstd_create_dctx_advanced(mem);
	if (!zs->dctx)
		return -ENOMEM;
	zs->gfp = GFP_NOWAIT;
	return 0;
}

/* Contexts that the two above made */
static void zstd_dicts_destroy_ctx(struct zstd_cstream *zs)
{
	zstd_free_cctx(zs->cctx);
}

static void zstd_dicts_destroy_dctx(struct zstd_dstream *zs)
{
	zstd_free_dctx(zs->dctx);
}

static int zstd_dicts_compress(const struct zstd_dicts *dicts,
			       struct zstd_cstream *zs, struct zcomp_req *req)
{
	size_t ret;

	ret = zstd_compress_using_cdict(zs->cctx, req->dst, req->dst_len,
					req->src, req->src_len, dicts->cdict);
	return zstd_compressed(req, ret);
}

static int zstd_dicts_decompress(const struct zstd_dicts *dicts,
				 struct zstd_dstream *zs, struct zcomp_req *req)
{
	size_t ret;

	ret = zstd_decompress_using_ddict(zs->dctx, req->dst, req->dst_len,
					  req->src, req->src_len, dicts->ddict);
	return zstd_decompressed(req, ret);
}

#else /* !COMPAT_ZSTD_DICT_API */

/*
 * No dictionary API in this kernel's zstd: zstd_dicts_load() refuses a
 * dictionary, so setup->dicts stays NULL and nothing below runs.
 */
static void zstd_dicts_free(struct zstd_dicts *dicts)
{
}

static int zstd_dicts_load(struct zstd_setup *setup, s32 level,
			   const void *dict, size_t dict_sz)
{
	return -EOPNOTSUPP;
}

static int zstd_dicts_create_ctx(const struct zstd_dicts *dicts,
				 struct zstd_cstream *zs)
{
	return -EOPNOTSUPP;
}

static int zstd_dicts_create_dctx(struct zstd_dstream *zs)
{
	return -EOPNOTSUPP;
}

static void zstd_dicts_destroy_ctx(struct zstd_cstream *zs)
{
}

static void zstd_dicts_destroy_dctx(struct zstd_dstream *zs)
{
}

static int zstd_dicts_compress(const struct zstd_dicts *dicts,
			       struct zstd_cstream *zs, struct zcomp_req *req)
{
	return -EOPNOTSUPP;
}

static int zstd_dicts_decompress(const struct zstd_dicts *dicts,
				 struct zstd_dstream *zs, struct zcomp_req *req)
{
	return -EOPNOTSUPP;
}

#endif /* COMPAT_ZSTD_DICT_API */

static int zstd_setup_params(struct zcomp_params *params)
{
	s32 level = params->level;
	struct zstd_setup *setup;
	int err;

	if (level == ZCOMP_PARAM_NOT_SET)
		level = zstd_default_clevel();
	if (level < zstd_min_clevel() || level > zstd_max_clevel())
		return -EINVAL;

	setup = kzalloc(sizeof(*setup), GFP_KERNEL);
	if (!setup)
		return -ENOMEM;
	setup->zp = zstd_get_params(level, PAGE_SIZE);

	if (params->dict_sz) {
		err = zstd_dicts_load(setup, level, params->dict,
				      params->dict_sz);
		if (err) {
			kfree(setup);
			return err;
		}
	}

	params->level = level;
	params->drv_data = setup;
	return 0;
}

static void zstd_release_params(struct zcomp_params *params)
{
	struct zstd_setup *setup = params->drv_data;

	if (!setup)
		return;
	zstd_dicts_free(setup->dicts);
	kfree(setup);
	params->drv_data = NULL;
}

static void zstd_destroy_ctx(struct zcomp_ctx *ctx)
{
	struct zstd_cstream *zs = ctx->context;

	if (!zs)
		return;
	if (zs->work)
		vfree(zs->work);
	else
		zstd_dicts_destroy_ctx(zs);
	kfree(zs);
	ctx->context = NULL;
}

static void zstd_destroy_dctx(struct zcomp_ctx *ctx)
{
	struct zstd_dstream *zs = ctx->context;

	if (!zs)
		return;
	if (zs->work)
		vfree(zs->work);
	else
		zstd_dicts_destroy_dctx(zs);
	kfree(zs);
	ctx->context = NULL;
}

static int zstd_create_ctx(struct zcomp_params *params, struct zcomp_ctx *ctx)
{
	const struct zstd_setup *setup = params->drv_data;
	struct zstd_cstream *zs;
	size_t size;

	zs = kzalloc(sizeof(*zs), GFP_KERNEL);
	if (!zs)
		return -ENOMEM;
	/* zstd_destroy_ctx() undoes a half-made context from here on */
	ctx->context = zs;

	if (setup->dicts)
		return zstd_dicts_create_ctx(setup->dicts, zs);

	size = zstd_cctx_workspace_bound(&setup->zp.cParams);
	zs->work = vzalloc(size);
	if (!zs->work)
		return -ENOMEM;
	zs->cctx = zstd_init_cctx(zs->work, size);
	return zs->cctx ? 0 : -EINVAL;
}

static int zstd_create_dctx(struct zcomp_params *params, struct zcomp_ctx *ctx)
{
	const struct zstd_setup *setup = params->drv_data;
	struct zstd_dstream *zs;
	size_t size;

	zs = kzalloc(sizeof(*zs), GFP_KERNEL);
	if (!zs)
		return -ENOMEM;
	ctx->context = zs;

	if (setup->dicts)
		return zstd_dicts_create_dctx(zs);

	size = zstd_dctx_workspace_bound();
	zs->work = vzalloc(size);
	if (!zs->work)
		return -ENOMEM;
	zs->dctx = zstd_init_dctx(zs->work, size);
	return zs->dctx ? 0 : -EINVAL;
}

static int zstd_compress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			 struct zcomp_req *req)
{
	const struct zstd_setup *setup = params->drv_data;
	struct zstd_cstream *zs = ctx->context;
	size_t ret;

	if (setup->dicts)
		return zstd_dicts_compress(setup->dicts, zs, req);

	ret = zstd_compress_cctx(zs->cctx, req->dst, req->dst_len,
				 req->src, req->src_len, &setup->zp);
	return zstd_compressed(req, ret);
}

static int zstd_decompress(struct zcomp_params *params, struct zcomp_ctx *ctx,
			   struct zcomp_req *req)
{
	const struct zstd_setup *setup = params->drv_data;
	struct zstd_dstream *zs = ctx->context;
	size_t ret;

	if (setup->dicts)
		return zstd_dicts_decompress(setup->dicts, zs, req);

	ret = zstd_decompress_dctx(zs->dctx, req->dst, req->dst_len,
				   req->src, req->src_len);
	return zstd_decompressed(req, ret);
}

/*
 * From level 3, the default, up: below it zstd searches little more than
 * LZ4 does, and gives up on a page that will not compress about as fast.
 */
#define ZSTD_COSTLY_LEVEL	3

static bool zstd_costly(const struct zcomp_params *params)
{
	s32 level = params->level ? params->level : zstd_default_clevel();

	return level >= ZSTD_COSTLY_LEVEL;
}

const struct zcomp_ops zstd_zcomp_ops = {
	.name		= "zstd",
	.setup_params	= zstd_setup_params,
	.release_params	= zstd_release_params,
	.create_ctx	= zstd_create_ctx,
	.destroy_ctx	= zstd_destroy_ctx,
	.create_dctx	= zstd_create_dctx,
	.destroy_dctx	= zstd_destroy_dctx,
	.costly		= zstd_costly,
	.compress	= zstd_compress,
	.decompress	= zstd_decompress,
};
