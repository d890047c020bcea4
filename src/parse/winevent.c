/* winevent.c -- one forwarded Windows event into struct rec_endpoint (see
 * winevent.h for the formats, the contract and the bounds).
 *
 * How a message flows through this file:
 *   1. trim (BOM, white space), refuse the empty and the over-long;
 *   2. detect the format from the first bytes (JSON, XML, Snare, key=value);
 *   3. a byte scan for the event id ("EventID", "event_id", "code", <EventID>,
 *      Snare's column, EventCode=): if every id found is one we do not want,
 *      IGNORED, before jansson or expat run;
 *   4. a front end per format fills one struct we_ctx: the System-level facts
 *      (id, provider, channel, computer, time strings) and a flat list of
 *      EventData pairs named as Sysmon and the Security log name them
 *      (ECS fields go in as "ecs:<path>" pairs);
 *   5. one mapper turns that into the record, by event id.
 * Values point into the input, into jansson's strings, into the XML text
 * buffer or into the context's scratch; all live until step 5 is done.
 *
 * Deliberately not here: trusting any length or count from the input beyond
 * the bytes present, recursion on input depth (jansson's own parser is bounded
 * by JSON_PARSER_MAX_DEPTH; our walks are flat), expanding or loading any XML
 * entity. This parser includes jansson, unlike the wire parsers (STYLE.md
 * house rules): the brief for the endpoint feed chose it for JSON events. */
#include "parse/winevent.h"

#include <expat.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "text.h"

/* ---- small string helpers ------------------------------------------------ */

struct we_str {
    const char *p;
    size_t n;
};

static struct we_str mk(const char *p, size_t n)
{
    struct we_str s = { p, n };
    return s;
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_hex(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

static struct we_str trim(struct we_str s)
{
    while (s.n > 0 && is_ws(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_ws(s.p[s.n - 1]))
        s.n--;
    return s;
}

static bool seq(struct we_str s, const char *lit)
{
    size_t k = strlen(lit);
    return s.n == k && (k == 0 || memcmp(s.p, lit, k) == 0);
}

static bool sieq(struct we_str s, const char *lit)
{
    size_t k = strlen(lit);
    if (s.n != k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(s.p[i]) != lower(lit[i]))
            return false;
    return true;
}

static bool starts_ci(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(p[i]) != lower(lit[i]))
            return false;
    return true;
}

static bool scontains_ci(struct we_str s, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; k <= s.n && i <= s.n - k; i++)
        if (starts_ci(s.p + i, s.n - i, lit))
            return true;
    return false;
}

static const char *find(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return k <= n ? memmem(p, n, lit, k) : NULL;
}

/* ---- the context the front ends fill ------------------------------------- */

/* 192 pairs: NXLog's flattened Sysmon 1 has about 60 keys, Winlogbeat's
 * event_data plus our ecs: pairs about 40. Beyond, later pairs are dropped. */
#define WE_MAX_PAIRS 192
#define WE_MAX_UNNAMED 16
#define WE_SCRATCH 4096

struct we_pair {
    struct we_str k, v;
};

struct we_ctx {
    const char *format;
    bool has_code;
    unsigned long code;
    struct we_str provider, provider2; /* Provider@Name and EventSourceName, or winlog/event provider */
    struct we_str channel, module;     /* Channel / LogName; ECS event.module */
    struct we_str computer, message, binary;
    struct we_str t_event;             /* the event's own time: UTC, a zone-less one is UTC too */
    struct we_str t_local;             /* a time in the collector's or sender's zone when zone-less */
    struct we_str t_relay;             /* a relay's receive time (Logstash @timestamp): last resort */
    bool has_host_ip;
    struct mw_addr host_ip;
    struct we_pair pair[WE_MAX_PAIRS];
    unsigned npair;
    struct we_str unnamed[WE_MAX_UNNAMED]; /* EventData/Data without a Name, in order */
    unsigned nunnamed;
    char scratch[WE_SCRATCH];          /* numbers and joined values from JSON */
    size_t nscratch;
    char *arena;                       /* XML text, freed by winevent_parse */
    json_t *root;                      /* decref'd by winevent_parse */
};

static void push(struct we_ctx *c, struct we_str k, struct we_str v)
{
    if (c->npair < WE_MAX_PAIRS) {
        c->pair[c->npair].k = k;
        c->pair[c->npair].v = v;
        c->npair++;
    }
}

static void push_lit(struct we_ctx *c, const char *k, struct we_str v)
{
    push(c, mk(k, strlen(k)), v);
}

static void push_unnamed(struct we_ctx *c, struct we_str v)
{
    if (c->nunnamed < WE_MAX_UNNAMED)
        c->unnamed[c->nunnamed++] = v;
}

/* Copy into the scratch; an empty string when it is full (values there are
 * numbers and short joins, so that only happens to hostile input). */
static struct we_str scratch_put(struct we_ctx *c, const char *p, size_t n)
{
    if (n > WE_SCRATCH - c->nscratch)
        return mk("", 0);
    char *d = c->scratch + c->nscratch;
    if (n)
        memcpy(d, p, n);
    c->nscratch += n;
    return mk(d, n);
}

static bool get(const struct we_ctx *c, const char *name, struct we_str *v)
{
    for (unsigned i = 0; i < c->npair; i++)
        if (seq(c->pair[i].k, name)) {
            *v = c->pair[i].v;
            return true;
        }
    return false;
}

/* The EventData name first, then its ECS twin. */
static bool get2(const struct we_ctx *c, const char *name, const char *ecs, struct we_str *v)
{
    return get(c, name, v) || (ecs != NULL && get(c, ecs, v));
}

/* ---- the events we keep --------------------------------------------------- */

static bool wanted_code(unsigned long code)
{
    return code == 1 || code == 3 || code == 7 || code == 22 || code == 4688 || code == 1040 ||
           code == 1042;
}

/* A whole string of 1..10 decimal digits (white space around allowed). */
static bool num_str(struct we_str s, unsigned long *v)
{
    unsigned long x = 0;
    s = trim(s);
    if (s.n == 0 || s.n > 10)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i]))
            return false;
        x = x * 10 + (unsigned long)(s.p[i] - '0');
    }
    *v = x;
    return true;
}

/* 1..10 digits at p followed by a non-digit inside the buffer: a number
 * that the end of a cut message might have shortened does not count. */
static bool read_num(const char *p, const char *end, unsigned long *v)
{
    size_t k = 0;
    while (p + k < end && is_digit(p[k]) && k < 10)
        k++;
    if (k == 0 || p + k >= end || is_digit(p[k]))
        return false;
    return num_str(mk(p, k), v);
}

/* ---- step 3: the cheap scan for the event id ------------------------------ */

struct idscan {
    unsigned found, wanted;
};

static void note_id(struct idscan *s, const char *p, const char *end)
{
    unsigned long v;
    if (read_num(p, end, &v)) {
        s->found++;
        if (wanted_code(v))
            s->wanted++;
    }
}

/* After a JSON key: white space, ':', white space, an optional quote, digits. */
static void note_json_value(struct idscan *s, const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    if (p >= end || *p != ':')
        return;
    p++;
    while (p < end && is_ws(*p))
        p++;
    if (p < end && *p == '"')
        p++;
    note_id(s, p, end);
}

/* Every "KEY" (a JSON key: quoted on both sides, the opening quote not
 * escaped) and every <EventID ...>N or \u003cEventID\u003eN (XML, also as
 * carried in a JSON string). */
static void scan_key(struct idscan *s, const char *b, size_t n, const char *key)
{
    size_t k = strlen(key);
    const char *end = b + n, *p = b;
    for (const char *h; (h = find(p, (size_t)(end - p), key)) != NULL; p = h + k) {
        const char *after = h + k;
        if (h > b && h[-1] == '"' && !(h - 1 > b && h[-2] == '\\') && after < end && *after == '"') {
            note_json_value(s, after + 1, end);
        } else if (strcmp(key, "EventID") == 0 && h > b && h[-1] == '<') {
            const char *lim = (size_t)(end - after) > 128 ? after + 128 : end;
            const char *gt = memchr(after, '>', (size_t)(lim - after));
            if (gt && memchr(after, '<', (size_t)(gt - after)) == NULL)
                note_id(s, gt + 1, end);
        } else if (strcmp(key, "EventID") == 0 && h - b >= 6 && starts_ci(h - 6, 6, "\\u003c")) {
            const char *lim = (size_t)(end - after) > 160 ? after + 160 : end;
            for (const char *q = after; q + 6 <= lim; q++)
                if (starts_ci(q, 6, "\\u003e")) {
                    note_id(s, q + 6, end);
                    break;
                }
        }
    }
}

