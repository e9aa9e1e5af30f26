// SPDX-License-Identifier: GPL-2.0
/*
 * The compressed-object allocator bundled with zram.
 *
 * LAYOUT
 *
 * Requests are rounded up to one of a few hundred slot sizes, ZSM_SIZE_STEP
 * apart, from ZSM_MIN_SIZE to PAGE_SIZE.  Each slot size is served by a
 * class, and a class keeps its objects in zspages: 1..ZSM_MAX_ZSPAGE_PAGES
 * order-0 pages treated as one run of bytes, object i at byte i * size.  An
 * object may therefore cross from one page of its zspage into the next.
 * The page count of a class is the one that wastes least per page (a larger
 * zspage must save ZSM_GEOMETRY_MARGIN bytes per page to be preferred).
 * Neighbouring sizes whose zspages hold the same number of objects in the
 * same number of pages share one class, the larger size's.  From some size
 * up, no zspage holds more objects than it has pages; all those sizes share
 * the PAGE_SIZE class, the "huge" class, one object per page, and
 * zsm_huge_class_size() is the smallest size that lands there.
 *
 * Zspage metadata lives outside the pages: struct zsm_zspage holds the page
 * pointers and one cell per object slot.  A used cell holds the object's
 * handle; a free cell holds the index of the next free slot, shifted left
 * once, with bit 0 set.  Objects carry no header, so a slot holds exactly
 * the class size.  Descriptors come from slab caches of their own, in
 * ZSM_DESC_STEP steps of size (kmalloc's power-of-two sizes would waste up
 * to half of a small class's descriptor), and the pool counts them, and
 * the handle words, in what it reports as its memory: see
 * zsm_get_total_bytes().
 *
 * A handle is the address of a word from zsm_handle_cache.  The word holds
 * the object's location: the pfn of the first page of its zspage, shifted
 * left by ZSM_IDX_BITS, ORed with the slot index.  Compaction moves objects
 * and migration replaces the first page of a zspage; both rewrite the word
 * and the handle itself never changes.
 *
 * Each class sorts its zspages into ZSM_PARTIAL_GROUPS lists by how full
 * they are, plus one list of full zspages.  Allocation takes from the
 * fullest non-full zspage; compaction moves objects from the emptiest zspage
 * into the fullest until one of them is full or empty.  An emptied zspage is
 * freed at once.
 *
 * STRUCT PAGE FIELDS
 *
 * page->private  the owning struct zsm_zspage, from creation until just
 *                before the page is freed, where it is reset to 0.
 * page->mapping  only through __SetPageMovable() and __ClearPageMovable(),
 *                when page migration is built in (see below).  A cleared
 *                movable page keeps PAGE_MAPPING_MOVABLE in ->mapping; the
 *                page allocator resets it when the last reference goes,
 *                which may be the migration core's rather than ours.
 * PG_locked      taken (trylock_page()/lock_page()) around the two calls
 *                above, as the migration core requires.
 * Nothing else: no page->index, no page->lru (the migration core owns it
 * while a page is isolated), no page flags of our own, no page types.
 *
 * LOCKS, OUTERMOST FIRST
 *
 * 1. pool->relocate_lock, rwlock_t.  Held for reading to turn a handle into
 *    a zspage (free, read, write); held for writing by the only code that
 *    changes where an object lives: compaction and page migration.
 * 2. class->lock, spinlock_t.  Guards the class's lists and counters and,
 *    for every zspage of the class: its slot map, ->used, ->free_head,
 *    ->group, ->parked and ->dying.  A zspage's page pointers change only
 *    under all three locks (migration), so holding any one of them, or
 *    relocate_lock for reading, keeps them stable.
 * 3. zspage->lock, atomic_t: 0 free, n > 0 held by n readers, ZSM_WRITER
 *    held by one writer.  See zspage_read_lock().
 * pool->release_lock, spinlock_t, is a leaf taken with nothing else held.
 * pool->compact_mutex serialises compaction runs; nothing is held around
 * it.
 *
 * INVARIANTS
 *
 * - A handle's location word is written only with relocate_lock held for
 *   writing and the class lock held (compaction, migration), or under the
 *   class lock by zsm_malloc() before the handle is returned.  So it is
 *   stable for anyone holding relocate_lock for reading, the class lock, or
 *   the read lock of the zspage it points into.
 * - The zspage lock, the rules of which are:
 *   a. readers exclude writers; writers exclude readers and writers;
 *   b. a writer never sleeps and never waits: it only try-locks, runs with
 *      preemption disabled, and on failure skips that zspage;
 *   c. so a reader may spin waiting for a writer, in any task context,
 *      preemptible or not, and may sleep (be preempted, block) while it
 *      holds the lock;
 *   d. a writer takes it only with relocate_lock (write) and the class lock
 *      already held, so no other lock is ever acquired while preemption is
 *      off for it.
 * - A zspage is freed only when empty; before its pages go it is taken off
 *   the class lists and marked dying under the class lock; migration refuses
 *   dying zspages, so their page pointers no longer change.
 * - A page of a zspage is freed only with its page lock held (when
 *   movable): the migration core calls our callbacks with the page lock
 *   held, so page->private is valid inside every callback.
 *
 * PREEMPT_RT
 *
 * relocate_lock and class->lock become sleeping locks on RT.  The only
 * section with preemption disabled is the zspage write section.  It is
 * entered with both locks already held and takes no lock, allocates and
 * frees nothing (compaction releases an emptied zspage after the write
 * unlock and after dropping both locks), and only copies memory through
 * kmap_local_page().  Readers spinning on the zspage lock thus wait for a
 * bounded copy running on another CPU, never for a preempted task: a
 * writer cannot be preempted, and a reader on the writer's CPU cannot run
 * until the writer is done.  Readers must not run in hard or soft interrupt
 * context (they could interrupt the writer they wait for); zram reads from
 * task context only.  Object access holds no preemption-disabling lock at
 * all: begin/end hold only the zspage read count.
 *
 * PAGE MIGRATION
 *
 * Built when compat/ says the kernel lets a module register its own movable
 * pages (struct movable_operations with __SetPageMovable(page, ops),
 * exported; Linux 6.0 up to at least 6.12, so both 6.1 and 6.12 targets)
 * and CONFIG_COMPACTION is set.  Later mainline (by 7.2) binds movable_ops to
 * page types (set_movable_ops() takes only the balloon driver's and the
 * in-kernel zsmalloc's), so a module cannot register pages there; the probe
 * fails and our pages are then allocated without __GFP_MOVABLE, as they are
 * never moved.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/migrate.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "zsmalloc.h"

/* Smallest slot; smaller objects are rounded up to it */
#define ZSM_MIN_SIZE		32U
/* Distance between neighbouring slot sizes: 16 bytes with 4 KiB pages */
#define ZSM_SIZE_STEP		((unsigned int)(PAGE_SIZE >> 8))
/* Slot sizes ZSM_MIN_SIZE, +ZSM_SIZE_STEP, ..., PAGE_SIZE */
#define ZSM_NR_SIZES		(DIV_ROUND_UP(PAGE_SIZE - ZSM_MIN_SIZE, \
					      ZSM_SIZE_STEP) + 1)
