/*
 * inc_object.c - one incident as a STIX 2.1 object: the extension-definition
 * and identity vigil signs it with, creating an incident, setting its
 * extension's properties from text, validating them, and putting objects and
 * relationships into the store.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "core/vg_uuid.h"
#include "incident/incident.h"

/* Fixed creation time of the two meta objects, so every vigil writes the same bytes. */
#define META_TIME "2026-01-01T00:00:00.000Z"
/* Namespace of the name-based ids vigil derives (relationships, imported incidents, actors). */
#define INC_NS "5dbd316b-a923-4666-b9c3-79aeb42f6c75"

json_t *inc_identity(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "identity", "spec_version", "2.1", "id",
                     INC_IDENTITY_ID, "created", META_TIME, "modified", META_TIME, "name", "vigil",
                     "identity_class", "system", "description",
                     "The vigil threat-intelligence system: creator of its STIX extensions.");
}

json_t *inc_extension_definition(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s]}", "type", "extension-definition",
                     "spec_version", "2.1", "id", INC_EXT_ID, "created_by_ref", INC_IDENTITY_ID, "created",
                     META_TIME, "modified", META_TIME, "name", "vigil incident", "description",
                     "Severity (1-5), status, categories, sectors, countries and first/last activity of an "
                     "incident, as vigil monitors them.",
                     "schema", INC_EXT_SCHEMA, "version", INC_EXT_VERSION, "extension_types",
                     "property-extension");
}

int inc_ensure_meta(store *s, vg_error *err)
{
    json_t *o[2] = {inc_identity(), inc_extension_definition()};
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++)
        rc = o[i] ? inc_put(s, o[i], NULL, err) : vg_error_set(err, VG_E_NOMEM, "out of memory");
    json_decref(o[0]);
    json_decref(o[1]);
    return rc;
}

static void now_text(char out[VG_TIME_MAX])
{
    vg_time t = vg_time_now(3);
    vg_time_format(&t, out);
}

int inc_new(const char *id, const char *name, json_t **out, vg_error *err)
{
    char idbuf[64];
    *out = NULL;
    if (!id) {
        char u[VG_UUID_STR];
        int rc = vg_uuid_v4(u, err);
        if (rc)
            return rc;
        snprintf(idbuf, sizeof idbuf, "incident--%s", u);
        id = idbuf;
    }
    char now[VG_TIME_MAX];
    now_text(now);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:{s:s,s:i,s:s,s:[],s:[],s:[]}}}", "type", "incident",
                          "spec_version", "2.1", "id", id, "created_by_ref", INC_IDENTITY_ID, "created", now,
                          "modified", now, "name", name, "extensions", INC_EXT_ID, "extension_type",
                          "property-extension", "severity", 3, "status", "open", "categories", "sectors",
                          "countries");
    if (!o)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    *out = o;
    return 0;
}

json_t *inc_ext(json_t *incident)
{
    return json_object_get(json_object_get(incident, "extensions"), INC_EXT_ID);
}

static json_t *ext_or_create(json_t *incident)
{
    json_t *ext = inc_ext(incident);
    if (ext)
        return ext;
    json_t *exts = json_object_get(incident, "extensions");
    if (!exts) {
        exts = json_object();
        if (!exts || json_object_set_new(incident, "extensions", exts))
            return NULL;
    }
    ext = json_pack("{s:s}", "extension_type", "property-extension");
    if (!ext || json_object_set_new(exts, INC_EXT_ID, ext))
        return NULL;
    return ext;
}

