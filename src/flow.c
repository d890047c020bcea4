/* flow.c -- the flow table (see flow.h). Chained hash on a canonical key,
 * three LRU lists (TCP, UDP, closed TCP) whose heads are the oldest flows of
 * their timeout class, a hard maximum with eviction of the oldest idle flow.
 * Memory: one malloc per flow, bounded by flow_cfg.max_flows, and the
 * buckets, which double as flows come up to max_flows' power of two. */
#include "flow.h"
#include "table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define IPP_TCP 6

struct flow_list_head {
    struct flow *head, *tail;
};

/* Slots of flow_table.recent: a link carries a few busy transfers at a
 * time, and their packets alternate; a hit spares the walk from a bucket
 * of the big table, a cache miss a packet. */
#define RECENT 64

/* The buckets start at this many (512 KiB) or max_flows' power of two if
 * smaller, and double when the flows reach half their number (chains of
 * one or two flows, each a cache miss to walk), up to max_flows' power of
 * two: a table sized for half a million flows at once (4 MiB) would spread
 * a few thousand flows' lookups over all of it, each one a cache miss and
 * its first touch of a 2 MiB page a fault. */
#define BUCKETS_START 65536

struct flow_table {
    struct flow_cfg cfg;
    struct flow **bucket;
    size_t mask;
    size_t max_buckets;
    struct flow_list_head list[FL__COUNT];
    struct flow_stats st;
    flow_end_cb cb;
    void *user;
    uint64_t next_id;
    uint64_t pkt;                 /* flow_set_packet: the packet being processed, 0 none */
    struct flow *last;            /* the flow of the last packet: a transfer's packets come in runs */
    struct flow *recent[RECENT];  /* flows of recent packets by hash: the few that take turns */
};

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The key as five words, read and written as whole words (make_key writes
 * it so): a word read back from several narrower writes stalls until they
 * reach the cache, and the key is read back at once for every packet. */
#define KEY_WORDS (sizeof(struct flow_key) / 8)
_Static_assert(sizeof(struct flow_key) % 8 == 0, "flow_key is compared and hashed as words");
_Static_assert(offsetof(struct flow_key, port) == 32 && KEY_WORDS == 5, "flow_key: two addresses, then one word");

static inline uint64_t key_word(const struct flow_key *k, size_t i)
{
    uint64_t w;
    memcpy(&w, (const unsigned char *)k + 8 * i, 8);
    return w;
}

static uint64_t key_hash(const struct flow_key *k)
{
    /* each word multiplied by its own odd constant, summed, then mixed once */
    static const uint64_t m[KEY_WORDS] = { 0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull,
                                           0xD6E8FEB86659FD93ull, 0xFF51AFD7ED558CCDull };
    uint64_t h = 0;
    for (size_t i = 0; i < KEY_WORDS; i++) {
        uint64_t w = key_word(k, i);
        h += (w ^ (w >> 29)) * m[i];
    }
    return mix64(h);
}

static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return ((key_word(a, 0) ^ key_word(b, 0)) | (key_word(a, 1) ^ key_word(b, 1)) |
            (key_word(a, 2) ^ key_word(b, 2)) | (key_word(a, 3) ^ key_word(b, 3)) |
            (key_word(a, 4) ^ key_word(b, 4))) == 0;
}

/* Canonical key: the lower address:port first. *side is the key side of
 * the packet's source. */
