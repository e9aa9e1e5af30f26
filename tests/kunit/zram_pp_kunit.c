// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zram_pp.c's pure units: the bitmap of backing-device
 * blocks, the writeback budget, and the checks of the recompress and
 * writeback inputs.  Included at the bottom of zram_pp.c when built with
 * ZRAM_KUNIT, so the static functions are in reach.
 */

#include <kunit/test.h>

/* Not a multiple of BITS_PER_LONG: the last word of the bitmap is partial */
#define PP_KUNIT_BLOCKS	70UL
#define PP_KUNIT_SLOTS	100UL

/* A device with a bitmap and a slot count: no table, pool or streams */
static int pp_kunit_init(struct kunit *test)
{
	struct zram *zram;

	zram = kunit_kzalloc(test, sizeof(*zram), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, zram);
	zram_pp_init_device(zram);
	zram->nr_slots = PP_KUNIT_SLOTS;
	zram->huge_class_size = 3000;
	zram->pp.nr_blocks = PP_KUNIT_BLOCKS;
	zram->pp.bitmap = kunit_kcalloc(test, BITS_TO_LONGS(PP_KUNIT_BLOCKS),
					sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, zram->pp.bitmap);
	test->priv = zram;
	return 0;
}

static void blocks_in_order_until_full(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zram_pp *pp = &zram->pp;
	unsigned long blk, i;

	for (i = 0; i < PP_KUNIT_BLOCKS; i++) {
		KUNIT_ASSERT_TRUE(test, alloc_block(pp, &blk));
		KUNIT_EXPECT_EQ(test, blk, i);
	}
	KUNIT_EXPECT_FALSE(test, alloc_block(pp, &blk));
	KUNIT_EXPECT_TRUE(test, bitmap_full(pp->bitmap, PP_KUNIT_BLOCKS));

	/* freed blocks come back, found past the end of the last search */
	put_block(pp, 5);
	put_block(pp, PP_KUNIT_BLOCKS - 1);
	KUNIT_ASSERT_TRUE(test, alloc_block(pp, &blk));
	KUNIT_EXPECT_EQ(test, blk, 5UL);
	KUNIT_ASSERT_TRUE(test, alloc_block(pp, &blk));
	KUNIT_EXPECT_EQ(test, blk, PP_KUNIT_BLOCKS - 1);
	KUNIT_EXPECT_FALSE(test, alloc_block(pp, &blk));
}

static void blocks_released_by_slots(struct kunit *test)
{
	struct zram *zram = test->priv;
	unsigned long a, b;

	KUNIT_ASSERT_TRUE(test, alloc_block(&zram->pp, &a));
	KUNIT_ASSERT_TRUE(test, alloc_block(&zram->pp, &b));
	atomic64_set(&zram->stats.bd_count, 2);
	zram_pp_release_block(zram, b);
	zram_pp_release_block(zram, a);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.bd_count), 0LL);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(zram->pp.bitmap, PP_KUNIT_BLOCKS));
}

static void writeback_budget(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zram_pp *pp = &zram->pp;
	struct wb_req *req;

	req = kunit_kzalloc(test, sizeof(*req), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, req);

	/* off: nothing is charged, nothing refunded */
	pp->wb_limit = 1;
	KUNIT_EXPECT_TRUE(test, wb_charge(pp, req));
	KUNIT_EXPECT_FALSE(test, req->charged);
	wb_refund(pp, req);
	KUNIT_EXPECT_EQ(test, pp->wb_limit, 1ULL);

	pp->wb_limit_enable = true;
	pp->wb_limit = 2 * ZRAM_UNITS_PER_SLOT;
	KUNIT_EXPECT_TRUE(test, wb_charge(pp, req));
	KUNIT_EXPECT_TRUE(test, wb_charge(pp, req));
	KUNIT_EXPECT_FALSE(test, wb_charge(pp, req));
	KUNIT_EXPECT_FALSE(test, req->charged);
	KUNIT_EXPECT_EQ(test, pp->wb_limit, 0ULL);

	/* a failed write gives its share back, once */
	pp->wb_limit = ZRAM_UNITS_PER_SLOT;
	KUNIT_EXPECT_TRUE(test, wb_charge(pp, req));
	wb_refund(pp, req);
	wb_refund(pp, req);
	KUNIT_EXPECT_EQ(test, pp->wb_limit, (u64)ZRAM_UNITS_PER_SLOT);
}

