/* smaps.h -- for the memory tests (test_table, test_heap): what
 * /proc/self/smaps says of the mapping holding an address, and whether the
 * kernel offers transparent huge pages. */
#ifndef MW_TEST_SMAPS_H
#define MW_TEST_SMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The mapping holding p: its start and end, its THPeligible value (-1 when
 * absent) and its VmFlags line (from after "VmFlags:"; may be NULL). false
 * when no mapping holds p. */
static inline bool mapping_of(const void *p, uintptr_t *lo, uintptr_t *hi, int *thp, char *flags, size_t cap)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL)
        return false;
    char line[512];
    bool in = false, found = false;
    *thp = -1;
    if (flags && cap)
        flags[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            if (found)
                break;
            in = (uintptr_t)p >= a && (uintptr_t)p < b;
            if (in) {
                *lo = a;
                *hi = b;
                found = true;
            }
            continue;
        }
        int v;
        if (in && sscanf(line, "THPeligible: %d", &v) == 1)
            *thp = v;
        if (in && flags && cap && strncmp(line, "VmFlags:", 8) == 0) {
            size_t n = strnlen(line + 8, cap - 1);
            memcpy(flags, line + 8, n);
            flags[n] = '\0';
        }
    }
    fclose(f);
    return found;
}

#endif
