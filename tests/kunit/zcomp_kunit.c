// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "zcomp_kunit": the stream layer and every backend built.
 *
 * Included at the bottom of zcomp.c when ZRAM_KUNIT is defined, so the
 * static parts (the backend list, the hotplug callbacks) are in reach.
 *
 *  registry      comp_algorithm listing and name lookup
 *  round_trips   each backend at several levels on zero, text, structured
 *                binary, kernel text, random and mixed pages
 *  early_abort   which configurations check first, and that the check
 *                gives up on random pages only, not on pages that either
 *                repeats or skewed bytes make compressible
 *  deflate_winbits  raw and zlib-wrapped windows of several sizes
 *  no_overflow   output that does not fit is an error and never writes
 *                past the room; truncated, short, long and garbage input
 *                is refused without writing past the page
 *  dictionaries  zstd, lz4 and lz4hc with a dictionary
 *  zstd_bad_dict a corrupt zstd-format dictionary is refused
 *  bad_params    refused parameters leave the parameters untouched
 *  concurrency   kthreads sharing streams, sleeping while holding them
 *  dstream_elsewhere  a reader takes another CPU's free decompression
 *                stream, and waits for its own only when all are busy
 *  hotplug_callbacks  the prepare/dead callbacks on one CPU's streams
 *  cpu_offline   a real CPU offline/online while kthreads compress
 *  benchmark     one-thread compress/decompress throughput per backend
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

/* Bytes after an output buffer that must stay untouched */
#define ZCT_GUARD		64
#define ZCT_GUARD_BYTE		0xa5
/* Ends a list of levels */
#define ZCT_END			INT_MAX
/* How long the benchmark runs each backend in each direction */
#define ZCT_BENCH_MS		200
#define ZCT_BENCH_NS		(ZCT_BENCH_MS * NSEC_PER_MSEC)
#define ZCT_BENCH_PAGES		16

/* Scratch buffers of one test case (test->priv) */
struct zct_scratch {
	u8 *page;	/* input */
	u8 *cbuf;	/* compressed data, followed by a guard */
	u8 *out;	/* decompressed data, followed by a guard */
};

/* ------------------------------------------------------------------ */
/* Deterministic data                                                   */

static u32 zct_seed(u32 seed)
{
	return seed * 2654435761U + 0x9e3779b9U;
}

/* xorshift32: the state must never be 0, which zct_seed() avoids enough */
static u32 zct_rand(u32 *state)
{
	u32 x = *state ? *state : 1;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static const char *const zct_words[] = {
	"the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
	"as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
	"or", "his", "from", "at", "which", "but", "have", "an", "had",
	"they", "you", "were", "their", "one", "all", "we", "can", "her",
	"has", "there", "been", "if", "more", "when", "will", "would", "who",
	"so", "no", "memory", "page", "kernel", "compressed", "swap",
	"device", "block", "stream", "system", "process", "time", "data",
	"number", "between", "through", "because", "without", "another",
};

static void zct_fill_zero(u8 *buf, size_t len, u32 seed)
{
	memset(buf, 0, len);
}

/* English-like prose: words, commas, sentences, lines of ~70 columns */
static void zct_fill_text(u8 *buf, size_t len, u32 seed)
{
	u32 s = zct_seed(seed);
	size_t pos = 0, col = 0;
	bool capital = true;

	while (pos < len) {
		const char *w = zct_words[zct_rand(&s) % ARRAY_SIZE(zct_words)];
		u32 r = zct_rand(&s) % 16;
		size_t i;

		for (i = 0; w[i] && pos < len; i++, col++)
			buf[pos++] = capital && !i ? toupper(w[i]) : w[i];
		capital = false;
		if (pos < len && r == 0) {
			buf[pos++] = '.';
			capital = true;
		} else if (pos < len && r == 1) {
			buf[pos++] = ',';
		}
		if (pos < len) {
			buf[pos++] = col > 70 ? '\n' : ' ';
			col = col > 70 ? 0 : col + 1;
		}
	}
}

/* Store @bytes bytes of @val, little-endian */
static void zct_put_le(u8 *p, u64 val, int bytes)
{
	while (bytes--) {
		*p++ = val & 0xff;
		val >>= 8;
	}
}

/* Records as in kernel memory: pointers, ids, flags, small numbers, holes */
static void zct_fill_struct(u8 *buf, size_t len, u32 seed)
{
	static const u32 flags[] = { 0, 0x1, 0x11, 0x80000001 };
	u32 s = zct_seed(seed);
	u32 id = seed * 1000;
	size_t off;

	memset(buf, 0, len);
	for (off = 0; off + 32 <= len; off += 32) {
		u64 ptr = 0xffff888000000000ULL |
			  ((u64)(zct_rand(&s) & 0xfffff) << 6);

		zct_put_le(buf + off, ptr, 8);
		zct_put_le(buf + off + 8, id++, 4);
		zct_put_le(buf + off + 12, flags[zct_rand(&s) % 4], 4);
		zct_put_le(buf + off + 24, zct_rand(&s) % 100, 2);
	}
}

static void zct_fill_random(u8 *buf, size_t len, u32 seed)
{
	u32 s = zct_seed(seed);
	size_t off;

	for (off = 0; off < len; off++)
		buf[off] = zct_rand(&s) >> 24;
}

/* Machine code: the page of kernel text around kfree() */
static void zct_fill_ktext(u8 *buf, size_t len, u32 seed)
{
	const u8 *text = (const u8 *)((unsigned long)kfree & PAGE_MASK);

	memcpy(buf, text, min_t(size_t, len, PAGE_SIZE));
	if (len > PAGE_SIZE)
		memset(buf + PAGE_SIZE, 0, len - PAGE_SIZE);
}

/* Text with some records, random and zero pieces: about 2:1 for lz4 */
static void zct_fill_mixed(u8 *buf, size_t len, u32 seed)
{
	u32 s = zct_seed(seed + 7);
	size_t off;

	zct_fill_text(buf, len, seed);
	for (off = 0; off + 128 <= len; off += 128) {
		u32 r = zct_rand(&s) % 16;

		if (r < 1)
			zct_fill_random(buf + off, 128, seed + off);
		else if (r < 4)
			zct_fill_struct(buf + off, 128, seed + off);
		else if (r < 6)
			memset(buf + off, 0, 128);
	}
}

struct zct_data {
	const char *name;
	void (*fill)(u8 *buf, size_t len, u32 seed);
};

static const struct zct_data zct_data_sets[] = {
	{ "zero",	zct_fill_zero },
	{ "text",	zct_fill_text },
	{ "struct",	zct_fill_struct },
	{ "ktext",	zct_fill_ktext },
	{ "random",	zct_fill_random },
	{ "mixed",	zct_fill_mixed },
};

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static void zct_params_init(struct zcomp_params *params, s32 level)
{
	memset(params, 0, sizeof(*params));
	params->level = level;
	params->deflate.winbits = ZCOMP_PARAM_NOT_SET;
}

static int zct_case_init(struct kunit *test)
{
	struct zct_scratch *z;

	z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);
	if (!z)
		return -ENOMEM;
	z->page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	z->cbuf = kunit_kzalloc(test, ZCOMP_BUFFER_SIZE + ZCT_GUARD,
				GFP_KERNEL);
	z->out = kunit_kzalloc(test, PAGE_SIZE + ZCT_GUARD, GFP_KERNEL);
	if (!z->page || !z->cbuf || !z->out)
		return -ENOMEM;
	test->priv = z;
	return 0;
}

static bool zct_guard_intact(const u8 *guard)
{
	return !memchr_inv(guard, ZCT_GUARD_BYTE, ZCT_GUARD);
}

