/*
 * phone_android_logcat.c - readers of the Android log and of the shell's
 * environment: AndroidQF's logcat.txt and env.txt, and the logcat sections
 * of a bugreport's dumpstate (SYSTEM LOG, EVENT LOG, RADIO LOG, LAST
 * LOGCAT). Rows in phone_android.c.
 *
 * A logcat line ("threadtime", with or without -v uid and -v year):
 *
 *     [YYYY-]MM-DD HH:MM:SS.mmm [UID] PID TID L TAG    : message
 *
 * Its time is the device's local time; without -v year it has no year,
 * which is taken from the acquisition (dumpstate's own time, else the log
 * file's modification time): the year of that date, or the one before when
 * the line's month and day come after it (a log that began in December of
 * an acquisition made in January). Without either the line is untimed.
 * Each message is scanned by the extractor (URLs, domains, addresses,
 * e-mail); a domain whose first label is itself a top-level domain
 * ("com.evil.app") is looked up as an app id too, because Java names and
 * package names look like reversed domains; and the package names that
 * ActivityManager, PackageManager and intents print after known markers
 * ("Start proc 1234:com.x/u0a1", "cmp=com.x/.Main", "pkg=com.x") are looked
 * up as app ids. Lines are cut at LOG_LINE_MAX.
 *
 * env.txt is `env` run by AndroidQF's shell: NAME=value lines. Every value
 * that is a path, or a list of paths (PATH, BOOTCLASSPATH...), is looked up
 * as file paths; LD_PRELOAD set is a HIGH finding (a library injected into
 * every program the shell starts), as is a PATH entry under a folder anyone
 * can write (/data/local/tmp, /sdcard).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_android_int.h"

#define LOG_LINE_MAX 8192 /* bytes of a log line read; the rest of a longer line is ignored */

/* Markers after which logcat messages print a package name, and what to skip before it. */
static const struct {
    const char *marker;
    int skip_pid; /* 1: a "1234:" comes first (ActivityManager's pid:process) */
} pkg_markers[] = {
    {"Start proc ", 1}, {"Killing ", 1},      {"Force stopping ", 0}, {"cmp=", 0},       {"pkg=", 0},
    {"packageName=", 0}, {"package=", 0},     {"Package ", 0},         {"package:", 0},   {"callingPackage=", 0},
    {"installerPackageName=", 0}, {"Removing package ", 0}, {"for package ", 0},
};

/* The reference time for years (the acquisition's), into *ref. 1 when there is one. */
static int year_ref(phone_ctx *c, vg_time *ref)
{
    if (c->r->device.has_backup_date) {
        *ref = c->r->device.backup_date;
        return 1;
    }
    phone_actx *a = phone__actx(c);
    size_t pl = strlen(a->prefix);
    const char *path = strncmp(c->source, a->prefix, pl) == 0 ? c->source + pl : c->source;
    phone_afile *f = a->fs ? phone__afs_find(a->fs, path) : NULL;
    if (f && f->has_mtime) {
        *ref = f->mtime;
        return 1;
    }
    return 0;
}

/* The civil date of a UTC time (year, month, day), read back from its RFC 3339 form. */
static void civil_of(const vg_time *t, int *y, int *mo, int *d)
{
    char buf[VG_TIME_MAX];
    vg_time_format(t, buf);
    *y = (int)strtol(buf, NULL, 10);
    *mo = (buf[5] - '0') * 10 + (buf[6] - '0');
    *d = (buf[8] - '0') * 10 + (buf[9] - '0');
}

/*
 * The time at the start of a log line: "YYYY-MM-DD HH:MM:SS.mmm" or
 * "MM-DD HH:MM:SS.mmm" (the year from the acquisition). Returns the bytes
 * read (0: no time there, or no year to give it); *t set when it returns > 0.
 */
static size_t line_time(phone_ctx *c, const char *l, size_t n, int have_ref, const vg_time *ref, vg_time *t)
{
    size_t k = phone__a_time(c, l, n, t);
    if (k)
        return k;
    if (n < 14 || l[2] != '-' || l[5] != ' ' || !have_ref)
        return 0;
    int y, mo, d;
    civil_of(ref, &y, &mo, &d);
    int lm = (l[0] - '0') * 10 + (l[1] - '0'), ld = (l[3] - '0') * 10 + (l[4] - '0');
    if (lm > mo || (lm == mo && ld > d + 1))
        y--; /* later in the year than the acquisition: the year before */
    char buf[64];
    size_t m = n < 40 ? n : 40;
    int w = snprintf(buf, sizeof buf, "%04d-%.*s", y, (int)m, l);
    if (w < 5)
        return 0;
    k = phone__a_time(c, buf, (size_t)w, t);
    return k > 5 ? k - 5 : 0;
}

