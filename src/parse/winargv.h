/* winargv.h -- split a Windows command line into arguments the way the
 * program that receives it will (DESIGN.md section 5: "parse the command
 * line with Windows' own argv rules"). In: the CommandLine text of a process
 * event (Sysmon 1, Security 4688), as UTF-8 bytes with a length. Out: one
 * argument at a time into a buffer the caller owns (winargv_next), or up to
 * WINARGV_MAX_ARGS arguments in one fixed-size struct (winargv_split).
 * Nothing is allocated, nothing recurses, every read is bounds-checked.
 * Not here: what an argument means (msiexec.c), cmd.exe's rules (carets,
 * %VAR%, &, |): by the time a process event exists cmd.exe has done its work,
 * so a caret in CommandLine is an ordinary character.
 *
 * The rules, from CommandLineToArgvW (learn.microsoft.com/windows/win32/api/
 * shellapi/nf-shellapi-commandlinetoargvw) and the Microsoft C runtime
 * ("Parsing C++ command-line arguments", learn.microsoft.com/cpp/cpp/
 * main-function-command-line-args):
 *   argv[0], the program name: if it starts with a double quote it runs to
 *     the next double quote (or the end), otherwise to the next space or
 *     tab; no backslash processing. A line that starts with whitespace has
 *     an empty argv[0]. Whatever follows a closing quote starts argv[1],
 *     even without whitespace in between (CommandLineToArgvW; the C runtime
 *     would glue it onto argv[0]).
 *   every later argument: spaces and tabs outside quotes separate;
 *     2n backslashes + '"' give n backslashes and toggle quoting;
 *     2n+1 backslashes + '"' give n backslashes and a literal '"';
 *     backslashes not followed by '"' are literal;
 *     inside a quoted region '""' gives one literal '"' and quoting stays on.
 *     That last rule is the one the C runtime has used since 2008 (msvcr90,
 *     and today's UCRT: the row `a"b"" c d` -> `ab" c d` in the Microsoft
 *     table cited above; David Deley, "How Command Line Parameters Are
 *     Parsed", daviddeley.com/autohotkey/parameters/parameters.htm, section
 *     on the 2008 change). The older rule, which Wine's CommandLineToArgvW
 *     still models, ends quoting after the '""'. The two differ only for
 *     '""' inside a quoted region.
 *   an unterminated quote runs to the end of the line; NUL ends the line.
 * Carets, '%', '&', '|' and '<' '>' are ordinary characters here. */
#ifndef MW_PARSE_WINARGV_H
#define MW_PARSE_WINARGV_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"

/* winargv_split's bounds. 64 arguments cover every real msiexec line seen
 * (the longest public ones carry ~20 PROPERTY=value pairs); 8 KiB of text
 * covers those lines three times over. A Windows command line can be 32767
 * UTF-16 units, so a hostile one can exceed either bound: that is reported
 * (truncated), never overflowed. Callers that must not miss a late argument
 * (msiexec.c) use the iterator, which has no count limit. */
#define WINARGV_MAX_ARGS 64
#define WINARGV_MAX_TEXT 8192

/* Iterator over the arguments of one command line. */
struct winargv_iter {
    struct mw_cur c;
    unsigned index;  /* arguments returned so far (0: next one is argv[0]) */
    bool open_quote; /* the last argument returned ended inside a quote */
};

/* Start iterating over n bytes at s (stops at the first NUL, if any). */
void winargv_begin(struct winargv_iter *it, const char *s, size_t n);

/* Decode the next argument into out (cap bytes, NUL-terminated when cap > 0).
 * Returns false when there is no further argument. *full (may be NULL)
 * receives the decoded length the argument really has; full >= cap means the
 * copy was cut, always before a whole UTF-8 sequence, never inside one. The
 * iterator consumes the whole argument whatever cap is (cap 0 just skips). */
bool winargv_next(struct winargv_iter *it, char *out, size_t cap, size_t *full);

/* All arguments of one line, bounded. */
struct winargv {
    unsigned argc;                  /* arguments stored in argv */
    const char *argv[WINARGV_MAX_ARGS]; /* NUL-terminated, pointing into text */
    bool truncated;                 /* an argument was cut or dropped */
    bool open_quote;                /* the line ended inside a quote */
    char text[WINARGV_MAX_TEXT];
};

/* Split n bytes at s into *a. Arguments beyond WINARGV_MAX_ARGS, or beyond
 * the text buffer, are dropped (the one that hit the buffer end is kept, cut)
 * and a->truncated is set. */
void winargv_split(const char *s, size_t n, struct winargv *a);

#endif
