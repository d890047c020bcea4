/* smb.c -- SMB glue (DESIGN.md section 4, "SMB"): NetBIOS framing per
 * direction (several messages in a segment, one message across segments),
 * then per message: the dialect from NEGOTIATE, the NTLMSSP user, domain
 * and workstation from SESSION_SETUP, TREE_CONNECT paths mapped to the
 * TreeId the server assigns, CREATE names joined to their tree into a full
 * UNC path, READ byte counts per open file. An SMB3 TRANSFORM (encrypted)
 * message marks the session encrypted; what was in clear is still reported.
 * A capture that starts mid-session still gives CREATE names, tree unknown.
 * Records: tree_connect when its response arrives (or at the end), create
 * when the file is closed (or at the end), so the read count is in it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/proto.h"
#include "app/sbuf.h"
#include "parse/ntlmssp.h"
#include "parse/smb.h"
#include "text.h"

#define MSG_MAX (0x1ffff + 4)  /* messages buffered whole: NetBIOS's 17-bit length */
#define HEAD_MAX 8192          /* of a longer one (445's 24-bit length: a multi-credit READ reply or
                                * WRITE request), only the head is parsed and the rest skipped */
#define TREES_MAX 32
#define PENDING_MAX 64         /* requests awaiting their response */
#define OPENS_MAX 64
#define SLOTS_FIRST 4          /* pending requests and open files have room for this many at first,
                                * doubled as needed up to their maximum: most sessions have one or two
                                * of each, and 4.6 KiB of slots made every SMB flow 5.5 KiB */

struct tree {
    uint32_t id;
    char *path;            /* at most TREE_PATH_MAX characters; NULL: none */
};
#define TREE_PATH_MAX 1023

struct pending {
    uint64_t mid;
    bool used;
    enum smb_kind kind;
    struct rec_smb *rec;   /* tree_connect or create awaiting the response */
    uint8_t file_id[16];   /* READ: which file */
};

struct open_file {
    uint8_t file_id[16];
    struct rec_smb *rec;
};

struct smb_fs {
    struct sbuf buf[2];
    uint32_t skip[2];      /* bytes of a long message's body still to pass over */
    bool broken[2];
    uint8_t version;
    char dialect[8];
    char user[256], domain[256], workstation[256];
    bool encrypted;
    struct tree trees[TREES_MAX];
    unsigned ntrees;
    struct pending *pend;  /* npend slots: a request takes the first unused one */
    struct open_file *opens;
    unsigned npend, nopens;
};

static void *smb_create(void)
{
    struct smb_fs *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->pend = calloc(SLOTS_FIRST, sizeof *s->pend);
    s->opens = calloc(SLOTS_FIRST, sizeof *s->opens);
    if (s->pend == NULL || s->opens == NULL) {
        free(s->pend);
        free(s->opens);
        free(s);
        return NULL;
    }
    s->npend = s->nopens = SLOTS_FIRST;
    return s;
}

/* Twice the slots of *a (n of size bytes), up to max, the new ones zeroed;
 * false when at max or out of memory (the slots stay as they are). */
static bool slots_grow(void **a, unsigned *n, size_t size, unsigned max)
{
    if (*n >= max)
        return false;
    unsigned m = *n * 2 < max ? *n * 2 : max;
    uint8_t *b = realloc(*a, (size_t)m * size);
    if (b == NULL)
        return false;
    memset(b + (size_t)*n * size, 0, (size_t)(m - *n) * size);
    *a = b;
    *n = m;
    return true;
}

static void emit(struct app_ctx *c, struct smb_fs *s, struct rec_smb *r)
{
    /* Identity learned later in the session (or before) belongs to the record. */
    if (!r->user[0]) {
        text_set(r->user, sizeof r->user, s->user);
        text_set(r->domain, sizeof r->domain, s->domain);
        text_set(r->workstation, sizeof r->workstation, s->workstation);
    }
    if (!r->dialect[0])
        text_set(r->dialect, sizeof r->dialect, s->dialect);
    r->encrypted = s->encrypted;
    bus_smb(c->bus, r);
    c->st.records[APP_SMB]++;
    free(r);
}

