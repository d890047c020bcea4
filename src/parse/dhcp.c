/* dhcp.c -- DHCPv4 message parser (see dhcp.h; RFC 2131 2, RFC 2132).
 * The fixed part is read field by field through one cursor; each option
 * opens a sub-cursor of its declared length (STYLE.md 1.3). */
#include "parse/dhcp.h"

#include <string.h>

#define BOOTP_SNAME_LEN 64
#define BOOTP_FILE_LEN 128
#define DHCP_COOKIE 0x63825363u /* 99.130.83.99, RFC 2131 3 */
/* A 1500-byte datagram has at most 1260 option bytes; every entry uses at
 * least one, so 2048 entries is past any real message and bounds the walk. */
#define DHCP_MAX_OPT_ITER 2048

#define OPT_PAD 0
#define OPT_HOSTNAME 12
#define OPT_REQUESTED_IP 50
#define OPT_MSG_TYPE 53
#define OPT_VENDOR_CLASS 60
#define OPT_CLIENT_ID 61
#define OPT_END 255

static void take_addr(struct mw_cur *c, uint8_t a[4])
{
    const uint8_t *p = mw_take(c, 4);
    if (p != NULL)
        memcpy(a, p, 4);
}

enum mw_res dhcp_parse(const uint8_t *p, size_t n, struct dhcp_msg *out)
{
    memset(out, 0, sizeof *out);
    struct mw_cur c = mw_cur_make(p, n);

    out->op = mw_u8(&c);
    uint8_t htype = mw_u8(&c), hlen = mw_u8(&c);
    if (c.bad)
        return MW_SHORT;
    if (out->op != 1 && out->op != 2)
        return MW_BAD;
    if (hlen > 16) /* chaddr is 16 bytes */
        return MW_BAD;
    out->chaddr_eth = htype == 1 && hlen == 6;
    mw_skip(&c, 1); /* hops */
    out->xid = mw_be32(&c);
    mw_skip(&c, 4); /* secs, flags */
    take_addr(&c, out->ciaddr);
    take_addr(&c, out->yiaddr);
    mw_skip(&c, 8); /* siaddr, giaddr */
    const uint8_t *ch = mw_take(&c, 16);
    if (ch != NULL)
        memcpy(out->chaddr, ch, 6);
    mw_skip(&c, BOOTP_SNAME_LEN + BOOTP_FILE_LEN);
    uint32_t cookie = mw_be32(&c);
    if (c.bad)
        return MW_SHORT;
    if (cookie != DHCP_COOKIE)
        return MW_BAD;

    bool seen_type = false, seen_host = false, seen_cid = false, seen_vc = false;
    for (unsigned it = 0;; it++) {
        if (it >= DHCP_MAX_OPT_ITER)
            return MW_BAD;
        uint8_t code = mw_u8(&c);
        if (c.bad)
            return MW_SHORT; /* RFC 2131 4.1: the options end with End */
        if (code == OPT_PAD)
            continue;
        if (code == OPT_END)
            break;
        struct mw_cur o;
        if (!mw_sub(&c, mw_u8(&c), &o))
            return MW_SHORT;
        struct mw_slice s = { o.p, mw_left(&o) };
        switch (code) {
        case OPT_MSG_TYPE:
            if (s.n != 1)
                return MW_BAD;
            if (!seen_type)
                out->msg_type = s.p[0];
            seen_type = true;
            break;
        case OPT_REQUESTED_IP:
            if (s.n != 4)
                return MW_BAD;
            if (!out->has_requested)
                memcpy(out->requested_ip, s.p, 4);
            out->has_requested = true;
            break;
        case OPT_HOSTNAME:
            if (!seen_host)
                out->hostname = s;
            seen_host = true;
            break;
        case OPT_CLIENT_ID:
            if (!seen_cid)
                out->client_id = s;
            seen_cid = true;
            break;
        case OPT_VENDOR_CLASS:
            if (!seen_vc)
                out->vendor_class = s;
            seen_vc = true;
            break;
        default:
            break;
        }
    }
    return MW_OK;
}
