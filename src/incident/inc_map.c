/*
 * inc_map.c - mapping files: how the columns of an incident CSV become the
 * properties of vigil incidents (docs/formats/mapping.md).
 *
 * A mapping is a [source] section (name, key column) and one section per
 * property, each a rule: the columns it reads, how a cell splits into items
 * (a separator or a Python list literal), prefixes to strip, and a table of
 * values ("CSV value" = vocabulary value, "-" to drop). Several sections for
 * the same list property add up. inc__map_row applies the rules to one row.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "incident/inc_map.h"

static const char *const prop_names[P_COUNT] = {
    "name", "description", "first_activity", "last_activity", "categories", "sectors",
    "countries", "severity", "status", "actors", "references",
};

static int strv_push(char ***v, size_t *n, const char *s)
{
    char **nv = vg_realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return VG_E_NOMEM;
    *v = nv;
    if (!(nv[*n] = vg_strdup(s)))
        return VG_E_NOMEM;
    (*n)++;
    return 0;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vg_free(v[i]);
    vg_free(v);
}

void inc_mapping_free(inc_mapping *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nrules; i++) {
        map_rule *r = &m->rules[i];
        strv_free(r->columns, r->ncolumns);
        vg_free(r->colidx);
        strv_free(r->strip, r->nstrip);
        strv_free(r->skip, r->nskip);
        strv_free(r->from, r->nmap);
        strv_free(r->to, r->nmap);
        vg_free(r->deflt);
    }
    vg_free(m->rules);
    vg_free(m->source);
    vg_free(m->key);
    strv_free(m->keys, m->nkeys);
    vg_free(m->keyidx);
    vg_free(m);
}

static int bad(vg_error *err, const char *name, int line, const char *fmt, const char *arg)
{
    vg_error_set(err, VG_E_INVALID, fmt, arg);
    return vg_error_where(err, "%s:%d", name, line);
}

/* Splits "a, b, c" into v. */
static int split_list(const char *s, char ***v, size_t *n)
{
    char item[1024];
    while (*s) {
        const char *e = strchr(s, ',');
        size_t k = e ? (size_t)(e - s) : strlen(s);
        while (k && isspace((unsigned char)*s)) {
            s++;
            k--;
        }
        while (k && isspace((unsigned char)s[k - 1]))
            k--;
        if (k >= sizeof item)
            k = sizeof item - 1;
        memcpy(item, s, k);
        item[k] = '\0';
        if (k && strv_push(v, n, item))
            return VG_E_NOMEM;
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

static int rule_key(map_rule *r, const inc__line *l, const char *name, vg_error *err)
{
    const char *k = l->key, *v = l->value;
    if (l->quoted) { /* a value-table entry */
        if (r->prop == P_NAME || r->prop == P_DESCRIPTION || r->prop == P_FIRST || r->prop == P_LAST ||
            r->prop == P_REFS)
            return bad(err, name, l->lineno, "a value table makes no sense for %s", prop_names[r->prop]);
        if (strv_push(&r->from, &r->nmap, k))
            return VG_E_NOMEM;
        size_t n = r->nmap - 1;
        if (strv_push(&r->to, &n, v)) {
            vg_free(r->from[--r->nmap]);
            return VG_E_NOMEM;
        }
        return 0;
    }
    if (strcmp(k, "column") == 0 || strcmp(k, "columns") == 0)
        return split_list(v, &r->columns, &r->ncolumns) ? VG_E_NOMEM : 0;
    if (strcmp(k, "split") == 0) {
        if (strcmp(v, "python-list") == 0)
            r->split = SPLIT_PYLIST;
        else if (strlen(v) == 1)
            r->split = SPLIT_CHAR, r->splitc = v[0];
        else
            return bad(err, name, l->lineno, "split must be one character or python-list, not \"%s\"", v);
        return 0;
    }
    if (strcmp(k, "unknown") == 0) {
        if (strcmp(v, "reject") && strcmp(v, "ignore"))
            return bad(err, name, l->lineno, "unknown must be reject or ignore, not \"%s\"", v);
        r->reject_unknown = strcmp(v, "reject") == 0;
        return 0;
    }
    if (strcmp(k, "date") == 0) {
        if (strcmp(v, "YYYY-MM-DD") == 0)
            r->datefmt = DATE_YMD;
        else if (strcmp(v, "M/D/YYYY") == 0)
            r->datefmt = DATE_MDY;
        else if (strcmp(v, "D/M/YYYY") == 0)
            r->datefmt = DATE_DMY;
        else if (strcmp(v, "rfc3339") == 0)
            r->datefmt = DATE_RFC3339;
        else
            return bad(err, name, l->lineno, "date must be YYYY-MM-DD, M/D/YYYY, D/M/YYYY or rfc3339, not \"%s\"", v);
        return 0;
    }
    if (strcmp(k, "default") == 0) {
        vg_free(r->deflt);
        return (r->deflt = vg_strdup(v)) ? 0 : VG_E_NOMEM;
    }
    if (strcmp(k, "required") == 0) {
        r->required = strcmp(v, "yes") == 0;
        return 0;
    }
    if (strcmp(k, "aliases") == 0) {
        if (strlen(v) != 1)
            return bad(err, name, l->lineno, "aliases must be one separator character, not \"%s\"", v);
        r->aliases = v[0];
        return 0;
    }
    if (strcmp(k, "kind") == 0) {
        if (strcmp(v, "intrusion-set") && strcmp(v, "threat-actor"))
            return bad(err, name, l->lineno, "kind must be intrusion-set or threat-actor, not \"%s\"", v);
        r->threat_actor = strcmp(v, "threat-actor") == 0;
        return 0;
    }
    if (strcmp(k, "strip") == 0)
        return strv_push(&r->strip, &r->nstrip, v) ? VG_E_NOMEM : 0;
    if (strcmp(k, "skip-containing") == 0)
        return strv_push(&r->skip, &r->nskip, v) ? VG_E_NOMEM : 0;
    return bad(err, name, l->lineno, "unknown setting \"%s\" (see docs/formats/mapping.md)", k);
}

int inc_mapping_parse(const char *text, size_t len, const char *name, inc_mapping **out, vg_error *err)
{
    *out = NULL;
    inc_mapping *m = vg_calloc(1, sizeof *m);
    if (!m)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    size_t pos = 0, cap = 0;
    int lineno = 0, rc, in_source = 0;
    inc__line l;
    map_rule *cur = NULL;
    while ((rc = inc__ini_next(text, len, &pos, &lineno, name, &l, err)) == 1) {
        rc = 0;
        if (l.section) {
            cur = NULL;
            in_source = strcmp(l.key, "source") == 0;
            if (in_source)
                continue;
            int p;
            for (p = 0; p < P_COUNT && strcmp(prop_names[p], l.key); p++)
                ;
            if (p == P_COUNT) {
                rc = bad(err, name, l.lineno,
                         "unknown section [%s]: expected [source] or a property (name, description, "
                         "first_activity, last_activity, categories, sectors, countries, severity, status, "
                         "actors, references)",
                         l.key);
                break;
            }
            if (m->nrules == cap) {
                cap = cap ? cap * 2 : 16;
                map_rule *v = vg_realloc(m->rules, cap * sizeof *v);
                if (!v) {
                    rc = vg_error_set(err, VG_E_NOMEM, "out of memory");
                    break;
                }
                m->rules = v;
            }
            cur = &m->rules[m->nrules++];
            memset(cur, 0, sizeof *cur);
            cur->prop = p;
            cur->line = l.lineno;
            cur->datefmt = DATE_YMD;
            continue;
        }
        if (in_source) {
            if (strcmp(l.key, "name") == 0) {
                vg_free(m->source);
                if (!(m->source = vg_strdup(l.value)))
                    rc = VG_E_NOMEM;
            } else if (strcmp(l.key, "key") == 0) {
                vg_free(m->key);
                if (!(m->key = vg_strdup(l.value)) || split_list(l.value, &m->keys, &m->nkeys))
                    rc = VG_E_NOMEM;
            } else {
                rc = bad(err, name, l.lineno, "unknown setting \"%s\" in [source]: expected name or key", l.key);
            }
        } else if (!cur) {
            rc = bad(err, name, l.lineno, "\"%s\" outside a section", l.key);
        } else {
            rc = rule_key(cur, &l, name, err);
        }
        if (rc == VG_E_NOMEM)
            vg_error_set(err, rc, "out of memory");
        if (rc)
            break;
    }
    for (size_t i = 0; !rc && i < m->nrules; i++)
        if (!m->rules[i].ncolumns && !m->rules[i].deflt)
            rc = bad(err, name, m->rules[i].line, "[%s] needs a column or a default", prop_names[m->rules[i].prop]);
    if (!rc && (!m->source || !m->nkeys))
        rc = bad(err, name, lineno, "%s", "the [source] section must give name and key");
    if (rc) {
        inc_mapping_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int inc_mapping_load(const char *path, inc_mapping **out, vg_error *err)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = inc__read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = inc_mapping_parse(text, len, path, out, err);
    vg_free(text);
    return rc;
}

int inc__map_bind(inc_mapping *m, const inc_csv_record *header, vg_error *err)
{
    vg_free(m->keyidx);
    m->keyidx = vg_malloc(m->nkeys * sizeof *m->keyidx);
    if (!m->keyidx)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    for (size_t k = 0; k < m->nkeys; k++) {
        m->keyidx[k] = -1;
        for (size_t c = 0; c < header->n; c++)
            if (strcmp(header->field[c], m->keys[k]) == 0)
                m->keyidx[k] = (int)c;
        if (m->keyidx[k] < 0)
            return vg_error_set(err, VG_E_INVALID, "the key column \"%s\" is not in the CSV header", m->keys[k]);
    }
    for (size_t i = 0; i < m->nrules; i++) {
        map_rule *r = &m->rules[i];
        vg_free(r->colidx);
        r->colidx = vg_malloc((r->ncolumns + 1) * sizeof *r->colidx);
        if (!r->colidx)
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        for (size_t k = 0; k < r->ncolumns; k++) {
            r->colidx[k] = -1;
            for (size_t c = 0; c < header->n; c++)
                if (strcmp(header->field[c], r->columns[k]) == 0)
                    r->colidx[k] = (int)c;
            if (r->colidx[k] < 0)
                return vg_error_set(err, VG_E_INVALID, "[%s] reads column \"%s\", which the CSV header lacks",
                                    prop_names[r->prop], r->columns[k]);
        }
    }
    return 0;
}

const char *inc__map_prop_name(int p)
{
    return prop_names[p];
}

/* ---- items of a cell ---------------------------------------------------------------- */

/* Calls fn on each string of a Python list literal (nested lists flattened). -1 malformed. */
static int pylist(const char *s, int (*fn)(const char *item, size_t n, void *ctx), void *ctx)
{
    char item[4096];
    int depth = 0, rc;
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '[')
        return fn(s, strlen(s), ctx);
    for (; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']') {
            if (--depth < 0)
                return -1;
        } else if (*p == '\'' || *p == '"') {
            char q = *p++;
            size_t k = 0;
            while (*p && *p != q) {
                char c = *p++;
                if (c == '\\' && *p)
                    c = *p++;
                if (k + 1 < sizeof item)
                    item[k++] = c;
            }
            if (!*p)
                return -1;
            item[k] = '\0';
            if ((rc = fn(item, k, ctx)))
                return rc;
        } else if (!(*p == ',' || isspace((unsigned char)*p))) {
            return -1;
        }
    }
    return depth == 0 ? 0 : -1;
}

int inc__map_items(const map_rule *r, const char *cell, int (*fn)(const char *item, size_t n, void *ctx),
                   void *ctx)
{
    if (r->split == SPLIT_PYLIST)
        return pylist(cell, fn, ctx);
    if (r->split == SPLIT_NONE)
        return fn(cell, strlen(cell), ctx);
    const char *s = cell;
    for (;;) {
        const char *e = strchr(s, r->splitc);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int rc = fn(s, n, ctx);
        if (rc || !e)
            return rc;
        s = e + 1;
    }
}

/* Trims, strips the rule's prefixes and trailing ".?" (actors); writes the item into out. */
void inc__map_clean(const map_rule *r, const char *s, size_t n, char *out, size_t cap)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < r->nstrip; i++) {
            size_t k = strlen(r->strip[i]);
            if (k && k <= n && strncasecmp(s, r->strip[i], k) == 0) {
                s += k;
                n -= k;
                again = 1;
            }
        }
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
    }
    while (n && (isspace((unsigned char)s[n - 1]) || (r->prop == P_ACTORS && (s[n - 1] == '.' || s[n - 1] == '?'))))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

