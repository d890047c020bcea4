/* options.h -- the command line of DESIGN.md section 3. Parses argv into
 * struct mw_opts; refuses options that this version does not implement
 * with a clear sentence (exit status 2), never ignores them. */
#ifndef MW_OPTIONS_H
#define MW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "correlate.h"
#include "rarity.h"
#include "syslog_in.h"
#include "worker.h"

#define MW_MAX_SOURCES 64

struct mw_opts {
    const char *reads[MW_MAX_SOURCES];
    size_t nreads;
    const char *ifaces[MW_MAX_SOURCES];
    size_t nifaces;
    const char *events[MW_MAX_SOURCES];   /* -e */
    size_t nevents;
    const char *syslogs[MW_MAX_SOURCES];  /* --syslog URLs */
    size_t nsyslogs;
    struct syslog_cfg scfg;
    const char *state;       /* -s: the rarity table (SQLite); ":memory:" keeps none */
    const char *user;        /* --user: drop root to this user once everything is open */
    const char *geoip[8];    /* -G */
    size_t ngeoip;
    bool learn;              /* --learn: seed the rarity table, no alerts */
    const char *allowlist;
    const char *hostmap;
    struct cor_cfg ccfg;
    struct rarity_cfg rcfg;
    long event_tz_offset_s;  /* UTC offset of zone-less local event times (ISO sign: -04:00 is -14400; UTC = local - offset) */
    const char *filter;
    const char *output;
    const char *records;
    const char *alert_syslog;       /* --alert-syslog URL: alerts forwarded as RFC 5424 syslog */
    int alert_syslog_facility;      /* 0..23 (default local0) */
    size_t alert_syslog_queue;      /* alerts waiting for the collector at most */
    const char *observer;
    bool stats;
    unsigned stats_interval; /* seconds, live only; 0 = only at exit */
    struct worker_cfg wcfg;
    unsigned workers;        /* --workers: packet worker threads (1..64) */
    unsigned read_ahead_mib; /* --read-ahead: replay's reader thread ring, MiB (0: none) */
};

enum opts_result { OPTS_RUN = 0, OPTS_EXIT_OK = 1, OPTS_USAGE = 2 };

/* On OPTS_USAGE, err holds the sentence for standard error. */
enum opts_result opts_parse(int argc, char **argv, struct mw_opts *o, char *err, size_t errlen);

#endif
