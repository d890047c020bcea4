/* ipfrag.c -- IPv4 and IPv6 fragment reassembly for one worker (DESIGN.md
 * section 2, "decode"; interface and overlap policy in ipfrag.h).
 * In: fragments as decode_frame described them in struct mw_pkt. Out: one
 * rebuilt datagram at a time in a buffer owned by the table.
 *
 * Layout: datagrams in progress live in a hash table keyed on (version, src,
 * dst, id, IPv4 protocol, outer VLAN) and on one list ordered by first-fragment
 * time, which is both the expiry order and the eviction order. Each datagram
 * keeps its data as a sorted list of non-overlapping pieces (one malloc per
 * piece), so "complete" is simply "last fragment seen and the pieces add up to
 * its end", and the rebuild is one copy per piece.
 *
 * Accounting: held_bytes is the fragment data held plus the copy of the
 * offset-0 fragment's header (up to 60 bytes for IPv4, the whole unfragmentable
 * part for IPv6) kept for the rebuild; both are memory that input made us
 * hold, so both count against max_bytes.
 *
 * IPv6 datagrams dropped for overlap leave a tombstone (the entry without
 * data) until their timeout, so that the remaining fragments cannot be put
 * together from what is left (RFC 5722). Tombstones take a slot of
 * max_datagrams (they are memory too) but are not counted in held_datagrams,
 * and their expiry or eviction is not counted again.
 *
 * Not here: decoding the rebuilt datagram (decode_ip), flows. */
#include "ipfrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Largest rebuilt datagram: IPv6 fixed header plus a 65535-byte payload
 * (an IPv4 datagram is at most 65535 bytes in all). */
#define IPF_OUT_MAX (40u + 65535u)

/* Hash buckets: a power of two near max_datagrams, so chains stay short,
 * but never a giant allocation for a silly configuration. */
#define IPF_MIN_BUCKETS 16u
#define IPF_MAX_BUCKETS (1u << 20)

struct ipf_key {
    struct mw_addr src, dst;
    uint32_t id;
    uint16_t vlan;  /* outermost VLAN id, 0 when untagged */
    uint8_t ver;
    uint8_t proto;  /* IPv4 protocol; 0 for IPv6 (not part of its key) */
};

struct ipf_piece {
    struct ipf_piece *next; /* sorted by off, never overlapping */
    uint32_t off, len;
    uint8_t data[];
};

struct ipf_dg {
    struct ipf_key key;
    struct ipf_dg *hnext, **hpprev; /* hash chain; hpprev makes unlinking O(1) */
    struct ipf_dg *anext, *aprev;   /* age list, oldest first */
    uint64_t t_first;
    struct ipf_piece *head, *tail;
    uint32_t covered;   /* sum of piece lengths (pieces never overlap) */
    uint32_t maxend;    /* highest end of any fragment seen */
    uint32_t end;       /* datagram data length, valid when have_last */
    bool have_last;
    bool dead;          /* IPv6 overlap tombstone: no data, drops what comes */
    uint8_t *hdr;       /* offset-0 fragment's header (IPv4) / unfragmentable part (IPv6) */
    uint32_t hlen;
    uint32_t prev_nh_off; /* IPv6: byte of hdr to set to next */
    uint8_t next;         /* IPv6: Next Header of the offset-0 fragment header */
};

struct ipfrag {
    struct ipfrag_cfg cfg;
    struct ipfrag_stats st;
    struct ipf_dg **bucket;
    uint32_t nbucket;       /* power of two */
    uint64_t seed;
    struct ipf_dg *oldest, *newest;
    uint32_t nentries;      /* live datagrams plus tombstones */
    uint8_t *out;           /* IPF_OUT_MAX bytes: the last rebuilt datagram */
};

/* ---- key and hash ---- */

static void key_of(const struct mw_pkt *pk, struct ipf_key *k)
{
    memset(k, 0, sizeof *k);
    k->src = pk->src;
    k->dst = pk->dst;
    k->id = pk->frag_id;
    k->vlan = pk->nvlan > 0 ? pk->vlan[0] : 0;
    k->ver = pk->ipver;
    k->proto = pk->ipver == 4 ? pk->frag_next : 0;
}

static bool key_eq(const struct ipf_key *a, const struct ipf_key *b)
{
    return a->id == b->id && a->vlan == b->vlan && a->ver == b->ver &&
           a->proto == b->proto && mw_addr_cmp(&a->src, &b->src) == 0 &&
           mw_addr_cmp(&a->dst, &b->dst) == 0;
}

