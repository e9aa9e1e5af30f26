// SPDX-License-Identifier: GPL-2.0
/*
 * zram: compressed RAM block devices.
 *
 * Each device is an array of page-sized slots.  A write compresses the page
 * and stores the result in the device's zsmalloc pool; a read decompresses
 * it.  Pages made of one repeated word take no pool memory at all, and
 * pages that do not compress well are stored as they are.
 *
 * The file reads bottom-up: the read and write paths, bio dispatch, setup
 * and reset, the sysfs and debugfs interface, device add/remove, the
 * zram-control class and the module's init and exit.  The slots, their
 * lock and the pool objects are in zram_slot.c; recompression and
 * writeback are in the post-processing files, reached through the hooks
 * of zram_pp.h.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/part_stat.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>

#include "zcomp.h"
#include "zram_pp.h"
#include "zram_slot.h"
#include "zsmalloc.h"

/* Longest algorithm name accepted by comp_algorithm, newline included */
#define ZRAM_ALGO_NAME_MAX	128

/* Device ids become minor numbers of the dynamic major */
#define ZRAM_MAX_DEVICES	BIT(MINORBITS)

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of zram devices created at load time");

/* Protects zram_index_idr: device ids, hot_add and hot_remove */
static DEFINE_MUTEX(zram_index_mutex);
static DEFINE_IDR(zram_index_idr);

static int zram_major;
static struct dentry *zram_debugfs_root;

/* The algorithm new devices start with (a zcomp backend's own name) */
static const char *zram_default_alg __ro_after_init;

/* The slot was read or written: it is no longer idle */
static void touch_slot(struct zram *zram, u32 index)
{
	clear_slot_flag(zram, index, ZRAM_IDLE);
	clear_slot_flag(zram, index, ZRAM_PP_SLOT);
	zram->table[index].ac_time = zram_now();
}

/*
 * Is the page one word repeated?  Then *fill is that word.  The last word
 * is checked first: a page that is not same-filled usually differs there.
 * The rest is compared eight words at a time, OR-ing their differences
 * from the first word, with one branch per group.
 */
static bool page_same_filled(const void *mem, unsigned long *fill)
{
	const unsigned long *word = mem;
	const unsigned long first = word[0];
	const unsigned long *end = word + PAGE_SIZE / sizeof(*word);

	BUILD_BUG_ON(PAGE_SIZE % (8 * sizeof(*word)));
	if (end[-1] != first)
		return false;
	for (; word < end; word += 8) {
		if ((word[0] ^ first) | (word[1] ^ first) | (word[2] ^ first) |
		    (word[3] ^ first) | (word[4] ^ first) | (word[5] ^ first) |
		    (word[6] ^ first) | (word[7] ^ first))
			return false;
	}
	*fill = first;
	return true;
}

/*
 * Give back what an emptied slot held: @handle is its pool object, or its
 * backing-device block when @written_back.
 */
static void zram_put_slot_data(struct zram *zram, unsigned long handle,
			       bool written_back)
{
	if (written_back)
		zram_pp_release_block(zram, handle);
	else
		zram_obj_free(zram, handle);
}

/* Empty the slot and free what it held.  Slot locked. */
static void zram_free_slot(struct zram *zram, u32 index)
{
	bool written_back = test_slot_flag(zram, index, ZRAM_WB);

	zram_put_slot_data(zram, zram_clear_slot(zram, index), written_back);
}

/* Free every slot and the table; no I/O can run (zram_reset_device()) */
static void zram_table_free(struct zram *zram, unsigned long nr_slots)
{
	unsigned long index;

	if (!zram->table)
		return;
	for (index = 0; index < nr_slots; index++) {
		zram_slot_lock(zram, index);
		zram_free_slot(zram, index);
		zram_slot_unlock(zram, index);
		cond_resched();
	}
	vfree(zram->table);
	zram->table = NULL;
}

/*
 * Reading
 */
/* Read the slot into @page.  The slot must be locked. */
static int zram_read_locked(struct zram *zram, u32 index, struct page *page)
{
	int ret;

	/* served by the backing device, synchronously (zram_backing.c) */
	if (!test_slot_flag(zram, index, ZRAM_WB))
		return zram_slot_read(zram, index, page);
	ret = zram_pp_read_wb_slot(zram, index, page);
	return ret ?: zram_slot_verify(zram, index, page);
}

static int zram_read_page(struct zram *zram, u32 index, struct page *page)
{
	int ret;

	zram_slot_lock(zram, index);
	ret = zram_read_locked(zram, index, page);
	if (!ret)
		touch_slot(zram, index);
	zram_slot_unlock(zram, index);
	return ret;
}

/* Read part of a slot into @bv */
static int zram_read_partial(struct zram *zram, struct bio_vec *bv,
			     u32 index, u32 offset)
{
	struct page *page = alloc_page(GFP_NOIO);
	int ret;

	if (!page)
		return -ENOMEM;
	ret = zram_read_page(zram, index, page);
	if (!ret)
		memcpy_to_bvec(bv, page_address(page) + offset);
	__free_page(page);
	return ret;
}

/*
 * Writing: a page first becomes a zram_obj (a fill word, or an object in
 * the pool), without the slot lock; then the object replaces the slot's old
 * contents under the lock.  A failure before that leaves the slot as it
 * was.
 */

#ifdef ZRAM_KUNIT
/*
 * The KUnit suite's view into the write path (its allocations are in
 * zram_slot.c): compressions that it makes run out of memory, and a call
 * as the write path is about to reclaim.  The suite runs alone.
 */
static atomic_t kunit_fail_compress = ATOMIC_INIT(0);
static void (*kunit_before_reclaim)(struct zram *zram);

static bool zram_kunit_fail_compress(void)
{
	return atomic_add_unless(&kunit_fail_compress, -1, 0);
}

static void zram_kunit_reclaim(struct zram *zram)
{
	if (kunit_before_reclaim)
		kunit_before_reclaim(zram);
}
#else
static inline bool zram_kunit_fail_compress(void) { return false; }
static inline void zram_kunit_reclaim(struct zram *zram) { }
#endif

