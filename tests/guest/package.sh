# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The Debian package seen from a booted target kernel.  Run by
# scripts/package-test.sh (not by run-tests.sh's per-kernel loop), twice
# per kernel:
#   ZT_PKG_PHASE=installed  the host installed zram-backport-dkms and gave
#                           this guest its kernel's module tree with DKMS's
#                           updates/ in it: a plain "modprobe zram" must
#                           load ours, and zram-generator must make swap
#                           with it;
#   ZT_PKG_PHASE=removed    the host removed the package (the tree is built
#                           the same way from what is left): modprobe must
#                           load the kernel's own zram again.
# ZT_PKG_VERSION is the version string of the packaged module.  Nothing
# here uses insmod or a path to a .ko: modprobe decides, as on a real
# machine.

pkg_need_env() {
	[ -n "${ZT_PKG_PHASE:-}" ] && [ -n "${ZT_PKG_VERSION:-}" ] ||
		fail "ZT_PKG_PHASE/ZT_PKG_VERSION unset: run by scripts/package-test.sh"
}

pkg_installed() { [ "$ZT_PKG_PHASE" = installed ]; }

# The zram that modprobe picks, and the one loaded, are the ones this phase
# expects: ours from updates/ with our version, or the kernel's own.
check_zram_is_expected() {
	local rel path ver
	rel=$(uname -r)
	path=$(modinfo -n zram)
	ver=$(cat /sys/module/zram/version 2>/dev/null || echo none)
	note "phase $ZT_PKG_PHASE: modinfo -n zram: $path; version: $ver"
	if pkg_installed; then
		case "$path" in
		"/lib/modules/$rel/updates/"*) ;;
		*) fail "modprobe resolves zram to $path, not to DKMS's updates/" ;;
		esac
		expect_eq "/sys/module/zram/version" "$ZT_PKG_VERSION" "$ver"
		expect_eq "modinfo version" "$ZT_PKG_VERSION" "$(modinfo -F version zram)"
	else
		case "$path" in
		"/lib/modules/$rel/kernel/drivers/block/zram/zram.ko"*) ;;
		*) fail "modprobe resolves zram to $path, not to the kernel's own" ;;
		esac
		[ "$ver" != "$ZT_PKG_VERSION" ] ||
			fail "the packaged module is still what modprobe loads"
	fi
}

test_modprobe_loads_expected_zram() {
	pkg_need_env
	! zram_loaded || fail "zram was loaded before the test"
	modprobe zram
	zram_loaded || fail "modprobe zram loaded nothing"
	check_zram_is_expected
	[ -b /dev/zram0 ] || fail "no /dev/zram0"
	# a little data through it, whichever module it is
	sysw $Z/disksize 16M
	head -c 4M /dev/urandom >/tmp/pkg-data
	dd if=/tmp/pkg-data of=/dev/zram0 bs=1M oflag=direct status=none
	cmp -n $((4 << 20)) /tmp/pkg-data /dev/zram0 || fail "data read back differs"
	sysw $Z/reset 1
	modprobe -r zram
	! zram_loaded || fail "modprobe -r left zram loaded"
}

# zram-generator's own set-up path (what systemd-zram-setup@zram0.service
# runs) on a device of the module modprobe loaded
test_zram_generator_swap() {
	local gen=/usr/lib/systemd/system-generators/zram-generator
	local root=/tmp/pkg-zgroot alg
	pkg_need_env
	[ -x $gen ] || fail "zram-generator is not installed"
	modprobe zram
	check_zram_is_expected
	# an algorithm both ours and the stock module list on this kernel
	alg=$(sed 's/[][]//g' $Z/comp_algorithm | tr ' ' '\n' | grep -m1 -xE 'lz4|lzo-rle|zstd')
	mkdir -p $root/etc/systemd $root/proc
	cp /proc/meminfo $root/proc/meminfo
	cat >$root/etc/systemd/zram-generator.conf <<-CONF
	[zram0]
	zram-size = 64
	compression-algorithm = $alg
	CONF
	ZRAM_GENERATOR_ROOT=$root $gen --setup-device zram0
	expect_eq "disksize set by zram-generator" $((64 << 20)) "$(cat $Z/disksize)"
	grep -q "\[$alg\]" $Z/comp_algorithm || fail "algorithm $alg not set"
	swapon /dev/zram0
	grep -q '^/dev/zram0 ' /proc/swaps || fail "zram0 is not in use as swap"
	note "$(grep '^/dev/zram0 ' /proc/swaps)"
	swapoff /dev/zram0
	ZRAM_GENERATOR_ROOT=$root $gen --reset-device zram0
	expect_eq "initstate after --reset-device" 0 "$(cat $Z/initstate)"
	modprobe -r zram
}
