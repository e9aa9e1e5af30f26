# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# KUnit: load the KUnit build of zram.ko (its suites run at load time, in
# the debug kernel with lockdep, KASAN and DEBUG_ATOMIC_SLEEP), keep the
# KTAP results, and judge each suite from them.  Every case of every suite
# must report "ok"; a suite that did not run at all fails too.

kunit_dir=/tmp/kunit-results

# Runs first (sorted by name): the load that runs every suite.
test_0_load_kunit_module() {
	[ -n "$ZT_KUNIT_KO" ] || fail "no KUnit build of the module"
	rm -rf "$kunit_dir"
	mkdir -p "$kunit_dir"
	ZT_KO=$ZT_KUNIT_KO zram_load num_devices=1
	for d in /sys/kernel/debug/kunit/*/; do
		[ -f "$d/results" ] || continue
		cp "$d/results" "$kunit_dir/$(basename "$d")"
	done
	zram_unload
	[ -n "$(ls -A "$kunit_dir")" ] || fail "no KUnit suite reported results"
}

# kunit_suite NAME: pass when the suite ran and every case is ok
kunit_suite() {
	local f=$kunit_dir/$1
	[ -f "$f" ] || fail "suite $1 did not run"
	cat "$f"
	grep -Eq '^[[:space:]]*ok [0-9]+ ' "$f" || fail "suite $1 has no passing case"
	! grep -Eq '^[[:space:]]*not ok [0-9]+ ' "$f" || fail "suite $1 has failing cases"
	# a skipped case is reported as one, and the host judges it
	if grep -Eq '^[[:space:]]*ok [0-9]+ .*# SKIP' "$f"; then
		skip "$(sed -En 's/^[[:space:]]*ok [0-9]+ (.*) # SKIP(.*)/\1:\2;/p' "$f" | xargs)"
	fi
}

test_zsmalloc_kunit() { kunit_suite zsmalloc_kunit; }
test_zcomp_kunit() { kunit_suite zcomp_kunit; }
test_zram_kunit() { kunit_suite zram_kunit; }
test_zram_write_kunit() { kunit_suite zram_write_kunit; }
test_zram_pp_kunit() { kunit_suite zram_pp_kunit; }
test_zram_recompress_kunit() { kunit_suite zram_recompress_kunit; }
test_zram_writeback_kunit() { kunit_suite zram_writeback_kunit; }
