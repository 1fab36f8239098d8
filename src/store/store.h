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
    STORE_STREAM = 4,   /* the caller reads much of the store once (compiling the match index): no memory map
                           and a small page cache, so that reading a store of a gigabyte costs a few MB of
                           memory, not hundreds (pages read once gain nothing from either) */
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

/*
 * store_put of objs[0..n) in order, into one collection: the same rows as n
 * calls would give, inserted[i] as each call's *inserted, with less work per
 * object (the SQLite engine asks once per 64 objects which ids have
 * versions already, instead of once per new row). On an error the objects
 * before the failing one are stored; roll the transaction back. Must be
 * inside a transaction.
 */
int store_put_many(store *s, const char *collection, const store_object *objs, size_t n, int *inserted,
                   vg_error *err);

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
    int any_order;                    /* rows in any order: no sort, and the engine reads them the cheapest
                                         way (a whole-store read is much faster); no cursor nor dates added
                                         are kept (store_iter_cursor, _added_first/_last give ""). Not with
                                         limit or cursor, which need the order of date added */
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
/*
 * The cursor that continues right after the last row returned so far (""
 * before the first row). A caller that filters rows itself (TAXII, for TLP)
 * pages with limit 0 and takes this after its last kept row. Borrowed.
 */
const char *store_iter_cursor(store_iter *it);
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

/* The newest date added in the store ("" when empty), at once (store_stats_get counts everything). */
int store_added_last(store *s, char out[VG_TIME_MAX], vg_error *err);

/* Checks the store's integrity (every page, index and constraint). VG_E_STORE with what is wrong. */
int store_verify(store *s, vg_error *err);

/*
 * Checkpoints of the write-ahead log (SQLite; engines without one do
 * nothing and return 0). By default a commit that leaves the log longer
 * than 1,000 pages also copies it into the main file, on the committing
 * thread. store_autocheckpoint(s, 0) stops that for this handle (1 restores
 * it); some other handle must then call store_checkpoint(), which copies
 * what it can without waiting for readers or writers. A server that
 * commits large transactions does so on a thread of its own, off the
 * requests' path.
 */
int store_autocheckpoint(store *s, int on, vg_error *err);
int store_checkpoint(store *s, vg_error *err);

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

/* One relationship (the latest version of it in its collection). Strings borrowed during the callback. */
typedef struct store_rel {
    const char *source; /* source_ref */
    const char *type;   /* relationship_type */
    const char *target; /* target_ref */
    int64_t arrival;    /* orders relationships as they were added */
} store_rel;

/*
 * Which relationships store_relationships visits: those whose source_ref is
 * one of sources, or (when there are none) starts with source_prefix; of any
 * type, or of one of types. Zero-initialise; sources or source_prefix must
 * be set (VG_E_USAGE).
 */
typedef struct store_rel_query {
    const char *const *sources; /* source_ref is one of these */
    size_t nsources;            /* how many */
    const char *source_prefix;  /* or source_ref starts with this ("incident--") */
    const char *const *types;   /* relationship_type is one of these; none: any */
    size_t ntypes;              /* how many */
} store_rel_query;

/*
 * Calls fn for each relationship q selects, through an index of sources
 * (the JSON of the objects is not read): by source in the order given, then
 * in no particular order; sort by arrival when order matters. fn returning non-zero
 * stops the walk and is returned.
 */
int store_relationships(store *s, const store_rel_query *q, int (*fn)(const store_rel *r, void *ctx), void *ctx,
                        vg_error *err);

/*
 * Counts the objects added at or after from and before to (latest versions
 * only), by type and, for indicators, by kind: the object type of the
 * pattern's first comparison ("domain-name", "file"...; "other" when the
 * pattern has none). fn gets kind "" for objects other than indicators; it
 * is called once per (type, kind) with a count above 0, in that order.
 */
int store_count_added(store *s, const vg_time *from, const vg_time *to,
                      int (*fn)(const char *type, const char *kind, uint64_t n, void *ctx), void *ctx,
                      vg_error *err);


/* ---- TAXII: accounts, tokens, rights, sharing settings, statuses -------
 * (store_sqlite_taxii.c; tables taxii_*). Outputs are caller-allocated
 * structs with fixed buffers; secrets are stored only as hashes. */

/* One account of the TAXII server. */
typedef struct store_account {
    int64_t id;         /* stable row id */
    char name[64];      /* login name */
    char org[64];       /* organisation: a STIX identity id */
    char pwhash[192];   /* argon2id encoded hash ("" when the account has no password) */
} store_account;

