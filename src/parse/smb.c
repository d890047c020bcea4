/* smb.c -- NetBIOS session framing and SMB1/SMB2 message heads (see smb.h;
 * MS-SMB2 2.2, MS-CIFS 2.2 with MS-SMB 2.2 extensions, RFC 1002 4.3).
 * Every byte is read through a bytes.h cursor. A compound SMB2 command and an
 * SMB1 AndX block each get a window (STYLE.md 1.3): offsets inside it are
 * relative to the command's own header and may not leave it. Chains only
 * move forward and are capped. Names are converted with the one bounded
 * converter (utf16.h). Not here: what a command means for a flow. */
#include "parse/smb.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse/utf16.h"

/* ---- NetBIOS session service ------------------------------------------ */

enum mw_res nbss_frame(const uint8_t *p, size_t n, const uint8_t **msg, size_t *msg_len,
                       size_t *used, uint8_t *type)
{
    struct mw_cur c = mw_cur_make(p, n);
    *msg = NULL;
    *msg_len = 0;
    *used = 0;
    *type = 0;
    if (p == NULL || n < 4)
        return MW_SHORT;
    uint8_t t = mw_u8(&c);
    uint32_t len = (uint32_t)mw_u8(&c) << 16;
    len |= mw_be16(&c);
    switch (t) {
    case 0x00: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85:
        break;
    default:
        return MW_BAD; /* RFC 1002 4.3.1 lists no other type */
    }
    /* Besides the 24-bit length of direct hosting, the flags byte may only
     * carry the length extension bit (RFC 1002 4.3.1), so this also rejects
     * reserved bits. */
    if (len > (t == 0x00 ? NBSS_DIRECT_MAX_LEN : NBSS_MAX_LEN))
        return MW_BAD;
    *type = t;
    *used = 4 + (size_t)len;
    struct mw_cur body;
    if (!mw_sub(&c, len, &body))
        return MW_SHORT;
    if (t == 0x00) {
        *msg = body.p;
        *msg_len = len;
    } else {
        *msg = body.p; /* session request/response bodies and keepalives are skipped */
    }
    return MW_OK;
}

/* ---- shared helpers ------------------------------------------------------ */

/* The bytes one command may use: from its header to the next command, or to
 * the end of the message for the last one. A fixed structure cut by the end
 * of the message is SHORT; cut by a declared window, it is BAD. */
struct win {
    const uint8_t *base;
    size_t len;
    bool last;
};

static enum mw_res cut(const struct win *w)
{
    return w->last ? MW_SHORT : MW_BAD;
}

/* A cursor over the window, moved to off (bad if off is past the end). */
static struct mw_cur win_at(const struct win *w, size_t off)
{
    struct mw_cur c = mw_cur_make(w->base, w->len);
    mw_skip(&c, off);
    return c;
}

/* The span [off, off + len) of the window, which must start at or after
 * min_off (the end of the fixed structure: a buffer never overlaps the
 * header). An empty span is always fine and gives NULL. Never trusts off or
 * len: both are compared with what is left, never added to a pointer first. */
static enum mw_res win_span(const struct win *w, size_t off, size_t len, size_t min_off,
                            const uint8_t **out)
{
    *out = NULL;
    if (len == 0)
        return MW_OK;
    if (off < min_off)
        return MW_BAD;
    struct mw_cur c = win_at(w, off);
    const uint8_t *s = mw_take(&c, len);
    if (s == NULL)
        return MW_BAD; /* a length field pointing past the end */
    *out = s;
    return MW_OK;
}

/* A command about to be stored: zero, its path the empty string. */
static void clear_cmd(struct smb_cmd *m)
{
    memset(m, 0, offsetof(struct smb_cmd, path));
    m->path[0] = '\0';
}

/* UTF-16LE name into out: trailing NUL units (a terminator some clients
 * count) are dropped, an odd byte count is BAD. */