/* Compress @src_len bytes into @dst with @room bytes of room */
static int zct_backend_compress(struct zcomp *comp, const u8 *src,
				size_t src_len, u8 *dst, size_t room,
				size_t *dst_len)
{
	struct zcomp_req req = {
		.src = src,
		.src_len = src_len,
		.dst = dst,
		.dst_len = room,
	};
	struct zcomp_strm *zstrm;
	int err;

	zstrm = zcomp_stream_get(comp);
	err = comp->ops->compress(&comp->params, &zstrm->ctx, &req);
	zcomp_stream_put(zstrm);
	*dst_len = req.dst_len;
	return err;
}

/* Decompress into @dst, which must come out exactly @expect bytes long */
static int zct_backend_decompress(struct zcomp *comp, const u8 *src,
				  size_t src_len, u8 *dst, size_t expect)
{
	struct zcomp_req req = {
		.src = src,
		.src_len = src_len,
		.dst = dst,
		.dst_len = expect,
	};
	struct zcomp_dstrm *zdstrm;
	int err;

	zdstrm = zcomp_dstream_get(comp);
	err = comp->ops->decompress(&comp->params, &zdstrm->ctx, &req);
	zcomp_dstream_put(zdstrm);
	return err;
}

/* Compress z->page through the stream API into z->cbuf */
static int zct_compress_page(struct kunit *test, struct zcomp *comp,
			     unsigned int *len)
{
	struct zct_scratch *z = test->priv;
	struct zcomp_strm *zstrm;
	int err;

	zstrm = zcomp_stream_get(comp);
	err = zcomp_compress(comp, zstrm, z->page, len);
	if (!err && *len <= ZCOMP_BUFFER_SIZE)
		memcpy(z->cbuf, zstrm->buffer, *len);
	zcomp_stream_put(zstrm);
	return err;
}

/* Decompress @len bytes of z->cbuf through the stream API into z->out */
static int zct_decompress_page(struct kunit *test, struct zcomp *comp,
			       unsigned int len)
{
	struct zct_scratch *z = test->priv;
	struct zcomp_dstrm *zdstrm;
	int err;

	memset(z->out, 0x5a, PAGE_SIZE);
	zdstrm = zcomp_dstream_get(comp);
	err = zcomp_decompress(comp, zdstrm, z->cbuf, len, z->out);
	zcomp_dstream_put(zdstrm);
	return err;
}

/*
 * No page that the early abort gives up on compresses below this with the
 * backend itself.  zram's huge class starts a little below four fifths of
 * a page: an abort never costs it a page it would have kept compressed.
 */
#define ZCT_ABORT_MIN		(PAGE_SIZE * 4 / 5)

/* Compress z->page with @comp's backend, without the early abort */
static int zct_compress_all_the_way(struct kunit *test, struct zcomp *comp,
				    unsigned int *len)
{
	bool early_abort = comp->early_abort;
	int err;

	comp->early_abort = false;
	err = zct_compress_page(test, comp, len);
	comp->early_abort = early_abort;
	return err;
}

/*
 * Compress z->page through the stream API.  A page given up early is
 * compressed again all the way, which must show that the backend could
 * not have made it small enough to keep.
 */
static int zct_compress_checked(struct kunit *test, struct zcomp *comp,
				unsigned int *len, const char *what)
{
	int err = zct_compress_page(test, comp, len);

	if (err != -E2BIG)
		return err;
	KUNIT_EXPECT_TRUE_MSG(test, comp->early_abort,
			      "%s: -E2BIG without an early abort", what);
	err = zct_compress_all_the_way(test, comp, len);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s: compress", what);
	KUNIT_EXPECT_GE_MSG(test, *len, ZCT_ABORT_MIN,
			    "%s: given up early, but compresses to %u bytes",
			    what, *len);
	return err;
}

/* z->page survives a round trip; returns the compressed size or 0 */
static unsigned int zct_check_round_trip(struct kunit *test,
					 struct zcomp *comp, const char *what)
{
	struct zct_scratch *z = test->priv;
	unsigned int len = 0;
	int err;

	err = zct_compress_checked(test, comp, &len, what);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s: compress", what);
	if (err)
		return 0;
	KUNIT_EXPECT_LE_MSG(test, len, ZCOMP_BUFFER_SIZE, "%s: length", what);
	KUNIT_EXPECT_GT_MSG(test, len, 0U, "%s: length", what);

	err = zct_decompress_page(test, comp, len);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s: decompress", what);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(z->out, z->page, PAGE_SIZE), 0,
			    "%s: data differs", what);
	return err ? 0 : len;
}

static struct zcomp *zct_create(struct kunit *test, const char *alg,
				struct zcomp_params *params)
{
	struct zcomp *comp = zcomp_create(alg, params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, comp, "zcomp_create(%s)", alg);
	return comp;
}

/* ------------------------------------------------------------------ */
/* Registry                                                             */

/* What Kbuild asked for, in upstream's order */
static const char *const zct_built[] = {
#ifdef ZRAM_BACKEND_LZO
	"lzo-rle", "lzo",
#endif
#ifdef ZRAM_BACKEND_LZ4
	"lz4",
#endif
#ifdef ZRAM_BACKEND_LZ4HC
	"lz4hc",
#endif
#ifdef ZRAM_BACKEND_ZSTD
	"zstd",
#endif
#ifdef ZRAM_BACKEND_DEFLATE
	"deflate",
#endif
};

static void zcomp_test_registry(struct kunit *test)
{
	char *buf = (char *)__get_free_page(GFP_KERNEL);
	char *expect = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	const char *chosen;
	size_t i, n;
	ssize_t at;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (!expect) {
		free_page((unsigned long)buf);
		KUNIT_FAIL(test, "out of memory");
		return;
	}

	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(zcomp_backends),
			ARRAY_SIZE(zct_built) + 1);
	KUNIT_EXPECT_GT(test, ARRAY_SIZE(zct_built), (size_t)0);

	/* Each one bracketed in turn, then none at all */
	for (i = 0; i <= ARRAY_SIZE(zct_built); i++) {
		chosen = i < ARRAY_SIZE(zct_built) ? zct_built[i] : "842";
		for (n = 0, at = 0; n < ARRAY_SIZE(zct_built); n++)
			at += scnprintf(expect + at, PAGE_SIZE - at,
					n == i ? "[%s] " : "%s ",
					zct_built[n]);
		scnprintf(expect + at, PAGE_SIZE - at, "\n");

		memset(buf, 0, PAGE_SIZE);
		at = zcomp_available_show(chosen, buf, 0);
		KUNIT_EXPECT_STREQ(test, buf, expect);
		KUNIT_EXPECT_EQ(test, at, (ssize_t)strlen(expect));
	}

	/* Appending after a prefix, as recomp_algorithm does */
	memset(buf, 0, PAGE_SIZE);
	at = sysfs_emit_at(buf, 0, "#1: ");
	at = zcomp_available_show(NULL, buf, at);
	KUNIT_EXPECT_EQ(test, strncmp(buf, "#1: ", 4), 0);
	KUNIT_EXPECT_NULL(test, strchr(buf, '['));
	KUNIT_EXPECT_EQ(test, buf[at - 1], '\n');

	/* Lookup hands back the backend's own string */
	for (n = 0; zcomp_backends[n]; n++) {
		const char *name = zcomp_backends[n]->name;

		KUNIT_EXPECT_PTR_EQ(test, zcomp_lookup_backend_name(name), name);
		scnprintf(buf, PAGE_SIZE, "%s\n", name);
		KUNIT_EXPECT_PTR_EQ(test, zcomp_lookup_backend_name(buf), name);
	}
	KUNIT_EXPECT_NULL(test, zcomp_lookup_backend_name("no-such-alg"));
	KUNIT_EXPECT_NULL(test, zcomp_lookup_backend_name(""));
	KUNIT_EXPECT_NULL(test, zcomp_lookup_backend_name("LZ4"));
	KUNIT_EXPECT_NULL(test, zcomp_lookup_backend_name("842"));

	free_page((unsigned long)buf);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                          */

