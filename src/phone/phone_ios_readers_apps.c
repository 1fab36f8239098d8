/*
 * phone_ios_readers_apps.c - readers of the artifact table for apps'
 * databases: Chrome and Firefox history, CoreDuet interactions (with
 * WhatsApp's LID → phone number → name resolution), the address book and
 * WhatsApp's contacts. The rows are in phone_ios_readers.c.
 *
 * Clocks: Chrome counts microseconds since 1601-01-01, Firefox microseconds
 * since 1970, CoreDuet and WhatsApp Cocoa seconds, the address book Cocoa
 * seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

/* ---- Chrome ------------------------------------------------------------------ */

static int chrome_visit(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *url = phone__col_text(st, 1, &len);
    vg_time t, *tp = NULL;
    double us = sqlite3_column_double(st, 2);
    if (us > 0) { /* microseconds since 1601-01-01 */
        t = phone__unix_time(us / 1e6 - 11644473600.0);
        tp = &t;
    }
    char rec[128];
    snprintf(rec, sizeof rec, "visits id=%lld url", sqlite3_column_int64(st, 0));
    return phone__value(c, IDX_K_URL, url, len, rec, tp);
}

int phone__read_chrome(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT visits.id, urls.url, visits.visit_time FROM visits JOIN urls ON urls.id = visits.url "
         "ORDER BY visits.id",
         chrome_visit},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- Firefox ----------------------------------------------------------------- */

static int firefox_visit(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *url = phone__col_text(st, 1, &len);
    vg_time t, *tp = NULL;
    double us = sqlite3_column_double(st, 2);
    if (us > 0) { /* microseconds since 1970 */
        t = phone__unix_time(us / 1e6);
        tp = &t;
    }
    char rec[128];
    snprintf(rec, sizeof rec, "visits id=%lld url", sqlite3_column_int64(st, 0));
    return phone__value(c, IDX_K_URL, url, len, rec, tp);
}

int phone__read_firefox(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT visits.id, history.url, visits.date FROM visits JOIN history ON history.id = visits.siteID "
         "ORDER BY visits.id",
         firefox_visit},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- WhatsApp identities: LID → phone number → name ----------------------------- */

/* One known WhatsApp identity. */
typedef struct wa_person {
    char *lid;   /* "100000000000001@lid", or NULL */
    char *phone; /* "+14155550100", or NULL */
    char *name;  /* "Alice Example", or NULL */
} wa_person;

typedef struct wa_book {
    wa_person *p;
    size_t n;
} wa_book;

#define WA_GROUP "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
#define WA_BOOK_MAX 100000 /* people kept from one contacts database */

static void book_free(wa_book *b)
{
    for (size_t i = 0; i < b->n; i++) {
        vg_free(b->p[i].lid);
        vg_free(b->p[i].phone);
        vg_free(b->p[i].name);
    }
    vg_free(b->p);
    b->p = NULL;
    b->n = 0;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s && s[0] ? vg_strdup(s) : NULL;
}

