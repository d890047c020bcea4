/* msiexec.c -- the msiexec command-line classifier (see msiexec.h for the
 * contract, the option grammar and the reasons; DESIGN.md section 5).
 *
 * Where the option rules come from:
 *   - Microsoft's msiexec reference (learn.microsoft.com/windows-server/
 *     administration/windows-commands/msiexec) and `msiexec /?` (Windows
 *     Installer 5.0): /package|/i, /a, /j<u|m> [/t] [/g], /uninstall|/x,
 *     /quiet /passive /q[n|b|r|f], /norestart /promptrestart /forcerestart,
 *     /l[i|w|e|a|r|u|c|m|o|p|v|x|+|!|*] /log, /update|/p, /f[p|o|e|d|c|a|u|m|
 *     s|v], /y, /z, /n, /c, /help /?; "/qb+!" and "/qb!+" in the same page.
 *   - The Windows Installer service and its workers: "msiexec.exe /V",
 *     "MsiExec.exe -Embedding <hex> [E Global\MSI0000]"; the service
 *     registration switches /regserver /unregister (Microsoft KB).
 *   - Options glued together: Sigma proc_creation_win_msiexec_install_quiet
 *     ("msiexec -q/i [MSI Package]") and Elastic's endpoint rule "Remote
 *     File Execution via MSIEXEC" ("-Q-I", "-I-Q", "/q-i", "-q/i", "/q/i").
 *   - An argument glued to its option: "MsiExec.exe /I{GUID}" and
 *     "/X{GUID}" in every ARP UninstallString; Wine/ReactOS msiexec
 *     (base/system/msiexec/msiexec.c) takes the rest of "/i...",
 *     "/package..." and "/x..." as the package.
 *   - Unicode dashes: Sigma's windash modifier (en dash, em dash, horizontal
 *     bar) exists because Windows programs have been seen to accept them.
 * The real msiexec is closed source: where it is unknown whether it accepts a
 * form, this classifier accepts it (a detector errs towards reading a
 * package), and msiexec.h says so. */
#include "msiexec.h"

#include <string.h>

#include "parse/winargv.h"
#include "text.h"

/* One argument is decoded into a buffer of this size; a longer one is judged
 * on its first bytes (a URL's scheme and host come first) and v->truncated
 * says so. Windows allows 32767 UTF-16 units per line, so this can be hit. */
#define TOK_CAP 4096
#define MAX_PENDING 8

static const char R_URL[] = "remote-url-argument";
static const char R_FTP[] = "ftp-argument";
static const char R_UNC[] = "unc-argument";
static const char R_DAV[] = "webdav-argument";
static const char R_DLLREG[] = "dll-register-argument";
static const char R_DLLUNREG[] = "dll-unregister-argument";
static const char R_TRANSFORM[] = "remote-transform-argument";
static const char R_PATCH[] = "remote-patch-argument";
static const char R_RENAMED[] = "renamed-msiexec";

/* ---- characters and bounded copies ----------------------------------- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_sep(int c)
{
    return c == '\\' || c == '/';
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* s[0..n) equals the NUL-terminated w, ignoring ASCII case. */
static bool ieq(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n != k)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)w[i]))
            return false;
    return true;
}

/* s[0..n) starts with the pattern pat: ASCII letters match in any case and a
 * '\' in pat matches '\' or '/'. Returns the pattern length, or 0. */
static size_t pmatch(const char *s, size_t n, const char *pat)
{
    size_t k = strlen(pat);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        int a = (unsigned char)s[i], b = (unsigned char)pat[i];
        if (b == '\\' ? !is_sep(a) : lower(a) != lower(b))
            return 0;
    }
    return k;
}

/* Copy n bytes of s into dst (cap >= 1 bytes with the NUL) as text that can
 * go to JSON: valid UTF-8 passes whole, control bytes and invalid bytes
 * become \xNN (the convention of text.c), ASCII is lower-cased if asked.
 * Never cuts a character or an escape. Returns true when something did not
 * fit. With map_from/map_to, that ASCII byte is replaced (separator
 * normalisation) before anything else. */
