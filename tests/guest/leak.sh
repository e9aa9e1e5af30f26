# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Leak: memory lost over cycles a maintenance script runs, each half on
# its own: device reset cycles (disksize, 1 MiB of random data written
# with O_DIRECT, reset) with the module loaded, and module reload cycles
# (four devices each); the devices are probed as udev would, after each
# change.  Every kind of memory is read, with the kernel's
# per-CPU counters folded first (vm.stat_refresh) and caches dropped:
#   free     free pages plus the per-CPU page lists (the machine's view:
#            whatever is lost shows here).  MemFree and MemAvailable leave
#            those lists out, and before 6.7 nothing shrinks them while
#            memory is plentiful: on 6.1 they hold up to about 30 MiB
#            here after a few hundred resets, with either module, and
#            MemAvailable moves by as much either way.
#   slab     SUnreclaim
#   vmalloc  VmallocUsed
#   percpu   Percpu
# A loss of 4 KiB per reset or 100 KiB per reload fails: a batch fails
# when any kind moves by half that per cycle; one bad batch earns a second
# one (memory the kernel takes once and keeps grows in one batch only),
# and both failing fails the case.  Outside quick mode the same cycles
# run with the booted image's own zram first, logged beside ours.
#
# On the debug kernel kmemleak judges both cases instead, over reloads
# with resets in each: any unreferenced object allocated from the module
# fails (KASAN's quarantine would make the counters measure itself).

# mem_now: "free slab vmalloc percpu" in kB, settled
mem_now() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo 1 >/proc/sys/vm/stat_refresh
	echo "$(free_kb)" "$(meminfo_kb SUnreclaim)" "$(meminfo_kb VmallocUsed)" \
		"$(meminfo_kb Percpu)"
}

# leak_batch WHO CYCLES PER-CYCLE-LIMIT-KB CMD...: CMD runs CYCLES cycles;
# prints what each kind lost per cycle, in bytes; returns 1 when any kind
# lost more than the limit, 2 when the cycles themselves failed.  It runs
# where errexit is off (in || lists): every step checks its own status.
leak_batch() {
	local who=$1 n=$2 limit=$3 a b k per bad="" line=""
	local kinds=(free slab vmalloc percpu)
	shift 3
	read -ra a <<<"$(mem_now)"
	slab_sizes >/tmp/leak-slab0
	"$@" "$n" || { fail "$who: the cycles failed"; return 2; }
	read -ra b <<<"$(mem_now)"
	slab_sizes >/tmp/leak-slab1
	for k in 0 1 2 3; do
		# free memory falls when memory is lost, the others grow
		if [ $k = 0 ]; then
			per=$(((a[k] - b[k]) * 1024 / n))
		else
			per=$(((b[k] - a[k]) * 1024 / n))
		fi
		line+=" ${kinds[k]} $per"
		[ "$per" -le $((limit * 1024)) ] || bad+=" ${kinds[k]}"
	done
	note "$who: bytes lost per cycle over $n cycles:$line"
	[ -z "$bad" ] || {
		note "$who: over $limit kB per cycle:$bad; the slab caches that grew most (kB):"
		join /tmp/leak-slab0 /tmp/leak-slab1 |
			awk '$3 > $2 { print $1, $3 - $2 }' | sort -k2 -rn | head -n 8 | sed 's/^/    /'
		return 1
	}
}

# slab_sizes: "cache kB" of every slab cache, sorted by name for join
slab_sizes() {
	awk 'NR > 2 { print $1, $3 * $4 / 1024 }' /proc/slabinfo | sort
}

# leak_judge WHO CYCLES LIMIT CMD...: a batch, and a second one if the
# first lost too much
leak_judge() {
	local rc=0
	leak_batch "$@" || rc=$?
	[ $rc = 0 ] && return 0
	[ $rc = 2 ] && return 1
	note "$1: a second batch (a leak loses again, a one-time growth does not)"
	rc=0
	leak_batch "$@" || rc=$?
	[ $rc = 0 ] && return 0
	[ $rc = 2 ] || fail "$1: memory lost on every batch"
	return 1
}

random_mib=/tmp/leak-random
# probe DEV: read it the way udev's blkid does on every change (buffered,
# through the page cache: on 6.1 that is the driver's ->rw_page)
probe() { blkid -p "$1" >/dev/null 2>&1 || true; }

reset_cycles() {
	for _ in $(seq "$1"); do
		sysw $Z/disksize 64M || return 1
		dd if=$random_mib of=/dev/zram0 bs=1M count=1 oflag=direct status=none ||
			return 1
		probe /dev/zram0
		sysw $Z/reset 1 || return 1
	done
}

# load_stock / load_ours: the module a cycle loads
# shellcheck disable=SC2120 # reload_cycles_with passes the parameters
load_stock() { modprobe zram "$@"; }
# shellcheck disable=SC2120
load_ours() { zram_load "$@"; }
reload_cycles_with() {
	local load=$1
	for _ in $(seq "$2"); do
		"$load" num_devices=4 || return 1
		[ -b /dev/zram3 ] || { fail "no /dev/zram3 after loading"; return 1; }
		probe /dev/zram0
		probe /dev/zram3
		zram_unload || return 1
	done
}
reload_stock() { reload_cycles_with load_stock "$1"; }
reload_ours() { reload_cycles_with load_ours "$1"; }

nresets=$(qsize 400 120)
nreloads=$(qsize 40 12)
# the stock module's figures are for comparison only: not in quick mode
with_stock() { [ "$ZT_QUICK" = 0 ] && modinfo zram >/dev/null 2>&1; }

# a few cycles first take what the kernel keeps once (slab pages of new
# caches, vmalloc area, the stock module's code)
test_reset_cycles() {
	head -c 1M /dev/urandom >$random_mib
	if [ "${ZT_KERNEL:-}" = debug ]; then
		kmemleak_cycles 1 12
		return
	fi
	if with_stock; then
		load_stock
		reset_cycles 5
		leak_batch stock "$nresets" 2 reset_cycles || true
		zram_unload
	fi
	load_ours
	reset_cycles 5
	leak_judge ours "$nresets" 2 reset_cycles
	zram_unload
}

test_reload_cycles() {
	if [ "${ZT_KERNEL:-}" = debug ]; then
		head -c 1M /dev/urandom >$random_mib
		kmemleak_cycles 4 3
		return
	fi
	if with_stock; then
		reload_stock 3
		leak_batch stock "$nreloads" 50 reload_stock || true
	fi
	reload_ours 3
	leak_judge ours "$nreloads" 50 reload_ours
}

# kmemleak_cycles RELOADS RESETS: on the debug kernel, RELOADS module
# loads (four devices), RESETS reset cycles on each; then every object
# the module allocated must be freed or still referenced
kmemleak_cycles() {
	[ -w $ZT_KMEMLEAK ] || fail "the debug kernel has no kmemleak"
	kmemleak_start
	for _ in $(seq "$1"); do
		zram_load num_devices=4
		reset_cycles "$2" || fail "the cycles failed"
		zram_unload
	done
	kmemleak_clean
}
