#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, end to end: provision, build zram.ko for Debian 13's 6.12 in
# a Debian 13 build root (made on first use), boot
# that kernel under QEMU, load the module, set up compressed swap, run a
# workload that swaps, and print the device's statistics.
#
# Usage: demo.sh [KERNEL]   (a target of scripts/kernels.conf; default 6.12)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernel=${1:-6.12}
"$here/provision.sh" --no-debug-src
ko=$("$here/build-module.sh" "$kernel")
tools=$CACHE/tools
mkdir -p "$tools"
gcc -O2 -o "$tools/memcheck" "$top/tests/tools/memcheck.c"
out=$top/tests/out/demo-$kernel
rm -rf "$out"
mkdir -p "$out"
cat >"$out/env" <<EOT
ZT_KO=$ko
ZT_TOOLS=$tools
EOT
log "booting Debian $kernel under QEMU (TCG); console log: $out/console.log"
rc=0
ZT_TIMEOUT=600 "$here/qemu-run.sh" "$kernel" "$out" scripts/guest/demo || rc=$?
cat "$out/demo.txt" 2>/dev/null || true
[ $rc = 0 ] && log "demo finished" || log "demo failed (see $out/console.log)"
exit $rc
