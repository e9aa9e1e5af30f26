#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package, end to end, on this (throwaway, root) machine and in
# each target kernel under QEMU:
#   1. build zram-backport-dkms (scripts/build-deb.sh: lintian clean);
#   2. install it: DKMS must build and install zram.ko for each target
#      kernel's headers ("dkms status" says installed, modinfo our version);
#   3. boot each target kernel with a module tree assembled from its image
#      plus what DKMS put into this machine's /lib/modules/<release>/updates
#      (a guest's /lib/modules is its image's tree, not the host's), and run
#      tests/guest/package.sh: a plain "modprobe zram" loads ours, and
#      zram-generator sets up swap with it;
#   4. remove the package: DKMS's modules must be gone from every kernel;
#   5. boot each kernel again with a tree assembled the same way from what
#      is left: "modprobe zram" loads the kernel's own zram.
# The package is purged at the end whatever happened, and what DKMS created
# on the way (depmod files of a kernel that had none, its signing key) is
# removed, so the machine is left as it was.
#
# Usage: package-test.sh [--kernels "6.1 6.12 6.12-rt"]
# Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernels="6.1 6.12 6.12-rt"
while [ $# -gt 0 ]; do
	case "$1" in
	--kernels) kernels=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done

pkg=zram-backport-dkms
name=zram-backport
version=$(cat "$top/VERSION")
out=$top/tests/out/package
work=$CACHE/package-test
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok - package: $*"; }
failc() { failed=$((failed + 1)); echo "not ok - package: $*"; }
finish() {
	echo "$passed passed, $failed failed"
	[ $failed = 0 ] && [ $passed -gt 0 ]
	exit
}

[ "$(id -u)" = 0 ] || { failc "needs root (it installs a package)"; finish; }
if dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q 'ok installed'; then
	failc "$pkg is already installed here; remove it first"
	finish
fi

abis=()
for k in $kernels; do
	# sid's kernel has a name but no headers on the host for DKMS to use
	[ "$k" != sid ] || die "no package test on sid (its headers are in the sid root only)"
	abi=$(kernel_abi "$k") || die "unknown kernel $k (the package test boots Debian kernels only)"
	abis+=("$abi")
done

