# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Post-processing: recompression with a secondary algorithm and writeback to
# a backing device (a loop device on a tmpfs file; device-mapper "linear"
# and "error" tables over it for a device that fails).  What is written
# always reads back; mm_stat, bd_stat and io_stat count exactly what
# happened; races with writes, discards and swap lose nothing; failing runs
# return everything they took; every new attribute refuses bad input and
# writes at the wrong time.  Counts assume 4 KiB pages (the x86 targets).
#
# block_state flag columns: 1 s(ame) 2 w(ritten back) 3 h(uge) 4 i(dle)
# 5 r(ecompressed) 6 n (incompressible).

PG=4096
BS=/sys/kernel/debug/zram/zram0/block_state
pp_cg=/sys/fs/cgroup/zt-pp
pp_loops=""
pp_dms=""

# Cleanup: zram first (it holds the backing devices), then those devices
pp_cleanup() {
	local rc=$? d
	set +e
	swapoff -a 2>/dev/null
	[ -d $pp_cg ] && rmdir $pp_cg 2>/dev/null
	# a reader that keeps pages hot (touch_loop) stops
	rm -f /tmp/zt-touching
	# a case that failed may have left one suspended, with I/O waiting
	for d in $pp_dms; do
		dmsetup --noudevsync resume "$d" 2>/dev/null
	done
	wait
	zram_loaded && zram_unload
	for d in $pp_dms; do
		dmsetup --noudevsync remove "$d"
	done
	for d in $pp_loops; do
		losetup -d "$d"
	done
	rm -f /tmp/zt-bd*.img
	zt_cleanup $rc
}

pp_load() {
	trap pp_cleanup EXIT
	zram_load
	expect_eq "page size" $PG "$(getconf PAGESIZE)"
}

has_alg() { tr -d '[]' <$Z/comp_algorithm | tr ' ' '\n' | grep -qx "$1"; }

# lz4 primary and zstd secondary, the pair the cases below use
need_lz4_zstd() {
	has_alg lz4 && has_alg zstd && return 0
	skip "lz4 or zstd is not built"
}

# bd_new MIB: a loop device on a new tmpfs file; sets BD and BD_IMG
bd_new() {
	modprobe loop 2>/dev/null || true
	BD_IMG=/tmp/zt-bd$(echo $pp_loops | wc -w).img
	truncate -s "$1M" "$BD_IMG"
	BD=$(losetup -f --show "$BD_IMG")
	pp_loops="$pp_loops $BD"
}

# dm_new NAME TABLE: a device-mapper device; sets DM to its node
dm_new() {
	local mm
	modprobe dm-mod 2>/dev/null || true
	dmsetup --noudevsync create "$1" --table "$2"
	pp_dms="$pp_dms $1"
	mm=$(dmsetup info -c --noheadings -o major,minor "$1" | tr -d ' ')
	DM=/dev/$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$mm/uevent")
	[ -b "$DM" ] || fail "no device node for $1 ($mm)"
}

# dm_table NAME TABLE: switch a device-mapper device to another table
dm_table() {
	dmsetup --noudevsync suspend "$1"
	dmsetup --noudevsync load "$1" --table "$2"
	dmsetup --noudevsync resume "$1"
}

bd_field() { awk -v n="$1" '{ print $n }' "/sys/block/${2:-zram0}/bd_stat"; }
bd_stat() { xargs <$Z/bd_stat; }
bd_errors() { xargs <$Z/bd_errors; }
# mm_first N: the first N columns of mm_stat
mm_first() { awk -v n="$1" '{ for (i = 1; i <= n; i++) printf "%s ", $i }' $Z/mm_stat; }

# flag_count POS CHAR / flag_slots POS CHAR: block_state lines with CHAR
# at flag column POS, and their slot indexes
flag_count() {
	awk -v p="$1" -v c="$2" 'substr($3, p, 1) == c { n++ } END { print n + 0 }' $BS
}
flag_slots() { awk -v p="$1" -v c="$2" 'substr($3, p, 1) == c { print $1 }' $BS | xargs; }

# gen FILE KIND PAGES [SEED]: test pages.  random; zero; text (real text
# files, from page SEED of ZT_DATA on); lines (numbered lines, a few hundred
# bytes each once compressed, different for each page and seed)
gen() {
	case "$2" in
	random) head -c $(($3 * PG)) /dev/urandom >"$1" ;;
	zero) head -c $(($3 * PG)) /dev/zero >"$1" ;;
	text) dd if="$ZT_DATA/text" bs=$PG skip="${4:-0}" count="$3" status=none >"$1" ;;
	lines) python3 - "$1" "$3" "${4:-0}" <<'PY'
import sys
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'wb') as out:
    for p in range(n):
        text = b''.join(b'page %06d line %03d seed %d: zram keeps this line\n'
                        % (p, i, seed) for i in range(90))
        out.write(text[:4096])
PY
	;;
	esac
	expect_eq "size of $1" $(($3 * PG)) "$(stat -c %s "$1")"
}

# put FILE PAGE: write FILE to the device from page PAGE on (O_DIRECT)
put() { dd if="$1" of=/dev/zram0 bs=$PG seek="$2" oflag=direct status=none; }

# check FILE PAGE: the device holds FILE from page PAGE on (O_DIRECT)
check() {
	local n
	n=$(($(stat -c %s "$1") / PG))
	cmp "$1" <(dd if=/dev/zram0 bs=$PG skip="$2" count="$n" iflag=direct status=none) ||
		fail "pages $2..$(($2 + n - 1)) differ from $1"
}

# blocks_hold IMG FILE FIRST N MODE: blocks FIRST.. of IMG against the
# pages of FILE: "plain" (the page itself) or "compressed" (something
# shorter, then zeroes)
blocks_hold() {
	python3 - "$@" <<'PY'
import sys
img, data, first, n, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
b = open(img, 'rb').read()
d = open(data, 'rb').read()
bad = 0
for i in range(n):
    blk = b[(first + i) * 4096:(first + i + 1) * 4096]
    page = d[i * 4096:(i + 1) * 4096]
    if mode == 'plain':
        bad += blk != page
    else:
        bad += blk == page or blk[2048:] != bytes(2048)
print('%d of %d blocks are not %s' % (bad, n, mode))
sys.exit(1 if bad else 0)
PY
}

# run_or_eagain CMD...: CMD succeeds or is refused with EAGAIN (a run of
# another kind is going on)
run_or_eagain() {
	local out
	out=$("$@" 2>&1) && return 0
	case "$out" in
	*"temporarily unavailable"*) return 0 ;;
	esac
	fail "'$*' failed: $out"
}

in_cgroup() { sh -c 'echo $$ >'"$pp_cg"'/cgroup.procs && exec "$@"' sh "$@"; }

test_attributes_and_defaults() {
	pp_load
	for a in recomp_algorithm recompress backing_dev writeback writeback_limit \
		 writeback_limit_enable writeback_batch_size compressed_writeback bd_stat \
		 bd_errors pp_policy pp_stat; do
		[ -e $Z/$a ] || fail "no attribute $a"
	done
	expect_eq "mode of recompress" 200 "$(stat -c %a $Z/recompress)"
	expect_eq "mode of writeback" 200 "$(stat -c %a $Z/writeback)"
	expect_eq "mode of bd_stat" 444 "$(stat -c %a $Z/bd_stat)"
	expect_eq "mode of bd_errors" 444 "$(stat -c %a $Z/bd_errors)"
	expect_eq "mode of backing_dev" 644 "$(stat -c %a $Z/backing_dev)"
	expect_eq "mode of pp_policy" 644 "$(stat -c %a $Z/pp_policy)"
	expect_eq "mode of pp_stat" 444 "$(stat -c %a $Z/pp_stat)"
	expect_eq pp_policy off "$(cat $Z/pp_policy)"
	expect_eq backing_dev none "$(cat $Z/backing_dev)"
	expect_eq recomp_algorithm "" "$(cat $Z/recomp_algorithm)"
	expect_eq writeback_limit 0 "$(cat $Z/writeback_limit)"
	expect_eq writeback_limit_enable 0 "$(cat $Z/writeback_limit_enable)"
	expect_eq writeback_batch_size 32 "$(cat $Z/writeback_batch_size)"
	expect_eq compressed_writeback 0 "$(cat $Z/compressed_writeback)"
	zram_init 4M
	expect_eq "bd_stat columns" 3 "$(awk '{ print NF }' $Z/bd_stat)"
	expect_eq bd_stat "0 0 0" "$(bd_stat)"
	expect_eq bd_errors "0 0" "$(bd_errors)"
	expect_eq pp_stat "0 0 0 0 0 0 0" "$(xargs <$Z/pp_stat)"
	expect_eq "mm_stat columns" 9 "$(awk '{ print NF }' $Z/mm_stat)"
}

