/*
 * store_sqlite.c - the SQLite engine of the store: one file, WAL, nothing to start.
 *
 * Schema (version 1, see docs/internals/store.md):
 *   collections(cid, uuid, name, title, description, created)
 *   objects(seq, cid, id, type, spec_version, version, created, added, revoked, json)
 * seq is the rowid: the order of arrival. `added` is strictly increasing with
 * seq within one store, so ordering by (added, seq) is the order of arrival and
 * a page cursor (added, seq) resumes exactly where the previous page stopped.
 * Timestamps in columns use the sortable 9-digit key form of vg_time.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "core/vg_uuid.h"
#include "store/store_sqlite_int.h"

#define APP_ID 0x5647494c /* "VGIL" */

/* vigil's incident extension (incident.h's INC_EXT_ID), as a JSON path: the store indexes its fields. */
#define EXT "$.extensions.\"extension-definition--5dbd316b-a923-4666-b9c3-79aeb42f6c75\""
/* A column with an incident's value at path when it has that JSON type, else NULL. */
#define INC_COLUMN(name, path, jtype)                                                                            \
    "ALTER TABLE objects ADD COLUMN " name " GENERATED ALWAYS AS (CASE WHEN type = 'incident'"                    \
    " AND json_valid(json) AND json_type(json, '" path "') = '" jtype "' THEN json_extract(json, '" path "')"     \
    " END) VIRTUAL;"

typedef struct sq_iter {
    struct store_iter base; /* must be first */
    sqlite3_stmt *stmt;     /* the running query */
    int slot;               /* its statement-cache slot, -1 if not cached */
    int done;               /* no more rows */
} sq_iter;

/*
 * Migrations, per module: each module (core, taxii, incident, ...) owns its
 * own numbered steps, so modules can grow their tables independently. A step
 * runs once, inside the transaction that records it in schema_migrations.
 * Within a module, list steps in version order; add new steps at the end of
 * the module's run of entries. Never edit a step that has shipped.
 */
static const store__migration core_migrations[] = {
    {"core", 1,
    "CREATE TABLE collections("
    "  cid INTEGER PRIMARY KEY,"
    "  uuid TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  created TEXT NOT NULL);"
    "CREATE TABLE objects("
    "  seq INTEGER PRIMARY KEY,"
    "  cid INTEGER NOT NULL REFERENCES collections(cid),"
    "  id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  spec_version TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  created TEXT NOT NULL DEFAULT '',"
    "  added TEXT NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  json TEXT NOT NULL);"
    "CREATE UNIQUE INDEX objects_by_id ON objects(id, version, cid);"
    "CREATE INDEX objects_by_added ON objects(cid, added);"
    "CREATE INDEX objects_by_type ON objects(type, cid, added);"
     "CREATE TABLE schema_migrations(module TEXT NOT NULL, version INTEGER NOT NULL, applied TEXT NOT NULL,"
     "  PRIMARY KEY(module, version));"},
    /*
     * Columns that look into the JSON, so that relationships, incidents and
     * what a period added are found through indexes instead of parsing every
     * row (store_sqlite_index.c reads them; docs/internals/store.md):
     * superseded (0 on the latest version of each (id, cid); sq_put keeps it,
     * and a trigger when a latest version is deleted), the source, type and target of relationships, the first
     * activity of incidents (vigil's incident extension, INC_EXT_ID, else
     * created) with the extension's other fields and the name, so that
     * incidents are listed from one index without their JSON; and the kind
     * of indicators (store__sq_kind: the object type of the pattern's first
     * comparison, "other" when there is none; "" for other types), written
     * by sq_put and here by the same rule in SQL. The generated columns are
     * VIRTUAL: only the indexes store them.
     */
    {"core", 2,
     "ALTER TABLE objects ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;"
     "UPDATE objects SET superseded = 1"
     "  WHERE version < (SELECT max(x.version) FROM objects x INDEXED BY objects_by_id"
     "    WHERE x.id = objects.id AND x.cid = objects.cid);"
     "CREATE TRIGGER objects_unsupersede AFTER DELETE ON objects WHEN OLD.superseded = 0 BEGIN"
     "  UPDATE objects SET superseded = 0 WHERE seq = (SELECT x.seq FROM objects x INDEXED BY objects_by_id"
     "    WHERE x.id = OLD.id AND x.cid = OLD.cid ORDER BY x.version DESC LIMIT 1);"
     "END;"
     "ALTER TABLE objects ADD COLUMN rel_src TEXT GENERATED ALWAYS AS (CASE WHEN type = 'relationship'"
     "  AND json_valid(json) AND json_type(json, '$.source_ref') = 'text' THEN json_extract(json, '$.source_ref')"
     "  END) VIRTUAL;"
     "ALTER TABLE objects ADD COLUMN rel_type TEXT GENERATED ALWAYS AS (CASE WHEN type = 'relationship'"
     "  AND json_valid(json) AND json_type(json, '$.relationship_type') = 'text'"
     "  THEN json_extract(json, '$.relationship_type') END) VIRTUAL;"
     "ALTER TABLE objects ADD COLUMN rel_dst TEXT GENERATED ALWAYS AS (CASE WHEN type = 'relationship'"
     "  AND json_valid(json) AND json_type(json, '$.target_ref') = 'text' THEN json_extract(json, '$.target_ref')"
     "  END) VIRTUAL;"
     "ALTER TABLE objects ADD COLUMN activity TEXT GENERATED ALWAYS AS (CASE WHEN type = 'incident'"
     "  AND json_valid(json) THEN coalesce("
     "    CASE WHEN json_type(json, '" EXT ".first_activity') = 'text'"
     "      THEN json_extract(json, '" EXT ".first_activity') END,"
     "    CASE WHEN json_type(json, '$.created') = 'text' THEN json_extract(json, '$.created') END) END) VIRTUAL;"
     INC_COLUMN("inc_name", "$.name", "text")
     INC_COLUMN("inc_severity", EXT ".severity", "integer")
     INC_COLUMN("inc_status", EXT ".status", "text")
     INC_COLUMN("inc_categories", EXT ".categories", "array")
     INC_COLUMN("inc_sectors", EXT ".sectors", "array")
     INC_COLUMN("inc_countries", EXT ".countries", "array")
     INC_COLUMN("inc_last", EXT ".last_activity", "text")
     "ALTER TABLE objects ADD COLUMN kind TEXT NOT NULL DEFAULT '';"
     "UPDATE objects SET kind = CASE WHEN instr(json, '\"pattern\":\"') = 0 THEN 'other' ELSE ("
     "  SELECT CASE WHEN n BETWEEN 1 AND 63 AND substr(p, n + 1, 1) = ':' THEN substr(p, 1, n) ELSE 'other' END"
     "  FROM (SELECT p, min(CASE WHEN a > 0 THEN a ELSE 1e9 END, CASE WHEN b > 0 THEN b ELSE 1e9 END,"
     "      CASE WHEN c > 0 THEN c ELSE 1e9 END, length(p) + 1) - 1 AS n"
     "    FROM (SELECT p, instr(p, ':') AS a, instr(p, '\"') AS b, instr(p, ' ') AS c"
     "      FROM (SELECT ltrim(substr(json, instr(json, '\"pattern\":\"') + 11), '[( ') AS p)))) END"
     "  WHERE type = 'indicator';"
     "CREATE INDEX objects_rel_src ON objects(rel_src, rel_type, rel_dst)"
     "  WHERE type = 'relationship' AND superseded = 0;"
     "CREATE INDEX objects_incidents ON objects(activity, id, inc_name, inc_severity, inc_status, inc_categories,"
     "  inc_sectors, inc_countries, inc_last) WHERE type = 'incident' AND superseded = 0;"
     "CREATE INDEX objects_new ON objects(type, kind, added) WHERE superseded = 0;"},
};

