/*
 * bench_pcap.c - the capture reader's speed: writes ~200 MB of mixed packets
 * (DNS queries and responses over UDP, TLS ClientHellos, HTTP requests, bulk
 * TCP data, many flows; Ethernet, one in four with a VLAN tag) to a pcap in
 * /tmp, then scans it with 10,000 indicators (domains and IPv4 addresses,
 * some planted in the traffic) and prints MB/s and packets/s: the decoder
 * alone, and the whole scan (decoding, lookups, delivery).
 *
 * Usage: bench_pcap [MB [INDICATORS]]
 * Prints "bench pcap <what>: <figure> <unit>" lines.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "scan/scan.h"
#include "bench.h"

static const char *const words[] = {"cdn",    "api",    "mail", "login", "static", "img",  "auth", "update",
                                    "portal", "secure", "news", "shop",  "cloud",  "data", "app",  "web"};
static const char *const tlds[] = {"com", "net", "org", "io", "ru", "de", "info", "biz"};

/* The i-th indicator domain. */
static void ind_domain(uint64_t i, char *out, size_t cap)
{
    snprintf(out, cap, "%s%llx-%s.%s", words[i % 16], (unsigned long long)(i * 2654435761u % 1000003),
             words[(i / 16) % 16], tlds[i % 8]);
}

/* ---- packets ------------------------------------------------------------------ */

typedef struct pkt {
    uint8_t d[2048];
    size_t n;
} pkt;

static void put(pkt *p, const void *s, size_t n)
{
    memcpy(p->d + p->n, s, n);
    p->n += n;
}
static void p8(pkt *p, unsigned v)
{
    p->d[p->n++] = (uint8_t)v;
}
static void p16(pkt *p, unsigned v)
{
    p8(p, v >> 8);
    p8(p, v & 255);
}
static void p32(pkt *p, uint32_t v)
{
    p16(p, v >> 16);
    p16(p, v & 0xFFFF);
}

static void name(pkt *p, const char *s)
{
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        p8(p, (unsigned)n);
        put(p, s, n);
        s += n + (dot ? 1 : 0);
    }
    p8(p, 0);
}

/* Ethernet (+ VLAN tag) + IPv4 + UDP/TCP header around payload pl. */
static void frame(pkt *f, int vlan, uint32_t src, uint32_t dst, int proto, unsigned sp, unsigned dp,
                  uint32_t seq, const pkt *pl)
{
    size_t th = proto == 17 ? 8 : 20;
    f->n = 0;
    for (int i = 0; i < 12; i++)
        p8(f, 0x10 + (unsigned)i);
    if (vlan) {
        p16(f, 0x8100);
        p16(f, 42);
    }
    p16(f, 0x0800);
    p8(f, 0x45);
    p8(f, 0);
    p16(f, (unsigned)(20 + th + pl->n));
    p16(f, 0);
    p16(f, 0x4000);
    p8(f, 64);
    p8(f, (unsigned)proto);
    p16(f, 0);
    p32(f, src);
    p32(f, dst);
    p16(f, sp);
    p16(f, dp);
    if (proto == 17) {
        p16(f, (unsigned)(8 + pl->n));
        p16(f, 0);
    } else {
        p32(f, seq);
        p32(f, 0);
        p8(f, 0x50);
        p8(f, 0x18);
        p16(f, 65535);
        p32(f, 0);
    }
    put(f, pl->d, pl->n);
}

static void dns(pkt *m, const char *q, int response, uint32_t a)
{
    m->n = 0;
    p16(m, (unsigned)(next() & 0xFFFF));
    p16(m, response ? 0x8180 : 0x0100);
    p16(m, 1);
    p16(m, response ? 1 : 0);
    p32(m, 0);
    name(m, q);
    p32(m, 0x00010001);
    if (response) {
        p16(m, 0xC00C);
        p32(m, 0x00010001);
        p32(m, 300);
        p16(m, 4);
        p32(m, a);
    }
}

