/* correlate.c -- the AN0445 join (see correlate.h).
 *
 * State:
 *   cases   one per chain: a suspicious msiexec run, an MsiInstaller
 *           transaction with a remote package, or a network-only fetch;
 *           allocated when opened, freed past the lateness bound
 *   held    a ring of recent network records, packed (the zero bytes of
 *           their fixed-size strings squeezed out: about a fifth of the
 *           size), so that a run whose events arrive late still finds its
 *           fetch
 *   events  a ring of msiexec image loads, connects and DNS queries, for
 *           runs whose Sysmon 1 arrives after them
 *   procs   a table of process GUIDs to their parent and whether they are
 *           msiexec, for the process tree (custom-action children)
 *   images  host and process id to the program of the latest process
 *           creation, for MsiInstaller transactions, which name only the
 *           client's process id
 *   clocks  per host, the offsets between endpoint and sensor time seen in
 *           joins, whose median corrects the window once it is steady */
#include "correlate.h"

#include "table.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEC 1000000ull
#define CLOCK_HOSTS 1024
#define CLOCK_SAMPLES 16
#define CLOCK_MIN 3
#define IMAGES 16384              /* power of two */

enum case_kind { K_PROC, K_INST, K_NETONLY };

/* A network record held for joining, unpacked (being made, or looked at). */
struct nev {
    struct alert_net a;
    char client[128];             /* the host identity said the source was, "" if unknown */
    char share[96];               /* SMB: the share of the tree (at most 80 characters) */
    uint64_t seq;                 /* insertion number */
    uint64_t claimed_by;          /* case sequence that joined it first, 0 none */
};

/* A slot of the ring of held records: a packed struct nev. */
struct held {
    uint8_t *blob;                /* NULL: free */
    uint32_t len;
    uint64_t seq, claimed_by;     /* also in the blob, kept here to be read without unpacking */
};

/* An msiexec-side event held for its run. */
struct pev {
    bool used;
    unsigned code;                /* 3, 7, 22 */
    uint64_t ts_us;
    char host[256];
    char guid[40];
    uint32_t pid;
    bool msiexec_image;
    struct alert_mod mod;         /* 7 */
    struct mw_addr src, dst;      /* 3 */
    bool has_src, has_dst;
    uint16_t dport;
    char query[256];              /* 22 */
    char results[512];
};

struct ccase {
    uint64_t seq;
    enum case_kind kind;
    uint64_t t0;
    char host[256];
    char guid[40];
    uint32_t pid;
    bool has_pid;
    struct rec_endpoint proc;     /* the run (K_PROC, K_INST) */
    struct { struct mw_addr ip; uint16_t port; } s3[8];
    unsigned ns3;
    bool has_src;                 /* the run's own address, from its Sysmon 3 */
    struct mw_addr src;
    struct { char name[256]; struct mw_addr ip[8]; unsigned n; } s22[4];
    unsigned ns22;
    uint64_t close_at, expire_at;
    bool emitted, changed, dead;
    bool clock_sampled;           /* this run gave its host's clock a sample */
    uint64_t netonly_nev;         /* K_NETONLY: the held record's seq */
    struct rec_alert al;
};

struct proc {
    char guid[40];
    char parent[40];
    bool msiexec;
};

struct image {
    uint32_t host;                /* hash of the short host name, lower case */
    uint32_t pid;
    uint64_t ts_us;               /* 0: free */
    char guid[40];
    char path[261];               /* MAX_PATH; a longer program is cut */
};

struct clock {
    char host[64];
    int64_t s[CLOCK_SAMPLES];
    unsigned n, next;
};

struct correlator {
    struct cor_cfg cfg;
    struct output *out;
    struct identity *id;
    struct rarity *rar;
    const struct allowlist *al;
    struct geo *geo;
    struct ccase **cases;
    uint32_t ncases;
    uint64_t next_seq;
    struct held *held;
    uint32_t held_next;
    uint64_t held_seq;
    struct nev cur;               /* the record being made, then packed into the ring */
    struct nev view;              /* a held record unpacked */
    uint8_t *pack_buf;            /* 3 bytes per byte of struct nev at worst */
    struct pev *evs;
    uint32_t evs_next;
    struct proc *procs;
    uint32_t procs_mask;
    struct clock *clocks;
    struct image *images;
    uint64_t now_us;
    struct cor_stats st;
};

static void retry_held(struct correlator *c, struct ccase *k, uint32_t i);

void cor_cfg_defaults(struct cor_cfg *c)
{
    c->before_us = 30 * SEC;
    c->after_us = 300 * SEC;
    c->skew_us = 120 * SEC;
    c->lateness_us = 1200 * SEC;
    c->max_cases = 1000;
    c->max_held = 32768;
    c->max_events = 8192;
    c->max_procs = 65536;
    c->grace_us = 5 * SEC;
    c->alerts = true;
}

struct correlator *cor_new(const struct cor_cfg *cfg, struct output *out, struct identity *id,
                           struct rarity *rar, const struct allowlist *al)
{
    struct correlator *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cfg = *cfg;
    c->out = out;
    c->id = id;
    c->rar = rar;
    c->al = al;
    uint32_t np = 64;
    while (np < cfg->max_procs && np < (1u << 24))
        np <<= 1;
    c->procs_mask = np - 1;
    /* pools sized for the worst case, used here and there: maps faulted
     * in as they are touched (table.h); a bound of 0 still gets one slot */
    c->cases = sparse_alloc(cfg->max_cases, sizeof *c->cases);
    c->held = sparse_alloc(cfg->max_held, sizeof *c->held);
    c->pack_buf = malloc(3 * sizeof(struct nev));
    c->evs = sparse_alloc(cfg->max_events, sizeof *c->evs);
    c->procs = sparse_alloc(np, sizeof *c->procs);
    c->clocks = calloc(CLOCK_HOSTS, sizeof *c->clocks);
    c->images = sparse_alloc(IMAGES, sizeof *c->images); /* 5 MiB, untouched without endpoint events */
    c->next_seq = 1;
    if (!c->cases || !c->held || !c->pack_buf || !c->evs || !c->procs || !c->clocks || !c->images) {
        cor_free(c);
        return NULL;
    }
    return c;
}

void cor_free(struct correlator *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; c->cases && i < c->ncases; i++)
        free(c->cases[i]);
    sparse_free(c->cases, c->cfg.max_cases, sizeof *c->cases);
    for (uint32_t i = 0; c->held && i < c->cfg.max_held; i++)
        free(c->held[i].blob);
    sparse_free(c->held, c->cfg.max_held, sizeof *c->held);
    free(c->pack_buf);
    sparse_free(c->evs, c->cfg.max_events, sizeof *c->evs);
    sparse_free(c->procs, (size_t)c->procs_mask + 1, sizeof *c->procs);
    free(c->clocks);
    sparse_free(c->images, IMAGES, sizeof *c->images);
    free(c);
}

