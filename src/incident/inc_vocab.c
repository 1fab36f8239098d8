/*
 * inc_vocab.c - the fixed vocabularies of vigil's incident extension:
 * severities, statuses, categories, sectors (with their MISP sector-galaxy
 * names and criticality) and ISO 3166-1 countries.
 *
 * Each vocabulary is one table; masks in inc_record index into them, so the
 * order of a table never changes once released (append only).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "incident/incident.h"

static const char *const severity_names[] = {"?", "minimal", "low", "medium", "high", "critical"};

const char *inc_severity_name(int sev)
{
    return sev >= INC_SEV_MIN && sev <= INC_SEV_MAX ? severity_names[sev] : "?";
}

int inc_severity_parse(const char *s, int *out, vg_error *err)
{
    if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0') {
        *out = s[0] - '0';
        return 0;
    }
    for (int i = INC_SEV_MIN; i <= INC_SEV_MAX; i++)
        if (strcasecmp(s, severity_names[i]) == 0) {
            *out = i;
            return 0;
        }
    return vg_error_set(err, VG_E_INVALID,
                        "\"%.80s\" is not a severity: expected 1..5 or minimal, low, medium, high, critical", s);
}

const char *const inc_statuses[INC_NSTATUS] = {"open", "investigating", "contained", "closed"};

int inc_status_index(const char *s)
{
    for (int i = 0; i < INC_NSTATUS; i++)
        if (strcmp(s, inc_statuses[i]) == 0)
            return i;
    return -1;
}

const inc_category inc_categories[INC_NCATEGORY] = {
    {"ransomware", "Ransomware"},
    {"espionage", "Espionage"},
    {"disruption", "Sabotage / disruption"},
    {"election-interference", "Election interference"},
    {"data-theft", "Data theft"},
    {"financial-theft", "Financial and crypto theft"},
    {"commercial-spyware", "Commercial spyware"},
    {"denial-of-service", "Denial of service"},
    {"defacement", "Defacement"},
};

int inc_category_index(const char *name)
{
    for (int i = 0; i < INC_NCATEGORY; i++)
        if (strcmp(name, inc_categories[i].name) == 0)
            return i;
    return -1;
}

/*
 * Sectors: the EU NIS2 sectors of high criticality and the US CISA critical
 * infrastructure sectors, plus the targets this project's users report on
 * (elections, political parties, media, civil society). Criticality 3 marks
 * what a country cannot do without; 2 what is critical to a part of it.
 */
const inc_sector inc_sectors[] = {
    {"government", "Government and administration", "Government, Administration", 3},
    {"elections", "Elections", NULL, 3},
    {"energy", "Energy", "Energy", 3},
    {"water", "Water", "Water", 3},
    {"health", "Health", "Health", 3},
    {"finance", "Finance and banking", "Finance", 3},
    {"transport", "Transport", "Transport", 3},
    {"telecommunications", "Telecommunications", "Telecoms", 3},
    {"digital-infrastructure", "Digital infrastructure", "Digital infrastructure", 3},
    {"defence", "Defence and defence industry", "Defense", 3},
    {"military", "Military", "Military", 3},
    {"emergency-services", "Emergency services", NULL, 3},
    {"law-enforcement", "Police and law enforcement", "Police - Law enforcement", 2},
    {"intelligence", "Intelligence services", "Intelligence", 2},
    {"judiciary", "Judiciary", "Justice", 2},
    {"legislature", "Parliaments and legislature", NULL, 2},
    {"diplomacy", "Diplomacy and foreign affairs", "Diplomacy", 2},
    {"political-parties", "Political parties", "Political party", 2},
    {"space", "Space", "Space", 2},
    {"chemicals", "Chemicals", "Chemical", 2},
    {"food", "Food and agriculture", "Food", 2},
    {"manufacturing", "Critical manufacturing", "Manufacturing", 2},
    {"it-services", "IT and managed services", "IT", 2},
    {"media", "Media and journalism", "News - Media", 2},
    {"civil-society", "Civil society, NGOs and activists", "Civil society", 2},
    {"education-research", "Education and research", "Academia - University", 1},
    {"international-organisations", "International organisations", NULL, 2},
    {"private-sector", "Private sector (other companies)", NULL, 1},
    {"individuals", "Individuals", "Citizens", 1},
    {"other", "Other", "Other", 1},
};
const size_t inc_nsectors = sizeof inc_sectors / sizeof inc_sectors[0];

int inc_sector_index(const char *name)
{
    for (size_t i = 0; i < inc_nsectors; i++)
        if (strcmp(name, inc_sectors[i].name) == 0)
            return (int)i;
    return -1;
}

int inc_sector_from_misp(const char *misp)
{
    for (size_t i = 0; i < inc_nsectors; i++)
        if (inc_sectors[i].misp && strcasecmp(misp, inc_sectors[i].misp) == 0)
            return (int)i;
    return -1;
}

/* ISO 3166-1: code, ISO short name, common name, official name (from Debian's iso-codes). */
typedef struct country {
    const char *code;
    const char *names[3];
} country;

static const country countries[] = {
#include "incident/inc_countries.inc"
};
#define NCOUNTRIES (sizeof countries / sizeof countries[0])

const char *inc_country_code(const char *name)
{
    if (strlen(name) == 2 && isalpha((unsigned char)name[0]) && isalpha((unsigned char)name[1])) {
        for (size_t i = 0; i < NCOUNTRIES; i++)
            if (strcasecmp(name, countries[i].code) == 0)
                return countries[i].code;
        return NULL;
    }
    for (size_t i = 0; i < NCOUNTRIES; i++)
        for (int k = 0; k < 3; k++)
            if (countries[i].names[k] && strcasecmp(name, countries[i].names[k]) == 0)
                return countries[i].code;
    return NULL;
}

const char *inc_country_name(const char *code)
{
    for (size_t i = 0; i < NCOUNTRIES; i++)
        if (strcasecmp(code, countries[i].code) == 0)
            return countries[i].names[0];
    return NULL;
}

int inc_parse_day(const char *s, vg_time *out, vg_error *err)
{
    size_t n = strlen(s);
    if (n == 10) {
        char t[32];
        snprintf(t, sizeof t, "%sT00:00:00Z", s);
        if (vg_time_parse(t, strlen(t), VG_TIME_STIX, out, NULL) == 0)
            return 0;
    } else if (vg_time_parse(s, n, VG_TIME_RFC3339, out, NULL) == 0) {
        return 0;
    }
    return vg_error_set(err, VG_E_PARSE, "\"%.80s\" is not a date: expected YYYY-MM-DD or an RFC 3339 timestamp", s);
}
