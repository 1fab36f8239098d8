/*
 * phone_android_int.h - what the Android files of src/phone share: file sets
 * (a folder, a zip, the tar of a backup, all read the same way), the Android
 * check's state, the artifact table's row and the helpers of its readers.
 *
 * An acquisition is a file set; a reader is a row of phone__android_rows
 * that names the files it reads (fnmatch patterns) or the dumpsys section it
 * parses, and one function that gets the bytes. Container rows (a nested
 * bugreport.zip, a backup.ab) open a file set of their own and run the table
 * over it, so an AndroidQF's bugreport and backup are read by the same rows
 * as a bugreport or a backup given alone. Values and findings go through
 * phone__value / phone__text / phone__heuristic as for iOS.
 */
#ifndef PHONE_ANDROID_INT_H
#define PHONE_ANDROID_INT_H

#include "phone/phone_int.h"

/* ---- file sets (phone_afs.c) ------------------------------------------------- */

#define PHONE_AFS_MAX_FILES 200000u      /* entries of one set */
#define PHONE_AFS_MAX_FILE (512ull << 20) /* bytes of one file read into memory */
#define PHONE_AFS_MAX_TOTAL (1ull << 30)  /* bytes of one archive held in memory at once */
#define PHONE_AGE_MAX (1ull << 30)        /* bytes of an age-encrypted acquisition, decrypted in memory */

typedef struct phone_afile {
    char *path;     /* '/'-separated path inside the set, no leading '/' */
    uint64_t size;  /* bytes, as listed */
    int has_mtime;  /* 1 when the set recorded a modification time */
    vg_time mtime;  /* that time (zip: the entry's time as libarchive gives it) */
    char *data;     /* the contents (NUL-terminated) once loaded, or NULL */
    size_t len;     /* their length */
    int is_dir;     /* 1 for a folder entry (kept for timestamps; never loaded) */
} phone_afile;

typedef struct phone_afs {
    char *dir;          /* the folder on disk of a folder set; NULL for an archive */
    phone_afile *files; /* sorted by path */
    size_t n;
    char *error;        /* damage met while listing an archive (the entries before it are kept), or NULL */
} phone_afs;

/* Says whether an archive entry is read into memory while the archive is listed (1) or only listed (0). */
typedef int (*phone_afs_want)(const char *path, void *ctx);

/* A folder, walked recursively (symbolic links not followed). Returns 0, VG_E_NOTFOUND, VG_E_IO, VG_E_LIMIT, VG_E_NOMEM. */
int phone__afs_dir(const char *dir, phone_afs **out, vg_error *err);

/*
 * A zip or tar archive, from a file (path) or from memory (data, len; the
 * bytes must outlive nothing: what is wanted is copied). An archive damaged
 * part-way (a truncated zip) gives the entries read before the damage and
 * the damage in (*out)->error. Returns 0, VG_E_PARSE (not an archive, or
 * nothing readable), VG_E_LIMIT, VG_E_NOMEM, VG_E_IO.
 */
int phone__afs_archive(const char *path, const void *data, size_t len, phone_afs_want want, void *ctx,
                       phone_afs **out, vg_error *err);

/* Loads a file of the set (a no-op when loaded). At most max bytes. Returns 0, VG_E_IO, VG_E_LIMIT, VG_E_NOMEM. */
int phone__afs_load(phone_afs *fs, phone_afile *f, size_t max, vg_error *err);

/* Drops a loaded file's bytes. */
void phone__afs_unload(phone_afile *f);

/* The file at path, or NULL. */
phone_afile *phone__afs_find(phone_afs *fs, const char *path);

/* When every entry lies under one top folder, removes that folder from the paths (an AndroidQF zip). Returns 1 if so. */
int phone__afs_strip_top(phone_afs *fs);

void phone__afs_free(phone_afs *fs);

/* ---- the check (phone_android.c) ------------------------------------------------ */

/* One row of the Android artifact table. */
typedef struct phone_arow {
    phone_reader r;      /* name, path (fnmatch patterns separated by '|', or NULL) and extracts; domain and read unused */
    const char *section; /* the dumpsys service (or dumpstate section label) it parses, or NULL */
    /* Reads one file or section (data[len] is not always a NUL: readers stay within len); c->source names it. */
    int (*parse)(phone_ctx *c, const char *data, size_t len);
    unsigned flags;      /* PHONE_AROW_* */
} phone_arow;

enum {
    PHONE_AROW_LISTING = 1,   /* reads the set's listing, not a file: parse gets NULL, 0 (file timestamps) */
    PHONE_AROW_CONTAINER = 2, /* opens a nested set (bugreport.zip, backup.ab) and runs the table over it */
};

/* The table (phone_android.c), NULL-name terminated. */
extern const phone_arow phone__android_rows[];

#define PHONE_A_MAX_DEPTH 3 /* containers inside containers */

/* The Android check's state; readers get &a->c and reach the rest with phone__actx. */
typedef struct phone_actx {
    phone_ctx c;              /* the shared state (findings, artifact, source); must stay first */
    const phone_arow *row;    /* the current row */
    phone_afs *fs;            /* the current file set */
    int depth;                /* containers opened around the current set */
    char prefix[1024];        /* the current set's name in sources ("bugreport.zip/"), "" at the top */
    char password[1024];      /* the backup password once given */
    int password_state;       /* 0 not asked yet, 1 given, -1 none */
    int tz_offset_known;      /* 1 when device-local times can be converted to UTC */
    char tz_name[64];         /* persist.sys.timezone, "" when unknown */
    char *tz_data;            /* its zoneinfo (TZif) file, read at the first conversion, or NULL */
    size_t tz_len;            /* its length */
    int tz_unreadable;        /* 1 when that file could not be read (times stay as written) */
    size_t packages[2];       /* packages seen by dumpsys package [0] and AndroidQF's packages.json [1] (device.napps) */
} phone_actx;

