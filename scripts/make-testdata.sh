#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Test data made on the host once (the guest reads one big file over 9p
# much faster than thousands of small ones): real text files of this
# machine, in name order.  Prints the directory.
#   text       64 MiB of those files, concatenated
#   files.tar  a tar of the first 3000 of them
#   binmix     32 MiB of shared libraries and gzip'ed documents, one of
#              each in turn: code and data with pages that do not compress
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

data=$CACHE/testdata
mkdir -p "$data"

# Candidate files, NUL-separated, in name order
files() {
	find /usr/share/doc /usr/include -type f -size -256k -print0 2>/dev/null |
		LC_ALL=C sort -z
}

# head stops reading once it has enough, and what feeds it then dies of
# SIGPIPE: the status of these pipelines is that of their last command.
set +o pipefail
if [ ! -s "$data/text" ]; then
	files | xargs -0 cat 2>/dev/null | head -c $((64 << 20)) >"$data/text.tmp"
	[ -s "$data/text.tmp" ] || die "no text files found for $data/text"
	mv "$data/text.tmp" "$data/text"
fi
if [ ! -s "$data/files.tar" ]; then
	files | head -z -n 3000 | tar -cf "$data/files.tar.tmp" --null -T - 2>/dev/null
	[ -s "$data/files.tar.tmp" ] || die "no files found for $data/files.tar"
	mv "$data/files.tar.tmp" "$data/files.tar"
fi
if [ ! -s "$data/binmix" ]; then
	paste -d '\n' \
		<(find /usr/lib/x86_64-linux-gnu /usr/lib -maxdepth 1 -type f \
			-name '*.so*' 2>/dev/null | LC_ALL=C sort) \
		<(find /usr/share/doc -type f -name '*.gz' 2>/dev/null |
			LC_ALL=C sort) |
		grep . | tr '\n' '\0' | xargs -0 cat 2>/dev/null |
		head -c $((32 << 20)) >"$data/binmix.tmp"
	[ -s "$data/binmix.tmp" ] || die "no files found for $data/binmix"
	mv "$data/binmix.tmp" "$data/binmix"
fi
set -o pipefail
echo "$data"
