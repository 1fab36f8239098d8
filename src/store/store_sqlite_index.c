/*
 * store_sqlite_index.c - the SQLite engine's reads through the columns that
 * look into the JSON (migration core 2 in store_sqlite.c): relationships by
 * source, incidents by first activity with their fields, and what a period
 * added, by type and indicator kind.
 *
 * Both read only indexes, never the objects' JSON: a briefing over a store
 * of a million indicators touches the indicators only to count those of the
 * period. docs/internals/store.md lists the columns and indexes.
 */
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "store/store_sqlite_int.h"

void store__sq_kind(const char *json, size_t len, char out[STORE__KIND_MAX])
{
    static const char key[] = "\"pattern\":\"";
    const char *p = memmem(json, len, key, sizeof key - 1);
    snprintf(out, STORE__KIND_MAX, "other");
    if (!p)
        return;
    const char *end = json + len;
    p += sizeof key - 1;
    while (p < end && (*p == '[' || *p == '(' || *p == ' '))
        p++;
    size_t n = 0;
    while (p + n < end && p[n] != ':' && p[n] != '"' && p[n] != ' ')
        n++;
    if (n && n < STORE__KIND_MAX && p + n < end && p[n] == ':') {
        memcpy(out, p, n);
        out[n] = '\0';
    }
}

/* Whether s is one of v[0..n) (n = 0: any). */
static int one_of(const char *s, const char *const *v, size_t n)
{
    if (!n)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, v[i]) == 0)
            return 1;
    return 0;
}

