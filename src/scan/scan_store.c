/*
 * scan_store.c - the scan's two meetings with the store: compiling the index
 * from its indicators, and writing one sighting per indicator hit.
 *
 * The sighting (docs/internals/scan.md):
 *   sighting_of_ref  the indicator
 *   count            confirmed hits in this scan (capped at 999999999, the spec's maximum)
 *   first_seen / last_seen   when the scan started and ended (evidence carries no trusted clock)
 *   x_vigil_evidence {files, first: {file, line, offset, field, value}, last: {...}}
 */
#include <jansson.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "scan/scan.h"
#include "stix/stix.h"

int scan_index_from_store(store *st, const char *collection, const vg_time *now, idx **out, vg_error *err)
{
    *out = NULL;
    idx_builder *b = NULL;
    int rc = idx_builder_new(&b, err);
    if (rc)
        return rc;
    static const char *const types[] = {"indicator"};
    store_query q = {0};
    q.collection = collection;
    q.types = types;
    q.ntypes = 1;
    q.versions = STORE_VER_LAST;
    store_iter *it = NULL;
    rc = store_query_open(st, &q, &it, err);
    vg_time t = now ? *now : vg_time_now(0);
    store_row row;
    int r;
    while (!rc && (r = store_iter_next(it, &row, err)) == 1) {
        json_error_t je;
        json_t *o = json_loadb(row.json, row.json_len, 0, &je);
        if (!o)
            continue; /* the store only holds valid JSON; an allocation failure ends below */
        rc = idx_builder_add_indicator(b, o, &t, NULL, err);
        json_decref(o);
    }
    if (!rc && r < 0)
        rc = r;
    store_iter_free(it);
    if (rc) {
        idx_builder_free(b);
        return rc;
    }
    return idx_builder_finish(b, out, err);
}

static json_t *where_json(const char *file, uint64_t line, uint64_t offset, const char *field, const char *value)
{
    json_t *w = json_object();
    if (!w)
        return NULL;
    int bad = json_object_set_new(w, "file", json_string(file ? file : ""));
    if (line)
        bad |= json_object_set_new(w, "line", json_integer((json_int_t)line));
    bad |= json_object_set_new(w, "offset", json_integer((json_int_t)offset));
    if (field)
        bad |= json_object_set_new(w, "field", json_string(field));
    if (value)
        bad |= json_object_set_new(w, "value", json_string(value));
    if (bad) {
        json_decref(w);
        return NULL;
    }
    return w;
}

int scan_sighting_json(const idx *x, const scan_summary *sum, const scan_agg *a, json_t **out, vg_error *err)
{
    *out = NULL;
    char uuid[VG_UUID_STR], id[64], now[VG_TIME_MAX], first[VG_TIME_MAX], last[VG_TIME_MAX];
    int rc = vg_uuid_v4(uuid, err);
    if (rc)
        return rc;
    snprintf(id, sizeof id, "sighting--%s", uuid);
    vg_time tn = vg_time_now(3);
    vg_time_format_digits(&tn, 3, now);
    vg_time_format_digits(a->has_seen ? &a->first_seen : &sum->started, 3, first);
    vg_time_format_digits(a->has_seen ? &a->last_seen : &sum->ended, 3, last);
    json_t *s = json_object(), *ev = json_object();
    json_t *fw = where_json(a->first_file, a->first_line, a->first_offset, a->first_field, a->first_value);
    json_t *lw = where_json(a->last_file, a->last_line, a->last_offset, NULL, a->last_value);
    int bad = !s || !ev || !fw || !lw;
    if (!bad) {
        bad |= json_object_set_new(s, "type", json_string("sighting"));
        bad |= json_object_set_new(s, "spec_version", json_string("2.1"));
        bad |= json_object_set_new(s, "id", json_string(id));
        bad |= json_object_set_new(s, "created", json_string(now));
        bad |= json_object_set_new(s, "modified", json_string(now));
        bad |= json_object_set_new(s, "sighting_of_ref", json_string(idx_indicator_id(x, a->indicator)));
        bad |= json_object_set_new(s, "count", json_integer(a->count > 999999999 ? 999999999 : (json_int_t)a->count));
        bad |= json_object_set_new(s, "first_seen", json_string(first));
        bad |= json_object_set_new(s, "last_seen", json_string(last));
        bad |= json_object_set_new(ev, "files", json_integer((json_int_t)a->files));
        bad |= json_object_set_new(ev, "first", fw);
        bad |= json_object_set_new(ev, "last", lw);
        fw = lw = NULL;
        bad |= json_object_set_new(s, "x_vigil_evidence", ev);
        ev = NULL;
    }
    json_decref(fw);
    json_decref(lw);
    json_decref(ev);
    if (bad) {
        json_decref(s);
        return vg_error_set(err, VG_E_NOMEM, "out of memory building a sighting");
    }
    *out = s;
    return 0;
}

int scan_record(store *st, const idx *x, const scan_summary *sum, char ***ids, size_t *nids, vg_error *err)
{
    if (ids) {
        *ids = NULL;
        *nids = 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < sum->naggs; i++)
        n += sum->aggs[i].count > 0;
    if (n == 0)
        return 0;
    char **out = ids ? vg_calloc(n, sizeof *out) : NULL;
    if (ids && !out)
        return vg_error_set(err, VG_E_NOMEM, "out of memory recording sightings");
    int rc = store_begin(st, err);
    size_t k = 0;
    for (size_t i = 0; i < sum->naggs && !rc; i++) {
        const scan_agg *a = &sum->aggs[i];
        if (!a->count)
            continue;
        json_t *s = NULL;
        rc = scan_sighting_json(x, sum, a, &s, err);
        if (rc)
            break;
        char *text = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
        stix_meta m;
        if (!text) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory recording sightings");
        } else if ((rc = stix_meta_get(s, &m, err)) == 0) {
            int has_version = 0;
            vg_time ver = stix_meta_version(&m, &has_version);
            store_object so = {.id = m.id, .type = m.type, .spec_version = m.spec_version, .has_version = has_version,
                               .version = ver, .has_created = m.has_created, .created = m.created, .revoked = 0,
                               .json = text, .json_len = strlen(text)};
            int inserted = 0;
            rc = store_put(st, NULL, &so, &inserted, err);
            if (!rc && out) {
                out[k] = vg_strdup(m.id);
                if (!out[k])
                    rc = vg_error_set(err, VG_E_NOMEM, "out of memory recording sightings");
                else
                    k++;
            }
        }
        vg_free(text);
        json_decref(s);
    }
    if (!rc)
        rc = store_commit(st, err);
    if (rc) {
        store_rollback(st);
        for (size_t i = 0; i < k; i++)
            vg_free(out[i]);
        vg_free(out);
        return rc;
    }
    if (ids) {
        *ids = out;
        *nids = k;
    }
    return 0;
}
