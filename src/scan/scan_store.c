/*
 * scan_store.c - the scan's two meetings with the store: compiling the index
 * from its indicators, and writing one sighting per indicator hit.
 *
 * The sighting (docs/internals/scan.md):
 *   sighting_of_ref  the indicator
 *   count            confirmed hits in this scan (capped at 999999999, the spec's maximum)
 *   first_seen / last_seen   when the scan started and ended (text carries no trusted clock), or the
 *                            earliest and latest times of the hits' captured packets or phone records
 *   x_vigil_evidence {files, first: {file, line | packet, offset, field, value}, last: {...}}
 *   where_sighted_refs  [the scanning organisation] when the caller names one (scan_summary.org)
 *   observed_data_refs  [an observed-data of the first hit's value, with its cyber-observables]
 */
#include <jansson.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "scan/scan.h"
#include "scan/scan_int.h"
#include "stix/stix.h"

/* Reads the objects of a query in any order into the attribution (names, and relationships that indicate). */
static int attrib_query(store *st, const char *collection, const char *const *types, size_t ntypes, scan_attrib *at,
                        vg_error *err)
{
    store_query q = {0};
    q.collection = collection;
    q.types = types;
    q.ntypes = ntypes;
    q.versions = STORE_VER_LAST;
    q.any_order = 1;
    store_iter *it = NULL;
    int rc = store_query_open(st, &q, &it, err), r = 0;
    store_row row;
    while (!rc && (r = store_iter_next(it, &row, err)) == 1) {
        /* most relationships are not `indicates`: pass them over before parsing */
        if (!strcmp(row.type, "relationship") && !memmem(row.json, row.json_len, "\"indicates\"", 11))
            continue;
        json_error_t je;
        json_t *o = json_loadb(row.json, row.json_len, 0, &je);
        if (!o)
            continue; /* the store holds valid JSON: nothing to note from anything else */
        rc = scan__attrib_object(at, o, err);
        json_decref(o);
    }
    if (!rc && r < 0)
        rc = r;
    store_iter_free(it);
    return rc;
}

/* One source's `indicates` relationships from the store's index, collected to be put in order of arrival. */
typedef struct rel_run {
    scan_attrib *at;   /* the names */
    idx_builder *b;    /* the indicators */
    vg_error *err;     /* what went wrong */
    char src[256];     /* the source of the run */
    struct {
        int64_t arrival; /* order of arrival */
        char *dst;       /* target (vg_malloc'd) */
    } *v;               /* the run's targets */
    size_t n, cap;      /* how many, allocated */
} rel_run;

static int by_arrival(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Attributes the run's source with what its targets are named, in order of arrival (as a read of the objects
   gives them). */
static int run_flush(rel_run *r, vg_error *err)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, by_arrival);
    int rc = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!rc)
            rc = idx_builder_attribute(r->b, r->src, scan__attrib_name(r->at, r->v[i].dst), err);
        vg_free(r->v[i].dst);
    }
    r->n = 0;
    return rc;
}

static int on_rel(const store_rel *rel, void *ctx)
{
    rel_run *r = ctx;
    if (!scan__attrib_name(r->at, rel->target) || strlen(rel->source) >= sizeof r->src)
        return 0; /* points at nothing named: nothing to say */
    int rc;
    if (r->n && strcmp(r->src, rel->source) != 0 && (rc = run_flush(r, r->err)))
        return rc;
    if (!r->n)
        snprintf(r->src, sizeof r->src, "%s", rel->source);
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        void *nv = vg_realloc(r->v, nc * sizeof *r->v);
        if (!nv)
            return vg_error_set(r->err, VG_E_NOMEM, "out of memory noting relationships");
        r->v = nv;
        r->cap = nc;
    }
    if (!(r->v[r->n].dst = vg_strdup(rel->target)))
        return vg_error_set(r->err, VG_E_NOMEM, "out of memory noting relationships");
    r->v[r->n++].arrival = rel->arrival;
    return 0;
}

/*
 * Notes what the store's indicators indicate (relationships and the names of what they point at). Over the
 * whole store, the names are read from their objects (few) and the relationships from the index of
 * relationships by source, without their JSON (a million relationships: no million objects parsed), each
 * straight to the builder; one collection's are read from the objects, as that index does not know
 * collections.
 */
