/*
 * intel_import.c - STIX bundles into the store, and the store out as a bundle.
 *
 * The import pipeline per object: read (streamed) -> upgrade if STIX 2.0 ->
 * validate -> serialise -> store_put. Files are transactions, so a file cut
 * short by a syntax error or an interrupted process changes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "intel/intel.h"

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int importable_name(const char *name)
{
    static const char *const exts[] = {".json", ".stix", ".stix2", ".json.gz", ".stix.gz", ".stix2.gz"};
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (has_suffix(name, exts[i]))
            return 1;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Stores one parsed object; returns 0, or a negative code for a store failure. */
static int take_object(store *s, json_t *obj, const stix_pos *pos, int bundle_20, const char *raw, size_t raw_len,
                       const char *file, const intel_import_opts *o, intel_import_stats *st, stix_issues *issues,
                       vg_error *err)
{
    int changed = 0;
    stix_meta m;
    vg_error merr = {0};
    intel_invalid bad = {file, pos->index, pos->line, pos->col, NULL, NULL, NULL};
    json_t *idv = json_object_get(obj, "id");
    bad.id = json_is_string(idv) ? json_string_value(idv) : NULL;
    if (stix_is_20(obj, bundle_20)) {
        int rc = stix_upgrade_20(obj, &merr);
        if (rc == VG_E_NOMEM)
            return vg_error_set(err, rc, "out of memory upgrading a STIX 2.0 object");
        if (!rc)
            st->upgraded++;
        changed = 1;
    }
    stix_issues_clear(issues);
    int rc = stix_validate(obj, 0, issues);
    if (rc)
        return vg_error_set(err, rc, "cannot validate an object: %s", vg_strerror(rc));
    if (issues->errors || (rc = stix_meta_get(obj, &m, &merr))) {
        if (rc == VG_E_NOMEM)
            return vg_error_set(err, rc, "out of memory");
        st->invalid++;
        bad.issues = issues->errors ? issues : NULL;
        bad.err = issues->errors ? NULL : &merr;
        if (o->on_invalid)
            o->on_invalid(&bad, o->ctx);
        return 0;
    }
    if (issues->n) {
        st->warnings++;
        bad.issues = issues;
        if (o->on_warning)
            o->on_warning(&bad, o->ctx);
    }
    /* Unchanged objects are stored as they came (minified); upgraded ones re-serialised. */
    size_t len = raw_len;
    char *text = changed || !raw ? stix_dump(obj, &len) : NULL;
    if (!text && (changed || !raw))
        return vg_error_set(err, VG_E_NOMEM, "out of memory serialising %s", m.id);
    store_object so = {.id = m.id, .type = m.type, .spec_version = m.spec_version, .revoked = m.revoked,
                       .json = text ? text : raw, .json_len = len, .has_created = m.has_created, .created = m.created};
    so.version = stix_meta_version(&m, &so.has_version);
    int inserted = 0;
    rc = store_put(s, o->collection, &so, &inserted, err);
    vg_free(text);
    if (rc)
        return vg_error_prefix_where(err, "%s object %llu (%s):", file, (unsigned long long)pos->index, m.id);
    if (inserted)
        st->imported++;
    else
        st->unchanged++;
    return 0;
}