struct zct_levels {
	const char *alg;
	s32 levels[6];
};

static const struct zct_levels zct_levels[] = {
	{ "lzo",	{ ZCOMP_PARAM_NOT_SET, 7, ZCT_END } },
	{ "lzo-rle",	{ ZCOMP_PARAM_NOT_SET, 7, ZCT_END } },
	{ "lz4",	{ ZCOMP_PARAM_NOT_SET, 0, 8, 512, ZCT_END } },
	{ "lz4hc",	{ ZCOMP_PARAM_NOT_SET, 1, 4, 12, 16, ZCT_END } },
	{ "zstd",	{ ZCOMP_PARAM_NOT_SET, -5, 1, 9, 19, ZCT_END } },
	{ "deflate",	{ ZCOMP_PARAM_NOT_SET, 0, 1, 9, ZCT_END } },
};

/* Whether @alg names a backend zram knows, built or not */
static bool zct_is_backend(const char *alg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zct_levels); i++) {
		if (!strcmp(zct_levels[i].alg, alg))
			return true;
	}
	return false;
}

static const s32 *zct_levels_of(const char *alg)
{
	static const s32 only_default[] = { ZCOMP_PARAM_NOT_SET, ZCT_END };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zct_levels); i++) {
		if (!strcmp(zct_levels[i].alg, alg))
			return zct_levels[i].levels;
	}
	return only_default;
}