/* Longest page chain of one zspage */
#define ZSM_MAX_ZSPAGE_PAGES	6U
/* Most objects one zspage can hold */
#define ZSM_MAX_OBJS		(ZSM_MAX_ZSPAGE_PAGES * PAGE_SIZE / ZSM_MIN_SIZE)
/*
 * Bytes per page a longer zspage must save over a shorter one: 224 with
 * 4 KiB pages.  Longer zspages waste less in their tails, shorter ones
 * less in the partly filled zspage each class keeps (which is most of
 * what a compacted pool wastes once many objects were freed), and a
 * coarser choice merges more classes.  Chosen, with the chain limit
 * above, on the compressed page sizes (lz4 and zstd) of three data sets,
 * real files, shared libraries and text, freshly stored and after five
 * eighths of their pages were freed and the pool compacted: it used less
 * memory than stock zsmalloc with 4 and with 8 page chains in every case
 * (tests/tools/zsm_geometry.py models all three).
 * The previous choice (8 pages, 96 bytes) used up to 4 % more than the
 * 4-page stock after such frees.
 */
#define ZSM_GEOMETRY_MARGIN	((unsigned int)(PAGE_SIZE * 7 / 128))

/* Fullness groups: partial ones by used fraction, then the full one */
#define ZSM_PARTIAL_GROUPS	8U
#define ZSM_GROUP_FULL		ZSM_PARTIAL_GROUPS
#define ZSM_NR_GROUPS		(ZSM_PARTIAL_GROUPS + 1)

/* A free cell: bit 0 set, the next free index above it */
#define ZSM_CELL_FREE		1UL
/* The "next free index" of the last free cell */
#define ZSM_CELL_END		ZSM_MAX_OBJS

/* Location word: first-page pfn above ZSM_IDX_BITS, slot index below */
#ifdef MAX_POSSIBLE_PHYSMEM_BITS
#define ZSM_PHYS_BITS		MAX_POSSIBLE_PHYSMEM_BITS
#else
#define ZSM_PHYS_BITS		BITS_PER_LONG
#endif
#define ZSM_IDX_BITS		(BITS_PER_LONG - (ZSM_PHYS_BITS - PAGE_SHIFT))
#define ZSM_IDX_MASK		((1UL << ZSM_IDX_BITS) - 1)

/* Descriptor caches come in sizes this far apart */
#define ZSM_DESC_STEP		64U
#define ZSM_DESC_CACHES		32U

/* zspage->lock value while a writer holds it */
#define ZSM_WRITER		(-1)

#if COMPAT_MOVABLE_OPS
#define ZSM_MOVABLE		1
MODULE_INFO(page_migration, "yes");
#else
#define ZSM_MOVABLE		0
MODULE_INFO(page_migration, "no");
#endif

/**
 * struct zsm_class - the zspages of one slot size
 * @lock: guards everything below and the zspages' mutable fields
 * @groups: partial zspages by fullness (emptiest first), then full ones
 * @parked: zspages compaction found read-locked; back at the end of its run
 * @size: slot size in bytes
 * @pages_per_zspage: pages in each zspage
 * @objs_per_zspage: slots in each zspage
 * @index: the size index this class was created for (its largest)
 * @desc_cache: where its zspage descriptors come from
 * @nr_zspages: zspages of this class
 * @nr_in_group: zspages per fullness group (parked ones included)
 * @objs_used: allocated objects
 */
struct zsm_class {
	spinlock_t lock;	/* lock 2 at the top of this file */
	struct list_head groups[ZSM_NR_GROUPS];
	struct list_head parked;
	unsigned int size;
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	unsigned int index;
	struct kmem_cache *desc_cache;
	unsigned long nr_zspages;
	unsigned long nr_in_group[ZSM_NR_GROUPS];
	unsigned long objs_used;
};

/* One cell of a zspage: a page pointer, or a slot */
union zsm_cell {
	struct page *page;
	unsigned long slot;
};

/**
 * struct zsm_zspage - a chain of pages holding objects of one class
 * @node: on a class list (class lock), or on the pool's release list
 * @class: the owning class
 * @pool: the owning pool
 * @lock: the zspage lock (see the top of this file)
 * @used: allocated slots (class lock)
 * @free_head: first free slot, ZSM_CELL_END if none (class lock)
 * @group: fullness group (class lock)
 * @parked: on the class's parked list (class lock)
 * @dying: being freed; migration leaves it alone (class lock; read
 *         without it under the page lock by the isolate callback)
 * @dep_map: lockdep's view of @lock
 * @cells: @class->pages_per_zspage page pointers, then one cell per slot
 */
struct zsm_zspage {
	struct list_head node;
	struct zsm_class *class;
	struct zsm_pool *pool;
	atomic_t lock;
	unsigned int used;
	unsigned int free_head;
	unsigned char group;
	bool parked;
	bool dying;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
	union zsm_cell cells[];
};

/**
 * struct zsm_pool - an allocator instance
 * @name: for debugfs and the shrinker
 * @relocate_lock: see the top of this file
 * @size_class: class for each size index; merged sizes share one
 * @huge_size: smallest object size stored one per page
 * @pages: pages held (freed pages are subtracted when really freed)
 * @meta_bytes: slab memory held for the pages' objects: zspage
 *              descriptors and handle words
 * @stats: counters reported by zsm_pool_stats()
 * @compact_mutex: one compaction run at a time
 * @shrinker: compacts under memory pressure, or NULL
 * @release_lock: guards @release_list
 * @release_list: empty zspages whose pages were busy when freed
 * @release_work: frees @release_list, sleeping on page locks
 * @debugfs_dir: this pool's debugfs directory
 * @lock_key: lockdep class of this pool's zspage locks
 * @kunit_alloc_budget: KUnit only: zspage and page allocations left before
 *                      they fail; negative means no limit
 */
struct zsm_pool {
	char *name;
	rwlock_t relocate_lock;	/* lock 1 at the top of this file */
	struct zsm_class *size_class[ZSM_NR_SIZES];
	size_t huge_size;
	atomic_long_t pages;
	atomic_long_t meta_bytes;
	struct zsm_pool_stats stats;
	struct mutex compact_mutex;	/* held around pool_compact() */
	struct shrinker *shrinker;
	spinlock_t release_lock;	/* a leaf: guards release_list */
	struct list_head release_list;
	struct work_struct release_work;
	struct dentry *debugfs_dir;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lock_class_key lock_key;
#endif
#ifdef ZRAM_KUNIT
	atomic_t kunit_alloc_budget;
#endif
};

static struct kmem_cache *zsm_handle_cache;
static struct dentry *zsm_debugfs_root;

/* Descriptor caches by size, made as pools need them, freed at exit */
static struct kmem_cache *zsm_desc_caches[ZSM_DESC_CACHES];
static DEFINE_MUTEX(zsm_desc_mutex);

