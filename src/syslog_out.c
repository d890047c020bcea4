/* syslog_out.c -- alerts to a SIEM collector as RFC 5424 syslog over UDP
 * or TCP with RFC 6587 octet counting (see syslog_out.h). One socket, one
 * bounded queue of whole frames; all sends are non-blocking. */
#include "syslog_out.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "output.h"

/* The largest UDP payload over IPv4 (65535 - 8 - 20); a longer alert cannot
 * go as one datagram and is dropped and counted. */
#define UDP_MAX 65507
/* Bytes queued at most, whatever the count bound: a collector away for
 * hours must not grow msiwatch (alerts are a few KB). */
#define QUEUE_MAX_BYTES (16u << 20)
/* TCP reconnection: after 1 s, doubling to 60 s while the collector stays away. */
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000

enum state { DOWN, CONNECTING, UP };

struct frame {
    char *p;
    size_t n;
};

struct syslog_out {
    bool tcp;
    struct sockaddr_storage sa;
    socklen_t salen;
    int fd;
    enum state state;
    uint64_t next_try_ms;        /* monotonic: the next TCP connection attempt */
    unsigned backoff_ms;
    struct frame *q;             /* ring of whole frames */
    size_t cap, head, count, bytes;
    size_t off;                  /* bytes of q[head] already written (TCP) */
    int facility;
    long pid;
    char host[256];
    struct syslog_out_stats st;
};

static const char *const facility_names[24] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    NULL, NULL, NULL, NULL, "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

int syslog_out_facility(const char *name)
{
    for (int i = 0; i < 24; i++)
        if (facility_names[i] && strcasecmp(name, facility_names[i]) == 0)
            return i;
    char *end;
    long v = strtol(name, &end, 10);
    if (name[0] >= '0' && name[0] <= '9' && *end == '\0' && v >= 0 && v <= 23)
        return (int)v;
    return -1;
}

/* event.severity (DESIGN.md section 5: 0 informational .. 4 critical) to
 * the syslog severity a SIEM sorts by: critical 2, high 3 (error), medium
 * 4 (warning), low 5 (notice), informational 6. */
static int syslog_severity(int severity)
{
    static const int map[5] = { 6, 5, 4, 3, 2 };
    return severity < 0 ? 6 : severity > 4 ? 2 : map[severity];
}

size_t syslog_out_format(char *buf, size_t cap, int facility, int severity, uint64_t ts_us, const char *hostname,
                         long pid, const char *json, size_t len)
{
    char ts[40];
    output_time(ts_us, ts, sizeof ts);
    int h = snprintf(buf, cap, "<%d>1 %s %s msiwatch %ld alert - ", facility * 8 + syslog_severity(severity), ts,
                     hostname, pid);
    if (h < 0 || (size_t)h + len > cap)
        return 0;
    memcpy(buf + h, json, len);
    return (size_t)h + len;
}

/* RFC 5424 HOSTNAME: 1 to 255 printable US-ASCII characters, no space. */
static void set_host(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; src && src[n] && n + 1 < cap; n++)
        dst[n] = (src[n] > 32 && src[n] < 127) ? src[n] : '_';
    dst[n] = '\0';
    if (n == 0)
        snprintf(dst, cap, "-");
}

struct syslog_out *syslog_out_new(const char *url, int facility, size_t max_queue, const char *hostname,
                                  int *usage, char *err, size_t errlen)
{
    *usage = 0;
    bool tcp;
    if (strncmp(url, "udp://", 6) == 0)
        tcp = false;
    else if (strncmp(url, "tcp://", 6) == 0)
        tcp = true;
    else
        goto bad;
    char host[256], port[8];
    const char *h = url + 6, *colon;
    size_t hn;
    if (*h == '[') {
        const char *rb = strchr(h, ']');
        if (!rb || rb[1] != ':')
            goto bad;
        hn = (size_t)(rb - h - 1);
        h++;
        colon = rb + 1;
    } else {
        colon = strrchr(h, ':');
        if (!colon)
            goto bad;
        hn = (size_t)(colon - h);
    }
    size_t pn = strlen(colon + 1);
    if (hn == 0 || hn >= sizeof host || pn == 0 || pn >= sizeof port || strspn(colon + 1, "0123456789") != pn ||
        atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)
        goto bad;
    memcpy(host, h, hn);
    host[hn] = '\0';
    memcpy(port, colon + 1, pn + 1);

    struct addrinfo hints = { .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM }, *res = NULL;
    int gr = getaddrinfo(host, port, &hints, &res);
    if (gr != 0 || !res) {
        snprintf(err, errlen, "--alert-syslog %s: cannot resolve %s: %s", url, host, gai_strerror(gr));
        return NULL;
    }
    struct syslog_out *s = calloc(1, sizeof *s);
    size_t cap = max_queue ? max_queue : 1;
    if (s)
        s->q = calloc(cap, sizeof *s->q);
    if (!s || !s->q) {
        free(s);
        freeaddrinfo(res);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(&s->sa, res->ai_addr, res->ai_addrlen);
    s->salen = res->ai_addrlen;
    freeaddrinfo(res);
    s->tcp = tcp;
    s->cap = cap;
    s->fd = -1;
    s->facility = facility;
    s->pid = (long)getpid();
    s->backoff_ms = BACKOFF_MIN_MS;
    set_host(s->host, sizeof s->host, hostname);
    if (!tcp) {
        /* a connected datagram socket: the kernel reports a collector
         * that refuses (ICMP port unreachable) on the next send */
        s->fd = socket(s->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&s->sa, s->salen) != 0) {
            snprintf(err, errlen, "--alert-syslog %s: %s", url, strerror(errno));
            syslog_out_free(s);
            return NULL;
        }
        s->state = UP;
    } else {
        syslog_out_service(s); /* connect now, so that the first alert need not wait */
    }
    return s;
bad:
    *usage = 1;
    snprintf(err, errlen, "bad --alert-syslog \"%s\": expected udp://HOST:PORT or tcp://HOST:PORT", url);
    return NULL;
}

