/* ntlmssp.c -- find and parse an NTLMSSP message in a security blob (see
 * ntlmssp.h; MS-NLMP 2.2.1.3, 2.2.2.5, 2.2.2.10). Reads only through a
 * bytes.h cursor; each security buffer is checked against the bytes from the
 * signature to the end of the blob before anything is copied, and names go
 * through the one bounded converter (utf16.h). */
#include "parse/ntlmssp.h"

#include <string.h>

#include "parse/utf16.h"

#define NTLMSSP_NEGOTIATE_UNICODE 0x00000001u
#define NTLMSSP_NEGOTIATE_ANONYMOUS 0x00000800u
/* MS-NLMP 2.2.1.3: Signature, MessageType, six security buffers and
 * NegotiateFlags come before any payload; Version and MIC are optional, so
 * a payload may start right after the flags. */
#define AUTH_FIXED_LEN 64

struct secbuf {
    uint16_t len;
    uint32_t off;
};

static struct secbuf read_secbuf(struct mw_cur *c)
{
    struct secbuf b;
    b.len = mw_le16(c);
    mw_skip(c, 2); /* MaximumLength: the receiver ignores it (MS-NLMP 2.2.2.10) */
    b.off = mw_le32(c);
    return b;
}

/* The bytes of buffer b within the message msg[0..n); BAD if they leave it or
 * start inside the fixed part (a hostile offset pointing at the header). */
static enum mw_res buf_span(const uint8_t *msg, size_t n, struct secbuf b, const uint8_t **out)
{
    *out = NULL;
    if (b.len == 0)
        return MW_OK;
    if (b.off < AUTH_FIXED_LEN)
        return MW_BAD;
    struct mw_cur c = mw_cur_make(msg, n);
    if (!mw_skip(&c, b.off))
        return MW_BAD;
    *out = mw_take(&c, b.len);
    return *out ? MW_OK : MW_BAD;
}

static enum mw_res name(const uint8_t *msg, size_t n, struct secbuf b, bool unicode,
                        char *out, size_t cap)
{
    const uint8_t *s;
    enum mw_res r = buf_span(msg, n, b, &s);
    if (r != MW_OK)
        return r;
    if (unicode) {
        if (b.len % 2 != 0)
            return MW_BAD;
        utf16le_to_utf8(s, b.len, out, cap);
    } else {
        oem_to_utf8(s, b.len, out, cap);
    }
    return MW_OK;
}

/* Offset of the first signature in blob, or n when there is none. At most
 * n - 7 comparisons of 8 bytes: linear, whatever the blob holds. */
static size_t find_sig(const uint8_t *blob, size_t n)
{
    static const uint8_t sig[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };
    for (size_t i = 0; n - i >= sizeof sig; i++) {
        struct mw_cur c = mw_cur_make(blob + i, n - i);
        const uint8_t *s = mw_take(&c, sizeof sig);
        if (s != NULL && memcmp(s, sig, sizeof sig) == 0)
            return i;
    }
    return n;
}

enum mw_res ntlmssp_find_parse(const uint8_t *blob, size_t n, struct ntlm_auth *out)
{
    memset(out, 0, sizeof *out);
    if (blob == NULL || n < 8)
        return MW_BAD;
    size_t at = find_sig(blob, n);
    if (at == n)
        return MW_BAD;
    const uint8_t *msg = blob + at;
    size_t len = n - at;
    struct mw_cur c = mw_cur_make(msg, len);
    mw_skip(&c, 8);
    uint32_t type = mw_le32(&c);
    if (c.bad)
        return MW_SHORT;
    if (type != NTLM_NEGOTIATE && type != NTLM_CHALLENGE && type != NTLM_AUTHENTICATE)
        return MW_BAD;
    out->msg_type = type;
    if (type != NTLM_AUTHENTICATE)
        return MW_OK;

    struct secbuf lm = read_secbuf(&c);
    struct secbuf nt = read_secbuf(&c);
    struct secbuf dom = read_secbuf(&c);
    struct secbuf user = read_secbuf(&c);
    struct secbuf ws = read_secbuf(&c);
    read_secbuf(&c); /* EncryptedRandomSessionKey */
    uint32_t flags = mw_le32(&c);
    if (c.bad)
        return MW_SHORT;
    bool unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
    const uint8_t *s;
    enum mw_res r;
    if ((r = buf_span(msg, len, lm, &s)) != MW_OK || (r = buf_span(msg, len, nt, &s)) != MW_OK)
        return r;
    if ((r = name(msg, len, dom, unicode, out->domain, sizeof out->domain)) != MW_OK ||
        (r = name(msg, len, user, unicode, out->user, sizeof out->user)) != MW_OK ||
        (r = name(msg, len, ws, unicode, out->workstation, sizeof out->workstation)) != MW_OK) {
        out->domain[0] = out->user[0] = out->workstation[0] = '\0';
        return r;
    }
    out->anonymous = (flags & NTLMSSP_NEGOTIATE_ANONYMOUS) != 0 ||
                     (user.len == 0 && nt.len == 0 && lm.len <= 1);
    return MW_OK;
}
