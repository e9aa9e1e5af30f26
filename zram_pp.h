/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zram post-processing: recompression with the secondary algorithms
 * (zram_recompress.c) and writeback (zram_writeback.c) to a backing device
 * (zram_backing.c), with what they share in zram_pp.c.  This header holds
 * the per-device state and the hooks the rest of the driver calls.
 */
#ifndef _ZRAM_PP_H_
#define _ZRAM_PP_H_

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/types.h>

struct file;
struct page;
struct zram;

/* Default of writeback_batch_size: writes in flight per writeback run */
#define ZRAM_WB_BATCH_DEFAULT	32U

/**
 * struct zram_pp - a device's post-processing state
 * @bdev_file: the backing device, opened exclusively; NULL when none
 * @bdev_path: the path it was given by, shown by backing_dev
 * @bitmap: one bit per block of the backing device, set while in use
 * @nr_blocks: the backing device's size in blocks of PAGE_SIZE
 * @next_block: where the next block search starts (the running
 *              writeback's hint; protected by @in_progress)
 * @compressed_wb: written-back slots keep their compressed form
 * @wb_limit_lock: protects @wb_limit and @wb_limit_enable
 * @wb_limit: writeback budget left, in 4 KiB units
 * @wb_limit_enable: whether @wb_limit applies
 * @wb_batch_size: writes in flight per writeback run (read once per run)
 * @in_progress: 1 while a recompress or writeback run owns the device's
 *               PP_SLOT marks; a second run gets -EAGAIN
 *
 * @bdev_file, @bdev_path, @nr_blocks and @compressed_wb are set under
 * init_lock held for writing while the device is not initialised, and
 * stay until reset.  The bits of @bitmap are set by the writeback run and
 * cleared by whoever frees the slot that owns the block (atomic bit ops).
 */
struct zram_pp {
	struct file *bdev_file;
	char *bdev_path;
	unsigned long *bitmap;
	unsigned long nr_blocks;
	unsigned long next_block;
	bool compressed_wb;
	spinlock_t wb_limit_lock;	/* the two below */
	u64 wb_limit;
	bool wb_limit_enable;
	unsigned int wb_batch_size;
	atomic_t in_progress;
};

/* The attributes of post-processing, a group of the disk's sysfs directory */
extern const struct attribute_group zram_pp_attr_group;

/* zram_backing.c: module load and unload */
int zram_pp_init(void);
void zram_pp_exit(void);

/* zram_pp.c: a new device, and a device back to that state at reset */
void zram_pp_init_device(struct zram *zram);
void zram_pp_release_device(struct zram *zram);

/* zram_backing.c: a written-back slot is read, or gives up its block */
int zram_pp_read_wb_slot(struct zram *zram, u32 index, struct page *page);
void zram_pp_release_block(struct zram *zram, unsigned long block);

#endif /* _ZRAM_PP_H_ */
