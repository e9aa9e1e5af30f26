#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS from a clone: register this tree's module with DKMS, build and
# install it for every installed kernel that has headers, or undo that.
#
# Usage: dkms.sh install     (make dkms-install; as root)
#        dkms.sh uninstall   (make dkms-uninstall; as root)
#        dkms.sh source DIR  copy the module's source as DKMS builds it
#                            into DIR (used by debian/rules too)
#
# The DKMS version is the VERSION file's; the module's own version string
# (modinfo, /sys/module/zram/version) adds the git commit of this tree.
# The source goes to /usr/src/zram-backport-<version>, the place DKMS and
# the Debian package both use, so the two must not be mixed: install
# refuses while the zram-backport-dkms package is installed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

name=zram-backport
version=$(cat "$top/VERSION")

# The files DKMS needs to build zram.ko: Kbuild and the Makefile front end,
# the sources, compat/, and the version script.  Tests, documentation and packaging stay behind.
copy_source() {
	local dst=$1 full
	full=${ZRAM_VERSION_STRING:-$("$here/version.sh" "$top")}
	mkdir -p "$dst/compat" "$dst/scripts"
	(cd "$top" && cp -p Kbuild Makefile ./*.c ./*.h "$dst/")
	(cd "$top" && cp -p compat/*.h compat/*.probes compat/probe.sh "$dst/compat/")
	cp -p "$top/scripts/version.sh" "$dst/scripts/"
	# what scripts/version.sh prints where there is no .git
	echo "$full" >"$dst/VERSION"
}

# Kernels with a build tree: /lib/modules/<release>/build
kernels_with_headers() {
	local d
	for d in /lib/modules/*/build; do
		[ -e "$d/Makefile" ] && basename "$(dirname "$d")"
	done
	return 0
}

registered_versions() {
	dkms status -m "$name" 2>/dev/null |
		sed -n "s|^$name/\\([^,:]*\\)[,:].*|\\1|p" | sort -u
}

need_root() {
	[ "$(id -u)" = 0 ] || die "run as root (sudo make dkms-$1)"
	command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
}

package_installed() {
	dpkg-query -W -f='${Status}' "$name-dkms" 2>/dev/null | grep -q 'ok installed'
}

do_uninstall() {
	local v
	for v in $(registered_versions); do
		log "removing $name/$v from DKMS"
		dkms remove -m "$name" -v "$v" --all
	done
	for v in /usr/src/"$name"-*; do
		[ -e "$v/.from-clone" ] && rm -rf "$v"
	done
	return 0
}

do_install() {
	local src=/usr/src/$name-$version k rc failed=0 built=0
	package_installed &&
		die "the $name-dkms package is installed; remove it first (apt-get remove $name-dkms)"
	# one version at a time: the module name is the same
	do_uninstall
	rm -rf "$src"
	copy_source "$src"
	sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" >"$src/dkms.conf"
	: >"$src/.from-clone"
	dkms add -m "$name" -v "$version"
	for k in $(kernels_with_headers); do
		rc=0
		dkms install -m "$name" -v "$version" -k "$k" || rc=$?
		case $rc in
		0) built=$((built + 1)) ;;
		77) log "$k: skipped (not a supported kernel, see above)" ;;
		*) log "$k: dkms install failed ($rc)"; failed=1 ;;
		esac
	done
	dkms status -m "$name"
	[ $built -gt 0 ] || log "no kernel with headers was built for"
	[ $failed = 0 ] || die "dkms failed for at least one kernel"
	log "installed; \"modprobe zram\" now loads $name (unload the old zram first: modprobe -r zram)"
}

case "${1:-}" in
install) need_root install; do_install ;;
uninstall)
	need_root uninstall
	package_installed &&
		die "DKMS has $name from the $name-dkms package: apt-get remove $name-dkms"
	do_uninstall ;;
source) [ -n "${2:-}" ] || die "usage: dkms.sh source DIR"; copy_source "$2" ;;
*) die "usage: dkms.sh install|uninstall|source DIR" ;;
esac
