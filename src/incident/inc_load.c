/*
 * inc_load.c - loads incidents from the store, flattened into inc_record
 * (severity, status, category and sector masks, countries, date) with their
 * relationships resolved to names: the actors they are attributed to, the
 * malware they used, the victims they targeted, the indicators they are
 * related to. Lists and briefings read
 * this; filters are applied here.
 *
 * Cost: the store's index of incidents hands out the incidents of the
 * filters' periods with their extension's fields (no incident JSON is
 * parsed); then the relationships of the incidents kept, from the index of
 * relationship sources (one lookup per incident, or for many incidents one
 * walk of every incident's relationships); then the named objects they point
 * to, by id. Nothing else in the store is read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "incident/inc_dict.h"
#include "incident/incident_int.h"

/* Above this many incidents, their links come from one walk of all incidents' links, not a lookup each. */
#define LOOKUP_MAX 4096

/* A named object an incident links to. */
typedef struct target {
    char *type;      /* its STIX type */
    char *name;      /* its name ("" if none) */
    json_t *aliases; /* its aliases (array), or NULL */
} target;

/* One link of an incident. Strings are keys of the loader's dicts (not owned). */
typedef struct link {
    size_t incident; /* index of the source incident in loader.ids */
    const char *rtype;  /* relationship type */
    const char *target; /* target id */
    int64_t arrival;    /* the store's order of arrival: links keep it within an incident */
} link;

typedef struct loader {
    store *s;
    inc_dict kept;        /* id of every incident kept -> (uintptr_t) its index + 1 */
    const char **ids;     /* those ids by index (keys of kept) */
    size_t nids, capids;  /* how many, room */
    link *links;          /* links of the kept incidents, grouped by incident (after group_links) */
    size_t nlinks, caplinks;
    size_t *first;        /* nids + 1 entries: incident i's links are links[first[i] .. first[i + 1]) */
    inc_dict rtypes;      /* relationship types seen (interned) */
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

/* ---- reading the fields of an incident ------------------------------------------ */

/* The store's JSON array texts: incident_int.h. */
int inc__array_strings(const char *text, int (*fn)(const char *s, size_t n, void *ctx), void *ctx)
{
    if (!text || text[0] != '[')
        return 0; /* not an array: no elements */
    if (strchr(text, '\\')) {
        json_t *a = json_loads(text, JSON_DECODE_ANY, NULL);
        size_t i;
        json_t *v;
        int rc = 0;
        json_array_foreach(a, i, v) if (!rc && json_is_string(v))
            rc = fn(json_string_value(v), strlen(json_string_value(v)), ctx);
        json_decref(a);
        return rc;
    }
    int depth = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            if (!q)
                return 0;
            if (depth == 1 && fn(p + 1, (size_t)(q - p - 1), ctx))
                return -1;
            p = q;
        } else if (*p == '[' || *p == '{') {
            depth++;
        } else if (*p == ']' || *p == '}') {
            depth--;
        }
    }
    return 0;
}

/* A vocabulary name (category or sector) copied out of an array text. */
static int word(const char *s, size_t n, char out[64])
{
    if (n >= 64)
        return 0;
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

static int on_category(const char *s, size_t n, void *ctx)
{
    char w[64];
    int k = word(s, n, w) ? inc_category_index(w) : -1;
    if (k >= 0)
        ((inc_record *)ctx)->categories |= 1u << k;
    return 0;
}

static int on_sector(const char *s, size_t n, void *ctx)
{
    char w[64];
    int k = word(s, n, w) ? inc_sector_index(w) : -1;
    if (k >= 0)
        ((inc_record *)ctx)->sectors |= 1ull << k;
    return 0;
}

static int on_country(const char *s, size_t n, void *ctx)
{
    char *c = ctx;
    if (n == 2 && !memchr(s, '\0', 2))
        strncat(c, s, 2);
    return 0;
}

/*
 * Flattens one incident into r (zeroed by the caller), all but its links and
 * the actor filter (resolve_all). 1: keep, 0: filtered out, -1: no memory.
 */
static int flatten(const store_incident_row *x, const inc_filter *f, inc_record *r)
{
    r->status = -1;
    r->severity = x->has_severity ? (int)x->severity : 0;
    if (x->status)
        r->status = inc_status_index(x->status);
    inc__array_strings(x->categories, on_category, r);
    inc__array_strings(x->sectors, on_sector, r);
    if (!x->activity || vg_time_parse(x->activity, strlen(x->activity), VG_TIME_STIX, &r->date, NULL))
        memset(&r->date, 0, sizeof r->date);
    r->has_last = x->last_activity &&
                  vg_time_parse(x->last_activity, strlen(x->last_activity), VG_TIME_STIX, &r->last, NULL) == 0;

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

    r->id = vg_strdup(x->id);
    r->name = vg_strdup(x->name ? x->name : "");
    r->countries = vg_malloc(x->countries ? strlen(x->countries) + 1 : 1);
    if (!r->id || !r->name || !r->countries)
        return -1;
    r->countries[0] = '\0';
    inc__array_strings(x->countries, on_country, r->countries);
    return 1;
}

typedef struct inc_ctx {
    loader *l;
    const inc_filter *f; /* n filters */
    inc_list *out;       /* and their n lists */
    size_t n;
} inc_ctx;

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
    for (size_t i = 0; i < r->nindicators; i++)
        vg_free(r->indicator_ids[i]);
    vg_free(r->indicator_ids);
}

