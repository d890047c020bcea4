/* test_readahead.c -- the replay reader thread (src/readahead.c): every
 * packet comes out as libpcap reads it, in order, through a ring that
 * wraps (with and without a skip mark), with a consumer slower and faster
 * than the reader; packets larger than the ring; a truncated file gives
 * its error after the packets before it; a stop before the end does not
 * hang, nor does a consumer waiting on a reader that has nothing. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "readahead.h"
#include "tap.h"

#define RING (1u << 20)          /* the smallest ring: readahead_start's floor */
#define SNAP 262144
#define REC(caplen) ((24 + (caplen) + 15) / 16 * 16) /* a record's room in the ring */

static char g_dir[64];
static uint8_t g_pkt[SNAP];
static volatile sig_atomic_t g_stop;
static pthread_t g_main;

/* As msiwatch's SIGINT handler: the flag is set in the waiting thread. */
static void on_usr1(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* Signal the waiting thread; a second later write 64 packets into the
 * pipe, so that a wait the flag did not end gives a packet (a failure)
 * rather than hanging. */
static void *signal_later(void *arg)
{
    int fd = *(int *)arg;
    usleep(100000);
    pthread_kill(g_main, SIGUSR1);
    sleep(1);
    struct { uint32_t s, us, cap, len; } ph = { 1700000000, 0, 60, 60 };
    for (int i = 0; i < 64; i++)
        if (write(fd, &ph, sizeof ph) != (ssize_t)sizeof ph || write(fd, g_pkt, 60) != 60)
            break;
    return NULL;
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* A pcap of link type dlt and the given captured lengths; packet i is
 * fill(i), time i ms. */
static void write_pcap_dlt(const char *path, int dlt, int snap, const uint32_t *lens, size_t n)
{
    pcap_t *dead = pcap_open_dead(dlt, snap);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    if (!d) {
        fprintf(stderr, "cannot write %s: %s\n", path, pcap_geterr(dead));
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        struct pcap_pkthdr h = { .caplen = lens[i], .len = lens[i] + (uint32_t)(i % 3) };
        h.ts.tv_sec = (time_t)(1700000000 + i / 1000);
        h.ts.tv_usec = (suseconds_t)(i % 1000) * 1000;
        uint8_t *p = lens[i] <= SNAP ? g_pkt : malloc(lens[i]);
        fill(p, lens[i], (uint32_t)i);
        pcap_dump((u_char *)d, &h, p);
        if (p != g_pkt)
            free(p);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static void write_pcap(const char *path, const uint32_t *lens, size_t n)
{
    write_pcap_dlt(path, DLT_EN10MB, SNAP, lens, n);
}

/* Read path through a ring (mib MiB, 0: the smallest) and compare every
 * packet with what capture_next gives on a second handle; sleep_every > 0:
 * the consumer pauses 1 ms every that many packets. Returns the packets
 * that matched, -1 at the first that did not; *end is the last result. */
static long compare(const char *path, size_t ring, unsigned sleep_every, enum capture_next *end, char *err,
                    uint64_t *rwaits)
{
    struct capture a, b;
    char e2[256];
    if (capture_open_file(&a, path, NULL, err, 256) != 0 || capture_open_file(&b, path, NULL, e2, sizeof e2) != 0)
        return -1;
    struct readahead *ra = readahead_start(&a, ring, NULL, err, 256);
    if (!ra)
        return -1;
    long n = 0;
    for (;;) {
        struct pcap_pkthdr *h1, *h2;
        const uint8_t *d1, *d2;
        enum capture_next r1 = readahead_next(ra, &h1, &d1, err, 256);
        enum capture_next r2 = capture_next(&b, &h2, &d2, e2, sizeof e2);
        if (r1 != r2) {
            n = -1;
            break;
        }
        if (r1 != CAP_PACKET) {
            *end = r1;
            if (r1 == CAP_ERROR && strcmp(err, e2) != 0)
                n = -1;
            break;
        }
        if (h1->caplen != h2->caplen || h1->len != h2->len || h1->ts.tv_sec != h2->ts.tv_sec ||
            h1->ts.tv_usec != h2->ts.tv_usec || memcmp(d1, d2, h1->caplen) != 0) {
            n = -1;
            break;
        }
        n++;
        if (sleep_every && n % sleep_every == 0)
            usleep(1000);
    }
    uint64_t ww;
    readahead_stop(ra, &ww, rwaits);
    capture_close(&a);
    capture_close(&b);
    return n;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/mw-readahead.XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[128], trunc[128], empty[128];
    snprintf(path, sizeof path, "%s/a.pcap", g_dir);
    snprintf(trunc, sizeof trunc, "%s/t.pcap", g_dir);
    snprintf(empty, sizeof empty, "%s/e.pcap", g_dir);

    /* The ring's layout: three records of 262160 bytes and one of 262080
     * leave 16 bytes before its end, less than a header: the next record
     * starts at 0 with no mark. Then 48 bytes left: a header fits but not the
     * 64-byte record that follows: a skip mark.
     * Then 3000 packets of 0 to 9000 bytes, wrapping many times. */
    static uint32_t lens[3100];
    size_t n = 0;
    for (int k = 0; k < 3; k++)
        lens[n++] = 262136;
    lens[n++] = 262056;
    for (int k = 0; k < 3; k++)
        lens[n++] = 262136;
    lens[n++] = 262024;
    lens[n++] = 40;
    uint32_t x = 12345;
    while (n < 3009) {
        x = x * 1103515245u + 12345u;
        lens[n++] = (x >> 8) % 9001;
    }
    lens[n++] = 0;
    lens[n++] = SNAP;
    size_t total = 0;
    for (int k = 0; k < 4; k++)
        total += REC(lens[k]);
    size_t total2 = 0;
    for (int k = 4; k < 8; k++)
        total2 += REC(lens[k]);
    write_pcap(path, lens, n);

    TEST_BEGIN("the ring's layout as the test means it: 16 bytes left, then 48");
    CHECK_EQ(RING - total, 16);
    CHECK_EQ(RING - total2, 48);
    CHECK(REC(lens[8]) > 48);
    TEST_END();

    char err[256] = "";
    enum capture_next end = CAP_NONE;
    uint64_t rw = 0;
    long got;

    TEST_BEGIN("every packet as libpcap reads it, in order, through a 1 MiB ring (consumer as fast as it can)");
    got = compare(path, RING, 0, &end, err, &rw);
    CHECK_EQ(got, (long)n);
    CHECK_EQ(end, CAP_EOF);
    TEST_END();

    TEST_BEGIN("the same with a slow consumer: the reader waits for room, nothing is lost");
    got = compare(path, RING, 100, &end, err, &rw);
    CHECK_EQ(got, (long)n);
    CHECK_EQ(end, CAP_EOF);
    CHECK(rw > 0);
    TEST_END();

    TEST_BEGIN("a ring under 1 MiB is made 1 MiB; a large ring");
    CHECK_EQ(compare(path, 4096, 0, &end, err, &rw), (long)n);
    CHECK_EQ(compare(path, 64u << 20, 0, &end, err, &rw), (long)n);
    TEST_END();

    /* cut inside the last packet's bytes */
    FILE *in = fopen(path, "rb"), *out = fopen(trunc, "wb");
    CHECK(in && out);
    long size = 0;
    if (in && out) {
        fseek(in, 0, SEEK_END);
        size = ftell(in);
        rewind(in);
        for (long i = 0; i < size - 1000; i++)
            fputc(fgetc(in), out);
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    TEST_BEGIN("a truncated file: every packet before the cut, then capture_next's error");
    got = compare(trunc, RING, 0, &end, err, &rw);
    CHECK_EQ(got, (long)n - 1);
    CHECK_EQ(end, CAP_ERROR);
    CHECK(strstr(err, "truncated capture") != NULL);
    TEST_END();

    write_pcap(empty, lens, 0);
    TEST_BEGIN("a file of no packet: the end at once");
    CHECK_EQ(compare(empty, RING, 0, &end, err, &rw), 0);
    CHECK_EQ(end, CAP_EOF);
    TEST_END();

    struct capture c;
    struct readahead *ra;
    struct pcap_pkthdr *h;
    const uint8_t *d;
    uint64_t ww = 0;
    TEST_BEGIN("a stop before the end, with the reader waiting for room, returns");
    CHECK_EQ(capture_open_file(&c, path, NULL, err, sizeof err), 0);
    ra = readahead_start(&c, RING, NULL, err, sizeof err);
    CHECK(ra != NULL);
    CHECK_EQ(readahead_next(ra, &h, &d, err, sizeof err), CAP_PACKET);
    CHECK_EQ(h->caplen, lens[0]);
    usleep(50000); /* the reader fills the ring and waits */
    readahead_stop(ra, &ww, &rw);
    CHECK(rw > 0);
    capture_close(&c);
    TEST_END();

    /* D-Bus captures may carry packets of up to 128 MiB (libpcap's bound
     * for that link type): records larger than half the ring go by a copy
     * on the heap, one at a time */
    char dbus[128];
    snprintf(dbus, sizeof dbus, "%s/d.pcap", g_dir);
    static const uint32_t blens[] = { 100, 2u << 20, 600000, 40, 3u << 20, 524288 - 24, 524288 - 40, 0, 1000 };
    size_t nb = sizeof blens / sizeof blens[0];
    write_pcap_dlt(dbus, DLT_DBUS, 128 << 20, blens, nb);
    TEST_BEGIN("packets larger than the ring (2 and 3 MiB through 1 MiB) and than half of it: all, in order");
    got = compare(dbus, RING, 0, &end, err, &rw);
    CHECK_EQ(got, (long)nb);
    CHECK_EQ(end, CAP_EOF);
    CHECK_EQ(compare(dbus, RING, 1, &end, err, &rw), (long)nb);
    TEST_END();

    /* the stop flag: a pipe whose writer is idle keeps the reader waiting;
     * a signal sets the flag while the consumer waits */
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/f", g_dir);
    int wfd = -1;
    pthread_t setter;
    TEST_BEGIN("waiting on a reader that has nothing: a signal's stop flag ends the wait (CAP_EOF)");
    CHECK_EQ(mkfifo(fifo, 0600), 0);
    wfd = open(fifo, O_RDWR);
    CHECK(wfd >= 0);
    FILE *src = fopen(empty, "rb"); /* a pcap file header, and no packet yet */
    uint8_t hdr[24];
    CHECK(src && fread(hdr, 1, sizeof hdr, src) == sizeof hdr);
    if (src)
        fclose(src);
    CHECK(write(wfd, hdr, sizeof hdr) == (ssize_t)sizeof hdr);
    CHECK_EQ(capture_open_file(&c, fifo, NULL, err, sizeof err), 0);
    ra = readahead_start(&c, RING, &g_stop, err, sizeof err);
    CHECK(ra != NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    g_main = pthread_self();
    CHECK_EQ(pthread_create(&setter, NULL, signal_later, &wfd), 0);
    CHECK_EQ(readahead_next(ra, &h, &d, err, sizeof err), CAP_EOF);
    CHECK_EQ(g_stop, 1);
    pthread_join(setter, NULL);
    close(wfd); /* the reader sees the end of the pipe */
    readahead_stop(ra, &ww, &rw);
    CHECK(ww >= 1);
    capture_close(&c);
    TEST_END();

    unlink(dbus);
    unlink(fifo);
    unlink(path);
    unlink(trunc);
    unlink(empty);
    rmdir(g_dir);
    return tap_done();
}
