/* events.c -- the endpoint feed (see events.h). */
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "msiexec.h"
#include "parse/syslog.h"
#include "text.h"

void ev_feed_init(struct ev_feed *f, size_t max_msg, ev_sink_fn sink, void *ctx)
{
    memset(f, 0, sizeof *f);
    f->max_msg = max_msg;
    f->sink = sink;
    f->sink_ctx = ctx;
}

static void count_code(struct ev_stats *st, unsigned code)
{
    switch (code) {
    case 1: st->sysmon1++; break;
    case 3: st->sysmon3++; break;
    case 7: st->sysmon7++; break;
    case 22: st->sysmon22++; break;
    case 4688: st->sec4688++; break;
    case 1040: st->msi1040++; break;
    case 1042: st->msi1042++; break;
    default: break;
    }
}

/* The msiexec verdict of a process creation, or whether an installer
 * transaction's package came from elsewhere. */
static void classify(struct rec_endpoint *r)
{
    r->has_mx = false;
    if (r->code == 1 || r->code == 4688) {
        msiexec_classify(r->image, r->original_file_name, r->cmdline, &r->mx);
        r->has_mx = r->mx.is_msiexec;
    } else if ((r->code == 1040 || r->code == 1042) && r->package[0]) {
        struct msiexec_verdict *v = &r->mx;
        memset(v, 0, sizeof *v);
        v->is_msiexec = true;
        v->action = 'i';
        text_set(v->package, sizeof v->package, r->package);
        const char *reason = NULL;
        if (msiexec_remote_source(r->package, &v->dest[0], &reason)) {
            v->suspicious = true;
            v->has_dest = true;
            v->ndest = 1;
            v->reasons[v->nreasons++] = reason;
        }
        r->has_mx = true;
    }
}

