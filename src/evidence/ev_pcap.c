/*
 * ev_pcap.c - reading capture files: pcap (both byte orders, micro- and
 * nanosecond times) and pcapng (sections of either byte order; interface
 * description, enhanced, simple and obsolete packet blocks; per-interface
 * link type, time resolution and time offset), from an ev_stream (plain,
 * .gz, .zst) or from memory. Each packet goes to ev_packet.c's decoder.
 *
 * Why not libpcap's reader: libpcap 1.10 refuses a pcapng file whose
 * interfaces have different link types ("an interface has a type ...
 * different from the type of the first interface"), which captures taken on
 * "any" interface or merged from several often have, and it reads only a
 * FILE (no .gz). The formats are small (https://www.ietf.org/archive/id/
 * draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng): a record or block
 * header, a length, the bytes. The tests check that this reader and libpcap
 * agree on the files libpcap reads.
 *
 * Framing is trusted only as far as it is consistent: a record or block
 * whose length runs past the end of the file ends the read with VG_E_PARSE
 * (truncated), one whose lengths contradict each other ends it too
 * (damaged); a packet block that is well framed but inconsistent inside is
 * a malformed packet, skipped and counted.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "evidence/ev_pcap_int.h"

#define READ_BUF ((size_t)1 << 20)

/* The bytes of the file at hand: a window over a stream, or all of a buffer in memory. */
typedef struct rd {
    ev_pcap *p;             /* the decoder */
    ev_stream *s;           /* the stream, NULL when reading memory */
    const uint8_t *d;       /* the bytes at hand */
    size_t n;               /* how many */
    size_t at;              /* the next unread byte in d */
    uint64_t base;          /* file offset of d[0] */
    uint8_t *buf;           /* the stream's window (owned) */
    size_t cap;             /* its size */
    int eof;                /* the stream has no more bytes */
    uint64_t packets;       /* packet records read */
    uint64_t next_progress; /* raw bytes at which progress is told next */
    const char *name;       /* the file, for messages */
    vg_error *err;          /* where errors go */
} rd;

/* An interface of a pcapng section. */
typedef struct iface {
    int linktype;     /* LINKTYPE_* */
    uint32_t snaplen; /* 0: none */
    uint8_t binary;   /* time units are 2^-exp seconds (else 10^-exp) */
    uint8_t exp;      /* the resolution's exponent */
    int64_t offset;   /* seconds added to every time */
} iface;

static uint16_t get16(const uint8_t *d, int be)
{
    return be ? (uint16_t)(d[0] << 8 | d[1]) : (uint16_t)(d[1] << 8 | d[0]);
}

static uint32_t get32(const uint8_t *d, int be)
{
    return be ? (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3]
              : (uint32_t)d[3] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[1] << 8 | d[0];
}

static uint64_t get64(const uint8_t *d, int be)
{
    return be ? (uint64_t)get32(d, 1) << 32 | get32(d + 4, 1) : (uint64_t)get32(d + 4, 0) << 32 | get32(d, 0);
}

int ev_pcap_magic(const void *b, size_t n)
{
    const uint8_t *d = b;
    if (n < 4)
        return EV_PCAP_NONE;
    uint32_t m = get32(d, 0);
    if (m == 0xA1B2C3D4 || m == 0xD4C3B2A1 || m == 0xA1B23C4D || m == 0x4D3CB2A1)
        return EV_PCAP_CLASSIC;
    if (m == 0x0A0D0D0A && n >= 12 && (get32(d + 8, 0) == 0x1A2B3C4D || get32(d + 8, 1) == 0x1A2B3C4D))
        return EV_PCAP_NG;
    return EV_PCAP_NONE;
}

