# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest suites.  Sourced by run.sh and by every suite.
# The host tells the guest which module to test in /run/results/env:
#   ZT_KO        path of the release zram.ko built for the booted kernel
#   ZT_KUNIT_KO  path of the KUnit build of it (debug kernel only)
#   ZT_QUICK     1 under CI: smaller sizes, shorter runs

# shellcheck disable=SC1091
[ -f /run/results/env ] && . /run/results/env
: "${ZT_QUICK:=0}"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

fail() { echo "FAIL: $*" >&2; return 1; }
note() { echo "$*"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# expect_errno ERRNO-NAME CMD...: the command must fail with that errno,
# as reported by the shell's own "write error: <message>" text.
expect_errno() {
	local want=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded, expected $want"
		return 1
	fi
	case "$want:$out" in
	EINVAL:*"Invalid argument"*|EBUSY:*"busy"*|ENODEV:*"No such device"*|\
	ERANGE:*"result too large"*|E2BIG:*"Argument list too long"*|\
	ENOENT:*"No such file"*|EPERM:*"not permitted"*|ENOSPC:*"No space"*|\
	ENOTBLK:*"Block device required"*|EIO:*"Input/output error"*|\
	EEXIST:*"exists"*|EOPNOTSUPP:*"not supported"*) return 0 ;;
	esac
	fail "'$*' failed with '$out', expected $want"
}

# sysw FILE VALUE: write VALUE to FILE like `echo VALUE > FILE`
sysw() { printf '%s\n' "$2" >"$1"; }
sysw_n() { printf '%s' "$2" >"$1"; }

# Load the module under test, with its library dependencies (which insmod
# does not resolve: they come from the booted image's modules).
zram_load() {
	local dep
	for dep in $(modinfo -F depends "$ZT_KO" | tr , ' '); do
		modprobe "$dep"
	done
	insmod "$ZT_KO" "$@"
}

zram_unload() {
	local i
	for i in 1 2 3 4 5; do
		rmmod zram 2>/dev/null && return 0
		sleep 1
	done
	rmmod zram
}

zram_loaded() { [ -d /sys/module/zram ]; }

# Default cleanup after each case: swap off, unmount, unload.
zt_cleanup() {
	local rc=$?
	swapoff -a 2>/dev/null
	grep -o '^/dev/zram[0-9]* [^ ]*' /proc/mounts | while read -r _ m; do
		umount "$m"
	done
	zram_loaded && zram_unload
	exit $rc
}
