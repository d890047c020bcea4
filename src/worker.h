/* worker.h -- the packet path of one worker thread (DESIGN.md section 2):
 * decode -> fragment reassembly -> flow table -> nDPI -> TCP reassembly ->
 * the app layer, and the flow records at flow end. Owns its flow table,
 * nDPI module and counters; knows nothing of where packets come from. */
#ifndef MW_WORKER_H
#define MW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "classify.h"
#include "flow.h"
#include "ipfrag.h"
#include "output.h"
#include "reasm.h"
#include "stats.h"

struct worker_cfg {
    struct flow_cfg flow;
    struct ipfrag_cfg frag;
    struct reasm_cfg reasm;
    unsigned ndpi_max_packets;
    bool flow_digests;      /* SHA-256 of each reassembled direction in flow records */
    bool hash_all_bodies;   /* --hash-bodies all: SHA-256 of every HTTP body, not only payloads */
};

void worker_cfg_defaults(struct worker_cfg *c);

struct worker {
    struct worker_cfg cfg;
    struct flow_table *flows;
    struct ipfrag *frag;
    struct classify *cls;
    struct reasm_ctx reasm;
    struct output *out;
    struct recbus *bus;
    struct app_ctx app;     /* protocol parsers and their records */
    struct flow *cur_flow;  /* the flow whose packet is being processed */
    struct pkt_stats st;
    uint64_t *proto_flows;  /* flows ended per nDPI protocol id */
    unsigned nproto;
    uint64_t now_us;        /* time of the newest packet */
    uint64_t next_expire_us;
};

int worker_init(struct worker *w, const struct worker_cfg *cfg, struct recbus *bus,
                char *err, size_t errlen);
/* One captured frame. */
void worker_packet(struct worker *w, int dlt, uint64_t ts_us, const uint8_t *data, size_t caplen);
/* With several workers (pool.c) the reader numbers the packets (from 1 over
 * the whole input) and keeps the clock (the newest packet time): the
 * timeouts before packet n, and packet n itself. */
void worker_expire_at(struct worker *w, uint64_t n, uint64_t now_us);
void worker_packet_at(struct worker *w, uint64_t n, uint64_t now_us, int dlt, uint64_t ts_us, const uint8_t *data,
                      size_t caplen);
/* Live with PACKET_FANOUT (pool_live): each worker reads its own share of
 * the interface and keeps its own clock; its records are ordered by packet
 * time, and id (unique over all workers) names the packet and so the flows
 * it opens. */
void worker_packet_lane(struct worker *w, uint64_t id, int dlt, uint64_t ts_us, const uint8_t *data, size_t caplen);
/* Live and idle: the timeouts on the wall clock (packet time stays). */
void worker_tick(struct worker *w, uint64_t n, uint64_t wall_us);
/* Count a whole frame that was not decoded because its link type is unknown. */
void worker_unknown_link(struct worker *w, uint64_t ts_us, size_t caplen);
/* End of input: end every flow (their records are written). */
void worker_finish(struct worker *w);
void worker_free(struct worker *w);

/* Fill a stats view; protos is an array the caller frees. */
void worker_stats(struct worker *w, struct stats_view *v, struct proto_count **protos);

#endif
