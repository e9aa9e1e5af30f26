// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the bundled zsmalloc.  zsmalloc.c includes this file at
 * its bottom in ZRAM_KUNIT builds, so the tests reach its static functions
 * and structures.  The suite runs when zram.ko loads, after zsm_init().
 *
 * Every case owns one pool and one array of objects in its context; the
 * exit hook frees whatever a failed case left behind.  Object contents are
 * windows of one random buffer, chosen by a per-object seed, so a byte that
 * moved or an object that overlaps another shows up in the comparison.
 *
 * The run time is meant for a TCG guest with KASAN and lockdep: thousands
 * of objects, a few seconds for the concurrent case.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

/* Objects of the packing measure, and the utilisation it must reach */
#define ZT_PACK_OBJS		8000U
#define ZT_PACK_MIN_PERMILLE	850U
/* How long the concurrent case runs */
#define ZT_RACE_MS		2000U

struct zt_obj {
	unsigned long handle;
	unsigned int size;
	unsigned int seed;
};

struct zt_ctx {
	struct zsm_pool *pool;
	struct zt_obj *objs;
	unsigned int nr;
	u8 *pattern;
	void *buf;
};

/* xorshift32: reproducible sizes, seeds and choices */
static u32 zt_rand(u32 *state)
{
	u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static const u8 *zt_expected(const struct zt_ctx *ctx, unsigned int seed)
{
	return ctx->pattern + seed % PAGE_SIZE;
}

static struct zsm_pool *zt_pool(struct kunit *test, const char *name)
{
	struct zt_ctx *ctx = test->priv;

	ctx->pool = zsm_create_pool(name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pool);
	return ctx->pool;
}

static struct zt_obj *zt_objs(struct kunit *test, unsigned int nr)
{
	struct zt_ctx *ctx = test->priv;

	ctx->objs = kvcalloc(nr, sizeof(*ctx->objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->objs);
	ctx->nr = nr;
	return ctx->objs;
}

static int zt_alloc(struct zt_ctx *ctx, struct zt_obj *obj, unsigned int size,
		    unsigned int seed, gfp_t gfp)
{
	int err = zsm_malloc(ctx->pool, size, gfp, &obj->handle);

	if (err) {
		obj->handle = 0;
		return err;
	}
	obj->size = size;
	obj->seed = seed;
	zsm_obj_write(ctx->pool, obj->handle, zt_expected(ctx, seed), size);
	return 0;
}

static void zt_free(struct zt_ctx *ctx, struct zt_obj *obj)
{
	zsm_free(ctx->pool, obj->handle);
	obj->handle = 0;
}

/* Read @len bytes of @obj into @buf if needed; true if they match */
static bool zt_check_len(struct zt_ctx *ctx, struct zt_obj *obj, size_t len,
			 void *buf)
{
	void *mem = zsm_obj_read_begin(ctx->pool, obj->handle, len, buf);
	bool ok = !memcmp(mem, zt_expected(ctx, obj->seed), len);

	zsm_obj_read_end(ctx->pool, obj->handle, mem);
	return ok;
}

static bool zt_check(struct zt_ctx *ctx, struct zt_obj *obj)
{
	return zt_check_len(ctx, obj, obj->size, ctx->buf);
}

/* Check every live object; returns how many are wrong */
static unsigned int zt_check_all(struct zt_ctx *ctx)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ctx->nr; i++) {
		if (ctx->objs[i].handle && !zt_check(ctx, &ctx->objs[i]))
			bad++;
	}
	return bad;
}

/* Pages and objects summed over the classes */
static void zt_totals(struct zsm_pool *pool, unsigned long *pages,
		      unsigned long *objs)
{
	struct zsm_class_stats st;
	unsigned int i;

	*pages = 0;
	*objs = 0;
	for (i = 0; i < ZSM_NR_SIZES; i++) {
		if (pool->size_class[i]->index != i)
			continue;
		class_read_stats(pool->size_class[i], &st);
		*pages += st.zspages * st.pages_per_zspage;
		*objs += st.objs_used;
	}
}

/* Wait for deferred zspage releases, so page counts are exact */
static void zt_settle(struct zsm_pool *pool)
{
	flush_work(&pool->release_work);
}

static unsigned long zt_compacted(struct zsm_pool *pool)
{
	struct zsm_pool_stats st;

	zsm_pool_stats(pool, &st);
	return atomic_long_read(&st.pages_compacted);
}

/*
 * The first class with at least @min_pages pages and @min_objs slots per
 * zspage whose objects cross page boundaries
 */
static struct zsm_class *zt_find_class(struct zsm_pool *pool,
				       unsigned int min_pages,
				       unsigned int min_objs)
{
	unsigned int i;

	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];

		if (class->index != i || class->pages_per_zspage < min_pages ||
		    class->objs_per_zspage < min_objs ||
		    !(PAGE_SIZE % class->size))
			continue;
		return class;
	}
	return NULL;
}

static int zt_init(struct kunit *test)
{
	struct zt_ctx *ctx;
	u32 rng = 0x2545f491;
	unsigned int i;

	/* zram's module init runs zsm_init() before the suites */
	KUNIT_ASSERT_NOT_NULL(test, zsm_handle_cache);

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->pattern = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->pattern);
	ctx->buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->buf);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		ctx->pattern[i] = zt_rand(&rng) >> 24;
	test->priv = ctx;
	return 0;
}

static void zt_exit(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned int i;

	if (!ctx)
		return;
	if (ctx->pool) {
		for (i = 0; i < ctx->nr; i++)
			zsm_free(ctx->pool, ctx->objs[i].handle);
		zsm_destroy_pool(ctx->pool);
	}
	kvfree(ctx->objs);
}

/* ---- geometry ---- */

