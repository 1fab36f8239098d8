/*
 * test_ios_readers.c - the artifacts the real test backup lacks, each on a
 * small file the test builds and puts in a backup folder under its file id
 * (Chrome and Firefox history, the address book, IDStatusCache, locationd
 * clients, ADDaily, profile events, installers of applications, SMS threat
 * notifications and attachments), the shutdown log of a filesystem dump, and
 * the interactions of the real backup with WhatsApp's LID → phone → name
 * resolution. Then the reference tool's (MVT's) matching bugs, each with a
 * case vigil gets right: a `url:value` with '=' (MVT crashes loading it),
 * `web.evil.com` (MVT strips the characters "www." from the left and looks
 * for "eb.evil.com"), a host below a subdomain indicator (MVT misses it), and
 * times on every message finding (MVT's SMS alerts have none).
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
#include "phone/phone.h"
#include "vg_test.h"

static char backup[1024], bundle[1024];
static char dir[1024];   /* the synthetic backup */
static char iocs[1100];  /* its bundle */

/* ---- building ---------------------------------------------------------------------- */

static void put(const char *domain, const char *rel, const void *data, size_t len)
{
    char id[41], p[1400];
    phone_file_id(domain, rel, id);
    snprintf(p, sizeof p, "%s/%.2s", dir, id);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/%.2s/%s", dir, id, id);
    vg_test_write_file(p, data, len);
}

/* A database made by sql, put at domain/rel. */
static void put_db(const char *domain, const char *rel, const char *sql)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/work.db", dir);
    remove(p);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", rel, msg);
    sqlite3_close(db);
    size_t len;
    char *data = vg_test_read_file(p, &len);
    put(domain, rel, data, len);
    free(data);
    remove(p);
}

static void put_plist(const char *domain, const char *rel, plist_t p)
{
    char *bin = NULL;
    uint32_t n = 0;
    plist_to_bin(p, &bin, &n);
    put(domain, rel, bin, n);
    free(bin);
    plist_free(p);
}

static plist_t date(double cocoa)
{
    return plist_new_date((int32_t)cocoa, 0);
}

static void add_indicator(json_t *objs, const char *name, const char *pattern)
{
    static int n;
    char id[80];
    snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", ++n);
    json_array_append_new(objs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "indicator",
                                          "spec_version", "2.1", "id", id, "created", "2024-01-01T00:00:00Z",
                                          "modified", "2024-01-01T00:00:00Z", "name", name, "pattern", pattern,
                                          "pattern_type", "stix", "valid_from", "2024-01-01T00:00:00Z"));
}

static void make_iocs(void)
{
    json_t *objs = json_array();
    add_indicator(objs, "evil-domain", "[domain-name:value = 'evil.example']");
    add_indicator(objs, "evil-store", "[app:id = 'com.evil.store']");
    add_indicator(objs, "evil-locator", "[app:id = 'com.evil.locator']");
    add_indicator(objs, "bh", "[process:name = 'bh']");
    add_indicator(objs, "url-with-equals", "[url:value = 'https://evil3.example/login?session=1&x=2']");
    add_indicator(objs, "web", "[domain-name:value = 'web.evil.com']");
    add_indicator(objs, "sub", "[domain-name:value = 'sub.evil2.com']");
    add_indicator(objs, "imagent", "[process:name = 'IMRemoteURLConnectionAgent']");
    json_t *b = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", "bundle--00000000-0000-4000-8000-000000000001",
                          "objects", objs);
    assert_int_equal(json_dump_file(b, iocs, 0), 0);
    json_decref(b);
}

