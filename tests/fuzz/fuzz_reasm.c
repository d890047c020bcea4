/* fuzz_reasm.c -- libFuzzer target for reasm.c (TCP stream reassembly),
 * driven by a segment script over the two directions of one flow with small
 * hold bounds (600 bytes per direction, 900 in all) and a depth bound the
 * input chooses. The first 5 bytes are the initial sequence number (4, so
 * that wrap-around is reached) and the depth in 256-byte units (0: none).
 * Each step is 5 header bytes then data:
 *   [0] bit0 direction, bits 1-2 operation (0,1 segment, 2 ack, 3 close),
 *       bit3 the consumer answers STOP to the next delivery of that direction
 *   [1] TCP flags   [2..3] sequence offset from the ISN (big endian)
 *   [4] data length (capped at what is left)
 * Invariants: DATA has bytes, GAP has none; per direction, bytes delivered
 * never exceed the payload bytes offered, nothing arrives after END, END
 * comes at most once, bytes delivered never exceed the depth bound; held bytes stay within the per direction and total bounds,
 * and nothing is held once both directions are closed. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOLD_DIR 600u
#define HOLD_TOTAL 900u

struct side {
    uint64_t offered, delivered;
    int ended;
    int stop_next; /* answer STOP to the next DATA */
};

static uint64_t depth;

static enum reasm_want cb(void *user, int dir, enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct side *s = (struct side *)user + dir;
    assert(dir == 0 || dir == 1);
    assert(!s->ended);
    switch (ev) {
    case REASM_DATA: {
        assert(p != NULL && n > 0);
        /* touch every byte: ASan checks the slice */
        volatile uint8_t x = 0;
        for (size_t i = 0; i < n; i++)
            x ^= p[i];
        (void)x;
        s->delivered += n;
        assert(s->delivered <= s->offered);
        if (depth)
            assert(s->delivered <= depth);
        break;
    }
    case REASM_GAP:
        assert(p == NULL && n > 0);
        break;
    case REASM_END:
        s->ended = 1;
        break;
    default:
        assert(!"unknown event");
    }
    if (ev == REASM_DATA && s->stop_next) {
        s->stop_next = 0;
        return REASM_STOP;
    }
    return REASM_MORE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    uint32_t isn = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    depth = (uint64_t)data[4] * 256;
    struct reasm_cfg cfg = { .max_hold_dir = HOLD_DIR, .max_hold_total = HOLD_TOTAL, .depth = depth };
    struct reasm_ctx ctx;
    reasm_init(&ctx, &cfg, cb);
    struct reasm_dir d[2];
    memset(d, 0, sizeof d);
    struct side sides[2];
    memset(sides, 0, sizeof sides);
    size_t pos = 5;
    while (size - pos >= 5) {
        const uint8_t *s = data + pos;
        pos += 5;
        int dir = s[0] & 1, op = (s[0] >> 1) & 3;
        sides[dir].stop_next = (s[0] >> 3) & 1;
        uint32_t seq = isn + (dir ? 0x40000000u : 0) + ((uint32_t)s[2] << 8 | s[3]);
        size_t n = s[4];
        if (n > size - pos)
            n = size - pos;
        uint8_t *b = malloc(n ? n : 1);
        assert(b);
        memcpy(b, data + pos, n);
        pos += n;
        if (op <= 1) {
            sides[dir].offered += n;
            reasm_segment(&ctx, &d[dir], sides, dir, seq, s[1], n ? b : NULL, n);
        } else if (op == 2) {
            reasm_ack(&ctx, &d[dir], sides, dir, seq);
        } else {
            reasm_close(&ctx, &d[dir], sides, dir);
            assert(d[dir].held_bytes == 0);
        }
        free(b);
        assert(d[0].held_bytes <= HOLD_DIR && d[1].held_bytes <= HOLD_DIR);
        assert(ctx.st.held_bytes <= HOLD_TOTAL);
        assert(ctx.st.held_bytes == (uint64_t)d[0].held_bytes + d[1].held_bytes);
    }
    reasm_close(&ctx, &d[0], sides, 0);
    reasm_close(&ctx, &d[1], sides, 1);
    assert(ctx.st.held_bytes == 0);
    return 0;
}