const char *inc__map_lookup(const map_rule *r, const char *item)
{
    for (size_t i = 0; i < r->nmap; i++)
        if (strcasecmp(r->from[i], item) == 0)
            return r->to[i];
    return NULL;
}

int inc__map_skipped(const map_rule *r, const char *item)
{
    for (size_t i = 0; i < r->nskip; i++)
        if (strcasestr(item, r->skip[i]))
            return 1;
    return 0;
}

/* Parses a date in the rule's format into a STIX timestamp (midnight UTC). */
int inc__map_date(const map_rule *r, const char *s, char out[VG_TIME_MAX])
{
    int y = 0, mo = 0, d = 0, k = 0;
    char tail;
    vg_time t;
    switch (r->datefmt) {
    case DATE_RFC3339:
        if (vg_time_parse(s, strlen(s), VG_TIME_RFC3339, &t, NULL))
            return -1;
        vg_time_format(&t, out);
        return 0;
    case DATE_YMD: k = sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail); break;
    case DATE_MDY: k = sscanf(s, "%2d/%2d/%4d%c", &mo, &d, &y, &tail); break;
    case DATE_DMY: k = sscanf(s, "%2d/%2d/%4d%c", &d, &mo, &y, &tail); break;
    }
    if (k == 4 && !(r->datefmt == DATE_YMD && (tail == ' ' || tail == 'T')))
        return -1; /* trailing text other than a time after Y-M-D */
    if (k < 3 || y < 1900 || y > 2999)
        return -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", y, mo, d);
    if (vg_time_parse(buf, strlen(buf), VG_TIME_STIX, &t, NULL))
        return -1;
    vg_time_format(&t, out);
    return 0;
}
