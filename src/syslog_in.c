/* syslog_in.c -- the syslog listeners (see syslog_in.h): non-blocking
 * sockets polled by the caller's loop, one bounded buffer per connection,
 * framing by parse/syslog.c, TLS by OpenSSL. */
#include "syslog_in.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "parse/syslog.h"

enum tport { T_UDP, T_TCP, T_TLS };

struct listener {
    int fd;
    enum tport t;
    uint16_t port;
};

struct conn {
    int fd;
    enum tport t;
    SSL *ssl;
    bool handshaken;
    struct mw_addr peer;
    struct syslog_framer fr;
    uint8_t *buf;
    size_t len, cap;
    uint64_t last_us;
};

struct syslog_in {
    struct syslog_cfg cfg;
    syslog_deliver_fn fn;
    void *ctx;
    struct listener ls[64];
    size_t nls;
    struct conn *conns;          /* max_conns slots; fd -1 when free */
    size_t nconns;
    SSL_CTX *tls;
    uint8_t *dgram;              /* UDP receive buffer */
    size_t dgram_cap;
    struct syslog_stats st;
};

bool mw_net_parse(const char *s, struct mw_net *n)
{
    char tmp[80];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len + 1);
    char *slash = strchr(tmp, '/');
    long pfx = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        errno = 0;
        pfx = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || errno != 0 || pfx < 0 || pfx > 128)
            return false;
    }
    if (!mw_addr_parse(tmp, &n->addr))
        return false;
    bool v4 = strchr(tmp, ':') == NULL;
    if (pfx < 0)
        pfx = v4 ? 32 : 128;
    if (v4 && pfx > 32)
        return false;
    n->prefix = (unsigned)(v4 ? pfx + 96 : pfx);
    /* clear host bits so that "10.1.2.3/8" means 10.0.0.0/8 */
    for (unsigned b = n->prefix; b < 128; b++)
        n->addr.b[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
    return true;
}

