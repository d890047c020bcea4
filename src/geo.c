/* geo.c -- GeoIP/ASN enrichment: see geo.h. One MMDB_s per open database. */
#include "geo.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "text.h"

/* The fields a database can answer, from its database_type. */
#define F_COUNTRY 1u
#define F_CITY 2u
#define F_ASN 4u

struct geo {
    size_t n;
    unsigned fields[GEO_MAX_DBS];
    MMDB_s db[GEO_MAX_DBS]; /* never moved once opened */
};

struct geo *geo_new(void)
{
    return calloc(1, sizeof(struct geo));
}

size_t geo_count(const struct geo *g)
{
    return g ? g->n : 0;
}

void geo_free(struct geo *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n; i++)
        MMDB_close(&g->db[i]);
    free(g);
}

static bool word_eq(const char *w, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return false;
    }
    return true;
}

/* Split database_type into words at anything not a letter or digit
 * ("GeoLite2-City", "DBIP-ASN-Lite (compat=GeoLite2-ASN)",
 * "DBIP-Location (compat=City)") and map the words to fields. */
static unsigned fields_of_type(const char *type)
{
    unsigned f = 0;
    const char *p = type ? type : "";
    while (*p) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            p++;
        const char *w = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            p++;
        size_t n = (size_t)(p - w);
        if (n == 0)
            continue;
        if (word_eq(w, n, "city"))
            f |= F_COUNTRY | F_CITY;
        else if (word_eq(w, n, "country"))
            f |= F_COUNTRY;
        else if (word_eq(w, n, "asn") || word_eq(w, n, "isp"))
            f |= F_ASN;
        else if (word_eq(w, n, "enterprise"))
            f |= F_COUNTRY | F_CITY | F_ASN;
    }
    return f;
}

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

int geo_open(struct geo *g, const char *path, char *err, size_t errlen)
{
    if (g->n >= GEO_MAX_DBS)
        return fail(err, errlen, path, "too many GeoIP databases (at most 8)");
    /* libmaxminddb's own words for these are poor ("No such device" for a
     * directory, an I/O error for an empty file). */
    struct stat sb;
    if (stat(path, &sb) != 0) {
        char why[160];
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        return fail(err, errlen, path, why);
    }
    if (S_ISDIR(sb.st_mode))
        return fail(err, errlen, path, "is a directory, not a MaxMind DB (.mmdb) file");
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return fail(err, errlen, path, "empty file, not a MaxMind DB (.mmdb) file");
    MMDB_s *db = &g->db[g->n];
    memset(db, 0, sizeof *db);
    errno = 0;
    int st = MMDB_open(path, MMDB_MODE_MMAP, db);
    int saved = errno;
    if (st != MMDB_SUCCESS) {
        char why[256];
        if (st == MMDB_FILE_OPEN_ERROR)
            snprintf(why, sizeof why, "cannot open: %s", saved ? strerror(saved) : MMDB_strerror(st));
        else if (st == MMDB_IO_ERROR)
            snprintf(why, sizeof why, "cannot read: %s", saved ? strerror(saved) : MMDB_strerror(st));
        else if (st == MMDB_INVALID_METADATA_ERROR || st == MMDB_UNKNOWN_DATABASE_FORMAT_ERROR)
            snprintf(why, sizeof why, "not a MaxMind DB (.mmdb) file");
        else if (st == MMDB_OUT_OF_MEMORY_ERROR)
            snprintf(why, sizeof why, "out of memory");
        else
            snprintf(why, sizeof why, "not a usable MaxMind DB file: %s", MMDB_strerror(st));
        return fail(err, errlen, path, why);
    }
    const char *type = db->metadata.database_type;
    unsigned f = fields_of_type(type);
    if (f == 0) {
        char why[256], t[96];
        text_copy(t, sizeof t, (const uint8_t *)(type ? type : ""), type ? strlen(type) : 0);
        snprintf(why, sizeof why, "database type \"%s\" has no country, city or ASN data", t);
        MMDB_close(db);
        return fail(err, errlen, path, why);
    }
    g->fields[g->n++] = f;
    return 0;
}

