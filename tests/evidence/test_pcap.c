/*
 * test_pcap.c - the capture reader and packet decoder: captures written by
 * the test itself (pcap through libpcap's dump functions, also nanosecond
 * and big-endian by hand; pcapng block by block, since libpcap 1.10 cannot
 * write it) with DNS queries and answers (compressed names), TLS
 * ClientHellos (whole and split over segments), HTTP requests, IPv6 with
 * extension headers, VLAN tags, Linux cooked and loopback framing; malformed
 * packets (lengths past the end, pointer loops) and truncated files; a
 * .pcap.gz; agreement with libpcap's reader; and the scan over a capture
 * (hits with packet numbers, sightings with packet times, near-misses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "core/vg_log.h"
#include "evidence/ev.h"
#include "scan/scan.h"
#include "vg_test.h"

/* ---- building packets ------------------------------------------------------- */

typedef struct bytes {
    uint8_t d[70000];
    size_t n;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->d);
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void put8(bytes *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}
static void put16(bytes *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}
static void put32(bytes *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xFFFF);
}
static void puts_(bytes *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A DNS name in wire form (no compression). */
static void put_name(bytes *b, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        put8(b, (unsigned)n);
        put(b, name, n);
        name += n + (dot ? 1 : 0);
    }
    put8(b, 0);
}

static void dns_query(bytes *m, const char *name)
{
    m->n = 0;
    put16(m, 0x1234);
    put16(m, 0x0100);
    put16(m, 1);
    put16(m, 0);
    put16(m, 0);
    put16(m, 0);
    put_name(m, name);
    put16(m, 1);
    put16(m, 1);
}

/*
 * A response for `name`: a CNAME to cname (its last labels compressed
 * against the question), an A for the cname (owner as a pointer), an AAAA.
 */
static void dns_response(bytes *m, const char *name, const char *cname_label, const char *a, const char *aaaa)
{
    m->n = 0;
    put16(m, 0x1234);
    put16(m, 0x8180);
    put16(m, 1);
    put16(m, 3);
    put16(m, 0);
    put16(m, 0);
    put_name(m, name); /* at offset 12 */
    put16(m, 1);
    put16(m, 1);
    /* CNAME: owner = pointer to the question; target = label + pointer to the question's second label */
    put16(m, 0xC00C);
    put16(m, 5);
    put16(m, 1);
    put32(m, 60);
    size_t second = 12 + 1 + (size_t)(strchr(name, '.') - name);
    put16(m, (unsigned)(1 + strlen(cname_label) + 2));
    size_t cname_at = m->n;
    put8(m, (unsigned)strlen(cname_label));
    puts_(m, cname_label);
    put16(m, 0xC000 | (unsigned)second);
    /* A for the CNAME target */
    put16(m, 0xC000 | (unsigned)cname_at);
    put16(m, 1);
    put16(m, 1);
    put32(m, 60);
    put16(m, 4);
    uint8_t a4[4];
    inet_pton(AF_INET, a, a4);
    put(m, a4, 4);
    /* AAAA */
    put16(m, 0xC000 | (unsigned)cname_at);
    put16(m, 28);
    put16(m, 1);
    put32(m, 60);
    put16(m, 16);
    uint8_t a6[16];
    inet_pton(AF_INET6, aaaa, a6);
    put(m, a6, 16);
}

