/*
 * test_android_logcat.c - the Android log and the shell's environment
 * (src/phone/phone_android_logcat.c). The real test data holds no logcat
 * and no env.txt, so the test writes them in the formats the tools print:
 * an AndroidQF folder (getprop.txt with the device's time zone, logcat.txt
 * in "threadtime" with and without -v uid, a log that began in December of
 * an acquisition made in January, env.txt), a dumpstate with its SYSTEM LOG
 * section, a "-v year" log, and a log with no year to give its lines.
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
#include <sys/stat.h>
#include <utime.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "vg_test.h"

static idx *x;

static void add(json_t *objs, const char *name, const char *pattern)
{
    static int n;
    char id[80];
    snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", ++n);
    json_array_append_new(objs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "indicator",
                                          "spec_version", "2.1", "id", id, "created", "2020-01-01T00:00:00Z",
                                          "modified", "2020-01-01T00:00:00Z", "name", name, "pattern", pattern,
                                          "pattern_type", "stix", "valid_from", "2020-01-01T00:00:00Z"));
}

static void make_index(void)
{
    json_t *objs = json_array();
    add(objs, "c2", "[domain-name:value = 'evil.example']");
    add(objs, "spy", "[app:id = 'com.evil.spy']");
    add(objs, "stalker", "[app:id = 'com.stalk.ware']");
    add(objs, "hook", "[file:path = '/data/local/tmp/libhook.so']");
    json_t *b = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", "bundle--00000000-0000-4000-8000-000000000001",
                          "objects", objs);
    char p[1200];
    snprintf(p, sizeof p, "%s/iocs.json", vg_test_tmpdir("logcat_iocs"));
    assert_int_equal(json_dump_file(b, p, 0), 0);
    json_decref(b);
    const char *paths[] = {p};
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 1, &x, &err), 0);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char p[1300];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    vg_test_write_file(p, text, strlen(text));
}

/* The finding of an artifact with that value and level; NULL when none. */
static const phone_finding *find(const phone_report *r, const char *artifact, int level, const char *value)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, artifact) == 0 && f->level == level && (!value || strcmp(f->value, value) == 0))
            return f;
    }
    return NULL;
}

static void time_is(const phone_finding *f, const char *want)
{
    assert_non_null(f);
    assert_true(f->has_time);
    char t[VG_TIME_MAX];
    vg_time_format(&f->time, t);
    assert_string_equal(t, want);
}

static const phone_artifact *art(const phone_report *r, const char *name)
{
    for (size_t i = 0; i < r->nartifacts; i++)
        if (strcmp(r->artifacts[i].name, name) == 0)
            return &r->artifacts[i];
    fail_msg("no artifact %s", name);
    return NULL;
}

static phone_report *one(const char *artifact, const char *text)
{
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_android_artifact(x, artifact, text, strlen(text), "logcat.txt", NULL, &r, &err);
    if (rc)
        fail_msg("%s", err.msg);
    return r;
}

