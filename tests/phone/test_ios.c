/*
 * test_ios.c - `vigil phone check-ios` on the real iOS 14.3 backup of
 * ../shared/data/mobile with test-indicators.stix2: every alert the reference
 * tool (MVT) reported in expected-mvt-output/ios_check-backup/alerts.json is
 * read from that file and must be among vigil's findings (same module, same
 * record, same indicator). Where vigil reports more, a test says why. Then
 * sightings in a store (device times), the plist readers on real and broken
 * input, a damaged database among good ones, a database whose rows are only
 * in its write-ahead log, and a folder that is not a backup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <plist/plist.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "intel/intel.h"
#include "phone/phone.h"
#include "scan/scan.h"
#include "vg_test.h"

static char backup[1024], bundle[1024], expected[1024], expected_fs[1024];

static idx *test_index(void)
{
    const char *paths[] = {bundle};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 1, &x, &err), 0);
    assert_int_equal(idx_indicator_count(x), 9); /* every pattern of the bundle has a key kind */
    return x;
}

static phone_report *check_opts(const idx *x, const char *path, const phone_opts *o)
{
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_ios(x, path, o, &r, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", err.where, err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static phone_report *check(const idx *x, const char *path)
{
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_ios(x, path, NULL, &r, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", err.where, err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static const phone_finding *find(const idx *x, const phone_report *r, const char *artifact, int level,
                                 const char *value, const char *indicator_name)
{
    char nb[256];
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, artifact) || f->level != level)
            continue;
        if (value && strcmp(f->value, value))
            continue;
        if (indicator_name &&
            (f->indicator < 0 || strcmp(phone_indicator_label(x, (uint32_t)f->indicator, nb, sizeof nb), indicator_name)))
            continue;
        if (!indicator_name && f->indicator >= 0)
            continue;
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

/* MVT's "2019-08-27 15:08:09.253102" as vigil formats it, "" for none. */
static void mvt_time(const char *mvt, char *out, size_t cap)
{
    if (!mvt || !mvt[0]) {
        out[0] = 0;
        return;
    }
    snprintf(out, cap, "%.10sT%sZ", mvt, mvt + 11);
}

/* A heuristic finding of the module and level at MVT's event time (any time when MVT gave none). */
static const phone_finding *find_heuristic(const phone_report *r, const char *module, int level, const char *when)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, module) || f->level != level || f->indicator >= 0)
            continue;
        char t[VG_TIME_MAX] = "";
        if (f->has_time)
            vg_time_format(&f->time, t);
        if (!when[0] || strcmp(t, when) == 0)
            return f;
    }
    return NULL;
}

/* Every alert of one MVT command (alerts.json in `path`) is one of vigil's findings in r. */
static void assert_mvt_alerts(const idx *x, const phone_report *r, const char *path, size_t nalerts)
{
    json_error_t je;
    json_t *alerts = json_load_file(path, 0, &je);
    assert_non_null(alerts);
    assert_int_equal(json_array_size(alerts), nalerts);
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
        const char *module = json_string_value(json_object_get(a, "module"));
        int level = level_of(json_string_value(json_object_get(a, "level")));
        json_t *ev = json_object_get(a, "event");
        json_t *mi = json_object_get(a, "matched_indicator");
        const phone_finding *f = NULL;
        if (json_is_object(mi)) {
            /* the observed value: a TCC client, or the link of a message */
            const char *value = json_string_value(json_object_get(ev, "client"));
            if (!value)
                value = json_string_value(json_array_get(json_object_get(ev, "links"), 0));
            assert_non_null(value);
            f = find(x, r, module, level, value, json_string_value(json_object_get(mi, "name")));
            if (!f)
                fail_msg("MVT alert %s %s not reported", module, value);
            /* the same record: TCC's service, the message's row */
            if (strcmp(module, "tcc") == 0)
                assert_non_null(strstr(f->record, json_string_value(json_object_get(ev, "service"))));
            if (strcmp(module, "sms") == 0) {
                char rec[64];
                snprintf(rec, sizeof rec, "ROWID=%lld ", (long long)json_integer_value(json_object_get(ev, "ROWID")));
                assert_non_null(strstr(f->record, rec));
            }
            if (strcmp(module, "whatsapp") == 0) {
                char rec[64];
                snprintf(rec, sizeof rec, "Z_PK=%lld", (long long)json_integer_value(json_object_get(ev, "Z_PK")));
                assert_non_null(strstr(f->record, rec));
            }
        } else {
            /* heuristics: the DataUsage gap ("Missing process 5"), processes without a binary (--fs), lockdown
               mode; each at MVT's event time */
            char when[VG_TIME_MAX];
            mvt_time(json_string_value(json_object_get(a, "event_time")), when, sizeof when);
            f = find_heuristic(r, module, level, when);
            if (!f)
                fail_msg("MVT heuristic %s (%s) at %s not reported", module,
                         json_string_value(json_object_get(a, "message")), when);
            if (strstr(json_string_value(json_object_get(a, "message")), "Missing process 5")) {
                assert_non_null(strstr(f->message, "Missing process 5"));
                assert_non_null(strstr(f->message, "com.apple.Fitness"));
            }
            if (strstr(json_string_value(json_object_get(a, "message")), "Could not find the binary")) {
                assert_non_null(strstr(f->message, "Could not find the binary"));
                assert_string_equal(f->value, json_string_value(json_object_get(ev, "proc_name")));
                char rec[64];
                snprintf(rec, sizeof rec, "ZLIVEUSAGE Z_PK=%lld ",
                         (long long)json_integer_value(json_object_get(ev, "live_id")));
                assert_non_null(strstr(f->record, rec));
            }
        }
    }
    json_decref(alerts);
}