static uint64_t fnv_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* FNV-1a over the fields, seeded per table so that one crafted set of
 * addresses and ids does not collide the same way in every worker; chains
 * are bounded by max_datagrams in any case. */
static uint32_t key_hash(const struct ipfrag *t, const struct ipf_key *k)
{
    uint8_t tail[8] = {
        (uint8_t)(k->id >> 24), (uint8_t)(k->id >> 16), (uint8_t)(k->id >> 8), (uint8_t)k->id,
        (uint8_t)(k->vlan >> 8), (uint8_t)k->vlan, k->ver, k->proto,
    };
    uint64_t h = 0xcbf29ce484222325ull ^ t->seed;
    h = fnv_bytes(h, k->src.b, 16);
    h = fnv_bytes(h, k->dst.b, 16);
    h = fnv_bytes(h, tail, sizeof tail);
    h ^= h >> 29;
    return (uint32_t)h & (t->nbucket - 1);
}

static struct ipf_dg *lookup(const struct ipfrag *t, const struct ipf_key *k)
{
    for (struct ipf_dg *d = t->bucket[key_hash(t, k)]; d; d = d->hnext)
        if (key_eq(&d->key, k))
            return d;
    return NULL;
}

/* ---- datagram life cycle ---- */

static void free_data(struct ipfrag *t, struct ipf_dg *d)
{
    struct ipf_piece *p = d->head;
    while (p) {
        struct ipf_piece *n = p->next;
        t->st.held_bytes -= p->len;
        free(p);
        p = n;
    }
    d->head = d->tail = NULL;
    d->covered = 0;
    if (d->hdr) {
        t->st.held_bytes -= d->hlen;
        free(d->hdr);
        d->hdr = NULL;
    }
}

/* Unlink and free a datagram or tombstone. */
static void dg_remove(struct ipfrag *t, struct ipf_dg *d)
{
    free_data(t, d);
    *d->hpprev = d->hnext;
    if (d->hnext)
        d->hnext->hpprev = d->hpprev;
    if (d->aprev)
        d->aprev->anext = d->anext;
    else
        t->oldest = d->anext;
    if (d->anext)
        d->anext->aprev = d->aprev;
    else
        t->newest = d->aprev;
    if (!d->dead)
        t->st.held_datagrams--;
    t->nentries--;
    free(d);
}

/* Turn a live datagram into an IPv6 overlap tombstone (keeps its age). */
static void dg_kill(struct ipfrag *t, struct ipf_dg *d)
{
    free_data(t, d);
    d->dead = true;
    t->st.held_datagrams--;
}

static struct ipf_dg *dg_create(struct ipfrag *t, const struct ipf_key *k, uint64_t ts)
{
    struct ipf_dg *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->key = *k;
    /* Keep the age list sorted even if capture time steps back: a datagram
     * is never older than the one created before it. */
    d->t_first = (t->newest && t->newest->t_first > ts) ? t->newest->t_first : ts;
    uint32_t b = key_hash(t, k);
    d->hnext = t->bucket[b];
    if (d->hnext)
        d->hnext->hpprev = &d->hnext;
    d->hpprev = &t->bucket[b];
    t->bucket[b] = d;
    d->aprev = t->newest;
    if (t->newest)
        t->newest->anext = d;
    else
        t->oldest = d;
    t->newest = d;
    t->nentries++;
    if (++t->st.held_datagrams > t->st.held_datagrams_peak)
        t->st.held_datagrams_peak = t->st.held_datagrams;
    return d;
}

/* Evict the oldest entry other than keep to free a slot; false when none. */
static bool evict_slot(struct ipfrag *t, const struct ipf_dg *keep)
{
    struct ipf_dg *d = t->oldest;
    while (d && d == keep)
        d = d->anext;
    if (!d)
        return false;
    if (!d->dead)
        t->st.evicted++;
    dg_remove(t, d);
    return true;
}

/* Evict the oldest datagram holding bytes, other than keep; false when none.
 * Tombstones hold no bytes, so removing them would not help here. */
static bool evict_bytes(struct ipfrag *t, const struct ipf_dg *keep)
{
    struct ipf_dg *d = t->oldest;
    while (d && (d == keep || d->dead))
        d = d->anext;
    if (!d)
        return false;
    t->st.evicted++;
    dg_remove(t, d);
    return true;
}

/* ---- public: table ---- */

