/* test_dnscache.c -- the address-to-name cache (src/dnscache.c): names by
 * address, TTLs clamped to [60 s, 1 day] on packet time, the entry that
 * expires first replaced when the probed slots are full, and lookups that
 * find every entry however the slots of colliding addresses interleave. */
#include "dnscache.h"
#include "tap.h"

#include <stdio.h>

#define S 1000000ull /* microseconds a second */
#define T0 (1700000000ull * S)

static struct mw_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t x[4] = { a, b, c, d };
    struct mw_addr m;
    mw_addr_from_v4(&m, x);
    return m;
}

/* The n-th address 10.0.x.y (from *next on) whose home slot in a table of
 * 64 entries is slot. */
static struct mw_addr with_home(uint32_t slot, unsigned *next)
{
    for (;;) {
        unsigned i = (*next)++;
        struct mw_addr a = v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
        if ((mw_addr_hash(&a) & 63) == slot)
            return a;
    }
}

int main(void)
{
    struct dnscache *c;
    struct mw_addr a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
    char names[9][32];
    unsigned next;

    TEST_BEGIN("a name by its address, and nothing for another");
    c = dnscache_new(100);
    CHECK(c != NULL);
    CHECK(dnscache_get(c, &a, T0) == NULL);
    dnscache_put(c, &a, "download.example.com", 300, T0);
    CHECK_STR(dnscache_get(c, &a, T0 + 5 * S), "download.example.com");
    CHECK(dnscache_get(c, &b, T0 + 5 * S) == NULL);
    const struct dnscache_stats *st = dnscache_stats(c);
    CHECK_U64(st->inserts, 1);
    CHECK_U64(st->hits, 1);
    CHECK_U64(st->misses, 2);
    CHECK_U64(st->replaced, 0);
    dnscache_free(c);
    TEST_END();

    TEST_BEGIN("an entry lives for its TTL, at least 60 s and at most a day");
    c = dnscache_new(64);
    struct mw_addr s = v4(198, 51, 100, 1), m = v4(198, 51, 100, 2), l = v4(198, 51, 100, 3);
    dnscache_put(c, &s, "short.example", 5, T0);     /* 5 s: 60 */
    dnscache_put(c, &m, "mid.example", 600, T0);     /* as given */
    dnscache_put(c, &l, "long.example", 864000, T0); /* 10 days: 1 */
    CHECK_STR(dnscache_get(c, &s, T0 + 60 * S), "short.example");
    CHECK(dnscache_get(c, &s, T0 + 60 * S + 1) == NULL);
    CHECK_STR(dnscache_get(c, &m, T0 + 600 * S), "mid.example");
    CHECK(dnscache_get(c, &m, T0 + 600 * S + 1) == NULL);
    CHECK_STR(dnscache_get(c, &l, T0 + 86400 * S), "long.example");
    CHECK(dnscache_get(c, &l, T0 + 86400 * S + 1) == NULL);
    dnscache_free(c);
    TEST_END();

    TEST_BEGIN("a new answer for an address replaces its name in place");
    c = dnscache_new(64);
    dnscache_put(c, &a, "old.example", 300, T0);
    dnscache_put(c, &a, "new.example", 300, T0 + 100 * S);
    CHECK_STR(dnscache_get(c, &a, T0 + 350 * S), "new.example"); /* the second TTL counts */
    CHECK_U64(dnscache_stats(c)->inserts, 2);
    CHECK_U64(dnscache_stats(c)->replaced, 0);
    dnscache_free(c);
    TEST_END();

    TEST_BEGIN("a name longer than 255 bytes is cut");
    c = dnscache_new(64);
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    dnscache_put(c, &a, longname, 300, T0);
    const char *got = dnscache_get(c, &a, T0);
    CHECK(got != NULL && strlen(got) == 255 && strncmp(got, longname, 255) == 0);
    dnscache_free(c);
    TEST_END();

    TEST_BEGIN("eight addresses of one home slot are all found; a ninth replaces the first to expire");
    c = dnscache_new(64);
    next = 0;
    struct mw_addr h[9];
    for (int i = 0; i < 9; i++) {
        h[i] = with_home(17, &next);
        snprintf(names[i], sizeof names[i], "host%d.example", i);
    }
    /* TTLs 900, 800, ..., 200 s: h[7] expires first */
    for (int i = 0; i < 8; i++)
        dnscache_put(c, &h[i], names[i], (uint32_t)(900 - 100 * i), T0);
    for (int i = 0; i < 8; i++)
        CHECK_STR(dnscache_get(c, &h[i], T0 + 10 * S), names[i]);
    dnscache_put(c, &h[8], names[8], 300, T0 + 20 * S);
    CHECK_U64(dnscache_stats(c)->replaced, 1); /* h[7] was live */
    CHECK(dnscache_get(c, &h[7], T0 + 30 * S) == NULL);
    for (int i = 0; i < 7; i++)
        CHECK_STR(dnscache_get(c, &h[i], T0 + 30 * S), names[i]);
    CHECK_STR(dnscache_get(c, &h[8], T0 + 30 * S), names[8]);
    /* an expired entry is replaced first, and not counted */
    struct mw_addr x = with_home(17, &next);
    dnscache_put(c, &x, "x.example", 300, T0 + 310 * S); /* h[6] expired at 300 s, h[8] lives to 320 */
    CHECK_U64(dnscache_stats(c)->replaced, 1);
    CHECK_STR(dnscache_get(c, &x, T0 + 312 * S), "x.example");
    CHECK(dnscache_get(c, &h[6], T0 + 312 * S) == NULL);
    CHECK_STR(dnscache_get(c, &h[5], T0 + 312 * S), names[5]);
    CHECK_STR(dnscache_get(c, &h[8], T0 + 312 * S), names[8]);
    dnscache_free(c);
    TEST_END();

    TEST_BEGIN("addresses of neighbouring home slots share slots and are all found");
    c = dnscache_new(64);
    next = 0;
    /* homes 40, 41, 40, 42, 40: they fill slots 40 to 44 in that order, so
     * the third address of home 40 sits past two others' */
    const uint32_t homes[5] = { 40, 41, 40, 42, 40 };
    struct mw_addr n[5];
    for (int i = 0; i < 5; i++) {
        n[i] = with_home(homes[i], &next);
        snprintf(names[i], sizeof names[i], "n%d.example", i);
        dnscache_put(c, &n[i], names[i], 300, T0);
    }
    for (int i = 0; i < 5; i++)
        CHECK_STR(dnscache_get(c, &n[i], T0 + S), names[i]);
    /* another address of home 41 or 40: a miss; then it goes to slot 45 */
    struct mw_addr y = with_home(41, &next);
    CHECK(dnscache_get(c, &y, T0 + S) == NULL);
    dnscache_put(c, &y, "y.example", 300, T0 + S);
    CHECK_STR(dnscache_get(c, &y, T0 + 2 * S), "y.example");
    for (int i = 0; i < 5; i++)
        CHECK_STR(dnscache_get(c, &n[i], T0 + 2 * S), names[i]);
    CHECK_U64(dnscache_stats(c)->replaced, 0);
    dnscache_free(c);
    TEST_END();

    TEST_BEGIN("a table 88% full: what was put is found with its name, or was replaced");
    c = dnscache_new(1024);
    enum { N = 900 };
    static struct mw_addr r[N];
    static char rn[N][24];
    for (int i = 0; i < N; i++) {
        uint32_t u = ((uint32_t)i * 2654435761u) & 0xffffff; /* odd factor: distinct for distinct i */
        r[i] = v4(10, (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u);
        snprintf(rn[i], sizeof rn[i], "r%d.example", i);
        dnscache_put(c, &r[i], rn[i], 3600, T0 + (uint64_t)i);
    }
    /* every address put is found with its own name, or (its slot given to
     * a later one) missing: never another's name; the misses are the
     * replacements counted (the addresses are distinct) */
    unsigned found = 0, lost = 0;
    for (int i = 0; i < N; i++) {
        const char *g = dnscache_get(c, &r[i], T0 + 10 * S);
        if (g) {
            found++;
            CHECK_STR(g, rn[i]);
        } else {
            lost++;
        }
    }
    CHECK_EQ(found + lost, N);
    CHECK_U64(lost, dnscache_stats(c)->replaced);
    CHECK(found >= N * 3 / 4);
    dnscache_free(c);
    TEST_END();

    return tap_done();
}