static int store_huge_obj(struct zram *zram, struct page *page,
			  struct zram_obj *obj)
{
	void *src;
	int ret;

	ret = zram_alloc_obj(zram, PAGE_SIZE, true, &obj->handle);
	if (ret)
		return -ENOMEM;
	src = kmap_local_page(page);
	zram_obj_write(zram, obj->handle, src, PAGE_SIZE);
	kunmap_local(src);
	obj->size = PAGE_SIZE;
	obj->prio = ZRAM_PRIMARY_COMP;
	return 0;
}

/*
 * Compress @page into a new pool object.  Nothing that may reclaim runs
 * while the stream is held: the object is allocated without direct reclaim
 * first; if that fails, the stream goes back, the object is allocated with
 * reclaim, and the page is compressed again into it.  Compression is
 * deterministic, so the second pass fits the object; a backend that ran
 * out of memory itself gets the same treatment, and after a few tries the
 * page is stored as it is, as is one that zcomp's early abort gives up on.
 * At the memory limit the write fails at once: reclaim would not make room
 * under it.
 */
static int store_compressed_obj(struct zram *zram, struct page *page,
				struct zram_obj *obj)
{
	struct zcomp *comp = zram->comps[ZRAM_PRIMARY_COMP];
	unsigned long handle = 0;	/* allocated with reclaim, for @size */
	unsigned int size = 0, len = 0, tries;
	struct zcomp_strm *zstrm;
	int ret, alloc = 0;
	void *src;

	for (tries = 0; tries < 3; tries++) {
		zstrm = zcomp_stream_get(comp);
		src = kmap_local_page(page);
		ret = zcomp_compress(comp, zstrm, src, &len);
		kunmap_local(src);
		if (!ret && zram_kunit_fail_compress())
			ret = -ENOMEM;
		if (!ret && len < zram->huge_class_size) {
			if (handle && len != size) {
				zram_obj_free(zram, handle);
				handle = 0;
			}
			if (!handle)
				alloc = zram_alloc_obj(zram, len, false,
						       &handle);
			if (handle) {
				zram_obj_write(zram, handle, zstrm->buffer,
					       len);
				zcomp_stream_put(zstrm);
				obj->handle = handle;
				obj->size = len;
				obj->prio = ZRAM_PRIMARY_COMP;
				return 0;
			}
		}
		zcomp_stream_put(zstrm);
		if (alloc == -ENOSPC)
			return -ENOMEM;
		if (ret == -ENOMEM) {
			/* the backend itself ran short */
			memalloc_retry_wait(GFP_NOIO);
			continue;
		}
		if (ret || len >= zram->huge_class_size)
			break;
		zram_kunit_reclaim(zram);
		ret = zram_alloc_obj(zram, len, true, &handle);
		if (ret)
			return -ENOMEM;
		size = len;
	}

	zram_obj_free(zram, handle);
	if (ret && ret != -ENOMEM && ret != -E2BIG) {
		pr_err_ratelimited("%s: compression failed: %d\n",
				   zram_name(zram), ret);
		return ret;
	}
	return store_huge_obj(zram, page, obj);
}

static int zram_make_obj(struct zram *zram, struct page *page,
			 struct zram_obj *obj)
{
	void *mem = kmap_local_page(page);

	obj->same = page_same_filled(mem, &obj->handle);
	kunmap_local(mem);
	if (obj->same) {
		obj->size = 0;
		obj->prio = ZRAM_PRIMARY_COMP;
		return 0;
	}
	/* of the page as the user wrote it, before compression */
	if (zram_checksums(zram))
		obj->csum = zram_page_csum(page);
	return store_compressed_obj(zram, page, obj);
}

/* Replace the slot's contents with @obj.  The slot must be locked. */
static void zram_install_obj(struct zram *zram, u32 index,
			     const struct zram_obj *obj)
{
	zram_free_slot(zram, index);
	if (obj->same) {
		set_slot_handle(zram, index, obj->handle);
		set_slot_flag(zram, index, ZRAM_SAME);
		atomic64_inc(&zram->stats.same_pages);
	} else {
		zram_slot_set_obj(zram, index, obj);
	}
	atomic64_inc(&zram->stats.pages_stored);
	touch_slot(zram, index);
}

static int zram_write_page(struct zram *zram, u32 index, struct page *page)
{
	struct zram_obj obj = {};
	int ret;

	ret = zram_make_obj(zram, page, &obj);
	if (ret)
		return ret;
	zram_slot_lock(zram, index);
	zram_install_obj(zram, index, &obj);
	zram_slot_unlock(zram, index);
	return 0;
}

/*
 * Write part of a slot: read, merge, write back, all under the slot lock so
 * that concurrent writes to other parts of the same slot are not lost.
 * Reclaim entered with the lock held stays away from block I/O, which
 * could need this slot: zram_submit_bio() runs in a NOIO scope.
 */
static int zram_write_partial(struct zram *zram, struct bio_vec *bv,
			      u32 index, u32 offset)
{
	struct page *page = alloc_page(GFP_NOIO);
	struct zram_obj obj = {};
	int ret;

	if (!page)
		return -ENOMEM;

	zram_slot_lock(zram, index);
	ret = zram_read_locked(zram, index, page);
	if (!ret) {
		memcpy_from_bvec(page_address(page) + offset, bv);
		ret = zram_make_obj(zram, page, &obj);
	}
	if (!ret)
		zram_install_obj(zram, index, &obj);
	zram_slot_unlock(zram, index);

	__free_page(page);
	return ret;
}

/*
 * Discarding
 */
static void zram_discard_slot(struct zram *zram, u32 index)
{
	zram_slot_lock(zram, index);
	zram_free_slot(zram, index);
	zram_slot_unlock(zram, index);
	atomic64_inc(&zram->stats.notify_free);
}

/* Free the slot unless it is busy; for atomic context.  Defers the free. */
static bool zram_try_free_slot(struct zram *zram, u32 index)
{
	unsigned long handle;

	if (!zram_slot_trylock(zram, index)) {
		atomic64_inc(&zram->stats.miss_free);
		return false;
	}
	if (test_slot_flag(zram, index, ZRAM_WB)) {
		zram_put_slot_data(zram, zram_clear_slot(zram, index), true);
		zram_slot_unlock(zram, index);
		return true;
	}
	handle = zram_clear_slot(zram, index);
	zram_slot_unlock(zram, index);
	if (handle && !zram_defer_free(zram, handle))
		zram_obj_free(zram, handle);
	return true;
}