/* Cocoa 700000000 = 2023-03-08T20:26:40Z; Unix 1700000000 = 2023-11-14T22:13:20Z. */
static void make_backup(void)
{
    char p[1400];
    /* Info.plist: two applications, one installed by another store */
    plist_t info = plist_new_dict();
    plist_dict_set_item(info, "Product Version", plist_new_string("17.4"));
    plist_t apps = plist_new_dict();
    const char *const installers[][2] = {{"com.evil.app", "com.evil.store"}, {"com.good.app", "com.apple.AppStore"}};
    for (int i = 0; i < 2; i++) {
        plist_t meta = plist_new_dict();
        plist_dict_set_item(meta, "sourceApp", plist_new_string(installers[i][1]));
        char *bin = NULL;
        uint32_t n = 0;
        plist_to_bin(meta, &bin, &n);
        plist_free(meta);
        plist_t app = plist_new_dict();
        plist_dict_set_item(app, "iTunesMetadata", plist_new_data(bin, n));
        free(bin);
        plist_dict_set_item(apps, installers[i][0], app);
    }
    plist_dict_set_item(info, "Applications", apps);
    char *bin = NULL;
    uint32_t n = 0;
    plist_to_bin(info, &bin, &n);
    plist_free(info);
    snprintf(p, sizeof p, "%s/Info.plist", dir);
    vg_test_write_file(p, bin, n);
    free(bin);

    put_db("AppDomain-com.google.chrome.ios", "Library/Application Support/Google/Chrome/Default/History",
           "CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT);"
           "CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, from_visit INTEGER);"
           "INSERT INTO urls VALUES (1, 'https://news.example.net/', 'n'), (2, 'https://chrome.evil.example/x', 'e');"
           "INSERT INTO visits VALUES (10, 1, 13344473590000000, 0), (11, 2, 13344473600000000, 10);");
    put_db("AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db",
           "CREATE TABLE history (id INTEGER PRIMARY KEY, guid TEXT, url TEXT, title TEXT);"
           "CREATE TABLE visits (id INTEGER PRIMARY KEY, siteID INTEGER, date REAL, type INTEGER);"
           "INSERT INTO history VALUES (1, 'g', 'https://firefox.evil.example/landing', 't');"
           "INSERT INTO visits VALUES (5, 1, 1700000000000000, 1);");
    put_db("HomeDomain", "Library/AddressBook/AddressBook.sqlitedb",
           "CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Last TEXT, CreationDate REAL);"
           "CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, "
           "identifier INTEGER, label INTEGER, value TEXT);"
           "INSERT INTO ABPerson VALUES (1, 'Spy', 'Master', 700000000);"
           "INSERT INTO ABMultiValue VALUES (1, 1, 3, 0, 1, '+15555550123'), (2, 1, 4, 0, 1, 'spy@evil.example');");
    plist_t ids = plist_new_dict(), svc = plist_new_dict(), acct = plist_new_dict(), tel = plist_new_dict();
    plist_dict_set_item(acct, "LookupDate", plist_new_real(700000000.0));
    plist_dict_set_item(acct, "IDStatus", plist_new_uint(1));
    plist_dict_set_item(tel, "LookupDate", plist_new_real(700000100.0));
    plist_dict_set_item(svc, "mailto:lookup@evil.example", acct);
    plist_dict_set_item(svc, "tel:+15555550123", tel);
    plist_dict_set_item(ids, "com.apple.madrid", svc);
    put_plist("HomeDomain", "Library/Preferences/com.apple.identityservices.idstatuscache.plist", ids);
    plist_t clients = plist_new_dict(), cl = plist_new_dict(), maps = plist_new_dict();
    plist_dict_set_item(cl, "Executable", plist_new_string("/private/var/containers/Bundle/Application/X/Loc.app/Loc"));
    plist_dict_set_item(cl, "LocationTimeStopped", plist_new_real(700000000.0));
    plist_dict_set_item(cl, "ReceivingLocationInformationTimeStopped", plist_new_real(700000500.0));
    plist_dict_set_item(maps, "LocationTimeStopped", plist_new_real(600000000.0));
    plist_dict_set_item(clients, "com.evil.locator", cl);
    plist_dict_set_item(clients, "com.apple.Maps", maps);
    put_plist("RootDomain", "Library/Caches/locationd/clients.plist", clients);
    plist_t ad = plist_new_dict(), base = plist_new_dict(), row = plist_new_array(), row2 = plist_new_array();
    plist_array_append_item(row, date(700000000));
    for (int i = 0; i < 4; i++)
        plist_array_append_item(row, plist_new_real(i));
    plist_array_append_item(row2, date(600000000));
    plist_dict_set_item(base, "bh", row);
    plist_dict_set_item(base, "com.apple.mobilesafari", row2);
    plist_dict_set_item(ad, "netUsageBaseline", base);
    put_plist("HomeDomain", "Library/Preferences/com.apple.osanalytics.addaily.plist", ad);
    plist_t pe = plist_new_dict(), list = plist_new_array(), ev = plist_new_dict(), body = plist_new_dict();
    plist_dict_set_item(body, "timestamp", date(700000000));
    plist_dict_set_item(body, "operation", plist_new_string("install"));
    plist_dict_set_item(body, "process", plist_new_string("bh"));
    plist_dict_set_item(ev, "com.evil.profile", body);
    plist_array_append_item(list, ev);
    plist_dict_set_item(pe, "ProfileEvents", list);
    put_plist("SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles",
              "Library/ConfigurationProfiles/MCProfileEvents.plist", pe);
    /* SMS: a threat notification, MVT's matching bugs, an attachment received into /var/tmp */
    put_db("HomeDomain", "Library/SMS/sms.db",
           "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);"
           "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, date INTEGER, handle_id INTEGER);"
           "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, filename TEXT, created_date INTEGER, "
           "transfer_name TEXT, is_outgoing INTEGER);"
           "INSERT INTO handle VALUES (1, 'threat-notifications@apple.com'), (2, '+15555550100');"
           "INSERT INTO message VALUES "
           "(1, 'ALERT: State-sponsored attackers may be targeting your iPhone. Apple believes you are being "
           "targeted.', 700000000000000000, 1),"
           "(2, 'log in at https://evil3.example/login?session=1&x=2 now', 700000001000000000, 2),"
           "(3, 'see https://web.evil.com/a', 700000002000000000, 2),"
           "(4, 'see https://a.b.sub.evil2.com/z', 700000003000000000, 2),"
           "(5, 'nothing here https://evil3.example/login?session=2', 700000004000000000, 2);"
           "INSERT INTO attachment VALUES (1, '/var/tmp/com.apple.messages/A1B2-1', 700000000, 'image.gif', 0),"
           "(2, '~/Library/SMS/Attachments/ab/12/IMG_1.jpeg', 700000000, 'IMG_1.jpeg', 0);");
}

