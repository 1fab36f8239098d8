/*
 * inc_load.c - loads incidents from the store, flattened into inc_record
 * (severity, status, category and sector masks, countries, date) with their
 * relationships resolved to names: the actors they are attributed to, the
 * malware they used, the victims they targeted. Lists and briefings read
 * this; filters are applied here.
 *
 * Cost: one pass over the latest relationships, one over the named objects
 * that incidents point to, one over the incidents.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "incident/inc_dict.h"
#include "incident/incident.h"

/* A named object an incident links to. */
typedef struct target {
    char *type;    /* its STIX type */
    char *name;    /* its name ("" if none) */
    json_t *aliases; /* its aliases (array), or NULL */
} target;

/* One link of an incident. */
typedef struct link {
    char *incident; /* source incident id */
    char *rtype;    /* relationship type */
    char *target;   /* target id */
} link;

typedef struct loader {
    store *s;
    link *links;      /* links whose source is an incident */
    size_t nlinks, caplinks;
    inc_dict by_incident; /* incident id -> (size_t)first link index + 1 (links sorted by incident) */
    inc_dict targets;     /* target id -> target* */
} loader;

void inc_filter_init(inc_filter *f)
{
    memset(f, 0, sizeof *f);
    f->status = -1;
    f->sector = -1;
    f->category = -1;
}

static void target_free(void *p)
{
    target *t = p;
    if (!t)
        return;
    vg_free(t->type);
    vg_free(t->name);
    json_decref(t->aliases);
    vg_free(t);
}

static int nomem(vg_error *err)
{
    return vg_error_set(err, VG_E_NOMEM, "out of memory");
}

/*
 * Runs fn over the latest version of every object of the given types; with
 * a needle, only over those whose JSON text contains it (rows without it are
 * not parsed: most relationships in a store are not an incident's).
 */
static int each(store *s, const char *const *types, size_t ntypes, const char *needle,
                int (*fn)(json_t *o, void *ctx), void *ctx, vg_error *err)
{
    store_query q = {0};
    q.types = types;
    q.ntypes = ntypes;
    store_iter *it = NULL;
    int rc = store_query_open(s, &q, &it, err);
    store_row row;
    size_t nlen = needle ? strlen(needle) : 0;
    while (!rc && (rc = store_iter_next(it, &row, err)) == 1) {
        if (needle && !memmem(row.json, row.json_len, needle, nlen)) {
            rc = 0;
            continue;
        }
        json_t *o = json_loadb(row.json, row.json_len, 0, NULL);
        if (!o) {
            rc = 0;
            continue; /* the store holds only JSON; a bad row is not ours to fail on */
        }
        rc = fn(o, ctx);
        json_decref(o);
        if (rc)
            rc = nomem(err);
    }
    store_iter_free(it);
    return rc < 0 ? rc : 0;
}

static int on_relationship(json_t *o, void *ctx)
{
    loader *l = ctx;
    const char *src = json_string_value(json_object_get(o, "source_ref"));
    const char *tgt = json_string_value(json_object_get(o, "target_ref"));
    const char *rt = json_string_value(json_object_get(o, "relationship_type"));
    if (!src || !tgt || !rt || strncmp(src, "incident--", 10) != 0)
        return 0;
    if (l->nlinks == l->caplinks) {
        size_t cap = l->caplinks ? l->caplinks * 2 : 256;
        link *v = vg_realloc(l->links, cap * sizeof *v);
        if (!v)
            return -1;
        l->links = v;
        l->caplinks = cap;
    }
    link *k = &l->links[l->nlinks];
    k->incident = vg_strdup(src);
    k->rtype = vg_strdup(rt);
    k->target = vg_strdup(tgt);
    if (!k->incident || !k->rtype || !k->target) {
        vg_free(k->incident);
        vg_free(k->rtype);
        vg_free(k->target);
        return -1;
    }
    l->nlinks++;
    int added;
    inc_dict_slot *e = inc_dict_put(&l->targets, tgt, &added);
    return e ? 0 : -1;
}

static int on_target(json_t *o, void *ctx)
{
    loader *l = ctx;
    const char *id = json_string_value(json_object_get(o, "id"));
    inc_dict_slot *e = id ? inc_dict_get(&l->targets, id) : NULL;
    if (!e || e->value)
        return 0;
    target *t = vg_calloc(1, sizeof *t);
    if (!t)
        return -1;
    const char *name = json_string_value(json_object_get(o, "name"));
    t->type = vg_strdup(json_string_value(json_object_get(o, "type")));
    t->name = vg_strdup(name ? name : "");
    json_t *al = json_object_get(o, "aliases");
    t->aliases = json_is_array(al) ? json_incref(al) : NULL;
    e->value = t;
    return t->type && t->name ? 0 : -1;
}