static bool out_copy(char *dst, size_t cap, const char *s, size_t n, bool lower_ascii,
                     char map_from, char map_to)
{
    return text_copy_ex(dst, cap, (const uint8_t *)s, n, lower_ascii, (unsigned char)map_from,
                        (unsigned char)map_to, NULL);
}

/* Raw bounded copy for working buffers (cap >= 1); true when cut. */
static bool raw_copy(char *dst, size_t cap, const char *s, size_t n, size_t *len)
{
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(dst, s, k);
    dst[k] = '\0';
    *len = k;
    return k < n;
}

/* Drop surrounding blanks and one pair of double quotes. */
static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t k = *n;
    while (k > 0 && is_blank((unsigned char)p[0])) {
        p++;
        k--;
    }
    while (k > 0 && is_blank((unsigned char)p[k - 1]))
        k--;
    if (k >= 2 && p[0] == '"' && p[k - 1] == '"') {
        p++;
        k -= 2;
        while (k > 0 && is_blank((unsigned char)p[0])) {
            p++;
            k--;
        }
        while (k > 0 && is_blank((unsigned char)p[k - 1]))
            k--;
    }
    *s = p;
    *n = k;
}

/* ---- hosts ------------------------------------------------------------- */

/* One inet_aton part: decimal, 0x hex or 0-led octal. */
static bool ipv4_part(const char *s, size_t n, uint32_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    size_t i = 0;
    if (n == 0)
        return false;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (n == 2)
            return false;
    } else if (n >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }
    for (; i < n; i++) {
        int c = lower((unsigned char)s[i]), d;
        if (is_digit(c))
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return false;
        if ((unsigned)d >= base)
            return false;
        v = v * base + (unsigned)d;
        if (v > 0xFFFFFFFFu)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* An IPv4 literal in any form Windows' inet_addr accepts ("3232235777",
 * "0xC0.0250.1.1", "192.168.257") rewritten as a dotted quad in buf (16
 * bytes). The URL and UNC parsers of Windows take these forms, so a literal
 * must be normalised before it is matched with destination.ip. */
static bool ipv4_normalise(const char *h, size_t n, char buf[16])
{
    uint32_t part[4], v;
    size_t np = 0, start = 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (np == 4 || !ipv4_part(h + start, i - start, &part[np]))
                return false;
            np++;
            start = i + 1;
        }
    }
    switch (np) {
    case 1:
        v = part[0];
        break;
    case 2:
        if (part[0] > 255 || part[1] > 0xFFFFFF)
            return false;
        v = part[0] << 24 | part[1];
        break;
    case 3:
        if (part[0] > 255 || part[1] > 255 || part[2] > 0xFFFF)
            return false;
        v = part[0] << 24 | part[1] << 16 | part[2];
        break;
    default:
        if (part[0] > 255 || part[1] > 255 || part[2] > 255 || part[3] > 255)
            return false;
        v = part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3];
        break;
    }
    /* four numbers of at most three digits: never more than 15 bytes */
    char *o = buf;
    for (int sh = 24; sh >= 0; sh -= 8) {
        unsigned b = (v >> sh) & 0xFF;
        if (b >= 100)
            *o++ = (char)('0' + b / 100);
        if (b >= 10)
            *o++ = (char)('0' + b / 10 % 10);
        *o++ = (char)('0' + b % 10);
        if (sh > 0)
            *o++ = '.';
    }
    *o = '\0';
    return true;
}

/* Store host h[0..n) into d->host: lower case, IPv4 literals normalised,
 * "fe80--1s4.ipv6-literal.net" turned back into "fe80::1%4" (the form
 * Windows invented so that IPv6 addresses fit in UNC names). */