static int import_file(store *s, const char *path, const intel_import_opts *o, intel_import_stats *st,
                       vg_error *err)
{
    stix_reader *r;
    int rc = stix_reader_open(path, &o->reader, &r, err);
    if (rc)
        return rc;
    stix_issues issues = {0};
    int own_txn = !o->caller_txn;
    if (own_txn && (rc = store_begin(s, err))) {
        stix_reader_free(r);
        return rc;
    }
    st->files++;
    uint64_t in_batch = 0, last_tick = 0;
    for (;;) {
        json_t *obj = NULL;
        stix_pos pos = {0};
        vg_error oerr = {0};
        int got = stix_reader_next(r, &obj, &pos, &oerr);
        if (got == 0)
            break;
        if (got == VG_E_INVALID) {
            st->read++;
            st->invalid++;
            intel_invalid bad = {path, pos.index, pos.line, pos.col, NULL, NULL, &oerr};
            if (o->on_invalid)
                o->on_invalid(&bad, o->ctx);
            continue;
        }
        if (got < 0) {
            *err = oerr;
            rc = got;
            break;
        }
        st->read++;
        size_t raw_len;
        const char *raw = stix_reader_text(r, &raw_len);
        rc = take_object(s, obj, &pos, stix_reader_bundle_is_20(r), raw, raw_len, path, o, st, &issues, err);
        json_decref(obj);
        if (rc)
            break;
        if (own_txn && o->batch && ++in_batch >= o->batch) {
            in_batch = 0;
            if ((rc = store_commit(s, err)) || (rc = store_begin(s, err)))
                break;
        }
        if (o->progress.fn && (st->read & 1023) == 0) {
            uint64_t t = now_ms();
            if (t - last_tick >= 100) {
                last_tick = t;
                o->progress.fn(path, stix_reader_bytes_read(r), stix_reader_bytes_total(r), o->progress.ctx);
            }
        }
    }
    if (o->progress.fn)
        o->progress.fn(path, stix_reader_bytes_read(r), stix_reader_bytes_total(r), o->progress.ctx);
    stix_issues_free(&issues);
    stix_reader_free(r);
    if (own_txn) {
        if (rc)
            store_rollback(s);
        else
            rc = store_commit(s, err);
    }
    return rc;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int import_dir(store *s, const char *path, const intel_import_opts *o, intel_import_stats *st, int depth,
                      vg_error *err)
{
    if (depth > 32)
        return vg_error_set(err, VG_E_LIMIT, "folders nested deeper than 32 levels under %s", path);
    DIR *d = opendir(path);
    if (!d)
        return vg_error_set(err, VG_E_IO, "cannot open folder %s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = vg_realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", path);
                break;
            }
            names = nn;
        }
        if (!(names[n] = vg_strdup(e->d_name)))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", path);
        else
            n++;
    }
    closedir(d);
    if (!rc)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; !rc && i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = vg_malloc(len);
        if (!child) {
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
            break;
        }
        snprintf(child, len, "%s/%s", path, names[i]);
        struct stat sb;
        if (stat(child, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = import_dir(s, child, o, st, depth + 1, err);
        else if (importable_name(names[i]))
            rc = import_file(s, child, o, st, err);
        vg_free(child);
    }
    for (size_t i = 0; i < n; i++)
        vg_free(names[i]);
    vg_free(names);
    return rc;
}

int intel_import_path(store *s, const char *path, const intel_import_opts *o, intel_import_stats *st,
                      vg_error *err)
{
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return import_dir(s, path, o, st, 0, err);
    return import_file(s, path, o, st, err);
}

int intel_export_bundle(store *s, const store_query *q, FILE *out, uint64_t *count, vg_error *err)
{
    char uuid[VG_UUID_STR];
    int rc = vg_uuid_v4(uuid, err);
    if (rc)
        return rc;
    store_iter *it;
    if ((rc = store_query_open(s, q, &it, err)))
        return rc;
    uint64_t n = 0;
    fprintf(out, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid);
    store_row row;
    while ((rc = store_iter_next(it, &row, err)) == 1) {
        fputs(n ? ",\n" : "\n", out);
        fwrite(row.json, 1, row.json_len, out);
        n++;
    }
    store_iter_free(it);
    if (rc < 0)
        return rc;
    fputs(n ? "\n]}\n" : "]}\n", out);
    if (fflush(out) != 0 || ferror(out))
        return vg_error_set(err, VG_E_IO, "cannot write the bundle: %s", strerror(errno));
    if (count)
        *count = n;
    return 0;
}
