/* dhcp.c -- DHCP glue (DESIGN.md section 7): a client's host name (option
 * 12) with its MAC and the address it asked for or was given becomes an
 * identity record, for the host identity map. */
#include <stdio.h>
#include <string.h>

#include "app/proto.h"
#include "parse/dhcp.h"
#include "text.h"

static const char *msg_name(uint8_t t)
{
    static const char *const n[] = { "", "discover", "offer", "request", "decline", "ack", "nak",
                                     "release", "inform" };
    return t < sizeof n / sizeof n[0] ? n[t] : "other";
}

void app_dhcp_datagram(struct app_ctx *c, struct flow *f, int dir, const uint8_t *p, size_t n)
{
    (void)dir;
    struct dhcp_msg m;
    c->st.flows[APP_DHCP] += f->pkts[0] + f->pkts[1] == 1;
    if (dhcp_parse(p, n, &m) != MW_OK) {
        c->st.bad[APP_DHCP]++;
        return;
    }
    if (m.hostname.n == 0 && m.msg_type != 5) /* only names and acknowledged addresses identify */
        return;
    struct rec_dhcp r;
    memset(&r, 0, sizeof r);
    app_rec_net(c, f, &r.n);
    text_set(r.msg_type, sizeof r.msg_type, msg_name(m.msg_type));
    text_copy(r.hostname, sizeof r.hostname, m.hostname.p, m.hostname.n);
    if (m.chaddr_eth)
        snprintf(r.mac, sizeof r.mac, "%02X-%02X-%02X-%02X-%02X-%02X", m.chaddr[0], m.chaddr[1],
                 m.chaddr[2], m.chaddr[3], m.chaddr[4], m.chaddr[5]);
    static const uint8_t zero[4];
    if (m.msg_type == 5 && memcmp(m.yiaddr, zero, 4) != 0) {
        mw_addr_from_v4(&r.assigned, m.yiaddr);
        r.has_assigned = true;
    } else if (m.has_requested) {
        mw_addr_from_v4(&r.assigned, m.requested_ip);
        r.has_assigned = true;
    } else if (memcmp(m.ciaddr, zero, 4) != 0) {
        mw_addr_from_v4(&r.assigned, m.ciaddr);
        r.has_assigned = true;
    }
    bus_dhcp(c->bus, &r);
    c->st.records[APP_DHCP]++;
}
