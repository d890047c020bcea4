/* table.h -- zeroed memory for the big hash tables of the packet path that
 * fill up (flow buckets, the DNS cache, the rarity cache's host pairs;
 * the rarity cache's entries are sparse and stay in plain pages, and the
 * identity table's slots are small): an anonymous map advised
 * for transparent huge pages (MADV_HUGEPAGE), so that a table is faulted in
 * in 2 MiB pages rather than 4 KiB ones as random lookups first touch it
 * (on the benchmark mix 8,000 fewer page faults, each costly in a virtual
 * machine) and its lookups miss the TLB less. The price: a table is
 * resident in whole 2 MiB pages (the mix's peak RSS 97 MiB against 79).
 * Tables under 2 MiB, and every table in an AddressSanitizer build (which
 * checks the heap's blocks only), come from the heap. Where the kernel
 * gives no huge pages (transparent_hugepage=never) the map works with
 * plain pages. */
#ifndef MW_TABLE_H
#define MW_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* n elements of size bytes, zeroed, as calloc; NULL when out of memory. */
void *table_alloc(size_t n, size_t size);
/* Frees what table_alloc(n, size) returned (NULL: nothing); n and size
 * as they were given to it. */
void table_free(void *p, size_t n, size_t size);
/* Whether tables of 2 MiB and more are maps (false in an AddressSanitizer
 * build, where every table is a block of the heap). */
bool table_maps(void);

/* Whether the kernel gives 2 MiB pages to memory advised for them
 * (/sys/kernel/mm/transparent_hugepage/enabled: "always" or "madvise"),
 * and has not been told not to for this process (PR_SET_THP_DISABLE). */
bool table_thp_advised(void);

/* Zeroed memory that is used here and there (the rarity cache's entries,
 * the correlator's pools): from 2 MiB up an anonymous map in 4 KiB pages
 * (MADV_NOHUGEPAGE), faulted in as it is touched. From the heap it would
 * be resident whole: glibc serves a large calloc from the top of the heap
 * when it fits, and src/heap.c keeps that top populated. Below 2 MiB, and
 * in an AddressSanitizer build, calloc. */
void *sparse_alloc(size_t n, size_t size);
void sparse_free(void *p, size_t n, size_t size);

#endif
