# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Data integrity and accounting: what is written is read back exactly
# (fio with crc32c verify, ext4 with real files, every page kind), and
# mm_stat / io_stat count what happened.

# fio_verify SIZE BS JOBS [extra fio options]: write with verify, then read
# everything back and verify again after the page cache is dropped.
fio_verify() {
	local size=$1 bs=$2 jobs=$3 per
	shift 3
	per=$(($(numfmt --from=iec "$size") / jobs))
	fio --name=verify --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--rw=randwrite --bs="$bs" --size="$per" --offset_increment="$per" \
		--numjobs="$jobs" --verify=crc32c --verify_fatal=1 \
		--buffer_compress_percentage=50 --refill_buffers \
		--randrepeat=0 --group_reporting "$@" >/tmp/fio.log 2>&1 ||
		{ cat /tmp/fio.log; fail "fio $bs x $jobs failed"; }
	drop_caches
	fio --name=verify --filename=/dev/zram0 --direct=1 --ioengine=psync \
		--rw=read --bs="$bs" --size="$per" --offset_increment="$per" \
		--numjobs="$jobs" --verify=crc32c --verify_fatal=1 \
		--verify_only --randrepeat=0 "$@" >/tmp/fio2.log 2>&1 ||
		{ cat /tmp/fio2.log; fail "fio re-verify $bs x $jobs failed"; }
	grep -q 'err= 0' /tmp/fio.log || { cat /tmp/fio.log; fail "fio reported errors"; }
}

# Checksums on: every kind of page reads back, and fio's verify on top;
# scrub checks every slot that keeps a page and finds nothing wrong
test_checksum_data() {
	local kept mib
	zram_load
	sysw $Z/checksum crc32c
	zram_init 64M
	mib=$(qsize 8 4)
	make_data /tmp/mixed "$mib" mixed
	dd if=/tmp/mixed of=/dev/zram0 bs=1M oflag=direct status=none
	drop_caches
	cmp /tmp/mixed <(head -c $((mib << 20)) /dev/zram0) || fail "mixed data differs"
	fio_verify "$(qsize 16M 8M)" 4k 2 --offset=16M
	sysw $Z/scrub 1
	kept=$(($(mm_field 1) / $(getconf PAGESIZE) - $(mm_field 6)))
	expect_eq "checksum_stat after scrub" "0 $kept 0" "$(xargs <$Z/checksum_stat)"
	expect_eq "failed reads" 0 "$(io_field 1)"
}

test_fio_verify_4k() {
	zram_load
	zram_init 128M lz4
	fio_verify "$(qsize 96M 16M)" 4k 2
}

test_fio_verify_64k_zstd() {
	zram_load
	if grep -qw zstd $Z/comp_algorithm; then zram_init 128M zstd; else zram_init 128M; fi
	fio_verify "$(qsize 96M 16M)" 64k 2
}

test_fio_verify_1m() {
	zram_load
	zram_init 128M
	fio_verify "$(qsize 96M 32M)" 1M 2
}

test_fio_mixed_rw_verify() {
	zram_load
	zram_init 64M
	fio --name=mixed --filename=/dev/zram0 --direct=1 --rw=randrw --rwmixread=30 \
		--bs=4k --size="$(qsize 48M 16M)" --numjobs=1 --verify=crc32c \
		--verify_fatal=1 --buffer_compress_percentage=60 --refill_buffers \
		>/tmp/fio.log 2>&1 || { cat /tmp/fio.log; fail "mixed read/write verify"; }
}

test_ext4_files() {
	local mnt=/mnt/zt
	zram_load
	zram_init 256M
	mkfs.ext4 -q -F /dev/zram0
	mkdir -p $mnt
	mount /dev/zram0 $mnt
	# a fixed set of real files of this machine (a tar made on the host)
	if [ "${ZT_KERNEL:-}" = debug ]; then
		# KASAN makes ext4 slow: the first half of the archive's members
		tar -tf "$ZT_DATA/files.tar" >/tmp/members
		head -n $(($(wc -l </tmp/members) / 2)) /tmp/members >/tmp/half
		tar -C $mnt -xf "$ZT_DATA/files.tar" --no-recursion -T /tmp/half
	else
		tar -C $mnt -xf "$ZT_DATA/files.tar"
	fi
	[ "$ZT_QUICK" = 1 ] || tar -C $mnt/usr -xf "$ZT_DATA/files.tar"
	(cd $mnt && find . -type f -print0 | sort -z | xargs -0 sha256sum) >/tmp/sums
	umount $mnt
	drop_caches
	mount /dev/zram0 $mnt
	(cd $mnt && sha256sum --quiet -c /tmp/sums) || fail "file checksums differ"
	[ "$(wc -l </tmp/sums)" -gt 100 ] || fail "too few files copied"
	umount $mnt
	fsck.ext4 -f -n /dev/zram0 >/dev/null || fail "fsck found errors"
}