static const char *tree_path(struct smb_fs *s, uint32_t id)
{
    for (unsigned i = 0; i < s->ntrees; i++)
        if (s->trees[i].id == id)
            return s->trees[i].path;
    return NULL;
}

/* Trees hold their paths on the heap: a session rarely has more than two,
 * and a fixed 1 KiB each made every SMB flow 37 KiB. */

static void tree_add(struct smb_fs *s, uint32_t id, const char *path)
{
    unsigned k = 0;
    while (k < s->ntrees && s->trees[k].id != id)
        k++;
    if (k == s->ntrees)
        k = s->ntrees < TREES_MAX ? s->ntrees++ : 0; /* full: the first one goes */
    free(s->trees[k].path);
    s->trees[k].id = id;
    s->trees[k].path = strndup(path, TREE_PATH_MAX);
}

static struct pending *pend_find(struct smb_fs *s, uint64_t mid)
{
    for (unsigned i = 0; i < s->npend; i++)
        if (s->pend[i].used && s->pend[i].mid == mid)
            return &s->pend[i];
    return NULL;
}

static struct pending *pend_add(struct app_ctx *c, struct smb_fs *s, uint64_t mid)
{
    unsigned i = 0;
    while (i < s->npend && s->pend[i].used)
        i++;
    if (i < s->npend || slots_grow((void **)&s->pend, &s->npend, sizeof *s->pend, PENDING_MAX)) {
        memset(&s->pend[i], 0, sizeof s->pend[i]);
        s->pend[i].used = true;
        s->pend[i].mid = mid;
        return &s->pend[i];
    }
    /* Full (or no memory for more): the server is not answering; write the
     * oldest pending record. */
    struct pending *p = &s->pend[mid % s->npend];
    if (p->rec)
        emit(c, s, p->rec);
    memset(p, 0, sizeof *p);
    p->used = true;
    p->mid = mid;
    return p;
}

static struct open_file *open_find(struct smb_fs *s, const uint8_t id[16])
{
    for (unsigned i = 0; i < s->nopens; i++)
        if (s->opens[i].rec && memcmp(s->opens[i].file_id, id, 16) == 0)
            return &s->opens[i];
    return NULL;
}

static void open_add(struct app_ctx *c, struct smb_fs *s, const uint8_t id[16], struct rec_smb *r)
{
    unsigned i = 0;
    while (i < s->nopens && s->opens[i].rec != NULL)
        i++;
    if (i < s->nopens || slots_grow((void **)&s->opens, &s->nopens, sizeof *s->opens, OPENS_MAX)) {
        memcpy(s->opens[i].file_id, id, 16);
        s->opens[i].rec = r;
        return;
    }
    emit(c, s, s->opens[0].rec); /* full: write the oldest open now */
    memcpy(s->opens[0].file_id, id, 16);
    s->opens[0].rec = r;
}

static const char *version_name(uint8_t v)
{
    return v == 1 ? "1" : v == 3 ? "3" : "2";
}

static void dialect_name(uint16_t d, char *out, size_t len)
{
    switch (d) {
    case 0x0202: snprintf(out, len, "2.0.2"); break;
    case 0x0210: snprintf(out, len, "2.1"); break;
    case 0x0300: snprintf(out, len, "3.0"); break;
    case 0x0302: snprintf(out, len, "3.0.2"); break;
    case 0x0311: snprintf(out, len, "3.1.1"); break;
    case 0x0100: snprintf(out, len, "1"); break;
    default: snprintf(out, len, "0x%04x", d); break;
    }
}

static struct rec_smb *new_rec(struct app_ctx *c, struct flow *f, struct smb_fs *s, const char *cmd)
{
    struct rec_smb *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    app_rec_net(c, f, &r->n);
    r->version = version_name(s->version);
    r->command = cmd;
    return r;
}

