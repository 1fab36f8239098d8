/*
 * ev_packet.c - decoding captured frames into observations: link layers
 * (Ethernet with 802.1Q/802.1ad tags, Linux cooked SLL and SLL2, raw IP,
 * BSD null and loop), IPv4 (options; non-first fragments skipped), IPv6
 * (extension headers), UDP and TCP, then DNS (UDP and TCP port 53), TLS
 * ClientHello server names and HTTP request hosts and URLs.
 *
 * Every length is checked against the bytes at hand before it is used. A
 * frame whose headers contradict themselves is counted malformed and the
 * rest of it skipped; one cut by the capture's snap length is decoded as far
 * as it goes without being counted.
 *
 * Flows live in a set-associative table (EV_PCAP_FLOW_SETS sets of
 * EV_PCAP_FLOW_WAYS; the least recently used flow of a set is evicted), so
 * memory stays bounded whatever the capture; a flow's two addresses are
 * reported when it starts. A TLS record or DNS-over-TCP message that does
 * not fit its segment is reassembled from the following in-order segments of
 * the same direction, up to EV_PCAP_REASM_MAX bytes, for at most
 * EV_PCAP_REASM_LIVE flows at once.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "evidence/ev_pcap_int.h"

enum { R_TLS = 1, R_DNS = 2, R_DNS_CUT = 3 /* a DNS message longer than the reassembly ceiling */ };

/* The network and transport layer of the packet being decoded. */
typedef struct l4 {
    int af;                   /* 4 or 6 */
    const uint8_t *src, *dst; /* the addresses, inside the frame */
    uint8_t proto;            /* IP protocol */
    uint16_t sp, dp;          /* ports (0 without) */
} l4;

static inline uint16_t be16(const uint8_t *d)
{
    return (uint16_t)(d[0] << 8 | d[1]);
}

