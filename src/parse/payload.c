/* payload.c -- body typing by magic bytes and a few header fields (see
 * payload.h). OLE compound files follow [MS-CFB] 2.2 (header) and 2.6
 * (directory entries); PE images follow the PE/COFF specification (DOS stub
 * e_lfanew, "PE\0\0", COFF file header). Every offset comes from the input,
 * so each is computed in 64 bits, checked against PAYLOAD_SNIFF_MAX and then
 * reached through a bytes.h cursor. */
#include <string.h>

#include "bytes.h"
#include "parse/payload.h"

const char *payload_type_name(enum payload_type t)
{
    switch (t) {
    case PT_MSI:    return "msi";
    case PT_MSP:    return "msp";
    case PT_MST:    return "mst";
    case PT_PE_DLL: return "pe-dll";
    case PT_PE_EXE: return "pe-exe";
    case PT_CAB:    return "cab";
    case PT_ZIP:    return "zip";
    case PT_UNKNOWN:
    case PT_OTHER:
    default:        return "other";
    }
}

static const uint8_t OLE_MAGIC[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

/* Root storage CLSIDs as stored on disk (GUID fields 1-3 little-endian):
 * {000C1084-...-C000-000000000046} MSI, 1086 MSP, 1082 MST. */
#define MS_CLSID(b) { b, 0x10, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, \
                      0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 }
static const struct {
    uint8_t clsid[16];
    enum payload_type type;
} ole_kinds[] = {
    { MS_CLSID(0x84), PT_MSI },
    { MS_CLSID(0x86), PT_MSP },
    { MS_CLSID(0x82), PT_MST },
};

#define OLE_SHIFT_OFF 0x1E   /* sector shift: 9 (v3) or 12 (v4) */
#define OLE_DIR_OFF   0x30   /* SECID of the first directory sector */
#define OLE_MAXREGSECT 0xFFFFFFFAu /* larger SECIDs are markers ([MS-CFB] 2.1) */
#define OLE_DIRENT    128    /* size of a directory entry */
#define OLE_TYPE_OFF  0x42   /* object type; 5 = root storage */
#define OLE_CLSID_OFF 0x50

#define IMAGE_FILE_DLL 0x2000

/* Not decided from these bytes: wait, unless no more are coming. */
static enum payload_type need_more(bool final)
{
    return final ? PT_OTHER : PT_UNKNOWN;
}

static bool magic(const uint8_t *buf, size_t len, const void *m, size_t k, bool *whole);

static enum payload_type sniff_ole(const uint8_t *buf, size_t len, bool final)
{
    struct mw_cur c = mw_cur_make(buf, len);
    if (!mw_skip(&c, OLE_SHIFT_OFF))
        return need_more(final);
    uint16_t shift = mw_le16(&c);
    struct mw_cur d = mw_cur_make(buf, len);
    mw_skip(&d, OLE_DIR_OFF);
    uint32_t secid = mw_le32(&d);
    if (c.bad || d.bad)
        return need_more(final);
    if (shift != 9 && shift != 12)
        return PT_OTHER;
    if (secid > OLE_MAXREGSECT)
        return PT_OTHER; /* no directory: ENDOFCHAIN, FREESECT and the like */
    /* Sector n starts at (n + 1) << shift: the header fills sector -1. */
    uint64_t off = ((uint64_t)secid + 1) << shift;
    if (off + OLE_DIRENT > PAYLOAD_SNIFF_MAX)
        return PT_OTHER;
    struct mw_cur e;
    struct mw_cur all = mw_cur_make(buf, len);
    if (!mw_skip(&all, (size_t)off) || !mw_sub(&all, OLE_DIRENT, &e))
        return need_more(final);
    return payload_ole_root_type(e.p);
}

enum payload_type payload_ole_root_type(const uint8_t entry[128])
{
    struct mw_cur e = mw_cur_make(entry, OLE_DIRENT);
    mw_skip(&e, OLE_TYPE_OFF);
    uint8_t type = mw_u8(&e);
    mw_skip(&e, OLE_CLSID_OFF - OLE_TYPE_OFF - 1);
    const uint8_t *clsid = mw_take(&e, 16);
    if (e.bad || type != 5)
        return PT_OTHER;
    for (size_t i = 0; i < sizeof ole_kinds / sizeof ole_kinds[0]; i++)
        if (memcmp(clsid, ole_kinds[i].clsid, 16) == 0)
            return ole_kinds[i].type;
    return PT_OTHER; /* Word, Excel, PowerPoint, Outlook .msg, ... */
}

