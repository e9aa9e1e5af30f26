// SPDX-License-Identifier: GPL-2.0
/*
 * zram post-processing: work on stored slots that the user asks for through
 * sysfs, apart from the I/O path.
 *
 * Recompression stores a slot again with one of the secondary algorithms
 * (recomp_algorithm, priorities 1..3) when that makes it smaller.
 * Writeback moves slots to a backing block device (backing_dev) and frees
 * their memory; reads of those slots come back here.
 *
 * Runs and slots
 * ==============
 *
 * 1. A run is one write to recompress or writeback.  It holds init_lock
 *    for reading, so reset waits until it has ended, and it owns the
 *    device's post-processing through pp.in_progress: a second run, of
 *    either kind, is refused with -EAGAIN.
 * 2. A run never compresses or waits for I/O with a slot locked.  Under the
 *    slot lock it copies the slot's data and marks the slot ZRAM_PP_SLOT;
 *    it works on the copy with no lock held; then it locks the slot again
 *    and stores its result only if the mark is still set and the handle
 *    is the one it copied.
 * 3. Every read, write, discard and free of a slot clears the mark
 *    (touch_slot(), zram_free_slot()), so a slot that changed meanwhile
 *    keeps its new state and the run drops its result.
 * 4. Only the run that owns the device sets marks, and it clears each one
 *    it set before it ends.
 * 5. A slot has at most one result pending.  Otherwise a slot changed
 *    and marked again, its handle given back by the pool, would let the
 *    older result pass the check of rule 2.  Writeback targets of one
 *    write may overlap, so each target's writes finish before the next
 *    target starts.
 *
 * Writeback
 * =========
 *
 * A bit per block of the backing device says whether a written-back slot
 * owns it.  Only the run sets bits; the slot's owner clears its bit when
 * the slot is freed, overwritten or reset, from any context (atomic bit
 * operations), so a block is never handed out twice nor lost.
 *
 * Up to writeback_batch_size writes are in flight per run.  Their
 * completions only queue the request for the run, which finishes each one
 * in process context: a slot that is still as it was copied gives up its
 * memory and points to its block; otherwise, or when the write failed, the
 * block is freed and the slot stays in memory as it is.
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
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zcomp.h"
#include "zram_drv.h"
#include "zram_pp.h"
#include "zsmalloc.h"

/* bd_stat and writeback_limit count in 4 KiB units; a slot is this many */
#define ZRAM_UNITS_PER_SLOT	(PAGE_SIZE >> ZRAM_LOGICAL_BLOCK_SHIFT)

/* Reads of written-back slots are submitted from here: see bd_read() */
static struct workqueue_struct *zram_bd_read_wq;

int zram_pp_init(void)
{
	zram_bd_read_wq = alloc_workqueue("zram_bd_read",
					  WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return zram_bd_read_wq ? 0 : -ENOMEM;
}

void zram_pp_exit(void)
{
	destroy_workqueue(zram_bd_read_wq);
}

/* A run owns the device's post-processing (rule 1) */
static bool pp_begin(struct zram *zram)
{
	return atomic_cmpxchg_acquire(&zram->pp.in_progress, 0, 1) == 0;
}

static void pp_end(struct zram *zram)
{
	atomic_set_release(&zram->pp.in_progress, 0);
}

/* Is the slot as the run left it when it marked it?  Slot locked. */
static bool pp_slot_unchanged(struct zram *zram, u32 index,
			      unsigned long handle)
{
	return test_slot_flag(zram, index, ZRAM_PP_SLOT) &&
	       get_slot_handle(zram, index) == handle;
}

/* Does the slot have every flag of @mask?  Slot locked. */
static bool slot_has_flags(struct zram *zram, u32 index, unsigned long mask)
{
	unsigned int flag;

	for_each_set_bit(flag, &mask, __NR_ZRAM_SLOT_FLAGS) {
		if (!test_slot_flag(zram, index, flag))
			return false;
	}
	return true;
}

/*
 * The slot types of recompress and writeback: the flags a slot must have.
 * Recompression takes the first three.
 */
static const char *const pp_type_names[] = {
	"idle", "huge", "huge_idle", "incompressible",
};

static const unsigned long pp_type_flags[] = {
	BIT(ZRAM_IDLE),
	BIT(ZRAM_HUGE),
	BIT(ZRAM_IDLE) | BIT(ZRAM_HUGE),
	BIT(ZRAM_INCOMPRESSIBLE),
};

#define PP_NR_RECOMP_TYPES	3

static int pp_parse_type(const char *val, size_t nr_types,
			 unsigned long *flags)
{
	int type = __sysfs_match_string(pp_type_names, nr_types, val);

	if (type < 0)
		return -EINVAL;
	*flags = pp_type_flags[type];
	return 0;
}

/*
 * Device state
 */
void zram_pp_init_device(struct zram *zram)
{
	spin_lock_init(&zram->pp.wb_limit_lock);
	zram->pp.wb_batch_size = ZRAM_WB_BATCH_DEFAULT;
}

static void release_backing_dev(struct zram_pp *pp)
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
 * Back to a new device's state.  init_lock is held for writing (no run is
 * active) and every slot is free.
 */
