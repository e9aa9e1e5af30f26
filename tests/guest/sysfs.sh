# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The sysfs interface, attribute by attribute: good values, bad values
# (garbage, empty, negative, overflow, unknown keys) and writes at the wrong
# time (before or after initialisation, while the device is open).  Each
# bad write must fail with upstream's errno and leave the state unchanged.

test_initial_state() {
	zram_load
	expect_eq initstate 0 "$(cat $Z/initstate)"
	expect_eq disksize 0 "$(cat $Z/disksize)"
	[ ! -e $Z/max_comp_streams ] || fail "max_comp_streams exists (removed upstream)"
	grep -q '^\[' <<<"$(cat $Z/comp_algorithm | tr ' ' '\n')" || fail "no selected algorithm"
	for a in disksize initstate reset compact mem_limit mem_used_max idle \
		 comp_algorithm algorithm_params io_stat mm_stat debug_stat \
		 checksum checksum_stat scrub; do
		[ -e $Z/$a ] || fail "no attribute $a"
	done
	expect_eq "mode of reset" 200 "$(stat -c %a $Z/reset)"
	expect_eq "mode of hot_add" 400 "$(stat -c %a /sys/class/zram-control/hot_add)"
}

test_disksize() {
	zram_load
	expect_errno EINVAL sysw $Z/disksize 0
	expect_errno EINVAL sysw $Z/disksize garbage
	expect_errno EINVAL sysw $Z/disksize ""
	expect_eq "initstate after bad writes" 0 "$(cat $Z/initstate)"
	sysw $Z/disksize 4097
	expect_eq "page-aligned disksize" 8192 "$(cat $Z/disksize)"
	expect_errno EBUSY sysw $Z/disksize 64M
	expect_eq "disksize after EBUSY" 8192 "$(cat $Z/disksize)"
	sysw $Z/reset 1
	sysw $Z/disksize 64M
	expect_eq "disksize 64M" $((64 << 20)) "$(cat $Z/disksize)"
	expect_eq "block device size" $((64 << 20)) "$(blockdev --getsize64 /dev/zram0)"
	expect_eq "logical block size" 4096 "$(blockdev --getss /dev/zram0)"
	expect_eq "physical block size" 4096 "$(blockdev --getpbsz /dev/zram0)"
}

test_reset() {
	zram_load
	zram_init 32M
	expect_errno EINVAL sysw $Z/reset 0
	expect_errno ERANGE sysw $Z/reset 65536
	expect_errno EINVAL sysw $Z/reset abc
	expect_errno EINVAL sysw $Z/reset -1
	expect_eq "initstate after bad resets" 1 "$(cat $Z/initstate)"
	hold_open /dev/zram0
	expect_errno EBUSY sysw $Z/reset 1
	release_open
	expect_eq "initstate after EBUSY" 1 "$(cat $Z/initstate)"
	sysw $Z/reset 1
	expect_eq "initstate after reset" 0 "$(cat $Z/initstate)"
	expect_eq "disksize after reset" 0 "$(cat $Z/disksize)"
	expect_eq "size after reset" 0 "$(blockdev --getsize64 /dev/zram0)"
	# reset of an uninitialised device is fine
	sysw $Z/reset 1
}

test_comp_algorithm() {
	local list alg sel
	zram_load
	list=$(cat $Z/comp_algorithm)
	note "comp_algorithm: $list"
	# format: names each followed by a space, one in brackets, newline
	[ "$(tail -c 2 $Z/comp_algorithm | od -An -c | tr -d ' ')" = '\n' ] ||
		fail "comp_algorithm does not end in ' \\n'"
	expect_eq "selected count" 1 "$(tr ' ' '\n' <$Z/comp_algorithm | grep -c '^\[')"
	expect_errno EINVAL sysw $Z/comp_algorithm nosuchalg
	expect_errno EINVAL sysw $Z/comp_algorithm ""
	expect_errno E2BIG sysw $Z/comp_algorithm "$(printf 'a%.0s' $(seq 130))"
	# only a trailing newline is ignored, as upstream
	expect_errno EINVAL sysw $Z/comp_algorithm " $(tr -d '[]' <$Z/comp_algorithm | awk '{ print $1 }')"
	expect_eq "list after bad writes" "$list" "$(cat $Z/comp_algorithm)"
	# the order is upstream's
	order="lzo-rle lzo lz4 lz4hc zstd deflate 842"
	got=$(tr -d '[]' <$Z/comp_algorithm | xargs)
	want=$(for a in $order; do echo " $got " | grep -q " $a " && echo "$a"; done | xargs)
	expect_eq "algorithm order" "$want" "$got"
	for alg in $got; do
		sysw $Z/comp_algorithm "$alg"
		sel=$(tr ' ' '\n' <$Z/comp_algorithm | sed -n 's/^\[\(.*\)\]$/\1/p')
		expect_eq "selected" "$alg" "$sel"
		# every listed algorithm really works: data round-trips
		sysw $Z/disksize 8M
		make_data /tmp/data 4 text
		dd if=/tmp/data of=/dev/zram0 bs=64k oflag=direct status=none
		cmp /tmp/data <(dd if=/dev/zram0 bs=64k count=64 iflag=direct status=none) ||
			fail "$alg: data differs"
		expect_errno EBUSY sysw $Z/comp_algorithm lz4
		sysw $Z/reset 1
	done
}

