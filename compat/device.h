/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for driver core: class attributes. */
#ifndef _ZRAM_COMPAT_DEVICE_H_
#define _ZRAM_COMPAT_DEVICE_H_

#endif /* _ZRAM_COMPAT_DEVICE_H_ */