/* Steps st (bound) and calls fn per row (source, type, target, seq), keeping the types asked for. */
static int rel_rows(sq_store *s, sqlite3_stmt *st, const store_rel_query *q,
                    int (*fn)(const store_rel *r, void *ctx), void *ctx, vg_error *err)
{
    int r, rc = 0;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_rel rel = {(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                         (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3)};
        if (!rel.source || !rel.type || !rel.target || !one_of(rel.type, q->types, q->ntypes))
            continue;
        rc = fn(&rel, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "reading relationships");
    sqlite3_reset(st);
    return rc;
}

int store__sq_relationships(store *base, const store_rel_query *q, int (*fn)(const store_rel *r, void *ctx),
                             void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    /* The literals match the partial indexes' WHERE, so that SQLite may use them. */
    static const char *const sql[] = {
        "SELECT rel_src, rel_type, rel_dst, seq FROM objects INDEXED BY objects_rel_src"
        " WHERE type = 'relationship' AND superseded = 0 AND rel_src = ?",
        "SELECT rel_src, rel_type, rel_dst, seq FROM objects INDEXED BY objects_rel_src"
        " WHERE type = 'relationship' AND superseded = 0 AND rel_src >= ? AND rel_src < ?",
    };
    int which = q->nsources ? 0 : 1;
    sqlite3_stmt *st;
    int slot;
    int rc = store__sq_query_stmt(s, sql[which], strlen(sql[which]), &st, &slot, err);
    if (rc)
        return rc;
    if (which == 1) {
        /* [prefix, prefix with its last byte + 1): every text that starts with the prefix */
        size_t n = strlen(q->source_prefix);
        char *hi = vg_strdup(q->source_prefix);
        if (!hi) {
            store__sq_query_done(s, st, slot);
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        }
        if (n && (unsigned char)hi[n - 1] < 0xff)
            hi[n - 1]++;
        sqlite3_bind_text(st, 1, q->source_prefix, -1, SQLITE_TRANSIENT);
        if (n && (unsigned char)q->source_prefix[n - 1] < 0xff)
            sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_blob(st, 2, "", 0, SQLITE_STATIC); /* any blob sorts after every text */
        vg_free(hi);
        rc = rel_rows(s, st, q, fn, ctx, err);
    } else {
        for (size_t i = 0; i < q->nsources && !rc; i++) {
            sqlite3_bind_text(st, 1, q->sources[i], -1, SQLITE_TRANSIENT);
            rc = rel_rows(s, st, q, fn, ctx, err);
        }
    }
    store__sq_query_done(s, st, slot);
    return rc;
}

/*
 * Counting by group: one walk of objects_new (type, kind, added) from group
 * to group (the next (type, kind) after the last one), and for each group a
 * count of its rows in [from, to) — a range of that index. The work follows
 * the rows of the period and the number of groups, not the size of the store.
 */
int store__sq_count_added(store *base, const vg_time *from, const vg_time *to,
                           int (*fn)(const char *type, const char *kind, uint64_t n, void *ctx), void *ctx,
                           vg_error *err)
{
    sq_store *s = (sq_store *)base;
    static const char next_sql[] = "SELECT type, kind FROM objects INDEXED BY objects_new"
                                   " WHERE superseded = 0 AND (type, kind) > (?, ?) ORDER BY type, kind LIMIT 1";
    static const char count_sql[] = "SELECT count(*) FROM objects INDEXED BY objects_new"
                                    " WHERE superseded = 0 AND type = ? AND kind = ? AND added >= ? AND added < ?";
    char a[VG_TIME_MAX], b[VG_TIME_MAX];
    vg_time_format_key(from, a);
    vg_time_format_key(to, b);
    sqlite3_stmt *nx = NULL, *ct = NULL;
    int snx = -1, sct = -1;
    int rc = store__sq_query_stmt(s, next_sql, sizeof next_sql - 1, &nx, &snx, err);
    if (!rc)
        rc = store__sq_query_stmt(s, count_sql, sizeof count_sql - 1, &ct, &sct, err);
    char *type = vg_strdup(""), *kind = vg_strdup("");
    if (!rc && (!type || !kind))
        rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
    while (!rc) {
        sqlite3_bind_text(nx, 1, type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(nx, 2, kind, -1, SQLITE_TRANSIENT);
        int r = sqlite3_step(nx);
        if (r == SQLITE_DONE)
            break;
        if (r != SQLITE_ROW) {
            rc = store__sq_fail(s, err, "counting what was added");
            break;
        }
        char *t = vg_strdup((const char *)sqlite3_column_text(nx, 0));
        char *k = vg_strdup(sqlite3_column_type(nx, 1) == SQLITE_TEXT ? (const char *)sqlite3_column_text(nx, 1) : "");
        sqlite3_reset(nx);
        vg_free(type);
        vg_free(kind);
        type = t;
        kind = k;
        if (!t || !k) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
            break;
        }
        sqlite3_bind_text(ct, 1, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(ct, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(ct, 3, a, -1, SQLITE_STATIC);
        sqlite3_bind_text(ct, 4, b, -1, SQLITE_STATIC);
        r = sqlite3_step(ct);
        int64_t n = r == SQLITE_ROW ? sqlite3_column_int64(ct, 0) : -1;
        sqlite3_reset(ct);
        if (n < 0)
            rc = store__sq_fail(s, err, "counting what was added");
        else if (n > 0)
            rc = fn(type, kind, (uint64_t)n, ctx);
    }
    vg_free(type);
    vg_free(kind);
    if (nx)
        store__sq_query_done(s, nx, snx);
    if (ct)
        store__sq_query_done(s, ct, sct);
    return rc;
}

/*
 * An activity bound as the column compares: "YYYY-MM-DDTHH:MM:SS", so that
 * RFC 3339 texts at or after that second sort at or after it (a longer text
 * with the same prefix sorts after). up: round a fraction up, not down.
 */
static void activity_bound(const vg_time *t, int up, char out[VG_TIME_MAX])
{
    vg_time w = vg_time_from_unix(t->sec + (up && t->nsec ? 1 : 0), 0, 0);
    vg_time_format_digits(&w, 0, out);
    out[19] = '\0';
}

int store__sq_incidents(store *base, const vg_time *from, const vg_time *to,
                        int (*fn)(const store_incident_row *r, void *ctx), void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    /* four shapes: bounded below, above, both, neither; the literals match objects_incidents' WHERE */
    static const char *const sql[] = {
        "SELECT id, inc_name, activity, inc_severity, inc_status, inc_categories, inc_sectors, inc_countries,"
        " inc_last FROM objects INDEXED BY objects_incidents WHERE type = 'incident' AND superseded = 0"
        " ORDER BY activity",
        "SELECT id, inc_name, activity, inc_severity, inc_status, inc_categories, inc_sectors, inc_countries,"
        " inc_last FROM objects INDEXED BY objects_incidents WHERE type = 'incident' AND superseded = 0"
        " AND activity >= ?1 ORDER BY activity",
        "SELECT id, inc_name, activity, inc_severity, inc_status, inc_categories, inc_sectors, inc_countries,"
        " inc_last FROM objects INDEXED BY objects_incidents WHERE type = 'incident' AND superseded = 0"
        " AND activity < ?2 ORDER BY activity",
        "SELECT id, inc_name, activity, inc_severity, inc_status, inc_categories, inc_sectors, inc_countries,"
        " inc_last FROM objects INDEXED BY objects_incidents WHERE type = 'incident' AND superseded = 0"
        " AND activity >= ?1 AND activity < ?2 ORDER BY activity",
    };
    int which = (from ? 1 : 0) + (to ? 2 : 0);
    char lo[VG_TIME_MAX], hi[VG_TIME_MAX];
    sqlite3_stmt *st;
    int slot;
    int rc = store__sq_query_stmt(s, sql[which], strlen(sql[which]), &st, &slot, err);
    if (rc)
        return rc;
    if (from) {
        activity_bound(from, 0, lo);
        sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    }
    if (to) {
        activity_bound(to, 1, hi);
        sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    }
    int r;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_incident_row x = {0};
        x.id = (const char *)sqlite3_column_text(st, 0);
        x.name = (const char *)sqlite3_column_text(st, 1);
        x.activity = (const char *)sqlite3_column_text(st, 2);
        if ((x.has_severity = sqlite3_column_type(st, 3) == SQLITE_INTEGER))
            x.severity = sqlite3_column_int64(st, 3);
        x.status = (const char *)sqlite3_column_text(st, 4);
        x.categories = (const char *)sqlite3_column_text(st, 5);
        x.sectors = (const char *)sqlite3_column_text(st, 6);
        x.countries = (const char *)sqlite3_column_text(st, 7);
        x.last_activity = (const char *)sqlite3_column_text(st, 8);
        if (x.id)
            rc = fn(&x, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "reading incidents");
    store__sq_query_done(s, st, slot);
    return rc;
}
