/* reasm.c -- TCP stream reassembly, one direction of one flow at a time
 * (DESIGN.md section 2, between the flow table and classify; API in reasm.h).
 * In: segments in capture order, and the peer's acknowledgements. Out: in-order
 * byte runs (zero-copy when a segment arrives in order), gaps and one END per
 * direction, through ctx->cb. Out-of-order bytes are copied into held segments
 * (one malloc each, header and data together), kept sorted by sequence number
 * and never overlapping: where a new segment overlaps bytes we already hold,
 * the bytes received first win.
 * Bounded: held bytes per direction and per ctx (a bound forces a gap and is
 * counted in hold_limit), delivered bytes per direction (depth), and no
 * recursion: the callback may run several times per call, never nested.
 * Not here: flow lookup, timeouts, which peer's ack belongs to which direction
 * (flow.c), protocol knowledge (app/). */
#include "reasm.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h" /* MW_TH_*: flags is the TCP header's flag byte */

struct reasm_seg {
    struct reasm_seg *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[]; /* len bytes, in the same block as the header */
};

/* The largest window TCP can announce (65535 << 14, RFC 7323 section 2.3).
 * A segment starting, or an ack pointing, further ahead than this cannot
 * belong to the stream as we know it: a stale segment of an earlier connection
 * on the same ports, or garbage. Holding it would later turn into a gap of up
 * to 2 GiB and push the direction past its depth, so it is dropped. It also
 * keeps every held byte within 2^31 of next_seq, where the modulo-2^32
 * comparisons below are well defined, and d->held_bytes within 32 bits. */
#define REASM_WIN_MAX (1u << 30)
/* How far from the next expected byte an RST may be and still end the direction. */
#define REASM_RST_WIN (1u << 24)

/* Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

void reasm_init(struct reasm_ctx *ctx, const struct reasm_cfg *cfg, reasm_cb cb)
{
    memset(ctx, 0, sizeof *ctx);
    if (cfg != NULL) {
        ctx->cfg = *cfg;
    } else {
        ctx->cfg.max_hold_dir = REASM_DEFAULT_HOLD_DIR;
        ctx->cfg.max_hold_total = REASM_DEFAULT_HOLD_TOTAL;
        ctx->cfg.depth = REASM_DEFAULT_DEPTH;
    }
    ctx->cb = cb;
}

static void free_held(struct reasm_ctx *ctx, struct reasm_dir *d)
{
    struct reasm_seg *s = d->held;
    while (s != NULL) {
        struct reasm_seg *next = s->next;
        ctx->st.held_bytes -= s->len;
        free(s);
        s = next;
    }
    d->held = NULL;
    d->held_bytes = 0;
}

static void set_bypass(struct reasm_ctx *ctx, struct reasm_dir *d, uint64_t *counter)
{
    d->bypass = 1;
    (*counter)++;
    free_held(ctx, d); /* nothing of this direction will be delivered again */
}

/* Report the n stream bytes at next_seq: data at p, or a gap when p is NULL.
 * Gap bytes count toward depth like data, so that depth is a position in the
 * stream and not a measure of what the capture happened to see. Returns false
 * when the direction is now bypassed (depth reached or the consumer said STOP). */
static bool emit(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir,
                 const uint8_t *p, uint32_t n)
{
    bool at_depth = false;
    if (ctx->cfg.depth > 0 && n >= ctx->cfg.depth - d->delivered) {
        n = (uint32_t)(ctx->cfg.depth - d->delivered); /* > 0: we bypass on reaching it */
        at_depth = true;
    }
    if (p == NULL) {
        ctx->st.gaps++;
        ctx->st.gap_bytes += n;
    }
    enum reasm_want want = ctx->cb(user, dir, p != NULL ? REASM_DATA : REASM_GAP, p, n);
    d->delivered += n;
    d->next_seq += n;
    if (at_depth) {
        set_bypass(ctx, d, &ctx->st.depth_bypass);
        return false;
    }
    if (want == REASM_STOP) {
        set_bypass(ctx, d, &ctx->st.app_bypass);
        return false;
    }
    return true;
}

