/* test_flow.c -- the flow table: both directions find one flow, VLAN and
 * protocol separate flows, the client is found from the handshake, idle
 * timeouts per class, eviction of the oldest idle flow at the maximum, and
 * the end-of-input order (by first sight, whatever the lists' order). */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tap.h"

#define TCP 6
#define UDP 17

struct ended {
    uint64_t id[64];
    int why[64];
    int n;
};

static void on_end(void *user, struct flow *f, enum flow_end_reason why)
{
    struct ended *e = user;
    if (e->n < 64) {
        e->id[e->n] = f->id;
        e->why[e->n] = why;
        e->n++;
    }
}

/* Checks that flows end in increasing id order, all at shutdown. */
struct order {
    int n, out_of_order, not_shutdown;
    uint64_t first, last;
};

static void check_order(void *user, struct flow *f, enum flow_end_reason why)
{
    struct order *o = user;
    if (o->n == 0)
        o->first = f->id;
    else if (f->id <= o->last)
        o->out_of_order++;
    o->last = f->id;
    o->not_shutdown += why != FE_SHUTDOWN;
    o->n++;
}

static struct mw_pkt mk(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport, uint8_t proto, uint8_t flags)
{
    struct mw_pkt pk;
    memset(&pk, 0, sizeof pk);
    uint8_t x[4] = { 192, 168, 0, a }, y[4] = { 192, 168, 0, b };
    mw_addr_from_v4(&pk.src, x);
    mw_addr_from_v4(&pk.dst, y);
    pk.sport = sport;
    pk.dport = dport;
    pk.l4proto = proto;
    pk.tcp_flags = flags;
    pk.ipver = 4;
    return pk;
}

static struct flow_cfg cfg(uint32_t max)
{
    struct flow_cfg c = { max, 100 * 1000000ull, 50 * 1000000ull, 10 * 1000000ull };
    return c;
}

