/* winevent.h -- one forwarded Windows event, in whatever form the forwarder
 * wrote it, becomes one struct rec_endpoint (DESIGN.md sections 4, 5, 7).
 *
 * In: the payload of one syslog message (the bytes after the syslog header),
 * or one line or XML document of an event file; a UTF-8 BOM and surrounding
 * white space are allowed. Formats, detected per message:
 *   nxlog        NXLog im_msvistalog + to_json(): flat keys EventID, SourceName, Hostname, EventTime, ...
 *   flat-json    the same flattened idea without NXLog's bookkeeping (OTRF datasets, 2023)
 *   winlogbeat   Winlogbeat JSON: winlog.event_id, winlog.event_data.*, ECS host.*, process.*, @timestamp
 *   ecs          Elastic Agent ECS JSON without a winlog object: event.code, event.provider, process.*, host.*
 *   openwec      OpenWEC "Json": System.*, EventData.*, RenderingInfo, OpenWEC.IpAddress
 *   openwec-raw  OpenWEC "RawJson": {"meta":{"IpAddress":...},"data":"<Event ...>"}
 *   azure-syslog a syslog row as Azure Monitor stores it, the rendered XML in SyslogMessage (Sysmon for Linux)
 *   xml          rendered event XML (<Event xmlns=...>), one line or pretty-printed, optionally in
 *                <Events>; of several events only the first is read (split files with winevent_xml_next)
 *   snare        Snare "MSWinEventLog" tab-separated, EventData as "Key: Value" text in the expanded message
 *   kv           Splunk classic WinEventLog key=value lines, the message after "Message="
 * A JSON payload may also be an array holding exactly one such object (the
 * Winlogbeat golden files).
 *
 * Out: Sysmon 1, 3, 7, 22, Security 4688 and MsiInstaller 1040/1042 become a
 * record; every other event is IGNORED: by a byte scan for its event id
 * before jansson or expat see it when the id says so (every id the scan finds
 * is one we do not keep), after parsing when only the provider does (an
 * Application event 1 is not Sysmon 1). What cannot be read is MALFORMED with
 * a short static reason. Pure: no I/O, no state between calls; jansson and
 * expat allocate, and so does the XML text buffer (freed before returning).
 *
 * Not here: the syslog header (parse/syslog.c), reading files (events.c),
 * deciding what is suspicious (the correlator).
 *
 * Hostile input: a message longer than WINEVENT_MAX_LEN is MALFORMED without
 * being parsed; JSON nesting is bounded by jansson (JSON_PARSER_MAX_DEPTH),
 * XML nesting by WINEVENT_XML_MAX_DEPTH in our handlers (the walk never
 * recurses); a DOCTYPE or entity declaration stops expat at once (so no
 * entity is ever expanded or loaded), invalid UTF-8 is refused by both. */
#ifndef MW_PARSE_WINEVENT_H
#define MW_PARSE_WINEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* 512 KiB: a command line may be 32767 UTF-16 units (up to ~96 KiB of UTF-8),
 * and NXLog and OpenWEC carry it twice (the field and the rendered Message),
 * JSON-escaped; a real event stays far below. Longer is hostile or broken. */
#define WINEVENT_MAX_LEN (512u * 1024u)

/* Element depth the XML walk accepts: a real event is 4 deep (Event,
 * EventData, Data; RenderingInfo/Keywords/Keyword), 5 inside <Events>. */
#define WINEVENT_XML_MAX_DEPTH 16

enum winevent_result {
    WINEVENT_OK = 0,       /* *out is a record */
    WINEVENT_IGNORED,      /* a well-enough-formed event we do not want (other id or provider) */
    WINEVENT_MALFORMED,    /* not an event we can read; *why says why */
};

struct winevent_opts {
    /* The UTC offset, in seconds, of the zone in which forwarders write times
     * that carry no zone (NXLog EventTime, Snare's SubmitTime, the first line
     * of Splunk key=value): ISO 8601 sign, east of UTC positive, e.g. -14400
     * for UTC-04:00. UTC = local time - offset. It is the value that
     * --event-utc-offset parses (-04:00 -> -14400). Default 0: such times are
     * taken as UTC. Times with a zone, Sysmon UtcTime and System/TimeCreated
     * (UTC by definition) ignore it. */
    long zoneless_utc_offset_s;
};

/* Parse one event. recv_us is when msiwatch read it: it becomes out->recv_us,
 * and out->ts_us (with out->ts_is_receive) when the event has no usable time.
 * opts may be NULL (offset 0). *why (may be NULL) is set to a static string
 * on MALFORMED, to "ignored" on IGNORED and NULL on OK. *out is always fully
 * written (zeroed on failure); strings in it are NUL-terminated UTF-8, with
 * control bytes and invalid sequences escaped by text_copy (text.h).
 * Field rules (DESIGN.md section 4):
 *   guid, parent_guid  upper case, no braces; only a well-formed GUID is kept
 *   pid, ppid          Sysmon decimal; 4688 NewProcessId / ProcessId (the creator) hexadecimal "0x..";
 *                      MsiInstaller: the "Client Process Id"
 *   dst_domain         Sysmon 3 DestinationHostname ("-" -> ""), Sysmon 22 QueryName
 *   package, product   MsiInstaller 1040/1042: the transaction's package source as written; when the
 *                      event names a product code ({GUID}) instead of a path it goes to product
 *   ts_us              Sysmon UtcTime, else the event's own time (System/TimeCreated, TimeCreated,
 *                      @timestamp of Winlogbeat/ECS), else a zone-less local time with the offset,
 *                      else recv_us with ts_is_receive set. */
enum winevent_result winevent_parse(const char *buf, size_t len, uint64_t recv_us,
                                    const struct winevent_opts *opts, struct rec_endpoint *out,
                                    const char **why);

/* A file of rendered XML events (wevtutil or python-evtx output, Windows'
 * "Save as XML", evtx_dump) holds many <Event> documents, pretty-printed
 * across lines, often inside <Events> and after an <?xml ...?> declaration.
 * This finds the next complete <Event>...</Event> (or <Event .../>) in
 * buf[*pos..len) without parsing it: it skips the declaration, comments,
 * CDATA, processing instructions, DOCTYPE and the <Events> wrapper, honours
 * quotes in attributes, and counts nested <Event> elements, so a "</Event>"
 * inside a comment, CDATA or attribute value does not end a document. It
 * reads each byte a bounded number of times and keeps no state.
 *
 * WINEVENT_XML_DOC: buf[*start..*end) is one document for winevent_parse;
 *   *pos = *end, call again for the next.
 * WINEVENT_XML_MORE: a document starts at *start but does not end in the
 *   buffer. A streaming reader keeps buf[*start..len), appends more bytes and
 *   calls again with *pos = 0 on the new buffer; at end of input, or once the
 *   document is longer than the reader's bound, it hands the bytes to
 *   winevent_parse (which says MALFORMED) or drops them. *pos = *start.
 * WINEVENT_XML_END: no document starts in buf[*pos..len); *pos = len, except
 *   that a trailing "<" or partial markup is left unconsumed (*pos points at
 *   it) so that a streaming reader keeps it for the next read. */
enum winevent_xml_res { WINEVENT_XML_DOC, WINEVENT_XML_MORE, WINEVENT_XML_END };
enum winevent_xml_res winevent_xml_next(const char *buf, size_t len, size_t *pos, size_t *start,
                                        size_t *end);

#endif
