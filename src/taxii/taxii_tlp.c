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
#include <stdint.h>
#include <string.h>

#include "taxii/taxii.h"
#include "taxii/taxii_json.h"

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

/* The level of the collection's default, RED when the setting is unreadable (fail closed). */
static enum taxii_tlp default_level(const store_share *sh)
{
    enum taxii_tlp d = taxii_tlp_parse(sh->default_tlp);
    return d == TAXII_TLP_NONE ? TAXII_TLP_RED : d;
}

/* The rules once the facts are known; red_listed: whether x_vigil_recipients names the reader. */
static int decide(const taxii_reader *r, const store_share *sh, enum taxii_tlp t, const char *author,
                  size_t author_len, int red_listed)
{
    if (t == TAXII_TLP_NONE)
        t = default_level(sh);
    if (author && r->org && r->org[0] && strlen(r->org) == author_len && memcmp(author, r->org, author_len) == 0)
        return 1;
    if (t <= TAXII_TLP_GREEN)
        return 1;
    if (t == TAXII_TLP_AMBER || t == TAXII_TLP_AMBER_STRICT)
        return r->org && listed(sh->recipients, r->org);
    return red_listed;
}

int taxii_visible_parsed(const taxii_reader *r, const store_share *sh, const char *json, size_t n)
{
    json_t *obj = json_loadb(json, n, JSON_DISABLE_EOF_CHECK, NULL);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return 0;
    }
    const char *author = json_string_value(json_object_get(obj, "created_by_ref"));
    int ok = decide(r, sh, taxii_tlp_of(obj), author, author ? strlen(author) : 0, red_recipient(obj, r));
    json_decref(obj);
    return ok;
}

/* ---- the scanner: the same decision without building a JSON tree ------------
 *
 * taxii_visible runs once per row read, and parsing each object into a tree
 * cost more than everything else of a page. The scanner validates the text
 * in one pass (the JSON grammar, UTF-8, the nesting) and notes where the four
 * members the rules read begin: object_marking_refs, granular_markings,
 * created_by_ref, x_vigil_recipients (the last occurrence of each, as
 * jansson keeps the last of duplicate keys). Whatever it cannot decide for
 * sure - a \u escape anywhere, an escaped key or value the rules read, an
 * exponent or a long number (jansson refuses numbers that overflow), deep
 * nesting - goes to taxii_visible_parsed. fuzz/fuzz_taxii_tlp.c checks that
 * both always agree.
 */

static enum taxii_tlp level_of_span(const taxii_jstr *v)
{
    if (v->n != 56 || v->esc) /* "marking-definition--" and a UUID */
        return TAXII_TLP_NONE;
    for (size_t i = 0; i < sizeof markings / sizeof markings[0]; i++)
        if (memcmp(markings[i].id, v->s, 56) == 0)
            return markings[i].tlp;
    return TAXII_TLP_NONE;
}

/*
 * Calls fn for each element of the (already validated) array at p; elements
 * that are not strings get NULL. Does nothing when p is not an array.
 * Returns -1 as soon as fn does.
 */
static int each_element(const char *p, const char *end, int (*fn)(taxii_jscan *j, const taxii_jstr *v, void *ctx), void *ctx)
{
    taxii_jscan j = {(const unsigned char *)p, (const unsigned char *)end, 0, 0};
    if (!p || *p != '[')
        return 0;
    j.p++;
    int c = taxii__json_ws(&j);
    while (c != ']' && c != -1) {
        taxii_jstr v;
        taxii_jscan at = j;
        if (c == '"') {
            if (taxii__json_string(&j, &v) || fn(&at, &v, ctx))
                return -1;
        } else if (taxii__json_value(&j) || fn(&at, NULL, ctx)) {
            return -1;
        }
        c = taxii__json_ws(&j);
        if (c == ',') {
            j.p++;
            c = taxii__json_ws(&j);
        }
    }
    return 0;
}

static int worst_ref(taxii_jscan *at, const taxii_jstr *v, void *ctx)
{
    (void)at;
    enum taxii_tlp *worst = ctx, t;
    if (v && v->esc)
        return -1;
    if (v && (t = level_of_span(v)) > *worst)
        *worst = t;
    return 0;
}

