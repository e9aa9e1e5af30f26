// SPDX-License-Identifier: GPL-2.0
/*
 * The physical limit for `make bench`: the kernel's own lz4 and zstd
 * libraries on a file, in 4 KiB blocks, on the loading CPU, with nothing
 * of zram around them.  zram's device throughput on the same kind of data
 * in the same boot is then reported as a fraction of this.
 *
 *   insmod zram_limit.ko path=FILE alg=lz4|zstd|crc32c [level=N] [msecs=N]
 *
 * Each block is compressed, then every block is decompressed and compared
 * with the file once, then both passes repeat until msecs have passed for
 * each.  One line goes to the kernel log:
 *
 *   zram_limit: alg=lz4 level=1 blocks=4096 stored=51 comp_mbs=410 decomp_mbs=1650
 *
 * where stored is the compressed size in percent of the input.  Loading
 * fails with EIO if a block does not decompress to what it was.
 *
 * alg=crc32c times the checksum zram keeps with checksum=crc32c instead,
 * the same function the module calls (compat/crc.h), over every block for
 * msecs:
 *
 *   zram_limit: alg=crc32c blocks=4096 sum_mbs=2900
 *
 * Loading fails with EIO if the function does not give the CRC32C of the
 * standard check string.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/lz4.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/zstd.h>

#include "compat/crc.h"

static char *path;
module_param(path, charp, 0444);
MODULE_PARM_DESC(path, "file to compress (up to 64 MiB)");
static char *alg = "lz4";
module_param(alg, charp, 0444);
MODULE_PARM_DESC(alg, "lz4, zstd or crc32c");
static int level = -1;
module_param(level, int, 0444);
MODULE_PARM_DESC(level, "lz4 acceleration or zstd level (default: what zram uses, 1 and 3)");
static unsigned int msecs = 2000;
module_param(msecs, uint, 0444);
MODULE_PARM_DESC(msecs, "time for each of compression and decompression");

#define LIM_BLOCK	4096
#define LIM_MAX_FILE	(64 << 20)

struct lim {
	bool zstd;
	size_t room;			/* a compressed block's worst case */
	void *lz4_mem;
	void *cws, *dws;
	zstd_cctx *cctx;
	zstd_dctx *dctx;
	zstd_parameters zp;
};

static int lim_setup(struct lim *l)
{
	size_t sz;

	if (!strcmp(alg, "lz4")) {
		if (level < 0)
			level = 1;
		l->room = LZ4_compressBound(LIM_BLOCK);
		l->lz4_mem = kvmalloc(LZ4_MEM_COMPRESS, GFP_KERNEL);
		return l->lz4_mem ? 0 : -ENOMEM;
	}
	if (strcmp(alg, "zstd"))
		return -EINVAL;
	l->zstd = true;
	if (level < 0)
		level = 3;
	l->room = zstd_compress_bound(LIM_BLOCK);
	l->zp = zstd_get_params(level, LIM_BLOCK);
	sz = zstd_cctx_workspace_bound(&l->zp.cParams);
	l->cws = kvzalloc(sz, GFP_KERNEL);
	if (!l->cws)
		return -ENOMEM;
	l->cctx = zstd_init_cctx(l->cws, sz);
	sz = zstd_dctx_workspace_bound();
	l->dws = kvzalloc(sz, GFP_KERNEL);
	if (!l->dws)
		return -ENOMEM;
	l->dctx = zstd_init_dctx(l->dws, sz);
	return l->cctx && l->dctx ? 0 : -EINVAL;
}

static void lim_free(struct lim *l)
{
	kvfree(l->lz4_mem);
	kvfree(l->cws);
	kvfree(l->dws);
}

/* The compressed length, or 0 when the block did not compress */
static unsigned int lim_compress(struct lim *l, const void *src, void *dst)
{
	size_t ret;

	if (!l->zstd) {
		int n = LZ4_compress_fast(src, dst, LIM_BLOCK, l->room, level,
					  l->lz4_mem);

		return n > 0 ? n : 0;
	}
	ret = zstd_compress_cctx(l->cctx, dst, l->room, src, LIM_BLOCK, &l->zp);
	return zstd_is_error(ret) ? 0 : ret;
}

static bool lim_decompress(struct lim *l, const void *src, unsigned int len,
			   void *dst)
{
	size_t ret;

	if (!l->zstd)
		return LZ4_decompress_safe(src, dst, len, LIM_BLOCK) == LIM_BLOCK;
	ret = zstd_decompress_dctx(l->dctx, dst, LIM_BLOCK, src, len);
	return !zstd_is_error(ret) && ret == LIM_BLOCK;
}

struct lim_blocks {
	const u8 *data;			/* the file */
	u8 *out;			/* block i compressed at i * room */
	unsigned int *len;		/* and its length */
	unsigned int n;
};

/* Compress every block, over and over for msecs; MB/s */
static u64 lim_time_compress(struct lim *l, struct lim_blocks *b)
{
	u64 bytes = 0, ns, start = ktime_get_ns();
	unsigned int i;

	do {
		for (i = 0; i < b->n; i++) {
			b->len[i] = lim_compress(l, b->data + (size_t)i * LIM_BLOCK,
						 b->out + (size_t)i * l->room);
			cond_resched();
		}
		bytes += (u64)b->n * LIM_BLOCK;
		ns = ktime_get_ns() - start;
	} while (ns < (u64)msecs * NSEC_PER_MSEC);
	return div64_u64(bytes * 1000, ns);
}

