// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zram_writeback.c's pure units: the writeback budget and
 * the checks of the writeback input.  Included at the bottom of
 * zram_writeback.c when built with ZRAM_KUNIT, so the static functions
 * are in reach.
 */

#include "zram_pp_kunit.h"

static void writeback_budget(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zram_pp *pp = zram_pp_of(zram);
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

/* Parse a writeback input (nothing is written); its targets in *nr */
static int wb_check_nr(struct zram *zram, const char *input, unsigned int *nr)
{
	struct wb_plan plan;
	int ret = wb_parse(zram, input, strlen(input), &plan);

	if (!ret) {
		*nr = plan.nr;
		kvfree(plan.targets);
	}
	return ret;
}

static int wb_check(struct zram *zram, const char *input)
{
	unsigned int nr;

	return wb_check_nr(zram, input, &nr);
}

static void writeback_inputs(struct kunit *test)
{
	struct zram *zram = test->priv;
	const char *three = "type=huge page_index=5 page_indexes=1-3\n";
	struct wb_plan plan;
	unsigned int nr = 0;

	KUNIT_EXPECT_EQ(test, wb_check_nr(zram, "idle\n", &nr), 0);
	KUNIT_EXPECT_EQ(test, nr, 1U);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "incompressible"), 0);
	KUNIT_ASSERT_EQ(test, wb_parse(zram, three, strlen(three), &plan), 0);
	/* the targets, in input order */
	KUNIT_EXPECT_EQ(test, plan.nr, 3U);
	KUNIT_EXPECT_EQ(test, plan.targets[0].flags, BIT(ZRAM_HUGE));
	KUNIT_EXPECT_EQ(test, plan.targets[0].last, PP_KUNIT_SLOTS - 1);
	KUNIT_EXPECT_EQ(test, plan.targets[1].first, 5UL);
	KUNIT_EXPECT_EQ(test, plan.targets[1].last, 5UL);
	KUNIT_EXPECT_EQ(test, plan.targets[2].first, 1UL);
	KUNIT_EXPECT_EQ(test, plan.targets[2].last, 3UL);
	kvfree(plan.targets);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "page_index=5 page_index=100"), -ERANGE);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "idle huge"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "idle type=huge"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "type"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "type=\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "nokey=1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wb_check(zram, "\n"), -EINVAL);
}

/* set_movable: slot @index holds an object last accessed at @actime */
static void set_movable(struct zram *zram, u32 index, u32 actime)
{
	zram->table[index].handle = 1;	/* never dereferenced here */
	zram->table[index].ac_time = actime;
}

/*
 * The least recently accessed slots, by power-of-two age class: 100 s
 * from now, 10 slots of ages 40-50 (class 32-63), 20 of ages 5-7 (class
 * 4-7), 5 same-filled and 5 written-back old ones (not movable), and 3
 * accessed after the clock was read (age 0, not the oldest)
 */
static void writeback_oldest(struct kunit *test)
{
	struct zram *zram = test->priv;
	u32 i, now = 100;

	pp_kunit_table(test, zram);
	for (i = 0; i < 10; i++)
		set_movable(zram, i, now - 40 - i);
	for (i = 10; i < 30; i++)
		set_movable(zram, i, now - 5 - i % 3);
	for (i = 30; i < 40; i++) {
		set_movable(zram, i, 1);
		zram->table[i].flags |= BIT(i < 35 ? ZRAM_SAME : ZRAM_WB);
	}
	for (i = 40; i < 43; i++)
		set_movable(zram, i, now + 2);

	KUNIT_EXPECT_EQ(test, zram_writeback_oldest(zram, now, 1), 32U);
	KUNIT_EXPECT_EQ(test, zram_writeback_oldest(zram, now, 10), 32U);
	KUNIT_EXPECT_EQ(test, zram_writeback_oldest(zram, now, 11), 4U);
	KUNIT_EXPECT_EQ(test, zram_writeback_oldest(zram, now, 30), 4U);
	/* more than there are at least 1 s old: every movable slot */
	KUNIT_EXPECT_EQ(test, zram_writeback_oldest(zram, now, 31), 0U);
	KUNIT_EXPECT_EQ(test, zram_writeback_oldest(zram, now, 1000), 0U);
	for (i = 0; i < 43; i++)
		zram->table[i].handle = 0;
}

static struct kunit_case zram_writeback_kunit_cases[] = {
	KUNIT_CASE(writeback_budget),
	KUNIT_CASE(writeback_targets),
	KUNIT_CASE(writeback_inputs),
	KUNIT_CASE(writeback_oldest),
	{}
};

static struct kunit_suite zram_writeback_kunit_suite = {
	.name = "zram_writeback_kunit",
	.init = pp_kunit_init,
	.test_cases = zram_writeback_kunit_cases,
};

kunit_test_suite(zram_writeback_kunit_suite);
