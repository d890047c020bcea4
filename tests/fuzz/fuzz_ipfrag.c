/* fuzz_ipfrag.c -- libFuzzer target for ipfrag.c (IPv4 and IPv6 fragment
 * reassembly). The input is a script of fragments fed in order to one table
 * with small bounds (4 datagrams, 3000 bytes, 2 s), so that eviction, overlap,
 * duplicate and timeout paths run. Each step is 8 header bytes then data:
 *   [0] bit0 IPv6, bit1 more fragments, bit2 expire before, bits 3-7 source
 *   [1] identification   [2..3] fragment offset in 8-byte units (big endian)
 *   [4..5] data length (capped at 1500 and at what is left)
 *   [6] protocol / next header   [7] time step in 10 ms
 * Each step builds a real IP fragment, decodes it with decode_frame (raw IP
 * link) and hands it to ipfrag_add. Invariants: held bytes and datagrams
 * within the bounds; a completed datagram is at most 40 + 65535 bytes and is
 * decodable without reading past its end; nothing held once every datagram
 * expired. Seeds: tests/fuzz/corpus/ipfrag/ (make-seeds.py). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "ipfrag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BYTES 3000u
#define MAX_DG 4u

static size_t build(uint8_t *f, const uint8_t *s, const uint8_t *d, size_t dl)
{
    int v6 = s[0] & 1, mf = (s[0] >> 1) & 1;
    uint8_t src = (uint8_t)(s[0] >> 3);
    unsigned off = ((unsigned)s[2] << 8 | s[3]) & 0x1fff;
    if (!v6) {
        size_t tot = 20 + dl;
        memset(f, 0, 20);
        f[0] = 0x45;
        f[2] = (uint8_t)(tot >> 8);
        f[3] = (uint8_t)tot;
        f[5] = s[1];
        f[6] = (uint8_t)((mf ? 0x20 : 0) | (off >> 8));
        f[7] = (uint8_t)off;
        f[8] = 64;
        f[9] = s[6];
        f[12] = 10; f[15] = src;
        f[16] = 10; f[19] = 1;
        memcpy(f + 20, d, dl);
        return tot;
    }
    size_t plen = 8 + dl;
    memset(f, 0, 48);
    f[0] = 0x60;
    f[4] = (uint8_t)(plen >> 8);
    f[5] = (uint8_t)plen;
    f[6] = 44;
    f[7] = 64;
    f[8] = 0xfd; f[23] = src;
    f[24] = 0xfd; f[39] = 1;
    f[40] = s[6];
    unsigned fo = off << 3 | (unsigned)mf;
    f[42] = (uint8_t)(fo >> 8);
    f[43] = (uint8_t)fo;
    f[47] = s[1];
    memcpy(f + 48, d, dl);
    return 48 + dl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ipfrag_cfg cfg = { .max_bytes = MAX_BYTES, .max_datagrams = MAX_DG, .timeout_us = 2000000 };
    struct ipfrag *t = ipfrag_new(&cfg);
    if (!t)
        return 0;
    static uint8_t frame[48 + 1500];
    uint64_t now = 1000000;
    size_t pos = 0;
    while (size - pos >= 8) {
        const uint8_t *s = data + pos;
        pos += 8;
        size_t dl = (size_t)s[4] << 8 | s[5];
        if (dl > 1500)
            dl = 1500;
        if (dl > size - pos)
            dl = size - pos;
        size_t fl = build(frame, s, data + pos, dl);
        pos += dl;
        now += (uint64_t)s[7] * 10000;
        if (s[0] & 4)
            ipfrag_expire(t, now);
        /* exact-size copy so that ASan sees a read past the frame */
        uint8_t *b = malloc(fl);
        assert(b);
        memcpy(b, frame, fl);
        struct mw_pkt pk;
        memset(&pk, 0, sizeof pk);
        if (decode_frame(MW_DLT_RAW, b, fl, &pk) == DEC_FRAGMENT) {
            const uint8_t *out = NULL;
            size_t out_len = 0;
            enum ipfrag_res r = ipfrag_add(t, &pk, now, &out, &out_len);
            assert(r == IPFRAG_HELD || r == IPFRAG_DONE || r == IPFRAG_DROPPED);
            if (r == IPFRAG_DONE) {
                assert(out != NULL && out_len <= 40u + 65535u);
                uint8_t *o = malloc(out_len ? out_len : 1);
                assert(o);
                memcpy(o, out, out_len);
                struct mw_pkt q = pk;
                (void)decode_ip(o, out_len, &q);
                free(o);
            }
        }
        free(b);
        const struct ipfrag_stats *st = ipfrag_stats(t);
        assert(st->held_bytes <= MAX_BYTES);
        assert(st->held_datagrams <= MAX_DG);
    }
    ipfrag_expire(t, now + 10000000);
    const struct ipfrag_stats *st = ipfrag_stats(t);
    assert(st->held_bytes == 0 && st->held_datagrams == 0);
    ipfrag_free(t);
    return 0;
}
