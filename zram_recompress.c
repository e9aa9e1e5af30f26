// SPDX-License-Identifier: GPL-2.0
/*
 * zram recompression: runs that store slots again with one of the
 * secondary algorithms (recomp_algorithm, priorities 1..3) when that makes
 * them smaller, under the rules of zram_pp.c.
 */

#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "zcomp.h"
#include "zram_pp.h"
#include "zram_pp_priv.h"
#include "zram_slot.h"

/**
 * struct recomp_req - one write to recompress
 * @flags: the slot flags a slot must have (type=)
 * @threshold: only objects of at least this many bytes
 * @max_pages: the most slots to try
 * @algo: the algorithm asked for by name, or NULL
 * @prio: the priority asked for, then the one the run uses; 0 while unset
 * @last_prio: the highest priority configured
 * @age: only slots not accessed for this many seconds (0: any), at @now
 * @now: zram_now() when the run started
 * @policy: a run of pp_policy (reset stops it early)
 * @tried: slots the run compressed again
 * @done: of which it stored smaller
 * @saved: the bytes of compressed data that saved
 */
struct recomp_req {
	unsigned long flags;
	unsigned int threshold;
	unsigned long max_pages;
	const char *algo;
	unsigned int prio;
	unsigned int last_prio;
	u32 age;
	u32 now;
	bool policy;
	unsigned long tried;
	unsigned long done;
	u64 saved;
};

enum recomp_key {
	RC_TYPE,
	RC_THRESHOLD,
	RC_MAX_PAGES,
	RC_ALGO,
	RC_PRIORITY,
};

static const char *const recomp_keys[] = {
	[RC_TYPE] = "type",
	[RC_THRESHOLD] = "threshold",
	[RC_MAX_PAGES] = "max_pages",
	[RC_ALGO] = "algo",
	[RC_PRIORITY] = "priority",
};

/* A secondary priority, 1..3 */
static int parse_secondary_prio(const char *val, unsigned int *prio)
{
	unsigned int num;

	if (kstrtouint(val, 10, &num) || num < ZRAM_SECONDARY_COMP ||
	    num >= ZRAM_MAX_COMPS)
		return -EINVAL;
	*prio = num;
	return 0;
}

static int recomp_take(void *ctx, unsigned int key, char *val)
{
	struct recomp_req *req = ctx;
	unsigned int num;

	switch (key) {
	case RC_TYPE:
		return zram_pp_parse_type(val, PP_NR_RECOMP_TYPES, &req->flags);
	case RC_THRESHOLD:
		return kstrtouint(val, 10, &req->threshold) ? -EINVAL : 0;
	case RC_MAX_PAGES:
		return kstrtoul(val, 10, &req->max_pages) ? -EINVAL : 0;
	case RC_ALGO:
		req->algo = val;
		return 0;
	case RC_PRIORITY:
		if (kstrtouint(val, 10, &num) || num >= ZRAM_MAX_COMPS)
			return -EINVAL;
		/* 0, the primary, means the first secondary, as upstream */
		req->prio = max_t(unsigned int, num, ZRAM_SECONDARY_COMP);
		return 0;
	}
	return -EINVAL;
}

/* The secondary priority @name is configured at, or 0 */
static unsigned int secondary_prio_of(struct zram *zram, const char *name)
{
	const char *alg = zcomp_lookup_backend_name(name);
	unsigned int prio;

	for (prio = ZRAM_SECONDARY_COMP; alg && prio < ZRAM_MAX_COMPS; prio++) {
		if (zram_comp_alg(zram, prio) && !strcmp(zram_comp_alg(zram, prio), alg))
			return prio;
	}
	return 0;
}

/* Check the request against the device and pick its priority */
static int recomp_resolve(struct zram *zram, struct recomp_req *req)
{
	unsigned int prio;

	if (req->threshold >= zram_huge_size(zram))
		return -EINVAL;
	if (req->algo) {
		prio = secondary_prio_of(zram, req->algo);
		if (!prio || (req->prio && req->prio != prio))
			return -EINVAL;
		req->prio = prio;
	}
	if (!req->prio)
		req->prio = ZRAM_SECONDARY_COMP;
	if (!zram_comp(zram, req->prio))
		return -EINVAL;
	for (prio = req->prio; prio < ZRAM_MAX_COMPS; prio++) {
		if (zram_comp(zram, prio))
			req->last_prio = prio;
	}
	return 0;
}

/* Is the slot one to recompress?  Slot locked. */
static bool recomp_candidate(struct zram *zram, u32 index,
			     const struct recomp_req *req)
{
	if (test_slot_flag(zram, index, ZRAM_WB) ||
	    test_slot_flag(zram, index, ZRAM_SAME) ||
	    test_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE) ||
	    test_slot_flag(zram, index, ZRAM_PP_SLOT) ||
	    !get_slot_handle(zram, index))
		return false;
	if (get_slot_prio(zram, index) >= req->prio ||
	    get_slot_size(zram, index) < req->threshold ||
	    !zram_pp_slot_old_enough(zram, index, req->now, req->age))
		return false;
	return zram_pp_slot_has_flags(zram, index, req->flags);
}

