#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the test suites on the target kernels and print one closing line
# "N passed, N failed".  For each kernel: build zram.ko (W=1, warnings
# fail) in its release's build root, boot the kernel once under QEMU, run
# the guest suites in that boot, and count their TAP results.  A build that
# fails, a guest that does not finish and a kernel report (WARN, lockdep,
# KASAN, ...) each count as a failure.  The console log of every boot is
# kept under tests/out/<kernel>/.
#
# Usage: run-tests.sh [--kernels "6.1 6.12 ... debug"] [--suites "..."]
#                     [--cases "..."] [--full]
# By default every suite runs on Debian 13's 6.12 and on the debug kernel
# (there without the kernel's zram selftests), and the core suites (smoke,
# data, postproc, leak) on every other target but 6.12-bookworm and sid:
# Debian 12's build of the same 6.12 runs smoke and the cases of data
# that store and read every kind of page (what its compiler could
# change), its twin the rest, and 6.1 the same compiler's;
# sid (7.2) all but postproc, which bpo (7.3) runs through the same compat
# paths (compat/expected has the same probes for both); the
# package test runs once per Debian release (12 and 13) and the quick
# benchmark once on 6.12.  --full (or FULL=1) runs every suite on every
# kernel, and the package test on sid as well.  --suites runs the named
# suites on every kernel given ("package" and "bench" included; SUITE.CASE
# names one case); --cases runs the named cases (test_x, or SUITE.test_x),
# all of a kernel's in one boot.
# CI=true selects quick mode (smaller sizes, shorter runs) in the guest.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernels="$ALL_KERNELS debug"
all_suites="smoke sysfs data swap stress postproc leak tools selftests kunit"
core_suites="smoke data postproc leak"
# the twin: the cases of data that store and read every kind of page
twin_suites="smoke data.test_fio_verify_4k data.test_fio_verify_64k_zstd"
twin_suites+=" data.test_fio_mixed_rw_verify data.test_huge_pages data.test_same_filled_pages"
twin_suites+=" data.test_unwritten_reads_zero data.test_discard_frees data.test_read_only"
twin_suites+=" data.test_ext4_files data.test_checksum_data"
twin_kernels="6.12-bookworm"
sibling_suites="smoke data leak"
sibling_kernels="sid"
full_kernels="6.12 debug"
unset opt_kernels
opt_suites='' opt_cases='' opt_full=''
parse_options kernels suites cases full! -- "$@"
[ -n "${opt_kernels+set}" ] && kernels=$opt_kernels
[ "${FULL:-0}" = 1 ] || [ -n "$opt_full" ] && full_kernels=all
suites=$opt_suites
# --cases: each CASE is SUITE.test_x, or test_x of the one suite that has it
read -r -a cases <<<"$opt_cases"
for c in "${cases[@]}"; do
	if [[ $c != *.* ]]; then
		[[ $c == test_* ]] || die "$c: a case's name starts with test_"
		mapfile -t found < <(grep -l "^$c() {" "$top"/tests/guest/*.sh)
		[ ${#found[@]} -gt 0 ] || die "no guest case $c"
		[ ${#found[@]} = 1 ] ||
			die "$c is in several suites: $(printf '%s ' "${found[@]##*/}")"
		c=$(basename "${found[0]}" .sh).$c
	fi
	# a KUnit suite's results come from the load that runs them all
	[[ $c == kunit.* ]] && [[ " $suites " != *" kunit.test_0_load_kunit_module "* ]] &&
		suites+=" kunit.test_0_load_kunit_module"
	suites+=" $c"
done
# "package" and "bench" are not per-kernel suites: scripts/package-test.sh
# runs after the loop below, once per release, and boots that release's
# kernels itself; the benchmark runs once in its quick mode on 6.12, to
# keep it working.
run_package=1 run_bench=1
if [ -n "$suites" ]; then
	run_package=0 run_bench=0
	case " $suites " in
	*" package "*) run_package=1; suites=$(echo " $suites " | sed 's/ package / /') ;;
	esac
	case " $suites " in
	*" bench "*) run_bench=1; suites=$(echo " $suites " | sed 's/ bench / /') ;;
	esac
	[ -n "${suites// /}" ] || kernels_suites=none
