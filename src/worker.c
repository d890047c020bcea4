/* worker.c -- the packet path of one worker (see worker.h). */
#include "worker.h"

#include <stdlib.h>
#include <string.h>


#define IPP_TCP 6
#define IPP_UDP 17

void worker_cfg_defaults(struct worker_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->flow.max_flows = FLOW_DEFAULT_MAX;
    c->flow.tcp_timeout_us = FLOW_DEFAULT_TCP_TIMEOUT_US;
    c->flow.udp_timeout_us = FLOW_DEFAULT_UDP_TIMEOUT_US;
    c->flow.closed_timeout_us = FLOW_DEFAULT_CLOSED_TIMEOUT_US;
    c->frag.max_bytes = IPFRAG_DEFAULT_MAX_BYTES;
    c->frag.max_datagrams = IPFRAG_DEFAULT_MAX_DATAGRAMS;
    c->frag.timeout_us = IPFRAG_DEFAULT_TIMEOUT_US;
    c->reasm.max_hold_dir = REASM_DEFAULT_HOLD_DIR;
    c->reasm.max_hold_total = REASM_DEFAULT_HOLD_TOTAL;
    c->reasm.depth = REASM_DEFAULT_DEPTH;
    c->ndpi_max_packets = CLASSIFY_DEFAULT_MAX_PACKETS;
}

/* Reassembled bytes go to the app layer; user is the worker, the flow is
 * the one being processed (cur_flow), set before every reasm call. */
static enum reasm_want on_stream(void *user, int dir, enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct worker *w = user;
    return app_stream(&w->app, w->cur_flow, dir, ev, p, n);
}

static void on_flow_end(void *user, struct flow *f, enum flow_end_reason why)
{
    struct worker *w = user;
    w->cur_flow = f;
    struct recq *q = w->bus->q;
    if (q && q->cur.phase == 0) { /* a timeout run: the LRU order of one worker */
        q->cur.cls = f->list;
        q->cur.key = f->last_pkt;
    } else if (q && q->cur.phase == 2) { /* the end: in order of first sight */
        q->cur.key = f->id;
    }
    if (f->key.proto == IPP_TCP) {
        reasm_close(&w->reasm, &f->rd[0], w, 0);
        reasm_close(&w->reasm, &f->rd[1], w, 1);
    }
    classify_finish(w->cls, f);
    uint16_t id = classify_main_id(f);
    if (id < w->nproto)
        w->proto_flows[id]++;

    struct rec_flow r;
    memset(&r, 0, sizeof r);
    r.id = f->id;
    r.start_us = f->first_us;
    r.end_us = f->last_us;
    r.src = *flow_addr(f, 0);
    r.dst = *flow_addr(f, 1);
    r.sport = flow_port(f, 0);
    r.dport = flow_port(f, 1);
    r.l4proto = f->key.proto;
    r.nvlan = f->key.vlan ? 1 : 0;
    r.vlan[0] = f->key.vlan;
    for (int i = 0; i < 2; i++) {
        r.pkts[i] = f->pkts[i];
        r.bytes[i] = f->bytes[i];
        r.app_bytes[i] = f->app_bytes[i];
        r.gaps[i] = f->gaps[i];
    }
    r.protocol = classify_name(w->cls, f);
    classify_full_name(w->cls, f, r.ndpi_name, sizeof r.ndpi_name);
    r.ndpi_guessed = f->proto_guessed;
    r.end_reason = why == FE_TIMEOUT ? "timeout" : why == FE_EVICTED ? "evicted" : "end_of_input";
    w->app.now_us = w->now_us;
    app_flow_end(&w->app, f, &r);
    bus_flow(w->bus, &r);
    reasm_discard(&w->reasm, &f->rd[0]);
    reasm_discard(&w->reasm, &f->rd[1]);
}

