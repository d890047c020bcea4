#!/bin/bash
# manpage.sh -- doc/msiwatch.8 cannot fall behind the program: every long
# option of src/options.c has its own entry (a .TP header line) in the man
# page and every option the page documents exists (and each is in README.md
# and, as a key, in etc/msiwatch.conf); the page renders with groff without
# a warning, and through man -l.
. "$(dirname "$0")/lib.sh"

SRC=$TESTS_DIR/..
PAGE=$SRC/doc/msiwatch.8
# the long options: the rows of longopts[] in src/options.c
opts=$(sed -n '/^static const struct option longopts/,/^};/p' "$SRC/src/options.c" |
    sed -n 's/^ *{ "\([a-z0-9-]*\)",.*/\1/p')
expect_eq "the option table of src/options.c is found" "$(echo "$opts" | grep -c .) $(echo "$opts" | head -n1)" \
    "$(grep -c '^    { "[a-z]' "$SRC/src/options.c") read"
# the entries of the page: the options named on .B/.BI/.BR lines, \- as -
entries=$(sed 's/\\-/-/g' "$PAGE" | grep -E '^\.(B|BI|BR) ' | grep -oE -- '--[a-z0-9-]+' | sed 's/^--//' | sort -u)
missing=$(comm -23 <(echo "$opts" | sort -u) <(echo "$entries"))
expect_eq "every long option of src/options.c has an entry in msiwatch(8)" "$missing" ""
extra=$(comm -13 <(echo "$opts" | sort -u) <(echo "$entries"))
expect_eq "every option msiwatch(8) documents exists" "$extra" ""
for o in $opts; do
    grep -qE -- "--$o([^a-z0-9-]|\$)" "$SRC/README.md" || echo "$o"
done >"$TMP/readme-missing"
expect_eq "every long option is in README.md too" "$(cat "$TMP/readme-missing")" ""
for o in $opts; do
    case $o in config | help | version) continue ;; esac # not settings
    grep -qE "^[#;]? *$o *=" "$SRC/etc/msiwatch.conf" || echo "$o"
done >"$TMP/conf-missing"
expect_eq "every setting is a key of the sample etc/msiwatch.conf" "$(cat "$TMP/conf-missing")" ""

if command -v groff >/dev/null 2>&1; then
    out=$(groff -man -Tutf8 -ww -z "$PAGE" 2>&1)
    expect_eq "groff -man -Tutf8 -ww: no warning" "$?:$out" "0:"
    groff -man -Tutf8 "$PAGE" 2>/dev/null | sed 's/.\x08//g' >"$TMP/page.txt"
    expect_eq "rendered: the NAME line" "$(grep -m1 -A1 '^NAME' "$TMP/page.txt" | tail -n1 | tr -s ' ' | sed 's/^ //')" \
        "msiwatch - network sensor for msiexec fetching remote packages (MITRE"
    expect_eq "rendered: the sections" \
        "$(grep -E '^[A-Z][A-Z ]+$' "$TMP/page.txt" | tr '\n' ',')" \
        "NAME,SYNOPSIS,DESCRIPTION,OPTIONS,CONFIGURATION FILE,SIGNALS,FILES,ENVIRONMENT,EXIT STATUS,EXAMPLES,SEE ALSO,"
else
    skip "groff renders the page" "groff is not installed"
fi
if command -v man >/dev/null 2>&1; then
    out=$(MANWIDTH=80 man --warnings -l "$PAGE" 2>&1 >"$TMP/man.txt")
    expect_eq "man -l renders it without a message" "$?:$out:$(grep -c '^SIGNALS$' "$TMP/man.txt")" "0::1"
else
    skip "man -l" "man is not installed"
fi
done_testing
