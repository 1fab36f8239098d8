/*
 * store_int.h - what the store engines implement.
 *
 * Each engine (store_sqlite.c; store_pg.c later) defines its own handle type
 * whose first member is a `struct store`, and fills a store_ops table. store.c
 * dispatches the public API through the table, so adding an engine is adding a
 * file and one line in store.c's engine list.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include "store/store.h"

/* The TAXII tables (store_sqlite_taxii.c), one entry per function of store.h's TAXII block. */
struct store_taxii_ops {
    int (*account_add)(store *s, const char *name, const char *org, const char *pwhash, vg_error *err);
    int (*account_get)(store *s, const char *name, store_account *out, vg_error *err);
    int (*account_set_password)(store *s, const char *name, const char *pwhash, vg_error *err);
    int (*account_remove)(store *s, const char *name, vg_error *err);
    int (*accounts_list)(store *s, int (*fn)(const store_account *a, void *ctx), void *ctx, vg_error *err);
    int (*token_add)(store *s, const char *account, const char *token_id, const char *hash_hex, const char *label,
                     vg_error *err);
    int (*token_revoke)(store *s, const char *token_id, vg_error *err);
    int (*token_find)(store *s, const char *hash_hex, store_account *out, vg_error *err);
    int (*tokens_list)(store *s, const char *account,
                       int (*fn)(const char *, const char *, const char *, const char *, void *), void *ctx,
                       vg_error *err);
    int (*right_set)(store *s, const char *account, const char *collection, int rights, vg_error *err);
    int (*right_get)(store *s, int64_t account_id, const char *collection, int *rights, vg_error *err);
    int (*share_set)(store *s, store_share *sh, int create, vg_error *err);
    int (*share_get)(store *s, const char *id_or_name, store_share *out, vg_error *err);
    int (*shares_list)(store *s, int (*fn)(const store_share *sh, void *ctx), void *ctx, vg_error *err);
    int (*status_put)(store *s, const char *id, int64_t account_id, const char *json, vg_error *err);
    int (*status_get)(store *s, const char *id, int64_t account_id, char **json, vg_error *err);
    int (*data_version)(store *s, uint64_t *out, vg_error *err);
    int (*object_delete)(store *s, const char *collection, const char *id, const char *version_key, int *deleted,
                         vg_error *err);
    int (*peer_set)(store *s, const store_peer *p, int create, vg_error *err);
    int (*peer_get)(store *s, const char *name, store_peer *out, vg_error *err);
    int (*peer_remove)(store *s, const char *name, vg_error *err);
    int (*peers_list)(store *s, int (*fn)(const store_peer *p, void *ctx), void *ctx, vg_error *err);
};

/* The incident module's alert outbox (store_sqlite_incident.c), one entry per function of store.h's block. */
struct store_incident_ops {
    int (*alert_add)(store *s, const char *incident, const char *version, const char *json, int64_t *id,
                     vg_error *err);
    int (*alert_channel)(store *s, const char *channel, int64_t *first, vg_error *err);
    int (*alerts_pending)(store *s, const char *channel, size_t limit, int (*fn)(const store_alert *a, void *ctx),
                          void *ctx, vg_error *err);
    int (*alert_result)(store *s, int64_t id, const char *channel, int delivered, const char *error, vg_error *err);
    int (*alerts_list)(store *s, size_t limit, int (*fn)(const store_alert *a, void *ctx), void *ctx,
                       vg_error *err);
};

struct store_ops {
    const char *name; /* "sqlite" */
    /* Whether this engine serves uri (e.g. a postgres:// prefix). */
    int (*accepts)(const char *uri);
    int (*open)(const char *uri, int flags, store **out, vg_error *err);
    void (*close)(store *s);
    int (*schema_version_of)(store *s);
    int (*begin)(store *s, vg_error *err);
    int (*commit)(store *s, vg_error *err);
    void (*rollback)(store *s);
    int (*put)(store *s, const char *collection, const store_object *o, int *inserted, vg_error *err);
    /* NULL: store_put_many calls put for each object */
    int (*put_many)(store *s, const char *collection, const store_object *objs, size_t n, int *inserted,
                    vg_error *err);
    int (*query_open)(store *s, const store_query *q, store_iter **out, vg_error *err);
    int (*iter_next)(store_iter *it, store_row *row, vg_error *err);
    void (*iter_free)(store_iter *it);
    int (*stats)(store *s, store_stats *st, vg_error *err);
    int (*added_last)(store *s, char out[VG_TIME_MAX], vg_error *err);
    int (*verify)(store *s, vg_error *err);
    int (*autocheckpoint)(store *s, int on, vg_error *err); /* NULL: the engine has no log to checkpoint */
    int (*checkpoint)(store *s, vg_error *err); /* NULL: likewise */
    int (*count_by_type)(store *s, const char *collection,
                         int (*fn)(const char *type, uint64_t objects, uint64_t versions, void *ctx), void *ctx,
                         vg_error *err);
    int (*collections)(store *s, int (*fn)(const store_collection *c, void *ctx), void *ctx, vg_error *err);
    int (*relationships)(store *s, const store_rel_query *q, int (*fn)(const store_rel *r, void *ctx), void *ctx,
                         vg_error *err);
    int (*incidents)(store *s, const vg_time *from, const vg_time *to,
                     int (*fn)(const store_incident_row *r, void *ctx), void *ctx, vg_error *err);
    int (*count_added)(store *s, const vg_time *from, const vg_time *to,
                       int (*fn)(const char *type, const char *kind, uint64_t n, void *ctx), void *ctx,
                       vg_error *err);
    const struct store_taxii_ops *taxii; /* TAXII tables; NULL if the engine has none */
    const struct store_incident_ops *incident; /* the alert outbox; NULL if the engine has none */
};

/* The common head of every engine's handle. */
struct store {
    const struct store_ops *ops; /* the engine */
};

/* The common head of every engine's iterator, with the paging state. */
struct store_iter {
    store *s;                          /* the store it reads */
    size_t limit;                      /* page size, 0 for none */
    size_t returned;                   /* rows handed out so far */
    int more;                          /* a row beyond the page exists */
    int any_order;                     /* rows in no order (store_query.any_order): no cursor, no dates kept */
    char next_cursor[96];              /* cursor for the next page, "" if none */
    char added_first[VG_TIME_MAX];     /* date added of the first row returned */
    char added_last[VG_TIME_MAX];      /* date added of the last row returned */
};

/* Cursor text <-> (added key, seq). */
void store__cursor_make(char out[96], const char *added_key, int64_t seq);
int store__cursor_parse(const char *cursor, char added_key[VG_TIME_MAX], int64_t *seq, vg_error *err);

extern const struct store_ops store__sqlite_ops;

#endif
