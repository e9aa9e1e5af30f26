// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zram_drv.c's pure units: the key=value parser, the
 * algorithm_params value checks, same-filled detection, the packing of the
 * slot flags word, and the slot lock; and of its write path and the
 * deferred frees, on a device with a pool and streams but no disk.
 * Included at the bottom of zram_drv.c when built with ZRAM_KUNIT, so its
 * static functions are in reach; zram_slot.c's hooks are in zram_slot.h.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/workqueue.h>

/* A device with only a slot table: enough for the lock and slot helpers */
#define KUNIT_SLOTS	8

static int zram_kunit_init(struct kunit *test)
{
	struct zram *zram;

	zram = kunit_kzalloc(test, sizeof(*zram), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, zram);
	register_slot_lock_key(zram);
	if (zram_table_alloc(zram, KUNIT_SLOTS)) {
		unregister_slot_lock_key(zram);
		return -ENOMEM;
	}
	zram->nr_slots = KUNIT_SLOTS;
	test->priv = zram;
	return 0;
}

static void zram_kunit_exit(struct kunit *test)
{
	struct zram *zram = test->priv;

	vfree(zram->table);
	unregister_slot_lock_key(zram);
}

/* The parser: what @take saw */
struct parse_log {
	int nr;
	unsigned int keys[4];
	char vals[4][32];
	int fail_with;
};

static const char *const test_keys[] = { "alpha", "beta", "gamma.delta" };

static int log_take(void *ctx, unsigned int key, char *val)
{
	struct parse_log *log = ctx;

	if (log->fail_with)
		return log->fail_with;
	if (log->nr < ARRAY_SIZE(log->keys)) {
		log->keys[log->nr] = key;
		strscpy(log->vals[log->nr], val, sizeof(log->vals[0]));
	}
	log->nr++;
	return 0;
}

static int parse(const char *input, struct parse_log *log)
{
	char buf[128];

	strscpy(buf, input, sizeof(buf));
	memset(log, 0, sizeof(*log));
	return zram_parse_args(buf, test_keys, ARRAY_SIZE(test_keys),
			       log_take, log);
}

static void parse_good_input(struct kunit *test)
{
	struct parse_log log;

	KUNIT_EXPECT_EQ(test, parse("beta=7 alpha=x gamma.delta=-9\n", &log),
			3);
	KUNIT_EXPECT_EQ(test, log.nr, 3);
	KUNIT_EXPECT_EQ(test, log.keys[0], 1U);
	KUNIT_EXPECT_STREQ(test, log.vals[0], "7");
	KUNIT_EXPECT_EQ(test, log.keys[1], 0U);
	KUNIT_EXPECT_STREQ(test, log.vals[1], "x");
	KUNIT_EXPECT_EQ(test, log.keys[2], 2U);
	KUNIT_EXPECT_STREQ(test, log.vals[2], "-9");

	/* leading and repeated blanks, a quoted value with a space */
	KUNIT_EXPECT_EQ(test, parse("  alpha=\"a b\"   beta=2", &log), 2);
	KUNIT_EXPECT_STREQ(test, log.vals[0], "a b");
	KUNIT_EXPECT_STREQ(test, log.vals[1], "2");
}

