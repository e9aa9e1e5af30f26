#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one target kernel under QEMU (TCG) with the host's root file system
# shared read-only, run one command of the project's inside, and judge the
# run.  The serial console is kept in OUT/console.log.
#
# Usage: qemu-run.sh KERNEL OUT CMD [ARG...]
#   KERNEL  a target name of scripts/kernels.conf, or debug
#   OUT     host directory, shared writable with the guest as /run/results
#   CMD     path relative to the project root, run by bash in the guest
# Environment: ZT_TIMEOUT (seconds, default 900), ZT_MEM (MiB, default
# 2048), ZT_SMP (default 2), ZT_CMDLINE (extra kernel parameters),
# ZT_MODULES_DIR (a .../lib/modules/<release> tree to give the guest as its
# /lib/modules instead of the image's own; its directory name must be the
# release; the initramfs still takes its 9p modules from the image),
# ZT_QEMU_EXTRA (more QEMU options, e.g. "-icount shift=4,sleep=off"),
# ZT_GUEST_ROOT (a directory the host may write to, e.g. a release's build
# root under an overlay, to give the guest as its system instead of the
# host's own root file system).
#
# Exit status: 0 when the guest ran CMD to its end with status 0 and the
# kernel log holds no WARN, BUG, oops, lockdep, KASAN or sleep-in-atomic
# report (panic_on_warn=1 turns most of those into a panic anyway); 1 when
# CMD failed but the kernel is clean; 2 on a timeout, a guest that did not
# finish CMD, or a kernel report.  A boot that fails before the guest
# starts CMD is tried once more (see the end of this file).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

[ $# -ge 3 ] || die "usage: qemu-run.sh KERNEL OUT CMD [ARG...]"
kernel=$1 out=$2 cmd=$3
shift 3
args=$(IFS=,; echo "$*")

if [ "$kernel" = debug ]; then
	kdir=$CACHE/debug/current
	image=$kdir/arch/x86/boot/bzImage
	moddir=none
else
	abi=$(kernel_abi "$kernel") || die "unknown kernel $kernel"
	image=$(image_vmlinuz "$abi")
	moddir=$(image_moddir "$abi")
	[ -e "$moddir/modules.dep" ] || die "no $moddir/modules.dep (run scripts/release-root.sh $(kernel_release "$kernel"))"
fi
[ -e "$image" ] || die "no kernel image $image (run scripts/release-root.sh)"

initrd=$("$here/make-initramfs.sh" "$moddir")
mkdir -p "$out"
log=$out/console.log

# The project gets its own share: a clone under /tmp would be hidden by the
# guest's tmpfs there.
guest_root=${ZT_GUEST_ROOT:-/}
# the project is mounted at the same path in the guest: make it exist there
[ "$guest_root" = / ] || mkdir -p "$guest_root$top"
virtfs=(-virtfs "local,path=$guest_root,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$top,mount_tag=project,security_model=none,readonly=on"
	-virtfs "local,path=$out,mount_tag=results,security_model=none")
append="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic rdinit=/init"
# Under TCG a vCPU thread can lose the host CPU for many seconds (2 host
# cores, 2 vCPUs and QEMU's I/O thread): a soft-lockup report after the
# default 20 s was seen once in clear_page during insmod, and an RCU stall
# report after Debian's 21 s once in clear_page during rmmod (6.1).  A real
# livelock still trips both at 60 s and the watchdog at 120 s, and the
# runner's timeout catches hangs.
append+=" mitigations=off watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60"
append+=" zt.dir=$top zt.cmd=$cmd"
[ -n "$args" ] && append+=" zt.args=$args"
if [ "$moddir" != none ]; then
	shared=${ZT_MODULES_DIR:-$moddir}
	[ "$(basename "$shared")" = "$(basename "$moddir")" ] ||
		die "ZT_MODULES_DIR must end in /$(basename "$moddir")"
	virtfs+=(-virtfs "local,path=$(dirname "$shared"),mount_tag=modules,security_model=none,readonly=on")
	# the guest mounts it on its /lib/modules, which a machine without a
	# kernel package (a container, a chroot) does not have
	mkdir -p "$guest_root/lib/modules"
	append+=" zt.mods"
fi
append+=" ${ZT_CMDLINE:-}"

timeout=${ZT_TIMEOUT:-900}

# Boot the guest once; set verdict as described at the top.
boot() {
	local qrc grc

	rm -f "$out/.zt-started" "$out/.zt-exit"
	set +e
	# shellcheck disable=SC2086 # ZT_QEMU_EXTRA is a list of options
	timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max \
		-m "${ZT_MEM:-2048}" -smp "${ZT_SMP:-2}" \
		-nographic -no-reboot -monitor none -serial stdio \
		-kernel "$image" -initrd "$initrd" -append "$append" \
		"${virtfs[@]}" ${ZT_QEMU_EXTRA:-} </dev/null >"$log" 2>&1
	qrc=$?
	set -e

	verdict=0
	if [ $qrc = 124 ] || [ $qrc = 137 ]; then
		log "$kernel: guest timed out after ${timeout}s"
		verdict=2
	fi
	grc=$(cat "$out/.zt-exit" 2>/dev/null || true)
	if [ -z "$grc" ]; then
		log "$kernel: guest did not finish its command (see $log)"
		verdict=2
	elif [ "$grc" != 0 ] && [ $verdict = 0 ]; then
		verdict=1
	fi
	"$here/scan-log.sh" "$log" || verdict=2
}

# Under TCG a Debian kernel has been seen to die while it boots, before the
# guest's init starts the command: the debug kernel with an interrupt
# during identify_cpu (once in dozens of boots), 6.12 and 6.12-rt with an
# int3 trap in sched_clock_cpu while they patched their own text (once
# each, the second time in the package test).  Such a run never
# met the project's modules or tests, so boot once more and keep the first
# console log next to the second.  A failure after the guest's init has
# marked the start (OUT/.zt-started) counts.
rm -f "$out/console-early-failure.log"
boot
if [ $verdict = 2 ] && [ ! -e "$out/.zt-started" ]; then
	mv "$log" "$out/console-early-failure.log"
	log "$kernel: the kernel failed before the guest started its command (see $out/console-early-failure.log); booting again"
	boot
fi
exit $verdict