int ev_pcap_sniff(const char *path)
{
    uint8_t b[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    if (n < 4)
        return 0;
    if (ev_pcap_magic(b, (size_t)n))
        return 1;
    int packed =
        (b[0] == 0x1F && b[1] == 0x8B) || (b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD);
    if (!packed)
        return 0;
    ev_stream *s = NULL;
    vg_error err = {0};
    if (ev_stream_open(path, 0, &s, &err))
        return 0;
    long k = ev_stream_read(s, b, sizeof b, &err);
    ev_stream_close(s);
    return k > 0 && ev_pcap_magic(b, (size_t)k) != EV_PCAP_NONE;
}

int ev_pcap_new(ev_pcap_fn fn, void *ctx, ev_pcap **out, vg_error *err)
{
    *out = NULL;
    ev_pcap *p = vg_calloc(1, sizeof *p);
    if (!p)
        return vg_error_set(err, VG_E_NOMEM, "out of memory for a capture decoder");
    p->fn = fn;
    p->ctx = ctx;
    *out = p;
    return 0;
}

void ev_pcap_free(ev_pcap *p)
{
    if (!p)
        return;
    ev__pcap_flows_clear(p);
    vg_free(p->flows);
    vg_free(p);
}

const ev_pcap_stats *ev_pcap_get_stats(const ev_pcap *p)
{
    return &p->st;
}

void ev_pcap_set_progress(ev_pcap *p, void (*fn)(const char *, uint64_t, uint64_t, void *), void *ctx,
                          uint64_t base, uint64_t total)
{
    p->progress.fn = fn;
    p->progress.ctx = ctx;
    p->progress_base = base;
    p->progress_total = total;
}

int ev_pcap_frame(ev_pcap *p, int linktype, const uint8_t *data, size_t caplen, size_t wire, uint64_t packet,
                  const vg_time *t)
{
    p->cur.offset = 0;
    return ev__pcap_frame(p, linktype, data, caplen, wire, packet, t);
}

/* ---- the bytes at hand ------------------------------------------------------ */

/*
 * Makes k bytes from r->at on available (k at most EV_PCAP_MAX_RECORD + 64).
 * Returns 1, 0 when the file ends first, or a negative code.
 */
static int need(rd *r, size_t k)
{
    if (r->n - r->at >= k)
        return 1;
    if (!r->s || r->eof)
        return 0;
    size_t keep = r->n - r->at;
    if (k > r->cap) {
        size_t nc = r->cap * 2 > k ? r->cap * 2 : k;
        uint8_t *nb = vg_malloc(nc);
        if (!nb)
            return vg_error_set(r->err, VG_E_NOMEM, "out of memory reading %s", r->name);
        memcpy(nb, r->d + r->at, keep);
        vg_free(r->buf);
        r->buf = nb;
        r->cap = nc;
    } else {
        memmove(r->buf, r->d + r->at, keep);
    }
    r->base += r->at;
    r->d = r->buf;
    r->n = keep;
    r->at = 0;
    while (r->n < k && !r->eof) {
        long got = ev_stream_read(r->s, r->buf + r->n, r->cap - r->n, r->err);
        if (got < 0)
            return (int)got;
        if ((size_t)got < r->cap - r->n)
            r->eof = 1;
        r->n += (size_t)got;
    }
    ev_pcap *p = r->p;
    if (p->progress.fn && ev_stream_raw_read(r->s) >= r->next_progress) {
        p->progress.fn("scan", p->progress_base + ev_stream_raw_read(r->s), p->progress_total,
                       p->progress.ctx);
        r->next_progress = ev_stream_raw_read(r->s) + READ_BUF;
    }
    return r->n - r->at >= k;
}

/* The file ends inside a record: what was read stays delivered. */
static int truncated(rd *r, const char *what, size_t want)
{
    vg_error_set(r->err, VG_E_PARSE, "the capture is truncated: it ends inside %s (%zu of %zu bytes present)",
                 what, r->n - r->at, want);
    vg_error_where(r->err, "%s, after packet %llu (byte %llu)", r->name, (unsigned long long)r->packets,
                   (unsigned long long)(r->base + r->at));
    return vg_error_hint(r->err, "the capture was cut short (capture stopped, disk full, partial copy); "
                                 "the packets before this point were read");
}

/* The framing contradicts itself: reading cannot go on. */
static int damaged(rd *r, int code, const char *what)
{
    vg_error_set(r->err, code, "%s", what);
    vg_error_where(r->err, "%s, after packet %llu (byte %llu)", r->name, (unsigned long long)r->packets,
                   (unsigned long long)(r->base + r->at));
    return vg_error_hint(r->err,
                         "the file is damaged (or not a capture); the packets before this point were read");
}

/* Hands one packet to the decoder. */
static int packet(rd *r, int linktype, const uint8_t *d, size_t caplen, size_t wire, const vg_time *t)
{
    r->packets++;
    r->p->cur.offset = r->base + r->at;
    return ev__pcap_frame(r->p, linktype, d, caplen, wire, r->packets, t);
}

/* ---- pcap --------------------------------------------------------------------- */

static int read_classic(rd *r)
{
    int rc = need(r, 24);
    if (rc <= 0)
        return rc < 0 ? rc : truncated(r, "the file header", 24);
    const uint8_t *h = r->d + r->at;
    uint32_t m = get32(h, 0);
    int be = m == 0xD4C3B2A1 || m == 0x4D3CB2A1, nano = m == 0xA1B23C4D || m == 0x4D3CB2A1;
    if (get16(h + 4, be) != 2)
        return damaged(r, VG_E_UNSUPPORTED, "a pcap file of a version other than 2.x");
    int linktype = (int)(get32(h + 20, be) & 0xFFFF);
    uint32_t unit = nano ? 1000000000u : 1000000u;
    r->at += 24;
    for (;;) {
        if ((rc = need(r, 16)) < 0)
            return rc;
        if (rc == 0)
            return r->n == r->at ? 0 : truncated(r, "a packet record's header", 16);
        h = r->d + r->at;
        uint32_t sec = get32(h, be), frac = get32(h + 4, be), caplen = get32(h + 8, be),
                 wire = get32(h + 12, be);
        if (caplen > EV_PCAP_MAX_RECORD)
            return damaged(r, VG_E_LIMIT, "a packet record says it holds more than 16 MB");
        if ((rc = need(r, 16 + (size_t)caplen)) <= 0)
            return rc < 0 ? rc : truncated(r, "a packet record", 16 + (size_t)caplen);
        h = r->d + r->at;
        vg_time t =
            vg_time_from_unix((int64_t)sec + frac / unit, (frac % unit) * (nano ? 1 : 1000), nano ? 9 : 6);
        rc = packet(r, linktype, h + 16, caplen, wire > caplen ? wire : caplen, &t);
        r->p->st.bytes += 16 + (uint64_t)caplen;
        if (rc)
            return rc;
        r->at += 16 + (size_t)caplen;
    }
}

/* ---- pcapng ------------------------------------------------------------------- */

static const uint64_t pow10[20] = {1ull,
                                   10ull,
                                   100ull,
                                   1000ull,
                                   10000ull,
                                   100000ull,
                                   1000000ull,
                                   10000000ull,
                                   100000000ull,
                                   1000000000ull,
                                   10000000000ull,
                                   100000000000ull,
                                   1000000000000ull,
                                   10000000000000ull,
                                   100000000000000ull,
                                   1000000000000000ull,
                                   10000000000000000ull,
                                   100000000000000000ull,
                                   1000000000000000000ull,
                                   10000000000000000000ull};

/* A time in an interface's units, as UTC (clamped to years 0..9999). */
static vg_time ng_time(const iface *f, uint64_t ts)
{
    uint64_t sec, nsec;
    int digits = 9;
    if (!f->binary) {
        unsigned e = f->exp > 19 ? 19 : f->exp;
        sec = ts / pow10[e];
        uint64_t frac = ts % pow10[e];
        nsec = e <= 9 ? frac * pow10[9 - e] : frac / pow10[e - 9];
        digits = e < 9 ? (int)e : 9;
    } else {
        unsigned e = f->exp > 63 ? 63 : f->exp;
        sec = e ? ts >> e : ts;
        uint64_t frac = e ? ts & ((1ull << e) - 1) : 0;
        nsec = (uint64_t)(((unsigned __int128)frac * 1000000000u) >> e);
    }
    const int64_t max = 253402300799; /* 9999-12-31T23:59:59Z */
    int64_t s = sec > (uint64_t)max ? max : (int64_t)sec;
    if (f->offset > max || f->offset < -max)
        s = f->offset > 0 ? max : 0;
    else
        s += f->offset;
    if (s > max)
        s = max;
    if (s < -62167219200) /* 0000-01-01 */
        s = -62167219200;
    return vg_time_from_unix(s, (uint32_t)nsec, digits);
}

/* The options of an interface description block: time resolution and offset. */
static void idb_options(iface *f, const uint8_t *o, size_t n, int be)
{
    size_t at = 0;
    while (at + 4 <= n) {
        unsigned code = get16(o + at, be), len = get16(o + at + 2, be);
        if (code == 0 || at + 4 + len > n)
            break;
        if (code == 9 && len >= 1) {
            f->binary = (o[at + 4] & 0x80) != 0;
            f->exp = o[at + 4] & 0x7F;
        } else if (code == 14 && len >= 8) {
            f->offset = (int64_t)get64(o + at + 4, be);
        }
        at += 4 + ((len + 3u) & ~3u);
    }
}

/* The state of a pcapng read: the section's byte order and interfaces. */
typedef struct ng {
    int be;      /* the section is big-endian */
    iface *ifs;  /* its interfaces */
    size_t nifs; /* how many */
    size_t cap;  /* allocated */
} ng;

static int ng_interface(rd *r, ng *g, const uint8_t *b, size_t bn)
{
    if (bn < 8)
        return damaged(r, VG_E_PARSE, "an interface description block is too short");
    if (g->nifs == EV_PCAP_MAX_IFACES)
        return damaged(r, VG_E_LIMIT, "a pcapng section describes more than 4096 interfaces");
    if (g->nifs == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 8;
        iface *n = vg_realloc(g->ifs, nc * sizeof *n);
        if (!n)
            return vg_error_set(r->err, VG_E_NOMEM, "out of memory reading %s", r->name);
        g->ifs = n;
        g->cap = nc;
    }
    iface *f = &g->ifs[g->nifs++];
    memset(f, 0, sizeof *f);
    f->linktype = get16(b, g->be);
    f->snaplen = get32(b + 4, g->be);
    f->exp = 6;
    idb_options(f, b + 8, bn - 8, g->be);
    return 0;
}

/* A packet block (enhanced 6, obsolete 2, simple 3) of body b[0..bn). */
static int ng_packet(rd *r, ng *g, uint32_t type, const uint8_t *b, size_t bn)
{
    uint32_t ifid = 0, caplen, wire;
    uint64_t ts = 0;
    size_t hdr;
    if (type == 3) {
        if (bn < 4)
            goto bad;
        wire = get32(b, g->be);
        hdr = 4;
        caplen = wire;
        if (caplen > bn - 4)
            caplen = (uint32_t)(bn - 4);
        if (g->nifs && g->ifs[0].snaplen && caplen > g->ifs[0].snaplen)
            caplen = g->ifs[0].snaplen;
    } else {
        if (bn < 20)
            goto bad;
        ifid = type == 6 ? get32(b, g->be) : get16(b, g->be);
        ts = (uint64_t)get32(b + 4, g->be) << 32 | get32(b + 8, g->be);
        caplen = get32(b + 12, g->be);
        wire = get32(b + 16, g->be);
        hdr = 20;
        if (caplen > bn - 20)
            goto bad;
    }
    if (ifid >= g->nifs)
        goto bad;
    const iface *f = &g->ifs[ifid];
    vg_time t = ng_time(f, ts);
    int rc = packet(r, f->linktype, b + hdr, caplen, wire > caplen ? wire : caplen, type == 3 ? NULL : &t);
    return rc;
bad: /* well framed, inconsistent inside: the packet is malformed */
    r->packets++;
    r->p->st.packets++;
    r->p->st.malformed++;
    return 0;
}

/* A section header block: the byte order, the version; the interfaces start afresh. */
static int ng_section(rd *r, ng *g)
{
    const uint8_t *h = r->d + r->at;
    g->be = get32(h + 8, 1) == 0x1A2B3C4D;
    if (!g->be && get32(h + 8, 0) != 0x1A2B3C4D)
        return damaged(r, VG_E_PARSE, "a pcapng section header has no byte-order magic");
    g->nifs = 0;
    return 0;
}

static int read_ng(rd *r)
{
    ng g = {0};
    int rc = 0, started = 0;
    for (;;) {
        if ((rc = need(r, 12)) < 0)
            break;
        if (rc == 0) {
            rc = r->n == r->at ? 0 : truncated(r, "a block header", 12);
            break;
        }
        uint32_t type = get32(r->d + r->at, g.be);
        if (type == 0x0A0D0D0A && (rc = ng_section(r, &g)) != 0)
            break;
        if (!started && type != 0x0A0D0D0A) {
            rc = damaged(r, VG_E_PARSE, "not a pcapng file: it does not start with a section header block");
            break;
        }
        started = 1;
        uint32_t len = get32(r->d + r->at + 4, g.be);
        if (len < 12 || len % 4) {
            rc = damaged(r, VG_E_PARSE, "a pcapng block's length is not a multiple of 4 of at least 12");
            break;
        }
        if (len > EV_PCAP_MAX_RECORD) {
            rc = damaged(r, VG_E_LIMIT, "a pcapng block says it is longer than 16 MB");
            break;
        }
        if ((rc = need(r, len)) <= 0) {
            rc = rc < 0
                     ? rc
                     : truncated(r, type == 6 || type == 3 || type == 2 ? "a packet block" : "a block", len);
            break;
        }
        rc = 0;
        const uint8_t *blk = r->d + r->at;
        if (get32(blk + len - 4, g.be) != len) {
            rc = damaged(r, VG_E_PARSE, "a pcapng block's two lengths differ");
            break;
        }
        const uint8_t *b = blk + 8;
        size_t bn = len - 12;
        if (type == 0x0A0D0D0A) {
            if (bn < 16 || get16(b + 4, g.be) != 1) {
                rc = damaged(r, VG_E_UNSUPPORTED, "a pcapng section of a major version other than 1");
                break;
            }
        } else if (type == 1) {
            rc = ng_interface(r, &g, b, bn);
        } else if (type == 6 || type == 3 || type == 2) {
            rc = ng_packet(r, &g, type, b, bn);
        }
        r->p->st.bytes += len;
        if (rc)
            break;
        r->at += len;
    }
    vg_free(g.ifs);
    return rc;
}

/* ---- entry points ------------------------------------------------------------- */

static int read_any(rd *r)
{
    int rc = need(r, 12);
    if (rc < 0)
        return rc;
    int fmt = ev_pcap_magic(r->d + r->at, r->n - r->at);
    if (fmt == EV_PCAP_CLASSIC)
        return read_classic(r);
    if (fmt == EV_PCAP_NG)
        return read_ng(r);
    vg_error_set(r->err, VG_E_PARSE, "not a pcap or pcapng capture (no magic number)");
    return vg_error_where(r->err, "%s", r->name);
}

/* The decoder stops with VG_E_NOMEM without a message (a reassembly buffer): give it one. */
static int nomem_said(int rc, const char *name, vg_error *err)
{
    if (rc == VG_E_NOMEM && err && !err->code)
        vg_error_set(err, VG_E_NOMEM, "out of memory decoding %s", name);
    return rc;
}

int ev_pcap_read_stream(ev_pcap *p, ev_stream *s, const char *name, vg_error *err)
{
    rd r = {0};
    r.p = p;
    r.s = s;
    r.name = name;
    r.err = err;
    r.buf = vg_malloc(READ_BUF);
    if (!r.buf)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", name);
    r.cap = READ_BUF;
    r.d = r.buf;
    int rc = nomem_said(read_any(&r), name, err);
    vg_free(r.buf);
    return rc;
}

int ev_pcap_read_buf(ev_pcap *p, const void *data, size_t len, const char *name, vg_error *err)
{
    rd r = {0};
    r.p = p;
    r.d = data;
    r.n = len;
    r.name = name;
    r.err = err;
    return nomem_said(read_any(&r), name, err);
}
