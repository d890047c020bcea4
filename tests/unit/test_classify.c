/* test_classify.c -- classify.c's nDPI module: a DNS query built byte by
 * byte is classified DNS, and classify_new turns off nDPI's guess of
 * generated domain names (a risk msiwatch does not read, and the dearest
 * part of a DNS query in nDPI), for a name that nDPI's own guess flags. */
#include <stdlib.h>

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

    ndpi_exit_detection_module(m);
    classify_free(c);
    return tap_done();
}
