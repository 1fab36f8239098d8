/*
 * inc_alert.c - when an incident change raises an alert, and the alerts
 * config file.
 *
 * An incident alerts when it is opened with a severity at or above the
 * threshold, or when its severity rises to one at or above it. The alert is a
 * JSON document queued in the store's outbox (store_alert_add) inside the
 * transaction that writes the incident version, so a crash leaves both or
 * neither. Delivery is inc_deliver.c's. docs/internals/alerts.md has the
 * file format and the document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "incident/inc_alert_int.h"

#define ALERT_NS "5dbd316b-a923-4666-b9c3-79aeb42f6c75"

int inc_alerts_default(inc_alerts **out, vg_error *err)
{
    *out = vg_calloc(1, sizeof **out);
    if (!*out)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    (*out)->threshold = 4;
    return 0;
}

void inc_alerts_free(inc_alerts *a)
{
    vg_free(a);
}

int inc_alerts_threshold(const inc_alerts *a)
{
    return a ? a->threshold : 4;
}

size_t inc_alerts_nchannels(const inc_alerts *a)
{
    return a ? a->nch : 0;
}

const char *inc_alerts_channel(const inc_alerts *a, size_t i)
{
    return i < inc_alerts_nchannels(a) ? a->ch[i].name : NULL;
}

static int bad(vg_error *err, const char *name, const inc__line *l, const char *fmt, const char *arg)
{
    vg_error_set(err, VG_E_INVALID, fmt, arg);
    vg_error_hint(err, "see docs/internals/alerts.md for the settings");
    return vg_error_where(err, "%s:%d", name, l->lineno);
}

static int number(const inc__line *l, const char *name, double lo, double hi, double *out, vg_error *err)
{
    char *e;
    double v = strtod(l->value, &e);
    if (!l->value[0] || *e || !(v >= lo && v <= hi)) {
        vg_error_set(err, VG_E_INVALID, "%s must be a number from %g to %g", l->key, lo, hi);
        return vg_error_where(err, "%s:%d", name, l->lineno);
    }
    *out = v;
    return 0;
}

static const struct {
    const char *name;
    int value;
} facilities[] = {
    {"user", LOG_USER},     {"daemon", LOG_DAEMON}, {"auth", LOG_AUTH},     {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

/* Starts a channel from a section "[kind]" or "[kind name]". */
static int section(inc_alerts *a, const inc__line *l, const char *name, vg_error *err)
{
    static const char *const kinds[] = {"jsonl", "hook", "syslog", "webhook"};
    char kind[32] = "", label[64] = "";
    if (sscanf(l->key, "%31s %63s", kind, label) < 1)
        return bad(err, name, l, "empty section name%s", "");
    int k;
    for (k = 0; k < 4 && strcmp(kinds[k], kind); k++)
        ;
    if (k == 4)
        return bad(err, name, l, "unknown section [%s]: expected [alerts], [jsonl], [hook], [syslog] or [webhook]",
                   l->key);
    if (a->nch == INC_ALERT_MAX_CHANNELS) {
        vg_error_set(err, VG_E_LIMIT, "at most %d alert channels", INC_ALERT_MAX_CHANNELS);
        return vg_error_where(err, "%s:%d", name, l->lineno);
    }
    inc__channel *c = &a->ch[a->nch];
    memset(c, 0, sizeof *c);
    c->kind = k;
    snprintf(c->name, sizeof c->name, "%s%s%s", kind, label[0] ? ":" : "", label);
    for (size_t i = 0; i < a->nch; i++)
        if (strcmp(a->ch[i].name, c->name) == 0)
            return bad(err, name, l, "a second channel named \"%s\": add a name, as in [webhook soc]", c->name);
    c->timeout = 10;
    c->attempts = 4;
    c->backoff = 1;
    c->facility = LOG_USER;
    snprintf(c->ident, sizeof c->ident, "vigil");
    a->nch++;
    return 0;
}

