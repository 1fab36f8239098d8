/*
 * phone_android_dumpsys.c - the bugreport's main file and the dumpsys
 * services read from it: package (packages, activities, receivers),
 * accessibility, appops, batterystats (daily and history), dbinfo,
 * platform_compat and adb.
 *
 * dumpsys prints each service between a "DUMP OF SERVICE <name>:" line and
 * a "--------- N s was the duration of dumpsys <name>" line (or the next
 * service); dumpstate adds its own sections, "------ TITLE (command) ------".
 * The dumpstate reader cuts the file into sections and hands each to the
 * rows that read it (phone__a_section). Each service's text is indented
 * structure without a grammar: the readers follow the indentation and the
 * key=value forms that AOSP prints, and skip what they do not know, so a
 * vendor's or a newer Android's extra lines do not stop them. Times in
 * dumpsys are device-local and converted with the device's time zone when
 * the bugreport gives it (phone__a_time).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_android_int.h"

#define MAX_KEYS 256 /* adb keys kept per file */

/* ---- dumpstate: cutting into sections ------------------------------------------------- */

/* A dumpstate section title to the label rows use ("SYSTEM PROPERTIES" is getprop). */
static const struct {
    const char *title; /* the start of the title between "------ " and " (" */
    const char *label; /* phone_arow.section */
} dumpstate_sections[] = {
    {"SYSTEM PROPERTIES", "getprop"},
    {"PROCESSES AND THREADS", "ps"},
    {"PROCESSES ", "ps"},
    {"SYSTEM LOG", "logcat"},
    {"EVENT LOG", "logcat"},
    {"RADIO LOG", "logcat"},
    {"LAST LOGCAT", "logcat"},
};

/* Is the line a section start? Sets *label (a service name or a table label) and its length. */
static int section_start(const char *l, size_t n, const char **label, size_t *ln)
{
    if (phone__a_starts(l, n, "DUMP OF SERVICE ")) {
        const char *s = l + 16;
        size_t k = n - 16;
        /* "DUMP OF SERVICE CRITICAL x:", "HIGH", "NORMAL": priorities before the name */
        static const char *const prio[] = {"CRITICAL ", "HIGH ", "NORMAL "};
        for (size_t i = 0; i < 3; i++)
            if (phone__a_starts(s, k, prio[i])) {
                s += strlen(prio[i]);
                k -= strlen(prio[i]);
            }
        while (k && (s[k - 1] == ':' || s[k - 1] == ' '))
            k--;
        *label = s;
        *ln = k;
        return k > 0;
    }
    if (phone__a_starts(l, n, "------ ") && n > 14 && memcmp(l + n - 7, " ------", 7) == 0) {
        const char *t = l + 7;
        size_t k = n - 14;
        if (memmem(t, k, "was the duration of", 19))
            return 0;
        for (size_t i = 0; i < sizeof dumpstate_sections / sizeof dumpstate_sections[0]; i++)
            if (phone__a_starts(t, k, dumpstate_sections[i].title)) {
                *label = dumpstate_sections[i].label;
                *ln = strlen(*label);
                return 1;
            }
        *label = "";
        *ln = 0;
        return 1; /* a section no row reads: it still ends the previous one */
    }
    return 0;
}

/* The end of a section's text: before trailing "--------- N s was the duration" and dash lines. */
static size_t trim_section(const char *s, size_t n)
{
    for (;;) {
        size_t e = n;
        while (e && (s[e - 1] == '\n' || s[e - 1] == '\r'))
            e--;
        size_t b = e;
        while (b && s[b - 1] != '\n')
            b--;
        const char *l = s + b;
        size_t ll = e - b;
        int dashes = ll > 0;
        for (size_t i = 0; i < ll; i++)
            if (l[i] != '-')
                dashes = 0;
        if (b < e && (dashes || (phone__a_starts(l, ll, "---------") && memmem(l, ll, "was the duration of", 19)))) {
            n = b;
            continue;
        }
        return e;
    }
}

int phone__a_dumpstate(phone_ctx *c, const char *data, size_t len)
{
    /* the time zone first: times of earlier sections need it */
    const char *tz = memmem(data, len, "[persist.sys.timezone]: [", 25);
    if (tz) {
        const char *v = tz + 25, *e = memchr(v, ']', (size_t)(data + len - v));
        if (e)
            phone__a_property(c, "persist.sys.timezone", 20, v, (size_t)(e - v));
    }
    const char *p = data, *end = data + len, *l;
    size_t n;
    const char *cur = NULL, *body = NULL;
    size_t curn = 0;
    int rc = 0, any = 0;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        if (phone__a_starts(l, n, "== dumpstate: ") && !c->r->device.has_backup_date) {
            vg_time t;
            if (phone__a_time(c, l + 14, n - 14, &t)) {
                c->r->device.has_backup_date = 1;
                c->r->device.backup_date = t;
            }
        }
        const char *lab;
        size_t labn;
        if (!section_start(l, n, &lab, &labn))
            continue;
        if (cur && curn) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(curn < 120 ? curn : 120), cur);
            rc = phone__a_section(c, name, body, trim_section(body, (size_t)(l - body)));
        }
        any = 1;
        phone__record(c);
        cur = lab;
        curn = labn;
        body = p;
    }
    if (!rc && cur && curn) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(curn < 120 ? curn : 120), cur);
        rc = phone__a_section(c, name, body, trim_section(body, (size_t)(end - body)));
    }
    if (!rc && !any)
        return phone__a_fail(c, VG_E_PARSE, "%s: no dumpsys section (\"DUMP OF SERVICE\") in it", c->source);
    return rc;
}

