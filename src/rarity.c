/* rarity.c -- the rarity table (see rarity.h): an open-addressing cache in
 * front of SQLite. A key read once stays in the cache; changes mark it
 * dirty and are written in one transaction per batch. */
#include "rarity.h"
#include "table.h"
#include "text.h"

#include <libpsl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define PROBES 16
#define HOSTS_CACHED 8
#define PAIRS_MIN (1u << 13)          /* (key, host) pairs known to be in the table: 64 KiB at first, */
#define PAIRS_MAX (1u << 20)          /* doubled at a quarter full up to 8 MiB (memory first touched
                                       * is dear: the mix's 22,000 pairs spread over all 8 MiB) */
#define DAY_US (86400ull * 1000000ull)

struct entry {
    bool used, dirty;
    uint8_t kind;
    uint64_t first_us, last_us, hits, hosts;
    uint64_t origin;                  /* of the first sighting, this run (0: unknown) */
    uint32_t host_hash[HOSTS_CACHED]; /* hosts already counted, this run */
    unsigned nhost;
    char key[256];
};

struct rarity {
    struct rarity_cfg cfg;
    sqlite3 *db;
    sqlite3_stmt *get, *put, *host, *meta_put;
    bool in_txn;
    struct entry *e;
    uint32_t *tag;                    /* per entry: 0 never used, else its key's hash | 1; a
                                       * search reads these 4 bytes, not the 344 of an entry */
    uint32_t mask;
    uint32_t *dirty;                  /* indices of dirty entries */
    uint32_t ndirty;
    uint64_t obs_start_us;            /* 0: nothing seen yet */
    bool obs_dirty;
    uint64_t last_flush_ms;
    uint64_t *pairs;                  /* hashes of (kind, key, host) already inserted: a popular
                                       * destination's later sightings cost no statement */
    uint32_t npairs, pair_slots;
    struct reg_slot *regs;            /* rarity_domain_of's: names and their registered domains */
    struct rarity_stats st;
};

#define REG_SLOTS 256
struct reg_slot {
    bool used;
    int16_t off;                      /* where the registered domain starts in name; -1: none */
    uint32_t hash;
    char name[256];
};

static const char *const kind_names[RAR__COUNT] = { "fqdn", "domain", "ip", "asn" };

const char *rarity_kind_name(enum rar_kind k)
{
    return (unsigned)k < RAR__COUNT ? kind_names[k] : "?";
}

void rarity_cfg_defaults(struct rarity_cfg *c)
{
    c->history_us = 30 * DAY_US;
    c->baseline_us = 7 * DAY_US;
    c->cache_entries = 32768;
    c->flush_ms = 1000;
    c->max_hosts = 256;
}

