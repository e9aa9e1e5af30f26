/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compat layer: forced into every object by Kbuild (-include), never
 * included by the core files.  The core is written against the newest
 * kernel API; each shim below provides that API on older kernels.
 *
 * Decisions come from probes of the target's headers (compat/probe.sh and
 * the compat/<topic>.probes lists, which turn into -DHAVE_* flags), not from
 * version numbers: Debian backports interfaces into its stable kernels.
 * The version check here only bounds the supported range; dkms.conf says
 * the same.  One header per topic; each shim names the kernel change it
 * covers.
 */
#ifndef _ZRAM_COMPAT_H_
#define _ZRAM_COMPAT_H_

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "zram-backport supports Linux 6.1 and newer"
#endif

/*
 * Kernel version checks above are against the first two numbers only:
 * KERNEL_VERSION() caps the sublevel at 255, and Debian's 6.1 is past .190.
 */

#include "block.h"
#include "crc.h"
#include "device.h"
#include "lz4.h"
#include "mm.h"
#include "zstd.h"

#endif /* _ZRAM_COMPAT_H_ */
