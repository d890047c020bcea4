/* rarity.h -- the rarity table of DESIGN.md section 6: every destination the
 * sensor sees, at several keys (FQDN, registered domain through libpsl, IP,
 * AS number when known), with first seen, last seen, hits and how many
 * internal hosts used it, kept in an SQLite file (WAL) that survives
 * restarts and can be read with the sqlite3 shell. Lookups go through an
 * in-memory cache; changes are written in batches (every flush_ms of wall
 * clock, and at exit), so a crash loses at most the last batch.
 *
 * Schema (version 1):
 *   meta(key TEXT PRIMARY KEY, value TEXT)       -- schema_version, observation_start_us
 *   destinations(kind TEXT, key TEXT, first_seen_us INTEGER, last_seen_us INTEGER,
 *                hits INTEGER, hosts INTEGER, PRIMARY KEY (kind, key)) WITHOUT ROWID
 *   destination_hosts(kind TEXT, key TEXT, host TEXT, PRIMARY KEY (kind, key, host)) WITHOUT ROWID
 * kind is fqdn, domain, ip or asn (as "AS64500", when -G loads an ASN
 * database); times are UTC microseconds. Files made before the tables were
 * WITHOUT ROWID keep their tables and work the same. */
#ifndef MW_RARITY_H
#define MW_RARITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rar_kind { RAR_FQDN = 0, RAR_DOMAIN, RAR_IP, RAR_ASN, RAR__COUNT };

struct rarity_cfg {
    uint64_t history_us;     /* a sighting older than this does not count (default 30 days) */
    uint64_t baseline_us;    /* less history than this: the verdict says so (default 7 days) */
    uint32_t cache_entries;  /* in-memory cache bound (default 262144) */
    unsigned flush_ms;       /* batch interval (default 1000) */
    uint32_t max_hosts;      /* client addresses recorded per destination (default 256): past
                              * it a destination's hosts stay at the bound ("or more") */
};

/* What the table knew of a key just before a sighting. */
struct rar_verdict {
    bool first_seen;         /* no sighting before, or the last one older than the history window */
    uint64_t first_seen_us;  /* of the earlier sighting (0 when none) */
    uint64_t last_seen_us;
    uint64_t hosts;          /* internal hosts that had used it before */
    uint64_t first_origin;   /* the origin rarity_see_from gave the first sighting (0: unknown) */
};

struct rarity_stats {
    uint64_t sightings, new_keys, db_reads, db_writes, batches, cache_evictions, errors;
    uint64_t hosts_capped;   /* sightings of a destination already at max_hosts: the host not looked at */
    uint64_t host_inserts;   /* statements adding a (destination, client) row, new or not: what the
                              * memory of pairs already inserted did not spare */
};

struct rarity;

void rarity_cfg_defaults(struct rarity_cfg *c);
/* Open (creating) the table at path. Returns NULL with err set. */
struct rarity *rarity_open(const char *path, const struct rarity_cfg *cfg, char *err, size_t errlen);
/* Write what is pending and close. Returns 0, or -1 with err set. */
int rarity_close(struct rarity *r, char *err, size_t errlen);
/* A sighting of key (of kind) by host at ts_us; *v (may be NULL) gets the
 * verdict as of just before it. */
void rarity_see(struct rarity *r, enum rar_kind kind, const char *key, const char *host, uint64_t ts_us,
                struct rar_verdict *v);
/* The same, with an origin (the caller's tag for where the sighting came
 * from, such as a hash of the client address; not stored in the file) that
 * later verdicts report for the first sighting. */
void rarity_see_from(struct rarity *r, enum rar_kind kind, const char *key, const char *host, uint64_t origin,
                     uint64_t ts_us, struct rar_verdict *v);
/* The verdict without recording a sighting. */
void rarity_peek(struct rarity *r, enum rar_kind kind, const char *key, uint64_t ts_us, struct rar_verdict *v);
/* Write pending changes if the batch interval has passed (force: now). */
void rarity_flush(struct rarity *r, bool force);
/* Since when the table has been observing (UTC microseconds), and how many
 * whole days of history lie behind ts_us. */
uint64_t rarity_observation_start(const struct rarity *r);
unsigned rarity_baseline_days(const struct rarity *r, uint64_t ts_us);
bool rarity_baseline_complete(const struct rarity *r, uint64_t ts_us);
/* The registered domain of a host name (libpsl), into out; "" if none. */
void rarity_registered_domain(const char *fqdn, char *out, size_t cap);
/* The same, remembered per name in r (libpsl's lookup was 2% of a replay's
 * instructions, for a few hundred names asked again and again). */
void rarity_domain_of(struct rarity *r, const char *fqdn, char *out, size_t cap);
const struct rarity_stats *rarity_stats(const struct rarity *r);
const char *rarity_kind_name(enum rar_kind k);

#endif
