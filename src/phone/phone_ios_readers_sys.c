/*
 * phone_ios_readers_sys.c - readers of the artifact table for the system's
 * property lists and logs: IDStatusCache (iMessage/FaceTime lookups of
 * accounts), locationd's clients, OS analytics' daily network baseline
 * (ADDaily), configuration-profile events, the installers of installed
 * applications (Info.plist), WebKit's session resource logs and the shutdown
 * log of a filesystem dump or sysdiagnose. The rows are in phone_ios_readers.c.
 *
 * Dates in these plists are plist dates or Cocoa seconds as reals; both are
 * read (plist_time). Every plist goes through phone__plist_parse, so the
 * libplist guards apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define PLIST_MAX (64u << 20)      /* a system plist is kilobytes; a backup's Info.plist with icons megabytes */
#define SHUTDOWN_LINE_MAX 4096     /* longer lines of shutdown.log are cut there */

/* A plist date or a Cocoa-seconds real into *t. 1 when it was one. */
static int plist_time(plist_t n, vg_time *t)
{
    if (!n)
        return 0;
    if (plist_get_node_type(n) == PLIST_DATE) {
        int32_t s = 0, us = 0;
        plist_get_date_val(n, &s, &us);
        *t = phone_cocoa_time((double)s + us / 1e6);
        return 1;
    }
    if (plist_get_node_type(n) == PLIST_REAL) {
        double d = 0;
        plist_get_real_val(n, &d);
        if (d > 0) {
            *t = phone_cocoa_time(d);
            return 1;
        }
    }
    return 0;
}

/* A dictionary's item, NULL when n is not a dictionary. */
static plist_t dget(plist_t n, const char *key)
{
    return n && plist_get_node_type(n) == PLIST_DICT ? plist_dict_get_item(n, key) : NULL;
}

static const char *plist_str(plist_t n)
{
    if (!n || plist_get_node_type(n) != PLIST_STRING)
        return NULL;
    uint64_t len = 0;
    const char *s = plist_get_string_ptr(n, &len);
    return s && strlen(s) == len ? s : NULL;
}

/* Calls fn for each (key, value) of a dictionary node. Returns 0 or fn's nonzero return. */
static int dict_each(plist_t d, int (*fn)(phone_ctx *c, const char *key, plist_t val, void *arg), phone_ctx *c,
                     void *arg)
{
    if (!d || plist_get_node_type(d) != PLIST_DICT)
        return 0;
    plist_dict_iter it = NULL;
    plist_dict_new_iter(d, &it);
    int rc = 0;
    while (!rc && it) {
        char *key = NULL;
        plist_t val = NULL;
        plist_dict_next_item(d, it, &key, &val);
        if (!key)
            break;
        rc = fn(c, key, val, arg);
        free(key);
    }
    free(it);
    return rc;
}

/* Reads a plist file and hands its root to fn. */
static int with_plist(phone_ctx *c, const char *file, int (*fn)(phone_ctx *c, plist_t root))
{
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(file, PLIST_MAX, &data, &len, NULL);
    if (rc)
        return rc;
    plist_t p = phone__plist_parse(data, len);
    vg_free(data);
    if (!p)
        return VG_E_PARSE;
    rc = fn(c, p);
    plist_free(p);
    return rc;
}

/* ---- IDStatusCache ------------------------------------------------------------ */

static int ids_account(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    const char *service = arg;
    phone__record(c);
    vg_time t;
    const vg_time *tp = plist_time(dget(val, "LookupDate"), &t) ? &t : NULL;
    char rec[600];
    snprintf(rec, sizeof rec, "%.200s %.300s", service, key);
    if (strncmp(key, "mailto:", 7) == 0)
        return phone__value(c, IDX_K_EMAIL, key + 7, strlen(key + 7), rec, tp);
    return phone__event(c, rec, tp, "%s looked up %s", service, key);
}

static int ids_service(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    (void)arg;
    return dict_each(val, ids_account, c, (void *)key);
}

static int ids_root(phone_ctx *c, plist_t root)
{
    if (plist_get_node_type(root) != PLIST_DICT)
        return VG_E_PARSE;
    return dict_each(root, ids_service, c, NULL);
}

int phone__read_idstatuscache(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    return with_plist(c, file, ids_root);
}

/* ---- locationd clients -------------------------------------------------------- */

/* The latest of the client's time fields (they are many: LocationTimeStopped, ReceivingLocation...). */
static int latest_time(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    (void)c;
    vg_time *best = arg, t;
    if (strstr(key, "Time") && plist_time(val, &t) && (best->sec == 0 || vg_time_cmp(&t, best) > 0))
        *best = t;
    return 0;
}

