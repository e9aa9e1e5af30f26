# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the guest suites.  Sourced by run.sh and by every suite.
# The host tells the guest which module to test in /run/results/env:
#   ZT_KO        path of the release zram.ko built for the booted kernel
#   ZT_KUNIT_KO  path of the KUnit build of it (debug kernel only)
#   ZT_QUICK     1 under CI: smaller sizes, shorter runs
#   ZT_DATA      directory of test data made on the host (text: 64 MiB of
#                real text files of the machine, in name order;
#                files.tar: 3000 of those files)

# shellcheck disable=SC1091
[ -f /run/results/env ] && . /run/results/env
: "${ZT_QUICK:=0}"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

fail() { echo "FAIL: $*" >&2; return 1; }
# skip WHY: end the case as skipped (status 77; run.sh reports "# SKIP WHY").
# The host accepts it only where tests/skips.conf says this kernel lacks
# the feature.
skip() { echo "$*" >/tmp/zt-skip; echo "SKIP: $*" >&2; exit 77; }
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
	ERANGE:*"out of range"*|E2BIG:*"Argument list too long"*|\
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
	local _
	for _ in 1 2 3 4 5; do
		rmmod zram 2>/dev/null && return 0
		sleep 1
	done
	rmmod zram
}

zram_loaded() { [ -d /sys/module/zram ]; }

# Default cleanup after each case: swap off, unmount, unload.
# zt_cleanup [RC]: the status to exit with defaults to the one that
# triggered the trap; a suite's own trap passes its own.
zt_cleanup() {
	local rc=${1:-$?}
	swapoff -a 2>/dev/null
	grep -o '^/dev/zram[0-9]* [^ ]*' /proc/mounts | while read -r _ m; do
		umount "$m"
	done
	zram_loaded && zram_unload
	exit $rc
}

# shellcheck disable=SC2034 # the suites use it
Z=/sys/block/zram0

# zram_init SIZE [ALGORITHM] [DEV]: configure and initialise a device
zram_init() {
	local dev=${3:-zram0}
	[ -n "${2:-}" ] && sysw /sys/block/$dev/comp_algorithm "$2"
	sysw /sys/block/$dev/disksize "$1"
	expect_eq "$dev initstate" 1 "$(cat /sys/block/$dev/initstate)"
}

# mm_field N [DEV]: column N (1-based) of mm_stat
mm_field() { awk -v n="$1" '{ print $n }' "/sys/block/${2:-zram0}/mm_stat"; }
io_field() { awk -v n="$1" '{ print $n }' "/sys/block/${2:-zram0}/io_stat"; }

# qsize FULL QUICK [DEBUG]: a size scaled down in quick (CI) mode, and
# further on the debug kernel where given (KASAN and lockdep under TCG make
# every page cost many times more; the debug kernel always runs quick)
qsize() {
	if [ "${ZT_KERNEL:-}" = debug ] && [ -n "${3:-}" ]; then
		echo "$3"
	elif [ "$ZT_QUICK" = 1 ]; then
		echo "$2"
	else
		echo "$1"
	fi
}

# make_data FILE MIB KIND: a deterministic test file; KIND is text (real
# files of this machine, compressible), random, zero, or mixed (a quarter
# each of zero, same-filled, text and random pages)
make_data() {
	local f=$1 mib=$2 kind=$3
	case "$kind" in
	text) head -c $((mib << 20)) "$ZT_DATA/text" >"$f" ;;
	random) head -c $((mib << 20)) /dev/urandom >"$f" ;;
	zero) head -c $((mib << 20)) /dev/zero >"$f" ;;
	mixed) python3 - "$f" "$mib" <<'PY'
import os, sys, random
f, mib = sys.argv[1], int(sys.argv[2])
words = open('/usr/share/dict/words').read().split() if os.path.exists('/usr/share/dict/words') else 'zram swap page kernel memory slot lock'.split()
r = random.Random(mib)
with open(f, 'wb') as o:
    for i in range(mib * 256):
        k = i % 4
        if k == 0:
            o.write(bytes(4096))
        elif k == 1:
            o.write(r.getrandbits(64).to_bytes(8, 'little') * 512)
        elif k == 2:
            t = ' '.join(r.choice(words) for _ in range(900)).encode()
            o.write((t * 2)[:4096])
        else:
            o.write(r.randbytes(4096))
PY
	;;
	esac
	[ "$(stat -c %s "$f")" = $((mib << 20)) ] || fail "make_data $kind: short file"
}

# wait_jobs LOG WHAT PID...: wait for every background job; for the Nth
# that failed (from 0), show LOGN.log and fail with "WHAT N"
wait_jobs() {
	local log=$1 what=$2 i=0 p
	shift 2
	for p in "$@"; do
		wait "$p" || { cat "$log$i.log"; fail "$what $i"; }
		i=$((i + 1))
	done
}