static int attribute_from_store(store *st, const char *collection, idx_builder *b, vg_error *err)
{
    size_t nt;
    const char *const *named = scan__attrib_types(&nt);
    const char *types[8] = {"relationship"};
    for (size_t i = 0; i < nt && i + 1 < 8; i++)
        types[i + 1] = named[i];
    size_t ntypes = nt + 1 < 8 ? nt + 1 : 8;
    scan_attrib at;
    scan__attrib_init(&at);
    int rc;
    if (collection) {
        rc = attrib_query(st, collection, types, ntypes, &at, err);
        if (!rc)
            rc = scan__attrib_apply(&at, b, err);
    } else { /* the names, then each relationship straight to the builder */
        rc = attrib_query(st, NULL, types + 1, ntypes - 1, &at, err);
        static const char *const indicates[] = {"indicates"};
        store_rel_query rq = {.source_prefix = "indicator--", .types = indicates, .ntypes = 1};
        rel_run run = {.at = &at, .b = b, .err = err};
        if (!rc && scan__attrib_any_named(&at)) {
            rc = store_relationships(st, &rq, on_rel, &run, err);
            if (!rc && run.n)
                rc = run_flush(&run, err);
        }
        for (size_t i = 0; i < run.n; i++)
            vg_free(run.v[i].dst);
        vg_free(run.v);
    }
    scan__attrib_free(&at);
    return rc;
}

/* idx_text_next_fn over a store query: each row's JSON text. */
static int next_text(void *ctx, const char **json, size_t *len, vg_error *err)
{
    store_row row;
    int r = store_iter_next(ctx, &row, err);
    if (r == 1) {
        *json = row.json;
        *len = row.json_len;
    }
    return r;
}

