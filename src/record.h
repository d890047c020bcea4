/* record.h -- the records msiwatch produces, as plain structs with the
 * packet's or the event's timestamp (DESIGN.md section 4). Producers fill
 * them; output.c alone turns them into JSON. */
#ifndef MW_RECORD_H
#define MW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "decode.h"
#include "geo.h"
#include "msiexec.h"

/* A flow that ended (event.dataset msiwatch.flow). */
struct rec_flow {
    uint64_t id;
    uint64_t start_us, end_us;
    struct mw_addr src, dst;       /* client, server */
    uint16_t sport, dport;
    uint8_t l4proto;
    uint16_t vlan[MW_MAX_VLAN];
    uint8_t nvlan;
    uint64_t pkts[2], bytes[2];    /* [0] client to server */
    uint64_t app_bytes[2];         /* TCP: bytes reassembled per direction */
    uint32_t gaps[2];              /* TCP: gaps per direction */
    const char *protocol;          /* nDPI master (or app) protocol name */
    char ndpi_name[128];           /* full nDPI name, e.g. HTTP.Wikipedia */
    bool ndpi_guessed;             /* ndpi_name is a guess from ports or addresses */
    const char *end_reason;        /* timeout, evicted, end_of_input */
    bool has_digest;
    uint8_t sha256[2][32];         /* --flow-digests: reassembled bytes per direction */
    bool digest_gap[2];            /* a gap made the digest partial */
};

/* What every network record carries about its flow. */
struct rec_net {
    uint64_t ts_us;                /* the packet that completed the record */
    uint64_t flow_id;
    struct mw_addr src, dst;       /* client, server */
    uint16_t sport, dport;
    uint8_t l4proto;
    uint16_t vlan;                 /* outer VLAN id, when has_vlan */
    bool has_vlan;
    char dst_domain[256];          /* the name DNS resolved the server address from, "" if none */
};

#define REC_URL_MAX 4096

/* One HTTP request and its response (event.dataset msiwatch.http). */
struct rec_http {
    struct rec_net n;
    char method[32];
    char host[256];                /* Host header (or absolute URI host), lower case, no port */
    uint16_t port;                 /* url.port: explicit port of the Host header or URI, else the server port */
    char path[REC_URL_MAX];
    char query[REC_URL_MAX];
    char url[REC_URL_MAX];         /* url.original: the full URL as requested */
    char user_agent[512];
    bool has_response;
    int status;
    char mime[128];                /* Content-Type without parameters */
    bool has_content_length;
    uint64_t content_length;
    const char *file_type;         /* msi, msp, mst, pe-dll, pe-exe, cab, zip, other; NULL: no body */
    const char *body;              /* complete, gap, truncated, partial, none */
    bool has_hash;
    uint8_t sha256[32];
    uint64_t size;                 /* body bytes seen */
    bool webdav;                   /* Microsoft-WebDAV-MiniRedir */
    char unc[REC_URL_MAX];         /* WebDAV: \\host@port\DavWWWRoot\path */
    char content_encoding[32];
    bool decoded;                  /* file_type was read after undoing the gzip/deflate Content-Encoding */
};

/* A TLS ClientHello (event.dataset msiwatch.tls). */
struct rec_tls {
    struct rec_net n;
    char sni[256];
    char version[16];              /* "1.3", "1.2", ... the highest offered */
    char alpn[64];
    char ja3[33];
    bool ech, esni;
};

/* An SMB tree connect or create (event.dataset msiwatch.smb). */
struct rec_smb {
    struct rec_net n;
    const char *version;           /* "1", "2", "3" */
    const char *command;           /* tree_connect, create */
    char dialect[8];               /* "2.02", "3.1.1", ... when negotiated in the capture */
    char tree[1024];               /* \\server\share, "" when the tree is unknown */
    char path[2048];               /* create: full UNC path when the tree is known */
    char name[1024];               /* create: the name as sent, relative to the share */
    char file_name[512];           /* create: last path component */
    char user[256], domain[256], workstation[256];
    bool encrypted;
    uint32_t status;               /* NT status of the response, when seen */
    bool has_status;
    uint64_t read_bytes;           /* create: bytes read from the open file */
};

#define REC_DNS_MAX 32
/* A DNS response, or a query without one (event.dataset msiwatch.dns). */
struct rec_dns {
    struct rec_net n;
    uint16_t id;
    char qname[256];
    char qtype[16];
    bool response;
    char rcode[16];
    unsigned nresolved;
    struct mw_addr resolved[REC_DNS_MAX];
    uint32_t resolved_ttl[REC_DNS_MAX];
    unsigned nan;
    /* last: a copy of the record (recbus.c, --workers) takes an[0..nan) only */
    struct {
        char name[256];
        char type[16];
        char data[256];
        uint32_t ttl;
    } an[REC_DNS_MAX];
};

/* A DHCP client identity (event.dataset msiwatch.dhcp). */
struct rec_dhcp {
    struct rec_net n;
    char msg_type[16];
    char hostname[256];
    char mac[18];
    struct mw_addr assigned;       /* yiaddr of an ACK, or the requested address */
    bool has_assigned;
};

/* An endpoint event (event.dataset msiwatch.endpoint): a Windows event
 * normalized from whatever format the forwarder wrote (DESIGN.md section 4).
 * Strings are UTF-8, NUL-terminated, "" when the event lacks the field. */
