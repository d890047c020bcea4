/* test_winevent.c -- parse/winevent.c against the real event samples in
 * tests/data/events (see its PROVENANCE.md): every sample becomes the
 * expected endpoint record, field by field; the events we do not keep come
 * back IGNORED (before full parsing); hostile input comes back MALFORMED
 * (cut short at every length, invalid UTF-8, entity bombs, a 1 MB line,
 * garbage, deep nesting); times and zones; the XML file splitter, fed whole
 * and in chunks of every size. Sample files are read at run time from
 * $TESTS_DIR/data/events (TESTS_DIR defaults to "tests"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/winevent.h"
#include "tap.h"

static struct rec_endpoint rec; /* 20 KiB: not on the stack */

/* ---- files ------------------------------------------------------------------ */

static char *slurp(const char *rel, size_t *n)
{
    const char *dir = getenv("TESTS_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/events/%s", dir && dir[0] ? dir : "tests", rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        printf("# cannot open %s\n", path);
        *n = 0;
        return NULL;
    }
    char *b = NULL;
    size_t len = 0, cap = 0, k;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(b, cap + 1);
            if (nb == NULL) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
        }
        k = fread(b + len, 1, cap - len, f);
        len += k;
    } while (k > 0);
    fclose(f);
    b[len] = '\0';
    *n = len;
    return b;
}

/* Line `line` (1-based) of a file as a heap copy of exactly its size, so
 * that AddressSanitizer sees an over-read; line 0: the whole file. */
static char *sample(const char *rel, int line, size_t *n)
{
    size_t len;
    char *b = slurp(rel, &len);
    if (b == NULL)
        return NULL;
    char *p = b, *e = b + len;
    if (line > 0) {
        for (int i = 1; i < line && p < e; i++) {
            char *nl = memchr(p, '\n', (size_t)(e - p));
            p = nl ? nl + 1 : e;
        }
        char *nl = memchr(p, '\n', (size_t)(e - p));
        e = nl ? nl : e;
    }
    *n = (size_t)(e - p);
    char *c = malloc(*n ? *n : 1);
    if (c)
        memcpy(c, p, *n);
    free(b);
    return c;
}

/* ---- expected records ------------------------------------------------------- */

/* What a sample must give. Strings left NULL must come out empty; numbers
 * left 0 must be absent (pid, ppid, ports; sig: 1 signed, 2 unsigned). */
struct want {
    const char *name, *file;
    int line;
    long offset;
    unsigned code;
    const char *provider, *format, *host, *host_ip;
    uint64_t ts;
    const char *guid;
    long long pid;
    const char *image, *cmdline, *pguid;
    long long ppid;
    const char *pimage, *ofn, *user, *dll;
    int sig;
    const char *sigstatus, *src;
    int sport;
    const char *dst;
    int dport;
    const char *domain, *qr, *package, *product;
};

#define S(x) ((x) ? (x) : "")

static void check_addr(bool has, const struct mw_addr *a, const char *want)
{
    char buf[64];
    CHECK_EQ(has, want != NULL);
    if (has && want)
        CHECK_STR(mw_addr_str(a, buf, sizeof buf), want);
}

static void check_rec(const struct rec_endpoint *r, const struct want *w, uint64_t recv)
{
    CHECK_EQ(r->code, w->code);
    CHECK_STR(r->provider, w->provider);
    CHECK_STR(r->format, w->format);
    CHECK_STR(r->host, S(w->host));
    check_addr(r->has_host_ip, &r->host_ip, w->host_ip);
    CHECK_U64(r->recv_us, recv);
    CHECK_U64(r->ts_us, w->ts ? w->ts : recv);
    CHECK_EQ(r->ts_is_receive, w->ts == 0);
    CHECK_STR(r->guid, S(w->guid));
    CHECK_EQ(r->has_pid, w->pid != 0);
    CHECK_EQ(r->pid, w->pid);
    CHECK_STR(r->image, S(w->image));
    CHECK_STR(r->cmdline, S(w->cmdline));
    CHECK_STR(r->parent_guid, S(w->pguid));
    CHECK_EQ(r->has_ppid, w->ppid != 0);
    CHECK_EQ(r->ppid, w->ppid);
    CHECK_STR(r->parent_image, S(w->pimage));
    CHECK_STR(r->original_file_name, S(w->ofn));
    CHECK_STR(r->user, S(w->user));
    CHECK_STR(r->dll_path, S(w->dll));
    CHECK_EQ(r->has_signed, w->sig != 0);
    CHECK_EQ(r->dll_signed, w->sig == 1);
    CHECK_STR(r->signature_status, S(w->sigstatus));
    check_addr(r->has_src_ip, &r->src_ip, w->src);
    CHECK_EQ(r->src_port, w->sport);
    check_addr(r->has_dst_ip, &r->dst_ip, w->dst);
    CHECK_EQ(r->dst_port, w->dport);
    CHECK_STR(r->dst_domain, S(w->domain));
    CHECK_STR(r->query_results, S(w->qr));
    CHECK_STR(r->package, S(w->package));
    CHECK_STR(r->product, S(w->product));
    CHECK_STR(r->syslog_host, "");
}

#define SYSMON "Microsoft-Windows-Sysmon"
#define SEC "Microsoft-Windows-Security-Auditing"
#define NXLOG "format_samples/nxlog_im_msvistalog_json_via_wef_logstash__otrf_covenant_com_wsman_automation.jsonl"
#define FLAT "format_samples/flattened_json_2023__otrf_lsass_campaign_01.jsonl"
#define AZURE "format_samples/azure_syslog_table_sysmon_for_linux_xml__otrf_log4shell.jsonl"
#define RSYSLOG "format_samples/snare_over_syslog_sysmon__rsyslog_mmsnareparse_test.txt"
#define HHC "format_samples/snare_sysmon__sans_hhc2019_writeup.txt"
#define L4S "otrf_security_datasets/syslog_sysmon_log4shell_cve2021_44228_jndi_reference.trimmed.json"
#define NOISE "otrf_security_datasets/LSASS_campaign_01_noise_sample.trimmed.jsonl"
#define EVTX "evtx_attack_samples/Exec_sysmon_meterpreter_reversetcp_msipackage.xml"

