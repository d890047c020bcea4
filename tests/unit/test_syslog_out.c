/* test_syslog_out.c -- alert forwarding (syslog_out.c) against sockets the
 * test owns on 127.0.0.1: the exact RFC 5424 message, the severity and
 * facility mapping, UDP datagrams, TCP octet counting, a TCP connection the
 * collector closes (the next alert goes over a new connection), the queue
 * bound and drops at exit, an alert too long for a datagram, bad URLs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "syslog_out.h"
#include "tap.h"

/* 2026-11-28T17:46:40.479000Z */
#define TS_US 1795888000479000ull

static int listener(int type, unsigned *port)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || (type == SOCK_STREAM && listen(fd, 4) != 0) ||
        getsockname(fd, (struct sockaddr *)&a, &l) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* A forwarder to PROTO://127.0.0.1:PORT. */
static struct syslog_out *fwd(const char *proto, unsigned port, int facility, size_t queue, const char *host)
{
    char url[64], err[256];
    int usage;
    snprintf(url, sizeof url, "%s://127.0.0.1:%u", proto, port);
    return syslog_out_new(url, facility, queue, host, &usage, err, sizeof err);
}

/* Keep the forwarder going until fd is readable (at most 5 s). */
static bool serve_until_readable(struct syslog_out *s, int fd)
{
    for (int i = 0; i < 500; i++) {
        syslog_out_service(s);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 10) > 0)
            return true;
    }
    return false;
}

/* Read exactly n bytes from a stream (at most 5 s). */
static bool read_n(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5000) <= 0)
            return false;
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