test_algorithm_params() {
	local mib
	zram_load
	sysw $Z/algorithm_params "level=1"
	sysw $Z/algorithm_params "priority=0 level=3"
	expect_errno EINVAL sysw $Z/algorithm_params "level"
	expect_errno EINVAL sysw $Z/algorithm_params "level="
	expect_errno EINVAL sysw $Z/algorithm_params "level=abc"
	expect_errno EINVAL sysw $Z/algorithm_params "priority=9 level=1"
	expect_errno EINVAL sysw $Z/algorithm_params "priority=-1 level=1"
	expect_errno EINVAL sysw $Z/algorithm_params "algo=nosuchalg level=1"
	expect_errno EINVAL sysw $Z/algorithm_params "nosuchkey=1"
	expect_errno EINVAL sysw $Z/algorithm_params "dict=/nonexistent/dict"
	expect_errno EINVAL sysw $Z/algorithm_params "deflate.winbits"
	if grep -qw deflate $Z/comp_algorithm; then
		sysw $Z/comp_algorithm deflate
		expect_errno EINVAL sysw $Z/algorithm_params "deflate.winbits=8"
		expect_errno EINVAL sysw $Z/algorithm_params "deflate.winbits=16"
		sysw $Z/algorithm_params "deflate.winbits=12 level=9"
		zram_init 8M
		make_data /tmp/data 4 text
		dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
		cmp /tmp/data <(dd if=/dev/zram0 bs=1M count=4 iflag=direct status=none) ||
			fail "deflate winbits 12: data differs"
		sysw $Z/reset 1
	fi
	if grep -qw lz4hc $Z/comp_algorithm; then
		sysw $Z/comp_algorithm lz4hc
		expect_errno EINVAL sysw $Z/algorithm_params "algo=lz4hc level=99"
	fi
	if grep -qw zstd $Z/comp_algorithm; then
		sysw $Z/comp_algorithm zstd
		expect_errno EINVAL sysw $Z/algorithm_params "algo=zstd level=99"
		sysw $Z/algorithm_params "algo=zstd level=19"
		zram_init 16M
		# level 19 costs some 15 ms a page under KASAN
		mib=$(qsize 8 8 2)
		make_data /tmp/data "$mib" text
		dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
		cmp /tmp/data <(dd if=/dev/zram0 bs=1M count="$mib" iflag=direct status=none) ||
			fail "zstd level 19: data differs"
		expect_errno EBUSY sysw $Z/algorithm_params "algo=zstd level=3"
	fi
}

# A set-up that fails leaves the parameters as they were written: the
# backends' defaults (here deflate's level, -1, which lz4hc refuses) must
# not stay behind in them and break the next set-up
test_failed_setup_keeps_params() {
	zram_load
	sysw $Z/comp_algorithm deflate
	# priority 1 has no algorithm yet, so the level is not checked now
	sysw $Z/algorithm_params "priority=1 level=100"
	sysw $Z/recomp_algorithm "algo=lz4hc priority=1"
	expect_errno EINVAL sysw $Z/disksize 16M
	expect_eq "initstate after a failed set-up" 0 "$(cat $Z/initstate)"
	sysw $Z/comp_algorithm lz4hc
	sysw $Z/algorithm_params "priority=1 level=9"
	sysw $Z/disksize 16M
	make_data /tmp/data 8 text
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	cmp /tmp/data <(dd if=/dev/zram0 bs=1M count=8 iflag=direct status=none) ||
		fail "lz4hc after a failed set-up: data differs"
}

test_mem_limit() {
	zram_load
	zram_init 64M
	expect_errno EINVAL sysw $Z/mem_limit xyz
	expect_errno EINVAL sysw $Z/mem_limit ""
	expect_eq "limit after bad write" 0 "$(mm_field 4)"
	sysw $Z/mem_limit 1M
	expect_eq "mem_limit in mm_stat" 1048576 "$(mm_field 4)"
	sysw $Z/mem_limit 0
	expect_eq "no limit" 0 "$(mm_field 4)"
}

test_mem_used_max() {
	zram_load
	zram_init 64M
	expect_errno EINVAL sysw $Z/mem_used_max 1
	expect_errno EINVAL sysw $Z/mem_used_max abc
	head -c 8M /dev/urandom >/tmp/data
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	max=$(mm_field 5)
	[ "$max" -ge $((8 << 20)) ] || fail "mem_used_max $max below 8 MiB of random data"
	blkdiscard /dev/zram0
	expect_eq "max kept after discard" "$max" "$(mm_field 5)"
	sysw $Z/mem_used_max 0
	[ "$(mm_field 5)" -lt "$max" ] || fail "mem_used_max not reset"
	expect_eq "max is current use" "$(mm_field 3)" "$(mm_field 5)"
}