/* ---- package: packages ----------------------------------------------------------------- */

/* One "Package [name]" block of dumpsys package. */
typedef struct pkg {
    char name[256];
    char installer[256];
    char code_path[1024];
    char version[64];
    int system;      /* SYSTEM in pkgFlags/flags */
    int has_time;    /* lastUpdateTime (or firstInstallTime) seen */
    vg_time time;
    int has_first;   /* firstInstallTime seen */
    vg_time first;
} pkg;

static void copy_val(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static int pkg_done(phone_ctx *c, pkg *k)
{
    if (!k->name[0])
        return 0;
    phone__record(c);
    phone__actx(c)->packages[0]++;
    char rec[512];
    snprintf(rec, sizeof rec, "package %s", k->name);
    const vg_time *t = k->has_time ? &k->time : NULL;
    int rc = phone__value(c, IDX_K_APP_ID, k->name, strlen(k->name), rec, t);
    if (!rc && k->has_first)
        rc = phone__event(c, rec, &k->first, "package %s first installed%s%s", k->name, k->installer[0] ? " by " : "",
                          k->installer);
    if (!rc && k->has_time)
        rc = phone__event(c, rec, &k->time, "package %s last updated (version %s)", k->name,
                          k->version[0] ? k->version : "?");
    if (!rc && k->code_path[0]) {
        snprintf(rec, sizeof rec, "package %s codePath", k->name);
        rc = phone__value(c, IDX_K_FILE_PATH, k->code_path, strlen(k->code_path), rec, t);
    }
    snprintf(rec, sizeof rec, "package %s", k->name);
    if (!rc)
        rc = phone__a_installer_check(c, k->name, k->installer, k->system, rec, t);
    const char *root = rc ? NULL : phone__a_root_package(k->name, strlen(k->name));
    if (root)
        rc = phone__heuristic(c, PHONE_HIGH, rec, k->name, t, "root manager %s is installed: %s (%s)", k->name, root,
                              "it gives apps full control of the phone");
    memset(k, 0, sizeof *k);
    return rc;
}

/* The text of "key=value" at the start of s (after indentation), or NULL. */
static const char *kv(const char *s, size_t n, const char *key, size_t *vn)
{
    size_t kl = strlen(key);
    if (n <= kl || memcmp(s, key, kl) != 0 || s[kl] != '=')
        return NULL;
    *vn = n - kl - 1;
    return s + kl + 1;
}

int phone__a_packages(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int in = 0, rc = 0;
    pkg k;
    memset(&k, 0, sizeof k);
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        if (ind == 0 && n) {
            if (in)
                rc = pkg_done(c, &k);
            in = phone__a_starts(l, n, "Packages:");
            continue;
        }
        if (!in)
            continue;
        const char *s = l + ind;
        size_t sn = n - ind, vn;
        const char *v;
        if (ind == 2 && phone__a_starts(s, sn, "Package [")) {
            rc = pkg_done(c, &k);
            const char *e = memchr(s + 9, ']', sn - 9);
            if (e)
                copy_val(k.name, sizeof k.name, s + 9, (size_t)(e - s - 9));
        } else if (ind != 4) {
            continue;
        } else if ((v = kv(s, sn, "installerPackageName", &vn))) {
            copy_val(k.installer, sizeof k.installer, v, vn);
        } else if ((v = kv(s, sn, "codePath", &vn))) {
            copy_val(k.code_path, sizeof k.code_path, v, vn);
        } else if ((v = kv(s, sn, "versionName", &vn))) {
            copy_val(k.version, sizeof k.version, v, vn);
        } else if ((v = kv(s, sn, "pkgFlags", &vn)) || (v = kv(s, sn, "flags", &vn))) {
            if (memmem(v, vn, " SYSTEM ", 8))
                k.system = 1;
        } else if ((v = kv(s, sn, "lastUpdateTime", &vn))) {
            if (phone__a_time(c, v, vn, &k.time))
                k.has_time = 1;
        } else if ((v = kv(s, sn, "firstInstallTime", &vn))) {
            if (phone__a_time(c, v, vn, &k.first))
                k.has_first = 1;
            if (!k.has_time && k.has_first) {
                k.time = k.first;
                k.has_time = 1;
            }
        }
    }
    if (!rc && in)
        rc = pkg_done(c, &k);
    return rc;
}