static enum mw_res name16(const uint8_t *s, size_t len, char out[SMB_NAME_MAX])
{
    if (len % 2 != 0)
        return MW_BAD;
    if (s == NULL)
        return MW_OK; /* empty */
    struct mw_cur t = mw_cur_make(s, len);
    while (len >= 2 && mw_peek(&t, len - 2) == 0 && mw_peek(&t, len - 1) == 0)
        len -= 2;
    utf16le_to_utf8(s, len, out, SMB_NAME_MAX);
    return MW_OK;
}

/* ---- SMB2 ----------------------------------------------------------------- */

#define SMB2_HDR_LEN 64
#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001u
#define SMB2_FLAGS_ASYNC_COMMAND 0x00000002u
#define SMB2_TC_FLAG_EXTENSION_PRESENT 0x0004u /* MS-SMB2 2.2.9, 3.1.1 only */
#define SMB2_TC_EXT_LEN 16                     /* MS-SMB2 2.2.9.1 fixed part */
#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

/* 64 commands: a compound is at most a handful in practice (Windows sends 3
 * or 4); NextCommand >= 64 already bounds the walk, the cap bounds its cost
 * per message. Commands past it are counted by cmd_overflow, not walked. */
#define SMB2_MAX_CHAIN 64

enum smb2_cmd {
    SMB2_NEGOTIATE = 0x0000, SMB2_SESSION_SETUP = 0x0001, SMB2_TREE_CONNECT = 0x0003,
    SMB2_CREATE = 0x0005, SMB2_CLOSE = 0x0006, SMB2_READ = 0x0008
};

static enum smb_kind smb2_kind(uint16_t cmd)
{
    switch (cmd) {
    case SMB2_NEGOTIATE: return SMB_K_NEGOTIATE;
    case SMB2_SESSION_SETUP: return SMB_K_SESSION_SETUP;
    case SMB2_TREE_CONNECT: return SMB_K_TREE_CONNECT;
    case SMB2_CREATE: return SMB_K_CREATE;
    case SMB2_CLOSE: return SMB_K_CLOSE;
    case SMB2_READ: return SMB_K_READ;
    default: return SMB_K_OTHER;
    }
}

