/* test_identity.c -- the address-to-host map (identity.c) with its times
 * and its slots, the names events carried, the --hostmap file, and the
 * allowlist (allowlist.c) entries and file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allowlist.h"
#include "identity.h"
#include "tap.h"

#define S 1000000ull

static struct mw_addr ip(const char *s)
{
    struct mw_addr a;
    memset(&a, 0, sizeof a);
    mw_addr_parse(s, &a);
    return a;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/msiwatch-test-%s-%d", name, (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

int main(void)
{
    struct identity *id;
    enum id_source src;
    char err[256], err2[256];
    const char *al;
    struct allowlist *w;
    struct msiexec_dest d;
    TEST_BEGIN("addresses as text: IPv4 by hand as inet_ntop writes it, IPv6 by inet_ntop, and back");
    {
        static const char *const v[] = { "0.0.0.0", "255.255.255.255", "10.0.100.9", "1.10.100.200",
                                         "192.168.1.20", "2001:db8::1", "::1", "fe80::1:2:3" };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            struct mw_addr a;
            char buf[64];
            CHECK(mw_addr_parse(v[i], &a));
            CHECK_STR(mw_addr_str(&a, buf, sizeof buf), v[i]);
        }
    }
    TEST_END();

    TEST_BEGIN("short names: first label, lower case; FQDN and NetBIOS name are one host");
    char sh[64];
    identity_short("WIN10-LAB.lab.msiwatch.test", sh, sizeof sh);
    CHECK_STR(sh, "win10-lab");
    CHECK(identity_same_host("WIN10-LAB", "win10-lab.corp.example"));
    CHECK(!identity_same_host("WIN10-LAB", "WIN10-B"));
    CHECK(!identity_same_host("", ""));
    TEST_END();

    TEST_BEGIN("an address moves: the pair in force at the time is returned");
    id = identity_new(1024);
    struct mw_addr a = ip("10.0.0.5");
    identity_learn(id, &a, "WS01", ID_DHCP, 100 * S);
    identity_learn(id, &a, "WS02.corp.example", ID_SYSMON3, 200 * S);
    CHECK_STR(identity_lookup(id, &a, 150 * S, 0, &src), "WS01");
    CHECK_EQ(src, ID_DHCP);
    CHECK_STR(identity_lookup(id, &a, 250 * S, 0, &src), "WS02.corp.example");
    CHECK_EQ(src, ID_SYSMON3);
    /* before anything was learned: the first pair after */
    CHECK_STR(identity_lookup(id, &a, 50 * S, 0, NULL), "WS01");
    /* slack: a lookup a little before the move sees the new host */
    CHECK_STR(identity_lookup(id, &a, 195 * S, 10 * S, NULL), "WS02.corp.example");
    struct mw_addr b = ip("10.0.0.6");
    CHECK(identity_lookup(id, &b, 150 * S, 0, NULL) == NULL);
    TEST_END();

    TEST_BEGIN("the FQDN is kept over the NetBIOS name of the same host");
    struct mw_addr c = ip("10.0.0.7");
    identity_learn(id, &c, "WIN10-LAB", ID_NTLMSSP, 10 * S);
    identity_learn(id, &c, "WIN10-LAB.lab.msiwatch.test", ID_SYSMON3, 20 * S);
    CHECK_STR(identity_lookup(id, &c, 30 * S, 0, NULL), "WIN10-LAB.lab.msiwatch.test");
    identity_learn(id, &c, "-", ID_SYSMON3, 40 * S); /* Sysmon's "-": ignored */
    CHECK_STR(identity_lookup(id, &c, 50 * S, 0, NULL), "WIN10-LAB.lab.msiwatch.test");
    TEST_END();

    TEST_BEGIN("names that events carried, for learning from DNS answers");
    identity_note_host(id, "WIN10-LAB.lab.msiwatch.test");
    CHECK(identity_known_host(id, "win10-lab"));
    CHECK(identity_known_host(id, "WIN10-LAB.other.example"));
    CHECK(!identity_known_host(id, "cdn.example.com"));
    TEST_END();

    TEST_BEGIN("a full table replaces the pair seen longest ago, and counts it");
    struct identity *tiny = identity_new(8);
    char name[32];
    for (int i = 0; i < 200; i++) {
        char s[32];
        snprintf(s, sizeof s, "10.1.%d.%d", i / 250, i % 250 + 1);
        struct mw_addr x = ip(s);
        snprintf(name, sizeof name, "host%d", i);
        identity_learn(tiny, &x, name, ID_DHCP, (uint64_t)i * S);
    }
    CHECK(identity_stats(tiny)->replaced > 0);
    struct mw_addr last = ip("10.1.0.200");
    CHECK_STR(identity_lookup(tiny, &last, 1000 * S, 0, NULL), "host199");
    /* its slot held older addresses: none of their hosts is left in it */
    CHECK_STR(identity_lookup(tiny, &last, 150 * S, 0, NULL), "host199");
    CHECK_EQ(identity_stats(tiny)->alloc_failed, 0);
    identity_free(tiny);
    TEST_END();

    TEST_BEGIN("addresses of neighbouring home slots share slots and are all found");
    {
        /* a table of 64: homes 40, 41, 40, 42, 40 fill slots 40 to 44 in
         * that order, so the third address of home 40 sits past two others' */
        struct identity *t64 = identity_new(64);
        const uint32_t homes[5] = { 40, 41, 40, 42, 40 };
        struct mw_addr n[6];
        char names[6][16];
        unsigned next = 0;
        for (int i = 0; i < 6; i++) {
            for (;;) {
                char s[32];
                unsigned k = next++;
                snprintf(s, sizeof s, "10.2.%u.%u", k / 250, k % 250 + 1);
                n[i] = ip(s);
                if ((mw_addr_hash(&n[i]) & 63) == (i < 5 ? homes[i] : 41))
                    break;
            }
            snprintf(names[i], sizeof names[i], "n%d", i);
        }
        for (int i = 0; i < 5; i++)
            identity_learn(t64, &n[i], names[i], ID_DHCP, 10 * S);
        for (int i = 0; i < 5; i++)
            CHECK_STR(identity_lookup(t64, &n[i], 20 * S, 0, NULL), names[i]);
        /* another address of home 41: not there; learned, it takes slot 45 */
        CHECK(identity_lookup(t64, &n[5], 20 * S, 0, NULL) == NULL);
        identity_learn(t64, &n[5], names[5], ID_DHCP, 30 * S);
        for (int i = 0; i < 6; i++)
            CHECK_STR(identity_lookup(t64, &n[i], 40 * S, 0, NULL), names[i]);
        CHECK_EQ(identity_stats(t64)->replaced, 0);
        identity_free(t64);
    }
    TEST_END();

    TEST_BEGIN("1,500 names that events carried are all known, 1,500 others none");
    {
        struct identity *kn = identity_new(64);
        char s[32];
        for (int i = 0; i < 1500; i++) {
            snprintf(s, sizeof s, "PC%04d.corp.example", i);
            identity_note_host(kn, s);
        }
        int known = 0, others = 0;
        for (int i = 0; i < 1500; i++) {
            snprintf(s, sizeof s, "pc%04d", i);
            known += identity_known_host(kn, s);
            snprintf(s, sizeof s, "ws%04d.corp.example", i);
            others += identity_known_host(kn, s);
        }
        CHECK_EQ(known, 1500);
        CHECK_EQ(others, 0);
        identity_free(kn);
    }
    TEST_END();

    TEST_BEGIN("--hostmap: static pairs valid at any time; a bad line is named");
    const char *hm = write_file("hostmap", "# lab\n10.77.0.10 WIN10-LAB   # the client\n\n2001:db8::7 v6host\n");
    CHECK_EQ(identity_load_hostmap(id, hm, err, sizeof err), 0);
    struct mw_addr l = ip("10.77.0.10"), v6 = ip("2001:db8::7");
    CHECK_STR(identity_lookup(id, &l, 12345 * S, 0, &src), "WIN10-LAB");
    CHECK_EQ(src, ID_STATIC);
    CHECK_STR(identity_lookup(id, &v6, 1, 0, NULL), "v6host");
    hm = write_file("hostmap", "10.0.0.1 a\n10.0.0.2\n");
    CHECK_EQ(identity_load_hostmap(id, hm, err, sizeof err), -1);
    CHECK(strstr(err, ":2: expected") != NULL);
    unlink(hm);
    identity_free(id);
    TEST_END();

    TEST_BEGIN("allowlist: domain suffixes, hosts by address, share and URL prefixes, clients");
    al = write_file("allow",
                                "# approved deployment\n"
                                "domain deploy.lab.msiwatch.test\n"
                                "host 10.77.0.30\n"
                                "share \\\\fs01\\packages\n"
                                "url https://cdn.vendor.example/msi/\n"
                                "client SCCM-01\n");
    w = allowlist_load(al, err2, sizeof err2);
    CHECK(w != NULL);
    CHECK_EQ(allowlist_count(w), 5);
    memset(&d, 0, sizeof d);
    snprintf(d.host, sizeof d.host, "deploy.lab.msiwatch.test");
    CHECK_STR(allowlist_match(w, &d, NULL, "ws01"), "domain deploy.lab.msiwatch.test");
    snprintf(d.host, sizeof d.host, "x.deploy.lab.msiwatch.test");
    CHECK(allowlist_match(w, &d, NULL, "ws01") != NULL);
    snprintf(d.host, sizeof d.host, "evildeploy.lab.msiwatch.test");
    CHECK(allowlist_match(w, &d, NULL, "ws01") == NULL);
    snprintf(d.host, sizeof d.host, "10.77.0.30");
    CHECK_STR(allowlist_match(w, &d, NULL, "ws01"), "host 10.77.0.30");
    snprintf(d.host, sizeof d.host, "10.77.0.31");
    CHECK(allowlist_match(w, &d, NULL, "ws01") == NULL);
    snprintf(d.host, sizeof d.host, "fs01");
    snprintf(d.share, sizeof d.share, "Packages");
    CHECK_STR(allowlist_match(w, &d, "\\\\FS01\\Packages\\app.msi", "ws01"), "share \\\\fs01\\packages");
    CHECK(allowlist_match(w, &d, "//fs01/packages/app.msi", "ws01") != NULL);
    memset(&d, 0, sizeof d);
    snprintf(d.host, sizeof d.host, "cdn.vendor.example");
    CHECK(allowlist_match(w, &d, "HTTPS://cdn.vendor.example/msi/x.msi", "ws01") != NULL);
    CHECK(allowlist_match(w, &d, "https://cdn.vendor.example/other/x.msi", "ws01") == NULL);
    CHECK_STR(allowlist_match(w, &d, "https://cdn.vendor.example/other/x.msi", "sccm-01.corp"), "client SCCM-01");
    allowlist_free(w);
    TEST_END();

    TEST_BEGIN("allowlist file errors: an unknown kind, a missing value, a missing file");
    al = write_file("allow", "domain ok.example\nserver x\n");
    CHECK(allowlist_load(al, err2, sizeof err2) == NULL);
    CHECK(strstr(err2, ":2: expected") != NULL);
    al = write_file("allow", "domain\n");
    CHECK(allowlist_load(al, err2, sizeof err2) == NULL);
    unlink(al);
    CHECK(allowlist_load("/nonexistent/allow", err2, sizeof err2) == NULL);
    CHECK(strstr(err2, "No such file") != NULL);
    TEST_END();

    return tap_done();
}
