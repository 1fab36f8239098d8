/*
 * test_realdata.c - the real intelligence in ../shared/data: every IOC bundle
 * and the four ATT&CK bundles import completely, counts by type match the
 * files, and export gives back objects equal to the input (2.0 input compared
 * after its upgrade to 2.1).
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

#include "core/vg_alloc.h"
#include "intel/intel.h"
#include "vg_test.h"

static const char *shared;
static long duplicate_indicators; /* indicator versions found in more than one input file */

static const char *const attack[] = {
    "data/attack/enterprise-attack-18.1.stix20.json.gz",
    "data/attack/mobile-attack-18.1.stix20.json.gz",
    "data/attack/mobile-attack-17.1.json",
    "data/attack/ics-attack-18.1.json",
};

/* Expected objects per file: the ATT&CK counts from the data's README, the rest from INDEX.tsv. */
static void on_invalid(const intel_invalid *bad, void *ctx)
{
    (void)ctx;
    char buf[2048];
    if (bad->err)
        fprintf(stderr, "invalid: %s object %llu: %s\n", bad->file, (unsigned long long)bad->index,
                vg_error_format(bad->err, buf, sizeof buf));
    for (size_t i = 0; bad->issues && i < bad->issues->n; i++)
        if (bad->issues->v[i].severity == STIX_ISSUE_ERROR)
            fprintf(stderr, "invalid: %s object %llu (%s) %s: %s\n", bad->file, (unsigned long long)bad->index,
                    bad->id ? bad->id : "-", bad->issues->v[i].path, bad->issues->v[i].msg);
}

/* Reads every object of a file, upgraded as import does, keyed "id|modified". */
static json_t *expected_objects(const char *path)
{
    json_t *map = json_object();
    stix_reader *r;
    vg_error err = {0};
    assert_int_equal(stix_reader_open(path, NULL, &r, &err), 0);
    json_t *obj;
    stix_pos pos;
    int rc;
    while ((rc = stix_reader_next(r, &obj, &pos, &err)) == 1) {
        if (stix_is_20(obj, stix_reader_bundle_is_20(r)))
            assert_int_equal(stix_upgrade_20(obj, &err), 0);
        const char *type = json_string_value(json_object_get(obj, "type"));
        const char *id = json_string_value(json_object_get(obj, "id"));
        const char *mod = json_string_value(json_object_get(obj, "modified"));
        char key[512];
        snprintf(key, sizeof key, "%s|%s", id, mod ? mod : "");
        if (!json_object_get(map, key)) { /* the store keeps the first of identical versions */
            json_object_set_new(map, key, obj);
        } else {
            if (strcmp(type, "indicator") == 0)
                duplicate_indicators++;
            json_decref(obj);
        }
    }
    assert_int_equal(rc, 0);
    stix_reader_free(r);
    return map;
}