/*
 * Every module's migrations, in the order they run on a new store. A module
 * that needs tables adds its list here (declared in store_sqlite_int.h,
 * defined in its own store_sqlite_<module>.c).
 */
static const struct {
    const store__migration *v; /* the module's steps */
    size_t n;                  /* how many */
} migration_lists[] = {
    {core_migrations, sizeof core_migrations / sizeof core_migrations[0]},
    {store__sqlite_taxii_migrations, STORE__SQLITE_TAXII_NMIGRATIONS},
    {store__sqlite_incident_migrations, STORE__SQLITE_INCIDENT_NMIGRATIONS},
};

#define NLISTS (sizeof migration_lists / sizeof migration_lists[0])

static int count_migrations(void)
{
    int n = 0;
    for (size_t i = 0; i < NLISTS; i++)
        n += (int)migration_lists[i].n;
    return n;
}

#define NMIGRATIONS count_migrations()

int store_schema_version(void) { return NMIGRATIONS; }

int store__sq_fail(sq_store *s, vg_error *err, const char *doing)
{
    vg_error_set(err, VG_E_STORE, "%s failed: %s", doing, sqlite3_errmsg(s->db));
    return vg_error_where(err, "%s", s->path);
}

int store__sq_exec(sq_store *s, const char *sql, vg_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        vg_error_set(err, VG_E_STORE, "store query failed: %s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return vg_error_where(err, "%s", s->path);
    }
    return 0;
}

static int64_t pragma_int(sq_store *s, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int sq_schema_version_of(store *base) { return (int)pragma_int((sq_store *)base, "PRAGMA user_version"); }

/* Whether migration m is recorded as applied. */
static int applied(sq_store *s, const store__migration *m)
{
    sqlite3_stmt *st;
    int yes = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM schema_migrations WHERE module = ? AND version = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, m->module, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, m->version);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

/* Counts recorded migrations that this build does not know (a newer vigil wrote them). */
static int64_t unknown_migrations(sq_store *s)
{
    sqlite3_stmt *st;
    int64_t unknown = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT module, version FROM schema_migrations", -1, &st, NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *mod = (const char *)sqlite3_column_text(st, 0);
        int v = sqlite3_column_int(st, 1), known = 0;
        for (size_t l = 0; l < NLISTS && !known; l++)
            for (size_t i = 0; i < migration_lists[l].n && !known; i++)
                known = strcmp(migration_lists[l].v[i].module, mod ? mod : "") == 0 &&
                        migration_lists[l].v[i].version == v;
        unknown += !known;
    }
    sqlite3_finalize(st);
    return unknown;
}