static idx *index_of(void)
{
    const char *paths[] = {bundle, iocs};
    idx *x = NULL;
    vg_error err = {0};
    assert_int_equal(phone_index_from_files(paths, 2, &x, &err), 0);
    return x;
}

static phone_report *check_with(const idx *x, const char *path, int fs, int collect)
{
    phone_opts o = {0};
    o.fs = fs;
    o.collect = collect;
    phone_report *r = NULL;
    vg_error err = {0};
    int rc = phone_check_ios(x, path, &o, &r, &err);
    if (rc)
        fail_msg("%s", err.msg);
    return r;
}

/* The finding of an artifact for a value (critical: with that indicator name; else of that level). */
static const phone_finding *finding(const idx *x, const phone_report *r, const char *artifact, int level,
                                    const char *value, const char *name)
{
    char nb[256];
    for (size_t i = 0; i < r->nfindings; i++) {
        const phone_finding *f = &r->findings[i];
        if (strcmp(f->artifact, artifact) || f->level != level || (value && strcmp(f->value, value)))
            continue;
        if (name &&
            (f->indicator < 0 || strcmp(phone_indicator_label(x, (uint32_t)f->indicator, nb, sizeof nb), name)))
            continue;
        return f;
    }
    return NULL;
}

static void assert_time(const phone_finding *f, const char *want)
{
    assert_non_null(f);
    assert_true(f->has_time);
    char t[VG_TIME_MAX];
    vg_time_format_digits(&f->time, 0, t);
    assert_string_equal(t, want);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_phone_ios_readers__synthetic(void **state)
{
    (void)state;
    idx *x = index_of();
    phone_report *r = check_with(x, dir, 0, 0);
    /* installers */
    assert_non_null(finding(x, r, "applications", PHONE_CRITICAL, "com.evil.store", "evil-store"));
    const phone_finding *f = finding(x, r, "applications", PHONE_MEDIUM, "com.evil.app", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->message, "installed by com.evil.store"));
    assert_null(finding(x, r, "applications", PHONE_MEDIUM, "com.good.app", NULL));
    /* browsers, with their own clocks */
    assert_time(finding(x, r, "chrome_history", PHONE_CRITICAL, "https://chrome.evil.example/x", "evil-domain"),
                "2023-11-14T22:13:20Z");
    assert_time(finding(x, r, "firefox_history", PHONE_CRITICAL, "https://firefox.evil.example/landing", "evil-domain"),
                "2023-11-14T22:13:20Z");
    /* address book, IDStatusCache */
    assert_time(finding(x, r, "contacts", PHONE_CRITICAL, "spy@evil.example", "evil-domain"), "2023-03-08T20:26:40Z");
    f = finding(x, r, "id_status_cache", PHONE_CRITICAL, "lookup@evil.example", "evil-domain");
    assert_time(f, "2023-03-08T20:26:40Z");
    assert_non_null(strstr(f->record, "com.apple.madrid"));
    /* locationd: the client id, and its latest time */
    assert_time(finding(x, r, "location_clients", PHONE_CRITICAL, "com.evil.locator", "evil-locator"),
                "2023-03-08T20:35:00Z");
    /* ADDaily and profile events: the process */
    assert_time(finding(x, r, "os_analytics_ad_daily", PHONE_CRITICAL, "bh", "bh"), "2023-03-08T20:26:40Z");
    assert_non_null(finding(x, r, "profile_events", PHONE_CRITICAL, "bh", "bh"));
    f = finding(x, r, "profile_events", PHONE_INFO, "com.evil.profile", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->message, "installed by bh"));
    /* SMS: the threat notification (HIGH), the attachment in /var/tmp (MEDIUM), not the one in Attachments */
    f = finding(x, r, "sms", PHONE_HIGH, NULL, NULL);
    assert_time(f, "2023-03-08T20:26:40Z");
    assert_non_null(strstr(f->message, "threat-notifications@apple.com"));
    f = finding(x, r, "sms", PHONE_MEDIUM, "/var/tmp/com.apple.messages/A1B2-1", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->record, "attachment ROWID=1"));
    size_t medium = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        medium += strcmp(r->findings[i].artifact, "sms") == 0 && r->findings[i].level == PHONE_MEDIUM;
    assert_int_equal(medium, 1);
    for (size_t i = 0; i < r->nartifacts; i++)
        assert_null(r->artifacts[i].error);
    phone_report_free(r);
    idx_free(x);
}