/* The cache for descriptors of @cells cells, made if need be */
static struct kmem_cache *zsm_desc_cache(unsigned int cells)
{
	size_t size = ALIGN(struct_size_t(struct zsm_zspage, cells, cells),
			    ZSM_DESC_STEP);
	unsigned int i = size / ZSM_DESC_STEP - 1;
	char name[32];

	if (WARN_ON_ONCE(i >= ZSM_DESC_CACHES))
		return NULL;
	guard(mutex)(&zsm_desc_mutex);
	if (!zsm_desc_caches[i]) {
		snprintf(name, sizeof(name), "zsm_zspage-%zu", size);
		zsm_desc_caches[i] = kmem_cache_create(name, size, 0, 0, NULL);
	}
	return zsm_desc_caches[i];
}

/* ---- pool and class locks ---- */

/* Pin every object where it is, to look one up */
static void pool_lookup_lock(struct zsm_pool *pool)
	__acquires(&pool->relocate_lock)
{
	read_lock(&pool->relocate_lock);
}

static void pool_lookup_unlock(struct zsm_pool *pool)
	__releases(&pool->relocate_lock)
{
	read_unlock(&pool->relocate_lock);
}

/* Exclude all lookups, to move objects or pages */
static void pool_relocate_lock(struct zsm_pool *pool)
	__acquires(&pool->relocate_lock)
{
	write_lock(&pool->relocate_lock);
}

static void pool_relocate_unlock(struct zsm_pool *pool)
	__releases(&pool->relocate_lock)
{
	write_unlock(&pool->relocate_lock);
}

static void class_lock(struct zsm_class *class)
	__acquires(&class->lock)
{
	spin_lock(&class->lock);
}

static void class_unlock(struct zsm_class *class)
	__releases(&class->lock)
{
	spin_unlock(&class->lock);
}

/* ---- the zspage lock ---- */

/*
 * Lockdep sees readers as recursive readers of an rwlock: a reader waits
 * only for a writer, and writers never wait for anything, so a reader that
 * holds one zspage and takes another cannot deadlock.  Writers are
 * try-locks, so they add no dependencies.
 */
static void zspage_lock_init(struct zsm_zspage *zs)
{
	atomic_set(&zs->lock, 0);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map(&zs->dep_map, "zsm-zspage", &zs->pool->lock_key, 0);
#endif
}

static void zspage_lockdep_acquire(struct zsm_zspage *zs, bool writer)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	if (writer)
		rwlock_acquire(&zs->dep_map, 0, 1, _RET_IP_);
	else
		lock_acquire_shared_recursive(&zs->dep_map, 0, 0, NULL,
					      _RET_IP_);
#endif
}

static void zspage_lockdep_release(struct zsm_zspage *zs)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	rwlock_release(&zs->dep_map, _RET_IP_);
#endif
}

/*
 * Wait out a writer, if any, then count ourselves in.  The wait is a spin:
 * writers hold the lock only for a short copy with preemption disabled.
 * The caller may sleep once this returns.
 */
static void zspage_read_lock(struct zsm_zspage *zs)
{
	int seen = atomic_read(&zs->lock);

	zspage_lockdep_acquire(zs, false);
	for (;;) {
		if (seen == ZSM_WRITER) {
			cpu_relax();
			seen = atomic_read(&zs->lock);
			continue;
		}
		if (atomic_try_cmpxchg_acquire(&zs->lock, &seen, seen + 1))
			return;
	}
}

static void zspage_read_unlock(struct zsm_zspage *zs)
{
	zspage_lockdep_release(zs);
	atomic_dec_return_release(&zs->lock);
}

/*
 * Take the zspage for writing if nobody holds it.  On success preemption
 * stays disabled until zspage_write_unlock(): readers may be spinning on
 * us.  The caller holds relocate_lock for writing and the class lock, so
 * the disabled section acquires no lock (it matters on PREEMPT_RT).
 */
static bool __must_check zspage_write_trylock(struct zsm_zspage *zs)
{
	int unlocked = 0;

	lockdep_assert_held_write(&zs->pool->relocate_lock);
	lockdep_assert_held(&zs->class->lock);

	preempt_disable();
	if (!atomic_try_cmpxchg_acquire(&zs->lock, &unlocked, ZSM_WRITER)) {
		preempt_enable();
		return false;
	}
	zspage_lockdep_acquire(zs, true);
	return true;
}

static void zspage_write_unlock(struct zsm_zspage *zs)
{
	zspage_lockdep_release(zs);
	atomic_set_release(&zs->lock, 0);
	preempt_enable();
}

/* ---- geometry ---- */

static unsigned int index_to_size(unsigned int index)
{
	return min_t(unsigned long, ZSM_MIN_SIZE + index * ZSM_SIZE_STEP,
		     PAGE_SIZE);
}

static unsigned int size_to_index(size_t size)
{
	if (size <= ZSM_MIN_SIZE)
		return 0;
	return min_t(unsigned long,
		     DIV_ROUND_UP(size - ZSM_MIN_SIZE, ZSM_SIZE_STEP),
		     ZSM_NR_SIZES - 1);
}

/*
 * Pick the zspage length for slots of @size bytes: the one wasting least
 * per page, where a longer zspage must win by ZSM_GEOMETRY_MARGIN bytes
 * per page.  Short zspages free up more easily and leave less in the one
 * partly filled zspage a class usually has.
 */
static void choose_geometry(unsigned int size, unsigned int *pages,
			    unsigned int *objs)
{
	unsigned int best = 1, best_waste = PAGE_SIZE % size;
	unsigned int n;

	for (n = 2; n <= ZSM_MAX_ZSPAGE_PAGES; n++) {
		unsigned int waste = (n * PAGE_SIZE) % size;

		/* waste / n + margin < best_waste / best, in integers */
		if (waste * best + ZSM_GEOMETRY_MARGIN * n * best <
		    best_waste * n) {
			best = n;
			best_waste = waste;
		}
	}
	*pages = best;
	*objs = best * PAGE_SIZE / size;
}

static unsigned int fullness_of(const struct zsm_class *class,
				unsigned int used)
{
	if (used >= class->objs_per_zspage)
		return ZSM_GROUP_FULL;
	return used * ZSM_PARTIAL_GROUPS / class->objs_per_zspage;
}

static bool class_is_huge(const struct zsm_class *class)
{
	return class->objs_per_zspage <= class->pages_per_zspage;
}

/* ---- zspage cells, locations, handles ---- */

static struct page *zspage_page(const struct zsm_zspage *zs, unsigned int nr)
{
	return zs->cells[nr].page;
}

static union zsm_cell *zspage_slots(struct zsm_zspage *zs)
{
	return zs->cells + zs->class->pages_per_zspage;
}

static bool cell_is_free(unsigned long cell)
{
	return cell & ZSM_CELL_FREE;
}

static unsigned long free_cell(unsigned int next)
{
	return ((unsigned long)next << 1) | ZSM_CELL_FREE;
}