/* The body of one SMB2 command (after its 64-byte header). */
static enum mw_res smb2_body(const struct win *w, struct smb_cmd *m)
{
    if (m->kind == SMB_K_OTHER)
        return MW_OK;
    struct mw_cur c = win_at(w, SMB2_HDR_LEN);
    uint16_t ss = mw_le16(&c);
    if (c.bad)
        return cut(w);
    /* MS-SMB2 2.2.2, 3.3.4.4: a failed or interim (STATUS_PENDING) response
     * may carry the 9-byte ERROR body instead of its own; a session setup
     * response is 9 bytes too, and MORE_PROCESSING_REQUIRED is its normal
     * status. Servers also fail with the command's own body (Samba's READ
     * with STATUS_PIPE_DISCONNECTED), which is then parsed and checked. */
    if (m->response && ss == 9 &&
        (m->command != SMB2_SESSION_SETUP ||
         ((m->status & 0xC0000000u) == 0xC0000000u && m->status != STATUS_MORE_PROCESSING_REQUIRED)))
        return MW_OK;
    const uint8_t *s;
    enum mw_res r;
    switch (m->command) {
    case SMB2_NEGOTIATE:
        if (!m->response)
            return ss == 36 ? MW_OK : MW_BAD;
        if (ss != 65)
            return MW_BAD;
        mw_skip(&c, 2); /* SecurityMode */
        m->dialect = mw_le16(&c);
        return c.bad ? cut(w) : MW_OK;
    case SMB2_SESSION_SETUP: {
        uint16_t off, len;
        size_t fixed;
        if (!m->response) {
            if (ss != 25)
                return MW_BAD;
            mw_skip(&c, 10); /* Flags, SecurityMode, Capabilities, Channel */
            fixed = 24;
        } else {
            if (ss != 9)
                return MW_BAD;
            mw_skip(&c, 2); /* SessionFlags */
            fixed = 8;
        }
        off = mw_le16(&c);
        len = mw_le16(&c);
        if (c.bad || w->len < SMB2_HDR_LEN + fixed)
            return cut(w);
        r = win_span(w, off, len, SMB2_HDR_LEN + fixed, &s);
        if (r != MW_OK)
            return r;
        m->sec_blob = s;
        m->sec_len = s ? len : 0;
        return MW_OK;
    }
    case SMB2_TREE_CONNECT: {
        if (m->response)
            return ss == 16 ? MW_OK : MW_BAD; /* the TreeId is in the header */
        if (ss != 9)
            return MW_BAD;
        uint16_t flags = mw_le16(&c);
        uint16_t off = mw_le16(&c);
        uint16_t len = mw_le16(&c);
        if (c.bad)
            return cut(w);
        size_t min_off = SMB2_HDR_LEN + 8;
        if (flags & SMB2_TC_FLAG_EXTENSION_PRESENT) {
            /* MS-SMB2 2.2.9.1: the extension starts the Buffer and PathName
             * follows its 16 fixed bytes; PathOffset still counts from the
             * header (88 from smbclient and RubySMB). A PathOffset that
             * lands inside the extension is taken as relative to it. */
            min_off += SMB2_TC_EXT_LEN;
            if (len != 0 && off < min_off)
                off = (uint16_t)(off + SMB2_HDR_LEN + 8);
        }
        r = win_span(w, off, len, min_off, &s);
        if (r != MW_OK)
            return r;
        return name16(s, len, m->path);
    }
    case SMB2_CREATE: {
        if (m->response) {
            if (ss != 89)
                return MW_BAD;
            c = win_at(w, SMB2_HDR_LEN + 64);
            const uint8_t *id = mw_take(&c, 16);
            if (id == NULL)
                return cut(w);
            memcpy(m->file_id, id, 16);
            return MW_OK;
        }
        if (ss != 57)
            return MW_BAD;
        c = win_at(w, SMB2_HDR_LEN + 24);
        m->desired_access = mw_le32(&c);
        mw_skip(&c, 8); /* FileAttributes, ShareAccess */
        m->create_disposition = mw_le32(&c);
        m->create_options = mw_le32(&c);
        uint16_t off = mw_le16(&c);
        uint16_t len = mw_le16(&c);
        mw_skip(&c, 8); /* CreateContextsOffset, Length: the fixed part is 56 bytes */
        if (c.bad)
            return cut(w);
        r = win_span(w, off, len, SMB2_HDR_LEN + 56, &s);
        if (r != MW_OK)
            return r;
        return name16(s, len, m->path); /* empty: the share root */
    }
    case SMB2_CLOSE: {
        if (m->response)
            return ss == 60 ? MW_OK : MW_BAD;
        if (ss != 24)
            return MW_BAD;
        c = win_at(w, SMB2_HDR_LEN + 8);
        const uint8_t *id = mw_take(&c, 16);
        if (id == NULL)
            return cut(w);
        memcpy(m->file_id, id, 16);
        return MW_OK;
    }
    case SMB2_READ: {
        if (m->response) {
            if (ss != 17)
                return MW_BAD;
            mw_skip(&c, 2); /* DataOffset, Reserved */
            m->read_data_len = mw_le32(&c);
            return c.bad ? cut(w) : MW_OK;
        }
        if (ss != 49)
            return MW_BAD;
        mw_skip(&c, 2); /* Padding, Flags */
        m->read_length = mw_le32(&c);
        m->read_offset = mw_le64(&c);
        const uint8_t *id = mw_take(&c, 16);
        if (id == NULL)
            return cut(w);
        memcpy(m->file_id, id, 16);
        return MW_OK;
    }
    default:
        return MW_OK;
    }
}

