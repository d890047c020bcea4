/* utf16.h -- the one bounded converter for wire strings (STYLE.md 3.3).
 * In: UTF-16LE bytes from SMB and NTLMSSP (or OEM bytes, for the few SMB1
 * and NTLM fields sent without Unicode). Out: a NUL-terminated, valid UTF-8
 * string in a buffer the caller owns. Nothing is allocated; the output never
 * holds a NUL before its end, so strlen(out) equals the returned count.
 * Not here: case folding, path normalisation, escaping for logs. */
#ifndef MW_PARSE_UTF16_H
#define MW_PARSE_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* Convert n bytes of UTF-16LE at p into out (cap bytes including the NUL).
 * Surrogate pairs are joined; an unpaired surrogate, a lone trailing byte
 * (n odd) and U+0000 each become U+FFFD, so the result is always valid UTF-8
 * with no embedded NUL. Conversion stops before a character that would not
 * fit whole (never a cut sequence). Returns the bytes written, excluding the
 * NUL; with cap 0 nothing is written and 0 is returned. */
size_t utf16le_to_utf8(const uint8_t *p, size_t n, char *out, size_t cap);

/* Convert n bytes of an OEM (code page unknown) string: printable ASCII
 * 0x20..0x7E is kept, every other byte becomes U+FFFD, because the code page
 * is not on the wire and guessing one would invent names. Same contract as
 * utf16le_to_utf8 otherwise. */
size_t oem_to_utf8(const uint8_t *p, size_t n, char *out, size_t cap);

#endif
