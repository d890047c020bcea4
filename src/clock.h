/* clock.h -- the clocks the program reads, in one place: the wall clock
 * (record times of live capture and endpoint events) and the monotonic
 * clock (intervals, deadlines). */
#ifndef MW_CLOCK_H
#define MW_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Microseconds since the epoch. */
static inline uint64_t mw_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Microseconds of the monotonic clock. */
static inline uint64_t mw_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Milliseconds of the monotonic clock. */
static inline uint64_t mw_mono_ms(void)
{
    return mw_mono_us() / 1000;
}

/* Milliseconds of the monotonic clock as of the last timer tick (Linux's
 * CLOCK_MONOTONIC_COARSE: a few ms behind, read without the time counter,
 * for checks made per record rather than per second). */
static inline uint64_t mw_mono_coarse_ms(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
#endif
    return mw_mono_ms();
}

#endif
