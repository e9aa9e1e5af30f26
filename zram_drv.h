/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zram: a block device whose pages live compressed in RAM.
 *
 * The device: its statistics, its ring of deferred frees and struct zram,
 * with the accessors through which the rest of the driver reads it.  The
 * slots are in zram_slot.h, post-processing's hooks in zram_pp.h.  The
 * code and the locking rules are next to the functions they govern.
 */
#ifndef _ZRAM_DRV_H_
#define _ZRAM_DRV_H_

#include <linux/atomic.h>
#include <linux/blkdev.h>
#include <linux/lockdep.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "zcomp.h"

struct zram_pp;
struct zram_slot;

/*
 * The device is addressed in pages of PAGE_SIZE ("slots"); the block layer
 * sees 4 KiB logical blocks, so on kernels with larger pages one slot holds
 * several blocks and sub-slot I/O is read-modify-write.
 */
#define ZRAM_SECTORS_PER_SLOT_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define ZRAM_LOGICAL_BLOCK_SHIFT	12
#define ZRAM_LOGICAL_BLOCK_SIZE		BIT(ZRAM_LOGICAL_BLOCK_SHIFT)

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
	atomic64_t csum_failures;	/* reads whose checksum did not match */
	atomic64_t csum_scrubbed;	/* slots scrub verified */
	atomic64_t csum_unreadable;	/* slots scrub could not read */
};

/* Handles the ring holds: 32 KiB a device */
#define ZRAM_FREE_RING		4096

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
 * @checksum: every page stored gets a CRC32C, checked on each read; set
 *            under @init_lock before initialisation, fixed until reset
 * @limit_pages: the memory limit in pages, 0 for none (written under
 *               @init_lock, read locklessly)
 * @stats: the counters
 * @claimed: reset or removal owns the device: open() fails (protected by
 *           disk->open_mutex)
 * @debugfs_dir: this device's debugfs directory
 * @pp: recompression and writeback (zram_pp.h), for the device's life
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
	bool checksum;
	unsigned long limit_pages;
	struct zram_stats stats;
	bool claimed;
	struct dentry *debugfs_dir;
	struct zram_pp *pp;
	struct zram_free_ring free_ring;
	atomic_t slot_waiters;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lock_class_key slot_lock_key;
#endif
};

/*
 * What other files read of the device.  Configuration (everything but
 * dev_to_zram() and zram_name()) is stable under zram_config_lock().
 */
static inline struct zram *dev_to_zram(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

/* The disk's name, for messages ("zram" while there is no disk yet) */
static inline const char *zram_name(const struct zram *zram)
{
	return zram->disk ? zram->disk->disk_name : "zram";
}

static inline struct rw_semaphore *zram_config_lock(struct zram *zram)
{
	return &zram->init_lock;
}

/* Set up for I/O (disksize set)? */
static inline bool init_done(const struct zram *zram)
{
	return zram->disksize != 0;
}

static inline unsigned long zram_nr_slots(const struct zram *zram)
{
	return zram->nr_slots;
}

/* Objects this size or larger are stored as whole pages */
static inline size_t zram_huge_size(const struct zram *zram)
{
	return zram->huge_class_size;
}

/* The compressor of priority @prio, NULL when none is set up */
static inline struct zcomp *zram_comp(const struct zram *zram,
				      unsigned int prio)
{
	return zram->comps[prio];
}

/* The algorithm chosen for priority @prio, NULL when none is */
static inline const char *zram_comp_alg(const struct zram *zram,
					unsigned int prio)
{
	return zram->comp_algs[prio];
}

/* Choose the algorithm of priority @prio; not initialised, lock held */
static inline void zram_set_comp_alg(struct zram *zram, unsigned int prio,
				     const char *alg)
{
	zram->comp_algs[prio] = alg;
}

/* Does the device keep checksums?  Fixed while it is initialised. */
static inline bool zram_checksums(const struct zram *zram)
{
	return zram->checksum;
}

/* Slots that hold a page other than a same-filled one (in memory or not) */
static inline u64 zram_stored_objects(struct zram *zram)
{
	return atomic64_read(&zram->stats.pages_stored) -
	       atomic64_read(&zram->stats.same_pages);
}

static inline struct zram_pp *zram_pp_of(const struct zram *zram)
{
	return zram->pp;
}

/* zram_args.c: the one parser of the key=value attributes */
int zram_parse_args(char *args, const char *const *keys, size_t nr_keys,
		    int (*take)(void *ctx, unsigned int key, char *val),
		    void *ctx);

#endif /* _ZRAM_DRV_H_ */
