/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zram: a block device whose pages live compressed in RAM.
 *
 * Data layout: the per-slot flags, the slot table entry, the statistics
 * and the device; then the few functions zram_drv.c shares with
 * post-processing (zram_pp.h).
 * The code and the locking rules are in zram_drv.c, next to the functions
 * they govern.
 */
#ifndef _ZRAM_DRV_H_
#define _ZRAM_DRV_H_

#include <linux/atomic.h>
#include <linux/blkdev.h>
#include <linux/lockdep.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "zcomp.h"
#include "zram_pp.h"

/*
 * The device is addressed in pages of PAGE_SIZE ("slots"); the block layer
 * sees 4 KiB logical blocks, so on kernels with larger pages one slot holds
 * several blocks and sub-slot I/O is read-modify-write.
 */
#define ZRAM_SECTORS_PER_SLOT_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define ZRAM_LOGICAL_BLOCK_SHIFT	12
#define ZRAM_LOGICAL_BLOCK_SIZE		BIT(ZRAM_LOGICAL_BLOCK_SHIFT)

/*
 * The flags word of a slot.  Its low ZRAM_SIZE_BITS bits hold the size of
 * the stored object, 0..PAGE_SIZE inclusive (PAGE_SIZE for a page kept
 * uncompressed), hence one bit more than PAGE_SHIFT; 17 bits on 64 KiB
 * pages.  The flag bits follow.
 */
#define ZRAM_SIZE_BITS		(PAGE_SHIFT + 1)
#define ZRAM_SIZE_MASK		((1UL << ZRAM_SIZE_BITS) - 1)

enum zram_slot_flag {
	/* the slot lock: wait_on_bit_lock() sleeps on it, see zram_drv.c */
	ZRAM_LOCK = ZRAM_SIZE_BITS,
	/* every word of the page is equal; the handle field holds that word */
	ZRAM_SAME,
	/* the object lives on the backing device (writeback) */
	ZRAM_WB,
	/* picked by a post-processing run (recompression, writeback) */
	ZRAM_PP_SLOT,
	/* stored uncompressed: it did not shrink below the huge class size */
	ZRAM_HUGE,
	/* marked by a write to "idle" and not accessed since */
	ZRAM_IDLE,
	/* no configured algorithm could make it smaller */
	ZRAM_INCOMPRESSIBLE,
	/* two bits: the priority of the algorithm that compressed the object */
	ZRAM_PRIO_SHIFT,
	ZRAM_PRIO_LAST = ZRAM_PRIO_SHIFT + 1,
	__NR_ZRAM_SLOT_FLAGS,
};

#define ZRAM_PRIO_BITS		(ZRAM_PRIO_LAST - ZRAM_PRIO_SHIFT + 1)
#define ZRAM_PRIO_MASK		(((1UL << ZRAM_PRIO_BITS) - 1) << ZRAM_PRIO_SHIFT)

/*
 * One entry per slot, allocated for the whole disksize: 24 bytes on 64-bit
 * kernels (two longs, the access time and padding), 12 on 32-bit ones, plus
 * a lockdep map when lock debugging is on.  The slot lock is a bit of
 * @flags rather than a mutex for that reason: a mutex would more than
 * double the table.
 *
 * @handle: the allocator handle of the object; the fill word when ZRAM_SAME
 *          is set; 0 for an empty slot (protected by the slot lock)
 * @flags: object size, flags and the lock bit (protected by the slot lock,
 *         except for the lock bit itself)
 * @ac_time: last access, in whole seconds of boot time (slot lock)
 * @dep_map: lockdep's view of the slot lock
 */
struct zram_slot {
	unsigned long handle;
	unsigned long flags;
	u32 ac_time;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
};

/*
 * Device statistics.  Counters only: each is updated atomically where the
 * event happens and read without any lock; reset clears them all while no
 * I/O can run.  Sizes are in bytes, counts in slots unless noted.
 */
struct zram_stats {
	atomic64_t compr_data_size;	/* bytes held by stored objects */
	atomic64_t pages_stored;	/* slots holding data, same-filled too */
	atomic64_t same_pages;		/* same-filled slots */
	atomic64_t huge_pages;		/* slots stored uncompressed */
	atomic64_t huge_pages_since;	/* huge stores since init */
	atomic64_t failed_reads;
	atomic64_t failed_writes;
	atomic64_t notify_free;		/* slots freed by discard and swap */
	atomic64_t miss_free;		/* swap frees skipped: slot was busy */
	atomic_long_t max_used_bytes;	/* allocator high-water mark */
	atomic64_t bd_count;		/* backing-device blocks in use */
	atomic64_t bd_reads;		/* blocks read from it */
	atomic64_t bd_writes;		/* blocks written to it */
	atomic64_t bd_failed_reads;	/* reads from it that failed */
	atomic64_t bd_failed_writes;	/* writes to it that failed */
};