static void parse_unknown_key(struct kunit *test)
{
	struct parse_log log;

	KUNIT_EXPECT_EQ(test, parse("omega=1", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("alpha=1 omega=1", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("Alpha=1", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("alph=1", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("gamma=1", &log), -EINVAL);
}

static void parse_key_without_value(struct kunit *test)
{
	struct parse_log log;

	KUNIT_EXPECT_EQ(test, parse("alpha", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("alpha=", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("alpha=\"\"", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("beta=1 alpha\n", &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("=1", &log), -EINVAL);
}

static void parse_empty_input(struct kunit *test)
{
	struct parse_log log;

	KUNIT_EXPECT_EQ(test, parse("", &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 0);
	KUNIT_EXPECT_EQ(test, parse(" \t\n", &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr, 0);
}

static void parse_take_error(struct kunit *test)
{
	char buf[] = "alpha=1 beta=2";
	struct parse_log log = { .fail_with = -ERANGE };

	KUNIT_EXPECT_EQ(test, zram_parse_args(buf, test_keys,
					      ARRAY_SIZE(test_keys),
					      log_take, &log), -ERANGE);
	KUNIT_EXPECT_EQ(test, log.nr, 0);
}

static int take_param(struct algo_params_req *req, unsigned int key,
		      const char *val)
{
	char buf[32];

	strscpy(buf, val, sizeof(buf));
	return algo_params_take(req, key, buf);
}

static void algorithm_params_values(struct kunit *test)
{
	struct algo_params_req req = { .prio = -1 };

	KUNIT_EXPECT_EQ(test, take_param(&req, AP_PRIORITY, "3"), 0);
	KUNIT_EXPECT_EQ(test, req.prio, 3);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_PRIORITY, "4"), -EINVAL);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_PRIORITY, "-1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_PRIORITY, "x"), -EINVAL);
	KUNIT_EXPECT_EQ(test, req.prio, 3);

	KUNIT_EXPECT_EQ(test, take_param(&req, AP_LEVEL, "-5"), 0);
	KUNIT_EXPECT_EQ(test, req.level, -5);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_LEVEL, "abc"), -EINVAL);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_LEVEL, "99999999999"),
			-ERANGE);

	KUNIT_EXPECT_EQ(test, take_param(&req, AP_DEFLATE_WINBITS, "15"), 0);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_DEFLATE_WINBITS, "-9"), 0);
	KUNIT_EXPECT_EQ(test, req.winbits, -9);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_DEFLATE_WINBITS, "8"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_DEFLATE_WINBITS, "-16"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, take_param(&req, AP_DEFLATE_WINBITS, "0"),
			-EINVAL);
}

static void same_filled_pages(struct kunit *test)
{
	unsigned long *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	const size_t words = PAGE_SIZE / sizeof(*page);
	unsigned long fill = 1;
	size_t i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, page);

	KUNIT_EXPECT_TRUE(test, page_same_filled(page, &fill));
	KUNIT_EXPECT_EQ(test, fill, 0UL);

	memset_l(page, 0x5a5aa5a5UL, words);
	KUNIT_EXPECT_TRUE(test, page_same_filled(page, &fill));
	KUNIT_EXPECT_EQ(test, fill, 0x5a5aa5a5UL);

	page[words - 1] ^= 1;
	fill = 7;
	KUNIT_EXPECT_FALSE(test, page_same_filled(page, &fill));
	KUNIT_EXPECT_EQ(test, fill, 7UL);

	page[words - 1] ^= 1;
	page[words / 2] = 0;
	KUNIT_EXPECT_FALSE(test, page_same_filled(page, &fill));

	page[words / 2] = 0x5a5aa5a5UL;
	page[0] = 0;
	KUNIT_EXPECT_FALSE(test, page_same_filled(page, &fill));

	/* one word differing, wherever it is, is found */
	memset_l(page, 0x5a5aa5a5UL, words);
	for (i = 0; i < words; i++) {
		page[i] ^= 0x100;
		if (page_same_filled(page, &fill))
			KUNIT_FAIL(test, "word %zu differs, page taken as same-filled",
				   i);
		page[i] ^= 0x100;
	}
	KUNIT_EXPECT_TRUE(test, page_same_filled(page, &fill));

	/* equal bytes but not equal words is still one repeated word */
	memset(page, 0xff, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, page_same_filled(page, &fill));
	KUNIT_EXPECT_EQ(test, fill, ~0UL);
}

