#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the CSV of a `make bench` run into a Markdown table and a chart.

Input lines: workload,metric,unit,better,module,round,value
(better: "higher" or "lower"; module: "stock", "ours", "limit", or "none"
and "crc32c" for the checksum workload).

For each workload and metric the table shows the median over the rounds
for each module, ours/stock, and the spread between rounds: the largest,
over both modules, of (max - min) / median.  A ratio whose distance from
1 is within that spread is reported as "same", unless the two modules'
rounds do not overlap at all (every round of one beats every round of the
other: a heavy-tailed metric such as a maximum latency has a wide spread
but can still be told apart).  A difference under 1 % is "same" whatever
the spread: -icount runs repeat so closely that rounds of two modules
doing the same work can still be apart, and such a difference means
nothing for users.  With one round there is no spread to
judge by and the verdict says so.

Rows of module "limit" (the kernel's compressors alone, tests/bench/limit)
get a table of their own: each module's device throughput on the same kind
of data as a fraction of them.  So do the rows of modules "none" and
"crc32c" (ours without and with checksums, workload csum): crc32c/none.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def load(path):
    rows = {}
    order = []
    with open(path) as f:
        for r in csv.reader(f):
            if len(r) != 7:
                continue
            key = (r[0], r[1])
            if key not in rows:
                rows[key] = {'unit': r[2], 'better': r[3], 'stock': [], 'ours': []}
                order.append(key)
            rows[key].setdefault(r[4], []).append(float(r[6]))
    return order, rows


def spread(values):
    med = statistics.median(values)
    if len(values) < 2 or med == 0:
        return None
    return (max(values) - min(values)) / abs(med)


def judge(row):
    s, o = row['stock'], row['ours']
    if not s or not o:
        return None
    sm, om = statistics.median(s), statistics.median(o)
    ratio = om / sm if sm else (1.0 if om == 0 else float('inf'))
    sp = [x for x in (spread(s), spread(o)) if x is not None]
    noise = max(sp) if sp else None
    if abs(ratio - 1) < 0.01:
        verdict = 'same'
    elif noise is None:
        verdict = 'one round: no noise figure'
    elif abs(ratio - 1) <= noise and max(s) >= min(o) and max(o) >= min(s):
        verdict = 'same'
    else:
        good = ratio > 1 if row['better'] == 'higher' else ratio < 1
        verdict = 'better' if good else 'worse'
    return sm, om, ratio, noise, verdict


def fmt(x):
    if x == 0 or abs(x) >= 100:
        return '%.0f' % x
    if abs(x) >= 10:
        return '%.1f' % x
    return '%.3g' % x


# The device figure set beside each limit, and the fraction it should reach
LIMIT_PAIRS = [
    ('compress', 'seqwrite1m', 0.80),
    ('compress', 'randwrite4k', 0.80),
    ('decompress', 'seqread1m', 0.70),
    ('decompress', 'randread4k', 0.70),
]


def limit_table(rows):
    algs = [k[0][len('limit-half-'):] for k in rows
            if k[0].startswith('limit-half-') and k[1] == 'compress']
    if not algs:
        return []
    out = ['## Against the physical limit', '',
           'The kernel\'s own compressor on data of the same kind, in 4 KiB '
           'blocks on one CPU, in the same boot (tests/bench/limit), and each '
           'module\'s device throughput with 1 job as a fraction of it.  The '
           '1 MiB runs show the device; the 4 KiB runs add a system call and '
           'a block request per page.', '',
           '| algorithm | limit | MB/s | device run | stock MB/s | ours MB/s '
           '| stock/limit | ours/limit | target |',
           '|---|---|---:|---|---:|---:|---:|---:|---:|']
    for alg in algs:
        for what, pat, target in LIMIT_PAIRS:
            lim = rows.get(('limit-half-' + alg, what))
            dev = rows.get(('fio-%s-1j-half-%s' % (pat, alg), 'throughput'))
            if not lim or not dev:
                continue
            lm = statistics.median(lim['limit'])
            med = {m: statistics.median(dev[m]) if dev.get(m) else None
                   for m in ('stock', 'ours')}
            out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %.2f |' % (
                alg, what, fmt(lm), pat,
                *(fmt(med[m]) if med[m] is not None else '-' for m in ('stock', 'ours')),
                *('%.2f' % (med[m] / lm) if med[m] is not None and lm else '-'
                  for m in ('stock', 'ours')),
                target))
    if len(out) == 6:
        return []  # no device run of the same kind
    out.append('')
    return out


def csum_table(rows):
    """Workloads csum-*: ours with checksum=crc32c against ours with none."""
    keys = [k for k in rows if 'crc32c' in rows[k] and rows[k].get('none')]
    if not keys:
        return []
    out = ['## What checksums cost', '',
           'Ours with `checksum=crc32c` against ours with `checksum=none`, '
           'one after the other in the same boot (workload csum).', '',
           '| workload | metric | unit | none | crc32c | crc32c/none | spread |',
           '|---|---|---|---:|---:|---:|---:|']
    for key in keys:
        row = rows[key]
        nm, cm = (statistics.median(row[m]) for m in ('none', 'crc32c'))
        sp = [x for x in (spread(row['none']), spread(row['crc32c']))
              if x is not None]
        out.append('| %s | %s | %s | %s | %s | %.2f | %s |' % (
            key[0], key[1], row['unit'], fmt(nm), fmt(cm),
            cm / nm if nm else float('inf'),
            '%.0f %%' % (max(sp) * 100) if sp else '-'))
    out.append('')
    out += csum_limit_table(rows)
    return out


