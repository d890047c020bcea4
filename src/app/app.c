/* app.c -- the app layer's dispatch (see app.h): one row per protocol in
 * one table (STYLE.md 2.1), the first-bytes test that picks a parser for a
 * flow on any port, the optional stream digests, and the common record
 * fields. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app/proto.h"
#include "parse/http.h"
#include "parse/smb.h"
#include "parse/tls.h"

#define IPP_TCP 6
#define IPP_UDP 17

struct app_state {
    uint8_t proto;               /* enum app_proto */
    uint8_t stopped[2];          /* the parser needs no more of this direction */
    EVP_MD_CTX *sha[2];          /* --flow-digests */
    void *ps;                    /* the parser's per-flow state */
};

static const struct app_ops *const stream_apps[APP__COUNT] = {
    [APP_HTTP] = &app_http_ops,
    [APP_TLS] = &app_tls_ops,
    [APP_SMB] = &app_smb_ops,
    [APP_DNS] = &app_dns_tcp_ops,
};

static const char *const names[APP__COUNT] = {
    [APP_UNDECIDED] = "undecided", [APP_NONE] = "none", [APP_HTTP] = "http",
    [APP_TLS] = "tls", [APP_SMB] = "smb", [APP_DNS] = "dns", [APP_DHCP] = "dhcp",
};

const char *app_proto_name(enum app_proto p)
{
    return (unsigned)p < APP__COUNT ? names[p] : "?";
}

int app_ctx_init(struct app_ctx *c, struct recbus *bus, bool digests, bool hash_all)
{
    memset(c, 0, sizeof *c);
    c->bus = bus;
    c->out = bus->out;
    c->digests = digests;
    c->hash_all = hash_all;
    c->scratch = malloc(APP_SCRATCH);
    c->dns_rec = malloc(sizeof *c->dns_rec);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    c->sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
#else
    c->sha256 = (EVP_MD *)EVP_sha256();
#endif
    if (c->scratch == NULL || c->dns_rec == NULL || c->sha256 == NULL) {
        app_ctx_free(c);
        return -1;
    }
    return 0;
}

void app_ctx_free(struct app_ctx *c)
{
    free(c->scratch);
    c->scratch = NULL;
    free(c->dns_rec);
    c->dns_rec = NULL;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    EVP_MD_free(c->sha256);
#endif
    c->sha256 = NULL;
}

void app_rec_net(const struct app_ctx *c, const struct flow *f, struct rec_net *n)
{
    memset(n, 0, sizeof *n);
    n->ts_us = c->now_us;
    n->flow_id = f->id;
    n->src = *flow_addr(f, 0);
    n->dst = *flow_addr(f, 1);
    n->sport = flow_port(f, 0);
    n->dport = flow_port(f, 1);
    n->l4proto = f->key.proto;
    n->vlan = f->key.vlan;
    n->has_vlan = f->key.vlan != 0;
}

static struct app_state *state(struct app_ctx *c, struct flow *f)
{
    if (f->app)
        return f->app;
    struct app_state *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    if (c->digests && f->key.proto == IPP_TCP)
        for (int i = 0; i < 2; i++) {
            a->sha[i] = EVP_MD_CTX_new();
            if (a->sha[i])
                EVP_DigestInit_ex(a->sha[i], c->sha256, NULL);
        }
    f->app = a;
    return a;
}

/* The first bytes of a stream decide its parser, whatever the port. */
static enum app_proto sniff(const struct flow *f, int dir, const uint8_t *p, size_t n)
{
    if (dir == 0 && http_looks_like_request(p, n))
        return APP_HTTP;
    if (dir == 1 && http_looks_like_response(p, n))
        return APP_HTTP;
    if (dir == 0 && tls_looks_like_client_hello(p, n))
        return APP_TLS;
    if (n >= 8 && (p[0] == 0x00) && (p[5] == 'S' && p[6] == 'M' && p[7] == 'B') &&
        (p[4] == 0xff || p[4] == 0xfe || p[4] == 0xfd || p[4] == 0xfc))
        return APP_SMB;
    if (n >= 4 && p[0] == 0x81) /* NetBIOS session request (port 139) before SMB */
        return (flow_port(f, 1) == 139) ? APP_SMB : APP_NONE;
    if (flow_port(f, 1) == 53)
        return APP_DNS;
    return APP_NONE;
}

enum reasm_want app_stream(struct app_ctx *c, struct flow *f, int dir, enum reasm_ev ev,
                           const uint8_t *p, size_t n)
{
    if (ev == REASM_DATA)
        f->app_bytes[dir] += n;
    else if (ev == REASM_GAP)
        f->gaps[dir]++;
    struct app_state *a = state(c, f);
    if (a == NULL)
        return REASM_STOP;
    if (a->sha[dir] && ev == REASM_DATA)
        EVP_DigestUpdate(a->sha[dir], p, n);
    if (a->proto == APP_UNDECIDED && ev == REASM_DATA && n > 0) {
        a->proto = sniff(f, dir, p, n);
        if (stream_apps[a->proto]) {
            a->ps = stream_apps[a->proto]->create();
            if (a->ps == NULL)
                a->proto = APP_NONE;
            else
                c->st.flows[a->proto]++;
        }
    }
    if (a->stopped[dir])
        return a->sha[dir] ? REASM_MORE : REASM_STOP;
    enum reasm_want w = REASM_MORE;
    if (a->proto == APP_NONE)
        w = REASM_STOP;
    else if (stream_apps[a->proto] && a->ps)
        w = stream_apps[a->proto]->data(c, f, a->ps, dir, ev, p, n);
    if (w == REASM_STOP)
        a->stopped[dir] = 1;
    /* Digests want every byte even when no parser does. */
    return a->sha[dir] ? REASM_MORE : w;
}

void app_datagram(struct app_ctx *c, struct flow *f, int dir, const uint8_t *p, size_t n)
{
    uint16_t sp = flow_port(f, 0), dp = flow_port(f, 1);
    if (dp == 53 || sp == 53)
        app_dns_datagram(c, f, dir, p, n);
    else if ((sp == 68 && dp == 67) || (sp == 67 && dp == 68))
        app_dhcp_datagram(c, f, dir, p, n);
}

void app_flow_end(struct app_ctx *c, struct flow *f, struct rec_flow *r)
{
    struct app_state *a = f->app;
    if (a == NULL)
        return;
    if (a->ps && stream_apps[a->proto]) {
        stream_apps[a->proto]->end(c, f, a->ps);
        stream_apps[a->proto]->destroy(a->ps);
    }
    if (a->sha[0] && a->sha[1] && r) {
        r->has_digest = true;
        for (int i = 0; i < 2; i++) {
            unsigned int len = 0;
            EVP_DigestFinal_ex(a->sha[i], r->sha256[i], &len);
        }
    }
    for (int i = 0; i < 2; i++)
        EVP_MD_CTX_free(a->sha[i]);
    free(a);
    f->app = NULL;
}
