/* tls.c -- TLS glue (DESIGN.md section 4, "TLS"): the client's first bytes
 * are kept until parse/tls.c finds a whole ClientHello (it may span TCP
 * segments and TLS records), then one record is written and both
 * directions are bypassed: nothing after the hello is readable. */
#include <stdlib.h>
#include <string.h>

#include "app/proto.h"
#include "app/sbuf.h"
#include "parse/tls.h"
#include "text.h"

struct tls_fs {
    struct sbuf buf;
    bool done;
};

static void *tls_create(void)
{
    return calloc(1, sizeof(struct tls_fs));
}

static const char *version_name(uint16_t v)
{
    switch (v) {
    case 0x0304: return "1.3";
    case 0x0303: return "1.2";
    case 0x0302: return "1.1";
    case 0x0301: return "1.0";
    case 0x0300: return "3.0";
    default: return "";
    }
}

static enum reasm_want tls_data(struct app_ctx *c, struct flow *f, void *ps, int dir,
                                enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct tls_fs *t = ps;
    if (dir == 1 || t->done)
        return REASM_STOP;
    if (ev == REASM_GAP) {
        t->done = true;
        c->st.gave_up[APP_TLS]++;
        return REASM_STOP;
    }
    if (ev != REASM_DATA)
        return REASM_MORE;
    if (!sbuf_add(&t->buf, p, n, APP_SCRATCH)) {
        t->done = true;
        c->st.gave_up[APP_TLS]++;
        return REASM_STOP;
    }
    struct tls_hello h;
    enum mw_res rc = tls_client_hello_parse(t->buf.p, t->buf.n, c->scratch, APP_SCRATCH, &h);
    if (rc == MW_SHORT)
        return REASM_MORE;
    t->done = true;
    if (rc == MW_BAD) {
        sbuf_free(&t->buf);
        c->st.bad[APP_TLS]++;
        return REASM_STOP;
    }
    /* h's slices point into t->buf (or the scratch): free it only after
     * the record is built */
    struct rec_tls r;
    memset(&r, 0, sizeof r);
    app_rec_net(c, f, &r.n);
    if (h.has_sni)
        text_copy_lower(r.sni, sizeof r.sni, h.sni.p, h.sni.n);
    text_set(r.version, sizeof r.version, version_name(h.max_version));
    if (h.has_alpn)
        text_copy(r.alpn, sizeof r.alpn, h.alpn_first.p, h.alpn_first.n);
    text_set(r.ja3, sizeof r.ja3, h.ja3);
    r.ech = h.ech;
    r.esni = h.esni;
    sbuf_free(&t->buf);
    bus_tls(c->bus, &r);
    c->st.records[APP_TLS]++;
    return REASM_STOP;
}

static void tls_end(struct app_ctx *c, struct flow *f, void *ps)
{
    (void)c; (void)f; (void)ps;
}

static void tls_destroy(void *ps)
{
    struct tls_fs *t = ps;
    sbuf_free(&t->buf);
    free(t);
}

const struct app_ops app_tls_ops = { "tls", tls_create, tls_data, tls_end, tls_destroy };
