/* test_table.c -- table_alloc (table.h): zeroed memory of the asked size
 * from the heap under 2 MiB, from a map starting on a 2 MiB boundary and
 * advised for transparent huge pages (THPeligible in /proc/self/smaps) at
 * 2 MiB and above, a table of exactly 2 MiB in one such page, NULL on a
 * size that overflows; table_free gives back either kind (the map leaves
 * /proc/self/maps); sparse_alloc's maps in 4 KiB pages, apart from the
 * heap. */
#include "table.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smaps.h"
#include "tap.h"

#define HUGE ((size_t)2 << 20)

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

int main(void)
{
    TEST_BEGIN("a small table: zeroed, writable, from the heap, freed");
    uint32_t *t = table_alloc(1000, sizeof *t);
    CHECK(t != NULL);
    if (t) {
        CHECK(all_zero((const uint8_t *)t, 1000 * sizeof *t));
        for (int i = 0; i < 1000; i++)
            t[i] = (uint32_t)i * 7u;
        CHECK_EQ(t[999], 6993);
    }
    table_free(t, 1000, sizeof *t);
    table_free(NULL, 1000, sizeof *t); /* nothing */
    TEST_END();

    TEST_BEGIN("a size that overflows size_t: NULL");
    CHECK(table_alloc(SIZE_MAX / 8, 16) == NULL);
    CHECK(table_alloc(SIZE_MAX, 1) == NULL);
    TEST_END();

    /* 5 MiB of 8-byte slots: three 2 MiB pages */
    size_t n = (5u << 20) / 8;
    uint64_t *big = table_alloc(n, sizeof *big);
    uintptr_t lo = 0, hi = 0;
    int thp = -1;
    bool mapped = big != NULL && mapping_of(big, &lo, &hi, &thp, NULL, 0);
    bool heap = !table_maps(); /* an ASan build takes the heap */

    TEST_BEGIN("a big table: zeroed and writable end to end");
    CHECK(big != NULL);
    if (big) {
        CHECK(all_zero((const uint8_t *)big, n * sizeof *big));
        for (size_t i = 0; i < n; i += 4096)
            big[i] = i;
        big[n - 1] = 42;
        CHECK_U64(big[4096], 4096);
        CHECK_U64(big[n - 1], 42);
    }
    TEST_END();

    if (heap) {
        TEST_SKIP("a big table: a map of whole 2 MiB pages on a 2 MiB boundary", "this build takes tables from the heap");
        TEST_SKIP("a big table: advised for transparent huge pages", "this build takes tables from the heap");
    } else {
        TEST_BEGIN("a big table: a map of whole 2 MiB pages on a 2 MiB boundary");
        CHECK(mapped);
        CHECK_U64(lo % HUGE, 0);
        CHECK_U64(hi - lo, 3 * HUGE);
        CHECK((uintptr_t)big == lo && (uintptr_t)(big + n) <= hi);
        TEST_END();
        if (table_thp_advised()) {
            TEST_BEGIN("a big table: advised for transparent huge pages");
            CHECK_EQ(thp, 1);
            TEST_END();
        } else {
            TEST_SKIP("a big table: advised for transparent huge pages", "the kernel offers no transparent huge pages");
        }
    }

    TEST_BEGIN("table_free gives the map back");
    table_free(big, n, sizeof *big);
    if (!heap) {
        uintptr_t l2, h2;
        int t2;
        CHECK(!mapping_of((const void *)lo, &l2, &h2, &t2, NULL, 0) || l2 != lo || h2 != hi);
    }
    TEST_END();

    /* a power-of-two table of exactly 2 MiB (the flow table of a worker of
     * two at the default max-flows): one huge page, not two */
    if (heap) {
        TEST_SKIP("a table of exactly 2 MiB: a map of one 2 MiB page", "this build takes tables from the heap");
    } else {
        TEST_BEGIN("a table of exactly 2 MiB: a map of one 2 MiB page");
        size_t n2 = HUGE / sizeof(void *);
        void **two = table_alloc(n2, sizeof *two);
        CHECK(two != NULL);
        CHECK(two != NULL && mapping_of(two, &lo, &hi, &thp, NULL, 0));
        CHECK_U64((uintptr_t)two % HUGE, 0);
        CHECK_U64(hi - lo, HUGE);
        if (two) {
            CHECK(all_zero((const uint8_t *)two, HUGE));
            two[n2 - 1] = two;
        }
        table_free(two, n2, sizeof *two);
        TEST_END();
    }

    /* sparse_alloc: the rarity cache's entries, the correlator's pools */
    uint8_t *sp = sparse_alloc(5u << 20, 1);
    bool sp_mapped = false;
    char flags[256] = "";
    TEST_BEGIN("sparse_alloc, 5 MiB: zeroed and writable end to end");
    CHECK(sp != NULL);
    if (sp) {
        CHECK(all_zero(sp, 5u << 20));
        sp[0] = 1;
        sp[(5u << 20) - 1] = 2;
        CHECK_EQ(sp[0] + sp[(5u << 20) - 1], 3);
        sp_mapped = mapping_of(sp, &lo, &hi, &thp, flags, sizeof flags);
    }
    TEST_END();
    if (heap) {
        TEST_SKIP("sparse_alloc, 5 MiB: a map of its own in 4 KiB pages, not the heap", "this build takes tables from the heap");
    } else {
        TEST_BEGIN("sparse_alloc, 5 MiB: a map of its own in 4 KiB pages, not the heap");
        CHECK(sp_mapped);
        CHECK((uintptr_t)sp == lo && hi - lo == 6 * (HUGE / 2)); /* whole 2 MiB multiples: 6 MiB */
        CHECK(strstr(flags, " nh") != NULL); /* MADV_NOHUGEPAGE */
        uintptr_t brk_end = (uintptr_t)sbrk(0);
        CHECK(!(brk_end > lo && brk_end <= hi));
        TEST_END();
    }
    sparse_free(sp, 5u << 20, 1);
    if (!heap) {
        TEST_BEGIN("sparse_free gives the map back");
        uintptr_t l2, h2;
        int t2;
        CHECK(!mapping_of((const void *)lo, &l2, &h2, &t2, NULL, 0) || l2 != lo || h2 != hi);
        TEST_END();
    }
    TEST_BEGIN("sparse_alloc: a small size from the heap; an overflowing one NULL");
    uint32_t *small = sparse_alloc(100, sizeof *small);
    CHECK(small != NULL && small[99] == 0);
    sparse_free(small, 100, sizeof *small);
    CHECK(sparse_alloc(SIZE_MAX / 8, 16) == NULL);
    TEST_END();

    return tap_done();
}