static void zsm_test_geometry(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-geometry");
	struct zsm_class *huge = pool->size_class[ZSM_NR_SIZES - 1];
	unsigned int i, size, distinct = 0, bad = 0;

	KUNIT_EXPECT_EQ(test, huge->size, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, huge->pages_per_zspage, 1U);
	KUNIT_EXPECT_EQ(test, huge->objs_per_zspage, 1U);
	KUNIT_EXPECT_GT(test, zsm_huge_class_size(pool), (size_t)PAGE_SIZE / 2);
	KUNIT_EXPECT_LE(test, zsm_huge_class_size(pool), (size_t)PAGE_SIZE);

	for (size = 1; size <= PAGE_SIZE; size++) {
		struct zsm_class *class = pool->size_class[size_to_index(size)];
		bool in_huge = size >= zsm_huge_class_size(pool);
		bool is_huge = class == huge;

		if (class->size < size || is_huge != in_huge)
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);

	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];
		struct zsm_class *next = i + 1 < ZSM_NR_SIZES ?
					 pool->size_class[i + 1] : NULL;

		if (class->index != i)
			continue;
		distinct++;
		KUNIT_EXPECT_EQ(test, class->size, index_to_size(i));
		KUNIT_EXPECT_GE(test, class->pages_per_zspage, 1U);
		KUNIT_EXPECT_LE(test, class->pages_per_zspage,
				ZSM_MAX_ZSPAGE_PAGES);
		KUNIT_EXPECT_LE(test, class->objs_per_zspage,
				(unsigned int)ZSM_MAX_OBJS);
		/* As many slots as fit, and fewer than one slot wasted */
		KUNIT_EXPECT_EQ(test, class->objs_per_zspage,
				(unsigned int)(class->pages_per_zspage *
					       PAGE_SIZE / class->size));
		/* Only the huge class packs no better than a page each */
		KUNIT_EXPECT_EQ(test, class_is_huge(class), class == huge);
		/* Merging left no two neighbours with the same geometry */
		if (next && next->pages_per_zspage == class->pages_per_zspage &&
		    next->objs_per_zspage == class->objs_per_zspage)
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	kunit_info(test, "%u size slots, %u classes, huge from %zu bytes\n",
		   (unsigned int)ZSM_NR_SIZES, distinct,
		   zsm_huge_class_size(pool));
}

/* ---- round trips ---- */

/* Fill one class past a zspage, read everything back, free it all */
static void zt_round_trip_class(struct kunit *test, struct zsm_class *class,
				unsigned int smallest, unsigned int *straddled)
{
	struct zt_ctx *ctx = test->priv;
	unsigned int n = class->objs_per_zspage + 1;
	unsigned int i, seed = class->size * 7;
	unsigned int bad = 0, bad_ptr = 0, bad_part = 0;

	KUNIT_ASSERT_LE(test, n, ctx->nr);
	for (i = 0; i < n; i++) {
		/* Alternate the largest and the smallest size of the class */
		unsigned int size = i & 1 ? smallest : class->size;

		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &ctx->objs[i], size,
					       seed + i, GFP_KERNEL), 0);
	}
	for (i = 0; i < n; i++) {
		struct zt_obj *obj = &ctx->objs[i];
		struct zsm_zspage *zs;
		bool split, copied;
		unsigned int idx;
		size_t off;
		void *mem;

		zs = handle_zspage(obj->handle, &idx);
		off = (size_t)idx * class->size;
		split = offset_in_page(off) + obj->size > PAGE_SIZE;
		mem = zsm_obj_read_begin(ctx->pool, obj->handle, obj->size,
					 ctx->buf);
		if (memcmp(mem, zt_expected(ctx, obj->seed), obj->size))
			bad++;
		/* A copy exactly when the object crosses a page (or highmem) */
		copied = mem == ctx->buf;
		if (copied != (split ||
			       PageHighMem(zspage_page(zs, off >> PAGE_SHIFT))))
			bad_ptr++;
		zsm_obj_read_end(ctx->pool, obj->handle, mem);
		*straddled += split;

		/* A shorter read of the head of the object */
		if (!zt_check_len(ctx, obj, obj->size / 2 + 1, ctx->buf))
			bad_part++;
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "class %u", class->size);
	KUNIT_EXPECT_EQ_MSG(test, bad_ptr, 0U, "class %u", class->size);
	KUNIT_EXPECT_EQ_MSG(test, bad_part, 0U, "class %u", class->size);
	for (i = 0; i < n; i++)
		zt_free(ctx, &ctx->objs[i]);
}

static void zsm_test_round_trip_every_class(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-round-trip");
	unsigned int i, smallest = 1, straddled = 0, classes = 0;
	unsigned long pages, objs;

	zt_objs(test, ZSM_MAX_OBJS + 1);
	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = pool->size_class[i];

		if (class->index != i)
			continue;
		zt_round_trip_class(test, class, smallest, &straddled);
		smallest = class->size + 1;
		classes++;
		/* Every object freed: every zspage of the class is gone */
		KUNIT_EXPECT_EQ(test, class->nr_zspages, 0UL);
	}
	zt_settle(pool);
	zt_totals(pool, &pages, &objs);
	KUNIT_EXPECT_EQ(test, pages, 0UL);
	KUNIT_EXPECT_EQ(test, objs, 0UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
	KUNIT_EXPECT_GT(test, straddled, 0U);
	kunit_info(test, "%u classes, %u objects crossed a page boundary\n",
		   classes, straddled);
}

