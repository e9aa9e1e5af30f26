#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest half of `make bench`: run every workload with the booted image's
# stock zram.ko and with ours, in one boot, alternating which goes first
# from round to round, and append one CSV line per measurement to
# /run/results/bench.csv:
#
#   workload,metric,unit,better,module,round,value
#
# better is "higher" or "lower"; module is "limit" for the kernel's
# compressors alone (no zram loaded), which the report sets beside the
# device's own throughput on the same kind of data.  The swap program
# checks every page and the memory workload every surviving byte: a wrong
# byte stops the run with an error.  fio runs here unverified, to time the
# device alone; the test suites verify the same patterns.
#
# Environment (from /run/results/env): ZT_KO, ZT_TOOLS, ZT_DATA,
# ZT_BLKPAGES as for the test suites, and
#   BENCH_ROUNDS     rounds (each runs both modules)
#   BENCH_RUNTIME    seconds per fio and cyclictest run
#   BENCH_WORKLOADS  any of: limit fio csum swap mem lat readlat abort exit
#                    movable
#   ZT_LIMIT_KO      tests/bench/limit's module, built for the booted kernel
#   BENCH_ALGS       algorithms (default "lz4 zstd")
#   BENCH_QUICK      1: fewer fio variants and smaller sizes (CI)
set -euo pipefail
cd "$(dirname "$0")/../guest"
. ./lib.sh
. ./data.sh	# mem_figures
csv=/run/results/bench.csv
: "${BENCH_ALGS:=lz4 zstd}"
: "${BENCH_QUICK:=0}"
cg=/sys/fs/cgroup/zt-bench

module=""	# stock or ours, the one loaded
round=0

emit() { echo "$1,$2,$3,$4,$module,$round,$5" >>"$csv"; }

load() {
	module=$1
	if [ "$module" = stock ]; then
		modprobe zram
	else
		zram_load
	fi
}

unload() {
	grep -q '^/dev/zram0 ' /proc/swaps && swapoff /dev/zram0
	zram_unload
	module=""
}

has_alg() { tr -d '[]' <$Z/comp_algorithm | tr ' ' '\n' | grep -qx "$1"; }

# set_alg ALG: ALG may be NAME or NAME:LEVEL; a level needs
# algorithm_params, which the stock zram of older kernels does not have
set_alg() {
	local name=${1%%:*} level
	sysw $Z/comp_algorithm "$name"
	case "$1" in
	*:*)
		level=${1#*:}
		if [ -e $Z/algorithm_params ]; then
			sysw $Z/algorithm_params "algo=$name level=$level"
		else
			note "$module: no algorithm_params, $name at its default level"
		fi
		;;
	esac
}

dev_init() { set_alg "$2"; sysw $Z/disksize "$1"; }

# fio_json NAME OPTIONS...: run fio on /dev/zram0, print "MB/s IOPS"
fio_json() {
	local name=$1
	shift
	fio --name="$name" --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--group_reporting --output-format=json "$@" >/tmp/fio.json ||
		{ cat /tmp/fio.json; fail "fio $name failed"; }
	python3 - /tmp/fio.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))['jobs'][0]
if j['error']:
    sys.exit('fio reported error %d' % j['error'])
bw = j['read']['bw_bytes'] + j['write']['bw_bytes']
iops = j['read']['iops'] + j['write']['iops']
print('%.2f %.0f' % (bw / 1e6, iops))
PY
}

# The data options of fio for a kind of data
fio_data() {
	case "$1" in
	half) echo "--buffer_compress_percentage=50 --refill_buffers" ;;
	incomp) echo "--refill_buffers" ;;
	zero) echo "--zero_buffers" ;;
	esac
}

# Reclaim and compaction counters of /proc/vmstat, and MemFree: printed
# with every fio run, so a slow run can be told apart from one that
# waited for memory (the first lz4 writes after loading are sometimes
# slow, on either module; see Documentation/benchmarks/README.md).
vm_keys=" allocstall_dma32 allocstall_normal allocstall_movable pgscan_kswapd pgscan_direct compact_stall pgmajfault "
vm_snap() { awk -v k="$vm_keys" 'index(k, " " $1 " ") { print $1, $2 }' /proc/vmstat; }
# vm_changes SNAPSHOT: the counters that moved since SNAPSHOT
vm_changes() {
	vm_snap | awk 'NR == FNR { was[$1] = $2; next }
		$2 != was[$1] { printf " %s+%d", $1, $2 - was[$1] }' <(echo "$1") -
}
mem_free() { awk '$1 == "MemFree:" { print $2 }' /proc/meminfo; }

