/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compat shims for the block layer: disk allocation, queue limits,
 * open/release, backing device open.
 */
#ifndef _ZRAM_COMPAT_BLOCK_H_
#define _ZRAM_COMPAT_BLOCK_H_

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/pagemap.h>

/*
 * Queue features.  6.11 moved the queue's feature flags into struct
 * queue_limits:
 *   old: blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q), ...
 *   new: lim.features = BLK_FEAT_STABLE_WRITES | ...
 * Older kernels get the BLK_FEAT_* names zram uses; compat_blk_alloc_disk()
 * turns them into queue flags there.
 */
#ifdef HAVE_BLK_FEAT_SYNCHRONOUS
#define compat_blk_features_t		blk_features_t
#else
#define compat_blk_features_t		unsigned int
#define BLK_FEAT_ROTATIONAL		BIT(2)
#define BLK_FEAT_ADD_RANDOM		BIT(3)
#define BLK_FEAT_STABLE_WRITES		BIT(5)
#define BLK_FEAT_SYNCHRONOUS		BIT(6)
#endif

/**
 * struct compat_disk_limits - what a driver sets on its new disk's queue
 *
 * The fields of 6.11's struct queue_limits that zram uses, with the same
 * names and meaning, on every kernel.
 */
struct compat_disk_limits {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int io_min;
	unsigned int io_opt;
	unsigned int discard_granularity;
	unsigned int max_hw_discard_sectors;
	unsigned int max_write_zeroes_sectors;
	compat_blk_features_t features;
};

#ifndef HAVE_BLK_FEAT_SYNCHRONOUS
static inline void compat_queue_flag(struct request_queue *q,
				     unsigned int flag, bool on)
{
	if (on)
		blk_queue_flag_set(flag, q);
	else
		blk_queue_flag_clear(flag, q);
}

static inline void compat_apply_features(struct request_queue *q,
					 unsigned int features)
{
	compat_queue_flag(q, QUEUE_FLAG_NONROT,
			  !(features & BLK_FEAT_ROTATIONAL));
	compat_queue_flag(q, QUEUE_FLAG_ADD_RANDOM,
			  features & BLK_FEAT_ADD_RANDOM);
	compat_queue_flag(q, QUEUE_FLAG_STABLE_WRITES,
			  features & BLK_FEAT_STABLE_WRITES);
#ifdef HAVE_QUEUE_FLAG_SYNCHRONOUS
	compat_queue_flag(q, QUEUE_FLAG_SYNCHRONOUS,
			  features & BLK_FEAT_SYNCHRONOUS);
#endif
	/* before 6.3 ->rw_page makes a disk synchronous: see below */
}
#endif

#ifndef HAVE_BLK_ALLOC_DISK_LIMITS
static inline void compat_apply_limits(struct request_queue *q,
				       const struct compat_disk_limits *cl)
{
	blk_queue_logical_block_size(q, cl->logical_block_size);
	blk_queue_physical_block_size(q, cl->physical_block_size);
	blk_queue_io_min(q, cl->io_min);
	blk_queue_io_opt(q, cl->io_opt);
	q->limits.discard_granularity = cl->discard_granularity;
	blk_queue_max_discard_sectors(q, cl->max_hw_discard_sectors);
	blk_queue_max_write_zeroes_sectors(q, cl->max_write_zeroes_sectors);
}
#endif

/**
 * compat_blk_alloc_disk() - allocate a bio-based disk with its limits
 * @cl: the queue limits and features
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * 6.9 made blk_alloc_disk() take the queue limits:
 *   old: struct gendisk *blk_alloc_disk(int node), NULL on failure, limits
 *        set afterwards with blk_queue_*() helpers
 *   new: struct gendisk *blk_alloc_disk(struct queue_limits *lim, int node),
 *        ERR_PTR() on failure
 *
 * Return: the disk, or an ERR_PTR() on every kernel.
 */
static inline struct gendisk *
compat_blk_alloc_disk(const struct compat_disk_limits *cl, int node)
{
	struct gendisk *disk;
#ifdef HAVE_BLK_ALLOC_DISK_LIMITS
	struct queue_limits lim = {
		.logical_block_size = cl->logical_block_size,
		.physical_block_size = cl->physical_block_size,
		.io_min = cl->io_min,
		.io_opt = cl->io_opt,
		.discard_granularity = cl->discard_granularity,
		.max_hw_discard_sectors = cl->max_hw_discard_sectors,
		.max_write_zeroes_sectors = cl->max_write_zeroes_sectors,
#ifdef HAVE_BLK_FEAT_SYNCHRONOUS
		.features = cl->features,
#endif
	};

	disk = blk_alloc_disk(&lim, node);
	if (IS_ERR(disk))
		return disk;
#else
	disk = blk_alloc_disk(node);
	if (!disk)
		return ERR_PTR(-ENOMEM);
	compat_apply_limits(disk->queue, cl);
#endif
#ifndef HAVE_BLK_FEAT_SYNCHRONOUS
	compat_apply_features(disk->queue, cl->features);
#endif
	return disk;
}

/*
 * Open mode.  6.5 gave block devices their own open mode type:
 *   old: fmode_t with FMODE_READ, FMODE_WRITE, FMODE_EXCL, FMODE_NDELAY
 *   new: blk_mode_t with BLK_OPEN_READ, BLK_OPEN_WRITE, ...
 * On older kernels blk_mode_t is fmode_t and the BLK_OPEN_* names are the
 * matching FMODE_* bits.
 */
