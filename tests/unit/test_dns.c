/* test_dns.c -- unit tests for parse/dns.c.
 * Real messages cut from shared captures are checked against tshark 4.0
 * (dns.qry.name, dns.resp.name/type, dns.a, dns.cname) and cut at every
 * length; hand-built messages cover the hostile cases: compression loops,
 * forward and self pointers, label and name length limits, counts and
 * lengths beyond the data, escapes, and the answer cap. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dns.h"
#include "tap.h"

struct want_rr {
    const char *name;
    unsigned type;
    const char *data;
};

struct dns_case {
    const char *name;
    const char *hex;
    bool tcp; /* hex starts with the 2-byte TCP length */
    uint16_t id;
    const char *qname;
    unsigned nan;
    const struct want_rr *an;
};

/* Messages cut from the captures named (tshark -e udp.payload / tcp.payload);
 * expected values from tshark on the same frame. */
/* main/pcaps/arkime-dns-udp.pcap frame 2 (UDP, 212 bytes) */
static const char m0_hex[] =
    "e03981800001000200040004037777770667697468756203636f6d0000010001c00c00050001000007bc0002c010c01000010001000000040004c01e"
    "fc80c01000020001000001480014036e7333037031360664796e656374036e657400c01000020001000001480006036e7332c04ec010000200010000"
    "01480006036e7334c04ec01000020001000001480006036e7331c04ec06a0001000100000e1000040a025f0cc04a0001000100000e1000040a025f0c"
    "c08e0001000100000e1000040a025f0cc07c0001000100000e1000040a025f0c";
static const struct want_rr m0_an[] = { { "www.github.com", 5, "github.com" }, { "github.com", 1, "192.30.252.128" } };
/* main/pcaps/arkime-dns-tcp.pcap frame 6 (TCP, 342 bytes, with its 2-byte length) */
static const char m1_hex[] =
    "01545e6381800001000b0004000406676f6f676c6503636f6d0000010001c00c00010001000000a600044a7de42ec00c00010001000000a600044a7d"
    "e420c00c00010001000000a600044a7de421c00c00010001000000a600044a7de422c00c00010001000000a600044a7de423c00c00010001000000a6"
    "00044a7de424c00c00010001000000a600044a7de425c00c00010001000000a600044a7de426c00c00010001000000a600044a7de427c00c00010001"
    "000000a600044a7de428c00c00010001000000a600044a7de429c00c000200010000041b0006036e7334c00cc00c000200010000041b0006036e7332"
    "c00cc00c000200010000041b0006036e7333c00cc00c000200010000041b0006036e7331c00cc10e0001000100003e0b0004d8ef200ac0fc00010001"
    "0003d7d20004d8ef240ac0d800010001000009580004d8ef260ac0ea00010001000002d50004d8ef220a";
static const struct want_rr m1_an[] = { { "google.com", 1, "74.125.228.46" }, { "google.com", 1, "74.125.228.32" }, { "google.com", 1, "74.125.228.33" }, { "google.com", 1, "74.125.228.34" }, { "google.com", 1, "74.125.228.35" }, { "google.com", 1, "74.125.228.36" }, { "google.com", 1, "74.125.228.37" }, { "google.com", 1, "74.125.228.38" }, { "google.com", 1, "74.125.228.39" }, { "google.com", 1, "74.125.228.40" }, { "google.com", 1, "74.125.228.41" } };
/* main/pcaps/arkime-dns-tcp.pcap frame 16 (TCP, 258 bytes, with its 2-byte length) */
static const char m2_hex[] =
    "0100e2ec8180000100050004000403616f6c03636f6d0000010001c00c000100010000000a0004cdbc643ac00c000100010000000a0004cdbc653ac0"
    "0c000100010000000a0004cfc84a26c00c000100010000000a0004400c4f39c00c000100010000000a0004400c59bac00c000200010000000a000c06"
    "646e732d3031026e73c00cc00c000200010000000a000906646e732d3032c07cc00c000200010000000a000906646e732d3036c07cc00c0002000100"
    "00000a000906646e732d3037c07cc0b70001000100000045000440ec016bc0a200010001000001a50004cfc84950c075000100010000012e0004400c"
    "3384c08d00010001000006a90004cdbc9de8";
