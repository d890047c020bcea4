/* decode.h -- link, network and transport decoding of one captured frame
 * (DESIGN.md section 2, "decode"). In: the frame bytes and its link type.
 * Out: a struct mw_pkt of offsets and values, or the cause of a drop.
 * Pure: no allocation, no state; fragments are only recognised here and are
 * put together by ipfrag.c, whose output is decoded again with decode_ip(). */
#ifndef MW_DECODE_H
#define MW_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define MW_MAX_VLAN 3  /* 802.1Q / 802.1ad tags kept; deeper stacks are dropped */
#define MW_MAX_MPLS 8  /* MPLS labels before the bottom of stack */
#define MW_MAX_IP6_EXT 8 /* IPv6 extension headers walked before giving up */
#define MW_MAX_TUNNEL 0

/* Link types (pcap LINKTYPE_ values as libpcap reports them). */
#define MW_DLT_NULL 0
#define MW_DLT_EN10MB 1
#define MW_DLT_RAW 12      /* DLT_RAW on Linux/most; LINKTYPE_RAW 101 maps here */
#define MW_DLT_RAW_OPENBSD 14
#define MW_DLT_LOOP 108
#define MW_DLT_LINKTYPE_RAW 101
#define MW_DLT_LINUX_SLL 113
#define MW_DLT_IPV4 228
#define MW_DLT_IPV6 229
#define MW_DLT_LINUX_SLL2 276
#define MW_DLT_IEEE802_11 105
#define MW_DLT_IEEE802_11_RADIO 127
#define MW_DLT_NFLOG 239

/* Why a frame was not decoded to the transport layer. Each has a counter
 * (stats.c) and a name (decode_cause_name). DEC_OK and DEC_FRAGMENT are not drops;
 * DEC_NOT_IP and DEC_OTHER_L4 are counted but are not errors either. */
enum decode_cause {
    DEC_OK = 0,
    DEC_FRAGMENT,      /* an IP fragment: hand it to ipfrag */
    DEC_NOT_IP,        /* ARP, LLDP, STP, ...: not ours */
    DEC_OTHER_L4,      /* IP, but neither TCP nor UDP (ICMP, GRE, ...) */
    DEC_UNKNOWN_LINK,  /* a link type msiwatch does not decode */
    DEC_TRUNC_LINK,    /* frame shorter than its link header */
    DEC_VLAN_DEPTH,    /* more VLAN tags than MW_MAX_VLAN */
    DEC_MPLS_DEPTH,    /* more MPLS labels than MW_MAX_MPLS */
    DEC_MPLS_PAYLOAD,  /* MPLS payload that is not IPv4/IPv6 */
    DEC_TRUNC_IP4,     /* shorter than the IPv4 header */
    DEC_BAD_IP4_HLEN,  /* IHL < 5, or past the end */
    DEC_BAD_IP4_LEN,   /* total length smaller than the header */
    DEC_TRUNC_IP4_PAYLOAD, /* a fragment cut short by the capture */
    DEC_BAD_IP_VERSION,/* version nibble is not the one the link announced */
    DEC_TRUNC_IP6,     /* shorter than the IPv6 header */
    DEC_TRUNC_IP6_PAYLOAD, /* a fragment cut short by the capture */
    DEC_BAD_IP6_EXT,   /* extension header chain broken or too long */
    DEC_TRUNC_TCP,     /* shorter than the TCP header */
    DEC_BAD_TCP_HLEN,  /* data offset < 5 or past the end */
    DEC_TRUNC_UDP,
    DEC_BAD_UDP_LEN,   /* UDP length < 8 or past the end */
    DEC_BAD_FRAGMENT,  /* fragment with impossible offset/length */
    DEC__COUNT
};

const char *decode_cause_name(enum decode_cause c);

/* TCP flags */
#define MW_TH_FIN 0x01
#define MW_TH_SYN 0x02
#define MW_TH_RST 0x04
#define MW_TH_PSH 0x08
#define MW_TH_ACK 0x10

struct mw_pkt {
    /* link */
    uint16_t vlan[MW_MAX_VLAN]; /* outermost first */
    uint8_t nvlan;
    uint8_t nmpls;
    /* network */
    uint8_t ipver;           /* 4 or 6 */
    uint8_t l4proto;         /* IPPROTO_TCP, IPPROTO_UDP, or other */
    uint8_t ttl;
    struct mw_addr src, dst;
    bool truncated;          /* the capture cut the datagram (snap length): payload is partial */
    const uint8_t *l3;       /* start of the IP header */
    size_t l3_len;           /* IP header + payload as the header declares it */
    /* fragment (set when decode returns DEC_FRAGMENT) */
    uint32_t frag_id;        /* IPv4 id or IPv6 identification */
    uint32_t frag_off;       /* byte offset of this fragment's data */
    bool frag_more;          /* MF bit */
    const uint8_t *frag_data;/* this fragment's data */
    size_t frag_len;
    size_t frag_hdr_len;     /* bytes of l3 before frag_data, without the v6 fragment header */
    uint8_t frag_next;       /* IPv6: next header after the fragment header; IPv4: protocol */
    size_t frag_fh_off;      /* IPv6: offset of the fragment header within l3 */
    size_t frag_prev_nh_off; /* IPv6: offset within l3 of the next-header byte pointing to it */
    /* transport */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t win;
    uint8_t tcp_flags;
    const uint8_t *payload;  /* TCP/UDP payload */
    size_t payload_len;
};

/* Decode a frame of link type dlt. Returns DEC_OK with transport fields set,
 * DEC_FRAGMENT with the frag_* fields set, or a cause. Never reads past n. */
enum decode_cause decode_frame(int dlt, const uint8_t *p, size_t n, struct mw_pkt *pk);

/* Decode from the IP header on (used for reassembled datagrams); keeps the
 * link fields (vlan, mpls) already in pk. */
enum decode_cause decode_ip(const uint8_t *p, size_t n, struct mw_pkt *pk);

/* True when decode_frame knows the link type. */
bool decode_link_supported(int dlt);

#endif