void zram_pp_release_device(struct zram *zram)
{
	struct zram_pp *pp = &zram->pp;

	release_backing_dev(pp);
	pp->compressed_wb = false;
	WRITE_ONCE(pp->wb_batch_size, ZRAM_WB_BATCH_DEFAULT);
	spin_lock(&pp->wb_limit_lock);
	pp->wb_limit = 0;
	pp->wb_limit_enable = false;
	spin_unlock(&pp->wb_limit_lock);
}

/*
 * Backing-device blocks
 */

/* Take a free block; false when the device is full.  The run's own. */
static bool alloc_block(struct zram_pp *pp, unsigned long *block)
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

static void put_block(struct zram_pp *pp, unsigned long block)
{
	WARN_ON_ONCE(!test_and_clear_bit(block, pp->bitmap));
}

/* A written-back slot is being emptied: any context, slot locked */
void zram_pp_release_block(struct zram *zram, unsigned long block)
{
	put_block(&zram->pp, block);
	atomic64_dec(&zram->stats.bd_count);
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
	struct bd_read rd = {
		.bdev = file_bdev(zram->pp.bdev_file),
		.page = page,
		.block = block,
	};

	INIT_WORK_ONSTACK(&rd.work, bd_read_fn);
	queue_work(zram_bd_read_wq, &rd.work);
	flush_work(&rd.work);
	destroy_work_on_stack(&rd.work);
	if (rd.ret) {
		atomic64_inc(&zram->stats.bd_failed_reads);
		pr_err_ratelimited("%s: cannot read block %lu of the backing device: %d\n",
				   zram->disk->disk_name, block, rd.ret);
		return -EIO;
	}
	atomic64_inc(&zram->stats.bd_reads);
	return 0;
}

/* Decompress the @size bytes at the start of @raw into @page */
static int decompress_block(struct zram *zram, unsigned int prio,
			    struct page *raw, unsigned int size,
			    struct page *page)
{
	struct zcomp *comp = zram->comps[prio];
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

/*
 * Recompression
 */

/**
 * struct recomp_req - one write to recompress
 * @flags: the slot flags a slot must have (type=)
 * @threshold: only objects of at least this many bytes
 * @max_pages: the most slots to try
 * @algo: the algorithm asked for by name, or NULL
 * @prio: the priority asked for, then the one the run uses; 0 while unset
 * @last_prio: the highest priority configured
 */
struct recomp_req {
	unsigned long flags;
	unsigned int threshold;
	unsigned long max_pages;
	const char *algo;
	unsigned int prio;
	unsigned int last_prio;
};

enum recomp_key {
	RC_TYPE,
	RC_THRESHOLD,
	RC_MAX_PAGES,
	RC_ALGO,
	RC_PRIORITY,
};

static const char *const recomp_keys[] = {
	[RC_TYPE] = "type",
	[RC_THRESHOLD] = "threshold",
	[RC_MAX_PAGES] = "max_pages",
	[RC_ALGO] = "algo",
	[RC_PRIORITY] = "priority",
};

/* A secondary priority, 1..3 */
static int parse_secondary_prio(const char *val, unsigned int *prio)
{
	unsigned int num;

	if (kstrtouint(val, 10, &num) || num < ZRAM_SECONDARY_COMP ||
	    num >= ZRAM_MAX_COMPS)
		return -EINVAL;
	*prio = num;
	return 0;
}

static int recomp_take(void *ctx, unsigned int key, char *val)
{
	struct recomp_req *req = ctx;
	unsigned int num;

	switch (key) {
	case RC_TYPE:
		return pp_parse_type(val, PP_NR_RECOMP_TYPES, &req->flags);
	case RC_THRESHOLD:
		return kstrtouint(val, 10, &req->threshold) ? -EINVAL : 0;
	case RC_MAX_PAGES:
		return kstrtoul(val, 10, &req->max_pages) ? -EINVAL : 0;
	case RC_ALGO:
		req->algo = val;
		return 0;
	case RC_PRIORITY:
		if (kstrtouint(val, 10, &num) || num >= ZRAM_MAX_COMPS)
			return -EINVAL;
		/* 0, the primary, means the first secondary, as upstream */
		req->prio = max_t(unsigned int, num, ZRAM_SECONDARY_COMP);
		return 0;
	}
	return -EINVAL;
}

/* The secondary priority @name is configured at, or 0 */
static unsigned int secondary_prio_of(struct zram *zram, const char *name)
{
	const char *alg = zcomp_lookup_backend_name(name);
	unsigned int prio;

	for (prio = ZRAM_SECONDARY_COMP; alg && prio < ZRAM_MAX_COMPS; prio++) {
		if (zram->comp_algs[prio] && !strcmp(zram->comp_algs[prio], alg))
			return prio;
	}
	return 0;
}

/* Check the request against the device and pick its priority */
static int recomp_resolve(struct zram *zram, struct recomp_req *req)
{
	unsigned int prio;

	if (req->threshold >= zram->huge_class_size)
		return -EINVAL;
	if (req->algo) {
		prio = secondary_prio_of(zram, req->algo);
		if (!prio || (req->prio && req->prio != prio))
			return -EINVAL;
		req->prio = prio;
	}
	if (!req->prio)
		req->prio = ZRAM_SECONDARY_COMP;
	if (!zram->comps[req->prio])
		return -EINVAL;
	for (prio = req->prio; prio < ZRAM_MAX_COMPS; prio++) {
		if (zram->comps[prio])
			req->last_prio = prio;
	}
	return 0;
}

/* Is the slot one to recompress?  Slot locked. */
static bool recomp_candidate(struct zram *zram, u32 index,
			     const struct recomp_req *req)
{
	if (test_slot_flag(zram, index, ZRAM_WB) ||
	    test_slot_flag(zram, index, ZRAM_SAME) ||
	    test_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE) ||
	    test_slot_flag(zram, index, ZRAM_PP_SLOT) ||
	    !get_slot_handle(zram, index))
		return false;
	if (get_slot_prio(zram, index) >= req->prio ||
	    get_slot_size(zram, index) < req->threshold)
		return false;
	return slot_has_flags(zram, index, req->flags);
}