/*
 * MVT's matching bugs, each with the case vigil gets right (all in the
 * synthetic sms.db, each message with its time):
 * - MVT crashes loading a url:value whose value holds '=' (it splits the
 *   pattern at '='); vigil loads it and matches the URL exactly (and not a
 *   URL that differs in its query);
 * - MVT strips "www." with lstrip, which removes any leading 'w' and '.'
 *   characters: web.evil.com becomes "eb.evil.com" and never matches;
 * - MVT looks a URL's host up as a whole and as its registrable domain
 *   only, so a.b.sub.evil2.com misses the indicator sub.evil2.com;
 * - MVT's SMS alerts carry no event time.
 */
static void test_phone_ios_readers__mvt_bugs(void **state)
{
    (void)state;
    idx *x = index_of();
    phone_report *r = check_with(x, dir, 0, 0);
    assert_time(finding(x, r, "sms", PHONE_CRITICAL, "https://evil3.example/login?session=1&x=2", "url-with-equals"),
                "2023-03-08T20:26:41Z");
    assert_null(finding(x, r, "sms", PHONE_CRITICAL, "https://evil3.example/login?session=2", "url-with-equals"));
    const phone_finding *f = finding(x, r, "sms", PHONE_CRITICAL, "https://web.evil.com/a", "web");
    assert_time(f, "2023-03-08T20:26:42Z");
    assert_non_null(strstr(f->record, "ROWID=3 "));
    f = finding(x, r, "sms", PHONE_CRITICAL, "https://a.b.sub.evil2.com/z", "sub");
    assert_time(f, "2023-03-08T20:26:43Z");
    assert_non_null(strstr(f->record, "ROWID=4 "));
    phone_report_free(r);
    idx_free(x);
}