/* Would an object of @new_size take less pool memory than one of @old_size? */
static bool recomp_saves(struct zram *zram, unsigned int old_size,
			 unsigned int new_size)
{
	return new_size < zram_huge_size(zram) &&
	       zram_obj_room(zram, new_size) < zram_obj_room(zram, old_size);
}

/* What compressing a slot again came to */
enum recomp_result {
	RECOMP_NO_SAVING,	/* no smaller: the slot stays as it is */
	RECOMP_ABOVE_THRESHOLD,	/* smaller, but not below the threshold */
	RECOMP_SMALLER,		/* a new, smaller object is ready */
};

/*
 * Keep the @len bytes at @data, compressed with the request's algorithm,
 * as a new pool object in @obj if they take less pool memory than the
 * slot's object of @old_size and are below the request's threshold, if it
 * has one.  The stream is held: no reclaim.
 *
 * Return: an enum recomp_result, or -ENOMEM when the object could not be
 * allocated (no memory, or the memory limit).
 */
static int recomp_keep(struct zram *zram, const struct recomp_req *req,
		       unsigned int old_size, const void *data,
		       unsigned int len, struct zram_obj *obj)
{
	if (!recomp_saves(zram, old_size, len))
		return RECOMP_NO_SAVING;
	if (req->threshold && len >= req->threshold)
		return RECOMP_ABOVE_THRESHOLD;
	if (zram_alloc_obj(zram, len, false, &obj->handle))
		return -ENOMEM;
	zram_obj_write(zram, obj->handle, data, len);
	obj->size = len;
	obj->prio = req->prio;
	return RECOMP_SMALLER;
}

/*
 * Compress @page with the request's algorithm into @obj, if that saves.
 * Return: an enum recomp_result, or an error, which ends the run.
 */
static int recomp_make_obj(struct zram *zram, struct page *page,
			   const struct recomp_req *req, unsigned int old_size,
			   struct zram_obj *obj)
{
	struct zcomp *comp = zram_comp(zram, req->prio);
	struct zcomp_strm *zstrm;
	unsigned int len = 0;
	void *src;
	int ret;

	zstrm = zcomp_stream_get(comp);
	src = kmap_local_page(page);
	ret = zcomp_compress(comp, zstrm, src, &len);
	kunmap_local(src);
	if (!ret)
		ret = recomp_keep(zram, req, old_size, zstrm->buffer, len, obj);
	else if (ret == -E2BIG)	/* zcomp's early abort: nothing to save */
		ret = RECOMP_NO_SAVING;
	zcomp_stream_put(zstrm);
	return ret;
}

/*
 * Try one slot, as the rules at the top say; *left counts down the tries.
 * Return: 0, -EBADMSG when the slot's data failed to read or to verify
 * (the slot is left as it is), or an error that ends the run.
 */
static int recompress_slot(struct zram *zram, u32 index,
			   struct recomp_req *req, struct page *page,
			   unsigned long *left)
{
	struct zram_obj obj = {};
	unsigned long old_handle;
	unsigned int old_size;
	bool installed = false;
	int ret;

	zram_slot_lock(zram, index);
	if (!recomp_candidate(zram, index, req)) {
		zram_slot_unlock(zram, index);
		return 0;
	}
	ret = zram_slot_read(zram, index, page);
	if (ret) {
		/* garbled: the slot stays as it is, to be examined */
		zram_slot_unlock(zram, index);
		return -EBADMSG;
	}
	old_handle = get_slot_handle(zram, index);
	old_size = get_slot_size(zram, index);
	set_slot_flag(zram, index, ZRAM_PP_SLOT);
	zram_slot_unlock(zram, index);
	(*left)--;

	ret = recomp_make_obj(zram, page, req, old_size, &obj);

	zram_slot_lock(zram, index);
	if (zram_pp_slot_unchanged(zram, index, old_handle)) {
		clear_slot_flag(zram, index, ZRAM_PP_SLOT);
		if (ret == RECOMP_SMALLER) {
			/* the same page: its checksum carries over */
			obj.csum = get_slot_csum(zram, index);
			zram_obj_free(zram, zram_slot_take_obj(zram, index));
			zram_slot_set_obj(zram, index, &obj);
			installed = true;
			req->done++;
			req->saved += old_size - obj.size;
		} else if (ret == RECOMP_NO_SAVING &&
			   req->prio == req->last_prio) {
			/* no algorithm left to try */
			set_slot_flag(zram, index, ZRAM_INCOMPRESSIBLE);
		}
	}
	zram_slot_unlock(zram, index);
	/* the slot changed meanwhile: the new object is nobody's */
	if (ret == RECOMP_SMALLER && !installed)
		zram_obj_free(zram, obj.handle);
	return ret < 0 ? ret : 0;
}

