/* test_dhcp.c -- unit tests for parse/dhcp.c.
 * Real DHCP messages from the lab recording (DISCOVER/OFFER/REQUEST/ACK of
 * WIN10-LAB) and shared captures, checked against tshark 4.0 and cut at
 * every length; hand-built messages cover client id, duplicates, overload,
 * boundaries and hostile lengths. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dhcp.h"
#include "tap.h"

struct dhcp_case {
    const char *name;
    const char *hex;
    uint8_t op, msg_type;
    uint8_t mac[6];
    uint32_t xid;
    uint8_t ciaddr[4], yiaddr[4];
    bool has_requested;
    uint8_t requested[4];
    const char *hostname, *vendor_class;
    size_t client_id_len; /* option 61 length per tshark -V, 0 if absent */
};

/* UDP payloads cut from the captures named (tshark -e udp.payload); expected
 * values from tshark on the same frame (dhcp.type, dhcp.option.dhcp,
 * dhcp.hw.mac_addr, dhcp.id, dhcp.ip.client/your, options 50, 12, 60, 61). */
/* main/pcaps/lab/dhcp.pcap frame 1 (300 bytes) */
static const char d0_hex[] =
    "01010600e6cb244c00000000000000000000000000000000000000000277000000100000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "3501010c0957494e31302d4c41423704010f03063c084d53465420352e30ff0000000000000000000000000000000000000000000000000000000000";
/* main/pcaps/lab/dhcp.pcap frame 6 (307 bytes) */
static const char d1_hex[] =
    "02010600e6cb244c00000000000000000a4d00810a4d0014000000000277000000100000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "35010236040a4d0014330400000e103a04000007083b0400000c4e0104ffffff001c040a4d00ff0f0d6d736977617463682e7465737406040a4d0014"
    "03040a4d0014ff";
/* main/pcaps/lab/dhcp.pcap frame 7 (300 bytes) */
static const char d2_hex[] =
    "01010600e6cb244c00000000000000000000000000000000000000000277000000100000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "35010336040a4d001432040a4d00810c0957494e31302d4c41423704010f03063c084d53465420352e30ff0000000000000000000000000000000000";
/* main/pcaps/lab/dhcp.pcap frame 8 (307 bytes) */
static const char d3_hex[] =
    "02010600e6cb244c00000000000000000a4d00810a4d0014000000000277000000100000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "35010536040a4d0014330400000e103a04000007083b0400000c4e0104ffffff001c040a4d00ff0f0d6d736977617463682e7465737406040a4d0014"
    "03040a4d0014ff";
/* ndpi/teams.pcap frame 250 (355 bytes) */
static const char d4_hex[] =
    "01010600158298c618b500000000000000000000000000000000000000808f9aaebd0000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "3501013d13ff8f9aaebd000100011fcb37ceb827eb3d08db5000740101390205dc3c2d6468637063642d362e31302e313a4c696e75782d342e392e35"
    "372d76372b3a61726d76376c3a42434d323833350c0c7069332e6e746f702e6f7267910101370f01792103060c0f1a1c2a33363a3b77ff";
/* ndpi/1kxun.pcap frame 11 (300 bytes) */
static const char d5_hex[] =
    "01010600060fbf5b0000000000000000000000000000000000000000703eacf0f0070000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "3501033707017903060f77fc390205dc3d0701703eacf0f0073204c0a803ed33040076a7000c045368656eff00000000000000000000000000000000";
/* ndpi/alexa-app.pcapng frame 9 (300 bytes) */
static const char d6_hex[] =
    "020106007c6d7f310000000000000000ac102ad8ac102a010000000078f882d3fbc20000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "3501053604ac102a0133040000a8c03a04000054603b04000093a80104ffffff001c04ac102aff0304ac102a010604ac102a010f036c616eff000000";