static void make_key(const struct mw_pkt *pk, struct flow_key *k, int *side)
{
    int c = mw_addr_cmp(&pk->src, &pk->dst);
    bool src_first = c < 0 || (c == 0 && pk->sport <= pk->dport);
    const struct mw_addr *a0 = src_first ? &pk->src : &pk->dst, *a1 = src_first ? &pk->dst : &pk->src;
    uint64_t p0 = src_first ? pk->sport : pk->dport, p1 = src_first ? pk->dport : pk->sport;
    uint64_t vlan = pk->nvlan ? pk->vlan[0] : 0, proto = pk->l4proto;
    uint64_t w[KEY_WORDS];
    memcpy(&w[0], a0->b, 16);
    memcpy(&w[2], a1->b, 16);
    /* the last word as its fields lie in memory: port[0], port[1], vlan, proto, pad (0) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w[4] = p0 | p1 << 16 | vlan << 32 | proto << 48;
#else
    w[4] = p0 << 48 | p1 << 32 | vlan << 16 | proto << 8;
#endif
    memcpy(k, w, sizeof w);
    *side = src_first ? 0 : 1;
}

static void list_unlink(struct flow_table *t, struct flow *f)
{
    struct flow_list_head *l = &t->list[f->list];
    if (f->prev) f->prev->next = f->next; else l->head = f->next;
    if (f->next) f->next->prev = f->prev; else l->tail = f->prev;
    f->prev = f->next = NULL;
}

static void list_append(struct flow_table *t, struct flow *f, enum flow_list which)
{
    struct flow_list_head *l = &t->list[which];
    f->list = (uint8_t)which;
    f->next = NULL;
    f->prev = l->tail;
    if (l->tail) l->tail->next = f; else l->head = f;
    l->tail = f;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1024;
    while (p < n && p < ((size_t)1 << 30))
        p <<= 1;
    return p;
}

struct flow_table *flow_table_new(const struct flow_cfg *cfg, flow_end_cb cb, void *user)
{
    struct flow_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->cfg = *cfg;
    if (t->cfg.max_flows == 0)
        t->cfg.max_flows = 1;
    t->max_buckets = pow2_at_least(t->cfg.max_flows);
    size_t nb = t->max_buckets < BUCKETS_START ? t->max_buckets : BUCKETS_START;
    t->bucket = table_alloc(nb, sizeof *t->bucket);
    if (t->bucket == NULL) {
        free(t);
        return NULL;
    }
    t->mask = nb - 1;
    t->cb = cb;
    t->user = user;
    return t;
}

/* Twice the buckets, every flow moved to its new chain. Without memory for
 * them the table keeps its buckets (longer chains, still exact) and stops
 * growing. */
static void grow(struct flow_table *t)
{
    size_t n = (size_t)t->mask + 1, n2 = 2 * n;
    struct flow **b2 = table_alloc(n2, sizeof *b2);
    if (b2 == NULL) {
        t->max_buckets = n;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct flow *f = t->bucket[i];
        while (f) {
            struct flow *next = f->hnext;
            struct flow **head = &b2[key_hash(&f->key) & (n2 - 1)];
            f->hnext = *head;
            *head = f;
            f = next;
        }
    }
    table_free(t->bucket, n, sizeof *t->bucket);
    t->bucket = b2;
    t->mask = n2 - 1;
    t->st.bucket_growths++;
}

static void flow_end(struct flow_table *t, struct flow *f, enum flow_end_reason why)
{
    uint64_t h = key_hash(&f->key);
    size_t b = h & t->mask;
    struct flow **pp = &t->bucket[b];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    if (t->last == f)
        t->last = NULL;
    if (t->recent[h % RECENT] == f)
        t->recent[h % RECENT] = NULL;
    list_unlink(t, f);
    t->st.active--;
    switch (why) {
    case FE_TIMEOUT: t->st.timed_out++; break;
    case FE_EVICTED: t->st.evicted++; break;
    case FE_SHUTDOWN: t->st.ended_at_exit++; break;
    }
    if (t->cb)
        t->cb(t->user, f, why);
    free(f);
}

/* Ahead of ending f: f is idle past a timeout, or taken in id order, so
 * its flow and its bucket are likely out of the caches, and finding the
 * bucket is most of flow_end's time. next, whose line an earlier call
 * asked for, is fetched now for the call after. */
static void end_ahead(const struct flow_table *t, const struct flow *f, const struct flow *next)
{
    __builtin_prefetch(&t->bucket[key_hash(&f->key) & t->mask]);
    if (next)
        __builtin_prefetch(next);
}

static uint64_t list_timeout(const struct flow_table *t, int which)
{
    return which == FL_TCP ? t->cfg.tcp_timeout_us
         : which == FL_UDP ? t->cfg.udp_timeout_us : t->cfg.closed_timeout_us;
}

void flow_expire(struct flow_table *t, uint64_t now_us)
{
    for (int i = 0; i < FL__COUNT; i++) {
        uint64_t to = list_timeout(t, i);
        struct flow *f;
        while ((f = t->list[i].head) != NULL && f->last_us + to < now_us) {
            if (f->next) /* likely the next to end */
                end_ahead(t, f->next, f->next->next);
            flow_end(t, f, FE_TIMEOUT);
        }
    }
}

/* The oldest idle flow of all classes: the head with the smallest last_us. */
static struct flow *oldest(struct flow_table *t)
{
    struct flow *best = NULL;
    for (int i = 0; i < FL__COUNT; i++) {
        struct flow *f = t->list[i].head;
        if (f && (best == NULL || f->last_us < best->last_us))
            best = f;
    }
    return best;
}

struct flow *flow_get(struct flow_table *t, const struct mw_pkt *pk, uint64_t ts_us, int *dir)
{
    struct flow_key k;
    int side;
    make_key(pk, &k, &side);
    struct flow *f = t->last;
    uint64_t h = 0;
    bool looked = false;
    if (f == NULL || !key_eq(&f->key, &k)) {
        h = key_hash(&k);
        looked = true;
        f = t->recent[h % RECENT];
        if (f == NULL || !key_eq(&f->key, &k))
            for (f = t->bucket[h & t->mask]; f; f = f->hnext)
                if (key_eq(&f->key, &k))
                    break;
    }
    if (f == NULL) {
        if (t->st.active >= t->cfg.max_flows) {
            struct flow *o = oldest(t);
            if (o)
                flow_end(t, o, FE_EVICTED);
        }
        f = calloc(1, sizeof *f);
        if (f == NULL) {
            t->st.alloc_failed++;
            return NULL;
        }
        f->key = k;
        f->id = t->pkt ? t->pkt : ++t->next_id;
        f->first_us = ts_us;
        /* The client is the sender of the first packet, unless that packet
         * is a SYN-ACK (we missed the SYN); for a flow picked up mid-stream
         * with no handshake, a well-known server port decides. */
        bool synack = k.proto == IPP_TCP && (pk->tcp_flags & (MW_TH_SYN | MW_TH_ACK)) == (MW_TH_SYN | MW_TH_ACK);
        bool syn = k.proto == IPP_TCP && (pk->tcp_flags & (MW_TH_SYN | MW_TH_ACK)) == MW_TH_SYN;
        int client = side;
        if (synack)
            client = !side;
        else if (!syn && pk->sport < 1024 && pk->dport >= 1024)
            client = !side;
        f->client = (uint8_t)client;
        if (t->st.active >= ((size_t)t->mask + 1) / 2 && (size_t)t->mask + 1 < t->max_buckets)
            grow(t);
        f->hnext = t->bucket[h & t->mask];
        t->bucket[h & t->mask] = f;
        t->st.created++;
        if (k.proto == IPP_TCP) t->st.tcp++; else t->st.udp++;
        if (++t->st.active > t->st.active_peak)
            t->st.active_peak = t->st.active;
        list_append(t, f, k.proto == IPP_TCP ? FL_TCP : FL_UDP);
    } else if (t->list[f->list].tail != f) { /* the newest of its list goes last */
        enum flow_list l = (enum flow_list)f->list;
        list_unlink(t, f);
        list_append(t, f, l);
    }
    if (looked)
        t->recent[h % RECENT] = f;
    t->last = f;
    if (ts_us > f->last_us)
        f->last_us = ts_us;
    f->last_pkt = t->pkt;
    *dir = side == f->client ? 0 : 1;
    return f;
}

void flow_set_packet(struct flow_table *t, uint64_t n)
{
    t->pkt = n;
}

void flow_mark_closed(struct flow_table *t, struct flow *f)
{
    if (f->list == FL_CLOSED)
        return;
    list_unlink(t, f);
    list_append(t, f, FL_CLOSED);
}

struct by_id {
    uint64_t id;
    struct flow *f;
};

/* a[0..n) by id, smallest first, in a or in tmp (which holds n too): the
 * one returned. A radix sort on the bytes of the id, least significant
 * first, skipping a byte that is the same in every id (ids are packet
 * numbers: three bytes vary in a capture of a million packets). qsort of
 * the flows took 2,000 instructions a flow here (callgrind, 20,140 flows
 * left at the end of a capture). */
static struct by_id *sort_by_id(struct by_id *a, struct by_id *tmp, size_t n)
{
    uint64_t diff = 0;
    for (size_t i = 1; i < n; i++)
        diff |= a[i].id ^ a[0].id;
    for (unsigned shift = 0; shift < 64 && (diff >> shift) != 0; shift += 8) {
        if (((diff >> shift) & 0xff) == 0)
            continue;
        size_t at[256] = { 0 };
        for (size_t i = 0; i < n; i++)
            at[(a[i].id >> shift) & 0xff]++;
        size_t sum = 0;
        for (unsigned d = 0; d < 256; d++) {
            size_t c = at[d];
            at[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) /* stable: equal bytes keep the order of the pass before */
            tmp[at[(a[i].id >> shift) & 0xff]++] = a[i];
        struct by_id *swap = a;
        a = tmp;
        tmp = swap;
    }
    return a;
}

void flow_end_all(struct flow_table *t)
{
    /* End in order of first sight so records come out in a stable order. */
    size_t n = (size_t)t->st.active, k = 0;
    struct by_id *all = n ? malloc(2 * n * sizeof *all) : NULL;
    if (all == NULL) { /* no memory for the sort: end them list by list */
        for (int i = 0; i < FL__COUNT; i++)
            while (t->list[i].head)
                flow_end(t, t->list[i].head, FE_SHUTDOWN);
        return;
    }
    for (int i = 0; i < FL__COUNT; i++)
        for (struct flow *f = t->list[i].head; f && k < n; f = f->next)
            all[k++] = (struct by_id){ f->id, f };
    struct by_id *sorted = sort_by_id(all, all + n, k);
    for (size_t i = 0; i < k; i++) {
        if (i + 1 < k)
            end_ahead(t, sorted[i + 1].f, i + 2 < k ? sorted[i + 2].f : NULL);
        flow_end(t, sorted[i].f, FE_SHUTDOWN);
    }
    free(all);
}

void flow_table_free(struct flow_table *t)
{
    if (t == NULL)
        return;
    flow_end_all(t);
    table_free(t->bucket, (size_t)t->mask + 1, sizeof *t->bucket);
    free(t);
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
    return &t->st;
}
