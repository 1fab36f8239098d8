/*
 * test_android.c - `vigil phone check-android` on the real Android artifacts
 * of ../shared/data/mobile with test-indicators.stix2: every alert the
 * reference tool (MVT) reported for check-bugreport and check-androidqf
 * (expected-mvt-output/.../alerts.json) is read from that file and must be
 * among vigil's findings (same module, level, record); the SMS links of the
 * encrypted AndroidQF and backup runs (urls.json) must be looked up with
 * their times; each single-artifact file of android_data/ is read by its
 * reader and, with the indicator MVT's own tests add for it, hits. Where
 * vigil differs, the test says why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "vg_test.h"

static char mobile[1024], bundle[1200], extra[1200];

/* test-indicators.stix2, plus the indicators MVT's unit tests add one at a time (all in one extra bundle). */
static const char *const added[] = {
    "[app:id = 'com.sec.android.app.camera']",        /* dumpsys_accessibility.txt */
    "[app:id = 'com.facebook.katana']",               /* dumpsys_appops.txt */
    "[app:id = 'com.facebook.system']",               /* dumpsys_battery.txt, daily */
    "[app:id = 'com.samsung.android.app.reminder']",  /* dumpsys_battery.txt, history */
    "[app:id = 'com.wssyncmldm']",                    /* dumpsys_dbinfo.txt */
    "[app:id = 'com.sec.android.app.DataCreate']",    /* dumpsys_packages.txt, packages */
    "[app:id = 'com.google.android.gms']",            /* dumpsys_packages.txt, activities */
    "[app:id = 'com.android.storagemanager']",        /* dumpsys_packages.txt, receivers */
    "[app:id = 'org.torproject.torbrowser']",         /* dumpsys_platform_compat.txt */
    "[app:id = 'org.article19.circulo.next']",        /* dumpsys_platform_compat.txt */
    "[android-property:name = 'dalvik.vm.appimageformat']", /* getprop.txt */
    "[android-property:name = 'dalvik.vm.heapmaxfree']",    /* androidqf/getprop.txt */
    "[process:name = 'lru-add-drain']",               /* ps.txt */
    "[app:id = 'com.malware.blah']",                  /* androidqf/packages.json */
    "[file:hashes.'SHA-256' = '31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa']",
    "[app:cert.sha256 = 'c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730']",
    "[process:name = 'mtk.ape.decoder.worker']",      /* tombstone_process.txt: the kernel keeps 15 characters */
};
#define NADDED (sizeof added / sizeof added[0])

static void write_extra(void)
{
    json_t *objs = json_array();
    for (size_t i = 0; i < NADDED; i++) {
        char id[80];
        snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012zu", i + 1);
        json_array_append_new(objs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "indicator",
                                              "spec_version", "2.1", "id", id, "created", "2020-01-01T00:00:00Z",
                                              "modified", "2020-01-01T00:00:00Z", "name", "Added", "pattern",
                                              added[i], "pattern_type", "stix", "valid_from", "2020-01-01T00:00:00Z"));
    }
    json_t *b = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", "bundle--00000000-0000-4000-8000-000000000001",
                          "objects", objs);
    snprintf(extra, sizeof extra, "%s/added.json", vg_test_tmpdir("android_iocs"));
    assert_int_equal(json_dump_file(b, extra, 0), 0);
    json_decref(b);
}

static idx *test_index(int with_added)
{
    const char *paths[] = {bundle, extra};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, with_added ? 2 : 1, &x, &err), 0);
    assert_int_equal(idx_indicator_count(x), with_added ? 9 + NADDED : 9);
    return x;
}

static int ask_123456(void *ctx, const char *what, char *buf, size_t n)
{
    (void)what;
    (*(int *)ctx)++;
    snprintf(buf, n, "123456");
    return 0;
}

