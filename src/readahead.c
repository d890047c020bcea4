/* readahead.c -- a reader thread that reads a capture file ahead of the
 * worker into a bounded ring (see readahead.h).
 *
 * One writer (the reader thread), one consumer (the worker's thread). The
 * ring holds records of a pcap header and the packet's bytes, 16-byte
 * aligned; a record never wraps: where it would not fit before the end,
 * the writer marks the rest of the ring as skipped (a header whose caplen
 * is SKIP, or nothing when not even a header fits) and starts again at 0.
 * head and tail count bytes since the start (never wrapped): the writer
 * publishes head after writing, the consumer publishes tail after it is
 * done with a record, each in steps of PUBLISH_BYTES so that the two
 * cores do not pass the cache line to and fro on every packet. A side
 * that has to wait publishes first, spins a little, then sleeps on a
 * condition variable; the other side wakes it when it publishes.
 *
 * A packet whose record would take more than half the ring (libpcap lets
 * some link types, D-Bus say, carry 128 MiB) goes by a copy on the heap:
 * the ring holds a BIG record (its header and a pointer), the consumer
 * frees the copy at its next call, and the reader makes no other such copy
 * until the ring is empty, so that one is alive at a time. */
#include "readahead.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)
#define HDR sizeof(struct pcap_pkthdr)
#define SKIP UINT32_MAX                 /* caplen of a skip mark */
#define BIG (UINT32_MAX - 1)            /* caplen of the mark before a struct big */
#define PUBLISH_BYTES (64u << 10)
#define PUBLISH_PACKETS 64
#define SPINS 256
#define YIELDS 16
#define SLEEP_NS (20 * 1000 * 1000L)    /* a missed wake-up costs at most this */

enum ra_state { RA_READING, RA_EOF, RA_ERROR };

struct big {
    struct pcap_pkthdr mark;            /* caplen BIG */
    struct pcap_pkthdr h;
    uint8_t *data;                      /* the consumer's to free */
};

struct readahead {
    struct capture *c;
    uint8_t *buf;
    size_t size;                        /* a multiple of 16 */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t data, room;
    _Alignas(64) _Atomic uint64_t head; /* bytes written and published */
    _Alignas(64) _Atomic uint64_t tail; /* bytes the consumer is done with */
    _Alignas(64) atomic_int state;      /* enum ra_state, set after the last head */
    atomic_bool quit;
    atomic_bool want_data, want_room;   /* a side sleeps */
    char err[512];                      /* RA_ERROR: written before state */
    const volatile sig_atomic_t *stop;  /* the consumer stops waiting when set */
    /* the writer's, and below the consumer's, each on lines of its own:
     * both change at every packet, and on one line each CPU would take the
     * line from the other at every packet */
    _Alignas(64) uint64_t w_pos, w_pub;
    size_t w_need;                      /* the room the record being written needs */
    unsigned w_unpub;
    uint64_t n_full;
    /* the consumer's */
    _Alignas(64) uint64_t r_pos, r_head, r_pub;
    uint8_t *r_big;                     /* the copy of the big packet given last */
    uint64_t n_empty;
};

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Sleep on cv until ready(ra) holds (checked under the lock after setting
 * the flag, so that a publisher that looks at the flag after its store
 * either sees it or was seen), or for at most SLEEP_NS. */
static void sleep_on(struct readahead *ra, pthread_cond_t *cv, atomic_bool *flag,
                     bool (*ready)(struct readahead *))
{
    pthread_mutex_lock(&ra->mu);
    atomic_store(flag, true);
    if (!ready(ra)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += SLEEP_NS;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(cv, &ra->mu, &ts);
    }
    atomic_store(flag, false);
    pthread_mutex_unlock(&ra->mu);
}

static void wake(struct readahead *ra, pthread_cond_t *cv, atomic_bool *flag)
{
    if (atomic_load(flag)) {
        pthread_mutex_lock(&ra->mu);
        pthread_cond_broadcast(cv);
        pthread_mutex_unlock(&ra->mu);
    }
}

/* Wait, spinning then yielding then sleeping, until ready(ra). */
static void wait_for(struct readahead *ra, pthread_cond_t *cv, atomic_bool *flag, bool (*ready)(struct readahead *))
{
    for (int i = 0; i < SPINS; i++) {
        if (ready(ra))
            return;
        relax();
    }
    for (int i = 0; i < YIELDS; i++) {
        if (ready(ra))
            return;
        sched_yield();
    }
    while (!ready(ra))
        sleep_on(ra, cv, flag, ready);
}

/* ---- the reader thread ----------------------------------------------------- */

static void publish_head(struct readahead *ra)
{
    atomic_store(&ra->head, ra->w_pos);
    ra->w_pub = ra->w_pos;
    ra->w_unpub = 0;
    wake(ra, &ra->data, &ra->want_data);
}