/* Would an object of @new_size take less pool memory than one of @old_size? */
static bool recomp_saves(struct zram *zram, unsigned int old_size,
			 unsigned int new_size)
{
	return new_size < zram->huge_class_size &&
	       zsm_obj_room(zram->mem_pool, new_size) <
	       zsm_obj_room(zram->mem_pool, old_size);
}

/* What compressing a slot again came to */
enum recomp_result {
	RECOMP_NO_SAVING,	/* no smaller: the slot stays as it is */
	RECOMP_ABOVE_THRESHOLD,	/* smaller, but not below the threshold */
	RECOMP_SMALLER,		/* a new, smaller object is ready */
};

/*
 * Keep the @len bytes at @data, compressed with the request's algorithm,
 * as a new pool object in @obj if they take less pool memory than the
 * slot's object of @old_size and are below the request's threshold, if it
 * has one.  The stream is held: no reclaim.
 *
 * Return: an enum recomp_result, or -ENOMEM when the object could not be
 * allocated (no memory, or the memory limit).
 */
static int recomp_keep(struct zram *zram, const struct recomp_req *req,
		       unsigned int old_size, const void *data,
		       unsigned int len, struct zram_obj *obj)
{
	if (!recomp_saves(zram, old_size, len))
		return RECOMP_NO_SAVING;
	if (req->threshold && len >= req->threshold)
		return RECOMP_ABOVE_THRESHOLD;
	if (zram_alloc_obj(zram, len, false, &obj->handle))
		return -ENOMEM;
	zsm_obj_write(zram->mem_pool, obj->handle, data, len);
	obj->size = len;
	obj->prio = req->prio;
	return RECOMP_SMALLER;
}

/*
 * Compress @page with the request's algorithm into @obj, if that saves.
 * Return: an enum recomp_result, or an error, which ends the run.
 */
static int recomp_make_obj(struct zram *zram, struct page *page,
			   const struct recomp_req *req, unsigned int old_size,
			   struct zram_obj *obj)
{
	struct zcomp *comp = zram->comps[req->prio];
	struct zcomp_strm *zstrm;
	unsigned int len = 0;
	void *src;
	int ret;

	zstrm = zcomp_stream_get(comp);
	src = kmap_local_page(page);
	ret = zcomp_compress(comp, zstrm, src, &len);
	kunmap_local(src);
	if (!ret)
		ret = recomp_keep(zram, req, old_size, zstrm->buffer, len, obj);
	else if (ret == -E2BIG)	/* zcomp's early abort: nothing to save */
		ret = RECOMP_NO_SAVING;
	zcomp_stream_put(zstrm);
	return ret;
}