/**
 * struct zram_free_ring - pool objects whose slots swap freed, to be freed
 * @lock: guards the other fields but @work
 * @handles: ZRAM_FREE_RING handles; NULL while the device is not
 *           initialised
 * @head: the next handle to free
 * @count: how many wait
 * @work: frees them (zram_free_work())
 */
struct zram_free_ring {
	spinlock_t lock;	/* see above */
	unsigned long *handles;
	unsigned int head;
	unsigned int count;
	struct work_struct work;
};

/**
 * struct zram - one zram device
 * @table: one entry per slot; NULL while not initialised
 * @nr_slots: number of entries in @table, published with a release store
 *            after everything the I/O path uses has been set up
 * @mem_pool: the allocator pool of this device
 * @huge_class_size: objects this size or larger are stored as whole pages
 * @comps: compressors by priority; 0 is the primary one
 * @comp_algs: the algorithm chosen for each priority (the backend's own
 *             name string), NULL when none is
 * @params: the user's per-priority algorithm parameters
 * @disk: the gendisk
 * @init_lock: serialises configuration (sysfs, debugfs, reset); never taken
 *             on the I/O path
 * @disksize: the size set by the user; 0 while not initialised
 * @limit_pages: the memory limit in pages, 0 for none (written under
 *               @init_lock, read locklessly)
 * @stats: the counters
 * @claimed: reset or removal owns the device: open() fails (protected by
 *           disk->open_mutex)
 * @debugfs_dir: this device's debugfs directory
 * @pp: recompression and writeback (zram_pp.h)
 * @free_ring: frees deferred from swap's slot-free notification
 * @slot_waiters: tasks sleeping in zram_slot_lock_wait(); slot unlock
 *                wakes sleepers only while it is not zero
 * @slot_lock_key: lockdep class of this device's slot locks
 *
 * @table, @mem_pool, @comps and @huge_class_size are set up and torn down
 * under @init_lock held for writing, and only while no bio can reach the
 * device: see the comment above zram_reset_device().
 */
struct zram {
	struct zram_slot *table;
	unsigned long nr_slots;
	struct zsm_pool *mem_pool;
	size_t huge_class_size;
	struct zcomp *comps[ZRAM_MAX_COMPS];
	const char *comp_algs[ZRAM_MAX_COMPS];
	struct zcomp_params params[ZRAM_MAX_COMPS];
	struct gendisk *disk;
	struct rw_semaphore init_lock;
	u64 disksize;
	unsigned long limit_pages;
	struct zram_stats stats;
	bool claimed;
	struct dentry *debugfs_dir;
	struct zram_pp pp;
	struct zram_free_ring free_ring;
	atomic_t slot_waiters;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lock_class_key slot_lock_key;
#endif
};

/*
 * What zram_drv.c lends to post-processing (zram_pp.h): the slot lock and
 * the slot accessors (their rules: "The slot lock" there), reading a
 * locked slot, pool allocation within the memory limit, and the key=value
 * parser of the sysfs attributes.
 */
struct zram *dev_to_zram(struct device *dev);
bool init_done(struct zram *zram);

static inline struct lockdep_map *slot_lockdep(struct zram *zram, u32 index)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	return &zram->table[index].dep_map;
#else
	return NULL;
#endif
}

void zram_slot_lock_wait(struct zram *zram, u32 index);

/*
 * Lock and unlock a slot.  Both run for every page of every bio, so the
 * uncontended paths are inline and the unlock skips the wake-up while no
 * task of this device sleeps on a slot: see "The slot lock" in zram_drv.c.
 */
static inline void zram_slot_lock(struct zram *zram, u32 index)
{
	might_sleep();
	mutex_acquire(slot_lockdep(zram, index), 0, 0, _RET_IP_);
	if (unlikely(test_and_set_bit_lock(ZRAM_LOCK,
					   &zram->table[index].flags))) {
		lock_contended(slot_lockdep(zram, index), _RET_IP_);
		zram_slot_lock_wait(zram, index);
	}
	lock_acquired(slot_lockdep(zram, index), _RET_IP_);
}