/* true when the message names event ids and none is one we keep. */
static bool scan_ignorable(const char *b, size_t n)
{
    struct idscan s = { 0, 0 };
    scan_key(&s, b, n, "EventID");
    scan_key(&s, b, n, "event_id");
    scan_key(&s, b, n, "code");
    return s.found > 0 && s.wanted == 0;
}

/* ---- times ----------------------------------------------------------------- */

struct tparts {
    int y, mo, d, h, mi, s;
    uint32_t us;
    bool has_zone;
    long zone_s;
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): no mktime, no TZ, no process state. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t mp = m > 2 ? m - 3 : m + 9;
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Exactly mind..maxd digits at *p. */
static bool digits(const char **p, const char *e, int mind, int maxd, int *v)
{
    int x = 0, k = 0;
    while (*p + k < e && k < maxd && is_digit((*p)[k])) {
        x = x * 10 + ((*p)[k] - '0');
        k++;
    }
    if (k < mind || (*p + k < e && is_digit((*p)[k])))
        return false;
    *p += k;
    *v = x;
    return true;
}

static bool lit(const char **p, const char *e, char ch)
{
    if (*p < e && **p == ch) {
        (*p)++;
        return true;
    }
    return false;
}

/* Fractional seconds: any number of digits, the first six kept (truncated). */
static void frac(const char **p, const char *e, uint32_t *us)
{
    uint32_t x = 0;
    int k = 0;
    while (*p < e && is_digit(**p)) {
        if (k < 6) {
            x = x * 10 + (uint32_t)(**p - '0');
            k++;
        }
        (*p)++;
    }
    while (k++ < 6)
        x *= 10;
    *us = x;
}

/* YYYY-MM-DD[T ]HH:MM:SS[.f*][Z | (+|-)HH[:]MM] -- Sysmon UtcTime, XML
 * SystemTime (also python-evtx's "2019-04-30 22:48:58.901474"), ISO 8601 /
 * RFC 3339, NXLog EventTime. */
static bool parse_iso(const char *p, const char *e, struct tparts *t)
{
    if (!digits(&p, e, 4, 4, &t->y) || !lit(&p, e, '-') || !digits(&p, e, 2, 2, &t->mo) ||
        !lit(&p, e, '-') || !digits(&p, e, 2, 2, &t->d))
        return false;
    if (!lit(&p, e, 'T') && !lit(&p, e, 't') && !lit(&p, e, ' '))
        return false;
    if (!digits(&p, e, 2, 2, &t->h) || !lit(&p, e, ':') || !digits(&p, e, 2, 2, &t->mi) ||
        !lit(&p, e, ':') || !digits(&p, e, 2, 2, &t->s))
        return false;
    if (lit(&p, e, '.') || lit(&p, e, ','))
        frac(&p, e, &t->us);
    if (lit(&p, e, 'Z') || lit(&p, e, 'z')) {
        t->has_zone = true;
    } else if (p < e && (*p == '+' || *p == '-')) {
        long sign = *p++ == '-' ? -1 : 1;
        int zh, zm;
        /* +HH:MM or +HHMM: two digits each, the second pair may follow at once */
        if (e - p < 4 || !is_digit(p[0]) || !is_digit(p[1]))
            return false;
        zh = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        (void)lit(&p, e, ':');
        if (!digits(&p, e, 2, 2, &zm) || zh > 14 || zm > 59)
            return false;
        t->has_zone = true;
        t->zone_s = sign * (zh * 3600L + zm * 60L);
    } else if (e - p == 4 && starts_ci(p, 4, " UTC")) {
        p += 4;
        t->has_zone = true;
    }
    return p == e;
}

static int month_of(const char *p)
{
    static const char mon[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec" };
    for (int i = 0; i < 12; i++)
        if (starts_ci(p, 3, mon[i]))
            return i + 1;
    return 0;
}

/* Snare's SubmitTime as ctime writes it: "Tue Nov 19 05:24:15 2019"
 * ("Nov  5" space-padded). */
static bool parse_ctime(const char *p, const char *e, struct tparts *t)
{
    if (e - p < 20 || p[3] != ' ')
        return false;
    p += 4;
    if ((t->mo = month_of(p)) == 0 || p[3] != ' ')
        return false;
    p += 4;
    (void)lit(&p, e, ' ');
    if (!digits(&p, e, 1, 2, &t->d) || !lit(&p, e, ' ') || !digits(&p, e, 2, 2, &t->h) ||
        !lit(&p, e, ':') || !digits(&p, e, 2, 2, &t->mi) || !lit(&p, e, ':') ||
        !digits(&p, e, 2, 2, &t->s) || !lit(&p, e, ' ') || !digits(&p, e, 4, 4, &t->y))
        return false;
    return p == e;
}

/* Splunk's first line: "11/08/2022 11:27:19 AM" (or 24-hour, no AM/PM). */
static bool parse_us(const char *p, const char *e, struct tparts *t)
{
    if (!digits(&p, e, 1, 2, &t->mo) || !lit(&p, e, '/') || !digits(&p, e, 1, 2, &t->d) ||
        !lit(&p, e, '/') || !digits(&p, e, 4, 4, &t->y) || !lit(&p, e, ' ') ||
        !digits(&p, e, 1, 2, &t->h) || !lit(&p, e, ':') || !digits(&p, e, 2, 2, &t->mi) ||
        !lit(&p, e, ':') || !digits(&p, e, 2, 2, &t->s))
        return false;
    if (lit(&p, e, '.'))
        frac(&p, e, &t->us);
    if (e - p == 3 && p[0] == ' ' && (starts_ci(p + 1, 2, "AM") || starts_ci(p + 1, 2, "PM"))) {
        bool pm = lower(p[1]) == 'p';
        if (t->h < 1 || t->h > 12)
            return false;
        t->h = t->h % 12 + (pm ? 12 : 0);
        p += 3;
    }
    return p == e;
}

/* A time string to UTC microseconds. A zone in the text wins; otherwise
 * zoneless_offset_s is the zone's UTC offset (0 for times that are UTC by
 * definition). */
static bool parse_time(struct we_str s, long zoneless_offset_s, uint64_t *us)
{
    struct tparts t;
    memset(&t, 0, sizeof t);
    s = trim(s);
    if (s.n == 0 || s.n > 64)
        return false;
    const char *p = s.p, *e = s.p + s.n;
    if (!parse_iso(p, e, &t)) {
        memset(&t, 0, sizeof t);
        if (!parse_ctime(p, e, &t)) {
            memset(&t, 0, sizeof t);
            if (!parse_us(p, e, &t))
                return false;
        }
    }
    if (t.y < 1970 || t.y > 9999 || t.mo < 1 || t.mo > 12 || t.d < 1 ||
        t.d > days_in_month(t.y, t.mo) || t.h > 23 || t.mi > 59 || t.s > 60)
        return false;
    int64_t secs = days_from_civil(t.y, t.mo, t.d) * 86400 + t.h * 3600 + t.mi * 60 + t.s;
    secs -= t.has_zone ? t.zone_s : zoneless_offset_s;
    if (secs < 0)
        return false;
    *us = (uint64_t)secs * 1000000u + t.us;
    return true;
}

/* ---- JSON front ends ------------------------------------------------------- */

/* An object member by a dotted path ("winlog.event_data"); NULL if any step
 * is missing or not an object. Fixed depth: the path is ours. */
static json_t *jpath(json_t *o, const char *path)
{
    char seg[64];
    while (o != NULL && json_is_object(o)) {
        const char *dot = strchr(path, '.');
        size_t k = dot ? (size_t)(dot - path) : strlen(path);
        if (k >= sizeof seg)
            return NULL;
        memcpy(seg, path, k);
        seg[k] = '\0';
        o = json_object_get(o, seg);
        if (!dot)
            return o;
        path = dot + 1;
    }
    return NULL;
}

/* A scalar as text: strings as they are, integers in decimal, booleans as
 * true/false. Objects, arrays, reals and null are not values here. */
static bool jtext(struct we_ctx *c, json_t *v, struct we_str *out)
{
    char num[32];
    if (json_is_string(v)) {
        *out = mk(json_string_value(v), json_string_length(v));
        return true;
    }
    if (json_is_integer(v)) {
        int k = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = scratch_put(c, num, k > 0 ? (size_t)k : 0);
        return true;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v) ? mk("true", 4) : mk("false", 5);
        return true;
    }
    return false;
}

static struct we_str jget(struct we_ctx *c, json_t *o, const char *path)
{
    struct we_str s = { NULL, 0 };
    json_t *v = jpath(o, path);
    if (v == NULL || !jtext(c, v, &s))
        s = mk(NULL, 0);
    return s;
}

static void jcode(struct we_ctx *c, json_t *v)
{
    struct we_str s;
    unsigned long code;
    if (v != NULL && jtext(c, v, &s) && num_str(s, &code)) {
        c->has_code = true;
        c->code = code;
    }
}

