/* fuzz_app.c -- libFuzzer target for the stream glue of the app layer
 * (src/app/http.c, tls.c, smb.c, dns.c over TCP): the parsers' state kept
 * across segments, bodies passed over, resynchronisation after lost bytes.
 * The first byte picks the parser (0 HTTP, 1 TLS, 2 SMB, 3 DNS over TCP);
 * then each step is 3 header bytes:
 *   [0] bit0 direction, bit1 a gap (lost bytes) instead of data
 *   [1..2] length, big endian: of the data that follows (cut to what is
 *          left), or of the gap
 * A direction whose parser answered STOP gets nothing more, as reassembly
 * bypasses it; empty data steps are skipped (reassembly never delivers
 * DATA without bytes). At the end the parser writes what is pending. Records go to
 * a queue (recbus.h), never to an output. Invariants: every record counted
 * (st.records) is queued, of a known type, with its strings terminated.
 * Linked with replay.c for make check. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/proto.h"
#include "recbus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const struct recq_item *it)
{
    assert(it->type <= RT_FLOW);
    if (it->type == RT_HTTP) {
        const struct rec_http *r = it->rec;
        assert(memchr(r->host, '\0', sizeof r->host) && memchr(r->url, '\0', sizeof r->url));
        assert(memchr(r->user_agent, '\0', sizeof r->user_agent) && memchr(r->unc, '\0', sizeof r->unc));
    } else if (it->type == RT_TLS) {
        const struct rec_tls *r = it->rec;
        assert(memchr(r->sni, '\0', sizeof r->sni));
    } else if (it->type == RT_SMB) {
        const struct rec_smb *r = it->rec;
        assert(memchr(r->path, '\0', sizeof r->path) && memchr(r->user, '\0', sizeof r->user) &&
               memchr(r->file_name, '\0', sizeof r->file_name));
    } else if (it->type == RT_DNS) {
        const struct rec_dns *r = it->rec;
        assert(memchr(r->qname, '\0', sizeof r->qname) && r->nan <= REC_DNS_MAX);
        for (unsigned i = 0; i < r->nan; i++)
            assert(memchr(r->an[i].name, '\0', sizeof r->an[i].name) &&
                   memchr(r->an[i].data, '\0', sizeof r->an[i].data));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct app_ops *const ops[4] = { &app_http_ops, &app_tls_ops, &app_smb_ops, &app_dns_tcp_ops };
    if (size < 1)
        return 0;
    struct recq q;
    memset(&q, 0, sizeof q);
    struct recbus bus = { .q = &q };
    struct app_ctx c;
    if (app_ctx_init(&c, &bus, false, (data[0] & 4) != 0) != 0)
        return 0;
    const struct app_ops *o = ops[data[0] & 3];
    struct flow f;
    memset(&f, 0, sizeof f);
    f.key.proto = 6;
    f.key.port[0] = 49152;
    f.key.port[1] = 445;
    void *ps = o->create();
    bool stopped[2] = { false, false };
    size_t off = 1;
    while (ps && off + 3 <= size) {
        int dir = data[off] & 1;
        bool gap = (data[off] & 2) != 0;
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (!gap && len > size - off)
            len = size - off;
        if (!stopped[dir] && (gap || len > 0)) {
            uint8_t *b = NULL;
            if (!gap && len > 0) { /* exactly sized, so ASan sees one byte over */
                b = malloc(len);
                if (b == NULL)
                    break;
                memcpy(b, data + off, len);
            }
            c.now_us += 1000;
            enum reasm_want w = o->data(&c, &f, ps, dir, gap ? REASM_GAP : REASM_DATA, b, len);
            free(b);
            if (w == REASM_STOP)
                stopped[dir] = true;
        }
        if (!gap)
            off += len;
    }
    if (ps) {
        for (int d = 0; d < 2; d++)
            if (!stopped[d])
                o->data(&c, &f, ps, d, REASM_END, NULL, 0);
        o->end(&c, &f, ps);
        o->destroy(ps);
    }
    uint64_t counted = 0;
    for (int i = 0; i < APP__COUNT; i++)
        counted += c.st.records[i];
    assert(q.n + q.dropped == counted);
    for (size_t i = 0; i < q.n; i++)
        check_record(&q.v[i]);
    recq_free(&q);
    app_ctx_free(&c);
    return 0;
}
