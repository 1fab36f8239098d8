/*
 * brief_gather.c - the figures of a briefing, as one JSON model.
 *
 * Incidents come from inc_load (filed under their first activity); the
 * previous period has the same length and ends where this one starts. "What
 * is new" counts objects by the date the store added them; "what to do"
 * follows the period's actors and malware through `uses` relationships to
 * ATT&CK techniques and from there back through `mitigates` to courses of
 * action, ranked by how many of the period's incidents they would have
 * addressed.
 */
#include <stdlib.h>
#include <string.h>

#include "brief/brief_int.h"
#include "core/vg_alloc.h"
#include "incident/inc_dict.h"
#include "incident/incident.h"

static int nomem(vg_error *err)
{
    return vg_error_set(err, VG_E_NOMEM, "out of memory");
}

static void day(const vg_time *t, char out[VG_TIME_MAX])
{
    vg_time_format_digits(t, 0, out);
    out[10] = '\0';
}

/* Counts of a list of names, current and previous. */
typedef struct tally {
    inc_dict d;   /* name -> (uintptr_t) index into cur/prev/names */
    long *cur;    /* count in the period, per name */
    long *prev;   /* count in the previous period */
    char **names; /* the names (borrowed from d's keys) */
    size_t n;     /* names held */
    size_t cap;   /* room in cur/prev/names */
} tally;

/* Adds n to name's count (the previous period's when previous). -1: no memory. */
static int tally_add_n(tally *t, const char *name, int previous, long n)
{
    int added;
    inc_dict_slot *e = inc_dict_put(&t->d, name, &added);
    if (!e)
        return -1;
    if (added) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 32;
            long *c = vg_realloc(t->cur, cap * sizeof *c);
            if (!c)
                return -1;
            t->cur = c;
            long *p = vg_realloc(t->prev, cap * sizeof *p);
            if (!p)
                return -1;
            t->prev = p;
            char **nm = vg_realloc(t->names, cap * sizeof *nm);
            if (!nm)
                return -1;
            t->names = nm;
            t->cap = cap;
        }
        t->cur[t->n] = t->prev[t->n] = 0;
        t->names[t->n] = e->key;
        e->value = (void *)(uintptr_t)t->n++;
    }
    size_t i = (size_t)(uintptr_t)e->value;
    if (previous)
        t->prev[i] += n;
    else
        t->cur[i] += n;
    return 0;
}

static int tally_add(tally *t, const char *name, int previous)
{
    return tally_add_n(t, name, previous, 1);
}

static const tally *sort_ctx;
static int cmp_tally(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    long d = sort_ctx->cur[y] - sort_ctx->cur[x];
    if (d)
        return d > 0 ? 1 : -1;
    d = sort_ctx->prev[y] - sort_ctx->prev[x];
    if (d)
        return d > 0 ? 1 : -1;
    return strcmp(sort_ctx->names[x], sort_ctx->names[y]);
}

/* The tally as [{name, count, previous, change}], most first, at most `max` (0: all). */
static json_t *tally_json(tally *t, size_t max)
{
    size_t *ix = vg_malloc((t->n + 1) * sizeof *ix);
    json_t *a = json_array();
    if (!ix || !a) {
        vg_free(ix);
        json_decref(a);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++)
        ix[i] = i;
    sort_ctx = t;
    qsort(ix, t->n, sizeof *ix, cmp_tally);
    for (size_t k = 0; k < t->n && (!max || k < max); k++) {
        size_t i = ix[k];
        if (!t->cur[i] && max)
            break;
        json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:I}", "name", t->names[i], "count", (json_int_t)t->cur[i],
                                           "previous", (json_int_t)t->prev[i],
                                           "change", (json_int_t)(t->cur[i] - t->prev[i])));
    }
    vg_free(ix);
    return a;
}

static void tally_free(tally *t)
{
    inc_dict_free(&t->d, NULL);
    vg_free(t->cur);
    vg_free(t->prev);
    vg_free(t->names);
}

static json_t *names_of(uint64_t mask, int cat)
{
    json_t *a = json_array();
    size_t lim = cat ? INC_NCATEGORY : inc_nsectors;
    for (size_t i = 0; i < lim; i++)
        if (mask & (1ull << i))
            json_array_append_new(a, json_string(cat ? inc_categories[i].name : inc_sectors[i].name));
    return a;
}

