/* syslog.c -- syslog headers and TCP framing (see syslog.h).
 *
 * Headers as forwarders really write them:
 *   RFC 5424  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [BOM]MSG
 *   RFC 3164  <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
 *             <PRI>2026-11-28T15:20:52.123+01:00 HOSTNAME TAG: MSG   (rsyslog forward format)
 *             <14>Nov 25 05:54:32 DC-01 MSWinEventLog\t1\t...       (Snare: no colon, the tag is payload)
 *             <13>2026-11-28T15:20:52+01:00 host nxlog {"EventID":1}  (rsyslog: a tag without its colon)
 *             <14>{"EventID":1,...}                                   (a PRI and nothing else)
 *   none      {"EventID":1,...} one JSON object per line (NXLog, OpenWEC)
 * A token is taken as HOSTNAME only when it looks like one; anything else
 * starts the payload, so that no byte of an event is lost to a guess. */
#include "parse/syslog.h"

#include <string.h>

#include "text.h"

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Host names, IPv4 and IPv6 literals as senders write them. */
static bool is_host_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '-' ||
           c == '_' || c == ':' || c == '%';
}

/* Length of the token at p (up to SP, TAB or end). */
static size_t token_len(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] != ' ' && p[i] != '\t')
        i++;
    return i;
}

static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "Mmm dd hh:mm:ss" with dd space- or zero-padded; returns its length or 0. */
static size_t bsd_time_len(const uint8_t *p, size_t n)
{
    if (n < 15)
        return 0;
    bool mon = false;
    for (int i = 0; i < 12; i++)
        mon |= memcmp(p, months[i], 3) == 0;
    if (!mon || p[3] != ' ' || (p[4] != ' ' && !is_digit(p[4])) || !is_digit(p[5]) || p[6] != ' ')
        return 0;
    if (!is_digit(p[7]) || !is_digit(p[8]) || p[9] != ':' || !is_digit(p[10]) || !is_digit(p[11]) ||
        p[12] != ':' || !is_digit(p[13]) || !is_digit(p[14]))
        return 0;
    size_t i = 15;
    /* some senders add milliseconds or a year: "Nov 28 15:20:52.123", "Nov 28 2026 15:20:52" is not seen */
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && is_digit(p[i]))
            i++;
    }
    return i;
}

/* An RFC 3339 timestamp token "YYYY-MM-DDThh:mm:ss..." ; returns its length or 0. */
static size_t iso_time_len(const uint8_t *p, size_t n)
{
    if (n < 19 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[3]) || p[4] != '-' ||
        p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':')
        return 0;
    return token_len(p, n);
}

static void set_payload(struct syslog_hdr *h, const uint8_t *buf, size_t off, size_t len)
{
    /* a UTF-8 BOM before the payload (RFC 5424 6.4, and some file exports) */
    if (len - off >= 3 && buf[off] == 0xEF && buf[off + 1] == 0xBB && buf[off + 2] == 0xBF)
        off += 3;
    h->msg_off = off;
    h->msg_len = len - off;
}

/* After the RFC 3164 timestamp (or without one): [HOSTNAME SP] [TAG[PID]: ] MSG */
static void parse_3164_rest(const uint8_t *buf, size_t len, size_t i, struct syslog_hdr *h)
{
    size_t t = token_len(buf + i, len - i);
    bool host_like = t > 0 && t < sizeof h->hostname && buf[i + t - 1] != ':' && i + t < len;
    for (size_t k = 0; host_like && k < t; k++)
        host_like = is_host_char(buf[i + k]);
    if (host_like) {
        text_copy(h->hostname, sizeof h->hostname, buf + i, t);
        i += t;
        while (i < len && buf[i] == ' ')
            i++;
    }
    /* TAG: alphanumerics and a few punctuation marks, ended by ':' or '[' */
    size_t k = i;
    while (k < len && k - i < 48 && buf[k] != ':' && buf[k] != '[' && buf[k] != ' ' && buf[k] != '\t' &&
           buf[k] != '{' && buf[k] != '<' && buf[k] != '"')
        k++;
    size_t tag_end = k;
    if (k < len && buf[k] == '[') {
        size_t m = k + 1;
        while (m < len && m - k < 24 && is_digit(buf[m]))
            m++;
        k = (m < len && buf[m] == ']') ? m + 1 : tag_end;
    }
    if (k > i && k < len && buf[k] == ':' && tag_end > i) {
        text_copy(h->app, sizeof h->app, buf + i, tag_end - i);
        k++;
        if (k < len && buf[k] == ' ')
            k++;
        set_payload(h, buf, k, len);
        return;
    }
    /* "TAG MSG" without the colon, as rsyslog forwards an RFC 5424 message in
     * a BSD-style template ("... host nxlog {json}"): a tag-like word whose
     * message is plainly a JSON or XML event */
    if (k == tag_end && k > i && k + 1 < len && buf[k] == ' ' &&
        (buf[k + 1] == '{' || buf[k + 1] == '[' || buf[k + 1] == '<')) {
        text_copy(h->app, sizeof h->app, buf + i, tag_end - i);
        set_payload(h, buf, k + 1, len);
        return;
    }
    /* no "TAG:": the payload starts here (Snare's MSWinEventLog, JSON, XML) */
    set_payload(h, buf, i, len);
}