/* Every size from 1 to PAGE_SIZE once, all alive together */
static void zsm_test_round_trip_every_size(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-every-size");
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *objs = zt_objs(test, PAGE_SIZE);
	unsigned int size;

	for (size = 1; size <= PAGE_SIZE; size++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[size - 1], size,
					       size * 31, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
	for (size = 1; size <= PAGE_SIZE; size += 2)
		zt_free(ctx, &objs[size - 1]);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
	for (size = 2; size <= PAGE_SIZE; size += 2)
		zt_free(ctx, &objs[size - 1]);
	zt_settle(pool);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
}

/*
 * What the pool reports as its memory: its pages, each zspage's descriptor
 * as its cache sizes it, and a handle word per object; nothing once empty
 */
static void zsm_test_total_bytes(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-bytes");
	struct zt_ctx *ctx = test->priv;
	struct zsm_class *small = pool->size_class[0];
	struct zsm_class *large = pool->size_class[size_to_index(1500)];
	unsigned int nr = 3 * small->objs_per_zspage + 1, i;
	struct zt_obj *objs = zt_objs(test, nr + 5);
	unsigned long meta;

	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], small->size, i,
					       GFP_KERNEL), 0);
	for (i = nr; i < nr + 5; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], 1500, i,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, small->nr_zspages, 4UL);
	meta = small->nr_zspages * kmem_cache_size(small->desc_cache) +
	       large->nr_zspages * kmem_cache_size(large->desc_cache) +
	       (nr + 5) * sizeof(unsigned long);
	KUNIT_EXPECT_EQ(test, zsm_get_total_bytes(pool),
			(zsm_get_total_pages(pool) << PAGE_SHIFT) + meta);
	/* the descriptor cache wastes less than a step */
	KUNIT_EXPECT_LT(test, kmem_cache_size(small->desc_cache) -
			struct_size_t(struct zsm_zspage, cells,
				      small->pages_per_zspage +
				      small->objs_per_zspage),
			(size_t)ZSM_DESC_STEP);
	for (i = 0; i < nr + 5; i++)
		zt_free(ctx, &objs[i]);
	zt_settle(pool);
	KUNIT_EXPECT_EQ(test, zsm_get_total_bytes(pool), 0UL);
}

/* ---- handles ---- */

static int zt_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static void zsm_test_handles_unique(struct kunit *test)
{
	const unsigned int nr = 3000;
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *objs;
	unsigned long *sorted;
	unsigned int i, dups = 0;
	u32 rng = 12345;

	zt_pool(test, "kunit-handles");
	objs = zt_objs(test, nr);
	sorted = kunit_kmalloc_array(test, nr, sizeof(*sorted), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sorted);

	for (i = 0; i < nr; i++) {
		unsigned int size = zt_rand(&rng) % PAGE_SIZE + 1;

		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], size, i,
					       GFP_KERNEL), 0);
		KUNIT_EXPECT_NE(test, objs[i].handle, 0UL);
		sorted[i] = objs[i].handle;
	}
	sort(sorted, nr, sizeof(*sorted), zt_cmp_ulong, NULL);
	for (i = 1; i < nr; i++)
		dups += sorted[i] == sorted[i - 1];
	KUNIT_EXPECT_EQ(test, dups, 0U);
	/* Overlapping objects would have overwritten each other */
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
}

/* ---- statistics ---- */

static void zt_expect_stats(struct kunit *test, struct zsm_pool *pool,
			    const unsigned long *per_class, unsigned long live)
{
	unsigned long pages, objs, bad = 0;
	struct zsm_class_stats st;
	unsigned int i, g;

	zt_settle(pool);
	zt_totals(pool, &pages, &objs);
	KUNIT_EXPECT_EQ(test, objs, live);
	KUNIT_EXPECT_EQ(test, pages, zsm_get_total_pages(pool));

	for (i = 0; i < ZSM_NR_SIZES; i++) {
		unsigned long sum = 0;

		if (pool->size_class[i]->index != i)
			continue;
		class_read_stats(pool->size_class[i], &st);
		for (g = 0; g < ZSM_NR_GROUPS; g++)
			sum += st.in_group[g];
		if (st.objs_used != per_class[i] || sum != st.zspages ||
		    st.objs_used > st.zspages * st.objs_per_zspage)
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
}

static void zsm_test_stats(struct kunit *test)
{
	const unsigned int nr = 2000;
	struct zsm_pool *pool = zt_pool(test, "kunit-stats");
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *objs = zt_objs(test, nr);
	unsigned long *per_class, live = 0;
	unsigned int i;
	u32 rng = 777;

	per_class = kunit_kcalloc(test, ZSM_NR_SIZES, sizeof(*per_class),
				  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, per_class);
	KUNIT_EXPECT_EQ(test, zt_compacted(pool), 0UL);

	for (i = 0; i < nr; i++) {
		unsigned int size = zt_rand(&rng) % PAGE_SIZE + 1;

		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], size, i,
					       GFP_KERNEL), 0);
		per_class[pool->size_class[size_to_index(size)]->index]++;
		live++;
	}
	zt_expect_stats(test, pool, per_class, live);

	for (i = 0; i < nr; i += 3) {
		per_class[pool->size_class[size_to_index(objs[i].size)]->index]--;
		zt_free(ctx, &objs[i]);
		live--;
	}
	zt_expect_stats(test, pool, per_class, live);

	for (i = 0; i < nr; i++) {
		if (!objs[i].handle)
			continue;
		per_class[pool->size_class[size_to_index(objs[i].size)]->index]--;
		zt_free(ctx, &objs[i]);
		live--;
	}
	zt_expect_stats(test, pool, per_class, live);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
}

