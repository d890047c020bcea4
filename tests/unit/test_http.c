/* test_http.c -- unit tests of src/parse/http.c (HTTP/1.x heads, header
 * helpers, target and Host splitting, chunked bodies). Head cases are a
 * table: each runs whole, at every shorter prefix (which must be MW_SHORT for
 * a valid head and never MW_OK for a bad one), and with bytes of a next
 * message appended; every run copies its input into an exact-size heap block
 * so ASan sees a one-byte over-read (STYLE.md 5.3, 7.1). Chunked cases run
 * whole, one byte at a time and split in two at every offset, and must give
 * identical bodies. Real heads come from msiexec, the WebDAV redirector and
 * the captures in pcaps/ and /work/shared/pcaps (ndpi exe_download). */
#include <stdlib.h>

#include "parse/http.h"
#include "tap.h"

/* ---- heads ------------------------------------------------------------- */

struct hcase {
    const char *name;
    const char *in;
    size_t len;         /* 0: strlen(in) */
    enum mw_res want;
    size_t used;        /* on MW_OK; 0: the whole input */
    const char *expect; /* on MW_OK: the head as fmt_req/fmt_resp print it */
};

static char fmtbuf[8192];

static void fmt_add(size_t *o, const char *s, const uint8_t *p, size_t n)
{
    const char *t = p ? (const char *)p : ""; /* an absent field: NULL, length 0 */
    int k = snprintf(fmtbuf + *o, sizeof fmtbuf - *o, "%s%.*s", s, (int)n, t);
    if (k > 0 && (size_t)k < sizeof fmtbuf - *o)
        *o += (size_t)k;
}

static void fmt_hdrs(size_t *o, const struct http_hdr *h, unsigned n, bool overflow)
{
    for (unsigned i = 0; i < n; i++) {
        fmt_add(o, "|", h[i].name.p, h[i].name.n);
        fmt_add(o, "=", h[i].value.p, h[i].value.n);
    }
    if (overflow)
        fmt_add(o, "|OVERFLOW", NULL, 0);
}

/* "METHOD target minor|name=value|..." */
static const char *fmt_req(const struct http_req *q)
{
    size_t o = 0;
    char v[16];
    fmt_add(&o, "", q->method.p, q->method.n);
    fmt_add(&o, " ", q->target.p, q->target.n);
    snprintf(v, sizeof v, " %d", q->minor);
    fmt_add(&o, v, NULL, 0);
    fmt_hdrs(&o, q->hdr, q->nhdr, q->hdr_overflow);
    return fmtbuf;
}

/* "minor status reason|name=value|..." */
static const char *fmt_resp(const struct http_resp *s)
{
    size_t o = 0;
    char v[32];
    snprintf(v, sizeof v, "%d %d ", s->minor, s->status);
    fmt_add(&o, v, s->reason.p, s->reason.n);
    fmt_hdrs(&o, s->hdr, s->nhdr, s->hdr_overflow);
    return fmtbuf;
}

static struct http_req req;
static struct http_resp resp;

/* Parse in[0..n) from an exact-size copy; *fmt gets the formatted head. */
static enum mw_res parse_exact(bool is_req, const char *in, size_t n, size_t *used,
                               const char **fmt)
{
    uint8_t *b = malloc(n ? n : 1);
    enum mw_res r;
    if (b == NULL)
        abort();
    memcpy(b, in, n);
    *fmt = NULL;
    if (is_req) {
        r = http_req_parse(b, n, &req, used);
        if (r == MW_OK)
            *fmt = fmt_req(&req);
    } else {
        r = http_resp_parse(b, n, &resp, used);
        if (r == MW_OK)
            *fmt = fmt_resp(&resp);
    }
    if (r == MW_OK && (req.nhdr > HTTP_MAX_HDRS || resp.nhdr > HTTP_MAX_HDRS || *used > n))
        r = (enum mw_res)99; /* broken invariant: fails every check */
    free(b);
    return r;
}

static void run_case(bool is_req, const struct hcase *c)
{
    size_t n = c->len ? c->len : strlen(c->in);
    size_t used = 0;
    const char *fmt;
    enum mw_res r = parse_exact(is_req, c->in, n, &used, &fmt);
    CHECK_EQ(r, c->want);
    if (r != c->want) {
        printf("#   case: %s\n", c->name);
        return;
    }
    size_t want_used = c->used ? c->used : n;
    if (r == MW_OK) {
        CHECK_EQ(used, want_used);
        CHECK_STR(fmt, c->expect);
    }
    /* Every strict prefix: SHORT for a valid head, never OK for a bad one. */
    size_t upto = r == MW_OK ? want_used : n;
    for (size_t k = 0; k < upto; k++) {
        enum mw_res rk = parse_exact(is_req, c->in, k, &used, &fmt);
        if ((r == MW_OK && rk != MW_SHORT) || (r == MW_BAD && rk == MW_OK)) {
            CHECK_EQ(rk, r == MW_OK ? MW_SHORT : MW_BAD);
            printf("#   case: %s, prefix %zu\n", c->name, k);
            break;
        }
    }
    /* Bytes of a next message after the head change nothing. */
    if (r == MW_OK) {
        static char more[16384];
        static const char tail[] = "GET /next HTTP/1.1\r\n\x00\x7f";
        if (want_used + sizeof tail <= sizeof more) {
            memcpy(more, c->in, want_used);
            memcpy(more + want_used, tail, sizeof tail);
            CHECK_EQ(parse_exact(is_req, more, want_used + sizeof tail, &used, &fmt), MW_OK);
            CHECK_EQ(used, want_used);
            CHECK_STR(fmt, c->expect);
        }
    }
}