static phone_report *check(const idx *x, const char *rel, const phone_opts *o)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/%s", mobile, rel);
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_android(x, path, o, &r, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", err.where, err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static phone_report *artifact(const idx *x, const char *name, const char *rel)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/%s", mobile, rel);
    size_t len;
    char *d = vg_test_read_file(path, &len);
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_android_artifact(x, name, d, len, rel, NULL, &r, &err);
    free(d);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static const phone_artifact *art(const phone_report *r, const char *name)
{
    for (size_t i = 0; i < r->nartifacts; i++)
        if (strcmp(r->artifacts[i].name, name) == 0)
            return &r->artifacts[i];
    fail_msg("no artifact %s", name);
    return NULL;
}

/* Findings of an artifact at a level whose record holds `in_record` (NULL: any), counted. */
static size_t count(const phone_report *r, const char *artifact, int level, const char *in_record)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, artifact) == 0 && f->level == level && (!in_record || strstr(f->record, in_record)))
            n++;
    }
    return n;
}

static const phone_finding *find(const phone_report *r, const char *artifact, int level, const char *in_record)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, artifact) == 0 && f->level == level && (!in_record || strstr(f->record, in_record)))
            return f;
    }
    return NULL;
}

static int level_of(const char *mvt)
{
    static const char *const names[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
    for (int i = 0; i < 5; i++)
        if (strcmp(mvt, names[i]) == 0)
            return i;
    fail_msg("unknown level %s", mvt);
    return -1;
}

static json_t *expected(const char *run, const char *file)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/expected-mvt-output/%s/%s", mobile, run, file);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    if (!j)
        fail_msg("%s: %s", p, je.text);
    return j;
}

static void time_is(const phone_finding *f, const char *want)
{
    assert_non_null(f);
    assert_true(f->has_time);
    char t[VG_TIME_MAX];
    vg_time_format(&f->time, t);
    assert_string_equal(t, want);
}

/* check-bugreport: 1 MEDIUM appops, 2 MEDIUM tombstones. */
static void test_phone_android__expected_mvt_bugreport(void **state)
{
    (void)state;
    idx *x = test_index(0);
    phone_report *r = check(x, "android_data/bugreport", NULL);
    json_t *alerts = expected("android_check-bugreport", "alerts.json");
    assert_int_equal(json_array_size(alerts), 3);
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
        const char *module = json_string_value(json_object_get(a, "module"));
        int level = level_of(json_string_value(json_object_get(a, "level")));
        json_t *ev = json_object_get(a, "event");
        char rec[256];
        if (strcmp(module, "dumpsys_appops") == 0) {
            /* the same package and permission */
            snprintf(rec, sizeof rec, "package %s op %s", json_string_value(json_object_get(ev, "package_name")),
                     json_string_value(json_object_get(json_array_get(json_object_get(ev, "permissions"), 0), "name")));
        } else {
            assert_string_equal(module, "tombstones");
            snprintf(rec, sizeof rec, "%s pid %lld %s uid %lld", json_string_value(json_object_get(ev, "file_name")),
                     (long long)json_integer_value(json_object_get(ev, "pid")),
                     json_string_value(json_object_get(ev, "process_name")),
                     (long long)json_integer_value(json_object_get(ev, "uid")));
        }
        if (!find(r, module, level, rec))
            fail_msg("MVT alert %s %s (%s) not reported", module, rec, json_string_value(json_object_get(a, "message")));
    }
    json_decref(alerts);
    /* MVT gives tombstone times in the device's local time; the files carry their offset, so vigil gives UTC */
    time_is(find(r, "tombstones", PHONE_MEDIUM, "tombstone_00"), "2021-09-29T15:43:49Z"); /* 17:43:49+0200 */
    time_is(find(r, "tombstones", PHONE_MEDIUM, "tombstone_01"), "2023-08-22T03:28:59Z"); /* 23:28:59-0400 */
    assert_int_equal(r->nfindings, 3);
    assert_int_equal(r->hits, 0);
    /* what MVT's per-module outputs list: 12 appops packages, 2 packages, 2 tombstones, 2 file timestamps */
    assert_int_equal(art(r, "dumpsys_appops")->records, 12);
    assert_int_equal(art(r, "dumpsys_packages")->records, 2);
    assert_int_equal(art(r, "tombstones")->records, 2);
    assert_int_equal(art(r, "bugreport_timestamps")->records, 2);
    /* MVT's dumpsys_platform_compat.json has the 2 rawOverrides; vigil also reads packageOverrides (2 more, 1 new) */
    assert_int_equal(art(r, "dumpsys_platform_compat")->records, 4);
    assert_int_equal(r->device.napps, 2);
    phone_report_free(r);
    idx_free(x);
}

