/* http.c -- HTTP/1.x glue (DESIGN.md section 4, "HTTP"): every request of a
 * connection, keep-alive and pipelined, paired in order with its response;
 * bodies are never stored: their first bytes give file.type
 * (parse/payload.c) and a streaming SHA-256 gives file.hash.sha256 when the
 * whole body was seen. WebDAV requests of the Windows redirector also get
 * the UNC form of their path. In: reassembled bytes per direction. Out:
 * struct rec_http to output.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app/proto.h"
#include "app/sbuf.h"
#include "parse/http.h"
#include "parse/inflate.h"
#include "parse/payload.h"
#include "text.h"

#define HEAD_MAX (64 * 1024)   /* a head still incomplete past this is not HTTP we can follow */
#define PENDING_MAX 32         /* requests waiting for their response (pipelining) */

enum body_mode { B_NONE, B_LENGTH, B_CHUNKED, B_TO_CLOSE };

struct txn {
    struct rec_http r;
    bool head_request, connect;
};

struct side {
    struct sbuf buf;            /* head bytes not parsed yet */
    enum body_mode mode;
    uint64_t left;              /* B_LENGTH: body bytes still to come */
    struct http_chunked ch;
    bool broken;                /* gave up on this direction */
};

struct http_fs {
    struct side s[2];
    struct txn *pend[PENDING_MAX]; /* FIFO of requests without a response */
    unsigned head, count;
    struct txn *cur;            /* response whose body is being read */
    EVP_MD_CTX *sha;
    bool hashing;               /* this body is being hashed: it may be a payload, or --hash-bodies all */
    bool hash_all;
    uint8_t *sniff;             /* first body bytes, until the type is known */
    size_t nsniff;
    enum payload_type type;
    struct mw_inflate dec;      /* Content-Encoding gzip/deflate: decoding for the type */
    bool decoding;
    bool ole_pending;           /* a large OLE file: its root entry is still to come */
    uint64_t ole_off;           /* where, from the start of the body */
    unsigned ole_have;
    uint8_t ole_entry[128];
    bool body_gap, tunnel;
};

static void *http_create(void)
{
    return calloc(1, sizeof(struct http_fs));
}

static void emit(struct app_ctx *c, struct txn *t)
{
    bus_http(c->bus, &t->r);
    c->st.records[APP_HTTP]++;
    free(t);
}

/* ---- request side ---------------------------------------------------- */

static void percent_decode_backslash(char *dst, size_t cap, const char *src)
{
    size_t o = 0;
    for (size_t i = 0; src[i] && o + 1 < cap; i++) {
        char ch = src[i];
        if (ch == '%' && src[i + 1] && src[i + 2]) {
            char hx[3] = { src[i + 1], src[i + 2], 0 };
            char *end;
            long v = strtol(hx, &end, 16);
            if (*end == '\0' && v > 0x1f) {
                ch = (char)v;
                i += 2;
            }
        }
        dst[o++] = ch == '/' ? '\\' : ch;
    }
    dst[o] = '\0';
}

static void fill_request(struct app_ctx *c, struct flow *f, struct txn *t, const struct http_req *q)
{
    struct rec_http *r = &t->r;
    app_rec_net(c, f, &r->n);
    text_copy(r->method, sizeof r->method, q->method.p, q->method.n);
    t->head_request = http_slice_ieq(q->method, "HEAD");
    t->connect = http_slice_ieq(q->method, "CONNECT");
    struct http_target tg;
    memset(&tg, 0, sizeof tg);
    struct mw_slice hosth = http_header(q->hdr, q->nhdr, "Host");
    struct mw_slice host = { NULL, 0 };
    uint16_t port = 0;
    if (http_target_split(q->target, t->connect, &tg) == MW_OK && (tg.absolute || tg.authority)) {
        host = tg.host;
        port = tg.port;
    } else if (hosth.p) {
        http_host_split(hosth, &host, &port);
    }
    if (host.p)
        text_copy_lower(r->host, sizeof r->host, host.p, host.n);
    r->port = port ? port : r->n.dport;
    text_copy(r->path, sizeof r->path, tg.path.p, tg.path.n);
    text_copy(r->query, sizeof r->query, tg.query.p, tg.query.n);
    char target[REC_URL_MAX];
    text_copy(target, sizeof target, q->target.p, q->target.n);
    if (tg.absolute || t->connect) {
        text_set(r->url, sizeof r->url, target);
    } else {
        const char *h = r->host[0] ? r->host : "";
        char hostpart[300];
        if (port && port != 80)
            snprintf(hostpart, sizeof hostpart, "%s:%u", h, port);
        else
            text_set(hostpart, sizeof hostpart, h);
        r->url[0] = '\0';
        text_append(r->url, sizeof r->url, "http://");
        text_append(r->url, sizeof r->url, hostpart);
        text_append(r->url, sizeof r->url, target);
    }
    struct mw_slice ua = http_header(q->hdr, q->nhdr, "User-Agent");
    if (ua.p)
        text_copy(r->user_agent, sizeof r->user_agent, ua.p, ua.n);
    static const char redir[] = "Microsoft-WebDAV-MiniRedir";
    if (ua.p && ua.n >= sizeof redir - 1 && memcmp(ua.p, redir, sizeof redir - 1) == 0) {
        r->webdav = true;
        char path[REC_URL_MAX];
        percent_decode_backslash(path, sizeof path, r->path);
        char portpart[16] = "";
        if (r->port != 80)
            snprintf(portpart, sizeof portpart, "@%u", r->port);
        r->unc[0] = '\0';
        text_append(r->unc, sizeof r->unc, "\\\\");
        text_append(r->unc, sizeof r->unc, r->host);
        text_append(r->unc, sizeof r->unc, portpart);
        text_append(r->unc, sizeof r->unc, "\\DavWWWRoot");
        text_append(r->unc, sizeof r->unc, path);
    }
    r->body = "none";
}

