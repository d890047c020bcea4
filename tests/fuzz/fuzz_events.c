/* fuzz_events.c -- libFuzzer target for the -e file reader of events.c
 * (ev_reader: lines, pretty-printed JSON over several lines, Splunk
 * multi-line events, rendered XML documents, oversize skipping), fed from a
 * memory file. The first input byte picks the longest message (64 to 16384
 * bytes) so that the oversize paths run; the rest is the file. Every record
 * goes through the syslog header and Windows event parsers.
 * Invariants: the reader ends (no endless loop: at most one record per input
 * byte plus one), every record has a kept event code and NUL-terminated
 * strings; the counters add up (records kept never exceed messages read).
 * Seeds: tests/fuzz/corpus/events/, whole sample files cut to their first
 * events from tests/data/events (make-seeds.py). */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(a) assert(memchr((a), '\0', sizeof(a)) != NULL)

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (memfd < 0) {
        memfd = memfd_create("fuzz_events", 0);
        assert(memfd >= 0);
    }
    assert(ftruncate(memfd, 0) == 0);
    size_t off = 1;
    while (off < size) {
        ssize_t w = pwrite(memfd, data + off, size - off, (off_t)(off - 1));
        assert(w > 0);
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    struct ev_feed f;
    ev_feed_init(&f, (size_t)64 << (data[0] % 9), NULL, NULL);
    char err[256];
    struct ev_reader *r = ev_reader_open(&f, path, err, sizeof err);
    assert(r != NULL);
    size_t records = 0;
    int rc;
    while ((rc = ev_reader_next(r, err, sizeof err)) == 1) {
        const struct rec_endpoint *e = ev_reader_peek(r);
        assert(e->code != 0);
        TERMINATED(e->host);
        TERMINATED(e->cmdline);
        TERMINATED(e->image);
        TERMINATED(e->provider);
        records++;
        assert(records <= size);
    }
    assert(rc == 0);
    assert(f.st.records <= f.st.messages);
    ev_reader_close(r);
    return 0;
}
