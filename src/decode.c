/* decode.c -- link, network and transport decoding (DESIGN.md section 2).
 * In: one frame and its link type. Out: struct mw_pkt (pointers into the
 * frame, never copies) or the cause of the drop, one enum decode_cause per
 * reason so that stats.c can count them apart (STYLE.md 1.2). Every read goes
 * through bytes.h. Fragments are recognised and described here; ipfrag.c puts
 * them together and hands the datagram back to decode_ip(). Tunnels (GRE,
 * Teredo, VXLAN) are not decoded: their packets count as other transport. */
#include "decode.h"

#include <string.h>

#include "bytes.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD1 0x9100
#define ETH_QINQ_OLD2 0x9200
#define ETH_MPLS_UC 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE_SESSION 0x8864

#define IPP_HOPOPTS 0
#define IPP_TCP 6
#define IPP_UDP 17
#define IPP_ROUTING 43
#define IPP_FRAGMENT 44
#define IPP_AH 51
#define IPP_NONE 59
#define IPP_DSTOPTS 60
#define IPP_MOBILITY 135

static const char *const cause_names[DEC__COUNT] = {
    [DEC_OK] = "ok",
    [DEC_FRAGMENT] = "fragment",
    [DEC_NOT_IP] = "not_ip",
    [DEC_OTHER_L4] = "other_l4",
    [DEC_UNKNOWN_LINK] = "unknown_link",
    [DEC_TRUNC_LINK] = "truncated_link",
    [DEC_VLAN_DEPTH] = "vlan_too_deep",
    [DEC_MPLS_DEPTH] = "mpls_too_deep",
    [DEC_MPLS_PAYLOAD] = "mpls_not_ip",
    [DEC_TRUNC_IP4] = "truncated_ipv4",
    [DEC_BAD_IP4_HLEN] = "bad_ipv4_header_length",
    [DEC_BAD_IP4_LEN] = "bad_ipv4_total_length",
    [DEC_TRUNC_IP4_PAYLOAD] = "truncated_ipv4_fragment",
    [DEC_BAD_IP_VERSION] = "bad_ip_version",
    [DEC_TRUNC_IP6] = "truncated_ipv6",
    [DEC_TRUNC_IP6_PAYLOAD] = "truncated_ipv6_fragment",
    [DEC_BAD_IP6_EXT] = "bad_ipv6_extension",
    [DEC_TRUNC_TCP] = "truncated_tcp",
    [DEC_BAD_TCP_HLEN] = "bad_tcp_header_length",
    [DEC_TRUNC_UDP] = "truncated_udp",
    [DEC_BAD_UDP_LEN] = "bad_udp_length",
    [DEC_BAD_FRAGMENT] = "bad_fragment",
};

const char *decode_cause_name(enum decode_cause c)
{
    return (unsigned)c < DEC__COUNT ? cause_names[c] : "?";
}

bool decode_link_supported(int dlt)
{
    switch (dlt) {
    case MW_DLT_NULL: case MW_DLT_EN10MB: case MW_DLT_RAW: case MW_DLT_RAW_OPENBSD:
    case MW_DLT_LOOP: case MW_DLT_LINKTYPE_RAW: case MW_DLT_LINUX_SLL:
    case MW_DLT_IPV4: case MW_DLT_IPV6: case MW_DLT_LINUX_SLL2:
    case MW_DLT_NFLOG: case MW_DLT_IEEE802_11: case MW_DLT_IEEE802_11_RADIO:
        return true;
    default:
        return false;
    }
}

static enum decode_cause decode_tcp(struct mw_cur c, struct mw_pkt *pk)
{
    const uint8_t *start = c.p;
    size_t len = mw_left(&c);
    if (len < 20)
        return DEC_TRUNC_TCP;
    pk->sport = mw_be16(&c);
    pk->dport = mw_be16(&c);
    pk->seq = mw_be32(&c);
    pk->ack = mw_be32(&c);
    uint8_t off = mw_u8(&c);
    pk->tcp_flags = mw_u8(&c);
    pk->win = mw_be16(&c);
    size_t hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20 || hlen > len)
        return DEC_BAD_TCP_HLEN;
    pk->payload = start + hlen;
    pk->payload_len = len - hlen;
    return DEC_OK;
}

