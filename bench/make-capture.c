/* make-capture.c -- builds the benchmark captures of issue 6 from recordings.
 *
 * It splits the given captures into whole conversations (TCP from SYN to
 * FIN or RST, UDP as recorded) and writes copies of them with shifted
 * addresses, MACs and times so that no two copies share a flow, fixing the
 * IPv4, TCP and UDP checksums. Two modes:
 *
 *   mix:        copies until SIZE MiB are written, the bytes shared between
 *               TLS, HTTP, SMB and DNS conversations as asked (-w), one new
 *               copy every GAP microseconds, copies overlapping in time;
 *   concurrent: N copies of the smallest complete TCP conversation, packet
 *               k of every copy before packet k+1 of any (all SYNs, then
 *               the data, then all FINs), so that all N flows are open at
 *               once.
 *
 * Deterministic: the same inputs and options give the same bytes. The input
 * is the project's own captures, but it is still read with bounds checks
 * (src/bytes.h); a frame that is not Ethernet (or BSD loopback, converted)
 * IPv4 TCP/UDP, or is a fragment, is left out. */
#include "bytes.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0_SEC 1767225600LL /* 2026-01-01 00:00:00 UTC: every capture starts here */
#define MAX_FRAME 65549     /* Ethernet header + largest IPv4 datagram */
#define ETH_LEN 14

enum cat { CAT_TLS, CAT_HTTP, CAT_SMB, CAT_DNS, CAT_N };
static const char *const cat_name[CAT_N] = { "tls", "http", "smb", "dns" };

struct tpkt {
    uint8_t *frame;        /* Ethernet frame as captured (loopback converted) */
    uint32_t caplen, len;  /* captured and original length */
    int64_t rel_us;        /* time since the conversation's first packet */
    uint8_t from_client;   /* 1: client to server */
    uint8_t l4_full;       /* whole L4 segment captured: checksum recomputed */
    uint8_t l4_sum_off;    /* offset of the L4 checksum in the L4 header */
    uint8_t udp_nosum;     /* UDP sent without checksum: left at zero */
    uint16_t l4_off;       /* offset of the L4 header in the frame */
    uint32_t ip_partial;   /* IPv4 header sum without addresses and checksum */
    uint32_t l4_partial;   /* L4 sum without ports, addresses and checksum */
    uint16_t l4_orig_sum;  /* when not l4_full: the original checksum */
    uint32_t orig_addr_sum; /* sum of the original address and port words */
};

struct conv {
    uint32_t cli_ip, srv_ip; /* as recorded */
    uint16_t cli_port, srv_port;
    uint8_t proto;
    uint8_t fin_cli, fin_srv, rst, syn_first;
    enum cat cat;
    int srv_index; /* which recorded server, for the server address pool */
    struct tpkt *pk;
    size_t npk, cap;
    uint64_t bytes; /* record bytes in the output: 16 + caplen per packet */
    const char *file;
};

static struct conv *convs;
static size_t nconvs, capconvs;

static void die(const char *msg)
{
    fprintf(stderr, "make-capture: %s\n", msg);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL)
        die("out of memory");
    return q;
}

/* One's complement sum of 16-bit big-endian words (odd tail padded). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint32_t addr_words(uint32_t a, uint32_t b)
{
    return (a >> 16) + (a & 0xffff) + (b >> 16) + (b & 0xffff);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static enum cat categorize(uint16_t port)
{
    switch (port) {
    case 443: return CAT_TLS;
    case 80: case 8080: return CAT_HTTP;
    case 445: case 139: return CAT_SMB;
    case 53: return CAT_DNS;
    default: return CAT_N;
    }
}

static struct conv *find_conv(uint8_t proto, uint8_t flags, uint32_t a, uint16_t ap, uint32_t b,
                              uint16_t bp, int *from_client)
{
    /* Newest first: a recording may reuse a 5-tuple after the first ended;
     * a SYN after the teardown starts a new conversation, the last ACKs
     * of the teardown still belong to the old one. */
    for (size_t i = nconvs; i-- > 0;) {
        struct conv *c = &convs[i];
        if (c->proto != proto)
            continue;
        int fwd = c->cli_ip == a && c->cli_port == ap && c->srv_ip == b && c->srv_port == bp;
        int rev = c->cli_ip == b && c->cli_port == bp && c->srv_ip == a && c->srv_port == ap;
        if (!fwd && !rev)
            continue;
        int ended = c->rst || (c->fin_cli && c->fin_srv);
        if (proto == 6 && ended && (flags & 0x12) == 0x02)
            return NULL;
        *from_client = fwd;
        return c;
    }
    return NULL;
}

