/* test_reasm.c -- unit tests of src/reasm.c (TCP stream reassembly).
 * Each case feeds segments, acks and closes to one or two directions and
 * checks the exact delivered bytes, the exact event sequence ("D<n>" data,
 * "G<n>" gap, "E" end) and every counter of struct reasm_stats: a counter
 * that a case does not name must stay 0. */
#include <stdlib.h>

#include "decode.h" /* MW_TH_* */
#include "reasm.h"
#include "tap.h"

#define SYN MW_TH_SYN
#define FIN MW_TH_FIN
#define RST MW_TH_RST
#define ACK MW_TH_ACK

struct rec {
    int dir;              /* the dir this recorder expects */
    uint8_t buf[4096];    /* DATA bytes, concatenated */
    size_t n;
    char log[1024];       /* events, space separated */
    size_t loglen;
    const uint8_t *last_p;/* pointer of the last DATA event */
    int ndata;
    int stop_at;          /* answer STOP to this DATA event (1-based); 0: never */
    int bad;              /* the callback saw something impossible */
};

static enum reasm_want rec_cb(void *user, int dir, enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct rec *r = user;
    char e[32];
    enum reasm_want want = REASM_MORE;
    if (dir != r->dir)
        r->bad = 1;
    switch (ev) {
    case REASM_DATA:
        snprintf(e, sizeof e, "D%zu", n);
        if (p == NULL || n == 0 || n > sizeof r->buf - r->n) {
            r->bad = 1;
            break;
        }
        memcpy(r->buf + r->n, p, n);
        r->n += n;
        r->last_p = p;
        if (++r->ndata == r->stop_at)
            want = REASM_STOP;
        break;
    case REASM_GAP:
        snprintf(e, sizeof e, "G%zu", n);
        if (p != NULL || n == 0)
            r->bad = 1;
        break;
    case REASM_END:
        snprintf(e, sizeof e, "E");
        break;
    default:
        snprintf(e, sizeof e, "?");
        r->bad = 1;
    }
    int w = snprintf(r->log + r->loglen, sizeof r->log - r->loglen, "%s%s",
                     r->loglen ? " " : "", e);
    if (w > 0 && (size_t)w < sizeof r->log - r->loglen)
        r->loglen += (size_t)w;
    else
        r->bad = 1;
    return want;
}

struct fx {
    struct reasm_ctx ctx;
    struct reasm_dir d[2];
    struct rec r[2];
};

static void fx_init(struct fx *f, size_t hold_dir, size_t hold_total, uint64_t depth)
{
    memset(f, 0, sizeof *f);
    struct reasm_cfg cfg = { .max_hold_dir = hold_dir, .max_hold_total = hold_total,
                             .depth = depth };
    reasm_init(&f->ctx, &cfg, rec_cb);
    f->r[1].dir = 1;
}

static void fx_default(struct fx *f)
{
    fx_init(f, REASM_DEFAULT_HOLD_DIR, REASM_DEFAULT_HOLD_TOTAL, REASM_DEFAULT_DEPTH);
}

static void segb(struct fx *f, int dir, uint32_t seq, uint8_t flags, const uint8_t *p, size_t n)
{
    reasm_segment(&f->ctx, &f->d[dir], &f->r[dir], dir, seq, flags, p, n);
}

static void seg(struct fx *f, int dir, uint32_t seq, uint8_t flags, const char *s)
{
    segb(f, dir, seq, flags, (const uint8_t *)s, strlen(s));
}

static void ack(struct fx *f, int dir, uint32_t a)
{
    reasm_ack(&f->ctx, &f->d[dir], &f->r[dir], dir, a);
}

static void close_dir(struct fx *f, int dir)
{
    reasm_close(&f->ctx, &f->d[dir], &f->r[dir], dir);
}

/* The held list is private to reasm.c: check that it is empty and counted so. */
#define CHECK_NOTHING_HELD(f, i) do { CHECK((f)->d[i].held == NULL); \
    CHECK_EQ((f)->d[i].held_bytes, 0); } while (0)