# Under TCG, QEMU keeps the code it translated from a guest page until the
# guest writes to that page, and every write to a page that still has
# translations takes a slow path that throws them away.  Pages freed
# during one workload can carry translations into the next, and the
# first device runs after a module load, which take many fresh pages,
# ran several times slower in some rounds, with either module: QEMU's
# "info jit" counted about 26000 invalidations a second then, none or a
# few hundred in the runs at full speed (see
# Documentation/benchmarks/README.md).  So after each load every free
# page but 256 MiB is written once: the pages go back free of
# translations, at the same cost for both modules.  (It cleared five of
# six first runs in a check; the pages left free may be handed out first.)
scrub_free_pages() {
	local t0
	t0=$(date +%s.%N)
	python3 - "$(mem_free)" <<'PY'
import mmap, sys
size = (int(sys.argv[1]) * 1024 - (256 << 20)) // mmap.PAGESIZE * mmap.PAGESIZE
if size > 0:
    m = mmap.mmap(-1, size)
    m[::mmap.PAGESIZE] = bytes(size // mmap.PAGESIZE)
    m.close()
PY
	note "$module: wrote the free pages but 256 MiB in $(echo "$(date +%s.%N) - $t0" | bc) s"
}

# The pages kept free above are the ones the first device runs take (the
# allocator hands out its smallest free blocks first), and what runs after
# the scrub frees more pages that held code.  So a device of the size the
# fio runs use is then filled once with the data they write, untimed, and
# reset: the pages it took, which the next runs take again, go back free
# of translations.  In a check of the scrub alone, one first run of six
# was still slow.
warm_device() {
	local alg
	for alg in $BENCH_ALGS; do
		has_alg "${alg%%:*}" && break
	done
	dev_init 256M "$alg"
	# shellcheck disable=SC2046
	fio --name=warm --filename=/dev/zram0 --direct=1 --rw=write --bs=1m \
		--size=256M $(fio_data half) >/dev/null || fail "warm-up write failed"
	sysw $Z/reset 1
}

# fio_case ALG PATTERN JOBS DATA [NAME]: one measured fio run on a fresh
# device, recorded as workload NAME (default fio-PATTERN-JOBSj-DATA-ALG)
fio_case() {
	local alg=$1 pat=$2 jobs=$3 data=$4 per rw bs extra="" out vm free
	local name=${5:-fio-$pat-${jobs}j-$data-$alg}
	per=$((128 / jobs))M
	case "$pat" in
	randwrite4k) rw=randwrite bs=4k ;;
	randread4k) rw=randread bs=4k ;;
	randrw4k) rw=randrw bs=4k extra="--rwmixread=70" ;;
	seqwrite1m) rw=write bs=1m ;;
	seqread1m) rw=read bs=1m ;;
	esac
	dev_init 256M "$alg"
	# reads need data in place, of the same kind, written but not timed
	# shellcheck disable=SC2046
	case "$rw" in
	*read*|randrw)
		fio --name=fill --filename=/dev/zram0 --direct=1 --rw=write \
			--bs=1m --size=128M $(fio_data "$data") \
			--do_verify=0 >/dev/null || fail "fill failed" ;;
	esac
	vm=$(vm_snap) free=$(mem_free)
	# shellcheck disable=SC2046,SC2086
	out=$(fio_json "$pat" --rw=$rw --bs=$bs --numjobs="$jobs" --size="$per" \
		--offset_increment="$per" --time_based --runtime="$BENCH_RUNTIME" \
		--randrepeat=0 $extra $(fio_data "$data"))
	set -- $out
	note "$name ($module): $1 MB/s; MemFree $((free / 1024)) MiB before;$(vm_changes "$vm")"
	emit "$name" throughput MB/s higher "$1"
	sysw $Z/reset 1
}

bench_fio() {
	local alg pat jobs data
	for alg in $BENCH_ALGS; do
		has_alg "${alg%%:*}" || continue
		# quick mode (CI) keeps it working: the first algorithm only
		[ "$BENCH_QUICK" = 1 ] && [ "$alg" != "${BENCH_ALGS%% *}" ] && continue
		for pat in randwrite4k randread4k randrw4k seqwrite1m seqread1m; do
			for jobs in 1 2; do
				[ "$BENCH_QUICK" = 1 ] && [ $jobs = 2 ] && continue
				fio_case "$alg" $pat $jobs half
			done
		done
		for data in incomp zero; do
			fio_case "$alg" randwrite4k 1 $data
			[ "$BENCH_QUICK" = 1 ] || fio_case "$alg" seqread1m 1 $data
		done
	done
}