/* Reads one capture into conversations. */
static void load(const char *path, int verbose)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    if (p == NULL) {
        fprintf(stderr, "make-capture: %s: %s (left out)\n", path, err);
        return;
    }
    int dlt = pcap_datalink(p);
    if (dlt != DLT_EN10MB && dlt != DLT_NULL && dlt != DLT_LOOP) {
        if (verbose)
            fprintf(stderr, "make-capture: %s: link type %s left out\n", path,
                    pcap_datalink_val_to_name(dlt));
        pcap_close(p);
        return;
    }
    size_t first = nconvs;
    struct pcap_pkthdr *h;
    const u_char *data;
    int64_t t_first = -1;
    static uint8_t buf[MAX_FRAME];
    while (pcap_next_ex(p, &h, &data) == 1) {
        struct mw_cur c = mw_cur_make(data, h->caplen);
        uint32_t extra = 0; /* bytes added to len when the link header grows */
        if (dlt == DLT_EN10MB) {
            mw_skip(&c, 12);
            if (mw_be16(&c) != 0x0800)
                continue;
        } else {
            const uint8_t *af = mw_take(&c, 4);
            /* AF_INET is 2 in either byte order on every BSD and Linux */
            if (af == NULL || !((af[0] == 2 && af[3] == 0) || (af[3] == 2 && af[0] == 0)))
                continue;
            extra = ETH_LEN - 4;
        }
        size_t l3 = h->caplen - mw_left(&c); /* offset of IPv4 in data */
        struct mw_cur ip = c;
        uint8_t vihl = mw_u8(&ip);
        if ((vihl >> 4) != 4 || (vihl & 15) < 5)
            continue;
        size_t ihl = (size_t)(vihl & 15) * 4;
        mw_skip(&ip, 1);
        uint16_t tot = mw_be16(&ip);
        mw_skip(&ip, 2);
        uint16_t frag = mw_be16(&ip);
        mw_skip(&ip, 1);
        uint8_t proto = mw_u8(&ip);
        mw_skip(&ip, 2);
        uint32_t src = mw_be32(&ip), dst = mw_be32(&ip);
        if (ip.bad || (frag & 0x3fff) != 0 || (proto != 6 && proto != 17) || tot < ihl)
            continue;
        struct mw_cur l4 = c;
        if (!mw_skip(&l4, ihl))
            continue;
        uint16_t sp = mw_be16(&l4), dp = mw_be16(&l4);
        uint8_t flags = 0;
        if (proto == 6) {
            mw_skip(&l4, 9);
            flags = mw_u8(&l4);
        }
        if (l4.bad)
            continue;

        /* the frame, as Ethernet */
        size_t iplen = h->caplen - l3;
        if (ETH_LEN + iplen > sizeof buf)
            continue;
        memset(buf, 0, ETH_LEN);
        put16(buf + 12, 0x0800);
        memcpy(buf + ETH_LEN, data + l3, iplen);
        uint32_t caplen = (uint32_t)(ETH_LEN + iplen);
        uint32_t len = h->len + extra;

        int from_client = 1;
        struct conv *cv = find_conv(proto, flags, src, sp, dst, dp, &from_client);
        if (cv == NULL) {
            if (proto == 6 && (flags & 0x12) != 0x02)
                continue; /* TCP joined mid-way: not a whole conversation */
            if (nconvs == capconvs) {
                capconvs = capconvs ? capconvs * 2 : 64;
                convs = xrealloc(convs, capconvs * sizeof *convs);
            }
            cv = &convs[nconvs++];
            memset(cv, 0, sizeof *cv);
            cv->proto = proto;
            cv->cli_ip = src;
            cv->cli_port = sp;
            cv->srv_ip = dst;
            cv->srv_port = dp;
            cv->syn_first = proto == 6;
            cv->cat = categorize(dp);
            cv->file = path;
            from_client = 1;
        }
        int64_t t = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (t_first < 0)
            t_first = t;
        if (proto == 6) {
            if (flags & 0x04)
                cv->rst = 1;
            if (flags & 0x01) {
                if (from_client)
                    cv->fin_cli = 1;
                else
                    cv->fin_srv = 1;
            }
        }
        if (cv->npk == cv->cap) {
            cv->cap = cv->cap ? cv->cap * 2 : 16;
            cv->pk = xrealloc(cv->pk, cv->cap * sizeof *cv->pk);
        }
        struct tpkt *tp = &cv->pk[cv->npk++];
        memset(tp, 0, sizeof *tp);
        tp->frame = xrealloc(NULL, caplen);
        memcpy(tp->frame, buf, caplen);
        tp->caplen = caplen;
        tp->len = len;
        tp->rel_us = t; /* made relative below */
        tp->from_client = (uint8_t)from_client;
        tp->l4_off = (uint16_t)(ETH_LEN + ihl);
        tp->l4_sum_off = proto == 6 ? 16 : 6;
        cv->bytes += 16 + caplen;

        uint8_t *iph = tp->frame + ETH_LEN;
        if (iplen < ihl) /* cannot be: the ports were read past the header */
            die("internal: short IPv4 header");
        uint8_t hdr[60];
        memcpy(hdr, iph, ihl);
        memset(hdr + 10, 0, 2);
        memset(hdr + 12, 0, 8);
        tp->ip_partial = sum16(hdr, ihl, 0);
        tp->orig_addr_sum = addr_words(src, dst) + sp + dp;
        size_t l4len = tot - ihl;
        size_t l4cap = iplen - ihl;
        uint8_t *l4p = iph + ihl;
        size_t need = proto == 6 ? 20 : 8;
        if (l4cap >= l4len && l4len >= need) {
            tp->l4_full = 1;
            uint32_t s = 0;
            s = sum16(l4p + 4, tp->l4_sum_off - 4u, s); /* ports are added per copy */
            s = sum16(l4p + tp->l4_sum_off + 2, l4len - tp->l4_sum_off - 2, s);
            s += proto + (uint32_t)l4len;
            tp->l4_partial = s;
            tp->udp_nosum = proto == 17 && l4p[6] == 0 && l4p[7] == 0;
        } else if (l4cap >= (size_t)tp->l4_sum_off + 2) {
            tp->l4_orig_sum = (uint16_t)(l4p[tp->l4_sum_off] << 8 | l4p[tp->l4_sum_off + 1]);
            tp->udp_nosum = proto == 17 && tp->l4_orig_sum == 0;
        } else {
            tp->udp_nosum = 1; /* checksum not captured: nothing to fix */
        }
    }
    pcap_close(p);

    /* keep whole conversations of the four kinds; times relative to each start */
    size_t kept = first;
    for (size_t i = first; i < nconvs; i++) {
        struct conv *cv = &convs[i];
        int whole = cv->proto == 17 || cv->rst || (cv->fin_cli && cv->fin_srv);
        if (!whole || cv->cat == CAT_N) {
            if (verbose)
                fprintf(stderr, "make-capture: %s: %s %u -> %u left out (%s)\n", path,
                        cv->proto == 6 ? "tcp" : "udp", cv->cli_port, cv->srv_port,
                        whole ? "not TLS/HTTP/SMB/DNS" : "no teardown");
            for (size_t k = 0; k < cv->npk; k++)
                free(cv->pk[k].frame);
            free(cv->pk);
            continue;
        }
        int64_t t0 = cv->pk[0].rel_us;
        for (size_t k = 0; k < cv->npk; k++) {
            cv->pk[k].rel_us -= t0;
            if (cv->pk[k].rel_us < 0) /* recordings are in time order; be safe */
                cv->pk[k].rel_us = k ? cv->pk[k - 1].rel_us : 0;
        }
        cv->srv_index = -1;
        if (verbose)
            fprintf(stderr, "make-capture: %s: %s %s %u -> %u: %zu packets, %" PRIu64
                    " bytes, %.6f s\n", path, cat_name[cv->cat], cv->proto == 6 ? "tcp" : "udp",
                    cv->cli_port, cv->srv_port, cv->npk, cv->bytes,
                    (double)cv->pk[cv->npk - 1].rel_us / 1e6);
        convs[kept++] = *cv;
    }
    nconvs = kept;
    (void)t_first;
}

