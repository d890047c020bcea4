/* test_rarity.c -- the rarity table (rarity.c) on a real SQLite file:
 * verdicts before each sighting, persistence across a reopen, the history
 * window, the baseline, distinct hosts, registered domains, the schema a
 * user reads with sqlite3, and a file that is not a state file. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rarity.h"
#include "tap.h"

#define DAY (86400ull * 1000000ull)
#define T0 (1700000000ull * 1000000ull)

static char path[256];

static long long q(const char *sql)
{
    sqlite3 *db;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -2;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/msiwatch-test-rarity-%d.db", (int)getpid());
    unlink(path);
    struct rarity_cfg cfg;
    rarity_cfg_defaults(&cfg);
    char err[256];
    struct rar_verdict v;
    struct rarity *r;

    TEST_BEGIN("a new key is first-seen; the next sighting is not, and knows the first");
    r = rarity_open(path, &cfg, err, sizeof err);
    CHECK(r != NULL);
    rarity_see(r, RAR_FQDN, "cdn.example.com", "ws01", T0, &v);
    CHECK(v.first_seen);
    CHECK_U64(v.first_seen_us, 0);
    rarity_see(r, RAR_FQDN, "cdn.example.com", "ws02", T0 + 10 * 1000000ull, &v);
    CHECK(!v.first_seen);
    CHECK_U64(v.first_seen_us, T0);
    CHECK_U64(v.hosts, 1);
    rarity_see(r, RAR_FQDN, "cdn.example.com", "ws01", T0 + 20 * 1000000ull, &v);
    CHECK_U64(v.hosts, 2);
    TEST_END();

    TEST_BEGIN("the same second: a sighting at the time of the first is still first-seen");
    rarity_peek(r, RAR_FQDN, "cdn.example.com", T0, &v);
    CHECK(v.first_seen);
    TEST_END();

    TEST_BEGIN("the origin of the first sighting is reported, and moves with an earlier one");
    rarity_see_from(r, RAR_FQDN, "origin.example.com", "10.0.0.1", 77, T0 + 100, &v);
    CHECK(v.first_seen);
    CHECK_U64(v.first_origin, 0);
    rarity_see_from(r, RAR_FQDN, "origin.example.com", "10.0.0.2", 88, T0 + 200, &v);
    CHECK(!v.first_seen);
    CHECK_U64(v.first_origin, 77);
    rarity_see_from(r, RAR_FQDN, "origin.example.com", "10.0.0.2", 99, T0 + 50, &v);
    rarity_peek(r, RAR_FQDN, "origin.example.com", T0 + 300, &v);
    CHECK_U64(v.first_origin, 99);
    CHECK_U64(v.first_seen_us, T0 + 50);
    rarity_see(r, RAR_FQDN, "origin.example.com", "10.0.0.3", T0 + 10, &v); /* rarity_see: origin unknown */
    rarity_peek(r, RAR_FQDN, "origin.example.com", T0 + 300, &v);
    CHECK_U64(v.first_origin, 0);
    TEST_END();

    TEST_BEGIN("a destination used by more hosts than the cache holds: each host counted once");
    for (int round = 0; round < 3; round++)
        for (int h = 0; h < 20; h++) {
            char host[32];
            snprintf(host, sizeof host, "10.9.0.%d", h);
            rarity_see(r, RAR_IP, "192.0.2.77", host, T0 + 1000 + (uint64_t)(round * 20 + h), NULL);
        }
    rarity_peek(r, RAR_IP, "192.0.2.77", T0 + 5000, &v);
    CHECK_U64(v.hosts, 20);
    TEST_END();

    TEST_BEGIN("a key longer than the 255 characters kept: found again under its first 255");
    {
        char longkey[301], other[301];
        memset(longkey, 'a', 300);
        longkey[300] = '\0';
        memcpy(other, longkey, sizeof other);
        other[299] = 'b'; /* differs past the 255th character: the same destination */
        uint64_t reads = rarity_stats(r)->db_reads;
        rarity_see(r, RAR_FQDN, longkey, "ws01", T0 + 1000, &v);
        CHECK(v.first_seen);
        rarity_see(r, RAR_FQDN, longkey, "ws02", T0 + 2000, &v);
        CHECK(!v.first_seen);
        CHECK_U64(v.first_seen_us, T0 + 1000);
        CHECK_U64(v.hosts, 1);
        rarity_see(r, RAR_FQDN, other, "ws03", T0 + 3000, &v);
        CHECK(!v.first_seen);
        CHECK_U64(v.hosts, 2);
        longkey[255] = '\0'; /* the key as the table keeps it */
        rarity_peek(r, RAR_FQDN, longkey, T0 + 4000, &v);
        CHECK(!v.first_seen);
        CHECK_U64(v.hosts, 3);
        CHECK_U64(rarity_stats(r)->db_reads - reads, 1); /* one entry, read once */
    }
    TEST_END();

    TEST_BEGIN("kinds are separate keys");
    rarity_see(r, RAR_IP, "cdn.example.com", "ws01", T0 + DAY, &v);
    CHECK(v.first_seen);
    TEST_END();

    TEST_BEGIN("baseline: days of history behind a time, complete after the baseline period");
    CHECK_U64(rarity_observation_start(r), T0);
    CHECK_EQ(rarity_baseline_days(r, T0 + 3 * DAY + 5), 3);
    CHECK(!rarity_baseline_complete(r, T0 + 6 * DAY));
    CHECK(rarity_baseline_complete(r, T0 + 7 * DAY));
    TEST_END();

    TEST_BEGIN("close writes everything; sqlite3 reads the documented schema");
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    CHECK_EQ(q("SELECT hits FROM destinations WHERE kind='fqdn' AND key='cdn.example.com'"), 3);
    CHECK_EQ(q("SELECT hosts FROM destinations WHERE kind='fqdn' AND key='cdn.example.com'"), 2);
    CHECK_EQ(q("SELECT first_seen_us FROM destinations WHERE kind='fqdn' AND key='cdn.example.com'"), (long long)T0);
    CHECK_EQ(q("SELECT last_seen_us FROM destinations WHERE kind='fqdn' AND key='cdn.example.com'"),
             (long long)(T0 + 20 * 1000000ull));
    CHECK_EQ(q("SELECT count(*) FROM destination_hosts WHERE kind='fqdn' AND key='cdn.example.com'"), 2);
    CHECK_EQ(q("SELECT value FROM meta WHERE key='schema_version'"), 1);
    CHECK_EQ(q("SELECT value FROM meta WHERE key='observation_start_us'"), (long long)T0);
    TEST_END();

    TEST_BEGIN("a restart keeps the history: known keys are not first-seen, hosts are not counted twice");
    r = rarity_open(path, &cfg, err, sizeof err);
    CHECK(r != NULL);
    rarity_see(r, RAR_FQDN, "cdn.example.com", "ws01", T0 + 2 * DAY, &v);
    CHECK(!v.first_seen);
    CHECK_U64(v.first_seen_us, T0);
    CHECK_U64(v.hosts, 2);
    rarity_see(r, RAR_FQDN, "cdn.example.com", "ws03", T0 + 2 * DAY + 1, &v);
    CHECK_U64(v.hosts, 2);
    rarity_peek(r, RAR_FQDN, "cdn.example.com", T0 + 3 * DAY, &v);
    CHECK_U64(v.hosts, 3);
    CHECK_U64(rarity_observation_start(r), T0);
    TEST_END();

    TEST_BEGIN("history window: a key last seen more than 30 days ago is first-seen again");
    rarity_peek(r, RAR_FQDN, "cdn.example.com", T0 + 2 * DAY + 30 * DAY + 2, &v);
    CHECK(v.first_seen);
    CHECK_U64(v.first_seen_us, T0); /* it still says when it was first seen */
    rarity_peek(r, RAR_FQDN, "cdn.example.com", T0 + 2 * DAY + 29 * DAY, &v);
    CHECK(!v.first_seen);
    TEST_END();

    TEST_BEGIN("a replay of older traffic moves first_seen back and the observation start");
    rarity_see(r, RAR_FQDN, "cdn.example.com", "ws01", T0 - DAY, &v);
    CHECK(v.first_seen); /* nothing was known before that time */
    rarity_peek(r, RAR_FQDN, "cdn.example.com", T0, &v);
    CHECK_U64(v.first_seen_us, T0 - DAY);
    CHECK_U64(rarity_observation_start(r), T0 - DAY);
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    CHECK_EQ(q("SELECT value FROM meta WHERE key='observation_start_us'"), (long long)(T0 - DAY));
    TEST_END();

    TEST_BEGIN("a small cache evicts (dirty entries are written first) and loses nothing");
    struct rarity_cfg small = cfg;
    small.cache_entries = 64;
    r = rarity_open(path, &small, err, sizeof err);
    char key[64];
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof key, "h%d.example.net", i);
        rarity_see(r, RAR_FQDN, key, "ws01", T0 + (uint64_t)i, NULL);
    }
    CHECK(rarity_stats(r)->cache_evictions > 0);
    rarity_see(r, RAR_FQDN, "h7.example.net", "ws01", T0 + 1000, &v);
    CHECK(!v.first_seen);
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    CHECK_EQ(q("SELECT count(*) FROM destinations WHERE key LIKE 'h%.example.net'"), 500);
    TEST_END();

    TEST_BEGIN("a cache 3/4 full: every key is found again in it, wherever its probe put it");
    unlink(path);
    struct rarity_cfg tiny = cfg;
    tiny.cache_entries = 64; /* keys share home slots and pass them */
    char nkey[64];
    r = rarity_open(path, &tiny, err, sizeof err);
    CHECK(r != NULL);
    for (int i = 0; i < 48; i++) {
        snprintf(nkey, sizeof nkey, "n%d.example.net", i);
        rarity_see(r, RAR_FQDN, nkey, "ws01", T0 + (uint64_t)i, NULL);
    }
    uint64_t reads = rarity_stats(r)->db_reads;
    CHECK_U64(reads, 48);
    CHECK_U64(rarity_stats(r)->cache_evictions, 0);
    for (int i = 0; i < 48; i++) {
        snprintf(nkey, sizeof nkey, "n%d.example.net", i);
        rarity_see(r, RAR_FQDN, nkey, "ws01", T0 + 100 + (uint64_t)i, &v);
        CHECK(!v.first_seen);
        CHECK_U64(v.first_seen_us, T0 + (uint64_t)i);
    }
    CHECK_U64(rarity_stats(r)->db_reads, reads); /* no key read from the table again */
    rarity_see(r, RAR_IP, "n3.example.net", "ws01", T0 + 200, &v); /* same text, other kind: a new key */
    CHECK(v.first_seen);
    CHECK_U64(rarity_stats(r)->db_reads, reads + 1);
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    CHECK_EQ(q("SELECT count(*) FROM destinations"), 49);
    TEST_END();

    TEST_BEGIN("20,000 (destination, client) pairs: one statement each, none when seen again (the memory of pairs grows)");
    unlink(path);
    r = rarity_open(path, &cfg, err, sizeof err);
    CHECK(r != NULL);
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < 100; k++)
            for (int h = 0; h < 200; h++) {
                char key[64], host[32];
                snprintf(key, sizeof key, "k%d.example.org", k);
                snprintf(host, sizeof host, "10.9.%d.%d", h / 100, h % 100);
                rarity_see(r, RAR_FQDN, key, host, T0 + (uint64_t)(pass * 20000 + k * 200 + h), NULL);
            }
    /* the first pass: every pair new; the second: a pair the memory lost
     * (its probe slots all taken) costs a statement and adds no row */
    uint64_t again = rarity_stats(r)->host_inserts - 20000;
    CHECK(rarity_stats(r)->host_inserts >= 20000);
    CHECK(again <= 200);
    rarity_peek(r, RAR_FQDN, "k42.example.org", T0 + 50000, &v);
    CHECK_U64(v.hosts, 200);
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    CHECK_EQ(q("SELECT count(*) FROM destination_hosts"), 20000);
    TEST_END();

    TEST_BEGIN("--rarity-max-hosts: a destination's hosts stop at the bound, rows too, the rest counted");
    struct rarity_cfg capped = cfg;
    capped.max_hosts = 5;
    r = rarity_open(path, &capped, err, sizeof err);
    for (int h = 0; h < 12; h++) {
        char host[32];
        snprintf(host, sizeof host, "10.8.0.%d", h);
        rarity_see(r, RAR_IP, "198.51.100.9", host, T0 + 2000 + (uint64_t)h, &v);
        CHECK_U64(v.hosts, (uint64_t)(h < 5 ? h : 5)); /* the count before this sighting */
    }
    CHECK_U64(rarity_stats(r)->hosts_capped, 7);
    CHECK_U64(rarity_stats(r)->sightings, 12);
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    CHECK_EQ(q("SELECT hosts FROM destinations WHERE key='198.51.100.9'"), 5);
    CHECK_EQ(q("SELECT hits FROM destinations WHERE key='198.51.100.9'"), 12);
    CHECK_EQ(q("SELECT count(*) FROM destination_hosts WHERE key='198.51.100.9'"), 5);
    CHECK_EQ(q("SELECT count(*) FROM destination_hosts WHERE key='198.51.100.9' AND host='10.8.0.4'"), 1);
    CHECK_EQ(q("SELECT count(*) FROM destination_hosts WHERE key='198.51.100.9' AND host='10.8.0.5'"), 0);
    TEST_END();

    TEST_BEGIN("registered domains through libpsl");
    char reg[256];
    rarity_registered_domain("a.b.example.co.uk", reg, sizeof reg);
    CHECK_STR(reg, "example.co.uk");
    rarity_registered_domain("raw.githubusercontent.com", reg, sizeof reg);
    CHECK_STR(reg, "raw.githubusercontent.com"); /* a private suffix: each name is its own */
    rarity_registered_domain("co.uk", reg, sizeof reg);
    CHECK_STR(reg, "");
    TEST_END();

    TEST_BEGIN("rarity_domain_of: 3,000 names, three passes, each answer libpsl's (remembered per name)");
    unlink(path);
    r = rarity_open(path, &cfg, err, sizeof err);
    CHECK(r != NULL);
    unsigned wrong = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < 3000; i++) {
            char name[300], want[256], got[256];
            switch (i % 4) {
            case 0: snprintf(name, sizeof name, "h%d.d%d.example.co.uk", i, i % 37); break;
            case 1: snprintf(name, sizeof name, "x%d.githubusercontent.com", i); break;
            case 2: snprintf(name, sizeof name, "co.uk"); break; /* no registered domain */
            default: /* longer than the memory holds */
                snprintf(name, sizeof name, "%0270d.d%d.example.org", i, i % 5);
                break;
            }
            rarity_registered_domain(name, want, sizeof want);
            rarity_domain_of(r, name, got, sizeof got);
            wrong += strcmp(want, got) != 0;
        }
    CHECK_EQ(wrong, 0);
    char got[256];
    rarity_domain_of(r, "a.b.example.co.uk", got, sizeof got);
    CHECK_STR(got, "example.co.uk");
    rarity_domain_of(r, "a.b.example.co.uk", got, sizeof got); /* remembered */
    CHECK_STR(got, "example.co.uk");
    rarity_domain_of(r, "c.example.co.uk", got, 8); /* a short out: cut, as rarity_registered_domain's */
    CHECK_STR(got, "example");
    CHECK_EQ(rarity_close(r, err, sizeof err), 0);
    TEST_END();

    TEST_BEGIN("a file that is not a state file is refused with a sentence");
    char bad[300];
    snprintf(bad, sizeof bad, "%s.txt", path);
    FILE *f = fopen(bad, "w");
    fputs("this is not SQLite at all, just text that is long enough to have a header........\n", f);
    fclose(f);
    r = rarity_open(bad, &cfg, err, sizeof err);
    CHECK(r == NULL);
    CHECK(strstr(err, bad) != NULL);
    unlink(bad);
    TEST_END();

    TEST_BEGIN("a state file made before the tables were WITHOUT ROWID is read and written as before");
    char old[256];
    snprintf(old, sizeof old, "%.240s.old", path);
    unlink(old);
    sqlite3 *db;
    CHECK(sqlite3_open(old, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                       "CREATE TABLE destinations(kind TEXT NOT NULL, key TEXT NOT NULL, first_seen_us INTEGER NOT NULL,"
                       " last_seen_us INTEGER NOT NULL, hits INTEGER NOT NULL, hosts INTEGER NOT NULL,"
                       " PRIMARY KEY (kind, key));"
                       "CREATE TABLE destination_hosts(kind TEXT NOT NULL, key TEXT NOT NULL, host TEXT NOT NULL,"
                       " PRIMARY KEY (kind, key, host));"
                       "INSERT INTO meta VALUES ('schema_version', '1');"
                       "INSERT INTO destinations VALUES ('fqdn', 'old.example.com', 1700000000000000, 1700000000000000, 1, 1);"
                       "INSERT INTO destination_hosts VALUES ('fqdn', 'old.example.com', '10.0.0.1');",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    r = rarity_open(old, &cfg, err, sizeof err);
    CHECK(r != NULL);
    rarity_see(r, RAR_FQDN, "old.example.com", "10.0.0.2", T0 + 60, &v);
    CHECK(!v.first_seen);
    CHECK_U64(v.hosts, 1);
    rarity_see(r, RAR_FQDN, "new.example.com", "10.0.0.2", T0 + 61, &v);
    CHECK(v.first_seen);
    CHECK(rarity_close(r, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s", old); /* q() reads path */
    CHECK(q("SELECT hosts FROM destinations WHERE key='old.example.com'") == 2);
    CHECK(q("SELECT count(*) FROM destinations") == 2);
    path[strlen(path) - 4] = '\0';
    unlink(old);
    TEST_END();

    unlink(path);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return tap_done();
}
