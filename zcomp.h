/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcomp: compression and decompression streams for zram.
 *
 * A zcomp is one algorithm with its parameters, and for each online CPU a
 * compression stream and a decompression stream.  Each is a backend
 * context plus a buffer, guarded by a mutex of its own: the holder may be
 * preempted, may sleep and may migrate to another CPU meanwhile.  Reads
 * take only decompression streams, so a read never waits for a stream
 * that a compression holds.  The API is for preemptible context only.
 */
#ifndef _ZRAM_ZCOMP_H_
#define _ZRAM_ZCOMP_H_

#include <linux/limits.h>
#include <linux/mutex.h>
#include <linux/types.h>

/* Priorities: 0 is the primary algorithm, 1..3 are for recompression */
#define ZRAM_PRIMARY_COMP	0U
#define ZRAM_SECONDARY_COMP	1U
#define ZRAM_MAX_COMPS		4U

/* A level that the user did not set; each backend picks its default */
#define ZCOMP_PARAM_NOT_SET	INT_MIN

/**
 * struct deflate_params - deflate's own parameter
 * @winbits: window bits, -15..-9 (raw deflate) or 9..15 (zlib wrapper)
 */
struct deflate_params {
	s32 winbits;
};

/**
 * struct zcomp_params - per-algorithm parameters, shared by all streams
 * @dict: dictionary bytes (vmalloc'ed, owned by zram), or NULL; backends
 *        refer to them, so they must stay until zcomp_destroy()
 * @dict_sz: its size; 0 means no dictionary
 * @level: compression level, or ZCOMP_PARAM_NOT_SET
 * @deflate: deflate's window bits (ZCOMP_PARAM_NOT_SET when not set)
 * @drv_data: what the backend's setup_params() prepared from the above
 *
 * Read-only from zcomp_create() until zcomp_destroy().
 */
struct zcomp_params {
	void *dict;
	size_t dict_sz;
	s32 level;
	union {
		struct deflate_params deflate;
	};
	void *drv_data;
};

/**
 * struct zcomp_ctx - one stream's backend state
 * @context: whatever the backend's create_ctx() or create_dctx()
 *           allocated; NULL for a decompression stream of a backend that
 *           needs no state to decompress
 */
struct zcomp_ctx {
	void *context;
};

/**
 * struct zcomp_req - one compression or decompression call
 * @dst: output buffer
 * @dst_len: on entry the room in @dst, on return the bytes produced
 * @src: input
 * @src_len: input length
 *
 * Output first: it is what the backend changes.
 */
struct zcomp_req {
	unsigned char *dst;
	size_t dst_len;
	const unsigned char *src;
	const size_t src_len;
};

/**
 * struct zcomp_ops - one backend
 * @name: the name users write to comp_algorithm
 * @setup_params: check @params and prepare drv_data; apply defaults;
 *                on failure leave @params as they were
 * @release_params: free what setup_params() prepared
 * @create_ctx: allocate a compression stream's context; may sleep
 * @destroy_ctx: free it; the context may be half-created
 * @create_dctx: allocate a decompression stream's context; may sleep.
 *               NULL when decompressing needs no state
 * @destroy_dctx: free it; the context may be half-created
 * @costly: whether, with these parameters, a page costs the backend so
 *          much more than LZ4 that checking first whether it compresses at
 *          all pays (see zcomp_compress()); NULL means never
 * @compress: compress @req; fails (never overflows) when the output does
 *            not fit in req->dst_len
 * @decompress: decompress @req with a decompression context; must produce
 *              exactly req->dst_len bytes
 *
 * Listed in the order a zcomp uses them: parameters once per algorithm,
 * contexts per stream, then the calls.
 */
struct zcomp_ops {
	const char *name;

	int (*setup_params)(struct zcomp_params *p);
	void (*release_params)(struct zcomp_params *p);

	int (*create_ctx)(struct zcomp_params *p, struct zcomp_ctx *ctx);
	void (*destroy_ctx)(struct zcomp_ctx *ctx);
	int (*create_dctx)(struct zcomp_params *p, struct zcomp_ctx *ctx);
	void (*destroy_dctx)(struct zcomp_ctx *ctx);

	bool (*costly)(const struct zcomp_params *p);
	int (*compress)(struct zcomp_params *p, struct zcomp_ctx *ctx,
			struct zcomp_req *req);
	int (*decompress)(struct zcomp_params *p, struct zcomp_ctx *ctx,
			  struct zcomp_req *req);
};

struct zcomp_probe;

/**
 * struct zcomp_strm - one CPU's compression stream
 * @lock: held from zcomp_stream_get() to zcomp_stream_put()
 * @buffer: two pages of output room for compression
 * @ctx: the backend's compression context
 * @probe: LZ4's workspace for the early-abort check, when the zcomp has
 *         one (zcomp->early_abort)
 *
 * @buffer is NULL while the CPU is offline; every field is protected by
 * @lock.
 */
struct zcomp_strm {
	struct mutex lock;	/* held from get to put, see zcomp.c */
	void *buffer;
	struct zcomp_ctx ctx;
	struct zcomp_probe *probe;
};

/**
 * struct zcomp_dstrm - one CPU's decompression stream
 * @lock: held from zcomp_dstream_get() to zcomp_dstream_put()
 * @local_copy: one page for zsmalloc reads of objects that straddle pages
 * @ctx: the backend's decompression context, if it needs one
 *
 * @local_copy is NULL while the CPU is offline; every field is protected
 * by @lock.
 */
struct zcomp_dstrm {
	struct mutex lock;	/* held from get to put, see zcomp.c */
	void *local_copy;
	struct zcomp_ctx ctx;
};

/**
 * struct zcomp - an algorithm with its streams
 * @stream: per-CPU compression streams
 * @dstream: per-CPU decompression streams
 * @ops: the backend
 * @params: this zcomp's copy of the caller's parameters, with the
 *          backend's defaults filled in; the dictionary bytes it points to
 *          stay the caller's
 * @node: membership in the CPU-hotplug instance list
 * @early_abort: zcomp_compress() checks cheaply first whether a page
 *               compresses at all
 */
struct zcomp {
	struct zcomp_strm __percpu *stream;
	struct zcomp_dstrm __percpu *dstream;
	const struct zcomp_ops *ops;
	struct zcomp_params params;
	struct hlist_node node;
	bool early_abort;
};

int zcomp_init(void);
void zcomp_exit(void);

ssize_t zcomp_available_show(const char *comp, char *buf, ssize_t at);
const char *zcomp_lookup_backend_name(const char *comp);

int zcomp_check_params(const char *alg, const struct zcomp_params *params);
struct zcomp *zcomp_create(const char *alg,
			   const struct zcomp_params *params);
void zcomp_destroy(struct zcomp *comp);

struct zcomp_strm *zcomp_stream_get(struct zcomp *comp);
void zcomp_stream_put(struct zcomp_strm *zstrm);
struct zcomp_dstrm *zcomp_dstream_get(struct zcomp *comp);
void zcomp_dstream_put(struct zcomp_dstrm *zdstrm);

int zcomp_compress(struct zcomp *comp, struct zcomp_strm *zstrm,
		   const void *src, unsigned int *dst_len);
int zcomp_decompress(struct zcomp *comp, struct zcomp_dstrm *zdstrm,
		     const void *src, unsigned int src_len, void *dst);

#endif /* _ZRAM_ZCOMP_H_ */
