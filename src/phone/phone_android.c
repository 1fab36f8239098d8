/*
 * phone_android.c - checking an Android acquisition: tell what was given (a
 * bugreport, an AndroidQF folder or zip, an `adb backup`, the folder of an
 * extracted backup), make it a file set, and run the artifact table over
 * it; container rows run the table again over their nested sets.
 *
 * Also here: the helpers the readers share (device-local times to UTC with
 * the device's time zone from the system's zoneinfo, lines, package names,
 * device facts from properties, the backup password asked once).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vg_alloc.h"
#include "phone/phone_android_int.h"

/*
 * The table. Rows are run in this order over each file set; a row with a
 * section is run by the dumpstate reader for each dumpsys section of that
 * name (and getprop / ps for dumpstate's own sections).
 */
#define ROW(nm, pt, section, what, fn, flags) {{.name = nm, .path = pt, .extracts = what}, section, fn, flags}
const phone_arow phone__android_rows[] = {
    ROW("dumpstate", "dumpstate.txt|dumpstate-*.txt|bugreport.txt|bugreport-*.txt|dumpsys.txt", NULL,
        "the bugreport's main file (or AndroidQF's dumpsys.txt), split into dumpsys sections for the rows below",
        phone__a_dumpstate, 0),
    ROW("getprop", "getprop.txt", "getprop", "system properties (android-property), device facts", phone__a_getprop, 0),
    ROW("processes", "ps.txt", "ps", "running processes (process, 15/16-character truncation)", phone__a_processes, 0),
    ROW("dumpsys_packages", NULL, "package",
        "installed packages (app id), code paths (file path), installers, install times; sideloading, root apps",
        phone__a_packages, 0),
    ROW("dumpsys_activities", NULL, "package", "activity resolver table: packages (app id)", phone__a_activities, 0),
    ROW("dumpsys_receivers", NULL, "package",
        "receiver resolver table: packages (app id); receivers of SMS, calls and phone state", phone__a_receivers, 0),
    ROW("dumpsys_accessibility", NULL, "accessibility", "accessibility services (app id); enabled ones",
        phone__a_accessibility, 0),
    ROW("dumpsys_appops", NULL, "appops", "app operations per package (app id); risky ones allowed",
        phone__a_appops, 0),
    ROW("dumpsys_battery_daily", NULL, "batterystats", "daily package updates and removals (app id)",
        phone__a_battery_daily, 0),
    ROW("dumpsys_battery_history", NULL, "batterystats", "battery history events: top apps, jobs (app id)",
        phone__a_battery_history, 0),
    ROW("dumpsys_dbinfo", NULL, "dbinfo", "databases opened per package (app id, file path)", phone__a_dbinfo, 0),
    ROW("dumpsys_platform_compat", NULL, "platform_compat", "compatibility overrides per package (app id)",
        phone__a_platform_compat, 0),
    ROW("dumpsys_adb", NULL, "adb", "computers trusted for USB debugging (keys, text/XML/ABX keystore)",
        phone__a_adb, 0),
    ROW("adb_keys", "FS/data/misc/adb/adb_keys|FS/data/misc/adb/adb_temp_keys.xml|adb_keys|adb_temp_keys.xml", NULL,
        "trusted adb keys files (text, XML or ABX)", phone__a_adb_keys, 0),
    ROW("tombstones",
        "FS/data/tombstones/tombstone_[0-9][0-9]|FS/data/tombstones/tombstone_[0-9][0-9].pb|"
        "tombstones/tombstone_[0-9][0-9]|tombstones/tombstone_[0-9][0-9].pb",
        NULL,
        "crash reports (text, or protobuf when alone): process (process), binary (file path); crashes of root, "
        "system and shell",
        phone__a_tombstone, 0),
    ROW("bugreport_timestamps", NULL, NULL, "files of the bugreport's FS/ copy: device path (file path), time",
        phone__a_timestamps, PHONE_AROW_LISTING),
    ROW("aqf_packages", "packages.json", NULL,
        "packages (app id), APK hashes and certificate hashes (hash), paths (file path); installers",
        phone__a_aqf_packages, 0),
    ROW("aqf_settings", "settings_*.txt", NULL, "settings that weaken protections", phone__a_aqf_settings, 0),
    ROW("aqf_files", "files.json", NULL, "file listing: paths (file path), hashes (hash), times",
        phone__a_aqf_files, 0),
    ROW("root_binaries", "root_binaries.json", NULL, "root binaries found (file path)", phone__a_root_binaries, 0),
    ROW("aqf_mounts", "mounts.json|mounts.txt|mounts", NULL, "mounts: system partitions read-write",
        phone__a_mounts, 0),
    ROW("logcat", "logcat.txt|logcat-*.txt", "logcat",
        "the Android log (AndroidQF's logcat.txt, dumpstate's SYSTEM/EVENT/RADIO LOG): URLs, domains, addresses, "
        "e-mail in messages; package names ActivityManager and PackageManager print (app id); line time, local",
        phone__a_logcat, 0),
    ROW("aqf_env", "env.txt", NULL,
        "the shell's environment (AndroidQF's env.txt): paths (file path); LD_PRELOAD, writable PATH folders",
        phone__a_env, 0),
    ROW("bugreport", "bugreport.zip|bugreport-*.zip", NULL, "a nested bugreport zip (AndroidQF), read with these rows",
        phone__a_bugreport_zip, PHONE_AROW_CONTAINER),
    ROW("backup", "*.ab", NULL, "an adb backup: decrypted, inflated, its tar read with these rows; packages (app id)",
        phone__a_backup, PHONE_AROW_CONTAINER),
    ROW("backup_packages", NULL, NULL, "packages whose data a backup holds (apps/<package>/): app id",
        phone__a_backup_packages, PHONE_AROW_LISTING),
    ROW("sms", "apps/com.android.providers.telephony/d_f/*_sms_backup|apps/com.android.providers.telephony/d_f/"
               "*_mms_backup",
        NULL, "SMS and MMS of a backup: URLs, domains, addresses, e-mail in bodies", phone__a_sms, 0),
    {{.name = NULL}, NULL, NULL, 0},
};