/* Called under swap's spinlock when a swap slot is released */
static void zram_swap_slot_free_notify(struct block_device *bdev,
				       unsigned long index)
{
	struct zram *zram = bdev->bd_disk->private_data;

	if (index >= READ_ONCE(zram->nr_slots))
		return;
	atomic64_inc(&zram->stats.notify_free);
	zram_try_free_slot(zram, index);
}

/*
 * Bio handling.  A bio_vec from bio_for_each_segment() lies within one
 * memory page but may cross slot boundaries; each slot's part is handled
 * alone.  Whole slots go straight to and from the bio's page.
 */
static int zram_bvec_rw(struct zram *zram, struct bio_vec bv,
			sector_t sector, bool write)
{
	u64 pos = (u64)sector << SECTOR_SHIFT;

	while (bv.bv_len) {
		u32 index = pos >> PAGE_SHIFT;
		u32 offset = offset_in_page(pos);
		struct bio_vec part = bv;
		int ret;

		part.bv_len = min_t(u32, bv.bv_len, PAGE_SIZE - offset);
		if (part.bv_len == PAGE_SIZE && write)
			ret = zram_write_page(zram, index, part.bv_page);
		else if (part.bv_len == PAGE_SIZE)
			ret = zram_read_page(zram, index, part.bv_page);
		else if (write)
			ret = zram_write_partial(zram, &part, index, offset);
		else
			ret = zram_read_partial(zram, &part, index, offset);
		if (ret)
			return ret;

		bv.bv_offset += part.bv_len;
		bv.bv_len -= part.bv_len;
		pos += part.bv_len;
	}
	return 0;
}

static void zram_bio_rw(struct zram *zram, struct bio *bio, bool write)
{
	unsigned long start = bio_start_io_acct(bio);
	struct bvec_iter iter;
	struct bio_vec bv;

	bio_for_each_segment(bv, bio, iter) {
		if (zram_bvec_rw(zram, bv, iter.bi_sector, write)) {
			atomic64_inc(write ? &zram->stats.failed_writes :
					     &zram->stats.failed_reads);
			bio->bi_status = BLK_STS_IOERR;
			break;
		}
		if (!write)
			flush_dcache_page(bv.bv_page);
	}
	bio_end_io_acct(bio, start);
	bio_endio(bio);
}

/* Zero part of a slot */
static int zram_zero_partial(struct zram *zram, u32 index, u32 offset,
			     u32 len)
{
	struct bio_vec zeroes = {
		.bv_page = ZERO_PAGE(0),
		.bv_len = len,
		.bv_offset = 0,
	};

	return zram_write_partial(zram, &zeroes, index, offset);
}

/*
 * Discard frees the slots it covers whole and leaves partly covered ones;
 * write-zeroes frees whole slots too and zeroes the parts of the others.
 */
static void zram_bio_discard(struct zram *zram, struct bio *bio)
{
	bool zeroes = bio_op(bio) == REQ_OP_WRITE_ZEROES;
	u64 pos = (u64)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	u64 end = pos + bio->bi_iter.bi_size;
	int ret = 0;

	while (pos < end && !ret) {
		u32 index = pos >> PAGE_SHIFT;
		u32 offset = offset_in_page(pos);
		u32 len = min_t(u64, PAGE_SIZE - offset, end - pos);

		if (len == PAGE_SIZE)
			zram_discard_slot(zram, index);
		else if (zeroes)
			ret = zram_zero_partial(zram, index, offset, len);
		pos += len;
		cond_resched();
	}
	if (ret) {
		atomic64_inc(&zram->stats.failed_writes);
		bio->bi_status = BLK_STS_IOERR;
	}
	bio_endio(bio);
}

/* Does the bio lie within the initialised device? */
static bool zram_bio_in_range(struct zram *zram, struct bio *bio)
{
	/* pairs with the release in zram_init_device() */
	unsigned long nr_slots = smp_load_acquire(&zram->nr_slots);

	return bio_end_sector(bio) <=
	       (sector_t)nr_slots << ZRAM_SECTORS_PER_SLOT_SHIFT;
}

/*
 * Everything done for a bio runs in a NOIO scope: zram is often the swap
 * device that reclaim writes to, and the slot lock and the streams may be
 * held while the allocator or a compressor allocates.
 */
static void zram_submit_bio(struct bio *bio)
{
	struct zram *zram = bio->bi_bdev->bd_disk->private_data;
	unsigned int noio;

	if (!zram_bio_in_range(zram, bio)) {
		bio_io_error(bio);
		return;
	}

	noio = memalloc_noio_save();
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		zram_bio_rw(zram, bio, false);
		break;
	case REQ_OP_WRITE:
		zram_bio_rw(zram, bio, true);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		zram_bio_discard(zram, bio);
		break;
	case REQ_OP_FLUSH:
		/* nothing is cached on the way to memory */
		bio_endio(bio);
		break;
	default:
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		break;
	}
	memalloc_noio_restore(noio);
}

/*
 * Algorithms and their parameters
 */
static void init_params(struct zcomp_params *params)
{
	*params = (struct zcomp_params) {
		.level = ZCOMP_PARAM_NOT_SET,
		.deflate.winbits = ZCOMP_PARAM_NOT_SET,
	};
}

static void release_params(struct zcomp_params *params)
{
	vfree(params->dict);
	init_params(params);
}

/* Back to a new device's algorithms and parameters; init_lock held */
static void zram_reset_algorithms(struct zram *zram)
{
	unsigned int prio;

	for (prio = 0; prio < ZRAM_MAX_COMPS; prio++) {
		release_params(&zram->params[prio]);
		zram->comp_algs[prio] = NULL;
	}
	zram->comp_algs[ZRAM_PRIMARY_COMP] = zram_default_alg;
}

