/*
 * taxii_tlp.c - TLP 2.0 on the read path: which level an object carries and
 * whether a reader may see it (rules: docs/internals/taxii.md).
 *
 * The levels come from the fixed marking-definition ids of TLP 2.0 (the
 * OASIS extension) and of TLP 1.0 (predefined in STIX 2.1), found in
 * object_marking_refs or granular_markings; several markings: the most
 * restrictive wins. Checking is conservative: text that does not parse is
 * withheld.
 */
#include <string.h>

#include "taxii/taxii.h"

/* Every TLP marking id we know, with its level. */
static const struct {
    const char *id;      /* marking-definition id */
    enum taxii_tlp tlp;  /* its level */
} markings[] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TAXII_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TAXII_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TAXII_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TAXII_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TAXII_TLP_RED},
    /* TLP 1.0, predefined by STIX 2.1 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TAXII_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TAXII_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TAXII_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TAXII_TLP_RED},
};

static const char *const names[] = {"", "clear", "green", "amber", "amber+strict", "red"};

enum taxii_tlp taxii_tlp_parse(const char *name)
{
    for (int i = 1; i <= TAXII_TLP_RED; i++)
        if (strcmp(names[i], name) == 0)
            return (enum taxii_tlp)i;
    if (strcmp(name, "white") == 0)
        return TAXII_TLP_CLEAR;
    return TAXII_TLP_NONE;
}

const char *taxii_tlp_name(enum taxii_tlp t) { return t >= TAXII_TLP_NONE && t <= TAXII_TLP_RED ? names[t] : ""; }

const char *taxii_tlp_marking_id(enum taxii_tlp t)
{
    return t >= TAXII_TLP_CLEAR && t <= TAXII_TLP_RED ? markings[t - 1].id : NULL;
}

static enum taxii_tlp level_of_ref(json_t *ref)
{
    const char *id = json_string_value(ref);
    if (!id)
        return TAXII_TLP_NONE;
    for (size_t i = 0; i < sizeof markings / sizeof markings[0]; i++)
        if (strcmp(markings[i].id, id) == 0)
            return markings[i].tlp;
    return TAXII_TLP_NONE;
}

enum taxii_tlp taxii_tlp_of(json_t *obj)
{
    enum taxii_tlp worst = TAXII_TLP_NONE, t;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, v)
        if ((t = level_of_ref(v)) > worst)
            worst = t;
    json_array_foreach(json_object_get(obj, "granular_markings"), i, v)
        if ((t = level_of_ref(json_object_get(v, "marking_ref"))) > worst)
            worst = t;
    return worst;
}

/* Whether the space-separated list has the word w. */
static int listed(const char *list, const char *w)
{
    size_t n = strlen(w);
    if (!n)
        return 0;
    for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Whether the object's x_vigil_recipients names the reader's organisation or "account:NAME". */
static int red_recipient(json_t *obj, const taxii_reader *r)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(obj, "x_vigil_recipients"), i, v) {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        if (r->org && r->org[0] && strcmp(s, r->org) == 0)
            return 1;
        if (strncmp(s, "account:", 8) == 0 && r->account && strcmp(s + 8, r->account) == 0)
            return 1;
    }
    return 0;
}

int taxii_visible(const taxii_reader *r, const store_share *sh, const char *json, size_t n)
{
    enum taxii_tlp deflt = taxii_tlp_parse(sh->default_tlp);
    if (deflt == TAXII_TLP_NONE)
        deflt = TAXII_TLP_RED; /* an unreadable setting fails closed */
    /* Fast path: no marking id and no author in the text -> the default decides alone. */
    int marked = memmem(json, n, "marking-definition--", 20) != NULL;
    int authored = memmem(json, n, "\"created_by_ref\"", 16) != NULL;
    if (!marked && !authored && deflt <= TAXII_TLP_GREEN)
        return 1;
    json_t *obj = json_loadb(json, n, JSON_DISABLE_EOF_CHECK, NULL);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return 0;
    }
    enum taxii_tlp t = marked ? taxii_tlp_of(obj) : TAXII_TLP_NONE;
    if (t == TAXII_TLP_NONE)
        t = deflt;
    int ok;
    const char *author = json_string_value(json_object_get(obj, "created_by_ref"));
    if (author && r->org && r->org[0] && strcmp(author, r->org) == 0)
        ok = 1;
    else if (t <= TAXII_TLP_GREEN)
        ok = 1;
    else if (t == TAXII_TLP_AMBER || t == TAXII_TLP_AMBER_STRICT)
        ok = r->org && listed(sh->recipients, r->org);
    else
        ok = red_recipient(obj, r);
    json_decref(obj);
    return ok;
}