/* The debugfs file prints the same totals */
static void zsm_test_classes_file(struct kunit *test)
{
	const unsigned int nr = 300;
	struct zsm_pool *pool = zt_pool(test, "kunit-classes-file");
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *objs = zt_objs(test, nr);
	unsigned long pages, pool_pages, slots, used;
	struct seq_file m = {};
	const char *total;
	unsigned int i;
	int fields;

	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i],
					       i * 97 % PAGE_SIZE + 1, i,
					       GFP_KERNEL), 0);
	zt_settle(pool);
	m.size = 64 * 1024;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	m.private = pool;
	KUNIT_ASSERT_EQ(test, zsm_classes_show(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);

	total = strstr(m.buf, "total: ");
	KUNIT_ASSERT_NOT_NULL(test, total);
	fields = sscanf(total, "total: pages %lu (pool %lu) objs %lu used %lu",
			&pages, &pool_pages, &slots, &used);
	KUNIT_ASSERT_EQ(test, fields, 4);
	KUNIT_EXPECT_EQ(test, pages, zsm_get_total_pages(pool));
	KUNIT_EXPECT_EQ(test, pool_pages, pages);
	KUNIT_EXPECT_EQ(test, used, (unsigned long)nr);
	KUNIT_EXPECT_GE(test, slots, used);
}

/* ---- failures ---- */

static void zsm_test_bad_sizes(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-bad-sizes");
	unsigned long handle = 0;

	KUNIT_EXPECT_EQ(test, zsm_malloc(pool, 0, GFP_KERNEL, &handle),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zsm_malloc(pool, PAGE_SIZE + 1, GFP_KERNEL,
					 &handle), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsm_malloc(pool, SIZE_MAX, GFP_KERNEL, &handle),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, handle, 0UL);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
	/* Freeing handle 0 is allowed and does nothing */
	zsm_free(pool, 0);
}

static void zsm_test_alloc_failure(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-alloc-failure");
	struct zt_ctx *ctx = test->priv;
	struct zsm_class *class = zt_find_class(pool, 3, 4);
	struct zt_obj *objs, extra = {};
	unsigned int budget, i, n;

	KUNIT_ASSERT_NOT_NULL(test, class);
	n = class->objs_per_zspage;
	objs = zt_objs(test, n);

	/* Fail the zspage struct, then each page in turn */
	for (budget = 0; budget <= class->pages_per_zspage; budget++) {
		atomic_set(&pool->kunit_alloc_budget, budget);
		KUNIT_EXPECT_EQ(test, zt_alloc(ctx, &objs[0], class->size, 1,
					       GFP_KERNEL), -ENOMEM);
		KUNIT_EXPECT_EQ(test, objs[0].handle, 0UL);
		KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
		KUNIT_EXPECT_EQ(test, class->nr_zspages, 0UL);
		KUNIT_EXPECT_EQ(test, class->objs_used, 0UL);
	}

	/* Exactly enough: one zspage, filled */
	atomic_set(&pool->kunit_alloc_budget, class->pages_per_zspage + 1);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], class->size, i,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			(unsigned long)class->pages_per_zspage);

	/* A full class needs a new zspage, which fails cleanly */
	KUNIT_EXPECT_EQ(test, zt_alloc(ctx, &extra, class->size, 99,
				       GFP_KERNEL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, class->objs_used, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, class->nr_zspages, 1UL);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);

	/* A freed slot is reused without allocating */
	zt_free(ctx, &objs[n / 2]);
	KUNIT_EXPECT_EQ(test, zt_alloc(ctx, &objs[n / 2], class->size, 7,
				       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);

	/* No reclaim allowed: may fail, must stay consistent either way */
	atomic_set(&pool->kunit_alloc_budget, -1);
	if (!zt_alloc(ctx, &extra, class->size, 5, GFP_NOWAIT | __GFP_NOWARN)) {
		KUNIT_EXPECT_TRUE(test, zt_check(ctx, &extra));
		zt_free(ctx, &extra);
	}
	zt_settle(pool);
	KUNIT_EXPECT_EQ(test, class->objs_used, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			(unsigned long)class->pages_per_zspage);
}

/* ---- compaction ---- */

/* Sizes spread over classes of different zspage lengths */
static const unsigned int zt_frag_sizes[] = {
	100, 333, 700, 1000, 1500, 2100, 2900, 3400,
};

static void zt_fragment(struct kunit *test, unsigned int nr)
{
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *objs = zt_objs(test, nr);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		unsigned int size = zt_frag_sizes[i % ARRAY_SIZE(zt_frag_sizes)];

		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], size, i,
					       GFP_KERNEL), 0);
	}
	/* Keep one object in four */
	for (i = 0; i < nr; i++) {
		if ((i / ARRAY_SIZE(zt_frag_sizes)) % 4)
			zt_free(ctx, &objs[i]);
	}
	zt_settle(ctx->pool);
}

static void zsm_test_compaction_frees_pages(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-compact");
	struct zt_ctx *ctx = test->priv;
	unsigned long before, after, freed, freeable, pages, objs;

	zt_fragment(test, 2400);
	before = zsm_get_total_pages(pool);
	freeable = pool_freeable_pages(pool);
	KUNIT_EXPECT_GT(test, freeable, 0UL);

	freed = zsm_compact(pool);
	zt_settle(pool);
	after = zsm_get_total_pages(pool);
	kunit_info(test, "pages %lu -> %lu (freed %lu, estimated %lu)\n",
		   before, after, freed, freeable);

	KUNIT_EXPECT_GT(test, freed, 0UL);
	KUNIT_EXPECT_EQ(test, after, before - freed);
	KUNIT_EXPECT_EQ(test, zt_compacted(pool), freed);
	KUNIT_EXPECT_EQ(test, pool_freeable_pages(pool), 0UL);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
	zt_totals(pool, &pages, &objs);
	KUNIT_EXPECT_EQ(test, pages, after);

	/* Nothing left to gain */
	KUNIT_EXPECT_EQ(test, zsm_compact(pool), 0UL);
	KUNIT_EXPECT_EQ(test, zt_compacted(pool), freed);
}

