/*
 * phone_ios.c - checking an iOS backup: find each artifact of the table in
 * the backup, hand it to its reader, and turn what the readers hand back
 * into findings and per-indicator aggregates.
 *
 * A backup folder holds Info.plist, Manifest.plist, Manifest.db and the
 * files themselves, each at <first two hex digits>/<file id> (older backups:
 * <file id> at the top), the file id being SHA-1("<domain>-<relativePath>").
 * A table row with an exact domain and path is found by its file id alone,
 * so it is found even when Manifest.db lacks it (the test backup's WhatsApp
 * LID.sqlite) or Manifest.db is damaged; a row with a glob ('*') is looked up
 * in Manifest.db. Files listed but absent are simply absent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

const char *phone_level_name(int level)
{
    return level >= 0 && level <= PHONE_CRITICAL ? level_names[level] : "unknown";
}

void phone_file_id(const char *domain, const char *relpath, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    static const char hex[] = "0123456789abcdef";
    out[0] = 0;
    if (!m)
        return;
    if (EVP_DigestInit_ex(m, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(m, domain, strlen(domain)) == 1 &&
        EVP_DigestUpdate(m, "-", 1) == 1 && EVP_DigestUpdate(m, relpath, strlen(relpath)) == 1 &&
        EVP_DigestFinal_ex(m, md, &n) == 1 && n == 20) {
        for (unsigned i = 0; i < 20; i++) {
            out[2 * i] = hex[md[i] >> 4];
            out[2 * i + 1] = hex[md[i] & 15];
        }
        out[40] = 0;
    }
    EVP_MD_CTX_free(m);
}

vg_time phone__unix_time(double secs)
{
    if (!(secs > -1e11 && secs < 1e11)) /* NaN or absurd: the epoch rather than undefined behaviour */
        secs = 0;
    double whole = secs < 0 ? -(double)(int64_t)(-secs) : (double)(int64_t)secs;
    if (whole > secs)
        whole -= 1;
    double frac = secs - whole;
    uint32_t us = (uint32_t)(frac * 1e6 + 0.5);
    if (us >= 1000000)
        us = 999999;
    return vg_time_from_unix((int64_t)whole, us * 1000, 6);
}

vg_time phone_cocoa_time(double secs)
{
    return phone__unix_time(secs + 978307200.0);
}

/* ---- findings -------------------------------------------------------------- */

static int add_finding(phone_ctx *c, int level, int kind, int64_t ind, const char *value, size_t vlen,
                       const char *record, const vg_time *t, char *message)
{
    phone_report *r = c->r;
    /* one finding per (artifact, source, record, indicator, value) */
    for (size_t i = r->nfindings; i-- > 0;) {
        phone_finding *f = &r->findings[i];
        if (f->artifact != c->rd->name)
            break;
        if (f->indicator == ind && ind >= 0 && strcmp(f->record, record) == 0 && strcmp(f->source, c->source) == 0) {
            vg_free(message);
            return 1;
        }
    }
    phone_finding *n = vg_realloc(r->findings, (r->nfindings + 1) * sizeof *n);
    if (!n) {
        vg_free(message);
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory recording a finding");
    }
    r->findings = n;
    phone_finding *f = &n[r->nfindings];
    memset(f, 0, sizeof *f);
    f->level = level;
    f->artifact = c->rd->name;
    f->message = message;
    f->source = vg_strdup(c->source);
    f->record = vg_strdup(record);
    f->value = vg_strndup(value ? value : "", value ? vlen : 0);
    f->kind = kind;
    f->indicator = ind;
    if (t) {
        f->has_time = 1;
        f->time = *t;
    }
    r->nfindings++;
    if (!f->message || !f->source || !f->record || !f->value)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory recording a finding");
    return 0;
}

