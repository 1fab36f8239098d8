/*
 * phone_iocs.c - a match index straight from STIX bundle files, for checking
 * a phone against a spyware bundle without importing it (`--iocs FILE`).
 *
 * Spyware bundles (Amnesty, MVT's) give indicators no name and say what they
 * indicate with `indicates` relationships to a malware object; an indicator
 * without a name takes the name of what it indicates, so a finding says
 * "Pegasus", not only an id. Patterns go through the index's own pattern
 * handling (no string splitting): `url:value` with an '=' inside, subdomains
 * and the non-standard app:id types are all handled there.
 */
#include <errno.h>
#include <jansson.h>
#include <sys/stat.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define MAX_BUNDLE (256u << 20)

static int add_bundle(idx_builder *b, const char *path, const vg_time *now, vg_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(path, MAX_BUNDLE, &data, &len, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    vg_free(data);
    if (!root) {
        vg_error_set(err, VG_E_PARSE, "%s is not JSON: %s", path, je.text);
        return vg_error_where(err, "%s:%d:%d", path, je.line, je.column);
    }
    json_t *objs = json_object_get(root, "objects");
    if (!json_is_array(objs)) {
        json_decref(root);
        return vg_error_set(err, VG_E_PARSE, "%s is not a STIX bundle (no \"objects\" array)", path);
    }
    /* names of what indicators can indicate, by id */
    json_t *names = json_object();
    json_t *ind_name = json_object();
    rc = names && ind_name ? 0 : vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *id = json_string_value(json_object_get(o, "id"));
        json_t *name = json_object_get(o, "name");
        if (rc || !type || !id || !json_is_string(name) || strcmp(type, "indicator") == 0)
            continue;
        if (json_object_set(names, id, name))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
    }
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *rt = json_string_value(json_object_get(o, "relationship_type"));
        const char *src = json_string_value(json_object_get(o, "source_ref"));
        const char *dst = json_string_value(json_object_get(o, "target_ref"));
        if (rc || !type || strcmp(type, "relationship") || !rt || strcmp(rt, "indicates") || !src || !dst)
            continue;
        json_t *n = json_object_get(names, dst);
        if (n && !json_object_get(ind_name, src) && json_object_set(ind_name, src, n))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
    }
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (rc || !type || strcmp(type, "indicator") != 0)
            continue;
        const char *id = json_string_value(json_object_get(o, "id"));
        json_t *n = id ? json_object_get(ind_name, id) : NULL;
        if (n && !json_object_get(o, "name") && json_object_set(o, "name", n))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
        if (!rc)
            rc = idx_builder_add_indicator(b, o, now, NULL, err);
    }
    json_decref(names);
    json_decref(ind_name);
    json_decref(root);
    return rc;
}

typedef struct walk_ctx {
    idx_builder *b;
    const vg_time *now;
    vg_error *err;
} walk_ctx;

static int on_file(const char *file, uint64_t size, void *p)
{
    walk_ctx *w = p;
    (void)size;
    size_t n = strlen(file);
    static const char *const exts[] = {".json", ".stix2", ".stix"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcmp(file + n - e, exts[i]) == 0)
            return add_bundle(w->b, file, w->now, w->err);
    }
    return 0;
}

int phone_index_from_files(const char *const *paths, size_t n, idx **out, vg_error *err)
{
    *out = NULL;
    idx_builder *b = NULL;
    int rc = idx_builder_new(&b, err);
    if (rc)
        return rc;
    vg_time now = vg_time_now(0);
    for (size_t i = 0; i < n && !rc; i++) {
        walk_ctx w = {b, &now, err};
        struct stat sb;
        if (stat(paths[i], &sb) != 0)
            rc = vg_error_set(err, VG_E_NOTFOUND, "cannot read %s: %s", paths[i], strerror(errno));
        else
            rc = S_ISDIR(sb.st_mode) ? ev_walk(paths[i], on_file, &w, err) : add_bundle(b, paths[i], &now, err);
    }
    if (rc) {
        idx_builder_free(b);
        return rc;
    }
    return idx_builder_finish(b, out, err);
}