/* A TLS record holding a ClientHello with the server name sni and `pad` bytes of padding extension. */
static void client_hello(bytes *r, const char *sni, size_t pad)
{
    bytes h = {0};
    put16(&h, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(&h, (unsigned)i);
    put8(&h, 0);  /* session id */
    put16(&h, 4); /* cipher suites */
    put16(&h, 0x1301);
    put16(&h, 0x1302);
    put8(&h, 1);
    put8(&h, 0);
    bytes e = {0};
    if (pad) { /* padding first: the name comes in the second segment */
        put16(&e, 21);
        put16(&e, (unsigned)pad);
        for (size_t i = 0; i < pad; i++)
            put8(&e, 0);
    }
    put16(&e, 0);
    put16(&e, (unsigned)(strlen(sni) + 5));
    put16(&e, (unsigned)(strlen(sni) + 3));
    put8(&e, 0);
    put16(&e, (unsigned)strlen(sni));
    puts_(&e, sni);
    put16(&h, (unsigned)e.n);
    put(&h, e.d, e.n);
    r->n = 0;
    put8(r, 0x16);
    put16(r, 0x0301);
    put16(r, (unsigned)(h.n + 4));
    put8(r, 1);
    put8(r, (unsigned)(h.n >> 16));
    put16(r, (unsigned)(h.n & 0xFFFF));
    put(r, h.d, h.n);
}

/* An IPv4 packet (no options unless opt) with a UDP (proto 17) or TCP (6) header and payload. */
static void ip4(bytes *b, const char *src, const char *dst, int proto, unsigned sp, unsigned dp, uint32_t seq,
                const void *pl, size_t pn)
{
    size_t th = proto == 17 ? 8 : 20;
    b->n = 0;
    put8(b, 0x45);
    put8(b, 0);
    put16(b, (unsigned)(20 + th + pn));
    put16(b, 1);
    put16(b, 0x4000);
    put8(b, 64);
    put8(b, (unsigned)proto);
    put16(b, 0);
    uint8_t a[4];
    inet_pton(AF_INET, src, a);
    put(b, a, 4);
    inet_pton(AF_INET, dst, a);
    put(b, a, 4);
    put16(b, sp);
    put16(b, dp);
    if (proto == 17) {
        put16(b, (unsigned)(8 + pn));
        put16(b, 0);
    } else {
        put32(b, seq);
        put32(b, 0);
        put8(b, 0x50);
        put8(b, 0x18);
        put16(b, 65535);
        put32(b, 0);
    }
    put(b, pl, pn);
}

/* An IPv6 packet with a hop-by-hop and a destination options header before UDP or TCP. */
static void ip6(bytes *b, const char *src, const char *dst, int proto, unsigned sp, unsigned dp, uint32_t seq,
                const void *pl, size_t pn)
{
    size_t th = proto == 17 ? 8 : 20;
    b->n = 0;
    put32(b, 0x60000000);
    put16(b, (unsigned)(8 + 16 + th + pn));
    put8(b, 0); /* hop-by-hop */
    put8(b, 64);
    uint8_t a[16];
    inet_pton(AF_INET6, src, a);
    put(b, a, 16);
    inet_pton(AF_INET6, dst, a);
    put(b, a, 16);
    put8(b, 60); /* next: destination options */
    put8(b, 0);
    for (int i = 0; i < 6; i++)
        put8(b, i == 0 ? 1 : 0); /* PadN */
    put8(b, (unsigned)proto);
    put8(b, 1); /* 16 bytes */
    for (int i = 0; i < 14; i++)
        put8(b, 0);
    put16(b, sp);
    put16(b, dp);
    if (proto == 17) {
        put16(b, (unsigned)(8 + pn));
        put16(b, 0);
    } else {
        put32(b, seq);
        put32(b, 0);
        put8(b, 0x50);
        put8(b, 0x18);
        put16(b, 65535);
        put32(b, 0);
    }
    put(b, pl, pn);
}

/* Wraps an IP packet in Ethernet with `tags` 802.1Q/802.1ad tags. */
static void eth(bytes *f, const bytes *ip, int tags)
{
    f->n = 0;
    for (int i = 0; i < 12; i++)
        put8(f, 0x10 + (unsigned)i);
    for (int i = 0; i < tags; i++) {
        put16(f, i == 0 && tags > 1 ? 0x88A8 : 0x8100);
        put16(f, 100 + (unsigned)i);
    }
    put16(f, (ip->d[0] >> 4) == 6 ? 0x86DD : 0x0800);
    put(f, ip->d, ip->n);
}

/* ---- collecting observations ------------------------------------------------ */

typedef struct got {
    char s[16384];
    int stop_at; /* stop (return 7) at this observation, 0: never */
    int count;
} got;

static int collect(const ev_pcap_obs *o, void *p)
{
    got *g = p;
    assert_int_equal(strlen(o->value), o->len);
    size_t n = strlen(g->s);
    snprintf(g->s + n, sizeof g->s - n, "%llu %s %s %s\n", (unsigned long long)o->packet, o->field,
             ev_kind_name(o->kind), o->value);
    return ++g->count == g->stop_at ? 7 : 0;
}

/* Decodes frames of one link type, numbered from 1. */
typedef struct frames {
    bytes f[8];
    int n;
} frames;

static ev_pcap *decode(int lt, const frames *fs, got *g)
{
    ev_pcap *p = NULL;
    vg_error err = {0};
    memset(g, 0, sizeof *g);
    assert_int_equal(ev_pcap_new(collect, g, &p, &err), 0);
    for (int i = 0; i < fs->n; i++)
        assert_int_equal(ev_pcap_frame(p, lt, fs->f[i].d, fs->f[i].n, fs->f[i].n, (uint64_t)i + 1, NULL), 0);
    return p;
}

/* ---- the decoder, frame by frame -------------------------------------------- */

static void test_evidence_pcap__dns_udp(void **state)
{
    (void)state;
    frames fs = {0};
    bytes m = {0}, ip = {0};
    dns_query(&m, "www.Evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    eth(&fs.f[fs.n++], &ip, 0);
    dns_response(&m, "www.evil.com", "edge", "203.0.113.7", "2001:db8::7");
    ip4(&ip, "192.0.2.53", "10.0.0.2", 17, 53, 40000, 0, m.d, m.n);
    eth(&fs.f[fs.n++], &ip, 0);
    got g;
    ev_pcap *p = decode(1, &fs, &g);
    assert_string_equal(g.s, "1 ip.src ipv4 10.0.0.2\n"
                             "1 ip.dst ipv4 192.0.2.53\n"
                             "1 dns.qname domain www.Evil.com\n"
                             "2 dns.qname domain www.evil.com\n"
                             "2 dns.cname domain edge.evil.com\n"
                             "2 dns.a ipv4 203.0.113.7\n"
                             "2 dns.aaaa ipv6 2001:db8::7\n");
    const ev_pcap_stats *st = ev_pcap_get_stats(p);
    assert_int_equal(st->packets, 2);
    assert_int_equal(st->malformed, 0);
    assert_int_equal(st->flows, 1); /* both directions are one flow: its addresses once */
    ev_pcap_free(p);
}

static void test_evidence_pcap__dns_tcp(void **state)
{
    (void)state;
    frames fs = {0};
    bytes m = {0}, pl = {0}, ip = {0};
    dns_response(&m, "a.evil.com", "b", "198.51.100.1", "2001:db8::1");
    /* two messages in one segment, the second spilling into the next segment */
    put16(&pl, (unsigned)m.n);
    put(&pl, m.d, m.n);
    dns_query(&m, "second.example.org");
    put16(&pl, (unsigned)m.n);
    put(&pl, m.d, 10);
    ip4(&ip, "192.0.2.53", "10.0.0.2", 6, 53, 40001, 1000, pl.d, pl.n);
    eth(&fs.f[fs.n++], &ip, 0);
    ip4(&ip, "192.0.2.53", "10.0.0.2", 6, 53, 40001, 1000 + (uint32_t)pl.n, m.d + 10, m.n - 10);
    eth(&fs.f[fs.n++], &ip, 0);
    got g;
    ev_pcap *p = decode(1, &fs, &g);
    assert_string_equal(g.s, "1 ip.src ipv4 192.0.2.53\n"
                             "1 ip.dst ipv4 10.0.0.2\n"
                             "1 dns.qname domain a.evil.com\n"
                             "1 dns.cname domain b.evil.com\n"
                             "1 dns.a ipv4 198.51.100.1\n"
                             "1 dns.aaaa ipv6 2001:db8::1\n"
                             "2 dns.qname domain second.example.org\n");
    assert_int_equal(ev_pcap_get_stats(p)->malformed, 0);
    ev_pcap_free(p);
}

static void test_evidence_pcap__tls_sni(void **state)
{
    (void)state;
    frames fs = {0};
    bytes r = {0}, ip = {0};
    client_hello(&r, "login.evil.com", 0);
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 7, r.d, r.n);
    eth(&fs.f[fs.n++], &ip, 1);
    /* a ClientHello of ~1,800 bytes (post-quantum key shares) over two segments, the first sent twice */
    client_hello(&r, "split.evil.com", 1700);
    ip6(&ip, "2001:db8::2", "2001:db8::443", 6, 50001, 8443, 1, r.d, 1200);
    eth(&fs.f[fs.n++], &ip, 0);
    eth(&fs.f[fs.n++], &ip, 0);
    ip6(&ip, "2001:db8::2", "2001:db8::443", 6, 50001, 8443, 1201, r.d + 1200, r.n - 1200);
    eth(&fs.f[fs.n++], &ip, 0);
    got g;
    ev_pcap *p = decode(1, &fs, &g);
    assert_string_equal(g.s, "1 ip.src ipv4 10.0.0.2\n"
                             "1 ip.dst ipv4 203.0.113.9\n"
                             "1 tls.sni domain login.evil.com\n"
                             "2 ip.src ipv6 2001:db8::2\n"
                             "2 ip.dst ipv6 2001:db8::443\n"
                             "4 tls.sni domain split.evil.com\n");
    assert_int_equal(ev_pcap_get_stats(p)->malformed, 0);
    ev_pcap_free(p);
}

static void test_evidence_pcap__tls_gap(void **state)
{
    (void)state;
    /* the second segment is missing: the name (in it) is not found, nothing is invented */
    frames fs = {0};
    bytes r = {0}, ip = {0};
    client_hello(&r, "gap.evil.com", 1700);
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 1, r.d, 1200);
    fs.f[fs.n++] = ip;
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 5000, r.d + 1200, r.n - 1200);
    fs.f[fs.n++] = ip;
    got g;
    ev_pcap *p = decode(101, &fs, &g);
    assert_string_equal(g.s, "1 ip.src ipv4 10.0.0.2\n1 ip.dst ipv4 203.0.113.9\n");
    ev_pcap_free(p);
}