static enum mw_res smb2_parse(const uint8_t *p, size_t n, struct smb_msg *out)
{
    static const uint8_t magic[4] = { 0xFE, 'S', 'M', 'B' };
    struct smb_cmd spare; /* where commands past SMB_MAX_CMDS are checked */
    struct mw_cur all = mw_cur_make(p, n);
    out->version = 2;
    for (unsigned iter = 0;; iter++) {
        if (iter == SMB2_MAX_CHAIN) {
            out->cmd_overflow = true;
            return MW_OK;
        }
        struct win w = { all.p, mw_left(&all), true };
        struct mw_cur c = win_at(&w, 0);
        const uint8_t *pid = mw_take(&c, 4);
        uint16_t ss = mw_le16(&c);
        mw_skip(&c, 2); /* CreditCharge */
        uint32_t status = mw_le32(&c);
        uint16_t command = mw_le16(&c);
        mw_skip(&c, 2); /* CreditRequest/CreditResponse */
        uint32_t flags = mw_le32(&c);
        uint32_t next = mw_le32(&c);
        uint64_t mid = mw_le64(&c);
        mw_skip(&c, 4); /* Reserved (sync) or the low half of AsyncId */
        uint32_t tid = mw_le32(&c);
        uint64_t sid = mw_le64(&c);
        mw_skip(&c, 16); /* Signature */
        if (c.bad)
            return MW_SHORT;
        if (memcmp(pid, magic, 4) != 0 || ss != SMB2_HDR_LEN)
            return MW_BAD;
        if (next != 0) {
            /* MS-SMB2 3.2.4.1.4: each compounded command starts 8-byte
             * aligned, after at least its own header, inside the message.
             * Being unsigned and >= 64, NextCommand can only move forward. */
            if (next < SMB2_HDR_LEN || next % 8 != 0 || next >= w.len)
                return MW_BAD;
            w.len = next;
            w.last = false;
        }
        struct smb_cmd *m = out->ncmd < SMB_MAX_CMDS ? &out->cmd[out->ncmd] : &spare;
        clear_cmd(m);
        m->command = command;
        m->kind = smb2_kind(command);
        m->response = (flags & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
        m->status = status;
        m->message_id = mid;
        m->session_id = sid;
        m->tree_id = (flags & SMB2_FLAGS_ASYNC_COMMAND) ? 0 : tid;
        enum mw_res r = smb2_body(&w, m);
        if (r != MW_OK)
            return r;
        if (m == &spare)
            out->cmd_overflow = true;
        else
            out->ncmd++;
        if (next == 0)
            return MW_OK;
        mw_skip(&all, next);
    }
}

/* ---- SMB1 ----------------------------------------------------------------- */

#define SMB1_HDR_LEN 32
#define SMB1_FLAGS_REPLY 0x80u
#define SMB1_FLAGS2_UNICODE 0x8000u
#define SMB1_NO_ANDX 0xFFu
/* 16 blocks: real chains are 2 long (session setup + tree connect, or
 * open + read); AndXOffset must grow, so the cap only bounds the cost. */
#define SMB1_MAX_CHAIN 16

enum smb1_cmd {
    SMB1_CLOSE = 0x04, SMB1_LOCKING_ANDX = 0x24, SMB1_OPEN_ANDX = 0x2D, SMB1_READ_ANDX = 0x2E,
    SMB1_WRITE_ANDX = 0x2F, SMB1_NEGOTIATE = 0x72, SMB1_SESSION_SETUP_ANDX = 0x73,
    SMB1_LOGOFF_ANDX = 0x74, SMB1_TREE_CONNECT_ANDX = 0x75, SMB1_NT_CREATE_ANDX = 0xA2
};

static enum smb_kind smb1_kind(uint8_t cmd)
{
    switch (cmd) {
    case SMB1_NEGOTIATE: return SMB_K_NEGOTIATE;
    case SMB1_SESSION_SETUP_ANDX: return SMB_K_SESSION_SETUP;
    case SMB1_TREE_CONNECT_ANDX: return SMB_K_TREE_CONNECT;
    case SMB1_NT_CREATE_ANDX: return SMB_K_CREATE;
    case SMB1_OPEN_ANDX: return SMB_K_CREATE;
    case SMB1_READ_ANDX: return SMB_K_READ;
    case SMB1_CLOSE: return SMB_K_CLOSE;
    default: return SMB_K_OTHER;
    }
}

static bool smb1_is_andx(uint8_t cmd)
{
    switch (cmd) {
    case SMB1_LOCKING_ANDX: case SMB1_OPEN_ANDX: case SMB1_READ_ANDX: case SMB1_WRITE_ANDX:
    case SMB1_SESSION_SETUP_ANDX: case SMB1_LOGOFF_ANDX: case SMB1_TREE_CONNECT_ANDX:
    case SMB1_NT_CREATE_ANDX:
        return true;
    default:
        return false;
    }
}

/* One SMB1 string of the Bytes area, from position pos (relative to the SMB
 * header, for the Unicode alignment of MS-CIFS 2.2.1.1) to its terminator or
 * the end of the bytes, and at most max bytes. */
static void smb1_string(const uint8_t *msg, size_t pos, size_t end, size_t max, bool unicode,
                        char out[SMB_NAME_MAX])
{
    struct mw_cur c = mw_cur_make(msg, end);
    if (unicode && pos % 2 != 0)
        pos++; /* the pad byte before a Unicode string */
    if (!mw_skip(&c, pos))
        return;
    size_t avail = mw_left(&c);
    if (max < avail)
        avail = max;
    struct mw_cur s;
    mw_sub(&c, avail, &s);
    const uint8_t *start = s.p;
    size_t len = 0;
    if (unicode) {
        while (mw_left(&s) >= 2 && mw_le16(&s) != 0)
            len += 2;
        utf16le_to_utf8(start, len, out, SMB_NAME_MAX);
    } else {
        while (mw_left(&s) >= 1 && mw_u8(&s) != 0)
            len++;
        oem_to_utf8(start, len, out, SMB_NAME_MAX);
    }
}

/* One block of parameter words and bytes at off, for command cmd. */
static enum mw_res smb1_block(const uint8_t *p, size_t n, size_t off, bool unicode,
                              struct smb_cmd *m, uint8_t *andx_cmd, size_t *andx_off)
{
    struct mw_cur c = mw_cur_make(p, n);
    mw_skip(&c, off);
    uint8_t wc = mw_u8(&c);
    struct mw_cur words;
    mw_sub(&c, (size_t)wc * 2, &words);
    uint16_t bc = mw_le16(&c);
    if (c.bad)
        return MW_SHORT;
    size_t bpos = off + 1 + (size_t)wc * 2 + 2; /* where the Bytes start, from the header */
    /* Only the commands that read the Bytes hold ByteCount to the message:
     * READ_ANDX replies and WRITE_ANDX requests over 64 KiB cannot. */
    bool bytes_ok = bc <= mw_left(&c);
    size_t bend = bpos + (bytes_ok ? bc : 0);

