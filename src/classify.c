/* classify.c -- the nDPI 4.2 detection module of one worker (see classify.h). */
#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "asan.h"
#include "text.h"

struct classify {
    struct ndpi_detection_module_struct *ndpi;
    unsigned max_packets;
    struct classify_stats st;
};

/* nDPI's guess of whether a name was made by a domain generation algorithm
 * only sets a flow risk, and msiwatch reads no nDPI risk. nDPI runs it on
 * every DNS query, HTTP Host and TLS SNI unless a function of one's own
 * is set: this one says "no" at once. The guess cost about 6,600
 * instructions a DNS query (callgrind, a capture of 20,140 DNS
 * conversations: 784 -> 651 million instructions in all), and no flow's
 * protocol changes (the records of every test capture and benchmark
 * capture are byte for byte the same). */
static int no_dga_guess(const char *domain, int len)
{
    (void)domain;
    (void)len;
    return 0;
}

struct classify *classify_new(unsigned max_packets, char *err, size_t errlen)
{
    ndpi_dga_function = no_dga_guess; /* nDPI's global, the same for every worker */
    struct classify *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (c->ndpi == NULL) {
        snprintf(err, errlen, "nDPI: cannot initialise the detection module");
        free(c);
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(c->ndpi, &all);
    ndpi_finalize_initialization(c->ndpi);
    c->max_packets = max_packets ? max_packets : CLASSIFY_DEFAULT_MAX_PACKETS;
    return c;
}

/* At the process's exit nDPI's module is not torn down: nDPI frees its
 * trees of 48,000 address prefixes and its automata block by block, 5 to
 * 7 ms (15% of the samples of a replay of an empty capture, 1 to 1.5% of
 * the benchmark mix's), and the system takes the memory back at once. The modules left
 * stay reachable from here, so valgrind does not count them lost; an
 * AddressSanitizer build tears them down as before, and so does a
 * classify_free before classify_exiting (a failed start, the tests). */
#define LEFT_MAX 256
static bool exiting;
static struct ndpi_detection_module_struct *volatile left[LEFT_MAX]; /* volatile: kept though never read */
static size_t nleft;

void classify_exiting(void)
{
    exiting = !MW_ASAN;
}

void classify_free(struct classify *c)
{
    if (c == NULL)
        return;
    if (exiting && nleft < LEFT_MAX)
        left[nleft++] = c->ndpi;
    else
        ndpi_exit_detection_module(c->ndpi);
    free(c);
}

static void release(struct classify *c, struct flow *f)
{
    if (f->ndpi) {
        ndpi_free_flow(f->ndpi);
        f->ndpi = NULL;
        c->st.states_live--;
    }
}

static void set_result(struct flow *f, ndpi_protocol p)
{
    f->proto_master = p.master_protocol;
    f->proto_app = p.app_protocol;
}

void classify_packet(struct classify *c, struct flow *f, const struct mw_pkt *pk, uint64_t ts_us)
{
    if (f->classified)
        return;
    if (f->ndpi == NULL) {
        /* no state for a TCP flow until it carries bytes: a million flows in
         * their handshakes (or a SYN flood) would hold 688 bytes each */
        if (pk->l4proto == 6 && pk->payload_len == 0)
            return;
        f->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
        if (f->ndpi == NULL) {
            c->st.alloc_failed++;
            f->classified = 1;
            return;
        }
        memset(f->ndpi, 0, SIZEOF_FLOW_STRUCT);
        c->st.states_live++;
    }
    /* nDPI takes a 16-bit length; a reassembled datagram can exceed it by
     * its header only, and nDPI reads no further than the first bytes. */
    unsigned short len = pk->l3_len > 65535 ? 65535 : (unsigned short)pk->l3_len;
    ndpi_protocol p = ndpi_detection_process_packet(c->ndpi, f->ndpi, pk->l3, len, ts_us / 1000);
    c->st.packets++;
    f->ndpi_pkts++;
    bool known = p.master_protocol != NDPI_PROTOCOL_UNKNOWN || p.app_protocol != NDPI_PROTOCOL_UNKNOWN;
    if (known) {
        /* done at the first detection: the sub-protocol comes from what
         * named it (SNI, Host, the query), not from certificates or answers
         * nDPI would go on reading (extra dissection: about 8% of a replay
         * for a different name in 6 of 1,684 flows of the test captures) */
        set_result(f, p);
        f->classified = 1;
        c->st.detected++;
        release(c, f);
        return;
    }
    if (f->ndpi_pkts >= c->max_packets)
        classify_finish(c, f);
}

void classify_finish(struct classify *c, struct flow *f)
{
    if (f->classified) {
        release(c, f);
        return;
    }
    if (f->ndpi) {
        uint8_t guessed = 0;
        ndpi_protocol p = ndpi_detection_giveup(c->ndpi, f->ndpi, 1, &guessed);
        if (p.master_protocol != NDPI_PROTOCOL_UNKNOWN || p.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
            if (f->proto_master == 0 && f->proto_app == 0) {
                set_result(f, p);
                f->proto_guessed = guessed;
            }
            c->st.detected += !f->proto_guessed;
        }
        c->st.gave_up++;
    } else if (f->proto_master == 0 && f->proto_app == 0) {
        /* a TCP flow that never carried a byte: the guess from its ports
         * and addresses that nDPI would have given up with */
        const struct mw_addr *a = flow_addr(f, 0), *b = flow_addr(f, 1);
        uint32_t sh = mw_addr_is_v4(a) ? (uint32_t)a->b[12] << 24 | a->b[13] << 16 | a->b[14] << 8 | a->b[15] : 0;
        uint32_t dh = mw_addr_is_v4(b) ? (uint32_t)b->b[12] << 24 | b->b[13] << 16 | b->b[14] << 8 | b->b[15] : 0;
        ndpi_protocol p = ndpi_guess_undetected_protocol(c->ndpi, NULL, f->key.proto, sh, flow_port(f, 0), dh,
                                                         flow_port(f, 1));
        if (p.master_protocol != NDPI_PROTOCOL_UNKNOWN || p.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
            set_result(f, p);
            f->proto_guessed = 1;
        }
    }
    f->classified = 1;
    release(c, f);
}

uint16_t classify_main_id(const struct flow *f)
{
    if (f->proto_guessed)
        return 0;
    if (f->proto_master == NDPI_PROTOCOL_NETBIOS && f->proto_app != NDPI_PROTOCOL_UNKNOWN)
        return f->proto_app;
    return f->proto_master ? f->proto_master : f->proto_app;
}

const char *classify_proto_name(struct classify *c, uint16_t id)
{
    const char *n = ndpi_get_proto_name(c->ndpi, id);
    return n ? n : "Unknown";
}

const char *classify_name(struct classify *c, const struct flow *f)
{
    return classify_proto_name(c, classify_main_id(f));
}

/* nDPI 4.2's ndpi_protocol2name, the same names joined without its
 * snprintf: "MASTER.APP" when both are known and differ, else the one known
 * (or "Unknown"). Every flow record is named so; snprintf was 560
 * instructions a flow. */
const char *classify_full_name(struct classify *c, const struct flow *f, char *buf, size_t len)
{
    uint16_t m = f->proto_master, a = f->proto_app;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (m != NDPI_PROTOCOL_UNKNOWN && m != a) {
        text_append(buf, len, classify_proto_name(c, m));
        if (a == NDPI_PROTOCOL_UNKNOWN)
            return buf;
        text_append(buf, len, ".");
    }
    text_append(buf, len, classify_proto_name(c, a));
    return buf;
}

unsigned classify_num_protocols(struct classify *c)
{
    return ndpi_get_num_supported_protocols(c->ndpi);
}

const struct classify_stats *classify_stats(const struct classify *c)
{
    return &c->st;
}