def csum_limit_table(rows):
    """The checksum alone (limit-half-crc32c) against the compressors alone."""
    crc = rows.get(('limit-half-crc32c', 'checksum'))
    if not crc or not crc.get('limit'):
        return []
    cm = statistics.median(crc['limit'])
    out = ['CRC32C alone over the same 4 KiB blocks on one CPU: %s MB/s '
           '(tests/bench/limit, the function the module calls).  Per page, '
           'a write adds one checksum to one compression and a read one to '
           'one decompression.  The time of a checksum as a fraction of the '
           'compressor\'s time, the most checksums can cost where the '
           'compressor is the whole work:' % fmt(cm), '',
           '| algorithm | compress MB/s | checksum time / compress time | '
           'decompress MB/s | checksum time / decompress time |',
           '|---|---:|---:|---:|---:|']
    for key in rows:
        if not key[0].startswith('limit-half-') or key[1] != 'compress':
            continue
        alg = key[0][len('limit-half-'):]
        dec = rows.get((key[0], 'decompress'))
        comp = statistics.median(rows[key]['limit'])
        dm = statistics.median(dec['limit']) if dec else None
        out.append('| %s | %s | %s | %s | %s |' % (
            alg, fmt(comp), '%.3f' % (comp / cm) if cm else '-',
            fmt(dm) if dm else '-', '%.3f' % (dm / cm) if dm and cm else '-'))
    out.append('')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('csv')
    ap.add_argument('--title', default='zram benchmark')
    ap.add_argument('--meta', action='append', default=[])
    ap.add_argument('--md', required=True)
    ap.add_argument('--png')
    a = ap.parse_args()

    order, rows = load(a.csv)
    lines = ['<!-- SPDX-License-Identifier: GPL-2.0 -->', '# ' + a.title, '']
    lines += ['- ' + m for m in a.meta]
    lines += ['- rows: median over the rounds; ours/stock > 1 is better where '
              'higher is better, < 1 where lower is; spread: the largest '
              '(max - min) / median of either module between rounds', '']
    head = len(lines)
    lines += ['| workload | metric | unit | better | stock | ours | ours/stock | spread | verdict |',
              '|---|---|---|---|---:|---:|---:|---:|---|']
    chart = []
    for key in order:
        row = rows[key]
        if 'limit' in row or 'crc32c' in row:
            continue
        j = judge(row)
        if j is None:
            lines.append('| %s | %s | %s | %s | %s | %s | | | missing |' % (
                key[0], key[1], row['unit'], row['better'],
                fmt(statistics.median(row['stock'])) if row['stock'] else '-',
                fmt(statistics.median(row['ours'])) if row['ours'] else '-'))
            continue
        sm, om, ratio, noise, verdict = j
        lines.append('| %s | %s | %s | %s | %s | %s | %.2f | %s | %s |' % (
            key[0], key[1], row['unit'], row['better'], fmt(sm), fmt(om), ratio,
            '%.0f %%' % (noise * 100) if noise is not None else '-', verdict))
        # the chart shows how much better ours is: >1 better either way
        gain = ratio if row['better'] == 'higher' else (1 / ratio if ratio else 0)
        chart.append(('%s %s' % key, gain, noise or 0))
    if len(lines) == head + 2:
        del lines[head:]  # only rows of the tables below
    lines.append('')
    lines += limit_table(rows)
    lines += csum_table(rows)
    with open(a.md, 'w') as f:
        f.write('\n'.join(lines))

    if a.png and chart:
        if not shutil.which('gnuplot'):
            print('bench-report: gnuplot not found, no chart', file=sys.stderr)
            return 0
        with tempfile.TemporaryDirectory() as d:
            dat = os.path.join(d, 'data')
            with open(dat, 'w') as f:
                for i, (label, gain, noise) in enumerate(chart):
                    f.write('%d "%s" %f %f %f\n' % (i, label, gain, 1 + noise, 1 - noise))
            n = len(chart)
            script = '\n'.join([
                'set terminal pngcairo size 1200,%d font ",9"' % (120 + 18 * n),
                'set output "%s"' % a.png,
                'set title "ours against stock: >1 means ours is better'
                ' (grey: the noise between rounds)"',
                'set style fill solid 0.6',
                'set yrange [-1:%d]' % n,
                'set ytics out nomirror',
                'set xlabel "gain: ours/stock, inverted where lower is better"',
                'set grid x',
                'set logscale x 2',
                'unset key',
                'set arrow from 1,-1 to 1,%d nohead dt 2' % n,
                'plot "%s" using 5:1:5:4:($1-0.4):($1+0.4) with boxxyerrorbars'
                ' lc rgb "#dddddd", \\' % dat,
                '     "%s" using 3:1:(1):3:($1-0.3):($1+0.3):ytic(2) with'
                ' boxxyerrorbars lc rgb "#4a7bb7"' % dat,
                ''])
            subprocess.run(['gnuplot'], input=script, text=True, check=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