/* Checks that each channel has what it needs. */
static int complete(const inc_alerts *a, const char *name, vg_error *err)
{
    for (size_t i = 0; i < a->nch; i++) {
        const inc__channel *c = &a->ch[i];
        const char *need = NULL;
        if ((c->kind == INC__CH_JSONL && !c->path[0]))
            need = "path";
        else if (c->kind == INC__CH_HOOK && !c->path[0])
            need = "command";
        else if (c->kind == INC__CH_WEBHOOK && !c->url[0])
            need = "url";
        else if (c->kind == INC__CH_WEBHOOK && !c->secret[0])
            need = "secret";
        if (need) {
            vg_error_set(err, VG_E_INVALID, "channel [%s] needs a %s", c->name, need);
            vg_error_hint(err, "see docs/internals/alerts.md for the settings");
            return vg_error_where(err, "%s", name);
        }
    }
    return 0;
}

static int setting(inc_alerts *a, const char *sect, const inc__line *l, const char *name, vg_error *err)
{
    double v;
    int rc;
    if (strcmp(sect, "alerts") == 0) {
        if (strcmp(l->key, "threshold") == 0)
            return inc_severity_parse(l->value, &a->threshold, err) ? vg_error_where(err, "%s:%d", name, l->lineno)
                                                                    : 0;
        return bad(err, name, l, "unknown setting \"%s\" in [alerts]", l->key);
    }
    if (!a->nch)
        return bad(err, name, l, "\"%s\" outside a section: start with [alerts] or a channel", l->key);
    inc__channel *c = &a->ch[a->nch - 1];
    const char *k = l->key;
    size_t n = strlen(l->value);
    if ((c->kind == INC__CH_JSONL && strcmp(k, "path") == 0) || (c->kind == INC__CH_HOOK && strcmp(k, "command") == 0)) {
        if (n >= sizeof c->path)
            return bad(err, name, l, "%s is too long", k);
        memcpy(c->path, l->value, n + 1);
    } else if (c->kind == INC__CH_WEBHOOK && strcmp(k, "url") == 0) {
        if (n >= sizeof c->url || (strncmp(l->value, "http://", 7) && strncmp(l->value, "https://", 8)))
            return bad(err, name, l, "url must be an http:// or https:// URL of at most 2047 bytes%s", "");
        memcpy(c->url, l->value, n + 1);
    } else if (c->kind == INC__CH_WEBHOOK && strcmp(k, "secret") == 0) {
        if (n < 16 || n >= sizeof c->secret)
            return bad(err, name, l, "the secret must be 16 to 255 bytes%s", "");
        memcpy(c->secret, l->value, n + 1);
    } else if (c->kind == INC__CH_WEBHOOK && strcmp(k, "secret-file") == 0) {
        char *text = NULL;
        size_t len = 0;
        if ((rc = inc__read_file(l->value, &text, &len, err)))
            return vg_error_prefix_where(err, "%s:%d:", name, l->lineno);
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            text[--len] = '\0';
        if (len < 16 || len >= sizeof c->secret) {
            vg_free(text);
            return bad(err, name, l, "the secret in %s must be 16 to 255 bytes", l->value);
        }
        memcpy(c->secret, text, len + 1);
        vg_free(text);
    } else if ((c->kind == INC__CH_WEBHOOK || c->kind == INC__CH_HOOK) && strcmp(k, "timeout") == 0) {
        if ((rc = number(l, name, 0.01, 3600, &v, err)))
            return rc;
        c->timeout = v;
    } else if (c->kind == INC__CH_WEBHOOK && strcmp(k, "attempts") == 0) {
        if ((rc = number(l, name, 1, 20, &v, err)))
            return rc;
        c->attempts = (int)v;
    } else if (c->kind == INC__CH_WEBHOOK && strcmp(k, "backoff") == 0) {
        if ((rc = number(l, name, 0, 600, &v, err)))
            return rc;
        c->backoff = v;
    } else if (c->kind == INC__CH_SYSLOG && strcmp(k, "facility") == 0) {
        size_t i;
        for (i = 0; i < sizeof facilities / sizeof facilities[0] && strcmp(facilities[i].name, l->value); i++)
            ;
        if (i == sizeof facilities / sizeof facilities[0])
            return bad(err, name, l, "facility \"%s\" unknown: user, daemon, auth or local0..local7", l->value);
        c->facility = facilities[i].value;
    } else if (c->kind == INC__CH_SYSLOG && strcmp(k, "ident") == 0) {
        snprintf(c->ident, sizeof c->ident, "%.31s", l->value);
    } else {
        return bad(err, name, l, "unknown setting \"%s\" for this channel", k);
    }
    return 0;
}