void inc_list_free(inc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        record_free(&l->v[i]);
    vg_free(l->v);
    memset(l, 0, sizeof *l);
}

/* Notes a kept incident's id (once) for the link lookup. -1: no memory. */
static int keep_id(loader *l, const char *id)
{
    int added;
    inc_dict_slot *e = inc_dict_put(&l->kept, id, &added);
    if (!e)
        return -1;
    if (!added)
        return 0;
    if (l->nids == l->capids) {
        size_t cap = l->capids ? l->capids * 2 : 256;
        const char **v = vg_realloc(l->ids, cap * sizeof *v);
        if (!v)
            return -1;
        l->ids = v;
        l->capids = cap;
    }
    l->ids[l->nids] = e->key;
    e->value = (void *)(uintptr_t)++l->nids;
    return 0;
}

static int on_incident_one(loader *l, const store_incident_row *x, const inc_filter *f, inc_list *out)
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
    int k = flatten(x, f, r);
    if (k == 1 && keep_id(l, r->id))
        k = -1;
    if (k == 1) {
        out->n++;
        return 0;
    }
    record_free(r);
    return k;
}

static int on_incident(const store_incident_row *x, void *ctx)
{
    inc_ctx *c = ctx;
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++)
        rc = on_incident_one(c->l, x, &c->f[i], &c->out[i]);
    return rc;
}

/* ---- links and what they point to ------------------------------------------------ */

static int on_relationship(const store_rel *r, void *ctx)
{
    loader *l = ctx;
    inc_dict_slot *inc = inc_dict_get(&l->kept, r->source);
    if (!inc)
        return 0; /* an incident not kept (walking every incident's links) */
    if (l->nlinks == l->caplinks) {
        size_t cap = l->caplinks ? l->caplinks * 2 : 256;
        link *v = vg_realloc(l->links, cap * sizeof *v);
        if (!v)
            return -1;
        l->links = v;
        l->caplinks = cap;
    }
    inc_dict_slot *rt = inc_dict_put(&l->rtypes, r->type, NULL);
    inc_dict_slot *tg = inc_dict_put(&l->targets, r->target, NULL);
    if (!rt || !tg)
        return -1;
    l->links[l->nlinks++] = (link){(uintptr_t)inc->value - 1, rt->key, tg->key, r->arrival};
    return 0;
}

/* Sorts the links by incident (counting) and each incident's links by arrival; fills first[]. */
static int group_links(loader *l)
{
    l->first = vg_calloc(l->nids + 1, sizeof *l->first);
    link *v = vg_malloc((l->nlinks + 1) * sizeof *v);
    if (!l->first || !v) {
        vg_free(v);
        return -1;
    }
    for (size_t i = 0; i < l->nlinks; i++)
        l->first[l->links[i].incident + 1]++;
    for (size_t i = 0; i < l->nids; i++)
        l->first[i + 1] += l->first[i];
    size_t *next = vg_malloc((l->nids + 1) * sizeof *next);
    if (!next) {
        vg_free(v);
        return -1;
    }
    memcpy(next, l->first, l->nids * sizeof *next);
    for (size_t i = 0; i < l->nlinks; i++)
        v[next[l->links[i].incident]++] = l->links[i];
    vg_free(next);
    vg_free(l->links);
    l->links = v;
    l->caplinks = l->nlinks + 1;
    for (size_t i = 0; i < l->nids; i++) /* a few links each: insertion sort */
        for (size_t a = l->first[i] + 1; a < l->first[i + 1]; a++)
            for (size_t b = a; b > l->first[i] && v[b - 1].arrival > v[b].arrival; b--) {
                link t = v[b];
                v[b] = v[b - 1];
                v[b - 1] = t;
            }
    return 0;
}