/* Every scalar member of an object as a pair (one level, no recursion). */
static void jpairs(struct we_ctx *c, json_t *o)
{
    const char *key;
    json_t *v;
    if (!json_is_object(o))
        return;
    json_object_foreach(o, key, v) {
        struct we_str s;
        if (jtext(c, v, &s))
            push(c, mk(key, strlen(key)), s);
    }
}

static void set_host_ip(struct we_ctx *c, struct we_str s)
{
    char tmp[64];
    s = trim(s);
    if (c->has_host_ip || s.n == 0 || s.n >= sizeof tmp)
        return;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    char *pct = strchr(tmp, '%'); /* fe80::1%12 */
    if (pct)
        *pct = '\0';
    c->has_host_ip = mw_addr_parse(tmp, &c->host_ip);
}

/* host.ip: one string or an array of them (the first address that parses). */
static void jhost_ip(struct we_ctx *c, json_t *v)
{
    if (json_is_string(v)) {
        set_host_ip(c, mk(json_string_value(v), json_string_length(v)));
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && i < 16 && !c->has_host_ip; i++) {
            json_t *e = json_array_get(v, i);
            if (json_is_string(e))
                set_host_ip(c, mk(json_string_value(e), json_string_length(e)));
        }
    }
}

static void xml_front(struct we_ctx *c, const char *buf, size_t len, const char **why);

/* ECS fields that stand for EventData ones, kept as "ecs:<path>" pairs and
 * read after the EventData names (which win when both are present). */
static const char *const ecs_paths[][2] = {
    { "process.entity_id", "ecs:process.entity_id" },
    { "process.pid", "ecs:process.pid" },
    { "process.executable", "ecs:process.executable" },
    { "process.command_line", "ecs:process.command_line" },
    { "process.pe.original_file_name", "ecs:process.pe.original_file_name" },
    { "process.parent.entity_id", "ecs:process.parent.entity_id" },
    { "process.parent.pid", "ecs:process.parent.pid" },
    { "process.parent.executable", "ecs:process.parent.executable" },
    { "file.path", "ecs:file.path" },
    { "file.code_signature.signed", "ecs:file.code_signature.signed" },
    { "file.code_signature.status", "ecs:file.code_signature.status" },
    { "file.pe.original_file_name", "ecs:file.pe.original_file_name" },
    { "source.ip", "ecs:source.ip" },
    { "source.port", "ecs:source.port" },
    { "destination.ip", "ecs:destination.ip" },
    { "destination.port", "ecs:destination.port" },
    { "destination.domain", "ecs:destination.domain" },
    { "dns.question.name", "ecs:dns.question.name" },
};

/* Winlogbeat (winlog.*) and Elastic Agent ECS (event.code, no winlog). */
static void ecs_front(struct we_ctx *c, json_t *o)
{
    json_t *winlog = json_object_get(o, "winlog");
    c->format = json_is_object(winlog) ? "winlogbeat" : "ecs";
    jcode(c, jpath(o, "winlog.event_id"));
    if (!c->has_code)
        jcode(c, jpath(o, "event.code"));
    c->provider = jget(c, o, "winlog.provider_name");
    c->provider2 = jget(c, o, "event.provider");
    c->channel = jget(c, o, "winlog.channel");
    c->module = jget(c, o, "event.module");
    c->computer = jget(c, o, "winlog.computer_name");
    if (c->computer.p == NULL)
        c->computer = jget(c, o, "host.name");
    if (c->computer.p == NULL)
        c->computer = jget(c, o, "host.hostname");
    jhost_ip(c, jpath(o, "host.ip"));
    c->t_event = jget(c, o, "@timestamp");
    c->message = jget(c, o, "message");
    jpairs(c, jpath(o, "winlog.event_data"));
    jpairs(c, jpath(o, "winlog.user_data"));
    for (size_t i = 0; i < sizeof ecs_paths / sizeof ecs_paths[0]; i++) {
        struct we_str s = jget(c, o, ecs_paths[i][0]);
        if (s.p != NULL)
            push_lit(c, ecs_paths[i][1], s);
    }
    struct we_str un = jget(c, o, "user.name"), ud = jget(c, o, "user.domain");
    if (un.p != NULL && un.n > 0) {
        char tmp[600];
        int k = ud.p != NULL && ud.n > 0
                    ? snprintf(tmp, sizeof tmp, "%.*s\\%.*s", (int)(ud.n > 256 ? 256 : ud.n), ud.p,
                               (int)(un.n > 256 ? 256 : un.n), un.p)
                    : snprintf(tmp, sizeof tmp, "%.*s", (int)(un.n > 256 ? 256 : un.n), un.p);
        if (k > 0)
            push_lit(c, "ecs:user", scratch_put(c, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1));
    }
}

/* OpenWEC "Json": System, EventData (named members, unnamed "Data" array,
 * "Binary"), RenderingInfo.Message, OpenWEC.IpAddress. */
static void openwec_front(struct we_ctx *c, json_t *o)
{
    c->format = "openwec";
    jcode(c, jpath(o, "System.EventID"));
    c->provider = jget(c, o, "System.Provider.Name");
    c->provider2 = jget(c, o, "System.Provider.EventSourceName");
    c->channel = jget(c, o, "System.Channel");
    c->computer = jget(c, o, "System.Computer");
    c->t_event = jget(c, o, "System.TimeCreated");
    c->t_relay = jget(c, o, "OpenWEC.TimeReceived");
    c->message = jget(c, o, "RenderingInfo.Message");
    struct we_str ip = jget(c, o, "OpenWEC.IpAddress");
    if (ip.p)
        set_host_ip(c, ip);
    json_t *ed = json_object_get(o, "EventData");
    const char *key;
    json_t *v;
    if (!json_is_object(ed))
        return;
    json_object_foreach(ed, key, v) {
        struct we_str s;
        if (strcmp(key, "Data") == 0 && json_is_array(v)) {
            size_t n = json_array_size(v);
            for (size_t i = 0; i < n && i < WE_MAX_UNNAMED; i++)
                if (jtext(c, json_array_get(v, i), &s))
                    push_unnamed(c, s);
        } else if (strcmp(key, "Binary") == 0) {
            json_t *b = json_is_array(v) ? json_array_get(v, 0) : v;
            if (b != NULL && jtext(c, b, &s))
                c->binary = s;
        } else if (jtext(c, v, &s)) {
            push(c, mk(key, strlen(key)), s);
        }
    }
}

/* NXLog im_msvistalog + to_json(), and the flattened JSON of the OTRF
 * datasets: System facts and EventData side by side at the top level. */
static void flat_front(struct we_ctx *c, json_t *o)
{
    bool nxlog = json_object_get(o, "SourceModuleType") != NULL ||
                 json_object_get(o, "EventReceivedTime") != NULL ||
                 json_object_get(o, "EventTime") != NULL;
    c->format = nxlog ? "nxlog" : "flat-json";
    jcode(c, json_object_get(o, "EventID"));
    c->provider = jget(c, o, "SourceName");
    c->provider2 = jget(c, o, "ProviderName");
    c->channel = jget(c, o, "Channel");
    c->computer = jget(c, o, "Hostname");
    if (c->computer.p == NULL)
        c->computer = jget(c, o, "Computer");
    if (c->computer.p == NULL)
        c->computer = jget(c, o, "ComputerName");
    c->t_event = jget(c, o, "TimeCreated");
    c->t_local = jget(c, o, "EventTime"); /* NXLog: the collector's local time, no zone */
    c->t_relay = jget(c, o, "@timestamp"); /* Logstash's receive time */
    c->message = jget(c, o, "Message");
    jpairs(c, o);
}

