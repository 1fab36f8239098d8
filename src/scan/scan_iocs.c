/*
 * scan_iocs.c - an index straight from STIX files, without a store
 * (`vigil scan --iocs pegasus.stix2 access.log`).
 *
 * Each file is read with the streaming STIX reader (a bundle, or a JSON array
 * of objects; STIX 2.0 or 2.1) and each indicator goes into the builder as it
 * is read. Of an indicator given more than once (several versions), the one
 * with the latest `modified` is indexed, as the store would: a later version
 * replaces an earlier one whatever their order in the files. Objects that
 * are not indicators are passed over.
 */
#include <jansson.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "scan/scan.h"
#include "scan/scan_int.h"
#include "stix/stix.h"

/*
 * The versions seen so far, by id: each indicator goes into the builder as it
 * is read, and a later version of one already there takes its place
 * (idx_builder_drop), so nothing is held but this table (ids in one arena).
 */
typedef struct seen {
    size_t id_off;    /* the id in the arena (NUL-terminated) */
    uint64_t hash;    /* of the id */
    vg_time modified; /* of the version in the builder ("created" when no modified) */
    uint32_t ind;     /* its number in the builder, UINT32_MAX when it was skipped */
    int status;       /* IDX_* outcome */
} seen;

typedef struct seen_map {
    seen *v;        /* entries */
    size_t n, cap;
    uint32_t *slot; /* open addressing: entry + 1, 0 empty */
    size_t nslots;  /* power of two */
    vg_buf ids;     /* the arena */
} seen_map;

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static int grow(seen_map *m)
{
    size_t ns = m->nslots ? m->nslots * 2 : 1024;
    uint32_t *sl = vg_calloc(ns, sizeof *sl);
    if (!sl)
        return VG_E_NOMEM;
    for (size_t i = 0; i < m->n; i++) {
        size_t pos = m->v[i].hash & (ns - 1);
        while (sl[pos])
            pos = (pos + 1) & (ns - 1);
        sl[pos] = (uint32_t)(i + 1);
    }
    vg_free(m->slot);
    m->slot = sl;
    m->nslots = ns;
    return 0;
}

/* The entry of id, or a new one (*fresh = 1) ready to fill. NULL when out of memory. */
static seen *seen_get(seen_map *m, const char *id, int *fresh)
{
    if ((m->n + 1) * 2 > m->nslots && grow(m))
        return NULL;
    uint64_t h = hash_id(id);
    size_t pos = h & (m->nslots - 1);
    while (m->slot[pos]) {
        seen *e = &m->v[m->slot[pos] - 1];
        if (e->hash == h && strcmp(m->ids.data + e->id_off, id) == 0) {
            *fresh = 0;
            return e;
        }
        pos = (pos + 1) & (m->nslots - 1);
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        seen *nv = vg_realloc(m->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        m->v = nv;
        m->cap = nc;
    }
    size_t off = m->ids.len;
    if (vg_buf_append(&m->ids, id, strlen(id) + 1))
        return NULL;
    seen *e = &m->v[m->n++];
    memset(e, 0, sizeof *e);
    e->id_off = off;
    e->hash = h;
    m->slot[pos] = (uint32_t)m->n;
    *fresh = 1;
    return e;
}

static void seen_free(seen_map *m)
{
    vg_free(m->v);
    vg_free(m->slot);
    vg_buf_free(&m->ids);
}

static int version_of(json_t *o, vg_time *t)
{
    const char *v = json_string_value(json_object_get(o, "modified"));
    if (!v)
        v = json_string_value(json_object_get(o, "created"));
    return v && vg_time_parse(v, strlen(v), VG_TIME_RFC3339, t, NULL) == 0;
}

/* Adds one indicator unless a later version of it is in already. */
static int take(idx_builder *b, seen_map *m, json_t *o, const vg_time *now, vg_error *err)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!id)
        return idx_builder_add_indicator(b, o, now, NULL, err); /* counted (no pattern to index without an id) */
    vg_time ver = {0};
    int has = version_of(o, &ver), fresh = 0;
    seen *e = seen_get(m, id, &fresh);
    if (!e)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading indicators");
    if (!fresh) {
        if (!has || vg_time_cmp(&ver, &e->modified) <= 0)
            return 0; /* an earlier (or the same) version of one already in */
        idx_builder_drop(b, e->ind, e->status);
    }
    uint32_t next = idx_builder_count_inds(b);
    int status = 0, rc = idx_builder_add_indicator(b, o, now, &status, err);
    if (rc)
        return rc;
    e->modified = ver;
    e->status = status;
    e->ind = (status == IDX_ADDED || status == IDX_ADDED_PARTIAL) ? next : UINT32_MAX;
    return 0;
}

int scan_index_from_files(const char *const *paths, size_t npaths, const vg_time *now, idx **out, vg_error *err)
{
    *out = NULL;
    seen_map m = {0};
    vg_buf_init(&m.ids, 0);
    scan_attrib at;
    scan__attrib_init(&at);
    idx_builder *b = NULL;
    int rc = idx_builder_new(&b, err);
    vg_time t = now ? *now : vg_time_now(0);
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
            if (type && strcmp(type, "indicator") == 0)
                rc = take(b, &m, o, &t, err);
            else if (type)
                rc = scan__attrib_object(&at, o, err);
            json_decref(o);
        }
        stix_reader_free(r);
    }
    seen_free(&m);
    if (!rc)
        rc = scan__attrib_apply(&at, b, err);
    scan__attrib_free(&at);
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