test_same_filled_pages() {
	zram_load
	zram_init 16M
	head -c 1M /dev/zero >/tmp/zero
	python3 -c 'import sys; sys.stdout.buffer.write(b"\xab\xcd\xef\x01\x23\x45\x67\x89" * 131072)' >/tmp/same
	dd if=/tmp/zero of=/dev/zram0 bs=1M oflag=direct status=none
	dd if=/tmp/same of=/dev/zram0 bs=1M seek=1 oflag=direct status=none
	expect_eq same_pages 512 "$(mm_field 6)"
	expect_eq compr_data_size 0 "$(mm_field 2)"
	expect_eq orig_data_size $((2 << 20)) "$(mm_field 1)"
	cmp /tmp/zero <(dd if=/dev/zram0 bs=1M count=1 iflag=direct status=none) || fail "zero pages"
	cmp /tmp/same <(dd if=/dev/zram0 bs=1M skip=1 count=1 iflag=direct status=none) ||
		fail "same-filled pages"
	# overwriting with other data takes them out of same_pages
	head -c 1M /dev/urandom >/tmp/rand
	dd if=/tmp/rand of=/dev/zram0 bs=1M oflag=direct status=none
	expect_eq "same_pages after overwrite" 256 "$(mm_field 6)"
}

test_huge_pages() {
	zram_load
	zram_init 16M
	head -c 4M /dev/urandom >/tmp/rand
	dd if=/tmp/rand of=/dev/zram0 bs=1M oflag=direct status=none
	expect_eq huge_pages 1024 "$(mm_field 8)"
	expect_eq huge_pages_since 1024 "$(mm_field 9)"
	cmp /tmp/rand <(dd if=/dev/zram0 bs=1M count=4 iflag=direct status=none) || fail "huge data"
	make_data /tmp/text 4 text
	dd if=/tmp/text of=/dev/zram0 bs=1M oflag=direct status=none
	[ "$(mm_field 8)" -lt 1024 ] || fail "huge_pages did not drop after overwrite"
	[ "$(mm_field 9)" -ge 1024 ] || fail "huge_pages_since went down"
	cmp /tmp/text <(dd if=/dev/zram0 bs=1M count=4 iflag=direct status=none) || fail "text data"
}

# Pages of four kinds in turn: random, text, random hex digits (only an
# entropy coder shrinks them) and a random kilobyte four times (only repeats
# do): with zstd at level 19 only the random ones are stored whole, and
# recompressing them with it from lz4 marks them incompressible.
test_early_abort_zstd() {
	local huge
	python3 - /tmp/kinds "$ZT_DATA/text" <<'PY'
import os, random, sys
text = open(sys.argv[2], 'rb').read(1 << 20)
r = random.Random(22)
with open(sys.argv[1], 'wb') as o:
    for i in range(256):
        k = i % 4
        if k == 0:
            o.write(os.urandom(4096))
        elif k == 1:
            o.write(text[i * 4096:(i + 1) * 4096])
        elif k == 2:
            o.write(bytes(r.choice(b'0123456789abcdef') for _ in range(4096)))
        else:
            o.write(os.urandom(1024) * 4)
PY
	zram_load
	sysw $Z/comp_algorithm zstd
	sysw $Z/algorithm_params "algo=zstd level=19"
	zram_init 16M
	dd if=/tmp/kinds of=/dev/zram0 bs=1M oflag=direct status=none
	expect_eq huge_pages 64 "$(mm_field 8)"
	cmp /tmp/kinds <(dd if=/dev/zram0 bs=1M count=1 iflag=direct status=none) ||
		fail "data differs"
	sysw $Z/reset 1

	sysw $Z/comp_algorithm lz4
	sysw $Z/recomp_algorithm "algo=zstd"
	sysw $Z/algorithm_params "algo=zstd level=19"
	zram_init 16M
	dd if=/tmp/kinds of=/dev/zram0 bs=1M oflag=direct status=none
	huge=$(mm_field 8)
	[ "$huge" -ge 64 ] || fail "lz4 stored $huge pages whole, not the 64 random ones"
	sysw $Z/recompress "type=huge"
	expect_eq "huge_pages after recompress" 64 "$(mm_field 8)"
	cmp /tmp/kinds <(dd if=/dev/zram0 bs=1M count=1 iflag=direct status=none) ||
		fail "data differs after recompress"
}

