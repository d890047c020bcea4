/* events.h -- the endpoint feed: messages from the syslog listeners and
 * events from -e files become endpoint records. Each message goes through
 * the syslog header parser (a file line may be a captured syslog line too)
 * and then the Windows event parser; the records go to a sink (output and
 * the correlator). Counts what it reads, keeps and drops, and why. */
#ifndef MW_EVENTS_H
#define MW_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "parse/winevent.h"
#include "record.h"
#include "stats.h"


typedef void (*ev_sink_fn)(void *ctx, const struct rec_endpoint *r);

struct ev_feed {
    struct winevent_opts wopts;
    size_t max_msg;              /* -e: longest line or XML document */
    ev_sink_fn sink;
    void *sink_ctx;
    struct ev_stats st;
    struct rec_endpoint rec;     /* scratch */
    struct rec_endpoint *capture;/* pull mode (ev_reader): records go here, not to the sink */
    bool captured;
};

void ev_feed_init(struct ev_feed *f, size_t max_msg, ev_sink_fn sink, void *ctx);
/* One message as received: syslog header or none, then the event. peer is
 * the sender (NULL for a file); recv_us the wall clock. */
void ev_feed_message(struct ev_feed *f, const uint8_t *msg, size_t len, const struct mw_addr *peer,
                     uint64_t recv_us);
/* A whole -e file ("-": standard input): one event per line, or rendered
 * XML documents (<Event>...</Event>, optionally inside <Events>), every
 * record to the sink. Returns 0, or -1 with err set on a read error. */
int ev_feed_file(struct ev_feed *f, const char *path, char *err, size_t errlen);

/* The same file read one record at a time, so that records from several
 * files and packets can be merged by time (main.c). Counters still go to
 * the feed. */
struct ev_reader;
struct ev_reader *ev_reader_open(struct ev_feed *f, const char *path, char *err, size_t errlen);
/* Read the next record into ev_reader_peek: 1, 0 at the end, -1 with err,
 * -2 when a signal interrupted the read (the reader can be asked again). */
int ev_reader_next(struct ev_reader *r, char *err, size_t errlen);
/* Read no more: the next calls give the records already read, then 0. */
void ev_reader_stop(struct ev_reader *r);
const struct rec_endpoint *ev_reader_peek(const struct ev_reader *r);
void ev_reader_close(struct ev_reader *r);

#endif
