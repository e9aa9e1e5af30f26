// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the units post-processing shares: the bitmap of
 * backing-device blocks (zram_backing.c) and the slot types.  Included at
 * the bottom of zram_pp.c when built with ZRAM_KUNIT, so the static
 * functions are in reach.
 */

#include "zram_pp_kunit.h"

static void blocks_in_order_until_full(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zram_pp *pp = zram_pp_of(zram);
	unsigned long blk, i;

	for (i = 0; i < PP_KUNIT_BLOCKS; i++) {
		KUNIT_ASSERT_TRUE(test, zram_bd_alloc_block(pp, &blk));
		KUNIT_EXPECT_EQ(test, blk, i);
	}
	KUNIT_EXPECT_FALSE(test, zram_bd_alloc_block(pp, &blk));
	KUNIT_EXPECT_TRUE(test, bitmap_full(pp->bitmap, PP_KUNIT_BLOCKS));

	/* freed blocks come back, found past the end of the last search */
	zram_bd_put_block(pp, 5);
	zram_bd_put_block(pp, PP_KUNIT_BLOCKS - 1);
	KUNIT_ASSERT_TRUE(test, zram_bd_alloc_block(pp, &blk));
	KUNIT_EXPECT_EQ(test, blk, 5UL);
	KUNIT_ASSERT_TRUE(test, zram_bd_alloc_block(pp, &blk));
	KUNIT_EXPECT_EQ(test, blk, PP_KUNIT_BLOCKS - 1);
	KUNIT_EXPECT_FALSE(test, zram_bd_alloc_block(pp, &blk));
}

static void blocks_released_by_slots(struct kunit *test)
{
	struct zram *zram = test->priv;
	struct zram_pp *pp = zram_pp_of(zram);
	unsigned long a, b;

	KUNIT_ASSERT_TRUE(test, zram_bd_alloc_block(pp, &a));
	KUNIT_ASSERT_TRUE(test, zram_bd_alloc_block(pp, &b));
	atomic64_set(&pp->bd_count, 2);
	zram_pp_release_block(zram, b);
	zram_pp_release_block(zram, a);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pp->bd_count), 0LL);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pp->bitmap, PP_KUNIT_BLOCKS));
}

static void slot_types(struct kunit *test)
{
	const size_t all = ARRAY_SIZE(pp_type_names);
	unsigned long flags = 0;

	KUNIT_EXPECT_EQ(test, zram_pp_parse_type("idle", all, &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, BIT(ZRAM_IDLE));
	KUNIT_EXPECT_EQ(test, zram_pp_parse_type("huge_idle\n", all, &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, BIT(ZRAM_IDLE) | BIT(ZRAM_HUGE));
	KUNIT_EXPECT_EQ(test, zram_pp_parse_type("incompressible", all, &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, BIT(ZRAM_INCOMPRESSIBLE));
	/* recompression has no incompressible type */
	KUNIT_EXPECT_EQ(test, zram_pp_parse_type("incompressible",
						 PP_NR_RECOMP_TYPES, &flags),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zram_pp_parse_type("nope", all, &flags), -EINVAL);
	KUNIT_EXPECT_EQ(test, zram_pp_parse_type("", all, &flags), -EINVAL);
}

/* A slot's age, also when it was accessed after the run's clock was read */
static void slot_ages(struct kunit *test)
{
	struct zram *zram = test->priv;

	pp_kunit_table(test, zram);
	zram_slot_lock(zram, 3);
	zram->table[3].ac_time = 100;
	KUNIT_EXPECT_EQ(test, zram_pp_slot_age(zram, 3, 105), 5U);
	KUNIT_EXPECT_EQ(test, zram_pp_slot_age(zram, 3, 100), 0U);
	/* read or written after the run began: as young as can be */
	KUNIT_EXPECT_EQ(test, zram_pp_slot_age(zram, 3, 99), 0U);
	KUNIT_EXPECT_EQ(test, zram_pp_slot_age(zram, 3, 0), 0U);
	KUNIT_EXPECT_TRUE(test, zram_pp_slot_old_enough(zram, 3, 105, 5));
	KUNIT_EXPECT_FALSE(test, zram_pp_slot_old_enough(zram, 3, 105, 6));
	KUNIT_EXPECT_FALSE(test, zram_pp_slot_old_enough(zram, 3, 99, 1));
	KUNIT_EXPECT_FALSE(test, zram_pp_slot_old_enough(zram, 3, 99, U32_MAX));
	/* age 0: any slot */
	KUNIT_EXPECT_TRUE(test, zram_pp_slot_old_enough(zram, 3, 99, 0));
	zram_slot_unlock(zram, 3);
}

static struct kunit_case zram_pp_kunit_cases[] = {
	KUNIT_CASE(blocks_in_order_until_full),
	KUNIT_CASE(blocks_released_by_slots),
	KUNIT_CASE(slot_types),
	KUNIT_CASE(slot_ages),
	{}
};

static struct kunit_suite zram_pp_kunit_suite = {
	.name = "zram_pp_kunit",
	.init = pp_kunit_init,
	.test_cases = zram_pp_kunit_cases,
};

kunit_test_suite(zram_pp_kunit_suite);
