/* fuzz_ntlmssp.c -- libFuzzer target for src/parse/ntlmssp.c (STYLE.md
 * 7.1): the input is a security blob. Checks that names are terminated and
 * empty unless the result is OK. Linked with replay.c for make check. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/ntlmssp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    struct ntlm_auth a;
    enum mw_res r = ntlmssp_find_parse(b, size, &a);
    assert(memchr(a.user, '\0', sizeof a.user) && memchr(a.domain, '\0', sizeof a.domain) &&
           memchr(a.workstation, '\0', sizeof a.workstation));
    if (r == MW_OK)
        assert(a.msg_type >= 1 && a.msg_type <= 3);
    else
        assert(a.user[0] == '\0' && a.domain[0] == '\0' && a.workstation[0] == '\0');
    free(b);
    return 0;
}
