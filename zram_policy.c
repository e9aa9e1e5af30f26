// SPDX-License-Identifier: GPL-2.0
/*
 * zram's post-processing policy (pp_policy): scans that recompress and
 * write back slots by the time since they were last accessed, every few
 * seconds, from a workqueue, with no timer in user space and no idle
 * marking; and writeback of the least recently accessed slots when the
 * system is short of memory, which reclaim asks for through the device's
 * shrinker.  A scan, or a writeback for reclaim, is a run under the rules
 * of zram_pp.c, as a write to recompress or writeback is: it waits for
 * nothing but its own I/O, it steps aside when another run owns the
 * device (a scan tries again at the next interval, reclaim when it asks
 * again), and it ends with a compaction of the pool.
 *
 * When scans run
 * ==============
 *
 * 1. The policy may be written before or after initialisation; reset sets
 *    it off.  A write replaces the whole policy.
 * 2. A scan is queued only while the device is initialised and the policy
 *    is on: at initialisation (zram_pp_start()), at a write of pp_policy
 *    (the first scan one interval later), and by each scan for the next.
 * 3. A scan holds init_lock for reading.  Reset first asks a running scan
 *    to end early (pp.stop) and waits for it (zram_pp_stop()), then sets
 *    the policy off under init_lock held for writing.  A scan queued in
 *    between finds the device uninitialised and queues no other.
 * 4. The shrinker lives while the device is initialised: made at
 *    initialisation, freed at reset under init_lock held for writing.  Its
 *    callbacks only try init_lock, never wait for it: reclaim never waits
 *    for zram's configuration, and freeing the shrinker, which waits for
 *    running callbacks, can hold the lock.  The callbacks only count and
 *    queue: the writeback runs from a worker of a WQ_MEM_RECLAIM
 *    workqueue, so that it makes progress when memory is short.
 *
 * The device's post-processing state lives and dies here too: it is made
 * with the device, emptied at reset and freed with it.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/suspend.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zram_pp.h"
#include "zram_pp_priv.h"

#define PP_INTERVAL_DEFAULT	60U
#define PP_INTERVAL_MAX		86400U	/* a day */
#define PP_POLICY_MAX_LEN	256

/* Scans and writeback for reclaim run here (see 4 above) */
static struct workqueue_struct *zram_policy_wq;

/*
 * From the preparation of a suspend or hibernation to its end, the
 * policy's runs pause (zram_pp_pause()).  The workqueue is freezable: the
 * freezer waits for running work, so a long run ends early and its next
 * turn waits for the thaw.
 */
