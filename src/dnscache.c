/* dnscache.c -- see dnscache.h. Open addressing, 8 probes. */
#include "dnscache.h"
#include "table.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define PROBES 8
#define TTL_MIN 60       /* short TTLs still name the connection that follows at once */
#define TTL_MAX 86400

struct entry {
    struct mw_addr a;
    uint64_t expires_us;  /* 0: empty */
    char name[256];
};

struct dnscache {
    struct entry *e;
    uint32_t mask;
    struct dnscache_stats st;
};

struct dnscache *dnscache_new(uint32_t entries)
{
    uint32_t n = 64;
    while (n < entries && n < (1u << 24))
        n <<= 1;
    struct dnscache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->e = table_alloc(n, sizeof *c->e);
    if (c->e == NULL) {
        free(c);
        return NULL;
    }
    c->mask = n - 1;
    return c;
}

void dnscache_free(struct dnscache *c)
{
    if (c) {
        table_free(c->e, (size_t)c->mask + 1, sizeof *c->e);
        free(c);
    }
}

void dnscache_put(struct dnscache *c, const struct mw_addr *a, const char *name, uint32_t ttl, uint64_t now_us)
{
    if (ttl < TTL_MIN) ttl = TTL_MIN;
    if (ttl > TTL_MAX) ttl = TTL_MAX;
    uint32_t h = mw_addr_hash(a);
    struct entry *victim = NULL;
    for (uint32_t i = 0; i < PROBES; i++) {
        struct entry *e = &c->e[(h + i) & c->mask];
        if (e->expires_us != 0 && memcmp(&e->a, a, sizeof *a) == 0) {
            victim = e;
            break;
        }
        if (victim == NULL || e->expires_us < victim->expires_us)
            victim = e;
    }
    if (victim->expires_us > now_us && memcmp(&victim->a, a, sizeof *a) != 0)
        c->st.replaced++;
    victim->a = *a;
    victim->expires_us = now_us + (uint64_t)ttl * 1000000;
    text_set(victim->name, sizeof victim->name, name);
    c->st.inserts++;
}

const char *dnscache_get(struct dnscache *c, const struct mw_addr *a, uint64_t now_us)
{
    uint32_t h = mw_addr_hash(a);
    for (uint32_t i = 0; i < PROBES; i++) {
        struct entry *e = &c->e[(h + i) & c->mask];
        if (e->expires_us >= now_us && e->expires_us != 0 && memcmp(&e->a, a, sizeof *a) == 0) {
            c->st.hits++;
            return e->name;
        }
    }
    c->st.misses++;
    return NULL;
}

const struct dnscache_stats *dnscache_stats(const struct dnscache *c)
{
    return &c->st;
}