static size_t row_count(void)
{
    size_t n = 0;
    while (phone__android_rows[n].r.name)
        n++;
    return n;
}

/* ---- helpers for readers ----------------------------------------------------------- */

int phone__a_fail(phone_ctx *c, int code, const char *fmt, ...)
{
    c->art->state = PHONE_FAILED;
    if (!c->art->error) {
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        c->art->error = vg_strdup(buf);
    }
    return code;
}

int phone__a_line(const char **p, const char *end, const char **line, size_t *len)
{
    if (*p >= end)
        return 0;
    const char *s = *p;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (e > s && e[-1] == '\r')
        e--;
    *line = s;
    *len = (size_t)(e - s);
    return 1;
}

size_t phone__a_indent(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

int phone__a_starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

int phone__a_is_package(const char *s, size_t n)
{
    if (n == 0 || n > 255)
        return 0;
    int dot = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '.')
            dot = 1;
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return 0;
    }
    return dot && s[0] != '.' && s[n - 1] != '.';
}

/* Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
int64_t phone__a_civil(int y, int mo, int d, int h, int mi, int s)
{
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

static int digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n)
        return 0;
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (s[at + i] < '0' || s[at + i] > '9')
            return 0;
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return 1;
}

/* ---- time zones: the system's zoneinfo (TZif) ------------------------------------------ */