static enum winevent_result json_front(struct we_ctx *c, const char *buf, size_t len, const char **why)
{
    json_error_t err;
    /* flags 0: jansson refuses invalid UTF-8 and \u0000 by default */
    c->root = json_loadb(buf, len, 0, &err);
    if (c->root == NULL) {
        *why = "JSON not valid (syntax, UTF-8, nesting or cut short)";
        return WINEVENT_MALFORMED;
    }
    json_t *o = c->root;
    if (json_is_array(o)) {
        if (json_array_size(o) != 1) {
            *why = "JSON array is not exactly one event";
            return WINEVENT_MALFORMED;
        }
        o = json_array_get(o, 0);
    }
    if (!json_is_object(o)) {
        *why = "JSON event is not an object";
        return WINEVENT_MALFORMED;
    }
    json_t *sm = json_object_get(o, "SyslogMessage");
    json_t *data = json_object_get(o, "data");
    if (json_is_string(sm)) {
        /* Azure Monitor's Syslog table: the XML that Sysmon for Linux wrote */
        struct we_str ip = jget(c, o, "HostIP");
        c->t_relay = jget(c, o, "TimeGenerated");
        xml_front(c, json_string_value(sm), json_string_length(sm), why);
        if (ip.p)
            set_host_ip(c, ip);
        c->format = "azure-syslog";
        return *why ? WINEVENT_MALFORMED : WINEVENT_OK;
    }
    if (json_is_string(data) && json_is_object(json_object_get(o, "meta"))) {
        /* OpenWEC "RawJson": the event's XML as received, and metadata */
        struct we_str ip = jget(c, o, "meta.IpAddress");
        c->t_relay = jget(c, o, "meta.TimeReceived");
        xml_front(c, json_string_value(data), json_string_length(data), why);
        if (ip.p)
            set_host_ip(c, ip);
        c->format = "openwec-raw";
        return *why ? WINEVENT_MALFORMED : WINEVENT_OK;
    }
    /* A flat top-level EventID wins over an "event" object: Logstash in ECS
     * compatibility mode adds event.original to NXLog's JSON. */
    if (json_is_object(json_object_get(o, "System")))
        openwec_front(c, o);
    else if (json_is_object(json_object_get(o, "winlog")))
        ecs_front(c, o);
    else if (json_object_get(o, "EventID") != NULL)
        flat_front(c, o);
    else if (jpath(o, "event.code") != NULL)
        ecs_front(c, o);
    else {
        *why = "JSON of no known event format";
        return WINEVENT_MALFORMED;
    }
    return WINEVENT_OK;
}

/* ---- XML front end (expat, callbacks, a flat walk) ------------------------- */

enum xsec { XS_NONE, XS_SYSTEM, XS_EVENTDATA, XS_USERDATA, XS_RENDER };
enum xcap { XC_NONE, XC_CODE, XC_CHANNEL, XC_COMPUTER, XC_DATA, XC_BINARY, XC_MESSAGE, XC_USERDATA };

struct xml_walk {
    XML_Parser p;
    struct we_ctx *c;
    char *arena;
    size_t acap, alen;
    unsigned depth, event_depth, sec_depth, cap_depth;
    enum xsec sec;
    enum xcap cap;
    size_t cap_start;
    struct we_str cap_name;
    bool done, stopped;
    const char *err;
};

/* Append to the text buffer; what does not fit is dropped (the buffer is
 * sized to hold every byte of the input, so that only cuts hostile input). */
static void arena_add(struct xml_walk *w, const char *s, size_t n)
{
    if (n > w->acap - w->alen)
        n = w->acap - w->alen;
    if (n) {
        memcpy(w->arena + w->alen, s, n);
        w->alen += n;
    }
}

static struct we_str arena_copy(struct xml_walk *w, const char *s)
{
    size_t at = w->alen;
    arena_add(w, s, strlen(s));
    return mk(w->arena + at, w->alen - at);
}

static void xstop(struct xml_walk *w, const char *err)
{
    if (!w->stopped) {
        w->stopped = true;
        w->err = err;
        XML_StopParser(w->p, XML_FALSE);
    }
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i] != NULL && atts[i + 1] != NULL; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

static void capture(struct xml_walk *w, enum xcap what)
{
    w->cap = what;
    w->cap_depth = w->depth;
    w->cap_start = w->alen;
}

static void XMLCALL x_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xml_walk *w = ud;
    struct we_ctx *c = w->c;
    if (w->stopped)
        return;
    if (++w->depth > WINEVENT_XML_MAX_DEPTH) {
        xstop(w, "XML nested too deep");
        return;
    }
    if (w->event_depth == 0) {
        if (strcmp(name, "Event") == 0)
            w->event_depth = w->depth;
        else if (!(w->depth == 1 && strcmp(name, "Events") == 0))
            xstop(w, "XML is not an <Event>");
        return;
    }
    if (w->cap != XC_NONE)
        return; /* markup inside a value: its text joins the value */
    unsigned rel = w->depth - w->event_depth;
    if (rel == 1) {
        w->sec = strcmp(name, "System") == 0          ? XS_SYSTEM
                 : strcmp(name, "EventData") == 0     ? XS_EVENTDATA
                 : strcmp(name, "UserData") == 0      ? XS_USERDATA
                 : strcmp(name, "RenderingInfo") == 0 ? XS_RENDER
                                                      : XS_NONE;
        w->sec_depth = w->depth;
        return;
    }
    if (w->sec == XS_SYSTEM && rel == 2) {
        const char *a;
        if (strcmp(name, "Provider") == 0) {
            if ((a = attr(atts, "Name")) != NULL)
                c->provider = arena_copy(w, a);
            if ((a = attr(atts, "EventSourceName")) != NULL)
                c->provider2 = arena_copy(w, a);
        } else if (strcmp(name, "TimeCreated") == 0) {
            if ((a = attr(atts, "SystemTime")) != NULL)
                c->t_event = arena_copy(w, a);
        } else if (strcmp(name, "EventID") == 0) {
            capture(w, XC_CODE);
        } else if (strcmp(name, "Channel") == 0) {
            capture(w, XC_CHANNEL);
        } else if (strcmp(name, "Computer") == 0) {
            capture(w, XC_COMPUTER);
        }
    } else if (w->sec == XS_EVENTDATA && rel == 2) {
        if (strcmp(name, "Data") == 0) {
            const char *a = attr(atts, "Name");
            w->cap_name = a && a[0] ? arena_copy(w, a) : mk(NULL, 0);
            capture(w, XC_DATA);
        } else if (strcmp(name, "Binary") == 0) {
            capture(w, XC_BINARY);
        }
    } else if (w->sec == XS_USERDATA && rel == 3) {
        w->cap_name = arena_copy(w, name);
        capture(w, XC_USERDATA);
    } else if (w->sec == XS_RENDER && rel == 2 && strcmp(name, "Message") == 0) {
        capture(w, XC_MESSAGE);
    }
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
    struct xml_walk *w = ud;
    struct we_ctx *c = w->c;
    (void)name;
    if (w->stopped)
        return;
    if (w->cap != XC_NONE && w->depth == w->cap_depth) {
        struct we_str v = mk(w->arena + w->cap_start, w->alen - w->cap_start);
        unsigned long code;
        switch (w->cap) {
        case XC_CODE:
            if (num_str(v, &code)) {
                c->has_code = true;
                c->code = code;
            }
            break;
        case XC_CHANNEL: c->channel = v; break;
        case XC_COMPUTER: c->computer = v; break;
        case XC_DATA:
            if (w->cap_name.p)
                push(c, w->cap_name, v);
            else
                push_unnamed(c, v);
            break;
        case XC_BINARY: c->binary = v; break;
        case XC_MESSAGE: c->message = v; break;
        case XC_USERDATA: push(c, w->cap_name, v); break;
        case XC_NONE: break;
        }
        w->cap = XC_NONE;
    }
    if (w->sec != XS_NONE && w->depth == w->sec_depth)
        w->sec = XS_NONE;
    if (w->event_depth != 0 && w->depth == w->event_depth) {
        /* the first event is all we read: stop here (ours, not an error) */
        w->done = true;
        w->stopped = true;
        XML_StopParser(w->p, XML_FALSE);
    }
    w->depth--;
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
    struct xml_walk *w = ud;
    if (!w->stopped && w->cap != XC_NONE && len > 0)
        arena_add(w, s, (size_t)len);
}

/* No DTD of any kind: so no entity can be declared, expanded or loaded (a
 * billion-laughs document or an external entity stops here, MALFORMED). */
static void XMLCALL x_doctype(void *ud, const XML_Char *doctype, const XML_Char *sysid,
                              const XML_Char *pubid, int has_internal_subset)
{
    (void)doctype, (void)sysid, (void)pubid, (void)has_internal_subset;
    xstop(ud, "XML DOCTYPE refused");
}

static void XMLCALL x_entity(void *ud, const XML_Char *entity, int is_param, const XML_Char *value,
                             int value_length, const XML_Char *base, const XML_Char *sysid,
                             const XML_Char *pubid, const XML_Char *notation)
{
    (void)entity, (void)is_param, (void)value, (void)value_length, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    xstop(ud, "XML entity declaration refused");
}

static int XMLCALL x_extent(XML_Parser p, const XML_Char *context, const XML_Char *base,
                            const XML_Char *sysid, const XML_Char *pubid)
{
    (void)p, (void)context, (void)base, (void)sysid, (void)pubid;
    return XML_STATUS_ERROR; /* never load anything */
}

