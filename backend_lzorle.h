/* SPDX-License-Identifier: GPL-2.0 */
/* The "lzo-rle" backend of zcomp, in backend_lzorle.c */
#ifndef _ZRAM_BACKEND_LZORLE_H_
#define _ZRAM_BACKEND_LZORLE_H_

#include "zcomp.h"

extern const struct zcomp_ops lzorle_zcomp_ops;

#endif /* _ZRAM_BACKEND_LZORLE_H_ */