/* After the time: [uid] pid tid level tag: message. Sets the tag and the message. 0 when it is no log line. */
static int split_line(const char *s, size_t n, const char **tag, size_t *tagn, const char **msg, size_t *msgn)
{
    size_t i = 0;
    for (int field = 0; field < 6; field++) { /* at most uid, pid, tid before the level letter */
        while (i < n && s[i] == ' ')
            i++;
        size_t b = i;
        while (i < n && s[i] != ' ')
            i++;
        if (i - b == 1 && strchr("VDIWEFAS", s[b]) && i < n) { /* the level */
            while (i < n && s[i] == ' ')
                i++;
            const char *colon = memmem(s + i, n - i, ": ", 2);
            if (!colon)
                return 0;
            *tag = s + i;
            *tagn = (size_t)(colon - (s + i));
            while (*tagn && (*tag)[*tagn - 1] == ' ')
                (*tagn)--;
            *msg = colon + 2;
            *msgn = n - (size_t)(colon + 2 - s);
            return 1;
        }
        if (i == b)
            return 0;
    }
    return 0;
}

typedef struct log_obs {
    phone_ctx *c;
    const char *record;
    const vg_time *t;
} log_obs;

static int on_obs(const ev_obs *o, void *p)
{
    log_obs *lo = p;
    static const int kinds[EV__COUNT] = {[EV_DOMAIN] = IDX_K_DOMAIN, [EV_URL] = IDX_K_URL, [EV_IPV4] = IDX_K_IPV4,
                                         [EV_IPV6] = IDX_K_IPV6, [EV_EMAIL] = IDX_K_EMAIL};
    int k = o->kind > 0 && o->kind < EV__COUNT ? kinds[o->kind] : 0;
    if (!k)
        return 0;
    int rc = phone__value(lo->c, k, o->value, o->len, lo->record, lo->t);
    if (!rc && o->kind == EV_DOMAIN) { /* "com.evil.app": a Java or package name that reads as a domain */
        const char *dot = memchr(o->value, '.', o->len);
        if (dot && ev_tld_valid(o->value, (size_t)(dot - o->value)) && phone__a_is_package(o->value, o->len))
            rc = phone__value(lo->c, IDX_K_APP_ID, o->value, o->len, lo->record, lo->t);
    }
    return rc;
}

/* Package names after the markers of the message. */
static int message_packages(phone_ctx *c, const char *m, size_t n, const char *record, const vg_time *t)
{
    int rc = 0;
    for (size_t k = 0; !rc && k < sizeof pkg_markers / sizeof pkg_markers[0]; k++) {
        size_t ml = strlen(pkg_markers[k].marker);
        const char *p = m, *end = m + n, *hit;
        while (!rc && p < end && (hit = memmem(p, (size_t)(end - p), pkg_markers[k].marker, ml)) != NULL) {
            const char *s = hit + ml;
            p = s;
            if (pkg_markers[k].skip_pid) {
                while (s < end && *s >= '0' && *s <= '9')
                    s++;
                if (s == p || s >= end || *s != ':')
                    continue;
                s++;
            }
            const char *e = s;
            while (e < end && ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') ||
                               *e == '.' || *e == '_'))
                e++;
            if (phone__a_is_package(s, (size_t)(e - s)))
                rc = phone__value(c, IDX_K_APP_ID, s, (size_t)(e - s), record, t);
        }
    }
    return rc;
}

