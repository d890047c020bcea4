/* smb.h -- NetBIOS session framing and SMB1/SMB2/SMB3 message heads, as a
 * pure parser (DESIGN.md section 4 "SMB"; STYLE.md 1.3, 5.1). In: the bytes
 * of one TCP direction (nbss_frame), then one NetBIOS message (smb_parse).
 * Out: per command of the message (SMB2 compound, SMB1 AndX chain) the
 * header fields and what msiwatch records: the dialect, the session setup
 * security blob, tree connect paths, create names, file ids, read sizes.
 * Nothing is allocated or printed and no state is kept between calls; the
 * security blob is a pointer into the caller's bytes. Not here: matching
 * responses to requests, trees to creates (src/app/smb.c), NTLMSSP
 * (ntlmssp.h), decryption of SMB3 TRANSFORM messages. */
#ifndef MW_PARSE_SMB_H
#define MW_PARSE_SMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* RFC 1002 4.3.1: the length is 17 bits (the low bit of the flags byte
 * extends it). Direct hosting on 445 (MS-SMB2 2.1) sends the same 0x00
 * type byte with a 24-bit StreamProtocolLength: SMB 2 and 3 multi-credit
 * READ replies and WRITE requests of up to 8 MiB. So a session message
 * (0x00) may be up to NBSS_DIRECT_MAX_LEN long, the other types up to
 * NBSS_MAX_LEN. */
#define NBSS_MAX_LEN 0x1FFFFu
#define NBSS_DIRECT_MAX_LEN 0xFFFFFFu

/* Split one NetBIOS session service packet off the front of p[0..n).
 * MW_OK: *type is the packet type, *used = 4 + length; for a session message
 * (type 0x00) *msg and *msg_len give its body, for the other types (0x81 request,
 * 0x82 positive and 0x83 negative response, 0x84 retarget, 0x85 keepalive)
 * *msg_len is 0 and the body is only skipped. MW_SHORT: the packet is not
 * complete yet (every strict prefix of a packet is SHORT); once its 4-byte
 * header is there, *type and *used (4 + length) already say what it will be,
 * so that a caller may take the head of a long message and skip the rest.
 * MW_BAD: an unknown type, or a length over the type's maximum: the stream
 * is not NetBIOS here. */
enum mw_res nbss_frame(const uint8_t *p, size_t n, const uint8_t **msg, size_t *msg_len,
                       size_t *used, uint8_t *type);

/* 8 commands kept per message: Windows compounds at most 3 or 4 (create,
 * query info, close) and SMB1 AndX chains 2; more are walked (up to the
 * iteration caps in smb.c) and counted by cmd_overflow, not stored. */
#define SMB_MAX_CMDS 8
/* 1024 UTF-8 bytes: the longest Windows path (32767 UTF-16 units) would not
 * fit, but MAX_PATH names do; longer ones are cut on a character boundary. */
#define SMB_NAME_MAX 1024

enum smb_kind {
    SMB_K_NONE, SMB_K_NEGOTIATE, SMB_K_SESSION_SETUP, SMB_K_TREE_CONNECT, SMB_K_CREATE,
    SMB_K_READ, SMB_K_CLOSE, SMB_K_OTHER
};

struct smb_cmd {
    enum smb_kind kind;
    uint16_t command;     /* SMB2 Command, or SMB1 command byte */
    bool response;        /* SMB2 SERVER_TO_REDIR, SMB1 Flags REPLY */
    uint32_t status;      /* NT status (SMB1 without NT status: the DOS error as 4 bytes) */
    uint64_t message_id;  /* SMB2 MessageId; SMB1 MID */
    uint64_t session_id;  /* SMB2 SessionId; SMB1 UID */
    uint32_t tree_id;     /* SMB2 TreeId (response: assigned; 0 in async headers); SMB1 TID */
    uint16_t dialect;     /* NEGOTIATE response: DialectRevision (0x0202, 0x0210, 0x0300,
                           * 0x0302, 0x0311, 0x02FF); SMB1: 0x0100 */
    uint8_t file_id[16];  /* CREATE response FileId (SMB2) or FID (SMB1, first 2 bytes);
                           * READ and CLOSE request FileId / FID */
    uint64_t read_offset; /* READ request */
    uint32_t read_length; /* READ request */
    uint32_t read_data_len; /* READ response DataLength */
    const uint8_t *sec_blob; /* SESSION_SETUP request/response security buffer (SPNEGO or */
    size_t sec_len;          /* raw NTLMSSP), pointing into the message; NULL when empty */
    uint32_t create_disposition, create_options, desired_access; /* CREATE request */
    /* last, and cleared only to its first byte (a message of 8 commands
     * would otherwise cost 9 KiB of memset) */
    char path[SMB_NAME_MAX]; /* TREE_CONNECT request: "\\server\share"; CREATE request: the
                              * name relative to the share, UTF-8, as on the wire
                              * ("dir\x.msi", "" for the share root) */
};

struct smb_msg {
    uint8_t version;  /* 1, 2 (SMB2/3 in clear, and compressed), 3 (TRANSFORM: encrypted) */
    bool encrypted;   /* TRANSFORM header (0xFD 'SMB'): nothing inside is readable */
    uint64_t enc_session_id; /* SessionId of the TRANSFORM header */
    bool compressed;  /* COMPRESSION_TRANSFORM header (0xFC 'SMB'): ncmd is 0 */
    unsigned ncmd;     /* commands stored, <= SMB_MAX_CMDS */
    bool cmd_overflow; /* the message held more commands than SMB_MAX_CMDS */
    struct smb_cmd cmd[SMB_MAX_CMDS]; /* [0, ncmd) set; the rest as it was */
};

/* Parse one complete NetBIOS message body p[0..n): SMB1 (0xFF 'SMB') with
 * its AndX chain, SMB2 (0xFE 'SMB') with its compound chain, or a TRANSFORM
 * (0xFD) or COMPRESSION_TRANSFORM (0xFC) header. out's fields are cleared
 * first, and each command as it is stored.
 * MW_SHORT: the bytes end inside a fixed-size header or command structure.
 * MW_BAD: another protocol id, a StructureSize or WordCount that cannot be,
 * a chain that does not move forward (SMB2 NextCommand below 64, unaligned,
 * or past the end; SMB1 AndXOffset not beyond the current block), an
 * offset/length pair that leaves its command's bytes (for a compounded
 * command, the bytes up to the next one), or an odd UTF-16 length.
 * Error responses (an error status with the 9-byte SMB2 ERROR body, or an
 * SMB1 reply without words) are MW_OK with only the header fields set. */
enum mw_res smb_parse(const uint8_t *p, size_t n, struct smb_msg *out);

#endif
