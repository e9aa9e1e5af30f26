# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The tools people use with zram, run unchanged: util-linux zramctl and
# systemd's zram-generator.

test_zramctl() {
	zram_load
	dev=$(zramctl --find --size 64M --algorithm lz4)
	expect_eq "zramctl --find" /dev/zram0 "$dev"
	zramctl
	line=$(zramctl --noheadings --raw --output NAME,ALGORITHM,DISKSIZE /dev/zram0)
	expect_eq "zramctl listing" "/dev/zram0 lz4 64M" "$line"
	make_data /tmp/data 8 text
	dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
	data=$(zramctl --noheadings --raw --bytes --output DATA /dev/zram0)
	expect_eq "zramctl DATA column" $((8 << 20)) "$data"
	zramctl --reset /dev/zram0
	# util-linux resets the device, then hot-removes it where it can
	if [ -e $Z ]; then
		expect_eq "initstate after zramctl --reset" 0 "$(cat $Z/initstate)"
	fi
	# --find takes a free device or adds one
	dev1=$(zramctl --find --size 16M)
	dev2=$(zramctl --find --size 16M)
	[ "$dev1" != "$dev2" ] || fail "zramctl --find gave $dev1 twice"
	for d in $dev1 $dev2; do
		expect_eq "$d disksize" $((16 << 20)) "$(blockdev --getsize64 "$d")"
	done
}

test_zram_generator() {
	local gen root=/tmp/zgroot
	gen=/usr/lib/systemd/system-generators/zram-generator
	[ -x $gen ] || fail "zram-generator is not installed"
	zram_load
	mkdir -p $root/etc/systemd
	ln -sfn /proc $root/proc
	ln -sfn /sys $root/sys
	# zram-size is an expression in MiB
	cat >$root/etc/systemd/zram-generator.conf <<-CONF
	[zram0]
	zram-size = 48
	compression-algorithm = lz4
	CONF
	ZRAM_GENERATOR_ROOT=$root $gen --setup-device zram0
	expect_eq "disksize set by zram-generator" $((48 << 20)) "$(cat $Z/disksize)"
	grep -q '\[lz4\]' $Z/comp_algorithm || fail "algorithm not set by zram-generator"
	mkswap /dev/zram0 >/dev/null
	swapon /dev/zram0
	swapoff /dev/zram0
	ZRAM_GENERATOR_ROOT=$root $gen --reset-device zram0
	expect_eq "initstate after --reset-device" 0 "$(cat $Z/initstate)"
}