static enum decode_cause decode_udp(struct mw_cur c, struct mw_pkt *pk)
{
    const uint8_t *start = c.p;
    size_t len = mw_left(&c);
    if (len < 8)
        return DEC_TRUNC_UDP;
    pk->sport = mw_be16(&c);
    pk->dport = mw_be16(&c);
    size_t ulen = mw_be16(&c);
    /* A UDP length of 0 is legal only in IPv6 jumbograms (RFC 2675): take the
     * IP payload length then. Otherwise it must fit what IP delivered. */
    if (ulen == 0 && pk->ipver == 6)
        ulen = len;
    if (ulen > len && pk->truncated && len >= 8)
        ulen = len; /* snap length cut the datagram: keep what was captured */
    if (ulen < 8 || ulen > len)
        return DEC_BAD_UDP_LEN;
    pk->payload = start + 8;
    pk->payload_len = ulen - 8;
    return DEC_OK;
}

static enum decode_cause decode_l4(const uint8_t *p, size_t n, struct mw_pkt *pk)
{
    struct mw_cur c = mw_cur_make(p, n);
    switch (pk->l4proto) {
    case IPP_TCP:
        return decode_tcp(c, pk);
    case IPP_UDP:
        return decode_udp(c, pk);
    default:
        return DEC_OTHER_L4;
    }
}

static enum decode_cause decode_ip4(const uint8_t *p, size_t n, struct mw_pkt *pk)
{
    struct mw_cur c = mw_cur_make(p, n);
    if (n < 20)
        return DEC_TRUNC_IP4;
    uint8_t vihl = mw_u8(&c);
    if ((vihl >> 4) != 4)
        return DEC_BAD_IP_VERSION;
    size_t hlen = (size_t)(vihl & 0x0f) * 4;
    if (hlen < 20 || hlen > n)
        return DEC_BAD_IP4_HLEN;
    mw_skip(&c, 1); /* TOS */
    size_t total = mw_be16(&c);
    uint16_t id = mw_be16(&c);
    uint16_t fo = mw_be16(&c);
    pk->ttl = mw_u8(&c);
    pk->l4proto = mw_u8(&c);
    mw_skip(&c, 2); /* checksum: not verified, offloading makes it unreliable */
    mw_addr_from_v4(&pk->src, mw_take(&c, 4));
    mw_addr_from_v4(&pk->dst, mw_take(&c, 4));
    /* Total length 0 is what a host writes for a TSO super-packet captured
     * before segmentation: trust the captured length then (tcpdump does too). */
    if (total == 0)
        total = n;
    if (total < hlen)
        return DEC_BAD_IP4_LEN;
    bool more = (fo & 0x2000) != 0;
    uint32_t off = (uint32_t)(fo & 0x1fff) * 8;
    if (total > n) {
        /* Cut by the capture's snap length. A fragment cannot be put
         * together from part of its bytes; a whole datagram can still give
         * its headers and the bytes captured (reassembly sees the rest as
         * a gap), as tcpdump and Zeek also do. */
        if (more || off != 0)
            return DEC_TRUNC_IP4_PAYLOAD;
        pk->truncated = true;
        total = n;
    }
    pk->ipver = 4;
    pk->l3 = p;
    pk->l3_len = total; /* drops Ethernet padding */
    if (more || off != 0) {
        pk->frag_id = id;
        pk->frag_off = off;
        pk->frag_more = more;
        pk->frag_hdr_len = hlen;
        pk->frag_data = p + hlen;
        pk->frag_len = total - hlen;
        pk->frag_next = pk->l4proto;
        if (off + pk->frag_len > 65535)
            return DEC_BAD_FRAGMENT;
        return DEC_FRAGMENT;
    }
    return decode_l4(p + hlen, total - hlen, pk);
}