static inline uint32_t be32(const uint8_t *d)
{
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

/* The frame's headers contradict themselves. */
static void malformed(ev_pcap *p)
{
    p->bad = 1;
}

/* The frame ends before a header or message does: malformed unless the snap length cut it. */
static void runs_short(ev_pcap *p)
{
    if (!p->cut)
        p->bad = 1;
}

/* ---- delivering ------------------------------------------------------------- */

static void emit(ev_pcap *p, int kind, const char *field, const char *v, size_t n)
{
    if (p->stop || n == 0 || n > EV_PCAP_VALUE_MAX)
        return;
    memmove(p->val, v, n);
    p->val[n] = 0;
    p->cur.kind = kind;
    p->cur.value = p->val;
    p->cur.len = n;
    p->cur.field = field;
    int rc = p->fn ? p->fn(&p->cur, p->ctx) : 0;
    if (rc)
        p->stop = rc;
}

static void emit_addr(ev_pcap *p, int af, const uint8_t *a, const char *field)
{
    char s[INET6_ADDRSTRLEN];
    if (inet_ntop(af == 4 ? AF_INET : AF_INET6, a, s, sizeof s))
        emit(p, af == 4 ? EV_IPV4 : EV_IPV6, field, s, strlen(s));
}

static int host_char(unsigned char c)
{
    unsigned char l = c | 0x20;
    return (l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * The length of s[0..n) as a host name (labels of letters, digits, '-' and
 * '_', 1 to 63 bytes each, at most 253 in all), a trailing dot dropped; 0
 * when it is not one.
 */
static size_t host_name_len(const char *s, size_t n)
{
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (!host_char((unsigned char)s[i]) || ++label > 63) {
            return 0;
        }
    }
    return label ? n : 0;
}

/* A host as TLS and HTTP give it: an address literal or a name. */
static void emit_host(ev_pcap *p, const char *field, const char *s, size_t n)
{
    char z[256];
    uint8_t a[16];
    if (n == 0 || n >= sizeof z)
        return;
    memcpy(z, s, n);
    z[n] = 0;
    if (inet_pton(AF_INET, z, a) == 1)
        emit(p, EV_IPV4, field, z, n);
    else if (inet_pton(AF_INET6, z, a) == 1)
        emit(p, EV_IPV6, field, z, n);
    else if ((n = host_name_len(z, n)) != 0)
        emit(p, EV_DOMAIN, field, z, n);
}

/* ---- DNS -------------------------------------------------------------------- */

/*
 * Reads the (possibly compressed) name at m[*off] into out (256 bytes,
 * dotted, NUL-terminated); *off moves past the name as it lies in place.
 * *host is 1 when every label is host-name shaped. A compression pointer
 * must point before the start of the labels that led to it, so following
 * pointers always moves backwards and ends; a hop count and the 255-byte
 * wire limit bound the rest. Returns 0, -1 (the message ends inside the
 * name) or -2 (malformed: a loop, a forward pointer, an unknown label type,
 * too long).
 */
static int dns_name(const uint8_t *m, size_t n, size_t *off, char *out, int *host)
{
    size_t pos = *off, limit = *off, ol = 0, wire = 1;
    int jumped = 0, hops = 0;
    *host = 1;
    for (;;) {
        if (pos >= n)
            return -1;
        uint8_t c = m[pos];
        if (c == 0) {
            if (!jumped)
                *off = pos + 1;
            break;
        }
        if ((c & 0xC0) == 0xC0) {
            if (pos + 1 >= n)
                return -1;
            size_t t = (size_t)(c & 0x3F) << 8 | m[pos + 1];
            if (!jumped)
                *off = pos + 2;
            if (t >= limit || ++hops > 64)
                return -2;
            jumped = 1;
            limit = pos = t;
            continue;
        }
        if (c & 0xC0)
            return -2;
        if (pos + 1 + c > n)
            return -1;
        wire += 1 + (size_t)c;
        if (wire > 255)
            return -2;
        if (ol)
            out[ol++] = '.';
        for (size_t i = 0; i < c; i++) {
            unsigned char b = m[pos + 1 + i];
            *host &= host_char(b);
            out[ol++] = (char)b;
        }
        pos += 1 + (size_t)c;
    }
    out[ol] = 0;
    if (ol == 0)
        *host = 0; /* the root */
    return 0;
}

/* A name that is not where the counts say: -1 short, -2 malformed. */
static void dns_bad(ev_pcap *p, int r, int partial)
{
    if (r == -2)
        malformed(p);
    else if (!partial)
        runs_short(p);
}

/*
 * One DNS message m[0..n): question names always; for a response to a
 * standard query, A and AAAA addresses and CNAME targets of the answer
 * section. `partial`: the message is known to be cut, so running out of bytes
 * is not malformed.
 */
static void dns(ev_pcap *p, const uint8_t *m, size_t n, int partial)
{
    if (n < 12) {
        if (!partial)
            runs_short(p);
        return;
    }
    unsigned flags = be16(m + 2), qd = be16(m + 4), an = be16(m + 6);
    size_t off = 12;
    char name[256];
    int host, r;
    for (unsigned i = 0; i < qd && !p->stop; i++) {
        if ((r = dns_name(m, n, &off, name, &host)) != 0 || off + 4 > n) {
            dns_bad(p, r ? r : -1, partial);
            return;
        }
        off += 4;
        if (host)
            emit(p, EV_DOMAIN, "dns.qname", name, strlen(name));
    }
    if (!(flags & 0x8000) || ((flags >> 11) & 15) != 0)
        return;
    for (unsigned i = 0; i < an && !p->stop; i++) {
        if ((r = dns_name(m, n, &off, name, &host)) != 0 || off + 10 > n) {
            dns_bad(p, r ? r : -1, partial);
            return;
        }
        unsigned type = be16(m + off);
        size_t rdlen = be16(m + off + 8), rd = off + 10;
        if (rd + rdlen > n) {
            dns_bad(p, -1, partial);
            return;
        }
        off = rd + rdlen;
        if (type == 1 && rdlen == 4) {
            emit_addr(p, 4, m + rd, "dns.a");
        } else if (type == 28 && rdlen == 16) {
            emit_addr(p, 6, m + rd, "dns.aaaa");
        } else if (type == 5) {
            size_t at = rd;
            if ((r = dns_name(m, n, &at, name, &host)) != 0) {
                dns_bad(p, r, 0);
                return;
            }
            if (host)
                emit(p, EV_DOMAIN, "dns.cname", name, strlen(name));
        }
    }
}

/* ---- TLS -------------------------------------------------------------------- */

/* The server_name extension's body: the first host_name entry. */
static void sni_list(ev_pcap *p, const uint8_t *b, size_t n)
{
    if (n < 2 || (size_t)be16(b) + 2 > n) {
        malformed(p);
        return;
    }
    size_t end = 2 + (size_t)be16(b);
    for (size_t at = 2; at + 3 <= end;) {
        size_t nl = be16(b + at + 1);
        if (at + 3 + nl > end) {
            malformed(p);
            return;
        }
        if (b[at] == 0) {
            emit_host(p, "tls.sni", (const char *)b + at + 3, nl);
            return;
        }
        at += 3 + nl;
    }
}

/*
 * A ClientHello handshake message b[0..n) (a record's body): the server
 * name. `partial`: the record is known to be incomplete.
 */
static void client_hello(ev_pcap *p, const uint8_t *b, size_t n, int partial)
{
    if (n < 4 || b[0] != 1)
        return;
    size_t end = 4 + ((size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3]);
    if (end > n) {
        end = n; /* the message goes on in another record */
        partial = 1;
    }
    size_t at = 4 + 2 + 32;
    if (at + 1 > end)
        goto short_;
    at += 1 + (size_t)b[at]; /* session id */
    if (at + 2 > end)
        goto short_;
    at += 2 + (size_t)be16(b + at); /* cipher suites */
    if (at + 1 > end)
        goto short_;
    at += 1 + (size_t)b[at]; /* compression methods */
    if (at == end)
        return; /* no extensions */
    if (at + 2 > end)
        goto short_;
    size_t ee = at + 2 + (size_t)be16(b + at);
    at += 2;
    if (ee > end) {
        if (!partial) {
            malformed(p);
            return;
        }
        ee = end;
    }
    while (at + 4 <= ee) {
        size_t type = be16(b + at), len = be16(b + at + 2);
        at += 4;
        if (at + len > ee)
            goto short_;
        if (type == 0) {
            sni_list(p, b + at, len);
            return;
        }
        at += len;
    }
    return;
short_:
    if (!partial)
        malformed(p);
}

/* 1 when a TCP payload starts a TLS handshake record holding a ClientHello. */
static int tls_hello(const uint8_t *d, size_t n)
{
    return n >= 6 && d[0] == 0x16 && d[1] == 3 && d[2] <= 4 && d[5] == 1;
}

/* ---- reassembly ------------------------------------------------------------- */

static void reasm_drop(ev_pcap *p, ev_flow *f)
{
    if (f->rs) {
        vg_free(f->rs);
        f->rs = NULL;
        p->live--;
    }
}

/*
 * Starts reassembling a message of `need` bytes whose first n bytes are
 * d[0..n) at sequence number seq. Returns 1, or 0 when the table of
 * reassemblies is full or the flow already holds one (the caller decodes
 * what it has).
 */
static int reasm_start(ev_pcap *p, ev_flow *f, int dir, int what, uint32_t seq, const uint8_t *d, size_t n,
                       size_t need)
{
    if (f->rs || p->live >= EV_PCAP_REASM_LIVE || p->cut || n >= need)
        return 0;
    ev_reasm *r = vg_malloc(sizeof *r + need);
    if (!r) {
        p->stop = VG_E_NOMEM;
        return 1;
    }
    r->dir = (uint8_t)dir;
    r->what = (uint8_t)what;
    r->need = need;
    r->len = n;
    r->next = seq + (uint32_t)n;
    memcpy(r->buf, d, n);
    f->rs = r;
    p->live++;
    return 1;
}

static void reasm_done(ev_pcap *p, ev_reasm *r)
{
    if (r->what == R_TLS)
        client_hello(p, r->buf + 5, r->len - 5, 0);
    else
        dns(p, r->buf + 2, r->len - 2, r->what == R_DNS_CUT);
}

/*
 * A segment of a flow holding a reassembly in this direction: the next bytes
 * are appended (a retransmission of bytes held is passed over). Returns 1
 * when the segment was taken, 0 when it is not a continuation (the
 * reassembly is dropped: a segment is missing).
 */
static int reasm_more(ev_pcap *p, ev_flow *f, uint32_t seq, const uint8_t *d, size_t n)
{
    ev_reasm *r = f->rs;
    int32_t delta = (int32_t)(seq - r->next);
    if (delta < 0)
        return 1;
    if (delta > 0) {
        reasm_drop(p, f);
        return 0;
    }
    size_t k = r->need - r->len < n ? r->need - r->len : n;
    memcpy(r->buf + r->len, d, k);
    r->len += k;
    r->next += (uint32_t)n;
    if (r->len == r->need) {
        f->rs = NULL;
        p->live--;
        reasm_done(p, r);
        vg_free(r);
    }
    return 1;
}

/* ---- HTTP ------------------------------------------------------------------- */

static const struct {
    const char *s; /* the method and its space */
    size_t n;      /* its length */
} methods[] = {
    {"GET ", 4},     {"POST ", 5},  {"HEAD ", 5},    {"PUT ", 4},   {"DELETE ", 7},
    {"OPTIONS ", 8}, {"PATCH ", 6}, {"CONNECT ", 8}, {"TRACE ", 6},
};

/* The host part of a Host header value or CONNECT authority (port and brackets dropped). */
static void host_part(const char *h, size_t n, const char **s, size_t *len)
{
    if (n && h[0] == '[') {
        const char *e = memchr(h, ']', n);
        *s = h + 1;
        *len = e ? (size_t)(e - h) - 1 : 0;
        return;
    }
    const char *c = memchr(h, ':', n);
    *s = h;
    *len = c && !memchr(c + 1, ':', n - (size_t)(c - h) - 1) ? (size_t)(c - h) : n;
}

/* The value of the Host header in the header lines s[at..n), or NULL. Only whole lines count. */
static const char *find_host(const char *s, size_t at, size_t n, size_t *len)
{
    while (at < n) {
        const char *e = memchr(s + at, '\n', n - at);
        if (!e)
            return NULL;
        size_t ll = (size_t)(e - (s + at));
        if (ll && s[at + ll - 1] == '\r')
            ll--;
        if (ll == 0)
            return NULL;
        if (ll > 5 && strncasecmp(s + at, "host:", 5) == 0) {
            size_t a = at + 5, b = at + ll;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
                b--;
            for (size_t i = a; i < b; i++)
                if (!host_char((unsigned char)s[i]) && s[i] != '.' && s[i] != ':' && s[i] != '[' &&
                    s[i] != ']')
                    return NULL;
            *len = b - a;
            return b > a && b - a < 256 ? s + a : NULL;
        }
        at += (size_t)(e - (s + at)) + 1;
    }
    return NULL;
}

/*
 * A TCP payload that starts an HTTP/1 request: the Host header (or CONNECT's
 * authority) as http.host and http://host/target as http.url (an absolute
 * target as it is; without a Host header, the destination address and port).
 */
static void http(ev_pcap *p, const l4 *c, const uint8_t *d, size_t n)
{
    const char *s = (const char *)d;
    size_t ml = 0;
    if (n > 8192)
        n = 8192;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && !ml; i++)
        if (n > methods[i].n && memcmp(s, methods[i].s, methods[i].n) == 0)
            ml = methods[i].n;
    if (!ml)
        return;
    size_t t1 = ml;
    while (t1 < n && s[t1] > 0x20 && s[t1] < 0x7f)
        t1++;
    if (t1 == ml || t1 + 6 > n || s[t1] != ' ' || memcmp(s + t1 + 1, "HTTP/", 5) != 0)
        return;
    const char *target = s + ml, *nl = memchr(s + t1, '\n', n - t1);
    size_t tl = t1 - ml, hl = 0;
    if (!nl)
        return;
    if (ml == 8 && s[0] == 'C') { /* CONNECT host:port */
        const char *h;
        host_part(target, tl, &h, &hl);
        emit_host(p, "http.host", h, hl);
        return;
    }
    const char *hosthdr = find_host(s, (size_t)(nl - s) + 1, n, &hl);
    char hp[INET6_ADDRSTRLEN + 16];
    if (hosthdr) {
        const char *h;
        size_t k;
        host_part(hosthdr, hl, &h, &k);
        emit_host(p, "http.host", h, k);
    } else { /* HTTP/1.0 without Host: the address the request went to */
        char a[INET6_ADDRSTRLEN];
        if (!inet_ntop(c->af == 4 ? AF_INET : AF_INET6, c->dst, a, sizeof a))
            return;
        int k = c->af == 4 ? snprintf(hp, sizeof hp, "%s", a) : snprintf(hp, sizeof hp, "[%s]", a);
        if (c->dp != 80)
            k += snprintf(hp + k, sizeof hp - (size_t)k, ":%u", (unsigned)c->dp);
        hosthdr = hp;
        hl = (size_t)k;
    }
    if (p->stop)
        return;
    if (tl > 8 && (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0)) {
        emit(p, EV_URL, "http.url", target, tl);
        return;
    }
    if (target[0] != '/' || 7 + hl + tl > EV_PCAP_VALUE_MAX)
        return;
    char *u = p->val;
    memcpy(u, "http://", 7);
    memcpy(u + 7, hosthdr, hl);
    memcpy(u + 7 + hl, target, tl);
    emit(p, EV_URL, "http.url", u, 7 + hl + tl);
}

/* ---- flows ------------------------------------------------------------------ */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t flow_hash(const uint8_t *ka, const uint8_t *kb, uint16_t pa, uint16_t pb, uint8_t proto,
                          uint8_t af)
{
    uint64_t w[4];
    memcpy(w, ka, 16);
    memcpy(w + 2, kb, 16);
    return mix(w[0] ^ mix(w[1] ^ mix(w[2] ^ mix(w[3] ^ ((uint64_t)pa << 32 | (uint64_t)pb << 16 |
                                                        (uint64_t)proto << 8 | (uint64_t)af)))));
}

/* The slot for a flow in its set: a free one, else the least recently used (its reassembly dropped). */
static ev_flow *flow_victim(ev_pcap *p, ev_flow *set)
{
    ev_flow *v = &set[0];
    for (int i = 0; i < EV_PCAP_FLOW_WAYS && v->af; i++)
        if (!set[i].af || (uint32_t)(p->tick - set[i].used) > (uint32_t)(p->tick - v->used))
            v = &set[i];
    if (v->af) {
        reasm_drop(p, v);
        p->used--;
    }
    return v;
}

/*
 * Makes the table 4 times larger (at first: allocates it), moving the flows
 * over. Returns 0 or VG_E_NOMEM.
 */
static int flows_grow(ev_pcap *p)
{
    size_t ns = p->sets ? p->sets * 4 : EV_PCAP_FLOW_SETS0;
    if (ns > EV_PCAP_FLOW_SETS)
        ns = EV_PCAP_FLOW_SETS;
    ev_flow *nf = vg_calloc(ns * EV_PCAP_FLOW_WAYS, sizeof *nf);
    if (!nf)
        return VG_E_NOMEM;
    ev_flow *old = p->flows;
    size_t slots = p->sets * EV_PCAP_FLOW_WAYS;
    p->flows = nf;
    p->sets = ns;
    p->used = 0;
    for (size_t i = 0; i < slots; i++) {
        ev_flow *f = &old[i];
        if (!f->af)
            continue;
        uint64_t h = flow_hash(f->a, f->b, f->pa, f->pb, f->proto, f->af);
        ev_flow *v = flow_victim(p, &nf[(h & (ns - 1)) * EV_PCAP_FLOW_WAYS]);
        *v = *f;
        p->used++;
    }
    vg_free(old);
    return 0;
}

/*
 * The flow of a packet, found or started (*fresh = 1; evicting the least
 * recently used flow of its set). *dir is 0 when the packet goes from the
 * flow's a side to its b side. NULL when out of memory (p->stop is set).
 */
static ev_flow *flow_get(ev_pcap *p, const l4 *c, int *dir, int *fresh)
{
    uint8_t ka[16] = {0}, kb[16] = {0};
    size_t al = c->af == 4 ? 4 : 16;
    memcpy(ka, c->src, al);
    memcpy(kb, c->dst, al);
    uint16_t pa = c->sp, pb = c->dp;
    int cmp = memcmp(ka, kb, 16);
    *dir = cmp > 0 || (cmp == 0 && pa > pb);
    if (*dir) {
        uint8_t t[16];
        memcpy(t, ka, 16);
        memcpy(ka, kb, 16);
        memcpy(kb, t, 16);
        pa = c->dp;
        pb = c->sp;
    }
    uint64_t h = flow_hash(ka, kb, pa, pb, c->proto, (uint8_t)c->af);
    if (p->sets) {
        ev_flow *set = &p->flows[(h & (p->sets - 1)) * EV_PCAP_FLOW_WAYS];
        for (int i = 0; i < EV_PCAP_FLOW_WAYS; i++) {
            ev_flow *f = &set[i];
            if (f->af == c->af && f->proto == c->proto && f->pa == pa && f->pb == pb &&
                memcmp(f->a, ka, 16) == 0 && memcmp(f->b, kb, 16) == 0) {
                f->used = p->tick;
                *fresh = 0;
                return f;
            }
        }
    }
    if (p->sets < EV_PCAP_FLOW_SETS && p->used * 4 >= p->sets * EV_PCAP_FLOW_WAYS * 3 && flows_grow(p)) {
        p->stop = VG_E_NOMEM;
        return NULL;
    }
    ev_flow *victim = flow_victim(p, &p->flows[(h & (p->sets - 1)) * EV_PCAP_FLOW_WAYS]);
    p->used++;
    memcpy(victim->a, ka, 16);
    memcpy(victim->b, kb, 16);
    victim->pa = pa;
    victim->pb = pb;
    victim->proto = c->proto;
    victim->af = (uint8_t)c->af;
    victim->used = p->tick;
    p->st.flows++;
    *fresh = 1;
    return victim;
}

void ev__pcap_flows_clear(ev_pcap *p)
{
    for (size_t i = 0; p->live && i < p->sets * EV_PCAP_FLOW_WAYS; i++)
        reasm_drop(p, &p->flows[i]);
}

/* ---- transport -------------------------------------------------------------- */

/* DNS over TCP: messages with a two-byte length prefix, possibly several, the last possibly spilling over. */
static void dns_tcp(ev_pcap *p, ev_flow *f, int dir, uint32_t seq, const uint8_t *d, size_t n)
{
    size_t at = 0;
    while (at + 2 <= n && !p->stop) {
        size_t m = be16(d + at);
        if (m < 12) {
            malformed(p);
            return;
        }
        if (at + 2 + m <= n) {
            dns(p, d + at + 2, m, 0);
            at += 2 + m;
            continue;
        }
        size_t need = 2 + m > EV_PCAP_REASM_MAX ? EV_PCAP_REASM_MAX : 2 + m;
        if (!reasm_start(p, f, dir, need < 2 + m ? R_DNS_CUT : R_DNS, seq + (uint32_t)at, d + at, n - at,
                         need))
            dns(p, d + at + 2, n - at - 2, 1);
        return;
    }
}

static void tls(ev_pcap *p, ev_flow *f, int dir, uint32_t seq, const uint8_t *d, size_t n)
{
    size_t rl = be16(d + 3);
    if (rl < 4 || rl > 16384) {
        malformed(p);
        return;
    }
    if (n >= 5 + rl) {
        client_hello(p, d + 5, rl, 0);
        return;
    }
    if (!reasm_start(p, f, dir, R_TLS, seq, d, n, 5 + rl))
        client_hello(p, d + 5, n - 5, 1);
}

static void tcp_payload(ev_pcap *p, const l4 *c, ev_flow *f, int dir, uint32_t seq, const uint8_t *d,
                        size_t n)
{
    if (n && f->rs && f->rs->dir == dir && reasm_more(p, f, seq, d, n))
        return;
    if (!n)
        return;
    if (c->sp == 53 || c->dp == 53)
        dns_tcp(p, f, dir, seq, d, n);
    else if (tls_hello(d, n))
        tls(p, f, dir, seq, d, n);
    else
        http(p, c, d, n);
}

/* The transport header at d[0..n) of an IP packet from src to dst. */
static void transport(ev_pcap *p, l4 *c, const uint8_t *d, size_t n)
{
    const uint8_t *pl = NULL;
    size_t pn = 0;
    uint32_t seq = 0;
    if (c->proto == 17) {
        if (n < 8) {
            runs_short(p);
            return;
        }
        c->sp = be16(d);
        c->dp = be16(d + 2);
        size_t ul = be16(d + 4);
        if (ul == 0)
            ul = n; /* a jumbogram */
        if (ul < 8) {
            malformed(p);
            return;
        }
        if (ul > n) {
            if (!p->cut) {
                malformed(p);
                return;
            }
            ul = n;
        }
        pl = d + 8;
        pn = ul - 8;
    } else if (c->proto == 6) {
        if (n < 20) {
            runs_short(p);
            return;
        }
        c->sp = be16(d);
        c->dp = be16(d + 2);
        seq = be32(d + 4);
        size_t off = (size_t)(d[12] >> 4) * 4;
        if (off < 20) {
            malformed(p);
            return;
        }
        if (off > n) {
            runs_short(p);
            return;
        }
        pl = d + off;
        pn = n - off;
    }
    int dir, fresh;
    ev_flow *f = flow_get(p, c, &dir, &fresh);
    if (!f)
        return;
    if (fresh) {
        emit_addr(p, c->af, c->src, "ip.src");
        emit_addr(p, c->af, c->dst, "ip.dst");
    }
    if (p->stop || !pl)
        return;
    if (c->proto == 17 && (c->sp == 53 || c->dp == 53))
        dns(p, pl, pn, p->cut);
    else if (c->proto == 6)
        tcp_payload(p, c, f, dir, seq, pl, pn);
}

/* ---- network ---------------------------------------------------------------- */

static void ipv4(ev_pcap *p, const uint8_t *d, size_t n)
{
    if (n < 20) {
        runs_short(p);
        return;
    }
    size_t ihl = (size_t)(d[0] & 15) * 4, tot = be16(d + 2);
    if ((d[0] >> 4) != 4 || ihl < 20) {
        malformed(p);
        return;
    }
    if (ihl > n) {
        runs_short(p);
        return;
    }
    if (tot == 0)
        tot = n; /* segmentation offload: the length is left to the hardware */
    if (tot < ihl) {
        malformed(p);
        return;
    }
    if (tot > n && !p->cut) {
        malformed(p);
        return;
    }
    if (tot < n)
        n = tot; /* drop the link layer's padding */
    if (be16(d + 6) & 0x1FFF) {
        p->st.fragments++;
        return;
    }
    l4 c = {4, d + 12, d + 16, d[9], 0, 0};
    transport(p, &c, d + ihl, n - ihl);
}

static void ipv6(ev_pcap *p, const uint8_t *d, size_t n)
{
    if (n < 40) {
        runs_short(p);
        return;
    }
    if ((d[0] >> 4) != 6) {
        malformed(p);
        return;
    }
    size_t pl = be16(d + 4);
    if (pl && 40 + pl < n)
        n = 40 + pl;
    else if (pl && 40 + pl > n && !p->cut) {
        malformed(p);
        return;
    }
    uint8_t nh = d[6];
    size_t off = 40;
    for (int k = 0; k < 8; k++) {
        size_t len;
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 44) {
            if (off + 8 > n) {
                runs_short(p);
                return;
            }
            if (nh == 44) {
                if (be16(d + off + 2) & 0xFFF8) {
                    p->st.fragments++;
                    return;
                }
                len = 8;
            } else {
                len = nh == 51 ? ((size_t)d[off + 1] + 2) * 4 : ((size_t)d[off + 1] + 1) * 8;
            }
            if (off + len > n) {
                runs_short(p);
                return;
            }
            nh = d[off];
            off += len;
        } else {
            break;
        }
    }
    l4 c = {6, d + 8, d + 24, nh, 0, 0};
    transport(p, &c, d + off, n - off);
}

