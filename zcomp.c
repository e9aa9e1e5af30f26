// SPDX-License-Identifier: GPL-2.0
/*
 * zcomp: the registry of compression backends and the per-CPU streams
 * that run them.
 *
 * Each zcomp owns two percpu arrays of stream slots, one slot per possible
 * CPU in each: compression streams (a backend context and a two-page
 * output buffer) and decompression streams (a backend context, if the
 * backend needs one, and a page for objects that straddle pool pages).
 * A slot carries a live stream exactly while its CPU is up: a dynamic
 * multi-instance CPU-hotplug state fills both slots in the PREPARE stage,
 * before the CPU runs any task, and empties them once the CPU is dead.
 * Both callbacks run in process context on some other CPU, so they may
 * sleep and allocate with GFP_KERNEL.
 *
 * Reads take only decompression streams, whose holders do nothing but
 * decompress: a read never waits here for a compression, nor for a
 * reclaim that a writer enters.  A reader takes its CPU's decompression
 * stream when it is free, else any other free one, and waits for its own
 * only when every one is busy.
 *
 * Locking rules for a stream (of either kind):
 *
 * 1. It is used only with its ->lock held: zcomp_stream_get() (or
 *    zcomp_dstream_get()) takes the lock, zcomp_stream_put() (or
 *    zcomp_dstream_put()) drops it.  The holder may sleep, may be
 *    preempted and may migrate: the stream stays its own until put, on
 *    whichever CPU it ends up running.
 * 2. A non-NULL ->buffer (->local_copy for a decompression stream), read
 *    under ->lock, means the stream is live.
 *    The callbacks change a slot only with its ->lock held, so tearing a
 *    stream down waits for a holder that migrated off the dying CPU.
 * 3. A getter that finds an empty slot lets go and looks again on the
 *    CPU it runs on now; a dead CPU runs no task, so the loop ends.
 * 4. The ->lock of every compression stream of every zcomp is one
 *    lockdep class, that of every decompression stream another: never
 *    hold two streams at a time.
 * 5. The hotplug core calls the callbacks under cpu_hotplug_lock, so a
 *    stream holder must not take cpus_read_lock().
 * 6. Whoever holds a stream does not enter direct reclaim: a write (or a
 *    read) on that CPU needs the stream, and would wait for the reclaim.  An
 *    allocation that may fail without it is made without it (kswapd is
 *    still woken); one that must reclaim is made after zcomp_stream_put(),
 *    and the work is done again with the stream taken anew.  Reclaim may
 *    also write to a zram device (swap-out), which takes a stream, so
 *    lockdep would see a stream wanted inside itself (rule 4).  The
 *    callbacks allocate before taking the lock and free after dropping
 *    it.
 */

#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/topology.h>

#include "zcomp.h"
#include "backend_deflate.h"
#include "backend_lz4.h"
#include "backend_lz4hc.h"
#include "backend_lzo.h"
#include "backend_zstd.h"

/*
 * Room for one compressed page.  Two pages, so that a page that does not
 * compress still fits together with the backend's own framing: zram then
 * stores it uncompressed, but the backend never runs out of room for it.
 */
#define ZCOMP_BUFFER_SIZE	(2 * PAGE_SIZE)

/*
 * The backends of this build, in the order comp_algorithm lists them.
 * Kbuild defines ZRAM_BACKEND_<X> only when the target kernel provides
 * both the compressor and the decompressor of <X>.  NULL ends the list.
 */
static const struct zcomp_ops *const zcomp_backends[] = {
#ifdef ZRAM_BACKEND_LZO
	&lzorle_zcomp_ops,
	&lzo_zcomp_ops,
#endif
#ifdef ZRAM_BACKEND_LZ4
	&lz4_zcomp_ops,
#endif
#ifdef ZRAM_BACKEND_LZ4HC
	&lz4hc_zcomp_ops,
#endif
#ifdef ZRAM_BACKEND_ZSTD
	&zstd_zcomp_ops,
#endif
#ifdef ZRAM_BACKEND_DEFLATE
	&deflate_zcomp_ops,
#endif
	NULL
};

