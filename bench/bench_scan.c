/*
 * bench_scan.c - the scanner's speed: index build time and memory for
 * 10,000 / 100,000 / 1,000,000 generated indicators (domains, IPv4, SHA-256),
 * save and load of the index, and GB/s scanning ~200 MB of mixed proxy, DNS
 * and JSON log text held in memory (with planted hits and near-misses).
 *
 * Usage: bench_scan [MB [INDICATORS]]   (default 200 MB; 10,000, 100,000 and 1,000,000
 * indicators, or only the count given: handy under perf)
 *        bench_scan --corpus DIR MB      writes the files of bench/scan_vs_grep.sh: corpus.log
 *                                        (planted hits and near-misses), planted.txt, and for
 *                                        10,000 / 100,000 / 1,000,000 indicators ind-N.json + ind-N.txt
 * Prints "bench scan <what>: <figure> <unit>" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "scan/scan.h"
#include "bench.h"

static const char *const words[] = {"cdn", "api", "mail", "login", "static", "img", "auth", "update",
                                    "portal", "secure", "news", "shop", "cloud", "data", "app", "web"};
static const char *const tlds[] = {"com", "net", "org", "io", "ru", "de", "info", "biz"};

/* The i-th generated indicator domain (deterministic). */
static void ind_domain(uint64_t i, char *out, size_t cap)
{
    snprintf(out, cap, "%s%llx-%s.%s", words[i % 16], (unsigned long long)(i * 2654435761u % 1000003),
             words[(i / 16) % 16], tlds[i % 8]);
}

/* The i-th generated indicator: its value (domain, IPv4 or SHA-256, by i % 3) and its pattern. */
static void ind_value(uint64_t i, char *v, size_t cap)
{
    unsigned long long u = i;
    switch (i % 3) {
    case 0: ind_domain(i, v, cap); break;
    case 1: snprintf(v, cap, "%llu.%llu.%llu.%llu", 11 + (u >> 24) % 100, (u >> 16) & 255, (u >> 8) & 255, u & 255); break;
    default:
        snprintf(v, cap, "%016llx%016llx%016llx%016llx", (unsigned long long)(u * 0x9E3779B97F4A7C15ull), u + 1, u * 31,
                 u ^ 0xdeadbeef);
    }
}

static void ind_pattern(uint64_t i, char *pat, size_t cap)
{
    char v[128];
    ind_value(i, v, sizeof v);
    static const char *const lhs[] = {"domain-name:value", "ipv4-addr:value", "file:hashes.'SHA-256'"};
    snprintf(pat, cap, "[%s = '%s']", lhs[i % 3], v);
}

static idx *build(uint64_t n, double *secs)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    idx_builder_new(&b, &err);
    double t0 = now_s();
    char id[64], pat[256];
    for (unsigned long long i = 0; i < n; i++) {
        snprintf(id, sizeof id, "indicator--%08llx-0000-4000-8000-000000000000", (unsigned long long)i);
        ind_pattern(i, pat, sizeof pat);
        if (idx_builder_add_pattern(b, id, NULL, pat, 0, NULL, &err)) {
            fprintf(stderr, "bench_scan: %s\n", err.msg);
            exit(2);
        }
    }
    idx *x = NULL;
    if (idx_builder_finish(b, &x, &err)) {
        fprintf(stderr, "bench_scan: %s\n", err.msg);
        exit(2);
    }
    *secs = now_s() - t0;
    return x;
}