/* The real interactionC.db: WhatsApp's LID resolved through LID.sqlite and ContactsV2.sqlite, as MVT's output. */
static void test_phone_ios_readers__interactions_resolved(void **state)
{
    (void)state;
    idx *x = index_of();
    phone_report *r = check_with(x, backup, 0, 1);
    int incoming = 0, outgoing = 0, sms = 0, contacts = 0;
    for (size_t i = 0; i < r->nevents; i++) {
        const phone_event *e = &r->events[i];
        if (strcmp(e->artifact, "interaction_c") == 0 && e->kind == IDX_K_NONE) {
            char t[VG_TIME_MAX];
            vg_time_format_digits(&e->time, 0, t);
            /* MVT: start_date 2025-09-08 04:53:20, sender 100000000000001@lid → +14155550100 Alice Example */
            if (strstr(e->value, "INCOMING net.whatsapp.WhatsApp interaction from 100000000000001@lid "
                                 "(+14155550100, Alice Example)")) {
                assert_string_equal(t, "2025-09-08T04:53:20Z");
                incoming++;
            }
            /* MVT: recipient +14155550100 → Alice Example; domain 100000000000001@lid → +14155550100 */
            if (strstr(e->value, "OUTGOING net.whatsapp.WhatsApp interaction to +14155550100 (Alice Example) in "
                                 "100000000000001@lid"))
                outgoing++;
            if (strstr(e->value, "conversation 100000000000001@lid is +14155550100, Alice Example"))
                outgoing++;
            if (strstr(e->value, "INCOMING com.apple.MobileSMS interaction from +14155550101 Bob Example")) {
                assert_string_equal(t, "2025-09-10T12:26:40Z");
                sms++;
            }
        }
        if (strcmp(e->artifact, "whatsapp_contacts") == 0 && strstr(e->value, "Alice Example +14155550100 "
                                                                              "100000000000001@lid, disappearing "
                                                                              "messages on (hours)"))
            contacts++;
    }
    assert_int_equal(incoming, 1);
    assert_int_equal(outgoing, 2);
    assert_int_equal(sms, 1);
    assert_int_equal(contacts, 1);
    phone_report_free(r);
    idx_free(x);
}

/*
 * DataUsage keeps "process/bundle" names with the process cut to 16
 * characters: the real backup's "IMRemoteURLConne/com.apple.datausage.messages"
 * is IMRemoteURLConnectionAgent, found by the index's 15/16-character prefixes
 * of long process names. The app UUIDs in the other rows are not looked up.
 */
static void test_phone_ios_readers__datausage_truncation(void **state)
{
    (void)state;
    idx *x = index_of();
    phone_report *r = check_with(x, backup, 0, 1);
    const phone_finding *f = finding(x, r, "datausage", PHONE_CRITICAL, "IMRemoteURLConne", "imagent");
    assert_non_null(f);
    assert_string_equal(f->record, "ZPROCESS Z_PK=37 ZPROCNAME");
    assert_time(f, "2019-08-29T23:23:07Z");
    for (size_t i = 0; i < r->nevents; i++)
        if (strcmp(r->events[i].artifact, "datausage") == 0)
            assert_null(strstr(r->events[i].value, "1FB47783-A2FE-47D9-B256-DF50EF44BBA4"));
    phone_report_free(r);
    idx_free(x);
}

/* A filesystem dump's shutdown log: clients timed by the SIGTERM line after them; one runs from a data folder. */
static void test_phone_ios_readers__shutdown_log(void **state)
{
    (void)state;
    const char *root = vg_test_tmpdir("phone_shutdown");
    char p[1400];
    snprintf(p, sizeof p, "%s/private/var/db/diagnostics", root);
    assert_int_equal(vg_test_sh("mkdir -p '%s'", p), 0);
    snprintf(p, sizeof p, "%s/private/var/db/diagnostics/shutdown.log", root);
    static const char log[] =
        "After 0.38s, these clients are still here:\n"
        "\t\tremaining client pid: 120 (/usr/libexec/mobileassetd)\n"
        "SIGTERM: [1614262155]\n"
        "After 0.51s, these clients are still here:\n"
        "\t\tremaining client pid: 777 (/private/var/db/com.apple.xpc.roleaccountd.staging/bh)\n"
        "\t\tremaining client pid: 778 (/usr/sbin/wifid)\n"
        "SIGTERM: [1617311440]\n";
    vg_test_write_file(p, log, sizeof log - 1);
    idx *x = index_of();
    phone_report *r = check_with(x, root, 1, 0);
    const phone_finding *f = finding(x, r, "shutdown_log", PHONE_CRITICAL, NULL, "bh");
    assert_time(f, "2021-04-01T21:10:40Z");
    assert_string_equal(f->value, "/private/var/db/com.apple.xpc.roleaccountd.staging/bh");
    assert_string_equal(f->record, "line 5");
    assert_string_equal(f->source, "private/var/db/diagnostics/shutdown.log");
    f = finding(x, r, "shutdown_log", PHONE_MEDIUM, NULL, NULL);
    assert_time(f, "2021-04-01T21:10:40Z");
    assert_non_null(strstr(f->message, "data folder"));
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += strcmp(r->findings[i].artifact, "shutdown_log") == 0;
    assert_int_equal(n, 2); /* mobileassetd and wifid are where binaries belong */
    for (size_t i = 0; i < r->nartifacts; i++)
        if (strcmp(r->artifacts[i].name, "shutdown_log") == 0)
            assert_int_equal(r->artifacts[i].records, 3);
    phone_report_free(r);
    idx_free(x);
}