bool payload_ole_root_offset(const uint8_t *buf, size_t len, uint64_t *off)
{
    bool whole;
    if (len < 0x34 || !magic(buf, len, OLE_MAGIC, sizeof OLE_MAGIC, &whole) || !whole)
        return false;
    struct mw_cur c = mw_cur_make(buf, len);
    mw_skip(&c, OLE_SHIFT_OFF);
    uint16_t shift = mw_le16(&c);
    struct mw_cur d = mw_cur_make(buf, len);
    mw_skip(&d, OLE_DIR_OFF);
    uint32_t secid = mw_le32(&d);
    if (c.bad || d.bad || (shift != 9 && shift != 12) || secid > OLE_MAXREGSECT)
        return false;
    uint64_t o = ((uint64_t)secid + 1) << shift;
    if (o + OLE_DIRENT <= PAYLOAD_SNIFF_MAX)
        return false; /* inside the window: payload_sniff has answered */
    *off = o;
    return true;
}

static enum payload_type sniff_pe(const uint8_t *buf, size_t len, bool final)
{
    struct mw_cur c = mw_cur_make(buf, len);
    mw_skip(&c, 0x3C);
    uint32_t lfanew = mw_le32(&c);
    if (c.bad)
        return need_more(final);
    /* "PE\0\0" then the 20-byte COFF header, Characteristics its last field. */
    if ((uint64_t)lfanew + 4 + 20 > PAYLOAD_SNIFF_MAX)
        return PT_OTHER;
    struct mw_cur p = mw_cur_make(buf, len);
    mw_skip(&p, lfanew);
    const uint8_t *sig = mw_take(&p, 4);
    mw_skip(&p, 18);
    uint16_t chars = mw_le16(&p);
    if (p.bad)
        return need_more(final);
    if (memcmp(sig, "PE\0\0", 4) != 0)
        return PT_OTHER; /* DOS MZ, NE, LE */
    return (chars & IMAGE_FILE_DLL) ? PT_PE_DLL : PT_PE_EXE;
}

/* Does buf match magic over min(len, k) bytes? *whole: all k were present. */
static bool magic(const uint8_t *buf, size_t len, const void *m, size_t k, bool *whole)
{
    size_t n = len < k ? len : k;
    *whole = n == k;
    if (n == 0)
        return true;
    struct mw_cur c = mw_cur_make(buf, len);
    const uint8_t *p = mw_take(&c, n);
    return p != NULL && memcmp(p, m, n) == 0;
}

enum payload_type payload_sniff(const uint8_t *buf, size_t len, bool complete)
{
    bool final = complete;
    if (len >= PAYLOAD_SNIFF_MAX) {
        len = PAYLOAD_SNIFF_MAX;
        final = true;
    }
    if (buf == NULL)
        len = 0;
    bool whole, maybe = false;
    if (magic(buf, len, OLE_MAGIC, sizeof OLE_MAGIC, &whole)) {
        if (whole)
            return sniff_ole(buf, len, final);
        maybe = true;
    }
    if (magic(buf, len, "MZ", 2, &whole)) {
        if (whole)
            return sniff_pe(buf, len, final);
        maybe = true;
    }
    if (magic(buf, len, "MSCF", 4, &whole)) {
        if (whole)
            return PT_CAB;
        maybe = true;
    }
    /* "PK\3\4" a local file header; "PK\5\6" the end record of an empty zip. */
    if (magic(buf, len, "PK\3\4", 4, &whole)) {
        if (whole)
            return PT_ZIP;
        maybe = true;
    }
    if (magic(buf, len, "PK\5\6", 4, &whole)) {
        if (whole)
            return PT_ZIP;
        maybe = true;
    }
    return maybe ? need_more(final) : PT_OTHER;
}