static json_t *strv(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int cmp_serious(const void *a, const void *b)
{
    const inc_record *x = *(const inc_record *const *)a, *y = *(const inc_record *const *)b;
    if (x->severity != y->severity)
        return y->severity - x->severity;
    int c = vg_time_cmp(&y->date, &x->date);
    return c ? c : strcmp(x->id, y->id);
}

/* ---- what is new ---------------------------------------------------------------- */

typedef struct new_ctx {
    tally types; /* objects by type */
    tally kinds; /* indicators by kind */
} new_ctx;

static int on_added(const char *type, const char *kind, uint64_t n, void *ctx)
{
    new_ctx *c = ctx;
    int rc = tally_add_n(&c->types, type, 0, (long)n);
    if (!rc && strcmp(type, "indicator") == 0)
        rc = tally_add_n(&c->kinds, kind, 0, (long)n);
    return rc;
}

/* What the store added in the period: counted by the store through its indexes, no object read. */
static int gather_new(store *s, const brief_opts *o, json_t *model, vg_error *err)
{
    new_ctx c = {0};
    int rc = store_count_added(s, &o->from, &o->to, on_added, &c, err);
    if (rc > 0)
        rc = nomem(err);
    if (!rc) {
        json_t *nw = json_pack("{s:o,s:o}", "by_type", tally_json(&c.types, 0), "indicators_by_kind",
                               tally_json(&c.kinds, 0));
        if (!nw || json_object_set_new(model, "new", nw))
            rc = nomem(err);
    }
    tally_free(&c.types);
    tally_free(&c.kinds);
    return rc;
}

/* ---- what to do ------------------------------------------------------------------ */

/* The walk from the period's actors and malware to techniques and their mitigations. */
typedef struct act_ctx {
    inc_dict weight; /* actor or malware id -> (uintptr_t) incidents of the period */
    inc_dict tech;   /* attack-pattern id -> (uintptr_t) summed weight of its users */
    inc_dict coa;    /* course-of-action id -> json {score, techniques} */
} act_ctx;

/* X uses attack-pattern: the technique gets X's weight. */
static int on_uses(const store_rel *r, void *ctx)
{
    act_ctx *c = ctx;
    if (strncmp(r->target, "attack-pattern--", 16) != 0)
        return 0;
    inc_dict_slot *w = inc_dict_get(&c->weight, r->source);
    inc_dict_slot *t = w ? inc_dict_put(&c->tech, r->target, NULL) : NULL;
    if (w && !t)
        return -1;
    if (t)
        t->value = (void *)((uintptr_t)t->value + (uintptr_t)w->value);
    return 0;
}

/* course-of-action mitigates attack-pattern: the course of action scores the technique's weight. */
static int on_mitigates(const store_rel *r, void *ctx)
{
    act_ctx *c = ctx;
    inc_dict_slot *t = inc_dict_get(&c->tech, r->target);
    if (!t || strncmp(r->source, "course-of-action--", 18) != 0)
        return 0;
    inc_dict_slot *e = inc_dict_put(&c->coa, r->source, NULL);
    if (!e || (!e->value && !(e->value = json_pack("{s:I,s:I}", "score", (json_int_t)0, "techniques", (json_int_t)0))))
        return -1;
    json_t *cv = e->value;
    json_object_set_new(cv, "score", json_integer(json_integer_value(json_object_get(cv, "score")) +
                                                  (json_int_t)(uintptr_t)t->value));
    json_object_set_new(cv, "techniques", json_integer(json_integer_value(json_object_get(cv, "techniques")) + 1));
    return 0;
}

/* The keys of a dict, borrowed (caller frees the array with vg_free). */
static const char **dict_keys(const inc_dict *d)
{
    const char **v = vg_malloc((d->n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; v && i < d->cap; i++)
        if (d->slot[i].key)
            v[n++] = d->slot[i].key;
    return v;
}

static int gather_actions(store *s, const brief_opts *o, const inc_list *cur, json_t *model, vg_error *err)
{
    act_ctx c = {0};
    int rc = 0;
    for (size_t i = 0; i < cur->n && !rc; i++) {
        const inc_record *r = &cur->v[i];
        for (size_t k = 0; k < r->nactors + r->nmalware && !rc; k++) {
            const char *id = k < r->nactors ? r->actor_ids[k] : r->malware_ids[k - r->nactors];
            inc_dict_slot *e = inc_dict_put(&c.weight, id, NULL);
            if (!e)
                rc = nomem(err);
            else
                e->value = (void *)((uintptr_t)e->value + 1);
        }
    }
    /* their techniques (relationships from them), then what mitigates those (from courses of action) */
    static const char *const uses[] = {"uses"}, *const mitigates[] = {"mitigates"};
    const char **keys = rc || !c.weight.n ? NULL : dict_keys(&c.weight);
    if (!rc && c.weight.n && !keys)
        rc = nomem(err);
    if (keys) {
        store_rel_query q = {.sources = keys, .nsources = c.weight.n, .types = uses, .ntypes = 1};
        rc = store_relationships(s, &q, on_uses, &c, err);
        vg_free(keys);
    }
    if (!rc && c.tech.n) {
        store_rel_query q = {.source_prefix = "course-of-action--", .types = mitigates, .ntypes = 1};
        rc = store_relationships(s, &q, on_mitigates, &c, err);
    }
    if (rc > 0)
        rc = nomem(err);
    store_iter *it = NULL;
    store_row row;
    json_t *list = json_array();
    if (!list && !rc)
        rc = nomem(err);
    if (!rc && c.coa.n) {
        static const char *const ct[] = {"course-of-action"};
        store_query cq = {0};
        cq.types = ct;
        cq.ntypes = 1;
        rc = store_query_open(s, &cq, &it, err);
        while (!rc && (rc = store_iter_next(it, &row, err)) == 1) {
            rc = 0;
            json_t *x = json_loadb(row.json, row.json_len, 0, NULL);
            inc_dict_slot *e = inc_dict_get(&c.coa, row.id);
            if (x && e) {
                json_t *cv = e->value;
                json_t *name = json_object_get(x, "name");
                json_object_set_new(cv, "id", json_string(row.id));
                json_object_set_new(cv, "name", name ? json_incref(name) : json_string(row.id));
                json_t *refs = json_object_get(x, "external_references");
                size_t k;
                json_t *ref;
                json_array_foreach(refs, k, ref) if (json_object_get(ref, "external_id"))
                {
                    json_object_set(cv, "external_id", json_object_get(ref, "external_id"));
                    break;
                }
                json_array_append(list, cv);
            }
            json_decref(x);
        }
        store_iter_free(it);
        if (rc > 0)
            rc = 0;
    }
    if (!rc) {
        /* most relevant first: score, then techniques, then name */
        size_t n = json_array_size(list);
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0; j--) {
                json_t *a = json_array_get(list, j - 1), *b = json_array_get(list, j);
                json_int_t sa = json_integer_value(json_object_get(a, "score")), sb = json_integer_value(json_object_get(b, "score"));
                json_int_t ta = json_integer_value(json_object_get(a, "techniques")), tb = json_integer_value(json_object_get(b, "techniques"));
                const char *na = json_string_value(json_object_get(a, "name")), *nb = json_string_value(json_object_get(b, "name"));
                if (sa > sb || (sa == sb && (ta > tb || (ta == tb && strcmp(na ? na : "", nb ? nb : "") <= 0))))
                    break;
                json_incref(a);
                json_array_set(list, j - 1, b);
                json_array_set_new(list, j, a);
            }
        while (json_array_size(list) > o->actions)
            json_array_remove(list, json_array_size(list) - 1);
        json_t *act = json_pack("{s:I,s:o}", "techniques", (json_int_t)c.tech.n, "courses_of_action", list);
        list = NULL;
        if (!act || json_object_set_new(model, "actions", act))
            rc = nomem(err);
    }
    json_decref(list);
    inc_dict_free(&c.weight, NULL);
    inc_dict_free(&c.tech, NULL);
    for (size_t i = 0; i < c.coa.cap; i++)
        if (c.coa.slot[i].key)
            json_decref(c.coa.slot[i].value);
    inc_dict_free(&c.coa, NULL);
    return rc;
}

/* ---- the model -------------------------------------------------------------------- */

static json_t *incident_json(const inc_record *r)
{
    char d[VG_TIME_MAX], cc[3] = "";
    day(&r->date, d);
    json_t *c = json_array();
    for (size_t k = 0; r->countries[k]; k += 2) {
        memcpy(cc, r->countries + k, 2);
        json_array_append_new(c, json_string(cc));
    }
    return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o,s:o,s:o,s:o}", "id", r->id, "date", d, "name", r->name,
                     "severity", r->severity, "severity_name", inc_severity_name(r->severity), "status",
                     r->status >= 0 ? inc_statuses[r->status] : "", "categories", names_of(r->categories, 1),
                     "sectors", names_of(r->sectors, 0), "countries", c, "actors", strv(r->actors, r->nactors));
}

