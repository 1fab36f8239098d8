/*
 * test_reader.c - the streaming bundle reader: bundles, single objects,
 * arrays, gzip, 2.0 detection, positions, and clear errors on bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "stix/stix.h"
#include "vg_test.h"

/* Reads all objects of text; returns how many, or the negative code that stopped it. */
static int read_all(const char *text, size_t len, const stix_reader_opts *o, int *invalid, vg_error *err,
                    json_t **first)
{
    stix_reader *r;
    int rc = stix_reader_open_mem(text, len, "t.json", o, &r, err);
    if (rc)
        return rc;
    int n = 0;
    if (invalid)
        *invalid = 0;
    for (;;) {
        json_t *obj;
        stix_pos pos;
        rc = stix_reader_next(r, &obj, &pos, err);
        if (rc == 0)
            break;
        if (rc == VG_E_INVALID) {
            if (invalid)
                (*invalid)++;
            continue;
        }
        if (rc < 0) {
            stix_reader_free(r);
            return rc;
        }
        if (first && !*first)
            *first = obj;
        else
            json_decref(obj);
        n++;
    }
    stix_reader_free(r);
    return n;
}

static void test_stix_reader__bundle_any_key_order(void **state)
{
    (void)state;
    const char *a = "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"x\",\"id\":\"x--1\"},"
                    "{\"type\":\"x\",\"id\":\"x--2\",\"n\":[1,{\"a\":\"]}\\\"\"}]}]}";
    const char *b = "{\"objects\":[{\"type\":\"x\"}],\"spec_version\":\"2.0\",\"type\":\"bundle\"}";
    vg_error err = {0};
    json_t *first = NULL;
    assert_int_equal(read_all(a, strlen(a), NULL, NULL, &err, &first), 2);
    assert_string_equal(json_string_value(json_object_get(first, "id")), "x--1");
    json_decref(first);
    stix_reader *r;
    assert_int_equal(stix_reader_open_mem(b, strlen(b), "b", NULL, &r, &err), 0);
    json_t *o;
    stix_pos pos;
    assert_int_equal(stix_reader_next(r, &o, &pos, &err), 1);
    json_decref(o);
    assert_int_equal(stix_reader_next(r, &o, &pos, &err), 0);
    assert_true(stix_reader_bundle_is_20(r));
    stix_reader_free(r);
}

static void test_stix_reader__single_object_and_array(void **state)
{
    (void)state;
    const char *one = "\xEF\xBB\xBF {\"id\":\"indicator--1\",\"type\":\"indicator\",\"pattern\":\"[a:b='c']\"}\n";
    const char *arr = "[ {\"type\":\"a\"} , {\"type\":\"b\"} ]";
    vg_error err = {0};
    json_t *first = NULL;
    assert_int_equal(read_all(one, strlen(one), NULL, NULL, &err, &first), 1);
    assert_string_equal(json_string_value(json_object_get(first, "pattern")), "[a:b='c']");
    json_decref(first);
    assert_int_equal(read_all(arr, strlen(arr), NULL, NULL, &err, NULL), 2);
    assert_int_equal(read_all("[]", 2, NULL, NULL, &err, NULL), 0);
    const char *empty_bundle = "{\"type\":\"bundle\",\"id\":\"bundle--1\"}";
    assert_int_equal(read_all(empty_bundle, strlen(empty_bundle), NULL, NULL, &err, NULL), 0);
}

static void test_stix_reader__positions(void **state)
{
    (void)state;
    const char *t = "{\"type\":\"bundle\",\n \"objects\": [\n  {\"type\":\"a\"},\n    {\"type\":\"b\"}]}";
    stix_reader *r;
    vg_error err = {0};
    assert_int_equal(stix_reader_open_mem(t, strlen(t), "p", NULL, &r, &err), 0);
    json_t *o;
    stix_pos pos;
    assert_int_equal(stix_reader_next(r, &o, &pos, &err), 1);
    json_decref(o);
    assert_int_equal(pos.line, 3);
    assert_int_equal(pos.col, 3);
    assert_int_equal(stix_reader_next(r, &o, &pos, &err), 1);
    json_decref(o);
    assert_int_equal(pos.index, 1);
    assert_int_equal(pos.line, 4);
    assert_int_equal(pos.col, 5);
    stix_reader_free(r);
}

