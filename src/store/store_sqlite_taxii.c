/*
 * store_sqlite_taxii.c - the TAXII module's tables in the SQLite engine:
 * accounts, bearer tokens (hashes only), per-collection rights, sharing
 * settings of collections, status resources, and deleting object versions.
 *
 * Tables (module "taxii", docs/internals/taxii.md; taxii_peers for the client):
 *   taxii_accounts(aid, name, org, pwhash, created)
 *   taxii_tokens(tid, aid, hash, label, created)        -- hash = hex SHA-256 of the secret
 *   taxii_rights(aid, cid, rights)                      -- STORE_RIGHT_* bits
 *   taxii_collections(cid, default_tlp, recipients)     -- settings beside core's collections
 *   taxii_status(id, aid, created, json)                -- POST results, kept for GET status
 * Removing an account removes its tokens and rights (ON DELETE CASCADE).
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "store/store_sqlite_int.h"

const store__migration store__sqlite_taxii_migrations[STORE__SQLITE_TAXII_NMIGRATIONS] = {
    {"taxii", 1,
     "CREATE TABLE taxii_accounts("
     "  aid INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  org TEXT NOT NULL,"
     "  pwhash TEXT NOT NULL DEFAULT '',"
     "  created TEXT NOT NULL);"
     "CREATE TABLE taxii_tokens("
     "  tid TEXT PRIMARY KEY,"
     "  aid INTEGER NOT NULL REFERENCES taxii_accounts(aid) ON DELETE CASCADE,"
     "  hash TEXT NOT NULL UNIQUE,"
     "  label TEXT NOT NULL DEFAULT '',"
     "  created TEXT NOT NULL);"
     "CREATE TABLE taxii_rights("
     "  aid INTEGER NOT NULL REFERENCES taxii_accounts(aid) ON DELETE CASCADE,"
     "  cid INTEGER NOT NULL REFERENCES collections(cid),"
     "  rights INTEGER NOT NULL,"
     "  PRIMARY KEY(aid, cid));"
     "CREATE TABLE taxii_collections("
     "  cid INTEGER PRIMARY KEY REFERENCES collections(cid),"
     "  default_tlp TEXT NOT NULL DEFAULT 'green',"
     "  recipients TEXT NOT NULL DEFAULT '');"
     "CREATE TABLE taxii_status("
     "  id TEXT PRIMARY KEY,"
     "  aid INTEGER NOT NULL,"
     "  created TEXT NOT NULL,"
     "  json TEXT NOT NULL);"},
    {"taxii", 2,
     "CREATE TABLE taxii_peers("
     "  name TEXT PRIMARY KEY,"
     "  url TEXT NOT NULL,"
     "  collection TEXT NOT NULL,"
     "  local TEXT NOT NULL,"
     "  auth TEXT NOT NULL,"
     "  user TEXT NOT NULL DEFAULT '',"
     "  secret TEXT NOT NULL DEFAULT '',"
     "  pulled TEXT NOT NULL DEFAULT '',"
     "  pushed TEXT NOT NULL DEFAULT '');"},
};

/* Prepares sql and binds the n text arguments (NULL binds NULL). */
static int prep(sq_store *s, const char *sql, sqlite3_stmt **st, int n, const char *const *args, vg_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return store__sq_fail(s, err, "preparing a TAXII query");
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(*st, i + 1, args[i], -1, SQLITE_TRANSIENT);
    return 0;
}

/* Runs a statement without rows; *changes = rows changed. */
static int run(sq_store *s, const char *sql, int n, const char *const *args, int *changes, const char *doing,
               vg_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, sql, &st, n, args, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r == SQLITE_CONSTRAINT)
        return vg_error_set(err, VG_E_CONFLICT, "%s: it exists already", doing);
    if (r != SQLITE_DONE)
        return store__sq_fail(s, err, doing);
    if (changes)
        *changes = sqlite3_changes(s->db);
    return 0;
}

static void now_text(char out[VG_TIME_MAX])
{
    vg_time t = vg_time_now(3);
    vg_time_format(&t, out);
}

static void col_copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", v ? v : "");
}

/* ---- accounts ---------------------------------------------------------- */

