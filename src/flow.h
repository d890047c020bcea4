/* flow.h -- the flow table of one worker (DESIGN.md section 2).
 * In: decoded packets. Out: the bidirectional flow each belongs to (5-tuple
 * plus outer VLAN), created on first sight, and a callback when a flow ends
 * (idle timeout, eviction at the configured maximum, or the end of input).
 * Lookup is one hash probe; expiry and eviction walk LRU lists from their
 * oldest end, one list per timeout class so the oldest is always at the head.
 * Not here: classification (classify.c), reassembly (reasm.c), output. */
#ifndef MW_FLOW_H
#define MW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "decode.h"
#include "reasm.h"

struct ndpi_flow_struct;
struct app_state;

struct flow_key {
    struct mw_addr addr[2]; /* addr[0]:port[0] sorts before addr[1]:port[1] */
    uint16_t port[2];
    uint16_t vlan;          /* outermost VLAN id, 0 when untagged */
    uint8_t proto;          /* IPPROTO_TCP or IPPROTO_UDP */
    uint8_t pad;
};

enum flow_list { FL_TCP, FL_UDP, FL_CLOSED, FL__COUNT };

enum flow_end_reason { FE_TIMEOUT, FE_EVICTED, FE_SHUTDOWN };

struct flow {
    struct flow_key key;
    struct flow *hnext;           /* hash chain */
    struct flow *prev, *next;     /* LRU list of its timeout class */
    uint64_t id;                  /* the number of the packet that opened it (flow_set_packet),
                                   * else a sequence number within the table */
    uint64_t last_pkt;            /* the number of the packet that last touched it */
    uint64_t first_us, last_us;
    uint64_t pkts[2], bytes[2];   /* [0] client to server, [1] server to client */
    uint64_t app_bytes[2];        /* bytes delivered by reassembly */
    uint32_t gaps[2];
    uint8_t client;               /* key side (0 or 1) of the client */
    uint8_t list;                 /* enum flow_list */
    uint8_t syn[2], fin[2], rst;
    uint8_t classified;           /* nDPI finished (detected or gave up) */
    uint8_t proto_guessed;        /* the protocol is nDPI's guess (ports, addresses), not a detection */
    uint16_t ndpi_pkts;           /* packets given to nDPI */
    uint16_t proto_master, proto_app; /* nDPI result */
    struct ndpi_flow_struct *ndpi;/* nDPI state while classifying, then NULL */
    struct reasm_dir rd[2];       /* per direction, [0] client to server */
    struct app_state *app;        /* parser state (app layer), NULL when none */
};

struct flow_cfg {
    uint32_t max_flows;
    uint64_t tcp_timeout_us;    /* idle TCP flow */
    uint64_t udp_timeout_us;    /* idle UDP flow */
    uint64_t closed_timeout_us; /* TCP flow after RST or FIN both ways */
};

#define FLOW_DEFAULT_MAX 500000u
#define FLOW_DEFAULT_TCP_TIMEOUT_US (600ull * 1000000ull)
#define FLOW_DEFAULT_UDP_TIMEOUT_US (120ull * 1000000ull)
#define FLOW_DEFAULT_CLOSED_TIMEOUT_US (30ull * 1000000ull)

struct flow_stats {
    uint64_t created, tcp, udp;
    uint64_t timed_out, evicted, ended_at_exit;
    uint64_t active, active_peak;
    uint64_t alloc_failed;
    uint64_t bucket_growths; /* the buckets doubled (flow.c) */
};

typedef void (*flow_end_cb)(void *user, struct flow *f, enum flow_end_reason why);

struct flow_table;

struct flow_table *flow_table_new(const struct flow_cfg *cfg, flow_end_cb cb, void *user);
void flow_table_free(struct flow_table *t); /* ends remaining flows (FE_SHUTDOWN) first */

/* The flow of pk (TCP or UDP, decoded), created if new; *dir is the packet's
 * direction (0 client to server). NULL when it could not be created. */
struct flow *flow_get(struct flow_table *t, const struct mw_pkt *pk, uint64_t ts_us, int *dir);

/* The number of the packet about to be given to flow_get (counting from 1
 * over the whole input): a flow it opens takes it as its id, so that ids do
 * not depend on how flows are spread over workers. */
void flow_set_packet(struct flow_table *t, uint64_t n);

/* Move a TCP flow to the closed class (short timeout). */
void flow_mark_closed(struct flow_table *t, struct flow *f);

/* End flows idle past their timeout at time now_us. */
void flow_expire(struct flow_table *t, uint64_t now_us);

/* End every flow (end of input). */
void flow_end_all(struct flow_table *t);

const struct flow_stats *flow_table_stats(const struct flow_table *t);

/* Address/port of the client (side 0) and server (side 1) of f. */
static inline const struct mw_addr *flow_addr(const struct flow *f, int side)
{
    return &f->key.addr[side == 0 ? f->client : !f->client];
}
static inline uint16_t flow_port(const struct flow *f, int side)
{
    return f->key.port[side == 0 ? f->client : !f->client];
}

#endif