static void expect_error(const char *text, size_t len, int code, const char *needle)
{
    vg_error err = {0};
    int rc = read_all(text, len, NULL, NULL, &err, NULL);
    if (rc != code)
        fail_msg("input %.40s: expected code %d, got %d (%s)", text, code, rc, err.msg);
    if (!strstr(err.msg, needle))
        fail_msg("input %.40s: message \"%s\" lacks \"%s\"", text, err.msg, needle);
    assert_true(err.where[0] != '\0');
}

static void test_stix_reader__bad_inputs_fail_clearly(void **state)
{
    (void)state;
    expect_error("", 0, VG_E_PARSE, "empty");
    expect_error("   \n ", 5, VG_E_PARSE, "empty");
    expect_error("hello", 5, VG_E_PARSE, "expected '{'");
    expect_error("{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"", 38, VG_E_PARSE, "end of input");
    expect_error("{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"}", 39, VG_E_PARSE, "end of input");
    expect_error("{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"}} ", 41, VG_E_PARSE, "unexpected '}'");
    expect_error("{\"type\":\"bundle\"} x", 19, VG_E_PARSE, "end of input");
    expect_error("{\"type\":5,\"objects\":[]}", 23, VG_E_PARSE, "not a string");
    /* 10,000 levels deep */
    size_t n = 10000;
    char *deep = malloc(2 * n + 64);
    int k = snprintf(deep, 64, "{\"type\":\"bundle\",\"objects\":[");
    for (size_t i = 0; i < n; i++)
        deep[k++] = '[';
    for (size_t i = 0; i < n; i++)
        deep[k++] = ']';
    memcpy(deep + k, "]}", 2);
    expect_error(deep, (size_t)k + 2, VG_E_LIMIT, "nesting deeper");
    free(deep);
}

static void test_stix_reader__invalid_element_is_skipped(void **state)
{
    (void)state;
    const char *t = "{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"}, 42, {\"a\":1,\"a\":2}, {\"type\":\"b\"}]}";
    int invalid = 0;
    vg_error err = {0};
    assert_int_equal(read_all(t, strlen(t), NULL, &invalid, &err, NULL), 2);
    assert_int_equal(invalid, 2);
}

static void test_stix_reader__object_size_limit(void **state)
{
    (void)state;
    stix_reader_opts o = {.max_object_bytes = 16};
    const char *t = "[{\"type\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]";
    vg_error err = {0};
    assert_int_equal(read_all(t, strlen(t), &o, NULL, &err, NULL), VG_E_LIMIT);
    assert_non_null(strstr(err.msg, "larger than 16 bytes"));
}

static void test_stix_reader__gzip_file(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("reader_gz");
    char path[4200];
    snprintf(path, sizeof path, "%s/b.json.gz", dir);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    gzputs(gz, "{\"type\":\"bundle\",\"objects\":[");
    for (int i = 0; i < 5000; i++)
        gzprintf(gz, "%s{\"type\":\"x\",\"id\":\"x--%d\",\"pad\":\"%0200d\"}", i ? "," : "", i, i);
    gzputs(gz, "]}");
    gzclose(gz);
    stix_reader *r;
    vg_error err = {0};
    assert_int_equal(stix_reader_open(path, NULL, &r, &err), 0);
    int n = 0;
    json_t *o;
    stix_pos pos;
    while (stix_reader_next(r, &o, &pos, &err) == 1) {
        n++;
        json_decref(o);
    }
    assert_int_equal(n, 5000);
    stix_reader_free(r);
    assert_int_equal(stix_reader_open("/nonexistent/x.json", NULL, &r, &err), VG_E_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.json"));
}

static void test_stix_reader__allocation_failures(void **state)
{
    (void)state;
    const char *t = "{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\",\"v\":[1,2,3]},{\"type\":\"b\"}]}";
    for (long n = 1; n < 200; n++) {
        vg_error err = {0};
        vg_alloc_fail_after(n);
        int rc = read_all(t, strlen(t), NULL, NULL, &err, NULL);
        vg_alloc_fail_reset();
        if (rc == 2)
            break;
        assert_true(rc == VG_E_NOMEM || rc == VG_E_INVALID || rc < 0);
    }
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stix_reader__bundle_any_key_order),
        cmocka_unit_test(test_stix_reader__single_object_and_array),
        cmocka_unit_test(test_stix_reader__positions),
        cmocka_unit_test(test_stix_reader__bad_inputs_fail_clearly),
        cmocka_unit_test(test_stix_reader__invalid_element_is_skipped),
        cmocka_unit_test(test_stix_reader__object_size_limit),
        cmocka_unit_test(test_stix_reader__gzip_file),
        cmocka_unit_test(test_stix_reader__allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
