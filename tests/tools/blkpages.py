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
"""
import fcntl
import mmap
import os
import random
import struct
import sys

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
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
