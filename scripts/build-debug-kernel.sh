#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the debug kernel: linux-source-6.12 with KUnit, lockdep,
# KASAN and DEBUG_ATOMIC_SLEEP, from x86_64_defconfig + kvm_guest.config +
# scripts/debug-kernel/debug.config.  The result is cached under
# $CACHE/debug/<key>, keyed by the source package version and the hash of
# the fragment, and $CACHE/debug/current points to it.  Nothing is rebuilt
# while neither changes.
#
# Prints the build directory (usable as KDIR) on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernels.conf"
. "$here/lib.sh"

frag=$here/debug-kernel/debug.config
srcver=$(dpkg-query -W -f='${Version}' "$DEBUG_SRC_PKG" 2>/dev/null) ||
	die "$DEBUG_SRC_PKG is not installed (run scripts/provision.sh)"
key=$(printf '%s\n' "$srcver" | cat - "$frag" | sha256sum | cut -c1-16)
out=$CACHE/debug/$key

if [ -e "$out/.done" ] && [ -e "$out/Module.symvers" ]; then
	ln -sfn "$key" "$CACHE/debug/current"
	echo "$out"
	exit 0
fi

configure() {
	make -s -C "$src" O="$out" x86_64_defconfig >/dev/null
	make -s -C "$src" O="$out" kvm_guest.config >/dev/null
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m .config "$frag" >/dev/null)
	make -s -C "$src" O="$out" olddefconfig >/dev/null
	cp "$frag" "$out/.fragment"
}

tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
src=$CACHE/debug/src-$srcver
if [ ! -e "$src/.done" ]; then
	log "unpacking $tarball"
	rm -rf "$src"
	mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xf "$tarball"
	touch "$src/.done"
fi

if [ -e "$out/.config" ] && cmp -s "$frag" "$out/.fragment"; then
	log "finishing debug kernel $key"
else
	log "configuring debug kernel $key"
	rm -rf "$out"
	mkdir -p "$out"
	configure
fi


# Every line of the fragment must have survived olddefconfig: a silently
# dropped option would make the tests weaker than they claim.
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$out/.config" && { log "dropped: $line"; bad=1; }
	else
		grep -qx "$line" "$out/.config" || { log "dropped: $line"; bad=1; }
	fi
done <"$frag"
[ "$bad" = 0 ] || die "the debug config fragment does not apply cleanly"

log "building debug kernel in $out (tens of minutes on 2 cores)"
# "modules" too: it writes Module.symvers, which module builds need
make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; die "debug kernel build failed"; }
touch "$out/.done"
ln -sfn "$key" "$CACHE/debug/current"
log "debug kernel ready: $out"
echo "$out"
