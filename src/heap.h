/* heap.h -- glibc's main heap in 2 MiB pages, populated ahead of use.
 *
 * Flows, transactions, reassembly and parser buffers come from malloc, and
 * the heap grows as a replay or a busy link adds flows. Each 4 KiB page it
 * grows by is faulted in by its first write: one trap per page, costly in a
 * virtual machine, and a heap in 4 KiB pages misses the TLB more. On the
 * benchmark's 2-vCPU guest, page faults were 17% of a replay of the mix
 * (9,400 of them). So the thread that reads packets (or events) asks,
 * between them, whether the heap has grown (one sbrk(0)); when it has, it
 * advises the new part for transparent huge pages (MADV_HUGEPAGE), makes
 * the 2 MiB the old end cut through into one huge page (MADV_COLLAPSE,
 * Linux 6.1), and populates the rest in one call (MADV_POPULATE_WRITE,
 * Linux 5.14) rather than page by page. That is about what glibc's own
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 gets, and it measured the same on
 * the mix: 1,100 page faults, and 20% less time (bench/README.md).
 *
 * heap_start sets glibc's malloc to grow the heap 4 MiB at a time
 * (M_TOP_PAD), to give memory back only when 32 MiB lie free at its top
 * (M_TRIM_THRESHOLD), and to serve blocks under 1 MiB from the heap rather
 * than from maps of their own (M_MMAP_THRESHOLD); and it grows the heap by
 * 16 MiB first, populated, where nDPI builds its tables. The cost: up to
 * 4 MiB of the heap's top resident before it is used, and 16 MiB resident
 * from the start.
 *
 * Advice only: with transparent huge pages off, the heap is populated in
 * 4 KiB pages; kernels without these calls ignore them. A no-op without
 * glibc and in an AddressSanitizer build (its own allocator); under
 * valgrind (likewise) the heap does not grow. Only the main heap: threads
 * that allocate from arenas of their own (--workers N) are not covered. */
#ifndef MW_HEAP_H
#define MW_HEAP_H

#include <stddef.h>

/* Once, first thing in main, before the big allocations. */
void heap_start(void);
/* Between packets or events, in one thread: cheap when the heap has not
 * grown. */
void heap_poll(void);
/* Bytes of heap populated ahead since heap_start (for the tests). */
size_t heap_populated(void);

#endif
