/* capture.c -- libpcap packet sources (see capture.h). */
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

#define SNAPLEN 262144
#define LIVE_TIMEOUT_MS 100
#define LIVE_BUFFER (64 << 20) /* kernel ring: bursts on a SPAN port are large */
/* A file is read through a stdio buffer of this size rather than libpcap's
 * default (st_blksize, 4 KiB): one read(2) per 256 KiB instead of one per
 * 4 KiB. Where a system call is dear (a virtual machine) that is most of the
 * cost of reading: a bare pcap_next_ex loop over a 1 GB capture took 0.57 s
 * with 4 KiB reads and 0.13 s with 256 KiB (bench/README.md). */
#define FILE_BUFFER (256 << 10)

static int set_filter(struct capture *c, const char *bpf, char *err, size_t errlen)
{
    if (bpf == NULL || *bpf == '\0')
        return 0;
    struct bpf_program prog;
    if (pcap_compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad capture filter \"%s\": %s", bpf, pcap_geterr(c->p));
        return -1;
    }
    int rc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot set the capture filter: %s", c->name, pcap_geterr(c->p));
        return -1;
    }
    return 0;
}

/* Common to files and interfaces once the handle is open: link type, filter. */
static int finish_open(struct capture *c, const char *bpf, char *err, size_t errlen)
{
    c->dlt = pcap_datalink(c->p);
    if (set_filter(c, bpf, err, errlen) != 0) {
        capture_close(c);
        return -1;
    }
    return 0;
}

int capture_open_file(struct capture *c, const char *path, const char *bpf, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    memset(c, 0, sizeof *c);
    c->name = strcmp(path, "-") == 0 ? "standard input" : path;
    if (strcmp(path, "-") != 0) {
        struct stat st;
        if (stat(path, &st) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: is a directory, not a capture file", path);
            return -1;
        }
        if (S_ISREG(st.st_mode))
            c->size = (uint64_t)st.st_size;
    }
    FILE *f;
    char *buf;
    if (strcmp(path, "-") == 0) {
        /* libpcap never closes standard input, so its buffer must outlive
         * the handle: a static one, set before the first read only */
        static char stdin_buf[FILE_BUFFER];
        static bool stdin_set;
        f = stdin;
        buf = stdin_set ? NULL : stdin_buf;
        stdin_set = true;
    } else {
        f = fopen(path, "rb");
        if (f == NULL) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return -1;
        }
        buf = c->iobuf = malloc(FILE_BUFFER); /* freed after pcap_close has closed f */
    }
    if (buf != NULL)
        setvbuf(f, buf, _IOFBF, FILE_BUFFER); /* without the buffer, stdio's own: slower, not wrong */
    /* One thread reads the file at a time (the parsing thread, or the
     * reader thread of --read-ahead and --workers), so stdio need not lock
     * it: with a second thread in the process glibc takes the stream's
     * lock in each of libpcap's two freads a packet, and the mix's reader
     * thread spent a quarter of its time there. */
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (c->p == NULL) {
        if (f != stdin)
            fclose(f);
        free(c->iobuf);
        c->iobuf = NULL;
        /* libpcap says "unknown file format" for anything that is not a
         * capture, and "truncated dump file" when even the header is cut. */
        if (strstr(perr, "unknown file format") != NULL)
            snprintf(err, errlen, "%s: not a pcap or pcapng capture file", c->name);
        else
            snprintf(err, errlen, "%s: cannot read capture: %s", c->name, perr);
        return -1;
    }
    return finish_open(c, bpf, err, errlen);
}