static void zcomp_test_round_trips(struct kunit *test)
{
	struct zct_scratch *z = test->priv;
	const struct zcomp_ops *const *ops;
	char what[64], sizes[160];

	for (ops = zcomp_backends; *ops; ops++) {
		const char *alg = (*ops)->name;
		const s32 *level;

		for (level = zct_levels_of(alg); *level != ZCT_END; level++) {
			struct zcomp_params params;
			struct zcomp *comp;
			size_t d, at = 0;

			zct_params_init(&params, *level);
			KUNIT_EXPECT_EQ(test, zcomp_check_params(alg, &params), 0);
			KUNIT_EXPECT_EQ(test, params.level, *level);
			KUNIT_EXPECT_NULL(test, params.drv_data);
			comp = zct_create(test, alg, &params);
			/* the backend's defaults go into the zcomp's copy */
			KUNIT_EXPECT_EQ(test, params.level, *level);
			KUNIT_EXPECT_NULL(test, params.drv_data);

			for (d = 0; d < ARRAY_SIZE(zct_data_sets); d++) {
				const struct zct_data *data = &zct_data_sets[d];
				unsigned int len;

				data->fill(z->page, PAGE_SIZE, d + 1);
				scnprintf(what, sizeof(what), "%s level %d %s",
					  alg, comp->params.level, data->name);
				len = zct_check_round_trip(test, comp, what);
				at += scnprintf(sizes + at, sizeof(sizes) - at,
						" %s %u", data->name, len);
			}
			kunit_info(test, "%s level %d:%s\n", alg, comp->params.level,
				   sizes);
			zcomp_destroy(comp);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Early abort                                                          */

struct zct_abort_cfg {
	const char *alg;
	s32 level;
	bool early_abort;	/* expected */
};

static const struct zct_abort_cfg zct_abort_cfgs[] = {
	{ "lzo",	ZCOMP_PARAM_NOT_SET,	false },
	{ "lz4",	ZCOMP_PARAM_NOT_SET,	false },
	{ "lz4hc",	ZCOMP_PARAM_NOT_SET,	true },
	{ "lz4hc",	1,			true },
	{ "zstd",	-5,			false },
	{ "zstd",	2,			false },
	{ "zstd",	0,			true },	/* the default, 3 */
	{ "zstd",	ZCOMP_PARAM_NOT_SET,	true },
	{ "zstd",	19,			true },
	{ "deflate",	0,			false },	/* stored */
	{ "deflate",	ZCOMP_PARAM_NOT_SET,	true },
};

/* Random hex digits: no repeats for LZ4 to find, four bits a byte */
static void zct_fill_hex(u8 *buf, size_t len, u32 seed)
{
	u32 s = zct_seed(seed);
	size_t off;

	for (off = 0; off < len; off++)
		buf[off] = hex_asc[zct_rand(&s) >> 28];
}

/* One random kilobyte four times: every byte value about as often */
static void zct_fill_repeated(u8 *buf, size_t len, u32 seed)
{
	size_t off;

	zct_fill_random(buf, min_t(size_t, len, SZ_1K), seed);
	for (off = SZ_1K; off < len; off += SZ_1K)
		memcpy(buf + off, buf, min_t(size_t, len - off, SZ_1K));
}

/*
 * What the abort must not give up on: each of the data sets but random,
 * and the two kinds of page where only one of its estimates sees how the
 * page compresses.
 */
static const struct zct_data zct_keep_sets[] = {
	{ "zero",	zct_fill_zero },
	{ "text",	zct_fill_text },
	{ "struct",	zct_fill_struct },
	{ "ktext",	zct_fill_ktext },
	{ "mixed",	zct_fill_mixed },
	{ "hex",	zct_fill_hex },
	{ "repeated",	zct_fill_repeated },
};

static void zct_early_abort_one(struct kunit *test,
				const struct zct_abort_cfg *cfg)
{
	struct zct_scratch *z = test->priv;
	struct zcomp_params params;
	struct zcomp *comp;
	unsigned int len = 0;
	char what[64];
	size_t d;
	int err;

	zct_params_init(&params, cfg->level);
	comp = zct_create(test, cfg->alg, &params);
	KUNIT_EXPECT_EQ_MSG(test, comp->early_abort, cfg->early_abort,
			    "%s level %d", cfg->alg, cfg->level);
	KUNIT_EXPECT_EQ_MSG(test, !raw_cpu_ptr(comp->stream)->probe,
			    !cfg->early_abort, "%s level %d: workspace",
			    cfg->alg, cfg->level);

	for (d = 0; d < ARRAY_SIZE(zct_keep_sets); d++) {
		zct_keep_sets[d].fill(z->page, PAGE_SIZE, 40 + d);
		scnprintf(what, sizeof(what), "%s level %d %s", cfg->alg,
			  cfg->level, zct_keep_sets[d].name);
		err = zct_compress_page(test, comp, &len);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", what);
	}

	/* Random pages: given up at once, where there is an early abort */
	for (d = 0; d < 8; d++) {
		zct_fill_random(z->page, PAGE_SIZE, 50 + d);
		scnprintf(what, sizeof(what), "%s level %d random %zu",
			  cfg->alg, cfg->level, d);
		err = zct_compress_page(test, comp, &len);
		KUNIT_EXPECT_EQ_MSG(test, err, cfg->early_abort ? -E2BIG : 0,
				    "%s", what);
		if (err == -E2BIG)
			zct_compress_checked(test, comp, &len, what);
	}
	zcomp_destroy(comp);
}

static void zcomp_test_early_abort(struct kunit *test)
{
	static const u32 log2_q8[][2] = {
		{ 1, 0 }, { 2, 256 }, { 3, 405 }, { 10, 850 }, { 255, 2046 },
		{ 4096, 3072 }, { 65535, 4095 }, { 65536, 4096 },
	};
	static const char dict[] = "a dictionary of some length";
	struct zcomp_params params;
	struct zcomp *comp;
	unsigned int x, prev = 0;
	size_t i;

	/* The fixed-point logarithm the entropy is counted with */
	for (i = 0; i < ARRAY_SIZE(log2_q8); i++)
		KUNIT_EXPECT_EQ_MSG(test, zcomp_log2_q8(log2_q8[i][0]),
				    log2_q8[i][1], "log2(%u)", log2_q8[i][0]);
	for (x = 1; x <= PAGE_SIZE; x++) {
		KUNIT_EXPECT_GE_MSG(test, zcomp_log2_q8(x), prev, "x %u", x);
		prev = zcomp_log2_q8(x);
	}

	if (!ZCOMP_HAVE_LZ4)
		kunit_skip(test, "no LZ4 in this kernel: no early abort");

	for (i = 0; i < ARRAY_SIZE(zct_abort_cfgs); i++) {
		if (zcomp_find_backend(zct_abort_cfgs[i].alg))
			zct_early_abort_one(test, &zct_abort_cfgs[i]);
	}

	/* A dictionary can make any page compress: no early abort */
	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	params.dict = (void *)dict;
	params.dict_sz = sizeof(dict);
	if (zcomp_find_backend("lz4hc")) {
		comp = zct_create(test, "lz4hc", &params);
		KUNIT_EXPECT_FALSE(test, comp->early_abort);
		zcomp_destroy(comp);
	}
}

static void zcomp_test_deflate_winbits(struct kunit *test)
{
	static const s32 winbits[] = { -15, -12, -9, 9, 12, 15 };
	struct zct_scratch *z = test->priv;
	size_t i, d;

	if (!zcomp_find_backend("deflate"))
		kunit_skip(test, "deflate is not built");

	for (i = 0; i < ARRAY_SIZE(winbits); i++) {
		struct zcomp_params params;
		struct zcomp *comp;
		char what[64];

		zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
		params.deflate.winbits = winbits[i];
		comp = zct_create(test, "deflate", &params);

		for (d = 0; d < ARRAY_SIZE(zct_data_sets); d++) {
			zct_data_sets[d].fill(z->page, PAGE_SIZE, d + 11);
			scnprintf(what, sizeof(what), "deflate winbits %d %s",
				  winbits[i], zct_data_sets[d].name);
			if (!zct_check_round_trip(test, comp, what))
				continue;
			/* A zlib wrapper starts with CMF: method 8, window */
			if (winbits[i] > 0) {
				KUNIT_EXPECT_EQ_MSG(test, z->cbuf[0] & 0x0f, 8,
						    "%s", what);
				KUNIT_EXPECT_EQ_MSG(test, z->cbuf[0] >> 4,
						    winbits[i] - 8, "%s", what);
			}
		}
		zcomp_destroy(comp);
	}
}

/* ------------------------------------------------------------------ */
/* Output that does not fit, input that is wrong                        */

/*
 * Compress z->page (@src_len bytes) with @room bytes of room.  Whatever
 * the outcome, nothing may land past the room, and a success must fit
 * and decompress.  Returns the backend's result.
 */
static int zct_check_bounded(struct kunit *test, struct zcomp *comp,
			     size_t src_len, size_t room, const char *what)
{
	struct zct_scratch *z = test->priv;
	size_t len = 0;
	int err;

	memset(z->cbuf, 0, room);
	memset(z->cbuf + room, ZCT_GUARD_BYTE, ZCT_GUARD);
	err = zct_backend_compress(comp, z->page, src_len, z->cbuf, room,
				   &len);
	KUNIT_EXPECT_TRUE_MSG(test, zct_guard_intact(z->cbuf + room),
			      "%s: wrote past %zu bytes of room", what, room);
	if (err)
		return err;

	KUNIT_EXPECT_LE_MSG(test, len, room, "%s", what);
	err = zct_backend_decompress(comp, z->cbuf, len, z->out, src_len);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s: decompress", what);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(z->out, z->page, src_len), 0,
			    "%s: data differs", what);
	return 0;
}

/* Decompression that must fail without writing past @room */
static void zct_check_refused(struct kunit *test, struct zcomp *comp,
			      size_t src_len, size_t room, const char *what)
{
	struct zct_scratch *z = test->priv;
	int err;

	memset(z->out + room, ZCT_GUARD_BYTE, ZCT_GUARD);
	err = zct_backend_decompress(comp, z->cbuf, src_len, z->out, room);
	KUNIT_EXPECT_LT_MSG(test, err, 0, "%s: not refused", what);
	KUNIT_EXPECT_TRUE_MSG(test, zct_guard_intact(z->out + room),
			      "%s: wrote past %zu bytes", what, room);
}

static void zct_no_overflow_one(struct kunit *test, const char *alg)
{
	static const size_t rooms[] = { 0, 1, 16, 64, PAGE_SIZE / 2,
					PAGE_SIZE - 1, PAGE_SIZE };
	struct zct_scratch *z = test->priv;
	struct zcomp_params params;
	struct zcomp *comp;
	char what[80];
	size_t i, full;
	int err;

	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	comp = zct_create(test, alg, &params);

	/* Random data does not fit in a page, whatever the backend */
	zct_fill_random(z->page, PAGE_SIZE, 21);
	for (i = 0; i < ARRAY_SIZE(rooms); i++) {
		scnprintf(what, sizeof(what), "%s random, room %zu", alg,
			  rooms[i]);
		err = zct_check_bounded(test, comp, PAGE_SIZE, rooms[i], what);
		KUNIT_EXPECT_LT_MSG(test, err, 0, "%s: fitted", what);
	}
	/* ... but it does in the stream's buffer */
	scnprintf(what, sizeof(what), "%s random, stream buffer", alg);
	zct_check_round_trip(test, comp, what);

	/* Text: only around its compressed size is it tight */
	zct_fill_text(z->page, PAGE_SIZE, 22);
	scnprintf(what, sizeof(what), "%s text, ample room", alg);
	err = zct_backend_compress(comp, z->page, PAGE_SIZE, z->cbuf,
				   ZCOMP_BUFFER_SIZE, &full);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", what);
	if (err)
		goto out;
	for (i = 0; i < 4; i++) {
		size_t room = full - i;

		scnprintf(what, sizeof(what), "%s text, room %zu of %zu", alg,
			  room, full);
		zct_check_bounded(test, comp, PAGE_SIZE, room, what);
	}
	for (i = 0; i < 3; i++) {
		scnprintf(what, sizeof(what), "%s text, room %zu", alg,
			  rooms[i]);
		err = zct_check_bounded(test, comp, PAGE_SIZE, rooms[i], what);
		KUNIT_EXPECT_LT_MSG(test, err, 0, "%s: fitted", what);
	}

	/* Truncated input: refused, nothing past the page */
	err = zct_backend_compress(comp, z->page, PAGE_SIZE, z->cbuf,
				   ZCOMP_BUFFER_SIZE, &full);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (err)
		goto out;
	scnprintf(what, sizeof(what), "%s truncated", alg);
	zct_check_refused(test, comp, full / 2, PAGE_SIZE, what);
	scnprintf(what, sizeof(what), "%s cut by one", alg);
	zct_check_refused(test, comp, full - 1, PAGE_SIZE, what);

	/* A whole page where only half a page is expected */
	scnprintf(what, sizeof(what), "%s output too long", alg);
	zct_check_refused(test, comp, full, PAGE_SIZE / 2, what);

	/* Half a page where a whole page is expected */
	err = zct_backend_compress(comp, z->page, PAGE_SIZE / 2, z->cbuf,
				   ZCOMP_BUFFER_SIZE, &full);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (err)
		goto out;
	scnprintf(what, sizeof(what), "%s output too short", alg);
	zct_check_refused(test, comp, full, PAGE_SIZE, what);

	/* Garbage: may or may not be refused, but must stay in bounds */
	for (i = 0; i < 4; i++) {
		zct_fill_random(z->cbuf, PAGE_SIZE, 30 + i);
		if (i & 1)
			z->cbuf[0] = 0;
		memset(z->out + PAGE_SIZE, ZCT_GUARD_BYTE, ZCT_GUARD);
		zct_backend_decompress(comp, z->cbuf, PAGE_SIZE, z->out,
				       PAGE_SIZE);
		KUNIT_EXPECT_TRUE_MSG(test,
				      zct_guard_intact(z->out + PAGE_SIZE),
				      "%s garbage %zu: wrote past the page",
				      alg, i);
	}

out:
	/* No KUNIT_ASSERT above: an abort would leak the hotplug instance */
	zcomp_destroy(comp);
}

static void zcomp_test_no_overflow(struct kunit *test)
{
	const struct zcomp_ops *const *ops;

	for (ops = zcomp_backends; *ops; ops++)
		zct_no_overflow_one(test, (*ops)->name);
}

/* ------------------------------------------------------------------ */
/* Dictionaries                                                         */

/*
 * Round trips with a dictionary of @dict_sz bytes of text; the test page
 * is a slightly edited copy of the dictionary page at @from, so that a
 * dictionary that is really used makes it much smaller.
 */
static void zct_dict_one(struct kunit *test, const char *alg,
			 size_t dict_sz, size_t from)
{
	struct zct_scratch *z = test->priv;
	struct zcomp_params plain_params, dict_params;
	struct zcomp *plain, *with_dict;
	unsigned int plain_len, dict_len;
	char what[64];
	size_t i, d;
	u8 *dict;
	int err;

	dict = vmalloc(dict_sz);
	KUNIT_ASSERT_NOT_NULL(test, dict);
	zct_fill_text(dict, dict_sz, 1000 + dict_sz);

	zct_params_init(&plain_params, ZCOMP_PARAM_NOT_SET);
	plain = zcomp_create(alg, &plain_params);
	zct_params_init(&dict_params, ZCOMP_PARAM_NOT_SET);
	dict_params.dict = dict;
	dict_params.dict_sz = dict_sz;
	err = zcomp_check_params(alg, &dict_params);
	with_dict = zcomp_create(alg, &dict_params);
	KUNIT_EXPECT_EQ(test, err, IS_ERR(with_dict) ? PTR_ERR(with_dict) : 0);

	if (IS_ERR(with_dict) && PTR_ERR(with_dict) == -EOPNOTSUPP) {
		kunit_info(test, "%s: no dictionaries on this kernel\n", alg);
		goto out;
	}
	KUNIT_EXPECT_FALSE(test, IS_ERR(plain));
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(with_dict), "%s with a dictionary",
			       alg);
	if (IS_ERR(plain) || IS_ERR(with_dict))
		goto out;

	memcpy(z->page, dict + from, PAGE_SIZE);
	for (i = 0; i < PAGE_SIZE; i += 97)
		z->page[i] ^= 0x20;

	scnprintf(what, sizeof(what), "%s no dict", alg);
	plain_len = zct_check_round_trip(test, plain, what);
	scnprintf(what, sizeof(what), "%s dict %zu", alg, dict_sz);
	dict_len = zct_check_round_trip(test, with_dict, what);
	kunit_info(test, "%s: %u bytes without, %u with a %zu-byte dictionary\n",
		   alg, plain_len, dict_len, dict_sz);
	KUNIT_EXPECT_LT_MSG(test, dict_len, plain_len,
			    "%s: the dictionary did not help", alg);

	/* The same data cannot come back without the dictionary */
	if (dict_len) {
		err = zct_decompress_page(test, plain, dict_len);
		KUNIT_EXPECT_TRUE_MSG(test,
				      err || memcmp(z->out, z->page, PAGE_SIZE),
				      "%s: decoded without its dictionary",
				      alg);
	}

	/* Other data through the same dictionary */
	for (d = 0; d < ARRAY_SIZE(zct_data_sets); d++) {
		zct_data_sets[d].fill(z->page, PAGE_SIZE, d + 40);
		scnprintf(what, sizeof(what), "%s dict %s", alg,
			  zct_data_sets[d].name);
		zct_check_round_trip(test, with_dict, what);
	}

out:
	if (!IS_ERR(with_dict))
		zcomp_destroy(with_dict);
	if (!IS_ERR(plain))
		zcomp_destroy(plain);
	KUNIT_EXPECT_NULL(test, dict_params.drv_data);
	vfree(dict);
}

static void zcomp_test_dictionaries(struct kunit *test)
{
	static const char *const algs[] = { "lz4", "lz4hc", "zstd" };
	size_t i;
	bool any = false;

	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		if (!zcomp_find_backend(algs[i]))
			continue;
		any = true;
		zct_dict_one(test, algs[i], 4 * PAGE_SIZE, PAGE_SIZE);
		/* Longer than LZ4's window: its tail is what counts */
		zct_dict_one(test, algs[i], 20 * PAGE_SIZE, 18 * PAGE_SIZE);
	}
	if (!any)
		kunit_skip(test, "no backend with dictionaries is built");
}

