/* recbus.h -- where a record goes once it is made: to the output (the
 * --records file) and to the correlator, which joins it into alerts and
 * keeps the rarity table and the host identity map. The producers (the
 * app-layer glue, the flow table, the endpoint feed) know only this. */
#ifndef MW_RECBUS_H
#define MW_RECBUS_H

#include "correlate.h"
#include "output.h"
#include "record.h"

struct recbus {
    struct output *out;
    struct correlator *cor;   /* NULL: records only */
};

static inline void bus_http(struct recbus *b, const struct rec_http *r)
{
    output_http(b->out, r);
    if (b->cor)
        cor_http(b->cor, r);
}

static inline void bus_tls(struct recbus *b, const struct rec_tls *r)
{
    output_tls(b->out, r);
    if (b->cor)
        cor_tls(b->cor, r);
}

static inline void bus_smb(struct recbus *b, const struct rec_smb *r)
{
    output_smb(b->out, r);
    if (b->cor)
        cor_smb(b->cor, r);
}

static inline void bus_dns(struct recbus *b, const struct rec_dns *r)
{
    output_dns(b->out, r);
    if (b->cor)
        cor_dns(b->cor, r);
}

static inline void bus_dhcp(struct recbus *b, const struct rec_dhcp *r)
{
    output_dhcp(b->out, r);
    if (b->cor)
        cor_dhcp(b->cor, r);
}

static inline void bus_flow(struct recbus *b, const struct rec_flow *r)
{
    output_flow(b->out, r);
    if (b->cor)
        cor_flow(b->cor, r);
}

static inline void bus_endpoint(struct recbus *b, const struct rec_endpoint *r)
{
    output_endpoint(b->out, r);
    if (b->cor)
        cor_endpoint(b->cor, r);
}

#endif