static void ip_any(ev_pcap *p, const uint8_t *d, size_t n)
{
    if (n < 1) {
        runs_short(p);
        return;
    }
    if ((d[0] >> 4) == 4)
        ipv4(p, d, n);
    else if ((d[0] >> 4) == 6)
        ipv6(p, d, n);
    else
        malformed(p);
}

/* An Ethernet type (after any 802.1Q/802.1ad tags at d). */
static void ethertype(ev_pcap *p, unsigned type, const uint8_t *d, size_t n)
{
    for (int tags = 0; type == 0x8100 || type == 0x88A8 || type == 0x9100; tags++) {
        if (tags == 8) {
            malformed(p);
            return;
        }
        if (n < 4) {
            runs_short(p);
            return;
        }
        type = be16(d + 2);
        d += 4;
        n -= 4;
    }
    if (type == 0x0800)
        ipv4(p, d, n);
    else if (type == 0x86DD)
        ipv6(p, d, n);
    else
        p->st.other++;
}

/* BSD loopback: the address family, in the capturing host's byte order (null) or big-endian (loop). */
static void loopback(ev_pcap *p, int swapped_ok, const uint8_t *d, size_t n)
{
    if (n < 4) {
        runs_short(p);
        return;
    }
    uint32_t fam = be32(d);
    if (swapped_ok && fam > 0xFFFF)
        fam = (uint32_t)d[3] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[1] << 8 | d[0];
    if (fam == 2)
        ipv4(p, d + 4, n - 4);
    else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
        ipv6(p, d + 4, n - 4);
    else
        p->st.other++;
}

