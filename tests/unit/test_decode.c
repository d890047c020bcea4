/* test_decode.c -- decode_frame on frames built byte by byte: each link
 * type, VLAN/QinQ/MPLS stacks and their bounds, IPv4 options and fragments,
 * IPv6 extension headers and fragments, TCP/UDP, and every truncation. */
#include <stdlib.h>

#include "decode.h"
#include "pktbuild.h"
#include "tap.h"

#define TCP 6
#define UDP 17

/* Decode from an exact-size heap copy so ASan sees any over-read. */
static enum decode_cause dec(int dlt, const uint8_t *b, size_t n, struct mw_pkt *pk)
{
    uint8_t *h = malloc(n ? n : 1);
    memcpy(h, b, n);
    enum decode_cause c = decode_frame(dlt, h, n, pk);
    /* pointers into h must not outlive it: rebase them onto b for checks */
    if (pk->l3) pk->l3 = b + (pk->l3 - h);
    if (pk->payload) pk->payload = b + (pk->payload - h);
    if (pk->frag_data) pk->frag_data = b + (pk->frag_data - h);
    free(h);
    return c;
}

static void eth_ip4_tcp(struct pb *p, const char *data)
{
    memset(p, 0, sizeof *p);
    pb_eth(p, 0x0800);
    size_t ip = pb_ip4(p, PB_A4, PB_B4, TCP, 7, 0x4000, 0);
    pb_tcp(p, 49152, 80, 1000, 2000, 0x18, data, strlen(data));
    pb_ip4_finish(p, ip);
}