/* Every alert of MVT's check-backup is one of vigil's findings. */
static void test_phone_ios__expected_mvt_alerts(void **state)
{
    (void)state;
    idx *x = test_index();
    phone_report *r = check(x, backup);
    assert_mvt_alerts(x, r, expected, 5);
    /* MVT's SMS and WhatsApp alerts have no event time; vigil gives the message's */
    char t[VG_TIME_MAX];
    const phone_finding *sms = find(x, r, "sms", PHONE_CRITICAL, "https://badbadbad.example.org/", "TestMalware");
    assert_true(sms->has_time);
    vg_time_format_digits(&sms->time, 0, t);
    assert_string_equal(t, "2019-08-29T23:13:30Z");
    const phone_finding *tcc = find(x, r, "tcc", PHONE_CRITICAL, "Launch", "TestMalware");
    assert_true(tcc->has_time);
    vg_time_format_digits(&tcc->time, 0, t);
    assert_string_equal(t, "2021-12-03T19:32:03Z"); /* MVT: last_modified "2021-12-03 19:32:03" */
    /*
     * One more than MVT: the calendar participant user@example.org. MVT looks
     * calendar e-mails up only as whole addresses; vigil also looks the
     * address's domain up, and example.org is an indicator of the bundle.
     */
    assert_non_null(find(x, r, "calendar", PHONE_CRITICAL, "user@example.org", "TestMalware"));
    assert_int_equal(r->nfindings, 6);
    assert_null(find_heuristic(r, "datausage", PHONE_MEDIUM, "")); /* the binary check needs a filesystem */
    /* what was read */
    assert_string_equal(r->device.build_version, "18C66");
    assert_string_equal(r->device.product_version, "14.3");
    assert_int_equal(r->device.napps, 6);
    for (size_t k = 0; k < r->nartifacts; k++) {
        const phone_artifact *pa = &r->artifacts[k];
        assert_null(pa->error);
        if (strcmp(pa->name, "manifest") == 0)
            assert_int_equal(pa->records, 3721);
        if (strcmp(pa->name, "tcc") == 0)
            assert_int_equal(pa->records, 11);
        if (strcmp(pa->name, "webkit_resource_load_statistics") == 0)
            assert_int_equal(pa->records, 2);
        if (strcmp(pa->name, "safari_history") == 0)
            assert_int_equal(pa->state, PHONE_ABSENT); /* not in this backup */
        if (strcmp(pa->name, "filesystem") == 0)
            assert_int_equal(pa->state, PHONE_ABSENT); /* --fs only */
    }
    phone_report_free(r);
    idx_free(x);
}

/*
 * MVT's check-fs pointed at the backup folder: the same artifacts (found by
 * their backup file ids, since the folder has no device paths), plus the
 * two DataUsage usage rows of CumulativeUsageTracker, a process without a
 * bundle id whose binary is nowhere in the tree.
 */
