#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The one list of the files the style checks read (make style, make check,
# check-all.sh).  Usage: sources.sh c|sh
#   c   C sources and headers, for checkpatch (not the *.mod.c files that
#       an in-tree build leaves)
#   sh  shell scripts, for shellcheck; each names its shell in its shebang
#       or, when it is only sourced, in a "shellcheck shell=" directive
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
case "${1:-}" in
c)
	for f in ./*.c ./*.h compat/*.h tests/kunit/*.c tests/kunit/*.h \
		tests/bench/limit/*.c; do
		[[ $f == *.mod.c ]] || echo "$f"
	done
	;;
sh)
	printf '%s\n' .ci/run compat/probe.sh debian/*.postinst scripts/*.sh \
		scripts/guest/demo scripts/guest/init tests/bench/guest.sh \
		tests/guest/*.sh
	;;
*)
	echo "usage: $0 c|sh" >&2
	exit 2
	;;
esac