int main(void)
{
    struct mw_pkt pk;
    struct pb p;
    size_t ip;

    TEST_BEGIN("ethernet ipv4 tcp: every field");
    eth_ip4_tcp(&p, "GET / HTTP/1.1\r\n");
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.ipver, 4);
    CHECK_EQ(pk.l4proto, TCP);
    CHECK_EQ(pk.sport, 49152);
    CHECK_EQ(pk.dport, 80);
    CHECK_U64(pk.seq, 1000);
    CHECK_U64(pk.ack, 2000);
    CHECK_EQ(pk.tcp_flags, 0x18);
    CHECK_EQ(pk.payload_len, 16);
    CHECK(pk.payload && memcmp(pk.payload, "GET / HTTP/1.1\r\n", 16) == 0);
    CHECK_EQ(pk.l3_len, 20 + 20 + 16);
    CHECK_EQ(pk.nvlan, 0);
    CHECK(mw_addr_is_v4(&pk.src));
    CHECK_MEM(pk.src.b + 12, PB_A4, 4);
    CHECK_MEM(pk.dst.b + 12, PB_B4, 4);
    TEST_END();

    TEST_BEGIN("ethernet padding is not payload");
    eth_ip4_tcp(&p, "ab");
    size_t real = p.n;
    memset(p.b + p.n, 0, 10);
    p.n += 10;
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.payload_len, 2);
    CHECK_EQ(pk.l3_len, real - 14);
    TEST_END();

    TEST_BEGIN("every prefix of a frame: a counted drop, or headers with a partial payload");
    eth_ip4_tcp(&p, "hello");
    int bad = 0;
    for (size_t n = 0; n < p.n; n++) {
        enum decode_cause c = dec(MW_DLT_EN10MB, p.b, n, &pk);
        enum decode_cause want = n < 14 ? DEC_TRUNC_LINK : n < 34 ? DEC_TRUNC_IP4
                               : n < 54 ? DEC_TRUNC_TCP : DEC_OK;
        if (c != want || (c == DEC_OK && (!pk.truncated || pk.payload_len != n - 54))) {
            printf("# prefix %zu: cause %s, expected %s\n", n, decode_cause_name(c), decode_cause_name(want));
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK(!pk.truncated);
    TEST_END();

    TEST_BEGIN("a fragment cut by the snap length is dropped");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x0800);
    ip = pb_ip4(&p, PB_A4, PB_B4, UDP, 9, 0x2000, 0);
    pb_mem(&p, "0123456789abcdef", 16);
    pb_ip4_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n - 1, &pk), DEC_TRUNC_IP4_PAYLOAD);
    TEST_END();

    TEST_BEGIN("802.1Q tag");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8100);
    pb_vlan(&p, 0x2000 | 100, 0x0800);
    ip = pb_ip4(&p, PB_A4, PB_B4, UDP, 1, 0, 0);
    pb_udp(&p, 53, 5353, "x", 1);
    pb_ip4_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.nvlan, 1);
    CHECK_EQ(pk.vlan[0], 100);
    CHECK_EQ(pk.l4proto, UDP);
    CHECK_EQ(pk.payload_len, 1);
    TEST_END();

    TEST_BEGIN("QinQ: 802.1ad outer, 802.1Q inner");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x88a8);
    pb_vlan(&p, 2001, 0x8100);
    pb_vlan(&p, 300, 0x86dd);
    ip = pb_ip6(&p, PB_A6, PB_B6, TCP);
    pb_tcp(&p, 1234, 443, 1, 0, 0x02, NULL, 0);
    pb_ip6_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.nvlan, 2);
    CHECK_EQ(pk.vlan[0], 2001);
    CHECK_EQ(pk.vlan[1], 300);
    CHECK_EQ(pk.ipver, 6);
    CHECK_EQ(pk.dport, 443);
    TEST_END();

    TEST_BEGIN("VLAN stack bound: 3 tags decode, 4 are counted");
    for (int tags = 3; tags <= 4; tags++) {
        memset(&p, 0, sizeof p);
        pb_eth(&p, 0x8100);
        for (int t = 0; t < tags; t++)
            pb_vlan(&p, (uint16_t)(10 + t), t + 1 < tags ? 0x8100 : 0x0800);
        ip = pb_ip4(&p, PB_A4, PB_B4, UDP, 1, 0, 0);
        pb_udp(&p, 1, 2, NULL, 0);
        pb_ip4_finish(&p, ip);
        CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), tags == 3 ? DEC_OK : DEC_VLAN_DEPTH);
    }
    TEST_END();

    TEST_BEGIN("MPLS: two labels then IPv4; non-IP payload; stack bound");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8847);
    pb_be32(&p, 100u << 12 | 64);
    pb_be32(&p, 200u << 12 | 0x100 | 64);
    ip = pb_ip4(&p, PB_A4, PB_B4, TCP, 1, 0, 0);
    pb_tcp(&p, 1, 2, 3, 4, 0x10, "z", 1);
    pb_ip4_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.nmpls, 2);
    CHECK_EQ(pk.payload_len, 1);
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8847);
    pb_be32(&p, 100u << 12 | 0x100 | 64);
    pb_be32(&p, 0); /* pseudowire control word */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_MPLS_PAYLOAD);
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8847);
    for (int i = 0; i < MW_MAX_MPLS + 1; i++)
        pb_be32(&p, 100u << 12 | 64);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_MPLS_DEPTH);
    TEST_END();

    TEST_BEGIN("IPv4 options are skipped");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x0800);
    ip = pb_ip4(&p, PB_A4, PB_B4, UDP, 1, 0, 12);
    pb_udp(&p, 1000, 2000, "abc", 3);
    pb_ip4_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.sport, 1000);
    CHECK_EQ(pk.payload_len, 3);
    CHECK(memcmp(pk.payload, "abc", 3) == 0);
    TEST_END();

    TEST_BEGIN("IPv4 fragments are described, not decoded");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x0800);
    ip = pb_ip4(&p, PB_A4, PB_B4, UDP, 0x1234, 0x2000, 0);
    pb_mem(&p, "0123456789abcdef", 16);
    pb_ip4_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_FRAGMENT);
    CHECK_EQ(pk.frag_id, 0x1234);
    CHECK_EQ(pk.frag_off, 0);
    CHECK(pk.frag_more);
    CHECK_EQ(pk.frag_len, 16);
    CHECK_EQ(pk.frag_hdr_len, 20);
    CHECK_EQ(pk.frag_next, UDP);
    pb_put16(&p, ip + 6, 3); /* offset 24 bytes, last */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_FRAGMENT);
    CHECK_EQ(pk.frag_off, 24);
    CHECK(!pk.frag_more);
    pb_put16(&p, ip + 6, 0x1fff); /* 65528 + 16 > 65535 */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_FRAGMENT);
    TEST_END();

    TEST_BEGIN("IPv4 header errors");
    eth_ip4_tcp(&p, "x");
    p.b[14] = 0x44; /* IHL 4 */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_IP4_HLEN);
    eth_ip4_tcp(&p, "x");
    pb_put16(&p, 16, 10); /* total < header */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_IP4_LEN);
    eth_ip4_tcp(&p, "x");
    p.b[14] = 0x65; /* version 6 under ethertype IPv4 */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_IP_VERSION);
    eth_ip4_tcp(&p, "x");
    p.b[14 + 20 + 12] = 0x40; /* TCP data offset 4 */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_TCP_HLEN);
    eth_ip4_tcp(&p, "x");
    p.b[14 + 20 + 12] = 0xf0; /* data offset 60 > segment */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_TCP_HLEN);
    TEST_END();

    TEST_BEGIN("UDP length errors");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x0800);
    ip = pb_ip4(&p, PB_A4, PB_B4, UDP, 1, 0, 0);
    pb_udp(&p, 1, 2, "abcd", 4);
    pb_ip4_finish(&p, ip);
    pb_put16(&p, 14 + 20 + 4, 7);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_UDP_LEN);
    pb_put16(&p, 14 + 20 + 4, 13);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_UDP_LEN);
    pb_put16(&p, 14 + 20 + 4, 10); /* shorter than IP says: trailing bytes are not payload */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.payload_len, 2);
    TEST_END();

    TEST_BEGIN("IPv6 extension headers before TCP");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x86dd);
    ip = pb_ip6(&p, PB_A6, PB_B6, 0);
    pb_u8(&p, 60); pb_u8(&p, 0); pb_be16(&p, 0x0104); pb_be32(&p, 0); /* HBH, 8 bytes */
    pb_u8(&p, TCP); pb_u8(&p, 1); for (int i = 0; i < 14; i++) pb_u8(&p, 0); /* dest opts, 16 bytes */
    pb_tcp(&p, 5000, 445, 9, 0, 0x02, "smb", 3);
    pb_ip6_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.l4proto, TCP);
    CHECK_EQ(pk.dport, 445);
    CHECK_EQ(pk.payload_len, 3);
    TEST_END();

    TEST_BEGIN("IPv6 fragment header after Hop-by-Hop");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x86dd);
    ip = pb_ip6(&p, PB_A6, PB_B6, 0);
    pb_u8(&p, 44); pb_u8(&p, 0); pb_be16(&p, 0x0104); pb_be32(&p, 0);
    pb_u8(&p, UDP); pb_u8(&p, 0); pb_be16(&p, (uint16_t)(1232 | 1)); pb_be32(&p, 0xdeadbeef);
    pb_mem(&p, "0123456789abcdef", 16);
    pb_ip6_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_FRAGMENT);
    CHECK_U64(pk.frag_id, 0xdeadbeef);
    CHECK_EQ(pk.frag_off, 1232);
    CHECK(pk.frag_more);
    CHECK_EQ(pk.frag_fh_off, 48);
    CHECK_EQ(pk.frag_prev_nh_off, 40);
    CHECK_EQ(pk.frag_hdr_len, 48);
    CHECK_EQ(pk.frag_next, UDP);
    CHECK_EQ(pk.frag_len, 16);
    TEST_END();

    TEST_BEGIN("IPv6 extension chain bound and broken chain");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x86dd);
    ip = pb_ip6(&p, PB_A6, PB_B6, 60);
    for (int i = 0; i < MW_MAX_IP6_EXT + 1; i++) {
        pb_u8(&p, 60); pb_u8(&p, 0); pb_be16(&p, 0x0104); pb_be32(&p, 0);
    }
    pb_ip6_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_IP6_EXT);
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x86dd);
    ip = pb_ip6(&p, PB_A6, PB_B6, 60);
    pb_u8(&p, TCP); pb_u8(&p, 5); pb_be16(&p, 0); /* says 48 bytes, has 4 */
    pb_ip6_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_BAD_IP6_EXT);
    TEST_END();

    TEST_BEGIN("not IP, and IP that is neither TCP nor UDP");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x0806);
    pb_mem(&p, "arp arp arp arp arp arp arp!", 28);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_NOT_IP);
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x0800);
    ip = pb_ip4(&p, PB_A4, PB_B4, 1, 1, 0, 0);
    pb_mem(&p, "\x08\x00\x00\x00\x00\x00\x00\x00", 8);
    pb_ip4_finish(&p, ip);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OTHER_L4);
    CHECK_EQ(pk.ipver, 4);
    TEST_END();

    /* The same IPv4/TCP packet under each link header. */
    struct pb ipp;
    memset(&ipp, 0, sizeof ipp);
    ip = pb_ip4(&ipp, PB_A4, PB_B4, TCP, 1, 0, 0);
    pb_tcp(&ipp, 1111, 2222, 5, 6, 0x10, "data", 4);
    pb_ip4_finish(&ipp, ip);
    struct pb ip6p;
    memset(&ip6p, 0, sizeof ip6p);
    ip = pb_ip6(&ip6p, PB_A6, PB_B6, UDP);
    pb_udp(&ip6p, 53, 53, "q", 1);
    pb_ip6_finish(&ip6p, ip);

    TEST_BEGIN("Linux cooked SLL and SLL2");
    memset(&p, 0, sizeof p);
    pb_be16(&p, 0); pb_be16(&p, 1); pb_be16(&p, 6); pb_mem(&p, "\0\1\2\3\4\5\0\0", 8); pb_be16(&p, 0x0800);
    pb_mem(&p, ipp.b, ipp.n);
    CHECK_EQ(dec(MW_DLT_LINUX_SLL, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.dport, 2222);
    memset(&p, 0, sizeof p);
    pb_be16(&p, 0x86dd); pb_be16(&p, 0); pb_be32(&p, 2); pb_be16(&p, 1); pb_u8(&p, 0); pb_u8(&p, 6);
    pb_mem(&p, "\0\1\2\3\4\5\0\0", 8);
    pb_mem(&p, ip6p.b, ip6p.n);
    CHECK_EQ(dec(MW_DLT_LINUX_SLL2, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.ipver, 6);
    CHECK_EQ(pk.l4proto, UDP);
    CHECK_EQ(dec(MW_DLT_LINUX_SLL2, p.b, 19, &pk), DEC_TRUNC_LINK);
    TEST_END();

    TEST_BEGIN("BSD loopback NULL in either byte order, LOOP, and the AF_INET6 variants");
    static const uint32_t afs6[] = { 24, 28, 30 };
    memset(&p, 0, sizeof p);
    pb_mem(&p, "\2\0\0\0", 4); pb_mem(&p, ipp.b, ipp.n);
    CHECK_EQ(dec(MW_DLT_NULL, p.b, p.n, &pk), DEC_OK);
    memcpy(p.b, "\0\0\0\2", 4);
    CHECK_EQ(dec(MW_DLT_NULL, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(dec(MW_DLT_LOOP, p.b, p.n, &pk), DEC_OK);
    for (int i = 0; i < 3; i++) {
        memset(&p, 0, sizeof p);
        pb_u8(&p, (uint8_t)afs6[i]); pb_u8(&p, 0); pb_be16(&p, 0); pb_mem(&p, ip6p.b, ip6p.n);
        CHECK_EQ(dec(MW_DLT_NULL, p.b, p.n, &pk), DEC_OK);
        CHECK_EQ(pk.ipver, 6);
    }
    memcpy(p.b, "\7\0\0\0", 4);
    CHECK_EQ(dec(MW_DLT_NULL, p.b, p.n, &pk), DEC_NOT_IP);
    CHECK_EQ(dec(MW_DLT_NULL, p.b, 3, &pk), DEC_TRUNC_LINK);
    TEST_END();

    TEST_BEGIN("raw IP link types and an unknown link type");
    CHECK_EQ(dec(MW_DLT_RAW, ipp.b, ipp.n, &pk), DEC_OK);
    CHECK_EQ(dec(MW_DLT_LINKTYPE_RAW, ip6p.b, ip6p.n, &pk), DEC_OK);
    CHECK_EQ(pk.ipver, 6);
    CHECK_EQ(dec(MW_DLT_IPV4, ipp.b, ipp.n, &pk), DEC_OK);
    CHECK_EQ(dec(MW_DLT_IPV6, ip6p.b, ip6p.n, &pk), DEC_OK);
    CHECK_EQ(dec(MW_DLT_IPV6, ipp.b, ipp.n, &pk), DEC_BAD_IP_VERSION);
    CHECK_EQ(dec(147, ipp.b, ipp.n, &pk), DEC_UNKNOWN_LINK);
    CHECK(!decode_link_supported(147));
    CHECK(decode_link_supported(MW_DLT_LINUX_SLL2));
    TEST_END();

    TEST_BEGIN("NFLOG: the payload TLV after padded TLVs; family; no payload; a zero TLV length");
    memset(&p, 0, sizeof p);
    pb_u8(&p, 2); pb_u8(&p, 0); pb_be16(&p, 0);
    /* TLVs in host order (libpcap converts files to it): a 5-byte prefix TLV padded to 8, then the payload */
    uint16_t tl = 9, tt = 10;
    pb_mem(&p, &tl, 2); pb_mem(&p, &tt, 2); pb_mem(&p, "abcde\0\0\0", 8);
    tl = (uint16_t)(4 + ipp.n); tt = 9;
    pb_mem(&p, &tl, 2); pb_mem(&p, &tt, 2); pb_mem(&p, ipp.b, ipp.n);
    CHECK_EQ(dec(MW_DLT_NFLOG, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.dport, 2222);
    p.b[0] = 7; /* not AF_INET or AF_INET6 */
    CHECK_EQ(dec(MW_DLT_NFLOG, p.b, p.n, &pk), DEC_NOT_IP);
    p.b[0] = 2;
    CHECK_EQ(dec(MW_DLT_NFLOG, p.b, 16, &pk), DEC_NOT_IP); /* no payload TLV */
    p.b[4] = p.b[5] = 0;
    CHECK_EQ(dec(MW_DLT_NFLOG, p.b, p.n, &pk), DEC_TRUNC_LINK);
    CHECK_EQ(dec(MW_DLT_NFLOG, p.b, 3, &pk), DEC_TRUNC_LINK);
    TEST_END();

    TEST_BEGIN("802.11 with radiotap: QoS data with LLC/SNAP, FCS flag, encrypted and management frames");
    memset(&p, 0, sizeof p);
    /* radiotap: version 0, length 17, present = TSFT | Flags: TSFT at 8, Flags at 16, the frame at 17 */
    pb_u8(&p, 0); pb_u8(&p, 0); pb_u8(&p, 17); pb_u8(&p, 0);
    pb_u8(&p, 3); pb_u8(&p, 0); pb_u8(&p, 0); pb_u8(&p, 0);
    pb_mem(&p, "\0\0\0\0\0\0\0\0", 8);
    pb_u8(&p, 0x10); /* Flags: frame has FCS */
    size_t f0 = p.n;
    pb_u8(&p, 0x88); pb_u8(&p, 0x01); /* QoS data, to DS */
    pb_mem(&p, "\0\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\20\21\22", 20); /* dur, 3 addrs */
    pb_be16(&p, 0); /* sequence control */
    pb_be16(&p, 0); /* QoS control */
    pb_mem(&p, "\xaa\xaa\x03\0\0\0", 6); pb_be16(&p, 0x0800);
    pb_mem(&p, ipp.b, ipp.n);
    pb_mem(&p, "FCS!", 4);
    CHECK_EQ(dec(MW_DLT_IEEE802_11_RADIO, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.dport, 2222);
    CHECK_EQ(pk.payload_len, ipp.n - 20 - 20);
    CHECK_EQ(dec(MW_DLT_IEEE802_11, p.b + f0, p.n - f0 - 4, &pk), DEC_OK);
    p.b[f0 + 1] = 0x41; /* protected */
    CHECK_EQ(dec(MW_DLT_IEEE802_11_RADIO, p.b, p.n, &pk), DEC_NOT_IP);
    p.b[f0 + 1] = 0x01;
    p.b[f0] = 0x80; /* beacon */
    CHECK_EQ(dec(MW_DLT_IEEE802_11_RADIO, p.b, p.n, &pk), DEC_NOT_IP);
    p.b[f0] = 0x88;
    p.b[2] = 200; /* radiotap longer than the frame */
    CHECK_EQ(dec(MW_DLT_IEEE802_11_RADIO, p.b, p.n, &pk), DEC_TRUNC_LINK);
    p.b[2] = 17;
    CHECK_EQ(dec(MW_DLT_IEEE802_11_RADIO, p.b, f0 + 10, &pk), DEC_TRUNC_LINK);
    TEST_END();

    TEST_BEGIN("PPPoE session: IPv4 and IPv6 inside, PPP control protocols are not IP");
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8864);
    pb_u8(&p, 0x11); pb_u8(&p, 0); pb_be16(&p, 0x1234); pb_be16(&p, (uint16_t)(2 + ipp.n)); pb_be16(&p, 0x0021);
    pb_mem(&p, ipp.b, ipp.n);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.dport, 2222);
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8100);
    pb_vlan(&p, 421, 0x8864);
    pb_u8(&p, 0x11); pb_u8(&p, 0); pb_be16(&p, 0x1234); pb_be16(&p, (uint16_t)(2 + ip6p.n)); pb_be16(&p, 0x0057);
    pb_mem(&p, ip6p.b, ip6p.n);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_OK);
    CHECK_EQ(pk.ipver, 6);
    CHECK_EQ(pk.vlan[0], 421);
    memset(&p, 0, sizeof p);
    pb_eth(&p, 0x8864);
    pb_u8(&p, 0x11); pb_u8(&p, 0); pb_be16(&p, 0x1234); pb_be16(&p, 6); pb_be16(&p, 0xc021); /* LCP */
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, p.n, &pk), DEC_NOT_IP);
    CHECK_EQ(dec(MW_DLT_EN10MB, p.b, 18, &pk), DEC_TRUNC_LINK);
    TEST_END();

    TEST_BEGIN("TSO: IPv4 total length 0 takes the captured length");
    struct pb t = ipp;
    pb_put16(&t, 2, 0);
    CHECK_EQ(dec(MW_DLT_RAW, t.b, t.n, &pk), DEC_OK);
    CHECK_EQ(pk.payload_len, 4);
    TEST_END();

    return tap_done();
}
