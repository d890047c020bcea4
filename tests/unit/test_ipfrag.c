/* test_ipfrag.c -- unit tests for ipfrag.c (IPv4/IPv6 fragment reassembly).
 * Builds real IPv4 packets (with and without options) and IPv6 packets (with
 * and without a Hop-by-Hop header before the Fragment header), splits them,
 * fills struct mw_pkt the way decode_frame does, and checks the exact bytes
 * of each rebuilt datagram and the exact counters. Needs no decode.c. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipfrag.h"
#include "tap.h"

#define MAXF 64

static const uint8_t SRC4[4] = { 192, 0, 2, 1 };
static const uint8_t DST4[4] = { 198, 51, 100, 7 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

/* Record Route (type 7, length 11, pointer 4, two empty slots) and an End
 * of Options byte: 12 bytes, so IHL = 8. */
static const uint8_t OPTS12[12] = { 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

struct tfrag {
    uint8_t *buf;
    size_t n;
    struct mw_pkt pk;
};

struct v4spec {
    uint16_t id;
    uint8_t proto;
    const uint8_t *opts; /* only in the offset-0 fragment, as for non-copied options */
    size_t optlen;
    bool df;
    uint8_t nvlan;
    uint16_t vlan;
};

struct v6spec {
    uint32_t id;
    uint8_t next;
    bool hbh; /* a Hop-by-Hop header before the Fragment header */
    uint8_t nvlan;
    uint16_t vlan;
};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* Ones'-complement sum of a header, folded: 0xffff when its checksum is right. */
static uint16_t sum16(const uint8_t *h, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)h[i] << 8 | h[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static void v4_header(uint8_t *h, size_t hlen, size_t total, const struct v4spec *sp,
                      uint16_t flags_off, bool with_opts)
{
    memset(h, 0, hlen);
    h[0] = (uint8_t)(0x40 | hlen / 4);
    put16(h + 2, (uint32_t)total);
    put16(h + 4, sp->id);
    put16(h + 6, flags_off);
    h[8] = 64;
    h[9] = sp->proto;
    memcpy(h + 12, SRC4, 4);
    memcpy(h + 16, DST4, 4);
    if (with_opts && sp->optlen)
        memcpy(h + 20, sp->opts, sp->optlen);
    put16(h + 10, (uint16_t)~sum16(h, hlen));
}

static void make_v4(struct tfrag *f, const struct v4spec *sp, const uint8_t *data, uint32_t off,
                    size_t len, bool more)
{
    size_t hlen = off == 0 ? 20 + sp->optlen : 20;
    f->n = hlen + len;
    f->buf = malloc(f->n);
    uint16_t fo = (uint16_t)((sp->df ? 0x4000 : 0) | (more ? 0x2000 : 0) | off / 8);
    v4_header(f->buf, hlen, f->n, sp, fo, off == 0);
    memcpy(f->buf + hlen, data, len);
    memset(&f->pk, 0, sizeof f->pk);
    f->pk.nvlan = sp->nvlan;
    f->pk.vlan[0] = sp->vlan;
    f->pk.ipver = 4;
    f->pk.l4proto = sp->proto;
    f->pk.ttl = 64;
    mw_addr_from_v4(&f->pk.src, SRC4);
    mw_addr_from_v4(&f->pk.dst, DST4);
    f->pk.l3 = f->buf;
    f->pk.l3_len = f->n;
    f->pk.frag_id = sp->id;
    f->pk.frag_off = off;
    f->pk.frag_more = more;
    f->pk.frag_data = f->buf + hlen;
    f->pk.frag_len = len;
    f->pk.frag_hdr_len = hlen;
    f->pk.frag_next = sp->proto;
}

/* The datagram as it was before fragmentation; returns its length. */
static size_t whole_v4(uint8_t *out, const struct v4spec *sp, const uint8_t *data, size_t len)
{
    size_t hlen = 20 + sp->optlen;
    v4_header(out, hlen, hlen + len, sp, sp->df ? 0x4000 : 0, true);
    memcpy(out + hlen, data, len);
    return hlen + len;
}

static void make_v6(struct tfrag *f, const struct v6spec *sp, const uint8_t *data, uint32_t off,
                    size_t len, bool more)
{
    size_t ext = sp->hbh ? 8 : 0;
    size_t fh = 40 + ext;
    f->n = fh + 8 + len;
    f->buf = calloc(1, f->n);
    uint8_t *h = f->buf;
    h[0] = 0x60;
    put16(h + 4, (uint32_t)(ext + 8 + len));
    h[6] = sp->hbh ? 0 : 44;
    h[7] = 64;
    memcpy(h + 8, SRC6, 16);
    memcpy(h + 24, DST6, 16);
    if (sp->hbh) {
        h[40] = 44;
        h[41] = 0;
        h[42] = 1; /* PadN, 4 bytes of padding */
        h[43] = 4;
    }
    h[fh] = sp->next;
    put16(h + fh + 2, off | (more ? 1u : 0u));
    put32(h + fh + 4, sp->id);
    memcpy(h + fh + 8, data, len);
    memset(&f->pk, 0, sizeof f->pk);
    f->pk.nvlan = sp->nvlan;
    f->pk.vlan[0] = sp->vlan;
    f->pk.ipver = 6;
    f->pk.ttl = 64;
    mw_addr_from_v6(&f->pk.src, SRC6);
    mw_addr_from_v6(&f->pk.dst, DST6);
    f->pk.l3 = f->buf;
    f->pk.l3_len = f->n;
    f->pk.frag_id = sp->id;
    f->pk.frag_off = off;
    f->pk.frag_more = more;
    f->pk.frag_data = f->buf + fh + 8;
    f->pk.frag_len = len;
    f->pk.frag_hdr_len = fh;
    f->pk.frag_next = sp->next;
    f->pk.frag_fh_off = fh;
    f->pk.frag_prev_nh_off = sp->hbh ? 40 : 6;
}

static size_t whole_v6(uint8_t *out, const struct v6spec *sp, const uint8_t *data, size_t len)
{
    size_t ext = sp->hbh ? 8 : 0;
    memset(out, 0, 40 + ext);
    out[0] = 0x60;
    put16(out + 4, (uint32_t)(ext + len));
    out[6] = sp->hbh ? 0 : sp->next;
    out[7] = 64;
    memcpy(out + 8, SRC6, 16);
    memcpy(out + 24, DST6, 16);
    if (sp->hbh) {
        out[40] = sp->next;
        out[42] = 1;
        out[43] = 4;
    }
    memcpy(out + 40 + ext, data, len);
    return 40 + ext + len;
}

/* Split data into fragments of fsize bytes (a multiple of 8). */
static size_t split_v4(struct tfrag *f, const struct v4spec *sp, const uint8_t *data, size_t len,
                       size_t fsize)
{
    size_t n = 0;
    for (size_t off = 0; off < len; off += fsize, n++) {
        size_t l = len - off < fsize ? len - off : fsize;
        make_v4(&f[n], sp, data + off, (uint32_t)off, l, off + l < len);
    }
    return n;
}

static size_t split_v6(struct tfrag *f, const struct v6spec *sp, const uint8_t *data, size_t len,
                       size_t fsize)
{
    size_t n = 0;
    for (size_t off = 0; off < len; off += fsize, n++) {
        size_t l = len - off < fsize ? len - off : fsize;
        make_v6(&f[n], sp, data + off, (uint32_t)off, l, off + l < len);
    }
    return n;
}

static void free_frags(struct tfrag *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].buf);
        f[i].buf = NULL;
    }
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