static int migrate(sq_store *s, int readonly, vg_error *err)
{
    int64_t app = pragma_int(s, "PRAGMA application_id");
    int64_t have = pragma_int(s, "PRAGMA user_version");
    int64_t tables = pragma_int(s, "SELECT count(*) FROM sqlite_master");
    if (tables < 0) {
        vg_error_set(err, VG_E_STORE, "%s is not a vigil store (not an SQLite database)", s->path);
        return vg_error_hint(err, "give --store a new file name or an existing vigil store");
    }
    if (tables > 0 && app != APP_ID) {
        vg_error_set(err, VG_E_STORE, "%s is an SQLite database but not a vigil store", s->path);
        return vg_error_hint(err, "give --store a new file name or an existing vigil store");
    }
    if (have > NMIGRATIONS || (tables > 0 && unknown_migrations(s) > 0)) {
        vg_error_set(err, VG_E_CONFLICT, "%s has schema version %" PRId64 ", newer than this vigil knows (%d)",
                     s->path, have, NMIGRATIONS);
        return vg_error_hint(err, "upgrade vigil to open this store");
    }
    int missing = 0;
    for (size_t l = 0; l < NLISTS; l++)
        for (size_t i = 0; i < migration_lists[l].n; i++)
            missing += tables == 0 || !applied(s, &migration_lists[l].v[i]);
    if (!missing)
        return 0;
    if (readonly) {
        vg_error_set(err, VG_E_CONFLICT, "%s needs %d schema migration(s)", s->path, missing);
        return vg_error_hint(err, "open it once without read-only access to migrate it");
    }
    int rc = store__sq_exec(s, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    char now[VG_TIME_MAX];
    vg_time t = vg_time_now(3);
    vg_time_format(&t, now);
    int64_t count = 0;
    for (size_t l = 0; l < NLISTS && !rc; l++)
    for (size_t i = 0; i < migration_lists[l].n && !rc; i++) {
        const store__migration *m = &migration_lists[l].v[i];
        if (tables > 0 && applied(s, m)) {
            count++;
            continue;
        }
        rc = store__sq_exec(s, m->sql, err);
        if (rc) {
            vg_error_prefix_where(err, "migration %s %d:", m->module, m->version);
            break;
        }
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, "INSERT INTO schema_migrations(module, version, applied) VALUES(?,?,?)", -1,
                               &st, NULL) != SQLITE_OK) {
            rc = store__sq_fail(s, err, "recording a migration");
            break;
        }
        sqlite3_bind_text(st, 1, m->module, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, m->version);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store__sq_fail(s, err, "recording a migration");
        sqlite3_finalize(st);
        count++;
    }
    if (!rc) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %" PRId64 "; PRAGMA application_id = %d", count, APP_ID);
        rc = store__sq_exec(s, sql, err);
    }
    if (rc) {
        store__sq_exec(s, "ROLLBACK", NULL);
        return rc;
    }
    return store__sq_exec(s, "COMMIT", err);
}

/*
 * The newest `added`: that of the newest row, since `added` increases with
 * seq (a read of one row by rowid; max(added) would scan an index, which
 * every transaction paid for).
 */
