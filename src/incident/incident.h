/*
 * incident.h - incidents: STIX 2.1 `incident` objects carrying vigil's
 * property extension (severity, status, categories, sectors, countries,
 * first and last activity), their vocabularies, their links to other objects
 * (relationships), loading them from the store for lists and briefings,
 * importing incident history from CSV with a mapping file, and rolling
 * sightings up into incidents.
 *
 * Incidents live in the store like every STIX object: a change is a new
 * version (same id, later `modified`). The extension's properties sit under
 * extensions["extension-definition--<INC_EXT_UUID>"]; docs/formats/
 * incident-extension.md describes them, docs/internals/incident.md the code.
 *
 * Nothing here prints: failures come back as VG_E_* codes with detail in a
 * vg_error.
 */
#ifndef INCIDENT_H
#define INCIDENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vg_error.h"
#include "core/vg_time.h"
#include "stix/stix.h"
#include "store/store.h"

/* ---- the extension ---------------------------------------------------------- */

/* The id of vigil's incident extension-definition, and of vigil's own identity (its creator). */
#define INC_EXT_ID "extension-definition--5dbd316b-a923-4666-b9c3-79aeb42f6c75"
#define INC_IDENTITY_ID "identity--a09c7c5e-f4fa-4f92-88f8-f1724b4e159f"
/* Where the JSON schema of the extension is documented (a placeholder until vigil has a site). */
#define INC_EXT_SCHEMA "https://vigil.example/docs/formats/incident-extension.json"
#define INC_EXT_VERSION "1.0"

/*
 * The extension-definition object and vigil's identity, as STIX 2.1 objects
 * with fixed ids and timestamps (so that every vigil writes the same ones).
 * Caller owns the result (json_decref). NULL on allocation failure.
 */
json_t *inc_extension_definition(void);
json_t *inc_identity(void);

/* Stores the identity and the extension-definition if the store lacks them. Inside a transaction. */
int inc_ensure_meta(store *s, vg_error *err);

/* ---- vocabularies ------------------------------------------------------------ */

/*
 * Severity, 1 to 5: 1 minimal, 2 low, 3 medium, 4 high, 5 critical
 * (definitions in docs/formats/incident-extension.md).
 */
enum { INC_SEV_MIN = 1, INC_SEV_MAX = 5 };
/* The name of a severity ("high"); "?" outside 1..5. */
const char *inc_severity_name(int sev);
/* Parses a severity name or digit. VG_E_INVALID if neither. */
int inc_severity_parse(const char *s, int *out, vg_error *err);

/* Statuses: open, investigating, contained, closed. */
#define INC_NSTATUS 4
extern const char *const inc_statuses[INC_NSTATUS];
/* Index of status s in inc_statuses, or -1. */
int inc_status_index(const char *s);

/* Categories, in a fixed order (bit i of a category mask is inc_categories[i]). */
#define INC_NCATEGORY 9
typedef struct inc_category {
    const char *name;  /* the value stored: "ransomware" */
    const char *label; /* for people: "Ransomware" */
} inc_category;
extern const inc_category inc_categories[INC_NCATEGORY];
int inc_category_index(const char *name);

/* Sectors, in a fixed order (bit i of a sector mask). */
typedef struct inc_sector {
    const char *name;  /* the value stored: "energy" */
    const char *label; /* for people: "Energy" */
    const char *misp;  /* the MISP sector galaxy value, or NULL where none fits */
    int critical;      /* criticality 1 (ordinary) .. 3 (vital: energy, health, elections...) */
} inc_sector;
extern const inc_sector inc_sectors[];
extern const size_t inc_nsectors;
int inc_sector_index(const char *name);
/* The sector whose MISP galaxy value is misp (case-insensitive), or -1. */
int inc_sector_from_misp(const char *misp);

/*
 * ISO 3166-1 alpha-2 code for a country given by code ("de", "DE") or by one
 * of its ISO names ("Germany", "Korea, Republic of", "South Korea"), compared
 * without regard to case. NULL when unknown. The returned string is static.
 */
