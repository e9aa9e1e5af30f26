/* SPDX-License-Identifier: GPL-2.0 */
/* The "deflate" backend of zcomp, in backend_deflate.c */
#ifndef _ZRAM_BACKEND_DEFLATE_H_
#define _ZRAM_BACKEND_DEFLATE_H_

#include "zcomp.h"

extern const struct zcomp_ops deflate_zcomp_ops;

#endif /* _ZRAM_BACKEND_DEFLATE_H_ */