static const struct want samples[] = {
    /* NXLog im_msvistalog JSON via WEF and Logstash (OTRF covenant_com_wsman_automation) */
    { .name = "nxlog sysmon 3", .file = NXLOG, .line = 1, .code = 3, .provider = SYSMON, .format = "nxlog",
      .host = "MORDORDC.theshire.local", .ts = 1602563091699000, .guid = "029F9482-BFB1-5F84-5300-000000000400",
      .pid = 3712, .image = "C:\\Windows\\System32\\dns.exe", .user = "NT AUTHORITY\\SYSTEM", .src = "172.18.38.5",
      .sport = 53, .dst = "172.18.39.5", .dport = 60397 },
    { .name = "nxlog sysmon 7", .file = NXLOG, .line = 2, .code = 7, .provider = SYSMON, .format = "nxlog",
      .host = "MORDORDC.theshire.local", .ts = 1602563095765000, .guid = "029F9482-C16A-5F84-EB00-000000000400",
      .pid = 3456, .image = "C:\\Windows\\System32\\svchost.exe", .ofn = "wmidcom.dll",
      .dll = "C:\\Windows\\System32\\wmidcom.dll", .sig = 1, .sigstatus = "Valid" },
    { .name = "nxlog sysmon 1", .file = NXLOG, .line = 3, .code = 1, .provider = SYSMON, .format = "nxlog",
      .host = "WORKSTATION6.theshire.local", .ts = 1602563188712000, .guid = "37C5A1B2-2C74-5F85-3203-000000000400",
      .pid = 2440, .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
      .cmdline = "C:\\windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
      .pguid = "37C5A1B2-C0C9-5F84-1000-000000000400", .ppid = 924, .pimage = "C:\\Windows\\System32\\svchost.exe",
      .ofn = "Wmiprvse.exe", .user = "NT AUTHORITY\\NETWORK SERVICE" },
    /* EventTime is the collector's local time (UTC-4 here, see UtcTime of line 3): offset 0 takes it as UTC */
    { .name = "nxlog 4688, offset 0", .file = NXLOG, .line = 4, .code = 4688, .provider = SEC, .format = "nxlog",
      .host = "WORKSTATION6.theshire.local", .ts = 1602548788000000, .pid = 0x988,
      .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
      .cmdline = "C:\\windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", .ppid = 0x39c,
      .pimage = "C:\\Windows\\System32\\svchost.exe", .user = "THESHIRE\\WORKSTATION6$" },
    { .name = "nxlog 4688, offset -04:00", .file = NXLOG, .line = 4, .offset = -4 * 3600, .code = 4688,
      .provider = SEC, .format = "nxlog", .host = "WORKSTATION6.theshire.local", .ts = 1602563188000000,
      .pid = 0x988, .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
      .cmdline = "C:\\windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", .ppid = 0x39c,
      .pimage = "C:\\Windows\\System32\\svchost.exe", .user = "THESHIRE\\WORKSTATION6$" },
    { .name = "nxlog sysmon 22, offset ignored (UtcTime)", .file = NXLOG, .line = 5, .offset = -4 * 3600, .code = 22,
      .provider = SYSMON, .format = "nxlog", .host = "WORKSTATION5.theshire.local", .ts = 1602563187194000,
      .guid = "71B87C12-D7E5-5F84-0D01-000000000500", .pid = 3356,
      .image = "C:\\Users\\pgustavo\\Desktop\\GruntHTTP.exe", .domain = "workstation6", .qr = "::ffff:172.18.39.6;" },
    /* OTRF flattened JSON 2023 (LSASS_campaign_01) */
    { .name = "flat 4688", .file = FLAT, .line = 1, .code = 4688, .provider = SEC, .format = "flat-json",
      .host = "MKT01.pandalab.com", .ts = 1692093228447000, .pid = 0x1d18,
      .image = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
      .cmdline = "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=Default",
      .ppid = 0x11c0, .pimage = "C:\\Windows\\explorer.exe", .user = "PANDALAB\\stevie.marie" },
    { .name = "flat sysmon 7", .file = FLAT, .line = 2, .code = 7, .provider = SYSMON, .format = "flat-json",
      .host = "MKT01.pandalab.com", .ts = 1692161628177000, .guid = "81056205-5655-64DC-2104-000000000800",
      .pid = 7848, .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", .ofn = "filterLib.dll",
      .user = "NT AUTHORITY\\NETWORK SERVICE", .dll = "C:\\Windows\\System32\\fltLib.dll", .sig = 1,
      .sigstatus = "Valid" },
    { .name = "flat sysmon 1", .file = FLAT, .line = 3, .code = 1, .provider = SYSMON, .format = "flat-json",
      .host = "MKT01.pandalab.com", .ts = 1692161628446000, .guid = "81056205-565C-64DC-2304-000000000800",
      .pid = 7448, .image = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
      .cmdline = "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=Default",
      .pguid = "81056205-D124-64D4-6A00-000000000800", .ppid = 4544, .pimage = "C:\\Windows\\explorer.exe",
      .ofn = "msedge.exe", .user = "PANDALAB\\stevie.marie" },
    { .name = "flat sysmon 3", .file = FLAT, .line = 4, .code = 3, .provider = SYSMON, .format = "flat-json",
      .host = "MKT01.pandalab.com", .ts = 1691678352046000, .guid = "81056205-D0F7-64D4-1B00-000000000800",
      .pid = 1048, .image = "C:\\Windows\\System32\\svchost.exe", .user = "NT AUTHORITY\\NETWORK SERVICE",
      .src = "192.168.1.41", .sport = 63829, .dst = "192.168.1.4", .dport = 53 },
    { .name = "flat sysmon 22", .file = FLAT, .line = 5, .code = 22, .provider = SYSMON, .format = "flat-json",
      .host = "MKT01.pandalab.com", .ts = 1691678372363000, .guid = "81056205-5668-64DC-2B04-000000000800",
      .pid = 3656, .image = "C:\\Windows\\system32\\BackgroundTaskHost.exe", .user = "PANDALAB\\stevie.marie",
      .domain = "DC01.pandalab.com", .qr = "::ffff:192.168.1.4;" },
    /* Sysmon for Linux XML in Azure Monitor's Syslog table (OTRF Log4Shell) */
    { .name = "azure linux-sysmon 3", .file = AZURE, .line = 2, .code = 3, .provider = "Linux-Sysmon",
      .format = "azure-syslog", .host = "UBUNTU5", .host_ip = "192.168.2.5", .ts = 1652292620472000,
      .guid = "94325212-F5AA-627B-082B-60E4B9550000", .pid = 1774, .image = "/opt/microsoft/mdatp/sbin/wdavdaemon",
      .user = "root", .src = "192.168.2.5", .sport = 51492, .dst = "104.46.127.225", .dport = 443 },
    { .name = "log4shell: java to the LDAP server", .file = L4S, .line = 6, .code = 3, .provider = "Linux-Sysmon",
      .format = "azure-syslog", .host = "UBUNTU5", .host_ip = "192.168.2.5", .ts = 1652292621790000,
      .guid = "94325212-F5A5-627B-B809-87F375550000", .pid = 1340,
      .image = "/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java", .user = "tomcat", .src = "192.168.2.5",
      .sport = 41696, .dst = "192.168.2.6", .dport = 1389 },
    { .name = "log4shell: bash -i", .file = L4S, .line = 9, .code = 1, .provider = "Linux-Sysmon",
      .format = "azure-syslog", .host = "UBUNTU5", .host_ip = "192.168.2.5", .ts = 1652292622018000,
      .guid = "94325212-FC0E-627B-4804-97A36D550000", .pid = 17794, .image = "/bin/bash", .cmdline = "bash -i",
      .pguid = "94325212-FC0D-627B-4874-61F901560000", .ppid = 17790, .pimage = "/bin/bash", .ofn = "-",
      .user = "tomcat" },
    /* Winlogbeat golden files (a one-element JSON array, pretty-printed) */
    { .name = "winlogbeat sysmon 1", .file = "format_samples/winlogbeat_ecs_sysmon_processcreate.golden.json",
      .code = 1, .provider = SYSMON, .format = "winlogbeat", .host = "vagrant", .ts = 1603828814320000,
      .guid = "9F32B55F-7C4E-5F98-5803-000000000500", .pid = 3616, .image = "C:\\Windows\\System32\\notepad.exe",
      .cmdline = "\"C:\\Windows\\system32\\notepad.exe\" ", .pguid = "9F32B55F-6FDF-5F98-7000-000000000500",
      .ppid = 4212, .pimage = "C:\\Windows\\explorer.exe", .ofn = "NOTEPAD.EXE", .user = "VAGRANT\\vagrant" },
    { .name = "winlogbeat sysmon 7", .file = "format_samples/winlogbeat_ecs_sysmon_loadimage.golden.json",
      .code = 7, .provider = SYSMON, .format = "winlogbeat", .host = "vagrant", .ts = 1603852766374000,
      .guid = "9F32B55F-D9DE-5F98-F006-000000000600", .pid = 5184, .image = "C:\\Windows\\System32\\dllhost.exe",
      .ofn = "IdStore.dll", .dll = "C:\\Windows\\System32\\IDStore.dll", .sig = 1, .sigstatus = "Valid" },
    /* OpenWEC Json */
    { .name = "openwec 4688", .file = "format_samples/openwec_json_4688_example.json", .code = 4688,
      .provider = SEC, .format = "openwec", .host = "win10.windomain.local", .host_ip = "192.168.58.100",
      .ts = 1671034011064360, .pid = 0x3a8,
      .image = "C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe", .ppid = 0x240,
      .pimage = "C:\\Windows\\System32\\services.exe", .user = "WINDOMAIN\\WIN10$" },
    /* rendered XML, one line */
    { .name = "xml sysmon 3", .file = "format_samples/rendered_xml_single_line_sysmon3__empire_writeup.xml",
      .code = 3, .provider = SYSMON, .format = "xml", .host = "WIN-40TITGP9BI7", .ts = 1606955205094000,
      .guid = "84453EAB-30C2-5FC8-D2B6-080200000000", .pid = 2924,
      .image = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", .user = "WIN-40TITGP9BI7\\IEuser",
      .src = "192.168.254.47", .sport = 51653, .dst = "192.168.254.46", .dport = 80 },
    /* Splunk key=value */
    { .name = "kv sysmon 3", .file = "format_samples/splunk_wineventlog_kv_sysmon3__htb_writeup.txt", .code = 3,
      .provider = SYSMON, .format = "kv", .host = "DESKTOP-EGSS5IS.uniwaldo.local", .ts = 1667935596487000,
      .guid = "96192A2A-AD68-636A-2905-000000000D00", .pid = 4352,
      .image = "C:\\Users\\waldo\\Downloads\\SharpHound.exe", .user = "NT AUTHORITY\\SYSTEM", .src = "10.0.0.253",
      .sport = 52731, .dst = "10.0.0.81", .dport = 3268 },
    /* Snare: a GUID with non-hex digits (hand-edited by the rsyslog test's author) is dropped */
    { .name = "snare sysmon 1 (rsyslog test)", .file = RSYSLOG, .line = 1, .code = 1, .provider = SYSMON,
      .format = "snare", .host = "DC-01", .ts = 1714342102025000, .guid = "B34FBF9A-CE67-6A14-1111-1121F0A06F11",
      .pid = 6228, .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
      .cmdline = "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", .ppid = 580,
      .pimage = "C:\\Windows\\System32\\svchost.exe", .ofn = "Wmiprvse.exe", .user = "CORP\\NETWORK SERVICE" },
    { .name = "snare sysmon 3 (rsyslog test)", .file = RSYSLOG, .line = 2, .code = 3, .provider = SYSMON,
      .format = "snare", .host = "SQL-01", .ts = 1493417542557000, .pid = 13220,
      .image = "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe", .user = "LAB\\Administrator",
      .src = "10.0.0.20", .sport = 3328, .dst = "192.168.1.20", .dport = 3389 },
    { .name = "snare sysmon 1 (HHC 2019)", .file = HHC, .line = 1, .code = 1, .provider = SYSMON, .format = "snare",
      .host = "elfu-res-wks1", .ts = 1574169855595000, .guid = "BA5C6BBB-ECFF-5DD3-0000-0010AE583300", .pid = 1864,
      .image = "C:\\Windows\\SysWOW64\\WindowsPowerShell\\v1.0\\powershell.exe",
      .cmdline = "C:\\Windows\\system32\\cmd.exe /c \"whoami \"", .pguid = "BA5C6BBB-ECF2-5DD3-0000-001086363300",
      .ppid = 5256, .pimage = "C:\\Users\\minty\\Downloads\\cookie_recipe.exe", .ofn = "PowerShell.EXE",
      .user = "ELFU-RES-WKS1\\minty" },
    /* the noise sample: its first 4688 */
    { .name = "lsass noise 4688", .file = NOISE, .line = 1, .code = 4688, .provider = SEC, .format = "flat-json",
      .host = "MKT01.pandalab.com", .ts = 1692093228447000, .pid = 0x1d18,
      .image = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
      .cmdline = "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=Default",
      .ppid = 0x11c0, .pimage = "C:\\Windows\\explorer.exe", .user = "PANDALAB\\stevie.marie" },
    /* MsiInstaller (see msiinstaller/ in PROVENANCE.md: transcribed or constructed) */
    { .name = "xml msi 1040 (picoCTF)", .file = "msiinstaller/xml_1040_picoctf_writeup.xml", .code = 1040,
      .provider = "MsiInstaller", .format = "xml", .host = "DESKTOP-EKVR84B", .ts = 1721058955970787, .pid = 9004,
      .package = "C:\\Users\\user\\Desktop\\Totally_Legit_Software.msi" },
    { .name = "xml msi 1042 unc", .file = "msiinstaller/constructed_xml_1042_unc.xml", .code = 1042,
      .provider = "MsiInstaller", .format = "xml", .host = "WKS01.example.local", .ts = 1721058961234567,
      .pid = 9004, .package = "\\\\fileserver.example.local\\deploy$\\agent&tools.msi" },
    { .name = "nxlog msi 1040 unc, offset +02:00", .file = "msiinstaller/constructed_nxlog_1040_unc.jsonl", .line = 1,
      .offset = 2 * 3600, .code = 1040, .provider = "MsiInstaller", .format = "nxlog", .host = "WKS01.example.local",
      .ts = 1721058955000000, .pid = 9004, .package = "\\\\fileserver.example.local\\deploy$\\agent. v2.msi" },
    { .name = "winlogbeat msi 1042 url", .file = "msiinstaller/constructed_winlogbeat_1042_url.json", .code = 1042,
      .provider = "MsiInstaller", .format = "winlogbeat", .host = "WKS01.example.local", .host_ip = "192.0.2.10",
      .ts = 1721058960123000, .pid = 9004, .package = "https://downloads.example.com/agent/setup.msi" },
    { .name = "openwec msi 1040 product code", .file = "msiinstaller/constructed_openwec_1040_product_code.json",
      .code = 1040, .provider = "MsiInstaller", .format = "openwec", .host = "WKS01.example.local",
      .host_ip = "192.0.2.10", .ts = 1721058601123456, .pid = 4520,
      .product = "{3D3C3833-DED6-4022-B5A1-E7F37789C390}" },
    { .name = "kv msi 1040 url", .file = "msiinstaller/constructed_kv_1040_url.txt", .code = 1040,
      .provider = "MsiInstaller", .format = "kv", .host = "WKS01.example.local", .ts = 1721058955000000,
      .pid = 9004, .package = "https://downloads.example.com/agent/setup.msi" },
    { .name = "snare msi 1042", .file = "msiinstaller/constructed_snare_1042.txt", .line = 1, .code = 1042,
      .provider = "MsiInstaller", .format = "snare", .host = "DESKTOP-EKVR84B", .ts = 1721058961000000,
      .pid = 2016, .package = "C:\\Users\\username\\Downloads\\Radmin_3.5.2.1_EN\\Radmin_Server_3.5.2.1_EN.msi" },
    { .name = "snare 4688", .file = "msiinstaller/constructed_snare_4688.txt", .line = 1, .code = 4688,
      .provider = SEC, .format = "snare", .host = "WORKSTATION6.theshire.local", .ts = 1602548788000000,
      .pid = 0x988, .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
      .cmdline = "C:\\windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", .ppid = 0x39c,
      .pimage = "C:\\Windows\\System32\\svchost.exe", .user = "THESHIRE\\WORKSTATION6$" },
    { .name = "kv 4688, offset -04:00", .file = "msiinstaller/constructed_kv_4688.txt", .offset = -4 * 3600,
      .code = 4688, .provider = SEC, .format = "kv", .host = "WORKSTATION6.theshire.local",
      .ts = 1602563188000000, .pid = 0x988, .image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
      .cmdline = "C:\\windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", .ppid = 0x39c,
      .pimage = "C:\\Windows\\System32\\svchost.exe", .user = "THESHIRE\\WORKSTATION6$" },
};

