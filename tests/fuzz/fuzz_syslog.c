/* fuzz_syslog.c -- libFuzzer target for parse/syslog.c. The input is parsed
 * as one message (header and payload) and framed as a TCP stream, whole
 * and in two reads cut at a byte the input chooses, with a small message
 * bound so that the oversize paths run. Invariants: the payload lies inside
 * the input, header strings are NUL-terminated, every frame lies inside the
 * bytes given and the framer always makes progress or asks for more. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void frame(const uint8_t *b, size_t n, struct syslog_framer *f)
{
    size_t off = 0;
    for (int guard = 0; guard < 100000; guard++) {
        size_t c, mo, ml;
        enum syslog_frame_res r = syslog_frame(f, b + off, n - off, 64, &c, &mo, &ml);
        assert(c <= n - off);
        if (r == SYSLOG_MSG) {
            assert(mo + ml <= c);
            assert(ml <= 64);
        }
        off += c;
        if (r == SYSLOG_BAD_FRAME || (r == SYSLOG_NEED_MORE && c == 0) || off >= n)
            return;
    }
    assert(!"framer made no progress");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    memcpy(b, data, size);
    struct syslog_hdr h;
    syslog_parse(b, size, &h);
    assert(h.msg_off <= size && h.msg_len <= size - h.msg_off);
    assert(memchr(h.hostname, '\0', sizeof h.hostname) != NULL);
    assert(memchr(h.app, '\0', sizeof h.app) != NULL);
    assert(h.pri >= -1 && h.pri <= 191);
    struct syslog_framer f = { 0 };
    frame(b, size, &f);
    size_t cut = size ? data[0] % size : 0;
    struct syslog_framer g = { 0 };
    frame(b, cut, &g);
    free(b);
    return 0;
}
