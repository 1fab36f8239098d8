/*
 * test_validate.c - STIX 2.1 validation: the type table is sorted and
 * complete, hand-made valid objects of every type pass with no finding,
 * hand-made invalid ones (tests/data/stix/invalid/cases.json) give the
 * expected finding at the expected JSON path, and allocation failures come
 * back as VG_E_NOMEM without leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "stix/stix.h"
#include "stix/stix_int.h"
#include "vg_test.h"

static json_t *load_data(const char *rel)
{
    const char *src = getenv("VIGIL_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/stix/%s", src ? src : "..", rel);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("%s:%d: %s", path, e.line, e.text);
    return j;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s", e.text);
    return j;
}

static void dump_issues(const char *what, const stix_issues *is)
{
    for (size_t i = 0; i < is->n; i++)
        fprintf(stderr, "  %s: %s %s: %s\n", what, is->v[i].severity ? "warning" : "error", is->v[i].path,
                is->v[i].msg);
}

static void test_stix_validate__table_sorted(void **state)
{
    (void)state;
    const char *bad = NULL;
    if (stix__table_check(&bad))
        fail_msg("type table out of order or incomplete at \"%s\"", bad ? bad : "?");
    /* Every type the issue names is in the table, with its kind. */
    static const struct {
        const char *type;
        enum stix_kind kind;
    } want[] = {
        {"attack-pattern", STIX_KIND_SDO},
        {"campaign", STIX_KIND_SDO},
        {"course-of-action", STIX_KIND_SDO},
        {"grouping", STIX_KIND_SDO},
        {"identity", STIX_KIND_SDO},
        {"incident", STIX_KIND_SDO},
        {"indicator", STIX_KIND_SDO},
        {"infrastructure", STIX_KIND_SDO},
        {"intrusion-set", STIX_KIND_SDO},
        {"location", STIX_KIND_SDO},
        {"malware", STIX_KIND_SDO},
        {"malware-analysis", STIX_KIND_SDO},
        {"note", STIX_KIND_SDO},
        {"observed-data", STIX_KIND_SDO},
        {"opinion", STIX_KIND_SDO},
        {"report", STIX_KIND_SDO},
        {"threat-actor", STIX_KIND_SDO},
        {"tool", STIX_KIND_SDO},
        {"vulnerability", STIX_KIND_SDO},
        {"relationship", STIX_KIND_SRO},
        {"sighting", STIX_KIND_SRO},
        {"artifact", STIX_KIND_SCO},
        {"autonomous-system", STIX_KIND_SCO},
        {"directory", STIX_KIND_SCO},
        {"domain-name", STIX_KIND_SCO},
        {"email-addr", STIX_KIND_SCO},
        {"email-message", STIX_KIND_SCO},
        {"file", STIX_KIND_SCO},
        {"ipv4-addr", STIX_KIND_SCO},
        {"ipv6-addr", STIX_KIND_SCO},
        {"mac-addr", STIX_KIND_SCO},
        {"mutex", STIX_KIND_SCO},
        {"network-traffic", STIX_KIND_SCO},
        {"process", STIX_KIND_SCO},
        {"software", STIX_KIND_SCO},
        {"url", STIX_KIND_SCO},
        {"user-account", STIX_KIND_SCO},
        {"windows-registry-key", STIX_KIND_SCO},
        {"x509-certificate", STIX_KIND_SCO},
        {"marking-definition", STIX_KIND_META},
        {"language-content", STIX_KIND_META},
        {"extension-definition", STIX_KIND_META},
        {"bundle", STIX_KIND_BUNDLE},
        {"x-mitre-tactic", STIX_KIND_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (stix_kind_of(want[i].type) != want[i].kind)
            fail_msg("stix_kind_of(%s) = %d, want %d", want[i].type, stix_kind_of(want[i].type),
                     want[i].kind);
    assert_int_equal(stix__ntypes, 42);
    assert_int_equal(stix_kind_of(NULL), STIX_KIND_UNKNOWN);
}

static void test_stix_validate__valid_examples(void **state)
{
    (void)state;
    static const char *files[] = {"valid/sdos.json", "valid/sros.json", "valid/scos.json", "valid/meta.json",
                                  "valid/custom.json"};
    size_t seen = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        json_t *arr = load_data(files[f]);
        size_t i;
        json_t *obj;
        json_array_foreach(arr, i, obj)
        {
            stix_issues is = {0};
            assert_int_equal(stix_validate(obj, STIX_VALIDATE_STRICT_VOCAB, &is), 0);
            if (is.n) {
                dump_issues(json_string_value(json_object_get(obj, "id")), &is);
                fail_msg("%s[%zu] should be valid", files[f], i);
            }
            stix_issues_free(&is);
            seen++;
        }
        json_decref(arr);
    }
    assert_true(seen >= 50);
}

