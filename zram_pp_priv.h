/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the post-processing files share among themselves: zram_pp.c (runs,
 * slot selection, the attribute group), zram_recompress.c,
 * zram_writeback.c and zram_backing.c.  The rest of the driver sees
 * zram_pp.h only.
 */
#ifndef _ZRAM_PP_PRIV_H_
#define _ZRAM_PP_PRIV_H_

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "zram_pp.h"
#include "zram_slot.h"

struct file;
struct shrinker;

/* Default of writeback_batch_size: writes in flight per writeback run */
#define ZRAM_WB_BATCH_DEFAULT	32U

/**
 * struct zram_policy - what pp_policy asks for (zram_policy.c)
 * @recompress_after: recompress slots not accessed for this many seconds;
 *                    0: no recompression
 * @recompress_prio: with this priority; 0: the highest configured
 * @writeback_after: write back slots not accessed for this many seconds;
 *                   0: no writeback by age
 * @interval: seconds from one scan to the next
 * @max_pages: the most slots one scan handles; 0: no limit
 * @wb_on_pressure: write back the least recently accessed slots when
 *                  reclaim asks (the device's shrinker)
 *
 * Off: none of @recompress_after, @writeback_after, @wb_on_pressure.
 */
struct zram_policy {
	u32 recompress_after;
	unsigned int recompress_prio;
	u32 writeback_after;
	u32 interval;
	unsigned long max_pages;
	bool wb_on_pressure;
};

/**
 * struct zram_pp_stat - what the policy's scans did (pp_stat)
 * @scans: scans that ran
 * @recompressed: slots they stored again, smaller
 * @recompress_saved: the bytes of compressed data that saved
 * @wb_age: slots they wrote back for their age
 * @wb_pressure: slots written back for the system's memory pressure
 * @compacted: pool pages the compaction at the end of each scan gave back
 * @errors: scans (or parts of one) that failed
 */
struct zram_pp_stat {
	atomic64_t scans;
	atomic64_t recompressed;
	atomic64_t recompress_saved;
	atomic64_t wb_age;
	atomic64_t wb_pressure;
	atomic64_t compacted;
	atomic64_t errors;
};

/**
 * struct pp_pass - one part of a policy scan: recompression or writeback
 * @now: zram_now() at the start of the scan
 * @age: slots not accessed for this many seconds
 * @left: slots the scan may still handle (counted down)
 * @done: slots it recompressed or wrote back
 * @saved: the bytes of compressed data recompression saved
 */
struct pp_pass {
	u32 now;
	u32 age;
	unsigned long left;
	unsigned long done;
	u64 saved;
};

/**
 * struct zram_pp - a device's post-processing state
 * @bdev_file: the backing device, opened exclusively; NULL when none
 * @bdev_path: the path it was given by, shown by backing_dev
 * @bitmap: one bit per block of the backing device, set while in use
 * @nr_blocks: the backing device's size in blocks of PAGE_SIZE
 * @next_block: where the next block search starts (the running
 *              writeback's hint; protected by @in_progress)
 * @compressed_wb: written-back slots keep their compressed form
 * @wb_limit_lock: protects @wb_limit and @wb_limit_enable
 * @wb_limit: writeback budget left, in 4 KiB units
 * @wb_limit_enable: whether @wb_limit applies
 * @wb_batch_size: writes in flight per writeback run (read once per run)
 * @in_progress: 1 while a recompress or writeback run owns the device's
 *               PP_SLOT marks; a second run gets -EAGAIN
 * @bd_count: backing-device blocks in use
 * @bd_reads: blocks read from it
 * @bd_writes: blocks written to it
 * @bd_failed_reads: reads from it that failed
 * @bd_failed_writes: writes to it that failed
 * @zram: the device
 * @policy_lock: protects @policy
 * @policy: pp_policy
 * @scan_work: the policy's next scan
 * @shrinker: asks for writeback under memory pressure, while initialised
 * @pressure_work: that writeback
 * @pressure_slots: the slots reclaim asked for since it last ran
 * @stop: set while reset waits for a scan: runs end early
 * @stat: what the scans did
 *
 * @bdev_file, @bdev_path, @nr_blocks and @compressed_wb are set under
 * init_lock held for writing while the device is not initialised, and
 * stay until reset.  The bits of @bitmap are set by the writeback run and
 * cleared by whoever frees the slot that owns the block (atomic bit ops).
 * The counters are atomic; reset clears them.
 */
