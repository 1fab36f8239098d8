/*
 * inc_correlate.c - rolls sightings up into incidents.
 *
 * A sighting says: indicator X (sighting_of_ref) was seen at organisation O
 * (where_sighted_refs[0], an identity) at time T (first_seen, else created).
 * The indicator `indicates` a malware family or a campaign (relationships in
 * the store). Sightings with the same (organisation, family-or-campaign) whose
 * times fall within `window` days of an open incident's last activity join
 * that incident; otherwise they open a new one. The incident's severity is
 * the rules' score of the sectors of O, the malware's types and the
 * indicators' confidence, and it only ever rises. An incident remembers its
 * grouping in the extension property `correlation_key`; a sighting joined to
 * an incident is linked to it (related-to) and never counted twice.
 */
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/inc_dict.h"
#include "incident/incident_int.h"

typedef struct sight {
    char *id;        /* sighting id */
    char *indicator; /* sighting_of_ref */
    char *org;       /* where_sighted_refs[0] or "" */
    vg_time t;       /* first_seen, else created */
} sight;

typedef struct corr {
    store *s;
    const inc_rules *r;
    const inc_alerts *alerts; /* queue alerts for incidents opened or raised (NULL: none) */
    inc_dict objs;     /* id -> json_t* of indicators, malware, campaigns, identities */
    inc_dict indicates; /* indicator id -> json_t* array of target ids */
    inc_dict linked;   /* sighting ids already joined to an incident */
    inc_dict open;     /* correlation key -> json_t* incident (latest, possibly changed) */
    inc_dict dirty;    /* incident ids changed in this run -> (void*)1 new, (void*)2 updated */
    json_t *touched;   /* the incidents changed in this run, in order (an array) */
    sight *v;
    size_t n, cap;
} corr;

static void decref(void *p)
{
    json_decref(p);
}

static int keep(json_t *o, void *ctx)
{
    corr *c = ctx;
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!type || !id)
        return 0;
    if (strcmp(type, "relationship") == 0) {
        const char *rt = json_string_value(json_object_get(o, "relationship_type"));
        const char *src = json_string_value(json_object_get(o, "source_ref"));
        const char *tgt = json_string_value(json_object_get(o, "target_ref"));
        if (!rt || !src || !tgt)
            return 0;
        if (strcmp(rt, "indicates") == 0 && strncmp(src, "indicator--", 11) == 0) {
            inc_dict_slot *e = inc_dict_put(&c->indicates, src, NULL);
            if (!e || (!e->value && !(e->value = json_array())))
                return -1;
            return json_array_append_new(e->value, json_string(tgt)) ? -1 : 0;
        }
        if (strncmp(src, "incident--", 10) == 0 && strncmp(tgt, "sighting--", 10) == 0)
            return inc_dict_put(&c->linked, tgt, NULL) ? 0 : -1;
        return 0;
    }
    if (strcmp(type, "sighting") == 0) {
        const char *ind = json_string_value(json_object_get(o, "sighting_of_ref"));
        const char *org = json_string_value(json_array_get(json_object_get(o, "where_sighted_refs"), 0));
        const char *t = json_string_value(json_object_get(o, "first_seen"));
        if (!t)
            t = json_string_value(json_object_get(o, "created"));
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 256;
            sight *v = vg_realloc(c->v, cap * sizeof *v);
            if (!v)
                return -1;
            c->v = v;
            c->cap = cap;
        }
        sight *x = &c->v[c->n];
        memset(x, 0, sizeof *x);
        if (t)
            vg_time_parse(t, strlen(t), VG_TIME_STIX, &x->t, NULL);
        x->id = vg_strdup(id);
        x->indicator = vg_strdup(ind ? ind : "");
        x->org = vg_strdup(org ? org : "");
        if (!x->id || !x->indicator || !x->org) {
            vg_free(x->id);
            vg_free(x->indicator);
            vg_free(x->org);
            return -1;
        }
        c->n++;
        return 0;
    }
    if (strcmp(type, "incident") == 0) {
        const char *key = json_string_value(json_object_get(inc_ext(o), "correlation_key"));
        const char *status = json_string_value(json_object_get(inc_ext(o), "status"));
        if (!key || (status && strcmp(status, "closed") == 0))
            return 0;
        inc_dict_slot *e = inc_dict_put(&c->open, key, NULL);
        if (!e)
            return -1;
        json_decref(e->value);
        e->value = json_incref(o);
        return 0;
    }
    inc_dict_slot *e = inc_dict_put(&c->objs, id, NULL);
    if (!e)
        return -1;
    json_decref(e->value);
    e->value = json_incref(o);
    return 0;
}

