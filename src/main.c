/* main.c -- msiwatch's entry point: options, the sources, the single
 * stderr line and exit status of DESIGN.md section 3. Below this file
 * nothing prints; errors come back as sentences (STYLE.md 3.2). */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allowlist.h"
#include "capture.h"
#include "classify.h"
#include "clock.h"
#include "correlate.h"
#include "decode.h"
#include "dnscache.h"
#include "events.h"
#include "options.h"
#include "geo.h"
#include "heap.h"
#include "identity.h"
#include "output.h"
#include "pool.h"
#include "readahead.h"
#include "rarity.h"
#include "recbus.h"
#include "syslog_in.h"
#include "syslog_out.h"
#include "worker.h"

#define ERRLEN 512

static volatile sig_atomic_t stop_requested;

static volatile sig_atomic_t hup_requested, usr1_requested;

static void on_hup(int sig)
{
    (void)sig;
    hup_requested = 1;
}

static void on_usr1(int sig)
{
    (void)sig;
    usr1_requested = 1;
}

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The endpoint side of a run: the feed, and the listeners when any. */
static struct ev_feed *g_ev;
static struct syslog_in *g_sl;
/* The detection services. */
static struct correlator *g_cor;
static struct rarity *g_rar;
static struct identity *g_id;
static uint64_t g_adv_us; /* the last watermark given to the correlator */

/* The -e files, read one record at a time and merged with the packets by
 * time: before a packet, every event up to its time goes first. */
static struct ev_reader *g_rd[MW_MAX_SOURCES];
static size_t g_nrd;
static struct recbus *g_bus;
static uint64_t g_next_ev_us = UINT64_MAX; /* the earliest pending event */
static bool g_events_clock;                /* no packets: events move the correlator's clock */
static int g_ev_rc;                        /* a read error stops the run */
static char g_ev_err[512];

static void advance(uint64_t now_us);

/* The next event of a reader. Once SIGINT or SIGTERM came (also while it
 * waits on a pipe, "-e -"), it reads no more: the events it has already
 * read are delivered, then that input ends cleanly, as a capture read from
 * a pipe does. */
static int ev_next(struct ev_reader *r, char *err, size_t errlen)
{
    for (;;) {
        if (stop_requested)
            ev_reader_stop(r);
        int x = ev_reader_next(r, err, errlen);
        if (x != -2)
            return x;
    }
}

static void events_until(uint64_t ts_us)
{
    while (g_next_ev_us <= ts_us) {
        size_t best = SIZE_MAX;
        uint64_t bt = UINT64_MAX;
        for (size_t i = 0; i < g_nrd; i++)
            if (g_rd[i] && ev_reader_peek(g_rd[i])->ts_us < bt) {
                bt = ev_reader_peek(g_rd[i])->ts_us;
                best = i;
            }
        if (best == SIZE_MAX || bt > ts_us) {
            g_next_ev_us = bt;
            return;
        }
        bus_endpoint(g_bus, ev_reader_peek(g_rd[best]));
        if (g_events_clock)
            advance(bt);
        int r = ev_next(g_rd[best], g_ev_err, sizeof g_ev_err);
        if (r != 1) {
            if (r < 0)
                g_ev_rc = 1;
            ev_reader_close(g_rd[best]);
            g_rd[best] = NULL;
        }
        g_next_ev_us = 0; /* recompute */
        heap_poll();
    }
}

/* --user: leave root once the capture handles, listening sockets, outputs
 * and the state file are open (DESIGN.md section 10). The state file and
 * its WAL files are given to the user first, since SQLite writes them. */
static const char *g_state_path;

static int drop_privileges(const char *user, char *err, size_t errlen)
{
    if (!user)
        return 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "--user %s: no such user", user);
        return -1;
    }
    if (g_state_path && strcmp(g_state_path, ":memory:") != 0) {
        static const char *const sfx[] = { "", "-wal", "-shm" };
        for (int i = 0; i < 3; i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s%s", g_state_path, sfx[i]);
            if (chown(p, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT) {
                snprintf(err, errlen, "--user %.64s: cannot give %.300s to it: %s", user, p, strerror(errno));
                return -1;
            }
        }
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "--user %s: cannot switch to it: %s", user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "--user %s: root could be regained; stopping", user);
        return -1;
    }
    return 0;
}

