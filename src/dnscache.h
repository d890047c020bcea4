/* dnscache.h -- address to name, learned from DNS answers (DESIGN.md section
 * 7), so that a record for a server address carries destination.domain.
 * Each entry lives for its TTL (at least a minimum, at most a day) on packet
 * time. Bounded: a fixed table; when a slot is needed the entry that expires
 * first among the probed ones is replaced (counted). */
#ifndef MW_DNSCACHE_H
#define MW_DNSCACHE_H

#include <stdint.h>

#include "addr.h"

#define DNSCACHE_DEFAULT_ENTRIES 16384u

struct dnscache_stats {
    uint64_t inserts, replaced, hits, misses;
};

struct dnscache;

struct dnscache *dnscache_new(uint32_t entries);
void dnscache_free(struct dnscache *c);
/* Remember that name resolved to a, for ttl seconds from now_us. */
void dnscache_put(struct dnscache *c, const struct mw_addr *a, const char *name, uint32_t ttl, uint64_t now_us);
/* The name a resolved from, or NULL. */
const char *dnscache_get(struct dnscache *c, const struct mw_addr *a, uint64_t now_us);
const struct dnscache_stats *dnscache_stats(const struct dnscache *c);

#endif
