/* winargv.c -- Windows command-line splitting (see winargv.h for the rules
 * and their sources). One pass over the bytes through a bytes.h cursor, one
 * bounded writer; a run of backslashes is counted, never buffered, so 10,000
 * backslashes cost 10,000 steps and no memory. */
#include "parse/winargv.h"

#include <string.h>

/* The writer: counts every decoded byte, stores what fits before the NUL. */
struct wa_out {
    char *p;
    size_t cap, w, full;
};

static void put(struct wa_out *o, int ch)
{
    o->full++;
    if (o->cap > 0 && o->w < o->cap - 1)
        o->p[o->w++] = (char)ch;
}

/* Length a UTF-8 lead byte announces (1 for ASCII and for stray bytes). */
static size_t lead_len(unsigned char b)
{
    if (b >= 0xC0 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF7)
        return 4;
    return 1;
}

/* NUL-terminate; when the copy was cut, drop a trailing partial sequence so
 * that a cut never leaves half a character (valid input stays valid). */
static void finish(struct wa_out *o)
{
    if (o->cap == 0)
        return;
    if (o->full > o->w && o->w > 0) {
        size_t i = o->w, back = 0;
        while (i > 0 && back < 3 && ((unsigned char)o->p[i - 1] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        if (i > 0) {
            size_t lead = i - 1;
            if (lead + lead_len((unsigned char)o->p[lead]) > o->w)
                o->w = lead;
        }
    }
    o->p[o->w] = '\0';
}

static bool is_ws(int ch)
{
    return ch == ' ' || ch == '\t';
}

static void skip_ws(struct mw_cur *c)
{
    while (is_ws(mw_peek(c, 0)))
        (void)mw_u8(c);
}

void winargv_begin(struct winargv_iter *it, const char *s, size_t n)
{
    static const char empty[1] = "";
    size_t len = 0;
    if (s == NULL) {
        s = empty; /* NULL + 0 is undefined in C */
    } else {
        const char *z = memchr(s, '\0', n);
        len = z != NULL ? (size_t)(z - s) : n;
    }
    it->c = mw_cur_make((const uint8_t *)s, len);
    it->index = 0;
    it->open_quote = false;
}

/* argv[0]: to the next quote if it starts with one, else to whitespace. */
static void program_name(struct mw_cur *c, struct wa_out *o, bool *open_quote)
{
    if (mw_peek(c, 0) == '"') {
        (void)mw_u8(c);
        *open_quote = true;
        while (mw_left(c) > 0) {
            int ch = mw_u8(c);
            if (ch == '"') {
                *open_quote = false;
                break;
            }
            put(o, ch);
        }
    } else {
        while (mw_left(c) > 0 && !is_ws(mw_peek(c, 0)))
            put(o, mw_u8(c));
    }
}

/* Any later argument (the rules of winargv.h). */
static void argument(struct mw_cur *c, struct wa_out *o, bool *open_quote)
{
    bool inq = false;
    while (mw_left(c) > 0) {
        int ch = mw_peek(c, 0);
        if (!inq && is_ws(ch))
            break;
        if (ch == '\\') {
            size_t nb = 0;
            while (mw_peek(c, 0) == '\\') {
                (void)mw_u8(c);
                nb++;
            }
            if (mw_peek(c, 0) == '"') {
                for (size_t i = 0; i < nb / 2; i++)
                    put(o, '\\');
                if (nb & 1) { /* 2n+1: a literal quote, quoting unchanged */
                    (void)mw_u8(c);
                    put(o, '"');
                }
                /* 2n: the quote is a delimiter, handled on the next turn */
            } else {
                for (size_t i = 0; i < nb; i++)
                    put(o, '\\');
            }
            continue;
        }
        if (ch == '"') {
            (void)mw_u8(c);
            if (inq && mw_peek(c, 0) == '"') { /* "" inside quotes (post-2008) */
                (void)mw_u8(c);
                put(o, '"');
            } else {
                inq = !inq;
            }
            continue;
        }
        put(o, mw_u8(c));
    }
    *open_quote = inq;
}

bool winargv_next(struct winargv_iter *it, char *out, size_t cap, size_t *full)
{
    struct wa_out o = { out, out != NULL ? cap : 0, 0, 0 };
    if (o.cap > 0)
        out[0] = '\0';
    if (full != NULL)
        *full = 0;
    it->open_quote = false;
    if (it->index == 0) {
        if (mw_left(&it->c) == 0)
            return false; /* empty line: no arguments (the API would invent the exe path) */
        program_name(&it->c, &o, &it->open_quote);
    } else {
        skip_ws(&it->c);
        if (mw_left(&it->c) == 0)
            return false;
        argument(&it->c, &o, &it->open_quote);
    }
    skip_ws(&it->c);
    it->index++;
    finish(&o);
    if (full != NULL)
        *full = o.full;
    return true;
}

void winargv_split(const char *s, size_t n, struct winargv *a)
{
    struct winargv_iter it;
    size_t used = 0;
    a->argc = 0;
    a->truncated = false;
    a->open_quote = false;
    a->text[0] = '\0';
    winargv_begin(&it, s, n);
    for (;;) {
        size_t full = 0, room = sizeof a->text - used;
        if (a->argc == WINARGV_MAX_ARGS || room == 0) {
            /* no room: learn whether anything was dropped, and drain */
            while (winargv_next(&it, NULL, 0, NULL)) {
                a->truncated = true;
                a->open_quote = a->open_quote || it.open_quote;
            }
            break;
        }
        char *dst = a->text + used;
        if (!winargv_next(&it, dst, room, &full))
            break;
        a->argv[a->argc++] = dst;
        a->open_quote = a->open_quote || it.open_quote;
        if (full >= room) {
            a->truncated = true; /* this one was cut: nothing more fits */
            used = sizeof a->text;
        } else {
            used += full + 1;
        }
    }
}