/* Our dynamic hotplug state, from zcomp_init(); 0 when not registered */
static int zcomp_hp_state;

static const struct zcomp_ops *zcomp_find_backend(const char *name)
{
	const struct zcomp_ops *const *ops;

	for (ops = zcomp_backends; *ops; ops++) {
		if (sysfs_streq(name, (*ops)->name))
			return *ops;
	}
	return NULL;
}

/**
 * zcomp_lookup_backend_name() - find a backend by the name a user wrote
 * @comp: the name; one trailing newline is ignored
 *
 * Return: the backend's own name string, which lives as long as the
 * module, or NULL when no backend of this build has that name.
 */
const char *zcomp_lookup_backend_name(const char *comp)
{
	const struct zcomp_ops *ops = zcomp_find_backend(comp);

	return ops ? ops->name : NULL;
}

/**
 * zcomp_available_show() - list the backends for a sysfs attribute
 * @comp: the name to put in brackets, or NULL
 * @buf: the sysfs page
 * @at: where in @buf to start
 *
 * Every backend name is followed by a space; a newline ends the line.
 *
 * Return: the offset in @buf after what was written.
 */
ssize_t zcomp_available_show(const char *comp, char *buf, ssize_t at)
{
	const struct zcomp_ops *const *ops;

	for (ops = zcomp_backends; *ops; ops++) {
		const char *name = (*ops)->name;
		bool chosen = comp && sysfs_streq(comp, name);

		at += sysfs_emit_at(buf, at, chosen ? "[%s] " : "%s ", name);
	}
	at += sysfs_emit_at(buf, at, "\n");
	return at;
}

/*
 * Early abort.  zram stores a page that does not compress below about four
 * fifths of a page as it is, and an expensive backend (zstd at its higher
 * levels, deflate, lz4hc) spends all its effort on such a page for
 * nothing.  Two cheap estimates come first, and the page is given up only
 * when both say that it would not shrink by even a sixteenth:
 *
 * - its order-0 entropy: what an entropy coder (the Huffman stage of zstd
 *   and deflate) could save without finding a single repeat;
 * - LZ4 into a buffer a sixteenth short of a page: what repeats save.
 *
 * The backends find repeats that LZ4 misses (three-byte ones, say), and
 * combine both kinds of saving, so this is an estimate, not a proof; but
 * two savings under a sixteenth each stay far from the fifth that zram
 * needs, and no real data set measured lost a page to it.  The entropy
 * goes first because it is the cheaper one, and most pages that compress
 * show it there.  Without LZ4 in the kernel, or with a dictionary (which
 * can make any page compress), there is no early abort.
 */
#ifdef ZRAM_BACKEND_LZ4
#define ZCOMP_HAVE_LZ4		true
#else
#define ZCOMP_HAVE_LZ4		false
#endif

struct zcomp_probe {
	LZ4_stream_t lz4;	/* LZ4's workspace */
	u32 count[256];		/* how often each byte value occurs */
};

/* A page that saves less than this is not worth a full compression */
#define ZCOMP_PROBE_ROOM	(PAGE_SIZE - PAGE_SIZE / 16)

/* log2(@x) in 1/256ths, for @x >= 1 */
static unsigned int zcomp_log2_q8(u32 x)
{
	unsigned int bits = ilog2(x), frac = 0, i;
	u64 m = ((u64)x << 16) >> bits;		/* in [1, 2), 16 fraction bits */

	/* Squaring doubles the logarithm: each step yields one more bit */
	for (i = 0; i < 8; i++) {
		m = (m * m) >> 16;
		frac <<= 1;
		if (m >= 2 << 16) {
			m >>= 1;
			frac |= 1;
		}
	}
	return bits << 8 | frac;
}

