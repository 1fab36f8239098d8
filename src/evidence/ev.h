/*
 * ev.h - evidence readers: turn logs, JSON lines and files into observations
 * (a kind, a value and where it was seen).
 *
 * The text extractor makes one pass over bytes with a 256-entry byte-class
 * table and finds URLs, domains, IPv4/IPv6 addresses, e-mail addresses,
 * MD5/SHA-1/SHA-256/SHA-512 hashes, cryptocurrency addresses (Bitcoin
 * base58check and bech32/bech32m with their checksums verified, Tron
 * base58check, Ethereum 0x + 40 hex with its EIP-55 case checked when mixed)
 * and file-name-like tokens, including
 * defanged forms (hxxp, [.], (.), [dot], [:]//, [@]). Domain candidates must
 * end in a top-level domain of the Public Suffix List, so "file.txt" is not a
 * domain. JSON lines are scanned as text; the JSON path of a hit's value is
 * found afterwards (ev_json_path), only for hits.
 *
 * The stream reader reads a file (plain, .gz or .zst, told by magic bytes) in
 * chunks that end on a line boundary, and can hash the raw bytes (MD5, SHA-1,
 * SHA-256) in the same read. ev_walk lists the files of folders recursively.
 *
 * Nothing here prints; errors are VG_E_* codes with detail in a vg_error.
 */
#ifndef EV_H
#define EV_H

#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"

/* Kinds of observation. */
enum ev_kind {
    EV_NONE = 0,
    EV_DOMAIN,    /* a domain name (PSL top-level domain checked) */
    EV_URL,       /* scheme://... (defanging undone) */
    EV_IPV4,      /* dotted quad */
    EV_IPV6,      /* any RFC 4291 text form, zone id dropped */
    EV_EMAIL,     /* local@domain */
    EV_HASH,      /* a hex run of exactly 32, 40, 64 or 128 digits */
    EV_WALLET,    /* a cryptocurrency address with a valid checksum (or Ethereum form) */
    EV_FILE_NAME, /* name.ext whose extension is not a top-level domain, or a file's own name */
    EV_FILE_PATH, /* a file's path */
    EV_STRING,    /* a whole quoted string value */
    EV__COUNT
};

/* The short name of a kind ("domain"...). Never NULL. */
const char *ev_kind_name(int kind);

/* One observation. Pointers are borrowed for the duration of the callback. */
typedef struct ev_obs {
    int kind;          /* EV_* */
    const char *value; /* the value (defanging undone); not NUL-terminated */
    size_t len;        /* its length */
    uint64_t offset;   /* byte offset of the value's first byte in the (decompressed) stream */
    uint64_t line;     /* 1-based line number; 0 when not from text */
    int defanged;      /* 1 when the text wrote it defanged */
} ev_obs;

/* Called for each observation; a nonzero return stops the scan and is returned. */
typedef int (*ev_obs_fn)(const ev_obs *o, void *ctx);

/* ---- text extraction ----------------------------------------------------- */

/* What the extractor reports (bits; 0 means EV_WANT_ALL). */
enum {
    EV_WANT_NET = 1,     /* URLs, domains, addresses, e-mail */
    EV_WANT_HASH = 2,    /* hashes */
    EV_WANT_WALLET = 4,  /* cryptocurrency addresses */
    EV_WANT_NAMES = 8,   /* file-name-like tokens */
    EV_WANT_STRINGS = 16, /* whole double-quoted strings (JSON values) */
    EV_WANT_ALL = 31,
};

/* An extractor: per-thread scratch space and caches. Not shareable between threads. */
typedef struct ev_text ev_text;

/* Creates an extractor (the Public Suffix List is loaded once per process). */
int ev_text_new(int want, ev_text **out, vg_error *err);
void ev_text_free(ev_text *t);

/*
 * Scans buf[0..len) as text. `offset` and `line` are the stream position of
 * buf[0] (line 1-based). Tokens are capped at 4 KB; longer runs are skipped.
 * Returns 0 or the callback's nonzero value.
 */
int ev_text_scan(ev_text *t, const char *buf, size_t len, uint64_t offset, uint64_t line, ev_obs_fn fn, void *ctx);
/* Newlines in the buffer of the last ev_text_scan that ran to its end (every one is seen on the way). */
uint64_t ev_text_lines(const ev_text *t);

/* 1 when `tld` (no dot, any case) is a top-level domain of the Public Suffix List. */
int ev_tld_valid(const char *tld, size_t len);