static void hello(pkt *r, const char *sni)
{
    size_t sl = strlen(sni);
    size_t ext = 4 + 5 + sl + 4 + 120; /* server_name + a 120-byte padding extension */
    size_t body = 2 + 32 + 1 + 2 + 8 + 2 + 2 + ext;
    r->n = 0;
    p8(r, 0x16);
    p16(r, 0x0301);
    p16(r, (unsigned)(body + 4));
    p8(r, 1);
    p8(r, 0);
    p16(r, (unsigned)body);
    p16(r, 0x0303);
    for (int i = 0; i < 32; i++)
        p8(r, (unsigned)next() & 255);
    p8(r, 0);
    p16(r, 8);
    p32(r, 0x13011302);
    p32(r, 0x1303c02b);
    p8(r, 1);
    p8(r, 0);
    p16(r, (unsigned)ext);
    p16(r, 21);
    p16(r, 120);
    memset(r->d + r->n, 0, 120);
    r->n += 120;
    p16(r, 0);
    p16(r, (unsigned)(sl + 5));
    p16(r, (unsigned)(sl + 3));
    p8(r, 0);
    p16(r, (unsigned)sl);
    put(r, sni, sl);
}

/* A random name that is not an indicator (not in the indicators' shape). */
static void noise_name(char *out, size_t cap, uint64_t r)
{
    snprintf(out, cap, "%s%llu.%s.%s", words[r % 16], (unsigned long long)((r >> 8) % 5000),
             words[(r >> 20) % 16], tlds[(r >> 30) % 8]);
}

/* Writes ~mb MB of packets; returns the number of packets. */
static uint64_t write_capture(const char *path, size_t mb, uint64_t nind)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    const uint32_t hdr[6] = {0xA1B2C3D4, 0x00040002, 0, 0, 65535, 1}; /* host order: little-endian here */
    fwrite(hdr, 1, 24, f);
    size_t total = 24, cap = mb << 20;
    uint64_t n = 0;
    pkt pl, fr;
    char q[128];
    uint32_t t = 1700000000, seq = 1;
    while (total < cap) {
        uint64_t r = next();
        int kind = (int)(n % 16);
        uint32_t client = 0x0A000000 | (uint32_t)(r & 0xFFFF),
                 server = 0xC6336400 | (uint32_t)((r >> 16) & 255);
        int vlan = (r >> 24) % 4 == 0;
        if (kind < 8) { /* DNS: 4 queries, 4 responses; one in 2,000 asks for an indicator */
            if ((r >> 32) % 2000 == 0)
                ind_domain(((r >> 40) % (nind / 2 + 1)) * 2, q, sizeof q);
            else
                noise_name(q, sizeof q, r >> 3);
            dns(&pl, q, kind >= 4, server);
            if (kind < 4)
                frame(&fr, vlan, client, 0x0A0000FE, 17, 1024 + (unsigned)((r >> 12) % 60000), 53, 0, &pl);
            else
                frame(&fr, vlan, 0x0A0000FE, client, 17, 53, 1024 + (unsigned)((r >> 12) % 60000), 0, &pl);
        } else if (kind == 8) {
            noise_name(q, sizeof q, r >> 5);
            hello(&pl, q);
            frame(&fr, vlan, client, server, 6, 40000 + (unsigned)(r % 20000), 443, 1, &pl);
        } else if (kind == 9) {
            noise_name(q, sizeof q, r >> 7);
            pl.n =
                (size_t)snprintf((char *)pl.d, sizeof pl.d,
                                 "GET /static/%llu/app.js HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0\r\n"
                                 "Accept: */*\r\n\r\n",
                                 (unsigned long long)(r % 100000), q);
            frame(&fr, vlan, client, server, 6, 40000 + (unsigned)(r % 20000), 80, 1, &pl);
        } else { /* bulk data on a few long flows */
            pl.n = 1200;
            memset(pl.d, (int)(r & 255), pl.n);
            frame(&fr, vlan, server & 0xFFFFFFF0, 0x0A000001, 6, 443, 50000 + (unsigned)(r % 8), seq, &pl);
            seq += 1200;
        }
        uint32_t rec[4] = {t + (uint32_t)(n / 1000), (uint32_t)(n % 1000) * 1000, (uint32_t)fr.n,
                           (uint32_t)fr.n};
        fwrite(rec, 1, 16, f);
        fwrite(fr.d, 1, fr.n, f);
        total += 16 + fr.n;
        n++;
    }
    fclose(f);
    return n;
}