static void set_host(struct msiexec_dest *d, const char *h, size_t n, bool unc, bool *cut)
{
    char w[MSIEXEC_HOST_MAX], q[16];
    size_t k;
    static const char lit[] = ".ipv6-literal.net";
    size_t ll = sizeof lit - 1;
    if (raw_copy(w, sizeof w, h, n, &k))
        *cut = true;
    if (unc && k > ll && ieq(w + k - ll, ll, lit)) {
        k -= ll;
        for (size_t i = 0; i < k; i++) {
            if (w[i] == '-')
                w[i] = ':';
            else if (w[i] == 's' || w[i] == 'S')
                w[i] = '%';
        }
        w[k] = '\0';
    }
    if (ipv4_normalise(w, k, q)) {
        memcpy(w, q, sizeof q);
        k = strlen(w);
    }
    if (out_copy(d->host, sizeof d->host, w, k, true, 0, 0))
        *cut = true;
}

static bool is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
           strcmp(host, "::1") == 0 || strcmp(host, "0:0:0:0:0:0:0:1") == 0;
}

/* Port digits; 0 when absent, not a number, or out of range. */
static uint16_t parse_port(const char *s, size_t n)
{
    uint32_t v = 0;
    if (n == 0 || n > 5)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    return v <= 65535 ? (uint16_t)v : 0;
}

/* ---- remote references --------------------------------------------------- */

/* A URL after "scheme:". Windows' URL code accepts '\' for '/', so any run of
 * at least one separator is taken as the "//" (no separator at all is a local
 * name: "http:x.msi" is the stream x.msi of a file called http). */
static bool ref_url(const char *p, size_t n, const char *scheme, struct msiexec_dest *d,
                    const char **reason, bool *cut)
{
    size_t i = 0;
    while (i < n && is_sep((unsigned char)p[i]))
        i++;
    if (i == 0)
        return false;
    size_t a0 = i;
    while (i < n && !is_sep((unsigned char)p[i]) && p[i] != '?' && p[i] != '#')
        i++;
    const char *auth = p + a0;
    size_t an = i - a0;
    /* userinfo: everything up to the last '@' */
    for (size_t k = an; k > 0; k--) {
        if (auth[k - 1] == '@') {
            auth += k;
            an -= k;
            break;
        }
    }
    const char *host = auth, *port = NULL;
    size_t hn = an, pn = 0;
    if (an > 0 && auth[0] == '[') {
        const char *rb = memchr(auth, ']', an);
        if (rb != NULL) {
            host = auth + 1;
            hn = (size_t)(rb - auth) - 1;
            size_t rest = an - (size_t)(rb - auth) - 1;
            if (rest > 0 && rb[1] == ':') {
                port = rb + 2;
                pn = rest - 1;
            }
        }
    } else {
        const char *colon = memchr(auth, ':', an);
        if (colon != NULL) {
            hn = (size_t)(colon - auth);
            port = colon + 1;
            pn = an - hn - 1;
        }
    }
    memset(d, 0, sizeof *d);
    memcpy(d->scheme, scheme, strlen(scheme) + 1);
    set_host(d, host, hn, false, cut);
    d->port = port != NULL ? parse_port(port, pn) : 0;
    d->ssl = strcmp(scheme, "https") == 0;
    if (i < n && is_sep((unsigned char)p[i])) {
        if (out_copy(d->path, sizeof d->path, p + i, n - i, false, 0, 0))
            *cut = true;
    } else {
        d->path[0] = '/';
        if (out_copy(d->path + 1, sizeof d->path - 1, p + i, n - i, false, 0, 0))
            *cut = true;
    }
    *reason = strcmp(scheme, "ftp") == 0 ? R_FTP : R_URL;
    return true;
}

