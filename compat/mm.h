/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for memory management: shrinker registration, movable (migratable) pages. */
#ifndef _ZRAM_COMPAT_MM_H_
#define _ZRAM_COMPAT_MM_H_

/*
 * Shrinkers.  Linux 6.7 (commit c42d50aefd17, "mm: shrinker: add
 * infrastructure for dynamically allocating shrinker", then the removal of
 * the old calls) replaced
 *	int register_shrinker(struct shrinker *shrinker, const char *fmt, ...);
 *	void unregister_shrinker(struct shrinker *shrinker);
 * on a struct shrinker embedded by the caller with
 *	struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...);
 *	void shrinker_register(struct shrinker *shrinker);
 *	void shrinker_free(struct shrinker *shrinker);
 * and added shrinker->private_data.  The core calls the new functions; on
 * older kernels the shims below allocate a wrapper that carries the name
 * and the private pointer.  A struct field cannot be shimmed, so the core
 * reaches the private pointer through compat_shrinker_{set_,}private().
 */
#ifdef HAVE_SHRINKER_ALLOC

#define compat_shrinker_set_private(s, data)	((s)->private_data = (data))
#define compat_shrinker_private(s)		((s)->private_data)

#else /* !HAVE_SHRINKER_ALLOC */

#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

struct compat_shrinker {
	struct shrinker shrinker;
	void *private_data;
	char *name;
	bool registered;
};

static inline struct compat_shrinker *to_compat_shrinker(struct shrinker *s)
{
	return container_of(s, struct compat_shrinker, shrinker);
}

#define compat_shrinker_set_private(s, data) \
	(to_compat_shrinker(s)->private_data = (data))
#define compat_shrinker_private(s)	(to_compat_shrinker(s)->private_data)

static inline __printf(2, 3)
struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct compat_shrinker *cs;
	va_list args;

	cs = kzalloc(sizeof(*cs), GFP_KERNEL);
	if (!cs)
		return NULL;
	va_start(args, fmt);
	cs->name = kvasprintf(GFP_KERNEL, fmt, args);
	va_end(args);
	if (!cs->name) {
		kfree(cs);
		return NULL;
	}
	cs->shrinker.flags = flags;
	cs->shrinker.seeks = DEFAULT_SEEKS;
	return &cs->shrinker;
}

/*
 * The old registration allocates and can fail where the new one cannot;
 * the shrinker then just stays unregistered, as if reclaim never asked.
 */
static inline void shrinker_register(struct shrinker *s)
{
	struct compat_shrinker *cs = to_compat_shrinker(s);

	cs->registered = !register_shrinker(s, "%s", cs->name);
	if (!cs->registered)
		pr_warn("shrinker %s not registered\n", cs->name);
}

static inline void shrinker_free(struct shrinker *s)
{
	struct compat_shrinker *cs;

	if (!s)
		return;
	cs = to_compat_shrinker(s);
	if (cs->registered)
		unregister_shrinker(s);
	kfree(cs->name);
	kfree(cs);
}

#endif /* HAVE_SHRINKER_ALLOC */

/*
 * Movable pages owned by a driver.  Linux 6.0 (commit 68f2736a8583, "mm:
 * Convert all PageMovable users to movable_operations") replaced
 *	void __SetPageMovable(struct page *page, struct address_space *mapping);
 * (migration through the address_space operations of a driver's inode)
 * with
 *	void __SetPageMovable(struct page *page,
 *			      const struct movable_operations *ops);
 * exported, together with __ClearPageMovable().  6.1 and 6.12 have that
 * shape, so a module can make its own pages movable there.  Later mainline
 * (by 7.2) drops __SetPageMovable() for set_movable_ops(ops, page type), which
 * takes only the balloon driver's and the kernel's own zsmalloc's page
 * types: the probe then fails and zsmalloc.c builds without page
 * migration.  Debian sid's 7.2 is such a kernel, and builds both owners in
 * (CONFIG_BALLOON_MIGRATION=y, CONFIG_ZSMALLOC=y): the migration core picks
 * a page's ops by its page type alone, so pages typed PGTY_zsmalloc would
 * reach the kernel's zsmalloc, not ours, and no smaller adaptation exists.
 * Without CONFIG_COMPACTION the calls are stubs and nothing would ever
 * call the ops, so migration is left out there too.
 */
#if defined(HAVE_SET_PAGE_MOVABLE_OPS) && IS_ENABLED(CONFIG_COMPACTION)
#define COMPAT_MOVABLE_OPS	1
/*
 * The page must be locked for both.  Named here rather than in the core
 * because these calls exist only while the probe above holds.
 */
#define compat_page_set_movable(page, ops)	__SetPageMovable(page, ops)
#define compat_page_clear_movable(page)		__ClearPageMovable(page)
#else
#define COMPAT_MOVABLE_OPS	0
#endif

#endif /* _ZRAM_COMPAT_MM_H_ */