/* Hand out a free slot to @handle; the zspage must have one */
static unsigned int zspage_take_slot(struct zsm_zspage *zs,
				     unsigned long handle)
{
	union zsm_cell *slots = zspage_slots(zs);
	unsigned int idx = zs->free_head;

	lockdep_assert_held(&zs->class->lock);
	zs->free_head = slots[idx].slot >> 1;
	slots[idx].slot = handle;
	zs->used++;
	return idx;
}

static void zspage_put_slot(struct zsm_zspage *zs, unsigned int idx)
{
	union zsm_cell *slots = zspage_slots(zs);

	lockdep_assert_held(&zs->class->lock);
	slots[idx].slot = free_cell(zs->free_head);
	zs->free_head = idx;
	zs->used--;
}

static unsigned long zspage_location(const struct zsm_zspage *zs,
				     unsigned int idx)
{
	return (page_to_pfn(zspage_page(zs, 0)) << ZSM_IDX_BITS) | idx;
}

static struct zsm_zspage *location_zspage(unsigned long loc)
{
	struct page *first = pfn_to_page(loc >> ZSM_IDX_BITS);

	return (struct zsm_zspage *)page_private(first);
}

static unsigned int location_index(unsigned long loc)
{
	return loc & ZSM_IDX_MASK;
}

static unsigned long handle_location(unsigned long handle)
{
	return READ_ONCE(*(unsigned long *)handle);
}

static void handle_set_location(unsigned long handle, unsigned long loc)
{
	WRITE_ONCE(*(unsigned long *)handle, loc);
}

/*
 * The zspage of @handle and its slot.  The caller keeps the location
 * stable: relocate_lock (read), or a read lock on that very zspage.
 */
static struct zsm_zspage *handle_zspage(unsigned long handle,
					unsigned int *idx)
{
	unsigned long loc = handle_location(handle);

	*idx = location_index(loc);
	return location_zspage(loc);
}

/* ---- class lists ---- */

static void class_link(struct zsm_class *class, struct zsm_zspage *zs)
{
	lockdep_assert_held(&class->lock);
	zs->group = fullness_of(class, zs->used);
	zs->parked = false;
	list_add(&zs->node, &class->groups[zs->group]);
	class->nr_in_group[zs->group]++;
	class->nr_zspages++;
}

/* Take an empty zspage out of its class for good */
static void class_retire(struct zsm_class *class, struct zsm_zspage *zs)
{
	lockdep_assert_held(&class->lock);
	list_del_init(&zs->node);
	class->nr_in_group[zs->group]--;
	class->nr_zspages--;
	WRITE_ONCE(zs->dying, true);
}

/* Move @zs to the group its fill level says; parked zspages stay parked */
static void class_regroup(struct zsm_class *class, struct zsm_zspage *zs)
{
	unsigned int group = fullness_of(class, zs->used);

	lockdep_assert_held(&class->lock);
	if (group != zs->group) {
		class->nr_in_group[zs->group]--;
		class->nr_in_group[group]++;
		zs->group = group;
	}
	if (!zs->parked)
		list_move(&zs->node, &class->groups[group]);
}

static void class_park(struct zsm_class *class, struct zsm_zspage *zs)
{
	lockdep_assert_held(&class->lock);
	zs->parked = true;
	list_move(&zs->node, &class->parked);
}

static void class_unpark_all(struct zsm_class *class)
{
	struct zsm_zspage *zs, *next;

	lockdep_assert_held(&class->lock);
	list_for_each_entry_safe(zs, next, &class->parked, node) {
		zs->parked = false;
		list_move(&zs->node, &class->groups[zs->group]);
	}
}

/* The fullest zspage that still has room, or NULL */
static struct zsm_zspage *class_fullest_partial(struct zsm_class *class)
{
	unsigned int group = ZSM_PARTIAL_GROUPS;

	while (group--) {
		if (!list_empty(&class->groups[group]))
			return list_first_entry(&class->groups[group],
						struct zsm_zspage, node);
	}
	return NULL;
}

/* The emptiest partial zspage, or NULL */
static struct zsm_zspage *class_emptiest_partial(struct zsm_class *class)
{
	unsigned int group;

	for (group = 0; group < ZSM_PARTIAL_GROUPS; group++) {
		if (!list_empty(&class->groups[group]))
			return list_last_entry(&class->groups[group],
					       struct zsm_zspage, node);
	}
	return NULL;
}

/* Whether the free slots of the class add up to a whole zspage */
static bool class_can_free_zspage(const struct zsm_class *class)
{
	unsigned long slots = class->nr_zspages * class->objs_per_zspage;

	return slots - class->objs_used >= class->objs_per_zspage;
}

/* ---- pages ---- */

#if ZSM_MOVABLE
static const struct movable_operations zsm_mops;
#endif

/* KUnit's forced allocation failures; always true otherwise */
static bool zsm_may_allocate(struct zsm_pool *pool)
{
#ifdef ZRAM_KUNIT
	if (atomic_read(&pool->kunit_alloc_budget) < 0)
		return true;
	return atomic_dec_if_positive(&pool->kunit_alloc_budget) >= 0;
#else
	return true;
#endif
}

/* Flags for zspage metadata and handles: slab takes no zone modifiers */
static gfp_t zsm_meta_gfp(gfp_t gfp)
{
	return gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE);
}

/* Flags for zspage pages: highmem is fine, movable only if we migrate */
static gfp_t zsm_page_gfp(gfp_t gfp)
{
	gfp |= __GFP_HIGHMEM;
	if (ZSM_MOVABLE)
		gfp |= __GFP_MOVABLE;
	else
		gfp &= ~__GFP_MOVABLE;
	return gfp;
}

/* Trylock every page of a zspage, or none */
static bool zspage_trylock_pages(struct zsm_zspage *zs)
{
	unsigned int nr;

	for (nr = 0; nr < zs->class->pages_per_zspage; nr++) {
		if (!trylock_page(zspage_page(zs, nr)))
			goto unlock;
	}
	return true;
unlock:
	while (nr--)
		unlock_page(zspage_page(zs, nr));
	return false;
}

/*
 * Make the new pages of @zs ours (and movable, with migration): after this
 * the migration core may call us for them.  Every page of a zspage is
 * movable then, so freeing never has to ask.  Fails only if someone holds
 * the lock of a page we have just allocated; the migration core does not
 * (it locks a page only after seeing it movable), so this is for the odd
 * page walker, and the caller treats it as an allocation failure.
 */
static bool zspage_adopt_pages(struct zsm_zspage *zs)
{
	unsigned int nr, count = zs->class->pages_per_zspage;

	if (ZSM_MOVABLE && !zspage_trylock_pages(zs))
		return false;
	for (nr = 0; nr < count; nr++) {
		struct page *page = zspage_page(zs, nr);

		set_page_private(page, (unsigned long)zs);
#if ZSM_MOVABLE
		compat_page_set_movable(page, &zsm_mops);
		unlock_page(page);
#endif
	}
	return true;
}