/* A zstd-format dictionary (by its magic) that is garbage is refused */
static void zcomp_test_zstd_bad_dict(struct kunit *test)
{
	struct zct_scratch *z = test->priv;
	struct zcomp_params params;
	struct zcomp *comp;

	if (!zcomp_find_backend("zstd"))
		kunit_skip(test, "zstd is not built");

	zct_fill_random(z->page, PAGE_SIZE, 55);
	z->page[0] = 0x37;
	z->page[1] = 0xa4;
	z->page[2] = 0x30;
	z->page[3] = 0xec;
	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	params.dict = z->page;
	params.dict_sz = PAGE_SIZE;
	comp = zcomp_create("zstd", &params);
	KUNIT_EXPECT_TRUE(test, IS_ERR(comp));
	if (!IS_ERR(comp)) {
		zcomp_destroy(comp);
		return;
	}
	/* -EOPNOTSUPP where the kernel's zstd takes no dictionary at all */
	KUNIT_EXPECT_TRUE_MSG(test, PTR_ERR(comp) == -EINVAL ||
			      PTR_ERR(comp) == -EOPNOTSUPP, "%ld", PTR_ERR(comp));
	KUNIT_EXPECT_NULL(test, params.drv_data);
}

/* ------------------------------------------------------------------ */
/* Bad parameters                                                       */

struct zct_bad {
	const char *alg;
	s32 level;
	s32 winbits;
	size_t dict_sz;
};

static const struct zct_bad zct_bad_params[] = {
	{ "no-such-alg",	ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 0 },
	{ "",			ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 0 },
	{ "lzo",		ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 64 },
	{ "lzo-rle",		ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 64 },
	{ "lz4",		65538, ZCOMP_PARAM_NOT_SET, 0 },
	{ "lz4",		ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 4 },
	{ "lz4hc",		0, ZCOMP_PARAM_NOT_SET, 0 },
	{ "lz4hc",		17, ZCOMP_PARAM_NOT_SET, 0 },
	{ "lz4hc",		-3, ZCOMP_PARAM_NOT_SET, 0 },
	{ "lz4hc",		ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 7 },
	{ "zstd",		100, ZCOMP_PARAM_NOT_SET, 0 },
	{ "zstd",		-1000000, ZCOMP_PARAM_NOT_SET, 0 },
	{ "deflate",		ZCOMP_PARAM_NOT_SET, 8, 0 },
	{ "deflate",		ZCOMP_PARAM_NOT_SET, 16, 0 },
	{ "deflate",		ZCOMP_PARAM_NOT_SET, 0, 0 },
	{ "deflate",		ZCOMP_PARAM_NOT_SET, -8, 0 },
	{ "deflate",		ZCOMP_PARAM_NOT_SET, -16, 0 },
	{ "deflate",		10, ZCOMP_PARAM_NOT_SET, 0 },
	{ "deflate",		-2, ZCOMP_PARAM_NOT_SET, 0 },
	{ "deflate",		ZCOMP_PARAM_NOT_SET, ZCOMP_PARAM_NOT_SET, 64 },
};