/* check-androidqf: 5 packages, 1 setting, 4 root binaries. */
static void test_phone_android__expected_mvt_androidqf(void **state)
{
    (void)state;
    idx *x = test_index(0);
    phone_report *r = check(x, "androidqf", NULL);
    json_t *alerts = expected("android_check-androidqf", "alerts.json");
    assert_int_equal(json_array_size(alerts), 10);
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
        const char *module = json_string_value(json_object_get(a, "module"));
        int level = level_of(json_string_value(json_object_get(a, "level")));
        json_t *ev = json_object_get(a, "event");
        char rec[512];
        if (strcmp(module, "aqf_packages") == 0)
            snprintf(rec, sizeof rec, "package %s", json_string_value(json_object_get(ev, "name")));
        else if (strcmp(module, "aqf_settings") == 0)
            snprintf(rec, sizeof rec, "%s=%s", json_string_value(json_object_get(ev, "key")),
                     json_string_value(json_object_get(ev, "value")));
        else
            snprintf(rec, sizeof rec, "root binary %s", json_string_value(json_object_get(ev, "path")));
        const phone_finding *f = find(r, module, level, rec);
        if (!f)
            fail_msg("MVT alert %s %s %s not reported", json_string_value(json_object_get(a, "level")), module, rec);
        assert_int_equal(f->indicator, -1);
    }
    json_decref(alerts);
    /*
     * vigil reads more than MVT's check-androidqf: AndroidQF's dumpsys.txt
     * (MVT reads dumpsys only from a nested bugreport.zip). It holds the same
     * appops REQUEST_INSTALL_PACKAGES grant as the bugreport, and adb's
     * trusted key; the other extra findings are informational (installed
     * but not enabled accessibility services, receivers of call state).
     */
    assert_non_null(find(r, "dumpsys_appops", PHONE_MEDIUM, "org.mozilla.firefox op REQUEST_INSTALL_PACKAGES"));
    assert_non_null(find(r, "dumpsys_adb", PHONE_LOW, "F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6 user@linux"));
    size_t above_info = 0;
    for (size_t k = 0; k < r->nfindings; k++)
        above_info += r->findings[k].level > PHONE_INFO;
    assert_int_equal(above_info, 9 + 2); /* MVT's 10 less its informational one, and the two above */
    /* what MVT's per-module outputs list */
    assert_int_equal(art(r, "aqf_packages")->records, 7);
    assert_int_equal(art(r, "processes")->records, 15);
    assert_int_equal(art(r, "getprop")->records, 10);
    assert_int_equal(art(r, "aqf_files")->records, 3);
    assert_int_equal(art(r, "root_binaries")->records, 4);
    assert_int_equal(art(r, "sms")->records, 2); /* the nested backup.ab: sms.json has 2 messages */
    assert_int_equal(r->device.napps, 7);
    phone_report_free(r);
    idx_free(x);
}

/* What on_value saw, for the SMS links. */
typedef struct seen {
    char url[8][256];
    char time[8][VG_TIME_MAX];
    size_t n;
} seen;

static int on_value(const char *artifact, const char *record, int kind, const char *value, const vg_time *t, void *ctx)
{
    seen *s = ctx;
    (void)record;
    if (strcmp(artifact, "sms") == 0 && kind == IDX_K_URL && s->n < 8) {
        snprintf(s->url[s->n], sizeof s->url[0], "%s", value);
        if (t)
            vg_time_format(t, s->time[s->n]);
        s->n++;
    }
    return 0;
}

