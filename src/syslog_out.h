/* syslog_out.h -- alert forwarding to a SIEM collector (issue 8): each
 * alert as one RFC 5424 message, "<PRI>1 TIMESTAMP HOSTNAME msiwatch PID
 * alert - JSON", over UDP (one datagram each) or TCP (RFC 6587 octet
 * counting). Never blocks the sensor: messages wait in a bounded queue, a
 * TCP connection is remade with backoff, and every message that cannot be
 * sent is counted by cause. Knows nothing of JSON; prints nothing. */
#ifndef MW_SYSLOG_OUT_H
#define MW_SYSLOG_OUT_H

#include <stddef.h>
#include <stdint.h>

#define SYSLOG_OUT_QUEUE_DEFAULT 1000
#define SYSLOG_OUT_FACILITY_DEFAULT 16 /* local0 */

struct syslog_out_stats {
    uint64_t sent;               /* messages handed whole to the kernel */
    uint64_t queued;             /* waiting now */
    uint64_t connects;           /* TCP connections made */
    uint64_t disconnects;        /* TCP connections lost (the message being written is sent again) */
    uint64_t connect_failed;     /* TCP connection attempts that failed */
    uint64_t queue_full;         /* dropped: the queue was full (collector away too long) */
    uint64_t oversize;           /* dropped: longer than a datagram can carry */
    uint64_t send_failed;        /* dropped: UDP send refused by the system */
    uint64_t at_exit;            /* dropped: still queued when msiwatch stopped */
};

struct syslog_out;

/* A facility name (kern, user, mail, daemon, auth, syslog, lpr, news, uucp,
 * cron, authpriv, ftp, local0..local7) or number 0..23; -1 if neither. */
int syslog_out_facility(const char *name);
/* udp://HOST:PORT or tcp://HOST:PORT (HOST a name, an address or [IPv6]);
 * the name is resolved once, here. hostname is the message's HOSTNAME
 * (the observer name). Returns NULL with err set; *usage is set when the
 * URL itself is malformed (bad usage) rather than unresolvable. */
struct syslog_out *syslog_out_new(const char *url, int facility, size_t max_queue, const char *hostname,
                                  int *usage, char *err, size_t errlen);
/* Queue one alert (its JSON, event.severity 0..4, @timestamp) and send
 * what the socket takes now. */
void syslog_out_alert(struct syslog_out *s, const char *json, size_t len, int severity, uint64_t ts_us);
/* Send what is queued, notice a lost connection, reconnect when due. Call
 * after each wakeup of the main loop. */
void syslog_out_service(struct syslog_out *s);
/* At exit: keep sending for up to timeout_ms until the queue is empty; what
 * is left is counted as dropped at exit. */
void syslog_out_drain(struct syslog_out *s, unsigned timeout_ms);
void syslog_out_stats(const struct syslog_out *s, struct syslog_out_stats *st);
void syslog_out_free(struct syslog_out *s);

/* The message for one alert, without framing, into buf (for tests):
 * returns its length, or 0 if it does not fit. */
size_t syslog_out_format(char *buf, size_t cap, int facility, int severity, uint64_t ts_us, const char *hostname,
                         long pid, const char *json, size_t len);

#endif