/* Checks one list value; writes the canonical form into out. */
static int list_value(const char *prop, const char *v, char *out, size_t n, vg_error *err)
{
    if (strcmp(prop, "categories") == 0) {
        if (inc_category_index(v) < 0)
            return vg_error_set(err, VG_E_INVALID,
                                "\"%.80s\" is not a category: expected ransomware, espionage, disruption, "
                                "election-interference, data-theft, financial-theft, commercial-spyware, "
                                "denial-of-service or defacement",
                                v);
    } else if (strcmp(prop, "sectors") == 0) {
        if (inc_sector_index(v) < 0)
            return vg_error_set(err, VG_E_INVALID, "\"%.80s\" is not a sector", v);
    } else {
        const char *cc = inc_country_code(v);
        if (!cc)
            return vg_error_set(err, VG_E_INVALID, "\"%.80s\" is not an ISO 3166-1 country code or name", v);
        v = cc;
    }
    snprintf(out, n, "%s", v);
    return 0;
}

static int array_has(json_t *a, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (json_is_string(x) && strcmp(json_string_value(x), s) == 0) return (int)i + 1;
    return 0;
}

/* categories / sectors / countries: "a,b" replaces, "+a,b" adds, "-a" removes. */
static int set_list(json_t *ext, const char *prop, const char *value, vg_error *err)
{
    int mode = 0;
    if (value[0] == '+' || value[0] == '-')
        mode = *value++;
    json_t *a = json_object_get(ext, prop);
    json_t *na = mode && a ? json_copy(a) : json_array();
    if (!na || !json_is_array(na)) {
        json_decref(na);
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    }
    const char *p = value;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char item[128], canon[128];
        while (n && (*p == ' ')) {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n >= sizeof item) {
            json_decref(na);
            return vg_error_set(err, VG_E_INVALID, "a %s value is too long", prop);
        }
        memcpy(item, p, n);
        item[n] = '\0';
        if (n) {
            int rc = list_value(prop, item, canon, sizeof canon, err);
            if (rc) {
                json_decref(na);
                return rc;
            }
            int at = array_has(na, canon);
            if (mode == '-') {
                if (at)
                    json_array_remove(na, (size_t)at - 1);
            } else if (!at && json_array_append_new(na, json_string(canon))) {
                json_decref(na);
                return vg_error_set(err, VG_E_NOMEM, "out of memory");
            }
        }
        p = e ? e + 1 : p + n;
        if (!e)
            break;
    }
    if (json_object_set_new(ext, prop, na))
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    return 0;
}

int inc_set(json_t *incident, const char *prop, const char *value, vg_error *err)
{
    json_t *ext = ext_or_create(incident);
    if (!ext)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    int rc = 0;
    if (strcmp(prop, "severity") == 0) {
        int sev;
        if ((rc = inc_severity_parse(value, &sev, err)))
            return rc;
        rc = json_object_set_new(ext, "severity", json_integer(sev));
    } else if (strcmp(prop, "status") == 0) {
        if (inc_status_index(value) < 0)
            return vg_error_set(err, VG_E_INVALID,
                                "\"%.80s\" is not a status: expected open, investigating, contained or closed",
                                value);
        rc = json_object_set_new(ext, "status", json_string(value));
    } else if (strcmp(prop, "categories") == 0 || strcmp(prop, "sectors") == 0 || strcmp(prop, "countries") == 0) {
        return set_list(ext, prop, value, err);
    } else if (strcmp(prop, "first_activity") == 0 || strcmp(prop, "last_activity") == 0) {
        vg_time t;
        if ((rc = vg_time_parse(value, strlen(value), VG_TIME_RFC3339, &t, err)))
            return rc;
        char out[VG_TIME_MAX];
        vg_time_format(&t, out);
        rc = json_object_set_new(ext, prop, json_string(out));
    } else if (strcmp(prop, "name") == 0 || strcmp(prop, "description") == 0) {
        rc = json_object_set_new(incident, prop, json_string(value));
    } else {
        return vg_error_set(err, VG_E_USAGE,
                            "no incident property \"%.80s\": expected severity, status, categories, sectors, "
                            "countries, first_activity, last_activity, name or description",
                            prop);
    }
    return rc ? vg_error_set(err, VG_E_NOMEM, "out of memory") : 0;
}