static void slot_flags_packing(struct kunit *test)
{
	struct zram *zram = test->priv;
	unsigned int prio;

	KUNIT_EXPECT_LE(test, (int)__NR_ZRAM_SLOT_FLAGS, BITS_PER_LONG);
	KUNIT_EXPECT_GE(test, ZRAM_SIZE_MASK, PAGE_SIZE);

	zram_slot_lock(zram, 1);
	set_slot_size(zram, 1, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, get_slot_size(zram, 1), (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, test_bit(ZRAM_LOCK, &zram->table[1].flags));

	set_slot_flag(zram, 1, ZRAM_HUGE);
	set_slot_flag(zram, 1, ZRAM_INCOMPRESSIBLE);
	for (prio = 0; prio < ZRAM_MAX_COMPS; prio++) {
		set_slot_prio(zram, 1, prio);
		KUNIT_EXPECT_EQ(test, get_slot_prio(zram, 1), prio);
		KUNIT_EXPECT_EQ(test, get_slot_size(zram, 1),
				(unsigned int)PAGE_SIZE);
		KUNIT_EXPECT_TRUE(test, test_slot_flag(zram, 1, ZRAM_HUGE));
		KUNIT_EXPECT_TRUE(test, test_slot_flag(zram, 1,
						       ZRAM_INCOMPRESSIBLE));
	}

	set_slot_size(zram, 1, 123);
	KUNIT_EXPECT_EQ(test, get_slot_size(zram, 1), 123U);
	KUNIT_EXPECT_EQ(test, get_slot_prio(zram, 1), ZRAM_MAX_COMPS - 1);
	KUNIT_EXPECT_TRUE(test, test_slot_flag(zram, 1, ZRAM_HUGE));
	KUNIT_EXPECT_FALSE(test, test_slot_flag(zram, 1, ZRAM_SAME));
	KUNIT_EXPECT_FALSE(test, test_slot_flag(zram, 1, ZRAM_IDLE));

	set_slot_size(zram, 1, 0);
	set_slot_prio(zram, 1, 0);
	clear_slot_flag(zram, 1, ZRAM_HUGE);
	clear_slot_flag(zram, 1, ZRAM_INCOMPRESSIBLE);
	/* all that is left is the lock bit */
	KUNIT_EXPECT_EQ(test, zram->table[1].flags, BIT(ZRAM_LOCK));
	zram_slot_unlock(zram, 1);
	KUNIT_EXPECT_EQ(test, zram->table[1].flags, 0UL);

	/* neighbours untouched */
	KUNIT_EXPECT_EQ(test, zram->table[0].flags, 0UL);
	KUNIT_EXPECT_EQ(test, zram->table[2].flags, 0UL);
}

static void slot_lock_trylock(struct kunit *test)
{
	struct zram *zram = test->priv;

	zram_slot_lock(zram, 2);
	KUNIT_EXPECT_FALSE(test, zram_slot_trylock(zram, 2));
	/* other slots are independent */
	KUNIT_EXPECT_TRUE(test, test_bit(ZRAM_LOCK, &zram->table[2].flags));
	KUNIT_EXPECT_FALSE(test, test_bit(ZRAM_LOCK, &zram->table[3].flags));
	zram_slot_unlock(zram, 2);
	KUNIT_EXPECT_FALSE(test, test_bit(ZRAM_LOCK, &zram->table[2].flags));

	KUNIT_ASSERT_TRUE(test, zram_slot_trylock(zram, 3));
	KUNIT_EXPECT_TRUE(test, test_bit(ZRAM_LOCK, &zram->table[3].flags));
	zram_slot_unlock(zram, 3);
	KUNIT_EXPECT_FALSE(test, test_bit(ZRAM_LOCK, &zram->table[3].flags));
}

static void slot_lock_holder_sleeps(struct kunit *test)
{
	struct zram *zram = test->priv;

	/* rule 3: the holder may sleep (and allocate with reclaim) */
	zram_slot_lock(zram, 4);
	msleep(20);
	kfree(kmalloc(64, GFP_NOIO));
	cond_resched();
	zram_slot_unlock(zram, 4);
	KUNIT_EXPECT_EQ(test, zram->table[4].flags, 0UL);
}

struct slot_waiter {
	struct work_struct work;
	struct zram *zram;
	u32 index;
	atomic_t got_it;
};

static void slot_waiter_fn(struct work_struct *work)
{
	struct slot_waiter *w = container_of(work, struct slot_waiter, work);

	zram_slot_lock(w->zram, w->index);
	atomic_set(&w->got_it, 1);
	zram_slot_unlock(w->zram, w->index);
}

static void slot_lock_waiter_sleeps(struct kunit *test)
{
	struct slot_waiter w = {
		.zram = test->priv,
		.index = 5,
		.got_it = ATOMIC_INIT(0),
	};

	unsigned long deadline;

	INIT_WORK_ONSTACK(&w.work, slot_waiter_fn);
	zram_slot_lock(w.zram, w.index);
	schedule_work(&w.work);
	/*
	 * The waiter counts itself before it sleeps; however late the worker
	 * runs, that must happen, and it must then stay asleep until the
	 * holder lets go.
	 */
	deadline = jiffies + 30 * HZ;
	while (!atomic_read(&w.zram->slot_waiters) &&
	       time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, atomic_read(&w.zram->slot_waiters), 1);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&w.got_it), 0);
	zram_slot_unlock(w.zram, w.index);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	KUNIT_EXPECT_EQ(test, atomic_read(&w.got_it), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&w.zram->slot_waiters), 0);
	KUNIT_EXPECT_EQ(test, w.zram->table[w.index].flags, 0UL);
}

#define HAMMER_WORKERS	4
#define HAMMER_ROUNDS	2000

struct slot_hammer {
	struct work_struct work;
	struct zram *zram;
	unsigned long *count;
	atomic_t *waited;
};

/* Plain increments under the lock: a lost update shows in the total */
static void slot_hammer_fn(struct work_struct *work)
{
	struct slot_hammer *h = container_of(work, struct slot_hammer, work);
	unsigned long seen;
	int i;

	for (i = 0; i < HAMMER_ROUNDS; i++) {
		zram_slot_lock(h->zram, 3);
		/* not exact: a sleeper still counted, or one just counted */
		if (atomic_read(&h->zram->slot_waiters))
			atomic_inc(h->waited);
		seen = READ_ONCE(*h->count);
		/* let the others find the slot taken, and sleep on it */
		if (i % 16 == 0)
			usleep_range(20, 50);
		WRITE_ONCE(*h->count, seen + 1);
		zram_slot_unlock(h->zram, 3);
	}
}

/*
 * Rule 9: unlock skips the wake-up while nobody is counted as waiting.
 * Tasks contending for one slot must neither lose a wake-up (the flush
 * would hang) nor overlap in the slot (the count would come up short),
 * and they must have slept on it: a run without a counted sleeper did
 * not test the wake-up at all.
 */
