/*
 * phone_ios_readers.c - the iOS artifact table: one row and one function per
 * artifact. Adding an artifact is adding a row and a function.
 *
 * Each function reads its file, calls phone__record per record and
 * phone__value / phone__text per value (with the record's time when the
 * artifact has one, converted to UTC), and phone__heuristic for findings
 * that need no indicator. A table or column the file lacks (an older iOS) is
 * skipped; a file that is not what it should be is reported by the caller.
 * Apple's clocks: "Cocoa" seconds since 2001-01-01 (phone_cocoa_time) in most
 * databases, nanoseconds since 2001 in newer sms.db, Unix seconds in TCC.db,
 * DataUsage's timestamps are Cocoa, WebKit's Unix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

/* Runs sql and calls row for each result row. A statement that does not prepare (schema of another iOS) is 0. */
int phone__each_row(phone_ctx *c, sqlite3 *db, const char *sql, int (*row)(phone_ctx *c, sqlite3_stmt *st))
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        phone__record(c);
        rc = row(c, st);
    }
    if (!rc && s != SQLITE_DONE) {
        c->art->state = PHONE_FAILED;
        if (!c->art->error) {
            char buf[1024];
            snprintf(buf, sizeof buf, "%s: %s", c->source, sqlite3_errmsg(db));
            c->art->error = vg_strdup(buf);
        }
        rc = VG_E_PARSE;
    }
    sqlite3_finalize(st);
    return rc;
}


int phone__run_queries(phone_ctx *c, const char *file, const phone_query *q)
{
    sqlite3 *db = NULL;
    int rc = phone__db_open(c, file, NULL, &db);
    for (; !rc && q->sql; q++)
        rc = phone__each_row(c, db, q->sql, q->row);
    sqlite3_close(db);
    return rc;
}

const char *phone__col_text(sqlite3_stmt *st, int i, size_t *len)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *len = s ? (size_t)sqlite3_column_bytes(st, i) : 0;
    return s;
}

/* A time column: Cocoa seconds (or nanoseconds when huge); 0/NULL is no time. */
const vg_time *phone__cocoa_col(sqlite3_stmt *st, int i, vg_time *t)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    double v = sqlite3_column_double(st, i);
    if (v == 0)
        return NULL;
    if (v > 1e12 || v < -1e12) /* nanoseconds since 2001 (sms.db since iOS 11) */
        v /= 1e9;
    *t = phone_cocoa_time(v);
    return t;
}

const vg_time *phone__unix_col(sqlite3_stmt *st, int i, vg_time *t)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    double v = sqlite3_column_double(st, i);
    if (v <= 0)
        return NULL;
    *t = phone__unix_time(v);
    return t;
}

/* ---- Info.plist ------------------------------------------------------------ */

static int info_app(void *p, const char *id)
{
    phone_ctx *c = p;
    phone__record(c);
    char rec[512];
    snprintf(rec, sizeof rec, "Installed Applications %s", id);
    return phone__value(c, IDX_K_APP_ID, id, strlen(id), rec, NULL);
}

static int read_backup_info(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    char *data = NULL;
    size_t len = 0;
    vg_error e = {0};
    int rc = phone__read_file(file, 64u << 20, &data, &len, &e);
    if (!rc) {
        phone_device_clear(&c->r->device);
        rc = phone_info_plist(data, len, &c->r->device, info_app, c, &e);
    }
    vg_free(data);
    return rc;
}

/* ---- Manifest.db ----------------------------------------------------------- */

typedef struct manifest_state {
    char domain[512]; /* the last AppDomain looked up (rows come ordered by domain) */
} manifest_state;

