/*
 * stix.h - the STIX 2.1 object model: objects as jansson JSON values, their
 * common metadata, validation with JSON paths, the 2.0 -> 2.1 upgrade, and a
 * streaming bundle reader.
 *
 * Objects are kept whole, as JSON (json_t, key order preserved). Nothing here
 * prints; every failure comes back as a VG_E_* code with detail in vg_error or
 * in a stix_issues list.
 */
#ifndef STIX_H
#define STIX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"

/* ---- kinds of object ------------------------------------------------------ */

enum stix_kind {
    STIX_KIND_UNKNOWN = 0, /* not a STIX 2.1 type (custom types land here) */
    STIX_KIND_SDO,         /* domain object: attack-pattern, indicator, malware... */
    STIX_KIND_SRO,         /* relationship, sighting */
    STIX_KIND_SCO,         /* cyber-observable: file, ipv4-addr, domain-name... */
    STIX_KIND_META,        /* marking-definition, language-content, extension-definition */
    STIX_KIND_BUNDLE,      /* bundle */
};

/* The kind of a STIX 2.1 type name; STIX_KIND_UNKNOWN for custom/unknown types. */
enum stix_kind stix_kind_of(const char *type);

/* ---- metadata ------------------------------------------------------------- */

/*
 * The properties the store indexes, read from an object. Strings are borrowed
 * from the json_t and live as long as it does.
 */
typedef struct stix_meta {
    const char *type;         /* "indicator" */
    const char *id;           /* "indicator--<uuid>" */
    const char *spec_version; /* "2.1", or NULL when absent */
    int has_created;          /* created present and valid */
    vg_time created;          /* valid when has_created */
    int has_modified;         /* modified present and valid */
    vg_time modified;         /* valid when has_modified */
    int revoked;              /* revoked: true */
} stix_meta;

/*
 * Fills *m from obj. Fails with VG_E_INVALID when type or id is missing or not
 * a string, or created/modified are present but not valid timestamps.
 */
int stix_meta_get(json_t *obj, stix_meta *m, vg_error *err);

/*
 * The version key of an object: modified if present, else created, else
 * absent (*has = 0). Objects without one have a single version.
 */
vg_time stix_meta_version(const stix_meta *m, int *has);

/* ---- validation ----------------------------------------------------------- */

enum { STIX_ISSUE_ERROR = 0, STIX_ISSUE_WARNING = 1 };

/* One finding of the validator. */
typedef struct stix_issue {
    int severity;   /* STIX_ISSUE_ERROR or STIX_ISSUE_WARNING */
    char path[256]; /* JSON path inside the object: "$.pattern", "$.external_references[2].source_name" */
    char msg[512];  /* what is wrong and what was expected */
} stix_issue;

/* A growable list of issues. Zero-initialise; free with stix_issues_free. */
typedef struct stix_issues {
    stix_issue *v; /* the issues */
    size_t n;      /* how many */
    size_t cap;    /* allocated */
    size_t errors; /* how many have severity STIX_ISSUE_ERROR */
} stix_issues;

void stix_issues_free(stix_issues *is);
void stix_issues_clear(stix_issues *is);
/* Appends one issue. VG_E_NOMEM on allocation failure. */
int stix_issues_add(stix_issues *is, int severity, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Validation options (flags). */
enum {
    STIX_VALIDATE_STRICT_VOCAB = 1, /* warn on values outside open vocabularies */
};

/*
 * Validates one STIX 2.1 object (after any 2.0 upgrade): id form and prefix,
 * common properties, the required properties and value kinds of its type,
 * timestamps and modified >= created, and the types that _ref and _refs name.
 * Custom types and x_ properties are allowed. Findings are appended to *out.
 * Returns 0 (look at out->errors), or VG_E_NOMEM.
 */
int stix_validate(json_t *obj, int flags, stix_issues *out);

/*
 * Tells whether obj is STIX 2.0: it has no spec_version where 2.1 requires one
 * (SDOs, SROs, marking definitions), or the bundle said spec_version "2.0".
 */
int stix_is_20(json_t *obj, int bundle_says_20);

/*
 * Upgrades a STIX 2.0 object to 2.1 in place, following the 2.1
 * specification's changes: adds spec_version "2.1", moves labels to the
 * type's *_types property where 2.1 renamed it, adds properties 2.1 requires
 * (malware is_family, indicator pattern_type...). Objects whose
 * spec_version is anything but "2.0" are left alone, so a second call changes
 * nothing. Rules and key placement: docs/internals/stix.md. Returns 0 or
 * VG_E_NOMEM; after VG_E_NOMEM obj may be incomplete and must be discarded.
 */
int stix_upgrade_20(json_t *obj, vg_error *err);

/* ---- streaming bundle reader -------------------------------------------- */

/* Ceilings for the reader (0 = default). */
typedef struct stix_reader_opts {
    size_t max_object_bytes; /* largest single object, default 64 MiB */
    int max_depth;           /* deepest nesting, default 256 */
    uint64_t max_objects;    /* most objects in one input, default 100,000,000 */
} stix_reader_opts;

typedef struct stix_reader stix_reader;

/* Where an object was found in its input. */
typedef struct stix_pos {
    uint64_t index; /* 0-based position in the bundle's objects array */
    long line;      /* 1-based line of its first byte */
    long col;       /* 1-based column of its first byte */
} stix_pos;

/*
 * Opens a bundle, a single object, or a JSON array of objects at path ("-" is
 * standard input). gzip input is recognised by its magic bytes. The reader
 * streams: memory is bounded by the largest object, not the file.
 * Caller frees with stix_reader_free.
 */
int stix_reader_open(const char *path, const stix_reader_opts *opts, stix_reader **out, vg_error *err);

/* The same over a buffer held by the caller for the reader's lifetime. */
int stix_reader_open_mem(const char *data, size_t len, const char *name, const stix_reader_opts *opts,
                         stix_reader **out, vg_error *err);

/*
 * Reads the next object. Returns 1 with *obj (caller owns: json_decref) and
 * *pos, 0 at the end of input, VG_E_INVALID when this element is not a JSON
 * object or not valid JSON inside (err says where; the reader can go on), or
 * another negative code when the input cannot be read further (syntax error
 * in the bundle's structure, I/O, limit).
 */
int stix_reader_next(stix_reader *r, json_t **obj, stix_pos *pos, vg_error *err);

/*
 * The text of the object last returned by stix_reader_next, minified (the
 * whitespace between tokens removed, strings untouched): borrowed until the
 * next call. Storing it spares re-serialising objects that were not changed.
 */
const char *stix_reader_text(const stix_reader *r, size_t *len);

/* True once the reader has seen the bundle say "spec_version": "2.0". */
int stix_reader_bundle_is_20(const stix_reader *r);
/* Bytes of input consumed so far and the total size if known (0 if not). */
uint64_t stix_reader_bytes_read(const stix_reader *r);
uint64_t stix_reader_bytes_total(const stix_reader *r);

void stix_reader_free(stix_reader *r);

/* ---- serialisation --------------------------------------------------------- */

/* Compact JSON text of obj, keys in their original order. Caller frees with vg_free. */
char *stix_dump(json_t *obj, size_t *len);

#endif
