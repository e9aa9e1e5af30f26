#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch --no-tree -f --strict over the given files; exceptions, each
# with its reason, are in .checkpatch.conf.  checkpatch.pl comes from the
# kernel source package (scripts/provision.sh unpacks it into the cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cp=$CACHE/checkpatch/scripts/checkpatch.pl
[ -x "$cp" ] || die "no checkpatch.pl at $cp (run scripts/provision.sh)"
cd "$here/.."
status=0
for f in "$@"; do
	"$cp" --no-tree -f --strict --quiet --show-types "$f" || status=1
done
exit $status