/* The room a record of caplen bytes (BIG: a struct big) takes in the ring. */
static size_t record_len(uint32_t caplen)
{
    return caplen == BIG ? ALIGN16(sizeof(struct big)) : ALIGN16(HDR + caplen);
}

/* want bytes free at w_pos (or a stop). */
static bool room_for(struct readahead *ra, size_t want)
{
    if (atomic_load(&ra->quit))
        return true;
    uint64_t used = ra->w_pos - atomic_load(&ra->tail);
    return ra->size - used >= want;
}

/* Room for the record being written. */
static bool room_ready(struct readahead *ra)
{
    return room_for(ra, ra->w_need);
}

/* A full ring is waited on until a quarter of it is free, not just the
 * next record's room: the reader then writes a long run between two
 * sleeps rather than waking for every step the consumer publishes. */
static bool room_ready_slack(struct readahead *ra)
{
    size_t want = ra->w_need + ra->size / 4;
    return room_for(ra, want < ra->size ? want : ra->size); /* an empty ring always does */
}

/* The ring empty: the consumer has freed the last big copy. */
static bool empty_ready(struct readahead *ra)
{
    return room_for(ra, ra->size);
}

static void *reader(void *arg)
{
    struct readahead *ra = arg;
    struct pcap_pkthdr *h;
    const uint8_t *data;
    char err[sizeof ra->err];
    int end = RA_EOF;
    for (;;) {
        if (atomic_load(&ra->quit))
            break;
        enum capture_next r = capture_next(ra->c, &h, &data, err, sizeof err);
        if (r == CAP_EOF)
            break;
        if (r == CAP_ERROR) {
            memcpy(ra->err, err, sizeof err);
            end = RA_ERROR;
            break;
        }
        if (r != CAP_PACKET)
            continue;
        bool big = record_len(h->caplen) > ra->size / 2;
        if (big) {
            /* the copy before is freed once the ring is empty */
            publish_head(ra);
            if (!empty_ready(ra)) {
                ra->n_full++;
                wait_for(ra, &ra->room, &ra->want_room, empty_ready);
            }
            if (atomic_load(&ra->quit))
                break;
        }
        size_t need = record_len(big ? BIG : h->caplen);
        size_t idx = (size_t)(ra->w_pos % ra->size);
        size_t skip = ra->size - idx < need ? ra->size - idx : 0;
        ra->w_need = skip + need;
        if (!room_ready(ra)) {
            publish_head(ra);
            ra->n_full++;
            wait_for(ra, &ra->room, &ra->want_room, room_ready_slack);
            if (atomic_load(&ra->quit))
                break;
        }
        if (skip) {
            if (skip >= HDR) {
                struct pcap_pkthdr mark = { .caplen = SKIP };
                memcpy(ra->buf + idx, &mark, HDR);
            }
            ra->w_pos += skip;
            idx = 0;
        }
        if (big) {
            struct big b = { .mark = { .caplen = BIG }, .h = *h, .data = malloc(h->caplen) };
            if (!b.data) {
                snprintf(ra->err, sizeof ra->err, "%s: out of memory for a packet of %u bytes", ra->c->name,
                         h->caplen);
                end = RA_ERROR;
                break;
            }
            memcpy(b.data, data, h->caplen);
            memcpy(ra->buf + idx, &b, sizeof b);
        } else {
            memcpy(ra->buf + idx, h, HDR);
            memcpy(ra->buf + idx + HDR, data, h->caplen);
        }
        ra->w_pos += need;
        if (big || ++ra->w_unpub >= PUBLISH_PACKETS || ra->w_pos - ra->w_pub >= PUBLISH_BYTES)
            publish_head(ra);
    }
    atomic_store(&ra->head, ra->w_pos);
    atomic_store(&ra->state, end);
    wake(ra, &ra->data, &ra->want_data);
    return NULL;
}

/* ---- the consumer ---------------------------------------------------------- */

/* The record at *pos, a position up to which the writer has published:
 * past a skip (a mark, or too little room for one before the ring's end)
 * the record is at the ring's start, and *pos moves there. */
static struct pcap_pkthdr *record_at(const struct readahead *ra, uint64_t *pos)
{
    size_t idx = (size_t)(*pos % ra->size);
    struct pcap_pkthdr *ph = (struct pcap_pkthdr *)(void *)(ra->buf + idx);
    if (ra->size - idx < HDR || ph->caplen == SKIP) {
        *pos += ra->size - idx;
        ph = (struct pcap_pkthdr *)(void *)ra->buf;
    }
    return ph;
}

static bool data_ready(struct readahead *ra)
{
    return atomic_load(&ra->head) != ra->r_pos || atomic_load(&ra->state) != RA_READING ||
           (ra->stop && *ra->stop);
}

