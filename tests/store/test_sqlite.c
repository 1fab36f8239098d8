/*
 * test_sqlite.c - the store interface on its SQLite engine: versions, dedupe,
 * queries, paging cursors, transactions and refusing foreign files.
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

#include "core/vg_alloc.h"
#include "store/store.h"
#include "vg_test.h"

static char path[4200];

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static store_object obj(const char *id, const char *type, const char *modified, const char *json)
{
    store_object o = {.id = id, .type = type, .spec_version = "2.1", .json = json, .json_len = strlen(json)};
    if (modified) {
        o.has_version = 1;
        assert_int_equal(vg_time_parse(modified, strlen(modified), VG_TIME_STIX, &o.version, NULL), 0);
    }
    return o;
}

static store *fresh(const char *name)
{
    snprintf(path, sizeof path, "%s/s.db", vg_test_tmpdir(name));
    store *s;
    vg_error err = {0};
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    return s;
}

static void put(store *s, const char *coll, store_object o, int expect_inserted)
{
    int ins = -1;
    vg_error err = {0};
    if (store_put(s, coll, &o, &ins, &err))
        fail_msg("put %s: %s", o.id, err.msg);
    assert_int_equal(ins, expect_inserted);
}

/* Runs q and returns the number of rows; copies the last json into last (if non-NULL). */
static int count(store *s, const store_query *q, char *last, size_t n)
{
    store_iter *it;
    vg_error err = {0};
    assert_int_equal(store_query_open(s, q, &it, &err), 0);
    store_row row;
    int k = 0, rc;
    while ((rc = store_iter_next(it, &row, &err)) == 1) {
        k++;
        if (last)
            snprintf(last, n, "%s", row.json);
    }
    assert_int_equal(rc, 0);
    store_iter_free(it);
    return k;
}

static void test_store_sqlite__versions_and_dedupe(void **state)
{
    (void)state;
    store *s = fresh("store_versions");
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, obj("malware--1", "malware", "2020-01-01T00:00:00Z", "{\"v\":1}"), 1);
    put(s, NULL, obj("malware--1", "malware", "2021-01-01T00:00:00.5Z", "{\"v\":3}"), 1);
    put(s, NULL, obj("malware--1", "malware", "2020-06-01T00:00:00Z", "{\"v\":2}"), 1);
    put(s, NULL, obj("malware--1", "malware", "2020-01-01T00:00:00.000Z", "{\"v\":1}"), 0); /* same version */
    put(s, NULL, obj("indicator--1", "indicator", "2020-01-01T00:00:00Z", "{\"i\":1}"), 1);
    put(s, "partners", obj("indicator--1", "indicator", "2020-01-01T00:00:00Z", "{\"i\":1}"), 1);
    put(s, NULL, obj("ipv4-addr--1", "ipv4-addr", NULL, "{\"sco\":1}"), 1);
    put(s, NULL, obj("ipv4-addr--1", "ipv4-addr", NULL, "{\"sco\":1}"), 0);
    assert_int_equal(store_commit(s, &err), 0);

    const char *id = "malware--1";
    char last[256];
    store_query q = {.ids = &id, .nids = 1};
    assert_int_equal(count(s, &q, last, sizeof last), 1);
    assert_string_equal(last, "{\"v\":3}");
    q.versions = STORE_VER_FIRST;
    assert_int_equal(count(s, &q, last, sizeof last), 1);
    assert_string_equal(last, "{\"v\":1}");
    q.versions = STORE_VER_ALL;
    assert_int_equal(count(s, &q, NULL, 0), 3);
    q.versions = STORE_VER_FIRST | STORE_VER_LAST;
    assert_int_equal(count(s, &q, NULL, 0), 2);
    vg_time at;
    assert_int_equal(vg_time_parse("2020-06-01T00:00:00.000Z", 24, VG_TIME_STIX, &at, NULL), 0);
    q.versions = STORE_VER_AT;
    q.at = &at;
    q.nat = 1;
    assert_int_equal(count(s, &q, last, sizeof last), 1);
    assert_string_equal(last, "{\"v\":2}");

    const char *types[] = {"indicator", "ipv4-addr"};
    store_query qt = {.types = types, .ntypes = 2};
    assert_int_equal(count(s, &qt, NULL, 0), 3); /* indicator in two collections + the SCO */
    qt.collection = "partners";
    assert_int_equal(count(s, &qt, NULL, 0), 1);
    const char *sv = "2.0";
    store_query qs = {.spec_versions = &sv, .nspec_versions = 1};
    assert_int_equal(count(s, &qs, NULL, 0), 0);

    store_stats st;
    assert_int_equal(store_stats_get(s, &st, &err), 0);
    assert_int_equal(st.versions, 6);
    assert_int_equal(st.objects, 4);
    assert_int_equal(st.collections, 2);
    store_close(s);
}

