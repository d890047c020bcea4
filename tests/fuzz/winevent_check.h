/* winevent_check.h -- the invariants of a parsed Windows event, shared by
 * the Windows event fuzz targets (fuzz_winevent.c, all formats at once, and
 * fuzz_event_<format>.c, one format each): a result is one of the three; a
 * reason exactly when not OK; an OK record has a kept event id, a format
 * and a provider, every string NUL-terminated inside its array, a GUID
 * that is empty or 36 characters, the receive time when it says so; a
 * failed one is empty. */
#ifndef MW_WINEVENT_CHECK_H
#define MW_WINEVENT_CHECK_H

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/winevent.h"

#define TERMINATED(a) assert(memchr((a), '\0', sizeof(a)) != NULL)

static inline void check(enum winevent_result res, const struct rec_endpoint *r, const char *why, uint64_t recv)
{
    assert(res == WINEVENT_OK || res == WINEVENT_IGNORED || res == WINEVENT_MALFORMED);
    assert((why == NULL) == (res == WINEVENT_OK));
    assert(r->recv_us == recv);
    if (res != WINEVENT_OK) {
        assert(r->code == 0 && r->format == NULL && r->host[0] == '\0' && r->cmdline[0] == '\0');
        return;
    }
    assert(r->code == 1 || r->code == 3 || r->code == 7 || r->code == 22 || r->code == 4688 ||
           r->code == 1040 || r->code == 1042);
    assert(r->format != NULL && r->provider[0] != '\0');
    TERMINATED(r->provider);
    TERMINATED(r->host);
    TERMINATED(r->guid);
    TERMINATED(r->image);
    TERMINATED(r->cmdline);
    TERMINATED(r->parent_guid);
    TERMINATED(r->parent_image);
    TERMINATED(r->original_file_name);
    TERMINATED(r->user);
    TERMINATED(r->dll_path);
    TERMINATED(r->signature_status);
    TERMINATED(r->dst_domain);
    TERMINATED(r->query_results);
    TERMINATED(r->package);
    TERMINATED(r->product);
    assert(r->syslog_host[0] == '\0');
    assert(r->guid[0] == '\0' || strlen(r->guid) == 36);
    assert(r->parent_guid[0] == '\0' || strlen(r->parent_guid) == 36);
    if (r->ts_is_receive)
        assert(r->ts_us == recv);
    if (!r->has_pid)
        assert(r->pid == 0);
}

/* One input for a single-format target: the format's opening, then the
 * input, parsed with the default offset and with a zone-less -04:00. */
static inline int fuzz_after_opening(const char *opening, const uint8_t *data, size_t size)
{
    static struct rec_endpoint r;
    struct winevent_opts west = { -4 * 3600 };
    const char *why = NULL;
    size_t k = strlen(opening), n = k + size;
    char *b = malloc(n);
    if (b == NULL)
        return 0;
    memcpy(b, opening, k);
    memcpy(b + k, data, size);
    enum winevent_result res = winevent_parse(b, n, 42, NULL, &r, &why);
    check(res, &r, why, 42);
    res = winevent_parse(b, n, 7, &west, &r, &why);
    check(res, &r, why, 7);
    free(b);
    return 0;
}

#endif
