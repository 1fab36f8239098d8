/*
 * test_csv.c - the RFC 4180 reader: quoting, embedded newlines and quotes,
 * BOM, CRLF, blank lines, errors with record/line/column, recovery after a
 * bad record, ceilings, and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/incident.h"
#include "vg_test.h"

static inc_csv *open_s(const char *s, const inc_csv_opts *o)
{
    inc_csv *r;
    vg_error err = {0};
    assert_int_equal(inc_csv_open_mem(s, strlen(s), o, &r, &err), 0);
    return r;
}

static void test_incident_csv__quoting(void **st)
{
    (void)st;
    inc_csv *r = open_s("\xef\xbb\xbf" "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n\r\n\"multi\nline\",,\"\"\n", NULL);
    inc_csv_record rec;
    vg_error err = {0};
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_int_equal(rec.n, 3);
    assert_string_equal(rec.field[0], "a"); /* the BOM is gone */
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_string_equal(rec.field[1], "x, y");
    assert_string_equal(rec.field[2], "he said \"hi\"");
    assert_int_equal(rec.line, 2);
    assert_int_equal(inc_csv_next(r, &rec, &err), 1); /* the blank line was skipped */
    assert_int_equal(rec.n, 3);
    assert_string_equal(rec.field[0], "multi\nline");
    assert_int_equal(rec.len[0], 10);
    assert_string_equal(rec.field[1], "");
    assert_string_equal(rec.field[2], "");
    assert_int_equal(rec.line, 4);
    assert_int_equal(rec.row, 3);
    assert_int_equal(inc_csv_next(r, &rec, &err), 0);
    inc_csv_free(r);
}

static void test_incident_csv__last_line_without_newline(void **st)
{
    (void)st;
    inc_csv *r = open_s("a,b\n1,2", NULL);
    inc_csv_record rec;
    assert_int_equal(inc_csv_next(r, &rec, NULL), 1);
    assert_int_equal(inc_csv_next(r, &rec, NULL), 1);
    assert_string_equal(rec.field[1], "2");
    assert_int_equal(inc_csv_next(r, &rec, NULL), 0);
    inc_csv_free(r);
}

static void test_incident_csv__error_then_recovery(void **st)
{
    (void)st;
    inc_csv *r = open_s("a,b\n\"x\"y,z\n3,4\n", NULL);
    inc_csv_record rec;
    vg_error err = {0};
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_int_equal(inc_csv_next(r, &rec, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "after the closing quote"));
    assert_string_equal(err.where, "record 2, line 2, column 4");
    vg_error_clear(&err);
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_string_equal(rec.field[0], "3");
    assert_int_equal(rec.row, 3);
    assert_int_equal(inc_csv_next(r, &rec, &err), 0);
    inc_csv_free(r);
}

static void test_incident_csv__unterminated(void **st)
{
    (void)st;
    inc_csv *r = open_s("a,b\n1,\"never\nclosed\n", NULL);
    inc_csv_record rec;
    vg_error err = {0};
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_int_equal(inc_csv_next(r, &rec, &err), VG_E_PARSE);
    assert_non_null(strstr(err.msg, "line 2 column 3 is never closed"));
    assert_int_equal(inc_csv_next(r, &rec, &err), 0);
    inc_csv_free(r);
}

static void test_incident_csv__ceilings(void **st)
{
    (void)st;
    inc_csv_opts o = {.max_field = 4, .max_fields = 3};
    inc_csv *r = open_s("abcd,x\nabcde,y\na,b,c,d\nok,1\n", &o);
    inc_csv_record rec;
    vg_error err = {0};
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_int_equal(inc_csv_next(r, &rec, &err), VG_E_LIMIT);
    assert_non_null(strstr(err.msg, "field longer than 4 bytes"));
    assert_int_equal(inc_csv_next(r, &rec, &err), VG_E_LIMIT);
    assert_non_null(strstr(err.msg, "more than 3 fields"));
    assert_int_equal(inc_csv_next(r, &rec, &err), 1);
    assert_string_equal(rec.field[0], "ok");
    inc_csv_free(r);
}

static void test_incident_csv__nomem(void **st)
{
    (void)st;
    const char *s = "a,b,c\n1,\"two\",3\n";
    for (long n = 1; n < 40; n++) {
        vg_alloc_fail_after(n);
        inc_csv *r = NULL;
        vg_error err = {0};
        int rc = inc_csv_open_mem(s, strlen(s), NULL, &r, &err);
        inc_csv_record rec;
        while (!rc && (rc = inc_csv_next(r, &rec, &err)) == 1)
            rc = 0;
        vg_alloc_fail_reset();
        assert_true(rc == 0 || rc == VG_E_NOMEM);
        inc_csv_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incident_csv__quoting),
        cmocka_unit_test(test_incident_csv__last_line_without_newline),
        cmocka_unit_test(test_incident_csv__error_then_recovery),
        cmocka_unit_test(test_incident_csv__unterminated),
        cmocka_unit_test(test_incident_csv__ceilings),
        cmocka_unit_test(test_incident_csv__nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