static const struct want_rr m2_an[] = { { "aol.com", 1, "205.188.100.58" }, { "aol.com", 1, "205.188.101.58" }, { "aol.com", 1, "207.200.74.38" }, { "aol.com", 1, "64.12.79.57" }, { "aol.com", 1, "64.12.89.186" } };
/* suricata-verify/dns-bug-1158/input.pcap frame 4 (UDP, 164 bytes) */
static const char m3_hex[] =
    "b068818000010001000100013f68764f4267414142414549354f4446474d6a6b344d454d79525446464f455a44524549314d455a47525441324f4549"
    "78517a4d774f44637951546c42516a63053d61757468037372760674756e6e656c03636f6d0000100001c00c0010000100000003000d0b4168764f42"
    "67414142414100c0520002000100093a80000906696f64696e65c056c08b0001000100093a8000040a1e1c5f";
static const struct want_rr m3_an[] = { { "hvOBgAABAEI5ODFGMjk4MEMyRTFFOEZDREI1MEZGRTA2OEIxQzMwODcyQTlBQjc.=auth.srv.tunnel.com", 16, "" } };
/* suricata-verify/dns-bug-1158/input.pcap frame 12 (UDP, 211 bytes) */
static const char m4_hex[] =
    "62c6010000010000000000003f68764d41414141464341414142505149464350336a4247794373714b6a66396f316a6d744f776741414143335a574e"
    "6b6143317a614745794c5735706333523f774d6a55324c47566a5a476774633268684d69317561584e3063444d344e43786c5932526f4c584e6f5954"
    "4974626d6c7a644841314d6a45735a476c6d5a6d326c6c4c57686c62477874595734745a334a76645841745a58686a614746755a325574633268684d"
    "6a55324c4752705a6d5a70037372760674756e6e656c03636f6d0000100001";
static const struct want_rr m4_an[] = { { "", 0, "" } };
/* tcpdump/dns_tcp.pcap frame 4 (TCP, 58 bytes, with its 2-byte length) */
static const char m5_hex[] =
    "0038431901200001000000000001037777770774637064756d70036f72670000010001000029100000000000000c000a00088f06be7d691442f0";
static const struct want_rr m5_an[] = { { "", 0, "" } };
/* tcpdump/dns_tcp.pcap frame 6 (TCP, 226 bytes, with its 2-byte length) */
static const char m6_hex[] =
    "00e0431985000001000200020005037777770774637064756d70036f72670000010001c00c000100010000003c0004c08b2e42c00c00010001000000"
    "3c0004c6c75868c01000020001000151800012036e69630973616e64656c6d616e02636100c0100002000100015180001203736e7308636f6f706572"
    "6978036e657400c04d000100010000012c0004d157f912c04d001c00010000012c00102607f0b0000f000000000000babef00dc06b0001000100001c"
    "200004616b850fc06b001c000100001c20001026003c0300000000f03c91fffe96e8ef0000291000000000000000";
static const struct want_rr m6_an[] = { { "www.tcpdump.org", 1, "192.139.46.66" }, { "www.tcpdump.org", 1, "198.199.88.104" } };
/* tcpdump/dns_udp.pcap frame 2 (UDP, 224 bytes) */
static const char m7_hex[] =
    "593485000001000200020005037777770774637064756d70036f72670000010001c00c000100010000003c0004c08b2e42c00c000100010000003c00"
    "04c6c75868c0100002000100015180001203736e7308636f6f7065726978036e657400c01000020001000151800012036e69630973616e64656c6d61"
    "6e02636100c06b000100010000012c0004d157f912c06b001c00010000012c00102607f0b0000f000000000000babef00dc04d0001000100001c2000"
    "04616b850fc04d001c000100001c20001026003c0300000000f03c91fffe96e8ef0000291000000000000000";
static const struct want_rr m7_an[] = { { "www.tcpdump.org", 1, "192.139.46.66" }, { "www.tcpdump.org", 1, "198.199.88.104" } };

