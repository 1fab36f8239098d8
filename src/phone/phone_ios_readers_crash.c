/*
 * phone_ios_readers_crash.c - the `crash_reports` reader of the artifact
 * table (rows in phone_ios_readers.c): OS analytics' diagnostic reports
 * (.ips) of a filesystem dump (private/var/mobile/Library/Logs/CrashReporter
 * and its Retired/ and DiagnosticLogs/ folders) or of a sysdiagnose
 * (crashes_and_spins/). Spyware that crashes leaves its process name and
 * path there, even after it removed its own files.
 *
 * A report is one line of JSON metadata (app_name, name, bundleID,
 * bug_type, timestamp "YYYY-MM-DD HH:MM:SS.ff +ZZZZ") and the report: JSON
 * since iOS 15 (procName, procPath, parentProc, coalitionName, bundleInfo;
 * JetsamEvent reports list "processes" by name), plain text before it
 * ("Process: name [pid]", "Path:", "Identifier:", "Parent Process:").
 * Names are looked up as process names (app ids when they hold a dot),
 * paths as file paths; a process that crashed running from a data folder
 * (/private/var/db/, /private/var/tmp/) is a MEDIUM finding, as in the
 * shutdown log. Each report is an event at its time (the header's
 * timestamp, else the body's captureTime).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define IPS_MAX (32u << 20)     /* bytes of one report: a stackshot is a few MB */
#define JETSAM_MAX 10000u       /* processes of one JetsamEvent report read */

/* "YYYY-MM-DD HH:MM:SS[.ff] +ZZZZ" (or with the zone as ±HH:MM) into *t. 1 when it is one. */
static int ips_time(const char *s, vg_time *t)
{
    char buf[64];
    size_t n = s ? strlen(s) : 0;
    if (n < 19 || n > 40)
        return 0;
    memcpy(buf, s, n + 1);
    /* " +0100" -> "+01:00": RFC 3339 wants no space and a colon */
    char *z = strrchr(buf, ' ');
    if (z && z > buf + 10 && (z[1] == '+' || z[1] == '-') && strlen(z + 1) == 5) {
        char zone[8] = {z[1], z[2], z[3], ':', z[4], z[5], 0};
        snprintf(z, sizeof buf - (size_t)(z - buf), "%s", zone);
    }
    return vg_time_parse(buf, strlen(buf), VG_TIME_RFC3339, t, NULL) == 0;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && s[0] ? s : NULL;
}

/* A process name (and an app id when it holds a dot, like a bundle id). */
static int name_value(phone_ctx *c, const char *name, const char *rec, const vg_time *t)
{
    if (!name)
        return 0;
    int rc = phone__value(c, IDX_K_PROCESS, name, strlen(name), rec, t);
    if (!rc && strchr(name, '.') && !strchr(name, '/'))
        rc = phone__value(c, IDX_K_APP_ID, name, strlen(name), rec, t);
    return rc;
}

/* The crashed binary's path: a file path, and a finding when it lies in a data folder. */
static int path_value(phone_ctx *c, const char *path, const char *proc, const char *rec, const vg_time *t)
{
    if (!path)
        return 0;
    int rc = phone__value(c, IDX_K_FILE_PATH, path, strlen(path), rec, t);
    const char *dir = phone__data_dir(path);
    if (!rc && dir)
        rc = phone__heuristic(c, PHONE_MEDIUM, rec, path, t,
                              "Process %s crashed running from %s, a data folder (not where programs are installed)",
                              proc ? proc : path, dir);
    return rc;
}

/* The JSON report (iOS 15 and later). */
static int json_body(phone_ctx *c, const json_t *b, const vg_time *t, const char *rec)
{
    char r[700];
    const char *proc = jstr(b, "procName");
    snprintf(r, sizeof r, "%s procName", rec);
    int rc = name_value(c, proc, r, t);
    snprintf(r, sizeof r, "%s procPath", rec);
    if (!rc)
        rc = path_value(c, jstr(b, "procPath"), proc, r, t);
    snprintf(r, sizeof r, "%s parentProc", rec);
    if (!rc)
        rc = name_value(c, jstr(b, "parentProc"), r, t);
    const char *co = jstr(b, "coalitionName");
    snprintf(r, sizeof r, "%s coalitionName", rec);
    if (!rc && co)
        rc = phone__value(c, IDX_K_APP_ID, co, strlen(co), r, t);
    const char *bid = jstr(json_object_get(b, "bundleInfo"), "CFBundleIdentifier");
    snprintf(r, sizeof r, "%s bundleInfo", rec);
    if (!rc && bid)
        rc = phone__value(c, IDX_K_APP_ID, bid, strlen(bid), r, t);
    const json_t *ps = json_object_get(b, "processes"); /* JetsamEvent: every process and its memory */
    size_t n = json_is_array(ps) ? json_array_size(ps) : 0;
    for (size_t i = 0; !rc && i < n && i < JETSAM_MAX; i++) {
        snprintf(r, sizeof r, "%s processes[%zu]", rec, i);
        rc = name_value(c, jstr(json_array_get(ps, i), "name"), r, t);
    }
    return rc;
}

