/* record.h -- the records msiwatch produces, as plain structs with the
 * packet's or the event's timestamp (DESIGN.md section 4). Producers fill
 * them; output.c alone turns them into JSON. */
#ifndef MW_RECORD_H
#define MW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "decode.h"

/* A flow that ended (event.dataset msiwatch.flow). */
struct rec_flow {
    uint64_t id;
    uint64_t start_us, end_us;
    struct mw_addr src, dst;       /* client, server */
    uint16_t sport, dport;
    uint8_t l4proto;
    uint16_t vlan[MW_MAX_VLAN];
    uint8_t nvlan;
    uint64_t pkts[2], bytes[2];    /* [0] client to server */
    uint64_t app_bytes[2];         /* TCP: bytes reassembled per direction */
    uint32_t gaps[2];              /* TCP: gaps per direction */
    const char *protocol;          /* nDPI master (or app) protocol name */
    const char *ndpi_name;         /* full nDPI name, e.g. HTTP.Wikipedia */
    bool ndpi_guessed;             /* ndpi_name is a guess from ports or addresses */
    const char *end_reason;        /* timeout, evicted, end_of_input */
    bool has_digest;
    uint8_t sha256[2][32];         /* --flow-digests: reassembled bytes per direction */
    bool digest_gap[2];            /* a gap made the digest partial */
};

#endif