struct ipfrag *ipfrag_new(const struct ipfrag_cfg *cfg)
{
    struct ipfrag *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (cfg) {
        t->cfg = *cfg;
    } else {
        t->cfg.max_bytes = IPFRAG_DEFAULT_MAX_BYTES;
        t->cfg.max_datagrams = IPFRAG_DEFAULT_MAX_DATAGRAMS;
        t->cfg.timeout_us = IPFRAG_DEFAULT_TIMEOUT_US;
    }
    uint32_t nb = IPF_MIN_BUCKETS;
    while (nb < t->cfg.max_datagrams && nb < IPF_MAX_BUCKETS)
        nb <<= 1;
    t->nbucket = nb;
    t->bucket = calloc(nb, sizeof *t->bucket);
    t->out = malloc(IPF_OUT_MAX);
    if (!t->bucket || !t->out) {
        free(t->bucket);
        free(t->out);
        free(t);
        return NULL;
    }
    t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
    return t;
}

void ipfrag_free(struct ipfrag *t)
{
    if (!t)
        return;
    while (t->oldest)
        dg_remove(t, t->oldest);
    free(t->bucket);
    free(t->out);
    free(t);
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *t)
{
    return &t->st;
}

void ipfrag_expire(struct ipfrag *t, uint64_t now_us)
{
    /* The age list is sorted, so stop at the first entry still young. */
    while (t->oldest && now_us > t->oldest->t_first &&
           now_us - t->oldest->t_first > t->cfg.timeout_us) {
        struct ipf_dg *d = t->oldest;
        if (!d->dead)
            t->st.timeouts++;
        dg_remove(t, d);
    }
}

/* ---- rebuild ---- */