static void pop(struct syslog_out *s)
{
    free(s->q[s->head].p);
    s->bytes -= s->q[s->head].n;
    s->head = (s->head + 1) % s->cap;
    s->count--;
    s->off = 0;
}

static void disconnect(struct syslog_out *s, bool was_up)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->state = DOWN;
    s->off = 0; /* a frame cut in the middle is sent whole on the next connection */
    if (was_up)
        s->st.disconnects++;
    else
        s->st.connect_failed++;
    s->next_try_ms = mw_mono_ms() + s->backoff_ms;
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

static void tcp_connect(struct syslog_out *s)
{
    s->fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        disconnect(s, false);
        return;
    }
    if (connect(s->fd, (struct sockaddr *)&s->sa, s->salen) == 0) {
        s->state = UP;
    } else if (errno == EINPROGRESS) {
        s->state = CONNECTING;
        return;
    } else {
        disconnect(s, false);
        return;
    }
    s->st.connects++;
    s->backoff_ms = BACKOFF_MIN_MS;
}

/* TCP: move the connection on (connecting, lost) without blocking. */
static void tcp_state(struct syslog_out *s)
{
    if (s->state == DOWN && mw_mono_ms() >= s->next_try_ms)
        tcp_connect(s);
    if (s->state == CONNECTING) {
        struct pollfd p = { .fd = s->fd, .events = POLLOUT };
        if (poll(&p, 1, 0) <= 0)
            return;
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0) {
            disconnect(s, false);
            return;
        }
        s->state = UP;
        s->st.connects++;
        s->backoff_ms = BACKOFF_MIN_MS;
    }
    if (s->state == UP) {
        /* a collector sends nothing: readable means closed (or reset) */
        char b[256];
        ssize_t r = recv(s->fd, b, sizeof b, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            disconnect(s, true);
    }
}

void syslog_out_service(struct syslog_out *s)
{
    if (!s)
        return;
    if (s->tcp)
        tcp_state(s);
    while (s->count && s->state == UP) {
        struct frame *f = &s->q[s->head];
        ssize_t r = send(s->fd, f->p + s->off, f->n - s->off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (!s->tcp && r < 0 && errno == ECONNREFUSED) /* about an earlier datagram: try this one again */
            r = send(s->fd, f->p, f->n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOBUFS)
                return; /* the socket is full: later */
            if (s->tcp) {
                disconnect(s, true);
                return;
            }
            if (errno == EMSGSIZE)
                s->st.oversize++;
            else
                s->st.send_failed++;
            pop(s);
            continue;
        }
        s->off += (size_t)r;
        if (s->off == f->n) {
            s->st.sent++;
            pop(s);
        }
    }
}

void syslog_out_alert(struct syslog_out *s, const char *json, size_t len, int severity, uint64_t ts_us)
{
    if (!s)
        return;
    size_t cap = len + 512;
    char *buf = malloc(cap + 24);
    if (!buf) {
        s->st.queue_full++;
        return;
    }
    /* TCP: the octet count goes first (RFC 6587 section 3.4.1) */
    size_t n = syslog_out_format(buf + 24, cap, s->facility, severity, ts_us, s->host, s->pid, json, len);
    char *p = buf + 24;
    if (n == 0) { /* cannot happen: the header is under 512 bytes */
        s->st.oversize++;
        free(buf);
        return;
    }
    if (s->tcp) {
        char cnt[24];
        int k = snprintf(cnt, sizeof cnt, "%zu ", n);
        p -= k;
        memcpy(p, cnt, (size_t)k);
        n += (size_t)k;
    }
    if (!s->tcp && n > UDP_MAX) {
        s->st.oversize++;
        free(buf);
        return;
    }
    if (s->count == s->cap || s->bytes + n > QUEUE_MAX_BYTES) {
        s->st.queue_full++;
        free(buf);
        return;
    }
    memmove(buf, p, n); /* the frame starts the block that pop() frees */
    s->q[(s->head + s->count) % s->cap] = (struct frame){ buf, n };
    s->count++;
    s->bytes += n;
    syslog_out_service(s);
}

void syslog_out_drain(struct syslog_out *s, unsigned timeout_ms)
{
    if (!s)
        return;
    uint64_t end = mw_mono_ms() + timeout_ms;
    for (;;) {
        syslog_out_service(s);
        uint64_t now = mw_mono_ms();
        if (s->count == 0 || now >= end)
            break;
        int wait = (int)(end - now < 50 ? end - now : 50);
        if (s->state == DOWN) {
            struct timespec ts = { 0, (long)wait * 1000000L };
            nanosleep(&ts, NULL);
        } else {
            struct pollfd p = { .fd = s->fd, .events = POLLOUT };
            poll(&p, 1, wait);
        }
    }
    s->st.at_exit += s->count;
    while (s->count)
        pop(s);
}

void syslog_out_stats(const struct syslog_out *s, struct syslog_out_stats *st)
{
    *st = s->st;
    st->queued = s->count;
}

void syslog_out_free(struct syslog_out *s)
{
    if (!s)
        return;
    while (s->count)
        pop(s);
    if (s->fd >= 0)
        close(s->fd);
    free(s->q);
    free(s);
}
