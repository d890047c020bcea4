/* http.c -- HTTP/1.x heads, header helpers, target and Host splitting, and
 * the chunked body decoder (see http.h; DESIGN.md section 2, STYLE.md 5).
 * Every byte is read through a bytes.h cursor. The head parsers walk the
 * input once, left to right, and return MW_SHORT the moment the bytes run out
 * and MW_BAD the moment a byte cannot belong to a head, so a strict prefix of
 * a valid head can only ever be SHORT. Not here: flows, records, bodies with
 * Content-Length (the caller counts those). */
#include "parse/http.h"

#include <string.h>

/* RFC 9110 5.6.2 tchar: what a method or a header name may hold. */
static bool is_tchar(int b)
{
    if (b >= '0' && b <= '9')
        return true;
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
        return true;
    switch (b) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

/* Bytes a header value or a reason phrase may hold: RFC 9110 allows
 * field-vchar, SP, HT and obs-text, but scanners and malware send control
 * bytes too ("Nikto: \x1f") and servers accept them, so a sensor does:
 * only CR and LF (which end the line) and NUL are refused. */
static bool is_value_byte(int b)
{
    return b != 0;
}

/* Chunk extensions keep RFC 9112's rule: a control byte there is no body. */
static bool is_ext_byte(int b)
{
    return b == '\t' || (b >= 0x20 && b != 0x7f);
}

static int lower(int b)
{
    return (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
}

/* A cursor over a slice; a NULL slice gives an empty, already-bad cursor
 * (NULL + 0 is undefined in C, and UBSan says so). */
static struct mw_cur cur_of(const uint8_t *p, size_t n)
{
    if (p == NULL) {
        struct mw_cur c = { NULL, NULL, true };
        return c;
    }
    return mw_cur_make(p, n);
}

static struct mw_slice slice(const uint8_t *p, size_t n)
{
    struct mw_slice s = { p, n };
    return s;
}

/* Consume a line end (CRLF or bare LF) at c. */
static enum mw_res eat_eol(struct mw_cur *c)
{
    int b = mw_peek(c, 0);
    if (b < 0)
        return MW_SHORT;
    if (b == '\n') {
        mw_skip(c, 1);
        return MW_OK;
    }
    if (b != '\r')
        return MW_BAD;
    b = mw_peek(c, 1);
    if (b < 0)
        return MW_SHORT;
    if (b != '\n')
        return MW_BAD;
    mw_skip(c, 2);
    return MW_OK;
}

/* Empty lines before a start line are ignored (RFC 9112 2.2): some clients
 * send a CRLF after a POST body. */
static enum mw_res skip_empty_lines(struct mw_cur *c)
{
    for (;;) {
        int b = mw_peek(c, 0);
        if (b < 0)
            return MW_SHORT;
        if (b != '\r' && b != '\n')
            return MW_OK;
        enum mw_res r = eat_eol(c);
        if (r != MW_OK)
            return r;
    }
}

/* Consume the literal lit (len k): SHORT when the input is a prefix of it. */
static enum mw_res eat_lit(struct mw_cur *c, const char *lit, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        int b = mw_peek(c, i);
        if (b < 0)
            return MW_SHORT;
        if (b != (uint8_t)lit[i])
            return MW_BAD;
    }
    mw_skip(c, k);
    return MW_OK;
}

/* "HTTP/1." DIGIT, the digit being 0 or 1. */
static enum mw_res eat_version(struct mw_cur *c, int *minor)
{
    enum mw_res r = eat_lit(c, "HTTP/1.", 7);
    if (r != MW_OK)
        return r;
    int b = mw_peek(c, 0);
    if (b < 0)
        return MW_SHORT;
    if (b != '0' && b != '1')
        return MW_BAD;
    mw_skip(c, 1);
    *minor = b - '0';
    return MW_OK;
}

/* One or more tchar up to (not including) the byte stop. */
static enum mw_res eat_token(struct mw_cur *c, int stop, struct mw_slice *out)
{
    const uint8_t *start = c->p;
    size_t k = 0;
    for (;;) {
        int b = mw_peek(c, k);
        if (b < 0)
            return MW_SHORT;
        if (b == stop)
            break;
        if (!is_tchar(b))
            return MW_BAD;
        k++;
    }
    if (k == 0)
        return MW_BAD;
    mw_skip(c, k);
    *out = slice(start, k);
    return MW_OK;
}

/* Bytes up to the line end (not consumed), each passing is_value_byte, with
 * leading and trailing SP/HT left out of *out. */
static enum mw_res eat_value(struct mw_cur *c, struct mw_slice *out)
{
    size_t k = 0;
    int b;
    while ((b = mw_peek(c, k)) == ' ' || b == '\t')
        k++;
    mw_skip(c, k);
    const uint8_t *start = c->p;
    size_t n = 0, end = 0; /* end: length without trailing OWS */
    for (;;) {
        b = mw_peek(c, n);
        if (b < 0)
            return MW_SHORT;
        if (b == '\r' || b == '\n')
            break;
        if (!is_value_byte(b))
            return MW_BAD;
        n++;
        if (b != ' ' && b != '\t')
            end = n;
    }
    mw_skip(c, n);
    *out = slice(start, end);
    return MW_OK;
}

/* Header fields up to and including the empty line that ends the head. */
static enum mw_res eat_headers(struct mw_cur *c, struct http_hdr *hdr, unsigned *nhdr,
                               bool *overflow)
{
    *nhdr = 0;
    *overflow = false;
    for (;;) {
        int b = mw_peek(c, 0);
        if (b < 0)
            return MW_SHORT;
        if (b == '\r' || b == '\n')
            return eat_eol(c);
        if (b == ' ' || b == '\t')
            return MW_BAD; /* obs-fold: see http.h */
        struct mw_slice name, value;
        enum mw_res r = eat_token(c, ':', &name);
        if (r != MW_OK)
            return r;
        mw_skip(c, 1); /* the colon */
        if ((r = eat_value(c, &value)) != MW_OK)
            return r;
        if ((r = eat_eol(c)) != MW_OK)
            return r;
        if (*nhdr < HTTP_MAX_HDRS) {
            hdr[*nhdr].name = name;
            hdr[*nhdr].value = value;
            (*nhdr)++;
        } else {
            *overflow = true;
        }
    }
}

static bool starts_with(const uint8_t *buf, size_t len, const char *lit)
{
    struct mw_cur c = cur_of(buf, len);
    for (size_t i = 0; lit[i] != '\0'; i++)
        if (mw_peek(&c, i) != (uint8_t)lit[i])
            return false;
    return true;
}

enum mw_res http_req_parse(const uint8_t *buf, size_t len, struct http_req *out, size_t *used)
{
    struct mw_cur c = cur_of(buf, len);
    enum mw_res r;
    *used = 0;
    out->nhdr = 0;
    out->hdr_overflow = false;
    if ((r = skip_empty_lines(&c)) != MW_OK)
        return r;
    if ((r = eat_token(&c, ' ', &out->method)) != MW_OK)
        return r;
    mw_skip(&c, 1);
    /* request-target: any visible byte; obs-text tolerated (malware URLs). */
    const uint8_t *t0 = c.p;
    size_t k = 0;
    int b;
    for (;;) {
        b = mw_peek(&c, k);
        if (b < 0)
            return MW_SHORT;
        if (b <= 0x20 || b == 0x7f)
            break;
        k++;
    }
    if (k == 0)
        return MW_BAD;
    mw_skip(&c, k);
    out->target = slice(t0, k);
    if (b == '\r' || b == '\n') {
        /* HTTP/0.9 simple request: GET only, no headers. */
        if (out->method.n != 3 || !starts_with(out->method.p, 3, "GET"))
            return MW_BAD;
        if ((r = eat_eol(&c)) != MW_OK)
            return r;
        out->minor = -1;
        *used = (size_t)(c.p - buf);
        return MW_OK;
    }
    if (b != ' ')
        return MW_BAD;
    mw_skip(&c, 1);
    if ((r = eat_version(&c, &out->minor)) == MW_BAD) {
        /* Spaces inside the target ("GET /a;cat /etc/passwd HTTP/1.1", as
         * scanners and exploits send and servers accept): the version is the
         * last word of the line and the target everything before it. */
        c.p = t0 + k;
        size_t e = 0, last_sp = 0;
        while ((b = mw_peek(&c, e)) >= 0 && b != '\r' && b != '\n') {
            if (b == ' ')
                last_sp = e;
            e++;
        }
        if (b < 0)
            return MW_SHORT;
        struct mw_cur v = cur_of(c.p + last_sp + 1, e - last_sp - 1);
        if (eat_version(&v, &out->minor) != MW_OK || mw_left(&v) != 0)
            return MW_BAD;
        size_t tl = k + last_sp;
        while (tl > 0 && t0[tl - 1] == ' ')
            tl--;
        out->target = slice(t0, tl);
        mw_skip(&c, e);
    } else if (r != MW_OK) {
        return r;
    }
    if ((r = eat_eol(&c)) != MW_OK)
        return r;
    if ((r = eat_headers(&c, out->hdr, &out->nhdr, &out->hdr_overflow)) != MW_OK)
        return r;
    *used = (size_t)(c.p - buf);
    return MW_OK;
}

enum mw_res http_resp_parse(const uint8_t *buf, size_t len, struct http_resp *out, size_t *used)
{
    struct mw_cur c = cur_of(buf, len);
    enum mw_res r;
    *used = 0;
    out->nhdr = 0;
    out->hdr_overflow = false;
    if ((r = skip_empty_lines(&c)) != MW_OK)
        return r;
    if ((r = eat_version(&c, &out->minor)) != MW_OK)
        return r;
    if ((r = eat_lit(&c, " ", 1)) != MW_OK)
        return r;
    int status = 0;
    for (int i = 0; i < 3; i++) {
        int b = mw_peek(&c, 0);
        if (b < 0)
            return MW_SHORT;
        if (b < '0' || b > '9' || (i == 0 && b == '0'))
            return MW_BAD;
        status = status * 10 + (b - '0');
        mw_skip(&c, 1);
    }
    out->status = status;
    int b = mw_peek(&c, 0);
    if (b < 0)
        return MW_SHORT;
    if (b == ' ') {
        mw_skip(&c, 1);
        if ((r = eat_value(&c, &out->reason)) != MW_OK)
            return r;
    } else if (b == '\r' || b == '\n') {
        out->reason = slice(c.p, 0);
    } else {
        return MW_BAD;
    }
    if ((r = eat_eol(&c)) != MW_OK)
        return r;
    if ((r = eat_headers(&c, out->hdr, &out->nhdr, &out->hdr_overflow)) != MW_OK)
        return r;
    *used = (size_t)(c.p - buf);
    return MW_OK;
}

/* Methods that start a request we care to recognise: RFC 9110, WebDAV
 * (RFC 4918, used by the MiniRedir before it fetches a package), PATCH and
 * SEARCH. Each is followed by its space. */
static const char *const http_methods[] = {
    "GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "PROPFIND ", "DELETE ", "CONNECT ",
    "PATCH ", "TRACE ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "PROPPATCH ",
    "SEARCH ",
};

bool http_looks_like_request(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++)
        if (starts_with(buf, len, http_methods[i]))
            return true;
    return false;
}