/* Checksum tests, exposed for tests: 1 when valid. */
int ev_base58check_valid(const char *s, size_t len, int *version); /* Bitcoin and forks, Tron, Zcash t-addresses */
int ev_bech32_valid(const char *s, size_t len);                    /* bc1 / tb1 / ltc1, bech32 and bech32m */
int ev_ripple_valid(const char *s, size_t len);                    /* XRP: base58check in Ripple's alphabet */
int ev_cashaddr_valid(const char *s, size_t len);                  /* Bitcoin Cash CashAddr, without its prefix */
int ev_monero_valid(const char *s, size_t len);                    /* Monero: Keccak-256 checksum */
int ev_eip55_valid(const char *s, size_t len);                     /* Ethereum 0x + 40 hex: EIP-55 case if mixed */

/*
 * The JSON path ("$.a.b[2]") of the string value that holds byte `at` of
 * the JSON text line[0..len), written into out (cap bytes). Returns 0, or -1
 * when the line is not a JSON object or `at` is not inside a string value.
 */
int ev_json_path(const char *line, size_t len, size_t at, char *out, size_t cap);

/* ---- streams ---------------------------------------------------------------- */

/* One chunk of a stream: whole lines, except when a line is longer than the chunk. */
typedef struct ev_chunk {
    char *data;      /* the bytes (owned by the chunk: ev_chunk_free) */
    size_t len;      /* bytes in use */
    size_t cap;      /* bytes allocated */
    uint64_t offset; /* stream offset of data[0] */
    uint64_t line;   /* 1-based line number of data[0]; 0 when the stream does not count (EV_STREAM_NOLINES) */
} ev_chunk;

/* Allocates a chunk buffer of `cap` bytes (at least 64 KB). */
int ev_chunk_init(ev_chunk *c, size_t cap, vg_error *err);
void ev_chunk_free(ev_chunk *c);

/* Compression of a stream. */
enum { EV_PLAIN = 0, EV_GZIP = 1, EV_ZSTD = 2 };

typedef struct ev_stream ev_stream;

/* ev_stream_open flags. */
enum {
    EV_STREAM_HASH = 1,   /* hash the raw bytes read (MD5, SHA-1, SHA-256) */
    EV_STREAM_NOLINES = 2 /* do not count lines: chunks get line 0 (the caller counts them, e.g. in parallel) */
};

/* Opens path for reading. VG_E_NOTFOUND, VG_E_IO. */
int ev_stream_open(const char *path, int flags, ev_stream **out, vg_error *err);
void ev_stream_close(ev_stream *s);

/* The compression detected (EV_PLAIN, EV_GZIP, EV_ZSTD) and the raw file size. */
int ev_stream_compression(const ev_stream *s);
uint64_t ev_stream_size(const ev_stream *s);
/* Raw bytes read so far (for progress). */
uint64_t ev_stream_raw_read(const ev_stream *s);

/*
 * Fills c with the next chunk. Returns 1 with a chunk, 0 at the end, or a
 * negative code (VG_E_IO, VG_E_PARSE for a damaged .gz/.zst, with where =
 * the file and offset).
 */
int ev_stream_next(ev_stream *s, ev_chunk *c, vg_error *err);

/*
 * Reads up to n decompressed bytes into dst, as they are (no lines): for
 * binary formats read from a stream (captures). Do not mix with
 * ev_stream_next on one stream. Returns the count (less than n only at the
 * end; 0 at the end), or VG_E_IO / VG_E_PARSE (damaged .gz/.zst).
 */
long ev_stream_read(ev_stream *s, void *dst, size_t n, vg_error *err);

/* After the end: the raw bytes' hashes as lower-case hex (NUL-terminated). */
typedef struct ev_hashes {
    char md5[33];
    char sha1[41];
    char sha256[65];
} ev_hashes;
int ev_stream_hashes(ev_stream *s, ev_hashes *h, vg_error *err);

/*
 * Calls fn for every regular file at path: the file itself, or every file in
 * the folder and below it (in name order, symbolic links not followed).
 * Returns 0, VG_E_NOTFOUND, VG_E_IO, or fn's nonzero value.
 */
int ev_walk(const char *path, int (*fn)(const char *file, uint64_t size, void *ctx), void *ctx, vg_error *err);

/* ---- network captures (ev_pcap.c) ----------------------------------------------
 *
 * Reads pcap (both byte orders, micro- and nanosecond) and pcapng (sections
 * of either byte order; interface, enhanced, simple and obsolete packet
 * blocks; each interface's link type, time resolution and offset) from a
 * stream (so .pcap.gz and .pcapng.zst too) or from memory, and decodes
 * Ethernet (802.1Q/802.1ad tags), Linux cooked (SLL, SLL2), raw IPv4/IPv6 and
 * BSD loopback (null/loop) frames: IPv4 (options; non-first fragments
 * skipped), IPv6 (extension headers), UDP and TCP. Observations:
 *
 *   ip.src, ip.dst      the two addresses of every flow, once per flow
 *   dns.qname           question names (UDP or TCP port 53)
 *   dns.a, dns.aaaa     addresses in answers
 *   dns.cname           CNAME targets in answers
 *   tls.sni             server name of a TLS ClientHello (also over two or more segments)
 *   http.host, http.url the Host of an HTTP request and http://host/path
 *
 * A malformed packet is skipped and counted; a damaged or truncated file
 * ends the read with VG_E_PARSE naming the file, the packet and its byte
 * offset, after every earlier packet was delivered.
 */

