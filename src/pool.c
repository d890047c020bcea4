/* pool.c -- several workers on one input (see pool.h). */
#include "pool.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "capture.h"
#include "decode.h"
#include "table.h"

#define BATCH_PACKETS 8192
#define ARENA_BYTES (16u << 20)      /* packet bytes of one batch */
#define SEC 1000000ull
#define PREFETCH_AHEAD 8             /* packets */
#define LANE_DISPATCH 4096           /* packets per pcap_dispatch, between two looks at the lock */
#define MARK_LAG (300 * 1000ull)     /* a packet reaches a TPACKET_V3 reader within the block timeout
                                      * (capture.c: 100 ms) of its time stamp; with room to spare */

enum item_kind { IT_PACKET, IT_EXPIRE, IT_TICK, IT_UNKNOWN };

struct item {
    uint64_t n, now_us, ts_us;
    size_t off, len;
    int dlt;
    uint8_t kind;
};

/* One worker's share of a batch: what to do, and the records it made. */
struct wbatch {
    struct item *items;
    size_t nitems, cap;
    struct recq q;
};

/* A batch of packets. Two of them: the reader fills one (and delivers the
 * records of the one before) while the workers run the other. */
struct batch {
    uint8_t *arena;                  /* the packets' bytes */
    size_t used;
    struct { uint64_t n, ts_us; } *order; /* every packet of the batch, in order */
    size_t norder;
    struct wbatch *w;                /* per worker */
    bool no_hooks;                   /* a timeout or end-of-input batch: no packets around its records */
};

/* Live with fanout: one of a worker's interfaces. */
struct lane_src {
    struct wslot *s;
    struct capture cap;
    int dlt;
    bool known;
};

struct wslot {
    struct pool *p;
    unsigned idx;
    struct worker w;
    struct recbus bus;               /* queues into the running batch's q (fanout: into q[active]) */
    pthread_t th;
    bool started;
    /* live with fanout: the worker reads its own sockets */
    struct lane_src *src;
    size_t nsrc;
    pthread_mutex_t mu;              /* held while the worker works; the reader takes it to swap queues */
    struct recq q[2];
    unsigned active;
    uint64_t count, next_drops_us, kdrops, ifdrops;
    uint64_t mark_us;                /* every packet of this worker stamped before this is processed */
    char err[256];                   /* a capture error that stopped this worker */
};

struct pool {
    unsigned n;
    struct wslot *ws;
    struct recbus *bus;              /* the reader's: output, correlator */
    struct pool_hooks hooks;
    struct batch b[2];
    unsigned fill;                   /* the batch being filled */
    int running;                     /* the batch the workers run, -1 none */
    struct recq_item *merge;
    size_t merge_cap;
    struct recq carry[2];            /* fanout: records held for a later round, and the next such */
    unsigned carry_cur;
    uint64_t pkt_no, bytes, now_us, next_expire_us;
    pthread_barrier_t start, done;
    bool barriers;
    bool fanout;                     /* live, pool_live: the workers read the interfaces */
    bool lanes_joined;
    atomic_bool quit;
    enum { RUN_BATCH, RUN_FINISH, RUN_QUIT } what;
    struct flow_stats flow_sum;
    struct reasm_stats reasm_sum;
    struct ipfrag_stats frag_sum;
    struct classify_stats cls_sum;
    struct app_stats app_sum;
    struct pkt_stats pkt_sum;
    uint64_t wpackets[POOL_MAX_WORKERS];
};

