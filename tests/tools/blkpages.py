#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Page-granular block device operations for the guest suites, done in
one process (spawning dd per page is far too slow under emulation).

  blkpages.py discard DEV STEP KEEP   in each group of STEP pages, discard
                                      all but the first KEEP
  blkpages.py expect-discard SRC STEP KEEP OUT
                                      write OUT: SRC with those pages zeroed
  blkpages.py write-each DEV SRC OKLIST
                                      write SRC page by page (O_DIRECT);
                                      list the indexes that succeeded
  blkpages.py verify-either DEV OLD NEW OKLIST
                                      each page must equal NEW if listed,
                                      else OLD; exit 1 otherwise
  blkpages.py churn DEV PAGES SEED    of the first PAGES pages, overwrite a
                                      random half with zeroes (O_DIRECT),
                                      then discard a random quarter; the
                                      same SEED picks the same pages
  blkpages.py churn-expect SRC PAGES SEED OUT
                                      write OUT: SRC as churn leaves it
  blkpages.py unaligned DEV read|write PAGE FILE SHIFT [read|write ...]
                                      one page of the device to or from
                                      FILE, O_DIRECT, through a buffer that
                                      starts SHIFT bytes into a memory page
                                      (so the I/O spans two memory pages);
                                      more groups of four run in order
  blkpages.py open-cycles DEV SECONDS WORKER WORKERS
                                      for SECONDS: open the device, write
                                      64 KiB chunks (WORKER's share of
                                      them) and read each back, close;
                                      exit 1 on a short read, an error or
                                      a difference while open on a device
                                      that had a size; print the counts of
                                      checked chunks, sizeless opens and
                                      refused opens
"""
import errno
import fcntl
import mmap
import os
import random
import struct
import sys
import time

PG = 4096
BLKDISCARD = 0x1277


def discard(dev, step, keep):
    fd = os.open(dev, os.O_WRONLY)
    pages = os.lseek(fd, 0, os.SEEK_END) // PG
    for g in range(0, pages, step):
        n = min(step - keep, pages - g - keep)
        if n > 0:
            fcntl.ioctl(fd, BLKDISCARD, struct.pack('QQ', (g + keep) * PG, n * PG))
    os.close(fd)


def expect_discard(src, step, keep, out):
    data = bytearray(open(src, 'rb').read())
    for g in range(0, len(data) // PG, step):
        for p in range(g + keep, min(g + step, len(data) // PG)):
            data[p * PG:(p + 1) * PG] = bytes(PG)
    open(out, 'wb').write(data)


def write_each(dev, src, oklist):
    data = open(src, 'rb').read()
    buf = mmap.mmap(-1, PG)
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
    ok = []
    for i in range(len(data) // PG):
        buf.seek(0)
        buf.write(data[i * PG:(i + 1) * PG])
        try:
            os.pwrite(fd, buf, i * PG)
            ok.append(i)
        except OSError:
            pass
    os.close(fd)
    open(oklist, 'w').write(' '.join(map(str, ok)) + '\n')


def verify_either(dev, old, new, oklist):
    old = open(old, 'rb').read()
    new = open(new, 'rb').read()
    ok = set(int(x) for x in open(oklist).read().split())
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    buf = mmap.mmap(-1, PG)
    bad = 0
    for i in range(len(old) // PG):
        os.preadv(fd, [buf], i * PG)
        want = (new if i in ok else old)[i * PG:(i + 1) * PG]
        if buf[:] != want:
            print('page %d holds neither its %s data' % (i, 'new' if i in ok else 'old'))
            bad += 1
    os.close(fd)
    return 1 if bad else 0


def churn_pages(pages, seed):
    """The pages churn zeroes and the pages it discards"""
    rng = random.Random(seed)
    order = list(range(pages))
    rng.shuffle(order)
    return sorted(order[:pages // 2]), sorted(rng.sample(range(pages), pages // 4))


def churn(dev, pages, seed):
    zeroed, discarded = churn_pages(pages, seed)
    zero = mmap.mmap(-1, PG)
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
    for i in zeroed:
        os.pwrite(fd, zero, i * PG)
    for i in discarded:
        fcntl.ioctl(fd, BLKDISCARD, struct.pack('QQ', i * PG, PG))
    os.close(fd)


def churn_expect(src, pages, seed, out):
    data = bytearray(open(src, 'rb').read()[:pages * PG])
    zeroed, discarded = churn_pages(pages, seed)
    for i in zeroed + discarded:
        data[i * PG:(i + 1) * PG] = bytes(PG)
    open(out, 'wb').write(data)


def unaligned(dev, op, page, path, shift):
    area = mmap.mmap(-1, 2 * PG)
    buf = memoryview(area)[shift:shift + PG]
    if op == 'write':
        area[shift:shift + PG] = open(path, 'rb').read(PG)
        fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
        n = os.pwritev(fd, [buf], page * PG)
    else:
        fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
        n = os.preadv(fd, [buf], page * PG)
        open(path, 'wb').write(buf)
    os.close(fd)
    buf.release()
    if n != PG:
        print('page %d: %s of %d bytes' % (page, op, n))
        return 1
    return 0


def open_cycles(dev, seconds, worker, workers):
    chunk = 16 * PG
    wbuf = mmap.mmap(-1, chunk)
    rbuf = mmap.mmap(-1, chunk)
    end = time.monotonic() + seconds
    checked = sizeless = refused = 0
    i = worker
    while time.monotonic() < end:
        try:
            fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
        except OSError as e:
            if e.errno != errno.EBUSY:
                raise
            refused += 1
            time.sleep(0.001)
            continue
        try:
            size = os.lseek(fd, 0, os.SEEK_END)
            if size < chunk * workers:
                sizeless += 1
                continue
            # while the device is open it must keep its size and its data
            for _ in range(4):
                off = (i % (size // chunk // workers) * workers + worker) * chunk
                wbuf.seek(0)
                wbuf.write(os.urandom(chunk // 2) + bytes(chunk // 2))
                n = os.pwrite(fd, wbuf, off)
                m = os.preadv(fd, [rbuf], off)
                if n != chunk or m != chunk or rbuf[:] != wbuf[:]:
                    print('chunk at %d: wrote %d, read %d bytes, %s' %
                          (off, n, m, 'same' if rbuf[:] == wbuf[:] else 'different'))
                    return 1
                checked += 1
                i += 1
        finally:
            os.close(fd)
            # a gap between opens, for a reset to go through
            time.sleep(random.random() / 200)
    print(checked, sizeless, refused)
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == 'discard':
        discard(argv[2], int(argv[3]), int(argv[4]))
    elif cmd == 'expect-discard':
        expect_discard(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif cmd == 'write-each':
        write_each(argv[2], argv[3], argv[4])
    elif cmd == 'verify-either':
        return verify_either(argv[2], argv[3], argv[4], argv[5])
    elif cmd == 'churn':
        churn(argv[2], int(argv[3]), int(argv[4]))
    elif cmd == 'churn-expect':
        churn_expect(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif cmd == 'unaligned':
        ops = argv[3:]
        if not ops or len(ops) % 4:
            print(__doc__)
            return 2
        for i in range(0, len(ops), 4):
            if unaligned(argv[2], ops[i], int(ops[i + 1]), ops[i + 2],
                         int(ops[i + 3])):
                return 1
    elif cmd == 'open-cycles':
        return open_cycles(argv[2], float(argv[3]), int(argv[4]), int(argv[5]))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