static int cmp_link(const void *a, const void *b)
{
    return strcmp(((const link *)a)->incident, ((const link *)b)->incident);
}

static int actor_matches(const target *t, const char *id, const char *want)
{
    if (strcmp(id, want) == 0 || strcasecmp(t->name, want) == 0)
        return 1;
    size_t i;
    json_t *a;
    json_array_foreach(t->aliases, i, a) if (json_is_string(a) && strcasecmp(json_string_value(a), want) == 0) return 1;
    return 0;
}

static int push(char ***v, size_t *n, const char *s)
{
    char **nv = vg_realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    *v = nv;
    if (!(nv[*n] = vg_strdup(s)))
        return -1;
    (*n)++;
    return 0;
}

static void record_free(inc_record *r)
{
    vg_free(r->id);
    vg_free(r->name);
    vg_free(r->countries);
    for (size_t i = 0; i < r->nactors; i++) {
        vg_free(r->actors[i]);
        vg_free(r->actor_ids[i]);
    }
    vg_free(r->actors);
    vg_free(r->actor_ids);
    for (size_t i = 0; i < r->nmalware; i++)
        vg_free(r->malware_ids[i]);
    vg_free(r->malware_ids);
    for (size_t i = 0; i < r->nvictims; i++)
        vg_free(r->victims[i]);
    vg_free(r->victims);
}

void inc_list_free(inc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        record_free(&l->v[i]);
    vg_free(l->v);
    memset(l, 0, sizeof *l);
}

/* Fills r's links from the loader; returns -1 on allocation failure. */
static int resolve_links(loader *l, inc_record *r)
{
    inc_dict_slot *e = inc_dict_get(&l->by_incident, r->id);
    if (!e)
        return 0;
    for (size_t i = (size_t)e->value - 1; i < l->nlinks && strcmp(l->links[i].incident, r->id) == 0; i++) {
        link *k = &l->links[i];
        inc_dict_slot *ts = inc_dict_get(&l->targets, k->target);
        target *t = ts ? ts->value : NULL;
        const char *ttype = t ? t->type : "";
        if (strcmp(k->rtype, "attributed-to") == 0 &&
            (strcmp(ttype, "intrusion-set") == 0 || strcmp(ttype, "threat-actor") == 0 ||
             strcmp(ttype, "campaign") == 0)) {
            char **ids = r->actor_ids;
            size_t n = r->nactors, n2 = r->nactors;
            int bad = push(&ids, &n, k->target);
            r->actor_ids = ids;
            if (bad)
                return -1;
            if (push(&r->actors, &n2, t->name[0] ? t->name : k->target)) {
                vg_free(ids[n - 1]);
                return -1;
            }
            r->nactors = n2;
        } else if (strcmp(k->rtype, "uses") == 0 && strncmp(k->target, "malware--", 9) == 0) {
            if (push(&r->malware_ids, &r->nmalware, k->target))
                return -1;
        } else if (strcmp(k->rtype, "targets") == 0 && t && strcmp(ttype, "identity") == 0) {
            if (push(&r->victims, &r->nvictims, t->name))
                return -1;
        }
    }
    return 0;
}

static int wanted_actor(loader *l, const inc_record *r, const char *want)
{
    for (size_t i = 0; i < r->nactors; i++) {
        inc_dict_slot *ts = inc_dict_get(&l->targets, r->actor_ids[i]);
        if (ts && ts->value && actor_matches(ts->value, r->actor_ids[i], want))
            return 1;
        if (strcmp(r->actor_ids[i], want) == 0)
            return 1;
    }
    return 0;
}

