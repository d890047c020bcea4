/* fuzz_msiexec.c -- libFuzzer target for src/msiexec.c and src/parse/winargv.c
 * (STYLE.md 7.1). The input is a command line; it is also read as
 * "image\noriginal_file_name\ncommand line" when it has newlines, and its raw
 * bytes (exact-size heap copy, no NUL) go to the length-taking remote-source
 * check and to the argv splitter. Every string goes in a heap block of exactly
 * its size so ASan sees a one-byte over-read. Invariants: every output string
 * NUL-terminated within its array and valid UTF-8, counts within their
 * bounds, reasons present exactly when suspicious and never repeated, a
 * non-msiexec verdict empty, destinations with a lower-case host; the split
 * never exceeds WINARGV_MAX_ARGS and each argument lies inside its text. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msiexec.h"
#include "text.h"
#include "parse/winargv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool utf8_ok(const char *s, size_t n)
{
    for (size_t i = 0, l; i < n; i += l)
        if ((l = text_utf8_len((const uint8_t *)s + i, n - i)) == 0)
            return false;
    return true;
}

static void text_ok(const char *f, size_t cap)
{
    const char *z = memchr(f, '\0', cap);
    assert(z != NULL);
    assert(utf8_ok(f, (size_t)(z - f)));
}

static void dest_ok(const struct msiexec_dest *d)
{
    text_ok(d->scheme, sizeof d->scheme);
    text_ok(d->host, sizeof d->host);
    text_ok(d->share, sizeof d->share);
    text_ok(d->path, sizeof d->path);
    for (const char *h = d->host; *h; h++)
        assert(!(*h >= 'A' && *h <= 'Z'));
}

static void verdict_ok(const struct msiexec_verdict *v)
{
    text_ok(v->package, sizeof v->package);
    assert(v->nreasons <= MSIEXEC_MAX_REASONS);
    assert(v->ndest <= MSIEXEC_MAX_DEST);
    assert(v->suspicious == (v->nreasons > 0));
    assert(v->has_dest == (v->ndest > 0));
    if (!v->is_msiexec)
        assert(!v->suspicious && !v->renamed && v->ndest == 0 && v->action == 0 && v->package[0] == '\0');
    for (unsigned i = 0; i < v->nreasons; i++) {
        assert(v->reasons[i] != NULL && v->reasons[i][0] != '\0');
        for (unsigned j = 0; j < i; j++)
            assert(v->reasons[i] != v->reasons[j]);
    }
    for (unsigned i = 0; i < v->ndest; i++) {
        dest_ok(&v->dest[i]);
        assert(v->dest[i].host[0] != '\0');
    }
}

/* A heap copy of exactly n bytes plus the NUL. */
static char *dup_n(const uint8_t *p, size_t n)
{
    char *b = malloc(n + 1);
    if (b != NULL) {
        if (n > 0)
            memcpy(b, p, n);
        b[n] = '\0';
    }
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct msiexec_verdict v;
    static struct winargv a;
    char *line = dup_n(data, size);
    if (line == NULL)
        return 0;

    msiexec_classify(NULL, NULL, line, &v);
    verdict_ok(&v);
    msiexec_classify("C:\\Windows\\System32\\msiexec.exe", "msiexec.exe", line, &v);
    verdict_ok(&v);

    /* image \n original_file_name \n command line */
    const uint8_t *nl1 = memchr(data, '\n', size);
    if (nl1 != NULL) {
        size_t n1 = (size_t)(nl1 - data);
        const uint8_t *rest = nl1 + 1, *nl2 = memchr(rest, '\n', size - n1 - 1);
        size_t n2 = nl2 != NULL ? (size_t)(nl2 - rest) : size - n1 - 1;
        const uint8_t *cl = nl2 != NULL ? nl2 + 1 : rest + n2;
        char *img = dup_n(data, n1), *ofn = dup_n(rest, n2), *cmd = dup_n(cl, size - (size_t)(cl - data));
        if (img != NULL && ofn != NULL && cmd != NULL) {
            msiexec_classify(img, ofn, cmd, &v);
            verdict_ok(&v);
        }
        free(img);
        free(ofn);
        free(cmd);
    }

    /* raw bytes, not NUL-terminated */
    uint8_t *raw = malloc(size ? size : 1);
    if (raw != NULL) {
        struct msiexec_dest d;
        const char *reason = NULL;
        if (size > 0)
            memcpy(raw, data, size);
        if (msiexec_remote_sourcen((const char *)raw, size, &d, &reason)) {
            assert(reason != NULL);
            dest_ok(&d);
        } else {
            assert(reason == NULL);
        }

        winargv_split((const char *)raw, size, &a);
        assert(a.argc <= WINARGV_MAX_ARGS);
        for (unsigned i = 0; i < a.argc; i++) {
            assert(a.argv[i] >= a.text && a.argv[i] < a.text + sizeof a.text);
            assert(memchr(a.argv[i], '\0', (size_t)(a.text + sizeof a.text - a.argv[i])) != NULL);
        }

        /* the iterator with a tiny buffer: same count, bounded copies */
        struct winargv_iter it;
        char small[8];
        size_t full = 0, cap = size > 0 ? 1 + raw[0] % sizeof small : sizeof small;
        unsigned n = 0;
        winargv_begin(&it, (const char *)raw, size);
        while (winargv_next(&it, small, cap, &full)) {
            assert(strlen(small) < cap);
            assert(strlen(small) <= full);
            n++;
        }
        assert(a.truncated || n == a.argc);
        free(raw);
    }
    free(line);
    return 0;
}