static int location_client(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    (void)arg;
    phone__record(c);
    vg_time t = {0, 0, 0};
    dict_each(val, latest_time, c, &t);
    const vg_time *tp = t.sec ? &t : NULL;
    char rec[600];
    snprintf(rec, sizeof rec, "client %.500s", key);
    /* "com.apple.Maps", "com.apple.locationd.bundle-/System/Library/LocationBundles/X.bundle", "/usr/libexec/x" */
    int rc = 0;
    if (key[0] == '/')
        rc = phone__value(c, IDX_K_FILE_PATH, key, strlen(key), rec, tp);
    else if (!strchr(key, '/'))
        rc = phone__value(c, IDX_K_APP_ID, key, strlen(key), rec, tp);
    const char *exe = plist_str(dget(val, "Executable"));
    const char *bid = plist_str(dget(val, "BundleId"));
    const char *bpath = plist_str(dget(val, "BundlePath"));
    if (!rc && exe)
        rc = phone__value(c, IDX_K_FILE_PATH, exe, strlen(exe), rec, tp);
    if (!rc && bid && strcmp(bid, key) != 0)
        rc = phone__value(c, IDX_K_APP_ID, bid, strlen(bid), rec, tp);
    if (!rc && bpath)
        rc = phone__value(c, IDX_K_FILE_PATH, bpath, strlen(bpath), rec, tp);
    return rc;
}

static int location_root(phone_ctx *c, plist_t root)
{
    if (plist_get_node_type(root) != PLIST_DICT)
        return VG_E_PARSE;
    return dict_each(root, location_client, c, NULL);
}

int phone__read_location_clients(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    return with_plist(c, file, location_root);
}

/* ---- OS analytics: ADDaily ------------------------------------------------------- */

/* netUsageBaseline: {process: [date, wifi in, wifi out, wwan in, wwan out]} */
static int addaily_proc(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    (void)arg;
    phone__record(c);
    vg_time t;
    const vg_time *tp = NULL;
    if (val && plist_get_node_type(val) == PLIST_ARRAY && plist_array_get_size(val) > 0 &&
        plist_time(plist_array_get_item(val, 0), &t))
        tp = &t;
    char rec[600];
    snprintf(rec, sizeof rec, "netUsageBaseline %.500s", key);
    int rc = phone__value(c, IDX_K_PROCESS, key, strlen(key), rec, tp);
    if (!rc && strchr(key, '.')) /* bundle ids appear there too */
        rc = phone__value(c, IDX_K_APP_ID, key, strlen(key), rec, tp);
    return rc;
}

static int addaily_root(phone_ctx *c, plist_t root)
{
    if (plist_get_node_type(root) != PLIST_DICT)
        return VG_E_PARSE;
    return dict_each(dget(root, "netUsageBaseline"), addaily_proc, c, NULL);
}

int phone__read_addaily(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    return with_plist(c, file, addaily_root);
}

/* ---- configuration profile events ------------------------------------------------ */

static int profile_event(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    (void)arg;
    phone__record(c);
    vg_time t;
    const vg_time *tp = plist_time(dget(val, "timestamp"), &t) ? &t : NULL;
    const char *op = plist_str(dget(val, "operation"));
    const char *proc = plist_str(dget(val, "process"));
    char rec[600];
    snprintf(rec, sizeof rec, "ProfileEvents %.500s", key);
    int rc = proc ? phone__value(c, IDX_K_PROCESS, proc, strlen(proc), rec, tp) : 0;
    if (!rc && op && strcmp(op, "install") == 0)
        rc = phone__heuristic(c, PHONE_INFO, rec, key, tp, "Configuration profile %s installed by %s", key,
                              proc ? proc : "an unknown process");
    else if (!rc)
        rc = phone__event(c, rec, tp, "profile %s: %s by %s", key, op ? op : "?", proc ? proc : "?");
    return rc;
}

static int profile_events_root(phone_ctx *c, plist_t root)
{
    if (plist_get_node_type(root) != PLIST_DICT)
        return VG_E_PARSE;
    plist_t list = dget(root, "ProfileEvents");
    if (!list || plist_get_node_type(list) != PLIST_ARRAY)
        return 0;
    int rc = 0;
    uint32_t n = plist_array_get_size(list);
    for (uint32_t i = 0; i < n && !rc; i++) /* each entry: {profile id: {timestamp, operation, process}} */
        rc = dict_each(plist_array_get_item(list, i), profile_event, c, NULL);
    return rc;
}

int phone__read_profile_events(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    return with_plist(c, file, profile_events_root);
}

/* ---- installed applications' installers (Info.plist "Applications") --------------- */

/* Installers that are the App Store or device management. */
static const char *const store_installers[] = {
    "com.apple.AppStore", "com.apple.AppStore.ProductPageExtension", "com.apple.dmd", "dmd", "com.apple.TestFlight",
};

