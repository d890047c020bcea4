/* test_heap.c -- heap_start and heap_poll (heap.h). heap_start grows the
 * heap by HEAP_RESERVE of address space advised for transparent huge pages
 * (VmFlags hg in /proc/self/smaps), none of it resident (mincore) until
 * written, a write faulting in 2 MiB; or, where it cannot reserve, by 16 MiB
 * and more, populated. Blocks the program then allocates past that make
 * the heap grow by 4 MiB more than they need, and those 4 MiB stay out of
 * memory until heap_poll populates them and advises the new part for huge
 * pages; a heap_poll with no growth does nothing. The same program run
 * again with transparent huge pages turned off for it (PR_SET_THP_DISABLE),
 * and again with a data limit of 512 MiB (RLIMIT_DATA), takes the 16 MiB
 * path and passes. Skipped where heap_start does nothing:
 * an AddressSanitizer build (its own allocator), a libc other than glibc, a
 * kernel before 5.14. */
#include "asan.h"
#include "heap.h"
#include "table.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smaps.h"
#include "tap.h"

#define MIB ((uintptr_t)1 << 20)
#define PAGE ((uintptr_t)4096)

/* Of the pages in [from, to), how many are resident. */
static size_t resident(uintptr_t from, uintptr_t to)
{
    from &= ~(PAGE - 1);
    size_t n = (to - from + PAGE - 1) / PAGE, r = 0;
    unsigned char *v = malloc(n);
    if (v == NULL || mincore((void *)from, to - from, v) != 0) {
        free(v);
        return (size_t)-1;
    }
    for (size_t i = 0; i < n; i++)
        r += v[i] & 1;
    free(v);
    return r;
}

/* Whether the mapping holding p has flag (two letters) in its VmFlags. */
static bool vm_flag(uintptr_t p, const char *flag)
{
    uintptr_t lo, hi;
    int thp;
    char flags[256], want[8];
    snprintf(want, sizeof want, " %s", flag);
    return mapping_of((const void *)p, &lo, &hi, &thp, flags, sizeof flags) && strstr(flags, want) != NULL;
}

enum child { NO_THP, DATA_LIMIT };

/* This program again, with transparent huge pages turned off for it or
 * with a data limit of 512 MiB: its output in out, its exit status
 * returned (-1: it could not be run; 77: the setting could not be made). */
