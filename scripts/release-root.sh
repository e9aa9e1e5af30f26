#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the build root of one Debian release: debootstrap a minimal system of
# that release into the cache, install there the headers of every target
# kernel of the release (they bring its compiler), make, sparse, that
# release's dkms and zram-generator; then fetch each of those kernels' image packages through
# the root's apt and unpack them for QEMU.  The host's own apt sources are
# never changed: the root names the same archives the host's sources name.
# Idempotent: each step is skipped when its result is there, so a second
# run only checks.
#
# Usage: scripts/release-root.sh RELEASE   (bookworm, trixie or sid)
# Prints the path of the root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/kernels.conf
. "$here/kernels.conf"
. "$here/lib.sh"

rel=${1:-}
case "$rel" in
bookworm) suites="bookworm bookworm-updates" security=bookworm-security ;;
trixie) suites="trixie trixie-updates trixie-backports" security=trixie-security ;;
sid) suites="sid" security= ;;
*) die "usage: release-root.sh bookworm|trixie|sid" ;;
esac
mapfile -t kernels < <(release_kernels "$rel")
[ ${#kernels[@]} -gt 0 ] || die "no target kernel of $rel in scripts/kernels.conf"
abis=()
for k in "${kernels[@]}"; do abis+=("$(kernel_abi "$k")"); done

root=$(release_root "$rel")
mkdir -p "$CACHE/roots" "$CACHE/images"
# one maker of a root at a time; a second waits and then only checks
exec 9>"$CACHE/roots/$rel.lock"
flock 9

# The archive URIs the host's apt already uses: the main archive, and the
# security archive (the URI of the host's *-security suite).
host_uri() {
	local want=$1 f files=()
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v want="$want" '
		/^[[:space:]]*#/ { next }
		/^deb[[:space:]]/ {
			i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			sec = ($(i + 1) ~ /-security/)
			if ((want == "security") == sec) { print $i; exit }
			next
		}
		/^URIs:/ { uri = $2 }
		/^Suites:/ {
			sec = ($0 ~ /-security/)
			if (uri != "" && (want == "security") == sec) { print uri; exit }
		}' "${files[@]}"
}
mirror=$(host_uri main)
[ -n "$mirror" ] || die "no Debian archive in the host's apt sources"
secmirror=$(host_uri security)
if [ -n "$security" ] && [ -z "$secmirror" ]; then
	# a host without a security line: its archive's sibling
	secmirror=${mirror%/debian}/debian-security
fi

if ! command -v debootstrap >/dev/null; then
	log "installing debootstrap"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

# A debootstrap that stopped half-way leaves no .done: start it again.
if [ ! -e "$root/.debootstrap-done" ]; then
	log "$rel: debootstrap into $root"
	rm -rf "$root"
	if ! nice -n 10 debootstrap --variant=minbase "$rel" "$root" "$mirror" \
		>"$CACHE/roots/$rel.debootstrap.log" 2>&1; then
		tail -n 20 "$CACHE/roots/$rel.debootstrap.log" >&2
		die "$rel: debootstrap failed"
	fi
	touch "$root/.debootstrap-done"
fi

# update_file FILE: standard input becomes FILE only where it differs, so
# that a second run writes nothing into the root; true when it changed
update_file() {
	cat >"$1.new"
	if cmp -s "$1.new" "$1"; then
		rm -f "$1.new"
		return 1
	fi
	mv "$1.new" "$1"
}

if {
	for s in $suites; do echo "deb $mirror $s main"; done
	[ -z "$security" ] || echo "deb $secmirror $security main"
} | update_file "$root/etc/apt/sources.list"; then
	rm -f "$root/.apt-done"
fi
# The archive's sid Release can be older than its Valid-Until allows when
# this machine's clock runs ahead of it; the signature is still checked.
conf=$root/etc/apt/apt.conf.d/99zram-backport
[ -e "$conf" ] || echo 'Acquire::Check-Valid-Until "false";' >"$conf"

# /proc inside the root while apt runs there; unmounted on every exit.
mounted=0
cleanup() {
	[ "$mounted" = 1 ] && umount "$root/proc"
	rm -rf "$root/tmp/dl"
}
trap cleanup EXIT
in_root() {
	if [ "$mounted" = 0 ]; then
		mount -t proc proc "$root/proc"
		mounted=1
	fi
	chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 INITRD=No "$@"
}

# What the root must hold; a new pin in kernels.conf installs its headers.
# Newer headers depend on their image package: INITRD=No above spares the
# root an initramfs nobody boots.
# zram-generator, kmod and util-linux serve the package test, which boots
# the root as the guest's system.
pkgs=(make sparse dkms systemd-zram-generator kmod util-linux)
for abi in "${abis[@]}"; do pkgs+=("linux-headers-$abi"); done
want=$(printf '%s\n' "${pkgs[@]}" | sort | sha256sum | cut -c1-16)
if [ "$(cat "$root/.apt-done" 2>/dev/null)" != "$want" ]; then
	log "$rel: installing ${pkgs[*]}"
	in_root apt-get update -q >/dev/null
	in_root nice -n 10 apt-get install -y -q --no-install-recommends "${pkgs[@]}" \
		>"$CACHE/roots/$rel.apt.log" 2>&1 ||
		{ tail -n 20 "$CACHE/roots/$rel.apt.log" >&2; die "$rel: apt-get install failed"; }
	in_root apt-get clean
	echo "$want" >"$root/.apt-done"
fi

# Newer header packages leave out scripts/checker-valid.sh, which their
# Makefile runs before C=1/C=2 to see whether sparse works, and so turn
# sparse off.  Give them a check of our own: sparse must run cleanly, with
# the flags the Makefile passes, on a small file.  Whether it can parse the
# kernel's headers is scripts/check-all.sh's question.
for mk in "$root"/usr/src/linux-headers-*/Makefile; do
	hdr=$(dirname "$mk")
	grep -q 'scripts/checker-valid.sh' "$mk" || continue
	[ -e "$hdr/scripts/checker-valid.sh" ] &&
		! grep -q zram-backport "$hdr/scripts/checker-valid.sh" && continue
	update_file "$hdr/scripts/checker-valid.sh" <<-'EOT' || continue
	#!/bin/sh
	# zram-backport: prints 1 when the checker "$@" runs cleanly on a
	# small C file.
	t=$(mktemp -d) || exit 0
	echo 'extern int zb_probe; int zb_probe;' >"$t/p.c"
	out=$("$@" "$t/p.c" 2>&1) && [ -z "$out" ] && echo 1
	rm -rf "$t"
	EOT
	chmod +x "$hdr/scripts/checker-valid.sh"
done

# A kernel image: linux-image-<abi>, and on newer releases the packages
# of the same ABI it depends on (linux-binary-<abi>, linux-modules-<abi>),
# unpacked into the image directory, never installed.
fetch_image() {
	local abi=$1 dir tmp deb parts moddir
	dir=$(image_dir "$abi")
	[ -e "$dir/.done" ] && return 0
	log "$rel: fetching the kernel image $abi"
	tmp=$root/tmp/dl
	rm -rf "$tmp"
	mkdir -p "$tmp"
	in_root sh -c "cd /tmp/dl && apt-get download -q -o APT::Sandbox::User=root linux-image-$abi" >&2
	deb=$(ls "$tmp"/linux-image-"$abi"_*.deb)
	mapfile -t parts < <(dpkg-deb -f "$deb" Depends | tr ',|' '\n' |
		awk -v tail="-$abi" \
		'substr($1, length($1) - length(tail) + 1) == tail { print $1 }' | sort -u)
	if [ ${#parts[@]} -gt 0 ]; then
		in_root sh -c "cd /tmp/dl && apt-get download -q -o APT::Sandbox::User=root ${parts[*]}" >&2
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$dir"
	done
	moddir=$(image_moddir "$abi")
	[ -d "$moddir/kernel" ] && [ -e "$(image_vmlinuz "$abi")" ] ||
		die "no vmlinuz or modules for $abi in linux-image-$abi"
	# the packages leave modules.dep to their postinst: make it here
	depmod -b "${moddir%/lib/modules/"$abi"}" "$abi"
	rm -rf "$tmp"
	touch "$dir/.done"
}
for abi in "${abis[@]}"; do
	fetch_image "$abi"
done

echo "$root"