static void *run(void *arg)
{
    struct wslot *s = arg;
    struct pool *p = s->p;
    for (;;) {
        pthread_barrier_wait(&p->start);
        if (p->what == RUN_QUIT)
            return NULL;
        const struct batch *b = &p->b[p->running];
        struct wbatch *wb = &b->w[s->idx];
        s->bus.q = &wb->q;
        if (p->what == RUN_FINISH) {
            worker_finish(&s->w);
        } else {
            for (size_t i = 0; i < wb->nitems; i++) {
                const struct item *it = &wb->items[i];
                /* the reader wrote the packets on another CPU: ask for the
                 * headers of a later one while this one is worked on */
                if (i + PREFETCH_AHEAD < wb->nitems && wb->items[i + PREFETCH_AHEAD].kind == IT_PACKET) {
                    const uint8_t *q = b->arena + wb->items[i + PREFETCH_AHEAD].off;
                    __builtin_prefetch(q);
                    __builtin_prefetch(q + 64);
                }
                if (it->kind == IT_EXPIRE)
                    worker_expire_at(&s->w, it->n, it->now_us);
                else if (it->kind == IT_TICK)
                    worker_tick(&s->w, it->n, it->now_us);
                else if (it->kind == IT_PACKET)
                    worker_packet_at(&s->w, it->n, it->now_us, it->dlt, it->ts_us, b->arena + it->off, it->len);
                else
                    worker_unknown_link(&s->w, it->ts_us, it->len);
            }
        }
        pthread_barrier_wait(&p->done);
    }
}

/* The pool and its workers, no thread yet; each worker has its share of
 * the bounds, so that their sum holds. */
static struct pool *pool_alloc(unsigned n, const struct worker_cfg *cfg, struct recbus *bus, char *err,
                               size_t errlen)
{
    struct pool *p = calloc(1, sizeof *p);
    if (!p || !(p->ws = calloc(n, sizeof *p->ws))) {
        free(p);
        snprintf(err, errlen, "out of memory for %u workers", n);
        return NULL;
    }
    p->n = n;
    p->bus = bus;
    p->running = -1;
    struct worker_cfg wc = *cfg;
    wc.flow.max_flows = cfg->flow.max_flows / n ? cfg->flow.max_flows / n : 1;
    wc.reasm.max_hold_total = cfg->reasm.max_hold_total / n;
    wc.frag.max_bytes = cfg->frag.max_bytes / n;
    wc.frag.max_datagrams = cfg->frag.max_datagrams / n ? cfg->frag.max_datagrams / n : 1;
    for (unsigned i = 0; i < n; i++) {
        struct wslot *s = &p->ws[i];
        s->p = p;
        s->idx = i;
        s->bus = *bus;
        s->bus.q = &s->q[0];
        s->bus.cor = NULL;
        s->bus.dns = NULL;
        if (worker_init(&s->w, &wc, &s->bus, err, errlen) != 0) {
            pool_free(p);
            return NULL;
        }
    }
    return p;
}

struct pool *pool_new(unsigned n, const struct worker_cfg *cfg, struct recbus *bus, const struct pool_hooks *hooks,
                      char *err, size_t errlen)
{
    struct pool *p = pool_alloc(n, cfg, bus, err, errlen);
    if (!p)
        return NULL;
    p->hooks = *hooks;
    bool ok = true;
    for (int k = 0; k < 2; k++) {
        /* in 2 MiB pages: the reader's copies would otherwise fault in
         * 8,192 small pages (3% of its samples on the benchmark mix in a
         * virtual machine, where faults are dear) */
        p->b[k].arena = table_alloc(ARENA_BYTES, 1);
        p->b[k].order = malloc(BATCH_PACKETS * sizeof *p->b[k].order);
        p->b[k].w = calloc(n, sizeof *p->b[k].w);
        ok = ok && p->b[k].arena && p->b[k].order && p->b[k].w;
    }
    if (!ok) {
        snprintf(err, errlen, "out of memory for %u workers", n);
        pool_free(p);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++)
        p->ws[i].bus.q = &p->b[0].w[i].q;
    if (pthread_barrier_init(&p->start, NULL, n + 1) != 0 || pthread_barrier_init(&p->done, NULL, n + 1) != 0) {
        snprintf(err, errlen, "cannot create the workers' barriers");
        pool_free(p);
        return NULL;
    }
    p->barriers = true;
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&p->ws[i].th, NULL, run, &p->ws[i]) != 0) {
            snprintf(err, errlen, "cannot start worker thread %u", i + 1);
            pool_free(p);
            return NULL;
        }
        p->ws[i].started = true;
    }
    return p;
}

/* The records of the workers' queues qs, in one array sorted into the
 * order of delivery (recq_cmp); returns their number. */
