/*
 * bench_taxii.c - the TAXII server's throughput: requests per second (and
 * p50/p99 latency) for GET objects with limit=100 over a collection of a few
 * thousand objects, for discovery, and objects stored per second by POST of
 * a large envelope. Server and clients run in this process on 127.0.0.1;
 * clients are libcurl easy handles (keep-alive) in their own threads, so on a
 * 2-core machine they compete with the server for the CPU.
 *
 * Environment: VIGIL_BENCH_TAXII_OBJECTS (default 5000), VIGIL_BENCH_SECONDS
 * (default 3 per figure), VIGIL_BENCH_CLIENTS (default 4), VIGIL_BENCH_LIMIT (default 100),
 * VIGIL_BENCH_ENVELOPES (default 3), VIGIL_BENCH_LOG (1: the server's log on
 * stderr, with the phases of each POST), VIGIL_BENCH_RANDOM_IDS (1: ids in no
 * order, as real UUIDs, instead of ascending ones). The wrk figures on 100,000 objects are
 * bench/taxii_wrk.sh's.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "core/vg_log.h"
#include "taxii/taxii.h"
#include "bench.h"

static char token[TAXII_TOKEN_LEN + 1];
static char url[512];
static double seconds = 3;

static size_t sink(char *p, size_t s, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return s * n;
}

typedef struct worker {
    pthread_t t;       /* thread */
    long requests;     /* completed with 200 */
    long errors;       /* anything else */
    double *lat;       /* latencies, seconds */
    size_t nlat, cap;  /* how many, allocated */
} worker;