    *andx_cmd = SMB1_NO_ANDX;
    *andx_off = 0;
    if (smb1_is_andx((uint8_t)m->command) && wc >= 2) {
        struct mw_cur a = words;
        *andx_cmd = mw_u8(&a);
        mw_skip(&a, 1);
        *andx_off = mw_le16(&a);
    }

    struct mw_cur wd = words;
    switch (m->command) {
    case SMB1_NEGOTIATE:
        if (m->response)
            m->dialect = 0x0100;
        break;
    case SMB1_SESSION_SETUP_ANDX: {
        uint16_t blen;
        if (!m->response && wc == 12) { /* MS-SMB 2.2.4.6.1: extended security */
            mw_skip(&wd, 14);
            blen = mw_le16(&wd);
        } else if (m->response && wc == 4) { /* MS-SMB 2.2.4.6.2 */
            mw_skip(&wd, 6);
            blen = mw_le16(&wd);
        } else {
            break; /* NTLM without extended security: no blob */
        }
        if (!bytes_ok || blen > bc)
            return MW_BAD;
        if (blen > 0) {
            m->sec_blob = c.p;
            m->sec_len = blen;
        }
        break;
    }
    case SMB1_TREE_CONNECT_ANDX: {
        if (m->response || wc != 4)
            break; /* the reply's TID is in the header */
        mw_skip(&wd, 6);
        uint16_t pwlen = mw_le16(&wd);
        if (!bytes_ok || pwlen > bc)
            return MW_BAD;
        smb1_string(p, bpos + pwlen, bend, SIZE_MAX, unicode, m->path);
        break;
    }
    case SMB1_NT_CREATE_ANDX: {
        if (m->response) {
            /* 34 words (MS-CIFS 2.2.4.64.2) or 42 (MS-SMB 2.2.4.9.2) */
            if (wc < 34)
                break;
            mw_skip(&wd, 5);
            uint16_t fid = mw_le16(&wd);
            m->file_id[0] = (uint8_t)(fid & 0xFF);
            m->file_id[1] = (uint8_t)(fid >> 8);
            break;
        }
        if (wc != 24)
            break;
        mw_skip(&wd, 5);
        uint16_t nlen = mw_le16(&wd);
        mw_skip(&wd, 8); /* Flags, RootDirectoryFID */
        m->desired_access = mw_le32(&wd);
        mw_skip(&wd, 16); /* AllocationSize, ExtFileAttributes, ShareAccess */
        m->create_disposition = mw_le32(&wd);
        m->create_options = mw_le32(&wd);
        if (!bytes_ok)
            return MW_BAD;
        /* NameLength counts bytes, with or without the terminator
         * depending on the client; the name still ends at its NUL. */
        size_t npos = bpos + (unicode && bpos % 2 != 0 ? 1 : 0);
        if (nlen > bend - (npos < bend ? npos : bend))
            return MW_BAD;
        smb1_string(p, npos, bend, nlen, unicode, m->path);
        break;
    }
    case SMB1_OPEN_ANDX: {
        /* MS-CIFS 2.2.4.41: the older open (Samba's smbclient, Windows 9x).
         * Reply: AndX (4), FID (2); request: 15 words, the name in Bytes. */
        if (m->response) {
            if (wc < 15)
                break;
            mw_skip(&wd, 4);
            uint16_t fid = mw_le16(&wd);
            m->file_id[0] = (uint8_t)(fid & 0xFF);
            m->file_id[1] = (uint8_t)(fid >> 8);
            break;
        }
        if (wc != 15)
            break;
        if (!bytes_ok)
            return MW_BAD;
        smb1_string(p, bpos, bend, SIZE_MAX, unicode, m->path);
        break;
    }
    case SMB1_READ_ANDX:
        if (m->response) {
            if (wc != 12)
                break;
            mw_skip(&wd, 10);
            uint32_t lo = mw_le16(&wd);
            mw_skip(&wd, 2); /* DataOffset */
            uint32_t hi = mw_le16(&wd); /* MS-SMB 2.2.4.2.2 DataLengthHigh */
            m->read_data_len = lo | hi << 16;
            break;
        }
        if (wc != 10 && wc != 12)
            break;
        mw_skip(&wd, 4);
        uint16_t fid = mw_le16(&wd);
        m->file_id[0] = (uint8_t)(fid & 0xFF);
        m->file_id[1] = (uint8_t)(fid >> 8);
        m->read_offset = mw_le32(&wd);
        m->read_length = mw_le16(&wd);
        mw_skip(&wd, 2); /* MinCountOfBytesToReturn */
        uint32_t hi = mw_le32(&wd); /* MS-SMB 2.2.4.2.1: Timeout or MaxCountHigh */
        if (hi != 0xFFFFFFFFu)
            m->read_length |= (hi & 0xFFFFu) << 16;
        if (wc == 12) {
            mw_skip(&wd, 2); /* Remaining */
            m->read_offset |= (uint64_t)mw_le32(&wd) << 32;
        }
        break;
    case SMB1_CLOSE:
        if (!m->response && wc == 3) {
            uint16_t f = mw_le16(&wd);
            m->file_id[0] = (uint8_t)(f & 0xFF);
            m->file_id[1] = (uint8_t)(f >> 8);
        }
        break;
    default:
        break;
    }
    if (*andx_cmd != SMB1_NO_ANDX) {
        /* tcpdump print-smb.c: the next block must lie beyond this one;
         * here beyond its ByteCount, and inside the message. */
        if (*andx_off < bpos || *andx_off >= n)
            return MW_BAD;
    }
    return MW_OK;
}

static enum mw_res smb1_parse(const uint8_t *p, size_t n, struct smb_msg *out)
{
    struct mw_cur c = mw_cur_make(p, n);
    mw_skip(&c, 4); /* 0xFF 'SMB', checked by the caller */
    uint8_t cmd = mw_u8(&c);
    uint32_t status = mw_le32(&c);
    uint8_t flags = mw_u8(&c);
    uint16_t flags2 = mw_le16(&c);
    mw_skip(&c, 12); /* PIDHigh, SecurityFeatures, Reserved */
    uint16_t tid = mw_le16(&c);
    mw_skip(&c, 2); /* PIDLow */
    uint16_t uid = mw_le16(&c);
    uint16_t mid = mw_le16(&c);
    if (c.bad)
        return MW_SHORT;
    out->version = 1;
    bool unicode = (flags2 & SMB1_FLAGS2_UNICODE) != 0;
    struct smb_cmd spare;
    size_t off = SMB1_HDR_LEN;
    for (unsigned iter = 0;; iter++) {
        if (iter == SMB1_MAX_CHAIN) {
            out->cmd_overflow = true;
            return MW_OK;
        }
        struct smb_cmd *m = out->ncmd < SMB_MAX_CMDS ? &out->cmd[out->ncmd] : &spare;
        clear_cmd(m);
        m->command = cmd;
        m->kind = smb1_kind(cmd);
        m->response = (flags & SMB1_FLAGS_REPLY) != 0;
        m->status = status;
        m->message_id = mid;
        m->session_id = uid;
        m->tree_id = tid;
        uint8_t next_cmd;
        size_t next_off;
        enum mw_res r = smb1_block(p, n, off, unicode, m, &next_cmd, &next_off);
        if (r != MW_OK)
            return r;
        if (m == &spare)
            out->cmd_overflow = true;
        else
            out->ncmd++;
        if (next_cmd == SMB1_NO_ANDX)
            return MW_OK;
        cmd = next_cmd;
        off = next_off;
    }
}

/* ---- entry ---------------------------------------------------------------- */

#define SMB3_TRANSFORM_LEN 52 /* MS-SMB2 2.2.41 */
#define SMB3_COMPRESS_MIN 8   /* MS-SMB2 2.2.42: the chained form's fixed part */

enum mw_res smb_parse(const uint8_t *p, size_t n, struct smb_msg *out)
{
    memset(out, 0, offsetof(struct smb_msg, cmd));
    if (p == NULL)
        return MW_SHORT;
    struct mw_cur c = mw_cur_make(p, n);
    const uint8_t *id = mw_take(&c, 4);
    if (id == NULL)
        return MW_SHORT;
    if (id[1] != 'S' || id[2] != 'M' || id[3] != 'B')
        return MW_BAD;
    switch (id[0]) {
    case 0xFF:
        return smb1_parse(p, n, out);
    case 0xFE:
        return smb2_parse(p, n, out);
    case 0xFD:
        mw_skip(&c, 40); /* Signature, Nonce, OriginalMessageSize, Reserved, Flags */
        out->enc_session_id = mw_le64(&c);
        if (c.bad)
            return MW_SHORT;
        out->version = 3;
        out->encrypted = true;
        return MW_OK;
    case 0xFC:
        if (!mw_skip(&c, SMB3_COMPRESS_MIN - 4))
            return MW_SHORT;
        out->version = 2;
        out->compressed = true;
        return MW_OK;
    default:
        return MW_BAD;
    }
}