static size_t gather(struct pool *p, struct recq *const *qs, unsigned nq)
{
    size_t total = 0;
    for (unsigned i = 0; i < nq; i++)
        total += qs[i]->n;
    if (total > p->merge_cap) {
        struct recq_item *m = realloc(p->merge, total * sizeof *m);
        if (m) {
            p->merge = m;
            p->merge_cap = total;
        }
    }
    size_t k = 0;
    for (unsigned i = 0; i < nq; i++)
        for (size_t j = 0; j < qs[i]->n; j++) {
            if (k < p->merge_cap)
                p->merge[k++] = qs[i]->v[j];
            else
                qs[i]->dropped++;
        }
    if (k > 1)
        qsort(p->merge, k, sizeof *p->merge, recq_cmp);
    return k;
}

/* ---- live with PACKET_FANOUT ---------------------------------------------- */

static void lane_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct lane_src *ls = (struct lane_src *)user;
    struct wslot *s = ls->s;
    uint64_t ts = (uint64_t)h->ts.tv_sec * SEC + (uint64_t)h->ts.tv_usec;
    if (ls->known)
        worker_packet_lane(&s->w, ++s->count * s->p->n + s->idx, ls->dlt, ts, data, h->caplen);
    else
        worker_unknown_link(&s->w, ts, h->caplen);
}

/* The kernel's counts (read by the worker: libpcap's handle is not shared). */
static void lane_drops(struct wslot *s)
{
    uint64_t k = 0, f = 0;
    for (size_t i = 0; i < s->nsrc; i++) {
        uint64_t a, b;
        capture_drops(&s->src[i].cap, &a, &b);
        k += a;
        f += b;
    }
    s->kdrops = k;
    s->ifdrops = f;
}

/* A worker's loop: wait for its sockets, run what they hold, and end idle
 * flows on the wall clock as the one-worker loop does. */
