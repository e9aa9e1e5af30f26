/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRC32C for the slot checksums: compat_crc32c(crc, p, len) updates @crc
 * over @len bytes, without the final inversion, on every kernel alike.
 */
#ifndef _ZRAM_COMPAT_CRC_H_
#define _ZRAM_COMPAT_CRC_H_

#include <linux/kconfig.h>
#include <linux/types.h>

#if defined(HAVE_CRC32C_LIB)
/* the CRC library's own, accelerated where the CPU can */
#include <linux/crc32.h>
#define compat_crc32c(crc, p, len)	crc32c(crc, p, len)
#elif IS_REACHABLE(CONFIG_LIBCRC32C)
/* older kernels: libcrc32c, over the crypto API's fastest crc32c */
#include <linux/crc32c.h>
#define compat_crc32c(crc, p, len)	crc32c(crc, p, len)
#else
/* older kernels without libcrc32c: the library's table-driven version */
#include <linux/crc32.h>
#define compat_crc32c(crc, p, len)	__crc32c_le(crc, p, len)
#endif

#endif /* _ZRAM_COMPAT_CRC_H_ */