/* Try one slot, as the rules at the top say; *left counts down the tries */
static int recompress_slot(struct zram *zram, u32 index,
			   const struct recomp_req *req, struct page *page,
			   unsigned long *left)
{
	struct zram_obj obj = {};
	unsigned long old_handle;
	unsigned int old_size;
	bool installed = false;
	int ret;

	zram_slot_lock(zram, index);
	if (!recomp_candidate(zram, index, req)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	ret = zram_read_locked(zram, index, page);
	if (ret) {
		zram_slot_unlock(zram, index);
		return ret;
	}
	old_handle = get_slot_handle(zram, index);
	old_size = get_slot_size(zram, index);
	set_slot_flag(zram, index, ZRAM_PP_SLOT);
	zram_slot_unlock(zram, index);
	(*left)--;

	ret = recomp_make_obj(zram, page, req, old_size, &obj);

	zram_slot_lock(zram, index);
	if (pp_slot_unchanged(zram, index, old_handle)) {
		clear_slot_flag(zram, index, ZRAM_PP_SLOT);
		if (ret == RECOMP_SMALLER) {
			zsm_free(zram->mem_pool,
				 zram_slot_take_obj(zram, index));
			zram_slot_set_obj(zram, index, &obj);
			installed = true;
		} else if (ret == RECOMP_NO_SAVING &&
			   req->prio == req->last_prio) {
			/* no algorithm left to try */
			set_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE);
		}
	}
	zram_slot_unlock(zram, index);
	/* the slot changed meanwhile: the new object is nobody's */
	if (ret == RECOMP_SMALLER && !installed)
		zsm_free(zram->mem_pool, obj.handle);
	return ret < 0 ? ret : 0;
}

static int recompress_run(struct zram *zram, const struct recomp_req *req)
{
	unsigned long left = req->max_pages;
	unsigned long index;
	struct page *page;
	int ret = 0;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	for (index = 0; index < zram->nr_slots && left && !ret; index++) {
		ret = recompress_slot(zram, index, req, page, &left);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	__free_page(page);
	return ret;
}

static ssize_t recompress_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	struct zram *zram = dev_to_zram(dev);
	struct recomp_req req = { .max_pages = ULONG_MAX };
	int ret;

	if (!args)
		return -ENOMEM;
	ret = zram_parse_args(args, recomp_keys, ARRAY_SIZE(recomp_keys),
			      recomp_take, &req);
	if (ret < 0)
		return ret;

	guard(rwsem_read)(&zram->init_lock);
	if (!init_done(zram))
		return -EINVAL;
	ret = recomp_resolve(zram, &req);
	if (ret)
		return ret;
	if (!pp_begin(zram))
		return -EAGAIN;
	ret = recompress_run(zram, &req);
	pp_end(zram);
	return ret ? ret : len;
}

/* recomp_algorithm: "#N: " and the backend list, per configured priority */
static ssize_t recomp_algorithm_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned int prio;
	ssize_t at = 0;

	guard(rwsem_read)(&zram->init_lock);
	for (prio = ZRAM_SECONDARY_COMP; prio < ZRAM_MAX_COMPS; prio++) {
		if (!zram->comp_algs[prio])
			continue;
		at += sysfs_emit_at(buf, at, "#%u: ", prio);
		at = zcomp_available_show(zram->comp_algs[prio], buf, at);
	}
	return at;
}

enum recomp_alg_key {
	RA_ALGO,
	RA_PRIORITY,
};

static const char *const recomp_alg_keys[] = {
	[RA_ALGO] = "algo",
	[RA_PRIORITY] = "priority",
};

struct recomp_alg_req {
	const char *algo;
	unsigned int prio;
};

static int recomp_alg_take(void *ctx, unsigned int key, char *val)
{
	struct recomp_alg_req *req = ctx;

	switch (key) {
	case RA_ALGO:
		req->algo = val;
		return 0;
	case RA_PRIORITY:
		return parse_secondary_prio(val, &req->prio);
	}
	return -EINVAL;
}

static ssize_t recomp_algorithm_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	struct zram *zram = dev_to_zram(dev);
	struct recomp_alg_req req = { .prio = ZRAM_SECONDARY_COMP };
	const char *alg;
	int ret;

	if (!args)
		return -ENOMEM;
	ret = zram_parse_args(args, recomp_alg_keys,
			      ARRAY_SIZE(recomp_alg_keys), recomp_alg_take,
			      &req);
	if (ret < 0)
		return ret;
	alg = req.algo ? zcomp_lookup_backend_name(req.algo) : NULL;
	if (!alg)
		return -EINVAL;

	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	zram->comp_algs[req.prio] = alg;
	return len;
}

/*
 * Writeback
 */
struct wb_run;

/**
 * struct wb_req - one block write of a writeback run
 * @node: in the run's @free or @done list; in neither while in flight
 * @run: the run
 * @bio: the write, with its one vector @bvec
 * @bvec: see @bio
 * @page: the data
 * @index: the slot
 * @handle: the slot's pool handle when its data was copied
 * @block: the backing-device block
 * @size: what the slot's size becomes: PAGE_SIZE for the page itself,
 *        else the length of the compressed object (compressed writeback)
 * @prio: the algorithm of that object
 * @charged: writeback_limit was charged for it
 */
struct wb_req {
	struct list_head node;
	struct wb_run *run;
	struct bio bio;
	struct bio_vec bvec;
	struct page *page;
	u32 index;
	unsigned long handle;
	unsigned long block;
	unsigned int size;
	unsigned int prio;
	bool charged;
};