static int sq_account_add(store *base, const char *name, const char *org, const char *pwhash, vg_error *err)
{
    char now[VG_TIME_MAX];
    now_text(now);
    const char *a[] = {name, org, pwhash ? pwhash : "", now};
    int rc = run((sq_store *)base, "INSERT INTO taxii_accounts(name, org, pwhash, created) VALUES(?,?,?,?)", 4, a,
                 NULL, "adding an account", err);
    if (rc == VG_E_CONFLICT) {
        vg_error_set(err, VG_E_CONFLICT, "there is already an account named \"%s\"", name);
        vg_error_hint(err, "pick another name, or 'vigil user passwd %s' to change its password", name);
    }
    return rc;
}

static void read_account(sqlite3_stmt *st, store_account *out)
{
    out->id = sqlite3_column_int64(st, 0);
    col_copy(out->name, sizeof out->name, st, 1);
    col_copy(out->org, sizeof out->org, st, 2);
    col_copy(out->pwhash, sizeof out->pwhash, st, 3);
}

static int sq_account_get(store *base, const char *name, store_account *out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s, "SELECT aid, name, org, pwhash FROM taxii_accounts WHERE name = ?", &st, 1, &name, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_account(st, out);
    else if (r == SQLITE_DONE)
        rc = vg_error_set(err, VG_E_NOTFOUND, "no account named \"%s\"", name);
    else
        rc = store__sq_fail(s, err, "reading an account");
    sqlite3_finalize(st);
    return rc;
}

static int sq_account_set_password(store *base, const char *name, const char *pwhash, vg_error *err)
{
    const char *a[] = {pwhash, name};
    int changes = 0;
    int rc = run((sq_store *)base, "UPDATE taxii_accounts SET pwhash = ? WHERE name = ?", 2, a, &changes,
                 "changing a password", err);
    if (!rc && !changes)
        rc = vg_error_set(err, VG_E_NOTFOUND, "no account named \"%s\"", name);
    return rc;
}

static int sq_account_remove(store *base, const char *name, vg_error *err)
{
    int changes = 0;
    int rc = run((sq_store *)base, "DELETE FROM taxii_accounts WHERE name = ?", 1, &name, &changes,
                 "removing an account", err);
    if (!rc && !changes)
        rc = vg_error_set(err, VG_E_NOTFOUND, "no account named \"%s\"", name);
    return rc;
}

static int sq_accounts_list(store *base, int (*fn)(const store_account *a, void *ctx), void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s, "SELECT aid, name, org, '' FROM taxii_accounts ORDER BY name", &st, 0, NULL, err);
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_account a;
        read_account(st, &a);
        rc = fn(&a, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "listing accounts");
    sqlite3_finalize(st);
    return rc;
}

/* ---- tokens -------------------------------------------------------------- */

static int sq_token_add(store *base, const char *account, const char *token_id, const char *hash_hex,
                        const char *label, vg_error *err)
{
    char now[VG_TIME_MAX];
    now_text(now);
    const char *a[] = {token_id, hash_hex, label ? label : "", now, account};
    int changes = 0;
    int rc = run((sq_store *)base,
                 "INSERT INTO taxii_tokens(tid, aid, hash, label, created) "
                 "SELECT ?, aid, ?, ?, ? FROM taxii_accounts WHERE name = ?",
                 5, a, &changes, "adding a token", err);
    if (!rc && !changes)
        rc = vg_error_set(err, VG_E_NOTFOUND, "no account named \"%s\"", account);
    return rc;
}

static int sq_token_revoke(store *base, const char *token_id, vg_error *err)
{
    int changes = 0;
    int rc = run((sq_store *)base, "DELETE FROM taxii_tokens WHERE tid = ?", 1, &token_id, &changes,
                 "revoking a token", err);
    if (!rc && !changes) {
        vg_error_set(err, VG_E_NOTFOUND, "no token with id \"%s\"", token_id);
        rc = vg_error_hint(err, "'vigil token list' shows the ids of the tokens");
    }
    return rc;
}

static int sq_token_find(store *base, const char *hash_hex, store_account *out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s,
                  "SELECT a.aid, a.name, a.org, a.pwhash, t.hash FROM taxii_tokens t "
                  "JOIN taxii_accounts a ON a.aid = t.aid WHERE t.hash = ?",
                  &st, 1, &hash_hex, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        /* The index found it; compare again without an early exit before trusting it. */
        const char *h = (const char *)sqlite3_column_text(st, 4);
        size_t n = strlen(hash_hex);
        if (h && strlen(h) == n && CRYPTO_memcmp(h, hash_hex, n) == 0)
            read_account(st, out);
        else
            rc = vg_error_set(err, VG_E_NOTFOUND, "unknown token");
    } else if (r == SQLITE_DONE) {
        rc = vg_error_set(err, VG_E_NOTFOUND, "unknown token");
    } else {
        rc = store__sq_fail(s, err, "looking up a token");
    }
    sqlite3_finalize(st);
    return rc;
}

