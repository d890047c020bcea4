/* dns.c -- DNS message parser (see dns.h; RFC 1035 4.1, 4.1.4; STYLE.md 1.3).
 * Names are read label by label through cursors; a compression pointer must
 * point strictly before the start of the part of the name being read, the
 * rule tcpdump's ns_nprint uses, so segment starts strictly decrease and no
 * pointer chain can loop; the hop cap and the 255-byte limit bound it again.
 * No recursion, no allocation. */
#include "parse/dns.h"

#include <stddef.h>
#include <string.h>

#define DNS_HDR_LEN 12
#define DNS_MAX_LABEL 63      /* RFC 1035 2.3.4 */
#define DNS_MAX_WIRE_NAME 255 /* RFC 1035 2.3.4, root label included */
#define DNS_MAX_HOPS 64
/* A wire name holds at most 127 non-empty labels, plus DNS_MAX_HOPS jumps. */
#define DNS_NAME_ITER (128 + DNS_MAX_HOPS + 1)
/* RFC 1035 allows many questions but no server answers more than one; the
 * cap bounds the walk that finds the answer section. */
#define DNS_MAX_QUESTIONS 64

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_PTR 12
#define T_AAAA 28

/* Bounded text output: a piece is appended whole or not at all, and after
 * the first piece that does not fit nothing more is, so the text is a clean
 * prefix of the full form. */
struct text {
    char *s;
    size_t n;
    bool full;
};

static void text_put(struct text *t, const char *piece, size_t k)
{
    if (t->full || t->n + k > DNS_NAME_MAX) {
        t->full = true;
        return;
    }
    memcpy(t->s + t->n, piece, k);
    t->n += k;
    t->s[t->n] = '\0';
}

/* A byte that stands for itself in a name's text. */
static bool plain(uint8_t b)
{
    return b >= 0x21 && b <= 0x7e && b != '.' && b != '\\';
}

/* One label, preceded by '.' when it is not the first: the dot goes out in
 * the same piece as the label's first character, so a cut text never ends
 * with a separator. */
static void text_label(struct text *t, const uint8_t *l, size_t k, bool dot)
{
    for (size_t i = 0; i < k && !t->full; i++) {
        uint8_t b = l[i];
        if (plain(b) && (i > 0 || !dot)) {
            /* a run of characters that stand for themselves, one piece
             * each: as many of them as there is room for, at once */
            size_t j = i + 1;
            while (j < k && plain(l[j]))
                j++;
            size_t m = j - i, room = DNS_NAME_MAX - t->n;
            if (m > room) {
                m = room;
                t->full = true;
            }
            memcpy(t->s + t->n, l + i, m);
            t->n += m;
            t->s[t->n] = '\0';
            i = j - 1;
            continue;
        }
        char e[5];
        size_t n = 0;
        if (i == 0 && dot)
            e[n++] = '.';
        if (b == '.' || b == '\\') {
            e[n++] = '\\';
            e[n++] = (char)b;
        } else if (b < 0x21 || b > 0x7e) {
            e[n++] = '\\';
            e[n++] = (char)('0' + b / 100);
            e[n++] = (char)('0' + b / 10 % 10);
            e[n++] = (char)('0' + b % 10);
        } else {
            e[n++] = (char)b;
        }
        text_put(t, e, n);
    }
}

/* Read the name at offset `off` of the message p[0..n) into out (DNS_NAME_MAX
 * + 1 bytes). *next: the offset just after the name where it starts (after
 * its first pointer or its root label). Running out of bytes before any
 * pointer is SHORT; after a pointer the bytes are all earlier in a message
 * we hold, so running out there is BAD. */
static enum mw_res read_name(const uint8_t *p, size_t n, size_t off, char *out, size_t *next)
{
    struct text t = { out, 0, false };
    out[0] = '\0';
    if (off > n)
        return MW_SHORT;
    struct mw_cur c = mw_cur_make(p + off, n - off);
    size_t seg_start = off, wire = 0;
    unsigned hops = 0, labels = 0;
    bool jumped = false;

    for (unsigned it = 0;; it++) {
        if (it >= DNS_NAME_ITER)
            return MW_BAD;
        uint8_t l = mw_u8(&c);
        if (c.bad)
            return jumped ? MW_BAD : MW_SHORT;
        if ((l & 0xc0) == 0xc0) {
            uint8_t lo = mw_u8(&c);
            if (c.bad)
                return jumped ? MW_BAD : MW_SHORT;
            size_t target = (size_t)(l & 0x3f) << 8 | lo;
            if (!jumped)
                *next = (size_t)(c.p - p);
            jumped = true;
            if (target >= seg_start || ++hops > DNS_MAX_HOPS)
                return MW_BAD; /* forward, self or loop; see the file comment */
            seg_start = target;
            c = mw_cur_make(p + target, n - target);
            continue;
        }
        if ((l & 0xc0) != 0)
            return MW_BAD; /* 01 (RFC 6891 extended, obsolete) and 10: reserved */
        if (l == 0)
            break;
        wire += 1u + l;
        if (wire + 1 > DNS_MAX_WIRE_NAME)
            return MW_BAD;
        const uint8_t *lab = mw_take(&c, l);
        if (lab == NULL)
            return jumped ? MW_BAD : MW_SHORT;
        text_label(&t, lab, l, labels++ > 0);
    }
    if (!jumped)
        *next = (size_t)(c.p - p);
    if (labels == 0)
        text_put(&t, ".", 1);
    return MW_OK;
}