# hold_open DEV: keep the device open (fd 9) until release_open
hold_open() { exec 9<"$1"; }
release_open() { exec 9<&-; }

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# Leak checks around a loop of work: leak_mark before it, leak_check after.
# Where kmemleak is available (the debug kernel) its scan judges: any
# unreferenced object allocated from the module fails.  KASAN's quarantine
# keeps freed objects in the slab for a while there, so the counters below
# would only measure it.  Elsewhere free memory, unreclaimable slab,
# vmalloc and per-CPU use must come back to where they were, within a
# little slack.  Free memory counts the per-CPU page lists too: MemFree
# alone moves by 15 MB either way as they fill and drain (measured on 6.1
# with the stock zram), free plus those lists by under 0.5 MB.
ZT_KMEMLEAK=/sys/kernel/debug/kmemleak
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
free_kb() {
	local free pcp
	free=$(awk '$1 == "nr_free_pages" { print $2 }' /proc/vmstat)
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	echo $(((free + pcp) * $(getconf PAGESIZE) / 1024))
}
# kmemleak_start: what kmemleak would report now is set aside (a scan,
# then clear), so that kmemleak_clean judges only what runs in between.
kmemleak_start() {
	echo scan >$ZT_KMEMLEAK
	echo clear >$ZT_KMEMLEAK
}
# kmemleak_clean: scan; no unreferenced object may come from zram.  A
# frame in a module that is loaded reads "func+off/len [zram]"; once the
# module is gone, and in its init code at any time, a frame cannot be
# named and shows as a bare address in the module area (from
# 0xffffffffa0000000), which counts as ours too: the leak checks run with
# zram unloaded, and the other modules of a guest stay loaded.  Kernels
# print a frame as "[<address>] symbol" or as the symbol alone.
kmemleak_clean() {
	local rep
	sleep 6	# kmemleak reports only objects older than 5 s
	echo scan >$ZT_KMEMLEAK
	echo scan >$ZT_KMEMLEAK
	rep=$(cat $ZT_KMEMLEAK)
	if grep -q '\[zram\]' <<<"$rep" ||
		grep -Eq '^[[:space:]]+(\[<[0-9a-f]+>\] )?0xffffffff[a-f][0-9a-f]{7}$' <<<"$rep"; then
		echo "$rep"
		fail "kmemleak: unreferenced objects from zram"
		return 1
	fi
	[ -z "$rep" ] || { note "kmemleak: unreferenced objects, none of zram's:"; echo "$rep"; }
	note "kmemleak: nothing of zram's unreferenced"
}
leak_mark() {
	if [ -w $ZT_KMEMLEAK ]; then
		kmemleak_start
		return 0
	fi
	sync
	echo 3 >/proc/sys/vm/drop_caches
	leak_free0=$(free_kb)
	leak_slab0=$(meminfo_kb SUnreclaim)
	leak_vmalloc0=$(meminfo_kb VmallocUsed)
	leak_percpu0=$(meminfo_kb Percpu)
}
leak_check() {
	local free1 slab1 vmalloc1 percpu1 bad=""
	if [ -w $ZT_KMEMLEAK ]; then
		kmemleak_clean
		return
	fi
	sync
	echo 3 >/proc/sys/vm/drop_caches
	free1=$(free_kb)
	slab1=$(meminfo_kb SUnreclaim)
	vmalloc1=$(meminfo_kb VmallocUsed)
	percpu1=$(meminfo_kb Percpu)
	note "free $leak_free0 -> $free1 kB, SUnreclaim $leak_slab0 -> $slab1 kB," \
	     "VmallocUsed $leak_vmalloc0 -> $vmalloc1 kB, Percpu $leak_percpu0 -> $percpu1 kB"
	[ $((leak_free0 - free1)) -lt 1024 ] || bad="$bad free memory fell by $((leak_free0 - free1)) kB;"
	[ $((slab1 - leak_slab0)) -lt 1024 ] || bad="$bad SUnreclaim grew by $((slab1 - leak_slab0)) kB;"
	[ $((vmalloc1 - leak_vmalloc0)) -lt 1024 ] ||
		bad="$bad VmallocUsed grew by $((vmalloc1 - leak_vmalloc0)) kB;"
	[ $((percpu1 - leak_percpu0)) -lt 256 ] ||
		bad="$bad Percpu grew by $((percpu1 - leak_percpu0)) kB;"
	[ -z "$bad" ] && return 0
	[ "${1:-}" = quiet ] && { note "memory:$bad"; return 1; }
	fail "memory:$bad"
}

# leak_around CMD...: CMD runs between leak_mark and leak_check.  Some
# memory the kernel takes once and keeps (a slab or the vmalloc area grown
# to a new size, a page table) can exceed the slack on one run; a leak
# takes memory again on every run.  So growth on a first run
# only earns a second run, and growth on both fails.
leak_around() {
	leak_mark
	"$@"
	leak_check quiet && return 0
	note "running again: a leak grows on every run, a one-time growth does not"
	leak_mark
	"$@"
	leak_check
}
