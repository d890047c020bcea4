/* payload.h -- type an HTTP (or SMB, FTP) body from its first bytes
 * (DESIGN.md sections 4 and 5: file.type, payload-msi, payload-dll). In: a
 * prefix of a body. Out: msi, msp, mst (OLE compound files told apart by the
 * CLSID of their root storage), pe-dll, pe-exe (the COFF DLL flag), cab,
 * zip, or other. Pure: no allocation, no state, reads only through bytes.h.
 * Not here: hashing, sizes, where the body came from. */
#ifndef MW_PARSE_PAYLOAD_H
#define MW_PARSE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum payload_type {
    PT_UNKNOWN = 0, /* not enough bytes yet */
    PT_MSI, PT_MSP, PT_MST, PT_PE_DLL, PT_PE_EXE, PT_CAB, PT_ZIP, PT_OTHER
};

/* "msi","msp","mst","pe-dll","pe-exe","cab","zip","other"; PT_UNKNOWN (and
 * any value outside the enum) -> "other". */
const char *payload_type_name(enum payload_type t);

/* 64 KiB: enough for the PE headers of any real image and for the first
 * directory sector of small OLE files, and a bounded copy per flow for the
 * caller. An OLE root entry or PE header beyond it is not looked for. */
#define PAYLOAD_SNIFF_MAX 65536

/* Classify from the first len bytes of a body. complete says buf holds the
 * whole body, so a short buffer is final. Returns PT_UNKNOWN only when more
 * bytes could change the answer: a prefix of a magic, OLE magic with the root
 * directory entry not yet in buf, "MZ" with the PE header not yet in buf.
 * Only the first PAYLOAD_SNIFF_MAX bytes are looked at, and once that many
 * are given the answer is final: an OLE file whose root entry or a PE whose
 * header lies beyond them is PT_OTHER. As bytes are added (complete false),
 * the answer goes from PT_UNKNOWN to one type and never changes again. */
enum payload_type payload_sniff(const uint8_t *buf, size_t len, bool complete);

/* OLE files whose first directory sector lies beyond the window (large
 * MSIs): payload_sniff says PT_OTHER for them, but the caller, which sees
 * the whole body go by, can still read the root entry. This gives its
 * offset from the start of the body when buf (the first bytes) is such a
 * file; false otherwise. */
bool payload_ole_root_offset(const uint8_t *buf, size_t len, uint64_t *off);
/* The type a root directory entry (128 bytes) gives: msi, msp, mst, or
 * PT_OTHER (another OLE document, or not a root storage). */
enum payload_type payload_ole_root_type(const uint8_t entry[128]);

#endif