/* MVT's urls.json "2022-02-22 15:29:41.956000" (UTC: SMS dates are Unix milliseconds) as vigil's time. */
static void urls_match(const char *run, const seen *s)
{
    json_t *urls = expected(run, "urls.json");
    size_t i;
    json_t *u;
    json_array_foreach(urls, i, u)
    {
        const char *want = json_string_value(json_object_get(u, "url"));
        const char *ts = json_string_value(json_object_get(u, "timestamp"));
        int ok = 0;
        for (size_t k = 0; k < s->n; k++) {
            if (strcmp(s->url[k], want) != 0)
                continue;
            /* "YYYY-MM-DD HH:MM:SS.ffffff" vs "YYYY-MM-DDTHH:MM:SS.fffZ": the same date and time to the second */
            if (strncmp(s->time[k], ts, 10) == 0 && strncmp(s->time[k] + 11, ts + 11, 8) == 0)
                ok = 1;
            else if (strncmp(ts, "1970-01-19", 10) == 0 && strncmp(s->time[k], "2020-01-20T14:49:49", 19) == 0)
                ok = 1; /* the MMS: its date is in seconds (1579531789), which MVT reads as milliseconds */
        }
        if (!ok)
            fail_msg("%s: url %s at %s not looked up", run, want, ts);
    }
    assert_int_equal(s->n, json_array_size(urls));
    json_decref(urls);
}

static void test_phone_android__sms_links(void **state)
{
    (void)state;
    idx *x = test_index(0);
    int asked = 0;
    seen s;
    phone_opts o = {0};
    o.on_value = on_value;
    o.ctx = &s;
    o.password = ask_123456;
    o.password_ctx = &asked;
    static const struct {
        const char *path, *run;
        int asks;
    } runs[] = {
        {"androidqf", "android_check-androidqf", 0},
        {"androidqf_encrypted", "android_check-androidqf_encrypted", 1},
        {"androidqf_encrypted/backup.ab", "android_check-backup_encrypted", 1},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        memset(&s, 0, sizeof s);
        asked = 0;
        phone_report *r = check(x, runs[i].path, &o);
        assert_int_equal(asked, runs[i].asks);
        assert_int_equal(art(r, "backup")->state, PHONE_READ);
        urls_match(runs[i].run, &s);
        phone_report_free(r);
    }
    idx_free(x);
}

static void tar_sha256_is(const char *rel, const char *pw, const char *head, const char *tail)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/%s", mobile, rel);
    size_t len;
    char *d = vg_test_read_file(path, &len);
    char *tar = NULL;
    size_t tl = 0;
    vg_error err = {0};
    int rc = phone_ab_decode(d, len, pw, 1u << 26, &tar, &tl, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", rel, err.msg);
    assert_int_equal(rc, 0);
    unsigned char md[32];
    unsigned mdl = 0;
    assert_int_equal(EVP_Digest(tar, tl, md, &mdl, EVP_sha256(), NULL), 1);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_memory_equal(hex, head, strlen(head));
    assert_string_equal(hex + 64 - strlen(tail), tail);
    vg_free(tar);
    free(d);
}