static struct ipfrag *table(size_t max_bytes, uint32_t max_dg, uint64_t timeout)
{
    struct ipfrag_cfg c = { max_bytes, max_dg, timeout };
    return ipfrag_new(&c);
}

#define T_DEFAULT() table(1u << 20, 64, 1000000)

static void check_stats_(const struct ipfrag_stats *g, const struct ipfrag_stats *e, int line)
{
#define F_(f) if (g->f != e->f) { tap_fail_case = 1; \
        printf("# line %d: stats." #f " == %llu, expected %llu\n", line, \
               (unsigned long long)g->f, (unsigned long long)e->f); }
    F_(fragments) F_(reassembled) F_(timeouts) F_(overlaps) F_(duplicates)
    F_(dropped_overlap6) F_(evicted) F_(too_big) F_(bad) F_(held_bytes) F_(held_datagrams)
#undef F_
}

#define CHECK_STATS(t, ...) do { struct ipfrag_stats e_ = { __VA_ARGS__ }; \
    check_stats_(ipfrag_stats(t), &e_, __LINE__); } while (0)

/* The rebuilt datagram is exactly w[0..wl); safe when out is NULL. */
#define CHECK_OUT(o, ol, w, wl) do { CHECK((o) != NULL); CHECK_EQ((ol), (wl)); \
    if ((o) != NULL && (ol) == (wl)) CHECK_MEM((o), (w), (wl)); } while (0)

/* Offer frags in the given order: every one but the last must be HELD, the
 * last DONE with exactly want[0..wlen). */
static void feed_expect(struct ipfrag *t, struct tfrag *f, const int *order, size_t n,
                        uint64_t ts, const uint8_t *want, size_t wlen, int line)
{
    const uint8_t *out;
    size_t olen;
    for (size_t i = 0; i < n; i++) {
        enum ipfrag_res r = ipfrag_add(t, &f[order[i]].pk, ts + i, &out, &olen);
        enum ipfrag_res w = i + 1 < n ? IPFRAG_HELD : IPFRAG_DONE;
        if (r != w) {
            tap_fail_case = 1;
            printf("# line %d: fragment %zu (#%d) gave %d, expected %d\n", line, i, order[i],
                   (int)r, (int)w);
            return;
        }
    }
    if (olen != wlen || memcmp(out, want, wlen) != 0) {
        tap_fail_case = 1;
        printf("# line %d: rebuilt datagram differs (%zu bytes, expected %zu)\n", line, olen,
               wlen);
    }
}

static enum ipfrag_res add(struct ipfrag *t, const struct tfrag *f, uint64_t ts)
{
    const uint8_t *out;
    size_t olen;
    return ipfrag_add(t, &f->pk, ts, &out, &olen);
}

/* ---- cases ---- */

