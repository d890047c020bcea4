/* addr.h -- IPv4/IPv6 addresses as 16 bytes (IPv4 mapped into ::ffff:a.b.c.d)
 * so that flow keys, fragment keys and records compare and hash one way. */
#ifndef MW_ADDR_H
#define MW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mw_addr {
    uint8_t b[16];
};

/* Written as two 8-byte words: the flow key reads the address back as
 * words at once, and a read that spans several narrower writes waits for
 * them to reach the cache (a store-forwarding stall, about 5% of the
 * packet loop's samples on the benchmark mix). */
static inline void mw_addr_from_v4(struct mw_addr *a, const uint8_t v4[4])
{
    uint32_t v;
    memcpy(&v, v4, 4);
    uint64_t hi;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    hi = 0xffff0000u | (uint64_t)v << 32; /* bytes 8..15: 0 0 ff ff v4 */
#else
    hi = 0xffff00000000ull | v;
#endif
    uint64_t lo = 0;
    memcpy(a->b, &lo, 8);
    memcpy(a->b + 8, &hi, 8);
}

static inline void mw_addr_from_v6(struct mw_addr *a, const uint8_t v6[16])
{
    memcpy(a->b, v6, 16);
}

static inline bool mw_addr_is_v4(const struct mw_addr *a)
{
    static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a->b, pfx, 12) == 0;
}

/* 8 bytes as a big-endian number: addresses compare as two words. */
static inline uint64_t mw_addr_word(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* memcmp's order of the 16 bytes, without the call (flow keys, per packet). */
static inline int mw_addr_cmp(const struct mw_addr *x, const struct mw_addr *y)
{
    uint64_t a = mw_addr_word(x->b), b = mw_addr_word(y->b);
    if (a == b) {
        a = mw_addr_word(x->b + 8);
        b = mw_addr_word(y->b + 8);
    }
    return a < b ? -1 : a > b;
}

/* FNV-1a over the 16 bytes: for the tables keyed on an address. */
static inline uint32_t mw_addr_hash(const struct mw_addr *a)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ a->b[i]) * 16777619u;
    return h;
}

/* Text form (inet_ntop); buf of at least 46 bytes. */
const char *mw_addr_str(const struct mw_addr *a, char *buf, size_t len);

/* Parse the text form of an IPv4 or IPv6 address (also "[v6]"); false if
 * it is not one. */
bool mw_addr_parse(const char *s, struct mw_addr *a);

#endif