static int sq_tokens_list(store *base, const char *account,
                          int (*fn)(const char *, const char *, const char *, const char *, void *), void *ctx,
                          vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s,
                  account ? "SELECT t.tid, a.name, t.label, t.created FROM taxii_tokens t JOIN taxii_accounts a "
                            "ON a.aid = t.aid WHERE a.name = ? ORDER BY a.name, t.created"
                          : "SELECT t.tid, a.name, t.label, t.created FROM taxii_tokens t JOIN taxii_accounts a "
                            "ON a.aid = t.aid ORDER BY a.name, t.created",
                  &st, account ? 1 : 0, &account, err);
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3), ctx);
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "listing tokens");
    sqlite3_finalize(st);
    return rc;
}

/* ---- rights -------------------------------------------------------------- */

static int sq_right_set(store *base, const char *account, const char *collection, int rights, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    store_account a;
    store_share sh;
    int rc = sq_account_get(base, account, &a, err);
    if (!rc)
        rc = store__sqlite_taxii_ops.share_get(base, collection, &sh, err);
    if (rc)
        return rc;
    char aid[32], r[8];
    snprintf(aid, sizeof aid, "%lld", (long long)a.id);
    snprintf(r, sizeof r, "%d", rights & (STORE_RIGHT_READ | STORE_RIGHT_WRITE));
    if (!rights) {
        const char *args[] = {aid, sh.name};
        return run(s, "DELETE FROM taxii_rights WHERE aid = ? AND cid = (SELECT cid FROM collections WHERE name = ?)",
                   2, args, NULL, "removing rights", err);
    }
    const char *args[] = {aid, r, sh.name};
    return run(s,
               "INSERT OR REPLACE INTO taxii_rights(aid, cid, rights) "
               "SELECT ?, cid, ? FROM collections WHERE name = ?",
               3, args, NULL, "granting rights", err);
}