static int read_manifest(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    sqlite3 *db = NULL;
    int rc = phone__db_open(c, file, NULL, &db);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return VG_E_PARSE;
    }
    manifest_state ms = {{0}};
    int s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        phone__record(c);
        size_t dl, rl;
        const char *dom = phone__col_text(st, 1, &dl);
        const char *rel = phone__col_text(st, 2, &rl);
        if (!dom || !rel)
            continue;
        phone_mbfile mb;
        vg_time t, *tp = NULL;
        if (phone_mbfile_parse(sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4), &mb) == 0 &&
            mb.has_modified) {
            t = mb.modified;
            tp = &t;
        }
        char rec[4200];
        snprintf(rec, sizeof rec, "%s/%s", dom, rel);
        /* the app of an app domain, once per domain */
        const char *app = NULL;
        if (strncmp(dom, "AppDomain-", 10) == 0)
            app = dom + 10;
        else if (strncmp(dom, "AppDomainGroup-group.", 21) == 0)
            app = dom + 21;
        else if (strncmp(dom, "AppDomainPlugin-", 16) == 0)
            app = dom + 16;
        if (app && strcmp(ms.domain, dom) != 0) {
            snprintf(ms.domain, sizeof ms.domain, "%s", dom);
            rc = phone__value(c, IDX_K_APP_ID, app, strlen(app), rec, NULL);
        }
        if (!rc && rl) {
            char path[4200];
            int n = snprintf(path, sizeof path, "/%s", rel);
            if (n > 0 && (size_t)n < sizeof path)
                rc = phone__value(c, IDX_K_FILE_PATH, path, (size_t)n, rec, tp);
        }
        if (!rc && rl)
            rc = phone__text(c, rel, rl, rec, tp); /* domains in paths (cookies, WebKit website data) */
    }
    if (!rc && s != SQLITE_DONE)
        rc = VG_E_PARSE;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* ---- Safari ---------------------------------------------------------------- */

static int safari_visit(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *url = phone__col_text(st, 1, &len);
    vg_time t;
    char rec[128];
    snprintf(rec, sizeof rec, "history_visits id=%lld url", sqlite3_column_int64(st, 0));
    return phone__value(c, IDX_K_URL, url, len, rec, phone__cocoa_col(st, 2, &t));
}

static int read_safari_history(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT history_visits.id, history_items.url, history_visits.visit_time FROM history_items "
         "JOIN history_visits ON history_visits.history_item = history_items.id ORDER BY history_visits.visit_time",
         safari_visit},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

static int safari_tab(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *url = phone__col_text(st, 1, &len);
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 2, &t);
    char rec[128];
    snprintf(rec, sizeof rec, "tabs id=%lld url", sqlite3_column_int64(st, 0));
    int rc = phone__value(c, IDX_K_URL, url, len, rec, tp);
    /* the tab's back/forward list: a plist whose URLs are plain strings inside */
    const char *blob = sqlite3_column_blob(st, 3);
    int n = sqlite3_column_bytes(st, 3);
    if (!rc && blob && n > 0) {
        snprintf(rec, sizeof rec, "tabs id=%lld session_data", sqlite3_column_int64(st, 0));
        rc = phone__text(c, blob, (size_t)n, rec, tp);
    }
    return rc;
}

static int read_safari_state(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT tabs.id, tabs.url, tabs.last_viewed_time, tab_sessions.session_data FROM tabs "
         "LEFT JOIN tab_sessions ON tabs.uuid = tab_sessions.tab_uuid ORDER BY tabs.id",
         safari_tab},
        {NULL, NULL},
    };
    sqlite3 *db = NULL;
    int rc = phone__db_open(c, file, NULL, &db);
    if (rc)
        return rc;
    int sessions = phone__db_has_table(db, "tab_sessions");
    sqlite3_close(db);
    if (sessions)
        return phone__run_queries(c, file, q);
    static const phone_query q2[] = {
        {"SELECT id, url, last_viewed_time, NULL FROM tabs ORDER BY id", safari_tab},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q2);
}

/* ---- SMS ------------------------------------------------------------------- */

/*
 * Apple's threat notifications (iMessage and e-mail, since 2021) tell the
 * user that state-sponsored or mercenary spyware attackers targeted the
 * phone; their wording has changed over the years, these phrases have stayed.
 */
static const char *const threat_phrases[] = {
    "state-sponsored attackers", "mercenary spyware", "targeted by state-sponsored",
};

static int sms_message(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len, hl;
    const char *text = phone__col_text(st, 1, &len);
    const char *handle = phone__col_text(st, 3, &hl);
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 2, &t);
    char rec[128];
    snprintf(rec, sizeof rec, "message ROWID=%lld text", sqlite3_column_int64(st, 0));
    int rc = phone__text(c, text, len, rec, tp);
    for (size_t i = 0; !rc && text && i < sizeof threat_phrases / sizeof threat_phrases[0]; i++)
        if (strcasestr(text, threat_phrases[i])) {
            rc = phone__heuristic(c, PHONE_HIGH, rec, threat_phrases[i], tp,
                                  "Apple threat notification (\"%s\") from %.*s: the phone was likely targeted by "
                                  "mercenary spyware; follow Apple's advice and get expert help",
                                  threat_phrases[i], (int)(hl < 200 ? hl : 200), handle ? handle : "?");
            break;
        }
    if (!rc && handle && memchr(handle, '@', hl)) {
        snprintf(rec, sizeof rec, "message ROWID=%lld handle", sqlite3_column_int64(st, 0));
        rc = phone__value(c, IDX_K_EMAIL, handle, hl, rec, tp);
    }
    return rc;
}

