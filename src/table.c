/* table.c -- zeroed, huge-page-advised memory for big hash tables (see
 * table.h). */
#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define HEAD 64 /* before the table: where its memory starts, and the map's length */

#if defined(__SANITIZE_ADDRESS__)
#define ON_HEAP 1 /* AddressSanitizer sees overruns of the heap's blocks only */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ON_HEAP 1
#endif
#endif
#ifndef ON_HEAP
#define ON_HEAP 0
#endif

struct head {
    void *base;
    size_t len; /* 0: a block of the heap */
};

void *table_alloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - HEAD - 2 * HUGE_PAGE) / size)
        return NULL;
    size_t need = HEAD + n * size;
    uint8_t *base;
    size_t len = 0;
    if (ON_HEAP || need < HUGE_PAGE) { /* less than a huge page: the heap */
        base = calloc(1, need);
        if (base == NULL)
            return NULL;
    } else {
        /* a whole number of huge pages, starting on one: map one more and
         * give back what lies before and after */
        len = (need + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        uint8_t *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        base = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
        if (base > m)
            munmap(m, (size_t)(base - m));
        if (base + len < m + len + HUGE_PAGE)
            munmap(base + len, (size_t)(m + len + HUGE_PAGE - (base + len)));
#ifdef MADV_HUGEPAGE
        madvise(base, len, MADV_HUGEPAGE); /* advice only: without it, plain pages */
#endif
    }
    struct head *h = (struct head *)base;
    h->base = base;
    h->len = len;
    return base + HEAD;
}

void table_free(void *p)
{
    if (p == NULL)
        return;
    struct head *h = (struct head *)((uint8_t *)p - HEAD);
    if (h->len == 0)
        free(h->base);
    else
        munmap(h->base, h->len);
}

bool table_maps(void)
{
    return !ON_HEAP;
}