static void test_evidence_pcap__http(void **state)
{
    (void)state;
    frames fs = {0};
    bytes ip = {0};
    const char *get =
        "GET /dl/payload.bin?x=1 HTTP/1.1\r\nUser-Agent: t\r\nhost:  cdn.evil.com:8080 \r\n\r\n";
    ip4(&ip, "10.0.0.2", "203.0.113.80", 6, 50000, 8080, 1, get, strlen(get));
    fs.f[fs.n++] = ip;
    const char *old = "GET /x HTTP/1.0\r\n\r\n";
    ip4(&ip, "10.0.0.2", "203.0.113.81", 6, 50001, 81, 1, old, strlen(old));
    fs.f[fs.n++] = ip;
    const char *proxy = "GET http://proxied.evil.com/p HTTP/1.1\r\nHost: proxied.evil.com\r\n\r\n";
    ip4(&ip, "10.0.0.2", "10.0.0.1", 6, 50002, 3128, 1, proxy, strlen(proxy));
    fs.f[fs.n++] = ip;
    const char *conn = "CONNECT tunnel.evil.com:443 HTTP/1.1\r\n\r\n";
    ip4(&ip, "10.0.0.2", "10.0.0.1", 6, 50003, 3128, 1, conn, strlen(conn));
    fs.f[fs.n++] = ip;
    const char *notreq = "GETX / HTTP/1.1\r\nHost: no.evil.com\r\n\r\n";
    ip4(&ip, "10.0.0.2", "10.0.0.1", 6, 50004, 80, 1, notreq, strlen(notreq));
    fs.f[fs.n++] = ip;
    static const char nul[] = "GET /n HTTP/1.1\r\nHost: nul\0.evil.com\r\n\r\n"; /* a NUL: not a host */
    ip4(&ip, "10.0.0.2", "10.0.0.1", 6, 50005, 8080, 1, nul, sizeof nul - 1);
    fs.f[fs.n++] = ip;
    got g;
    ev_pcap *p = decode(228, &fs, &g);
    assert_string_equal(g.s, "1 ip.src ipv4 10.0.0.2\n"
                             "1 ip.dst ipv4 203.0.113.80\n"
                             "1 http.host domain cdn.evil.com\n"
                             "1 http.url url http://cdn.evil.com:8080/dl/payload.bin?x=1\n"
                             "2 ip.src ipv4 10.0.0.2\n"
                             "2 ip.dst ipv4 203.0.113.81\n"
                             "2 http.url url http://203.0.113.81:81/x\n"
                             "3 ip.src ipv4 10.0.0.2\n"
                             "3 ip.dst ipv4 10.0.0.1\n"
                             "3 http.host domain proxied.evil.com\n"
                             "3 http.url url http://proxied.evil.com/p\n"
                             "4 ip.src ipv4 10.0.0.2\n"
                             "4 ip.dst ipv4 10.0.0.1\n"
                             "4 http.host domain tunnel.evil.com\n"
                             "5 ip.src ipv4 10.0.0.2\n"
                             "5 ip.dst ipv4 10.0.0.1\n"
                             "6 ip.src ipv4 10.0.0.2\n"
                             "6 ip.dst ipv4 10.0.0.1\n"
                             "6 http.url url http://10.0.0.1:8080/n\n");
    ev_pcap_free(p);
}

/* Link layers: the same DNS query framed seven ways. */
static void test_evidence_pcap__link_types(void **state)
{
    (void)state;
    bytes m = {0}, ip = {0}, f = {0};
    dns_query(&m, "link.evil.com");
    ip4(&ip, "10.1.1.1", "10.2.2.2", 17, 1111, 53, 0, m.d, m.n);
    struct {
        int lt;
        const char *hdr; /* hex of the link header ("" for raw) */
    } cases[] = {
        {1,
         "101112131415161718191a1b8100006488a800650800"}, /* Ethernet, two tags (odd order, both accepted) */
        {113, "00000001000610111213141500000800"},        /* SLL: 14 bytes then the protocol */
        {276, "080000000000000200010006101112131415"},    /* SLL2: protocol first (20-byte header) */
        {0, "02000000"},                                  /* null, little-endian AF_INET */
        {0, "00000002"},                                  /* null, big-endian */
        {108, "00000002"},                                /* loop */
        {101, ""},                                        /* raw */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        f.n = 0;
        const char *h = cases[c].hdr;
        for (size_t i = 0; h[i]; i += 2) {
            unsigned v;
            sscanf(h + i, "%2x", &v);
            put8(&f, v);
        }
        if (cases[c].lt == 276)
            put16(&f, 0); /* SLL2's last two address bytes: 20 in all */
        put(&f, ip.d, ip.n);
        frames fs = {0};
        fs.f[fs.n++] = f;
        got g;
        ev_pcap *p = decode(cases[c].lt, &fs, &g);
        if (!strstr(g.s, "1 dns.qname domain link.evil.com\n"))
            fail_msg("link type %d (case %zu): %s", cases[c].lt, c, g.s);
        assert_int_equal(ev_pcap_get_stats(p)->malformed, 0);
        ev_pcap_free(p);
    }
}

static void test_evidence_pcap__fragments_and_flows(void **state)
{
    (void)state;
    frames fs = {0};
    bytes m = {0}, ip = {0};
    dns_query(&m, "frag.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    ip.d[6] = 0x20; /* more fragments, offset 0: the first fragment is decoded */
    fs.f[fs.n++] = ip;
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    ip.d[6] = 0x00;
    ip.d[7] = 0x10; /* offset 128: skipped */
    fs.f[fs.n++] = ip;
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n); /* same flow again: no endpoints */
    fs.f[fs.n++] = ip;
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40001, 53, 0, m.d, m.n); /* another flow: endpoints again */
    fs.f[fs.n++] = ip;
    got g;
    ev_pcap *p = decode(101, &fs, &g);
    assert_string_equal(g.s, "1 ip.src ipv4 10.0.0.2\n"
                             "1 ip.dst ipv4 192.0.2.53\n"
                             "1 dns.qname domain frag.evil.com\n"
                             "3 dns.qname domain frag.evil.com\n"
                             "4 ip.src ipv4 10.0.0.2\n"
                             "4 ip.dst ipv4 192.0.2.53\n"
                             "4 dns.qname domain frag.evil.com\n");
    const ev_pcap_stats *st = ev_pcap_get_stats(p);
    assert_int_equal(st->fragments, 1);
    assert_int_equal(st->flows, 2);
    ev_pcap_free(p);
}