/* Temporary folders where exploit payloads sent as attachments have landed. */
static const char *const tmp_dirs[] = {"/var/tmp/", "/private/var/tmp/", "~/tmp/"};

static int sms_attachment(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len, tl;
    const char *name = phone__col_text(st, 1, &len);
    const char *transfer = phone__col_text(st, 3, &tl);
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 2, &t);
    long long id = sqlite3_column_int64(st, 0);
    char rec[128];
    snprintf(rec, sizeof rec, "attachment ROWID=%lld filename", id);
    int rc = name ? phone__value(c, IDX_K_FILE_PATH, name, len, rec, tp) : 0;
    if (!rc && transfer && (!name || !strstr(name, transfer))) {
        snprintf(rec, sizeof rec, "attachment ROWID=%lld transfer_name", id);
        rc = phone__value(c, IDX_K_FILE_NAME, transfer, tl, rec, tp);
    }
    int incoming = sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_int(st, 4) == 0;
    for (size_t i = 0; !rc && name && incoming && i < sizeof tmp_dirs / sizeof tmp_dirs[0]; i++)
        if (strncmp(name, tmp_dirs[i], strlen(tmp_dirs[i])) == 0) {
            snprintf(rec, sizeof rec, "attachment ROWID=%lld filename", id);
            rc = phone__heuristic(c, PHONE_MEDIUM, rec, name, tp,
                                  "Received attachment stored in a temporary folder (%s): where zero-click "
                                  "exploit payloads have been found",
                                  name);
        }
    return rc;
}

#define SMS_MESSAGES                                                                                     \
    "SELECT message.ROWID, message.text, message.date, handle.id FROM message "                         \
    "LEFT JOIN handle ON handle.ROWID = message.handle_id ORDER BY message.ROWID"

static int read_sms(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {SMS_MESSAGES, sms_message},
        {"SELECT ROWID, filename, created_date, transfer_name, is_outgoing FROM attachment ORDER BY ROWID",
         sms_attachment},
        {NULL, NULL},
    };
    static const phone_query old[] = { /* before is_outgoing and transfer_name */
        {SMS_MESSAGES, sms_message},
        {"SELECT ROWID, filename, created_date, NULL, NULL FROM attachment ORDER BY ROWID", sms_attachment},
        {NULL, NULL},
    };
    sqlite3 *db = NULL;
    int rc = phone__db_open(c, file, NULL, &db);
    if (rc)
        return rc;
    sqlite3_stmt *probe = NULL;
    int recent = sqlite3_prepare_v2(db, "SELECT is_outgoing, transfer_name FROM attachment", -1, &probe, NULL) ==
                 SQLITE_OK;
    sqlite3_finalize(probe);
    sqlite3_close(db);
    return phone__run_queries(c, file, recent ? q : old); /* no attachment table: its query is skipped */
}

/* ---- WhatsApp -------------------------------------------------------------- */

static int wa_message(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *text = phone__col_text(st, 1, &len);
    vg_time t;
    char rec[160];
    snprintf(rec, sizeof rec, "%s Z_PK=%lld", (const char *)sqlite3_column_text(st, 3), sqlite3_column_int64(st, 0));
    return phone__text(c, text, len, rec, phone__cocoa_col(st, 2, &t));
}