/* --alert-syslog: the forwarder, fed by the alert output. */
static struct syslog_out *g_fwd;

static void forward_alert(void *ctx, const char *json, size_t len, int severity, uint64_t ts_us)
{
    syslog_out_alert(ctx, json, len, severity, ts_us);
}

/* What SIGHUP and SIGUSR1 ask for, done from the main loop (which also
 * lets the forwarder send and reconnect here). */
static struct output *g_out;
static const struct mw_opts *g_opts;
static struct allowlist *g_allow;
static struct worker *g_w;     /* one worker */
static struct pool *g_pool;     /* or --workers N */
static uint64_t g_cap_drops, g_cap_ifdrops; /* live: pcap_stats of every interface */
static uint64_t g_ra_worker_waits, g_ra_reader_waits; /* replay with --read-ahead */
static bool g_ra_used;

static void print_stats(const char *observer);

/* An output could not be written: the loops stop rather than go on losing
 * alerts and records unseen (output_close() then reports it, exit status 1). */
static bool output_lost(void)
{
    return g_out && g_out->failed;
}

static void handle_signals(void)
{
    char err[512];
    syslog_out_service(g_fwd);
    if (usr1_requested) {
        usr1_requested = 0;
        print_stats(g_out->observer);
    }
    if (!hup_requested)
        return;
    hup_requested = 0;
    if (output_reopen(g_out, err, sizeof err) != 0)
        fprintf(stderr, "msiwatch: SIGHUP: %s (still writing to the old file)\n", err);
    if (g_opts->allowlist) {
        struct allowlist *n = allowlist_load(g_opts->allowlist, err, sizeof err);
        if (n) {
            cor_set_allowlist(g_cor, n);
            allowlist_free(g_allow);
            g_allow = n;
        } else {
            fprintf(stderr, "msiwatch: SIGHUP: %s (keeping the allowlist loaded before)\n", err);
        }
    }
    if (g_opts->hostmap && identity_load_hostmap(g_id, g_opts->hostmap, err, sizeof err) != 0)
        fprintf(stderr, "msiwatch: SIGHUP: %s (the pairs before the bad line were loaded)\n", err);
}

/* Move the correlator's clock, at most once a second of record time. */
static void advance(uint64_t now_us)
{
    if (g_cor && now_us >= g_adv_us + 1000000) {
        cor_advance(g_cor, now_us);
        g_adv_us = now_us;
    }
}

static void print_stats(const char *observer)
{
    struct stats_view v;
    struct proto_count *protos = NULL;
    struct syslog_stats sl;
    if (g_pool)
        pool_stats(g_pool, &v, &protos);
    else if (g_w)
        worker_stats(g_w, &v, &protos);
    else
        return;
    struct pkt_stats pk = *v.pkt;
    pk.capture_drops = g_cap_drops;
    pk.capture_ifdrops = g_cap_ifdrops;
    v.pkt = &pk;
    v.read_ahead = g_ra_used;
    v.ra_worker_waits = g_ra_worker_waits;
    v.ra_reader_waits = g_ra_reader_waits;
    if (v.ts_us == 0)
        v.ts_us = mw_wall_us();
    if (g_sl) {
        syslog_in_stats(g_sl, &sl);
        v.sl = &sl;
    }
    if (g_ev)
        v.ev = &g_ev->st;
    if (g_cor)
        v.cor = cor_stats(g_cor);
    if (g_rar)
        v.rar = rarity_stats(g_rar);
    if (g_id)
        v.ident = identity_stats(g_id);
    struct syslog_out_stats fwd;
    if (g_fwd) {
        syslog_out_stats(g_fwd, &fwd);
        v.fwd = &fwd;
    }
    output_stats(stderr, observer, &v);
    free(protos);
}

static void on_endpoint(void *ctx, const struct rec_endpoint *r)
{
    bus_endpoint((struct recbus *)ctx, r);
}

static void on_syslog(void *ctx, const uint8_t *msg, size_t len, const struct mw_addr *peer, uint64_t recv_us)
{
    ev_feed_message((struct ev_feed *)ctx, msg, len, peer, recv_us);
}