/* WebKit's session resource log: both generations of keys; Unix seconds; an origin-less entry skipped. */
static plist_t session_log(void)
{
    plist_t root = plist_new_dict(), list = plist_new_array(), e = plist_new_dict(), l = plist_new_array();
    plist_t d = plist_new_dict();
    plist_dict_set_item(e, "PrevalentResourceDomain", plist_new_string("tracker.example"));
    plist_dict_set_item(e, "lastSeen", plist_new_real(1700000000.0));
    plist_dict_set_item(e, "mostRecentUserInteraction", plist_new_real(-1.0));
    plist_dict_set_item(d, "domain", plist_new_string("evil.example"));
    plist_array_append_item(l, d);
    plist_dict_set_item(e, "topFrameUniqueRedirectsTo", l);
    l = plist_new_array();
    d = plist_new_dict();
    plist_dict_set_item(d, "domain", plist_new_string("cdn.example"));
    plist_array_append_item(l, d);
    plist_dict_set_item(e, "subresourceUnderTopFrameDomains", l);
    plist_array_append_item(list, e);
    e = plist_new_dict(); /* before model 15: "origin" items with counts, no lastSeen */
    plist_dict_set_item(e, "PrevalentResourceOrigin", plist_new_string("old.example"));
    plist_dict_set_item(e, "mostRecentUserInteraction", plist_new_real(1600000000.0));
    l = plist_new_array();
    d = plist_new_dict();
    plist_dict_set_item(d, "origin", plist_new_string("x.evil.example"));
    plist_dict_set_item(d, "count", plist_new_uint(2));
    plist_array_append_item(l, d);
    plist_dict_set_item(e, "topFrameUniqueRedirectsFrom", l);
    l = plist_new_array();
    plist_array_append_item(l, plist_new_string("plain.example"));
    plist_dict_set_item(e, "subframeUnderTopFrameOrigins", l);
    plist_array_append_item(list, e);
    e = plist_new_dict(); /* no origin: not a record */
    plist_dict_set_item(e, "topFrameUniqueRedirectsTo", plist_new_array());
    plist_array_append_item(list, e);
    plist_dict_set_item(root, "browsingStatistics", list);
    plist_dict_set_item(root, "version", plist_new_uint(17));
    return root;
}

static void assert_session_findings(const idx *x, const phone_report *r, const char *source_part)
{
    const phone_finding *f =
        finding(x, r, "webkit_session_resource_log", PHONE_CRITICAL, "evil.example", "evil-domain");
    assert_time(f, "2023-11-14T22:13:20Z");
    assert_string_equal(f->record, "browsingStatistics[0] tracker.example topFrameUniqueRedirectsTo");
    assert_non_null(strstr(f->source, source_part));
    f = finding(x, r, "webkit_session_resource_log", PHONE_CRITICAL, "x.evil.example", "evil-domain");
    assert_time(f, "2020-09-13T12:26:40Z");
    assert_string_equal(f->record, "browsingStatistics[1] old.example topFrameUniqueRedirectsFrom");
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += strcmp(r->findings[i].artifact, "webkit_session_resource_log") == 0;
    assert_int_equal(n, 2);
    for (size_t i = 0; i < r->nartifacts; i++)
        if (strcmp(r->artifacts[i].name, "webkit_session_resource_log") == 0) {
            assert_int_equal(r->artifacts[i].state, PHONE_READ);
            assert_int_equal(r->artifacts[i].records, 2);
            assert_int_equal(r->artifacts[i].values, 6); /* 2 origins and 4 listed domains */
        }
}