static int app_entry(phone_ctx *c, const char *key, plist_t val, void *arg)
{
    (void)arg;
    phone__record(c);
    plist_t meta = dget(val, "iTunesMetadata");
    if (!meta || plist_get_node_type(meta) != PLIST_DATA)
        return 0;
    uint64_t n = 0;
    const char *d = plist_get_data_ptr(meta, &n);
    plist_t m = phone__plist_parse(d, (size_t)n);
    if (!m || plist_get_node_type(m) != PLIST_DICT) {
        plist_free(m);
        return 0;
    }
    vg_time t;
    const vg_time *tp = NULL;
    if (plist_time(dget(dget(m, "com.apple.iTunesStore.downloadInfo"), "purchaseDate"), &t))
        tp = &t;
    const char *src = plist_str(dget(m, "sourceApp"));
    char rec[600];
    snprintf(rec, sizeof rec, "Applications %.300s iTunesMetadata sourceApp", key);
    int rc = 0;
    if (src) {
        rc = phone__value(c, IDX_K_APP_ID, src, strlen(src), rec, tp);
        int store = 0;
        for (size_t i = 0; i < sizeof store_installers / sizeof store_installers[0]; i++)
            store |= strcmp(src, store_installers[i]) == 0;
        if (!rc && !store)
            rc = phone__heuristic(c, PHONE_MEDIUM, rec, key, tp,
                                  "Application %s was installed by %s, not from the App Store or device management",
                                  key, src);
    }
    plist_free(m);
    return rc;
}

static int apps_root(phone_ctx *c, plist_t root)
{
    if (plist_get_node_type(root) != PLIST_DICT)
        return VG_E_PARSE;
    return dict_each(dget(root, "Applications"), app_entry, c, NULL);
}

int phone__read_applications(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    return with_plist(c, file, apps_root);
}

/* ---- WebKit's session resource log ---------------------------------------------------- */

/*
 * full_browsing_session_resourceLog.plist: {"browsingStatistics": [entry...]}.
 * Each entry is one registrable domain WebKit saw during browsing sessions
 * ("PrevalentResourceDomain", "PrevalentResourceOrigin" before model 15) with
 * the domains it is linked to: each list is an array of {"domain": d}
 * (model 15 on), of {"origin": d, "count": n} (older), or of plain strings.
 * Times ("lastSeen", "mostRecentUserInteraction") are Unix seconds (WebKit's
 * WallTime), -1 or 0 when there is none.
 */
static const char *const session_lists[] = {
    "topFrameUniqueRedirectsTo",        "topFrameUniqueRedirectsFrom",     "topFrameLinkDecorationsFrom",
    "topFrameLoadedThirdPartyScripts",  "subframeUnderTopFrameDomains",    "subframeUnderTopFrameOrigins",
    "subresourceUnderTopFrameDomains",  "subresourceUnderTopFrameOrigins", "subresourceUniqueRedirectsTo",
    "subresourceUniqueRedirectsFrom",   "storageAccessUnderTopFrameDomains", "storageAccessUnderTopFrameOrigins",
};

#define SESSION_ENTRIES_MAX 1000000u /* entries read from one log; a real one holds hundreds */

/* A Unix-seconds real into *t when it is a time (> 0). */
static const vg_time *unix_real(plist_t n, vg_time *t)
{
    double d = 0;
    if (!n || plist_get_node_type(n) != PLIST_REAL)
        return NULL;
    plist_get_real_val(n, &d);
    if (!(d > 0 && d < 1e11))
        return NULL;
    *t = phone__unix_time(d);
    return t;
}

/* A list item's domain: a string, or a dictionary's "domain" or "origin". */
static const char *session_item(plist_t it)
{
    const char *d = plist_str(it);
    if (!d)
        d = plist_str(dget(it, "domain"));
    if (!d)
        d = plist_str(dget(it, "origin"));
    return d;
}

static int session_entry(phone_ctx *c, plist_t e, uint32_t i)
{
    const char *origin = plist_str(dget(e, "PrevalentResourceDomain"));
    if (!origin)
        origin = plist_str(dget(e, "PrevalentResourceOrigin"));
    if (!origin)
        return 0;
    phone__record(c);
    vg_time t;
    const vg_time *tp = unix_real(dget(e, "lastSeen"), &t);
    if (!tp)
        tp = unix_real(dget(e, "mostRecentUserInteraction"), &t);
    char rec[600];
    snprintf(rec, sizeof rec, "browsingStatistics[%u] %.300s", i, origin);
    int rc = phone__value(c, IDX_K_DOMAIN, origin, strlen(origin), rec, tp);
    for (size_t k = 0; !rc && k < sizeof session_lists / sizeof session_lists[0]; k++) {
        plist_t l = dget(e, session_lists[k]);
        if (!l || plist_get_node_type(l) != PLIST_ARRAY)
            continue;
        snprintf(rec, sizeof rec, "browsingStatistics[%u] %.300s %s", i, origin, session_lists[k]);
        uint32_t n = plist_array_get_size(l);
        for (uint32_t j = 0; !rc && j < n; j++) {
            const char *d = session_item(plist_array_get_item(l, j));
            if (d)
                rc = phone__value(c, IDX_K_DOMAIN, d, strlen(d), rec, tp);
        }
    }
    return rc;
}

