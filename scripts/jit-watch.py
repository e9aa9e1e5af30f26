#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Watch a running test guest from the host, once a second.

Prints the CPU use of each QEMU thread, the host's CPU pressure, and how
many translation blocks QEMU invalidated and TLB entries it flushed since
the last sample (its monitor's "info jit"), with the lines of the guest's
console that mark the bench's progress (rounds, fio runs) as they appear.

Usage: start the guest with a monitor socket, e.g.
    ZT_QEMU_EXTRA="-monitor unix:/tmp/qmon.sock,server=on,wait=off" make bench ...
    scripts/jit-watch.py /tmp/qmon.sock tests/out/bench-run-6.12/console.log

"info jit" walks all of QEMU's translated code and stalls the guest while
it does (in a watched 6.12 bench the idle guest's longest wake-up delay
went from a few ms to 60-101 ms): a watched run's latency figures are
not valid; its throughput figures agreed with unwatched runs.
"""
import os
import re
import socket
import sys
import time

COUNTERS = ('TB invalidate count', 'TLB partial flushes', 'TLB full flushes')
MARKS = ('round ', 'fio-', 'swap-', 'mem-')


def qemu_pid(sock_path):
    """The QEMU process whose command line names sock_path."""
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/comm') as f:
                comm = f.read().strip()
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read()
        except OSError:
            continue
        if comm.startswith('qemu-system') and sock_path.encode() in cmd:
            return int(pid)
    return None


def thread_seconds(pid):
    """CPU seconds used so far by each thread of pid."""
    hz = os.sysconf('SC_CLK_TCK')
    res = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(')') + 2:].split()
        res[tid] = (int(fields[11]) + int(fields[12])) / hz
    return res


def read_to_prompt(sock):
    """What the monitor prints up to its next prompt."""
    buf = b''
    while not buf.rstrip().endswith(b'(qemu)'):
        data = sock.recv(65536)
        if not data:
            raise OSError('the monitor closed')
        buf += data
    return buf.decode(errors='replace')


def jit_counters(sock):
    sock.sendall(b'info jit\n')
    text = read_to_prompt(sock)
    res = {}
    for key in COUNTERS:
        m = re.search(re.escape(key) + r'\s+(\d+)', text)
        res[key] = int(m.group(1)) if m else 0
    return res


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: jit-watch.py MONITOR_SOCKET CONSOLE_LOG')
    sock_path, log_path = sys.argv[1:]
    while not os.path.exists(sock_path):
        time.sleep(0.5)
    pid = None
    while pid is None:
        time.sleep(0.5)
        pid = qemu_pid(sock_path)
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(sock_path)
    read_to_prompt(sock)	# the banner
    pos = 0
    was_cpu, was_jit, was_t = thread_seconds(pid), jit_counters(sock), time.time()
    while os.path.exists(f'/proc/{pid}'):
        time.sleep(1)
        try:
            cpu, jit, now = thread_seconds(pid), jit_counters(sock), time.time()
        except OSError:
            break
        busy = ['%.0f%%' % (100 * (cpu[t] - was_cpu[t]) / (now - was_t))
                for t in sorted(cpu) if t in was_cpu and cpu[t] - was_cpu[t] > 0.02 * (now - was_t)]
        try:
            with open('/proc/pressure/cpu') as f:
                psi = f.readline().split()[1]
        except OSError:
            psi = 'avg10=?'
        print('%s threads %s psi %s tb-invalidated %d tlb-flushed %d+%d' % (
            time.strftime('%T'), ','.join(busy), psi,
            *(jit[k] - was_jit[k] for k in COUNTERS)), flush=True)
        try:
            with open(log_path, 'rb') as f:
                f.seek(pos)
                new = f.read()
            pos += len(new)
        except OSError:
            new = b''
        for line in new.decode(errors='replace').splitlines():
            if line.startswith(MARKS):
                print('%s | %s' % (time.strftime('%T'), line), flush=True)
        was_cpu, was_jit, was_t = cpu, jit, now


if __name__ == '__main__':
    main()
