/* fuzz_dhcp.c -- libFuzzer target for parse/dhcp.c (STYLE.md 7.1).
 * The input is one UDP payload, copied into a heap block of exactly its
 * size; on MW_OK every slice must lie inside it. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int within(struct mw_slice s, const uint8_t *buf, size_t n)
{
    if (s.n == 0)
        return 1;
    return s.p >= buf && s.n <= n && (size_t)(s.p - buf) <= n - s.n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    struct dhcp_msg d;
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    if (dhcp_parse(b, size, &d) == MW_OK) {
        assert(size >= 241);
        assert(d.op == 1 || d.op == 2);
        assert(within(d.hostname, b, size));
        assert(within(d.client_id, b, size));
        assert(within(d.vendor_class, b, size));
    }
    free(b);
    return 0;
}