static void test_phone_ios__expected_mvt_fs_alerts(void **state)
{
    (void)state;
    idx *x = test_index();
    phone_opts o = {0};
    o.fs = 1;
    phone_report *r = check_opts(x, backup, &o);
    assert_mvt_alerts(x, r, expected_fs, 7);
    assert_non_null(find(x, r, "calendar", PHONE_CRITICAL, "user@example.org", "TestMalware")); /* as above */
    assert_int_equal(r->nfindings, 8);
    for (size_t k = 0; k < r->nartifacts; k++) {
        const phone_artifact *pa = &r->artifacts[k];
        if (strcmp(pa->name, "filesystem") == 0)
            assert_int_equal(pa->records, 23); /* 10 folders, 13 files: MVT's filesystem module has 23 too */
        if (strcmp(pa->name, "manifest") == 0 || strcmp(pa->name, "backup_info") == 0)
            assert_int_equal(pa->state, PHONE_ABSENT); /* backups only */
    }
    phone_report_free(r);
    idx_free(x);
}

static void put_file(const char *root, const char *rel, const void *data, size_t len)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *q = p + strlen(root) + 1; (q = strchr(q, '/')); q++) {
        *q = 0;
        mkdir(p, 0700);
        *q = '/';
    }
    vg_test_write_file(p, data, len);
}

static void put_real(const char *root, const char *rel, const char *domain, const char *brel)
{
    char id[41], p[1400];
    phone_file_id(domain, brel, id);
    snprintf(p, sizeof p, "%s/%.2s/%s", backup, id, id);
    size_t len;
    char *data = vg_test_read_file(p, &len);
    put_file(root, rel, data, len);
    free(data);
}

static void put_container(const char *root, const char *base, const char *uuid, const char *ident)
{
    char rel[512];
    plist_t d = plist_new_dict();
    plist_dict_set_item(d, "MCMMetadataIdentifier", plist_new_string(ident));
    char *xml = NULL;
    uint32_t n = 0;
    plist_to_xml(d, &xml, &n);
    plist_free(d);
    snprintf(rel, sizeof rel, "%s/%s/.com.apple.mobile_container_manager.metadata.plist", base, uuid);
    put_file(root, rel, xml, n);
    free(xml);
}

/*
 * A filesystem dump laid out as on the device: the artifacts at their device
 * paths (WhatsApp in an app-group container whose metadata names it, a decoy
 * container of another app holding the same file name), a file-path and a
 * folder-name indicator, and a system binary present for one process.
 */