/* The value of a "Key:   value" line of a text report, or NULL. */
static const char *text_field(const char *l, size_t n, const char *key, size_t *vn)
{
    size_t k = strlen(key);
    if (n <= k || memcmp(l, key, k) != 0)
        return NULL;
    const char *v = l + k;
    while (v < l + n && *v == ' ')
        v++;
    *vn = (size_t)(l + n - v);
    return *vn ? v : NULL;
}

/* The text report (before iOS 15): Process, Path, Identifier, Parent Process. */
static int text_body(phone_ctx *c, const char *p, const char *end, const vg_time *t, const char *rec)
{
    char proc[1024] = "", r[700], v[1024];
    int rc = 0;
    for (int lines = 0; !rc && p < end && lines < 200; lines++) { /* the fields are at the top */
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), vn = 0;
        const char *l = p, *f;
        p = nl ? nl + 1 : end;
        if ((f = text_field(l, n, "Process:", &vn)) || (f = text_field(l, n, "Parent Process:", &vn))) {
            const char *br = memchr(f, '[', vn); /* "bh [1234]" */
            size_t k = br ? (size_t)(br - f) : vn;
            while (k && f[k - 1] == ' ')
                k--;
            snprintf(v, sizeof v, "%.*s", (int)(k < sizeof v - 1 ? k : sizeof v - 1), f);
            if (l[0] == 'P' && l[1] == 'r')
                memcpy(proc, v, sizeof proc);
            snprintf(r, sizeof r, "%s %.*s", rec, l[0] == 'P' && l[1] == 'r' ? 7 : 14, l);
            rc = name_value(c, v[0] ? v : NULL, r, t);
        } else if ((f = text_field(l, n, "Path:", &vn))) {
            snprintf(v, sizeof v, "%.*s", (int)(vn < sizeof v - 1 ? vn : sizeof v - 1), f);
            snprintf(r, sizeof r, "%s Path", rec);
            rc = path_value(c, v, proc[0] ? proc : NULL, r, t);
        } else if ((f = text_field(l, n, "Identifier:", &vn))) {
            snprintf(v, sizeof v, "%.*s", (int)(vn < sizeof v - 1 ? vn : sizeof v - 1), f);
            snprintf(r, sizeof r, "%s Identifier", rec);
            rc = name_value(c, v, r, t);
        }
    }
    return rc;
}

int phone__read_ips(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(file, IPS_MAX, &data, &len, NULL);
    if (rc)
        return rc;
    const char *nl = memchr(data, '\n', len), *end = data + len;
    json_t *h = json_loadb(data, nl ? (size_t)(nl - data) : len, 0, NULL);
    if (!json_is_object(h)) {
        json_decref(h);
        vg_free(data);
        return VG_E_PARSE;
    }
    phone__record(c);
    const char *body = nl ? nl + 1 : end;
    while (body < end && (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t'))
        body++;
    json_t *b = body < end && *body == '{' ? json_loadb(body, (size_t)(end - body), 0, NULL) : NULL;
    vg_time t;
    const vg_time *tp = ips_time(jstr(h, "timestamp"), &t) || ips_time(jstr(b, "captureTime"), &t) ? &t : NULL;
    const char *type = jstr(h, "bug_type"), *name = jstr(h, "name"), *app = jstr(h, "app_name");
    char rec[300];
    snprintf(rec, sizeof rec, "report bug_type %.16s", type ? type : "?");
    char r[400];
    snprintf(r, sizeof r, "%s name", rec);
    rc = phone__event(c, rec, tp, "diagnostic report (bug_type %s) of %s", type ? type : "?",
                      app ? app : name ? name : "?");
    if (!rc)
        rc = name_value(c, name, r, tp);
    snprintf(r, sizeof r, "%s app_name", rec);
    if (!rc && app && (!name || strcmp(app, name) != 0))
        rc = name_value(c, app, r, tp);
    const char *bid = jstr(h, "bundleID");
    snprintf(r, sizeof r, "%s bundleID", rec);
    if (!rc && bid)
        rc = phone__value(c, IDX_K_APP_ID, bid, strlen(bid), r, tp);
    if (!rc && b)
        rc = json_body(c, b, tp, rec);
    else if (!rc && body < end)
        rc = text_body(c, body, end, tp, rec);
    json_decref(b);
    json_decref(h);
    vg_free(data);
    return rc;
}
