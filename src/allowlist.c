/* allowlist.c -- see allowlist.h. A list scanned in order: allowlists are
 * short (tens of entries), and an alert checks it once. */
#include "allowlist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "identity.h"

enum al_kind { AL_DOMAIN, AL_HOST, AL_SHARE, AL_URL, AL_CLIENT };

struct al_entry {
    enum al_kind kind;
    char value[512];
    char text[600];      /* "kind value", for the alert */
};

struct allowlist {
    struct al_entry *e;
    size_t n;
};

static const char *const kind_words[] = { "domain", "host", "share", "url", "client" };

struct allowlist *allowlist_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct allowlist *a = calloc(1, sizeof *a);
    if (a)
        a->e = calloc(ALLOWLIST_MAX, sizeof *a->e);
    if (!a || !a->e) {
        snprintf(err, errlen, "out of memory");
        allowlist_free(a);
        fclose(f);
        return NULL;
    }
    char line[1024];
    unsigned ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *c = strchr(line, '#');
        if (c)
            *c = '\0';
        char word[32], value[600], extra[2];
        int k = sscanf(line, "%31s %599s %1s", word, value, extra);
        if (k <= 0)
            continue;
        int kind = -1;
        for (int i = 0; i < 5; i++)
            if (strcasecmp(word, kind_words[i]) == 0)
                kind = i;
        if (k != 2 || kind < 0 || strlen(value) >= sizeof a->e[0].value) {
            snprintf(err, errlen, "%s:%u: expected \"domain|host|share|url|client VALUE\"", path, ln);
            allowlist_free(a);
            fclose(f);
            return NULL;
        }
        if (a->n >= ALLOWLIST_MAX) {
            snprintf(err, errlen, "%s:%u: more than %d entries", path, ln, ALLOWLIST_MAX);
            allowlist_free(a);
            fclose(f);
            return NULL;
        }
        struct al_entry *e = &a->e[a->n++];
        e->kind = (enum al_kind)kind;
        memcpy(e->value, value, strlen(value) + 1); /* shorter than e->value: checked above */
        if (e->kind == AL_SHARE) /* compare UNC paths with one separator */
            for (char *p = e->value; *p; p++)
                if (*p == '/')
                    *p = '\\';
        snprintf(e->text, sizeof e->text, "%s %.511s", kind_words[kind], e->value);
    }
    fclose(f);
    return a;
}

void allowlist_free(struct allowlist *a)
{
    if (!a)
        return;
    free(a->e);
    free(a);
}

size_t allowlist_count(const struct allowlist *a)
{
    return a ? a->n : 0;
}

/* name is value or ends with "." value */
static bool domain_match(const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);
    if (n < v)
        return false;
    if (strcasecmp(name + n - v, value) != 0)
        return false;
    return n == v || name[n - v - 1] == '.';
}

static bool host_match(const char *host, const char *value)
{
    struct mw_addr x, y;
    if (mw_addr_parse(host, &x) && mw_addr_parse(value, &y))
        return mw_addr_cmp(&x, &y) == 0;
    return strcasecmp(host, value) == 0;
}

static bool prefix_match(const char *s, const char *prefix, bool unc)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = prefix[i];
        if (a == '\0')
            return false;
        if (unc && a == '/')
            a = '\\';
        if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
            return false;
    }
    return true;
}

const char *allowlist_match(const struct allowlist *a, const struct msiexec_dest *d, const char *package,
                            const char *client_host)
{
    if (!a)
        return NULL;
    for (size_t i = 0; i < a->n; i++) {
        const struct al_entry *e = &a->e[i];
        switch (e->kind) {
        case AL_DOMAIN:
            if (d && d->host[0] && domain_match(d->host, e->value))
                return e->text;
            break;
        case AL_HOST:
            if (d && d->host[0] && host_match(d->host, e->value))
                return e->text;
            break;
        case AL_SHARE:
            if (package && prefix_match(package, e->value, true))
                return e->text;
            if (d && d->share[0]) {
                char unc[600];
                snprintf(unc, sizeof unc, "\\\\%s\\%s", d->host, d->share);
                if (prefix_match(unc, e->value, true) || prefix_match(e->value, unc, true))
                    return e->text;
            }
            break;
        case AL_URL:
            if (package && prefix_match(package, e->value, false))
                return e->text;
            break;
        case AL_CLIENT:
            if (client_host && identity_same_host(client_host, e->value))
                return e->text;
            break;
        }
    }
    return NULL;
}
