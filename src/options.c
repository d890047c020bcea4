/* options.c -- command-line parsing (see options.h). */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#include <ini.h>
#include "readahead.h"
#include "syslog_out.h"
#include <strings.h>

enum {
    O_SYSLOG = 256, O_RECORDS, O_ALLOWLIST, O_HOSTMAP, O_STATS, O_STATS_INTERVAL,
    O_MAX_FLOWS, O_WORKERS, O_READ_AHEAD, O_TCP_TIMEOUT, O_UDP_TIMEOUT, O_CLOSED_TIMEOUT, O_FRAG_MAX_BYTES,
    O_FRAG_MAX_DATAGRAMS, O_FRAG_TIMEOUT, O_REASM_HOLD, O_REASM_MEMCAP, O_REASM_DEPTH,
    O_NDPI_PACKETS, O_OBSERVER, O_FLOW_DIGESTS, O_HASH_BODIES, O_SYSLOG_ALLOW, O_SYSLOG_MAX_MESSAGE,
    O_SYSLOG_MAX_CONNS, O_SYSLOG_IDLE, O_SYSLOG_CERT, O_SYSLOG_KEY, O_EVENT_TZ, O_LEARN, O_WIN_BEFORE,
    O_WIN_AFTER, O_SKEW, O_LATENESS, O_MAX_PENDING, O_MAX_HELD, O_HISTORY_DAYS, O_BASELINE_DAYS, O_RARITY_MAX_HOSTS, O_FS_GRACE,
    O_USER, O_ALERT_SYSLOG, O_ALERT_SYSLOG_FACILITY, O_ALERT_SYSLOG_QUEUE,
};

/* The configuration file read when -c is not given, if it exists. */
#ifndef MW_DEFAULT_CONFIG
#define MW_DEFAULT_CONFIG "/etc/msiwatch/msiwatch.conf"
#endif

