/*
 * test_scan.c - the scan end to end: the `vigil sample` indicators imported
 * into a store, a generated log with planted hits (in URLs, subdomains,
 * JSON lines, defanged, in a .gz) and near-misses (notevil-style prefixes,
 * longer hex runs) finds exactly the planted indicators, with one thread and
 * two alike; sightings are valid STIX and land in the store. Then real
 * indicators: Amnesty Tech's Pegasus bundle, a few of its domains planted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "intel/intel.h"
#include "intel/intel_sample.h"
#include "scan/scan.h"
#include "stix/stix.h"
#include "vg_test.h"

/* The ids found, as a sorted newline-separated list. */
typedef struct found {
    char **ids;
    size_t n;
    char trace[1 << 16]; /* every hit, in order, for the one-vs-two-threads comparison */
    size_t tn;
} found;

static int on_hit(const scan_hit *h, void *p)
{
    found *f = p;
    if (h->candidate)
        return 0;
    int seen = 0;
    for (size_t i = 0; i < f->n; i++)
        seen |= strcmp(f->ids[i], h->id) == 0;
    if (!seen) {
        f->ids = realloc(f->ids, (f->n + 1) * sizeof *f->ids);
        f->ids[f->n++] = strdup(h->id);
    }
    if (f->tn < sizeof f->trace - 200)
        f->tn += (size_t)snprintf(f->trace + f->tn, sizeof f->trace - f->tn, "%s %s %llu %llu %s\n", h->id, h->value,
                                  (unsigned long long)h->line, (unsigned long long)h->offset,
                                  h->field ? h->field : "-");
    return 0;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void found_free(found *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->ids[i]);
    free(f->ids);
}

/* Checks that the found ids are exactly want[0..n). */
static void expect_ids(found *f, char **want, size_t n)
{
    qsort(f->ids, f->n, sizeof *f->ids, cmpstr);
    qsort(want, n, sizeof *want, cmpstr);
    for (size_t i = 0; i < f->n || i < n; i++) {
        if (i >= f->n || i >= n || strcmp(f->ids[i], want[i]) != 0)
            fail_msg("hit %zu: found %s, planted %s", i, i < f->n ? f->ids[i] : "(none)", i < n ? want[i] : "(none)");
    }
}

/* A store with `path` imported. */
static store *store_with(const char *dir, const char *path)
{
    char db[512];
    snprintf(db, sizeof db, "%s/vigil.db", dir);
    store *s = NULL;
    vg_error err = {0};
    assert_int_equal(store_open(db, STORE_CREATE, &s, &err), 0);
    intel_import_opts io = {0};
    intel_import_stats ist = {0};
    if (intel_import_path(s, path, &io, &ist, &err) != 0)
        fail_msg("import %s: %s %s", path, err.where, err.msg);
    return s;
}

/* The simple one-comparison indicators `[type:value = 'v']` of kind `type` that the index holds. */
static size_t pick(const char *bundle, const idx *x, const char *type, size_t max, char **ids, char **vals)
{
    json_t *b = json_load_file(bundle, 0, NULL);
    assert_non_null(b);
    size_t i, n = 0;
    json_t *o;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "[%s:value = '", type);
    json_array_foreach(json_object_get(b, "objects"), i, o) {
        const char *pat = json_string_value(json_object_get(o, "pattern"));
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!pat || n == max)
            continue;
        char norm[512];
        size_t k = 0;
        for (const char *c = pat; *c && k < sizeof norm - 1; c++) /* "[t:value='v']" -> "[t:value = 'v']" */
            if (*c == '=' && c[-1] != ' ')
                k += (size_t)snprintf(norm + k, sizeof norm - k, " = ");
            else
                norm[k++] = *c;
        norm[k] = 0;
        if (strncmp(norm, prefix, strlen(prefix)) != 0 || strchr(norm + strlen(prefix), '\'') !=
                                                             norm + strlen(norm) - 2)
            continue;
        int in = 0;
        for (uint32_t j = 0; j < idx_indicator_count(x) && !in; j++)
            in = strcmp(idx_indicator_id(x, j), id) == 0;
        for (size_t j = 0; j < n && in; j++)
            in = strcmp(ids[j], id) != 0;
        if (!in)
            continue;
        ids[n] = strdup(id);
        vals[n] = strndup(norm + strlen(prefix), strlen(norm) - strlen(prefix) - 2);
        n++;
    }
    json_decref(b);
    return n;
}