static enum winevent_result run(const char *buf, size_t n, long offset, const char **why)
{
    struct winevent_opts o = { offset };
    return winevent_parse(buf, n, 1234567, &o, &rec, why);
}

static void test_samples(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct want *w = &samples[i];
        TEST_BEGIN(w->name);
        size_t n;
        char *b = sample(w->file, w->line, &n);
        CHECK(b != NULL);
        if (b) {
            const char *why = "unset";
            enum winevent_result r = run(b, n, w->offset, &why);
            CHECK_EQ(r, WINEVENT_OK);
            CHECK(why == NULL);
            if (r != WINEVENT_OK)
                printf("# why: %s\n", why ? why : "(null)");
            check_rec(&rec, w, 1234567);
            /* the same bytes after a UTF-8 BOM and with a CRLF line end */
            char *bom = malloc(n + 5);
            memcpy(bom, "\xEF\xBB\xBF", 3);
            memcpy(bom + 3, b, n);
            memcpy(bom + 3 + n, "\r\n", 2);
            CHECK_EQ(run(bom, n + 5, w->offset, &why), WINEVENT_OK);
            check_rec(&rec, w, 1234567);
            free(bom);
            free(b);
        }
        TEST_END();
    }
}

/* ---- every line of the files, and how many of each result -------------------- */