static enum decode_cause decode_ip6(const uint8_t *p, size_t n, struct mw_pkt *pk)
{
    struct mw_cur c = mw_cur_make(p, n);
    if (n < 40)
        return DEC_TRUNC_IP6;
    if ((mw_u8(&c) >> 4) != 6)
        return DEC_BAD_IP_VERSION;
    mw_skip(&c, 3); /* traffic class, flow label */
    size_t plen = mw_be16(&c);
    uint8_t nh = mw_u8(&c);
    pk->ttl = mw_u8(&c);
    mw_addr_from_v6(&pk->src, mw_take(&c, 16));
    mw_addr_from_v6(&pk->dst, mw_take(&c, 16));
    /* Payload length 0 with a Hop-by-Hop header is a jumbogram (RFC 2675) or a
     * Linux BIG TCP packet: the captured length is then the only length. */
    if (plen == 0 && nh == IPP_HOPOPTS)
        plen = n - 40;
    if (40 + plen > n) { /* cut by the snap length: see decode_ip4 */
        pk->truncated = true;
        plen = n - 40;
    }
    pk->ipver = 6;
    pk->l3 = p;
    pk->l3_len = 40 + plen;
    size_t off = 40, nh_off = 6;
    for (int i = 0;; i++) {
        if (nh == IPP_TCP || nh == IPP_UDP) {
            pk->l4proto = nh;
            return decode_l4(p + off, pk->l3_len - off, pk);
        }
        if (nh == IPP_NONE) {
            pk->l4proto = nh;
            return DEC_OTHER_L4;
        }
        bool ext = nh == IPP_HOPOPTS || nh == IPP_ROUTING || nh == IPP_DSTOPTS ||
                   nh == IPP_FRAGMENT || nh == IPP_AH || nh == IPP_MOBILITY;
        if (!ext) { /* ICMPv6, ESP, GRE, ... */
            pk->l4proto = nh;
            return DEC_OTHER_L4;
        }
        if (i >= MW_MAX_IP6_EXT)
            return DEC_BAD_IP6_EXT;
        struct mw_cur e = mw_cur_make(p + off, pk->l3_len - off);
        uint8_t next = mw_u8(&e);
        uint8_t hl = mw_u8(&e);
        if (e.bad)
            return DEC_BAD_IP6_EXT;
        size_t elen;
        if (nh == IPP_FRAGMENT) {
            if (pk->truncated)
                return DEC_TRUNC_IP6_PAYLOAD;
            uint16_t fo = mw_be16(&e);
            uint32_t id = mw_be32(&e);
            if (e.bad)
                return DEC_BAD_IP6_EXT;
            pk->l4proto = next;
            pk->frag_id = id;
            pk->frag_off = (uint32_t)(fo & 0xfff8);
            pk->frag_more = (fo & 1) != 0;
            pk->frag_fh_off = off;
            pk->frag_prev_nh_off = nh_off;
            pk->frag_hdr_len = off;
            pk->frag_next = next;
            pk->frag_data = p + off + 8;
            pk->frag_len = pk->l3_len - off - 8;
            if (pk->frag_off + pk->frag_len > 65535)
                return DEC_BAD_FRAGMENT;
            return DEC_FRAGMENT;
        }
        elen = nh == IPP_AH ? ((size_t)hl + 2) * 4 : ((size_t)hl + 1) * 8;
        if (elen > pk->l3_len - off)
            return DEC_BAD_IP6_EXT;
        nh_off = off;
        off += elen;
        nh = next;
    }
}

enum decode_cause decode_ip(const uint8_t *p, size_t n, struct mw_pkt *pk)
{
    if (n < 1)
        return DEC_TRUNC_IP4;
    switch (p[0] >> 4) {
    case 4:
        return decode_ip4(p, n, pk);
    case 6:
        return decode_ip6(p, n, pk);
    default:
        return DEC_BAD_IP_VERSION;
    }
}