static void slot_lock_contended(struct kunit *test)
{
	struct slot_hammer h[HAMMER_WORKERS];
	unsigned long count = 0;
	atomic_t waited = ATOMIC_INIT(0);
	int i;

	for (i = 0; i < HAMMER_WORKERS; i++) {
		h[i].zram = test->priv;
		h[i].count = &count;
		h[i].waited = &waited;
		INIT_WORK_ONSTACK(&h[i].work, slot_hammer_fn);
		queue_work(system_unbound_wq, &h[i].work);
	}
	for (i = 0; i < HAMMER_WORKERS; i++) {
		flush_work(&h[i].work);
		destroy_work_on_stack(&h[i].work);
	}
	kunit_info(test, "locked %d of %d times with sleepers counted\n",
		   atomic_read(&waited), HAMMER_WORKERS * HAMMER_ROUNDS);
	KUNIT_EXPECT_EQ(test, count,
			(unsigned long)HAMMER_WORKERS * HAMMER_ROUNDS);
	KUNIT_EXPECT_GT(test, atomic_read(&waited), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&h[0].zram->slot_waiters), 0);
	KUNIT_EXPECT_EQ(test, h[0].zram->table[3].flags, 0UL);
}

static void slot_try_free(struct kunit *test)
{
	struct zram *zram = test->priv;

	/* a same-filled slot, as zram_install_obj() leaves it */
	zram_slot_lock(zram, 6);
	set_slot_handle(zram, 6, 0xabcdUL);
	set_slot_flag(zram, 6, ZRAM_SAME);
	zram_slot_unlock(zram, 6);
	atomic64_set(&zram->stats.same_pages, 1);
	atomic64_set(&zram->stats.pages_stored, 1);

	/* busy: the free is skipped and counted */
	zram_slot_lock(zram, 6);
	KUNIT_EXPECT_FALSE(test, zram_try_free_slot(zram, 6));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.miss_free), 1LL);
	KUNIT_EXPECT_TRUE(test, test_slot_flag(zram, 6, ZRAM_SAME));
	zram_slot_unlock(zram, 6);

	KUNIT_EXPECT_TRUE(test, zram_try_free_slot(zram, 6));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.miss_free), 1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.same_pages), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 0LL);
	KUNIT_EXPECT_EQ(test, zram->table[6].flags, 0UL);
	KUNIT_EXPECT_EQ(test, zram->table[6].handle, 0UL);

	/* an empty slot frees to nothing */
	KUNIT_EXPECT_TRUE(test, zram_try_free_slot(zram, 7));
	KUNIT_EXPECT_EQ(test, zram->table[7].flags, 0UL);
}

static struct kunit_case zram_kunit_cases[] = {
	KUNIT_CASE(parse_good_input),
	KUNIT_CASE(parse_unknown_key),
	KUNIT_CASE(parse_key_without_value),
	KUNIT_CASE(parse_empty_input),
	KUNIT_CASE(parse_take_error),
	KUNIT_CASE(algorithm_params_values),
	KUNIT_CASE(same_filled_pages),
	KUNIT_CASE(slot_flags_packing),
	KUNIT_CASE(slot_lock_trylock),
	KUNIT_CASE(slot_lock_holder_sleeps),
	KUNIT_CASE(slot_lock_waiter_sleeps),
	KUNIT_CASE(slot_lock_contended),
	KUNIT_CASE(slot_try_free),
	{}
};

static struct kunit_suite zram_kunit_suite = {
	.name = "zram_kunit",
	.init = zram_kunit_init,
	.exit = zram_kunit_exit,
	.test_cases = zram_kunit_cases,
};

/*
 * The write path with a pool and the default algorithm's streams: no
 * reclaim while a stream is held, what a page becomes when memory is
 * short, and reads that do not wait for writers' streams.
 */
#define WRITE_SLOTS	4

static int write_kunit_init(struct kunit *test)
{
	struct zram *zram;
	int ret = -ENOMEM;

	zram = kunit_kzalloc(test, sizeof(*zram), GFP_KERNEL);
	if (!zram)
		return -ENOMEM;
	register_slot_lock_key(zram);
	if (zram_table_alloc(zram, WRITE_SLOTS))
		goto unregister;
	zram->nr_slots = WRITE_SLOTS;
	zram->mem_pool = zsm_create_pool("kunit-write");
	if (IS_ERR(zram->mem_pool)) {
		ret = PTR_ERR(zram->mem_pool);
		goto free_table;
	}
	zram->huge_class_size = zsm_huge_class_size(zram->mem_pool);
	zram_free_ring_init(zram);
	if (zram_free_ring_alloc(zram))
		goto destroy_pool;
	init_params(&zram->params[ZRAM_PRIMARY_COMP]);
	zram->comps[ZRAM_PRIMARY_COMP] =
		zcomp_create(zram_default_alg, &zram->params[ZRAM_PRIMARY_COMP]);
	if (IS_ERR(zram->comps[ZRAM_PRIMARY_COMP])) {
		ret = PTR_ERR(zram->comps[ZRAM_PRIMARY_COMP]);
		goto destroy_pool;
	}
	test->priv = zram;
	return 0;

destroy_pool:
	kvfree(zram->free_ring.handles);
	zsm_destroy_pool(zram->mem_pool);
free_table:
	vfree(zram->table);
unregister:
	unregister_slot_lock_key(zram);
	return ret;
}