/* A UNC name from its server on: server[@SSL][@port]\share\path. */
static bool ref_unc(const char *p, size_t n, struct msiexec_dest *d, const char **reason,
                    bool *cut)
{
    size_t i = 0;
    while (i < n && is_sep((unsigned char)p[i])) /* "\\\host": extra separators */
        i++;
    size_t s0 = i;
    while (i < n && !is_sep((unsigned char)p[i]))
        i++;
    const char *srv = p + s0;
    size_t sn = i - s0;
    if (sn == 0)
        return false;
    /* share and the path below it */
    size_t j = i;
    while (j < n && is_sep((unsigned char)p[j]))
        j++;
    size_t sh0 = j;
    while (j < n && !is_sep((unsigned char)p[j]))
        j++;
    const char *share = p + sh0;
    size_t shn = j - sh0;
    while (j < n && is_sep((unsigned char)p[j]))
        j++;
    const char *rest = p + j;
    size_t rn = n - j;

    /* host, then @SSL / @port suffixes (WebDAV redirector syntax) */
    const char *at = memchr(srv, '@', sn);
    size_t hn = at != NULL ? (size_t)(at - srv) : sn;
    bool ssl = false, webdav = at != NULL;
    uint16_t port = 0;
    if (at != NULL) {
        const char *q = at, *end = srv + sn;
        while (q < end) {
            const char *t = q + 1, *nx = memchr(t, '@', (size_t)(end - t));
            size_t tn = nx != NULL ? (size_t)(nx - t) : (size_t)(end - t);
            if (ieq(t, tn, "SSL"))
                ssl = true;
            else if (parse_port(t, tn) != 0)
                port = parse_port(t, tn);
            q = nx != NULL ? nx : end;
        }
    }
    const char *host = srv;
    if (hn >= 2 && srv[0] == '[' && srv[hn - 1] == ']') {
        host++;
        hn -= 2;
    }
    if (ieq(share, shn, "DavWWWRoot"))
        webdav = true;

    memset(d, 0, sizeof *d);
    set_host(d, host, hn, true, cut);
    if (!webdav && is_loopback(d->host))
        return false; /* \\localhost\c$\x.msi is a local file */
    d->port = port;
    d->ssl = ssl;
    if (out_copy(d->share, sizeof d->share, share, shn, false, 0, 0))
        *cut = true;
    if (webdav) {
        memcpy(d->scheme, "webdav", 7);
        size_t o = 0;
        d->path[o++] = '/';
        if (!ieq(share, shn, "DavWWWRoot") && shn > 0) {
            if (out_copy(d->path + o, sizeof d->path - o, share, shn, false, 0, 0))
                *cut = true;
            o = strlen(d->path);
            if (rn > 0 && o + 1 < sizeof d->path)
                d->path[o++] = '/';
            d->path[o] = '\0';
        }
        if (out_copy(d->path + o, sizeof d->path - o, rest, rn, false, '\\', '/'))
            *cut = true;
        *reason = R_DAV;
    } else {
        memcpy(d->scheme, "smb", 4);
        if (out_copy(d->path, sizeof d->path, rest, rn, false, '/', '\\'))
            *cut = true;
        *reason = R_UNC;
    }
    return true;
}

/* file: URLs. file://host/share/x -> \\host\share\x; file:////host/share/x
 * and file://///host/... carry a UNC name in the path; file:///C:/x, file:/x
 * and file://localhost/x are local. */
static bool ref_file(const char *p, size_t n, struct msiexec_dest *d, const char **reason,
                     bool *cut)
{
    size_t ns = 0;
    while (ns < n && is_sep((unsigned char)p[ns]))
        ns++;
    if (ns >= 4)
        return ref_unc(p + ns, n - ns, d, reason, cut);
    if (ns != 2)
        return false;
    size_t e = ns;
    while (e < n && !is_sep((unsigned char)p[e]))
        e++;
    const char *h = p + ns;
    size_t hn = e - ns;
    if (hn == 0 || ieq(h, hn, "localhost") || ieq(h, hn, "."))
        return false;
    if (hn == 2 && is_alpha((unsigned char)h[0]) && (h[1] == ':' || h[1] == '|'))
        return false; /* file://C:/x.msi, a common mistake for file:///C:/ */
    return ref_unc(p + ns, n - ns, d, reason, cut);
}