static void test_store_sqlite__paging_and_added_after(void **state)
{
    (void)state;
    store *s = fresh("store_paging");
    vg_error err = {0};
    char ids[50][32];
    assert_int_equal(store_begin(s, &err), 0);
    for (int i = 0; i < 50; i++) {
        snprintf(ids[i], sizeof ids[i], "note--%02d", i);
        put(s, NULL, obj(ids[i], "note", "2020-01-01T00:00:00Z", "{}"), 1);
    }
    assert_int_equal(store_commit(s, &err), 0);
    /* Pages of 7 cover all 50 objects once, in order, with a cursor any handle can continue. */
    char cursor[96] = "";
    int seen = 0, pages = 0;
    char prev_added[VG_TIME_MAX] = "";
    for (;;) {
        store_query q = {.limit = 7, .cursor = cursor[0] ? cursor : NULL};
        store *s2;
        assert_int_equal(store_open(path, STORE_READONLY, &s2, &err), 0);
        store_iter *it;
        assert_int_equal(store_query_open(s2, &q, &it, &err), 0);
        store_row row;
        while (store_iter_next(it, &row, &err) == 1) {
            assert_string_equal(row.id, ids[seen]);
            assert_true(strcmp(prev_added, row.added) < 0); /* strictly increasing */
            snprintf(prev_added, sizeof prev_added, "%s", row.added);
            seen++;
        }
        pages++;
        const char *next = store_iter_next_cursor(it);
        if (next)
            snprintf(cursor, sizeof cursor, "%s", next);
        int more = store_iter_more(it);
        store_iter_free(it);
        store_close(s2);
        if (!more)
            break;
    }
    assert_int_equal(seen, 50);
    assert_int_equal(pages, 8);
    /* added_after the 10th object's date added gives the 40 after it. */
    store_query q = {.limit = 10};
    store_iter *it;
    assert_int_equal(store_query_open(s, &q, &it, &err), 0);
    store_row row;
    while (store_iter_next(it, &row, &err) == 1)
        ;
    store_query qa = {.has_added_after = 1};
    const char *last = store_iter_added_last(it);
    assert_int_equal(vg_time_parse(last, strlen(last), VG_TIME_STIX, &qa.added_after, NULL), 0);
    store_iter_free(it);
    assert_int_equal(count(s, &qa, NULL, 0), 40);
    store_query bad = {.cursor = "c12-x"};
    assert_int_equal(store_query_open(s, &bad, &it, &err), VG_E_USAGE);
    assert_non_null(strstr(err.msg, "cursor"));
    store_close(s);
}

static void test_store_sqlite__rollback_leaves_store_unchanged(void **state)
{
    (void)state;
    store *s = fresh("store_rollback");
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    put(s, NULL, obj("note--1", "note", "2020-01-01T00:00:00Z", "{}"), 1);
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(store_begin(s, &err), 0);
    put(s, "new", obj("note--2", "note", "2020-01-01T00:00:00Z", "{}"), 1);
    store_rollback(s);
    store_query q = {0};
    assert_int_equal(count(s, &q, NULL, 0), 1);
    store_stats st;
    assert_int_equal(store_stats_get(s, &st, &err), 0);
    assert_int_equal(st.collections, 1);
    /* The collection cache must not survive the rollback. */
    assert_int_equal(store_begin(s, &err), 0);
    put(s, "new", obj("note--3", "note", "2020-01-01T00:00:00Z", "{}"), 1);
    assert_int_equal(store_commit(s, &err), 0);
    assert_int_equal(count(s, &q, NULL, 0), 2);
    int ins;
    store_object o = obj("note--4", "note", NULL, "{}");
    assert_int_equal(store_put(s, NULL, &o, &ins, &err), VG_E_INTERNAL); /* outside a transaction */
    store_close(s);
}