/**
 * struct wb_run - one write to the writeback attribute
 * @zram: the device
 * @bdev: its backing device
 * @free: requests ready for a slot (the run's own list)
 * @done_lock: protects @done
 * @done: requests whose write completed, not yet finished by the run
 * @event: completed once per completed write, after it is on @done
 * @nr_reqs: requests allocated
 * @max_reqs: the most requests (writeback_batch_size at the start)
 * @submitted: writes submitted
 * @waited: completions of @event consumed
 * @err: -EIO once a write failed
 *
 * The run ends only after it consumed one completion of @event per write
 * submitted: complete() is the last access of a write's completion to the
 * run, which lives on the stack of the writer of the attribute.
 */
struct wb_run {
	struct zram *zram;
	struct block_device *bdev;
	struct list_head free;
	spinlock_t done_lock;		/* protects @done */
	struct list_head done;
	struct completion event;
	unsigned int nr_reqs;
	unsigned int max_reqs;
	unsigned int submitted;
	unsigned int waited;
	int err;
};

/* A part of the device to write back: the slots having all of @flags */
struct wb_target {
	unsigned long first;
	unsigned long last;
	unsigned long flags;
};

/* Take a slot's worth of writeback_limit, if it is on; false: used up */
static bool wb_charge(struct zram_pp *pp, struct wb_req *req)
{
	bool ok = true;

	spin_lock(&pp->wb_limit_lock);
	req->charged = false;
	if (pp->wb_limit_enable) {
		ok = pp->wb_limit >= ZRAM_UNITS_PER_SLOT;
		if (ok) {
			pp->wb_limit -= ZRAM_UNITS_PER_SLOT;
			req->charged = true;
		}
	}
	spin_unlock(&pp->wb_limit_lock);
	return ok;
}

static void wb_refund(struct zram_pp *pp, struct wb_req *req)
{
	if (!req->charged)
		return;
	spin_lock(&pp->wb_limit_lock);
	pp->wb_limit += ZRAM_UNITS_PER_SLOT;
	spin_unlock(&pp->wb_limit_lock);
	req->charged = false;
}

/* May the run write the slot back?  Slot locked. */
static bool wb_candidate(struct zram *zram, u32 index, unsigned long flags)
{
	if (test_slot_flag(zram, index, ZRAM_WB) ||
	    test_slot_flag(zram, index, ZRAM_SAME) ||
	    test_slot_flag(zram, index, ZRAM_PP_SLOT) ||
	    !get_slot_handle(zram, index))
		return false;
	return slot_has_flags(zram, index, flags);
}

/* Copy the slot's data into @req as the block will hold it.  Slot locked. */
static int wb_copy_slot(struct zram *zram, u32 index, struct wb_req *req)
{
	unsigned long handle = get_slot_handle(zram, index);
	unsigned int size = get_slot_size(zram, index);
	void *dst, *src;

	req->handle = handle;
	if (!zram->pp.compressed_wb) {
		req->size = PAGE_SIZE;
		req->prio = ZRAM_PRIMARY_COMP;
		return zram_read_locked(zram, index, req->page);
	}

	dst = kmap_local_page(req->page);
	src = zsm_obj_read_begin(zram->mem_pool, handle, size, dst);
	if (src != dst)
		memcpy(dst, src, size);
	zsm_obj_read_end(zram->mem_pool, handle, src);
	/* nothing stale goes to the disk */
	memset(dst + size, 0, PAGE_SIZE - size);
	kunmap_local(dst);
	req->size = size;
	req->prio = get_slot_prio(zram, index);
	return 0;
}

/* Charge the limit and take a block for @req */
static int wb_reserve(struct zram_pp *pp, struct wb_req *req)
{
	if (!wb_charge(pp, req))
		return -EIO;
	if (!alloc_block(pp, &req->block)) {
		wb_refund(pp, req);
		return -ENOSPC;
	}
	return 0;
}

/* Completion context, often an interrupt: hand the request to the run */
static void wb_end_io(struct bio *bio)
{
	struct wb_req *req = bio->bi_private;
	struct wb_run *run = req->run;
	unsigned long flags;

	spin_lock_irqsave(&run->done_lock, flags);
	list_add_tail(&req->node, &run->done);
	spin_unlock_irqrestore(&run->done_lock, flags);
	complete(&run->event);
}

static void wb_submit(struct wb_run *run, struct wb_req *req)
{
	struct bio *bio = &req->bio;

	list_del(&req->node);
	bio_init(bio, run->bdev, &req->bvec, 1, REQ_OP_WRITE | REQ_SYNC);
	bio->bi_iter.bi_sector = (sector_t)req->block <<
				 ZRAM_SECTORS_PER_SLOT_SHIFT;
	__bio_add_page(bio, req->page, PAGE_SIZE, 0);
	bio->bi_end_io = wb_end_io;
	bio->bi_private = req;
	run->submitted++;
	submit_bio(bio);
}