/* Rights of an account on a collection (bits). */
enum { STORE_RIGHT_READ = 1, STORE_RIGHT_WRITE = 2 };

/* VG_E_CONFLICT when the name is taken. */
int store_account_add(store *s, const char *name, const char *org, const char *pwhash, vg_error *err);
/* VG_E_NOTFOUND when there is no such account. */
int store_account_get(store *s, const char *name, store_account *out, vg_error *err);
int store_account_set_password(store *s, const char *name, const char *pwhash, vg_error *err);
/* Removes the account with its tokens and rights. VG_E_NOTFOUND. */
int store_account_remove(store *s, const char *name, vg_error *err);
int store_accounts_list(store *s, int (*fn)(const store_account *a, void *ctx), void *ctx, vg_error *err);

/* Adds a bearer token: its public id (shown in lists) and the hex SHA-256 of the secret. */
int store_token_add(store *s, const char *account, const char *token_id, const char *hash_hex, const char *label,
                    vg_error *err);
/* Revokes (deletes) a token by its id. VG_E_NOTFOUND. */
int store_token_revoke(store *s, const char *token_id, vg_error *err);
/* The account a token hash belongs to (compared in constant time). VG_E_NOTFOUND. */
int store_token_find(store *s, const char *hash_hex, store_account *out, vg_error *err);
/* Calls fn per token of the account (or of every account when NULL). */
int store_tokens_list(store *s, const char *account,
                      int (*fn)(const char *token_id, const char *account, const char *label, const char *created,
                                void *ctx),
                      void *ctx, vg_error *err);

/* Sets the rights (STORE_RIGHT_* bits, 0 removes them) of an account on a collection (by name). */
int store_right_set(store *s, const char *account, const char *collection, int rights, vg_error *err);
/* The rights of account id on a collection name; 0 when none. */
int store_right_get(store *s, int64_t account_id, const char *collection, int *rights, vg_error *err);

/* A collection with its sharing settings. */
typedef struct store_share {
    char id[40];            /* UUID (the TAXII collection id) */
    char name[128];         /* short name */
    char title[256];        /* title */
    char description[1024]; /* description */
    char default_tlp[16];   /* TLP of unmarked objects: clear, green, amber, amber+strict, red */
    char recipients[4096];  /* space-separated identity ids that receive AMBER and AMBER+STRICT */
} store_share;

/*
 * Creates (create = 1; VG_E_CONFLICT if the name exists) or updates (create =
 * 0; VG_E_NOTFOUND) a collection's settings, by name. A new collection gets a
 * fresh UUID; sh->id is filled in.
 */
int store_share_set(store *s, store_share *sh, int create, vg_error *err);
/* By UUID or name. VG_E_NOTFOUND. Collections without settings get defaults (green, no recipients). */
int store_share_get(store *s, const char *id_or_name, store_share *out, vg_error *err);
int store_shares_list(store *s, int (*fn)(const store_share *sh, void *ctx), void *ctx, vg_error *err);

/* Keeps a TAXII status resource (JSON text) for account_id. */
int store_status_put(store *s, const char *id, int64_t account_id, const char *json, vg_error *err);
/* The status JSON (caller frees with vg_free) if it belongs to account_id; else VG_E_NOTFOUND. */
int store_status_get(store *s, const char *id, int64_t account_id, char **json, vg_error *err);

/*
 * A number that changes whenever the store's contents change, whether by this
 * handle or by any other writer (another thread, another process). The TAXII
 * server checks it on every request to know whether its caches still hold.
 */
int store_data_version(store *s, uint64_t *out, vg_error *err);

/*
 * Deletes object versions from a collection: the version with this key
 * (vg_time_format_key form), or every version when version_key is NULL.
 * *deleted is the number of rows removed. Must be inside a transaction.
 */
int store_object_delete(store *s, const char *collection, const char *id, const char *version_key, int *deleted,
                        vg_error *err);


/* ---- TAXII client: peers --------------------------------------------------
 * (store_sqlite_taxii.c, table taxii_peers). A peer is a partner's TAXII
 * collection that `vigil sync` pulls from and pushes to. Its secret (the
 * partner's password or token for us) must be kept to be used: it is stored
 * in the store file, never printed and never logged. */

/* One peer. */
typedef struct store_peer {
    char name[64];               /* our name for it */
    char url[1024];              /* the API root URL, ending in '/' */
    char collection[128];        /* the remote collection id */
    char local[128];             /* the local collection pulled into and pushed from */
    char auth[16];               /* "none", "basic" or "bearer" */
    char user[128];              /* basic: the user name */
    char secret[1024];           /* basic: the password; bearer: the token */
    char pulled[VG_TIME_MAX];    /* the partner's X-TAXII-Date-Added-Last of our last pull, "" if none */
    char pushed[VG_TIME_MAX];    /* the date added (key form) of the last local object pushed, "" if none */
} store_peer;

