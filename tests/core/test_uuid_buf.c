/*
 * test_uuid_buf.c - UUIDv4/v5 and the bounded buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "core/vg_uuid.h"

static void test_core_uuid__v4_is_random_and_well_formed(void **state)
{
    (void)state;
    char a[VG_UUID_STR], b[VG_UUID_STR];
    int version = 0;
    assert_int_equal(vg_uuid_v4(a, NULL), 0);
    assert_int_equal(vg_uuid_v4(b, NULL), 0);
    assert_true(vg_uuid_check(a, strlen(a), &version));
    assert_int_equal(version, 4);
    assert_true(strchr("89ab", a[19]) != NULL);
    assert_string_not_equal(a, b);
}

/* The STIX 2.1 specification's example: the id of a file-less observable
 * computed from {"value":"evil.com"}... we check against an independently known
 * UUIDv5 value (RFC 4122 appendix style): DNS namespace, "www.example.com". */
static void test_core_uuid__v5_known_vectors(void **state)
{
    (void)state;
    char out[VG_UUID_STR];
    const char *name = "www.example.com";
    assert_int_equal(vg_uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", name, strlen(name), out, NULL), 0);
    assert_string_equal(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    /* STIX namespace: the spec's email-addr example, {"value":"jdoe@example.com"}. */
    const char *stix = "{\"value\":\"jdoe@example.com\"}";
    assert_int_equal(vg_uuid_v5(VG_UUID_STIX_NAMESPACE, stix, strlen(stix), out, NULL), 0);
    assert_true(vg_uuid_check(out, 36, NULL));
    assert_int_equal(out[14], '5');
}

static void test_core_uuid__check_rejects(void **state)
{
    (void)state;
    assert_false(vg_uuid_check("not-a-uuid", 10, NULL));
    assert_false(vg_uuid_check("6ba7b810-9dad-11d1-80b4-00c04fd430cg", 36, NULL));
    assert_false(vg_uuid_check("6ba7b8109dad-11d1-80b4-00c04fd430c8a", 36, NULL));
}

static void test_core_buf__ceiling_and_json(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 8);
    assert_int_equal(vg_buf_puts(&b, "12345678"), 0);
    assert_int_equal(vg_buf_putc(&b, '9'), VG_E_LIMIT);
    assert_int_equal(b.len, 8);
    vg_buf_free(&b);
    vg_buf_init(&b, 0);
    assert_int_equal(vg_buf_put_json_string(&b, "a\"b\\c\n\x01", 7), 0);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
    assert_int_equal(vg_buf_printf(&b, "%d", 42), 0);
    assert_string_equal(b.data + b.len - 2, "42");
    vg_buf_reset(&b);
    /* Runs of plain bytes (UTF-8 included) between escapes, at either end, a NUL counted by n. */
    const char in[] = "plain run \xc3\xa9\t\r\"x\"\\\x1f end\0z", want[] =
        "\"plain run \xc3\xa9\\t\\r\\\"x\\\"\\\\\\u001f end\\u0000z\"";
    assert_int_equal(vg_buf_put_json_string(&b, in, sizeof in - 1), 0);
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, sizeof want - 1);
    vg_buf_free(&b);
}

static void test_core_buf__allocation_failure(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_alloc_fail_after(1);
    assert_int_equal(vg_buf_puts(&b, "x"), VG_E_NOMEM);
    vg_alloc_fail_reset();
    assert_int_equal(vg_buf_puts(&b, "x"), 0);
    vg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_uuid__v4_is_random_and_well_formed),
        cmocka_unit_test(test_core_uuid__v5_known_vectors),
        cmocka_unit_test(test_core_uuid__check_rejects),
        cmocka_unit_test(test_core_buf__ceiling_and_json),
        cmocka_unit_test(test_core_buf__allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
