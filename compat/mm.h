/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for memory management: shrinker registration, movable (migratable) pages. */
#ifndef _ZRAM_COMPAT_MM_H_
#define _ZRAM_COMPAT_MM_H_

#endif /* _ZRAM_COMPAT_MM_H_ */