static int64_t be_i64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static int32_t be_i32(const unsigned char *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* Reads the zoneinfo file of a zone (TZDIR or /usr/share/zoneinfo). 0, or -1 (not a zone name, no file). */
static int zone_file(const char *zone, char **d, size_t *n)
{
    /* a zone name is letters, digits, '_', '-', '+' and '/' between parts; never "..": it names a file */
    size_t zl = strlen(zone);
    if (zl == 0 || zl > 63 || zone[0] == '/' || strstr(zone, ".."))
        return -1;
    for (size_t i = 0; i < zl; i++) {
        char ch = zone[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-' || ch == '+' || ch == '/'))
            return -1;
    }
    const char *dir = getenv("TZDIR");
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", zone);
    return phone__read_file(p, 1u << 20, d, n, NULL) == 0 ? 0 : -1;
}

/* The offset at a UTC instant from TZif bytes (their 64-bit block). 0, or -1 when they are not TZif 2+. */
static int tz_at(const unsigned char *u, size_t n, int64_t utc, int32_t *off)
{
    if (n < 44 || memcmp(u, "TZif", 4) != 0 || u[4] < '2')
        return -1;
    uint32_t c[6];
    for (int i = 0; i < 6; i++)
        c[i] = (uint32_t)be_i32(u + 20 + 4 * i); /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    uint64_t v1 = 44 + (uint64_t)c[3] * 5 + (uint64_t)c[4] * 6 + c[5] + (uint64_t)c[2] * 8 + c[1] + c[0];
    if (v1 + 44 > n || memcmp(u + v1, "TZif", 4) != 0)
        return -1;
    const unsigned char *h = u + v1;
    for (int i = 0; i < 6; i++)
        c[i] = (uint32_t)be_i32(h + 20 + 4 * i);
    uint64_t need = v1 + 44 + (uint64_t)c[3] * 9 + (uint64_t)c[4] * 6;
    if (need > n || c[4] == 0 || c[4] >= 256)
        return -1;
    const unsigned char *tt = h + 44, *ti = tt + (uint64_t)c[3] * 8, *ty = ti + c[3];
    uint32_t type = 0; /* before the first transition: the first type */
    for (uint32_t i = 0; i < c[3]; i++) {
        if (be_i64(tt + 8 * i) > utc)
            break;
        type = ti[i];
    }
    if (type >= c[4])
        return -1;
    *off = be_i32(ty + 6 * type);
    return 0;
}

int phone__a_tz_offset(const char *zone, int64_t utc, int32_t *off)
{
    char *d = NULL;
    size_t n = 0;
    if (zone_file(zone, &d, &n) != 0)
        return -1;
    int rc = tz_at((const unsigned char *)d, n, utc, off);
    vg_free(d);
    return rc;
}

/* The device zone's offset at a UTC instant; its file is read once per check (a log has a time per line). */
static int zone_offset(phone_actx *a, int64_t utc, int32_t *off)
{
    if (!a->tz_data && !a->tz_unreadable && zone_file(a->tz_name, &a->tz_data, &a->tz_len) != 0)
        a->tz_unreadable = 1;
    return a->tz_data ? tz_at((const unsigned char *)a->tz_data, a->tz_len, utc, off) : -1;
}

/* Device-local seconds to UTC with the device's zone: two rounds settle it except inside a DST gap. */
static int64_t local_to_utc(phone_ctx *c, int64_t local)
{
    phone_actx *a = phone__actx(c);
    if (!a->tz_name[0])
        return local;
    int32_t off = 0;
    if (zone_offset(a, local, &off) != 0)
        return local;
    int64_t u = local - off;
    if (zone_offset(a, u, &off) == 0)
        u = local - off;
    return u;
}

size_t phone__a_time(phone_ctx *c, const char *s, size_t n, vg_time *out)
{
    int y, mo, d, h, mi, se;
    size_t i = 0;
    if (!digits(s, n, 0, 4, &y) || i + 10 > n || s[4] != '-' || !digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        !digits(s, n, 8, 2, &d))
        return 0;
    i = 10;
    if (i + 9 > n || (s[i] != ' ' && s[i] != 'T' && s[i] != '-'))
        return 0;
    char sep = s[i] == '-' ? '-' : ':';
    if (!digits(s, n, i + 1, 2, &h) || s[i + 3] != sep || !digits(s, n, i + 4, 2, &mi) || s[i + 6] != sep ||
        !digits(s, n, i + 7, 2, &se))
        return 0;
    i += 9;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return 0;
    uint32_t ns = 0;
    int nd = 0;
    if (i < n && s[i] == '.') {
        size_t j = i + 1;
        uint32_t scale = 100000000;
        while (j < n && s[j] >= '0' && s[j] <= '9') {
            if (nd < 9) {
                ns += (uint32_t)(s[j] - '0') * scale;
                scale /= 10;
                nd++;
            }
            j++;
        }
        if (j == i + 1)
            return 0;
        i = j;
    }
    int64_t secs = phone__a_civil(y, mo, d, h, mi, se);
    /* a zone: Z, +HHMM, +HH:MM, -HHMM */
    int zoned = 0;
    if (i < n && s[i] == 'Z') {
        zoned = 1;
        i++;
    } else if (i + 5 <= n && (s[i] == '+' || s[i] == '-')) {
        int zh, zm;
        size_t k = i + 1;
        if (digits(s, n, k, 2, &zh) && ((s[k + 2] == ':' && digits(s, n, k + 3, 2, &zm)) || digits(s, n, k + 2, 2, &zm))) {
            int off = (zh * 60 + zm) * 60;
            secs -= s[i] == '+' ? off : -off;
            zoned = 1;
            i = k + (s[k + 2] == ':' ? 5 : 4);
        }
    }
    if (!zoned)
        secs = local_to_utc(c, secs);
    *out = vg_time_from_unix(secs, ns, nd > 3 ? nd : 3);
    if (nd == 0)
        out->digits = 0;
    return i;
}

/* ---- device facts ------------------------------------------------------------------------ */

static void set_str(char **dst, const char *v, size_t n)
{
    if (*dst || n == 0)
        return;
    *dst = vg_strndup(v, n);
}

void phone__a_property(phone_ctx *c, const char *k, size_t kl, const char *v, size_t vl)
{
    phone_device *d = &c->r->device;
    phone_actx *a = phone__actx(c);
#define IS(s) (kl == strlen(s) && memcmp(k, s, kl) == 0)
    if (IS("ro.product.model"))
        set_str(&d->product_type, v, vl);
    else if (IS("ro.build.version.release"))
        set_str(&d->product_version, v, vl);
    else if (IS("ro.build.id"))
        set_str(&d->build_version, v, vl);
    else if (IS("ro.serialno") || IS("ro.boot.serialno"))
        set_str(&d->serial, v, vl);
    else if (IS("ro.product.marketname") || IS("persist.sys.device_name"))
        set_str(&d->name, v, vl);
    else if (IS("persist.sys.timezone") && vl < sizeof a->tz_name && !a->tz_name[0]) {
        memcpy(a->tz_name, v, vl);
        a->tz_name[vl] = 0;
        int32_t off;
        if (phone__a_tz_offset(a->tz_name, 0, &off) != 0)
            a->tz_name[0] = 0; /* not a zone this system knows: times stay as written */
    }
#undef IS
}

const char *phone__a_password(phone_ctx *c, const char *what)
{
    phone_actx *a = phone__actx(c);
    if (a->password_state == 0) {
        a->password_state = -1;
        if (c->opts->password && c->opts->password(c->opts->password_ctx, what, a->password, sizeof a->password) == 0 &&
            a->password[0])
            a->password_state = 1;
    }
    return a->password_state == 1 ? a->password : NULL;
}

/* ---- running the table over a file set ------------------------------------------------------ */

static int pattern_match(const char *patterns, const char *path)
{
    char pat[512];
    const char *p = patterns;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n < sizeof pat) {
            memcpy(pat, p, n);
            pat[n] = 0;
            if (fnmatch(pat, path, FNM_PATHNAME) == 0)
                return 1;
        }
        p += n + (bar ? 1 : 0);
    }
    return 0;
}