static void count_lines(const char *name, const char *file, unsigned ok, unsigned ign, unsigned bad)
{
    TEST_BEGIN(name);
    size_t len;
    char *b = slurp(file, &len);
    unsigned n[3] = { 0, 0, 0 };
    CHECK(b != NULL);
    for (char *p = b; b && p < b + len;) {
        char *nl = memchr(p, '\n', (size_t)(b + len - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(b + len - p);
        if (l > 0) {
            char *c = malloc(l);
            memcpy(c, p, l);
            const char *why;
            enum winevent_result r = run(c, l, 0, &why);
            if (r <= WINEVENT_MALFORMED)
                n[r]++;
            if (r == WINEVENT_OK) {
                CHECK(rec.code != 0 && rec.format != NULL && rec.provider[0] != '\0');
                CHECK(!rec.ts_is_receive);
            }
            free(c);
        }
        p += l + 1;
    }
    CHECK_EQ(n[WINEVENT_OK], ok);
    CHECK_EQ(n[WINEVENT_IGNORED], ign);
    CHECK_EQ(n[WINEVENT_MALFORMED], bad);
    free(b);
    TEST_END();
}

static void test_counts(void)
{
    count_lines("nxlog file: 5 records", NXLOG, 5, 0, 0);
    count_lines("flattened file: 5 records", FLAT, 5, 0, 0);
    count_lines("azure file: Sysmon 3 kept, Sysmon 5 ignored", AZURE, 1, 1, 0);
    count_lines("rsyslog snare file: Sysmon 13 ignored", RSYSLOG, 2, 1, 0);
    count_lines("hhc snare file", HHC, 1, 0, 0);
    count_lines("lsass msiexec lines: both Sysmon 13, ignored", "otrf_security_datasets/LSASS_campaign_01_msiexec_lines.jsonl",
                0, 2, 0);
    count_lines("lsass noise: 25 records", NOISE, 25, 0, 0);
    /* 3 malformed: line 7 cut at 2012 bytes, lines 17 and 19 carry "&quot" without ';' */
    count_lines("log4shell: 10 records, 5/11/23 ignored, 3 broken XML", L4S, 10, 6, 3);
}

/* ---- ignored: other ids and providers, dropped before full parsing ------------ */

static char *replace(const char *s, size_t n, const char *from, const char *to, size_t *outn)
{
    const char *h = memmem(s, n, from, strlen(from));
    if (h == NULL)
        return NULL;
    size_t a = (size_t)(h - s), fl = strlen(from), tl = strlen(to);
    char *o = malloc(n - fl + tl + 1);
    memcpy(o, s, a);
    memcpy(o + a, to, tl);
    memcpy(o + a + tl, h + fl, n - a - fl);
    *outn = n - fl + tl;
    o[*outn] = '\0';
    return o;
}

static void expect(const char *name, const char *buf, size_t n, enum winevent_result want, const char *why_want)
{
    TEST_BEGIN(name);
    const char *why = NULL;
    enum winevent_result r = buf ? run(buf, n, 0, &why) : WINEVENT_OK;
    CHECK(buf != NULL);
    CHECK_EQ(r, want);
    if (why_want)
        CHECK_STR(why, why_want);
    if (r != WINEVENT_OK) {
        CHECK(why != NULL);
        CHECK_EQ(rec.code, 0);
        CHECK_U64(rec.recv_us, 1234567);
        CHECK_STR(rec.host, "");
    }
    TEST_END();
}

static void test_ignored(void)
{
    size_t n, m;
    char *b, *d;
    /* the evtx sample's first event is Sysmon 2 (the whole file as one payload reads it) */
    b = sample(EVTX, 0, &n);
    expect("evtx file as one payload: its first event, Sysmon 2", b, n, WINEVENT_IGNORED, "ignored");
    free(b);
    b = sample("msiinstaller/xml_1033_picoctf_writeup.xml", 0, &n);
    expect("MsiInstaller 1033 ignored", b, n, WINEVENT_IGNORED, "ignored");
    free(b);
    b = sample(RSYSLOG, 3, &n);
    expect("snare sysmon 13 ignored", b, n, WINEVENT_IGNORED, "ignored");
    free(b);

    b = sample(NXLOG, 4, &n);
    d = replace(b, n, "\"EventID\":4688", "\"EventID\":4689", &m);
    expect("security 4689 ignored", d, m, WINEVENT_IGNORED, "ignored");
    free(d);
    d = replace(b, n, "\"EventID\":4688", "\"EventID\":4624", &m);
    expect("security 4624 ignored", d, m, WINEVENT_IGNORED, "ignored");
    /* ignored before jansson runs: the same line cut in half is still "ignored" */
    expect("4624 cut in half: ignored before parsing", d, m / 2, WINEVENT_IGNORED, "ignored");
    free(d);
    expect("4688 cut in half: malformed", b, n / 2, WINEVENT_MALFORMED, NULL);
    d = replace(b, n, "\"Channel\":\"Security\"", "\"Channel\":\"Application\"", &m);
    char *e = replace(d, m, "Microsoft-Windows-Security-Auditing", "SomeApp", &n);
    expect("4688 of another provider ignored", e, n, WINEVENT_IGNORED, "ignored");
    free(e);
    free(d);
    free(b);

    b = sample(NXLOG, 3, &n);
    d = replace(b, n, "\"EventID\":1,", "\"EventID\":10,", &m);
    expect("sysmon 10 ignored", d, m, WINEVENT_IGNORED, "ignored");
    free(d);
    d = replace(b, n, "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"", "\"Channel\":\"Application\"", &m);
    e = replace(d, m, "\"SourceName\":\"Microsoft-Windows-Sysmon\"", "\"SourceName\":\"Application Error\"", &n);
    expect("event 1 of another provider ignored", e, n, WINEVENT_IGNORED, "ignored");
    free(e);
    free(d);
    free(b);

    /* Logstash in ECS compatibility mode adds objects that a Winlogbeat event also has */
    b = sample(NXLOG, 3, &n);
    d = replace(b, n, "{\"RuleName\"", "{\"event\":{\"original\":\"x\"},\"host\":{\"name\":\"wec\"},\"RuleName\"", &m);
    expect("nxlog with Logstash's event and host objects: still NXLog", d, m, WINEVENT_OK, NULL);
    CHECK_STR(rec.format, "nxlog");
    CHECK_STR(rec.host, "WORKSTATION6.theshire.local");
    CHECK_STR(rec.guid, "37C5A1B2-2C74-5F85-3203-000000000400");
    free(d);
    free(b);

    b = sample("format_samples/rendered_xml_single_line_sysmon3__empire_writeup.xml", 0, &n);
    d = replace(b, n, "<EventID>3</EventID>", "<EventID>5</EventID>", &m);
    expect("xml sysmon 5 ignored", d, m, WINEVENT_IGNORED, "ignored");
    free(d);
    d = replace(b, n, "<EventID>3</EventID>", "<EventID Qualifiers='0'>4624</EventID>", &m);
    expect("xml 4624 with qualifiers ignored", d, m, WINEVENT_IGNORED, "ignored");
    free(d);
    free(b);

    b = sample("format_samples/splunk_wineventlog_kv_sysmon3__htb_writeup.txt", 0, &n);
    d = replace(b, n, "EventCode=3", "EventCode=11", &m);
    expect("kv sysmon 11 ignored", d, m, WINEVENT_IGNORED, "ignored");
    free(d);
    free(b);

    b = sample("format_samples/winlogbeat_ecs_sysmon_loadimage.golden.json", 0, &n);
    d = replace(b, n, "\"code\": \"7\"", "\"code\": \"13\"", &m);
    e = replace(d, m, "\"event_id\": \"7\"", "\"event_id\": \"13\"", &n);
    expect("winlogbeat sysmon 13 ignored", e, n, WINEVENT_IGNORED, "ignored");
    free(e);
    free(d);
    free(b);
}

/* ---- hostile input ------------------------------------------------------------- */

static void every_prefix(const char *name, const char *file, int line)
{
    TEST_BEGIN(name);
    size_t n;
    char *b = sample(file, line, &n);
    CHECK(b != NULL);
    unsigned bad = 0;
    for (size_t k = 0; b && k < n; k++) {
        char *c = malloc(k ? k : 1);
        memcpy(c, b, k);
        const char *why;
        /* a prefix cut inside trailing white space is still the whole event */
        size_t t = n;
        while (t > 0 && (b[t - 1] == ' ' || b[t - 1] == '\n' || b[t - 1] == '\r'))
            t--;
        enum winevent_result r = run(c, k, 0, &why);
        if (k < t && r != WINEVENT_MALFORMED) {
            bad++;
            if (bad < 4)
                printf("# prefix %zu of %zu: %d\n", k, n, r);
        }
        free(c);
    }
    CHECK_EQ(bad, 0);
    free(b);
    TEST_END();
}

/* xorshift64: the same garbage every run */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint8_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint8_t)rng;
}