/* The slot's data is on the backing device: free its memory.  Slot locked. */
static void wb_install(struct zram *zram, const struct wb_req *req)
{
	u32 index = req->index;

	zsm_free(zram->mem_pool, zram_slot_take_obj(zram, index));
	clear_slot_flag(zram, index, ZRAM_IDLE);
	clear_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE);
	set_slot_handle(zram, index, req->block);
	set_slot_size(zram, index, req->size);
	set_slot_prio(zram, index, req->prio);
	set_slot_flag(zram, index, ZRAM_WB);
	atomic64_inc(&zram->stats.bd_count);
}

/* A write completed: the slot moves to its block, or keeps its memory */
static void wb_finish(struct wb_run *run, struct wb_req *req)
{
	struct zram *zram = run->zram;
	int err = blk_status_to_errno(req->bio.bi_status);
	bool unchanged;

	bio_uninit(&req->bio);
	zram_slot_lock(zram, req->index);
	unchanged = pp_slot_unchanged(zram, req->index, req->handle);
	if (unchanged)
		clear_slot_flag(zram, req->index, ZRAM_PP_SLOT);
	if (!err && unchanged) {
		wb_install(zram, req);
	} else {
		/* the limit counts only what moved to the backing device */
		put_block(&zram->pp, req->block);
		wb_refund(&zram->pp, req);
	}
	zram_slot_unlock(zram, req->index);

	if (err) {
		atomic64_inc(&zram->stats.bd_failed_writes);
		pr_err_ratelimited("%s: cannot write slot %u back: %d\n",
				   zram->disk->disk_name, req->index, err);
		run->err = -EIO;
	} else {
		atomic64_inc(&zram->stats.bd_writes);
	}
}

/* Finish every request whose write completed */
static void wb_reap(struct wb_run *run)
{
	struct wb_req *req, *next;
	LIST_HEAD(done);

	spin_lock_irq(&run->done_lock);
	list_splice_init(&run->done, &done);
	spin_unlock_irq(&run->done_lock);
	list_for_each_entry_safe(req, next, &done, node) {
		wb_finish(run, req);
		list_move_tail(&req->node, &run->free);
	}
}

/* Wait for one more write to complete, then finish the completed ones */
static void wb_wait(struct wb_run *run)
{
	wait_for_completion_io(&run->event);
	run->waited++;
	wb_reap(run);
}

/*
 * Writeback runs to give memory back: past its first request, a run makes
 * do with what it has rather than push the machine into reclaim or OOM.
 */
static bool wb_alloc_req(struct wb_run *run)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct wb_req *req;

	if (run->nr_reqs)
		gfp |= __GFP_NORETRY;
	req = kzalloc(sizeof(*req), gfp);
	if (!req)
		return false;
	req->page = alloc_page(gfp);
	if (!req->page) {
		kfree(req);
		return false;
	}
	req->run = run;
	list_add_tail(&req->node, &run->free);
	run->nr_reqs++;
	return true;
}

/* A request for the next slot: a free one, a completed one or a new one */
static struct wb_req *wb_get_req(struct wb_run *run)
{
	if (list_empty(&run->free))
		wb_reap(run);
	if (list_empty(&run->free) && run->nr_reqs < run->max_reqs &&
	    !wb_alloc_req(run))
		run->max_reqs = run->nr_reqs;	/* short of memory: make do */
	while (list_empty(&run->free)) {
		/* nothing in flight either: no request could be allocated */
		if (run->waited == run->submitted)
			return NULL;
		wb_wait(run);
	}
	return list_first_entry(&run->free, struct wb_req, node);
}

static int wb_slot(struct wb_run *run, u32 index, unsigned long flags)
{
	struct zram *zram = run->zram;
	struct wb_req *req;
	int ret;

	req = wb_get_req(run);
	if (!req)
		return -ENOMEM;

	zram_slot_lock(zram, index);
	if (!wb_candidate(zram, index, flags) ||
	    wb_copy_slot(zram, index, req)) {
		/* a slot that cannot be read stays where it is; the run goes on */
		zram_slot_unlock(zram, index);
		return 0;
	}
	ret = wb_reserve(&zram->pp, req);
	if (!ret) {
		req->index = index;
		set_slot_flag(zram, index, ZRAM_PP_SLOT);
	}
	zram_slot_unlock(zram, index);
	if (!ret)
		wb_submit(run, req);
	return ret;
}

/* Wait for every write in flight and finish it */
static void wb_drain(struct wb_run *run)
{
	while (run->waited < run->submitted)
		wb_wait(run);
}

/* A target ends only when its writes have (rule 5) */
static int wb_target(struct wb_run *run, const struct wb_target *t)
{
	unsigned long index;
	int ret = 0;

	for (index = t->first; index <= t->last; index++) {
		ret = wb_slot(run, index, t->flags);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		if (ret)
			break;
		cond_resched();
	}
	wb_drain(run);
	return ret;
}

/* Wait for the writes in flight, finish them and free the requests */
static int wb_run_end(struct wb_run *run)
{
	struct wb_req *req, *next;

	wb_drain(run);
	list_for_each_entry_safe(req, next, &run->free, node) {
		list_del(&req->node);
		__free_page(req->page);
		kfree(req);
	}
	return run->err;
}