/* One granular marking: the last marking_ref taxii__json_member of the object at `at`, if a string. */
static int worst_granular(taxii_jscan *at, const taxii_jstr *v, void *ctx)
{
    enum taxii_tlp *worst = ctx, t;
    if (v || *at->p != '{')
        return 0;
    taxii_jstr ref = {0}, key;
    int has = 0;
    at->p++;
    int c = taxii__json_ws(at);
    while (c == '"') {
        if (taxii__json_string(at, &key) || key.esc)
            return -1;
        taxii__json_ws(at);
        at->p++; /* ':' */
        int is_ref = taxii__json_member(&key, "marking_ref");
        has = is_ref ? 0 : has;
        if (is_ref && taxii__json_ws(at) == '"') {
            if (taxii__json_string(at, &ref) || ref.esc)
                return -1;
            has = 1;
        } else if (taxii__json_value(at)) {
            return -1;
        }
        c = taxii__json_ws(at);
        if (c == ',') {
            at->p++;
            c = taxii__json_ws(at);
        }
    }
    if (has && (t = level_of_span(&ref)) > *worst)
        *worst = t;
    return 0;
}

/* What a RED check needs: the reader and whether it was found. */
typedef struct red_ctx {
    const taxii_reader *r; /* the reader */
    int found;             /* the list names it */
} red_ctx;

static int red_one(taxii_jscan *at, const taxii_jstr *v, void *ctx)
{
    (void)at;
    red_ctx *rc = ctx;
    if (!v)
        return 0;
    if (v->esc)
        return -1;
    const char *org = rc->r->org, *acct = rc->r->account;
    if (org && org[0] && strlen(org) == v->n && memcmp(v->s, org, v->n) == 0)
        rc->found = 1;
    if (acct && v->n >= 8 && memcmp(v->s, "account:", 8) == 0 && strlen(acct) == v->n - 8 &&
        memcmp(v->s + 8, acct, v->n - 8) == 0)
        rc->found = 1;
    return 0;
}

/* Where the members the rules read begin (last occurrences), and the end of the text. */
typedef struct tlp_spans {
    const char *marks;    /* object_marking_refs */
    const char *granular; /* granular_markings */
    const char *recips;   /* x_vigil_recipients */
    taxii_jstr author;          /* created_by_ref, when a string */
    int has_author;       /* created_by_ref's last occurrence is a string */
    const char *end;      /* end of the text */
} tlp_spans;

/* Scans the top-level object: 0 with the spans, -1 when jansson must decide. */
static int scan_object(const char *json, size_t n, tlp_spans *sp)
{
    taxii_jscan j = {(const unsigned char *)json, (const unsigned char *)json + n, 1, 0};
    memset(sp, 0, sizeof *sp);
    sp->end = json + n;
    if (taxii__json_ws(&j) != '{')
        return -1;
    j.p++;
    int c = taxii__json_ws(&j);
    if (c == '}')
        return 0;
    for (;;) {
        taxii_jstr key;
        if (c != '"' || taxii__json_string(&j, &key) || key.esc || taxii__json_ws(&j) != ':')
            return -1;
        j.p++;
        int first = taxii__json_ws(&j);
        const char *v = (const char *)j.p;
        if (taxii__json_member(&key, "created_by_ref")) {
            sp->has_author = first == '"';
            if (sp->has_author ? taxii__json_string(&j, &sp->author) || sp->author.esc : taxii__json_value(&j))
                return -1;
        } else {
            if (taxii__json_member(&key, "object_marking_refs"))
                sp->marks = v;
            else if (taxii__json_member(&key, "granular_markings"))
                sp->granular = v;
            else if (taxii__json_member(&key, "x_vigil_recipients"))
                sp->recips = v;
            if (taxii__json_value(&j))
                return -1;
        }
        c = taxii__json_ws(&j);
        if (c == '}')
            return 0;
        if (c != ',')
            return -1;
        j.p++;
        c = taxii__json_ws(&j);
    }
}

int taxii_visible(const taxii_reader *r, const store_share *sh, const char *json, size_t n)
{
    tlp_spans sp;
    enum taxii_tlp t = TAXII_TLP_NONE;
    red_ctx rc = {r, 0};
    if (scan_object(json, n, &sp) || each_element(sp.marks, sp.end, worst_ref, &t) ||
        each_element(sp.granular, sp.end, worst_granular, &t) || each_element(sp.recips, sp.end, red_one, &rc))
        return taxii_visible_parsed(r, sh, json, n);
    return decide(r, sh, t, sp.has_author ? sp.author.s : NULL, sp.author.n, rc.found);
}