static int sq_right_get(store *base, int64_t account_id, const char *collection, int *rights, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    *rights = 0;
    int rc = prep(s,
                  "SELECT r.rights FROM taxii_rights r JOIN collections c ON c.cid = r.cid "
                  "WHERE r.aid = ? AND c.name = ?",
                  &st, 0, NULL, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_text(st, 2, collection, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *rights = sqlite3_column_int(st, 0);
    else if (r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "reading rights");
    sqlite3_finalize(st);
    return rc;
}

/* ---- collections' sharing settings ----------------------------------------- */

#define SHARE_SELECT                                                                                               \
    "SELECT c.uuid, c.name, c.title, c.description, coalesce(t.default_tlp, 'green'), coalesce(t.recipients, '') " \
    "FROM collections c LEFT JOIN taxii_collections t ON t.cid = c.cid "

static void read_share(sqlite3_stmt *st, store_share *out)
{
    col_copy(out->id, sizeof out->id, st, 0);
    col_copy(out->name, sizeof out->name, st, 1);
    col_copy(out->title, sizeof out->title, st, 2);
    col_copy(out->description, sizeof out->description, st, 3);
    col_copy(out->default_tlp, sizeof out->default_tlp, st, 4);
    col_copy(out->recipients, sizeof out->recipients, st, 5);
}

static int sq_share_get(store *base, const char *id_or_name, store_share *out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    const char *a[] = {id_or_name, id_or_name};
    int rc = prep(s, SHARE_SELECT "WHERE c.uuid = ? OR c.name = ? ORDER BY c.uuid = ?1 DESC LIMIT 1", &st, 2, a, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_share(st, out);
    else if (r == SQLITE_DONE) {
        vg_error_set(err, VG_E_NOTFOUND, "no collection \"%s\"", id_or_name);
        rc = vg_error_hint(err, "'vigil collection list' shows the collections");
    } else
        rc = store__sq_fail(s, err, "reading a collection");
    sqlite3_finalize(st);
    return rc;
}

static int sq_share_set(store *base, store_share *sh, int create, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, changes = 0;
    if (create) {
        char now[VG_TIME_MAX];
        now_text(now);
        if ((rc = vg_uuid_v4(sh->id, err)))
            return rc;
        const char *a[] = {sh->id, sh->name, sh->title[0] ? sh->title : sh->name, sh->description, now};
        rc = run(s, "INSERT INTO collections(uuid, name, title, description, created) VALUES(?,?,?,?,?)", 5, a, NULL,
                 "adding a collection", err);
        if (rc == VG_E_CONFLICT)
            vg_error_set(err, VG_E_CONFLICT, "there is already a collection named \"%s\"", sh->name);
    } else {
        const char *a[] = {sh->title[0] ? sh->title : sh->name, sh->description, sh->name};
        rc = run(s, "UPDATE collections SET title = ?, description = ? WHERE name = ?", 3, a, &changes,
                 "changing a collection", err);
        if (!rc && !changes)
            rc = vg_error_set(err, VG_E_NOTFOUND, "no collection \"%s\"", sh->name);
    }
    if (rc)
        return rc;
    const char *a[] = {sh->default_tlp[0] ? sh->default_tlp : "green", sh->recipients, sh->name};
    rc = run(s,
             "INSERT OR REPLACE INTO taxii_collections(cid, default_tlp, recipients) "
             "SELECT cid, ?, ? FROM collections WHERE name = ?",
             3, a, NULL, "saving collection settings", err);
    if (!rc && !create) {
        store_share now;
        if (!sq_share_get(base, sh->name, &now, NULL))
            snprintf(sh->id, sizeof sh->id, "%s", now.id);
    }
    return rc;
}

static int sq_shares_list(store *base, int (*fn)(const store_share *sh, void *ctx), void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s, SHARE_SELECT "ORDER BY c.cid", &st, 0, NULL, err);
    int r = SQLITE_DONE;
    store_share *sh = rc ? NULL : vg_malloc(sizeof *sh);
    if (!rc && !sh)
        rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing collections");
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        read_share(st, sh);
        rc = fn(sh, ctx);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "listing collections");
    vg_free(sh);
    sqlite3_finalize(st);
    return rc;
}

/* ---- statuses ------------------------------------------------------------ */

static int sq_status_put(store *base, const char *id, int64_t account_id, const char *json, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    char aid[32], now[VG_TIME_MAX];
    now_text(now);
    snprintf(aid, sizeof aid, "%lld", (long long)account_id);
    const char *a[] = {id, aid, now};
    sqlite3_stmt *st;
    int rc = prep(s, "INSERT OR REPLACE INTO taxii_status(id, aid, created, json) VALUES(?,?,?,?)", &st, 3, a, err);
    if (rc)
        return rc;
    /* A large POST's status is a megabyte: bound where it is, not copied (it outlives the statement). */
    sqlite3_bind_text(st, 4, json, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : store__sq_fail(s, err, "keeping a status");
}

static int sq_status_get(store *base, const char *id, int64_t account_id, char **json, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s, "SELECT json FROM taxii_status WHERE id = ? AND aid = ?", &st, 1, &id, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 2, account_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *json = vg_strdup((const char *)sqlite3_column_text(st, 0));
        if (!*json)
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading a status");
    } else if (r == SQLITE_DONE)
        rc = vg_error_set(err, VG_E_NOTFOUND, "no status \"%s\"", id);
    else
        rc = store__sq_fail(s, err, "reading a status");
    sqlite3_finalize(st);
    return rc;
}

/* ---- change detection ------------------------------------------------------ */

/*
 * PRAGMA data_version changes when another connection commits; this
 * connection's own changes show in sqlite3_total_changes64. Together they
 * change whenever the file's contents do.
 */
static int sq_data_version(store *base, uint64_t *out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    static const char sql[] = "PRAGMA data_version";
    sqlite3_stmt *st;
    int slot, rc = store__sq_query_stmt(s, sql, sizeof sql - 1, &st, &slot, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0) << 32 ^ (uint64_t)sqlite3_total_changes64(s->db);
    else
        rc = store__sq_fail(s, err, "reading the data version");
    store__sq_query_done(s, st, slot);
    return rc;
}

/* ---- deleting objects ------------------------------------------------------ */

static int sq_object_delete(store *base, const char *collection, const char *id, const char *version_key, int *deleted,
                            vg_error *err)
{
    sq_store *s = (sq_store *)base;
    if (!s->in_txn)
        return vg_error_set(err, VG_E_INTERNAL, "store_object_delete outside a transaction");
    const char *a[] = {id, collection, version_key};
    return run(s,
               version_key ? "DELETE FROM objects WHERE id = ? AND cid = (SELECT cid FROM collections WHERE name = ?) "
                             "AND version = ?"
                           : "DELETE FROM objects WHERE id = ? AND cid = (SELECT cid FROM collections WHERE name = ?)",
               version_key ? 3 : 2, a, deleted, "deleting an object", err);
}

/* ---- peers (the TAXII client) ------------------------------------------ */

static int sq_peer_set(store *base, const store_peer *p, int create, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    const char *args[] = {p->url, p->collection, p->local, p->auth, p->user, p->secret, p->pulled, p->pushed, p->name};
    int changes = 0;
    int rc = run(s,
                 create ? "INSERT INTO taxii_peers(url, collection, local, auth, user, secret, pulled, pushed, name) "
                          "VALUES(?,?,?,?,?,?,?,?,?)"
                        : "UPDATE taxii_peers SET url = ?, collection = ?, local = ?, auth = ?, user = ?, secret = ?, "
                          "pulled = ?, pushed = ? WHERE name = ?",
                 9, args, &changes, create ? "adding a peer" : "updating a peer", err);
    if (rc == VG_E_CONFLICT)
        return vg_error_set(err, rc, "there is already a peer named \"%s\"", p->name);
    if (!rc && !changes)
        return vg_error_set(err, VG_E_NOTFOUND, "no peer named \"%s\"", p->name);
    return rc;
}

static void peer_row(sqlite3_stmt *st, store_peer *p)
{
    col_copy(p->name, sizeof p->name, st, 0);
    col_copy(p->url, sizeof p->url, st, 1);
    col_copy(p->collection, sizeof p->collection, st, 2);
    col_copy(p->local, sizeof p->local, st, 3);
    col_copy(p->auth, sizeof p->auth, st, 4);
    col_copy(p->user, sizeof p->user, st, 5);
    col_copy(p->secret, sizeof p->secret, st, 6);
    col_copy(p->pulled, sizeof p->pulled, st, 7);
    col_copy(p->pushed, sizeof p->pushed, st, 8);
}

#define PEER_COLS "SELECT name, url, collection, local, auth, user, secret, pulled, pushed FROM taxii_peers"

static int sq_peer_get(store *base, const char *name, store_peer *out, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s, PEER_COLS " WHERE name = ?", &st, 1, &name, err);
    if (rc)
        return rc;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        peer_row(st, out);
    sqlite3_finalize(st);
    if (r == SQLITE_ROW)
        return 0;
    if (r == SQLITE_DONE)
        return vg_error_set(err, VG_E_NOTFOUND, "no peer named \"%s\" (see 'vigil peer list')", name);
    return store__sq_fail(s, err, "reading a peer");
}