/* The file main_entry.txt names (a bugreport's main file), into buf; 0 when there is one. */
static int main_entry(phone_afs *fs, char *buf, size_t cap)
{
    phone_afile *m = phone__afs_find(fs, "main_entry.txt");
    if (!m || phone__afs_load(fs, m, 4096, NULL) != 0)
        return -1;
    size_t n = m->len;
    while (n && (m->data[n - 1] == '\n' || m->data[n - 1] == '\r' || m->data[n - 1] == ' '))
        n--;
    if (n == 0 || n >= cap || memchr(m->data, '/', n))
        return -1;
    memcpy(buf, m->data, n);
    buf[n] = 0;
    return 0;
}

static int row_wants(const phone_arow *row, const char *path)
{
    if (!row->r.path)
        return 0;
    if (pattern_match(row->r.path, path))
        return 1;
    const char *slash = strchr(path, '/'); /* under a top folder (an AndroidQF zip) */
    return slash && pattern_match(row->r.path, slash + 1);
}

/* Archive entries read while listing: what some row reads, and main_entry.txt. */
static int want_entry(const char *path, void *ctx)
{
    (void)ctx;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "main_entry.txt") == 0)
        return 1;
    for (const phone_arow *r = phone__android_rows; r->r.name; r++)
        if (row_wants(r, path))
            return 1;
    return 0;
}