static void write_kunit_exit(struct kunit *test)
{
	struct zram *zram = test->priv;
	u32 index;

	kunit_before_reclaim = NULL;
	atomic_set(&kunit_fail_noreclaim, 0);
	atomic_set(&kunit_fail_compress, 0);
	WRITE_ONCE(kunit_hold_frees, false);
	zram_free_ring_release(zram);
	for (index = 0; index < WRITE_SLOTS; index++) {
		zram_slot_lock(zram, index);
		zram_free_slot(zram, index);
		zram_slot_unlock(zram, index);
	}
	zcomp_destroy(zram->comps[ZRAM_PRIMARY_COMP]);
	zsm_destroy_pool(zram->mem_pool);
	vfree(zram->table);
	unregister_slot_lock_key(zram);
}

/* Page @seed: numbered lines, which every backend compresses */
static struct page *write_kunit_page(struct kunit *test, unsigned int seed)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned int at;

	KUNIT_ASSERT_NOT_NULL(test, page);
	for (at = 0; at < PAGE_SIZE; at += 64)
		scnprintf(page_address(page) + at, 64,
			  "page %u, line %u of what zram keeps\n", seed,
			  at / 64);
	return page;
}

static void write_kunit_expect(struct kunit *test, struct zram *zram,
			       u32 index, struct page *want)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, zram_read_page(zram, index, page), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(page), page_address(want),
				     PAGE_SIZE), 0);
	__free_page(page);
}

/* The slot's object size, and whether it is huge */
static unsigned int write_kunit_size(struct zram *zram, u32 index,
				     bool *huge)
{
	unsigned int size;

	zram_slot_lock(zram, index);
	size = get_slot_size(zram, index);
	*huge = test_slot_flag(zram, index, ZRAM_HUGE);
	zram_slot_unlock(zram, index);
	return size;
}

/* A read of slot 0, queued on the CPU the writer runs on */
struct write_kunit_reader {
	struct work_struct work;
	struct completion done;
	struct zram *zram;
	struct page *page;
	int ret;
};

static void write_kunit_read_fn(struct work_struct *work)
{
	struct write_kunit_reader *r =
		container_of(work, struct write_kunit_reader, work);

	r->ret = zram_read_page(r->zram, 0, r->page);
	complete(&r->done);
}

static struct kunit *write_kunit_test;
static struct write_kunit_reader *write_kunit_read;
static int write_kunit_reclaims;

/*
 * Called by the writer as it is about to reclaim: no stream may be held,
 * and a read on this CPU must complete before the writer goes on.
 */
static void write_kunit_before_reclaim(struct zram *zram)
{
	struct zcomp *comp = zram->comps[ZRAM_PRIMARY_COMP];
	struct write_kunit_reader *r = write_kunit_read;
	struct kunit *test = write_kunit_test;
	unsigned int cpu;

	write_kunit_reclaims++;
	for_each_possible_cpu(cpu) {
		struct zcomp_strm *zstrm = per_cpu_ptr(comp->stream, cpu);

		KUNIT_EXPECT_FALSE_MSG(test, mutex_is_locked(&zstrm->lock),
				       "the stream of CPU %u is held", cpu);
	}
	queue_work_on(raw_smp_processor_id(), system_highpri_wq, &r->work);
	KUNIT_EXPECT_NE_MSG(test, wait_for_completion_timeout(&r->done, 5 * HZ),
			    0, "the read did not complete");
}

static void write_reclaims_without_stream(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct page *a = write_kunit_page(test, 1);
	struct page *b = write_kunit_page(test, 2);
	struct write_kunit_reader r = { .zram = zram };
	bool huge;

	r.page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r.page);
	INIT_WORK_ONSTACK(&r.work, write_kunit_read_fn);
	init_completion(&r.done);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, a), 0);

	write_kunit_test = test;
	write_kunit_read = &r;
	write_kunit_reclaims = 0;
	kunit_before_reclaim = write_kunit_before_reclaim;
	/* the allocation without reclaim fails once: the slow path runs */
	atomic_set(&kunit_fail_noreclaim, 1);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 1, b), 0);
	kunit_before_reclaim = NULL;
	flush_work(&r.work);
	destroy_work_on_stack(&r.work);

	KUNIT_EXPECT_EQ(test, write_kunit_reclaims, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&kunit_fail_noreclaim), 0);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(r.page), page_address(a),
				     PAGE_SIZE), 0);
	/* compressed into the object allocated with reclaim */
	KUNIT_EXPECT_LT(test, write_kunit_size(zram, 1, &huge),
			(unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, huge);
	write_kunit_expect(test, zram, 1, b);
	write_kunit_expect(test, zram, 0, a);
	__free_page(r.page);
	__free_page(a);
	__free_page(b);
}

