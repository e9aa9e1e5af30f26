/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compressed-object allocator bundled with zram.
 *
 * Objects of any size up to PAGE_SIZE are packed into "zspages": chains of
 * one or more order-0 pages owned by a size class.  Callers see an opaque
 * handle that stays valid while the allocator moves the object (compaction,
 * page migration), and they read and write objects by copy, so no mapping is
 * held across a caller's work and the caller may sleep between begin and end
 * of a read.
 *
 * Every symbol carries the zsm_ prefix: the kernel's own zsmalloc exports
 * zs_* names, and this allocator must never be confused with it.
 */
#ifndef _ZRAM_ZSMALLOC_H_
#define _ZRAM_ZSMALLOC_H_

#include <linux/types.h>

struct zsm_pool;

/**
 * struct zsm_pool_stats - counters a pool reports
 * @pages_compacted: pages freed by compaction since the pool was created
 */
struct zsm_pool_stats {
	atomic_long_t pages_compacted;
};

/**
 * zsm_create_pool() - create an empty pool
 * @name: name for debugfs and the shrinker (copied)
 *
 * Context: process context, may sleep.
 * Return: the pool, or an ERR_PTR() on failure.
 */
struct zsm_pool *zsm_create_pool(const char *name);

/**
 * zsm_destroy_pool() - free a pool and every page it holds
 * @pool: the pool, or NULL (nothing is done)
 *
 * All handles must have been freed; leaks are reported once.
 * Context: process context, may sleep.
 */
void zsm_destroy_pool(struct zsm_pool *pool);

/**
 * zsm_malloc() - allocate an object
 * @pool: the pool
 * @size: object size in bytes, 1..PAGE_SIZE
 * @gfp: allocation flags for the pages and the handle; with
 *       __GFP_DIRECT_RECLAIM the call may sleep and reclaim
 * @handle: where the new handle is stored
 *
 * One stage: the allocation either succeeds with @gfp or fails.  The object's
 * contents are undefined until zsm_obj_write().  Zone modifiers in @gfp are
 * the allocator's business: it adds __GFP_HIGHMEM (and __GFP_MOVABLE where
 * it can migrate its pages) for the pages, and strips both for its own
 * metadata.
 *
 * Context: task context; sleeps only if @gfp allows it.  Not from interrupt
 * context.
 * Return: 0, -EINVAL for a size out of range, or -ENOMEM.
 */
int zsm_malloc(struct zsm_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle);

/**
 * zsm_free() - free an object
 * @pool: the pool
 * @handle: a handle from zsm_malloc(); 0 is ignored
 *
 * The object must not be open (between zsm_obj_read_begin() and
 * zsm_obj_read_end()).
 *
 * Context: any context that may take a spinlock, preemptible or not, but
 * not interrupt context.  Never sleeps.
 */
void zsm_free(struct zsm_pool *pool, unsigned long handle);

/**
 * zsm_obj_read_begin() - start reading an object
 * @pool: the pool
 * @handle: the object
 * @len: how many bytes of the object the caller will read (<= object size)
 * @local_copy: a buffer of at least @len bytes, used when the object
 *              straddles two pages
 *
 * Return: a pointer to the object's first byte: into the page itself when
 * the object lies in one page, else @local_copy holding a copy of it (also
 * for a highmem page, which is never left mapped).  The caller may sleep
 * before zsm_obj_read_end(); the object cannot move or be freed meanwhile
 * (compaction and migration skip its zspage).  A task may hold several
 * objects open at once.
 *
 * Context: task context, preemptible or not; may spin briefly (never for a
 * sleeping task) but never sleeps.  Not from interrupt context.
 */
void *zsm_obj_read_begin(struct zsm_pool *pool, unsigned long handle,
			 size_t len, void *local_copy);

/**
 * zsm_obj_read_end() - finish a read started by zsm_obj_read_begin()
 * @pool: the pool
 * @handle: the object
 * @mem: the pointer zsm_obj_read_begin() returned
 *
 * Context: the task that called zsm_obj_read_begin().
 */
void zsm_obj_read_end(struct zsm_pool *pool, unsigned long handle, void *mem);

/**
 * zsm_obj_write() - copy data into an object
 * @pool: the pool
 * @handle: the object
 * @src: the data
 * @len: bytes to copy, at most the size given to zsm_malloc()
 *
 * Context: task context; may be preempted; does not sleep.  Not from
 * interrupt context.
 */
void zsm_obj_write(struct zsm_pool *pool, unsigned long handle,
		   const void *src, size_t len);

/**
 * zsm_huge_class_size() - smallest object size stored one per page
 * @pool: the pool
 *
 * An object this size or larger wastes as much as an uncompressed page, so
 * zram stores such pages as they are.
 */
size_t zsm_huge_class_size(struct zsm_pool *pool);

/**
 * zsm_obj_room() - the room an object takes in the pool
 * @pool: the pool
 * @size: the object's size, 1..PAGE_SIZE
 *
 * Return: the slot size of the class zsm_malloc() would take for @size;
 * two objects of different sizes but the same room use the same memory.
 */
size_t zsm_obj_room(struct zsm_pool *pool, size_t size);

/**
 * zsm_get_total_pages() - pages the pool holds now
 * @pool: the pool
 */
unsigned long zsm_get_total_pages(struct zsm_pool *pool);

/**
 * zsm_get_total_bytes() - memory the pool holds now for its objects
 * @pool: the pool
 *
 * Its pages, plus the slab memory of the zspage descriptors and handle
 * words: everything the pool keeps for what is stored in it.
 */
unsigned long zsm_get_total_bytes(struct zsm_pool *pool);

/**
 * zsm_compact() - move objects to free as many zspages as possible
 * @pool: the pool
 *
 * Skips zspages that readers hold.  Also run by the pool's shrinker under
 * memory pressure.
 *
 * Context: process context, may sleep between steps.
 *
 * Return: the number of pages freed by this call.
 */
unsigned long zsm_compact(struct zsm_pool *pool);

/**
 * zsm_pool_stats() - read the pool's counters
 * @pool: the pool
 * @stats: filled in
 */
void zsm_pool_stats(struct zsm_pool *pool, struct zsm_pool_stats *stats);

/**
 * zsm_init() - module-wide set-up (handle and zspage caches, debugfs root)
 *
 * Return: 0 or a negative errno.
 */
int zsm_init(void);

/** zsm_exit() - undo zsm_init() */
void zsm_exit(void);

#endif /* _ZRAM_ZSMALLOC_H_ */