static void test_hostile(void)
{
    size_t n, m;
    char *b, *d;
    every_prefix("nxlog sysmon 1 cut at every length: malformed", NXLOG, 3);
    every_prefix("nxlog sysmon 22 cut at every length: malformed (a cut id is no id)", NXLOG, 5);
    every_prefix("xml sysmon 3 cut at every length: malformed",
                 "format_samples/rendered_xml_single_line_sysmon3__empire_writeup.xml", 0);
    every_prefix("openwec 4688 cut at every length: malformed", "format_samples/openwec_json_4688_example.json", 0);
    every_prefix("pretty-printed xml msi 1040 cut at every length: malformed",
                 "msiinstaller/xml_1040_picoctf_writeup.xml", 0);

    /* invalid UTF-8 */
    b = sample(NXLOG, 3, &n);
    d = replace(b, n, "-secured -Embedding\",", "-secured \xff-Embedding\",", &m);
    expect("json: invalid UTF-8 byte", d, m, WINEVENT_MALFORMED, NULL);
    free(d);
    d = replace(b, n, "-secured -Embedding\",", "-secured \xc0\xaf-Embedding\",", &m);
    expect("json: overlong UTF-8", d, m, WINEVENT_MALFORMED, NULL);
    free(d);
    d = replace(b, n, "-secured -Embedding\",", "-secured \xed\xa0\x80-Embedding\",", &m);
    expect("json: UTF-8 surrogate", d, m, WINEVENT_MALFORMED, NULL);
    free(d);
    d = replace(b, n, "-secured -Embedding\",", "-secured \\u0000-Embedding\",", &m);
    expect("json: \\u0000 in a string", d, m, WINEVENT_MALFORMED, NULL);
    free(d);
    d = replace(b, n, "-secured -Embedding\",", "-secured \0-Embedding\",", &m);
    expect("json: a raw NUL byte", d, m, WINEVENT_MALFORMED, NULL);
    free(d);
    free(b);
    b = sample("format_samples/rendered_xml_single_line_sysmon3__empire_writeup.xml", 0, &n);
    d = replace(b, n, "powershell.exe", "power\xffshell.exe", &m);
    expect("xml: invalid UTF-8 byte", d, m, WINEVENT_MALFORMED, "XML invalid character, UTF-8 or token");
    free(d);
    d = replace(b, n, "powershell.exe", "power&bogus;shell.exe", &m);
    expect("xml: undefined entity", d, m, WINEVENT_MALFORMED, "XML undefined entity");
    free(d);
    d = replace(b, n, "powershell.exe", "power&amp;&lt;&#x41;&#66;shell.exe", &m);
    expect("xml: predefined entities and character references decode", d, m, WINEVENT_OK, NULL);
    CHECK_STR(rec.image, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\power&<ABshell.exe");
    free(d);
    d = replace(b, n, "</EventData></Event>", "</EventData></Event>junk", &m);
    expect("xml: bytes after the event are not read", d, m, WINEVENT_OK, NULL);
    free(d);
    free(b);

    /* entity expansion and external entities: refused at the DOCTYPE */
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Event [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n]>\n"
        "<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID></System>"
        "<EventData><Data Name='CommandLine'>&lol9;</Data></EventData></Event>";
    expect("xml: billion laughs refused", laughs, sizeof laughs - 1, WINEVENT_MALFORMED, "XML DOCTYPE refused");
    static const char xxe[] =
        "<!DOCTYPE Event SYSTEM \"file:///etc/passwd\"><Event><System><Provider Name='Microsoft-Windows-Sysmon'/>"
        "<EventID>1</EventID></System></Event>";
    expect("xml: external DTD refused", xxe, sizeof xxe - 1, WINEVENT_MALFORMED, "XML DOCTYPE refused");
    static const char xxe2[] =
        "<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Event><System><EventID>1</EventID>"
        "<Provider Name='Microsoft-Windows-Sysmon'/></System><EventData><Data Name='Image'>&x;</Data></EventData></Event>";
    expect("xml: external entity refused", xxe2, sizeof xxe2 - 1, WINEVENT_MALFORMED, "XML DOCTYPE refused");
    static const char notevent[] = "<Foo><EventID>1</EventID></Foo>";
    expect("xml: a root that is not <Event>", notevent, sizeof notevent - 1, WINEVENT_MALFORMED,
           "XML is not an <Event>");
    static const char noid[] = "<Event><System><Provider Name='Microsoft-Windows-Sysmon'/></System></Event>";
    expect("xml: no EventID", noid, sizeof noid - 1, WINEVENT_MALFORMED, "no event id");

    /* 1 MB and big-but-allowed */
    size_t big = 1024 * 1024;
    char *huge = malloc(big);
    static const char head[] = "{\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"CommandLine\":\"";
    memcpy(huge, head, sizeof head - 1);
    memset(huge + sizeof head - 1, 'A', big - (sizeof head - 1) - 2);
    memcpy(huge + big - 2, "\"}", 2);
    expect("a 1 MB line", huge, big, WINEVENT_MALFORMED, "event longer than WINEVENT_MAX_LEN");
    size_t mid = 200 * 1024;
    memcpy(huge + mid - 2, "\"}", 2);
    expect("a 200 KB command line: kept, cut to the record's field", huge, mid, WINEVENT_OK, NULL);
    CHECK_EQ(strlen(rec.cmdline), REC_EP_CMDLINE_MAX - 1);
    CHECK(rec.ts_is_receive);
    free(huge);

    /* garbage */
    TEST_BEGIN("binary garbage: never OK, never a crash");
    char g[4096];
    unsigned ok = 0;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof g; i++)
            g[i] = (char)rnd();
        static const char *const lead[] = { "{", "[", "<", "<Event>", "MSWinEventLog\t", "EventCode=1\n", "" };
        const char *l = lead[round % 7];
        memcpy(g, l, strlen(l));
        size_t len = (size_t)(rnd() | rnd() << 8) % sizeof g;
        const char *why;
        if (run(g, len, 0, &why) == WINEVENT_OK)
            ok++;
    }
    CHECK_EQ(ok, 0);
    TEST_END();
    expect("plain text", "hello world", 11, WINEVENT_MALFORMED, "not a Windows event in a known format");
    expect("empty", "", 0, WINEVENT_MALFORMED, "empty");
    expect("white space and a BOM", "\xEF\xBB\xBF  \r\n", 7, WINEVENT_MALFORMED, "empty");
    TEST_BEGIN("NULL buffer, NULL opts, NULL why");
    CHECK_EQ(winevent_parse(NULL, 0, 5, NULL, &rec, NULL), WINEVENT_MALFORMED);
    CHECK_U64(rec.recv_us, 5);
    TEST_END();

    /* deep nesting */
    size_t dn = 100000;
    char *deep = malloc(dn * 4 + 64);
    memset(deep, '[', dn);
    expect("json: 100000 nested arrays", deep, dn, WINEVENT_MALFORMED, NULL);
    size_t o = 0;
    for (size_t i = 0; i < dn / 2; i++) {
        memcpy(deep + o, "{\"a\":", 5);
        o += 5;
    }
    expect("json: 50000 nested objects", deep, o, WINEVENT_MALFORMED, NULL);
    o = 0;
    memcpy(deep, "<Event>", 7);
    o = 7;
    for (size_t i = 0; i < dn / 3; i++) {
        memcpy(deep + o, "<a>", 3);
        o += 3;
    }
    expect("xml: 33333 nested elements", deep, o, WINEVENT_MALFORMED, "XML nested too deep");
    free(deep);

    static const char two[] = "[{\"EventID\":1},{\"EventID\":3}]";
    expect("json: an array of two events", two, sizeof two - 1, WINEVENT_MALFORMED,
           "JSON array is not exactly one event");
    static const char scalar[] = "[1]";
    expect("json: not an object", scalar, sizeof scalar - 1, WINEVENT_MALFORMED, NULL);
    static const char unknown[] = "{\"EventCode\":1,\"foo\":\"bar\"}";
    expect("json: unknown shape", unknown, sizeof unknown - 1, WINEVENT_MALFORMED, "JSON of no known event format");
    static const char snare_short[] = "host MSWinEventLog\t1\tSecurity";
    expect("snare: too few fields", snare_short, sizeof snare_short - 1, WINEVENT_MALFORMED,
           "Snare: too few fields or no event id");
}