/* RFC 5424 after "<PRI>1 ". Returns false when the header is malformed. */
static bool parse_5424(const uint8_t *buf, size_t len, size_t i, struct syslog_hdr *h)
{
    size_t tok[5][2];
    for (int f = 0; f < 5; f++) { /* TIMESTAMP HOSTNAME APP-NAME PROCID MSGID */
        size_t t = token_len(buf + i, len - i);
        if (t == 0 || i + t >= len || buf[i + t] != ' ')
            return false;
        tok[f][0] = i;
        tok[f][1] = t;
        i += t + 1;
    }
    /* STRUCTURED-DATA: "-" or one or more [ID PARAM="VALUE" ...] with \" \\ \] escapes */
    if (i >= len)
        return false;
    if (buf[i] == '-') {
        i++;
    } else if (buf[i] == '[') {
        while (i < len && buf[i] == '[') {
            bool quoted = false;
            i++;
            while (i < len) {
                uint8_t c = buf[i];
                if (quoted && c == '\\' && i + 1 < len) {
                    i += 2;
                    continue;
                }
                if (c == '"')
                    quoted = !quoted;
                else if (c == ']' && !quoted)
                    break;
                i++;
            }
            if (i >= len)
                return false;
            i++; /* ']' */
        }
    } else {
        return false;
    }
    if (i < len && buf[i] != ' ')
        return false;
    if (i < len)
        i++;
    h->kind = SYSLOG_RFC5424;
    if (!(tok[1][1] == 1 && buf[tok[1][0]] == '-'))
        text_copy(h->hostname, sizeof h->hostname, buf + tok[1][0], tok[1][1]);
    if (!(tok[2][1] == 1 && buf[tok[2][0]] == '-'))
        text_copy(h->app, sizeof h->app, buf + tok[2][0], tok[2][1]);
    set_payload(h, buf, i, len);
    return true;
}

void syslog_parse(const uint8_t *buf, size_t len, struct syslog_hdr *h)
{
    memset(h, 0, sizeof *h);
    h->pri = -1;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == '\0'))
        len--;
    set_payload(h, buf, 0, len);
    if (len < 3 || buf[0] != '<')
        return;
    size_t i = 1;
    int pri = 0;
    while (i < len && i <= 3 && is_digit(buf[i]))
        pri = pri * 10 + (buf[i++] - '0');
    if (i == 1 || i >= len || buf[i] != '>' || pri > 191)
        return;
    i++;
    h->pri = pri;
    h->kind = SYSLOG_RFC3164;
    if (i + 1 < len && buf[i] == '1' && buf[i + 1] == ' ' && parse_5424(buf, len, i + 2, h))
        return;
    size_t t = bsd_time_len(buf + i, len - i);
    if (t == 0)
        t = iso_time_len(buf + i, len - i);
    if (t == 0) { /* a PRI and then the payload */
        set_payload(h, buf, i, len);
        return;
    }
    i += t;
    while (i < len && buf[i] == ' ')
        i++;
    parse_3164_rest(buf, len, i, h);
}

/* Longest MSG-LEN accepted: 9 digits (under 1 GB), far above any bound. */
#define OCTET_DIGITS_MAX 9

enum syslog_frame_res syslog_frame(struct syslog_framer *f, const uint8_t *buf, size_t len, size_t max_msg,
                                   size_t *consumed, size_t *msg_off, size_t *msg_len)
{
    *consumed = 0;
    *msg_off = *msg_len = 0;
    if (f->discard > 0) { /* the rest of an oversize octet-counted message */
        size_t d = len < f->discard ? len : (size_t)f->discard;
        f->discard -= d;
        *consumed = d;
        return SYSLOG_NEED_MORE;
    }
    if (len == 0)
        return SYSLOG_NEED_MORE;
    if (f->mode == SYSLOG_FRAME_UNKNOWN)
        f->mode = (buf[0] >= '1' && buf[0] <= '9') ? SYSLOG_FRAME_OCTET : SYSLOG_FRAME_LF;
    if (f->mode == SYSLOG_FRAME_OCTET) {
        size_t i = 0;
        uint64_t n = 0;
        while (i < len && i < OCTET_DIGITS_MAX && is_digit(buf[i]))
            n = n * 10 + (uint64_t)(buf[i++] - '0');
        if (i == len)
            return SYSLOG_NEED_MORE;
        if (i == 0 || buf[0] == '0' || buf[i] != ' ' || n == 0)
            return SYSLOG_BAD_FRAME;
        i++;
        if (n > max_msg) {
            f->discard = n;
            size_t d = len - i < n ? len - i : (size_t)n;
            f->discard -= d;
            *consumed = i + d;
            return SYSLOG_OVERSIZE;
        }
        if (len - i < n)
            return SYSLOG_NEED_MORE;
        *msg_off = i;
        *msg_len = (size_t)n;
        *consumed = i + (size_t)n;
        return SYSLOG_MSG;
    }
    /* newline framing */
    size_t scan = len < max_msg + 1 ? len : max_msg + 1;
    const uint8_t *nl = memchr(buf, '\n', scan);
    if (f->discard_line) {
        if (nl == NULL) {
            *consumed = scan;
            return SYSLOG_NEED_MORE;
        }
        f->discard_line = false;
        *consumed = (size_t)(nl - buf) + 1;
        return SYSLOG_NEED_MORE;
    }
    if (nl == NULL) {
        if (len <= max_msg)
            return SYSLOG_NEED_MORE;
        f->discard_line = true;
        *consumed = scan;
        return SYSLOG_OVERSIZE;
    }
    size_t n = (size_t)(nl - buf);
    *consumed = n + 1;
    while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\0'))
        n--;
    *msg_off = 0;
    *msg_len = n;
    return SYSLOG_MSG;
}
