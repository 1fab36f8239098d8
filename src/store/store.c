/*
 * store.c - the store interface, dispatching to the engine that serves a URI,
 * and the paging cursor shared by all engines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

static const struct store_ops *const engines[] = {&store__sqlite_ops};


int store_open(const char *uri, int flags, store **out, vg_error *err)
{
    *out = NULL;
    if (strncmp(uri, "postgres://", 11) == 0 || strncmp(uri, "postgresql://", 13) == 0)
        return vg_error_set(err, VG_E_UNSUPPORTED,
                            "this build of vigil has no PostgreSQL engine yet; use a file path for SQLite");
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (engines[i]->accepts(uri))
            return engines[i]->open(uri, flags, out, err);
    return vg_error_set(err, VG_E_USAGE, "no store engine accepts \"%s\"", uri);
}

void store_close(store *s)
{
    if (s)
        s->ops->close(s);
}

int store_schema_version_of(store *s) { return s->ops->schema_version_of(s); }
int store_begin(store *s, vg_error *err) { return s->ops->begin(s, err); }
int store_commit(store *s, vg_error *err) { return s->ops->commit(s, err); }
void store_rollback(store *s) { s->ops->rollback(s); }

int store_put(store *s, const char *collection, const store_object *o, int *inserted, vg_error *err)
{
    return s->ops->put(s, collection ? collection : STORE_DEFAULT_COLLECTION, o, inserted, err);
}

int store_put_many(store *s, const char *collection, const store_object *objs, size_t n, int *inserted,
                   vg_error *err)
{
    collection = collection ? collection : STORE_DEFAULT_COLLECTION;
    if (s->ops->put_many)
        return s->ops->put_many(s, collection, objs, n, inserted, err);
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = s->ops->put(s, collection, &objs[i], &inserted[i], err);
    return rc;
}

int store_query_open(store *s, const store_query *q, store_iter **out, vg_error *err)
{
    *out = NULL;
    return s->ops->query_open(s, q, out, err);
}

int store_iter_next(store_iter *it, store_row *row, vg_error *err)
{
    int rc = it->s->ops->iter_next(it, row, err);
    if (rc == 1 && it->any_order) {
        it->returned++;
    } else if (rc == 1) {
        if (!it->returned)
            snprintf(it->added_first, sizeof it->added_first, "%s", row->added);
        snprintf(it->added_last, sizeof it->added_last, "%s", row->added);
        it->returned++;
    }
    return rc;
}

int store_iter_more(store_iter *it) { return it->more; }
const char *store_iter_next_cursor(store_iter *it) { return it->more ? it->next_cursor : NULL; }
const char *store_iter_cursor(store_iter *it) { return it->returned ? it->next_cursor : ""; }
const char *store_iter_added_first(store_iter *it) { return it->added_first; }
const char *store_iter_added_last(store_iter *it) { return it->added_last; }

void store_iter_free(store_iter *it)
{
    if (it)
        it->s->ops->iter_free(it);
}

int store_added_last(store *s, char out[VG_TIME_MAX], vg_error *err)
{
    out[0] = 0;
    return s->ops->added_last(s, out, err);
}

int store_stats_get(store *s, store_stats *st, vg_error *err)
{
    memset(st, 0, sizeof *st);
    return s->ops->stats(s, st, err);
}

int store_verify(store *s, vg_error *err) { return s->ops->verify(s, err); }

int store_autocheckpoint(store *s, int on, vg_error *err)
{
    return s->ops->autocheckpoint ? s->ops->autocheckpoint(s, on, err) : 0;
}

int store_checkpoint(store *s, vg_error *err) { return s->ops->checkpoint ? s->ops->checkpoint(s, err) : 0; }

int store_count_by_type(store *s, const char *collection,
                        int (*fn)(const char *type, uint64_t objects, uint64_t versions, void *ctx), void *ctx,
                        vg_error *err)
{
    return s->ops->count_by_type(s, collection, fn, ctx, err);
}

int store_collections(store *s, int (*fn)(const store_collection *c, void *ctx), void *ctx, vg_error *err)
{
    return s->ops->collections(s, fn, ctx, err);
}

/*
 * A cursor is "c<seq>-<digits of the added key>", e.g.
 * c1234-20250808190318773827000: URL-safe, self-contained, opaque to clients.
 */
