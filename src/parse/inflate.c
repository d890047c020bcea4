/* inflate.c -- Content-Encoding decoding of a body prefix (see inflate.h). */
#include "parse/inflate.h"

#include <string.h>
#include <strings.h>

bool mw_inflate_begin(struct mw_inflate *d, const char *ce)
{
    memset(d, 0, sizeof *d);
    if (strcasecmp(ce, "gzip") == 0 || strcasecmp(ce, "x-gzip") == 0)
        d->coding = 1;
    else if (strcasecmp(ce, "deflate") == 0)
        d->coding = 2;
    return d->coding != 0;
}

size_t mw_inflate_feed(struct mw_inflate *d, const uint8_t *in, size_t n, uint8_t *out, size_t out_cap)
{
    if (d->done || d->coding == 0 || n == 0 || out_cap == 0)
        return 0;
    if (!d->started) {
        /* gzip: the gzip wrapper; deflate: RFC 9110 means the zlib wrapper,
         * but servers also send raw deflate. A zlib header has compression
         * method 8 in its low nibble and is a multiple of 31 as a 16-bit
         * number; raw deflate seldom is both. */
        int bits = 15 + 16;
        if (d->coding == 2) {
            bool zlib = (in[0] & 0x0f) == 8 && (n < 2 || ((unsigned)in[0] << 8 | in[1]) % 31 == 0);
            bits = zlib ? 15 : -15;
        }
        if (inflateInit2(&d->z, bits) != Z_OK) {
            d->done = d->failed = true;
            return 0;
        }
        d->started = true;
    }
    size_t produced = 0;
    while (n > 0 && produced < out_cap) {
        /* zlib counts in uInt: feed at most 1 GiB at a time */
        uInt in_n = n > (1u << 30) ? (1u << 30) : (uInt)n;
        uInt out_n = out_cap - produced > (1u << 30) ? (1u << 30) : (uInt)(out_cap - produced);
        d->z.next_in = (Bytef *)(uintptr_t)in;
        d->z.avail_in = in_n;
        d->z.next_out = out + produced;
        d->z.avail_out = out_n;
        int r = inflate(&d->z, Z_NO_FLUSH);
        size_t used = in_n - d->z.avail_in;
        produced += out_n - d->z.avail_out;
        in += used;
        n -= used;
        if (r == Z_STREAM_END) {
            d->done = true;
            break;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            d->done = d->failed = true;
            break;
        }
        if (used == 0 && out_n == d->z.avail_out)
            break; /* no progress: wants more input than there is */
    }
    return produced;
}

void mw_inflate_end(struct mw_inflate *d)
{
    if (d->started)
        inflateEnd(&d->z);
    d->started = false;
    d->done = true;
}