static const struct dhcp_case cases[] = {
    { "main/pcaps/lab/dhcp.pcap frame 1", d0_hex, 1, 1, { 0x02, 0x77, 0x00, 0x00, 0x00, 0x10 }, 0xe6cb244c, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, false, { 0, 0, 0, 0 }, "WIN10-LAB", "MSFT 5.0", 0 },
    { "main/pcaps/lab/dhcp.pcap frame 6", d1_hex, 2, 2, { 0x02, 0x77, 0x00, 0x00, 0x00, 0x10 }, 0xe6cb244c, { 0, 0, 0, 0 }, { 10, 77, 0, 129 }, false, { 0, 0, 0, 0 }, "", "", 0 },
    { "main/pcaps/lab/dhcp.pcap frame 7", d2_hex, 1, 3, { 0x02, 0x77, 0x00, 0x00, 0x00, 0x10 }, 0xe6cb244c, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, true, { 10, 77, 0, 129 }, "WIN10-LAB", "MSFT 5.0", 0 },
    { "main/pcaps/lab/dhcp.pcap frame 8", d3_hex, 2, 5, { 0x02, 0x77, 0x00, 0x00, 0x00, 0x10 }, 0xe6cb244c, { 0, 0, 0, 0 }, { 10, 77, 0, 129 }, false, { 0, 0, 0, 0 }, "", "", 0 },
    { "ndpi/teams.pcap frame 250", d4_hex, 1, 1, { 0x00, 0x80, 0x8f, 0x9a, 0xae, 0xbd }, 0x158298c6, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, false, { 0, 0, 0, 0 }, "pi3.ntop.org", "dhcpcd-6.10.1:Linux-4.9.57-v7+:armv7l:BCM2835", 19 },
    { "ndpi/1kxun.pcap frame 11", d5_hex, 1, 3, { 0x70, 0x3e, 0xac, 0xf0, 0xf0, 0x07 }, 0x060fbf5b, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, true, { 192, 168, 3, 237 }, "Shen", "", 7 },
    { "ndpi/alexa-app.pcapng frame 9", d6_hex, 2, 5, { 0x78, 0xf8, 0x82, 0xd3, 0xfb, 0xc2 }, 0x7c6d7f31, { 0, 0, 0, 0 }, { 172, 16, 42, 216 }, false, { 0, 0, 0, 0 }, "", "", 0 },
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

static bool slice_is(struct mw_slice s, const char *want)
{
    return s.n == strlen(want) && (s.n == 0 || memcmp(s.p, want, s.n) == 0);
}

/* Offset just past the End option of a message, found independently of the
 * parser (options are well formed in the captured cases). */
static size_t end_offset(const uint8_t *p, size_t n)
{
    size_t i = 240;
    while (i < n && p[i] != 255)
        i += p[i] == 0 ? 1 : 2u + p[i + 1];
    return i + 1;
}

/* Hand-built message: fixed part + cookie, then options appended. */
struct mb {
    uint8_t b[4096];
    size_t n;
};

static void fixed(struct mb *m, uint8_t op, uint8_t htype, uint8_t hlen)
{
    memset(m->b, 0, 240);
    m->b[0] = op;
    m->b[1] = htype;
    m->b[2] = hlen;
    m->b[4] = 0xde; m->b[5] = 0xad; m->b[6] = 0xbe; m->b[7] = 0xef;
    static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };
    memcpy(m->b + 28, mac, 6);
    m->b[236] = 99; m->b[237] = 130; m->b[238] = 83; m->b[239] = 99;
    m->n = 240;
}

static void opt(struct mb *m, uint8_t code, const void *v, size_t k)
{
    m->b[m->n++] = code;
    m->b[m->n++] = (uint8_t)k;
    if (k > 0)
        memcpy(m->b + m->n, v, k);
    m->n += k;
}

static void end(struct mb *m) { m->b[m->n++] = 255; }