static const struct dns_case cases[] = {
    { "main/pcaps/arkime-dns-udp.pcap frame 2", m0_hex, false, 0xe039, "www.github.com", 2, m0_an },
    { "main/pcaps/arkime-dns-tcp.pcap frame 6", m1_hex, true, 0x5e63, "google.com", 11, m1_an },
    { "main/pcaps/arkime-dns-tcp.pcap frame 16", m2_hex, true, 0xe2ec, "aol.com", 5, m2_an },
    { "suricata-verify/dns-bug-1158/input.pcap frame 4", m3_hex, false, 0xb068, "hvOBgAABAEI5ODFGMjk4MEMyRTFFOEZDREI1MEZGRTA2OEIxQzMwODcyQTlBQjc.=auth.srv.tunnel.com", 1, m3_an },
    { "suricata-verify/dns-bug-1158/input.pcap frame 12", m4_hex, false, 0x62c6, "hvMAAAAFCAAABPQIFCP3jBGyCsqKjf9o1jmtOwgAAAC3ZWNkaC1zaGEyLW5pc3R.wMjU2LGVjZGgtc2hhMi1uaXN0cDM4NCxlY2RoLXNoYTItbmlzdHA1MjEsZGlmZm.llLWhlbGxtYW4tZ3JvdXAtZXhjaGFuZ2Utc2hhMjU2LGRpZmZp.srv.tunnel.com", 0, m4_an },
    { "tcpdump/dns_tcp.pcap frame 4", m5_hex, true, 0x4319, "www.tcpdump.org", 0, m5_an },
    { "tcpdump/dns_tcp.pcap frame 6", m6_hex, true, 0x4319, "www.tcpdump.org", 2, m6_an },
    { "tcpdump/dns_udp.pcap frame 2", m7_hex, false, 0x5934, "www.tcpdump.org", 2, m7_an },
};

#define NCASES (sizeof cases / sizeof cases[0])

static uint8_t *unhex(const char *h, size_t *n)
{
    size_t len = strlen(h) / 2;
    uint8_t *b = malloc(len ? len : 1);
    if (b == NULL)
        abort();
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1)
            abort();
        b[i] = (uint8_t)v;
    }
    *n = len;
    return b;
}

/* Message builder for the hand-made cases. */
struct mb {
    uint8_t b[4096];
    size_t n;
};

static void put8(struct mb *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void put16(struct mb *m, unsigned v) { put8(m, v >> 8); put8(m, v & 0xff); }
static void put32(struct mb *m, uint32_t v) { put16(m, v >> 16); put16(m, v & 0xffff); }
static void putb(struct mb *m, const void *p, size_t k) { memcpy(m->b + m->n, p, k); m->n += k; }

static void hdr(struct mb *m, unsigned flags, unsigned qd, unsigned an)
{
    m->n = 0;
    put16(m, 0x1234);
    put16(m, flags);
    put16(m, qd);
    put16(m, an);
    put16(m, 0);
    put16(m, 0);
}

static void label(struct mb *m, const char *s)
{
    put8(m, (unsigned)strlen(s));
    putb(m, s, strlen(s));
}

static void qname_example(struct mb *m) /* www.example.com at offset 12 */
{
    label(m, "www");
    label(m, "example");
    label(m, "com");
    put8(m, 0);
}

static void rr_fixed(struct mb *m, unsigned type, unsigned rdlen)
{
    put16(m, type);
    put16(m, 1);
    put32(m, 300);
    put16(m, rdlen);
}

/* Parse exact-size heap copies of every prefix: below some length all are
 * SHORT, from it on all are OK (bytes after the answers are not read). */
static size_t first_ok_len(const uint8_t *p, size_t n, size_t *nshort_bad)
{
    static struct dns_msg m;
    size_t first = n + 1;
    *nshort_bad = 0;
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t *cp = malloc(cut ? cut : 1);
        memcpy(cp, p, cut);
        enum mw_res r = dns_parse(cp, cut, &m);
        free(cp);
        if (r == MW_OK && first > n)
            first = cut;
        else if (r != (first > n ? MW_SHORT : MW_OK))
            (*nshort_bad)++;
    }
    return first;
}