/* Would coding each byte by its frequency alone fit @src in the room? */
static bool zcomp_entropy_fits(struct zcomp_probe *probe, const u8 *src)
{
	u32 bits = 0;	/* the page's order-0 entropy, in 1/256ths of a bit */
	unsigned int i;

	memset(probe->count, 0, sizeof(probe->count));
	for (i = 0; i < PAGE_SIZE; i++)
		probe->count[src[i]]++;
	/* each byte of value v costs log2(PAGE_SIZE / count[v]) bits */
	for (i = 0; i < ARRAY_SIZE(probe->count); i++) {
		u32 n = probe->count[i];

		if (n)
			bits += n * ((PAGE_SHIFT << 8) - zcomp_log2_q8(n));
	}
	return bits < ZCOMP_PROBE_ROOM * 8 * 256;
}

/* Is @src worth the backend's effort?  Stream held; uses its buffer. */
static bool zcomp_worth_compressing(struct zcomp_strm *zstrm, const void *src)
{
	if (!ZCOMP_HAVE_LZ4)
		return true;
	if (zcomp_entropy_fits(zstrm->probe, src))
		return true;
	return LZ4_compress_default(src, zstrm->buffer, PAGE_SIZE,
				    ZCOMP_PROBE_ROOM, &zstrm->probe->lz4) > 0;
}

/* A CPU's two streams, as the hotplug callbacks build or dismantle them */
struct zcomp_parts {
	void *buffer;
	struct zcomp_ctx ctx;
	struct zcomp_probe *probe;
	void *local_copy;
	struct zcomp_ctx dctx;
};

/* Free a CPU's stream parts; any of them may be missing */
static void zcomp_parts_free(struct zcomp *comp, struct zcomp_parts *parts)
{
	comp->ops->destroy_ctx(&parts->ctx);
	if (comp->ops->destroy_dctx)
		comp->ops->destroy_dctx(&parts->dctx);
	kvfree(parts->local_copy);
	kvfree(parts->probe);
	kvfree(parts->buffer);
}

static int zcomp_parts_alloc(struct zcomp *comp, unsigned int cpu,
			     struct zcomp_parts *parts)
{
	int node = cpu_to_node(cpu);
	int err;

	err = comp->ops->create_ctx(&comp->params, &parts->ctx);
	if (err)
		return err;
	if (comp->ops->create_dctx) {
		err = comp->ops->create_dctx(&comp->params, &parts->dctx);
		if (err)
			return err;
	}
	if (comp->early_abort) {
		parts->probe = kvmalloc_node(sizeof(*parts->probe),
					     GFP_KERNEL, node);
		if (!parts->probe)
			return -ENOMEM;
	}
	parts->buffer = kvzalloc_node(ZCOMP_BUFFER_SIZE, GFP_KERNEL, node);
	parts->local_copy = kvzalloc_node(PAGE_SIZE, GFP_KERNEL, node);
	return parts->buffer && parts->local_copy ? 0 : -ENOMEM;
}

/* CPUHP_BP_PREPARE_DYN startup: @cpu is about to come up */
static int zcomp_cpu_prepare(unsigned int cpu, struct hlist_node *node)
{
	struct zcomp *comp = hlist_entry(node, struct zcomp, node);
	struct zcomp_strm *zstrm = per_cpu_ptr(comp->stream, cpu);
	struct zcomp_dstrm *zdstrm = per_cpu_ptr(comp->dstream, cpu);
	struct zcomp_parts parts = { };
	int err;

	/* Everything is allocated before taking the locks (rule 6) */
	err = zcomp_parts_alloc(comp, cpu, &parts);
	if (err) {
		zcomp_parts_free(comp, &parts);
		pr_err("no %s streams for CPU %u: %d\n", comp->ops->name, cpu,
		       err);
		return err;
	}

	mutex_lock(&zstrm->lock);
	zstrm->ctx = parts.ctx;
	zstrm->probe = parts.probe;
	zstrm->buffer = parts.buffer;
	mutex_unlock(&zstrm->lock);

	mutex_lock(&zdstrm->lock);
	zdstrm->ctx = parts.dctx;
	zdstrm->local_copy = parts.local_copy;
	mutex_unlock(&zdstrm->lock);
	return 0;
}