test_recomp_algorithm_sysfs() {
	pp_load
	need_lz4_zstd
	sysw $Z/comp_algorithm lz4
	for bad in "priority=1" "algo=nosuchalg" "algo=zstd priority=0" \
		   "algo=zstd priority=4" "algo=zstd priority=x" "algo" "algo=" \
		   "algo=zstd nosuchkey=1" "zstd"; do
		expect_errno EINVAL sysw $Z/recomp_algorithm "$bad"
	done
	expect_eq "after bad writes" "" "$(cat $Z/recomp_algorithm)"
	sysw $Z/recomp_algorithm "algo=zstd"
	sysw $Z/recomp_algorithm "priority=3 algo=lz4"
	cat $Z/recomp_algorithm
	expect_eq lines 2 "$(wc -l <$Z/recomp_algorithm)"
	sed -n 1p $Z/recomp_algorithm | grep -q '^#1: .*\[zstd\] ' || fail "line of priority 1"
	sed -n 2p $Z/recomp_algorithm | grep -q '^#3: .*\[lz4\] ' || fail "line of priority 3"
	expect_eq "listed algorithms" "$(tr -d '[]' <$Z/comp_algorithm)" \
		"$(sed -n 's/^#1: //p' $Z/recomp_algorithm | tr -d '[]')"
	# algorithm_params reaches the secondary priorities, by number or name
	expect_errno EINVAL sysw $Z/algorithm_params "priority=1 level=99"
	expect_errno EINVAL sysw $Z/algorithm_params "algo=zstd level=99"
	expect_errno EINVAL sysw $Z/algorithm_params "algo=zstd priority=3 level=3"
	sysw $Z/algorithm_params "algo=zstd level=9"
	sysw $Z/algorithm_params "priority=1 level=7"
	zram_init 8M
	expect_errno EBUSY sysw $Z/recomp_algorithm "algo=zstd priority=2"
	expect_eq "lines after EBUSY" 2 "$(wc -l <$Z/recomp_algorithm)"
	gen /tmp/l lines 64
	put /tmp/l 0
	sysw $Z/recompress "priority=1"
	[ "$(flag_count 5 r)" -gt 0 ] || fail "zstd at level 7 recompressed nothing"
	check /tmp/l 0
	sysw $Z/reset 1
	expect_eq "after reset" "" "$(cat $Z/recomp_algorithm)"
}

test_recompress_sysfs() {
	local huge
	pp_load
	expect_errno EINVAL sysw $Z/recompress "type=idle"
	zram_init 8M
	# no secondary algorithm
	expect_errno EINVAL sysw $Z/recompress "type=huge"
	expect_errno EINVAL sysw $Z/recompress ""
	sysw $Z/reset 1
	need_lz4_zstd
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 8M lz4
	for bad in "type=incompressible" "type=nope" "type" "type=" "threshold=abc" \
		   "threshold=-1" "threshold=4096" "threshold=99999999999" \
		   "max_pages=abc" "max_pages=-1" "priority=2" "priority=4" \
		   "algo=nosuchalg" "algo=lz4" "algo=zstd priority=2" "nosuchkey=1" "idle"; do
		expect_errno EINVAL sysw $Z/recompress "$bad"
	done
	# the threshold must be below the huge class size
	huge=$(sed -n 's/^huge_class_size: //p' /sys/kernel/debug/zsm/zram0/classes)
	note "huge_class_size $huge"
	expect_errno EINVAL sysw $Z/recompress "threshold=$huge"
	sysw $Z/recompress "threshold=$((huge - 1))"
	gen /tmp/l lines 16
	put /tmp/l 0
	expect_eq "r after bad writes" 0 "$(flag_count 5 r)"
	sysw $Z/recompress "type=huge max_pages=0"
	sysw $Z/recompress "priority=1 threshold=0 max_pages=100 type=idle"
	expect_eq "r without idle slots" 0 "$(flag_count 5 r)"
	sysw $Z/recompress "priority=0 max_pages=1"
	expect_eq "r after priority=0 (as 1)" 1 "$(flag_count 5 r)"
	sysw $Z/recompress "algo=zstd"
	check /tmp/l 0
}

test_recompress_shrinks_mixed_data() {
	local before after orig huge
	pp_load
	need_lz4_zstd
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 16M lz4
	gen /tmp/t text "$(qsize 1024 256)"
	gen /tmp/r random 64
	gen /tmp/z zero 64
	cat /tmp/t /tmp/r /tmp/z >/tmp/d
	put /tmp/d 0
	before=$(mm_field 2)
	orig=$(mm_field 1)
	huge=$(mm_field 8)
	sysw $Z/recompress "algo=zstd"
	after=$(mm_field 2)
	note "compr_data_size $before -> $after, recompressed $(flag_count 5 r), incompressible $(flag_count 6 n)"
	[ "$after" -lt "$before" ] || fail "recompression did not shrink the data"
	expect_eq orig_data_size "$orig" "$(mm_field 1)"
	[ "$(flag_count 5 r)" -gt 0 ] || fail "no slot recompressed"
	# random pages: the last (only) secondary algorithm cannot improve them
	[ "$(flag_count 6 n)" -ge 64 ] || fail "random pages not marked incompressible"
	[ "$(mm_field 8)" -le "$huge" ] || fail "huge_pages grew"
	expect_eq "slots both r and n" 0 \
		"$(awk 'substr($3, 5, 2) == "rn"' $BS | wc -l)"
	expect_eq "same-filled slots touched" 0 \
		"$(awk 'substr($3, 1, 1) == "s" && substr($3, 5, 2) != ".."' $BS | wc -l)"
	drop_caches
	check /tmp/d 0
	# nothing is left for a second run
	sysw $Z/recompress "algo=zstd"
	expect_eq "compr_data_size after a second run" "$after" "$(mm_field 2)"
	# a rewrite stores with the primary algorithm again
	put /tmp/d 0
	expect_eq "r after rewrite" 0 "$(flag_count 5 r)"
	expect_eq "n after rewrite" 0 "$(flag_count 6 n)"
	expect_eq "compr_data_size after rewrite" "$before" "$(mm_field 2)"
	check /tmp/d 0
}

# A run's frees leave holes in the pool's zspages; the run compacts them
# away itself: mem_used_total falls by at least half of what
# compr_data_size fell, with no write to compact
test_runs_give_memory_back() {
	local n mib c0 u0 c1 u1 i list pc
	pp_load
	need_lz4_zstd
	n=$(qsize 2048 512 512)
	mib=$((n * PG / 1048576 + 4))
	bd_new "$mib"
	sysw $Z/backing_dev "$BD"
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init "${mib}M" lz4
	gen /tmp/t text "$n"
	put /tmp/t 0

	c0=$(mm_field 2) u0=$(mm_field 3)
	sysw $Z/recompress "algo=zstd"
	c1=$(mm_field 2) u1=$(mm_field 3)
	note "recompress: compr_data_size $c0 -> $c1, mem_used_total $u0 -> $u1, pages_compacted $(mm_field 7)"
	[ "$c1" -lt "$c0" ] || fail "recompression did not shrink the data"
	[ $((2 * (u0 - u1))) -ge $((c0 - c1)) ] ||
		fail "recompress: mem_used_total fell by $((u0 - u1)), less than half of compr_data_size's $((c0 - c1))"
	check /tmp/t 0

	# every other slot goes: each zspage keeps half its objects, and
	# only compaction gives their pages back
	c0=$c1 u0=$u1 pc=$(mm_field 7)
	for ((i = 0; i < n; i += 2)); do
		list+="page_index=$i "
		if [ $(((i / 2 + 1) % 128)) = 0 ] || [ $((i + 2)) -ge "$n" ]; then
			sysw $Z/writeback "$list"
			list=
		fi
	done
	c1=$(mm_field 2) u1=$(mm_field 3)
	note "writeback: compr_data_size $c0 -> $c1, mem_used_total $u0 -> $u1, pages_compacted $(mm_field 7)"
	expect_eq "written back" $((n / 2)) "$(bd_field 1)"
	[ "$(mm_field 7)" -gt "$pc" ] || fail "writeback: no page compacted"
	[ $((2 * (u0 - u1))) -ge $((c0 - c1)) ] ||
		fail "writeback: mem_used_total fell by $((u0 - u1)), less than half of compr_data_size's $((c0 - c1))"
	drop_caches
	check /tmp/t 0
}

# read_fails PAGE: an O_DIRECT read of that page of the device gets EIO
read_fails() {
	expect_errno EIO dd if=/dev/zram0 of=/dev/null bs=$PG skip="$1" count=1 \
		iflag=direct status=none
}