#ifndef HAVE_BLK_MODE_T
#define blk_mode_t			fmode_t
#define BLK_OPEN_READ			FMODE_READ
#define BLK_OPEN_WRITE			FMODE_WRITE
#define BLK_OPEN_EXCL			FMODE_EXCL
#define BLK_OPEN_NDELAY			FMODE_NDELAY
#endif

/*
 * ->open().  6.5 changed its arguments:
 *   old: int (*open)(struct block_device *bdev, fmode_t mode)
 *   new: int (*open)(struct gendisk *disk, blk_mode_t mode)
 * The driver writes its open in the new shape, then
 * COMPAT_DEFINE_BDOPS_OPEN(fn) after it (which also checks the shape) and
 * ".open = compat_bdops_open(fn)" in its operations.
 */
#ifdef HAVE_BDOPS_OPEN_GENDISK
#define COMPAT_DEFINE_BDOPS_OPEN(fn)					\
	static_assert(__builtin_types_compatible_p(typeof(fn),		\
				int (struct gendisk *, blk_mode_t)))
#define compat_bdops_open(fn)		(fn)
#else
#define COMPAT_DEFINE_BDOPS_OPEN(fn)					\
	static int fn##_compat(struct block_device *bdev, fmode_t mode)	\
	{								\
		return fn(bdev->bd_disk, mode);				\
	}								\
	static_assert(__builtin_types_compatible_p(typeof(fn),		\
				int (struct gendisk *, blk_mode_t)))
#define compat_bdops_open(fn)		(fn##_compat)
#endif

/*
 * Synchronous swap.  Before 6.3 swap treated a disk as synchronous (swapin
 * without the swap cache) when its operations had ->rw_page:
 *   old: int (*rw_page)(struct block_device *, sector_t, struct page *,
 *                       enum req_op), calling page_endio() on success
 *   new: QUEUE_FLAG_SYNCHRONOUS (6.3), BLK_FEAT_SYNCHRONOUS (6.11)
 * There compat_rw_page() serves ->rw_page through the driver's own
 * ->submit_bio with a one-page bio on the stack, waiting for it to
 * complete.  On failure the caller retries with a regular bio.
 * COMPAT_BDOPS_SYNC_FIELDS goes last in the driver's operations.
 */
#ifdef HAVE_BDOPS_RW_PAGE
static inline void compat_rw_page_end_io(struct bio *bio)
{
	complete(bio->bi_private);
}

static inline int compat_rw_page(struct block_device *bdev, sector_t sector,
				 struct page *page, enum req_op op)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct bio_vec bvec;
	struct bio bio;
	int ret;

	if (PageTransHuge(page))
		return -EOPNOTSUPP;

	bio_init(&bio, bdev, &bvec, 1, op);
	bio.bi_iter.bi_sector = sector;
	__bio_add_page(&bio, page, PAGE_SIZE, 0);
	bio.bi_private = &done;
	bio.bi_end_io = compat_rw_page_end_io;
	bdev->bd_disk->fops->submit_bio(&bio);
	wait_for_completion_io(&done);
	ret = blk_status_to_errno(bio.bi_status);
	bio_uninit(&bio);
	if (!ret)
		page_endio(page, op_is_write(op), 0);
	return ret;
}

#define COMPAT_BDOPS_SYNC_FIELDS	.rw_page = compat_rw_page,
#else
#define COMPAT_BDOPS_SYNC_FIELDS
#endif

/*
 * Opening a block device by path.  6.9 made an open block device a file:
 *   old: struct block_device *blkdev_get_by_path(const char *path,
 *                                                fmode_t mode, void *holder)
 *        released by void blkdev_put(struct block_device *, fmode_t)
 *   new: struct file *bdev_file_open_by_path(const char *path,
 *                                            blk_mode_t mode, void *holder,
 *                                            const struct blk_holder_ops *)
 *        released by fput()
 * The core uses the new call.  On older kernels the shim opens the device
 * node itself as a file, O_EXCL when a holder is given: the block layer's
 * open of a device node claims the device exclusively for that file, which
 * is what the new call does for @holder.  lookup_bdev() first gives the
 * same errors as the new call for a path that is not a block device.
 */
#ifndef HAVE_BDEV_FILE_OPEN_BY_PATH
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>

struct blk_holder_ops;

static inline struct file *
bdev_file_open_by_path(const char *path, blk_mode_t mode, void *holder,
		       const struct blk_holder_ops *hops)
{
	int flags = O_LARGEFILE;
	struct file *file;
	dev_t dev;
	int err;

	err = lookup_bdev(path, &dev);
	if (err)
		return ERR_PTR(err);
	if ((mode & BLK_OPEN_READ) && (mode & BLK_OPEN_WRITE))
		flags |= O_RDWR;
	else if (mode & BLK_OPEN_WRITE)
		flags |= O_WRONLY;
	if (holder)
		flags |= O_EXCL;
	file = filp_open(path, flags, 0);
	if (IS_ERR(file))
		return file;
	/* the path was replaced between the two lookups */
	if (!S_ISBLK(file_inode(file)->i_mode) ||
	    file_inode(file)->i_rdev != dev) {
		fput(file);
		return ERR_PTR(-ENOTBLK);
	}
	return file;
}
#endif

/*
 * The block device of a file from bdev_file_open_by_path().  6.9 added
 *   new: struct block_device *file_bdev(struct file *bdev_file)
 * Before, a block device file's mapping belonged to the device's own inode:
 *   old: I_BDEV(file->f_mapping->host)
 */
#ifndef HAVE_FILE_BDEV
static inline struct block_device *file_bdev(struct file *bdev_file)
{
	return I_BDEV(bdev_file->f_mapping->host);
}
#endif

#endif /* _ZRAM_COMPAT_BLOCK_H_ */
