/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for the zstd library API. */
#ifndef _ZRAM_COMPAT_ZSTD_H_
#define _ZRAM_COMPAT_ZSTD_H_

#endif /* _ZRAM_COMPAT_ZSTD_H_ */