static idx *build(uint64_t n)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    idx_builder_new(&b, &err);
    char id[64], pat[256], v[128];
    for (uint64_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "indicator--%08llx-0000-4000-8000-000000000000", (unsigned long long)i);
        if (i % 2 == 0) {
            ind_domain(i, v, sizeof v);
            snprintf(pat, sizeof pat, "[domain-name:value = '%s']", v);
        } else {
            snprintf(pat, sizeof pat, "[ipv4-addr:value = '%llu.%llu.%llu.%llu']",
                     (unsigned long long)(11 + (i >> 24) % 100), (unsigned long long)((i >> 16) & 255),
                     (unsigned long long)((i >> 8) & 255), (unsigned long long)(i & 255));
        }
        if (idx_builder_add_pattern(b, id, NULL, pat, 0, NULL, &err)) {
            fprintf(stderr, "bench_pcap: %s\n", err.msg);
            exit(2);
        }
    }
    idx *x = NULL;
    if (idx_builder_finish(b, &x, &err)) {
        fprintf(stderr, "bench_pcap: %s\n", err.msg);
        exit(2);
    }
    return x;
}

static int count_obs(const ev_pcap_obs *o, void *ctx)
{
    (void)o;
    ++*(uint64_t *)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    vg_alloc_init();
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200;
    uint64_t nind = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000;
    char path[] = "/tmp/bench_pcap_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 2;
    }
    close(fd);
    double t0 = now_s();
    uint64_t packets = write_capture(path, mb, nind);
    double mbytes = (double)(mb << 20) / 1e6;
    printf("bench pcap capture: %llu packets, %.0f MB written in %.2f s\n", (unsigned long long)packets,
           mbytes, now_s() - t0);

    /* the reader and decoder alone */
    vg_error err = {0};
    uint64_t nobs = 0;
    ev_pcap *p = NULL;
    ev_stream *s = NULL;
    if (ev_pcap_new(count_obs, &nobs, &p, &err) || ev_stream_open(path, 0, &s, &err)) {
        fprintf(stderr, "bench_pcap: %s\n", err.msg);
        return 2;
    }
    double td = now_s(), cd = cpu_s();
    if (ev_pcap_read_stream(p, s, path, &err)) {
        fprintf(stderr, "bench_pcap: %s %s\n", err.where, err.msg);
        return 2;
    }
    td = now_s() - td;
    cd = cpu_s() - cd;
    printf("bench pcap decode: %.0f MB/s, %.2f M packets/s (%llu observations, %llu flows, %.2f s)\n",
           mbytes / td, (double)packets / 1e6 / td, (unsigned long long)nobs,
           (unsigned long long)ev_pcap_get_stats(p)->flows, td);
    printf("bench pcap decode cpu: %.0f MB/s, %.2f M packets/s (%.2f s of CPU)\n", mbytes / cd,
           (double)packets / 1e6 / cd, cd);
    ev_stream_close(s);
    ev_pcap_free(p);

    /* the whole scan */
    idx *x = build(nind);
    scan_opts o = {0};
    o.hash_files = -1;
    scan_summary *sum = NULL;
    const char *paths[] = {path};
    double ts = now_s(), cs = cpu_s();
    if (scan_run(x, paths, 1, &o, &sum, &err)) {
        fprintf(stderr, "bench_pcap: %s\n", err.msg);
        return 2;
    }
    ts = now_s() - ts;
    cs = cpu_s() - cs;
    printf("bench pcap scan %llu indicators: %.0f MB/s, %.2f M packets/s (%llu hits of %zu indicators, %.2f "
           "s)\n",
           (unsigned long long)nind, mbytes / ts, (double)sum->packets / 1e6 / ts,
           (unsigned long long)sum->hits, sum->naggs, ts);
    printf("bench pcap scan cpu %llu indicators: %.0f MB/s, %.2f M packets/s (%.2f s of CPU)\n",
           (unsigned long long)nind, mbytes / cs, (double)sum->packets / 1e6 / cs, cs);
    scan_summary_free(sum);
    idx_free(x);
    unlink(path);
    return 0;
}
