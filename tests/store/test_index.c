/*
 * test_index.c - the store's columns that look into the JSON (migration
 * core 2): `superseded` across versions stored out of order, collections and
 * deletes; relationships by source and by source prefix; incidents by
 * activity with their extension's fields; counts of what a period added by
 * type and indicator kind; and the migration of a store written before it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "store/store.h"
#include "vg_test.h"

#define EXT "extension-definition--5dbd316b-a923-4666-b9c3-79aeb42f6c75"

static store *fresh(const char *name, char *path, size_t n)
{
    snprintf(path, n, "%s/s.db", vg_test_tmpdir(name));
    store *s;
    vg_error err = {0};
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    return s;
}

/* Stores one object version; json's id, type and modified give the columns. */
static void put(store *s, const char *coll, const char *id, const char *type, const char *modified, const char *json)
{
    store_object o = {.id = id, .type = type, .spec_version = "2.1", .json = json, .json_len = strlen(json)};
    if (modified) {
        o.has_version = 1;
        assert_int_equal(vg_time_parse(modified, strlen(modified), VG_TIME_STIX, &o.version, NULL), 0);
    }
    int ins;
    vg_error err = {0};
    if (store_put(s, coll, &o, &ins, &err))
        fail_msg("put %s: %s", id, err.msg);
    assert_int_equal(ins, 1);
}

/* The json of the latest version(s) of id, joined with '|'. */
static void latest(store *s, const char *id, char *out, size_t n)
{
    store_query q = {0};
    q.ids = &id;
    q.nids = 1;
    store_iter *it;
    store_row row;
    vg_error err = {0};
    out[0] = '\0';
    assert_int_equal(store_query_open(s, &q, &it, &err), 0);
    while (store_iter_next(it, &row, &err) == 1)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "|" : "", row.json);
    store_iter_free(it);
}

static void test_store_index__superseded(void **st)
{
    (void)st;
    char path[4200], got[1024];
    store *s = fresh("index_superseded", path, sizeof path);
    vg_error err = {0};
    const char *id = "malware--11111111-1111-4111-8111-111111111111";
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, id, "malware", "2024-02-01T00:00:00Z", "{\"v\":2}");
    put(s, NULL, id, "malware", "2024-01-01T00:00:00Z", "{\"v\":1}"); /* older, stored later */
    put(s, "other", id, "malware", "2023-01-01T00:00:00Z", "{\"v\":0}");
    assert_int_equal(store_commit(s, &err), 0);
    latest(s, id, got, sizeof got);
    assert_string_equal(got, "{\"v\":2}|{\"v\":0}"); /* the latest of each collection */

    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, id, "malware", "2024-03-01T00:00:00Z", "{\"v\":3}");
    assert_int_equal(store_commit(s, &err), 0);
    latest(s, id, got, sizeof got);
    assert_string_equal(got, "{\"v\":0}|{\"v\":3}");

    /* deleting the latest version makes the one before it latest again */
    int deleted = 0;
    char key[VG_TIME_MAX];
    vg_time t;
    assert_int_equal(vg_time_parse("2024-03-01T00:00:00Z", 20, VG_TIME_STIX, &t, NULL), 0);
    vg_time_format_key(&t, key);
    assert_int_equal(store_begin(s, &err), 0);
    assert_int_equal(store_object_delete(s, STORE_DEFAULT_COLLECTION, id, key, &deleted, &err), 0);
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(deleted, 1);
    latest(s, id, got, sizeof got);
    assert_string_equal(got, "{\"v\":2}|{\"v\":0}");
    store_close(s);
}

#define REL(id, src, type, dst)                                                                                    \
    "{\"type\":\"relationship\",\"id\":\"" id "\",\"relationship_type\":\"" type "\",\"source_ref\":\"" src      \
    "\",\"target_ref\":\"" dst "\"}"

typedef struct rels {
    char text[2048]; /* "source type target;" per relationship, sorted by arrival */
    int64_t last;    /* arrival of the last one */
    int ordered;     /* arrivals increased */
} rels;

