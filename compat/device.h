/* SPDX-License-Identifier: GPL-2.0 */
/* Compat shims for driver core: class attributes. */
#ifndef _ZRAM_COMPAT_DEVICE_H_
#define _ZRAM_COMPAT_DEVICE_H_

#include <linux/device.h>

/*
 * Class attributes.  6.4 made their callbacks take const pointers:
 *   old: ssize_t (*show)(struct class *, struct class_attribute *, char *)
 *   new: ssize_t (*show)(const struct class *,
 *                        const struct class_attribute *, char *)
 *   (->store likewise)
 * The driver writes <name>_show() or <name>_store() in the new shape and
 * declares the attribute with COMPAT_CLASS_ATTR_RO(name, mode) or
 * COMPAT_CLASS_ATTR_WO(name, mode), which define class_attr_<name>; on
 * older kernels they add a wrapper in the old shape.
 */
#ifdef HAVE_CLASS_ATTR_CONST
#define COMPAT_CLASS_ATTR_RO(_name, _mode)				\
	static struct class_attribute class_attr_##_name =		\
		__ATTR(_name, _mode, _name##_show, NULL)
#define COMPAT_CLASS_ATTR_WO(_name, _mode)				\
	static struct class_attribute class_attr_##_name =		\
		__ATTR(_name, _mode, NULL, _name##_store)
#else
#define COMPAT_CLASS_ATTR_RO(_name, _mode)				\
	static ssize_t _name##_show_compat(struct class *class,		\
					   struct class_attribute *attr,\
					   char *buf)			\
	{								\
		return _name##_show(class, attr, buf);			\
	}								\
	static struct class_attribute class_attr_##_name =		\
		__ATTR(_name, _mode, _name##_show_compat, NULL)
#define COMPAT_CLASS_ATTR_WO(_name, _mode)				\
	static ssize_t _name##_store_compat(struct class *class,	\
					    struct class_attribute *attr,\
					    const char *buf, size_t len)\
	{								\
		return _name##_store(class, attr, buf, len);		\
	}								\
	static struct class_attribute class_attr_##_name =		\
		__ATTR(_name, _mode, NULL, _name##_store_compat)
#endif

#endif /* _ZRAM_COMPAT_DEVICE_H_ */