static void on_request(struct app_ctx *c, struct flow *f, struct smb_fs *s, const struct smb_cmd *m)
{
    switch (m->kind) {
    case SMB_K_SESSION_SETUP: {
        struct ntlm_auth a;
        if (m->sec_blob && ntlmssp_find_parse(m->sec_blob, m->sec_len, &a) == MW_OK && a.msg_type == 3) {
            text_set(s->user, sizeof s->user, a.user);
            text_set(s->domain, sizeof s->domain, a.domain);
            text_set(s->workstation, sizeof s->workstation, a.workstation);
        }
        break;
    }
    case SMB_K_TREE_CONNECT: {
        struct rec_smb *r = new_rec(c, f, s, "tree_connect");
        if (r == NULL)
            return;
        text_set(r->tree, sizeof r->tree, m->path);
        struct pending *p = pend_add(c, s, m->message_id);
        p->kind = SMB_K_TREE_CONNECT;
        p->rec = r;
        break;
    }
    case SMB_K_CREATE: {
        struct rec_smb *r = new_rec(c, f, s, "create");
        if (r == NULL)
            return;
        text_set(r->name, sizeof r->name, m->path);
        const char *base = strrchr(m->path, '\\');
        text_set(r->file_name, sizeof r->file_name, base ? base + 1 : m->path);
        const char *tree = tree_path(s, m->tree_id);
        if (tree) {
            text_set(r->tree, sizeof r->tree, tree);
            const char *name = m->path[0] == '\\' ? m->path + 1 : m->path;
            text_set(r->path, sizeof r->path, tree);
            if (name[0]) {
                text_append(r->path, sizeof r->path, "\\");
                text_append(r->path, sizeof r->path, name);
            }
        }
        struct pending *p = pend_add(c, s, m->message_id);
        p->kind = SMB_K_CREATE;
        p->rec = r;
        break;
    }
    case SMB_K_READ: {
        struct pending *p = pend_add(c, s, m->message_id);
        p->kind = SMB_K_READ;
        memcpy(p->file_id, m->file_id, 16);
        break;
    }
    case SMB_K_CLOSE: {
        struct open_file *o = open_find(s, m->file_id);
        if (o) {
            emit(c, s, o->rec);
            o->rec = NULL;
        }
        break;
    }
    default:
        break;
    }
}

static void on_response(struct app_ctx *c, struct smb_fs *s, const struct smb_cmd *m)
{
    if (m->kind == SMB_K_NEGOTIATE && m->dialect) {
        dialect_name(m->dialect, s->dialect, sizeof s->dialect);
        return;
    }
    struct pending *p = pend_find(s, m->message_id);
    if (p == NULL)
        return;
    bool ok = m->status == 0;
    switch (p->kind) {
    case SMB_K_TREE_CONNECT:
        if (ok)
            tree_add(s, m->tree_id, p->rec->tree);
        p->rec->status = m->status;
        p->rec->has_status = true;
        p->rec->n.ts_us = c->now_us;
        emit(c, s, p->rec);
        p->rec = NULL;
        break;
    case SMB_K_CREATE:
        p->rec->status = m->status;
        p->rec->has_status = true;
        if (ok) {
            open_add(c, s, m->file_id, p->rec);
        } else {
            emit(c, s, p->rec);
        }
        p->rec = NULL;
        break;
    case SMB_K_READ: {
        struct open_file *o = open_find(s, p->file_id);
        if (o && ok)
            o->rec->read_bytes += m->read_data_len;
        break;
    }
    default:
        break;
    }
    p->used = false;
}

/* One message, or with head set the first bytes of a long one: then the
 * commands parsed before the cut count. */
static void message(struct app_ctx *c, struct flow *f, struct smb_fs *s, const uint8_t *p, size_t n, bool head)
{
    struct smb_msg m;
    enum mw_res rc = smb_parse(p, n, &m);
    if (rc != MW_OK && !(head && rc == MW_SHORT)) {
        c->st.bad[APP_SMB]++;
        return;
    }
    if (m.encrypted) {
        s->encrypted = true;
        if (s->version < 3)
            s->version = 3;
        return;
    }
    if (s->version == 0 || m.version < s->version)
        s->version = m.version;
    for (unsigned i = 0; i < m.ncmd; i++) {
        if (m.cmd[i].response)
            on_response(c, s, &m.cmd[i]);
        else
            on_request(c, f, s, &m.cmd[i]);
    }
}

