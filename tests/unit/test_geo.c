/* test_geo.c -- GeoIP/ASN lookups (geo.c) on the synthetic databases of
 * tests/data/mmdb/ (scripts/make-test-mmdb.pl): IPv4, IPv4 in IPv6 databases
 * with and without the ::ffff:0:0/96 alias, IPv6, IPv6 against an IPv4-only
 * database, no network, several databases at once, hostile strings, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "geo.h"
#include "tap.h"

static char dir[512];

static const char *db(const char *name)
{
    static char p[8][640];
    static int k;
    char *s = p[k++ % 8];
    snprintf(s, sizeof p[0], "%s/data/mmdb/%s", dir, name);
    return s;
}

static struct mw_addr ip(const char *s)
{
    struct mw_addr a;
    memset(&a, 0, sizeof a);
    if (!mw_addr_parse(s, &a))
        printf("# bad address in test: %s\n", s);
    return a;
}

static bool look(struct geo *g, const char *addr, struct geo_info *gi)
{
    struct mw_addr a = ip(addr);
    return geo_lookup(g, &a, gi);
}

int main(void)
{
    const char *td = getenv("TESTS_DIR");
    snprintf(dir, sizeof dir, "%s", td && *td ? td : "tests");
    char err[512];
    struct geo_info gi;
    struct geo *city = NULL, *asn = NULL, *country = NULL, *all = NULL, *g = NULL;

    TEST_BEGIN("open the city, ASN and country test databases");
    city = geo_new();
    asn = geo_new();
    country = geo_new();
    CHECK(city != NULL && asn != NULL && country != NULL);
    err[0] = '\0';
    CHECK_EQ(geo_open(city, db("test-city.mmdb"), err, sizeof err), 0);
    if (err[0])
        printf("# %s\n", err);
    CHECK_EQ(geo_open(asn, db("test-asn.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_open(country, db("test-country.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_count(city), 1);
    CHECK_EQ(geo_count(asn), 1);
    CHECK_EQ(geo_count(NULL), 0);
    TEST_END();

    TEST_BEGIN("IPv4 in an IPv6 City database: country and city");
    CHECK(look(city, "10.77.0.20", &gi));
    CHECK(gi.has_country);
    CHECK_STR(gi.country_iso, "NL");
    CHECK_STR(gi.country_name, "Netherlands");
    CHECK(gi.has_city);
    CHECK_STR(gi.city, "Amsterdam");
    CHECK(!gi.has_asn);
    CHECK(look(city, "81.2.69.170", &gi));
    CHECK_STR(gi.country_iso, "GB");
    CHECK_STR(gi.country_name, "United Kingdom");
    CHECK_STR(gi.city, "London");
    TEST_END();

    TEST_BEGIN("a network with a country and no city");
    CHECK(look(city, "203.0.113.9", &gi));
    CHECK(gi.has_country);
    CHECK_STR(gi.country_iso, "JP");
    CHECK_STR(gi.country_name, "Japan");
    CHECK(!gi.has_city);
    CHECK_STR(gi.city, "");
    TEST_END();

    TEST_BEGIN("IPv4 in an IPv6 ASN database without the ::ffff:0:0/96 alias");
    CHECK(look(asn, "10.77.0.33", &gi));
    CHECK(gi.has_asn);
    CHECK_U64(gi.asn, 64500);
    CHECK_STR(gi.as_org, "Lab Transit B.V.");
    CHECK(!gi.has_country && !gi.has_city);
    CHECK(look(asn, "203.0.113.250", &gi));
    CHECK_U64(gi.asn, 64501);
    CHECK_STR(gi.as_org, "Example Net");
    TEST_END();

    TEST_BEGIN("IPv4 in an IPv4-only Country database");
    CHECK(look(country, "10.77.200.1", &gi));
    CHECK(gi.has_country);
    CHECK_STR(gi.country_iso, "NL");
    CHECK_STR(gi.country_name, "Netherlands");
    CHECK(!gi.has_city && !gi.has_asn);
    CHECK(look(country, "198.51.100.7", &gi));
    CHECK_STR(gi.country_iso, "FR");
    TEST_END();

    TEST_BEGIN("IPv6: UTF-8 city name, ASN");
    CHECK(look(city, "2001:db8:1::5", &gi));
    CHECK_STR(gi.country_iso, "DE");
    CHECK_STR(gi.country_name, "Germany");
    CHECK(gi.has_city);
    CHECK_STR(gi.city, "M\xc3\xbcnchen");
    CHECK(look(asn, "2001:db8::1", &gi));
    CHECK(gi.has_asn);
    CHECK_U64(gi.asn, 64502);
    CHECK_STR(gi.as_org, "Documentation IPv6 GmbH");
    TEST_END();

    TEST_BEGIN("IPv6 in an IPv4-only database: not found, no error");
    CHECK(!look(country, "2001:db8::1", &gi));
    CHECK(!gi.has_country && !gi.has_city && !gi.has_asn);
    TEST_END();

    TEST_BEGIN("an address in no network");
    CHECK(!look(city, "10.77.0.21", &gi)); /* the city entry is a /32 */
    CHECK(!look(city, "192.0.2.1", &gi));
    CHECK(!look(city, "2001:db9::1", &gi));
    CHECK(!look(asn, "81.2.69.170", &gi));
    CHECK(!look(asn, "::1", &gi));
    CHECK(!look(country, "9.9.9.9", &gi));
    CHECK(!gi.has_country && !gi.has_city && !gi.has_asn);
    CHECK_STR(gi.country_iso, "");
    CHECK_STR(gi.as_org, "");
    TEST_END();

    TEST_BEGIN("several databases at once: city from one, ASN from another");
    all = geo_new();
    CHECK_EQ(geo_open(all, db("test-city.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_open(all, db("test-asn.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_open(all, db("test-country.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_count(all), 3);
    CHECK(look(all, "10.77.0.20", &gi));
    CHECK(gi.has_country && gi.has_city && gi.has_asn);
    CHECK_STR(gi.country_iso, "NL");
    CHECK_STR(gi.city, "Amsterdam");
    CHECK_U64(gi.asn, 64500);
    CHECK_STR(gi.as_org, "Lab Transit B.V.");
    /* Not in the city database: the country comes from the third. */
    CHECK(look(all, "10.77.0.21", &gi));
    CHECK(gi.has_country && !gi.has_city && gi.has_asn);
    CHECK_STR(gi.country_iso, "NL");
    CHECK_U64(gi.asn, 64500);
    CHECK(look(all, "198.51.100.7", &gi));
    CHECK(gi.has_country && !gi.has_city && !gi.has_asn);
    CHECK_STR(gi.country_name, "France");
    CHECK(look(all, "2001:db8:ffff::1", &gi));
    CHECK_STR(gi.country_iso, "DE");
    CHECK_STR(gi.city, "M\xc3\xbcnchen");
    CHECK_U64(gi.asn, 64502);
    CHECK(look(all, "81.2.69.161", &gi));
    CHECK_STR(gi.city, "London");
    CHECK(!gi.has_asn);
    CHECK(!look(all, "100.64.0.1", &gi));
    TEST_END();

    TEST_BEGIN("first answer per field wins, in the order opened");
    /* 203.0.113.0/24 is JP in the city database, KR in the country one. */
    CHECK(look(all, "203.0.113.9", &gi)); /* city, ASN, country */
    CHECK_STR(gi.country_iso, "JP");
    CHECK_STR(gi.country_name, "Japan");
    CHECK_U64(gi.asn, 64501);
    g = geo_new();
    CHECK_EQ(geo_open(g, db("test-country.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_open(g, db("test-city.mmdb"), err, sizeof err), 0);
    CHECK(look(g, "203.0.113.9", &gi));
    CHECK_STR(gi.country_iso, "KR");
    CHECK_STR(gi.country_name, "South Korea");
    CHECK(!gi.has_city);
    CHECK(look(g, "81.2.69.170", &gi)); /* the country from one, the city from the other */
    CHECK_STR(gi.country_iso, "GB");
    CHECK_STR(gi.city, "London");
    geo_free(g);
    g = NULL;
    TEST_END();

    TEST_BEGIN("hostile organisation: control byte escaped, long name cut");
    CHECK(look(asn, "192.0.2.77", &gi));
    CHECK_U64(gi.asn, 64503);
    CHECK(strncmp(gi.as_org, "Bell\\x07Corp xxx", 16) == 0);
    CHECK_EQ(strlen(gi.as_org), sizeof gi.as_org - 1);
    TEST_END();

    TEST_BEGIN("errors: missing file, not an mmdb, a directory, a type with nothing, too many");
    g = geo_new();
    char path[640];
    snprintf(path, sizeof path, "%s/data/mmdb/no-such.mmdb", dir);
    err[0] = '\0';
    CHECK_EQ(geo_open(g, path, err, sizeof err), -1);
    printf("# %s\n", err);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK(strstr(err, ": cannot open: No such file or directory") != NULL);
    snprintf(path, sizeof path, "%s/unit/tap.h", dir);
    err[0] = '\0';
    CHECK_EQ(geo_open(g, path, err, sizeof err), -1);
    printf("# %s\n", err);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK(strstr(err, ": not a MaxMind DB (.mmdb) file") != NULL);
    snprintf(path, sizeof path, "%s/data/mmdb", dir);
    err[0] = '\0';
    CHECK_EQ(geo_open(g, path, err, sizeof err), -1);
    printf("# %s\n", err);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK(strstr(err, ": is a directory") != NULL);
    err[0] = '\0';
    CHECK_EQ(geo_open(g, db("test-domain.mmdb"), err, sizeof err), -1);
    printf("# %s\n", err);
    CHECK(strstr(err, "test-domain.mmdb: database type \"GeoIP2-Domain\" has no country, city or ASN data") != NULL);
    CHECK_EQ(geo_count(g), 0);
    CHECK_EQ(geo_open(g, path, NULL, 0), -1);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(geo_open(g, db("test-asn.mmdb"), err, sizeof err), 0);
    CHECK_EQ(geo_count(g), 8);
    err[0] = '\0';
    CHECK_EQ(geo_open(g, db("test-city.mmdb"), err, sizeof err), -1);
    printf("# %s\n", err);
    CHECK(strstr(err, "at most 8") != NULL);
    CHECK_EQ(geo_count(g), 8);
    CHECK(look(g, "10.77.0.1", &gi));
    CHECK_U64(gi.asn, 64500);
    geo_free(g);
    geo_free(NULL);
    TEST_END();

    TEST_BEGIN("an empty set finds nothing");
    g = geo_new();
    CHECK(!look(g, "10.77.0.20", &gi));
    CHECK(!geo_lookup(NULL, &(struct mw_addr){ { 0 } }, &gi));
    geo_free(g);
    TEST_END();

    geo_free(city);
    geo_free(asn);
    geo_free(country);
    geo_free(all);
    return tap_done();
}
