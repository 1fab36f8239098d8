/*
 * phone_afs.c - file sets: the files of an Android acquisition, whether it
 * is a folder, a zip (a bugreport, an AndroidQF) or the tar inside an
 * `adb backup`, listed one way and read one way.
 *
 * A folder is walked once for its listing (path, size, time) and files are
 * read when a reader asks. An archive is read once with libarchive: every
 * entry is listed and the ones the caller wants (the readers' patterns) are
 * copied into memory as they pass, each under PHONE_AFS_MAX_FILE and all
 * together under PHONE_AFS_MAX_TOTAL, so a zip is never unpacked to disk. A
 * zip is first opened seekable (its central directory); when that fails (a
 * truncated zip has none) it is read again streaming from the start, and
 * the entries before the damage are kept with the damage noted.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "phone/phone_android_int.h"

#define MAX_DEPTH 32 /* folder nesting walked */

static int add_file(phone_afs *fs, size_t *cap, const char *path, uint64_t size, const vg_time *mtime, int is_dir,
                    vg_error *err)
{
    if (fs->n >= PHONE_AFS_MAX_FILES)
        return vg_error_set(err, VG_E_LIMIT, "more than %u files in the acquisition", PHONE_AFS_MAX_FILES);
    if (fs->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        phone_afile *f = vg_realloc(fs->files, nc * sizeof *f);
        if (!f)
            return vg_error_set(err, VG_E_NOMEM, "out of memory listing the acquisition");
        fs->files = f;
        *cap = nc;
    }
    phone_afile *f = &fs->files[fs->n];
    memset(f, 0, sizeof *f);
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    while (path[0] == '/')
        path++;
    f->path = vg_strdup(path);
    if (!f->path)
        return vg_error_set(err, VG_E_NOMEM, "out of memory listing the acquisition");
    f->size = size;
    f->is_dir = is_dir;
    if (mtime) {
        f->has_mtime = 1;
        f->mtime = *mtime;
    }
    fs->n++;
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const phone_afile *)a)->path, ((const phone_afile *)b)->path);
}

void phone__afs_unload(phone_afile *f)
{
    vg_free(f->data);
    f->data = NULL;
    f->len = 0;
}

void phone__afs_free(phone_afs *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++) {
        vg_free(fs->files[i].path);
        vg_free(fs->files[i].data);
    }
    vg_free(fs->files);
    vg_free(fs->dir);
    vg_free(fs->error);
    vg_free(fs);
}

/* ---- folders --------------------------------------------------------------------- */

