/* dns.h -- pure parser for one DNS message (RFC 1035 section 4) and the
 * 2-byte TCP framing (RFC 1035 4.2.2, RFC 7766). STYLE.md 1, 5.1.
 * In: a UDP payload, or one TCP message without its length prefix.
 * Out: header, first question, and up to DNS_MAX_ANSWERS answer records with
 * names in dig-style text and A/AAAA/CNAME/PTR/NS data decoded.
 * Not here: authority and additional sections, EDNS, lower-casing, caching. */
#ifndef MW_PARSE_DNS_H
#define MW_PARSE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "bytes.h"

#define DNS_MAX_ANSWERS 32
#define DNS_NAME_MAX 255

/* Names are NUL-terminated text: labels joined by '.', no trailing dot, the
 * root name as "."; inside a label '.' is written "\." and '\' "\\", bytes
 * outside 0x21..0x7e as \DDD (decimal), as dig prints them. Case is kept.
 * A wire name is at most 255 bytes, but escapes can make its text longer:
 * the text is then cut at DNS_NAME_MAX characters, never inside an escape. */
struct dns_rr {
    char name[DNS_NAME_MAX + 1];
    uint16_t type, cls;
    uint32_t ttl;
    char data[DNS_NAME_MAX + 1]; /* A/AAAA as text address, CNAME/PTR/NS as a name, others empty */
    struct mw_addr addr;         /* A (mapped) or AAAA, when has_addr */
    bool has_addr;
};

struct dns_msg {
    uint16_t id, flags;
    bool response;
    uint8_t rcode;
    char qname[DNS_NAME_MAX + 1]; /* first question; "" when qdcount is 0 */
    uint16_t qtype, qclass;
    unsigned qdcount;
    struct dns_rr an[DNS_MAX_ANSWERS];
    unsigned nan;      /* answers decoded into an[] */
    bool an_overflow;  /* ancount > DNS_MAX_ANSWERS: the rest are not read */
};

/* Parse one message.
 * MW_OK: header, questions and the first min(ancount, DNS_MAX_ANSWERS)
 *   answers were read. Bytes after them (authority, additional) are ignored.
 * MW_SHORT: the message ends before what its counts or lengths announce
 *   (fewer than 12 bytes, a question or answer cut, rdlength past the end).
 *   For a whole datagram or framed TCP message this means truncated; `out`
 *   keeps what was decoded before the cut (id, flags, question, nan answers).
 * MW_BAD: present but impossible: a label over 63 bytes, a name over 255
 *   bytes, a compression pointer that does not point strictly before the
 *   start of the part of the name being read (so no loops) or more than 64
 *   hops, reserved label types 01/10, more than 64 questions, an A/AAAA
 *   rdlength other than 4/16, a CNAME/PTR/NS name that overruns its rdata. */
enum mw_res dns_parse(const uint8_t *p, size_t n, struct dns_msg *out);

/* TCP framing: given the stream bytes, the first complete message after its
 * 2-byte length -> MW_OK with *msg (pointing into p), *msg_len, and *used
 * (2 + msg_len) to consume; MW_SHORT when incomplete; MW_BAD when the length
 * is under 12, the size of a DNS header. */
enum mw_res dns_tcp_frame(const uint8_t *p, size_t n, const uint8_t **msg, size_t *msg_len,
                          size_t *used);

#endif
