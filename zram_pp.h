/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zram post-processing: recompression with the secondary algorithms
 * (zram_recompress.c) and writeback (zram_writeback.c) to a backing device
 * (zram_backing.c), with what they share in zram_pp.c.  This header holds
 * the hooks through which the rest of the driver reaches them; their state
 * and what they share among themselves are in zram_pp_priv.h.
 */
#ifndef _ZRAM_PP_H_
#define _ZRAM_PP_H_

#include <linux/sysfs.h>
#include <linux/types.h>

struct page;
struct zram;
struct zram_pp;

/* The attributes of post-processing, a group of the disk's sysfs directory */
extern const struct attribute_group zram_pp_attr_group;

/* zram_policy.c: module load and unload */
int zram_pp_init(void);
void zram_pp_exit(void);

/* zram_policy.c: a device's state, made with it, emptied at reset, freed */
struct zram_pp *zram_pp_alloc(struct zram *zram);
void zram_pp_release_device(struct zram *zram);
void zram_pp_free(struct zram_pp *pp);

/*
 * zram_policy.c: the policy's scans start when the device is initialised
 * (config lock held for writing) and stop before reset takes that lock
 */
void zram_pp_start(struct zram *zram);
void zram_pp_stop(struct zram *zram);

/* zram_backing.c: a written-back slot is read, or gives up its block */
int zram_pp_read_wb_slot(struct zram *zram, u32 index, struct page *page);
void zram_pp_release_block(struct zram *zram, unsigned long block);

#endif /* _ZRAM_PP_H_ */