const char *inc_country_code(const char *name);
/* The ISO short name for a code, or NULL. */
const char *inc_country_name(const char *code);

/* Parses a date "YYYY-MM-DD" (midnight UTC) or an RFC 3339 timestamp. VG_E_PARSE if neither. */
int inc_parse_day(const char *s, vg_time *out, vg_error *err);

/* ---- one incident ------------------------------------------------------------ */

/*
 * A new incident with a random id (or `id` when given), named `name`, with
 * created = modified = now, status open, severity 3, empty lists. Caller owns.
 */
int inc_new(const char *id, const char *name, json_t **out, vg_error *err);

/* The extension object of an incident (borrowed), or NULL when absent. */
json_t *inc_ext(json_t *incident);

/*
 * Sets one property of an incident from text, as the CLI and the importer
 * give it: severity (name or 1..5), status, categories / sectors / countries
 * (comma-separated; "+x" adds, "-x" removes, otherwise replaces), first_activity,
 * last_activity (RFC 3339), name, description. Creates the extension if
 * absent. VG_E_INVALID (with the allowed values) or VG_E_USAGE (unknown property).
 */
int inc_set(json_t *incident, const char *prop, const char *value, vg_error *err);

/*
 * Checks the extension's properties: every problem is added to *out with
 * its JSON path. Also runs stix_validate. Returns 0 or VG_E_NOMEM.
 */
int inc_validate(json_t *incident, stix_issues *out);

/* Sets modified to now, and later than `after` (the previous version) when given. */
int inc_touch(json_t *obj, const vg_time *after);

/* ---- the store ---------------------------------------------------------------- */

/* Stores any STIX object (one version). Inside a transaction. *inserted may be NULL. */
int inc_put(store *s, json_t *obj, int *inserted, vg_error *err);

/* The latest version of object id. VG_E_NOTFOUND when absent. Caller owns *out. */
int inc_get(store *s, const char *id, json_t **out, vg_error *err);

/*
 * Links two objects with a relationship `type` (source -> target), creating
 * it unless it exists: its id is derived from (source, type, target), so
 * linking twice stores nothing new. *out (optional) gets the relationship id
 * (VG_UUID-based, caller passes a buffer of at least 64 + 37 bytes).
 */
int inc_link(store *s, const char *source, const char *type, const char *target, char *out_id, size_t n,
             vg_error *err);

/* The relationship type used to link an incident to an object of type `target_type`. */
const char *inc_link_type(const char *target_type);

/* ---- loading incidents for lists and briefings ----------------------------------- */

/* One incident, flattened. */
typedef struct inc_record {
    char *id;            /* incident--… */
    char *name;          /* its name */
    int severity;        /* 1..5, 0 when unset */
    int status;          /* index in inc_statuses, -1 when unset */
    uint32_t categories; /* bit i: inc_categories[i] */
    uint64_t sectors;    /* bit i: inc_sectors[i] */
    char *countries;     /* the codes, concatenated two letters each (NUL-terminated) */
    vg_time date;        /* first_activity, else created: the date the incident is filed under */
    int has_last;        /* last_activity given */
    vg_time last;        /* last_activity */
    char **actors;       /* names of the intrusion sets / threat actors it is attributed to */
    char **actor_ids;    /* and their ids (same order) */
    size_t nactors;      /* how many */
    char **malware_ids;  /* ids of malware linked with `uses` */
    size_t nmalware;     /* how many */
    char **victims;      /* names of the identities it targets */
    size_t nvictims;     /* how many */
    char **indicator_ids; /* ids of the indicators it is related-to (the sightings that raised it) */
    size_t nindicators;   /* how many */
} inc_record;

/* Which incidents to load. Zero-initialise; unset fields do not filter. */
typedef struct inc_filter {
    int has_from, has_to; /* period: from <= date < to */
    vg_time from, to;
    int min_severity;     /* at least this severity (0: any) */
    int status;           /* -1 or 0..3 (set has_status) */
    int has_status;
    int sector;           /* index, -1 any */
    int category;         /* index, -1 any */
    const char *actor;    /* actor name (case-insensitive, also aliases) or id */
} inc_filter;