#define CHECK_REC(f, i, want_log, want_bytes) do { CHECK_STR((f)->r[i].log, (want_log)); \
    CHECK_EQ((f)->r[i].n, strlen(want_bytes)); \
    CHECK_MEM((f)->r[i].buf, (want_bytes), strlen(want_bytes)); CHECK_EQ((f)->r[i].bad, 0); } while (0)

static void check_stats_at(int line, const struct reasm_stats *g, const struct reasm_stats *w)
{
#define F(field) do { if (g->field != w->field) { tap_fail_case = 1; \
    printf("# %s:%d: st.%s == %" PRIu64 ", expected %" PRIu64 "\n", __FILE__, line, #field, \
    g->field, w->field); } } while (0)
    F(segments); F(in_order); F(out_of_order); F(retransmits); F(overlaps); F(overlap_diff);
    F(gaps); F(gap_bytes); F(hold_limit); F(depth_bypass); F(app_bypass); F(bypassed_bytes);
    F(pickups); F(held_bytes); F(held_peak);
#undef F
}

/* Every field of the stats must equal the designated initialiser given. */
#define CHECK_STATS(f, ...) check_stats_at(__LINE__, &(f)->ctx.st, &(const struct reasm_stats)__VA_ARGS__)

int main(void)
{
    struct fx f, g;

    TEST_BEGIN("in order after a SYN, delivered without copy; SYN retransmission ignored");
    fx_default(&f);
    static const uint8_t hello[] = "hello";
    seg(&f, 0, 1000, SYN, "");
    CHECK_EQ(f.d[0].next_seq, 1001);
    segb(&f, 0, 1001, ACK, hello, 5);
    CHECK(f.r[0].last_p == hello);
    seg(&f, 0, 1000, SYN, "zz"); /* a retransmitted SYN, even with data, is ignored */
    seg(&f, 0, 1006, ACK, " world");
    CHECK_STR(f.r[0].log, "D5 D6");
    seg(&f, 0, 1012, FIN | ACK, "");
    CHECK_REC(&f, 0, "D5 D6 E", "hello world");
    CHECK_EQ(f.d[0].next_seq, 1012);
    CHECK_EQ(f.d[0].ended, 1);
    CHECK_U64(f.d[0].delivered, 11);
    CHECK_STATS(&f, { .segments = 3, .in_order = 2 });
    TEST_END();

    TEST_BEGIN("pickup without SYN; a bare ACK does not start a direction");
    fx_default(&f);
    seg(&f, 0, 5000, ACK, "abc");
    seg(&f, 0, 5003, ACK, "def");
    CHECK_REC(&f, 0, "D3 D3", "abcdef");
    seg(&f, 1, 7000, ACK, ""); /* could be a keepalive at snd.nxt - 1 */
    CHECK_EQ(f.d[1].seq_known, 0);
    seg(&f, 1, 7001, ACK, "x");
    CHECK_REC(&f, 1, "D1", "x");
    CHECK_EQ(f.d[1].next_seq, 7002);
    CHECK_STATS(&f, { .segments = 3, .in_order = 3, .pickups = 2 });
    TEST_END();

    TEST_BEGIN("SYN with data (TCP Fast Open): data starts at seq + 1");
    fx_default(&f);
    seg(&f, 0, 7, SYN, "GET");
    CHECK_EQ(f.d[0].next_seq, 11);
    seg(&f, 0, 7, SYN, "GET"); /* retransmitted */
    seg(&f, 0, 11, ACK, "/");
    CHECK_REC(&f, 0, "D3 D1", "GET/");
    CHECK_STATS(&f, { .segments = 3, .in_order = 2 });
    TEST_END();

    TEST_BEGIN("reorder 1,3,2 gives one stream; held data is a copy");
    fx_default(&f);
    uint8_t b[4];
    seg(&f, 0, 100, SYN, "");
    seg(&f, 0, 101, ACK, "aaaa");
    memcpy(b, "cccc", 4);
    segb(&f, 0, 109, ACK, b, 4);
    memset(b, '!', 4); /* the packet buffer is reused by the capture */
    CHECK_STR(f.r[0].log, "D4");
    CHECK_EQ(f.d[0].held_bytes, 4);
    CHECK_U64(f.ctx.st.held_bytes, 4);
    seg(&f, 0, 105, ACK, "bbbb");
    CHECK_REC(&f, 0, "D4 D4 D4", "aaaabbbbcccc");
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_EQ(f.d[0].next_seq, 113);
    CHECK_STATS(&f, { .segments = 3, .in_order = 2, .out_of_order = 1, .held_peak = 4 });
    TEST_END();

    TEST_BEGIN("retransmission of delivered data is dropped");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "abcd");
    seg(&f, 0, 100, ACK, "abcd");
    seg(&f, 0, 102, ACK, "XY"); /* wholly old, even with other bytes */
    CHECK_REC(&f, 0, "D4", "abcd");
    CHECK_STATS(&f, { .segments = 3, .in_order = 1, .retransmits = 2, .pickups = 1 });
    TEST_END();

    TEST_BEGIN("partial overlap with delivered data: the old front is trimmed");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "abcd");
    seg(&f, 0, 102, ACK, "XXef"); /* "XX" differs but was delivered: not comparable */
    CHECK_REC(&f, 0, "D4 D2", "abcdef");
    CHECK_STATS(&f, { .segments = 2, .in_order = 2, .overlaps = 1, .pickups = 1 });
    TEST_END();

    TEST_BEGIN("overlap among held segments: first received wins, difference counted");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "A");
    seg(&f, 0, 111, ACK, "WXYZ");   /* 111..115 */
    seg(&f, 0, 113, ACK, "QQQQ");   /* 113..117: "YZ" differs, 115..117 new */
    CHECK_EQ(f.d[0].held_bytes, 6);
    seg(&f, 0, 114, ACK, "ZQ");     /* wholly held, same bytes */
    CHECK_EQ(f.d[0].held_bytes, 6);
    seg(&f, 0, 101, ACK, "0123456789");
    CHECK_REC(&f, 0, "D1 D10 D4 D2", "A0123456789WXYZQQ");
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_STATS(&f, { .segments = 5, .in_order = 2, .out_of_order = 2, .overlaps = 2,
                      .overlap_diff = 1, .pickups = 1, .held_peak = 6 });
    TEST_END();

    TEST_BEGIN("gap reported by reasm_ack, implausible acks ignored, several holes");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "aaaa");
    seg(&f, 0, 110, ACK, "bbbb");
    ack(&f, 0, 104);                /* nothing missing yet */
    ack(&f, 0, 90);                 /* behind */
    ack(&f, 0, 104 + 0x80000000u);  /* half the sequence space away */
    ack(&f, 0, 104 + (1u << 30));   /* beyond any window */
    CHECK_STR(f.r[0].log, "D4");
    ack(&f, 0, 112);                /* 104..110 was lost: gap up to the held data */
    CHECK_STR(f.r[0].log, "D4 G6 D4");
    ack(&f, 0, 114);
    ack(&f, 0, 120);                /* nothing seen past the hole: the data may still come */
    CHECK_STR(f.r[0].log, "D4 G6 D4");
    seg(&f, 0, 130, ACK, "cc");
    seg(&f, 0, 140, ACK, "dd");
    ack(&f, 0, 150);                /* now bytes after the holes were seen: gaps up to them */
    CHECK_REC(&f, 0, "D4 G6 D4 G16 D2 G8 D2", "aaaabbbbccdd");
    CHECK_EQ(f.d[0].next_seq, 142);
    seg(&f, 0, 142, ACK, "ee");     /* data the ack announced, seen after it: delivered */
    CHECK_REC(&f, 0, "D4 G6 D4 G16 D2 G8 D2 D2", "aaaabbbbccddee");
    CHECK_U64(f.d[0].delivered, 44);
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_STATS(&f, { .segments = 5, .in_order = 2, .out_of_order = 3, .gaps = 3,
                      .gap_bytes = 30, .pickups = 1, .held_peak = 4 });
    TEST_END();

    TEST_BEGIN("gap at reasm_close: held data after the hole is still delivered");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "aaaa");
    seg(&f, 0, 110, ACK, "bbbb");
    seg(&f, 0, 120, ACK, "cc");
    close_dir(&f, 0);
    CHECK_REC(&f, 0, "D4 G6 D4 G6 D2 E", "aaaabbbbcc");
    close_dir(&f, 0);               /* END only once */
    seg(&f, 0, 122, ACK, "zz");     /* after the end: ignored */
    CHECK_REC(&f, 0, "D4 G6 D4 G6 D2 E", "aaaabbbbcc");
    CHECK_NOTHING_HELD(&f, 0);
    close_dir(&f, 1);               /* a direction never seen still ends */
    CHECK_REC(&f, 1, "E", "");
    CHECK_STATS(&f, { .segments = 4, .in_order = 1, .out_of_order = 2, .gaps = 2,
                      .gap_bytes = 12, .pickups = 1, .held_peak = 6 });
    TEST_END();

    TEST_BEGIN("hold bound per direction forces gaps; a segment too big alone is dropped");
    fx_init(&f, 8, 1000, 0);
    seg(&f, 0, 100, ACK, "a");
    seg(&f, 0, 110, ACK, "bbbb");
    seg(&f, 0, 120, ACK, "cccc");
    CHECK_EQ(f.d[0].held_bytes, 8);
    seg(&f, 0, 130, ACK, "dddd");   /* 12 > 8: skip to 110, deliver, then hold */
    CHECK_STR(f.r[0].log, "D1 G9 D4");
    CHECK_EQ(f.d[0].held_bytes, 8);
    seg(&f, 0, 140, ACK, "eeeeeeeee"); /* 9 > 8 even alone: empties the hold, then dropped */
    CHECK_STR(f.r[0].log, "D1 G9 D4 G6 D4 G6 D4");
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_EQ(f.d[0].next_seq, 134);
    seg(&f, 0, 150, ACK, "ff");
    seg(&f, 0, 160, ACK, "gggggg");
    seg(&f, 0, 140, ACK, "hh");     /* earlier than all held: gap to it, deliver it */
    CHECK_STR(f.r[0].log, "D1 G9 D4 G6 D4 G6 D4 G6 D2");
    CHECK_EQ(f.d[0].held_bytes, 8);
    close_dir(&f, 0);
    CHECK_REC(&f, 0, "D1 G9 D4 G6 D4 G6 D4 G6 D2 G8 D2 G8 D6 E", "abbbbccccddddhhffgggggg");
    CHECK_STATS(&f, { .segments = 8, .in_order = 2, .out_of_order = 5, .gaps = 6,
                      .gap_bytes = 43, .hold_limit = 5, .pickups = 1, .held_peak = 8 });
    TEST_END();

    TEST_BEGIN("hold bound restarts a segment that overlaps what the gap delivered");
    fx_init(&f, 6, 1000, 0);
    seg(&f, 0, 100, ACK, "a");
    seg(&f, 0, 110, ACK, "bbbbb");  /* 110..115 */
    seg(&f, 0, 120, ACK, "c");      /* 120..121 */
    seg(&f, 0, 112, ACK, "bbbdddddXee"); /* 112..123: 7 new bytes do not fit */
    CHECK_REC(&f, 0, "D1 G9 D5 D5 D1 D2", "abbbbbdddddcee");
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_STATS(&f, { .segments = 4, .in_order = 2, .out_of_order = 2, .overlaps = 1,
                      .overlap_diff = 1, .gaps = 1, .gap_bytes = 9, .hold_limit = 1,
                      .pickups = 1, .held_peak = 6 });
    TEST_END();

    TEST_BEGIN("total hold bound across two directions");
    fx_init(&f, 100, 10, 0);
    seg(&f, 0, 100, ACK, "a");
    seg(&f, 0, 110, ACK, "bbbbbb");
    seg(&f, 1, 500, ACK, "x");
    seg(&f, 1, 510, ACK, "yyyy");
    CHECK_U64(f.ctx.st.held_bytes, 10);
    seg(&f, 1, 520, ACK, "zz");     /* 12 > 10: direction 1 gives up its own hole */
    CHECK_STR(f.r[1].log, "D1 G9 D4");
    CHECK_EQ(f.d[1].held_bytes, 2);
    CHECK_EQ(f.d[0].held_bytes, 6);
    CHECK_U64(f.ctx.st.held_bytes, 8);
    seg(&f, 1, 530, ACK, "wwwww");  /* still 11 > 10 once direction 1 holds nothing */
    CHECK_REC(&f, 1, "D1 G9 D4 G6 D2", "xyyyyzz");
    CHECK_NOTHING_HELD(&f, 1);
    CHECK_U64(f.ctx.st.held_bytes, 6);
    CHECK_REC(&f, 0, "D1", "a");    /* the other direction is untouched */
    close_dir(&f, 0);
    CHECK_REC(&f, 0, "D1 G9 D6 E", "abbbbbb");
    CHECK_STATS(&f, { .segments = 6, .in_order = 2, .out_of_order = 3, .gaps = 3,
                      .gap_bytes = 24, .hold_limit = 3, .pickups = 2, .held_peak = 10 });
    TEST_END();

    TEST_BEGIN("depth: exactly depth bytes delivered, then bypass, no END");
    fx_init(&f, 1000, 1000, 10);
    seg(&f, 0, 100, ACK, "abcdef");
    seg(&f, 0, 120, ACK, "zz");
    seg(&f, 0, 106, ACK, "ghijkl");
    CHECK_EQ(f.d[0].bypass, 1);
    CHECK_U64(f.d[0].delivered, 10);
    CHECK_NOTHING_HELD(&f, 0);
    seg(&f, 0, 112, ACK, "mn");
    seg(&f, 0, 114, FIN | ACK, "op");
    ack(&f, 0, 200);
    close_dir(&f, 0);
    CHECK_REC(&f, 0, "D6 D4", "abcdefghij");
    CHECK_STATS(&f, { .segments = 3, .in_order = 2, .depth_bypass = 1, .bypassed_bytes = 4,
                      .pickups = 1, .held_peak = 2 });
    /* A segment ending exactly at depth, and a gap crossing it. */
    fx_init(&g, 1000, 1000, 6);
    seg(&g, 0, 0, ACK, "abcdef");
    CHECK_EQ(g.d[0].bypass, 1);
    seg(&g, 1, 0, ACK, "abc");
    seg(&g, 1, 20, ACK, "x");
    ack(&g, 1, 21);                 /* 17 missing, only 3 left before depth */
    CHECK_REC(&g, 0, "D6", "abcdef");
    CHECK_REC(&g, 1, "D3 G3", "abc");
    CHECK_EQ(g.d[1].bypass, 1);
    CHECK_U64(g.ctx.st.held_bytes, 0);
    CHECK_STATS(&g, { .segments = 3, .in_order = 2, .gaps = 1, .gap_bytes = 3,
                      .depth_bypass = 2, .pickups = 2, .held_peak = 1 });
    TEST_END();

    TEST_BEGIN("REASM_STOP from the callback bypasses the direction");
    fx_default(&f);
    f.r[0].stop_at = 3;
    seg(&f, 0, 100, ACK, "abc");
    seg(&f, 0, 106, ACK, "ghi");
    seg(&f, 0, 109, ACK, "jkl");
    seg(&f, 0, 103, ACK, "def");    /* delivers "def", then "ghi": STOP there */
    CHECK_EQ(f.d[0].bypass, 1);
    CHECK_NOTHING_HELD(&f, 0);
    seg(&f, 0, 112, ACK, "mnop");
    seg(&f, 0, 116, FIN, "");
    close_dir(&f, 0);
    CHECK_REC(&f, 0, "D3 D3 D3", "abcdefghi");
    CHECK_STATS(&f, { .segments = 4, .in_order = 2, .out_of_order = 1, .app_bypass = 1,
                      .bypassed_bytes = 4, .pickups = 1, .held_peak = 6 });
    TEST_END();

    TEST_BEGIN("FIN out of order: END only after the data before it");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "aaaa");
    seg(&f, 0, 108, FIN | ACK, "cc");
    CHECK_STR(f.r[0].log, "D4");
    CHECK_EQ(f.d[0].fin_seen, 1);
    CHECK_EQ(f.d[0].fin_seq, 110);
    seg(&f, 0, 104, ACK, "bbbb");
    CHECK_REC(&f, 0, "D4 D4 D2 E", "aaaabbbbcc");
    seg(&f, 0, 110, ACK, "x");      /* after END */
    CHECK_REC(&f, 0, "D4 D4 D2 E", "aaaabbbbcc");
    seg(&f, 1, 200, ACK, "aaaa");   /* a bare FIN ahead of missing data */
    seg(&f, 1, 208, FIN | ACK, "");
    ack(&f, 1, 204);
    CHECK_STR(f.r[1].log, "D4");
    seg(&f, 1, 204, ACK, "bbbb");
    CHECK_REC(&f, 1, "D4 D4 E", "aaaabbbb");
    CHECK_STATS(&f, { .segments = 6, .in_order = 4, .out_of_order = 1, .pickups = 2,
                      .held_peak = 2 });
    /* Data before the FIN never seen: the ack (which also covers the FIN)
     * and the close report the gap up to the FIN, not past it. */
    fx_default(&g);
    seg(&g, 0, 100, ACK, "aaaa");
    seg(&g, 0, 108, FIN | ACK, "");
    ack(&g, 0, 109);
    CHECK_REC(&g, 0, "D4 G4 E", "aaaa");
    seg(&g, 1, 100, ACK, "aaaa");
    seg(&g, 1, 108, FIN | ACK, "");
    close_dir(&g, 1);
    CHECK_REC(&g, 1, "D4 G4 E", "aaaa");
    CHECK_STATS(&g, { .segments = 2, .in_order = 2, .gaps = 2, .gap_bytes = 8, .pickups = 2 });
    TEST_END();

    TEST_BEGIN("RST flushes held data with gaps, then END once");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "aaaa");
    seg(&f, 0, 110, ACK, "bb");
    seg(&f, 0, 112, RST | ACK, "junk"); /* an RST's payload is not stream data */
    CHECK_REC(&f, 0, "D4 G6 D2 E", "aaaabb");
    seg(&f, 0, 112, ACK, "cc");
    close_dir(&f, 0);
    CHECK_REC(&f, 0, "D4 G6 D2 E", "aaaabb");
    seg(&f, 1, 900, RST, "");       /* direction never seen */
    CHECK_REC(&f, 1, "E", "");
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_STATS(&f, { .segments = 4, .in_order = 1, .out_of_order = 1, .gaps = 1,
                      .gap_bytes = 6, .pickups = 1, .held_peak = 2 });
    TEST_END();

    TEST_BEGIN("sequence numbers wrap past 0xFFFFFFFF");
    fx_default(&f);
    seg(&f, 0, 0xFFFFFFF0u, SYN, "");
    seg(&f, 0, 0xFFFFFFF1u, ACK, "0123456789");
    seg(&f, 0, 0x00000005u, ACK, "klmnopqrst"); /* ahead, after the wrap */
    seg(&f, 0, 0xFFFFFFFBu, ACK, "abcdefghij"); /* crosses 0 */
    CHECK_EQ(f.d[0].next_seq, 0x0F);
    seg(&f, 0, 0xFFFFFFF1u, ACK, "0123456789"); /* old, from before the wrap */
    seg(&f, 0, 0x14, ACK, "zz");
    ack(&f, 0, 0x16);
    seg(&f, 0, 0x16, FIN | ACK, "");
    CHECK_REC(&f, 0, "D10 D10 D10 G5 D2 E", "0123456789abcdefghijklmnopqrstzz");
    CHECK_U64(f.d[0].delivered, 37);
    CHECK_STATS(&f, { .segments = 5, .in_order = 2, .out_of_order = 2, .retransmits = 1,
                      .gaps = 1, .gap_bytes = 5, .held_peak = 10 });
    TEST_END();

    TEST_BEGIN("held_bytes returns to 0 after discard and after close");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "a");
    seg(&f, 0, 110, ACK, "bbb");
    seg(&f, 0, 120, ACK, "cc");
    seg(&f, 1, 500, ACK, "x");
    seg(&f, 1, 510, ACK, "yyyy");
    CHECK_U64(f.ctx.st.held_bytes, 9);
    reasm_discard(&f.ctx, &f.d[0]);
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_U64(f.ctx.st.held_bytes, 4);
    CHECK_REC(&f, 0, "D1", "a");    /* discard delivers nothing */
    reasm_discard(&f.ctx, &f.d[0]); /* twice is harmless */
    close_dir(&f, 1);
    CHECK_REC(&f, 1, "D1 G9 D4 E", "xyyyy");
    CHECK_NOTHING_HELD(&f, 1);
    CHECK_STATS(&f, { .segments = 5, .in_order = 2, .out_of_order = 1, .gaps = 1,
                      .gap_bytes = 9, .pickups = 2, .held_peak = 9 });
    TEST_END();

    TEST_BEGIN("a segment overlapping both sides of a held segment");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "a");
    seg(&f, 0, 105, ACK, "XYZ");       /* 105..108 */
    seg(&f, 0, 101, ACK, "bcdeQQQfg"); /* in order, covers 101..110 */
    CHECK_STR(f.r[0].log, "D1 D4 D3 D2");
    seg(&f, 0, 115, ACK, "MN");        /* 115..117 */
    seg(&f, 0, 113, ACK, "uvwxyz");    /* ahead, covers 113..119 */
    CHECK_EQ(f.d[0].held_bytes, 6);
    seg(&f, 0, 110, ACK, "rst");
    CHECK_REC(&f, 0, "D1 D4 D3 D2 D3 D2 D2 D2", "abcdeXYZfgrstuvMNyz");
    CHECK_NOTHING_HELD(&f, 0);
    CHECK_STATS(&f, { .segments = 6, .in_order = 3, .out_of_order = 4, .overlaps = 2,
                      .overlap_diff = 2, .pickups = 1, .held_peak = 6 });
    TEST_END();

    TEST_BEGIN("a segment beyond any TCP window is dropped");
    fx_default(&f);
    seg(&f, 0, 100, ACK, "a");
    seg(&f, 0, 101 + (1u << 30), ACK, "x");
    CHECK_NOTHING_HELD(&f, 0);
    seg(&f, 0, 100 + (1u << 30), ACK, "y"); /* just inside: held */
    CHECK_EQ(f.d[0].held_bytes, 1);
    reasm_discard(&f.ctx, &f.d[0]);
    CHECK_REC(&f, 0, "D1", "a");
    CHECK_STATS(&f, { .segments = 3, .in_order = 1, .retransmits = 1, .pickups = 1,
                      .held_peak = 1 });
    TEST_END();

    return tap_done();
}