/* Capture file formats (ev_pcap_magic). */
enum { EV_PCAP_NONE = 0, EV_PCAP_CLASSIC = 1, EV_PCAP_NG = 2 };

/* 1 (EV_PCAP_CLASSIC) or 2 (EV_PCAP_NG) when b[0..n) starts a capture file (12 bytes tell), else 0. */
int ev_pcap_magic(const void *b, size_t n);

/*
 * Whether the file at path is a capture, also inside .gz/.zst: 1, 0 (not a
 * capture, or unreadable: the text reader will say why).
 */
int ev_pcap_sniff(const char *path);

/* One observation from a capture. Pointers are borrowed for the duration of the callback. */
typedef struct ev_pcap_obs {
    int kind;          /* EV_DOMAIN, EV_URL, EV_IPV4 or EV_IPV6 */
    const char *value; /* the value, NUL-terminated */
    size_t len;        /* its length */
    const char *field; /* where in the packet: "dns.qname", "tls.sni", "ip.dst"... (static) */
    uint64_t packet;   /* 1-based packet number in the file */
    uint64_t offset;   /* byte offset of the packet's record (block) in the (decompressed) file */
    int has_time;      /* 1 when the packet carries a time (a pcapng simple packet block does not) */
    vg_time time;      /* the packet's capture time, UTC */
} ev_pcap_obs;

/* Called for each observation; a nonzero return stops the read and is returned. */
typedef int (*ev_pcap_fn)(const ev_pcap_obs *o, void *ctx);

/* What a decoder has read. */
typedef struct ev_pcap_stats {
    uint64_t packets;   /* packet records read */
    uint64_t bytes;     /* bytes of the file read (decompressed) */
    uint64_t malformed; /* packets skipped because a header or message in them is malformed */
    uint64_t fragments; /* non-first IP fragments skipped */
    uint64_t other;     /* packets of link types or network protocols not decoded (ARP, ...) */
    uint64_t flows;     /* flows started (a flow evicted from the bounded table and seen again counts twice) */
} ev_pcap_stats;

/* A capture decoder: the flow table, TCP reassembly and counters of one capture. Not shareable. */
typedef struct ev_pcap ev_pcap;

/* Creates a decoder delivering to fn. VG_E_NOMEM. */
int ev_pcap_new(ev_pcap_fn fn, void *ctx, ev_pcap **out, vg_error *err);
void ev_pcap_free(ev_pcap *p);

/*
 * Reads a whole capture from s (opened by the caller, nothing read yet);
 * `name` is the file's name for messages. Returns 0, fn's nonzero value,
 * VG_E_PARSE (not a capture, damaged, truncated: err says the packet and
 * offset), VG_E_LIMIT (a record over 16 MB, over 4096 interfaces), VG_E_IO,
 * VG_E_NOMEM.
 */
int ev_pcap_read_stream(ev_pcap *p, ev_stream *s, const char *name, vg_error *err);

/* The same from memory. */
int ev_pcap_read_buf(ev_pcap *p, const void *data, size_t len, const char *name, vg_error *err);

/*
 * Decodes one frame of a link type (LINKTYPE_* of the pcap/pcapng files:
 * 0 null, 1 Ethernet, 101 raw, 108 loop, 113 SLL, 228 IPv4, 229 IPv6,
 * 276 SLL2); `wire` is its length on the wire (caplen <= wire means it was
 * cut by the snap length). t may be NULL. Counts it as a packet. Returns 0
 * (a malformed frame is counted, not an error) or fn's nonzero value.
 */
int ev_pcap_frame(ev_pcap *p, int linktype, const uint8_t *data, size_t caplen, size_t wire, uint64_t packet,
                  const vg_time *t);

/* The counters so far. */
const ev_pcap_stats *ev_pcap_get_stats(const ev_pcap *p);

/*
 * Progress of ev_pcap_read_stream, about every megabyte: fn(label, base +
 * raw bytes read, total, ctx). fn NULL: none.
 */
void ev_pcap_set_progress(ev_pcap *p, void (*fn)(const char *, uint64_t, uint64_t, void *), void *ctx,
                          uint64_t base, uint64_t total);

#endif
