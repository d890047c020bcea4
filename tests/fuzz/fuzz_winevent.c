/* fuzz_winevent.c -- libFuzzer target for parse/winevent.c (STYLE.md 7.1).
 * The input, in a heap block of exactly its size, is parsed as one event
 * payload (with the default offset and with a zone-less offset of -04:00),
 * then split as an XML event file with winevent_xml_next and every document
 * parsed. Invariants: a result is one of the three; a reason exactly when
 * not OK; an OK record has a kept event id, a format and a provider, every
 * string NUL-terminated inside its array, a GUID that is empty or 36
 * characters, the receive time when it says so; a failed one is empty; the
 * splitter's documents lie inside the input and it always moves forward.
 * Seeds: tests/fuzz/corpus/winevent/, cut from tests/data/events (sources and
 * licences in its PROVENANCE.md) plus a few hostile ones. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/winevent.h"
#include "winevent_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rec_endpoint r;
    struct winevent_opts west = { -4 * 3600 };
    const char *why = NULL;
    char *b = malloc(size ? size : 1);
    if (b == NULL)
        return 0;
    memcpy(b, data, size);

    /* the call first: argument evaluation order would leave `why` stale */
    enum winevent_result res = winevent_parse(b, size, 42, NULL, &r, &why);
    check(res, &r, why, 42);
    res = winevent_parse(b, size, 7, &west, &r, &why);
    check(res, &r, why, 7);

    size_t pos = 0, start = 0, end = 0, last = 0;
    unsigned docs = 0;
    enum winevent_xml_res x;
    while ((x = winevent_xml_next(b, size, &pos, &start, &end)) == WINEVENT_XML_DOC) {
        assert(start < end && end <= size && pos == end && end > last);
        last = end;
        res = winevent_parse(b + start, end - start, 9, NULL, &r, &why);
        check(res, &r, why, 9);
        assert(++docs <= size);
    }
    if (x == WINEVENT_XML_MORE)
        assert(start == pos && start < size && start >= last);
    else
        assert(pos <= size && pos >= last);
    free(b);
    return 0;
}
