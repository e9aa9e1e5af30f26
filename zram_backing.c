// SPDX-License-Identifier: GPL-2.0
/*
 * zram's backing device: the block device that writeback (zram_writeback.c)
 * moves slots to, its blocks, and the reads of the slots that live there.
 *
 * A bit per block of the backing device says whether a written-back slot
 * owns it.  Only the run sets bits; the slot's owner clears its bit when
 * the slot is freed, overwritten or reset, from any context (atomic bit
 * operations), so a block is never handed out twice nor lost.
 *
 * A block holds the page itself, or, with compressed_writeback, the
 * slot's compressed object followed by zeroes.  The slot keeps its size
 * and algorithm priority, so a read knows which: size PAGE_SIZE means the
 * page itself.  Reads of written-back slots are synchronous (see
 * bd_read()); every other slot is still read from memory.
 */

#include <linux/bio.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zcomp.h"
#include "zram_pp.h"
#include "zram_pp_priv.h"
#include "zram_slot.h"

/* Reads of written-back slots are submitted from here: see bd_read() */
static struct workqueue_struct *zram_bd_read_wq;

int zram_bd_init(void)
{
	zram_bd_read_wq = alloc_workqueue("zram_bd_read",
					  WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return zram_bd_read_wq ? 0 : -ENOMEM;
}

void zram_bd_exit(void)
{
	destroy_workqueue(zram_bd_read_wq);
}

/* Close the backing device, if any; every slot gave its block back */
void zram_bd_release(struct zram_pp *pp)
{
	/* every written-back slot returned its block before this */
	WARN_ON_ONCE(pp->bitmap && !bitmap_empty(pp->bitmap, pp->nr_blocks));
	if (pp->bdev_file)
		fput(pp->bdev_file);
	kvfree(pp->bitmap);
	kfree(pp->bdev_path);
	pp->bdev_file = NULL;
	pp->bdev_path = NULL;
	pp->bitmap = NULL;
	pp->nr_blocks = 0;
	pp->next_block = 0;
}

/*
 * Backing-device blocks
 */

/* Take a free block; false when the device is full.  The run's own. */
bool zram_bd_alloc_block(struct zram_pp *pp, unsigned long *block)
{
	unsigned long blk = pp->next_block;
	int pass;

	/* from the hint to the end, then from the start */
	for (pass = 0; pass < 2; pass++, blk = 0) {
		while ((blk = find_next_zero_bit(pp->bitmap, pp->nr_blocks,
						 blk)) < pp->nr_blocks) {
			if (!test_and_set_bit(blk, pp->bitmap)) {
				pp->next_block = blk + 1;
				*block = blk;
				return true;
			}
		}
	}
	return false;
}

void zram_bd_put_block(struct zram_pp *pp, unsigned long block)
{
	WARN_ON_ONCE(!test_and_clear_bit(block, pp->bitmap));
}

/* A written-back slot is being emptied: any context, slot locked */
void zram_pp_release_block(struct zram *zram, unsigned long block)
{
	struct zram_pp *pp = zram_pp_of(zram);

	zram_bd_put_block(pp, block);
	atomic64_dec(&pp->bd_count);
}

/*
 * Reading written-back slots
 */
struct bd_read {
	struct work_struct work;
	struct block_device *bdev;
	struct page *page;
	unsigned long block;
	int ret;
};

static void bd_read_fn(struct work_struct *work)
{
	struct bd_read *rd = container_of(work, struct bd_read, work);
	unsigned int noio = memalloc_noio_save();
	struct bio_vec bvec;
	struct bio bio;

	bio_init(&bio, rd->bdev, &bvec, 1, REQ_OP_READ);
	bio.bi_iter.bi_sector = (sector_t)rd->block <<
				ZRAM_SECTORS_PER_SLOT_SHIFT;
	__bio_add_page(&bio, rd->page, PAGE_SIZE, 0);
	rd->ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
	memalloc_noio_restore(noio);
}

/*
 * Read a block into @page and wait for it.  The bio goes out from a
 * worker: the caller may be inside the block layer's submission of a bio
 * to zram, where a bio for another device is only queued until that
 * submission returns, so waiting for it there would never end.
 */
static int bd_read(struct zram *zram, unsigned long block, struct page *page)
{
	struct zram_pp *pp = zram_pp_of(zram);
	struct bd_read rd = {
		.bdev = file_bdev(pp->bdev_file),
		.page = page,
		.block = block,
	};

	INIT_WORK_ONSTACK(&rd.work, bd_read_fn);
	queue_work(zram_bd_read_wq, &rd.work);
	flush_work(&rd.work);
	destroy_work_on_stack(&rd.work);
	if (rd.ret) {
		atomic64_inc(&pp->bd_failed_reads);
		pr_err_ratelimited("%s: cannot read block %lu of the backing device: %d\n",
				   zram_name(zram), block, rd.ret);
		return -EIO;
	}
	atomic64_inc(&pp->bd_reads);
	return 0;
}

/* Decompress the @size bytes at the start of @raw into @page */
static int decompress_block(struct zram *zram, unsigned int prio,
			    struct page *raw, unsigned int size,
			    struct page *page)
{
	struct zcomp *comp = zram_comp(zram, prio);
	struct zcomp_dstrm *zdstrm;
	void *src, *dst;
	int ret;

	if (WARN_ON_ONCE(!comp))
		return -EIO;
	zdstrm = zcomp_dstream_get(comp);
	src = kmap_local_page(raw);
	dst = kmap_local_page(page);
	ret = zcomp_decompress(comp, zdstrm, src, size, dst);
	kunmap_local(dst);
	kunmap_local(src);
	zcomp_dstream_put(zdstrm);
	return ret ? -EIO : 0;
}

/*
 * Read a written-back slot into @page.  The slot is locked, so its block
 * can be neither freed nor reused meanwhile.
 */
int zram_pp_read_wb_slot(struct zram *zram, u32 index, struct page *page)
{
	unsigned long block = get_slot_handle(zram, index);
	unsigned int size = get_slot_size(zram, index);
	struct page *raw;
	int ret;

	if (size == PAGE_SIZE)
		return bd_read(zram, block, page);

	/* compressed writeback */
	raw = alloc_page(GFP_NOIO);
	if (!raw)
		return -ENOMEM;
	ret = bd_read(zram, block, raw);
	if (!ret)
		ret = decompress_block(zram, get_slot_prio(zram, index), raw,
				       size, page);
	__free_page(raw);
	return ret;
}

/* backing_dev: set only before init; the path it was given, or "none" */
static ssize_t backing_dev_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(zram_config_lock(zram));
	return sysfs_emit(buf, "%s\n", zram_pp_of(zram)->bdev_path ?: "none");
}

