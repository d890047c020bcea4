/* utf16.c -- UTF-16LE and OEM bytes to bounded UTF-8 (see utf16.h;
 * STYLE.md 3.3). Reads input only through a bytes.h cursor, writes at most
 * cap bytes, and replaces whatever is not a valid character with U+FFFD so
 * that the output can go to JSON as it is. */
#include "parse/utf16.h"

#include "bytes.h"

#include <stdbool.h>

/* Append code point cp as UTF-8 if it fits whole before the NUL slot. */
static bool put_cp(uint32_t cp, char *out, size_t cap, size_t *w)
{
    uint8_t b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | cp >> 18);
        b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        k = 4;
    }
    if (cap - 1 - *w < k) /* caller guarantees cap >= 1 and *w <= cap - 1 */
        return false;
    for (size_t i = 0; i < k; i++)
        out[(*w)++] = (char)b[i];
    return true;
}

#define REPL 0xFFFDu

size_t utf16le_to_utf8(const uint8_t *p, size_t n, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t w = 0;
    out[0] = '\0';
    if (p == NULL || n == 0) /* NULL + 0 is undefined in C */
        return 0;
    struct mw_cur c = mw_cur_make(p, n);
    while (mw_left(&c) >= 2) {
        uint32_t u = mw_le16(&c);
        uint32_t cp = u;
        if (u == 0) {
            cp = REPL; /* an embedded NUL would silently end the C string */
        } else if (u >= 0xD800 && u <= 0xDBFF) {
            int lo0 = mw_peek(&c, 0), lo1 = mw_peek(&c, 1);
            uint32_t lo = (lo0 < 0 || lo1 < 0) ? 0 : (uint32_t)(lo0 | lo1 << 8);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                mw_skip(&c, 2);
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            } else {
                cp = REPL; /* high surrogate without its low half */
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = REPL; /* low surrogate first */
        }
        if (!put_cp(cp, out, cap, &w))
            break;
    }
    if (mw_left(&c) == 1) /* odd byte count: half a unit */
        put_cp(REPL, out, cap, &w);
    out[w] = '\0';
    return w;
}

size_t oem_to_utf8(const uint8_t *p, size_t n, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t w = 0;
    out[0] = '\0';
    if (p == NULL || n == 0)
        return 0;
    struct mw_cur c = mw_cur_make(p, n);
    while (mw_left(&c) > 0) {
        uint8_t b = mw_u8(&c);
        if (!put_cp(b >= 0x20 && b <= 0x7E ? b : REPL, out, cap, &w))
            break;
    }
    out[w] = '\0';
    return w;
}
