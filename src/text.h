/* text.h -- turning hostile bytes into text a record can carry (STYLE.md
 * 3.3): valid UTF-8 passes, control bytes and invalid sequences become
 * \xNN escapes, the result always fits its buffer and is NUL-terminated, so
 * that jansson (which refuses invalid UTF-8) and a human log see the same.
 * Backslashes pass unchanged: UNC paths are full of them. */
#ifndef MW_TEXT_H
#define MW_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy n bytes of p into dst (cap bytes including the NUL), escaping as above.
 * Returns the length written. A cut never splits an escape or a character. */
size_t text_copy(char *dst, size_t cap, const uint8_t *p, size_t n);
/* The same, lower-casing ASCII letters (host names). */
size_t text_copy_lower(char *dst, size_t cap, const uint8_t *p, size_t n);

/* Append src to the NUL-terminated dst, cutting it to fit cap (strlcat's
 * contract); returns the new length. For building URLs and UNC paths from
 * parts whose sum may exceed the record's field. */
size_t text_append(char *dst, size_t cap, const char *src);

#endif