static const struct option longopts[] = {
    { "read", required_argument, NULL, 'r' },
    { "interface", required_argument, NULL, 'i' },
    { "filter", required_argument, NULL, 'f' },
    { "events", required_argument, NULL, 'e' },
    { "syslog", required_argument, NULL, O_SYSLOG },
    { "syslog-allow", required_argument, NULL, O_SYSLOG_ALLOW },
    { "syslog-max-message", required_argument, NULL, O_SYSLOG_MAX_MESSAGE },
    { "syslog-max-connections", required_argument, NULL, O_SYSLOG_MAX_CONNS },
    { "syslog-idle-timeout", required_argument, NULL, O_SYSLOG_IDLE },
    { "syslog-cert", required_argument, NULL, O_SYSLOG_CERT },
    { "syslog-key", required_argument, NULL, O_SYSLOG_KEY },
    { "event-utc-offset", required_argument, NULL, O_EVENT_TZ },
    { "state", required_argument, NULL, 's' },
    { "learn", no_argument, NULL, O_LEARN },
    { "window-before", required_argument, NULL, O_WIN_BEFORE },
    { "window-after", required_argument, NULL, O_WIN_AFTER },
    { "clock-skew", required_argument, NULL, O_SKEW },
    { "lateness", required_argument, NULL, O_LATENESS },
    { "max-pending", required_argument, NULL, O_MAX_PENDING },
    { "max-held", required_argument, NULL, O_MAX_HELD },
    { "history-days", required_argument, NULL, O_HISTORY_DAYS },
    { "rarity-max-hosts", required_argument, NULL, O_RARITY_MAX_HOSTS },
    { "baseline-days", required_argument, NULL, O_BASELINE_DAYS },
    { "first-seen-grace", required_argument, NULL, O_FS_GRACE },
    { "output", required_argument, NULL, 'o' },
    { "records", required_argument, NULL, O_RECORDS },
    { "alert-syslog", required_argument, NULL, O_ALERT_SYSLOG },
    { "alert-syslog-facility", required_argument, NULL, O_ALERT_SYSLOG_FACILITY },
    { "alert-syslog-queue", required_argument, NULL, O_ALERT_SYSLOG_QUEUE },
    { "geoip", required_argument, NULL, 'G' },
    { "allowlist", required_argument, NULL, O_ALLOWLIST },
    { "hostmap", required_argument, NULL, O_HOSTMAP },
    { "config", required_argument, NULL, 'c' },
    { "stats", no_argument, NULL, O_STATS },
    { "stats-interval", required_argument, NULL, O_STATS_INTERVAL },
    { "max-flows", required_argument, NULL, O_MAX_FLOWS },
    { "workers", required_argument, NULL, O_WORKERS },
    { "read-ahead", required_argument, NULL, O_READ_AHEAD },
    { "tcp-timeout", required_argument, NULL, O_TCP_TIMEOUT },
    { "udp-timeout", required_argument, NULL, O_UDP_TIMEOUT },
    { "closed-timeout", required_argument, NULL, O_CLOSED_TIMEOUT },
    { "frag-max-bytes", required_argument, NULL, O_FRAG_MAX_BYTES },
    { "frag-max-datagrams", required_argument, NULL, O_FRAG_MAX_DATAGRAMS },
    { "frag-timeout", required_argument, NULL, O_FRAG_TIMEOUT },
    { "reasm-hold", required_argument, NULL, O_REASM_HOLD },
    { "reasm-memcap", required_argument, NULL, O_REASM_MEMCAP },
    { "reasm-depth", required_argument, NULL, O_REASM_DEPTH },
    { "ndpi-packets", required_argument, NULL, O_NDPI_PACKETS },
    { "observer-name", required_argument, NULL, O_OBSERVER },
    { "user", required_argument, NULL, O_USER },
    { "flow-digests", no_argument, NULL, O_FLOW_DIGESTS },
    { "hash-bodies", required_argument, NULL, O_HASH_BODIES },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static const char usage_text[] =
    "Usage: msiwatch [-c FILE] [-r PCAP ... | -i IFACE ...] [-e EVENTS ...] [--syslog URL ...] [options]\n"
    "Detects msiexec fetching remote packages (MITRE ATT&CK AN0445, T1218.007).\n"
    "\n"
    "Sources:\n"
    "  -r, --read FILE          replay a pcap or pcapng file; repeatable, in order; '-' reads standard input\n"
    "  -i, --interface IFACE    live capture (promiscuous); repeatable\n"
    "  -f, --filter BPF         capture filter (pcap-filter syntax), for files and interfaces\n"
    "  -e, --events FILE        endpoint events from a file (one per line, or XML documents); repeatable;\n"
    "                           '-' reads standard input\n"
    "      --syslog URL         listen for forwarded events: udp://ADDR:PORT, tcp://ADDR:PORT, tls://ADDR:PORT;\n"
    "                           repeatable (ADDR may be * or [IPv6])\n"
    "Endpoint feed:\n"
    "      --syslog-allow NET   accept syslog only from this network (CIDR); repeatable (default: loopback only)\n"
    "      --syslog-max-message N  longest message in bytes, longer ones are dropped and counted (default 65536)\n"
    "      --syslog-max-connections N  TCP/TLS senders at once (default 256)\n"
    "      --syslog-idle-timeout SEC  close a silent TCP/TLS sender after SEC seconds (default 300)\n"
    "      --syslog-cert FILE   PEM certificate chain for tls:// listeners (RFC 5425)\n"
    "      --syslog-key FILE    PEM private key for tls:// listeners\n"
    "      --event-utc-offset [+-]HH:MM  the UTC offset of event times written without a zone (NXLog\n"
    "                           EventTime, Snare); default +00:00. Sysmon UtcTime is always UTC.\n"
    "Outputs:\n"
    "  -o, --output FILE        alerts, JSON lines; default standard output\n"
    "      --records FILE       also every record the sensor produced (flows, network, endpoint), JSON lines; '-' is standard output\n"
    "      --alert-syslog URL   also send each alert as RFC 5424 syslog: udp://HOST:PORT or tcp://HOST:PORT\n"
    "      --alert-syslog-facility NAME  its facility (default local0); severity follows event.severity\n"
    "      --alert-syslog-queue N  alerts waiting for the collector at most; more are dropped, counted (default 1000)\n"
    "      --stats              print counters to standard error at exit (JSON line)\n"
    "      --stats-interval SEC live capture: also every SEC seconds (default 60 with --stats)\n"
    "      --observer-name NAME observer.name in every record (default: this host's name)\n"
    "      --flow-digests       add a SHA-256 of each reassembled TCP direction to flow records\n"
    "      --hash-bodies WHICH  HTTP bodies given file.hash.sha256: payloads (MSI, MSP, MST, PE, CAB, ZIP by\n"
    "                           their first bytes; the default) or all\n"
    "      --user NAME          once capture handles, sockets and files are open, run as NAME (needs root)\n"
    "      --workers N          packet worker threads, replay and live (default 1); records and alerts are one\n"
    "                           worker's while no bound is reached; the bounds are shared out among them;\n"
    "                           live, each worker reads its own PACKET_FANOUT socket of each interface\n"
    "      --read-ahead MIB     replay of a regular file: a thread reads it ahead into a ring of MIB MiB (1 to\n"
    "                           1024) while the packets are parsed; 0 (the default): read where they are parsed\n"
    "Bounds and timeouts:\n"
    "      --max-flows N        flows tracked at once; the oldest idle one is evicted (default 500000)\n"
    "      --tcp-timeout SEC    idle TCP flow timeout (default 600)\n"
    "      --udp-timeout SEC    idle UDP flow timeout (default 120)\n"
    "      --closed-timeout SEC TCP flow after FIN both ways or RST (default 30)\n"
    "      --frag-max-bytes N   IP fragment bytes held (default 16777216)\n"
    "      --frag-max-datagrams N  IP datagrams being reassembled (default 8192)\n"
    "      --frag-timeout SEC   incomplete IP datagram timeout (default 30)\n"
    "      --reasm-hold N       out-of-order TCP bytes held per direction (default 1048576)\n"
    "      --reasm-memcap N     out-of-order TCP bytes held in total (default 268435456)\n"
    "      --reasm-depth N      bytes reassembled per TCP direction, 0 = all (default 0)\n"
    "      --ndpi-packets N     packets per flow given to nDPI before it gives up (default 32)\n"
    "Detection:\n"
    "  -s, --state FILE         rarity table, SQLite (default $MSIWATCH_STATE, else ./msiwatch.db;\n"
    "                           ':memory:' keeps none)\n"
    "      --learn              record destinations in the rarity table from the inputs, write no alerts\n"
    "      --allowlist FILE     approved deployment servers, shares, domains, URLs, clients (see etc/)\n"
    "      --hostmap FILE       static address-to-host map, \"ADDRESS NAME\" per line\n"
    "      --window-before SEC  join evidence from SEC seconds before an msiexec run (default 30)\n"
    "      --window-after SEC   and up to SEC seconds after it (default 300)\n"
    "      --clock-skew SEC     endpoint clock error tolerated both ways (default 120)\n"
    "      --lateness SEC       evidence accepted after a window closed, as an alert update (default 1200)\n"
    "      --max-pending N      msiexec chains pending at once (default 1000)\n"
    "      --max-held N         network records held for late events (default 32768)\n"
    "      --history-days N     a destination unseen this long is first-seen again (default 30)\n"
    "      --baseline-days N    history needed before first-seen verdicts are complete (default 7)\n"
    "      --rarity-max-hosts N client addresses recorded per destination; past N its hosts count stays N\n"
    "                           (default 256)\n"
    "      --first-seen-grace SEC  sightings this little before a fetch (its own DNS lookup, the\n"
    "                           WebDAV OPTIONS before the GET) keep it first-seen (default 5)\n"
    "  -G, --geoip FILE         a MaxMind database (City, Country or ASN) for the alerts' destination;\n"
    "                           repeatable, the first to answer a field wins\n"
    "  -c, --config FILE        configuration file (default /etc/msiwatch/msiwatch.conf when it exists):\n"
    "                           \"key = value\" lines whose keys are these long options; the command line wins\n"
    "  -h, --help               this text\n"
    "  -V, --version            version\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad usage.\n";

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                     char *err, size_t errlen)
{
    char *end;
    errno = 0;
    if (s[0] == '-' || s[0] == '\0')
        goto bad;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    snprintf(err, errlen, "bad value for --%s: \"%s\" (a whole number from %" PRIu64 " to %" PRIu64 ")",
             opt, s, min, max);
    return -1;
}