# What checksums cost: the 4 KiB random cases on ours, with checksum=none
# and with crc32c, one after the other in the same boot (the order
# alternates between rounds), recorded as modules "none" and "crc32c" of
# workloads csum-*; the report sets one against the other.  Stock has no
# checksums: nothing runs in its turn.
bench_csum() {
	local alg pat mode modes="none crc32c" saved=$module
	[ "$module" = ours ] || return 0
	[ $((round % 2)) = 0 ] && modes="crc32c none"
	for alg in $BENCH_ALGS; do
		has_alg "${alg%%:*}" || continue
		# quick mode (CI) keeps it working: lz4 writes only
		[ "$BENCH_QUICK" = 1 ] && [ "$alg" != lz4 ] && continue
		for pat in randwrite4k randread4k; do
			[ "$BENCH_QUICK" = 1 ] && [ $pat != randwrite4k ] && continue
			for mode in $modes; do
				module=$mode
				# before fio_case's disksize; its reset sets none again
				sysw $Z/checksum $mode
				fio_case "$alg" $pat 1 half "csum-$pat-$alg"
			done
			module=$saved
		done
	done
}

# The kernel's own compressors alone, one CPU, on data of fio's "half"
# kind (made by fio with the same options as the device runs use), in
# 4 KiB blocks: the physical limit of the device's throughput
bench_limit() {
	local alg level line dep
	# shellcheck disable=SC2046
	[ -s /tmp/half.dat ] ||
		fio --name=gen --filename=/tmp/half.dat --rw=write --bs=4k --size=16M \
			$(fio_data half) >/dev/null || fail "fio could not make the data"
	for dep in $(modinfo -F depends "$ZT_LIMIT_KO" | tr , ' '); do
		modprobe "$dep"
	done
	for alg in $BENCH_ALGS; do
		case "${alg%%:*}" in lz4|zstd) ;; *) continue ;; esac
		level=""
		case "$alg" in *:*) level="level=${alg#*:}" ;; esac
		dmesg -C
		# shellcheck disable=SC2086
		taskset -c 0 insmod "$ZT_LIMIT_KO" path=/tmp/half.dat alg="${alg%%:*}" \
			$level msecs=$((BENCH_RUNTIME * 1000)) ||
			{ dmesg; fail "zram_limit failed for $alg"; }
		rmmod zram_limit
		line=$(dmesg | grep -o 'zram_limit: alg=.*')
		note "$line"
		emit "limit-half-$alg" compress MB/s higher "$(limit_field comp_mbs "$line")"
		emit "limit-half-$alg" decompress MB/s higher "$(limit_field decomp_mbs "$line")"
	done
	# the checksum zram keeps with checksum=crc32c, on the same blocks
	dmesg -C
	taskset -c 0 insmod "$ZT_LIMIT_KO" path=/tmp/half.dat alg=crc32c \
		msecs=$((BENCH_RUNTIME * 1000)) || { dmesg; fail "zram_limit failed for crc32c"; }
	rmmod zram_limit
	line=$(dmesg | grep -o 'zram_limit: alg=.*')
	note "$line (the crypto API's crc32c drivers:" \
		"$(awk '$1 == "driver" && $3 ~ /^crc32c/ { printf " %s", $3 }' /proc/crypto) )"
	emit limit-half-crc32c checksum MB/s higher "$(limit_field sum_mbs "$line")"
}

limit_field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# sectors written to zram0 since it was set up (field 7 of its stat file)
sectors_written() { awk '{ print $7 }' /sys/block/zram0/stat; }

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# A working set three times the cgroup's memory.max, verified page by page
bench_swap() {
	local alg ws limit t0 t1 in0 out0 maj0 secs pages
	ws=$(qsize 288 96)
	limit=$((ws / 3))
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg
	for alg in $BENCH_ALGS; do
		has_alg "${alg%%:*}" || continue
		dev_init 1G "$alg"
		mkswap /dev/zram0 >/dev/null
		swapon -p 100 /dev/zram0
		echo "${limit}M" >$cg/memory.max
		in0=$(vmstat pswpin) out0=$(vmstat pswpout) maj0=$(vmstat pgmajfault)
		t0=$(date +%s.%N)
		sh -c 'echo $$ >'"$cg"'/cgroup.procs && exec "$@"' sh \
			"$ZT_TOOLS/memcheck" "$ws" 2 11 >/dev/null ||
			fail "swap: working set damaged"
		t1=$(date +%s.%N)
		secs=$(echo "$t1 - $t0" | bc -l)
		pages=$(($(vmstat pswpin) - in0 + $(vmstat pswpout) - out0))
		emit "swap-$alg" time s lower "$(printf '%.2f' "$secs")"
		emit "swap-$alg" swapped pages/s higher "$(echo "$pages / $secs" | bc)"
		emit "swap-$alg" major-faults count lower "$(($(vmstat pgmajfault) - maj0))"
		swapoff /dev/zram0
		sysw $Z/reset 1
	done
}