typedef struct inc_list {
    inc_record *v; /* sorted by date, then id */
    size_t n;
    size_t cap;
} inc_list;

/* Loads the latest version of every incident matching f, with its links resolved. */
int inc_load(store *s, const inc_filter *f, inc_list *out, vg_error *err);
/* The same for n filters at once (one read of the store): out[i] gets what f[i] keeps. */
int inc_load_many(store *s, const inc_filter *f, size_t n, inc_list *out, vg_error *err);
void inc_list_free(inc_list *l);
/* A filter that lets everything through. */
void inc_filter_init(inc_filter *f);

/* ---- CSV --------------------------------------------------------------------- */

typedef struct inc_csv inc_csv;

/* Ceilings of the CSV reader (0: default). */
typedef struct inc_csv_opts {
    size_t max_field;  /* longest field in bytes, default 1 MiB */
    size_t max_record; /* longest record in bytes, default 8 MiB */
    size_t max_fields; /* most fields in a record, default 4096 */
    char delim;        /* field separator, default ',' */
} inc_csv_opts;

/* One record: fields borrowed until the next inc_csv_next. */
typedef struct inc_csv_record {
    const char *const *field; /* NUL-terminated field texts */
    const size_t *len;        /* their lengths */
    size_t n;                 /* how many fields */
    uint64_t row;             /* 1-based record number (the header is row 1) */
    uint64_t line;            /* 1-based line where it starts */
} inc_csv_record;

/* Opens a CSV file ("-" for standard input), or a buffer (kept by the caller). Caller frees. */
int inc_csv_open(const char *path, const inc_csv_opts *o, inc_csv **out, vg_error *err);
int inc_csv_open_mem(const char *data, size_t len, const inc_csv_opts *o, inc_csv **out, vg_error *err);
/*
 * Reads the next record: 1 with *rec, 0 at the end, VG_E_PARSE or VG_E_LIMIT
 * for a malformed or oversized record (err names row, line and column; the
 * reader skips to the next line and can go on), VG_E_IO / VG_E_NOMEM (stop).
 */
int inc_csv_next(inc_csv *r, inc_csv_record *rec, vg_error *err);
void inc_csv_free(inc_csv *r);

/* ---- import with a mapping file ----------------------------------------------------- */

typedef struct inc_mapping inc_mapping;

/* Reads a mapping file (docs/formats/mapping.md). Errors name file:line. Caller frees. */
int inc_mapping_load(const char *path, inc_mapping **out, vg_error *err);
int inc_mapping_parse(const char *text, size_t len, const char *name, inc_mapping **out, vg_error *err);
void inc_mapping_free(inc_mapping *m);

/* One rejected row, handed to the callback. */
typedef struct inc_reject {
    uint64_t row;        /* data row, 1-based (the header is not counted) */
    uint64_t line;       /* line where it starts */
    const vg_error *why; /* what was wrong */
} inc_reject;

typedef struct inc_import_stats {
    uint64_t rows;      /* data rows read */
    uint64_t imported;  /* incidents stored as a new version */
    uint64_t unchanged; /* incidents the store already had, identical */
    uint64_t rejected;  /* rows rejected */
    uint64_t actors;    /* intrusion sets / threat actors created */
    uint64_t links;     /* relationships created */
} inc_import_stats;

/*
 * Imports every row of a CSV through a mapping: each row becomes one incident
 * (id derived from the mapping's source name and the row's key, so a second
 * import stores only what changed), with its actors created or reused by
 * name or alias and linked. One transaction. Rejected rows go to on_reject.
 */
int inc_import_csv(store *s, const inc_mapping *m, const char *csv_path,
                   void (*on_reject)(const inc_reject *r, void *ctx), void *ctx, inc_import_stats *st,
                   vg_error *err);

/* ---- roll-up of sightings ------------------------------------------------------------ */

typedef struct inc_rules inc_rules;

