/* bareloop.c -- the practical limit of issue 6's benchmark: a bare
 * pcap_next_ex loop over a capture that touches the first and last byte of
 * every packet and counts packets and bytes, nothing else. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: bareloop FILE\n", stderr);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
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
    return 0;
}
