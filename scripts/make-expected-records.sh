#!/bin/bash
# make-expected-records.sh -- regenerate tests/expected/records/ with tshark:
# one file per capture of pcaps/ (name.tsv), of the lab recordings in
# pcaps/lab/ (lab--name.tsv) and of ../shared/pcaps
# (shared--<path with / as -->.tsv), by scripts/tshark-records.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/expected/records
mkdir -p "$out"
for f in pcaps/*.pcap pcaps/*.pcapng; do
    case "$f" in *gen-truncated*|*gen-badlen*|*gen-user0*|*not-a-capture*) continue;; esac
    scripts/tshark-records.sh "$f" > "$out/$(basename "$f").tsv"
done
for f in pcaps/lab/*.pcap; do
    scripts/tshark-records.sh "$f" > "$out/lab--$(basename "$f").tsv"
done
if [ -d ../shared/pcaps ]; then
    (cd ../shared/pcaps && find . -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sed 's|^\./||' | sort) |
    while read -r f; do
        scripts/tshark-records.sh "../shared/pcaps/$f" > "$out/shared--${f//\//--}.tsv"
    done
fi
