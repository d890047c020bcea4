/* msiexec.h -- the msiexec command-line classifier of DESIGN.md section 5.
 * In: one process-creation event's image path, OriginalFileName and
 * CommandLine (Sysmon 1, Security 4688), or the package source of an
 * MsiInstaller 1040/1042 event. Out: a verdict -- is it msiexec, is it a
 * suspicious run, which option and package made it so, and the destinations
 * (URL host or UNC server) that the correlator will look for on the wire.
 * A pure function over strings: no I/O, no allocation, no recursion, no
 * global state; every copy is bounded and every output string is valid UTF-8
 * (invalid bytes and control characters become \xNN, as in text.c).
 * Not here: the join, rarity, allowlists, severity (correlator), the argv
 * rules themselves (parse/winargv.c).
 *
 * How msiexec's options are read (what real msiexec accepts, with sources in
 * msiexec.c): an option starts with '/' or '-' (or the en dash, em dash or
 * horizontal bar that Sigma's "windash" modifier lists), in any case;
 * several options may share one argument ("-q/i", "/q-i", "-I-Q",
 * "/j/t" in Microsoft's own table); long names are /package /uninstall
 * /update /quiet /passive /norestart /forcerestart /promptrestart /log /help
 * /regserver /unregister /unregserver /unreg /embedding; one-letter options
 * are i a j[u|m] f[p|o|e|d|c|a|u|m|s|v] x p y z q[n|b|r|f][+|-|!]
 * l[i|w|e|a|r|u|c|m|o|p|v|x|+|!|*] t g n m @ c v h ?. An option that takes an
 * argument takes the rest of its own argument when that is not another
 * option ("/I{GUID}", "/ihttp://h/x.msi", accepted: ARP UninstallStrings are
 * written "MsiExec.exe /I{GUID}", and Wine/ReactOS msiexec takes the rest of
 * "/i..." and "/x..." as the package), otherwise the next command-line
 * argument that is not itself an option ("/i /qn http://h/x.msi" counts:
 * deliberately liberal, a detector must not be dodged by option order).
 * The arguments are split by CommandLineToArgvW's rules (parse/winargv.h);
 * msiexec itself tokenizes with simpler ones (quotes toggle, backslashes are
 * literal, as Wine's msiexec models it). The two disagree only where an
 * argument ends after a backslash-quote ("\\srv\s\dir\" /qn): the package
 * then swallows what follows, but its start -- scheme, host, share -- is the
 * same, and that is what the verdict and the destinations use.
 * Arguments that are neither options nor option arguments are PROPERTY=value
 * pairs (or noise): a URL there is not the package, except in TRANSFORMS= and
 * PATCH=, which msiexec fetches and applies like /t and /p.
 *
 * Suspicious (v->suspicious, with at least one reason) when the image is
 * msiexec and:
 *   - the argument of /i /package /a /j /f /p /update is a remote reference
 *     (msiexec_remote_source below); /x and /uninstall are never suspicious
 *     (DESIGN.md 5 lists install, admin, advertise, patch and repair only);
 *   - /y or /z is present, whatever follows it (even nothing);
 *   - a transform (/t, TRANSFORMS=) or PATCH= list names a remote reference.
 * Reasons, static strings in the order found, each at most once:
 *   remote-url-argument        http:// or https:// package
 *   ftp-argument               ftp:// package (Windows Installer 2.0 fetched
 *                              FTP; since XP and Server 2003 it uses HTTP,
 *                              HTTPS and FILE only -- Microsoft, "Downloading
 *                              an Installation from the Internet" -- so expect
 *                              no fetch on the wire, only the attempt)
 *   unc-argument               UNC path fetched over SMB (\\host\share\...,
 *                              //host/share, \\?\UNC\, \\.\UNC\, \??\UNC\,
 *                              \\?\GLOBALROOT\Device\Mup\, file://host/...)
 *   webdav-argument            UNC path fetched by the WebDAV redirector
 *                              (\\host@SSL\, \\host@port\, \DavWWWRoot\)
 *   dll-register-argument      /y (DllRegisterServer of any file)
 *   dll-unregister-argument    /z (DllUnregisterServer of any file)
 *   remote-transform-argument  /t or TRANSFORMS= with a remote element
 *   remote-patch-argument      PATCH= with a remote element
 *   renamed-msiexec            added to a suspicious verdict when the image
 *                              name is not msiexec but OriginalFileName is
 * A verdict with no reason is not suspicious, and one that is not msiexec has
 * neither reasons nor destinations (a cmd.exe or powershell.exe parent that
 * carries the msiexec line is context, not an alert). */