static int check_list(json_t *ext, const char *prop, stix_issues *out)
{
    json_t *a = json_object_get(ext, prop);
    char path[256];
    if (!a)
        return 0;
    if (!json_is_array(a)) {
        snprintf(path, sizeof path, "$.extensions['%s'].%s", INC_EXT_ID, prop);
        return stix_issues_add(out, STIX_ISSUE_ERROR, path, "expected a list of strings");
    }
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        snprintf(path, sizeof path, "$.extensions['%s'].%s[%zu]", INC_EXT_ID, prop, i);
        const char *v = json_string_value(x);
        int ok;
        if (!v)
            ok = 0;
        else if (strcmp(prop, "categories") == 0)
            ok = inc_category_index(v) >= 0;
        else if (strcmp(prop, "sectors") == 0)
            ok = inc_sector_index(v) >= 0;
        else
            ok = strlen(v) == 2 && inc_country_code(v) && strcmp(inc_country_code(v), v) == 0;
        if (!ok && stix_issues_add(out, STIX_ISSUE_ERROR, path, "\"%.80s\" is not in the %s vocabulary of vigil's "
                                   "incident extension (upper-case ISO codes for countries)",
                                   v ? v : "(not a string)", prop))
            return VG_E_NOMEM;
    }
    return 0;
}

int inc_validate(json_t *incident, stix_issues *out)
{
    int rc = stix_validate(incident, 0, out);
    if (rc)
        return rc;
    const char *type = json_string_value(json_object_get(incident, "type"));
    if (!type || strcmp(type, "incident") != 0)
        return stix_issues_add(out, STIX_ISSUE_ERROR, "$.type", "expected an incident");
    json_t *ext = inc_ext(incident);
    char path[256];
    snprintf(path, sizeof path, "$.extensions['%s']", INC_EXT_ID);
    if (!ext)
        return stix_issues_add(out, STIX_ISSUE_ERROR, "$.extensions", "missing vigil's incident extension (%s)",
                               INC_EXT_ID);
    json_t *v = json_object_get(ext, "extension_type");
    if (!json_is_string(v) || strcmp(json_string_value(v), "property-extension") != 0)
        if ((rc = stix_issues_add(out, STIX_ISSUE_ERROR, path, "extension_type must be \"property-extension\"")))
            return rc;
    v = json_object_get(ext, "severity");
    if (v && (!json_is_integer(v) || json_integer_value(v) < INC_SEV_MIN || json_integer_value(v) > INC_SEV_MAX))
        if ((rc = stix_issues_add(out, STIX_ISSUE_ERROR, path, "severity must be an integer 1..5")))
            return rc;
    v = json_object_get(ext, "status");
    if (v && (!json_is_string(v) || inc_status_index(json_string_value(v)) < 0))
        if ((rc = stix_issues_add(out, STIX_ISSUE_ERROR, path,
                                  "status must be open, investigating, contained or closed")))
            return rc;
    const char *lists[] = {"categories", "sectors", "countries"};
    for (int i = 0; i < 3; i++)
        if ((rc = check_list(ext, lists[i], out)))
            return rc;
    vg_time t[2];
    int has[2] = {0, 0};
    const char *tp[] = {"first_activity", "last_activity"};
    for (int i = 0; i < 2; i++) {
        v = json_object_get(ext, tp[i]);
        if (!v)
            continue;
        const char *s = json_string_value(v);
        if (!s || vg_time_parse(s, strlen(s), VG_TIME_STIX, &t[i], NULL))
            rc = stix_issues_add(out, STIX_ISSUE_ERROR, path, "%s must be a STIX timestamp", tp[i]);
        else
            has[i] = 1;
        if (rc)
            return rc;
    }
    if (has[0] && has[1] && vg_time_cmp(&t[1], &t[0]) < 0)
        return stix_issues_add(out, STIX_ISSUE_ERROR, path, "last_activity is before first_activity");
    return 0;
}

