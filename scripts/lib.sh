# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers shared by the host-side scripts.  Source it; do not run it.

# Everything downloaded or built lives here, outside the git tree.
CACHE=${ZRAM_CACHE:-/var/cache/zram-backport}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# parse_options NAME... -- ARG...: the one option parser of the scripts.
# Each "--NAME VALUE" of the ARGs sets opt_NAME to VALUE; a NAME given as
# "NAME!" is a flag: "--NAME" sets opt_NAME to 1.  Dashes in a NAME become
# underscores in its variable.  Anything else dies.
parse_options() {
	local names=() name opt var
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		names+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	while [ $# -gt 0 ]; do
		opt=
		for name in "${names[@]}"; do
			[ "--${name%!}" = "$1" ] && opt=$name && break
		done
		[ -n "$opt" ] || die "unknown option $1"
		var=opt_${opt%!}
		var=${var//-/_}
		if [ "${opt%!}" != "$opt" ]; then
			printf -v "$var" 1
			shift
		else
			[ $# -ge 2 ] || die "$1 needs a value"
			printf -v "$var" '%s' "$2"
			shift 2
		fi
	done
}

# Every target but the debug kernel, in the order the tests run them
# shellcheck disable=SC2034 # used by the scripts that source this
ALL_KERNELS="6.1 6.12-bookworm 6.12 6.12-rt bpo sid"

# kernel_abi NAME -> the Debian ABI string of a target name
kernel_abi() {
	case "$1" in
	6.1) echo "$K61_ABI" ;;
	6.12-bookworm) echo "$K612BW_ABI" ;;
	6.12) echo "$K612_ABI" ;;
	6.12-rt) echo "$K612RT_ABI" ;;
	bpo) echo "$KBPO_ABI" ;;
	sid) echo "$KSID_ABI" ;;
	*) return 1 ;;
	esac
}

# kernel_release NAME -> the Debian release whose root builds it
kernel_release() {
	case "$1" in
	6.1|6.12-bookworm) echo bookworm ;;
	6.12|6.12-rt|bpo) echo trixie ;;
	sid) echo sid ;;
	*) return 1 ;;
	esac
}

# release_kernels RELEASE -> the target names built in that release's root
release_kernels() {
	local k
	for k in $ALL_KERNELS; do
		[ "$(kernel_release "$k")" = "$1" ] && echo "$k"
	done
	return 0
}

# The build root of a release (scripts/release-root.sh) and where a
# kernel's image is unpacked.  Newer packages are usr-merged and keep
# vmlinuz in the modules directory; older ones use /lib/modules and /boot.
release_root() { echo "$CACHE/roots/$1"; }
image_dir() { echo "$CACHE/images/$1"; }
# image_moddir ABI -> the image's .../lib/modules/<abi>
image_moddir() {
	local d
	d=$(image_dir "$1")
	if [ -d "$d/usr/lib/modules/$1/kernel" ]; then
		echo "$d/usr/lib/modules/$1"
	else
		echo "$d/lib/modules/$1"
	fi
}
# image_vmlinuz ABI -> the image's kernel
image_vmlinuz() {
	local d
	d=$(image_dir "$1")
	if [ -e "$d/boot/vmlinuz-$1" ]; then
		echo "$d/boot/vmlinuz-$1"
	else
		echo "$(image_moddir "$1")/vmlinuz"
	fi
}

# kernel_kdir NAME -> the kernel build tree of a target, as the host sees it
kernel_kdir() {
	case "$1" in
	debug) echo "$CACHE/debug/current" ;;
	*) echo "$(release_root "$(kernel_release "$1")")/usr/src/linux-headers-$(kernel_abi "$1")" ;;
	esac
}

# kmake KERNEL DIR ARG...: make against KERNEL's build tree with M=DIR.
# The debug kernel builds on the host.  Every other target builds inside
# its release's root, DIR bind-mounted at a private mount point so that
# the objects land in DIR where the host reads them; /proc is mounted
# because objtool reads /proc/self/limits.  Both are unmounted before
# returning, whatever make's status.
kmake() {
	local kernel=$1 dir=$2 root kdir mnt rc=0
	shift 2
	if [ "$kernel" = debug ]; then
		make -C "$CACHE/debug/current" M="$dir" "$@"
		return
	fi
	root=$(release_root "$(kernel_release "$kernel")") || return 1
	kdir=/usr/src/linux-headers-$(kernel_abi "$kernel")
	[ -e "$root$kdir/Makefile" ] || { log "error: no kernel build tree at $root$kdir (run scripts/release-root.sh)"; return 1; }
	mnt=$(mktemp -d "$root/tmp/m.XXXXXX") || return 1
	mount --bind "$dir" "$mnt" || { rmdir "$mnt"; return 1; }
	# another build in this root may hold /proc already: mount it again on top
	if mount -t proc proc "$root/proc"; then
		chroot "$root" env LC_ALL=C.UTF-8 make -C "$kdir" \
			M="/tmp/$(basename "$mnt")" "$@" || rc=$?
		umount "$root/proc"
	else
		rc=1
	fi
	umount "$mnt"
	rmdir "$mnt"
	return $rc
}

# kbuild_checked KERNEL DIR WHAT ARG...: kmake into DIR, its output in
# DIR.build.log; a failed build or any compiler or modpost warning dies
# (the project builds warning-free on every target).
kbuild_checked() {
	local kernel=$1 dir=$2 what=$3 log=$2.build.log
	shift 3
	if ! kmake "$kernel" "$dir" "$@" modules >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "$what for $kernel: build failed ($log)"
	fi
	! grep -E 'warning:|error:' "$log" >&2 || die "$what for $kernel: build warnings ($log)"
}

# skip_allowed KERNEL CASE: may CASE ("suite.test_x") skip on KERNEL?
# Only where tests/skips.conf lists it and the kernel lacks one of the
# features listed for it.  Prints the feature found missing.
skip_allowed() {
	local k=$1 want=$2 name f features config root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	config=$(kernel_kdir "$k")/.config
	[ -f "$config" ] || return 1
	while read -r name features; do
		[ "$name" = "$want" ] || continue
		for f in $features; do
			case $f in
			CONFIG_*) grep -Eq "^$f=(y|m)$" "$config" && continue ;;
			HAVE_*) grep "^$k " "$root/compat/expected" | grep -qw "$f" && continue ;;
			esac
			echo "$f"
			return 0
		done
	done < <(grep -v '^#' "$root/tests/skips.conf")
	return 1
}