static void zsm_test_shrinker(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-shrinker");
	struct zt_ctx *ctx = test->priv;
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long count, freed;

	if (!pool->shrinker)
		kunit_skip(test, "no shrinker registered");
	zt_fragment(test, 1200);

	count = zsm_shrinker_count(pool->shrinker, &sc);
	KUNIT_EXPECT_GT(test, count, 0UL);
	sc.nr_to_scan = count;
	freed = zsm_shrinker_scan(pool->shrinker, &sc);
	KUNIT_EXPECT_EQ(test, freed, count);
	KUNIT_EXPECT_EQ(test, zsm_shrinker_count(pool->shrinker, &sc), 0UL);
	KUNIT_EXPECT_EQ(test, zsm_shrinker_scan(pool->shrinker, &sc),
			SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
}

/*
 * A read-locked zspage is skipped, the rest of its class is still
 * compacted, and the skipped zspage is compacted once released.
 */
static void zsm_test_compaction_skips_readers(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-compact-busy");
	struct zt_ctx *ctx = test->priv;
	struct zsm_class *class = zt_find_class(pool, 2, 8);
	struct zt_obj *objs, *held;
	unsigned int i, k, idx;
	unsigned long loc;
	void *mem;

	KUNIT_ASSERT_NOT_NULL(test, class);
	k = class->objs_per_zspage;
	objs = zt_objs(test, 3 * k);
	for (i = 0; i < 3 * k; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], class->size, i,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, class->nr_zspages, 3UL);
	/* Zspages A, B, C keep 1, k/4 and k/2 objects: emptiest first */
	held = &objs[0];
	for (i = 1; i < k; i++)
		zt_free(ctx, &objs[i]);
	for (i = k + k / 4; i < 2 * k; i++)
		zt_free(ctx, &objs[i]);
	for (i = 2 * k + k / 2; i < 3 * k; i++)
		zt_free(ctx, &objs[i]);
	KUNIT_ASSERT_PTR_NE(test, handle_zspage(held->handle, &idx),
			    handle_zspage(objs[k].handle, &idx));

	/* A is held: B still drains into C */
	loc = handle_location(held->handle);
	mem = zsm_obj_read_begin(pool, held->handle, held->size, ctx->buf);
	KUNIT_EXPECT_EQ(test, zsm_compact(pool),
			(unsigned long)class->pages_per_zspage);
	KUNIT_EXPECT_EQ(test, handle_location(held->handle), loc);
	KUNIT_EXPECT_EQ(test, memcmp(mem, zt_expected(ctx, held->seed),
				     held->size), 0);
	/* Skipped zspages went back on their lists */
	KUNIT_EXPECT_TRUE(test, list_empty(&class->parked));
	KUNIT_EXPECT_EQ(test, class->nr_zspages, 2UL);
	zsm_obj_read_end(pool, held->handle, mem);

	/* Released: A drains too */
	KUNIT_EXPECT_EQ(test, zsm_compact(pool),
			(unsigned long)class->pages_per_zspage);
	KUNIT_EXPECT_NE(test, handle_location(held->handle), loc);
	KUNIT_EXPECT_EQ(test, class->nr_zspages, 1UL);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
}

/* Migration of a locked page of a dying zspage is refused */
static void zt_expect_no_migration(struct kunit *test, struct page *page)
{
#if ZSM_MOVABLE
	struct page *newpage = alloc_page(GFP_KERNEL);

	KUNIT_EXPECT_FALSE(test, zsm_page_isolate(page, 0));
	if (!newpage || !trylock_page(newpage))
		goto put;
	KUNIT_EXPECT_EQ(test, zsm_page_migrate(newpage, page, MIGRATE_SYNC),
			-EBUSY);
	unlock_page(newpage);
put:
	if (newpage)
		put_page(newpage);
#endif
}

/* zsm_free() in atomic context: spinlock held (non-RT), no sleeping */
static void zsm_test_free_atomic(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-free-atomic");
	struct zt_ctx *ctx = test->priv;
	struct zsm_class *class = zt_find_class(pool, 2, 4);
	unsigned int i, n;
	struct zt_obj *objs;
	spinlock_t lock;	/* held around the frees: atomic context on !RT */

	KUNIT_ASSERT_NOT_NULL(test, class);
	n = 3 * class->objs_per_zspage;
	objs = zt_objs(test, n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], class->size, i,
					       GFP_KERNEL), 0);
	spin_lock_init(&lock);
	spin_lock(&lock);
	for (i = 0; i < n; i++)
		zt_free(ctx, &objs[i]);
	spin_unlock(&lock);
	zt_settle(pool);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
}

/*
 * An empty zspage whose page is locked (as by the migration core in the
 * middle of a migration) is released later, by the work item; meanwhile
 * migration leaves it alone.
 */
static void zsm_test_release_busy_page(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-release-busy");
	struct zt_ctx *ctx = test->priv;
	struct zsm_class *class = zt_find_class(pool, 2, 2);
	struct zt_obj *obj;
	struct zsm_zspage *zs;
	struct page *page;
	unsigned int idx;

	if (!ZSM_MOVABLE)
		kunit_skip(test, "pages are not locked to free them here");
	KUNIT_ASSERT_NOT_NULL(test, class);
	obj = zt_objs(test, 1);
	KUNIT_ASSERT_EQ(test, zt_alloc(ctx, obj, class->size, 3, GFP_KERNEL),
			0);
	zs = handle_zspage(obj->handle, &idx);
	page = zspage_page(zs, class->pages_per_zspage - 1);
	get_page(page);
	lock_page(page);

	zt_free(ctx, obj);
	/* Not freed yet: the release waits for our page lock */
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool),
			(unsigned long)class->pages_per_zspage);
	KUNIT_EXPECT_EQ(test, class->nr_zspages, 0UL);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(zs->dying));
	zt_expect_no_migration(test, page);
	unlock_page(page);
	zt_settle(pool);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
	KUNIT_EXPECT_EQ(test, page_private(page), 0UL);
	put_page(page);
}