int capture_open_live(struct capture *c, const char *iface, const char *bpf, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    memset(c, 0, sizeof *c);
    c->name = iface;
    c->live = true;
    c->p = pcap_create(iface, perr);
    if (c->p == NULL) {
        snprintf(err, errlen, "%s: %s", iface, perr);
        return -1;
    }
    pcap_set_snaplen(c->p, SNAPLEN);
    pcap_set_promisc(c->p, 1);
    pcap_set_timeout(c->p, LIVE_TIMEOUT_MS);
    /* each socket its own ring, also each worker's in a fanout group: a
     * worker shares a core with others and must ride out being descheduled */
    pcap_set_buffer_size(c->p, LIVE_BUFFER);
    int rc = pcap_activate(c->p);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
                        : rc == PCAP_ERROR_PERM_DENIED ? "permission denied (run as root or grant CAP_NET_RAW)"
                        : pcap_geterr(c->p);
        snprintf(err, errlen, "%s: cannot capture: %s", iface, why);
        capture_close(c);
        return -1;
    }
    return finish_open(c, bpf, err, errlen);
}

int capture_fanout(struct capture *c, int *group, char *err, size_t errlen)
{
#if defined(__linux__) && defined(PACKET_FANOUT) && defined(PACKET_FANOUT_FLAG_UNIQUEID)
    int fd = pcap_fileno(c->p);
    if (fd < 0) {
        snprintf(err, errlen, "%s: no packet socket to join a fanout group", c->name);
        return -1;
    }
    /* the symmetric flow hash (both directions of a connection to one
     * socket), with IPv4 fragments reassembled before hashing */
    uint32_t mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG; /* unsigned: the flags reach bit 31 */
    uint32_t v = *group < 0 ? (mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16 : (mode << 16) | ((uint32_t)*group & 0xffff);
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof v) != 0) {
        snprintf(err, errlen, "%s: cannot join a PACKET_FANOUT group: %s", c->name, strerror(errno));
        return -1;
    }
    if (*group < 0) { /* the kernel chose a group id no other socket uses: the others join it */
        socklen_t len = sizeof v;
        if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &v, &len) != 0) {
            snprintf(err, errlen, "%s: cannot read the PACKET_FANOUT group: %s", c->name, strerror(errno));
            return -1;
        }
        *group = (int)(v & 0xffff);
    }
    return 0;
#else
    (void)group;
    snprintf(err, errlen, "%s: several workers on an interface need Linux PACKET_FANOUT", c->name);
    return -1;
#endif
}

enum capture_next capture_next(struct capture *c, struct pcap_pkthdr **h, const uint8_t **data,
                               char *err, size_t errlen)
{
    int rc = pcap_next_ex(c->p, h, data);
    if (rc == 1)
        return CAP_PACKET;
    if (rc == 0)
        return CAP_NONE;
    if (rc == PCAP_ERROR_BREAK)
        return CAP_EOF;
    const char *e = pcap_geterr(c->p);
    if (strstr(e, "truncated dump file") != NULL)
        snprintf(err, errlen, "%s: truncated capture, the last record is cut short (%s)", c->name, e);
    else
        snprintf(err, errlen, "%s: %s", c->name, e);
    return CAP_ERROR;
}

uint64_t capture_offset(struct capture *c)
{
    if (c->live || c->size == 0)
        return 0;
    FILE *f = pcap_file(c->p);
    if (f == NULL)
        return 0;
    long off = ftell(f);
    return off < 0 ? 0 : (uint64_t)off;
}

void capture_drops(struct capture *c, uint64_t *kernel, uint64_t *iface)
{
    struct pcap_stat ps;
    *kernel = *iface = 0;
    if (c->live && pcap_stats(c->p, &ps) == 0) {
        *kernel = ps.ps_drop;
        *iface = ps.ps_ifdrop;
    }
}

const char *capture_dlt_name(int dlt)
{
    const char *n = pcap_datalink_val_to_name(dlt);
    return n ? n : "unknown";
}

void capture_close(struct capture *c)
{
    if (c->p)
        pcap_close(c->p);
    c->p = NULL;
    free(c->iobuf); /* after the FILE that used it is closed */
    c->iobuf = NULL;
}