static int walk(phone_afs *fs, size_t *cap, const char *root, const char *rel, int depth, vg_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return vg_error_set(err, errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO, "cannot read the folder %s: %s", dir,
                            strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char r[4096], full[8200];
        int n = snprintf(r, sizeof r, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (n < 0 || (size_t)n >= sizeof r)
            continue; /* a path too long to be one of ours */
        snprintf(full, sizeof full, "%s/%s", root, r);
        struct stat sb;
        if (lstat(full, &sb) != 0 || S_ISLNK(sb.st_mode))
            continue;
        vg_time t = vg_time_from_unix((int64_t)sb.st_mtim.tv_sec, (uint32_t)sb.st_mtim.tv_nsec, 0);
        if (S_ISDIR(sb.st_mode)) {
            if (depth >= MAX_DEPTH)
                continue;
            rc = add_file(fs, cap, r, 0, &t, 1, err);
            if (!rc)
                rc = walk(fs, cap, root, r, depth + 1, err);
        } else if (S_ISREG(sb.st_mode)) {
            rc = add_file(fs, cap, r, (uint64_t)sb.st_size, &t, 0, err);
        }
    }
    closedir(d);
    return rc;
}

int phone__afs_dir(const char *dir, phone_afs **out, vg_error *err)
{
    *out = NULL;
    phone_afs *fs = vg_calloc(1, sizeof *fs);
    if (!fs || !(fs->dir = vg_strdup(dir))) {
        vg_free(fs);
        return vg_error_set(err, VG_E_NOMEM, "out of memory listing %s", dir);
    }
    size_t cap = 0;
    int rc = walk(fs, &cap, dir, "", 0, err);
    if (rc) {
        phone__afs_free(fs);
        return rc;
    }
    if (fs->n)
        qsort(fs->files, fs->n, sizeof *fs->files, by_path);
    *out = fs;
    return 0;
}

int phone__afs_load(phone_afs *fs, phone_afile *f, size_t max, vg_error *err)
{
    if (f->data)
        return 0;
    if (!fs->dir)
        return vg_error_set(err, VG_E_IO, "%s was not read from the archive", f->path);
    if (max > PHONE_AFS_MAX_FILE)
        max = PHONE_AFS_MAX_FILE;
    char p[8200];
    snprintf(p, sizeof p, "%s/%s", fs->dir, f->path);
    return phone__read_file(p, max, &f->data, &f->len, err);
}

phone_afile *phone__afs_find(phone_afs *fs, const char *path)
{
    size_t lo = 0, hi = fs->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(fs->files[mid].path, path);
        if (c == 0)
            return &fs->files[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int phone__afs_strip_top(phone_afs *fs)
{
    if (!fs->n)
        return 0;
    char first[4096];
    snprintf(first, sizeof first, "%s", fs->files[0].path);
    char *slash = strchr(first, '/');
    if (slash)
        *slash = 0;
    size_t tl = strlen(first);
    for (size_t i = 0; i < fs->n; i++) {
        const char *p = fs->files[i].path;
        if (strncmp(p, first, tl) != 0 || (p[tl] != '/' && p[tl] != 0))
            return 0;
        if (p[tl] == 0 && !fs->files[i].is_dir)
            return 0; /* a file, not a folder, at the top */
    }
    if (fs->dir) { /* a folder set reads from disk: the stripped folder joins the root */
        size_t dl = strlen(fs->dir);
        char *nd = vg_realloc(fs->dir, dl + tl + 2);
        if (!nd)
            return 0;
        nd[dl] = '/';
        memcpy(nd + dl + 1, first, tl + 1);
        fs->dir = nd;
    }
    size_t k = 0;
    for (size_t i = 0; i < fs->n; i++) {
        phone_afile *f = &fs->files[i];
        if (f->path[tl] == 0) { /* the top folder itself */
            vg_free(f->path);
            vg_free(f->data);
            continue;
        }
        memmove(f->path, f->path + tl + 1, strlen(f->path + tl + 1) + 1);
        fs->files[k++] = *f;
    }
    fs->n = k;
    return 1;
}

/* ---- archives ----------------------------------------------------------------------- */

typedef struct arc_src {
    const char *path;   /* a file, or NULL */
    const void *data;   /* or bytes */
    size_t len;
} arc_src;

static struct archive *arc_open(const arc_src *s, int streaming)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    if (streaming)
        archive_read_support_format_zip_streamable(a);
    else
        archive_read_support_format_zip_seekable(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    int r = s->path ? archive_read_open_filename(a, s->path, 65536) : archive_read_open_memory(a, s->data, s->len);
    if (r != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Reads the current entry's data into a new buffer of at most max bytes. */
static int read_entry(struct archive *a, const char *name, uint64_t max, char **out, size_t *outlen, vg_error *err)
{
    size_t cap = 65536, len = 0;
    char *b = vg_malloc(cap + 1);
    if (!b)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", name);
    for (;;) {
        if (len == cap) {
            if (cap >= max) {
                vg_free(b);
                return vg_error_set(err, VG_E_LIMIT, "%s is larger than %llu bytes", name, (unsigned long long)max);
            }
            size_t nc = cap * 2 > max ? (size_t)max : cap * 2;
            char *g = vg_realloc(b, nc + 1);
            if (!g) {
                vg_free(b);
                return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", name);
            }
            b = g;
            cap = nc;
        }
        la_ssize_t n = archive_read_data(a, b + len, cap - len);
        if (n == 0)
            break;
        if (n < 0) {
            vg_error_set(err, VG_E_PARSE, "%s: %s", name, archive_error_string(a) ? archive_error_string(a) : "damaged");
            vg_free(b);
            return VG_E_PARSE;
        }
        len += (size_t)n;
    }
    b[len] = 0;
    *out = b;
    *outlen = len;
    return 0;
}

/* One pass over the archive. Returns 0 (damage, if any, in fs->error), or a fatal code. */
static int arc_pass(phone_afs *fs, const arc_src *s, int streaming, phone_afs_want want, void *ctx, vg_error *err,
                    int *opened)
{
    struct archive *a = arc_open(s, streaming);
    *opened = a != NULL;
    if (!a)
        return 0;
    size_t cap = 0;
    uint64_t total = 0;
    int rc = 0;
    struct archive_entry *e;
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            char msg[512];
            snprintf(msg, sizeof msg, "damaged archive after %zu entries: %s", fs->n,
                     archive_error_string(a) ? archive_error_string(a) : "unreadable entry");
            fs->error = vg_strdup(msg);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name || !name[0])
            continue;
        int is_dir = archive_entry_filetype(e) == AE_IFDIR;
        if (!is_dir && archive_entry_filetype(e) != AE_IFREG)
            continue;
        vg_time t, *tp = NULL;
        if (archive_entry_mtime_is_set(e)) {
            t = vg_time_from_unix((int64_t)archive_entry_mtime(e), 0, 0);
            tp = &t;
        }
        char clean[4096];
        snprintf(clean, sizeof clean, "%s", name);
        size_t cl = strlen(clean);
        while (cl > 0 && clean[cl - 1] == '/')
            clean[--cl] = 0;
        uint64_t size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
        rc = add_file(fs, &cap, clean, size, tp, is_dir, err);
        if (rc)
            break;
        phone_afile *f = &fs->files[fs->n - 1];
        if (is_dir || !want || !want(f->path, ctx))
            continue;
        uint64_t max = PHONE_AFS_MAX_FILE;
        if (total >= PHONE_AFS_MAX_TOTAL) {
            rc = vg_error_set(err, VG_E_LIMIT, "the archive's files to read exceed %llu bytes in all",
                              (unsigned long long)PHONE_AFS_MAX_TOTAL);
            break;
        }
        if (PHONE_AFS_MAX_TOTAL - total < max)
            max = PHONE_AFS_MAX_TOTAL - total;
        vg_error e2 = {0};
        int r2 = read_entry(a, f->path, max, &f->data, &f->len, &e2);
        if (r2 == VG_E_NOMEM) {
            rc = vg_error_set(err, VG_E_NOMEM, "%s", e2.msg);
            break;
        }
        if (r2) { /* a damaged or oversized entry: listed, not read; the reading stops at damage */
            if (!fs->error)
                fs->error = vg_strdup(e2.msg);
            if (r2 == VG_E_PARSE)
                break;
            continue;
        }
        f->size = f->len;
        total += f->len;
    }
    archive_read_free(a);
    return rc;
}

static void afs_clear(phone_afs *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        vg_free(fs->files[i].path);
        vg_free(fs->files[i].data);
    }
    vg_free(fs->files);
    vg_free(fs->error);
    memset(fs, 0, sizeof *fs);
}

int phone__afs_archive(const char *path, const void *data, size_t len, phone_afs_want want, void *ctx,
                       phone_afs **out, vg_error *err)
{
    *out = NULL;
    phone_afs *fs = vg_calloc(1, sizeof *fs);
    if (!fs)
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening an archive");
    arc_src s = {path, data, len};
    int opened = 0;
    int rc = arc_pass(fs, &s, 0, want, ctx, err, &opened);
    if (!rc && (!opened || (fs->error && fs->n == 0))) {
        /* no central directory (a truncated zip) or a damaged one: read it again as a stream */
        char *first = fs->error;
        fs->error = NULL;
        afs_clear(fs);
        rc = arc_pass(fs, &s, 1, want, ctx, err, &opened);
        if (!rc && opened && fs->n && !fs->error) {
            char msg[600];
            snprintf(msg, sizeof msg, "damaged archive (%s): read as a stream", first ? first : "no central directory");
            fs->error = vg_strdup(msg);
        }
        vg_free(first);
    }
    if (!rc && (!opened || fs->n == 0)) {
        rc = vg_error_set(err, VG_E_PARSE, "%s is not a readable zip or tar archive%s%s", path ? path : "the data",
                          fs->error ? ": " : "", fs->error ? fs->error : "");
    }
    if (rc) {
        phone__afs_free(fs);
        return rc;
    }
    qsort(fs->files, fs->n, sizeof *fs->files, by_path);
    *out = fs;
    return 0;
}