static int on_rel(const store_rel *r, void *ctx)
{
    rels *c = ctx;
    snprintf(c->text + strlen(c->text), sizeof c->text - strlen(c->text), "%s %s %s;", r->source, r->type,
             r->target);
    c->ordered &= r->arrival > c->last;
    c->last = r->arrival;
    return 0;
}

static void test_store_index__relationships(void **st)
{
    (void)st;
    char path[4200];
    store *s = fresh("index_rel", path, sizeof path);
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, "relationship--1", "relationship", "2024-01-01T00:00:00Z", REL("relationship--1", "incident--a", "uses", "malware--m"));
    put(s, NULL, "relationship--2", "relationship", "2024-01-01T00:00:00Z", REL("relationship--2", "incident--b", "targets", "identity--i"));
    put(s, NULL, "relationship--3", "relationship", "2024-01-01T00:00:00Z", REL("relationship--3", "malware--m", "uses", "attack-pattern--t"));
    /* a second version retargets relationship 1: only the latest counts */
    put(s, NULL, "relationship--1", "relationship", "2024-02-01T00:00:00Z", REL("relationship--1", "incident--a", "uses", "malware--n"));
    /* a source that is not a string is no source */
    put(s, NULL, "relationship--4", "relationship", "2024-01-01T00:00:00Z",
        "{\"type\":\"relationship\",\"relationship_type\":\"uses\",\"source_ref\":7,\"target_ref\":\"x--y\"}");
    assert_int_equal(store_commit(s, &err), 0);

    rels c = {.ordered = 1};
    store_rel_query q = {.source_prefix = "incident--"};
    assert_int_equal(store_relationships(s, &q, on_rel, &c, &err), 0);
    assert_string_equal(c.text, "incident--a uses malware--n;incident--b targets identity--i;");

    static const char *const src[] = {"malware--m", "incident--a"}, *const uses[] = {"uses"};
    rels d = {.ordered = 1};
    store_rel_query q2 = {.sources = src, .nsources = 2, .types = uses, .ntypes = 1};
    assert_int_equal(store_relationships(s, &q2, on_rel, &d, &err), 0);
    assert_string_equal(d.text, "malware--m uses attack-pattern--t;incident--a uses malware--n;");

    store_rel_query none = {0};
    assert_int_equal(store_relationships(s, &none, on_rel, &d, &err), VG_E_USAGE);
    store_close(s);
}

#define INC(id, name, ext) "{\"type\":\"incident\",\"id\":\"" id "\",\"name\":" name ",\"created\":\"2024-01-05T00:00:00Z\",\"extensions\":{\"" EXT "\":" ext "}}"

static int on_inc(const store_incident_row *r, void *ctx)
{
    char *out = ctx;
    snprintf(out + strlen(out), 2048 - strlen(out), "%s|%s|%s|%d:%lld|%s|%s|%s|%s|%s;", r->id,
             r->name ? r->name : "-", r->activity ? r->activity : "-", r->has_severity, (long long)r->severity,
             r->status ? r->status : "-", r->categories ? r->categories : "-", r->sectors ? r->sectors : "-",
             r->countries ? r->countries : "-", r->last_activity ? r->last_activity : "-");
    return 0;
}