# The same real files, stored, then churned (mem_figures in data.sh)
bench_mem() {
	local alg
	python3 "$ZT_BLKPAGES" churn-expect "$ZT_DATA/files.tar" \
		"$(($(stat -c %s "$ZT_DATA/files.tar") / 4096))" 1 /tmp/expect
	for alg in $BENCH_ALGS; do
		has_alg "${alg%%:*}" || continue
		mem_figures "${alg%%:*}" >/tmp/mem-figures
		# shellcheck disable=SC2046
		set -- $(cat /tmp/mem-figures)
		emit "mem-$alg" used MiB lower "$(echo "scale=2; $3 / 1048576" | bc)"
		emit "mem-$alg" orig/used ratio higher "$(echo "scale=3; $1 / $3" | bc)"
		emit "mem-$alg" compr/used ratio higher "$(echo "scale=3; $2 / $3" | bc)"
		emit "mem-$alg" used-after-churn MiB lower "$(echo "scale=2; $6 / 1048576" | bc)"
		emit "mem-$alg" compr/used-after-churn ratio higher "$(echo "scale=3; $5 / $6" | bc)"
		# the machine's view: pool pages plus slab growth, for both
		# modules alike (stock's mem_used_total leaves its metadata out)
		# shellcheck disable=SC2046
		set -- $(cat /tmp/mem-machine)
		emit "mem-$alg" machine MiB lower "$(echo "scale=2; $1 / 1048576" | bc)"
		emit "mem-$alg" machine-after-churn MiB lower "$(echo "scale=2; $2 / 1048576" | bc)"
	done
}

# Memory blocks (/sys/devices/system/memory) and zones, for bench_movable
memblocks() { printf '%s\n' /sys/devices/system/memory/memory[0-9]* | sort -V; }
# zone_used ZONE: pages of ZONE in use (present less free), summed over nodes
zone_used() {
	awk -v z="$1" '$1 == "Node" { inz = ($4 == z) }
		inz && $1 == "pages" && $2 == "free" { free += $3 }
		inz && $1 == "present" { present += $2 }
		END { print present - free }' /proc/zoneinfo
}
# try_offline BLOCK: take BLOCK offline; fails when a page in it cannot move
try_offline() { timeout -s KILL 10 sh -c "echo offline >$1/state" 2>/dev/null; }
# offline_online BLOCK: take BLOCK offline and back online into the zone
# it was in (a plain "online" may pick another); fails when it cannot go
offline_online() {
	local zone
	zone=$(cat "$1/valid_zones")
	try_offline "$1" || return 1
	case "$zone" in
	Movable) sysw "$1/state" online_movable ;;
	*) sysw "$1/state" online_kernel ;;
	esac
}
pool_mib() { echo $(($(awk '{ print $3 }' $Z/mm_stat) >> 20)); }

# movable_fill MIB: write MIB of fio's "half" data to zram0, in 16 MiB
# pieces, with 8 MiB of shmem written after each piece; the shmem is freed
# at the end, and every other 4 KiB block of the device is discarded: the
# pool is spread over memory between holes, half full, as after a while
# of swapping.
movable_fill() {
	local i
	mkdir -p /run/zt-fill
	mount -t tmpfs tmpfs /run/zt-fill
	for i in $(seq 0 $(($1 / 16 - 1))); do
		# shellcheck disable=SC2046
		fio --name=fill --filename=/dev/zram0 --direct=1 --rw=write --bs=64k \
			--offset=$((i * 16))M --size=16M $(fio_data half) >/dev/null ||
			fail "movable: fill failed"
		head -c 8M /dev/zero >"/run/zt-fill/$i"
	done
	umount /run/zt-fill
	fio --name=holes --filename=/dev/zram0 --direct=1 --rw=trim:4k --bs=4k \
		--size="$1"M >/dev/null || fail "movable: discard failed"
}