static int sq_peer_remove(store *base, const char *name, vg_error *err)
{
    int changes = 0;
    int rc = run((sq_store *)base, "DELETE FROM taxii_peers WHERE name = ?", 1, &name, &changes, "removing a peer",
                 err);
    if (!rc && !changes)
        return vg_error_set(err, VG_E_NOTFOUND, "no peer named \"%s\"", name);
    return rc;
}

static int sq_peers_list(store *base, int (*fn)(const store_peer *p, void *ctx), void *ctx, vg_error *err)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st;
    int rc = prep(s, PEER_COLS " ORDER BY name", &st, 0, NULL, err);
    if (rc)
        return rc;
    int r;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_peer p;
        peer_row(st, &p);
        rc = fn(&p, ctx);
        OPENSSL_cleanse(p.secret, sizeof p.secret);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store__sq_fail(s, err, "listing peers");
    sqlite3_finalize(st);
    return rc;
}

const struct store_taxii_ops store__sqlite_taxii_ops = {
    .peer_set = sq_peer_set,
    .peer_get = sq_peer_get,
    .peer_remove = sq_peer_remove,
    .peers_list = sq_peers_list,
    .account_add = sq_account_add,
    .account_get = sq_account_get,
    .account_set_password = sq_account_set_password,
    .account_remove = sq_account_remove,
    .accounts_list = sq_accounts_list,
    .token_add = sq_token_add,
    .token_revoke = sq_token_revoke,
    .token_find = sq_token_find,
    .tokens_list = sq_tokens_list,
    .right_set = sq_right_set,
    .right_get = sq_right_get,
    .share_set = sq_share_set,
    .share_get = sq_share_get,
    .shares_list = sq_shares_list,
    .status_put = sq_status_put,
    .status_get = sq_status_get,
    .data_version = sq_data_version,
    .object_delete = sq_object_delete,
};
