/* ipfrag.h -- IPv4 and IPv6 fragment reassembly for one worker (DESIGN.md
 * section 2, "decode"). In: fragments recognised by decode_frame (DEC_FRAGMENT).
 * Out: a whole datagram (IP header + payload, rebuilt so that decode_ip() can
 * parse it as an unfragmented packet). Bounded: a maximum of datagrams in
 * progress and of bytes held, and a timeout; every drop is counted.
 *
 * Overlap policy: IPv6 fragments that overlap make the whole datagram invalid
 * and it is dropped (RFC 5722). IPv4 overlaps keep the bytes that arrived
 * first ("first wins"); the overlap is counted. Exact duplicates are counted
 * as duplicates and ignored. Not here: transport decoding, flows. */
#ifndef MW_IPFRAG_H
#define MW_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct ipfrag_cfg {
    size_t max_bytes;       /* fragment payload bytes held across all datagrams */
    uint32_t max_datagrams; /* datagrams in progress */
    uint64_t timeout_us;    /* a datagram not completed within this is dropped */
};

#define IPFRAG_DEFAULT_MAX_BYTES (16u << 20)
#define IPFRAG_DEFAULT_MAX_DATAGRAMS 8192u
#define IPFRAG_DEFAULT_TIMEOUT_US (30ull * 1000000ull) /* Linux ipfrag_time */

struct ipfrag_stats {
    uint64_t fragments;      /* fragments offered */
    uint64_t reassembled;    /* datagrams completed */
    uint64_t timeouts;       /* datagrams dropped incomplete at timeout */
    uint64_t overlaps;       /* fragments overlapping earlier data */
    uint64_t duplicates;     /* exact repeats of a fragment already held */
    uint64_t dropped_overlap6; /* IPv6 datagrams dropped for overlap (RFC 5722) */
    uint64_t evicted;        /* datagrams dropped because a bound was hit */
    uint64_t too_big;        /* datagrams that would exceed 65535 bytes */
    uint64_t bad;            /* inconsistent fragments (e.g. data past a known end) */
    uint64_t held_bytes;     /* bytes held now */
    uint64_t held_datagrams; /* datagrams in progress now */
    uint64_t held_bytes_peak;     /* highest held_bytes seen */
    uint64_t held_datagrams_peak; /* highest held_datagrams seen */
};

enum ipfrag_res {
    IPFRAG_HELD,     /* kept, datagram not complete yet */
    IPFRAG_DONE,     /* datagram complete: *out, *out_len valid until the next call */
    IPFRAG_DROPPED,  /* not kept (counted in stats) */
};

struct ipfrag;

struct ipfrag *ipfrag_new(const struct ipfrag_cfg *cfg);
void ipfrag_free(struct ipfrag *t);

/* Offer the fragment that decode_frame described in pk (ts in microseconds).
 * The key is (ip version, src, dst, id, protocol for IPv4, outermost VLAN).
 * On IPFRAG_DONE, *out points to a complete IP datagram owned by t. */
enum ipfrag_res ipfrag_add(struct ipfrag *t, const struct mw_pkt *pk, uint64_t ts_us,
                           const uint8_t **out, size_t *out_len);

/* Drop datagrams older than the timeout at time now_us. */
void ipfrag_expire(struct ipfrag *t, uint64_t now_us);

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *t);

#endif