/* A flow table full of flows: memory stays bounded, every new flow still reports its addresses. */
static void test_evidence_pcap__many_flows(void **state)
{
    (void)state;
    ev_pcap *p = NULL;
    vg_error err = {0};
    assert_int_equal(ev_pcap_new(NULL, NULL, &p, &err), 0);
    bytes ip = {0};
    for (uint32_t i = 0; i < 200000; i++) {
        char src[32];
        snprintf(src, sizeof src, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        ip4(&ip, src, "192.0.2.1", 6, 1000, 443, 0, "", 0);
        assert_int_equal(ev_pcap_frame(p, 101, ip.d, ip.n, ip.n, i + 1, NULL), 0);
    }
    assert_int_equal(ev_pcap_get_stats(p)->flows, 200000);
    ev_pcap_free(p);
}

/* Malformed packets are skipped and counted; the packets around them are decoded. */
static void test_evidence_pcap__malformed(void **state)
{
    (void)state;
    frames fs = {0};
    bytes m = {0}, ip = {0};
    /* 1: IPv4 total length past the end of an uncut frame */
    dns_query(&m, "one.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    ip.d[2] = 0x05;
    fs.f[fs.n++] = ip;
    /* 2: a DNS question count past the end of the message */
    dns_query(&m, "two.evil.com");
    m.d[5] = 9;
    ip4(&ip, "10.0.0.3", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    fs.f[fs.n++] = ip;
    /* 3: a compression pointer to itself */
    m.n = 0;
    put16(&m, 1);
    put16(&m, 0x8180);
    put16(&m, 1);
    put16(&m, 0);
    put32(&m, 0);
    put16(&m, 0xC00C);
    put32(&m, 0x00010001);
    ip4(&ip, "10.0.0.4", "192.0.2.53", 17, 53, 40000, 0, m.d, m.n);
    fs.f[fs.n++] = ip;
    /* 4: a label, then a pointer forward */
    m.n = 0;
    put16(&m, 1);
    put16(&m, 0x0100);
    put16(&m, 1);
    put16(&m, 0);
    put32(&m, 0);
    put8(&m, 1);
    put8(&m, 'a');
    put16(&m, 0xC012);
    put16(&m, 0xC00C);
    ip4(&ip, "10.0.0.5", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    fs.f[fs.n++] = ip;
    /* 5: a TLS extension longer than the extensions */
    bytes r = {0};
    client_hello(&r, "five.evil.com", 0);
    r.d[r.n - 19] = 0x7F; /* the server_name extension's length */
    ip4(&ip, "10.0.0.6", "203.0.113.9", 6, 50000, 443, 1, r.d, r.n);
    fs.f[fs.n++] = ip;
    /* 6: a UDP length under 8 */
    dns_query(&m, "six.evil.com");
    ip4(&ip, "10.0.0.7", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    ip.d[24] = 0;
    ip.d[25] = 4;
    fs.f[fs.n++] = ip;
    /* 7: fine */
    dns_query(&m, "seven.evil.com");
    ip4(&ip, "10.0.0.8", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    fs.f[fs.n++] = ip;
    got g;
    ev_pcap *p = decode(101, &fs, &g);
    assert_int_equal(ev_pcap_get_stats(p)->malformed, 6);
    assert_null(strstr(g.s, "one.evil.com"));
    assert_null(strstr(g.s, "five.evil.com"));
    assert_non_null(strstr(g.s, "7 dns.qname domain seven.evil.com\n"));
    ev_pcap_free(p);

    /* every cut of a good frame: no crash, no read past the end (ASan), at most malformed */
    bytes f = {0};
    client_hello(&r, "cut.evil.com", 300);
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 1, r.d, r.n);
    eth(&f, &ip, 1);
    for (size_t k = 0; k < f.n; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, f.d, k);
        assert_int_equal(ev_pcap_new(collect, &g, &p, &(vg_error){0}), 0);
        memset(&g, 0, sizeof g);
        assert_int_equal(ev_pcap_frame(p, 1, copy, k, k, 1, NULL), 0);
        assert_int_equal(ev_pcap_frame(p, 1, copy, k, f.n, 2, NULL), 0); /* cut by the snap length */
        ev_pcap_free(p);
        free(copy);
    }
}

/* ---- files -------------------------------------------------------------------- */

/* Writes frames as a pcap file through libpcap. */
static void write_pcap(const char *path, int dlt, const frames *fs, int nano)
{
    pcap_t *pd = pcap_open_dead_with_tstamp_precision(
        dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    assert_non_null(pd);
    pcap_dumper_t *d = pcap_dump_open(pd, path);
    assert_non_null(d);
    for (int i = 0; i < fs->n; i++) {
        struct pcap_pkthdr h = {0};
        h.ts.tv_sec = 1700000000 + i;
        h.ts.tv_usec = nano ? 123456789 : 123456;
        h.caplen = h.len = (bpf_u_int32)fs->f[i].n;
        pcap_dump((u_char *)d, &h, fs->f[i].d);
    }
    pcap_dump_close(d);
    pcap_close(pd);
}

/* Reads a capture file with ev_pcap (through a stream). */
static int read_file(const char *path, got *g, ev_pcap_stats *st, vg_error *err)
{
    ev_pcap *p = NULL;
    ev_stream *s = NULL;
    memset(g, 0, sizeof *g);
    assert_int_equal(ev_pcap_new(collect, g, &p, err), 0);
    assert_int_equal(ev_stream_open(path, 0, &s, err), 0);
    int rc = ev_pcap_read_stream(p, s, path, err);
    if (st)
        *st = *ev_pcap_get_stats(p);
    ev_stream_close(s);
    ev_pcap_free(p);
    return rc;
}

/* The packet times as libpcap reads them, one "sec.nsec" a line. */
static void libpcap_times(const char *path, char *out, size_t cap)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    assert_non_null(p);
    struct pcap_pkthdr *h;
    const u_char *d;
    out[0] = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%ld.%09ld %u\n", (long)h->ts.tv_sec, (long)h->ts.tv_usec, h->caplen);
    }
    pcap_close(p);
}

/* The same from ev_pcap: times of the packets' first observations. */
typedef struct times {
    char s[4096];
    uint64_t last;
} times;

static int collect_time(const ev_pcap_obs *o, void *p)
{
    times *t = p;
    if (o->packet == t->last)
        return 0;
    t->last = o->packet;
    size_t n = strlen(t->s);
    snprintf(t->s + n, sizeof t->s - n, "%lld.%09u\n", (long long)o->time.sec, o->time.nsec);
    return 0;
}

static frames *sample_frames(void)
{
    static frames fs;
    memset(&fs, 0, sizeof fs);
    bytes m = {0}, ip = {0}, r = {0};
    dns_query(&m, "file.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    eth(&fs.f[fs.n++], &ip, 0);
    dns_response(&m, "file.evil.com", "x", "203.0.113.5", "2001:db8::5");
    ip4(&ip, "192.0.2.53", "10.0.0.2", 17, 53, 40000, 0, m.d, m.n);
    eth(&fs.f[fs.n++], &ip, 0);
    client_hello(&r, "tls.evil.com", 0);
    ip4(&ip, "10.0.0.2", "203.0.113.5", 6, 50000, 443, 1, r.d, r.n);
    eth(&fs.f[fs.n++], &ip, 0);
    dns_query(&m, "www.notevil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40002, 53, 0, m.d, m.n);
    eth(&fs.f[fs.n++], &ip, 0);
    return &fs;
}

static const char sample_obs[] = "1 ip.src ipv4 10.0.0.2\n"
                                 "1 ip.dst ipv4 192.0.2.53\n"
                                 "1 dns.qname domain file.evil.com\n"
                                 "2 dns.qname domain file.evil.com\n"
                                 "2 dns.cname domain x.evil.com\n"
                                 "2 dns.a ipv4 203.0.113.5\n"
                                 "2 dns.aaaa ipv6 2001:db8::5\n"
                                 "3 ip.src ipv4 10.0.0.2\n"
                                 "3 ip.dst ipv4 203.0.113.5\n"
                                 "3 tls.sni domain tls.evil.com\n"
                                 "4 ip.src ipv4 10.0.0.2\n"
                                 "4 ip.dst ipv4 192.0.2.53\n"
                                 "4 dns.qname domain www.notevil.com\n";

static void test_evidence_pcap__pcap_file(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("pcap_file");
    char path[512], lp[8192];
    for (int nano = 0; nano < 2; nano++) {
        snprintf(path, sizeof path, "%s/t%d.pcap", dir, nano);
        write_pcap(path, DLT_EN10MB, sample_frames(), nano);
        assert_true(ev_pcap_sniff(path));
        got g;
        ev_pcap_stats st;
        vg_error err = {0};
        assert_int_equal(read_file(path, &g, &st, &err), 0);
        assert_string_equal(g.s, sample_obs);
        assert_int_equal(st.packets, 4);
        /* times agree with libpcap's */
        times t = {{0}, 0};
        ev_pcap *p = NULL;
        size_t len;
        char *data = vg_test_read_file(path, &len);
        assert_int_equal(ev_pcap_new(collect_time, &t, &p, &err), 0);
        assert_int_equal(ev_pcap_read_buf(p, data, len, path, &err), 0);
        ev_pcap_free(p);
        free(data);
        libpcap_times(path, lp, sizeof lp);
        char want[4096] = "";
        for (char *l = lp; *l;) {
            char *e = strchr(l, ' ');
            strncat(want, l, (size_t)(e - l));
            strncat(want, "\n", 2);
            l = strchr(l, '\n') + 1;
        }
        assert_string_equal(t.s, want);
        assert_non_null(strstr(want, nano ? "1700000000.123456789\n" : "1700000000.123456000\n"));
    }
}

/* A classic pcap written big-endian by hand (as a SPARC or a PowerPC would). */
static void test_evidence_pcap__pcap_big_endian(void **state)
{
    (void)state;
    frames *fs = sample_frames();
    bytes *b = malloc(sizeof *b);
    b->n = 0;
    put32(b, 0xA1B23C4D); /* nanoseconds */
    put16(b, 2);
    put16(b, 4);
    put32(b, 0);
    put32(b, 0);
    put32(b, 65535);
    put32(b, 1);
    for (int i = 0; i < fs->n; i++) {
        put32(b, 1700000000);
        put32(b, 5);
        put32(b, (uint32_t)fs->f[i].n);
        put32(b, (uint32_t)fs->f[i].n);
        put(b, fs->f[i].d, fs->f[i].n);
    }
    ev_pcap *p = NULL;
    vg_error err = {0};
    times t = {{0}, 0};
    assert_int_equal(ev_pcap_new(collect_time, &t, &p, &err), 0);
    assert_int_equal(ev_pcap_read_buf(p, b->d, b->n, "be.pcap", &err), 0);
    assert_int_equal(ev_pcap_get_stats(p)->packets, 4);
    assert_string_equal(t.s, "1700000000.000000005\n1700000000.000000005\n1700000000.000000005\n"
                             "1700000000.000000005\n");
    ev_pcap_free(p);
    free(b);
}

/* ---- pcapng, by hand ------------------------------------------------------------ */

typedef struct ng {
    bytes b;
    int be; /* write big-endian */
} ng;

static void ng32(ng *g, uint32_t v)
{
    if (g->be) {
        put32(&g->b, v);
    } else {
        uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
        put(&g->b, x, 4);
    }
}
static void ng16(ng *g, unsigned v)
{
    if (g->be) {
        put16(&g->b, v);
    } else {
        uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
        put(&g->b, x, 2);
    }
}

/* Starts a block; returns its offset, to be closed by ng_end. */
static size_t ng_begin(ng *g, uint32_t type)
{
    size_t at = g->b.n;
    ng32(g, type);
    ng32(g, 0);
    return at;
}
static void ng_end(ng *g, size_t at)
{
    while (g->b.n % 4)
        put8(&g->b, 0);
    uint32_t len = (uint32_t)(g->b.n - at + 4);
    ng32(g, len);
    size_t save = g->b.n;
    g->b.n = at + 4;
    ng32(g, len);
    g->b.n = save;
}
static void ng_shb(ng *g)
{
    size_t at = ng_begin(g, 0x0A0D0D0A);
    ng32(g, 0x1A2B3C4D);
    ng16(g, 1);
    ng16(g, 0);
    ng32(g, 0xFFFFFFFF);
    ng32(g, 0xFFFFFFFF);
    ng_end(g, at);
}
/* tsresol < 0: no option (microseconds) */
static void ng_idb(ng *g, unsigned linktype, int tsresol, int64_t tsoffset)
{
    size_t at = ng_begin(g, 1);
    ng16(g, linktype);
    ng16(g, 0);
    ng32(g, 0);
    if (tsresol >= 0) {
        ng16(g, 9);
        ng16(g, 1);
        put8(&g->b, (unsigned)tsresol);
        put8(&g->b, 0);
        put16(&g->b, 0);
    }
    if (tsoffset) {
        ng16(g, 14);
        ng16(g, 8);
        ng32(g, g->be ? (uint32_t)((uint64_t)tsoffset >> 32) : (uint32_t)tsoffset);
        ng32(g, g->be ? (uint32_t)tsoffset : (uint32_t)((uint64_t)tsoffset >> 32));
    }
    ng16(g, 0);
    ng16(g, 0);
    ng_end(g, at);
}
static void ng_epb(ng *g, uint32_t ifid, uint64_t ts, const bytes *f)
{
    size_t at = ng_begin(g, 6);
    ng32(g, ifid);
    ng32(g, (uint32_t)(ts >> 32));
    ng32(g, (uint32_t)ts);
    ng32(g, (uint32_t)f->n);
    ng32(g, (uint32_t)f->n);
    put(&g->b, f->d, f->n);
    ng_end(g, at);
}
static void ng_spb(ng *g, const bytes *f)
{
    size_t at = ng_begin(g, 3);
    ng32(g, (uint32_t)f->n);
    put(&g->b, f->d, f->n);
    ng_end(g, at);
}
static void ng_pb(ng *g, unsigned ifid, uint64_t ts, const bytes *f)
{
    size_t at = ng_begin(g, 2);
    ng16(g, ifid);
    ng16(g, 0);
    ng32(g, (uint32_t)(ts >> 32));
    ng32(g, (uint32_t)ts);
    ng32(g, (uint32_t)f->n);
    ng32(g, (uint32_t)f->n);
    put(&g->b, f->d, f->n);
    ng_end(g, at);
}

/*
 * Two sections (little- then big-endian); interfaces of different link types
 * (Ethernet and raw IPv4; SLL2 and null) and resolutions (microseconds by
 * default, nanoseconds, 2^-10 s, milliseconds with an offset); every kind of
 * packet block; an unknown block type skipped; a packet of an interface that
 * does not exist.
 */
static ng *sample_ng(void)
{
    static ng g;
    memset(&g, 0, sizeof g);
    bytes m = {0}, ip = {0}, f = {0};
    ng_shb(&g);
    ng_idb(&g, 1, -1, 0);
    ng_idb(&g, 101, 9, 0);
    dns_query(&m, "ng-one.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40000, 53, 0, m.d, m.n);
    eth(&f, &ip, 0);
    ng_epb(&g, 0, 1700000000ull * 1000000 + 250000, &f); /* packet 1: Ethernet, µs */
    dns_query(&m, "ng-two.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40001, 53, 0, m.d, m.n);
    ng_epb(&g, 1, 1700000001ull * 1000000000 + 5, &ip); /* packet 2: raw, ns */
    size_t at = ng_begin(&g, 0x00000BAD);               /* a custom block: skipped */
    ng32(&g, 12345);
    ng_end(&g, at);
    dns_query(&m, "ng-three.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40002, 53, 0, m.d, m.n);
    eth(&f, &ip, 0);
    ng_spb(&g, &f); /* packet 3: simple block, interface 0, no time */
    /* section 2, big-endian: SLL2 at 2^-10 s, null at milliseconds + 3600 s */
    g.be = 1;
    ng_shb(&g);
    ng_idb(&g, 276, 0x80 | 10, 0);
    ng_idb(&g, 0, 3, 3600);
    dns_query(&m, "ng-four.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40003, 53, 0, m.d, m.n);
    f.n = 0;
    put16(&f, 0x0800);
    for (int i = 0; i < 18; i++)
        put8(&f, 0);
    put(&f, ip.d, ip.n);
    ng_epb(&g, 0, (1700000002ull << 10) + 512, &f); /* packet 4: .5 s */
    dns_query(&m, "ng-five.evil.com");
    ip4(&ip, "10.0.0.2", "192.0.2.53", 17, 40004, 53, 0, m.d, m.n);
    f.n = 0;
    put32(&f, 2); /* big-endian AF_INET */
    put(&f, ip.d, ip.n);
    ng_pb(&g, 1, 1700000003ull * 1000 + 7, &f); /* packet 5: obsolete packet block, ms */
    ng_epb(&g, 5, 0, &f);                       /* packet 6: no such interface: malformed */
    return &g;
}

static void test_evidence_pcap__pcapng(void **state)
{
    (void)state;
    ng *g = sample_ng();
    const char *dir = vg_test_tmpdir("pcapng");
    char path[512];
    snprintf(path, sizeof path, "%s/t.pcapng", dir);
    vg_test_write_file(path, g->b.d, g->b.n);
    assert_true(ev_pcap_sniff(path));
    got gg;
    ev_pcap_stats st;
    vg_error err = {0};
    assert_int_equal(read_file(path, &gg, &st, &err), 0);
    assert_string_equal(gg.s, "1 ip.src ipv4 10.0.0.2\n"
                              "1 ip.dst ipv4 192.0.2.53\n"
                              "1 dns.qname domain ng-one.evil.com\n"
                              "2 ip.src ipv4 10.0.0.2\n"
                              "2 ip.dst ipv4 192.0.2.53\n"
                              "2 dns.qname domain ng-two.evil.com\n"
                              "3 ip.src ipv4 10.0.0.2\n"
                              "3 ip.dst ipv4 192.0.2.53\n"
                              "3 dns.qname domain ng-three.evil.com\n"
                              "4 ip.src ipv4 10.0.0.2\n"
                              "4 ip.dst ipv4 192.0.2.53\n"
                              "4 dns.qname domain ng-four.evil.com\n"
                              "5 ip.src ipv4 10.0.0.2\n"
                              "5 ip.dst ipv4 192.0.2.53\n"
                              "5 dns.qname domain ng-five.evil.com\n");
    assert_int_equal(st.packets, 6);
    assert_int_equal(st.malformed, 1);
    /* times: µs, ns, none (simple block), 2^-10 s, ms + offset */
    ev_pcap *p = NULL;
    times t = {{0}, 0};
    assert_int_equal(ev_pcap_new(collect_time, &t, &p, &err), 0);
    assert_int_equal(ev_pcap_read_buf(p, g->b.d, g->b.n, path, &err), 0);
    ev_pcap_free(p);
    assert_string_equal(t.s, "1700000000.250000000\n1700000001.000000005\n0.000000000\n1700000002.500000000\n"
                             "1700003603.007000000\n");
}

/* A pcapng libpcap can read (one link type; resolutions differ): both readers give the same packets and
 * times. */
static void test_evidence_pcap__pcapng_libpcap(void **state)
{
    (void)state;
    static ng g;
    memset(&g, 0, sizeof g);
    frames *fs = sample_frames();
    ng_shb(&g);
    ng_idb(&g, 1, -1, 0);
    ng_idb(&g, 1, 9, 0);
    ng_idb(&g, 1, 3, 0);
    for (int i = 0; i < fs->n; i++) {
        uint64_t sec = 1700000000u + (uint64_t)i;
        ng_epb(&g, (uint32_t)(i % 3),
               i % 3 == 0   ? sec * 1000000 + 7
               : i % 3 == 1 ? sec * 1000000000 + 9
                            : sec * 1000 + 1,
               &fs->f[i]);
    }
    const char *dir = vg_test_tmpdir("pcapng_libpcap");
    char path[512], lp[4096], want[4096] = "";
    snprintf(path, sizeof path, "%s/t.pcapng", dir);
    vg_test_write_file(path, g.b.d, g.b.n);
    libpcap_times(path, lp, sizeof lp);
    for (char *l = lp; *l;) {
        char *e = strchr(l, ' ');
        strncat(want, l, (size_t)(e - l));
        strncat(want, "\n", 2);
        l = strchr(l, '\n') + 1;
    }
    ev_pcap *p = NULL;
    vg_error err = {0};
    times t = {{0}, 0};
    assert_int_equal(ev_pcap_new(collect_time, &t, &p, &err), 0);
    assert_int_equal(ev_pcap_read_buf(p, g.b.d, g.b.n, path, &err), 0);
    ev_pcap_free(p);
    assert_string_equal(t.s, want);
    assert_string_equal(want, "1700000000.000007000\n1700000001.000000009\n1700000002.001000000\n"
                              "1700000003.000007000\n");
    got gg;
    assert_int_equal(read_file(path, &gg, NULL, &err), 0);
    assert_string_equal(gg.s, sample_obs);
}

/* Truncated and damaged files: an error naming the file and packet; what came before is delivered. */
static void test_evidence_pcap__truncated(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("pcap_trunc");
    char path[512], cut[512];
    snprintf(path, sizeof path, "%s/t.pcap", dir);
    snprintf(cut, sizeof cut, "%s/cut.pcap", dir);
    write_pcap(path, DLT_EN10MB, sample_frames(), 0);
    size_t len;
    char *data = vg_test_read_file(path, &len);
    vg_test_write_file(cut, data, len - 10);
    got g;
    ev_pcap_stats st;
    vg_error err = {0};
    assert_int_equal(read_file(cut, &g, &st, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "truncated"));
    assert_non_null(strstr(err.where, "cut.pcap, after packet 3"));
    assert_non_null(strstr(g.s, "3 tls.sni domain tls.evil.com\n"));
    assert_null(strstr(g.s, "notevil"));
    assert_int_equal(st.packets, 3);
    /* cut inside a record header, and inside the file header */
    vg_test_write_file(cut, data, len - (size_t)sample_frames()->f[3].n - 8);
    assert_int_equal(read_file(cut, &g, &st, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "record's header"));
    vg_test_write_file(cut, data, 20);
    assert_int_equal(read_file(cut, &g, &st, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "file header"));
    /* a record claiming 100 MB */
    memcpy(data + 24 + 8, "\x00\x00\x00\x06", 4);
    vg_test_write_file(cut, data, len);
    memset(&err, 0, sizeof err);
    assert_int_equal(read_file(cut, &g, &st, &err), VG_E_LIMIT);
    assert_non_null(strstr(err.where, "after packet 0 (byte 24)"));
    free(data);

    /* pcapng: every cut of the sample file; each either reads cleanly to a block boundary or says truncated
     */
    ng *n = sample_ng();
    for (size_t k = 0; k < n->b.n; k++) {
        ev_pcap *p = NULL;
        memset(&err, 0, sizeof err);
        memset(&g, 0, sizeof g);
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, n->b.d, k);
        assert_int_equal(ev_pcap_new(collect, &g, &p, &err), 0);
        int rc = ev_pcap_read_buf(p, copy, k, "cut.pcapng", &err);
        if (rc != 0 && rc != VG_E_PARSE)
            fail_msg("cut at %zu: %d %s", k, rc, err.msg);
        if (rc)
            assert_non_null(strstr(err.where, "cut.pcapng"));
        ev_pcap_free(p);
        free(copy);
    }
    /* a block whose two lengths differ */
    memcpy(n->b.d + 28 - 4, "\x1d\x00\x00\x00", 4);
    ev_pcap *p = NULL;
    memset(&err, 0, sizeof err);
    assert_int_equal(ev_pcap_new(collect, &g, &p, &err), 0);
    assert_int_equal(ev_pcap_read_buf(p, n->b.d, n->b.n, "bad.pcapng", &err), VG_E_PARSE);
    ev_pcap_free(p);
    /* not a capture */
    assert_int_equal(ev_pcap_new(collect, &g, &p, &err), 0);
    assert_int_equal(ev_pcap_read_buf(p, "hello world\n", 12, "x.txt", &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "not a pcap"));
    ev_pcap_free(p);
}

/* A .pcap.gz is read through the stream; the callback's nonzero value stops the read. */
static void test_evidence_pcap__gzip_and_stop(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("pcap_gz");
    char path[512], gz[512];
    snprintf(path, sizeof path, "%s/t.pcap", dir);
    snprintf(gz, sizeof gz, "%s/t.pcap.gz", dir);
    write_pcap(path, DLT_EN10MB, sample_frames(), 0);
    size_t len;
    char *data = vg_test_read_file(path, &len);
    gzFile z = gzopen(gz, "wb");
    gzwrite(z, data, (unsigned)len);
    gzclose(z);
    free(data);
    assert_true(ev_pcap_sniff(gz));
    assert_false(ev_pcap_sniff("/nonexistent"));
    got g;
    vg_error err = {0};
    assert_int_equal(read_file(gz, &g, NULL, &err), 0);
    assert_string_equal(g.s, sample_obs);
    /* stop at the third observation */
    ev_pcap *p = NULL;
    ev_stream *s = NULL;
    memset(&g, 0, sizeof g);
    g.stop_at = 3;
    assert_int_equal(ev_pcap_new(collect, &g, &p, &err), 0);
    assert_int_equal(ev_stream_open(gz, 0, &s, &err), 0);
    assert_int_equal(ev_pcap_read_stream(p, s, gz, &err), 7);
    assert_int_equal(g.count, 3);
    ev_stream_close(s);
    ev_pcap_free(p);
}

/* Every allocation failing in turn: VG_E_NOMEM, nothing leaked (ASan), never a crash. */
static void test_evidence_pcap__alloc_failures(void **state)
{
    (void)state;
    frames fs = {0};
    bytes r = {0}, ip = {0};
    client_hello(&r, "split.evil.com", 1700);
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 1, r.d, 1200);
    fs.f[fs.n++] = ip;
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 1201, r.d + 1200, r.n - 1200);
    fs.f[fs.n++] = ip;
    int ok = 0;
    for (long n = 1; n < 20 && !ok; n++) {
        got g = {0};
        ev_pcap *p = NULL;
        vg_error err = {0};
        vg_alloc_fail_after(n);
        int rc = ev_pcap_new(collect, &g, &p, &err);
        for (int i = 0; i < fs.n && !rc; i++)
            rc = ev_pcap_frame(p, 101, fs.f[i].d, fs.f[i].n, fs.f[i].n, (uint64_t)i + 1, NULL);
        vg_alloc_fail_reset();
        if (rc == 0)
            ok = strstr(g.s, "tls.sni domain split.evil.com") != NULL;
        else
            assert_int_equal(rc, VG_E_NOMEM);
        ev_pcap_free(p);
    }
    assert_true(ok);
}

/* ---- the scan over a capture ------------------------------------------------------- */

typedef struct hits {
    char s[4096];
} hits;

static int on_hit(const scan_hit *h, void *p)
{
    hits *hs = p;
    char ts[VG_TIME_MAX] = "-";
    if (h->time)
        vg_time_format(h->time, ts);
    size_t n = strlen(hs->s);
    snprintf(hs->s + n, sizeof hs->s - n, "%s packet %llu %s %s %s\n", h->name, (unsigned long long)h->packet,
             ts, h->field ? h->field : "-", h->value);
    return 0;
}

static char warned[2048];
static void on_log(int level, const char *msg, void *ctx)
{
    (void)ctx;
    if (level == VG_LOG_WARN)
        snprintf(warned, sizeof warned, "%s", msg);
}

static void test_evidence_pcap__scan(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("pcap_scan");
    char path[512], cut[512];
    snprintf(path, sizeof path, "%s/c.pcap", dir);
    snprintf(cut, sizeof cut, "%s/cut.pcap", dir);
    write_pcap(path, DLT_EN10MB, sample_frames(), 0);
    size_t len;
    char *data = vg_test_read_file(path, &len);
    vg_test_write_file(cut, data, len - 10);
    free(data);

    idx_builder *b = NULL;
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--00000000-0000-4000-8000-000000000001", "evil",
                                             "[domain-name:value = 'evil.com']", 0, NULL, &err),
                     0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--00000000-0000-4000-8000-000000000002", "c2",
                                             "[ipv4-addr:value = '203.0.113.0/24']", 0, NULL, &err),
                     0);
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);

    hits hs = {{0}};
    scan_opts o = {0};
    o.on_hit = on_hit;
    o.ctx = &hs;
    o.hash_files = -1;
    scan_summary *sum = NULL;
    const char *paths[] = {path};
    assert_int_equal(scan_run(x, paths, 1, &o, &sum, &err), 0);
    assert_string_equal(hs.s, "evil packet 1 2023-11-14T22:13:20.123456Z dns.qname file.evil.com\n"
                              "evil packet 2 2023-11-14T22:13:21.123456Z dns.qname file.evil.com\n"
                              "evil packet 2 2023-11-14T22:13:21.123456Z dns.cname x.evil.com\n"
                              "c2 packet 2 2023-11-14T22:13:21.123456Z dns.a 203.0.113.5\n"
                              "c2 packet 3 2023-11-14T22:13:22.123456Z ip.dst 203.0.113.5\n"
                              "evil packet 3 2023-11-14T22:13:22.123456Z tls.sni tls.evil.com\n");
    assert_int_equal(sum->packets, 4);
    assert_int_equal(sum->damaged, 0);
    assert_int_equal(sum->naggs, 2);
    const scan_agg *a = &sum->aggs[0];
    assert_int_equal(a->count, 4);
    assert_int_equal(a->first_packet, 1);
    assert_int_equal(a->last_packet, 3);
    assert_true(a->has_seen);
    char ts[VG_TIME_MAX];
    vg_time_format(&a->first_seen, ts);
    assert_string_equal(ts, "2023-11-14T22:13:20.123456Z");
    vg_time_format(&a->last_seen, ts);
    assert_string_equal(ts, "2023-11-14T22:13:22.123456Z");
    json_t *objv[SCAN_SIGHTING_OBJECTS];
    size_t nobj = 0;
    assert_int_equal(scan_sighting_json(x, sum, a, objv, &nobj, &err), 0);
    json_t *sj = objv[0];
    assert_string_equal(json_string_value(json_object_get(sj, "first_seen")), "2023-11-14T22:13:20.123Z");
    assert_string_equal(json_string_value(json_object_get(sj, "last_seen")), "2023-11-14T22:13:22.123Z");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(sj, "x_vigil_evidence"), "last"), "packet")),
                     3);
    assert_true(nobj >= 2); /* the observed-data of the first hit: the packet times too */
    assert_string_equal(json_string_value(json_object_get(objv[1], "first_observed")),
                        "2023-11-14T22:13:20.123Z");
    for (size_t i = 0; i < nobj; i++)
        json_decref(objv[i]);
    scan_summary_free(sum);

    /* the truncated copy: a warning, the hits before the cut kept, no error */
    memset(&hs, 0, sizeof hs);
    warned[0] = 0;
    vg_log_set(on_log, NULL, VG_LOG_WARN);
    paths[0] = cut;
    o.hash_files = 1;
    assert_int_equal(scan_run(x, paths, 1, &o, &sum, &err), 0);
    vg_log_set(NULL, NULL, VG_LOG_INFO);
    assert_int_equal(sum->damaged, 1);
    assert_int_equal(sum->hits, 6);
    assert_non_null(strstr(warned, "cut.pcap, after packet 3"));
    scan_summary_free(sum);
    idx_free(x);
}