/* Parse an exact-size heap copy, so ASan sees any over-read. */
static enum mw_res parse_exact(const uint8_t *p, size_t n, struct dhcp_msg *d)
{
    uint8_t *cp = malloc(n ? n : 1);
    memcpy(cp, p, n);
    enum mw_res r = dhcp_parse(cp, n, d);
    free(cp);
    return r;
}

int main(void)
{
    static struct mb b;
    struct dhcp_msg d;
    size_t n, stop, nbad;
    uint8_t t;

    for (size_t i = 0; i < NCASES; i++) {
        const struct dhcp_case *tc = &cases[i];
        uint8_t *raw = unhex(tc->hex, &n);

        TEST_BEGIN(tc->name);
        CHECK_EQ(parse_exact(raw, n, &d), MW_OK);
        CHECK_EQ(dhcp_parse(raw, n, &d), MW_OK);
        CHECK_EQ(d.op, tc->op);
        CHECK_EQ(d.msg_type, tc->msg_type);
        CHECK(d.chaddr_eth);
        CHECK_MEM(d.chaddr, tc->mac, 6);
        CHECK_U64(d.xid, tc->xid);
        CHECK_MEM(d.ciaddr, tc->ciaddr, 4);
        CHECK_MEM(d.yiaddr, tc->yiaddr, 4);
        CHECK_EQ(d.has_requested, tc->has_requested);
        CHECK_MEM(d.requested_ip, tc->requested, 4);
        CHECK(slice_is(d.hostname, tc->hostname));
        CHECK(slice_is(d.vendor_class, tc->vendor_class));
        CHECK_EQ(d.client_id.n, tc->client_id_len);
        if (tc->client_id_len == 7) /* type 1 + MAC (RFC 2132 9.14) */
            CHECK(d.client_id.p[0] == 1 && memcmp(d.client_id.p + 1, tc->mac, 6) == 0);
        TEST_END();

        TEST_BEGIN("every cut before End is SHORT, from End on OK");
        stop = end_offset(raw, n);
        CHECK(stop <= n);
        nbad = 0;
        for (size_t cut = 0; cut <= n; cut++)
            if (parse_exact(raw, cut, &d) != (cut < stop ? MW_SHORT : MW_OK))
                nbad++;
        CHECK_EQ(nbad, 0);
        TEST_END();
        free(raw);
    }

    TEST_BEGIN("hand-built DISCOVER: WIN10-LAB, client id, vendor class");
    fixed(&b, 1, 1, 6);
    t = 1;
    opt(&b, 53, &t, 1);
    opt(&b, 61, "\x01\x00\x15\x5d\x01\x02\x03", 7);
    opt(&b, 12, "WIN10-LAB", 9);
    opt(&b, 60, "MSFT 5.0", 8);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_OK);
    CHECK_EQ(d.op, 1);
    CHECK_EQ(d.msg_type, 1);
    CHECK_U64(d.xid, 0xdeadbeef);
    CHECK(d.chaddr_eth);
    CHECK_MEM(d.chaddr, "\x00\x15\x5d\x01\x02\x03", 6);
    CHECK(slice_is(d.hostname, "WIN10-LAB"));
    CHECK(slice_is(d.vendor_class, "MSFT 5.0"));
    CHECK_EQ(d.client_id.n, 7);
    CHECK(!d.has_requested);
    CHECK(d.hostname.p == b.b + 240 + 3 + 9 + 2); /* slices point into the input */
    TEST_END();

    TEST_BEGIN("hand-built REQUEST with requested IP, pads, duplicate options keep the first");
    fixed(&b, 1, 1, 6);
    b.b[b.n++] = 0;
    b.b[b.n++] = 0;
    t = 3;
    opt(&b, 53, &t, 1);
    opt(&b, 50, "\x0a\x4d\x00\x81", 4);
    opt(&b, 12, "WIN10-LAB", 9);
    opt(&b, 12, "OTHER", 5);
    opt(&b, 50, "\x01\x02\x03\x04", 4);
    opt(&b, 52, "\x03", 1); /* overload: ignored */
    end(&b);
    b.b[b.n++] = 0x77;      /* after End: ignored */
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_OK);
    CHECK_EQ(d.msg_type, 3);
    CHECK(d.has_requested);
    CHECK_MEM(d.requested_ip, "\x0a\x4d\x00\x81", 4);
    CHECK(slice_is(d.hostname, "WIN10-LAB"));
    TEST_END();

    TEST_BEGIN("hand-built ACK: yiaddr, ciaddr; non-Ethernet hardware");
    fixed(&b, 2, 6, 6);
    memcpy(b.b + 12, "\x0a\x4d\x00\x05", 4);
    memcpy(b.b + 16, "\x0a\x4d\x00\x81", 4);
    t = 5;
    opt(&b, 53, &t, 1);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_OK);
    CHECK_EQ(d.op, 2);
    CHECK_EQ(d.msg_type, 5);
    CHECK(!d.chaddr_eth);
    CHECK_MEM(d.ciaddr, "\x0a\x4d\x00\x05", 4);
    CHECK_MEM(d.yiaddr, "\x0a\x4d\x00\x81", 4);
    CHECK_EQ(d.hostname.n, 0);
    TEST_END();

    TEST_BEGIN("no options at all but End: msg_type 0; hlen 16 OK");
    fixed(&b, 1, 1, 16);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_OK);
    CHECK_EQ(d.msg_type, 0);
    CHECK(!d.chaddr_eth);
    TEST_END();

    TEST_BEGIN("option length past the end is SHORT, earlier options kept");
    fixed(&b, 1, 1, 6);
    opt(&b, 12, "WIN10-LAB", 9);
    b.b[b.n++] = 60;
    b.b[b.n++] = 200;
    memcpy(b.b + b.n, "MSFT", 4);
    b.n += 4;
    CHECK_EQ(parse_exact(b.b, b.n, &d), MW_SHORT);
    CHECK_EQ(d.hostname.n, 9);
    CHECK_EQ(d.vendor_class.n, 0);
    b.n -= 5; /* ends right after the option code */
    CHECK_EQ(parse_exact(b.b, b.n, &d), MW_SHORT);
    TEST_END();

    TEST_BEGIN("missing or wrong cookie, bad op, hlen 17, bad 53/50 lengths: BAD");
    fixed(&b, 1, 1, 6);
    end(&b);
    memset(b.b + 236, 0, 4);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_BAD);
    CHECK_EQ(dhcp_parse(b.b, 236, &d), MW_SHORT); /* cut before the cookie */
    CHECK_EQ(dhcp_parse(b.b, 0, &d), MW_SHORT);
    fixed(&b, 3, 1, 6);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_BAD);
    CHECK_EQ(dhcp_parse(b.b, 1, &d), MW_SHORT);
    CHECK_EQ(dhcp_parse(b.b, 3, &d), MW_BAD);
    fixed(&b, 1, 1, 17);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_BAD);
    fixed(&b, 1, 1, 6);
    opt(&b, 53, "\x01\x02", 2);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_BAD);
    fixed(&b, 1, 1, 6);
    opt(&b, 53, "", 0);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_BAD);
    fixed(&b, 1, 1, 6);
    opt(&b, 50, "\x0a\x4d\x00", 3);
    end(&b);
    CHECK_EQ(dhcp_parse(b.b, b.n, &d), MW_BAD);
    TEST_END();

    TEST_BEGIN("option walk cap: 2047 pads then End OK, 2048 pads BAD");
    for (size_t pads = 2047; pads <= 2048; pads++) {
        fixed(&b, 1, 1, 6);
        memset(b.b + b.n, 0, pads);
        b.n += pads;
        end(&b);
        CHECK_EQ(parse_exact(b.b, b.n, &d), pads == 2047 ? MW_OK : MW_BAD);
    }
    TEST_END();

    return tap_done();
}