/* After an Ethernet-style type field: VLAN tags, MPLS, then IP. */
static enum decode_cause decode_ethertype(struct mw_cur *c, uint16_t type, struct mw_pkt *pk)
{
    while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD1 || type == ETH_QINQ_OLD2) {
        if (pk->nvlan >= MW_MAX_VLAN)
            return DEC_VLAN_DEPTH;
        uint16_t tci = mw_be16(c);
        type = mw_be16(c);
        if (c->bad)
            return DEC_TRUNC_LINK;
        pk->vlan[pk->nvlan++] = tci & 0x0fff;
    }
    if (type == ETH_MPLS_UC || type == ETH_MPLS_MC) {
        for (;;) {
            if (pk->nmpls >= MW_MAX_MPLS)
                return DEC_MPLS_DEPTH;
            uint32_t lse = mw_be32(c);
            if (c->bad)
                return DEC_TRUNC_LINK;
            pk->nmpls++;
            if (lse & 0x100) /* bottom of stack */
                break;
        }
        /* No type field after MPLS: the first nibble tells IPv4 from IPv6.
         * Anything else (pseudowire control word, Ethernet over MPLS) is
         * counted, not guessed at. */
        int v = mw_peek(c, 0);
        if (v < 0)
            return DEC_TRUNC_LINK;
        if ((v >> 4) == 4 || (v >> 4) == 6)
            return decode_ip(c->p, mw_left(c), pk);
        return DEC_MPLS_PAYLOAD;
    }
    if (type == ETH_PPPOE_SESSION) {
        /* PPPoE session (RFC 2516): ver/type, code, session, length, then
         * the PPP protocol: 0x0021 IPv4, 0x0057 IPv6. */
        if (!mw_skip(c, 6))
            return DEC_TRUNC_LINK;
        uint16_t proto = mw_be16(c);
        if (c->bad)
            return DEC_TRUNC_LINK;
        if (proto == 0x0021)
            type = ETH_IPV4;
        else if (proto == 0x0057)
            type = ETH_IPV6;
        else
            return DEC_NOT_IP; /* LCP, IPCP, CHAP ... */
    }
    if (type == ETH_IPV4 || type == ETH_IPV6) {
        size_t left = mw_left(c);
        if (left == 0)
            return type == ETH_IPV4 ? DEC_TRUNC_IP4 : DEC_TRUNC_IP6;
        if ((c->p[0] >> 4) != (type == ETH_IPV4 ? 4 : 6))
            return DEC_BAD_IP_VERSION;
        return decode_ip(c->p, left, pk);
    }
    return DEC_NOT_IP;
}

/* Linux NFLOG (iptables -j NFLOG): a 4-byte header, then TLVs whose length
 * and type are in the capturing host's byte order, which libpcap converts
 * to ours when it reads a file; the packet is the NFULA_PAYLOAD (9) TLV.
 * Lengths include the TLV header and are padded to 4. */
static enum decode_cause decode_nflog(struct mw_cur *c, struct mw_pkt *pk)
{
    uint8_t family = mw_u8(c);
    if (!mw_skip(c, 3))
        return DEC_TRUNC_LINK;
    for (;;) {
        const uint8_t *h = mw_take(c, 4);
        if (h == NULL)
            return DEC_NOT_IP; /* no payload TLV */
        uint16_t len, type;
        memcpy(&len, h, 2);
        memcpy(&type, h + 2, 2);
        if (len < 4)
            return DEC_TRUNC_LINK;
        size_t body = len - 4u;
        if (type == 9) {
            size_t left = mw_left(c);
            if (family != 2 && family != 10)
                return DEC_NOT_IP;
            return decode_ip(c->p, body < left ? body : left, pk);
        }
        size_t padded = (body + 3u) & ~(size_t)3;
        if (!mw_skip(c, padded))
            return DEC_NOT_IP;
    }
}

/* An IEEE 802.11 data frame with an LLC/SNAP header (after the radiotap
 * header, when there is one). Protected frames cannot be read. */
static enum decode_cause decode_80211(struct mw_cur *c, struct mw_pkt *pk)
{
    uint16_t fc = mw_le16(c);
    if (c->bad)
        return DEC_TRUNC_LINK;
    unsigned type = (fc >> 2) & 3, subtype = (fc >> 4) & 15, flags = fc >> 8;
    if (type != 2 || (subtype & 4) || (flags & 0x40))
        return DEC_NOT_IP; /* management, control, null data, or encrypted */
    size_t hlen = 24 - 2;
    if ((flags & 3) == 3)
        hlen += 6; /* four addresses (WDS) */
    if (subtype & 8) {
        hlen += 2; /* QoS control */
        if (flags & 0x80)
            hlen += 4; /* HT control */
    }
    if (!mw_skip(c, hlen))
        return DEC_TRUNC_LINK;
    const uint8_t *llc = mw_take(c, 6);
    if (llc == NULL)
        return DEC_TRUNC_LINK;
    if (llc[0] != 0xAA || llc[1] != 0xAA || llc[2] != 0x03)
        return DEC_NOT_IP;
    uint16_t ethertype = mw_be16(c);
    if (c->bad)
        return DEC_TRUNC_LINK;
    return decode_ethertype(c, ethertype, pk);
}