bool http_looks_like_response(const uint8_t *buf, size_t len)
{
    return starts_with(buf, len, "HTTP/1.");
}

bool http_slice_ieq(struct mw_slice s, const char *lit)
{
    struct mw_cur c = cur_of(s.p, s.n);
    if (c.bad)
        return false;
    size_t i = 0;
    for (; lit[i] != '\0'; i++) {
        int b = mw_peek(&c, i);
        if (b < 0 || lower(b) != lower((uint8_t)lit[i]))
            return false;
    }
    return i == mw_left(&c);
}

struct mw_slice http_header(const struct http_hdr *h, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (http_slice_ieq(h[i].name, name))
            return h[i].value;
    return slice(NULL, 0);
}

/* Next element of a comma-separated list (RFC 9110 5.6.1) from *c, with OWS
 * around it removed; false when the list is exhausted. Empty elements are
 * returned as empty slices. */
static bool list_next(struct mw_cur *c, struct mw_slice *elem)
{
    if (c->bad)
        return false;
    size_t k = 0;
    int b;
    while ((b = mw_peek(c, k)) >= 0 && b != ',')
        k++;
    size_t s = 0, e = k;
    while (s < e && (mw_peek(c, s) == ' ' || mw_peek(c, s) == '\t'))
        s++;
    while (e > s && (mw_peek(c, e - 1) == ' ' || mw_peek(c, e - 1) == '\t'))
        e--;
    *elem = slice(c->p + s, e - s);
    if (b == ',')
        mw_skip(c, k + 1);
    else
        c->bad = true; /* last element: the next call ends the list */
    return true;
}