static void zram_destroy_comps(struct zram *zram)
{
	unsigned int prio;

	for (prio = 0; prio < ZRAM_MAX_COMPS; prio++) {
		if (zram->comps[prio])
			zcomp_destroy(zram->comps[prio]);
		zram->comps[prio] = NULL;
	}
}

static int zram_create_comps(struct zram *zram)
{
	unsigned int prio;

	for (prio = 0; prio < ZRAM_MAX_COMPS; prio++) {
		const char *alg = zram->comp_algs[prio];
		struct zcomp *comp;

		if (!alg)
			continue;
		comp = zcomp_create(alg, &zram->params[prio]);
		if (IS_ERR(comp)) {
			pr_err("%s: cannot set up %s: %ld\n",
			       zram->disk->disk_name, alg, PTR_ERR(comp));
			zram_destroy_comps(zram);
			return PTR_ERR(comp);
		}
		zram->comps[prio] = comp;
	}
	return 0;
}

/* The priority that @alg is configured at, or -EINVAL */
static int zram_prio_of(struct zram *zram, const char *alg)
{
	unsigned int prio;

	for (prio = 0; prio < ZRAM_MAX_COMPS; prio++) {
		if (zram->comp_algs[prio] &&
		    !strcmp(zram->comp_algs[prio], alg))
			return prio;
	}
	return -EINVAL;
}

/*
 * Setup and reset.
 *
 * Reset against I/O: the I/O path takes no device-wide lock.  A bio only
 * reaches zram_submit_bio() through an open block device, and the table,
 * pool and streams are only freed while nobody has the device open and
 * nobody can open it: zram_claim() checks for openers under
 * disk->open_mutex and sets ->claimed, which makes zram_open() fail with
 * -EBUSY until zram_unclaim().  The last close flushed and dropped the page
 * cache under that same mutex, so no bio is in flight then.  Setup
 * publishes nr_slots (release) after everything the I/O path uses, and the
 * capacity after that; zram_bio_in_range() pairs with it.
 */
static int zram_claim(struct zram *zram)
{
	struct gendisk *disk = zram->disk;

	guard(mutex)(&disk->open_mutex);
	if (disk_openers(disk) || zram->claimed)
		return -EBUSY;
	zram->claimed = true;
	return 0;
}

static void zram_unclaim(struct zram *zram)
{
	guard(mutex)(&zram->disk->open_mutex);
	zram->claimed = false;
}

static int zram_open(struct gendisk *disk, blk_mode_t mode)
{
	struct zram *zram = disk->private_data;

	lockdep_assert_held(&disk->open_mutex);
	return zram->claimed ? -EBUSY : 0;
}

COMPAT_DEFINE_BDOPS_OPEN(zram_open);

/* Allocate what the I/O path needs for @disksize bytes; init_lock held */
static int zram_init_device(struct zram *zram, u64 disksize)
{
	unsigned long nr_slots = disksize >> PAGE_SHIFT;
	struct zsm_pool *pool;
	int ret;

	ret = zram_table_alloc(zram, nr_slots);
	if (ret)
		return ret;
	ret = zram_free_ring_alloc(zram);
	if (ret)
		goto free_table;

	pool = zsm_create_pool(zram->disk->disk_name);
	if (IS_ERR(pool)) {
		ret = PTR_ERR(pool);
		goto free_table;
	}
	zram->mem_pool = pool;
	zram->huge_class_size = zsm_huge_class_size(pool);

	ret = zram_create_comps(zram);
	if (ret)
		goto destroy_pool;

	zram->disksize = disksize;
	/* the table, pool and streams before the slot count: see above */
	smp_store_release(&zram->nr_slots, nr_slots);
	set_capacity_and_notify(zram->disk, disksize >> SECTOR_SHIFT);
	return 0;

destroy_pool:
	zsm_destroy_pool(zram->mem_pool);
	zram->mem_pool = NULL;
free_table:
	/* nothing was stored: no slot to free */
	zram_free_ring_release(zram);
	vfree(zram->table);
	zram->table = NULL;
	return ret;
}

/* Free everything and return to a new device's state; see above */
static void zram_reset_device(struct zram *zram)
{
	unsigned long nr_slots;

	/* before the lock: a policy scan holds it for reading */
	zram_pp_stop(zram);
	guard(rwsem_write)(&zram->init_lock);

	set_capacity_and_notify(zram->disk, 0);
	part_stat_set_all(zram->disk->part0, 0);

	nr_slots = zram->nr_slots;
	WRITE_ONCE(zram->nr_slots, 0);
	/* swap is off (the device is claimed): nothing joins the ring now */
	zram_free_ring_release(zram);
	zram_table_free(zram, nr_slots);
	/* after the slots: they returned their backing-device blocks */
	zram_pp_release_device(zram);
	zsm_destroy_pool(zram->mem_pool);
	zram->mem_pool = NULL;
	zram->huge_class_size = 0;
	zram_destroy_comps(zram);
	zram_reset_algorithms(zram);

	zram->disksize = 0;
	zram->checksum = false;
	zram->limit_pages = 0;
	memset(&zram->stats, 0, sizeof(zram->stats));
}

/*
 * sysfs: each attribute's show and store side by side.  Every store
 * validates all of its input before it changes anything.
 */
static ssize_t disksize_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	return sysfs_emit(buf, "%llu\n", zram->disksize);
}

static ssize_t disksize_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 disksize = memparse(buf, NULL);
	int ret;

	/* slot indexes are 32 bits wide */
	if (!disksize || disksize > ((u64)U32_MAX << PAGE_SHIFT))
		return -EINVAL;
	disksize = PAGE_ALIGN(disksize);

	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	ret = zram_init_device(zram, disksize);
	if (ret)
		return ret;
	zram_pp_start(zram);
	return len;
}

static ssize_t initstate_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	return sysfs_emit(buf, "%u\n", init_done(zram));
}

static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u16 do_reset;
	int ret;

	ret = kstrtou16(buf, 10, &do_reset);
	if (ret)
		return ret;
	if (!do_reset)
		return -EINVAL;

	ret = zram_claim(zram);
	if (ret)
		return ret;
	zram_reset_device(zram);
	zram_unclaim(zram);
	return len;
}

