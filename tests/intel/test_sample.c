/*
 * test_sample.c - the deterministic sample bundle (intel_sample_write).
 *
 * Same seed, same bytes; the counts per type of the curated part; ids unique
 * per version and well-formed (UUIDv4, UUIDv5 for observables); timestamps in
 * millisecond STIX form, modified >= created, nothing after the sample's "now";
 * every reference resolves inside the bundle; hashes have their right lengths;
 * allocation and write failures come back as errors; and the CLI writes the
 * same bytes as the library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_time.h"
#include "core/vg_uuid.h"
#include "intel/intel_sample.h"
#include "vg_test.h"

/* The curated part: objects per type (every version counted). */
static const struct {
    const char *type;
    size_t n;
} curated[] = {
    {"identity", 6},  {"marking-definition", 6}, {"threat-actor", 2},     {"intrusion-set", 2},
    {"malware", 5},   {"attack-pattern", 9},     {"course-of-action", 6}, {"vulnerability", 1},
    {"campaign", 1},  {"indicator", 40},         {"relationship", 75},    {"domain-name", 1},
    {"ipv4-addr", 1}, {"observed-data", 1},      {"sighting", 1},         {"report", 1},
};
#define NCURATED_TYPES (sizeof curated / sizeof curated[0])
#define CURATED_OBJECTS 158

/* Writes the sample into a malloc'd buffer; returns intel_sample_write's code. */
static int write_mem(const intel_sample_opts *o, char **buf, size_t *len, intel_sample_counts *counts)
{
    FILE *f = open_memstream(buf, len);
    assert_non_null(f);
    vg_error err = {0};
    int rc = intel_sample_write_counted(f, o, counts, &err);
    assert_int_equal(fclose(f), 0);
    return rc;
}

static intel_sample_opts opts_with(uint64_t seed, uint64_t n)
{
    intel_sample_opts o;
    intel_sample_opts_init(&o);
    o.seed = seed;
    o.indicators = n;
    return o;
}

/* Parses the sample with json_loadf, as a consumer would. */
static json_t *load(const char *buf, size_t len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    rewind(f);
    json_error_t jerr;
    json_t *root = json_loadf(f, 0, &jerr);
    fclose(f);
    if (!root)
        fail_msg("sample is not JSON: %s at line %d column %d", jerr.text, jerr.line, jerr.column);
    assert_string_equal(json_string_value(json_object_get(root, "type")), "bundle");
    assert_true(json_is_array(json_object_get(root, "objects")));
    return root;
}

static size_t count_type(json_t *objs, const char *type)
{
    size_t i, n = 0;
    json_t *o;
    json_array_foreach(objs, i, o) if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0) n++;
    return n;
}