/* CPUHP_BP_PREPARE_DYN teardown: @cpu is dead, or the zcomp goes away */
static int zcomp_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct zcomp *comp = hlist_entry(node, struct zcomp, node);
	struct zcomp_strm *zstrm = per_cpu_ptr(comp->stream, cpu);
	struct zcomp_dstrm *zdstrm = per_cpu_ptr(comp->dstream, cpu);
	struct zcomp_parts parts;

	/* Each waits for a holder that migrated off @cpu (rule 2) */
	mutex_lock(&zstrm->lock);
	parts.buffer = zstrm->buffer;
	parts.ctx = zstrm->ctx;
	parts.probe = zstrm->probe;
	zstrm->buffer = NULL;
	zstrm->ctx.context = NULL;
	zstrm->probe = NULL;
	mutex_unlock(&zstrm->lock);

	mutex_lock(&zdstrm->lock);
	parts.local_copy = zdstrm->local_copy;
	parts.dctx = zdstrm->ctx;
	zdstrm->local_copy = NULL;
	zdstrm->ctx.context = NULL;
	mutex_unlock(&zdstrm->lock);

	zcomp_parts_free(comp, &parts);
	return 0;
}

/**
 * zcomp_stream_get() - take a compression stream
 * @comp: the zcomp
 *
 * Takes the stream of the CPU the caller runs on.  The caller may sleep
 * and migrate while it holds the stream; it must give it back with
 * zcomp_stream_put() and must not hold another stream meanwhile.
 *
 * Context: process context; sleeps.
 * Return: the stream, locked.
 */
struct zcomp_strm *zcomp_stream_get(struct zcomp *comp)
{
	might_sleep();

	for (;;) {
		/* Any CPU's stream will do: no need to stay on this one */
		struct zcomp_strm *zstrm = raw_cpu_ptr(comp->stream);

		mutex_lock(&zstrm->lock);
		if (likely(zstrm->buffer))
			return zstrm;
		/* Its CPU went down while we waited: look again (rule 3) */
		mutex_unlock(&zstrm->lock);
		cond_resched();
	}
}

/**
 * zcomp_stream_put() - give back a stream taken by zcomp_stream_get()
 * @zstrm: the stream
 */
void zcomp_stream_put(struct zcomp_strm *zstrm)
{
	mutex_unlock(&zstrm->lock);
}

/* Take @zdstrm if it is free and live */
static bool zcomp_dstream_trylock(struct zcomp_dstrm *zdstrm)
{
	if (!mutex_trylock(&zdstrm->lock))
		return false;
	if (likely(zdstrm->local_copy))
		return true;
	mutex_unlock(&zdstrm->lock);
	return false;
}

/**
 * zcomp_dstream_get() - take a decompression stream
 * @comp: the zcomp
 *
 * Takes the stream of the CPU the caller runs on if it is free, else a
 * free stream of another online CPU, looking from the next CPU on; only
 * when all are busy does it wait, for its own CPU's.  Holders of
 * decompression streams only decompress, so the wait is short.  The
 * caller may sleep and migrate while it holds the stream; it must give it
 * back with zcomp_dstream_put() and must not hold another stream
 * meanwhile.
 *
 * Context: process context; sleeps.
 * Return: the stream, locked.
 */
struct zcomp_dstrm *zcomp_dstream_get(struct zcomp *comp)
{
	struct zcomp_dstrm *zdstrm;
	unsigned int cpu;

	might_sleep();

	zdstrm = raw_cpu_ptr(comp->dstream);
	if (zcomp_dstream_trylock(zdstrm))
		return zdstrm;
	/*
	 * From the next CPU on, so that readers spread out; a CPU that goes
	 * down meanwhile fails the check (rule 2)
	 */
	for_each_cpu_wrap(cpu, cpu_online_mask,
			  (raw_smp_processor_id() + 1) % nr_cpu_ids) {
		zdstrm = per_cpu_ptr(comp->dstream, cpu);
		if (zcomp_dstream_trylock(zdstrm))
			return zdstrm;
	}
	for (;;) {
		zdstrm = raw_cpu_ptr(comp->dstream);
		mutex_lock(&zdstrm->lock);
		if (likely(zdstrm->local_copy))
			return zdstrm;
		mutex_unlock(&zdstrm->lock);	/* rule 3 */
		cond_resched();
	}
}