/* Addresses of copy n: without -c each copy has its own client
 * (10.0.0.0/8, hosts .1 to .254) and keeps the recorded client port; with
 * -c C copy n is client n mod C with client port 1024 + (n / C) mod 64512,
 * so a client's copies never share a 5-tuple. Servers come from a pool in
 * 172.16.0.0/12 shared by the copies of one recorded server. */
static uint64_t clients;

static uint32_t client_addr(uint64_t n)
{
    if (clients > 0)
        n %= clients;
    return 0x0a000000u + (uint32_t)(n / 254) * 256 + (uint32_t)(n % 254) + 1;
}

static uint16_t client_port(uint64_t n) /* 0: the recorded one */
{
    return clients > 0 ? (uint16_t)(1024 + (n / clients) % 64512) : 0;
}

static uint32_t server_addr(int srv_index, uint64_t n)
{
    uint32_t k = (uint32_t)srv_index * 16 + (uint32_t)(n % 16); /* 16 per server */
    return 0xac100000u + (k / 254) * 256 + k % 254 + 1;
}

static void set_mac(uint8_t *m, uint8_t kind, uint32_t ip)
{
    m[0] = 0x02; /* locally administered */
    m[1] = kind;
    put32(m + 2, ip);
}

/* Writes packet k of copy n of a conversation at time t. */
static void emit(pcap_dumper_t *d, const struct conv *cv, size_t k, uint64_t n, uint32_t srv,
                 int64_t t, uint8_t *out)
{
    const struct tpkt *tp = &cv->pk[k];
    uint32_t cli = client_addr(n);
    uint16_t cport = client_port(n);
    memcpy(out, tp->frame, tp->caplen);
    uint8_t *l4 = out + tp->l4_off;
    if (cport != 0)
        put16(l4 + (tp->from_client ? 0 : 2), cport);
    uint32_t pw = (uint32_t)(l4[0] << 8 | l4[1]) + (uint32_t)(l4[2] << 8 | l4[3]);
    uint32_t s = tp->from_client ? cli : srv, dst = tp->from_client ? srv : cli;
    set_mac(out, tp->from_client ? 0x5e : 0xc0, dst);
    set_mac(out + 6, tp->from_client ? 0xc0 : 0x5e, s);
    uint8_t *iph = out + ETH_LEN;
    put32(iph + 12, s);
    put32(iph + 16, dst);
    uint32_t aw = addr_words(s, dst);
    put16(iph + 10, (uint16_t)~fold(tp->ip_partial + aw));
    aw += pw; /* the L4 checksum covers the ports too */
    if (tp->l4_full) {
        uint16_t v = (uint16_t)~fold(tp->l4_partial + aw);
        if (tp->udp_nosum)
            v = 0;
        else if (cv->proto == 17 && v == 0)
            v = 0xffff;
        put16(out + tp->l4_off + tp->l4_sum_off, v);
    } else if (!tp->udp_nosum) {
        /* cut by the snap length: RFC 1624 incremental update of what was sent */
        uint32_t r = (uint16_t)~tp->l4_orig_sum;
        uint32_t old = tp->orig_addr_sum;
        r += (uint16_t)~fold(old) + aw;
        put16(out + tp->l4_off + tp->l4_sum_off, (uint16_t)~fold(r));
    }
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(t / 1000000);
    h.ts.tv_usec = (suseconds_t)(t % 1000000);
    h.caplen = tp->caplen;
    h.len = tp->len;
    pcap_dump((u_char *)d, &h, out);
}