static void zcomp_test_bad_params(struct kunit *test)
{
	u8 *dict = kunit_kzalloc(test, 64, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, dict);
	for (i = 0; i < ARRAY_SIZE(zct_bad_params); i++) {
		const struct zct_bad *bad = &zct_bad_params[i];
		struct zcomp_params params, before;
		struct zcomp *comp;

		/* A backend that is not built cannot judge its parameters */
		if (!zcomp_find_backend(bad->alg) && zct_is_backend(bad->alg))
			continue;

		zct_params_init(&params, bad->level);
		params.deflate.winbits = bad->winbits;
		params.dict = bad->dict_sz ? dict : NULL;
		params.dict_sz = bad->dict_sz;
		before = params;

		KUNIT_EXPECT_EQ_MSG(test, zcomp_check_params(bad->alg, &params),
				    -EINVAL, "check, case %zu (%s)", i, bad->alg);
		comp = zcomp_create(bad->alg, &params);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(comp), "case %zu (%s)", i,
				      bad->alg);
		if (!IS_ERR(comp)) {
			zcomp_destroy(comp);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(comp), -EINVAL,
				    "case %zu (%s)", i, bad->alg);
		/* Refused parameters are left as they were */
		KUNIT_EXPECT_EQ_MSG(test, params.level, before.level,
				    "case %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, params.deflate.winbits,
				    before.deflate.winbits, "case %zu", i);
		KUNIT_EXPECT_PTR_EQ_MSG(test, params.dict, before.dict,
					"case %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, params.dict_sz, before.dict_sz,
				    "case %zu", i);
		KUNIT_EXPECT_NULL_MSG(test, params.drv_data, "case %zu", i);
	}
}

/* ------------------------------------------------------------------ */
/* Many threads, hotplug                                                */

struct zct_worker {
	struct zcomp *comp;
	struct task_struct *task;
	struct completion done;
	u32 seed;
	int loops;		/* rounds to run; 0: until ->stop */
	bool stop;
	/* results */
	int rounds;
	int failures;
	int migrations;
};

