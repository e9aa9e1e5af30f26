#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that a test can fail: build a deliberately broken module (the tree
# with one patch of tests/mutants/ applied) and run the suites the patch
# names against it; the run must fail, and in the case the patch names.
#
# Usage: mutant.sh [NAME...]   (default: every tests/mutants/*.patch)
#
# A patch's header says what it breaks and where it must be caught:
#   Kernel: 6.12            the target to run on (scripts/kernels.conf)
#   Suites: leak            the suites to run
#   Fails: leak.test_reload_cycles
#                           the case the run must count as failed, or
#                           during which the guest died (a WARN under
#                           panic_on_warn: KUnit suites all run while
#                           kunit.test_0_load_kunit_module loads them)
# The patched tree is a copy in $ZRAM_CACHE/mutant/NAME, built in build
# directories of its own; the results are in its tests/out/.  Prints one line per mutant and "N caught, N missed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

field() { sed -n "s/^$1: *//p" "$2" | head -n 1; }

names=("$@")
if [ ${#names[@]} = 0 ]; then
	for p in "$top"/tests/mutants/*.patch; do
		names+=("$(basename "$p" .patch)")
	done
fi
caught=0 missed=0
for name in "${names[@]}"; do
	patch=$top/tests/mutants/$name.patch
	[ -f "$patch" ] || die "no mutant $patch"
	kernel=$(field Kernel "$patch") suites=$(field Suites "$patch") case=$(field Fails "$patch")
	[ -n "$kernel" ] && [ -n "$suites" ] && [ -n "$case" ] ||
		die "$patch: needs Kernel:, Suites: and Fails: lines"
	work=$CACHE/mutant/$name
	rm -rf "$work"
	mkdir -p "$work"
	rsync -a --exclude .git --exclude /tests/out "$top/" "$work/"
	if ! patch -s -d "$work" -p1 <"$patch"; then
		echo "not ok - mutant $name: the patch no longer applies"
		missed=$((missed + 1))
		continue
	fi
	log "mutant $name: $suites on $kernel, $case must fail"
	# its own build directories: a broken object must never reach the
	# builds of the real tree
	ZRAM_BUILD_TAG=mutant-$name "$work/scripts/run-tests.sh" --kernels "$kernel" \
		--suites "$suites" >"$work/run.log" 2>&1
	# the host's verdict: a case the guest failed, or a skip it refused
	if grep -Eq "^not ok - $kernel: [0-9]+ $case( |\$)" "$work/run.log" ||
		grep -Fq "not ok - $kernel: guest did not finish (# start $case;" "$work/run.log"; then
		echo "ok - mutant $name: $case fails on it"
		caught=$((caught + 1))
	else
		echo "not ok - mutant $name: $case did not fail (see $work/run.log)"
		missed=$((missed + 1))
	fi
done
echo "$caught caught, $missed missed"
[ "$missed" = 0 ]
