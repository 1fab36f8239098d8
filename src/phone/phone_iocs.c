/*
 * phone_iocs.c - a match index straight from STIX bundle files, for checking
 * a phone against a spyware bundle without importing it (`--iocs FILE`), and
 * the name a finding shows for its indicator.
 *
 * The index is the scan's (scan_index_from_files: streamed, indicators with
 * what they `indicate`), so a check with `--iocs`, with the store or with an
 * index saved by `vigil index build` names its indicators the same way.
 * Spyware bundles (Amnesty's, MVT's) give indicators no name and say what they
 * indicate with `indicates` relationships to a malware object: such an
 * indicator is shown with the name of what it indicates, so a finding says
 * "Pegasus", not only an id. Patterns go through the index's own pattern
 * handling (no string splitting): `url:value` with an '=' inside, subdomains
 * and the non-standard app:id types are all handled there.
 */
#include <errno.h>
#include <sys/stat.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "phone/phone_int.h"
#include "scan/scan.h"

#define MAX_FILES 4096 /* bundle files taken from the folders given */

typedef struct files {
    char **v;
    size_t n;
    vg_error *err;
} files;

static int on_file(const char *file, uint64_t size, void *p)
{
    files *f = p;
    (void)size;
    size_t n = strlen(file);
    static const char *const exts[] = {".json", ".stix2", ".stix"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcmp(file + n - e, exts[i]) == 0) {
            if (f->n == MAX_FILES)
                return vg_error_set(f->err, VG_E_LIMIT, "more than %d bundle files in the folders given", MAX_FILES);
            if (!(f->v[f->n] = vg_strdup(file)))
                return vg_error_set(f->err, VG_E_NOMEM, "out of memory listing bundle files");
            f->n++;
            return 0;
        }
    }
    return 0;
}

int phone_index_from_files(const char *const *paths, size_t n, idx **out, vg_error *err)
{
    *out = NULL;
    files f = {vg_calloc(MAX_FILES, sizeof(char *)), 0, err};
    int rc = f.v ? 0 : vg_error_set(err, VG_E_NOMEM, "out of memory listing bundle files");
    for (size_t i = 0; i < n && !rc; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0)
            rc = vg_error_set(err, VG_E_NOTFOUND, "cannot read %s: %s", paths[i], strerror(errno));
        else if (S_ISDIR(sb.st_mode))
            rc = ev_walk(paths[i], on_file, &f, err);
        else if (f.n == MAX_FILES)
            rc = vg_error_set(err, VG_E_LIMIT, "more than %d bundle files given", MAX_FILES);
        else if (!(f.v[f.n++] = vg_strdup(paths[i])))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory listing bundle files");
    }
    if (!rc)
        rc = scan_index_from_files((const char *const *)f.v, f.n, NULL, out, err);
    for (size_t i = 0; f.v && i < f.n; i++)
        vg_free(f.v[i]);
    vg_free(f.v);
    return rc;
}

const char *phone_indicator_label(const idx *x, uint32_t i, char *buf, size_t cap)
{
    const char *name = idx_indicator_name(x, i);
    if (name[0] || cap == 0)
        return name;
    /* "Pegasus (malware), NSO Group (intrusion-set)": the first one's name */
    const char *a = idx_indicator_attribution(x, i);
    const char *end = strstr(a, " (");
    size_t n = end ? (size_t)(end - a) : strcspn(a, ",");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, a, n);
    buf[n] = 0;
    return buf;
}