static inline void zram_slot_unlock(struct zram *zram, u32 index)
{
	unsigned long *word = &zram->table[index].flags;

	mutex_release(slot_lockdep(zram, index), _RET_IP_);
	clear_bit_unlock(ZRAM_LOCK, word);
	/* order the release before the read; pairs with zram_slot_lock_wait() */
	smp_mb__after_atomic();
	if (unlikely(atomic_read(&zram->slot_waiters)))
		wake_up_bit(word, ZRAM_LOCK);
}

/* Backs every "the slot must be locked" precondition below */
static inline void assert_slot_locked(struct zram *zram, u32 index)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_assert(lock_is_held(&zram->table[index].dep_map));
#endif
	WARN_ON_ONCE(!test_bit(ZRAM_LOCK, &zram->table[index].flags));
}

/*
 * Slot accessors.  All of them require the slot lock (rule 5 in
 * zram_drv.c): the flag bits are set and cleared with plain, non-atomic
 * bit operations.  They sit on every I/O path, hence inline.
 */
static inline unsigned long get_slot_handle(struct zram *zram, u32 index)
{
	assert_slot_locked(zram, index);
	return zram->table[index].handle;
}

static inline void set_slot_handle(struct zram *zram, u32 index,
				   unsigned long handle)
{
	assert_slot_locked(zram, index);
	zram->table[index].handle = handle;
}

static inline unsigned int get_slot_size(struct zram *zram, u32 index)
{
	assert_slot_locked(zram, index);
	return zram->table[index].flags & ZRAM_SIZE_MASK;
}

static inline void set_slot_size(struct zram *zram, u32 index,
				 unsigned int size)
{
	unsigned long *flags = &zram->table[index].flags;

	assert_slot_locked(zram, index);
	WRITE_ONCE(*flags, (READ_ONCE(*flags) & ~ZRAM_SIZE_MASK) |
			   (size & ZRAM_SIZE_MASK));
}

static inline bool test_slot_flag(struct zram *zram, u32 index,
				  enum zram_slot_flag flag)
{
	assert_slot_locked(zram, index);
	return test_bit(flag, &zram->table[index].flags);
}

static inline void set_slot_flag(struct zram *zram, u32 index,
				 enum zram_slot_flag flag)
{
	assert_slot_locked(zram, index);
	__set_bit(flag, &zram->table[index].flags);
}

static inline void clear_slot_flag(struct zram *zram, u32 index,
				   enum zram_slot_flag flag)
{
	assert_slot_locked(zram, index);
	__clear_bit(flag, &zram->table[index].flags);
}

static inline unsigned int get_slot_prio(struct zram *zram, u32 index)
{
	assert_slot_locked(zram, index);
	return (zram->table[index].flags & ZRAM_PRIO_MASK) >> ZRAM_PRIO_SHIFT;
}

static inline void set_slot_prio(struct zram *zram, u32 index,
				 unsigned int prio)
{
	unsigned long *flags = &zram->table[index].flags;

	assert_slot_locked(zram, index);
	WRITE_ONCE(*flags, (READ_ONCE(*flags) & ~ZRAM_PRIO_MASK) |
			   (((unsigned long)prio << ZRAM_PRIO_SHIFT) &
			    ZRAM_PRIO_MASK));
}

/* Does the slot hold data (in the pool, in its flags or written back)? */
static inline bool slot_allocated(struct zram *zram, u32 index)
{
	return get_slot_handle(zram, index) ||
	       test_slot_flag(zram, index, ZRAM_SAME) ||
	       test_slot_flag(zram, index, ZRAM_WB);
}

/**
 * struct zram_obj - what a slot is to hold, made before the slot is locked
 * @handle: the pool handle of the object, or the fill word when @same
 * @size: the object's size: 0 when @same, PAGE_SIZE for a page kept whole
 * @prio: the priority of the algorithm that compressed it
 * @same: every word of the page is @handle; nothing is in the pool
 */
struct zram_obj {
	unsigned long handle;
	unsigned int size;
	unsigned int prio;
	bool same;
};

void zram_slot_set_obj(struct zram *zram, u32 index,
		       const struct zram_obj *obj);
unsigned long zram_slot_take_obj(struct zram *zram, u32 index);

int zram_read_locked(struct zram *zram, u32 index, struct page *page);
int zram_alloc_obj(struct zram *zram, size_t size, bool reclaim,
		   unsigned long *handle);
int zram_parse_args(char *args, const char *const *keys, size_t nr_keys,
		    int (*take)(void *ctx, unsigned int key, char *val),
		    void *ctx);

#endif /* _ZRAM_DRV_H_ */
