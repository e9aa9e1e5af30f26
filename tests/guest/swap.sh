# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Compressed swap under memory pressure: a working set several times larger
# than its cgroup's memory.max goes through zram swap and back, and every
# page is verified (tests/tools/memcheck, whose check is shown to fail on a
# damaged page first).

cg=/sys/fs/cgroup/zt-swap

swap_cleanup() {
	local rc=$?
	[ -d $cg ] && rmdir $cg 2>/dev/null
	zt_cleanup $rc
}

swap_setup() {
	trap swap_cleanup EXIT
	zram_loaded || zram_load
	zram_init "$1" "${2:-}"
	mkswap /dev/zram0 >/dev/null
	swapon -p 100 /dev/zram0
	grep -q '^/dev/zram0 ' /proc/swaps || fail "zram0 is not swap"
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg
	echo "$3" >$cg/memory.max
}

# swapped_out_to_zram0 PAGES: at least PAGES pages were written to this
# device since it was set up (its own stat file, not the counters since
# boot, which earlier cases have already raised)
swapped_out_to_zram0() {
	local pages
	pages=$(($(awk '{ print $7 }' /sys/block/zram0/stat) / 8))
	note "written to zram0 since swapon: $pages pages"
	[ "$pages" -gt "$1" ] || fail "nothing was swapped out to zram0 ($pages pages)"
}

# in_cgroup CMD...: run CMD inside the test cgroup
in_cgroup() { sh -c 'echo $$ >'"$cg"'/cgroup.procs && exec "$@"' sh "$@"; }

test_memcheck_detects_damage() {
	! MEMCHECK_CORRUPT=5 "$ZT_TOOLS/memcheck" 4 1 || fail "memcheck missed a damaged page"
}

test_swap_under_pressure() {
	local ws
	ws=$(qsize 384 160 32)
	swap_setup 1G "" "$(qsize 64 64 12)M"
	in_cgroup "$ZT_TOOLS/memcheck" "$ws" 3 42 || fail "working set damaged"
	note "mm_stat: $(cat $Z/mm_stat)"
	swapped_out_to_zram0 1000
	expect_eq "failed reads" 0 "$(io_field 1)"
	expect_eq "failed writes" 0 "$(io_field 2)"
	swapoff /dev/zram0
	# what stays is the swap header that mkswap wrote
	expect_eq "orig_data_size after swapoff" 4096 "$(mm_field 1)"
}

# hold_swapped MIB LOG: start memcheck holding MIB MiB in the cgroup, in
# the background (its pid in $held), and wait until it has filled them
hold_swapped() {
	# not through in_cgroup: $! must be memcheck's pid, not a subshell's
	MEMCHECK_HOLD=1 sh -c 'echo $$ >'"$cg"'/cgroup.procs && exec "$@"' sh \
		"$ZT_TOOLS/memcheck" "$1" 0 5 >"$2" &
	held=$!
	for _ in $(seq 600); do
		grep -q holding "$2" && return 0
		kill -0 $held 2>/dev/null || fail "memcheck ended: $(cat "$2")"
		sleep 1
	done
	fail "memcheck did not fill $1 MiB in 600 s"
}

# A process with much swapped out exits: swap frees its slots, and the
# pool's memory is back in mem_used_total within a second of the exit
test_swap_exit_frees_memory() {
	local ws held used stored t
	ws=$(qsize 128 64 24)
	swap_setup 1G "" "$(qsize 32 16 8)M"
	hold_swapped "$ws" /tmp/hold.log
	swapped_out_to_zram0 $((ws * 256 / 2))
	used=$(mm_field 3) stored=$(mm_field 1)
	kill -KILL $held
	wait $held 2>/dev/null || true
	for t in $(seq 10); do
		[ $((20 * $(mm_field 3))) -le "$used" ] && break
		sleep 0.1
	done
	note "mm_stat ${t}00 ms after the exit: $(cat $Z/mm_stat); before: orig $stored, used $used"
	[ $((20 * $(mm_field 3))) -le "$used" ] ||
		fail "mem_used_total $(mm_field 3) a second after the exit, $used before"
	[ $((20 * $(mm_field 1))) -le "$stored" ] ||
		fail "orig_data_size $(mm_field 1) after the exit, $stored before"
	# reset at once after another exit: it waits for the pending frees
	hold_swapped "$ws" /tmp/hold.log
	kill -KILL $held
	wait $held 2>/dev/null || true
	swapoff /dev/zram0
	sysw $Z/reset 1
}

test_swap_parallel_zstd() {
	local ws
	ws=$(qsize 192 96 24)
	zram_load
	alg=""
	grep -qw zstd $Z/comp_algorithm && alg=zstd
	swap_setup 1G "$alg" "$(qsize 64 64 12)M"
	in_cgroup "$ZT_TOOLS/memcheck" "$ws" 2 1 &
	p1=$!
	in_cgroup "$ZT_TOOLS/memcheck" "$ws" 2 2 &
	p2=$!
	wait $p1 || fail "first working set damaged"
	wait $p2 || fail "second working set damaged"
	swapped_out_to_zram0 1000
	[ "$(io_field 4)" -gt 0 ] || fail "no slot-free notifications counted"
}