/* ---- mix mode: a heap of copies in flight, keyed by their next packet time */

struct inst {
    int64_t next_t, start;
    uint64_t n; /* copy number: tie-break, addresses */
    const struct conv *cv;
    size_t k;
};

static struct inst *heap;
static size_t heap_n, heap_cap;

static int inst_less(const struct inst *a, const struct inst *b)
{
    return a->next_t < b->next_t || (a->next_t == b->next_t && a->n < b->n);
}

static void heap_push(struct inst x)
{
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        heap = xrealloc(heap, heap_cap * sizeof *heap);
    }
    size_t i = heap_n++;
    while (i > 0 && inst_less(&x, &heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = x;
}

static struct inst heap_pop(void)
{
    struct inst top = heap[0], x = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const struct inst *best = &x;
        if (l < heap_n && inst_less(&heap[l], best)) {
            m = l;
            best = &heap[l];
        }
        if (l + 1 < heap_n && inst_less(&heap[l + 1], best))
            m = l + 1;
        if (m == i)
            break;
        heap[i] = heap[m];
        i = m;
    }
    if (heap_n > 0)
        heap[i] = x;
    return top;
}

static void assign_servers(void)
{
    /* one index per recorded (server address, port) */
    int next = 0;
    for (size_t i = 0; i < nconvs; i++) {
        if (convs[i].srv_index >= 0)
            continue;
        convs[i].srv_index = next;
        for (size_t j = i + 1; j < nconvs; j++)
            if (convs[j].srv_ip == convs[i].srv_ip && convs[j].srv_port == convs[i].srv_port)
                convs[j].srv_index = next;
        next++;
    }
}