/* In a backup (any app domain, found through Manifest.db) and in a filesystem dump (Safari's view service). */
static void test_phone_ios_readers__session_resource_log(void **state)
{
    (void)state;
    static const char rel[] = "Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist";
    static const char domain[] = "AppDomain-com.example.browser";
    const char *root = vg_test_tmpdir("phone_session");
    char p[1400], id[41];
    phone_file_id(domain, rel, id);
    snprintf(p, sizeof p, "%s/Manifest.db", root);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    char *sql = sqlite3_mprintf("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
                                "flags INTEGER, file BLOB); INSERT INTO Files VALUES (%Q, %Q, %Q, 1, NULL);",
                                id, domain, rel);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    sqlite3_close(db);
    assert_int_equal(vg_test_sh("mkdir -p '%s/%.2s'", root, id), 0);
    char *bin = NULL;
    uint32_t n = 0;
    plist_t pl = session_log();
    plist_to_bin(pl, &bin, &n);
    plist_free(pl);
    snprintf(p, sizeof p, "%s/%.2s/%s", root, id, id);
    vg_test_write_file(p, bin, n);
    idx *x = index_of();
    phone_report *r = check_with(x, root, 0, 0);
    assert_session_findings(x, r, "AppDomain-com.example.browser/Library/WebKit");
    phone_report_free(r);

    const char *fs = vg_test_tmpdir("phone_session_fs");
    static const char dev[] = "private/var/mobile/Containers/Data/Application/5A1F0000-0000-4000-8000-000000000001/"
                              "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData";
    assert_int_equal(vg_test_sh("mkdir -p '%s/%s'", fs, dev), 0);
    snprintf(p, sizeof p, "%s/%s/full_browsing_session_resourceLog.plist", fs, dev);
    vg_test_write_file(p, bin, n);
    free(bin);
    r = check_with(x, fs, 1, 0);
    assert_session_findings(x, r, "SafariViewService/Library/WebKit/WebsiteData/full_browsing_session_resourceLog");
    phone_report_free(r);
    idx_free(x);
}

/* Diagnostic reports of a dump and of a sysdiagnose: JSON (iOS 15+), text (before), a JetsamEvent, a broken one. */
static void test_phone_ios_readers__crash_reports(void **state)
{
    (void)state;
    const char *root = vg_test_tmpdir("phone_ips");
    static const char cr[] = "private/var/mobile/Library/Logs/CrashReporter";
    assert_int_equal(vg_test_sh("mkdir -p '%s/%s/Retired' '%s/crashes_and_spins'", root, cr, root), 0);
    char p[1400];
    static const char json_ips[] =
        "{\"app_name\":\"bh\",\"timestamp\":\"2021-11-23 10:34:55.00 +0100\",\"bug_type\":\"309\",\"name\":\"bh\","
        "\"os_version\":\"iPhone OS 15.1 (19B74)\",\"incident_id\":\"0000\"}\n"
        "{\n  \"uptime\" : 1000,\n  \"procName\" : \"bh\",\n  \"procPath\" : "
        "\"\\/private\\/var\\/db\\/com.apple.xpc.roleaccountd.staging\\/bh\",\n  \"parentProc\" : \"launchd\",\n"
        "  \"captureTime\" : \"2021-11-23 10:34:55.4296 +0100\"\n}\n";
    snprintf(p, sizeof p, "%s/%s/bh-2021-11-23-103455.ips", root, cr);
    vg_test_write_file(p, json_ips, sizeof json_ips - 1);
    static const char text_ips[] =
        "{\"bug_type\":\"109\",\"timestamp\":\"2020-05-01 08:00:00.00 +0000\",\"name\":\"IMRemoteURLConnectionAgent\"}\n"
        "Incident Identifier: 1111\nHardware Model:      iPhone10,6\n"
        "Process:             IMRemoteURLConnectionAgent [321]\n"
        "Path:                /System/Library/PrivateFrameworks/IMTransferServices.framework/IMRemoteURLConnectionAgent\n"
        "Identifier:          IMRemoteURLConnectionAgent\nParent Process:      launchd [1]\n";
    snprintf(p, sizeof p, "%s/%s/Retired/IMRemoteURLConnectionAgent-2020-05-01-080000.ips", root, cr);
    vg_test_write_file(p, text_ips, sizeof text_ips - 1);
    static const char jetsam[] = "{\"bug_type\":\"298\",\"timestamp\":\"2022-02-02 02:02:02.00 -0500\"}\n"
                                 "{\"processes\":[{\"name\":\"SpringBoard\"},{\"name\":\"com.evil.locator\"}]}\n";
    snprintf(p, sizeof p, "%s/crashes_and_spins/JetsamEvent-2022-02-02-020202.ips", root);
    vg_test_write_file(p, jetsam, sizeof jetsam - 1);
    snprintf(p, sizeof p, "%s/%s/broken.ips", root, cr);
    vg_test_write_file(p, "not json\n", 9);
    idx *x = index_of();
    phone_report *r = check_with(x, root, 1, 0);
    const phone_finding *f = finding(x, r, "crash_reports", PHONE_CRITICAL, "bh", "bh");
    assert_time(f, "2021-11-23T09:34:55Z");
    assert_string_equal(f->record, "report bug_type 309 name");
    f = finding(x, r, "crash_reports", PHONE_MEDIUM, "/private/var/db/com.apple.xpc.roleaccountd.staging/bh", NULL);
    assert_time(f, "2021-11-23T09:34:55Z");
    assert_non_null(strstr(f->message, "Process bh crashed running from /private/var/db/"));
    f = finding(x, r, "crash_reports", PHONE_CRITICAL, "IMRemoteURLConnectionAgent", "imagent");
    assert_time(f, "2020-05-01T08:00:00Z");
    assert_non_null(strstr(f->source, "Retired/"));
    f = finding(x, r, "crash_reports", PHONE_CRITICAL, "com.evil.locator", "evil-locator");
    assert_time(f, "2022-02-02T07:02:02Z");
    assert_string_equal(f->record, "report bug_type 298 processes[1]");
    size_t medium = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        medium += strcmp(r->findings[i].artifact, "crash_reports") == 0 && r->findings[i].level == PHONE_MEDIUM;
    assert_int_equal(medium, 1); /* the framework's agent is where programs live */
    for (size_t i = 0; i < r->nartifacts; i++)
        if (strcmp(r->artifacts[i].name, "crash_reports") == 0) {
            assert_int_equal(r->artifacts[i].files, 4);
            assert_int_equal(r->artifacts[i].records, 3);
            assert_non_null(r->artifacts[i].error); /* broken.ips */
        }
    phone_report_free(r);
    idx_free(x);
}

