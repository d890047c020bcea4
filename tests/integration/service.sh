#!/bin/bash
# service.sh -- packaging (issue 8): make install into a staging directory
# (DESTDIR) puts the binary, the systemd unit, the man page, the sample
# configuration and the forwarding recipes where configure said; the installed unit names the
# installed binary and configuration and passes systemd-analyze verify
# without a message; an edited configuration survives a second install and
# uninstall removes only an unchanged one.
. "$(dirname "$0")/lib.sh"

if [ -z "${TOP_BUILDDIR:-}" ] || [ ! -f "$TOP_BUILDDIR/Makefile" ]; then
    skip "make install" "run through make check (TOP_BUILDDIR is the build tree)"
    done_testing
fi
ST=$TMP/stage
# mk TARGET: make in the build tree, quietly, alone (not in make check's jobserver)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$TOP_BUILDDIR" "$@" DESTDIR="$ST" >"$TMP/mk.log" 2>&1; }

check "make install DESTDIR=stage succeeds" mk install || diag "$(tail -n 20 "$TMP/mk.log")"
BIN=$ST$MW_BINDIR/msiwatch
CONF=$ST$MW_SYSCONFDIR/msiwatch/msiwatch.conf
MAN=$ST$MW_MANDIR/man8/msiwatch.8
expect_eq "the installed binary runs" "$("$BIN" --version 2>&1 | cut -d' ' -f1)" "msiwatch"
expect_eq "the sample configuration is $MW_SYSCONFDIR/msiwatch/msiwatch.conf, unchanged" \
    "$(cmp "$TESTS_DIR/../etc/msiwatch.conf" "$CONF" 2>&1 && echo same)" "same"
check "the allowlist sample is beside it" cmp "$TESTS_DIR/../etc/allowlist.sample" "$ST$MW_SYSCONFDIR/msiwatch/allowlist.sample"
check "the man page is $MW_MANDIR/man8/msiwatch.8" cmp "$TESTS_DIR/../doc/msiwatch.8" "$MAN"
expect_eq "the forwarding recipes are in $MW_DOCDIR/forwarders" \
    "$(cd "$ST$MW_DOCDIR/forwarders" 2>/dev/null && for f in *; do cmp -s "$f" "$TESTS_DIR/../etc/forwarders/$f" && echo "$f"; done | tr '\n' ' ')" \
    "$(cd "$TESTS_DIR/../etc/forwarders" && ls | tr '\n' ' ')"
check "the installed configuration is accepted by the installed binary" \
    "$BIN" -c "$CONF" -r "$PCAPS/lab/http-msi.pcap" -s :memory: -o "$TMP/a.json"

if [ -z "$MW_UNITDIR" ]; then
    skip "systemd unit" "configured --without-systemdsystemunitdir"
else
    UNIT=$ST$MW_UNITDIR/msiwatch.service
    check "the unit is $MW_UNITDIR/msiwatch.service" test -f "$UNIT"
    expect_eq "the unit starts the installed binary with the installed configuration" \
        "$(grep '^ExecStart=' "$UNIT")" "ExecStart=$MW_BINDIR/msiwatch -c $MW_SYSCONFDIR/msiwatch/msiwatch.conf"
    expect_eq "the unit reloads with SIGHUP" "$(grep '^ExecReload=' "$UNIT")" 'ExecReload=/bin/kill -HUP $MAINPID'
    expect_eq "capabilities: packet capture only" \
        "$(grep -E '^(CapabilityBoundingSet|AmbientCapabilities)=' "$UNIT" | tr '\n' ' ')" \
        "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN "
    expect_eq "hardening settings" \
        "$(grep -E '^(NoNewPrivileges|PrivateTmp|ProtectSystem|ProtectHome|StateDirectory|LogsDirectory|RestrictAddressFamilies|SystemCallFilter|DynamicUser)=' "$UNIT" | sort | tr '\n' ' ')" \
        "DynamicUser=yes LogsDirectory=msiwatch NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes ProtectSystem=strict RestrictAddressFamilies=AF_PACKET AF_NETLINK AF_INET AF_INET6 AF_UNIX StateDirectory=msiwatch SystemCallFilter=@system-service "
    if command -v systemd-analyze >/dev/null 2>&1; then
        # verify checks that the binary exists: point the copy at the staged one;
        # it checks Documentation=man:msiwatch(8) with man, given the staged page
        mkdir -p "$TMP/verify"
        sed "s|^ExecStart=$MW_BINDIR/|ExecStart=$ST$MW_BINDIR/|" "$UNIT" >"$TMP/verify/msiwatch.service"
        if command -v man >/dev/null 2>&1; then manopt=--man=yes; else manopt=--man=no; fi
        out=$(MANPATH=$ST$MW_MANDIR systemd-analyze verify "$manopt" "$TMP/verify/msiwatch.service" 2>&1)
        rc=$?
        expect_eq "systemd-analyze verify: no error, no warning" "$rc:$out" "0:"
    else
        skip "systemd-analyze verify" "systemd-analyze is not installed"
    fi
fi

echo "# edited by the test" >>"$CONF"
check "a second make install succeeds" mk install
expect_eq "an edited configuration is kept by make install" "$(tail -n1 "$CONF")" "# edited by the test"
check "make uninstall succeeds" mk uninstall
expect_eq "uninstall keeps the edited configuration and removes the rest" \
    "$(cd "$ST" && find . -type f | sort | tr '\n' ' ')" "./${MW_SYSCONFDIR#/}/msiwatch/msiwatch.conf "

done_testing