static void write_backend_out_of_memory(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct page *a = write_kunit_page(test, 3);
	bool huge;

	/* once: compressed on the next try */
	atomic_set(&kunit_fail_compress, 1);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 2, a), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kunit_fail_compress), 0);
	KUNIT_EXPECT_LT(test, write_kunit_size(zram, 2, &huge),
			(unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, huge);
	write_kunit_expect(test, zram, 2, a);

	/* every try: stored as it is */
	atomic_set(&kunit_fail_compress, 3);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 3, a), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kunit_fail_compress), 0);
	KUNIT_EXPECT_EQ(test, write_kunit_size(zram, 3, &huge),
			(unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, huge);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.huge_pages), 1LL);
	write_kunit_expect(test, zram, 3, a);
	__free_page(a);
}

/*
 * An object that takes the pool past the memory limit is allocated, then
 * given back: the write fails and every slot keeps its data.
 */
static void write_slow_path_keeps_limit(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct page *a = write_kunit_page(test, 4);
	struct page *b = write_kunit_page(test, 5);
	unsigned long pages;

	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, a), 0);
	get_random_bytes(page_address(b), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 1, b), 0);
	pages = zsm_get_total_pages(zram->mem_pool);
	KUNIT_ASSERT_GE(test, pages, 2UL);
	/* room for one more pool page, not for its metadata too */
	WRITE_ONCE(zram->limit_pages, pages + 1);
	atomic_set(&kunit_reclaim_allocs, 0);
	/* stored whole: a new page of the huge class */
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 0, b), -ENOMEM);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&kunit_reclaim_allocs), 1,
			    "the object was not allocated, so not refused after");
	write_kunit_expect(test, zram, 0, a);
	write_kunit_expect(test, zram, 1, b);
	WRITE_ONCE(zram->limit_pages, 0);
	__free_page(a);
	__free_page(b);
}

static void write_kunit_count_reclaim(struct zram *zram)
{
	write_kunit_reclaims++;
}

/* At the memory limit a write fails at once: reclaim cannot make room */
static void write_limit_fails_without_reclaim(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct page *a = write_kunit_page(test, 7);
	struct page *b = write_kunit_page(test, 8);
	struct page *r = write_kunit_page(test, 9);

	get_random_bytes(page_address(r), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, a), 0);
	WRITE_ONCE(zram->limit_pages, 1);
	/* the pool, a page and its metadata, is past a one-page limit */
	write_kunit_reclaims = 0;
	atomic_set(&kunit_reclaim_allocs, 0);
	kunit_before_reclaim = write_kunit_count_reclaim;
	/* compressible, then stored whole: neither may reclaim */
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 1, b), -ENOMEM);
	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 2, r), -ENOMEM);
	kunit_before_reclaim = NULL;
	KUNIT_EXPECT_EQ_MSG(test, write_kunit_reclaims, 0,
			    "the write reclaimed for a limit that reclaim cannot lift");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&kunit_reclaim_allocs), 0,
			    "an allocation with reclaim was made past the limit");
	write_kunit_expect(test, zram, 0, a);
	WRITE_ONCE(zram->limit_pages, 0);
	__free_page(a);
	__free_page(b);
	__free_page(r);
}

/* A writer that holds its CPU's compression stream and sleeps */
struct write_kunit_holder {
	struct zram *zram;
	struct completion held;
	struct completion release;
	struct task_struct *task;
};

static int write_kunit_hold_fn(void *arg)
{
	struct write_kunit_holder *h = arg;
	struct zcomp_strm *zstrm;

	zstrm = zcomp_stream_get(h->zram->comps[ZRAM_PRIMARY_COMP]);
	complete(&h->held);
	wait_for_completion(&h->release);
	zcomp_stream_put(zstrm);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Every CPU's compression stream is held by a sleeping writer; a read of a
 * compressed slot queued on each CPU in turn must still complete.
 */
static void read_while_streams_held(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zcomp *comp = zram->comps[ZRAM_PRIMARY_COMP];
	struct page *a = write_kunit_page(test, 6);
	struct write_kunit_reader r = { .zram = zram };
	struct write_kunit_holder *h;
	unsigned int cpu, held = 0, reads = 0, done = 0;
	bool huge, pending = false;

	h = kunit_kcalloc(test, nr_cpu_ids, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	r.page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r.page);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, a), 0);
	KUNIT_ASSERT_LT(test, write_kunit_size(zram, 0, &huge),
			(unsigned int)PAGE_SIZE);

	for_each_online_cpu(cpu) {
		h[cpu].zram = zram;
		init_completion(&h[cpu].held);
		init_completion(&h[cpu].release);
		h[cpu].task = kthread_create(write_kunit_hold_fn, &h[cpu],
					     "zram-kunit-hold/%u", cpu);
		if (IS_ERR(h[cpu].task))
			continue;
		kthread_bind(h[cpu].task, cpu);
		wake_up_process(h[cpu].task);
		wait_for_completion(&h[cpu].held);
		held++;
	}
	for_each_online_cpu(cpu) {
		struct zcomp_strm *zstrm = per_cpu_ptr(comp->stream, cpu);

		if (IS_ERR_OR_NULL(h[cpu].task) ||
		    !mutex_is_locked(&zstrm->lock))
			continue;
		memset(page_address(r.page), 0, PAGE_SIZE);
		INIT_WORK_ONSTACK(&r.work, write_kunit_read_fn);
		init_completion(&r.done);
		queue_work_on(cpu, system_highpri_wq, &r.work);
		reads++;
		if (!wait_for_completion_timeout(&r.done, 5 * HZ)) {
			/* it waits for a stream: it ends after the release */
			pending = true;
			break;
		}
		if (!r.ret && !memcmp(page_address(r.page), page_address(a),
				      PAGE_SIZE))
			done++;
		flush_work(&r.work);
		destroy_work_on_stack(&r.work);
	}
	for_each_online_cpu(cpu) {
		if (!IS_ERR_OR_NULL(h[cpu].task))
			complete(&h[cpu].release);
	}
	if (pending) {
		flush_work(&r.work);
		destroy_work_on_stack(&r.work);
	}
	for_each_online_cpu(cpu) {
		if (!IS_ERR_OR_NULL(h[cpu].task))
			kthread_stop(h[cpu].task);
	}

	KUNIT_EXPECT_EQ_MSG(test, held, num_online_cpus(),
			    "not every CPU's stream was held");
	KUNIT_EXPECT_EQ(test, reads, held);
	KUNIT_EXPECT_EQ_MSG(test, done, reads,
			    "a read waited for a compression stream, or read wrong data");
	write_kunit_expect(test, zram, 0, a);
	__free_page(r.page);
	__free_page(a);
}