static void test_store_index__incidents(void **st)
{
    (void)st;
    char path[4200], out[2048] = "";
    store *s = fresh("index_inc", path, sizeof path);
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, "incident--1", "incident", "2024-01-05T00:00:00Z",
        INC("incident--1", "\"One\"", "{\"severity\":4,\"status\":\"open\",\"categories\":[\"espionage\", \"ransomware\"],"
            "\"sectors\":[\"energy\"],\"countries\":[\"DE\"],\"first_activity\":\"2024-03-01T10:00:00Z\","
            "\"last_activity\":\"2024-03-02T00:00:00Z\"}"));
    /* no first_activity: filed under created; a severity that is no integer is no severity */
    put(s, NULL, "incident--2", "incident", "2024-01-05T00:00:00Z", INC("incident--2", "5", "{\"severity\":\"high\"}"));
    put(s, NULL, "incident--3", "incident", "2024-01-05T00:00:00Z",
        INC("incident--3", "\"Three\"", "{\"first_activity\":\"2024-02-29T23:59:59.999Z\"}"));
    /* a newer version moves incident 3 into March */
    put(s, NULL, "incident--3", "incident", "2024-01-06T00:00:00Z",
        INC("incident--3", "\"Three\"", "{\"first_activity\":\"2024-03-31T23:59:59.5Z\"}"));
    assert_int_equal(store_commit(s, &err), 0);

    assert_int_equal(store_incidents(s, NULL, NULL, on_inc, out, &err), 0);
    assert_string_equal(out, "incident--2|-|2024-01-05T00:00:00Z|0:0|-|-|-|-|-;"
                             "incident--1|One|2024-03-01T10:00:00Z|1:4|open|[\"espionage\",\"ransomware\"]|"
                             "[\"energy\"]|[\"DE\"]|2024-03-02T00:00:00Z;"
                             "incident--3|Three|2024-03-31T23:59:59.5Z|0:0|-|-|-|-|-;");
    vg_time from, to;
    assert_int_equal(vg_time_parse("2024-03-01T00:00:00Z", 20, VG_TIME_STIX, &from, NULL), 0);
    assert_int_equal(vg_time_parse("2024-04-01T00:00:00Z", 20, VG_TIME_STIX, &to, NULL), 0);
    out[0] = '\0';
    assert_int_equal(store_incidents(s, &from, &to, on_inc, out, &err), 0);
    assert_non_null(strstr(out, "incident--1|"));
    assert_non_null(strstr(out, "incident--3|"));
    assert_null(strstr(out, "incident--2|"));
    to.sec -= 1; /* 23:59:59: the half second after it is outside */
    out[0] = '\0';
    assert_int_equal(store_incidents(s, &from, &to, on_inc, out, &err), 0);
    assert_null(strstr(out, "incident--3|"));
    store_close(s);
}

typedef struct counts {
    char text[1024]; /* "type/kind=n " in call order */
} counts;

static int on_count(const char *type, const char *kind, uint64_t n, void *ctx)
{
    counts *c = ctx;
    snprintf(c->text + strlen(c->text), sizeof c->text - strlen(c->text), "%s/%s=%llu ", type, kind,
             (unsigned long long)n);
    return 0;
}

#define IND(id, pattern) "{\"type\":\"indicator\",\"id\":\"" id "\",\"pattern\":\"" pattern "\"}"

static void test_store_index__count_added(void **st)
{
    (void)st;
    char path[4200];
    store *s = fresh("index_count", path, sizeof path);
    vg_error err = {0};
    vg_time t0 = vg_time_from_unix(1735689600, 0, 0); /* 2025-01-01 */
    vg_time_set_now(&t0);
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, "indicator--0", "indicator", NULL, IND("indicator--0", "[file:name = 'x']"));
    assert_int_equal(store_commit(s, &err), 0);
    vg_time t1 = vg_time_from_unix(1735689600 + 86400, 0, 0); /* 2025-01-02: the period */
    vg_time_set_now(&t1);
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, "indicator--1", "indicator", NULL, IND("indicator--1", "[domain-name:value = 'a.example']"));
    put(s, NULL, "indicator--2", "indicator", NULL, IND("indicator--2", "([ipv4-addr:value = '192.0.2.1'])"));
    put(s, NULL, "indicator--3", "indicator", NULL, IND("indicator--3", "[domain-name:value = 'b.example']"));
    put(s, NULL, "indicator--4", "indicator", NULL, "{\"type\":\"indicator\",\"id\":\"indicator--4\"}");
    put(s, NULL, "indicator--5", "indicator", NULL, IND("indicator--5", "[x y:z = 1]"));
    put(s, NULL, "malware--1", "malware", "2024-01-01T00:00:00Z", "{}");
    put(s, NULL, "malware--1", "malware", "2024-02-01T00:00:00Z", "{}"); /* one object, two versions */
    assert_int_equal(store_commit(s, &err), 0);
    vg_time t2 = vg_time_from_unix(1735689600 + 2 * 86400, 0, 0);
    vg_time_set_now(&t2);
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, "indicator--6", "indicator", NULL, IND("indicator--6", "[url:value = 'http://x.example/']"));
    assert_int_equal(store_commit(s, &err), 0);
    vg_time_set_now(NULL);

    counts c = {""};
    assert_int_equal(store_count_added(s, &t1, &t2, on_count, &c, &err), 0);
    assert_string_equal(c.text, "indicator/domain-name=2 indicator/ipv4-addr=1 indicator/other=2 malware/=1 ");
    store_close(s);
}

