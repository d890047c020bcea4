/* pktbuild.h -- builds test frames byte by byte (Ethernet, VLAN, MPLS,
 * IPv4 with options, IPv6 with extension headers, TCP, UDP) for the unit
 * tests, so that each case states exactly the bytes it feeds. */
#ifndef MW_PKTBUILD_H
#define MW_PKTBUILD_H

#include <stdint.h>
#include <string.h>

struct pb {
    uint8_t b[2048];
    size_t n;
};

static inline void pb_u8(struct pb *p, uint8_t v) { p->b[p->n++] = v; }
static inline void pb_be16(struct pb *p, uint16_t v) { pb_u8(p, (uint8_t)(v >> 8)); pb_u8(p, (uint8_t)v); }
static inline void pb_be32(struct pb *p, uint32_t v) { pb_be16(p, (uint16_t)(v >> 16)); pb_be16(p, (uint16_t)v); }
static inline void pb_mem(struct pb *p, const void *m, size_t n) { memcpy(p->b + p->n, m, n); p->n += n; }
static inline void pb_put16(struct pb *p, size_t at, uint16_t v) { p->b[at] = (uint8_t)(v >> 8); p->b[at + 1] = (uint8_t)v; }

static inline void pb_eth(struct pb *p, uint16_t type)
{
    static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };
    pb_mem(p, macs, 12);
    pb_be16(p, type);
}

static inline void pb_vlan(struct pb *p, uint16_t id, uint16_t next_type)
{
    pb_be16(p, id);
    pb_be16(p, next_type);
}

/* IPv4 header with optlen bytes of options (NOPs); returns the offset of the
 * header so pb_ip4_finish can set the total length. */
static inline size_t pb_ip4(struct pb *p, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
                            uint16_t id, uint16_t flags_off, size_t optlen)
{
    size_t at = p->n;
    pb_u8(p, (uint8_t)(0x40 | (5 + optlen / 4)));
    pb_u8(p, 0);
    pb_be16(p, 0); /* total length, set later */
    pb_be16(p, id);
    pb_be16(p, flags_off);
    pb_u8(p, 64);
    pb_u8(p, proto);
    pb_be16(p, 0);
    pb_mem(p, src, 4);
    pb_mem(p, dst, 4);
    for (size_t i = 0; i < optlen; i++)
        pb_u8(p, 1);
    return at;
}

static inline void pb_ip4_finish(struct pb *p, size_t at)
{
    pb_put16(p, at + 2, (uint16_t)(p->n - at));
}

static inline size_t pb_ip6(struct pb *p, const uint8_t src[16], const uint8_t dst[16], uint8_t nh)
{
    size_t at = p->n;
    pb_be32(p, 0x60000000);
    pb_be16(p, 0);
    pb_u8(p, nh);
    pb_u8(p, 64);
    pb_mem(p, src, 16);
    pb_mem(p, dst, 16);
    return at;
}

static inline void pb_ip6_finish(struct pb *p, size_t at)
{
    pb_put16(p, at + 4, (uint16_t)(p->n - at - 40));
}

static inline void pb_tcp(struct pb *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                          uint8_t flags, const void *data, size_t n)
{
    pb_be16(p, sport);
    pb_be16(p, dport);
    pb_be32(p, seq);
    pb_be32(p, ack);
    pb_u8(p, 5 << 4);
    pb_u8(p, flags);
    pb_be16(p, 65535);
    pb_be16(p, 0);
    pb_be16(p, 0);
    if (n)
        pb_mem(p, data, n);
}

static inline void pb_udp(struct pb *p, uint16_t sport, uint16_t dport, const void *data, size_t n)
{
    pb_be16(p, sport);
    pb_be16(p, dport);
    pb_be16(p, (uint16_t)(8 + n));
    pb_be16(p, 0);
    if (n)
        pb_mem(p, data, n);
}

static const uint8_t PB_A4[4] = { 10, 0, 0, 1 }, PB_B4[4] = { 10, 0, 0, 2 };
static const uint8_t PB_A6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t PB_B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

#endif