test_compact_and_idle_need_init() {
	zram_load
	expect_errno EINVAL sysw $Z/compact 1
	expect_errno EINVAL sysw $Z/idle all
	zram_init 16M
	sysw $Z/compact 1
	sysw $Z/idle all
	sysw $Z/idle 10
	sysw $Z/idle 0x3c
	expect_errno EINVAL sysw $Z/idle abc
	expect_errno EINVAL sysw $Z/idle -5
	expect_errno EINVAL sysw $Z/idle ""
}

test_checksum_sysfs() {
	zram_load
	expect_eq "checksum default" "[none] crc32c" "$(cat $Z/checksum)"
	expect_eq "checksum_stat" "0 0 0" "$(xargs <$Z/checksum_stat)"
	expect_errno EINVAL sysw $Z/scrub 1
	for bad in crc32 CRC32C "crc32c none" "" " " md5; do
		expect_errno EINVAL sysw $Z/checksum "$bad"
	done
	expect_eq "checksum after bad writes" "[none] crc32c" "$(cat $Z/checksum)"
	sysw $Z/checksum crc32c
	expect_eq "checksum set" "none [crc32c]" "$(cat $Z/checksum)"
	sysw_n $Z/checksum none
	sysw $Z/checksum crc32c
	zram_init 16M
	expect_errno EBUSY sysw $Z/checksum none
	expect_errno EBUSY sysw $Z/checksum crc32c
	expect_eq "checksum after EBUSY" "none [crc32c]" "$(cat $Z/checksum)"
	for bad in 0 2 yes "" "1 1"; do
		expect_errno EINVAL sysw $Z/scrub "$bad"
	done
	sysw $Z/scrub 1
	expect_eq "checksum_stat of an empty device" "0 0 0" "$(xargs <$Z/checksum_stat)"
	sysw $Z/reset 1
	expect_eq "checksum after reset" "[none] crc32c" "$(cat $Z/checksum)"
	zram_init 16M
	# nothing to verify without checksums
	expect_errno EINVAL sysw $Z/scrub 1
}

test_stat_formats() {
	zram_load
	zram_init 16M
	expect_eq "io_stat columns" 4 "$(awk '{ print NF }' $Z/io_stat)"
	expect_eq "io_stat 3rd column" 0 "$(io_field 3)"
	expect_eq "mm_stat columns" 9 "$(awk '{ print NF }' $Z/mm_stat)"
	expect_eq "debug_stat version" "version: 1" "$(head -n 1 $Z/debug_stat)"
	expect_eq "debug_stat 2nd line columns" 2 "$(sed -n 2p $Z/debug_stat | awk '{ print NF }')"
}

test_hot_add_remove() {
	zram_load
	id=$(cat /sys/class/zram-control/hot_add)
	expect_eq "new id" 1 "$id"
	[ -b /dev/zram1 ] || fail "no /dev/zram1"
	expect_errno ENODEV sysw /sys/class/zram-control/hot_remove 7
	expect_errno EINVAL sysw /sys/class/zram-control/hot_remove abc
	hold_open /dev/zram1
	expect_errno EBUSY sysw /sys/class/zram-control/hot_remove 1
	release_open
	[ -b /dev/zram1 ] || fail "zram1 removed while open"
	sysw /sys/class/zram-control/hot_remove 1
	[ ! -e /sys/block/zram1 ] || fail "zram1 still there"
	id=$(cat /sys/class/zram-control/hot_add)
	expect_eq "id reused" 1 "$id"
}

test_block_state() {
	local bs=/sys/kernel/debug/zram/zram0/block_state
	zram_load
	expect_errno EINVAL cat $bs
	zram_init 1M
	head -c 4096 /dev/zero >/tmp/zero
	head -c 4096 /dev/urandom >/tmp/rand
	head -c 4096 /usr/bin/bash >/tmp/text
	dd if=/tmp/zero of=/dev/zram0 bs=4k seek=0 oflag=direct status=none
	dd if=/tmp/rand of=/dev/zram0 bs=4k seek=1 oflag=direct status=none
	dd if=/tmp/text of=/dev/zram0 bs=4k seek=2 oflag=direct status=none
	cat $bs
	expect_eq "lines" 3 "$(wc -l <$bs)"
	sed -n 1p $bs | grep -Eq '^ +0 +[0-9]+\.[0-9]{6} s\.\.\.\.\.$' || fail "same-filled slot line"
	sed -n 2p $bs | grep -Eq '^ +1 +[0-9]+\.[0-9]{6} \.\.h\.\.\.$' || fail "huge slot line"
	sed -n 3p $bs | grep -Eq '^ +2 +[0-9]+\.[0-9]{6} \.\.\.\.\.\.$' || fail "compressed slot line"
	sysw $Z/idle all
	sed -n 2p $bs | grep -Eq ' \.\.hi\.\.$' || fail "idle flag not shown"
	sed -n 1p $bs | grep -Eq ' s\.\.\.\.\.$' || fail "same-filled slot marked idle"
}