/* The classifier's core: is p[0..n) a remote reference? */
static bool ref_remote(const char *p, size_t n, struct msiexec_dest *d, const char **reason,
                       bool *cut)
{
    size_t k;
    trim(&p, &n);
    if ((k = pmatch(p, n, "http:")) != 0)
        return ref_url(p + k, n - k, "http", d, reason, cut);
    if ((k = pmatch(p, n, "https:")) != 0)
        return ref_url(p + k, n - k, "https", d, reason, cut);
    if ((k = pmatch(p, n, "ftp:")) != 0)
        return ref_url(p + k, n - k, "ftp", d, reason, cut);
    if ((k = pmatch(p, n, "file:")) != 0)
        return ref_file(p + k, n - k, d, reason, cut);
    /* Win32 and NT spellings of a UNC name */
    static const char *const unc_prefix[] = {
        "\\\\?\\UNC\\", "\\\\.\\UNC\\", "\\??\\UNC\\",
        "\\\\?\\GLOBALROOT\\Device\\Mup\\", "\\\\.\\GLOBALROOT\\Device\\Mup\\",
        "\\??\\GLOBALROOT\\Device\\Mup\\", "\\Device\\Mup\\",
    };
    for (size_t i = 0; i < sizeof unc_prefix / sizeof unc_prefix[0]; i++)
        if ((k = pmatch(p, n, unc_prefix[i])) != 0)
            return ref_unc(p + k, n - k, d, reason, cut);
    /* \\?\C:\x, \\.\C:\x, \??\C:\x: device and long-path names of local files */
    if (pmatch(p, n, "\\\\?\\") || pmatch(p, n, "\\\\.\\") || pmatch(p, n, "\\??\\"))
        return false;
    if (n >= 2 && is_sep((unsigned char)p[0]) && is_sep((unsigned char)p[1]))
        return ref_unc(p, n, d, reason, cut);
    return false;
}

bool msiexec_remote_sourcen(const char *p, size_t n, struct msiexec_dest *d, const char **reason)
{
    struct msiexec_dest tmp;
    const char *r = NULL;
    bool cut = false;
    if (p == NULL)
        return false;
    bool remote = ref_remote(p, n, d != NULL ? d : &tmp, &r, &cut);
    if (reason != NULL)
        *reason = remote ? r : NULL;
    return remote;
}

bool msiexec_remote_source(const char *package, struct msiexec_dest *d, const char **reason)
{
    return msiexec_remote_sourcen(package, package != NULL ? strlen(package) : 0, d, reason);
}

/* ---- the classifier's state ---------------------------------------------- */

struct cls {
    struct msiexec_verdict *v;
    int rank;                  /* of v->action: 0 none, 1 any, 2 /y /z, 3 remote */
    char pending[MAX_PENDING]; /* options waiting for their argument, in order */
    unsigned npending;
};

static void add_reason(struct cls *st, const char *r)
{
    struct msiexec_verdict *v = st->v;
    for (unsigned i = 0; i < v->nreasons; i++)
        if (v->reasons[i] == r)
            return;
    if (v->nreasons < MSIEXEC_MAX_REASONS)
        v->reasons[v->nreasons++] = r;
}

/* Keep a destination: once per scheme, host, port and TLS; the package's
 * own destination goes first. */
static void add_dest(struct cls *st, const struct msiexec_dest *d, bool primary)
{
    struct msiexec_verdict *v = st->v;
    unsigned at = v->ndest;
    if (d->host[0] == '\0')
        return;
    for (unsigned i = 0; i < v->ndest; i++) {
        const struct msiexec_dest *e = &v->dest[i];
        if (strcmp(e->scheme, d->scheme) == 0 && strcmp(e->host, d->host) == 0 &&
            e->port == d->port && e->ssl == d->ssl) {
            at = i;
            break;
        }
    }
    if (at == v->ndest) { /* new */
        if (!primary) {
            if (v->ndest < MSIEXEC_MAX_DEST)
                v->dest[v->ndest++] = *d;
            return;
        }
        if (v->ndest < MSIEXEC_MAX_DEST)
            v->ndest++;
        at = v->ndest - 1; /* shift everything right, losing the last if full */
    } else if (!primary) {
        return;
    }
    for (unsigned i = at; i > 0; i--)
        v->dest[i] = v->dest[i - 1];
    v->dest[0] = *d;
    v->has_dest = true;
}