/* The three backups: headers, the tar inside (MANIFEST's SHA-256, first and last digits), SMS, wrong password. */
static void test_phone_android__backups(void **state)
{
    (void)state;
    tar_sha256_is("android_backup/backup.ab", NULL, "ce1ac500", "5d18");
    tar_sha256_is("android_backup/backup2.ab", "123456", "f365ace1", "3896");
    tar_sha256_is("android_backup/backup3.ab", NULL, "33e73df2", "e3a");
    idx *x = test_index(0);
    static const struct {
        const char *path;
        int sms;
    } b[] = {{"android_backup/backup.ab", 2}, {"android_backup/backup3.ab", 1}};
    for (size_t i = 0; i < 2; i++) {
        seen s;
        memset(&s, 0, sizeof s);
        phone_opts o = {0};
        o.on_value = on_value;
        o.ctx = &s;
        phone_report *r = check(x, b[i].path, &o);
        assert_int_equal(art(r, "sms")->records, b[i].sms);
        assert_int_equal(art(r, "backup_packages")->records, 1); /* com.android.providers.telephony */
        phone_report_free(r);
    }
    /* MVT's first link of backup.ab is http://google.com (the MMS), then https://google.com/ */
    seen s;
    memset(&s, 0, sizeof s);
    phone_opts o = {0};
    o.on_value = on_value;
    o.ctx = &s;
    phone_report *r = check(x, "android_backup/backup.ab", &o);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.url[0], "https://google.com/");
    assert_string_equal(s.url[1], "http://google.com");
    phone_report_free(r);
    /* the extracted backup folder: its files are read as they are */
    r = check(x, "android_backup", &o);
    assert_true(art(r, "sms")->records >= 2);
    phone_report_free(r);
    /* a wrong password: the backup fails with a clear error, the check does not */
    size_t len;
    char path[1300];
    snprintf(path, sizeof path, "%s/android_backup/backup2.ab", mobile);
    char *d = vg_test_read_file(path, &len);
    char *tar = NULL;
    size_t tl;
    vg_error err = {0};
    assert_int_equal(phone_ab_decode(d, len, "654321", 1u << 26, &tar, &tl, &err), VG_E_INVALID);
    assert_non_null(strstr(err.msg, "wrong password"));
    vg_error_clear(&err);
    assert_int_equal(phone_ab_decode(d, len, NULL, 1u << 26, &tar, &tl, &err), VG_E_USAGE);
    free(d);
    r = check(x, "android_backup/backup2.ab", NULL); /* no password callback */
    assert_int_equal(art(r, "backup")->state, PHONE_FAILED);
    assert_non_null(strstr(art(r, "backup")->error, "no password"));
    phone_report_free(r);
    idx_free(x);
}

