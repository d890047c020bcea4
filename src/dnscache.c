/* dnscache.c -- see dnscache.h. Open addressing, 8 probes, and beside the
 * entries of 280 bytes an array of 4-byte tags (the address's hash, 0 for
 * a slot never used) that a search reads first: most lookups are misses
 * (a DNS record's server address, say), and the tags of a table of 16,384
 * entries fit in 64 KiB where the entries take 4.4 MiB, a cache miss each.
 * A slot once used is never emptied (an expired entry keeps its place until
 * replaced), and an address goes to the first never-used slot of its probes
 * when none holds it already: so a search ends at the first never-used
 * slot. */
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
    uint64_t expires_us;
    char name[256];
};

struct dnscache {
    struct entry *e;
    uint32_t *tag;        /* per slot: tag_of(the address's hash), 0 never used */
    uint32_t mask;
    struct dnscache_stats st;
};

static uint32_t tag_of(uint32_t h)
{
    return h | 1; /* never 0 */
}

struct dnscache *dnscache_new(uint32_t entries)
{
    uint32_t n = 64;
    while (n < entries && n < (1u << 24))
        n <<= 1;
    struct dnscache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    /* in plain pages, faulted in as used: the entries are 280 bytes, most
     * of them the name, and a network names far fewer addresses than the
     * table holds (the benchmark mix: 21), where 2 MiB pages would make
     * each one's whole 2 MiB resident */
    c->e = sparse_alloc(n, sizeof *c->e);
    c->tag = table_alloc(n, sizeof *c->tag);
    c->mask = n - 1;
    if (c->e == NULL || c->tag == NULL) {
        dnscache_free(c);
        return NULL;
    }
    return c;
}

void dnscache_free(struct dnscache *c)
{
    if (c) {
        sparse_free(c->e, (size_t)c->mask + 1, sizeof *c->e);
        table_free(c->tag, (size_t)c->mask + 1, sizeof *c->tag);
        free(c);
    }
}

void dnscache_put(struct dnscache *c, const struct mw_addr *a, const char *name, uint32_t ttl, uint64_t now_us)
{
    if (ttl < TTL_MIN) ttl = TTL_MIN;
    if (ttl > TTL_MAX) ttl = TTL_MAX;
    uint32_t h = mw_addr_hash(a), t = tag_of(h), vi = h & c->mask;
    for (uint32_t k = 0; k < PROBES; k++) {
        uint32_t i = (h + k) & c->mask;
        if (c->tag[i] == 0 || (c->tag[i] == t && memcmp(&c->e[i].a, a, sizeof *a) == 0)) {
            vi = i; /* never used (a is not further on), or a's own */
            break;
        }
        if (c->e[i].expires_us < c->e[vi].expires_us) /* else the one that expires first */
            vi = i;
    }
    struct entry *victim = &c->e[vi];
    if (victim->expires_us > now_us && memcmp(&victim->a, a, sizeof *a) != 0)
        c->st.replaced++;
    uint64_t expires = now_us + (uint64_t)ttl * 1000000;
    c->tag[vi] = t;
    victim->a = *a;
    victim->expires_us = expires >= now_us ? expires : UINT64_MAX;
    text_set(victim->name, sizeof victim->name, name);
    c->st.inserts++;
}

const char *dnscache_get(struct dnscache *c, const struct mw_addr *a, uint64_t now_us)
{
    uint32_t h = mw_addr_hash(a), t = tag_of(h);
    for (uint32_t k = 0; k < PROBES; k++) {
        uint32_t i = (h + k) & c->mask;
        if (c->tag[i] == 0) /* never used: a is not further on */
            break;
        const struct entry *e = &c->e[i];
        if (c->tag[i] == t && e->expires_us >= now_us && memcmp(&e->a, a, sizeof *a) == 0) {
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