struct zram_pp {
	struct file *bdev_file;
	char *bdev_path;
	unsigned long *bitmap;
	unsigned long nr_blocks;
	unsigned long next_block;
	bool compressed_wb;
	spinlock_t wb_limit_lock;	/* the two below */
	u64 wb_limit;
	bool wb_limit_enable;
	unsigned int wb_batch_size;
	atomic_t in_progress;
	atomic64_t bd_count;
	atomic64_t bd_reads;
	atomic64_t bd_writes;
	atomic64_t bd_failed_reads;
	atomic64_t bd_failed_writes;
	struct zram *zram;
	spinlock_t policy_lock;		/* protects @policy */
	struct zram_policy policy;
	struct delayed_work scan_work;
	struct shrinker *shrinker;
	struct work_struct pressure_work;
	atomic_long_t pressure_slots;
	bool stop;
	struct zram_pp_stat stat;
};

/* bd_stat and writeback_limit count in 4 KiB units; a slot is this many */
#define ZRAM_UNITS_PER_SLOT	(PAGE_SIZE >> ZRAM_LOGICAL_BLOCK_SHIFT)

/* zram_pp.c: a run's ownership of the device and its marks (rules 1-5) */
bool zram_pp_begin(struct zram *zram);
unsigned long zram_pp_end(struct zram *zram);
void zram_pp_pause(bool pause);
int zram_pp_interrupted(struct zram *zram, bool policy);
u32 zram_pp_slot_age(struct zram *zram, u32 index, u32 now);
bool zram_pp_slot_old_enough(struct zram *zram, u32 index, u32 now, u32 age);
bool zram_pp_slot_unchanged(struct zram *zram, u32 index,
			    unsigned long handle);
bool zram_pp_slot_has_flags(struct zram *zram, u32 index,
			    unsigned long mask);

/* zram_pp.c: slot types ("type=" of both runs); recompression has fewer */
#define PP_NR_TYPES		4
#define PP_NR_RECOMP_TYPES	3
int zram_pp_parse_type(const char *val, size_t nr_types,
		       unsigned long *flags);

/* The parts of a policy scan (zram_policy.c) */
int zram_recompress_aged(struct zram *zram, struct pp_pass *pass,
			 unsigned int prio);
int zram_writeback_aged(struct zram *zram, struct pp_pass *pass);
bool zram_writeback_possible(struct zram_pp *pp);
u32 zram_writeback_oldest(struct zram *zram, u32 now, unsigned long nr);

/* zram_backing.c: its workqueue, and the blocks of the backing device */
int zram_bd_init(void);
void zram_bd_exit(void);
bool zram_bd_alloc_block(struct zram_pp *pp, unsigned long *block);
void zram_bd_put_block(struct zram_pp *pp, unsigned long block);
void zram_bd_release(struct zram_pp *pp);

/* Each file's attributes, gathered in zram_pp.c's group */
extern struct device_attribute zram_attr_recomp_algorithm;
extern struct device_attribute zram_attr_recompress;
extern struct device_attribute zram_attr_backing_dev;
extern struct device_attribute zram_attr_bd_stat;
extern struct device_attribute zram_attr_bd_errors;
extern struct device_attribute zram_attr_compressed_writeback;
extern struct device_attribute zram_attr_writeback_batch_size;
extern struct device_attribute zram_attr_writeback_limit_enable;
extern struct device_attribute zram_attr_writeback_limit;
extern struct device_attribute zram_attr_writeback;
extern struct device_attribute zram_attr_pp_policy;
extern struct device_attribute zram_attr_pp_stat;

#endif /* _ZRAM_PP_PRIV_H_ */
