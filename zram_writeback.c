// SPDX-License-Identifier: GPL-2.0
/*
 * zram writeback: runs that move slots to the backing device
 * (zram_backing.c) and free their memory, under the rules of zram_pp.c.
 *
 * Up to writeback_batch_size writes are in flight per run.  Their
 * completions only queue the request for the run, which finishes each one
 * in process context: a slot that is still as it was copied gives up its
 * memory and points to its block; otherwise, or when the write failed, the
 * block is freed and the slot stays in memory as it is.
 *
 * A block holds the page itself, or, with compressed_writeback, the
 * slot's compressed object followed by zeroes (zram_backing.c reads it).
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/wait.h>

#include "zram_pp.h"
#include "zram_pp_priv.h"
#include "zram_slot.h"

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
 * @done_wait: woken when a request joins @done
 * @in_flight: requests submitted and not yet finished by the run
 * @nr_reqs: requests allocated
 * @max_reqs: the most requests (writeback_batch_size at the start)
 * @now: zram_now() at the start, for the targets' ages
 * @left: slots the run may still write
 * @written: slots it moved to the backing device
 * @policy: a run of pp_policy (reset stops it early)
 * @err: -EIO once a write failed
 *
 * The run lives on the stack of the writer of the attribute and ends when
 * nothing is in flight, which it learns only by taking @done_lock: a
 * completion wakes the run with that lock held, and releasing it is the
 * completion's last access to the run.
 */
struct wb_run {
	struct zram *zram;
	struct block_device *bdev;
	struct list_head free;
	spinlock_t done_lock;		/* protects @done */
	struct list_head done;
	wait_queue_head_t done_wait;
	unsigned int in_flight;
	unsigned int nr_reqs;
	unsigned int max_reqs;
	u32 now;
	unsigned long left;
	unsigned long written;
	bool policy;
	int err;
};

/*
 * A part of the device to write back: the slots having all of @flags and
 * not accessed for @age seconds (0: any)
 */