/* A ';' list (patches, transforms): any remote element adds reason r. */
static bool check_list(struct cls *st, const char *p, size_t n, const char *r, bool primary)
{
    bool any = false;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && p[j] != ';')
            j++;
        const char *e = p + i;
        size_t en = j - i;
        trim(&e, &en);
        if (en > 0 && (e[0] == '@' || e[0] == '|')) { /* secured transform markers */
            e++;
            en--;
        }
        struct msiexec_dest d;
        const char *why = NULL;
        bool cut = false;
        if (en > 0 && e[0] != ':' && ref_remote(e, en, &d, &why, &cut)) { /* ':' = embedded */
            add_reason(st, r != NULL ? r : why);
            add_dest(st, &d, primary && !any);
            any = true;
        }
        if (cut)
            st->v->truncated = true;
        i = j + 1;
    }
    return any;
}

/* The argument a of action option opt. */
static void take_action(struct cls *st, char opt, const char *a, size_t n)
{
    struct msiexec_verdict *v = st->v;
    int rank = 1;
    bool remote = false;
    if (opt == 'y') {
        add_reason(st, R_DLLREG);
        rank = 2;
    } else if (opt == 'z') {
        add_reason(st, R_DLLUNREG);
        rank = 2;
    }
    if (opt != 'x') { /* an uninstall is not one of DESIGN.md 5's actions */
        bool primary = st->rank < 3;
        if (opt == 'p') {
            remote = check_list(st, a, n, NULL, primary); /* /update "a.msp;b.msp" */
        } else {
            struct msiexec_dest d;
            const char *why = NULL;
            bool cut = false;
            remote = ref_remote(a, n, &d, &why, &cut);
            if (cut)
                v->truncated = true;
            if (remote) {
                add_reason(st, why);
                add_dest(st, &d, primary);
            }
        }
        if (remote)
            rank = 3;
    }
    if (rank > st->rank) {
        st->rank = rank;
        v->action = opt;
        const char *t = a;
        size_t tn = n;
        trim(&t, &tn);
        if (out_copy(v->package, sizeof v->package, t, tn, false, 0, 0))
            v->truncated = true;
    }
}

static void take_arg(struct cls *st, char opt, const char *a, size_t n)
{
    switch (opt) {
    case 'i': case 'a': case 'j': case 'f': case 'p': case 'x': case 'y': case 'z':
        take_action(st, opt, a, n);
        break;
    case 't': /* transforms of /j */
        check_list(st, a, n, R_TRANSFORM, false);
        break;
    default: /* l (log file), g (language), n (product code), m (MIF file), @ */
        break;
    }
}

static void push_pending(struct cls *st, char opt)
{
    if (st->npending < MAX_PENDING)
        st->pending[st->npending++] = opt;
}

static char pop_pending(struct cls *st)
{
    char o = st->pending[0];
    for (unsigned i = 1; i < st->npending; i++)
        st->pending[i - 1] = st->pending[i];
    st->npending--;
    return o;
}

/* ---- options -------------------------------------------------------------- */

/* Length of an option prefix at t[k]: '/', '-', or U+2013, U+2014, U+2015. */
static size_t dash_len(const char *t, size_t n, size_t k)
{
    const unsigned char *u = (const unsigned char *)t;
    if (k >= n)
        return 0;
    if (u[k] == '/' || u[k] == '-')
        return 1;
    if (n - k >= 3 && u[k] == 0xE2 && u[k + 1] == 0x80 && u[k + 2] >= 0x93 && u[k + 2] <= 0x95)
        return 3;
    return 0;
}

/* An option starts at t[k]: a prefix, then a letter, '?' or '@'. Returns the
 * prefix length, or 0. "//host/share" and "-" are not options. */
static size_t opt_start(const char *t, size_t n, size_t k)
{
    size_t d = dash_len(t, n, k);
    if (d == 0 || n - k <= d)
        return 0;
    int c = (unsigned char)t[k + d];
    return is_alpha(c) || c == '?' || c == '@' ? d : 0;
}

