# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Concurrency: reset and hot_remove attempts while I/O runs, many devices
# at once, CPUs going offline and online during writes, and many
# init/reset cycles.  Data is verified in each.

test_reset_refused_during_io() {
	zram_load
	zram_init 64M
	fio --name=busy --filename=/dev/zram0 --direct=1 --rw=randwrite --bs=4k \
		--size=32M --verify=crc32c --verify_fatal=1 --refill_buffers \
		--buffer_compress_percentage=50 --time_based=0 >/tmp/fio.log 2>&1 &
	pid=$!
	# fio closes and reopens the device between its write and verify
	# phases; holding it open keeps every reset attempt a "while open" one
	# (test_reset_races_opens has resets that go through between opens)
	hold_open /dev/zram0
	n=0
	while kill -0 $pid 2>/dev/null; do
		expect_errno EBUSY sysw $Z/reset 1
		expect_errno EBUSY sysw /sys/class/zram-control/hot_remove 0
		n=$((n + 1))
		sleep 0.2
	done
	wait $pid || { cat /tmp/fio.log; fail "fio failed while reset was tried"; }
	release_open
	note "$n refused resets during I/O"
	expect_eq initstate 1 "$(cat $Z/initstate)"
}

# Resets against I/O that opens and closes the device: a reset goes through
# only between opens, and never under a task that has the device open (that
# task's writes and reads must all match, at the size it saw at open).
test_reset_races_opens() {
	local secs pids="" w out resets=0 refused=0 st
	secs=$(qsize 30 12 20)
	zram_load
	zram_init 16M
	for w in 0 1; do
		python3 "$ZT_BLKPAGES" open-cycles /dev/zram0 "$secs" $w 2 >/tmp/open$w.log 2>&1 &
		pids="$pids $!"
	done
	while kill -0 $pids 2>/dev/null; do
		if out=$(sysw $Z/reset 1 2>&1); then
			resets=$((resets + 1))
			read -r st <$Z/initstate
			[ "$st" = 0 ] || fail "initstate $st after a reset"
			expect_eq "mm_stat after a reset" "0 0 0 0 0 0 0 0 0" "$(xargs <$Z/mm_stat)"
			sysw $Z/disksize 16M
		else
			case "$out" in
			*busy*) refused=$((refused + 1)) ;;
			*) fail "reset: $out" ;;
			esac
		fi
		sleep 0.0$((RANDOM % 5))
	done
	# shellcheck disable=SC2086 # a list of pids
	wait_jobs /tmp/open "wrong data seen by worker" $pids
	note "$resets resets, $refused refused; checked, sizeless and refused opens: $(cat /tmp/open0.log) / $(cat /tmp/open1.log)"
	[ "$resets" -gt 0 ] || fail "no reset went through between opens"
	[ "$refused" -gt 0 ] || fail "no reset met an open device"
	[ "$(awk '{ print $1 }' /tmp/open0.log)" -gt 0 ] || fail "worker 0 checked nothing"
}

test_many_devices_in_parallel() {
	local n=6 i pids=""
	zram_load num_devices=$n
	for i in $(seq 0 $((n - 1))); do
		zram_init 32M "" zram$i
		fio --name=dev$i --filename=/dev/zram$i --direct=1 --rw=randwrite \
			--bs=16k --size="$(qsize 24M 8M)" --verify=crc32c --verify_fatal=1 \
			--refill_buffers --buffer_compress_percentage=40 >/tmp/fio$i.log 2>&1 &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086 # a list of pids
	wait_jobs /tmp/fio "data damaged on device" $pids
	for i in $(seq 1 $((n - 1))); do
		sysw /sys/class/zram-control/hot_remove $i
	done
}

test_cpu_hotplug_during_writes() {
	local cpu=/sys/devices/system/cpu/cpu1/online
	[ -w $cpu ] || skip "no hot-pluggable cpu1"
	zram_load
	zram_init 64M
	# two jobs, each in its own 24 MiB of the device: a block written by
	# both could fail a verify that damaged nothing
	fio --name=hp --filename=/dev/zram0 --direct=1 --rw=randwrite --bs=4k \
		--size="$(qsize 24M 16M)" --numjobs=2 --offset_increment=24M \
		--verify=crc32c --verify_fatal=1 --refill_buffers \
		--buffer_compress_percentage=50 >/tmp/fio.log 2>&1 &
	pid=$!
	n=0
	while kill -0 $pid 2>/dev/null; do
		echo 0 >$cpu
		sleep 0.3
		echo 1 >$cpu
		sleep 0.3
		n=$((n + 1))
	done
	echo 1 >$cpu
	wait $pid || { cat /tmp/fio.log; fail "data damaged across CPU hotplug"; }
	note "$n offline/online cycles during writes"
}

test_init_reset_cycles() {
	local i n every
	# 1,000 cycles; every few of them also stores and reads back data, so
	# the pool, the streams and the slots all come and go.  The debug
	# kernel does 100: a cycle costs 0.4 s there (1,000 cycles under
	# kmemleak were run once by hand, clean, in 411 s).
	n=$(qsize 1000 1000 100)
	every=$(qsize 4 16 20)
	zram_load
	head -c 256k /usr/bin/bash >/tmp/data
	# a few cycles first, so that caches the kernel keeps anyway (slabs,
	# per-CPU page lists, ...) are warm when the counters are read
	for i in $(seq 1 20); do
		sysw $Z/disksize 4M
		dd if=/tmp/data of=/dev/zram0 bs=64k oflag=direct status=none
		sysw $Z/reset 1
	done
	leak_around init_reset_cycles "$n" "$every"
}

# init_reset_cycles N EVERY: N cycles of init and reset; every EVERY-th
# one also writes /tmp/data and reads it back
init_reset_cycles() {
	local i st
	for i in $(seq 1 "$1"); do
		sysw $Z/disksize 4M
		read -r st <$Z/initstate
		[ "$st" = 1 ] || fail "cycle $i: initstate $st"
		if [ $((i % $2)) = 0 ]; then
			dd if=/tmp/data of=/dev/zram0 bs=64k oflag=direct status=none
			cmp /tmp/data <(dd if=/dev/zram0 bs=64k count=4 iflag=direct status=none) ||
				fail "cycle $i: data differs"
		fi
		sysw $Z/reset 1
	done
	expect_eq "mm_stat after the last reset" "0 0 0 0 0 0 0 0 0" "$(xargs <$Z/mm_stat)"
}