# Blocks garbled on the backing device behind zram's back: with
# checksums, their slots read as EIO, raw or compressed writeback alike,
# and are counted; the slots in memory read back unchanged; scrub finds
# the same.  Without checksums the garbled bytes come back as data, which
# is what the checksum is for.
test_checksum_backing_device() {
	local mode failures
	pp_load
	bd_new 1
	gen /tmp/l lines 64 3
	gen /tmp/tail lines 32 4
	for mode in none raw compressed; do
		sysw $Z/backing_dev "$BD"
		[ $mode = compressed ] && sysw $Z/compressed_writeback 1
		[ $mode != none ] && sysw $Z/checksum crc32c
		zram_init 8M
		put /tmp/l 0
		put /tmp/tail 64
		sysw $Z/writeback "page_indexes=0-31"
		expect_eq "$mode: written back" 32 "$(bd_field 1)"
		check /tmp/l 0
		head -c $((256 * PG)) /dev/urandom |
			dd of="$BD_IMG" bs=$PG conv=notrunc status=none
		if [ $mode = none ]; then
			cmp -s /tmp/l <(dd if=/dev/zram0 bs=$PG count=64 iflag=direct status=none) &&
				fail "none: the garbled blocks read back as the data"
			expect_eq "none: failed reads" 0 "$(io_field 1)"
		else
			read_fails 0
			read_fails 17
			read_fails 31
			expect_eq "$mode: failed reads" 3 "$(io_field 1)"
			failures=$(awk '{ print $1 }' $Z/checksum_stat)
			# a raw block decompresses to nothing: only the checksum can tell
			[ $mode = raw ] && expect_eq "raw: checksum failures" 3 "$failures"
			cmp -i $((32 * PG)):0 /tmp/l \
				<(dd if=/dev/zram0 bs=$PG skip=32 count=32 iflag=direct status=none) ||
				fail "$mode: a slot in memory differs"
			check /tmp/tail 64
			# scrub finds every garbled slot: a mismatch, or (compressed)
			# an object that no longer decompresses
			expect_errno EIO sysw $Z/scrub 1
			expect_eq "$mode: scrubbed" 96 "$(awk '{ print $2 }' $Z/checksum_stat)"
			expect_eq "$mode: found by scrub" 32 \
				"$(awk -v f="$failures" '{ print $1 - f + $3 }' $Z/checksum_stat)"
			[ $mode = raw ] && expect_eq "raw: unreadable" 0 \
				"$(awk '{ print $3 }' $Z/checksum_stat)"
			# the slots stay as they were, to be examined
			expect_eq "$mode: still written back" 32 "$(bd_field 1)"
			# written anew, they read back right
			put /tmp/l 0
			check /tmp/l 0
		fi
		sysw $Z/reset 1
	done
}

# Checksums carry over recompression and writeback: the slots read back,
# and scrub finds every one right
test_checksum_across_pp() {
	pp_load
	need_lz4_zstd
	bd_new 4
	sysw $Z/backing_dev "$BD"
	sysw $Z/recomp_algorithm "algo=zstd"
	sysw $Z/checksum crc32c
	zram_init 8M lz4
	gen /tmp/t text 256
	gen /tmp/r random 16
	put /tmp/t 0
	put /tmp/r 256
	sysw $Z/recompress "algo=zstd"
	[ "$(flag_count 5 r)" -gt 0 ] || fail "no slot recompressed"
	sysw $Z/writeback "page_indexes=0-63"
	sysw $Z/writeback huge
	expect_eq "written back" 80 "$(bd_field 1)"
	drop_caches
	check /tmp/t 0
	check /tmp/r 256
	sysw $Z/scrub 1
	expect_eq "checksum_stat" "0 272 0" "$(xargs <$Z/checksum_stat)"
	expect_eq "failed reads" 0 "$(io_field 1)"
}

test_recompress_max_pages_and_threshold() {
	local r n
	pp_load
	need_lz4_zstd
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 16M lz4
	gen /tmp/l lines 64
	gen /tmp/r random 32
	put /tmp/l 0
	put /tmp/r 64
	sysw $Z/recompress "max_pages=10"
	r=$(flag_count 5 r)
	n=$(flag_count 6 n)
	note "max_pages=10: $r recompressed, $n incompressible"
	[ $((r + n)) -gt 0 ] && [ $((r + n)) -le 10 ] || fail "max_pages=10 tried $((r + n)) slots"
	# the line pages are far below the threshold, the random ones (stored
	# whole) above it: only those are tried, and none improves
	sysw $Z/recompress "threshold=2048"
	expect_eq "r after threshold=2048" "$r" "$(flag_count 5 r)"
	expect_eq "n after threshold=2048" $((n + 32)) "$(flag_count 6 n)"
	# every line page is tried, but a new object must be below the
	# threshold too: none is stored, and none is marked for it
	sysw $Z/recompress "threshold=1"
	expect_eq "r after threshold=1" "$r" "$(flag_count 5 r)"
	expect_eq "n after threshold=1" $((n + 32)) "$(flag_count 6 n)"
	sysw $Z/recompress "algo=zstd"
	[ "$(flag_count 5 r)" -gt "$r" ] || fail "no line page recompressed"
	expect_eq "slots tried" 96 $(($(flag_count 5 r) + $(flag_count 6 n)))
	drop_caches
	check /tmp/l 0
	check /tmp/r 64
}

test_recompress_types() {
	pp_load
	need_lz4_zstd
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 16M lz4
	gen /tmp/a lines 32 1
	gen /tmp/r random 16
	gen /tmp/b lines 32 2
	put /tmp/a 0
	put /tmp/r 32
	sysw $Z/idle all
	put /tmp/b 64
	sysw $Z/recompress "type=huge"
	expect_eq "incompressible after type=huge" "$(seq -s ' ' 32 47)" "$(flag_slots 6 n)"
	expect_eq "r after type=huge" 0 "$(flag_count 5 r)"
	sysw $Z/recompress "type=idle"
	[ "$(flag_count 5 r)" -gt 0 ] || fail "no idle slot recompressed"
	for s in $(flag_slots 5 r); do
		[ "$s" -lt 32 ] || fail "slot $s recompressed by type=idle but not idle"
	done
	r=$(flag_count 5 r)
	sysw $Z/recompress "type=huge_idle"
	expect_eq "r after type=huge_idle" "$r" "$(flag_count 5 r)"
	sysw $Z/recompress "algo=zstd"
	[ -n "$(flag_slots 5 r | tr ' ' '\n' | awk '$1 >= 64')" ] || fail "slots 64.. not recompressed"
	drop_caches
	check /tmp/a 0
	check /tmp/r 32
	check /tmp/b 64
}

# fio keeps writing and verifying while recompression keeps running
test_recompress_races_with_writes() {
	local pid runs=0
	pp_load
	need_lz4_zstd
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 64M lz4
	fio --name=race --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--rw=randwrite --bs=4k --size="$(qsize 32M 8M)" --verify=crc32c \
		--verify_fatal=1 --verify_backlog=256 --buffer_compress_percentage=60 \
		--refill_buffers --randrepeat=0 >/tmp/fio.log 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sysw $Z/idle all
		sysw $Z/recompress "algo=zstd"
		sysw $Z/recompress "type=idle max_pages=64"
		runs=$((runs + 2))
	done
	wait $pid || { cat /tmp/fio.log; fail "fio verify failed while recompressing"; }
	note "$runs recompress runs during the writes; recompressed now: $(flag_count 5 r)"
	[ "$runs" -gt 0 ] || fail "no recompress run"
	drop_caches
	fio --name=race --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--rw=randwrite --bs=4k --size="$(qsize 32M 8M)" --verify=crc32c \
		--verify_fatal=1 --verify_only --randrepeat=0 >/tmp/fio2.log 2>&1 ||
		{ cat /tmp/fio2.log; fail "data differs after the race"; }
	expect_eq "failed reads" 0 "$(io_field 1)"
	expect_eq "failed writes" 0 "$(io_field 2)"
}

test_backing_dev_sysfs() {
	local id lo
	pp_load
	bd_new 8
	expect_errno ENOENT sysw $Z/backing_dev /nonexistent/device
	expect_errno ENOTBLK sysw $Z/backing_dev "$BD_IMG"
	expect_errno EINVAL sysw $Z/backing_dev ""
	expect_eq "after bad writes" none "$(cat $Z/backing_dev)"
	sysw $Z/backing_dev "$BD"
	expect_eq backing_dev "$BD" "$(cat $Z/backing_dev)"
	# opened exclusively
	id=$(cat /sys/class/zram-control/hot_add)
	expect_errno EBUSY sysw /sys/block/zram$id/backing_dev "$BD"
	expect_eq "zram$id backing_dev" none "$(cat /sys/block/zram$id/backing_dev)"
	# a zram device is refused, and the one set stays
	zram_init 4M "" zram$id
	expect_errno EINVAL sysw $Z/backing_dev /dev/zram$id
	# a loop device with no file has no blocks
	lo=$(losetup -f)
	expect_errno EINVAL sysw $Z/backing_dev "$lo"
	expect_eq "after refused devices" "$BD" "$(cat $Z/backing_dev)"
	zram_init 4M
	expect_errno EBUSY sysw $Z/backing_dev "$BD"
	expect_eq "after EBUSY" "$BD" "$(cat $Z/backing_dev)"
	# reset lets it go: another device can take it
	sysw $Z/reset 1
	expect_eq "after reset" none "$(cat $Z/backing_dev)"
	sysw /sys/block/zram$id/reset 1
	sysw /sys/block/zram$id/backing_dev "$BD"
	sysw /sys/block/zram$id/reset 1
	# replacing one before init
	sysw $Z/backing_dev "$BD"
	bd_new 4
	sysw $Z/backing_dev "$BD"
	expect_eq "replaced" "$BD" "$(cat $Z/backing_dev)"
}