static int set_matches(phone_afs *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (strcmp(fs->files[i].path, "main_entry.txt") == 0 || strncmp(fs->files[i].path, "FS/", 3) == 0)
            return 1;
        for (const phone_arow *r = phone__android_rows; r->r.name; r++)
            if (r->r.path && pattern_match(r->r.path, fs->files[i].path))
                return 1;
    }
    return 0;
}

static void use_row(phone_actx *a, const phone_arow *row)
{
    a->row = row;
    a->c.rd = &row->r;
    a->c.art = &a->c.r->artifacts[row - phone__android_rows];
    a->c.art->name = row->r.name;
}

/* Counts a file for the current artifact and runs parse; a reader's error becomes the artifact's. */
static int run_parse(phone_actx *a, const char *data, size_t len, const char *source)
{
    phone_ctx *c = &a->c;
    c->source = source;
    c->art->files++;
    if (c->art->state == PHONE_ABSENT)
        c->art->state = PHONE_READ;
    int rc = a->row->parse(c, data, len);
    if (c->stop)
        return c->stop;
    if (rc == VG_E_NOMEM)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "out of memory reading %s", source);
    if (rc && c->art->state != PHONE_FAILED)
        phone__a_fail(c, rc, "%s: %s", source, vg_strerror(rc));
    return 0;
}

/* The device's time zone before any reader runs: AndroidQF's getprop.txt is read after its dumpsys.txt. */
static void zone_first(phone_actx *a)
{
    phone_afile *g = phone__afs_find(a->fs, "getprop.txt");
    if (a->tz_name[0] || !g || phone__afs_load(a->fs, g, PHONE_AFS_MAX_FILE, NULL) != 0)
        return;
    const char *tz = memmem(g->data, g->len, "[persist.sys.timezone]: [", 25);
    const char *e = tz ? memchr(tz + 25, ']', (size_t)(g->data + g->len - tz - 25)) : NULL;
    if (e)
        phone__a_property(&a->c, "persist.sys.timezone", 20, tz + 25, (size_t)(e - tz - 25));
    if (a->fs->dir)
        phone__afs_unload(g);
}

static int run_set(phone_actx *a)
{
    phone_afs *fs = a->fs;
    char me[1024] = "";
    int has_main = main_entry(fs, me, sizeof me) == 0;
    zone_first(a);
    int rc = 0;
    for (const phone_arow *row = phone__android_rows; !rc && row->r.name; row++) {
        if (row->flags & PHONE_AROW_LISTING) { /* the reader counts what it reads (phone__a_seen) */
            use_row(a, row);
            a->c.source = a->prefix[0] ? a->prefix : ".";
            int lr = row->parse(&a->c, NULL, 0);
            rc = a->c.stop ? a->c.stop : lr == VG_E_NOMEM ? lr : 0;
            continue;
        }
        if (!row->r.path)
            continue;
        if (a->depth >= PHONE_A_MAX_DEPTH && (row->flags & PHONE_AROW_CONTAINER))
            continue;
        for (size_t i = 0; !rc && i < fs->n; i++) {
            phone_afile *f = &fs->files[i];
            if (f->is_dir)
                continue;
            int hit = pattern_match(row->r.path, f->path);
            if (!hit && row->parse == phone__a_dumpstate && has_main && strcmp(f->path, me) == 0)
                hit = 1;
            if (!hit)
                continue;
            use_row(a, row);
            char source[2048];
            snprintf(source, sizeof source, "%s%s", a->prefix, f->path);
            vg_error e = {0};
            int lr = phone__afs_load(fs, f, PHONE_AFS_MAX_FILE, &e);
            if (lr == VG_E_NOMEM)
                return a->c.stop = vg_error_set(a->c.err, VG_E_NOMEM, "out of memory reading %s", source);
            if (lr || !f->data) {
                a->c.art->files++;
                phone__a_fail(&a->c, lr ? lr : VG_E_IO, "%s: %s", source, lr ? e.msg : "not read from the archive");
                continue;
            }
            rc = run_parse(a, f->data, f->len, source);
            if (fs->dir) /* a folder's files are read again from disk if needed: keep memory low */
                phone__afs_unload(f);
        }
    }
    return rc ? rc : a->c.stop;
}