/* 2^53: the largest body size a JSON consumer holds exactly as a number. */
#define HTTP_CL_MAX ((uint64_t)1 << 53)

bool http_content_length(const struct http_hdr *h, unsigned n, uint64_t *out)
{
    bool seen = false;
    uint64_t val = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!http_slice_ieq(h[i].name, "Content-Length"))
            continue;
        struct mw_cur list = cur_of(h[i].value.p, h[i].value.n);
        struct mw_slice e;
        while (list_next(&list, &e)) {
            if (e.n == 0)
                return false;
            struct mw_cur d = cur_of(e.p, e.n);
            uint64_t v = 0;
            while (mw_left(&d) > 0) {
                uint8_t b = mw_u8(&d);
                if (b < '0' || b > '9')
                    return false;
                v = v * 10 + (uint64_t)(b - '0');
                if (v > HTTP_CL_MAX) /* checked each digit, so v * 10 cannot wrap */
                    return false;
            }
            if (seen && v != val)
                return false;
            seen = true;
            val = v;
        }
    }
    if (seen)
        *out = val;
    return seen;
}

bool http_is_chunked(const struct http_hdr *h, unsigned n)
{
    struct mw_slice last = { NULL, 0 };
    for (unsigned i = 0; i < n; i++) {
        if (!http_slice_ieq(h[i].name, "Transfer-Encoding"))
            continue;
        struct mw_cur list = cur_of(h[i].value.p, h[i].value.n);
        struct mw_slice e;
        while (list_next(&list, &e))
            if (e.n > 0)
                last = e;
    }
    return http_slice_ieq(last, "chunked");
}

