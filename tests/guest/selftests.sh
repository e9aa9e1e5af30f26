# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel's own tools/testing/selftests/zram scripts (from the
# linux-source package), run unchanged against this module.  They report a
# failure by printing FAIL; they add their devices through hot_add when the
# module is already loaded, which is how they find ours.

test_kernel_zram_selftests() {
	[ -f "$ZT_SELFTESTS/zram.sh" ] || fail "selftests not provisioned"
	zram_load
	rm -rf /tmp/selftests
	cp -r "$ZT_SELFTESTS" /tmp/selftests
	cd /tmp/selftests || fail "no copy of the selftests"
	rc=0
	bash ./zram.sh >/tmp/selftests.log 2>&1 || rc=$?
	cat /tmp/selftests.log
	[ $rc = 0 ] || fail "zram.sh exited with $rc"
	! grep -q FAIL /tmp/selftests.log || fail "the selftests report FAIL"
	grep -q 'zram01 : \[PASS\]' /tmp/selftests.log || fail "zram01 did not pass"
	grep -q 'zram02 : \[PASS\]' /tmp/selftests.log || fail "zram02 did not pass"
}