/* Serve the syslog listeners for up to timeout_ms (0: only what is ready). */
static void syslog_poll(int timeout_ms)
{
    static struct pollfd *pfd;
    static size_t cap;
    if (!g_sl)
        return;
    size_t need = syslog_in_maxfds(g_sl);
    if (cap < need) {
        free(pfd);
        pfd = calloc(need, sizeof *pfd);
        cap = pfd ? need : 0;
        if (!pfd)
            return;
    }
    size_t n = syslog_in_pollfds(g_sl, pfd, cap);
    int pr = poll(pfd, (nfds_t)n, timeout_ms);
    if (pr >= 0 || errno == EINTR) /* after a signal too, or frequent ones would stop the idle timeouts */
        syslog_in_service(g_sl, pfd, pr > 0 ? n : 0, mw_wall_us());
    heap_poll();
}

/* The progress line: only when standard error is a terminal. */
struct progress {
    bool on;
    uint64_t last_us;
    bool shown;
};

static void progress_show(struct progress *pr, struct capture *c, const struct worker *w, bool force)
{
    if (!pr->on)
        return;
    uint64_t packets = g_pool ? pool_packets(g_pool) : w->st.packets;
    uint64_t bytes = g_pool ? pool_bytes(g_pool) : w->st.bytes;
    uint64_t now = mw_mono_us();
    if (!force && now - pr->last_us < 500000)
        return;
    pr->last_us = now;
    uint64_t off = capture_offset(c);
    if (c->size > 0)
        fprintf(stderr, "\rmsiwatch: %s: %.1f MB, %llu packets, %.0f%% ", c->name, (double)bytes / 1e6,
                (unsigned long long)packets, 100.0 * (double)off / (double)c->size);
    else
        fprintf(stderr, "\rmsiwatch: %s: %.1f MB, %llu packets ", c->name, (double)bytes / 1e6,
                (unsigned long long)packets);
    pr->shown = true;
}

static void progress_clear(struct progress *pr)
{
    if (pr->on && pr->shown)
        fputs("\r\033[K", stderr);
    pr->shown = false;
}

/* --workers: around each packet's merged records, what the one-worker loop
 * does around the packet. */
static void pool_before(void *user, uint64_t ts_us)
{
    (void)user;
    if (ts_us >= g_next_ev_us)
        events_until(ts_us);
}

static void pool_after(void *user, uint64_t ts_us)
{
    (void)user;
    advance(ts_us);
}

/* Replay one file. Returns 0, or 1 with err set (the packets read before
 * the error have been processed). */
static int replay_file(struct worker *w, const struct mw_opts *o, const char *path, struct progress *pr,
                       char *err, size_t errlen)
{
    struct capture c;
    if (capture_open_file(&c, path, o->filter, err, errlen) != 0)
        return 1;
    bool known = decode_link_supported(c.dlt);
    if (!known)
        fprintf(stderr, "msiwatch: %s: link type %s (%d) is not decoded; its packets are counted as unknown_link\n",
                c.name, capture_dlt_name(c.dlt), c.dlt);
    struct pcap_pkthdr *h;
    const uint8_t *data;
    int rc = 0;
    uint64_t n = 0;
    struct readahead *ra = NULL;
    if (o->read_ahead_mib && c.size > 0) { /* a regular file: its reads never block for long */
        ra = readahead_start(&c, (size_t)o->read_ahead_mib << 20, &stop_requested, err, errlen);
        if (!ra) /* no thread or no memory for the ring: read here, as --read-ahead 0 does */
            fprintf(stderr, "msiwatch: %s: no read-ahead (%s); reading in the parsing thread\n", c.name, err);
    }
    while (!stop_requested && !output_lost()) {
        enum capture_next r = ra ? readahead_next(ra, &h, &data, err, errlen) : capture_next(&c, &h, &data, err, errlen);
        if (r == CAP_EOF)
            break;
        if (r == CAP_ERROR) {
            if (stop_requested && errno == EINTR)
                break; /* SIGINT/SIGTERM broke a blocking read from a pipe: a stop, not an error */
            rc = 1;
            break;
        }
        if (r != CAP_PACKET)
            continue;
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
        if (g_pool) { /* the events due and the clock go with the merged records */
            pool_packet(g_pool, c.dlt, known, ts, data, h->caplen);
        } else {
            if (ts >= g_next_ev_us)
                events_until(ts);
            if (known)
                worker_packet(w, c.dlt, ts, data, h->caplen);
            else
                worker_unknown_link(w, ts, h->caplen);
            advance(ts);
        }
        heap_poll();
        if ((++n & 4095) == 0) {
            progress_show(pr, &c, w, false);
            syslog_poll(0);
            handle_signals();
        }
    }
    if (ra) {
        uint64_t empty, full;
        readahead_stop(ra, &empty, &full);
        g_ra_worker_waits += empty;
        g_ra_reader_waits += full;
        g_ra_used = true;
    }
    if (rc == 0)
        progress_show(pr, &c, w, true);
    progress_clear(pr);
    capture_close(&c);
    return rc;
}