test_writeback_sysfs() {
	pp_load
	expect_errno EINVAL sysw $Z/writeback idle
	zram_init 4M
	expect_errno ENODEV sysw $Z/writeback idle
	expect_errno ENODEV sysw $Z/writeback "page_index=0"
	sysw $Z/reset 1
	bd_new 8
	sysw $Z/backing_dev "$BD"
	zram_init 4M
	for bad in nope "" "idle huge" "type=nope" "type=" "type" "page_index=abc" \
		   "page_index=-1" "page_index=" "page_indexes=3" "page_indexes=a-b" \
		   "page_indexes=-3" "page_indexes=3-" "nokey=1" "idle type=huge"; do
		expect_errno EINVAL sysw $Z/writeback "$bad"
	done
	for bad in "page_index=1024" "page_index=99999999999999999999" \
		   "page_indexes=5-3" "page_indexes=0-1024" "page_index=0 page_index=1024"; do
		expect_errno ERANGE sysw $Z/writeback "$bad"
	done
	gen /tmp/r random 4
	put /tmp/r 0
	expect_eq "bd_stat after refused writes" "0 0 0" "$(bd_stat)"
	for bad in abc -1 "" 1.5; do
		expect_errno EINVAL sysw $Z/writeback_limit "$bad"
		expect_errno EINVAL sysw $Z/writeback_limit_enable "$bad"
	done
	sysw $Z/writeback_limit 100
	expect_eq writeback_limit 100 "$(cat $Z/writeback_limit)"
	sysw $Z/writeback_limit_enable 7
	expect_eq writeback_limit_enable 1 "$(cat $Z/writeback_limit_enable)"
	sysw $Z/writeback_limit_enable 0
	expect_eq writeback_limit_enable 0 "$(cat $Z/writeback_limit_enable)"
	for bad in 0 abc -4 ""; do
		expect_errno EINVAL sysw $Z/writeback_batch_size "$bad"
	done
	sysw $Z/writeback_batch_size 4
	expect_eq writeback_batch_size 4 "$(cat $Z/writeback_batch_size)"
	expect_errno EBUSY sysw $Z/compressed_writeback 1
	sysw $Z/writeback_limit_enable 1
	sysw $Z/reset 1
	# reset returns to a new device's settings
	expect_eq "writeback_limit after reset" 0 "$(cat $Z/writeback_limit)"
	expect_eq "writeback_limit_enable after reset" 0 "$(cat $Z/writeback_limit_enable)"
	expect_eq "writeback_batch_size after reset" 32 "$(cat $Z/writeback_batch_size)"
	expect_eq "backing_dev after reset" none "$(cat $Z/backing_dev)"
	for bad in maybe 2 ""; do
		expect_errno EINVAL sysw $Z/compressed_writeback "$bad"
	done
	sysw $Z/compressed_writeback yes
	expect_eq compressed_writeback 1 "$(cat $Z/compressed_writeback)"
	sysw $Z/compressed_writeback 0
	expect_eq compressed_writeback 0 "$(cat $Z/compressed_writeback)"
	sysw $Z/compressed_writeback on
	sysw $Z/reset 1
	expect_eq "compressed_writeback after reset" 0 "$(cat $Z/compressed_writeback)"
}

test_writeback_types_and_accounting() {
	local orig compr c0 c1 reads
	pp_load
	bd_new 16
	sysw $Z/backing_dev "$BD"
	zram_init 8M
	gen /tmp/r random 64
	gen /tmp/l lines 64 1
	gen /tmp/z zero 16
	gen /tmp/m lines 16 2
	put /tmp/r 0
	put /tmp/l 64
	put /tmp/z 128
	orig=$(mm_field 1)
	compr=$(mm_field 2)
	expect_eq huge_pages 64 "$(mm_field 8)"

	# huge
	sysw $Z/writeback huge
	expect_eq "bd_stat after huge" "64 0 64" "$(bd_stat)"
	expect_eq orig_data_size "$orig" "$(mm_field 1)"
	expect_eq compr_data_size $((compr - 64 * PG)) "$(mm_field 2)"
	expect_eq huge_pages 0 "$(mm_field 8)"
	expect_eq "written back" "$(seq -s ' ' 0 63)" "$(flag_slots 2 w)"

	# idle: the slots idle now, not the ones written after
	sysw $Z/idle all
	c0=$(mm_field 2)
	put /tmp/m 144
	c1=$(mm_field 2)
	sysw $Z/writeback idle
	expect_eq "bd_count after idle" 128 "$(bd_field 1)"
	expect_eq "written back" "$(seq -s ' ' 0 127)" "$(flag_slots 2 w)"
	expect_eq "compr_data_size after idle" $((c1 - c0)) "$(mm_field 2)"
	expect_eq "same-filled kept" 16 "$(mm_field 6)"

	# key=value: several keys; written-back, same-filled and repeated
	# slots are skipped
	sysw $Z/writeback "page_index=144 page_indexes=150-152 page_index=128 page_index=0 page_index=144"
	expect_eq "bd_stat after page_index" "132 0 132" "$(bd_stat)"

	# huge_idle: huge and idle both
	gen /tmp/r2 random 8
	gen /tmp/r3 random 8
	put /tmp/r2 160
	sysw $Z/idle all
	put /tmp/r3 168
	sysw $Z/writeback huge_idle
	expect_eq "bd_count after huge_idle" 140 "$(bd_field 1)"
	expect_eq "huge in memory" 8 "$(mm_field 8)"
	sysw $Z/writeback "type=huge"
	expect_eq "bd_count after type=huge" 148 "$(bd_field 1)"
	expect_eq "huge in memory" 0 "$(mm_field 8)"
	expect_eq "orig_data_size" $(((64 + 64 + 16 + 16 + 16) * PG)) "$(mm_field 1)"

	# O_DIRECT reads: each written-back slot once from the backing device
	drop_caches
	reads=$(bd_field 2)
	check /tmp/r 0
	check /tmp/l 64
	check /tmp/z 128
	check /tmp/m 144
	check /tmp/r2 160
	check /tmp/r3 168
	expect_eq "bd_reads" $((reads + 148)) "$(bd_field 2)"
	expect_eq "failed reads" 0 "$(io_field 1)"
	expect_eq "still written back" 148 "$(flag_count 2 w)"

	# overwrites and discards give blocks back
	put /tmp/l 64
	expect_eq "bd_count after overwrite" 84 "$(bd_field 1)"
	blkdiscard -o 0 -l $((64 * PG)) /dev/zram0
	expect_eq "bd_count after discard" 20 "$(bd_field 1)"
	sysw $Z/writeback "page_indexes=0-175"
	expect_eq "bd_count after page_indexes" 96 "$(bd_field 1)"
	check /tmp/l 64
	check /tmp/m 144
	blkdiscard /dev/zram0
	expect_eq "bd_count after full discard" 0 "$(bd_field 1)"
	expect_eq "orig_data_size after full discard" 0 "$(mm_field 1)"
	expect_eq "compr_data_size after full discard" 0 "$(mm_field 2)"
}

test_writeback_full_device_and_block_reuse() {
	local reads
	pp_load
	bd_new 1
	sysw $Z/backing_dev "$BD"
	zram_init 8M
	gen /tmp/r random 512
	put /tmp/r 0
	expect_errno ENOSPC sysw $Z/writeback huge
	expect_eq "bd_stat when full" "256 0 256" "$(bd_stat)"
	expect_eq "written back" "$(seq -s ' ' 0 255)" "$(flag_slots 2 w)"
	expect_errno ENOSPC sysw $Z/writeback huge
	expect_eq "bd_stat after a second try" "256 0 256" "$(bd_stat)"
	check /tmp/r 0
	# the freed blocks are all there again, no more (blkdiscard's own
	# signature probe reads a few pages: count reads from after it)
	blkdiscard -o 0 -l $((256 * PG)) /dev/zram0
	expect_eq "bd_count after discard" 0 "$(bd_field 1)"
	reads=$(bd_field 2)
	sysw $Z/writeback huge
	expect_eq "bd_stat after reuse" "256 $reads 512" "$(bd_stat)"
	tail -c $((256 * PG)) /tmp/r >/tmp/r2
	check /tmp/r2 256
	# and reset finds every block returned (a leak would WARN)
	sysw $Z/reset 1
}

