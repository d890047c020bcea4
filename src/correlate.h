/* correlate.h -- the join of AN0445 (DESIGN.md sections 5 and 7): msiexec
 * runs with suspicious arguments (and MsiInstaller transactions with a
 * remote package) are joined, by host and time, with the network fetches
 * and the image loads that follow, and written as alerts whose severity
 * grows with the evidence. Network records feed the rarity table and the
 * host identity map on the way. Time is the records' own: the caller moves
 * the watermark (packet time when replaying, the wall clock when live);
 * a chain is written once its window has closed, and evidence that arrives
 * later, up to the lateness bound, is written as an update of the same
 * event.id. All state is bounded; what a bound refuses is counted. */
#ifndef MW_CORRELATE_H
#define MW_CORRELATE_H

#include <stdbool.h>
#include <stdint.h>

#include "allowlist.h"
#include "identity.h"
#include "output.h"
#include "rarity.h"
#include "record.h"

struct cor_cfg {
    uint64_t before_us;     /* window opens this long before the msiexec run (default 30 s) */
    uint64_t after_us;      /* and closes this long after it (default 300 s) */
    uint64_t skew_us;       /* endpoint clock error tolerated on both sides (default 120 s) */
    uint64_t lateness_us;   /* evidence accepted this long after the window closed, as an update (default 1200 s) */
    uint32_t max_cases;     /* chains pending at once (default 1000) */
    uint32_t max_held;      /* network records held for events that come late (default 32768) */
    uint32_t max_events;    /* msiexec image loads, connects and DNS queries held for their run (default 8192) */
    uint32_t max_procs;     /* process tree entries (default 65536) */
    uint64_t grace_us;      /* earlier sightings of a destination this close before a fetch are
                             * the fetch's own (its DNS lookup, the WebDAV OPTIONS before the GET,
                             * the SMB tree connect before the open): still first-seen (default 5 s) */
    bool alerts;            /* false with --learn: rarity and identity only */
};

struct cor_stats {
    uint64_t cases, alerts, updates, network_only, allowlisted, joins, joins_inferred_host;
    uint64_t cases_dropped, held_evicted, events_evicted, procs_evicted, images_evicted;
    uint64_t clock_offsets;  /* hosts with an estimated clock offset */
};

struct correlator;

void cor_cfg_defaults(struct cor_cfg *c);
/* rar, al may be NULL (no state file, no allowlist); id must not be. */
struct correlator *cor_new(const struct cor_cfg *cfg, struct output *out, struct identity *id,
                           struct rarity *rar, const struct allowlist *al);
void cor_free(struct correlator *c);

/* -G: GeoIP/ASN databases for the alerts' destination (NULL: none). */
void cor_set_geo(struct correlator *c, struct geo *g);
/* SIGHUP: a reloaded allowlist (NULL: none) for the chains written from now on. */
void cor_set_allowlist(struct correlator *c, const struct allowlist *al);
void cor_endpoint(struct correlator *c, const struct rec_endpoint *r);
void cor_http(struct correlator *c, const struct rec_http *r);
void cor_tls(struct correlator *c, const struct rec_tls *r);
void cor_smb(struct correlator *c, const struct rec_smb *r);
void cor_dns(struct correlator *c, const struct rec_dns *r);
void cor_dhcp(struct correlator *c, const struct rec_dhcp *r);
void cor_flow(struct correlator *c, const struct rec_flow *r);
/* Time has reached now_us: write the chains whose window closed, forget
 * those past the lateness bound. */
void cor_advance(struct correlator *c, uint64_t now_us);
/* End of input: write everything still pending. */
void cor_finish(struct correlator *c);
const struct cor_stats *cor_stats(const struct correlator *c);

#endif