void cor_set_geo(struct correlator *c, struct geo *g)
{
    c->geo = g;
}

void cor_set_allowlist(struct correlator *c, const struct allowlist *al)
{
    c->al = al;
}

const struct cor_stats *cor_stats(const struct correlator *c)
{
    return &c->st;
}

/* ---- small helpers ------------------------------------------------------ */

/* Copy record text into a bounded field without cutting a character (the
 * alert goes to jansson, which refuses broken UTF-8). */
static void cp(char *dst, size_t cap, const char *src)
{
    text_copy_ex(dst, cap, (const uint8_t *)src, strlen(src), false, 0, 0, NULL);
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static const char *basename_of(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

static bool is_msiexec_image(const char *image)
{
    return strcasecmp(basename_of(image), "msiexec.exe") == 0;
}

static bool ieq(const char *a, const char *b)
{
    return a[0] && strcasecmp(a, b) == 0;
}

/* case-insensitive substring */
static bool icontains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

static void add_reason(struct rec_alert *a, const char *r)
{
    for (unsigned i = 0; i < a->nreasons; i++)
        if (strcmp(a->reasons[i], r) == 0)
            return;
    if (a->nreasons < ALERT_MAX_REASONS)
        a->reasons[a->nreasons++] = r;
}

/* ---- process tree ------------------------------------------------------- */

static struct proc *proc_slot(struct correlator *c, const char *guid, bool create)
{
    if (!guid[0])
        return NULL;
    uint32_t h = hash_str(guid);
    for (uint32_t k = 0; k < 8; k++) {
        struct proc *p = &c->procs[(h + k) & c->procs_mask];
        if (strcmp(p->guid, guid) == 0)
            return p;
        if (!p->guid[0] && create)
            return p;
    }
    if (!create)
        return NULL;
    c->st.procs_evicted++;
    struct proc *p = &c->procs[h & c->procs_mask];
    memset(p, 0, sizeof *p);
    return p;
}

/* The images table's first slot for (host, pid); *hh the host's hash (of
 * its short name, which identity_short gives in lower case). */
static uint32_t image_home(const char *host, uint32_t pid, uint32_t *hh)
{
    char sh[256];
    identity_short(host, sh, sizeof sh);
    *hh = hash_str(sh);
    return (*hh ^ (pid * 2654435761u)) & (IMAGES - 1);
}

/* A process creation: remember its program by host and process id; the
 * oldest of the probed slots gives way (counted). */
static void image_note(struct correlator *c, const struct rec_endpoint *r)
{
    if (!r->has_pid || !r->image[0])
        return;
    uint32_t hh, h = image_home(r->host, r->pid, &hh);
    struct image *slot = NULL;
    for (uint32_t k = 0; k < 8; k++) {
        struct image *m = &c->images[(h + k) & (IMAGES - 1)];
        if (!m->ts_us || (m->host == hh && m->pid == r->pid)) {
            slot = m;
            break;
        }
        if (!slot || m->ts_us < slot->ts_us)
            slot = m;
    }
    if (slot->ts_us && !(slot->host == hh && slot->pid == r->pid))
        c->st.images_evicted++;
    slot->host = hh;
    slot->pid = r->pid;
    slot->ts_us = r->ts_us ? r->ts_us : 1;
    cp(slot->guid, sizeof slot->guid, r->guid);
    cp(slot->path, sizeof slot->path, r->image);
}

/* The program of process pid on host, started no later than until_us. */
static const struct image *image_of(const struct correlator *c, const char *host, uint32_t pid, uint64_t until_us)
{
    uint32_t hh, h = image_home(host, pid, &hh);
    for (uint32_t k = 0; k < 8; k++) {
        const struct image *m = &c->images[(h + k) & (IMAGES - 1)];
        if (m->ts_us && m->host == hh && m->pid == pid && m->ts_us <= until_us)
            return m;
    }
    return NULL;
}

/* Is the process guid msiexec, or a descendant of one (custom actions)? */
static bool in_msiexec_tree(struct correlator *c, const char *guid)
{
    char g[40];
    cp(g, sizeof g, guid);
    for (int depth = 0; depth < 8 && g[0]; depth++) {
        struct proc *p = proc_slot(c, g, false);
        if (!p)
            return false;
        if (p->msiexec)
            return true;
        cp(g, sizeof g, p->parent);
    }
    return false;
}

/* ---- clock offsets ------------------------------------------------------ */

static struct clock *clock_of(struct correlator *c, const char *host, bool create)
{
    char sh[64];
    identity_short(host, sh, sizeof sh);
    if (!sh[0])
        return NULL;
    uint32_t h = hash_str(sh);
    for (uint32_t k = 0; k < 8; k++) {
        struct clock *ck = &c->clocks[(h + k) % CLOCK_HOSTS];
        if (strcmp(ck->host, sh) == 0)
            return ck;
        if (!ck->host[0]) {
            if (!create)
                return NULL;
            cp(ck->host, sizeof ck->host, sh);
            return ck;
        }
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The steady offset (network time minus endpoint time) of a host. */
static bool clock_offset(struct correlator *c, const char *host, int64_t *off)
{
    struct clock *ck = clock_of(c, host, false);
    if (!ck || ck->n < CLOCK_MIN)
        return false;
    int64_t v[CLOCK_SAMPLES];
    memcpy(v, ck->s, ck->n * sizeof v[0]);
    qsort(v, ck->n, sizeof v[0], cmp_i64);
    if (v[ck->n - 1] - v[0] > (int64_t)(10 * SEC))
        return false; /* not steady */
    *off = v[ck->n / 2];
    return true;
}

static void clock_sample(struct correlator *c, const char *host, int64_t sample)
{
    struct clock *ck = clock_of(c, host, true);
    if (!ck)
        return;
    if (ck->n == CLOCK_MIN - 1)
        c->st.clock_offsets++;
    ck->s[ck->next] = sample;
    ck->next = (ck->next + 1) % CLOCK_SAMPLES;
    if (ck->n < CLOCK_SAMPLES)
        ck->n++;
}

/* ---- cases -------------------------------------------------------------- */

static void case_window(struct correlator *c, const struct ccase *k, uint64_t *lo, uint64_t *hi)
{
    int64_t off = 0;
    clock_offset(c, k->host, &off);
    int64_t t = (int64_t)k->t0 + off;
    int64_t l = t - (int64_t)(c->cfg.before_us + c->cfg.skew_us);
    *lo = l < 0 ? 0 : (uint64_t)l;
    *hi = (uint64_t)(t + (int64_t)(c->cfg.after_us + c->cfg.skew_us));
}

static struct ccase *case_new(struct correlator *c, enum case_kind kind, uint64_t t0, const char *host)
{
    if (c->ncases >= c->cfg.max_cases) {
        c->st.cases_dropped++;
        return NULL;
    }
    struct ccase *k = calloc(1, sizeof *k);
    if (!k) {
        c->st.cases_dropped++;
        return NULL;
    }
    k->seq = c->next_seq++;
    k->kind = kind;
    k->t0 = t0;
    cp(k->host, sizeof k->host, host);
    k->close_at = t0 + c->cfg.after_us + c->cfg.skew_us;
    k->expire_at = k->close_at + c->cfg.lateness_us;
    c->cases[c->ncases++] = k;
    c->st.cases++;
    return k;
}

/* How the held record matches one of the run's destinations, or NULL. */
static const char *dest_match(const struct ccase *k, const struct nev *e)
{
    for (unsigned i = 0; i < k->ns3; i++)
        if (mw_addr_cmp(&k->s3[i].ip, &e->a.dst) == 0 && k->s3[i].port == e->a.dport)
            return "sysmon3";
    const struct msiexec_verdict *v = &k->proc.mx;
    bool http = strcmp(e->a.dataset, "msiwatch.http") == 0;
    bool tls = strcmp(e->a.dataset, "msiwatch.tls") == 0;
    bool smb = strcmp(e->a.dataset, "msiwatch.smb") == 0;
    for (unsigned i = 0; k->proc.has_mx && i < v->ndest && i < MSIEXEC_MAX_DEST; i++) {
        const struct msiexec_dest *d = &v->dest[i];
        bool kind_ok;
        if (strcmp(d->scheme, "http") == 0)
            kind_ok = http;
        else if (strcmp(d->scheme, "https") == 0)
            kind_ok = tls || http;
        else if (strcmp(d->scheme, "smb") == 0)
            kind_ok = smb || (http && e->a.webdav); /* the redirector may fall back to WebDAV */
        else if (strcmp(d->scheme, "webdav") == 0)
            kind_ok = (http && e->a.webdav) || (tls && d->ssl); /* only the redirector speaks for a UNC path */
        else
            kind_ok = false; /* ftp: Windows Installer does not fetch it */
        if (!kind_ok)
            continue;
        struct mw_addr ip;
        if (mw_addr_parse(d->host, &ip)) {
            uint16_t port = d->port;
            if (mw_addr_cmp(&ip, &e->a.dst) == 0 && (port == 0 || port == e->a.dport))
                return "destination";
            continue;
        }
        if (ieq(e->a.host, d->host) || (smb && identity_same_host(e->a.host, d->host) && !strchr(e->a.host, '.')))
            return "destination";
        if (ieq(e->a.domain, d->host))
            return "dns";
        for (unsigned q = 0; q < k->ns22; q++) {
            if (strcasecmp(k->s22[q].name, d->host) != 0)
                continue;
            for (unsigned j = 0; j < k->s22[q].n; j++)
                if (mw_addr_cmp(&k->s22[q].ip[j], &e->a.dst) == 0)
                    return "dns";
        }
    }
    return NULL;
}

static void attach_net(struct correlator *c, struct ccase *k, struct nev *e, const char *how, bool inferred)
{
    struct rec_alert *a = &k->al;
    for (unsigned i = 0; i < a->nnet; i++) {
        struct alert_net *n = &a->net[i];
        if (n->ts_us != e->a.ts_us || mw_addr_cmp(&n->src, &e->a.src) != 0 || n->sport != e->a.sport ||
            strcmp(n->url, e->a.url) != 0)
            continue;
        /* already there: the run's own Sysmon 3, logged after the fetch,
         * now names the host that was inferred */
        if ((n->inferred && !inferred) || (strcmp(how, "sysmon3") == 0 && strcmp(n->matched, "sysmon3") != 0)) {
            n->matched = how;
            n->inferred = inferred;
            if (k->emitted)
                k->changed = true;
        }
        return;
    }
    if (a->nnet >= ALERT_MAX_NET)
        return;
    a->net[a->nnet] = e->a;
    a->net[a->nnet].matched = how;
    a->net[a->nnet].inferred = inferred;
    a->nnet++;
    c->st.joins++;
    if (inferred)
        c->st.joins_inferred_host++;
    if (!e->claimed_by)
        e->claimed_by = k->seq;
    /* one sample per run: its first join by destination or by its own connection */
    if (k->kind != K_NETONLY && !k->clock_sampled &&
        (strcmp(how, "destination") == 0 || strcmp(how, "sysmon3") == 0)) {
        clock_sample(c, k->host, (int64_t)e->a.ts_us - (int64_t)k->t0);
        k->clock_sampled = true;
    }
    if (k->emitted)
        k->changed = true;
}

/* Join the held record to the run when it comes from the run's host, in its
 * window, and names one of its destinations (or is a Windows Installer
 * fetch). A record from an address whose host is unknown must vouch for
 * itself: the run's own connection (Sysmon 3), or a Windows Installer,
 * WebDAV redirector, SMB or TLS fetch of the run's destination; the alert
 * then says the host was inferred. */
static void try_join(struct correlator *c, struct ccase *k, struct nev *e)
{
    if (k->kind == K_NETONLY || k->dead)
        return;
    uint64_t lo, hi;
    case_window(c, k, &lo, &hi);
    if (e->a.ts_us < lo || e->a.ts_us > hi)
        return;
    const char *how = dest_match(k, e);
    if (!how && e->a.windows_installer)
        how = "windows-installer";
    if (!how)
        return;
    bool inferred = false;
    if (e->client[0]) {
        if (!identity_same_host(e->client, k->host))
            return;
    } else if ((k->has_src && mw_addr_cmp(&k->src, &e->a.src) == 0) ||
               (k->proc.has_host_ip && mw_addr_cmp(&k->proc.host_ip, &e->a.src) == 0)) {
        /* the run's own address */
    } else {
        bool vouches = e->a.windows_installer || e->a.webdav || strcmp(how, "sysmon3") == 0 ||
                       (strcmp(how, "windows-installer") != 0 &&
                        (strcmp(e->a.dataset, "msiwatch.smb") == 0 || strcmp(e->a.dataset, "msiwatch.tls") == 0));
        if (!vouches)
            return;
        inferred = true;
    }
    attach_net(c, k, e, how, inferred);
}

/* Why an image load is evidence (none for an ordinary one): unsigned, and
 * the kind of folder it came from. */
static void module_why(const struct rec_endpoint *r, struct alert_mod *m)
{
    m->nwhy = 0;
    if (r->has_signed && !r->dll_signed)
        m->why[m->nwhy++] = "unsigned-module-load";
    if (icontains(r->dll_path, "\\Temp\\") || icontains(r->dll_path, "\\Tmp\\"))
        m->why[m->nwhy++] = "module-from-temp";
    else if (strncasecmp(r->dll_path, "C:\\Windows\\Installer\\", 21) == 0)
        m->why[m->nwhy++] = "module-from-installer-folder";
    else if (icontains(r->dll_path, "\\Users\\") || icontains(r->dll_path, "\\ProgramData\\"))
        m->why[m->nwhy++] = "module-from-user-folder";
}

static void attach_pev(struct correlator *c, struct ccase *k, const struct pev *p)
{
    if (!identity_same_host(p->host, k->host))
        return;
    bool own = (k->guid[0] && strcmp(p->guid, k->guid) == 0) ||
               (!k->guid[0] && k->has_pid && p->pid == k->pid);
    if (p->code == 3 && own && p->has_dst) {
        if (k->ns3 < 8) {
            k->s3[k->ns3].ip = p->dst;
            k->s3[k->ns3].port = p->dport;
            k->ns3++;
        }
        if (p->has_src && !k->has_src) {
            k->has_src = true;
            k->src = p->src;
        }
        return;
    }
    if (p->code == 22 && own && p->query[0] && k->ns22 < 4) {
        /* QueryResults: "::ffff:1.2.3.4;type:  5 cdn.example;2001:db8::1;" */
        unsigned q = k->ns22++;
        cp(k->s22[q].name, sizeof k->s22[q].name, p->query);
        char buf[512];
        cp(buf, sizeof buf, p->results);
        char *save = NULL;
        for (char *t = strtok_r(buf, ";", &save); t && k->s22[q].n < 8; t = strtok_r(NULL, ";", &save)) {
            while (*t == ' ')
                t++;
            struct mw_addr ip;
            if (mw_addr_parse(t, &ip))
                k->s22[q].ip[k->s22[q].n++] = ip;
        }
        return;
    }
    if (p->code == 7 && p->mod.nwhy) {
        /* endpoint times on both sides: the window without the clock correction */
        uint64_t lo = k->t0 > c->cfg.before_us ? k->t0 - c->cfg.before_us : 0;
        uint64_t hi = k->t0 + c->cfg.after_us;
        if (p->ts_us < lo || p->ts_us > hi)
            return;
        if (!(p->msiexec_image || own || in_msiexec_tree(c, p->guid)))
            return;
        struct rec_alert *a = &k->al;
        for (unsigned i = 0; i < a->nmod; i++)
            if (a->mod[i].ts_us == p->ts_us && strcmp(a->mod[i].path, p->mod.path) == 0)
                return;
        if (a->nmod < ALERT_MAX_MOD) {
            a->mod[a->nmod++] = p->mod;
            if (k->emitted)
                k->changed = true;
        }
    }
}

/* ---- writing alerts ----------------------------------------------------- */

static uint64_t fnv64(const char *s, uint64_t h)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

/* How well a joined record shows the run's fetch: matched by destination
 * or by the run's own connection, the package's path in its URL or UNC
 * path, the protocol the scheme says, a typed payload. */
static int net_score(const struct ccase *k, const struct alert_net *n)
{
    int sc = 0;
    if (strcmp(n->matched, "destination") == 0 || strcmp(n->matched, "sysmon3") == 0 ||
        strcmp(n->matched, "dns") == 0)
        sc += 8;
    const struct msiexec_verdict *v = &k->proc.mx;
    if (k->proc.has_mx && v->ndest > 0) {
        const struct msiexec_dest *d = &v->dest[0];
        const char *base = basename_of(d->path);
        if (base[0] && icontains(n->url, base))
            sc += 4;
        bool smb = strcmp(n->dataset, "msiwatch.smb") == 0, http = strcmp(n->dataset, "msiwatch.http") == 0;
        if ((strcmp(d->scheme, "smb") == 0 && smb) || (strcmp(d->scheme, "webdav") == 0 && http && n->webdav) ||
            (strncmp(d->scheme, "http", 4) == 0 && http))
            sc += 2;
    }
    if (n->file_type && strcmp(n->file_type, "other") != 0)
        sc += 1;
    return sc;
}

static void finalize(struct correlator *c, struct ccase *k)
{
    struct rec_alert *a = &k->al;
    const struct msiexec_verdict *v = &k->proc.mx;
    a->ts_us = k->t0;
    a->kind = k->kind == K_PROC ? "process" : k->kind == K_INST ? "installer" : "network-only";
    cp(a->host, sizeof a->host, k->host);
    a->proc = k->kind == K_NETONLY ? NULL : &k->proc;
    char idsrc[512];
    snprintf(idsrc, sizeof idsrc, "%s|%s|%s|%llu", a->kind, k->host, k->guid, (unsigned long long)k->t0);
    snprintf(a->id, sizeof a->id, "%016llx", (unsigned long long)fnv64(idsrc, 1469598103934665603ull));
    /* reasons: the classifier's first, then the evidence's */
    unsigned keep = 0;
    const char *mine[ALERT_MAX_REASONS];
    for (unsigned i = 0; i < a->nreasons; i++)
        mine[keep++] = a->reasons[i];
    a->nreasons = 0;
    if (k->kind == K_INST)
        add_reason(a, "msiinstaller-remote-package");
    if (k->kind == K_NETONLY)
        add_reason(a, "network-only");
    for (unsigned i = 0; k->proc.has_mx && i < v->nreasons; i++)
        add_reason(a, v->reasons[i]);
    for (unsigned i = 0; i < keep; i++)
        add_reason(a, mine[i]);
    bool first_seen = false, verified_payload = false, joined = a->nnet > 0;
    const struct alert_net *best = NULL;
    int best_score = -1;
    for (unsigned i = 0; i < a->nnet; i++) {
        const struct alert_net *n = &a->net[i];
        int sc = net_score(k, n);
        if (sc > best_score) { /* the record that best shows the fetch */
            best = n;
            best_score = sc;
        }
        /* a named destination is judged by its name (a known name on a new
         * address is a CDN, not news); an address alone by the address */
        if (n->has_fqdn ? n->first_seen_fqdn : n->first_seen_ip) {
            first_seen = true;
            if (n->has_fqdn)
                add_reason(a, "first-seen-domain");
            if (n->first_seen_ip)
                add_reason(a, "first-seen-ip");
        }
        if (n->inferred)
            add_reason(a, "host-inferred-from-fetch");
        if (n->windows_installer)
            add_reason(a, "windows-installer-user-agent");
        if (n->file_type) {
            bool msi = !strcmp(n->file_type, "msi") || !strcmp(n->file_type, "msp") || !strcmp(n->file_type, "mst");
            bool dll = !strcmp(n->file_type, "pe-dll");
            if (msi)
                add_reason(a, "payload-msi");
            if (dll)
                add_reason(a, "payload-dll");
            if (!strcmp(n->file_type, "pe-exe"))
                add_reason(a, "payload-exe");
            if ((msi || dll) && n->has_hash)
                verified_payload = true;
        }
    }
    bool modbad = a->nmod > 0;
    for (unsigned i = 0; i < a->nmod; i++)
        for (unsigned j = 0; j < a->mod[i].nwhy; j++)
            add_reason(a, a->mod[i].why[j]);
    int sev;
    if (k->kind == K_NETONLY) {
        sev = 2;
    } else {
        sev = 1;
        if (joined)
            sev = 2;
        if (first_seen || modbad)
            sev = 3;
        /* a verified payload counts from a first-seen destination: the
         * chain's destination, whichever of its records saw it first */
        if ((first_seen && modbad) || (first_seen && verified_payload))
            sev = 4;
    }
    /* the destination and its rarity */
    a->dest_domain[0] = '\0';
    a->has_dest_ip = false;
    a->dest_port = best ? best->dport : 0;
    if (k->proc.has_mx && v->ndest > 0) {
        struct mw_addr ip;
        if (mw_addr_parse(v->dest[0].host, &ip)) {
            a->has_dest_ip = true;
            a->dest_ip = ip;
        } else {
            cp(a->dest_domain, sizeof a->dest_domain, v->dest[0].host);
        }
    }
    if (best) {
        if (!a->has_dest_ip) {
            a->has_dest_ip = true;
            a->dest_ip = best->dst;
        }
        if (!a->dest_domain[0] && best->has_fqdn)
            cp(a->dest_domain, sizeof a->dest_domain, best->host);
        /* the destination's verdict: first-seen if any of the chain's
         * records of that same name or address saw it first */
        a->has_rarity = c->rar != NULL;
        a->first_seen_fqdn = a->first_seen_domain = a->first_seen_ip = false;
        for (unsigned i = 0; i < a->nnet; i++) {
            const struct alert_net *n = &a->net[i];
            if (best->has_fqdn && n->has_fqdn && strcasecmp(n->host, best->host) == 0) {
                a->first_seen_fqdn |= n->first_seen_fqdn;
                a->first_seen_domain |= n->first_seen_domain;
            }
            if (mw_addr_cmp(&n->dst, &best->dst) == 0)
                a->first_seen_ip |= n->first_seen_ip;
        }
        a->first_seen_at_us = best->fqdn_first_seen_us;
        a->rarity_hosts = best->hosts_before;
    }
    a->has_geo = c->geo && a->has_dest_ip && geo_lookup(c->geo, &a->dest_ip, &a->geo);
    if (c->rar) {
        a->baseline_days = rarity_baseline_days(c->rar, k->t0);
        a->baseline_complete = rarity_baseline_complete(c->rar, k->t0);
    }
    /* the allowlist lowers, never hides */
    a->allowlisted[0] = '\0';
    if (c->al) {
        const char *m = NULL;
        for (unsigned i = 0; !m && k->proc.has_mx && i < v->ndest; i++)
            m = allowlist_match(c->al, &v->dest[i], v->package, k->host);
        for (unsigned i = 0; !m && i < a->nnet; i++) {
            struct msiexec_dest d;
            memset(&d, 0, sizeof d);
            cp(d.host, sizeof d.host, a->net[i].host[0] ? a->net[i].host : "");
            m = allowlist_match(c->al, &d, a->net[i].url, k->host);
            if (!m) {
                mw_addr_str(&a->net[i].dst, d.host, sizeof d.host);
                m = allowlist_match(c->al, &d, NULL, k->host);
            }
        }
        if (m) {
            cp(a->allowlisted, sizeof a->allowlisted, m);
            add_reason(a, "allowlisted");
            sev = 0;
        }
    }
    static const int risk[5] = { 10, 25, 50, 75, 95 };
    a->severity = sev;
    a->risk_score = risk[sev];
    int64_t off;
    a->has_clock_offset = clock_offset(c, k->host, &off);
    a->clock_offset_us = a->has_clock_offset ? off : 0;
    /* host.ip: the run's own address, else the fetch's source */
    a->has_host_ip = false;
    if (k->proc.has_host_ip) {
        a->has_host_ip = true;
        a->host_ip = k->proc.host_ip;
    } else if (k->has_src) {
        a->has_host_ip = true;
        a->host_ip = k->src;
    } else if (best) {
        a->has_host_ip = true;
        a->host_ip = best->src;
    }
    /* the one line for a human */
    static const char *const sevname[5] = { "informational", "low", "medium", "high", "critical" };
    char what[2048];
    if (k->kind == K_NETONLY)
        snprintf(what, sizeof what, "Windows Installer fetch by %s with no msiexec event", k->host[0] ? k->host : "an unknown host");
    else if (k->kind == K_INST)
        snprintf(what, sizeof what, "Windows Installer transaction%s%.200s on %.255s from %.1024s",
                 k->proc.image[0] ? " by " : "", k->proc.image[0] ? basename_of(k->proc.image) : "", k->host,
                 k->proc.package);
    else
        snprintf(what, sizeof what, "%.200s on %.255s ran %.1500s",
                 basename_of(k->proc.image[0] ? k->proc.image : "msiexec.exe"), k->host,
                 v->package[0] ? v->package : k->proc.cmdline);
    char fetch[700] = "";
    if (best) {
        char ipb[64];
        mw_addr_str(&best->dst, ipb, sizeof ipb);
        snprintf(fetch, sizeof fetch, "; fetched %.400s from %s%s%s%s", best->url[0] ? best->url : best->host, ipb,
                 best->file_type ? " (" : "", best->file_type ? best->file_type : "", best->file_type ? ")" : "");
    }
    char tail[200];
    snprintf(tail, sizeof tail, "%s%s%s", first_seen ? "; destination never seen before" : "",
             modbad ? "; suspicious module load" : "", a->allowlisted[0] ? "; allowlisted" : "");
    char msg[4096];
    snprintf(msg, sizeof msg, "AN0445 %s: %s%s%s", sevname[sev], what, fetch, tail);
    cp(a->message, sizeof a->message, msg);
}

static void emit(struct correlator *c, struct ccase *k)
{
    if (!c->cfg.alerts)
        return;
    if (k->kind == K_NETONLY) {
        /* a run that joined the fetch took it over */
        for (uint32_t i = 0; i < c->cfg.max_held; i++) {
            const struct held *e = &c->held[i];
            if (e->blob && e->seq == k->netonly_nev && e->claimed_by && e->claimed_by != k->seq) {
                k->dead = true;
                return;
            }
        }
    }
    /* sources named since their join (a Sysmon 3 of another process of
     * the host, logged late): no longer inferred */
    for (unsigned i = 0; i < k->al.nnet; i++) {
        struct alert_net *n = &k->al.net[i];
        const char *h = n->inferred ? identity_lookup(c->id, &n->src, n->ts_us, c->cfg.skew_us, NULL) : NULL;
        if (h && identity_same_host(h, k->host))
            n->inferred = false;
    }
    /* an MsiInstaller transaction names its client by process id only */
    if (k->kind == K_INST && !k->proc.image[0] && k->proc.has_pid) {
        const struct image *m = image_of(c, k->host, k->proc.pid, k->t0 + c->cfg.skew_us);
        if (m) {
            cp(k->proc.image, sizeof k->proc.image, m->path);
            if (!k->proc.guid[0])
                cp(k->proc.guid, sizeof k->proc.guid, m->guid);
        }
    }
    if (k->emitted)
        k->al.revision++;
    finalize(c, k);
    output_alert(c->out, &k->al);
    if (k->emitted)
        c->st.updates++;
    else {
        c->st.alerts++;
        if (k->kind == K_NETONLY)
            c->st.network_only++;
        if (k->al.allowlisted[0])
            c->st.allowlisted++;
    }
    k->emitted = true;
    k->changed = false;
}

void cor_advance(struct correlator *c, uint64_t now_us)
{
    if (now_us > c->now_us)
        c->now_us = now_us;
    uint32_t w = 0;
    for (uint32_t i = 0; i < c->ncases; i++) {
        struct ccase *k = c->cases[i];
        if (!k->dead && !k->emitted && c->now_us > k->close_at)
            emit(c, k);
        else if (!k->dead && k->emitted && k->changed)
            emit(c, k);
        if (k->dead || c->now_us > k->expire_at) {
            free(k);
            continue;
        }
        c->cases[w++] = k;
    }
    c->ncases = w;
}

void cor_finish(struct correlator *c)
{
    for (uint32_t i = 0; i < c->ncases; i++) {
        struct ccase *k = c->cases[i];
        if (!k->dead && (!k->emitted || k->changed))
            emit(c, k);
        free(k);
    }
    c->ncases = 0;
}

/* ---- endpoint side ------------------------------------------------------ */

static void open_run(struct correlator *c, const struct rec_endpoint *r)
{
    const struct msiexec_verdict *v = &r->mx;
    /* the same run seen twice (Sysmon 1 and 4688, or 1040 and 1042): one chain */
    for (uint32_t i = 0; i < c->ncases; i++) {
        struct ccase *k = c->cases[i];
        if (k->kind == K_NETONLY || !identity_same_host(k->host, r->host))
            continue;
        uint64_t d = k->t0 > r->ts_us ? k->t0 - r->ts_us : r->ts_us - k->t0;
        bool same_proc = (r->guid[0] && strcmp(k->guid, r->guid) == 0) ||
                         (r->has_pid && k->has_pid && k->pid == r->pid && d <= 5 * SEC && r->code != 1040 &&
                          r->code != 1042);
        bool same_pkg = (r->code == 1040 || r->code == 1042) && d <= c->cfg.after_us &&
                        (strcasecmp(k->proc.mx.package, v->package) == 0 ||
                         (k->proc.mx.ndest && v->ndest && strcasecmp(k->proc.mx.dest[0].host, v->dest[0].host) == 0));
        if (!same_proc && !same_pkg)
            continue;
        if (r->code == 1040 || r->code == 1042)
            add_reason(&k->al, "msiinstaller-remote-package");
        else if (!k->guid[0] && r->guid[0]) { /* Sysmon after 4688: take its richer record */
            cp(k->guid, sizeof k->guid, r->guid);
            k->proc = *r;
        }
        return;
    }
    struct ccase *k = case_new(c, r->code == 1040 || r->code == 1042 ? K_INST : K_PROC, r->ts_us, r->host);
    if (!k)
        return;
    k->proc = *r;
    cp(k->guid, sizeof k->guid, r->guid);
    k->pid = r->pid;
    k->has_pid = r->has_pid;
    /* what was already held: the run's own events, then the network */
    for (uint32_t i = 0; i < c->cfg.max_events; i++)
        if (c->evs[i].used)
            attach_pev(c, k, &c->evs[i]);
    for (uint32_t i = 0; i < c->cfg.max_held; i++)
        if (c->held[i].blob)
            retry_held(c, k, i);
}

void cor_endpoint(struct correlator *c, const struct rec_endpoint *r)
{
    identity_note_host(c->id, r->host);
    if (r->has_host_ip)
        identity_learn(c->id, &r->host_ip, r->host, ID_HOST_IP, r->ts_us);
    if (r->code == 3 && r->has_src_ip) {
        static const uint8_t lo6[16] = { [15] = 1 };
        bool loop = (mw_addr_is_v4(&r->src_ip) && r->src_ip.b[12] == 127) || !memcmp(r->src_ip.b, lo6, 16);
        if (!loop)
            identity_learn(c->id, &r->src_ip, r->host, ID_SYSMON3, r->ts_us);
    }
    if (r->code == 1 || r->code == 4688)
        image_note(c, r);
    if ((r->code == 1 || r->code == 4688) && r->guid[0]) {
        struct proc *p = proc_slot(c, r->guid, true);
        cp(p->guid, sizeof p->guid, r->guid);
        cp(p->parent, sizeof p->parent, r->parent_guid);
        p->msiexec = r->has_mx && r->mx.is_msiexec;
    }
    if (!c->cfg.alerts)
        return;
    if ((r->code == 1 || r->code == 4688 || r->code == 1040 || r->code == 1042) && r->has_mx && r->mx.suspicious) {
        open_run(c, r);
        return;
    }
    if (r->code != 3 && r->code != 7 && r->code != 22)
        return;
    bool mimg = is_msiexec_image(r->image) || in_msiexec_tree(c, r->guid);
    if (!mimg)
        return;
    /* an msiexec-side event: hold it, and give it to the open runs */
    struct pev *p = &c->evs[c->evs_next];
    if (p->used)
        c->st.events_evicted++;
    c->evs_next = (c->evs_next + 1) % c->cfg.max_events;
    memset(p, 0, sizeof *p);
    p->used = true;
    p->code = r->code;
    p->ts_us = r->ts_us;
    cp(p->host, sizeof p->host, r->host);
    cp(p->guid, sizeof p->guid, r->guid);
    p->pid = r->pid;
    p->msiexec_image = is_msiexec_image(r->image);
    if (r->code == 7) {
        p->mod.ts_us = r->ts_us;
        cp(p->mod.path, sizeof p->mod.path, r->dll_path);
        cp(p->mod.process_guid, sizeof p->mod.process_guid, r->guid);
        p->mod.has_signed = r->has_signed;
        p->mod.is_signed = r->dll_signed;
        cp(p->mod.status, sizeof p->mod.status, r->signature_status);
        module_why(r, &p->mod);
    } else if (r->code == 3) {
        p->has_src = r->has_src_ip;
        p->src = r->src_ip;
        p->has_dst = r->has_dst_ip;
        p->dst = r->dst_ip;
        p->dport = r->dst_port;
    } else {
        cp(p->query, sizeof p->query, r->dst_domain);
        cp(p->results, sizeof p->results, r->query_results);
    }
    for (uint32_t i = 0; i < c->ncases; i++)
        if (c->cases[i]->kind != K_NETONLY) {
            attach_pev(c, c->cases[i], p);
            if (p->code == 3 || p->code == 22) /* a new destination of the run: look again */
                for (uint32_t j = 0; j < c->cfg.max_held; j++)
                    if (c->held[j].blob)
                        retry_held(c, c->cases[i], j);
        }
}

/* ---- network side ------------------------------------------------------- */

/* First-seen for this fetch: no sighting before it, the last one past the
 * history window, or every earlier sighting so close before it that it was
 * the fetch's own (its DNS answer, the OPTIONS before a WebDAV GET). */
static bool fresh(const struct correlator *c, const struct rar_verdict *v, uint64_t ts_us, uint64_t origin)
{
    return v->first_seen || (v->first_seen_us + c->cfg.grace_us >= ts_us && v->first_origin == origin);
}

/* The rarity table's origin tag of a sighting: its client address. */
static uint64_t origin_of(const struct mw_addr *src)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof src->b; i++)
        h = (h ^ src->b[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* Record a destination in the rarity table, with the verdicts of before. */
static void see_dest(struct correlator *c, struct nev *e, const char *name)
{
    /* hosts are counted by client address: the name of an address is not
     * always known at the time (it may come from an event logged later) */
    char who[64];
    mw_addr_str(&e->a.src, who, sizeof who);
    struct mw_addr tmp;
    struct rar_verdict v;
    uint64_t origin = origin_of(&e->a.src);
    e->a.has_fqdn = name && name[0] && !mw_addr_parse(name, &tmp);
    if (e->a.has_fqdn && c->rar) {
        rarity_see_from(c->rar, RAR_FQDN, name, who, origin, e->a.ts_us, &v);
        e->a.first_seen_fqdn = fresh(c, &v, e->a.ts_us, origin);
        e->a.fqdn_first_seen_us = v.first_seen_us;
        e->a.hosts_before = v.hosts;
        char reg[256];
        rarity_domain_of(c->rar, name, reg, sizeof reg);
        if (reg[0]) {
            rarity_see_from(c->rar, RAR_DOMAIN, reg, who, origin, e->a.ts_us, &v);
            e->a.first_seen_domain = fresh(c, &v, e->a.ts_us, origin);
        }
    }
    struct geo_info gi;
    if (c->rar && c->geo && geo_lookup(c->geo, &e->a.dst, &gi) && gi.has_asn) {
        char as[16];
        snprintf(as, sizeof as, "AS%u", gi.asn);
        rarity_see(c->rar, RAR_ASN, as, who, e->a.ts_us, NULL);
    }
    if (c->rar) {
        char ip[64];
        mw_addr_str(&e->a.dst, ip, sizeof ip);
        rarity_see_from(c->rar, RAR_IP, ip, who, origin, e->a.ts_us, &v);
        e->a.first_seen_ip = fresh(c, &v, e->a.ts_us, origin);
        if (!e->a.has_fqdn) {
            e->a.fqdn_first_seen_us = v.first_seen_us;
            e->a.hosts_before = v.hosts;
        }
    }
}

/* A network record to hold: made in c->cur, offered to the open runs,
 * then packed into the ring (keep()). */
static struct nev *hold(struct correlator *c, const struct rec_net *n, const char *dataset)
{
    struct nev *e = &c->cur;
    memset(e, 0, sizeof *e);
    e->seq = ++c->held_seq;
    e->a.ts_us = n->ts_us;
    e->a.dataset = dataset;
    e->a.src = n->src;
    e->a.dst = n->dst;
    e->a.sport = n->sport;
    e->a.dport = n->dport;
    cp(e->a.domain, sizeof e->a.domain, n->dst_domain);
    const char *h = identity_lookup(c->id, &n->src, n->ts_us, c->cfg.skew_us, NULL);
    if (h)
        cp(e->client, sizeof e->client, h);
    return e;
}

/* Zero runs squeezed: a zero byte is followed by the run's length (two
 * bytes); any other byte stands for itself. */
static size_t pack(const uint8_t *p, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (p[i]) { /* the bytes up to the next zero, at once */
            const uint8_t *z = memchr(p + i, 0, n - i);
            size_t k = (z ? (size_t)(z - p) : n) - i;
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
            continue;
        }
        size_t run = 1;
        uint64_t w;
        /* a record is mostly zeros (empty text fields): eight at a time
         * first, then byte by byte to the run's end */
        while (run <= 65535 - 8 && i + run + 8 <= n && (memcpy(&w, p + i + run, 8), w == 0))
            run += 8;
        while (i + run < n && !p[i + run] && run < 65535)
            run++;
        out[o++] = 0;
        out[o++] = (uint8_t)(run & 0xff);
        out[o++] = (uint8_t)(run >> 8);
        i += run;
    }
    return o;
}

static void unpack(const uint8_t *b, size_t len, uint8_t *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o < n;) {
        if (b[i]) {
            out[o++] = b[i++];
            continue;
        }
        size_t run = i + 2 < len ? (size_t)b[i + 1] | (size_t)b[i + 2] << 8 : 0;
        if (run > n - o)
            run = n - o;
        memset(out + o, 0, run);
        o += run;
        i += 3;
    }
    if (o < n)
        memset(out + o, 0, n - o);
}

/* Pack e into ring slot i (replacing what was there). */
static void store(struct correlator *c, uint32_t i, const struct nev *e)
{
    struct held *h = &c->held[i];
    size_t len = pack((const uint8_t *)e, sizeof *e, c->pack_buf);
    uint8_t *b = malloc(len);
    if (!b) { /* no memory: the record is not held (counted as evicted) */
        free(h->blob);
        memset(h, 0, sizeof *h);
        c->st.held_evicted++;
        return;
    }
    memcpy(b, c->pack_buf, len);
    free(h->blob);
    h->blob = b;
    h->len = (uint32_t)len;
    h->seq = e->seq;
    h->claimed_by = e->claimed_by;
}

/* The record made in c->cur goes into the ring; the oldest gives way. */
static void keep(struct correlator *c)
{
    uint32_t i = c->held_next;
    if (c->held[i].blob)
        c->st.held_evicted++;
    c->held_next = (c->held_next + 1) % c->cfg.max_held;
    store(c, i, &c->cur);
}

/* A held record tried again against run k (its events came): unpacked,
 * and packed again if the join changed it. */
static void retry_held(struct correlator *c, struct ccase *k, uint32_t i)
{
    struct nev *e = &c->view;
    unpack(c->held[i].blob, c->held[i].len, (uint8_t *)e, sizeof *e);
    uint64_t claimed = e->claimed_by;
    char client0 = e->client[0];
    if (!client0) {
        /* the address may have been named since it was held (a Sysmon 3
         * logged after the fetch); a new record was looked up by hold() */
        const char *h = identity_lookup(c->id, &e->a.src, e->a.ts_us, c->cfg.skew_us, NULL);
        if (h)
            cp(e->client, sizeof e->client, h);
    }
    try_join(c, k, e);
    if (e->claimed_by != claimed || e->client[0] != client0)
        store(c, i, e);
}

static void offer(struct correlator *c, struct nev *e)
{
    if (!c->cfg.alerts)
        return;
    for (uint32_t i = 0; i < c->ncases; i++)
        try_join(c, c->cases[i], e);
}

void cor_http(struct correlator *c, const struct rec_http *r)
{
    /* msiexec fetches over HTTP with "Windows Installer" (a renamed copy
     * too: the User-Agent comes from msi.dll), the WebDAV redirector with
     * its own; only those, and typed payloads, can join a run. Every
     * other request still counts in the rarity table. */
    bool wi = strncmp(r->user_agent, "Windows Installer", 17) == 0;
    bool typed = r->file_type && strcmp(r->file_type, "other") != 0;
    if (!wi && !r->webdav && !typed) {
        if (c->rar) {
            struct nev tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.a.ts_us = r->n.ts_us;
            tmp.a.src = r->n.src;
            tmp.a.dst = r->n.dst;
            see_dest(c, &tmp, r->host[0] ? r->host : NULL);
        }
        return;
    }
    struct nev *e = hold(c, &r->n, "msiwatch.http");
    cp(e->a.host, sizeof e->a.host, r->host);
    cp(e->a.url, sizeof e->a.url, r->webdav && r->unc[0] ? r->unc : r->url);
    cp(e->a.user_agent, sizeof e->a.user_agent, r->user_agent);
    e->a.file_type = r->file_type;
    e->a.has_hash = r->has_hash;
    memcpy(e->a.sha256, r->sha256, 32);
    e->a.size = r->size;
    e->a.webdav = r->webdav;
    e->a.windows_installer = strncmp(r->user_agent, "Windows Installer", 17) == 0;
    see_dest(c, e, r->host[0] ? r->host : NULL);
    offer(c, e);
    /* the network-only chain: a Windows Installer fetch of a verified MSI or
     * DLL from a destination never seen before */
    bool payload = r->file_type && (!strcmp(r->file_type, "msi") || !strcmp(r->file_type, "msp") ||
                                    !strcmp(r->file_type, "mst") || !strcmp(r->file_type, "pe-dll"));
    bool fs = e->a.has_fqdn ? e->a.first_seen_fqdn : e->a.first_seen_ip;
    if (c->cfg.alerts && e->a.windows_installer && payload && r->has_hash && fs && !e->claimed_by) {
        char who[256];
        if (e->client[0])
            cp(who, sizeof who, e->client);
        else
            mw_addr_str(&r->n.src, who, sizeof who);
        struct ccase *k = case_new(c, K_NETONLY, r->n.ts_us, who);
        if (k) {
            k->netonly_nev = e->seq;
            k->al.net[0] = e->a;
            k->al.net[0].matched = "windows-installer";
            k->al.nnet = 1;
        }
    }
    keep(c);
}

void cor_tls(struct correlator *c, const struct rec_tls *r)
{
    struct nev *e = hold(c, &r->n, "msiwatch.tls");
    cp(e->a.host, sizeof e->a.host, r->sni);
    cp(e->a.url, sizeof e->a.url, r->sni);
    see_dest(c, e, r->sni[0] ? r->sni : NULL);
    offer(c, e);
    keep(c);
}

void cor_smb(struct correlator *c, const struct rec_smb *r)
{
    if (r->workstation[0])
        identity_learn(c->id, &r->n.src, r->workstation, ID_NTLMSSP, r->n.ts_us);
    struct nev *e = hold(c, &r->n, "msiwatch.smb");
    /* \\server\share -> server, share */
    const char *t = r->tree;
    if (t[0] == '\\' && t[1] == '\\') {
        const char *s = strchr(t + 2, '\\');
        size_t hl = s ? (size_t)(s - t - 2) : strlen(t + 2);
        snprintf(e->a.host, sizeof e->a.host, "%.*s", (int)(hl < 255 ? hl : 255), t + 2);
        if (s)
            cp(e->share, sizeof e->share, s + 1);
    }
    cp(e->a.url, sizeof e->a.url, r->path[0] ? r->path : r->tree);
    see_dest(c, e, e->a.host[0] ? e->a.host : NULL);
    offer(c, e);
    keep(c);
}

void cor_dns(struct correlator *c, const struct rec_dns *r)
{
    if (!r->response || r->nresolved == 0 || !r->qname[0])
        return;
    /* names that endpoint events carry: their addresses are those hosts' */
    if (identity_known_host(c->id, r->qname))
        for (unsigned i = 0; i < r->nresolved && i < REC_DNS_MAX; i++)
            identity_learn(c->id, &r->resolved[i], r->qname, ID_DNS, r->n.ts_us);
    if (c->rar) {
        char who[64];
        mw_addr_str(&r->n.src, who, sizeof who);
        uint64_t origin = origin_of(&r->n.src);
        rarity_see_from(c->rar, RAR_FQDN, r->qname, who, origin, r->n.ts_us, NULL);
        char reg[256];
        rarity_domain_of(c->rar, r->qname, reg, sizeof reg);
        if (reg[0])
            rarity_see_from(c->rar, RAR_DOMAIN, reg, who, origin, r->n.ts_us, NULL);
    }
}

void cor_dhcp(struct correlator *c, const struct rec_dhcp *r)
{
    if (r->hostname[0] && r->has_assigned)
        identity_learn(c->id, &r->assigned, r->hostname, ID_DHCP, r->n.ts_us);
}

void cor_flow(struct correlator *c, const struct rec_flow *r)
{
    if (!c->rar || r->pkts[1] == 0)
        return; /* a server that never answered is not a destination that was used */
    char ip[64], who[64];
    mw_addr_str(&r->dst, ip, sizeof ip);
    mw_addr_str(&r->src, who, sizeof who);
    rarity_see_from(c->rar, RAR_IP, ip, who, origin_of(&r->src), r->start_us, NULL);
}