/* Reads the links of every incident kept. */
static int load_links(loader *l, vg_error *err)
{
    store_rel_query q = {0};
    if (l->nids <= LOOKUP_MAX) {
        q.sources = l->ids;
        q.nsources = l->nids;
    } else {
        q.source_prefix = "incident--";
    }
    int rc = l->nids ? store_relationships(l->s, &q, on_relationship, l, err) : 0;
    if (rc > 0)
        rc = nomem(err);
    if (!rc && group_links(l))
        rc = nomem(err);
    return rc;
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

/* Runs fn over the objects of a query (parsed; rows that are not JSON are skipped). */
static int each(store *s, const store_query *q, int (*fn)(json_t *o, void *ctx), void *ctx, vg_error *err)
{
    store_iter *it = NULL;
    int rc = store_query_open(s, q, &it, err);
    store_row row;
    while (!rc && (rc = store_iter_next(it, &row, err)) == 1) {
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

/* Reads the named objects the links point to, by id, a batch at a time (the first to arrive wins). */
static int load_targets(loader *l, vg_error *err)
{
    static const char *const named[] = {"intrusion-set", "threat-actor", "campaign", "identity", "malware"};
    enum { BATCH = 256 };
    const char *ids[BATCH];
    int rc = 0;
    for (size_t i = 0; i < l->targets.cap && !rc;) {
        size_t n = 0;
        for (; i < l->targets.cap && n < BATCH; i++)
            if (l->targets.slot[i].key)
                ids[n++] = l->targets.slot[i].key;
        if (!n)
            break;
        store_query q = {0};
        q.ids = ids;
        q.nids = n;
        q.types = named;
        q.ntypes = 5;
        rc = each(l->s, &q, on_target, l, err);
    }
    return rc;
}

/* ---- resolving ------------------------------------------------------------------ */

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

/* Fills r's links from the loader; returns -1 on allocation failure. */
static int resolve_links(loader *l, inc_record *r)
{
    inc_dict_slot *e = inc_dict_get(&l->kept, r->id);
    if (!e || !l->first)
        return 0;
    size_t ix = (uintptr_t)e->value - 1;
    for (size_t i = l->first[ix]; i < l->first[ix + 1]; i++) {
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
        } else if (strcmp(k->rtype, "related-to") == 0 && strncmp(k->target, "indicator--", 11) == 0) {
            if (push(&r->indicator_ids, &r->nindicators, k->target))
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

/* Resolves the links of every record and applies the actor filters (records that fail them are dropped). */
static int resolve_all(loader *l, const inc_filter *f, inc_list *out, size_t n, vg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        size_t keep = 0;
        for (size_t k = 0; k < out[i].n; k++) {
            inc_record *r = &out[i].v[k];
            if (resolve_links(l, r)) {
                for (size_t j = k; j < out[i].n; j++)
                    record_free(&out[i].v[j]);
                out[i].n = keep;
                return nomem(err);
            }
            if (f[i].actor && !wanted_actor(l, r, f[i].actor)) {
                record_free(r);
                continue;
            }
            out[i].v[keep++] = *r;
        }
        out[i].n = keep;
    }
    return 0;
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
    /* when every filter has a period, the store reads only the incidents of their union */
    const vg_time *from = NULL, *to = NULL;
    int all_from = n > 0, all_to = n > 0;
    for (size_t i = 0; i < n; i++) {
        all_from &= f[i].has_from;
        all_to &= f[i].has_to;
    }
    for (size_t i = 0; i < n; i++) {
        if (all_from && (!from || vg_time_cmp(&f[i].from, from) < 0))
            from = &f[i].from;
        if (all_to && (!to || vg_time_cmp(&f[i].to, to) > 0))
            to = &f[i].to;
    }
    inc_ctx c = {&l, f, out, n};
    int rc = store_incidents(s, from, to, on_incident, &c, err);
    if (rc > 0)
        rc = nomem(err);
    if (!rc)
        rc = load_links(&l, err);
    if (!rc && l.nlinks)
        rc = load_targets(&l, err);
    if (!rc)
        rc = resolve_all(&l, f, out, n, err);
    for (size_t i = 0; i < n; i++) {
        if (rc)
            inc_list_free(&out[i]);
        else if (out[i].n > 1) /* qsort of NULL, 0 is undefined */
            qsort(out[i].v, out[i].n, sizeof *out[i].v, cmp_record);
    }
    vg_free(l.ids);
    vg_free(l.links);
    vg_free(l.first);
    inc_dict_free(&l.kept, NULL);
    inc_dict_free(&l.rtypes, NULL);
    inc_dict_free(&l.targets, target_free);
    return rc;
}
