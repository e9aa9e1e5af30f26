/* SPDX-License-Identifier: GPL-2.0 */
/* The "lzo" and "lzo-rle" backends of zcomp, in backend_lzo.c */
#ifndef _ZRAM_BACKEND_LZO_H_
#define _ZRAM_BACKEND_LZO_H_

#include "zcomp.h"

extern const struct zcomp_ops lzo_zcomp_ops;
extern const struct zcomp_ops lzorle_zcomp_ops;

#endif /* _ZRAM_BACKEND_LZO_H_ */