/* Decompress every block, over and over for msecs; MB/s */
static u64 lim_time_decompress(struct lim *l, struct lim_blocks *b, u8 *page)
{
	u64 bytes = 0, ns, start = ktime_get_ns();
	unsigned int i;

	do {
		for (i = 0; i < b->n; i++) {
			lim_decompress(l, b->out + (size_t)i * l->room,
				       b->len[i], page);
			cond_resched();
		}
		bytes += (u64)b->n * LIM_BLOCK;
		ns = ktime_get_ns() - start;
	} while (ns < (u64)msecs * NSEC_PER_MSEC);
	return div64_u64(bytes * 1000, ns);
}

static int lim_run(struct lim *l, const u8 *data, unsigned int n)
{
	struct lim_blocks b = { .data = data, .n = n };
	u64 comp, decomp, stored = 0;
	unsigned int i;
	u8 *page;
	int ret = -ENOMEM;

	b.len = kvcalloc(n, sizeof(*b.len), GFP_KERNEL);
	b.out = vmalloc(array_size(n, l->room));
	page = kmalloc(LIM_BLOCK, GFP_KERNEL);
	if (!b.len || !b.out || !page)
		goto out;

	comp = lim_time_compress(l, &b);
	ret = -EIO;
	for (i = 0; i < n; i++) {
		if (!b.len[i] ||
		    !lim_decompress(l, b.out + (size_t)i * l->room, b.len[i], page) ||
		    memcmp(page, data + (size_t)i * LIM_BLOCK, LIM_BLOCK)) {
			pr_err("block %u did not come back as it was\n", i);
			goto out;
		}
		stored += b.len[i];
	}
	decomp = lim_time_decompress(l, &b, page);
	pr_info("alg=%s level=%d blocks=%u stored=%llu comp_mbs=%llu decomp_mbs=%llu\n",
		alg, level, n, div64_u64(stored * 100, (u64)n * LIM_BLOCK),
		comp, decomp);
	ret = 0;
out:
	kfree(page);
	vfree(b.out);
	kvfree(b.len);
	return ret;
}

/* CRC32C of "123456789", the check value every implementation must give */
#define LIM_CRC_CHECK	0xe3069283

/* Every block's checksum, over and over for msecs; MB/s */
static int lim_run_crc32c(const u8 *data, unsigned int n)
{
	u64 bytes = 0, ns, start;
	u32 crc;
	unsigned int i;

	crc = compat_crc32c(~0U, "123456789", 9) ^ ~0U;
	if (crc != LIM_CRC_CHECK) {
		pr_err("crc32c gave %08x for the check string, not %08x\n",
		       crc, LIM_CRC_CHECK);
		return -EIO;
	}
	start = ktime_get_ns();
	do {
		for (i = 0; i < n; i++) {
			compat_crc32c(~0U, data + (size_t)i * LIM_BLOCK, LIM_BLOCK);
			cond_resched();
		}
		bytes += (u64)n * LIM_BLOCK;
		ns = ktime_get_ns() - start;
	} while (ns < (u64)msecs * NSEC_PER_MSEC);
	pr_info("alg=crc32c blocks=%u sum_mbs=%llu\n", n,
		div64_u64(bytes * 1000, ns));
	return 0;
}

/*
 * The file, read whole into a vmalloc()ed buffer.  Plain kernel_read(),
 * not kernel_read_file(): that one asks the security modules about a
 * reading of an unknown kind, and IPE (6.12) warns at every such request.
 */
static ssize_t lim_read_file(void **data)
{
	struct file *f;
	loff_t size, pos = 0;
	ssize_t n = -EFBIG;
	void *buf;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size > LIM_MAX_FILE)
		goto out;
	n = -ENOMEM;
	buf = vmalloc(size ?: 1);
	if (!buf)
		goto out;
	while (pos < size) {
		n = kernel_read(f, buf + pos, size - pos, &pos);
		if (n <= 0)
			break;
	}
	if (pos < size) {
		vfree(buf);
		n = n < 0 ? n : -EIO;
		goto out;
	}
	*data = buf;
	n = size;
out:
	filp_close(f, NULL);
	return n;
}

static int __init zram_limit_init(void)
{
	struct lim l = { };
	void *data;
	ssize_t n;
	int ret;

	if (!path)
		return -EINVAL;
	n = lim_read_file(&data);
	if (n < 0)
		return n;
	ret = -EINVAL;
	if (n < LIM_BLOCK)
		goto out;
	if (!strcmp(alg, "crc32c")) {
		ret = lim_run_crc32c(data, n / LIM_BLOCK);
		goto out;
	}
	ret = lim_setup(&l);
	if (!ret)
		ret = lim_run(&l, data, n / LIM_BLOCK);
	lim_free(&l);
out:
	vfree(data);
	return ret;
}

static void __exit zram_limit_exit(void)
{
}

module_init(zram_limit_init);
module_exit(zram_limit_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("make bench: the kernel's compressors and CRC32C alone, in 4 KiB blocks");