/* Undo zspage_adopt_pages() for one page, locked if movable */
static void zsm_page_disown(struct page *page)
{
#if ZSM_MOVABLE
	compat_page_clear_movable(page);
#endif
	set_page_private(page, 0);
}

/* Free the pages of an empty zspage, then the zspage */
static void zspage_free(struct zsm_pool *pool, struct zsm_zspage *zs,
			bool pages_locked)
{
	unsigned int nr, count = zs->class->pages_per_zspage;

	for (nr = 0; nr < count; nr++) {
		struct page *page = zspage_page(zs, nr);

		zsm_page_disown(page);
		if (pages_locked)
			unlock_page(page);
		__free_page(page);
	}
	atomic_long_sub(count, &pool->pages);
	atomic_long_sub(kmem_cache_size(zs->class->desc_cache),
			&pool->meta_bytes);
	kmem_cache_free(zs->class->desc_cache, zs);
}

static void zsm_release_work(struct work_struct *work)
{
	struct zsm_pool *pool = container_of(work, struct zsm_pool,
					     release_work);
	struct zsm_zspage *zs, *next;
	LIST_HEAD(batch);

	spin_lock(&pool->release_lock);
	list_splice_init(&pool->release_list, &batch);
	spin_unlock(&pool->release_lock);

	list_for_each_entry_safe(zs, next, &batch, node) {
		unsigned int nr;

		list_del(&zs->node);
		/* Dying: migration no longer swaps these pages */
		for (nr = 0; nr < zs->class->pages_per_zspage; nr++)
			lock_page(zspage_page(zs, nr));
		zspage_free(pool, zs, true);
	}
}

/*
 * Release a zspage that class_retire() took out.  Any context: if the
 * migration core holds one of the pages locked, the work item finishes
 * the job.  Called with no pool or class lock held.
 */
static void zspage_release(struct zsm_pool *pool, struct zsm_zspage *zs)
{
	if (!ZSM_MOVABLE) {
		zspage_free(pool, zs, false);
		return;
	}
	if (zspage_trylock_pages(zs)) {
		zspage_free(pool, zs, true);
		return;
	}
	spin_lock(&pool->release_lock);
	list_add_tail(&zs->node, &pool->release_list);
	spin_unlock(&pool->release_lock);
	schedule_work(&pool->release_work);
}

static struct zsm_zspage *zspage_create(struct zsm_pool *pool,
					struct zsm_class *class, gfp_t gfp)
{
	unsigned int npages = class->pages_per_zspage;
	unsigned int nobjs = class->objs_per_zspage;
	unsigned int nr, idx;
	union zsm_cell *slots;
	struct zsm_zspage *zs;

	if (!zsm_may_allocate(pool))
		return NULL;
	zs = kmem_cache_alloc(class->desc_cache, zsm_meta_gfp(gfp));
	if (!zs)
		return NULL;

	for (nr = 0; nr < npages; nr++) {
		struct page *page = NULL;

		if (zsm_may_allocate(pool))
			page = alloc_page(zsm_page_gfp(gfp));
		if (!page)
			goto free_pages;
		zs->cells[nr].page = page;
	}

	INIT_LIST_HEAD(&zs->node);
	zs->class = class;
	zs->pool = pool;
	zs->used = 0;
	zs->free_head = 0;
	zs->group = 0;
	zs->parked = false;
	zs->dying = false;
	zspage_lock_init(zs);

	slots = zspage_slots(zs);
	for (idx = 0; idx < nobjs; idx++)
		slots[idx].slot = free_cell(idx + 1 < nobjs ? idx + 1 :
					    ZSM_CELL_END);

	/* Fully built: from here on migration may see the pages */
	if (!zspage_adopt_pages(zs))
		goto free_pages;
	atomic_long_add(npages, &pool->pages);
	atomic_long_add(kmem_cache_size(class->desc_cache), &pool->meta_bytes);
	return zs;

free_pages:
	while (nr--)
		__free_page(zspage_page(zs, nr));
	kmem_cache_free(class->desc_cache, zs);
	return NULL;
}

/* ---- object bytes ---- */

static void zspage_read_bytes(struct zsm_zspage *zs, size_t off, void *buf,
			      size_t len)
{
	char *to = buf;

	while (len) {
		size_t in = offset_in_page(off);
		size_t n = min_t(size_t, len, PAGE_SIZE - in);

		memcpy_from_page(to, zspage_page(zs, off >> PAGE_SHIFT), in, n);
		to += n;
		off += n;
		len -= n;
	}
}

static void zspage_write_bytes(struct zsm_zspage *zs, size_t off,
			       const void *buf, size_t len)
{
	const char *from = buf;

	while (len) {
		size_t in = offset_in_page(off);
		size_t n = min_t(size_t, len, PAGE_SIZE - in);

		memcpy_to_page(zspage_page(zs, off >> PAGE_SHIFT), in, from, n);
		from += n;
		off += n;
		len -= n;
	}
}

/* Copy one slot's bytes between two zspages of the same class */
static void zspage_copy_slot(struct zsm_zspage *dst, unsigned int to,
			     struct zsm_zspage *src, unsigned int from)
{
	size_t len = src->class->size;
	size_t doff = (size_t)to * len;
	size_t soff = (size_t)from * len;

	while (len) {
		size_t din = offset_in_page(doff), sin = offset_in_page(soff);
		size_t n = min_t(size_t, len,
				 PAGE_SIZE - max_t(size_t, din, sin));
		char *s = kmap_local_page(zspage_page(src, soff >> PAGE_SHIFT));
		char *d = kmap_local_page(zspage_page(dst, doff >> PAGE_SHIFT));

		memcpy(d + din, s + sin, n);
		kunmap_local(d);
		kunmap_local(s);
		doff += n;
		soff += n;
		len -= n;
	}
}

/* ---- allocation ---- */

int zsm_malloc(struct zsm_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle)
{
	struct zsm_class *class;
	struct zsm_zspage *zs;
	unsigned long *word;
	unsigned int idx;

	if (unlikely(!size || size > PAGE_SIZE))
		return -EINVAL;
	might_sleep_if(gfpflags_allow_blocking(gfp));

	word = kmem_cache_alloc(zsm_handle_cache, zsm_meta_gfp(gfp));
	if (!word)
		return -ENOMEM;
	class = pool->size_class[size_to_index(size)];

	class_lock(class);
	zs = class_fullest_partial(class);
	if (!zs) {
		/* One stage: allocate with the caller's gfp, unlocked */
		class_unlock(class);
		zs = zspage_create(pool, class, gfp);
		if (!zs) {
			kmem_cache_free(zsm_handle_cache, word);
			return -ENOMEM;
		}
		class_lock(class);
		class_link(class, zs);
	}
	idx = zspage_take_slot(zs, (unsigned long)word);
	handle_set_location((unsigned long)word, zspage_location(zs, idx));
	class->objs_used++;
	class_regroup(class, zs);
	class_unlock(class);
	atomic_long_add(sizeof(*word), &pool->meta_bytes);

	*handle = (unsigned long)word;
	return 0;
}