static int scan(corr *c, vg_error *err)
{
    static const char *const types[] = {"relationship", "sighting", "incident", "indicator",
                                        "malware",      "campaign", "identity"};
    store_query q = {0};
    q.types = types;
    q.ntypes = sizeof types / sizeof types[0];
    store_iter *it = NULL;
    int rc = store_query_open(c->s, &q, &it, err);
    store_row row;
    while (!rc && (rc = store_iter_next(it, &row, err)) == 1) {
        json_t *o = json_loadb(row.json, row.json_len, 0, NULL);
        rc = o ? keep(o, c) : 0;
        json_decref(o);
        if (rc)
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
    }
    store_iter_free(it);
    return rc < 0 ? rc : 0;
}

static json_t *obj(corr *c, const char *id)
{
    inc_dict_slot *e = id && *id ? inc_dict_get(&c->objs, id) : NULL;
    return e ? e->value : NULL;
}

static int cmp_sight(const void *a, const void *b)
{
    const sight *x = a, *y = b;
    int k = vg_time_cmp(&x->t, &y->t);
    return k ? k : strcmp(x->id, y->id);
}

static int list_add(json_t *ext, const char *prop, const char *v)
{
    json_t *a = json_object_get(ext, prop);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (strcmp(json_string_value(x), v) == 0) return 0;
    return json_array_append_new(a, json_string(v));
}

/* Joins sighting x (grouped under `family`) into incident o; updates dates, lists and severity. */
static int join(corr *c, json_t *o, const sight *x, json_t *family, json_t *indicator, vg_error *err)
{
    json_t *ext = inc_ext(o);
    char t[VG_TIME_MAX];
    vg_time_format(&x->t, t);
    const char *f = json_string_value(json_object_get(ext, "first_activity"));
    const char *l = json_string_value(json_object_get(ext, "last_activity"));
    vg_time ft, lt;
    if (!f || vg_time_parse(f, strlen(f), VG_TIME_STIX, &ft, NULL) || vg_time_cmp(&x->t, &ft) < 0)
        json_object_set_new(ext, "first_activity", json_string(t));
    if (!l || vg_time_parse(l, strlen(l), VG_TIME_STIX, &lt, NULL) || vg_time_cmp(&x->t, &lt) > 0)
        json_object_set_new(ext, "last_activity", json_string(t));
    const char *mtypes[16];
    size_t nm = 0;
    json_t *types = json_object_get(family, "malware_types");
    size_t i;
    json_t *v;
    json_array_foreach(types, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || nm == 16)
            continue;
        mtypes[nm++] = s;
        if (strcmp(s, "ransomware") == 0)
            list_add(ext, "categories", "ransomware");
        else if (strcmp(s, "spyware") == 0)
            list_add(ext, "categories", "commercial-spyware");
        else if (strcmp(s, "wiper") == 0)
            list_add(ext, "categories", "disruption");
    }
    json_t *org = obj(c, x->org);
    json_array_foreach(json_object_get(org, "sectors"), i, v)
    {
        int k = json_is_string(v) ? inc__sector_from_stix(json_string_value(v)) : -1;
        if (k >= 0)
            list_add(ext, "sectors", inc_sectors[k].name);
    }
    uint64_t sectors = 0;
    uint32_t cats = 0;
    json_array_foreach(json_object_get(ext, "sectors"), i, v)
    {
        int k = inc_sector_index(json_string_value(v));
        if (k >= 0)
            sectors |= 1ull << k;
    }
    json_array_foreach(json_object_get(ext, "categories"), i, v)
    {
        int k = inc_category_index(json_string_value(v));
        if (k >= 0)
            cats |= 1u << k;
    }
    json_t *conf = json_object_get(indicator, "confidence");
    inc_score_in in = {.sectors = sectors, .malware_types = mtypes, .nmalware_types = nm, .categories = cats,
                       .confidence = json_is_integer(conf) ? (int)json_integer_value(conf) : -1};
    int sev = inc_score(c->r, &in);
    json_t *old = json_object_get(ext, "severity");
    if (!json_is_integer(old) || json_integer_value(old) < sev)
        json_object_set_new(ext, "severity", json_integer(sev));
    const char *iid = json_string_value(json_object_get(o, "id"));
    int rc = inc_link(c->s, iid, "related-to", x->id, NULL, 0, err);
    if (!rc && family)
        rc = inc_link(c->s, iid, inc_link_type(json_string_value(json_object_get(family, "type"))),
                      json_string_value(json_object_get(family, "id")), NULL, 0, err);
    if (!rc && org)
        rc = inc_link(c->s, iid, "targets", x->org, NULL, 0, err);
    if (!rc && x->indicator[0])
        rc = inc_link(c->s, iid, "related-to", x->indicator, NULL, 0, err);
    return rc;
}

