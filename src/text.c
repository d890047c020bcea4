/* text.c -- see text.h. */
#include "text.h"

#include <string.h>

size_t text_utf8_len(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    uint8_t c = p[0];
    size_t len;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) { len = 2; min = 0x80; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; min = 0x800; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool text_copy_ex(char *dst, size_t cap, const uint8_t *p, size_t n, bool lower, int map_from, int map_to,
                  size_t *out_len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i = 0;
    if (cap == 0) {
        if (out_len)
            *out_len = 0;
        return n > 0;
    }
    while (i < n) {
        size_t l = text_utf8_len(p + i, n - i);
        if (l == 1 && p[i] >= 0x20 && p[i] != 0x7f) {
            if (o + 1 >= cap)
                break;
            int ch = p[i];
            if (map_from != 0 && ch == map_from)
                ch = map_to;
            dst[o++] = (char)(lower && ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            i++;
        } else if (l > 1) {
            if (o + l >= cap)
                break;
            for (size_t k = 0; k < l; k++)
                dst[o++] = (char)p[i + k];
            i += l;
        } else {
            if (o + 4 >= cap)
                break;
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[p[i] >> 4];
            dst[o++] = hex[p[i] & 15];
            i++;
        }
    }
    dst[o] = '\0';
    if (out_len)
        *out_len = o;
    return i < n;
}

static size_t copy(char *dst, size_t cap, const uint8_t *p, size_t n, bool lower)
{
    size_t o;
    text_copy_ex(dst, cap, p, n, lower, 0, 0, &o);
    return o;
}

size_t text_copy(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    return copy(dst, cap, p, n, false);
}

size_t text_copy_lower(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    return copy(dst, cap, p, n, true);
}

size_t text_set(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return 0;
    size_t k = strnlen(src, cap - 1);
    memcpy(dst, src, k);
    dst[k] = '\0';
    return k;
}

size_t text_append(char *dst, size_t cap, const char *src)
{
    size_t o = strnlen(dst, cap);
    if (o >= cap)
        return cap;
    return o + text_set(dst + o, cap - o, src);
}