/* The input forms: a legacy word, or key=value pairs */
enum wb_key {
	WB_TYPE,
	WB_PAGE_INDEX,
	WB_PAGE_INDEXES,
};

static const char *const wb_keys[] = {
	[WB_TYPE] = "type",
	[WB_PAGE_INDEX] = "page_index",
	[WB_PAGE_INDEXES] = "page_indexes",
};

static int wb_type_target(struct zram *zram, const char *val,
			  struct wb_target *t)
{
	t->first = 0;
	t->last = zram->nr_slots - 1;
	return pp_parse_type(val, ARRAY_SIZE(pp_type_names), &t->flags);
}

static int wb_parse_index(struct zram *zram, const char *val,
			  unsigned long *index)
{
	int ret = kstrtoul(val, 10, index);

	if (ret)
		return ret;
	return *index < zram->nr_slots ? 0 : -ERANGE;
}

static int wb_index_target(struct zram *zram, const char *val,
			   struct wb_target *t)
{
	int ret;

	t->flags = 0;
	ret = wb_parse_index(zram, val, &t->first);
	t->last = t->first;
	return ret;
}

/* LO-HI, both included */
static int wb_range_target(struct zram *zram, char *val, struct wb_target *t)
{
	char *hi = strchr(val, '-');
	int ret;

	if (!hi)
		return -EINVAL;
	*hi++ = '\0';
	t->flags = 0;
	ret = wb_parse_index(zram, val, &t->first);
	if (!ret)
		ret = wb_parse_index(zram, hi, &t->last);
	if (ret)
		return ret;
	return t->first <= t->last ? 0 : -ERANGE;
}

/* A pass over the input: @run NULL checks it, else carries it out */
struct wb_walk {
	struct zram *zram;
	struct wb_run *run;
};

static int wb_take(void *ctx, unsigned int key, char *val)
{
	struct wb_walk *walk = ctx;
	struct wb_target t;
	int ret;

	switch (key) {
	case WB_TYPE:
		ret = wb_type_target(walk->zram, val, &t);
		break;
	case WB_PAGE_INDEX:
		ret = wb_index_target(walk->zram, val, &t);
		break;
	case WB_PAGE_INDEXES:
		ret = wb_range_target(walk->zram, val, &t);
		break;
	default:
		return -EINVAL;
	}
	if (ret || !walk->run)
		return ret;
	return wb_target(walk->run, &t);
}

static int wb_walk(struct zram *zram, const char *buf, size_t len,
		   struct wb_run *run)
{
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	struct wb_walk walk = { .zram = zram, .run = run };
	struct wb_target t;
	int ret;

	if (!args)
		return -ENOMEM;
	if (!strchr(args, '=')) {
		ret = wb_type_target(zram, args, &t);
		if (ret || !run)
			return ret;
		return wb_target(run, &t);
	}
	ret = zram_parse_args(args, wb_keys, ARRAY_SIZE(wb_keys), wb_take,
			      &walk);
	return ret < 0 ? ret : 0;
}

static int wb_execute(struct zram *zram, const char *buf, size_t len)
{
	struct wb_run run = {
		.zram = zram,
		.bdev = file_bdev(zram->pp.bdev_file),
		.max_reqs = READ_ONCE(zram->pp.wb_batch_size),
	};
	int ret, err;

	INIT_LIST_HEAD(&run.free);
	INIT_LIST_HEAD(&run.done);
	spin_lock_init(&run.done_lock);
	init_completion(&run.event);

	ret = wb_walk(zram, buf, len, &run);
	err = wb_run_end(&run);
	return ret ? ret : err;
}

static ssize_t writeback_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	int ret;

	guard(rwsem_read)(&zram->init_lock);
	if (!init_done(zram))
		return -EINVAL;
	if (!zram->pp.bdev_file)
		return -ENODEV;
	/* all of the input is checked before anything is written */
	ret = wb_walk(zram, buf, len, NULL);
	if (ret)
		return ret;
	if (!pp_begin(zram))
		return -EAGAIN;
	ret = wb_execute(zram, buf, len);
	pp_end(zram);
	return ret ? ret : len;
}

/* backing_dev: set only before init; the path it was given, or "none" */
static ssize_t backing_dev_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	return sysfs_emit(buf, "%s\n", zram->pp.bdev_path ?: "none");
}

/* Open @path as the backing device, replacing any; init_lock held */
static int attach_backing_dev(struct zram *zram, const char *path)
{
	struct zram_pp *pp = &zram->pp;
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

	release_backing_dev(pp);
	pp->bdev_file = file;
	pp->bdev_path = name;
	pp->bitmap = bitmap;
	pp->nr_blocks = nr_blocks;
	pr_info("%s: backing device %s, %lu blocks\n", zram->disk->disk_name,
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

	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	ret = attach_backing_dev(zram, path);
	return ret ? ret : len;
}

/* writeback_limit: the budget left, in 4 KiB units */
static ssize_t writeback_limit_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct zram_pp *pp = &dev_to_zram(dev)->pp;
	u64 limit;

	spin_lock(&pp->wb_limit_lock);
	limit = pp->wb_limit;
	spin_unlock(&pp->wb_limit_lock);
	return sysfs_emit(buf, "%llu\n", limit);
}

