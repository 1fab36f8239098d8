/*
 * test_schedule.c - the periods of scheduled briefings (calendar weeks by ISO
 * week, months, across year ends) and brief_write_last: three files, written
 * once, and a clear error for a folder that cannot be written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "brief/brief.h"
#include "core/vg_alloc.h"
#include "vg_test.h"

static vg_time at(const char *s)
{
    vg_time t;
    assert_int_equal(vg_time_parse(s, strlen(s), VG_TIME_STIX, &t, NULL), 0);
    return t;
}

static void check(int every, const char *now, const char *from, const char *to, const char *name, const char *next)
{
    vg_time n = at(now), f, t;
    char got[BRIEF_PERIOD_NAME], a[VG_TIME_MAX], b[VG_TIME_MAX], c[VG_TIME_MAX];
    brief_period_last(every, &n, &f, &t, got);
    vg_time_format(&f, a);
    vg_time_format(&t, b);
    vg_time nx = brief_period_next(every, &n);
    vg_time_format(&nx, c);
    assert_string_equal(a, from);
    assert_string_equal(b, to);
    assert_string_equal(got, name);
    assert_string_equal(c, next);
}

static void test_brief_schedule__periods(void **st)
{
    (void)st;
    /* weeks: Monday 00:00 UTC to Monday; named by ISO week */
    check(BRIEF_EVERY_WEEK, "2025-06-11T15:00:00Z", "2025-06-02T00:00:00Z", "2025-06-09T00:00:00Z", "2025-W23",
          "2025-06-16T00:00:00Z");
    check(BRIEF_EVERY_WEEK, "2025-06-09T00:00:00Z", "2025-06-02T00:00:00Z", "2025-06-09T00:00:00Z", "2025-W23",
          "2025-06-16T00:00:00Z");
    check(BRIEF_EVERY_WEEK, "2025-06-08T23:59:59Z", "2025-05-26T00:00:00Z", "2025-06-02T00:00:00Z", "2025-W22",
          "2025-06-09T00:00:00Z");
    /* the ISO week of 2020-12-28 is 2020-W53; of 2024-12-30, 2025-W01 */
    check(BRIEF_EVERY_WEEK, "2021-01-05T08:00:00Z", "2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z", "2020-W53",
          "2021-01-11T00:00:00Z");
    check(BRIEF_EVERY_WEEK, "2025-01-08T08:00:00Z", "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z", "2025-W01",
          "2025-01-13T00:00:00Z");
    /* months: the 1st to the 1st */
    check(BRIEF_EVERY_MONTH, "2025-06-11T15:00:00Z", "2025-05-01T00:00:00Z", "2025-06-01T00:00:00Z", "2025-05",
          "2025-07-01T00:00:00Z");
    check(BRIEF_EVERY_MONTH, "2025-01-01T00:00:00Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z", "2024-12",
          "2025-02-01T00:00:00Z");
    check(BRIEF_EVERY_MONTH, "2024-12-31T23:59:59Z", "2024-11-01T00:00:00Z", "2024-12-01T00:00:00Z", "2024-11",
          "2025-01-01T00:00:00Z");
    check(BRIEF_EVERY_MONTH, "2024-03-15T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-02",
          "2024-04-01T00:00:00Z");
    assert_int_equal(brief_every("week"), BRIEF_EVERY_WEEK);
    assert_int_equal(brief_every("month"), BRIEF_EVERY_MONTH);
    assert_int_equal(brief_every("day"), 0);
}

static void test_brief_schedule__write_last(void **st)
{
    (void)st;
    const char *tmp = vg_test_tmpdir("brief_schedule");
    char db[4200], dir[4200], path[4300];
    snprintf(db, sizeof db, "%s/s.db", tmp);
    snprintf(dir, sizeof dir, "%s/briefs", tmp);
    store *s;
    vg_error err = {0};
    assert_int_equal(store_open(db, STORE_CREATE, &s, &err), 0);
    store_close(s);
    brief_schedule o = {db, dir, BRIEF_EVERY_MONTH, 0};
    vg_time now = at("2025-06-11T15:00:00Z");
    char name[BRIEF_PERIOD_NAME];
    int written = -1;
    assert_int_equal(brief_write_last(&o, &now, name, &written, &err), 0);
    assert_string_equal(name, "2025-05");
    assert_int_equal(written, 1);
    static const char *const ext[] = {"html", "md", "json"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/brief-2025-05.%s", dir, ext[i]);
        size_t n;
        char *text = vg_test_read_file(path, &n);
        assert_true(n > 100);
        assert_non_null(strstr(text, "2025-05-01"));
        free(text);
    }
    snprintf(path, sizeof path, "%s/brief-2025-05.html.tmp", dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), -1); /* no temporary file left */
    assert_int_equal(brief_write_last(&o, &now, name, &written, &err), 0);
    assert_int_equal(written, 0); /* there already */

    /* a folder that cannot be made */
    snprintf(path, sizeof path, "%s/a-file", tmp);
    vg_test_write_file(path, "x", 1);
    snprintf(dir, sizeof dir, "%s/a-file/briefs", tmp);
    brief_schedule bad = {db, dir, BRIEF_EVERY_WEEK, 0};
    assert_int_equal(brief_write_last(&bad, &now, name, &written, &err), VG_E_IO);
    assert_non_null(strstr(err.msg, "cannot make the folder"));
    assert_int_equal(written, 0);

    /* the thread writes at start and stops at once */
    snprintf(dir, sizeof dir, "%s/thread", tmp);
    brief_schedule w = {db, dir, BRIEF_EVERY_WEEK, 0};
    brief_scheduler *b;
    assert_int_equal(brief_scheduler_start(&w, &b, &err), 0);
    vg_time real = vg_time_now(0), f, t;
    brief_period_last(BRIEF_EVERY_WEEK, &real, &f, &t, name);
    snprintf(path, sizeof path, "%s/brief-%s.html", dir, name);
    for (int i = 0; i < 300 && stat(path, &sb) != 0; i++)
        assert_int_equal(vg_test_sh("sleep 0.1"), 0);
    assert_int_equal(stat(path, &sb), 0);
    brief_scheduler_stop(b);
    brief_scheduler_stop(NULL);
    brief_schedule never = {db, dir, 0, 0};
    assert_int_equal(brief_scheduler_start(&never, &b, &err), VG_E_USAGE);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brief_schedule__periods),
        cmocka_unit_test(test_brief_schedule__write_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
