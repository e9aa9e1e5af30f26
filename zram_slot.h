/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zram's slots: the layout of a slot, its lock and accessors, and what
 * zram_slot.c offers the I/O path and post-processing: a slot's contents,
 * pool objects within the memory limit and the deferred frees.
 */
#ifndef _ZRAM_SLOT_H_
#define _ZRAM_SLOT_H_

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/types.h>
#include <linux/wait_bit.h>

#include "zram_drv.h"

/*
 * The flags word of a slot.  Its low ZRAM_SIZE_BITS bits hold the size of
 * the stored object, 0..PAGE_SIZE inclusive (PAGE_SIZE for a page kept
 * uncompressed), hence one bit more than PAGE_SHIFT; 17 bits on 64 KiB
 * pages.  The flag bits follow.
 */
#define ZRAM_SIZE_BITS		(PAGE_SHIFT + 1)
#define ZRAM_SIZE_MASK		((1UL << ZRAM_SIZE_BITS) - 1)

enum zram_slot_flag {
	/* the slot lock: wait_on_bit_lock() sleeps on it, see zram_slot.c */
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
 * kernels (two longs, the access time and the checksum, which fills what
 * would be padding), 16 on 32-bit ones, plus a lockdep map when lock
 * debugging is on.  The slot lock is a bit of @flags rather than a mutex
 * for that reason: a mutex would more than double the table.
 *
 * @handle: the allocator handle of the object; the fill word when ZRAM_SAME
 *          is set; 0 for an empty slot (protected by the slot lock)
 * @flags: object size, flags and the lock bit (protected by the slot lock,
 *         except for the lock bit itself)
 * @ac_time: last access, in whole seconds of boot time (slot lock)
 * @csum: CRC32C of the page the slot holds, when the device keeps
 *        checksums and the slot holds a compressed, huge or written-back
 *        page (slot lock)
 * @dep_map: lockdep's view of the slot lock
 */
struct zram_slot {
	unsigned long handle;
	unsigned long flags;
	u32 ac_time;
	u32 csum;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
};

static inline struct lockdep_map *slot_lockdep(struct zram *zram, u32 index)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	return &zram->table[index].dep_map;
#else
	return NULL;
#endif
}

void zram_slot_lock_wait(struct zram *zram, u32 index);
bool __must_check zram_slot_trylock(struct zram *zram, u32 index);

/*
 * Lock and unlock a slot.  Both run for every page of every bio, so the
 * uncontended paths are inline and the unlock skips the wake-up while no
 * task of this device sleeps on a slot: see "The slot lock" in zram_slot.c.
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
 * zram_slot.c): the flag bits are set and cleared with plain, non-atomic
 * bit operations.  They sit on every I/O path, hence inline.
 */
/* The clock of the slots' access times: whole seconds of boot time */
static inline u32 zram_now(void)
{
	return (u32)ktime_get_boottime_seconds();
}

static inline u32 get_slot_actime(struct zram *zram, u32 index)
{
	assert_slot_locked(zram, index);
	return zram->table[index].ac_time;
}

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

static inline u32 get_slot_csum(struct zram *zram, u32 index)
{
	assert_slot_locked(zram, index);
	return zram->table[index].csum;
}

static inline void set_slot_csum(struct zram *zram, u32 index, u32 csum)
{
	assert_slot_locked(zram, index);
	zram->table[index].csum = csum;
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
 * @csum: the page's checksum, when the device keeps them and not @same
 */
struct zram_obj {
	unsigned long handle;
	unsigned int size;
	unsigned int prio;
	bool same;
	u32 csum;
};

/* The table of a device being set up; freed by its owner, zram_drv.c */
int zram_table_alloc(struct zram *zram, unsigned long nr_slots);

/* A slot's contents and what the statistics count of them; slot locked */
void zram_slot_set_obj(struct zram *zram, u32 index,
		       const struct zram_obj *obj);
unsigned long zram_slot_take_obj(struct zram *zram, u32 index);
unsigned long zram_clear_slot(struct zram *zram, u32 index);
int zram_slot_read(struct zram *zram, u32 index, struct page *page);
u32 zram_page_csum(struct page *page);
int zram_slot_verify(struct zram *zram, u32 index, struct page *page);
unsigned int zram_slot_copy_obj(struct zram *zram, u32 index, void *dst);

/* Pool objects */
int zram_alloc_obj(struct zram *zram, size_t size, bool reclaim,
		   unsigned long *handle);
void zram_obj_free(struct zram *zram, unsigned long handle);
void zram_obj_write(struct zram *zram, unsigned long handle, const void *src,
		    size_t len);
size_t zram_obj_room(struct zram *zram, size_t size);
unsigned long zram_pool_compact(struct zram *zram);

/* Deferred frees: see "Deferred frees" in zram_slot.c */
int zram_slot_module_init(void);
void zram_slot_module_exit(void);
void zram_free_ring_init(struct zram *zram);
int zram_free_ring_alloc(struct zram *zram);
void zram_free_ring_release(struct zram *zram);
bool zram_defer_free(struct zram *zram, unsigned long handle);
bool zram_free_ring_now(struct zram *zram);
void zram_drain_frees(struct zram *zram);

#ifdef ZRAM_KUNIT
/* The KUnit suite's hooks in zram_slot.c, set from zram_kunit.c */
extern bool kunit_hold_frees;
extern atomic_t kunit_fail_noreclaim;
extern atomic_t kunit_reclaim_allocs;
#endif

#endif /* _ZRAM_SLOT_H_ */