static int mix(pcap_dumper_t *d, uint64_t target, const double w[CAT_N], int64_t gap_us)
{
    size_t ncat[CAT_N] = { 0 }, rr[CAT_N] = { 0 };
    const struct conv **bycat[CAT_N];
    for (int c = 0; c < CAT_N; c++)
        bycat[c] = xrealloc(NULL, (nconvs + 1) * sizeof *bycat[c]);
    for (size_t i = 0; i < nconvs; i++)
        bycat[convs[i].cat][ncat[convs[i].cat]++] = &convs[i];
    double wsum = 0;
    for (int c = 0; c < CAT_N; c++)
        if (ncat[c] > 0)
            wsum += w[c];
    if (wsum <= 0)
        die("no TLS, HTTP, SMB or DNS conversation with a weight in the inputs");

    uint64_t committed = 24, catbytes[CAT_N] = { 0 }, copies[CAT_N] = { 0 };
    uint64_t n = 0, packets = 0, maxconc = 0;
    static uint8_t out[MAX_FRAME];
    int64_t base = T0_SEC * 1000000;
    for (;;) {
        int64_t start = base + (int64_t)n * gap_us;
        int more = committed < target;
        if (more && (heap_n == 0 || start <= heap[0].next_t)) {
            /* the kind furthest below its share of the bytes so far */
            int best = -1;
            double bestdef = 0;
            for (int c = 0; c < CAT_N; c++) {
                if (ncat[c] == 0 || w[c] <= 0)
                    continue;
                double def = w[c] / wsum * (double)(committed + 1) - (double)catbytes[c];
                if (best < 0 || def > bestdef) {
                    best = c;
                    bestdef = def;
                }
            }
            const struct conv *cv = bycat[best][rr[best]++ % ncat[best]];
            catbytes[best] += cv->bytes;
            copies[best]++;
            committed += cv->bytes;
            struct inst x = { start + cv->pk[0].rel_us, start, n++, cv, 0 };
            heap_push(x);
            if (heap_n > maxconc)
                maxconc = heap_n;
            continue;
        }
        if (heap_n == 0)
            break;
        struct inst x = heap_pop();
        emit(d, x.cv, x.k, x.n, server_addr(x.cv->srv_index, x.n), x.next_t, out);
        packets++;
        if (++x.k < x.cv->npk) {
            x.next_t = x.start + x.cv->pk[x.k].rel_us;
            heap_push(x);
        }
    }
    fprintf(stderr, "make-capture: %" PRIu64 " conversations, %" PRIu64 " packets, %" PRIu64
            " bytes, at most %" PRIu64 " in flight\n", n, packets, committed, maxconc);
    for (int c = 0; c < CAT_N; c++) {
        fprintf(stderr, "make-capture:   %-4s %zu recorded, %" PRIu64 " copies, %" PRIu64
                " bytes (%.1f%%)\n", cat_name[c], ncat[c], copies[c], catbytes[c],
                100.0 * (double)catbytes[c] / (double)committed);
        free(bycat[c]);
    }
    return 0;
}

/* ---- concurrent mode */