void zsm_free(struct zsm_pool *pool, unsigned long handle)
{
	struct zsm_class *class;
	struct zsm_zspage *zs;
	unsigned int idx;
	bool empty;

	if (!handle)
		return;

	pool_lookup_lock(pool);
	zs = handle_zspage(handle, &idx);
	class = zs->class;
	/* The class lock alone keeps the object in place from here on */
	class_lock(class);
	pool_lookup_unlock(pool);

	zspage_put_slot(zs, idx);
	class->objs_used--;
	empty = !zs->used;
	if (empty)
		class_retire(class, zs);
	else
		class_regroup(class, zs);
	class_unlock(class);

	if (empty)
		zspage_release(pool, zs);
	kmem_cache_free(zsm_handle_cache, (void *)handle);
	atomic_long_sub(sizeof(unsigned long), &pool->meta_bytes);
}

/* ---- object access ---- */

/*
 * Look @handle up and read-lock its zspage; the object then stays where it
 * is until zspage_read_unlock().  *@off gets its byte offset in the zspage.
 */
static struct zsm_zspage *zsm_obj_pin(struct zsm_pool *pool,
				      unsigned long handle, size_t *off)
{
	struct zsm_zspage *zs;
	unsigned int idx;

	pool_lookup_lock(pool);
	zs = handle_zspage(handle, &idx);
	zspage_read_lock(zs);
	pool_lookup_unlock(pool);

	*off = (size_t)idx * zs->class->size;
	return zs;
}

void *zsm_obj_read_begin(struct zsm_pool *pool, unsigned long handle,
			 size_t len, void *local_copy)
{
	struct zsm_zspage *zs;
	struct page *page;
	size_t off;

	zs = zsm_obj_pin(pool, handle, &off);
	if (WARN_ON_ONCE(len > zs->class->size))
		len = zs->class->size;

	page = zspage_page(zs, off >> PAGE_SHIFT);
	/* Lowmem stays mapped: a reader may sleep on a direct pointer */
	if (offset_in_page(off) + len <= PAGE_SIZE && !PageHighMem(page))
		return page_address(page) + offset_in_page(off);

	zspage_read_bytes(zs, off, local_copy, len);
	return local_copy;
}

void zsm_obj_read_end(struct zsm_pool *pool, unsigned long handle, void *mem)
{
	unsigned int idx;

	/* Our read lock keeps the location stable: no pool lock needed */
	zspage_read_unlock(handle_zspage(handle, &idx));
}

void zsm_obj_write(struct zsm_pool *pool, unsigned long handle,
		   const void *src, size_t len)
{
	struct zsm_zspage *zs;
	size_t off;

	zs = zsm_obj_pin(pool, handle, &off);
	if (WARN_ON_ONCE(len > zs->class->size))
		len = zs->class->size;
	zspage_write_bytes(zs, off, src, len);
	zspage_read_unlock(zs);
}

size_t zsm_huge_class_size(struct zsm_pool *pool)
{
	return pool->huge_size;
}

size_t zsm_obj_room(struct zsm_pool *pool, size_t size)
{
	return pool->size_class[size_to_index(size)]->size;
}

unsigned long zsm_get_total_pages(struct zsm_pool *pool)
{
	return atomic_long_read(&pool->pages);
}

unsigned long zsm_get_total_bytes(struct zsm_pool *pool)
{
	return (atomic_long_read(&pool->pages) << PAGE_SHIFT) +
	       atomic_long_read(&pool->meta_bytes);
}

void zsm_pool_stats(struct zsm_pool *pool, struct zsm_pool_stats *stats)
{
	atomic_long_set(&stats->pages_compacted,
			atomic_long_read(&pool->stats.pages_compacted));
}

/* ---- compaction ---- */

/* Move objects from @src into @dst until @src is empty or @dst is full */
static void zspage_move_objects(struct zsm_zspage *src, struct zsm_zspage *dst)
{
	struct zsm_class *class = src->class;
	union zsm_cell *slots = zspage_slots(src);
	unsigned int idx;

	for (idx = 0; idx < class->objs_per_zspage; idx++) {
		unsigned long handle = slots[idx].slot;
		unsigned int to;

		if (!src->used || dst->used == class->objs_per_zspage)
			break;
		if (cell_is_free(handle))
			continue;
		to = zspage_take_slot(dst, handle);
		zspage_copy_slot(dst, to, src, idx);
		handle_set_location(handle, zspage_location(dst, to));
		zspage_put_slot(src, idx);
	}
}

/*
 * One step of compaction under both locks: drain the emptiest zspage into
 * the fullest.  Returns false when the class has nothing left to gain.
 * An emptied zspage is handed back in *@victim for release after unlocking.
 */
static bool class_compact_step(struct zsm_class *class,
			       struct zsm_zspage **victim)
{
	struct zsm_zspage *src, *dst;

	if (!class_can_free_zspage(class))
		return false;
	dst = class_fullest_partial(class);
	src = class_emptiest_partial(class);
	if (!src || src == dst)
		return false;

	if (!zspage_write_trylock(src)) {
		/* A reader holds it, maybe asleep: skip it this run */
		class_park(class, src);
		return true;
	}
	zspage_move_objects(src, dst);
	zspage_write_unlock(src);

	class_regroup(class, dst);
	if (src->used) {
		class_regroup(class, src);
	} else {
		class_retire(class, src);
		*victim = src;
	}
	return true;
}

static unsigned long class_compact(struct zsm_pool *pool,
				   struct zsm_class *class)
{
	unsigned long freed = 0;
	bool more;

	do {
		struct zsm_zspage *victim = NULL;

		pool_relocate_lock(pool);
		class_lock(class);
		more = class_compact_step(class, &victim);
		if (!more)
			class_unpark_all(class);
		class_unlock(class);
		pool_relocate_unlock(pool);

		if (victim) {
			freed += class->pages_per_zspage;
			zspage_release(pool, victim);
		}
		cond_resched();
	} while (more);

	return freed;
}

static unsigned long pool_compact(struct zsm_pool *pool)
{
	unsigned long freed = 0;
	unsigned int i;

	lockdep_assert_held(&pool->compact_mutex);
	for (i = ZSM_NR_SIZES; i--;) {
		struct zsm_class *class = pool->size_class[i];

		if (class->index == i)
			freed += class_compact(pool, class);
	}
	atomic_long_add(freed, &pool->stats.pages_compacted);
	return freed;
}

unsigned long zsm_compact(struct zsm_pool *pool)
{
	unsigned long freed;

	mutex_lock(&pool->compact_mutex);
	freed = pool_compact(pool);
	mutex_unlock(&pool->compact_mutex);
	return freed;
}

/* Pages compaction could free now: whole zspages of free slots */
static unsigned long pool_freeable_pages(struct zsm_pool *pool)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];
		unsigned long spare;

		if (class->index != i)
			continue;
		class_lock(class);
		spare = class->nr_zspages * class->objs_per_zspage -
			class->objs_used;
		pages += spare / class->objs_per_zspage *
			 class->pages_per_zspage;
		class_unlock(class);
	}
	return pages;
}