# What DKMS may create that was not there: record it, undo it at exit.
had_key=0
[ -e /var/lib/dkms/mok.key ] && had_key=1
# DKMS builds for every kernel with headers, not only the tested ones.
declare -A had_depmod
for d in /lib/modules/*/; do
	rel=$(basename "$d")
	had_depmod[$rel]=0
	[ -e "$d/modules.dep" ] && had_depmod[$rel]=1
done
installed=0
restore_host() {
	if [ $installed = 1 ] ||
	   dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q 'ok installed'; then
		dpkg --purge $pkg >>"$out/dpkg-purge.log" 2>&1 ||
			log "cannot purge $pkg: see $out/dpkg-purge.log"
	fi
	for rel in "${!had_depmod[@]}"; do
		if [ "${had_depmod[$rel]}" = 0 ] && [ ! -d "/lib/modules/$rel/updates" ]; then
			rm -f "/lib/modules/$rel"/modules.*
		fi
	done
	[ $had_key = 1 ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	rm -rf "$work"
}
trap restore_host EXIT
trap 'exit 130' INT TERM

rm -rf "$out" "$work"
mkdir -p "$out" "$work"

# 1. build
if deb=$("$here/build-deb.sh" "$work/deb" 2>"$out/build-deb.log" | tail -n 1) &&
   [ -f "$deb" ]; then
	pass "dpkg-buildpackage builds $pkg, lintian clean"
else
	cat "$out/build-deb.log"
	failc "build $pkg (see $out/build-deb.log)"
	finish
fi
# the version string compiled into the packaged module
modver=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$name-$version/VERSION")

# 2. install
log "installing $pkg: DKMS builds for every kernel with headers"
if dpkg -i "$deb" >"$out/dpkg-install.log" 2>&1; then
	installed=1
	pass "dpkg -i $(basename "$deb")"
else
	installed=1
	tail -n 30 "$out/dpkg-install.log"
	failc "dpkg -i $(basename "$deb") (see $out/dpkg-install.log)"
fi
dkms status -m $name >"$out/dkms-status-installed.txt" 2>/dev/null
cat "$out/dkms-status-installed.txt" | sed 's/^/# /'
for abi in "${abis[@]}"; do
	if grep -q "^$name/$version, $abi, [^:]*: installed" "$out/dkms-status-installed.txt"; then
		pass "$abi: dkms status: built and installed"
	else
		failc "$abi: dkms status does not show $name/$version installed"
	fi
	ko=$(ls /lib/modules/"$abi"/updates/dkms/zram.ko* 2>/dev/null | head -n 1)
	if [ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$modver" ]; then
		pass "$abi: $ko is version $modver"
	else
		failc "$abi: no zram.ko of version $modver in /lib/modules/$abi/updates/dkms"
	fi
done

# The guest's /lib/modules/<abi>: the image's tree (hard links, the
# depmod files copied) plus this machine's updates/ for that kernel, with
# depmod run over the whole.  Prints the tree's path.
assemble_tree() {
	local abi=$1 phase=$2 img root tree f
	img=$CACHE/images/$abi/lib/modules/$abi
	root=$work/root-$phase-$abi
	tree=$root/lib/modules/$abi
	rm -rf "$root"
	mkdir -p "$(dirname "$tree")"
	cp -al "$img" "$tree" || return 1
	for f in "$tree"/modules.*; do
		cp --remove-destination "$img/$(basename "$f")" "$f" || return 1
	done
	if [ -d "/lib/modules/$abi/updates" ]; then
		cp -a "/lib/modules/$abi/updates" "$tree/" || return 1
	fi
	depmod -b "$root" "$abi" || return 1
	echo "$tree"
}

# boot KERNEL PHASE: run the guest suite against the assembled tree
boot() {
	local k=$1 phase=$2 abi dir tree qrc line
	abi=$(kernel_abi "$k")
	dir=$out/$k-$phase
	mkdir -p "$dir"
	if ! tree=$(assemble_tree "$abi" "$phase" 2>"$dir/assemble.err"); then
		cat "$dir/assemble.err"
		failc "$k ($phase): assemble the guest's module tree"
		return
	fi
	cat >"$dir/env" <<-EOT
	ZT_KERNEL=$k
	ZT_QUICK=${CI:+1}
	ZT_PKG_PHASE=$phase
	ZT_PKG_VERSION=$modver
	EOT
	log "$k: booting with the package $phase"
	ZT_TIMEOUT=300 ZT_MODULES_DIR=$tree \
		"$here/qemu-run.sh" "$k" "$dir" tests/guest/run.sh package
	qrc=$?
	if [ -f "$dir/results.tap" ]; then
		while IFS= read -r line; do
			case "$line" in
			"ok "*) pass "$k ($phase): ${line#ok }" ;;
			"not ok "*) failc "$k ($phase): ${line#not ok }" ;;
			esac
		done <"$dir/results.tap"
	fi
	# qemu-run.sh: 1 is a failed case (counted above), 2 a guest that did
	# not finish or a kernel report
	if [ $qrc = 2 ]; then
		failc "$k ($phase): guest finished with a clean kernel log (see $dir/console.log)"
	elif [ $qrc != 0 ] && ! grep -q '^not ok ' "$dir/results.tap" 2>/dev/null; then
		failc "$k ($phase): guest run failed ($qrc; see $dir/console.log)"
	fi
	rm -rf "$work/root-$phase-$abi"
}

# 3. each kernel with the package installed
for k in $kernels; do
	boot "$k" installed
done

# 4. remove
if dpkg -r $pkg >"$out/dpkg-remove.log" 2>&1; then
	pass "dpkg -r $pkg"
else
	tail -n 30 "$out/dpkg-remove.log"
	failc "dpkg -r $pkg (see $out/dpkg-remove.log)"
fi
st=$(dkms status -m $name 2>/dev/null)
if [ -z "$st" ]; then
	pass "dkms status: nothing of $name left"
else
	echo "$st" | sed 's/^/# /'
	failc "dkms status still lists $name"
fi
for abi in "${abis[@]}"; do
	if ls /lib/modules/"$abi"/updates/dkms/zram.ko* >/dev/null 2>&1; then
		failc "$abi: zram.ko is still in updates/dkms"
	else
		pass "$abi: no zram.ko left in updates/"
	fi
done

# 5. each kernel after removal
for k in $kernels; do
	boot "$k" removed
done

dpkg --purge $pkg >>"$out/dpkg-purge.log" 2>&1
installed=0
finish