/* Each single-artifact file with the indicator MVT's unit test adds for it. */
static void test_phone_android__single_artifacts(void **state)
{
    (void)state;
    idx *x = test_index(1);
    phone_report *r;

    r = artifact(x, "dumpsys_accessibility", "android_data/dumpsys_accessibility.txt");
    assert_int_equal(r->artifacts ? art(r, "dumpsys_accessibility")->records : 0, 4);
    assert_int_equal(count(r, "dumpsys_accessibility", PHONE_CRITICAL, "com.sec.android.app.camera/"), 1);
    /*
     * MVT: 3 MEDIUM for the other installed services. This file's "enabled
     * services: {}" is empty: vigil gives installed-but-disabled services
     * as informational and keeps MEDIUM for enabled ones (next file).
     */
    assert_int_equal(count(r, "dumpsys_accessibility", PHONE_INFO, "installed accessibility service"), 4);
    phone_report_free(r);

    r = artifact(x, "dumpsys_accessibility", "android_data/dumpsys_accessibility_v14_or_later.txt");
    assert_int_equal(count(r, "dumpsys_accessibility", PHONE_MEDIUM,
                           "enabled accessibility service com.malware.accessibility/com.malware.service.malwareservice"),
                     1);
    phone_report_free(r);

    static const char *const adb[] = {"android_data/dumpsys_adb.txt", "android_data/dumpsys_adb_wifi.txt"};
    for (size_t i = 0; i < 2; i++) {
        r = artifact(x, "dumpsys_adb", adb[i]);
        assert_int_equal(count(r, "dumpsys_adb", PHONE_LOW, NULL), 1); /* user_keys and the ABX keystore: one key */
        assert_non_null(find(r, "dumpsys_adb", PHONE_LOW, "adb key F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6 user@linux"));
        assert_null(art(r, "dumpsys_adb")->error); /* the keystore, ABX printed as text, was read back */
        phone_report_free(r);
    }
    r = artifact(x, "dumpsys_adb", "android_data/dumpsys_adb_xml.txt");
    const phone_finding *f = find(r, "dumpsys_adb", PHONE_LOW, "user@laptop");
    time_is(f, "2021-08-09T09:37:09.898Z"); /* lastConnection 1628501829898 */
    phone_report_free(r);

    r = artifact(x, "dumpsys_appops", "android_data/dumpsys_appops.txt");
    assert_int_equal(art(r, "dumpsys_appops")->records, 13);
    assert_true(count(r, "dumpsys_appops", PHONE_CRITICAL, "com.facebook.katana") >= 1);
    assert_int_equal(count(r, "dumpsys_appops", PHONE_MEDIUM, "op REQUEST_INSTALL_PACKAGES"), 2);
    phone_report_free(r);

    r = artifact(x, "dumpsys_battery_daily", "android_data/dumpsys_battery.txt");
    assert_true(count(r, "dumpsys_battery_daily", PHONE_CRITICAL, "com.facebook.system") >= 1);
    phone_report_free(r);
    r = artifact(x, "dumpsys_battery_history", "android_data/dumpsys_battery.txt");
    assert_int_equal(art(r, "dumpsys_battery_history")->records, 5);
    assert_int_equal(count(r, "dumpsys_battery_history", PHONE_CRITICAL, "com.samsung.android.app.reminder"), 2);
    /* +47s645ms after RESET:TIME 2022-01-04-17-30-01 (device time, no zone in the file: taken as UTC) */
    time_is(find(r, "dumpsys_battery_history", PHONE_CRITICAL, "+job"), "2022-01-04T17:30:48.645Z");
    phone_report_free(r);

    r = artifact(x, "dumpsys_dbinfo", "android_data/dumpsys_dbinfo.txt");
    assert_int_equal(count(r, "dumpsys_dbinfo", PHONE_CRITICAL, " operation "), 5);
    time_is(find(r, "dumpsys_dbinfo", PHONE_CRITICAL, "operation 0 executeForCursorWindow"), "2023-07-27T12:21:44.097Z");
    phone_report_free(r);

    r = artifact(x, "dumpsys_packages", "android_data/dumpsys_packages.txt");
    assert_int_equal(art(r, "dumpsys_packages")->records, 2);
    assert_int_equal(count(r, "dumpsys_packages", PHONE_CRITICAL, "package com.sec.android.app.DataCreate"), 1);
    phone_report_free(r);
    r = artifact(x, "dumpsys_activities", "android_data/dumpsys_packages.txt");
    assert_true(count(r, "dumpsys_activities", PHONE_CRITICAL, "activity com.google.android.gms/") >= 1);
    phone_report_free(r);
    r = artifact(x, "dumpsys_receivers", "android_data/dumpsys_packages.txt");
    assert_true(count(r, "dumpsys_receivers", PHONE_CRITICAL, "receiver com.android.storagemanager/") >= 1);
    phone_report_free(r);

    r = artifact(x, "dumpsys_platform_compat", "android_data/dumpsys_platform_compat.txt");
    assert_int_equal(count(r, "dumpsys_platform_compat", PHONE_CRITICAL, "org.torproject.torbrowser"), 1);
    assert_int_equal(count(r, "dumpsys_platform_compat", PHONE_CRITICAL, "org.article19.circulo.next"), 1);
    phone_report_free(r);

    r = artifact(x, "getprop", "android_data/getprop.txt");
    assert_int_equal(art(r, "getprop")->records, 13);
    assert_int_equal(count(r, "getprop", PHONE_CRITICAL, "property dalvik.vm.appimageformat"), 1);
    phone_report_free(r);
    r = artifact(x, "getprop", "androidqf/getprop.txt");
    assert_int_equal(count(r, "getprop", PHONE_CRITICAL, "property dalvik.vm.heapmaxfree"), 1);
    phone_report_free(r);

    r = artifact(x, "processes", "android_data/ps.txt");
    assert_int_equal(art(r, "processes")->records, 17);
    assert_int_equal(count(r, "processes", PHONE_CRITICAL, "lru-add-drain"), 1);
    phone_report_free(r);

    r = artifact(x, "tombstones", "android_data/tombstone_process.txt");
    /* "mtk.ape.decoder" is what the kernel kept of the indicator mtk.ape.decoder.worker (15 characters) */
    f = find(r, "tombstones", PHONE_CRITICAL, "pid 25541 mtk.ape.decoder uid 1046");
    time_is(f, "2023-04-12T10:32:40.518290770Z"); /* 12:32:40.518290770+0200 */
    assert_int_equal(f->kind, IDX_K_PROC_TRUNC);
    assert_int_equal(count(r, "tombstones", PHONE_MEDIUM, NULL), 0); /* uid 1046 is not root, system or shell */
    phone_report_free(r);
    /* the protobuf form of the same crash (AOSP tombstone.proto; vigil's own .proto of the fields it reads) */
    r = artifact(x, "tombstones", "android_data/tombstone_process.pb");
    f = find(r, "tombstones", PHONE_CRITICAL, "tombstone_process.pb pid 25541 mtk.ape.decoder uid 1046");
    time_is(f, "2023-04-12T10:32:40.518290770Z");
    assert_int_equal(f->kind, IDX_K_PROC_TRUNC);
    assert_int_equal(art(r, "tombstones")->records, 1);
    phone_report_free(r);

    r = check(x, "androidqf", NULL);
    assert_int_equal(count(r, "aqf_packages", PHONE_CRITICAL, "package com.malware.blah"), 1);
    f = find(r, "aqf_packages", PHONE_CRITICAL, "package com.malware.muahaha file");
    assert_non_null(f);
    assert_string_equal(f->value, "31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa");
    assert_non_null(find(r, "aqf_packages", PHONE_CRITICAL, "package com.malware.muahaha certificate"));
    phone_report_free(r);
    idx_free(x);
}

