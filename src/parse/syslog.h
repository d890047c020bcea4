/* syslog.h -- syslog as Windows event forwarders send it: the message header
 * (RFC 5424, RFC 3164 and its common variants, or none at all) and the TCP
 * framing of RFC 6587 (octet counting or newline-terminated, chosen by the
 * first frame of a connection). Pure functions over bytes: no sockets here
 * (those are in syslog_in.c). */
#ifndef MW_PARSE_SYSLOG_H
#define MW_PARSE_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum syslog_kind { SYSLOG_HEADERLESS = 0, SYSLOG_RFC3164, SYSLOG_RFC5424 };

struct syslog_hdr {
    enum syslog_kind kind;
    int pri;                 /* 0..191, -1 when absent */
    char hostname[256];      /* HOSTNAME, "" when absent or "-" */
    char app[64];            /* APP-NAME or the RFC 3164 TAG, "" when absent */
    size_t msg_off, msg_len; /* the payload (MSG) within the buffer, BOM and trailing CR/LF/NUL removed */
};

/* Split one syslog message into header and payload. Never fails: bytes that
 * are not a header are the payload of a headerless message. */
void syslog_parse(const uint8_t *buf, size_t len, struct syslog_hdr *h);

/* TCP framing, one per connection. */
enum syslog_framing { SYSLOG_FRAME_UNKNOWN = 0, SYSLOG_FRAME_OCTET, SYSLOG_FRAME_LF };

struct syslog_framer {
    enum syslog_framing mode;
    uint64_t discard;        /* octet counting: bytes of an oversize message still to drop */
    bool discard_line;       /* newline framing: dropping an oversize line up to its LF */
};

enum syslog_frame_res {
    SYSLOG_NEED_MORE = 0,    /* no complete frame in the buffer yet; *consumed may be > 0 (discarded bytes) */
    SYSLOG_MSG,              /* a message at [*msg_off, *msg_off + *msg_len); consume *consumed bytes */
    SYSLOG_OVERSIZE,         /* a message longer than max_msg is being dropped; consume *consumed bytes */
    SYSLOG_BAD_FRAME,        /* octet counting with a malformed length: the stream cannot be resynchronized */
};

/* Look for the next frame in buf[0..len). The caller drops *consumed bytes
 * from the front of its buffer after each call, and calls again while the
 * result is not SYSLOG_NEED_MORE (or consumed > 0). */
enum syslog_frame_res syslog_frame(struct syslog_framer *f, const uint8_t *buf, size_t len, size_t max_msg,
                                   size_t *consumed, size_t *msg_off, size_t *msg_len);

#endif