static void test_store_sqlite__refuses_foreign_files(void **state)
{
    (void)state;
    const char *dir = vg_test_tmpdir("store_foreign");
    char p[4200];
    snprintf(p, sizeof p, "%s/garbage.db", dir);
    vg_test_write_file(p, "this is not a database, not at all, no............................................"
                          "...................................................................", 150);
    store *s;
    vg_error err = {0};
    assert_int_equal(store_open(p, STORE_CREATE, &s, &err), VG_E_STORE);
    assert_non_null(strstr(err.msg, "not a vigil store"));
    snprintf(p, sizeof p, "%s/other.db", dir);
    assert_int_equal(vg_test_sh("sqlite3 '%s' 'CREATE TABLE t(x)' 2>/dev/null || python3 -c \"import sqlite3; "
                                "sqlite3.connect('%s').execute('CREATE TABLE t(x)')\"",
                                p, p),
                     0);
    assert_int_equal(store_open(p, STORE_CREATE, &s, &err), VG_E_STORE);
    snprintf(p, sizeof p, "%s/missing.db", dir);
    assert_int_equal(store_open(p, 0, &s, &err), VG_E_NOTFOUND);
    assert_int_equal(store_open("postgres://localhost/vigil", 0, &s, &err), VG_E_UNSUPPORTED);
}

static void test_store_sqlite__newer_schema_is_refused(void **state)
{
    (void)state;
    store *s = fresh("store_newer");
    assert_int_equal(store_schema_version_of(s), store_schema_version());
    store_close(s);
    assert_int_equal(vg_test_sh("python3 -c \"import sqlite3; c=sqlite3.connect('%s'); "
                                "c.execute('PRAGMA user_version=99'); c.commit()\"",
                                path),
                     0);
    vg_error err = {0};
    assert_int_equal(store_open(path, 0, &s, &err), VG_E_CONFLICT);
    assert_non_null(strstr(err.msg, "newer"));
}

/* The rows of q as sorted "collection id json" lines, joined by newlines (caller frees). */
static char *rows_of(store *s, const store_query *q, size_t *n)
{
    store_iter *it;
    vg_error err = {0};
    assert_int_equal(store_query_open(s, q, &it, &err), 0);
    size_t cap = 1024, k = 0;
    char **v = vg_malloc(cap * sizeof *v);
    store_row row;
    int rc;
    while ((rc = store_iter_next(it, &row, &err)) == 1) {
        if (k == cap)
            v = vg_realloc(v, (cap *= 2) * sizeof *v);
        char line[256];
        snprintf(line, sizeof line, "%s %s %s", row.collection, row.id, row.json);
        v[k++] = vg_strdup(line);
    }
    assert_int_equal(rc, 0);
    if (q->any_order)
        assert_string_equal(store_iter_cursor(it), ""); /* rows in no order have no cursor */
    store_iter_free(it);
    qsort(v, k, sizeof *v, strcmp_ptr);
    size_t total = 1;
    for (size_t i = 0; i < k; i++)
        total += strlen(v[i]) + 1;
    char *all = vg_malloc(total), *o = all;
    for (size_t i = 0; i < k; i++) {
        size_t l = strlen(v[i]);
        memcpy(o, v[i], l);
        o[l] = '\n';
        o += l + 1;
        vg_free(v[i]);
    }
    *o = 0;
    vg_free(v);
    *n = k;
    return all;
}

/*
 * A query in any order reads the whole table when its types hold an eighth
 * of the rows or more, and goes through the type index otherwise: both give
 * the rows that the ordered query gives (latest versions, per collection).
 */
