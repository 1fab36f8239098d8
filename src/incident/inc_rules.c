/*
 * inc_rules.c - the roll-up rules and the severity score.
 *
 * Severity = base
 *          + the points of the most critical sector hit (by its criticality 1..3)
 *          + the higher of: the points of what hit it (malware_types) and of
 *            the incident's categories
 *          + 1 when the best indicator confidence is at or above confidence.high,
 *            - 1 when it is below confidence.low
 * clamped to 1..5. Defaults and the file format: docs/internals/incident.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/incident_int.h"

#define MAX_MALWARE_RULES 32

struct inc_rules {
    int window_days;        /* sightings within this many days of an incident's last activity join it */
    int by_malware;         /* group by malware family */
    int by_campaign;        /* group by campaign */
    int base;               /* starting score */
    int sector_points[4];   /* by criticality 1..3 (index 0 unused: no sector) */
    struct {
        char type[48];      /* a malware_types value */
        int points;
    } malware[MAX_MALWARE_RULES];
    int nmalware;
    int malware_other;      /* points for malware of any other type */
    int category_points[INC_NCATEGORY];
    int conf_high, conf_low; /* thresholds */
};

static void set_defaults(inc_rules *r)
{
    memset(r, 0, sizeof *r);
    r->window_days = 14;
    r->by_malware = r->by_campaign = 1;
    r->base = 1;
    r->sector_points[1] = 0;
    r->sector_points[2] = 1;
    r->sector_points[3] = 2;
    static const char *const high[] = {"ransomware", "spyware", "wiper"};
    for (int i = 0; i < 3; i++) {
        snprintf(r->malware[i].type, sizeof r->malware[i].type, "%s", high[i]);
        r->malware[i].points = 2;
    }
    r->nmalware = 3;
    r->malware_other = 1;
    static const int cat[INC_NCATEGORY] = {
        2, /* ransomware */ 1, /* espionage */ 2, /* disruption */ 2, /* election-interference */
        1, /* data-theft */ 1, /* financial-theft */ 2, /* commercial-spyware */ 0, /* denial-of-service */
        0, /* defacement */
    };
    memcpy(r->category_points, cat, sizeof cat);
    r->conf_high = 80;
    r->conf_low = 30;
}

int inc_rules_default(inc_rules **out, vg_error *err)
{
    *out = vg_malloc(sizeof **out);
    if (!*out)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    set_defaults(*out);
    return 0;
}

void inc_rules_free(inc_rules *r)
{
    vg_free(r);
}

static int number(const inc__line *l, const char *name, int lo, int hi, int *out, vg_error *err)
{
    char *e;
    long v = strtol(l->value, &e, 10);
    if (!l->value[0] || *e || v < lo || v > hi) {
        vg_error_set(err, VG_E_INVALID, "%s must be a whole number from %d to %d", l->key, lo, hi);
        return vg_error_where(err, "%s:%d", name, l->lineno);
    }
    *out = (int)v;
    return 0;
}