static void test_intel_sample__same_seed_same_bytes(void **state)
{
    (void)state;
    intel_sample_opts o = opts_with(7, 300);
    char *a = NULL, *b = NULL, *c = NULL;
    size_t na = 0, nb = 0, nc = 0;
    assert_int_equal(write_mem(&o, &a, &na, NULL), 0);
    assert_int_equal(write_mem(&o, &b, &nb, NULL), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    o.seed = 8;
    assert_int_equal(write_mem(&o, &c, &nc, NULL), 0);
    assert_true(na != nc || memcmp(a, c, na) != 0);
    free(a);
    free(b);
    free(c);
}

/* The curated part does not depend on the number of generated indicators. */
static void test_intel_sample__bigger_sample_is_a_superset(void **state)
{
    (void)state;
    intel_sample_opts o0 = opts_with(3, 0), o1 = opts_with(3, 50);
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(write_mem(&o0, &a, &na, NULL), 0);
    assert_int_equal(write_mem(&o1, &b, &nb, NULL), 0);
    const char *trailer = "\n]}\n";
    assert_true(na > strlen(trailer) && nb > na);
    assert_string_equal(a + na - strlen(trailer), trailer);
    assert_memory_equal(a, b, na - strlen(trailer));
    free(a);
    free(b);
}

static void test_intel_sample__counts_per_type(void **state)
{
    (void)state;
    intel_sample_opts o = opts_with(INTEL_SAMPLE_DEFAULT_SEED, 0);
    char *buf = NULL;
    size_t len = 0;
    intel_sample_counts n;
    assert_int_equal(write_mem(&o, &buf, &len, &n), 0);
    json_t *root = load(buf, len);
    json_t *objs = json_object_get(root, "objects");
    assert_int_equal(json_array_size(objs), CURATED_OBJECTS);
    assert_int_equal(n.objects, CURATED_OBJECTS);
    size_t total = 0;
    for (size_t i = 0; i < NCURATED_TYPES; i++) {
        size_t got = count_type(objs, curated[i].type);
        if (got != curated[i].n)
            fail_msg("%s: %zu objects, expected %zu", curated[i].type, got, curated[i].n);
        total += got;
    }
    assert_int_equal(total, CURATED_OBJECTS); /* no type beyond the table */
    assert_int_equal(n.indicators, 40);
    assert_int_equal(n.relationships, 75);
    json_decref(root);
    free(buf);

    /* Generated indicators: one relationship each, unless turned off. */
    o.indicators = 500;
    assert_int_equal(write_mem(&o, &buf, &len, &n), 0);
    root = load(buf, len);
    objs = json_object_get(root, "objects");
    assert_int_equal(count_type(objs, "indicator"), 540);
    assert_int_equal(count_type(objs, "relationship"), 575);
    assert_int_equal(json_array_size(objs), CURATED_OBJECTS + 1000);
    assert_int_equal(n.objects, CURATED_OBJECTS + 1000);
    json_decref(root);
    free(buf);
    o.relationships = 0;
    assert_int_equal(write_mem(&o, &buf, &len, &n), 0);
    root = load(buf, len);
    objs = json_object_get(root, "objects");
    assert_int_equal(count_type(objs, "indicator"), 540);
    assert_int_equal(count_type(objs, "relationship"), 75);
    json_decref(root);
    free(buf);
}

static vg_time parse_ts(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("%s: no %s", json_string_value(json_object_get(o, "id")), key);
    vg_time t;
    vg_error err = {0};
    if (vg_time_parse(s, strlen(s), VG_TIME_STIX, &t, &err))
        fail_msg("%s: %s '%s': %s", json_string_value(json_object_get(o, "id")), key, s, err.msg);
    return t;
}

static int is_sco(const char *type)
{
    return strcmp(type, "domain-name") == 0 || strcmp(type, "ipv4-addr") == 0;
}

/* Ids, versions, timestamps. */
static void test_intel_sample__ids_and_times(void **state)
{
    (void)state;
    intel_sample_opts o = opts_with(11, 2000);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(write_mem(&o, &buf, &len, NULL), 0);
    json_t *root = load(buf, len);
    json_t *objs = json_object_get(root, "objects");
    json_t *versions = json_object(); /* "id|modified" -> true */
    json_t *ids = json_object();      /* id -> number of versions */
    vg_time now = vg_time_from_unix(o.base_time, 0, 3);
    size_t i;
    json_t *obj;
    json_array_foreach(objs, i, obj)
    {
        const char *type = json_string_value(json_object_get(obj, "type"));
        const char *id = json_string_value(json_object_get(obj, "id"));
        assert_non_null(type);
        assert_non_null(id);
        size_t tl = strlen(type);
        if (strncmp(id, type, tl) != 0 || strncmp(id + tl, "--", 2) != 0)
            fail_msg("id %s does not start with its type %s", id, type);
        int version = 0;
        assert_true(vg_uuid_check(id + tl + 2, strlen(id + tl + 2), &version));
        assert_int_equal(strlen(id + tl + 2), 36);
        assert_int_equal(version, is_sco(type) ? 5 : 4);
        assert_string_equal(json_string_value(json_object_get(obj, "spec_version")), "2.1");
        json_t *n = json_object_get(ids, id);
        json_object_set_new(ids, id, json_integer(n ? json_integer_value(n) + 1 : 1));
        if (is_sco(type))
            continue;
        vg_time created = parse_ts(obj, "created");
        assert_int_equal(created.digits, 3);
        assert_true(vg_time_cmp(&created, &now) <= 0);
        if (strcmp(type, "marking-definition") == 0) {
            json_object_set_new(versions, id, json_true());
            continue;
        }
        vg_time modified = parse_ts(obj, "modified");
        assert_int_equal(modified.digits, 3);
        assert_true(vg_time_cmp(&created, &modified) <= 0);
        assert_true(vg_time_cmp(&modified, &now) <= 0);
        char key[256];
        snprintf(key, sizeof key, "%s|%s", id, json_string_value(json_object_get(obj, "modified")));
        if (json_object_get(versions, key))
            fail_msg("version %s appears twice", key);
        json_object_set_new(versions, key, json_true());
        if (strcmp(type, "indicator") == 0 && json_object_get(obj, "valid_until")) {
            vg_time from = parse_ts(obj, "valid_from"), until = parse_ts(obj, "valid_until");
            assert_true(vg_time_cmp(&from, &until) < 0);
        }
    }
    /* Exactly two objects come in two versions (Saltmarsh and a revoked indicator). */
    const char *k;
    json_t *v;
    int twice = 0;
    json_object_foreach(ids, k, v)
    {
        assert_true(json_integer_value(v) <= 2);
        twice += json_integer_value(v) == 2;
    }
    assert_int_equal(twice, 2);
    json_decref(ids);
    json_decref(versions);
    json_decref(root);
    free(buf);
}

/* Checks that every *_ref and *_refs string names an object of the bundle. */
static void check_refs(json_t *ids, json_t *value, const char *key, const char *owner)
{
    size_t kl = key ? strlen(key) : 0;
    int is_ref = key && ((kl > 4 && strcmp(key + kl - 4, "_ref") == 0) ||
                         (kl > 5 && strcmp(key + kl - 5, "_refs") == 0));
    if (json_is_string(value) && is_ref) {
        if (!json_object_get(ids, json_string_value(value)))
            fail_msg("%s: %s = %s names no object of the bundle", owner, key, json_string_value(value));
    } else if (json_is_array(value)) {
        size_t i;
        json_t *e;
        json_array_foreach(value, i, e) check_refs(ids, e, key, owner);
    } else if (json_is_object(value)) {
        const char *k;
        json_t *e;
        json_object_foreach(value, k, e) check_refs(ids, e, k, owner);
    }
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return 0;
    return s[n] == '\'';
}

/* References resolve; hash literals have their right length; documentation names only. */
static void test_intel_sample__refs_hashes_and_names(void **state)
{
    (void)state;
    intel_sample_opts o = opts_with(5, 3000);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(write_mem(&o, &buf, &len, NULL), 0);
    json_t *root = load(buf, len);
    json_t *objs = json_object_get(root, "objects");
    json_t *ids = json_object();
    size_t i;
    json_t *obj;
    json_array_foreach(objs, i, obj) json_object_set(ids, json_string_value(json_object_get(obj, "id")), obj);
    static const struct {
        const char *prefix;
        size_t hex;
    } hashes[] = {
        {"file:hashes.MD5 = '", 32}, {"file:hashes.'SHA-1' = '", 40}, {"file:hashes.'SHA-256' = '", 64}};
    size_t seen[3] = {0, 0, 0}, wallets = 0, apps = 0;
    json_array_foreach(objs, i, obj)
    {
        const char *id = json_string_value(json_object_get(obj, "id"));
        check_refs(ids, obj, NULL, id);
        const char *pattern = json_string_value(json_object_get(obj, "pattern"));
        if (!pattern)
            continue;
        assert_int_equal(pattern[0], '[');
        for (size_t h = 0; h < 3; h++) {
            for (const char *p = strstr(pattern, hashes[h].prefix); p; p = strstr(p + 1, hashes[h].prefix)) {
                const char *lit = p + strlen(hashes[h].prefix);
                if (!is_hex(lit, hashes[h].hex))
                    fail_msg("%s: bad %zu-digit hash in %s", id, hashes[h].hex, pattern);
                seen[h]++;
            }
        }
        wallets += strstr(pattern, "[cryptocurrency-wallet:value = '") != NULL;
        apps += strstr(pattern, "[app:id = '") != NULL;
        /* Only documentation addresses. */
        const char *ip = strstr(pattern, "ipv4-addr:value = '");
        if (ip) {
            ip += strlen("ipv4-addr:value = '");
            assert_true(strncmp(ip, "192.0.2.", 8) == 0 || strncmp(ip, "198.51.100.", 11) == 0 ||
                        strncmp(ip, "203.0.113.", 10) == 0);
        }
        const char *ip6 = strstr(pattern, "ipv6-addr:value = '");
        if (ip6)
            assert_true(strncmp(ip6 + strlen("ipv6-addr:value = '"), "2001:db8:", 9) == 0);
    }
    for (size_t h = 0; h < 3; h++)
        assert_true(seen[h] > 10);
    assert_true(wallets > 10);
    assert_true(apps > 10);
    json_decref(ids);
    json_decref(root);
    free(buf);
}

static void test_intel_sample__errors(void **state)
{
    (void)state;
    vg_error err = {0};
    intel_sample_opts o = opts_with(1, INTEL_SAMPLE_MAX_INDICATORS + 1);
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(intel_sample_write(f, &o, &err), VG_E_LIMIT);
    o.indicators = 0;
    o.base_time = -5;
    assert_int_equal(intel_sample_write(f, &o, &err), VG_E_USAGE);
    assert_int_equal(intel_sample_write(NULL, NULL, &err), VG_E_USAGE);
    fclose(f);
    /* A full disk is an I/O error, not a crash. */
    f = fopen("/dev/full", "w");
    if (f) {
        o = opts_with(1, 100);
        assert_int_equal(intel_sample_write(f, &o, &err), VG_E_IO);
        assert_non_null(strstr(err.msg, "writing the sample bundle failed"));
        fclose(f);
    }
}

/* Failing the n-th allocation gives VG_E_NOMEM (and no leak under ASan), for every n. */
static void test_intel_sample__allocation_failure(void **state)
{
    (void)state;
    intel_sample_opts o = opts_with(1, 20);
    int n;
    for (n = 1; n < 1000; n++) {
        FILE *f = fopen("/dev/null", "w");
        assert_non_null(f);
        vg_error err = {0};
        vg_alloc_fail_after(n);
        int rc = intel_sample_write(f, &o, &err);
        vg_alloc_fail_reset();
        fclose(f);
        if (rc == 0)
            break;
        assert_int_equal(rc, VG_E_NOMEM);
        assert_true(err.msg[0] != '\0');
    }
    assert_true(n > 1 && n < 1000);
}

/* `vigil sample` writes the library's bytes. */
static void test_intel_sample__cli(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("sample_cli");
    const char *bin = vg_test_bin();
    assert_int_equal(vg_test_sh("'%s' sample --seed 9 --indicators 25 -o '%s/a.json' 2>/dev/null", bin, dir),
                     0);
    assert_int_equal(vg_test_sh("'%s' sample --seed 9 --indicators 25 > '%s/b.json'", bin, dir), 0);
    assert_int_equal(vg_test_sh("cmp -s '%s/a.json' '%s/b.json'", dir, dir), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/a.json", dir);
    size_t flen = 0;
    char *file = vg_test_read_file(path, &flen);
    intel_sample_opts o = opts_with(9, 25);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(write_mem(&o, &buf, &len, NULL), 0);
    assert_int_equal(flen, len);
    assert_memory_equal(file, buf, len);
    free(file);
    free(buf);
    assert_int_equal(vg_test_sh("'%s' sample --help > /dev/null", bin), 0);
    assert_int_equal(vg_test_sh("'%s' sample --indicators -3 > /dev/null 2>&1", bin), 2);
    assert_int_equal(vg_test_sh("'%s' sample --bogus > /dev/null 2>&1", bin), 2);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intel_sample__same_seed_same_bytes),
        cmocka_unit_test(test_intel_sample__bigger_sample_is_a_superset),
        cmocka_unit_test(test_intel_sample__counts_per_type),
        cmocka_unit_test(test_intel_sample__ids_and_times),
        cmocka_unit_test(test_intel_sample__refs_hashes_and_names),
        cmocka_unit_test(test_intel_sample__errors),
        cmocka_unit_test(test_intel_sample__allocation_failure),
        cmocka_unit_test(test_intel_sample__cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