static uint32_t hash_bytes(unsigned kind, const char *s, size_t n)
{
    uint32_t h = 2166136261u ^ kind;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static uint32_t hash_key(unsigned kind, const char *s)
{
    return hash_bytes(kind, s, strlen(s));
}

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS destinations(kind TEXT NOT NULL, key TEXT NOT NULL,"
    " first_seen_us INTEGER NOT NULL, last_seen_us INTEGER NOT NULL, hits INTEGER NOT NULL,"
    " hosts INTEGER NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS destination_hosts(kind TEXT NOT NULL, key TEXT NOT NULL, host TEXT NOT NULL,"
    " PRIMARY KEY (kind, key, host)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');";

struct rarity *rarity_open(const char *path, const struct rarity_cfg *cfg, char *err, size_t errlen)
{
    struct rarity *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    uint32_t n = 64;
    while (n < cfg->cache_entries && n < (1u << 24))
        n <<= 1;
    /* plain pages, faulted in as keys land: a network talks to far fewer
     * destinations than the cache holds, and 2 MiB pages would make all of
     * its 11 MB resident (the pairs, by contrast, are many and spread) */
    r->e = sparse_alloc(n, sizeof *r->e);
    r->tag = calloc(n, sizeof *r->tag);
    r->dirty = calloc(n, sizeof *r->dirty);
    r->pair_slots = PAIRS_MIN;
    r->pairs = table_alloc(r->pair_slots, sizeof *r->pairs);
    r->regs = calloc(REG_SLOTS, sizeof *r->regs);
    r->mask = n - 1;
    if (!r->e || !r->tag || !r->dirty || !r->pairs || !r->regs) {
        snprintf(err, errlen, "out of memory for the rarity cache");
        goto fail;
    }
    /* One thread uses the connection (the one that delivers records): no
     * mutex around each call (SQLITE_OPEN_NOMUTEX), and, where SQLite is not
     * yet initialised in this process, no count of its memory behind a
     * global mutex at every allocation (three per statement). */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE once initialised: nothing changes */
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the state file: %s", path, r->db ? sqlite3_errmsg(r->db) : "?");
        goto fail;
    }
    sqlite3_busy_timeout(r->db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(r->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: not a usable state file: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    sqlite3_stmt *ver = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &ver, NULL) ==
            SQLITE_OK &&
        sqlite3_step(ver) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(ver, 0), "1") != 0) {
        snprintf(err, errlen, "%s: state file schema version %s, this msiwatch reads version 1", path,
                 sqlite3_column_text(ver, 0));
        sqlite3_finalize(ver);
        goto fail;
    }
    sqlite3_finalize(ver);
    if (sqlite3_prepare_v2(r->db,
                           "SELECT first_seen_us, last_seen_us, hits, hosts FROM destinations"
                           " WHERE kind=?1 AND key=?2", -1, &r->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db,
                           "INSERT INTO destinations VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(kind, key) DO"
                           " UPDATE SET first_seen_us=min(first_seen_us, excluded.first_seen_us),"
                           " last_seen_us=max(last_seen_us, excluded.last_seen_us), hits=excluded.hits,"
                           " hosts=max(hosts, excluded.hosts)", -1, &r->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO destination_hosts VALUES (?1, ?2, ?3)", -1, &r->host,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO meta VALUES (?1, ?2)", -1, &r->meta_put, NULL) !=
            SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
        goto fail;
    }
    sqlite3_stmt *obs = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key='observation_start_us'", -1, &obs, NULL) ==
            SQLITE_OK &&
        sqlite3_step(obs) == SQLITE_ROW)
        r->obs_start_us = (uint64_t)sqlite3_column_int64(obs, 0);
    sqlite3_finalize(obs);
    r->last_flush_ms = mw_mono_coarse_ms();
    return r;
fail:
    rarity_close(r, NULL, 0);
    return NULL;
}