static int gather_incidents(const brief_opts *o, const inc_list *cur, const inc_list *prev, json_t *model,
                            vg_error *err)
{
    json_t *sev = json_array();
    long c[6] = {0}, p[6] = {0};
    for (size_t i = 0; i < cur->n; i++)
        c[cur->v[i].severity >= 1 && cur->v[i].severity <= 5 ? cur->v[i].severity : 0]++;
    for (size_t i = 0; i < prev->n; i++)
        p[prev->v[i].severity >= 1 && prev->v[i].severity <= 5 ? prev->v[i].severity : 0]++;
    for (int s = 5; s >= 1; s--)
        json_array_append_new(sev, json_pack("{s:i,s:s,s:I,s:I,s:I}", "severity", s, "name", inc_severity_name(s),
                                             "count", (json_int_t)c[s], "previous", (json_int_t)p[s], "change",
                                             (json_int_t)(c[s] - p[s])));
    json_t *head = json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)cur->n, "previous_total",
                             (json_int_t)prev->n, "change", (json_int_t)cur->n - (json_int_t)prev->n, "by_severity",
                             sev);
    /* the most serious */
    const inc_record **ix = vg_malloc((cur->n + 1) * sizeof *ix);
    json_t *top = json_array();
    if (!head || !ix || !top) {
        vg_free(ix);
        json_decref(head);
        json_decref(top);
        return nomem(err);
    }
    for (size_t i = 0; i < cur->n; i++)
        ix[i] = &cur->v[i];
    qsort(ix, cur->n, sizeof *ix, cmp_serious);
    for (size_t i = 0; i < cur->n && i < o->top; i++)
        json_array_append_new(top, incident_json(ix[i]));
    vg_free(ix);
    /* by category, sector, actor */
    tally cat = {0}, sec = {0}, act = {0};
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        const inc_list *l = pass ? prev : cur;
        for (size_t i = 0; i < l->n; i++) {
            const inc_record *r = &l->v[i];
            for (int k = 0; k < INC_NCATEGORY; k++)
                if (r->categories & (1u << k))
                    bad |= tally_add(&cat, inc_categories[k].name, pass);
            for (size_t k = 0; k < inc_nsectors; k++)
                if (r->sectors & (1ull << k))
                    bad |= tally_add(&sec, inc_sectors[k].name, pass);
            for (size_t k = 0; k < r->nactors; k++)
                bad |= tally_add(&act, r->actors[k], pass);
        }
    }
    /* every category and sector appears, in vocabulary order, so the charts compare like with like */
    json_t *bycat = json_array(), *bysec = json_array();
    for (int k = 0; k < INC_NCATEGORY; k++) {
        inc_dict_slot *e = inc_dict_get(&cat.d, inc_categories[k].name);
        long cc = e ? cat.cur[(uintptr_t)e->value] : 0, pp = e ? cat.prev[(uintptr_t)e->value] : 0;
        json_array_append_new(bycat, json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", inc_categories[k].name, "label",
                                               inc_categories[k].label, "count", (json_int_t)cc, "previous",
                                               (json_int_t)pp, "change", (json_int_t)(cc - pp)));
    }
    for (size_t k = 0; k < inc_nsectors; k++) {
        inc_dict_slot *e = inc_dict_get(&sec.d, inc_sectors[k].name);
        long cc = e ? sec.cur[(uintptr_t)e->value] : 0, pp = e ? sec.prev[(uintptr_t)e->value] : 0;
        if (!cc && !pp)
            continue;
        json_array_append_new(bysec, json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", inc_sectors[k].name, "label",
                                               inc_sectors[k].label, "count", (json_int_t)cc, "previous",
                                               (json_int_t)pp, "change", (json_int_t)(cc - pp)));
    }
    json_t *byact = tally_json(&act, o->actors);
    tally_free(&cat);
    tally_free(&sec);
    tally_free(&act);
    /* the timeline: days for up to a month, weeks up to half a year, months beyond */
    int64_t len = o->to.sec - o->from.sec;
    int unit = len <= 31 * 86400 ? 1 : len <= 190 * 86400 ? 7 : 30;
    json_t *tl = json_array();
    if (unit < 30) {
        for (int64_t t = o->from.sec; t < o->to.sec; t += unit * 86400) {
            vg_time a = vg_time_from_unix(t, 0, 0);
            char d[VG_TIME_MAX];
            day(&a, d);
            long n = 0;
            for (size_t i = 0; i < cur->n; i++)
                n += cur->v[i].date.sec >= t && cur->v[i].date.sec < t + unit * 86400;
            json_array_append_new(tl, json_pack("{s:s,s:I}", "start", d, "count", (json_int_t)n));
        }
    } else {
        /* calendar months */
        char d[VG_TIME_MAX];
        vg_time a = o->from;
        day(&a, d);
        int y = (int)strtol(d, NULL, 10), m = (int)strtol(d + 5, NULL, 10);
        for (int guard = 0; guard < 1200; guard++) {
            char s0[32], s1[32];
            snprintf(s0, sizeof s0, "%04d-%02d-01T00:00:00Z", y, m);
            int y1 = m == 12 ? y + 1 : y, m1 = m == 12 ? 1 : m + 1;
            snprintf(s1, sizeof s1, "%04d-%02d-01T00:00:00Z", y1, m1);
            vg_time t0, t1;
            vg_time_parse(s0, strlen(s0), VG_TIME_STIX, &t0, NULL);
            vg_time_parse(s1, strlen(s1), VG_TIME_STIX, &t1, NULL);
            if (vg_time_cmp(&t0, &o->to) >= 0)
                break;
            long n = 0;
            for (size_t i = 0; i < cur->n; i++)
                n += cur->v[i].date.sec >= t0.sec && cur->v[i].date.sec < t1.sec;
            s0[7] = '\0';
            json_array_append_new(tl, json_pack("{s:s,s:I}", "start", s0, "count", (json_int_t)n));
            y = y1;
            m = m1;
        }
    }
    if (bad || !byact || !bycat || !bysec || !tl ||
        json_object_set_new(model, "headline", head) || json_object_set_new(model, "top", top) ||
        json_object_set_new(model, "by_category", bycat) || json_object_set_new(model, "by_sector", bysec) ||
        json_object_set_new(model, "by_actor", byact) ||
        json_object_set_new(model, "timeline", json_pack("{s:s,s:o}", "unit", unit == 1 ? "day" : unit == 7 ? "week" : "month", "buckets", tl)))
        return nomem(err);
    return 0;
}