/*
 * Swap's slot-free notification: the slot is empty and counted out at
 * once, its object waits in the ring until the work (or reset) frees it,
 * and with the ring full the notification frees the object itself.
 */
static void free_notify_defers(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zram_free_ring *ring = &zram->free_ring;
	struct page *page = write_kunit_page(test, 5);
	unsigned long before, stored, *extra;
	unsigned int i;
	bool huge;
	u32 index;

	extra = kunit_kcalloc(test, ZRAM_FREE_RING, sizeof(*extra),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, extra);
	before = zsm_get_total_bytes(zram->mem_pool);
	for (index = 0; index < WRITE_SLOTS; index++)
		KUNIT_ASSERT_EQ(test, zram_write_page(zram, index, page), 0);
	stored = zsm_get_total_bytes(zram->mem_pool);
	KUNIT_EXPECT_GT(test, stored, before);

	WRITE_ONCE(kunit_hold_frees, true);
	for (index = 0; index < WRITE_SLOTS; index++) {
		KUNIT_EXPECT_TRUE(test, zram_try_free_slot(zram, index));
		KUNIT_EXPECT_EQ(test, zram->table[index].handle, 0UL);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.pages_stored), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.compr_data_size),
			0LL);
	KUNIT_EXPECT_EQ(test, ring->count, WRITE_SLOTS);
	KUNIT_EXPECT_EQ(test, zsm_get_total_bytes(zram->mem_pool), stored);
	zram_drain_frees(zram);
	KUNIT_EXPECT_EQ(test, ring->count, 0U);
	KUNIT_EXPECT_EQ(test, zsm_get_total_bytes(zram->mem_pool), before);

	/* A full ring: the notification frees a huge object at once */
	for (i = 0; i < ZRAM_FREE_RING; i++) {
		KUNIT_ASSERT_EQ(test, zram_alloc_obj(zram, 32, true, &extra[i]),
				0);
		KUNIT_ASSERT_TRUE(test, zram_defer_free(zram, extra[i]));
	}
	get_random_bytes(page_address(page), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, page), 0);
	KUNIT_EXPECT_EQ(test, write_kunit_size(zram, 0, &huge), PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, huge);
	stored = zsm_get_total_bytes(zram->mem_pool);
	KUNIT_EXPECT_TRUE(test, zram_try_free_slot(zram, 0));
	KUNIT_EXPECT_LE(test, zsm_get_total_bytes(zram->mem_pool),
			stored - PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ring->count, ZRAM_FREE_RING);

	/* Reset drains the ring before the pool goes */
	zram_free_ring_release(zram);
	KUNIT_EXPECT_EQ(test, ring->count, 0U);
	KUNIT_EXPECT_EQ(test, zsm_get_total_bytes(zram->mem_pool), before);
	__free_page(page);
}

/* A write that finds the pool at the limit frees the ring first */
static void free_ring_yields_to_limit(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct page *text = write_kunit_page(test, 6);
	struct page *noise = alloc_page(GFP_KERNEL);
	u32 index;

	KUNIT_ASSERT_NOT_NULL(test, noise);
	get_random_bytes(page_address(noise), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, text), 0);
	for (index = 1; index < WRITE_SLOTS; index++)
		KUNIT_ASSERT_EQ(test, zram_write_page(zram, index, noise), 0);

	/* three huge objects wait in the ring; the pool is at its limit */
	WRITE_ONCE(kunit_hold_frees, true);
	for (index = 1; index < WRITE_SLOTS; index++)
		KUNIT_EXPECT_TRUE(test, zram_try_free_slot(zram, index));
	KUNIT_EXPECT_EQ(test, zram->free_ring.count, WRITE_SLOTS - 1);
	WRITE_ONCE(zram->limit_pages,
		   zsm_get_total_bytes(zram->mem_pool) >> PAGE_SHIFT);

	KUNIT_EXPECT_EQ(test, zram_write_page(zram, 1, text), 0);
	KUNIT_EXPECT_EQ(test, zram->free_ring.count, 0U);
	write_kunit_expect(test, zram, 1, text);
	__free_page(noise);
	__free_page(text);
}