static uint16_t ip4_cksum(const uint8_t *h, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)h[i] << 8 | h[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Write header fix-ups into t->out, whose first hlen bytes are the saved
 * header, for a datagram of dlen data bytes. */
static void fix_header(struct ipfrag *t, uint8_t ver, uint32_t hlen, uint32_t prev_nh_off,
                       uint8_t next, uint32_t dlen)
{
    uint8_t *o = t->out;
    if (ver == 4) {
        uint32_t tot = hlen + dlen;
        o[2] = (uint8_t)(tot >> 8);
        o[3] = (uint8_t)tot;
        o[6] &= 0x40; /* keep DF; clear reserved bit, MF and the offset */
        o[7] = 0;
        o[10] = o[11] = 0;
        uint16_t c = ip4_cksum(o, hlen);
        o[10] = (uint8_t)(c >> 8);
        o[11] = (uint8_t)c;
    } else {
        uint32_t plen = hlen - 40 + dlen;
        o[4] = (uint8_t)(plen >> 8);
        o[5] = (uint8_t)plen;
        o[prev_nh_off] = next;
    }
}

static void rebuild(struct ipfrag *t, const struct ipf_dg *d, size_t *out_len)
{
    memcpy(t->out, d->hdr, d->hlen);
    for (const struct ipf_piece *p = d->head; p; p = p->next)
        memcpy(t->out + d->hlen + p->off, p->data, p->len);
    fix_header(t, d->key.ver, d->hlen, d->prev_nh_off, d->next, d->end);
    *out_len = (size_t)d->hlen + d->end;
}

/* ---- insertion ---- */

static struct ipf_piece *piece_new(uint32_t off, uint32_t len, const uint8_t *src)
{
    struct ipf_piece *p = malloc(sizeof *p + len);
    if (!p)
        return NULL;
    p->next = NULL;
    p->off = off;
    p->len = len;
    memcpy(p->data, src, len);
    return p;
}

/* Link p after prev (NULL: at the head). */
static void piece_link(struct ipfrag *t, struct ipf_dg *d, struct ipf_piece *prev,
                       struct ipf_piece *p)
{
    if (prev) {
        p->next = prev->next;
        prev->next = p;
    } else {
        p->next = d->head;
        d->head = p;
    }
    if (!p->next)
        d->tail = p;
    d->covered += p->len;
    t->st.held_bytes += p->len;
    if (t->st.held_bytes > t->st.held_bytes_peak)
        t->st.held_bytes_peak = t->st.held_bytes;
}

/* First piece that may touch [a, ...): in-order arrival (the common case)
 * lands after the tail without a walk. *prevp gets its predecessor. */
static struct ipf_piece *walk_start(const struct ipf_dg *d, uint32_t a, struct ipf_piece **prevp)
{
    if (d->tail && d->tail->off + d->tail->len <= a) {
        *prevp = d->tail;
        return NULL;
    }
    *prevp = NULL;
    return d->head;
}

struct scan {
    uint32_t newb;   /* bytes of [a, b) not held yet */
    bool overlap;    /* some bytes of [a, b) are held already */
    bool differs;    /* ... and at least one of them differs */
    bool exact;      /* IPv6: one piece is exactly [a, b) */
};

static void scan_range(const struct ipf_dg *d, uint32_t a, uint32_t b, const uint8_t *data,
                       struct scan *s)
{
    struct ipf_piece *prev;
    uint32_t pos = a;
    memset(s, 0, sizeof *s);
    for (struct ipf_piece *q = walk_start(d, a, &prev); q && q->off < b && pos < b; q = q->next) {
        uint32_t qend = q->off + q->len;
        if (qend <= pos)
            continue;
        if (q->off > pos)
            s->newb += q->off - pos;
        uint32_t lo = q->off > pos ? q->off : pos;
        uint32_t hi = qend < b ? qend : b;
        s->overlap = true;
        if (memcmp(q->data + (lo - q->off), data + (lo - a), hi - lo) != 0)
            s->differs = true;
        if (q->off == a && qend == b)
            s->exact = true;
        pos = hi;
    }
    if (pos < b)
        s->newb += b - pos;
}

/* IPv4 first-wins: store only the parts of [a, b) not held yet. False on
 * allocation failure (the pieces linked so far stay consistent). */
static bool insert_gaps(struct ipfrag *t, struct ipf_dg *d, uint32_t a, uint32_t b,
                        const uint8_t *data)
{
    struct ipf_piece *prev;
    struct ipf_piece *q = walk_start(d, a, &prev);
    uint32_t pos = a;
    while (pos < b) {
        /* Skip the pieces that end at or before pos. */
        while (q && q->off + q->len <= pos) {
            prev = q;
            q = q->next;
        }
        uint32_t gap_end = (q && q->off < b) ? q->off : b;
        if (gap_end > pos) {
            struct ipf_piece *p = piece_new(pos, gap_end - pos, data + (pos - a));
            if (!p)
                return false;
            piece_link(t, d, prev, p);
            prev = p;
        }
        if (!q || q->off >= b)
            break;
        pos = q->off + q->len; /* q covers [gap_end, its end): first bytes win */
    }
    return true;
}

/* ---- public: add ---- */

/* What the descriptor must satisfy before we trust its offsets at all. */
static bool sane(const struct mw_pkt *pk)
{
    if (pk->ipver != 4 && pk->ipver != 6)
        return false;
    if (pk->frag_len > 0 && !pk->frag_data)
        return false;
    if (pk->frag_off % 8 != 0 || pk->frag_off > 65535u || pk->frag_len > 65535u)
        return false;
    if (pk->frag_off != 0)
        return true;
    /* The offset-0 fragment gives the header of the rebuilt datagram. */
    if (!pk->l3)
        return false;
    if (pk->ipver == 4)
        return pk->frag_hdr_len >= 20 && pk->frag_hdr_len <= 60 && pk->frag_hdr_len % 4 == 0;
    return pk->frag_hdr_len >= 40 && pk->frag_hdr_len <= IPF_OUT_MAX &&
           pk->frag_fh_off == pk->frag_hdr_len &&
           (pk->frag_prev_nh_off == 6 ||
            (pk->frag_prev_nh_off >= 40 && pk->frag_prev_nh_off < pk->frag_hdr_len));
}

/* Drop d (if any) and the fragment; bump the given counter. */
static enum ipfrag_res drop(struct ipfrag *t, struct ipf_dg *d, uint64_t *counter)
{
    (*counter)++;
    if (d)
        dg_remove(t, d);
    return IPFRAG_DROPPED;
}

enum ipfrag_res ipfrag_add(struct ipfrag *t, const struct mw_pkt *pk, uint64_t ts_us,
                           const uint8_t **out, size_t *out_len)
{
    t->st.fragments++;
    *out = NULL;
    *out_len = 0;
    /* Expire lazily too, so memory stays bounded by the timeout even when
     * the caller never calls ipfrag_expire. */
    ipfrag_expire(t, ts_us);

    if (!sane(pk))
        return drop(t, NULL, &t->st.bad);

    const uint32_t a = pk->frag_off;
    const uint32_t len = (uint32_t)pk->frag_len;
    const uint32_t b = a + len;
    const bool v4 = pk->ipver == 4;
    const uint32_t hlen = (uint32_t)pk->frag_hdr_len;

    /* RFC 6946: an IPv6 atomic fragment is a whole datagram on its own and
     * must not be mixed with fragments of the same id, so skip the table. */
    if (!v4 && a == 0 && !pk->frag_more) {
        if (hlen - 40 + (uint64_t)len > 65535u)
            return drop(t, NULL, &t->st.too_big);
        memcpy(t->out, pk->l3, hlen);
        if (len)
            memcpy(t->out + hlen, pk->frag_data, len);
        fix_header(t, 6, hlen, (uint32_t)pk->frag_prev_nh_off, pk->frag_next, len);
        t->st.reassembled++;
        *out = t->out;
        *out_len = (size_t)hlen + len;
        return IPFRAG_DONE;
    }

    struct ipf_key k;
    key_of(pk, &k);
    struct ipf_dg *d = lookup(t, &k);
    if (d && d->dead)
        return IPFRAG_DROPPED; /* RFC 5722: already counted in dropped_overlap6 */

    /* RFC 791 / RFC 8200 4.5: every fragment but the last carries a multiple
     * of 8 bytes; an empty non-final fragment is meaningless. */
    if (pk->frag_more && (len == 0 || len % 8 != 0))
        return drop(t, d, &t->st.bad);
    if (d) {
        if (d->have_last && b > d->end)
            return drop(t, d, &t->st.bad); /* past the known end */
        if (!pk->frag_more && d->have_last && b != d->end)
            return drop(t, d, &t->st.bad); /* a second, different last fragment */
        if (!pk->frag_more && !d->have_last && d->maxend > b)
            return drop(t, d, &t->st.bad); /* data already held past this end */
    }
    /* Size of the rebuilt datagram: the header is known once the offset-0
     * fragment arrived; before that assume the smallest one. */
    uint32_t maxend = d && d->maxend > b ? d->maxend : b;
    uint64_t hdr_known = d && d->hdr ? d->hlen : (a == 0 ? hlen : 0);
    uint64_t size = v4 ? (hdr_known ? hdr_known : 20) + maxend
                       : (hdr_known ? hdr_known - 40 : 0) + maxend;
    if (size > 65535u)
        return drop(t, d, &t->st.too_big);

    if (!d) {
        while (t->nentries >= t->cfg.max_datagrams)
            if (!evict_slot(t, NULL))
                return drop(t, NULL, &t->st.evicted); /* max_datagrams is 0 */
        d = dg_create(t, &k, ts_us);
        if (!d)
            return drop(t, NULL, &t->st.evicted);
    }

    struct scan s;
    scan_range(d, a, b, pk->frag_data, &s);
    bool new_last = !pk->frag_more && !d->have_last;
    if (!v4 && s.overlap) {
        if (s.exact && !s.differs) {
            t->st.duplicates++;
            return IPFRAG_DROPPED;
        }
        t->st.dropped_overlap6++;
        dg_kill(t, d);
        return IPFRAG_DROPPED;
    }
    if (v4 && s.overlap) {
        if (s.newb == 0 && !s.differs && !new_last) {
            t->st.duplicates++;
            return IPFRAG_DROPPED;
        }
        t->st.overlaps++;
        if (s.newb == 0 && !new_last && !(a == 0 && !d->hdr))
            return IPFRAG_DROPPED; /* every byte lost to earlier ones: nothing kept */
    }

    /* Make room: evict the oldest other datagrams; if this one still does
     * not fit it can never complete, so drop it rather than hold it. */
    uint64_t need = s.newb + (a == 0 && !d->hdr ? (uint64_t)hlen : 0);
    while (t->st.held_bytes + need > t->cfg.max_bytes)
        if (!evict_bytes(t, d))
            return drop(t, d, &t->st.evicted);

    if (a == 0 && !d->hdr) {
        d->hdr = malloc(hlen);
        if (!d->hdr)
            return drop(t, d, &t->st.evicted);
        memcpy(d->hdr, pk->l3, hlen);
        d->hlen = hlen;
        t->st.held_bytes += hlen;
        if (t->st.held_bytes > t->st.held_bytes_peak)
            t->st.held_bytes_peak = t->st.held_bytes;
        if (!v4) {
            d->prev_nh_off = (uint32_t)pk->frag_prev_nh_off;
            d->next = pk->frag_next;
        }
    }
    if (s.newb && !insert_gaps(t, d, a, b, pk->frag_data))
        return drop(t, d, &t->st.evicted);
    if (b > d->maxend)
        d->maxend = b;
    if (!pk->frag_more) {
        d->have_last = true;
        d->end = b;
    }

    if (!d->have_last || !d->hdr || d->covered != d->end)
        return IPFRAG_HELD;
    rebuild(t, d, out_len);
    *out = t->out;
    t->st.reassembled++;
    dg_remove(t, d);
    return IPFRAG_DONE;
}
