#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The quality bar on every target kernel: a W=1 build and a sparse (C=2)
# build with no warnings, the compat probes' decisions as compat/expected
# lists them, and no call cycle between the module's files
# (check-calls.py); then checkpatch --strict and shellcheck once.
# Usage: check-all.sh [KERNEL...]   (default: every target of
# scripts/kernels.conf, and debug when its build tree is in the cache)
# Each target builds in its release's root, with that release's compiler
# and sparse.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernels=("$@")
if [ ${#kernels[@]} = 0 ]; then
	read -r -a kernels <<<"$ALL_KERNELS"
	[ -e "$CACHE/debug/current/.done" ] && kernels+=(debug)
fi

status=0
for k in "${kernels[@]}"; do
	# its own build directory: a test run may be using the release one
	if "$here/build-module.sh" "$k" check >/dev/null; then
		log "$k: W=1 clean"
	else
		status=1
		continue
	fi
	src=$CACHE/build/$k-check/src
	# the compat probes decided what compat/expected says for this target
	want=$(awk -v k="$k" '$1 == k { $1 = ""; print substr($0, 2) }' "$top/compat/expected")
	got=$(modinfo -F compat "$src/zram.ko")
	if [ "$got" = "$want" ]; then
		log "$k: compat probes as expected"
	else
		log "$k: compat probes differ from compat/expected:"
		diff <(tr ' ' '\n' <<<"$want") <(tr ' ' '\n' <<<"$got") | sed 's/^/    /'
		status=1
	fi
	if "$top/scripts/check-calls.py" "$src" >"$src/../calls.log"; then
		log "$k: no call cycles between files"
	else
		log "$k: call cycles between files:"
		sed 's/^/    /' "$src/../calls.log"
		status=1
	fi
	kmake "$k" "$src" clean >/dev/null
	kmake "$k" "$src" C=2 modules >"$src/../sparse.log" 2>&1
	rc=$?
	if grep -q 'specified, but .* is not available or not up to date' "$src/../sparse.log"; then
		log "$k: sparse not run: not available in the $(kernel_release "$k") root (W=1 only)"
	elif grep -q '^/usr/src/linux-headers-[^:]*:[0-9]*:[0-9]*: error:' "$src/../sparse.log" &&
	     ! grep -E ': (warning|error):' "$src/../sparse.log" | grep -qv '^/usr/src/linux-headers-'; then
		# a parse error inside the kernel's own headers: that release's
		# sparse is older than its newest kernel (trixie's for 7.x)
		log "$k: sparse not run: the sparse of $(kernel_release "$k") cannot parse these headers (W=1 only; $src/../sparse.log)"
	elif [ $rc = 0 ] && ! grep -E ': (warning|error):' "$src/../sparse.log"; then
		log "$k: sparse clean"
	else
		log "$k: sparse reports problems: $src/../sparse.log"
		status=1
	fi
done
cd "$top" || exit 1
# the same files as `make style`
mapfile -t files < <(scripts/sources.sh c)
[ ${#files[@]} -gt 0 ] || die "scripts/sources.sh listed no C files"
if scripts/checkpatch.sh "${files[@]}"; then
	log "checkpatch --strict clean"
else
	status=1
fi
mapfile -t files < <(scripts/sources.sh sh)
[ ${#files[@]} -gt 0 ] || die "scripts/sources.sh listed no scripts"
if shellcheck -S warning "${files[@]}"; then
	log "shellcheck clean (warning level)"
else
	status=1
fi
exit $status