static int run_child(enum child how, char *out, size_t cap)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        struct rlimit rl = { (rlim_t)512 << 20, (rlim_t)512 << 20 };
        if (how == NO_THP ? prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0 : setrlimit(RLIMIT_DATA, &rl) != 0)
            _exit(77);
        setenv("TEST_HEAP_CHILD", "1", 1);
        execl("/proc/self/exe", "test_heap", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t k;
    while (pid > 0 && n + 1 < cap && (k = read(fd[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    close(fd[0]);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int main(void)
{
    /* first, before this process's own heap_start */
    static const char *const child_name[] = { "without transparent huge pages", "with a data limit of 512 MiB" };
    static char child[2][8192];
    int child_rc[2];
    for (int k = 0; k < 2; k++) /* not under AddressSanitizer: its shadow memory needs more than the limit */
        child_rc[k] = getenv("TEST_HEAP_CHILD") ? -2 : MW_ASAN ? 77 : run_child((enum child)k, child[k], sizeof child[k]);

    uintptr_t before = (uintptr_t)sbrk(0);
    heap_start();
    uintptr_t start_end = (uintptr_t)sbrk(0);
    if (heap_reserved() == 0 && heap_populated() == 0) {
        TEST_SKIP("heap_start: the heap reserved or populated", "neither (not glibc, ASan, or an old kernel)");
        TEST_SKIP("heap_poll: growth populated, no growth nothing", "likewise");
        for (int k = 0; k < 2 && child_rc[k] != -2; k++) {
            char name[128];
            snprintf(name, sizeof name, "%s: no reservation, the heap populated", child_name[k]);
            TEST_SKIP(name, "likewise");
        }
        return tap_done();
    }

    /* the first 2 MiB page of the heap's growth (heap_start's own fopen may
     * have started the heap after `before`) */
    uintptr_t grown_from = heap_reserved() ? start_end - heap_reserved() : before;
    uintptr_t first = (grown_from + 2 * MIB - 1) & ~(2 * MIB - 1);
    if (heap_reserved()) {
        TEST_BEGIN("heap_start: the heap reserves 256 MiB, advised, not resident until written");
        CHECK(heap_reserved() >= HEAP_RESERVE);
        CHECK(start_end - before >= heap_reserved()); /* the heap may have started for heap_start's own fopen */
        CHECK(heap_populated() <= 2 * MIB); /* only what lies below the first 2 MiB boundary */
        CHECK(vm_flag(first, "hg") && vm_flag(start_end - 4 * MIB, "hg"));
        if (table_thp_advised()) { /* its first 2 MiB page whole or not there, never in 4 KiB pages */
            size_t r = resident(first, first + 2 * MIB);
            CHECK(r == 0 || r == 2 * MIB / PAGE);
        }
        uintptr_t mid = first + 64 * MIB; /* above anything this test has allocated */
        CHECK_U64(resident(first + 2 * MIB, start_end), 0);
        *(volatile char *)(mid + 100) = 1;
        /* one write: one 2 MiB page where the kernel gives them, else one page */
        CHECK_U64(resident(mid, mid + 2 * MIB), table_thp_advised() ? 2 * MIB / PAGE : 1);
        CHECK_U64(resident(first + 2 * MIB, start_end), table_thp_advised() ? 2 * MIB / PAGE : 1);
        *(volatile char *)(mid + 100) = 0;
        TEST_END();
    } else {
        TEST_BEGIN("heap_start: the heap grows by 16 MiB, populated");
        CHECK(start_end - before >= 16 * MIB);
        CHECK(heap_populated() >= 16 * MIB);
        CHECK_U64(resident(start_end - 16 * MIB, start_end), 16 * MIB / PAGE);
        TEST_END();
    }

    TEST_BEGIN("heap_poll: growth populated, no growth nothing");
    /* Fill the heap with blocks until it has grown past heap_start's part;
     * the last block leaves the 4 MiB pad above it. The blocks are written
     * at their starts only; in the reservation, in 4 KiB pages, so that
     * filling it makes 2 MiB resident, not 256. */
    if (heap_reserved())
        madvise((void *)first, (start_end - first) & ~(2 * MIB - 1), MADV_NOHUGEPAGE);
    enum { BLOCK = 512 * 1024, MAXB = 2048 };
    static void *blocks[MAXB];
    size_t nb = 0;
    uintptr_t end = start_end;
    while (nb < MAXB && (end = (uintptr_t)sbrk(0)) == start_end) {
        blocks[nb] = malloc(BLOCK);
        CHECK(blocks[nb] != NULL);
        if (blocks[nb] == NULL)
            break;
        memset(blocks[nb++], 0x5a, 64); /* its first page only */
    }
    CHECK(end > start_end);
    uintptr_t top = (uintptr_t)blocks[nb - 1] + BLOCK; /* the pad lies above */
    CHECK(end - top >= 4 * MIB - PAGE);
    uintptr_t pad_from = (top + PAGE - 1) & ~(PAGE - 1);
    CHECK(resident(pad_from + PAGE, end) < 16); /* not yet touched */
    size_t pop0 = heap_populated();
    heap_poll();
    CHECK(heap_populated() - pop0 >= end - start_end);
    CHECK_U64(resident(pad_from, end), (end - pad_from) / PAGE);
    if (table_thp_advised()) /* advised from the old end's 2 MiB page to the new end's */
        CHECK(vm_flag(start_end, "hg") && vm_flag(end - 2 * MIB - 1, "hg"));
    size_t pop1 = heap_populated();
    heap_poll(); /* no growth */
    CHECK_U64(heap_populated(), pop1);
    for (size_t i = 0; i < nb; i++)
        free(blocks[i]);
    TEST_END();

    for (int k = 0; k < 2 && child_rc[k] != -2; k++) {
        char name[128];
        snprintf(name, sizeof name, "%s: no reservation, the heap populated", child_name[k]);
        if (child_rc[k] == 77) {
            TEST_SKIP(name, "the setting could not be made");
            continue;
        }
        TEST_BEGIN(name);
        CHECK_EQ(child_rc[k], 0);
        CHECK(strstr(child[k], "ok 1 - heap_start: the heap grows by 16 MiB, populated\n") != NULL);
        CHECK(strstr(child[k], "ok 2 - heap_poll: growth populated, no growth nothing\n") != NULL);
        CHECK(strstr(child[k], "not ok") == NULL);
        if (tap_fail_case)
            printf("# that run:\n%s", child[k]);
        TEST_END();
    }

    return tap_done();
}
