/*
 * incident_int.h - what the files of the incident module share and nobody
 * else needs: the small INI-like reader behind mapping and rules files, and
 * string-list helpers.
 */
#ifndef INCIDENT_INT_H
#define INCIDENT_INT_H

#include "incident/incident.h"

/* One logical line of a mapping or rules file. */
typedef struct inc__line {
    int lineno;        /* 1-based */
    int section;       /* 1 for "[name]" lines (key holds name) */
    int quoted;        /* the key was a quoted string */
    char key[1024];    /* the key (or section name), unquoted */
    char value[4096];  /* the value, unquoted, "" for sections */
} inc__line;

/*
 * Reads the next non-blank, non-comment line of text at *pos: "[section]",
 * key = value, or "quoted key" = value. Comments start with # or ; outside
 * quotes. Returns 1 with *l, 0 at the end, VG_E_PARSE (err says name:line).
 */
int inc__ini_next(const char *text, size_t len, size_t *pos, int *lineno, const char *name, inc__line *l,
                  vg_error *err);

/* Reads a whole file (ceiling 16 MiB) into a vg_malloc'd NUL-terminated buffer. */
int inc__read_file(const char *path, char **out, size_t *len, vg_error *err);

/* The severity the rules give (defaults when r is NULL). */
int inc__score_default(const inc_score_in *in);

/* The window (days) and grouping of the roll-up rules. */
int inc__rules_window(const inc_rules *r, int *by_malware, int *by_campaign);

/* Maps a STIX industry-sector-ov value (or a vigil sector name) to a vigil sector index, or -1. */
int inc__sector_from_stix(const char *s);

/*
 * Calls fn for each string element of a JSON array text as the store keeps
 * the incident's fields (compact): walked in place when it has no escape,
 * else parsed. Other elements (numbers, nested arrays) are skipped. -1 when
 * fn returns non-zero, else 0. Fuzzed against jansson (fuzz/fuzz_brief.c).
 */
int inc__array_strings(const char *text, int (*fn)(const char *s, size_t n, void *ctx), void *ctx);

#endif
