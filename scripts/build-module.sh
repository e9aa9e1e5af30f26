#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build zram.ko for one target kernel from a copy of the tree, so builds
# for several kernels (and the KUnit variant) never share object files.
# W=1; any compiler or modpost warning fails the build.
#
# Usage: build-module.sh KERNEL [VARIANT]   Prints the path of zram.ko.
# KERNEL: a target name of scripts/kernels.conf, built in its release's
# root (scripts/release-root.sh), or debug.
# VARIANT names the build directory; "kunit" also builds the KUnit suites
# in.  Default: release.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernel=$1 variant=${2:-release}
case "$kernel" in
debug) ;;
*)
	rel=$(kernel_release "$kernel") || die "unknown kernel $kernel"
	# the release's build root, made here on first use
	"$here/release-root.sh" "$rel" >/dev/null
	;;
esac
kdir=$(kernel_kdir "$kernel")
[ -e "$kdir/Makefile" ] || die "no kernel build tree at $kdir"
# KUnit needs CONFIG_KUNIT, which only the debug kernel has
[ "$variant" != kunit ] || [ "$kernel" = debug ] ||
	die "no KUnit on $kernel (CONFIG_KUNIT is off in Debian's kernels)"

# ZRAM_BUILD_TAG keeps another tree's builds apart (scripts/mutant.sh):
# rsync gives a copied source its old mtime back, and kbuild would keep
# objects built from a different source
out=$CACHE/build/$kernel-$variant${ZRAM_BUILD_TAG:+-$ZRAM_BUILD_TAG}
mkdir -p "$out"
rsync -a --delete --exclude .git --exclude /tests/out "$top/" "$out/src/"
flags=(W=1 "ZRAM_VERSION_STRING=$("$here/version.sh" "$top")")
[ "$variant" = kunit ] && flags+=(ZRAM_KUNIT=y)

kbuild_checked "$kernel" "$out/src" "zram.ko ($variant)" "${flags[@]}"
echo "$out/src/zram.ko"
