/* http.h -- HTTP/1.x message heads and chunked bodies, as a pure parser
 * (DESIGN.md section 2; STYLE.md 2.4, 5.1, 5.2). In: bytes of one direction
 * of a TCP stream. Out: request and response heads as slices into those
 * bytes, header lookups, request-target and Host splitting, and a streaming
 * chunked-body decoder. Nothing is allocated, copied or printed; a parser
 * keeps no state between calls except the chunked decoder's small struct.
 * Not here: flows, directions, records, body typing (payload.h). */
#ifndef MW_PARSE_HTTP_H
#define MW_PARSE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* 64 headers: real browsers send 10 to 20, msiexec 4, the WebDAV redirector
 * about 8; more is kept track of (hdr_overflow) but not stored. */
#define HTTP_MAX_HDRS 64

struct http_hdr {
    struct mw_slice name, value; /* value without leading or trailing SP/HT */
};

struct http_req {
    struct mw_slice method, target;
    int minor; /* 0 or 1; -1 for an HTTP/0.9 "GET /x" line (no headers follow) */
    struct http_hdr hdr[HTTP_MAX_HDRS];
    unsigned nhdr;     /* headers stored, <= HTTP_MAX_HDRS */
    bool hdr_overflow; /* the head had more than HTTP_MAX_HDRS headers */
};

struct http_resp {
    int minor;
    int status; /* 100..999 */
    struct mw_slice reason; /* may be empty ("HTTP/1.1 200\r\n" is accepted) */
    struct http_hdr hdr[HTTP_MAX_HDRS];
    unsigned nhdr;
    bool hdr_overflow;
};

/* Parse a request head from buf[0..len). MW_OK: *used = bytes of the head
 * including the final CRLFCRLF (or LFLF), plus any empty lines that preceded
 * the request line (RFC 9112 2.2: a server ignores them); out's slices point
 * into buf. MW_SHORT: need more bytes; a strict prefix of a valid head is
 * always SHORT. MW_BAD: not HTTP (bad method or header-name byte, control
 * byte, bad version, obs-fold). out is only meaningful on MW_OK.
 *
 * Accepted: CRLF or bare LF line ends; target bytes 0x21..0x7E and >= 0x80;
 * header values may hold HT, 0x20..0x7E and >= 0x80. Rejected: a header line
 * starting with SP or HT (obs-fold, RFC 9112 5.2 allows rejecting it, and a
 * sensor that joined it would disagree with servers that do not), a space
 * before the colon, the HTTP/0.9 form for any method but GET.
 *
 * Each call scans buf once (O(len)) and keeps nothing, so a stream engine
 * that re-offers a growing buffer pays O(len) per call: callers must stop
 * waiting once a head still SHORT passes their cap (64 KiB is plenty). */
enum mw_res http_req_parse(const uint8_t *buf, size_t len, struct http_req *out, size_t *used);
enum mw_res http_resp_parse(const uint8_t *buf, size_t len, struct http_resp *out, size_t *used);

/* Cheap test used to recognise HTTP on any port: does buf start with one of
 * the methods msiexec, browsers and the WebDAV redirector use, followed by a
 * space? False until the method and its space are in buf. */
bool http_looks_like_request(const uint8_t *buf, size_t len);
/* Does buf start with "HTTP/1."? False until those 7 bytes are in buf. */
bool http_looks_like_response(const uint8_t *buf, size_t len);

/* Header lookup, case-insensitive name; the first match, or a slice with p
 * NULL when there is none. */
struct mw_slice http_header(const struct http_hdr *h, unsigned n, const char *name);
/* Case-insensitive (ASCII) equality of s with the C string lit. */
bool http_slice_ieq(struct mw_slice s, const char *lit);

/* Content-Length (RFC 9110 8.6): false when absent, malformed (empty, a
 * non-digit, a sign), several differing values (in several headers or a
 * comma list), or > 2^53. Identical repeats are accepted. */
bool http_content_length(const struct http_hdr *h, unsigned n, uint64_t *out);
/* Does the last transfer coding (of the last Transfer-Encoding header) say
 * "chunked"? */
bool http_is_chunked(const struct http_hdr *h, unsigned n);

/* A request target split into pieces (pure slicing, RFC 9112 3.2):
 *  origin-form    "/p?q"                -> path "/p", query "q"
 *  absolute-form  "http://u@Host:8/p?q" -> scheme "http", host "Host", port 8,
 *                                          path "/p" ("/" if empty), query "q"
 *  authority-form "host:443" (CONNECT)  -> host, port (required)
 *  asterisk-form  "*" (OPTIONS)         -> path "*"
 * query.p is NULL when there is no '?'. An IPv6 literal host is returned
 * without its brackets. port is 0 when the target names none. A fragment
 * ('#') is not split off (clients do not send one). */
struct http_target {
    struct mw_slice scheme, host, path, query;
    uint16_t port;
    bool absolute, authority;
};
/* MW_OK, or MW_BAD on garbage (empty target, bad scheme, empty or bad host,
 * port not a number 1..65535). Never MW_SHORT. */
enum mw_res http_target_split(struct mw_slice target, bool is_connect, struct http_target *out);

/* Host header value -> host and port: "[v6]:port" (host without brackets),
 * "host:port", "host"; surrounding SP/HT ignored; *port 0 when absent or
 * empty ("host:"). MW_BAD for an empty or malformed host or a port not in
 * 1..65535. */
enum mw_res http_host_split(struct mw_slice host_hdr, struct mw_slice *host, uint16_t *port);

/* Chunked body decoder (RFC 9112 7.1): streaming, stateful, allocation-free. */
struct http_chunked {
    uint64_t left;     /* bytes left in the current chunk */
    uint8_t state;     /* where in the grammar the last byte left us */
    uint8_t hexdigits; /* digits of the current size line so far */
    bool done;         /* the last chunk and its trailer were seen */
    bool bad;          /* malformed: feed nothing more */
};
void http_chunked_init(struct http_chunked *c);
/* Feed n bytes of the chunked body. For each piece of body data found, calls
 * emit(user, p, k) with p pointing into the input. Returns the number of input
 * bytes consumed: all of them, unless done becomes true, in which case the
 * bytes up to and including the final line end after the trailer (bytes after
 * belong to the next message). On malformed input sets bad and returns the
 * bytes consumed before the offending one. Works when fed one byte at a time
 * (size lines, line ends and trailers split anywhere). Chunk extensions
 * (";name=val") are ignored, trailer fields skipped; bare LF accepted for CRLF.
 * A size above 2^60, or a size line of more than 16 hex digits, is bad.
 * Once done or bad, returns 0. */
size_t http_chunked_feed(struct http_chunked *c, const uint8_t *p, size_t n,
                         void (*emit)(void *user, const uint8_t *p, size_t n), void *user);

#endif
