#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package, end to end, as a user of each Debian release meets
# it:
#   1. build zram-backport-dkms (scripts/build-deb.sh: lintian clean), and
#      once more to see that the build is reproducible;
#   for each release:
#   2. in a throwaway copy of that release's build root (an overlay over
#      scripts/release-root.sh's root, so the cached root never changes),
#      install the package with that release's dpkg and dkms: DKMS must
#      build and install zram.ko for each of the release's target kernels
#      ("dkms status" says installed, modinfo gives our version);
#   3. ask that dkms for kernels the module does not support (one outside
#      the supported range, one with zram built in): each is skipped with
#      a message that names the reason;
#   4. boot each of the release's kernels with the root as the guest's
#      system and a module tree assembled from the image plus what DKMS
#      installed, and run tests/guest/package.sh: a plain "modprobe zram"
#      loads ours, and the release's zram-generator makes swap with it;
#   5. remove the package: DKMS's modules must be gone;
#   6. boot the release's first kernel again: "modprobe zram" loads the
#      kernel's own zram (step 5 checked every kernel's module tree);
#   7. in a fresh copy of the root, the package's autopkgtest
#      (debian/control's autopkgtest-pkg-dkms) with that release's
#      autopkgtest and autodep8.
# Nothing is installed on the host.
#
# Usage: package-test.sh [--releases "bookworm trixie"] [--kernels "..."]
# --kernels limits the boots to those targets (of the releases given).
# Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

opt_releases="bookworm trixie" opt_kernels=
parse_options releases kernels -- "$@"
releases=$opt_releases only_kernels=$opt_kernels

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

[ "$(id -u)" = 0 ] || { failc "needs root (it mounts the build roots)"; finish; }

