/*
 * test_ios_output.c - `check-ios --output DIR` on the real test backup: the
 * findings file holds what the check found, the per-artifact files what each
 * artifact read (the interactions with WhatsApp identities resolved), the
 * timeline is sorted by time and quotes its fields, and the HTML page is
 * self-contained and escapes everything, checked with a backup whose TCC
 * client names are markup and CSV-breaking text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "phone/phone.h"
#include "vg_test.h"

static char backup[1024], bundle[1024];

static idx *test_index(void)
{
    const char *paths[] = {bundle};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 1, &x, &err), 0);
    return x;
}

static phone_report *collect(const idx *x, const char *path)
{
    phone_opts o = {0};
    o.collect = 1;
    phone_report *r = NULL;
    vg_error err = {0};
    assert_int_equal(phone_check_ios(x, path, &o, &r, &err), 0);
    return r;
}

static char *slurp(const char *dir, const char *name)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return vg_test_read_file(p, NULL);
}

static json_t *load(const char *dir, const char *name)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    if (!j)
        fail_msg("%s: %s", p, je.text);
    return j;
}

static void test_phone_ios_output__real_backup(void **state)
{
    (void)state;
    idx *x = test_index();
    phone_report *r = collect(x, backup);
    const char *dir = vg_test_tmpdir("phone_output");
    vg_error err = {0};
    assert_int_equal(phone_write_output(x, r, dir, &err), 0);
    /* findings.json: the check's findings, with the indicator of the hits */
    json_t *fs = load(dir, "findings.json");
    assert_int_equal(json_array_size(fs), r->nfindings);
    size_t i;
    json_t *f;
    int sms = 0;
    json_array_foreach(fs, i, f)
    {
        const char *a = json_string_value(json_object_get(f, "artifact"));
        if (strcmp(a, "sms") == 0) {
            assert_string_equal(json_string_value(json_object_get(f, "level")), "critical");
            assert_string_equal(json_string_value(json_object_get(f, "indicator_name")), "TestMalware");
            assert_string_equal(json_string_value(json_object_get(f, "time")), "2019-08-29T23:13:30.539788Z");
            sms++;
        }
    }
    assert_int_equal(sms, 1);
    json_decref(fs);
    /* info.json: the device and every artifact */
    json_t *info = load(dir, "info.json");
    assert_string_equal(json_string_value(json_object_get(json_object_get(info, "device"), "build_version")), "18C66");
    assert_int_equal(json_array_size(json_object_get(info, "artifacts")), r->nartifacts);
    json_decref(info);
    /* per artifact: the manifest's 3,721 rows each looked up, the interactions resolved */
    json_t *man = load(dir, "manifest.json");
    for (size_t k = 0; k < r->nartifacts; k++)
        if (strcmp(r->artifacts[k].name, "manifest") == 0)
            assert_int_equal(json_array_size(man), r->artifacts[k].values); /* every value looked up */
    assert_true(json_array_size(man) > 3000);
    json_decref(man);
    char *ic = slurp(dir, "interaction_c.json");
    assert_non_null(strstr(ic, "interaction from 100000000000001@lid (+14155550100, Alice Example)"));
    free(ic);
    /* no file for an artifact that read nothing */
    char p[1400];
    struct stat sb;
    snprintf(p, sizeof p, "%s/safari_history.json", dir);
    assert_int_not_equal(stat(p, &sb), 0);
    /* timeline.csv: sorted, every timed event and finding */
    char *csv = slurp(dir, "timeline.csv");
    assert_memory_equal(csv, "time,artifact,type,source,record,value,detail\n", 46);
    size_t lines = 0, timed = 0;
    for (size_t k = 0; k < r->nevents; k++)
        timed += r->events[k].has_time;
    for (size_t k = 0; k < r->nfindings; k++)
        timed += r->findings[k].has_time;
    vg_time prev = {0, 0, 0};
    for (char *l = strchr(csv, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
        vg_time t;
        assert_int_equal(vg_time_parse(l, strcspn(l, ","), 0, &t, &err), 0);
        if (lines)
            assert_true(vg_time_cmp(&prev, &t) <= 0);
        prev = t;
        lines++;
    }
    assert_int_equal(lines, timed);
    assert_non_null(strstr(csv, ",sms,finding critical,HomeDomain/Library/SMS/sms.db,message ROWID=3 text,"
                                "https://badbadbad.example.org/,indicator--"));
    free(csv);
    /* the page: self-contained */
    char *html = slurp(dir, "report.html");
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, " src="));
    assert_null(strstr(html, "url("));
    assert_non_null(strstr(html, "default-src 'none'"));
    assert_non_null(strstr(html, "badbadbad.example.org"));
    free(html);
    phone_report_free(r);
    idx_free(x);
}

/* Markup and CSV syntax in evidence come out as text. */
static void test_phone_ios_output__escaping(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("phone_output_esc");
    char p[1400], id[41];
    snprintf(p, sizeof p, "%s/Info.plist", dir);
    vg_test_write_file(p, "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>", 57);
    snprintf(p, sizeof p, "%s/tcc.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, "
                                  "last_modified INTEGER);"
                                  "INSERT INTO access VALUES ('kTCCServiceCamera', '<img src=x onerror=alert(1)>', 0, "
                                  "1600000000), ('kTCCServiceMicrophone', 'a,\"b\"', 0, 1600000001),"
                                  "('kTCCServiceLiverpool', 'Launch', 0, 1600000002);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    size_t len;
    char *data = vg_test_read_file(p, &len);
    phone_file_id("HomeDomain", "Library/TCC/TCC.db", id);
    char sub[1400];
    snprintf(sub, sizeof sub, "%s/%.2s", dir, id);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/%.2s/%s", dir, id, id);
    vg_test_write_file(sub, data, len);
    free(data);
    idx *x = test_index();
    phone_report *r = collect(x, dir);
    char out[1300];
    snprintf(out, sizeof out, "%s/out", dir);
    vg_error err = {0};
    assert_int_equal(phone_write_output(x, r, out, &err), 0);
    char *html = slurp(out, "report.html");
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(html, "a,&quot;b&quot;"));
    free(html);
    char *csv = slurp(out, "timeline.csv");
    assert_non_null(strstr(csv, ",\"a,\"\"b\"\"\","));
    assert_non_null(strstr(csv, ",<img src=x onerror=alert(1)>,")); /* CSV is data: kept as it was */
    free(csv);
    phone_report_free(r);
    idx_free(x);
    /* the CLI writes the same folder and exits 1 (Launch is an indicator) */
    snprintf(out, sizeof out, "%s/cli", dir);
    assert_int_equal(vg_test_sh("%s phone check-ios --no-record --iocs '%s' --output '%s' '%s' >/dev/null 2>&1",
                                vg_test_bin(), bundle, out, dir),
                     1);
    struct stat sb;
    static const char *const files[] = {"info.json", "findings.json", "tcc.json", "timeline.csv", "report.html"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", out, files[i]);
        assert_int_equal(stat(p, &sb), 0);
    }
}

int main(void)
{
    vg_alloc_init();
    const char *shared = vg_test_shared();
    snprintf(backup, sizeof backup, "%s/data/mobile/ios_backup", shared);
    snprintf(bundle, sizeof bundle, "%s/data/mobile/test-indicators.stix2", shared);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_ios_output__real_backup),
        cmocka_unit_test(test_phone_ios_output__escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