static int zram_policy_pm_notify(struct notifier_block *nb,
				 unsigned long event, void *unused)
{
	switch (event) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		zram_pp_pause(true);
		break;
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		zram_pp_pause(false);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block zram_policy_pm_nb = {
	.notifier_call = zram_policy_pm_notify,
};

enum policy_key {
	PK_RECOMPRESS_AFTER,
	PK_RECOMPRESS_PRIORITY,
	PK_WRITEBACK_AFTER,
	PK_INTERVAL,
	PK_MAX_PAGES,
	PK_WB_ON_PRESSURE,
	PK_NR,
};

static const char *const policy_keys[] = {
	[PK_RECOMPRESS_AFTER] = "recompress_after",
	[PK_RECOMPRESS_PRIORITY] = "recompress_priority",
	[PK_WRITEBACK_AFTER] = "writeback_after",
	[PK_INTERVAL] = "interval",
	[PK_MAX_PAGES] = "max_pages",
	[PK_WB_ON_PRESSURE] = "writeback_on_pressure",
};

static_assert(ARRAY_SIZE(policy_keys) == PK_NR);

static bool policy_on(const struct zram_policy *policy)
{
	return policy->recompress_after || policy->writeback_after ||
	       policy->wb_on_pressure;
}

/* Are there scans to run, apart from writeback for reclaim? */
static bool policy_scans(const struct zram_policy *policy)
{
	return policy->recompress_after || policy->writeback_after;
}

/* A policy being parsed, and the keys it had */
struct policy_input {
	struct zram_policy policy;
	unsigned long seen;
};

/* Whole seconds, 1..@max */
static int policy_seconds(const char *val, u32 max, u32 *secs)
{
	u32 num;

	if (kstrtou32(val, 10, &num) || !num || num > max)
		return -EINVAL;
	*secs = num;
	return 0;
}

static int policy_take(void *ctx, unsigned int key, char *val)
{
	struct policy_input *in = ctx;
	struct zram_policy *p = &in->policy;
	unsigned int prio, on;

	/* each key once: a second one would silently win */
	if (__test_and_set_bit(key, &in->seen))
		return -EINVAL;
	switch (key) {
	case PK_RECOMPRESS_AFTER:
		return policy_seconds(val, U32_MAX, &p->recompress_after);
	case PK_RECOMPRESS_PRIORITY:
		if (kstrtouint(val, 10, &prio) || prio < ZRAM_SECONDARY_COMP ||
		    prio >= ZRAM_MAX_COMPS)
			return -EINVAL;
		p->recompress_prio = prio;
		return 0;
	case PK_WRITEBACK_AFTER:
		return policy_seconds(val, U32_MAX, &p->writeback_after);
	case PK_INTERVAL:
		return policy_seconds(val, PP_INTERVAL_MAX, &p->interval);
	case PK_MAX_PAGES:
		if (kstrtoul(val, 10, &p->max_pages) || !p->max_pages)
			return -EINVAL;
		return 0;
	case PK_WB_ON_PRESSURE:
		if (kstrtouint(val, 10, &on) || on > 1)
			return -EINVAL;
		p->wb_on_pressure = on;
		return 0;
	}
	return -EINVAL;
}

/*
 * "off", or key=value pairs with at least one thing to do.  The options
 * of a part that is not asked for (a priority without recompress_after)
 * are refused rather than kept for nothing.
 */
static int policy_parse(const char *buf, size_t len, struct zram_policy *policy)
{
	char *args __free(kfree) = NULL;
	struct policy_input in = { .policy.interval = PP_INTERVAL_DEFAULT };
	int ret;

	if (len > PP_POLICY_MAX_LEN)
		return -EINVAL;
	if (sysfs_streq(buf, "off")) {
		*policy = (struct zram_policy){};
		return 0;
	}
	args = kstrndup(buf, len, GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	ret = zram_parse_args(args, policy_keys, ARRAY_SIZE(policy_keys),
			      policy_take, &in);
	if (ret < 0)
		return ret;
	if (!policy_on(&in.policy))
		return -EINVAL;
	if (in.policy.recompress_prio && !in.policy.recompress_after)
		return -EINVAL;
	*policy = in.policy;
	return 0;
}

static struct zram_policy policy_get(struct zram_pp *pp)
{
	struct zram_policy policy;

	spin_lock(&pp->policy_lock);
	policy = pp->policy;
	spin_unlock(&pp->policy_lock);
	return policy;
}

/* Writeback for reclaim is on, and can be done?  Config lock held. */
static bool pressure_on(struct zram *zram)
{
	struct zram_pp *pp = zram_pp_of(zram);
	bool on;

	spin_lock(&pp->policy_lock);
	on = pp->policy.wb_on_pressure;
	spin_unlock(&pp->policy_lock);
	return on && init_done(zram) && pp->bdev_file &&
	       zram_writeback_possible(pp);
}

/* Slots in memory that writeback could move (same-filled ones cannot) */
static unsigned long pressure_slots(struct zram *zram)
{
	s64 n = zram_stored_objects(zram) -
		atomic64_read(&zram_pp_of(zram)->bd_count);

	return n > 0 ? n : 0;
}

/*
 * The shrinker counts slots and is asked for slots.  It only tries the
 * config lock (see 4 above), and gives up at once when someone holds it
 * for writing: the device is being set up or reset.
 */
static unsigned long pressure_count(struct shrinker *shrinker,
				    struct shrink_control *sc)
{
	struct zram_pp *pp = compat_shrinker_private(shrinker);
	struct zram *zram = pp->zram;
	unsigned long n = 0;

	if (!down_read_trylock(zram_config_lock(zram)))
		return 0;
	if (pressure_on(zram))
		n = pressure_slots(zram);
	up_read(zram_config_lock(zram));
	return n;
}

/*
 * Queue the writeback and stop this round of reclaim here: nothing is
 * freed before the worker has written, and a second batch would only
 * ask for more of the same slots.
 */
static unsigned long pressure_scan(struct shrinker *shrinker,
				   struct shrink_control *sc)
{
	struct zram_pp *pp = compat_shrinker_private(shrinker);

	atomic_long_add(sc->nr_to_scan, &pp->pressure_slots);
	queue_work(zram_policy_wq, &pp->pressure_work);
	return SHRINK_STOP;
}

/* A part of a scan failed: count it and say so */
static void policy_error(struct zram *zram, const char *part, int err)
{
	atomic64_inc(&zram_pp_of(zram)->stat.errors);
	pr_warn_ratelimited("%s: pp_policy: %s failed: %d\n",
			    zram_name(zram), part, err);
}

/*
 * The pass's age for "not accessed for @secs seconds": access times are
 * whole seconds, so a slot @secs + 1 of them old has been left alone for
 * more than @secs seconds, and one @secs old perhaps for @secs - 1 only
 */
static u32 policy_age(u32 secs)
{
	return secs < U32_MAX ? secs + 1 : U32_MAX;
}

/* One scan: recompression, then writeback, within one max_pages */
static void policy_run(struct zram *zram, const struct zram_policy *policy)
{
	struct zram_pp_stat *stat = &zram_pp_of(zram)->stat;
	struct pp_pass pass = {
		.now = zram_now(),
		.left = policy->max_pages ?: ULONG_MAX,
	};
	int ret = 0;

	atomic64_inc(&stat->scans);
	if (policy->recompress_after) {
		pass.age = policy_age(policy->recompress_after);
		ret = zram_recompress_aged(zram, &pass,
					   policy->recompress_prio);
		atomic64_add(pass.done, &stat->recompressed);
		atomic64_add(pass.saved, &stat->recompress_saved);
		if (ret && ret != -EINTR)
			policy_error(zram, "recompression", ret);
	}
	if (policy->writeback_after && pass.left && ret != -EINTR) {
		pass.age = policy_age(policy->writeback_after);
		pass.done = 0;
		ret = zram_writeback_aged(zram, &pass);
		atomic64_add(pass.done, &stat->wb_age);
		if (ret && ret != -EINTR)
			policy_error(zram, "writeback", ret);
	}
	atomic64_add(zram_pp_end(zram), &stat->compacted);
}

/* Write back the least recently accessed slots reclaim asked for */
static void pressure_writeback(struct work_struct *work)
{
	struct zram_pp *pp = container_of(work, struct zram_pp, pressure_work);
	struct zram *zram = pp->zram;
	struct pp_pass pass = {};
	unsigned int noio;
	int ret;

	guard(rwsem_read)(zram_config_lock(zram));
	pass.now = zram_now();
	pass.left = atomic_long_xchg(&pp->pressure_slots, 0);
	pass.left = min(pass.left, pressure_slots(zram));
	if (!pass.left || !pressure_on(zram))
		return;
	/* another run owns the device: reclaim asks again if it must */
	if (!zram_pp_begin(zram))
		return;
	/* memory is short: no allocation of this run may start I/O */
	noio = memalloc_noio_save();
	pass.age = zram_writeback_oldest(zram, pass.now, pass.left);
	ret = zram_writeback_aged(zram, &pass);
	memalloc_noio_restore(noio);
	atomic64_add(pass.done, &pp->stat.wb_pressure);
	if (ret && ret != -EINTR)
		policy_error(zram, "writeback for reclaim", ret);
	atomic64_add(zram_pp_end(zram), &pp->stat.compacted);
}

static void policy_queue(struct zram_pp *pp, u32 interval)
{
	queue_delayed_work(zram_policy_wq, &pp->scan_work,
			   (unsigned long)interval * HZ);
}

static void policy_scan(struct work_struct *work)
{
	struct zram_pp *pp = container_of(to_delayed_work(work),
					  struct zram_pp, scan_work);
	struct zram *zram = pp->zram;
	struct zram_policy policy;

	guard(rwsem_read)(zram_config_lock(zram));
	if (!init_done(zram))
		return;
	policy = policy_get(pp);
	if (!policy_scans(&policy))
		return;
	/* another run owns the device: the next interval */
	if (zram_pp_begin(zram))
		policy_run(zram, &policy);
	/* the policy as it is now, under its lock, as a write would */
	spin_lock(&pp->policy_lock);
	if (policy_scans(&pp->policy) && !READ_ONCE(pp->stop))
		policy_queue(pp, pp->policy.interval);
	spin_unlock(&pp->policy_lock);
}

/*
 * The device's post-processing state: made with the device, back to its
 * first state at each reset, freed with the device.
 */
struct zram_pp *zram_pp_alloc(struct zram *zram)
{
	struct zram_pp *pp = kzalloc(sizeof(*pp), GFP_KERNEL);

	if (!pp)
		return NULL;
	pp->zram = zram;
	spin_lock_init(&pp->wb_limit_lock);
	pp->wb_batch_size = ZRAM_WB_BATCH_DEFAULT;
	spin_lock_init(&pp->policy_lock);
	INIT_DELAYED_WORK(&pp->scan_work, policy_scan);
	INIT_WORK(&pp->pressure_work, pressure_writeback);
	return pp;
}

/*
 * The device was reset (its shrinker is gone), its disk is gone: nothing
 * can queue work again
 */
void zram_pp_free(struct zram_pp *pp)
{
	cancel_delayed_work_sync(&pp->scan_work);
	cancel_work_sync(&pp->pressure_work);
	kfree(pp);
}

/*
 * Back to a new device's state.  init_lock is held for writing (no run is
 * active, no scan queued: zram_pp_stop()) and every slot is free.
 */
void zram_pp_release_device(struct zram *zram)
{
	struct zram_pp *pp = zram_pp_of(zram);
	struct zram_pp_stat *stat = &pp->stat;

	/* waits for its callbacks, which never wait for the lock held here */
	shrinker_free(pp->shrinker);
	pp->shrinker = NULL;
	atomic_long_set(&pp->pressure_slots, 0);
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

	spin_lock(&pp->policy_lock);
	pp->policy = (struct zram_policy){};
	spin_unlock(&pp->policy_lock);
	/* queued by a write since zram_pp_stop(): it would find nothing */
	cancel_delayed_work(&pp->scan_work);
	cancel_work(&pp->pressure_work);
	WRITE_ONCE(pp->stop, false);
	atomic64_set(&stat->scans, 0);
	atomic64_set(&stat->recompressed, 0);
	atomic64_set(&stat->recompress_saved, 0);
	atomic64_set(&stat->wb_age, 0);
	atomic64_set(&stat->wb_pressure, 0);
	atomic64_set(&stat->compacted, 0);
	atomic64_set(&stat->errors, 0);
}

/* The device's shrinker, for writeback under pressure; config lock held */
static void pressure_shrinker_add(struct zram_pp *pp)
{
	struct shrinker *shrinker;

	if (pp->shrinker)
		return;
	shrinker = shrinker_alloc(0, "zram-pp-%s", zram_name(pp->zram));
	if (!shrinker) {
		pr_warn("%s: no shrinker: pp_policy's writeback_on_pressure cannot work\n",
			zram_name(pp->zram));
		return;
	}
	shrinker->count_objects = pressure_count;
	shrinker->scan_objects = pressure_scan;
	shrinker->seeks = DEFAULT_SEEKS;
	compat_shrinker_set_private(shrinker, pp);
	pp->shrinker = shrinker;
	shrinker_register(shrinker);
}

void zram_pp_start(struct zram *zram)
{
	struct zram_pp *pp = zram_pp_of(zram);
	struct zram_policy policy = policy_get(pp);

	pressure_shrinker_add(pp);
	if (policy_scans(&policy))
		mod_delayed_work(zram_policy_wq, &pp->scan_work,
				 (unsigned long)policy.interval * HZ);
}

void zram_pp_stop(struct zram *zram)
{
	struct zram_pp *pp = zram_pp_of(zram);

	WRITE_ONCE(pp->stop, true);
	cancel_delayed_work_sync(&pp->scan_work);
	cancel_work_sync(&pp->pressure_work);
}

int zram_pp_init(void)
{
	int ret;

	zram_policy_wq = alloc_workqueue("zram_pp", WQ_UNBOUND |
					 WQ_MEM_RECLAIM | WQ_FREEZABLE, 0);
	if (!zram_policy_wq)
		return -ENOMEM;
	ret = zram_bd_init();
	if (ret) {
		destroy_workqueue(zram_policy_wq);
		return ret;
	}
	register_pm_notifier(&zram_policy_pm_nb);
	return 0;
}

void zram_pp_exit(void)
{
	unregister_pm_notifier(&zram_policy_pm_nb);
	zram_bd_exit();
	destroy_workqueue(zram_policy_wq);
}

/* pp_policy: "off", or the policy in effect in the syntax it is written in */
static ssize_t pp_policy_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct zram_policy p = policy_get(zram_pp_of(dev_to_zram(dev)));
	ssize_t n = 0;

	if (!policy_on(&p))
		return sysfs_emit(buf, "off\n");
	if (p.recompress_after)
		n += sysfs_emit_at(buf, n, "recompress_after=%u ",
				   p.recompress_after);
	if (p.recompress_prio)
		n += sysfs_emit_at(buf, n, "recompress_priority=%u ",
				   p.recompress_prio);
	if (p.writeback_after)
		n += sysfs_emit_at(buf, n, "writeback_after=%u ",
				   p.writeback_after);
	n += sysfs_emit_at(buf, n, "interval=%u", p.interval);
	if (p.max_pages)
		n += sysfs_emit_at(buf, n, " max_pages=%lu", p.max_pages);
	if (p.wb_on_pressure)
		n += sysfs_emit_at(buf, n, " writeback_on_pressure=1");
	return n + sysfs_emit_at(buf, n, "\n");
}

static ssize_t pp_policy_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t len)
{
	struct zram *zram = dev_to_zram(dev);
	struct zram_pp *pp = zram_pp_of(zram);
	struct zram_policy policy;
	int ret;

	ret = policy_parse(buf, len, &policy);
	if (ret)
		return ret;

	guard(rwsem_read)(zram_config_lock(zram));
	/* the work follows the policy set last, whatever writes run at once */
	spin_lock(&pp->policy_lock);
	pp->policy = policy;
	if (init_done(zram) && policy_scans(&policy))
		mod_delayed_work(zram_policy_wq, &pp->scan_work,
				 (unsigned long)policy.interval * HZ);
	else if (init_done(zram))
		cancel_delayed_work(&pp->scan_work);
	spin_unlock(&pp->policy_lock);
	return len;
}

/*
 * pp_stat: scans, slots recompressed, bytes that saved, slots written back
 * for their age, slots written back under memory pressure, pool pages
 * compaction gave back, failed parts of scans
 */
static ssize_t pp_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct zram_pp_stat *stat = &zram_pp_of(dev_to_zram(dev))->stat;

	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu %8llu %8llu %8llu\n",
			  (u64)atomic64_read(&stat->scans),
			  (u64)atomic64_read(&stat->recompressed),
			  (u64)atomic64_read(&stat->recompress_saved),
			  (u64)atomic64_read(&stat->wb_age),
			  (u64)atomic64_read(&stat->wb_pressure),
			  (u64)atomic64_read(&stat->compacted),
			  (u64)atomic64_read(&stat->errors));
}

struct device_attribute zram_attr_pp_policy = __ATTR_RW(pp_policy);
struct device_attribute zram_attr_pp_stat = __ATTR_RO(pp_stat);
