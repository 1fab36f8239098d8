/*
 * inc_import.c - imports incident history from CSV through a mapping file.
 *
 * Each data row becomes one incident whose id is derived from the mapping's
 * source name and the row's key (UUIDv5), so importing the same file again
 * stores nothing new and a corrected file stores new versions of the rows
 * that changed. Actors are reused when their name or one of their aliases
 * matches an intrusion set or threat actor already in the store (ATT&CK's, for
 * instance), and created otherwise; the incident is linked to them with
 * `attributed-to` relationships. A row that cannot be imported is rejected
 * with its row number and the reason, and the import goes on.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "incident/inc_dict.h"
#include "incident/inc_map.h"

#define INC_NS "5dbd316b-a923-4666-b9c3-79aeb42f6c75"

typedef struct importer {
    store *s;
    const inc_mapping *m;
    inc_dict actors; /* lower-cased name or alias -> actor id (vg_strdup'd) */
    inc_dict keys;   /* row keys seen in this file -> (uintptr_t) row number */
    inc_import_stats *st;
    char now[VG_TIME_MAX];
} importer;

/* What one row yields. */
typedef struct row {
    importer *im;
    const map_rule *r;   /* the rule being applied */
    const char *column;  /* the column being read */
    vg_error *err;
    json_t *lists[3];    /* categories, sectors, countries */
    json_t *actors;      /* [[name, alias...], ...] */
    json_t *refs;        /* URLs */
    char *scalar[P_COUNT]; /* name, description, first, last, status (owned) */
    int severity;        /* 0 when none */
    int got;             /* items the current rule produced */
} row;