static enum mw_res read_rr(const uint8_t *p, size_t n, struct mw_cur *c, struct dns_rr *rr)
{
    rr->name[0] = rr->data[0] = '\0';
    rr->type = rr->cls = 0;
    rr->ttl = 0;
    memset(&rr->addr, 0, sizeof rr->addr);
    rr->has_addr = false;
    size_t off = (size_t)(c->p - p), next = 0;
    enum mw_res r = read_name(p, n, off, rr->name, &next);
    if (r != MW_OK)
        return r;
    mw_skip(c, next - off);
    rr->type = mw_be16(c);
    rr->cls = mw_be16(c);
    rr->ttl = mw_be32(c);
    uint16_t rdlen = mw_be16(c);
    struct mw_cur rd;
    if (!mw_sub(c, rdlen, &rd))
        return MW_SHORT;

    char buf[64];
    switch (rr->type) {
    case T_A:
    case T_AAAA: {
        size_t want = rr->type == T_A ? 4 : 16;
        const uint8_t *a = mw_take(&rd, want);
        if (a == NULL || mw_left(&rd) != 0)
            return MW_BAD;
        if (want == 4)
            mw_addr_from_v4(&rr->addr, a);
        else
            mw_addr_from_v6(&rr->addr, a);
        rr->has_addr = true;
        mw_addr_str(&rr->addr, buf, sizeof buf);
        size_t k = strlen(buf);
        memcpy(rr->data, buf, k + 1); /* at most 45 + 1 bytes */
        break;
    }
    case T_NS:
    case T_CNAME:
    case T_PTR: {
        size_t rd_off = (size_t)(rd.p - p), rd_end = rd_off + rdlen;
        r = read_name(p, n, rd_off, rr->data, &next);
        if (r != MW_OK || next > rd_end)
            return MW_BAD; /* the rdata is all here: a name that runs out is wrong */
        break;
    }
    default:
        break;
    }
    return MW_OK;
}

enum mw_res dns_parse(const uint8_t *p, size_t n, struct dns_msg *out)
{
    /* the answers (17 KiB) are set one by one as they are read */
    memset(out, 0, offsetof(struct dns_msg, an));
    out->nan = 0;
    out->an_overflow = false;
    struct mw_cur c = mw_cur_make(p, n);
    if (mw_left(&c) < DNS_HDR_LEN)
        return MW_SHORT;
    out->id = mw_be16(&c);
    out->flags = mw_be16(&c);
    out->response = (out->flags & 0x8000) != 0;
    out->rcode = (uint8_t)(out->flags & 0x000f);
    uint16_t qd = mw_be16(&c), an = mw_be16(&c);
    mw_skip(&c, 4); /* nscount, arcount: sections not read */
    out->qdcount = qd;

    char tmp[DNS_NAME_MAX + 1];
    for (unsigned i = 0; i < qd; i++) {
        if (i >= DNS_MAX_QUESTIONS)
            return MW_BAD;
        size_t off = (size_t)(c.p - p), next = 0;
        enum mw_res r = read_name(p, n, off, i == 0 ? out->qname : tmp, &next);
        if (r != MW_OK)
            return r;
        mw_skip(&c, next - off);
        uint16_t qt = mw_be16(&c), qc = mw_be16(&c);
        if (c.bad)
            return MW_SHORT;
        if (i == 0) {
            out->qtype = qt;
            out->qclass = qc;
        }
    }

    out->an_overflow = an > DNS_MAX_ANSWERS;
    unsigned nread = out->an_overflow ? DNS_MAX_ANSWERS : an;
    for (unsigned i = 0; i < nread; i++) {
        struct dns_rr *rr = &out->an[i];
        enum mw_res r = read_rr(p, n, &c, rr);
        if (r != MW_OK) {
            memset(rr, 0, sizeof *rr);
            return r;
        }
        out->nan = i + 1;
    }
    return MW_OK;
}

enum mw_res dns_tcp_frame(const uint8_t *p, size_t n, const uint8_t **msg, size_t *msg_len,
                          size_t *used)
{
    struct mw_cur c = mw_cur_make(p, n);
    uint16_t len = mw_be16(&c);
    if (c.bad)
        return MW_SHORT;
    if (len < DNS_HDR_LEN)
        return MW_BAD;
    const uint8_t *m = mw_take(&c, len);
    if (m == NULL)
        return MW_SHORT;
    *msg = m;
    *msg_len = len;
    *used = 2u + len;
    return MW_OK;
}
