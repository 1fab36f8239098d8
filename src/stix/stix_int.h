/*
 * stix_int.h - private to src/stix: the table of STIX 2.1 types that the
 * validator and the 2.0 -> 2.1 upgrade both read.
 *
 * One table (stix_types.c) describes every STIX 2.1 type: its kind, its
 * properties with their value kinds and whether they are required, the types
 * a reference may name, the vocabulary of a string, and the rules that span
 * several properties (a check function). Nested structures (kill-chain
 * phases, external references, the predefined SCO extensions...) are
 * described the same way, so one walker validates them all.
 *
 * Lookups are binary searches: stix__types[] is sorted by type name and every
 * property list is sorted by property name (a unit test checks both).
 */
#ifndef STIX_INT_H
#define STIX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "stix/stix.h"

/* The kind of value a property holds (STIX 2.1 section 2 names the types). */
enum stix_vk {
    STIX_VK_ANY = 0,          /* any JSON value */
    STIX_VK_TYPE,             /* "type": the object's own type name */
    STIX_VK_ID,               /* "id": "<type>--<UUID>" of the object's own type */
    STIX_VK_SPEC_VERSION,     /* "spec_version": exactly "2.1" */
    STIX_VK_STRING,           /* string (2.13) */
    STIX_VK_STRING_NONEMPTY,  /* string with at least one character */
    STIX_VK_TIMESTAMP,        /* timestamp (2.14) */
    STIX_VK_TIMESTAMP_MS,     /* created/modified: timestamp with >= 3 fractional digits (3.2) */
    STIX_VK_INTEGER,          /* integer (2.9), range in min/max with STIX_P_RANGE */
    STIX_VK_FLOAT,            /* float (2.5): any JSON number */
    STIX_VK_BOOLEAN,          /* boolean (2.2) */
    STIX_VK_STRINGS,          /* non-empty list of strings (2.11) */
    STIX_VK_REF,              /* identifier (2.8) naming one of `to` */
    STIX_VK_REFS,             /* non-empty list of identifiers naming `to` */
    STIX_VK_DICT,             /* dictionary (2.3): object, keys 1..250 of [a-zA-Z0-9_-] */
    STIX_VK_HASHES,           /* hashes (2.6) */
    STIX_VK_BINARY,           /* binary (2.1): base64 */
    STIX_VK_HEX,              /* hex (2.7): even number of hex digits */
    STIX_VK_OBJECT,           /* one JSON object described by `sub` (or any object) */
    STIX_VK_OBJECTS,          /* non-empty list of JSON objects described by `sub` */
    STIX_VK_EXTENSIONS,       /* extensions dictionary (3.2, 7.3); `sub` lists predefined ones */
    STIX_VK_OBSERVED_OBJECTS, /* observed-data "objects" (deprecated 2.0 form, 4.14) */
};

/* Property flags. */
enum {
    STIX_P_REQUIRED = 1, /* must be present */
    STIX_P_RANGE = 2,    /* integer must lie in [min, max] */
    STIX_P_ENUM = 4,     /* `vocab` is closed: other values are errors (else an open vocabulary) */
};

/* Which types an identifier may name. */
typedef struct stix_targets {
    unsigned kinds;           /* bits (1u << enum stix_kind) accepted; STIX_KIND_UNKNOWN = custom types */
    const char *const *types; /* and these named types (NULL-terminated), may be NULL */
    const char *text;         /* for messages: "an identity", "an SDO or SCO" */
} stix_targets;

struct stix_def;

/* One property of a type or structure. */
typedef struct stix_prop {
    const char *name;           /* JSON key */
    uint8_t kind;               /* enum stix_vk */
    uint8_t flags;              /* STIX_P_* */
    const stix_targets *to;     /* REF/REFS: what may be named */
    const char *const *vocab;   /* strings and lists of strings: vocabulary, NULL-terminated */
    const struct stix_def *sub; /* OBJECT/OBJECTS/EXTENSIONS: the nested definition */
    int64_t min, max;           /* INTEGER with STIX_P_RANGE */
} stix_prop;

struct stix_vctx;

/*
 * The definition of a type ("indicator") or of a nested structure
 * ("kill-chain-phase", "archive-ext").
 */
