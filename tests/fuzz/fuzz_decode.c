/* fuzz_decode.c -- libFuzzer target for decode.c (link, network and
 * transport decoding). The first input byte picks a link type (one of those
 * decode_frame knows, or an unknown one), the rest is the frame, in a heap
 * block of exactly its size; the same bytes are also decoded from the IP
 * header on (decode_ip, as for a reassembled datagram). Invariants: the
 * cause is a known one; on DEC_OK the IP header and the transport payload lie
 * inside the frame; on DEC_FRAGMENT the fragment's data lies inside it and
 * ends by 65535; VLAN and MPLS depths within their bounds.
 * Seeds: tests/fuzz/corpus/decode/, frames cut from pcaps/ by make-seeds.py. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
    MW_DLT_EN10MB, MW_DLT_NULL, MW_DLT_RAW, MW_DLT_RAW_OPENBSD, MW_DLT_LOOP, MW_DLT_LINKTYPE_RAW,
    MW_DLT_LINUX_SLL, MW_DLT_IPV4, MW_DLT_IPV6, MW_DLT_LINUX_SLL2, MW_DLT_IEEE802_11,
    MW_DLT_IEEE802_11_RADIO, MW_DLT_NFLOG, 147 /* a USER0: not decoded */,
};

#define INSIDE(q, len, base, n) \
    assert((q) == NULL ? (len) == 0 : ((q) >= (base) && (size_t)((q) - (base)) <= (n) && (len) <= (n) - (size_t)((q) - (base))))

static void check(enum decode_cause c, const struct mw_pkt *pk, const uint8_t *b, size_t n)
{
    assert((int)c >= 0 && c < DEC__COUNT);
    assert(decode_cause_name(c) != NULL);
    assert(pk->nvlan <= MW_MAX_VLAN);
    assert(pk->nmpls <= MW_MAX_MPLS);
    if (c == DEC_OK) {
        assert(pk->ipver == 4 || pk->ipver == 6);
        assert(pk->l3 >= b && pk->l3 < b + n);
        INSIDE(pk->payload, pk->payload_len, b, n);
        if (pk->payload)
            assert(pk->payload >= pk->l3);
    } else if (c == DEC_FRAGMENT) {
        assert(pk->ipver == 4 || pk->ipver == 6);
        INSIDE(pk->frag_data, pk->frag_len, b, n);
        assert(pk->frag_off + pk->frag_len <= 65535);
        assert(pk->frag_hdr_len <= n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    size_t n = size - 1;
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        return 0;
    memcpy(b, data + 1, n);
    struct mw_pkt pk;
    memset(&pk, 0, sizeof pk);
    enum decode_cause c = decode_frame(dlt, b, n, &pk);
    check(c, &pk, b, n);
    if (!decode_link_supported(dlt))
        assert(c == DEC_UNKNOWN_LINK);
    memset(&pk, 0, sizeof pk);
    c = decode_ip(b, n, &pk);
    check(c, &pk, b, n);
    free(b);
    return 0;
}
