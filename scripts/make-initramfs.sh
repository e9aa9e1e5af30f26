#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the tiny initramfs that boots a test guest: busybox, the
# modules the kernel needs to mount the host's root over virtio 9p, and
# scripts/guest/init.  Cached per kernel and per content.
#
# Usage: make-initramfs.sh MODDIR   (MODDIR: .../lib/modules/<release>, or
#        "none" for a kernel with 9p built in).  Prints the cpio path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

moddir=$1
init=$here/guest/init
busybox=$(command -v busybox) || die "busybox-static is not installed"

want=(virtio_pci 9pnet_virtio 9p)
key=$( (echo "$moddir"; cat "$init"; printf '%s\n' "${want[@]}") | sha256sum | cut -c1-16)
out=$CACHE/initramfs/$key.cpio.gz
[ -e "$out" ] && { echo "$out"; exit 0; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$work/bin/busybox"
cp "$init" "$work/init"
chmod +x "$work/init"

# Modules in load order: for each wanted one, its dependencies first.
if [ "$moddir" != none ]; then
	n=0
	for m in "${want[@]}"; do
		line=$(grep -E "/$m\.ko(\.xz)?:" "$moddir/modules.dep" || true)
		[ -n "$line" ] || continue	# built in
		deps=${line#*:}
		# modules.dep lists the deepest dependency last
		for f in $(echo "$deps" | tr ' ' '\n' | tac) "${line%%:*}"; do
			[ -n "$f" ] || continue
			base=$(basename "$f")
			base=${base%.xz}
			ls "$work"/modules/*-"$base" >/dev/null 2>&1 && continue
			n=$((n + 1))
			dst=$work/modules/$(printf '%02d' $n)-$base
			case "$f" in
			*.xz) xz -dc "$moddir/$f" >"$dst" ;;
			*) cp "$moddir/$f" "$dst" ;;
			esac
		done
	done
fi

mkdir -p "$(dirname "$out")"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