/* The radiotap header: its length, and whether the frame ends with an FCS
 * (the Flags field, bit 1 of the first presence word, value 0x10). */
static enum decode_cause decode_radiotap(const uint8_t *p, size_t n, struct mw_pkt *pk)
{
    struct mw_cur c = mw_cur_make(p, n);
    uint8_t version = mw_u8(&c);
    mw_skip(&c, 1);
    uint16_t len = mw_le16(&c);
    uint32_t present = mw_le32(&c);
    if (c.bad || version != 0 || len < 8 || len > n)
        return DEC_TRUNC_LINK;
    size_t off = 8;
    uint32_t word = present;
    while (word & 0x80000000u) { /* more presence words */
        if (off + 4 > len)
            return DEC_TRUNC_LINK;
        word = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
               (uint32_t)p[off + 3] << 24;
        off += 4;
    }
    bool fcs = false;
    if (present & 1) /* TSFT: 8 bytes, aligned to 8 */
        off = ((off + 7) & ~(size_t)7) + 8;
    if ((present & 2) && off < len)
        fcs = (p[off] & 0x10) != 0;
    size_t end = n;
    if (fcs) {
        if (end < (size_t)len + 4)
            return DEC_TRUNC_LINK;
        end -= 4;
    }
    struct mw_cur f = mw_cur_make(p + len, end - len);
    return decode_80211(&f, pk);
}

static void pkt_reset(struct mw_pkt *pk)
{
    memset(pk, 0, sizeof *pk);
}

enum decode_cause decode_frame(int dlt, const uint8_t *p, size_t n, struct mw_pkt *pk)
{
    struct mw_cur c = mw_cur_make(p, n);
    pkt_reset(pk);
    switch (dlt) {
    case MW_DLT_EN10MB: {
        if (!mw_skip(&c, 12))
            return DEC_TRUNC_LINK;
        uint16_t type = mw_be16(&c);
        if (c.bad)
            return DEC_TRUNC_LINK;
        if (type < 0x0600) /* 802.3 length: LLC frames (STP, NetBEUI), never IP here */
            return DEC_NOT_IP;
        return decode_ethertype(&c, type, pk);
    }
    case MW_DLT_LINUX_SLL: {
        if (!mw_skip(&c, 14))
            return DEC_TRUNC_LINK;
        uint16_t type = mw_be16(&c);
        if (c.bad)
            return DEC_TRUNC_LINK;
        return decode_ethertype(&c, type, pk);
    }
    case MW_DLT_LINUX_SLL2: {
        uint16_t type = mw_be16(&c);
        if (!mw_skip(&c, 18))
            return DEC_TRUNC_LINK;
        return decode_ethertype(&c, type, pk);
    }
    case MW_DLT_NULL:
    case MW_DLT_LOOP: {
        /* The address family is in the writer's byte order for NULL and in
         * network order for LOOP; accept either. AF_INET6 differs between
         * BSDs (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS; 10 Linux). */
        const uint8_t *h = mw_take(&c, 4);
        if (h == NULL)
            return DEC_TRUNC_LINK;
        uint32_t le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        uint32_t be = (uint32_t)h[3] | (uint32_t)h[2] << 8 | (uint32_t)h[1] << 16 | (uint32_t)h[0] << 24;
        uint32_t af = le < 256 ? le : be;
        if (af == 2)
            return decode_ethertype(&c, ETH_IPV4, pk);
        if (af == 24 || af == 28 || af == 30 || af == 10)
            return decode_ethertype(&c, ETH_IPV6, pk);
        return DEC_NOT_IP;
    }
    case MW_DLT_RAW:
    case MW_DLT_RAW_OPENBSD:
    case MW_DLT_LINKTYPE_RAW:
        return decode_ip(p, n, pk);
    case MW_DLT_IPV4:
        return decode_ethertype(&c, ETH_IPV4, pk);
    case MW_DLT_IPV6:
        return decode_ethertype(&c, ETH_IPV6, pk);
    case MW_DLT_NFLOG:
        return decode_nflog(&c, pk);
    case MW_DLT_IEEE802_11:
        return decode_80211(&c, pk);
    case MW_DLT_IEEE802_11_RADIO:
        return decode_radiotap(p, n, pk);
    default:
        return DEC_UNKNOWN_LINK;
    }
}
