/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for the zstd library API. */
#ifndef _ZRAM_COMPAT_ZSTD_H_
#define _ZRAM_COMPAT_ZSTD_H_

/*
 * 6.12 added int zstd_default_clevel(void); before, the default level was
 * only the ZSTD_CLEVEL_DEFAULT macro of zstd_lib.h, which the function
 * returns.  A macro, so that it needs <linux/zstd.h> only where it is used.
 */
#ifndef HAVE_ZSTD_DEFAULT_CLEVEL
#define zstd_default_clevel()	ZSTD_CLEVEL_DEFAULT
#endif

/*
 * 6.12 added contexts allocated through a custom allocator and digested
 * dictionaries (CDict/DDict) that many contexts share.  The 6.1 library
 * exports nothing that could stand in for them (no dictionary entry point
 * at all), so there is no shim: COMPAT_ZSTD_DICT_API tells the zstd
 * backend whether to build its dictionary path.  Without it a dictionary
 * is refused with -EOPNOTSUPP.
 */
#if defined(HAVE_ZSTD_CUSTOM_MEM) && \
	defined(HAVE_ZSTD_CREATE_CCTX_ADVANCED) && \
	defined(HAVE_ZSTD_CREATE_DCTX_ADVANCED) && \
	defined(HAVE_ZSTD_CDICT_BYREFERENCE) && \
	defined(HAVE_ZSTD_DDICT_BYREFERENCE) && \
	defined(HAVE_ZSTD_GET_CPARAMS)
#define COMPAT_ZSTD_DICT_API	1
#endif

#endif /* _ZRAM_COMPAT_ZSTD_H_ */
