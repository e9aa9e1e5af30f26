# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Smoke: the module under test loads and unloads on this kernel, is the
# project's build, and leaves nothing behind.

test_load_unload() {
	zram_load
	zram_loaded || fail "module not loaded"
	[ -n "$(cat /sys/module/zram/version)" ] || fail "no version attribute"
	note "loaded zram $(cat /sys/module/zram/version)"
	grep -q ' zram$' /proc/devices || fail "no block major named zram"
	[ -e /sys/class/zram-control/hot_add ] || fail "no zram-control class"
	[ -b /dev/zram0 ] || fail "no /dev/zram0"
	zram_unload
	! zram_loaded || fail "module still loaded"
	! grep -q ' zram$' /proc/devices || fail "major left behind"
	[ ! -e /sys/class/zram-control ] || fail "class left behind"
}

test_load_many_devices() {
	zram_load num_devices=4
	for i in 0 1 2 3; do
		[ -b /dev/zram$i ] || fail "no /dev/zram$i"
	done
	[ ! -e /dev/zram4 ] || fail "too many devices"
	zram_unload
}

test_reload_cycles() {
	for _ in 1 2 3 4 5; do
		zram_load
		zram_unload
	done
}
