#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build zram.ko against Debian sid's kernel (KSID_ABI in scripts/kernels.conf)
# inside the sid build root of scripts/sid-root.sh, from a copy of the tree
# in the root's /src.  W=1, with the same rules as scripts/build-module.sh:
# any compiler or modpost warning fails the build.  objtool reads
# /proc/self/limits, so /proc is mounted in the root while make runs.
#
# Usage: build-sid.sh   Prints the path of zram.ko.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=scripts/kernels.conf
. "$here/kernels.conf"
. "$here/lib.sh"

root=$("$here/sid-root.sh")
kdir=/usr/src/linux-headers-$KSID_ABI
[ -e "$root$kdir/Makefile" ] || die "no kernel build tree at $root$kdir"

rsync -a --delete --exclude .git --exclude /tests/out "$top/" "$root/src/"
log="$root/build.log"

mount -t proc proc "$root/proc"
trap 'umount "$root/proc"' EXIT
if ! nice -n 19 chroot "$root" env LC_ALL=C.UTF-8 make -C "$kdir" M=/src W=1 \
	"ZRAM_VERSION_STRING=$("$here/version.sh" "$top")" modules >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "build for sid ($KSID_ABI) failed: $log"
fi
if grep -E 'warning:|error:' "$log" >&2; then
	die "build for sid ($KSID_ABI) has warnings: $log"
fi
echo "$root/src/zram.ko"