/* ~mb MB of mixed logs; every 5,000th line has a planted hit of an indicator < nind. */
static char *corpus(size_t mb, uint64_t nind, size_t *len)
{
    size_t cap = mb << 20, o = 0;
    char *c = malloc(cap + 1024);
    char d[128];
    uint64_t line = 0;
    while (o < cap) {
        unsigned long long r = next();
        line++;
        if (line % 5000 == 0) {
            ind_domain((r % (nind / 3 + 1)) * 3, d, sizeof d);
            o += (size_t)snprintf(c + o, 1024, "2026-02-28T10:00:00Z 10.2.3.4 GET http://x.%s/a 200\n", d);
            o += (size_t)snprintf(c + o, 1024, "2026-02-28T10:00:00Z 10.2.3.4 dns not%s A\n", d);
            continue;
        }
        switch (r % 3) {
        case 0:
            o += (size_t)snprintf(c + o, 1024,
                                  "2026-02-28T10:%02llu:%02llu.123Z 10.%llu.%llu.%llu TCP_MISS/200 %llu GET "
                                  "https://%s.%s-site%llu.%s/path/%llu/index.html?id=%llu - "
                                  "HIER_DIRECT/172.16.%llu.%llu text/html \"Mozilla/5.0 (X11; Linux x86_64)\"\n",
                                  r % 60, (r >> 8) % 60, (r >> 16) % 256, (r >> 24) % 256, (r >> 32) % 256,
                                  (r >> 40) % 90000, words[(r >> 4) % 16], words[(r >> 9) % 16],
                                  (unsigned long long)((r >> 20) % 5000), tlds[(r >> 13) % 8],
                                  (unsigned long long)((r >> 30) % 1000), (unsigned long long)(r % 100000),
                                  (r >> 44) % 256, (r >> 52) % 256);
            break;
        case 1:
            o += (size_t)snprintf(c + o, 1024,
                                  "Feb 28 10:%02llu:%02llu resolver dnsmasq[812]: query[A] %s%llu.%s.%s from "
                                  "192.168.%llu.%llu\n",
                                  r % 60, (r >> 8) % 60, words[(r >> 4) % 16], (unsigned long long)((r >> 20) % 900),
                                  words[(r >> 9) % 16], tlds[(r >> 13) % 8], (r >> 24) % 256, (r >> 32) % 256);
            break;
        default:
            o += (size_t)snprintf(c + o, 1024,
                                  "{\"ts\":\"2026-02-28T10:00:%02lluZ\",\"src_ip\":\"10.9.%llu.%llu\",\"query\":"
                                  "{\"name\":\"%s.%s%llu.%s\",\"type\":\"AAAA\"},\"answers\":[\"2001:db8::%llx\"],"
                                  "\"sha256\":\"%016llx%016llx%016llx%016llx\"}\n",
                                  r % 60, (r >> 8) % 256, (r >> 16) % 256, words[(r >> 4) % 16],
                                  words[(r >> 9) % 16], (unsigned long long)((r >> 20) % 900), tlds[(r >> 13) % 8],
                                  (unsigned long long)(r & 0xffff), (unsigned long long)r,
                                  (unsigned long long)(r >> 3), (unsigned long long)(r * 7),
                                  (unsigned long long)(r ^ 0x1234));
        }
    }
    *len = o;
    return c;
}

/* ---- --corpus: files for the end-to-end comparison with grep (bench/scan_vs_grep.sh) ---- */

static FILE *open_out(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(2);
    }
    return f;
}

/* ind-N.json (a STIX bundle) and ind-N.txt (the values, one a line, for grep -F -f) for the first n indicators. */
static void write_indicators(const char *dir, uint64_t n)
{
    char name[64], pat[256], v[128];
    snprintf(name, sizeof name, "ind-%llu.json", (unsigned long long)n);
    FILE *j = open_out(dir, name);
    snprintf(name, sizeof name, "ind-%llu.txt", (unsigned long long)n);
    FILE *t = open_out(dir, name);
    fputs("{\"type\":\"bundle\",\"id\":\"bundle--5b7c0a9e-1d2f-4e3a-8b4c-6d7e8f9a0b1c\",\"objects\":[\n", j);
    for (unsigned long long i = 0; i < n; i++) {
        ind_pattern(i, pat, sizeof pat);
        ind_value(i, v, sizeof v);
        fprintf(j,
                "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%08llx-0000-4000-8000-"
                "000000000000\",\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
                "\"pattern\":\"%s\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"}\n",
                i ? "," : "", i, pat);
        fprintf(t, "%s\n", v);
    }
    fputs("]}\n", j);
    if (fclose(j) || fclose(t)) {
        perror("bench_scan: writing indicators");
        exit(2);
    }
}

