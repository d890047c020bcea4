/* test_syslog.c -- syslog headers and RFC 6587 framing (parse/syslog.c),
 * on the header forms that util-linux logger, rsyslog, NXLog and Snare
 * write. */
#include <stdlib.h>
#include <string.h>

#include "parse/syslog.h"
#include "tap.h"

static struct syslog_hdr h;

static void parse(const char *s)
{
    syslog_parse((const uint8_t *)s, strlen(s), &h);
}

/* The payload as a NUL-terminated string. */
static const char *payload(const char *s)
{
    static char b[4096];
    size_t n = h.msg_len < sizeof b - 1 ? h.msg_len : sizeof b - 1;
    memcpy(b, s + h.msg_off, n);
    b[n] = '\0';
    return b;
}

/* Frame a whole buffer with one framer, as the listener does; messages are
 * joined with '|' into out. Returns the number of messages. */
static int frame_all(struct syslog_framer *f, const char *in, size_t len, size_t max, char *out, size_t outlen,
                     int *oversize, int *bad, size_t *left)
{
    size_t off = 0;
    int n = 0;
    out[0] = '\0';
    for (;;) {
        size_t c, mo, ml;
        enum syslog_frame_res r = syslog_frame(f, (const uint8_t *)in + off, len - off, max, &c, &mo, &ml);
        if (r == SYSLOG_MSG) {
            if (out[0])
                strncat(out, "|", outlen - strlen(out) - 1);
            strncat(out, in + off + mo, ml < outlen - strlen(out) - 1 ? ml : outlen - strlen(out) - 1);
            n++;
        } else if (r == SYSLOG_OVERSIZE) {
            (*oversize)++;
        } else if (r == SYSLOG_BAD_FRAME) {
            (*bad)++;
            break;
        }
        off += c;
        if ((r == SYSLOG_NEED_MORE && c == 0) || off >= len)
            break;
    }
    *left = len - off;
    return n;
}

