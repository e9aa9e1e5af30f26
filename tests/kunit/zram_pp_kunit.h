/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device the post-processing KUnit suites share: a slot count, a
 * backing-device bitmap and a huge class size; no table, pool or streams.
 */
#ifndef _ZRAM_PP_KUNIT_H_
#define _ZRAM_PP_KUNIT_H_

#include <kunit/test.h>

/* Not a multiple of BITS_PER_LONG: the last word of the bitmap is partial */
#define PP_KUNIT_BLOCKS	70UL
#define PP_KUNIT_SLOTS	100UL

static inline int pp_kunit_init(struct kunit *test)
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

#endif /* _ZRAM_PP_KUNIT_H_ */
