/* SPDX-License-Identifier: GPL-2.0 */
/* The "lz4" backend of zcomp, in backend_lz4.c */
#ifndef _ZRAM_BACKEND_LZ4_H_
#define _ZRAM_BACKEND_LZ4_H_

#include "zcomp.h"

extern const struct zcomp_ops lz4_zcomp_ops;

#endif /* _ZRAM_BACKEND_LZ4_H_ */
