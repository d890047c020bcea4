/* stats.h -- the packet path's counters (DESIGN.md section 2; --stats).
 * Plain counters owned by one worker or feed; output.c prints them. */
#ifndef MW_STATS_H
#define MW_STATS_H

#include <stdint.h>

#include "decode.h"

/* The app layer's parsers (src/app/). */
enum app_proto { APP_UNDECIDED = 0, APP_NONE, APP_HTTP, APP_TLS, APP_SMB, APP_DNS, APP_DHCP, APP__COUNT };

struct app_stats {
    uint64_t flows[APP__COUNT];   /* flows given to each parser */
    uint64_t records[APP__COUNT]; /* records written by each */
    uint64_t bad[APP__COUNT];     /* flows or messages a parser rejected */
    uint64_t gave_up[APP__COUNT]; /* directions given up (buffer cap, gap in a header) */
};

struct pkt_stats {
    uint64_t packets, bytes;      /* frames read and their captured bytes */
    uint64_t ipv4, ipv6;          /* frames whose outer network layer is IPv4 / IPv6 */
    uint64_t vlan, mpls;          /* frames with a VLAN tag / an MPLS label */
    uint64_t frags;               /* frames that are IP fragments */
    uint64_t tcp, udp;            /* TCP / UDP headers decoded (once per datagram) */
    uint64_t snap_truncated;      /* datagrams cut by the snap length, decoded partially */
    uint64_t cause[DEC__COUNT];   /* frames not decoded to TCP/UDP, by cause */
    uint64_t capture_drops;       /* live: dropped by the kernel (pcap_stats) */
    uint64_t capture_ifdrops;     /* live: dropped by the interface */
};

/* The endpoint feed (events.c). */
struct ev_stats {
    uint64_t messages;           /* messages and file events read */
    uint64_t records;            /* endpoint records produced */
    uint64_t suspicious;         /* of them, msiexec runs the classifier calls suspicious */
    uint64_t sysmon1, sysmon3, sysmon7, sysmon22, sec4688, msi1040, msi1042;
    uint64_t ignored;            /* other events, dropped before full parsing */
    uint64_t malformed;          /* could not be parsed */
    uint64_t no_time;            /* records that took their receive time */
    uint64_t file_oversize;      /* -e: a line or document longer than the bound */
    char last_malformed[96];     /* the reason of the last malformed one */
};

#endif