static void test_stix_validate__invalid_examples(void **state)
{
    (void)state;
    json_t *cases = load_data("invalid/cases.json");
    size_t i;
    json_t *c;
    int failed = 0;
    json_array_foreach(cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        stix_issues is = {0};
        assert_int_equal(stix_validate(json_object_get(c, "object"), 0, &is), 0);
        size_t j;
        json_t *want;
        int want_error = 0;
        json_array_foreach(json_object_get(c, "expect"), j, want)
        {
            const char *path = json_string_value(json_object_get(want, "path"));
            const char *msg = json_string_value(json_object_get(want, "msg"));
            int sev = strcmp(json_string_value(json_object_get(want, "severity")), "warning") == 0;
            want_error |= sev == STIX_ISSUE_ERROR;
            int found = 0;
            for (size_t k = 0; k < is.n && !found; k++)
                found =
                    is.v[k].severity == sev && strcmp(is.v[k].path, path) == 0 && strstr(is.v[k].msg, msg);
            if (!found) {
                fprintf(stderr, "case \"%s\": no %s at %s containing \"%s\"; got:\n", name,
                        sev ? "warning" : "error", path, msg);
                dump_issues(name, &is);
                failed++;
            }
        }
        if (!want_error && is.errors) {
            fprintf(stderr, "case \"%s\": unexpected errors:\n", name);
            dump_issues(name, &is);
            failed++;
        }
        stix_issues_free(&is);
    }
    assert_true(i >= 70);
    json_decref(cases);
    assert_int_equal(failed, 0);
}

static void test_stix_validate__paths_and_messages(void **state)
{
    (void)state;
    json_t *o = parse("{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
                      "\"id\":\"attack-pattern--6513270e-269e-4d37-b2a7-4de452e6b438\","
                      "\"created\":\"2024-03-01T10:00:00.000Z\",\"modified\":\"2024-03-01T10:00:00.000Z\","
                      "\"name\":\"x\",\"external_references\":[{\"source_name\":\"a\",\"url\":\"u\"},"
                      "{\"source_name\":\"b\",\"url\":\"u\"},{\"source_name\":7,\"url\":\"u\"}]}");
    stix_issues is = {0};
    assert_int_equal(stix_validate(o, 0, &is), 0);
    assert_int_equal(is.n, 1);
    assert_int_equal(is.errors, 1);
    assert_string_equal(is.v[0].path, "$.external_references[2].source_name");
    assert_non_null(strstr(is.v[0].msg, "expected a string, got an integer"));

    /* clear keeps the storage, free releases it; both are NULL-safe */
    stix_issues_clear(&is);
    assert_int_equal(is.n, 0);
    assert_int_equal(is.errors, 0);
    stix_issues_free(&is);
    stix_issues_free(NULL);
    stix_issues_clear(NULL);

    /* not an object, no type, a bundle */
    json_t *arr = json_array();
    assert_int_equal(stix_validate(arr, 0, &is), 0);
    assert_int_equal(is.errors, 1);
    assert_string_equal(is.v[0].path, "$");
    json_decref(arr);
    stix_issues_clear(&is);
    json_t *nt = parse("{\"id\":\"x--6513270e-269e-4d37-b2a7-4de452e6b438\"}");
    assert_int_equal(stix_validate(nt, 0, &is), 0);
    assert_string_equal(is.v[0].path, "$.type");
    json_decref(nt);
    stix_issues_clear(&is);
    json_t *b = parse("{\"type\":\"bundle\",\"id\":\"bundle--6513270e-269e-4d37-b2a7-4de452e6b438\"}");
    assert_int_equal(stix_validate(b, 0, &is), 0);
    assert_int_equal(is.errors, 1);
    json_decref(b);
    stix_issues_free(&is);
    json_decref(o);
}

