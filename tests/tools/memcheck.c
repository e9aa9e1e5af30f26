// SPDX-License-Identifier: GPL-2.0
/*
 * memcheck: fill a working set with pages of known content, then touch and
 * verify it in several passes.  Run inside a memory cgroup far smaller than
 * the working set, every page goes to swap and back; one wrong byte fails.
 *
 * Page contents are a function of (seed, page index, generation), in four
 * kinds so that swap sees what real memory holds: zero pages, pages of one
 * repeated word (same-filled), text-like compressible pages and random
 * (incompressible) pages.  Each verify pass also rewrites a share of the
 * pages with the next generation, so stale data read back from swap is
 * told from current data.
 *
 * Usage: memcheck MIB [PASSES] [SEED]
 * With MEMCHECK_CORRUPT=N in the environment, page N is damaged after the
 * fill: the run must then fail (how the suites show the check can fail).
 * With MEMCHECK_HOLD set, a run that found nothing wrong prints "holding"
 * and waits to be killed, its working set still in place.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static const char *words[] = {
	"zram ", "swap ", "page ", "compressed ", "memory ", "the ", "of ",
	"kernel ", "slot ", "lock ", "stream ", "reclaim ", "data\n", "a ",
};

static void fill(unsigned char *p, uint64_t seed, size_t idx, unsigned int gen)
{
	uint64_t s = mix(seed ^ (idx * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)gen << 48));
	size_t i = 0;

	switch (s % 4) {
	case 0:
		memset(p, 0, PG);
		break;
	case 1:
		for (i = 0; i < PG; i += 8)
			memcpy(p + i, &s, 8);
		break;
	case 2:
		while (i < PG) {
			const char *w;
			size_t n;

			s = mix(s);
			w = words[s % (sizeof(words) / sizeof(words[0]))];
			n = strlen(w);
			if (n > PG - i)
				n = PG - i;
			memcpy(p + i, w, n);
			i += n;
		}
		break;
	default:
		for (i = 0; i < PG; i += 8) {
			s = mix(s + i);
			memcpy(p + i, &s, 8);
		}
	}
	/* the index and generation in every page */
	memcpy(p, &idx, sizeof(idx));
	memcpy(p + 8, &gen, sizeof(gen));
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	int passes = argc > 2 ? atoi(argv[2]) : 3;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	size_t npages = mib * 1024 * 1024 / PG, i, bad = 0;
	unsigned char *mem, ref[PG];
	unsigned int *gen;
	int pass;

	mem = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(npages, sizeof(*gen));
	if (mem == MAP_FAILED || !gen) {
		perror("memcheck: allocation");
		return 2;
	}
	for (i = 0; i < npages; i++)
		fill(mem + i * PG, seed, i, 0);
	if (getenv("MEMCHECK_CORRUPT"))
		mem[strtoul(getenv("MEMCHECK_CORRUPT"), NULL, 0) % npages * PG + 100] ^= 1;

	for (pass = 1; pass <= passes; pass++) {
		/* a different order each pass: a stride walk over all pages */
		size_t stride = (size_t)mix(seed + pass) % npages | 1;

		while (gcd(stride, npages) != 1)
			stride++;
		for (size_t k = 0, j = 0; k < npages; k++, j = (j + stride) % npages) {
			fill(ref, seed, j, gen[j]);
			if (memcmp(ref, mem + j * PG, PG)) {
				if (bad++ < 10)
					fprintf(stderr,
						"memcheck: page %zu (gen %u) differs in pass %d\n",
						j, gen[j], pass);
				continue;
			}
			if (mix(seed ^ j ^ pass) % 4 == 0) {
				gen[j]++;
				fill(mem + j * PG, seed, j, gen[j]);
			}
		}
		printf("memcheck: pass %d of %d over %zu MiB: %zu bad pages\n",
		       pass, passes, mib, bad);
		fflush(stdout);
	}
	if (!bad && getenv("MEMCHECK_HOLD")) {
		printf("memcheck: holding\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	return bad ? 1 : 0;
}
