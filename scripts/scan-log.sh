#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scan a guest's console log for kernel reports that fail a run: WARN, BUG,
# oops, panic, lockdep, KASAN, sleeping in atomic context, hung tasks,
# kmemleak.  Prints what it found; exit status 1 when anything was found.
log=$1
pat='WARNING:|BUG:|Oops|Kernel panic|KASAN|UBSAN|kernel BUG|'
pat+='possible circular locking|possible recursive locking|inconsistent lock state|'
pat+='lock held when returning|bad unlock balance|suspicious RCU usage|'
pat+='sleeping function called from invalid context|scheduling while atomic|'
pat+='blocked for more than|soft lockup|hard LOCKUP|'
pat+='kmemleak: [0-9]+ new suspected|Bad page state|Call Trace:'
if grep -naE "$pat" "$log" >&2; then
	echo "kernel reported a problem in $log" >&2
	exit 1
fi
exit 0
