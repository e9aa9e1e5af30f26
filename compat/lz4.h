/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for the LZ4 library API. */
#ifndef _ZRAM_COMPAT_LZ4_H_
#define _ZRAM_COMPAT_LZ4_H_

/*
 * compat_lz4hc_reset_stream() - make an HC stream empty, at @level
 *
 * The continue API (LZ4_loadDictHC(), LZ4_compress_HC_continue()) takes its
 * level from the stream.  Where LZ4_resetStreamHC() is exported, it does
 * this.  Debian's 6.1 declares it but does not export it: there the two
 * fields the library's reset sets are set here (no match history, and
 * the level).  A macro, so that it needs <linux/lz4.h> only where it is
 * used.
 */
#ifdef HAVE_LZ4_RESETSTREAMHC
#define compat_lz4hc_reset_stream(stream, level) \
	LZ4_resetStreamHC(stream, level)
#else
#define compat_lz4hc_reset_stream(stream, level)			\
	do {								\
		LZ4HC_CCtx_internal *__hc = &(stream)->internal_donotuse; \
									\
		__hc->base = NULL;					\
		__hc->compressionLevel = (level);			\
	} while (0)
#endif

#endif /* _ZRAM_COMPAT_LZ4_H_ */