/* A compound pattern: confirmed over the values of one packet (the DNS response holding both), not across packets. */
static void test_evidence_pcap__scan_confirm(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("pcap_confirm");
    char path[512];
    snprintf(path, sizeof path, "%s/c.pcap", dir);
    write_pcap(path, DLT_EN10MB, sample_frames(), 0);
    idx_builder *b = NULL;
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(idx_builder_new(&b, &err), 0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--00000000-0000-4000-8000-000000000003", "both",
                                             "[domain-name:value = 'file.evil.com'] AND "
                                             "[ipv4-addr:value = '203.0.113.5']",
                                             0, NULL, &err),
                     0);
    assert_int_equal(idx_builder_add_pattern(b, "indicator--00000000-0000-4000-8000-000000000004", "sni",
                                             "[domain-name:value = 'tls.evil.com']", 0, NULL, &err),
                     0);
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    assert_int_equal(idx_get_stats(x)->partial, 1);
    hits hs = {{0}};
    scan_opts o = {0};
    o.on_hit = on_hit;
    o.ctx = &hs;
    o.hash_files = -1;
    scan_summary *sum = NULL;
    const char *paths[] = {path};
    assert_int_equal(scan_run(x, paths, 1, &o, &sum, &err), 0);
    assert_string_equal(hs.s, "both packet 2 2023-11-14T22:13:21.123456Z dns.qname file.evil.com\n"
                              "sni packet 3 2023-11-14T22:13:22.123456Z tls.sni tls.evil.com\n");
    assert_int_equal(sum->hits, 2);
    assert_int_equal(sum->candidates, 2); /* packet 1's name alone, packet 3's address alone */
    scan_summary_free(sum);
    idx_free(x);
}