/* ---- package: activities and receivers (resolver tables) ------------------------------- */

/* The receivers whose intent says what they can see (informational: which apps watch SMS and calls). */
static const struct {
    const char *intent;
    const char *what;
} watched_intents[] = {
    {"android.provider.Telephony.SMS_RECEIVED", "incoming SMS"},
    {"android.intent.action.DATA_SMS_RECEIVED", "incoming data SMS"},
    {"android.provider.Telephony.WAP_PUSH_RECEIVED", "incoming MMS"},
    {"android.intent.action.PHONE_STATE", "the phone's call state"},
    {"android.intent.action.NEW_OUTGOING_CALL", "outgoing calls"},
};

/* Walks "<Table title>:" of the package section; each component line is "hash package/class [(N filters)]". */
static int resolver(phone_ctx *c, const char *data, size_t len, const char *title, int receivers)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int in = 0, rc = 0;
    char intent[256] = "";
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        if (ind == 0 && n) {
            in = phone__a_starts(l, n, title);
            continue;
        }
        if (!in || n == ind)
            continue;
        const char *s = l + ind;
        size_t sn = n - ind;
        if (s[sn - 1] == ':') { /* an intent action or MIME type, or a sub-table title */
            copy_val(intent, sizeof intent, s, sn - 1);
            continue;
        }
        const char *sp = memchr(s, ' ', sn);
        if (!sp)
            continue;
        const char *comp = sp + 1;
        size_t cn = (size_t)(s + sn - comp);
        const char *sp2 = memchr(comp, ' ', cn);
        if (sp2)
            cn = (size_t)(sp2 - comp);
        const char *slash = memchr(comp, '/', cn);
        if (!slash || !phone__a_is_package(comp, (size_t)(slash - comp)))
            continue;
        phone__record(c);
        size_t pn = (size_t)(slash - comp);
        char rec[1024];
        snprintf(rec, sizeof rec, "%s %.*s", receivers ? "receiver" : "activity", (int)cn, comp);
        rc = phone__value(c, IDX_K_APP_ID, comp, pn, rec, NULL);
        for (size_t i = 0; !rc && receivers && i < sizeof watched_intents / sizeof watched_intents[0]; i++)
            if (strcmp(intent, watched_intents[i].intent) == 0) {
                char r2[1300];
                snprintf(r2, sizeof r2, "%s for %s", rec, intent);
                char pk[256];
                copy_val(pk, sizeof pk, comp, pn);
                rc = phone__heuristic(c, PHONE_INFO, r2, pk, NULL, "%s receives %s (%s)", pk, watched_intents[i].what,
                                      intent);
            }
    }
    return rc;
}

int phone__a_activities(phone_ctx *c, const char *data, size_t len)
{
    return resolver(c, data, len, "Activity Resolver Table:", 0);
}

int phone__a_receivers(phone_ctx *c, const char *data, size_t len)
{
    return resolver(c, data, len, "Receiver Resolver Table:", 1);
}

/* ---- accessibility --------------------------------------------------------------------- */

/* Each "pkg/class" of a list, with the package looked up; enabled ones are MEDIUM, installed ones INFO. */
static int a11y_service(phone_ctx *c, const char *s, size_t n, int enabled)
{
    while (n && (*s == ' ' || *s == '{'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '}' || s[n - 1] == ','))
        n--;
    const char *slash = memchr(s, '/', n);
    if (!slash || !phone__a_is_package(s, (size_t)(slash - s)))
        return 0;
    phone__record(c);
    char rec[1024], pk[256];
    snprintf(rec, sizeof rec, "%s accessibility service %.*s", enabled ? "enabled" : "installed", (int)n, s);
    copy_val(pk, sizeof pk, s, (size_t)(slash - s));
    int rc = phone__value(c, IDX_K_APP_ID, s, (size_t)(slash - s), rec, NULL);
    if (!rc)
        rc = phone__heuristic(c, enabled ? PHONE_MEDIUM : PHONE_INFO, rec, pk, NULL,
                              enabled ? "accessibility service %.*s is enabled: it can read the screen and act for the "
                                        "user, as stalkerware does"
                                      : "accessibility service %.*s is installed (not enabled)",
                              (int)n, s);
    return rc;
}