int main(void)
{
    struct ended e;
    int dir;
    struct flow_cfg c;
    struct flow_table *t;
    struct flow *f1, *f2, *f3;
    struct mw_pkt syn, sa;

    TEST_BEGIN("both directions find one flow; the SYN sender is the client");
    memset(&e, 0, sizeof e);
    c = cfg(10);
    t = flow_table_new(&c, on_end, &e);
    syn = mk(9, 50000, 1, 80, TCP, MW_TH_SYN);
    sa = mk(1, 80, 9, 50000, TCP, MW_TH_SYN | MW_TH_ACK);
    f1 = flow_get(t, &syn, 1000, &dir);
    CHECK(f1 != NULL);
    CHECK_EQ(dir, 0);
    f2 = flow_get(t, &sa, 2000, &dir);
    CHECK(f1 == f2);
    CHECK_EQ(dir, 1);
    CHECK_EQ(flow_port(f1, 0), 50000);
    CHECK_EQ(flow_port(f1, 1), 80);
    CHECK_U64(f1->first_us, 1000);
    CHECK_U64(f1->last_us, 2000);
    CHECK_U64(flow_table_stats(t)->created, 1);
    flow_table_free(t);
    CHECK_EQ(e.n, 1);
    CHECK_EQ(e.why[0], FE_SHUTDOWN);
    TEST_END();

    TEST_BEGIN("a SYN-ACK seen first makes its receiver the client");
    memset(&e, 0, sizeof e);
    t = flow_table_new(&c, on_end, &e);
    f1 = flow_get(t, &sa, 1000, &dir);
    CHECK_EQ(dir, 1);
    CHECK_EQ(flow_port(f1, 0), 50000);
    flow_table_free(t);
    TEST_END();

    TEST_BEGIN("mid-stream pickup: the well-known port is the server");
    memset(&e, 0, sizeof e);
    t = flow_table_new(&c, on_end, &e);
    struct mw_pkt data = mk(1, 445, 9, 50001, TCP, MW_TH_ACK);
    f1 = flow_get(t, &data, 1000, &dir);
    CHECK_EQ(dir, 1);
    CHECK_EQ(flow_port(f1, 1), 445);
    flow_table_free(t);
    TEST_END();

    TEST_BEGIN("VLAN and transport separate flows with the same addresses and ports");
    memset(&e, 0, sizeof e);
    t = flow_table_new(&c, on_end, &e);
    struct mw_pkt a = mk(1, 1000, 2, 2000, UDP, 0), b = a, u = a;
    b.nvlan = 1;
    b.vlan[0] = 7;
    u.l4proto = TCP;
    f1 = flow_get(t, &a, 1, &dir);
    f2 = flow_get(t, &b, 2, &dir);
    f3 = flow_get(t, &u, 3, &dir);
    CHECK(f1 != f2 && f2 != f3 && f1 != f3);
    CHECK_U64(flow_table_stats(t)->created, 3);
    CHECK_U64(flow_table_stats(t)->udp, 2);
    CHECK_U64(flow_table_stats(t)->tcp, 1);
    flow_table_free(t);
    CHECK_EQ(e.n, 3);
    CHECK_U64(e.id[0], 1);
    CHECK_U64(e.id[1], 2);
    CHECK_U64(e.id[2], 3);
    TEST_END();

    TEST_BEGIN("idle timeouts per class, closed TCP flows go first");
    memset(&e, 0, sizeof e);
    t = flow_table_new(&c, on_end, &e);
    struct mw_pkt tcp1 = mk(1, 1000, 2, 80, TCP, MW_TH_SYN);
    struct mw_pkt tcp2 = mk(1, 1001, 2, 80, TCP, MW_TH_SYN);
    struct mw_pkt udp1 = mk(1, 1002, 2, 53, UDP, 0);
    f1 = flow_get(t, &tcp1, 0, &dir);
    f2 = flow_get(t, &tcp2, 0, &dir);
    f3 = flow_get(t, &udp1, 0, &dir);
    flow_mark_closed(t, f2);
    flow_expire(t, 10 * 1000000ull); /* nothing is past its timeout yet */
    CHECK_EQ(e.n, 0);
    flow_expire(t, 10 * 1000000ull + 1); /* closed: 10 s */
    CHECK_EQ(e.n, 1);
    CHECK_U64(e.id[0], 2);
    flow_expire(t, 50 * 1000000ull + 1); /* UDP: 50 s */
    CHECK_EQ(e.n, 2);
    CHECK_U64(e.id[1], 3);
    flow_get(t, &tcp1, 60 * 1000000ull, &dir); /* activity moves the timeout */
    flow_expire(t, 100 * 1000000ull + 1);
    CHECK_EQ(e.n, 2);
    flow_expire(t, 160 * 1000000ull + 1);
    CHECK_EQ(e.n, 3);
    CHECK_EQ(e.why[2], FE_TIMEOUT);
    CHECK_U64(flow_table_stats(t)->timed_out, 3);
    CHECK_U64(flow_table_stats(t)->active, 0);
    flow_table_free(t);
    TEST_END();

    TEST_BEGIN("at the maximum the oldest idle flow is evicted, counted");
    memset(&e, 0, sizeof e);
    c = cfg(3);
    t = flow_table_new(&c, on_end, &e);
    for (uint16_t i = 0; i < 3; i++) {
        struct mw_pkt x = mk(1, (uint16_t)(2000 + i), 2, 80, TCP, MW_TH_SYN);
        flow_get(t, &x, 100 + i, &dir);
    }
    struct mw_pkt again = mk(1, 2000, 2, 80, TCP, MW_TH_ACK); /* flow 1 is busy again */
    flow_get(t, &again, 200, &dir);
    struct mw_pkt x4 = mk(1, 3000, 2, 80, TCP, MW_TH_SYN);
    f1 = flow_get(t, &x4, 300, &dir);
    CHECK(f1 != NULL);
    CHECK_EQ(e.n, 1);
    CHECK_U64(e.id[0], 2); /* the oldest idle: flow 2, not flow 1 */
    CHECK_EQ(e.why[0], FE_EVICTED);
    CHECK_U64(flow_table_stats(t)->evicted, 1);
    CHECK_U64(flow_table_stats(t)->active, 3);
    CHECK_U64(flow_table_stats(t)->active_peak, 3);
    flow_table_free(t);
    TEST_END();

    TEST_BEGIN("many flows: lookups stay exact");
    memset(&e, 0, sizeof e);
    c = cfg(100000);
    t = flow_table_new(&c, NULL, NULL);
    int wrong = 0;
    for (uint32_t i = 0; i < 50000; i++) {
        struct mw_pkt x = mk((uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), 1, 80, UDP, 0);
        struct flow *n = flow_get(t, &x, i, &dir);
        struct mw_pkt r = mk(1, 80, (uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), UDP, 0);
        if (flow_get(t, &r, i, &dir) != n || dir != 1)
            wrong++;
    }
    CHECK_EQ(wrong, 0);
    CHECK_U64(flow_table_stats(t)->created, 50000);
    flow_table_free(t);
    TEST_END();

    TEST_BEGIN("the buckets double as the flows reach half their number, up to max-flows' power of two; lookups stay exact");
    {
        c = cfg(300000); /* buckets from 65,536 up to 524,288 */
        t = flow_table_new(&c, NULL, NULL);
        enum { N = 200000 };
        struct flow **seen = calloc(N, sizeof *seen);
        CHECK(seen != NULL);
        int wrong = 0;
        for (uint32_t i = 0; i < N && seen; i++) {
            struct mw_pkt x = mk((uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), 2, 443, TCP, MW_TH_SYN);
            seen[i] = flow_get(t, &x, i, &dir);
            if (i == 32767 || i == 32768 || i == 65536 || i == 131072)
                CHECK_U64(flow_table_stats(t)->bucket_growths, i < 32768 ? 0 : i < 65536 ? 1 : i < 131072 ? 2 : 3);
        }
        CHECK_U64(flow_table_stats(t)->bucket_growths, 3); /* at 32,768, 65,536 and 131,072 flows: 524,288 */
        for (uint32_t i = 0; i < N && seen; i++) { /* every flow found again, from the other side */
            struct mw_pkt r = mk(2, 443, (uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), TCP, MW_TH_SYN | MW_TH_ACK);
            if (flow_get(t, &r, N + i, &dir) != seen[i] || dir != 1)
                wrong++;
        }
        CHECK_EQ(wrong, 0);
        CHECK_U64(flow_table_stats(t)->created, N);
        flow_table_free(t);
        free(seen);

        c = cfg(100000); /* buckets up to 131,072: one doubling (at 32,768 flows), then no more */
        t = flow_table_new(&c, NULL, NULL);
        for (uint32_t i = 0; i < 150000; i++) {
            struct mw_pkt x = mk((uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), 3, 53, UDP, 0);
            flow_get(t, &x, i, &dir);
        }
        CHECK_U64(flow_table_stats(t)->bucket_growths, 1);
        CHECK_U64(flow_table_stats(t)->active, 100000);
        CHECK_U64(flow_table_stats(t)->evicted, 50000);
        flow_table_free(t);
    }
    TEST_END();

    TEST_BEGIN("flows taking turns, ended, then seen again: each packet finds its own flow, new ones after the end");
    {
        /* 100 flows, more than the slots of recently used flows, packets in
         * turn both ways; then all time out and the same 5-tuples come back */
        c = cfg(1000);
        t = flow_table_new(&c, NULL, NULL);
        struct flow *first[100];
        int mismatch = 0;
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < 5; k++)
                for (uint16_t i = 0; i < 100; i++) {
                    struct mw_pkt x = k % 2 ? mk(2, 80, 1, (uint16_t)(4000 + i), TCP, MW_TH_ACK)
                                            : mk(1, (uint16_t)(4000 + i), 2, 80, TCP, k ? MW_TH_ACK : MW_TH_SYN);
                    struct flow *g = flow_get(t, &x, 1000000ull * (uint64_t)(round * 1000 + k), &dir);
                    if (g == NULL || flow_port(g, 0) != 4000 + i || dir != k % 2)
                        mismatch++;
                    else if (round == 0 && k == 0)
                        first[i] = g;
                    else if (round == 0 && g != first[i])
                        mismatch++;
                }
            if (round == 0)
                flow_expire(t, 1000000ull * 999);
            CHECK_U64(flow_table_stats(t)->active, round == 0 ? 0 : 100);
        }
        CHECK_EQ(mismatch, 0);
        CHECK_U64(flow_table_stats(t)->created, 200);
        CHECK_U64(flow_table_stats(t)->timed_out, 100);
        flow_table_free(t);
    }
    TEST_END();

    TEST_BEGIN("the flows left at the end end in order of first sight");
    {
        /* ids that differ in bytes 0 to 3 and 5 (not 4), the later half's
         * low bytes as small as the first half's; flows whose activity and
         * closing put them out of that order in the lists */
        enum { N = 3000 };
        static struct order o;
        memset(&o, 0, sizeof o);
        c = cfg(100000);
        t = flow_table_new(&c, check_order, &o);
        for (uint32_t i = 0; i < N; i++) {
            flow_set_packet(t, i < N / 2 ? 1 + (uint64_t)i * 40503 : (1ull << 40) + (uint64_t)(i - N / 2) * 40503);
            struct mw_pkt x = mk((uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), 1, 80,
                                 i % 2 ? TCP : UDP, i % 2 ? MW_TH_SYN : 0);
            flow_get(t, &x, i, &dir);
        }
        for (uint32_t j = 0; j < N; j++) {
            uint32_t i = (j * 1237u) % N; /* 1237 and 3000 share no factor: each flow once */
            flow_set_packet(t, 1ull << 41);
            struct mw_pkt x = mk((uint8_t)(10 + i % 200), (uint16_t)(1024 + i / 200), 1, 80,
                                 i % 2 ? TCP : UDP, i % 2 ? MW_TH_ACK : 0);
            struct flow *f = flow_get(t, &x, N + j, &dir);
            if (f && i % 3 == 0)
                flow_mark_closed(t, f);
        }
        flow_table_free(t);
        CHECK_EQ(o.n, N);
        CHECK_EQ(o.out_of_order, 0);
        CHECK_EQ(o.not_shutdown, 0);
        CHECK_U64(o.first, 1);
        CHECK_U64(o.last, (1ull << 40) + (uint64_t)(N / 2 - 1) * 40503);
    }
    TEST_END();

    return tap_done();
}