void ev_feed_message(struct ev_feed *f, const uint8_t *msg, size_t len, const struct mw_addr *peer,
                     uint64_t recv_us)
{
    struct syslog_hdr h;
    syslog_parse(msg, len, &h);
    if (h.msg_len == 0)
        return; /* a header alone or an empty line: nothing to read */
    f->st.messages++;
    struct rec_endpoint *r = &f->rec;
    const char *why = NULL;
    enum winevent_result res =
        winevent_parse((const char *)msg + h.msg_off, h.msg_len, recv_us, &f->wopts, r, &why);
    if (res == WINEVENT_IGNORED) {
        f->st.ignored++;
        return;
    }
    if (res != WINEVENT_OK) {
        f->st.malformed++;
        text_set(f->st.last_malformed, sizeof f->st.last_malformed, why ? why : "malformed");
        return;
    }
    r->recv_us = recv_us;
    if (h.hostname[0])
        text_set(r->syslog_host, sizeof r->syslog_host, h.hostname);
    else if (peer)
        mw_addr_str(peer, r->syslog_host, sizeof r->syslog_host);
    else
        r->syslog_host[0] = '\0';
    classify(r);
    if (r->has_mx && r->mx.suspicious)
        f->st.suspicious++;
    f->st.records++;
    count_code(&f->st, r->code);
    if (r->ts_is_receive)
        f->st.no_time++;
    if (f->capture) {
        memcpy(f->capture, r, sizeof *r);
        f->captured = true;
    } else if (f->sink) {
        f->sink(f->sink_ctx, r);
    }
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* "11/08/2022 11:27:19 AM": the first line of a Splunk WinEventLog event. */
static bool splunk_date_line(const uint8_t *p, size_t n)
{
    static const char pat[] = "00/00/0000 0";
    if (n < sizeof pat - 1)
        return false;
    for (size_t i = 0; i < sizeof pat - 1; i++)
        if (pat[i] == '0' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != (uint8_t)pat[i])
            return false;
    return true;
}

static bool line_starts(const uint8_t *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(p, lit, k) == 0;
}

/* A document over several lines starting at p: pretty-printed JSON (a '{'
 * or '[' whose value has not closed at the end of the line, continued by
 * lines that start with white space or a closing bracket or a quote, as a
 * pretty-printer writes them; a line that starts anything else ends it, so
 * a truncated one-line object cannot swallow the next event) or a Splunk
 * multi-line event (a date line, "LogName=...", up to the next date line).
 * Returns the document's length (up to but not including its last newline)
 * or 0 when it is a plain line; *more when the end is not in p[0..n). */
static size_t multiline_len(const uint8_t *p, size_t n, bool at_eof, bool *more)
{
    *more = false;
    const uint8_t *nl = memchr(p, '\n', n);
    if (p[0] == '{' || p[0] == '[') {
        int depth = 0;
        bool str = false, esc = false;
        for (size_t i = 0; i < n; i++) {
            uint8_t b = p[i];
            if (str) {
                if (esc)
                    esc = false;
                else if (b == '\\')
                    esc = true;
                else if (b == '"')
                    str = false;
                continue;
            }
            if (b == '"')
                str = true;
            else if (b == '{' || b == '[')
                depth++;
            else if (b == '}' || b == ']') {
                if (--depth == 0) /* closed on its first line: a plain line */
                    return nl != NULL && (size_t)(nl - p) < i ? i + 1 : 0;
            } else if (b == '\n') {
                if (i + 1 >= n) {
                    *more = !at_eof;
                    return 0;
                }
                uint8_t c = p[i + 1];
                if (!(c == ' ' || c == '\t' || c == '\r' || c == '}' || c == ']' || c == '"'))
                    return 0; /* the next line starts a new event */
            }
        }
        *more = !at_eof;
        return 0;
    }
    if (nl && splunk_date_line(p, (size_t)(nl - p)) && line_starts(nl + 1, n - (size_t)(nl - p) - 1, "LogName=")) {
        const uint8_t *q = nl + 1;
        for (;;) {
            const uint8_t *e = memchr(q, '\n', n - (size_t)(q - p));
            if (e == NULL) {
                if (at_eof)
                    return n;
                *more = true;
                return 0;
            }
            const uint8_t *next = e + 1;
            size_t rest = n - (size_t)(next - p);
            if (rest == 0 && at_eof)
                return (size_t)(e - p);
            if (splunk_date_line(next, rest))
                return (size_t)(e - p);
            q = next;
        }
    }
    return 0;
}

/* What the reader is dropping: an oversize line up to its newline, or an
 * oversize XML document up to its </Event>. */
enum skip { SKIP_NONE, SKIP_LINE, SKIP_EVENT };

/* Handle the complete events in buf[0..len); returns the bytes consumed. */
static size_t feed_buffer(struct ev_feed *f, const uint8_t *buf, size_t len, bool eof, enum skip *skip)
{
    static const char end_tag[] = "</Event>";
    size_t pos = 0;
    while (pos < len && !f->captured) { /* pull mode: one record at a time */
        if (*skip != SKIP_NONE) {
            const char *term = *skip == SKIP_LINE ? "\n" : end_tag;
            size_t tl = strlen(term);
            const uint8_t *e = memmem(buf + pos, len - pos, term, tl);
            if (!e) /* keep the tail that may start the terminator */
                return len - pos > tl ? len - (tl - 1) : pos;
            pos = (size_t)(e - buf) + tl;
            *skip = SKIP_NONE;
            continue;
        }
        while (pos < len && is_space(buf[pos]))
            pos++;
        if (len - pos >= 3 && buf[pos] == 0xEF && buf[pos + 1] == 0xBB && buf[pos + 2] == 0xBF)
            pos += 3;
        if (pos >= len)
            break;
        const uint8_t *p = buf + pos;
        size_t n = len - pos;
        if (p[0] == '<' && n >= 2 && !(p[1] >= '0' && p[1] <= '9')) {
            /* rendered XML: the declaration, the <Events> wrapper, comments
             * and one <Event> document after another (parse/winevent.c) */
            size_t xp = 0, ds = 0, de = 0;
            enum winevent_xml_res xr = winevent_xml_next((const char *)p, n, &xp, &ds, &de);
            if (xr == WINEVENT_XML_DOC) {
                if (de - ds > f->max_msg)
                    f->st.file_oversize++;
                else
                    ev_feed_message(f, p + ds, de - ds, NULL, mw_wall_us());
                pos += de;
                continue;
            }
            if (xr == WINEVENT_XML_MORE) {
                if (n - ds > f->max_msg) { /* drop it up to its end tag */
                    f->st.file_oversize++;
                    *skip = SKIP_EVENT;
                    pos += ds + 1;
                    continue;
                }
                if (eof) { /* a document cut short: the parser says what is wrong */
                    ev_feed_message(f, p + ds, n - ds, NULL, mw_wall_us());
                    return len;
                }
                pos += ds;
                break;
            }
            /* END: nothing more starts here; keep a partial tag for the next read */
            if (xp == 0 && !eof)
                break;
            pos += xp ? xp : n;
            continue;
        }
        /* one event per line, or a document over several lines (pretty-
         * printed JSON, Splunk's multi-line key=value) */
        size_t scan = n < f->max_msg + 1 ? n : f->max_msg + 1;
        bool more = false;
        size_t dl = multiline_len(p, scan, eof && scan == n, &more);
        if (dl > 0) {
            ev_feed_message(f, p, dl, NULL, mw_wall_us());
            pos += dl;
            continue;
        }
        if (more && n <= f->max_msg && !eof)
            break; /* the document may go on in the next read */
        const uint8_t *nl = memchr(p, '\n', scan);
        if (nl) {
            ev_feed_message(f, p, (size_t)(nl - p), NULL, mw_wall_us());
            pos = (size_t)(nl - buf) + 1;
            continue;
        }
        if (n > f->max_msg) {
            f->st.file_oversize++;
            *skip = SKIP_LINE;
            pos += scan;
            continue;
        }
        if (eof) {
            ev_feed_message(f, p, n, NULL, mw_wall_us());
            return len;
        }
        break;
    }
    return pos;
}

struct ev_reader {
    struct ev_feed *f;
    FILE *fp;
    bool std, eof;
    char path[4096];
    uint8_t *buf;
    size_t len, cap;
    enum skip skip;
    struct rec_endpoint rec;
};

struct ev_reader *ev_reader_open(struct ev_feed *f, const char *path, char *err, size_t errlen)
{
    struct ev_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    r->f = f;
    r->std = strcmp(path, "-") == 0;
    snprintf(r->path, sizeof r->path, "%s", r->std ? "standard input" : path);
    r->fp = r->std ? stdin : fopen(path, "rb");
    r->cap = f->max_msg + 65536;
    r->buf = malloc(r->cap);
    if (!r->fp || !r->buf) {
        snprintf(err, errlen, "%s: %s", path, r->fp ? "out of memory" : strerror(errno));
        ev_reader_close(r);
        return NULL;
    }
    return r;
}

int ev_reader_next(struct ev_reader *r, char *err, size_t errlen)
{
    struct ev_feed *f = r->f;
    f->capture = &r->rec;
    f->captured = false;
    int rc = 0;
    for (;;) {
        size_t used = feed_buffer(f, r->buf, r->len, r->eof, &r->skip);
        memmove(r->buf, r->buf + used, r->len - used);
        r->len -= used;
        if (f->captured) {
            rc = 1;
            break;
        }
        if (r->eof)
            break;
        size_t got = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
        r->len += got;
        if (got == 0) {
            if (ferror(r->fp) && errno == EINTR) { /* a signal: the caller decides */
                clearerr(r->fp);
                snprintf(err, errlen, "%s: %s", r->path, strerror(EINTR));
                rc = -2;
                break;
            }
            if (ferror(r->fp)) {
                snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
                rc = -1;
                break;
            }
            r->eof = true;
        }
    }
    f->capture = NULL;
    f->captured = false;
    return rc;
}

void ev_reader_stop(struct ev_reader *r)
{
    r->eof = true;
}

const struct rec_endpoint *ev_reader_peek(const struct ev_reader *r)
{
    return &r->rec;
}

void ev_reader_close(struct ev_reader *r)
{
    if (!r)
        return;
    if (r->fp && !r->std)
        fclose(r->fp);
    free(r->buf);
    free(r);
}

int ev_feed_file(struct ev_feed *f, const char *path, char *err, size_t errlen)
{
    struct ev_reader *r = ev_reader_open(f, path, err, errlen);
    if (!r)
        return -1;
    int rc;
    while ((rc = ev_reader_next(r, err, errlen)) == 1)
        if (f->sink)
            f->sink(f->sink_ctx, &r->rec);
    ev_reader_close(r);
    return rc < 0 ? -1 : 0;
}
