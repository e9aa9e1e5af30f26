/* SPDX-License-Identifier: GPL-2.0 */
/* The "lz4hc" backend of zcomp, in backend_lz4hc.c */
#ifndef _ZRAM_BACKEND_LZ4HC_H_
#define _ZRAM_BACKEND_LZ4HC_H_

#include "zcomp.h"

extern const struct zcomp_ops lz4hc_zcomp_ops;

#endif /* _ZRAM_BACKEND_LZ4HC_H_ */