static void push(struct app_ctx *c, struct http_fs *h, struct txn *t)
{
    if (h->count == PENDING_MAX) { /* the server never answers: write the oldest alone */
        emit(c, h->pend[h->head]);
        h->head = (h->head + 1) % PENDING_MAX;
        h->count--;
    }
    h->pend[(h->head + h->count) % PENDING_MAX] = t;
    h->count++;
}

static struct txn *pop(struct http_fs *h)
{
    if (h->count == 0)
        return NULL;
    struct txn *t = h->pend[h->head];
    h->head = (h->head + 1) % PENDING_MAX;
    h->count--;
    return t;
}

/* After a head parse: true when a head was parsed. Otherwise wait for more
 * bytes (giving up, counted, once the buffer holds HEAD_MAX) or, for bytes
 * that are not HTTP, stop following this direction (counted). */
static bool head_parsed(struct app_ctx *c, struct side *s, enum mw_res rc)
{
    if (rc == MW_OK)
        return true;
    if (rc == MW_BAD) {
        s->broken = true;
        c->st.bad[APP_HTTP]++;
    } else if (s->buf.n >= HEAD_MAX) {
        s->broken = true;
        c->st.gave_up[APP_HTTP]++;
    }
    return false;
}

/* Parse request heads from the buffer; bodies are skipped. */
static void requests(struct app_ctx *c, struct flow *f, struct http_fs *h, struct side *s)
{
    while (!s->broken && s->mode == B_NONE && s->buf.n > 0) {
        struct http_req q;
        size_t used = 0;
        enum mw_res rc = http_req_parse(s->buf.p, s->buf.n, &q, &used);
        if (!head_parsed(c, s, rc))
            return;
        struct txn *t = calloc(1, sizeof *t);
        if (t == NULL) {
            s->broken = true;
            return;
        }
        fill_request(c, f, t, &q);
        uint64_t cl;
        if (http_is_chunked(q.hdr, q.nhdr)) {
            s->mode = B_CHUNKED;
            http_chunked_init(&s->ch);
        } else if (http_content_length(q.hdr, q.nhdr, &cl) && cl > 0) {
            s->mode = B_LENGTH;
            s->left = cl;
        }
        push(c, h, t);
        sbuf_consume(&s->buf, used);
        if (t->connect) { /* what follows is a tunnel, not HTTP: stop reading requests */
            s->broken = true;
            return;
        }
    }
}

/* ---- response side ---------------------------------------------------- */

static void body_start(struct app_ctx *c, struct http_fs *h)
{
    h->type = PT_UNKNOWN;
    h->nsniff = 0;
    h->body_gap = false;
    h->ole_pending = false;
    mw_inflate_end(&h->dec);
    h->decoding = h->cur && mw_inflate_begin(&h->dec, h->cur->r.content_encoding);
    if (h->sha == NULL)
        h->sha = EVP_MD_CTX_new();
    h->hashing = h->sha && EVP_DigestInit_ex(h->sha, c->sha256, NULL) == 1;
}

/* Hashing goes on while the body may be a payload (its type not yet known,
 * an OLE file whose root entry is to come, or a payload type): a body of
 * another type stops it at once, unless --hash-bodies all. */