/* Reads rows of (lid, phone, name) into b; a database or table that is not there adds nothing. */
static int book_load(phone_ctx *c, wa_book *b, const char *file, const char *sql)
{
    sqlite3 *db = NULL;
    phone_artifact *keep = c->art, dummy = {0};
    c->art = &dummy; /* a missing or damaged helper database is not the reader's failure */
    int rc = phone__db_open(c, file, NULL, &db);
    c->art = keep;
    vg_free(dummy.error);
    if (rc)
        return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (b->n < WA_BOOK_MAX && sqlite3_step(st) == SQLITE_ROW) {
            wa_person *n = vg_realloc(b->p, (b->n + 1) * sizeof *n);
            if (!n) {
                rc = VG_E_NOMEM;
                break;
            }
            b->p = n;
            wa_person *p = &n[b->n++];
            p->lid = col_dup(st, 0);
            p->phone = col_dup(st, 1);
            p->name = col_dup(st, 2);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* "+14155550100, Alice Example" for a LID, "Alice Example" for a phone number; "" when unknown. */
static void resolve(const wa_book *b, const char *id, char *out, size_t cap)
{
    out[0] = 0;
    if (!id)
        return;
    const char *phone = NULL, *name = NULL;
    size_t n = strlen(id);
    if (n > 4 && strcmp(id + n - 4, "@lid") == 0) {
        for (size_t i = 0; i < b->n && !phone; i++)
            if (b->p[i].lid && b->p[i].phone && strcmp(b->p[i].lid, id) == 0)
                phone = b->p[i].phone;
    } else if (id[0] == '+') {
        phone = id;
    }
    for (size_t i = 0; phone && i < b->n && !name; i++)
        if (b->p[i].phone && b->p[i].name && strcmp(b->p[i].phone, phone) == 0)
            name = b->p[i].name;
    if (phone && phone != id)
        snprintf(out, cap, "%s%s%s", phone, name ? ", " : "", name ? name : "");
    else if (name)
        snprintf(out, cap, "%s", name);
}

/* ---- CoreDuet interactions ---------------------------------------------------- */

static wa_book book; /* WhatsApp's people, loaded for one interactionC.db; readers run on one thread */

static const char *direction_name(int d)
{
    return d == 0 ? "INCOMING" : d == 1 ? "OUTGOING" : "UNKNOWN";
}

/* An identifier of a contact: an e-mail address is looked up; WhatsApp ids and numbers are resolved. */
static int contact_id(phone_ctx *c, const char *id, const char *rec, const vg_time *t)
{
    if (!id || !id[0])
        return 0;
    size_t n = strlen(id);
    const char *at = strchr(id, '@');
    if (at && strcmp(at, "@lid") && strcmp(at, "@s.whatsapp.net") && strcmp(at, "@g.us"))
        return phone__value(c, IDX_K_EMAIL, id, n, rec, t);
    return 0;
}

static int interaction(phone_ctx *c, sqlite3_stmt *st)
{
    long long pk = sqlite3_column_int64(st, 0);
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 1, &t);
    size_t bl, tl, ul;
    const char *bundle = phone__col_text(st, 2, &bl);
    const char *target = phone__col_text(st, 3, &tl);
    const char *url = phone__col_text(st, 4, &ul);
    const char *domain_id = (const char *)sqlite3_column_text(st, 6);
    const char *sender = (const char *)sqlite3_column_text(st, 7);
    const char *sender_name = (const char *)sqlite3_column_text(st, 8);
    const char *recipient = (const char *)sqlite3_column_text(st, 9);
    char rec[128];
    snprintf(rec, sizeof rec, "ZINTERACTIONS Z_PK=%lld", pk);
    int rc = phone__value(c, IDX_K_APP_ID, bundle, bl, rec, tp);
    if (!rc)
        rc = phone__value(c, IDX_K_APP_ID, target, tl, rec, tp);
    if (!rc && url)
        rc = phone__text(c, url, ul, rec, tp);
    if (!rc)
        rc = contact_id(c, sender, rec, tp);
    if (!rc)
        rc = contact_id(c, recipient, rec, tp);
    /* the event, with WhatsApp identities resolved to numbers and names */
    char rs[300], rr[300], rd[300];
    resolve(&book, sender, rs, sizeof rs);
    resolve(&book, recipient, rr, sizeof rr);
    resolve(&book, domain_id, rd, sizeof rd);
    if (!rc)
        rc = phone__event(c, rec, tp, "%s %s interaction%s%s%s%s%s%s%s%s%s%s%s%s%s%s", direction_name(sqlite3_column_int(st, 5)),
                          bundle ? bundle : "?", sender ? " from " : "", sender ? sender : "",
                          sender_name ? " " : "", sender_name ? sender_name : "", rs[0] ? " (" : "", rs,
                          rs[0] ? ")" : "", recipient ? " to " : "", recipient ? recipient : "", rr[0] ? " (" : "",
                          rr, rr[0] ? ")" : "", domain_id ? " in " : "", domain_id ? domain_id : "");
    if (!rc && rd[0])
        rc = phone__event(c, rec, tp, "conversation %s is %s", domain_id, rd);
    return rc;
}

int phone__read_interactions(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    book_free(&book);
    char p[4096];
    int rc = 0;
    /* WhatsApp's LID map and contact book (LID.sqlite is not in the test backup's manifest: found by file id) */
    if (phone__find_other(c, WA_GROUP, "LID.sqlite", p, sizeof p) == 0)
        rc = book_load(c, &book, p, "SELECT ZLID, ZPHONENUMBER, NULL FROM ZWAPHONENUMBERLIDPAIR");
    if (!rc && phone__find_other(c, WA_GROUP, "ContactsV2.sqlite", p, sizeof p) == 0)
        rc = book_load(c, &book, p, "SELECT ZLID, ZPHONENUMBER, ZFULLNAME FROM ZWAADDRESSBOOKCONTACT");
    static const phone_query q[] = {
        {"SELECT i.Z_PK, i.ZSTARTDATE, i.ZBUNDLEID, i.ZTARGETBUNDLEID, i.ZCONTENTURL, i.ZDIRECTION, "
         "i.ZDOMAINIDENTIFIER, s.ZIDENTIFIER, s.ZDISPLAYNAME, "
         "(SELECT r.ZIDENTIFIER FROM Z_2INTERACTIONRECIPIENT x JOIN ZCONTACTS r ON r.Z_PK = x.Z_2RECIPIENTS "
         "WHERE x.Z_3INTERACTIONRECIPIENT = i.Z_PK LIMIT 1) "
         "FROM ZINTERACTIONS i LEFT JOIN ZCONTACTS s ON s.Z_PK = i.ZSENDER ORDER BY i.ZSTARTDATE, i.Z_PK",
         interaction},
        {NULL, NULL},
    };
    if (!rc)
        rc = phone__run_queries(c, file, q);
    book_free(&book);
    return rc;
}

/* ---- the address book --------------------------------------------------------- */

static int ab_value(phone_ctx *c, sqlite3_stmt *st)
{
    size_t len;
    const char *v = phone__col_text(st, 2, &len);
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 3, &t);
    char rec[128];
    snprintf(rec, sizeof rec, "ABMultiValue UID=%lld of ABPerson ROWID=%lld", sqlite3_column_int64(st, 0),
             sqlite3_column_int64(st, 1));
    if (!v)
        return 0;
    int prop = sqlite3_column_int(st, 4);
    if (prop == 4) /* e-mail */
        return phone__value(c, IDX_K_EMAIL, v, len, rec, tp);
    if (prop == 22) /* URL */
        return phone__text(c, v, len, rec, tp);
    return 0;
}