static void test_store_sqlite__any_order_gives_the_same_rows(void **state)
{
    (void)state;
    store *s = fresh("store_any_order");
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    char id[64], json[64];
    for (int i = 0; i < 6000; i++) {
        const char *type = i % 3 == 0 ? "indicator" : i % 97 == 1 ? "tool" : "malware";
        snprintf(id, sizeof id, "%s--%d", type, i);
        snprintf(json, sizeof json, "{\"n\":%d}", i);
        put(s, i % 5 == 0 ? "partners" : NULL, obj(id, type, "2020-01-01T00:00:00Z", json), 1);
        if (i % 7 == 0) { /* a later version: only it is the latest */
            snprintf(json, sizeof json, "{\"n\":%d,\"v\":2}", i);
            put(s, i % 5 == 0 ? "partners" : NULL, obj(id, type, "2021-01-01T00:00:00Z", json), 1);
        }
    }
    assert_int_equal(store_commit(s, &err), 0);
    static const char *const many[] = {"indicator"}, *const few[] = {"tool"}, *const two[] = {"tool", "indicator"};
    const struct {
        const char *const *types;
        size_t ntypes;
        const char *collection;
        int versions;
        size_t rows;
    } cases[] = {
        {many, 1, NULL, STORE_VER_LAST, 2000},        /* a third of the rows: the whole table */
        {many, 1, "partners", STORE_VER_LAST, 400},   /* one collection's */
        {many, 1, NULL, STORE_VER_ALL, 2000 + 286},   /* every version */
        {few, 1, NULL, STORE_VER_LAST, 42},           /* under an eighth: the index */
        {two, 2, NULL, STORE_VER_LAST, 2042},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        store_query q = {0};
        q.types = cases[c].types;
        q.ntypes = cases[c].ntypes;
        q.collection = cases[c].collection;
        q.versions = cases[c].versions;
        size_t n1, n2;
        char *ordered = rows_of(s, &q, &n1);
        q.any_order = 1;
        char *any = rows_of(s, &q, &n2);
        assert_int_equal(n1, cases[c].rows);
        assert_int_equal(n2, n1);
        assert_string_equal(any, ordered);
        vg_free(ordered);
        vg_free(any);
    }
    store_close(s);
}

/* Writes one transaction of n objects of about 4 KB each to s. */
static void put_many(store *s, int from, int n)
{
    vg_error err = {0};
    assert_int_equal(store_begin(s, &err), 0);
    char id[80], *json = malloc(5000);
    for (int i = from; i < from + n; i++) {
        snprintf(id, sizeof id, "note--%08x-0000-4000-8000-000000000000", (unsigned)i);
        int k = snprintf(json, 5000, "{\"type\":\"note\",\"id\":\"%s\",\"content\":\"", id);
        memset(json + k, 'a' + i % 26, 4000);
        snprintf(json + k + 4000, 5000 - (size_t)k - 4000, "\"}");
        put(s, "c", obj(id, "note", NULL, json), 1);
    }
    free(json);
    assert_int_equal(store_commit(s, &err), 0);
}

/* The size of the store's main file (not its log). */
static long long main_file_size(void)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long long)st.st_size;
}

/*
 * Checkpoints: with automatic checkpoints off, a commit past 1,000 pages
 * leaves its pages in the log (the main file does not grow) for another
 * handle's store_checkpoint to copy; with them on (the default) the commit
 * copies them itself. Either way the data reads back.
 */
static void test_store_sqlite__checkpoint_elsewhere(void **state)
{
    (void)state;
    store *w = fresh("store_ckpt"), *other;
    vg_error err = {0};
    assert_int_equal(store_open(path, 0, &other, &err), 0);
    assert_int_equal(store_checkpoint(other, &err), 0); /* the schema's pages */
    long long before = main_file_size();
    assert_int_equal(store_autocheckpoint(w, 0, &err), 0);
    put_many(w, 0, 4500); /* about 18 MB: past 1,000 pages of 16 KiB */
    assert_int_equal(main_file_size(), before);
    assert_int_equal(store_checkpoint(other, &err), 0);
    long long after = main_file_size();
    assert_true(after > before + (16 << 20));
    assert_int_equal(store_autocheckpoint(w, 1, &err), 0);
    put_many(w, 4500, 4500);
    assert_true(main_file_size() > after + (16 << 20)); /* the commit copied its log itself */
    store_query q = {.collection = "c"};
    assert_int_equal(count(other, &q, NULL, 0), 9000);
    store_close(other);
    store_close(w);
}

/*
 * The i-th object of the batch test: up to 300, 150 ids, each coming back
 * 150 objects later with another version (days 1 then 3); from 300, 30 of
 * them every 30 objects (so twice in a slice of 64) with days 5, 2 (older
 * after newer), 4, ...; from 560, 20 new ids every 20 objects (new to the
 * store, twice in one slice of 64, the last versions they get); every 50th
 * object repeats the version of the one before.
 */