# zone_movable_once: the first time, move the four highest memory blocks
# that can go offline to ZONE_MOVABLE (as memory hot-plugged
# "online_movable" is, or movablecore= makes), for the rest of the boot:
# both modules then run with the same zones
zone_movable_made=0
zone_movable_once() {
	local b n=0
	[ $zone_movable_made = 1 ] && return 0
	for b in $(memblocks | tac); do
		[ $n = 4 ] && break
		[ "$(cat "$b/state")" = online ] || continue
		try_offline "$b" || continue
		if sysw "$b/state" online_movable 2>/dev/null; then
			n=$((n + 1))
		else
			sysw "$b/state" online
		fi
	done
	[ $n = 4 ] || fail "movable: no four memory blocks to make ZONE_MOVABLE of"
	note "ZONE_MOVABLE: $(($(awk '$1 == "Node" { inz = ($4 == "Movable") }
		inz && $1 == "present" { print $2 }' /proc/zoneinfo) >> 8)) MiB"
	zone_movable_made=1
}

# What pages that cannot migrate cost (Documentation/compat.rst, "Movable
# pages of a module").  With four memory blocks (512 MiB) in ZONE_MOVABLE,
# a pool is written spread over memory between holes, half full, as after
# a while of swapping (movable_fill), and compacted by zram and by the
# kernel; then
#  - how much of ZONE_MOVABLE the pool holds (CMA areas take movable
#    pages only, as that zone does, so the same goes for them);
#  - huge pages the kernel can still assemble (2 MiB each);
#  - memory blocks that can be taken offline (hot-unplug), of all blocks.
bench_movable() {
	local alg=lz4 b n ok huge used0 used1
	zone_movable_once
	dev_init 1G $alg
	sync
	sysw /proc/sys/vm/drop_caches 3
	used0=$(zone_used Movable)
	movable_fill "$(qsize 768 384)"
	sysw $Z/compact 1
	sync
	sysw /proc/sys/vm/drop_caches 3
	sysw /proc/sys/vm/compact_memory 1
	emit "movable-$alg" pool MiB lower "$(pool_mib)"
	used1=$(zone_used Movable)
	emit "movable-$alg" pool-in-zone-movable MiB higher \
		"$(((used1 > used0 ? used1 - used0 : 0) >> 8))"
	sysw /proc/sys/vm/nr_hugepages 100000
	huge=$(cat /proc/sys/vm/nr_hugepages)
	sysw /proc/sys/vm/nr_hugepages 0
	emit "movable-$alg" hugepages count higher "$huge"
	n=0 ok=0
	for b in $(memblocks); do
		[ "$(cat "$b/state")" = online ] || continue
		n=$((n + 1))
		offline_online "$b" && ok=$((ok + 1))
	done
	emit "movable-$alg" offlined-blocks "of $n" higher "$ok"
	sysw $Z/reset 1
}

# cyclictest_run: one real-time thread asking to wake every millisecond
# for BENCH_RUNTIME seconds; prints "p99 max woke": its wake-up latency
# in us and how many times it woke, or nothing if it never woke.  A
# thread held off for long skips the wake-ups it missed, so a load that
# blocks preemption also starves it.
cyclictest_run() {
	cyclictest -q -m -p 90 -i 1000 -D "$BENCH_RUNTIME" -h 20000 \
		--histfile=/tmp/lat.hist >/dev/null
	python3 - /tmp/lat.hist <<'PY'
import sys
hist, mx, woke = [], 0, 0
for line in open(sys.argv[1]):
    if line.startswith('# Max Latencies:'):
        mx = max(int(x) for x in line.split(':')[1].split())
    elif line.startswith('# Total:'):
        woke = sum(int(x) for x in line.split(':')[1].split())
    elif not line.startswith('#'):
        f = line.split()
        if len(f) >= 2:
            hist.append((int(f[0]), sum(int(x) for x in f[1:])))
total = sum(n for _, n in hist)
if not total or not woke:
    sys.exit('cyclictest: no wake-ups in ' + sys.argv[1])
seen, p99 = 0, 0
for us, n in hist:
    seen += n
    if seen * 100 >= total * 99:
        p99 = us
        break
print(p99, mx, woke)
PY
}

