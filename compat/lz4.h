/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for the LZ4 library API. */
#ifndef _ZRAM_COMPAT_LZ4_H_
#define _ZRAM_COMPAT_LZ4_H_

#include <linux/lz4.h>

/*
 * compat_lz4hc_reset_stream() - make an HC stream empty, at @level
 *
 * The continue API (LZ4_loadDictHC(), LZ4_compress_HC_continue()) takes its
 * level from the stream.  Where LZ4_resetStreamHC() is exported, it does
 * this.  Debian's 6.1 declares it but does not export it: there the two
 * fields the library's reset sets are set here (no match history, and
 * the level).
 */
static inline void compat_lz4hc_reset_stream(LZ4_streamHC_t *stream, int level)
{
#ifdef HAVE_LZ4_RESETSTREAMHC
	LZ4_resetStreamHC(stream, level);
#else
	stream->internal_donotuse.base = NULL;
	stream->internal_donotuse.compressionLevel = level;
#endif
}

#endif /* _ZRAM_COMPAT_LZ4_H_ */