void store__cursor_make(char out[96], const char *added_key, int64_t seq)
{
    char digits[40];
    size_t k = 0;
    for (const char *p = added_key; *p && k < sizeof digits - 1; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    digits[k] = '\0';
    snprintf(out, 96, "c%" PRId64 "-%s", seq, digits);
}

int store__cursor_parse(const char *cursor, char added_key[VG_TIME_MAX], int64_t *seq, vg_error *err)
{
    const char *p = cursor;
    int64_t v = 0;
    if (*p++ != 'c')
        goto bad;
    if (*p < '0' || *p > '9')
        goto bad;
    while (*p >= '0' && *p <= '9') {
        if (v > (INT64_MAX - 9) / 10)
            goto bad;
        v = v * 10 + (*p++ - '0');
    }
    if (*p++ != '-' || strlen(p) != 23)
        goto bad;
    for (int i = 0; i < 23; i++)
        if (p[i] < '0' || p[i] > '9')
            goto bad;
    snprintf(added_key, VG_TIME_MAX, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s.%.9sZ", p, p + 4, p + 6, p + 8, p + 10, p + 12,
             p + 14);
    *seq = v;
    return 0;
bad:
    vg_error_set(err, VG_E_USAGE, "malformed paging cursor \"%.40s\"", cursor);
    return vg_error_hint(err, "pass the 'next' value of the previous page unchanged");
}

/* ---- TAXII tables: dispatch --------------------------------------------- */

static int no_taxii(vg_error *err)
{
    return vg_error_set(err, VG_E_UNSUPPORTED, "this store engine keeps no TAXII accounts");
}

#define TAXII_CALL(fn, ...) (s->ops->taxii ? s->ops->taxii->fn(s, __VA_ARGS__) : no_taxii(err))

int store_account_add(store *s, const char *name, const char *org, const char *pwhash, vg_error *err)
{
    return TAXII_CALL(account_add, name, org, pwhash, err);
}
int store_account_get(store *s, const char *name, store_account *out, vg_error *err)
{
    return TAXII_CALL(account_get, name, out, err);
}
int store_account_set_password(store *s, const char *name, const char *pwhash, vg_error *err)
{
    return TAXII_CALL(account_set_password, name, pwhash, err);
}
int store_account_remove(store *s, const char *name, vg_error *err) { return TAXII_CALL(account_remove, name, err); }
int store_accounts_list(store *s, int (*fn)(const store_account *a, void *ctx), void *ctx, vg_error *err)
{
    return TAXII_CALL(accounts_list, fn, ctx, err);
}
int store_token_add(store *s, const char *account, const char *token_id, const char *hash_hex, const char *label,
                    vg_error *err)
{
    return TAXII_CALL(token_add, account, token_id, hash_hex, label, err);
}
int store_token_revoke(store *s, const char *token_id, vg_error *err) { return TAXII_CALL(token_revoke, token_id, err); }
int store_token_find(store *s, const char *hash_hex, store_account *out, vg_error *err)
{
    return TAXII_CALL(token_find, hash_hex, out, err);
}
int store_tokens_list(store *s, const char *account,
                      int (*fn)(const char *token_id, const char *account, const char *label, const char *created,
                                void *ctx),
                      void *ctx, vg_error *err)
{
    return TAXII_CALL(tokens_list, account, fn, ctx, err);
}
int store_right_set(store *s, const char *account, const char *collection, int rights, vg_error *err)
{
    return TAXII_CALL(right_set, account, collection, rights, err);
}
int store_right_get(store *s, int64_t account_id, const char *collection, int *rights, vg_error *err)
{
    return TAXII_CALL(right_get, account_id, collection, rights, err);
}
int store_share_set(store *s, store_share *sh, int create, vg_error *err) { return TAXII_CALL(share_set, sh, create, err); }
int store_share_get(store *s, const char *id_or_name, store_share *out, vg_error *err)
{
    return TAXII_CALL(share_get, id_or_name, out, err);
}
int store_shares_list(store *s, int (*fn)(const store_share *sh, void *ctx), void *ctx, vg_error *err)
{
    return TAXII_CALL(shares_list, fn, ctx, err);
}
int store_peer_set(store *s, const store_peer *p, int create, vg_error *err)
{
    return TAXII_CALL(peer_set, p, create, err);
}
int store_peer_get(store *s, const char *name, store_peer *out, vg_error *err)
{
    return TAXII_CALL(peer_get, name, out, err);
}
int store_peer_remove(store *s, const char *name, vg_error *err) { return TAXII_CALL(peer_remove, name, err); }
int store_peers_list(store *s, int (*fn)(const store_peer *p, void *ctx), void *ctx, vg_error *err)
{
    return TAXII_CALL(peers_list, fn, ctx, err);
}
int store_status_put(store *s, const char *id, int64_t account_id, const char *json, vg_error *err)
{
    return TAXII_CALL(status_put, id, account_id, json, err);
}
int store_status_get(store *s, const char *id, int64_t account_id, char **json, vg_error *err)
{
    *json = NULL;
    return TAXII_CALL(status_get, id, account_id, json, err);
}
int store_data_version(store *s, uint64_t *out, vg_error *err)
{
    *out = 0;
    return TAXII_CALL(data_version, out, err);
}
int store_object_delete(store *s, const char *collection, const char *id, const char *version_key, int *deleted,
                        vg_error *err)
{
    *deleted = 0;
    return TAXII_CALL(object_delete, collection, id, version_key, deleted, err);
}

/* ---- incidents: the alert outbox, dispatch ------------------------------- */

static int no_incident(vg_error *err)
{
    return vg_error_set(err, VG_E_UNSUPPORTED, "this store engine keeps no alert outbox");
}

#define INCIDENT_CALL(fn, ...) (s->ops->incident ? s->ops->incident->fn(s, __VA_ARGS__) : no_incident(err))

int store_alert_add(store *s, const char *incident, const char *version, const char *json, int64_t *id,
                    vg_error *err)
{
    *id = 0;
    return INCIDENT_CALL(alert_add, incident, version, json, id, err);
}
int store_alert_channel(store *s, const char *channel, int64_t *first, vg_error *err)
{
    return INCIDENT_CALL(alert_channel, channel, first, err);
}
int store_alerts_pending(store *s, const char *channel, size_t limit, int (*fn)(const store_alert *a, void *ctx),
                         void *ctx, vg_error *err)
{
    return INCIDENT_CALL(alerts_pending, channel, limit, fn, ctx, err);
}
int store_alert_result(store *s, int64_t id, const char *channel, int delivered, const char *error, vg_error *err)
{
    return INCIDENT_CALL(alert_result, id, channel, delivered, error, err);
}
int store_alerts_list(store *s, size_t limit, int (*fn)(const store_alert *a, void *ctx), void *ctx, vg_error *err)
{
    return INCIDENT_CALL(alerts_list, limit, fn, ctx, err);
}

int store_relationships(store *s, const store_rel_query *q, int (*fn)(const store_rel *r, void *ctx), void *ctx,
                        vg_error *err)
{
    if (!q->nsources && !q->source_prefix)
        return vg_error_set(err, VG_E_USAGE, "store_relationships needs sources or a source prefix");
    return s->ops->relationships(s, q, fn, ctx, err);
}

int store_count_added(store *s, const vg_time *from, const vg_time *to,
                      int (*fn)(const char *type, const char *kind, uint64_t n, void *ctx), void *ctx,
                      vg_error *err)
{
    return s->ops->count_added(s, from, to, fn, ctx, err);
}

int store_incidents(store *s, const vg_time *from, const vg_time *to,
                    int (*fn)(const store_incident_row *r, void *ctx), void *ctx, vg_error *err)
{
    return s->ops->incidents(s, from, to, fn, ctx, err);
}
