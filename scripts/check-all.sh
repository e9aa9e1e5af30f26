#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The quality bar on every target kernel: a W=1 build and a sparse (C=2)
# build with no warnings, then checkpatch --strict once.
# Usage: check-all.sh [KERNEL...]   (default: 6.1 6.12 6.12-rt, and debug
# when its build tree is in the cache)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

kernels=("$@")
if [ ${#kernels[@]} = 0 ]; then
	kernels=(6.1 6.12 6.12-rt)
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
	# the sid root has no sparse; its W=1 build above is the check there
	[ "$k" = sid ] && continue
	src=$CACHE/build/$k-check/src
	if [ "$k" = debug ]; then kdir=$CACHE/debug/current
	else kdir=/usr/src/linux-headers-$(kernel_abi "$k"); fi
	make -C "$kdir" M="$src" clean >/dev/null
	if make -C "$kdir" M="$src" C=2 modules >"$src/../sparse.log" 2>&1 &&
	   ! grep -E ': (warning|error):' "$src/../sparse.log"; then
		log "$k: sparse clean"
	else
		log "$k: sparse reports problems: $src/../sparse.log"
		status=1
	fi
done
cd "$top" || exit 1
# the same files as `make style`: not the *.mod.c an in-tree build leaves
files=()
for f in ./*.c ./*.h compat/*.h tests/kunit/*.c tests/bench/limit/*.c; do
	[[ $f == *.mod.c ]] || files+=("$f")
done
if scripts/checkpatch.sh "${files[@]}"; then
	log "checkpatch --strict clean"
else
	status=1
fi
exit $status
