/* fuzz_event_json.c -- libFuzzer target for one Windows event format of
 * parse/winevent.c: the JSON shapes (NXLog, Winlogbeat, ECS, OpenWEC, flat). The input follows the fixed opening
 * "{", so that every mutation stays in this format's parser
 * (fuzz_winevent.c takes all formats at once). The event is parsed with the
 * default offset and with a zone-less offset of -04:00; the invariants are
 * winevent_check.h's. Seeds: tests/fuzz/corpus/event_json/, the samples
 * of tests/fuzz/corpus/winevent/ in this format without that opening
 * (tests/fuzz/make-seeds.py). */
#include <stddef.h>
#include <stdint.h>

#include "winevent_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_after_opening("{", data, size);
}