/*
 * Appends to ids/vals (n entries, room for max) every other indicator of the
 * index whose one-comparison pattern has one of the planted values: the
 * sample generator can give two indicators the same value (which ones depends
 * on the compiler, as it draws random numbers in function arguments).
 */
static size_t add_same_values(const char *bundle, const idx *x, const char *type, char **ids, char **vals, size_t n,
                              size_t max)
{
    static char *all_ids[4096], *all_vals[4096];
    size_t na = pick(bundle, x, type, 4096, all_ids, all_vals);
    size_t n0 = n;
    for (size_t a = 0; a < na; a++) {
        int same = 0, known = 0;
        for (size_t i = 0; i < n0; i++)
            same |= strcmp(all_vals[a], vals[i]) == 0;
        for (size_t i = 0; i < n; i++)
            known |= strcmp(all_ids[a], ids[i]) == 0;
        if (same && !known && n < max) {
            ids[n] = all_ids[a];
            vals[n] = all_vals[a];
            n++;
        } else {
            free(all_ids[a]);
            free(all_vals[a]);
        }
    }
    return n;
}

static void test_scan_pipeline__sample_planted_hits(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("scan_sample");
    char bundle[512], logp[512], gzp[512];
    snprintf(bundle, sizeof bundle, "%s/sample.json", dir);
    FILE *f = fopen(bundle, "w");
    intel_sample_opts so;
    intel_sample_opts_init(&so);
    so.indicators = 500;
    vg_error err = {0};
    assert_int_equal(intel_sample_write(f, &so, &err), 0);
    fclose(f);
    store *st = store_with(dir, bundle);
    idx *x = NULL;
    vg_time now = vg_time_from_unix(INTEL_SAMPLE_DEFAULT_BASE_TIME, 0, 0);
    assert_int_equal(scan_index_from_store(st, NULL, &now, &x, &err), 0);

    char *ids[64], *vals[64];
    size_t nd = pick(bundle, x, "domain-name", 6, ids, vals);
    size_t ni = pick(bundle, x, "ipv4-addr", 3, ids + nd, vals + nd);
    assert_true(nd >= 4 && ni >= 2);
    size_t n = nd + ni;
    /* the log: noise, planted hits, near-misses */
    snprintf(logp, sizeof logp, "%s/proxy.log", dir);
    f = fopen(logp, "w");
    for (int k = 0; k < 2000; k++) {
        fprintf(f, "2026-02-28T10:%02d:%02d 10.1.%d.%d GET https://www.wikipedia.org/wiki/%d 200 ua=Mozilla/5.0\n",
                k / 60 % 60, k % 60, k / 250, k % 250, k);
        if (k % 97 == 0)
            fprintf(f, "{\"ts\":%d,\"query\":{\"name\":\"cdn%d.wikimedia.org\"},\"answer\":\"100.64.0.%d\"}\n", k, k,
                    k % 250);
    }
    for (size_t i = 0; i < nd; i++) {
        const char *d = vals[i];
        switch (i % 4) {
        case 0: fprintf(f, "GET http://a.b.%s/login?u=1 200\n", d); break;
        case 1: fprintf(f, "{\"ts\":1,\"query\":{\"name\":\"x.%s\"}}\n", d); break;
        case 2: {
            char def[256];
            size_t k = 0;
            for (const char *c = d; *c && k < sizeof def - 4; c++)
                if (*c == '.') {
                    memcpy(def + k, "[.]", 3);
                    k += 3;
                } else
                    def[k++] = *c;
            def[k] = 0;
            fprintf(f, "analyst note: beacon to %s seen\n", def);
            break;
        }
        default: fprintf(f, "dns query %s. A\n", d); break;
        }
        /* near-misses: a longer label, a different TLD */
        fprintf(f, "dns query not%s A and %s.zz-nope and %sx\n", d, d, d);
    }
    fclose(f);
    /* the IP hits go into a .gz in a sub-folder */
    char sub[512];
    snprintf(sub, sizeof sub, "%s/fw", dir);
    vg_test_sh("mkdir -p '%s'", sub);
    snprintf(gzp, sizeof gzp, "%s/fw/fw.log.gz", dir);
    gzFile gz = gzopen(gzp, "wb");
    for (size_t i = nd; i < n; i++)
        gzprintf(gz, "DROP src=%s dst=10.0.0.1 dport=443\nDROP src=%s1 dst=10.0.0.2\n", vals[i], vals[i]);
    gzclose(gz);
    n = add_same_values(bundle, x, "domain-name", ids, vals, n, 64);
    n = add_same_values(bundle, x, "ipv4-addr", ids, vals, n, 64);

    /* one thread and two threads, small chunks so that both threads work; lookups prepared ahead or not */
    found f1 = {0}, f2 = {0}, f3 = {0};
    const char *paths[] = {logp, sub};
    for (int run = 1; run <= 3; run++) {
        int th = run == 1 ? 1 : 2;
        scan_opts o = {0};
        o.threads = th;
        o.chunk = 65536;
        o.on_hit = on_hit;
        o.prefetch = run == 1 ? -1 : run == 3 ? 1 : 0;
        o.ctx = run == 1 ? &f1 : run == 2 ? &f2 : &f3;
        scan_summary *sum = NULL;
        if (scan_run(x, paths, 2, &o, &sum, &err) != 0)
            fail_msg("scan: %s %s", err.where, err.msg);
        assert_int_equal(sum->files, 2);
        if (run == 2) {
            char **sids = NULL;
            size_t ns = 0;
            sum->org = "identity--5d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a";
            assert_int_equal(scan_record(st, x, sum, &sids, &ns, &err), 0);
            assert_int_equal(ns, n);
            /* each sighting is valid STIX, points at its indicator and its organisation, and comes with a
               valid observed-data of its first value whose observables it names */
            for (size_t i = 0; i < sum->naggs; i++) {
                json_t *objv[SCAN_SIGHTING_OBJECTS];
                size_t nobj = 0;
                assert_int_equal(scan_sighting_json(x, sum, &sum->aggs[i], objv, &nobj, &err), 0);
                assert_true(nobj >= 3); /* domains and addresses: sighting, observed-data, one SCO */
                for (size_t j = 0; j < nobj; j++) {
                    stix_issues is = {0};
                    int bad = stix_validate(objv[j], 0, &is);
                    if (bad || is.errors)
                        fail_msg("%s invalid: %s %s", json_string_value(json_object_get(objv[j], "type")),
                                 is.n ? is.v[0].path : "", is.n ? is.v[0].msg : "");
                    stix_issues_free(&is);
                }
                json_t *js = objv[0], *od = objv[1], *sco = objv[2];
                assert_non_null(json_object_get(json_object_get(js, "x_vigil_evidence"), "first"));
                assert_string_equal(json_string_value(json_array_get(json_object_get(js, "where_sighted_refs"), 0)),
                                    sum->org);
                assert_string_equal(json_string_value(json_array_get(json_object_get(js, "observed_data_refs"), 0)),
                                    json_string_value(json_object_get(od, "id")));
                assert_string_equal(json_string_value(json_array_get(json_object_get(od, "object_refs"), 0)),
                                    json_string_value(json_object_get(sco, "id")));
                assert_int_equal(json_integer_value(json_object_get(od, "number_observed")),
                                 json_integer_value(json_object_get(js, "count")));
                /* the observable holds the value first seen, with the STIX deterministic id */
                assert_string_equal(json_string_value(json_object_get(sco, "value")), sum->aggs[i].first_value);
                const char *t = json_string_value(json_object_get(sco, "type"));
                if (strcmp(t, "domain-name") && strcmp(t, "ipv4-addr") && strcmp(t, "url"))
                    fail_msg("observable of type %s for %s", t, sum->aggs[i].first_value);
                for (size_t j = 0; j < nobj; j++)
                    json_decref(objv[j]);
            }
            for (size_t i = 0; i < ns; i++)
                vg_free(sids[i]);
            vg_free(sids);
        }
        scan_summary_free(sum);
    }
    assert_string_equal(f1.trace, f2.trace);
    assert_string_equal(f1.trace, f3.trace);
    assert_non_null(strstr(f1.trace, "$.query.name"));
    expect_ids(&f2, ids, n);
    /* the sightings are in the store */
    static const char *const types[] = {"sighting"};
    store_query q = {0};
    q.types = types;
    q.ntypes = 1;
    store_iter *it = NULL;
    assert_int_equal(store_query_open(st, &q, &it, &err), 0);
    store_row row;
    size_t rows = 0;
    while (store_iter_next(it, &row, &err) == 1)
        rows += strstr(row.json, "x_vigil_evidence") != NULL;
    store_iter_free(it);
    assert_true(rows >= n);
    for (size_t i = 0; i < n; i++) {
        free(ids[i]);
        free(vals[i]);
    }
    found_free(&f1);
    found_free(&f2);
    found_free(&f3);
    idx_free(x);
    store_close(st);
}