/* An AndroidQF folder: the log's lines get the acquisition's year (the one before for December), in UTC. */
static void test_phone_android_logcat__androidqf(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("logcat_aqf");
    write_text(dir, "getprop.txt", "[persist.sys.timezone]: [Europe/Paris]\n[ro.product.model]: [Pixel 7]\n");
    write_text(dir, "logcat.txt",
               "--------- beginning of main\n"
               "12-31 23:59:58.000  1000  1234  1250 I ActivityManager: Start proc 4321:com.evil.spy/u0a245 for "
               "service {com.evil.spy/com.evil.spy.Sync}\n"
               "01-09 10:00:00.123 u0_a245  4321  4330 D OkHttp  : --> GET https://c2.evil.example/beacon?id=7 "
               "http/1.1\n"
               "01-09 10:00:01.000  4321  4330 W System.err: \tat com.evil.spy.net.Client.run(Client.java:42)\n"
               "01-09 10:00:02.000  1000  1500  1520 I ActivityTaskManager: START u0 {flg=0x10000000 "
               "cmp=com.stalk.ware/.ui.Main} from uid 2000\n"
               "not a log line\n");
    write_text(dir, "env.txt",
               "ANDROID_ROOT=/system\nPATH=/data/local/tmp/bin:/product/bin:/apex/com.android.runtime/bin:"
               "/system/bin\nLD_PRELOAD=/data/local/tmp/libhook.so\nBOOTCLASSPATH=/apex/com.android.art/"
               "javalib/core-oj.jar:/system/framework/framework.jar\n");
    char p[1300];
    snprintf(p, sizeof p, "%s/logcat.txt", dir);
    struct utimbuf ut = {1704880800, 1704880800}; /* 2024-01-10T10:00:00Z: AndroidQF wrote the log then */
    assert_int_equal(utime(p, &ut), 0);
    phone_report *r = NULL;
    vg_error err = {0};
    phone_opts o = {0};
    o.collect = 1;
    assert_int_equal(phone_check_android(x, dir, &o, &r, &err), 0);
    /* December of the year before, Paris (UTC+1) to UTC */
    const phone_finding *f = find(r, "logcat", PHONE_CRITICAL, "com.evil.spy");
    time_is(f, "2023-12-31T22:59:58.000Z");
    assert_string_equal(f->record, "line 2 ActivityManager");
    time_is(find(r, "logcat", PHONE_CRITICAL, "https://c2.evil.example/beacon?id=7"), "2024-01-09T09:00:00.123Z");
    assert_non_null(find(r, "logcat", PHONE_CRITICAL, "com.stalk.ware"));
    /* the Java name of line 4 is looked up as an app id too ("com.evil.spy.net.Client" is no hit: not the id) */
    assert_int_equal(art(r, "logcat")->records, 4);
    assert_null(art(r, "logcat")->error);
    /* env.txt */
    f = find(r, "aqf_env", PHONE_CRITICAL, "/data/local/tmp/libhook.so");
    assert_non_null(f);
    assert_string_equal(f->record, "LD_PRELOAD");
    f = find(r, "aqf_env", PHONE_HIGH, NULL);
    assert_non_null(f);
    size_t high = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        high += strcmp(r->findings[i].artifact, "aqf_env") == 0 && r->findings[i].level == PHONE_HIGH;
    assert_int_equal(high, 2); /* LD_PRELOAD, and /data/local/tmp/bin in PATH */
    assert_int_equal(art(r, "aqf_env")->records, 4);
    size_t events = 0;
    for (size_t i = 0; i < r->nevents; i++)
        events += strcmp(r->events[i].artifact, "aqf_env") == 0 && r->events[i].kind == IDX_K_NONE;
    assert_int_equal(events, 4); /* each variable, for the output */
    phone_report_free(r);
}

/* A bugreport's SYSTEM LOG section, timed with dumpstate's own year; "-v year" logs; a log without a year. */
static void test_phone_android_logcat__sections(void **state)
{
    (void)state;
    phone_report *r = one("dumpstate",
                          "========================================================\n"
                          "== dumpstate: 2021-09-29 17:43:49\n"
                          "========================================================\n"
                          "DUMP OF SERVICE AAS:\n\n"
                          "------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------\n"
                          "--------- beginning of main\n"
                          "09-29 17:40:00.000  1000  1234  1250 I ActivityManager: Killing 4321:com.evil.spy/u0a245 "
                          "(adj 900): empty #17\n"
                          "------ 0.123s was the duration of 'SYSTEM LOG' ------\n"
                          "------ EVENT LOG (logcat -b events -v threadtime -v printable -v uid -d *:v) ------\n"
                          "09-29 17:41:00.500  1000  1234  1250 I am_proc_start: [0,4321,10245,com.evil.spy,"
                          "service,{com.evil.spy/.Sync}] see http://evil.example/x\n");
    time_is(find(r, "logcat", PHONE_CRITICAL, "com.evil.spy"), "2021-09-29T17:40:00.000Z");
    time_is(find(r, "logcat", PHONE_CRITICAL, "http://evil.example/x"), "2021-09-29T17:41:00.500Z");
    assert_int_equal(art(r, "logcat")->files, 2);
    phone_report_free(r);

    r = one("logcat", "2022-03-01 08:00:00.250  1000  1234  1250 I PackageManager: Package com.evil.spy codePath "
                      "changed\n");
    time_is(find(r, "logcat", PHONE_CRITICAL, "com.evil.spy"), "2022-03-01T08:00:00.250Z");
    phone_report_free(r);

    /* no year anywhere: the line is read, untimed, and the artifact says so */
    r = one("logcat", "03-01 08:00:00.250  1000  1234  1250 I PackageManager: pkg=com.evil.spy\n");
    const phone_finding *f = find(r, "logcat", PHONE_CRITICAL, "com.evil.spy");
    assert_non_null(f);
    assert_false(f->has_time);
    assert_non_null(art(r, "logcat")->error);
    assert_non_null(strstr(art(r, "logcat")->error, "untimed"));
    phone_report_free(r);

    /* not a log at all */
    r = one("logcat", "hello\nworld\n");
    assert_int_equal(art(r, "logcat")->state, PHONE_FAILED);
    phone_report_free(r);
}

int main(void)
{
    vg_alloc_init();
    make_index();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_android_logcat__androidqf),
        cmocka_unit_test(test_phone_android_logcat__sections),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    idx_free(x);
    return rc;
}