int phone__read_contacts(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT m.UID, p.ROWID, m.value, p.CreationDate, m.property FROM ABMultiValue m "
         "JOIN ABPerson p ON p.ROWID = m.record_id WHERE m.property IN (4, 22) ORDER BY m.UID",
         ab_value},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}

/* ---- WhatsApp's contacts ------------------------------------------------------- */

static int wa_contact(phone_ctx *c, sqlite3_stmt *st)
{
    vg_time t;
    const vg_time *tp = phone__cocoa_col(st, 5, &t);
    char rec[128];
    snprintf(rec, sizeof rec, "ZWAADDRESSBOOKCONTACT Z_PK=%lld", sqlite3_column_int64(st, 0));
    size_t al;
    const char *about = phone__col_text(st, 4, &al);
    int rc = about ? phone__text(c, about, al, rec, tp) : 0; /* links in the "about" text */
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *phone = (const char *)sqlite3_column_text(st, 2);
    const char *lid = (const char *)sqlite3_column_text(st, 3);
    double dis = sqlite3_column_double(st, 6);
    if (!rc)
        rc = phone__event(c, rec, tp, "WhatsApp contact %s %s%s%s, disappearing messages %s", name ? name : "?",
                          phone ? phone : "", lid ? " " : "", lid ? lid : "",
                          dis >= 86400 * 7 ? "on (days)" : dis > 0 ? "on (hours)" : "off");
    return rc;
}

int phone__read_whatsapp_contacts(phone_ctx *c, const char *file, const char *source)
{
    (void)source;
    static const phone_query q[] = {
        {"SELECT Z_PK, ZFULLNAME, ZPHONENUMBER, ZLID, ZABOUTTEXT, ZLASTUPDATED, ZDISAPPEARINGMODEDURATION "
         "FROM ZWAADDRESSBOOKCONTACT ORDER BY Z_PK",
         wa_contact},
        {NULL, NULL},
    };
    return phone__run_queries(c, file, q);
}