/* The consumer is done with everything before r_pos. A reader asleep on a
 * full ring is woken once a quarter of it is free (room_ready_slack; it
 * published its head before sleeping, so head is where it stopped). */
static void publish_tail(struct readahead *ra)
{
    atomic_store(&ra->tail, ra->r_pos);
    ra->r_pub = ra->r_pos;
    if (atomic_load(&ra->want_room) && ra->size - (atomic_load(&ra->head) - ra->r_pos) >= ra->size / 4)
        wake(ra, &ra->room, &ra->want_room);
}

enum capture_next readahead_next(struct readahead *ra, struct pcap_pkthdr **h, const uint8_t **data, char *err,
                                 size_t errlen)
{
    /* the record given last is done with */
    free(ra->r_big);
    ra->r_big = NULL;
    if (ra->r_pos - ra->r_pub >= PUBLISH_BYTES)
        publish_tail(ra);
    for (;;) {
        if (ra->r_pos == ra->r_head) {
            ra->r_head = atomic_load(&ra->head);
            if (ra->r_pos == ra->r_head) {
                publish_tail(ra);
                int st = atomic_load(&ra->state);
                if (st == RA_READING) {
                    ra->n_empty++;
                    wait_for(ra, &ra->data, &ra->want_data, data_ready);
                    st = atomic_load(&ra->state);
                    if (st == RA_READING && ra->stop && *ra->stop && atomic_load(&ra->head) == ra->r_pos)
                        return CAP_EOF; /* a signal asked the caller to stop */
                }
                ra->r_head = atomic_load(&ra->head); /* final once state is set */
                if (ra->r_pos == ra->r_head && st != RA_READING) {
                    if (st == RA_ERROR) {
                        snprintf(err, errlen, "%s", ra->err);
                        return CAP_ERROR;
                    }
                    return CAP_EOF;
                }
                continue;
            }
        }
        struct pcap_pkthdr *ph = record_at(ra, &ra->r_pos);
        ra->r_pos += record_len(ph->caplen);
        /* the reader wrote the next record on another CPU: ask for its
         * header and first bytes while this one is worked on */
        if (ra->r_pos != ra->r_head) {
            const uint8_t *nx = ra->buf + (size_t)(ra->r_pos % ra->size);
            __builtin_prefetch(nx);
            __builtin_prefetch(nx + 64);
        }
        if (ph->caplen == BIG) {
            struct big *b = (struct big *)(void *)ph;
            ra->r_big = b->data;
            *h = &b->h;
            *data = b->data;
        } else {
            *h = ph;
            *data = (const uint8_t *)ph + HDR;
        }
        return CAP_PACKET;
    }
}

struct readahead *readahead_start(struct capture *c, size_t bytes, const volatile sig_atomic_t *stop, char *err,
                                  size_t errlen)
{
    if (bytes < (1u << 20))
        bytes = 1u << 20;
    struct readahead *ra = calloc(1, sizeof *ra);
    if (ra)
        ra->buf = aligned_alloc(64, bytes & ~(size_t)63);
    if (!ra || !ra->buf) {
        free(ra);
        snprintf(err, errlen, "out of memory for a read-ahead buffer of %zu MiB", bytes >> 20);
        return NULL;
    }
    ra->c = c;
    ra->stop = stop;
    ra->size = bytes & ~(size_t)63;
    pthread_mutex_init(&ra->mu, NULL);
    pthread_cond_init(&ra->data, NULL);
    pthread_cond_init(&ra->room, NULL);
    /* signals are the main thread's: the reader runs with all blocked */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&ra->th, NULL, reader, ra);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&ra->data);
        pthread_cond_destroy(&ra->room);
        pthread_mutex_destroy(&ra->mu);
        free(ra->buf);
        free(ra);
        snprintf(err, errlen, "cannot start the reader thread: %s", strerror(rc));
        return NULL;
    }
    return ra;
}

void readahead_stop(struct readahead *ra, uint64_t *worker_waits, uint64_t *reader_waits)
{
    *worker_waits = *reader_waits = 0;
    if (!ra)
        return;
    atomic_store(&ra->quit, true);
    pthread_mutex_lock(&ra->mu);
    pthread_cond_broadcast(&ra->room);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->th, NULL);
    free(ra->r_big);
    /* the big copies the consumer did not reach (at most one) */
    for (uint64_t pos = ra->r_pos; pos < ra->w_pos;) {
        struct pcap_pkthdr *ph = record_at(ra, &pos);
        pos += record_len(ph->caplen);
        if (ph->caplen == BIG)
            free(((struct big *)(void *)ph)->data);
    }
    *worker_waits = ra->n_empty;
    *reader_waits = ra->n_full;
    pthread_cond_destroy(&ra->data);
    pthread_cond_destroy(&ra->room);
    pthread_mutex_destroy(&ra->mu);
    free(ra->buf);
    free(ra);
}
