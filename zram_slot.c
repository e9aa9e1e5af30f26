// SPDX-License-Identifier: GPL-2.0
/*
 * zram's slot table: the lock of each slot, its object in the pool, the
 * statistics of what the slots hold, and the deferred frees of swap.  The
 * I/O path (zram_drv.c) and post-processing (zram_pp.h) both work on slots
 * through this file and zram_slot.h; it calls neither of them.  A slot
 * that was written back holds a backing-device block instead of a pool
 * object: this file counts it, its owner gives the block back.
 */

#include <linux/atomic.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "zcomp.h"
#include "zram_slot.h"
#include "zsmalloc.h"

/* Pool allocations may reclaim, but must not recurse into block I/O */
#define ZRAM_OBJ_GFP	(GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)

/*
 * The slot lock
 * =============
 *
 * 1. Each slot is locked by the ZRAM_LOCK bit of its flags word; the lock
 *    is exclusive.
 * 2. zram_slot_lock() sleeps until the slot is free, so it is only for
 *    preemptible process context.
 * 3. The holder may sleep: compress, decompress, allocate with GFP_NOIO
 *    reclaim.  The lock is never held across a return to the block layer.
 * 4. Atomic context (swap's slot-free notification) uses
 *    zram_slot_trylock() and copes with failure.
 * 5. Only the holder reads or writes the slot's handle, size, flags and
 *    access time.  Other tasks touch the flags word only through the
 *    atomic lock-bit operations, which leave it unchanged while the bit is
 *    set, so the holder may rewrite the size, priority and flag bits with
 *    plain read-modify-write.
 * 6. A task holds at most one slot lock of a device (all slots of a device
 *    share one lockdep class).
 * 7. Order: slot lock, then a stream (a decompression stream to read, a
 *    compression stream to write), then the allocator's own locks.  No
 *    slot lock is taken while holding a stream.
 * 8. Slot locks exist while the table does: only I/O, which cannot run
 *    while the table is set up or freed (see zram_reset_device()), and
 *    configuration code under init_lock take them.
 * 9. A task that finds the bit set counts itself in zram->slot_waiters
 *    while it sleeps; unlock calls wake_up_bit() only while that count is
 *    not zero, which saves a hashed wait-queue lookup per page.
 *
 * A bit lock keeps the entry small: the table is allocated for the whole
 * disk, and a mutex per slot would more than double it.
 */
static void init_slot_lock(struct zram *zram, u32 index)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map(&zram->table[index].dep_map, "zram-slot",
			 &zram->slot_lock_key, 0);
#endif
}

/*
 * The slow path of zram_slot_lock() (zram_slot.h): the bit was set.  The
 * count is raised before the bit is tested again, and the unlock clears
 * the bit before it reads the count, each with a full barrier between:
 * either the unlock sees the count and wakes, or this test sees the bit
 * clear.  A task that takes the bit in between unlocks later, and sees the
 * count.
 */
void zram_slot_lock_wait(struct zram *zram, u32 index)
{
	atomic_inc(&zram->slot_waiters);
	/* count before test; pairs with the one in zram_slot_unlock() */
	smp_mb__after_atomic();
	wait_on_bit_lock(&zram->table[index].flags, ZRAM_LOCK,
			 TASK_UNINTERRUPTIBLE);
	atomic_dec(&zram->slot_waiters);
}

bool zram_slot_trylock(struct zram *zram, u32 index)
{
	if (test_and_set_bit_lock(ZRAM_LOCK, &zram->table[index].flags))
		return false;
	mutex_acquire(slot_lockdep(zram, index), 0, 1, _RET_IP_);
	lock_acquired(slot_lockdep(zram, index), _RET_IP_);
	return true;
}

/*
 * The slot table
 */
int zram_table_alloc(struct zram *zram, unsigned long nr_slots)
{
	unsigned long index;

	/* sized by the user: a failure is an error code, not a warning */
	zram->table = __vmalloc(array_size(nr_slots, sizeof(*zram->table)),
				GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!zram->table)
		return -ENOMEM;
	for (index = 0; index < nr_slots; index++)
		init_slot_lock(zram, index);
	return 0;
}

