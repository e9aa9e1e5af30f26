# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the host-side scripts.  Source it; do not run it.

# Everything downloaded or built lives here, outside the git tree.
CACHE=${ZRAM_CACHE:-/var/cache/zram-backport}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# kernel_abi NAME -> the Debian ABI string of a target name
kernel_abi() {
	case "$1" in
	6.1) echo "$K61_ABI" ;;
	6.12) echo "$K612_ABI" ;;
	6.12-rt) echo "$K612RT_ABI" ;;
	sid) echo "$KSID_ABI" ;;
	*) return 1 ;;
	esac
}

# Debian sid's kernel is opt-in: its headers need sid's compiler, so they
# live in the build root of scripts/sid-root.sh, and its image is unpacked
# beside it.  sid keeps vmlinuz in the modules directory (under /usr/lib).
# shellcheck disable=SC2034 # used by the scripts that source this
SID_ROOT=$CACHE/sid/root
# shellcheck disable=SC2034
SID_MODDIR=$CACHE/sid/image/usr/lib/modules/${KSID_ABI:-none}

# kmake KERNEL DIR ARG...: make against KERNEL's build tree with M=DIR.
# For sid, inside its build root, DIR bind-mounted at a private mount point
# so that the objects land in DIR where the host reads them; /proc is
# mounted because objtool reads /proc/self/limits.  Both are unmounted
# before returning, whatever make's status.
kmake() {
	local kernel=$1 dir=$2 kdir mnt rc=0
	shift 2
	case "$kernel" in
	debug) make -C "$CACHE/debug/current" M="$dir" "$@"; return ;;
	sid) ;;
	*) make -C "/usr/src/linux-headers-$(kernel_abi "$kernel")" M="$dir" "$@"; return ;;
	esac
	kdir=/usr/src/linux-headers-$KSID_ABI
	[ -e "$SID_ROOT$kdir/Makefile" ] || { log "error: no kernel build tree at $SID_ROOT$kdir (run scripts/sid-root.sh)"; return 1; }
	mnt=$(mktemp -d "$SID_ROOT/tmp/m.XXXXXX") || return 1
	mount --bind "$dir" "$mnt" || { rmdir "$mnt"; return 1; }
	# another sid build may hold /proc already: mount it again on top
	if mount -t proc proc "$SID_ROOT/proc"; then
		chroot "$SID_ROOT" env LC_ALL=C.UTF-8 make -C "$kdir" \
			M="/tmp/$(basename "$mnt")" "$@" || rc=$?
		umount "$SID_ROOT/proc"
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