static void t_v4_orders(void)
{
    static const int fwd[] = { 0, 1, 2, 3 }, rev[] = { 3, 2, 1, 0 };
    static const int shuf[] = { 7, 2, 10, 0, 5, 9, 1, 4, 8, 3, 6 };
    struct v4spec sp = { .id = 0x1234, .proto = 17 };
    uint8_t data[1000], want[1100];
    struct tfrag f[MAXF];
    const uint8_t *out;
    size_t olen, n, wl;
    struct ipfrag *t;

    TEST_BEGIN("ipv4 in order");
    t = T_DEFAULT();
    fill(data, 100, 1);
    n = split_v4(f, &sp, data, 100, 32);
    CHECK_EQ(n, 4);
    wl = whole_v4(want, &sp, data, 100);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(ipfrag_add(t, &f[i].pk, 10 + (uint64_t)i, &out, &olen), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 3, .held_bytes = 20 + 96, .held_datagrams = 1);
    CHECK_EQ(ipfrag_add(t, &f[3].pk, 20, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 120);
    CHECK_EQ(wl, 120);
    CHECK_OUT(out, olen, want, wl);
    CHECK_STATS(t, .fragments = 4, .reassembled = 1);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv4 reverse order");
    t = T_DEFAULT();
    n = split_v4(f, &sp, data, 100, 32);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(add(t, &f[rev[i]], 10), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 3, .held_bytes = 4 + 32 + 32, .held_datagrams = 1);
    feed_expect(t, f, rev + 3, 1, 20, want, wl, __LINE__);
    CHECK_STATS(t, .fragments = 4, .reassembled = 1);
    (void)fwd;
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv4 shuffled");
    t = T_DEFAULT();
    fill(data, 1000, 9);
    n = split_v4(f, &sp, data, 1000, 96);
    CHECK_EQ(n, 11);
    wl = whole_v4(want, &sp, data, 1000);
    feed_expect(t, f, shuf, n, 100, want, wl, __LINE__);
    CHECK_STATS(t, .fragments = 11, .reassembled = 1);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();
}

static void t_v4_options(void)
{
    static const int order[] = { 2, 0, 3, 1 };
    struct v4spec sp = { .id = 0xbeef, .proto = 6, .opts = OPTS12, .optlen = 12, .df = true };
    uint8_t data[150], want[200];
    struct tfrag f[MAXF];
    const uint8_t *out;
    size_t olen, n, wl;
    struct ipfrag *t;

    TEST_BEGIN("ipv4 with options, DF kept, offset-0 header used");
    t = T_DEFAULT();
    fill(data, 150, 3);
    n = split_v4(f, &sp, data, 150, 48);
    CHECK_EQ(n, 4);
    CHECK_EQ(f[0].pk.frag_hdr_len, 32);
    CHECK_EQ(f[1].pk.frag_hdr_len, 20);
    wl = whole_v4(want, &sp, data, 150);
    CHECK_EQ(add(t, &f[2], 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[0], 2), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 2, .held_bytes = 48 + 48 + 32, .held_datagrams = 1);
    CHECK_EQ(add(t, &f[3], 3), IPFRAG_HELD);
    CHECK_EQ(ipfrag_add(t, &f[1].pk, 4, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 182);
    CHECK_OUT(out, olen, want, wl);
    CHECK_EQ(out[0], 0x48);
    CHECK_EQ(out[6], 0x40);
    CHECK_EQ(out[7], 0);
    CHECK_EQ((out[2] << 8) | out[3], 182);
    CHECK_STATS(t, .fragments = 4, .reassembled = 1);
    (void)order;
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv4 rebuilt header checksum is valid");
    t = T_DEFAULT();
    n = split_v4(f, &sp, data, 150, 48);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(add(t, &f[order[i]], 1), IPFRAG_HELD);
    /* Spoil the offset-0 fragment's own checksum: the rebuild must recompute,
     * not patch. */
    f[0].buf[10] ^= 0x55;
    CHECK_EQ(ipfrag_add(t, &f[order[3]].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(sum16(out, 32), 0xffff);
    CHECK_EQ((out[10] << 8) | out[11], (want[10] << 8) | want[11]);
    sp.optlen = 0;
    sp.opts = NULL;
    sp.df = false;
    free_frags(f, n);
    n = split_v4(f, &sp, data, 150, 64);
    static const int o3[] = { 1, 2, 0 };
    for (int i = 0; i < 2; i++)
        CHECK_EQ(add(t, &f[o3[i]], 3), IPFRAG_HELD);
    CHECK_EQ(ipfrag_add(t, &f[0].pk, 4, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 170);
    CHECK_EQ(sum16(out, 20), 0xffff);
    CHECK_EQ(out[6], 0);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();
}

static void t_v6(void)
{
    uint8_t data[600], want[700];
    struct tfrag f[MAXF];
    const uint8_t *out;
    size_t olen, n, wl;
    struct ipfrag *t;
    struct v6spec sp = { .id = 0xdeadbeef, .next = 17 };

    TEST_BEGIN("ipv6 without extension header");
    static const int o1[] = { 1, 2, 0 };
    t = T_DEFAULT();
    fill(data, 300, 5);
    n = split_v6(f, &sp, data, 300, 104);
    CHECK_EQ(n, 3);
    wl = whole_v6(want, &sp, data, 300);
    CHECK_EQ(wl, 340);
    feed_expect(t, f, o1, n, 1, want, wl, __LINE__);
    CHECK_STATS(t, .fragments = 3, .reassembled = 1);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv6 with hop-by-hop before the fragment header");
    static const int o2[] = { 4, 0, 3, 1, 2 };
    sp.hbh = true;
    sp.next = 6;
    t = T_DEFAULT();
    fill(data, 500, 11);
    n = split_v6(f, &sp, data, 500, 120);
    CHECK_EQ(n, 5);
    CHECK_EQ(f[0].pk.frag_hdr_len, 48);
    wl = whole_v6(want, &sp, data, 500);
    CHECK_EQ(add(t, &f[4], 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[0], 2), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 2, .held_bytes = 20 + 120 + 48, .held_datagrams = 1);
    for (int i = 2; i < 4; i++)
        CHECK_EQ(add(t, &f[o2[i]], 3), IPFRAG_HELD);
    CHECK_EQ(ipfrag_add(t, &f[o2[4]].pk, 4, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 548);
    CHECK_OUT(out, olen, want, wl);
    CHECK_EQ(out[6], 0);   /* fixed header still points at hop-by-hop */
    CHECK_EQ(out[40], 6);  /* hop-by-hop now points at TCP */
    CHECK_EQ((out[4] << 8) | out[5], 508);
    CHECK_STATS(t, .fragments = 5, .reassembled = 1);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv6 atomic fragment completes alone, same-id datagram unharmed");
    struct v6spec a = { .id = 77, .next = 17 };
    t = T_DEFAULT();
    fill(data, 100, 21);
    n = split_v6(f, &a, data, 100, 64);
    CHECK_EQ(n, 2);
    CHECK_EQ(add(t, &f[0], 1), IPFRAG_HELD);
    uint8_t adata[40], awant[100];
    fill(adata, 40, 99);
    struct tfrag at;
    make_v6(&at, &a, adata, 0, 40, false);
    size_t awl = whole_v6(awant, &a, adata, 40);
    CHECK_EQ(ipfrag_add(t, &at.pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 80);
    CHECK_OUT(out, olen, awant, awl);
    CHECK_STATS(t, .fragments = 2, .reassembled = 1, .held_bytes = 64 + 40, .held_datagrams = 1);
    free(at.buf);
    struct v6spec ah = { .id = 77, .next = 58, .hbh = true };
    make_v6(&at, &ah, adata, 0, 40, false);
    awl = whole_v6(awant, &ah, adata, 40);
    CHECK_EQ(ipfrag_add(t, &at.pk, 3, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 88);
    CHECK_OUT(out, olen, awant, awl);
    free(at.buf);
    wl = whole_v6(want, &a, data, 100);
    CHECK_EQ(ipfrag_add(t, &f[1].pk, 4, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, 140);
    CHECK_OUT(out, olen, want, wl);
    CHECK_STATS(t, .fragments = 4, .reassembled = 3);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();
}

static void t_dup_overlap(void)
{
    uint8_t data[300], want[400];
    struct tfrag f[MAXF], fs;
    const uint8_t *out;
    size_t olen, n, wl;
    struct ipfrag *t;
    struct v4spec sp = { .id = 5, .proto = 17 };
    struct v6spec s6 = { .id = 6, .next = 17 };

    TEST_BEGIN("ipv4 exact duplicate ignored and counted");
    t = T_DEFAULT();
    fill(data, 80, 2);
    n = split_v4(f, &sp, data, 80, 32);
    wl = whole_v4(want, &sp, data, 80);
    CHECK_EQ(add(t, &f[0], 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[1], 2), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[1], 3), IPFRAG_DROPPED);
    CHECK_EQ(add(t, &f[0], 3), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 4, .duplicates = 2, .held_bytes = 20 + 64, .held_datagrams = 1);
    CHECK_EQ(ipfrag_add(t, &f[2].pk, 4, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, wl);
    CHECK_OUT(out, olen, want, wl);
    CHECK_STATS(t, .fragments = 5, .duplicates = 2, .reassembled = 1);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv6 exact duplicate is not an overlap");
    t = T_DEFAULT();
    n = split_v6(f, &s6, data, 80, 32);
    wl = whole_v6(want, &s6, data, 80);
    CHECK_EQ(add(t, &f[2], 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[1], 2), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[2], 3), IPFRAG_DROPPED);
    CHECK_EQ(add(t, &f[1], 3), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 4, .duplicates = 2, .held_bytes = 48, .held_datagrams = 1);
    CHECK_EQ(ipfrag_add(t, &f[0].pk, 4, &out, &olen), IPFRAG_DONE);
    CHECK_OUT(out, olen, want, wl);
    CHECK_STATS(t, .fragments = 5, .duplicates = 2, .reassembled = 1);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv4 overlap: first bytes received win");
    uint8_t A[24], B[16], C[8], exp[32];
    memset(A, 'A', sizeof A);
    memset(B, 'B', sizeof B);
    memset(C, 'C', sizeof C);
    struct tfrag fa, fb, fc;
    sp.id = 9;
    t = T_DEFAULT();
    make_v4(&fa, &sp, A, 0, 16, true);
    make_v4(&fb, &sp, B, 8, 16, true);
    make_v4(&fc, &sp, C, 24, 8, false);
    CHECK_EQ(add(t, &fa, 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &fb, 2), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 2, .overlaps = 1, .held_bytes = 20 + 16 + 8, .held_datagrams = 1);
    CHECK_EQ(ipfrag_add(t, &fc.pk, 3, &out, &olen), IPFRAG_DONE);
    memset(exp, 'A', 16);
    memset(exp + 16, 'B', 8);
    memset(exp + 24, 'C', 8);
    wl = whole_v4(want, &sp, exp, 32);
    CHECK_EQ(olen, 52);
    CHECK_OUT(out, olen, want, wl);
    /* The other way round: B arrived first, so A's bytes 8..15 lose. */
    CHECK_EQ(add(t, &fb, 4), IPFRAG_HELD);
    CHECK_EQ(add(t, &fa, 5), IPFRAG_HELD);
    CHECK_EQ(ipfrag_add(t, &fc.pk, 6, &out, &olen), IPFRAG_DONE);
    memset(exp, 'A', 8);
    memset(exp + 8, 'B', 16);
    wl = whole_v4(want, &sp, exp, 32);
    CHECK_OUT(out, olen, want, wl);
    /* A later fragment entirely inside held data but with other bytes: an
     * overlap that keeps nothing. */
    free(fa.buf);
    make_v4(&fa, &sp, A, 0, 24, true);
    make_v4(&fs, &sp, B, 8, 8, true);
    CHECK_EQ(add(t, &fa, 7), IPFRAG_HELD);
    CHECK_EQ(add(t, &fs, 8), IPFRAG_DROPPED);
    CHECK_EQ(ipfrag_add(t, &fc.pk, 9, &out, &olen), IPFRAG_DONE);
    memset(exp, 'A', 24);
    wl = whole_v4(want, &sp, exp, 32);
    CHECK_OUT(out, olen, want, wl);
    CHECK_STATS(t, .fragments = 9, .overlaps = 3, .reassembled = 3);
    free(fa.buf);
    free(fb.buf);
    free(fc.buf);
    free(fs.buf);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("ipv6 overlap drops the datagram and its later fragments");
    s6.id = 1000;
    t = T_DEFAULT();
    fill(data, 200, 4);
    n = split_v6(f, &s6, data, 200, 64);
    CHECK_EQ(n, 4);
    make_v6(&fs, &s6, data + 32, 32, 64, true); /* same bytes, but overlapping */
    CHECK_EQ(add(t, &f[0], 1000), IPFRAG_HELD);
    CHECK_EQ(add(t, &fs, 1001), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 2, .dropped_overlap6 = 1);
    for (int i = 1; i < 4; i++)
        CHECK_EQ(add(t, &f[i], 1002), IPFRAG_DROPPED);
    CHECK_EQ(add(t, &f[0], 1003), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 6, .dropped_overlap6 = 1);
    /* Another id is not affected. */
    struct v6spec o6 = { .id = 1001, .next = 17 };
    struct tfrag g[MAXF];
    size_t gn = split_v6(g, &o6, data, 200, 64);
    CHECK_EQ(add(t, &g[3], 1004), IPFRAG_HELD);
    CHECK_EQ(add(t, &g[0], 1004), IPFRAG_HELD);
    CHECK_EQ(add(t, &g[2], 1004), IPFRAG_HELD);
    CHECK_EQ(add(t, &g[1], 1004), IPFRAG_DONE);
    /* Once the tombstone times out the id can be used again; its expiry is
     * not a second count. */
    ipfrag_expire(t, 1000 + 1000000 + 1);
    CHECK_STATS(t, .fragments = 10, .dropped_overlap6 = 1, .reassembled = 1);
    wl = whole_v6(want, &s6, data, 200);
    static const int o4[] = { 0, 1, 2, 3 };
    feed_expect(t, f, o4, 4, 2000000, want, wl, __LINE__);
    CHECK_STATS(t, .fragments = 14, .dropped_overlap6 = 1, .reassembled = 2);
    free(fs.buf);
    free_frags(f, n);
    free_frags(g, gn);
    ipfrag_free(t);
    TEST_END();
}

static void t_time(void)
{
    uint8_t data[100];
    struct tfrag f[MAXF], g[MAXF];
    struct v4spec sp = { .id = 40, .proto = 17 };
    struct ipfrag *t;
    size_t n, gn;
    fill(data, 100, 8);

    TEST_BEGIN("timeout via ipfrag_expire");
    t = T_DEFAULT();
    n = split_v4(f, &sp, data, 100, 32);
    CHECK_EQ(add(t, &f[0], 5000000), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[2], 5500000), IPFRAG_HELD);
    ipfrag_expire(t, 5000000 + 1000000); /* exactly the timeout old: kept */
    CHECK_STATS(t, .fragments = 2, .held_bytes = 20 + 64, .held_datagrams = 1);
    ipfrag_expire(t, 5000000 + 1000001);
    CHECK_STATS(t, .fragments = 2, .timeouts = 1);
    /* The rest cannot complete without the offset-0 fragment. */
    CHECK_EQ(add(t, &f[1], 6000002), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[3], 6000003), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 4, .timeouts = 1, .held_bytes = 32 + 4, .held_datagrams = 1);
    ipfrag_expire(t, UINT64_MAX);
    CHECK_STATS(t, .fragments = 4, .timeouts = 2);
    free_frags(f, n);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("lazy timeout in ipfrag_add");
    t = T_DEFAULT();
    n = split_v4(f, &sp, data, 100, 32);
    struct v4spec sq = { .id = 41, .proto = 17 };
    gn = split_v4(g, &sq, data, 100, 32);
    CHECK_EQ(add(t, &f[0], 1000), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[1], 2000), IPFRAG_HELD);
    CHECK_EQ(add(t, &g[1], 1000 + 1000001), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 3, .timeouts = 1, .held_bytes = 32, .held_datagrams = 1);
    CHECK_EQ(add(t, &f[2], 1000 + 1000002), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[3], 1000 + 1000003), IPFRAG_HELD); /* no header any more */
    CHECK_STATS(t, .fragments = 5, .timeouts = 1, .held_bytes = 32 + 36, .held_datagrams = 2);
    free_frags(f, n);
    free_frags(g, gn);
    ipfrag_free(t);
    TEST_END();
}

static void t_bounds(void)
{
    uint8_t data[400], want[500];
    struct tfrag f[4][MAXF];
    size_t n[4];
    struct v4spec sp[4];
    const uint8_t *out;
    size_t olen, wl;
    struct ipfrag *t;
    fill(data, 400, 13);

    TEST_BEGIN("max_datagrams evicts the oldest");
    t = table(1u << 20, 2, 1000000);
    for (int i = 0; i < 3; i++) {
        sp[i] = (struct v4spec){ .id = (uint16_t)(100 + i), .proto = 17 };
        n[i] = split_v4(f[i], &sp[i], data, 100, 32);
        CHECK_EQ(add(t, &f[i][0], 10 * ((uint64_t)i + 1)), IPFRAG_HELD);
    }
    CHECK_STATS(t, .fragments = 3, .evicted = 1, .held_bytes = 2 * 52, .held_datagrams = 2);
    wl = whole_v4(want, &sp[1], data, 100);
    static const int rest[] = { 1, 2, 3 };
    feed_expect(t, f[1], rest, 3, 40, want, wl, __LINE__);
    wl = whole_v4(want, &sp[2], data, 100);
    feed_expect(t, f[2], rest, 3, 50, want, wl, __LINE__);
    CHECK_STATS(t, .fragments = 9, .evicted = 1, .reassembled = 2);
    for (int i = 1; i < 4; i++) /* the evicted one's rest: never complete */
        CHECK_EQ(add(t, &f[0][i], 60), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 12, .evicted = 1, .reassembled = 2, .held_bytes = 68,
                .held_datagrams = 1);
    for (int i = 0; i < 3; i++)
        free_frags(f[i], n[i]);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("max_bytes evicts the oldest, then refuses what cannot fit");
    t = table(300, 64, 1000000);
    for (int i = 0; i < 4; i++) {
        sp[i] = (struct v4spec){ .id = (uint16_t)(200 + i), .proto = 17 };
        n[i] = split_v4(f[i], &sp[i], data, 200, 96); /* 96, 96, 8 */
    }
    CHECK_EQ(add(t, &f[0][0], 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[0][1], 2), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 2, .held_bytes = 212, .held_datagrams = 1);
    CHECK_EQ(add(t, &f[1][0], 3), IPFRAG_HELD); /* 212 + 116 > 300 */
    CHECK_STATS(t, .fragments = 3, .evicted = 1, .held_bytes = 116, .held_datagrams = 1);
    CHECK_EQ(add(t, &f[1][1], 4), IPFRAG_HELD);
    CHECK_EQ(ipfrag_add(t, &f[1][2].pk, 5, &out, &olen), IPFRAG_DONE);
    wl = whole_v4(want, &sp[1], data, 200);
    CHECK_OUT(out, olen, want, wl);
    CHECK_STATS(t, .fragments = 5, .evicted = 1, .reassembled = 1);
    /* Two datagrams of 116 bytes, then one fragment of 260: both must go. */
    CHECK_EQ(add(t, &f[2][0], 6), IPFRAG_HELD);
    CHECK_EQ(add(t, &f[3][0], 7), IPFRAG_HELD);
    struct tfrag big;
    struct v4spec sb = { .id = 300, .proto = 17 };
    make_v4(&big, &sb, data, 0, 240, true);
    CHECK_EQ(add(t, &big, 8), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 8, .evicted = 3, .reassembled = 1, .held_bytes = 260,
                .held_datagrams = 1);
    free(big.buf);
    /* Larger than max_bytes on its own: dropped with its datagram. */
    sb.id = 301;
    make_v4(&big, &sb, data, 0, 296, true);
    CHECK_EQ(add(t, &big, 9), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 9, .evicted = 5, .reassembled = 1);
    free(big.buf);
    for (int i = 0; i < 4; i++)
        free_frags(f[i], n[i]);
    ipfrag_free(t);
    TEST_END();
}

static void t_bad(void)
{
    uint8_t data[200];
    struct tfrag a, b, c;
    struct ipfrag *t;
    struct v4spec sp = { .id = 1, .proto = 17 };
    struct v6spec s6 = { .id = 3, .next = 17 };
    fill(data, 200, 17);

    TEST_BEGIN("too big: past 65535 bytes");
    t = T_DEFAULT();
    make_v4(&a, &sp, data, 0, 64, true);
    make_v4(&b, &sp, data, 65512, 16, false); /* 20 + 65528 > 65535 */
    CHECK_EQ(add(t, &a, 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &b, 2), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 2, .too_big = 1);
    free(b.buf);
    make_v4(&b, &sp, data, 65512, 3, false); /* 20 + 65515 = 65535: fine */
    CHECK_EQ(add(t, &a, 3), IPFRAG_HELD);
    CHECK_EQ(add(t, &b, 4), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 4, .too_big = 1, .held_bytes = 20 + 64 + 3, .held_datagrams = 1);
    free(a.buf);
    free(b.buf);
    /* With 40 bytes of options the same end no longer fits. */
    static const uint8_t opts40[40] = { 1 };
    struct v4spec so = { .id = 2, .proto = 17, .opts = opts40, .optlen = 40 };
    make_v4(&a, &so, data, 0, 64, true);
    make_v4(&b, &so, data, 65472, 8, false); /* 20 + 65480 fits, 60 + 65480 does not */
    CHECK_EQ(add(t, &b, 5), IPFRAG_HELD);
    CHECK_EQ(add(t, &a, 6), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 6, .too_big = 2, .held_bytes = 87, .held_datagrams = 1);
    free(a.buf);
    free(b.buf);
    make_v6(&a, &s6, data, 65528, 16, true);
    CHECK_EQ(add(t, &a, 7), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 7, .too_big = 3, .held_bytes = 87, .held_datagrams = 1);
    free(a.buf);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("non-final fragment not a multiple of 8");
    t = T_DEFAULT();
    make_v4(&a, &sp, data, 0, 64, true);
    make_v4(&b, &sp, data, 64, 12, true);
    CHECK_EQ(add(t, &a, 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &b, 2), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 2, .bad = 1);
    free(a.buf);
    free(b.buf);
    make_v6(&a, &s6, data, 0, 64, true);
    make_v6(&b, &s6, data, 64, 60, true);
    CHECK_EQ(add(t, &a, 3), IPFRAG_HELD);
    CHECK_EQ(add(t, &b, 4), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 4, .bad = 2);
    free(a.buf);
    free(b.buf);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("fragment past the end, second different last fragment");
    t = T_DEFAULT();
    make_v4(&a, &sp, data, 64, 36, false);  /* end 100 */
    make_v4(&b, &sp, data, 96, 16, true);   /* to 112 */
    make_v4(&c, &sp, data, 96, 8, false);   /* end 104 */
    CHECK_EQ(add(t, &a, 1), IPFRAG_HELD);
    CHECK_EQ(add(t, &b, 2), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 2, .bad = 1);
    CHECK_EQ(add(t, &a, 3), IPFRAG_HELD);
    CHECK_EQ(add(t, &c, 4), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 4, .bad = 2);
    free(a.buf);
    free(c.buf);
    /* A last fragment that ends before data already held. */
    make_v4(&a, &sp, data, 32, 8, false);
    CHECK_EQ(add(t, &b, 5), IPFRAG_HELD);
    CHECK_EQ(add(t, &a, 6), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 6, .bad = 3);
    free(a.buf);
    free(b.buf);
    ipfrag_free(t);
    TEST_END();
}

static void t_keys(void)
{
    uint8_t d1[300], d2[300], d3[300], w1[400], w2[400], w3[400];
    struct tfrag f1[MAXF], f2[MAXF], f3[MAXF];
    const uint8_t *out;
    size_t olen, n1, n2, n3, l1, l2, l3;
    struct ipfrag *t;
    fill(d1, 300, 31);
    fill(d2, 300, 57);
    fill(d3, 300, 83);

    TEST_BEGIN("two ids (and an IPv6 datagram) interleaved");
    t = T_DEFAULT();
    struct v4spec s1 = { .id = 7, .proto = 17 }, s2 = { .id = 8, .proto = 17 };
    struct v6spec s3 = { .id = 7, .next = 17 };
    n1 = split_v4(f1, &s1, d1, 300, 104);
    n2 = split_v4(f2, &s2, d2, 300, 104);
    n3 = split_v6(f3, &s3, d3, 300, 104);
    l1 = whole_v4(w1, &s1, d1, 300);
    l2 = whole_v4(w2, &s2, d2, 300);
    l3 = whole_v6(w3, &s3, d3, 300);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(add(t, &f2[2 - i], 1), IPFRAG_HELD);
        CHECK_EQ(add(t, &f1[i], 1), IPFRAG_HELD);
        CHECK_EQ(add(t, &f3[i + 1], 1), IPFRAG_HELD);
    }
    CHECK_STATS(t, .fragments = 6, .held_datagrams = 3, .held_bytes = 20 + 208 + 104 + 92 + 104 + 92);
    CHECK_EQ(ipfrag_add(t, &f1[2].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, l1);
    CHECK_OUT(out, olen, w1, l1);
    CHECK_EQ(ipfrag_add(t, &f3[0].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, l3);
    CHECK_OUT(out, olen, w3, l3);
    CHECK_EQ(ipfrag_add(t, &f2[0].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_EQ(olen, l2);
    CHECK_OUT(out, olen, w2, l2);
    CHECK_STATS(t, .fragments = 9, .reassembled = 3);
    free_frags(f1, n1);
    free_frags(f2, n2);
    free_frags(f3, n3);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("same id, different VLAN or protocol: separate datagrams");
    t = T_DEFAULT();
    struct v4spec v10 = { .id = 9, .proto = 17, .nvlan = 1, .vlan = 10 };
    struct v4spec v20 = { .id = 9, .proto = 17, .nvlan = 2, .vlan = 20 };
    struct v4spec tcp = { .id = 9, .proto = 6, .nvlan = 1, .vlan = 10 };
    n1 = split_v4(f1, &v10, d1, 300, 104);
    n2 = split_v4(f2, &v20, d2, 300, 104);
    n3 = split_v4(f3, &tcp, d3, 300, 104);
    /* An inner tag that differs must not split the outer one's datagram. */
    f1[1].pk.nvlan = 2;
    f1[1].pk.vlan[1] = 999;
    l1 = whole_v4(w1, &v10, d1, 300);
    l2 = whole_v4(w2, &v20, d2, 300);
    l3 = whole_v4(w3, &tcp, d3, 300);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(add(t, &f1[i], 1), IPFRAG_HELD);
        CHECK_EQ(add(t, &f2[i], 1), IPFRAG_HELD);
        CHECK_EQ(add(t, &f3[i], 1), IPFRAG_HELD);
    }
    CHECK_STATS(t, .fragments = 6, .held_datagrams = 3, .held_bytes = 3 * 228);
    CHECK_EQ(ipfrag_add(t, &f2[2].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_OUT(out, olen, w2, l2);
    CHECK_EQ(ipfrag_add(t, &f3[2].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_OUT(out, olen, w3, l3);
    CHECK_EQ(ipfrag_add(t, &f1[2].pk, 2, &out, &olen), IPFRAG_DONE);
    CHECK_OUT(out, olen, w1, l1);
    CHECK_STATS(t, .fragments = 9, .reassembled = 3);
    free_frags(f1, n1);
    free_frags(f2, n2);
    free_frags(f3, n3);
    ipfrag_free(t);
    TEST_END();
}

/* Deterministic xorshift, so a failure replays. */
static uint32_t rng = 2463534242u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void t_random(void)
{
    static uint8_t data[9000], want[9100];
    static struct tfrag f[MAXF];
    int order[MAXF];
    const uint8_t *out;
    size_t olen;
    struct ipfrag *t;

    TEST_BEGIN("random sizes and orders, counters back to zero");
    t = T_DEFAULT();
    uint64_t nfrag = 0;
    for (int round = 0; round < 300; round++) {
        size_t len = 1 + rnd() % 8999;
        size_t fsize = 8 * (1 + rnd() % 200);
        if (len / fsize >= MAXF - 1)
            fsize = 8 * (len / 8 / (MAXF - 2) + 1);
        fill(data, len, (unsigned)round);
        size_t n, wl;
        if (round % 2) {
            struct v4spec sp = { .id = (uint16_t)round, .proto = 17,
                                 .opts = OPTS12, .optlen = (round % 4 == 1) ? 12 : 0 };
            n = split_v4(f, &sp, data, len, fsize);
            wl = whole_v4(want, &sp, data, len);
        } else {
            struct v6spec sp = { .id = (uint32_t)round << 20, .next = 6, .hbh = round % 4 == 0 };
            n = split_v6(f, &sp, data, len, fsize);
            wl = whole_v6(want, &sp, data, len);
        }
        for (size_t i = 0; i < n; i++)
            order[i] = (int)i;
        for (size_t i = n; i > 1; i--) {
            size_t j = rnd() % i;
            int x = order[i - 1];
            order[i - 1] = order[j];
            order[j] = x;
        }
        if (n == 1 && round % 2 == 1) {
            /* An IPv4 offset 0 / MF 0 "fragment": a whole datagram. */
            CHECK_EQ(ipfrag_add(t, &f[0].pk, 1, &out, &olen), IPFRAG_DONE);
            CHECK_OUT(out, olen, want, wl);
        } else {
            feed_expect(t, f, order, n, (uint64_t)round, want, wl, __LINE__);
        }
        nfrag += n;
        free_frags(f, n);
    }
    CHECK_STATS(t, .fragments = nfrag, .reassembled = 300);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("random ipv4 overlaps match a first-wins model");
    t = table(1u << 20, 4, 1000000);
    uint8_t model[64], have[64], exp[64];
    int done = 0;
    for (int round = 0; round < 300; round++) {
        struct v4spec sp = { .id = (uint16_t)(5000 + round), .proto = 17 };
        memset(have, 0, sizeof have);
        bool last_sent = false;
        for (int k = 0; k < 200; k++) {
            uint32_t off, l;
            bool more = true;
            if (!last_sent && rnd() % 6 == 0) {
                off = 56;
                l = 8;
                more = false;
                last_sent = true;
            } else {
                off = 8 * (rnd() % 7);
                l = 8 * (1 + rnd() % ((56 - off) / 8));
            }
            uint8_t val[64];
            memset(val, (int)(1 + rnd() % 250), sizeof val);
            for (uint32_t i = 0; i < l; i++)
                if (!have[off + i]) {
                    have[off + i] = 1;
                    model[off + i] = val[0];
                }
            struct tfrag g;
            make_v4(&g, &sp, val, off, l, more);
            enum ipfrag_res r = ipfrag_add(t, &g.pk, 1, &out, &olen);
            free(g.buf);
            bool full = last_sent && memchr(have, 0, sizeof have) == NULL;
            CHECK_EQ(r == IPFRAG_DONE, full);
            if (r == IPFRAG_DONE) {
                memcpy(exp, model, 64);
                size_t wl = whole_v4(want, &sp, exp, 64);
                CHECK_EQ(olen, wl);
                CHECK_OUT(out, olen, want, wl);
                done++;
                break;
            }
        }
    }
    CHECK(done > 200);
    CHECK_EQ(ipfrag_stats(t)->reassembled, (uint64_t)done);
    ipfrag_expire(t, UINT64_MAX);
    CHECK_EQ(ipfrag_stats(t)->held_bytes, 0);
    CHECK_EQ(ipfrag_stats(t)->held_datagrams, 0);
    ipfrag_free(t);
    TEST_END();
}

static void t_misc(void)
{
    uint8_t data[64];
    struct tfrag a;
    struct ipfrag *t;
    struct v4spec sp = { .id = 1, .proto = 17 };
    fill(data, 64, 1);

    TEST_BEGIN("nonsense descriptors are counted as bad, table untouched");
    t = T_DEFAULT();
    make_v4(&a, &sp, data, 0, 64, true);
    a.pk.frag_hdr_len = 18;
    CHECK_EQ(add(t, &a, 1), IPFRAG_DROPPED);
    a.pk.frag_hdr_len = 20;
    a.pk.ipver = 5;
    CHECK_EQ(add(t, &a, 1), IPFRAG_DROPPED);
    a.pk.ipver = 4;
    a.pk.frag_off = 3;
    CHECK_EQ(add(t, &a, 1), IPFRAG_DROPPED);
    free(a.buf);
    struct v6spec s6 = { .id = 1, .next = 17 };
    make_v6(&a, &s6, data, 0, 64, true);
    a.pk.frag_prev_nh_off = 50;
    CHECK_EQ(add(t, &a, 1), IPFRAG_DROPPED);
    free(a.buf);
    CHECK_STATS(t, .fragments = 4, .bad = 4);
    ipfrag_free(t);
    TEST_END();

    TEST_BEGIN("max_datagrams 0 holds nothing; NULL cfg uses defaults");
    t = table(1u << 20, 0, 1000000);
    make_v4(&a, &sp, data, 0, 64, true);
    CHECK_EQ(add(t, &a, 1), IPFRAG_DROPPED);
    CHECK_STATS(t, .fragments = 1, .evicted = 1);
    ipfrag_free(t);
    t = ipfrag_new(NULL);
    CHECK(t != NULL);
    CHECK_EQ(add(t, &a, 1), IPFRAG_HELD);
    CHECK_STATS(t, .fragments = 1, .held_bytes = 84, .held_datagrams = 1);
    free(a.buf);
    ipfrag_free(t);
    ipfrag_free(NULL);
    TEST_END();
}

int main(void)
{
    t_v4_orders();
    t_v4_options();
    t_v6();
    t_dup_overlap();
    t_time();
    t_bounds();
    t_bad();
    t_keys();
    t_random();
    t_misc();
    return tap_done();
}