static int read_whatsapp(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT Z_PK, ZTEXT, ZMESSAGEDATE, 'ZWAMESSAGE.ZTEXT' FROM ZWAMESSAGE ORDER BY Z_PK", wa_message},
        {"SELECT m.Z_PK, i.ZMEDIAURL, m.ZMESSAGEDATE, 'ZWAMEDIAITEM.ZMEDIAURL of ZWAMESSAGE' FROM ZWAMEDIAITEM i "
         "JOIN ZWAMESSAGE m ON m.Z_PK = i.ZMESSAGE ORDER BY m.Z_PK",
         wa_message},
        {"SELECT m.Z_PK, coalesce(d.ZCONTENT1, '') || ' ' || coalesce(d.ZCONTENT2, '') || ' ' || "
         "coalesce(d.ZMATCHEDTEXT, ''), m.ZMESSAGEDATE, 'ZWAMESSAGEDATAITEM of ZWAMESSAGE' FROM ZWAMESSAGEDATAITEM d "
         "JOIN ZWAMESSAGE m ON m.Z_PK = d.ZMESSAGE ORDER BY m.Z_PK",
         wa_message},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- DataUsage / netusage -------------------------------------------------- */

typedef struct du_state {
    long long prev_pk;    /* the previous process row's Z_PK, 0 before the first */
    char prev_name[512];  /* its name */
    vg_time prev_first;   /* its first timestamp */
    int prev_has;         /* prev_first is set */
} du_state;

static du_state du; /* reset before each file; readers run on one thread */

static int du_process(phone_ctx *c, sqlite3_stmt *st)
{
    long long pk = sqlite3_column_int64(st, 0);
    size_t len, bl;
    const char *name = phone__col_text(st, 1, &len);
    const char *bundle = phone__col_text(st, 2, &bl);
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 3, &t);
    int rc = 0;
    /* a gap in Z_PK: a process row was deleted (the reference tool's "missing process" heuristic) */
    if (du.prev_pk > 0 && pk > du.prev_pk + 1) {
        for (long long m = du.prev_pk + 1; m < pk && m < du.prev_pk + 64 && !rc; m++) {
            char rec[64];
            snprintf(rec, sizeof rec, "ZPROCESS Z_PK=%lld", m);
            rc = phone__heuristic(c, PHONE_LOW, rec, NULL, du.prev_has ? &du.prev_first : NULL,
                                  "Missing process %lld (a deleted ZPROCESS row); the previous process, %s, was "
                                  "first seen then",
                                  m, du.prev_name);
        }
    }
    du.prev_pk = pk;
    snprintf(du.prev_name, sizeof du.prev_name, "%.*s", (int)len, name ? name : "");
    du.prev_has = tp != NULL;
    if (tp)
        du.prev_first = *tp;
    char rec[128];
    snprintf(rec, sizeof rec, "ZPROCESS Z_PK=%lld ZPROCNAME", pk);
    if (!rc && name) {
        /* "UUID/com.apple.x", "process/bundle" or "/usr/libexec/x": the last component as a process name */
        const char *base = name;
        for (size_t i = 0; i < len; i++)
            if (name[i] == '/')
                base = name + i + 1;
        rc = phone__value(c, IDX_K_PROCESS, base, len - (size_t)(base - name), rec, tp);
        /* and the first of "process/bundle" (cut to 16 characters by iOS: "IMRemoteURLConne"; the index
           matches such a prefix of a longer process name), unless it is the UUID of an app */
        const char *slash = memchr(name, '/', len);
        size_t fl = slash ? (size_t)(slash - name) : 0;
        int uuid = fl == 36 && name[8] == '-' && name[13] == '-' && name[18] == '-' && name[23] == '-';
        if (!rc && fl && !uuid)
            rc = phone__value(c, IDX_K_PROCESS, name, fl, rec, tp);
    }
    if (!rc && bundle && bl) {
        snprintf(rec, sizeof rec, "ZPROCESS Z_PK=%lld ZBUNDLENAME", pk);
        rc = phone__value(c, IDX_K_APP_ID, bundle, bl, rec, tp);
    }
    return rc;
}

static int du_orphan(phone_ctx *c, sqlite3_stmt *st)
{
    vg_time t;
    char rec[128];
    snprintf(rec, sizeof rec, "ZLIVEUSAGE Z_PK=%lld", sqlite3_column_int64(st, 0));
    return phone__heuristic(c, PHONE_MEDIUM, rec, NULL, phone__cocoa_col(st, 2, &t),
                            "Usage row whose process (ZHASPROCESS=%lld) is not in ZPROCESS: a process record was "
                            "deleted (manipulated database)",
                            sqlite3_column_int64(st, 1));
}

/*
 * Filesystem dumps: a process without a bundle id is a binary of the system;
 * when no file of the dump has its name, the binary is gone (spyware deletes
 * itself). One finding per usage row, timed by it, as the reference tool.
 */