/* Deliver the first held segment, which starts at next_seq. It is unlinked
 * before the callback runs, so a bypass inside emit() cannot free it twice. */
static bool deliver_head(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir)
{
    struct reasm_seg *h = d->held;
    assert(h != NULL && h->seq == d->next_seq); /* ours: held data never lags next_seq */
    d->held = h->next;
    d->held_bytes -= h->len;
    ctx->st.held_bytes -= h->len;
    ctx->st.out_of_order++;
    bool alive = emit(ctx, d, user, dir, h->data, h->len);
    free(h);
    return alive;
}

/* Deliver the held segments that have become contiguous. */
static bool drain(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir)
{
    while (d->held != NULL && d->held->seq == d->next_seq)
        if (!deliver_head(ctx, d, user, dir))
            return false;
    return true;
}

/* Give up on the bytes in [next_seq, target): report them as a gap, then
 * deliver what that made contiguous. */
static bool skip_to(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir,
                    uint32_t target)
{
    if (seq_lt(d->next_seq, target) && !emit(ctx, d, user, dir, NULL, target - d->next_seq))
        return false;
    return drain(ctx, d, user, dir);
}

static void end(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir)
{
    d->ended = 1;
    free_held(ctx, d); /* only bytes claimed to lie past the FIN can be left */
    (void)ctx->cb(user, dir, REASM_END, NULL, 0); /* STOP means nothing once ended */
}

/* END once everything before the FIN has been delivered (or skipped). */
static void maybe_end(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir)
{
    if (!d->bypass && !d->ended && d->fin_seen && seq_le(d->fin_seq, d->next_seq))
        end(ctx, d, user, dir);
}

/* RST or end of flow: nothing more will come, so every hole is a gap. */
static void flush_end(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir)
{
    if (d->bypass || d->ended) {
        free_held(ctx, d);
        return;
    }
    while (d->held != NULL)
        if (!skip_to(ctx, d, user, dir, d->held->seq))
            return;
    /* Data lost just before a FIN we saw: the stream's length is known. */
    if (d->fin_seen && seq_lt(d->next_seq, d->fin_seq) && d->fin_seq - d->next_seq < REASM_WIN_MAX
        && !emit(ctx, d, user, dir, NULL, d->fin_seq - d->next_seq))
        return;
    end(ctx, d, user, dir);
}

/* Overlaps of [seq, seq + n) with held data, without changing anything:
 * returns the bytes that would be new, and notes whether any byte overlaps
 * and whether any overlapping byte differs from the held one. */
static uint32_t scan_held(const struct reasm_dir *d, uint32_t seq, const uint8_t *p, uint32_t n,
                          bool *ov, bool *diff)
{
    uint32_t end_seq = seq + n, covered = 0;
    for (const struct reasm_seg *h = d->held; h != NULL && seq_lt(h->seq, end_seq); h = h->next) {
        uint32_t h_end = h->seq + h->len;
        if (seq_le(h_end, seq))
            continue;
        uint32_t from = seq_lt(h->seq, seq) ? seq : h->seq;
        uint32_t to = seq_lt(h_end, end_seq) ? h_end : end_seq;
        *ov = true;
        if (memcmp(p + (from - seq), h->data + (from - h->seq), to - from) != 0)
            *diff = true;
        covered += to - from;
    }
    return n - covered;
}

/* Copy the parts of [seq, seq + n) that no held segment covers into new held
 * segments, linked in order. The caller checked the bounds (scan_held). */