static ssize_t compact_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	if (!init_done(zram))
		return -EINVAL;
	/* what swap freed is compacted away too */
	zram_pool_compact(zram);
	return len;
}

static ssize_t mem_limit_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char *end;
	u64 limit;

	limit = memparse(buf, &end);
	if (end == buf)
		return -EINVAL;

	guard(rwsem_write)(&zram->init_lock);
	WRITE_ONCE(zram->limit_pages, PAGE_ALIGN(limit) >> PAGE_SHIFT);
	return len;
}

static ssize_t mem_used_max_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned long val;

	if (kstrtoul(buf, 10, &val) || val)
		return -EINVAL;

	guard(rwsem_read)(&zram->init_lock);
	if (init_done(zram))
		atomic_long_set(&zram->stats.max_used_bytes,
				zsm_get_total_bytes(zram->mem_pool));
	return len;
}

/*
 * Mark slots idle that were not accessed for @age seconds, and clear the
 * mark of those accessed since; age 0 marks all.  Same-filled and
 * written-back slots are left alone.
 */
static void zram_mark_idle(struct zram *zram, u32 age)
{
	u32 now = zram_now();
	unsigned long index;

	for (index = 0; index < zram->nr_slots; index++) {
		zram_slot_lock(zram, index);
		if (slot_allocated(zram, index) &&
		    !test_slot_flag(zram, index, ZRAM_WB) &&
		    !test_slot_flag(zram, index, ZRAM_SAME)) {
			if (now - get_slot_actime(zram, index) >= age)
				set_slot_flag(zram, index, ZRAM_IDLE);
			else
				clear_slot_flag(zram, index, ZRAM_IDLE);
		}
		zram_slot_unlock(zram, index);
		cond_resched();
	}
}

static ssize_t idle_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	u64 age = 0;

	/* any base, as upstream; an age past the access clock is "none" */
	if (!sysfs_streq(buf, "all") && kstrtoull(buf, 0, &age))
		return -EINVAL;

	guard(rwsem_read)(&zram->init_lock);
	if (!init_done(zram))
		return -EINVAL;
	zram_mark_idle(zram, min_t(u64, age, U32_MAX));
	return len;
}

/* checksum: "none" or "crc32c", the one in use in square brackets */
static ssize_t checksum_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	return sysfs_emit(buf, zram->checksum ? "none [crc32c]\n" :
						"[none] crc32c\n");
}

static ssize_t checksum_store(struct device *dev,
			      struct device_attribute *attr, const char *buf,
			      size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	bool on;

	if (sysfs_streq(buf, "crc32c"))
		on = true;
	else if (sysfs_streq(buf, "none"))
		on = false;
	else
		return -EINVAL;

	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	zram->checksum = on;
	return len;
}

/*
 * scrub: read every slot that keeps a page and check it against its
 * checksum, one slot lock at a time, so that I/O never waits long behind
 * it.  The slots are not touched: their access times and marks stay.
 * What it finds is in checksum_stat: mismatches where they are found, and
 * slots that could not be read at all (garbled beyond decompression, a
 * failing backing device) here.
 *
 * Return: 0; -EIO when a slot failed; -ENOMEM, -EINTR.
 */
static int zram_scrub(struct zram *zram)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long index;
	int ret = 0, err;

	if (!page)
		return -ENOMEM;
	for (index = 0; index < zram->nr_slots; index++) {
		zram_slot_lock(zram, index);
		if (!test_slot_flag(zram, index, ZRAM_SAME) &&
		    slot_allocated(zram, index)) {
			err = zram_read_locked(zram, index, page);
			atomic64_inc(&zram->stats.csum_scrubbed);
			if (err && err != -EBADMSG)
				atomic64_inc(&zram->stats.csum_unreadable);
			if (err)
				ret = -EIO;
		}
		zram_slot_unlock(zram, index);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	__free_page(page);
	return ret;
}

static ssize_t scrub_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	int ret;

	if (!sysfs_streq(buf, "1"))
		return -EINVAL;

	guard(rwsem_read)(&zram->init_lock);
	if (!init_done(zram) || !zram->checksum)
		return -EINVAL;
	ret = zram_scrub(zram);
	return ret ? ret : len;
}

/*
 * checksum_stat: reads that failed their checksum, slots scrub checked,
 * and slots scrub could not read
 */
static ssize_t checksum_stat_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct zram_stats *stats = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu\n",
			  (u64)atomic64_read(&stats->csum_failures),
			  (u64)atomic64_read(&stats->csum_scrubbed),
			  (u64)atomic64_read(&stats->csum_unreadable));
}

static ssize_t comp_algorithm_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	return zcomp_available_show(zram->comp_algs[ZRAM_PRIMARY_COMP],
				    buf, 0);
}

static ssize_t comp_algorithm_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	char name[ZRAM_ALGO_NAME_MAX];
	const char *alg;

	if (strlen(buf) >= sizeof(name))
		return -E2BIG;
	strscpy(name, buf, sizeof(name));
	alg = zcomp_lookup_backend_name(name);
	if (!alg)
		return -EINVAL;

	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	zram->comp_algs[ZRAM_PRIMARY_COMP] = alg;
	return len;
}

/* algorithm_params: keys, one parsed write, and what it changes */
enum algo_param_key {
	AP_PRIORITY,
	AP_ALGO,
	AP_LEVEL,
	AP_DICT,
	AP_DEFLATE_WINBITS,
};

static const char *const algo_param_keys[] = {
	[AP_PRIORITY] = "priority",
	[AP_ALGO] = "algo",
	[AP_LEVEL] = "level",
	[AP_DICT] = "dict",
	[AP_DEFLATE_WINBITS] = "deflate.winbits",
};

struct algo_params_req {
	int prio;		/* -1 when not given */
	const char *algo;
	const char *dict_path;
	s32 level;
	s32 winbits;
};

static bool valid_winbits(int bits)
{
	return (bits >= 9 && bits <= 15) || (bits >= -15 && bits <= -9);
}

