// SPDX-License-Identifier: GPL-2.0
/*
 * The key=value parser that the sysfs attributes of zram share
 * (algorithm_params, recompress, writeback).
 */

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "zram_drv.h"

/**
 * zram_parse_args() - split "key=value key=value ..." and hand over each pair
 * @args: the input, NUL-terminated, split in place (a trailing newline is
 *        whitespace; a value may be double-quoted)
 * @keys: the keys the caller accepts
 * @nr_keys: how many there are
 * @take: called for each pair in input order with the key's index in @keys
 *        and its value; a non-zero return stops the parse with that error
 * @ctx: passed to @take
 *
 * This is the one parser of the key=value attributes.  It checks only the
 * form; @take checks the values.
 *
 * Return: the number of pairs taken (0 for input of whitespace only),
 * -EINVAL for an unknown key or a key without a value, or @take's error.
 */
int zram_parse_args(char *args, const char *const *keys, size_t nr_keys,
		    int (*take)(void *ctx, unsigned int key, char *val),
		    void *ctx)
{
	int taken = 0;

	args = skip_spaces(args);
	while (*args) {
		char *key, *val;
		int idx, ret;

		args = next_arg(args, &key, &val);
		if (!val || !*val)
			return -EINVAL;
		idx = match_string(keys, nr_keys, key);
		if (idx < 0)
			return -EINVAL;
		ret = take(ctx, idx, val);
		if (ret)
			return ret;
		taken++;
	}
	return taken;
}