static int recompress_run(struct zram *zram, struct recomp_req *req)
{
	unsigned long left = req->max_pages;
	bool unreadable = false;
	unsigned long index;
	struct page *page;
	int ret = 0;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	for (index = 0; index < zram_nr_slots(zram) && left && !ret; index++) {
		ret = recompress_slot(zram, index, req, page, &left);
		/* a slot that cannot be read stays as it is; the run goes on */
		if (ret == -EBADMSG) {
			unreadable = true;
			ret = 0;
		}
		if (!ret)
			ret = zram_pp_interrupted(zram, req->policy);
		cond_resched();
	}
	req->tried = req->max_pages - left;
	__free_page(page);
	return ret ?: unreadable ? -EIO : 0;
}

static ssize_t recompress_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	struct zram *zram = dev_to_zram(dev);
	struct recomp_req req = { .max_pages = ULONG_MAX };
	int ret;

	if (!args)
		return -ENOMEM;
	ret = zram_parse_args(args, recomp_keys, ARRAY_SIZE(recomp_keys),
			      recomp_take, &req);
	if (ret < 0)
		return ret;

	guard(rwsem_read)(zram_config_lock(zram));
	if (!init_done(zram))
		return -EINVAL;
	ret = recomp_resolve(zram, &req);
	if (ret)
		return ret;
	if (!zram_pp_begin(zram))
		return -EAGAIN;
	ret = recompress_run(zram, &req);
	zram_pp_end(zram);
	return ret ? ret : len;
}

/**
 * zram_recompress_aged() - the recompression of a policy scan
 * @zram: the device; the caller holds its config lock for reading and owns
 *        its post-processing (zram_pp_begin())
 * @pass: which slots, and what it did
 * @prio: the priority to recompress with; 0: the highest configured
 *
 * Under the rules of a write to recompress without a type: every slot
 * not accessed for @pass->age seconds and not yet stored at @prio or above.
 * One difference: a slot that @prio cannot shrink is marked incompressible
 * even below the highest priority, as if @prio were the last one, so that
 * the next scans do not try it again and again.
 *
 * Return: 0, -ENODEV when @prio has no algorithm, or the run's error.
 */
int zram_recompress_aged(struct zram *zram, struct pp_pass *pass,
			 unsigned int prio)
{
	struct recomp_req req = {
		.max_pages = pass->left,
		.prio = prio,
		.age = pass->age,
		.now = pass->now,
		.policy = true,
	};
	int ret;

	if (!prio) {
		for (prio = ZRAM_SECONDARY_COMP; prio < ZRAM_MAX_COMPS; prio++) {
			if (zram_comp(zram, prio))
				req.prio = prio;
		}
	}
	if (!req.prio || recomp_resolve(zram, &req))
		return -ENODEV;
	req.last_prio = req.prio;
	ret = recompress_run(zram, &req);
	pass->left -= req.tried;
	pass->done += req.done;
	pass->saved += req.saved;
	return ret;
}

/* recomp_algorithm: "#N: " and the backend list, per configured priority */
static ssize_t recomp_algorithm_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct zram *zram = dev_to_zram(dev);
	unsigned int prio;
	ssize_t at = 0;

	guard(rwsem_read)(zram_config_lock(zram));
	for (prio = ZRAM_SECONDARY_COMP; prio < ZRAM_MAX_COMPS; prio++) {
		if (!zram_comp_alg(zram, prio))
			continue;
		at += sysfs_emit_at(buf, at, "#%u: ", prio);
		at = zcomp_available_show(zram_comp_alg(zram, prio), buf, at);
	}
	return at;
}

enum recomp_alg_key {
	RA_ALGO,
	RA_PRIORITY,
};

static const char *const recomp_alg_keys[] = {
	[RA_ALGO] = "algo",
	[RA_PRIORITY] = "priority",
};

struct recomp_alg_req {
	const char *algo;
	unsigned int prio;
};

static int recomp_alg_take(void *ctx, unsigned int key, char *val)
{
	struct recomp_alg_req *req = ctx;

	switch (key) {
	case RA_ALGO:
		req->algo = val;
		return 0;
	case RA_PRIORITY:
		return parse_secondary_prio(val, &req->prio);
	}
	return -EINVAL;
}

static ssize_t recomp_algorithm_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t len)
{
	char *args __free(kfree) = kstrndup(buf, len, GFP_KERNEL);
	struct zram *zram = dev_to_zram(dev);
	struct recomp_alg_req req = { .prio = ZRAM_SECONDARY_COMP };
	const char *alg;
	int ret;

	if (!args)
		return -ENOMEM;
	ret = zram_parse_args(args, recomp_alg_keys,
			      ARRAY_SIZE(recomp_alg_keys), recomp_alg_take,
			      &req);
	if (ret < 0)
		return ret;
	alg = req.algo ? zcomp_lookup_backend_name(req.algo) : NULL;
	if (!alg)
		return -EINVAL;

	guard(rwsem_write)(zram_config_lock(zram));
	if (init_done(zram))
		return -EBUSY;
	zram_set_comp_alg(zram, req.prio, alg);
	return len;
}

struct device_attribute zram_attr_recomp_algorithm = __ATTR_RW(recomp_algorithm);
struct device_attribute zram_attr_recompress = __ATTR_WO(recompress);

#ifdef ZRAM_KUNIT
#include "tests/kunit/zram_recompress_kunit.c"
#endif