static enum reasm_want smb_data(struct app_ctx *c, struct flow *f, void *ps, int dir,
                                enum reasm_ev ev, const uint8_t *p, size_t n)
{
    struct smb_fs *s = ps;
    struct sbuf *b = &s->buf[dir];
    if (s->broken[dir])
        return REASM_STOP;
    if (ev == REASM_GAP) {
        if (s->skip[dir] >= n) { /* lost inside a body being skipped: still in step */
            s->skip[dir] -= (uint32_t)n;
            return REASM_MORE;
        }
        /* Lost bytes: drop the partial message and resynchronise on the next
         * NetBIOS header that starts a segment. */
        s->skip[dir] = 0;
        b->n = 0;
        return REASM_MORE;
    }
    if (ev != REASM_DATA)
        return REASM_MORE;
    if (s->skip[dir]) {
        size_t k = n < s->skip[dir] ? n : s->skip[dir];
        s->skip[dir] -= (uint32_t)k;
        p += k;
        n -= k;
        if (n == 0)
            return REASM_MORE;
    }
    /* With nothing held, the segment is parsed where it lies (most carry
     * whole messages) and only an unfinished message's bytes are kept. */
    bool held = b->n > 0;
    if (held && !sbuf_add(b, p, n, 2 * MSG_MAX)) {
        s->broken[dir] = true;
        c->st.gave_up[APP_SMB]++;
        return REASM_STOP;
    }
    const uint8_t *q = held ? b->p : p;
    size_t m = held ? b->n : n;
    for (;;) {
        const uint8_t *msg;
        size_t len, used;
        uint8_t type;
        enum mw_res rc = nbss_frame(q, m, &msg, &len, &used, &type);
        if (rc == MW_SHORT && type == 0x00 && used > MSG_MAX && m >= 4 + HEAD_MAX) {
            /* a long message: its head now, its body passed over as it comes
             * (a body that does not start like SMB is not taken on trust) */
            if (memcmp(q + 5, "SMB", 3) != 0) {
                m = 0;
                c->st.bad[APP_SMB]++;
                break;
            }
            message(c, f, s, q + 4, m - 4, true);
            s->skip[dir] = (uint32_t)(used - m);
            m = 0;
            break;
        }
        if (rc == MW_SHORT)
            break;
        if (rc != MW_OK) { /* not at a message boundary (after a gap): wait for the next segment */
            m = 0;
            c->st.bad[APP_SMB]++;
            break;
        }
        if (type == 0x00 && len > 0)
            message(c, f, s, msg, len, false);
        q += used;
        m -= used;
    }
    /* m bytes are left, an unfinished message: under MSG_MAX, or under
     * HEAD_MAX of a longer one */
    if (held) {
        sbuf_consume(b, b->n - m);
    } else if (!sbuf_add(b, q, m, 2 * MSG_MAX)) {
        s->broken[dir] = true;
        c->st.gave_up[APP_SMB]++;
        return REASM_STOP;
    }
    sbuf_trim(b);
    return REASM_MORE;
}

static void smb_end(struct app_ctx *c, struct flow *f, void *ps)
{
    (void)f;
    struct smb_fs *s = ps;
    for (unsigned i = 0; i < s->npend; i++)
        if (s->pend[i].used && s->pend[i].rec) {
            emit(c, s, s->pend[i].rec);
            s->pend[i].rec = NULL;
        }
    for (unsigned i = 0; i < s->nopens; i++)
        if (s->opens[i].rec) {
            emit(c, s, s->opens[i].rec);
            s->opens[i].rec = NULL;
        }
}

static void smb_destroy(void *ps)
{
    struct smb_fs *s = ps;
    for (unsigned i = 0; i < s->npend; i++)
        free(s->pend[i].rec);
    for (unsigned i = 0; i < s->nopens; i++)
        free(s->opens[i].rec);
    free(s->pend);
    free(s->opens);
    for (unsigned i = 0; i < s->ntrees; i++)
        free(s->trees[i].path);
    sbuf_free(&s->buf[0]);
    sbuf_free(&s->buf[1]);
    free(s);
}

const struct app_ops app_smb_ops = { "smb", smb_create, smb_data, smb_end, smb_destroy };