/*
 * With VIGIL_PCAP_SEEDS=DIR, writes the captures the tests build into DIR
 * (the seeds of fuzz/seeds/fuzz_pcap were made so) and runs no test.
 */
static int write_seeds(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/dns_tls.pcap", dir);
    write_pcap(path, DLT_EN10MB, sample_frames(), 0);
    ng *g = sample_ng();
    snprintf(path, sizeof path, "%s/multi.pcapng", dir);
    vg_test_write_file(path, g->b.d, g->b.n);
    static frames fs;
    bytes r = {0}, ip = {0}, m = {0}, pl = {0};
    client_hello(&r, "split.evil.com", 600);
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 1, r.d, 400);
    fs.f[fs.n++] = ip;
    ip4(&ip, "10.0.0.2", "203.0.113.9", 6, 50000, 443, 401, r.d + 400, r.n - 400);
    fs.f[fs.n++] = ip;
    const char *get = "GET /dl/x.bin HTTP/1.1\r\nHost: cdn.evil.com\r\n\r\n";
    ip6(&ip, "2001:db8::2", "2001:db8::80", 6, 50001, 80, 1, get, strlen(get));
    fs.f[fs.n++] = ip;
    dns_response(&m, "a.evil.com", "b", "198.51.100.1", "2001:db8::1");
    put16(&pl, (unsigned)m.n);
    put(&pl, m.d, m.n);
    ip4(&ip, "192.0.2.53", "10.0.0.2", 6, 53, 40001, 1000, pl.d, pl.n);
    fs.f[fs.n++] = ip;
    snprintf(path, sizeof path, "%s/tcp_raw.pcap", dir);
    write_pcap(path, DLT_RAW, &fs, 1);
    return 0;
}