struct kw {
    const char *name;
    char opt;  /* what it stands for ('E' embedding, 0 no effect here) */
    bool arg;  /* takes an argument (and then may have it glued on) */
};

/* Long names, tried before the one-letter options they start with. */
static const struct kw kws[] = {
    { "package", 'i', true },       { "uninstall", 'x', true },
    { "update", 'p', true },        { "log", 'l', true },
    { "quiet", 'q', false },        { "passive", 'q', false },
    { "norestart", 0, false },      { "forcerestart", 0, false },
    { "promptrestart", 0, false },  { "help", 'h', false },
    { "regserver", 0, false },      { "unregserver", 0, false },
    { "unregister", 0, false },     { "unreg", 0, false },
    { "embedding", 'E', false },
};

static bool in_set(int c, const char *set)
{
    return c != 0 && strchr(set, lower(c)) != NULL;
}

/* One argument that starts with an option: walk the options glued in it. */
static void options(struct cls *st, const char *t, size_t n)
{
    size_t k = 0;
    while (k < n) {
        size_t d = opt_start(t, n, k);
        if (d == 0)
            break; /* trailing characters no option explains: ignored */
        k += d;
        char opt = 0;
        bool arg = false, matched = false;
        for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
            size_t m = pmatch(t + k, n - k, kws[i].name);
            if (m == 0)
                continue;
            if (!kws[i].arg && k + m < n && opt_start(t, n, k + m) == 0)
                continue; /* "/quietly" is not /quiet */
            k += m;
            opt = kws[i].opt;
            arg = kws[i].arg;
            matched = true;
            break;
        }
        if (!matched) {
            opt = (char)lower((unsigned char)t[k++]);
            switch (opt) {
            case 'i': case 'a': case 'x': case 'p': case 'y': case 'z':
            case 't': case 'g': case 'n': case 'm': case '@':
                arg = true;
                break;
            case 'j':
                while (k < n && in_set((unsigned char)t[k], "um"))
                    k++;
                arg = true;
                break;
            case 'f':
                while (k < n && in_set((unsigned char)t[k], "poedcaumsv"))
                    k++;
                arg = true;
                break;
            case 'l':
                while (k < n && in_set((unsigned char)t[k], "iwearucmopvx+!*"))
                    k++;
                arg = true;
                break;
            case 'q':
                if (k < n && in_set((unsigned char)t[k], "nbrf"))
                    k++;
                while (k < n) { /* + ! always modifiers; '-' unless an option follows */
                    if (t[k] == '+' || t[k] == '!')
                        k++;
                    else if (t[k] == '-' && opt_start(t, n, k) == 0)
                        k++;
                    else
                        break;
                }
                break;
            default: /* c v h ? and letters msiexec does not define */
                break;
            }
        }
        if (!arg) {
            if (k < n && opt_start(t, n, k) == 0)
                break;
            continue;
        }
        if (k == n || opt_start(t, n, k) != 0) {
            push_pending(st, opt); /* the argument is the next non-option */
            continue;
        }
        take_arg(st, opt, t + k, n - k); /* glued: "/I{GUID}", "/ihttp://..." */
        break;
    }
}

/* PROPERTY=value: a public property name, then '='. */
static bool property(const char *t, size_t n, const char **val, size_t *vn, size_t *nn)
{
    size_t i = 0;
    if (n == 0 || !(is_alpha((unsigned char)t[0]) || t[0] == '_'))
        return false;
    while (i < n && (is_alpha((unsigned char)t[i]) || is_digit((unsigned char)t[i]) ||
                     t[i] == '_' || t[i] == '.'))
        i++;
    if (i == n || t[i] != '=')
        return false;
    *nn = i;
    *val = t + i + 1;
    *vn = n - i - 1;
    return true;
}

/* Basename of a path, blanks and quotes trimmed, is msiexec(.exe)? With
 * mui, also "msiexec.exe.mui": the version resource of msiexec.exe says
 * OriginalFilename "msiexec.exe" on some Windows builds and
 * "msiexec.exe.mui" on others (strontic xcyclopedia, several builds of
 * System32 and SysWOW64 msiexec.exe), so an exact "msiexec.exe" match on
 * OriginalFileName, as the public rules do, misses renamed copies there. */
