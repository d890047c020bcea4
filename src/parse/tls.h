/* tls.h -- pure parser for the TLS ClientHello at the start of a client byte
 * stream (STYLE.md 1, 5.1; DESIGN.md section 2, parse layer).
 * In: the client-to-server TCP bytes seen so far, from the stream's start.
 * Out: SNI, first ALPN name, offered versions, ECH/ESNI flags and the JA3 hash.
 * Not here: server messages, anything after the ClientHello, flows, records.
 * Nothing is allocated; the only state is what the caller passes in. */
#ifndef MW_PARSE_TLS_H
#define MW_PARSE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* RFC 6066 section 3: HostName is 1..2^16-1 bytes on the wire, but a DNS
 * name is at most 255; a longer SNI is still returned in full as a slice,
 * this bound is for callers that copy it. */
#define TLS_MAX_SNI 255

struct tls_hello {
    uint16_t record_version, legacy_version; /* from the record layer and the ClientHello body */
    uint16_t max_version;       /* highest offered: from supported_versions (GREASE 0x?a?a
                                 * ignored, numeric maximum), else legacy_version */
    struct mw_slice sni;        /* first host_name of server_name, empty if absent */
    struct mw_slice alpn_first; /* first ALPN protocol name */
    bool has_sni, has_alpn, ech, esni; /* ech: extension 0xfe0d present; esni: 0xffce present */
    char ja3[33];               /* JA3 MD5 hex, NUL-terminated; GREASE values excluded */
    unsigned n_ciphers, n_ext;  /* counts for diagnostics (GREASE included) */
};

/* Parse the ClientHello at the start of `stream` (TLS records, content type
 * 22). The handshake message may be fragmented over several records and the
 * records over several TCP segments: pass every stream byte seen so far.
 *
 * MW_OK:    parsed; `out` is filled. Bytes after the ClientHello are ignored.
 * MW_SHORT: every byte so far is consistent with a ClientHello, more are needed.
 *           `out` holds nothing useful.
 * MW_BAD:   not a ClientHello: another content type or handshake type, a
 *           record of length 0 or over 2^14 (RFC 8446 5.1), inconsistent
 *           lengths inside the message, more than TLS_MAX_RECORDS records, or
 *           a handshake message (4-byte header included) longer than
 *           `scratch_cap` -- callers use 64 KiB. Also when scratch is NULL or
 *           scratch_cap < 4.
 *
 * `scratch` (scratch_cap bytes, caller-owned) receives the concatenated record
 * payloads when the message spans records. out->sni and out->alpn_first point
 * into `stream` when the whole message lies in the first record, otherwise into
 * `scratch`: keep both buffers alive and unchanged while using the slices.
 * Each call starts from scratch (no state is kept between calls). */
enum mw_res tls_client_hello_parse(const uint8_t *stream, size_t len, uint8_t *scratch,
                                   size_t scratch_cap, struct tls_hello *out);

/* Quick check used to recognise TLS on any port: 0x16 0x03 0x0[0-4], a record
 * length in 1..2^14 and, when those bytes are present, handshake type 1 with a
 * length that a ClientHello can have. False when n < 5. */
bool tls_looks_like_client_hello(const uint8_t *p, size_t n);

#endif
