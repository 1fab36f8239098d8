/*
 * inc_map.h - the parsed form of a mapping file, shared by inc_map.c (which
 * reads it) and inc_import.c (which applies it to rows).
 */
#ifndef INC_MAP_H
#define INC_MAP_H

#include "incident/incident_int.h"

/* The incident properties a rule can fill. */
enum { P_NAME, P_DESCRIPTION, P_FIRST, P_LAST, P_CATEGORIES, P_SECTORS, P_COUNTRIES, P_SEVERITY, P_STATUS,
       P_ACTORS, P_REFS, P_COUNT };
enum { SPLIT_NONE, SPLIT_CHAR, SPLIT_PYLIST };
enum { DATE_YMD, DATE_MDY, DATE_DMY, DATE_RFC3339 };

/* One [property] section. */
typedef struct map_rule {
    int prop;            /* P_* */
    int line;            /* where the section starts */
    char **columns;      /* the CSV columns it reads */
    size_t ncolumns;
    int *colidx;         /* their indexes, once bound to a header */
    int split;           /* SPLIT_* */
    char splitc;         /* the separator for SPLIT_CHAR */
    int reject_unknown;  /* reject the row on a value neither mapped nor in the vocabulary */
    int datefmt;         /* DATE_* */
    char *deflt;         /* value when the columns give none, or NULL ("auto" for severity) */
    int required;        /* reject the row when no value results */
    char aliases;        /* actors: separator of aliases inside one name, 0 for none */
    int threat_actor;    /* actors: create threat-actor rather than intrusion-set objects */
    char **strip;        /* prefixes removed from items */
    size_t nstrip;
    char **skip;         /* items containing one of these are dropped */
    size_t nskip;
    char **from, **to;   /* the value table: from[i] -> to[i] ("-" drops) */
    size_t nmap;
} map_rule;

struct inc_mapping {
    char *source;    /* [source] name */
    char *key;       /* [source] key columns, as written ("a, b") */
    char **keys;     /* the key columns: their values together identify a row */
    size_t nkeys;
    int *keyidx;     /* their indexes once bound */
    map_rule *rules; /* the property sections, in file order */
    size_t nrules;
};

int inc__map_bind(inc_mapping *m, const inc_csv_record *header, vg_error *err);
const char *inc__map_prop_name(int p);
int inc__map_items(const map_rule *r, const char *cell, int (*fn)(const char *item, size_t n, void *ctx),
                   void *ctx);
void inc__map_clean(const map_rule *r, const char *s, size_t n, char *out, size_t cap);
const char *inc__map_lookup(const map_rule *r, const char *item);
int inc__map_skipped(const map_rule *r, const char *item);
int inc__map_date(const map_rule *r, const char *s, char out[VG_TIME_MAX]);

#endif