/**
 * zcomp_dstream_put() - give back a stream taken by zcomp_dstream_get()
 * @zdstrm: the stream
 */
void zcomp_dstream_put(struct zcomp_dstrm *zdstrm)
{
	mutex_unlock(&zdstrm->lock);
}

/**
 * zcomp_compress() - compress one page into the stream's buffer
 * @comp: the zcomp
 * @zstrm: a stream of @comp, held by the caller
 * @src: the page (PAGE_SIZE bytes)
 * @dst_len: on success, the compressed length now in @zstrm->buffer
 *
 * The output may be longer than a page when @src does not compress.  With
 * an early abort (zcomp->early_abort), a page that cheap estimates find
 * would not shrink by a sixteenth is not compressed at all.
 *
 * Context: process context; may sleep.
 * Return: 0; -E2BIG from the early abort: the page should be stored as
 * it is; another negative errno from the backend.
 */
int zcomp_compress(struct zcomp *comp, struct zcomp_strm *zstrm,
		   const void *src, unsigned int *dst_len)
{
	struct zcomp_req req = {
		.src = src,
		.src_len = PAGE_SIZE,
		.dst = zstrm->buffer,
		.dst_len = ZCOMP_BUFFER_SIZE,
	};
	int err;

	might_sleep();
	lockdep_assert_held(&zstrm->lock);

	if (comp->early_abort && !zcomp_worth_compressing(zstrm, src))
		return -E2BIG;
	err = comp->ops->compress(&comp->params, &zstrm->ctx, &req);
	if (!err)
		*dst_len = req.dst_len;
	return err;
}

/**
 * zcomp_decompress() - decompress one page
 * @comp: the zcomp
 * @zdstrm: a decompression stream of @comp, held by the caller
 * @src: compressed data
 * @src_len: its length
 * @dst: the page to fill (PAGE_SIZE bytes)
 *
 * Context: process context; may sleep.
 * Return: 0 when exactly PAGE_SIZE bytes were produced, else a negative
 * errno.
 */
int zcomp_decompress(struct zcomp *comp, struct zcomp_dstrm *zdstrm,
		     const void *src, unsigned int src_len, void *dst)
{
	struct zcomp_req req = {
		.src = src,
		.src_len = src_len,
		.dst = dst,
		.dst_len = PAGE_SIZE,
	};

	might_sleep();
	lockdep_assert_held(&zdstrm->lock);

	return comp->ops->decompress(&comp->params, &zdstrm->ctx, &req);
}

static int zcomp_alloc_streams(struct zcomp *comp)
{
	unsigned int cpu;

	comp->stream = alloc_percpu(struct zcomp_strm);
	comp->dstream = alloc_percpu(struct zcomp_dstrm);
	if (!comp->stream || !comp->dstream) {
		free_percpu(comp->stream);
		free_percpu(comp->dstream);
		return -ENOMEM;
	}

	/* Every possible CPU: a getter may find a slot of an offline one */
	for_each_possible_cpu(cpu) {
		mutex_init(&per_cpu_ptr(comp->stream, cpu)->lock);
		mutex_init(&per_cpu_ptr(comp->dstream, cpu)->lock);
	}
	return 0;
}

static void zcomp_free_streams(struct zcomp *comp)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		mutex_destroy(&per_cpu_ptr(comp->stream, cpu)->lock);
		mutex_destroy(&per_cpu_ptr(comp->dstream, cpu)->lock);
	}
	free_percpu(comp->stream);
	free_percpu(comp->dstream);
}

/**
 * zcomp_create() - set up an algorithm and its streams
 * @alg: the backend's name
 * @params: its parameters, copied; the dictionary they point to must stay
 *          until zcomp_destroy()
 *
 * Checks a copy of @params and fills in the backend's defaults there, then
 * creates a stream for every online CPU.  @params itself is not changed,
 * so a device whose set-up fails keeps the parameters the user gave.
 *
 * Context: process context; sleeps.  zcomp_init() must have succeeded.
 * Return: the zcomp, or an ERR_PTR(): -EINVAL for an unknown algorithm
 * or bad parameters, -EOPNOTSUPP for a parameter this kernel's library
 * cannot honour, -ENOMEM.
 */