static void test_phone_ios__fs_dump(void **state)
{
    (void)state;
    const char *root = vg_test_tmpdir("phone_fs");
    static const char *const groups = "private/var/mobile/Containers/Shared/AppGroup";
    put_real(root, "private/var/mobile/Library/SMS/sms.db", "HomeDomain", "Library/SMS/sms.db");
    put_real(root, "private/var/mobile/Library/TCC/TCC.db", "HomeDomain", "Library/TCC/TCC.db");
    put_real(root, "private/var/wireless/Library/Databases/DataUsage.sqlite", "WirelessDomain",
             "Library/Databases/DataUsage.sqlite");
    put_container(root, groups, "0E1C5D3A-1111-4F6B-9E2A-5A7B5C1D2E3F", "group.net.whatsapp.WhatsApp.shared");
    put_real(root, "private/var/mobile/Containers/Shared/AppGroup/0E1C5D3A-1111-4F6B-9E2A-5A7B5C1D2E3F/ChatStorage.sqlite",
             "AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite");
    /* the decoy: an app group of another app with a file of the same name (not a database at all) */
    put_container(root, groups, "9F9F9F9F-2222-4F6B-9E2A-5A7B5C1D2E3F", "group.com.example.other");
    put_file(root, "private/var/mobile/Containers/Shared/AppGroup/9F9F9F9F-2222-4F6B-9E2A-5A7B5C1D2E3F/ChatStorage.sqlite",
             "junk", 4);
    put_file(root, "private/var/tmp/evil.dylib", "x", 1);
    put_file(root, "private/var/db/bh/payload", "x", 1);
    put_file(root, "usr/libexec/CumulativeUsageTracker", "" "ELF", 4); /* its binary is there */
    static const char iocs[] =
        "{\"type\":\"bundle\",\"id\":\"bundle--6b1f1e5c-7a7e-4a36-9a6f-1d1f6f0b7a01\",\"objects\":["
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--1b1f1e5c-7a7e-4a36-9a6f-1d1f6f0b7a01\","
        "\"created\":\"2024-01-01T00:00:00Z\",\"modified\":\"2024-01-01T00:00:00Z\",\"name\":\"dylib\","
        "\"pattern\":\"[file:path = '/var/tmp/evil.dylib']\",\"pattern_type\":\"stix\","
        "\"valid_from\":\"2024-01-01T00:00:00Z\"},"
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--2b1f1e5c-7a7e-4a36-9a6f-1d1f6f0b7a01\","
        "\"created\":\"2024-01-01T00:00:00Z\",\"modified\":\"2024-01-01T00:00:00Z\",\"name\":\"bh\","
        "\"pattern\":\"[process:name = 'bh']\",\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"}]}";
    char bpath[1200];
    snprintf(bpath, sizeof bpath, "%s.iocs.json", root);
    vg_test_write_file(bpath, iocs, sizeof iocs - 1);
    const char *paths[] = {bundle, bpath};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 2, &x, &err), 0);
    phone_opts o = {0};
    o.fs = 1;
    phone_report *r = check_opts(x, root, &o);
    const phone_finding *f = find(x, r, "sms", PHONE_CRITICAL, "https://badbadbad.example.org/", "TestMalware");
    assert_non_null(f);
    assert_string_equal(f->source, "private/var/mobile/Library/SMS/sms.db"); /* the device path */
    assert_non_null(find(x, r, "tcc", PHONE_CRITICAL, "Launch", "TestMalware"));
    f = find(x, r, "whatsapp", PHONE_CRITICAL, "https://example.org/news", "TestMalware");
    assert_non_null(f);
    assert_non_null(strstr(f->source, "0E1C5D3A-1111"));
    /* the file path, in its /var form, and the folder named like a process */
    f = find(x, r, "filesystem", PHONE_CRITICAL, "/var/tmp/evil.dylib", "dylib");
    assert_non_null(f);
    assert_string_equal(f->record, "/private/var/tmp/evil.dylib");
    assert_true(f->has_time); /* the file's modification time */
    f = find(x, r, "filesystem", PHONE_CRITICAL, "bh", "bh");
    assert_non_null(f);
    assert_string_equal(f->record, "/private/var/db/bh");
    /* CumulativeUsageTracker's binary is in the dump: no "could not find the binary" */
    assert_null(find_heuristic(r, "datausage", PHONE_MEDIUM, ""));
    assert_non_null(find_heuristic(r, "datausage", PHONE_LOW, "")); /* the Z_PK gap needs no filesystem */
    for (size_t k = 0; k < r->nartifacts; k++) {
        const phone_artifact *pa = &r->artifacts[k];
        assert_null(pa->error); /* the decoy ChatStorage.sqlite was never opened */
        if (strcmp(pa->name, "whatsapp") == 0)
            assert_int_equal(pa->files, 1);
    }
    phone_report_free(r);
    /* a file is not a dump */
    snprintf(bpath, sizeof bpath, "%s/usr/libexec/CumulativeUsageTracker", root);
    assert_int_equal(phone_check_ios(x, bpath, &o, &r, &err), VG_E_NOTFOUND);
    idx_free(x);
}

/* Findings become sightings in the store, with the device's own times. */
static void test_phone_ios__sightings(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("phone_sightings");
    char db[1200];
    snprintf(db, sizeof db, "%s/v.db", dir);
    store *st = NULL;
    vg_error err = {0};
    assert_int_equal(store_open(db, STORE_CREATE, &st, &err), 0);
    intel_import_stats is = {0};
    intel_import_opts io = {0};
    assert_int_equal(intel_import_path(st, bundle, &io, &is, &err), 0);
    idx *x = NULL;
    assert_int_equal(scan_index_from_store(st, NULL, NULL, &x, &err), 0);
    phone_report *r = check(x, backup);
    char **ids = NULL;
    size_t n = 0;
    assert_int_equal(scan_record(st, x, r->summary, &ids, &n, &err), 0);
    assert_int_equal(n, 2); /* example.org (sms, whatsapp, calendar) and Launch (tcc) */
    for (size_t i = 0; i < n; i++) {
        store_row row;
        store_query q = {0};
        const char *one[] = {ids[i]};
        q.ids = one;
        q.nids = 1;
        store_iter *it = NULL;
        assert_int_equal(store_query_open(st, &q, &it, &err), 0);
        assert_int_equal(store_iter_next(it, &row, &err), 1);
        json_t *s = json_loadb(row.json, row.json_len, 0, NULL);
        assert_non_null(s);
        json_int_t count = json_integer_value(json_object_get(s, "count"));
        const char *first = json_string_value(json_object_get(s, "first_seen"));
        const char *last = json_string_value(json_object_get(s, "last_seen"));
        if (count == 3) {
            assert_string_equal(first, "2019-08-29T23:13:30.539Z"); /* the SMS (nanoseconds since 2001) */
            assert_string_equal(last, "2025-08-28T18:53:20.000Z");  /* the WhatsApp message */
        } else {
            assert_int_equal(count, 1);
            assert_string_equal(first, "2021-12-03T19:32:03.000Z"); /* the TCC grant */
            const char *file = json_string_value(
                json_object_get(json_object_get(json_object_get(s, "x_vigil_evidence"), "first"), "file"));
            assert_string_equal(file, "HomeDomain/Library/TCC/TCC.db");
        }
        json_decref(s);
        store_iter_free(it);
        vg_free(ids[i]);
    }
    vg_free(ids);
    phone_report_free(r);
    idx_free(x);
    store_close(st);
}