/* The default rules, or rules read from a file (docs/internals/incident.md). Caller frees. */
int inc_rules_default(inc_rules **out, vg_error *err);
int inc_rules_load(const char *path, inc_rules **out, vg_error *err);
int inc_rules_parse(const char *text, size_t len, const char *name, inc_rules **out, vg_error *err);
void inc_rules_free(inc_rules *r);

/* What the severity score looks at. */
typedef struct inc_score_in {
    uint64_t sectors;      /* sectors hit (mask) */
    const char *const *malware_types; /* malware_types of what hit it (STIX vocabulary) */
    size_t nmalware_types;
    uint32_t categories;   /* categories (mask) */
    int confidence;        /* highest indicator confidence 0..100, -1 unknown */
} inc_score_in;

/* The severity (1..5) the rules give. */
int inc_score(const inc_rules *r, const inc_score_in *in);

typedef struct inc_correlate_stats {
    uint64_t sightings;  /* sightings looked at */
    uint64_t linked;     /* sightings joined to an incident */
    uint64_t skipped;    /* already linked, or without indicator / organisation */
    uint64_t opened;     /* incidents created */
    uint64_t updated;    /* incidents given a new version */
} inc_correlate_stats;

typedef struct inc_alerts inc_alerts;

/*
 * Runs the roll-up over every sighting in the store. One transaction. With
 * alerts (may be NULL: none), an incident opened or raised to the alert
 * threshold queues an alert in the same transaction.
 */
int inc_correlate(store *s, const inc_rules *r, const inc_alerts *alerts, inc_correlate_stats *st, vg_error *err);

/* ---- alerts ---------------------------------------------------------------------------- */

/*
 * The alerts config (docs/internals/alerts.md): the severity threshold and
 * the delivery channels (JSON-lines file, executable hook, syslog, webhook).
 * The defaults: threshold high (4), no channel. Caller frees.
 */
int inc_alerts_default(inc_alerts **out, vg_error *err);
int inc_alerts_load(const char *path, inc_alerts **out, vg_error *err);
int inc_alerts_parse(const char *text, size_t len, const char *name, inc_alerts **out, vg_error *err);
void inc_alerts_free(inc_alerts *a);
/* The severity at or above which an opened or raised incident alerts. */
int inc_alerts_threshold(const inc_alerts *a);
/* How many channels the config names, and the name of channel i (borrowed). */
size_t inc_alerts_nchannels(const inc_alerts *a);
const char *inc_alerts_channel(const inc_alerts *a, size_t i);

/* prev_severity of inc_alert_check for an incident that did not exist before. */
#define INC_ALERT_NEW (-1)

/*
 * Queues an alert for incident version `cur` when it is new (prev_severity
 * INC_ALERT_NEW) with a severity at or above the threshold, or when its
 * severity rose from prev_severity to one at or above the threshold. Call
 * inside the transaction that writes `cur`: the alert is stored with it or
 * not at all. A version alerts once (store_alert_add ignores a repeat).
 * *queued (may be NULL) is 1 when an alert was queued.
 */
int inc_alert_check(store *s, const inc_alerts *a, int prev_severity, const json_t *cur, int *queued,
                    vg_error *err);

/* What a delivery run did. */
typedef struct inc_deliver_stats {
    uint64_t pending;   /* alerts owed on some channel at the start */
    uint64_t delivered; /* deliveries that succeeded */
    uint64_t failed;    /* failed attempts (each retry counts) */
    uint64_t left;      /* deliveries still owed at the end (retried by the next run) */
} inc_deliver_stats;

/*
 * Delivers every alert still owed on each channel of the config, oldest
 * first. A failure is recorded in the store and the alert stays queued; a
 * channel that fails an alert after its retries is left for the next run
 * (later alerts wait, so they arrive in order). Returns 0 when the run
 * completed (failures are in *st and in the store), negative on a store
 * failure.
 */
int inc_alerts_deliver(store *s, const inc_alerts *a, inc_deliver_stats *st, vg_error *err);

/* The webhook signature: lower-case hex HMAC-SHA256 of body with the secret. 0 or VG_E_INTERNAL. */
int inc_alert_sign(const char *secret, const void *body, size_t len, char out[65]);

#endif