test_writeback_limit() {
	pp_load
	bd_new 8
	sysw $Z/backing_dev "$BD"
	zram_init 8M
	gen /tmp/r random 64
	put /tmp/r 0
	sysw $Z/writeback_limit_enable 1
	expect_errno EIO sysw $Z/writeback huge
	expect_eq "bd_count with no budget" 0 "$(bd_field 1)"
	sysw $Z/writeback_limit 10
	expect_errno EIO sysw $Z/writeback huge
	expect_eq "bd_count after budget 10" 10 "$(bd_field 1)"
	expect_eq "budget left" 0 "$(cat $Z/writeback_limit)"
	# not spent while off
	sysw $Z/writeback_limit 5
	sysw $Z/writeback_limit_enable 0
	sysw $Z/writeback "page_indexes=10-19"
	expect_eq "bd_count with the limit off" 20 "$(bd_field 1)"
	expect_eq "budget kept" 5 "$(cat $Z/writeback_limit)"
	sysw $Z/writeback_limit_enable 1
	sysw $Z/writeback "page_indexes=20-24"
	expect_eq "bd_count with budget 5" 25 "$(bd_field 1)"
	expect_eq "budget spent" 0 "$(cat $Z/writeback_limit)"
	expect_errno EIO sysw $Z/writeback "page_index=25"
	expect_eq "bd_count at the limit" 25 "$(bd_field 1)"
	check /tmp/r 0
}

test_writeback_batch_sizes() {
	local b
	pp_load
	bd_new 8
	gen /tmp/r random 64
	gen /tmp/l lines 64
	for b in 1 3 64; do
		sysw $Z/backing_dev "$BD"
		zram_init 8M
		put /tmp/r 0
		put /tmp/l 64
		sysw $Z/writeback_batch_size $b
		sysw $Z/writeback "page_indexes=0-127"
		expect_eq "batch $b: bd_stat" "128 0 128" "$(bd_stat)"
		check /tmp/r 0
		check /tmp/l 64
		sysw $Z/reset 1
	done
}

test_compressed_writeback() {
	local r
	pp_load
	need_lz4_zstd
	bd_new 16
	sysw $Z/compressed_writeback 1
	sysw $Z/recomp_algorithm "algo=zstd"
	sysw $Z/backing_dev "$BD"
	zram_init 8M lz4
	gen /tmp/l lines 64
	gen /tmp/r random 16
	gen /tmp/z zero 16
	gen /tmp/t text 64 100
	put /tmp/l 0
	put /tmp/r 64
	put /tmp/z 80
	put /tmp/t 96
	# some slots are zstd's: their blocks hold zstd's bytes
	sysw $Z/recompress "max_pages=32"
	r=$(flag_count 5 r)
	[ "$r" -gt 0 ] || fail "nothing recompressed"
	sysw $Z/writeback "page_indexes=0-159"
	expect_eq "bd_stat" "144 0 144" "$(bd_stat)"
	expect_eq "compr_data_size" 0 "$(mm_field 2)"
	expect_eq "recompressed slots keep r" "$r" "$(flag_count 5 r)"
	# blocks are taken in slot order here: block i holds slot i for 0..79
	blocks_hold "$BD_IMG" /tmp/l 0 64 compressed || fail "line pages not stored compressed"
	blocks_hold "$BD_IMG" /tmp/r 64 16 plain || fail "huge pages not stored whole"
	drop_caches
	check /tmp/l 0
	check /tmp/r 64
	check /tmp/z 80
	check /tmp/t 96
	expect_eq "bd_reads" 144 "$(bd_field 2)"
	put /tmp/t 0
	check /tmp/t 0
	expect_eq "bd_count after overwrite" 80 "$(bd_field 1)"
	# without it, a block holds the page itself
	sysw $Z/reset 1
	sysw $Z/backing_dev "$BD"
	zram_init 8M lz4
	put /tmp/l 0
	sysw $Z/writeback "page_indexes=0-63"
	blocks_hold "$BD_IMG" /tmp/l 0 64 plain || fail "pages not stored whole"
	check /tmp/l 0
}

# slot_flags SLOT: the flag column of SLOT's block_state line
slot_flags() { awk -v i="$1" '$1 == i { print $3 }' $BS; }

# page_of FILE N: page N of FILE on stdout
page_of() { dd if="$1" bs=$PG skip="$2" count=1 status=none; }

# Sub-slot I/O with 4 KiB pages: an O_DIRECT read or write of one page from
# a buffer that starts 512 bytes into a memory page arrives as two segments
# of one slot (3584 and 512 bytes), each a partial read, or a
# read-modify-write under the slot lock.  Each state a slot can be in,
# written back raw and compressed, read this way and then overwritten this
# way, with pages that turn it into another state.
test_unaligned_direct_io_every_slot_state() {
	local cwb slot shift ops
	pp_load
	head -c $PG /dev/zero | tr '\0' 'Z' >/tmp/same
	gen /tmp/l lines 2 7
	gen /tmp/r random 2
	# what slots 0..5 will hold: empty, same-filled, compressed, huge,
	# written back from compressed, written back from huge
	{ head -c $PG /dev/zero; cat /tmp/same; page_of /tmp/l 0; page_of /tmp/r 0
	  page_of /tmp/l 1; page_of /tmp/r 1; } >/tmp/old
	# what overwrites them: huge, compressed, same-filled, compressed,
	# huge, compressed
	gen /tmp/nl lines 3 9
	gen /tmp/nr random 2
	{ page_of /tmp/nr 0; page_of /tmp/nl 0; cat /tmp/same; page_of /tmp/nl 1
	  page_of /tmp/nr 1; page_of /tmp/nl 2; } >/tmp/new
	for cwb in 0 1; do
		bd_new 4
		sysw $Z/compressed_writeback $cwb
		sysw $Z/backing_dev "$BD"
		zram_init 4M
		for slot in 1 2 3 4 5; do
			page_of /tmp/old $slot >/tmp/p
			put /tmp/p $slot
		done
		sysw $Z/writeback "page_indexes=4-5"
		expect_eq "slot 1 same-filled" s "$(slot_flags 1 | cut -c1)"
		expect_eq "slot 2 compressed" "......" "$(slot_flags 2)"
		expect_eq "slot 3 huge" h "$(slot_flags 3 | cut -c3)"
		expect_eq "slots written back" "4 5" "$(flag_slots 2 w)"
		expect_eq "bd_stat" "2 0 2" "$(bd_stat)"
		# one python run for all the reads: each start costs a second
		# under TCG
		ops=()
		for slot in 0 1 2 3 4 5; do
			for shift in 512 2048 3584; do
				ops+=(read "$slot" "/tmp/u.$slot.$shift" "$shift")
			done
		done
		python3 "$ZT_BLKPAGES" unaligned /dev/zram0 "${ops[@]}" ||
			fail "unaligned reads"
		for slot in 0 1 2 3 4 5; do
			page_of /tmp/old $slot >/tmp/p
			for shift in 512 2048 3584; do
				cmp -s "/tmp/u.$slot.$shift" /tmp/p ||
					fail "slot $slot read at +$shift differs (compressed_writeback=$cwb)"
			done
		done
		[ "$(bd_field 2)" -gt 0 ] || fail "written-back slots not read from the device"
		expect_eq "states after the reads" "4 5" "$(flag_slots 2 w)"
		# each slot written, then read back, before the next is written
		ops=()
		for slot in 0 1 2 3 4 5; do
			page_of /tmp/new $slot >"/tmp/p.$slot"
			ops+=(write "$slot" "/tmp/p.$slot" 512 read "$slot" "/tmp/w.$slot" 3584)
		done
		python3 "$ZT_BLKPAGES" unaligned /dev/zram0 "${ops[@]}" ||
			fail "unaligned writes and reads"
		for slot in 0 1 2 3 4 5; do
			cmp -s "/tmp/w.$slot" "/tmp/p.$slot" ||
				fail "slot $slot read back wrong after an unaligned write"
		done
		check /tmp/new 0
		expect_eq "bd_count after the overwrites" 0 "$(bd_field 1)"
		expect_eq "huge slots" "0 4" "$(flag_slots 3 h)"
		expect_eq "same-filled slot" 2 "$(flag_slots 1 s)"
		expect_eq "failed reads and writes" "0 0" "$(io_field 1) $(io_field 2)"
		sysw $Z/reset 1
	done
}