int phone__a_logcat(phone_ctx *c, const char *data, size_t len)
{
    vg_time ref;
    int have_ref = year_ref(c, &ref);
    const char *p = data, *end = data + len, *l;
    size_t n, lines = 0, untimed = 0;
    long no = 0;
    int rc = 0;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        no++;
        if (n > LOG_LINE_MAX)
            n = LOG_LINE_MAX;
        if (!n || phone__a_starts(l, n, "--------- beginning of"))
            continue;
        vg_time t;
        size_t k = line_time(c, l, n, have_ref, &ref, &t);
        if (!k && n >= 14 && l[2] == '-' && l[5] == ' ' && l[0] >= '0' && l[0] <= '1')
            untimed++; /* a month-day time without a year to give it */
        const char *tag, *msg;
        size_t tagn, msgn;
        if (!split_line(l + k, n - k, &tag, &tagn, &msg, &msgn))
            continue;
        lines++;
        phone__record(c);
        char rec[160];
        snprintf(rec, sizeof rec, "line %ld %.*s", no, (int)(tagn < 64 ? tagn : 64), tag);
        const vg_time *tp = k ? &t : NULL;
        log_obs lo = {c, rec, tp};
        rc = ev_text_scan(c->text, msg, msgn, 0, 1, on_obs, &lo);
        if (!rc)
            rc = c->stop;
        if (!rc)
            rc = message_packages(c, msg, msgn, rec, tp);
    }
    if (!rc && !lines && len > 0)
        return phone__a_fail(c, VG_E_PARSE, "%s: no logcat line (\"MM-DD HH:MM:SS.mmm PID TID L TAG: message\")",
                             c->source);
    if (!rc && untimed && !c->art->error) { /* a note beside the artifact, which was read */
        char note[600];
        snprintf(note, sizeof note, "%s: %zu log lines have no year and the acquisition no date: they are untimed",
                 c->source, untimed);
        c->art->error = vg_strdup(note);
    }
    return rc;
}

/* ---- env.txt --------------------------------------------------------------------------------- */

/* Folders any app (or anyone with adb) can write: a program found there first is out of place. */
static const char *const writable_dirs[] = {"/data/local/tmp", "/sdcard", "/storage/emulated", "/data/tmp"};

static int env_var(phone_ctx *c, const char *k, size_t kl, const char *v, size_t vl)
{
    char rec[160];
    snprintf(rec, sizeof rec, "%.*s", (int)(kl < 120 ? kl : 120), k);
    int rc = phone__event(c, rec, NULL, "%.*s=%.*s", (int)(kl < 200 ? kl : 200), k, (int)(vl < 1500 ? vl : 1500), v);
    if (!rc && kl == 10 && memcmp(k, "LD_PRELOAD", 10) == 0 && vl)
        rc = phone__heuristic(c, PHONE_HIGH, rec, NULL, NULL,
                              "LD_PRELOAD is set in the shell's environment (%.*s): a library is loaded into every "
                              "program started from it, the way hooking frameworks and root hiders work",
                              (int)(vl < 300 ? vl : 300), v);
    int is_path = kl == 4 && memcmp(k, "PATH", 4) == 0;
    /* values that are paths or ':'-separated lists of them */
    const char *s = v, *e = v + vl;
    while (!rc && s < e) {
        const char *colon = memchr(s, ':', (size_t)(e - s));
        size_t pl = colon ? (size_t)(colon - s) : (size_t)(e - s);
        if (pl > 1 && s[0] == '/') {
            rc = phone__value(c, IDX_K_FILE_PATH, s, pl, rec, NULL);
            for (size_t w = 0; !rc && is_path && w < sizeof writable_dirs / sizeof writable_dirs[0]; w++) {
                size_t wl = strlen(writable_dirs[w]);
                if (pl >= wl && memcmp(s, writable_dirs[w], wl) == 0 && (pl == wl || s[wl] == '/'))
                    rc = phone__heuristic(c, PHONE_HIGH, rec, NULL, NULL,
                                          "PATH holds %.*s, a folder apps or adb can write: a program put there "
                                          "replaces a system command for the shell",
                                          (int)(pl < 300 ? pl : 300), s);
            }
        }
        s += pl + 1;
    }
    return rc;
}

int phone__a_env(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0, any = 0;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        const char *eq = memchr(l, '=', n);
        if (!eq || eq == l)
            continue;
        size_t kl = (size_t)(eq - l);
        int name = 1;
        for (size_t i = 0; i < kl; i++)
            name &= (l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') ||
                    l[i] == '_';
        if (!name)
            continue;
        any = 1;
        phone__record(c);
        rc = env_var(c, l, kl, eq + 1, (size_t)(l + n - eq - 1));
    }
    if (!rc && !any && len > 0)
        return phone__a_fail(c, VG_E_PARSE, "%s: no NAME=value line", c->source);
    return rc;
}
