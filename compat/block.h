/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for the block layer: disk allocation, queue limits, open/release, backing device open. */
#ifndef _ZRAM_COMPAT_BLOCK_H_
#define _ZRAM_COMPAT_BLOCK_H_

#endif /* _ZRAM_COMPAT_BLOCK_H_ */
