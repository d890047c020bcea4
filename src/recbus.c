/* recbus.c -- delivery of records to the output and the correlator, the
 * DNS address-to-name cache on the way, and the per-worker queues of
 * --workers (see recbus.h). */
#include "recbus.h"
#include "text.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* destination.domain: the name a DNS answer delivered earlier gave the address */
static void name_dst(struct recbus *b, struct rec_net *n)
{
    if (!b->dns || n->dst_domain[0])
        return;
    const char *d = dnscache_get(b->dns, &n->dst, n->ts_us);
    if (d)
        text_set(n->dst_domain, sizeof n->dst_domain, d);
}

static void deliver(struct recbus *b, enum rec_type t, void *rec)
{
    switch (t) {
    case RT_HTTP: {
        struct rec_http *r = rec;
        name_dst(b, &r->n);
        output_http(b->out, r);
        if (b->cor)
            cor_http(b->cor, r);
        break;
    }
    case RT_TLS: {
        struct rec_tls *r = rec;
        name_dst(b, &r->n);
        output_tls(b->out, r);
        if (b->cor)
            cor_tls(b->cor, r);
        break;
    }
    case RT_SMB: {
        struct rec_smb *r = rec;
        name_dst(b, &r->n);
        output_smb(b->out, r);
        if (b->cor)
            cor_smb(b->cor, r);
        break;
    }
    case RT_DNS: {
        struct rec_dns *r = rec;
        name_dst(b, &r->n);
        if (b->dns && r->qname[0])
            for (unsigned i = 0; i < r->nresolved && i < REC_DNS_MAX; i++)
                dnscache_put(b->dns, &r->resolved[i], r->qname, r->resolved_ttl[i], r->n.ts_us);
        output_dns(b->out, r);
        if (b->cor)
            cor_dns(b->cor, r);
        break;
    }
    case RT_DHCP: {
        struct rec_dhcp *r = rec;
        name_dst(b, &r->n);
        output_dhcp(b->out, r);
        if (b->cor)
            cor_dhcp(b->cor, r);
        break;
    }
    case RT_FLOW: {
        struct rec_flow *r = rec;
        output_flow(b->out, r);
        if (b->cor)
            cor_flow(b->cor, r);
        break;
    }
    }
}

static const size_t rec_size[] = {
    [RT_HTTP] = sizeof(struct rec_http), [RT_TLS] = sizeof(struct rec_tls), [RT_SMB] = sizeof(struct rec_smb),
    [RT_DNS] = sizeof(struct rec_dns),   [RT_DHCP] = sizeof(struct rec_dhcp), [RT_FLOW] = sizeof(struct rec_flow),
};

/* The bytes of rec that a copy needs: a DNS record's unused answers (17 KiB
 * of its 18) are left out, or --workers would copy a gigabyte of zeros for
 * the benchmark mix's 53,000 DNS records. */
static size_t used_size(enum rec_type t, const void *rec)
{
    if (t == RT_DNS) {
        const struct rec_dns *r = rec;
        unsigned nan = r->nan < REC_DNS_MAX ? r->nan : REC_DNS_MAX;
        return offsetof(struct rec_dns, an) + nan * sizeof r->an[0];
    }
    return rec_size[t];
}

/* A copy of rec at the end of q, with tag and seq. */
static void enqueue(struct recq *q, enum rec_type t, const void *rec, struct rec_tag tag, uint32_t seq)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        struct recq_item *v = realloc(q->v, cap * sizeof *v);
        if (!v) {
            q->dropped++;
            return;
        }
        q->v = v;
        q->cap = cap;
    }
    size_t size = used_size(t, rec);
    size_t need = (size + 15) & ~(size_t)15;
    while (q->at && q->at->used + need > q->at->cap)
        q->at = q->at->next;
    if (!q->at) {
        size_t cap = need > (1u << 20) ? need : (1u << 20);
        struct recq_chunk *ch = malloc(sizeof *ch + cap);
        if (!ch) {
            q->dropped++;
            return;
        }
        ch->used = 0;
        ch->cap = cap;
        ch->next = q->chunks; /* new chunks go first: recq_reset starts from the head */
        q->chunks = ch;
        q->at = ch;
    }
    void *copy = q->at->data + q->at->used;
    q->at->used += need;
    memcpy(copy, rec, size);
    q->v[q->n++] = (struct recq_item){ .tag = tag, .seq = seq, .type = (uint8_t)t, .rec = copy };
}

/* Queue a copy, or deliver now without a queue. */
static void submit(struct recbus *b, enum rec_type t, void *rec)
{
    struct recq *q = b->q;
    if (!q) {
        deliver(b, t, rec);
        return;
    }
    enqueue(q, t, rec, q->cur, q->seq++);
}

void recq_push(struct recq *q, const struct recq_item *it)
{
    enqueue(q, (enum rec_type)it->type, it->rec, it->tag, it->seq);
}

void bus_http(struct recbus *b, struct rec_http *r) { submit(b, RT_HTTP, r); }
void bus_tls(struct recbus *b, struct rec_tls *r) { submit(b, RT_TLS, r); }
void bus_smb(struct recbus *b, struct rec_smb *r) { submit(b, RT_SMB, r); }
void bus_dns(struct recbus *b, struct rec_dns *r) { submit(b, RT_DNS, r); }
void bus_dhcp(struct recbus *b, struct rec_dhcp *r) { submit(b, RT_DHCP, r); }
void bus_flow(struct recbus *b, struct rec_flow *r) { submit(b, RT_FLOW, r); }

void bus_endpoint(struct recbus *b, const struct rec_endpoint *r)
{
    output_endpoint(b->out, r);
    if (b->cor)
        cor_endpoint(b->cor, r);
}

void bus_deliver(struct recbus *b, struct recq_item *it)
{
    deliver(b, (enum rec_type)it->type, it->rec);
    it->rec = NULL;
}

int recq_cmp(const void *pa, const void *pb)
{
    const struct recq_item *a = pa, *b = pb;
    if (a->tag.idx != b->tag.idx)
        return a->tag.idx < b->tag.idx ? -1 : 1;
    if (a->tag.phase != b->tag.phase)
        return a->tag.phase < b->tag.phase ? -1 : 1;
    if (a->tag.cls != b->tag.cls)
        return a->tag.cls < b->tag.cls ? -1 : 1;
    if (a->tag.key != b->tag.key)
        return a->tag.key < b->tag.key ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void recq_reset(struct recq *q)
{
    for (struct recq_chunk *ch = q->chunks; ch; ch = ch->next)
        ch->used = 0;
    q->at = q->chunks;
    q->n = 0;
}

void recq_free(struct recq *q)
{
    for (struct recq_chunk *ch = q->chunks, *nx; ch; ch = nx) {
        nx = ch->next;
        free(ch);
    }
    free(q->v);
    memset(q, 0, sizeof *q);
}