/* ---- target and Host ---------------------------------------------------- */

/* Bytes of a reg-name or IPv4 host (RFC 3986 3.2.2): unreserved, pct-encoded
 * and sub-delims. Anything else (space, '/', '@', '\\', controls) is BAD. */
static bool is_host_byte(int b)
{
    if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
        return true;
    switch (b) {
    case '-': case '.': case '_': case '~': case '%':
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
    case ',': case ';': case '=':
        return true;
    default:
        return false;
    }
}

static bool is_hex(int b)
{
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

/* Port digits: empty -> 0 (RFC 3986 allows "host:"); else 1..65535. */
static enum mw_res parse_port(struct mw_slice s, uint16_t *port)
{
    struct mw_cur c = cur_of(s.p, s.n);
    uint32_t v = 0;
    *port = 0;
    if (s.n == 0)
        return MW_OK;
    while (mw_left(&c) > 0) {
        uint8_t b = mw_u8(&c);
        if (b < '0' || b > '9')
            return MW_BAD;
        v = v * 10 + (uint32_t)(b - '0');
        if (v > 65535)
            return MW_BAD;
    }
    if (v == 0)
        return MW_BAD;
    *port = (uint16_t)v;
    return MW_OK;
}

/* authority = host [":" port], host a reg-name, IPv4 or "[v6]" (brackets
 * dropped). Userinfo is not handled here. */
static enum mw_res split_authority(struct mw_slice a, struct mw_slice *host, uint16_t *port)
{
    struct mw_cur c = cur_of(a.p, a.n);
    struct mw_slice ps = { NULL, 0 };
    *host = slice(NULL, 0);
    *port = 0;
    if (a.n == 0)
        return MW_BAD;
    if (mw_peek(&c, 0) == '[') {
        size_t k = 1;
        int b;
        bool colon = false;
        while ((b = mw_peek(&c, k)) >= 0 && b != ']') {
            if (!is_hex(b) && b != ':' && b != '.')
                return MW_BAD;
            colon |= b == ':';
            k++;
        }
        if (b != ']' || !colon)
            return MW_BAD;
        *host = slice(a.p + 1, k - 1);
        mw_skip(&c, k + 1);
        if (mw_left(&c) > 0) {
            if (mw_u8(&c) != ':')
                return MW_BAD;
            ps = slice(c.p, mw_left(&c));
        }
    } else {
        size_t k = 0;
        int b;
        while ((b = mw_peek(&c, k)) >= 0 && b != ':') {
            if (!is_host_byte(b))
                return MW_BAD;
            k++;
        }
        if (k == 0)
            return MW_BAD;
        *host = slice(a.p, k);
        if (b == ':') {
            mw_skip(&c, k + 1);
            ps = slice(c.p, mw_left(&c)); /* a second ':' fails parse_port */
        }
    }
    return parse_port(ps, port);
}

enum mw_res http_host_split(struct mw_slice host_hdr, struct mw_slice *host, uint16_t *port)
{
    struct mw_slice t = { NULL, 0 };
    *host = slice(NULL, 0);
    *port = 0;
    struct mw_cur c = cur_of(host_hdr.p, host_hdr.n);
    if (!list_next(&c, &t) || !c.bad) /* exactly one element: no comma */
        return MW_BAD;
    if (split_authority(t, host, port) != MW_OK) {
        *host = slice(NULL, 0); /* nothing half-split reaches a record */
        *port = 0;
        return MW_BAD;
    }
    return MW_OK;
}

static bool is_scheme_byte(int b, bool first)
{
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
        return true;
    return !first && ((b >= '0' && b <= '9') || b == '+' || b == '-' || b == '.');
}

/* path [ "?" query ] from what is left of c (path may be empty). */
static void split_path_query(struct mw_cur *c, struct http_target *out)
{
    size_t k = 0;
    int b;
    while ((b = mw_peek(c, k)) >= 0 && b != '?')
        k++;
    out->path = slice(c->p, k);
    mw_skip(c, k);
    if (b == '?') {
        mw_skip(c, 1);
        out->query = slice(c->p, mw_left(c));
    }
}

static enum mw_res target_split(struct mw_slice target, bool is_connect, struct http_target *out)
{
    static const uint8_t slash[] = "/";
    if (target.p == NULL || target.n == 0)
        return MW_BAD;
    struct mw_cur c = cur_of(target.p, target.n);
    for (size_t i = 0; i < target.n; i++) {
        int b = mw_peek(&c, i);
        if (b < 0x20 && b != '\t')
            return MW_BAD;
    }
    if (is_connect) {
        out->authority = true;
        enum mw_res r = split_authority(target, &out->host, &out->port);
        if (r == MW_OK && out->port == 0)
            r = MW_BAD; /* CONNECT needs a port (RFC 9110 9.3.6) */
        return r;
    }
    int b0 = mw_peek(&c, 0);
    if (b0 == '/') {
        split_path_query(&c, out);
        return MW_OK;
    }
    if (b0 == '*' && target.n == 1) {
        out->path = target;
        return MW_OK;
    }
    /* absolute-form: scheme "://" authority path-abempty [ "?" query ];
     * anything else ("GET . HTTP/1.0", "GET index.html") is taken as a path
     * as written, the way servers that answer it do */
    size_t k = 0;
    int b;
    while ((b = mw_peek(&c, k)) >= 0 && b != ':' && is_scheme_byte(b, k == 0))
        k++;
    if (k == 0 || b != ':' || target.n - k < 3 || memcmp(target.p + k, "://", 3) != 0) {
        split_path_query(&c, out);
        return MW_OK;
    }
    out->scheme = slice(c.p, k);
    mw_skip(&c, k);
    if (eat_lit(&c, "://", 3) != MW_OK)
        return MW_BAD;
    const uint8_t *a0 = c.p;
    k = 0;
    size_t at = 0; /* bytes of userinfo plus its '@', dropped */
    while ((b = mw_peek(&c, k)) >= 0 && b != '/' && b != '?') {
        if (b == '@')
            at = k + 1;
        k++;
    }
    out->absolute = true;
    enum mw_res r = split_authority(slice(a0 + at, k - at), &out->host, &out->port);
    if (r != MW_OK)
        return r;
    mw_skip(&c, k);
    split_path_query(&c, out);
    if (out->path.n == 0)
        out->path = slice(slash, 1);
    return MW_OK;
}

enum mw_res http_target_split(struct mw_slice target, bool is_connect, struct http_target *out)
{
    static const struct http_target zero;
    *out = zero;
    enum mw_res r = target_split(target, is_connect, out);
    if (r != MW_OK)
        *out = zero; /* nothing half-split reaches a record */
    return r;
}

/* ---- chunked bodies ----------------------------------------------------- */

enum {
    CH_SIZE0,    /* first hex digit of a size line */
    CH_SIZE,     /* more hex digits, or what ends them */
    CH_SIZE_WS,  /* SP/HT after the digits (tolerated, as nginx does) */
    CH_EXT,      /* chunk extension: skipped up to the line end */
    CH_SIZE_LF,  /* CR seen at the end of a size line */
    CH_DATA,     /* left bytes of data */
    CH_DATA_END, /* CRLF after the data */
    CH_DATA_LF,  /* CR seen after the data */
    CH_TRAILER0, /* start of a trailer line, or the final empty line */
    CH_TRAILER,  /* inside a trailer field: skipped to its LF */
    CH_END_LF,   /* CR of the final empty line seen */
};

/* 2^60: more than any real body, and far from wrapping a uint64_t. */
#define HTTP_CHUNK_MAX ((uint64_t)1 << 60)
/* 16 digits hold 2^64; more means padding nobody legitimate sends. */
#define HTTP_CHUNK_DIGITS 16

static int hexval(int b)
{
    if (b >= '0' && b <= '9')
        return b - '0';
    if (b >= 'a' && b <= 'f')
        return b - 'a' + 10;
    if (b >= 'A' && b <= 'F')
        return b - 'A' + 10;
    return -1;
}

void http_chunked_init(struct http_chunked *c)
{
    c->left = 0;
    c->state = CH_SIZE0;
    c->hexdigits = 0;
    c->done = false;
    c->bad = false;
}

/* A size line ended: go to its data, or to the trailer after the last chunk. */
static void size_line_done(struct http_chunked *c)
{
    c->state = c->left > 0 ? CH_DATA : CH_TRAILER0;
    c->hexdigits = 0;
}

size_t http_chunked_feed(struct http_chunked *c, const uint8_t *p, size_t n,
                         void (*emit)(void *user, const uint8_t *p, size_t n), void *user)
{
    struct mw_cur cur = cur_of(p, n);
    if (c->done || c->bad)
        return 0;
    while (mw_left(&cur) > 0) {
        if (c->state == CH_DATA) {
            size_t avail = mw_left(&cur);
            size_t k = c->left < avail ? (size_t)c->left : avail;
            const uint8_t *d = mw_take(&cur, k);
            if (emit != NULL)
                emit(user, d, k);
            c->left -= k;
            if (c->left == 0)
                c->state = CH_DATA_END;
            continue;
        }
        const uint8_t *at = cur.p;
        int b = mw_u8(&cur);
        int h;
        switch (c->state) {
        case CH_SIZE0:
        case CH_SIZE:
            h = hexval(b);
            if (h >= 0) {
                if (++c->hexdigits > HTTP_CHUNK_DIGITS || c->left > (HTTP_CHUNK_MAX >> 4))
                    goto bad;
                c->left = c->left << 4 | (uint64_t)h; /* <= 2^60 + 15: no wrap */
                if (c->left > HTTP_CHUNK_MAX)
                    goto bad;
                c->state = CH_SIZE;
                break;
            }
            if (c->state == CH_SIZE0)
                goto bad;
            /* the digits ended: what may follow them */
            /* fall through */
        case CH_SIZE_WS:
            if (b == ' ' || b == '\t')
                c->state = CH_SIZE_WS;
            else if (b == ';')
                c->state = CH_EXT;
            else if (b == '\r')
                c->state = CH_SIZE_LF;
            else if (b == '\n')
                size_line_done(c);
            else
                goto bad;
            break;
        case CH_EXT:
            if (b == '\r')
                c->state = CH_SIZE_LF;
            else if (b == '\n')
                size_line_done(c);
            else if (!is_ext_byte(b))
                goto bad;
            break;
        case CH_SIZE_LF:
            if (b != '\n')
                goto bad;
            size_line_done(c);
            break;
        case CH_DATA_END:
            if (b == '\r')
                c->state = CH_DATA_LF;
            else if (b == '\n')
                c->state = CH_SIZE0;
            else
                goto bad;
            break;
        case CH_DATA_LF:
            if (b != '\n')
                goto bad;
            c->state = CH_SIZE0;
            break;
        case CH_TRAILER0:
            if (b == '\r') {
                c->state = CH_END_LF;
            } else if (b == '\n') {
                c->done = true;
                return (size_t)(cur.p - p);
            } else if (is_tchar(b)) {
                c->state = CH_TRAILER;
            } else {
                goto bad;
            }
            break;
        case CH_TRAILER:
            if (b == '\n')
                c->state = CH_TRAILER0;
            else if (b != '\r' && !is_ext_byte(b))
                goto bad;
            break;
        case CH_END_LF:
            if (b != '\n')
                goto bad;
            c->done = true;
            return (size_t)(cur.p - p);
        default:
            goto bad; /* a state we never set: the struct was not initialised */
        }
        continue;
    bad:
        c->bad = true;
        return (size_t)(at - p);
    }
    return n;
}
