/* output.c -- records and stats to ECS JSON lines (see output.h). Nested
 * objects, never dotted keys; msiwatch-specific fields under "msiwatch". */
#include "output.h"

#include "correlate.h"
#include "identity.h"
#include "rarity.h"
#include "syslog_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

const char *output_time(uint64_t ts_us, char *buf, size_t len)
{
    time_t s = (time_t)(ts_us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06uZ", day, (unsigned)(ts_us % 1000000));
    return buf;
}

static FILE *open_out(const char *path, const char *what, char *err, size_t errlen)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "a");
    if (f == NULL)
        snprintf(err, errlen, "cannot open %s file %s: %s", what, path, strerror(errno));
    return f;
}

int output_open(struct output *o, const char *alerts_path, const char *records_path,
                const char *observer_name, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    snprintf(o->observer, sizeof o->observer, "%s", observer_name ? observer_name : "msiwatch");
    o->alerts_path = alerts_path ? alerts_path : "-";
    o->alerts = open_out(alerts_path, "alert output", err, errlen);
    if (o->alerts == NULL)
        return -1;
    if (records_path) {
        o->records_path = records_path;
        o->records = open_out(records_path, "records", err, errlen);
        if (o->records == NULL) {
            if (o->alerts != stdout)
                fclose(o->alerts);
            o->alerts = NULL;
            return -1;
        }
    }
    return 0;
}

static void note_failure(struct output *o, const char *path)
{
    if (!o->failed)
        snprintf(o->err, sizeof o->err, "cannot write %s: %s",
                 strcmp(path, "-") == 0 ? "standard output" : path, strerror(errno));
    o->failed = true;
}

static int close_one(struct output *o, FILE *f, const char *path)
{
    if (f == NULL)
        return 0;
    int bad = fflush(f) != 0 || ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad)
        note_failure(o, path);
    return bad ? -1 : 0;
}

void output_flush(struct output *o)
{
    if (o->alerts && fflush(o->alerts) != 0)
        note_failure(o, o->alerts_path);
    if (o->records && o->records != o->alerts && fflush(o->records) != 0)
        note_failure(o, o->records_path);
}

/* Reopen one file output in place (logrotate moved it away). */
static int reopen_one(struct output *o, FILE **f, const char *path, const char *what, char *err, size_t errlen)
{
    if (*f == NULL || *f == stdout || path == NULL || strcmp(path, "-") == 0)
        return 0;
    FILE *n = open_out(path, what, err, errlen);
    if (n == NULL)
        return -1; /* keep writing to the old file: nothing is lost */
    if (fflush(*f) != 0 || ferror(*f))
        note_failure(o, path);
    fclose(*f);
    *f = n;
    return 0;
}

int output_reopen(struct output *o, char *err, size_t errlen)
{
    bool same = o->records == o->alerts;
    int rc = reopen_one(o, &o->alerts, o->alerts_path, "alert output", err, errlen);
    if (same)
        o->records = o->alerts;
    else if (reopen_one(o, &o->records, o->records_path, "records", err, errlen) != 0)
        rc = -1;
    return rc;
}

int output_close(struct output *o, char *err, size_t errlen)
{
    FILE *a = o->alerts, *r = o->records;
    close_one(o, a, o->alerts_path);
    if (r != a)
        close_one(o, r, o->records_path);
    o->alerts = o->records = NULL;
    if (o->failed) {
        snprintf(err, errlen, "%s", o->err);
        return -1;
    }
    return 0;
}

