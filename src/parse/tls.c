/* tls.c -- TLS ClientHello parser (see tls.h; STYLE.md 1.1-1.3, 5.1).
 * Two steps: collect the handshake message from one or more records (into
 * the caller's scratch only when it spans records), then walk the complete
 * message with bounded cursors. Since the message is complete when it is
 * walked, a length that overruns inside it is MW_BAD, never MW_SHORT.
 * JA3 (github.com/salesforce/ja3) is hashed while it is written, with
 * MD5_Update on small pieces, so no JA3 string buffer (unbounded: 32767
 * cipher suites) is ever built. Not here: SSLv2-format hellos, ServerHello. */
/* OpenSSL 3 marks the low-level MD5 API deprecated; EVP would allocate a
 * context per call, which a parser must not do (STYLE.md 5.1). */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "parse/tls.h"

#include <openssl/md5.h>
#include <string.h>

#define TLS_CT_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_HDR 4
/* RFC 8446 5.1: TLSPlaintext.length MUST NOT exceed 2^14; handshake
 * fragments MUST NOT be empty. */
#define TLS_MAX_PLAINTEXT 16384u
/* Stacks send one record; tools that split the hello to evade SNI filters
 * use a handful. 16384 still allows 4-byte fragments of a 64 KiB hello,
 * and bounds the loop independently of the stream length. */
#define TLS_MAX_RECORDS 16384u
/* 2 version + 32 random + 1 session id len + 2 suites len + 2 one suite +
 * 1 compression len + 1 null method (RFC 5246 7.4.1.2). */
#define TLS_MIN_HELLO 41u
/* Extension walks: each entry is at least 4 bytes, so a 64 KiB message has
 * at most 16384; the cap only makes the bound explicit. */
#define TLS_MAX_EXT 16384u
#define TLS_MAX_NAMES 1024u

#define EXT_SERVER_NAME 0
#define EXT_SUPPORTED_GROUPS 10
#define EXT_EC_POINT_FORMATS 11
#define EXT_ALPN 16
#define EXT_SUPPORTED_VERSIONS 43
#define EXT_ECH 0xfe0d
#define EXT_ESNI 0xffce

/* RFC 8701: GREASE values are 0x0a0a, 0x1a1a, ... 0xfafa. */
static bool tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* ---- JA3 ---------------------------------------------------------------- */

struct ja3 {
    MD5_CTX md5;
    bool first; /* no value written yet in the current field */
};

