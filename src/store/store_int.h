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
    int (*query_open)(store *s, const store_query *q, store_iter **out, vg_error *err);
    int (*iter_next)(store_iter *it, store_row *row, vg_error *err);
    void (*iter_free)(store_iter *it);
    int (*stats)(store *s, store_stats *st, vg_error *err);
    int (*verify)(store *s, vg_error *err);
    int (*count_by_type)(store *s, const char *collection,
                         int (*fn)(const char *type, uint64_t objects, uint64_t versions, void *ctx), void *ctx,
                         vg_error *err);
    int (*collections)(store *s, int (*fn)(const store_collection *c, void *ctx), void *ctx, vg_error *err);
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
    char next_cursor[96];              /* cursor for the next page, "" if none */
    char added_first[VG_TIME_MAX];     /* date added of the first row returned */
    char added_last[VG_TIME_MAX];      /* date added of the last row returned */
};

/* Cursor text <-> (added key, seq). */
void store__cursor_make(char out[96], const char *added_key, int64_t seq);
int store__cursor_parse(const char *cursor, char added_key[VG_TIME_MAX], int64_t *seq, vg_error *err);

extern const struct store_ops store__sqlite_ops;

#endif
