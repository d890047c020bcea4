/* recbus.h -- where a record goes once it is made: to the output (the
 * --records file) and to the correlator, which joins it into alerts and
 * keeps the rarity table and the host identity map. The producers (the
 * app-layer glue, the flow table, the endpoint feed) know only this.
 *
 * On the way, network records get destination.domain from the DNS answers
 * delivered before them (the address-to-name cache lives here, on the
 * delivering side, so that it sees the answers of every worker in packet
 * order).
 *
 * With several workers (--workers), a worker's bus has a queue: its records
 * wait there, tagged with where in the packet order they were made, until
 * the reader thread merges the queues of all workers and delivers them in
 * the order one worker would have made them (see worker.h). */
#ifndef MW_RECBUS_H
#define MW_RECBUS_H

#include <stddef.h>
#include <stdint.h>

#include "correlate.h"
#include "dnscache.h"
#include "output.h"
#include "record.h"

enum rec_type { RT_HTTP, RT_TLS, RT_SMB, RT_DNS, RT_DHCP, RT_FLOW };

/* Where a record was made, in the order one worker would make it:
 * packet number, then the phase at that packet (0: the timeouts run
 * before it, 1: the packet itself, 2: the end of input), then within a
 * timeout run the flow's timeout class and its place in that LRU list
 * (the packet number that last touched it), or at the end the flow id. */
struct rec_tag {
    uint64_t idx;
    uint8_t phase;
    uint8_t cls;
    uint64_t key;
};

struct recq_item {
    struct rec_tag tag;
    uint32_t seq;              /* order within the worker */
    uint8_t type;              /* enum rec_type */
    void *rec;                 /* a copy in the queue's chunks */
};

/* Where the copies live: chunks of 1 MiB (or one record's size), kept from
 * batch to batch, so that queueing a record costs a copy, not a malloc. */
struct recq_chunk {
    struct recq_chunk *next;
    size_t used, cap;
    unsigned char data[];
};

struct recq {
    struct recq_item *v;
    size_t n, cap;
    uint32_t seq;
    struct rec_tag cur;        /* the tag of what the worker is doing now */
    struct recq_chunk *chunks, *at;
    uint64_t dropped;          /* records lost to a failed allocation */
};

struct recbus {
    struct output *out;
    struct correlator *cor;    /* NULL: records only */
    struct dnscache *dns;      /* NULL: no destination.domain from DNS */
    struct recq *q;            /* a worker's queue with --workers; NULL: deliver now */
};

void bus_http(struct recbus *b, struct rec_http *r);
void bus_tls(struct recbus *b, struct rec_tls *r);
void bus_smb(struct recbus *b, struct rec_smb *r);
void bus_dns(struct recbus *b, struct rec_dns *r);
void bus_dhcp(struct recbus *b, struct rec_dhcp *r);
void bus_flow(struct recbus *b, struct rec_flow *r);
void bus_endpoint(struct recbus *b, const struct rec_endpoint *r);

/* Deliver a queued record. */
void bus_deliver(struct recbus *b, struct recq_item *it);
/* Order of queued records from several workers (qsort). */
int recq_cmp(const void *a, const void *b);
/* A copy of a queued record (its record too) at the end of q. */
void recq_push(struct recq *q, const struct recq_item *it);
/* Empty the queue, keeping its memory for the next batch. */
void recq_reset(struct recq *q);
void recq_free(struct recq *q);

#endif