struct zcomp *zcomp_create(const char *alg,
			   const struct zcomp_params *params)
{
	const struct zcomp_ops *ops;
	struct zcomp *comp;
	int err;

	might_sleep();
	if (WARN_ON_ONCE(zcomp_hp_state <= 0))
		return ERR_PTR(-ENODEV);

	ops = zcomp_find_backend(alg);
	if (!ops)
		return ERR_PTR(-EINVAL);
	/* a decompression context is made and freed by a pair, or not at all */
	if (WARN_ON_ONCE(!ops->create_dctx != !ops->destroy_dctx))
		return ERR_PTR(-EINVAL);

	comp = kzalloc(sizeof(*comp), GFP_KERNEL);
	if (!comp)
		return ERR_PTR(-ENOMEM);
	comp->ops = ops;
	comp->params = *params;
	comp->params.drv_data = NULL;

	err = ops->setup_params(&comp->params);
	if (err)
		goto free_comp;
	comp->early_abort = ZCOMP_HAVE_LZ4 &&
			    !comp->params.dict_sz && ops->costly &&
			    ops->costly(&comp->params);

	err = zcomp_alloc_streams(comp);
	if (err)
		goto release_params;

	/* Runs zcomp_cpu_prepare() for each online CPU, undone on failure */
	err = cpuhp_state_add_instance(zcomp_hp_state, &comp->node);
	if (err)
		goto free_streams;
	return comp;

free_streams:
	zcomp_free_streams(comp);
release_params:
	ops->release_params(&comp->params);
free_comp:
	kfree(comp);
	return ERR_PTR(err);
}

/**
 * zcomp_check_params() - would zcomp_create() take these parameters?
 * @alg: the backend's name
 * @params: the parameters; not changed
 *
 * Lets a parameter store fail at once instead of at device setup.  The
 * backend prepares the parameters as for zcomp_create() (a dictionary
 * is digested, for instance) and releases them again.
 *
 * Context: process context; sleeps.
 * Return: 0, or what zcomp_create() would fail with.
 */
int zcomp_check_params(const char *alg, const struct zcomp_params *params)
{
	const struct zcomp_ops *ops;
	struct zcomp_params trial;
	int err;

	might_sleep();
	ops = zcomp_find_backend(alg);
	if (!ops)
		return -EINVAL;

	trial = *params;
	trial.drv_data = NULL;
	err = ops->setup_params(&trial);
	if (!err)
		ops->release_params(&trial);
	return err;
}

/**
 * zcomp_destroy() - free a zcomp made by zcomp_create()
 * @comp: the zcomp, or NULL
 *
 * No stream may be held.  Releases what the backend prepared from the
 * parameters in its copy of them.
 */
void zcomp_destroy(struct zcomp *comp)
{
	if (!comp)
		return;

	/* Runs zcomp_cpu_dead() for each online CPU */
	cpuhp_state_remove_instance(zcomp_hp_state, &comp->node);
	zcomp_free_streams(comp);
	comp->ops->release_params(&comp->params);
	kfree(comp);
}

/**
 * zcomp_init() - register the CPU-hotplug state of the streams
 *
 * Call once at module load, before the first zcomp_create().
 *
 * Return: 0 or a negative errno.
 */
int zcomp_init(void)
{
	int state;

	state = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN,
					"block/zram-backport:prepare",
					zcomp_cpu_prepare, zcomp_cpu_dead);
	if (state < 0)
		return state;
	zcomp_hp_state = state;
	return 0;
}

/**
 * zcomp_exit() - unregister the hotplug state; every zcomp must be gone
 */
void zcomp_exit(void)
{
	if (zcomp_hp_state <= 0)
		return;
	cpuhp_remove_multi_state(zcomp_hp_state);
	zcomp_hp_state = 0;
}

#ifdef ZRAM_KUNIT
#include "tests/kunit/zcomp_kunit.c"
#endif