int main(void)
{
    char buf[70000], want[512];
    size_t n;
    unsigned port;
    int usage;
    char err[256];
    struct syslog_out_stats st;
    struct syslog_out *s;
    int u, l;
    static const char json[] = "{\"event\":{\"severity\":4},\"message\":\"caf\xc3\xa9\"}";

    TEST_BEGIN("the message: <PRI>1 TIMESTAMP HOSTNAME msiwatch PID alert - JSON");
    n = syslog_out_format(buf, sizeof buf, 16, 4, TS_US, "sensor-01", 4242, json, strlen(json));
    snprintf(want, sizeof want, "<130>1 2026-11-28T17:46:40.479000Z sensor-01 msiwatch 4242 alert - %s", json);
    CHECK_EQ(n, strlen(want));
    CHECK_MEM(buf, want, strlen(want));
    CHECK_EQ(syslog_out_format(buf, 40, 16, 4, TS_US, "sensor-01", 4242, json, strlen(json)), 0);
    TEST_END();

    TEST_BEGIN("severity 0..4 is syslog informational, notice, warning, error, critical");
    static const struct { int sev, fac, pri; } rows[] = {
        { 0, 16, 134 }, { 1, 16, 133 }, { 2, 16, 132 }, { 3, 16, 131 }, { 4, 16, 130 },
        { 4, 0, 2 }, { 0, 23, 190 }, { 4, 3, 26 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char head[16];
        syslog_out_format(buf, sizeof buf, rows[i].fac, rows[i].sev, TS_US, "h", 1, "{}", 2);
        snprintf(head, sizeof head, "<%d>1 ", rows[i].pri);
        CHECK_MEM(buf, head, strlen(head));
    }
    TEST_END();

    TEST_BEGIN("facility names and numbers");
    CHECK_EQ(syslog_out_facility("local0"), 16);
    CHECK_EQ(syslog_out_facility("LOCAL7"), 23);
    CHECK_EQ(syslog_out_facility("daemon"), 3);
    CHECK_EQ(syslog_out_facility("kern"), 0);
    CHECK_EQ(syslog_out_facility("authpriv"), 10);
    CHECK_EQ(syslog_out_facility("0"), 0);
    CHECK_EQ(syslog_out_facility("23"), 23);
    CHECK_EQ(syslog_out_facility("24"), -1);
    CHECK_EQ(syslog_out_facility("-1"), -1);
    CHECK_EQ(syslog_out_facility("local8"), -1);
    CHECK_EQ(syslog_out_facility(""), -1);
    TEST_END();

    TEST_BEGIN("bad URLs are bad usage");
    static const char *const bad[] = {
        "http://127.0.0.1:514", "udp://127.0.0.1", "udp://:514", "udp://127.0.0.1:0", "udp://127.0.0.1:65536",
        "tcp://127.0.0.1:5x4", "tcp://[::1]514", "tcp://127.0.0.1:", "tls://127.0.0.1:6514",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        usage = 0;
        struct syslog_out *b = syslog_out_new(bad[i], 16, 10, "h", &usage, err, sizeof err);
        CHECK(b == NULL);
        CHECK_EQ(usage, 1);
        syslog_out_free(b);
    }
    TEST_END();

    TEST_BEGIN("UDP: one datagram per alert, exactly the message; a hostname with spaces is made printable");
    u = listener(SOCK_DGRAM, &port);
    CHECK(u >= 0);
    CHECK((s = fwd("udp", port, 16, 10, "my sensor")) != NULL);
    if (s) {
        syslog_out_alert(s, json, strlen(json), 4, TS_US);
        ssize_t r = recv(u, buf, sizeof buf, 0);
        snprintf(want, sizeof want, "<130>1 2026-11-28T17:46:40.479000Z my_sensor msiwatch %ld alert - %s",
                 (long)getpid(), json);
        CHECK_EQ(r, (ssize_t)strlen(want));
        CHECK_MEM(buf, want, strlen(want));
        /* longer than a datagram can carry: dropped and counted */
        char *big = malloc(70000);
        memset(big, 'x', 70000);
        syslog_out_alert(s, big, 70000, 1, TS_US);
        free(big);
        syslog_out_stats(s, &st);
        CHECK_U64(st.sent, 1);
        CHECK_U64(st.oversize, 1);
        CHECK_U64(st.queued, 0);
    }
    syslog_out_free(s);
    close(u);
    TEST_END();

    TEST_BEGIN("TCP: octet counting; the collector closes, the next alert goes over a new connection");
    l = listener(SOCK_STREAM, &port);
    CHECK(l >= 0);
    CHECK((s = fwd("tcp", port, 20, 10, "sensor-01")) != NULL);
    if (s) {
        CHECK(serve_until_readable(s, l));
        int c = accept(l, NULL, NULL);
        syslog_out_alert(s, json, strlen(json), 2, TS_US);
        n = (size_t)snprintf(want, sizeof want, "<164>1 2026-11-28T17:46:40.479000Z sensor-01 msiwatch %ld alert - %s",
                             (long)getpid(), json);
        char frame[600];
        int k = snprintf(frame, sizeof frame, "%zu %s", n, want);
        CHECK(read_n(c, buf, (size_t)k));
        CHECK_MEM(buf, frame, (size_t)k);
        close(c); /* the collector goes away */
        for (int i = 0; i < 500; i++) {
            syslog_out_service(s);
            syslog_out_stats(s, &st);
            if (st.disconnects)
                break;
            usleep(10000);
        }
        CHECK_U64(st.disconnects, 1);
        syslog_out_alert(s, json, strlen(json), 2, TS_US); /* queued until the next connection (1 s backoff) */
        CHECK(serve_until_readable(s, l));
        c = accept(l, NULL, NULL);
        for (int i = 0; i < 100; i++) {
            syslog_out_service(s);
            syslog_out_stats(s, &st);
            if (st.sent == 2)
                break;
            usleep(10000);
        }
        CHECK(read_n(c, buf, (size_t)k));
        CHECK_MEM(buf, frame, (size_t)k);
        syslog_out_stats(s, &st);
        CHECK_U64(st.sent, 2);
        CHECK_U64(st.connects, 2);
        CHECK_U64(st.queued, 0);
        close(c);
    }
    syslog_out_free(s);
    close(l);
    TEST_END();

    TEST_BEGIN("TCP without a collector: the queue bound drops and counts, the rest is dropped at exit");
    l = listener(SOCK_STREAM, &port);
    close(l); /* nobody listens on this port now */
    CHECK((s = fwd("tcp", port, 16, 2, "h")) != NULL);
    if (s) {
        for (int i = 0; i < 3; i++)
            syslog_out_alert(s, json, strlen(json), 4, TS_US);
        syslog_out_stats(s, &st);
        CHECK_U64(st.queued, 2);
        CHECK_U64(st.queue_full, 1);
        CHECK_U64(st.sent, 0);
        syslog_out_drain(s, 0);
        syslog_out_stats(s, &st);
        CHECK_U64(st.at_exit, 2);
        CHECK_U64(st.queued, 0);
        CHECK(st.connect_failed >= 1);
        CHECK_U64(st.connects, 0);
    }
    syslog_out_free(s);
    TEST_END();

    return tap_done();
}