int phone__a_accessibility(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int list = 0, rc = 0; /* list: 1 in "installed services: {", 2 in "enabled services: {" */
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        const char *s = l + ind;
        size_t sn = n - ind;
        if (list) {
            if (sn && s[0] == '}') {
                list = 0;
                continue;
            }
            /* "N : pkg/class" */
            const char *colon = memchr(s, ':', sn);
            if (colon)
                rc = a11y_service(c, colon + 1, (size_t)(s + sn - colon - 1), list == 2);
            continue;
        }
        if (phone__a_starts(s, sn, "installed services: {") || phone__a_starts(s, sn, "Installed services: {")) {
            list = 1;
        } else if (phone__a_starts(s, sn, "enabled services: {")) {
            list = 2;
        } else if (phone__a_starts(s, sn, "Enabled services:{")) {
            /* Android 14: "Enabled services:{{pkg/cls}, {pkg2/cls2}}" on one line */
            const char *q = s + 18, *qe = s + sn;
            while (!rc && q < qe) {
                const char *o = memchr(q, '{', (size_t)(qe - q));
                if (!o)
                    break;
                const char *cl = memchr(o, '}', (size_t)(qe - o));
                if (!cl)
                    break;
                rc = a11y_service(c, o + 1, (size_t)(cl - o - 1), 1);
                q = cl + 1;
            }
        }
    }
    return rc;
}

/* ---- appops ------------------------------------------------------------------------------ */

/* Operations whose being allowed is a sign worth a look. */
static const struct {
    const char *op;
    int level;
    const char *why;
} risky_ops[] = {
    {"REQUEST_INSTALL_PACKAGES", PHONE_MEDIUM,
     "it can install other apps (how spyware droppers and fake updates install their payload)"},
};

typedef struct op_state {
    char uid[32], package[256], op[128], mode[32];
    int has_time;
    vg_time last; /* the op's latest access or rejection */
} op_state;

static int op_done(phone_ctx *c, op_state *o)
{
    int rc = 0;
    if (o->op[0] && o->package[0] && strcmp(o->mode, "allow") == 0)
        for (size_t i = 0; !rc && i < sizeof risky_ops / sizeof risky_ops[0]; i++)
            if (strcmp(o->op, risky_ops[i].op) == 0) {
                char rec[512];
                snprintf(rec, sizeof rec, "uid %s package %s op %s (%s)", o->uid, o->package, o->op, o->mode);
                rc = phone__heuristic(c, risky_ops[i].level, rec, o->package, o->has_time ? &o->last : NULL,
                                      "package %s is allowed %s: %s", o->package, o->op, risky_ops[i].why);
            }
    o->op[0] = 0;
    o->mode[0] = 0;
    o->has_time = 0;
    return rc;
}

int phone__a_appops(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0;
    op_state o;
    memset(&o, 0, sizeof o);
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        const char *s = l + ind;
        size_t sn = n - ind;
        if (sn == 0)
            continue;
        if (ind == 2 && phone__a_starts(s, sn, "Uid ") && s[sn - 1] == ':') {
            rc = op_done(c, &o);
            copy_val(o.uid, sizeof o.uid, s + 4, sn - 5);
            o.package[0] = 0;
        } else if (ind == 4 && phone__a_starts(s, sn, "Package ") && s[sn - 1] == ':') {
            rc = op_done(c, &o);
            copy_val(o.package, sizeof o.package, s + 8, sn - 9);
            phone__record(c);
            char rec[512];
            snprintf(rec, sizeof rec, "uid %s package %s", o.uid, o.package);
            if (!rc)
                rc = phone__value(c, IDX_K_APP_ID, o.package, strlen(o.package), rec, NULL);
        } else if (ind == 6 && o.package[0]) {
            /* "NAME (mode):" */
            rc = op_done(c, &o);
            const char *par = memchr(s, '(', sn);
            const char *cl = par ? memchr(par, ')', (size_t)(s + sn - par)) : NULL;
            if (par && cl && par > s) {
                copy_val(o.op, sizeof o.op, s, (size_t)(par - s - (par[-1] == ' ')));
                copy_val(o.mode, sizeof o.mode, par + 1, (size_t)(cl - par - 1));
            }
        } else if (ind > 6 && o.op[0] && (phone__a_starts(s, sn, "Access:") || phone__a_starts(s, sn, "Reject:"))) {
            /* "Access: [type] 2022-03-07 18:05:34.325 (-22d...)" or "Reject: [fg-s]2021-05-19 ..." */
            const char *rb = memchr(s, ']', sn);
            if (!rb)
                continue;
            const char *t = rb + 1;
            while (t < s + sn && *t == ' ')
                t++;
            vg_time tm;
            if (!phone__a_time(c, t, (size_t)(s + sn - t), &tm))
                continue;
            if (!o.has_time || vg_time_cmp(&tm, &o.last) > 0) {
                o.last = tm;
                o.has_time = 1;
            }
            char rec[512];
            snprintf(rec, sizeof rec, "uid %s package %s op %s", o.uid, o.package, o.op);
            rc = phone__event(c, rec, &tm, "%s %s of %s (%.*s)", o.package, s[0] == 'A' ? "access" : "rejection", o.op,
                              (int)(rb - s > 9 ? rb - s - 9 : 0), s + 9);
        }
    }
    if (!rc)
        rc = op_done(c, &o);
    return rc;
}