/* Every allocation of a check failing in turn: a clean VG_E_NOMEM (or a check that got by), no leak, no crash. */
static void test_phone_ios_readers__alloc_failures(void **state)
{
    (void)state;
    idx *x = index_of();
    long n;
    for (n = 1; n < 100000; n++) {
        phone_opts o = {0};
        o.collect = 1;
        phone_report *r = NULL;
        vg_error err = {0};
        long before = vg_alloc_failures();
        vg_alloc_fail_after(n);
        int rc = phone_check_ios(x, dir, &o, &r, &err);
        vg_alloc_fail_reset();
        if (rc == 0) {
            phone_report_free(r);
            if (vg_alloc_failures() == before)
                break; /* no allocation failed: every one before was tried */
            continue;
        }
        assert_int_equal(rc, VG_E_NOMEM);
        assert_null(r);
    }
    assert_true(n > 100 && n < 100000); /* the loop ended because the check needed no more */
    idx_free(x);
}

int main(void)
{
    vg_alloc_init();
    const char *shared = vg_test_shared();
    snprintf(backup, sizeof backup, "%s/data/mobile/ios_backup", shared);
    snprintf(bundle, sizeof bundle, "%s/data/mobile/test-indicators.stix2", shared);
    snprintf(dir, sizeof dir, "%s", vg_test_tmpdir("phone_readers"));
    snprintf(iocs, sizeof iocs, "%s.iocs.json", dir);
    make_iocs();
    make_backup();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_ios_readers__synthetic),
        cmocka_unit_test(test_phone_ios_readers__mvt_bugs),
        cmocka_unit_test(test_phone_ios_readers__interactions_resolved),
        cmocka_unit_test(test_phone_ios_readers__shutdown_log),
        cmocka_unit_test(test_phone_ios_readers__datausage_truncation),
        cmocka_unit_test(test_phone_ios_readers__session_resource_log),
        cmocka_unit_test(test_phone_ios_readers__crash_reports),
        cmocka_unit_test(test_phone_ios_readers__alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