int brief_gather(store *s, const brief_opts *oin, json_t **model, vg_error *err)
{
    *model = NULL;
    brief_opts o = *oin;
    if (!o.top)
        o.top = 10;
    if (!o.actors)
        o.actors = 15;
    if (!o.actions)
        o.actions = 10;
    if (!o.indicators)
        o.indicators = 50;
    if (vg_time_cmp(&o.to, &o.from) <= 0)
        return vg_error_set(err, VG_E_USAGE, "the period is empty: --to must be after --from");
    vg_time pfrom = o.from;
    pfrom.sec -= o.to.sec - o.from.sec;
    inc_filter f;
    inc_filter_init(&f);
    f.has_from = f.has_to = 1;
    f.from = o.from;
    f.to = o.to;
    /* both periods in one read of the store */
    inc_filter fs[2] = {f, f};
    fs[1].from = pfrom;
    fs[1].to = o.from;
    inc_list lists[2];
    int rc = inc_load_many(s, fs, 2, lists, err);
    inc_list cur = lists[0], prev = lists[1];
    char a[VG_TIME_MAX], b[VG_TIME_MAX], c[VG_TIME_MAX], gen[VG_TIME_MAX];
    vg_time_format_digits(&o.from, 0, a);
    vg_time_format_digits(&o.to, 0, b);
    vg_time_format_digits(&pfrom, 0, c);
    vg_time now = vg_time_now(0);
    vg_time_format(&now, gen);
    json_t *m = rc ? NULL : json_pack("{s:s,s:{s:s,s:s,s:s,s:s}}", "title", "Threat landscape briefing", "period",
                                      "from", a, "to", b, "previous_from", c, "previous_to", a);
    if (!rc && !m)
        rc = nomem(err);
    if (!rc)
        rc = gather_incidents(&o, &cur, &prev, m, err);
    if (!rc)
        rc = gather_new(s, &o, m, err);
    if (!rc)
        rc = gather_actions(s, &o, &cur, m, err);
    if (!rc)
        rc = brief__indicators(s, &o, &cur, m, err);
    inc_list_free(&cur);
    inc_list_free(&prev);
    if (rc) {
        json_decref(m);
        return rc;
    }
    (void)gen; /* the model has no generation time, so that the same store gives the same bytes */
    *model = m;
    return 0;
}