/* Flattens one incident into r (zeroed by the caller). 1: keep, 0: filtered out, -1: no memory. */
static int flatten(loader *l, json_t *o, const inc_filter *f, inc_record *r)
{
    json_t *ext = inc_ext(o);
    const char *s;
    r->status = -1;
    json_t *v = json_object_get(ext, "severity");
    r->severity = json_is_integer(v) ? (int)json_integer_value(v) : 0;
    if ((s = json_string_value(json_object_get(ext, "status"))))
        r->status = inc_status_index(s);
    size_t i;
    json_array_foreach(json_object_get(ext, "categories"), i, v)
    {
        int k = json_is_string(v) ? inc_category_index(json_string_value(v)) : -1;
        if (k >= 0)
            r->categories |= 1u << k;
    }
    json_array_foreach(json_object_get(ext, "sectors"), i, v)
    {
        int k = json_is_string(v) ? inc_sector_index(json_string_value(v)) : -1;
        if (k >= 0)
            r->sectors |= 1ull << k;
    }
    const char *d = json_string_value(json_object_get(ext, "first_activity"));
    if (!d)
        d = json_string_value(json_object_get(o, "created"));
    if (!d || vg_time_parse(d, strlen(d), VG_TIME_STIX, &r->date, NULL))
        memset(&r->date, 0, sizeof r->date);
    d = json_string_value(json_object_get(ext, "last_activity"));
    r->has_last = d && vg_time_parse(d, strlen(d), VG_TIME_STIX, &r->last, NULL) == 0;

    if (f->has_from && vg_time_cmp(&r->date, &f->from) < 0)
        return 0;
    if (f->has_to && vg_time_cmp(&r->date, &f->to) >= 0)
        return 0;
    if (f->min_severity && r->severity < f->min_severity)
        return 0;
    if (f->has_status && r->status != f->status)
        return 0;
    if (f->sector >= 0 && !(r->sectors & (1ull << f->sector)))
        return 0;
    if (f->category >= 0 && !(r->categories & (1u << f->category)))
        return 0;

    r->id = vg_strdup(json_string_value(json_object_get(o, "id")));
    s = json_string_value(json_object_get(o, "name"));
    r->name = vg_strdup(s ? s : "");
    json_t *cs = json_object_get(ext, "countries");
    r->countries = vg_malloc(json_array_size(cs) * 2 + 1);
    if (!r->id || !r->name || !r->countries)
        return -1;
    size_t n = 0;
    json_array_foreach(cs, i, v) if (json_is_string(v) && strlen(json_string_value(v)) == 2)
    {
        memcpy(r->countries + n, json_string_value(v), 2);
        n += 2;
    }
    r->countries[n] = '\0';
    if (resolve_links(l, r))
        return -1;
    if (f->actor && !wanted_actor(l, r, f->actor))
        return 0;
    return 1;
}

typedef struct inc_ctx {
    loader *l;
    const inc_filter *f; /* n filters */
    inc_list *out;       /* and their n lists */
    size_t n;
} inc_ctx;

static int on_incident_one(loader *l, json_t *o, const inc_filter *f, inc_list *out)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        inc_record *v = vg_realloc(out->v, cap * sizeof *v);
        if (!v)
            return -1;
        out->v = v;
        out->cap = cap;
    }
    inc_record *r = &out->v[out->n];
    memset(r, 0, sizeof *r);
    int k = flatten(l, o, f, r);
    if (k == 1) {
        out->n++;
        return 0;
    }
    record_free(r);
    return k;
}

static int on_incident(json_t *o, void *ctx)
{
    inc_ctx *c = ctx;
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++)
        rc = on_incident_one(c->l, o, &c->f[i], &c->out[i]);
    return rc;
}

static int cmp_record(const void *a, const void *b)
{
    const inc_record *x = a, *y = b;
    int c = vg_time_cmp(&x->date, &y->date);
    return c ? c : strcmp(x->id, y->id);
}

int inc_load(store *s, const inc_filter *f, inc_list *out, vg_error *err)
{
    return inc_load_many(s, f, 1, out, err);
}

int inc_load_many(store *s, const inc_filter *f, size_t n, inc_list *out, vg_error *err)
{
    memset(out, 0, n * sizeof *out);
    loader l = {.s = s};
    static const char *const rel[] = {"relationship"};
    static const char *const named[] = {"intrusion-set", "threat-actor", "campaign", "identity", "malware"};
    static const char *const inc[] = {"incident"};
    int rc = each(s, rel, 1, "incident--", on_relationship, &l, err);
    if (!rc && l.nlinks) {
        qsort(l.links, l.nlinks, sizeof *l.links, cmp_link);
        for (size_t i = 0; i < l.nlinks && !rc; i++) {
            if (i && strcmp(l.links[i].incident, l.links[i - 1].incident) == 0)
                continue;
            inc_dict_slot *e = inc_dict_put(&l.by_incident, l.links[i].incident, NULL);
            if (!e)
                rc = nomem(err);
            else
                e->value = (void *)(i + 1);
        }
        if (!rc)
            rc = each(s, named, 5, NULL, on_target, &l, err);
    }
    inc_ctx c = {&l, f, out, n};
    if (!rc)
        rc = each(s, inc, 1, NULL, on_incident, &c, err);
    for (size_t i = 0; i < n; i++) {
        if (rc)
            inc_list_free(&out[i]);
        else if (out[i].n > 1) /* qsort of NULL, 0 is undefined */
            qsort(out[i].v, out[i].n, sizeof *out[i].v, cmp_record);
    }
    for (size_t i = 0; i < l.nlinks; i++) {
        vg_free(l.links[i].incident);
        vg_free(l.links[i].rtype);
        vg_free(l.links[i].target);
    }
    vg_free(l.links);
    inc_dict_free(&l.by_incident, NULL);
    inc_dict_free(&l.targets, target_free);
    return rc;
}