int inc_rules_parse(const char *text, size_t len, const char *name, inc_rules **out, vg_error *err)
{
    inc_rules *r;
    int rc = inc_rules_default(&r, err);
    if (rc)
        return rc;
    size_t pos = 0;
    int lineno = 0;
    inc__line l;
    char section[64] = "";
    while ((rc = inc__ini_next(text, len, &pos, &lineno, name, &l, err)) == 1) {
        rc = 0;
        if (l.section) {
            if (strcmp(l.key, "correlate") && strcmp(l.key, "severity")) {
                rc = vg_error_set(err, VG_E_INVALID, "unknown section [%s]: expected [correlate] or [severity]",
                                  l.key);
                vg_error_where(err, "%s:%d", name, l.lineno);
                break;
            }
            snprintf(section, sizeof section, "%.60s", l.key);
            continue;
        }
        if (strcmp(section, "correlate") == 0 && strcmp(l.key, "window") == 0) {
            rc = number(&l, name, 0, 3650, &r->window_days, err);
        } else if (strcmp(section, "correlate") == 0 && strcmp(l.key, "group-by") == 0) {
            r->by_malware = strstr(l.value, "malware") != NULL;
            r->by_campaign = strstr(l.value, "campaign") != NULL;
        } else if (strcmp(section, "severity") == 0 && strcmp(l.key, "base") == 0) {
            rc = number(&l, name, 0, 5, &r->base, err);
        } else if (strcmp(section, "severity") == 0 && strncmp(l.key, "sector.", 7) == 0 && l.key[7] >= '1' &&
                   l.key[7] <= '3' && !l.key[8]) {
            rc = number(&l, name, -5, 5, &r->sector_points[l.key[7] - '0'], err);
        } else if (strcmp(section, "severity") == 0 && strcmp(l.key, "malware.other") == 0) {
            rc = number(&l, name, -5, 5, &r->malware_other, err);
        } else if (strcmp(section, "severity") == 0 && strncmp(l.key, "malware.", 8) == 0 &&
                   strlen(l.key + 8) < sizeof r->malware[0].type) {
            int k;
            for (k = 0; k < r->nmalware && strcmp(r->malware[k].type, l.key + 8); k++)
                ;
            if (k == MAX_MALWARE_RULES) {
                rc = vg_error_set(err, VG_E_LIMIT, "at most %d malware.* rules", MAX_MALWARE_RULES);
                vg_error_where(err, "%s:%d", name, l.lineno);
            } else {
                snprintf(r->malware[k].type, sizeof r->malware[k].type, "%s", l.key + 8);
                rc = number(&l, name, -5, 5, &r->malware[k].points, err);
                if (k == r->nmalware)
                    r->nmalware++;
            }
        } else if (strcmp(section, "severity") == 0 && strncmp(l.key, "category.", 9) == 0 &&
                   inc_category_index(l.key + 9) >= 0) {
            rc = number(&l, name, -5, 5, &r->category_points[inc_category_index(l.key + 9)], err);
        } else if (strcmp(section, "severity") == 0 && strcmp(l.key, "confidence.high") == 0) {
            rc = number(&l, name, 0, 101, &r->conf_high, err);
        } else if (strcmp(section, "severity") == 0 && strcmp(l.key, "confidence.low") == 0) {
            rc = number(&l, name, 0, 101, &r->conf_low, err);
        } else {
            rc = vg_error_set(err, VG_E_INVALID, "unknown setting \"%s\" in [%s]", l.key, section);
            vg_error_hint(err, "see docs/internals/incident.md for the settings");
            vg_error_where(err, "%s:%d", name, l.lineno);
        }
        if (rc)
            break;
    }
    if (rc) {
        vg_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int inc_rules_load(const char *path, inc_rules **out, vg_error *err)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = inc__read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = inc_rules_parse(text, len, path, out, err);
    vg_free(text);
    return rc;
}

int inc__rules_window(const inc_rules *r, int *by_malware, int *by_campaign)
{
    *by_malware = r->by_malware;
    *by_campaign = r->by_campaign;
    return r->window_days;
}

int inc_score(const inc_rules *r, const inc_score_in *in)
{
    inc_rules def;
    if (!r) {
        set_defaults(&def);
        r = &def;
    }
    int crit = 0;
    for (size_t i = 0; i < inc_nsectors; i++)
        if ((in->sectors & (1ull << i)) && inc_sectors[i].critical > crit)
            crit = inc_sectors[i].critical;
    int score = r->base + (crit ? r->sector_points[crit] : 0);
    int what = 0, any = 0;
    for (size_t i = 0; i < in->nmalware_types; i++) {
        int p = r->malware_other, k;
        for (k = 0; k < r->nmalware; k++)
            if (strcmp(r->malware[k].type, in->malware_types[i]) == 0) {
                p = r->malware[k].points;
                break;
            }
        if (!any || p > what)
            what = p;
        any = 1;
    }
    for (int k = 0; k < INC_NCATEGORY; k++)
        if (in->categories & (1u << k)) {
            if (!any || r->category_points[k] > what)
                what = r->category_points[k];
            any = 1;
        }
    score += what;
    if (in->confidence >= 0 && in->confidence >= r->conf_high)
        score++;
    else if (in->confidence >= 0 && in->confidence < r->conf_low)
        score--;
    return score < INC_SEV_MIN ? INC_SEV_MIN : score > INC_SEV_MAX ? INC_SEV_MAX : score;
}

int inc__score_default(const inc_score_in *in)
{
    return inc_score(NULL, in);
}

/* STIX 2.1 industry-sector-ov -> vigil sectors. */
static const struct {
    const char *stix, *ours;
} stix_sectors[] = {
    {"agriculture", "food"},
    {"aerospace", "defence"},
    {"automotive", "manufacturing"},
    {"chemical", "chemicals"},
    {"commercial", "private-sector"},
    {"communications", "telecommunications"},
    {"construction", "private-sector"},
    {"defense", "defence"},
    {"education", "education-research"},
    {"energy", "energy"},
    {"entertainment", "private-sector"},
    {"financial-services", "finance"},
    {"government", "government"},
    {"government-emergency-services", "emergency-services"},
    {"government-local", "government"},
    {"government-national", "government"},
    {"government-public-services", "government"},
    {"government-regional", "government"},
    {"healthcare", "health"},
    {"hospitality-leisure", "private-sector"},
    {"infrastructure", "digital-infrastructure"},
    {"infrastructure-dams", "water"},
    {"infrastructure-nuclear", "energy"},
    {"infrastructure-water", "water"},
    {"insurance", "finance"},
    {"manufacturing", "manufacturing"},
    {"mining", "private-sector"},
    {"non-profit", "civil-society"},
    {"pharmaceuticals", "health"},
    {"retail", "private-sector"},
    {"technology", "it-services"},
    {"telecommunications", "telecommunications"},
    {"transportation", "transport"},
    {"utilities", "energy"},
};

int inc__sector_from_stix(const char *s)
{
    int k = inc_sector_index(s);
    if (k >= 0)
        return k;
    for (size_t i = 0; i < sizeof stix_sectors / sizeof stix_sectors[0]; i++)
        if (strcmp(s, stix_sectors[i].stix) == 0)
            return inc_sector_index(stix_sectors[i].ours);
    return -1;
}
