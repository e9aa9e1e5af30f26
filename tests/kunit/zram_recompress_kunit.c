// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zram_recompress.c's pure units: the checks of the
 * recompress input against the device.  Included at the bottom of
 * zram_recompress.c when built with ZRAM_KUNIT, so the static functions
 * are in reach.
 */

#include "zram_pp_kunit.h"

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

static struct kunit_case zram_recompress_kunit_cases[] = {
	KUNIT_CASE(recompress_inputs),
	{}
};

static struct kunit_suite zram_recompress_kunit_suite = {
	.name = "zram_recompress_kunit",
	.init = pp_kunit_init,
	.test_cases = zram_recompress_kunit_cases,
};

kunit_test_suite(zram_recompress_kunit_suite);