/* ---- migration ---- */

#if ZSM_MOVABLE

/* Whether @page carries our movable_ops, as __SetPageMovable() sets them */
static bool zt_page_movable_ours(struct page *page)
{
	unsigned long ops = (unsigned long)&zsm_mops | PAGE_MAPPING_MOVABLE;

	return (unsigned long)READ_ONCE(page->mapping) == ops;
}

/*
 * Reference page @nr of @zs under the pool lock, so that the kernel's own
 * migration cannot free it under us meanwhile
 */
static struct page *zt_pin_page(struct zsm_pool *pool, struct zsm_zspage *zs,
				unsigned int nr)
{
	struct page *page;

	pool_lookup_lock(pool);
	page = zspage_page(zs, nr);
	get_page(page);
	pool_lookup_unlock(pool);
	return page;
}

/*
 * Do what the migration core does to a page of @zs, on which the caller
 * holds a reference: lock it, check it is still ours, isolate, migrate to
 * a new locked page, put back on failure.  Returns the migration result.
 * @zs may have been freed meanwhile: it is compared, not followed.
 */
static int zt_migrate_page(struct page *page, struct zsm_zspage *zs)
{
	struct page *newpage = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
	int rc = -EBUSY;

	if (!newpage)
		return -ENOMEM;
	if (!trylock_page(newpage))
		goto put;
	lock_page(page);
	/* Our reference keeps the page from reuse: private says if ours */
	if (page_private(page) != (unsigned long)zs ||
	    !zt_page_movable_ours(page) || !zsm_page_isolate(page, 0))
		goto unlock;
	rc = zsm_page_migrate(newpage, page, MIGRATE_SYNC);
	if (rc != MIGRATEPAGE_SUCCESS)
		zsm_page_putback(page);
unlock:
	unlock_page(page);
	unlock_page(newpage);
put:
	put_page(newpage);
	return rc;
}

static void zsm_test_migration(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-migrate");
	struct zt_ctx *ctx = test->priv;
	struct zsm_class *class = zt_find_class(pool, 2, 2);
	struct page *old, *now;
	struct zsm_zspage *zs;
	struct zt_obj *objs;
	unsigned int i, n, nr, idx;
	void *mem;

	KUNIT_ASSERT_NOT_NULL(test, class);
	n = 2 * class->objs_per_zspage;
	objs = zt_objs(test, n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], class->size, i,
					       GFP_KERNEL), 0);
	zs = handle_zspage(objs[0].handle, &idx);

	/* Every page of the zspage, the first (which is in handles) too */
	for (nr = 0; nr < class->pages_per_zspage; nr++) {
		old = zt_pin_page(pool, zs, nr);
		KUNIT_EXPECT_EQ(test, zt_migrate_page(old, zs),
				MIGRATEPAGE_SUCCESS);
		now = zspage_page(zs, nr);
		KUNIT_EXPECT_PTR_NE(test, now, old);
		KUNIT_EXPECT_EQ(test, page_private(now), (unsigned long)zs);
		KUNIT_EXPECT_TRUE(test, zt_page_movable_ours(now));
		KUNIT_EXPECT_EQ(test, page_private(old), 0UL);
		KUNIT_EXPECT_FALSE(test, zt_page_movable_ours(old));
		/* The old page is ours no more: drop the last reference */
		put_page(old);
	}
	KUNIT_EXPECT_PTR_EQ(test, handle_zspage(objs[0].handle, &idx), zs);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);

	/* A reader holds an object: the zspage must not move */
	mem = zsm_obj_read_begin(pool, objs[0].handle, objs[0].size, ctx->buf);
	old = zt_pin_page(pool, zs, 0);
	KUNIT_EXPECT_EQ(test, zt_migrate_page(old, zs), -EAGAIN);
	KUNIT_EXPECT_PTR_EQ(test, zspage_page(zs, 0), old);
	put_page(old);
	KUNIT_EXPECT_EQ(test, memcmp(mem, zt_expected(ctx, objs[0].seed),
				     objs[0].size), 0);
	zsm_obj_read_end(pool, objs[0].handle, mem);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);

	/* Migrated pages compact and free like any others */
	for (i = 0; i < n; i += 2)
		zt_free(ctx, &objs[i]);
	zsm_compact(pool);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
	for (i = 1; i < n; i += 2)
		zt_free(ctx, &objs[i]);
	zt_settle(pool);
	KUNIT_EXPECT_EQ(test, zsm_get_total_pages(pool), 0UL);
}

#else /* !ZSM_MOVABLE */

static void zsm_test_migration(struct kunit *test)
{
	kunit_skip(test, "this kernel cannot migrate a module's pages");
}

#endif /* ZSM_MOVABLE */

/* ---- sleeping readers against compaction on other CPUs ---- */

struct zt_race {
	struct zt_ctx *ctx;
	unsigned int nr_stable;
	unsigned int nr_churn;
	atomic_t reads;
	atomic_t sleeps;
	atomic_t bad_reads;
	atomic_t compactions;
	atomic_t bad_churn;
	atomic_t migrations;
	atomic_t migrate_busy;
	atomic_long_t compacted;
	atomic_t seeds;
};

