#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that no file of the module calls back into a file that calls it.

Usage: check-calls.py DIR

DIR is a tree in which the module was built.  Each object of the module
(each *.o but the linked zram.o and the *.mod.o) calls another when one of
its undefined symbols is a function the other defines.  A call cycle between
objects is reported with the calls that make it, and the exit status is 1.
References to data (the attribute structures that one attribute group
gathers) are not calls and do not count.
"""

import glob
import os
import subprocess
import sys


def symbols(obj):
    """The functions @obj defines and the symbols it leaves undefined."""
    out = subprocess.run(["nm", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "U":
            undefined.add(fields[1])
        elif len(fields) == 3 and fields[1] == "T":
            defined.add(fields[2])
    return defined, undefined


def cycles(graph):
    """The strongly connected components of @graph with more than one node."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph[node]:
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            comp = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                comp.append(top)
                if top == node:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().split("\n\n")[1])
    objs = sorted(o for o in glob.glob(os.path.join(sys.argv[1], "*.o"))
                  if not o.endswith(".mod.o") and
                  os.path.basename(o) != "zram.o")
    if len(objs) < 2:
        sys.exit(f"check-calls: no built objects in {sys.argv[1]}")
    syms = {os.path.basename(o): symbols(o) for o in objs}
    calls = {a: {b: sorted(syms[a][1] & syms[b][0]) for b in syms if b != a}
             for a in syms}
    graph = {a: [b for b, names in calls[a].items() if names] for a in syms}
    bad = cycles(graph)
    for comp in bad:
        print("call cycle: " + " <-> ".join(comp))
        for a in comp:
            for b in comp:
                if a != b and calls[a][b]:
                    print(f"    {a} calls {b}: {', '.join(calls[a][b])}")
    if bad:
        return 1
    print(f"no call cycles among {len(objs)} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
