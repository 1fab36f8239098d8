/*
 * scan_attrib.c - what an indicator points at: while the objects of a store
 * or of bundles go by, the names of malware, tools, intrusion sets, threat
 * actors and campaigns and the `indicates` relationships from indicators are
 * noted; once every indicator is in the builder, each gets "Name (type)" of
 * what it indicates (idx_builder_attribute), so a hit says "Pegasus
 * (malware)" and not only an indicator id.
 */
#include <string.h>

#include "core/vg_alloc.h"
#include "scan/scan_int.h"

static const char *const named_types[] = {"malware", "tool", "intrusion-set", "threat-actor", "campaign"};

const char *const *scan__attrib_types(size_t *n)
{
    *n = sizeof named_types / sizeof named_types[0];
    return named_types;
}

void scan__attrib_init(scan_attrib *a)
{
    memset(a, 0, sizeof *a);
    vg_buf_init(&a->pairs, 0);
}

void scan__attrib_free(scan_attrib *a)
{
    json_decref(a->names);
    vg_buf_free(&a->pairs);
    memset(a, 0, sizeof *a);
}

/* Notes one `indicates` relationship from an indicator. VG_E_NOMEM. */
static int note_pair(scan_attrib *a, const char *src, const char *dst, vg_error *err)
{
    if (vg_buf_append(&a->pairs, src, strlen(src) + 1) || vg_buf_append(&a->pairs, dst, strlen(dst) + 1))
        return vg_error_set(err, VG_E_NOMEM, "out of memory noting relationships");
    return 0;
}

int scan__attrib_any_named(const scan_attrib *a)
{
    return a->names && json_object_size(a->names) > 0;
}

const char *scan__attrib_name(const scan_attrib *a, const char *id)
{
    return a->names ? json_string_value(json_object_get(a->names, id)) : NULL;
}

int scan__attrib_object(scan_attrib *a, json_t *o, vg_error *err)
{
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!type || !id)
        return 0;
    if (strcmp(type, "relationship") == 0) {
        const char *rt = json_string_value(json_object_get(o, "relationship_type"));
        const char *src = json_string_value(json_object_get(o, "source_ref"));
        const char *dst = json_string_value(json_object_get(o, "target_ref"));
        if (!rt || strcmp(rt, "indicates") != 0 || !src || strncmp(src, "indicator--", 11) != 0 || !dst)
            return 0;
        return note_pair(a, src, dst, err);
    }
    size_t n;
    const char *const *types = scan__attrib_types(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(type, types[i]) != 0)
            continue;
        const char *name = json_string_value(json_object_get(o, "name"));
        if (!name || !*name)
            return 0;
        if (!a->names && !(a->names = json_object()))
            return vg_error_set(err, VG_E_NOMEM, "out of memory noting names");
        char what[300];
        snprintf(what, sizeof what, "%s (%s)", name, type);
        if (json_object_set_new(a->names, id, json_string(what)))
            return vg_error_set(err, VG_E_NOMEM, "out of memory noting names");
        return 0;
    }
    return 0;
}

int scan__attrib_apply(scan_attrib *a, idx_builder *b, vg_error *err)
{
    if (!a->names)
        return 0;
    /* (indicator id, "Name (type)") for each relationship to something named */
    size_t n = 0, cap = 0;
    const char **pairs = NULL;
    for (size_t at = 0; at < a->pairs.len;) {
        const char *src = a->pairs.data + at;
        const char *dst = src + strlen(src) + 1;
        at = (size_t)(dst - a->pairs.data) + strlen(dst) + 1;
        const char *what = json_string_value(json_object_get(a->names, dst));
        if (!what)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            const char **np = vg_realloc(pairs, nc * 2 * sizeof *np);
            if (!np) {
                vg_free(pairs);
                return vg_error_set(err, VG_E_NOMEM, "out of memory attributing indicators");
            }
            pairs = np;
            cap = nc;
        }
        pairs[2 * n] = src;
        pairs[2 * n + 1] = what;
        n++;
    }
    int rc = n ? idx_builder_attribute_pairs(b, pairs, n, err) : 0;
    vg_free(pairs);
    return rc;
}