/* Counts a hit in its indicator's aggregate (what scan_record turns into a sighting). */
static int aggregate(phone_ctx *c, const phone_finding *f)
{
    scan_summary *s = c->r->summary;
    scan_agg *a = NULL;
    for (size_t i = 0; i < s->naggs; i++)
        if (s->aggs[i].indicator == (uint32_t)f->indicator)
            a = &s->aggs[i];
    if (!a) {
        scan_agg *n = vg_realloc(s->aggs, (s->naggs + 1) * sizeof *n);
        if (!n)
            return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory aggregating hits");
        s->aggs = n;
        a = &n[s->naggs++];
        memset(a, 0, sizeof *a);
        a->indicator = (uint32_t)f->indicator;
        a->first_file = vg_strdup(f->source);
        a->first_value = vg_strdup(f->value);
        a->first_kind = f->kind;
        a->first_field = vg_strdup(f->record);
        if (!a->first_file || !a->first_value || !a->first_field)
            return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory aggregating hits");
    }
    if (!a->last_file || strcmp(a->last_file, f->source) != 0)
        a->files++;
    vg_free(a->last_file);
    vg_free(a->last_value);
    a->last_file = vg_strdup(f->source);
    a->last_value = vg_strdup(f->value);
    if (!a->last_file || !a->last_value)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory aggregating hits");
    a->count++;
    s->hits++;
    if (f->has_time) {
        if (!a->has_seen || vg_time_cmp(&f->time, &a->first_seen) < 0)
            a->first_seen = f->time;
        if (!a->has_seen || vg_time_cmp(&f->time, &a->last_seen) > 0)
            a->last_seen = f->time;
        a->has_seen = 1;
    }
    return 0;
}

typedef struct hit_ctx {
    phone_ctx *c;
    int kind;
    const char *value;
    size_t len;
    const char *record;
    const vg_time *t;
} hit_ctx;

static int on_hit(const idx_hit *h, void *p)
{
    hit_ctx *hc = p;
    phone_ctx *c = hc->c;
    if (h->candidate)
        return 0; /* a partial pattern: needs the evaluator, not a finding */
    char nb[256];
    const char *name = phone_indicator_label(c->x, h->indicator, nb, sizeof nb);
    char *msg = NULL;
    if (asprintf(&msg, "%s %.*s (%s) matches indicator %s%s%s%s", idx_kind_name(h->kind), (int)hc->len, hc->value,
                 hc->record, idx_indicator_id(c->x, h->indicator), name[0] ? " (" : "", name,
                 name[0] ? ")" : "") < 0)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory recording a finding");
    char *m = vg_strdup(msg); /* the report's strings are all vg_free'd */
    free(msg);
    if (!m)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory recording a finding");
    int rc = add_finding(c, PHONE_CRITICAL, h->kind, h->indicator, hc->value, hc->len, hc->record, hc->t, m);
    if (rc == 1)
        return 0;
    if (rc)
        return rc;
    c->r->hits++;
    return aggregate(c, &c->r->findings[c->r->nfindings - 1]);
}

static int keep_event(phone_ctx *c, const char *record, int kind, const char *value, size_t len, const vg_time *t)
{
    phone_report *r = c->r;
    if (r->nevents % 1024 == 0) {
        phone_event *n = vg_realloc(r->events, (r->nevents + 1024) * sizeof *n);
        if (!n)
            return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory keeping the timeline");
        r->events = n;
    }
    phone_event *e = &r->events[r->nevents++];
    memset(e, 0, sizeof *e);
    e->artifact = c->rd->name;
    e->kind = kind;
    e->source = vg_strdup(c->source ? c->source : "");
    e->record = vg_strdup(record);
    e->value = vg_strndup(value, len);
    if (t) {
        e->has_time = 1;
        e->time = *t;
    }
    if (!e->source || !e->record || !e->value)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory keeping the timeline");
    return 0;
}

int phone__event(phone_ctx *c, const char *record, const vg_time *t, const char *fmt, ...)
{
    if (c->stop)
        return c->stop;
    if (!c->opts->collect)
        return 0;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    return keep_event(c, record, IDX_K_NONE, buf, strlen(buf), t);
}