static int algo_params_take(void *ctx, unsigned int key, char *val)
{
	struct algo_params_req *req = ctx;
	int ret, num;

	switch (key) {
	case AP_PRIORITY:
		ret = kstrtoint(val, 10, &num);
		if (ret || num < 0 || num >= ZRAM_MAX_COMPS)
			return -EINVAL;
		req->prio = num;
		return 0;
	case AP_ALGO:
		req->algo = val;
		return 0;
	case AP_LEVEL:
		return kstrtos32(val, 10, &req->level);
	case AP_DICT:
		req->dict_path = val;
		return 0;
	case AP_DEFLATE_WINBITS:
		ret = kstrtos32(val, 10, &req->winbits);
		if (ret)
			return ret;
		return valid_winbits(req->winbits) ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* Read a dictionary file into a vmalloc'ed buffer */
static int zram_read_dict(const char *path, void **dict, size_t *size)
{
	void *buf = NULL;
	ssize_t ret;

	ret = kernel_read_file_from_path(path, 0, &buf, INT_MAX, NULL,
					 READING_POLICY);
	if (ret <= 0) {
		vfree(buf);
		return -EINVAL;
	}
	*dict = buf;
	*size = ret;
	return 0;
}

/* Install the request's parameters; on success the dictionary is taken */
static int zram_set_algo_params(struct zram *zram,
				const struct algo_params_req *req,
				void *dict, size_t dict_sz)
{
	struct zcomp_params *params, check;
	int prio = req->prio;
	int ret;

	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	if (req->algo) {
		int found = zram_prio_of(zram, req->algo);

		if (found < 0 || (prio >= 0 && prio != found))
			return -EINVAL;
		prio = found;
	}
	if (prio < 0)
		prio = ZRAM_PRIMARY_COMP;

	/* Refuse now what the backend would refuse at disksize time */
	if (zram->comp_algs[prio]) {
		init_params(&check);
		check.level = req->level;
		check.deflate.winbits = req->winbits;
		check.dict = dict;
		check.dict_sz = dict_sz;
		ret = zcomp_check_params(zram->comp_algs[prio], &check);
		if (ret)
			return ret;
	}

	params = &zram->params[prio];
	release_params(params);
	params->level = req->level;
	params->deflate.winbits = req->winbits;
	params->dict = dict;
	params->dict_sz = dict_sz;
	return 0;
}

static ssize_t algorithm_params_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct algo_params_req req = {
		.prio = -1,
		.level = ZCOMP_PARAM_NOT_SET,
		.winbits = ZCOMP_PARAM_NOT_SET,
	};
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	size_t dict_sz = 0;
	void *dict = NULL;
	int ret;

	if (!args)
		return -ENOMEM;
	ret = zram_parse_args(args, algo_param_keys,
			      ARRAY_SIZE(algo_param_keys),
			      algo_params_take, &req);
	if (ret < 0)
		return ret;
	if (req.dict_path) {
		ret = zram_read_dict(req.dict_path, &dict, &dict_sz);
		if (ret)
			return ret;
	}
	ret = zram_set_algo_params(zram, &req, dict, dict_sz);
	if (ret) {
		vfree(dict);
		return ret;
	}
	return len;
}

static ssize_t io_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct zram_stats *stats = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu 0 %8llu\n",
			  (u64)atomic64_read(&stats->failed_reads),
			  (u64)atomic64_read(&stats->failed_writes),
			  (u64)atomic64_read(&stats->notify_free));
}

static ssize_t mm_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_stats *stats = &zram->stats;
	struct zsm_pool_stats pool_stats = {};
	unsigned long used = 0;

	guard(rwsem_read)(&zram->init_lock);
	if (init_done(zram)) {
		used = zsm_get_total_bytes(zram->mem_pool);
		zsm_pool_stats(zram->mem_pool, &pool_stats);
	}

	return sysfs_emit(buf,
			  "%8llu %8llu %8llu %8lu %8ld %8llu %8lu %8llu %8llu\n",
			  (u64)atomic64_read(&stats->pages_stored) << PAGE_SHIFT,
			  (u64)atomic64_read(&stats->compr_data_size),
			  (u64)used,
			  zram->limit_pages << PAGE_SHIFT,
			  atomic_long_read(&stats->max_used_bytes),
			  (u64)atomic64_read(&stats->same_pages),
			  (unsigned long)atomic_long_read(&pool_stats.pages_compacted),
			  (u64)atomic64_read(&stats->huge_pages),
			  (u64)atomic64_read(&stats->huge_pages_since));
}

static ssize_t debug_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct zram_stats *stats = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "version: %d\n0 %8llu\n", 1,
			  (u64)atomic64_read(&stats->miss_free));
}

static DEVICE_ATTR_RW(disksize);
static DEVICE_ATTR_RW(comp_algorithm);
static DEVICE_ATTR_WO(reset);
static DEVICE_ATTR_WO(algorithm_params);
static DEVICE_ATTR_WO(idle);
static DEVICE_ATTR_WO(compact);
static DEVICE_ATTR_WO(mem_limit);
static DEVICE_ATTR_WO(mem_used_max);
static DEVICE_ATTR_RO(initstate);
static DEVICE_ATTR_RO(io_stat);
static DEVICE_ATTR_RO(mm_stat);
static DEVICE_ATTR_RO(debug_stat);
static DEVICE_ATTR_RW(checksum);
static DEVICE_ATTR_WO(scrub);
static DEVICE_ATTR_RO(checksum_stat);

static struct attribute *zram_disk_attrs[] = {
	&dev_attr_disksize.attr,
	&dev_attr_comp_algorithm.attr,
	&dev_attr_reset.attr,
	&dev_attr_algorithm_params.attr,
	&dev_attr_idle.attr,
	&dev_attr_compact.attr,
	&dev_attr_mem_limit.attr,
	&dev_attr_mem_used_max.attr,
	&dev_attr_initstate.attr,
	&dev_attr_io_stat.attr,
	&dev_attr_mm_stat.attr,
	&dev_attr_debug_stat.attr,
	&dev_attr_checksum.attr,
	&dev_attr_scrub.attr,
	&dev_attr_checksum_stat.attr,
	NULL,
};