/* ---- batterystats ------------------------------------------------------------------------ */

int phone__a_battery_daily(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0, in_changes = 0;
    size_t changes_ind = 0;
    vg_time from;
    int has_from = 0;
    char period[64] = "";
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        const char *s = l + ind;
        size_t sn = n - ind;
        if (in_changes && ind <= changes_ind)
            in_changes = 0;
        if (phone__a_starts(s, sn, "Daily from ") || phone__a_starts(s, sn, "Current start time: ")) {
            const char *t = s + (s[0] == 'D' ? 11 : 20);
            has_from = phone__a_time(c, t, (size_t)(s + sn - t), &from) > 0;
            copy_val(period, sizeof period, t, (size_t)(s + sn - t) < 19 ? (size_t)(s + sn - t) : 19);
        } else if (phone__a_starts(s, sn, "Package changes:")) {
            in_changes = 1;
            changes_ind = ind;
        } else if (in_changes && (phone__a_starts(s, sn, "Update ") || phone__a_starts(s, sn, "Delete "))) {
            const char *pk = s + 7;
            const char *sp = memchr(pk, ' ', (size_t)(s + sn - pk));
            size_t pn = sp ? (size_t)(sp - pk) : (size_t)(s + sn - pk);
            phone__record(c);
            char rec[512];
            snprintf(rec, sizeof rec, "daily %s %.*s", period, (int)(sn < 300 ? sn : 300), s);
            rc = phone__value(c, IDX_K_APP_ID, pk, pn, rec, has_from ? &from : NULL);
        }
    }
    return rc;
}

/* "+1h26m18s315ms" / "+2d23h22m24s588ms" / "0": milliseconds since the history's start; -1 when not one. */
static int64_t history_offset(const char *s, size_t n)
{
    if (n == 1 && s[0] == '0')
        return 0;
    if (n < 2 || s[0] != '+')
        return -1;
    int64_t ms = 0, v = 0;
    int have = 0;
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            v = v * 10 + (ch - '0');
            have = 1;
            if (v > 100000000)
                return -1;
            continue;
        }
        if (!have)
            return -1;
        if (ch == 'd')
            ms += v * 86400000;
        else if (ch == 'h')
            ms += v * 3600000;
        else if (ch == 'm' && i + 1 < n && s[i + 1] == 's') {
            ms += v;
            i++;
        } else if (ch == 'm')
            ms += v * 60000;
        else if (ch == 's')
            ms += v * 1000;
        else
            return -1;
        v = 0;
        have = 0;
    }
    return have ? -1 : ms;
}

int phone__a_battery_history(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0, in = 0, has_base = 0;
    int64_t base_ms = 0; /* Unix milliseconds of offset 0 */
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        const char *s = l + ind;
        size_t sn = n - ind;
        if (phone__a_starts(s, sn, "Battery History ")) {
            in = 1;
            continue;
        }
        if (!in)
            continue;
        if (sn == 0 || ind == 0) { /* a blank or unindented line ends the history */
            in = 0;
            continue;
        }
        const char *sp = memchr(s, ' ', sn);
        if (!sp)
            continue;
        int64_t off = history_offset(s, (size_t)(sp - s));
        if (off < 0)
            continue;
        /* RESET:TIME: / TIME: set the clock the offsets count from */
        const char *tm = memmem(s, sn, "TIME: ", 6);
        if (tm) {
            vg_time t;
            if (phone__a_time(c, tm + 6, (size_t)(s + sn - tm - 6), &t)) {
                base_ms = t.sec * 1000 + t.nsec / 1000000 - off;
                has_base = 1;
            }
            continue;
        }
        /* events: "+top=u0a280:\"com.whatsapp\"", "-job=u0a94:\"pkg/.Service\"" */
        const char *q = sp, *qe = s + sn;
        while (!rc && q < qe) {
            const char *eq = memchr(q, '=', (size_t)(qe - q));
            if (!eq)
                break;
            const char *ev = eq;
            while (ev > s && ev[-1] != ' ')
                ev--;
            const char *quote = eq + 1;
            while (quote < qe && *quote != ' ' && *quote != '"')
                quote++;
            if (quote >= qe || *quote != '"') {
                q = eq + 1;
                continue;
            }
            const char *close = memchr(quote + 1, '"', (size_t)(qe - quote - 1));
            if (!close)
                break;
            const char *v = quote + 1;
            size_t vn = (size_t)(close - v);
            const char *slash = memchr(v, '/', vn);
            size_t pn = slash ? (size_t)(slash - v) : vn;
            /* events start (+) or stop (-); a bare "top=" is the state printed with a reset */
            if ((*ev == '+' || *ev == '-') && phone__a_is_package(v, pn)) {
                phone__record(c);
                vg_time t, *tp = NULL;
                if (has_base) {
                    int64_t ms = base_ms + off;
                    t = vg_time_from_unix(ms / 1000, (uint32_t)(ms % 1000) * 1000000, 3);
                    tp = &t;
                }
                char rec[600];
                snprintf(rec, sizeof rec, "history %.*s %.*s", (int)(eq - ev), ev, (int)(vn < 400 ? vn : 400), v);
                rc = phone__value(c, IDX_K_APP_ID, v, pn, rec, tp);
            }
            q = close + 1;
        }
    }
    return rc;
}