#ifndef MW_MSIEXEC_H
#define MW_MSIEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSIEXEC_PACKAGE_MAX 2048
#define MSIEXEC_HOST_MAX 256   /* a DNS name is at most 253 bytes */
#define MSIEXEC_SHARE_MAX 256  /* SMB share names are at most 80 characters */
#define MSIEXEC_PATH_MAX 2048
#define MSIEXEC_MAX_REASONS 12 /* room for every reason string at once (there are 9) */
#define MSIEXEC_MAX_DEST 4     /* package, transform, patch list: more is noise */

/* Where a remote reference points: what the correlator matches against HTTP
 * Host, TLS SNI, SMB tree server, WebDAV requests, DNS answers.
 *   scheme: "http" "https" "ftp" (URLs); "smb" (a UNC path, or a file:// URL
 *     to a remote host, fetched over SMB -- Windows may fall back to WebDAV
 *     when SMB fails, so the correlator should accept either); "webdav" (a
 *     UNC path with @SSL, @port or DavWWWRoot; ssl says whether it is HTTPS).
 *   host: lower case ASCII; an IPv6 literal without brackets (both
 *     "http://[::1]:8080/" and "\\fe80--1s4.ipv6-literal.net\" become "::1"
 *     and "fe80::1%4"); an IPv4 literal in dotted-quad form even when
 *     written otherwise ("http://3232235777/" -> "192.168.1.1"). Non-ASCII
 *     bytes are kept (an IDN is not converted to punycode).
 *   port: as written (@8080, :8080); 0 = the scheme's default (80, 443, 21,
 *     445; 443 for webdav with ssl, else 80).
 *   share: the UNC share ("" for URLs).
 *   path: URLs: the path and query as written, from the first '/' (or '\'),
 *     "/" when empty. smb: the path below the share, with '\' separators and
 *     no leading one (what SMB2 CREATE carries). webdav: the HTTP path the
 *     redirector will request ('/' separators, a leading \DavWWWRoot
 *     removed: \\h@SSL\DavWWWRoot\x.msi -> "/x.msi", \\h@SSL\s\x.msi ->
 *     "/s/x.msi"). */
struct msiexec_dest {
    char scheme[8];
    char host[MSIEXEC_HOST_MAX];
    uint16_t port;
    bool ssl;
    char share[MSIEXEC_SHARE_MAX];
    char path[MSIEXEC_PATH_MAX];
};

struct msiexec_verdict {
    bool is_msiexec; /* image basename msiexec.exe (any case), or OriginalFileName
                        msiexec.exe or msiexec.exe.mui (both occur in real
                        builds); false when OriginalFileName names another
                        program (something else renamed msiexec.exe) */
    bool renamed;    /* OriginalFileName is msiexec.exe, the image name is not */
    bool suspicious;
    bool truncated;  /* an argument was longer than the classifier's buffers;
                        the verdict is made on its first bytes */
    char action;     /* of the package below: 'i' (/i /package), 'a', 'j', 'f',
                        'x' (/x /uninstall), 'p' (/p /update), 'y', 'z'; 0 none */
    char package[MSIEXEC_PACKAGE_MAX]; /* the argument of that action ("" if none) */
    const char *reasons[MSIEXEC_MAX_REASONS];
    unsigned nreasons;
    bool has_dest;   /* ndest > 0 */
    unsigned ndest;
    /* dest[0] is the package's destination when the package is remote; then
     * any remote transform or patch, in command-line order, without repeats. */
    struct msiexec_dest dest[MSIEXEC_MAX_DEST];
};

/* Classify one process event. image (full path), original_file_name and
 * cmdline may each be NULL or empty; with no image the program name is taken
 * from argv[0] of cmdline. Which action becomes v->action/v->package: the
 * first one whose argument is remote, else the first /y or /z, else the
 * first action at all. */
void msiexec_classify(const char *image, const char *original_file_name, const char *cmdline,
                      struct msiexec_verdict *v);

/* Is this package reference remote? For MsiInstaller 1040/1042 package
 * sources and for the classifier itself. Surrounding blanks and one pair of
 * double quotes are ignored. On true, *d (may be NULL) is filled and *reason
 * (may be NULL) is one of remote-url-argument, ftp-argument, unc-argument,
 * webdav-argument. Local paths, relative names, product codes, file:/// and
 * \\?\C:\ paths and UNC paths to localhost, 127.0.0.1 or ::1 are not remote;
 * a URL is remote whatever its host (a loopback web server can be a tunnel). */
bool msiexec_remote_source(const char *package, struct msiexec_dest *d, const char **reason);

/* The action letter as a word for records: install, admin, advertise,
 * repair, uninstall, patch, register (/y), unregister (/z); "none". */
const char *msiexec_action_name(char action);

/* The same over n bytes (need not be NUL-terminated). */
bool msiexec_remote_sourcen(const char *p, size_t n, struct msiexec_dest *d, const char **reason);

#endif