static int session_root(phone_ctx *c, plist_t root)
{
    plist_t list = plist_get_node_type(root) == PLIST_ARRAY ? root : dget(root, "browsingStatistics");
    if (!list && plist_get_node_type(root) != PLIST_DICT)
        return VG_E_PARSE;
    if (!list || plist_get_node_type(list) != PLIST_ARRAY)
        return 0;
    uint32_t n = plist_array_get_size(list);
    if (n > SESSION_ENTRIES_MAX)
        n = SESSION_ENTRIES_MAX; /* the rest is not read; a log this long is no browsing session */
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = session_entry(c, plist_array_get_item(list, i), i);
    return rc;
}

int phone__read_session_resource_log(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    return with_plist(c, file, session_root);
}

/* ---- the shutdown log -------------------------------------------------------------- */

/* Folders that hold data, not programs: a process that ran from one is out of place. */
static const char *const data_dirs[] = {"/private/var/db/", "/private/var/tmp/", "/var/db/", "/var/tmp/"};

const char *phone__data_dir(const char *path)
{
    for (size_t d = 0; d < sizeof data_dirs / sizeof data_dirs[0]; d++)
        if (strncmp(path, data_dirs[d], strlen(data_dirs[d])) == 0)
            return data_dirs[d];
    return NULL;
}

#define SHUTDOWN_PENDING_MAX 100000 /* clients waiting for a SIGTERM line; past it they go untimed */

typedef struct shutdown_client {
    char *path; /* the client's binary (vg_malloc'd) */
    long line;  /* its line */
} shutdown_client;

/* Clients seen since the last SIGTERM line, waiting for its timestamp. */
typedef struct shutdown_state {
    shutdown_client *pending;
    size_t n, cap;
} shutdown_state;

static int shutdown_flush(phone_ctx *c, shutdown_state *s, const vg_time *t)
{
    int rc = 0;
    for (size_t i = 0; i < s->n && !rc; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "line %ld", s->pending[i].line);
        const char *p = s->pending[i].path;
        rc = phone__value(c, IDX_K_FILE_PATH, p, strlen(p), rec, t);
        const char *dir = rc ? NULL : phone__data_dir(p);
        if (dir)
            rc = phone__heuristic(c, PHONE_MEDIUM, rec, p, t,
                                  "Process %s was running from a data folder (%s) at shutdown", p, dir);
    }
    for (size_t i = 0; i < s->n; i++)
        vg_free(s->pending[i].path);
    s->n = 0;
    return rc;
}

int phone__read_shutdown_log(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    FILE *f = fopen(file, "r");
    if (!f)
        return VG_E_IO;
    char line[SHUTDOWN_LINE_MAX];
    shutdown_state s = {NULL, 0, 0};
    long no = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        no++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') { /* a longer line: skip its rest */
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
        }
        /* "\t\tremaining client pid: 1234 (/usr/libexec/x)" */
        const char *m = strstr(line, "remaining client pid:");
        if (m) {
            const char *o = strchr(m, '('), *e = o ? strrchr(o, ')') : NULL;
            if (!o || !e || e <= o + 1)
                continue;
            phone__record(c);
            if (s.n == SHUTDOWN_PENDING_MAX && (rc = shutdown_flush(c, &s, NULL)) != 0)
                break;
            if (s.n == s.cap) {
                size_t nc = s.cap ? 2 * s.cap : 16;
                shutdown_client *np = vg_realloc(s.pending, nc * sizeof *np);
                if (!np) {
                    rc = VG_E_NOMEM;
                    break;
                }
                s.pending = np;
                s.cap = nc;
            }
            if (!(s.pending[s.n].path = vg_strndup(o + 1, (size_t)(e - o - 1)))) {
                rc = VG_E_NOMEM;
                break;
            }
            s.pending[s.n++].line = no;
            continue;
        }
        /* "SIGTERM: [1614262155]" closes the clients above */
        m = strstr(line, "SIGTERM: [");
        if (m) {
            char *end = NULL;
            long long ts = strtoll(m + 10, &end, 10);
            vg_time t = phone__unix_time((double)ts);
            rc = shutdown_flush(c, &s, end && *end == ']' && ts > 0 ? &t : NULL);
        }
    }
    int frc = shutdown_flush(c, &s, NULL); /* clients after the last SIGTERM line (and frees them) */
    rc = rc ? rc : frc;
    vg_free(s.pending);
    fclose(f);
    return rc;
}