static const char MSIEXEC_REQ[] =
    "GET /x.msi HTTP/1.1\r\nConnection: Keep-Alive\r\nAccept: */*\r\n"
    "User-Agent: Windows Installer\r\nHost: 10.0.0.5\r\n\r\n";

static const struct hcase req_cases[] = {
    { "msiexec fetch of a package", MSIEXEC_REQ, 0, MW_OK, 0,
      "GET /x.msi 1|Connection=Keep-Alive|Accept=*/*|User-Agent=Windows Installer|Host=10.0.0.5" },
    { "WebDAV redirector PROPFIND",
      "PROPFIND /share/pkg.msi HTTP/1.1\r\nConnection: Keep-Alive\r\n"
      "User-Agent: Microsoft-WebDAV-MiniRedir/10.0.19045\r\nDepth: 0\r\ntranslate: f\r\n"
      "Content-Length: 0\r\nHost: 203.0.113.7\r\n\r\n", 0, MW_OK, 0,
      "PROPFIND /share/pkg.msi 1|Connection=Keep-Alive"
      "|User-Agent=Microsoft-WebDAV-MiniRedir/10.0.19045|Depth=0|translate=f"
      "|Content-Length=0|Host=203.0.113.7" },
    { "WebDAV redirector OPTIONS",
      "OPTIONS / HTTP/1.1\r\nConnection: Keep-Alive\r\n"
      "User-Agent: Microsoft-WebDAV-MiniRedir/10.0.19045\r\ntranslate: f\r\nHost: dav.example\r\n\r\n",
      0, MW_OK, 0,
      "OPTIONS / 1|Connection=Keep-Alive|User-Agent=Microsoft-WebDAV-MiniRedir/10.0.19045"
      "|translate=f|Host=dav.example" },
    { "wget from zeek-http-vlan-0.pcap",
      "GET /download/CHANGES.bro-aux.txt HTTP/1.1\r\nUser-Agent: Wget/1.14 (darwin12.2.0)\r\n"
      "Accept: */*\r\nHost: bro.org\r\nConnection: Keep-Alive\r\n\r\n", 0, MW_OK, 0,
      "GET /download/CHANGES.bro-aux.txt 1|User-Agent=Wget/1.14 (darwin12.2.0)|Accept=*/*"
      "|Host=bro.org|Connection=Keep-Alive" },
    { "Java from ndpi-log4j-webapp-exploit.pcap",
      "GET /Exploit.class HTTP/1.1\r\nCache-Control: no-cache\r\nPragma: no-cache\r\n"
      "User-Agent: Java/1.8.0_51\r\nHost: 172.16.238.11\r\n"
      "Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2\r\nConnection: keep-alive\r\n\r\n",
      0, MW_OK, 0,
      "GET /Exploit.class 1|Cache-Control=no-cache|Pragma=no-cache|User-Agent=Java/1.8.0_51"
      "|Host=172.16.238.11|Accept=text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
      "|Connection=keep-alive" },
    { "HTTP/1.0, no headers", "GET / HTTP/1.0\r\n\r\n", 0, MW_OK, 0, "GET / 0" },
    { "bare LF line ends", "GET /a HTTP/1.1\nHost: a\n\n", 0, MW_OK, 0, "GET /a 1|Host=a" },
    { "mixed line ends", "GET /a HTTP/1.1\r\nHost: a\n\r\n", 0, MW_OK, 0, "GET /a 1|Host=a" },
    { "HTTP/0.9 request line", "GET /x\r\n", 0, MW_OK, 0, "GET /x -1" },
    { "HTTP/0.9 with LF", "GET /x\n", 0, MW_OK, 0, "GET /x -1" },
    { "HTTP/0.9 form for POST", "POST /x\r\n", 0, MW_BAD, 0, NULL },
    { "HTTP/0.9 form, lower-case get", "get /x\r\n", 0, MW_BAD, 0, NULL },
    { "empty lines before the request line", "\r\n\nGET / HTTP/1.1\r\n\r\n", 0, MW_OK, 0,
      "GET / 1" },
    { "OWS around values trimmed, empty value", "GET / HTTP/1.1\r\nA:  x y \t\r\nB:\r\nC: \r\n\r\n",
      0, MW_OK, 0, "GET / 1|A=x y|B=|C=" },
    { "obs-text in value and target", "GET /\xc3\xa9 HTTP/1.1\r\nX: \xff\x80\r\n\r\n", 0, MW_OK, 0,
      "GET /\xc3\xa9 1|X=\xff\x80" },
    { "HT inside a value", "GET / HTTP/1.1\r\nX: a\tb\r\n\r\n", 0, MW_OK, 0, "GET / 1|X=a\tb" },
    { "absolute-form target", "GET http://example.com:8080/a?b HTTP/1.1\r\n\r\n", 0, MW_OK, 0,
      "GET http://example.com:8080/a?b 1" },
    { "CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 0, MW_OK, 0,
      "CONNECT example.com:443 1|Host=example.com:443" },
    { "extension method token", "M-SEARCH * HTTP/1.1\r\n\r\n", 0, MW_OK, 0, "M-SEARCH * 1" },
    { "NUL in method", "G\0T / HTTP/1.1\r\n\r\n", 18, MW_BAD, 0, NULL },
    { "DEL in method", "G\x7fT / HTTP/1.1\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "CR in method", "GE\rT / HTTP/1.1\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "NUL in header name", "GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", 28, MW_BAD, 0, NULL },
    { "DEL in header name", "GET / HTTP/1.1\r\nHo\x7fst: a\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "space in header name", "GET / HTTP/1.1\r\nHo st: a\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "empty header name", "GET / HTTP/1.1\r\n: a\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "header line without colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "NUL in header value", "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 27, MW_BAD, 0, NULL },
    { "DEL in header value (accepted: servers do)", "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", 0, MW_OK, 0,
      "GET / 1|Host=a\x7f" },
    { "control byte in header value (Nikto's \"Nikto: \\x1f\")", "GET / HTTP/1.0\r\nNikto: \x1f\r\nUser-Agent: N\r\n\r\n",
      0, MW_OK, 0, "GET / 0|Nikto=\x1f|User-Agent=N" },
    { "spaces inside the target: the version is the last word",
      "GET /cgi-bin/netsonar;cat /etc/passwd|?data=Download HTTP/1.1\r\nX: y\r\n\r\n", 0, MW_OK, 0,
      "GET /cgi-bin/netsonar;cat /etc/passwd|?data=Download 1|X=y" },
    { "spaces inside the target but no version at the end", "GET /a b c\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "lone CR in header value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "control byte in target", "GET /a\x01 HTTP/1.1\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "DEL in target", "GET /a\x7f HTTP/1.1\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "two spaces after method", "GET  / HTTP/1.1\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "two spaces before version (the target's trailing space is dropped)", "GET /  HTTP/1.1\r\n\r\n", 0, MW_OK,
      0, "GET / 1" },
    { "HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "lower-case version", "GET / http/1.1\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "junk after version", "GET / HTTP/1.1x\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "CR not followed by LF", "GET / HTTP/1.1\rX\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, MW_BAD, 0, NULL },
    { "SMB negotiate", "\x00\x00\x00\x2f\xffSMB", 8, MW_BAD, 0, NULL },
    { "response given to the request parser", "HTTP/1.1 200 OK\r\n\r\n", 0, MW_BAD, 0, NULL },
};

static const struct hcase resp_cases[] = {
    { "nginx EXE download from ndpi exe_download.pcap",
      "HTTP/1.1 200 OK\r\nServer: nginx/1.10.3\r\nDate: Wed, 25 Sep 2019 17:54:12 GMT\r\n"
      "Content-Type: application/octet-stream\r\nContent-Length: 679008\r\nConnection: keep-alive\r\n"
      "Content-Description: File Transfer\r\n"
      "Content-Disposition: attachment; filename=\"phn34ycjtghm.exe\"\r\nExpires: 0\r\n"
      "Cache-Control: must-revalidate\r\nPragma: public\r\n\r\n", 0, MW_OK, 0,
      "1 200 OK|Server=nginx/1.10.3|Date=Wed, 25 Sep 2019 17:54:12 GMT"
      "|Content-Type=application/octet-stream|Content-Length=679008|Connection=keep-alive"
      "|Content-Description=File Transfer|Content-Disposition=attachment; filename=\"phn34ycjtghm.exe\""
      "|Expires=0|Cache-Control=must-revalidate|Pragma=public" },
    { "Tomcat empty reason after space (ndpi-log4j-webapp-exploit.pcap)",
      "HTTP/1.1 200 \r\nContent-Type: text/html\r\n\r\n", 0, MW_OK, 0,
      "1 200 |Content-Type=text/html" },
    { "no reason, no space", "HTTP/1.1 200\r\n\r\n", 0, MW_OK, 0, "1 200 " },
    { "HTTP/1.0 404", "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, MW_OK, 0,
      "0 404 Not Found|Content-Length=0" },
    { "WebDAV 207", "HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\n\r\n", 0, MW_OK, 0,
      "1 207 Multi-Status|Content-Type=text/xml" },
    { "bare LF", "HTTP/1.1 301 Moved\nLocation: /x\n\n", 0, MW_OK, 0, "1 301 Moved|Location=/x" },
    { "reason with HT and obs-text", "HTTP/1.1 200 O\tK \xe9\r\n\r\n", 0, MW_OK, 0,
      "1 200 O\tK \xe9" },
    { "status 100 and 999", "HTTP/1.1 100 Continue\r\n\r\n", 0, MW_OK, 0, "1 100 Continue" },
    { "status 999", "HTTP/1.1 999 x\r\n\r\n", 0, MW_OK, 0, "1 999 x" },
    { "two-digit status", "HTTP/1.1 20 OK\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "status 099", "HTTP/1.1 099 x\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "HTTP/2", "HTTP/2 200\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "NUL in reason", "HTTP/1.1 200 O\0K\r\n\r\n", 19, MW_BAD, 0, NULL },
    { "control byte in header name", "HTTP/1.1 200 OK\r\nA\x01: b\r\n\r\n", 0, MW_BAD, 0, NULL },
    { "request given to the response parser", MSIEXEC_REQ, 0, MW_BAD, 0, NULL },
};

/* A head with n "Xi: i" headers. */
static size_t many_headers(char *b, size_t cap, bool is_req, unsigned n)
{
    size_t o = (size_t)snprintf(b, cap, "%s", is_req ? "GET / HTTP/1.1\r\n" : "HTTP/1.1 200 OK\r\n");
    for (unsigned i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(b + o, cap - o, "X%u: %u\r\n", i, i);
    o += (size_t)snprintf(b + o, cap - o, "\r\n");
    return o;
}

/* ---- chunked ----------------------------------------------------------- */

struct body {
    uint8_t b[4096];
    size_t n;
    int calls;
    int empty; /* emit called with k == 0 */
};

static void body_emit(void *user, const uint8_t *p, size_t n)
{
    struct body *bd = user;
    bd->calls++;
    if (n == 0)
        bd->empty++;
    if (n <= sizeof bd->b - bd->n) {
        memcpy(bd->b + bd->n, p, n);
        bd->n += n;
    }
}

struct ccase {
    const char *name;
    const char *in;
    size_t len;         /* 0: strlen(in) */
    const char *body;   /* expected data */
    int consumed;       /* -1: the whole input */
    bool done, bad;
};

static const struct ccase chunk_cases[] = {
    { "one chunk", "5\r\nhello\r\n0\r\n\r\n", 0, "hello", -1, true, false },
    { "extensions, trailers, then the next message",
      "5;name=val\r\nhello\r\n6 ; x=\"y\"\r\n world\r\n0;last\r\nTrailer: x\r\nT2: y\r\n\r\nHTTP/1.1",
      0, "hello world", 67, true, false },
    { "hex digits in both cases", "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n", 0,
      "0123456789abcdefghijk", -1, true, false },
    { "bare LF everywhere", "3\nabc\n0\nT: 1\n\n", 0, "abc", -1, true, false },
    { "leading zeros (16 digits)", "0000000000000003\r\nabc\r\n00\r\n\r\n", 0, "abc", -1, true, false },
    { "data holding CRLF", "4\r\n\r\n\r\n\r\n0\r\n\r\n", 0, "\r\n\r\n", -1, true, false },
    { "cut inside data", "5\r\nhel", 0, "hel", -1, false, false },
    { "cut inside the trailer", "1\r\na\r\n0\r\nX: y\r", 0, "a", -1, false, false },
    { "largest size 2^60", "1000000000000000\r\nab", 0, "ab", -1, false, false },
    { "size above 2^60", "1000000000000001\r\n", 0, "", 15, false, true },
    { "17 hex digits", "00000000000000001\r\n", 0, "", 16, false, true },
    { "16 digits far above 2^60", "F000000000000000\r\n", 0, "", 15, false, true },
    { "size 2^64 (would wrap)", "10000000000000000\r\n", 0, "", 16, false, true },
    { "no size", "\r\n", 0, "", 0, false, true },
    { "non-hex size", "zz\r\n", 0, "", 0, false, true },
    { "0x prefix", "0x5\r\nhello\r\n", 0, "", 1, false, true },
    { "junk after size and space", "5 x\r\nhello\r\n", 0, "", 2, false, true },
    { "CR then junk in size line", "5\rX", 0, "", 2, false, true },
    { "data longer than its size", "3\r\nabcX\r\n", 0, "abc", 6, false, true },
    { "control byte in extension", "1;\x01\r\na\r\n0\r\n\r\n", 0, "", 2, false, true },
    { "NUL in trailer", "0\r\nA: \0\r\n\r\n", 11, "", 6, false, true },
    { "trailer line starting with space", "0\r\n x\r\n\r\n", 0, "", 3, false, true },
};

static size_t feed_all(struct http_chunked *c, const uint8_t *p, size_t n, struct body *bd)
{
    return http_chunked_feed(c, p, n, body_emit, bd);
}

/* Feed in[0..n) in pieces ending at the cuts; returns total consumed. */
static size_t feed_split(const uint8_t *in, size_t n, const size_t *cuts, size_t ncuts,
                         struct http_chunked *c, struct body *bd)
{
    size_t pos = 0, consumed = 0;
    http_chunked_init(c);
    memset(bd, 0, sizeof *bd);
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        if (end < pos)
            continue;
        uint8_t *piece = malloc(end - pos ? end - pos : 1);
        if (piece == NULL)
            abort();
        memcpy(piece, in + pos, end - pos);
        size_t k = feed_all(c, piece, end - pos, bd);
        free(piece);
        consumed += k;
        if (c->done || c->bad) {
            if (k > end - pos)
                consumed = (size_t)-1;
            break;
        }
        if (k != end - pos) /* not done, not bad: all bytes must be taken */
            consumed = (size_t)-1;
        pos = end;
    }
    return consumed;
}

static void check_chunk(const struct ccase *t, const char *how, size_t at, size_t consumed,
                        const struct http_chunked *c, const struct body *bd)
{
    size_t n = t->len ? t->len : strlen(t->in);
    size_t want = t->consumed < 0 ? n : (size_t)t->consumed;
    size_t blen = strlen(t->body);
    if (consumed != want || c->done != t->done || c->bad != t->bad || bd->n != blen ||
        memcmp(bd->b, t->body, blen) != 0 || bd->empty != 0) {
        tap_fail_case = 1;
        printf("# %s: %s at %zu: consumed %zu (want %zu) done %d bad %d body %zu bytes (want %zu)\n",
               t->name, how, at, consumed, want, c->done, c->bad, bd->n, blen);
    }
}

int main(void)
{
    static char big[16384];
    static struct body bd;
    char title[160];
    struct http_chunked ch;
    size_t used = 0, n;
    const char *fmt;

    /* One test point per row: whole, every prefix, next message appended. */
    for (size_t i = 0; i < sizeof req_cases / sizeof req_cases[0]; i++) {
        snprintf(title, sizeof title, "request: %s", req_cases[i].name);
        TEST_BEGIN(title);
        run_case(true, &req_cases[i]);
        TEST_END();
    }
    for (size_t i = 0; i < sizeof resp_cases / sizeof resp_cases[0]; i++) {
        snprintf(title, sizeof title, "response: %s", resp_cases[i].name);
        TEST_BEGIN(title);
        run_case(false, &resp_cases[i]);
        TEST_END();
    }

    TEST_BEGIN("header count boundaries: 0, HTTP_MAX_HDRS, HTTP_MAX_HDRS + 1");
    static const unsigned counts[] = { 0, 1, HTTP_MAX_HDRS - 1, HTTP_MAX_HDRS, HTTP_MAX_HDRS + 1, 200 };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        for (int is_req = 0; is_req <= 1; is_req++) {
            n = many_headers(big, sizeof big, is_req, counts[i]);
            CHECK_EQ(parse_exact(is_req, big, n, &used, &fmt), MW_OK);
            CHECK_EQ(used, n);
            unsigned want = counts[i] < HTTP_MAX_HDRS ? counts[i] : HTTP_MAX_HDRS;
            bool over = counts[i] > HTTP_MAX_HDRS;
            CHECK_EQ(is_req ? req.nhdr : resp.nhdr, want);
            CHECK_EQ(is_req ? req.hdr_overflow : resp.hdr_overflow, over);
            if (want > 0) { /* the stored ones are the first ones (parse in place) */
                if (is_req)
                    http_req_parse((const uint8_t *)big, n, &req, &used);
                else
                    http_resp_parse((const uint8_t *)big, n, &resp, &used);
                const struct http_hdr *h = is_req ? &req.hdr[want - 1] : &resp.hdr[want - 1];
                char nm[16];
                snprintf(nm, sizeof nm, "X%u", want - 1);
                CHECK(http_slice_ieq(h->name, nm));
            }
            for (size_t k = 0; k < n; k++)
                if (parse_exact(is_req, big, k, &used, &fmt) != MW_SHORT) {
                    CHECK_EQ(k, n);
                    break;
                }
        }
    }
    TEST_END();

    TEST_BEGIN("pipelined requests: *used finds the second head");
    {
        static const char two[] =
            "GET /x.msi HTTP/1.1\r\nHost: a\r\n\r\n"
            "PROPFIND /dav HTTP/1.1\nDepth: 1\n\nGET /third";
        size_t len = sizeof two - 1, off = 0;
        CHECK_EQ(parse_exact(true, two, len, &used, &fmt), MW_OK);
        CHECK_EQ(used, 32);
        CHECK_STR(fmt, "GET /x.msi 1|Host=a");
        off = used;
        CHECK_EQ(parse_exact(true, two + off, len - off, &used, &fmt), MW_OK);
        CHECK_EQ(used, 33);
        CHECK_STR(fmt, "PROPFIND /dav 1|Depth=1");
        off += used;
        CHECK_EQ(parse_exact(true, two + off, len - off, &used, &fmt), MW_SHORT);
        CHECK(http_looks_like_request((const uint8_t *)two + off, len - off));
    }
    TEST_END();

    TEST_BEGIN("slices point into the input; out-of-place parse gives the same offsets");
    {
        const uint8_t *b = (const uint8_t *)MSIEXEC_REQ;
        CHECK_EQ(http_req_parse(b, sizeof MSIEXEC_REQ - 1, &req, &used), MW_OK);
        CHECK(req.method.p == b && req.method.n == 3);
        CHECK(req.target.p == b + 4 && req.target.n == 6);
        CHECK_EQ(req.nhdr, 4);
        CHECK(req.hdr[3].value.p == b + sizeof MSIEXEC_REQ - 1 - 4 - 8);
    }
    TEST_END();

    TEST_BEGIN("http_header and http_slice_ieq");
    {
        static const char h[] = "GET / HTTP/1.1\r\nhost: a\r\nUser-Agent: Windows Installer\r\n"
                                "HOST: b\r\nX-Empty:\r\n\r\n";
        CHECK_EQ(http_req_parse((const uint8_t *)h, sizeof h - 1, &req, &used), MW_OK);
        struct mw_slice s = http_header(req.hdr, req.nhdr, "Host");
        CHECK(s.p != NULL && s.n == 1 && s.p[0] == 'a');
        s = http_header(req.hdr, req.nhdr, "user-agent");
        CHECK(http_slice_ieq(s, "windows installer"));
        CHECK(!http_slice_ieq(s, "Windows Installe"));
        CHECK(!http_slice_ieq(s, "Windows Installer2"));
        s = http_header(req.hdr, req.nhdr, "X-Empty");
        CHECK(s.p != NULL && s.n == 0);
        CHECK(http_slice_ieq(s, ""));
        s = http_header(req.hdr, req.nhdr, "Hos");
        CHECK(s.p == NULL);
        s = http_header(req.hdr, 0, "Host");
        CHECK(s.p == NULL);
        struct mw_slice nul = { NULL, 0 };
        CHECK(!http_slice_ieq(nul, ""));
        struct mw_slice at = { (const uint8_t *)"@[", 2 }; /* '@' and '[' are 'A'-1 and 'Z'+1 */
        CHECK(!http_slice_ieq(at, "`{"));
    }
    TEST_END();

    TEST_BEGIN("http_content_length: duplicates, lists, malformed, 2^53");
    {
        static const struct { const char *v1, *v2; bool ok; uint64_t want; } rows[] = {
            { NULL, NULL, false, 0 },
            { "42", NULL, true, 42 },
            { "0", NULL, true, 0 },
            { "007", NULL, true, 7 },
            { "42", "42", true, 42 },
            { "42, 42", NULL, true, 42 },
            { "42,42", "42", true, 42 },
            { "42", "43", false, 0 },
            { "42, 43", NULL, false, 0 },
            { "42,", NULL, false, 0 },
            { "", NULL, false, 0 },
            { "-1", NULL, false, 0 },
            { "+1", NULL, false, 0 },
            { "4 2", NULL, false, 0 },
            { "0x10", NULL, false, 0 },
            { "9007199254740992", NULL, true, (uint64_t)1 << 53 },
            { "9007199254740993", NULL, false, 0 },
            { "99999999999999999999999999", NULL, false, 0 },
            { "18446744073709551617", NULL, false, 0 }, /* 2^64 + 1: would wrap */
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            struct http_hdr h[3];
            unsigned nh = 0;
            h[nh].name = (struct mw_slice){ (const uint8_t *)"Accept", 6 };
            h[nh++].value = (struct mw_slice){ (const uint8_t *)"*/*", 3 };
            if (rows[i].v1) {
                h[nh].name = (struct mw_slice){ (const uint8_t *)"content-length", 14 };
                h[nh++].value = (struct mw_slice){ (const uint8_t *)rows[i].v1, strlen(rows[i].v1) };
            }
            if (rows[i].v2) {
                h[nh].name = (struct mw_slice){ (const uint8_t *)"Content-Length", 14 };
                h[nh++].value = (struct mw_slice){ (const uint8_t *)rows[i].v2, strlen(rows[i].v2) };
            }
            uint64_t v = 12345;
            bool ok = http_content_length(h, nh, &v);
            if (ok != rows[i].ok || (ok && v != rows[i].want))
                printf("#   row %zu\n", i);
            CHECK_EQ(ok, rows[i].ok);
            if (ok)
                CHECK_U64(v, rows[i].want);
        }
    }
    TEST_END();

    TEST_BEGIN("http_is_chunked");
    {
        static const struct { const char *v1, *v2; bool want; } rows[] = {
            { NULL, NULL, false }, { "chunked", NULL, true }, { "CHUNKED", NULL, true },
            { "gzip, chunked", NULL, true }, { "gzip,chunked ", NULL, true },
            { "chunked, gzip", NULL, false }, { "identity", NULL, false },
            { "gzip", "chunked", true }, { "chunked", "gzip", false }, { "chunked,", NULL, true },
            { "xchunked", NULL, false }, { "chunked;q=1", NULL, false }, { "", NULL, false },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            struct http_hdr h[2];
            unsigned nh = 0;
            if (rows[i].v1) {
                h[nh].name = (struct mw_slice){ (const uint8_t *)"Transfer-Encoding", 17 };
                h[nh++].value = (struct mw_slice){ (const uint8_t *)rows[i].v1, strlen(rows[i].v1) };
            }
            if (rows[i].v2) {
                h[nh].name = (struct mw_slice){ (const uint8_t *)"transfer-encoding", 17 };
                h[nh++].value = (struct mw_slice){ (const uint8_t *)rows[i].v2, strlen(rows[i].v2) };
            }
            if (http_is_chunked(h, nh) != rows[i].want)
                printf("#   row %zu\n", i);
            CHECK_EQ(http_is_chunked(h, nh), rows[i].want);
        }
    }
    TEST_END();

    TEST_BEGIN("http_target_split: origin, absolute, asterisk and authority forms");
    {
        /* want: "scheme|host|port|path|query" with query "-" when absent */
        static const struct { const char *t; bool connect; enum mw_res r; const char *want; bool abs; } rows[] = {
            { "/p?q", false, MW_OK, "||0|/p|q", false },
            { "/", false, MW_OK, "||0|/|-", false },
            { "/a?", false, MW_OK, "||0|/a|", false },
            { "/a?b?c", false, MW_OK, "||0|/a|b?c", false },
            { "*", false, MW_OK, "||0|*|-", false },
            { "http://Host:8080/p?q", false, MW_OK, "http|Host|8080|/p|q", true },
            { "http://host", false, MW_OK, "http|host|0|/|-", true },
            { "http://h?x", false, MW_OK, "http|h|0|/|x", true },
            { "http://user:pw@h.example/p", false, MW_OK, "http|h.example|0|/p|-", true },
            { "http://[2001:db8::1]:81/x", false, MW_OK, "http|2001:db8::1|81|/x|-", true },
            { "http://[::1]/x", false, MW_OK, "http|::1|0|/x|-", true },
            { "http://h:/x", false, MW_OK, "http|h|0|/x|-", true },
            { "http://h:65535/", false, MW_OK, "http|h|65535|/|-", true },
            { "HTTPS://h:1/", false, MW_OK, "HTTPS|h|1|/|-", true },
            { "ftp://10.0.0.5/pkg.msi", false, MW_OK, "ftp|10.0.0.5|0|/pkg.msi|-", true },
            { "http://h:0/", false, MW_BAD, NULL, false },
            { "http://h:65536/", false, MW_BAD, NULL, false },
            { "http://h:99999999999/", false, MW_BAD, NULL, false },
            { "http://h:8a/", false, MW_BAD, NULL, false },
            { "http://h:80:80/", false, MW_BAD, NULL, false },
            { "http://:80/", false, MW_BAD, NULL, false },
            { "http:///x", false, MW_BAD, NULL, false },
            { "http://[::1/x", false, MW_BAD, NULL, false },
            { "http://[::1]x/", false, MW_BAD, NULL, false },
            { "http://[zz]/", false, MW_BAD, NULL, false },
            { "http://h\\x/", false, MW_BAD, NULL, false },
            /* not a URL and not origin-form: a path as written (servers answer these) */
            { "http:/h", false, MW_OK, "||0|http:/h|-", false },
            { "1http://h/", false, MW_OK, "||0|1http://h/|-", false },
            { "h/x", false, MW_OK, "||0|h/x|-", false },
            { ".", false, MW_OK, "||0|.|-", false },
            { "", false, MW_BAD, NULL, false },
            { "/a b?c d", false, MW_OK, "||0|/a b|c d", false },
            { "/a\x01", false, MW_BAD, NULL, false },
            { "example.com:443", true, MW_OK, "|example.com|443||-", false },
            { "[2001:db8::1]:443", true, MW_OK, "|2001:db8::1|443||-", false },
            { "example.com", true, MW_BAD, NULL, false },
            { "example.com:", true, MW_BAD, NULL, false },
            { "example.com:0", true, MW_BAD, NULL, false },
            { "example.com:65536", true, MW_BAD, NULL, false },
            { ":443", true, MW_BAD, NULL, false },
            { "/x", true, MW_BAD, NULL, false },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            struct http_target t;
            size_t len = strlen(rows[i].t);
            uint8_t *b = malloc(len ? len : 1);
            if (b == NULL)
                abort();
            memcpy(b, rows[i].t, len);
            enum mw_res r = http_target_split((struct mw_slice){ b, len }, rows[i].connect, &t);
            if (r != rows[i].r)
                printf("#   row %zu: %s\n", i, rows[i].t);
            CHECK_EQ(r, rows[i].r);
            if (r != MW_OK)
                CHECK(t.host.p == NULL && t.path.p == NULL && t.port == 0 && !t.absolute);
            if (r == MW_OK && rows[i].r == MW_OK) {
                char got[256];
                snprintf(got, sizeof got, "%.*s|%.*s|%u|%.*s|%.*s", (int)t.scheme.n,
                         (const char *)t.scheme.p, (int)t.host.n, (const char *)t.host.p, t.port,
                         (int)t.path.n, (const char *)t.path.p,
                         t.query.p ? (int)t.query.n : 1, t.query.p ? (const char *)t.query.p : "-");
                CHECK_STR(got, rows[i].want);
                CHECK_EQ(t.absolute, rows[i].abs);
                CHECK_EQ(t.authority, rows[i].connect);
            }
            free(b);
        }
        struct http_target t;
        CHECK_EQ(http_target_split((struct mw_slice){ NULL, 0 }, false, &t), MW_BAD);
    }
    TEST_END();

    TEST_BEGIN("http_host_split: name, IPv4, IPv6 literal, ports");
    {
        static const struct { const char *h; enum mw_res r; const char *host; unsigned port; } rows[] = {
            { "10.0.0.5", MW_OK, "10.0.0.5", 0 },
            { "example.com:8080", MW_OK, "example.com", 8080 },
            { "[::1]:8443", MW_OK, "::1", 8443 },
            { "[fe80::1]", MW_OK, "fe80::1", 0 },
            { " host.example \t", MW_OK, "host.example", 0 },
            { "host:", MW_OK, "host", 0 },
            { "host:1", MW_OK, "host", 1 },
            { "host:65535", MW_OK, "host", 65535 },
            { "host:65536", MW_BAD, NULL, 0 },
            { "host:0", MW_BAD, NULL, 0 },
            { "host:x", MW_BAD, NULL, 0 },
            { "a:b:c", MW_BAD, NULL, 0 },
            { "::1", MW_BAD, NULL, 0 },
            { "[::1", MW_BAD, NULL, 0 },
            { "[::1]x", MW_BAD, NULL, 0 },
            { "[]", MW_BAD, NULL, 0 },
            { "[1.2.3.4]", MW_BAD, NULL, 0 },
            { "", MW_BAD, NULL, 0 },
            { "   ", MW_BAD, NULL, 0 },
            { "a,b", MW_BAD, NULL, 0 },
            { "ho st", MW_BAD, NULL, 0 },
            { "user@host", MW_BAD, NULL, 0 },
            { "host/x", MW_BAD, NULL, 0 },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            struct mw_slice host;
            uint16_t port = 7;
            size_t len = strlen(rows[i].h);
            uint8_t *b = malloc(len ? len : 1);
            if (b == NULL)
                abort();
            memcpy(b, rows[i].h, len);
            enum mw_res r = http_host_split((struct mw_slice){ b, len }, &host, &port);
            if (r != rows[i].r)
                printf("#   row %zu: '%s'\n", i, rows[i].h);
            CHECK_EQ(r, rows[i].r);
            if (r != MW_OK)
                CHECK(host.p == NULL && host.n == 0 && port == 0);
            if (r == MW_OK && rows[i].r == MW_OK) {
                CHECK(host.n == strlen(rows[i].host) && memcmp(host.p, rows[i].host, host.n) == 0);
                CHECK_EQ(port, rows[i].port);
            }
            free(b);
        }
        struct mw_slice host;
        uint16_t port;
        CHECK_EQ(http_host_split((struct mw_slice){ NULL, 0 }, &host, &port), MW_BAD);
    }
    TEST_END();

    TEST_BEGIN("http_looks_like_request: every method, and negatives");
    {
        static const char *const yes[] = {
            "GET /", "POST /", "HEAD /", "PUT /", "OPTIONS *", "PROPFIND /", "DELETE /",
            "CONNECT h:443", "PATCH /", "TRACE /", "MKCOL /", "COPY /", "MOVE /", "LOCK /",
            "UNLOCK /", "PROPPATCH /", "SEARCH /", "GET ",
        };
        static const char *const no[] = {
            "", "G", "GET", "GET/", "get /", "GETX /", "POS", "HTTP/1.1 200 OK", "\x16\x03\x01",
            " GET /", "\r\nGET /", "PROPFIN /", "MKCOLL /", "BREW /",
        };
        for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
            if (!http_looks_like_request((const uint8_t *)yes[i], strlen(yes[i])))
                printf("#   yes: %s\n", yes[i]);
            CHECK(http_looks_like_request((const uint8_t *)yes[i], strlen(yes[i])));
            /* one byte short of the method and its space: not yet */
            const char *sp = strchr(yes[i], ' ');
            CHECK(!http_looks_like_request((const uint8_t *)yes[i], (size_t)(sp - yes[i])));
        }
        for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
            if (http_looks_like_request((const uint8_t *)no[i], strlen(no[i])))
                printf("#   no: %s\n", no[i]);
            CHECK(!http_looks_like_request((const uint8_t *)no[i], strlen(no[i])));
        }
        CHECK(!http_looks_like_request(NULL, 0));
        CHECK(http_looks_like_response((const uint8_t *)"HTTP/1.1 200 OK", 15));
        CHECK(http_looks_like_response((const uint8_t *)"HTTP/1.0", 8));
        CHECK(http_looks_like_response((const uint8_t *)"HTTP/1.", 7));
        CHECK(!http_looks_like_response((const uint8_t *)"HTTP/1", 6));
        CHECK(!http_looks_like_response((const uint8_t *)"HTTP/2 200", 10));
        CHECK(!http_looks_like_response((const uint8_t *)"http/1.1", 8));
        CHECK(!http_looks_like_response((const uint8_t *)"GET / HTTP/1.1", 14));
    }
    TEST_END();

    /* One point per row: whole, byte by byte, and split at every offset agree. */
    for (size_t i = 0; i < sizeof chunk_cases / sizeof chunk_cases[0]; i++) {
        const struct ccase *t = &chunk_cases[i];
        snprintf(title, sizeof title, "chunked: %s", t->name);
        TEST_BEGIN(title);
        const uint8_t *in = (const uint8_t *)t->in;
        n = t->len ? t->len : strlen(t->in);
        size_t consumed = feed_split(in, n, NULL, 0, &ch, &bd);
        check_chunk(t, "whole", 0, consumed, &ch, &bd);
        /* after done or bad, nothing more is taken */
        if (ch.done || ch.bad)
            CHECK_EQ(http_chunked_feed(&ch, in, n, body_emit, &bd), 0);
        size_t cuts[4096];
        for (size_t k = 0; k < n && k < sizeof cuts / sizeof cuts[0]; k++)
            cuts[k] = k + 1;
        consumed = feed_split(in, n, cuts, n, &ch, &bd);
        check_chunk(t, "byte by byte", 0, consumed, &ch, &bd);
        for (size_t cut = 0; cut <= n; cut++) {
            consumed = feed_split(in, n, &cut, 1, &ch, &bd);
            check_chunk(t, "split", cut, consumed, &ch, &bd);
        }
        TEST_END();
    }

    TEST_BEGIN("chunked: a large chunk fed in pieces, emit gets pointers into the input");
    {
        static uint8_t in[3000];
        size_t o = (size_t)snprintf((char *)in, sizeof in, "800\r\n");
        for (size_t i = 0; i < 0x800; i++)
            in[o + i] = (uint8_t)('a' + i % 26);
        o += 0x800;
        memcpy(in + o, "\r\n0\r\n\r\n", 7);
        o += 7;
        http_chunked_init(&ch);
        memset(&bd, 0, sizeof bd);
        size_t taken = 0;
        for (size_t step = 1; taken < o && !ch.done && !ch.bad; step = step * 2 + 1) {
            size_t k = step < o - taken ? step : o - taken;
            taken += http_chunked_feed(&ch, in + taken, k, body_emit, &bd);
        }
        CHECK(ch.done && !ch.bad);
        CHECK_EQ(taken, o);
        CHECK_EQ(bd.n, 0x800);
        CHECK_MEM(bd.b, in + 5, 0x800);
        /* NULL emit is allowed: the caller only wants to skip the body */
        http_chunked_init(&ch);
        CHECK_EQ(http_chunked_feed(&ch, in, o, NULL, NULL), o);
        CHECK(ch.done);
    }
    TEST_END();

    return tap_done();
}