static int add_source(const char **arr, size_t *n, const char *v, const char *what, char *err, size_t errlen)
{
    if (*n >= MW_MAX_SOURCES) {
        snprintf(err, errlen, "too many %s (at most %d)", what, MW_MAX_SOURCES);
        return -1;
    }
    arr[(*n)++] = v;
    return 0;
}

/* [+-]HH:MM or [+-]HHMM, as time zones are written. */
static int parse_offset(const char *s, long *out, char *err, size_t errlen)
{
    int sign = 1, hh, mm;
    const char *p = s;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    char tail;
    if ((sscanf(p, "%2d:%2d%c", &hh, &mm, &tail) == 2 || sscanf(p, "%2d%2d%c", &hh, &mm, &tail) == 2) &&
        strlen(p) >= 4 && hh <= 14 && mm < 60) {
        *out = sign * (hh * 3600L + mm * 60L);
        return 0;
    }
    snprintf(err, errlen, "bad value for --event-utc-offset: \"%s\" (expected [+-]HH:MM, e.g. -04:00)", s);
    return -1;
}

static const char *long_name(int c)
{
    for (const struct option *o = longopts; o->name; o++)
        if (o->val == c)
            return o->name;
    return "?";
}

/* Apply argv (the command line, or one "--key=value" of the configuration
 * file: from_config) to o. */
