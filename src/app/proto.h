/* proto.h -- the contract between app.c and each protocol's glue
 * (src/app/<p>.c): a stream parser is a row of hooks; datagram parsers are
 * plain functions. Glue turns parsed structs into records and calls
 * output.c; it never formats JSON itself. */
#ifndef MW_APP_PROTO_H
#define MW_APP_PROTO_H

#include "app/app.h"

#define APP_SCRATCH (64 * 1024)   /* TLS handshake reassembly buffer */

struct app_ops {
    const char *name;
    void *(*create)(void);
    enum reasm_want (*data)(struct app_ctx *c, struct flow *f, void *ps, int dir,
                            enum reasm_ev ev, const uint8_t *p, size_t n);
    void (*end)(struct app_ctx *c, struct flow *f, void *ps);   /* write what is pending */
    void (*destroy)(void *ps);
};

extern const struct app_ops app_http_ops, app_tls_ops, app_smb_ops, app_dns_tcp_ops;

void app_dns_datagram(struct app_ctx *c, struct flow *f, int dir, const uint8_t *p, size_t n);
void app_dhcp_datagram(struct app_ctx *c, struct flow *f, int dir, const uint8_t *p, size_t n);

#endif