/* A kthread may not return before kthread_stop(): wait for it */
static void zct_wait_for_stop(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

static void zct_worker_round(struct zct_worker *w, u8 *src, u8 *copy,
			     u8 *out)
{
	struct zcomp_dstrm *zdstrm;
	struct zcomp_strm *zstrm;
	unsigned int len = 0;
	int cpu, err;

	zct_fill_mixed(src, PAGE_SIZE, w->seed + w->rounds);

	zstrm = zcomp_stream_get(w->comp);
	cpu = raw_smp_processor_id();
	err = zcomp_compress(w->comp, zstrm, src, &len);
	/*
	 * Sleep with the stream held, output still in its buffer: if anyone
	 * else got this stream meanwhile, the copy below is not ours.
	 */
	if (w->rounds % 2 == 0)
		usleep_range(500, 1500);
	if (!zstrm->buffer || !mutex_is_locked(&zstrm->lock))
		err = -EBADE;
	if (!err)
		memcpy(copy, zstrm->buffer, len);
	if (raw_smp_processor_id() != cpu)
		w->migrations++;
	zcomp_stream_put(zstrm);

	/* Decompress with whatever stream we get now */
	if (!err) {
		memset(out, 0, PAGE_SIZE);
		zdstrm = zcomp_dstream_get(w->comp);
		if (!zdstrm->local_copy || !mutex_is_locked(&zdstrm->lock))
			err = -EBADE;
		else
			err = zcomp_decompress(w->comp, zdstrm, copy, len, out);
		zcomp_dstream_put(zdstrm);
	}
	if (err || memcmp(src, out, PAGE_SIZE))
		w->failures++;
	w->rounds++;
}

static int zct_worker_fn(void *arg)
{
	struct zct_worker *w = arg;
	u8 *src = kmalloc(PAGE_SIZE, GFP_KERNEL);
	u8 *out = kmalloc(PAGE_SIZE, GFP_KERNEL);
	u8 *copy = kmalloc(ZCOMP_BUFFER_SIZE, GFP_KERNEL);

	if (!src || !out || !copy)
		w->failures++;
	else
		while (!READ_ONCE(w->stop) && (!w->loops || w->rounds < w->loops))
			zct_worker_round(w, src, copy, out);

	kfree(copy);
	kfree(out);
	kfree(src);
	/* _all: both the test and zct_workers_finish() may wait for it */
	complete_all(&w->done);
	zct_wait_for_stop();
	return 0;
}

static void zct_workers_start(struct zct_worker *w, int n,
			      struct zcomp *comp, int loops)
{
	int i;

	for (i = 0; i < n; i++) {
		w[i].comp = comp;
		w[i].seed = 5000 + 100 * i;
		w[i].loops = loops;
		init_completion(&w[i].done);
		w[i].task = kthread_run(zct_worker_fn, &w[i], "zcomp-kunit/%d",
					i);
	}
}

/* Stop, reap and count; returns the failures (a worker that never ran is one) */
static int zct_workers_finish(struct zct_worker *w, int n, int *rounds,
			      int *migrations)
{
	int i, failures = 0;

	for (i = 0; i < n; i++)
		WRITE_ONCE(w[i].stop, true);
	*rounds = 0;
	*migrations = 0;
	for (i = 0; i < n; i++) {
		if (IS_ERR(w[i].task)) {
			failures++;
			continue;
		}
		wait_for_completion(&w[i].done);
		kthread_stop(w[i].task);
		failures += w[i].failures;
		*rounds += w[i].rounds;
		*migrations += w[i].migrations;
	}
	return failures;
}

/* A backend for the thread tests: lz4 where there is one */
static const char *zct_some_backend(void)
{
	return zcomp_find_backend("lz4") ? "lz4" : zcomp_backends[0]->name;
}

static void zcomp_test_concurrency(struct kunit *test)
{
	const int nr = 8, loops = 24;
	struct zcomp_params params;
	struct zct_worker *w;
	int i, failures, rounds, migrations;
	struct zcomp *comp;

	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	comp = zct_create(test, zct_some_backend(), &params);

	zct_workers_start(w, nr, comp, loops);
	/* Let them run all their loops before telling them to stop */
	for (i = 0; i < nr; i++) {
		if (!IS_ERR(w[i].task))
			wait_for_completion(&w[i].done);
	}
	failures = zct_workers_finish(w, nr, &rounds, &migrations);
	zcomp_destroy(comp);

	kunit_info(test, "%d threads, %d rounds, %d migrations while holding a stream\n",
		   nr, rounds, migrations);
	KUNIT_EXPECT_EQ(test, failures, 0);
	KUNIT_EXPECT_EQ(test, rounds, nr * loops);
}

struct zct_dget_call {
	struct zcomp *comp;
	struct zcomp_dstrm *got;
	struct completion done;
};

static int zct_dget_fn(void *arg)
{
	struct zct_dget_call *call = arg;

	call->got = zcomp_dstream_get(call->comp);
	zcomp_dstream_put(call->got);
	complete(&call->done);
	zct_wait_for_stop();
	return 0;
}

/* A kthread on @cpu that takes and puts a decompression stream of @comp */
static struct task_struct *zct_dget_start(struct zct_dget_call *call,
					  struct zcomp *comp, unsigned int cpu)
{
	struct task_struct *task;

	call->comp = comp;
	call->got = NULL;
	init_completion(&call->done);
	task = kthread_create(zct_dget_fn, call, "zcomp-kunit-dget");
	if (!IS_ERR(task))
		kthread_bind(task, cpu);
	return task;
}

/* Whether @task sleeps (in mutex_lock(), for the tests below) within 5 s */
static bool zct_task_blocks(struct task_struct *task)
{
	int i;

	for (i = 0; i < 250; i++) {
		if (READ_ONCE(task->__state) == TASK_UNINTERRUPTIBLE)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * A reader whose CPU's decompression stream is busy takes another CPU's
 * free one rather than wait; with every one busy, it waits for its own.
 */
static void zcomp_test_dstream_elsewhere(struct kunit *test)
{
	struct zcomp_dstrm *mine, **held;
	struct zcomp_params params;
	struct zct_dget_call call;
	struct task_struct *task;
	unsigned int cpu, here, n = 0;
	bool quick, blocked, waited;
	struct zcomp *comp;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	held = kunit_kcalloc(test, nr_cpu_ids, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	comp = zct_create(test, zct_some_backend(), &params);

	here = cpumask_first(cpu_online_mask);
	mine = per_cpu_ptr(comp->dstream, here);

	/* this CPU's is busy: another one, at once */
	task = zct_dget_start(&call, comp, here);
	if (IS_ERR(task)) {
		zcomp_destroy(comp);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(task));
		return;
	}
	mutex_lock(&mine->lock);
	wake_up_process(task);
	quick = wait_for_completion_timeout(&call.done, 5 * HZ);
	mutex_unlock(&mine->lock);
	if (!quick)
		wait_for_completion(&call.done);
	kthread_stop(task);
	KUNIT_EXPECT_TRUE_MSG(test, quick, "waited for a busy stream");
	KUNIT_EXPECT_PTR_NE(test, call.got, mine);

	/* holding all at once takes a lockdep subclass each */
	if (num_online_cpus() > MAX_LOCKDEP_SUBCLASSES) {
		zcomp_destroy(comp);
		kunit_info(test, "all busy: not tried on more than %lu CPUs\n",
			   MAX_LOCKDEP_SUBCLASSES);
		return;
	}

	/* all busy: it waits, for its own CPU's */
	task = zct_dget_start(&call, comp, here);
	if (IS_ERR(task)) {
		zcomp_destroy(comp);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(task));
		return;
	}
	/* many streams at once, on purpose: the test's own exception */
	mutex_lock(&mine->lock);
	for_each_online_cpu(cpu) {
		if (cpu == here)
			continue;
		held[n] = per_cpu_ptr(comp->dstream, cpu);
		mutex_lock_nested(&held[n]->lock, n + 1);
		n++;
	}
	wake_up_process(task);
	/* it tried every stream, and sleeps on one */
	blocked = zct_task_blocks(task);
	while (n)
		mutex_unlock(&held[--n]->lock);
	msleep(50);
	/* still waiting: not for the streams released, but for its own */
	waited = blocked && !completion_done(&call.done);
	mutex_unlock(&mine->lock);
	wait_for_completion(&call.done);
	kthread_stop(task);
	zcomp_destroy(comp);

	KUNIT_EXPECT_TRUE_MSG(test, waited, "did not wait with every stream busy");
	KUNIT_EXPECT_PTR_EQ(test, call.got, mine);
}

struct zct_dead_call {
	struct zcomp *comp;
	unsigned int cpu;
	struct completion done;
};

static int zct_dead_fn(void *arg)
{
	struct zct_dead_call *call = arg;

	zcomp_cpu_dead(call->cpu, &call->comp->node);
	complete(&call->done);
	zct_wait_for_stop();
	return 0;
}

/* The callbacks, called directly on one CPU's stream of a private zcomp */
static void zcomp_test_hotplug_callbacks(struct kunit *test)
{
	struct zct_scratch *z = test->priv;
	struct zcomp_params params;
	struct zct_dead_call call;
	struct zcomp_dstrm *zdstrm;
	struct zcomp_strm *zstrm;
	struct task_struct *task;
	unsigned int cpu, len = 0;
	bool waited, live, gone;
	struct zcomp *comp;
	int err;

	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	comp = zct_create(test, zct_some_backend(), &params);

	/* Every online CPU has live streams of both kinds */
	for_each_online_cpu(cpu) {
		KUNIT_EXPECT_NOT_NULL(test, per_cpu_ptr(comp->stream, cpu)->buffer);
		KUNIT_EXPECT_NOT_NULL(test,
				      per_cpu_ptr(comp->dstream, cpu)->local_copy);
	}

	cpu = cpumask_last(cpu_online_mask);
	zstrm = per_cpu_ptr(comp->stream, cpu);
	zdstrm = per_cpu_ptr(comp->dstream, cpu);
	call.comp = comp;
	call.cpu = cpu;
	init_completion(&call.done);

	/*
	 * Teardown waits for the holder of the stream.  Nothing allocates
	 * with the stream held, KUnit's reports included (zcomp.c, rule 6):
	 * the thread is made before, the findings are checked after.
	 */
	task = kthread_create(zct_dead_fn, &call, "zcomp-kunit-dead");
	if (IS_ERR(task)) {
		zcomp_destroy(comp);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(task));
		return;
	}
	mutex_lock(&zstrm->lock);
	wake_up_process(task);
	msleep(50);
	waited = !completion_done(&call.done);
	live = zstrm->buffer;
	mutex_unlock(&zstrm->lock);
	wait_for_completion(&call.done);
	kthread_stop(task);
	KUNIT_EXPECT_TRUE_MSG(test, waited, "teardown did not wait for the holder");
	KUNIT_EXPECT_TRUE(test, live);

	mutex_lock(&zstrm->lock);
	gone = !zstrm->buffer && !zstrm->ctx.context;
	mutex_unlock(&zstrm->lock);
	KUNIT_EXPECT_TRUE_MSG(test, gone, "stream of CPU %u not freed", cpu);
	mutex_lock(&zdstrm->lock);
	gone = !zdstrm->local_copy && !zdstrm->ctx.context;
	mutex_unlock(&zdstrm->lock);
	KUNIT_EXPECT_TRUE_MSG(test, gone,
			      "decompression stream of CPU %u not freed", cpu);

	/* A second teardown of an empty slot is harmless */
	KUNIT_EXPECT_EQ(test, zcomp_cpu_dead(cpu, &comp->node), 0);

	/* Back up: a working stream again */
	KUNIT_EXPECT_EQ(test, zcomp_cpu_prepare(cpu, &comp->node), 0);
	KUNIT_EXPECT_NOT_NULL(test, zstrm->buffer);
	KUNIT_EXPECT_NOT_NULL(test, zdstrm->local_copy);

	zct_fill_text(z->page, PAGE_SIZE, 77);
	mutex_lock(&zstrm->lock);
	err = zcomp_compress(comp, zstrm, z->page, &len);
	if (!err)
		memcpy(z->cbuf, zstrm->buffer, len);
	mutex_unlock(&zstrm->lock);
	if (!err) {
		mutex_lock(&zdstrm->lock);
		err = zcomp_decompress(comp, zdstrm, z->cbuf, len, z->out);
		mutex_unlock(&zdstrm->lock);
	}
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, memcmp(z->out, z->page, PAGE_SIZE), 0);

	/* Teardown waits for a holder of the decompression stream as well */
	init_completion(&call.done);
	task = kthread_create(zct_dead_fn, &call, "zcomp-kunit-dead");
	if (IS_ERR(task)) {
		zcomp_destroy(comp);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(task));
		return;
	}
	mutex_lock(&zdstrm->lock);
	wake_up_process(task);
	waited = zct_task_blocks(task) && !completion_done(&call.done);
	live = zdstrm->local_copy;
	mutex_unlock(&zdstrm->lock);
	wait_for_completion(&call.done);
	kthread_stop(task);
	KUNIT_EXPECT_TRUE_MSG(test, waited,
			      "teardown did not wait for the decompression stream's holder");
	KUNIT_EXPECT_TRUE(test, live);

	zcomp_destroy(comp);
}