int inc_alerts_parse(const char *text, size_t len, const char *name, inc_alerts **out, vg_error *err)
{
    inc_alerts *a;
    int rc = inc_alerts_default(&a, err);
    if (rc)
        return rc;
    size_t pos = 0;
    int lineno = 0;
    inc__line l;
    char sect[64] = "";
    while ((rc = inc__ini_next(text, len, &pos, &lineno, name, &l, err)) == 1) {
        rc = 0;
        if (l.section && strcmp(l.key, "alerts") == 0)
            snprintf(sect, sizeof sect, "alerts");
        else if (l.section && !(rc = section(a, &l, name, err)))
            snprintf(sect, sizeof sect, "channel");
        else if (!l.section)
            rc = setting(a, sect, &l, name, err);
        if (rc)
            break;
    }
    if (!rc)
        rc = complete(a, name, err);
    if (rc) {
        vg_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int inc_alerts_load(const char *path, inc_alerts **out, vg_error *err)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = inc__read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = inc_alerts_parse(text, len, path, out, err);
    vg_free(text);
    return rc;
}

/* The alert document for a version of an incident. */
static json_t *document(const char *id, int prev, int sev, int threshold, const json_t *cur)
{
    vg_time now = vg_time_now(3);
    char created[VG_TIME_MAX];
    vg_time_format(&now, created);
    json_t *d = json_pack("{s:s,s:s,s:s,s:i,s:s,s:o,s:i,s:O?,s:O?,s:O}", "id", id, "created", created, "reason",
                          prev == INC_ALERT_NEW ? "opened" : "raised", "severity", sev, "severity_name",
                          inc_severity_name(sev), "previous_severity",
                          prev == INC_ALERT_NEW ? json_null() : json_integer(prev), "threshold", threshold,
                          "incident_id", json_object_get(cur, "id"), "incident_name", json_object_get(cur, "name"),
                          "incident", cur);
    return d;
}

int inc_alert_check(store *s, const inc_alerts *a, int prev_severity, const json_t *cur, int *queued,
                    vg_error *err)
{
    if (queued)
        *queued = 0;
    if (!a)
        return 0;
    json_t *ext = inc_ext((json_t *)cur);
    int sev = (int)json_integer_value(json_object_get(ext, "severity"));
    if (sev < a->threshold || (prev_severity != INC_ALERT_NEW && sev <= prev_severity))
        return 0;
    const char *iid = json_string_value(json_object_get(cur, "id"));
    const char *ver = json_string_value(json_object_get(cur, "modified"));
    if (!iid || !ver)
        return vg_error_set(err, VG_E_INVALID, "an incident without id or modified cannot alert");
    /* channels in the config owe every alert from now on, the first one included */
    int64_t first;
    int rc = 0;
    for (size_t i = 0; i < a->nch && !rc; i++)
        rc = store_alert_channel(s, a->ch[i].name, &first, err);
    if (rc)
        return rc;
    char key[512], u[VG_UUID_STR], id[64];
    int kn = snprintf(key, sizeof key, "alert|%s|%s", iid, ver);
    if ((rc = vg_uuid_v5(ALERT_NS, key, (size_t)kn < sizeof key ? (size_t)kn : sizeof key - 1, u, err)))
        return rc;
    snprintf(id, sizeof id, "alert--%s", u);
    json_t *d = document(id, prev_severity, sev, a->threshold, cur);
    char *text = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(d);
    if (!text)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    int64_t aid = 0;
    rc = store_alert_add(s, iid, ver, text, &aid, err);
    free(text);
    if (!rc && queued)
        *queued = aid != 0;
    return rc;
}
