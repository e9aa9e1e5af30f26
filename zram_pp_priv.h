/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the post-processing files share among themselves: zram_pp.c (runs,
 * slot selection, the attribute group), zram_recompress.c,
 * zram_writeback.c and zram_backing.c.  The rest of the driver sees
 * zram_pp.h only.
 */
#ifndef _ZRAM_PP_PRIV_H_
#define _ZRAM_PP_PRIV_H_

#include <linux/device.h>
#include <linux/types.h>

#include "zram_drv.h"

/* bd_stat and writeback_limit count in 4 KiB units; a slot is this many */
#define ZRAM_UNITS_PER_SLOT	(PAGE_SIZE >> ZRAM_LOGICAL_BLOCK_SHIFT)

/* zram_pp.c: a run's ownership of the device and its marks (rules 1-5) */
bool zram_pp_begin(struct zram *zram);
void zram_pp_end(struct zram *zram);
bool zram_pp_slot_unchanged(struct zram *zram, u32 index,
			    unsigned long handle);
bool zram_pp_slot_has_flags(struct zram *zram, u32 index,
			    unsigned long mask);

/* zram_pp.c: slot types ("type=" of both runs); recompression has fewer */
#define PP_NR_TYPES		4
#define PP_NR_RECOMP_TYPES	3
int zram_pp_parse_type(const char *val, size_t nr_types,
		       unsigned long *flags);

/* zram_backing.c: the blocks of the backing device */
bool zram_bd_alloc_block(struct zram_pp *pp, unsigned long *block);
void zram_bd_put_block(struct zram_pp *pp, unsigned long block);
void zram_bd_release(struct zram_pp *pp);

/* Each file's attributes, gathered in zram_pp.c's group */
extern struct device_attribute zram_attr_recomp_algorithm;
extern struct device_attribute zram_attr_recompress;
extern struct device_attribute zram_attr_backing_dev;
extern struct device_attribute zram_attr_bd_stat;
extern struct device_attribute zram_attr_bd_errors;
extern struct device_attribute zram_attr_compressed_writeback;
extern struct device_attribute zram_attr_writeback_batch_size;
extern struct device_attribute zram_attr_writeback_limit_enable;
extern struct device_attribute zram_attr_writeback_limit;
extern struct device_attribute zram_attr_writeback;

#endif /* _ZRAM_PP_PRIV_H_ */