static void hash_or_not(struct http_fs *h)
{
    if (!h->hash_all && h->type == PT_OTHER && !h->ole_pending)
        h->hashing = false;
}

/* A large OLE file (MSIs of any size): collect its root directory entry
 * as the body goes by, from body offset start on. */
static void ole_collect(struct http_fs *h, uint64_t start, const uint8_t *p, size_t n)
{
    uint64_t lo = start > h->ole_off ? start : h->ole_off;
    uint64_t hi = start + n < h->ole_off + sizeof h->ole_entry ? start + n : h->ole_off + sizeof h->ole_entry;
    if (lo >= hi)
        return;
    memcpy(h->ole_entry + (lo - h->ole_off), p + (lo - start), (size_t)(hi - lo));
    h->ole_have += (unsigned)(hi - lo);
    if (h->ole_have >= sizeof h->ole_entry) {
        h->type = payload_ole_root_type(h->ole_entry);
        h->ole_pending = false;
        hash_or_not(h);
    }
}

static void body_bytes(void *user, const uint8_t *p, size_t n)
{
    struct http_fs *h = user;
    if (h->cur == NULL)
        return;
    uint64_t start = h->cur->r.size;
    h->cur->r.size += n;
    if (h->ole_pending && !h->body_gap)
        ole_collect(h, start, p, n);
    if (h->hashing && !h->body_gap)
        EVP_DigestUpdate(h->sha, p, n);
    if (h->type == PT_UNKNOWN) {
        const uint8_t *sp; /* the bytes to type: the body's first, in place or copied */
        size_t sn;
        bool final;
        if (h->decoding) { /* type what the encoding holds */
            if (h->sniff == NULL && (h->sniff = malloc(PAYLOAD_SNIFF_MAX)) == NULL) {
                h->type = PT_OTHER;
                return;
            }
            h->nsniff += mw_inflate_feed(&h->dec, p, n, h->sniff + h->nsniff, PAYLOAD_SNIFF_MAX - h->nsniff);
            final = h->nsniff >= PAYLOAD_SNIFF_MAX || h->dec.done;
            sp = h->sniff;
            sn = h->nsniff;
        } else if (h->nsniff == 0) {
            /* the first bytes: most bodies are typed by them where they
             * are, and are copied only when more are needed */
            sn = n < PAYLOAD_SNIFF_MAX ? n : PAYLOAD_SNIFF_MAX;
            sp = p;
            final = sn >= PAYLOAD_SNIFF_MAX;
        } else {
            size_t k = n < PAYLOAD_SNIFF_MAX - h->nsniff ? n : PAYLOAD_SNIFF_MAX - h->nsniff;
            memcpy(h->sniff + h->nsniff, p, k);
            h->nsniff += k;
            final = h->nsniff >= PAYLOAD_SNIFF_MAX;
            sp = h->sniff;
            sn = h->nsniff;
        }
        h->type = payload_sniff(sp, sn, final);
        if (h->type == PT_UNKNOWN && final)
            h->type = PT_OTHER;
        uint64_t off;
        if (h->type == PT_OTHER && !h->decoding && payload_ole_root_offset(sp, sn, &off)) {
            h->ole_pending = true; /* the type waits for the root entry */
            h->ole_off = off;
            h->ole_have = 0;
            ole_collect(h, start, p, n);
        }
        hash_or_not(h);
        if (h->type != PT_UNKNOWN) {
            free(h->sniff);
            h->sniff = NULL;
            if (h->decoding)
                h->cur->r.decoded = !h->dec.failed || h->nsniff > 0;
            mw_inflate_end(&h->dec);
        } else if (sp == p) { /* more bytes are needed: keep these */
            if ((h->sniff = malloc(PAYLOAD_SNIFF_MAX)) == NULL) {
                h->type = PT_OTHER;
                hash_or_not(h);
                return;
            }
            memcpy(h->sniff, p, sn);
            h->nsniff = sn;
        }
    }
}