static const char *xml_error_reason(enum XML_Error e)
{
    switch (e) {
    case XML_ERROR_NO_ELEMENTS:
    case XML_ERROR_UNCLOSED_TOKEN:
    case XML_ERROR_PARTIAL_CHAR:
    case XML_ERROR_UNCLOSED_CDATA_SECTION:
        return "XML cut short";
    case XML_ERROR_INVALID_TOKEN:
        return "XML invalid character, UTF-8 or token";
    case XML_ERROR_UNDEFINED_ENTITY:
        return "XML undefined entity";
    case XML_ERROR_TAG_MISMATCH:
        return "XML tags do not match";
    case XML_ERROR_NO_MEMORY:
        return "XML out of memory";
    default:
        return "XML not well-formed";
    }
}

/* Parse buf as one rendered event into c. On failure *why is set. The text
 * buffer becomes c->arena (freed by the caller). */
static void xml_front(struct we_ctx *c, const char *buf, size_t len, const char **why)
{
    struct xml_walk w;
    memset(&w, 0, sizeof w);
    *why = NULL;
    c->format = "xml";
    if (len > WINEVENT_MAX_LEN) { /* only reachable through a JSON wrapper */
        *why = "event longer than WINEVENT_MAX_LEN";
        return;
    }
    /* The input is parsed as UTF-8 (forced below), and decoding never grows
     * text: an entity or character reference is longer than its character. */
    free(c->arena);
    c->arena = malloc(len + 1);
    if (c->arena == NULL) {
        *why = "out of memory";
        return;
    }
    w.arena = c->arena;
    w.acap = len + 1;
    w.c = c;
    w.p = XML_ParserCreate("UTF-8");
    if (w.p == NULL) {
        *why = "out of memory";
        return;
    }
    XML_SetUserData(w.p, &w);
    XML_SetElementHandler(w.p, x_start, x_end);
    XML_SetCharacterDataHandler(w.p, x_text);
    XML_SetStartDoctypeDeclHandler(w.p, x_doctype);
    XML_SetEntityDeclHandler(w.p, x_entity);
    XML_SetExternalEntityRefHandler(w.p, x_extent);
    XML_SetParamEntityParsing(w.p, XML_PARAM_ENTITY_PARSING_NEVER);
    enum XML_Status st = XML_Parse(w.p, buf, (int)len, XML_TRUE);
    if (w.err != NULL)
        *why = w.err;
    else if (!w.done && st == XML_STATUS_ERROR)
        *why = xml_error_reason(XML_GetErrorCode(w.p));
    else if (!w.done)
        *why = "XML without an <Event>";
    XML_ParserFree(w.p);
}

/* ---- Snare and key=value: "Key: Value" text ------------------------------- */

/* A label in rendered message text. name: the EventData name it stands for
 * (NULL: a boundary only); name2: the name of its second occurrence (4688's
 * Creator and Target subjects share labels); until: a free-text value
 * (command lines contain ": ", "C:\", "http://") ends only at that label;
 * colon: the label is followed by ':' (false for a sentence that ends the
 * previous value). */
struct tkey {
    const char *label, *name, *name2, *until;
    bool colon;
};

/* Sysmon's EventData names across schema versions, for events 1, 3, 7, 22. */
static const struct tkey sysmon_keys[] = {
    { "RuleName", "RuleName", NULL, NULL, true },
    { "UtcTime", "UtcTime", NULL, NULL, true },
    { "ProcessGuid", "ProcessGuid", NULL, NULL, true },
    { "ProcessId", "ProcessId", NULL, NULL, true },
    { "Image", "Image", NULL, NULL, true },
    { "FileVersion", "FileVersion", NULL, NULL, true },
    { "Description", "Description", NULL, NULL, true },
    { "Product", "Product", NULL, NULL, true },
    { "Company", "Company", NULL, NULL, true },
    { "OriginalFileName", "OriginalFileName", NULL, NULL, true },
    { "CommandLine", "CommandLine", NULL, "CurrentDirectory", true },
    { "CurrentDirectory", "CurrentDirectory", NULL, NULL, true },
    { "User", "User", NULL, NULL, true },
    { "LogonGuid", "LogonGuid", NULL, NULL, true },
    { "LogonId", "LogonId", NULL, NULL, true },
    { "TerminalSessionId", "TerminalSessionId", NULL, NULL, true },
    { "IntegrityLevel", "IntegrityLevel", NULL, NULL, true },
    { "Hashes", "Hashes", NULL, NULL, true },
    { "ParentProcessGuid", "ParentProcessGuid", NULL, NULL, true },
    { "ParentProcessId", "ParentProcessId", NULL, NULL, true },
    { "ParentImage", "ParentImage", NULL, NULL, true },
    { "ParentCommandLine", "ParentCommandLine", NULL, "ParentUser", true },
    { "ParentUser", "ParentUser", NULL, NULL, true },
    { "Protocol", "Protocol", NULL, NULL, true },
    { "Initiated", "Initiated", NULL, NULL, true },
    { "SourceIsIpv6", "SourceIsIpv6", NULL, NULL, true },
    { "SourceIp", "SourceIp", NULL, NULL, true },
    { "SourceHostname", "SourceHostname", NULL, NULL, true },
    { "SourcePort", "SourcePort", NULL, NULL, true },
    { "SourcePortName", "SourcePortName", NULL, NULL, true },
    { "DestinationIsIpv6", "DestinationIsIpv6", NULL, NULL, true },
    { "DestinationIp", "DestinationIp", NULL, NULL, true },
    { "DestinationHostname", "DestinationHostname", NULL, NULL, true },
    { "DestinationPort", "DestinationPort", NULL, NULL, true },
    { "DestinationPortName", "DestinationPortName", NULL, NULL, true },
    { "ImageLoaded", "ImageLoaded", NULL, NULL, true },
    { "Signed", "Signed", NULL, NULL, true },
    { "Signature", "Signature", NULL, NULL, true },
    { "SignatureStatus", "SignatureStatus", NULL, NULL, true },
    { "QueryName", "QueryName", NULL, NULL, true },
    { "QueryStatus", "QueryStatus", NULL, NULL, true },
    { "QueryResults", "QueryResults", NULL, NULL, true },
};

/* The rendered 4688 message ("A new process has been created. ..."). */
static const struct tkey sec4688_keys[] = {
    { "Creator Subject", NULL, NULL, NULL, true },
    { "Target Subject", NULL, NULL, NULL, true },
    { "Process Information", NULL, NULL, NULL, true },
    { "Security ID", "SubjectUserSid", "TargetUserSid", NULL, true },
    { "Account Name", "SubjectUserName", "TargetUserName", NULL, true },
    { "Account Domain", "SubjectDomainName", "TargetDomainName", NULL, true },
    { "Logon ID", "SubjectLogonId", "TargetLogonId", NULL, true },
    { "New Process ID", "NewProcessId", NULL, NULL, true },
    { "New Process Name", "NewProcessName", NULL, NULL, true },
    { "Token Elevation Type", "TokenElevationType", NULL, NULL, true },
    { "Mandatory Label", "MandatoryLabel", NULL, NULL, true },
    { "Creator Process ID", "ProcessId", NULL, NULL, true },
    { "Creator Process Name", "ParentProcessName", NULL, NULL, true },
    { "Process Command Line", "CommandLine", NULL, "Token Elevation Type indicates", true },
    { "Token Elevation Type indicates", NULL, NULL, NULL, false },
};

/* The label that starts at p[i], or NULL. A label starts the text or follows
 * white space, and (colon labels) is followed by ':' and white space or the
 * end. */
static const struct tkey *label_at(const char *p, size_t n, size_t i, const struct tkey *keys,
                                   size_t nkeys, size_t *after)
{
    if (i > 0 && !is_ws(p[i - 1]))
        return NULL;
    for (size_t k = 0; k < nkeys; k++) {
        size_t ln = strlen(keys[k].label);
        if (ln > n - i || p[i] != keys[k].label[0] || memcmp(p + i, keys[k].label, ln) != 0)
            continue;
        if (!keys[k].colon) {
            *after = i + ln;
            return &keys[k];
        }
        if (i + ln < n && p[i + ln] == ':' && (i + ln + 1 == n || is_ws(p[i + ln + 1]))) {
            *after = i + ln + 1;
            return &keys[k];
        }
    }
    return NULL;
}

static void push_label(struct we_ctx *c, const struct tkey *k, const char *p, size_t a, size_t b)
{
    if (k == NULL || k->name == NULL)
        return;
    struct we_str v = trim(mk(p + a, b - a));
    struct we_str dummy;
    const char *name = k->name2 != NULL && get(c, k->name, &dummy) ? k->name2 : k->name;
    push_lit(c, name, v);
}

/* Split rendered text into pairs. Snare put the message on one line (CR, LF
 * and TAB became spaces) and ends it with a TAB: tab_ends stops a value
 * there. Values are trimmed (so a command line's trailing space is lost in
 * these formats; JSON and XML keep it). */
