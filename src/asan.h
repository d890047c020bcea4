/* asan.h -- MW_ASAN: 1 in an AddressSanitizer build (gcc or clang), whose
 * allocator replaces glibc's and checks the heap's blocks only; 0
 * otherwise. For the memory code that must behave differently there
 * (table.c, heap.c). */
#ifndef MW_ASAN_H
#define MW_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define MW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MW_ASAN 1
#endif
#endif
#ifndef MW_ASAN
#define MW_ASAN 0
#endif

#endif
