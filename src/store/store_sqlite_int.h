/*
 * store_sqlite_int.h - what the SQLite engine's files share.
 *
 * The engine is store_sqlite.c (objects, collections, queries, migrations)
 * plus one store_sqlite_<module>.c per module that keeps tables of its own
 * (accounts for TAXII, the alert outbox for incidents...). Such a file
 * defines its migrations (store__migration, module name = its own) and lists
 * them in migration_lists[] in store_sqlite.c, and implements its part of
 * store_ops over the sq_store handle below.
 */
#ifndef STORE_SQLITE_INT_H
#define STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_int.h"

/* One schema step of one module. */
typedef struct store__migration {
    const char *module; /* who owns the tables: "core", "taxii", "incident"... */
    int version;        /* 1, 2, ... within the module */
    const char *sql;    /* the step (several statements allowed) */
} store__migration;

#define STORE__SQ_BATCH 64 /* objects whose ids store_put_many looks up at once */

typedef struct sq_store {
    struct store base;     /* must be first */
    sqlite3 *db;           /* the connection */
    char path[1024];       /* the file, for messages */
    int in_txn;            /* a transaction is open */
    sqlite3_stmt *put;     /* INSERT OR IGNORE INTO objects */
    sqlite3_stmt *versions;  /* the versions of an (id, cid), from the index alone, for superseded */
    sqlite3_stmt *versions_sup; /* the same with each row's superseded (when there are several) */
    sqlite3_stmt *supersede; /* sets superseded on one row */
    sqlite3_stmt *known;     /* which of STORE__SQ_BATCH ids have versions in a collection (store_put_many) */
    sqlite3_stmt *find_coll; /* cid of a collection name */
    char coll_name[128];   /* the collection last resolved */
    int64_t coll_cid;      /* its cid */
    vg_time last_added;    /* the latest `added` handed out */
    struct {
        char *sql;          /* the statement's text (vg_malloc'd), NULL if the slot is empty */
        sqlite3_stmt *stmt; /* prepared once, reused by queries with the same shape */
        int busy;           /* an open iterator is using it */
    } qcache[16];           /* query statement cache: preparing costs more than a lookup by id */
    int qcache_next;        /* slot to evict next */
} sq_store;

/* A prepared query statement from the cache (or newly prepared); *slot is -1 if not cached. */
int store__sq_query_stmt(sq_store *s, const char *sql, size_t len, sqlite3_stmt **out, int *slot, vg_error *err);
/* Gives a statement back: to its cache slot (reset), or finalised when not cached. */
void store__sq_query_done(sq_store *s, sqlite3_stmt *stmt, int slot);

/* Fills err with the connection's last error while `doing`; returns VG_E_STORE. */
int store__sq_fail(sq_store *s, vg_error *err, const char *doing);
/* Runs SQL without results; VG_E_STORE with the message on failure. */
int store__sq_exec(sq_store *s, const char *sql, vg_error *err);

/*
 * The kind of an indicator from its JSON text: the object type of its
 * pattern's first comparison ("[domain-name:value = ..." gives
 * "domain-name"), or "other". Migration core 2 has the same rule in SQL.
 */
#define STORE__KIND_MAX 64
void store__sq_kind(const char *json, size_t len, char out[STORE__KIND_MAX]);

/* Relationships and counts through the JSON-derived columns (store_sqlite_index.c). */
int store__sq_relationships(store *s, const store_rel_query *q, int (*fn)(const store_rel *r, void *ctx), void *ctx,
                            vg_error *err);
int store__sq_incidents(store *s, const vg_time *from, const vg_time *to,
                        int (*fn)(const store_incident_row *r, void *ctx), void *ctx, vg_error *err);
int store__sq_count_added(store *s, const vg_time *from, const vg_time *to,
                          int (*fn)(const char *type, const char *kind, uint64_t n, void *ctx), void *ctx,
                          vg_error *err);

/* The TAXII module's migrations and operations (store_sqlite_taxii.c). */
#define STORE__SQLITE_TAXII_NMIGRATIONS 2
extern const store__migration store__sqlite_taxii_migrations[STORE__SQLITE_TAXII_NMIGRATIONS];
extern const struct store_taxii_ops store__sqlite_taxii_ops;

/* The incident module's migrations and operations (store_sqlite_incident.c). */
#define STORE__SQLITE_INCIDENT_NMIGRATIONS 1
extern const store__migration store__sqlite_incident_migrations[STORE__SQLITE_INCIDENT_NMIGRATIONS];
extern const struct store_incident_ops store__sqlite_incident_ops;

#endif
