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

/* The general form: lower-case ASCII letters if asked, replace the ASCII
 * byte map_from by map_to (0: none; separator normalisation), store the
 * length written in *out_len (may be NULL). Returns true when some input did
 * not fit. */
bool text_copy_ex(char *dst, size_t cap, const uint8_t *p, size_t n, bool lower, int map_from, int map_to,
                  size_t *out_len);
/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is invalid or
 * cut short by n. */
size_t text_utf8_len(const uint8_t *p, size_t n);

/* Copy the string src into dst, cut to fit cap (strlcpy's contract: at
 * most cap - 1 bytes, always NUL-terminated when cap > 0); returns the length
 * written. What snprintf(dst, cap, "%s", src) does, without the format
 * machinery: that cost 600 instructions a copy, and records and caches copy
 * names for every flow. src is already text: nothing is escaped. */
size_t text_set(char *dst, size_t cap, const char *src);

/* Append src to the NUL-terminated dst, cutting it to fit cap (strlcat's
 * contract); returns the new length. For building URLs and UNC paths from
 * parts whose sum may exceed the record's field. */
size_t text_append(char *dst, size_t cap, const char *src);

#endif