static inline phone_actx *phone__actx(phone_ctx *c)
{
    return (phone_actx *)(void *)c;
}

/*
 * Runs the rows whose section is `section` over text (one dumpsys service's
 * output). Each such row counts one file. Returns 0 or a fatal code.
 */
int phone__a_section(phone_ctx *c, const char *section, const char *data, size_t len);

/*
 * Opens a nested file set from bytes (zip or tar) named `name` in sources
 * and runs the table over it. Returns 0 or a fatal code; damage is the
 * current artifact's error.
 */
int phone__a_nested(phone_ctx *c, const char *name, const char *data, size_t len);

/* Counts one file read by the current artifact (for listing readers, which decide whether they apply). */
static inline void phone__a_seen(phone_ctx *c)
{
    c->art->files++;
    if (c->art->state == PHONE_ABSENT)
        c->art->state = PHONE_READ;
}

/* Asks (once) for the backup password; NULL when none. */
const char *phone__a_password(phone_ctx *c, const char *what);

/* Records a failure of the current artifact (the first one's text is kept). Returns code. */
int phone__a_fail(phone_ctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Device facts from a property (getprop). */
void phone__a_property(phone_ctx *c, const char *key, size_t klen, const char *val, size_t vlen);

/* ---- times ------------------------------------------------------------------------ */

/* A civil date and time to Unix seconds (proleptic Gregorian, no zone). */
int64_t phone__a_civil(int y, int mo, int d, int h, int mi, int s);

/*
 * Parses "YYYY-MM-DD HH:MM:SS[.fff...]" (or with 'T', or "YYYY-MM-DD-HH-MM-SS")
 * at s and an optional zone ("+0200", "+02:00", "Z"). A time without a zone
 * is the device's local time: converted with its time zone when the
 * acquisition gave one (persist.sys.timezone), else taken as UTC. Returns
 * the characters read (0 when it is not such a time).
 */
size_t phone__a_time(phone_ctx *c, const char *s, size_t n, vg_time *out);

/* Offset (seconds east of UTC) of a zone at a UTC instant, from the system's zoneinfo. 0 when found. */
int phone__a_tz_offset(const char *zone, int64_t utc, int32_t *off);

/* ---- text helpers ------------------------------------------------------------------ */

/* The next line of [*p, end): sets line and len (no newline, no CR) and advances; 0 at the end. */
int phone__a_line(const char **p, const char *end, const char **line, size_t *len);

/* Leading spaces of a line. */
size_t phone__a_indent(const char *s, size_t n);

/* 1 when the n bytes at s start with the NUL-terminated prefix. */
int phone__a_starts(const char *s, size_t n, const char *prefix);

/* 1 when s is a plausible Android package name (letters, digits, '_' and at least one '.'). */
int phone__a_is_package(const char *s, size_t n);

/* ---- readers (phone_android_*.c) ------------------------------------------------- */

int phone__a_dumpstate(phone_ctx *c, const char *data, size_t len);
int phone__a_accessibility(phone_ctx *c, const char *data, size_t len);
int phone__a_activities(phone_ctx *c, const char *data, size_t len);
int phone__a_adb(phone_ctx *c, const char *data, size_t len);
int phone__a_appops(phone_ctx *c, const char *data, size_t len);
int phone__a_battery_daily(phone_ctx *c, const char *data, size_t len);
int phone__a_battery_history(phone_ctx *c, const char *data, size_t len);
int phone__a_dbinfo(phone_ctx *c, const char *data, size_t len);
int phone__a_packages(phone_ctx *c, const char *data, size_t len);
int phone__a_platform_compat(phone_ctx *c, const char *data, size_t len);
int phone__a_receivers(phone_ctx *c, const char *data, size_t len);
int phone__a_getprop(phone_ctx *c, const char *data, size_t len);
int phone__a_processes(phone_ctx *c, const char *data, size_t len);
int phone__a_tombstone(phone_ctx *c, const char *data, size_t len);
int phone__a_timestamps(phone_ctx *c, const char *data, size_t len);
int phone__a_aqf_packages(phone_ctx *c, const char *data, size_t len);
int phone__a_aqf_settings(phone_ctx *c, const char *data, size_t len);
int phone__a_aqf_files(phone_ctx *c, const char *data, size_t len);
int phone__a_root_binaries(phone_ctx *c, const char *data, size_t len);
int phone__a_mounts(phone_ctx *c, const char *data, size_t len);
int phone__a_bugreport_zip(phone_ctx *c, const char *data, size_t len);
int phone__a_backup(phone_ctx *c, const char *data, size_t len);
int phone__a_sms(phone_ctx *c, const char *data, size_t len);
int phone__a_adb_keys(phone_ctx *c, const char *data, size_t len);
int phone__a_backup_packages(phone_ctx *c, const char *data, size_t len);
int phone__a_logcat(phone_ctx *c, const char *data, size_t len);
int phone__a_env(phone_ctx *c, const char *data, size_t len);

/* How a package came to be installed, from its installer's id (shared by dumpsys package and packages.json). */
int phone__a_installer_check(phone_ctx *c, const char *pkg, const char *installer, int is_system, const char *record,
                             const vg_time *t);

/* Known root-manager packages (Magisk, SuperSU...): their description, or NULL. */
const char *phone__a_root_package(const char *pkg, size_t n);

#endif