int phone__value(phone_ctx *c, int kind, const char *value, size_t len, const char *record, const vg_time *t)
{
    if (c->stop)
        return c->stop;
    if (!value || !len)
        return 0;
    c->art->values++;
    c->r->values++;
    if (c->opts->collect && keep_event(c, record, kind, value, len, t))
        return c->stop;
    if (c->opts->on_value) {
        char *v = vg_strndup(value, len);
        if (!v)
            return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory");
        int rc = c->opts->on_value(c->rd->name, record, kind, v, t, c->opts->ctx);
        vg_free(v);
        if (rc)
            return c->stop = rc;
    }
    hit_ctx hc = {c, kind, value, len, record, t};
    int rc = idx_lookup(c->x, kind, value, len, on_hit, &hc);
    return rc < 0 ? rc : c->stop;
}

typedef struct text_ctx {
    phone_ctx *c;
    const char *record;
    const vg_time *t;
} text_ctx;

static int on_obs(const ev_obs *o, void *p)
{
    text_ctx *tc = p;
    static const int kinds[EV__COUNT] = {[EV_DOMAIN] = IDX_K_DOMAIN, [EV_URL] = IDX_K_URL, [EV_IPV4] = IDX_K_IPV4,
                                         [EV_IPV6] = IDX_K_IPV6,     [EV_EMAIL] = IDX_K_EMAIL};
    int k = o->kind > 0 && o->kind < EV__COUNT ? kinds[o->kind] : 0;
    return k ? phone__value(tc->c, k, o->value, o->len, tc->record, tc->t) : 0;
}

int phone__text(phone_ctx *c, const char *text, size_t len, const char *record, const vg_time *t)
{
    if (c->stop)
        return c->stop;
    if (!text || !len)
        return 0;
    text_ctx tc = {c, record, t};
    int rc = ev_text_scan(c->text, text, len, 0, 1, on_obs, &tc);
    return rc ? rc : c->stop;
}

int phone__heuristic(phone_ctx *c, int level, const char *record, const char *value, const vg_time *t,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory recording a finding");
    char *m = vg_strdup(msg);
    free(msg);
    if (!m)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory recording a finding");
    int rc = add_finding(c, level, IDX_K_NONE, -1, value, value ? strlen(value) : 0, record, t, m);
    return rc == 1 ? 0 : rc;
}

void phone__record(phone_ctx *c)
{
    c->art->records++;
}

/* ---- files ----------------------------------------------------------------- */

