/*
 * store.h - the store interface: where every version of every STIX object is
 * kept, with the collection it belongs to and the date it was added.
 *
 * One interface, several engines: SQLite now (a path, the embedded default),
 * PostgreSQL later (a postgres:// URI). Nothing above this header knows SQL.
 * Objects are stored whole, as the JSON text they arrived as (after a 2.0
 * upgrade); the columns beside them only make queries fast.
 *
 * Writes happen inside store_begin/store_commit: an interrupted process leaves
 * the store as it was before the transaction or after it.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"

typedef struct store store;
typedef struct store_iter store_iter;

/* The collection objects go to when none is named. */
#define STORE_DEFAULT_COLLECTION "default"

/* store_open flags. */
enum {
    STORE_CREATE = 1,   /* create the store if it does not exist */
    STORE_READONLY = 2, /* open for reading only */
};

/*
 * Opens (and with STORE_CREATE creates) the store at uri: a file path for
 * SQLite. Applies schema migrations. Fails with VG_E_CONFLICT when the store
 * was written by a newer vigil, VG_E_NOTFOUND when it does not exist and
 * STORE_CREATE is not given, VG_E_STORE when the file is not a vigil store.
 * Caller frees with store_close.
 */
int store_open(const char *uri, int flags, store **out, vg_error *err);
void store_close(store *s);

/* The schema version this build writes, and the one the open store has. */
int store_schema_version(void);
int store_schema_version_of(store *s);

int store_begin(store *s, vg_error *err);
int store_commit(store *s, vg_error *err);
/* Rolls back the open transaction, if any. Never fails. */
void store_rollback(store *s);

/* One object to write: its JSON text and the columns taken from it. */
typedef struct store_object {
    const char *id;           /* "indicator--…" */
    const char *type;         /* "indicator" */
    const char *spec_version; /* "2.1" */
    int has_version;          /* whether the object has modified or created */
    vg_time version;          /* modified, else created */
    int has_created;          /* whether created is set */
    vg_time created;          /* created */
    int revoked;              /* revoked: true */
    const char *json;         /* the whole object, compact JSON */
    size_t json_len;          /* its length */
} store_object;

/*
 * Adds one object version to a collection (NULL: the default collection),
 * creating the collection if needed. *inserted is 1 when it was new, 0 when
 * the same (collection, id, version) was already there (nothing changes).
 * Must be inside a transaction.
 */
int store_put(store *s, const char *collection, const store_object *o, int *inserted, vg_error *err);

/* Which versions of each object a query returns. */
enum {
    STORE_VER_LAST = 1,  /* the latest version (default) */
    STORE_VER_FIRST = 2, /* the earliest version */
    STORE_VER_ALL = 4,   /* every version */
    STORE_VER_AT = 8,    /* the versions listed in at[] */
};

/* A query. Zero-initialise; unset fields do not filter. */
typedef struct store_query {
    const char *collection;           /* NULL: every collection */
    const char *const *ids;           /* match any of these ids */
    size_t nids;                      /* how many */
    const char *const *types;         /* match any of these types */
    size_t ntypes;                    /* how many */
    const char *const *spec_versions; /* match any of these spec_versions */
    size_t nspec_versions;            /* how many */
    int has_added_after;              /* filter on date added */
    vg_time added_after;              /* only objects added strictly after this */
    int versions;                     /* STORE_VER_* bits; 0 means STORE_VER_LAST */
    const vg_time *at;                /* versions wanted with STORE_VER_AT */
    size_t nat;                       /* how many */
    size_t limit;                     /* page size; 0: no limit */
    const char *cursor;               /* from store_iter_next_cursor of the previous page */
} store_query;

/* One result row. Strings are borrowed until the next store_iter_next. */
typedef struct store_row {
    const char *id;           /* object id */
    const char *type;         /* object type */
    const char *spec_version; /* spec_version */
    const char *version;      /* version key (modified or created, 9 fractional digits), "" if none */
    const char *added;        /* date added, 9 fractional digits */
    const char *collection;   /* collection name */
    const char *json;         /* the object */
    size_t json_len;          /* its length */
} store_row;

/*
 * Runs a query. Rows come in the order they were added. Caller frees with
 * store_iter_free. VG_E_USAGE for a malformed cursor.
 */
int store_query_open(store *s, const store_query *q, store_iter **out, vg_error *err);
/* Returns 1 with *row, 0 at the end, or a negative code. */
int store_iter_next(store_iter *it, store_row *row, vg_error *err);
/*
 * After the last row of a page with a limit: whether more rows follow, and
 * the cursor to pass as store_query.cursor for the next page (borrowed; NULL
 * when no more). The cursor is self-contained: any process can continue it.
 */
int store_iter_more(store_iter *it);
const char *store_iter_next_cursor(store_iter *it);
/* Date added of the first and last rows returned so far ("" if none). */
const char *store_iter_added_first(store_iter *it);
const char *store_iter_added_last(store_iter *it);
void store_iter_free(store_iter *it);

/* Counts for `vigil stats`. */
typedef struct store_stats {
    uint64_t objects;      /* distinct (collection, id) */
    uint64_t versions;     /* rows: every version */
    uint64_t collections;  /* collections */
    char added_first[VG_TIME_MAX]; /* oldest date added, "" if empty */
    char added_last[VG_TIME_MAX];  /* newest date added, "" if empty */
} store_stats;

int store_stats_get(store *s, store_stats *st, vg_error *err);

/* Checks the store's integrity (every page, index and constraint). VG_E_STORE with what is wrong. */
int store_verify(store *s, vg_error *err);

/* Calls fn once per object type with the number of distinct objects of that type. */
int store_count_by_type(store *s, const char *collection,
                        int (*fn)(const char *type, uint64_t objects, uint64_t versions, void *ctx), void *ctx,
                        vg_error *err);

/* One collection: its stable id (a UUID), name, title. */
typedef struct store_collection {
    const char *id;    /* UUID, used by TAXII */
    const char *name;  /* short name used on the command line */
    const char *title; /* human title */
} store_collection;

int store_collections(store *s, int (*fn)(const store_collection *c, void *ctx), void *ctx, vg_error *err);

#endif