int main(void)
{
    const char *m;
    TEST_BEGIN("RFC 5424 from logger --rfc5424: host, app, structured data, message");
    m = "<13>1 2026-11-28T15:30:00.123456+00:00 ws01.corp.example root - - "
                    "[timeQuality tzKnown=\"1\" isSynced=\"0\"] {\"EventID\":1}\n";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_RFC5424);
    CHECK_EQ(h.pri, 13);
    CHECK_STR(h.hostname, "ws01.corp.example");
    CHECK_STR(h.app, "root");
    CHECK_STR(payload(m), "{\"EventID\":1}");
    TEST_END();

    TEST_BEGIN("RFC 5424: nil fields, no structured data, BOM before the message");
    m = "<165>1 2026-03-20T15:45:12.345Z - - - - - \xEF\xBB\xBF<Event xmlns='x'/>";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_RFC5424);
    CHECK_EQ(h.pri, 165);
    CHECK_STR(h.hostname, "");
    CHECK_STR(h.app, "");
    CHECK_STR(payload(m), "<Event xmlns='x'/>");
    TEST_END();

    TEST_BEGIN("RFC 5424: escaped ] and quote inside a structured data value, two elements");
    m = "<14>1 2026-03-20T15:45:12Z collector nxlog 12 ID1 [a@1 x=\"q\\]\\\"z\"][b@2 y=\"]\"] MSG";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_RFC5424);
    CHECK_STR(h.hostname, "collector");
    CHECK_STR(h.app, "nxlog");
    CHECK_STR(payload(m), "MSG");
    TEST_END();

    TEST_BEGIN("RFC 5424 without a message");
    m = "<14>1 2026-03-20T15:45:12Z host app - - -";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_RFC5424);
    CHECK_EQ(h.msg_len, 0);
    TEST_END();

    TEST_BEGIN("RFC 3164 from logger --rfc3164: TAG: message");
    m = "<13>Nov 28 15:30:00 ws01 root: key=value line\r\n";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_RFC3164);
    CHECK_EQ(h.pri, 13);
    CHECK_STR(h.hostname, "ws01");
    CHECK_STR(h.app, "root");
    CHECK_STR(payload(m), "key=value line");
    TEST_END();

    TEST_BEGIN("RFC 3164: TAG[PID]: and a space-padded day");
    m = "<134>Nov  2 05:04:03 10.1.2.3 nxlog[4242]: {\"EventID\":4688}";
    parse(m);
    CHECK_STR(h.hostname, "10.1.2.3");
    CHECK_STR(h.app, "nxlog");
    CHECK_STR(payload(m), "{\"EventID\":4688}");
    TEST_END();

    TEST_BEGIN("RFC 3164 Snare: MSWinEventLog and its tab stay in the payload");
    m = "<14>Nov 25 05:54:32 DC-01 MSWinEventLog\t1\tMicrosoft-Windows-Sysmon/Operational\t10448";
    parse(m);
    CHECK_STR(h.hostname, "DC-01");
    CHECK_STR(h.app, "");
    CHECK_STR(payload(m), "MSWinEventLog\t1\tMicrosoft-Windows-Sysmon/Operational\t10448");
    TEST_END();

    TEST_BEGIN("RFC 3164: JSON straight after the host name");
    m = "<14>Nov 25 05:54:32 wec01 {\"Hostname\":\"a:b\"}";
    parse(m);
    CHECK_STR(h.hostname, "wec01");
    CHECK_STR(payload(m), "{\"Hostname\":\"a:b\"}");
    TEST_END();

    TEST_BEGIN("RFC 3164 with an RFC 3339 timestamp (rsyslog forward format)");
    m = "<30>2026-11-28T15:20:52.123+01:00 relay01 winlog: <Event xmlns=\"x\"></Event>";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_RFC3164);
    CHECK_STR(h.hostname, "relay01");
    CHECK_STR(h.app, "winlog");
    CHECK_STR(payload(m), "<Event xmlns=\"x\"></Event>");
    TEST_END();

    TEST_BEGIN("RFC 3164 from rsyslog's forward template: a tag without its colon before JSON or XML");
    m = "<13>2026-11-28T10:00:01+00:00 ws01 nxlog {\"EventID\":1}";
    parse(m);
    CHECK_STR(h.hostname, "ws01");
    CHECK_STR(h.app, "nxlog");
    CHECK_STR(payload(m), "{\"EventID\":1}");
    m = "<13>Nov 28 10:00:01 ws01 winlog <Event xmlns='x'/>";
    parse(m);
    CHECK_STR(h.app, "winlog");
    CHECK_STR(payload(m), "<Event xmlns='x'/>");
    m = "<13>Nov 28 10:00:01 ws01 some text message";
    parse(m);
    CHECK_STR(h.app, "");
    CHECK_STR(payload(m), "some text message");
    TEST_END();

    TEST_BEGIN("RFC 3164 without a host name: the tag is not taken for one");
    m = "<13>Nov 28 15:30:00 tag: msg";
    parse(m);
    CHECK_STR(h.hostname, "");
    CHECK_STR(h.app, "tag");
    CHECK_STR(payload(m), "msg");
    TEST_END();

    TEST_BEGIN("a PRI and then the payload");
    m = "<14>{\"EventID\":1}";
    parse(m);
    CHECK_EQ(h.pri, 14);
    CHECK_STR(payload(m), "{\"EventID\":1}");
    TEST_END();

    TEST_BEGIN("headerless: JSON line, Snare with its host prefix, XML");
    m = "{\"EventID\":1,\"Hostname\":\"x\"}\n";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_HEADERLESS);
    CHECK_EQ(h.pri, -1);
    CHECK_STR(payload(m), "{\"EventID\":1,\"Hostname\":\"x\"}");
    m = "elfu-res-wks1 MSWinEventLog\t1\tx";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_HEADERLESS);
    CHECK_STR(payload(m), m);
    m = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'></Event>";
    parse(m);
    CHECK_EQ(h.kind, SYSLOG_HEADERLESS);
    CHECK_STR(payload(m), m);
    TEST_END();

    TEST_BEGIN("a bad PRI is no header: nothing is lost");
    const char *bad[] = { "<192>1 2026-01-01T00:00:00Z h a - - - x", "<>x", "<1234>x", "<12", "<" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse(bad[i]);
        CHECK_EQ(h.kind, SYSLOG_HEADERLESS);
        CHECK_STR(payload(bad[i]), bad[i]);
    }
    TEST_END();

    TEST_BEGIN("a broken RFC 5424 header falls back without losing the payload");
    m = "<13>1 2026-01-01T00:00:00Z host";
    parse(m);
    CHECK_EQ(h.pri, 13);
    CHECK(h.msg_len > 0);
    CHECK(strstr(payload(m), "host") != NULL);
    TEST_END();

    char out[4096];
    int over, badf;
    size_t left;
    struct syslog_framer f;

    TEST_BEGIN("octet counting: three messages in one buffer");
    memset(&f, 0, sizeof f);
    over = badf = 0;
    const char *oc = "5 <1>ab3 xyz11 <13>hello w";
    CHECK_EQ(frame_all(&f, oc, strlen(oc), 1024, out, sizeof out, &over, &badf, &left), 3);
    CHECK_STR(out, "<1>ab|xyz|<13>hello w");
    CHECK_EQ(f.mode, SYSLOG_FRAME_OCTET);
    CHECK_EQ(left, 0);
    TEST_END();

    TEST_BEGIN("octet counting: a message split at every byte");
    memset(&f, 0, sizeof f);
    const char *one = "12 <13>abcdefgh";
    size_t have = 0, base = 0;
    int got = 0;
    char buf[64];
    for (size_t i = 0; i < strlen(one); i++) {
        buf[have++] = one[i];
        size_t c, mo, ml;
        enum syslog_frame_res r = syslog_frame(&f, (uint8_t *)buf + base, have - base, 1024, &c, &mo, &ml);
        if (r == SYSLOG_MSG) {
            got++;
            CHECK_EQ(ml, 12);
            CHECK_MEM(buf + base + mo, "<13>abcdefgh", 12);
        }
        base += c;
    }
    CHECK_EQ(got, 1);
    TEST_END();

    TEST_BEGIN("octet counting: an oversize message is dropped, the next one kept");
    memset(&f, 0, sizeof f);
    over = badf = 0;
    const char *big = "20 aaaaaaaaaaaaaaaaaaaa4 okay";
    CHECK_EQ(frame_all(&f, big, strlen(big), 10, out, sizeof out, &over, &badf, &left), 1);
    CHECK_STR(out, "okay");
    CHECK_EQ(over, 1);
    /* the same, arriving in two reads that cut the oversize body */
    memset(&f, 0, sizeof f);
    over = 0;
    CHECK_EQ(frame_all(&f, big, 8, 10, out, sizeof out, &over, &badf, &left), 0);
    CHECK_EQ(over, 1);
    CHECK_EQ(left, 0);
    CHECK_EQ(frame_all(&f, big + 8, strlen(big) - 8, 10, out, sizeof out, &over, &badf, &left), 1);
    CHECK_STR(out, "okay");
    TEST_END();

    TEST_BEGIN("octet counting: a malformed length ends the stream");
    memset(&f, 0, sizeof f);
    over = badf = 0;
    const char *bf = "3 abc12x";
    CHECK_EQ(frame_all(&f, bf, strlen(bf), 1024, out, sizeof out, &over, &badf, &left), 1);
    CHECK_EQ(badf, 1);
    memset(&f, 0, sizeof f);
    badf = 0;
    const char *huge = "1234567890123 x";
    frame_all(&f, huge, strlen(huge), 1024, out, sizeof out, &over, &badf, &left);
    CHECK_EQ(badf, 1);
    TEST_END();

    TEST_BEGIN("newline framing: CRLF, an empty line, a partial last line kept for later");
    memset(&f, 0, sizeof f);
    over = badf = 0;
    const char *lf = "<13>one\r\n\n{\"a\":1}\npart";
    CHECK_EQ(frame_all(&f, lf, strlen(lf), 1024, out, sizeof out, &over, &badf, &left), 3);
    CHECK_STR(out, "<13>one||{\"a\":1}");
    CHECK_EQ(f.mode, SYSLOG_FRAME_LF);
    CHECK_EQ(left, 4);
    TEST_END();

    TEST_BEGIN("newline framing: an oversize line is dropped up to its newline, across reads");
    memset(&f, 0, sizeof f);
    over = badf = 0;
    char *line = malloc(5000);
    memset(line, 'x', 4000);
    line[0] = '<';
    memcpy(line + 4000, "\nkept\n", 7);
    CHECK_EQ(frame_all(&f, line, 2000, 100, out, sizeof out, &over, &badf, &left), 0);
    CHECK_EQ(over, 1);
    CHECK(f.discard_line);
    CHECK_EQ(frame_all(&f, line + 2000 - left, strlen(line) - 2000 + left, 100, out, sizeof out, &over, &badf,
                       &left), 1);
    CHECK_STR(out, "kept");
    CHECK_EQ(over, 1);
    free(line);
    TEST_END();

    return tap_done();
}