/* Creates (create = 1; VG_E_CONFLICT if the name exists) or updates (VG_E_NOTFOUND) a peer. */
int store_peer_set(store *s, const store_peer *p, int create, vg_error *err);
/* VG_E_NOTFOUND when there is no such peer. */
int store_peer_get(store *s, const char *name, store_peer *out, vg_error *err);
int store_peer_remove(store *s, const char *name, vg_error *err);
int store_peers_list(store *s, int (*fn)(const store_peer *p, void *ctx), void *ctx, vg_error *err);

/* ---- incidents: the index of incidents -----------------------------------
 * (store_sqlite_index.c). The store keeps, beside each incident's JSON, the
 * fields that lists and briefings read: vigil's incident extension
 * (incident.h's INC_EXT_ID) and the name, of the latest version. */

/* One incident from the index. Strings borrowed during the callback; NULL when absent or of another JSON type. */
typedef struct store_incident_row {
    const char *id;            /* incident--... */
    const char *name;          /* name (a JSON string) */
    const char *activity;      /* the extension's first_activity, else created (strings) */
    int has_severity;          /* severity is a JSON integer */
    int64_t severity;          /* its value */
    const char *status;        /* status (a string) */
    const char *categories;    /* categories, the JSON text of the array */
    const char *sectors;       /* sectors, the JSON text of the array */
    const char *countries;     /* countries, the JSON text of the array */
    const char *last_activity; /* last_activity (a string) */
} store_incident_row;

/*
 * Calls fn for each incident whose activity falls at or after from and
 * before to (NULL: unbounded), in order of activity, from the index alone.
 * Activity is compared as text to the second: a bound with a fraction of a
 * second is widened to the whole second (callers that need the exact instant
 * check it), and incidents whose activity is not an RFC 3339 time may be
 * missed by a bounded walk. fn returning non-zero stops the walk and is
 * returned.
 */
int store_incidents(store *s, const vg_time *from, const vg_time *to,
                    int (*fn)(const store_incident_row *r, void *ctx), void *ctx, vg_error *err);

/* ---- incidents: the alert outbox -----------------------------------------
 * (store_sqlite_incident.c; tables incident_*). An alert is queued in the
 * transaction that writes the incident change that raised it; each channel
 * (a name from the alerts config) records its own delivery of it. */

/* One queued alert, with its delivery on one channel when listed for it. Strings borrowed during the callback. */
typedef struct store_alert {
    int64_t id;               /* increasing sequence number */
    const char *created;      /* when it was queued (RFC 3339) */
    const char *incident;     /* the incident's id */
    const char *version;      /* the incident version (modified) that raised it */
    const char *json;         /* the alert document (compact JSON) */
    int attempts;             /* failed attempts so far (on the channel asked for, or all channels) */
    const char *delivered;    /* when it was delivered on the channel, "" if not yet */
    const char *last_error;   /* the last failure, "" if none */
    const char *channels;     /* store_alerts_list: "name=delivered|pending(N)" per channel, space-separated */
} store_alert;

/*
 * Queues an alert for an incident version. Inside the transaction that
 * writes the version. *id = its number, or 0 when an alert for the same
 * (incident, version) exists (nothing is added: once per change).
 */
int store_alert_add(store *s, const char *incident, const char *version, const char *json, int64_t *id,
                    vg_error *err);
/*
 * Registers a delivery channel on first use: it receives alerts queued from
 * then on, not the backlog. Returns in *first the first alert number it owes.
 */
int store_alert_channel(store *s, const char *channel, int64_t *first, vg_error *err);
/* Calls fn for each alert not yet delivered on channel (oldest first, at most limit; 0: all). */
int store_alerts_pending(store *s, const char *channel, size_t limit, int (*fn)(const store_alert *a, void *ctx),
                         void *ctx, vg_error *err);
/* Records the outcome of one delivery attempt: delivered, or failed with a message. */
int store_alert_result(store *s, int64_t id, const char *channel, int delivered, const char *error, vg_error *err);
/* Calls fn for each alert (newest first, at most limit; 0: all) with the summary of its channels. */
int store_alerts_list(store *s, size_t limit, int (*fn)(const store_alert *a, void *ctx), void *ctx, vg_error *err);

#endif