# A reset issued while a writeback run waits for its writes waits for the
# run: the backing device is suspended, so the run is certainly in
# progress when the reset comes, and cannot finish before it is resumed.
test_reset_waits_for_writeback() {
	local n wb rs
	pp_load
	n=$(qsize 1024 256)
	bd_new 8
	dm_new zt-bd "0 $((8 << 11)) linear $BD 0"
	sysw $Z/backing_dev "$DM"
	zram_init 8M
	gen /tmp/l lines "$n"
	put /tmp/l 0
	sysw $Z/writeback_batch_size 1
	dmsetup --noudevsync suspend zt-bd
	(sysw $Z/writeback "page_indexes=0-$((n - 1))" 2>/tmp/wb.err; echo $? >/tmp/wb.rc) &
	wb=$!
	sleep 1
	kill -0 $wb 2>/dev/null || fail "the run did not wait for the suspended device"
	(sysw $Z/reset 1 2>/tmp/rs.err; echo $? >/tmp/rs.rc) &
	rs=$!
	sleep 2
	# (no attribute that takes init_lock is read here: the waiting reset
	# would hold the reader up until the resume)
	kill -0 $rs 2>/dev/null || fail "the reset did not wait for the run: $(cat /tmp/rs.err)"
	kill -0 $wb 2>/dev/null || fail "the run ended while its write was held"
	dmsetup --noudevsync resume zt-bd
	wait $wb
	wait $rs
	expect_eq "the run's status ($(cat /tmp/wb.err))" 0 "$(cat /tmp/wb.rc)"
	expect_eq "the reset's status ($(cat /tmp/rs.err))" 0 "$(cat /tmp/rs.rc)"
	expect_eq initstate 0 "$(cat $Z/initstate)"
	expect_eq backing_dev none "$(cat $Z/backing_dev)"
	expect_eq bd_stat "0 0 0" "$(bd_stat)"
	# the backing device was let go
	sysw $Z/backing_dev "$DM"
	zram_init 8M
	head -c $((16 * PG)) /tmp/l >/tmp/l16
	put /tmp/l16 0
	sysw $Z/writeback "page_indexes=0-15"
	expect_eq "bd_count after re-attach" 16 "$(bd_field 1)"
	check /tmp/l16 0
}

# fio writes and verifies one part of the device, another part is
# discarded and rewritten, while writeback and recompression keep running
test_writeback_races_with_io() {
	local pid cpid runs=0
	pp_load
	need_lz4_zstd
	bd_new 32
	sysw $Z/backing_dev "$BD"
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 32M lz4
	gen /tmp/b text 1024 200
	put /tmp/b 4096
	fio --name=wbrace --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--rw=randwrite --bs=4k --size="$(qsize 16M 6M)" --verify=crc32c \
		--verify_fatal=1 --verify_backlog=256 --buffer_compress_percentage=50 \
		--refill_buffers --randrepeat=0 >/tmp/fio.log 2>&1 &
	pid=$!
	(
		i=0
		while kill -0 $pid 2>/dev/null; do
			blkdiscard -o $(((16 + i % 4) << 20)) -l $((1 << 20)) /dev/zram0
			dd if=/tmp/b of=/dev/zram0 bs=1M skip=$((i % 4)) seek=$((16 + i % 4)) \
				count=1 oflag=direct status=none
			i=$((i + 1))
		done
	) &
	cpid=$!
	while kill -0 $pid 2>/dev/null; do
		sysw $Z/idle all
		run_or_eagain sysw $Z/writeback idle
		run_or_eagain sysw $Z/writeback "page_indexes=0-8191"
		run_or_eagain sysw $Z/recompress "type=idle"
		runs=$((runs + 3))
	done
	wait $pid || { cat /tmp/fio.log; fail "fio verify failed during writeback"; }
	wait $cpid || fail "discard and rewrite failed"
	note "$runs runs; bd_stat $(bd_stat); written back now $(flag_count 2 w)"
	sysw $Z/writeback "page_indexes=0-8191"
	drop_caches
	fio --name=wbrace --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--rw=randwrite --bs=4k --size="$(qsize 16M 6M)" --verify=crc32c \
		--verify_fatal=1 --verify_only --randrepeat=0 >/tmp/fio2.log 2>&1 ||
		{ cat /tmp/fio2.log; fail "data differs after the race"; }
	check /tmp/b 4096
	expect_eq "failed reads" 0 "$(io_field 1)"
	expect_eq "failed writes" 0 "$(io_field 2)"
	expect_eq "bd_count is the written-back slots" "$(flag_count 2 w)" "$(bd_field 1)"
	blkdiscard /dev/zram0
	expect_eq "bd_count after full discard" 0 "$(bd_field 1)"
	expect_eq "orig_data_size after full discard" 0 "$(mm_field 1)"
}

test_swap_with_idle_writeback() {
	local ws passes pid runs=0
	pp_load
	# a working set three times the cgroup's memory
	ws=$(qsize 192 48 24)
	passes=$(qsize 3 2)
	bd_new $((ws + 64))
	sysw $Z/backing_dev "$BD"
	zram_init $((ws * 2))M
	mkswap /dev/zram0 >/dev/null
	swapon -p 100 /dev/zram0
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $pp_cg
	echo $((ws / 3))M >$pp_cg/memory.max
	in_cgroup "$ZT_TOOLS/memcheck" "$ws" "$passes" 7 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sysw $Z/idle all
		sysw $Z/writeback idle
		runs=$((runs + 1))
		sleep 1
	done
	wait $pid || fail "working set damaged"
	note "$runs idle writebacks; bd_stat $(bd_stat); mm_stat $(cat $Z/mm_stat)"
	[ "$(bd_field 3)" -gt 0 ] || fail "nothing was written back"
	[ "$(bd_field 2)" -gt 0 ] || fail "nothing was read from the backing device"
	expect_eq "failed reads" 0 "$(io_field 1)"
	expect_eq "failed writes" 0 "$(io_field 2)"
	swapoff /dev/zram0
	# swap-free notices may miss busy slots; a discard frees the rest
	# (-f: the swap signature is still there)
	blkdiscard -f /dev/zram0
	expect_eq "bd_count after swapoff" 0 "$(bd_field 1)"
}

test_failing_backing_device() {
	local sectors mm
	pp_load
	bd_new 8
	sectors=$((8 << 11))
	dm_new zt-bd "0 $sectors linear $BD 0"
	sysw $Z/backing_dev "$DM"
	zram_init 8M
	gen /tmp/r random 64
	gen /tmp/l lines 64
	put /tmp/r 0
	put /tmp/l 64
	mm=$(mm_first 3)
	dmesg -C
	dm_table zt-bd "0 $sectors error"
	expect_errno EIO sysw $Z/writeback "page_indexes=0-127"
	expect_eq "bd_stat after failed writes" "0 0 0" "$(bd_stat)"
	# writeback is not a write to zram: io_stat keeps upstream's meaning
	expect_eq "failed writes to zram" 0 "$(io_field 2)"
	expect_eq "bd_errors after failed writes" "0 128" "$(bd_errors)"
	dmesg | grep -q "zram0: cannot write slot [0-9]* back: -5" ||
		fail "failed writeback not logged"
	expect_eq "mm_stat after failed writes" "$mm" "$(mm_first 3)"
	expect_eq "huge_pages after failed writes" 64 "$(mm_field 8)"
	expect_eq "written back" 0 "$(flag_count 2 w)"
	check /tmp/r 0
	check /tmp/l 64
	# the same slots go once the device works
	dm_table zt-bd "0 $sectors linear $BD 0"
	sysw $Z/writeback "page_indexes=0-127"
	expect_eq "bd_stat once working" "128 0 128" "$(bd_stat)"
	# reads of written-back slots fail while it fails; slots in memory do not
	head -c $((16 * PG)) /tmp/l >/tmp/l16
	put /tmp/l16 0
	dm_table zt-bd "0 $sectors error"
	if dd if=/dev/zram0 of=/dev/null bs=$PG skip=64 count=1 iflag=direct status=none 2>/dev/null; then
		fail "read of a written-back slot succeeded on a failing device"
	fi
	expect_eq "failed reads of zram" 1 "$(io_field 1)"
	expect_eq "bd_errors after a failed read" "1 128" "$(bd_errors)"
	dmesg | grep -q "zram0: cannot read block [0-9]* of the backing device: -5" ||
		fail "failed backing-device read not logged"
	check /tmp/l16 0
	dm_table zt-bd "0 $sectors linear $BD 0"
	check /tmp/l16 0
	tail -c $((48 * PG)) /tmp/r >/tmp/r48
	check /tmp/r48 16
	check /tmp/l 64
}