static void load_last_added(sq_store *s)
{
    sqlite3_stmt *st;
    s->last_added = (vg_time){0, 0, 6};
    if (sqlite3_prepare_v2(s->db, "SELECT added FROM objects ORDER BY seq DESC LIMIT 1", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        vg_time_parse(t, strlen(t), VG_TIME_STIX, &s->last_added, NULL);
    }
    sqlite3_finalize(st);
}

static void sq_close(store *base)
{
    sq_store *s = (sq_store *)base;
    if (s->in_txn)
        store__sq_exec(s, "ROLLBACK", NULL);
    sqlite3_finalize(s->put);
    sqlite3_finalize(s->versions);
    sqlite3_finalize(s->versions_sup);
    sqlite3_finalize(s->supersede);
    sqlite3_finalize(s->known);
    sqlite3_finalize(s->find_coll);
    for (size_t i = 0; i < sizeof s->qcache / sizeof s->qcache[0]; i++) {
        sqlite3_finalize(s->qcache[i].stmt);
        vg_free(s->qcache[i].sql);
    }
    sqlite3_close(s->db);
    vg_free(s);
}

static int sq_accepts(const char *uri) { return strstr(uri, "://") == NULL; }

static int sq_open(const char *uri, int flags, store **out, vg_error *err)
{
    struct stat st;
    if (!(flags & STORE_CREATE) && stat(uri, &st) != 0) {
        vg_error_set(err, VG_E_NOTFOUND, "no store at %s", uri);
        return vg_error_hint(err, "import something first ('vigil import --store %s FILE') or give --store", uri);
    }
    sq_store *s = vg_calloc(1, sizeof *s);
    if (!s)
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening the store");
    s->base.ops = &store__sqlite_ops;
    snprintf(s->path, sizeof s->path, "%s", uri);
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(uri, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        vg_error_set(err, VG_E_STORE, "cannot open store %s: %s", uri, s->db ? sqlite3_errmsg(s->db) : "no memory");
        sq_close(&s->base);
        return VG_E_STORE;
    }
    sqlite3_busy_timeout(s->db, 10000);
    int rc = 0;
    /* Objects are a few KB of JSON each: 16 KiB pages keep most of them off overflow
     * chains. page_size only takes effect on a new database, before WAL mode. */
    if (!(flags & STORE_READONLY))
        rc = store__sq_exec(s, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL", err);
    if (!rc)
        rc = store__sq_exec(s,
                  (flags & STORE_STREAM)
                      ? "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-2048;"
                        "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0"
                      : "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                        "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456",
                  err);
    if (rc) {
        /* A file that is not a database fails at the first statement. */
        vg_error_set(err, VG_E_STORE, "%s is not a vigil store: %s", uri, sqlite3_errmsg(s->db));
        vg_error_hint(err, "give --store a new file name or an existing vigil store");
        sq_close(&s->base);
        return VG_E_STORE;
    }
    rc = migrate(s, flags & STORE_READONLY, err);
    if (!rc && !(flags & STORE_READONLY)) {
        if (sqlite3_prepare_v2(s->db,
                               "INSERT OR IGNORE INTO objects(cid,id,type,spec_version,version,created,added,"
                               "revoked,json,kind) VALUES(?,?,?,?,?,?,?,?,?,?)",
                               -1, &s->put, NULL) != SQLITE_OK)
            rc = store__sq_fail(s, err, "preparing the insert");
    }
    if (!rc && !(flags & STORE_READONLY) &&
        (sqlite3_prepare_v2(s->db, "SELECT seq, version FROM objects INDEXED BY objects_by_id WHERE id = ? AND cid = ?",
                            -1, &s->versions, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(s->db,
                            "SELECT seq, version, superseded FROM objects INDEXED BY objects_by_id WHERE id = ? AND "
                            "cid = ?",
                            -1, &s->versions_sup, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(s->db, "UPDATE objects SET superseded = ? WHERE seq = ?", -1, &s->supersede, NULL) !=
             SQLITE_OK))
        rc = store__sq_fail(s, err, "preparing the insert");
    if (!rc && !(flags & STORE_READONLY)) {
        /* ?1 the collection, ?2.. the ids (NULL where fewer). */
        char sql[512 + 4 * STORE__SQ_BATCH];
        int k = snprintf(sql, sizeof sql, "SELECT id FROM objects INDEXED BY objects_by_id WHERE cid = ?1 AND id IN (");
        for (int i = 0; i < STORE__SQ_BATCH; i++)
            k += snprintf(sql + k, sizeof sql - (size_t)k, i ? ",?" : "?");
        snprintf(sql + k, sizeof sql - (size_t)k, ")");
        if (sqlite3_prepare_v2(s->db, sql, -1, &s->known, NULL) != SQLITE_OK)
            rc = store__sq_fail(s, err, "preparing the insert");
    }
    if (!rc && sqlite3_prepare_v2(s->db, "SELECT cid FROM collections WHERE name = ?", -1, &s->find_coll,
                                  NULL) != SQLITE_OK)
        rc = store__sq_fail(s, err, "preparing a lookup");
    if (rc) {
        sq_close(&s->base);
        return rc;
    }
    load_last_added(s);
    *out = &s->base;
    return 0;
}

static int sq_begin(store *base, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    if (s->in_txn)
        return vg_error_set(err, VG_E_INTERNAL, "a transaction is already open");
    int rc = store__sq_exec(s, "BEGIN IMMEDIATE", err);
    if (!rc) {
        s->in_txn = 1;
        load_last_added(s);
    }
    return rc;
}

static int sq_commit(store *base, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    if (!s->in_txn)
        return vg_error_set(err, VG_E_INTERNAL, "no transaction to commit");
    int rc = store__sq_exec(s, "COMMIT", err);
    if (rc) {
        store__sq_exec(s, "ROLLBACK", NULL);
        s->coll_name[0] = '\0';
    }
    s->in_txn = 0;
    return rc;
}

static void sq_rollback(store *base)
{
    sq_store *s = (sq_store *)base;
    if (s->in_txn)
        store__sq_exec(s, "ROLLBACK", NULL);
    s->in_txn = 0;
    s->coll_name[0] = '\0'; /* a collection created in the transaction is gone */
}

static int collection_cid(sq_store *s, const char *name, int64_t *cid, vg_error *err)
{
    if (s->coll_name[0] && strcmp(s->coll_name, name) == 0) {
        *cid = s->coll_cid;
        return 0;
    }
    if (strlen(name) >= sizeof s->coll_name || !name[0])
        return vg_error_set(err, VG_E_USAGE, "collection name \"%.40s\" is empty or longer than %zu characters",
                            name, sizeof s->coll_name - 1);
    sqlite3_reset(s->find_coll);
    sqlite3_bind_text(s->find_coll, 1, name, -1, SQLITE_STATIC);
    int r = sqlite3_step(s->find_coll);
    if (r == SQLITE_ROW) {
        *cid = sqlite3_column_int64(s->find_coll, 0);
    } else if (r == SQLITE_DONE) {
        char uuid[VG_UUID_STR], now[VG_TIME_MAX];
        int rc = vg_uuid_v4(uuid, err);
        if (rc)
            return rc;
        vg_time t = vg_time_now(3);
        vg_time_format(&t, now);
        sqlite3_stmt *ins;
        if (sqlite3_prepare_v2(s->db, "INSERT INTO collections(uuid,name,title,created) VALUES(?,?,?,?)", -1,
                               &ins, NULL) != SQLITE_OK)
            return store__sq_fail(s, err, "creating a collection");
        sqlite3_bind_text(ins, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, now, -1, SQLITE_STATIC);
        r = sqlite3_step(ins);
        sqlite3_finalize(ins);
        if (r != SQLITE_DONE)
            return store__sq_fail(s, err, "creating a collection");
        *cid = sqlite3_last_insert_rowid(s->db);
    } else {
        return store__sq_fail(s, err, "looking up a collection");
    }
    sqlite3_reset(s->find_coll);
    snprintf(s->coll_name, sizeof s->coll_name, "%s", name);
    s->coll_cid = *cid;
    return 0;
}

/*
 * After a new version of (id, cid): superseded = 1 on every version but the
 * latest. One lookup, in the index alone; the rows are read (for their
 * superseded) and written only when the object has several versions. (A
 * trigger would do the same, but makes every insert a multi-row statement,
 * each with a statement journal: three times slower.)
 */
static int supersede(sq_store *s, const char *id, int64_t cid, vg_error *err)
{
    int64_t latest = -1, n = 0, *fix = NULL;
    size_t nfix = 0, cap = 0;
    char best[VG_TIME_MAX] = "";
    int r, rc = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        sqlite3_stmt *st = pass ? s->versions_sup : s->versions;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, cid);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t seq = sqlite3_column_int64(st, 0);
            const char *v = (const char *)sqlite3_column_text(st, 1);
            if (!pass) {
                n++;
                if (latest < 0 || strcmp(v ? v : "", best) > 0) {
                    size_t len = v ? strlen(v) : 0;
                    latest = seq;
                    len = len < sizeof best ? len : sizeof best - 1;
                    memcpy(best, v ? v : "", len);
                    best[len] = '\0';
                }
            } else if (sqlite3_column_int(st, 2) != (seq != latest)) {
                if (nfix == cap) {
                    cap = cap ? cap * 2 : 8;
                    int64_t *v2 = vg_realloc(fix, cap * sizeof *v2);
                    if (!v2) {
                        rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
                        break;
                    }
                    fix = v2;
                }
                fix[nfix++] = seq;
            }
        }
        sqlite3_reset(st);
        if (!rc && r != SQLITE_DONE)
            rc = store__sq_fail(s, err, "looking up versions");
        if (n <= 1)
            break; /* a new object: nothing to mark (the common case: one lookup) */
    }
    for (size_t i = 0; i < nfix && !rc; i++) {
        sqlite3_reset(s->supersede);
        sqlite3_bind_int(s->supersede, 1, fix[i] != latest);
        sqlite3_bind_int64(s->supersede, 2, fix[i]);
        if (sqlite3_step(s->supersede) != SQLITE_DONE)
            rc = store__sq_fail(s, err, "marking versions");
        sqlite3_reset(s->supersede);
    }
    vg_free(fix);
    return rc;
}

/*
 * One row into collection cid. fresh: the caller knows (id, cid) has no
 * version yet, so there is nothing to supersede (no lookup).
 */
static int put_row(sq_store *s, int64_t cid, const store_object *o, int fresh, int *inserted, vg_error *err)
{
    char version[VG_TIME_MAX] = "", created[VG_TIME_MAX] = "", added[VG_TIME_MAX];
    if (o->has_version)
        vg_time_format_key(&o->version, version);
    if (o->has_created)
        vg_time_format_key(&o->created, created);
    /* `added` strictly increases, one microsecond at least, so every row has its own. */
    vg_time now = vg_time_now(6);
    vg_time next = vg_time_from_unix(s->last_added.sec, s->last_added.nsec + 1000, 6);
    if (next.nsec >= 1000000000) {
        next.sec++;
        next.nsec -= 1000000000;
    }
    if (vg_time_cmp(&now, &next) < 0)
        now = next;
    vg_time_format_key(&now, added);
    sqlite3_stmt *st = s->put;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_text(st, 2, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->spec_version ? o->spec_version : "2.1", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, added, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, o->revoked ? 1 : 0);
    sqlite3_bind_text(st, 9, o->json, (int)o->json_len, SQLITE_STATIC);
    char kind[STORE__KIND_MAX] = "";
    if (strcmp(o->type, "indicator") == 0)
        store__sq_kind(o->json, o->json_len, kind);
    sqlite3_bind_text(st, 10, kind, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return store__sq_fail(s, err, "storing an object");
    *inserted = sqlite3_changes(s->db) == 1;
    if (!*inserted)
        return 0;
    s->last_added = now;
    return fresh ? 0 : supersede(s, o->id, cid, err);
}

/* Checks that a write may go ahead, and the collection's cid. */
static int put_start(sq_store *s, const char *collection, int64_t *cid, vg_error *err)
{
    if (!s->in_txn)
        return vg_error_set(err, VG_E_INTERNAL, "store_put outside a transaction");
    if (!s->put)
        return vg_error_set(err, VG_E_USAGE, "the store was opened read-only");
    return collection_cid(s, collection, cid, err);
}

static int sq_put(store *base, const char *collection, const store_object *o, int *inserted, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    int64_t cid = 0;
    int rc = put_start(s, collection, &cid, err);
    return rc ? rc : put_row(s, cid, o, 0, inserted, err);
}

/* FNV-1a of an id, for the batch's table of ids. */
static uint32_t id_hash(const char *id)
{
    uint32_t h = 2166136261u;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h;
}

/*
 * known[i] for objs[0..n) (n <= STORE__SQ_BATCH): whether (id, cid) has a
 * version already, in the store (this transaction's rows included) or
 * earlier in objs; the others are fresh. One query for all of them.
 */
static int known_ids(sq_store *s, int64_t cid, const store_object *objs, size_t n, unsigned char *known,
                     vg_error *err)
{
    int slot[2 * STORE__SQ_BATCH]; /* open addressing: 1 + index into objs, 0 empty */
    memset(slot, 0, sizeof slot);
    sqlite3_stmt *st = s->known;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, cid);
    for (size_t i = 0; i < STORE__SQ_BATCH; i++) {
        if (i >= n) {
            sqlite3_bind_null(st, (int)i + 2);
            continue;
        }
        known[i] = 0;
        sqlite3_bind_text(st, (int)i + 2, objs[i].id, -1, SQLITE_STATIC);
        for (uint32_t h = id_hash(objs[i].id) % (2 * STORE__SQ_BATCH);; h = (h + 1) % (2 * STORE__SQ_BATCH)) {
            if (!slot[h]) {
                slot[h] = (int)i + 1;
                break;
            }
            if (strcmp(objs[slot[h] - 1].id, objs[i].id) == 0) {
                known[i] = 1; /* an earlier object of the batch has this id */
                break;
            }
        }
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        for (uint32_t h = id_hash(id ? id : "") % (2 * STORE__SQ_BATCH); slot[h]; h = (h + 1) % (2 * STORE__SQ_BATCH))
            if (strcmp(objs[slot[h] - 1].id, id ? id : "") == 0) {
                for (size_t i = (size_t)slot[h] - 1; i < n; i++)
                    if (strcmp(objs[i].id, id) == 0)
                        known[i] = 1;
                break;
            }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : store__sq_fail(s, err, "looking up ids");
}

static int sq_put_many(store *base, const char *collection, const store_object *objs, size_t n, int *inserted,
                       vg_error *err)
{
    sq_store *s = (sq_store *)base;
    int64_t cid = 0;
    int rc = put_start(s, collection, &cid, err);
    for (size_t at = 0; !rc && at < n; at += STORE__SQ_BATCH) {
        size_t k = n - at < STORE__SQ_BATCH ? n - at : STORE__SQ_BATCH;
        unsigned char known[STORE__SQ_BATCH];
        rc = known_ids(s, cid, objs + at, k, known, err);
        for (size_t i = 0; !rc && i < k; i++)
            rc = put_row(s, cid, &objs[at + i], !known[i], &inserted[at + i], err);
    }
    return rc;
}

/* ---- queries ------------------------------------------------------------ */

static int add_in(vg_buf *sql, const char *col, size_t n)
{
    int rc = vg_buf_printf(sql, " AND %s IN (", col);
    for (size_t i = 0; !rc && i < n; i++)
        rc = vg_buf_puts(sql, i ? ",?" : "?");
    return rc ? rc : vg_buf_putc(sql, ')');
}

/*
 * Whether a query in any order over q's types is cheaper as one pass over the
 * whole table (in rowid order) than through objects_by_type / objects_new.
 * Through an index, each row costs a seek into the table in the index's
 * order, not the table's: once the table outgrows the page cache, a page is
 * read again for nearly every row (a million indicators: 2 s of CPU, half of
 * it copying pages, against 0.3 s for the pass). The pass reads the rows of
 * other types too, so it is taken when the types hold at least an eighth of
 * the rows: counted in the index, stopping at that eighth.
 */
static int whole_table_cheaper(sq_store *s, const store_query *q)
{
    if (!q->any_order || q->limit || (q->cursor && q->cursor[0]) || q->nids || !q->ntypes)
        return 0;
    int64_t rows = pragma_int(s, "SELECT max(seq) FROM objects"); /* the rowid: no scan */
    if (rows < 4096)
        return 0; /* small: either way is quick */
    vg_buf sql;
    vg_buf_init(&sql, 1 << 16);
    int rc = vg_buf_puts(&sql, "SELECT count(*) FROM (SELECT 1 FROM objects WHERE 1");
    if (!rc)
        rc = add_in(&sql, "type", q->ntypes);
    if (!rc)
        rc = vg_buf_printf(&sql, " LIMIT %" PRId64 ")", rows / 8);
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (!rc && sqlite3_prepare_v2(s->db, sql.data, (int)sql.len, &st, NULL) == SQLITE_OK) {
        for (size_t i = 0; i < q->ntypes; i++)
            sqlite3_bind_text(st, (int)i + 1, q->types[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    vg_buf_free(&sql);
    return n >= rows / 8;
}

static int sq_query_open(store *base, const store_query *q, store_iter **out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    char cur_added[VG_TIME_MAX] = "", after[VG_TIME_MAX] = "";
    int64_t cur_seq = 0;
    int rc = 0;
    if (q->cursor && q->cursor[0] && (rc = store__cursor_parse(q->cursor, cur_added, &cur_seq, err)))
        return rc;
    int versions = q->versions ? q->versions : STORE_VER_LAST;
    vg_buf sql;
    vg_buf_init(&sql, 1 << 20);
    int whole = whole_table_cheaper(s, q);
    rc = vg_buf_printf(&sql, "SELECT o.seq, o.id, o.type, o.spec_version, o.version, o.added, c.name, o.json "
                             "FROM objects o%s JOIN collections c ON c.cid = o.cid WHERE 1",
                       whole ? " NOT INDEXED" : "");
    if (!rc && q->collection)
        rc = vg_buf_puts(&sql, " AND c.name = ?");
    if (!rc && q->nids)
        rc = add_in(&sql, "o.id", q->nids);
    if (!rc && q->ntypes)
        rc = add_in(&sql, "o.type", q->ntypes);
    if (!rc && q->nspec_versions)
        rc = add_in(&sql, "o.spec_version", q->nspec_versions);
    if (!rc && q->has_added_after)
        rc = vg_buf_puts(&sql, " AND o.added > ?");
    if (!rc && cur_added[0])
        rc = vg_buf_puts(&sql, " AND (o.added, o.seq) > (?, ?)");
    if (!rc && versions == STORE_VER_LAST) {
        rc = vg_buf_puts(&sql, " AND o.superseded = 0"); /* a plain term: partial indexes apply */
    } else if (!rc && !(versions & STORE_VER_ALL)) {
        rc = vg_buf_puts(&sql, " AND (0");
        if (!rc && (versions & STORE_VER_LAST))
            rc = vg_buf_puts(&sql, " OR o.superseded = 0");
        if (!rc && (versions & STORE_VER_FIRST))
            rc = vg_buf_puts(&sql, " OR o.version = (SELECT min(x.version) FROM objects x WHERE x.id = o.id "
                                   "AND x.cid = o.cid)");
        if (!rc && (versions & STORE_VER_AT) && q->nat) {
            rc = vg_buf_puts(&sql, " OR o.version IN (");
            for (size_t i = 0; !rc && i < q->nat; i++)
                rc = vg_buf_puts(&sql, i ? ",?" : "?");
            if (!rc)
                rc = vg_buf_putc(&sql, ')');
        }
        if (!rc)
            rc = vg_buf_putc(&sql, ')');
    }
    if (!rc && !(q->any_order && !q->limit && !cur_added[0]))
        rc = vg_buf_puts(&sql, " ORDER BY o.added, o.seq");
    if (!rc && q->limit)
        rc = vg_buf_printf(&sql, " LIMIT %zu", q->limit + 1);
    if (rc) {
        vg_buf_free(&sql);
        return vg_error_set(err, rc, "query too large (too many ids or types)");
    }
    sq_iter *it = vg_calloc(1, sizeof *it);
    if (!it) {
        vg_buf_free(&sql);
        return vg_error_set(err, VG_E_NOMEM, "out of memory running a query");
    }
    it->base.s = base;
    it->base.limit = q->limit;
    it->base.any_order = q->any_order && !q->limit && !cur_added[0];
    if ((rc = store__sq_query_stmt(s, sql.data, sql.len, &it->stmt, &it->slot, err))) {
        vg_buf_free(&sql);
        vg_free(it);
        return rc;
    }
    vg_buf_free(&sql);
    int k = 1;
    sqlite3_stmt *st = it->stmt;
    if (q->collection)
        sqlite3_bind_text(st, k++, q->collection, -1, SQLITE_TRANSIENT);
    for (size_t i = 0; i < q->nids; i++)
        sqlite3_bind_text(st, k++, q->ids[i], -1, SQLITE_TRANSIENT);
    for (size_t i = 0; i < q->ntypes; i++)
        sqlite3_bind_text(st, k++, q->types[i], -1, SQLITE_TRANSIENT);
    for (size_t i = 0; i < q->nspec_versions; i++)
        sqlite3_bind_text(st, k++, q->spec_versions[i], -1, SQLITE_TRANSIENT);
    if (q->has_added_after) {
        vg_time_format_key(&q->added_after, after);
        sqlite3_bind_text(st, k++, after, -1, SQLITE_TRANSIENT);
    }
    if (cur_added[0]) {
        sqlite3_bind_text(st, k++, cur_added, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, k++, cur_seq);
    }
    if (!(versions & STORE_VER_ALL) && (versions & STORE_VER_AT))
        for (size_t i = 0; i < q->nat; i++) {
            char key[VG_TIME_MAX];
            vg_time_format_key(&q->at[i], key);
            sqlite3_bind_text(st, k++, key, -1, SQLITE_TRANSIENT);
        }
    *out = &it->base;
    return 0;
}

static int sq_iter_next(store_iter *base, store_row *row, vg_error *err)
{
    sq_iter *it = (sq_iter *)base;
    if (it->done)
        return 0;
    if (base->limit && base->returned == base->limit) {
        /* The page is full: one more row means there is a next page. */
        int r = sqlite3_step(it->stmt);
        it->done = 1;
        if (r == SQLITE_ROW) {
            base->more = 1;
        } else if (r != SQLITE_DONE) {
            return store__sq_fail((sq_store *)base->s, err, "reading a query");
        }
        return 0;
    }
    int r = sqlite3_step(it->stmt);
    if (r == SQLITE_DONE) {
        it->done = 1;
        return 0;
    }
    if (r != SQLITE_ROW)
        return store__sq_fail((sq_store *)base->s, err, "reading a query");
    sqlite3_stmt *st = it->stmt;
    row->id = (const char *)sqlite3_column_text(st, 1);
    row->type = (const char *)sqlite3_column_text(st, 2);
    row->spec_version = (const char *)sqlite3_column_text(st, 3);
    row->version = (const char *)sqlite3_column_text(st, 4);
    row->added = (const char *)sqlite3_column_text(st, 5);
    row->collection = (const char *)sqlite3_column_text(st, 6);
    row->json = (const char *)sqlite3_column_text(st, 7);
    row->json_len = (size_t)sqlite3_column_bytes(st, 7);
    if (!row->id || !row->json)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading the store");
    if (!base->any_order) /* rows in no order have no cursor */
        store__cursor_make(base->next_cursor, row->added, sqlite3_column_int64(st, 0));
    return 1;
}

static void sq_iter_free(store_iter *base)
{
    sq_iter *it = (sq_iter *)base;
    store__sq_query_done((sq_store *)base->s, it->stmt, it->slot);
    vg_free(it);
}

int store__sq_query_stmt(sq_store *s, const char *sql, size_t len, sqlite3_stmt **out, int *slot, vg_error *err)
{
    const int n = (int)(sizeof s->qcache / sizeof s->qcache[0]);
    for (int i = 0; i < n; i++)
        if (s->qcache[i].sql && !s->qcache[i].busy && strcmp(s->qcache[i].sql, sql) == 0) {
            s->qcache[i].busy = 1;
            *out = s->qcache[i].stmt;
            *slot = i;
            return 0;
        }
    *slot = -1;
    if (sqlite3_prepare_v2(s->db, sql, (int)len, out, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "preparing a query");
    /* Cache it in a free slot, or evict one not in use (round robin). */
    for (int k = 0; k < n; k++) {
        int i = (s->qcache_next + k) % n;
        if (s->qcache[i].busy)
            continue;
        char *copy = vg_strndup(sql, len);
        if (!copy)
            return 0; /* not cached: still usable */
        sqlite3_finalize(s->qcache[i].stmt);
        vg_free(s->qcache[i].sql);
        s->qcache[i].sql = copy;
        s->qcache[i].stmt = *out;
        s->qcache[i].busy = 1;
        s->qcache_next = (i + 1) % n;
        *slot = i;
        break;
    }
    return 0;
}

void store__sq_query_done(sq_store *s, sqlite3_stmt *stmt, int slot)
{
    if (slot < 0) {
        sqlite3_finalize(stmt);
        return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    s->qcache[slot].busy = 0;
}

static int sq_stats(store *base, store_stats *out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM (SELECT DISTINCT id, cid FROM objects)),"
                           " (SELECT count(*) FROM objects), (SELECT count(*) FROM collections),"
                           " (SELECT min(added) FROM objects), (SELECT max(added) FROM objects)",
                           -1, &st, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "counting");
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        out->objects = (uint64_t)sqlite3_column_int64(st, 0);
        out->versions = (uint64_t)sqlite3_column_int64(st, 1);
        out->collections = (uint64_t)sqlite3_column_int64(st, 2);
        const char *a = (const char *)sqlite3_column_text(st, 3), *b = (const char *)sqlite3_column_text(st, 4);
        snprintf(out->added_first, sizeof out->added_first, "%s", a ? a : "");
        snprintf(out->added_last, sizeof out->added_last, "%s", b ? b : "");
    }
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? 0 : store__sq_fail(s, err, "counting");
}

/* Rows get strictly increasing seq and added as they are inserted, so the last row by seq (the rowid: no scan)
   holds the newest date added. */
static int sq_added_last(store *base, char out[VG_TIME_MAX], vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT added FROM objects ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "reading the last date added");
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 0);
        snprintf(out, VG_TIME_MAX, "%s", a ? a : "");
    }
    sqlite3_finalize(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : store__sq_fail(s, err, "reading the last date added");
}

static int sq_verify(store *base, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(20)", -1, &st, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "checking integrity");
    int r, bad = 0;
    vg_buf msg;
    vg_buf_init(&msg, 4096);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0) {
            bad = 1;
            vg_buf_printf(&msg, "%s%s", msg.len ? "; " : "", line);
        }
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        vg_buf_free(&msg);
        return store__sq_fail(s, err, "checking integrity");
    }
    if (bad) {
        vg_error_set(err, VG_E_STORE, "the store is damaged: %s", msg.data);
        vg_buf_free(&msg);
        vg_error_where(err, "%s", s->path);
        return vg_error_hint(err, "restore it from a backup, or re-import into a new store");
    }
    vg_buf_free(&msg);
    return 0;
}