/* ---- dbinfo -------------------------------------------------------------------------------- */

/* The package of an app's data path: /data/user/N/<pkg>/, /data/user_de/N/<pkg>/, /data/data/<pkg>/. */
static int path_package(const char *path, size_t n, const char **pk, size_t *pn)
{
    static const char *const roots[] = {"/data/data/", "/data/user/", "/data/user_de/"};
    for (size_t i = 0; i < 3; i++) {
        size_t rl = strlen(roots[i]);
        if (n <= rl || memcmp(path, roots[i], rl) != 0)
            continue;
        const char *s = path + rl, *e = path + n;
        if (i > 0) { /* the user number */
            const char *sl = memchr(s, '/', (size_t)(e - s));
            if (!sl)
                return -1;
            s = sl + 1;
        }
        const char *sl = memchr(s, '/', (size_t)(e - s));
        size_t k = sl ? (size_t)(sl - s) : (size_t)(e - s);
        if (!phone__a_is_package(s, k))
            return -1;
        *pk = s;
        *pn = k;
        return 0;
    }
    return -1;
}

int phone__a_dbinfo(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0;
    char proc[256] = "", pid[32] = "";
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        size_t ind = phone__a_indent(l, n);
        const char *s = l + ind;
        size_t sn = n - ind;
        if (phone__a_starts(s, sn, "** Database info for pid ")) {
            const char *q = s + 25, *sp = memchr(q, ' ', (size_t)(s + sn - q));
            const char *ob = memchr(q, '[', (size_t)(s + sn - q)), *cb = ob ? memchr(ob, ']', (size_t)(s + sn - ob)) : NULL;
            copy_val(pid, sizeof pid, q, sp ? (size_t)(sp - q) : 0);
            if (ob && cb) {
                copy_val(proc, sizeof proc, ob + 1, (size_t)(cb - ob - 1));
                phone__record(c);
                char rec[400];
                snprintf(rec, sizeof rec, "pid %s process %s", pid, proc);
                const char *colon = strchr(proc, ':'); /* "com.app:remote" runs as a process of com.app */
                size_t pn = colon ? (size_t)(colon - proc) : strlen(proc);
                if (phone__a_is_package(proc, pn))
                    rc = phone__value(c, IDX_K_APP_ID, proc, pn, rec, NULL);
            }
            continue;
        }
        /* "N: [2023-07-27 12:21:44.097] [Pid:(0)]executeForCursorWindow took 2ms - succeeded, sql=\"...\", path=/data/..." */
        const char *colon = memchr(s, ':', sn);
        if (!colon || colon == s || colon + 3 > s + sn || colon[1] != ' ' || colon[2] != '[')
            continue;
        int isnum = 1;
        for (const char *d = s; d < colon; d++)
            if (*d < '0' || *d > '9')
                isnum = 0;
        if (!isnum)
            continue;
        vg_time t;
        const vg_time *tp = phone__a_time(c, colon + 3, (size_t)(s + sn - colon - 3), &t) ? &t : NULL;
        const char *pa = NULL;
        for (const char *q = s + sn; q - 7 >= s; q--)
            if (memcmp(q - 7, ", path=", 7) == 0) {
                pa = q;
                break;
            }
        if (!pa)
            continue;
        size_t pl = (size_t)(s + sn - pa);
        const char *act = memchr(colon, ']', (size_t)(s + sn - colon));
        act = act ? memchr(act + 1, ']', (size_t)(s + sn - act - 1)) : NULL;
        const char *act_end = act ? memchr(act, ' ', (size_t)(s + sn - act)) : NULL;
        phone__record(c);
        char rec[1400];
        snprintf(rec, sizeof rec, "pid %s %s operation %.*s %.*s %.*s", pid, proc, (int)(colon - s), s,
                 act && act_end ? (int)(act_end - act - 1) : 0, act ? act + 1 : "", (int)(pl < 1000 ? pl : 1000), pa);
        const char *pk;
        size_t pn;
        rc = phone__value(c, IDX_K_FILE_PATH, pa, pl, rec, tp);
        if (!rc && path_package(pa, pl, &pk, &pn) == 0)
            rc = phone__value(c, IDX_K_APP_ID, pk, pn, rec, tp);
    }
    return rc;
}

