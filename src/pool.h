/* pool.h -- several workers on one input (--workers N, DESIGN.md section 2).
 *
 * The reader (the caller's thread) numbers the packets, keeps the clock and
 * the timeout schedule one worker would keep, and hands each packet to the
 * worker its flow hashes to: a symmetric hash of the two IP addresses (and
 * the VLAN), so both directions of a flow, and the fragments of a datagram,
 * meet in one worker. Packets go in batches; the workers run a batch in
 * parallel, queueing their records with the place in the packet order where
 * one worker would have made them (recbus.h); the reader then merges the
 * queues and delivers the records in that order, calling before() and
 * after() around each packet as the one-worker loop does (endpoint events
 * due before it, the correlator's clock after it).
 *
 * So records and alerts are those of one worker, byte for byte, as long as
 * no bound is reached (each worker has 1/N of --max-flows, of the
 * reassembly memcap and of the fragment bounds) and packet times do not go
 * backwards (the timeout scan of a flow class stops at the first flow that
 * has not timed out, in each worker's own list).
 *
 * Live capture goes another way (pool_new_live): each worker opens its own
 * packet socket on every interface, and the sockets of an interface form a
 * Linux PACKET_FANOUT group, so the kernel spreads the packets over the
 * workers by a symmetric hash of the connection (both directions of a flow
 * to one worker; IPv4 fragments reassembled by the kernel before hashing).
 * Each worker reads, keeps its own clock and ends its idle flows on the wall
 * clock, and says up to what packet time its records are complete (its
 * sockets read to the end, less the TPACKET_V3 block timeout). The caller
 * takes their records every round (pool_flush) and gets, in packet-time
 * order, those up to the time all workers have reached; the rest wait for a
 * later round (about 0.3 s). So records come in the order one worker would
 * give them (by the kernel's time stamps), and are those of one worker. IPv6 fragments other than the first carry no ports: when a
 * datagram's fragments hash to different workers it is not reassembled
 * (counted as a fragment timeout). */
#ifndef MW_POOL_H
#define MW_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "recbus.h"
#include "worker.h"

#define POOL_MAX_WORKERS 64

struct pool_hooks {
    void (*before)(void *user, uint64_t ts_us); /* before packet records at ts */
    void (*after)(void *user, uint64_t ts_us);  /* after them */
    void *user;
};

struct pool;

/* n workers (2..POOL_MAX_WORKERS) delivering to bus (which the reader owns). */
struct pool *pool_new(unsigned n, const struct worker_cfg *cfg, struct recbus *bus, const struct pool_hooks *hooks,
                      char *err, size_t errlen);
/* Live with PACKET_FANOUT: the workers, no thread yet; then their sockets
 * on every interface (before privileges are dropped), then their threads. */
struct pool *pool_new_live(unsigned n, const struct worker_cfg *cfg, struct recbus *bus, char *err, size_t errlen);
int pool_live_open(struct pool *p, const char *const *ifaces, size_t nifaces, const char *bpf, char *err, size_t errlen);
int pool_live_start(struct pool *p, char *err, size_t errlen);
/* A capture error that stopped a worker (err set), if any. */
bool pool_live_error(struct pool *p, char *err, size_t errlen);
/* The kernel's and the interfaces' drops over all the workers' sockets. */
void pool_live_drops(struct pool *p, uint64_t *kernel, uint64_t *iface);
/* One captured frame (known is false for a link type that is not decoded). */
void pool_packet(struct pool *p, int dlt, bool known, uint64_t ts_us, const uint8_t *data, size_t caplen);
/* Run and deliver what is batched (the end of a file, a signal to serve);
 * fanout: deliver what the workers made since the last call. */
void pool_flush(struct pool *p);
/* Live: when no packet has moved packet time for a second, the timeouts
 * run on the wall clock now_us (what is batched is delivered first). */
void pool_tick(struct pool *p, uint64_t now_us);
/* End of input: every flow ends, in order of first sight. */
void pool_finish(struct pool *p);
uint64_t pool_packets(struct pool *p);
uint64_t pool_bytes(struct pool *p);
/* The counters of all workers summed (peaks are the sum of each worker's). */
void pool_stats(struct pool *p, struct stats_view *v, struct proto_count **protos);
void pool_free(struct pool *p);

#endif