/* Flip one bit of byte @at of the slot's stored object, behind zram */
static void write_kunit_garble(struct kunit *test, struct zram *zram,
			       u32 index, unsigned int at)
{
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int size;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	zram_slot_lock(zram, index);
	size = zram_slot_copy_obj(zram, index, buf);
	KUNIT_ASSERT_LT(test, at, size);
	buf[at] ^= 0x10;
	zram_obj_write(zram, get_slot_handle(zram, index), buf, size);
	zram_slot_unlock(zram, index);
}

/*
 * Checksums: a page garbled in the pool reads as EIO, is counted, and
 * stays as it is; without checksums the same garbling reads back wrong
 * bytes and no error, which is what the checksum is there to catch.
 */
static void checksum_catches_garbled_pages(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct page *text = write_kunit_page(test, 7);
	struct page *noise = alloc_page(GFP_KERNEL);
	struct page *back = alloc_page(GFP_KERNEL);
	struct bio_vec part;
	unsigned long handle;
	bool huge;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, noise);
	KUNIT_ASSERT_NOT_NULL(test, back);
	get_random_bytes(page_address(noise), PAGE_SIZE);

	/* without checksums: the garbled byte comes back */
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 1, noise), 0);
	write_kunit_size(zram, 1, &huge);
	KUNIT_ASSERT_TRUE(test, huge);
	write_kunit_garble(test, zram, 1, 100);
	KUNIT_EXPECT_EQ(test, zram_read_page(zram, 1, back), 0);
	KUNIT_EXPECT_NE(test, memcmp(page_address(back), page_address(noise),
				     PAGE_SIZE), 0);

	zram->checksum = true;
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, text), 0);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 1, noise), 0);
	write_kunit_expect(test, zram, 0, text);
	write_kunit_expect(test, zram, 1, noise);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_failures), 0LL);

	/* a huge page: the copy is the page, so only the checksum can tell */
	zram_slot_lock(zram, 1);
	handle = get_slot_handle(zram, 1);
	zram_slot_unlock(zram, 1);
	write_kunit_garble(test, zram, 1, 100);
	KUNIT_EXPECT_EQ(test, zram_read_page(zram, 1, back), -EBADMSG);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_failures), 1LL);
	zram_slot_lock(zram, 1);
	KUNIT_EXPECT_EQ(test, get_slot_handle(zram, 1), handle);
	zram_slot_unlock(zram, 1);
	/* a partial write merges into no garbled page */
	part = (struct bio_vec){ .bv_page = text, .bv_len = 512 };
	KUNIT_EXPECT_EQ(test, zram_write_partial(zram, &part, 1, 512),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_failures), 2LL);
	zram_slot_lock(zram, 1);
	KUNIT_EXPECT_EQ(test, get_slot_handle(zram, 1), handle);
	zram_slot_unlock(zram, 1);

	/* scrub finds the one garbled page among the two */
	KUNIT_EXPECT_EQ(test, zram_scrub(zram), -EIO);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_scrubbed), 2LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_failures), 3LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_unreadable), 0LL);

	/*
	 * A compressed page: an error either way (its checksum, or no valid
	 * stream to decompress), never its wrong bytes
	 */
	write_kunit_garble(test, zram, 0, 0);
	ret = zram_read_page(zram, 0, back);
	KUNIT_EXPECT_TRUE(test, ret == -EIO || ret == -EBADMSG);

	/* written anew, the slots read back right */
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 0, text), 0);
	KUNIT_ASSERT_EQ(test, zram_write_page(zram, 1, noise), 0);
	write_kunit_expect(test, zram, 0, text);
	write_kunit_expect(test, zram, 1, noise);
	__free_page(text);
	__free_page(noise);
	__free_page(back);
}

static struct kunit_case write_kunit_cases[] = {
	KUNIT_CASE(write_reclaims_without_stream),
	KUNIT_CASE(read_while_streams_held),
	KUNIT_CASE(write_backend_out_of_memory),
	KUNIT_CASE(write_slow_path_keeps_limit),
	KUNIT_CASE(write_limit_fails_without_reclaim),
	KUNIT_CASE(free_notify_defers),
	KUNIT_CASE(free_ring_yields_to_limit),
	KUNIT_CASE(checksum_catches_garbled_pages),
	{}
};

static struct kunit_suite write_kunit_suite = {
	.name = "zram_write_kunit",
	.init = write_kunit_init,
	.exit = write_kunit_exit,
	.test_cases = write_kunit_cases,
};

kunit_test_suites(&zram_kunit_suite, &write_kunit_suite);