static const struct attribute_group zram_disk_group = {
	.attrs = zram_disk_attrs,
};

/* recompression and writeback bring their own attributes */
static const struct attribute_group *zram_disk_groups[] = {
	&zram_disk_group,
	&zram_pp_attr_group,
	NULL,
};

/*
 * debugfs: block_state, one line per allocated slot
 */
static void *block_state_at(struct zram *zram, loff_t pos)
{
	return pos < zram->nr_slots ? &zram->table[pos] : NULL;
}

static void *block_state_start(struct seq_file *m, loff_t *pos)
{
	struct zram *zram = m->private;

	/* released in block_state_stop(), which runs even after an error */
	down_read(&zram->init_lock);
	if (!init_done(zram))
		return ERR_PTR(-EINVAL);
	return block_state_at(zram, *pos);
}

static void *block_state_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	cond_resched();
	return block_state_at(m->private, *pos);
}

static void block_state_stop(struct seq_file *m, void *v)
{
	struct zram *zram = m->private;

	up_read(&zram->init_lock);
}

static char flag_char(struct zram *zram, u32 index,
		      enum zram_slot_flag flag, char c)
{
	return test_slot_flag(zram, index, flag) ? c : '.';
}

static int block_state_show(struct seq_file *m, void *v)
{
	struct zram *zram = m->private;
	u32 index = (struct zram_slot *)v - zram->table;
	char flags[7];
	u32 ac_time;

	zram_slot_lock(zram, index);
	if (!slot_allocated(zram, index)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	ac_time = get_slot_actime(zram, index);
	flags[0] = flag_char(zram, index, ZRAM_SAME, 's');
	flags[1] = flag_char(zram, index, ZRAM_WB, 'w');
	flags[2] = flag_char(zram, index, ZRAM_HUGE, 'h');
	flags[3] = flag_char(zram, index, ZRAM_IDLE, 'i');
	flags[4] = get_slot_prio(zram, index) ? 'r' : '.';
	flags[5] = flag_char(zram, index, ZRAM_INCOMPRESSIBLE, 'n');
	flags[6] = '\0';
	zram_slot_unlock(zram, index);

	seq_printf(m, "%12zd %12u.%06d %s\n", (ssize_t)index, ac_time, 0,
		   flags);
	return 0;
}

static const struct seq_operations block_state_sops = {
	.start = block_state_start,
	.next = block_state_next,
	.stop = block_state_stop,
	.show = block_state_show,
};
DEFINE_SEQ_ATTRIBUTE(block_state);

static void zram_debugfs_add(struct zram *zram)
{
	zram->debugfs_dir = debugfs_create_dir(zram->disk->disk_name,
					       zram_debugfs_root);
	debugfs_create_file("block_state", 0400, zram->debugfs_dir, zram,
			    &block_state_fops);
}

/* Returns once no block_state reader is left */
static void zram_debugfs_remove(struct zram *zram)
{
	debugfs_remove_recursive(zram->debugfs_dir);
	zram->debugfs_dir = NULL;
}

/*
 * Devices
 */
static const struct block_device_operations zram_devops = {
	.owner = THIS_MODULE,
	.submit_bio = zram_submit_bio,
	.open = compat_bdops_open(zram_open),
	.swap_slot_free_notify = zram_swap_slot_free_notify,
	COMPAT_BDOPS_SYNC_FIELDS
};

static void register_slot_lock_key(struct zram *zram)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_register_key(&zram->slot_lock_key);
#endif
}

static void unregister_slot_lock_key(struct zram *zram)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_unregister_key(&zram->slot_lock_key);
#endif
}

/* Create a device; returns its id.  zram_index_mutex held. */
static int zram_add(void)
{
	const struct compat_disk_limits limits = {
		.logical_block_size = ZRAM_LOGICAL_BLOCK_SIZE,
		.physical_block_size = PAGE_SIZE,
		.io_min = PAGE_SIZE,
		.io_opt = PAGE_SIZE,
		.discard_granularity = PAGE_SIZE,
		.max_hw_discard_sectors = UINT_MAX,
		.max_write_zeroes_sectors = UINT_MAX,
		.features = BLK_FEAT_SYNCHRONOUS | BLK_FEAT_STABLE_WRITES,
	};
	struct gendisk *disk;
	struct zram *zram;
	int id, ret;

	lockdep_assert_held(&zram_index_mutex);

	zram = kzalloc(sizeof(*zram), GFP_KERNEL);
	if (!zram)
		return -ENOMEM;
	id = idr_alloc(&zram_index_idr, zram, 0, ZRAM_MAX_DEVICES, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto free_zram;
	}
	zram->pp = zram_pp_alloc(zram);
	if (!zram->pp) {
		ret = -ENOMEM;
		goto remove_id;
	}
	init_rwsem(&zram->init_lock);
	zram_free_ring_init(zram);
	zram_reset_algorithms(zram);
	register_slot_lock_key(zram);

	disk = compat_blk_alloc_disk(&limits, NUMA_NO_NODE);
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto unregister_key;
	}
	zram->disk = disk;
	disk->major = zram_major;
	disk->first_minor = id;
	disk->minors = 1;
	disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &zram_devops;
	disk->private_data = zram;
	snprintf(disk->disk_name, sizeof(disk->disk_name), "zram%d", id);

	ret = device_add_disk(NULL, disk, zram_disk_groups);
	if (ret)
		goto put_disk;

	zram_debugfs_add(zram);
	pr_info("%s created\n", disk->disk_name);
	return id;

put_disk:
	put_disk(disk);
unregister_key:
	unregister_slot_lock_key(zram);
	zram_pp_free(zram->pp);
remove_id:
	idr_remove(&zram_index_idr, id);
free_zram:
	kfree(zram);
	return ret;
}

/*
 * Remove a device that was claimed (hot_remove) or that cannot be open
 * (module exit: an opener holds a module reference); its id is already
 * released.  del_gendisk() waits for running sysfs callbacks.
 */