static int du_no_binary(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *name = phone__col_text(st, 1, &len);
    if (!name || !len || memchr(name, '/', len) || phone__fs_has_name(c, name))
        return 0;
    vg_time t;
    char rec[128];
    if (sqlite3_column_type(st, 2) == SQLITE_NULL)
        snprintf(rec, sizeof rec, "ZPROCESS Z_PK=%lld", sqlite3_column_int64(st, 0));
    else
        snprintf(rec, sizeof rec, "ZLIVEUSAGE Z_PK=%lld of ZPROCESS Z_PK=%lld", sqlite3_column_int64(st, 2),
                 sqlite3_column_int64(st, 0));
    return phone__heuristic(c, PHONE_MEDIUM, rec, name, phone__cocoa_col(st, 3, &t),
                            "Could not find the binary of the process %s (no bundle id) anywhere in the "
                            "filesystem%s",
                            name, len == 16 ? " (the name may be truncated to 16 characters in the database)" : "");
}

static int read_datausage(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    memset(&du, 0, sizeof du);
    static const phone_query q[] = {
        {"SELECT Z_PK, ZPROCNAME, ZBUNDLENAME, ZFIRSTTIMESTAMP FROM ZPROCESS ORDER BY Z_PK", du_process},
        {"SELECT Z_PK, ZHASPROCESS, ZTIMESTAMP FROM ZLIVEUSAGE WHERE ZHASPROCESS IS NOT NULL AND ZHASPROCESS NOT IN "
         "(SELECT Z_PK FROM ZPROCESS) ORDER BY Z_PK",
         du_orphan},
        {NULL, NULL},
    };
    static const phone_query fsq[] = {
        {"SELECT Z_PK, ZPROCNAME, ZBUNDLENAME, ZFIRSTTIMESTAMP FROM ZPROCESS ORDER BY Z_PK", du_process},
        {"SELECT Z_PK, ZHASPROCESS, ZTIMESTAMP FROM ZLIVEUSAGE WHERE ZHASPROCESS IS NOT NULL AND ZHASPROCESS NOT IN "
         "(SELECT Z_PK FROM ZPROCESS) ORDER BY Z_PK",
         du_orphan},
        {"SELECT p.Z_PK, p.ZPROCNAME, l.Z_PK, coalesce(l.ZTIMESTAMP, p.ZFIRSTTIMESTAMP) FROM ZPROCESS p "
         "LEFT JOIN ZLIVEUSAGE l ON l.ZHASPROCESS = p.Z_PK WHERE coalesce(p.ZBUNDLENAME, '') = '' "
         "ORDER BY p.Z_PK, l.Z_PK",
         du_no_binary},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, c->fs ? fsq : q);
}

/* ---- TCC ------------------------------------------------------------------- */

static int tcc_row(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len, sl;
    const char *service = phone__col_text(st, 0, &sl);
    const char *client = phone__col_text(st, 1, &len);
    vg_time t;
    const vg_time *tp = phone__unix_col(st, 3, &t);
    char rec[640];
    snprintf(rec, sizeof rec, "access service=%.*s client", (int)(sl < 256 ? sl : 256), service ? service : "");
    if (!client)
        return 0;
    int rc = phone__value(c, IDX_K_PROCESS, client, len, rec, tp);
    if (!rc && sqlite3_column_int(st, 2) == 0) /* client_type 0: a bundle id */
        rc = phone__value(c, IDX_K_APP_ID, client, len, rec, tp);
    else if (!rc) /* client_type 1: an absolute path */
        rc = phone__value(c, IDX_K_FILE_PATH, client, len, rec, tp);
    return rc;
}

static int read_tcc(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    sqlite3 *db = NULL;
    int rc = phone__db_open(c, file, NULL, &db);
    if (rc)
        return rc;
    /* last_modified exists since iOS 9 */
    sqlite3_stmt *probe = NULL;
    int has_time = sqlite3_prepare_v2(db, "SELECT last_modified FROM access", -1, &probe, NULL) == SQLITE_OK;
    sqlite3_finalize(probe);
    rc = phone__each_row(c, db,
                  has_time ? "SELECT service, client, client_type, last_modified FROM access ORDER BY rowid"
                           : "SELECT service, client, client_type, NULL FROM access ORDER BY rowid",
                  tcc_row);
    sqlite3_close(db);
    return rc;
}

/* ---- global preferences ---------------------------------------------------- */

