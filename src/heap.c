/* heap.c -- glibc's main heap in 2 MiB pages: reserved and advised at
 * start, populated ahead of use beyond that (see heap.h). */
#include "heap.h"
#include "asan.h"
#include "table.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if !MW_ASAN && defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
#define HEAP_AHEAD 1
#else
#define HEAP_AHEAD 0
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL, and pages fault in as before */
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; likewise */
#endif

#define HUGE ((uintptr_t)2 << 20)
#define PAGE ((uintptr_t)4096)
#define PAD (2 * HUGE)   /* the heap grows by this much more than it needs */
#define START (8 * HUGE) /* and by this much first, without the reservation */

static size_t populated, reserved;

#if HEAP_AHEAD
/* The heap below this address is populated, or was there before
 * heap_start; 0: heap_start has not run. */
static uintptr_t ahead;
static uintptr_t first; /* the first 2 MiB boundary above the heap's end before heap_start */

/* The heap grew from `from` to `to`. */
static void advise(uintptr_t from, uintptr_t to)
{
    uintptr_t a = from & ~(HUGE - 1), b = to & ~(HUGE - 1);
    if (a < first) /* below lies what was there before heap_start, not all of it heap */
        a = first;
    if (b > a) {
        madvise((void *)a, b - a, MADV_HUGEPAGE);
        if (a < from) /* the 2 MiB the old end cut: its pages into one */
            madvise((void *)a, HUGE, MADV_COLLAPSE);
    }
    a = from & ~(PAGE - 1);
    if (madvise((void *)a, to - a, MADV_POPULATE_WRITE) == 0)
        populated += to - a;
}

/* Whether the heap can grow by n bytes now (grown and given back at once,
 * so that glibc, failing to, does not turn to a map of its own instead),
 * and the process's limits on data and address space, if any, leave room
 * for 3 n more: a tight limit is for the maps and the heap msiwatch needs,
 * not for address space reserved ahead. */
static bool can_grow(size_t n)
{
    static const int limits[] = { RLIMIT_DATA, RLIMIT_AS };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        struct rlimit rl;
        if (getrlimit(limits[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < n)
            return false;
    }
    void *old = sbrk((intptr_t)n);
    if (old == (void *)-1)
        return false;
    return sbrk(-(intptr_t)n) != (void *)-1;
}
#endif

void heap_start(void)
{
#if HEAP_AHEAD
    if (ahead != 0)
        return;
    bool reserve = table_thp_advised() && can_grow(HEAP_RESERVE + HUGE);
    mallopt(M_MMAP_THRESHOLD, (int)(HUGE / 2));
    mallopt(M_TOP_PAD, (int)(reserve ? HEAP_RESERVE : START));
    uintptr_t before = (uintptr_t)sbrk(0);
    first = (before + HUGE - 1) & ~(HUGE - 1);
    void *p = malloc(HUGE / 4); /* more than the heap's top holds: it grows by the pad and more */
    uintptr_t end = (uintptr_t)sbrk(0);
    if (p && end > before && reserve) {
        /* advised, not populated: the first writes fault it in 2 MiB at a
         * time; below the first 2 MiB boundary, in 4 KiB pages, populated
         * in one call (nDPI's tables start there) */
        uintptr_t b = end & ~(HUGE - 1), a = before & ~(PAGE - 1);
        if (b > first) {
            madvise((void *)first, b - first, MADV_HUGEPAGE);
            /* malloc wrote the top's header past p's block before the
             * advice: in 4 KiB, that page would keep the rest of its 2 MiB
             * in 4 KiB pages too */
            if ((uintptr_t)p + HUGE / 4 + 64 > first)
                madvise((void *)first, HUGE, MADV_COLLAPSE);
        }
        if (first > a && madvise((void *)a, first - a, MADV_POPULATE_WRITE) == 0)
            populated += first - a;
        reserved = end - before;
    } else if (p && end > before) {
        advise(before, end);
    }
    /* before the free below, the first that could trim: memory goes back
     * when 32 MiB lie free at the top, above the reservation if made */
    mallopt(M_TRIM_THRESHOLD, (int)(16 * HUGE + reserved));
    free(p);
    mallopt(M_TOP_PAD, (int)(PAD));
    ahead = (uintptr_t)sbrk(0);
#endif
}

void heap_poll(void)
{
#if HEAP_AHEAD
    if (ahead == 0)
        return;
    uintptr_t end = (uintptr_t)sbrk(0);
    if (end == ahead)
        return;
    if (end > ahead)
        advise(ahead, end);
    ahead = end; /* or the heap was trimmed: populate what grows back */
#endif
}

size_t heap_populated(void)
{
    return populated;
}

size_t heap_reserved(void)
{
    return reserved;
}