static void test_stix_validate__vocabularies(void **state)
{
    (void)state;
    json_t *o = parse("{\"type\":\"malware\",\"spec_version\":\"2.1\","
                      "\"id\":\"malware--6513270e-269e-4d37-b2a7-4de452e6b438\","
                      "\"created\":\"2024-03-01T10:00:00.000Z\",\"modified\":\"2024-03-01T10:00:00.000Z\","
                      "\"name\":\"x\",\"is_family\":true,\"malware_types\":[\"spyware\",\"stalkerware\"]}");
    stix_issues is = {0};
    assert_int_equal(stix_validate(o, 0, &is), 0);
    assert_int_equal(is.n, 0); /* open vocabulary: silent by default */
    assert_int_equal(stix_validate(o, STIX_VALIDATE_STRICT_VOCAB, &is), 0);
    assert_int_equal(is.n, 1);
    assert_int_equal(is.errors, 0);
    assert_string_equal(is.v[0].path, "$.malware_types[1]");
    stix_issues_free(&is);
    json_decref(o);
}

static void test_stix_validate__meta(void **state)
{
    (void)state;
    json_t *o = parse("{\"type\":\"indicator\",\"id\":\"indicator--6513270e-269e-4d37-b2a7-4de452e6b438\","
                      "\"spec_version\":\"2.1\",\"created\":\"2024-03-01T10:00:00.000Z\","
                      "\"modified\":\"2024-03-02T10:00:00.5Z\",\"revoked\":true}");
    stix_meta m;
    vg_error err = {0};
    assert_int_equal(stix_meta_get(o, &m, &err), 0);
    assert_string_equal(m.type, "indicator");
    assert_string_equal(m.spec_version, "2.1");
    assert_true(m.has_created && m.has_modified && m.revoked);
    int has = 0;
    vg_time v = stix_meta_version(&m, &has);
    assert_true(has);
    assert_int_equal(vg_time_cmp(&v, &m.modified), 0);
    json_object_del(o, "modified");
    assert_int_equal(stix_meta_get(o, &m, &err), 0);
    v = stix_meta_version(&m, &has);
    assert_true(has);
    assert_int_equal(vg_time_cmp(&v, &m.created), 0);
    json_object_del(o, "created");
    assert_int_equal(stix_meta_get(o, &m, &err), 0);
    stix_meta_version(&m, &has);
    assert_false(has);
    assert_null(m.spec_version == NULL ? NULL : NULL);

    json_object_set_new(o, "created", json_string("yesterday"));
    assert_int_equal(stix_meta_get(o, &m, &err), VG_E_INVALID);
    assert_string_equal(err.where, "$.created");
    json_object_del(o, "id");
    vg_error_clear(&err);
    assert_int_equal(stix_meta_get(o, &m, &err), VG_E_INVALID);
    assert_string_equal(err.where, "$.id");
    json_decref(o);
}

/* A valid object allocates nothing at all: validation of 10^6 indicators stays cheap. */
static void test_stix_validate__valid_object_allocates_nothing(void **state)
{
    (void)state;
    json_t *arr = load_data("valid/sdos.json");
    stix_issues is = {0};
    vg_alloc_fail_after(1);
    size_t i;
    json_t *obj;
    json_array_foreach(arr, i, obj) assert_int_equal(stix_validate(obj, 0, &is), 0);
    long n = vg_alloc_count();
    vg_alloc_fail_reset();
    assert_int_equal(n, 0);
    assert_int_equal(is.n, 0);
    json_decref(arr);
}

static void test_stix_validate__allocation_failure(void **state)
{
    (void)state;
    /* An object with many findings, so the issues list grows several times. */
    json_t *o = parse("{\"type\":\"indicator\",\"id\":\"indicator--x\",\"created\":\"bad\",\"modified\":1,"
                      "\"labels\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20],\"confidence\":1000}");
    stix_issues ref = {0};
    assert_int_equal(stix_validate(o, 0, &ref), 0);
    assert_true(ref.n > 16);
    int ok = 0;
    for (long n = 1; n < 100 && !ok; n++) {
        stix_issues is = {0};
        vg_alloc_fail_after(n);
        int rc = stix_validate(o, 0, &is);
        vg_alloc_fail_reset();
        if (rc == 0) {
            assert_int_equal(is.n, ref.n);
            ok = 1;
        } else {
            assert_int_equal(rc, VG_E_NOMEM);
        }
        stix_issues_free(&is);
    }
    assert_true(ok);
    stix_issues_free(&ref);
    json_decref(o);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stix_validate__table_sorted),
        cmocka_unit_test(test_stix_validate__valid_examples),
        cmocka_unit_test(test_stix_validate__invalid_examples),
        cmocka_unit_test(test_stix_validate__paths_and_messages),
        cmocka_unit_test(test_stix_validate__vocabularies),
        cmocka_unit_test(test_stix_validate__meta),
        cmocka_unit_test(test_stix_validate__valid_object_allocates_nothing),
        cmocka_unit_test(test_stix_validate__allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
