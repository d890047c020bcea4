/* syslog_in.h -- the syslog listeners: UDP (one message per datagram), TCP
 * and TLS (RFC 5425) with RFC 6587 framing, many senders at once. Checks
 * each sender against the allowlist of source networks, bounds the size of
 * a message, the number of connections and their idle time, and counts
 * every message it drops. Hands each message's bytes to a callback; knows
 * nothing of what they contain (parse/syslog.c and events.c do). */
#ifndef MW_SYSLOG_IN_H
#define MW_SYSLOG_IN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct mw_net {
    struct mw_addr addr;
    unsigned prefix;             /* 0..128, over the 16-byte form (IPv4 /n is 96+n) */
};

/* "10.0.0.0/8", "2001:db8::/32", "192.0.2.7" (a host). Returns false if malformed. */
bool mw_net_parse(const char *s, struct mw_net *n);
bool mw_net_contains(const struct mw_net *n, const struct mw_addr *a);

#define SYSLOG_MAX_ALLOW 256

struct syslog_cfg {
    size_t max_msg;              /* bytes; a longer message is dropped and counted (default 65536) */
    unsigned max_conns;          /* TCP/TLS connections at once; more are refused and counted (default 256) */
    unsigned idle_timeout_s;     /* a connection silent this long is closed (default 300) */
    struct mw_net allow[SYSLOG_MAX_ALLOW];
    size_t nallow;               /* 0: loopback only (127.0.0.0/8, ::1) */
    const char *tls_cert, *tls_key; /* PEM files for tls:// listeners */
};

void syslog_cfg_defaults(struct syslog_cfg *c);

struct syslog_stats {
    uint64_t messages;           /* delivered to the callback */
    uint64_t bytes;              /* bytes of delivered messages */
    uint64_t udp, tcp, tls;      /* delivered, by transport */
    uint64_t not_allowed;        /* datagrams and connections from outside the allowlist */
    uint64_t oversize;           /* messages longer than max_msg */
    uint64_t bad_frame;          /* connections closed on a malformed octet count */
    uint64_t truncated;          /* a connection ended inside a frame */
    uint64_t conn_refused;       /* connections over max_conns */
    uint64_t conn_idle;          /* connections closed for idleness */
    uint64_t tls_failed;         /* TLS handshakes or records that failed */
    uint64_t connections;        /* TCP/TLS connections accepted */
    uint64_t conns_open;         /* now */
};

/* A message: bytes (not NUL-terminated), the sender, its receive time. */
typedef void (*syslog_deliver_fn)(void *ctx, const uint8_t *msg, size_t len, const struct mw_addr *peer,
                                  uint64_t recv_us);

struct syslog_in;

struct syslog_in *syslog_in_new(const struct syslog_cfg *cfg, syslog_deliver_fn fn, void *ctx);
/* Bind and listen on udp://ADDR:PORT, tcp://ADDR:PORT or tls://ADDR:PORT
 * (ADDR an address, [IPv6] or *). Returns 0; -2 with err set for a bad
 * URL or missing TLS files (bad usage); -1 when the system refuses. */
int syslog_in_listen(struct syslog_in *s, const char *url, char *err, size_t errlen);
/* The port a listener got (for port 0 in tests); 0 if no such listener. */
uint16_t syslog_in_port(const struct syslog_in *s, size_t i);
/* pollfd entries needed at most, and filling them (returns how many). */
size_t syslog_in_maxfds(const struct syslog_in *s);
size_t syslog_in_pollfds(struct syslog_in *s, struct pollfd *pfd, size_t max);
/* Handle what poll() reported on the entries that syslog_in_pollfds filled,
 * then close idle connections. now_us: wall clock. */
void syslog_in_service(struct syslog_in *s, const struct pollfd *pfd, size_t n, uint64_t now_us);
void syslog_in_stats(const struct syslog_in *s, struct syslog_stats *st);
/* Stop listening and close every connection: one inside a frame counts as
 * truncated, a final newline-framed line without its newline is delivered.
 * The counters stay readable. */
void syslog_in_close_all(struct syslog_in *s);
void syslog_in_free(struct syslog_in *s);

#endif