/* The response body ended: complete says whether all of it was seen. */
static void body_end(struct app_ctx *c, struct http_fs *h, bool complete)
{
    struct txn *t = h->cur;
    if (t == NULL)
        return;
    struct rec_http *r = &t->r;
    if (h->type == PT_UNKNOWN) {
        h->type = h->nsniff ? payload_sniff(h->sniff, h->nsniff, true) : PT_UNKNOWN;
        if (h->decoding && h->nsniff > 0)
            r->decoded = true;
    }
    free(h->sniff);
    h->sniff = NULL;
    mw_inflate_end(&h->dec);
    if (r->size > 0 || h->type != PT_UNKNOWN)
        r->file_type = payload_type_name(h->type == PT_UNKNOWN ? PT_OTHER : h->type);
    if (r->status == 206)
        r->body = "partial";
    else if (h->body_gap)
        r->body = "gap";
    else if (!complete)
        r->body = "truncated";
    else
        r->body = r->size ? "complete" : "none";
    h->ole_pending = false; /* an OLE file whose root entry never came is decided by its type now */
    hash_or_not(h);
    if (r->size && complete && !h->body_gap && r->status != 206 && h->hashing) {
        unsigned len = 0;
        EVP_DigestFinal_ex(h->sha, r->sha256, &len);
        r->has_hash = true;
    }
    h->cur = NULL;
    emit(c, t);
}

static void mime_copy(char *dst, size_t cap, struct mw_slice v)
{
    size_t k = 0;
    while (k < v.n && v.p[k] != ';')
        k++;
    while (k > 0 && (v.p[k - 1] == ' ' || v.p[k - 1] == '\t'))
        k--;
    text_copy_lower(dst, cap, v.p, k);
}

static void responses(struct app_ctx *c, struct flow *f, struct http_fs *h, struct side *s)
{
    while (!s->broken && s->mode == B_NONE && s->buf.n > 0 && !h->tunnel) {
        struct http_resp rs;
        size_t used = 0;
        enum mw_res rc = http_resp_parse(s->buf.p, s->buf.n, &rs, &used);
        if (!head_parsed(c, s, rc))
            return;
        if (rs.status >= 100 && rs.status < 200 && rs.status != 101) {
            sbuf_consume(&s->buf, used);
            continue; /* 100 Continue and friends: the real response follows */
        }
        struct txn *t = pop(h);
        if (t == NULL) { /* a response whose request we did not see (capture began mid-stream) */
            t = calloc(1, sizeof *t);
            if (t == NULL) {
                sbuf_consume(&s->buf, used);
                return;
            }
            app_rec_net(c, f, &t->r.n);
            t->r.port = t->r.n.dport;
            t->r.body = "none";
        }
        struct rec_http *r = &t->r;
        r->n.ts_us = c->now_us;
        r->has_response = true;
        r->status = rs.status;
        struct mw_slice ct = http_header(rs.hdr, rs.nhdr, "Content-Type");
        if (ct.p)
            mime_copy(r->mime, sizeof r->mime, ct);
        struct mw_slice ce = http_header(rs.hdr, rs.nhdr, "Content-Encoding");
        if (ce.p)
            text_copy_lower(r->content_encoding, sizeof r->content_encoding, ce.p, ce.n);
        uint64_t cl = 0;
        bool has_cl = http_content_length(rs.hdr, rs.nhdr, &cl);
        r->has_content_length = has_cl;
        r->content_length = cl;
        bool chunked = http_is_chunked(rs.hdr, rs.nhdr);
        /* The header slices point into the buffer: consume only now. */
        sbuf_consume(&s->buf, used);
        h->cur = t;
        if (t->connect && rs.status >= 200 && rs.status < 300) {
            h->tunnel = true; /* bytes after this are the tunnel's, not HTTP */
            body_end(c, h, true);
            return;
        }
        if (rs.status == 101) {
            h->tunnel = true;
            body_end(c, h, true);
            return;
        }
        if (t->head_request || rs.status == 204 || rs.status == 304) {
            body_end(c, h, true);
            continue;
        }
        body_start(c, h);
        if (chunked) {
            s->mode = B_CHUNKED;
            http_chunked_init(&s->ch);
        } else if (has_cl) {
            if (cl == 0) {
                body_end(c, h, true);
                continue;
            }
            s->mode = B_LENGTH;
            s->left = cl;
        } else {
            s->mode = B_TO_CLOSE;
        }
    }
}

static void body_discard(void *user, const uint8_t *p, size_t n)
{
    (void)user; (void)p; (void)n; /* request bodies are skipped, not kept */
}