/* Stable objects: read, sometimes sleeping in between, and compare */
static int zt_reader(void *data)
{
	struct zt_race *race = data;
	struct zt_ctx *ctx = race->ctx;
	u32 rng = 0x9e3779b9 + atomic_inc_return(&race->seeds);
	void *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

	while (!kthread_should_stop()) {
		struct zt_obj *obj;
		void *mem;

		if (!buf) {
			msleep(20);
			continue;
		}
		obj = &ctx->objs[zt_rand(&rng) % race->nr_stable];
		mem = zsm_obj_read_begin(ctx->pool, obj->handle, obj->size,
					 buf);
		if (zt_rand(&rng) & 1) {
			usleep_range(500, 1500);
			atomic_inc(&race->sleeps);
		}
		if (memcmp(mem, zt_expected(ctx, obj->seed), obj->size))
			atomic_inc(&race->bad_reads);
		zsm_obj_read_end(ctx->pool, obj->handle, mem);
		atomic_inc(&race->reads);
		cond_resched();
	}
	kfree(buf);
	return 0;
}

/* Churn objects: replace some, compact the pool, repeat */
static int zt_compactor(void *data)
{
	struct zt_race *race = data;
	struct zt_ctx *ctx = race->ctx;
	u32 rng = 0x7f4a7c15;
	unsigned int k;

	while (!kthread_should_stop()) {
		for (k = 0; k < 32; k++) {
			unsigned int i = race->nr_stable +
					 zt_rand(&rng) % race->nr_churn;
			struct zt_obj *obj = &ctx->objs[i];

			if (!obj->handle) {
				zt_alloc(ctx, obj, zt_rand(&rng) % 3000 + 64,
					 zt_rand(&rng), GFP_KERNEL);
				continue;
			}
			if (!zt_check_len(ctx, obj, obj->size, ctx->buf))
				atomic_inc(&race->bad_churn);
			zt_free(ctx, obj);
		}
		atomic_long_add(zsm_compact(ctx->pool), &race->compacted);
		atomic_inc(&race->compactions);
		cond_resched();
	}
	return 0;
}

/* Compaction the way reclaim asks for it */
static int zt_shrinker_compactor(void *data)
{
	struct zt_race *race = data;
	struct zsm_pool *pool = race->ctx->pool;
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };

	while (!kthread_should_stop()) {
		if (pool->shrinker && zsm_shrinker_count(pool->shrinker, &sc)) {
			sc.nr_to_scan = 128;
			zsm_shrinker_scan(pool->shrinker, &sc);
			atomic_inc(&race->compactions);
		}
		usleep_range(500, 1000);
	}
	return 0;
}

#if ZSM_MOVABLE
/* Migrate random pages under the stable objects */
static int zt_migrator(void *data)
{
	struct zt_race *race = data;
	struct zt_ctx *ctx = race->ctx;
	u32 rng = 0x1b873593;

	while (!kthread_should_stop()) {
		struct zt_obj *obj = &ctx->objs[zt_rand(&rng) %
						race->nr_stable];
		u32 pick = zt_rand(&rng);
		struct zsm_zspage *zs;
		struct page *page;
		unsigned int idx;
		int rc;

		/*
		 * Pin a page of the object's zspage, as the kernel's scanner
		 * would, all under the lookup lock: compaction moves stable
		 * objects too, and may free their zspage as soon as the lock
		 * is dropped.  Past it, zs is only compared with the page's
		 * owner, never followed.
		 */
		pool_lookup_lock(ctx->pool);
		zs = handle_zspage(obj->handle, &idx);
		page = zspage_page(zs, pick % zs->class->pages_per_zspage);
		get_page(page);
		pool_lookup_unlock(ctx->pool);

		rc = zt_migrate_page(page, zs);
		put_page(page);
		if (rc == MIGRATEPAGE_SUCCESS)
			atomic_inc(&race->migrations);
		else if (rc == -EAGAIN)
			atomic_inc(&race->migrate_busy);
		usleep_range(200, 400);
	}
	return 0;
}
#endif

static struct task_struct *zt_start(struct kunit *test,
				    int (*fn)(void *data), struct zt_race *race,
				    const char *name, unsigned int cpu)
{
	struct task_struct *task;

	task = kthread_create(fn, race, "zt-%s", name);
	if (IS_ERR(task))
		return NULL;
	get_task_struct(task);
	if (num_online_cpus() > 1)
		kthread_bind(task, cpu % num_online_cpus());
	wake_up_process(task);
	return task;
}

static void zsm_test_sleeping_readers(struct kunit *test)
{
	const unsigned int nr_stable = 600, nr_churn = 600;
	struct zt_ctx *ctx = test->priv;
	struct task_struct *tasks[5] = {};
	struct zt_race *race;
	struct zt_obj *objs;
	unsigned int i, started = 0;
	u32 rng = 4242;

	zt_pool(test, "kunit-race");
	race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, race);
	race->ctx = ctx;
	race->nr_stable = nr_stable;
	race->nr_churn = nr_churn;
	objs = zt_objs(test, nr_stable + nr_churn);
	for (i = 0; i < nr_stable + nr_churn; i++)
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i],
					       zt_rand(&rng) % 3000 + 64, i,
					       GFP_KERNEL), 0);
	/* Holes among the stable objects give compaction work */
	for (i = nr_stable; i < nr_stable + nr_churn; i += 2)
		zt_free(ctx, &objs[i]);

	/* Readers on CPU 0, compaction on the others when there are any */
	tasks[0] = zt_start(test, zt_reader, race, "reader0", 0);
	tasks[1] = zt_start(test, zt_reader, race, "reader1", 0);
	tasks[2] = zt_start(test, zt_compactor, race, "compact", 1);
	tasks[3] = zt_start(test, zt_shrinker_compactor, race, "shrink", 1);
#if ZSM_MOVABLE
	tasks[4] = zt_start(test, zt_migrator, race, "migrate", 1);