static void *lane(void *arg)
{
    struct wslot *s = arg;
    struct pool *p = s->p;
    struct pollfd *pfd = calloc(s->nsrc, sizeof *pfd);
    if (!pfd) {
        pthread_mutex_lock(&s->mu);
        snprintf(s->err, sizeof s->err, "worker %u: out of memory", s->idx + 1);
        pthread_mutex_unlock(&s->mu);
        return NULL;
    }
    for (size_t i = 0; i < s->nsrc; i++) {
        pfd[i].fd = pcap_get_selectable_fd(s->src[i].cap.p);
        pfd[i].events = POLLIN;
    }
    while (!atomic_load(&p->quit)) {
        int pr = poll(pfd, (nfds_t)s->nsrc, 100);
        uint64_t t0 = mw_wall_us();
        bool drained = true;
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < s->nsrc; i++) {
            if (pr > 0 && !(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue; /* nothing ready when poll returned */
            int d = pcap_dispatch(s->src[i].cap.p, LANE_DISPATCH, lane_packet, (u_char *)&s->src[i]);
            if (d == PCAP_ERROR && !s->err[0])
                snprintf(s->err, sizeof s->err, "%s: %s", s->src[i].cap.name, pcap_geterr(s->src[i].cap.p));
            if (d >= LANE_DISPATCH)
                drained = false;
        }
        /* how far the records of this worker are complete: its sockets
         * read to the end at t0, less the block timeout; at least its
         * newest packet (the ring hands them over in order) */
        if (drained && t0 > MARK_LAG && t0 - MARK_LAG > s->mark_us)
            s->mark_us = t0 - MARK_LAG;
        if (s->w.now_us > s->mark_us)
            s->mark_us = s->w.now_us;
        uint64_t now = mw_wall_us();
        if (now > s->w.now_us + SEC)
            worker_tick(&s->w, now, now);
        if (now >= s->next_drops_us) {
            lane_drops(s);
            s->next_drops_us = now + SEC;
        }
        bool failed = s->err[0] != 0;
        pthread_mutex_unlock(&s->mu);
        if (failed)
            break;
    }
    pthread_mutex_lock(&s->mu);
    lane_drops(s);
    pthread_mutex_unlock(&s->mu);
    free(pfd);
    return NULL;
}

struct pool *pool_new_live(unsigned n, const struct worker_cfg *cfg, struct recbus *bus, char *err, size_t errlen)
{
    struct pool *p = pool_alloc(n, cfg, bus, err, errlen);
    if (!p)
        return NULL;
    p->fanout = true;
    for (unsigned i = 0; i < n; i++)
        pthread_mutex_init(&p->ws[i].mu, NULL);
    return p;
}

int pool_live_open(struct pool *p, const char *const *ifaces, size_t nifaces, const char *bpf, char *err, size_t errlen)
{
    for (unsigned i = 0; i < p->n; i++) {
        p->ws[i].src = calloc(nifaces, sizeof *p->ws[i].src);
        if (!p->ws[i].src) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    for (size_t k = 0; k < nifaces; k++) {
        int group = -1;
        for (unsigned i = 0; i < p->n; i++) {
            struct wslot *s = &p->ws[i];
            struct lane_src *ls = &s->src[k];
            if (capture_open_live(&ls->cap, ifaces[k], bpf, err, errlen) != 0)
                return -1;
            s->nsrc = k + 1;
            if (capture_fanout(&ls->cap, &group, err, errlen) != 0)
                return -1;
            char perr[PCAP_ERRBUF_SIZE];
            pcap_setnonblock(ls->cap.p, 1, perr);
            ls->s = s;
            ls->dlt = ls->cap.dlt;
            ls->known = decode_link_supported(ls->cap.dlt);
        }
        if (!p->ws[0].src[k].known)
            fprintf(stderr, "msiwatch: %s: link type %s (%d) is not decoded; its packets are counted as unknown_link\n",
                    ifaces[k], capture_dlt_name(p->ws[0].src[k].dlt), p->ws[0].src[k].dlt);
    }
    return 0;
}

int pool_live_start(struct pool *p, char *err, size_t errlen)
{
    for (unsigned i = 0; i < p->n; i++) {
        if (pthread_create(&p->ws[i].th, NULL, lane, &p->ws[i]) != 0) {
            snprintf(err, errlen, "cannot start worker thread %u", i + 1);
            return -1;
        }
        p->ws[i].started = true;
    }
    return 0;
}

/* Take each worker's queue (it goes on with the other one) and deliver, in
 * packet-time order, the records up to the time every worker has read to
 * (all of them: the end); the others wait for a later round, so that a
 * record of one worker is not delivered before an earlier one of another
 * (a DNS answer before the fetch it names). */
static void collect(struct pool *p, bool all)
{
    struct recq *qs[POOL_MAX_WORKERS + 1];
    uint64_t mark = UINT64_MAX;
    for (unsigned i = 0; i < p->n; i++) {
        struct wslot *s = &p->ws[i];
        pthread_mutex_lock(&s->mu);
        unsigned was = s->active;
        s->active ^= 1;
        s->q[s->active].cur = s->q[was].cur;
        s->bus.q = &s->q[s->active];
        if (s->mark_us < mark)
            mark = s->mark_us;
        pthread_mutex_unlock(&s->mu);
        qs[i] = &s->q[was];
    }
    qs[p->n] = &p->carry[p->carry_cur];
    size_t k = gather(p, qs, p->n + 1);
    size_t j = 0;
    for (; j < k && (all || p->merge[j].tag.idx <= mark); j++)
        bus_deliver(p->bus, &p->merge[j]);
    struct recq *next = &p->carry[p->carry_cur ^ 1];
    for (; j < k; j++)
        recq_push(next, &p->merge[j]);
    for (unsigned i = 0; i <= p->n; i++)
        recq_reset(qs[i]);
    p->carry_cur ^= 1;
}

bool pool_live_error(struct pool *p, char *err, size_t errlen)
{
    bool failed = false;
    for (unsigned i = 0; p->fanout && i < p->n && !failed; i++) {
        pthread_mutex_lock(&p->ws[i].mu);
        if (p->ws[i].err[0]) {
            snprintf(err, errlen, "%s", p->ws[i].err);
            failed = true;
        }
        pthread_mutex_unlock(&p->ws[i].mu);
    }
    return failed;
}

void pool_live_drops(struct pool *p, uint64_t *kernel, uint64_t *iface)
{
    *kernel = *iface = 0;
    for (unsigned i = 0; p->fanout && i < p->n; i++) {
        pthread_mutex_lock(&p->ws[i].mu);
        *kernel += p->ws[i].kdrops;
        *iface += p->ws[i].ifdrops;
        pthread_mutex_unlock(&p->ws[i].mu);
    }
}

/* Stop the workers' loops (their records stay queued). */
static void lanes_stop(struct pool *p)
{
    if (p->lanes_joined)
        return;
    atomic_store(&p->quit, true);
    for (unsigned i = 0; i < p->n; i++)
        if (p->ws[i].started)
            pthread_join(p->ws[i].th, NULL);
    p->lanes_joined = true;
}

static struct item *push(struct pool *p, unsigned w)
{
    struct wbatch *wb = &p->b[p->fill].w[w];
    if (wb->nitems == wb->cap) {
        size_t cap = wb->cap ? wb->cap * 2 : 1024;
        struct item *v = realloc(wb->items, cap * sizeof *v);
        if (!v)
            return NULL;
        wb->items = v;
        wb->cap = cap;
    }
    return &wb->items[wb->nitems++];
}

/* Both directions of a flow, and all fragments of a datagram, to one worker. */
static unsigned worker_of(const struct pool *p, int dlt, const uint8_t *data, size_t caplen)
{
    struct mw_pkt pk;
    enum decode_cause c = decode_frame(dlt, data, caplen, &pk);
    if ((c != DEC_OK && c != DEC_FRAGMENT) || !pk.ipver)
        return 0;
    /* symmetric: the two addresses' hashes combined by xor, each address
     * read as two words (byte by byte, this function with its decode was
     * 5% of the reader's samples on the benchmark mix; now 4%) */
    uint64_t s[2], d[2];
    memcpy(s, pk.src.b, sizeof s);
    memcpy(d, pk.dst.b, sizeof d);
    uint64_t a = (s[0] ^ (s[1] * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    uint64_t b = (d[0] ^ (d[1] * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    uint64_t h = ((a ^ (a >> 31)) ^ (b ^ (b >> 31))) + (pk.nvlan ? pk.vlan[0] : 0);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (unsigned)(h % p->n);
}

/* Deliver a finished batch's records in the order of one worker, with the
 * hooks around each packet, and make the batch empty again. */
static void merge(struct pool *p, struct batch *b)
{
    struct recq *qs[POOL_MAX_WORKERS];
    for (unsigned i = 0; i < p->n; i++) {
        qs[i] = &b->w[i].q;
        b->w[i].nitems = 0;
    }
    size_t k = gather(p, qs, p->n);
    size_t j = 0;
    for (size_t i = 0; !b->no_hooks && i < b->norder; i++) {
        if (p->hooks.before)
            p->hooks.before(p->hooks.user, b->order[i].ts_us);
        while (j < k && p->merge[j].tag.idx == b->order[i].n)
            bus_deliver(p->bus, &p->merge[j++]);
        if (p->hooks.after)
            p->hooks.after(p->hooks.user, b->order[i].ts_us);
    }
    while (j < k)
        bus_deliver(p->bus, &p->merge[j++]);
    for (unsigned i = 0; i < p->n; i++)
        recq_reset(&b->w[i].q); /* the copies were delivered: their chunks serve the next batch */
    b->norder = 0;
    b->used = 0;
    b->no_hooks = false;
}

/* Start the workers on the filled batch; while they run, deliver the
 * records of the batch they ran before; then fill the other one. */
static void launch(struct pool *p, int what)
{
    int prev = p->running;
    if (prev >= 0)
        pthread_barrier_wait(&p->done);
    p->what = what;
    p->running = (int)p->fill;
    pthread_barrier_wait(&p->start);
    if (prev >= 0)
        merge(p, &p->b[prev]);
    p->fill ^= 1;
}

/* Wait for the running batch and deliver its records. */
static void drain(struct pool *p)
{
    if (p->running < 0)
        return;
    pthread_barrier_wait(&p->done);
    int r = p->running;
    p->running = -1;
    merge(p, &p->b[r]);
}

void pool_packet(struct pool *p, int dlt, bool known, uint64_t ts_us, const uint8_t *data, size_t caplen)
{
    struct batch *b = &p->b[p->fill];
    if (b->norder >= BATCH_PACKETS || (known && b->used + caplen > ARENA_BYTES)) {
        launch(p, RUN_BATCH);
        b = &p->b[p->fill];
    }
    uint64_t n = ++p->pkt_no;
    p->bytes += caplen;
    if (ts_us > p->now_us)
        p->now_us = ts_us;
    /* the timeout schedule one worker keeps: at most once a second of packet time */
    if (p->now_us >= p->next_expire_us) {
        for (unsigned i = 0; i < p->n; i++) {
            struct item *it = push(p, i);
            if (it)
                *it = (struct item){ .kind = IT_EXPIRE, .n = n, .now_us = p->now_us };
        }
        p->next_expire_us = p->now_us + SEC;
    }
    b->order[b->norder].n = n;
    b->order[b->norder].ts_us = ts_us;
    b->norder++;
    if (!known) {
        struct item *it = push(p, 0);
        if (it)
            *it = (struct item){ .kind = IT_UNKNOWN, .n = n, .ts_us = ts_us, .len = caplen };
        return;
    }
    struct item *it = push(p, worker_of(p, dlt, data, caplen));
    if (!it)
        return;
    memcpy(b->arena + b->used, data, caplen);
    *it = (struct item){ .kind = IT_PACKET, .n = n, .now_us = p->now_us, .ts_us = ts_us, .off = b->used,
                         .len = caplen, .dlt = dlt };
    b->used += caplen;
}

void pool_flush(struct pool *p)
{
    if (p->fanout) {
        collect(p, false);
        return;
    }
    if (p->b[p->fill].norder > 0)
        launch(p, RUN_BATCH);
    drain(p);
}

void pool_tick(struct pool *p, uint64_t now_us)
{
    if (p->fanout || now_us <= p->now_us + SEC) /* fanout: each worker keeps its own */
        return;
    pool_flush(p);
    for (unsigned i = 0; i < p->n; i++) {
        struct item *it = push(p, i);
        if (it)
            *it = (struct item){ .kind = IT_TICK, .n = p->pkt_no, .now_us = now_us };
    }
    p->b[p->fill].no_hooks = true;
    launch(p, RUN_BATCH);
    drain(p);
}

void pool_finish(struct pool *p)
{
    if (p->fanout) {
        lanes_stop(p);
        for (unsigned i = 0; i < p->n; i++)
            worker_finish(&p->ws[i].w);
        collect(p, true);
        return;
    }
    pool_flush(p);
    p->b[p->fill].no_hooks = true;
    launch(p, RUN_FINISH);
    drain(p);
}

/* fanout: the workers' counts, read under their locks */
static uint64_t lanes_sum(struct pool *p, bool bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < p->n; i++) {
        pthread_mutex_lock(&p->ws[i].mu);
        v += bytes ? p->ws[i].w.st.bytes : p->ws[i].w.st.packets;
        pthread_mutex_unlock(&p->ws[i].mu);
    }
    return v;
}

uint64_t pool_packets(struct pool *p)
{
    return p->fanout ? lanes_sum(p, false) : p->pkt_no;
}

uint64_t pool_bytes(struct pool *p)
{
    return p->fanout ? lanes_sum(p, true) : p->bytes;
}

/* Sum structs of uint64_t counters. */
static void add_u64(void *dst, const void *src, size_t size)
{
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (size_t i = 0; i < size / sizeof *d; i++)
        d[i] += s[i];
}

void pool_stats(struct pool *p, struct stats_view *v, struct proto_count **protos)
{
    drain(p); /* the workers' counters are theirs while they run (fanout: read under their locks) */
    memset(&p->pkt_sum, 0, sizeof p->pkt_sum);
    memset(&p->flow_sum, 0, sizeof p->flow_sum);
    memset(&p->reasm_sum, 0, sizeof p->reasm_sum);
    memset(&p->frag_sum, 0, sizeof p->frag_sum);
    memset(&p->cls_sum, 0, sizeof p->cls_sum);
    memset(&p->app_sum, 0, sizeof p->app_sum);
    size_t nprot = 0;
    struct proto_count *all = NULL;
    for (unsigned i = 0; i < p->n; i++) {
        struct stats_view one;
        struct proto_count *pc = NULL;
        if (p->fanout)
            pthread_mutex_lock(&p->ws[i].mu);
        worker_stats(&p->ws[i].w, &one, &pc);
        add_u64(&p->pkt_sum, one.pkt, sizeof p->pkt_sum);
        add_u64(&p->flow_sum, one.flow, sizeof p->flow_sum);
        add_u64(&p->reasm_sum, one.reasm, sizeof p->reasm_sum);
        add_u64(&p->frag_sum, one.frag, sizeof p->frag_sum);
        add_u64(&p->cls_sum, one.cls, sizeof p->cls_sum);
        add_u64(&p->app_sum, one.app, sizeof p->app_sum);
        p->wpackets[i] = one.pkt->packets;
        if (p->fanout)
            pthread_mutex_unlock(&p->ws[i].mu);
        for (size_t j = 0; pc && j < one.nprotos; j++) {
            size_t k = 0;
            while (k < nprot && strcmp(all[k].name, pc[j].name) != 0)
                k++;
            if (k == nprot) {
                struct proto_count *m = realloc(all, (nprot + 1) * sizeof *all);
                if (!m)
                    continue;
                all = m;
                all[nprot].name = pc[j].name;
                all[nprot].flows = 0;
                nprot++;
            }
            all[k].flows += pc[j].flows;
        }
        free(pc);
    }
    /* in the order one worker gives them: by name */
    for (size_t i = 1; i < nprot; i++)
        for (size_t j = i; j > 0 && strcmp(all[j - 1].name, all[j].name) > 0; j--) {
            struct proto_count t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    memset(v, 0, sizeof *v);
    v->ts_us = p->now_us;
    v->pkt = &p->pkt_sum;
    v->flow = &p->flow_sum;
    v->reasm = &p->reasm_sum;
    v->frag = &p->frag_sum;
    v->cls = &p->cls_sum;
    v->app = &p->app_sum;
    v->protos = all;
    v->nprotos = nprot;
    v->worker_packets = p->wpackets;
    v->nworkers = p->n;
    v->fanout = p->fanout;
    *protos = all;
}

void pool_free(struct pool *p)
{
    if (!p)
        return;
    if (p->fanout) {
        lanes_stop(p);
        for (unsigned i = 0; p->ws && i < p->n; i++) {
            for (size_t k = 0; k < p->ws[i].nsrc; k++)
                capture_close(&p->ws[i].src[k].cap);
            free(p->ws[i].src);
            pthread_mutex_destroy(&p->ws[i].mu);
        }
    }
    bool all = true;
    for (unsigned i = 0; p->ws && i < p->n; i++)
        all &= p->ws[i].started;
    if (p->barriers && all) {
        drain(p);
        p->what = RUN_QUIT;
        pthread_barrier_wait(&p->start);
        for (unsigned i = 0; i < p->n; i++)
            pthread_join(p->ws[i].th, NULL);
    } else if (p->barriers) {
        return; /* a thread could not start: the others wait at the barrier; the process is ending */
    }
    if (p->barriers) {
        pthread_barrier_destroy(&p->start);
        pthread_barrier_destroy(&p->done);
    }
    for (unsigned i = 0; p->ws && i < p->n; i++) {
        worker_free(&p->ws[i].w);
        recq_free(&p->ws[i].q[0]);
        recq_free(&p->ws[i].q[1]);
    }
    for (int k = 0; k < 2; k++) {
        for (unsigned i = 0; p->b[k].w && i < p->n; i++) {
            recq_free(&p->b[k].w[i].q);
            free(p->b[k].w[i].items);
        }
        free(p->b[k].w);
        table_free(p->b[k].arena, ARENA_BYTES, 1);
        free(p->b[k].order);
    }
    free(p->ws);
    recq_free(&p->carry[0]);
    recq_free(&p->carry[1]);
    free(p->merge);
    free(p);
}