/*
 * corpus.log: mb MB of mixed proxy, dnsmasq and JSON DNS lines. Every 5,000th
 * line plants a hit of one of the first 10,000 indicators (so every set has
 * it): a subdomain of an indicator domain in a URL, an indicator address in a
 * firewall line, an indicator hash in a JSON line. The next line holds
 * near-misses that must not hit: "not<domain>", and the hash inside a longer
 * hex run. planted.txt lists the line numbers of the planted hits.
 */
static void write_corpus(const char *dir, size_t mb)
{
    FILE *c = open_out(dir, "corpus.log");
    FILE *pl = open_out(dir, "planted.txt");
    size_t cap = mb << 20, o = 0;
    char buf[1024], v[128];
    unsigned long long line = 0;
    while (o < cap) {
        unsigned long long r = next();
        line++;
        int k;
        if (line % 5000 == 0) {
            uint64_t ind = r % 10000;
            ind_value(ind, v, sizeof v);
            switch (ind % 3) {
            case 0: k = snprintf(buf, sizeof buf, "2026-02-28T10:00:00Z 10.2.3.4 GET http://x.%s/a 200\n", v); break;
            case 1: k = snprintf(buf, sizeof buf, "Feb 28 10:00:00 fw kernel: DROP SRC=%s DST=10.0.0.1\n", v); break;
            default: k = snprintf(buf, sizeof buf, "{\"ts\":\"2026-02-28T10:00:00Z\",\"sha256\":\"%s\"}\n", v);
            }
            fprintf(pl, "%llu\n", line);
            o += fwrite(buf, 1, (size_t)k, c);
            line++;
            ind_value(ind - ind % 3, v, sizeof v); /* a domain near-miss */
            char h[128];
            ind_value(ind - ind % 3 + 2, h, sizeof h); /* a hash inside a longer hex run */
            k = snprintf(buf, sizeof buf, "2026-02-28T10:00:00Z 10.2.3.4 dns not%s A sum=%sa\n", v, h);
            o += fwrite(buf, 1, (size_t)k, c);
            continue;
        }
        switch (r % 3) {
        case 0:
            k = snprintf(buf, sizeof buf,
                         "2026-02-28T10:%02llu:%02llu.123Z 10.%llu.%llu.%llu TCP_MISS/200 %llu GET "
                         "https://%s.%s-site%llu.%s/path/%llu/index.html?id=%llu - "
                         "HIER_DIRECT/172.16.%llu.%llu text/html \"Mozilla/5.0 (X11; Linux x86_64)\"\n",
                         r % 60, (r >> 8) % 60, (r >> 16) % 256, (r >> 24) % 256, (r >> 32) % 256, (r >> 40) % 90000,
                         words[(r >> 4) % 16], words[(r >> 9) % 16], (r >> 20) % 5000, tlds[(r >> 13) % 8],
                         (r >> 30) % 1000, r % 100000, (r >> 44) % 256, (r >> 52) % 256);
            break;
        case 1:
            k = snprintf(buf, sizeof buf,
                         "Feb 28 10:%02llu:%02llu resolver dnsmasq[812]: query[A] %s%llu.%s.%s from 192.168.%llu.%llu\n",
                         r % 60, (r >> 8) % 60, words[(r >> 4) % 16], (r >> 20) % 900, words[(r >> 9) % 16],
                         tlds[(r >> 13) % 8], (r >> 24) % 256, (r >> 32) % 256);
            break;
        default:
            k = snprintf(buf, sizeof buf,
                         "{\"ts\":\"2026-02-28T10:00:%02lluZ\",\"src_ip\":\"10.9.%llu.%llu\",\"query\":"
                         "{\"name\":\"%s.%s%llu.%s\",\"type\":\"AAAA\"},\"answers\":[\"2001:db8::%llx\"],"
                         "\"sha256\":\"%016llx%016llx%016llx%016llx\"}\n",
                         r % 60, (r >> 8) % 256, (r >> 16) % 256, words[(r >> 4) % 16], words[(r >> 9) % 16],
                         (r >> 20) % 900, tlds[(r >> 13) % 8], r & 0xffff, r, r >> 3, r * 7, r ^ 0x1234);
        }
        o += fwrite(buf, 1, (size_t)k, c);
    }
    if (fclose(c) || fclose(pl)) {
        perror("bench_scan: writing the corpus");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    vg_alloc_init();
    if (argc > 1 && strcmp(argv[1], "--corpus") == 0) {
        if (argc != 4) {
            fprintf(stderr, "usage: bench_scan --corpus DIR MB\n");
            return 2;
        }
        double t0 = now_s();
        write_corpus(argv[2], (size_t)strtoul(argv[3], NULL, 10));
        write_indicators(argv[2], 10000);
        write_indicators(argv[2], 100000);
        write_indicators(argv[2], 1000000);
        printf("bench scan corpus: %s MB and indicator sets written to %s in %.1f s\n", argv[3], argv[2],
               now_s() - t0);
        return 0;
    }
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200;
    size_t len = 0;
    double t0 = now_s();
    char *text = corpus(mb, 1000000, &len);
    printf("bench scan corpus: %.0f MB generated in %.2f s\n", (double)len / 1e6, now_s() - t0);
    uint64_t sizes[] = {10000, 100000, 1000000};
    size_t nsizes = 3;
    if (argc > 2) {
        sizes[0] = strtoull(argv[2], NULL, 10);
        nsizes = 1;
    }
    for (size_t k = 0; k < nsizes; k++) {
        long rss0 = rss_kb();
        double tb;
        idx *x = build(sizes[k], &tb);
        long rss1 = rss_kb();
        const idx_stats *st = idx_get_stats(x);
        printf("bench scan index build %llu indicators: %.3f s\n", (unsigned long long)sizes[k], tb);
        printf("bench scan index memory %llu indicators: %.1f MB (RSS +%.1f MB)\n", (unsigned long long)sizes[k],
               (double)st->bytes / 1e6, (double)(rss1 - rss0) / 1024.0);
        char path[] = "/tmp/bench_scan_XXXXXX";
        int fd = mkstemp(path);
        if (fd >= 0)
            close(fd);
        vg_error err = {0};
        if (idx_save(x, path, &err) == 0) {
            idx *y = NULL;
            double tl = now_s();
            if (idx_load(path, &y, &err) == 0) {
                printf("bench scan index load %llu indicators: %.1f ms\n", (unsigned long long)sizes[k],
                       (now_s() - tl) * 1e3);
                idx_free(y);
            }
        }
        unlink(path);
        for (int th = 1; th <= 2; th++) {
            scan_opts o = {0};
            o.threads = th;
            scan_summary sum = {0};
            double ts = now_s(), tc = cpu_s();
            if (scan_buffer(x, "corpus", text, len, &o, &sum, &err) != 0) {
                fprintf(stderr, "bench_scan: %s\n", err.msg);
                return 2;
            }
            double dt = now_s() - ts, dc = cpu_s() - tc;
            printf("bench scan throughput %llu indicators %d thread%s: %.2f GB/s (%.0f MB in %.3f s, %llu hits)\n",
                   (unsigned long long)sizes[k], th, th > 1 ? "s" : "", (double)len / 1e9 / dt, (double)len / 1e6,
                   dt, (unsigned long long)sum.hits);
            if (th == 1) /* one thread: all the work is this thread's, so its CPU time is the cost */
                printf("bench scan cpu-throughput %llu indicators 1 thread: %.2f GB/s (%.3f s of CPU)\n",
                       (unsigned long long)sizes[k], (double)len / 1e9 / dc, dc);
            for (size_t i = 0; i < sum.naggs; i++) {
                vg_free(sum.aggs[i].first_file);
                vg_free(sum.aggs[i].first_value);
                vg_free(sum.aggs[i].first_field);
                vg_free(sum.aggs[i].last_file);
                vg_free(sum.aggs[i].last_value);
            }
            vg_free(sum.aggs);
        }
        idx_free(x);
    }
    free(text);
    return 0;
}