int inc_touch(json_t *obj, const vg_time *after)
{
    vg_time t = vg_time_now(3);
    if (after && vg_time_cmp(&t, after) <= 0) {
        t = *after;
        t.digits = 3;
        t.nsec = t.nsec / 1000000 * 1000000 + 1000000;
        if (t.nsec >= 1000000000) {
            t.sec++;
            t.nsec -= 1000000000;
        }
    }
    char s[VG_TIME_MAX];
    vg_time_format(&t, s);
    return json_object_set_new(obj, "modified", json_string(s)) ? VG_E_NOMEM : 0;
}

int inc_put(store *s, json_t *obj, int *inserted, vg_error *err)
{
    stix_meta m;
    int rc = stix_meta_get(obj, &m, err);
    if (rc)
        return rc;
    store_object so = {.id = m.id, .type = m.type, .spec_version = m.spec_version ? m.spec_version : "2.1"};
    so.version = stix_meta_version(&m, &so.has_version);
    so.has_created = m.has_created;
    so.created = m.created;
    so.revoked = m.revoked;
    char *text = stix_dump(obj, &so.json_len);
    if (!text)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    so.json = text;
    int ins = 0;
    rc = store_put(s, NULL, &so, &ins, err);
    vg_free(text);
    if (inserted)
        *inserted = ins;
    return rc;
}

int inc_get(store *s, const char *id, json_t **out, vg_error *err)
{
    *out = NULL;
    store_query q = {0};
    q.ids = &id;
    q.nids = 1;
    store_iter *it = NULL;
    int rc = store_query_open(s, &q, &it, err);
    store_row row;
    if (!rc) {
        rc = store_iter_next(it, &row, err);
        if (rc == 1) {
            json_error_t je;
            *out = json_loadb(row.json, row.json_len, 0, &je);
            rc = *out ? 0 : vg_error_set(err, VG_E_PARSE, "stored object %s is not JSON: %s", id, je.text);
        } else if (rc == 0) {
            rc = vg_error_set(err, VG_E_NOTFOUND, "no object %s in the store", id);
        }
    }
    store_iter_free(it);
    return rc;
}

const char *inc_link_type(const char *target_type)
{
    if (strcmp(target_type, "intrusion-set") == 0 || strcmp(target_type, "threat-actor") == 0 ||
        strcmp(target_type, "campaign") == 0)
        return "attributed-to";
    if (strcmp(target_type, "malware") == 0 || strcmp(target_type, "tool") == 0 ||
        strcmp(target_type, "attack-pattern") == 0)
        return "uses";
    if (strcmp(target_type, "identity") == 0 || strcmp(target_type, "location") == 0)
        return "targets";
    return "related-to";
}

int inc_link(store *s, const char *source, const char *type, const char *target, char *out_id, size_t n,
             vg_error *err)
{
    char key[1024], u[VG_UUID_STR], id[64];
    int kn = snprintf(key, sizeof key, "%s|%s|%s", source, type, target);
    if (kn < 0 || (size_t)kn >= sizeof key)
        return vg_error_set(err, VG_E_USAGE, "relationship ends are too long");
    int rc = vg_uuid_v5(INC_NS, key, (size_t)kn, u, err);
    if (rc)
        return rc;
    snprintf(id, sizeof id, "relationship--%s", u);
    if (out_id)
        snprintf(out_id, n, "%s", id);
    json_t *old = NULL;
    rc = inc_get(s, id, &old, err);
    json_decref(old);
    if (rc != VG_E_NOTFOUND)
        return rc;
    vg_error_clear(err);
    char now[VG_TIME_MAX];
    now_text(now);
    json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "relationship", "spec_version", "2.1",
                          "id", id, "created_by_ref", INC_IDENTITY_ID, "created", now, "modified", now,
                          "relationship_type", type, "source_ref", source, "target_ref", target);
    if (!r)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    rc = inc_put(s, r, NULL, err);
    json_decref(r);
    return rc;
}