struct live_ctx {
    struct worker *w;
    int dlt;
    bool known;
};

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live_ctx *lc = (struct live_ctx *)user;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
    if (lc->known)
        worker_packet(lc->w, lc->dlt, ts, data, h->caplen);
    else
        worker_unknown_link(lc->w, ts, h->caplen);
    heap_poll();
}

/* The interfaces' kernel and interface drops, for the stats. */
static void capture_drops_all(struct capture *caps, size_t n)
{
    g_cap_drops = g_cap_ifdrops = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = 0, f = 0;
        capture_drops(&caps[i], &k, &f);
        g_cap_drops += k;
        g_cap_ifdrops += f;
    }
}

/* Open the interfaces: one socket each, or with --workers one per worker
 * in a PACKET_FANOUT group (the workers then read them in their threads). */
static int open_live(struct capture *caps, struct live_ctx *lc, struct worker *w, const struct mw_opts *o,
                     char *err, size_t errlen)
{
    if (g_pool)
        return pool_live_open(g_pool, o->ifaces, o->nifaces, o->filter, err, errlen);
    for (size_t i = 0; i < o->nifaces; i++) {
        if (capture_open_live(&caps[i], o->ifaces[i], o->filter, err, errlen) != 0) {
            for (size_t k = 0; k < i; k++)
                capture_close(&caps[k]);
            return -1;
        }
        char perr[PCAP_ERRBUF_SIZE];
        pcap_setnonblock(caps[i].p, 1, perr);
        lc[i] = (struct live_ctx){ w, caps[i].dlt, decode_link_supported(caps[i].dlt) };
        if (!lc[i].known)
            fprintf(stderr, "msiwatch: %s: link type %s (%d) is not decoded; its packets are counted as unknown_link\n",
                    caps[i].name, capture_dlt_name(caps[i].dlt), caps[i].dlt);
    }
    return 0;
}

static void live_drops(struct capture *caps, size_t n)
{
    if (g_pool)
        pool_live_drops(g_pool, &g_cap_drops, &g_cap_ifdrops);
    else
        capture_drops_all(caps, n);
}