static void lower(const char *s, char *out, size_t n)
{
    size_t i;
    for (i = 0; s[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static int collect_actor(json_t *o, importer *im)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *al = json_object_get(o, "aliases");
    if (!id || !name)
        return 0;
    char key[512];
    for (size_t i = 0; i <= json_array_size(al); i++) {
        const char *n = i ? json_string_value(json_array_get(al, i - 1)) : name;
        if (!n)
            continue;
        lower(n, key, sizeof key);
        int added;
        inc_dict_slot *e = inc_dict_put(&im->actors, key, &added);
        if (!e)
            return VG_E_NOMEM;
        if (added && !(e->value = vg_strdup(id)))
            return VG_E_NOMEM;
    }
    return 0;
}

static int load_actors(importer *im, vg_error *err)
{
    static const char *const types[] = {"intrusion-set", "threat-actor"};
    store_query q = {0};
    q.types = types;
    q.ntypes = 2;
    store_iter *it = NULL;
    int rc = store_query_open(im->s, &q, &it, err);
    store_row sr;
    while (!rc && (rc = store_iter_next(it, &sr, err)) == 1) {
        json_t *o = json_loadb(sr.json, sr.json_len, 0, NULL);
        rc = o ? collect_actor(o, im) : 0;
        json_decref(o);
        if (rc)
            vg_error_set(err, rc, "out of memory");
    }
    store_iter_free(it);
    return rc < 0 ? rc : 0;
}

/* Finds or creates the actor named by names[0] (aliases after it); writes its id. */
static int actor_id(importer *im, json_t *names, int threat_actor, char *out, size_t n, vg_error *err)
{
    char key[512];
    size_t i;
    json_t *x;
    json_array_foreach(names, i, x)
    {
        lower(json_string_value(x), key, sizeof key);
        inc_dict_slot *e = inc_dict_get(&im->actors, key);
        if (e) {
            snprintf(out, n, "%s", (const char *)e->value);
            return 0;
        }
    }
    const char *type = threat_actor ? "threat-actor" : "intrusion-set";
    const char *name = json_string_value(json_array_get(names, 0));
    char seed[600], u[VG_UUID_STR];
    lower(name, key, sizeof key);
    int k = snprintf(seed, sizeof seed, "%s:%s", type, key);
    int rc = vg_uuid_v5(INC_NS, seed, (size_t)k < sizeof seed ? (size_t)k : sizeof seed - 1, u, err);
    if (rc)
        return rc;
    snprintf(out, n, "%s--%s", type, u);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "spec_version", "2.1", "id", out,
                          "created_by_ref", INC_IDENTITY_ID, "created", im->now, "modified", im->now, "name", name);
    if (!o)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    if (json_array_size(names) > 1) {
        json_t *al = json_array();
        for (i = 1; i < json_array_size(names); i++)
            json_array_append(al, json_array_get(names, i));
        json_object_set_new(o, "aliases", al);
    }
    int ins = 0;
    rc = inc_put(im->s, o, &ins, err);
    if (!rc) {
        im->st->actors += (uint64_t)ins;
        rc = collect_actor(o, im);
        if (rc)
            vg_error_set(err, rc, "out of memory");
    }
    json_decref(o);
    return rc;
}

static int unknown(row *w, const char *v)
{
    if (!w->r->reject_unknown)
        return 0;
    vg_error_set(w->err, VG_E_INVALID, "column \"%s\": \"%.120s\" is not a known %s value", w->column, v,
                 inc__map_prop_name(w->r->prop));
    vg_error_hint(w->err, "add \"%.120s\" = VALUE (or = -) to [%s] in the mapping", v, inc__map_prop_name(w->r->prop));
    return VG_E_INVALID;
}

static int add_string(json_t *a, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (strcmp(json_string_value(x), s) == 0) return 0;
    return json_array_append_new(a, json_string(s)) ? VG_E_NOMEM : 0;
}

/* One resolved value for the rule's property. */
static int take(row *w, const char *v)
{
    const map_rule *r = w->r;
    int k;
    const char *cc;
    switch (r->prop) {
    case P_CATEGORIES:
        if ((k = inc_category_index(v)) < 0)
            return unknown(w, v);
        w->got++;
        return add_string(w->lists[0], v);
    case P_SECTORS:
        if ((k = inc_sector_index(v)) < 0 && (k = inc_sector_from_misp(v)) < 0)
            return unknown(w, v);
        w->got++;
        return add_string(w->lists[1], inc_sectors[k].name);
    case P_COUNTRIES:
        if (!(cc = inc_country_code(v)))
            return unknown(w, v);
        w->got++;
        return add_string(w->lists[2], cc);
    case P_SEVERITY:
        if (inc_severity_parse(v, &k, NULL))
            return unknown(w, v);
        if (k > w->severity)
            w->severity = k;
        w->got++;
        return 0;
    case P_STATUS:
        if (inc_status_index(v) < 0)
            return unknown(w, v);
        break;
    case P_ACTORS: {
        if (inc__map_skipped(r, v))
            return 0;
        json_t *names = json_array();
        const char *s = v;
        while (names) {
            const char *e = r->aliases ? strchr(s, r->aliases) : NULL;
            size_t n = e ? (size_t)(e - s) : strlen(s);
            char one[512];
            inc__map_clean(r, s, n, one, sizeof one);
            if (one[0] && add_string(names, one))
                break;
            if (!e)
                break;
            s = e + 1;
        }
        if (!names || (json_array_size(names) && json_array_append_new(w->actors, names))) {
            json_decref(names);
            return VG_E_NOMEM;
        }
        if (!json_array_size(names)) {
            json_decref(names);
            return 0;
        }
        w->got++;
        return 0;
    }
    case P_REFS:
        w->got++;
        return add_string(w->refs, v);
    case P_FIRST:
    case P_LAST: {
        char t[VG_TIME_MAX];
        if (inc__map_date(r, v, t)) {
            vg_error_set(w->err, VG_E_INVALID, "column \"%s\": \"%.80s\" is not a date of the form %s", w->column, v,
                         r->datefmt == DATE_MDY ? "M/D/YYYY" : r->datefmt == DATE_DMY ? "D/M/YYYY"
                         : r->datefmt == DATE_YMD ? "YYYY-MM-DD" : "RFC 3339");
            return VG_E_INVALID;
        }
        v = t;
        if (w->scalar[r->prop])
            return 0;
        w->got++;
        return (w->scalar[r->prop] = vg_strdup(v)) ? 0 : VG_E_NOMEM;
    }
    default: break;
    }
    if (w->scalar[r->prop])
        return 0; /* the first value wins */
    w->got++;
    return (w->scalar[r->prop] = vg_strdup(v)) ? 0 : VG_E_NOMEM;
}

static int on_item(const char *s, size_t n, void *ctx)
{
    row *w = ctx;
    char item[4096];
    inc__map_clean(w->r, s, n, item, sizeof item);
    if (!item[0])
        return 0;
    const char *to = inc__map_lookup(w->r, item);
    if (!to)
        return take(w, item);
    if (strcmp(to, "-") == 0)
        return 0;
    if (w->r->prop == P_NAME || w->r->prop == P_DESCRIPTION || w->r->prop == P_ACTORS)
        return take(w, to);
    /* "a, b": several values */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", to);
    char *p = buf;
    while (p) {
        char *e = strchr(p, ',');
        if (e)
            *e = '\0';
        while (*p == ' ')
            p++;
        size_t k = strlen(p);
        while (k && p[k - 1] == ' ')
            p[--k] = '\0';
        int rc = k ? take(w, p) : 0;
        if (rc)
            return rc;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static uint32_t mask_of(json_t *a, int cat)
{
    uint64_t m = 0;
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        int k = cat ? inc_category_index(json_string_value(x)) : inc_sector_index(json_string_value(x));
        if (k >= 0)
            m |= 1ull << k;
    }
    return (uint32_t)m;
}

/* Builds the incident for one row into *out, or rejects it (VG_E_INVALID with err). */
static int build(importer *im, const inc_csv_record *rec, row *w, json_t **out, vg_error *err)
{
    const inc_mapping *m = im->m;
    char key[1024];
    size_t kn = 0;
    for (size_t k = 0; k < m->nkeys; k++) {
        const char *v = rec->field[m->keyidx[k]];
        while (isspace((unsigned char)*v))
            v++;
        int n = snprintf(key + kn, sizeof key - kn, "%s%s", k ? "\n" : "", v);
        kn = n < 0 || (size_t)n >= sizeof key - kn ? sizeof key - 1 : kn + (size_t)n;
    }
    if (!key[0] || (m->nkeys == 1 && !rec->field[m->keyidx[0]][0]))
        return vg_error_set(err, VG_E_INVALID, "the key column \"%s\" is empty", m->key);
    int added;
    inc_dict_slot *seen = inc_dict_put(&im->keys, key, &added);
    if (!seen)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    if (!added)
        return vg_error_set(err, VG_E_INVALID, "the same key (%s) as row %zu: a duplicate", m->key,
                            (size_t)(uintptr_t)seen->value);
    seen->value = (void *)(uintptr_t)im->st->rows;
    for (size_t i = 0; i < m->nrules; i++) {
        const map_rule *r = &m->rules[i];
        w->r = r;
        w->got = 0;
        for (size_t c = 0; c < r->ncolumns; c++) {
            w->column = r->columns[c];
            int rc = inc__map_items(r, rec->field[r->colidx[c]], on_item, w);
            if (rc == -1)
                return vg_error_set(err, VG_E_INVALID, "column \"%s\": malformed list literal", r->columns[c]);
            if (rc)
                return rc == VG_E_NOMEM ? vg_error_set(err, rc, "out of memory") : rc;
        }
        if (!w->got && r->deflt && strcmp(r->deflt, "auto") != 0) {
            w->column = "(default)";
            int rc = on_item(r->deflt, strlen(r->deflt), w);
            if (rc)
                return rc;
        }
        if (r->required && !w->got && !(r->deflt))
            return vg_error_set(err, VG_E_INVALID, "no value for %s in column%s %s%s", inc__map_prop_name(r->prop),
                                r->ncolumns > 1 ? "s" : "", r->columns[0], r->ncolumns > 1 ? " and the others" : "");
    }
    if (!w->severity) {
        inc_score_in in = {.sectors = mask_of(w->lists[1], 0), .categories = mask_of(w->lists[0], 1),
                           .confidence = -1};
        w->severity = inc__score_default(&in);
    }
    char seed[1200], u[VG_UUID_STR], id[64];
    int k;
    k = snprintf(seed, sizeof seed, "%s\n%s", m->source, key);
    int rc = vg_uuid_v5(INC_NS, seed, (size_t)k < sizeof seed ? (size_t)k : sizeof seed - 1, u, err);
    if (rc)
        return rc;
    snprintf(id, sizeof id, "incident--%s", u);
    char name[600];
    if (w->scalar[P_NAME])
        snprintf(name, sizeof name, "%s", w->scalar[P_NAME]);
    else
        snprintf(name, sizeof name, "%.200s %.300s", m->source, key);
    json_t *o;
    if ((rc = inc_new(id, name, &o, err)))
        return rc;
    json_object_set_new(o, "created", json_string(im->now));
    json_object_set_new(o, "modified", json_string(im->now));
    if (w->scalar[P_DESCRIPTION])
        json_object_set_new(o, "description", json_string(w->scalar[P_DESCRIPTION]));
    json_t *ext = inc_ext(o);
    json_object_set_new(ext, "severity", json_integer(w->severity));
    json_object_set_new(ext, "status", json_string(w->scalar[P_STATUS] ? w->scalar[P_STATUS] : "closed"));
    json_object_set(ext, "categories", w->lists[0]);
    json_object_set(ext, "sectors", w->lists[1]);
    json_object_set(ext, "countries", w->lists[2]);
    if (w->scalar[P_FIRST])
        json_object_set_new(ext, "first_activity", json_string(w->scalar[P_FIRST]));
    if (w->scalar[P_LAST] && (!w->scalar[P_FIRST] || strcmp(w->scalar[P_LAST], w->scalar[P_FIRST]) >= 0))
        json_object_set_new(ext, "last_activity", json_string(w->scalar[P_LAST]));
    json_t *refs = json_pack("[{s:s,s:s}]", "source_name", m->source, "external_id", key);
    size_t i;
    json_t *x;
    json_array_foreach(w->refs, i, x) json_array_append_new(refs, json_pack("{s:s,s:O}", "source_name", m->source,
                                                                            "url", x));
    json_object_set_new(o, "external_references", refs);
    stix_issues is = {0};
    rc = inc_validate(o, &is);
    if (!rc && is.errors)
        for (i = 0; i < is.n; i++)
            if (is.v[i].severity == STIX_ISSUE_ERROR) {
                rc = vg_error_set(err, VG_E_INVALID, "the incident would be invalid: %s: %s", is.v[i].path,
                                  is.v[i].msg);
                break;
            }
    stix_issues_free(&is);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* Stores o unless the store has the same content; keeps created of an earlier version. */
static int store_incident(importer *im, json_t *o, vg_error *err)
{
    json_t *old = NULL;
    const char *id = json_string_value(json_object_get(o, "id"));
    int rc = inc_get(im->s, id, &old, err);
    if (rc == VG_E_NOTFOUND) {
        vg_error_clear(err);
        rc = inc_put(im->s, o, NULL, err);
        if (!rc)
            im->st->imported++;
        return rc;
    }
    if (rc)
        return rc;
    json_t *a = json_deep_copy(old), *b = json_deep_copy(o);
    const char *drop[] = {"created", "modified"};
    for (int i = 0; a && b && i < 2; i++) {
        json_object_del(a, drop[i]);
        json_object_del(b, drop[i]);
    }
    int same = a && b && json_equal(a, b);
    json_decref(a);
    json_decref(b);
    if (same) {
        im->st->unchanged++;
    } else {
        vg_time prev;
        const char *pm = json_string_value(json_object_get(old, "modified"));
        json_object_set(o, "created", json_object_get(old, "created"));
        if (pm && vg_time_parse(pm, strlen(pm), VG_TIME_STIX, &prev, NULL) == 0)
            inc_touch(o, &prev);
        rc = inc_put(im->s, o, NULL, err);
        if (!rc)
            im->st->imported++;
    }
    json_decref(old);
    return rc;
}

static void row_free(row *w)
{
    for (int i = 0; i < 3; i++)
        json_decref(w->lists[i]);
    json_decref(w->actors);
    json_decref(w->refs);
    for (int i = 0; i < P_COUNT; i++)
        vg_free(w->scalar[i]);
}

static void free_value(void *p)
{
    vg_free(p);
}

int inc_import_csv(store *s, const inc_mapping *cm, const char *csv_path,
                   void (*on_reject)(const inc_reject *r, void *ctx), void *ctx, inc_import_stats *st,
                   vg_error *err)
{
    inc_mapping *m = (inc_mapping *)cm; /* binding fills column indexes only */
    importer im = {.s = s, .m = m, .st = st};
    vg_time now = vg_time_now(3);
    vg_time_format(&now, im.now);
    inc_csv *r = NULL;
    inc_csv_record rec;
    int rc = inc_csv_open(csv_path, NULL, &r, err);
    if (rc)
        return rc;
    rc = inc_csv_next(r, &rec, err);
    if (rc == 0)
        rc = vg_error_set(err, VG_E_INVALID, "the CSV is empty: expected a header row");
    if (rc == 1)
        rc = inc__map_bind(m, &rec, err);
    size_t ncols = rc == 0 ? rec.n : 0;
    if (!rc)
        rc = store_begin(s, err);
    int in_txn = !rc;
    if (!rc)
        rc = inc_ensure_meta(s, err);
    if (!rc)
        rc = load_actors(&im, err);
    while (!rc) {
        vg_error rerr = {0};
        int k = inc_csv_next(r, &rec, &rerr);
        if (k == 0)
            break;
        if (k == VG_E_IO || k == VG_E_NOMEM) {
            *err = rerr;
            rc = k;
            break;
        }
        st->rows++;
        inc_reject rj = {.row = st->rows, .line = k == 1 ? rec.line : 0, .why = &rerr};
        json_t *o = NULL;
        row w = {.im = &im, .err = &rerr};
        if (k == 1) {
            w.lists[0] = json_array();
            w.lists[1] = json_array();
            w.lists[2] = json_array();
            w.actors = json_array();
            w.refs = json_array();
            if (rec.n != ncols)
                k = vg_error_set(&rerr, VG_E_INVALID, "the row has %zu fields, the header %zu", rec.n, ncols);
            else
                k = build(&im, &rec, &w, &o, &rerr);
        }
        if (!k && (k = store_incident(&im, o, &rerr)) == 0) {
            const char *iid = json_string_value(json_object_get(o, "id"));
            size_t i;
            json_t *names;
            int threat = 0;
            for (size_t q = 0; q < m->nrules; q++)
                if (m->rules[q].prop == P_ACTORS)
                    threat = m->rules[q].threat_actor;
            json_array_foreach(w.actors, i, names)
            {
                char aid[128];
                if ((k = actor_id(&im, names, threat, aid, sizeof aid, &rerr)) ||
                    (k = inc_link(s, iid, "attributed-to", aid, NULL, 0, &rerr)))
                    break;
                st->links++;
            }
            if (k) { /* a store failure after the incident was written: stop */
                *err = rerr;
                rc = k;
            }
        } else if (k == VG_E_NOMEM || k == VG_E_STORE || k == VG_E_IO) {
            *err = rerr;
            rc = k;
        } else if (k) {
            st->rejected++;
            if (on_reject)
                on_reject(&rj, ctx);
        }
        json_decref(o);
        row_free(&w);
    }
    if (!rc)
        rc = store_commit(s, err);
    else if (in_txn)
        store_rollback(s);
    inc_csv_free(r);
    inc_dict_free(&im.actors, free_value);
    inc_dict_free(&im.keys, NULL);
    return rc;
}
