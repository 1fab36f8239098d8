/*
 * bench_scan.c - the scanner's speed: index build time and memory for
 * 10,000 / 100,000 / 1,000,000 generated indicators (domains, IPv4, SHA-256),
 * save and load of the index, and GB/s scanning ~200 MB of mixed proxy, DNS
 * and JSON log text held in memory (with planted hits and near-misses).
 *
 * Usage: bench_scan [MB [INDICATORS]]   (default 200 MB; 10,000, 100,000 and 1,000,000
 * indicators, or only the count given: handy under perf)
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

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of the calling thread: steadier than the wall clock on a busy machine. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const words[] = {"cdn", "api", "mail", "login", "static", "img", "auth", "update",
                                    "portal", "secure", "news", "shop", "cloud", "data", "app", "web"};
static const char *const tlds[] = {"com", "net", "org", "io", "ru", "de", "info", "biz"};

/* The i-th generated indicator domain (deterministic). */
static void ind_domain(uint64_t i, char *out, size_t cap)
{
    snprintf(out, cap, "%s%llx-%s.%s", words[i % 16], (unsigned long long)(i * 2654435761u % 1000003),
             words[(i / 16) % 16], tlds[i % 8]);
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            v = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static idx *build(uint64_t n, double *secs)
{
    idx_builder *b = NULL;
    vg_error err = {0};
    idx_builder_new(&b, &err);
    double t0 = now_s();
    char id[64], pat[256], v[128];
    for (unsigned long long i = 0; i < n; i++) {
        snprintf(id, sizeof id, "indicator--%08llx-0000-4000-8000-000000000000", (unsigned long long)i);
        switch (i % 3) {
        case 0:
            ind_domain(i, v, sizeof v);
            snprintf(pat, sizeof pat, "[domain-name:value = '%s']", v);
            break;
        case 1:
            snprintf(pat, sizeof pat, "[ipv4-addr:value = '%llu.%llu.%llu.%llu']", 11 + (i >> 24) % 100,
                     (i >> 16) & 255, (i >> 8) & 255, i & 255);
            break;
        default:
            snprintf(pat, sizeof pat, "[file:hashes.'SHA-256' = '%016llx%016llx%016llx%016llx']",
                     (unsigned long long)(i * 0x9E3779B97F4A7C15ull), (unsigned long long)(i + 1),
                     (unsigned long long)(i * 31), (unsigned long long)(i ^ 0xdeadbeef));
        }
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

int main(int argc, char **argv)
{
    vg_alloc_init();
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