test_discard_frees() {
	zram_load
	zram_init 32M
	make_data /tmp/data 16 text
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	used=$(mm_field 3)
	expect_eq orig_data_size $((16 << 20)) "$(mm_field 1)"
	blkdiscard -o $((8 << 20)) -l $((8 << 20)) /dev/zram0
	expect_eq "orig_data_size after discard" $((8 << 20)) "$(mm_field 1)"
	cmp <(head -c 8M /tmp/data) <(dd if=/dev/zram0 bs=1M count=8 iflag=direct status=none) ||
		fail "kept half differs"
	cmp <(head -c 8M /dev/zero) <(dd if=/dev/zram0 bs=1M skip=8 count=8 iflag=direct status=none) ||
		fail "discarded half not zero"
	blkdiscard /dev/zram0
	expect_eq "orig_data_size after full discard" 0 "$(mm_field 1)"
	expect_eq compr_data_size 0 "$(mm_field 2)"
	sysw $Z/compact 1
	[ "$(mm_field 3)" -lt "$used" ] || fail "memory not released"
	# write-zeroes works too
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	blkdiscard -z -o 0 -l $((4 << 20)) /dev/zram0
	cmp <(head -c 4M /dev/zero) <(dd if=/dev/zram0 bs=1M count=4 iflag=direct status=none) ||
		fail "write-zeroes range not zero"
}

test_mem_limit_write_fails_data_kept() {
	zram_load
	zram_init 16M
	make_data /tmp/old 1 text
	head -c 1M /dev/urandom >/tmp/new
	dd if=/tmp/old of=/dev/zram0 bs=4k oflag=direct status=none
	sysw $Z/mem_limit $(($(mm_field 3) + 128 * 1024))
	before=$(io_field 2)
	"$ZT_BLKPAGES" write-each /dev/zram0 /tmp/new /tmp/ok
	failed=$(($(io_field 2) - before))
	note "writes failed at the limit: $failed; written: $(wc -w </tmp/ok)"
	[ "$failed" -gt 0 ] || fail "no write failed at the limit"
	[ "$(wc -w </tmp/ok)" -gt 0 ] || fail "no write succeeded below the limit"
	# every page holds either its new data (write succeeded) or its old
	"$ZT_BLKPAGES" verify-either /dev/zram0 /tmp/old /tmp/new /tmp/ok ||
		fail "a page lost its data"
	[ "$(mm_field 3)" -le "$(mm_field 4)" ] || fail "memory above the limit"
}

# Pages that compress to a few dozen bytes (mostly-empty anonymous memory)
# cost the pool a third as much again in metadata as in pages.  mem_limit
# counts both, so the machine's view stays near the limit: within 25 %,
# which is what the slab growth of the writing process itself adds at this
# size (about 80 KiB).  A limit on pages alone would let the metadata
# (here 136 KiB for 385 KiB of pages) come on top of it.  On the debug
# kernel the slab view measures KASAN and kmemleak instead (3.1 MiB here),
# so only mem_used_total is checked there.
test_mem_limit_tiny_objects() {
	local limit=$((512 << 10)) slab0 machine
	zram_load
	zram_init 64M lz4
	drop_caches
	slab0=$(meminfo_kb SUnreclaim)
	python3 - /tmp/tiny <<'PY'
import os, sys
with open(sys.argv[1], 'wb') as out:
    for i in range(16384):
        page = bytearray(4096)
        page[(i * 8) % 4088:(i * 8) % 4088 + 8] = os.urandom(8)
        out.write(page)
PY
	sysw $Z/mem_limit $limit
	"$ZT_BLKPAGES" write-each /dev/zram0 /tmp/tiny /tmp/ok
	note "tiny pages stored under a 512 KiB limit: $(wc -w </tmp/ok) of 16384; mm_stat $(xargs <$Z/mm_stat)"
	[ "$(wc -w </tmp/ok)" -lt 16384 ] || fail "every write fitted under the limit"
	[ "$(mm_field 3)" -le $limit ] || fail "mem_used_total $(mm_field 3) above the limit"
	drop_caches
	machine=$(machine_bytes "$slab0")
	note "the machine gives the pool $machine bytes"
	# the debug kernel's KASAN quarantine and kmemleak's records grow the
	# slab with every allocation: there it measures them, not the pool
	if [ ! -e "$ZT_KMEMLEAK" ]; then
		[ $((100 * machine)) -le $((125 * limit)) ] ||
			fail "the pool takes $machine bytes of the machine under a $limit-byte limit"
	fi
	head -c $((16384 * 4096)) /dev/zero >/tmp/zero
	"$ZT_BLKPAGES" verify-either /dev/zram0 /tmp/zero /tmp/tiny /tmp/ok ||
		fail "a page lost its data"
}