static void ja3_put_u(struct ja3 *j, unsigned v)
{
    char out[8]; /* '-' and up to 5 digits, written from the end */
    size_t i = sizeof out;
    do {
        out[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0 && i > 1);
    if (!j->first)
        out[--i] = '-';
    MD5_Update(&j->md5, out + i, sizeof out - i);
    j->first = false;
}

static void ja3_next_field(struct ja3 *j)
{
    MD5_Update(&j->md5, ",", 1);
    j->first = true;
}

/* A list of 16-bit values (already validated), GREASE skipped. */
static void ja3_list16(struct ja3 *j, struct mw_slice s)
{
    if (s.n == 0) /* absent list: s.p is NULL, and NULL + 0 is undefined */
        return;
    struct mw_cur c = mw_cur_make(s.p, s.n);
    while (mw_left(&c) >= 2) {
        uint16_t v = mw_be16(&c);
        if (!tls_is_grease(v))
            ja3_put_u(j, v);
    }
}

/* ---- ClientHello body ----------------------------------------------------- */

struct hello_parts {
    struct mw_slice ciphers, exts, groups, formats;
};

static enum mw_res parse_sni(struct mw_cur ext, struct tls_hello *out)
{
    struct mw_cur list;
    if (!mw_sub(&ext, mw_be16(&ext), &list) || mw_left(&ext) != 0)
        return MW_BAD;
    for (unsigned i = 0; mw_left(&list) > 0; i++) {
        if (i >= TLS_MAX_NAMES)
            return MW_BAD;
        uint8_t type = mw_u8(&list);
        uint16_t nlen = mw_be16(&list);
        const uint8_t *name = mw_take(&list, nlen);
        if (list.bad)
            return MW_BAD;
        if (type == 0 && !out->has_sni) {
            out->sni.p = name;
            out->sni.n = nlen;
            out->has_sni = true;
        }
    }
    return MW_OK;
}

static enum mw_res parse_alpn(struct mw_cur ext, struct tls_hello *out)
{
    struct mw_cur list;
    if (!mw_sub(&ext, mw_be16(&ext), &list) || mw_left(&ext) != 0)
        return MW_BAD;
    for (unsigned i = 0; mw_left(&list) > 0; i++) {
        if (i >= TLS_MAX_NAMES)
            return MW_BAD;
        uint8_t nlen = mw_u8(&list);
        const uint8_t *name = mw_take(&list, nlen);
        if (list.bad)
            return MW_BAD;
        if (!out->has_alpn) {
            out->alpn_first.p = name;
            out->alpn_first.n = nlen;
            out->has_alpn = true;
        }
    }
    return MW_OK;
}

/* A u8- or u16-length-prefixed vector that fills the extension exactly. */
static enum mw_res ext_vector(struct mw_cur ext, bool len16, size_t elem, struct mw_slice *s)
{
    size_t n = len16 ? mw_be16(&ext) : mw_u8(&ext);
    const uint8_t *p = mw_take(&ext, n);
    if (ext.bad || mw_left(&ext) != 0 || n % elem != 0)
        return MW_BAD;
    s->p = p;
    s->n = n;
    return MW_OK;
}

static enum mw_res parse_versions(struct mw_cur ext, struct tls_hello *out)
{
    struct mw_slice s;
    if (ext_vector(ext, false, 2, &s) != MW_OK)
        return MW_BAD;
    struct mw_cur c = mw_cur_make(s.p, s.n);
    uint16_t best = 0;
    while (mw_left(&c) >= 2) {
        uint16_t v = mw_be16(&c);
        if (!tls_is_grease(v) && v > best)
            best = v;
    }
    if (best != 0)
        out->max_version = best;
    return MW_OK;
}

static enum mw_res parse_body(struct mw_cur c, struct tls_hello *out, struct hello_parts *hp)
{
    out->legacy_version = mw_be16(&c);
    out->max_version = out->legacy_version;
    mw_skip(&c, 32); /* random */
    uint8_t sid = mw_u8(&c);
    if (sid > 32) /* RFC 8446 4.1.2: legacy_session_id<0..32> */
        return MW_BAD;
    mw_skip(&c, sid);
    uint16_t cs = mw_be16(&c);
    hp->ciphers.p = mw_take(&c, cs);
    hp->ciphers.n = cs;
    if (c.bad || cs < 2 || cs % 2 != 0)
        return MW_BAD;
    out->n_ciphers = cs / 2u;
    uint8_t comp = mw_u8(&c);
    if (!mw_skip(&c, comp) || comp < 1)
        return MW_BAD;
    if (mw_left(&c) == 0) /* no extensions: legal before TLS 1.3 */
        return MW_OK;

    struct mw_cur exts;
    if (!mw_sub(&c, mw_be16(&c), &exts) || mw_left(&c) != 0)
        return MW_BAD;
    hp->exts.p = exts.p;
    hp->exts.n = mw_left(&exts);
    for (unsigned i = 0; mw_left(&exts) > 0; i++) {
        if (i >= TLS_MAX_EXT)
            return MW_BAD;
        uint16_t type = mw_be16(&exts);
        struct mw_cur ext;
        if (!mw_sub(&exts, mw_be16(&exts), &ext))
            return MW_BAD;
        out->n_ext++;
        enum mw_res r = MW_OK;
        switch (type) {
        case EXT_SERVER_NAME:
            r = parse_sni(ext, out);
            break;
        case EXT_ALPN:
            r = parse_alpn(ext, out);
            break;
        case EXT_SUPPORTED_VERSIONS:
            r = parse_versions(ext, out);
            break;
        case EXT_SUPPORTED_GROUPS:
            r = ext_vector(ext, true, 2, &hp->groups);
            break;
        case EXT_EC_POINT_FORMATS:
            r = ext_vector(ext, false, 1, &hp->formats);
            break;
        case EXT_ECH:
            out->ech = true;
            break;
        case EXT_ESNI:
            out->esni = true;
            break;
        default:
            break;
        }
        if (r != MW_OK)
            return r;
    }
    return MW_OK;
}

static const uint8_t ja3_empty[1];

/* JA3 = SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats */
static void ja3_compute(const struct tls_hello *h, const struct hello_parts *hp, char hex[33])
{
    struct ja3 j;
    MD5_Init(&j.md5);
    j.first = true;
    ja3_put_u(&j, h->legacy_version);
    ja3_next_field(&j);
    ja3_list16(&j, hp->ciphers);
    ja3_next_field(&j);
    struct mw_cur c = mw_cur_make(hp->exts.n ? hp->exts.p : ja3_empty, hp->exts.n);
    while (mw_left(&c) >= 4) { /* validated by parse_body */
        uint16_t type = mw_be16(&c);
        mw_skip(&c, mw_be16(&c));
        if (!tls_is_grease(type))
            ja3_put_u(&j, type);
    }
    ja3_next_field(&j);
    ja3_list16(&j, hp->groups);
    ja3_next_field(&j);
    for (size_t i = 0; i < hp->formats.n; i++)
        ja3_put_u(&j, hp->formats.p[i]);

    unsigned char d[MD5_DIGEST_LENGTH];
    MD5_Final(d, &j.md5);
    static const char xd[] = "0123456789abcdef";
    for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
        hex[2 * i] = xd[d[i] >> 4];
        hex[2 * i + 1] = xd[d[i] & 15];
    }
    hex[32] = '\0';
}