static void split_text(struct we_ctx *c, const char *p, size_t n, const struct tkey *keys, size_t nkeys,
                       bool tab_ends)
{
    const struct tkey *cur = NULL;
    size_t vstart = 0;
    for (size_t i = 0; i < n;) {
        if (tab_ends && p[i] == '\t' && cur != NULL) {
            push_label(c, cur, p, vstart, i);
            cur = NULL;
            i++;
            continue;
        }
        size_t after;
        const struct tkey *k = label_at(p, n, i, keys, nkeys, &after);
        if (k == NULL || (cur != NULL && cur->until != NULL && strcmp(k->label, cur->until) != 0)) {
            i++;
            continue;
        }
        if (cur != NULL)
            push_label(c, cur, p, vstart, i);
        cur = k;
        vstart = after;
        i = after;
    }
    if (cur != NULL)
        push_label(c, cur, p, vstart, n);
}

static void split_for_code(struct we_ctx *c, struct we_str m, bool tab_ends)
{
    if (c->code == 4688)
        split_text(c, m.p, m.n, sec4688_keys, sizeof sec4688_keys / sizeof sec4688_keys[0], tab_ends);
    else if (c->code != 1040 && c->code != 1042)
        split_text(c, m.p, m.n, sysmon_keys, sizeof sysmon_keys / sizeof sysmon_keys[0], tab_ends);
}

/* Snare: [<PRI>header ]HOST MSWinEventLog<TAB>Criticality<TAB>LogName<TAB>
 * Counter<TAB>SubmitTime<TAB>EventID<TAB>SourceName<TAB>UserName<TAB>SIDType
 * <TAB>EventLogType<TAB>ComputerName<TAB>... the category, data and expanded
 * strings (their count varies between agents) ...<TAB>Counter. */
#define SNARE_COLS 32
static enum winevent_result snare_front(struct we_ctx *c, const char *tag, const char *buf, size_t len,
                                        const char **why)
{
    const char *end = buf + len, *p = tag + strlen("MSWinEventLog\t");
    struct we_str col[SNARE_COLS];
    unsigned ncol = 0;
    c->format = "snare";
    while (ncol < SNARE_COLS) {
        const char *t = memchr(p, '\t', (size_t)(end - p));
        col[ncol++] = mk(p, t ? (size_t)(t - p) : (size_t)(end - p));
        if (!t)
            break;
        p = t + 1;
    }
    if (ncol < 6 || !num_str(col[4], &c->code)) {
        *why = "Snare: too few fields or no event id";
        return WINEVENT_MALFORMED;
    }
    c->has_code = true;
    if (!wanted_code(c->code))
        return WINEVENT_IGNORED;
    c->channel = col[1];
    c->t_local = col[3];
    c->provider = col[5];
    if (ncol > 9)
        c->computer = trim(col[9]);
    if (ncol > 10) {
        /* the rest of the line: category, data string, expanded string, counter */
        struct we_str rest = mk(col[10].p, (size_t)(end - col[10].p));
        c->message = rest;
        split_for_code(c, rest, true);
    }
    return WINEVENT_OK;
}

/* Splunk classic WinEventLog: a local time line, Key=Value lines, then
 * "Message=" and the rendered message to the end. */
static enum winevent_result kv_front(struct we_ctx *c, const char *buf, size_t len, const char **why)
{
    const char *p = buf, *end = buf + len;
    bool first = true;
    c->format = "kv";
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct we_str line = mk(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
        if (line.n > 0 && line.p[line.n - 1] == '\r')
            line.n--;
        const char *eq = memchr(line.p, '=', line.n);
        if (first && eq == NULL) {
            c->t_local = line;
        } else if (eq != NULL) {
            struct we_str k = mk(line.p, (size_t)(eq - line.p)), v = mk(eq + 1, line.n - (k.n + 1));
            if (seq(k, "Message")) {
                c->message = mk(eq + 1, (size_t)(end - (eq + 1)));
                break;
            }
            if (seq(k, "EventCode")) {
                c->has_code = num_str(v, &c->code);
            } else if (seq(k, "LogName")) {
                c->channel = trim(v);
            } else if (seq(k, "SourceName")) {
                c->provider = trim(v);
            } else if (seq(k, "ComputerName")) {
                c->computer = trim(v);
            }
        }
        first = false;
        p = nl ? nl + 1 : end;
    }
    if (!c->has_code) {
        *why = "key=value without EventCode";
        return WINEVENT_MALFORMED;
    }
    if (!wanted_code(c->code))
        return WINEVENT_IGNORED;
    if (c->message.p)
        split_for_code(c, c->message, false);
    return WINEVENT_OK;
}

/* ---- step 5: the record ---------------------------------------------------- */

static void put(char *dst, size_t cap, struct we_str v)
{
    if (v.p != NULL)
        text_copy(dst, cap, (const uint8_t *)v.p, v.n);
}

/* A GUID in any of its written forms ({lower}, {UPPER}, bare) to upper case
 * without braces; anything that is not 8-4-4-4-12 hex digits is dropped. */
static void put_guid(char dst[40], struct we_str v)
{
    v = trim(v);
    if (v.n >= 2 && v.p[0] == '{' && v.p[v.n - 1] == '}') {
        v.p++;
        v.n -= 2;
    }
    dst[0] = '\0';
    if (v.n != 36)
        return;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? v.p[i] != '-' : !is_hex(v.p[i]))
            return;
    }
    for (size_t i = 0; i < 36; i++)
        dst[i] = v.p[i] >= 'a' && v.p[i] <= 'f' ? (char)(v.p[i] - 32) : v.p[i];
    dst[36] = '\0';
}

/* "0x1a2c" (4688) or "6772" (Sysmon); at most 32 bits. */
static bool parse_pid(struct we_str v, uint32_t *out)
{
    uint64_t x = 0;
    size_t i = 0;
    bool hex = false;
    v = trim(v);
    if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
        hex = true;
        i = 2;
    }
    if (i >= v.n)
        return false;
    for (; i < v.n; i++) {
        char ch = v.p[i];
        if (hex ? !is_hex(ch) : !is_digit(ch))
            return false;
        unsigned d = is_digit(ch) ? (unsigned)(ch - '0') : (unsigned)(lower(ch) - 'a' + 10);
        x = x * (hex ? 16 : 10) + d;
        if (x > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)x;
    return true;
}

static bool parse_port(struct we_str v, uint16_t *out)
{
    uint32_t x;
    if (!parse_pid(v, &x) || x > 65535)
        return false;
    *out = (uint16_t)x;
    return true;
}

static bool parse_ip(struct we_str v, struct mw_addr *a)
{
    char tmp[64];
    v = trim(v);
    if (v.n == 0 || v.n >= sizeof tmp)
        return false;
    memcpy(tmp, v.p, v.n);
    tmp[v.n] = '\0';
    char *pct = strchr(tmp, '%');
    if (pct)
        *pct = '\0';
    return mw_addr_parse(tmp, a);
}

static bool is_dash(struct we_str v)
{
    v = trim(v);
    return v.n == 0 || (v.n == 1 && v.p[0] == '-');
}

enum we_class { CL_NONE, CL_SYSMON, CL_SECURITY, CL_MSI };

static bool msi_text(struct we_str m)
{
    m = trim(m);
    return starts_ci(m.p, m.n, "Beginning a Windows Installer transaction") ||
           starts_ci(m.p, m.n, "Ending a Windows Installer transaction");
}

/* The event id alone is not enough: Application 1 or 7 is not Sysmon. */
static enum we_class classify(const struct we_ctx *c)
{
    bool sysmon = scontains_ci(c->provider, "sysmon") || scontains_ci(c->provider2, "sysmon") ||
                  scontains_ci(c->channel, "sysmon") || sieq(c->module, "sysmon");
    bool security = sieq(c->provider, "Microsoft-Windows-Security-Auditing") ||
                     sieq(c->provider2, "Microsoft-Windows-Security-Auditing") ||
                     sieq(c->channel, "Security") || sieq(c->module, "security");
    bool msi = sieq(c->provider, "MsiInstaller") || sieq(c->provider2, "MsiInstaller") ||
               sieq(c->provider, "Microsoft-Windows-MsiServer") ||
               ((c->provider.n == 0 || sieq(c->provider, "Windows")) && msi_text(c->message));
    bool unknown = c->provider.n == 0 && c->provider2.n == 0 && c->channel.n == 0 && c->module.n == 0;
    switch (c->code) {
    case 1:
    case 3:
    case 7:
    case 22:
        return sysmon ? CL_SYSMON : CL_NONE;
    case 4688:
        return security || unknown ? CL_SECURITY : CL_NONE;
    case 1040:
    case 1042:
        return msi ? CL_MSI : CL_NONE;
    default:
        return CL_NONE;
    }
}