#define REC_EP_CMDLINE_MAX 8192
#define REC_EP_PATH_MAX 1024
struct rec_endpoint {
    uint64_t ts_us;                /* event time, UTC microseconds */
    bool ts_is_receive;            /* no usable time in the event: ts_us is the receive time */
    uint64_t recv_us;              /* when msiwatch read it */
    unsigned code;                 /* event.code: 1, 3, 7, 22, 4688, 1040, 1042 */
    char provider[64];             /* Microsoft-Windows-Sysmon, Microsoft-Windows-Security-Auditing, MsiInstaller */
    const char *format;            /* nxlog, winlogbeat, ecs, xml, snare, kv (static string) */
    char host[256];                /* host.name: the Computer the event names */
    struct mw_addr host_ip;        /* host.ip where the forwarder adds it */
    bool has_host_ip;
    char syslog_host[256];         /* log.syslog.hostname: the forwarder that sent it */
    char guid[40];                 /* process.entity_id: ProcessGuid, upper case, no braces */
    bool has_pid;
    uint32_t pid;                  /* 4688: NewProcessId, hexadecimal in the event */
    char image[REC_EP_PATH_MAX];   /* process.executable */
    char cmdline[REC_EP_CMDLINE_MAX];
    char parent_guid[40];
    bool has_ppid;
    uint32_t ppid;
    char parent_image[REC_EP_PATH_MAX];
    char original_file_name[256];  /* process.pe.original_file_name (Sysmon 1, 7) */
    char user[256];                /* user.name as the event gives it (DOMAIN\user) */
    char dll_path[REC_EP_PATH_MAX];/* Sysmon 7 ImageLoaded */
    bool has_signed;
    bool dll_signed;
    char signature_status[64];     /* Sysmon 7 SignatureStatus */
    struct mw_addr src_ip, dst_ip; /* Sysmon 3 */
    bool has_src_ip, has_dst_ip;
    uint16_t src_port, dst_port;
    char dst_domain[256];          /* Sysmon 3 DestinationHostname, Sysmon 22 QueryName */
    char query_results[1024];      /* Sysmon 22 QueryResults, as written */
    char package[REC_EP_PATH_MAX]; /* MsiInstaller 1040/1042: the package source */
    char product[256];             /* MsiInstaller: product name, where given */
    /* The msiexec classifier (DESIGN.md section 5) on a process creation
     * (1, 4688) whose program is msiexec, or on an MsiInstaller package
     * source (1040, 1042); has_mx false otherwise. */
    bool has_mx;
    struct msiexec_verdict mx;
};

/* Alerts (event.dataset msiwatch.alert): AN0445 chains built by the
 * correlator (correlate.c), written by output_alert. */
#define ALERT_MAX_NET 16
#define ALERT_MAX_MOD 16
#define ALERT_MAX_REASONS 24

/* A network record joined to an alert, as evidence. */
struct alert_net {
    uint64_t ts_us;
    const char *dataset;           /* msiwatch.http, msiwatch.tls, msiwatch.smb */
    struct mw_addr src, dst;
    uint16_t sport, dport;
    char host[256];                /* HTTP Host, SNI, or the SMB server */
    char url[512];                 /* url.original, or the SMB file.path / tree (cut at a character) */
    char user_agent[96];
    const char *file_type;         /* NULL: none */
    bool has_hash;
    uint8_t sha256[32];
    uint64_t size;
    bool webdav;
    bool windows_installer;        /* User-Agent: Windows Installer */
    bool first_seen_fqdn, first_seen_domain, first_seen_ip;
    bool has_fqdn;
    uint64_t fqdn_first_seen_us;   /* earlier sighting of the name, 0 if none */
    uint64_t hosts_before;         /* internal hosts that had used it before */
    const char *matched;           /* how it was joined: destination, sysmon3, windows-installer, dns */
    bool inferred;                 /* joined to the run's host by the fetch alone (host-inferred-from-fetch) */
    char domain[256];              /* destination.domain as the record had it */
};

/* An image load joined to an alert. */
struct alert_mod {
    uint64_t ts_us;
    char path[REC_EP_PATH_MAX];
    char process_guid[40];
    bool has_signed, is_signed;
    char status[64];
    const char *why[3];            /* unsigned-module-load, then where from: module-from-temp,
                                    * module-from-installer-folder or module-from-user-folder */
    unsigned nwhy;
};

struct rec_alert {
    uint64_t ts_us;                /* the msiexec run (or the fetch of a network-only chain) */
    char id[24];                   /* event.id, stable for the chain */
    unsigned revision;             /* 0: first write; 1, 2...: updates */
    int severity;                  /* 0..4 */
    int risk_score;
    const char *kind;              /* process, installer, network-only */
    char host[256];
    bool has_host_ip;
    struct mw_addr host_ip;
    const char *host_source;       /* where host.ip came from */
    const struct rec_endpoint *proc; /* the msiexec run (NULL for network-only) */
    const char *reasons[ALERT_MAX_REASONS];
    unsigned nreasons;
    struct alert_net net[ALERT_MAX_NET];
    unsigned nnet;
    struct alert_mod mod[ALERT_MAX_MOD];
    unsigned nmod;
    char dest_domain[256];
    bool has_dest_ip;
    struct mw_addr dest_ip;
    uint16_t dest_port;            /* of the fetch that best shows the chain, 0 if none */
    /* rarity of the chain's destination */
    bool has_rarity;
    bool first_seen_fqdn, first_seen_domain, first_seen_ip;
    uint64_t first_seen_at_us;     /* the earlier sighting, 0 when there was none */
    uint64_t rarity_hosts;
    unsigned baseline_days;
    bool baseline_complete;
    char allowlisted[600];         /* the entry that matched, "" if none */
    bool has_geo;                  /* -G: the destination address looked up */
    struct geo_info geo;
    bool has_clock_offset;
    int64_t clock_offset_us;       /* network time minus endpoint time, estimated for this host */
    char message[1024];
};

#endif