test_compact_after_frees() {
	zram_load
	zram_init 64M
	make_data /tmp/data "$(qsize 32 16)" text
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	# free three pages of every four
	"$ZT_BLKPAGES" discard /dev/zram0 4 1
	"$ZT_BLKPAGES" expect-discard /tmp/data 4 1 /tmp/expect
	before=$(mm_field 3)
	sysw $Z/compact 1
	after=$(mm_field 3)
	note "mem_used_total $before -> $after, pages_compacted $(mm_field 7)"
	[ "$after" -lt "$before" ] || fail "compaction freed nothing"
	[ "$(mm_field 7)" -gt 0 ] || fail "pages_compacted is 0"
	drop_caches
	cmp /tmp/expect <(dd if=/dev/zram0 bs=1M count="$(qsize 32 16)" iflag=direct status=none) ||
		fail "data differs after compaction"
}

test_read_only() {
	zram_load
	zram_init 8M
	head -c 1M /usr/bin/bash >/tmp/data
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	blockdev --setro /dev/zram0
	! dd if=/dev/zero of=/dev/zram0 bs=4k count=1 oflag=direct status=none 2>/dev/null ||
		fail "write to a read-only device succeeded"
	cmp /tmp/data <(dd if=/dev/zram0 bs=1M count=1 iflag=direct status=none) || fail "read-only read"
	blockdev --setrw /dev/zram0
}

test_unwritten_reads_zero() {
	zram_load
	zram_init 8M
	cmp <(head -c 8M /dev/zero) <(dd if=/dev/zram0 bs=1M iflag=direct status=none) ||
		fail "fresh device is not zero"
	expect_eq "failed reads" 0 "$(io_field 1)"
}

# counts LOW HIGH A B: A is no more than LOW percent below B, and no more
# than HIGH percent above it
counts() { [ $((100 * ($4 - $3))) -le $(($1 * $4)) ] && [ $((100 * ($3 - $4))) -le $(($2 * $4)) ]; }

# pool_bytes: the bytes of the pages zram0's pool holds.  Stock's
# mem_used_total counts exactly those; ours also counts the pool's slab
# metadata, and its debugfs file gives the pages alone.
pool_bytes() {
	local classes=/sys/kernel/debug/zsm/zram0/classes
	if [ -r $classes ]; then
		sed -n 's/^total: .*(pool \([0-9]*\)).*/\1/p' $classes | awk '{ print $1 * 4096 }'
	else
		awk '{ print $3 }' $Z/mm_stat
	fi
}

# machine_bytes SLAB0: what the machine gives the pool: its pages, plus how
# much the unreclaimable slab grew since SLAB0 (kB, read once the device
# was set up: its streams are not the pool's), which holds both
# allocators' metadata (handles, zspage descriptors)
machine_bytes() {
	echo $(($(pool_bytes) + ($(meminfo_kb SUnreclaim) - $1) * 1024))
}