int phone__read_file(const char *path, size_t max, char **data, size_t *len, vg_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_error_set(err, errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO, "cannot open %s: %s", path,
                            strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return vg_error_set(err, VG_E_IO, "%s is not a regular file", path);
    }
    if ((uint64_t)sb.st_size > max) {
        fclose(f);
        return vg_error_set(err, VG_E_LIMIT, "%s is larger than %zu bytes", path, max);
    }
    char *b = vg_malloc((size_t)sb.st_size + 1);
    if (!b) {
        fclose(f);
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", path);
    }
    size_t n = fread(b, 1, (size_t)sb.st_size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        vg_free(b);
        return vg_error_set(err, VG_E_IO, "cannot read %s", path);
    }
    b[n] = 0;
    *data = b;
    *len = n;
    return 0;
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The on-disk path of a file id: <root>/<xx>/<id>, else <root>/<id>. 0 when found. */
static int locate(const char *root, const char *id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%.2s/%s", root, id, id);
    if (is_file(out))
        return 0;
    snprintf(out, cap, "%s/%s", root, id);
    return is_file(out) ? 0 : -1;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            rc = -1;
            break;
        }
    if (n < 0)
        rc = -1;
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

static void set_art_error(phone_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_art_error(phone_ctx *c, const char *fmt, ...)
{
    c->art->state = PHONE_FAILED;
    if (c->art->error)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    c->art->error = vg_strdup(buf);
}

/* The check's private temporary folder (0700), made on first use. 0 or VG_E_IO. */
static int tmpdir(phone_ctx *c)
{
    if (c->tmp[0])
        return 0;
    const char *td = getenv("TMPDIR");
    snprintf(c->tmp, sizeof c->tmp, "%s/vigil-phone-XXXXXX", td && td[0] ? td : "/tmp");
    if (mkdtemp(c->tmp))
        return 0;
    c->tmp[0] = 0;
    return VG_E_IO;
}

/*
 * The readable path of a backup file: where it lies, or for an encrypted
 * backup its decrypted copy in the temporary folder (decrypted once, with the
 * key of its Manifest.db record; a file the manifest lacks has no key and is
 * absent). 0 when found.
 */
static int find_file(phone_ctx *c, const char *id, char *out, size_t cap)
{
    if (!c->key)
        return locate(c->root, id, out, cap);
    char enc[4096];
    if (!c->manifest || locate(c->root, id, enc, sizeof enc) != 0 || tmpdir(c) != 0)
        return -1;
    snprintf(out, cap, "%s/%s", c->tmp, id);
    if (is_file(out))
        return 0;
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(c->manifest, "SELECT file FROM Files WHERE fileID = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        phone_mbfile mb;
        uint64_t n = 0;
        vg_error e = {0};
        if (sqlite3_step(st) == SQLITE_ROW &&
            phone_mbfile_parse(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &mb) == 0) {
            if (phone__ios_decrypt_file(c->key, &mb, enc, out, &n, &e) == 0)
                found = 0;
            else if (c->art)
                set_art_error(c, "%s", e.msg);
        }
    }
    sqlite3_finalize(st);
    return found;
}

int phone__db_open(phone_ctx *c, const char *file, const char *wal, sqlite3 **out)
{
    *out = NULL;
    char walpath[4096], uri[4200];
    if (!wal && c->cur_file && c->cur_wal && strcmp(file, c->cur_file) == 0)
        wal = c->cur_wal;
    if (!wal) {
        snprintf(walpath, sizeof walpath, "%s-wal", file);
        if (is_file(walpath))
            wal = walpath;
    }
    const char *dbfile = file;
    char copy[512];
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    if (wal) {
        /* the log must be replayed: read a private copy, never the evidence in place */
        static unsigned seq;
        if (tmpdir(c) != 0) {
            set_art_error(c, "%s: cannot make a temporary folder to read its write-ahead log", c->source);
            return VG_E_IO;
        }
        snprintf(copy, sizeof copy, "%s/db%u", c->tmp, ++seq);
        char copywal[520];
        snprintf(copywal, sizeof copywal, "%s-wal", copy);
        if (copy_file(file, copy) != 0 || copy_file(wal, copywal) != 0) {
            set_art_error(c, "%s: cannot copy the database and its write-ahead log", c->source);
            return VG_E_IO;
        }
        dbfile = copy;
        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX; /* the copy may be written */
    }
    /* file: URIs take %-escapes: escape what could be read as one */
    size_t k = 0;
    k += (size_t)snprintf(uri, sizeof uri, "file:");
    for (const char *p = dbfile; *p && k + 4 < sizeof uri; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '%' || ch == '?' || ch == '#' || ch < 0x21 || ch >= 0x7f)
            k += (size_t)snprintf(uri + k, sizeof uri - k, "%%%02X", ch);
        else
            uri[k++] = (char)ch;
    }
    uri[k] = 0;
    if (!wal && k + 12 < sizeof uri)
        memcpy(uri + k, "?immutable=1", 13);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri, &db, flags, NULL);
    if (rc == SQLITE_OK) /* a cheap read that fails at once on a file that is not a database */
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        set_art_error(c, "%s: %s", c->source, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? VG_E_PARSE : VG_E_IO;
    }
    sqlite3_busy_timeout(db, 1000);
    *out = db;
    return 0;
}