static store_object batch_obj(int i, char id[64], char mod[40], char json[200])
{
    int src = i % 50 == 49 ? i - 1 : i;
    int n = src < 300 ? (src * 37) % 150 : src < 560 ? src % 30 : 1000 + src % 20;
    int day = 1 + (2 * (src < 300 ? src / 150 : src < 560 ? src / 30 : src / 20)) % 5;
    snprintf(id, 64, "note--%08x-0000-4000-8000-000000000000", (unsigned)n);
    snprintf(mod, 40, "2024-01-%02dT00:00:00.000Z", day);
    snprintf(json, 200,
             "{\"type\":\"note\",\"id\":\"note--%08x-0000-4000-8000-000000000000\",\"modified\":\"2024-01-%02dT00:00:"
             "00.000Z\",\"content\":\"%d\"}",
             (unsigned)n, day, i);
    return obj(id, "note", mod, json);
}

/*
 * store_put_many gives what store_put object by object gives: the same
 * inserted flags and the same rows (every version; the latest ones, which
 * read superseded), whatever the slices, with ids already in the store, in
 * another collection only, repeated in a slice, and across slices.
 */
static void test_store_sqlite__put_many_as_put(void **state)
{
    (void)state;
    store *a = fresh("store_put_one"), *b = fresh("store_put_many");
    vg_error err = {0};
    enum { N = 600 };
    static char ids[N][64], mods[N][40], jsons[N][200];
    store_object objs[N];
    for (int i = 0; i < N; i++)
        objs[i] = batch_obj(i, ids[i], mods[i], jsons[i]);
    int ins_a[N], ins_b[N];
    store *both[] = {a, b};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(store_begin(both[k], &err), 0);
        for (int i = 0; i < 40; i++) /* already there: some in "c", some in "other" only */
            put(both[k], i % 2 ? "c" : "other", objs[i], 1);
        assert_int_equal(store_commit(both[k], &err), 0);
        assert_int_equal(store_begin(both[k], &err), 0);
    }
    static const size_t slices[] = {1, 7, 64, 65, 200, 63, 200};
    int versions[] = {STORE_VER_ALL, STORE_VER_LAST, STORE_VER_FIRST};
    size_t at = 0;
    for (size_t k = 0; at < N; k++) {
        size_t n = slices[k % 7] < N - at ? slices[k % 7] : N - at;
        for (size_t i = at; i < at + n; i++)
            assert_int_equal(store_put(a, "c", &objs[i], &ins_a[i], &err), 0);
        assert_int_equal(store_put_many(b, "c", objs + at, n, ins_b + at, &err), 0);
        at += n;
        /* The same rows after each slice (a later version would mend a wrong superseded flag). */
        for (int v = 0; v < 3; v++) {
            store_query q = {.collection = "c", .versions = versions[v]};
            size_t na, nb;
            char *ra = rows_of(a, &q, &na), *rb = rows_of(b, &q, &nb);
            assert_int_equal(na, nb);
            assert_string_equal(ra, rb);
            vg_free(ra);
            vg_free(rb);
        }
    }
    assert_int_equal(store_commit(a, &err), 0);
    assert_int_equal(store_commit(b, &err), 0);
    int fresh_rows = 0, repeats = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(ins_a[i], ins_b[i]);
        fresh_rows += ins_a[i];
        repeats += !ins_a[i];
    }
    assert_true(fresh_rows > 400 && repeats > 100); /* both kinds were there (462 and 138) */
    for (int v = 0; v < 3; v++) {
        store_query q = {.collection = "c", .versions = versions[v]};
        size_t na, nb;
        char *ra = rows_of(a, &q, &na), *rb = rows_of(b, &q, &nb);
        assert_int_equal(na, nb);
        assert_string_equal(ra, rb);
        vg_free(ra);
        vg_free(rb);
    }
    store_close(a);
    store_close(b);
}

int main(void)
{
    vg_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_sqlite__versions_and_dedupe),
        cmocka_unit_test(test_store_sqlite__paging_and_added_after),
        cmocka_unit_test(test_store_sqlite__rollback_leaves_store_unchanged),
        cmocka_unit_test(test_store_sqlite__refuses_foreign_files),
        cmocka_unit_test(test_store_sqlite__newer_schema_is_refused),
        cmocka_unit_test(test_store_sqlite__any_order_gives_the_same_rows),
        cmocka_unit_test(test_store_sqlite__checkpoint_elsewhere),
        cmocka_unit_test(test_store_sqlite__put_many_as_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