static void hold(struct reasm_ctx *ctx, struct reasm_dir *d, uint32_t seq, const uint8_t *p,
                 uint32_t n)
{
    struct reasm_seg **link = &d->held;
    uint32_t pos = seq, end_seq = seq + n;
    while (pos != end_seq) {
        struct reasm_seg *h = *link;
        if (h != NULL && seq_le(h->seq, pos)) {
            uint32_t h_end = h->seq + h->len;
            if (seq_lt(pos, h_end)) /* inside h: first received wins */
                pos = seq_lt(h_end, end_seq) ? h_end : end_seq;
            link = &h->next;
            continue;
        }
        uint32_t to = (h != NULL && seq_lt(h->seq, end_seq)) ? h->seq : end_seq;
        uint32_t len = to - pos;
        struct reasm_seg *s = malloc(sizeof *s + len);
        if (s == NULL) {
            /* Out of memory is a hold bound too: the rest is lost, and is
             * reported as a gap by the ack or at close like any lost segment. */
            ctx->st.hold_limit++;
            return;
        }
        s->seq = pos;
        s->len = len;
        memcpy(s->data, p + (pos - seq), len);
        s->next = h;
        *link = s;
        link = &s->next;
        d->held_bytes += len;
        ctx->st.held_bytes += len;
        if (ctx->st.held_bytes > ctx->st.held_peak)
            ctx->st.held_peak = ctx->st.held_bytes;
        pos = to;
    }
}

static bool fits(const struct reasm_ctx *ctx, const struct reasm_dir *d, uint32_t add)
{
    return (uint64_t)d->held_bytes + add <= ctx->cfg.max_hold_dir
        && ctx->st.held_bytes + add <= ctx->cfg.max_hold_total;
}

/* The payload [seq, seq + n) of one segment, n > 0, next_seq known. */
static void payload_in(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir,
                       uint32_t seq, const uint8_t *p, uint32_t n)
{
    /* A segment counts once in overlaps and overlap_diff however many held
     * segments it overlaps: the counters say how often a sender (or someone
     * injecting) sent bytes twice, not how our held list happened to be cut. */
    bool ov = false, diff = false, direct = false;
again:
    if (seq_lt(seq, d->next_seq)) {
        uint32_t old = d->next_seq - seq;
        if (old >= n) {
            ctx->st.retransmits++;
            goto out;
        }
        /* Delivered bytes are not kept, so this front cannot be compared. */
        ov = true;
        seq += old;
        p += old;
        n -= old;
    }
    if (seq == d->next_seq) {
        /* In order: deliver straight from the packet up to the next held
         * segment; where the new bytes run into held ones, the held bytes
         * came first and are the ones delivered. */
        uint32_t pos = seq, end_seq = seq + n;
        while (pos != end_seq) {
            struct reasm_seg *h = d->held;
            uint32_t to = (h != NULL && seq_lt(h->seq, end_seq)) ? h->seq : end_seq;
            if (to != pos) {
                if (!direct) {
                    ctx->st.in_order++;
                    direct = true;
                }
                if (!emit(ctx, d, user, dir, p + (pos - seq), to - pos))
                    goto out;
                pos = to;
                continue;
            }
            uint32_t h_end = h->seq + h->len;
            to = seq_lt(h_end, end_seq) ? h_end : end_seq;
            ov = true;
            if (memcmp(p + (pos - seq), h->data, to - pos) != 0)
                diff = true;
            pos = to;
            if (!deliver_head(ctx, d, user, dir))
                goto out;
        }
        drain(ctx, d, user, dir);
        goto out;
    }
    if (seq - d->next_seq >= REASM_WIN_MAX) {
        ctx->st.retransmits++; /* out of any window: see REASM_WIN_MAX */
        goto out;
    }
    uint32_t add = scan_held(d, seq, p, n, &ov, &diff);
    if (add == 0)
        goto out; /* every byte already held */
    if (!fits(ctx, d, add)) {
        ctx->st.hold_limit++;
        if (d->held == NULL)
            goto out; /* too big alone: dropped, it becomes the gap later */
        /* Make room: the hole before the earliest bytes in hand is taken as
         * lost, and what follows it is delivered. If the new segment is that
         * earliest, it is then in order and needs no room at all. */
        uint32_t target = seq_lt(seq, d->held->seq) ? seq : d->held->seq;
        if (!skip_to(ctx, d, user, dir, target))
            goto out;
        goto again; /* it may now be old, in order, or still ahead */
    }
    hold(ctx, d, seq, p, n);
out:
    if (ov)
        ctx->st.overlaps++;
    if (diff)
        ctx->st.overlap_diff++;
}