# The targets of one write may overlap.  A slot rewritten while its first
# write is in flight may get its pool handle back (two rewrites on the
# CPU that wrote it make that likely) and be picked again by a later
# target; the first write must not then put its stale block in place
# (zram_pp.c, rule 5).  A read of a written-back slot, held up by the
# suspended backing device with that slot locked, holds the run between
# its targets while slot 0 is rewritten.
test_writeback_overlapping_targets() {
	local sectors reader run
	pp_load
	bd_new 8
	sectors=$((8 << 11))
	dm_new zt-bd "0 $sectors linear $BD 0"
	sysw $Z/backing_dev "$DM"
	zram_init 4M
	sysw $Z/writeback_batch_size 64
	sysw $Z/writeback_limit 100
	sysw $Z/writeback_limit_enable 1
	gen /tmp/a lines 1 1
	gen /tmp/b lines 1 2
	gen /tmp/c lines 1 3
	gen /tmp/h lines 1 4
	taskset -c 0 dd if=/tmp/a of=/dev/zram0 bs=$PG oflag=direct status=none
	put /tmp/h 5
	sysw $Z/writeback page_index=5
	dmsetup --noudevsync suspend zt-bd
	dd if=/dev/zram0 of=/tmp/h.out bs=$PG skip=5 count=1 iflag=direct status=none &
	reader=$!
	sleep 1
	sysw $Z/writeback "page_index=0 page_index=5 page_index=0" &
	run=$!
	sleep 1
	kill -0 $reader 2>/dev/null || fail "the read did not wait for the suspended device"
	kill -0 $run 2>/dev/null || fail "the run did not wait for the suspended device"
	taskset -c 0 python3 - /tmp/b /tmp/c <<'PY'
import mmap, os, sys
pages = [open(p, 'rb').read() for p in sys.argv[1:]]
buf = mmap.mmap(-1, 4096)
fd = os.open('/dev/zram0', os.O_WRONLY | os.O_DIRECT)
for page in pages:
    buf.seek(0)
    buf.write(page)
    os.pwrite(fd, buf, 0)
os.close(fd)
PY
	dmsetup --noudevsync resume zt-bd
	wait $reader || fail "the read of slot 5 failed"
	wait $run || fail "the writeback run failed"
	cmp /tmp/h /tmp/h.out || fail "slot 5 read back wrong"
	check /tmp/c 0
	check /tmp/h 5
	expect_eq "written back" "0 5" "$(flag_slots 2 w)"
	expect_eq "bd_count" 2 "$(bd_field 1)"
	# the write whose slot changed is not charged
	expect_eq "writeback_limit" 98 "$(cat $Z/writeback_limit)"
	drop_caches
	check /tmp/c 0
}

# Failing runs give back everything they took
test_failing_runs_leak_nothing() {
	local n wb_fails=0 mm used0
	pp_load
	n=$(qsize 1000 100)
	need_lz4_zstd
	dm_new zt-err "0 16384 error"
	sysw $Z/backing_dev "$DM"
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 8M
	gen /tmp/r random 16
	gen /tmp/l lines 16
	put /tmp/r 0
	put /tmp/l 16
	sysw $Z/idle all
	expect_errno EIO sysw $Z/writeback idle
	wb_fails=32
	mm=$(mm_first 2)
	used0=$(mm_field 3)
	leak_around failing_runs "$n"
	expect_eq "bd_stat after failing runs" "0 0 0" "$(bd_stat)"
	expect_eq "failed writeback counted" "0 $wb_fails" "$(bd_errors)"
	expect_eq "failed writes to zram" 0 "$(io_field 2)"
	check /tmp/r 0
	check /tmp/l 16
}

# failing_runs N: N writeback runs on a failing backing device, and N
# recompress runs that cannot allocate (the memory limit is below use).
# Adds the writes that failed to wb_fails; mm_stat must not move.
failing_runs() {
	local i out
	for i in $(seq "$1"); do
		case $((i % 3)) in
		0) ! sysw $Z/writeback idle 2>/dev/null || fail "run $i succeeded"
		   wb_fails=$((wb_fails + 32)) ;;
		1) ! sysw $Z/writeback "page_indexes=0-31" 2>/dev/null || fail "run $i succeeded"
		   wb_fails=$((wb_fails + 32)) ;;
		2) ! sysw $Z/writeback "type=huge page_index=20" 2>/dev/null || fail "run $i succeeded"
		   wb_fails=$((wb_fails + 17)) ;;
		esac
	done
	expect_eq "mm_stat after failing runs" "$mm" "$(mm_first 2)"
	[ "$(mm_field 3)" -le "$used0" ] || fail "mem_used_total grew: $used0 -> $(mm_field 3)"
	sysw $Z/mem_limit 4096
	out=$(sysw $Z/recompress "algo=zstd" 2>&1) && fail "recompress succeeded over the limit"
	case "$out" in *"Cannot allocate memory"*) ;; *) fail "recompress: $out" ;; esac
	for i in $(seq "$1"); do
		! sysw $Z/recompress "type=idle" 2>/dev/null || fail "recompress run $i succeeded"
	done
	sysw $Z/mem_limit 0
	expect_eq "mm_stat after failing recompression" "$mm" "$(mm_first 2)"
	[ "$(mm_field 3)" -le "$used0" ] || fail "mem_used_total grew: $used0 -> $(mm_field 3)"
}

# Allocation failures injected into the runs (debug kernel): data and
# counters stay right, and no backing block is lost
test_fault_injected_runs() {
	local fs=/sys/kernel/debug/failslab fp=/sys/kernel/debug/fail_page_alloc
	local rounds i d
	[ -d $fs ] && [ -d $fp ] || skip "no fault injection in this kernel"
	pp_load
	need_lz4_zstd
	rounds=$(qsize 20 5)
	bd_new 16
	sysw $Z/backing_dev "$BD"
	sysw $Z/recomp_algorithm "algo=zstd"
	zram_init 8M lz4
	gen /tmp/r random 32
	gen /tmp/l lines 64
	for d in $fs $fp; do
		echo Y >$d/task-filter
		echo 5 >$d/probability
		echo 1 >$d/interval
		echo -1 >$d/times
		echo 0 >$d/space
		echo 0 >$d/verbose
		echo N >$d/ignore-gfp-wait
	done
	echo 0 >$fp/min-order
	for i in $(seq "$rounds"); do
		put /tmp/r 0
		put /tmp/l 32
		sysw $Z/idle all
		(
			set +e
			echo 1 >/proc/self/make-it-fail
			for _ in 1 2 3 4; do
				echo "type=idle max_pages=8" >$Z/recompress 2>/dev/null
				echo "page_indexes=0-47" >$Z/writeback 2>/dev/null
				echo idle >$Z/writeback 2>/dev/null
			done
			true
		)
		check /tmp/r 0
		check /tmp/l 32
		expect_eq "round $i: bd_count" "$(flag_count 2 w)" "$(bd_field 1)"
	done
	echo 0 >$fs/probability
	echo 0 >$fp/probability
	note "bd_stat $(bd_stat), io_stat $(cat $Z/io_stat)"
	blkdiscard /dev/zram0
	expect_eq "bd_count after discard" 0 "$(bd_field 1)"
	expect_eq "orig_data_size after discard" 0 "$(mm_field 1)"
	# reset checks that every backing block came back (a leak would WARN)
	sysw $Z/reset 1
}

# pp_policy: every bad write is EINVAL and changes nothing, before and
# after init; a read gives back what a write takes; reset sets it off
test_policy_sysfs() {
	local good long zeros
	pp_load
	zeros=$(printf '0%.0s' $(seq 260))
	long="recompress_after=${zeros}5"
	good="recompress_after=3600 recompress_priority=2 writeback_after=86400 interval=30 max_pages=1000 writeback_on_pressure=1"
	for state in before after; do
		[ $state = after ] && zram_init 8M
		sysw $Z/pp_policy "writeback_after=7"
		for bad in "" "on" "of" "nosuchkey=1" "interval=30" "max_pages=5" \
			   "recompress_after" "recompress_after=" "recompress_after=0" \
			   "recompress_after=abc" "recompress_after=-1" "recompress_after=1x" \
			   "recompress_after=4294967296" "writeback_after=99999999999999999999" \
			   "writeback_after=0" "recompress_after=5 interval=0" \
			   "recompress_after=5 interval=86401" "recompress_after=5 max_pages=0" \
			   "recompress_after=5 max_pages=-1" "recompress_after=5 recompress_priority=0" \
			   "recompress_after=5 recompress_priority=4" "writeback_after=5 recompress_priority=1" \
			   "recompress_after=5 recompress_after=6" "off recompress_after=5" \
			   "writeback_on_pressure=0" "writeback_on_pressure=2" "writeback_on_pressure=yes" \
			   "writeback_on_pressure=1 writeback_on_pressure=1" "$long"; do
			expect_errno EINVAL sysw $Z/pp_policy "$bad"
			expect_eq "pp_policy after '${bad:0:40}' ($state init)" \
				"writeback_after=7 interval=60" "$(cat $Z/pp_policy)"
		done
		# the same number, short enough
		sysw $Z/pp_policy "recompress_after=${zeros:0:200}5"
		expect_eq "leading zeros" "recompress_after=5 interval=60" "$(cat $Z/pp_policy)"
		sysw $Z/pp_policy "$good"
		expect_eq "pp_policy ($state init)" "$good" "$(cat $Z/pp_policy)"
		sysw $Z/pp_policy "$(cat $Z/pp_policy)"
		expect_eq "pp_policy written back as read" "$good" "$(cat $Z/pp_policy)"
		sysw $Z/pp_policy "  max_pages=1  writeback_after=4294967295"
		expect_eq "pp_policy, any order" "writeback_after=4294967295 interval=60 max_pages=1" \
			"$(cat $Z/pp_policy)"
		sysw $Z/pp_policy off
		expect_eq "pp_policy off" off "$(cat $Z/pp_policy)"
	done
	sysw $Z/pp_policy "$good"
	sysw $Z/reset 1
	expect_eq "pp_policy after reset" off "$(cat $Z/pp_policy)"
	expect_eq "pp_stat after reset" "0 0 0 0 0 0 0" "$(xargs <$Z/pp_stat)"
}