static int sq_autocheckpoint(store *base, int on, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    if (sqlite3_wal_autocheckpoint(s->db, on ? 1000 : 0) != SQLITE_OK)
        return store__sq_fail(s, err, "setting automatic checkpoints");
    return 0;
}

/*
 * A passive checkpoint: copies the log's frames that no reader still needs
 * into the main file, waiting for nobody (busy with another checkpoint is
 * not an error: that one does the work).
 */
static int sq_checkpoint(store *base, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    int r = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (r != SQLITE_OK && r != SQLITE_BUSY && r != SQLITE_LOCKED)
        return store__sq_fail(s, err, "checkpointing the log");
    return 0;
}

static int sq_count_by_type(store *base, const char *collection,
                            int (*fn)(const char *type, uint64_t objects, uint64_t versions, void *ctx), void *ctx,
                            vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    const char *sql = collection ? "SELECT o.type, count(DISTINCT o.id), count(*) FROM objects o JOIN collections c "
                                   "ON c.cid = o.cid WHERE c.name = ? GROUP BY o.type ORDER BY o.type"
                                 : "SELECT type, count(DISTINCT id || ' ' || cid), count(*) FROM objects "
                                   "GROUP BY type ORDER BY type";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "counting by type");
    if (collection)
        sqlite3_bind_text(st, 1, collection, -1, SQLITE_TRANSIENT);
    int r, rc = 0;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn((const char *)sqlite3_column_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
                (uint64_t)sqlite3_column_int64(st, 2), ctx);
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "counting by type");
    sqlite3_finalize(st);
    return rc;
}