static void txn_begin(struct rarity *r)
{
    if (!r->in_txn && sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        r->in_txn = true;
}

static void write_entry(struct rarity *r, struct entry *e)
{
    txn_begin(r);
    sqlite3_bind_text(r->put, 1, kind_names[e->kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(r->put, 2, e->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(r->put, 3, (sqlite3_int64)e->first_us);
    sqlite3_bind_int64(r->put, 4, (sqlite3_int64)e->last_us);
    sqlite3_bind_int64(r->put, 5, (sqlite3_int64)e->hits);
    sqlite3_bind_int64(r->put, 6, (sqlite3_int64)e->hosts);
    if (sqlite3_step(r->put) != SQLITE_DONE)
        r->st.errors++;
    else
        r->st.db_writes++;
    sqlite3_reset(r->put);
    e->dirty = false;
}

void rarity_flush(struct rarity *r, bool force)
{
    if (!r)
        return;
    uint64_t now = mw_mono_coarse_ms(); /* asked at every sighting */
    if (!force && now - r->last_flush_ms < r->cfg.flush_ms)
        return;
    r->last_flush_ms = now;
    for (uint32_t i = 0; i < r->ndirty; i++) {
        struct entry *e = &r->e[r->dirty[i]];
        if (e->used && e->dirty)
            write_entry(r, e);
    }
    r->ndirty = 0;
    if (r->obs_dirty) {
        txn_begin(r);
        char v[32];
        snprintf(v, sizeof v, "%llu", (unsigned long long)r->obs_start_us);
        sqlite3_bind_text(r->meta_put, 1, "observation_start_us", -1, SQLITE_STATIC);
        sqlite3_bind_text(r->meta_put, 2, v, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(r->meta_put) != SQLITE_DONE)
            r->st.errors++;
        sqlite3_reset(r->meta_put);
        r->obs_dirty = false;
    }
    if (r->in_txn) {
        if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            r->st.errors++;
        r->in_txn = false;
        r->st.batches++;
    }
}

int rarity_close(struct rarity *r, char *err, size_t errlen)
{
    if (!r)
        return 0;
    int rc = 0;
    if (r->db) {
        uint64_t errors = r->st.errors;
        if (r->put)
            rarity_flush(r, true);
        if (r->st.errors != errors && err) {
            snprintf(err, errlen, "state file: %s", sqlite3_errmsg(r->db));
            rc = -1;
        }
        sqlite3_finalize(r->get);
        sqlite3_finalize(r->put);
        sqlite3_finalize(r->host);
        sqlite3_finalize(r->meta_put);
        sqlite3_close(r->db);
    }
    sparse_free(r->e, r->mask + 1, sizeof *r->e);
    free(r->tag);
    free(r->dirty);
    table_free(r->pairs, r->pair_slots, sizeof *r->pairs);
    free(r->regs);
    free(r);
    return rc;
}

static uint64_t pair_hash(unsigned kind, const char *key, const char *host)
{
    uint64_t h = 1469598103934665603ull ^ kind;
    for (const char *s = key; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *s = host; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h ? h : 1;
}

/* Whether the pair of hash h (pair_hash) is known to be in
 * destination_hosts already (*seen), else the slot to remember it in once
 * inserted (a full probe sequence gives its first slot: the pair it held is
 * inserted again with OR IGNORE when it comes back, which costs a
 * statement, not a count). */
static uint64_t *probe(uint64_t *t, uint32_t slots, uint64_t h, bool *seen)
{
    uint64_t *free_slot = NULL;
    for (uint32_t k = 0; k < 4; k++) {
        uint64_t *p = &t[(h + k) & (slots - 1)];
        if (*p == h) {
            *seen = true;
            return NULL;
        }
        if (!*p && !free_slot)
            free_slot = p;
    }
    *seen = false;
    return free_slot ? free_slot : &t[h & (slots - 1)];
}

static uint64_t *pair_slot(struct rarity *r, uint64_t h, bool *seen)
{
    return probe(r->pairs, r->pair_slots, h, seen);
}

/* Twice the slots, the hashes moved over (where out of memory, the table
 * stays as it is: it only spares statements). */
static void pairs_grow(struct rarity *r)
{
    uint32_t n = r->pair_slots * 2;
    uint64_t *t = table_alloc(n, sizeof *t), *old = r->pairs;
    if (t == NULL)
        return;
    uint32_t used = 0;
    for (uint32_t i = 0; i < r->pair_slots; i++) {
        bool seen;
        uint64_t h = old[i], *slot = h ? probe(t, n, h, &seen) : NULL;
        if (slot == NULL) /* an empty slot (no hash is stored twice) */
            continue;
        used += *slot == 0;
        *slot = h;
    }
    table_free(old, r->pair_slots, sizeof *old);
    r->pairs = t;
    r->pair_slots = n;
    r->npairs = used;
}

/* Remember pair hash h in slot (pair_slot's). */
static void pair_remember(struct rarity *r, uint64_t *slot, uint64_t h)
{
    r->npairs += *slot == 0;
    *slot = h;
    if (r->npairs > r->pair_slots / 4 && r->pair_slots < PAIRS_MAX)
        pairs_grow(r);
}

/* The cache entry of (kind, key), read from the table on a miss. An entry
 * is never emptied (a full probe sequence evicts in place) and a new one
 * takes the first never-used slot of its sequence, so a search ends at the
 * first never-used slot: the key is not further on. A key is its first 255
 * characters, as the entry and the table keep it: a longer one is found
 * again under them. */
static struct entry *get(struct rarity *r, enum rar_kind kind, const char *key)
{
    size_t n = strnlen(key, sizeof r->e->key - 1);
    uint32_t h = hash_bytes(kind, key, n), tag = h | 1, vi = UINT32_MAX;
    for (uint32_t k = 0; k < PROBES; k++) {
        uint32_t i = (h + k) & r->mask;
        if (r->tag[i] == 0) {
            vi = i;
            break;
        }
        struct entry *e = &r->e[i];
        if (r->tag[i] == tag && e->kind == kind && e->key[n] == '\0' && memcmp(e->key, key, n) == 0)
            return e;
    }
    if (vi == UINT32_MAX) { /* full: evict the probed entry seen longest ago */
        for (uint32_t k = 0; k < PROBES; k++) {
            uint32_t i = (h + k) & r->mask;
            if (vi == UINT32_MAX || r->e[i].last_us < r->e[vi].last_us)
                vi = i;
        }
        if (r->e[vi].dirty)
            write_entry(r, &r->e[vi]);
        r->st.cache_evictions++;
    }
    r->tag[vi] = tag;
    struct entry *e = &r->e[vi];
    memset(e, 0, sizeof *e);
    e->used = true;
    e->kind = (uint8_t)kind;
    text_set(e->key, sizeof e->key, key);
    sqlite3_bind_text(r->get, 1, kind_names[kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(r->get, 2, e->key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(r->get);
    if (rc == SQLITE_ROW) {
        e->first_us = (uint64_t)sqlite3_column_int64(r->get, 0);
        e->last_us = (uint64_t)sqlite3_column_int64(r->get, 1);
        e->hits = (uint64_t)sqlite3_column_int64(r->get, 2);
        e->hosts = (uint64_t)sqlite3_column_int64(r->get, 3);
    } else if (rc != SQLITE_DONE) {
        r->st.errors++;
    }
    sqlite3_reset(r->get);
    r->st.db_reads++;
    return e;
}

static void verdict(const struct rarity *r, const struct entry *e, uint64_t ts_us, struct rar_verdict *v)
{
    if (!v)
        return;
    memset(v, 0, sizeof *v);
    bool known = e->hits > 0 && e->first_us < ts_us;
    v->first_seen = !known || (ts_us > e->last_us && ts_us - e->last_us > r->cfg.history_us);
    if (known) {
        v->first_origin = e->origin;
        v->first_seen_us = e->first_us;
        v->last_seen_us = e->last_us;
        v->hosts = e->hosts;
    }
}

void rarity_peek(struct rarity *r, enum rar_kind kind, const char *key, uint64_t ts_us, struct rar_verdict *v)
{
    verdict(r, get(r, kind, key), ts_us, v);
}

void rarity_see(struct rarity *r, enum rar_kind kind, const char *key, const char *host, uint64_t ts_us,
                struct rar_verdict *v)
{
    rarity_see_from(r, kind, key, host, 0, ts_us, v);
}

void rarity_see_from(struct rarity *r, enum rar_kind kind, const char *key, const char *host, uint64_t origin,
                     uint64_t ts_us, struct rar_verdict *v)
{
    if (!key || !key[0])
        return;
    struct entry *e = get(r, kind, key);
    verdict(r, e, ts_us, v);
    r->st.sightings++;
    if (e->hits == 0) {
        r->st.new_keys++;
        e->first_us = e->last_us = ts_us;
        e->origin = origin;
    }
    if (ts_us < e->first_us) {
        e->first_us = ts_us;
        e->origin = origin;
    }
    if (ts_us > e->last_us)
        e->last_us = ts_us;
    e->hits++;
    if (host && host[0] && e->hosts >= r->cfg.max_hosts) {
        r->st.hosts_capped++; /* enough hosts to say "many": no row, no statement */
    } else if (host && host[0]) {
        uint32_t hh = hash_key(0, host);
        bool seen = false;
        for (unsigned i = 0; i < e->nhost; i++)
            seen |= e->host_hash[i] == hh;
        uint64_t ph = seen ? 0 : pair_hash(kind, e->key, host);
        uint64_t *slot = seen ? NULL : pair_slot(r, ph, &seen);
        if (!seen) {
            if (slot)
                pair_remember(r, slot, ph);
            if (e->nhost < HOSTS_CACHED)
                e->host_hash[e->nhost++] = hh;
            txn_begin(r);
            sqlite3_bind_text(r->host, 1, kind_names[kind], -1, SQLITE_STATIC);
            sqlite3_bind_text(r->host, 2, e->key, -1, SQLITE_STATIC);
            sqlite3_bind_text(r->host, 3, host, -1, SQLITE_STATIC); /* read by the step below, before reset */
            r->st.host_inserts++;
            if (sqlite3_step(r->host) != SQLITE_DONE)
                r->st.errors++;
            else if (sqlite3_changes(r->db) > 0)
                e->hosts++;
            sqlite3_reset(r->host);
        }
    }
    if (!e->dirty) {
        e->dirty = true;
        r->dirty[r->ndirty++] = (uint32_t)(e - r->e);
        if (r->ndirty > r->mask) /* every entry dirty: write now */
            rarity_flush(r, true);
    }
    if (r->obs_start_us == 0 || ts_us < r->obs_start_us) {
        r->obs_start_us = ts_us;
        r->obs_dirty = true;
    }
    rarity_flush(r, false);
}

uint64_t rarity_observation_start(const struct rarity *r)
{
    return r->obs_start_us;
}

unsigned rarity_baseline_days(const struct rarity *r, uint64_t ts_us)
{
    if (r->obs_start_us == 0 || ts_us <= r->obs_start_us)
        return 0;
    return (unsigned)((ts_us - r->obs_start_us) / DAY_US);
}

bool rarity_baseline_complete(const struct rarity *r, uint64_t ts_us)
{
    return r->obs_start_us != 0 && ts_us > r->obs_start_us && ts_us - r->obs_start_us >= r->cfg.baseline_us;
}

void rarity_registered_domain(const char *fqdn, char *out, size_t cap)
{
    static const psl_ctx_t *psl;
    if (!psl)
        psl = psl_builtin();
    out[0] = '\0';
    if (!psl || !fqdn || !fqdn[0])
        return;
    const char *d = psl_registrable_domain(psl, fqdn);
    if (d)
        text_set(out, cap, d);
}

void rarity_domain_of(struct rarity *r, const char *fqdn, char *out, size_t cap)
{
    size_t len = strlen(fqdn);
    uint32_t h = hash_key(0, fqdn);
    struct reg_slot *s = &r->regs[h % REG_SLOTS];
    if (s->used && s->hash == h && strcmp(s->name, fqdn) == 0) {
        text_set(out, cap, s->off < 0 ? "" : fqdn + s->off);
        return;
    }
    rarity_registered_domain(fqdn, out, cap);
    size_t olen = strlen(out);
    if (len >= sizeof s->name || olen > len || (olen && strcmp(fqdn + len - olen, out) != 0))
        return; /* too long, or (cut by cap) not a suffix: not remembered */
    s->used = true;
    s->hash = h;
    s->off = olen ? (int16_t)(len - olen) : -1;
    memcpy(s->name, fqdn, len + 1);
}

const struct rarity_stats *rarity_stats(const struct rarity *r)
{
    return &r->st;
}
