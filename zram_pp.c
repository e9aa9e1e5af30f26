// SPDX-License-Identifier: GPL-2.0
/*
 * zram post-processing: work on stored slots that the user asks for through
 * sysfs, apart from the I/O path.  Recompression (zram_recompress.c)
 * stores a slot again with one of the secondary algorithms when that makes
 * it smaller; writeback (zram_writeback.c) moves slots to the backing
 * device (zram_backing.c) and frees their memory.  This file holds what
 * both kinds of run share: the rules below, the selection of slots by
 * type, the device's post-processing state and its sysfs attributes.
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
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "zram_pp.h"
#include "zram_pp_priv.h"

/* A run owns the device's post-processing (rule 1) */
bool zram_pp_begin(struct zram *zram)
{
	return atomic_cmpxchg_acquire(&zram_pp_of(zram)->in_progress, 0, 1) == 0;
}

/*
 * The run ends.  Its frees left holes in the pool's zspages (a
 * recompressed object moves to a smaller class, a written-back one leaves
 * the pool): compaction gives the pages back, as a write to compact would.
 */
void zram_pp_end(struct zram *zram)
{
	zram_pool_compact(zram);
	atomic_set_release(&zram_pp_of(zram)->in_progress, 0);
}

/* Is the slot as the run left it when it marked it?  Slot locked. */
bool zram_pp_slot_unchanged(struct zram *zram, u32 index,
			    unsigned long handle)
{
	return test_slot_flag(zram, index, ZRAM_PP_SLOT) &&
	       get_slot_handle(zram, index) == handle;
}

/* Does the slot have every flag of @mask?  Slot locked. */
bool zram_pp_slot_has_flags(struct zram *zram, u32 index,
			    unsigned long mask)
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
 * Recompression takes the first PP_NR_RECOMP_TYPES.
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

static_assert(ARRAY_SIZE(pp_type_names) == PP_NR_TYPES);
static_assert(ARRAY_SIZE(pp_type_flags) == PP_NR_TYPES);

int zram_pp_parse_type(const char *val, size_t nr_types,
		       unsigned long *flags)
{
	int type = __sysfs_match_string(pp_type_names, nr_types, val);

	if (type < 0)
		return -EINVAL;
	*flags = pp_type_flags[type];
	return 0;
}

/*
 * Device state: made with the device, back to its first state at each
 * reset, freed with the device.
 */
struct zram_pp *zram_pp_alloc(void)
{
	struct zram_pp *pp = kzalloc(sizeof(*pp), GFP_KERNEL);

	if (!pp)
		return NULL;
	spin_lock_init(&pp->wb_limit_lock);
	pp->wb_batch_size = ZRAM_WB_BATCH_DEFAULT;
	return pp;
}

void zram_pp_free(struct zram_pp *pp)
{
	kfree(pp);
}

/*
 * Back to a new device's state.  init_lock is held for writing (no run is
 * active) and every slot is free.
 */
void zram_pp_release_device(struct zram *zram)
{
	struct zram_pp *pp = zram_pp_of(zram);

	zram_bd_release(pp);
	atomic64_set(&pp->bd_count, 0);
	atomic64_set(&pp->bd_reads, 0);
	atomic64_set(&pp->bd_writes, 0);
	atomic64_set(&pp->bd_failed_reads, 0);
	atomic64_set(&pp->bd_failed_writes, 0);
	pp->compressed_wb = false;
	WRITE_ONCE(pp->wb_batch_size, ZRAM_WB_BATCH_DEFAULT);
	spin_lock(&pp->wb_limit_lock);
	pp->wb_limit = 0;
	pp->wb_limit_enable = false;
	spin_unlock(&pp->wb_limit_lock);
}

/* Configuration first, then the triggers, then the statistics */
static struct attribute *zram_pp_attrs[] = {
	&zram_attr_recomp_algorithm.attr,
	&zram_attr_backing_dev.attr,
	&zram_attr_compressed_writeback.attr,
	&zram_attr_writeback_batch_size.attr,
	&zram_attr_writeback_limit_enable.attr,
	&zram_attr_writeback_limit.attr,
	&zram_attr_recompress.attr,
	&zram_attr_writeback.attr,
	&zram_attr_bd_stat.attr,
	&zram_attr_bd_errors.attr,
	NULL,
};

const struct attribute_group zram_pp_attr_group = {
	.attrs = zram_pp_attrs,
};

#ifdef ZRAM_KUNIT
#include "tests/kunit/zram_pp_kunit.c"
#endif