fi
# kernel_suites KERNEL -> the guest suites to run on it
kernel_suites() {
	if [ -n "$suites" ]; then
		echo "$suites"
	elif [ "$full_kernels" = all ]; then
		echo "$all_suites"
	elif [ "$1" = debug ]; then
		# the kernel's own zram selftests take six minutes under KASAN
		# and check the interface, which 6.12 runs them for
		echo "$all_suites" | sed 's/ selftests / /'
	elif [[ " $full_kernels " == *" $1 "* ]]; then
		echo "$all_suites"
	elif [[ " $twin_kernels " == *" $1 "* ]]; then
		echo "$twin_suites"
	elif [[ " $sibling_kernels " == *" $1 "* ]]; then
		echo "$sibling_suites"
	else
		echo "$core_suites"
	fi
}
# without_kunit SUITE...: the suites and cases given, but KUnit's
without_kunit() {
	local s
	for s in "$@"; do
		[[ $s == kunit || $s == kunit.* ]] || printf ' %s' "$s"
	done
	echo ' '
}
quick=0
[ "${CI:-}" = true ] && quick=1

passed=0 failed=0

data=$("$here/make-testdata.sh") || die "could not make the test data"

# Guest-side helper programs, built once for all kernels
tools=$CACHE/tools
mkdir -p "$tools"
for c in "$top"/tests/tools/*.c; do
	gcc -O2 -Wall -Wextra -Werror -o "$tools/$(basename "$c" .c)" "$c" ||
		die "cannot build $c"
done
pass() { passed=$((passed + 1)); echo "ok - $*"; }
failc() { failed=$((failed + 1)); echo "not ok - $*"; }
skipped=0
# judge_skip KERNEL "N suite.case # SKIP why": a skip passes as one only
# where the kernel lacks the feature (tests/skips.conf); elsewhere it fails
judge_skip() {
	local k=$1 name missing
	name=${2#* }
	name=${name%% *}
	if missing=$(skip_allowed "$k" "$name"); then
		skipped=$((skipped + 1))
		echo "ok - $k: $2 (no $missing)"
	else
		failc "$k: $2 (a skip on a kernel that has the feature; see tests/skips.conf)"
	fi
}

loop_kernels=$kernels
[ "${kernels_suites:-}" = none ] && loop_kernels=

# The slow preparations run in the background while the first kernels are
# tested: the debug kernel's build (CPU) and the release roots (mostly the
# network and dpkg).  build-module.sh waits for a root that is still being
# made (release-root.sh holds a lock), the debug kernel is waited for below.
mkdir -p "$top/tests/out"
debug_pid=
if [[ " $loop_kernels " == *" debug "* ]]; then
	nice -n 5 "$here/build-debug-kernel.sh" >/dev/null 2>"$top/tests/out/debug-kernel.err" &
	debug_pid=$!
	# the debug kernel runs last: it needs its build
	loop_kernels="$(echo " $loop_kernels " | sed 's/ debug / /') debug"
fi
releases=
for k in $kernels; do
	r=$(kernel_release "$k" 2>/dev/null) || continue
	[[ " $releases " == *" $r "* ]] || releases+=" $r"
done
(
	for r in $releases; do
		"$here/release-root.sh" "$r" >/dev/null 2>"$top/tests/out/root-$r.err" || true
	done
) &
roots_pid=$!
# a run that is stopped stops its background work too
trap 'kill $debug_pid $roots_pid 2>/dev/null' EXIT
trap 'exit 130' INT TERM

for k in $loop_kernels; do
	if [ "$k" != debug ] && ! kernel_release "$k" >/dev/null; then
		failc "$k: no such target kernel"
		continue
	fi
	out=$top/tests/out/$k
	rm -rf "$out"
	mkdir -p "$out"

	if [ "$k" = debug ]; then
		if ! wait "$debug_pid"; then
			tail -n 20 "$top/tests/out/debug-kernel.err"
			failc "$k: debug kernel build"
			continue
		fi
	else
		r=$(kernel_release "$k")
		if ! "$here/release-root.sh" "$r" >/dev/null 2>"$out/root.err"; then
			tail -n 20 "$out/root.err"
			failc "$k: the $r build root and kernel image (scripts/release-root.sh $r)"
			continue
		fi
	fi
	if ko=$("$here/build-module.sh" "$k" 2>"$out/build.err"); then
		pass "$k: build zram.ko (W=1, no warnings)"
	else
		cat "$out/build.err"
		failc "$k: build zram.ko"
		continue
	fi
	ks=" $(kernel_suites "$k") "
	kunit_ko=
	if [ "$k" = debug ]; then
		if kunit_ko=$("$here/build-module.sh" "$k" kunit 2>"$out/build-kunit.err"); then
			pass "$k: build zram.ko with KUnit suites"
		else
			cat "$out/build-kunit.err"
			failc "$k: build zram.ko with KUnit suites"
			ks=$(without_kunit $ks)
		fi
	else
		# KUnit needs the debug kernel: no Debian kernel builds it (sid
		# included)
		ks=$(without_kunit $ks)
	fi

	# KASAN and lockdep make the debug kernel about ten times slower:
	# it always runs the suites at their quick sizes.
	kq=$quick
	[ "$k" = debug ] && kq=1
	cat >"$out/env" <<-EOT
	ZT_KO=$ko
	ZT_KUNIT_KO=$kunit_ko
	ZT_QUICK=$kq
	ZT_KERNEL=$k
	ZT_TOOLS=$tools
	ZT_DATA=$data
	ZT_BLKPAGES=$top/tests/tools/blkpages.py
	ZT_SELFTESTS=$CACHE/selftests/zram
	EOT
	timeout=1500
	[ "$k" = debug ] && timeout=3000
	log "$k: running suites:$ks"
	tap=$out/results.tap
	rm -f "$tap"
	# shellcheck disable=SC2086
	ZT_TIMEOUT=$timeout "$here/qemu-run.sh" "$k" "$out" tests/guest/run.sh $ks
	qrc=$?
	if [ -f "$tap" ]; then
		while IFS= read -r line; do
			case "$line" in
			"ok "*"# SKIP"*) judge_skip "$k" "${line#ok }" ;;
			"ok "*) pass "$k: ${line#ok }" ;;
			"not ok "*) failc "$k: ${line#not ok }" ;;
			esac
		done <"$tap"
	fi
	if [ $qrc = 2 ]; then
		if [ -f "$tap" ] && grep -q '^1\.\.' "$tap"; then
			failc "$k: kernel log clean (see $out/console.log)"
		else
			last=$(grep '^# start' "$tap" 2>/dev/null | tail -n 1)
			failc "$k: guest did not finish (${last:-before the first case}; see $out/console.log)"
		fi
	fi
done

# ---- package: build it once, then install, boot and remove it per release ----
# Its own ok/not ok lines are counted here; its closing "N passed, N
# failed" line is not echoed.  Debian 12 and 13 always; sid with --full.
pkg_releases='' pkg_kernels=''
for k in $kernels; do
	r=$(kernel_release "$k" 2>/dev/null) || continue
	[ "$r" != sid ] || [ "$full_kernels" = all ] || continue
	pkg_kernels+=" $k"
	[[ " $pkg_releases " == *" $r "* ]] || pkg_releases+=" $r"
done
if [ $run_package = 1 ] && [ -n "$pkg_releases" ]; then
	log "package: build, then install, boot${pkg_kernels} and remove in each release's root"
	ptap=$top/tests/out/package-test.tap
	mkdir -p "$(dirname "$ptap")"
	"$here/package-test.sh" --releases "${pkg_releases# }" --kernels "${pkg_kernels# }" >"$ptap"
	prc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*) pass "${line#ok - }" ;;
		"not ok "*) failc "${line#not ok - }" ;;
		"# "*) echo "$line" ;;
		esac
	done <"$ptap"
	if [ $prc != 0 ] && ! grep -q '^not ok ' "$ptap"; then
		failc "package: scripts/package-test.sh failed ($prc)"
	fi
fi
# ---- end of package ----

# ---- bench: make bench in its quick mode, once; nothing asserted ----
if [ $run_bench = 1 ] && [ -n "$(echo " $kernels " | grep ' 6.12 ')" ]; then
	log "bench: quick run on 6.12"
	if "$here/bench.sh" --kernel 6.12 --quick >"$top/tests/out/bench-quick.log" 2>&1; then
		pass "bench: quick run on 6.12 (tests/out/bench-6.12/6.12.md)"
	else
		tail -n 20 "$top/tests/out/bench-quick.log"
		failc "bench: quick run on 6.12 failed (see tests/out/bench-quick.log)"
	fi
fi

wait
trap - EXIT
[ $skipped = 0 ] || echo "# $skipped skipped on kernels without the feature"
echo "$passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