/* Bytes of a body in direction dir; returns how many were body bytes. */
static size_t body_feed(struct app_ctx *c, struct http_fs *h, int dir, struct side *s,
                        const uint8_t *p, size_t n)
{
    void (*sink)(void *, const uint8_t *, size_t) = dir == 1 ? body_bytes : NULL;
    switch (s->mode) {
    case B_LENGTH: {
        size_t k = s->left < n ? (size_t)s->left : n;
        if (sink)
            sink(h, p, k);
        s->left -= k;
        if (s->left == 0) {
            s->mode = B_NONE;
            if (dir == 1)
                body_end(c, h, true);
        }
        return k;
    }
    case B_CHUNKED: {
        size_t k = http_chunked_feed(&s->ch, p, n, sink ? sink : body_discard, h);
        if (s->ch.bad) {
            s->broken = true;
            c->st.bad[APP_HTTP]++;
            if (dir == 1)
                body_end(c, h, false);
            return n;
        }
        if (s->ch.done) {
            s->mode = B_NONE;
            if (dir == 1)
                body_end(c, h, true);
        }
        return k;
    }
    case B_TO_CLOSE:
        if (sink)
            sink(h, p, n);
        return n;
    case B_NONE:
        break;
    }
    return 0;
}

static enum reasm_want http_data(struct app_ctx *c, struct flow *f, void *ps, int dir,
                                 enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct http_fs *h = ps;
    struct side *s = &h->s[dir];
    h->hash_all = c->hash_all;
    if (s->broken || h->tunnel)
        return REASM_STOP;
    if (ev == REASM_GAP) {
        if (s->mode == B_LENGTH && n <= s->left) {
            s->left -= n;
            if (dir == 1 && h->cur) {
                h->body_gap = true;
                h->cur->r.size += n;
                h->type = h->type == PT_UNKNOWN && h->nsniff == 0 ? PT_UNKNOWN : h->type;
            }
            if (s->left == 0) {
                s->mode = B_NONE;
                if (dir == 1)
                    body_end(c, h, true);
            }
            return REASM_MORE;
        }
        if (s->mode == B_TO_CLOSE && dir == 1) {
            h->body_gap = true;
            return REASM_MORE;
        }
        /* A hole in a head or a chunked body: we cannot find the next message. */
        if (dir == 1 && h->cur) {
            h->body_gap = true;
            body_end(c, h, false);
        }
        s->broken = true;
        c->st.gave_up[APP_HTTP]++;
        return REASM_STOP;
    }
    if (ev == REASM_END) {
        if (dir == 1 && h->cur)
            body_end(c, h, s->mode == B_TO_CLOSE);
        return REASM_MORE;
    }
    while (n > 0 && !s->broken && !h->tunnel) {
        if (s->mode != B_NONE) {
            size_t k = body_feed(c, h, dir, s, p, n);
            p += k;
            n -= k;
            continue;
        }
        if (!sbuf_add(&s->buf, p, n, HEAD_MAX)) {
            /* Append only as much as the head cap allows, then parse. */
            size_t room = HEAD_MAX - s->buf.n;
            if (room == 0 || !sbuf_add(&s->buf, p, room, HEAD_MAX)) {
                s->broken = true;
                c->st.gave_up[APP_HTTP]++;
                break;
            }
            p += room;
            n -= room;
        } else {
            n = 0;
        }
        if (dir == 0)
            requests(c, f, h, s);
        else
            responses(c, f, h, s);
        /* Bytes left in the buffer after a head are body bytes: feed them. */
        while (s->mode != B_NONE && s->buf.n > 0 && !s->broken) {
            size_t k = body_feed(c, h, dir, s, s->buf.p, s->buf.n);
            sbuf_consume(&s->buf, k);
            if (s->mode == B_NONE) {
                if (dir == 0)
                    requests(c, f, h, s);
                else
                    responses(c, f, h, s);
            }
            if (k == 0)
                break;
        }
        sbuf_trim(&s->buf); /* between messages a stream holds no memory */
    }
    return (s->broken || h->tunnel) ? REASM_STOP : REASM_MORE;
}

static void http_end(struct app_ctx *c, struct flow *f, void *ps)
{
    (void)f;
    struct http_fs *h = ps;
    if (h->cur)
        body_end(c, h, h->s[1].mode == B_TO_CLOSE && !h->body_gap);
    struct txn *t;
    while ((t = pop(h)) != NULL) /* requests that never got a response */
        emit(c, t);
}

static void http_destroy(void *ps)
{
    struct http_fs *h = ps;
    struct txn *t;
    while ((t = pop(h)) != NULL)
        free(t);
    free(h->cur);
    for (int i = 0; i < 2; i++)
        sbuf_free(&h->s[i].buf);
    EVP_MD_CTX_free(h->sha);
    free(h->sniff);
    mw_inflate_end(&h->dec);
    free(h);
}

const struct app_ops app_http_ops = { "http", http_create, http_data, http_end, http_destroy };