/* A store written before migration core 2 gets its columns filled when opened. */
static void test_store_index__migration(void **st)
{
    (void)st;
    char path[4200];
    store *s = fresh("index_migration", path, sizeof path);
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, "indicator--1", "indicator", "2024-01-01T00:00:00Z", IND("indicator--1", "[domain-name:value = 'a.example']"));
    put(s, NULL, "indicator--1", "indicator", "2024-02-01T00:00:00Z", IND("indicator--1", "[ipv4-addr:value = '192.0.2.1']"));
    put(s, NULL, "relationship--1", "relationship", "2024-01-01T00:00:00Z", REL("relationship--1", "incident--a", "uses", "malware--m"));
    assert_int_equal(store_commit(s, &err), 0);
    store_close(s);
    /* undo core 2 as an older vigil would have left the file (the columns are recomputed from the JSON) */
    assert_int_equal(vg_test_sh("sqlite3 '%s' \"DROP INDEX objects_rel_src; DROP INDEX objects_incidents;"
                                " DROP INDEX objects_new; DROP TRIGGER objects_unsupersede;"
                                " UPDATE objects SET superseded = 0, kind = '';"
                                " DELETE FROM schema_migrations WHERE module = 'core' AND version = 2;"
                                " ALTER TABLE objects DROP COLUMN superseded; ALTER TABLE objects DROP COLUMN kind;"
                                " ALTER TABLE objects DROP COLUMN rel_src; ALTER TABLE objects DROP COLUMN rel_type;"
                                " ALTER TABLE objects DROP COLUMN rel_dst; ALTER TABLE objects DROP COLUMN activity;"
                                " ALTER TABLE objects DROP COLUMN inc_name; ALTER TABLE objects DROP COLUMN inc_severity;"
                                " ALTER TABLE objects DROP COLUMN inc_status; ALTER TABLE objects DROP COLUMN inc_categories;"
                                " ALTER TABLE objects DROP COLUMN inc_sectors; ALTER TABLE objects DROP COLUMN inc_countries;"
                                " ALTER TABLE objects DROP COLUMN inc_last;"
                                " PRAGMA user_version = 4;\"",
                                path),
                     0);
    assert_int_equal(store_open(path, STORE_READONLY, &s, &err), VG_E_CONFLICT);
    assert_int_equal(store_open(path, 0, &s, &err), 0);
    char got[1024];
    latest(s, "indicator--1", got, sizeof got);
    assert_non_null(strstr(got, "ipv4-addr"));
    assert_null(strstr(got, "|"));
    rels c = {.ordered = 1};
    store_rel_query q = {.source_prefix = "incident--"};
    assert_int_equal(store_relationships(s, &q, on_rel, &c, &err), 0);
    assert_string_equal(c.text, "incident--a uses malware--m;");
    vg_time from = vg_time_from_unix(0, 0, 0), to = vg_time_now(0);
    to.sec += 60;
    counts k = {""};
    assert_int_equal(store_count_added(s, &from, &to, on_count, &k, &err), 0);
    assert_string_equal(k.text, "indicator/ipv4-addr=1 relationship/=1 ");
    store_close(s);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_index__superseded),
        cmocka_unit_test(test_store_index__relationships),
        cmocka_unit_test(test_store_index__incidents),
        cmocka_unit_test(test_store_index__count_added),
        cmocka_unit_test(test_store_index__migration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