static unsigned long zsm_shrinker_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct zsm_pool *pool = compat_shrinker_private(shrinker);

	return pool_freeable_pages(pool);
}

static unsigned long zsm_shrinker_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct zsm_pool *pool = compat_shrinker_private(shrinker);
	unsigned long freed;

	/* Reclaim must not wait for a compaction already running */
	if (!mutex_trylock(&pool->compact_mutex))
		return SHRINK_STOP;
	freed = pool_compact(pool);
	mutex_unlock(&pool->compact_mutex);
	return freed ? freed : SHRINK_STOP;
}

static void pool_init_shrinker(struct zsm_pool *pool)
{
	pool->shrinker = shrinker_alloc(0, "zsm-%s", pool->name);
	if (!pool->shrinker) {
		/* zsm_compact() still works; reclaim just won't call it */
		pr_warn("%s: no shrinker, compaction on request only\n",
			pool->name);
		return;
	}
	pool->shrinker->count_objects = zsm_shrinker_count;
	pool->shrinker->scan_objects = zsm_shrinker_scan;
	pool->shrinker->seeks = DEFAULT_SEEKS;
	compat_shrinker_set_private(pool->shrinker, pool);
	shrinker_register(pool->shrinker);
}

/* ---- page migration ---- */

#if ZSM_MOVABLE

/*
 * The migration core calls these three with the page locked.  Freeing a
 * zspage's pages needs their page locks too, so page->private names a live
 * zspage throughout.
 */
static bool zsm_page_isolate(struct page *page, isolate_mode_t mode)
{
	struct zsm_zspage *zs = (struct zsm_zspage *)page_private(page);

	/* Nothing to take off: our lists hold zspages, not pages */
	return !READ_ONCE(zs->dying);
}

/* Point every object's handle at the zspage's (new) first page */
static void zspage_rewrite_locations(struct zsm_zspage *zs)
{
	union zsm_cell *slots = zspage_slots(zs);
	unsigned int idx;

	for (idx = 0; idx < zs->class->objs_per_zspage; idx++) {
		if (!cell_is_free(slots[idx].slot))
			handle_set_location(slots[idx].slot,
					    zspage_location(zs, idx));
	}
}

/*
 * The locked part of a migration: point the zspage at @newpage, a copy of
 * @page.  The class lock and the pool's relocation lock are held.
 */
static int zspage_move_page(struct zsm_zspage *zs, struct page *newpage,
			    struct page *page)
{
	struct zsm_class *class = zs->class;
	unsigned int nr;

	if (zs->dying)
		return -EBUSY;
	for (nr = 0; nr < class->pages_per_zspage; nr++) {
		if (zspage_page(zs, nr) == page)
			break;
	}
	if (WARN_ON_ONCE(nr == class->pages_per_zspage))
		return -EBUSY;
	/* A reader has it, maybe asleep: try again later */
	if (!zspage_write_trylock(zs))
		return -EAGAIN;
	copy_highpage(newpage, page);
	set_page_private(newpage, (unsigned long)zs);
	zs->cells[nr].page = newpage;
	if (nr == 0)
		zspage_rewrite_locations(zs);
	zspage_write_unlock(zs);
	return 0;
}

static int zsm_page_migrate(struct page *newpage, struct page *page,
			    enum migrate_mode mode)
{
	struct zsm_zspage *zs = (struct zsm_zspage *)page_private(page);
	struct zsm_class *class = zs->class;
	struct zsm_pool *pool = zs->pool;
	int ret;

	pool_relocate_lock(pool);
	class_lock(class);
	ret = zspage_move_page(zs, newpage, page);
	class_unlock(class);
	pool_relocate_unlock(pool);
	if (ret)
		return ret;

	/* Both pages stay locked by the caller until we return */
	get_page(newpage);
	compat_page_set_movable(newpage, &zsm_mops);
	zsm_page_disown(page);
	put_page(page);
	return MIGRATEPAGE_SUCCESS;
}

static void zsm_page_putback(struct page *page)
{
	/* Isolation changed nothing of ours, so there is nothing to undo */
}

static const struct movable_operations zsm_mops = {
	.isolate_page = zsm_page_isolate,
	.migrate_page = zsm_page_migrate,
	.putback_page = zsm_page_putback,
};

#endif /* ZSM_MOVABLE */

/* ---- debugfs ---- */

/**
 * struct zsm_class_stats - a consistent snapshot of one class
 * @size: slot size
 * @pages_per_zspage: pages per zspage
 * @objs_per_zspage: slots per zspage
 * @zspages: zspages
 * @objs_used: allocated objects
 * @in_group: zspages per fullness group
 */
struct zsm_class_stats {
	unsigned int size;
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	unsigned long zspages;
	unsigned long objs_used;
	unsigned long in_group[ZSM_NR_GROUPS];
};

static void class_read_stats(struct zsm_class *class,
			     struct zsm_class_stats *st)
{
	class_lock(class);
	st->size = class->size;
	st->pages_per_zspage = class->pages_per_zspage;
	st->objs_per_zspage = class->objs_per_zspage;
	st->zspages = class->nr_zspages;
	st->objs_used = class->objs_used;
	memcpy(st->in_group, class->nr_in_group, sizeof(st->in_group));
	class_unlock(class);
}

static int zsm_classes_show(struct seq_file *s, void *unused)
{
	struct zsm_pool *pool = s->private;
	unsigned long pages = 0, used = 0, slots = 0;
	struct zsm_class_stats st;
	unsigned int i, g;

	seq_printf(s, "%5s %4s %5s %8s %9s %9s %9s  %s\n", "size", "ppz",
		   "opz", "zspages", "pages", "objs", "used",
		   "zspages by fullness (emptiest .. full)");
	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];

		if (class->index != i)
			continue;
		class_read_stats(class, &st);
		seq_printf(s, "%5u %4u %5u %8lu %9lu %9lu %9lu ", st.size,
			   st.pages_per_zspage, st.objs_per_zspage, st.zspages,
			   st.zspages * st.pages_per_zspage,
			   st.zspages * st.objs_per_zspage, st.objs_used);
		for (g = 0; g < ZSM_NR_GROUPS; g++)
			seq_printf(s, " %lu", st.in_group[g]);
		seq_putc(s, '\n');
		pages += st.zspages * st.pages_per_zspage;
		slots += st.zspages * st.objs_per_zspage;
		used += st.objs_used;
	}
	seq_printf(s, "total: pages %lu (pool %lu) objs %lu used %lu\n",
		   pages, zsm_get_total_pages(pool), slots, used);
	seq_printf(s, "huge_class_size: %zu\npages_compacted: %ld\n",
		   pool->huge_size,
		   atomic_long_read(&pool->stats.pages_compacted));
	seq_printf(s, "meta_bytes: %ld\n",
		   atomic_long_read(&pool->meta_bytes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zsm_classes);

static void pool_init_debugfs(struct zsm_pool *pool)
{
	if (IS_ERR_OR_NULL(zsm_debugfs_root))
		return;
	pool->debugfs_dir = debugfs_create_dir(pool->name, zsm_debugfs_root);
	debugfs_create_file("classes", 0444, pool->debugfs_dir, pool,
			    &zsm_classes_fops);
}

/* ---- pools ---- */

static void class_init(struct zsm_class *class, unsigned int index,
		       unsigned int size, unsigned int pages,
		       unsigned int objs)
{
	unsigned int g;

	spin_lock_init(&class->lock);
	for (g = 0; g < ZSM_NR_GROUPS; g++)
		INIT_LIST_HEAD(&class->groups[g]);
	INIT_LIST_HEAD(&class->parked);
	class->size = size;
	class->pages_per_zspage = pages;
	class->objs_per_zspage = objs;
	class->index = index;
}

static void pool_release_classes(struct zsm_pool *pool)
{
	unsigned int i;

	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];

		if (class && class->index == i)
			kfree(class);
	}
}

