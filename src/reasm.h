/* reasm.h -- TCP stream reassembly, one direction of one flow at a time
 * (DESIGN.md section 2). In: TCP segments (seq, flags, payload) in capture
 * order. Out: in-order bytes, gaps and end-of-stream, delivered to a callback
 * (the app layer). Handles retransmissions, overlaps (first bytes received win,
 * as most stacks do; a differing overlap is counted), out-of-order segments,
 * pickup of flows whose handshake was not seen, and lost segments (reported as
 * a gap once the peer acknowledged past them, the hold bound was reached, or
 * the stream ends). Bounded: bytes held out of order per direction and in
 * total (struct reasm_ctx), and a depth past which a direction is bypassed.
 * Not here: flow lookup, timeouts (flow.c), protocol knowledge. */
#ifndef MW_REASM_H
#define MW_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reasm_ev {
    REASM_DATA, /* p, n: the next in-order bytes */
    REASM_GAP,  /* n: bytes missing from the stream at this point (p NULL) */
    REASM_END,  /* the direction ended (FIN, RST, or flush at flow end) */
};

/* What the consumer wants after a delivery. */
enum reasm_want {
    REASM_MORE = 0,  /* keep delivering */
    REASM_STOP = 1,  /* no more bytes of this direction are needed: bypass it */
};

typedef enum reasm_want (*reasm_cb)(void *user, int dir, enum reasm_ev ev,
                                    const uint8_t *p, size_t n);

struct reasm_cfg {
    size_t max_hold_dir;   /* out-of-order bytes held per direction */
    size_t max_hold_total; /* out-of-order bytes held by all directions of this ctx */
    uint64_t depth;        /* bytes delivered per direction before bypass; 0 = unlimited */
};

#define REASM_DEFAULT_HOLD_DIR (1u << 20)
#define REASM_DEFAULT_HOLD_TOTAL (256u << 20)
#define REASM_DEFAULT_DEPTH 0

struct reasm_stats {
    uint64_t segments;      /* segments with payload offered */
    uint64_t in_order;      /* delivered straight away */
    uint64_t out_of_order;  /* held, then delivered */
    uint64_t retransmits;   /* wholly before the next expected byte: dropped */
    uint64_t overlaps;      /* partly old, or overlapping held data: trimmed */
    uint64_t overlap_diff;  /* overlaps whose bytes differed from those kept */
    uint64_t gaps;          /* gaps reported */
    uint64_t gap_bytes;     /* bytes missing in those gaps */
    uint64_t hold_limit;    /* a hold bound forced a gap (per direction or total) */
    uint64_t depth_bypass;  /* directions bypassed at the depth bound */
    uint64_t app_bypass;    /* directions bypassed because the consumer said STOP */
    uint64_t bypassed_bytes;/* payload bytes ignored in bypassed directions */
    uint64_t pickups;       /* directions started without a SYN */
    uint64_t rst_ignored;   /* RSTs far outside the stream's sequence space, ignored */
    uint64_t held_bytes;    /* bytes held now */
    uint64_t held_peak;     /* highest held_bytes seen */
};

/* Shared by all the flows of one worker: bounds, counters, the callback. */
struct reasm_ctx {
    struct reasm_cfg cfg;
    struct reasm_stats st;
    reasm_cb cb;
};

struct reasm_seg; /* held out-of-order segment (private) */

/* State of one direction; zero-initialise it (memset or = {0}). */
struct reasm_dir {
    uint32_t next_seq;       /* next byte expected */
    uint32_t fin_seq;        /* sequence number of the FIN, when fin_seen */
    uint64_t delivered;      /* bytes delivered (and gap bytes) so far */
    struct reasm_seg *held;  /* out-of-order segments, sorted by seq */
    uint32_t held_bytes;
    uint8_t seq_known : 1, fin_seen : 1, ended : 1, bypass : 1;
};

void reasm_init(struct reasm_ctx *ctx, const struct reasm_cfg *cfg, reasm_cb cb);

/* One segment of direction dir (0 = client to server, 1 = reverse), as seen on
 * the wire. The callback receives user and dir. */
void reasm_segment(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir,
                   uint32_t seq, uint8_t flags, const uint8_t *payload, size_t n);

/* The peer of direction d acknowledged up to ack: anything missing below it
 * was lost to the capture and is reported as a gap. */
void reasm_ack(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir, uint32_t ack);

/* Flush direction d at the end of the flow: deliver what is held, with gaps,
 * then REASM_END (once). Frees held segments. */
void reasm_close(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir);

/* Free held segments without delivering (flow evicted in an error path). */
void reasm_discard(struct reasm_ctx *ctx, struct reasm_dir *d);

#endif