# pp_stat's column N
pp_stat_field() { awk -v n="$1" '{ print $n }' $Z/pp_stat; }

# wait_until SECONDS CMD...: CMD succeeds within SECONDS, polled every 0.2 s
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# flag_in POS CHAR FIRST LAST: slots FIRST..LAST with CHAR at flag column POS
flag_in() {
	awk -v p="$1" -v c="$2" -v a="$3" -v b="$4" \
		'$1 >= a && $1 <= b && substr($3, p, 1) == c { n++ } END { print n + 0 }' $BS
}

# all_flagged POS CHAR FIRST LAST: every slot of FIRST..LAST has it
all_flagged() { [ "$(flag_in "$@")" = $(($4 - $3 + 1)) ]; }

# touch_loop FIRST N: in the background, read those pages (O_DIRECT:
# through the driver) every 0.2 s, so that they are never 2 s old,
# until touch_stop (or the cleanup)
touch_loop() {
	touch /tmp/zt-touching
	while [ -e /tmp/zt-touching ]; do
		dd if=/dev/zram0 of=/dev/null bs=$PG skip="$1" count="$2" iflag=direct \
			status=none || break
		sleep 0.2
	done &
	TOUCH_PID=$!
}
touch_stop() { rm -f /tmp/zt-touching; wait "$TOUCH_PID"; }

# settled FIRST LAST: no slot of FIRST..LAST is left for recompression:
# each was stored again (r) or found incompressible (n)
settled() {
	[ "$(awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && substr($3, 5, 2) == ".."' $BS |
		wc -l)" = 0 ]
}

# The policy recompresses, then writes back, the slots left alone for
# long enough, and none that are read all the time; the scans count what
# they did; data reads back; a policy written before init starts with it
test_policy_recompresses_and_writes_back() {
	local cold hot first last scans n
	pp_load
	need_lz4_zstd
	cold=$(qsize 512 128) hot=64
	first=$cold last=$((cold + hot - 1))
	bd_new $(((cold + hot) * PG / 1048576 + 2))
	sysw $Z/backing_dev "$BD"
	sysw $Z/recomp_algorithm "algo=zstd"
	sysw $Z/pp_policy "recompress_after=2 interval=1"
	zram_init 16M lz4
	gen /tmp/c text "$cold"
	gen /tmp/h lines "$hot"
	put /tmp/c 0
	put /tmp/h "$cold"
	touch_loop "$cold" "$hot"
	wait_until 60 settled 0 $((cold - 1)) ||
		fail "after 60 s, cold slots recompressed $(flag_in 5 r 0 $((cold - 1))), incompressible $(flag_in 6 n 0 $((cold - 1))) of $cold"
	expect_eq "hot slots recompressed or tried" 0 \
		"$(($(flag_in 5 r "$first" "$last") + $(flag_in 6 n "$first" "$last")))"
	note "pp_stat after recompression: $(xargs <$Z/pp_stat); r $(flag_in 5 r 0 $((cold - 1)))"
	[ "$(pp_stat_field 1)" -gt 0 ] || fail "no scan counted"
	[ "$(flag_in 5 r 0 $((cold - 1)))" -gt $((cold / 2)) ] ||
		fail "zstd stored only $(flag_in 5 r 0 $((cold - 1))) of $cold text pages smaller"
	expect_eq "recompressed (pp_stat)" "$(flag_in 5 r 0 $((cold - 1)))" "$(pp_stat_field 2)"
	[ "$(pp_stat_field 3)" -gt 0 ] || fail "no bytes saved counted"
	expect_eq "written back" 0 "$(bd_field 1)"

	sysw $Z/pp_policy "writeback_after=2 interval=1"
	wait_until 60 all_flagged 2 w 0 $((cold - 1)) ||
		fail "written back after 60 s: $(flag_in 2 w 0 $((cold - 1))) of $cold cold slots"
	expect_eq "hot slots written back" 0 "$(flag_in 2 w "$first" "$last")"
	# off before the reader stops: the hot slots would age next
	sysw $Z/pp_policy off
	touch_stop
	note "pp_stat after writeback: $(xargs <$Z/pp_stat); bd_stat $(bd_stat)"
	expect_eq "written back (pp_stat)" "$cold" "$(pp_stat_field 4)"
	expect_eq "bd_count" "$cold" "$(bd_field 1)"
	expect_eq "errors (pp_stat)" 0 "$(pp_stat_field 7)"
	drop_caches
	check /tmp/c 0
	check /tmp/h "$cold"

	# max_pages: no scan writes back more than that
	scans=$(pp_stat_field 1) n=$(pp_stat_field 4)
	put /tmp/h "$cold"
	sysw $Z/pp_policy "writeback_after=1 interval=1 max_pages=16"
	wait_until 60 all_flagged 2 w "$first" "$last" ||
		fail "hot slots, now cold, written back after 60 s: $(flag_in 2 w "$first" "$last")"
	sysw $Z/pp_policy off
	note "max_pages=16: $(($(pp_stat_field 4) - n)) slots in $(($(pp_stat_field 1) - scans)) scans"
	[ $(($(pp_stat_field 4) - n)) -le $((16 * ($(pp_stat_field 1) - scans))) ] ||
		fail "more than 16 slots a scan"
	check /tmp/h "$cold"
	sysw $Z/reset 1
	expect_eq "pp_policy after reset" off "$(cat $Z/pp_policy)"
}

# Reset, and removal of the module, while scans run: no hang, no splat;
# a manual run while the policy's scans go on: either gets EAGAIN, never
# wrong data
test_policy_scans_race_with_reset_and_runs() {
	local i
	pp_load
	need_lz4_zstd
	gen /tmp/t text "$(qsize 1024 256)"
	for i in 1 2 3; do
		sysw $Z/recomp_algorithm "algo=zstd"
		sysw $Z/pp_policy "recompress_after=1 interval=1"
		zram_init 16M lz4
		put /tmp/t 0
		sleep 1.$((i * 2))
		[ "$i" = 2 ] && run_or_eagain sysw $Z/recompress "algo=zstd"
		[ "$i" = 3 ] && run_or_eagain sysw $Z/compact 1
		check /tmp/t 0
		sysw $Z/reset 1
	done
	sysw $Z/recomp_algorithm "algo=zstd"
	sysw $Z/pp_policy "recompress_after=1 interval=1"
	zram_init 16M lz4
	put /tmp/t 0
	sleep 1.5
	zram_unload
}

# bd_settled: something was written back, and nothing more in a second
bd_settled() {
	local n
	n=$(bd_field 1)
	sleep 1
	[ "$n" -gt 0 ] && [ "$n" = "$(bd_field 1)" ]
}

# Reclaim asks the device's shrinker (here through drop_caches, which asks
# every shrinker as memory pressure would); with writeback_on_pressure the
# least recently accessed slots go to the backing device first, none
# without it.  The young slots sit at the lower indexes, so that a
# writeback in index order would take them first.
test_policy_writes_back_under_pressure() {
	local young=128 old n ow yw
	pp_load
	old=$(qsize 1024 512)
	bd_new $(((young + old) * PG / 1048576 + 2))
	sysw $Z/backing_dev "$BD"
	zram_init 16M
	gen /tmp/o text "$old"
	gen /tmp/y lines "$young"
	put /tmp/o "$young"
	# 4 s: the old ones stay in the age class of 4-7 s while the young
	# ones (0-3 s) are written back, if ever
	sleep 4
	put /tmp/y 0
	# the scans' keys alone do not write back for reclaim
	sysw $Z/pp_policy "writeback_after=3600 interval=3600"
	echo 2 >/proc/sys/vm/drop_caches
	sleep 1
	expect_eq "written back with writeback_on_pressure off" 0 "$(bd_field 1)"
	sysw $Z/pp_policy "writeback_on_pressure=1"
	echo 2 >/proc/sys/vm/drop_caches
	wait_until 30 bd_settled || fail "nothing written back, or not settled, 30 s after reclaim asked"
	n=$(bd_field 1)
	yw=$(flag_in 2 w 0 $((young - 1)))
	ow=$(flag_in 2 w "$young" $((young + old - 1)))
	note "written back for reclaim: $ow of $old old slots, $yw of $young young ones; pp_stat $(xargs <$Z/pp_stat)"
	[ "$yw" = 0 ] || [ "$ow" = "$old" ] ||
		fail "young slots written back before all old ones"
	expect_eq "written back for reclaim (pp_stat)" "$n" "$(pp_stat_field 5)"
	expect_eq "written back for age (pp_stat)" 0 "$(pp_stat_field 4)"
	expect_eq "errors (pp_stat)" 0 "$(pp_stat_field 7)"
	drop_caches
	check /tmp/y 0
	check /tmp/o "$young"
	sysw $Z/reset 1
	expect_eq "pp_stat after reset" "0 0 0 0 0 0 0" "$(xargs <$Z/pp_stat)"
}
