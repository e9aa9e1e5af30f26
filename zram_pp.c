// SPDX-License-Identifier: GPL-2.0
/*
 * zram post-processing: work on stored slots, apart from the I/O path.
 * Recompression (zram_recompress.c) stores a slot again with one of the
 * secondary algorithms when that makes it smaller; writeback
 * (zram_writeback.c) moves slots to the backing device (zram_backing.c)
 * and frees their memory.  Both run on a write to their sysfs attribute,
 * or from the scans of the device's policy (zram_policy.c, which also
 * keeps the device's post-processing state over its life).  This file
 * holds what every run shares: the rules below, the selection of slots,
 * and the group of the sysfs attributes.
 *
 * Runs and slots
 * ==============
 *
 * 1. A run is one write to recompress or writeback, or one run of the
 *    policy (zram_policy.c).  It holds init_lock for reading, so reset
 *    waits until it has ended (and asks a policy's run to end early,
 *    pp.stop), and it owns the device's post-processing through
 *    pp.in_progress: a second run, of any kind, is refused with -EAGAIN
 *    (the policy tries again later).
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
#include <linux/sched/signal.h>
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
 * Return: the pages it gave back.
 */
unsigned long zram_pp_end(struct zram *zram)
{
	unsigned long pages = zram_pool_compact(zram);

	atomic_set_release(&zram_pp_of(zram)->in_progress, 0);
	return pages;
}

/* Set while the system prepares to sleep: the policy's runs end early */
static bool zram_pp_paused;

void zram_pp_pause(bool pause)
{
	WRITE_ONCE(zram_pp_paused, pause);
}

/*
 * Should the run end here?  -EINTR: its writer was killed, or it is a
 * policy's run (@policy) and reset waits for it or the system is going
 * to sleep.  A write to recompress or writeback runs to its end before
 * reset goes on, as upstream's do.
 */
int zram_pp_interrupted(struct zram *zram, bool policy)
{
	if (fatal_signal_pending(current) ||
	    (policy && (READ_ONCE(zram_pp_of(zram)->stop) ||
			READ_ONCE(zram_pp_paused))))
		return -EINTR;
	return 0;
}

/* Seconds from the slot's last access to @now; 0 if it came after.  Locked. */
u32 zram_pp_slot_age(struct zram *zram, u32 index, u32 now)
{
	u32 actime = get_slot_actime(zram, index);

	return actime < now ? now - actime : 0;
}

/* Was the slot last accessed at least @age seconds before @now?  Locked. */
bool zram_pp_slot_old_enough(struct zram *zram, u32 index, u32 now, u32 age)
{
	return !age || zram_pp_slot_age(zram, index, now) >= age;
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

/* Configuration first, then the triggers, then the statistics */
static struct attribute *zram_pp_attrs[] = {
	&zram_attr_recomp_algorithm.attr,
	&zram_attr_backing_dev.attr,
	&zram_attr_compressed_writeback.attr,
	&zram_attr_writeback_batch_size.attr,
	&zram_attr_writeback_limit_enable.attr,
	&zram_attr_writeback_limit.attr,
	&zram_attr_pp_policy.attr,
	&zram_attr_recompress.attr,
	&zram_attr_writeback.attr,
	&zram_attr_bd_stat.attr,
	&zram_attr_bd_errors.attr,
	&zram_attr_pp_stat.attr,
	NULL,
};

const struct attribute_group zram_pp_attr_group = {
	.attrs = zram_pp_attrs,
};

#ifdef ZRAM_KUNIT
#include "tests/kunit/zram_pp_kunit.c"
#endif
