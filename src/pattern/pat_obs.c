/*
 * pat_obs.c - observed-data turned into what the evaluator walks.
 *
 * Each observed-data becomes one observation: its time span
 * (first_observed .. last_observed, in nanoseconds), its number_observed,
 * and its "roots" - the cyber-observables a comparison may bind to. STIX 2.1
 * observed-data lists them by id in object_refs (looked up among every
 * object given alongside); STIX 2.0 observed-data holds them in an `objects`
 * dictionary whose keys the _ref properties use. Both forms may be mixed.
 * Everything is borrowed from the input, of which the set keeps a reference.
 */
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern_int.h"

static int bad(vg_error *err, size_t i, const char *prop, const char *msg)
{
    vg_error_set(err, VG_E_INVALID, "observed-data %s", msg);
    if (prop)
        vg_error_where(err, "objects[%zu].%s", i, prop);
    else
        vg_error_where(err, "objects[%zu]", i);
    return VG_E_INVALID;
}

static int get_time(json_t *o, const char *prop, size_t i, int64_t *ns, vg_error *err)
{
    const char *s = json_string_value(json_object_get(o, prop));
    if (!s)
        return bad(err, i, prop, "has no timestamp here (first_observed and last_observed are required)");
    vg_time t;
    vg_error e = {0};
    if (vg_time_parse(s, strlen(s), VG_TIME_RFC3339, &t, &e)) {
        vg_error_set(err, VG_E_INVALID, "observed-data %s is not a valid timestamp: %s", prop, e.msg);
        vg_error_where(err, "objects[%zu].%s", i, prop);
        return VG_E_INVALID;
    }
    *ns = pat__time_ns(&t);
    return 0;
}

static int push_root(pat_observations *o, size_t *cap, const char *type, const char *id, json_t *obj)
{
    if (o->nroots == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        pat__root *nv = vg_realloc(o->roots, nc * sizeof *nv);
        if (!nv)
            return VG_E_NOMEM;
        o->roots = nv;
        *cap = nc;
    }
    pat__root *r = &o->roots[o->nroots++];
    r->type = type;
    r->id = id;
    r->obj = obj;
    return 0;
}

int pat_observations_from_json(json_t *input, pat_observations **out, vg_error *err)
{
    *out = NULL;
    json_t *list = input;
    json_t *single = NULL;
    if (json_is_object(input)) {
        const char *type = json_string_value(json_object_get(input, "type"));
        if (type && strcmp(type, "bundle") == 0) {
            list = json_object_get(input, "objects");
        } else if (type && strcmp(type, "observed-data") == 0) {
            single = input;
            list = NULL;
        } else {
            return vg_error_set(err, VG_E_INVALID,
                                "expected a bundle, a list of objects or an observed-data object");
        }
    }
    if (!single && !json_is_array(list))
        return vg_error_set(err, VG_E_INVALID, "expected a bundle with objects, a JSON list of objects or an "
                                               "observed-data object");
    size_t n = single ? 1 : json_array_size(list);

    pat_observations *o = vg_calloc(1, sizeof *o);
    if (!o)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    o->input = json_incref(input);
    o->by_id = json_object();
    size_t nobs = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *x = single ? single : json_array_get(list, i);
        const char *type = json_string_value(json_object_get(x, "type"));
        if (type && strcmp(type, "observed-data") == 0)
            nobs++;
    }
    if (nobs > PAT_MAX_OBSERVATIONS) {
        pat_observations_free(o);
        return vg_error_set(err, VG_E_LIMIT, "%zu observed-data objects, over the ceiling of %u", nobs,
                            PAT_MAX_OBSERVATIONS);
    }
    o->obs = vg_calloc(nobs ? nobs : 1, sizeof *o->obs);
    if (!o->by_id || !o->obs)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        json_t *x = single ? single : json_array_get(list, i);
        const char *id = json_string_value(json_object_get(x, "id"));
        if (id && json_object_set(o->by_id, id, x))
            goto nomem;
    }
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *x = single ? single : json_array_get(list, i);
        const char *type = json_string_value(json_object_get(x, "type"));
        if (!type || strcmp(type, "observed-data") != 0)
            continue;
        pat__obs *ob = &o->obs[o->nobs];
        const char *id = json_string_value(json_object_get(x, "id"));
        ob->id = id ? id : "";
        int rc;
        if ((rc = get_time(x, "first_observed", i, &ob->first, err)) ||
            (rc = get_time(x, "last_observed", i, &ob->last, err))) {
            pat_observations_free(o);
            return rc;
        }
        if (ob->last < ob->first) {
            pat_observations_free(o);
            return bad(err, i, "last_observed", "has last_observed before first_observed");
        }
        json_t *no = json_object_get(x, "number_observed");
        ob->count = 1;
        if (no) {
            if (!json_is_integer(no) || json_integer_value(no) < 1) {
                pat_observations_free(o);
                return bad(err, i, "number_observed", "number_observed must be an integer of at least 1");
            }
            ob->count = json_integer_value(no);
        }
        ob->root0 = o->nroots;
        json_t *objs = json_object_get(x, "objects");
        json_t *refs = json_object_get(x, "object_refs");
        if (json_is_object(objs)) {
            ob->objects = objs;
            const char *key;
            json_t *v;
            json_object_foreach(objs, key, v) {
                const char *t = json_string_value(json_object_get(v, "type"));
                if (t && push_root(o, &cap, t, key, v))
                    goto nomem;
            }
        } else if (json_is_array(refs)) {
            size_t k;
            json_t *r;
            json_array_foreach(refs, k, r) {
                const char *rid = json_string_value(r);
                json_t *v = rid ? json_object_get(o->by_id, rid) : NULL;
                const char *t = json_string_value(json_object_get(v, "type"));
                if (t && push_root(o, &cap, t, rid, v))
                    goto nomem;
            }
        } else {
            pat_observations_free(o);
            return bad(err, i, NULL, "has neither object_refs (STIX 2.1) nor objects (STIX 2.0)");
        }
        ob->nroots = o->nroots - ob->root0;
        o->nobs++;
    }
    *out = o;
    return 0;
nomem:
    pat_observations_free(o);
    return vg_error_set(err, VG_E_NOMEM, "out of memory");
}

void pat_observations_free(pat_observations *o)
{
    if (!o)
        return;
    json_decref(o->by_id);
    json_decref(o->input);
    vg_free(o->obs);
    vg_free(o->roots);
    vg_free(o);
}

size_t pat_observations_count(const pat_observations *o) { return o ? o->nobs : 0; }

const char *pat_observation_id(const pat_observations *o, size_t i)
{
    return o && i < o->nobs ? o->obs[i].id : "";
}