static void frame(ev_pcap *p, int lt, const uint8_t *d, size_t n)
{
    switch (lt) {
    case 0: /* LINKTYPE_NULL */
        loopback(p, 1, d, n);
        return;
    case 108: /* LINKTYPE_LOOP */
        loopback(p, 0, d, n);
        return;
    case 1: /* LINKTYPE_ETHERNET */
        if (n < 14) {
            runs_short(p);
            return;
        }
        ethertype(p, be16(d + 12), d + 14, n - 14);
        return;
    case 113: /* LINKTYPE_LINUX_SLL */
        if (n < 16) {
            runs_short(p);
            return;
        }
        ethertype(p, be16(d + 14), d + 16, n - 16);
        return;
    case 276: /* LINKTYPE_LINUX_SLL2 */
        if (n < 20) {
            runs_short(p);
            return;
        }
        ethertype(p, be16(d), d + 20, n - 20);
        return;
    case 101: /* LINKTYPE_RAW, and the DLT_RAW values some writers put in files */
    case 12:
    case 14:
        ip_any(p, d, n);
        return;
    case 228: /* LINKTYPE_IPV4 */
        ipv4(p, d, n);
        return;
    case 229: /* LINKTYPE_IPV6 */
        ipv6(p, d, n);
        return;
    default:
        p->st.other++;
    }
}

int ev__pcap_frame(ev_pcap *p, int linktype, const uint8_t *d, size_t caplen, size_t wire, uint64_t packet,
                   const vg_time *t)
{
    if (p->stop)
        return p->stop;
    p->st.packets++;
    p->tick++;
    p->cur.packet = packet;
    p->cur.has_time = t != NULL;
    if (t)
        p->cur.time = *t;
    else
        memset(&p->cur.time, 0, sizeof p->cur.time);
    p->bad = 0;
    p->cut = caplen < wire;
    frame(p, linktype, d, caplen);
    if (p->bad)
        p->st.malformed++;
    return p->stop;
}