int phone__a_section(phone_ctx *c, const char *section, const char *data, size_t len)
{
    phone_actx *a = phone__actx(c);
    const phone_arow *saved_row = a->row;
    const char *saved_source = c->source;
    char source[2200];
    snprintf(source, sizeof source, "%s (%s)", saved_source, section);
    int rc = 0;
    for (const phone_arow *row = phone__android_rows; !rc && row->r.name; row++) {
        if (!row->section || strcmp(row->section, section) != 0)
            continue;
        use_row(a, row);
        rc = run_parse(a, data, len, source);
    }
    use_row(a, saved_row);
    c->source = saved_source;
    return rc;
}

int phone__a_nested(phone_ctx *c, const char *name, const char *data, size_t len)
{
    phone_actx *a = phone__actx(c);
    if (a->depth >= PHONE_A_MAX_DEPTH)
        return phone__a_fail(c, VG_E_LIMIT, "%s: containers nested more than %d deep", c->source, PHONE_A_MAX_DEPTH);
    vg_error e = {0};
    phone_afs *fs = NULL;
    int rc = phone__afs_archive(NULL, data, len, want_entry, NULL, &fs, &e);
    if (rc == VG_E_NOMEM)
        return c->stop = vg_error_set(c->err, VG_E_NOMEM, "%s", e.msg);
    if (rc)
        return phone__a_fail(c, rc, "%s: %s", c->source, e.msg);
    if (fs->error)
        phone__a_fail(c, VG_E_PARSE, "%s: %s", c->source, fs->error);
    /* save the state of the container's row, run the table over the nested set, restore */
    phone_afs *saved_fs = a->fs;
    const phone_arow *saved_row = a->row;
    const char *saved_source = c->source;
    char saved_prefix[sizeof a->prefix];
    memcpy(saved_prefix, a->prefix, sizeof saved_prefix);
    char np[sizeof a->prefix];
    int k = snprintf(np, sizeof np, "%s%s/", a->prefix, name);
    if (k < 0 || (size_t)k >= sizeof np) {
        phone__afs_free(fs);
        return phone__a_fail(c, VG_E_LIMIT, "%s: nested names longer than %zu bytes", c->source, sizeof np);
    }
    memcpy(a->prefix, np, sizeof np);
    a->fs = fs;
    a->depth++;
    rc = run_set(a);
    a->depth--;
    a->fs = saved_fs;
    memcpy(a->prefix, saved_prefix, sizeof saved_prefix);
    use_row(a, saved_row);
    c->source = saved_source;
    phone__afs_free(fs);
    return rc;
}

int phone__a_bugreport_zip(phone_ctx *c, const char *data, size_t len)
{
    const char *base = strrchr(c->source, '/');
    return phone__a_nested(c, base ? base + 1 : c->source, data, len);
}

/* ---- the entry points ----------------------------------------------------------------------------- */

static int new_report(phone_report **out, vg_error *err)
{
    size_t n = row_count();
    phone_report *r = vg_calloc(1, sizeof *r);
    if (r) {
        r->artifacts = vg_calloc(n, sizeof *r->artifacts);
        r->summary = vg_calloc(1, sizeof *r->summary);
    }
    if (!r || !r->artifacts || !r->summary) {
        phone_report_free(r);
        return vg_error_set(err, VG_E_NOMEM, "out of memory checking an Android acquisition");
    }
    r->nartifacts = n;
    for (size_t i = 0; i < n; i++)
        r->artifacts[i].name = phone__android_rows[i].r.name;
    r->device.os = "Android";
    r->summary->started = vg_time_now(3);
    *out = r;
    return 0;
}

static void init_ctx(phone_actx *a, const idx *x, const char *root, const phone_opts *opts, phone_report *r,
                     vg_error *err)
{
    static const phone_opts none;
    memset(a, 0, sizeof *a);
    a->c.x = x;
    a->c.opts = opts ? opts : &none;
    a->c.root = root;
    a->c.r = r;
    a->c.err = err;
}

