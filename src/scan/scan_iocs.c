/*
 * scan_iocs.c - an index straight from STIX files, without a store
 * (`vigil scan --iocs pegasus.stix2 access.log`).
 *
 * Each file is read with the streaming STIX reader (a bundle, or a JSON array
 * of objects; STIX 2.0 or 2.1). Of an indicator given more than once (several
 * versions), the one with the latest `modified` is indexed, as the store
 * would: later versions replace earlier ones whatever their order in the
 * files. Objects that are not indicators are passed over.
 */
#include <jansson.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "scan/scan.h"
#include "stix/stix.h"

/* Keeps o in latest (id -> object) unless a later version is there already. */
static int keep_latest(json_t *latest, json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!id)
        return 0;
    json_t *old = json_object_get(latest, id);
    if (old) {
        vg_time a, b;
        const char *ma = json_string_value(json_object_get(old, "modified"));
        const char *mb = json_string_value(json_object_get(o, "modified"));
        if (!mb || (ma && (vg_time_parse(ma, strlen(ma), VG_TIME_RFC3339, &a, NULL) != 0 ||
                           vg_time_parse(mb, strlen(mb), VG_TIME_RFC3339, &b, NULL) != 0 ||
                           vg_time_cmp(&b, &a) <= 0)))
            return 0;
    }
    return json_object_set(latest, id, o) ? VG_E_NOMEM : 0;
}

int scan_index_from_files(const char *const *paths, size_t npaths, const vg_time *now, idx **out, vg_error *err)
{
    *out = NULL;
    json_t *latest = json_object();
    if (!latest)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading indicators");
    int rc = 0;
    for (size_t i = 0; i < npaths && !rc; i++) {
        stix_reader *r = NULL;
        rc = stix_reader_open(paths[i], NULL, &r, err);
        json_t *o;
        stix_pos pos;
        int n;
        while (!rc && (n = stix_reader_next(r, &o, &pos, err)) != 0) {
            if (n == VG_E_INVALID)
                continue; /* one bad element: the rest of the file is still read */
            if (n < 0) {
                rc = n;
                break;
            }
            const char *type = json_string_value(json_object_get(o, "type"));
            if (type && strcmp(type, "indicator") == 0 && keep_latest(latest, o))
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading indicators");
            json_decref(o);
        }
        stix_reader_free(r);
    }
    idx_builder *b = NULL;
    if (!rc)
        rc = idx_builder_new(&b, err);
    vg_time t = now ? *now : vg_time_now(0);
    const char *key;
    json_t *v;
    json_object_foreach(latest, key, v) {
        if (rc)
            break;
        rc = idx_builder_add_indicator(b, v, &t, NULL, err);
    }
    json_decref(latest);
    if (rc) {
        idx_builder_free(b);
        return rc;
    }
    rc = idx_builder_finish(b, out, err);
    if (!rc) {
        char src[256];
        size_t k = (size_t)snprintf(src, sizeof src, "file%s", npaths > 1 ? "s" : "");
        for (size_t i = 0; i < npaths && k < sizeof src; i++)
            k += (size_t)snprintf(src + k, sizeof src - k, " %s", paths[i]);
        idx_set_origin(*out, src, NULL);
    }
    return rc;
}