bool mw_net_contains(const struct mw_net *n, const struct mw_addr *a)
{
    unsigned full = n->prefix / 8, rest = n->prefix % 8;
    if (memcmp(n->addr.b, a->b, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF00u >> rest);
    return (n->addr.b[full] & mask) == (a->b[full] & mask);
}

void syslog_cfg_defaults(struct syslog_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->max_msg = 65536;
    c->max_conns = 256;
    c->idle_timeout_s = 300;
}

static bool allowed(const struct syslog_in *s, const struct mw_addr *a)
{
    if (s->cfg.nallow == 0) {
        static const uint8_t lo6[16] = { [15] = 1 };
        return (mw_addr_is_v4(a) && a->b[12] == 127) || memcmp(a->b, lo6, 16) == 0;
    }
    for (size_t i = 0; i < s->cfg.nallow; i++)
        if (mw_net_contains(&s->cfg.allow[i], a))
            return true;
    return false;
}

static void sockaddr_to_addr(const struct sockaddr_storage *ss, struct mw_addr *a)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET)
        mw_addr_from_v4(a, (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr);
    else if (ss->ss_family == AF_INET6)
        mw_addr_from_v6(a, (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

struct syslog_in *syslog_in_new(const struct syslog_cfg *cfg, syslog_deliver_fn fn, void *ctx)
{
    struct syslog_in *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    if (s->cfg.max_conns == 0)
        s->cfg.max_conns = 1;
    s->fn = fn;
    s->ctx = ctx;
    s->conns = calloc(s->cfg.max_conns, sizeof *s->conns);
    s->dgram_cap = 65536 > cfg->max_msg + 1 ? 65536 : cfg->max_msg + 1;
    s->dgram = malloc(s->dgram_cap);
    if (!s->conns || !s->dgram) {
        free(s->conns);
        free(s->dgram);
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->cfg.max_conns; i++)
        s->conns[i].fd = -1;
    return s;
}

static int tls_setup(struct syslog_in *s, char *err, size_t errlen)
{
    if (s->tls)
        return 0;
    if (!s->cfg.tls_cert || !s->cfg.tls_key) {
        snprintf(err, errlen, "a tls:// syslog listener needs --syslog-cert and --syslog-key");
        return -2;
    }
    s->tls = SSL_CTX_new(TLS_server_method());
    if (!s->tls) {
        snprintf(err, errlen, "TLS: cannot create a context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(s->tls, TLS1_2_VERSION);
    /* no session tickets: a sender that never reads them would leave them
     * unread at close, and its kernel would answer with an RST that can
     * discard the last events still in our receive queue */
    SSL_CTX_set_num_tickets(s->tls, 0);
    if (SSL_CTX_use_certificate_chain_file(s->tls, s->cfg.tls_cert) != 1) {
        snprintf(err, errlen, "%s: cannot load the TLS certificate: %s", s->cfg.tls_cert,
                 ERR_reason_error_string(ERR_get_error()));
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(s->tls, s->cfg.tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(s->tls) != 1) {
        snprintf(err, errlen, "%s: cannot load the TLS key (or it does not match the certificate): %s",
                 s->cfg.tls_key, ERR_reason_error_string(ERR_get_error()));
        return -1;
    }
    return 0;
}

int syslog_in_listen(struct syslog_in *s, const char *url, char *err, size_t errlen)
{
    enum tport t;
    const char *p;
    if (strncmp(url, "udp://", 6) == 0)
        t = T_UDP, p = url + 6;
    else if (strncmp(url, "tcp://", 6) == 0)
        t = T_TCP, p = url + 6;
    else if (strncmp(url, "tls://", 6) == 0)
        t = T_TLS, p = url + 6;
    else {
        snprintf(err, errlen, "bad --syslog \"%s\": expected udp://ADDR:PORT, tcp://ADDR:PORT or tls://ADDR:PORT",
                 url);
        return -2;
    }
    if (s->nls >= sizeof s->ls / sizeof s->ls[0]) {
        snprintf(err, errlen, "too many syslog listeners");
        return -1;
    }
    char host[128];
    const char *colon = strrchr(p, ':');
    if (!colon || colon == p || (size_t)(colon - p) >= sizeof host || colon[1] == '\0') {
        snprintf(err, errlen, "bad --syslog \"%s\": expected ADDR:PORT after the scheme", url);
        return -2;
    }
    memcpy(host, p, (size_t)(colon - p));
    host[colon - p] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
        snprintf(err, errlen, "bad --syslog \"%s\": bad port", url);
        return -2;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct mw_addr a;
    if (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        sl = sizeof *in;
    } else if (mw_addr_parse(host, &a)) {
        if (mw_addr_is_v4(&a)) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            in->sin_family = AF_INET;
            in->sin_port = htons((uint16_t)port);
            memcpy(&in->sin_addr, a.b + 12, 4);
            sl = sizeof *in;
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((uint16_t)port);
            memcpy(&in6->sin6_addr, a.b, 16);
            sl = sizeof *in6;
        }
    } else {
        snprintf(err, errlen, "bad --syslog \"%s\": \"%s\" is not an IP address (or *)", url, host);
        return -2;
    }
    if (t == T_TLS && tls_setup(s, err, errlen) != 0)
        return -2; /* missing or unusable certificate or key: bad configuration */
    int fd = socket(ss.ss_family, (t == T_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s: socket: %s", url, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (t == T_UDP) { /* room for bursts: events arrive in batches from collectors */
        int rcv = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || (t != T_UDP && listen(fd, 128) != 0)) {
        snprintf(err, errlen, "%s: cannot listen: %s", url, strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    getsockname(fd, (struct sockaddr *)&got, &gl);
    uint16_t gport = got.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&got)->sin_port)
                                              : ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
    s->ls[s->nls++] = (struct listener){ fd, t, gport };
    return 0;
}

uint16_t syslog_in_port(const struct syslog_in *s, size_t i)
{
    return i < s->nls ? s->ls[i].port : 0;
}

size_t syslog_in_maxfds(const struct syslog_in *s)
{
    return s->nls + s->cfg.max_conns;
}

size_t syslog_in_pollfds(struct syslog_in *s, struct pollfd *pfd, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nls && n < max; i++)
        pfd[n++] = (struct pollfd){ .fd = s->ls[i].fd, .events = POLLIN };
    for (size_t i = 0; i < s->cfg.max_conns && n < max; i++)
        if (s->conns[i].fd >= 0)
            pfd[n++] = (struct pollfd){ .fd = s->conns[i].fd, .events = POLLIN };
    return n;
}

static void deliver(struct syslog_in *s, enum tport t, const uint8_t *m, size_t len, const struct mw_addr *peer,
                    uint64_t now_us)
{
    if (len == 0)
        return; /* an empty line between frames */
    s->st.messages++;
    s->st.bytes += len;
    if (t == T_UDP)
        s->st.udp++;
    else if (t == T_TCP)
        s->st.tcp++;
    else
        s->st.tls++;
    s->fn(s->ctx, m, len, peer, now_us);
}

/* Frame what is buffered; false when the connection must close. */
static bool drain(struct syslog_in *s, struct conn *c, uint64_t now_us)
{
    size_t off = 0;
    bool ok = true;
    for (;;) {
        size_t consumed, mo, ml;
        enum syslog_frame_res r = syslog_frame(&c->fr, c->buf + off, c->len - off, s->cfg.max_msg, &consumed,
                                               &mo, &ml);
        if (r == SYSLOG_MSG)
            deliver(s, c->t, c->buf + off + mo, ml, &c->peer, now_us);
        else if (r == SYSLOG_OVERSIZE)
            s->st.oversize++;
        else if (r == SYSLOG_BAD_FRAME) {
            s->st.bad_frame++;
            ok = false;
            off = c->len; /* what follows cannot be framed */
            break;
        }
        off += consumed;
        if (r == SYSLOG_NEED_MORE && consumed == 0)
            break;
        if (off >= c->len)
            break;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    return ok;
}

static void conn_close(struct syslog_in *s, struct conn *c, uint64_t now_us)
{
    /* what is left: the last newline-framed line without its newline is a
     * message; anything else was cut mid-frame */
    if (c->len > 0 || c->fr.discard > 0 || c->fr.discard_line) {
        if (c->fr.mode == SYSLOG_FRAME_LF && !c->fr.discard_line && c->len > 0) {
            size_t n = c->len;
            while (n > 0 && (c->buf[n - 1] == '\r' || c->buf[n - 1] == '\0'))
                n--;
            deliver(s, c->t, c->buf, n, &c->peer, now_us);
        } else if (!(c->fr.discard_line && c->len == 0)) {
            s->st.truncated++;
        }
    }
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
    s->nconns--;
}

static void do_accept(struct syslog_in *s, struct listener *l, uint64_t now_us)
{
    for (int k = 0; k < 64; k++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct mw_addr a;
        sockaddr_to_addr(&ss, &a);
        if (!allowed(s, &a)) {
            s->st.not_allowed++;
            close(fd);
            continue;
        }
        if (s->nconns >= s->cfg.max_conns) {
            s->st.conn_refused++;
            close(fd);
            continue;
        }
        struct conn *c = NULL;
        for (size_t i = 0; i < s->cfg.max_conns; i++)
            if (s->conns[i].fd < 0) {
                c = &s->conns[i];
                break;
            }
        if (!c) {
            s->st.conn_refused++;
            close(fd);
            continue;
        }
        memset(c, 0, sizeof *c);
        c->fd = fd;
        c->t = l->t;
        c->peer = a;
        c->last_us = now_us;
        if (l->t == T_TLS) {
            c->ssl = SSL_new(s->tls);
            if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
                s->st.tls_failed++;
                if (c->ssl)
                    SSL_free(c->ssl);
                close(fd);
                c->fd = -1;
                continue;
            }
        }
        s->nconns++;
        s->st.connections++;
    }
}

static void do_udp(struct syslog_in *s, struct listener *l, uint64_t now_us)
{
    for (int k = 0; k < 256; k++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t n = recvfrom(l->fd, s->dgram, s->dgram_cap, MSG_TRUNC, (struct sockaddr *)&ss, &sl);
        if (n < 0)
            return;
        struct mw_addr a;
        sockaddr_to_addr(&ss, &a);
        if (!allowed(s, &a)) {
            s->st.not_allowed++;
            continue;
        }
        if ((size_t)n > s->cfg.max_msg) {
            s->st.oversize++;
            continue;
        }
        size_t len = (size_t)n;
        while (len > 0 && (s->dgram[len - 1] == '\n' || s->dgram[len - 1] == '\r' || s->dgram[len - 1] == '\0'))
            len--;
        deliver(s, T_UDP, s->dgram, len, &a, now_us);
    }
}

/* Read what the connection has. false: close it. */
static bool conn_read(struct syslog_in *s, struct conn *c, uint64_t now_us)
{
    if (c->ssl && !c->handshaken) {
        int r = SSL_accept(c->ssl);
        if (r != 1) {
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return true;
            s->st.tls_failed++;
            ERR_clear_error();
            return false;
        }
        c->handshaken = true;
    }
    /* plain TCP: a bounded number of reads per wakeup (poll is level-triggered);
     * TLS: until the library wants more, since poll cannot see its buffer */
    for (int rounds = 0; c->ssl || rounds < 64; rounds++) {
        size_t want = s->cfg.max_msg + 16;
        if (c->cap < want && c->cap - c->len < 4096) {
            size_t ncap = c->cap ? c->cap * 2 : 4096;
            if (ncap > want)
                ncap = want;
            uint8_t *nb = realloc(c->buf, ncap);
            if (!nb)
                return false;
            c->buf = nb;
            c->cap = ncap;
        }
        if (c->len == c->cap) { /* cannot happen: the framer consumes a full buffer */
            s->st.oversize++;
            c->len = 0;
        }
        ssize_t n;
        if (c->ssl) {
            int r = SSL_read(c->ssl, c->buf + c->len, (int)(c->cap - c->len));
            if (r <= 0) {
                int e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                    return true;
                if (e == SSL_ERROR_ZERO_RETURN)
                    SSL_shutdown(c->ssl); /* answer the sender's close_notify */
                else {
                    s->st.tls_failed++;
                    ERR_clear_error();
                }
                return false;
            }
            n = r;
        } else {
            n = read(c->fd, c->buf + c->len, c->cap - c->len);
            if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
            if (n == 0)
                return false;
        }
        c->len += (size_t)n;
        c->last_us = now_us;
        if (!drain(s, c, now_us))
            return false;
    }
    return true;
}

void syslog_in_service(struct syslog_in *s, const struct pollfd *pfd, size_t n, uint64_t now_us)
{
    for (size_t i = 0; i < n; i++) {
        if (!pfd[i].revents)
            continue;
        struct listener *l = NULL;
        for (size_t k = 0; k < s->nls; k++)
            if (s->ls[k].fd == pfd[i].fd)
                l = &s->ls[k];
        if (l) {
            if (l->t == T_UDP)
                do_udp(s, l, now_us);
            else
                do_accept(s, l, now_us);
            continue;
        }
        for (size_t k = 0; k < s->cfg.max_conns; k++) {
            struct conn *c = &s->conns[k];
            if (c->fd != pfd[i].fd)
                continue;
            if (!conn_read(s, c, now_us))
                conn_close(s, c, now_us);
            break;
        }
    }
    uint64_t idle = (uint64_t)s->cfg.idle_timeout_s * 1000000;
    for (size_t k = 0; k < s->cfg.max_conns && s->nconns > 0; k++) {
        struct conn *c = &s->conns[k];
        if (c->fd >= 0 && idle > 0 && now_us > c->last_us + idle) {
            s->st.conn_idle++;
            conn_close(s, c, now_us);
        }
    }
}

void syslog_in_stats(const struct syslog_in *s, struct syslog_stats *st)
{
    *st = s->st;
    st->conns_open = s->nconns;
}

void syslog_in_close_all(struct syslog_in *s)
{
    for (size_t k = 0; k < s->cfg.max_conns; k++)
        if (s->conns[k].fd >= 0)
            conn_close(s, &s->conns[k], mw_wall_us());
    for (size_t i = 0; i < s->nls; i++)
        if (s->ls[i].fd >= 0) {
            close(s->ls[i].fd);
            s->ls[i].fd = -1;
        }
}

void syslog_in_free(struct syslog_in *s)
{
    if (!s)
        return;
    syslog_in_close_all(s);
    if (s->tls)
        SSL_CTX_free(s->tls);
    free(s->conns);
    free(s->dgram);
    free(s);
}