/* ---- platform_compat --------------------------------------------------------------------- */

int phone__a_platform_compat(phone_ctx *c, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *l;
    size_t n;
    int rc = 0;
    while (!rc && phone__a_line(&p, end, &l, &n)) {
        static const char *const keys[] = {"packageOverrides={", "rawOverrides={"};
        for (size_t k = 0; !rc && k < 2; k++) {
            const char *o = memmem(l, n, keys[k], strlen(keys[k]));
            if (!o)
                continue;
            const char *q = o + strlen(keys[k]), *ce = memchr(q, '}', (size_t)(l + n - q));
            if (!ce)
                continue;
            /* "a=false, b=true" */
            while (!rc && q < ce) {
                while (q < ce && (*q == ' ' || *q == ','))
                    q++;
                const char *eq = memchr(q, '=', (size_t)(ce - q));
                if (!eq)
                    break;
                if (phone__a_is_package(q, (size_t)(eq - q))) {
                    phone__record(c);
                    char rec[400];
                    snprintf(rec, sizeof rec, "override %.*s", (int)(eq - q), q);
                    rc = phone__value(c, IDX_K_APP_ID, q, (size_t)(eq - q), rec, NULL);
                }
                const char *cm = memchr(eq, ',', (size_t)(ce - eq));
                q = cm ? cm + 1 : ce;
            }
        }
    }
    return rc;
}

/* ---- adb: trusted computers ---------------------------------------------------------------- */

typedef struct adb_key {
    char fp[48];       /* MD5 of the decoded key, "AA:BB:..." as Android shows it */
    char user[128];    /* the comment after the key: "user@host" */
    int has_time;      /* lastConnection known */
    vg_time last;
} adb_key;

typedef struct adb_keys {
    adb_key k[MAX_KEYS];
    size_t n;
} adb_keys;

/* Adds "base64 [comment]"; the fingerprint is the MD5 of the decoded key. */
static void key_add(adb_keys *ks, const char *s, size_t n, const vg_time *last)
{
    while (n && (*s == ' ' || *s == '"'))
        s++, n--;
    const char *sp = memchr(s, ' ', n);
    size_t bl = sp ? (size_t)(sp - s) : n;
    if (bl < 16 || bl > 4096)
        return;
    unsigned char raw[4096];
    int dl = EVP_DecodeBlock(raw, (const unsigned char *)s, (int)bl);
    if (dl <= 0)
        return;
    while (bl && s[bl - 1] == '=' && dl > 0) /* EVP_DecodeBlock counts padding as zero bytes */
        bl--, dl--;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdl = 0;
    if (EVP_Digest(raw, (size_t)dl, md, &mdl, EVP_md5(), NULL) != 1 || mdl != 16)
        return;
    char fp[48];
    for (unsigned i = 0; i < 16; i++)
        snprintf(fp + 3 * i, sizeof fp - 3 * i, "%02X%s", md[i], i < 15 ? ":" : "");
    adb_key *k = NULL;
    for (size_t i = 0; i < ks->n; i++)
        if (strcmp(ks->k[i].fp, fp) == 0)
            k = &ks->k[i];
    if (!k) {
        if (ks->n >= MAX_KEYS)
            return;
        k = &ks->k[ks->n++];
        memset(k, 0, sizeof *k);
        snprintf(k->fp, sizeof k->fp, "%s", fp);
    }
    if (sp && !k->user[0]) {
        const char *u = sp + 1, *ue = s + n;
        while (ue > u && (ue[-1] == ' ' || ue[-1] == '"'))
            ue--;
        copy_val(k->user, sizeof k->user, u, (size_t)(ue - u));
    }
    if (last && !k->has_time) {
        k->last = *last;
        k->has_time = 1;
    }
}

/* An XML keystore: <adbKey key="..." lastConnection="ms" /> elements, attributes in either order. */
static void keys_xml(adb_keys *ks, const char *s, size_t n)
{
    const char *q = s, *e = s + n;
    while (q < e) {
        const char *t = memmem(q, (size_t)(e - q), "<adbKey", 7);
        if (!t)
            break;
        const char *gt = memchr(t, '>', (size_t)(e - t));
        const char *te = gt ? gt : e;
        const char *ka = memmem(t, (size_t)(te - t), "key=\"", 5);
        const char *la = memmem(t, (size_t)(te - t), "lastConnection=\"", 16);
        vg_time last, *lp = NULL;
        if (la) {
            long long ms = strtoll(la + 16, NULL, 10);
            if (ms > 0) {
                last = vg_time_from_unix(ms / 1000, (uint32_t)(ms % 1000) * 1000000, 3);
                lp = &last;
            }
        }
        if (ka) {
            const char *kv = ka + 5, *ke = memchr(kv, '"', (size_t)(te - kv));
            if (ke)
                key_add(ks, kv, (size_t)(ke - kv), lp);
        }
        q = te;
    }
}

