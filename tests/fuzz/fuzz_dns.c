/* fuzz_dns.c -- libFuzzer target for parse/dns.c (STYLE.md 7.1).
 * The input is parsed both as one DNS message and as a TCP stream (framing
 * then the first framed message), from a heap copy of exactly its size.
 * Invariants: names and data are NUL-terminated within their arrays, the
 * answer count within DNS_MAX_ANSWERS, a frame inside the input. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct dns_msg *m)
{
    assert(m->nan <= DNS_MAX_ANSWERS);
    assert(memchr(m->qname, '\0', sizeof m->qname) != NULL);
    for (unsigned i = 0; i < m->nan; i++) {
        assert(memchr(m->an[i].name, '\0', sizeof m->an[i].name) != NULL);
        assert(memchr(m->an[i].data, '\0', sizeof m->an[i].data) != NULL);
        assert(m->an[i].name[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dns_msg m;
    uint8_t *b = malloc(size ? size : 1);
    const uint8_t *msg;
    size_t msg_len, used;
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    (void)dns_parse(b, size, &m);
    check(&m);
    if (dns_tcp_frame(b, size, &msg, &msg_len, &used) == MW_OK) {
        assert(used == msg_len + 2 && used <= size && msg == b + 2);
        (void)dns_parse(msg, msg_len, &m);
        check(&m);
    }
    free(b);
    return 0;
}