int phone__db_has_table(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

static void rm_tmp(phone_ctx *c)
{
    if (!c->tmp[0])
        return;
    DIR *d = opendir(c->tmp);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", c->tmp, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(c->tmp);
    c->tmp[0] = 0;
}

/* ---- the check ------------------------------------------------------------- */

/* Runs one reader on one file, recording a failure in its artifact. */
static int run_one(phone_ctx *c, const char *file, const char *source, const char *domain, const char *rel)
{
    char wal[4096], id[41], relwal[4096];
    c->cur_file = file;
    c->cur_wal = NULL;
    if (domain && rel) { /* a backup keeps a database's log as a file of its own: "<path>-wal" */
        snprintf(relwal, sizeof relwal, "%s-wal", rel);
        phone_file_id(domain, relwal, id);
        if (id[0] && find_file(c, id, wal, sizeof wal) == 0)
            c->cur_wal = wal;
    }
    c->source = source;
    c->art->files++;
    if (c->art->state == PHONE_ABSENT)
        c->art->state = PHONE_READ;
    int rc = c->rd->read(c, file, source);
    c->cur_file = c->cur_wal = NULL;
    if (c->stop)
        return c->stop;
    if (rc == VG_E_NOMEM)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory reading %s", source);
    if (rc && c->art->state != PHONE_FAILED)
        set_art_error(c, "%s: %s", source, vg_strerror(rc));
    return 0;
}

/* A GLOB row: every matching Manifest.db entry present on disk. */
static int run_glob(phone_ctx *c)
{
    if (!c->manifest)
        return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->manifest,
                           "SELECT fileID, domain, relativePath FROM Files WHERE domain GLOB ? AND relativePath GLOB ? "
                           "AND flags = 1 ORDER BY domain, relativePath",
                           -1, &st, NULL) != SQLITE_OK) {
        set_art_error(c, "Manifest.db: %s", sqlite3_errmsg(c->manifest));
        return 0;
    }
    sqlite3_bind_text(st, 1, c->rd->domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->rd->path, -1, SQLITE_STATIC);
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *dom = (const char *)sqlite3_column_text(st, 1);
        const char *rel = (const char *)sqlite3_column_text(st, 2);
        char file[4096], source[4096];
        if (!id || !dom || !rel || strlen(id) != 40 || find_file(c, id, file, sizeof file) != 0)
            continue;
        snprintf(source, sizeof source, "%s/%s", dom, rel);
        rc = run_one(c, file, source, dom, rel);
    }
    sqlite3_finalize(st);
    return rc;
}

static int run_fs_one(phone_ctx *c, const char *file, const char *rel)
{
    return run_one(c, file, rel, NULL, NULL);
}

static int run_reader(phone_ctx *c)
{
    const phone_reader *rd = c->rd;
    char file[4096], source[4096];
    if (rd->modes && !(rd->modes & (c->fs ? PHONE_M_FS : PHONE_M_BACKUP)))
        return 0;
    if (!rd->domain && !rd->path) /* the reader takes the whole tree */
        return run_one(c, c->root, "/", NULL, NULL);
    if (c->fs) {
        /* the device path; a dump that is in fact a backup folder is read as one (what the reference tool does) */
        int found = 0;
        int rc = phone__fs_find(c, rd, run_fs_one, &found);
        if (rc || found || rd->modes == PHONE_M_FS)
            return rc;
    }
    if (!rd->domain) { /* a file at the backup's top */
        if (c->manifest_path[0] && strcmp(rd->path, "Manifest.db") == 0)
            snprintf(file, sizeof file, "%s", c->manifest_path); /* decrypted */
        else
            snprintf(file, sizeof file, "%s/%s", c->root, rd->path);
        if (!is_file(file))
            return 0;
        return run_one(c, file, rd->path, NULL, NULL);
    }
    if (strchr(rd->domain, '*') || strchr(rd->path, '*'))
        return run_glob(c);
    char id[41];
    phone_file_id(rd->domain, rd->path, id);
    if (!id[0] || find_file(c, id, file, sizeof file) != 0)
        return 0;
    snprintf(source, sizeof source, "%s/%s", rd->domain, rd->path);
    return run_one(c, file, source, rd->domain, rd->path);
}

int phone__find_other(phone_ctx *c, const char *domain, const char *rel, char *out, size_t cap)
{
    if (c->fs) {
        phone_reader rd = {0};
        rd.domain = domain;
        rd.path = rel;
        if (phone__fs_first(c, &rd, out, cap) == 0)
            return 0;
    }
    char id[41];
    phone_file_id(domain, rel, id);
    return id[0] ? find_file(c, id, out, cap) : -1;
}

void phone_device_clear(phone_device *d)
{
    vg_free(d->name);
    vg_free(d->product_type);
    vg_free(d->product_version);
    vg_free(d->build_version);
    vg_free(d->serial);
    vg_free(d->udid);
    memset(d, 0, sizeof *d);
}