static int prefs_key(void *p, const char *key, plist_t val)
{
    phone_ctx *c = p;
    phone__record(c);
    if (strcmp(key, "LDMGlobalEnabled") == 0 && val && plist_get_node_type(val) == PLIST_BOOLEAN) {
        uint8_t b = 0;
        plist_get_bool_val(val, &b);
        if (b)
            return phone__heuristic(c, PHONE_INFO, "LDMGlobalEnabled", "true", NULL, "Lockdown mode enabled");
    }
    return 0;
}

static int read_prefs(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(file, 16u << 20, &data, &len, NULL);
    if (!rc)
        rc = phone__plist_walk(data, len, prefs_key, c);
    vg_free(data);
    return rc;
}

/* ---- WebKit resource-load statistics --------------------------------------- */

static int rls_row(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *dom = phone__col_text(st, 1, &len);
    vg_time t;
    char rec[128];
    snprintf(rec, sizeof rec, "ObservedDomains domainID=%lld registrableDomain", sqlite3_column_int64(st, 0));
    return phone__value(c, IDX_K_DOMAIN, dom, len, rec, phone__unix_col(st, 2, &t));
}

static int read_webkit_rls(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT domainID, registrableDomain, mostRecentUserInteractionTime FROM ObservedDomains ORDER BY domainID",
         rls_row},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- Calendar -------------------------------------------------------------- */

static int cal_participant(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *email = phone__col_text(st, 1, &len);
    vg_time t;
    char rec[128];
    snprintf(rec, sizeof rec, "Participant ROWID=%lld email", sqlite3_column_int64(st, 0));
    return phone__value(c, IDX_K_EMAIL, email, len, rec, phone__cocoa_col(st, 2, &t));
}

static int cal_item(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *text = phone__col_text(st, 1, &len);
    vg_time t;
    char rec[128];
    snprintf(rec, sizeof rec, "CalendarItem ROWID=%lld summary/url/description", sqlite3_column_int64(st, 0));
    return phone__text(c, text, len, rec, phone__cocoa_col(st, 2, &t));
}

static int read_calendar(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT p.ROWID, p.email, i.start_date FROM Participant p LEFT JOIN CalendarItem i ON i.ROWID = p.owner_id "
         "ORDER BY p.ROWID",
         cal_participant},
        {"SELECT ROWID, coalesce(summary, '') || ' ' || coalesce(url, '') || ' ' || coalesce(description, ''), "
         "start_date FROM CalendarItem ORDER BY ROWID",
         cal_item},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- Shortcuts ------------------------------------------------------------- */

static int shortcut_row(phone_ctx *c, sqlite3_stmt *st)
{
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 2, &t);
    char rec[128];
    snprintf(rec, sizeof rec, "ZSHORTCUT Z_PK=%lld ZACTIONSDATA", sqlite3_column_int64(st, 0));
    const char *blob = sqlite3_column_blob(st, 1);
    int n = sqlite3_column_bytes(st, 1);
    return blob && n > 0 ? phone__text(c, blob, (size_t)n, rec, tp) : 0;
}