# emit_lat WORKLOAD P99 MAX WOKE: the figures of cyclictest_run
emit_lat() {
	[ $# = 4 ] || fail "lat: $1: cyclictest measured nothing"
	emit "$1" p99 us lower "$2"
	emit "$1" max us lower "$3"
	emit "$1" wake-ups /s higher "$(echo "scale=1; $4 / $BENCH_RUNTIME" | bc)"
}

# Wake-up latency of a real-time thread while two jobs write to the device
# with zstd at level 19: compression that cannot be preempted shows here.
# The load is checked, not assumed: the writers must still run when the
# measurement ends, and what they wrote meanwhile is reported beside it.
# Two floors come first, the same for both modules: the guest idle, which
# is what the emulation itself costs, and the guest busy with two loops in
# user space, which any load can be preempted from at once: a module that
# never blocks preemption measures as that second floor under its load.
# Serving the real-time thread costs the writers CPU time: compare their
# load-written only between modules that woke it as often.
bench_lat() {
	local writers busy w0 w1 t0 t1
	has_alg zstd || return 0
	# shellcheck disable=SC2046
	emit_lat lat-idle $(cyclictest_run)
	busy=""
	for _ in 1 2; do
		bash -c 'while :; do :; done' &
		busy="$busy $!"
	done
	# shellcheck disable=SC2046
	set -- $(cyclictest_run)
	# shellcheck disable=SC2086
	kill $busy
	# shellcheck disable=SC2086
	wait $busy 2>/dev/null || true
	emit_lat lat-busy "$@"
	dev_init 512M "$lat_alg"
	fio --name=lat-load --filename=/dev/zram0 --direct=1 --rw=randwrite \
		--bs=64k --numjobs=2 --size=128M --offset_increment=128M \
		--buffer_compress_percentage=50 --refill_buffers --time_based \
		--runtime=$((BENCH_RUNTIME + 180)) >/tmp/lat-load.log 2>&1 &
	writers=$!
	# measure only once the load runs: at level 19 under TCG the first
	# writes can take seconds (6.1's older zstd is the slowest)
	for _ in $(seq 120); do
		[ "$(sectors_written)" -gt 0 ] && break
		sleep 1
	done
	w0=$(sectors_written) t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	set -- $(cyclictest_run)
	w1=$(sectors_written) t1=$(date +%s.%N)
	kill -0 "$writers" 2>/dev/null ||
		{ cat /tmp/lat-load.log; fail "lat: the writers ended before the measurement did"; }
	kill "$writers" 2>/dev/null || true
	wait "$writers" 2>/dev/null || true
	[ "$w1" -gt "$w0" ] || fail "lat: nothing written during the measurement"
	emit_lat "lat-$lat_tag" "$@"
	emit "lat-$lat_tag" load-written MB/s higher \
		"$(echo "scale=2; ($w1 - $w0) * 512 / 1000000 / ($t1 - $t0)" | bc)"
	sysw $Z/reset 1
}

# readlat_run NAME: the rate-limited reader for BENCH_RUNTIME seconds:
# 4 KiB random O_DIRECT reads at 500 IOPS over the first 16 MiB (4 in
# quick mode), written before at the load's level: zstd-19 under TCG
# takes some 20 ms a page; emits its completion latency's p99, p99.9 and
# maximum, and its rate.
readlat_run() {
	fio --name=reader --filename=/dev/zram0 --direct=1 --rw=randread \
		--bs=4k --size="$readlat_size" --rate_iops=500 --time_based \
		--runtime="$BENCH_RUNTIME" --percentile_list=99:99.9 \
		--output-format=json >/tmp/readlat.json 2>/tmp/readlat.err ||
		{ cat /tmp/readlat.err; fail "readlat: $1: fio failed"; }
	# shellcheck disable=SC2046 # four numbers
	set -- "$1" $(python3 - /tmp/readlat.json <<'PY'
import json, sys
top = json.load(open(sys.argv[1]))['jobs'][0]
job = top['read']
clat = job['clat_ns']
if top['error'] or not job['total_ios']:
    sys.exit('readlat: no reads, or an error')
pct = clat['percentile']
print(pct['99.000000'] / 1000, pct['99.900000'] / 1000, clat['max'] / 1000,
      job['total_ios'])
PY
)
	[ $# = 5 ] || fail "readlat: $1: fio measured nothing"
	emit "$1" p99 us lower "$2"
	emit "$1" p99.9 us lower "$3"
	emit "$1" max us lower "$4"
	emit "$1" reads /s higher "$(echo "scale=1; $5 / $BENCH_RUNTIME" | bc)"
}

# writers_sched: what the scheduler gave the writers' processes (the
# children of fio $writers) so far: CPU time and time spent runnable but
# waiting for a CPU, in ns (/proc/PID/schedstat)
writers_sched() {
	local d
	# under errexit and pipefail: a process that is not a writer, or one
	# that ended meanwhile, must not end the run; %.0f: the nanoseconds
	# pass 2^31, where mawk's %d stops
	for d in /proc/[0-9]*; do
		if [ "$(awk '{ print $4 }' "$d/stat" 2>/dev/null)" = "$writers" ]; then
			cat "$d/schedstat" 2>/dev/null || true
		fi
	done | awk '{ c += $1; w += $2 } END { printf "%.0f %.0f\n", c, w }'
}

# Read latency: the reader alone, then the same reader while two writers
# compress with zstd at level 19 (as the lat workload) into another region
# of the device.  A read that waits for a compression shows in the tail.
# The writers' own rate is reported beside it: making reads wait less
# must not cost them much.  So are their CPU time and run-queue wait per
# second: a reader that no longer sleeps behind a writer's stream takes
# the CPU from the writer instead, and these show how much.
bench_readlat() {
	local writers w0 w1 t0 t1 s0 s1 alg=$lat_alg tag=$lat_tag
	has_alg zstd || return 0
	readlat_size=16M
	# quick mode (CI) only keeps the workload working: zstd's default
	# level, some 20 times faster to write than 19 under TCG
	[ "$BENCH_QUICK" = 1 ] && readlat_size=4M alg=zstd tag=zstd
	dev_init 512M "$alg"
	fio --name=fill --filename=/dev/zram0 --direct=1 --rw=write --bs=1M \
		--size="$readlat_size" --buffer_compress_percentage=50 \
		--refill_buffers >/dev/null
	readlat_run readlat-alone
	fio --name=readlat-load --filename=/dev/zram0 --direct=1 \
		--rw=randwrite --bs=64k --numjobs=2 --offset=128M --size=128M \
		--offset_increment=128M --buffer_compress_percentage=50 \
		--refill_buffers --time_based \
		--runtime=$((BENCH_RUNTIME + 180)) >/tmp/readlat-load.log 2>&1 &
	writers=$!
	w0=$(sectors_written)
	for _ in $(seq 120); do
		[ "$(sectors_written)" -gt "$w0" ] && break
		sleep 1
	done
	w0=$(sectors_written) t0=$(date +%s.%N) s0=$(writers_sched)
	readlat_run "readlat-$tag"
	w1=$(sectors_written) t1=$(date +%s.%N) s1=$(writers_sched)
	kill -0 "$writers" 2>/dev/null ||
		{ cat /tmp/readlat-load.log; fail "readlat: the writers ended before the reader did"; }
	kill "$writers" 2>/dev/null || true
	wait "$writers" 2>/dev/null || true
	[ "$w1" -gt "$w0" ] || fail "readlat: nothing written while the reader ran"
	emit "readlat-$tag" load-written MB/s higher \
		"$(echo "scale=2; ($w1 - $w0) * 512 / 1000000 / ($t1 - $t0)" | bc)"
	# shellcheck disable=SC2086 # two numbers each
	set -- $s0 $s1
	[ $# = 4 ] && [ "$3" -gt "$1" ] ||
		fail "readlat: no scheduler statistics for the writers ($s0, $s1)"
	emit "readlat-$tag" load-cpu ms/s higher \
		"$(echo "scale=1; ($3 - $1) / 1000000 / ($t1 - $t0)" | bc)"
	emit "readlat-$tag" load-runq-wait ms/s lower \
		"$(echo "scale=1; ($4 - $2) / 1000000 / ($t1 - $t0)" | bc)"
	sysw $Z/reset 1
}

# mm_stat's orig_data_size / compr_data_size, to three places
orig_per_compr() { awk '{ printf "%.3f", $1 / $2 }' $Z/mm_stat; }

# abort_files NAME FILE MIB ALG: write the first MIB MiB of FILE to a fresh
# device, check it, and emit the compression ratio and the write rate
abort_files() {
	local t0 t1
	dev_init 256M "$4"
	t0=$(date +%s.%N)
	dd if="$2" of=/dev/zram0 bs=1M count="$3" oflag=direct status=none ||
		fail "abort: $1: write failed"
	t1=$(date +%s.%N)
	cmp <(head -c "$3M" "$2") <(dd if=/dev/zram0 bs=1M count="$3" \
		iflag=direct status=none) || fail "abort: $1: data differs"
	emit "$1" orig/compr ratio higher "$(orig_per_compr)"
	emit "$1" write MB/s higher "$(echo "scale=2; $3 * 1.048576 / ($t1 - $t0)" | bc)"
	sysw $Z/reset 1
}

# Early abort: 4 KiB writes of random data with zstd at level 19, which
# compresses a page that will not compress at full cost where there is no
# early abort; and the compression ratio of real files (those of the
# memory workload, and libraries with gzip'ed documents) at zstd's levels
# 3 and 19, which an early abort that gives up too much would lower.
# Level 19 needs algorithm_params in the stock module (6.12 on); without
# it only level 3, the default, runs.  Level 19 writes about 100 KB/s
# under TCG: its files are 4 MiB, level 3's 16.
bench_abort() {
	local level out files=16
	has_alg zstd || return 0
	for level in 3 19; do
		# quick mode (CI) keeps the workload working, at level 3
		[ "$BENCH_QUICK" = 1 ] && files=4 && [ "$level" = 19 ] && continue
		[ "$level" = 19 ] && [ "$lat_alg" != zstd:19 ] && continue
		dev_init 256M "zstd:$level"
		# shellcheck disable=SC2046,SC2086
		out=$(fio_json abort-incomp --rw=randwrite --bs=4k --size=64M \
			--time_based --runtime="$BENCH_RUNTIME" --randrepeat=0 \
			$(fio_data incomp))
		emit "abort-incomp-zstd$level" throughput MB/s higher "${out%% *}"
		sysw $Z/reset 1
		[ "$level" = 19 ] && files=4
		abort_files "abort-files-zstd$level" "$ZT_DATA/files.tar" $files "zstd:$level"
		abort_files "abort-binmix-zstd$level" "$ZT_DATA/binmix" $files "zstd:$level"
	done
}

# Exit of a swapped process: memcheck fills 512 MiB (64 in quick mode)
# inside a cgroup of an eighth of that, so that most of it goes to swap on
# the device (zstd), and holds it; then it is killed.  Reported: the time
# from the kill until it is reaped (its exit frees every swapped page,
# through swap's slot-free notification), and until mem_used_total has
# given back nine tenths of what the process added to it.
bench_exit() {
	local mib=512 pid used0 used t0 t1 t2
	has_alg zstd || return 0
	[ "$BENCH_QUICK" = 1 ] && mib=64
	dev_init 1G zstd
	mkswap /dev/zram0 >/dev/null
	swapon -p 100 /dev/zram0
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg
	echo $((mib / 8))M >$cg/memory.max
	used0=$(awk '{ print $3 }' $Z/mm_stat)
	MEMCHECK_HOLD=1 sh -c 'echo $$ >'"$cg"'/cgroup.procs && exec "$@"' sh \
		"$ZT_TOOLS/memcheck" "$mib" 0 3 >/tmp/exit-hold.log &
	pid=$!
	for _ in $(seq 900); do
		grep -q holding /tmp/exit-hold.log && break
		kill -0 $pid 2>/dev/null || fail "exit: memcheck ended: $(cat /tmp/exit-hold.log)"
		sleep 1
	done
	grep -q holding /tmp/exit-hold.log || fail "exit: memcheck did not fill $mib MiB"
	used=$(awk '{ print $3 }' $Z/mm_stat)
	note "exit: $module holds $(awk '{ print $1 }' $Z/mm_stat) bytes in swap, pool $used"
	t0=$(date +%s.%N)
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	t1=$(date +%s.%N)
	while [ $((10 * ($(awk '{ print $3 }' $Z/mm_stat) - used0))) -gt $((used - used0)) ]; do
		[ "$(echo "$(date +%s.%N) - $t1 > 30" | bc)" = 1 ] &&
			fail "exit: the pool still holds $(awk '{ print $3 }' $Z/mm_stat) bytes after 30 s"
		sleep 0.01
	done
	t2=$(date +%s.%N)
	emit "exit-zstd" exit ms lower "$(echo "($t1 - $t0) * 1000 / 1" | bc)"
	emit "exit-zstd" memory-back ms lower "$(echo "($t2 - $t0) * 1000 / 1" | bc)"
	swapoff /dev/zram0
	sysw $Z/reset 1
}

# Both modules must compress the latency load alike: at level 19 where the
# stock zram can set a level (algorithm_params, 6.12 on), else both at
# zstd's default level, and the workload's name says which.
lat_alg=zstd:19 lat_tag=zstd19
case " $BENCH_WORKLOADS " in
*" lat "* | *" readlat "* | *" abort "*)
	modprobe zram
	[ -e $Z/algorithm_params ] || { lat_alg=zstd lat_tag=zstd; }
	modprobe -r zram
	echo "latency load: $lat_alg"
	;;
esac

: >"$csv"
for round in $(seq 1 "$BENCH_ROUNDS"); do
	if [ $((round % 2)) = 1 ]; then order="stock ours"; else order="ours stock"; fi
	case " $BENCH_WORKLOADS " in
	*" limit "*) module=limit; echo "round $round: limit"; bench_limit ;;
	esac
	for m in $order; do
		load "$m"
		scrub_free_pages
		warm_device
		for w in $BENCH_WORKLOADS; do
			[ "$w" = limit ] && continue
			echo "round $round, $m: $w"
			"bench_$w"
		done
		unload
	done
done
echo "bench: $(wc -l <"$csv") measurements"