/* ---- field forms: GUIDs, PIDs, addresses, times ---------------------------- */

static enum winevent_result flat(const char *fields, long offset)
{
    char buf[2048];
    int k = snprintf(buf, sizeof buf, "{%s}", fields);
    const char *why;
    return run(buf, (size_t)k, offset, &why);
}

static void test_forms(void)
{
    const char *why;
    static const struct {
        const char *in, *want;
    } guids[] = {
        { "{37c5a1b2-2c74-5f85-3203-000000000400}", "37C5A1B2-2C74-5F85-3203-000000000400" },
        { "{37C5A1B2-2C74-5F85-3203-000000000400}", "37C5A1B2-2C74-5F85-3203-000000000400" },
        { "37c5a1b2-2c74-5f85-3203-000000000400", "37C5A1B2-2C74-5F85-3203-000000000400" },
        { " 37C5A1B2-2C74-5F85-3203-000000000400 ", "37C5A1B2-2C74-5F85-3203-000000000400" },
        { "{37c5a1b2-2c74-5f85-3203-00000000040}", "" },   /* one digit short */
        { "{37c5a1b2-2c74-5f85-3203-0000000004000}", "" }, /* one too many */
        { "{c45gcg0b-df78-7b25-2222-2232g1b17g22}", "" },  /* not hex */
        { "37c5a1b2 2c74-5f85-3203-000000000400", "" },
        { "-", "" },
    };
    char f[512];
    for (size_t i = 0; i < sizeof guids / sizeof guids[0]; i++) {
        TEST_BEGIN("guid form");
        snprintf(f, sizeof f,
                 "\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"ProcessGuid\":\"%s\","
                 "\"ParentProcessGuid\":\"%s\"",
                 guids[i].in, guids[i].in);
        CHECK_EQ(flat(f, 0), WINEVENT_OK);
        CHECK_STR(rec.guid, guids[i].want);
        CHECK_STR(rec.parent_guid, guids[i].want);
        if (strcmp(rec.guid, guids[i].want) != 0)
            printf("# input %s\n", guids[i].in);
        TEST_END();
    }

    static const struct {
        const char *in;
        bool has;
        uint32_t want;
    } pids[] = {
        { "0x1a2c", true, 0x1a2c }, { "0X1A2C", true, 0x1a2c }, { "6700", true, 6700 }, { "0", true, 0 },
        { "4294967295", true, 4294967295u }, { "4294967296", false, 0 }, { "0xffffffff", true, 0xffffffffu },
        { "0x100000000", false, 0 }, { "0x", false, 0 }, { "", false, 0 }, { "-1", false, 0 }, { "12a", false, 0 },
    };
    for (size_t i = 0; i < sizeof pids / sizeof pids[0]; i++) {
        TEST_BEGIN("4688 pid form");
        snprintf(f, sizeof f,
                 "\"EventID\":4688,\"Channel\":\"Security\",\"NewProcessId\":\"%s\",\"ProcessId\":\"%s\"",
                 pids[i].in, pids[i].in);
        CHECK_EQ(flat(f, 0), WINEVENT_OK);
        CHECK_EQ(rec.has_pid, pids[i].has);
        CHECK_U64(rec.pid, pids[i].want);
        CHECK_EQ(rec.has_ppid, pids[i].has);
        CHECK_U64(rec.ppid, pids[i].want);
        TEST_END();
    }

    static const struct {
        const char *in, *want;
    } ips[] = {
        { "::ffff:10.1.2.3", "10.1.2.3" }, { "10.1.2.3", "10.1.2.3" }, { "fe80::1%12", "fe80::1" },
        { "2001:db8::5", "2001:db8::5" }, { "[2001:db8::5]", "2001:db8::5" }, { "-", NULL }, { "", NULL },
        { "10.1.2", NULL }, { "999.1.2.3", NULL },
    };
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        TEST_BEGIN("sysmon 3 address form");
        snprintf(f, sizeof f,
                 "\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"DestinationIp\":\"%s\","
                 "\"DestinationPort\":\"443\",\"DestinationHostname\":\"-\"",
                 ips[i].in);
        CHECK_EQ(flat(f, 0), WINEVENT_OK);
        check_addr(rec.has_dst_ip, &rec.dst_ip, ips[i].want);
        CHECK_EQ(rec.dst_port, 443);
        CHECK_STR(rec.dst_domain, "");
        TEST_END();
    }

    /* times through TimeCreated (UTC, a zone-less one too) and EventTime (local) */
    static const struct {
        const char *key, *in;
        long offset;
        uint64_t want; /* 0: no usable time */
    } times[] = {
        { "TimeCreated", "1970-01-01T00:00:00Z", 0, 0 + 1 }, /* 0 is a valid time: see the +1 below */
        { "TimeCreated", "1970-01-01T00:00:00.000001Z", 0, 1 + 1 },
        { "TimeCreated", "2000-02-29T12:00:00Z", 0, 951825600000000 + 1 },
        { "TimeCreated", "2001-02-29T12:00:00Z", 0, 0 },
        { "TimeCreated", "2100-02-29T12:00:00Z", 0, 0 },
        { "TimeCreated", "2024-13-01T00:00:00Z", 0, 0 },
        { "TimeCreated", "2024-07-15T24:00:00Z", 0, 0 },
        { "TimeCreated", "1969-12-31T23:59:59Z", 0, 0 },
        { "TimeCreated", "9999-12-31T23:59:59Z", 0, 253402300799000000 + 1 },
        { "TimeCreated", "2024-07-15T15:55:55.9707879Z", 0, 1721058955970787 + 1 },
        { "TimeCreated", "2024-07-15T15:55:55.97078791234Z", 0, 1721058955970787 + 1 },
        { "TimeCreated", "2024-07-15T15:55:55.9Z", 0, 1721058955900000 + 1 },
        { "TimeCreated", "2024-07-15T17:55:55+02:00", 0, 1721058955000000 + 1 },
        { "TimeCreated", "2024-07-15T11:55:55-0400", 0, 1721058955000000 + 1 },
        { "TimeCreated", "2024-07-15 15:55:55", -14400, 1721058955000000 + 1 }, /* UTC by definition */
        { "TimeCreated", "2024-07-15T15:55:55Zjunk", 0, 0 },
        { "TimeCreated", "2024-7-15T15:55:55Z", 0, 0 },
        { "TimeCreated", "", 0, 0 },
        { "EventTime", "2024-07-15 17:55:55", 7200, 1721058955000000 + 1 },
        { "EventTime", "2024-07-15 11:55:55", -14400, 1721058955000000 + 1 },
        { "EventTime", "2024-07-15 15:55:55", 0, 1721058955000000 + 1 },
        { "EventTime", "2024-07-15T17:55:55+02:00", -14400, 1721058955000000 + 1 }, /* a zone wins */
        { "EventTime", "1970-01-01 00:30:00", 3600, 0 },                           /* before the epoch */
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        TEST_BEGIN("time form");
        snprintf(f, sizeof f, "\"EventID\":4688,\"Channel\":\"Security\",\"%s\":\"%s\"", times[i].key, times[i].in);
        CHECK_EQ(flat(f, times[i].offset), WINEVENT_OK);
        CHECK_EQ(rec.ts_is_receive, times[i].want == 0);
        CHECK_U64(rec.ts_us, times[i].want ? times[i].want - 1 : 1234567);
        if (rec.ts_is_receive != (times[i].want == 0))
            printf("# input %s\n", times[i].in);
        TEST_END();
    }

    /* Snare's ctime and Splunk's AM/PM, both zone-less local */
    TEST_BEGIN("snare time, space-padded day, offset +01:00");
    static const char sn[] = "host MSWinEventLog\t1\tSecurity\t1\tFri Jul  5 01:02:03 2024\t4688\t"
                             "Microsoft-Windows-Security-Auditing\tN/A\tN/A\tSuccess Audit\thost\tProcess Creation\t\t"
                             "A new process has been created.  New Process ID: 0x10\t1";
    CHECK_EQ(run(sn, sizeof sn - 1, 3600, &why), WINEVENT_OK);
    CHECK_U64(rec.ts_us, 1720141323000000 - 3600000000ull);
    CHECK_U64(rec.pid, 16);
    TEST_END();
    static const struct {
        const char *line;
        uint64_t want;
    } ampm[] = {
        { "07/15/2024 12:30:00 AM", 1721003400000000 },
        { "07/15/2024 12:30:00 PM", 1721046600000000 },
        { "7/15/2024 00:30:00", 1721003400000000 },
        { "07/15/2024 13:30:00 PM", 0 },
    };
    for (size_t i = 0; i < sizeof ampm / sizeof ampm[0]; i++) {
        TEST_BEGIN("key=value time line");
        char kv[512];
        int k = snprintf(kv, sizeof kv,
                         "%s\nLogName=Security\nEventCode=4688\nComputerName=h\nMessage=A new process has been "
                         "created.\n\tNew Process ID:\t\t0x10\n",
                         ampm[i].line);
        CHECK_EQ(run(kv, (size_t)k, 0, &why), WINEVENT_OK);
        CHECK_EQ(rec.ts_is_receive, ampm[i].want == 0);
        CHECK_U64(rec.ts_us, ampm[i].want ? ampm[i].want : 1234567);
        TEST_END();
    }

    /* no time at all */
    size_t n, m, m2;
    char *b = sample("format_samples/rendered_xml_single_line_sysmon3__empire_writeup.xml", 0, &n);
    char *d = replace(b, n, "<Data Name='UtcTime'>2020-12-03 00:26:45.094</Data>", "", &m);
    char *e = replace(d, m, "<TimeCreated SystemTime='2020-12-03T00:26:47.762545300Z'/>", "", &m2);
    expect("xml without UtcTime: System/TimeCreated", d, m, WINEVENT_OK, NULL);
    CHECK_U64(rec.ts_us, 1606955207762545);
    expect("xml without any time: the receive time", e, m2, WINEVENT_OK, NULL);
    CHECK(rec.ts_is_receive);
    CHECK_U64(rec.ts_us, 1234567);
    free(e);
    free(d);
    free(b);

    /* the product code in an MsiInstaller Binary (derived: the picoCTF 1040 with the 1033's Binary) */
    b = sample("msiinstaller/xml_1040_picoctf_writeup.xml", 0, &n);
    d = replace(b, n, "<Data />",
                "<Data /><Binary>7B33443343333833332D444544362D343032322D423541312D4537463337373839433339307D30</Binary>",
                &m);
    expect("msi 1040 with a Binary: product code", d, m, WINEVENT_OK, NULL);
    CHECK_STR(rec.package, "C:\\Users\\user\\Desktop\\Totally_Legit_Software.msi");
    CHECK_STR(rec.product, "{3D3C3833-DED6-4022-B5A1-E7F37789C390}");
    free(d);
    d = replace(b, n, "<Data>C:\\Users\\user\\Desktop\\Totally_Legit_Software.msi</Data>", "<Data>(NULL)</Data>", &m);
    expect("msi 1040 with (NULL) package", d, m, WINEVENT_OK, NULL);
    CHECK_STR(rec.package, "");
    CHECK_U64(rec.pid, 9004);
    free(d);
    free(b);

    /* 1040 text forms without a structured package */
    static const char msg[] = "{\"EventID\":1040,\"SourceName\":\"MsiInstaller\",\"Channel\":\"Application\","
                              "\"Message\":\"Beginning a Windows Installer transaction: {3D3C3833-DED6-4022-B5A1-"
                              "E7F37789C390}. Client Process Id: 77.\"}";
    expect("msi 1040 message naming a product code", msg, sizeof msg - 1, WINEVENT_OK, NULL);
    CHECK_STR(rec.product, "{3D3C3833-DED6-4022-B5A1-E7F37789C390}");
    CHECK_STR(rec.package, "");
    CHECK_U64(rec.pid, 77);
    static const char msg2[] = "{\"EventID\":1042,\"SourceName\":\"MsiInstaller\","
                               "\"Message\":\"Ending a Windows Installer transaction: http://a.example/x.msi.\"}";
    expect("msi 1042 message without a client pid", msg2, sizeof msg2 - 1, WINEVENT_OK, NULL);
    CHECK_STR(rec.package, "http://a.example/x.msi");
    CHECK(!rec.has_pid);
}

