/* inflate.h -- undo an HTTP Content-Encoding (gzip, x-gzip, deflate) on the
 * first bytes of a body, so that payload.c can type what is inside
 * (issue 3: "gzip or deflate bodies are typed after inflating their first
 * bytes"). zlib does the work; this file only chooses the wrapper (gzip,
 * zlib, or the raw deflate that some servers send for "deflate") and bounds
 * the output. Not here: hashing (file.hash.sha256 stays the hash of the
 * body as transferred). */
#ifndef MW_PARSE_INFLATE_H
#define MW_PARSE_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

struct mw_inflate {
    z_stream z;
    int coding;          /* 0 none, 1 gzip, 2 deflate */
    bool started;        /* inflateInit2 done */
    bool done;           /* end of stream, an error, or the caller stopped */
    bool failed;         /* the bytes were not what the coding said */
};

/* Recognise a Content-Encoding value (case-insensitive, as in the record:
 * "gzip", "x-gzip", "deflate"); false for anything else (identity, br,
 * several codings), which the caller types as it is. */
bool mw_inflate_begin(struct mw_inflate *d, const char *content_encoding);
/* Feed body bytes; writes at most out_cap bytes of decoded data to out and
 * returns how many. Sets d->done at the end of the stream or on an error
 * (d->failed). Consumes all of in unless done. */
size_t mw_inflate_feed(struct mw_inflate *d, const uint8_t *in, size_t n, uint8_t *out, size_t out_cap);
/* Release zlib's state; safe to call more than once. */
void mw_inflate_end(struct mw_inflate *d);

#endif