static int run_live(struct worker *w, struct output *out, const struct mw_opts *o, char *err, size_t errlen)
{
    struct capture caps[MW_MAX_SOURCES];
    struct live_ctx lc[MW_MAX_SOURCES];
    size_t n = g_pool ? 0 : o->nifaces; /* the sockets this thread polls */
    size_t nsl = g_sl ? syslog_in_maxfds(g_sl) : 0;
    struct pollfd *pfd = calloc(n + nsl + 1, sizeof *pfd);
    if (!pfd) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    if (open_live(caps, lc, w, o, err, errlen) != 0) {
        free(pfd);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        pfd[i].fd = pcap_get_selectable_fd(caps[i].p);
        pfd[i].events = POLLIN;
    }
    if (drop_privileges(o->user, err, errlen) != 0 || (g_pool && pool_live_start(g_pool, err, errlen) != 0)) {
        for (size_t k = 0; k < n; k++)
            capture_close(&caps[k]);
        free(pfd);
        return 1;
    }
    uint64_t next_stats = o->stats && o->stats_interval ? mw_mono_us() + o->stats_interval * 1000000ull : 0;
    int rc = 0;
    while (!stop_requested && !output_lost()) {
        size_t m = g_sl ? syslog_in_pollfds(g_sl, pfd + n, nsl) : 0;
        int pr = (n + m) ? poll(pfd, (nfds_t)(n + m), 100) : poll(NULL, 0, 100);
        if (pr < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (g_sl)
            syslog_in_service(g_sl, pfd + n, pr > 0 ? m : 0, mw_wall_us());
        for (size_t i = 0; i < n; i++) {
            if (pr > 0 && !(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            int d = pcap_dispatch(caps[i].p, -1, live_packet, (u_char *)&lc[i]);
            if (d == PCAP_ERROR) {
                snprintf(err, errlen, "%s: %s", caps[i].name, pcap_geterr(caps[i].p));
                rc = 1;
                stop_requested = 1;
            }
        }
        if (g_pool) {
            pool_flush(g_pool); /* the records the workers made since the last round */
            if (pool_live_error(g_pool, err, errlen)) {
                rc = 1;
                stop_requested = 1;
            }
        }
        advance(mw_wall_us());
        handle_signals();
        output_flush(out);
        /* Idle flows end on the wall clock when live: no packet may come to
         * move packet time (the workers of a pool do it themselves). */
        uint64_t now = mw_wall_us();
        if (!g_pool && now > w->now_us + 1000000)
            worker_tick(w, w->st.packets, now);
        if (next_stats && mw_mono_us() >= next_stats) {
            live_drops(caps, n);
            print_stats(out->observer);
            next_stats = mw_mono_us() + o->stats_interval * 1000000ull;
        }
    }
    live_drops(caps, n);
    for (size_t i = 0; i < n; i++)
        capture_close(&caps[i]);
    free(pfd);
    return rc;
}

/* Only syslog listeners (after any files): serve them until stopped. */
static void run_syslog(const struct mw_opts *o, struct output *out)
{
    uint64_t next_stats = o->stats && o->stats_interval ? mw_mono_us() + o->stats_interval * 1000000ull : 0;
    while (!stop_requested && !output_lost()) {
        syslog_poll(200);
        advance(mw_wall_us());
        handle_signals();
        output_flush(out);
        if (next_stats && mw_mono_us() >= next_stats) {
            print_stats(out->observer);
            next_stats = mw_mono_us() + o->stats_interval * 1000000ull;
        }
    }
}

int main(int argc, char **argv)
{
    struct mw_opts o;
    char err[ERRLEN] = "";
    heap_start();
    switch (opts_parse(argc, argv, &o, err, sizeof err)) {
    case OPTS_EXIT_OK:
        return 0;
    case OPTS_USAGE:
        fprintf(stderr, "msiwatch: %s\n", err);
        return 2;
    case OPTS_RUN:
        break;
    }
    if (o.filter) { /* a filter that cannot compile is bad usage, said before any work */
        pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
        struct bpf_program prog;
        if (dead && pcap_compile(dead, &prog, o.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            fprintf(stderr, "msiwatch: bad capture filter \"%s\": %s\n", o.filter, pcap_geterr(dead));
            pcap_close(dead);
            return 2;
        }
        if (dead) {
            pcap_freecode(&prog);
            pcap_close(dead);
        }
    }
    /* Check every file before reading any, so that a typo in the third -r
     * does not leave a half-done replay behind. */
    for (size_t i = 0; i < o.nreads; i++)
        if (strcmp(o.reads[i], "-") != 0 && access(o.reads[i], R_OK) != 0) {
            fprintf(stderr, "msiwatch: %s: %s\n", o.reads[i], strerror(errno));
            return 1;
        }
    for (size_t i = 0; i < o.nevents; i++)
        if (strcmp(o.events[i], "-") != 0 && access(o.events[i], R_OK) != 0) {
            fprintf(stderr, "msiwatch: %s: %s\n", o.events[i], strerror(errno));
            return 1;
        }
    /* Alerts, records and the state file name internal hosts and what they
     * fetched: created rw-r----- (a umask that is stricter already stays). */
    mode_t um = umask(027);
    umask(um | 027);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Reopen and stats requests must not break a blocking read of a capture
     * or events from a pipe ("-r -"): restart it. */
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    char host[256] = "msiwatch";
    if (o.observer == NULL && gethostname(host, sizeof host) == 0)
        host[sizeof host - 1] = '\0';
    struct output out;
    if (output_open(&out, o.output, o.records, o.observer ? o.observer : host, err, sizeof err) != 0) {
        fprintf(stderr, "msiwatch: %s\n", err);
        return 1;
    }
    /* the detection services: host identity, the rarity table, the
     * allowlist, the correlator; a bad hostmap or allowlist is bad
     * configuration (exit 2), a state file that cannot be opened a failure */
    g_id = identity_new(16384); /* addresses with a known host; about 1 KB each when used */
    int setup = g_id ? 0 : 1;
    if (setup == 0 && o.hostmap && identity_load_hostmap(g_id, o.hostmap, err, sizeof err) != 0)
        setup = 2;
    if (setup == 0 && o.allowlist && !(g_allow = allowlist_load(o.allowlist, err, sizeof err)))
        setup = 2;
    const char *state = o.state ? o.state : getenv("MSIWATCH_STATE");
    g_state_path = state && state[0] ? state : "msiwatch.db";
    if (setup == 0 && !(g_rar = rarity_open(state && state[0] ? state : "msiwatch.db", &o.rcfg, err, sizeof err)))
        setup = 1;
    o.ccfg.alerts = !o.learn;
    static struct geo *geo;
    if (setup == 0 && o.ngeoip) {
        geo = geo_new();
        for (size_t i = 0; setup == 0 && i < o.ngeoip; i++)
            if (!geo || geo_open(geo, o.geoip[i], err, sizeof err) != 0)
                setup = 2; /* a database that cannot be used is bad configuration */
    }
    if (setup == 0 && !(g_cor = cor_new(&o.ccfg, &out, g_id, g_rar, g_allow))) {
        snprintf(err, sizeof err, "out of memory for the correlator");
        setup = 1;
    }
    if (setup == 0)
        cor_set_geo(g_cor, geo);
    if (setup != 0) {
        fprintf(stderr, "msiwatch: %s\n", err);
        rarity_close(g_rar, NULL, 0);
        geo_free(geo);
        allowlist_free(g_allow);
        identity_free(g_id);
        output_close(&out, err, sizeof err);
        return setup;
    }
    g_out = &out;
    g_opts = &o;
    if (o.alert_syslog) {
        int usage;
        g_fwd = syslog_out_new(o.alert_syslog, o.alert_syslog_facility, o.alert_syslog_queue, out.observer, &usage,
                               err, sizeof err);
        if (!g_fwd) {
            fprintf(stderr, "msiwatch: %s\n", err);
            cor_free(g_cor);
            rarity_close(g_rar, NULL, 0);
            geo_free(geo);
            allowlist_free(g_allow);
            identity_free(g_id);
            output_close(&out, err, sizeof err);
            return usage ? 2 : 1;
        }
        out.on_alert = forward_alert;
        out.on_alert_ctx = g_fwd;
    }
    static struct recbus bus;
    bus.out = &out;
    bus.cor = g_cor;
    bus.dns = dnscache_new(DNSCACHE_DEFAULT_ENTRIES);
    if (!bus.dns) {
        fprintf(stderr, "msiwatch: out of memory for the DNS cache\n");
        output_close(&out, err, sizeof err);
        return 1;
    }
    struct worker w;
    memset(&w, 0, sizeof w);
    if (o.workers > 1 && o.nifaces) {
        g_pool = pool_new_live(o.workers, &o.wcfg, &bus, err, sizeof err);
    } else if (o.workers > 1) {
        static const struct pool_hooks hooks = { pool_before, pool_after, NULL };
        g_pool = pool_new(o.workers, &o.wcfg, &bus, &hooks, err, sizeof err);
    }
    if (o.workers > 1 ? !g_pool : worker_init(&w, &o.wcfg, &bus, err, sizeof err) != 0) {
        fprintf(stderr, "msiwatch: %s\n", err);
        output_close(&out, err, sizeof err);
        return 1;
    }
    if (!g_pool)
        g_w = &w;
    heap_poll();
    int rc = 0;
    static struct ev_feed feed; /* holds a large scratch record */
    if (o.nevents || o.nsyslogs) {
        ev_feed_init(&feed, o.scfg.max_msg, on_endpoint, &bus);
        feed.wopts.zoneless_utc_offset_s = o.event_tz_offset_s;
        g_ev = &feed;
    }
    if (o.nsyslogs) {
        g_sl = syslog_in_new(&o.scfg, on_syslog, &feed);
        if (!g_sl) {
            snprintf(err, sizeof err, "out of memory");
            rc = 1;
        }
        for (size_t i = 0; i < o.nsyslogs && rc == 0; i++) {
            int r = syslog_in_listen(g_sl, o.syslogs[i], err, sizeof err);
            if (r == -2) {
                fprintf(stderr, "msiwatch: %s\n", err);
                syslog_in_free(g_sl);
                worker_free(&w);
                pool_free(g_pool);
                output_close(&out, err, sizeof err);
                return 2;
            }
            if (r != 0)
                rc = 1;
            else if (strstr(o.syslogs[i], ":0") && o.syslogs[i][strlen(o.syslogs[i]) - 2] == ':')
                fprintf(stderr, "msiwatch: syslog %.3s port %u\n", o.syslogs[i], syslog_in_port(g_sl, i));
        }
    }
    g_bus = &bus;
    for (size_t i = 0; i < o.nevents && rc == 0; i++) {
        g_rd[i] = ev_reader_open(&feed, o.events[i], err, sizeof err);
        g_nrd = i + 1;
        int r = g_rd[i] ? ev_next(g_rd[i], err, sizeof err) : -1;
        if (r != 1) {
            ev_reader_close(g_rd[i]);
            g_rd[i] = NULL;
            if (r < 0)
                rc = 1;
        }
    }
    g_next_ev_us = 0;
    g_events_clock = !o.nreads && !o.nifaces; /* an events-only replay */
    if (rc == 0 && !o.nifaces && drop_privileges(o.user, err, sizeof err) != 0)
        rc = 1; /* replay and listeners: everything is open now (live drops after opening its interfaces) */
    if (rc == 0 && (o.nifaces || !o.nreads))
        events_until(UINT64_MAX); /* live, or no packets: the files first */
    if (rc == 0 && o.nifaces) {
        rc = run_live(&w, &out, &o, err, sizeof err);
    } else if (rc == 0) {
        struct progress pr = { .on = isatty(STDERR_FILENO) == 1 };
        for (size_t i = 0; i < o.nreads && rc == 0 && !stop_requested && !output_lost(); i++)
            rc = replay_file(&w, &o, o.reads[i], &pr, err, sizeof err);
        if (g_pool)
            pool_flush(g_pool); /* the records of the last batch, with the events among them */
        if (rc == 0)
            events_until(UINT64_MAX); /* the events after the last packet */
        if (rc == 0 && g_sl)
            run_syslog(&o, &out);
    }
    if (g_ev_rc && rc == 0) {
        rc = 1;
        snprintf(err, sizeof err, "%s", g_ev_err);
    }
    for (size_t i = 0; i < g_nrd; i++)
        ev_reader_close(g_rd[i]);
    if (g_sl)
        syslog_in_close_all(g_sl); /* a last unterminated line is delivered here */
    char err2[ERRLEN] = "";
    if (g_pool)
        pool_finish(g_pool);
    else
        worker_finish(&w);
    if (g_pool && o.nifaces)
        pool_live_drops(g_pool, &g_cap_drops, &g_cap_ifdrops); /* as the workers stopped */
    cor_finish(g_cor); /* the end of input closes every window */
    syslog_out_drain(g_fwd, 5000); /* the collector gets 5 s to take the last alerts */
    if (o.stats)
        print_stats(out.observer);
    classify_exiting(); /* what follows frees memory the system takes back at exit anyway */
    syslog_in_free(g_sl);
    g_sl = NULL;
    pool_free(g_pool);
    g_pool = NULL;
    if (g_w)
        worker_free(&w);
    g_w = NULL;
    dnscache_free(bus.dns);
    cor_free(g_cor);
    g_cor = NULL;
    if (rarity_close(g_rar, err2, sizeof err2) != 0 && rc == 0) {
        snprintf(err, sizeof err, "%s", err2);
        rc = 1;
    }
    g_rar = NULL;
    syslog_out_free(g_fwd);
    g_fwd = NULL;
    allowlist_free(g_allow);
    g_allow = NULL;
    geo_free(geo);
    identity_free(g_id);
    g_id = NULL;
    if (output_close(&out, err2, sizeof err2) != 0) {
        fprintf(stderr, "msiwatch: %s\n", err2);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "msiwatch: %s\n", err);
        return 1;
    }
    return 0;
}
