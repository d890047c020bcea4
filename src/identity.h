/* identity.h -- which host had an address when (DESIGN.md section 7).
 * Endpoint events name computers; packets carry addresses. This map learns
 * address-to-host pairs, each with the time it was seen, from Sysmon network
 * connects (the source address of that computer), host.ip fields, NTLMSSP
 * workstation names, DHCP (option 12 with the assigned address), DNS
 * answers for names that events carry, and a static --hostmap file; and
 * answers "who was 10.1.2.3 at time T". Host names are compared by their
 * first label, lower case (WIN10-LAB.corp.example and WIN10-LAB are one
 * host). Bounded: a fixed table; a full table replaces the entry seen
 * longest ago (counted). */
#ifndef MW_IDENTITY_H
#define MW_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum id_source { ID_STATIC = 0, ID_SYSMON3, ID_HOST_IP, ID_NTLMSSP, ID_DHCP, ID_DNS, ID__COUNT };

struct identity_stats {
    uint64_t learned[ID__COUNT];
    uint64_t replaced;      /* a full table dropped an old pair */
    uint64_t lookups, hits;
    uint64_t alloc_failed;  /* no memory for a new address's hosts: not learned */
};

struct identity;

struct identity *identity_new(uint32_t max_entries);
void identity_free(struct identity *id);
/* addr belonged to host at ts_us (a static entry: ts_us 0, valid always). */
void identity_learn(struct identity *id, const struct mw_addr *a, const char *host, enum id_source src,
                    uint64_t ts_us);
/* The host that had a at ts_us: the pair seen last at or before ts_us +
 * slack_us, else the first one after; NULL if none. The returned name is
 * the longest form seen (an FQDN over a NetBIOS name). */
const char *identity_lookup(struct identity *id, const struct mw_addr *a, uint64_t ts_us, uint64_t slack_us,
                            enum id_source *src);
/* Remember host names that events carry, so that a DNS answer for one of
 * them teaches its address. */
void identity_note_host(struct identity *id, const char *host);
bool identity_known_host(const struct identity *id, const char *name);
/* Load a --hostmap file: "ADDRESS NAME" per line, '#' comments. Returns 0,
 * or -1 with err naming the file and line. */
int identity_load_hostmap(struct identity *id, const char *path, char *err, size_t errlen);
const struct identity_stats *identity_stats(const struct identity *id);

/* The short form of a host name for comparisons: first label, lower case. */
void identity_short(const char *host, char *out, size_t cap);
bool identity_same_host(const char *a, const char *b);

const char *identity_source_name(enum id_source s);

#endif