#endif
	msleep(ZT_RACE_MS);
	for (i = 0; i < ARRAY_SIZE(tasks); i++) {
		if (!tasks[i])
			continue;
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
		started++;
	}

	kunit_info(test,
		   "%u threads: %d reads (%d slept), %d compactions freeing %ld pages, %d migrations (%d refused: reader)\n",
		   started, atomic_read(&race->reads),
		   atomic_read(&race->sleeps),
		   atomic_read(&race->compactions),
		   atomic_long_read(&race->compacted),
		   atomic_read(&race->migrations),
		   atomic_read(&race->migrate_busy));
	KUNIT_EXPECT_GE(test, started, 4U);
	KUNIT_EXPECT_EQ(test, atomic_read(&race->bad_reads), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&race->bad_churn), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&race->reads), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&race->sleeps), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&race->compactions), 0);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
}

/* ---- packing ---- */

/*
 * Sizes shaped like 4 KiB pages after compression: most around 1.2-2 KiB,
 * some small, a tail up to 4 KiB and a few pages that do not compress.
 */
static unsigned int zt_compressed_size(u32 *rng)
{
	unsigned int r = zt_rand(rng) % 100, size;

	if (r < 5)
		return PAGE_SIZE;
	if (r < 11)
		return 3000 + zt_rand(rng) % (PAGE_SIZE - 3000);
	if (r < 26)
		return 64 + zt_rand(rng) % 900;
	/* The sum of four uniforms: roughly normal, mean 1600, sd ~460 */
	size = 0;
	for (r = 0; r < 4; r++)
		size += zt_rand(rng) % 1601;
	return clamp(size, 40U, (unsigned int)PAGE_SIZE - 1);
}

static unsigned long zt_report_packing(struct kunit *test, const char *when)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long stored = 0, live = 0, pages, permille;
	unsigned long meta = 0, zspages = 0;
	unsigned int i;

	for (i = 0; i < ctx->nr; i++) {
		if (ctx->objs[i].handle) {
			stored += ctx->objs[i].size;
			live++;
		}
	}
	for (i = 0; i < ZSM_NR_SIZES; i++) {
		struct zsm_class *class = ctx->pool->size_class[i];

		if (class->index != i)
			continue;
		zspages += class->nr_zspages;
		meta += class->nr_zspages *
			struct_size((struct zsm_zspage *)NULL, cells,
				    class->pages_per_zspage +
				    class->objs_per_zspage);
	}
	zt_settle(ctx->pool);
	pages = zsm_get_total_pages(ctx->pool);
	permille = pages ? stored * 1000 / (pages * PAGE_SIZE) : 0;
	kunit_info(test,
		   "%s: %lu objects, %lu bytes in %lu pages (%lu zspages): %lu.%lu%% used; metadata %lu bytes + %lu handle bytes\n",
		   when, live, stored, pages, zspages, permille / 10,
		   permille % 10, meta, live * sizeof(unsigned long));
	return permille;
}

static void zsm_test_packing(struct kunit *test)
{
	struct zsm_pool *pool = zt_pool(test, "kunit-packing");
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *objs = zt_objs(test, ZT_PACK_OBJS);
	unsigned long permille;
	unsigned int i;
	u32 rng = 20250212;

	for (i = 0; i < ZT_PACK_OBJS; i++) {
		unsigned int size = zt_compressed_size(&rng);

		/* zram stores what would land in the huge class as a page */
		if (size >= zsm_huge_class_size(pool))
			size = PAGE_SIZE;
		KUNIT_ASSERT_EQ(test, zt_alloc(ctx, &objs[i], size, i,
					       GFP_KERNEL), 0);
	}
	permille = zt_report_packing(test, "filled");
	KUNIT_EXPECT_GE(test, permille, (unsigned long)ZT_PACK_MIN_PERMILLE);

	/* Random frees: about 40% */
	for (i = 0; i < ZT_PACK_OBJS; i++) {
		if (zt_rand(&rng) % 100 < 40)
			zt_free(ctx, &objs[i]);
	}
	zt_report_packing(test, "after frees");

	zsm_compact(pool);
	permille = zt_report_packing(test, "compacted");
	KUNIT_EXPECT_GE(test, permille, (unsigned long)ZT_PACK_MIN_PERMILLE);
	KUNIT_EXPECT_EQ(test, zt_check_all(ctx), 0U);
}

static struct kunit_case zsmalloc_kunit_cases[] = {
	KUNIT_CASE(zsm_test_geometry),
	KUNIT_CASE(zsm_test_round_trip_every_class),
	KUNIT_CASE(zsm_test_round_trip_every_size),
	KUNIT_CASE(zsm_test_total_bytes),
	KUNIT_CASE(zsm_test_handles_unique),
	KUNIT_CASE(zsm_test_stats),
	KUNIT_CASE(zsm_test_classes_file),
	KUNIT_CASE(zsm_test_bad_sizes),
	KUNIT_CASE(zsm_test_alloc_failure),
	KUNIT_CASE(zsm_test_compaction_frees_pages),
	KUNIT_CASE(zsm_test_shrinker),
	KUNIT_CASE(zsm_test_compaction_skips_readers),
	KUNIT_CASE(zsm_test_free_atomic),
	KUNIT_CASE(zsm_test_release_busy_page),
	KUNIT_CASE(zsm_test_migration),
	KUNIT_CASE(zsm_test_sleeping_readers),
	KUNIT_CASE(zsm_test_packing),
	{}
};

static struct kunit_suite zsmalloc_kunit_suite = {
	.name = "zsmalloc_kunit",
	.init = zt_init,
	.exit = zt_exit,
	.test_cases = zsmalloc_kunit_cases,
};

kunit_test_suite(zsmalloc_kunit_suite);
