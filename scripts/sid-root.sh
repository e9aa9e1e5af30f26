#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a Debian sid build root for the newest kernel pinned in
# scripts/kernels.conf (KSID_ABI): debootstrap a minimal sid into the cache,
# install that kernel's headers (which bring its kbuild and compiler) and
# make inside it, and fetch the matching kernel image package, unpacked
# next to it for a later QEMU boot.  Nothing is installed on the host but
# debootstrap.  Idempotent: each step is skipped when its result is there.
#
# Usage: scripts/sid-root.sh   Prints the path of the build root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/kernels.conf
. "$here/kernels.conf"
. "$here/lib.sh"

[ -n "${KSID_ABI:-}" ] || die "no KSID_ABI in scripts/kernels.conf"
mirror=http://deb.debian.org/debian
sid=$CACHE/sid
root=$sid/root
image=$sid/image
deb=$sid/linux-image-$KSID_ABI.deb

mkdir -p "$sid"

if ! command -v debootstrap >/dev/null; then
	log "installing debootstrap"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

# A debootstrap that stopped half-way leaves no .done: start it again.
if [ ! -e "$sid/.root-done" ]; then
	log "debootstrap sid into $root"
	rm -rf "$root"
	nice -n 19 debootstrap --variant=minbase sid "$root" "$mirror" >&2
	touch "$sid/.root-done"
fi

# /proc inside the root while apt runs there; unmounted on every exit.
mounted=0
cleanup() {
	[ "$mounted" = 1 ] && umount "$root/proc"
	rm -rf "$root/tmp/sid-dl"
}
trap cleanup EXIT
in_root() {
	if [ "$mounted" = 0 ]; then
		mount -t proc proc "$root/proc"
		mounted=1
	fi
	chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}

# The mirror's sid Release can be older than its Valid-Until allows when
# this machine's clock runs ahead of it; the signature is still checked.
conf=$root/etc/apt/apt.conf.d/99zram-backport
[ -e "$conf" ] || echo 'Acquire::Check-Valid-Until "false";' >"$conf"

headers=/usr/src/linux-headers-$KSID_ABI
if [ ! -e "$root$headers/Makefile" ] || [ ! -x "$root/usr/bin/make" ]; then
	log "installing linux-headers-$KSID_ABI and make in the root"
	in_root apt-get update -q >/dev/null
	in_root nice -n 19 apt-get install -y -q --no-install-recommends \
		"linux-headers-$KSID_ABI" make >&2
fi

# linux-image-<abi> of sid is a metapackage: the kernel is in the
# linux-binary-<abi> and linux-modules-<abi> packages it depends on (and
# linux-base-<abi>).  Fetch it and every package of the same ABI it names.
dl() {
	mkdir -p "$root/tmp/sid-dl"
	in_root sh -c "cd /tmp/sid-dl && apt-get download -q \
		-o APT::Sandbox::User=root $*" >&2
	for f in "$root"/tmp/sid-dl/*.deb; do
		mv "$f" "$sid/"
	done
}
if [ ! -e "$sid/.debs-done" ]; then
	log "downloading linux-image-$KSID_ABI and its parts"
	[ -e "$deb" ] || { dl "linux-image-$KSID_ABI"; mv "$sid"/linux-image-"$KSID_ABI"_*.deb "$deb"; }
	mapfile -t parts < <(dpkg-deb -f "$deb" Depends | tr ',|' '\n' |
		awk -v tail="-$KSID_ABI" \
		'substr($1, length($1) - length(tail) + 1) == tail { print $1 }' | sort -u)
	[ ${#parts[@]} -gt 0 ] || die "$deb depends on no package of $KSID_ABI"
	dl "${parts[@]}"
	touch "$sid/.debs-done"
fi

if [ ! -e "$image/.done" ]; then
	log "unpacking the kernel packages into $image"
	rm -rf "$image"
	mkdir -p "$image"
	for f in "$sid"/*.deb; do
		dpkg-deb -x "$f" "$image"
	done
	# sid keeps the kernel in the modules directory, older ones in /boot
	modules=$(find "$image" -type d -path "*/modules/$KSID_ABI" | head -n 1)
	vmlinuz=$(find "$image" -path "*/modules/$KSID_ABI/vmlinuz" -o \
		-name "vmlinuz-$KSID_ABI" | head -n 1)
	if [ -z "$vmlinuz" ] || [ -z "$modules" ]; then
		die "no vmlinuz or modules for $KSID_ABI in $sid/*.deb"
	fi
	log "kernel $vmlinuz, modules $modules"
	touch "$image/.done"
fi

# The packages leave modules.dep to the postinst: make it with the host's
# depmod (kmod reads the .ko.xz), for the initramfs and the guest's modprobe.
# depmod -b wants BASE/lib/modules/<abi>; sid's are under usr/lib.
if [ ! -e "$SID_MODDIR/modules.dep" ]; then
	[ -d "$SID_MODDIR" ] || die "no $SID_MODDIR in $image"
	log "depmod for $KSID_ABI"
	depmod -b "$image/usr" "$KSID_ABI"
fi

echo "$root"