/* The builder of the store's indicators, attributed; added_last gets the newest date added before reading. */
static int build_from_store(store *st, const char *collection, const vg_time *now, idx_builder **out,
                            char added_last[VG_TIME_MAX], vg_error *err)
{
    *out = NULL;
    idx_builder *b = NULL;
    int rc = idx_builder_new(&b, err);
    if (rc)
        return rc;
    static const char *const types[] = {"indicator"};
    rc = store_added_last(st, added_last, err); /* before reading: what is added later is not in the index */
    store_query q = {0};
    q.collection = collection;
    q.types = types;
    q.ntypes = 1;
    q.versions = STORE_VER_LAST;
    q.any_order = 1; /* the index does not care, and sorting a million rows costs more than reading them */
    store_iter *it = NULL;
    if (!rc)
        rc = store_query_open(st, &q, &it, err);
    vg_time t = now ? *now : vg_time_now(0);
    if (!rc) /* two threads: one reads the store and the texts, the other adds them */
        rc = idx_builder_add_texts(b, next_text, it, &t, 2, err);
    store_iter_free(it);
    if (!rc)
        rc = attribute_from_store(st, collection, b, err);
    if (rc) {
        idx_builder_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

/* The index's source: "store" and the collection when there is one. */
static void source_of(char *out, size_t n, const char *store_name, const char *collection)
{
    snprintf(out, n, "%s%s%s", store_name ? store_name : "store", collection ? ", collection " : "",
             collection ? collection : "");
}

int scan_index_from_store(store *st, const char *collection, const vg_time *now, idx **out, vg_error *err)
{
    *out = NULL;
    idx_builder *b = NULL;
    char added_last[VG_TIME_MAX], src[300];
    int rc = build_from_store(st, collection, now, &b, added_last, err);
    if (!rc)
        rc = idx_builder_finish(b, out, err);
    if (!rc) {
        source_of(src, sizeof src, NULL, collection);
        idx_set_origin(*out, src, added_last);
    }
    return rc;
}

int scan_index_save_from_store(store *st, const char *collection, const char *source, const vg_time *now,
                               const char *path, idx **out, vg_error *err)
{
    *out = NULL;
    idx_builder *b = NULL;
    char added_last[VG_TIME_MAX], src[1300];
    int rc = build_from_store(st, collection, now, &b, added_last, err);
    if (rc)
        return rc;
    source_of(src, sizeof src, source, collection);
    return idx_builder_finish_save(b, path, src, added_last, out, err);
}

int scan_index_newer(store *st, const idx *x, const char *collection, uint64_t *n, vg_error *err)
{
    *n = 0;
    const idx_origin *o = idx_get_origin(x);
    if (!o->store_added[0])
        return 0;
    static const char *const types[] = {"indicator"};
    store_query q = {0};
    q.collection = collection;
    q.types = types;
    q.ntypes = 1;
    q.versions = STORE_VER_ALL;
    q.has_added_after = 1;
    vg_error ignored = {0};
    if (vg_time_parse(o->store_added, strlen(o->store_added), VG_TIME_STIX, &q.added_after, &ignored))
        return 0; /* an origin that does not parse says nothing */
    q.limit = 1000;
    store_iter *it = NULL;
    int rc = store_query_open(st, &q, &it, err);
    store_row row;
    int r = 0;
    while (!rc && (r = store_iter_next(it, &row, err)) == 1)
        (*n)++;
    if (!rc && r < 0)
        rc = r;
    store_iter_free(it);
    return rc;
}

static json_t *where_json(const char *file, uint64_t line, uint64_t packet, uint64_t offset, const char *field,
                          const char *value)
{
    json_t *w = json_object();
    if (!w)
        return NULL;
    int bad = json_object_set_new(w, "file", json_string(file ? file : ""));
    if (line)
        bad |= json_object_set_new(w, "line", json_integer((json_int_t)line));
    if (packet)
        bad |= json_object_set_new(w, "packet", json_integer((json_int_t)packet));
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

/* ---- the cyber-observable of a hit ---------------------------------------- */

typedef struct objs {
    json_t **v; /* SCAN_SIGHTING_OBJECTS slots */
    size_t n;
} objs;

/* Adds an SCO of `type` whose id is the STIX deterministic one: UUIDv5 in the STIX namespace over the
   canonical JSON (sorted keys, no space) of its id-contributing properties, which are `props`. The
   SCO's id is copied into id_out (sized 80). Takes props. */
static int add_sco(objs *o, const char *type, json_t *props, int deterministic, char id_out[80], vg_error *err)
{
    char uuid[VG_UUID_STR];
    int rc;
    if (deterministic) {
        char *canon = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
        if (!canon) {
            json_decref(props);
            return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
        }
        rc = vg_uuid_v5(VG_UUID_STIX_NAMESPACE, canon, strlen(canon), uuid, err);
        vg_free(canon);
    } else {
        rc = vg_uuid_v4(uuid, err);
    }
    if (rc) {
        json_decref(props);
        return rc;
    }
    snprintf(id_out, 80, "%s--%s", type, uuid);
    json_t *sco = json_object();
    int bad = !sco;
    if (!bad) {
        bad |= json_object_set_new(sco, "type", json_string(type));
        bad |= json_object_set_new(sco, "spec_version", json_string("2.1"));
        bad |= json_object_set_new(sco, "id", json_string(id_out));
        bad |= json_object_update(sco, props);
    }
    json_decref(props);
    if (bad) {
        json_decref(sco);
        return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
    }
    o->v[o->n++] = sco;
    return 0;
}

static const char *hash_algo(size_t len)
{
    switch (len) {
    case 32: return "MD5";
    case 40: return "SHA-1";
    case 64: return "SHA-256";
    case 128: return "SHA-512";
    default: return NULL;
    }
}

/* A file SCO named `name` (in the directory SCO `dir_id` when non-empty). */
static int add_file_named(objs *o, const char *name, const char *dir_id, char id[80], vg_error *err)
{
    json_t *p = json_object();
    if (!p || json_object_set_new(p, "name", json_string(name)) ||
        (dir_id[0] && json_object_set_new(p, "parent_directory_ref", json_string(dir_id)))) {
        json_decref(p);
        return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
    }
    return add_sco(o, "file", p, 1, id, err);
}

/* The SCOs of one observed value (none for kinds without a standard observable: wallets, whole strings).
   refs gets their ids, refs_n how many. */
static int scos_for(objs *o, int kind, const char *value, char refs[3][80], size_t *refs_n, vg_error *err)
{
    *refs_n = 0;
    const char *type = NULL;
    switch (kind) {
    case IDX_K_DOMAIN: type = "domain-name"; break;
    case IDX_K_URL: type = "url"; break;
    case IDX_K_IPV4: type = "ipv4-addr"; break;
    case IDX_K_IPV6: type = "ipv6-addr"; break;
    case IDX_K_EMAIL: type = "email-addr"; break;
    case IDX_K_APP_ID: type = "software"; break;
    default: break;
    }
    if (type) {
        json_t *p = json_pack("{s:s}", kind == IDX_K_APP_ID ? "name" : "value", value);
        if (!p)
            return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
        *refs_n = 1;
        return add_sco(o, type, p, 1, refs[0], err);
    }
    int rc = 0;
    const char *algo = NULL;
    const char *slash = NULL;
    switch (kind) {
    case IDX_K_HASH:
        if (!(algo = hash_algo(strlen(value))))
            return 0;
        json_t *p = json_pack("{s:{s:s}}", "hashes", algo, value);
        if (!p)
            return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
        *refs_n = 1;
        return add_sco(o, "file", p, 1, refs[0], err);
    case IDX_K_FILE_NAME:
        *refs_n = 1;
        return add_file_named(o, value, "", refs[0], err);
    case IDX_K_FILE_PATH:
        slash = strrchr(value, '/');
        if (!slash || slash[1] == '\0') { /* a bare name, or a directory */
            if (!slash) {
                *refs_n = 1;
                return add_file_named(o, value, "", refs[0], err);
            }
            json_t *d = json_pack("{s:s}", "path", value);
            if (!d)
                return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
            *refs_n = 1;
            return add_sco(o, "directory", d, 1, refs[0], err);
        } else {
            size_t dl = slash == value ? 1 : (size_t)(slash - value);
            json_t *d = json_object();
            if (!d || json_object_set_new(d, "path", json_stringn(value, dl))) {
                json_decref(d);
                return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
            }
            if ((rc = add_sco(o, "directory", d, 1, refs[0], err)))
                return rc;
            *refs_n = 2;
            return add_file_named(o, slash + 1, refs[0], refs[1], err);
        }
    case IDX_K_PROCESS: {
        if ((rc = add_file_named(o, value, "", refs[0], err)))
            return rc;
        json_t *p = json_pack("{s:s}", "image_ref", refs[0]);
        if (!p)
            return vg_error_set(err, VG_E_NOMEM, "out of memory building an observable");
        *refs_n = 2;
        return add_sco(o, "process", p, 0, refs[1], err); /* a process has no id-contributing property */
    }
    default:
        return 0;
    }
}

/* ---- the sighting ----------------------------------------------------------- */

int scan_org_valid(const char *s)
{
    const char *u = NULL;
    if (!strncmp(s, "identity--", 10))
        u = s + 10;
    else if (!strncmp(s, "location--", 10))
        u = s + 10;
    if (!u || strlen(u) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
            return 0;
    }
    return 1;
}

int scan_sighting_json(const idx *x, const scan_summary *sum, const scan_agg *a, json_t *out[SCAN_SIGHTING_OBJECTS],
                       size_t *nout, vg_error *err)
{
    *nout = 0;
    for (size_t i = 0; i < SCAN_SIGHTING_OBJECTS; i++)
        out[i] = NULL;
    char uuid[VG_UUID_STR], id[64], now[VG_TIME_MAX], first[VG_TIME_MAX], last[VG_TIME_MAX];
    int rc = vg_uuid_v4(uuid, err);
    if (rc)
        return rc;
    snprintf(id, sizeof id, "sighting--%s", uuid);
    vg_time tn = vg_time_now(3);
    vg_time_format_digits(&tn, 3, now);
    vg_time_format_digits(a->has_seen ? &a->first_seen : &sum->started, 3, first);
    vg_time_format_digits(a->has_seen ? &a->last_seen : &sum->ended, 3, last);
    json_int_t count = a->count > 999999999 ? 999999999 : (json_int_t)a->count;

    /* the observed-data of the first hit, with its observables (slots 1..) */
    objs o = {out + 1, 0};
    char refs[3][80], od_id[64] = "";
    size_t nrefs = 0;
    if (a->first_value && (rc = scos_for(&o, a->first_kind, a->first_value, refs, &nrefs, err)))
        goto fail;
    if (nrefs) {
        if ((rc = vg_uuid_v4(uuid, err)))
            goto fail;
        snprintf(od_id, sizeof od_id, "observed-data--%s", uuid);
        json_t *od = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:[]}", "type", "observed-data", "spec_version",
                               "2.1", "id", od_id, "created", now, "modified", now, "first_observed", first,
                               "last_observed", last, "number_observed", count ? count : 1, "object_refs");
        json_t *arr = od ? json_object_get(od, "object_refs") : NULL;
        int bad = !od;
        for (size_t i = 0; !bad && i < nrefs; i++)
            bad |= json_array_append_new(arr, json_string(refs[i]));
        if (bad) {
            json_decref(od);
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory building a sighting");
            goto fail;
        }
        /* observed-data first, then its observables */
        memmove(out + 2, out + 1, o.n * sizeof *out);
        out[1] = od;
        o.n++;
    }

    json_t *s = json_object(), *ev = json_object();
    json_t *fw = where_json(a->first_file, a->first_line, a->first_packet, a->first_offset, a->first_field, a->first_value);
    json_t *lw = where_json(a->last_file, a->last_line, a->last_packet, a->last_offset, NULL, a->last_value);
    int bad = !s || !ev || !fw || !lw;
    if (!bad) {
        bad |= json_object_set_new(s, "type", json_string("sighting"));
        bad |= json_object_set_new(s, "spec_version", json_string("2.1"));
        bad |= json_object_set_new(s, "id", json_string(id));
        bad |= json_object_set_new(s, "created", json_string(now));
        bad |= json_object_set_new(s, "modified", json_string(now));
        bad |= json_object_set_new(s, "sighting_of_ref", json_string(idx_indicator_id(x, a->indicator)));
        bad |= json_object_set_new(s, "count", json_integer(count));
        bad |= json_object_set_new(s, "first_seen", json_string(first));
        bad |= json_object_set_new(s, "last_seen", json_string(last));
        if (od_id[0])
            bad |= json_object_set_new(s, "observed_data_refs", json_pack("[s]", od_id));
        if (sum->org)
            bad |= json_object_set_new(s, "where_sighted_refs", json_pack("[s]", sum->org));
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
        rc = vg_error_set(err, VG_E_NOMEM, "out of memory building a sighting");
        goto fail;
    }
    out[0] = s;
    *nout = 1 + o.n;
    return 0;
fail:
    for (size_t i = 0; i < SCAN_SIGHTING_OBJECTS; i++) {
        json_decref(out[i]);
        out[i] = NULL;
    }
    return rc;
}

/* Stores one object (compact JSON) in the default collection. */
static int put_json(store *st, json_t *obj, vg_error *err)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return vg_error_set(err, VG_E_NOMEM, "out of memory recording sightings");
    stix_meta m;
    int rc = stix_meta_get(obj, &m, err);
    if (!rc) {
        int has_version = 0;
        vg_time ver = stix_meta_version(&m, &has_version);
        store_object so = {.id = m.id, .type = m.type, .spec_version = m.spec_version, .has_version = has_version,
                           .version = ver, .has_created = m.has_created, .created = m.created, .revoked = 0,
                           .json = text, .json_len = strlen(text)};
        int inserted = 0;
        rc = store_put(st, NULL, &so, &inserted, err);
    }
    vg_free(text);
    return rc;
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
        json_t *objv[SCAN_SIGHTING_OBJECTS];
        size_t nobj = 0;
        rc = scan_sighting_json(x, sum, a, objv, &nobj, err);
        if (rc)
            break;
        /* observables and observed-data before the sighting that refers to them */
        for (size_t j = nobj; j-- > 0 && !rc;)
            rc = put_json(st, objv[j], err);
        if (!rc && out) {
            out[k] = vg_strdup(json_string_value(json_object_get(objv[0], "id")));
            if (!out[k])
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory recording sightings");
            else
                k++;
        }
        for (size_t j = 0; j < nobj; j++)
            json_decref(objv[j]);
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
