/* bytes.h -- the only way msiwatch reads numbers and spans out of hostile bytes
 * (STYLE.md 1.1). A cursor never reads past its end: a short read marks it bad
 * and returns zeros from then on, and callers test `bad` at decision points.
 * Lengths are compared with what is left, never added to pointers, so a huge
 * length field cannot wrap. Not here: any protocol knowledge. */
#ifndef MW_BYTES_H
#define MW_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Result of a parser (STYLE.md 1.2): OK, ran out of bytes, or present but wrong. */
enum mw_res { MW_OK = 0, MW_SHORT = 1, MW_BAD = 2 };

/* A span of input bytes: parsers return these instead of copies (STYLE.md
 * 2.4, 5.1). Not NUL-terminated; may contain any byte. */
struct mw_slice {
    const uint8_t *p;
    size_t n;
};

struct mw_cur {
    const uint8_t *p, *end;
    bool bad;
};

static inline struct mw_cur mw_cur_make(const uint8_t *p, size_t n)
{
    struct mw_cur c = { p, p + n, false };
    return c;
}

static inline size_t mw_left(const struct mw_cur *c)
{
    return c->bad ? 0 : (size_t)(c->end - c->p);
}

static inline bool mw_need(struct mw_cur *c, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = true;
        return false;
    }
    return true;
}

static inline uint8_t mw_u8(struct mw_cur *c)
{
    if (!mw_need(c, 1))
        return 0;
    return *c->p++;
}

static inline uint16_t mw_be16(struct mw_cur *c)
{
    if (!mw_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    return v;
}

static inline uint32_t mw_be32(struct mw_cur *c)
{
    if (!mw_need(c, 4))
        return 0;
    uint32_t v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
                 (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4;
    return v;
}

static inline uint16_t mw_le16(struct mw_cur *c)
{
    if (!mw_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->p[0] | (unsigned)c->p[1] << 8);
    c->p += 2;
    return v;
}

static inline uint32_t mw_le32(struct mw_cur *c)
{
    if (!mw_need(c, 4))
        return 0;
    uint32_t v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 |
                 (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
    c->p += 4;
    return v;
}

static inline uint64_t mw_le64(struct mw_cur *c)
{
    uint64_t lo = mw_le32(c);
    uint64_t hi = mw_le32(c);
    return lo | hi << 32;
}

/* Skip n bytes. */
static inline bool mw_skip(struct mw_cur *c, size_t n)
{
    if (!mw_need(c, n))
        return false;
    c->p += n;
    return true;
}

/* Pointer to the next n bytes, and move past them; NULL (and bad) when short. */
static inline const uint8_t *mw_take(struct mw_cur *c, size_t n)
{
    if (!mw_need(c, n))
        return NULL;
    const uint8_t *p = c->p;
    c->p += n;
    return p;
}

/* A sub-cursor over the next n bytes (STYLE.md 1.3); c moves past them. */
static inline bool mw_sub(struct mw_cur *c, size_t n, struct mw_cur *out)
{
    if (!mw_need(c, n)) {
        out->p = out->end = NULL;
        out->bad = true;
        return false;
    }
    out->p = c->p;
    out->end = c->p + n;
    out->bad = false;
    c->p += n;
    return true;
}

/* Peek without moving: byte at offset off, or -1 when out of range. */
static inline int mw_peek(const struct mw_cur *c, size_t off)
{
    if (c->bad || (size_t)(c->end - c->p) <= off)
        return -1;
    return c->p[off];
}

#endif