/* ---- the XML file splitter --------------------------------------------------- */

static unsigned split_all(const char *buf, size_t len, unsigned *ok)
{
    size_t pos = 0, s, e;
    unsigned docs = 0;
    *ok = 0;
    while (winevent_xml_next(buf, len, &pos, &s, &e) == WINEVENT_XML_DOC) {
        docs++;
        const char *why;
        if (run(buf + s, e - s, 0, &why) == WINEVENT_OK)
            (*ok)++;
    }
    return docs;
}

/* A streaming reader: bytes arrive `chunk` at a time into a buffer that
 * keeps only what is not consumed. */
static void stream(const char *src, size_t len, size_t chunk, unsigned *docs, unsigned *ok, uint64_t *tssum)
{
    char *buf = malloc(len + 1);
    size_t have = 0, fed = 0;
    *docs = *ok = 0;
    *tssum = 0;
    while (fed < len || have > 0) {
        size_t k = len - fed < chunk ? len - fed : chunk;
        memcpy(buf + have, src + fed, k);
        have += k;
        fed += k;
        size_t pos = 0, s = 0, e = 0;
        enum winevent_xml_res r;
        while ((r = winevent_xml_next(buf, have, &pos, &s, &e)) == WINEVENT_XML_DOC) {
            (*docs)++;
            const char *why;
            if (run(buf + s, e - s, 0, &why) == WINEVENT_OK) {
                (*ok)++;
                *tssum += rec.ts_us;
            }
        }
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        if (fed == len)
            break;
    }
    free(buf);
}