typedef struct abx_keys {
    adb_keys *ks;
    char key[4200];   /* the adbKey's key attribute */
    long long last;   /* its lastConnection, 0 when unknown */
    int in;           /* inside an adbKey */
} abx_keys;

static void abx_flush(abx_keys *a)
{
    if (a->in && a->key[0]) {
        vg_time t, *tp = NULL;
        if (a->last > 0) {
            t = vg_time_from_unix(a->last / 1000, (uint32_t)(a->last % 1000) * 1000000, 3);
            tp = &t;
        }
        key_add(a->ks, a->key, strlen(a->key), tp);
    }
    a->in = 0;
    a->key[0] = 0;
    a->last = 0;
}

static int on_abx(void *ctx, int depth, const char *tag, const char *attr, const char *value)
{
    abx_keys *a = ctx;
    (void)depth;
    if (!attr) { /* a start tag */
        abx_flush(a);
        a->in = strcmp(tag, "adbKey") == 0;
    } else if (a->in && strcmp(attr, "key") == 0) {
        snprintf(a->key, sizeof a->key, "%s", value);
    } else if (a->in && strcmp(attr, "lastConnection") == 0 && value[0] != '?') {
        a->last = strtoll(value, NULL, 10);
    }
    return 0;
}

/* Reads any keystore form: text lines "key user", XML, ABX (lossy when printed by dumpsys). */
static int keys_any(phone_ctx *c, adb_keys *ks, const char *s, size_t n, int lossy)
{
    if (n >= 4 && memcmp(s, "ABX", 3) == 0 && s[3] == 0) {
        abx_keys a = {ks, "", 0, 0};
        vg_error e = {0};
        int rc = phone_abx_parse(s, n, lossy, on_abx, &a, &e);
        abx_flush(&a);
        if (rc == VG_E_NOMEM)
            return rc;
        if (rc)
            phone__a_fail(c, rc, "%s: adb keystore: %s", c->source, e.msg);
        return 0;
    }
    if (memmem(s, n, "<adbKey", 7)) {
        keys_xml(ks, s, n);
        return 0;
    }
    const char *p = s, *end = s + n, *l;
    size_t ln;
    while (phone__a_line(&p, end, &l, &ln))
        key_add(ks, l, ln, NULL);
    return 0;
}

static int keys_report(phone_ctx *c, const adb_keys *ks)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < ks->n; i++) {
        const adb_key *k = &ks->k[i];
        phone__record(c);
        char rec[256];
        snprintf(rec, sizeof rec, "adb key %s %s", k->fp, k->user);
        rc = phone__heuristic(c, PHONE_LOW, rec, k->fp, k->has_time ? &k->last : NULL,
                              "a computer is trusted for USB debugging (adb key %s%s%s): it can install apps and read "
                              "data without the screen being unlocked again",
                              k->fp, k->user[0] ? ", " : "", k->user);
    }
    return rc;
}

int phone__a_adb(phone_ctx *c, const char *data, size_t len)
{
    adb_keys *ks = vg_calloc(1, sizeof *ks);
    if (!ks)
        return VG_E_NOMEM;
    const char *end = data + len;
    int rc = 0;
    /* user_keys=<key> <user>, then the file's other lines (unindented) up to a blank or indented one */
    const char *u = memmem(data, len, "user_keys=", 10);
    if (u) {
        const char *s = u + 10, *e = memchr(s, '\n', (size_t)(end - s));
        e = e ? e : end;
        while (e < end && e + 1 < end && e[1] != '\n' && e[1] != ' ') {
            const char *nl = memchr(e + 1, '\n', (size_t)(end - e - 1));
            e = nl ? nl : end;
        }
        rc = keys_any(c, ks, s, (size_t)(e - s), 1);
    }
    /* keystore=<file>: XML text, or ABX printed as text, up to the closing "  }" of the block */
    const char *k = rc ? NULL : memmem(data, len, "keystore=", 9);
    if (k) {
        const char *s = k + 9;
        const char *e = memmem(s, (size_t)(end - s), "\n  }", 4);
        if (!e)
            e = end;
        rc = keys_any(c, ks, s, (size_t)(e - s), 1);
    }
    if (!rc)
        rc = keys_report(c, ks);
    vg_free(ks);
    return rc;
}

int phone__a_adb_keys(phone_ctx *c, const char *data, size_t len)
{
    adb_keys *ks = vg_calloc(1, sizeof *ks);
    if (!ks)
        return VG_E_NOMEM;
    int rc = keys_any(c, ks, data, len, 0);
    if (!rc)
        rc = keys_report(c, ks);
    vg_free(ks);
    return rc;
}