void reasm_segment(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir,
                   uint32_t seq, uint8_t flags, const uint8_t *payload, size_t n)
{
    if (d->bypass) { /* first: a bypassed direction must cost next to nothing */
        ctx->st.bypassed_bytes += n;
        return;
    }
    if (n > 0)
        ctx->st.segments++;
    if (d->ended)
        return;
    if (flags & MW_TH_RST) {
        /* An RST far from the stream's sequence space does not end it: a
         * client in SYN-SENT answers a stray ACK with an RST carrying that
         * ACK's number, then retransmits its SYN and goes on (RFC 793 p. 36;
         * RFC 5961 accepts an RST only within the window). */
        if (d->seq_known && seq - d->next_seq >= REASM_RST_WIN && d->next_seq - seq >= REASM_RST_WIN) {
            ctx->st.rst_ignored++;
            return;
        }
        flush_end(ctx, d, user, dir); /* an RST's payload is not stream data */
        return;
    }
    if (n >= REASM_WIN_MAX)
        return; /* no IP packet carries this much; keeps the arithmetic in 32 bits */
    if (flags & MW_TH_SYN) {
        if (d->seq_known)
            return; /* retransmitted SYN (with TFO data, data already handled) */
        d->seq_known = 1;
        seq++; /* the SYN takes one sequence number; TFO data follows it */
        d->next_seq = seq;
    } else if (!d->seq_known) {
        /* Capture started mid-flow. A bare ACK cannot start a direction: a
         * keepalive carries seq - 1 and would make the next real byte look
         * one ahead, held until a gap is forced. */
        if (n == 0 && !(flags & MW_TH_FIN))
            return;
        d->seq_known = 1;
        d->next_seq = seq;
        ctx->st.pickups++;
    }
    if ((flags & MW_TH_FIN) && !d->fin_seen) {
        d->fin_seen = 1;
        d->fin_seq = seq + (uint32_t)n;
    }
    if (d->fin_seen && n > 0) {
        /* Bytes after the FIN are not part of the stream (first FIN wins). */
        if (!seq_lt(seq, d->fin_seq))
            n = 0;
        else if (d->fin_seq - seq < n)
            n = d->fin_seq - seq;
    }
    if (n > 0)
        payload_in(ctx, d, user, dir, seq, payload, (uint32_t)n);
    maybe_end(ctx, d, user, dir);
}

void reasm_ack(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir, uint32_t ack)
{
    if (d->bypass || d->ended || !d->seq_known)
        return;
    /* The peer cannot acknowledge beyond one window of what was sent; a larger
     * jump is a bogus or unrelated ack, not proof of lost bytes. */
    uint32_t ahead = ack - d->next_seq;
    if (ahead == 0 || ahead >= REASM_WIN_MAX)
        return;
    /* An ack past a hole proves the bytes were sent, but a capture can show
     * the ack before the data (two capture points, a crafted trace such as
     * Zeek's ipv6-http-atomic-frag.pcap): declare the hole lost only when
     * bytes after it were seen too, held or the FIN, and only up to them. */
    for (;;) {
        uint32_t target;
        if (d->held != NULL && seq_lt(d->held->seq, ack))
            target = d->held->seq;
        else if (d->fin_seen && seq_lt(d->fin_seq, ack))
            target = d->fin_seq; /* the FIN's own number is not a byte */
        else
            break;
        if (!seq_lt(d->next_seq, target))
            break;
        if (!skip_to(ctx, d, user, dir, target))
            return;
    }
    maybe_end(ctx, d, user, dir);
}

void reasm_close(struct reasm_ctx *ctx, struct reasm_dir *d, void *user, int dir)
{
    flush_end(ctx, d, user, dir);
}

void reasm_discard(struct reasm_ctx *ctx, struct reasm_dir *d)
{
    free_held(ctx, d);
}
