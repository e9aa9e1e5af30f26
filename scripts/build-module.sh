#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build zram.ko for one target kernel from a copy of the tree, so builds
# for several kernels (and the KUnit variant) never share object files.
# W=1; any compiler or modpost warning fails the build.
#
# Usage: build-module.sh KERNEL [VARIANT]   Prints the path of zram.ko.
# KERNEL: 6.1, 6.12, 6.12-rt, debug or sid (Debian sid, in its build root).
# VARIANT names the build directory; "kunit" also builds the KUnit suites
# in.  Default: release.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernel=$1 variant=${2:-release}
case "$kernel" in
debug) kdir=$CACHE/debug/current ;;
# sid builds in its own root (see kmake in lib.sh), made here if missing
sid) "$here/sid-root.sh" >/dev/null; kdir=$SID_ROOT/usr/src/linux-headers-$KSID_ABI ;;
*) kdir=/usr/src/linux-headers-$(kernel_abi "$kernel") || die "unknown kernel $kernel" ;;
esac
[ -e "$kdir/Makefile" ] || die "no kernel build tree at $kdir"
# sid's kernel is built without CONFIG_KUNIT
[ "$kernel:$variant" != sid:kunit ] || die "no KUnit on sid (CONFIG_KUNIT is off)"

out=$CACHE/build/$kernel-$variant
mkdir -p "$out"
rsync -a --delete --exclude .git --exclude /tests/out "$top/" "$out/src/"
flags=(W=1 "ZRAM_VERSION_STRING=$("$here/version.sh" "$top")")
[ "$variant" = kunit ] && flags+=(ZRAM_KUNIT=y)

kbuild_checked "$kernel" "$out/src" "zram.ko ($variant)" "${flags[@]}"
echo "$out/src/zram.ko"