struct wb_target {
	unsigned long first;
	unsigned long last;
	unsigned long flags;
	u32 age;
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

/* Does the slot hold an object writeback could move?  Slot locked. */
static bool wb_movable(struct zram *zram, u32 index)
{
	return !test_slot_flag(zram, index, ZRAM_WB) &&
	       !test_slot_flag(zram, index, ZRAM_SAME) &&
	       !test_slot_flag(zram, index, ZRAM_PP_SLOT) &&
	       get_slot_handle(zram, index);
}

/* May the run write the slot back?  Slot locked. */
static bool wb_candidate(struct wb_run *run, u32 index,
			 const struct wb_target *t)
{
	struct zram *zram = run->zram;

	return wb_movable(zram, index) &&
	       zram_pp_slot_old_enough(zram, index, run->now, t->age) &&
	       zram_pp_slot_has_flags(zram, index, t->flags);
}

/* Copy the slot's data into @req as the block will hold it.  Slot locked. */
static int wb_copy_slot(struct zram *zram, u32 index, struct wb_req *req)
{
	unsigned int size;
	void *dst;

	req->handle = get_slot_handle(zram, index);
	if (!zram_pp_of(zram)->compressed_wb) {
		req->size = PAGE_SIZE;
		req->prio = ZRAM_PRIMARY_COMP;
		return zram_slot_read(zram, index, req->page);
	}

	dst = kmap_local_page(req->page);
	size = zram_slot_copy_obj(zram, index, dst);
	/* nothing stale goes to the disk */
	memset(dst + size, 0, PAGE_SIZE - size);
	kunmap_local(dst);
	req->size = size;
	req->prio = get_slot_prio(zram, index);
	return 0;
}

/* Charge the limit and take a block for @req; -EDQUOT: the limit is used up */
static int wb_reserve(struct zram_pp *pp, struct wb_req *req)
{
	if (!wb_charge(pp, req))
		return -EDQUOT;
	if (!zram_bd_alloc_block(pp, &req->block)) {
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
	wake_up(&run->done_wait);
	spin_unlock_irqrestore(&run->done_lock, flags);
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
	run->in_flight++;
	submit_bio(bio);
}

/* The slot's data is on the backing device: free its memory.  Slot locked. */
static void wb_install(struct zram *zram, const struct wb_req *req)
{
	u32 index = req->index;

	zram_obj_free(zram, zram_slot_take_obj(zram, index));
	clear_slot_flag(zram, index, ZRAM_IDLE);
	clear_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE);
	set_slot_handle(zram, index, req->block);
	set_slot_size(zram, index, req->size);
	set_slot_prio(zram, index, req->prio);
	set_slot_flag(zram, index, ZRAM_WB);
	atomic64_inc(&zram_pp_of(zram)->bd_count);
}

/* A write completed: the slot moves to its block, or keeps its memory */
static void wb_finish(struct wb_run *run, struct wb_req *req)
{
	struct zram *zram = run->zram;
	struct zram_pp *pp = zram_pp_of(zram);
	int err = blk_status_to_errno(req->bio.bi_status);
	bool unchanged;

	bio_uninit(&req->bio);
	zram_slot_lock(zram, req->index);
	unchanged = zram_pp_slot_unchanged(zram, req->index, req->handle);
	if (unchanged)
		clear_slot_flag(zram, req->index, ZRAM_PP_SLOT);
	if (!err && unchanged) {
		wb_install(zram, req);
		run->written++;
	} else {
		/* the limit counts only what moved to the backing device */
		zram_bd_put_block(pp, req->block);
		wb_refund(pp, req);
	}
	zram_slot_unlock(zram, req->index);

	if (err) {
		atomic64_inc(&pp->bd_failed_writes);
		pr_err_ratelimited("%s: cannot write slot %u back: %d\n",
				   zram_name(zram), req->index, err);
		run->err = -EIO;
	} else {
		atomic64_inc(&pp->bd_writes);
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
		run->in_flight--;
	}
}

/* Wait until a write completes, then finish the completed ones */
static void wb_wait(struct wb_run *run)
{
	io_wait_event(run->done_wait, !list_empty_careful(&run->done));
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

	/* the policy's runs never push for memory, not even for one request */
	if (run->nr_reqs || run->policy)
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

/*
 * A request for the next slot: one whose write completed, else a new one,
 * else the next to complete.  NULL: none could be allocated.
 */
static struct wb_req *wb_get_req(struct wb_run *run)
{
	if (list_empty(&run->free))
		wb_reap(run);
	if (list_empty(&run->free) && run->nr_reqs < run->max_reqs &&
	    !wb_alloc_req(run))
		run->max_reqs = run->nr_reqs;	/* short of memory: make do */
	while (list_empty(&run->free) && run->in_flight)
		wb_wait(run);
	return list_first_entry_or_null(&run->free, struct wb_req, node);
}

static int wb_slot(struct wb_run *run, u32 index, const struct wb_target *t)
{
	struct zram *zram = run->zram;
	struct wb_req *req;
	int ret;

	req = wb_get_req(run);
	if (!req)
		return -ENOMEM;

	zram_slot_lock(zram, index);
	if (!wb_candidate(run, index, t)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	if (wb_copy_slot(zram, index, req)) {
		/*
		 * Garbled (or its checksum failed): it stays where it is, the
		 * run goes on and ends with EIO
		 */
		zram_slot_unlock(zram, index);
		run->err = -EIO;
		return 0;
	}
	ret = wb_reserve(zram_pp_of(zram), req);
	if (!ret) {
		req->index = index;
		set_slot_flag(zram, index, ZRAM_PP_SLOT);
	}
	zram_slot_unlock(zram, index);
	if (!ret) {
		wb_submit(run, req);
		run->left--;
	}
	return ret;
}

/* Wait for every write in flight and finish it */
static void wb_drain(struct wb_run *run)
{
	while (run->in_flight)
		wb_wait(run);
}

/* A target ends only when its writes have (rule 5) */
static int wb_target(struct wb_run *run, const struct wb_target *t)
{
	unsigned long index;
	int ret = 0;

	for (index = t->first; index <= t->last && run->left; index++) {
		ret = wb_slot(run, index, t);
		if (!ret)
			ret = zram_pp_interrupted(run->zram, run->policy);
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
	t->last = zram_nr_slots(zram) - 1;
	return zram_pp_parse_type(val, PP_NR_TYPES, &t->flags);
}

static int wb_parse_index(struct zram *zram, const char *val,
			  unsigned long *index)
{
	int ret = kstrtoul(val, 10, index);

	if (ret)
		return ret;
	return *index < zram_nr_slots(zram) ? 0 : -ERANGE;
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

/**
 * struct wb_plan - a writeback input, parsed: its targets in input order
 * @zram: the device
 * @targets: room for one target per '=' of the input, at least one
 *           (kvfree() it)
 * @nr: targets parsed
 */
struct wb_plan {
	struct zram *zram;
	struct wb_target *targets;
	unsigned int nr;
};

static int wb_take(void *ctx, unsigned int key, char *val)
{
	struct wb_plan *plan = ctx;
	struct wb_target *t = &plan->targets[plan->nr];
	int ret;

	switch (key) {
	case WB_TYPE:
		ret = wb_type_target(plan->zram, val, t);
		break;
	case WB_PAGE_INDEX:
		ret = wb_index_target(plan->zram, val, t);
		break;
	case WB_PAGE_INDEXES:
		ret = wb_range_target(plan->zram, val, t);
		break;
	default:
		return -EINVAL;
	}
	if (!ret)
		plan->nr++;
	return ret;
}

/*
 * Parse all of the input before anything is written: a legacy type word,
 * or key=value pairs.  On success the caller frees plan->targets.
 */
static int wb_parse(struct zram *zram, const char *buf, size_t len,
		    struct wb_plan *plan)
{
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	unsigned int max = 1;
	const char *c;
	int ret;

	if (!args)
		return -ENOMEM;
	*plan = (struct wb_plan){ .zram = zram };
	/* a pair has an '=': at most that many targets, and a legacy one */
	for (c = args; *c; c++)
		max += *c == '=';
	plan->targets = kvcalloc(max, sizeof(*plan->targets),
				 GFP_KERNEL | __GFP_NOWARN);
	if (!plan->targets)
		return -ENOMEM;
	if (strchr(args, '=')) {
		ret = zram_parse_args(args, wb_keys, ARRAY_SIZE(wb_keys),
				      wb_take, plan);
	} else {
		ret = wb_take(plan, WB_TYPE, args);
	}
	if (ret < 0) {
		kvfree(plan->targets);
		plan->targets = NULL;
		return ret;
	}
	return 0;
}

/* A run of the device's writeback, with no slot limit yet */
static void wb_run_init(struct wb_run *run, struct zram *zram)
{
	*run = (struct wb_run){
		.zram = zram,
		.bdev = file_bdev(zram_pp_of(zram)->bdev_file),
		.max_reqs = READ_ONCE(zram_pp_of(zram)->wb_batch_size),
		.now = zram_now(),
		.left = ULONG_MAX,
	};
	INIT_LIST_HEAD(&run->free);
	INIT_LIST_HEAD(&run->done);
	spin_lock_init(&run->done_lock);
	init_waitqueue_head(&run->done_wait);
}

static int wb_execute(struct zram *zram, const struct wb_plan *plan)
{
	struct wb_run run;
	unsigned int i;
	int ret = 0, err;

	wb_run_init(&run, zram);
	for (i = 0; i < plan->nr && !ret; i++)
		ret = wb_target(&run, &plan->targets[i]);
	err = wb_run_end(&run);
	ret = ret ? ret : err;
	/* upstream's errno for a used-up writeback_limit */
	return ret == -EDQUOT ? -EIO : ret;
}

/**
 * zram_writeback_aged() - the writeback of a policy scan
 * @zram: the device; the caller holds its config lock for reading and owns
 *        its post-processing (zram_pp_begin())
 * @pass: which slots, and what it did
 *
 * Every slot not accessed for @pass->age seconds, as a write of "all" to
 * writeback would, within writeback_limit.
 *
 * Return: 0 (also when writeback_limit ran out), -ENODEV without a
 * backing device, or the run's error.
 */
int zram_writeback_aged(struct zram *zram, struct pp_pass *pass)
{
	struct wb_target t = { .age = pass->age };
	struct wb_run run;
	int ret, err;

	if (!zram_pp_of(zram)->bdev_file)
		return -ENODEV;
	wb_run_init(&run, zram);
	run.now = pass->now;
	run.left = pass->left;
	run.policy = true;
	t.last = zram_nr_slots(zram) - 1;
	ret = wb_target(&run, &t);
	err = wb_run_end(&run);
	pass->left = run.left;
	pass->done += run.written;
	ret = ret ? ret : err;
	return ret == -EDQUOT ? 0 : ret;
}

static ssize_t writeback_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct wb_plan plan = {};
	int ret;

	guard(rwsem_read)(zram_config_lock(zram));
	if (!init_done(zram))
		return -EINVAL;
	if (!zram_pp_of(zram)->bdev_file)
		return -ENODEV;
	ret = wb_parse(zram, buf, len, &plan);
	if (ret)
		return ret;
	if (zram_pp_begin(zram)) {
		ret = wb_execute(zram, &plan);
		zram_pp_end(zram);
	} else {
		ret = -EAGAIN;
	}
	kvfree(plan.targets);
	return ret ? ret : len;
}

/*
 * Could a writeback run move anything now?  Not with writeback_limit spent
 * or the backing device full.  A hint, read without locks.
 */
bool zram_writeback_possible(struct zram_pp *pp)
{
	if (READ_ONCE(pp->wb_limit_enable) &&
	    READ_ONCE(pp->wb_limit) < ZRAM_UNITS_PER_SLOT)
		return false;
	return atomic64_read(&pp->bd_count) < READ_ONCE(pp->nr_blocks);
}

/* Age classes of zram_writeback_oldest(): 0, 1, 2-3, 4-7, ... seconds */
#define WB_AGE_CLASSES	33

/**
 * zram_writeback_oldest() - how old are the least recently accessed slots?
 * @zram: the device, config lock held for reading
 * @now: zram_now()
 * @nr: how many of them
 *
 * One look at every slot writeback could move, counting them by the power
 * of two of their age.  Return: the age (0 or a power of two) such that
 * the slots at least that old are @nr or more, and as few as can be told
 * apart that way (or all of them, when there are fewer than @nr).  Those
 * of exactly the lowest class may be younger than some left out, by less
 * than that age.
 */
u32 zram_writeback_oldest(struct zram *zram, u32 now, unsigned long nr)
{
	unsigned long count[WB_AGE_CLASSES] = {}, sum = 0;
	unsigned long index;
	int class;

	for (index = 0; index < zram_nr_slots(zram); index++) {
		zram_slot_lock(zram, index);
		if (wb_movable(zram, index))
			count[fls(zram_pp_slot_age(zram, index, now))]++;
		zram_slot_unlock(zram, index);
		/* the writeback that follows stops at once too */
		if (zram_pp_interrupted(zram, true))
			break;
		cond_resched();
	}
	for (class = WB_AGE_CLASSES - 1; class > 0; class--) {
		sum += count[class];
		if (sum >= nr)
			break;
	}
	return class ? 1U << (class - 1) : 0;
}

/* writeback_limit: the budget left, in 4 KiB units */
static ssize_t writeback_limit_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));
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
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));
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
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));
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
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));
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
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));

	return sysfs_emit(buf, "%u\n", READ_ONCE(pp->wb_batch_size));
}

static ssize_t writeback_batch_size_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zram_pp *pp = zram_pp_of(dev_to_zram(dev));
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

	guard(rwsem_read)(zram_config_lock(zram));
	return sysfs_emit(buf, "%d\n", zram_pp_of(zram)->compressed_wb);
}

static ssize_t compressed_writeback_store(struct device *dev,
					  struct device_attribute *attr,
					  const char *buf, size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	bool val;

	if (kstrtobool(buf, &val))
		return -EINVAL;
	guard(rwsem_write)(zram_config_lock(zram));
	if (init_done(zram))
		return -EBUSY;
	zram_pp_of(zram)->compressed_wb = val;
	return len;
}

struct device_attribute zram_attr_compressed_writeback = __ATTR_RW(compressed_writeback);
struct device_attribute zram_attr_writeback_batch_size = __ATTR_RW(writeback_batch_size);
struct device_attribute zram_attr_writeback_limit_enable = __ATTR_RW(writeback_limit_enable);
struct device_attribute zram_attr_writeback_limit = __ATTR_RW(writeback_limit);
struct device_attribute zram_attr_writeback = __ATTR_WO(writeback);

#ifdef ZRAM_KUNIT
#include "tests/kunit/zram_writeback_kunit.c"
#endif