/* ---- record layer ------------------------------------------------------- */

static bool record_version_ok(uint16_t v)
{
    return (v >> 8) == 3 && (v & 0xff) <= 4;
}

static size_t hs_len24(const uint8_t *p)
{
    return (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

enum mw_res tls_client_hello_parse(const uint8_t *stream, size_t len, uint8_t *scratch,
                                   size_t scratch_cap, struct tls_hello *out)
{
    memset(out, 0, sizeof *out);
    if (scratch == NULL || scratch_cap < TLS_HS_HDR)
        return MW_BAD;

    struct mw_cur c = mw_cur_make(stream, len);
    const uint8_t *msg = NULL;
    size_t have = 0, need = 0; /* need: 0 until the 4-byte handshake header is known */

    for (unsigned nrec = 0; msg == NULL; nrec++) {
        if (nrec >= TLS_MAX_RECORDS)
            return MW_BAD;
        /* Refuse early on the bytes of a partial record header we have. */
        int b0 = mw_peek(&c, 0), b1 = mw_peek(&c, 1), b2 = mw_peek(&c, 2);
        if ((b0 >= 0 && b0 != TLS_CT_HANDSHAKE) || (b1 >= 0 && b1 != 3) || (b2 > 4))
            return MW_BAD;
        if (mw_left(&c) < 5)
            return MW_SHORT;
        mw_skip(&c, 1);
        uint16_t ver = mw_be16(&c);
        uint16_t rlen = mw_be16(&c);
        if (rlen == 0 || rlen > TLS_MAX_PLAINTEXT)
            return MW_BAD;
        if (nrec == 0)
            out->record_version = ver;

        size_t avail = mw_left(&c) < rlen ? mw_left(&c) : rlen;
        const uint8_t *frag = c.p;
        if (have == 0 && avail >= 1 && frag[0] != TLS_HS_CLIENT_HELLO)
            return MW_BAD;
        if (have == 0 && avail >= TLS_HS_HDR) {
            need = TLS_HS_HDR + hs_len24(frag);
            if (need > scratch_cap || need < TLS_HS_HDR + TLS_MIN_HELLO)
                return MW_BAD;
            if (avail >= need) { /* whole message in the first record: no copy */
                msg = frag;
                break;
            }
        }
        /* Copy what this record holds of the message into scratch. */
        size_t want = (need != 0 ? need : scratch_cap) - have;
        size_t k = avail < want ? avail : want;
        memcpy(scratch + have, frag, k);
        have += k;
        if (need == 0 && have >= TLS_HS_HDR) {
            need = TLS_HS_HDR + hs_len24(scratch);
            if (need > scratch_cap || need < TLS_HS_HDR + TLS_MIN_HELLO)
                return MW_BAD;
        }
        if (need != 0 && have >= need) {
            msg = scratch;
            break;
        }
        if (avail < rlen)
            return MW_SHORT;
        mw_skip(&c, rlen);
    }

    struct hello_parts hp;
    memset(&hp, 0, sizeof hp);
    struct mw_cur body = mw_cur_make(msg + TLS_HS_HDR, need - TLS_HS_HDR);
    struct tls_hello rec = { .record_version = out->record_version };
    enum mw_res r = parse_body(body, &rec, &hp);
    if (r != MW_OK)
        return r;
    ja3_compute(&rec, &hp, rec.ja3);
    *out = rec;
    return MW_OK;
}

bool tls_looks_like_client_hello(const uint8_t *p, size_t n)
{
    if (p == NULL || n < 5 || p[0] != TLS_CT_HANDSHAKE || !record_version_ok((uint16_t)(p[1] << 8 | p[2])))
        return false;
    size_t rlen = (size_t)p[3] << 8 | p[4];
    if (rlen == 0 || rlen > TLS_MAX_PLAINTEXT)
        return false;
    if (n >= 6 && p[5] != TLS_HS_CLIENT_HELLO)
        return false;
    if (n >= 9 && hs_len24(p + 5) < TLS_MIN_HELLO)
        return false;
    return true;
}