typedef struct stix_def {
    const char *name;              /* type or structure name */
    enum stix_kind kind;           /* the type's kind; STIX_KIND_UNKNOWN for structures */
    const char *section;           /* STIX 2.1 section that defines it, "4.7" */
    const stix_prop *props;        /* own properties, sorted by name */
    size_t nprops;                 /* how many */
    const struct stix_def *common; /* the common properties that also apply, or NULL */
    /* Rules across properties (after each property was checked on its own), or NULL. */
    void (*check)(struct stix_vctx *c, json_t *obj, const struct stix_def *d);
    const char *labels_to; /* 2.0 upgrade: the 2.1 property that replaced `labels`, or NULL */
} stix_def;

/*
 * Rules that span properties (section given in stix_types.c), defined in
 * stix_validate.c and named by the table. Each appends findings to c.
 */
#define STIX__CHECK(name) void stix__check_##name(struct stix_vctx *c, json_t *obj, const struct stix_def *d)
STIX__CHECK(common);
STIX__CHECK(external_reference);
STIX__CHECK(granular_marking);
STIX__CHECK(mime_part);
STIX__CHECK(seen);
STIX__CHECK(indicator);
STIX__CHECK(location);
STIX__CHECK(malware);
STIX__CHECK(malware_analysis);
STIX__CHECK(observed_data);
STIX__CHECK(relationship);
STIX__CHECK(sighting);
STIX__CHECK(artifact);
STIX__CHECK(email_message);
STIX__CHECK(file);
STIX__CHECK(network_traffic);
STIX__CHECK(at_least_one);
STIX__CHECK(language_content);
STIX__CHECK(marking_definition);
STIX__CHECK(extension_definition);

/* The types, sorted by name. */
extern const stix_def *const stix__types[];
extern const size_t stix__ntypes;

/* Common property sets (section 3.2 and the meta objects). */
extern const stix_def stix__common_sdo; /* SDOs, SROs, language-content, custom objects */
extern const stix_def stix__common_sco; /* SCOs */

/* The definition of a STIX 2.1 type, or NULL for unknown/custom types. */
const stix_def *stix__def_find(const char *type);

/* A property of d by name (binary search), or NULL. */
const stix_prop *stix__prop_find(const stix_def *d, const char *name);

/*
 * Checks that the table is sorted and well-formed. Returns 0, or -1 with the
 * offending name in *bad. Used by a unit test.
 */
int stix__table_check(const char **bad);

/* ---- the validator's context, used by the check functions -------------- */

#define STIX_PATH_DEPTH 16 /* deepest path the validator records; deeper levels print as "..." */

/* One step of a JSON path: an object key, or an array index when key is NULL. */
typedef struct stix_vseg {
    const char *key; /* borrowed from the object being validated */
    size_t index;    /* array index when key is NULL */
} stix_vseg;

/*
 * The validator's state. The path is kept as a stack of steps and turned into
 * text only when a finding is reported, so a valid object costs no formatting.
 */
typedef struct stix_vctx {
    stix_issues *out;               /* where findings go */
    int flags;                      /* STIX_VALIDATE_* */
    int rc;                         /* 0, or VG_E_NOMEM once adding an issue failed */
    const char *type;               /* the object's type */
    stix_vseg seg[STIX_PATH_DEPTH]; /* the path below "$" */
    int depth;                      /* steps in use (may exceed STIX_PATH_DEPTH) */
    int has_created, has_modified;  /* created/modified were valid timestamps... */
    vg_time created, modified;      /* ...with these values (saves parsing them twice) */
} stix_vctx;

/* Appends a finding at the current path (plus ".key" when key is not NULL). */
void stix__issue(stix_vctx *c, int severity, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Path steps: push a key or an index, pop it again. */
void stix__path_key(stix_vctx *c, const char *key);
void stix__path_index(stix_vctx *c, size_t i);
void stix__path_pop(stix_vctx *c);

/* Reads a STIX timestamp property: 1 if present and valid (*t set), else 0. */
int stix__get_time(json_t *obj, const char *key, vg_time *t);

/*
 * Checks an identifier: "<type>--<UUID>" with a valid type name and an RFC
 * 4122 UUID. On success *tlen is the length of the type part. Returns 1/0.
 */
int stix__id_check(const char *s, size_t *tlen);

/* The name of a predefined TLP marking ("TLP:AMBER") for a level ("amber"), or NULL. */
const char *stix__tlp_name(const char *level);

/* Is name a valid STIX type name (3..250 of [a-z0-9-], starts with a letter, no "--")? */
int stix__type_name_ok(const char *s, size_t n);

#endif
