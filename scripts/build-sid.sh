#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build zram.ko against Debian sid's kernel (KSID_ABI in scripts/kernels.conf)
# inside the sid build root of scripts/sid-root.sh.  Kept for its name: it
# is scripts/build-module.sh sid, which does the work.
#
# Usage: build-sid.sh   Prints the path of zram.ko.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
exec nice -n 19 "$here/build-module.sh" sid
