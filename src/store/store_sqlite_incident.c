/*
 * store_sqlite_incident.c - the incident module's tables in the SQLite
 * engine: the alert outbox.
 *
 * Tables (module "incident", docs/internals/alerts.md):
 *   incident_alerts(aid, created, incident, version, json)     -- one per incident change that alerts
 *   incident_channels(name, first_alert, created)              -- delivery channels seen so far
 *   incident_deliveries(aid, channel, attempts, delivered, last_error, last_attempt)
 *
 * An alert is added in the caller's transaction (the one writing the
 * incident version), so an incident change and its alert are stored together
 * or not at all. UNIQUE(incident, version) makes a change alert once however
 * often it is written. A channel owes every alert from its first_alert on
 * until a delivery row says it was delivered; failures only count attempts,
 * so nothing is lost across restarts.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

const store__migration store__sqlite_incident_migrations[STORE__SQLITE_INCIDENT_NMIGRATIONS] = {
    {"incident", 1,
     "CREATE TABLE incident_alerts("
     "  aid INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  created TEXT NOT NULL,"
     "  incident TEXT NOT NULL,"
     "  version TEXT NOT NULL,"
     "  json TEXT NOT NULL,"
     "  UNIQUE(incident, version));"
     "CREATE TABLE incident_channels("
     "  name TEXT PRIMARY KEY,"
     "  first_alert INTEGER NOT NULL,"
     "  created TEXT NOT NULL);"
     "CREATE TABLE incident_deliveries("
     "  aid INTEGER NOT NULL REFERENCES incident_alerts(aid),"
     "  channel TEXT NOT NULL,"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  delivered TEXT NOT NULL DEFAULT '',"
     "  last_error TEXT NOT NULL DEFAULT '',"
     "  last_attempt TEXT NOT NULL DEFAULT '',"
     "  PRIMARY KEY(aid, channel));"},
};

static void now_text(char out[VG_TIME_MAX])
{
    vg_time t = vg_time_now(3);
    vg_time_format(&t, out);
}

static const char *col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
}

static int prep(sq_store *s, const char *sql, sqlite3_stmt **st, vg_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "preparing an alert query");
    return 0;
}

static int sq_alert_add(store *base, const char *incident, const char *version, const char *json, int64_t *id,
                        vg_error *err)
{
    sq_store *s = (sq_store *)base;
    if (!s->in_txn)
        return vg_error_set(err, VG_E_INTERNAL, "an alert must be queued inside the incident's transaction");
    char now[VG_TIME_MAX];
    now_text(now);
    sqlite3_stmt *st;
    int rc = prep(s,
                  "INSERT INTO incident_alerts(created, incident, version, json) VALUES(?,?,?,?) "
                  "ON CONFLICT(incident, version) DO NOTHING",
                  &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, incident, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store__sq_fail(s, err, "queueing an alert");
    else if (sqlite3_changes(s->db) == 1)
        *id = sqlite3_last_insert_rowid(s->db);
    sqlite3_finalize(st);
    return rc;
}

static int sq_alert_channel(store *base, const char *channel, int64_t *first, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    char now[VG_TIME_MAX];
    now_text(now);
    sqlite3_stmt *st;
    int rc = prep(s,
                  "INSERT INTO incident_channels(name, first_alert, created) "
                  "SELECT ?1, coalesce((SELECT max(aid) FROM incident_alerts), 0) + 1, ?2 "
                  "ON CONFLICT(name) DO NOTHING",
                  &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store__sq_fail(s, err, "registering an alert channel");
    sqlite3_finalize(st);
    if (rc || (rc = prep(s, "SELECT first_alert FROM incident_channels WHERE name = ?", &st, err)))
        return rc;
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *first = sqlite3_column_int64(st, 0);
    else
        rc = store__sq_fail(s, err, "reading an alert channel");
    sqlite3_finalize(st);
    return rc;
}

static int sq_alerts_pending(store *base, const char *channel, size_t limit,
                             int (*fn)(const store_alert *a, void *ctx), void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s,
                  "SELECT a.aid, a.created, a.incident, a.version, a.json, coalesce(d.attempts, 0),"
                  " coalesce(d.delivered, ''), coalesce(d.last_error, '')"
                  " FROM incident_channels c JOIN incident_alerts a ON a.aid >= c.first_alert"
                  " LEFT JOIN incident_deliveries d ON d.aid = a.aid AND d.channel = c.name"
                  " WHERE c.name = ?1 AND coalesce(d.delivered, '') = ''"
                  " ORDER BY a.aid LIMIT ?2",
                  &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_alert a = {.id = sqlite3_column_int64(st, 0), .created = col(st, 1), .incident = col(st, 2),
                         .version = col(st, 3), .json = col(st, 4), .attempts = sqlite3_column_int(st, 5),
                         .delivered = col(st, 6), .last_error = col(st, 7), .channels = ""};
        rc = fn(&a, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "reading pending alerts");
    sqlite3_finalize(st);
    return rc;
}

static int sq_alert_result(store *base, int64_t id, const char *channel, int delivered, const char *error,
                           vg_error *err)
{
    sq_store *s = (sq_store *)base;
    char now[VG_TIME_MAX];
    now_text(now);
    sqlite3_stmt *st;
    int rc = prep(s,
                  "INSERT INTO incident_deliveries(aid, channel, attempts, delivered, last_error, last_attempt)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(aid, channel) DO UPDATE SET"
                  " attempts = attempts + excluded.attempts, delivered = excluded.delivered,"
                  " last_error = excluded.last_error, last_attempt = excluded.last_attempt",
                  &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, delivered ? 0 : 1);
    sqlite3_bind_text(st, 4, delivered ? now : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, delivered ? "" : (error ? error : "failed"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store__sq_fail(s, err, "recording an alert delivery");
    sqlite3_finalize(st);
    return rc;
}

static int sq_alerts_list(store *base, size_t limit, int (*fn)(const store_alert *a, void *ctx), void *ctx,
                          vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s,
                  "SELECT a.aid, a.created, a.incident, a.version, a.json,"
                  " (SELECT coalesce(sum(attempts), 0) FROM incident_deliveries WHERE aid = a.aid),"
                  " (SELECT last_error FROM incident_deliveries WHERE aid = a.aid AND last_error <> ''"
                  "   ORDER BY last_attempt DESC LIMIT 1),"
                  " (SELECT group_concat(c.name || '=' || CASE WHEN coalesce(d.delivered, '') <> ''"
                  "   THEN 'delivered' ELSE 'pending(' || coalesce(d.attempts, 0) || ')' END, ' ')"
                  "   FROM incident_channels c LEFT JOIN incident_deliveries d"
                  "   ON d.aid = a.aid AND d.channel = c.name WHERE a.aid >= c.first_alert)"
                  " FROM incident_alerts a ORDER BY a.aid DESC LIMIT ?1",
                  &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, limit ? (int64_t)limit : -1);
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_alert a = {.id = sqlite3_column_int64(st, 0), .created = col(st, 1), .incident = col(st, 2),
                         .version = col(st, 3), .json = col(st, 4), .attempts = sqlite3_column_int(st, 5),
                         .delivered = "", .last_error = col(st, 6), .channels = col(st, 7)};
        rc = fn(&a, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "listing alerts");
    sqlite3_finalize(st);
    return rc;
}

const struct store_incident_ops store__sqlite_incident_ops = {
    .alert_add = sq_alert_add,
    .alert_channel = sq_alert_channel,
    .alerts_pending = sq_alerts_pending,
    .alert_result = sq_alert_result,
    .alerts_list = sq_alerts_list,
};
