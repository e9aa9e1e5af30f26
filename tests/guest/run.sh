#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the test runner: run the named suites and write TAP to
# /run/results/results.tap (and the console).  Each suite is a file
# tests/guest/<suite>.sh defining functions named test_*; each function is
# one test case, run in its own subshell with `set -e` after the previous
# case's cleanup.  A case passes when its function returns 0.
#
# Usage (inside the guest): tests/guest/run.sh SUITE[.CASE]...
# SUITE.CASE runs that one case of the suite (run-tests.sh --suites takes
# the same names).
set -u
cd "$(dirname "$0")"
. ./lib.sh

tap=/run/results/results.tap
: >"$tap"
status=0
n=0

emit() { echo "$*" | tee -a "$tap"; }

for arg in "$@"; do
	suite=${arg%%.*}
	only=
	[ "$suite" = "$arg" ] || only=${arg#*.}
	emit "# suite $arg on $(uname -r)"
	if [ ! -f "$suite.sh" ]; then
		n=$((n + 1))
		emit "not ok $n $suite: no such suite"
		status=1
		continue
	fi
	cases=$(bash -c ". ./lib.sh; . ./$suite.sh; declare -F" |
		awk -v only="$only" '$3 ~ /^test_/ && (only == "" || $3 == only) { print $3 }')
	if [ -z "$cases" ]; then
		n=$((n + 1))
		emit "not ok $n $arg: no such case"
		status=1
		continue
	fi
	for c in $cases; do
		n=$((n + 1))
		emit "# start $suite.$c"
		start=$(date +%s)
		rm -f /tmp/zt-skip
		(
			set -e
			. ./lib.sh
			# shellcheck source=/dev/null
			. "./$suite.sh"
			trap zt_cleanup EXIT
			"$c"
		) 2>&1 | sed "s/^/    [$c] /"
		rc=${PIPESTATUS[0]}
		took=$(($(date +%s) - start))
		if [ "$rc" = 0 ]; then
			emit "ok $n $suite.$c # ${took}s"
		elif [ "$rc" = 77 ] && [ -f /tmp/zt-skip ]; then
			emit "ok $n $suite.$c # SKIP $(cat /tmp/zt-skip)"
		else
			emit "not ok $n $suite.$c # ${took}s rc=$rc"
			status=1
		fi
	done
done
emit "1..$n"
exit $status
