/*
 * stix_upgrade.c - STIX 2.0 -> 2.1, in place, as the 2.1 specification's
 * changes describe. The rules, with their reasons, are in
 * docs/internals/stix.md ("Upgrade from 2.0"); in short:
 *
 *   1. spec_version "2.1" on SDOs, SROs, marking definitions and custom
 *      objects shaped like SDOs, right after "type" (or "2.0" replaced where
 *      it stands).
 *   2. labels -> indicator_types / malware_types / report_types /
 *      threat_actor_types / tool_types (the table's labels_to), in labels'
 *      place, unless the 2.1 property is already there.
 *   3. malware: is_family true, after description (else name, else type).
 *   4. indicator: pattern_type "stix" and pattern_version "2.0" after pattern.
 *   5. TLP marking definitions: name "TLP:<LEVEL>" after definition_type.
 *
 * Everything else is kept as it is (observed-data keeps its deprecated
 * objects, identity its identity_class, custom properties stay). An object
 * whose spec_version is anything but "2.0" is left alone, so upgrading twice
 * changes nothing.
 *
 * Key order matters to people diffing exports, so new keys go to fixed
 * places. jansson cannot insert in the middle of an object, so the object is
 * rebuilt: a new object is filled in the final order first (obj untouched if
 * that fails), then obj is cleared and refilled from it.
 */
#include <stdio.h>
#include <string.h>

#include "stix/stix_int.h"

/* One key to add: placed right after the key `after` (NULL: at the end). */
typedef struct insert {
    const char *after; /* anchor key */
    const char *key;   /* new key */
    json_t *value;     /* owned until placed */
} insert;

#define MAX_INSERTS 4

static const char *first_present(json_t *obj, const char *a, const char *b, const char *c)
{
    if (a && json_object_get(obj, a))
        return a;
    if (b && json_object_get(obj, b))
        return b;
    return c;
}

static void drop_inserts(insert *ins, int n)
{
    for (int i = 0; i < n; i++)
        json_decref(ins[i].value);
}

/* Builds the upgraded copy of obj into *out. Consumes the inserts' values. */
static int rebuild(json_t *obj, const char *rename_from, const char *rename_to, insert *ins, int nins,
                   json_t **out)
{
    json_t *n = json_object();
    if (!n) {
        drop_inserts(ins, nins);
        return VG_E_NOMEM;
    }
    int rc = 0;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        const char *nk = rename_from && strcmp(k, rename_from) == 0 ? rename_to : k;
        if (!rc && json_object_set(n, nk, v))
            rc = VG_E_NOMEM;
        for (int i = 0; i < nins; i++) {
            if (!ins[i].value || !ins[i].after || strcmp(ins[i].after, k) != 0)
                continue;
            if (!rc && json_object_set_new(n, ins[i].key, ins[i].value))
                rc = VG_E_NOMEM;
            else if (rc)
                json_decref(ins[i].value);
            ins[i].value = NULL;
        }
    }
    for (int i = 0; i < nins; i++) { /* anchors that were not found: append */
        if (!ins[i].value)
            continue;
        if (!rc && json_object_set_new(n, ins[i].key, ins[i].value))
            rc = VG_E_NOMEM;
        else if (rc)
            json_decref(ins[i].value);
        ins[i].value = NULL;
    }
    if (rc) {
        json_decref(n);
        return rc;
    }
    *out = n;
    return 0;
}

/* Adds an insert; a failed json_*() constructor turns into VG_E_NOMEM. */
static int add_insert(insert *ins, int *nins, const char *after, const char *key, json_t *value)
{
    if (!value)
        return VG_E_NOMEM;
    ins[*nins] = (insert){after, key, value};
    (*nins)++;
    return 0;
}

int stix_upgrade_20(json_t *obj, vg_error *err)
{
    if (!json_is_object(obj))
        return 0;
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type || strcmp(type, "bundle") == 0)
        return 0;
    const stix_def *d = stix__def_find(type);
    enum stix_kind kind = d ? d->kind : STIX_KIND_UNKNOWN;
    /* A copy: the id's string may be gone by the time a late failure is reported. */
    char id[128];
    snprintf(id, sizeof id, "%s",
             json_is_string(json_object_get(obj, "id")) ? json_string_value(json_object_get(obj, "id"))
                                                        : type);
    int rc = 0;

    /* spec_version: "2.0" is replaced where it stands; a missing one is added after type. */
    json_t *sv = json_object_get(obj, "spec_version");
    if (sv && !(json_is_string(sv) && strcmp(json_string_value(sv), "2.0") == 0))
        return 0; /* says it is 2.1 (or something else): not ours to change; upgrading twice is a no-op */
    if (sv) {
        if (json_string_set(sv, "2.1"))
            rc = VG_E_NOMEM;
        sv = json_object_get(obj, "spec_version");
    }
    if (rc)
        goto nomem;
    int sdo_like =
        kind == STIX_KIND_SDO || kind == STIX_KIND_SRO || strcmp(type, "marking-definition") == 0 ||
        (kind == STIX_KIND_UNKNOWN && (json_object_get(obj, "created") || json_object_get(obj, "modified")));

    insert ins[MAX_INSERTS];
    int nins = 0;
    if (!sv && sdo_like)
        rc = add_insert(ins, &nins, "type", "spec_version", json_string("2.1"));

    /* labels -> <type>_types where 2.1 renamed it. */
    const char *rename_from = NULL, *rename_to = NULL;
    if (d && d->labels_to && json_object_get(obj, "labels") && !json_object_get(obj, d->labels_to)) {
        rename_from = "labels";
        rename_to = d->labels_to;
    }

    if (!rc && d && strcmp(type, "malware") == 0 && !json_object_get(obj, "is_family"))
        rc = add_insert(ins, &nins, first_present(obj, "description", "name", "type"), "is_family",
                        json_true());

    if (!rc && d && strcmp(type, "indicator") == 0) {
        const char *anchor = json_object_get(obj, "pattern") ? "pattern" : NULL;
        if (!json_object_get(obj, "pattern_type"))
            rc = add_insert(ins, &nins, anchor, "pattern_type", json_string("stix"));
        else
            anchor = "pattern_type";
        if (!rc && !json_object_get(obj, "pattern_version")) {
            /* Inserts at the same anchor keep their order: pattern_type, then pattern_version. */
            rc = add_insert(ins, &nins, anchor, "pattern_version", json_string("2.0"));
        }
    }

    if (!rc && d && strcmp(type, "marking-definition") == 0 && !json_object_get(obj, "name")) {
        const char *dt = json_string_value(json_object_get(obj, "definition_type"));
        const char *level = json_string_value(json_object_get(json_object_get(obj, "definition"), "tlp"));
        const char *name = dt && level && strcmp(dt, "tlp") == 0 ? stix__tlp_name(level) : NULL;
        if (name)
            rc = add_insert(ins, &nins, "definition_type", "name", json_string(name));
    }

    if (rc) {
        drop_inserts(ins, nins);
        goto nomem;
    }
    if (nins == 0 && !rename_from)
        return 0;

    json_t *n = NULL;
    rc = rebuild(obj, rename_from, rename_to, ins, nins, &n);
    if (rc)
        goto nomem;
    /* obj keeps its identity (callers hold it); refill it in the new order. */
    json_object_clear(obj);
    rc = json_object_update(obj, n) ? VG_E_NOMEM : 0;
    json_decref(n);
    if (rc)
        goto nomem;
    return 0;

nomem:
    vg_error_set(err, VG_E_NOMEM, "out of memory while upgrading %s to STIX 2.1", id);
    return VG_E_NOMEM;
}