static void slot_types(struct kunit *test)
{
	const size_t all = ARRAY_SIZE(pp_type_names);
	unsigned long flags = 0;

	KUNIT_EXPECT_EQ(test, pp_parse_type("idle", all, &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, BIT(ZRAM_IDLE));
	KUNIT_EXPECT_EQ(test, pp_parse_type("huge_idle\n", all, &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, BIT(ZRAM_IDLE) | BIT(ZRAM_HUGE));
	KUNIT_EXPECT_EQ(test, pp_parse_type("incompressible", all, &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, BIT(ZRAM_INCOMPRESSIBLE));
	/* recompression has no incompressible type */
	KUNIT_EXPECT_EQ(test, pp_parse_type("incompressible",
					    PP_NR_RECOMP_TYPES, &flags),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pp_parse_type("nope", all, &flags), -EINVAL);
	KUNIT_EXPECT_EQ(test, pp_parse_type("", all, &flags), -EINVAL);
}

static void writeback_targets(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct wb_target t;
	char range[16];

	KUNIT_EXPECT_EQ(test, wb_index_target(zram, "99", &t), 0);
	KUNIT_EXPECT_EQ(test, t.first, 99UL);
	KUNIT_EXPECT_EQ(test, t.last, 99UL);
	KUNIT_EXPECT_EQ(test, t.flags, 0UL);
	KUNIT_EXPECT_EQ(test, wb_index_target(zram, "100", &t), -ERANGE);
	KUNIT_EXPECT_EQ(test, wb_index_target(zram, "abc", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_index_target(zram, "-1", &t), -EINVAL);

	strscpy(range, "10-20", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), 0);
	KUNIT_EXPECT_EQ(test, t.first, 10UL);
	KUNIT_EXPECT_EQ(test, t.last, 20UL);
	strscpy(range, "7-7", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), 0);
	strscpy(range, "20-10", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), -ERANGE);
	strscpy(range, "0-100", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), -ERANGE);
	strscpy(range, "5", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), -EINVAL);
	strscpy(range, "-5", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), -EINVAL);
	strscpy(range, "5-", sizeof(range));
	KUNIT_EXPECT_EQ(test, wb_range_target(zram, range, &t), -EINVAL);

	KUNIT_EXPECT_EQ(test, wb_type_target(zram, "huge", &t), 0);
	KUNIT_EXPECT_EQ(test, t.first, 0UL);
	KUNIT_EXPECT_EQ(test, t.last, PP_KUNIT_SLOTS - 1);
	KUNIT_EXPECT_EQ(test, t.flags, BIT(ZRAM_HUGE));
}

/* The checking pass of a writeback input (no run: nothing is written) */
static int wb_check(struct zram *zram, const char *input)
{
	return wb_walk(zram, input, strlen(input), NULL);
}

static void writeback_inputs(struct kunit *test)
{
	struct zram *zram = test->priv;

	KUNIT_EXPECT_EQ(test, wb_check(zram, "idle\n"), 0);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "incompressible"), 0);
	KUNIT_EXPECT_EQ(test,
			wb_check(zram, "type=huge page_index=5 page_indexes=1-3\n"),
			0);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "page_index=5 page_index=100"), -ERANGE);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "idle huge"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "idle type=huge"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "type"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "type=\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "nokey=1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "\n"), -EINVAL);
}

static int recomp_parse(const char *input, struct recomp_req *req)
{
	char buf[64];

	strscpy(buf, input, sizeof(buf));
	*req = (struct recomp_req) { .max_pages = ULONG_MAX };
	return zram_parse_args(buf, recomp_keys, ARRAY_SIZE(recomp_keys),
			       recomp_take, req);
}

static void recompress_inputs(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct recomp_req req;

	KUNIT_EXPECT_EQ(test, recomp_parse("type=huge_idle threshold=100 max_pages=7 priority=2",
					   &req), 4);
	KUNIT_EXPECT_EQ(test, req.flags, BIT(ZRAM_IDLE) | BIT(ZRAM_HUGE));
	KUNIT_EXPECT_EQ(test, req.threshold, 100U);
	KUNIT_EXPECT_EQ(test, req.max_pages, 7UL);
	KUNIT_EXPECT_EQ(test, req.prio, 2U);
	KUNIT_EXPECT_EQ(test, recomp_parse("type=incompressible", &req), -EINVAL);
	/* 0 means the first secondary priority, as upstream */
	KUNIT_EXPECT_EQ(test, recomp_parse("priority=0", &req), 1);
	KUNIT_EXPECT_EQ(test, req.prio, 1U);
	KUNIT_EXPECT_EQ(test, recomp_parse("priority=4", &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, recomp_parse("threshold=x", &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, recomp_parse("max_pages=-1", &req), -EINVAL);

	/* the device: priorities 1 and 3 configured (never called here) */
	zram->comps[1] = (struct zcomp *)test;
	zram->comps[3] = (struct zcomp *)test;
	KUNIT_EXPECT_EQ(test, recomp_parse("", &req), 0);
	KUNIT_EXPECT_EQ(test, recomp_resolve(zram, &req), 0);
	KUNIT_EXPECT_EQ(test, req.prio, 1U);
	KUNIT_EXPECT_EQ(test, req.last_prio, 3U);
	KUNIT_EXPECT_EQ(test, recomp_parse("priority=2", &req), 1);
	KUNIT_EXPECT_EQ(test, recomp_resolve(zram, &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, recomp_parse("threshold=3000", &req), 1);
	KUNIT_EXPECT_EQ(test, recomp_resolve(zram, &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, recomp_parse("threshold=2999 priority=3", &req), 2);
	KUNIT_EXPECT_EQ(test, recomp_resolve(zram, &req), 0);
	KUNIT_EXPECT_EQ(test, req.last_prio, 3U);
	zram->comps[1] = NULL;
	zram->comps[3] = NULL;
}

static struct kunit_case zram_pp_kunit_cases[] = {
	KUNIT_CASE(blocks_in_order_until_full),
	KUNIT_CASE(blocks_released_by_slots),
	KUNIT_CASE(writeback_budget),
	KUNIT_CASE(slot_types),
	KUNIT_CASE(writeback_targets),
	KUNIT_CASE(writeback_inputs),
	KUNIT_CASE(recompress_inputs),
	{}
};

static struct kunit_suite zram_pp_kunit_suite = {
	.name = "zram_pp_kunit",
	.init = pp_kunit_init,
	.test_cases = zram_pp_kunit_cases,
};

kunit_test_suite(zram_pp_kunit_suite);
