/* dhcp.h -- pure parser for one DHCPv4 message (RFC 2131 section 2, options
 * RFC 2132). STYLE.md 1, 5.1.
 * In: a UDP payload (port 67/68). Out: op, message type, client hardware
 * address, transaction id, ciaddr/yiaddr and the options the sensor uses to
 * name a host: requested IP (50), host name (12), client id (61), vendor
 * class (60). Not here: DHCPv6, relay agent sub-options, leases, flows. */
#ifndef MW_PARSE_DHCP_H
#define MW_PARSE_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct dhcp_msg {
    uint8_t op;                /* 1 BOOTREQUEST, 2 BOOTREPLY */
    uint8_t msg_type;          /* option 53, 0 if absent */
    uint8_t chaddr[6];         /* first 6 bytes of chaddr */
    bool chaddr_eth;           /* htype 1 and hlen 6: chaddr is a MAC address */
    uint32_t xid;
    uint8_t ciaddr[4], yiaddr[4];
    uint8_t requested_ip[4];   /* option 50, when has_requested */
    bool has_requested;
    struct mw_slice hostname;  /* option 12 */
    struct mw_slice client_id; /* option 61, type byte included */
    struct mw_slice vendor_class; /* option 60 */
};

/* Parse the BOOTP fixed part (236 bytes), the magic cookie 99.130.83.99 and
 * the options. Pad (0) is skipped, End (255) stops the walk and must be
 * present (RFC 2131 4.1), so that a cut datagram is never taken for a whole
 * one; bytes after End are ignored. Every option length is checked
 * against what is left. When an option appears twice the first is kept
 * (RFC 3396 concatenation is not done). Option overload (52) is ignored:
 * options carried in sname/file are not read.
 * MW_OK: parsed. Slices point into p.
 * MW_SHORT: the datagram ends inside the fixed part, the cookie or an option,
 *   or before End (for a whole datagram: truncated); `out` keeps what was
 *   read before the cut.
 * MW_BAD: op not 1 or 2, hlen over 16, a wrong cookie (plain BOOTP), option
 *   53 not 1 byte or 50 not 4 bytes, or more than 2048 option entries. */
enum mw_res dhcp_parse(const uint8_t *p, size_t n, struct dhcp_msg *out);

#endif