static void *run(void *p)
{
    worker *w = p;
    CURL *c = curl_easy_init();
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    double end = now_s() + seconds;
    while (now_s() < end) {
        double t0 = now_s();
        long status = 0;
        if (curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
            status == 200)
            w->requests++;
        else
            w->errors++;
        if (w->nlat == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->nlat++] = now_s() - t0;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void load(const char *what, int clients)
{
    worker *w = calloc((size_t)clients, sizeof *w);
    double t0 = now_s();
    for (int i = 0; i < clients; i++)
        pthread_create(&w[i].t, NULL, run, &w[i]);
    long req = 0, err = 0;
    size_t nlat = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(w[i].t, NULL);
        req += w[i].requests;
        err += w[i].errors;
        nlat += w[i].nlat;
    }
    double el = now_s() - t0;
    double *all = malloc((nlat ? nlat : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + k, w[i].lat, w[i].nlat * sizeof *all);
        k += w[i].nlat;
        free(w[i].lat);
    }
    qsort(all, nlat, sizeof *all, cmp);
    printf("bench taxii %s: %.0f requests/s (%d clients, %ld errors, p50 %.2f ms, p99 %.2f ms)\n", what, req / el,
           clients, err, nlat ? all[nlat / 2] * 1e3 : 0, nlat ? all[nlat * 99 / 100] * 1e3 : 0);
    free(all);
    free(w);
}

/* VIGIL_BENCH_LOG=1: the server's log lines (a large POST's phases) on stderr. */
static void log_line(int level, const char *msg, void *ctx)
{
    (void)level;
    (void)ctx;
    fprintf(stderr, "%s\n", msg);
}

/* VIGIL_BENCH_RANDOM_IDS=1: ids that do not follow each other (as real UUIDs), so the id index is written all over. */
static int random_ids;

static void indicator(vg_buf *b, int n)
{
    vg_buf_printf(b,
                  "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%08x-0000-4000-8000-%012x\","
                  "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
                  "\"name\":\"bench indicator %d\",\"indicator_types\":[\"malicious-activity\"],"
                  "\"pattern\":\"[ipv4-addr:value = '10.%d.%d.%d']\",\"pattern_type\":\"stix\","
                  "\"valid_from\":\"2024-01-01T00:00:00Z\"}",
                  random_ids ? (unsigned)n * 2654435761u : (unsigned)n, (unsigned)n, n, (n >> 16) & 255, (n >> 8) & 255,
                  n & 255);
}

int main(void)
{
    vg_alloc_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *e = getenv("VIGIL_BENCH_LOG");
    int verbose = e && e[0] == '1';
    if (verbose)
        vg_log_set(log_line, NULL, VG_LOG_INFO);
    e = getenv("VIGIL_BENCH_RANDOM_IDS");
    random_ids = e && e[0] == '1';
    e = getenv("VIGIL_BENCH_TAXII_OBJECTS");
    int nobj = e ? (int)strtol(e, NULL, 10) : 5000;
    e = getenv("VIGIL_BENCH_SECONDS");
    if (e)
        seconds = strtod(e, NULL);
    e = getenv("VIGIL_BENCH_CLIENTS");
    int clients = e ? (int)strtol(e, NULL, 10) : 4;
    char dir[] = "/tmp/vigil-bench-taxii.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[600];
    snprintf(path, sizeof path, "%s/taxii.db", dir);
    store *s;
    vg_error err = {0};
    char id[TAXII_TOKEN_ID_LEN + 1], hash[65];
    store_share sh = {0};
    snprintf(sh.name, sizeof sh.name, "bench");
    snprintf(sh.default_tlp, sizeof sh.default_tlp, "green");
    int rc = store_open(path, STORE_CREATE, &s, &err);
    rc = rc ? rc : store_account_add(s, "bench", "identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "", &err);
    rc = rc ? rc : taxii_token_new(token, id, hash, &err);
    rc = rc ? rc : store_token_add(s, "bench", id, hash, "", &err);
    rc = rc ? rc : store_share_set(s, &sh, 1, &err);
    rc = rc ? rc : store_right_set(s, "bench", "bench", STORE_RIGHT_READ | STORE_RIGHT_WRITE, &err);
    rc = rc ? rc : store_begin(s, &err);
    vg_buf b;
    vg_buf_init(&b, 0);
    for (int i = 0; !rc && i < nobj; i++) {
        vg_buf_reset(&b);
        indicator(&b, i);
        char oid[80];
        snprintf(oid, sizeof oid, "indicator--%08x-0000-4000-8000-%012x",
                 random_ids ? (unsigned)i * 2654435761u : (unsigned)i, (unsigned)i);
        store_object o = {.id = oid, .type = "indicator", .spec_version = "2.1", .json = b.data, .json_len = b.len};
        o.has_version = 1;
        vg_time_parse("2024-01-01T00:00:00.000Z", 24, VG_TIME_STIX, &o.version, NULL);
        int ins;
        rc = store_put(s, "bench", &o, &ins, &err);
    }
    rc = rc ? rc : store_commit(s, &err);
    store_close(s);
    taxii_config cfg;
    taxii_config_defaults(&cfg);
    snprintf(cfg.store, sizeof cfg.store, "%s", path);
    cfg.port = 0;
    cfg.max_objects = 20000;
    cfg.max_body = 256u << 20;
    taxii_server *srv = NULL;
    rc = rc ? rc : taxii_server_start(&cfg, &srv, &err);
    if (rc) {
        fprintf(stderr, "bench_taxii: %s\n", err.msg);
        return 1;
    }
    int port = taxii_server_port(srv);
    e = getenv("VIGIL_BENCH_LIMIT");
    int limit = e ? (int)strtol(e, NULL, 10) : 100;
    char what[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/collections/%s/objects/?limit=%d", port, sh.id, limit);
    snprintf(what, sizeof what, "GET objects limit=%d of %d", limit, nobj);
    load(what, clients);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/taxii2/", port);
    load("GET discovery", clients);

    /* POST: envelopes of 10,000 new objects each; wall time and this process's CPU time (mostly the server's). */
    CURL *c = curl_easy_init();
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/collections/%s/objects/", port, sh.id);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    e = getenv("VIGIL_BENCH_ENVELOPES");
    int envelopes = e ? (int)strtol(e, NULL, 10) : 3;
    double wall = 0, cpu = 0;
    long status = 0;
    size_t bytes = 0;
    for (int k = 0; k < envelopes; k++) {
        vg_buf_reset(&b);
        vg_buf_puts(&b, "{\"objects\":[");
        for (int i = 0; i < 10000; i++) {
            if (i)
                vg_buf_putc(&b, ',');
            indicator(&b, 1000000 + k * 10000 + i);
        }
        vg_buf_puts(&b, "]}");
        bytes = b.len;
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, b.data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)b.len);
        double t0 = now_s(), c0 = process_cpu_s();
        curl_easy_perform(c);
        wall += now_s() - t0;
        cpu += process_cpu_s() - c0;
        if (verbose) {
            curl_off_t first = 0, total = 0;
            curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &first);
            curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);
            fprintf(stderr, "bench taxii POST %d: %.0f ms (answer began at %.0f ms, ended at %.0f ms), %.0f ms of CPU\n",
                    k, (now_s() - t0) * 1e3, first / 1e3, total / 1e3, (process_cpu_s() - c0) * 1e3);
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    printf("bench taxii POST %d envelopes of 10000 objects: %.0f objects/s stored (HTTP %ld, %.2f s, %.1f MB each), "
           "%.0f objects per CPU second\n",
           envelopes, envelopes * 10000 / wall, status, wall / envelopes, bytes / 1e6, envelopes * 10000 / cpu);
    taxii_server_stats st;
    taxii_server_stats_get(srv, &st);
    printf("bench taxii server counters: %llu requests, %llu pages from the cache, %llu built, %llu credentials from "
           "the cache\n",
           (unsigned long long)st.requests, (unsigned long long)st.page_hits, (unsigned long long)st.page_misses,
           (unsigned long long)st.auth_hits);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    vg_buf_free(&b);
    taxii_server_stop(srv, 1000);
    curl_global_cleanup();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