static bool name_is_msiexec(const char *s, size_t n, bool mui)
{
    trim(&s, &n);
    size_t b = n;
    while (b > 0 && !is_sep((unsigned char)s[b - 1]))
        b--;
    return ieq(s + b, n - b, "msiexec.exe") || ieq(s + b, n - b, "msiexec") ||
           (mui && ieq(s + b, n - b, "msiexec.exe.mui"));
}

/* Does the text contain "msiexec" in any case? */
static bool mentions_msiexec(const char *s, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++)
        if (ieq(s + i, 7, "msiexec"))
            return true;
    return false;
}

static bool given(const char *s)
{
    return s != NULL && s[0] != '\0' && strcmp(s, "-") != 0; /* Sysmon writes "-" */
}

void msiexec_classify(const char *image, const char *original_file_name, const char *cmdline,
                      struct msiexec_verdict *v)
{
    char tok[TOK_CAP];
    struct winargv_iter it;
    struct cls st;
    size_t full = 0;
    bool name_ok = false, have_argv0;

    memset(v, 0, sizeof *v);
    memset(&st, 0, sizeof st);
    st.v = v;
    if (cmdline == NULL)
        cmdline = "";
    winargv_begin(&it, cmdline, strlen(cmdline));
    have_argv0 = winargv_next(&it, tok, sizeof tok, &full);
    size_t tl = have_argv0 ? strlen(tok) : 0;

    if (given(image))
        name_ok = name_is_msiexec(image, strlen(image), false);
    else if (have_argv0)
        name_ok = name_is_msiexec(tok, tl, false);
    if (given(original_file_name)) {
        bool ofn_ok = name_is_msiexec(original_file_name, strlen(original_file_name), true);
        v->is_msiexec = ofn_ok; /* another program renamed msiexec.exe is not msiexec */
        v->renamed = ofn_ok && !name_ok;
    } else {
        v->is_msiexec = name_ok;
    }
    if (!v->is_msiexec)
        return;

    /* A line written without the program name ("/i x.msi" through
     * CreateProcess' lpCommandLine) still carries options in argv[0]. */
    bool cur = have_argv0 && opt_start(tok, tl, 0) != 0 && !mentions_msiexec(tok, tl);
    for (;;) {
        if (!cur) {
            if (!winargv_next(&it, tok, sizeof tok, &full))
                break;
            tl = strlen(tok);
            if (full >= sizeof tok)
                v->truncated = true;
        }
        cur = false;
        const char *val;
        size_t vn, nn;
        if (opt_start(tok, tl, 0) != 0) {
            options(&st, tok, tl);
        } else if (st.npending > 0) {
            char opt = pop_pending(&st);
            take_arg(&st, opt, tok, tl);
        } else if (property(tok, tl, &val, &vn, &nn)) {
            if (ieq(tok, nn, "TRANSFORMS"))
                check_list(&st, val, vn, R_TRANSFORM, false);
            else if (ieq(tok, nn, "PATCH"))
                check_list(&st, val, vn, R_PATCH, false);
        }
    }
    /* Options left without an argument: "/z" alone still counts (Elastic's
     * endpoint rule fires on the switch; commandlines.jsonl id 25). */
    while (st.npending > 0) {
        char opt = pop_pending(&st);
        take_arg(&st, opt, "", 0);
    }
    v->suspicious = v->nreasons > 0;
    if (v->suspicious && v->renamed)
        add_reason(&st, R_RENAMED);
    v->has_dest = v->ndest > 0;
}

const char *msiexec_action_name(char action)
{
    switch (action) {
    case 'i': return "install";
    case 'a': return "admin";
    case 'j': return "advertise";
    case 'f': return "repair";
    case 'x': return "uninstall";
    case 'p': return "patch";
    case 'y': return "register";
    case 'z': return "unregister";
    default: return "none";
    }
}
