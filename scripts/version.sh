#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the module's version: the release in VERSION, plus the git commit
# (and "-dirty") when built from a git checkout.
dir=${1:-.}
ver=$(cat "$dir/VERSION" 2>/dev/null || echo 0)
if command -v git >/dev/null 2>&1 &&
   rev=$(git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null); then
	git -C "$dir" diff --quiet HEAD -- 2>/dev/null || rev="$rev-dirty"
	ver="$ver+g$rev"
fi
echo "$ver"
