/* output.h -- the one place that turns records into JSON lines (DESIGN.md
 * section 4), with jansson. Alerts go to -o (default standard output),
 * records to --records. A write that fails is remembered and reported by
 * output_close(): msiwatch never reports success after losing output. */
#ifndef MW_OUTPUT_H
#define MW_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "flow.h"
#include "ipfrag.h"
#include "reasm.h"
#include "record.h"
#include "stats.h"
#include "syslog_in.h"

struct cor_stats;
struct rarity_stats;
struct identity_stats;
struct syslog_out_stats;

struct output {
    FILE *alerts;           /* NULL: no alert output */
    FILE *records;          /* NULL: no --records */
    const char *alerts_path, *records_path;
    char observer[256];
    bool failed;
    char err[256];
    /* Called with each alert's JSON line (no newline) as written to -o:
     * --alert-syslog forwards it. */
    void (*on_alert)(void *ctx, const char *json, size_t len, int severity, uint64_t ts_us);
    void *on_alert_ctx;
};

/* Open the outputs: alerts_path NULL or "-" is standard output; records_path
 * NULL is none, "-" standard output. Returns 0, or -1 with err set. */
int output_open(struct output *o, const char *alerts_path, const char *records_path,
                const char *observer_name, char *err, size_t errlen);
/* Push buffered lines out (live capture and listeners call it after each
 * wakeup, so that a reader tailing the files sees records within a second). */
void output_flush(struct output *o);
/* SIGHUP: reopen the output files by their paths (after logrotate moved
 * them). On failure the old files stay in use; returns -1 with err set. */
int output_reopen(struct output *o, char *err, size_t errlen);
/* Flush and close; returns 0, or -1 with err set when any write failed. */
int output_close(struct output *o, char *err, size_t errlen);

void output_flow(struct output *o, const struct rec_flow *r);
void output_http(struct output *o, const struct rec_http *r);
void output_tls(struct output *o, const struct rec_tls *r);
void output_smb(struct output *o, const struct rec_smb *r);
void output_dns(struct output *o, const struct rec_dns *r);
void output_dhcp(struct output *o, const struct rec_dhcp *r);
void output_endpoint(struct output *o, const struct rec_endpoint *r);
void output_alert(struct output *o, const struct rec_alert *a);

struct proto_count {
    const char *name;
    uint64_t flows;
};

struct stats_view {
    uint64_t ts_us;                    /* time of the last packet */
    const struct pkt_stats *pkt;
    const struct flow_stats *flow;
    const struct reasm_stats *reasm;
    const struct ipfrag_stats *frag;
    const struct classify_stats *cls;
    const struct app_stats *app;       /* the protocol parsers */
    const struct proto_count *protos;  /* flows per nDPI protocol, nonzero only */
    size_t nprotos;
    const struct ev_stats *ev;         /* endpoint feed, when there is one */
    const struct syslog_stats *sl;     /* syslog listeners, when there are any */
    const struct cor_stats *cor;       /* the correlator */
    const struct rarity_stats *rar;    /* the rarity table */
    const struct identity_stats *ident;
    const struct syslog_out_stats *fwd; /* --alert-syslog, when given */
    const uint64_t *worker_packets;    /* --workers N > 1: packets per worker */
    unsigned nworkers;
    bool fanout;                       /* the workers read the interfaces (PACKET_FANOUT) */
    bool read_ahead;                   /* replay read a file with --read-ahead's reader thread */
    uint64_t ra_worker_waits;          /* times the worker found the ring empty */
    uint64_t ra_reader_waits;          /* times the reader found it full */
};

/* The stats record (event.dataset msiwatch.stats) as one JSON line to f. */
int output_stats(FILE *f, const char *observer, const struct stats_view *v);

/* RFC 3339 UTC with microseconds into buf (at least 32 bytes). */
const char *output_time(uint64_t ts_us, char *buf, size_t len);

#endif
