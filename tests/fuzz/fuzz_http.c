/* fuzz_http.c -- libFuzzer target for src/parse/http.c (STYLE.md 7.1). One
 * input is tried as a request head, a response head and a chunked body. The
 * invariants checked: *used within the input and the header count within its
 * bound; a strict prefix of an accepted head is SHORT; every helper accepts
 * whatever the parser produced; the chunked decoder gives the same body,
 * consumed count and end state whether fed whole or in two pieces cut at a
 * place the input chooses, and never consumes more than it was given. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "parse/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct http_hdr *h, unsigned n)
{
    uint64_t cl = 0;
    struct mw_slice host, v = http_header(h, n, "Host");
    uint16_t port;
    if (http_content_length(h, n, &cl))
        assert(cl <= (uint64_t)1 << 53);
    (void)http_is_chunked(h, n);
    if (v.p != NULL && http_host_split(v, &host, &port) == MW_OK)
        assert(host.p >= v.p && host.p + host.n <= v.p + v.n);
}

struct sum {
    uint64_t n, h; /* bytes and an FNV-1a hash of the body */
};

static void sum_emit(void *user, const uint8_t *p, size_t n)
{
    struct sum *s = user;
    assert(n > 0);
    for (size_t i = 0; i < n; i++)
        s->h = (s->h ^ p[i]) * 1099511628211u;
    s->n += n;
}

static void chunked(const uint8_t *b, size_t size)
{
    struct http_chunked c1, c2;
    struct sum s1 = { 0, 14695981039346656037u }, s2 = s1;
    http_chunked_init(&c1);
    size_t k1 = http_chunked_feed(&c1, b, size, sum_emit, &s1);
    assert(k1 <= size);
    assert(c1.done || c1.bad || k1 == size);

    size_t cut = size ? b[0] % (size + 1) : 0;
    http_chunked_init(&c2);
    size_t k2 = http_chunked_feed(&c2, b, cut, sum_emit, &s2);
    assert(k2 <= cut);
    if (!c2.done && !c2.bad) {
        assert(k2 == cut);
        k2 += http_chunked_feed(&c2, b + cut, size - cut, sum_emit, &s2);
    }
    assert(k1 == k2 && c1.done == c2.done && c1.bad == c2.bad);
    assert(s1.n == s2.n && s1.h == s2.h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_req q;
    static struct http_resp r;
    uint8_t *b = malloc(size ? size : 1);
    size_t used = 0, u2 = 0;
    if (b == NULL)
        return 0;
    memcpy(b, data, size);

    if (http_req_parse(b, size, &q, &used) == MW_OK) {
        assert(used > 0 && used <= size && q.nhdr <= HTTP_MAX_HDRS);
        assert(q.minor >= -1 && q.minor <= 1);
        assert(http_req_parse(b, used - 1, &q, &u2) == MW_SHORT);
        assert(http_req_parse(b, used, &q, &u2) == MW_OK && u2 == used);
        exercise(q.hdr, q.nhdr);
        struct http_target t;
        if (http_target_split(q.target, http_slice_ieq(q.method, "CONNECT"), &t) == MW_OK)
            assert(t.path.n <= q.target.n || t.path.n == 1);
        (void)http_looks_like_request(b, size);
    }
    if (http_resp_parse(b, size, &r, &used) == MW_OK) {
        assert(used > 0 && used <= size && r.nhdr <= HTTP_MAX_HDRS);
        assert(r.status >= 100 && r.status <= 999);
        assert(http_resp_parse(b, used - 1, &r, &u2) == MW_SHORT);
        assert(http_looks_like_response(b, size) || b[0] == '\r' || b[0] == '\n');
        exercise(r.hdr, r.nhdr);
    }
    chunked(b, size);
    free(b);
    return 0;
}