static void zram_remove(struct zram *zram)
{
	struct gendisk *disk = zram->disk;

	pr_info("%s removed\n", disk->disk_name);
	zram_debugfs_remove(zram);
	del_gendisk(disk);
	zram_reset_device(zram);
	put_disk(disk);
	unregister_slot_lock_key(zram);
	zram_pp_free(zram->pp);
	kfree(zram);
}

static void zram_remove_all(void)
{
	struct zram *zram;
	int id;

	guard(mutex)(&zram_index_mutex);
	idr_for_each_entry(&zram_index_idr, zram, id) {
		idr_remove(&zram_index_idr, id);
		zram_remove(zram);
	}
}

/*
 * The zram-control class
 */
static ssize_t hot_add_show(const struct class *class,
			    const struct class_attribute *attr, char *buf)
{
	int id;

	mutex_lock(&zram_index_mutex);
	id = zram_add();
	mutex_unlock(&zram_index_mutex);
	if (id < 0)
		return id;
	return sysfs_emit(buf, "%d\n", id);
}
COMPAT_CLASS_ATTR_RO(hot_add, 0400);

static ssize_t hot_remove_store(const struct class *class,
				const struct class_attribute *attr,
				const char *buf, size_t len)
{
	struct zram *zram;
	int ret, id;

	ret = kstrtoint(buf, 10, &id);
	if (ret)
		return ret;
	if (id < 0)
		return -EINVAL;

	guard(mutex)(&zram_index_mutex);
	zram = idr_find(&zram_index_idr, id);
	if (!zram)
		return -ENODEV;
	ret = zram_claim(zram);
	if (ret)
		return ret;
	idr_remove(&zram_index_idr, id);
	zram_remove(zram);
	return len;
}
COMPAT_CLASS_ATTR_WO(hot_remove, 0200);

static struct attribute *zram_control_attrs[] = {
	&class_attr_hot_add.attr,
	&class_attr_hot_remove.attr,
	NULL
};

static const struct attribute_group zram_control_group = {
	.attrs = zram_control_attrs,
};

static const struct attribute_group *zram_control_groups[] = {
	&zram_control_group,
	NULL
};

/* /sys/class/zram-control: hot_add and hot_remove */
static struct class zram_control_class = {
	.class_groups = zram_control_groups,
	.name = "zram-control",
};

/*
 * Module init and exit
 */

/* The first backend zcomp lists, or NULL */
static const char *__init zram_first_backend(void)
{
	char *list = (char *)__get_free_page(GFP_KERNEL);
	const char *name = NULL;
	char *rest = list;
	char *first;

	if (!list)
		return NULL;
	/* no algorithm is selected: the list has no brackets */
	zcomp_available_show(NULL, list, 0);
	first = strim(strsep(&rest, " "));
	if (*first)
		name = zcomp_lookup_backend_name(first);
	free_page((unsigned long)list);
	return name;
}

/* The target kernel's own default, else the first backend built */
static int __init zram_pick_default_alg(void)
{
	const char *name = NULL;

#ifdef CONFIG_ZRAM_DEF_COMP
	name = zcomp_lookup_backend_name(CONFIG_ZRAM_DEF_COMP);
#endif
	if (!name)
		name = zram_first_backend();
	if (!name) {
		pr_err("no compression backend is available\n");
		return -ENODEV;
	}
	zram_default_alg = name;
	return 0;
}

static int __init zram_create_devices(void)
{
	unsigned int i;
	int ret;

	guard(mutex)(&zram_index_mutex);
	for (i = 0; i < num_devices; i++) {
		ret = zram_add();
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int __init zram_init(void)
{
	int ret;

	BUILD_BUG_ON(__NR_ZRAM_SLOT_FLAGS > BITS_PER_LONG);
	BUILD_BUG_ON(ZRAM_MAX_COMPS > (1U << ZRAM_PRIO_BITS));
	BUILD_BUG_ON(PAGE_SIZE > ZRAM_SIZE_MASK);
	/* the checksum fills the entry's padding: the table does not grow */
	BUILD_BUG_ON(BITS_PER_LONG == 64 &&
		     !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC) &&
		     sizeof(struct zram_slot) != 24);

	ret = zsm_init();
	if (ret)
		return ret;
	ret = zcomp_init();
	if (ret)
		goto exit_zsm;
	ret = zram_pick_default_alg();
	if (ret)
		goto exit_zcomp;
	ret = zram_pp_init();
	if (ret)
		goto exit_zcomp;
	ret = zram_slot_module_init();
	if (ret)
		goto exit_pp;

	ret = register_blkdev(0, "zram");
	if (ret < 0)
		goto exit_slot;
	zram_major = ret;

	ret = class_register(&zram_control_class);
	if (ret) {
		pr_err("cannot register class zram-control (%d): is another zram driver loaded?\n",
		       ret);
		goto unregister_blkdev;
	}
	zram_debugfs_root = debugfs_create_dir("zram", NULL);

	ret = zram_create_devices();
	if (ret)
		goto remove_devices;
	pr_info("version %s\n", ZRAM_VERSION);
	return 0;

remove_devices:
	class_unregister(&zram_control_class);
	zram_remove_all();
	debugfs_remove_recursive(zram_debugfs_root);
unregister_blkdev:
	unregister_blkdev(zram_major, "zram");
exit_slot:
	zram_slot_module_exit();
exit_pp:
	zram_pp_exit();
exit_zcomp:
	zcomp_exit();
exit_zsm:
	zsm_exit();
	return ret;
}

static void __exit zram_exit(void)
{
	/* first, so that no hot_add or hot_remove runs from here on */
	class_unregister(&zram_control_class);
	zram_remove_all();
	debugfs_remove_recursive(zram_debugfs_root);
	idr_destroy(&zram_index_idr);
	unregister_blkdev(zram_major, "zram");
	zram_slot_module_exit();
	zram_pp_exit();
	zcomp_exit();
	zsm_exit();
}

module_init(zram_init);
module_exit(zram_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("zram-backport developers");
MODULE_DESCRIPTION("Compressed RAM block device");
MODULE_VERSION(ZRAM_VERSION);
MODULE_INFO(compat, ZRAM_COMPAT_PROBES);

#ifdef ZRAM_KUNIT
#include "tests/kunit/zram_kunit.c"
#endif