static enum opts_result opts_apply(int argc, char **argv, struct mw_opts *o, bool *interval_set, bool from_config,
                                   char *err, size_t errlen)
{
    int c;
    uint64_t v;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":r:i:f:e:s:o:G:c:hV", longopts, NULL)) != -1) {
        const char *name = long_name(c);
        switch (c) {
        case 'r':
            if (add_source(o->reads, &o->nreads, optarg, "capture files", err, errlen))
                return OPTS_USAGE;
            break;
        case 'i':
            if (add_source(o->ifaces, &o->nifaces, optarg, "interfaces", err, errlen))
                return OPTS_USAGE;
            break;
        case 'e':
            if (add_source(o->events, &o->nevents, optarg, "event files", err, errlen))
                return OPTS_USAGE;
            break;
        case O_SYSLOG:
            if (add_source(o->syslogs, &o->nsyslogs, optarg, "syslog listeners", err, errlen))
                return OPTS_USAGE;
            break;
        case O_SYSLOG_ALLOW:
            if (o->scfg.nallow >= SYSLOG_MAX_ALLOW) {
                snprintf(err, errlen, "too many --syslog-allow networks (at most %d)", SYSLOG_MAX_ALLOW);
                return OPTS_USAGE;
            }
            if (!mw_net_parse(optarg, &o->scfg.allow[o->scfg.nallow])) {
                snprintf(err, errlen, "bad value for --syslog-allow: \"%s\" (expected a network such as "
                         "10.0.0.0/8 or 2001:db8::/32, or an address)", optarg);
                return OPTS_USAGE;
            }
            o->scfg.nallow++;
            break;
        case O_SYSLOG_MAX_MESSAGE:
            if (parse_u64(name, optarg, 1024, 16 << 20, &v, err, errlen)) return OPTS_USAGE;
            o->scfg.max_msg = (size_t)v;
            break;
        case O_SYSLOG_MAX_CONNS:
            if (parse_u64(name, optarg, 1, 65536, &v, err, errlen)) return OPTS_USAGE;
            o->scfg.max_conns = (unsigned)v;
            break;
        case O_SYSLOG_IDLE:
            if (parse_u64(name, optarg, 1, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->scfg.idle_timeout_s = (unsigned)v;
            break;
        case O_SYSLOG_CERT: o->scfg.tls_cert = optarg; break;
        case O_SYSLOG_KEY: o->scfg.tls_key = optarg; break;
        case O_EVENT_TZ:
            if (parse_offset(optarg, &o->event_tz_offset_s, err, errlen)) return OPTS_USAGE;
            break;
        case 'f': o->filter = optarg; break;
        case 'o': o->output = optarg; break;
        case O_RECORDS: o->records = optarg; break;
        case O_ALERT_SYSLOG: o->alert_syslog = optarg; break;
        case O_ALERT_SYSLOG_FACILITY:
            if ((o->alert_syslog_facility = syslog_out_facility(optarg)) < 0) {
                snprintf(err, errlen, "bad value for --alert-syslog-facility: \"%s\" (a facility name such as "
                         "local0 or daemon, or a number from 0 to 23)", optarg);
                return OPTS_USAGE;
            }
            break;
        case O_ALERT_SYSLOG_QUEUE:
            if (parse_u64(name, optarg, 1, 1000000, &v, err, errlen)) return OPTS_USAGE;
            o->alert_syslog_queue = (size_t)v;
            break;
        case O_STATS: o->stats = true; break;
        case O_OBSERVER: o->observer = optarg; break;
        case O_FLOW_DIGESTS: o->wcfg.flow_digests = true; break;
        case O_HASH_BODIES:
            if (strcmp(optarg, "payloads") != 0 && strcmp(optarg, "all") != 0) {
                snprintf(err, errlen, "--hash-bodies: \"%s\" is neither payloads nor all", optarg);
                return OPTS_USAGE;
            }
            o->wcfg.hash_all_bodies = strcmp(optarg, "all") == 0;
            break;
        case O_STATS_INTERVAL:
            if (parse_u64(name, optarg, 0, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->stats_interval = (unsigned)v;
            *interval_set = true;
            break;
        case O_WORKERS:
            if (parse_u64(name, optarg, 1, 64, &v, err, errlen)) return OPTS_USAGE;
            o->workers = (unsigned)v;
            break;
        case O_READ_AHEAD:
            if (parse_u64(name, optarg, 0, READAHEAD_MAX_MIB, &v, err, errlen)) return OPTS_USAGE;
            o->read_ahead_mib = (unsigned)v;
            break;
        case O_MAX_FLOWS:
            if (parse_u64(name, optarg, 1, 100000000, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.flow.max_flows = (uint32_t)v;
            break;
        case O_TCP_TIMEOUT:
            if (parse_u64(name, optarg, 1, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.flow.tcp_timeout_us = v * 1000000;
            break;
        case O_UDP_TIMEOUT:
            if (parse_u64(name, optarg, 1, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.flow.udp_timeout_us = v * 1000000;
            break;
        case O_CLOSED_TIMEOUT:
            if (parse_u64(name, optarg, 1, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.flow.closed_timeout_us = v * 1000000;
            break;
        case O_FRAG_MAX_BYTES:
            if (parse_u64(name, optarg, 65536, (uint64_t)1 << 34, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.frag.max_bytes = (size_t)v;
            break;
        case O_FRAG_MAX_DATAGRAMS:
            if (parse_u64(name, optarg, 1, 10000000, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.frag.max_datagrams = (uint32_t)v;
            break;
        case O_FRAG_TIMEOUT:
            if (parse_u64(name, optarg, 1, 3600, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.frag.timeout_us = v * 1000000;
            break;
        case O_REASM_HOLD:
            if (parse_u64(name, optarg, 1024, (uint64_t)1 << 32, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.reasm.max_hold_dir = (size_t)v;
            break;
        case O_REASM_MEMCAP:
            if (parse_u64(name, optarg, 65536, (uint64_t)1 << 40, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.reasm.max_hold_total = (size_t)v;
            break;
        case O_REASM_DEPTH:
            if (parse_u64(name, optarg, 0, UINT64_MAX, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.reasm.depth = v;
            break;
        case O_NDPI_PACKETS:
            if (parse_u64(name, optarg, 1, 1000, &v, err, errlen)) return OPTS_USAGE;
            o->wcfg.ndpi_max_packets = (unsigned)v;
            break;
        case 's': o->state = optarg; break;
        case O_LEARN: o->learn = true; break;
        case O_USER: o->user = optarg; break;
        case O_ALLOWLIST: o->allowlist = optarg; break;
        case O_HOSTMAP: o->hostmap = optarg; break;
        case O_WIN_BEFORE:
            if (parse_u64(name, optarg, 0, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.before_us = v * 1000000;
            break;
        case O_WIN_AFTER:
            if (parse_u64(name, optarg, 1, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.after_us = v * 1000000;
            break;
        case O_SKEW:
            if (parse_u64(name, optarg, 0, 86400, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.skew_us = v * 1000000;
            break;
        case O_FS_GRACE:
            if (parse_u64(name, optarg, 0, 3600, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.grace_us = v * 1000000;
            break;
        case O_LATENESS:
            if (parse_u64(name, optarg, 0, 7 * 86400, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.lateness_us = v * 1000000;
            break;
        case O_MAX_PENDING:
            if (parse_u64(name, optarg, 1, 1000000, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.max_cases = (uint32_t)v;
            break;
        case O_MAX_HELD:
            if (parse_u64(name, optarg, 16, 10000000, &v, err, errlen)) return OPTS_USAGE;
            o->ccfg.max_held = (uint32_t)v;
            break;
        case O_HISTORY_DAYS:
            if (parse_u64(name, optarg, 1, 3650, &v, err, errlen)) return OPTS_USAGE;
            o->rcfg.history_us = v * 86400ull * 1000000ull;
            break;
        case O_RARITY_MAX_HOSTS:
            if (parse_u64(name, optarg, 1, 1000000, &v, err, errlen)) return OPTS_USAGE;
            o->rcfg.max_hosts = (uint32_t)v;
            break;
        case O_BASELINE_DAYS:
            if (parse_u64(name, optarg, 0, 3650, &v, err, errlen)) return OPTS_USAGE;
            o->rcfg.baseline_us = v * 86400ull * 1000000ull;
            break;
        case 'G':
            if (o->ngeoip >= sizeof o->geoip / sizeof o->geoip[0]) {
                snprintf(err, errlen, "too many -G databases (at most 8)");
                return OPTS_USAGE;
            }
            o->geoip[o->ngeoip++] = optarg;
            break;
        case 'c':
            if (from_config) {
                snprintf(err, errlen, "a configuration file cannot name another");
                return OPTS_USAGE;
            }
            break; /* read before everything else, in opts_parse */
        case 'h':
            if (from_config) {
                snprintf(err, errlen, "\"help\" is not a setting");
                return OPTS_USAGE;
            }
            fputs(usage_text, stdout);
            return OPTS_EXIT_OK;
        case 'V':
            if (from_config) {
                snprintf(err, errlen, "\"version\" is not a setting");
                return OPTS_USAGE;
            }
            printf("msiwatch %s\n", PACKAGE_VERSION);
            return OPTS_EXIT_OK;
        case ':':
            snprintf(err, errlen, "option %s needs a value (see --help)", argv[optind - 1]);
            return OPTS_USAGE;
        default:
            snprintf(err, errlen, "unknown option %s (see --help)", argv[optind - 1]);
            return OPTS_USAGE;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument \"%s\" (capture files are given with -r)", argv[optind]);
        return OPTS_USAGE;
    }
    return OPTS_RUN;
}

/* ---- the configuration file (-c; inih) ---------------------------------- */

struct cfg_ctx {
    struct mw_opts *o;
    bool *interval_set;
    const char *path;
    int line;           /* the line being read (counted by the reader) */
    bool failed;
    char *err;
    size_t errlen;
};

/* Keep the configuration's strings for the life of the process: options
 * point into them as they point into argv. */
static char **kept;     /* reachable for the process's life, on purpose */
static size_t nkept, capkept;

static char *keep(const char *s)
{
    char *d = strdup(s);
    if (d && nkept == capkept) {
        size_t n = capkept ? capkept * 2 : 64;
        char **k = realloc(kept, n * sizeof *k);
        if (!k) {
            free(d);
            d = NULL;
        } else {
            kept = k;
            capkept = n;
        }
    }
    if (!d) {
        fputs("msiwatch: out of memory\n", stderr);
        exit(1);
    }
    kept[nkept++] = d;
    return d;
}

static bool is_true(const char *v)
{
    return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1");
}

static bool is_false(const char *v)
{
    return !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0");
}

/* One "key = value" of the file: the long option of the same name. */
static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
    struct cfg_ctx *x = user;
    if (x->failed)
        return 1;
    char why[400] = "";
    const struct option *opt = NULL;
    for (const struct option *l = longopts; l->name; l++)
        if (strcmp(l->name, name) == 0)
            opt = l;
    if (section[0] && strcmp(section, "msiwatch") != 0)
        snprintf(why, sizeof why, "unknown section [%s] (settings go at the top or under [msiwatch])", section);
    else if (!opt)
        snprintf(why, sizeof why, "unknown key \"%s\" (the keys are the long options, see --help)", name);
    else {
        static char prog[] = "msiwatch";
        char *argv[3] = { prog, NULL, NULL };
        char arg[64 + 4096];
        if (opt->has_arg == no_argument) {
            if (is_false(value))
                return 1;
            if (!is_true(value)) {
                snprintf(why, sizeof why, "%s: expected true or false, not \"%s\"", name, value);
                goto bad;
            }
            snprintf(arg, sizeof arg, "--%s", name);
        } else {
            snprintf(arg, sizeof arg, "--%s=%s", name, value);
        }
        argv[1] = keep(arg);
        char e[400] = "";
        if (opts_apply(2, argv, x->o, x->interval_set, true, e, sizeof e) != OPTS_RUN)
            snprintf(why, sizeof why, "%.64s: %.330s", name, e); /* a key is a long option's name */
    }
bad:
    if (why[0]) {
        x->failed = true;
        snprintf(x->err, x->errlen, "%s:%d: %s", x->path, x->line, why);
        return 0;
    }
    return 1;
}

/* inih reads lines through this, so that errors can name their line. */
static char *cfg_reader(char *buf, int size, void *stream)
{
    struct { FILE *f; struct cfg_ctx *x; } *rs = stream;
    char *r = fgets(buf, size, rs->f);
    if (r)
        rs->x->line++;
    return r;
}

static int load_config(const char *path, struct mw_opts *o, bool *interval_set, bool required, char *err,
                       size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!required && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct cfg_ctx x = { o, interval_set, path, 0, false, err, errlen };
    struct { FILE *f; struct cfg_ctx *x; } rs = { f, &x };
    int r = ini_parse_stream(cfg_reader, &rs, cfg_handler, &x);
    fclose(f);
    if (x.failed)
        return -1;
    if (r != 0) {
        snprintf(err, errlen, "%s:%d: not \"key = value\" (or a [section] or a comment)", path, r);
        return -1;
    }
    return 0;
}

enum opts_result opts_parse(int argc, char **argv, struct mw_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    worker_cfg_defaults(&o->wcfg);
    o->workers = 1;
    o->read_ahead_mib = READAHEAD_DEFAULT_MIB;
    syslog_cfg_defaults(&o->scfg);
    cor_cfg_defaults(&o->ccfg);
    rarity_cfg_defaults(&o->rcfg);
    o->alert_syslog_facility = SYSLOG_OUT_FACILITY_DEFAULT;
    o->alert_syslog_queue = SYSLOG_OUT_QUEUE_DEFAULT;
    bool interval_set = false;
    /* the configuration file first: the command line wins over it */
    const char *cfg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            cfg = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            cfg = argv[i] + 9;
        else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2])
            cfg = argv[i] + 2;
    }
    if (load_config(cfg ? cfg : MW_DEFAULT_CONFIG, o, &interval_set, cfg != NULL, err, errlen) != 0)
        return OPTS_USAGE;
    enum opts_result r = opts_apply(argc, argv, o, &interval_set, false, err, errlen);
    if (r != OPTS_RUN)
        return r;
    if (o->nreads && o->nifaces) {
        snprintf(err, errlen, "-r and -i cannot be used together: replay files or capture live");
        return OPTS_USAGE;
    }
    if (!o->nreads && !o->nifaces && !o->nevents && !o->nsyslogs) {
        snprintf(err, errlen, "no input: give -r FILE, -i IFACE, -e FILE or --syslog URL (see --help)");
        return OPTS_USAGE;
    }
    size_t stdin_events = 0;
    for (size_t i = 0; i < o->nevents; i++)
        stdin_events += strcmp(o->events[i], "-") == 0;
    if (stdin_events > 1) {
        snprintf(err, errlen, "standard input ('-') can be read only once, by one -r or one -e");
        return OPTS_USAGE;
    }
    size_t stdin_reads = 0;
    for (size_t i = 0; i < o->nreads; i++)
        stdin_reads += strcmp(o->reads[i], "-") == 0;
    if (stdin_reads + stdin_events > 1) {
        snprintf(err, errlen, "standard input ('-') can be read only once, by one -r or one -e");
        return OPTS_USAGE;
    }
    if (o->stats && o->nifaces && !interval_set)
        o->stats_interval = 60;
    return OPTS_RUN;
}
