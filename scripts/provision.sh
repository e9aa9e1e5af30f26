#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing need, and fetch the Debian kernel images
# the tests boot.  Idempotent: a second run only checks.  Images are
# downloaded with `apt-get download` and unpacked into the cache, never
# installed into /boot.
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
	xz-utils zstd sparse rsync
	"linux-headers-$K61_ABI" "linux-headers-$K612_ABI" "linux-headers-$K612RT_ABI"
	qemu-system-x86 busybox-static
	fio e2fsprogs util-linux stress-ng rt-tests python3 systemd-zram-generator gnuplot-nox
	dkms dh-dkms debhelper lintian
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

mkdir -p "$CACHE/images"
for abi in "$K61_ABI" "$K612_ABI" "$K612RT_ABI"; do
	dir="$CACHE/images/$abi"
	[ -e "$dir/.done" ] && continue
	log "fetching kernel image $abi"
	tmp=$(mktemp -d "$CACHE/images/.dl.XXXXXX")
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"linux-image-$abi-unsigned" >/dev/null)
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$tmp"/*.deb "$dir"
	# the package leaves modules.dep to its postinst: make it here
	depmod -b "$dir" "$abi"
	rm -rf "$tmp"
	touch "$dir/.done"
done
log "provisioned: cache in $CACHE"
