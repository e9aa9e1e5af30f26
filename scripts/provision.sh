#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install on the host what building and testing need.  Idempotent: a second
# run only checks.  The target kernels' headers and images are not the
# host's business: scripts/release-root.sh puts each release's headers into
# a build root of that release and unpacks its images into the cache,
# never into /boot.
#
# Usage: scripts/provision.sh [--no-debug-src]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/kernels.conf
. "$here/kernels.conf"
. "$here/lib.sh"

want_debug_src=1
[ "${1:-}" = "--no-debug-src" ] && want_debug_src=0

pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
	xz-utils zstd sparse rsync debootstrap
	qemu-system-x86 busybox-static
	fio e2fsprogs util-linux stress-ng rt-tests python3 systemd-zram-generator gnuplot-nox
	dkms dh-dkms debhelper lintian shellcheck
)
[ "$want_debug_src" = 1 ] && pkgs+=("$DEBUG_SRC_PKG")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# checkpatch.pl is not in the header packages: take it from the source.
cp_dir=$CACHE/checkpatch
if [ "$want_debug_src" = 1 ] && [ ! -e "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
# the kernel's own zram selftests, run unchanged in the guest
st_dir=$CACHE/selftests
if [ "$want_debug_src" = 1 ] && [ ! -e "$st_dir/zram/zram.sh" ]; then
	mkdir -p "$st_dir"
	tar -C "$st_dir" --strip-components=4 -xf /usr/src/linux-source-6.12.tar.xz \
		--wildcards '*/tools/testing/selftests/zram/*'
fi

log "provisioned: cache in $CACHE"