/* An observable's id is the STIX 2.1 deterministic one: UUIDv5 in the STIX namespace over the canonical JSON of
   its id-contributing properties. The expected ids were computed independently (Python uuid.uuid5 over
   '{"value":"example.com"}' and '{"hashes":{"SHA-256":"<64 x a>"}}'). */
static void test_scan_sighting__observable_ids(void **state)
{
    (void)state;
    vg_error err = {0};
    idx_builder *b = NULL;
    idx *x = NULL;
    assert_int_equal(idx_builder_new(&b, &err), 0);
    uint32_t ind = 0;
    assert_int_equal(idx_builder_add_id(b, "indicator--11111111-1111-4111-8111-111111111111", "t",
                                        "[domain-name:value = 'example.com']", &ind, &err), 0);
    assert_int_equal(idx_builder_finish(b, &x, &err), 0);
    scan_summary sum = {0};
    scan_agg a = {0};
    a.count = 2;
    a.files = 1;
    a.first_file = a.last_file = "f";
    static const struct { int kind; const char *value, *type, *id; size_t nobj; } cases[] = {
        {IDX_K_DOMAIN, "example.com", "domain-name", "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7", 3},
        {IDX_K_HASH, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "file",
         "file--75cb38d5-2055-5354-b75a-8299a2d670b5", 3},
        {IDX_K_FILE_PATH, "/var/db/x.plist", "directory", NULL, 4},
        {IDX_K_PROCESS, "bh", "file", NULL, 4},
        {IDX_K_WALLET, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", NULL, NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a.first_kind = cases[i].kind;
        a.first_value = a.last_value = (char *)cases[i].value;
        json_t *objv[SCAN_SIGHTING_OBJECTS];
        size_t nobj = 0;
        assert_int_equal(scan_sighting_json(x, &sum, &a, objv, &nobj, &err), 0);
        assert_int_equal(nobj, cases[i].nobj);
        assert_null(json_object_get(objv[0], "where_sighted_refs")); /* no organisation given */
        if (cases[i].type)
            assert_string_equal(json_string_value(json_object_get(objv[2], "type")), cases[i].type);
        if (cases[i].id)
            assert_string_equal(json_string_value(json_object_get(objv[2], "id")), cases[i].id);
        for (size_t j = 0; j < nobj; j++) {
            stix_issues is = {0};
            int bad = stix_validate(objv[j], 0, &is);
            if (bad || is.errors)
                fail_msg("case %zu: %s invalid: %s %s", i, json_string_value(json_object_get(objv[j], "type")),
                         is.n ? is.v[0].path : "", is.n ? is.v[0].msg : "");
            stix_issues_free(&is);
            json_decref(objv[j]);
        }
    }
    idx_free(x);
}

static void test_scan_pipeline__pegasus_domains(void **state)
{
    (void)state;
    const char *shared = vg_test_shared();
    char bundle[1024], logp[512];
    snprintf(bundle, sizeof bundle, "%s/data/iocs/AmnestyTech-investigations/2021-07-18_nso/pegasus.stix2", shared);
    const char *dir = vg_test_tmpdir("scan_pegasus");
    store *st = store_with(dir, bundle);
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(scan_index_from_store(st, NULL, NULL, &x, &err), 0);
    assert_true(idx_indicator_count(x) > 1000);
    char *ids[16], *vals[16];
    size_t n = pick(bundle, x, "domain-name", 5, ids, vals);
    assert_int_equal(n, 5);
    snprintf(logp, sizeof logp, "%s/dns.log", dir);
    FILE *f = fopen(logp, "w");
    for (int k = 0; k < 500; k++)
        fprintf(f, "query[A] www.example%d.com from 192.168.1.%d\n", k, k % 200);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "query[A] sub.%s from 192.168.1.9\nquery[A] not%s from 192.168.1.9\n", vals[i], vals[i]);
    fclose(f);
    found fd = {0};
    scan_opts o = {0};
    o.on_hit = on_hit;
    o.ctx = &fd;
    scan_summary *sum = NULL;
    assert_int_equal(scan_run(x, (const char *const[]){logp}, 1, &o, &sum, &err), 0);
    expect_ids(&fd, ids, n);
    assert_int_equal(sum->hits, n);
    scan_summary_free(sum);
    for (size_t i = 0; i < n; i++) {
        free(ids[i]);
        free(vals[i]);
    }
    found_free(&fd);
    idx_free(x);
    store_close(st);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_pipeline__sample_planted_hits),
        cmocka_unit_test(test_scan_pipeline__pegasus_domains),
        cmocka_unit_test(test_scan_sighting__observable_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