/* A bugreport as a zip (made here from the folder) reads as the folder does. */
static void test_phone_android__zip_as_folder(void **state)
{
    (void)state;
    const char *tmp = vg_test_tmpdir("android_zip");
    static const char *const files[] = {"main_entry.txt", "dumpstate.txt", "FS/data/tombstones/tombstone_00",
                                        "FS/data/tombstones/tombstone_01"};
    char zp[1400];
    snprintf(zp, sizeof zp, "%s/br.zip", tmp);
    struct archive *w = archive_write_new();
    assert_int_equal(archive_write_set_format_zip(w), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(w, zp), ARCHIVE_OK);
    for (size_t i = 0; i < 4; i++) {
        char p[1400];
        snprintf(p, sizeof p, "%s/android_data/bugreport/%s", mobile, files[i]);
        size_t len;
        char *d = vg_test_read_file(p, &len);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, files[i]);
        archive_entry_set_size(e, (la_int64_t)len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, 1700000000, 0);
        assert_int_equal(archive_write_header(w, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(w, d, len), (la_ssize_t)len);
        archive_entry_free(e);
        free(d);
    }
    assert_int_equal(archive_write_close(w), ARCHIVE_OK);
    archive_write_free(w);
    idx *x = test_index(0);
    char p[1400];
    snprintf(p, sizeof p, "%s/br.zip", tmp);
    phone_report *r = NULL;
    vg_error err = {0};
    assert_int_equal(phone_check_android(x, p, NULL, &r, &err), 0);
    assert_int_equal(r->nfindings, 3);
    assert_int_equal(count(r, "tombstones", PHONE_MEDIUM, NULL), 2);
    assert_int_equal(art(r, "bugreport_timestamps")->records, 2);
    phone_report_free(r);
    /* the AndroidQF zip: its files sit under a top folder */
    r = check(x, "androidqf.zip", NULL);
    assert_int_equal(art(r, "getprop")->records, 10);
    phone_report_free(r);
    idx_free(x);
}

int main(void)
{
    vg_alloc_init();
    const char *shared = vg_test_shared();
    snprintf(mobile, sizeof mobile, "%s/data/mobile", shared);
    snprintf(bundle, sizeof bundle, "%s/test-indicators.stix2", mobile);
    write_extra();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_android__expected_mvt_bugreport),
        cmocka_unit_test(test_phone_android__expected_mvt_androidqf),
        cmocka_unit_test(test_phone_android__sms_links),
        cmocka_unit_test(test_phone_android__backups),
        cmocka_unit_test(test_phone_android__single_artifacts),
        cmocka_unit_test(test_phone_android__zip_as_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
