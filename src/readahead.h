/* readahead.h -- replay: a reader thread that reads a capture file ahead
 * of the packet worker into a bounded ring (--read-ahead), so that the
 * kernel's copy of the file (pcap_next_ex's read(2)) runs on another core
 * while the worker parses. Packets come out in file order with their pcap
 * headers, as capture_next gives them; a read error comes out after every
 * packet read before it. */
#ifndef MW_READAHEAD_H
#define MW_READAHEAD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/* None by default: with the file read in blocks of 256 KiB (capture.c) the
 * reader thread saves no wall time on a file in the page cache and costs
 * the copy into the ring (bench/README.md); it pays where reads block */
#define READAHEAD_DEFAULT_MIB 0
#define READAHEAD_MAX_MIB 1024

struct readahead;

/* Start reading c (an open file capture; the reader thread owns its pcap
 * handle until readahead_stop) into a ring of bytes bytes (at least 1 MiB).
 * stop (may be NULL): a flag a signal handler sets; readahead_next stops
 * waiting for the reader once it is set. NULL with err set when the thread
 * or the ring cannot be had. */
struct readahead *readahead_start(struct capture *c, size_t bytes, const volatile sig_atomic_t *stop, char *err,
                                  size_t errlen);

/* The next packet (CAP_PACKET: *h and *data valid until the next call),
 * CAP_EOF at the end (or when *stop was set while waiting), or CAP_ERROR
 * with err set once the packets read before the error are out. Waits for
 * the reader when the ring is empty. */
enum capture_next readahead_next(struct readahead *ra, struct pcap_pkthdr **h, const uint8_t **data, char *err,
                                 size_t errlen);

/* Stop the reader (also before the end of the file) and free the ring;
 * the capture is the caller's again. Sets the times the worker found the
 * ring empty and waited for the reader, and the times the reader found it
 * full and waited for the worker. */
void readahead_stop(struct readahead *ra, uint64_t *worker_waits, uint64_t *reader_waits);

#endif