/* "Beginning a Windows Installer transaction: <package>. Client Process Id: <pid>." */
static void msi_from_message(struct we_str m, struct we_str *pkg, struct we_str *pid)
{
    static const char mark[] = ". Client Process Id: ";
    const char *t = find(m.p, m.n, "transaction: ");
    if (t == NULL)
        return;
    const char *s = t + strlen("transaction: "), *e = m.p + m.n, *last = NULL;
    for (const char *h = s; (h = find(h, (size_t)(e - h), mark)) != NULL; h++)
        last = h;
    if (last != NULL) {
        *pkg = mk(s, (size_t)(last - s));
        const char *q = last + strlen(mark), *r = q;
        while (r < e && is_digit(*r))
            r++;
        *pid = mk(q, (size_t)(r - q));
    } else {
        struct we_str rest = trim(mk(s, (size_t)(e - s)));
        if (rest.n > 0 && rest.p[rest.n - 1] == '.')
            rest.n--;
        *pkg = rest;
    }
}

/* {GUID} as written, for MsiInstaller's product code. */
static bool braced_guid(struct we_str v)
{
    char tmp[40];
    v = trim(v);
    if (v.n != 38 || v.p[0] != '{' || v.p[37] != '}')
        return false;
    put_guid(tmp, v);
    return tmp[0] != '\0';
}

/* MsiInstaller's Binary: hex of ASCII that starts with the product code
 * ("{3D3C3833-...}..." on 1033). Decoded when it does; else ignored. */
static void msi_product_from_binary(struct rec_endpoint *out, struct we_str hex)
{
    char txt[39];
    hex = trim(hex);
    if (hex.n < 76)
        return;
    for (size_t i = 0; i < 38; i++) {
        char a = hex.p[2 * i], b = hex.p[2 * i + 1];
        if (!is_hex(a) || !is_hex(b))
            return;
        unsigned hi = is_digit(a) ? (unsigned)(a - '0') : (unsigned)(lower(a) - 'a' + 10);
        unsigned lo = is_digit(b) ? (unsigned)(b - '0') : (unsigned)(lower(b) - 'a' + 10);
        txt[i] = (char)(hi << 4 | lo);
    }
    txt[38] = '\0';
    if (braced_guid(mk(txt, 38)))
        put(out->product, sizeof out->product, mk(txt, 38));
}

static void map_sysmon(const struct we_ctx *c, struct rec_endpoint *out)
{
    struct we_str v;
    uint32_t x;
    if (get2(c, "ProcessGuid", "ecs:process.entity_id", &v))
        put_guid(out->guid, v);
    if (get2(c, "ProcessId", "ecs:process.pid", &v) && parse_pid(v, &x)) {
        out->has_pid = true;
        out->pid = x;
    }
    if (get2(c, "Image", "ecs:process.executable", &v))
        put(out->image, sizeof out->image, v);
    if (get2(c, "User", "ecs:user", &v))
        put(out->user, sizeof out->user, v);
    switch (c->code) {
    case 1:
        if (get2(c, "CommandLine", "ecs:process.command_line", &v))
            put(out->cmdline, sizeof out->cmdline, v);
        if (get2(c, "OriginalFileName", "ecs:process.pe.original_file_name", &v))
            put(out->original_file_name, sizeof out->original_file_name, v);
        if (get2(c, "ParentProcessGuid", "ecs:process.parent.entity_id", &v))
            put_guid(out->parent_guid, v);
        if (get2(c, "ParentProcessId", "ecs:process.parent.pid", &v) && parse_pid(v, &x)) {
            out->has_ppid = true;
            out->ppid = x;
        }
        if (get2(c, "ParentImage", "ecs:process.parent.executable", &v))
            put(out->parent_image, sizeof out->parent_image, v);
        break;
    case 3:
        if (get2(c, "SourceIp", "ecs:source.ip", &v))
            out->has_src_ip = parse_ip(v, &out->src_ip);
        if (get2(c, "SourcePort", "ecs:source.port", &v))
            (void)parse_port(v, &out->src_port);
        if (get2(c, "DestinationIp", "ecs:destination.ip", &v))
            out->has_dst_ip = parse_ip(v, &out->dst_ip);
        if (get2(c, "DestinationPort", "ecs:destination.port", &v))
            (void)parse_port(v, &out->dst_port);
        if (get2(c, "DestinationHostname", "ecs:destination.domain", &v) && !is_dash(v))
            put(out->dst_domain, sizeof out->dst_domain, trim(v));
        break;
    case 7:
        if (get2(c, "ImageLoaded", "ecs:file.path", &v))
            put(out->dll_path, sizeof out->dll_path, v);
        if (get2(c, "Signed", "ecs:file.code_signature.signed", &v)) {
            v = trim(v);
            if (sieq(v, "true") || sieq(v, "false")) {
                out->has_signed = true;
                out->dll_signed = sieq(v, "true");
            }
        }
        if (get2(c, "SignatureStatus", "ecs:file.code_signature.status", &v))
            put(out->signature_status, sizeof out->signature_status, v);
        if (get2(c, "OriginalFileName", "ecs:file.pe.original_file_name", &v))
            put(out->original_file_name, sizeof out->original_file_name, v);
        break;
    case 22:
        if (get2(c, "QueryName", "ecs:dns.question.name", &v) && !is_dash(v))
            put(out->dst_domain, sizeof out->dst_domain, trim(v));
        if (get(c, "QueryResults", &v))
            put(out->query_results, sizeof out->query_results, v);
        break;
    default:
        break;
    }
}

/* DOMAIN\user from a pair of names, "-" meaning none. */
static bool put_user2(const struct we_ctx *c, struct rec_endpoint *out, const char *dom, const char *user)
{
    struct we_str d, u;
    if (!get(c, user, &u) || is_dash(u))
        return false;
    out->user[0] = '\0';
    if (get(c, dom, &d) && !is_dash(d)) {
        put(out->user, sizeof out->user, trim(d));
        text_append(out->user, sizeof out->user, "\\");
    }
    size_t o = strlen(out->user);
    put(out->user + o, sizeof out->user - o, trim(u));
    return true;
}

static void map_4688(const struct we_ctx *c, struct rec_endpoint *out)
{
    struct we_str v;
    uint32_t x;
    if (get2(c, "NewProcessId", "ecs:process.pid", &v) && parse_pid(v, &x)) {
        out->has_pid = true;
        out->pid = x;
    }
    if (get2(c, "NewProcessName", "ecs:process.executable", &v))
        put(out->image, sizeof out->image, v);
    if (get2(c, "CommandLine", "ecs:process.command_line", &v))
        put(out->cmdline, sizeof out->cmdline, v);
    if (get2(c, "ProcessId", "ecs:process.parent.pid", &v) && parse_pid(v, &x)) {
        out->has_ppid = true;
        out->ppid = x;
    }
    if (get2(c, "ParentProcessName", "ecs:process.parent.executable", &v))
        put(out->parent_image, sizeof out->parent_image, v);
    /* The new process's account: Target Subject when the creator named one
     * (4688 version 2), else the creator's. */
    if (!put_user2(c, out, "TargetDomainName", "TargetUserName") &&
        !put_user2(c, out, "SubjectDomainName", "SubjectUserName") && get(c, "ecs:user", &v))
        put(out->user, sizeof out->user, v);
}

static void map_msi(const struct we_ctx *c, struct rec_endpoint *out)
{
    struct we_str pkg = { NULL, 0 }, pid = { NULL, 0 };
    uint32_t x;
    if (c->nunnamed >= 1) {
        pkg = c->unnamed[0];
        if (c->nunnamed >= 2)
            pid = c->unnamed[1];
    } else if (get(c, "param1", &pkg)) {
        (void)get(c, "param2", &pid);
    } else if (c->message.p != NULL) {
        msi_from_message(c->message, &pkg, &pid);
    }
    pkg = trim(pkg);
    if (sieq(pkg, "(NULL)"))
        pkg.n = 0;
    if (braced_guid(pkg))
        put(out->product, sizeof out->product, pkg); /* a product code, not a package */
    else
        put(out->package, sizeof out->package, pkg);
    if (pid.p != NULL && parse_pid(pid, &x)) {
        out->has_pid = true;
        out->pid = x;
    }
    if (out->product[0] == '\0' && c->binary.p != NULL)
        msi_product_from_binary(out, c->binary);
}