static void emit(struct output *o, FILE *f, const char *path, json_t *j)
{
    if (f == NULL || o->failed) {
        json_decref(j);
        return;
    }
    /* one write per record: into a buffer, then the line (json_dumpf
     * writes token by token, a third of a --records run) */
    static char buf[65536];
    size_t n = json_dumpb(j, buf, sizeof buf - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int bad;
    if (n > 0 && n < sizeof buf - 1) {
        buf[n] = '\n';
        bad = fwrite(buf, 1, n + 1, f) != n + 1;
    } else {
        bad = json_dumpf(j, f, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF;
    }
    if (bad)
        note_failure(o, path);
    json_decref(j);
}

/* obj[key] as an object, created on first use: nested ECS objects. */
static json_t *sub(json_t *obj, const char *key)
{
    json_t *s = json_object_get(obj, key);
    if (s == NULL) {
        s = json_object();
        json_object_set_new_nocheck(obj, key, s);
    }
    return s;
}

static json_t *jtime(uint64_t ts_us)
{
    char b[40];
    return json_string_nocheck(output_time(ts_us, b, sizeof b));
}

static json_t *jaddr(const struct mw_addr *a)
{
    char b[64];
    return json_string_nocheck(mw_addr_str(a, b, sizeof b));
}

static json_t *base_record(const char *observer, uint64_t ts_us, const char *kind, const char *dataset)
{
    json_t *j = json_object();
    json_object_set_new_nocheck(j, "@timestamp", jtime(ts_us));
    json_t *ev = sub(j, "event");
    json_object_set_new_nocheck(ev, "kind", json_string(kind));
    json_object_set_new_nocheck(ev, "dataset", json_string(dataset));
    json_object_set_new_nocheck(sub(j, "observer"), "name", json_string(observer));
    return j;
}

static void lower_copy(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < len; i++)
        dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
    dst[i] = '\0';
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void output_flow(struct output *o, const struct rec_flow *r)
{
    if (o->records == NULL)
        return;
    json_t *j = base_record(o->observer, r->start_us, "event", "msiwatch.flow");
    json_t *ev = sub(j, "event");
    json_object_set_new_nocheck(ev, "start", jtime(r->start_us));
    json_object_set_new_nocheck(ev, "end", jtime(r->end_us));
    json_t *s = sub(j, "source"), *d = sub(j, "destination");
    json_object_set_new_nocheck(s, "ip", jaddr(&r->src));
    json_object_set_new_nocheck(s, "port", json_integer(r->sport));
    json_object_set_new_nocheck(s, "packets", json_integer((json_int_t)r->pkts[0]));
    json_object_set_new_nocheck(s, "bytes", json_integer((json_int_t)r->bytes[0]));
    json_object_set_new_nocheck(d, "ip", jaddr(&r->dst));
    json_object_set_new_nocheck(d, "port", json_integer(r->dport));
    json_object_set_new_nocheck(d, "packets", json_integer((json_int_t)r->pkts[1]));
    json_object_set_new_nocheck(d, "bytes", json_integer((json_int_t)r->bytes[1]));
    json_t *n = sub(j, "network");
    json_object_set_new_nocheck(n, "transport", json_string(r->l4proto == 6 ? "tcp" : "udp"));
    char proto[64];
    lower_copy(proto, sizeof proto, r->protocol);
    json_object_set_new_nocheck(n, "protocol", json_string(proto));
    json_object_set_new_nocheck(n, "packets", json_integer((json_int_t)(r->pkts[0] + r->pkts[1])));
    json_object_set_new_nocheck(n, "bytes", json_integer((json_int_t)(r->bytes[0] + r->bytes[1])));
    if (r->nvlan > 0)
        json_object_set_new_nocheck(sub(n, "vlan"), "id", json_integer(r->vlan[0]));
    if (r->nvlan > 1)
        json_object_set_new_nocheck(sub(sub(n, "inner"), "vlan"), "id", json_integer(r->vlan[1]));
    json_t *m = sub(sub(j, "msiwatch"), "flow");
    json_object_set_new_nocheck(m, "id", json_integer((json_int_t)r->id));
    json_object_set_new_nocheck(m, "ndpi", json_string(r->ndpi_name));
    if (r->ndpi_guessed)
        json_object_set_new_nocheck(m, "ndpi_guessed", json_true());
    json_object_set_new_nocheck(m, "end_reason", json_string(r->end_reason));
    if (r->l4proto == 6) {
        json_t *tcp = sub(m, "tcp");
        json_object_set_new_nocheck(tcp, "client_bytes", json_integer((json_int_t)r->app_bytes[0]));
        json_object_set_new_nocheck(tcp, "server_bytes", json_integer((json_int_t)r->app_bytes[1]));
        json_object_set_new_nocheck(tcp, "client_gaps", json_integer(r->gaps[0]));
        json_object_set_new_nocheck(tcp, "server_gaps", json_integer(r->gaps[1]));
        if (r->has_digest) {
            char h[65];
            hex(h, r->sha256[0], 32);
            json_object_set_new_nocheck(tcp, "client_sha256", json_string_nocheck(h));
            hex(h, r->sha256[1], 32);
            json_object_set_new_nocheck(tcp, "server_sha256", json_string_nocheck(h));
        }
    }
    emit(o, o->records, o->records_path, j);
}

/* The fields every network record shares (DESIGN.md section 4). */
static json_t *net_record(struct output *o, const struct rec_net *n, const char *dataset,
                          const char *protocol)
{
    json_t *j = base_record(o->observer, n->ts_us, "event", dataset);
    json_t *s = sub(j, "source"), *d = sub(j, "destination");
    json_object_set_new_nocheck(s, "ip", jaddr(&n->src));
    json_object_set_new_nocheck(s, "port", json_integer(n->sport));
    json_object_set_new_nocheck(d, "ip", jaddr(&n->dst));
    json_object_set_new_nocheck(d, "port", json_integer(n->dport));
    if (n->dst_domain[0])
        json_object_set_new_nocheck(d, "domain", json_string(n->dst_domain));
    json_t *nw = sub(j, "network");
    json_object_set_new_nocheck(nw, "transport", json_string(n->l4proto == 6 ? "tcp" : "udp"));
    json_object_set_new_nocheck(nw, "protocol", json_string(protocol));
    if (n->has_vlan)
        json_object_set_new_nocheck(sub(nw, "vlan"), "id", json_integer(n->vlan));
    json_object_set_new_nocheck(sub(sub(j, "msiwatch"), "flow"), "id", json_integer((json_int_t)n->flow_id));
    return j;
}

static void set_str(json_t *obj, const char *k, const char *v)
{
    if (v && v[0])
        json_object_set_new_nocheck(obj, k, json_string(v));
}

void output_http(struct output *o, const struct rec_http *r)
{
    if (o->records == NULL)
        return;
    json_t *j = net_record(o, &r->n, "msiwatch.http", "http");
    if (r->method[0]) /* not when only the response was seen */
        set_str(sub(sub(j, "http"), "request"), "method", r->method);
    json_t *u = sub(j, "url");
    set_str(u, "domain", r->host);
    json_object_set_new_nocheck(u, "port", json_integer(r->port));
    set_str(u, "path", r->path);
    set_str(u, "query", r->query);
    set_str(u, "original", r->url);
    if (r->user_agent[0])
        json_object_set_new_nocheck(sub(j, "user_agent"), "original", json_string(r->user_agent));
    if (r->has_response) {
        json_t *rs = sub(sub(j, "http"), "response");
        json_object_set_new_nocheck(rs, "status_code", json_integer(r->status));
        set_str(rs, "mime_type", r->mime);
        if (r->has_content_length)
            json_object_set_new_nocheck(sub(rs, "body"), "bytes", json_integer((json_int_t)r->content_length));
    }
    if (r->file_type || r->webdav) {
        json_t *f = sub(j, "file");
        if (r->file_type) {
            json_object_set_new_nocheck(f, "type", json_string(r->file_type));
            json_object_set_new_nocheck(f, "size", json_integer((json_int_t)r->size));
        }
        if (r->has_hash) {
            char h[65];
            hex(h, r->sha256, 32);
            json_object_set_new_nocheck(sub(f, "hash"), "sha256", json_string_nocheck(h));
        }
        if (r->webdav)
            set_str(f, "path", r->unc);
    }
    json_t *m = sub(j, "msiwatch");
    json_t *mh = sub(m, "http");
    set_str(mh, "body", r->body);
    set_str(mh, "content_encoding", r->content_encoding);
    if (r->decoded)
        json_object_set_new_nocheck(mh, "decoded", json_true());
    if (r->webdav)
        json_object_set_new_nocheck(m, "webdav", json_true());
    emit(o, o->records, o->records_path, j);
}

void output_tls(struct output *o, const struct rec_tls *r)
{
    if (o->records == NULL)
        return;
    json_t *j = net_record(o, &r->n, "msiwatch.tls", "tls");
    json_t *t = sub(j, "tls");
    set_str(t, "version", r->version);
    json_object_set_new_nocheck(t, "version_protocol", json_string("tls"));
    json_t *cl = sub(t, "client");
    set_str(cl, "server_name", r->sni);
    set_str(cl, "ja3", r->ja3);
    if (r->alpn[0])
        json_object_set_new_nocheck(t, "next_protocol", json_string(r->alpn));
    if (r->ech || r->esni) { /* no empty "tls":{} when neither was offered */
        json_t *m = sub(sub(j, "msiwatch"), "tls");
        if (r->ech)
            json_object_set_new_nocheck(m, "ech", json_true());
        if (r->esni)
            json_object_set_new_nocheck(m, "esni", json_true());
    }
    emit(o, o->records, o->records_path, j);
}

void output_smb(struct output *o, const struct rec_smb *r)
{
    if (o->records == NULL)
        return;
    json_t *j = net_record(o, &r->n, "msiwatch.smb", "smb");
    json_t *m = sub(sub(j, "msiwatch"), "smb");
    set_str(m, "version", r->version);
    set_str(m, "command", r->command);
    set_str(m, "dialect", r->dialect);
    set_str(m, "tree", r->tree);
    set_str(m, "workstation", r->workstation);
    if (r->encrypted)
        json_object_set_new_nocheck(m, "encrypted", json_true());
    if (r->has_status) {
        char st[16];
        snprintf(st, sizeof st, "0x%08x", r->status);
        json_object_set_new_nocheck(m, "status", json_string(st));
    }
    if (r->read_bytes)
        json_object_set_new_nocheck(m, "read_bytes", json_integer((json_int_t)r->read_bytes));
    if (r->name[0] || r->path[0]) {
        json_t *f = sub(j, "file");
        set_str(f, "path", r->path);
        set_str(f, "name", r->file_name);
        set_str(m, "name", r->name);
    }
    if (r->user[0] || r->domain[0]) {
        json_t *u = sub(j, "user");
        set_str(u, "name", r->user);
        set_str(u, "domain", r->domain);
    }
    emit(o, o->records, o->records_path, j);
}

void output_dns(struct output *o, const struct rec_dns *r)
{
    if (o->records == NULL)
        return;
    json_t *j = net_record(o, &r->n, "msiwatch.dns", "dns");
    json_t *d = sub(j, "dns");
    json_object_set_new_nocheck(d, "id", json_integer(r->id));
    json_object_set_new_nocheck(d, "type", json_string(r->response ? "answer" : "query"));
    json_t *q = sub(d, "question");
    set_str(q, "name", r->qname);
    set_str(q, "type", r->qtype);
    if (r->response) {
        set_str(d, "response_code", r->rcode);
        json_t *an = json_array();
        for (unsigned i = 0; i < r->nan; i++) {
            json_t *a = json_object();
            json_object_set_new_nocheck(a, "name", json_string(r->an[i].name));
            json_object_set_new_nocheck(a, "type", json_string(r->an[i].type));
            set_str(a, "data", r->an[i].data); /* rendered for A, AAAA, CNAME, NS, PTR only */
            json_object_set_new_nocheck(a, "ttl", json_integer(r->an[i].ttl));
            json_array_append_new(an, a);
        }
        json_object_set_new_nocheck(d, "answers", an);
        if (r->nresolved) {
            json_t *ips = json_array();
            for (unsigned i = 0; i < r->nresolved; i++)
                json_array_append_new(ips, jaddr(&r->resolved[i]));
            json_object_set_new_nocheck(d, "resolved_ip", ips);
        }
    }
    emit(o, o->records, o->records_path, j);
}

void output_dhcp(struct output *o, const struct rec_dhcp *r)
{
    if (o->records == NULL)
        return;
    json_t *j = net_record(o, &r->n, "msiwatch.dhcp", "dhcp");
    json_t *m = sub(sub(j, "msiwatch"), "dhcp");
    set_str(m, "message_type", r->msg_type);
    json_t *h = sub(j, "host");
    set_str(h, "hostname", r->hostname);
    set_str(h, "mac", r->mac);
    if (r->has_assigned)
        json_object_set_new_nocheck(h, "ip", jaddr(&r->assigned));
    emit(o, o->records, o->records_path, j);
}

/* Drop the empty objects that sub() made for fields a record lacks, also
 * inside the objects of a list (an alert's evidence entries); a list itself
 * stays, empty or not. Our own objects nest at most six deep; the depth
 * bound says so. */
static void prune_empty_at(json_t *obj, int depth)
{
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(obj, tmp, k, v) {
        if (json_is_array(v) && depth < 6) {
            size_t i;
            json_t *el;
            json_array_foreach(v, i, el)
                if (json_is_object(el))
                    prune_empty_at(el, depth + 1);
        }
        if (!json_is_object(v))
            continue;
        if (depth < 6)
            prune_empty_at(v, depth + 1);
        if (json_object_size(v) == 0)
            json_object_del(obj, k);
    }
}

static void prune_empty(json_t *j)
{
    prune_empty_at(j, 0);
}

static const char *ep_provider_name(unsigned code)
{
    switch (code) {
    case 1: return "process_create";
    case 3: return "network_connect";
    case 7: return "image_load";
    case 22: return "dns_query";
    case 4688: return "process_create";
    case 1040: return "installer_transaction_start";
    case 1042: return "installer_transaction_end";
    default: return "other";
    }
}

void output_endpoint(struct output *o, const struct rec_endpoint *r)
{
    if (o->records == NULL)
        return;
    json_t *j = base_record(o->observer, r->ts_us, "event", "msiwatch.endpoint");
    json_t *ev = sub(j, "event");
    json_object_set_new_nocheck(ev, "code", json_integer((json_int_t)r->code));
    set_str(ev, "provider", r->provider);
    json_object_set_new_nocheck(ev, "action", json_string(ep_provider_name(r->code)));
    json_object_set_new_nocheck(ev, "created", jtime(r->recv_us));
    json_t *h = sub(j, "host");
    set_str(h, "name", r->host);
    if (r->has_host_ip)
        json_object_set_new_nocheck(h, "ip", jaddr(&r->host_ip));
    if (r->guid[0] || r->has_pid || r->image[0] || r->cmdline[0]) {
        json_t *p = sub(j, "process");
        set_str(p, "entity_id", r->guid);
        if (r->has_pid)
            json_object_set_new_nocheck(p, "pid", json_integer(r->pid));
        set_str(p, "executable", r->image);
        set_str(p, "command_line", r->cmdline);
        if (r->original_file_name[0])
            set_str(sub(p, "pe"), "original_file_name", r->original_file_name);
        if (r->parent_guid[0] || r->has_ppid || r->parent_image[0]) {
            json_t *pp = sub(p, "parent");
            set_str(pp, "entity_id", r->parent_guid);
            if (r->has_ppid)
                json_object_set_new_nocheck(pp, "pid", json_integer(r->ppid));
            set_str(pp, "executable", r->parent_image);
        }
    }
    set_str(sub(j, "user"), "name", r->user);
    if (r->dll_path[0]) {
        json_t *d = sub(j, "dll");
        set_str(d, "path", r->dll_path);
        if (r->has_signed || r->signature_status[0]) {
            json_t *cs = sub(d, "code_signature");
            if (r->has_signed)
                json_object_set_new_nocheck(cs, "signed", json_boolean(r->dll_signed));
            set_str(cs, "status", r->signature_status);
        }
    }
    if (r->has_src_ip) {
        json_t *s = sub(j, "source");
        json_object_set_new_nocheck(s, "ip", jaddr(&r->src_ip));
        json_object_set_new_nocheck(s, "port", json_integer(r->src_port));
    }
    if (r->has_dst_ip || r->dst_domain[0]) {
        json_t *d = sub(j, "destination");
        if (r->has_dst_ip) {
            json_object_set_new_nocheck(d, "ip", jaddr(&r->dst_ip));
            json_object_set_new_nocheck(d, "port", json_integer(r->dst_port));
        }
        set_str(d, "domain", r->dst_domain);
    }
    if (r->code == 22 && r->dst_domain[0])
        set_str(sub(sub(j, "dns"), "question"), "name", r->dst_domain);
    set_str(sub(sub(j, "log"), "syslog"), "hostname", r->syslog_host);
    json_t *m = sub(j, "msiwatch");
    set_str(m, "package", r->package);
    set_str(m, "product", r->product);
    if (r->query_results[0])
        set_str(sub(m, "dns"), "query_results", r->query_results);
    if (r->has_mx) {
        const struct msiexec_verdict *v = &r->mx;
        json_t *x = sub(m, "msiexec");
        json_object_set_new_nocheck(x, "suspicious", json_boolean(v->suspicious));
        if (v->renamed)
            json_object_set_new_nocheck(x, "renamed", json_true());
        if (v->truncated)
            json_object_set_new_nocheck(x, "truncated", json_true());
        if (v->action)
            json_object_set_new_nocheck(x, "action", json_string(msiexec_action_name(v->action)));
        set_str(x, "package", v->package);
        if (v->nreasons) {
            json_t *a = json_array();
            for (unsigned i = 0; i < v->nreasons; i++)
                json_array_append_new(a, json_string(v->reasons[i]));
            json_object_set_new_nocheck(x, "reasons", a);
        }
        if (v->ndest) {
            json_t *a = json_array();
            for (unsigned i = 0; i < v->ndest && i < MSIEXEC_MAX_DEST; i++) {
                const struct msiexec_dest *d = &v->dest[i];
                json_t *dj = json_object();
                set_str(dj, "scheme", d->scheme);
                set_str(dj, "host", d->host);
                if (d->port)
                    json_object_set_new_nocheck(dj, "port", json_integer(d->port));
                if (d->ssl)
                    json_object_set_new_nocheck(dj, "ssl", json_true());
                set_str(dj, "share", d->share);
                set_str(dj, "path", d->path);
                json_array_append_new(a, dj);
            }
            json_object_set_new_nocheck(x, "destinations", a);
        }
    }
    json_t *src = sub(m, "event");
    json_object_set_new_nocheck(src, "format", json_string(r->format ? r->format : "unknown"));
    json_object_set_new_nocheck(src, "time", json_string(r->ts_is_receive ? "receive" : "event"));
    prune_empty(j);
    emit(o, o->records, o->records_path, j);
}

void output_alert(struct output *o, const struct rec_alert *a)
{
    if (o->alerts == NULL)
        return;
    json_t *j = base_record(o->observer, a->ts_us, "alert", "msiwatch.alert");
    json_t *ev = sub(j, "event");
    json_object_set_new_nocheck(ev, "id", json_string(a->id));
    json_object_set_new_nocheck(ev, "severity", json_integer(a->severity));
    json_object_set_new_nocheck(ev, "risk_score", json_integer(a->risk_score));
    json_object_set_new_nocheck(ev, "action", json_string(a->revision ? "update" : "alert"));
    json_t *rule = sub(j, "rule");
    json_object_set_new_nocheck(rule, "id", json_string("AN0445"));
    json_object_set_new_nocheck(rule, "name", json_string("Msiexec fetching a remote package or running a DLL"));
    json_t *th = sub(j, "threat");
    json_object_set_new_nocheck(th, "framework", json_string("MITRE ATT&CK"));
    json_t *tech = sub(th, "technique");
    json_object_set_new_nocheck(tech, "id", json_pack("[s]", "T1218.007"));
    json_object_set_new_nocheck(tech, "name", json_pack("[s]", "System Binary Proxy Execution: Msiexec"));
    json_t *h = sub(j, "host");
    set_str(h, "name", a->host);
    if (a->has_host_ip)
        json_object_set_new_nocheck(h, "ip", jaddr(&a->host_ip));
    const struct rec_endpoint *r = a->proc;
    if (r) {
        json_t *p = sub(j, "process");
        set_str(p, "entity_id", r->guid);
        if (r->has_pid)
            json_object_set_new_nocheck(p, "pid", json_integer(r->pid));
        set_str(p, "executable", r->image);
        set_str(p, "command_line", r->cmdline);
        if (r->original_file_name[0])
            set_str(sub(p, "pe"), "original_file_name", r->original_file_name);
        if (r->parent_guid[0] || r->parent_image[0] || r->has_ppid) {
            json_t *pp = sub(p, "parent");
            set_str(pp, "entity_id", r->parent_guid);
            if (r->has_ppid)
                json_object_set_new_nocheck(pp, "pid", json_integer(r->ppid));
            set_str(pp, "executable", r->parent_image);
        }
        set_str(sub(j, "user"), "name", r->user);
        set_str(sub(sub(j, "log"), "syslog"), "hostname", r->syslog_host);
    }
    json_t *d = sub(j, "destination");
    set_str(d, "domain", a->dest_domain);
    if (a->has_dest_ip)
        json_object_set_new_nocheck(d, "ip", jaddr(&a->dest_ip));
    if (a->dest_port)
        json_object_set_new_nocheck(d, "port", json_integer(a->dest_port));
    if (a->has_geo) {
        json_t *g = sub(d, "geo");
        if (a->geo.has_country) {
            set_str(g, "country_iso_code", a->geo.country_iso);
            set_str(g, "country_name", a->geo.country_name);
        }
        if (a->geo.has_city)
            set_str(g, "city_name", a->geo.city);
        if (a->geo.has_asn) {
            json_t *as = sub(d, "as");
            json_object_set_new_nocheck(as, "number", json_integer(a->geo.asn));
            set_str(sub(as, "organization"), "name", a->geo.as_org);
        }
    }
    json_t *m = sub(j, "msiwatch");
    json_t *reasons = json_array();
    for (unsigned i = 0; i < a->nreasons; i++)
        json_array_append_new(reasons, json_string(a->reasons[i]));
    json_object_set_new_nocheck(m, "reasons", reasons);
    json_t *al = sub(m, "alert");
    json_object_set_new_nocheck(al, "kind", json_string(a->kind));
    json_object_set_new_nocheck(al, "revision", json_integer(a->revision));
    if (r && r->has_mx) {
        set_str(sub(m, "msiexec"), "package", r->mx.package);
        if (r->mx.action)
            json_object_set_new_nocheck(sub(m, "msiexec"), "action", json_string(msiexec_action_name(r->mx.action)));
    }
    if (r && r->package[0])
        set_str(m, "package", r->package);
    json_t *evd = sub(m, "evidence");
    json_t *nets = json_array();
    for (unsigned i = 0; i < a->nnet; i++) {
        const struct alert_net *n = &a->net[i];
        json_t *x = json_object();
        json_object_set_new_nocheck(x, "@timestamp", jtime(n->ts_us));
        json_object_set_new_nocheck(sub(x, "event"), "dataset", json_string(n->dataset));
        json_t *src = sub(x, "source");
        json_object_set_new_nocheck(src, "ip", jaddr(&n->src));
        json_object_set_new_nocheck(src, "port", json_integer(n->sport));
        json_t *dst = sub(x, "destination");
        json_object_set_new_nocheck(dst, "ip", jaddr(&n->dst));
        json_object_set_new_nocheck(dst, "port", json_integer(n->dport));
        set_str(dst, "domain", n->domain);
        if (strcmp(n->dataset, "msiwatch.tls") == 0)
            set_str(sub(sub(x, "tls"), "client"), "server_name", n->host);
        else if (strcmp(n->dataset, "msiwatch.smb") == 0)
            set_str(sub(x, "file"), "path", n->url);
        else
            set_str(sub(x, "url"), "original", n->url);
        set_str(sub(x, "user_agent"), "original", n->user_agent);
        if (n->file_type) {
            json_t *f = sub(x, "file");
            json_object_set_new_nocheck(f, "type", json_string(n->file_type));
            json_object_set_new_nocheck(f, "size", json_integer((json_int_t)n->size));
            if (n->has_hash) {
                char hx[65];
                hex(hx, n->sha256, 32);
                json_object_set_new_nocheck(sub(f, "hash"), "sha256", json_string_nocheck(hx));
            }
        }
        json_t *mx = sub(x, "msiwatch");
        json_object_set_new_nocheck(mx, "matched", json_string(n->matched ? n->matched : "destination"));
        json_t *fs = sub(mx, "first_seen");
        if (n->has_fqdn) {
            json_object_set_new_nocheck(fs, "domain", json_boolean(n->first_seen_fqdn));
            json_object_set_new_nocheck(fs, "registered_domain", json_boolean(n->first_seen_domain));
        }
        json_object_set_new_nocheck(fs, "ip", json_boolean(n->first_seen_ip));
        json_array_append_new(nets, x);
    }
    json_object_set_new_nocheck(evd, "network", nets);
    json_t *mods = json_array();
    for (unsigned i = 0; i < a->nmod; i++) {
        const struct alert_mod *md = &a->mod[i];
        json_t *x = json_object();
        json_object_set_new_nocheck(x, "@timestamp", jtime(md->ts_us));
        json_t *dl = sub(x, "dll");
        set_str(dl, "path", md->path);
        if (md->has_signed || md->status[0]) {
            json_t *cs = sub(dl, "code_signature");
            if (md->has_signed)
                json_object_set_new_nocheck(cs, "signed", json_boolean(md->is_signed));
            set_str(cs, "status", md->status);
        }
        set_str(sub(x, "process"), "entity_id", md->process_guid);
        json_t *why = json_array();
        for (unsigned w = 0; w < md->nwhy; w++)
            json_array_append_new(why, json_string(md->why[w]));
        json_object_set_new_nocheck(sub(x, "msiwatch"), "reasons", why);
        json_array_append_new(mods, x);
    }
    json_object_set_new_nocheck(evd, "modules", mods);
    if (a->has_rarity) {
        json_t *ra = sub(m, "rarity");
        json_t *fs = sub(ra, "first_seen");
        if (a->dest_domain[0]) {
            json_object_set_new_nocheck(fs, "domain", json_boolean(a->first_seen_fqdn));
            json_object_set_new_nocheck(fs, "registered_domain", json_boolean(a->first_seen_domain));
        }
        json_object_set_new_nocheck(fs, "ip", json_boolean(a->first_seen_ip));
        if (a->first_seen_at_us)
            json_object_set_new_nocheck(ra, "first_seen_at", jtime(a->first_seen_at_us));
        json_object_set_new_nocheck(ra, "hosts", json_integer((json_int_t)a->rarity_hosts));
        json_object_set_new_nocheck(ra, "baseline_days", json_integer(a->baseline_days));
        json_object_set_new_nocheck(ra, "baseline_complete", json_boolean(a->baseline_complete));
    }
    set_str(m, "allowlisted", a->allowlisted);
    if (a->has_clock_offset)
        json_object_set_new_nocheck(m, "clock_offset_s", json_real((double)a->clock_offset_us / 1e6));
    json_object_set_new_nocheck(j, "message", json_string(a->message));
    prune_empty(j);
    /* one serialisation for the file and the forwarder: the same bytes */
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (s == NULL) {
        errno = ENOMEM;
        note_failure(o, o->alerts_path);
        return;
    }
    size_t n = strlen(s);
    if (!o->failed && (fwrite(s, 1, n, o->alerts) != n || fputc('\n', o->alerts) == EOF))
        note_failure(o, o->alerts_path);
    if (o->on_alert)
        o->on_alert(o->on_alert_ctx, s, n, a->severity, a->ts_us);
    free(s);
}

static void put(json_t *o, const char *k, uint64_t v)
{
    json_object_set_new_nocheck(o, k, json_integer((json_int_t)v));
}

int output_stats(FILE *f, const char *observer, const struct stats_view *v)
{
    json_t *j = base_record(observer, v->ts_us, "metric", "msiwatch.stats");
    json_t *s = sub(sub(j, "msiwatch"), "stats");
    const struct pkt_stats *p = v->pkt;
    put(s, "packets", p->packets);
    put(s, "bytes", p->bytes);
    put(s, "ipv4", p->ipv4);
    put(s, "ipv6", p->ipv6);
    put(s, "vlan", p->vlan);
    put(s, "mpls", p->mpls);
    put(s, "frags", p->frags);
    put(s, "tcp", p->tcp);
    put(s, "udp", p->udp);
    put(s, "snaplen_truncated", p->snap_truncated);
    put(s, "not_ip", p->cause[DEC_NOT_IP]);
    put(s, "other_l4", p->cause[DEC_OTHER_L4]);
    json_t *dr = sub(s, "drops");
    uint64_t total = 0;
    for (int c = DEC_UNKNOWN_LINK; c < DEC__COUNT; c++) {
        put(dr, decode_cause_name((enum decode_cause)c), p->cause[c]);
        total += p->cause[c];
    }
    put(dr, "capture_kernel", p->capture_drops);
    put(dr, "capture_interface", p->capture_ifdrops);
    put(dr, "total", total);
    if (v->nworkers > 1) {
        json_t *wk = sub(s, "workers");
        json_object_set_new_nocheck(wk, "input", json_string(v->fanout ? "fanout" : "reader"));
        json_t *a = json_array();
        for (unsigned i = 0; i < v->nworkers; i++)
            json_array_append_new(a, json_integer((json_int_t)v->worker_packets[i]));
        json_object_set_new_nocheck(wk, "packets", a);
    }
    if (v->read_ahead) {
        json_t *ra = sub(s, "read_ahead");
        put(ra, "worker_waits", v->ra_worker_waits);
        put(ra, "reader_waits", v->ra_reader_waits);
    }
    if (v->frag) {
        json_t *fr = sub(s, "ipfrag");
        put(fr, "fragments", v->frag->fragments);
        put(fr, "reassembled", v->frag->reassembled);
        put(fr, "timeouts", v->frag->timeouts);
        put(fr, "overlaps", v->frag->overlaps);
        put(fr, "duplicates", v->frag->duplicates);
        put(fr, "dropped_overlap_ipv6", v->frag->dropped_overlap6);
        put(fr, "evicted", v->frag->evicted);
        put(fr, "too_big", v->frag->too_big);
        put(fr, "bad", v->frag->bad);
        put(fr, "held_bytes", v->frag->held_bytes);
        put(fr, "held_bytes_peak", v->frag->held_bytes_peak);
        put(fr, "held_datagrams_peak", v->frag->held_datagrams_peak);
    }
    if (v->flow) {
        json_t *fl = sub(s, "flows");
        put(fl, "total", v->flow->created);
        put(fl, "tcp", v->flow->tcp);
        put(fl, "udp", v->flow->udp);
        put(fl, "active", v->flow->active);
        put(fl, "active_peak", v->flow->active_peak);
        put(fl, "timed_out", v->flow->timed_out);
        put(fl, "evicted", v->flow->evicted);
        put(fl, "ended_at_exit", v->flow->ended_at_exit);
        put(fl, "alloc_failed", v->flow->alloc_failed);
        put(fl, "bucket_growths", v->flow->bucket_growths);
    }
    if (v->reasm) {
        const struct reasm_stats *r = v->reasm;
        json_t *t = sub(s, "tcp_reassembly");
        put(t, "segments", r->segments);
        put(t, "in_order", r->in_order);
        put(t, "out_of_order", r->out_of_order);
        put(t, "retransmits", r->retransmits);
        put(t, "overlaps", r->overlaps);
        put(t, "overlap_diff", r->overlap_diff);
        put(t, "gaps", r->gaps);
        put(t, "gap_bytes", r->gap_bytes);
        put(t, "hold_limit", r->hold_limit);
        put(t, "depth_bypass", r->depth_bypass);
        put(t, "app_bypass", r->app_bypass);
        put(t, "bypassed_bytes", r->bypassed_bytes);
        put(t, "pickups", r->pickups);
        put(t, "rst_ignored", r->rst_ignored);
        put(t, "held_bytes", r->held_bytes);
        put(t, "held_peak", r->held_peak);
    }
    if (v->cls) {
        json_t *c = sub(s, "ndpi");
        put(c, "packets", v->cls->packets);
        put(c, "detected", v->cls->detected);
        put(c, "gave_up", v->cls->gave_up);
        put(c, "states_live", v->cls->states_live);
        json_t *pf = sub(c, "flows");
        for (size_t i = 0; i < v->nprotos; i++)
            put(pf, v->protos[i].name, v->protos[i].flows);
    }
    if (v->app) {
        static const char *const names[APP__COUNT] = {
            [APP_HTTP] = "http", [APP_TLS] = "tls", [APP_SMB] = "smb", [APP_DNS] = "dns", [APP_DHCP] = "dhcp",
        };
        json_t *a = sub(s, "parsers");
        for (int i = APP_HTTP; i < APP__COUNT; i++) {
            json_t *t = sub(a, names[i]);
            put(t, "flows", v->app->flows[i]);
            put(t, "records", v->app->records[i]);
            put(t, "bad", v->app->bad[i]);
            put(t, "gave_up", v->app->gave_up[i]);
        }
    }
    if (v->ev) {
        const struct ev_stats *e = v->ev;
        json_t *t = sub(s, "endpoint");
        put(t, "messages", e->messages);
        put(t, "records", e->records);
        put(t, "msiexec_suspicious", e->suspicious);
        json_t *c = sub(t, "events");
        put(c, "sysmon_1", e->sysmon1);
        put(c, "sysmon_3", e->sysmon3);
        put(c, "sysmon_7", e->sysmon7);
        put(c, "sysmon_22", e->sysmon22);
        put(c, "security_4688", e->sec4688);
        put(c, "msiinstaller_1040", e->msi1040);
        put(c, "msiinstaller_1042", e->msi1042);
        put(t, "ignored", e->ignored);
        put(t, "malformed", e->malformed);
        if (e->last_malformed[0])
            json_object_set_new_nocheck(t, "last_malformed", json_string(e->last_malformed));
        put(t, "time_from_receive", e->no_time);
        put(t, "file_oversize", e->file_oversize);
    }
    if (v->sl) {
        const struct syslog_stats *l = v->sl;
        json_t *t = sub(s, "syslog");
        put(t, "messages", l->messages);
        put(t, "bytes", l->bytes);
        put(t, "udp", l->udp);
        put(t, "tcp", l->tcp);
        put(t, "tls", l->tls);
        put(t, "connections", l->connections);
        put(t, "connections_open", l->conns_open);
        json_t *d = sub(t, "drops");
        put(d, "not_allowed", l->not_allowed);
        put(d, "oversize", l->oversize);
        put(d, "bad_frame", l->bad_frame);
        put(d, "truncated", l->truncated);
        put(d, "connections_refused", l->conn_refused);
        put(d, "tls_failed", l->tls_failed);
        put(t, "idle_closed", l->conn_idle);
    }
    if (v->cor) {
        const struct cor_stats *c = v->cor;
        json_t *t = sub(s, "correlation");
        put(t, "chains", c->cases);
        put(t, "alerts", c->alerts);
        put(t, "updates", c->updates);
        put(t, "network_only", c->network_only);
        put(t, "allowlisted", c->allowlisted);
        put(t, "joins", c->joins);
        put(t, "joins_host_inferred", c->joins_inferred_host);
        put(t, "hosts_with_clock_offset", c->clock_offsets);
        json_t *d = sub(t, "drops");
        put(d, "chains", c->cases_dropped);
        put(d, "held_network_records", c->held_evicted);
        put(d, "held_endpoint_events", c->events_evicted);
        put(d, "process_tree", c->procs_evicted);
        put(d, "process_images", c->images_evicted);
    }
    if (v->rar) {
        const struct rarity_stats *r = v->rar;
        json_t *t = sub(s, "rarity");
        put(t, "sightings", r->sightings);
        put(t, "new_keys", r->new_keys);
        put(t, "db_reads", r->db_reads);
        put(t, "db_writes", r->db_writes);
        put(t, "batches", r->batches);
        put(t, "cache_evictions", r->cache_evictions);
        put(t, "hosts_capped", r->hosts_capped);
        put(t, "host_inserts", r->host_inserts);
        put(t, "errors", r->errors);
    }
    if (v->ident) {
        const struct identity_stats *r = v->ident;
        json_t *t = sub(s, "identity");
        json_t *l = sub(t, "learned");
        for (int k = 0; k < ID__COUNT; k++)
            put(l, identity_source_name((enum id_source)k), r->learned[k]);
        put(t, "replaced", r->replaced);
        put(t, "lookups", r->lookups);
        put(t, "hits", r->hits);
        put(t, "alloc_failed", r->alloc_failed);
    }
    if (v->fwd) {
        const struct syslog_out_stats *a = v->fwd;
        json_t *t = sub(s, "alert_syslog");
        put(t, "sent", a->sent);
        put(t, "queued", a->queued);
        put(t, "connects", a->connects);
        put(t, "disconnects", a->disconnects);
        put(t, "connect_failed", a->connect_failed);
        json_t *d = sub(t, "drops");
        put(d, "queue_full", a->queue_full);
        put(d, "oversize", a->oversize);
        put(d, "send_failed", a->send_failed);
        put(d, "at_exit", a->at_exit);
    }
    int rc = json_dumpf(j, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (rc != 0 || fputc('\n', f) == EOF || fflush(f) != 0)
        return -1;
    return 0;
}
