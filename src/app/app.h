/* app.h -- the app layer of one worker (DESIGN.md section 2): decides which
 * protocol parser a flow gets (by its first bytes, so any port works, and
 * by nDPI), drives the parsers with reassembled streams or datagrams, and
 * turns what they parse into network records for output. The parsers in
 * src/parse/ know only bytes; this layer knows flows, directions and
 * records, and never formats JSON (output.c does). */
#ifndef MW_APP_H
#define MW_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "output.h"
#include "recbus.h"
#include "reasm.h"
#include "stats.h"

struct classify;

/* enum app_proto and struct app_stats: stats.h */

typedef struct evp_md_st EVP_MD;

struct app_ctx {
    struct output *out;
    struct recbus *bus;            /* where records go (output, correlator) */
    uint64_t now_us;              /* time of the packet being processed */
    bool digests;                 /* --flow-digests */
    bool hash_all;                /* --hash-bodies all */
    struct app_stats st;
    uint8_t *scratch;             /* TLS handshake reassembly, 64 KiB */
    struct rec_dns *dns_rec;      /* the DNS record being made */
    EVP_MD *sha256;               /* fetched once: EVP_sha256() in each EVP_DigestInit_ex looks
                                   * the algorithm up again (OpenSSL 3), 2,600 instructions a body */
};

int app_ctx_init(struct app_ctx *c, struct recbus *bus, bool digests, bool hash_all);
void app_ctx_free(struct app_ctx *c);

/* Reassembled TCP bytes of direction dir (0 client to server). */
enum reasm_want app_stream(struct app_ctx *c, struct flow *f, int dir, enum reasm_ev ev,
                           const uint8_t *p, size_t n);
/* One UDP datagram of direction dir. */
void app_datagram(struct app_ctx *c, struct flow *f, int dir, const uint8_t *p, size_t n);
/* The flow ends: parsers write what they still hold; state is freed. Fills
 * the flow record's digests when --flow-digests is on. */
void app_flow_end(struct app_ctx *c, struct flow *f, struct rec_flow *r);

const char *app_proto_name(enum app_proto p);

/* For the parsers' glue (src/app/<p>.c). */
void app_rec_net(const struct app_ctx *c, const struct flow *f, struct rec_net *n);

#endif
