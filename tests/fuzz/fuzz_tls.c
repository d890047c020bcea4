/* fuzz_tls.c -- libFuzzer target for parse/tls.c (STYLE.md 7.1).
 * The input is a client byte stream; it is copied into a heap block of
 * exactly its size so ASan sees a one-byte over-read, parsed with a 64 KiB
 * scratch (what callers use), and the result's invariants are checked:
 * slices inside the stream or the scratch, a 32-hex-digit JA3. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int within(struct mw_slice s, const uint8_t *buf, size_t n)
{
    if (s.n == 0)
        return 1;
    return s.p >= buf && s.n <= n && (size_t)(s.p - buf) <= n - s.n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t scratch[64 * 1024];
    uint8_t *b = malloc(size ? size : 1);
    struct tls_hello h;
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    (void)tls_looks_like_client_hello(b, size);
    if (tls_client_hello_parse(b, size, scratch, sizeof scratch, &h) == MW_OK) {
        assert(strlen(h.ja3) == 32);
        assert(within(h.sni, b, size) || within(h.sni, scratch, sizeof scratch));
        assert(within(h.alpn_first, b, size) || within(h.alpn_first, scratch, sizeof scratch));
        assert(h.n_ciphers >= 1);
        assert(h.has_sni || h.sni.n == 0);
        assert(h.has_alpn || h.alpn_first.n == 0);
    }
    free(b);
    return 0;
}
