/* SPDX-License-Identifier: GPL-2.0 */
/* The "zstd" backend of zcomp, in backend_zstd.c */
#ifndef _ZRAM_BACKEND_ZSTD_H_
#define _ZRAM_BACKEND_ZSTD_H_

#include "zcomp.h"

extern const struct zcomp_ops zstd_zcomp_ops;

#endif /* _ZRAM_BACKEND_ZSTD_H_ */
