#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: ours against the stock zram.ko of the same Debian image, in
# one QEMU boot, over several rounds that alternate which module goes
# first; then a table (Markdown) and a chart (PNG) of the medians, their
# ratio and the spread between rounds.
#
# Usage: bench.sh [--kernel NAME] [--rounds N] [--runtime S]
#                 [--workloads "limit fio csum swap mem lat readlat abort exit"] [--algs "lz4 zstd"]
#                 [--icount SHIFT] [--quick] [--out DIR]
#
# A full run writes Documentation/benchmarks/<kernel>.{md,png,csv}, the
# copies that are committed (an --icount run: benchmarks/icount/); --quick
# (one round, 1 s runs, fewer fio variants: what CI runs) and --out write
# elsewhere.  --icount makes guest time follow the instructions executed
# (QEMU -icount shift=SHIFT), so the load of the host does not move the
# numbers; everything runs on one host thread then.  The workload
# "movable", not in the default set, measures what pool pages that cannot
# migrate cost (7.x; tests/bench/guest.sh, bench_movable).  NAME is a target of
# scripts/kernels.conf (default 6.12, Debian 13's).  Debian's kernels but
# the RT one have PREEMPT_DYNAMIC: the guest boots them with preempt=full,
# the mode whose latency the design is about (Debian's default is
# voluntary, newer ones' lazy); 6.12-rt is always fully preemptible.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernel=6.12 rounds=3 runtime=5 workloads="limit fio csum swap mem lat readlat abort exit" algs="lz4 zstd"
icount="" quick=0 out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--runtime) runtime=$2; shift 2 ;;
	--workloads) workloads=$2; shift 2 ;;
	--algs) algs=$2; shift 2 ;;
	--icount) icount=$2; shift 2 ;;
	--quick) quick=1 rounds=1 runtime=1; shift ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option $1 (see the head of $0)" ;;
	esac
done
abi=$(kernel_abi "$kernel") || die "no stock zram to compare with on $kernel"
"$here/release-root.sh" "$(kernel_release "$kernel")" >/dev/null
ls "$(image_moddir "$abi")"/kernel/drivers/block/zram/zram.ko* >/dev/null 2>&1 ||
	die "the image of $abi has no stock zram.ko to compare with"
if [ -z "$out" ]; then
	if [ $quick = 1 ]; then
		out=$top/tests/out/bench-$kernel
	elif [ -n "$icount" ]; then
		out=$top/Documentation/benchmarks/icount
	else
		out=$top/Documentation/benchmarks
	fi
fi

ko=$("$here/build-module.sh" "$kernel")
# the physical limit's module (tests/bench/limit), built like zram.ko
# (with a copy of compat/ inside: the build sees this directory only)
limit=$CACHE/build/$kernel-limit
mkdir -p "$limit"
rsync -a --delete "$top/tests/bench/limit/" "$limit/"
rsync -a "$top/compat/" "$limit/compat/"
kbuild_checked "$kernel" "$limit" zram_limit.ko W=1
tools=$CACHE/tools
mkdir -p "$tools"
gcc -O2 -Wall -Wextra -Werror -o "$tools/memcheck" "$top/tests/tools/memcheck.c"
"$here/make-testdata.sh" >/dev/null

run=$top/tests/out/bench-run-$kernel
rm -rf "$run"
mkdir -p "$run" "$out"
cat >"$run/env" <<EOT
ZT_KO=$ko
ZT_LIMIT_KO=$limit/zram_limit.ko
ZT_QUICK=$quick
ZT_KERNEL=$kernel
ZT_TOOLS=$tools
ZT_DATA=$CACHE/testdata
ZT_BLKPAGES=$top/tests/tools/blkpages.py
BENCH_ROUNDS=$rounds
BENCH_RUNTIME=$runtime
BENCH_WORKLOADS="$workloads"
BENCH_ALGS="$algs"
BENCH_QUICK=$quick
EOT

cmdline=""
case "$kernel" in *-rt) ;; *) cmdline="preempt=full" ;; esac
# ZT_QEMU_EXTRA from the caller reaches QEMU too, e.g. a monitor socket
# to watch the emulation while the bench runs
qemu_extra=${ZT_QEMU_EXTRA:-}
[ -n "$icount" ] && qemu_extra+=" -icount shift=$icount,sleep=off"
log "bench on $kernel: $rounds round(s), ${runtime}s runs, workloads: $workloads${icount:+, -icount shift=$icount}"
rc=0
ZT_TIMEOUT=$((1800 + rounds * 2400)) ZT_CMDLINE="$cmdline" ZT_QEMU_EXTRA="$qemu_extra" \
	"$here/qemu-run.sh" "$kernel" "$run" tests/bench/guest.sh || rc=$?
[ "$rc" = 0 ] || die "the bench run failed (see $run/console.log)"

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
# the results of earlier runs, not yet committed, do not change the module
git -C "$top" diff --quiet HEAD -- . ':!Documentation/benchmarks' 2>/dev/null ||
	commit="$commit-dirty"
# the last commit that changed what the module is built from: runs of
# trees that differ only in scripts or documentation compare the same code
module_code=$(git -C "$top" log -1 --format=%h -- ':(glob)*.[ch]' compat Kbuild Makefile \
	2>/dev/null || true)
[ -n "$module_code" ] && [ "${commit%-dirty}" != "$module_code" ] &&
	commit="$commit, module code of $module_code"
cmd="make bench BENCH_ARGS='--kernel $kernel --rounds $rounds --runtime $runtime --workloads \"$workloads\" --algs \"$algs\"${icount:+ --icount $icount}'"
[ $quick = 1 ] && cmd="make bench BENCH_ARGS='--kernel $kernel --quick'"
cp "$run/bench.csv" "$out/$kernel.csv"
python3 "$here/bench-report.py" "$out/$kernel.csv" \
	--title "zram-backport against the stock zram of Debian $kernel ($(kernel_abi "$kernel"))" \
	--meta "command: \`$cmd\`" \
	--meta "module: $commit; kernel: $(kernel_abi "$kernel")${cmdline:+ booted with $cmdline}" \
	--meta "date: $(date -u +%Y-%m-%d); QEMU TCG on $(nproc) host cores, guest 2 vCPUs, 2 GiB${icount:+; -icount shift=$icount: guest time counts instructions, both vCPUs share one host thread}" \
	--md "$out/$kernel.md" --png "$out/$kernel.png"
cat "$out/$kernel.md"
