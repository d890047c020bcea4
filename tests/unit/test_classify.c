/* test_classify.c -- classify.c's nDPI module: a DNS query built byte by
 * byte is classified DNS, classify_new turns off nDPI's guess of generated
 * domain names (a risk msiwatch does not read, and the dearest part of a DNS
 * query in nDPI), for a name that nDPI's own guess flags, and flows' full
 * names are nDPI's own for every pair of protocols. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "classify.h"
#include "decode.h"
#include "pktbuild.h"
#include "tap.h"

#define UDP 17

/* A name nDPI 4.2's own guess calls generated (checked below). */
static char gen_name[] = "xjwqkzpvbnmrtyq.com";

/* A DNS query (id 0x1234, recursion desired, one question, type A) for
 * gen_name from 10.0.0.1:50000 to 10.0.0.2:53. */
static size_t dns_query(struct pb *p)
{
    uint8_t q[128];
    size_t n = 0;
    static const uint8_t head[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    memcpy(q, head, sizeof head);
    n = sizeof head;
    q[n++] = 15;
    memcpy(q + n, "xjwqkzpvbnmrtyq", 15);
    n += 15;
    q[n++] = 3;
    memcpy(q + n, "com", 3);
    n += 3;
    q[n++] = 0;
    q[n++] = 0, q[n++] = 1; /* type A */
    q[n++] = 0, q[n++] = 1; /* class IN */
    pb_eth(p, 0x0800);
    size_t ip = pb_ip4(p, PB_A4, PB_B4, UDP, 0x4321, 0, 0);
    pb_udp(p, 50000, 53, q, n);
    pb_ip4_finish(p, ip);
    return p->n;
}

int main(void)
{
    char err[256] = "";
    struct classify *c = classify_new(0, err, sizeof err);
    struct ndpi_detection_module_struct *m = ndpi_init_detection_module(ndpi_no_prefs);
    if (c == NULL || m == NULL) {
        printf("Bail out! no nDPI module: %s\n", err);
        return 1;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(m, &all);
    ndpi_finalize_initialization(m);

    TEST_BEGIN("nDPI's own guess calls the test name generated");
    ndpi_custom_dga_predict_fctn ours = ndpi_dga_function;
    ndpi_dga_function = NULL;
    CHECK_EQ(ndpi_check_dga_name(m, NULL, gen_name, 1), 1);
    ndpi_dga_function = ours;
    TEST_END();

    TEST_BEGIN("after classify_new nDPI guesses no generated name");
    CHECK(ndpi_dga_function != NULL);
    CHECK_EQ(ndpi_check_dga_name(m, NULL, gen_name, 1), 0);
    TEST_END();

    TEST_BEGIN("a DNS query for it is classified DNS at its first packet");
    struct pb p;
    memset(&p, 0, sizeof p);
    size_t n = dns_query(&p);
    struct mw_pkt pk;
    memset(&pk, 0, sizeof pk);
    CHECK_EQ(decode_frame(1 /* DLT_EN10MB */, p.b, n, &pk), DEC_OK);
    struct flow *f = calloc(1, sizeof *f);
    CHECK(f != NULL);
    if (f) {
        classify_packet(c, f, &pk, 1000000);
        CHECK(f->classified);
        CHECK(!f->proto_guessed);
        CHECK_STR(classify_name(c, f), "DNS");
        const struct classify_stats *st = classify_stats(c);
        CHECK_U64(st->packets, 1);
        CHECK_U64(st->detected, 1);
        CHECK_U64(st->states_live, 0);
        classify_finish(c, f);
        free(f);
    }
    TEST_END();

    TEST_BEGIN("classify_full_name names every pair of protocols as nDPI's ndpi_protocol2name does");
    /* every (master, application) pair of ids, a few past the last one,
     * and buffers from 1 byte (cut names) to room to spare */
    unsigned np = classify_num_protocols(c), pairs = 0, differ = 0;
    CHECK(np > 100);
    struct flow *g = calloc(1, sizeof *g);
    CHECK(g != NULL);
    for (unsigned ma = 0; g && ma < np + 3; ma++) {
        for (unsigned ap = 0; ap < np + 3; ap++) {
            static const size_t lens[] = { 1, 2, 5, 9, 64 };
            g->proto_master = (uint16_t)ma;
            g->proto_app = (uint16_t)ap;
            for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
                if (lens[k] < 64 && (ma % 37 != 0 || ap % 11 != 0))
                    continue; /* cut names for a sample of the pairs */
                char ours[64], theirs[64];
                memset(ours, 'x', sizeof ours);
                ndpi_protocol p = { .master_protocol = (uint16_t)ma, .app_protocol = (uint16_t)ap };
                ndpi_protocol2name(m, p, theirs, (u_int)lens[k]);
                CHECK(classify_full_name(c, g, ours, lens[k]) == ours);
                pairs++;
                if (strcmp(ours, theirs) != 0 && differ++ < 5)
                    printf("# %u.%u in %zu bytes: ours \"%s\", nDPI's \"%s\"\n", ma, ap, lens[k], ours, theirs);
            }
        }
    }
    CHECK(pairs > 10000);
    CHECK_EQ(differ, 0);
    g->proto_master = NDPI_PROTOCOL_HTTP;
    g->proto_app = NDPI_PROTOCOL_WIKIPEDIA;
    char nm[64];
    CHECK_STR(classify_full_name(c, g, nm, sizeof nm), "HTTP.Wikipedia");
    g->proto_app = NDPI_PROTOCOL_HTTP;
    CHECK_STR(classify_full_name(c, g, nm, sizeof nm), "HTTP");
    g->proto_master = NDPI_PROTOCOL_UNKNOWN;
    g->proto_app = NDPI_PROTOCOL_UNKNOWN;
    CHECK_STR(classify_full_name(c, g, nm, sizeof nm), "Unknown");
    free(g);
    TEST_END();

    ndpi_exit_detection_module(m);
    classify_free(c);
    return tap_done();
}