static int read_shortcuts(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT Z_PK, ZACTIONSDATA, ZCREATIONDATE FROM ZSHORTCUT ORDER BY Z_PK", shortcut_row},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- configuration profiles ------------------------------------------------ */

typedef struct profile_ctx {
    phone_ctx *c;
    const char *ident;
    const char *uuid;
    const char *display;
    vg_time install;
    int has_install;
} profile_ctx;

static int profile_key(void *p, const char *key, plist_t val)
{
    profile_ctx *pc = p;
    if (!val)
        return 0;
    if (strcmp(key, "PayloadIdentifier") == 0 && plist_get_node_type(val) == PLIST_STRING)
        pc->ident = plist_get_string_ptr(val, NULL);
    else if (strcmp(key, "PayloadUUID") == 0 && plist_get_node_type(val) == PLIST_STRING)
        pc->uuid = plist_get_string_ptr(val, NULL);
    else if (strcmp(key, "PayloadDisplayName") == 0 && plist_get_node_type(val) == PLIST_STRING)
        pc->display = plist_get_string_ptr(val, NULL);
    else if (strcmp(key, "InstallDate") == 0 && plist_get_node_type(val) == PLIST_DATE) {
        int32_t s = 0, us = 0;
        plist_get_date_val(val, &s, &us);
        pc->install = phone_cocoa_time((double)s + us / 1e6);
        pc->has_install = 1;
    }
    return 0;
}

static int read_profile(phone_ctx *c, const char *file, const char *source)
{
    char *data = NULL;
    size_t len = 0;
    int rc = phone__read_file(file, 16u << 20, &data, &len, NULL);
    if (rc)
        return rc;
    phone__record(c);
    profile_ctx pc = {c, NULL, NULL, NULL, {0, 0, 0}, 0};
    /* the strings stay valid while the tree lives: collect and act inside one walk */
    plist_t p = phone__plist_parse(data, len);
    if (!p || plist_get_node_type(p) != PLIST_DICT) {
        plist_free(p);
        vg_free(data);
        return VG_E_PARSE;
    }
    plist_dict_iter it = NULL;
    plist_dict_new_iter(p, &it);
    while (it) {
        char *key = NULL;
        plist_t val = NULL;
        plist_dict_next_item(p, it, &key, &val);
        if (!key)
            break;
        profile_key(&pc, key, val);
        free(key);
    }
    free(it);
    const vg_time *tp = pc.has_install ? &pc.install : NULL;
    rc = phone__heuristic(c, PHONE_MEDIUM, source, pc.ident, tp,
                          "Configuration profile installed: %s (%s); profiles can route traffic through a proxy or "
                          "VPN and install certificates",
                          pc.display ? pc.display : "no display name", pc.ident ? pc.ident : "no identifier");
    /* configuration-profile:id indicators name a profile by its UUID or its identifier */
    if (!rc && pc.uuid)
        rc = phone__value(c, IDX_K_PROFILE_ID, pc.uuid, strlen(pc.uuid), "profile PayloadUUID", tp);
    if (!rc && pc.ident)
        rc = phone__value(c, IDX_K_PROFILE_ID, pc.ident, strlen(pc.ident), "profile PayloadIdentifier", tp);
    /* hosts of proxies, VPN servers, payload URLs: plain strings in the plist */
    if (!rc)
        rc = phone__text(c, data, len, "profile", tp);
    plist_free(p);
    vg_free(data);
    return rc;
}

/* ---- the table ------------------------------------------------------------- */

/* Device folders that hold per-app copies of a system file (Safari, WebKit) */
#define FS_LIBS "private/var/mobile/{Library,Containers/Data/Application/*/Library}"

const phone_reader phone__ios_readers[] = {
    {"filesystem", NULL, NULL,
     "filesystem dumps: every file's path (file path, as /private/var/... and /var/...), every folder's name "
     "(process name); modification time",
     phone__fs_walk, PHONE_M_FS, NULL},
    {"backup_info", NULL, "Info.plist", "device facts; installed application ids (app id)", read_backup_info,
     PHONE_M_BACKUP, NULL},
    {"applications", NULL, "Info.plist",
     "installed applications' installers (iTunesMetadata sourceApp: app id); not from the App Store (heuristic)",
     phone__read_applications, PHONE_M_BACKUP, NULL},
    {"manifest", NULL, "Manifest.db",
     "every backed-up file: path (file path, base name as file and process name), domains in paths, app domains "
     "(app id); file modification time",
     read_manifest, PHONE_M_BACKUP, NULL},
    {"safari_history", "*", "Library/Safari/History.db", "visited URLs with visit times (url)", read_safari_history,
     0, FS_LIBS "/Safari/History.db"},
    {"safari_browser_state", "*", "Library/Safari/BrowserState.db",
     "open tabs' URLs and their back/forward lists (url), last viewed time", read_safari_state, 0,
     FS_LIBS "/Safari/BrowserState.db"},
    {"sms", "HomeDomain", "Library/SMS/sms.db",
     "URLs, domains, addresses in message text; e-mail handles; attachment paths and names; Apple threat "
     "notifications, attachments received into temporary folders (heuristics); message time",
     read_sms, 0, NULL},
    {"whatsapp", "AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite",
     "URLs in messages, media URLs, link previews; message time", read_whatsapp, 0, NULL},
    {"whatsapp_contacts", "AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ContactsV2.sqlite",
     "WhatsApp contacts (events), URLs in their about text", phone__read_whatsapp_contacts, 0, NULL},
    {"interaction_c", "HomeDomain", "Library/CoreDuet/People/interactionC.db",
     "interactions: apps (app id), contacts' e-mail, content URLs; WhatsApp ids resolved to numbers and names "
     "(events); start time",
     phone__read_interactions, 0, NULL},
    {"contacts", "HomeDomain", "Library/AddressBook/AddressBook.sqlitedb",
     "address book e-mail addresses (email) and URLs; creation time", phone__read_contacts, 0, NULL},
    {"chrome_history", "AppDomain-com.google.chrome.ios", "Library/Application Support/Google/Chrome/Default/History",
     "visited URLs (url), visit time", phone__read_chrome, 0, NULL},
    {"firefox_history", "AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db",
     "visited URLs (url), visit time", phone__read_firefox, 0, NULL},
    {"id_status_cache", "HomeDomain", "Library/Preferences/com.apple.identityservices.idstatuscache.plist",
     "accounts iMessage/FaceTime looked up (e-mail; numbers as events), lookup time", phone__read_idstatuscache, 0,
     "private/var/mobile/Library/{Preferences/com.apple.identityservices.idstatuscache.plist,"
     "IdentityServices/idstatuscache.plist}"},
    {"location_clients", "RootDomain", "Library/Caches/locationd/clients.plist",
     "apps and binaries that asked for the location (app id, file path), latest time", phone__read_location_clients,
     0, NULL},
    {"os_analytics_ad_daily", "HomeDomain", "Library/Preferences/com.apple.osanalytics.addaily.plist",
     "processes in the daily network-use baseline (process, app id), their date", phone__read_addaily, 0, NULL},
    {"shutdown_log", NULL, "shutdown.log",
     "filesystem dumps and sysdiagnose: processes still running at shutdown (file path); ones running from data "
     "folders (heuristic); the shutdown time",
     phone__read_shutdown_log, PHONE_M_FS,
     "{private/var/db/diagnostics/shutdown.log,system_logs.logarchive/Extra/shutdown.log}"},
    {"crash_reports", NULL, "*.ips",
     "filesystem dumps and sysdiagnose: diagnostic and crash reports (.ips): process names (process, app id), "
     "binary paths (file path), bundle ids; a crash of a binary in a data folder (heuristic); the report's time",
     phone__read_ips, PHONE_M_FS,
     "{private/var/mobile/Library/Logs/CrashReporter/{,Retired/,DiagnosticLogs/,DiagnosticLogs/*/},"
     "crashes_and_spins/}*.ips"},
    {"datausage", "WirelessDomain", "Library/Databases/DataUsage.sqlite",
     "process names and bundle ids with first-use time; missing and orphaned process rows (heuristics)",
     read_datausage, 0, NULL},
    {"netusage", "SysSharedContainerDomain-systemgroup.com.apple.networkusage", "Library/Databases/netusage.sqlite",
     "as datausage", read_datausage, 0, "private/var/networkd/{,db/}netusage.sqlite"},
    {"tcc", "HomeDomain", "Library/TCC/TCC.db",
     "clients granted privacy permissions (process name, app id or path), with the grant time", read_tcc, 0, NULL},
    {"global_preferences", "HomeDomain", "Library/Preferences/.GlobalPreferences.plist",
     "lockdown mode (heuristic, informational)", read_prefs, 0, NULL},
    {"webkit_resource_load_statistics", "*", "*WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
     "domains WebKit saw loading resources (domain), last user interaction", read_webkit_rls, 0,
     FS_LIBS "/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"},
    {"webkit_session_resource_log", "*", "*WebKit/WebsiteData/*full_browsing_session_resourceLog.plist",
     "domains of browsing sessions: each origin and the domains it redirected to and from, loaded in frames and "
     "subresources (domain); last seen",
     phone__read_session_resource_log, 0,
     "private/var/mobile/{Library,Containers/Data/Application/*/Library,Containers/Data/Application/*/SystemData/"
     "com.apple.SafariViewService/Library}/WebKit/WebsiteData/{,ResourceLoadStatistics/}"
     "full_browsing_session_resourceLog.plist"},
    {"calendar", "HomeDomain", "Library/Calendar/Calendar.sqlitedb",
     "participants' e-mail addresses; URLs and domains in event text; event start", read_calendar, 0, NULL},
    {"shortcuts", "HomeDomain", "Library/Shortcuts/Shortcuts.sqlite", "URLs and domains in shortcut actions",
     read_shortcuts, 0, NULL},
    {"profile_events", "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles",
     "Library/ConfigurationProfiles/MCProfileEvents.plist",
     "configuration profile installs (informational) and removals, the process that did them (process)",
     phone__read_profile_events, 0, NULL},
    {"configuration_profiles", "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles",
     "Library/ConfigurationProfiles/profile-*.stub",
     "installed profiles (heuristic), their UUID and identifier (configuration-profile), hosts and URLs; install date", read_profile, 0, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL},
};