static enum winevent_result map(const struct we_ctx *c, const struct winevent_opts *o, uint64_t recv_us,
                                struct rec_endpoint *out, const char **why)
{
    if (!c->has_code) {
        *why = "no event id";
        return WINEVENT_MALFORMED;
    }
    enum we_class cl = classify(c);
    if (cl == CL_NONE)
        return WINEVENT_IGNORED;
    out->code = (unsigned)c->code;
    out->format = c->format;
    if (cl == CL_SYSMON) {
        struct we_str pv = scontains_ci(c->provider, "sysmon")    ? c->provider
                           : scontains_ci(c->provider2, "sysmon") ? c->provider2
                                                                  : mk("Microsoft-Windows-Sysmon", 24);
        put(out->provider, sizeof out->provider, trim(pv));
    } else {
        text_set(out->provider, sizeof out->provider,
                 cl == CL_SECURITY ? "Microsoft-Windows-Security-Auditing" : "MsiInstaller");
    }
    put(out->host, sizeof out->host, trim(c->computer));
    out->has_host_ip = c->has_host_ip;
    out->host_ip = c->host_ip;
    if (cl == CL_SYSMON)
        map_sysmon(c, out);
    else if (cl == CL_SECURITY)
        map_4688(c, out);
    else
        map_msi(c, out);

    /* Time: Sysmon's UtcTime (unambiguous), the event's own time, a
     * zone-less local time with the configured offset, a relay's receive
     * time; else ours. */
    long off = o ? o->zoneless_utc_offset_s : 0;
    struct we_str v;
    uint64_t us;
    bool ok = cl == CL_SYSMON && get(c, "UtcTime", &v) && parse_time(v, 0, &us);
    ok = ok || (c->t_event.p && parse_time(c->t_event, 0, &us));
    ok = ok || (c->t_local.p && parse_time(c->t_local, off, &us));
    ok = ok || (c->t_relay.p && parse_time(c->t_relay, 0, &us));
    if (ok) {
        out->ts_us = us;
    } else {
        out->ts_us = recv_us;
        out->ts_is_receive = true;
    }
    return WINEVENT_OK;
}

/* ---- step 1, 2 and the entry point ----------------------------------------- */

static enum winevent_result parse(const char *buf, size_t len, uint64_t recv_us,
                                  const struct winevent_opts *opts, struct rec_endpoint *out,
                                  struct we_ctx *c, const char **why)
{
    if (buf == NULL)
        len = 0;
    if (len > WINEVENT_MAX_LEN) {
        *why = "event longer than WINEVENT_MAX_LEN";
        return WINEVENT_MALFORMED;
    }
    if (len >= 3 && (uint8_t)buf[0] == 0xEF && (uint8_t)buf[1] == 0xBB && (uint8_t)buf[2] == 0xBF) {
        buf += 3;
        len -= 3;
    }
    while (len > 0 && (is_ws(buf[0]))) {
        buf++;
        len--;
    }
    while (len > 0 && (is_ws(buf[len - 1]) || buf[len - 1] == '\0'))
        len--;
    if (len == 0) {
        *why = "empty";
        return WINEVENT_MALFORMED;
    }
    enum winevent_result r;
    if (buf[0] == '{' || buf[0] == '[') {
        if (scan_ignorable(buf, len))
            return WINEVENT_IGNORED;
        r = json_front(c, buf, len, why);
    } else if (buf[0] == '<' && len > 1 && !is_digit(buf[1])) {
        if (scan_ignorable(buf, len))
            return WINEVENT_IGNORED;
        xml_front(c, buf, len, why);
        r = *why ? WINEVENT_MALFORMED : WINEVENT_OK;
    } else {
        /* Snare's tag follows the sender's name (and the syslog header when
         * the caller left it), within the first few hundred bytes. */
        const char *tag = find(buf, len < 512 ? len : 512, "MSWinEventLog\t");
        size_t head = len < 8192 ? len : 8192;
        if (tag != NULL)
            r = snare_front(c, tag, buf, len, why);
        else if ((head >= 10 && memcmp(buf, "EventCode=", 10) == 0) || find(buf, head, "\nEventCode=") != NULL)
            r = kv_front(c, buf, len, why);
        else {
            *why = "not a Windows event in a known format";
            r = WINEVENT_MALFORMED;
        }
    }
    if (r != WINEVENT_OK)
        return r;
    return map(c, opts, recv_us, out, why);
}

enum winevent_result winevent_parse(const char *buf, size_t len, uint64_t recv_us,
                                    const struct winevent_opts *opts, struct rec_endpoint *out,
                                    const char **why)
{
    /* about 10 KiB: pairs and scratch; the XML text buffer is on the heap */
    struct we_ctx c;
    const char *reason = NULL;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    out->recv_us = recv_us;
    enum winevent_result r = parse(buf, len, recv_us, opts, out, &c, &reason);
    if (c.root != NULL)
        json_decref(c.root);
    free(c.arena);
    if (r != WINEVENT_OK) {
        memset(out, 0, sizeof *out);
        out->recv_us = recv_us;
    }
    if (why != NULL)
        *why = r == WINEVENT_OK ? NULL : r == WINEVENT_IGNORED ? "ignored" : reason ? reason : "malformed";
    return r;
}

/* ---- splitting a file of XML events ---------------------------------------- */

static size_t name_len(const char *p, const char *e)
{
    size_t k = 0;
    while (p + k < e && !is_ws(p[k]) && p[k] != '>' && p[k] != '/' && p[k] != '<')
        k++;
    return k;
}

/* The '>' that ends a tag starting at p, honouring quoted attribute values;
 * NULL if it is not in the buffer. */
static const char *tag_end(const char *p, const char *e)
{
    char q = 0;
    for (; p < e; p++) {
        if (q) {
            if (*p == q)
                q = 0;
        } else if (*p == '"' || *p == '\'') {
            q = *p;
        } else if (*p == '>') {
            return p;
        }
    }
    return NULL;
}

/* <!DOCTYPE ...[ internal subset ]>: the '>' at bracket depth 0, outside quotes. */
static const char *decl_end(const char *p, const char *e)
{
    char q = 0;
    int br = 0;
    for (; p < e; p++) {
        if (q) {
            if (*p == q)
                q = 0;
        } else if (*p == '"' || *p == '\'') {
            q = *p;
        } else if (*p == '[') {
            br++;
        } else if (*p == ']') {
            br--;
        } else if (*p == '>' && br <= 0) {
            return p;
        }
    }
    return NULL;
}

enum winevent_xml_res winevent_xml_next(const char *buf, size_t len, size_t *pos, size_t *start,
                                        size_t *end)
{
    const char *e = buf + len, *p = buf + (*pos < len ? *pos : len);
    const char *doc = NULL;
    unsigned depth = 0;
    while (p < e) {
        const char *lt = memchr(p, '<', (size_t)(e - p));
        if (lt == NULL)
            break;
        const char *after = NULL; /* first byte after this markup */
        size_t rest = (size_t)(e - lt);
        const char *hit;
        if (rest >= 4 && memcmp(lt, "<!--", 4) == 0) {
            if ((hit = find(lt + 4, rest - 4, "-->")) != NULL)
                after = hit + 3;
        } else if (rest >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
            if ((hit = find(lt + 9, rest - 9, "]]>")) != NULL)
                after = hit + 3;
        } else if (rest >= 2 && lt[1] == '?') {
            if ((hit = find(lt + 2, rest - 2, "?>")) != NULL)
                after = hit + 2;
        } else if (rest >= 2 && lt[1] == '!') {
            if ((hit = decl_end(lt + 2, e)) != NULL)
                after = hit + 1;
        } else if (rest >= 2 && lt[1] == '/') {
            size_t k = name_len(lt + 2, e);
            if ((hit = tag_end(lt + 2 + k, e)) != NULL) {
                after = hit + 1;
                if (k == 5 && memcmp(lt + 2, "Event", 5) == 0 && depth > 0 && --depth == 0) {
                    *start = (size_t)(doc - buf);
                    *end = (size_t)(after - buf);
                    *pos = *end;
                    return WINEVENT_XML_DOC;
                }
            }
        } else if (rest >= 2) {
            size_t k = name_len(lt + 1, e);
            if ((hit = tag_end(lt + 1 + k, e)) != NULL) {
                after = hit + 1;
                bool self = hit[-1] == '/';
                if (k == 5 && memcmp(lt + 1, "Event", 5) == 0) {
                    if (depth == 0)
                        doc = lt;
                    if (!self) {
                        depth++;
                    } else if (depth == 0) {
                        *start = (size_t)(lt - buf);
                        *end = (size_t)(after - buf);
                        *pos = *end;
                        return WINEVENT_XML_DOC;
                    }
                }
            }
        }
        if (after == NULL) { /* markup cut by the end of the buffer */
            if (depth > 0)
                break;
            *pos = (size_t)(lt - buf);
            return WINEVENT_XML_END;
        }
        p = after;
    }
    if (depth > 0) {
        *start = (size_t)(doc - buf);
        *pos = *start;
        return WINEVENT_XML_MORE;
    }
    *pos = len;
    return WINEVENT_XML_END;
}