static int run(corr *c, inc_correlate_stats *st, vg_error *err)
{
    int by_malware, by_campaign;
    int window = inc__rules_window(c->r, &by_malware, &by_campaign);
    if (c->n > 1) /* qsort of NULL, 0 is undefined */
        qsort(c->v, c->n, sizeof *c->v, cmp_sight);
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++) {
        sight *x = &c->v[i];
        st->sightings++;
        json_t *ind = obj(c, x->indicator);
        if (inc_dict_get(&c->linked, x->id) || !ind) {
            st->skipped++;
            continue;
        }
        /* the family: the first malware (or campaign) the indicator indicates */
        json_t *family = NULL;
        inc_dict_slot *e = inc_dict_get(&c->indicates, x->indicator);
        size_t k;
        json_t *t;
        for (int pass = 0; pass < 2 && !family; pass++)
            json_array_foreach(e ? e->value : NULL, k, t)
            {
                const char *tid = json_string_value(t);
                if ((pass == 0 && by_malware && strncmp(tid, "malware--", 9) == 0) ||
                    (pass == 1 && by_campaign && strncmp(tid, "campaign--", 10) == 0)) {
                    if ((family = obj(c, tid)))
                        break;
                }
            }
        const char *fid = family ? json_string_value(json_object_get(family, "id")) : x->indicator;
        char key[512];
        snprintf(key, sizeof key, "%s|%s", x->org, fid);
        inc_dict_slot *os = inc_dict_get(&c->open, key);
        json_t *inc = os ? os->value : NULL;
        if (inc) {
            const char *l = json_string_value(json_object_get(inc_ext(inc), "last_activity"));
            vg_time lt;
            if (l && !vg_time_parse(l, strlen(l), VG_TIME_STIX, &lt, NULL) &&
                vg_time_diff_ns(&lt, &x->t) > (int64_t)window * 86400 * 1000000000ll)
                inc = NULL; /* outside the window: a new incident */
        }
        int opened = 0;
        if (!inc) {
            const char *fname = family ? json_string_value(json_object_get(family, "name")) : NULL;
            json_t *org = obj(c, x->org);
            const char *oname = org ? json_string_value(json_object_get(org, "name")) : NULL;
            char name[600];
            snprintf(name, sizeof name, "%s at %s", fname ? fname : "indicator hits", oname ? oname : "an unknown place");
            if ((rc = inc_new(NULL, name, &inc, err)))
                break;
            json_object_set_new(inc_ext(inc), "severity", json_integer(1));
            json_object_set_new(inc_ext(inc), "correlation_key", json_string(key));
            os = inc_dict_put(&c->open, key, NULL);
            if (!os) {
                json_decref(inc);
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
                break;
            }
            json_decref(os->value);
            os->value = inc;
            opened = 1;
        }
        int sev_before = (int)json_integer_value(json_object_get(inc_ext(inc), "severity"));
        rc = join(c, inc, x, family, ind, err);
        if (rc)
            break;
        st->linked++;
        int added;
        inc_dict_slot *d = inc_dict_put(&c->dirty, json_string_value(json_object_get(inc, "id")), &added);
        if (!d)
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
        else if (added) {
            /* low byte: 1 opened, 2 updated; above it the severity before this run (for alerts) */
            d->value = (void *)(uintptr_t)((opened ? 1 : 2) | ((uintptr_t)sev_before << 8));
            if (json_array_append(c->touched, inc))
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
        }
    }
    /* write each changed incident once */
    size_t i;
    json_t *inc;
    json_array_foreach(c->touched, i, inc)
    {
        if (rc)
            break;
        inc_dict_slot *d = inc_dict_get(&c->dirty, json_string_value(json_object_get(inc, "id")));
        uintptr_t how = (uintptr_t)d->value;
        if ((how & 0xff) == 2) {
            vg_time prev;
            const char *m = json_string_value(json_object_get(inc, "modified"));
            if (m && !vg_time_parse(m, strlen(m), VG_TIME_STIX, &prev, NULL))
                inc_touch(inc, &prev);
            st->updated++;
        } else {
            st->opened++;
        }
        rc = inc_put(c->s, inc, NULL, err);
        if (!rc)
            rc = inc_alert_check(c->s, c->alerts, (how & 0xff) == 2 ? (int)(how >> 8) : INC_ALERT_NEW, inc, NULL,
                                 err);
    }
    return rc;
}

int inc_correlate(store *s, const inc_rules *r, const inc_alerts *alerts, inc_correlate_stats *st, vg_error *err)
{
    corr c = {.s = s, .r = r, .alerts = alerts, .touched = json_array()};
    if (!c.touched)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    int rc = store_begin(s, err);
    if (rc) {
        json_decref(c.touched);
        return rc;
    }
    rc = inc_ensure_meta(s, err);
    if (!rc)
        rc = scan(&c, err);
    if (!rc)
        rc = run(&c, st, err);
    if (!rc)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    for (size_t i = 0; i < c.n; i++) {
        vg_free(c.v[i].id);
        vg_free(c.v[i].indicator);
        vg_free(c.v[i].org);
    }
    vg_free(c.v);
    inc_dict_free(&c.objs, decref);
    inc_dict_free(&c.indicates, decref);
    inc_dict_free(&c.linked, NULL);
    inc_dict_free(&c.open, decref);
    inc_dict_free(&c.dirty, NULL);
    json_decref(c.touched);
    return rc;
}
