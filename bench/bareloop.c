/* bareloop.c -- the practical limit of issue 6's benchmark: a bare
 * pcap_next_ex loop over a capture that touches the first and last byte of
 * every packet and counts packets and bytes, nothing else.
 *
 * bareloop FILE opens the file as libpcap does by default (pcap_open_offline:
 * stdio's buffer of st_blksize, 4 KiB, so one read(2) per 4 KiB), as
 * ndpiReader and Suricata do. bareloop -b BYTES FILE reads it through a stdio
 * buffer of BYTES, as msiwatch does (256 KiB, src/capture.c). */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    size_t bufsize = 0;
    if (argc == 4 && strcmp(argv[1], "-b") == 0) {
        char *end;
        unsigned long long v = strtoull(argv[2], &end, 10);
        if (*end != '\0' || v < 512 || v > (1ull << 30)) {
            fputs("bareloop: -b takes a buffer size in bytes, 512 to 1073741824\n", stderr);
            return 2;
        }
        bufsize = (size_t)v;
        argv += 2;
        argc -= 2;
    }
    if (argc != 2) {
        fputs("usage: bareloop [-b BYTES] FILE\n", stderr);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p;
    char *buf = NULL;
    if (bufsize == 0) {
        p = pcap_open_offline(argv[1], err);
    } else {
        FILE *f = fopen(argv[1], "rb");
        buf = malloc(bufsize);
        if (f == NULL || buf == NULL) {
            fprintf(stderr, "bareloop: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        setvbuf(f, buf, _IOFBF, bufsize);
        p = pcap_fopen_offline(f, err);
    }
    if (p == NULL) {
        fprintf(stderr, "bareloop: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    unsigned x = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
        if (h->caplen > 0)
            x ^= data[0] ^ data[h->caplen - 1];
    }
    if (rc == -1) {
        fprintf(stderr, "bareloop: %s\n", pcap_geterr(p));
        return 1;
    }
    printf("{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"xor\":%u}\n", packets, bytes, x);
    pcap_close(p);
    free(buf);
    return 0;
}
