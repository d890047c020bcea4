/* dns.c -- DNS glue (DESIGN.md section 4, "DNS"): every DNS message over
 * UDP, or over TCP with its two-byte length, becomes a record; the A and
 * AAAA answers of a response (with their TTLs) go with the record, and
 * teach the delivering side (recbus.c, dnscache.c) which name each address
 * stands for, so later records carry destination.domain. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/proto.h"
#include "app/sbuf.h"
#include "parse/dns.h"
#include "text.h"

#define TCP_MSG_MAX (64 * 1024 + 2)

static const char *type_name(uint16_t t, char *buf, size_t len)
{
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 65: return "HTTPS";
    case 255: return "ANY";
    default: snprintf(buf, len, "TYPE%u", t); return buf;
    }
}

static const char *rcode_name(uint8_t r, char *buf, size_t len)
{
    static const char *const n[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
    if (r < 6)
        return n[r];
    snprintf(buf, len, "RCODE%u", r);
    return buf;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

static void copy(char *dst, size_t cap, const char *src)
{
    dst[0] = '\0';
    text_append(dst, cap, src);
}

static void one_message(struct app_ctx *c, struct flow *f, const uint8_t *p, size_t n)
{
    struct dns_msg m;
    if (dns_parse(p, n, &m) != MW_OK) {
        c->st.bad[APP_DNS]++;
        return;
    }
    /* the context's record, reused: the answers (9 KiB) are set one by one */
    struct rec_dns *r = c->dns_rec;
    memset(r, 0, offsetof(struct rec_dns, an));
    char tb[16];
    app_rec_net(c, f, &r->n);
    r->id = m.id;
    r->response = m.response;
    copy(r->qname, sizeof r->qname, m.qname);
    lower(r->qname);
    copy(r->qtype, sizeof r->qtype, m.qdcount ? type_name(m.qtype, tb, sizeof tb) : "");
    if (m.response) {
        copy(r->rcode, sizeof r->rcode, rcode_name(m.rcode, tb, sizeof tb));
        for (unsigned i = 0; i < m.nan && r->nan < REC_DNS_MAX; i++) {
            const struct dns_rr *a = &m.an[i];
            copy(r->an[r->nan].name, sizeof r->an[0].name, a->name);
            lower(r->an[r->nan].name);
            copy(r->an[r->nan].type, sizeof r->an[0].type, type_name(a->type, tb, sizeof tb));
            copy(r->an[r->nan].data, sizeof r->an[0].data, a->data);
            r->an[r->nan].ttl = a->ttl;
            r->nan++;
            if (a->has_addr) {
                r->resolved_ttl[r->nresolved] = a->ttl;
                r->resolved[r->nresolved++] = a->addr;
            }
        }
    }
    bus_dns(c->bus, r);
    c->st.records[APP_DNS]++;
}

void app_dns_datagram(struct app_ctx *c, struct flow *f, int dir, const uint8_t *p, size_t n)
{
    (void)dir;
    c->st.flows[APP_DNS] += f->pkts[0] + f->pkts[1] == 1;
    one_message(c, f, p, n);
}

struct dns_tcp {
    struct sbuf buf[2];
    bool broken[2];
};

static void *dns_tcp_create(void)
{
    return calloc(1, sizeof(struct dns_tcp));
}

static enum reasm_want dns_tcp_data(struct app_ctx *c, struct flow *f, void *ps, int dir,
                                    enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct dns_tcp *d = ps;
    if (d->broken[dir])
        return REASM_STOP;
    if (ev == REASM_GAP) {
        d->broken[dir] = true;
        c->st.gave_up[APP_DNS]++;
        return REASM_STOP;
    }
    if (ev != REASM_DATA)
        return REASM_MORE;
    /* whole messages straight from the segment; only a partial one is kept */
    struct sbuf *b = &d->buf[dir];
    if (b->n && !sbuf_add(b, p, n, TCP_MSG_MAX * 2)) {
        d->broken[dir] = true;
        c->st.gave_up[APP_DNS]++;
        return REASM_STOP;
    }
    const uint8_t *q = b->n ? b->p : p;
    size_t m = b->n ? b->n : n, off = 0;
    for (;;) {
        const uint8_t *msg;
        size_t len, used;
        enum mw_res rc = dns_tcp_frame(q + off, m - off, &msg, &len, &used);
        if (rc == MW_SHORT)
            break;
        if (rc != MW_OK) {
            d->broken[dir] = true;
            c->st.bad[APP_DNS]++;
            return REASM_STOP;
        }
        one_message(c, f, msg, len);
        off += used;
    }
    if (b->n) {
        sbuf_consume(b, off);
        sbuf_trim(b);
    } else if (off < m && !sbuf_add(b, q + off, m - off, TCP_MSG_MAX * 2)) {
        d->broken[dir] = true;
        c->st.gave_up[APP_DNS]++;
        return REASM_STOP;
    }
    return REASM_MORE;
}

static void dns_tcp_end(struct app_ctx *c, struct flow *f, void *ps)
{
    (void)c; (void)f; (void)ps;
}

static void dns_tcp_destroy(void *ps)
{
    struct dns_tcp *d = ps;
    sbuf_free(&d->buf[0]);
    sbuf_free(&d->buf[1]);
    free(d);
}

const struct app_ops app_dns_tcp_ops = { "dns", dns_tcp_create, dns_tcp_data, dns_tcp_end, dns_tcp_destroy };
