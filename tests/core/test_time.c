/*
 * test_time.c - RFC 3339 timestamps: exact round trips, value comparison
 * across precisions, and clear errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/vg_time.h"

static vg_time parse_ok(const char *s)
{
    vg_time t;
    vg_error err = {0};
    int rc = vg_time_parse(s, strlen(s), VG_TIME_STIX, &t, &err);
    if (rc)
        fail_msg("%s: %s", s, err.msg);
    return t;
}

static void test_core_time__round_trip_keeps_precision(void **state)
{
    (void)state;
    const char *cases[] = {"2016-05-12T08:17:27Z", "2016-05-12T08:17:27.0Z", "2016-05-12T08:17:27.000Z",
                           "2025-08-08T19:03:18.773827Z", "1969-12-31T23:59:59.999999999Z",
                           "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2000-02-29T12:00:00.5Z"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_time t = parse_ok(cases[i]);
        char out[VG_TIME_MAX];
        vg_time_format(&t, out);
        assert_string_equal(out, cases[i]);
    }
}

static void test_core_time__epoch_values(void **state)
{
    (void)state;
    vg_time t = parse_ok("1970-01-01T00:00:00Z");
    assert_int_equal(t.sec, 0);
    t = parse_ok("2001-09-09T01:46:40Z");
    assert_int_equal(t.sec, 1000000000);
    t = parse_ok("1969-12-31T23:59:59.25Z");
    assert_int_equal(t.sec, -1);
    assert_int_equal(t.nsec, 250000000);
}

static void test_core_time__compare_across_precisions(void **state)
{
    (void)state;
    vg_time a = parse_ok("2020-01-01T00:00:00.5Z");
    vg_time b = parse_ok("2020-01-01T00:00:00.500000Z");
    vg_time c = parse_ok("2020-01-01T00:00:00Z");
    vg_time d = parse_ok("2020-01-01T00:00:00.001Z");
    assert_int_equal(vg_time_cmp(&a, &b), 0);
    assert_true(vg_time_cmp(&c, &d) < 0);
    assert_true(vg_time_cmp(&d, &a) < 0);
    char ka[VG_TIME_MAX], kc[VG_TIME_MAX], kd[VG_TIME_MAX];
    vg_time_format_key(&a, ka);
    vg_time_format_key(&c, kc);
    vg_time_format_key(&d, kd);
    assert_string_equal(kc, "2020-01-01T00:00:00.000000000Z");
    assert_true(strcmp(kc, kd) < 0 && strcmp(kd, ka) < 0);
}

static void test_core_time__errors_say_where(void **state)
{
    (void)state;
    struct {
        const char *in, *needle;
    } bad[] = {
        {"2020-01-01T00:00:00", "expected 'Z'"},
        {"2020-13-01T00:00:00Z", "month"},
        {"2021-02-29T00:00:00Z", "day out of range"},
        {"2020-01-01 00:00:00Z", "expected 'T'"},
        {"2020-01-01T24:00:00Z", "hour"},
        {"2020-01-01T00:00:00.Z", "digits after"},
        {"2020-01-01T00:00:00.1234567890Z", "9 fractional"},
        {"2020-01-01T00:00:00+01:00", "expected 'Z'"},
        {"2020-01-01T00:00:00Zjunk", "unexpected text"},
        {"", "year"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_time t;
        vg_error err = {0};
        assert_int_equal(vg_time_parse(bad[i].in, strlen(bad[i].in), VG_TIME_STIX, &t, &err), VG_E_PARSE);
        if (!strstr(err.msg, bad[i].needle))
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].in, err.msg, bad[i].needle);
        /* without an error to fill, still a failure (it once returned 0, with the time unset) */
        assert_int_equal(vg_time_parse(bad[i].in, strlen(bad[i].in), VG_TIME_STIX, &t, NULL), VG_E_PARSE);
    }
}

static void test_core_time__rfc3339_offsets(void **state)
{
    (void)state;
    vg_time t, u;
    vg_error err = {0};
    const char *a = "2020-01-01T01:30:00+01:30", *b = "2020-01-01T00:00:00Z";
    assert_int_equal(vg_time_parse(a, strlen(a), VG_TIME_RFC3339, &t, &err), 0);
    assert_int_equal(vg_time_parse(b, strlen(b), VG_TIME_RFC3339, &u, &err), 0);
    assert_int_equal(vg_time_cmp(&t, &u), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_time__round_trip_keeps_precision),
        cmocka_unit_test(test_core_time__epoch_values),
        cmocka_unit_test(test_core_time__compare_across_precisions),
        cmocka_unit_test(test_core_time__errors_say_where),
        cmocka_unit_test(test_core_time__rfc3339_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
