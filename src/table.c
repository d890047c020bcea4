/* table.c -- zeroed, huge-page-advised memory for big hash tables,
 * zeroed maps in plain pages for sparse pools, and whether the kernel
 * gives huge pages at all (see table.h). */
#include "table.h"
#include "asan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#define HUGE_PAGE ((size_t)2 << 20)

/* AddressSanitizer sees overruns of the heap's blocks only */
#define ON_HEAP MW_ASAN

/* The length of the map for n * size bytes, 0 for a block of the heap. */
static size_t map_len(size_t n, size_t size)
{
    size_t bytes = n * size;
    if (ON_HEAP || bytes < HUGE_PAGE)
        return 0;
    return (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *table_alloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - 2 * HUGE_PAGE) / size)
        return NULL;
    size_t len = map_len(n, size);
    if (len == 0)
        return calloc(n ? n : 1, size ? size : 1);
    /* a whole number of huge pages, starting on one: map one more and give
     * back what lies before and after */
    uint8_t *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uint8_t *base = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (base > m)
        munmap(m, (size_t)(base - m));
    if (base + len < m + len + HUGE_PAGE)
        munmap(base + len, (size_t)(m + len + HUGE_PAGE - (base + len)));
#ifdef MADV_HUGEPAGE
    madvise(base, len, MADV_HUGEPAGE); /* advice only: without it, plain pages */
#endif
    return base;
}

void table_free(void *p, size_t n, size_t size)
{
    if (p == NULL)
        return;
    size_t len = map_len(n, size);
    if (len == 0)
        free(p);
    else
        munmap(p, len);
}

bool table_maps(void)
{
    return !ON_HEAP;
}

bool table_thp_advised(void)
{
#ifdef PR_GET_THP_DISABLE
    if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0) /* turned off for this process (and what it starts) */
        return false;
#endif
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == NULL)
        return false;
    char b[128] = "";
    bool ok = fgets(b, sizeof b, f) != NULL && (strstr(b, "[always]") || strstr(b, "[madvise]"));
    fclose(f);
    return ok;
}

void *sparse_alloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - HUGE_PAGE) / size)
        return NULL;
    size_t len = map_len(n, size);
    if (len == 0)
        return calloc(n ? n : 1, size ? size : 1);
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
#ifdef MADV_NOHUGEPAGE
    madvise(m, len, MADV_NOHUGEPAGE); /* with THP "always", a touch would make 2 MiB resident */
#endif
    return m;
}

void sparse_free(void *p, size_t n, size_t size)
{
    table_free(p, n, size); /* the same length rule */
}
