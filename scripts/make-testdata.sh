#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Test data made on the host once (the guest reads one big file over 9p
# much faster than thousands of small ones): real text files of this
# machine, in name order.  Prints the directory.
#   text       64 MiB of those files, concatenated
#   files.tar  a tar of the first 3000 of them
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

data=$CACHE/testdata
mkdir -p "$data"
if [ ! -s "$data/text" ]; then
	find /usr/share/doc /usr/include -type f -size -256k 2>/dev/null | sort |
		xargs cat 2>/dev/null | head -c $((64 << 20)) >"$data/text.tmp"
	mv "$data/text.tmp" "$data/text"
fi
if [ ! -s "$data/files.tar" ]; then
	find /usr/share/doc /usr/include -type f -size -256k 2>/dev/null | sort |
		head -n 3000 | tar -cf "$data/files.tar.tmp" -T - 2>/dev/null
	mv "$data/files.tar.tmp" "$data/files.tar"
fi
echo "$data"
