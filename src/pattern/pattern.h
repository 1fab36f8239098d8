/*
 * pattern.h - STIX patterning: parse, check, compile and evaluate patterns.
 *
 * The whole language of STIX 2.1 section 9 (and the STIX 2.0 dialect):
 * observation expressions joined by AND, OR and FOLLOWEDBY, the WITHIN,
 * REPEATS and START/STOP qualifiers, comparison expressions with every
 * operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET,
 * EXISTS, each optionally negated with NOT), every literal kind and object
 * paths with quoted keys, list indexes, [*] and _ref/_refs dereferencing.
 *
 * The life of a pattern:
 *
 *     pat_pattern *p = NULL;
 *     if (pat_compile(src, len, NULL, &p, &diags, &err) == 0) {
 *         pat_observations *obs = NULL;
 *         pat_observations_from_json(bundle, &obs, &err);
 *         pat_result res = {0};
 *         pat_match(p, obs, &res, &err);      // res.matched, res.bindings
 *         pat_result_free(&res);
 *         pat_observations_free(obs);
 *     }
 *     pat_free(p);
 *
 * A compiled pattern is immutable: any number of threads may call pat_match
 * and the pat_leaf accessors on it at once. Nothing here prints or exits;
 * every failure is a negative VG_E_* code with detail in a vg_error and, for
 * problems with the pattern text, in a pat_diags list with line and column.
 */
#ifndef PAT_PATTERN_H
#define PAT_PATTERN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vg_buf.h"
#include "core/vg_error.h"
#include "core/vg_time.h"

/* ---- options -------------------------------------------------------------- */

/* Dialects of the language. */
enum pat_version {
    PAT_STIX_21 = 0, /* STIX 2.1 (the default) */
    PAT_STIX_20 = 1, /* STIX 2.0: START/STOP also take plain strings */
};

/* Default ceilings (each has its own VG_E_LIMIT error). */
#define PAT_DEFAULT_MAX_LEN ((size_t)1 << 20) /* bytes of pattern text */
#define PAT_DEFAULT_MAX_DEPTH 64u             /* nesting of parentheses, brackets and qualifiers */

/* How to compile. Zero-initialised options (or NULL) give the defaults. */
typedef struct pat_opts {
    int version;        /* PAT_STIX_21 or PAT_STIX_20 */
    size_t max_len;     /* longest pattern accepted; 0 = PAT_DEFAULT_MAX_LEN */
    unsigned max_depth; /* deepest nesting accepted; 0 = PAT_DEFAULT_MAX_DEPTH */
    int no_warnings;    /* 1 = skip collecting diagnostics (only the first error, in err) */
} pat_opts;

/*
 * The dialect an indicator asks for: PAT_STIX_20 when its spec_version is
 * "2.0" (or absent, the 2.0 default) or its pattern_version starts with
 * "2.0", else PAT_STIX_21. `indicator` may be NULL (gives PAT_STIX_21).
 */
int pat_version_of_indicator(json_t *indicator);

/* ---- diagnostics ---------------------------------------------------------- */

enum { PAT_DIAG_ERROR = 0, PAT_DIAG_WARNING = 1 };

/* One finding about a pattern's text. */
typedef struct pat_diag {
    int severity;       /* PAT_DIAG_ERROR or PAT_DIAG_WARNING */
    int code;           /* VG_E_PARSE (grammar), VG_E_INVALID (meaning), VG_E_LIMIT; 0 for warnings */
    size_t offset;      /* byte offset into the pattern where it applies */
    unsigned line;      /* 1-based line of offset */
    unsigned col;       /* 1-based column (in characters) of offset */
    char msg[256];      /* what is wrong, one sentence */
    char expected[160]; /* what the grammar expected there, or empty */
} pat_diag;

/* A growable list of diagnostics. Zero-initialise; free with pat_diags_free. */
typedef struct pat_diags {
    pat_diag *v;     /* the diagnostics, in the order found */
    size_t n;        /* how many */
    size_t cap;      /* allocated */
    size_t errors;   /* how many are errors */
    size_t warnings; /* how many are warnings */
} pat_diags;

/* Frees the list's memory and zeroes it. NULL-safe. */
void pat_diags_free(pat_diags *d);

