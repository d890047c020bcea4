/* geo.h -- GeoIP/ASN enrichment: look addresses up in libmaxminddb (.mmdb) databases. */
#ifndef MW_GEO_H
#define MW_GEO_H

/* Several databases may be open at once (City, Country, ASN; MaxMind's
 * GeoIP2/GeoLite2 or DB-IP's equivalents). Each is opened once, memory
 * mapped; after the last geo_open, geo_lookup only reads, so several threads
 * may call it on the same struct geo at the same time. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define GEO_MAX_DBS 8

struct geo; /* several open databases */

/* An empty set; NULL if out of memory. */
struct geo *geo_new(void);

/* Open one .mmdb (GeoLite2/GeoIP2 City, Country or ASN, or DB-IP
 * equivalents); which fields it can answer is read from its metadata
 * database_type ("...City..." : country and city, "...Country..." : country,
 * "...ASN..." or "...ISP..." : ASN, "...Enterprise..." : all three). Returns
 * 0, or -1 with err = "PATH: why" (missing file, not an mmdb, a type it has
 * nothing for, more than GEO_MAX_DBS). err may be NULL. */
int geo_open(struct geo *g, const char *path, char *err, size_t errlen);

struct geo_info {
    bool has_country;
    char country_iso[4];    /* country.iso_code, e.g. "NL" */
    char country_name[64];  /* country.names.en */
    bool has_city;
    char city[128];         /* city.names.en */
    bool has_asn;
    uint32_t asn;           /* autonomous_system_number */
    char as_org[256];       /* autonomous_system_organization ("" if none) */
};

/* Look an address (IPv4 mapped as ::ffff:a.b.c.d) up in every open database,
 * in the order they were opened; the first answer per field wins (country
 * code and name come together from one database, as do ASN and organisation).
 * Strings are cut to fit and are valid UTF-8 (text_copy). *out is always
 * cleared first. Returns true if any field was found. */
bool geo_lookup(struct geo *g, const struct mw_addr *a, struct geo_info *out);

/* Close every database; NULL is fine. */
void geo_free(struct geo *g);

/* How many databases are open. */
size_t geo_count(const struct geo *g);

#endif
