/* capture.h -- packet sources through libpcap (DESIGN.md section 2):
 * pcap and pcapng files ('-' is standard input) and live interfaces, each
 * with an optional BPF filter. Errors come back as one sentence in err;
 * nothing here prints (STYLE.md 3.2). */
#ifndef MW_CAPTURE_H
#define MW_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct capture {
    pcap_t *p;
    const char *name;   /* file path or interface */
    bool live;
    int dlt;
    uint64_t size;      /* file size in bytes, 0 when unknown (a pipe) */
    char *iobuf;        /* a file's stdio buffer, owned (capture.c) */
};

enum capture_next {
    CAP_PACKET = 1,     /* *h and *data set */
    CAP_NONE = 0,       /* live: nothing within the read timeout */
    CAP_EOF = -2,       /* end of file */
    CAP_ERROR = -1,     /* err set */
};

int capture_open_file(struct capture *c, const char *path, const char *bpf, char *err, size_t errlen);
int capture_open_live(struct capture *c, const char *iface, const char *bpf, char *err, size_t errlen);
/* Live, Linux: join this socket to the interface's PACKET_FANOUT group,
 * which spreads packets over its sockets by a symmetric hash of the
 * connection (PACKET_FANOUT_HASH, IPv4 fragments reassembled first).
 * *group < 0: create a group with an id of the kernel's choosing, set
 * *group to it; otherwise join group *group. */
int capture_fanout(struct capture *c, int *group, char *err, size_t errlen);
enum capture_next capture_next(struct capture *c, struct pcap_pkthdr **h, const uint8_t **data,
                               char *err, size_t errlen);
/* Bytes of the file read so far (for the progress line); 0 when unknown. */
uint64_t capture_offset(struct capture *c);
/* Live: kernel and interface drops so far. */
void capture_drops(struct capture *c, uint64_t *kernel, uint64_t *iface);
/* Name of the link type, e.g. "EN10MB". */
const char *capture_dlt_name(int dlt);
void capture_close(struct capture *c);

#endif
