#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Probe the target kernel's headers for the API shapes listed in
# compat/*.probes and print one -DNAME for each that is present.
#
# Version numbers lie on distribution kernels (Debian backports interfaces
# into its 6.1), so every decision is made from what the headers declare.
#
# A probes file holds lines "NAME header regex": NAME is defined when the
# extended regular expression matches a line of the header, looked up in the
# source tree first and then in the build tree.  '#' starts a comment.
#
# Usage: probe.sh SRCTREE OBJTREE
srctree=$1
objtree=$2
dir=$(dirname "$0")

cat "$dir"/*.probes | while read -r name header regex; do
	case "$name" in ''|'#'*) continue ;; esac
	for tree in "$srctree" "$objtree"; do
		file="$tree/$header"
		[ -f "$file" ] || continue
		if grep -Eq -- "$regex" "$file"; then
			printf ' -D%s' "$name"
		fi
		break
	done
done
