/* fuzz_smb.c -- libFuzzer target for src/parse/smb.c (STYLE.md 7.1). The
 * input is parsed twice: as one NetBIOS message body (smb_parse), and as a
 * TCP stream cut by nbss_frame into messages that are each parsed. Checks
 * the invariants callers rely on: counts within bounds, names terminated,
 * blobs inside the input, stream progress. Linked with replay.c for make
 * check. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/smb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct smb_msg m;

static void check(const uint8_t *b, size_t n)
{
    if (smb_parse(b, n, &m) != MW_OK)
        return;
    assert(m.ncmd <= SMB_MAX_CMDS);
    for (unsigned i = 0; i < m.ncmd; i++) {
        const struct smb_cmd *c = &m.cmd[i];
        assert(memchr(c->path, '\0', sizeof c->path) != NULL);
        if (c->sec_blob != NULL)
            assert(c->sec_blob >= b && c->sec_len <= n && (size_t)(c->sec_blob - b) <= n - c->sec_len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1); /* exactly sized, so ASan sees one byte over */
    if (b == NULL)
        return 0;
    memcpy(b, data, size);
    check(b, size);
    size_t off = 0;
    for (;;) {
        const uint8_t *msg;
        size_t len, used;
        uint8_t type;
        if (nbss_frame(b + off, size - off, &msg, &len, &used, &type) != MW_OK)
            break;
        assert(used >= 4 && used <= size - off);
        if (type == 0x00)
            check(msg, len);
        off += used;
    }
    free(b);
    return 0;
}