/* A real CPU goes offline and comes back while threads compress */
static void zcomp_test_cpu_offline(struct kunit *test)
{
	const int nr = 4;
	unsigned int cpu, victim = nr_cpu_ids;
	int err, failures, rounds, migrations;
	struct zcomp_params params;
	struct zcomp_dstrm *zdstrm;
	struct zcomp_strm *zstrm;
	struct zct_worker *w;
	struct zcomp *comp;
	bool gone, back;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and two online CPUs");
	for_each_online_cpu(cpu) {
		if (cpu && cpu_is_hotpluggable(cpu))
			victim = cpu;
	}
	if (victim >= nr_cpu_ids)
		kunit_skip(test, "no hotpluggable CPU");

	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	comp = zct_create(test, zct_some_backend(), &params);
	zstrm = per_cpu_ptr(comp->stream, victim);
	zdstrm = per_cpu_ptr(comp->dstream, victim);

	zct_workers_start(w, nr, comp, 0);
	msleep(100);

	err = remove_cpu(victim);
	if (err) {
		zct_workers_finish(w, nr, &rounds, &migrations);
		zcomp_destroy(comp);
		kunit_skip(test, "remove_cpu(%u): %d", victim, err);
	}
	mutex_lock(&zstrm->lock);
	gone = !zstrm->buffer;
	mutex_unlock(&zstrm->lock);
	mutex_lock(&zdstrm->lock);
	gone = gone && !zdstrm->local_copy;
	mutex_unlock(&zdstrm->lock);
	msleep(100);

	err = add_cpu(victim);
	mutex_lock(&zstrm->lock);
	back = zstrm->buffer;
	mutex_unlock(&zstrm->lock);
	mutex_lock(&zdstrm->lock);
	back = back && zdstrm->local_copy;
	mutex_unlock(&zdstrm->lock);
	msleep(100);

	failures = zct_workers_finish(w, nr, &rounds, &migrations);
	zcomp_destroy(comp);

	kunit_info(test, "CPU %u down and up: %d rounds, %d migrations\n",
		   victim, rounds, migrations);
	KUNIT_EXPECT_TRUE_MSG(test, gone, "stream of offline CPU %u kept",
			      victim);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "add_cpu(%u)", victim);
	KUNIT_EXPECT_TRUE_MSG(test, back, "no stream for CPU %u once back",
			      victim);
	KUNIT_EXPECT_EQ(test, failures, 0);
	KUNIT_EXPECT_GT(test, rounds, 0);
}

/* ------------------------------------------------------------------ */
/* Benchmark                                                            */

static u64 zct_mbps(u64 bytes, u64 ns)
{
	/* bytes per ns * 10^9 / 10^6 */
	return ns ? div64_u64(bytes * 1000, ns) : 0;
}

static void zct_bench_one(struct kunit *test, const char *alg, u8 **pages,
			  u8 **packed, unsigned int *packed_len)
{
	struct zcomp_params params;
	struct zcomp_dstrm *zdstrm;
	struct zcomp_strm *zstrm;
	u64 start, ns, cns, dns, cbytes = 0, dbytes = 0, in = 0, out = 0;
	struct zcomp *comp;
	unsigned int i, len;
	int err = 0;

	zct_params_init(&params, ZCOMP_PARAM_NOT_SET);
	comp = zct_create(test, alg, &params);
	zstrm = zcomp_stream_get(comp);

	/* Once over the set, to keep the output for decompression */
	for (i = 0; i < ZCT_BENCH_PAGES && !err; i++) {
		err = zcomp_compress(comp, zstrm, pages[i], &len);
		if (!err) {
			memcpy(packed[i], zstrm->buffer, len);
			packed_len[i] = len;
			in += PAGE_SIZE;
			out += len;
		}
	}

	start = ktime_get_ns();
	for (i = 0; !err; i++) {
		err = zcomp_compress(comp, zstrm, pages[i % ZCT_BENCH_PAGES],
				     &len);
		cbytes += PAGE_SIZE;
		ns = ktime_get_ns() - start;
		if (ns >= ZCT_BENCH_NS)
			break;
		cond_resched();
	}
	cns = ktime_get_ns() - start;
	zcomp_stream_put(zstrm);

	zdstrm = zcomp_dstream_get(comp);
	start = ktime_get_ns();
	for (i = 0; !err; i++) {
		unsigned int p = i % ZCT_BENCH_PAGES;

		err = zcomp_decompress(comp, zdstrm, packed[p], packed_len[p],
				       zdstrm->local_copy);
		dbytes += PAGE_SIZE;
		ns = ktime_get_ns() - start;
		if (ns >= ZCT_BENCH_NS)
			break;
		cond_resched();
	}
	dns = ktime_get_ns() - start;
	zcomp_dstream_put(zdstrm);
	zcomp_destroy(comp);

	/* Printing allocates: not with the stream held (zcomp.c, rule 6) */
	kunit_info(test, "%-8s compress %6llu MB/s, decompress %6llu MB/s, ratio %llu.%02llu\n",
		   alg, zct_mbps(cbytes, cns), zct_mbps(dbytes, dns),
		   out ? div64_u64(in, out) : 0,
		   out ? div64_u64(in * 100, out) % 100 : 0);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", alg);
}

static void zcomp_test_benchmark(struct kunit *test)
{
	const struct zcomp_ops *const *ops;
	u8 *pages[ZCT_BENCH_PAGES], *packed[ZCT_BENCH_PAGES];
	unsigned int *packed_len;
	int i;

	packed_len = kunit_kcalloc(test, ZCT_BENCH_PAGES, sizeof(*packed_len),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, packed_len);
	for (i = 0; i < ZCT_BENCH_PAGES; i++) {
		pages[i] = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
		packed[i] = kunit_kmalloc(test, ZCOMP_BUFFER_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		KUNIT_ASSERT_NOT_NULL(test, packed[i]);
		zct_fill_mixed(pages[i], PAGE_SIZE, 900 + i);
	}

	kunit_info(test, "one thread, %d pages of 4 KiB, %d ms each way\n",
		   ZCT_BENCH_PAGES, ZCT_BENCH_MS);
	for (ops = zcomp_backends; *ops; ops++)
		zct_bench_one(test, (*ops)->name, pages, packed, packed_len);
}

/* ------------------------------------------------------------------ */

/* Whether this suite registered the hotplug state itself */
static bool zct_own_hp_state;

static int zct_suite_init(struct kunit_suite *suite)
{
	/* As a module, the suite runs after zram's init: normally there */
	if (zcomp_hp_state > 0)
		return 0;
	zct_own_hp_state = true;
	return zcomp_init();
}

static void zct_suite_exit(struct kunit_suite *suite)
{
	if (zct_own_hp_state)
		zcomp_exit();
	zct_own_hp_state = false;
}

static struct kunit_case zcomp_kunit_cases[] = {
	KUNIT_CASE(zcomp_test_registry),
	KUNIT_CASE(zcomp_test_round_trips),
	KUNIT_CASE(zcomp_test_early_abort),
	KUNIT_CASE(zcomp_test_deflate_winbits),
	KUNIT_CASE(zcomp_test_no_overflow),
	KUNIT_CASE(zcomp_test_dictionaries),
	KUNIT_CASE(zcomp_test_zstd_bad_dict),
	KUNIT_CASE(zcomp_test_bad_params),
	KUNIT_CASE(zcomp_test_concurrency),
	KUNIT_CASE(zcomp_test_dstream_elsewhere),
	KUNIT_CASE(zcomp_test_hotplug_callbacks),
	KUNIT_CASE(zcomp_test_cpu_offline),
	KUNIT_CASE(zcomp_test_benchmark),
	{}
};

static struct kunit_suite zcomp_kunit_suite = {
	.name		= "zcomp_kunit",
	.suite_init	= zct_suite_init,
	.suite_exit	= zct_suite_exit,
	.init		= zct_case_init,
	.test_cases	= zcomp_kunit_cases,
};

kunit_test_suite(zcomp_kunit_suite);
