/* ntlmssp.h -- the NTLMSSP messages inside SMB session setup blobs, as a
 * pure parser (MS-NLMP 2.2; DESIGN.md section 4 "SMB"; STYLE.md 1.3, 3.3).
 * In: a security blob (GSS-API/SPNEGO wrapped or raw NTLMSSP). Out: the
 * message type and, for AUTHENTICATE, the user, domain and workstation as
 * UTF-8. Nothing is allocated or printed; no ASN.1 is decoded: the message is
 * found by its signature. Not here: Kerberos, challenge/response checking,
 * session keys, anything about flows. */
#ifndef MW_PARSE_NTLMSSP_H
#define MW_PARSE_NTLMSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* MS-NLMP 2.2.1: MessageType values. */
#define NTLM_NEGOTIATE 1u
#define NTLM_CHALLENGE 2u
#define NTLM_AUTHENTICATE 3u

struct ntlm_auth {
    uint32_t msg_type; /* 1, 2, 3 */
    /* UTF-8, cut on a character boundary; 256 bytes hold the 104-character
     * (MS-NLMP 2.2.1.3 limits nothing, Windows does) names in any script. */
    char user[256], domain[256], workstation[256];
    /* AUTHENTICATE with NTLMSSP_NEGOTIATE_ANONYMOUS, or (MS-NLMP 3.2.5.1.2)
     * an empty UserName with an empty NtChallengeResponse and an empty or
     * one-byte LmChallengeResponse. */
    bool anonymous;
};

/* Find the first "NTLMSSP\0" signature in blob[0..n) (a bounded scan) and
 * parse the message that starts there and runs to the end of the blob.
 * MW_OK: types 1, 2 (name fields empty) and 3 (DomainName, UserName and
 * Workstation, each a (length, maxlength, offset) buffer relative to the
 * signature; UTF-16LE when NegotiateFlags has NTLMSSP_NEGOTIATE_UNICODE,
 * else OEM, whose printable ASCII is kept and other bytes become U+FFFD).
 * MW_SHORT: the blob ends inside the fixed part of the message.
 * MW_BAD: no signature (a Kerberos or SPNEGO-only blob), another message
 * type, a buffer that leaves the message or overlaps its fixed part, or an
 * odd Unicode length. out is cleared first. */
enum mw_res ntlmssp_find_parse(const uint8_t *blob, size_t n, struct ntlm_auth *out);

#endif