# The merged root of the release being tested and what is mounted in it;
# all of it goes at exit, whatever happened.
mroot=
mounts=()
teardown() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null
	done
	mounts=()
	mroot=
}
# unmount_under DIR: whatever is still mounted below DIR (a run killed
# before its EXIT trap leaves its overlays, /proc and /dev there), deepest
# first, so that no rm below ever reaches into a mount such as /dev
unmount_under() {
	local m
	[ -d "$1" ] || return 0
	awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
}
cleanup() {
	teardown
	unmount_under "$work"
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# overlay_root RELEASE NAME: mount a throwaway copy of the release's root
# at $work/NAME/merged, with /proc and /dev, and make it mroot
overlay_root() {
	local root d=$work/$2
	root=$(release_root "$1")
	mkdir -p "$d"/{upper,work,merged}
	mount -t overlay overlay -o "lowerdir=$root,upperdir=$d/upper,workdir=$d/work" \
		"$d/merged" || return 1
	mroot=$d/merged
	mounts+=("$mroot")
	mount -t proc proc "$mroot/proc" && mounts+=("$mroot/proc")
	mount --bind /dev "$mroot/dev" && mounts+=("$mroot/dev")
}

# in_root CMD...: run in the merged root, as its own release would
in_root() {
	chroot "$mroot" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

unmount_under "$work"
rm -rf --one-file-system "$out" "$work"
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
# reproducible: a second build, later and from another directory, gives
# the same bytes
if deb2=$("$here/build-deb.sh" "$work/deb-again" 2>>"$out/build-deb.log" | tail -n 1) &&
   cmp -s "$deb" "$deb2"; then
	pass "a second build of $pkg is identical (reproducible)"
else
	failc "a second build of $pkg differs from the first (see $out/build-deb.log)"
fi
# the version string compiled into the packaged module
modver=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$name-$version/VERSION")

# The guest's /lib/modules/<abi>: the image's tree (hard links, the
# depmod files copied) plus the root's updates/ for that kernel, with
# depmod run over the whole.  Prints the tree's path.
assemble_tree() {
	local abi=$1 phase=$2 img base tree f
	img=$(image_moddir "$abi")
	base=$work/modules-$phase-$abi
	tree=$base/lib/modules/$abi
	rm -rf "$base"
	mkdir -p "$(dirname "$tree")"
	cp -al "$img" "$tree" || return 1
	rm -f "$tree/build" "$tree/source"
	for f in "$tree"/modules.*; do
		cp --remove-destination "$img/$(basename "$f")" "$f" || return 1
	done
	if [ -d "$mroot/lib/modules/$abi/updates" ]; then
		cp -a "$mroot/lib/modules/$abi/updates" "$tree/" || return 1
	fi
	depmod -b "$base" "$abi" || return 1
	echo "$tree"
}

# boot KERNEL PHASE: run the guest suite against the assembled tree, with
# the release's root as the guest's system
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
	ZT_TIMEOUT=300 ZT_MODULES_DIR=$tree ZT_GUEST_ROOT=$mroot \
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
	rm -rf "$work/modules-$phase-$abi"
}

# skip_message KVER CONFIG-LINES... -> what this release's dkms says when
# asked to build for a kernel of that version and configuration
skip_message() {
	local kver=$1 src
	shift
	src=/tmp/zb-fake-$kver
	mkdir -p "$mroot$src/include/config"
	printf '%s\n' "$@" >"$mroot$src/.config"
	cp "$mroot$src/.config" "$mroot$src/include/config/auto.conf"
	in_root dkms build -m "$name" -v "$version" -k "$kver" -a x86_64 \
		--kernelsourcedir "$src" 2>&1
	return 0
}

# skip_case KVER REASON WHAT CONFIG-LINES...: this release's dkms must skip
# a kernel of that version and configuration (its BUILD_EXCLUSIVE notice)
# and our dkms.conf must name exactly that reason
skip_case() {
	local kver=$1 reason=$2 what=$3 msg
	shift 3
	msg=$(skip_message "$kver" "$@")
	echo "$msg" >"$out/$rel-skip-$kver.log"
	if echo "$msg" | grep -q "BUILD_EXCLUSIVE" &&
	   echo "$msg" | grep -qxF "zram-backport: not building for $kver: $reason"; then
		pass "$rel: dkms skips $what and says why"
	else
		echo "$msg" | sed 's/^/# /'
		failc "$rel: dkms does not skip $what with the reason \"$reason\""
	fi
}

test_release() {
	local rel=$1 root kernels=() k abi dver st ko mig said
	root=$(release_root "$rel")
	for k in $(release_kernels "$rel"); do
		if [ -z "$only_kernels" ] || [[ " $only_kernels " == *" $k "* ]]; then
			kernels+=("$k")
		fi
	done
	if ! "$here/release-root.sh" "$rel" >/dev/null 2>"$out/root-$rel.err"; then
		tail -n 20 "$out/root-$rel.err"
		failc "$rel: build root (scripts/release-root.sh $rel)"
		return
	fi

	# 2. a throwaway copy of the root, and the package installed in it
	overlay_root "$rel" "$rel" || { failc "$rel: overlay over $root"; teardown; return; }

	dver=$(in_root dpkg-query -W -f='${Version}' dkms)
	cp "$deb" "$mroot/tmp/"
	log "$rel: installing $pkg with dkms $dver"
	if in_root dpkg -i "/tmp/$(basename "$deb")" >"$out/$rel-dpkg-install.log" 2>&1; then
		pass "$rel: dpkg -i $(basename "$deb") (dkms $dver)"
	else
		tail -n 30 "$out/$rel-dpkg-install.log"
		failc "$rel: dpkg -i $(basename "$deb") (see $out/$rel-dpkg-install.log)"
	fi
	st=$(in_root dkms status -m $name 2>/dev/null)
	echo "$st" >"$out/$rel-dkms-status-installed.txt"
	echo "$st" | sed 's/^/# /'
	for k in "${kernels[@]}"; do
		abi=$(kernel_abi "$k")
		if echo "$st" | grep -q "^$name/$version, $abi, [^:]*: installed"; then
			pass "$rel: $abi: dkms status: built and installed"
		else
			failc "$rel: $abi: dkms status does not show $name/$version installed"
		fi
		ko=$(ls "$mroot/lib/modules/$abi"/updates/dkms/zram.ko* 2>/dev/null | head -n 1)
		if [ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$modver" ]; then
			pass "$rel: $abi: ${ko#"$mroot"} is version $modver"
		else
			failc "$rel: $abi: no zram.ko of version $modver in /lib/modules/$abi/updates/dkms"
		fi
		# the pool's pages migrate where the migration probe holds
		# (compat/expected); the install names the other kernels, and
		# only them
		mig=no
		grep -q "^$k .*HAVE_SET_PAGE_MOVABLE_OPS" "$top/compat/expected" && mig=yes
		said=no
		grep -qF "zram-backport: on $abi the pool's pages cannot migrate" \
			"$out/$rel-dpkg-install.log" && said=yes
		if [ -n "$ko" ] && [ "$(modinfo -F page_migration "$ko")" = $mig ] &&
			[ "$mig,$said" != yes,yes ] && [ "$mig,$said" != no,no ]; then
			pass "$rel: $abi: page migration: $mig, and the install says so where it is no"
		else
			failc "$rel: $abi: page migration should be $mig, with the install's notice only where it is no"
		fi
	done

	# 3. kernels the module does not support are skipped, with the reason
	local lib=(CONFIG_LZ4_COMPRESS=m CONFIG_LZ4_DECOMPRESS=y)
	skip_case 5.10.0-99-amd64 "kernel 5.10.0-99-amd64 is outside the supported range 6.1 to 7.3" \
		"a 5.10 kernel" CONFIG_BLOCK=y CONFIG_MMU=y CONFIG_SYSFS=y CONFIG_ZRAM=m "${lib[@]}"
	skip_case 6.12.0-99-amd64 "its zram is built in (CONFIG_ZRAM=y), so no module can replace it" \
		"a kernel with zram built in" CONFIG_BLOCK=y CONFIG_MMU=y CONFIG_SYSFS=y CONFIG_ZRAM=y "${lib[@]}"
	skip_case 6.12.0-98-amd64 "its configuration lacks CONFIG_SYSFS" \
		"a kernel without CONFIG_SYSFS" CONFIG_BLOCK=y CONFIG_MMU=y CONFIG_ZRAM=m "${lib[@]}"
	skip_case 6.12.0-97-amd64 "its configuration has none of the compression libraries zram can use" \
		"a kernel without a compressor and decompressor pair" \
		CONFIG_BLOCK=y CONFIG_MMU=y CONFIG_SYSFS=y CONFIG_ZRAM=m CONFIG_LZ4_COMPRESS=m

	# 4. each kernel with the package installed
	for k in "${kernels[@]}"; do
		boot "$k" installed
	done

	# 5. remove
	if in_root dpkg -r $pkg >"$out/$rel-dpkg-remove.log" 2>&1; then
		pass "$rel: dpkg -r $pkg"
	else
		tail -n 30 "$out/$rel-dpkg-remove.log"
		failc "$rel: dpkg -r $pkg (see $out/$rel-dpkg-remove.log)"
	fi
	st=$(in_root dkms status -m $name 2>/dev/null)
	if [ -z "$st" ]; then
		pass "$rel: dkms status: nothing of $name left"
	else
		echo "$st" | sed 's/^/# /'
		failc "$rel: dkms status still lists $name"
	fi
	for k in "${kernels[@]}"; do
		abi=$(kernel_abi "$k")
		if ls "$mroot/lib/modules/$abi"/updates/dkms/zram.ko* >/dev/null 2>&1; then
			failc "$rel: $abi: zram.ko is still in updates/dkms"
		else
			pass "$rel: $abi: no zram.ko left in updates/"
		fi
	done

	# 6. one kernel after removal: the module trees are checked above
	boot "${kernels[0]}" removed
	teardown
	rm -rf --one-file-system "${work:?}/$rel"

	# 7. the autopkgtest, in a copy of the root of its own: it installs
	# the package its own way and builds for every kernel with headers
	overlay_root "$rel" "$rel-autopkgtest" || { failc "$rel: overlay over $root"; teardown; return; }
	log "$rel: autopkgtest"
	rsync -a --exclude .git --exclude /tests/out "$top/" "$mroot/tmp/src/"
	cp "$deb" "$mroot/tmp/"
	{
		# the root's package lists may be older than the archive
		in_root apt-get update -q &&
		in_root apt-get install -y -q --no-install-recommends autopkgtest autodep8 &&
		# the copy is thrown away after the run: that is the full
		# revert its "breaks-testbed" restriction asks for
		in_root autopkgtest --ignore-restrictions=breaks-testbed \
			/tmp/src "/tmp/$(basename "$deb")" -- null
	} >"$out/$rel-autopkgtest.log" 2>&1
	# 8 is autopkgtest's "no test but superficial ones": the dkms test is
	# superficial by definition, so its PASS line decides
	if grep -qE '^dkms-autopkgtest +PASS' "$out/$rel-autopkgtest.log" &&
	   ! grep -qE '^dkms-autopkgtest +(FAIL|SKIP)' "$out/$rel-autopkgtest.log"; then
		pass "$rel: autopkgtest (autopkgtest-pkg-dkms) passes"
	else
		tail -n 30 "$out/$rel-autopkgtest.log"
		failc "$rel: autopkgtest (see $out/$rel-autopkgtest.log)"
	fi
	teardown
	rm -rf --one-file-system "${work:?}/$rel-autopkgtest"
}

for rel in $releases; do
	test_release "$rel"
done
finish