/*
 * A slot's pool object, and what the statistics count of it: its size in
 * compr_data_size and, for a page kept whole, huge_pages.  Every store,
 * free, recompression and writeback goes through these two, with the slot
 * locked.
 */

/*
 * Point the slot, which holds no object, at the pool object @obj.  The
 * checksum goes with the page: take leaves it, set brings the new one.
 */
void zram_slot_set_obj(struct zram *zram, u32 index,
		       const struct zram_obj *obj)
{
	set_slot_handle(zram, index, obj->handle);
	set_slot_csum(zram, index, obj->csum);
	set_slot_size(zram, index, obj->size);
	set_slot_prio(zram, index, obj->prio);
	if (obj->size == PAGE_SIZE) {
		set_slot_flag(zram, index, ZRAM_HUGE);
		atomic64_inc(&zram->stats.huge_pages);
		atomic64_inc(&zram->stats.huge_pages_since);
	}
	atomic64_add(obj->size, &zram->stats.compr_data_size);
}

/* Detach the slot's pool object and count it out.  Return: its handle. */
unsigned long zram_slot_take_obj(struct zram *zram, u32 index)
{
	unsigned long handle = get_slot_handle(zram, index);

	atomic64_sub(get_slot_size(zram, index), &zram->stats.compr_data_size);
	if (test_slot_flag(zram, index, ZRAM_HUGE)) {
		clear_slot_flag(zram, index, ZRAM_HUGE);
		atomic64_dec(&zram->stats.huge_pages);
	}
	set_slot_handle(zram, index, 0);
	set_slot_size(zram, index, 0);
	set_slot_prio(zram, index, ZRAM_PRIMARY_COMP);
	return handle;
}

/*
 * Empty the slot and count it out of the statistics, but leave what it
 * held to the caller: its pool object, or, for a written-back slot, its
 * backing-device block.  Slot locked.
 *
 * Return: the object's handle, the block, or 0.
 */
unsigned long zram_clear_slot(struct zram *zram, u32 index)
{
	assert_slot_locked(zram, index);
	zram->table[index].ac_time = 0;
	set_slot_csum(zram, index, 0);
	clear_slot_flag(zram, index, ZRAM_IDLE);
	clear_slot_flag(zram, index, ZRAM_PP_SLOT);
	clear_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE);
	set_slot_prio(zram, index, ZRAM_PRIMARY_COMP);

	if (test_slot_flag(zram, index, ZRAM_WB)) {
		unsigned long block = get_slot_handle(zram, index);

		clear_slot_flag(zram, index, ZRAM_WB);
		set_slot_handle(zram, index, 0);
		set_slot_size(zram, index, 0);
		atomic64_dec(&zram->stats.pages_stored);
		return block;
	}
	if (test_slot_flag(zram, index, ZRAM_SAME)) {
		clear_slot_flag(zram, index, ZRAM_SAME);
		set_slot_handle(zram, index, 0);
		atomic64_dec(&zram->stats.same_pages);
		atomic64_dec(&zram->stats.pages_stored);
		return 0;
	}

	if (!get_slot_handle(zram, index))
		return 0;
	atomic64_dec(&zram->stats.pages_stored);
	return zram_slot_take_obj(zram, index);
}

/*
 * Reading
 */
static void fill_page(struct page *page, unsigned long fill)
{
	void *mem = kmap_local_page(page);

	memset_l(mem, fill, PAGE_SIZE / sizeof(unsigned long));
	kunmap_local(mem);
}

static int read_huge_slot(struct zram *zram, u32 index, struct page *page)
{
	unsigned long handle = get_slot_handle(zram, index);
	void *dst, *src;

	dst = kmap_local_page(page);
	/* the object fills a page: the destination doubles as the copy */
	src = zsm_obj_read_begin(zram->mem_pool, handle, PAGE_SIZE, dst);
	/*
	 * A direct pointer to a whole page is page-aligned, so the arch's own
	 * page copy applies: it can be much cheaper than a generic memcpy().
	 */
	if (src != dst)
		copy_page(dst, src);
	zsm_obj_read_end(zram->mem_pool, handle, src);
	kunmap_local(dst);
	return 0;
}

