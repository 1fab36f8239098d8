/*
 * brief_indicators.c - the briefing's indicator appendix, bounded by the
 * audience's TLP.
 *
 * The indicators are those the period's incidents are related to (the
 * sightings that raised them, as `vigil incident correlate` links them),
 * latest versions, not revoked; the ones seen in most incidents first. An
 * indicator is listed only when its TLP is at or below the audience's:
 * its marking (TLP 2.0 or 1.0, object or granular; several: the most
 * restrictive, as TAXII reads them), and when it has none, the default TLP
 * of the collection it is kept in (`vigil share`; green for a collection
 * without settings) - the level TAXII would serve it at. The others are
 * counted as withheld, never listed.
 */
#include <stdlib.h>
#include <string.h>

#include "brief/brief_int.h"
#include "core/vg_alloc.h"
#include "incident/inc_dict.h"
#include "taxii/taxii.h"

int brief_audience(const char *name)
{
    enum taxii_tlp t = taxii_tlp_parse(name);
    return t == TAXII_TLP_NONE ? 0 : (int)t;
}

/* One indicator of the appendix. */
typedef struct entry {
    const char *id;   /* key of the ids dict */
    long incidents;   /* incidents of the period related to it */
    int level;        /* its TLP (the most restrictive of its rows), 0 until a row is read */
    json_t *obj;      /* its latest version (of the first collection read), or NULL */
} entry;

typedef struct appendix {
    inc_dict ids;    /* indicator id -> entry* */
    inc_dict coll;   /* collection name -> (uintptr_t) its default TLP */
    store *s;
} appendix;

static int nomem(vg_error *err)
{
    return vg_error_set(err, VG_E_NOMEM, "out of memory");
}

/* The default TLP of a collection, read once. */
static int collection_level(appendix *a, const char *name, vg_error *err)
{
    inc_dict_slot *e = inc_dict_put(&a->coll, name, NULL);
    if (!e)
        return nomem(err);
    if (!e->value) {
        store_share sh;
        int t = TAXII_TLP_RED; /* fail closed when the setting cannot be read */
        if (store_share_get(a->s, name, &sh, NULL) == 0 && taxii_tlp_parse(sh.default_tlp) != TAXII_TLP_NONE)
            t = (int)taxii_tlp_parse(sh.default_tlp);
        e->value = (void *)(uintptr_t)t;
    }
    return (int)(uintptr_t)e->value;
}

/* Reads the indicators by id, a batch at a time, and notes each one's level. */
static int read_indicators(appendix *a, vg_error *err)
{
    static const char *const types[] = {"indicator"};
    enum { BATCH = 256 };
    const char *ids[BATCH];
    int rc = 0;
    for (size_t i = 0; i < a->ids.cap && !rc;) {
        size_t n = 0;
        for (; i < a->ids.cap && n < BATCH; i++)
            if (a->ids.slot[i].key)
                ids[n++] = a->ids.slot[i].key;
        if (!n)
            break;
        store_query q = {.ids = ids, .nids = n, .types = types, .ntypes = 1};
        store_iter *it = NULL;
        store_row row;
        rc = store_query_open(a->s, &q, &it, err);
        while (!rc && (rc = store_iter_next(it, &row, err)) == 1) {
            rc = 0;
            entry *e = inc_dict_get(&a->ids, row.id)->value;
            json_t *o = json_loadb(row.json, row.json_len, 0, NULL);
            if (!o)
                continue;
            int level = (int)taxii_tlp_of(o);
            if (level == TAXII_TLP_NONE && (level = collection_level(a, row.collection, err)) < 0)
                rc = level;
            if (json_is_true(json_object_get(o, "revoked")))
                level = TAXII_TLP_RED + 1; /* never listed */
            if (!rc && level > e->level)
                e->level = level;
            if (!e->obj)
                e->obj = o;
            else
                json_decref(o);
        }
        store_iter_free(it);
        if (rc > 0)
            rc = 0;
    }
    return rc;
}

static int cmp_entry(const void *x, const void *y)
{
    const entry *a = *(const entry *const *)x, *b = *(const entry *const *)y;
    if (a->incidents != b->incidents)
        return a->incidents < b->incidents ? 1 : -1;
    return strcmp(a->id, b->id);
}

/* The model's "indicators": {audience, total, withheld, listed [{id, name, pattern, tlp, incidents}]}. */
static json_t *appendix_json(appendix *a, const brief_opts *o, int audience)
{
    entry **v = vg_malloc((a->ids.n + 1) * sizeof *v);
    json_t *list = json_array();
    if (!v || !list) {
        vg_free(v);
        json_decref(list);
        return NULL;
    }
    size_t n = 0, withheld = 0;
    for (size_t i = 0; i < a->ids.cap; i++) {
        entry *e = a->ids.slot[i].value;
        if (!e || !e->obj || e->level > TAXII_TLP_RED)
            continue; /* not in the store, not an indicator, or revoked */
        if (e->level > audience)
            withheld++;
        else
            v[n++] = e;
    }
    qsort(v, n, sizeof *v, cmp_entry);
    for (size_t i = 0; i < n && i < o->indicators; i++) {
        json_t *name = json_object_get(v[i]->obj, "name"), *pattern = json_object_get(v[i]->obj, "pattern");
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:I}", "id", v[i]->id, "name",
                                              json_is_string(name) ? json_string_value(name) : "", "pattern",
                                              json_is_string(pattern) ? json_string_value(pattern) : "", "tlp",
                                              taxii_tlp_name((enum taxii_tlp)v[i]->level), "incidents",
                                              (json_int_t)v[i]->incidents));
    }
    json_t *out = json_pack("{s:s,s:I,s:I,s:o}", "audience", taxii_tlp_name((enum taxii_tlp)audience), "total",
                            (json_int_t)n, "withheld", (json_int_t)withheld, "listed", list);
    vg_free(v);
    return out;
}

static void entry_free(void *p)
{
    entry *e = p;
    if (e)
        json_decref(e->obj);
    vg_free(e);
}

int brief__indicators(store *s, const brief_opts *o, const inc_list *cur, json_t *model, vg_error *err)
{
    int audience = o->audience >= TAXII_TLP_CLEAR && o->audience <= TAXII_TLP_RED ? o->audience : TAXII_TLP_RED;
    appendix a = {.s = s};
    int rc = 0;
    for (size_t i = 0; i < cur->n && !rc; i++)
        for (size_t k = 0; k < cur->v[i].nindicators && !rc; k++) {
            int added;
            inc_dict_slot *e = inc_dict_put(&a.ids, cur->v[i].indicator_ids[k], &added);
            if (e && added && !(e->value = vg_calloc(1, sizeof(entry))))
                e = NULL;
            if (!e) {
                rc = nomem(err);
                break;
            }
            entry *x = e->value;
            x->id = e->key;
            x->incidents++;
        }
    if (!rc)
        rc = read_indicators(&a, err);
    json_t *section = rc ? NULL : appendix_json(&a, o, audience);
    if (!rc && (!section || json_object_set_new(model, "indicators", section)))
        rc = nomem(err);
    inc_dict_free(&a.ids, entry_free);
    inc_dict_free(&a.coll, NULL);
    return rc;
}