static int sq_collections(store *base, int (*fn)(const store_collection *c, void *ctx), void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT uuid, name, title FROM collections ORDER BY cid", -1, &st, NULL) !=
        SQLITE_OK)
        return store__sq_fail(s, err, "listing collections");
    int r, rc = 0;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_collection c = {(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                              (const char *)sqlite3_column_text(st, 2)};
        rc = fn(&c, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "listing collections");
    sqlite3_finalize(st);
    return rc;
}

const struct store_ops store__sqlite_ops = {
    .name = "sqlite",
    .accepts = sq_accepts,
    .open = sq_open,
    .close = sq_close,
    .schema_version_of = sq_schema_version_of,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put = sq_put,
    .put_many = sq_put_many,
    .query_open = sq_query_open,
    .iter_next = sq_iter_next,
    .iter_free = sq_iter_free,
    .stats = sq_stats,
    .added_last = sq_added_last,
    .verify = sq_verify,
    .autocheckpoint = sq_autocheckpoint,
    .checkpoint = sq_checkpoint,
    .count_by_type = sq_count_by_type,
    .collections = sq_collections,
    .relationships = store__sq_relationships,
    .incidents = store__sq_incidents,
    .count_added = store__sq_count_added,
    .taxii = &store__sqlite_taxii_ops,
    .incident = &store__sqlite_incident_ops,
};
