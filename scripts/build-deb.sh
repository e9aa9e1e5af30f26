#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the zram-backport-dkms Debian package from a copy of this tree
# (dpkg-buildpackage writes next to the source directory, so the copy keeps
# the clone's parent clean), then check it with lintian: any error or
# warning that debian/*.lintian-overrides does not justify fails the build.
#
# Usage: build-deb.sh [OUTDIR]   (default $CACHE/deb)
# Prints the path of the .deb on its last line.  The module's version
# string is the VERSION file's: the package is built reproducibly, with no
# git commit in it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

out=${1:-$CACHE/deb}
for tool in dpkg-buildpackage dh_dkms lintian; do
	command -v $tool >/dev/null ||
		die "$tool is missing: apt-get install dpkg-dev debhelper dh-dkms lintian"
done

version=$(cat "$top/VERSION")

rm -rf "$out"
mkdir -p "$out/build"
src=$out/build/zram-backport-$version
rsync -a --exclude .git --exclude /tests/out "$top/" "$src/"
log "building zram-backport-dkms $version"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	die "dpkg-buildpackage failed: $out/build.log"
fi
mv "$out"/build/*.deb "$out"/build/*.changes "$out"/build/*.buildinfo "$out/"
rm -rf "$out/build"

deb=$(ls "$out"/zram-backport-dkms_*.deb)
log "lintian $(basename "$deb")"
if ! lintian --fail-on error,warning --info "$out"/*.changes >&2; then
	die "lintian found problems in $deb"
fi
echo "$deb"