int main(void)
{
    static struct dns_msg m;
    static struct mb b;
    const uint8_t *msg;
    size_t n, msg_len, used, nbad, first;
    char want[300];

    for (size_t i = 0; i < NCASES; i++) {
        const struct dns_case *tc = &cases[i];
        uint8_t *raw = unhex(tc->hex, &n);

        TEST_BEGIN(tc->name);
        msg = raw;
        msg_len = n;
        if (tc->tcp) {
            CHECK_EQ(dns_tcp_frame(raw, n, &msg, &msg_len, &used), MW_OK);
            CHECK_EQ(used, n);
            CHECK_EQ(msg_len, n - 2);
            CHECK(msg == raw + 2);
            for (size_t cut = 0; cut < n; cut++)
                CHECK_EQ(dns_tcp_frame(raw, cut, &msg, &msg_len, &used), MW_SHORT);
            msg = raw + 2;
            msg_len = n - 2;
        }
        CHECK_EQ(dns_parse(msg, msg_len, &m), MW_OK);
        CHECK_EQ(m.id, tc->id);
        CHECK_STR(m.qname, tc->qname);
        CHECK_EQ(m.qdcount, 1);
        CHECK_EQ(m.response, tc->nan > 0 || (m.flags & 0x8000));
        CHECK_EQ(m.nan, tc->nan);
        CHECK(!m.an_overflow);
        for (unsigned k = 0; k < m.nan && k < tc->nan; k++) {
            CHECK_STR(m.an[k].name, tc->an[k].name);
            CHECK_EQ(m.an[k].type, tc->an[k].type);
            CHECK_STR(m.an[k].data, tc->an[k].data);
            CHECK_EQ(m.an[k].has_addr, tc->an[k].type == 1);
        }
        TEST_END();

        TEST_BEGIN("every prefix: SHORT until the answers end, OK after");
        first = first_ok_len(msg, msg_len, &nbad);
        CHECK_EQ(nbad, 0);
        CHECK(first >= 12 && first <= msg_len);
        CHECK_EQ(dns_parse(msg, first, &m), MW_OK);
        CHECK_EQ(m.nan, tc->nan);
        CHECK_STR(m.qname, tc->qname);
        TEST_END();
        free(raw);
    }

    TEST_BEGIN("TCP framing: two messages back to back, length under 12");
    {
        static const uint8_t two[] = { 0, 12, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0, 12, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        CHECK_EQ(dns_tcp_frame(two, sizeof two, &msg, &msg_len, &used), MW_OK);
        CHECK_EQ(used, 14);
        CHECK_EQ(msg_len, 12);
        CHECK_EQ(dns_tcp_frame(two + used, sizeof two - used, &msg, &msg_len, &used), MW_OK);
        CHECK_EQ(msg[0], 3);
        CHECK_EQ(dns_parse(msg, msg_len, &m), MW_OK);
        CHECK_EQ(m.id, 0x0304);
        static const uint8_t tiny[] = { 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        CHECK_EQ(dns_tcp_frame(tiny, sizeof tiny, &msg, &msg_len, &used), MW_BAD);
        CHECK_EQ(dns_tcp_frame(tiny, 1, &msg, &msg_len, &used), MW_SHORT);
    }
    TEST_END();

    TEST_BEGIN("header only; fewer than 12 bytes is SHORT; flags and rcode");
    hdr(&b, 0x8183, 0, 0);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
    CHECK(m.response);
    CHECK_EQ(m.rcode, 3);
    CHECK_STR(m.qname, "");
    CHECK_EQ(dns_parse(b.b, 11, &m), MW_SHORT);
    TEST_END();

    TEST_BEGIN("A, AAAA, CNAME, PTR, NS, MX answers; compression; root name");
    hdr(&b, 0x8180, 1, 6);
    qname_example(&b);
    put16(&b, 1); put16(&b, 1);
    put16(&b, 0xc00c); rr_fixed(&b, 1, 4); put32(&b, 0xc0000201);
    put16(&b, 0xc00c); rr_fixed(&b, 28, 16);
    putb(&b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    put16(&b, 0xc00c); rr_fixed(&b, 5, 6); label(&b, "cdn"); put16(&b, 0xc010); /* cdn.example.com */
    put16(&b, 0xc010); rr_fixed(&b, 12, 1); put8(&b, 0);                         /* PTR to root */
    put8(&b, 0); rr_fixed(&b, 2, 2); put16(&b, 0xc010);                          /* root NS example.com */
    put16(&b, 0xc00c); rr_fixed(&b, 15, 4); put16(&b, 10); put16(&b, 0xc010);    /* MX: data empty */
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
    CHECK_STR(m.qname, "www.example.com");
    CHECK_EQ(m.qtype, 1);
    CHECK_EQ(m.qclass, 1);
    CHECK_EQ(m.nan, 6);
    CHECK_STR(m.an[0].data, "192.0.2.1");
    CHECK(m.an[0].has_addr && mw_addr_is_v4(&m.an[0].addr));
    CHECK_EQ(m.an[0].ttl, 300);
    CHECK_STR(m.an[1].data, "2001:db8::1");
    CHECK(m.an[1].has_addr && !mw_addr_is_v4(&m.an[1].addr));
    CHECK_STR(m.an[2].data, "cdn.example.com");
    CHECK_STR(m.an[3].name, "example.com");
    CHECK_STR(m.an[3].data, ".");
    CHECK_STR(m.an[4].name, ".");
    CHECK_STR(m.an[4].data, "example.com");
    CHECK_EQ(m.an[5].type, 15);
    CHECK_STR(m.an[5].data, "");
    CHECK(!m.an[5].has_addr);
    TEST_END();

    TEST_BEGIN("escapes: dot, backslash, space, control, high byte; case kept");
    hdr(&b, 0, 1, 0);
    putb(&b, "\x08" "a.b\\ \x01\xff" "Z", 9);
    label(&b, "Com");
    put8(&b, 0);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
    CHECK_STR(m.qname, "a\\.b\\\\\\032\\001\\255Z.Com");
    TEST_END();

    /* Compression pointer hostility: all BAD, never a hang. */
    TEST_BEGIN("pointer to itself");
    hdr(&b, 0, 1, 0);
    put16(&b, 0xc00c);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("forward pointer");
    hdr(&b, 0, 1, 0);
    put16(&b, 0xc00e);
    label(&b, "a");
    put8(&b, 0);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("pointer loop: label then a pointer back to the label");
    hdr(&b, 0, 1, 0);
    label(&b, "a");
    put16(&b, 0xc00c); /* a.a.a.... */
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("pointer loop across two names (question <-> answer)");
    hdr(&b, 0x8000, 1, 1);
    label(&b, "q");
    put16(&b, 0xc013);        /* forward into the answer name at 19 */
    put16(&b, 1); put16(&b, 1);
    label(&b, "r");           /* offset 19 */
    put16(&b, 0xc00c);        /* back into the question */
    rr_fixed(&b, 1, 4); put32(&b, 0);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("a pointer chain that keeps going back is fine");
    hdr(&b, 0x8000, 1, 1);
    qname_example(&b);                            /* 12..28 */
    put16(&b, 1); put16(&b, 1);
    label(&b, "x"); put16(&b, 0xc00c);            /* 33: x.www.example.com */
    rr_fixed(&b, 5, 4); label(&b, "y"); put16(&b, 0xc021); /* y.x.www.example.com */
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
    CHECK_STR(m.an[0].name, "x.www.example.com");
    CHECK_STR(m.an[0].data, "y.x.www.example.com");
    TEST_END();

    TEST_BEGIN("reserved label types 01 and 10");
    hdr(&b, 0, 1, 0);
    put8(&b, 0x41); put8(&b, 0);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    b.b[12] = 0x81;
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("label 63 OK, label 64 BAD");
    memset(want, 'a', 63);
    want[63] = '\0';
    hdr(&b, 0, 1, 0);
    label(&b, want);
    put8(&b, 0);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
    CHECK_STR(m.qname, want);
    want[63] = 'a';
    want[64] = '\0';
    hdr(&b, 0, 1, 0);
    label(&b, want);
    put8(&b, 0);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("name of 255 wire bytes OK, 256 BAD (also when reached through a pointer)");
    for (int extra = 0; extra <= 1; extra++) {
        hdr(&b, 0, 1, 0);
        memset(want, 'b', 63);
        want[63] = '\0';
        label(&b, want);
        label(&b, want);
        label(&b, want);
        want[61 + extra] = '\0'; /* 3 * 64 + 62 (+1) + 1 */
        label(&b, want);
        put8(&b, 0);
        put16(&b, 1); put16(&b, 1);
        CHECK_EQ(dns_parse(b.b, b.n, &m), extra ? MW_BAD : MW_OK);
        if (!extra)
            CHECK_EQ(strlen(m.qname), 253);
    }
    hdr(&b, 0x8000, 1, 1);
    memset(want, 'c', 63);
    want[63] = '\0';
    label(&b, want); label(&b, want); label(&b, want);
    put8(&b, 0);                             /* 193 bytes: fine */
    put16(&b, 1); put16(&b, 1);
    label(&b, want);                         /* 64 more in front: 257 */
    put16(&b, 0xc00c);
    rr_fixed(&b, 1, 4); put32(&b, 0);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("escaped text longer than 255 is cut on an escape boundary");
    hdr(&b, 0, 1, 0);
    for (int l = 0; l < 3; l++) {
        put8(&b, 63);
        for (int k = 0; k < 63; k++)
            put8(&b, 0xff);
    }
    put8(&b, 0);
    put16(&b, 1); put16(&b, 1);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
    CHECK_EQ(strlen(m.qname), 252); /* 63 escapes of 4 bytes; ".\255" would make 257 */
    CHECK(memcmp(m.qname + 248, "\\255", 4) == 0);
    CHECK_EQ(m.qtype, 1);
    TEST_END();

    TEST_BEGIN("qdcount 65535 with no data is SHORT; 65 questions BAD; 64 OK");
    hdr(&b, 0, 65535, 0);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_SHORT);
    CHECK_EQ(m.qdcount, 65535);
    for (unsigned q = 64; q <= 65; q++) {
        hdr(&b, 0, q, 0);
        for (unsigned k = 0; k < q; k++) {
            put8(&b, 0);
            put16(&b, 1);
            put16(&b, 1);
        }
        CHECK_EQ(dns_parse(b.b, b.n, &m), q == 64 ? MW_OK : MW_BAD);
    }
    TEST_END();

    TEST_BEGIN("answer count beyond the data is SHORT, answers read so far kept");
    hdr(&b, 0x8000, 1, 3);
    qname_example(&b);
    put16(&b, 1); put16(&b, 1);
    put16(&b, 0xc00c); rr_fixed(&b, 1, 4); put32(&b, 0x0a000001);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_SHORT);
    CHECK_EQ(m.nan, 1);
    CHECK_STR(m.an[0].data, "10.0.0.1");
    CHECK_STR(m.qname, "www.example.com");
    TEST_END();

    TEST_BEGIN("rdlength past the end is SHORT; A with rdlength 5 BAD; CNAME past rdata BAD");
    hdr(&b, 0x8000, 1, 1);
    qname_example(&b);
    put16(&b, 1); put16(&b, 1);
    put16(&b, 0xc00c); rr_fixed(&b, 16, 200); putb(&b, "\x03" "abc", 4);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_SHORT);
    CHECK_EQ(m.nan, 0);
    hdr(&b, 0x8000, 1, 1);
    qname_example(&b);
    put16(&b, 1); put16(&b, 1);
    put16(&b, 0xc00c); rr_fixed(&b, 1, 5); put32(&b, 0); put8(&b, 0);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    hdr(&b, 0x8000, 1, 1);
    qname_example(&b);
    put16(&b, 1); put16(&b, 1);
    put16(&b, 0xc00c); rr_fixed(&b, 5, 3); label(&b, "abc"); put8(&b, 0); /* name is 5 bytes */
    put32(&b, 0);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    hdr(&b, 0x8000, 1, 1);                   /* CNAME name runs off the message */
    qname_example(&b);
    put16(&b, 1); put16(&b, 1);
    put16(&b, 0xc00c); rr_fixed(&b, 5, 4); put8(&b, 60); putb(&b, "abc", 3);
    CHECK_EQ(dns_parse(b.b, b.n, &m), MW_BAD);
    TEST_END();

    TEST_BEGIN("32 answers OK, 33..40 set an_overflow and are not read");
    for (unsigned an = 32; an <= 40; an += 8) {
        hdr(&b, 0x8000, 1, an);
        qname_example(&b);
        put16(&b, 1); put16(&b, 1);
        for (unsigned k = 0; k < 32; k++) {
            put16(&b, 0xc00c); rr_fixed(&b, 1, 4); put32(&b, 0x0a000000u + k);
        }
        CHECK_EQ(dns_parse(b.b, b.n, &m), MW_OK);
        CHECK_EQ(m.nan, 32);
        CHECK_EQ(m.an_overflow, an > 32);
        CHECK_STR(m.an[31].data, "10.0.0.31");
    }
    TEST_END();

    return tap_done();
}