/* A UTF-8 string at path, copied bounded and escaped; false if it is absent,
 * of another type, or empty after copying. */
static bool get_str(MMDB_entry_s *e, const char *const *path, char *dst, size_t cap)
{
    MMDB_entry_data_s d;
    dst[0] = '\0';
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return false;
    if (text_copy(dst, cap, (const uint8_t *)d.utf8_string, d.data_size) == 0) {
        dst[0] = '\0';
        return false;
    }
    return true;
}

/* An unsigned 32-bit number at path, whatever integer type carries it. */
static bool get_u32(MMDB_entry_s *e, const char *const *path, uint32_t *v)
{
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
        return false;
    switch (d.type) {
    case MMDB_DATA_TYPE_UINT16: *v = d.uint16; return true;
    case MMDB_DATA_TYPE_UINT32: *v = d.uint32; return true;
    case MMDB_DATA_TYPE_INT32:
        if (d.int32 < 0)
            return false;
        *v = (uint32_t)d.int32;
        return true;
    case MMDB_DATA_TYPE_UINT64:
        if (d.uint64 > UINT32_MAX)
            return false;
        *v = (uint32_t)d.uint64;
        return true;
    default:
        return false;
    }
}

static const char *const P_CC[] = { "country", "iso_code", NULL };
static const char *const P_CNAME[] = { "country", "names", "en", NULL };
static const char *const P_CITY[] = { "city", "names", "en", NULL };
static const char *const P_ASN[] = { "autonomous_system_number", NULL };
static const char *const P_ORG[] = { "autonomous_system_organization", NULL };
static const char *const P_T_ASN[] = { "traits", "autonomous_system_number", NULL }; /* Enterprise */
static const char *const P_T_ORG[] = { "traits", "autonomous_system_organization", NULL };

bool geo_lookup(struct geo *g, const struct mw_addr *a, struct geo_info *out)
{
    memset(out, 0, sizeof *out);
    if (g == NULL)
        return false;
    bool v4 = mw_addr_is_v4(a);
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    const struct sockaddr *sa;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    if (v4) {
        /* As IPv4: an IPv6 database keeps IPv4 under ::a.b.c.d and need not
         * alias ::ffff:0:0/96 to it; an IPv4-only database takes nothing else. */
        sin.sin_family = AF_INET;
        memcpy(&sin.sin_addr, a->b + 12, 4);
        sa = (const struct sockaddr *)&sin;
    } else {
        sin6.sin6_family = AF_INET6;
        memcpy(&sin6.sin6_addr, a->b, 16);
        sa = (const struct sockaddr *)&sin6;
    }
    for (size_t i = 0; i < g->n; i++) {
        unsigned want = g->fields[i];
        if (out->has_country)
            want &= ~F_COUNTRY;
        if (out->has_city)
            want &= ~F_CITY;
        if (out->has_asn)
            want &= ~F_ASN;
        if (want == 0)
            continue;
        if (!v4 && g->db[i].metadata.ip_version == 4)
            continue;
        int mmdb_err = MMDB_SUCCESS;
        MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&g->db[i], sa, &mmdb_err);
        if (mmdb_err != MMDB_SUCCESS || !r.found_entry)
            continue;
        if (want & F_COUNTRY) {
            bool cc = get_str(&r.entry, P_CC, out->country_iso, sizeof out->country_iso);
            bool cn = get_str(&r.entry, P_CNAME, out->country_name, sizeof out->country_name);
            out->has_country = cc || cn;
        }
        if (want & F_CITY)
            out->has_city = get_str(&r.entry, P_CITY, out->city, sizeof out->city);
        if (want & F_ASN) {
            if (get_u32(&r.entry, P_ASN, &out->asn)) {
                out->has_asn = true;
                get_str(&r.entry, P_ORG, out->as_org, sizeof out->as_org);
            } else if (get_u32(&r.entry, P_T_ASN, &out->asn)) {
                out->has_asn = true;
                get_str(&r.entry, P_T_ORG, out->as_org, sizeof out->as_org);
            }
        }
    }
    return out->has_country || out->has_city || out->has_asn;
}