/*
 * Appends to `out` the pattern line that `d` points into and a caret line
 * under its column, e.g.
 *     [file:size = ]
 *                  ^
 * Lines longer than about 100 characters are cut around the spot. Returns 0,
 * VG_E_NOMEM or VG_E_LIMIT (from out's ceiling).
 */
int pat_diag_excerpt(const char *src, size_t len, const pat_diag *d, vg_buf *out);

/* ---- compiling ------------------------------------------------------------ */

/* A compiled pattern: immutable, shareable between threads. */
typedef struct pat_pattern pat_pattern;

/*
 * Parses, checks and compiles src[0..len). On success *out is a new pattern
 * (free with pat_free) and warnings, if any, are appended to `diags` (may be
 * NULL). On failure *out is NULL, err holds the first error (msg with what
 * was expected, where = "line:col") and `diags` every error found.
 * Returns 0, VG_E_PARSE (grammar), VG_E_INVALID (types, literals, regexes),
 * VG_E_LIMIT (length or depth ceiling), VG_E_NOMEM or VG_E_USAGE.
 */
int pat_compile(const char *src, size_t len, const pat_opts *opts, pat_pattern **out, pat_diags *diags,
                vg_error *err);

/*
 * Checks src without keeping the result: the verdict is the return code as
 * for pat_compile, and every diagnostic (errors and warnings) is appended to
 * `diags` (may be NULL).
 */
int pat_check(const char *src, size_t len, const pat_opts *opts, pat_diags *diags, vg_error *err);

/* Frees a compiled pattern. NULL-safe. */
void pat_free(pat_pattern *p);

/* The pattern's text (borrowed, NUL-terminated) and dialect. */
const char *pat_source(const pat_pattern *p);
int pat_dialect(const pat_pattern *p);

/* Number of observation expressions ([...]) in the pattern, in source order. */
size_t pat_observation_count(const pat_pattern *p);

/* ---- what the scanner needs: leaf comparisons ----------------------------- */

/* Comparison operators. */
enum pat_op {
    PAT_OP_EQ = 0, /* =  (also ==) */
    PAT_OP_NE,     /* != (also <>) */
    PAT_OP_LT,     /* < */
    PAT_OP_LE,     /* <= */
    PAT_OP_GT,     /* > */
    PAT_OP_GE,     /* >= */
    PAT_OP_IN,     /* IN (set) */
    PAT_OP_LIKE,   /* LIKE (SQL wildcards % and _) */
    PAT_OP_MATCHES,    /* MATCHES (PCRE) */
    PAT_OP_ISSUBSET,   /* ISSUBSET (IP address or CIDR) */
    PAT_OP_ISSUPERSET, /* ISSUPERSET (IP address or CIDR) */
    PAT_OP_EXISTS,     /* EXISTS (no value) */
};

/* The name of an operator as written ("=", "ISSUBSET"...). Never NULL. */
const char *pat_op_name(int op);

/* Kinds of literal. */
enum pat_lit {
    PAT_LIT_NONE = 0,  /* no value (EXISTS) */
    PAT_LIT_INT,       /* 42, -7 */
    PAT_LIT_FLOAT,     /* 7.0, -.5 */
    PAT_LIT_STRING,    /* 'text' (escapes resolved) */
    PAT_LIT_BOOL,      /* true, false */
    PAT_LIT_BINARY,    /* b'base64' (decoded bytes) */
    PAT_LIT_HEX,       /* h'ffd8' (decoded bytes) */
    PAT_LIT_TIMESTAMP, /* t'2020-01-01T00:00:00Z' */
    PAT_LIT_SET,       /* ('a', 'b') for IN */
};

/* A literal value. Everything it points to is owned by the pattern. */
typedef struct pat_value {
    int kind;                      /* PAT_LIT_* */
    int64_t i;                     /* INT value; BOOL as 0/1 */
    double f;                      /* FLOAT value (also set for INT) */
    const char *s;                 /* STRING text, BINARY/HEX bytes; NUL-terminated */
    size_t len;                    /* bytes in s */
    vg_time t;                     /* TIMESTAMP value */
    const struct pat_value *items; /* SET members */
    size_t nitems;                 /* SET size */
    const char *text;              /* the literal as written in the pattern */
} pat_value;

