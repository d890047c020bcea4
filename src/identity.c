/* identity.c -- the address-to-host map (see identity.h). Open addressing on
 * the address; each slot keeps the last few hosts the address had, with
 * when each was first and last seen. The slots are small (the address and
 * a pointer) and their hosts are allocated when an address is first
 * learned: most lookups are of addresses no event named, and they touch
 * the slots only (with the hosts inline, a table of 16,384 addresses was
 * 19 MB, all of it faulted in by the lookups of a replay). */
#include "identity.h"
#include "table.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 8
#define PER_ADDR 4        /* hosts remembered per address (DHCP moves) */
#define KNOWN_HOSTS 4096  /* host names events carried, for DNS learning */

struct pair {
    char host[256];
    uint64_t first_us, last_us;
    enum id_source src;
    bool used;
};

struct slot {
    struct mw_addr a;
    bool used;
    uint64_t touched_us;
    struct pair *p; /* PER_ADDR of them, allocated when first used, kept when the slot is */
};

struct identity {
    struct slot *s;
    uint32_t mask;
    char (*known)[64];    /* short names of hosts events carried */
    uint32_t known_mask;
    struct identity_stats st;
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

void identity_short(const char *host, char *out, size_t cap)
{
    size_t i = 0;
    if (cap == 0)
        return;
    for (; host[i] && host[i] != '.' && i + 1 < cap; i++)
        out[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
    out[i] = '\0';
}

bool identity_same_host(const char *a, const char *b)
{
    char x[64], y[64];
    identity_short(a, x, sizeof x);
    identity_short(b, y, sizeof y);
    return x[0] != '\0' && strcmp(x, y) == 0;
}

const char *identity_source_name(enum id_source s)
{
    static const char *const n[ID__COUNT] = { "hostmap", "sysmon_network_connect", "host_ip", "ntlmssp",
                                              "dhcp", "dns" };
    return (unsigned)s < ID__COUNT ? n[s] : "unknown";
}

struct identity *identity_new(uint32_t max_entries)
{
    uint32_t n = 64;
    while (n < max_entries && n < (1u << 24))
        n <<= 1;
    struct identity *id = calloc(1, sizeof *id);
    if (!id)
        return NULL;
    id->s = table_alloc(n, sizeof *id->s);
    id->mask = n - 1; /* before any identity_free: table_free needs the size */
    id->known = calloc(KNOWN_HOSTS, sizeof *id->known);
    if (!id->s || !id->known) {
        identity_free(id);
        return NULL;
    }
    id->known_mask = KNOWN_HOSTS - 1;
    return id;
}

void identity_free(struct identity *id)
{
    if (!id)
        return;
    if (id->s)
        for (uint32_t i = 0; i <= id->mask; i++)
            free(id->s[i].p);
    table_free(id->s, (size_t)id->mask + 1, sizeof *id->s);
    free(id->known);
    free(id);
}

/* a's slot, or with create the slot it takes. Slots are never emptied (a
 * replaced one takes the new address at once), and an address takes the
 * first unused slot of its probes when none holds it: so a search ends at
 * the first unused slot. */
static struct slot *find(struct identity *id, const struct mw_addr *a, bool create, uint64_t ts_us)
{
    uint32_t h = mw_addr_hash(a);
    struct slot *victim = NULL;
    for (uint32_t k = 0; k < PROBES; k++) {
        struct slot *s = &id->s[(h + k) & id->mask];
        if (!s->used) {
            victim = s;
            break;
        }
        if (mw_addr_cmp(&s->a, a) == 0)
            return s;
        if (!victim || s->touched_us < victim->touched_us)
            victim = s;
    }
    if (!create || !victim)
        return NULL;
    if (!victim->p && (victim->p = malloc(PER_ADDR * sizeof *victim->p)) == NULL) {
        id->st.alloc_failed++;
        return NULL;
    }
    if (victim->used)
        id->st.replaced++;
    memset(victim->p, 0, PER_ADDR * sizeof *victim->p);
    victim->used = true;
    victim->a = *a;
    victim->touched_us = ts_us;
    return victim;
}

void identity_learn(struct identity *id, const struct mw_addr *a, const char *host, enum id_source src,
                    uint64_t ts_us)
{
    if (!host || !host[0] || host[0] == '-')
        return;
    struct slot *s = find(id, a, true, ts_us);
    if (!s)
        return;
    id->st.learned[src < ID__COUNT ? src : 0]++;
    if (ts_us > s->touched_us)
        s->touched_us = ts_us;
    struct pair *oldest = NULL;
    for (int i = 0; i < PER_ADDR; i++) {
        struct pair *p = &s->p[i];
        if (p->used && identity_same_host(p->host, host)) {
            if (ts_us < p->first_us)
                p->first_us = ts_us;
            if (ts_us > p->last_us)
                p->last_us = ts_us;
            if (strlen(host) > strlen(p->host)) /* keep the FQDN over the short name */
                text_set(p->host, sizeof p->host, host);
            return;
        }
        if (!p->used) {
            if (!oldest || oldest->used)
                oldest = p;
        } else if (!oldest || (oldest->used && p->last_us < oldest->last_us)) {
            oldest = p;
        }
    }
    memset(oldest, 0, sizeof *oldest);
    oldest->used = true;
    text_set(oldest->host, sizeof oldest->host, host);
    oldest->first_us = oldest->last_us = ts_us;
    oldest->src = src;
}

const char *identity_lookup(struct identity *id, const struct mw_addr *a, uint64_t ts_us, uint64_t slack_us,
                            enum id_source *src)
{
    id->st.lookups++;
    struct slot *s = find(id, a, false, 0);
    if (!s)
        return NULL;
    const struct pair *before = NULL, *after = NULL;
    for (int i = 0; i < PER_ADDR; i++) {
        const struct pair *p = &s->p[i];
        if (!p->used)
            continue;
        if (p->first_us <= ts_us + slack_us) {
            if (!before || p->first_us > before->first_us)
                before = p;
        } else if (!after || p->first_us < after->first_us) {
            after = p;
        }
    }
    const struct pair *p = before ? before : after;
    if (!p)
        return NULL;
    id->st.hits++;
    if (src)
        *src = p->src;
    return p->host;
}

void identity_note_host(struct identity *id, const char *host)
{
    char sh[64];
    identity_short(host, sh, sizeof sh);
    if (!sh[0])
        return;
    uint32_t h = hash_str(sh);
    for (uint32_t k = 0; k < PROBES; k++) {
        char *e = id->known[(h + k) & id->known_mask];
        if (strcmp(e, sh) == 0)
            return;
        if (!e[0]) {
            text_set(e, 64, sh);
            return;
        }
    }
    text_set(id->known[h & id->known_mask], 64, sh); /* full: replace */
}

bool identity_known_host(const struct identity *id, const char *name)
{
    char sh[64];
    identity_short(name, sh, sizeof sh);
    if (!sh[0])
        return false;
    uint32_t h = hash_str(sh);
    for (uint32_t k = 0; k < PROBES; k++) {
        const char *e = id->known[(h + k) & id->known_mask];
        if (!e[0]) /* names are never removed, and take the first empty probe: not further on */
            return false;
        if (strcmp(e, sh) == 0)
            return true;
    }
    return false;
}

int identity_load_hostmap(struct identity *id, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    unsigned n = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        char *c = strchr(line, '#');
        if (c)
            *c = '\0';
        char addr[128], name[256], extra[2];
        int k = sscanf(line, "%127s %255s %1s", addr, name, extra);
        if (k <= 0)
            continue;
        struct mw_addr a;
        if (k != 2 || !mw_addr_parse(addr, &a)) {
            snprintf(err, errlen, "%s:%u: expected \"ADDRESS NAME\"", path, n);
            fclose(f);
            return -1;
        }
        identity_learn(id, &a, name, ID_STATIC, 0);
    }
    fclose(f);
    return 0;
}

const struct identity_stats *identity_stats(const struct identity *id)
{
    return &id->st;
}
