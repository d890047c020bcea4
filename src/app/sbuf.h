/* sbuf.h -- a bounded byte buffer for one direction of a stream: the app
 * layer keeps here the bytes a parser said were not enough yet (MW_SHORT),
 * up to a cap; reaching the cap is the caller's cue to give up (counted). */
#ifndef MW_SBUF_H
#define MW_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
    uint8_t *p;
    size_t n, cap;
};

/* Append; false when it would pass max (nothing is appended then). */
static inline bool sbuf_add(struct sbuf *b, const uint8_t *p, size_t n, size_t max)
{
    if (n == 0)
        return true; /* (and an empty buffer may have no memory: no pointer arithmetic on NULL) */
    if (n > max || b->n > max - n)
        return false;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc < b->n + n)
            nc *= 2;
        if (nc > max)
            nc = max;
        uint8_t *q = realloc(b->p, nc);
        if (q == NULL)
            return false;
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return true;
}

/* Drop the first k bytes. */
static inline void sbuf_consume(struct sbuf *b, size_t k)
{
    if (k >= b->n) {
        b->n = 0;
        return;
    }
    memmove(b->p, b->p + k, b->n - k);
    b->n -= k;
}

static inline void sbuf_free(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* An empty buffer gives its memory back: a stream between messages holds
 * none (a million open flows would otherwise keep a KiB each). */
static inline void sbuf_trim(struct sbuf *b)
{
    if (b->n == 0 && b->p)
        sbuf_free(b);
}

#endif