static int read_compressed_slot(struct zram *zram, u32 index,
				struct page *page)
{
	unsigned long handle = get_slot_handle(zram, index);
	unsigned int size = get_slot_size(zram, index);
	struct zcomp *comp = zram->comps[get_slot_prio(zram, index)];
	struct zcomp_dstrm *zdstrm;
	void *src, *dst;
	int ret;

	if (WARN_ON_ONCE(!comp))
		return -EIO;

	/* never a compression stream: a read does not wait for a write */
	zdstrm = zcomp_dstream_get(comp);
	src = zsm_obj_read_begin(zram->mem_pool, handle, size,
				 zdstrm->local_copy);
	dst = kmap_local_page(page);
	ret = zcomp_decompress(comp, zdstrm, src, size, dst);
	kunmap_local(dst);
	zsm_obj_read_end(zram->mem_pool, handle, src);
	zcomp_dstream_put(zdstrm);

	if (ret) {
		pr_err_ratelimited("%s: cannot decompress slot %u: %d\n",
				   zram_name(zram), index, ret);
		fill_page(page, 0);
		return -EIO;
	}
	return 0;
}

/* The checksum of a page's contents */
u32 zram_page_csum(struct page *page)
{
	void *mem = kmap_local_page(page);
	u32 csum = compat_crc32c(~0U, mem, PAGE_SIZE);

	kunmap_local(mem);
	return csum;
}

/*
 * Does @page, just read from the slot, hold what was stored there?  Only
 * when the device keeps checksums and the slot keeps its page somewhere
 * (same-filled slots have no checksum: their word is the data).  A
 * mismatch is counted and logged, and the slot is left as it is, to be
 * examined.  Slot locked.
 *
 * Return: 0, or -EBADMSG on a mismatch (an I/O error to the block layer).
 */
int zram_slot_verify(struct zram *zram, u32 index, struct page *page)
{
	u32 want, got;

	if (!zram_checksums(zram) || test_slot_flag(zram, index, ZRAM_SAME) ||
	    (!test_slot_flag(zram, index, ZRAM_WB) &&
	     !get_slot_handle(zram, index)))
		return 0;
	want = get_slot_csum(zram, index);
	got = zram_page_csum(page);
	if (likely(got == want))
		return 0;
	atomic64_inc(&zram->stats.csum_failures);
	pr_err_ratelimited("%s: slot %u does not match its checksum (%08x, stored %08x)\n",
			   zram_name(zram), index, got, want);
	return -EBADMSG;
}

/*
 * Read the slot's data, from the pool or its fill word, into @page, and
 * verify it.  The slot must be locked and must not be written back: the
 * caller reads those from the backing device.
 */
int zram_slot_read(struct zram *zram, u32 index, struct page *page)
{
	int ret;

	assert_slot_locked(zram, index);
	if (WARN_ON_ONCE(test_slot_flag(zram, index, ZRAM_WB)))
		return -EIO;
	/* an empty slot has handle 0: it reads as zeroes */
	if (test_slot_flag(zram, index, ZRAM_SAME) ||
	    !get_slot_handle(zram, index)) {
		fill_page(page, get_slot_handle(zram, index));
		return 0;
	}
	if (get_slot_size(zram, index) == PAGE_SIZE)
		ret = read_huge_slot(zram, index, page);
	else
		ret = read_compressed_slot(zram, index, page);
	return ret ?: zram_slot_verify(zram, index, page);
}

/*
 * Deferred frees.  Swap tells zram that a slot is free under a spinlock of
 * its own, page by page, and when a process with much swapped out exits,
 * these notifications are most of its exit; freeing the pool object is
 * most of their cost.  So a notification only empties the slot and puts
 * the object's handle in the device's ring, and a work item frees what
 * the ring holds.  The slot's statistics change at once, the pool's bytes
 * (mem_used_total) a moment later, when the work has run.  When the ring
 * is full (the work cannot keep up), the notification frees the object
 * itself.  A write that finds the pool at the memory limit frees the ring
 * first: the limit counts what swap has freed only until then.  Nothing
 * refers to a handle in the ring but the ring, and the pool outlives it:
 * zram_reset_device() drains it first.
 */
#define ZRAM_FREE_BATCH		64	/* freed per turn of the ring lock */

/* Frees the objects of slots swap freed, and flushes them at reset */
static struct workqueue_struct *zram_free_wq;