static void test_phone_plist__real_and_broken(void **state)
{
    (void)state;
    char p[1200];
    snprintf(p, sizeof p, "%s/Info.plist", backup);
    size_t len;
    char *data = vg_test_read_file(p, &len);
    phone_device d;
    vg_error err = {0};
    assert_int_equal(phone_info_plist(data, len, &d, NULL, NULL, &err), 0);
    assert_string_equal(d.product_type, "iPhone9,3");
    assert_string_equal(d.serial, "F1234567890");
    assert_true(d.has_backup_date);
    char t[VG_TIME_MAX];
    vg_time_format_digits(&d.backup_date, 0, t);
    assert_string_equal(t, "2021-12-03T19:33:13Z");
    phone_device_clear(&d);
    /* every truncation: an error or a partial read, never a crash */
    for (size_t n = 0; n < len; n += 7) {
        int rc = phone_info_plist(data, n, &d, NULL, NULL, &err);
        assert_true(rc == 0 || rc == VG_E_PARSE);
        phone_device_clear(&d);
    }
    assert_int_equal(phone_info_plist("not a plist at all", 18, &d, NULL, NULL, &err), VG_E_PARSE);
    free(data);

    /* an MBFile of Manifest.db: sms.db's record */
    snprintf(p, sizeof p, "file:%s/Manifest.db?immutable=1", backup);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT file FROM Files WHERE fileID = ?", -1, &st, NULL), SQLITE_OK);
    char id[41];
    phone_file_id("HomeDomain", "Library/SMS/sms.db", id);
    assert_string_equal(id, "3d0d7e5fb2ce288813306e4d4636395e047a3d28");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    phone_mbfile mb;
    const void *blob = sqlite3_column_blob(st, 0);
    int bl = sqlite3_column_bytes(st, 0);
    assert_int_equal(phone_mbfile_parse(blob, (size_t)bl, &mb), 0);
    assert_true(mb.has_modified && mb.has_birth && mb.has_changed);
    assert_int_equal(mb.modified.sec, 1638501497);
    assert_int_equal(mb.birth.sec, 1566918489);
    assert_int_equal(mb.size, 278528);
    assert_int_equal(mb.mode, 33188);
    for (int n = 0; n < bl; n++) {
        char *copy = malloc((size_t)n + 1);
        memcpy(copy, blob, (size_t)n);
        int rc = phone_mbfile_parse(copy, (size_t)n, &mb);
        assert_true(rc == 0 || rc == VG_E_PARSE);
        free(copy);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A copy of the backup's top files plus some artifacts, by file id. */
static void copy_artifact(const char *dir, const char *domain, const char *rel, const char *content, size_t len)
{
    char id[41], p[1400];
    phone_file_id(domain, rel, id);
    snprintf(p, sizeof p, "%s/%.2s", dir, id);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/%.2s/%s", dir, id, id);
    vg_test_write_file(p, content, len);
}

static void copy_real(const char *dir, const char *domain, const char *rel)
{
    char id[41], p[1400];
    phone_file_id(domain, rel, id);
    snprintf(p, sizeof p, "%s/%.2s/%s", backup, id, id);
    size_t len;
    char *data = vg_test_read_file(p, &len);
    copy_artifact(dir, domain, rel, data, len);
    free(data);
}

/* A damaged sms.db is reported; TCC and DataUsage beside it are still read. */
static void test_phone_ios__damaged_artifact(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("phone_damaged");
    char p[1200];
    snprintf(p, sizeof p, "%s/Info.plist", backup);
    size_t len;
    char *info = vg_test_read_file(p, &len);
    snprintf(p, sizeof p, "%s/Info.plist", dir);
    vg_test_write_file(p, info, len);
    free(info);
    copy_real(dir, "HomeDomain", "Library/TCC/TCC.db");
    copy_real(dir, "WirelessDomain", "Library/Databases/DataUsage.sqlite");
    static const char junk[] = "SQLite format 3\0this is no database, only its first bytes";
    copy_artifact(dir, "HomeDomain", "Library/SMS/sms.db", junk, sizeof junk);
    copy_artifact(dir, "HomeDomain", "Library/Preferences/.GlobalPreferences.plist", "bplist00\xff\xff", 10);
    idx *x = test_index();
    phone_report *r = check(x, dir);
    for (size_t k = 0; k < r->nartifacts; k++) {
        const phone_artifact *a = &r->artifacts[k];
        if (strcmp(a->name, "sms") == 0 || strcmp(a->name, "global_preferences") == 0) {
            assert_int_equal(a->state, PHONE_FAILED);
            assert_non_null(a->error);
        }
        if (strcmp(a->name, "manifest") == 0)
            assert_int_equal(a->state, PHONE_ABSENT); /* no Manifest.db: exact rows are found by file id */
    }
    assert_non_null(find(x, r, "tcc", PHONE_CRITICAL, "Launch", "TestMalware"));
    assert_non_null(find(x, r, "datausage", PHONE_LOW, NULL, NULL));
    phone_report_free(r);
    idx_free(x);
}

/* A TCC.db whose row lives only in its write-ahead log (stored under the log's own file id). */
static void test_phone_ios__wal(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("phone_wal");
    char p[1200], w[1300];
    snprintf(p, sizeof p, "%s/work.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
                                  "CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, "
                                  "last_modified INTEGER);"
                                  "INSERT INTO access VALUES ('kTCCServiceCamera', 'Launch', 0, 1600000000);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* copy the main file and the log while the connection holds them (nothing checkpointed) */
    size_t ml, wl;
    char *main = vg_test_read_file(p, &ml);
    snprintf(w, sizeof w, "%s-wal", p);
    char *wal = vg_test_read_file(w, &wl);
    assert_true(wl > 0);
    snprintf(p, sizeof p, "%s/Info.plist", dir);
    vg_test_write_file(p, "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>", 57);
    copy_artifact(dir, "HomeDomain", "Library/TCC/TCC.db", main, ml);
    copy_artifact(dir, "HomeDomain", "Library/TCC/TCC.db-wal", wal, wl);
    free(main);
    free(wal);
    sqlite3_close(db);
    idx *x = test_index();
    phone_report *r = check(x, dir);
    const phone_finding *f = find(x, r, "tcc", PHONE_CRITICAL, "Launch", "TestMalware");
    assert_non_null(f);
    assert_int_equal(f->time.sec, 1600000000);
    phone_report_free(r);
    idx_free(x);
}

static void test_phone_ios__not_a_backup(void **state)
{
    (void)state;
    idx *x = test_index();
    phone_report *r = NULL;
    vg_error err = {0};
    assert_int_equal(phone_check_ios(x, vg_test_tmpdir("phone_empty"), NULL, &r, &err), VG_E_NOTFOUND);
    assert_null(r);
    assert_non_null(strstr(err.msg, "not an iOS backup"));
    idx_free(x);
}

int main(void)
{
    vg_alloc_init();
    const char *shared = vg_test_shared();
    snprintf(backup, sizeof backup, "%s/data/mobile/ios_backup", shared);
    snprintf(bundle, sizeof bundle, "%s/data/mobile/test-indicators.stix2", shared);
    snprintf(expected, sizeof expected, "%s/data/mobile/expected-mvt-output/ios_check-backup/alerts.json", shared);
    snprintf(expected_fs, sizeof expected_fs, "%s/data/mobile/expected-mvt-output/ios_check-fs/alerts.json", shared);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_ios__expected_mvt_alerts), cmocka_unit_test(test_phone_ios__expected_mvt_fs_alerts),
        cmocka_unit_test(test_phone_ios__fs_dump),              cmocka_unit_test(test_phone_ios__sightings),
        cmocka_unit_test(test_phone_plist__real_and_broken),   cmocka_unit_test(test_phone_ios__damaged_artifact),
        cmocka_unit_test(test_phone_ios__wal),                 cmocka_unit_test(test_phone_ios__not_a_backup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
