#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Model of the memory a zsmalloc pool uses for a data set, to compare the
zspage geometry of zsmalloc.c with the stock allocator's (4-page chains as
in Debian's 6.1, 8-page chains as in 6.12).

  zsm_geometry.py [--margin BYTES] [--max-pages N] FILE...

Each FILE is cut into 4 KiB pages, each page compressed on its own with the
lz4 and zstd command-line tools (their frame overhead subtracted), and the
pool's pages are counted for all of them stored, and again after a random
half of the pages is zeroed and a quarter discarded (the churn of
tests/tools/blkpages.py) and the pool is compacted.  The model assumes what
compaction reaches at best in both allocators: each class holds its
objects in as few zspages as they fit.  Same-filled pages take no memory;
pages that compress to the huge class size or more take a page each.
Prints the pages each allocator uses, ours against the better stock one.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

PG = 4096
MIN_SIZE = 32
STEP = PG >> 8
# what the command-line tools add to a one-block frame
TOOLS = {'lz4': (['lz4', '-q', '-m', '-1'], '.lz4', 19),
         'zstd': (['zstd', '-q', '-3', '--no-check'], '.zst', 9)}


def slot_sizes():
    n = (PG - MIN_SIZE + STEP - 1) // STEP + 1
    return [min(MIN_SIZE + i * STEP, PG) for i in range(n)]


def stock_geometry(max_pages):
    """Stock zsmalloc: the chain length with the best use, first wins"""
    geo = {}
    for s in slot_sizes():
        best, pages = 0, 1
        for k in range(1, max_pages + 1):
            used = (k * PG // s * s) * 100 // (k * PG)
            if used > best:
                best, pages = used, k
        geo[s] = (pages, pages * PG // s)
    return geo


def our_geometry(margin, max_pages):
    """zsmalloc.c's choose_geometry()"""
    geo = {}
    for s in slot_sizes():
        best, best_waste = 1, PG % s
        for k in range(2, max_pages + 1):
            waste = (k * PG) % s
            if waste * best + margin * k * best < best_waste * k:
                best, best_waste = k, waste
        geo[s] = (best, best * PG // s)
    return geo


def pool_pages(geo, objs):
    """Pages for objects of the sizes in @objs, classes merged as both do"""
    sizes = slot_sizes()
    owner, above = {}, None
    for s in reversed(sizes):
        owner[s] = owner[above] if above and geo[above] == geo[s] else s
        above = s
    huge = PG
    for s in reversed(sizes):
        if geo[s] != (1, 1):
            break
        huge = s
    huge_class_size = max(s for s in sizes if s < huge) + 1
    count, pages = {}, 0
    for size in objs:
        if size >= huge_class_size:
            pages += 1
            continue
        c = owner[next(s for s in sizes if s >= max(size, MIN_SIZE))]
        count[c] = count.get(c, 0) + 1
    for c, n in count.items():
        per_pages, per_objs = geo[c]
        pages += -(-n // per_objs) * per_pages
    return pages


def compressed_sizes(data, tool):
    cmd, ext, overhead = TOOLS[tool]
    with tempfile.TemporaryDirectory() as d:
        names = []
        for i in range(len(data) // PG):
            name = os.path.join(d, 'p%06d' % i)
            with open(name, 'wb') as f:
                f.write(data[i * PG:(i + 1) * PG])
            names.append(name)
        for at in range(0, len(names), 1000):
            subprocess.run(cmd + names[at:at + 1000], check=True)
        return [os.path.getsize(n + ext) - overhead for n in names]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--margin', type=int, default=PG * 7 // 128)
    ap.add_argument('--max-pages', type=int, default=6)
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    models = [('stock 4', stock_geometry(4)), ('stock 8', stock_geometry(8)),
              ('ours', our_geometry(a.margin, a.max_pages))]
    worse = 0
    for path in a.files:
        data = open(path, 'rb').read()
        n = len(data) // PG
        same = {i for i in range(n)
                if data[i * PG:(i + 1) * PG] == data[i * PG:i * PG + 8] * (PG // 8)}
        rng = random.Random(1)
        order = list(range(n))
        rng.shuffle(order)
        gone = set(order[:n // 2]) | set(rng.sample(range(n), n // 4))
        for tool in TOOLS:
            sizes = compressed_sizes(data, tool)
            stored = [sizes[i] for i in range(n) if i not in same]
            churned = [sizes[i] for i in range(n) if i not in same and i not in gone]
            res = {name: (pool_pages(g, stored), pool_pages(g, churned)) for name, g in models}
            for stage, k in (('stored', 0), ('churned', 1)):
                stock = min(res['stock 4'][k], res['stock 8'][k])
                ours = res['ours'][k]
                worse += ours > stock
                print('%-40s %-4s %-7s stock4 %6d stock8 %6d ours %6d  %+.1f %%' % (
                    os.path.basename(path)[:40], tool, stage, res['stock 4'][k],
                    res['stock 8'][k], ours, 100.0 * (ours / stock - 1)))
    return 1 if worse else 0


if __name__ == '__main__':
    sys.exit(main())