void phone_report_free(phone_report *r)
{
    if (!r)
        return;
    phone_device_clear(&r->device);
    for (size_t i = 0; i < r->nartifacts; i++)
        vg_free(r->artifacts[i].error);
    vg_free(r->artifacts);
    for (size_t i = 0; i < r->nfindings; i++) {
        phone_finding *f = &r->findings[i];
        vg_free(f->message);
        vg_free(f->source);
        vg_free(f->record);
        vg_free(f->value);
    }
    vg_free(r->findings);
    for (size_t i = 0; i < r->nevents; i++) {
        vg_free(r->events[i].source);
        vg_free(r->events[i].record);
        vg_free(r->events[i].value);
    }
    vg_free(r->events);
    scan_summary_free(r->summary);
    vg_free(r);
}

int phone_check_ios(const idx *x, const char *path, const phone_opts *opts, phone_report **out, vg_error *err)
{
    *out = NULL;
    static const phone_opts none;
    char p[4096];
    snprintf(p, sizeof p, "%s/Info.plist", path);
    char p2[4096];
    snprintf(p2, sizeof p2, "%s/Manifest.db", path);
    struct stat sb;
    if (opts && opts->fs && (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        vg_error_set(err, VG_E_NOTFOUND, "%s is not a folder", path);
        return vg_error_hint(err, "give the root of the filesystem dump (the folder holding private/var)");
    }
    if (!(opts && opts->fs) && !is_file(p) && !is_file(p2)) {
        vg_error_set(err, VG_E_NOTFOUND, "%s is not an iOS backup (no Info.plist, no Manifest.db)", path);
        return vg_error_hint(err, "give the backup's own folder, the one named after the device's UDID");
    }
    int encrypted = phone_ios_is_encrypted(path);
    if (encrypted && !(opts && opts->key)) {
        vg_error_set(err, VG_E_USAGE, "%s is an encrypted backup", path);
        return vg_error_hint(err, "give its password (--password-stdin, or at the prompt) or a saved --key-file");
    }
    phone_report *r = vg_calloc(1, sizeof *r);
    size_t n = 0;
    while (phone__ios_readers[n].name)
        n++;
    if (r) {
        r->artifacts = vg_calloc(n, sizeof *r->artifacts);
        r->summary = vg_calloc(1, sizeof *r->summary);
    }
    if (!r || !r->artifacts || !r->summary) {
        phone_report_free(r);
        return vg_error_set(err, VG_E_NOMEM, "out of memory checking %s", path);
    }
    r->nartifacts = n;
    r->summary->started = vg_time_now(3);
    phone_ctx c = {0};
    c.x = x;
    c.opts = opts ? opts : &none;
    c.root = path;
    c.fs = opts && opts->fs;
    c.r = r;
    c.err = err;
    int rc = ev_text_new(EV_WANT_NET, &c.text, err);
    if (!rc && encrypted && is_file(p2)) { /* Manifest.db decrypted into the private folder, read from there */
        c.key = opts->key;
        if (tmpdir(&c) != 0)
            rc = vg_error_set(err, VG_E_IO, "cannot make a temporary folder to decrypt %s", path);
        snprintf(c.manifest_path, sizeof c.manifest_path, "%s/Manifest.db", c.tmp);
        if (!rc)
            rc = phone__ios_decrypt_manifest(c.key, path, c.manifest_path, err);
        snprintf(p2, sizeof p2, "%s", c.manifest_path);
    }
    if (!rc && is_file(p2)) {
        phone_artifact dummy = {0};
        c.art = &dummy;
        c.source = "Manifest.db";
        if (phone__db_open(&c, p2, NULL, &c.manifest) != 0)
            c.manifest = NULL; /* exact rows are still found by file id; the manifest reader reports the error */
        vg_free(dummy.error);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        c.rd = &phone__ios_readers[i];
        c.art = &r->artifacts[i];
        c.art->name = c.rd->name;
        rc = run_reader(&c);
    }
    if (!rc && c.stop)
        rc = c.stop;
    sqlite3_close(c.manifest);
    phone__fs_names_free(&c);
    ev_text_free(c.text);
    rm_tmp(&c);
    r->summary->ended = vg_time_now(3);
    r->summary->files = 0;
    for (size_t i = 0; i < n; i++)
        r->summary->files += r->artifacts[i].files;
    if (rc) {
        phone_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