/* Steps of an object path after the object type. */
enum { PAT_STEP_KEY = 0, PAT_STEP_INDEX = 1, PAT_STEP_ANY = 2 };

/* One step: .key / .'quoted key' / [n] / [*]. */
typedef struct pat_step {
    int kind;        /* PAT_STEP_* */
    const char *key; /* KEY: the property name (quotes removed), NUL-terminated */
    long index;      /* INDEX: the list index (negative counts from the end) */
} pat_step;

/* One comparison of the pattern. Everything it points to is owned by the pattern. */
typedef struct pat_leaf {
    const char *object_type; /* "file" */
    const char *path;        /* the path after the colon, normalised: "hashes.'SHA-256'" */
    const pat_step *steps;   /* the path as steps */
    size_t nsteps;           /* how many */
    int op;                  /* PAT_OP_* */
    int negated;             /* NOT was written before the operator */
    const pat_value *value;  /* the literal (kind PAT_LIT_NONE for EXISTS) */
    size_t observation;      /* which observation expression ([...]) it is in, 0-based */
    size_t offset;           /* byte offset of the comparison in the pattern */
} pat_leaf;

/* Number of leaf comparisons; the i-th one (borrowed; NULL when i is out of range). */
size_t pat_leaf_count(const pat_pattern *p);
const pat_leaf *pat_leaf_at(const pat_pattern *p, size_t i);

/*
 * 1 when the pattern is a plain disjunction of equalities: one or more
 * observation expressions without qualifiers, joined only by OR, each holding
 * only `path = literal` or `path IN (...)` comparisons (not negated) joined by
 * OR. Such a pattern matches an observation exactly when one of its leaves
 * does, so an index over the leaves answers it without the evaluator.
 */
int pat_is_simple_disjunction(const pat_pattern *p);

/* ---- observations ---------------------------------------------------------- */

/* A set of observed-data objects, with the cyber-observables they refer to. */
typedef struct pat_observations pat_observations;

/* Ceiling on observed-data objects in one set. */
#define PAT_MAX_OBSERVATIONS 10000000u

/*
 * Builds the observations from `input`: a bundle, a JSON array of objects,
 * or a single observed-data object. Observed-data may be STIX 2.1 (object_refs
 * into the SCOs given alongside) or STIX 2.0 (an `objects` dictionary), mixed
 * freely. first_observed and last_observed are required; number_observed
 * defaults to 1. The set keeps a reference to `input`.
 * Returns 0, VG_E_INVALID (with where = JSON path), VG_E_LIMIT or VG_E_NOMEM.
 */
int pat_observations_from_json(json_t *input, pat_observations **out, vg_error *err);

/* Frees the set. NULL-safe. */
void pat_observations_free(pat_observations *o);

/* Number of observed-data objects in the set. */
size_t pat_observations_count(const pat_observations *o);

/* The id of the i-th observed-data object (borrowed; "" when it has none). */
const char *pat_observation_id(const pat_observations *o, size_t i);

/* ---- matching -------------------------------------------------------------- */

/* One observation bound to one observation expression of the pattern. */
typedef struct pat_binding {
    size_t expression;       /* which observation expression ([...]), 0-based in source order */
    size_t observation;      /* index of the observed-data in the set */
    const char *obs_id;      /* its id (borrowed from the observations) */
    const char **object_ids; /* the cyber-observables that satisfied it (ids or 2.0 keys) */
    size_t nobjects;         /* how many */
} pat_binding;

/* The outcome of pat_match. Zero-initialise; free with pat_result_free. */
typedef struct pat_result {
    int matched;           /* 1 when the pattern matched */
    pat_binding *bindings; /* for a match: the observations that made it, by expression */
    size_t nbindings;      /* how many */
} pat_result;

void pat_result_free(pat_result *r);

/*
 * Evaluates p against the observations. res->matched says whether it matched;
 * for a match, res->bindings lists one way it matched (the one that completed
 * earliest). Returns 0 (match or not), VG_E_LIMIT when the search grew past
 * its ceiling, VG_E_NOMEM.
 */
int pat_match(const pat_pattern *p, const pat_observations *obs, pat_result *res, vg_error *err);

#endif