int worker_init(struct worker *w, const struct worker_cfg *cfg, struct recbus *bus,
                char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->cfg = *cfg;
    w->out = bus->out;
    w->bus = bus;
    w->cls = classify_new(cfg->ndpi_max_packets, err, errlen);
    if (w->cls == NULL)
        return -1;
    w->nproto = classify_num_protocols(w->cls);
    w->proto_flows = calloc(w->nproto ? w->nproto : 1, sizeof *w->proto_flows);
    w->flows = flow_table_new(&cfg->flow, on_flow_end, w);
    w->frag = ipfrag_new(&cfg->frag);
    if (w->proto_flows == NULL || w->flows == NULL || w->frag == NULL) {
        snprintf(err, errlen, "out of memory creating the flow table (max flows %u)", cfg->flow.max_flows);
        worker_free(w);
        return -1;
    }
    reasm_init(&w->reasm, &cfg->reasm, on_stream);
    if (app_ctx_init(&w->app, bus, cfg->flow_digests, cfg->hash_all_bodies) != 0) {
        snprintf(err, errlen, "cannot create the app layer: out of memory, or libcrypto has no SHA-256");
        worker_free(w);
        return -1;
    }
    return 0;
}

static void transport(struct worker *w, const struct mw_pkt *pk, uint64_t ts_us)
{
    int dir;
    struct flow *f = flow_get(w->flows, pk, ts_us, &dir);
    if (f == NULL)
        return;
    f->pkts[dir]++;
    f->bytes[dir] += pk->l3_len;
    classify_packet(w->cls, f, pk, ts_us);
    w->app.now_us = ts_us;
    w->cur_flow = f;
    if (pk->l4proto != IPP_TCP) {
        app_datagram(&w->app, f, dir, pk->payload, pk->payload_len);
        return;
    }
    uint8_t fl = pk->tcp_flags;
    if (fl & MW_TH_SYN)
        f->syn[dir] = 1;
    reasm_segment(&w->reasm, &f->rd[dir], w, dir, pk->seq, fl, pk->payload, pk->payload_len);
    if (fl & MW_TH_ACK)
        reasm_ack(&w->reasm, &f->rd[!dir], w, !dir, pk->ack);
    if (fl & MW_TH_FIN)
        f->fin[dir] = 1;
    if (fl & MW_TH_RST)
        f->rst = 1;
    if (f->rst || (f->fin[0] && f->fin[1]))
        flow_mark_closed(w->flows, f);
}

/* The timeouts, on packet time, before packet n. */
static void expire(struct worker *w, uint64_t n, uint64_t now_us)
{
    if (w->bus->q)
        w->bus->q->cur = (struct rec_tag){ .idx = n, .phase = 0 };
    flow_expire(w->flows, now_us);
    ipfrag_expire(w->frag, now_us);
}

/* A packet: ord places its records in the delivery order (recbus.h), id
 * names it (a flow takes the id of the packet that opened it); both are
 * the packet's number in the input except with fanout (worker_packet_lane). */
static void packet(struct worker *w, uint64_t ord, uint64_t id, int dlt, uint64_t ts_us, const uint8_t *data,
                   size_t caplen)
{
    struct mw_pkt pk;
    if (w->bus->q)
        w->bus->q->cur = (struct rec_tag){ .idx = ord, .phase = 1 };
    flow_set_packet(w->flows, id);
    enum decode_cause c = decode_frame(dlt, data, caplen, &pk);
    if (pk.nvlan)
        w->st.vlan++;
    if (pk.nmpls)
        w->st.mpls++;
    if (pk.ipver == 4)
        w->st.ipv4++;
    else if (pk.ipver == 6)
        w->st.ipv6++;
    if (c == DEC_FRAGMENT) {
        const uint8_t *dg;
        size_t dglen;
        w->st.frags++;
        if (ipfrag_add(w->frag, &pk, ts_us, &dg, &dglen) != IPFRAG_DONE)
            return;
        c = decode_ip(dg, dglen, &pk);
        if (c == DEC_FRAGMENT) /* a fragment inside a fragment: not possible from ipfrag */
            c = DEC_BAD_FRAGMENT;
    }
    if (c != DEC_OK) {
        w->st.cause[c]++;
        return;
    }
    if (pk.truncated)
        w->st.snap_truncated++;
    if (pk.l4proto == IPP_TCP)
        w->st.tcp++;
    else if (pk.l4proto == IPP_UDP)
        w->st.udp++;
    transport(w, &pk, ts_us);
}

