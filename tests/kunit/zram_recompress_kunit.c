// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zram_recompress.c: the checks of the recompress input
 * against the device, and a run over slots one of which fails its
 * checksum.  Included at the bottom of zram_recompress.c when built with
 * ZRAM_KUNIT, so the static functions are in reach.
 */

#include <linux/string.h>
#include <linux/vmalloc.h>

#include "zram_pp_kunit.h"
#include "zsmalloc.h"

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

#define RECOMP_KUNIT_SLOTS	3

/* Store @page in the slot whole (huge), with its checksum */
static void recomp_kunit_store(struct kunit *test, struct zram *zram,
			       u32 index, struct page *page, u32 csum)
{
	struct zram_obj obj = { .size = PAGE_SIZE, .csum = csum };

	KUNIT_ASSERT_EQ(test, zram_alloc_obj(zram, PAGE_SIZE, true,
					     &obj.handle), 0);
	zram_obj_write(zram, obj.handle, page_address(page), PAGE_SIZE);
	zram_slot_lock(zram, index);
	zram_slot_set_obj(zram, index, &obj);
	zram_slot_unlock(zram, index);
}

/*
 * Checksums on, three huge slots of text, the middle one's checksum
 * wrong (as if its page had been garbled in memory): a run over huge
 * slots recompresses the other two, which then read back with their
 * checksums carried over, leaves the middle one as it was, counts it, and
 * ends with EIO.
 */
static void recompress_steps_over_garbled_slot(struct kunit *test)
{
	static const char *const algs[] = { "lz4", "lzo-rle", "zstd", "deflate" };
	struct recomp_req req = {
		.flags = BIT(ZRAM_HUGE), .max_pages = ULONG_MAX,
		.prio = 1, .last_prio = 1,
	};
	struct zram *zram = test->priv;
	struct zcomp_params params = {
		.level = ZCOMP_PARAM_NOT_SET,
		.deflate.winbits = ZCOMP_PARAM_NOT_SET,
	};
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct page *back = alloc_page(GFP_KERNEL);
	const char *alg = NULL;
	unsigned long handle;
	unsigned int at, i;
	u32 csum, index;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, back);
	for (i = 0; i < ARRAY_SIZE(algs) && !alg; i++)
		alg = zcomp_lookup_backend_name(algs[i]);
	KUNIT_ASSERT_NOT_NULL(test, alg);
	for (at = 0; at < PAGE_SIZE; at += 64)
		scnprintf(page_address(page) + at, 64,
			  "line %u of a page that compresses well\n", at / 64);
	csum = zram_page_csum(page);

#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_register_key(&zram->slot_lock_key);
#endif
	KUNIT_ASSERT_EQ(test, zram_table_alloc(zram, RECOMP_KUNIT_SLOTS), 0);
	zram->nr_slots = RECOMP_KUNIT_SLOTS;
	zram_free_ring_init(zram);
	zram->mem_pool = zsm_create_pool("kunit-recompress");
	KUNIT_ASSERT_FALSE(test, IS_ERR(zram->mem_pool));
	zram->huge_class_size = zsm_huge_class_size(zram->mem_pool);
	zram->comps[1] = zcomp_create(alg, &params);
	KUNIT_ASSERT_FALSE(test, IS_ERR(zram->comps[1]));
	zram->checksum = true;

	recomp_kunit_store(test, zram, 0, page, csum);
	recomp_kunit_store(test, zram, 1, page, csum ^ 1);
	recomp_kunit_store(test, zram, 2, page, csum);
	zram_slot_lock(zram, 1);
	handle = get_slot_handle(zram, 1);
	zram_slot_unlock(zram, 1);

	KUNIT_EXPECT_EQ(test, recompress_run(zram, &req), -EIO);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zram->stats.csum_failures), 1LL);
	for (index = 0; index < RECOMP_KUNIT_SLOTS; index++) {
		zram_slot_lock(zram, index);
		if (index == 1) {
			KUNIT_EXPECT_EQ(test, get_slot_handle(zram, 1), handle);
			KUNIT_EXPECT_TRUE(test, test_slot_flag(zram, 1, ZRAM_HUGE));
			KUNIT_EXPECT_EQ(test, get_slot_prio(zram, 1), 0U);
			KUNIT_EXPECT_EQ(test, zram_slot_read(zram, 1, back),
					-EBADMSG);
		} else {
			KUNIT_EXPECT_FALSE(test, test_slot_flag(zram, index, ZRAM_HUGE));
			KUNIT_EXPECT_EQ(test, get_slot_prio(zram, index), 1U);
			KUNIT_EXPECT_EQ(test, get_slot_csum(zram, index), csum);
			KUNIT_EXPECT_EQ(test, zram_slot_read(zram, index, back), 0);
			KUNIT_EXPECT_EQ(test, memcmp(page_address(back),
						     page_address(page),
						     PAGE_SIZE), 0);
		}
		zram_obj_free(zram, zram_clear_slot(zram, index));
		zram_slot_unlock(zram, index);
	}

	zcomp_destroy(zram->comps[1]);
	zram->comps[1] = NULL;
	zsm_destroy_pool(zram->mem_pool);
	vfree(zram->table);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_unregister_key(&zram->slot_lock_key);
#endif
	__free_page(page);
	__free_page(back);
}

static struct kunit_case zram_recompress_kunit_cases[] = {
	KUNIT_CASE(recompress_inputs),
	KUNIT_CASE(recompress_steps_over_garbled_slot),
	{}
};

static struct kunit_suite zram_recompress_kunit_suite = {
	.name = "zram_recompress_kunit",
	.init = pp_kunit_init,
	.test_cases = zram_recompress_kunit_cases,
};

kunit_test_suite(zram_recompress_kunit_suite);
