/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the "lz4" and "lz4hc" backends share: both write the LZ4 format,
 * take a dictionary the same way and read their output back with the one
 * LZ4 decoder.
 */
#ifndef _ZRAM_BACKEND_LZ4_DICT_H_
#define _ZRAM_BACKEND_LZ4_DICT_H_

#include <linux/errno.h>
#include <linux/lz4.h>
#include <linux/minmax.h>
#include <linux/sizes.h>

#include "zcomp.h"

/* How far back an LZ4 match may reach: only a dictionary's tail counts */
#define LZ4_WINDOW		SZ_64K
/* Shorter ones are less than the library's hash unit: it drops them */
#define LZ4_DICT_MIN		8

/* The part of a dictionary that matches may refer to */
struct lz4_dict_tail {
	const char *data;
	int len;
};

static inline int lz4_dict_tail(const struct zcomp_params *params,
				struct lz4_dict_tail *tail)
{
	size_t len = min_t(size_t, params->dict_sz, LZ4_WINDOW);

	if (params->dict_sz < LZ4_DICT_MIN)
		return -EINVAL;
	tail->data = (const char *)params->dict + params->dict_sz - len;
	tail->len = len;
	return 0;
}

/* Decode @req, with the dictionary @tail if not NULL; all of it or -EINVAL */
static inline int lz4_decode(const struct lz4_dict_tail *tail,
			     struct zcomp_req *req)
{
	const char *src = (const char *)req->src;
	char *dst = (char *)req->dst;
	int ret;

	if (req->src_len > INT_MAX || req->dst_len > INT_MAX)
		return -EINVAL;
	if (tail)
		ret = LZ4_decompress_safe_usingDict(src, dst, req->src_len,
						    req->dst_len, tail->data,
						    tail->len);
	else
		ret = LZ4_decompress_safe(src, dst, req->src_len, req->dst_len);
	if (ret < 0 || (size_t)ret != req->dst_len)
		return -EINVAL;
	return 0;
}

#endif /* _ZRAM_BACKEND_LZ4_DICT_H_ */