int main(void)
{
    vg_alloc_init();
    if (getenv("VIGIL_PCAP_SEEDS"))
        return write_seeds(getenv("VIGIL_PCAP_SEEDS"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence_pcap__dns_udp),
        cmocka_unit_test(test_evidence_pcap__dns_tcp),
        cmocka_unit_test(test_evidence_pcap__tls_sni),
        cmocka_unit_test(test_evidence_pcap__tls_gap),
        cmocka_unit_test(test_evidence_pcap__http),
        cmocka_unit_test(test_evidence_pcap__link_types),
        cmocka_unit_test(test_evidence_pcap__fragments_and_flows),
        cmocka_unit_test(test_evidence_pcap__many_flows),
        cmocka_unit_test(test_evidence_pcap__malformed),
        cmocka_unit_test(test_evidence_pcap__pcap_file),
        cmocka_unit_test(test_evidence_pcap__pcap_big_endian),
        cmocka_unit_test(test_evidence_pcap__pcapng),
        cmocka_unit_test(test_evidence_pcap__pcapng_libpcap),
        cmocka_unit_test(test_evidence_pcap__truncated),
        cmocka_unit_test(test_evidence_pcap__gzip_and_stop),
        cmocka_unit_test(test_evidence_pcap__alloc_failures),
        cmocka_unit_test(test_evidence_pcap__scan),
        cmocka_unit_test(test_evidence_pcap__scan_confirm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
