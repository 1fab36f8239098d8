/*
 * stix_meta.c - what the store needs to know about an object (type, id,
 * spec_version, created/modified, revoked), the kind of a type name, whether
 * an object is STIX 2.0, and the small syntax checks (identifiers, type
 * names, timestamps) that the validator and the upgrade share.
 */
#include <string.h>

#include "stix/stix_int.h"

enum stix_kind stix_kind_of(const char *type)
{
    if (!type)
        return STIX_KIND_UNKNOWN;
    if (strcmp(type, "bundle") == 0)
        return STIX_KIND_BUNDLE;
    const stix_def *d = stix__def_find(type);
    return d ? d->kind : STIX_KIND_UNKNOWN;
}

/* Parses obj[key] as a STIX timestamp into *t; *has says whether it was there. */
static int meta_time(json_t *obj, const char *key, vg_time *t, int *has, vg_error *err)
{
    json_t *v = json_object_get(obj, key);
    *has = 0;
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    if (!s) {
        vg_error_set(err, VG_E_INVALID,
                     "%s is not a string: expected a timestamp such as 2024-01-31T12:00:00.000Z", key);
        return vg_error_where(err, "$.%s", key);
    }
    vg_error e = {0};
    if (vg_time_parse(s, json_string_length(v), VG_TIME_STIX, t, &e)) {
        vg_error_set(err, VG_E_INVALID, "%s \"%s\" is not a STIX timestamp: %s", key, s, e.msg);
        return vg_error_where(err, "$.%s", key);
    }
    *has = 1;
    return 0;
}

int stix_meta_get(json_t *obj, stix_meta *m, vg_error *err)
{
    memset(m, 0, sizeof *m);
    if (!json_is_object(obj))
        return vg_error_set(err, VG_E_INVALID, "not a JSON object: expected a STIX object");
    m->type = json_string_value(json_object_get(obj, "type"));
    if (!m->type) {
        vg_error_set(err, VG_E_INVALID, "missing or non-string \"type\": every STIX object names its type");
        return vg_error_where(err, "$.type");
    }
    m->id = json_string_value(json_object_get(obj, "id"));
    if (!m->id) {
        vg_error_set(err, VG_E_INVALID, "missing or non-string \"id\": expected \"%s--<UUID>\"", m->type);
        return vg_error_where(err, "$.id");
    }
    m->spec_version = json_string_value(json_object_get(obj, "spec_version"));
    int rc = meta_time(obj, "created", &m->created, &m->has_created, err);
    if (rc)
        return rc;
    rc = meta_time(obj, "modified", &m->modified, &m->has_modified, err);
    if (rc)
        return rc;
    m->revoked = json_is_true(json_object_get(obj, "revoked"));
    return 0;
}

vg_time stix_meta_version(const stix_meta *m, int *has)
{
    vg_time none = {0, 0, 0};
    if (m->has_modified) {
        *has = 1;
        return m->modified;
    }
    if (m->has_created) {
        *has = 1;
        return m->created;
    }
    *has = 0;
    return none;
}

int stix_is_20(json_t *obj, int bundle_says_20)
{
    if (!json_is_object(obj))
        return 0;
    json_t *sv = json_object_get(obj, "spec_version");
    if (sv) /* an explicit spec_version wins over the bundle's */
        return json_is_string(sv) && strcmp(json_string_value(sv), "2.0") == 0;
    if (bundle_says_20)
        return 1;
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type)
        return 0;
    const stix_def *d = stix__def_find(type);
    if (d) {
        /*
         * 2.1 requires spec_version on SDOs, SROs and marking definitions; 2.0
         * had none on objects. language-content and extension-definition are
         * new in 2.1, so a missing spec_version there is a 2.1 error, and
         * SCOs may omit it in 2.1.
         */
        return d->kind == STIX_KIND_SDO || d->kind == STIX_KIND_SRO ||
               strcmp(type, "marking-definition") == 0;
    }
    if (strcmp(type, "bundle") == 0)
        return 0;
    /* A custom object shaped like an SDO (it has created/modified) needs spec_version in 2.1. */
    return json_object_get(obj, "created") != NULL || json_object_get(obj, "modified") != NULL;
}

/* ---- shared syntax checks -------------------------------------------------- */

/*
 * Character classes for the identifier checks, which run on every id and
 * reference of every object: one table lookup per character.
 */
enum { C_LOWER = 1, C_DIGIT = 2, C_HEX = 4 };
static const unsigned char cclass[256] = {
    ['0'] = C_DIGIT | C_HEX, ['1'] = C_DIGIT | C_HEX, ['2'] = C_DIGIT | C_HEX, ['3'] = C_DIGIT | C_HEX,
    ['4'] = C_DIGIT | C_HEX, ['5'] = C_DIGIT | C_HEX, ['6'] = C_DIGIT | C_HEX, ['7'] = C_DIGIT | C_HEX,
    ['8'] = C_DIGIT | C_HEX, ['9'] = C_DIGIT | C_HEX, ['A'] = C_HEX,           ['B'] = C_HEX,
    ['C'] = C_HEX,           ['D'] = C_HEX,           ['E'] = C_HEX,           ['F'] = C_HEX,
    ['a'] = C_LOWER | C_HEX, ['b'] = C_LOWER | C_HEX, ['c'] = C_LOWER | C_HEX, ['d'] = C_LOWER | C_HEX,
    ['e'] = C_LOWER | C_HEX, ['f'] = C_LOWER | C_HEX, ['g'] = C_LOWER,         ['h'] = C_LOWER,
    ['i'] = C_LOWER,         ['j'] = C_LOWER,         ['k'] = C_LOWER,         ['l'] = C_LOWER,
    ['m'] = C_LOWER,         ['n'] = C_LOWER,         ['o'] = C_LOWER,         ['p'] = C_LOWER,
    ['q'] = C_LOWER,         ['r'] = C_LOWER,         ['s'] = C_LOWER,         ['t'] = C_LOWER,
    ['u'] = C_LOWER,         ['v'] = C_LOWER,         ['w'] = C_LOWER,         ['x'] = C_LOWER,
    ['y'] = C_LOWER,         ['z'] = C_LOWER,
};
#define CC(ch) cclass[(unsigned char)(ch)]

int stix__type_name_ok(const char *s, size_t n)
{
    if (n < 3 || n > 250 || !(CC(s[0]) & C_LOWER))
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] == '-') {
            if (s[i - 1] == '-')
                return 0;
        } else if (!(CC(s[i]) & (C_LOWER | C_DIGIT))) {
            return 0;
        }
    }
    return 1;
}

/* An RFC 4122 UUID in text form: 8-4-4-4-12 hex digits, version 1..5, variant 10xx. */
static int uuid_ok(const char *u)
{
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                return 0;
        } else if (!(CC(u[i]) & C_HEX)) {
            return 0;
        }
    }
    return u[36] == '\0' && u[14] >= '1' && u[14] <= '5' && strchr("89abAB", u[19]) != NULL;
}

int stix__id_check(const char *s, size_t *tlen)
{
    /* The type part ends at the first "--" (type names never contain "--"). */
    size_t n = 0;
    while (s[n] && !(s[n] == '-' && s[n + 1] == '-'))
        n++;
    if (!s[n] || !stix__type_name_ok(s, n) || !uuid_ok(s + n + 2))
        return 0;
    if (tlen)
        *tlen = n;
    return 1;
}

int stix__get_time(json_t *obj, const char *key, vg_time *t)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return 0;
    return vg_time_parse(json_string_value(v), json_string_length(v), VG_TIME_STIX, t, NULL) == 0;
}
