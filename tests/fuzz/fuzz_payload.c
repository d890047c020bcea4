/* fuzz_payload.c -- libFuzzer target for src/parse/payload.c (STYLE.md 7.1).
 * Invariants: the answer is a known type; with complete set it is never
 * PT_UNKNOWN; a prefix of the input (cut where the input chooses) answers
 * PT_UNKNOWN or the same type as the whole (the sniffer never changes its
 * mind as bytes arrive); the input is also tried as a body that goes on past
 * it, by copying it into a full PAYLOAD_SNIFF_MAX window. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "parse/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    enum payload_type t = payload_sniff(b, size, false);
    enum payload_type tc = payload_sniff(b, size, true);
    assert(t <= PT_OTHER && tc <= PT_OTHER && tc != PT_UNKNOWN);
    assert(t == PT_UNKNOWN || t == tc);
    assert(payload_type_name(t) != NULL);
    size_t cut = size ? (size_t)b[size - 1] * 7 % (size + 1) : 0;
    enum payload_type tp = payload_sniff(b, cut, false);
    assert(tp == PT_UNKNOWN || tp == t);
    /* the large-OLE path: an offset past the window, a type from any 128 bytes */
    uint64_t off = 0;
    if (payload_ole_root_offset(b, size, &off))
        assert(off + 128 > PAYLOAD_SNIFF_MAX && tc == PT_OTHER);
    if (size >= 128) {
        enum payload_type te = payload_ole_root_type(b);
        assert(te == PT_MSI || te == PT_MSP || te == PT_MST || te == PT_OTHER);
    }
    free(b);

    /* The same bytes at the start of a body larger than the window. */
    if (size <= PAYLOAD_SNIFF_MAX) {
        uint8_t *w = calloc(1, PAYLOAD_SNIFF_MAX + 1);
        if (w == NULL)
            return 0;
        memcpy(w, data, size);
        enum payload_type tw = payload_sniff(w, PAYLOAD_SNIFF_MAX + 1, false);
        assert(tw != PT_UNKNOWN);
        assert(t == PT_UNKNOWN || t == tw);
        free(w);
    }
    return 0;
}