static void test_split(void)
{
    size_t n;
    char *b = sample(EVTX, 0, &n);
    TEST_BEGIN("evtx xml file: 8 documents, 5 records");
    unsigned ok = 0, docs = b ? split_all(b, n, &ok) : 0;
    CHECK_EQ(docs, 8);
    CHECK_EQ(ok, 5);
    TEST_END();

    /* field by field: the custom-action child, the vbscript.dll load, the shell */
    static const struct want evtx[] = {
        { .name = "evtx: VSSVC", .code = 1, .provider = SYSMON, .format = "xml", .host = "IEWIN7",
          .ts = 1556664539151000, .guid = "365ABB72-D0DB-5CC8-0000-0010488A3C00", .pid = 1892,
          .image = "C:\\Windows\\System32\\VSSVC.exe", .cmdline = "C:\\Windows\\system32\\vssvc.exe",
          .pguid = "365ABB72-4321-5CC9-0000-001070530000", .ppid = 464,
          .pimage = "C:\\Windows\\System32\\services.exe", .user = "NT AUTHORITY\\SYSTEM" },
        { .name = "evtx: MSI4FFD.tmp from msiexec", .code = 1, .provider = SYSMON, .format = "xml", .host = "IEWIN7",
          .ts = 1556664548604000, .guid = "365ABB72-D0E4-5CC8-0000-00103CB73E00", .pid = 3680,
          .image = "C:\\Windows\\Installer\\MSI4FFD.tmp", .cmdline = "\"C:\\Windows\\Installer\\MSI4FFD.tmp\"",
          .pguid = "365ABB72-D0DA-5CC8-0000-0010216F3C00", .ppid = 2080,
          .pimage = "C:\\Windows\\System32\\msiexec.exe", .user = "IEWIN7\\IEUser" },
        { .name = "evtx: msiexec loads vbscript.dll", .code = 7, .provider = SYSMON, .format = "xml",
          .host = "IEWIN7", .ts = 1556664548698000, .guid = "365ABB72-D0E4-5CC8-0000-001022B53E00", .pid = 2168,
          .image = "C:\\Windows\\System32\\msiexec.exe", .dll = "C:\\Windows\\System32\\vbscript.dll", .sig = 1,
          .sigstatus = "Valid" },
        { .name = "evtx: cmd from MSI4FFD.tmp", .code = 1, .provider = SYSMON, .format = "xml", .host = "IEWIN7",
          .ts = 1556664549276000, .guid = "365ABB72-D0E5-5CC8-0000-0010DADF3E00", .pid = 2892,
          .image = "C:\\Windows\\System32\\cmd.exe", .cmdline = "cmd", .pguid = "365ABB72-D0E4-5CC8-0000-00103CB73E00",
          .ppid = 3680, .pimage = "C:\\Windows\\Installer\\MSI4FFD.tmp", .user = "IEWIN7\\IEUser" },
        { .name = "evtx: whoami", .code = 1, .provider = SYSMON, .format = "xml", .host = "IEWIN7",
          .ts = 1556664747588000, .guid = "365ABB72-D1AB-5CC8-0000-0010DB1E4400", .pid = 1372,
          .image = "C:\\Windows\\System32\\whoami.exe", .cmdline = "whoami",
          .pguid = "365ABB72-D0E5-5CC8-0000-0010DADF3E00", .ppid = 2892, .pimage = "C:\\Windows\\System32\\cmd.exe",
          .user = "IEWIN7\\IEUser" },
    };
    size_t pos = 0, s, e;
    unsigned k = 0;
    while (b && winevent_xml_next(b, n, &pos, &s, &e) == WINEVENT_XML_DOC) {
        const char *why;
        if (run(b + s, e - s, 0, &why) == WINEVENT_OK && k < 5) {
            TEST_BEGIN(evtx[k].name);
            check_rec(&rec, &evtx[k], 1234567);
            TEST_END();
            k++;
        }
    }

    TEST_BEGIN("evtx xml file streamed in chunks of every size 1..300 and 4096: same records");
    unsigned d0, o0;
    uint64_t t0;
    stream(b, n, n, &d0, &o0, &t0);
    CHECK_EQ(d0, 8);
    CHECK_EQ(o0, 5);
    unsigned badsplit = 0;
    for (size_t chunk = 1; b && chunk <= 4096; chunk = chunk < 300 ? chunk + 1 : 4096 + 1) {
        unsigned d1, o1;
        uint64_t t1;
        stream(b, n, chunk, &d1, &o1, &t1);
        if (d1 != d0 || o1 != o0 || t1 != t0) {
            if (badsplit++ < 3)
                printf("# chunk %zu: %u docs %u records\n", chunk, d1, o1);
        }
    }
    CHECK_EQ(badsplit, 0);
    TEST_END();
    free(b);

    static const char tricky[] =
        "<?xml version=\"1.0\"?>\n<!-- an </Event> in a comment -->\n<Events>\n"
        "<Event a='</Event>'><System><EventID>1</EventID><![CDATA[</Event>]]></System></Event>\n"
        "<Event/>\n<Event><Event></Event></Event>\n<Eventful>x</Eventful>\n"
        "<Event xmlns=\"x\">\n  <System/>\n</Event >\n</Events>\n";
    TEST_BEGIN("splitter: comments, CDATA, quoted attributes, nesting, self-closing");
    size_t p2 = 0, st[8], en[8];
    unsigned nd = 0;
    while (nd < 8 && winevent_xml_next(tricky, sizeof tricky - 1, &p2, &st[nd], &en[nd]) == WINEVENT_XML_DOC)
        nd++;
    CHECK_EQ(nd, 4);
    CHECK(nd >= 1 && memcmp(tricky + st[0], "<Event a=", 9) == 0 && memcmp(tricky + en[0] - 8, "</Event>", 8) == 0);
    CHECK(nd >= 2 && en[1] - st[1] == 8 && memcmp(tricky + st[1], "<Event/>", 8) == 0);
    CHECK(nd >= 3 && en[2] - st[2] == 30);
    CHECK(nd >= 4 && memcmp(tricky + en[3] - 9, "</Event >", 9) == 0);
    CHECK_EQ(p2, sizeof tricky - 1);
    TEST_END();

    TEST_BEGIN("splitter: a cut document is MORE, a cut tag outside one is kept");
    static const char cut[] = "<Events><Event><System><EventID>1</EventID></System></Ev";
    size_t p3 = 0, s3 = 99, e3 = 99;
    CHECK_EQ(winevent_xml_next(cut, sizeof cut - 1, &p3, &s3, &e3), WINEVENT_XML_MORE);
    CHECK_EQ(s3, 8);
    CHECK_EQ(p3, 8);
    static const char tail[] = "</Event>\n<Eve";
    p3 = 0;
    CHECK_EQ(winevent_xml_next(tail, sizeof tail - 1, &p3, &s3, &e3), WINEVENT_XML_END);
    CHECK_EQ(p3, 9);
    p3 = 0;
    CHECK_EQ(winevent_xml_next("no markup", 9, &p3, &s3, &e3), WINEVENT_XML_END);
    CHECK_EQ(p3, 9);
    p3 = 0;
    CHECK_EQ(winevent_xml_next("", 0, &p3, &s3, &e3), WINEVENT_XML_END);
    CHECK_EQ(p3, 0);
    TEST_END();
}

int main(void)
{
    test_samples();
    test_counts();
    test_ignored();
    test_hostile();
    test_forms();
    test_split();
    return tap_done();
}