#ifdef ZRAM_KUNIT
/* The KUnit suite's hold on the work: it keeps frees in the ring */
bool kunit_hold_frees;

static bool zram_kunit_holds_frees(void)
{
	return READ_ONCE(kunit_hold_frees);
}
#else
static inline bool zram_kunit_holds_frees(void) { return false; }
#endif

/* Free up to ZRAM_FREE_BATCH objects off the ring; returns how many */
static unsigned int zram_free_batch(struct zram *zram)
{
	struct zram_free_ring *ring = &zram->free_ring;
	unsigned long batch[ZRAM_FREE_BATCH];
	unsigned int i, n;

	spin_lock(&ring->lock);
	n = min_t(unsigned int, ring->count, ZRAM_FREE_BATCH);
	for (i = 0; i < n; i++)
		batch[i] = ring->handles[(ring->head + i) % ZRAM_FREE_RING];
	ring->head = (ring->head + n) % ZRAM_FREE_RING;
	ring->count -= n;
	spin_unlock(&ring->lock);

	for (i = 0; i < n; i++)
		zsm_free(zram->mem_pool, batch[i]);
	return n;
}

static void zram_free_work(struct work_struct *work)
{
	struct zram *zram = container_of(work, struct zram, free_ring.work);

	while (zram_free_batch(zram))
		cond_resched();
}

/*
 * Free what the ring holds here and now, for a caller that needs the
 * memory at once (a write at the memory limit, compact).  At most one
 * ring's worth, so that it ends while swap keeps freeing; never sleeps.
 *
 * Return: whether it freed anything.
 */
bool zram_free_ring_now(struct zram *zram)
{
	unsigned int n, done = 0;

	do {
		n = zram_free_batch(zram);
		done += n;
	} while (n && done < ZRAM_FREE_RING);
	return done;
}

/* Leave @handle to zram_free_work(); false when the ring is full */
bool zram_defer_free(struct zram *zram, unsigned long handle)
{
	struct zram_free_ring *ring = &zram->free_ring;
	bool queued = false;

	spin_lock(&ring->lock);
	if (ring->count < ZRAM_FREE_RING) {
		ring->handles[(ring->head + ring->count) % ZRAM_FREE_RING] =
			handle;
		ring->count++;
		queued = true;
	}
	spin_unlock(&ring->lock);
	if (queued && !zram_kunit_holds_frees())
		queue_work(zram_free_wq, &ring->work);
	return queued;
}

/* Free everything in the ring, and wait until it is done */
void zram_drain_frees(struct zram *zram)
{
	queue_work(zram_free_wq, &zram->free_ring.work);
	flush_work(&zram->free_ring.work);
}

int zram_slot_module_init(void)
{
	zram_free_wq = alloc_workqueue("zram_free", WQ_UNBOUND | WQ_MEM_RECLAIM,
				       0);
	return zram_free_wq ? 0 : -ENOMEM;
}

void zram_slot_module_exit(void)
{
	destroy_workqueue(zram_free_wq);
}

/* A new device's ring: empty, and without room until the device is set up */
void zram_free_ring_init(struct zram *zram)
{
	spin_lock_init(&zram->free_ring.lock);
	INIT_WORK(&zram->free_ring.work, zram_free_work);
}

/* The ring of a device being set up */
int zram_free_ring_alloc(struct zram *zram)
{
	zram->free_ring.handles = kvmalloc_array(ZRAM_FREE_RING,
						 sizeof(unsigned long),
						 GFP_KERNEL);
	return zram->free_ring.handles ? 0 : -ENOMEM;
}

/* At reset, once nothing can join the ring: drain it, then free it */
void zram_free_ring_release(struct zram *zram)
{
	zram_drain_frees(zram);
	kvfree(zram->free_ring.handles);
	zram->free_ring.handles = NULL;
}

#ifdef ZRAM_KUNIT
/*
 * The KUnit suite's view into the allocations of the write path
 * (zram_kunit.c): those without reclaim that it makes fail, and those with
 * reclaim that it counts.  The suite runs alone.
 */
atomic_t kunit_fail_noreclaim = ATOMIC_INIT(0);
atomic_t kunit_reclaim_allocs = ATOMIC_INIT(0);