static int finish(phone_actx *a, int rc, phone_report **out)
{
    phone_report *r = a->c.r;
    OPENSSL_cleanse(a->password, sizeof a->password);
    ev_text_free(a->c.text);
    vg_free(a->tz_data);
    if (!rc && a->c.stop)
        rc = a->c.stop;
    r->summary->ended = vg_time_now(3);
    r->summary->files = 0;
    for (size_t i = 0; i < r->nartifacts; i++)
        r->summary->files += r->artifacts[i].files;
    r->device.napps = a->packages[0] > a->packages[1] ? a->packages[0] : a->packages[1];
    if (rc) {
        phone_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* A set holding one file given on its own (a .ab, a dumpstate text). */
static int single_set(const char *path, phone_afs **out, vg_error *err)
{
    *out = NULL;
    phone_afs *fs = vg_calloc(1, sizeof *fs);
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (slash && slash == path)
        snprintf(dir, sizeof dir, "/");
    if (fs) {
        fs->dir = vg_strdup(dir);
        fs->files = vg_calloc(1, sizeof *fs->files);
        if (fs->files)
            fs->files[0].path = vg_strdup(slash ? slash + 1 : path);
    }
    if (!fs || !fs->dir || !fs->files || !fs->files[0].path) {
        phone__afs_free(fs);
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", path);
    }
    fs->n = 1;
    *out = fs;
    return 0;
}

static int head_of(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t k = read(fd, buf, n);
    close(fd);
    return k < 0 ? -1 : (int)k;
}

/* The one age-encrypted file at the top of a folder set (AndroidQF's <uuid>.zip.age), or NULL (none, or several). */
static const char *lone_age(const phone_afs *fs)
{
    const char *found = NULL;
    for (size_t i = 0; i < fs->n; i++) {
        const char *p = fs->files[i].path;
        size_t n = strlen(p);
        if (fs->files[i].is_dir || strchr(p, '/') || n < 5 || strcmp(p + n - 4, ".age") != 0)
            continue;
        if (found)
            return NULL;
        found = p;
    }
    return found;
}

/*
 * An age-encrypted acquisition (AndroidQF with a key.txt beside it writes
 * <uuid>.zip.age): read whole (at most PHONE_AGE_MAX), decrypted in place
 * with opts->age (or a passphrase asked through opts->password), and its zip
 * listed from memory like any other. NULL *out (and 0) when the zip holds no
 * acquisition. The errors are the decryption's: a wrong key is not a
 * finding, it fails the check.
 */
static int age_set(const char *path, const phone_opts *opts, phone_afs **out, vg_error *err)
{
    *out = NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *data = NULL;
    size_t len = 0, plain = 0;
    int rc = phone__read_file(path, PHONE_AGE_MAX, &data, &len, err);
    if (rc == VG_E_LIMIT)
        vg_error_hint(err, "decrypt it with age -d -i KEY -o acquisition.zip %s, then check the zip", base);
    if (rc)
        return rc;
    rc = phone_age_decrypt(data, len, opts ? opts->age : NULL, opts ? opts->password : NULL,
                           opts ? opts->password_ctx : NULL, base, &plain, err);
    if (!rc) {
        rc = phone__afs_archive(NULL, data, plain, want_entry, NULL, out, err);
        if (rc == VG_E_PARSE)
            vg_error_set(err, rc, "%s was decrypted, but what it holds is not a zip", base);
    }
    vg_free(data);
    if (!rc && !set_matches(*out) && (!phone__afs_strip_top(*out) || !set_matches(*out))) {
        phone__afs_free(*out);
        *out = NULL;
    }
    return rc;
}

int phone_check_android(const idx *x, const char *path, const phone_opts *opts, phone_report **out, vg_error *err)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return vg_error_set(err, errno == ENOENT ? VG_E_NOTFOUND : VG_E_IO, "cannot read %s: %s", path,
                            strerror(errno));
    phone_afs *fs = NULL;
    int rc = 0, single_text = 0;
    char age_path[4096] = "";
    if (S_ISDIR(sb.st_mode)) {
        rc = phone__afs_dir(path, &fs, err);
        if (!rc && !set_matches(fs) && lone_age(fs)) { /* a folder holding one encrypted acquisition */
            snprintf(age_path, sizeof age_path, "%s/%s", path, lone_age(fs));
            phone__afs_free(fs);
            rc = age_set(age_path, opts, &fs, err);
        } else if (!rc && !set_matches(fs) && phone__afs_strip_top(fs) && !set_matches(fs)) {
            phone__afs_free(fs);
            fs = NULL;
        }
        if (!rc && fs && !set_matches(fs)) {
            phone__afs_free(fs);
            fs = NULL;
        }
    } else if (S_ISREG(sb.st_mode)) {
        char head[64];
        int k = head_of(path, head, sizeof head);
        if (k >= 19 && memcmp(head, "age-encryption.org/", 19) == 0) {
            snprintf(age_path, sizeof age_path, "%s", path);
            rc = age_set(path, opts, &fs, err);
        } else if (k >= 4 && memcmp(head, "PK", 2) == 0) {
            rc = phone__afs_archive(path, NULL, 0, want_entry, NULL, &fs, err);
            if (!rc && !set_matches(fs))
                phone__afs_strip_top(fs);
            if (!rc && !set_matches(fs)) {
                phone__afs_free(fs);
                fs = NULL;
            }
        } else if (k >= 15 && memcmp(head, "ANDROID BACKUP\n", 15) == 0) {
            rc = single_set(path, &fs, err);
            single_text = 2; /* read by the backup row, whatever its name */
        } else if (k > 0) {
            /* one file of an acquisition (packages.json, getprop.txt...) by its row, else a dumpstate text */
            rc = single_set(path, &fs, err);
            single_text = !rc && !set_matches(fs);
        }
    }
    if (rc)
        return rc;
    if (!fs) {
        vg_error_set(err, VG_E_NOTFOUND, "%s is not an Android acquisition", path);
        return vg_error_hint(err, "give a bugreport (zip or folder), an AndroidQF folder or zip, or an adb backup (.ab)");
    }
    phone_report *r = NULL;
    rc = new_report(&r, err);
    if (rc) {
        phone__afs_free(fs);
        return rc;
    }
    phone_actx a;
    init_ctx(&a, x, path, opts, r, err);
    a.fs = fs;
    if (age_path[0]) { /* sources name the encrypted file: "<uuid>.zip.age/packages.json" */
        const char *base = strrchr(age_path, '/');
        snprintf(a.prefix, sizeof a.prefix, "%s/", base ? base + 1 : age_path);
    }
    rc = ev_text_new(EV_WANT_NET, &a.c.text, err);
    if (!rc && fs->error) { /* a damaged top-level zip: what was read is checked, the damage is told */
        use_row(&a, &phone__android_rows[0]);
        phone__a_fail(&a.c, VG_E_PARSE, "%s: %s", path, fs->error);
    }
    if (!rc && single_text) {
        /* one file given alone: a dumpstate/dumpsys text, or a backup whatever its name */
        const char *want = single_text == 2 ? "backup" : "dumpstate";
        for (const phone_arow *row = phone__android_rows; row->r.name; row++)
            if (strcmp(row->r.name, want) == 0)
                use_row(&a, row);
        vg_error e = {0};
        int lr = phone__afs_load(fs, &fs->files[0], PHONE_AFS_MAX_FILE, &e);
        if (lr == VG_E_NOMEM)
            rc = vg_error_set(err, VG_E_NOMEM, "%s", e.msg);
        else if (lr)
            rc = vg_error_set(err, lr, "%s", e.msg);
        else
            rc = run_parse(&a, fs->files[0].data, fs->files[0].len, fs->files[0].path);
    } else if (!rc) {
        rc = run_set(&a);
    }
    phone__afs_free(fs);
    return finish(&a, rc, out);
}

int phone_check_android_artifact(const idx *x, const char *artifact, const char *data, size_t len,
                                 const char *source, const phone_opts *opts, phone_report **out, vg_error *err)
{
    *out = NULL;
    const phone_arow *row = NULL;
    for (const phone_arow *r = phone__android_rows; r->r.name; r++)
        if (strcmp(r->r.name, artifact) == 0)
            row = r;
    if (!row || (row->flags & PHONE_AROW_LISTING))
        return vg_error_set(err, VG_E_NOTFOUND, "no Android reader is called %s", artifact);
    phone_report *r = NULL;
    int rc = new_report(&r, err);
    if (rc)
        return rc;
    /* the reader wants NUL-terminated bytes */
    char *copy = vg_malloc(len + 1);
    if (!copy) {
        phone_report_free(r);
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    }
    memcpy(copy, data, len);
    copy[len] = 0;
    phone_actx a;
    init_ctx(&a, x, source, opts, r, err);
    rc = ev_text_new(EV_WANT_NET, &a.c.text, err);
    phone_afs empty = {0};
    a.fs = &empty;
    if (!rc) {
        use_row(&a, row);
        rc = run_parse(&a, copy, len, source ? source : artifact);
    }
    vg_free(copy);
    return finish(&a, rc, out);
}