/* Build the classes from the largest size down, merging equal geometry */
static int pool_init_classes(struct zsm_pool *pool)
{
	struct zsm_class *above = NULL, *huge;
	unsigned int i = ZSM_NR_SIZES;

	while (i--) {
		unsigned int size = index_to_size(i), pages, objs;

		choose_geometry(size, &pages, &objs);
		if (above && above->pages_per_zspage == pages &&
		    above->objs_per_zspage == objs) {
			pool->size_class[i] = above;
			continue;
		}
		above = kzalloc(sizeof(*above), GFP_KERNEL);
		if (!above)
			return -ENOMEM;
		class_init(above, i, size, pages, objs);
		pool->size_class[i] = above;
		above->desc_cache = zsm_desc_cache(pages + objs);
		if (!above->desc_cache)
			return -ENOMEM;
	}

	huge = pool->size_class[ZSM_NR_SIZES - 1];
	WARN_ON(!class_is_huge(huge));
	for (i = ZSM_NR_SIZES - 1; i && pool->size_class[i - 1] == huge; i--)
		;
	pool->huge_size = i ? index_to_size(i - 1) + 1 : 1;
	return 0;
}

struct zsm_pool *zsm_create_pool(const char *name)
{
	struct zsm_pool *pool;
	int err = -ENOMEM;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->name = kstrdup(name, GFP_KERNEL);
	if (!pool->name)
		goto free_pool;

	rwlock_init(&pool->relocate_lock);
	mutex_init(&pool->compact_mutex);
	spin_lock_init(&pool->release_lock);
	INIT_LIST_HEAD(&pool->release_list);
	INIT_WORK(&pool->release_work, zsm_release_work);
	atomic_long_set(&pool->pages, 0);
	atomic_long_set(&pool->meta_bytes, 0);
	atomic_long_set(&pool->stats.pages_compacted, 0);
#ifdef ZRAM_KUNIT
	atomic_set(&pool->kunit_alloc_budget, -1);
#endif
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_register_key(&pool->lock_key);
#endif

	err = pool_init_classes(pool);
	if (err)
		goto release_classes;

	pool_init_debugfs(pool);
	pool_init_shrinker(pool);
	return pool;

release_classes:
	pool_release_classes(pool);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_unregister_key(&pool->lock_key);
#endif
	kfree(pool->name);
free_pool:
	kfree(pool);
	return ERR_PTR(err);
}

/* Free what the user leaked in one class: handles, then zspages */
static unsigned long class_drop_all(struct zsm_pool *pool,
				    struct zsm_class *class)
{
	unsigned long leaked = 0;
	struct zsm_zspage *zs;
	unsigned int g, idx;
	LIST_HEAD(doomed);

	class_lock(class);
	class_unpark_all(class);
	for (g = 0; g < ZSM_NR_GROUPS; g++) {
		while (!list_empty(&class->groups[g])) {
			zs = list_first_entry(&class->groups[g],
					      struct zsm_zspage, node);
			class_retire(class, zs);
			list_add(&zs->node, &doomed);
		}
	}
	class_unlock(class);

	while (!list_empty(&doomed)) {
		union zsm_cell *slots;

		zs = list_first_entry(&doomed, struct zsm_zspage, node);
		list_del_init(&zs->node);
		slots = zspage_slots(zs);
		for (idx = 0; idx < class->objs_per_zspage; idx++) {
			if (cell_is_free(slots[idx].slot))
				continue;
			kmem_cache_free(zsm_handle_cache,
					(void *)slots[idx].slot);
			atomic_long_sub(sizeof(unsigned long), &pool->meta_bytes);
			leaked++;
		}
		zspage_release(pool, zs);
	}
	return leaked;
}

void zsm_destroy_pool(struct zsm_pool *pool)
{
	unsigned long leaked = 0;
	unsigned int i;

	if (!pool)
		return;

	shrinker_free(pool->shrinker);
	debugfs_remove_recursive(pool->debugfs_dir);

	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];

		if (class->index == i)
			leaked += class_drop_all(pool, class);
	}
	WARN_ONCE(leaked, "zsm: pool %s destroyed with %lu objects allocated\n",
		  pool->name, leaked);
	flush_work(&pool->release_work);
	WARN_ON(atomic_long_read(&pool->pages));
	WARN_ON(atomic_long_read(&pool->meta_bytes));

	pool_release_classes(pool);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_unregister_key(&pool->lock_key);
#endif
	kfree(pool->name);
	kfree(pool);
}

int zsm_init(void)
{
	BUILD_BUG_ON(ZSM_MAX_OBJS > ZSM_IDX_MASK);
	BUILD_BUG_ON(ZSM_MIN_SIZE > PAGE_SIZE);
	BUILD_BUG_ON(ZSM_NR_GROUPS > U8_MAX);

	zsm_handle_cache = kmem_cache_create("zsm_handle",
					     sizeof(unsigned long), 0, 0, NULL);
	if (!zsm_handle_cache)
		return -ENOMEM;
	zsm_debugfs_root = debugfs_create_dir("zsm", NULL);
	if (!ZSM_MOVABLE && IS_ENABLED(CONFIG_COMPACTION))
		pr_notice("this kernel cannot migrate a module's pages: the pool's pages stay where they are, outside ZONE_MOVABLE and CMA, and compaction and memory hot-unplug work around them\n");
	return 0;
}

void zsm_exit(void)
{
	unsigned int i;

	debugfs_remove_recursive(zsm_debugfs_root);
	zsm_debugfs_root = NULL;
	for (i = 0; i < ZSM_DESC_CACHES; i++) {
		kmem_cache_destroy(zsm_desc_caches[i]);
		zsm_desc_caches[i] = NULL;
	}
	kmem_cache_destroy(zsm_handle_cache);
	zsm_handle_cache = NULL;
}

#ifdef ZRAM_KUNIT
#include "tests/kunit/zsmalloc_kunit.c"
#endif