void worker_packet(struct worker *w, int dlt, uint64_t ts_us, const uint8_t *data, size_t caplen)
{
    w->st.packets++;
    w->st.bytes += caplen;
    if (ts_us > w->now_us)
        w->now_us = ts_us;
    /* Timeouts run on packet time, at most once a second of it, so a replay
     * gives the same flows every time whatever the machine's speed. */
    if (w->now_us >= w->next_expire_us) {
        expire(w, w->st.packets, w->now_us);
        w->next_expire_us = w->now_us + 1000000;
    }
    packet(w, w->st.packets, w->st.packets, dlt, ts_us, data, caplen);
}

void worker_packet_lane(struct worker *w, uint64_t id, int dlt, uint64_t ts_us, const uint8_t *data, size_t caplen)
{
    w->st.packets++;
    w->st.bytes += caplen;
    if (ts_us > w->now_us)
        w->now_us = ts_us;
    if (w->now_us >= w->next_expire_us) {
        expire(w, w->now_us, w->now_us);
        w->next_expire_us = w->now_us + 1000000;
    }
    packet(w, ts_us, id, dlt, ts_us, data, caplen);
}

void worker_expire_at(struct worker *w, uint64_t n, uint64_t now_us)
{
    w->now_us = now_us;
    expire(w, n, now_us);
}

void worker_tick(struct worker *w, uint64_t n, uint64_t wall_us)
{
    expire(w, n, wall_us);
}

void worker_packet_at(struct worker *w, uint64_t n, uint64_t now_us, int dlt, uint64_t ts_us, const uint8_t *data,
                      size_t caplen)
{
    w->st.packets++;
    w->st.bytes += caplen;
    w->now_us = now_us;
    packet(w, n, n, dlt, ts_us, data, caplen);
}

void worker_unknown_link(struct worker *w, uint64_t ts_us, size_t caplen)
{
    w->st.packets++;
    w->st.bytes += caplen;
    w->st.cause[DEC_UNKNOWN_LINK]++;
    if (ts_us > w->now_us)
        w->now_us = ts_us;
}

void worker_finish(struct worker *w)
{
    if (w->bus->q)
        w->bus->q->cur = (struct rec_tag){ .idx = UINT64_MAX, .phase = 2 };
    if (w->flows)
        flow_end_all(w->flows);
}

void worker_free(struct worker *w)
{
    flow_table_free(w->flows);
    ipfrag_free(w->frag);
    classify_free(w->cls);
    app_ctx_free(&w->app);
    free(w->proto_flows);
    w->flows = NULL;
    w->frag = NULL;
    w->cls = NULL;
    w->proto_flows = NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct proto_count *)a)->name, ((const struct proto_count *)b)->name);
}

void worker_stats(struct worker *w, struct stats_view *v, struct proto_count **protos)
{
    memset(v, 0, sizeof *v);
    v->ts_us = w->now_us;
    v->pkt = &w->st;
    v->flow = flow_table_stats(w->flows);
    v->reasm = &w->reasm.st;
    v->frag = ipfrag_stats(w->frag);
    v->cls = classify_stats(w->cls);
    v->app = &w->app.st;
    size_t n = 0;
    for (unsigned i = 0; i < w->nproto; i++)
        n += w->proto_flows[i] != 0;
    *protos = calloc(n ? n : 1, sizeof **protos);
    if (*protos == NULL)
        return;
    size_t k = 0;
    for (unsigned i = 0; i < w->nproto; i++)
        if (w->proto_flows[i]) {
            (*protos)[k].name = classify_proto_name(w->cls, (uint16_t)i);
            (*protos)[k].flows = w->proto_flows[i];
            k++;
        }
    qsort(*protos, k, sizeof **protos, by_name);
    v->protos = *protos;
    v->nprotos = k;
}
