/* heap.h -- glibc's main heap in 2 MiB pages.
 *
 * Flows, transactions, reassembly and parser buffers come from malloc, and
 * the heap grows as a replay or a busy link adds flows. Each 4 KiB page it
 * grows by is faulted in by its first write: one trap per page, costly in a
 * virtual machine, and a heap in 4 KiB pages misses the TLB more. On the
 * benchmark's 2-vCPU guest, page faults were 17% of a replay of the mix
 * (9,400 of them).
 *
 * So heap_start grows the heap once by HEAP_RESERVE (256 MiB) of address
 * space and advises it for transparent huge pages (MADV_HUGEPAGE): nothing
 * of it is resident until written, and the first write to each 2 MiB of it
 * faults in one huge page. The mix's 26 MiB of it take 13 such faults,
 * and an empty replay's heap stays at what it touched. It sets glibc's
 * malloc to serve blocks under 1 MiB from the heap rather than from maps
 * of their own (M_MMAP_THRESHOLD), and to give memory back only when the
 * reservation and 32 MiB more lie free at its top (M_TRIM_THRESHOLD).
 *
 * Past the reservation (a million flows), the heap grows 4 MiB at a time
 * (M_TOP_PAD), and the thread that reads packets (or events) asks, between
 * them, whether it has grown (one sbrk(0)); when it has, it advises the new
 * part for huge pages, makes the 2 MiB the old end cut through into one
 * huge page (MADV_COLLAPSE, Linux 6.1), and populates the rest in one call
 * (MADV_POPULATE_WRITE, Linux 5.14) rather than page by page. An earlier
 * version did that from the start, with 16 MiB populated first; every
 * growth then cost a collapse (10% of the mix's system time); with the
 * reservation the mix ran 2 to 7% faster, mix-small 5% (bench/README.md).
 *
 * Where the kernel offers no transparent huge pages for advised memory
 * (/sys/kernel/mm/transparent_hugepage/enabled "never", or turned off for
 * the process with PR_SET_THP_DISABLE), or a limit on the process's data
 * or address space (RLIMIT_DATA, RLIMIT_AS) is under four times the
 * reservation, or the heap cannot grow by it, there is no reservation:
 * the heap grows by 16 MiB first, populated, then as above in 4 KiB pages.
 * Kernels without these calls ignore them. A no-op without glibc and in an
 * AddressSanitizer build (its own allocator); under valgrind (likewise)
 * the heap does not grow. Only the main heap: threads that allocate from
 * arenas of their own (--workers N) are not covered. */
#ifndef MW_HEAP_H
#define MW_HEAP_H

#include <stddef.h>

/* The heap's first growth, in address space (see above). */
#define HEAP_RESERVE ((size_t)256 << 20)

/* Once, first thing in main, before the big allocations. */
void heap_start(void);
/* Between packets or events, in one thread: cheap when the heap has not
 * grown. */
void heap_poll(void);
/* Bytes of heap populated ahead since heap_start (for the tests). */
size_t heap_populated(void);
/* Bytes heap_start reserved, 0 when it did not (for the tests). */
size_t heap_reserved(void);

#endif
