/* classify.h -- nDPI classification of flows (DESIGN.md section 2).
 * One detection module per worker. A flow's nDPI state exists only while it
 * is being classified: it is freed as soon as nDPI has an answer with no
 * extra dissection to do, or after max_packets packets (then nDPI is asked
 * to give up and guess). The flow keeps the two protocol ids. */
#ifndef MW_CLASSIFY_H
#define MW_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

#define CLASSIFY_DEFAULT_MAX_PACKETS 32

struct classify_stats {
    uint64_t packets;       /* packets given to nDPI */
    uint64_t detected;      /* flows classified by nDPI */
    uint64_t gave_up;       /* flows where detection gave up (guessed or unknown) */
    uint64_t states_live;   /* nDPI flow states allocated now */
    uint64_t alloc_failed;
};

struct classify;

/* Also turns off nDPI's guess of generated domain names (ndpi_dga_function,
 * a process-wide setting of nDPI, set to the same by every call): it only
 * sets a risk, which msiwatch does not read. */
struct classify *classify_new(unsigned max_packets, char *err, size_t errlen);
void classify_free(struct classify *c);
/* The process is about to exit: from now on classify_free leaves nDPI's
 * module to the system (see classify.c). Once, in the main thread, after
 * the last packet. */
void classify_exiting(void);

/* Give one packet of f to nDPI unless f is already classified. pk->l3 and
 * pk->l3_len must describe the whole IP datagram. */
void classify_packet(struct classify *c, struct flow *f, const struct mw_pkt *pk, uint64_t ts_us);

/* End of the flow: give up on a flow still being classified, free its state. */
void classify_finish(struct classify *c, struct flow *f);

/* Name of a flow's protocol: the master protocol where there is one
 * ("HTTP" for HTTP.Wikipedia), else the application protocol; "Unknown"
 * when nDPI only guessed. The guess stays in classify_full_name(). */
const char *classify_name(struct classify *c, const struct flow *f);
/* Full nDPI name ("HTTP.Wikipedia") into buf. */
const char *classify_full_name(struct classify *c, const struct flow *f, char *buf, size_t len);
/* Number of protocol ids, and the name of one (for per-protocol counters). */
unsigned classify_num_protocols(struct classify *c);
const char *classify_proto_name(struct classify *c, uint16_t id);
/* Id used for per-protocol counting and network.protocol: the master
 * protocol ("HTTP" for HTTP.Wikipedia), but the application protocol when
 * the master only carries it (NetBIOS.SMBv23 is SMB); 0 (unknown) for a
 * guess, as tshark would not call a port-80 SYN "HTTP" either. */
uint16_t classify_main_id(const struct flow *f);

const struct classify_stats *classify_stats(const struct classify *c);

#endif