static int concurrent(pcap_dumper_t *d, uint64_t nflows)
{
    const struct conv *best = NULL;
    for (size_t i = 0; i < nconvs; i++) {
        const struct conv *cv = &convs[i];
        if (cv->proto != 6)
            continue;
        if (best == NULL || cv->npk < best->npk || (cv->npk == best->npk && cv->bytes < best->bytes))
            best = cv;
    }
    if (best == NULL)
        die("no complete TCP conversation in the inputs");
    if (clients == 0 && nflows > 254ull * 65536)
        die("at most 16646144 flows (10.0.0.0/8) without -c");
    if (clients > 0 && nflows > clients * 64512)
        die("at most 64512 flows per client (-c)");
    static uint8_t out[MAX_FRAME];
    int64_t t = T0_SEC * 1000000;
    for (size_t k = 0; k < best->npk; k++)
        for (uint64_t n = 0; n < nflows; n++)
            emit(d, best, k, n, server_addr(0, n), t++, out);
    fprintf(stderr, "make-capture: %" PRIu64 " copies of %s %s port %u (%zu packets each), %"
            PRIu64 " packets, %" PRIu64 " bytes\n", nflows, best->file,
            best->proto == 6 ? "tcp" : "udp", best->srv_port, best->npk,
            nflows * best->npk, 24 + nflows * best->bytes);
    return 0;
}

static void usage(void)
{
    fputs("usage: make-capture [-v] [-c CLIENTS] -o OUT [-s MIB] [-g GAP_US] [-w TLS,HTTP,SMB,DNS] FILE...\n"
          "       make-capture [-v] [-c CLIENTS] -o OUT -n FLOWS FILE...\n"
          "  -s MIB     mix mode: write about MIB MiB (default 1024)\n"
          "  -g GAP_US  mix mode: a new conversation every GAP_US microseconds (default 1000)\n"
          "  -w W,W,W,W mix mode: shares of the bytes for TLS, HTTP, SMB, DNS (default 55,25,15,5)\n"
          "  -n FLOWS   concurrent mode: FLOWS copies of the smallest whole TCP conversation,\n"
          "             all open at once\n"
          "  -c CLIENTS the copies share CLIENTS client addresses (each its own client port);\n"
          "             default: one client address per copy\n"
          "  -v         say which conversations are left out and why\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *outp = NULL;
    uint64_t mib = 1024, nflows = 0;
    int64_t gap = 1000;
    double w[CAT_N] = { 55, 25, 15, 5 };
    int verbose = 0, opt;
    while ((opt = getopt(argc, argv, "o:s:g:w:n:c:v")) != -1) {
        char *end;
        errno = 0;
        switch (opt) {
        case 'o': outp = optarg; break;
        case 's':
            mib = strtoull(optarg, &end, 10);
            if (errno || *end || mib == 0 || mib > (1u << 20))
                usage();
            break;
        case 'g':
            gap = strtoll(optarg, &end, 10);
            if (errno || *end || gap < 1 || gap > 1000000000)
                usage();
            break;
        case 'c':
            clients = strtoull(optarg, &end, 10);
            if (errno || *end || clients == 0 || clients > 254ull * 65536)
                usage();
            break;
        case 'n':
            nflows = strtoull(optarg, &end, 10);
            if (errno || *end || nflows == 0)
                usage();
            break;
        case 'w':
            if (sscanf(optarg, "%lf,%lf,%lf,%lf", &w[0], &w[1], &w[2], &w[3]) != 4)
                usage();
            for (int c = 0; c < CAT_N; c++)
                if (!(w[c] >= 0))
                    usage();
            break;
        case 'v': verbose = 1; break;
        default: usage();
        }
    }
    if (outp == NULL || optind >= argc)
        usage();
    for (int i = optind; i < argc; i++)
        load(argv[i], verbose);
    assign_servers();
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
    pcap_dumper_t *d = dead ? pcap_dump_open(dead, outp) : NULL;
    if (d == NULL) {
        fprintf(stderr, "make-capture: %s: %s\n", outp, dead ? pcap_geterr(dead) : "pcap");
        return 1;
    }
    if (nflows > 0)
        concurrent(d, nflows);
    else
        mix(d, mib << 20, w, gap);
    if (pcap_dump_flush(d) != 0) {
        fprintf(stderr, "make-capture: %s: write failed\n", outp);
        return 1;
    }
    pcap_dump_close(d);
    pcap_close(dead);
    for (size_t i = 0; i < nconvs; i++) {
        for (size_t k = 0; k < convs[i].npk; k++)
            free(convs[i].pk[k].frame);
        free(convs[i].pk);
    }
    free(convs);
    free(heap);
    return 0;
}
