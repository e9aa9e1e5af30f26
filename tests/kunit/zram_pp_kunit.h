/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device the post-processing KUnit suites share: a slot count, a
 * backing-device bitmap and a huge class size; no table, pool or streams.
 */
#ifndef _ZRAM_PP_KUNIT_H_
#define _ZRAM_PP_KUNIT_H_

#include <kunit/test.h>
#include <linux/vmalloc.h>

/* Not a multiple of BITS_PER_LONG: the last word of the bitmap is partial */
#define PP_KUNIT_BLOCKS	70UL
#define PP_KUNIT_SLOTS	100UL

static inline void pp_kunit_free(void *pp)
{
	zram_pp_free(pp);
}

static inline int pp_kunit_init(struct kunit *test)
{
	struct zram *zram = kunit_kzalloc(test, sizeof(*zram), GFP_KERNEL);
	struct zram_pp *pp;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, zram);
	pp = zram_pp_alloc(zram);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pp);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pp_kunit_free,
							pp), 0);
	zram->pp = pp;
	zram->nr_slots = PP_KUNIT_SLOTS;
	zram->huge_class_size = 3000;
	pp->nr_blocks = PP_KUNIT_BLOCKS;
	pp->bitmap = kunit_kcalloc(test, BITS_TO_LONGS(PP_KUNIT_BLOCKS),
				   sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pp->bitmap);
	test->priv = zram;
	return 0;
}

static inline void pp_kunit_table_free(void *data)
{
	struct zram *zram = data;

	vfree(zram->table);
	zram->table = NULL;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_unregister_key(&zram->slot_lock_key);
#endif
}

/* Give the device a slot table (empty slots), freed with the test */
static inline void pp_kunit_table(struct kunit *test, struct zram *zram)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_register_key(&zram->slot_lock_key);
#endif
	if (zram_table_alloc(zram, PP_KUNIT_SLOTS)) {
#ifdef CONFIG_DEBUG_LOCK_ALLOC
		lockdep_unregister_key(&zram->slot_lock_key);
#endif
		KUNIT_FAIL_AND_ABORT(test, "no slot table");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pp_kunit_table_free,
							zram), 0);
}

#endif /* _ZRAM_PP_KUNIT_H_ */