static ssize_t writeback_limit_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t len)
{
	struct zram_pp *pp = &dev_to_zram(dev)->pp;
	u64 limit;

	if (kstrtoull(buf, 10, &limit))
		return -EINVAL;
	spin_lock(&pp->wb_limit_lock);
	pp->wb_limit = limit;
	spin_unlock(&pp->wb_limit_lock);
	return len;
}

/* writeback_limit_enable: any number, non-zero turns the limit on */
static ssize_t writeback_limit_enable_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	struct zram_pp *pp = &dev_to_zram(dev)->pp;
	bool on;

	spin_lock(&pp->wb_limit_lock);
	on = pp->wb_limit_enable;
	spin_unlock(&pp->wb_limit_lock);
	return sysfs_emit(buf, "%d\n", on);
}

static ssize_t writeback_limit_enable_store(struct device *dev,
					    struct device_attribute *attr,
					    const char *buf, size_t len)
{
	struct zram_pp *pp = &dev_to_zram(dev)->pp;
	u64 val;

	if (kstrtoull(buf, 10, &val))
		return -EINVAL;
	spin_lock(&pp->wb_limit_lock);
	pp->wb_limit_enable = val != 0;
	spin_unlock(&pp->wb_limit_lock);
	return len;
}

/* writeback_batch_size: writes in flight per run, from the next run on */
static ssize_t writeback_batch_size_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	struct zram_pp *pp = &dev_to_zram(dev)->pp;

	return sysfs_emit(buf, "%u\n", READ_ONCE(pp->wb_batch_size));
}

static ssize_t writeback_batch_size_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zram_pp *pp = &dev_to_zram(dev)->pp;
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || !val)
		return -EINVAL;
	WRITE_ONCE(pp->wb_batch_size, val);
	return len;
}

/* compressed_writeback: set only before init */
static ssize_t compressed_writeback_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	struct zram *zram = dev_to_zram(dev);

	guard(rwsem_read)(&zram->init_lock);
	return sysfs_emit(buf, "%d\n", zram->pp.compressed_wb);
}

static ssize_t compressed_writeback_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	bool val;

	if (kstrtobool(buf, &val))
		return -EINVAL;
	guard(rwsem_write)(&zram->init_lock);
	if (init_done(zram))
		return -EBUSY;
	zram->pp.compressed_wb = val;
	return len;
}

/* bd_stat: blocks in use, read and written, in 4 KiB units */
static ssize_t bd_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct zram_stats *stats = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu %8llu\n",
			  (u64)atomic64_read(&stats->bd_count) *
			  ZRAM_UNITS_PER_SLOT,
			  (u64)atomic64_read(&stats->bd_reads) *
			  ZRAM_UNITS_PER_SLOT,
			  (u64)atomic64_read(&stats->bd_writes) *
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
	struct zram_stats *stats = &dev_to_zram(dev)->stats;

	return sysfs_emit(buf, "%8llu %8llu\n",
			  (u64)atomic64_read(&stats->bd_failed_reads) *
			  ZRAM_UNITS_PER_SLOT,
			  (u64)atomic64_read(&stats->bd_failed_writes) *
			  ZRAM_UNITS_PER_SLOT);
}

/* Configuration first, then the triggers, then the statistics */
static DEVICE_ATTR_RW(recomp_algorithm);
static DEVICE_ATTR_RW(backing_dev);
static DEVICE_ATTR_RW(compressed_writeback);
static DEVICE_ATTR_RW(writeback_batch_size);
static DEVICE_ATTR_RW(writeback_limit_enable);
static DEVICE_ATTR_RW(writeback_limit);
static DEVICE_ATTR_WO(recompress);
static DEVICE_ATTR_WO(writeback);
static DEVICE_ATTR_RO(bd_stat);
static DEVICE_ATTR_RO(bd_errors);

static struct attribute *zram_pp_attrs[] = {
	&dev_attr_recomp_algorithm.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_compressed_writeback.attr,
	&dev_attr_writeback_batch_size.attr,
	&dev_attr_writeback_limit_enable.attr,
	&dev_attr_writeback_limit.attr,
	&dev_attr_recompress.attr,
	&dev_attr_writeback.attr,
	&dev_attr_bd_stat.attr,
	&dev_attr_bd_errors.attr,
	NULL,
};

const struct attribute_group zram_pp_attr_group = {
	.attrs = zram_pp_attrs,
};

#ifdef ZRAM_KUNIT
#include "tests/kunit/zram_pp_kunit.c"
#endif