static void import_and_compare(const char *const *files, size_t nfiles, const char *name, json_t *counts)
{
    char dbpath[4200];
    snprintf(dbpath, sizeof dbpath, "%s/t.db", vg_test_tmpdir(name));
    store *s;
    vg_error err = {0};
    assert_int_equal(store_open(dbpath, STORE_CREATE, &s, &err), 0);
    json_t *expected = json_object();
    intel_import_stats st = {0};
    intel_import_opts o = {.on_invalid = on_invalid};
    for (size_t i = 0; i < nfiles; i++) {
        json_t *m = expected_objects(files[i]);
        const char *key;
        json_t *v;
        json_object_foreach(m, key, v)
        {
            if (json_object_get(expected, key) && strcmp(json_string_value(json_object_get(v, "type")), "indicator") == 0)
                duplicate_indicators++;
        }
        json_object_update_missing(expected, m);
        json_decref(m);
        if (intel_import_path(s, files[i], &o, &st, &err))
            fail_msg("%s: %s %s", files[i], err.where, err.msg);
    }
    assert_int_equal(st.invalid, 0);
    assert_int_equal(st.imported, json_object_size(expected));
    /* Export every version and compare object by object. */
    store_query q = {.versions = STORE_VER_ALL};
    store_iter *it;
    assert_int_equal(store_query_open(s, &q, &it, &err), 0);
    store_row row;
    size_t n = 0;
    while (store_iter_next(it, &row, &err) == 1) {
        json_t *got = json_loadb(row.json, row.json_len, 0, NULL);
        assert_non_null(got);
        const char *mod = json_string_value(json_object_get(got, "modified"));
        char key[512];
        snprintf(key, sizeof key, "%s|%s", row.id, mod ? mod : "");
        json_t *want = json_object_get(expected, key);
        if (!want)
            fail_msg("exported %s was not in the input", key);
        if (!json_equal(got, want))
            fail_msg("exported %s differs from the input", key);
        json_decref(got);
        n++;
    }
    store_iter_free(it);
    assert_int_equal(n, json_object_size(expected));
    const char *k0;
    json_t *v0;
    json_object_foreach(expected, k0, v0)
    {
        const char *type = json_string_value(json_object_get(v0, "type"));
        json_object_set_new(counts, type, json_integer(json_integer_value(json_object_get(counts, type)) + 1));
    }
    /* Counts by type in the store equal the counts in the files (versions included). */
    const char *type;
    json_t *c;
    json_object_foreach(counts, type, c)
    {
        const char *t = type;
        store_query qt = {.types = &t, .ntypes = 1, .versions = STORE_VER_ALL};
        assert_int_equal(store_query_open(s, &qt, &it, &err), 0);
        json_int_t k = 0;
        while (store_iter_next(it, &row, &err) == 1)
            k++;
        store_iter_free(it);
        if (k != json_integer_value(c))
            fail_msg("type %s: %lld in the store, %lld in the files", type, (long long)k,
                     (long long)json_integer_value(c));
    }
    json_decref(expected);
    store_close(s);
}

static void test_intel_realdata__attack_bundles(void **state)
{
    (void)state;
    char paths[4][4200];
    const char *files[4];
    for (int i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", shared, attack[i]);
        files[i] = paths[i];
    }
    json_t *counts = json_object();
    import_and_compare(files, 4, "realdata_attack", counts);
    /* The enterprise bundle alone holds 20,048 relationships and 835 attack-patterns (SOURCE.md). */
    assert_true(json_integer_value(json_object_get(counts, "relationship")) >= 20048);
    assert_true(json_integer_value(json_object_get(counts, "attack-pattern")) >= 835);
    json_decref(counts);
}

static void test_intel_realdata__ioc_bundles_match_index(void **state)
{
    (void)state;
    char index[4200];
    snprintf(index, sizeof index, "%s/data/iocs/INDEX.tsv", shared);
    FILE *f = fopen(index, "r");
    assert_non_null(f);
    char line[2048];
    char paths[64][8192];
    const char *files[64];
    size_t n = 0;
    long expect_indicators = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
        if (strncmp(line, "path\t", 5) == 0)
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *t2 = strchr(tab + 1, '\t');
        assert_non_null(t2);
        expect_indicators += strtol(t2 + 1, NULL, 10);
        snprintf(paths[n], sizeof paths[n], "%s/data/iocs/%s", shared, line);
        files[n] = paths[n];
        n++;
    }
    fclose(f);
    assert_int_equal(n, 17);
    assert_int_equal(expect_indicators, 10759);
    json_t *counts = json_object();
    import_and_compare(files, n, "realdata_iocs", counts);
    /* Some feeds repeat another's indicators (same id and modified): the store keeps one of each. */
    assert_int_equal(json_integer_value(json_object_get(counts, "indicator")) + duplicate_indicators,
                     expect_indicators);
    json_decref(counts);
}

int main(void)
{
    vg_alloc_init();
    shared = vg_test_shared();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intel_realdata__attack_bundles),
        cmocka_unit_test(test_intel_realdata__ioc_bundles_match_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