# mem_figures ALG: store the test files, then overwrite a random half of
# their pages with zeroes, discard a quarter and compact; print mm_stat's
# orig_data_size, compr_data_size and mem_used_total after each step, and
# check that every surviving byte reads back.  The machine's view after
# each step (machine_bytes) goes to /tmp/mem-machine.  Call it as a command
# of its own with its output redirected, not inside $(...): errexit is off
# in a command substitution, and a failed check would go unnoticed there.
mem_figures() {
	local pages=$(($(stat -c %s "$ZT_DATA/files.tar") / 4096)) slab0
	zram_init 128M "$1"
	drop_caches
	slab0=$(meminfo_kb SUnreclaim)
	dd if="$ZT_DATA/files.tar" of=/dev/zram0 bs=1M oflag=direct status=none
	awk '{ printf "%s %s %s ", $1, $2, $3 }' $Z/mm_stat
	drop_caches
	machine_bytes "$slab0" >/tmp/mem-machine
	python3 "$ZT_BLKPAGES" churn /dev/zram0 "$pages" 1 || fail "$1: the churn failed"
	sysw $Z/compact 1
	awk '{ printf "%s %s %s\n", $1, $2, $3 }' $Z/mm_stat
	drop_caches
	machine_bytes "$slab0" >>/tmp/mem-machine
	drop_caches
	cmp /tmp/expect <(dd if=/dev/zram0 bs=1M iflag=direct status=none | head -c $((pages * 4096))) ||
		fail "$1: data differs after the churn"
	sysw $Z/reset 1
}

# The same files in the stock zram of the booted image and in ours, in one
# boot, in the machine's view (pool pages plus slab growth, which stock's
# mem_used_total leaves out).  Stored, ours may not take more than stock;
# after the churn, not more than 2 % more (on 6.1 it takes up to 1 % more
# today: its zspage descriptors are larger than stock's, and their slabs
# stay partly used once compaction frees zspages).  Ours must report what
# it takes: mem_used_total at most 2 % under the machine's view when
# stored, 5 % after the churn (those partly used slab pages are not its
# count), and at most 5 % over it (the slab growth the view reads is
# noisy by about 2 % at this size: other slab memory comes and goes).
test_mem_used_vs_stock() {
	local alg algs stock ours stock_m ours_m bad=""
	if ! modinfo -n zram 2>/dev/null | grep -q '/kernel/'; then
		skip "no stock zram in this kernel"
	fi
	# what the device must hold after the churn
	python3 "$ZT_BLKPAGES" churn-expect "$ZT_DATA/files.tar" \
		"$(($(stat -c %s "$ZT_DATA/files.tar") / 4096))" 1 /tmp/expect
	# lzo-rle in full runs only: its objects are about lz4's size.  Quick
	# runs (CI) measure both of the others on 6.1 and 6.12, the kernels
	# whose figures make bench reports, and lz4 on the rest.
	algs="lzo-rle lz4 zstd"
	if [ "$ZT_QUICK" = 1 ]; then
		case "${ZT_KERNEL:-}" in
		6.1 | 6.12) algs="lz4 zstd" ;;
		*) algs=lz4 ;;
		esac
	fi
	for alg in $algs; do
		modprobe zram
		grep -qw "$alg" $Z/comp_algorithm || { zram_unload; continue; }
		mem_figures "$alg" >/tmp/mem-figures
		stock=$(cat /tmp/mem-figures)
		stock_m=$(xargs </tmp/mem-machine)
		zram_unload
		zram_load
		mem_figures "$alg" >/tmp/mem-figures
		ours=$(cat /tmp/mem-figures)
		ours_m=$(xargs </tmp/mem-machine)
		zram_unload
		note "$alg: orig compr used, stored then churned: stock $stock; ours $ours"
		note "$alg: the machine's view, stored then churned: stock $stock_m; ours $ours_m"
		set -- $stock $ours $stock_m $ours_m
		expect_eq "$alg: orig_data_size" "$1 $4" "$7 ${10}"
		[ "${15}" -le "${13}" ] || bad+="$alg: ours takes ${15} > stock ${13} after storing; "
		[ $((100 * ${16})) -le $((102 * ${14})) ] ||
			bad+="$alg: ours takes ${16} > 1.02 x stock ${14} after the churn; "
		counts 2 5 "$9" "${15}" || bad+="$alg: mem_used_total $9, but the machine gives ${15}; "
		counts 5 5 "${12}" "${16}" ||
			bad+="$alg: mem_used_total ${12} after the churn, but the machine gives ${16}; "
	done
	[ -z "$bad" ] || fail "$bad"
}