static bool zram_kunit_fail_alloc(bool reclaim)
{
	if (reclaim)
		atomic_inc(&kunit_reclaim_allocs);
	return !reclaim && atomic_add_unless(&kunit_fail_noreclaim, -1, 0);
}
#else
static inline bool zram_kunit_fail_alloc(bool reclaim) { return false; }
#endif

/* Raise the pool high-water mark to @bytes if it is below */
static void note_pool_bytes(struct zram *zram, unsigned long bytes)
{
	atomic_long_t *max = &zram->stats.max_used_bytes;
	long seen = atomic_long_read(max);

	while ((long)bytes > seen) {
		if (atomic_long_try_cmpxchg(max, &seen, bytes))
			break;
	}
}

/*
 * Allocate a pool object within the device's memory limit.  @reclaim: the
 * allocation may enter direct reclaim.  It must not while the caller holds
 * a compression stream (a writer on that CPU would wait for the reclaim);
 * without it, only kswapd is woken.
 *
 * Return: 0; -ENOMEM when the pool had no memory, which another try with
 * reclaim may find; -ENOSPC when the object would take the pool past the
 * memory limit, which no reclaim changes.  *@handle is 0 on failure.
 */
int zram_alloc_obj(struct zram *zram, size_t size, bool reclaim,
		   unsigned long *handle)
{
	unsigned long limit = READ_ONCE(zram->limit_pages) << PAGE_SHIFT;
	gfp_t gfp = ZRAM_OBJ_GFP;
	unsigned long used;
	int ret;

	*handle = 0;
	/*
	 * Every object adds at least its handle to the pool's bytes: a pool
	 * at the limit refuses it whatever the allocation does, so it is not
	 * made (nor reclaimed for).  Objects that swap freed but that still
	 * wait in the free ring are freed first.
	 */
	used = zsm_get_total_bytes(zram->mem_pool);
	if (limit && used >= limit && zram_free_ring_now(zram))
		used = zsm_get_total_bytes(zram->mem_pool);
	if (limit && used >= limit)
		return -ENOSPC;
	if (!reclaim)
		gfp &= ~__GFP_DIRECT_RECLAIM;
	if (zram_kunit_fail_alloc(reclaim))
		return -ENOMEM;
	ret = zsm_malloc(zram->mem_pool, size, gfp, handle);
	if (ret)
		return ret;

	used = zsm_get_total_bytes(zram->mem_pool);
	if (limit && used > limit && zram_free_ring_now(zram))
		used = zsm_get_total_bytes(zram->mem_pool);
	note_pool_bytes(zram, used);
	if (limit && used > limit) {
		zsm_free(zram->mem_pool, *handle);
		*handle = 0;
		return -ENOSPC;
	}
	return 0;
}

/*
 * Give the pool's free space back: free what waits in the ring, then move
 * objects out of sparse zspages so that whole zspages empty.  A class with
 * nothing to gain costs one look under its lock.  Return: the pages freed.
 */
unsigned long zram_pool_compact(struct zram *zram)
{
	zram_free_ring_now(zram);
	return zsm_compact(zram->mem_pool);
}

/* Free a pool object (0 is none) */
void zram_obj_free(struct zram *zram, unsigned long handle)
{
	zsm_free(zram->mem_pool, handle);
}

/* Fill a new pool object from @src */
void zram_obj_write(struct zram *zram, unsigned long handle, const void *src,
		    size_t len)
{
	zsm_obj_write(zram->mem_pool, handle, src, len);
}

/* The pool memory an object of @size takes, its overhead included */
size_t zram_obj_room(struct zram *zram, size_t size)
{
	return zsm_obj_room(zram->mem_pool, size);
}

/*
 * Copy the slot's pool object, as it is stored (compressed unless huge),
 * to @dst, which has room for a page.  Slot locked; the slot holds an
 * object.  Return: its size.
 */
unsigned int zram_slot_copy_obj(struct zram *zram, u32 index, void *dst)
{
	unsigned long handle = get_slot_handle(zram, index);
	unsigned int size = get_slot_size(zram, index);
	void *src;

	src = zsm_obj_read_begin(zram->mem_pool, handle, size, dst);
	if (src != dst)
		memcpy(dst, src, size);
	zsm_obj_read_end(zram->mem_pool, handle, src);
	return size;
}