/* Open @path as the backing device, replacing any; init_lock held */
static int attach_backing_dev(struct zram *zram, const char *path)
{
	struct zram_pp *pp = zram_pp_of(zram);
	struct block_device *bdev;
	unsigned long nr_blocks;
	unsigned long *bitmap;
	struct file *file;
	char *name;
	int ret;

	file = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE,
				      zram, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	bdev = file_bdev(file);
	ret = -EINVAL;
	/* a zram device: its writeback would come back to zram */
	if (bdev->bd_disk->fops->owner == THIS_MODULE)
		goto put_file;
	nr_blocks = bdev_nr_bytes(bdev) >> PAGE_SHIFT;
	if (!nr_blocks)
		goto put_file;
	ret = -ENOMEM;
	bitmap = kvcalloc(BITS_TO_LONGS(nr_blocks), sizeof(long), GFP_KERNEL);
	if (!bitmap)
		goto put_file;
	name = kstrdup(path, GFP_KERNEL);
	if (!name)
		goto free_bitmap;

	zram_bd_release(pp);
	pp->bdev_file = file;
	pp->bdev_path = name;
	pp->bitmap = bitmap;
	pp->nr_blocks = nr_blocks;
	pr_info("%s: backing device %s, %lu blocks\n", zram_name(zram),
		name, nr_blocks);
	return 0;

free_bitmap:
	kvfree(bitmap);
put_file:
	fput(file);
	return ret;
}

static ssize_t backing_dev_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t len)
{
	char *copy __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	struct zram *zram = dev_to_zram(dev);
	char *path;
	int ret;

	if (!copy)
		return -ENOMEM;
	path = strim(copy);
	if (!*path)
		return -EINVAL;

	guard(rwsem_write)(zram_config_lock(zram));
	if (init_done(zram))
		return -EBUSY;
	ret = attach_backing_dev(zram, path);
	return ret ? ret : len;
}

/* bd_stat: blocks in use, read and written, in 4 KiB units */
static ssize_t bd_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));

	return sysfs_emit(buf, "%8llu %8llu %8llu\n",
			  (u64)atomic64_read(&pp->bd_count) *
			  ZRAM_UNITS_PER_SLOT,
			  (u64)atomic64_read(&pp->bd_reads) *
			  ZRAM_UNITS_PER_SLOT,
			  (u64)atomic64_read(&pp->bd_writes) *
			  ZRAM_UNITS_PER_SLOT);
}

/*
 * bd_errors: reads and writes of the backing device that failed, in 4 KiB
 * units.  A failed read is also a failed read of zram (io_stat); a failed
 * writeback is not a failed write to zram, and io_stat does not count it.
 */
static ssize_t bd_errors_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));

	return sysfs_emit(buf, "%8llu %8llu\n",
			  (u64)atomic64_read(&pp->bd_failed_reads) *
			  ZRAM_UNITS_PER_SLOT,
			  (u64)atomic64_read(&pp->bd_failed_writes) *
			  ZRAM_UNITS_PER_SLOT);
}

struct device_attribute zram_attr_backing_dev = __ATTR_RW(backing_dev);
struct device_attribute zram_attr_bd_stat = __ATTR_RO(bd_stat);
struct device_attribute zram_attr_bd_errors = __ATTR_RO(bd_errors);
